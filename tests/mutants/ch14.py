"""Wrong and alternative implementations for ch14 (see tests/mutants/__init__.py)."""
import math

import torch
import torch.nn.functional as F

from solutions.ch14_gpt import baby_gpt_logits as _ref_logits
from solutions.ch14_gpt import gpt_block as _ref_block
from tests.mutants import correct, wrong

NEG = float("-inf")


# -- 1. feed_forward -----------------------------------------------------------------------

@wrong("ch14.feed_forward", "not gelu")
def feed_forward(x, w1, b1, w2, b2):
    """GELU, as in the GPT block, where this layer asks for ReLU"""
    return F.gelu(x @ w1 + b1) @ w2 + b2


@wrong("ch14.feed_forward", "no relu after the second")
def feed_forward(x, w1, b1, w2, b2):  # noqa: F811
    """a ReLU after the second map as well"""
    return torch.relu(torch.relu(x @ w1 + b1) @ w2 + b2)


@wrong("ch14.feed_forward", "is it missing")
def feed_forward(x, w1, b1, w2, b2):  # noqa: F811
    """no activation at all"""
    return (x @ w1 + b1) @ w2 + b2


@correct("ch14.feed_forward")
def feed_forward(x, w1, b1, w2, b2):  # noqa: F811
    """F.linear with transposed weights and clamp_min"""
    return F.linear(F.linear(x, w1.T, b1).clamp_min(0), w2.T, b2)


# -- 2. gpt_block --------------------------------------------------------------------------

def _mha(h, p, nh, mask=True):
    B, T, C = h.shape
    q, k, v = (h @ p["w_qkv"] + p["b_qkv"]).split(C, dim=-1)
    q, k, v = (a.view(B, T, nh, C // nh).transpose(1, 2) for a in (q, k, v))
    s = q @ k.mT / math.sqrt(C // nh)
    if mask:
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=h.device).triu(1), NEG)
    y = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
    return y @ p["w_o"] + p["b_o"]


def _ln(x, w, b):
    return F.layer_norm(x, (x.shape[-1],), w, b, eps=1e-5)


def _ffn(h, p, act=lambda z: F.gelu(z, approximate="tanh")):
    return act(h @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"]


@wrong("ch14.gpt_block", "post-ln")
def gpt_block(x, params, n_heads):
    """post-LN: the layer norms after the residual sums"""
    x = _ln(x + _mha(x, params, n_heads), params["ln1_w"], params["ln1_b"])
    return _ln(x + _ffn(x, params), params["ln2_w"], params["ln2_b"])


@wrong("ch14.gpt_block", "attention branch's residual is missing")
def gpt_block(x, params, n_heads):  # noqa: F811
    """forgets the first residual"""
    x = _mha(_ln(x, params["ln1_w"], params["ln1_b"]), params, n_heads)
    return x + _ffn(_ln(x, params["ln2_w"], params["ln2_b"]), params)


@wrong("ch14.gpt_block", "not relu")
def gpt_block(x, params, n_heads):  # noqa: F811
    """ReLU in the feed-forward branch"""
    x = x + _mha(_ln(x, params["ln1_w"], params["ln1_b"]), params, n_heads)
    return x + _ffn(_ln(x, params["ln2_w"], params["ln2_b"]), params, act=torch.relu)


@wrong("ch14.gpt_block", "not the exact erf gelu")
def gpt_block(x, params, n_heads):  # noqa: F811
    """the exact (erf) GELU"""
    x = x + _mha(_ln(x, params["ln1_w"], params["ln1_b"]), params, n_heads)
    return x + _ffn(_ln(x, params["ln2_w"], params["ln2_b"]), params, act=F.gelu)


@wrong("ch14.gpt_block", "mask j > i")
def gpt_block(x, params, n_heads):  # noqa: F811
    """no causal mask"""
    x = x + _mha(_ln(x, params["ln1_w"], params["ln1_b"]), params, n_heads, mask=False)
    return x + _ffn(_ln(x, params["ln2_w"], params["ln2_b"]), params)


@wrong("ch14.gpt_block", "inf or nan")
def gpt_block(x, params, n_heads):  # noqa: F811
    """softmax written as exp / sum without the max shift"""
    B, T, C = x.shape
    h = _ln(x, params["ln1_w"], params["ln1_b"])
    q, k, v = (h @ params["w_qkv"] + params["b_qkv"]).split(C, dim=-1)
    q, k, v = (a.view(B, T, n_heads, C // n_heads).transpose(1, 2) for a in (q, k, v))
    s = (q @ k.mT / math.sqrt(C // n_heads)).masked_fill(
        torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), NEG)
    e = s.exp()
    y = ((e / e.sum(-1, keepdim=True)) @ v).transpose(1, 2).reshape(B, T, C)
    x = x + y @ params["w_o"] + params["b_o"]
    return x + _ffn(_ln(x, params["ln2_w"], params["ln2_b"]), params)


@correct("ch14.gpt_block")
def gpt_block(x, params, n_heads):  # noqa: F811
    """torch's fused attention and layer norm written by hand"""
    B, T, C = x.shape

    def ln(z, w, b):
        mu = z.mean(-1, keepdim=True)
        var = ((z - mu) ** 2).mean(-1, keepdim=True)
        return (z - mu) / torch.sqrt(var + 1e-5) * w + b

    h = ln(x, params["ln1_w"], params["ln1_b"])
    q, k, v = (h @ params["w_qkv"] + params["b_qkv"]).chunk(3, dim=-1)
    q, k, v = (a.reshape(B, T, n_heads, -1).permute(0, 2, 1, 3) for a in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    x = x + y.permute(0, 2, 1, 3).reshape(B, T, C) @ params["w_o"] + params["b_o"]
    h = ln(x, params["ln2_w"], params["ln2_b"])
    return x + _ffn(h, params)


# -- 3. baby_gpt_logits --------------------------------------------------------------------

@wrong("ch14.baby_gpt_logits", "not by token id", helpers=[_ref_block])
def baby_gpt_logits(tokens, params, n_heads):
    """looks the position embeddings up by token id"""
    x = params["tok_emb"][tokens] + params["pos_emb"][tokens]
    for block in params["blocks"]:
        x = _ref_block(x, block, n_heads)
    return _ln(x, params["lnf_w"], params["lnf_b"]) @ params["w_head"]


@wrong("ch14.baby_gpt_logits", "final layer norm", helpers=[_ref_block])
def baby_gpt_logits(tokens, params, n_heads):  # noqa: F811
    """no final layer norm"""
    x = params["tok_emb"][tokens] + params["pos_emb"][:tokens.shape[1]]
    for block in params["blocks"]:
        x = _ref_block(x, block, n_heads)
    return x @ params["w_head"]


@wrong("ch14.baby_gpt_logits", "not the token table", helpers=[_ref_block])
def baby_gpt_logits(tokens, params, n_heads):  # noqa: F811
    """ties the head to the token table although w_head is given"""
    x = params["tok_emb"][tokens] + params["pos_emb"][:tokens.shape[1]]
    for block in params["blocks"]:
        x = _ref_block(x, block, n_heads)
    return _ln(x, params["lnf_w"], params["lnf_b"]) @ params["tok_emb"].T


@wrong("ch14.baby_gpt_logits", "position embeddings are missing", helpers=[_ref_block])
def baby_gpt_logits(tokens, params, n_heads):  # noqa: F811
    """forgets the positions"""
    x = params["tok_emb"][tokens]
    for block in params["blocks"]:
        x = _ref_block(x, block, n_heads)
    return _ln(x, params["lnf_w"], params["lnf_b"]) @ params["w_head"]


@wrong("ch14.baby_gpt_logits", "depends on later positions", helpers=[_ref_block])
def baby_gpt_logits(tokens, params, n_heads):  # noqa: F811
    """adds the mean of every position's embedding (a peek at the future)"""
    x = params["tok_emb"][tokens] + params["pos_emb"][:tokens.shape[1]]
    x = x + 0.1 * x.mean(1, keepdim=True)
    for block in params["blocks"]:
        x = _ref_block(x, block, n_heads)
    return _ln(x, params["lnf_w"], params["lnf_b"]) @ params["w_head"]


@correct("ch14.baby_gpt_logits", helpers=[_ref_block])
def baby_gpt_logits(tokens, params, n_heads):  # noqa: F811
    """F.embedding for both tables"""
    T = tokens.shape[1]
    x = F.embedding(tokens, params["tok_emb"]) + \
        F.embedding(torch.arange(T, device=tokens.device), params["pos_emb"])
    for block in params["blocks"]:
        x = _ref_block(x, block, n_heads)
    x = F.layer_norm(x, x.shape[-1:], params["lnf_w"], params["lnf_b"], 1e-5)
    return torch.einsum("btc,cv->btv", x, params["w_head"])


# -- 4. lm_loss ----------------------------------------------------------------------------

@wrong("ch14.lm_loss", "not sum")
def lm_loss(logits, targets):
    """sums the per-position losses"""
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="sum")


@wrong("ch14.lm_loss", "inf or nan")
def lm_loss(logits, targets):  # noqa: F811
    """log of softmax written out: overflows at +-1000"""
    e = logits.exp()
    p = e / e.sum(-1, keepdim=True)
    return -p.gather(-1, targets[..., None]).log().mean()


@wrong("ch14.lm_loss", "do not shift them again")
def lm_loss(logits, targets):  # noqa: F811
    """shifts the targets a second time"""
    return F.cross_entropy(logits[:, :-1].flatten(0, 1), targets[:, 1:].flatten())


@correct("ch14.lm_loss")
def lm_loss(logits, targets):  # noqa: F811
    """log_softmax and gather"""
    return -logits.log_softmax(-1).gather(-1, targets[..., None]).mean()


@correct("ch14.lm_loss")
def lm_loss(logits, targets):  # noqa: F811
    """cross_entropy on (B, V, T)"""
    return F.cross_entropy(logits.transpose(1, 2), targets)


# -- 5. greedy_next_token ------------------------------------------------------------------

@wrong("ch14.greedy_next_token", "last position")
def greedy_next_token(logits):
    """the argmax at the first position"""
    return logits[:, 0].argmax(-1)


@wrong("ch14.greedy_next_token", "shape (b,)")
def greedy_next_token(logits):  # noqa: F811
    """keeps the token axis"""
    return logits[:, -1].argmax(-1, keepdim=True)


@wrong("ch14.greedy_next_token", "dtype")
def greedy_next_token(logits):  # noqa: F811
    """returns the indices as floats"""
    return logits[:, -1].argmax(-1).float()


@correct("ch14.greedy_next_token")
def greedy_next_token(logits):  # noqa: F811
    """max(...).indices"""
    return logits[:, -1, :].max(dim=-1).indices


# -- 6. sample_next_token ------------------------------------------------------------------

@wrong("ch14.sample_next_token", "not among the")
def sample_next_token(logits, temperature, top_k, generator):
    """ignores top_k"""
    p = (logits[:, -1] / temperature).softmax(-1)
    return torch.multinomial(p, 1, generator=generator).squeeze(-1)


@wrong("ch14.sample_next_token", "before the softmax")
def sample_next_token(logits, temperature, top_k, generator):  # noqa: F811
    """divides the probabilities by the temperature after the softmax"""
    last = logits[:, -1]
    kth = last.topk(top_k, -1).values[:, -1:]
    p = last.masked_fill(last < kth, NEG).softmax(-1) / temperature
    return torch.multinomial(p, 1, generator=generator).squeeze(-1)


@wrong("ch14.sample_next_token", "generator argument")
def sample_next_token(logits, temperature, top_k, generator):  # noqa: F811
    """draws from the global RNG"""
    last = logits[:, -1] / temperature
    kth = last.topk(top_k, -1).values[:, -1:]
    p = last.masked_fill(last < kth, NEG).softmax(-1)
    return torch.multinomial(p, 1).squeeze(-1)


@wrong("ch14.sample_next_token", "gave the same draws")
def sample_next_token(logits, temperature, top_k, generator):  # noqa: F811
    """always the argmax"""
    return logits[:, -1].argmax(-1)


@correct("ch14.sample_next_token")
def sample_next_token(logits, temperature, top_k, generator):  # noqa: F811
    """sample among the top-k indices, then map back"""
    vals, idx = (logits[:, -1] / temperature).topk(top_k, dim=-1)
    pick = torch.multinomial(vals.softmax(-1), 1, generator=generator)
    return idx.gather(-1, pick).squeeze(-1)


@correct("ch14.sample_next_token")
def sample_next_token(logits, temperature, top_k, generator):  # noqa: F811
    """top_k == 1 is certain: the argmax, with no draw"""
    last = logits[:, -1] / temperature
    if top_k == 1:
        return last.argmax(dim=-1)
    vals, idx = last.topk(top_k, dim=-1)
    pick = torch.multinomial(vals.softmax(-1), 1, generator=generator)
    return idx.gather(-1, pick).squeeze(-1)


# -- 7. generate ---------------------------------------------------------------------------

@wrong("ch14.generate", "not the first", helpers=[_ref_logits, _ref_block])
def generate(tokens, params, n_heads, n_new, block_size):
    """crops to the first block_size tokens"""
    for _ in range(n_new):
        logits = _ref_logits(tokens[:, :block_size], params, n_heads)
        tokens = torch.cat([tokens, logits[:, -1].argmax(-1, keepdim=True)], 1)
    return tokens


@wrong("ch14.generate", "raised", helpers=[_ref_logits, _ref_block])
def generate(tokens, params, n_heads, n_new, block_size):  # noqa: F811
    """never crops: positions past the table"""
    for _ in range(n_new):
        logits = _ref_logits(tokens, params, n_heads)
        tokens = torch.cat([tokens, logits[:, -1].argmax(-1, keepdim=True)], 1)
    return tokens


@wrong("ch14.generate", "expected shape", helpers=[_ref_logits, _ref_block])
def generate(tokens, params, n_heads, n_new, block_size):  # noqa: F811
    """returns only the new tokens"""
    new = []
    for _ in range(n_new):
        logits = _ref_logits(tokens[:, -block_size:], params, n_heads)
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        tokens = torch.cat([tokens, nxt], 1)
        new.append(nxt)
    return torch.cat(new, 1)


@correct("ch14.generate", helpers=[_ref_logits, _ref_block])
def generate(tokens, params, n_heads, n_new, block_size):  # noqa: F811
    """a preallocated output filled in place (a new tensor, not the prompt)"""
    B, T = tokens.shape
    out = torch.empty(B, T + n_new, dtype=tokens.dtype, device=tokens.device)
    out[:, :T] = tokens
    for i in range(n_new):
        ctx = out[:, max(0, T + i - block_size):T + i]
        out[:, T + i] = _ref_logits(ctx, params, n_heads)[:, -1].argmax(-1)
    return out


# -- 8. tied_logits ------------------------------------------------------------------------

@wrong("ch14.tied_logits", "table's transpose")
def tied_logits(h, tok_table):
    """multiplies by the table itself"""
    return h @ tok_table


@wrong("ch14.tied_logits", "expected")
def tied_logits(h, tok_table):  # noqa: F811
    """softmax of the logits"""
    return (h @ tok_table.T).softmax(-1)


@wrong("ch14.tied_logits", "dtype")
def tied_logits(h, tok_table):  # noqa: F811
    """casts to float32"""
    return (h @ tok_table.T).float()


@correct("ch14.tied_logits")
def tied_logits(h, tok_table):  # noqa: F811
    """F.linear: the table is already (out, in)"""
    return F.linear(h, tok_table)


# -- 9. count_gpt_parameters ---------------------------------------------------------------

@wrong("ch14.count_gpt_parameters", "do not count it again")
def count_gpt_parameters(V, T, C, n_layers):
    """counts the head separately"""
    return V * C + T * C + n_layers * (12 * C * C + 13 * C) + 2 * C + C * V


@wrong("ch14.count_gpt_parameters", "has a bias too")
def count_gpt_parameters(V, T, C, n_layers):  # noqa: F811
    """forgets the biases of the linear maps"""
    return V * C + T * C + n_layers * (12 * C * C + 4 * C) + 2 * C


@wrong("ch14.count_gpt_parameters", "final layer norm")
def count_gpt_parameters(V, T, C, n_layers):  # noqa: F811
    """forgets the final layer norm"""
    return V * C + T * C + n_layers * (12 * C * C + 13 * C)


@wrong("ch14.count_gpt_parameters", "expected the int")
def count_gpt_parameters(V, T, C, n_layers):  # noqa: F811
    """returns a tensor"""
    return torch.tensor(V * C + T * C + n_layers * (12 * C * C + 13 * C) + 2 * C)


@correct("ch14.count_gpt_parameters")
def count_gpt_parameters(V, T, C, n_layers):  # noqa: F811
    """counted from the shapes of a real parameter layout"""
    shapes = [(V, C), (T, C), (C,), (C,)]
    for _ in range(n_layers):
        shapes += [(C,), (C,), (C, 3 * C), (3 * C,), (C, C), (C,), (C,), (C,),
                   (C, 4 * C), (4 * C,), (4 * C, C), (C,)]
    return sum(math.prod(s) for s in shapes)
