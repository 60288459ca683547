"""Wrong and alternative implementations for ch13 (see tests/mutants/__init__.py)."""
import math

import torch
import torch.nn.functional as F

from tests.mutants import correct, wrong

NEG = float("-inf")


def _future(T, device):
    return torch.ones(T, T, dtype=torch.bool, device=device).triu(1)


# -- 1. project_qkv ------------------------------------------------------------------------

@wrong("ch13.project_qkv", "return (q, k, v) in that order")
def project_qkv(x, wq, bq, wk, bk, wv, bv):
    """returns (q, v, k)"""
    return x @ wq + bq, x @ wv + bv, x @ wk + bk


@wrong("ch13.project_qkv", "bias missing")
def project_qkv(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """forgets the biases"""
    return x @ wq, x @ wk, x @ wv


@wrong("ch13.project_qkv", "dtype")
def project_qkv(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """casts to float32"""
    return tuple((x.float() @ w.float() + b.float()) for w, b in ((wq, bq), (wk, bk), (wv, bv)))


@wrong("ch13.project_qkv", "copy-paste")
def project_qkv(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """a copy-paste slip: the keys use wq"""
    return x @ wq + bq, x @ wq + bk, x @ wv + bv


@correct("ch13.project_qkv")
def project_qkv(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """einsum"""
    return tuple(torch.einsum("btc,ch->bth", x, w) + b
                 for w, b in ((wq, bq), (wk, bk), (wv, bv)))


@correct("ch13.project_qkv")
def project_qkv(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """one fused matmul, then split"""
    H = wq.shape[1]
    out = x @ torch.cat([wq, wk, wv], dim=1)
    q, k, v = out.split(H, dim=-1)
    return q + bq, k + bk, v + bv


# -- 2. attention_scores -------------------------------------------------------------------

@wrong("ch13.attention_scores", "swapped")
def attention_scores(q, k):
    """k q^T"""
    return k @ q.transpose(-2, -1)


@wrong("ch13.attention_scores", "raw scores")
def attention_scores(q, k):  # noqa: F811
    """scales by 1/sqrt(H) already"""
    return q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])


@wrong("ch13.attention_scores", "expected shape")
def attention_scores(q, k):  # noqa: F811
    """q^T k: (B, H, H)"""
    return q.transpose(-2, -1) @ k


@wrong("ch13.attention_scores", "dtype")
def attention_scores(q, k):  # noqa: F811
    """float32 always"""
    return q.float() @ k.float().transpose(-2, -1)


@correct("ch13.attention_scores")
def attention_scores(q, k):  # noqa: F811
    """einsum"""
    return torch.einsum("bih,bjh->bij", q, k)


@correct("ch13.attention_scores")
def attention_scores(q, k):  # noqa: F811
    """broadcast and sum"""
    return (q[:, :, None, :] * k[:, None, :, :]).sum(-1)


# -- 3. scaled_attention_scores ------------------------------------------------------------

@wrong("ch13.scaled_attention_scores", "forget to divide by sqrt(h)")
def scaled_attention_scores(q, k):
    """no scaling"""
    return q @ k.transpose(-2, -1)


@wrong("ch13.scaled_attention_scores", "not by h")
def scaled_attention_scores(q, k):  # noqa: F811
    """divides by H"""
    return q @ k.transpose(-2, -1) / q.shape[-1]


@wrong("ch13.scaled_attention_scores", "not sqrt(t)")
def scaled_attention_scores(q, k):  # noqa: F811
    """divides by sqrt(T): shape[1] is the time axis"""
    return q @ k.transpose(-2, -1) / math.sqrt(q.shape[1])


@wrong("ch13.scaled_attention_scores", "not multiply")
def scaled_attention_scores(q, k):  # noqa: F811
    """multiplies by sqrt(H)"""
    return q @ k.transpose(-2, -1) * math.sqrt(q.shape[-1])


@correct("ch13.scaled_attention_scores")
def scaled_attention_scores(q, k):  # noqa: F811
    """scales q first, H ** -0.5"""
    return (q * q.shape[-1] ** -0.5) @ k.mT


# -- 4. causal_mask ------------------------------------------------------------------------

@wrong("ch13.causal_mask", "triu and tril are swapped")
def causal_mask(T):
    """triu instead of tril"""
    return torch.ones(T, T, dtype=torch.bool).triu()


@wrong("ch13.causal_mask", "inverted")
def causal_mask(T):  # noqa: F811
    """True where masked"""
    return torch.ones(T, T, dtype=torch.bool).triu(1)


@wrong("ch13.causal_mask", "attend to itself")
def causal_mask(T):  # noqa: F811
    """strictly lower triangular"""
    return torch.ones(T, T, dtype=torch.bool).tril(-1)


@wrong("ch13.causal_mask", "dtype")
def causal_mask(T):  # noqa: F811
    """a float mask"""
    return torch.tril(torch.ones(T, T))


@correct("ch13.causal_mask")
def causal_mask(T):  # noqa: F811
    """compares aranges"""
    i = torch.arange(T)
    return i[:, None] >= i[None, :]


@correct("ch13.causal_mask")
def causal_mask(T):  # noqa: F811
    """float tril cast to bool"""
    return torch.tril(torch.ones(T, T)).bool()


# -- 5. apply_causal_mask ------------------------------------------------------------------

@wrong("ch13.apply_causal_mask", "wrong way round")
def apply_causal_mask(scores):
    """fills where tril is True (triu/tril swapped)"""
    T = scores.shape[-1]
    return scores.masked_fill(torch.tril(torch.ones(T, T, device=scores.device)).bool(), NEG)


@wrong("ch13.apply_causal_mask", "from positions")
def apply_causal_mask(scores):  # noqa: F811
    """builds the mask from the score values"""
    return scores.masked_fill(scores.triu(1) != 0, NEG)


@wrong("ch13.apply_causal_mask", "from positions")
def apply_causal_mask(scores):  # noqa: F811
    """multiplies by tril, then fills the zeros"""
    T = scores.shape[-1]
    s = scores * torch.ones(T, T, device=scores.device).tril()
    return s.masked_fill(s == 0, NEG)


@wrong("ch13.apply_causal_mask", "modified its input")
def apply_causal_mask(scores):  # noqa: F811
    """masked_fill_ in place"""
    return scores.masked_fill_(_future(scores.shape[-1], scores.device), NEG)


@wrong("ch13.apply_causal_mask", "not -inf")
def apply_causal_mask(scores):  # noqa: F811
    """-1e9 instead of -inf"""
    return scores.masked_fill(_future(scores.shape[-1], scores.device), -1e9)


@wrong("ch13.apply_causal_mask", "0/1 mask")
def apply_causal_mask(scores):  # noqa: F811
    """multiplies by a 0/1 mask"""
    T = scores.shape[-1]
    return scores * torch.ones(T, T, device=scores.device).tril()


@wrong("ch13.apply_causal_mask", "raised")
def apply_causal_mask(scores):  # noqa: F811
    """T from shape[0]: only right for a 2-D input"""
    T = scores.shape[0]
    return scores.masked_fill(_future(T, scores.device), NEG)


@correct("ch13.apply_causal_mask")
def apply_causal_mask(scores):  # noqa: F811
    """torch.where with tril"""
    T = scores.shape[-1]
    keep = torch.ones(T, T, dtype=torch.bool, device=scores.device).tril()
    return torch.where(keep, scores, torch.full_like(scores, NEG))


@correct("ch13.apply_causal_mask")
def apply_causal_mask(scores):  # noqa: F811
    """adds an additive -inf mask"""
    T = scores.shape[-1]
    return scores + torch.full((T, T), NEG, dtype=scores.dtype, device=scores.device).triu(1)


# -- 6. masked_softmax ---------------------------------------------------------------------

@wrong("ch13.masked_softmax", "never nan")
def masked_softmax(scores, allowed):
    """plain softmax: NaN for rows with nothing allowed"""
    return scores.masked_fill(~allowed, NEG).softmax(-1)


@wrong("ch13.masked_softmax", "last dim")
def masked_softmax(scores, allowed):  # noqa: F811
    """softmax over dim -2"""
    return scores.masked_fill(~allowed, NEG).softmax(-2).nan_to_num(0.0)


@wrong("ch13.masked_softmax", "before the softmax")
def masked_softmax(scores, allowed):  # noqa: F811
    """zeroes the weights after the softmax"""
    return scores.softmax(-1) * allowed


@wrong("ch13.masked_softmax", "not uniform")
def masked_softmax(scores, allowed):  # noqa: F811
    """-1e9 fill: empty rows become uniform"""
    return scores.masked_fill(~allowed, -1e9).softmax(-1)


@wrong("ch13.masked_softmax", "subtract each row's largest")
def masked_softmax(scores, allowed):  # noqa: F811
    """exp without subtracting the max"""
    e = torch.exp(scores.masked_fill(~allowed, NEG))
    total = e.sum(-1, keepdim=True)
    return torch.where(total > 0, e / total, 0.0)


@wrong("ch13.masked_softmax", "modified its input")
def masked_softmax(scores, allowed):  # noqa: F811
    """masked_fill_ on the scores"""
    w = scores.masked_fill_(~allowed, NEG).softmax(-1)
    return w.nan_to_num(0.0)


@wrong("ch13.masked_softmax", "inverted")
def masked_softmax(scores, allowed):  # noqa: F811
    """treats True as masked"""
    return scores.masked_fill(allowed, NEG).softmax(-1).nan_to_num(0.0)


@correct("ch13.masked_softmax")
def masked_softmax(scores, allowed):  # noqa: F811
    """finfo.min fill, then multiply by allowed"""
    s = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
    return s.softmax(-1) * allowed


@correct("ch13.masked_softmax")
def masked_softmax(scores, allowed):  # noqa: F811
    """where(any allowed, softmax, 0)"""
    w = scores.masked_fill(~allowed, NEG).softmax(-1)
    return torch.where(allowed.any(-1, keepdim=True), w, torch.zeros_like(w))


# -- 7. attention_output -------------------------------------------------------------------

@wrong("ch13.attention_output", "weights transposed")
def attention_output(weights, v):
    """weights^T @ v"""
    return weights.transpose(-2, -1) @ v


@wrong("ch13.attention_output", "dtype")
def attention_output(weights, v):  # noqa: F811
    """float32 always"""
    return weights.float() @ v.float()


@wrong("ch13.attention_output", "must match the size")
def attention_output(weights, v):  # noqa: F811
    """elementwise product"""
    return weights * v


@correct("ch13.attention_output")
def attention_output(weights, v):  # noqa: F811
    """einsum"""
    return torch.einsum("bij,bjh->bih", weights, v)


@correct("ch13.attention_output")
def attention_output(weights, v):  # noqa: F811
    """broadcast and sum"""
    return (weights[..., None] * v[:, None, :, :]).sum(-2)


# -- 8. causal_self_attention --------------------------------------------------------------

def _csa(x, wq, bq, wk, bk, wv, bv, scale=None, fill=NEG, allowed="tril", dim=-1):
    T = x.shape[1]
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    att = q @ k.transpose(-2, -1) * (q.shape[-1] ** -0.5 if scale is None else scale)
    ones = torch.ones(T, T, dtype=torch.bool, device=x.device)
    keep = {"tril": ones.tril(), "triu": ones.triu(), "none": ones}[allowed]
    return att.masked_fill(~keep, fill).softmax(dim) @ v


@wrong("ch13.causal_self_attention", "1/sqrt(h)")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):
    """no 1/sqrt(H)"""
    return _csa(x, wq, bq, wk, bk, wv, bv, scale=1.0)


@wrong("ch13.causal_self_attention", "not by 1/sqrt(c)")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """scales by 1/sqrt(C)"""
    return _csa(x, wq, bq, wk, bk, wv, bv, scale=x.shape[-1] ** -0.5)


@wrong("ch13.causal_self_attention", "triu and tril are swapped")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """keeps triu: attends to the future"""
    return _csa(x, wq, bq, wk, bk, wv, bv, allowed="triu")


@wrong("ch13.causal_self_attention", "no causal mask")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """no mask"""
    return _csa(x, wq, bq, wk, bk, wv, bv, allowed="none")


@wrong("ch13.causal_self_attention", "last dim")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """softmax over dim 1"""
    return _csa(x, wq, bq, wk, bk, wv, bv, dim=1)


@wrong("ch13.causal_self_attention", "swapped")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """k q^T"""
    return _csa(x, wk, bk, wq, bq, wv, bv)


@wrong("ch13.causal_self_attention", "never from the score values")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """mask built from the score values: scores.triu(1) != 0"""
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    att = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return att.masked_fill(att.triu(1) != 0, NEG).softmax(-1) @ v


@wrong("ch13.causal_self_attention", "never from the score values")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """multiplies by tril, then masks the zeros"""
    T = x.shape[1]
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    att = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    att = att * torch.ones(T, T, device=x.device).tril()
    return att.masked_fill(att == 0, NEG).softmax(-1) @ v


@wrong("ch13.causal_self_attention", "mask the scores with -inf before the softmax")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """zeroes future weights after the softmax"""
    T = x.shape[1]
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    att = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).softmax(-1)
    return att.masked_fill(_future(T, x.device), 0.0) @ v


@wrong("ch13.causal_self_attention", "python loop")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """a Python loop over time"""
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    outs = []
    for t in range(x.shape[1]):
        att = q[:, t:t + 1] @ k[:, :t + 1].transpose(-2, -1) / math.sqrt(q.shape[-1])
        outs.append(att.softmax(-1) @ v[:, :t + 1])
    return torch.cat(outs, dim=1)


@wrong("ch13.causal_self_attention", "which this exercise bans")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """the banned F.scaled_dot_product_attention"""
    return F.scaled_dot_product_attention(x @ wq + bq, x @ wk + bk, x @ wv + bv, is_causal=True)


@wrong("ch13.causal_self_attention", "autograd")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """detaches the attention weights"""
    T = x.shape[1]
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    att = (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).detach()
    return att.masked_fill(_future(T, x.device), NEG).softmax(-1) @ v


@correct("ch13.causal_self_attention")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """finfo.min mask"""
    return _csa(x, wq, bq, wk, bk, wv, bv, fill=torch.finfo(x.dtype).min)


@correct("ch13.causal_self_attention")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """-1e9 mask (fine on CPU; it overflows float16)"""
    return _csa(x, wq, bq, wk, bk, wv, bv, fill=-1e9)


@correct("ch13.causal_self_attention")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """einsum and an additive -inf mask"""
    T = x.shape[1]
    q = torch.einsum("btc,ch->bth", x, wq) + bq
    k = torch.einsum("btc,ch->bth", x, wk) + bk
    v = torch.einsum("btc,ch->bth", x, wv) + bv
    att = torch.einsum("bih,bjh->bij", q, k) / math.sqrt(q.shape[-1])
    att = att + torch.full((T, T), NEG, dtype=x.dtype, device=x.device).triu(1)
    return torch.einsum("bij,bjh->bih", att.softmax(-1), v)


# -- 9. multi_head_attention ---------------------------------------------------------------

def _split_heads(x, w_qkv, b_qkv, nh, order=(0, 1, 2), transpose=True):
    """q, k, v of shape (B, nh, T, H) from the fused projection (in ``order``)."""
    B, T, C = x.shape
    H = C // nh
    parts = (x @ w_qkv + b_qkv).split(C, dim=-1)
    q, k, v = (parts[i] for i in order)
    if transpose:
        return tuple(a.view(B, T, nh, H).transpose(1, 2) for a in (q, k, v))
    return tuple(a.reshape(B, nh, T, H) for a in (q, k, v))


def _mha(x, w_qkv, b_qkv, w_o, b_o, nh, fill=NEG, order=(0, 1, 2), transpose=True,
         merge=True, scale=None, allowed="tril", proj=True):
    B, T, C = x.shape
    H = C // nh
    q, k, v = _split_heads(x, w_qkv, b_qkv, nh, order, transpose)
    att = q @ k.transpose(-2, -1) * (H ** -0.5 if scale is None else scale)
    ones = torch.ones(T, T, dtype=torch.bool, device=x.device)
    keep = {"tril": ones.tril(), "triu": ones.triu(), "none": ones}[allowed]
    y = att.masked_fill(~keep, fill).softmax(-1) @ v
    y = y.transpose(1, 2).reshape(B, T, C) if merge else y.reshape(B, T, C)
    return y @ w_o + b_o if proj else y


@wrong("ch13.multi_head_attention", "without a transpose")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):
    """splits heads with a reshape, no transpose"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, transpose=False)


@wrong("ch13.multi_head_attention", "without transposing back")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """merges heads with a reshape, no transpose"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, merge=False)


@wrong("ch13.multi_head_attention", "packs q, k, v in that order")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """reads the packed weights as k, q, v"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, order=(1, 0, 2))


@wrong("ch13.multi_head_attention", "packs q, k, v in that order")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """reads the packed weights as v, k, q"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, order=(2, 1, 0))


@wrong("ch13.multi_head_attention", "output projection is missing")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """no output projection"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, proj=False)


@wrong("ch13.multi_head_attention", "not by 1/sqrt(c)")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """scales by 1/sqrt(C)"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, scale=x.shape[-1] ** -0.5)


@wrong("ch13.multi_head_attention", "1/sqrt(h)")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """no scaling"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, scale=1.0)


@wrong("ch13.multi_head_attention", "triu and tril are swapped")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """keeps triu: attends to the future"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, allowed="triu")


@wrong("ch13.multi_head_attention", "never from the score values")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """multiplies by tril, then masks the zeros"""
    B, T, C = x.shape
    H = C // n_heads
    q, k, v = _split_heads(x, w_qkv, b_qkv, n_heads)
    att = q @ k.transpose(-2, -1) / math.sqrt(H)
    att = att * torch.ones(T, T, device=x.device).tril()
    y = att.masked_fill(att == 0, NEG).softmax(-1) @ v
    return y.transpose(1, 2).reshape(B, T, C) @ w_o + b_o


@wrong("ch13.multi_head_attention", "python loop")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """a Python loop over time"""
    B, T, C = x.shape
    H = C // n_heads
    q, k, v = _split_heads(x, w_qkv, b_qkv, n_heads)
    ys = []
    for t in range(T):
        att = q[:, :, t:t + 1] @ k[:, :, :t + 1].transpose(-2, -1) / math.sqrt(H)
        ys.append(att.softmax(-1) @ v[:, :, :t + 1])
    y = torch.cat(ys, dim=2)
    return y.transpose(1, 2).reshape(B, T, C) @ w_o + b_o


@wrong("ch13.multi_head_attention", "which this exercise bans")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """the banned F.scaled_dot_product_attention"""
    B, T, C = x.shape
    q, k, v = _split_heads(x, w_qkv, b_qkv, n_heads)
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return y.transpose(1, 2).reshape(B, T, C) @ w_o + b_o


@wrong("ch13.multi_head_attention", "multi_head_attention_forward, which this exercise bans")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """the banned F.multi_head_attention_forward"""
    T, C = x.shape[1], x.shape[2]
    xt = x.transpose(0, 1)
    mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
    out, _ = F.multi_head_attention_forward(
        xt, xt, xt, C, n_heads, w_qkv.T, b_qkv, None, None, False, 0.0, w_o.T, b_o,
        training=False, need_weights=False, attn_mask=mask)
    return out.transpose(0, 1)


@correct("ch13.multi_head_attention")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """finfo.min mask"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, fill=torch.finfo(x.dtype).min)


@correct("ch13.multi_head_attention")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """-1e9 mask (fine on CPU; it overflows float16)"""
    return _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads, fill=-1e9)


@correct("ch13.multi_head_attention")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """a Python loop over heads, slicing the fused w_qkv columns"""
    B, T, C = x.shape
    H = C // n_heads
    future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
    heads = []
    for h in range(n_heads):
        cols = [slice(part * C + h * H, part * C + (h + 1) * H) for part in range(3)]
        q, k, v = (x @ w_qkv[:, c] + b_qkv[c] for c in cols)
        att = (q @ k.transpose(-2, -1) / math.sqrt(H)).masked_fill(future, NEG)
        heads.append(att.softmax(-1) @ v)
    return torch.cat(heads, dim=-1) @ w_o + b_o


@correct("ch13.multi_head_attention")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """einsum with unflatten"""
    B, T, C = x.shape
    H = C // n_heads
    qkv = torch.einsum("btc,cd->btd", x, w_qkv) + b_qkv
    q, k, v = qkv.unflatten(-1, (3, n_heads, H)).unbind(2)  # (B, T, nh, H) each
    att = torch.einsum("bihd,bjhd->bhij", q, k) / math.sqrt(H)
    keep = torch.tril(torch.ones(T, T, dtype=torch.bool, device=x.device))
    att = torch.where(keep, att, torch.tensor(NEG, dtype=x.dtype, device=x.device))
    y = torch.einsum("bhij,bjhd->bihd", att.softmax(-1), v).flatten(2)
    return torch.einsum("btc,cd->btd", y, w_o) + b_o


# -- 10. padded_causal_attention -----------------------------------------------------------

def _padded(q, k, v, kp, use_padding=True, on="keys", causal=True, scale=None, nan=False,
            inverted=False):
    B, T, H = q.shape
    att = q @ k.transpose(-2, -1) * (H ** -0.5 if scale is None else scale)
    allowed = torch.ones(B, T, T, dtype=torch.bool, device=q.device)
    if causal:
        allowed = allowed.tril()
    if use_padding:
        pad = kp if not inverted else ~kp
        allowed = allowed & (~pad[:, None, :] if on == "keys" else ~pad[:, :, None])
    w = att.masked_fill(~allowed, NEG).softmax(-1)
    return (w if nan else w.nan_to_num(0.0)) @ v


@wrong("ch13.padded_causal_attention", "padded keys still get weight")
def padded_causal_attention(q, k, v, key_padding):
    """ignores the padding"""
    return _padded(q, k, v, key_padding, use_padding=False)


@wrong("ch13.padded_causal_attention", "not queries")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """masks padded queries (rows) instead of keys"""
    return _padded(q, k, v, key_padding, on="queries")


@wrong("ch13.padded_causal_attention", "never nan")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """NaN for fully masked rows"""
    return _padded(q, k, v, key_padding, nan=True)


@wrong("ch13.padded_causal_attention", "key_padding is inverted")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """treats True as a real token"""
    return _padded(q, k, v, key_padding, inverted=True)


@wrong("ch13.padded_causal_attention", "causal mask is missing")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """padding mask only"""
    return _padded(q, k, v, key_padding, causal=False)


@wrong("ch13.padded_causal_attention", "1/sqrt(h)")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """no scaling"""
    return _padded(q, k, v, key_padding, scale=1.0)


@correct("ch13.padded_causal_attention")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """softmax, then nan_to_num"""
    return _padded(q, k, v, key_padding)


@correct("ch13.padded_causal_attention")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """finfo.min fill, weights times the allowed mask, renormalised with a guard"""
    B, T, H = q.shape
    att = q @ k.mT / math.sqrt(H)
    allowed = torch.ones(T, T, dtype=torch.bool, device=q.device).tril() & \
        ~key_padding.unsqueeze(1)
    w = att.masked_fill(~allowed, torch.finfo(att.dtype).min).softmax(-1) * allowed
    total = w.sum(-1, keepdim=True)
    w = w / torch.where(total > 0, total, torch.ones_like(total))
    return w @ v


# -- 11. attention_with_kv_cache -----------------------------------------------------------

def _step(q_t, k_all, v_all, scale=None, dim=-1):
    att = q_t @ k_all.transpose(-2, -1) * (q_t.shape[-1] ** -0.5 if scale is None else scale)
    return att.softmax(dim) @ v_all


@wrong("ch13.attention_with_kv_cache", "append k_t and v_t")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):
    """forgets to append: attends to the old cache and returns it"""
    return _step(q_t, k_cache, v_cache), k_cache, v_cache


@wrong("ch13.attention_with_kv_cache", "append k_t and v_t")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):  # noqa: F811
    """attends before appending"""
    out = _step(q_t, k_cache, v_cache)
    return out, torch.cat([k_cache, k_t], 1), torch.cat([v_cache, v_t], 1)


@wrong("ch13.attention_with_kv_cache", "at the end of the caches")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):  # noqa: F811
    """prepends the new key and value"""
    k, v = torch.cat([k_t, k_cache], 1), torch.cat([v_t, v_cache], 1)
    return _step(q_t, k, v), k, v


@wrong("ch13.attention_with_kv_cache", "1/sqrt(h)")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):  # noqa: F811
    """no scaling"""
    k, v = torch.cat([k_cache, k_t], 1), torch.cat([v_cache, v_t], 1)
    return _step(q_t, k, v, scale=1.0), k, v


@wrong("ch13.attention_with_kv_cache", "no causal mask inside a decoding step")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):  # noqa: F811
    """applies a tril mask to the (1, S+1) step scores"""
    k, v = torch.cat([k_cache, k_t], 1), torch.cat([v_cache, v_t], 1)
    att = q_t @ k.mT / math.sqrt(q_t.shape[-1])
    keep = torch.ones(1, k.shape[1], dtype=torch.bool, device=q_t.device).tril()
    return att.masked_fill(~keep, NEG).softmax(-1) @ v, k, v


@wrong("ch13.attention_with_kv_cache", "last dim")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):  # noqa: F811
    """softmax over dim 1"""
    k, v = torch.cat([k_cache, k_t], 1), torch.cat([v_cache, v_t], 1)
    return _step(q_t, k, v, dim=1), k, v


@correct("ch13.attention_with_kv_cache")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):  # noqa: F811
    """einsum, exp / sum with the max subtracted"""
    k = torch.cat((k_cache, k_t), dim=-2)
    v = torch.cat((v_cache, v_t), dim=-2)
    s = torch.einsum("bqh,bkh->bqk", q_t, k) / math.sqrt(q_t.shape[-1])
    e = (s - s.amax(-1, keepdim=True)).exp()
    return torch.einsum("bqk,bkh->bqh", e / e.sum(-1, keepdim=True), v), k, v


# -- 12. attention_entropy -----------------------------------------------------------------

@wrong("ch13.attention_entropy", "0 ln 0")
def attention_entropy(weights):
    """NaN for zero weights"""
    return -(weights * weights.log()).sum(-1)


@wrong("ch13.attention_entropy", "not log2")
def attention_entropy(weights):  # noqa: F811
    """log2"""
    return -(torch.where(weights > 0, weights * weights.log2(), 0.0)).sum(-1)


@wrong("ch13.attention_entropy", "minus sign")
def attention_entropy(weights):  # noqa: F811
    """forgets the minus sign"""
    return torch.xlogy(weights, weights).sum(-1)


@wrong("ch13.attention_entropy", "not dim 0")
def attention_entropy(weights):  # noqa: F811
    """sums over dim 0"""
    return torch.special.entr(weights).sum(0)


@wrong("ch13.attention_entropy", "dtype")
def attention_entropy(weights):  # noqa: F811
    """float32 always"""
    w = weights.float()
    return -(torch.where(w > 0, w * w.log(), 0.0)).sum(-1)


@correct("ch13.attention_entropy")
def attention_entropy(weights):  # noqa: F811
    """torch.special.entr"""
    return torch.special.entr(weights).sum(-1)


@correct("ch13.attention_entropy")
def attention_entropy(weights):  # noqa: F811
    """-xlogy"""
    return -torch.xlogy(weights, weights).sum(dim=-1)


@correct("ch13.attention_entropy")
def attention_entropy(weights):  # noqa: F811
    """clamps before the log"""
    return -(weights * weights.clamp_min(1e-30).log()).sum(-1)


# -- large scores and other correct routes (grader-integrity issue) ------------------------

def _no_shift_softmax(s):
    e = s.exp()  # overflows to inf once a score passes about 88 in float32
    return e / e.sum(-1, keepdim=True)


@correct("ch13.masked_softmax")
def masked_softmax(scores, allowed):  # noqa: F811
    """the logsumexp route: exp(s - logsumexp(s)) over the allowed positions"""
    m = scores.masked_fill(~allowed, NEG)
    w = (m - m.logsumexp(-1, keepdim=True)).exp()
    return w.nan_to_num(0.0)


@correct("ch13.causal_self_attention")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """softmax of every score, then the future zeroed and each row renormalised"""
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv  # (B, T, H) each
    T = x.shape[1]
    w = ((q @ k.mT) / math.sqrt(q.shape[-1])).softmax(-1)  # (B, T, T)
    w = w.masked_fill(_future(T, x.device), 0.0)
    w = w / w.sum(-1, keepdim=True)
    return w @ v  # (B, T, H)


@wrong("ch13.causal_self_attention", "subtract each row's largest")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """exp() of the scores without the max shift"""
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    s = (q @ k.mT) / math.sqrt(q.shape[-1])
    s = s.masked_fill(_future(x.shape[1], x.device), NEG)
    return _no_shift_softmax(s) @ v


@wrong("ch13.multi_head_attention", "subtract each row's largest")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):  # noqa: F811
    """exp() of the scores without the max shift"""
    B, T, C = x.shape
    q, k, v = (x @ w_qkv + b_qkv).split(C, dim=-1)  # (B, T, C) each
    q, k, v = (a.view(B, T, n_heads, C // n_heads).transpose(1, 2) for a in (q, k, v))
    s = (q @ k.mT) / math.sqrt(C // n_heads)  # (B, nh, T, T)
    s = s.masked_fill(_future(T, x.device), NEG)
    y = (_no_shift_softmax(s) @ v).transpose(1, 2).reshape(B, T, C)
    return y @ w_o + b_o


@wrong("ch13.padded_causal_attention", "subtract each row's largest")
def padded_causal_attention(q, k, v, key_padding):  # noqa: F811
    """exp() of the scores without the max shift"""
    T = q.shape[1]
    allowed = ~_future(T, q.device) & ~key_padding[:, None, :]
    s = ((q @ k.mT) / math.sqrt(q.shape[-1])).masked_fill(~allowed, NEG)
    w = _no_shift_softmax(s)
    return torch.where(allowed.any(-1, keepdim=True), w @ v, 0.0)


@wrong("ch13.attention_with_kv_cache", "subtract each row's largest")
def attention_with_kv_cache(q_t, k_t, v_t, k_cache, v_cache):  # noqa: F811
    """exp() of the scores without the max shift"""
    k_all, v_all = torch.cat([k_cache, k_t], 1), torch.cat([v_cache, v_t], 1)
    s = (q_t @ k_all.mT) / math.sqrt(q_t.shape[-1])
    return _no_shift_softmax(s) @ v_all, k_all, v_all
