"""ch13 - Attention.

From queries, keys and values to causal multi-head self-attention and a KV cache: the heart
of a GPT, one small step at a time.
"""
import math

import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch13.project_qkv", points=1, book="P91, P94, P104, seed", examples=[
    Example("project_qkv(torch.ones(1, 2, 3), torch.ones(3, 2), torch.zeros(2), "
            "2 * torch.ones(3, 2), torch.ones(2), torch.eye(3)[:, :2], torch.zeros(2))",
            expect=f"({T}([[[3., 3.], [3., 3.]]]), {T}([[[7., 7.], [7., 7.]]]), "
                   f"{T}([[[1., 1.], [1., 1.]]]))")],
          hints=("Three independent linear maps of the same tokens: one gives the queries, one "
                 "the keys, one the values.",
                 "x @ wq + bq and so on: `@` broadcasts over B, and a (H,) or a (T, H) bias both "
                 "broadcast onto (B, T, H).",
                 "q = x @ ___ + ___\n"
                 "k = ___\n"
                 "v = ___\n"
                 "return q, k, v"),
          stars=1, minutes=5)
def project_qkv(x: Tensor, wq: Tensor, bq: Tensor, wk: Tensor, bk: Tensor, wv: Tensor,
                bv: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """Project every token to a query, a key and a value.

    Args:
        x: (B, T, C) token vectors.
        wq, wk, wv: (C, H) projection weights (as in the book: x @ w).
        bq, bk, bv: (H,) biases, or (T, H) as in the book's examples.
    Returns:
        (q, k, v), each (B, T, H): q = x @ wq + bq, and so on.
    Example:
        >>> q, k, v = project_qkv(torch.ones(1, 2, 3), torch.ones(3, 2), torch.zeros(2), ...)
        >>> q
        tensor([[[3., 3.],
                 [3., 3.]]])
    """
    ### BEGIN SOLUTION
    q = x @ wq + bq  # (B, T, C) @ (C, H) -> (B, T, H)
    k = x @ wk + bk  # (B, T, H)
    v = x @ wv + bv  # (B, T, H)
    return q, k, v
    ### END SOLUTION


@exercise("ch13.attention_scores", points=1, book="P106", examples=[
    Example(f"attention_scores({T}([[[1., 0.], [0., 1.]]]), {T}([[[1., 2.], [3., 4.]]]))",
            expect=f"{T}([[[1., 3.], [2., 4.]]])")],
          hints=("Dot every query with every key of the same batch element: a batched matrix "
                 "product of q with k turned on its side.",
                 "q @ k.transpose(-2, -1) (or k.mT) swaps only the last two axes. Pitfall: k.T "
                 "on a 3-D tensor reverses all the axes.",
                 "return q @ k.___(___, ___)  # (B, T, T)"),
          stars=1, minutes=5)
def attention_scores(q: Tensor, k: Tensor) -> Tensor:
    """Raw attention scores: every query dotted with every key.

    Args:
        q: (B, T, H) queries.
        k: (B, T, H) keys.
    Returns:
        (B, T, T) with out[b, i, j] = q[b, i] . k[b, j] (q k^T over the last two dims).
    Example:
        >>> attention_scores(torch.tensor([[[1., 0.], [0., 1.]]]),
        ...                  torch.tensor([[[1., 2.], [3., 4.]]]))
        tensor([[[1., 3.],
                 [2., 4.]]])
    """
    ### BEGIN SOLUTION
    return q @ k.transpose(-2, -1)  # (B, T, H) @ (B, H, T) -> (B, T, T)
    ### END SOLUTION


@exercise("ch13.scaled_attention_scores", points=1, examples=[
    Example(f"scaled_attention_scores({T}([[[2., 0., 0., 0.]]]), {T}([[[3., 0., 0., 0.]]]))",
            expect=f"{T}([[[3.]]])")],
          hints=("The same scores as before, divided by the square root of the head size H (the "
                 "last dim of q), not of T.",
                 "q @ k.transpose(-2, -1) / math.sqrt(H) with H = q.shape[-1] (a Python float "
                 "keeps the dtype). Pitfall: dividing by H itself.",
                 "H = q.shape[___]\n"
                 "return q @ k.transpose(-2, -1) / ___"),
          stars=1, minutes=5)
def scaled_attention_scores(q: Tensor, k: Tensor) -> Tensor:
    """Attention scores divided by sqrt(H), so their spread does not grow with the head size.

    Args:
        q: (B, T, H) queries.
        k: (B, T, H) keys.
    Returns:
        (B, T, T) equal to q k^T / sqrt(H).
    Example:
        >>> scaled_attention_scores(torch.tensor([[[2., 0., 0., 0.]]]),
        ...                         torch.tensor([[[3., 0., 0., 0.]]]))
        tensor([[[3.]]])
    """
    ### BEGIN SOLUTION
    H = q.shape[-1]
    return q @ k.transpose(-2, -1) / math.sqrt(H)  # (B, T, T)
    ### END SOLUTION


@exercise("ch13.causal_mask", points=1, book="seed", examples=[
    Example("causal_mask(3)",
            expect=f"{T}([[True, False, False], [True, True, False], [True, True, True]])")],
          hints=("Row i may look at columns 0..i: the lower triangle of a T x T matrix, diagonal "
                 "included.",
                 "torch.tril of torch.ones(T, T, dtype=torch.bool), or compare "
                 "torch.arange(T)[:, None] with torch.arange(T)[None, :]. Pitfall: triu gives "
                 "the future instead.",
                 "return torch.ones(T, T, dtype=___).___()"),
          stars=1, minutes=5)
def causal_mask(T: int) -> Tensor:
    """Which positions each position may attend to: itself and the past.

    Args:
        T: sequence length.
    Returns:
        bool (T, T), True where attention is allowed (j <= i).
    Example:
        >>> causal_mask(3)
        tensor([[ True, False, False],
                [ True,  True, False],
                [ True,  True,  True]])
    """
    ### BEGIN SOLUTION
    return torch.ones(T, T, dtype=torch.bool).tril()  # (T, T)
    ### END SOLUTION


@exercise("ch13.apply_causal_mask", points=2, book="seed", causal=True, examples=[
    Example(f"apply_causal_mask({T}([[1., 2.], [3., 4.]]))",
            expect=f"{T}([[1., float('-inf')], [3., 4.]])"),
    # zero scores: the mask comes from positions, whatever the values
    Example("apply_causal_mask(torch.zeros(3, 3))",
            expect=f"{T}([[0., float('-inf'), float('-inf')], [0., 0., float('-inf')], "
                   "[0., 0., 0.]])")],
          hints=("Build a (T, T) mask of the future (key j later than query i) from positions "
                 "alone and write -inf there; it broadcasts over any leading axes.",
                 "torch.ones(T, T, dtype=torch.bool, device=scores.device).triu(1) marks j > i "
                 "(diagonal 1 keeps i itself); scores.masked_fill(future, float('-inf')) returns "
                 "a new tensor. Pitfall: triu() without the 1 hides the diagonal; masked_fill_ "
                 "changes the input.",
                 "T = scores.shape[-1]\n"
                 "future = torch.ones(T, T, dtype=torch.bool, device=___).triu(___)\n"
                 "return scores.masked_fill(___, float('-inf'))"),
          stars=2, minutes=10)
def apply_causal_mask(scores: Tensor) -> Tensor:
    """Hide the future: -inf wherever a query would look at a later key.

    Args:
        scores: (..., T, T) attention scores, query i in row i, key j in column j.
    Returns:
        (..., T, T): -inf where j > i, every other entry unchanged. The mask must depend
        on positions only, never on the score values.
    Example:
        >>> apply_causal_mask(torch.tensor([[1., 2.], [3., 4.]]))
        tensor([[1., -inf],
                [3., 4.]])
    """
    ### BEGIN SOLUTION
    T = scores.shape[-1]
    future = torch.ones(T, T, dtype=torch.bool, device=scores.device).triu(1)  # (T, T)
    return scores.masked_fill(future, float("-inf"))  # (..., T, T)
    ### END SOLUTION


@exercise("ch13.masked_softmax", points=2, book="P98", examples=[
    Example(f"masked_softmax({T}([[0., 0., 5.], [1., 2., 3.]]), "
            f"{T}([[True, True, False], [False, False, False]]))",
            expect=f"{T}([[0.5, 0.5, 0.], [0., 0., 0.]])"),
    # large scores: e^1000 overflows, the softmax must not
    Example(f"masked_softmax({T}([[1000., 0., -1000.]]), {T}([[True, True, True]]))",
            expect=f"{T}([[1., 0., 0.]])")],
          hints=("Give the forbidden positions a score of -inf, so a softmax gives them exactly "
                 "0; a row where nothing is allowed must become zeros instead of 0 / 0 = NaN.",
                 "scores.masked_fill(~allowed, float('-inf')), torch.softmax(..., dim=-1), then "
                 "torch.where(allowed.any(dim=-1, keepdim=True), w, 0.0) zeroes the empty rows. "
                 "Pitfall: multiplying a plain softmax by the mask leaves rows that no longer "
                 "sum to 1.",
                 "s = scores.masked_fill(___, float('-inf'))\n"
                 "w = torch.softmax(s, dim=___)\n"
                 "return torch.where(allowed.any(dim=-1, keepdim=True), ___, 0.0)"),
          stars=2, minutes=15)
def masked_softmax(scores: Tensor, allowed: Tensor) -> Tensor:
    """Softmax over the last dim that only spreads weight over allowed positions.

    Args:
        scores: (..., T) scores.
        allowed: bool, same shape as scores (or broadcastable to it); True = may attend.
    Returns:
        (..., T) weights: 0 where not allowed, each row summing to 1 over its allowed
        positions; a row with nothing allowed is all zeros, never NaN.
    Example:
        >>> masked_softmax(torch.tensor([[0., 0., 5.], [1., 2., 3.]]),
        ...                torch.tensor([[True, True, False], [False, False, False]]))
        tensor([[0.5000, 0.5000, 0.0000],
                [0.0000, 0.0000, 0.0000]])
    """
    ### BEGIN SOLUTION
    s = scores.masked_fill(~allowed, float("-inf"))  # (..., T)
    top = s.amax(dim=-1, keepdim=True)  # (..., 1)
    top = torch.where(top.isfinite(), top, torch.zeros_like(top))  # empty rows: no shift
    e = torch.exp(s - top)  # (..., T), exactly 0 where not allowed
    total = e.sum(dim=-1, keepdim=True)  # (..., 1)
    return torch.where(total > 0, e / total.clamp_min(torch.finfo(e.dtype).tiny), 0.0)
    ### END SOLUTION


@exercise("ch13.attention_output", points=1, book="P107", examples=[
    Example(f"attention_output({T}([[[1., 0.], [0.5, 0.5]]]), {T}([[[2., 4.], [4., 0.]]]))",
            expect=f"{T}([[[2., 4.], [3., 2.]]])")],
          hints=("Each output row is the average of the value rows, weighted by that query's "
                 "attention weights: one batched matrix product.",
                 "weights @ v: (B, T, T) @ (B, T, H) -> (B, T, H). Pitfall: transposing the "
                 "weights mixes queries and keys up.",
                 "return ___ @ ___  # (B, T, H)"),
          stars=1, minutes=3)
def attention_output(weights: Tensor, v: Tensor) -> Tensor:
    """Mix the values with the attention weights.

    Args:
        weights: (B, T, T) attention weights, rows summing to 1.
        v: (B, T, H) values.
    Returns:
        (B, T, H) = weights @ v: row i is the weighted average of the values.
    Example:
        >>> attention_output(torch.tensor([[[1., 0.], [0.5, 0.5]]]),
        ...                  torch.tensor([[[2., 4.], [4., 0.]]]))
        tensor([[[2., 4.],
                 [3., 2.]]])
    """
    ### BEGIN SOLUTION
    return weights @ v  # (B, T, T) @ (B, T, H) -> (B, T, H)
    ### END SOLUTION


@exercise("ch13.causal_self_attention", points=3, book="seed", causal=True, vec=True,
          grad=True, ban=("scaled_dot_product_attention", "_scaled_dot_product*"), examples=[
              Example("causal_self_attention(torch.tensor([[[2., 0.], [0., 4.]]]), "
                      "torch.zeros(2, 2), torch.zeros(2), torch.zeros(2, 2), torch.zeros(2), "
                      "torch.eye(2), torch.zeros(2))",
                      expect=f"{T}([[[2., 0.], [1., 2.]]])"),
              # C = 2, H = 4: query 1 scores keys 0 and 1 as [4, 0] / sqrt(4) = [2, 0], so
              # its weights are [e^2, 1] / (e^2 + 1) = [0.8807971, 0.1192029]
              Example(f"causal_self_attention({T}([[[1., 0.], [0., 1.]]]), "
                      f"{T}([[0., 0., 0., 0.], [1., 1., 1., 1.]]), torch.zeros(4), "
                      f"{T}([[1., 1., 1., 1.], [0., 0., 0., 0.]]), torch.zeros(4), "
                      "torch.eye(2, 4), torch.zeros(4))",
                      expect=f"{T}([[[1., 0., 0., 0.], [0.8807971, 0.1192029, 0., 0.]]])"),
              # the same with q and k 20 times larger: scores [800, 0], all weight on key 0
              Example(f"causal_self_attention({T}([[[1., 0.], [0., 1.]]]), "
                      f"{T}([[0., 0., 0., 0.], [20., 20., 20., 20.]]), torch.zeros(4), "
                      f"{T}([[20., 20., 20., 20.], [0., 0., 0., 0.]]), torch.zeros(4), "
                      "torch.eye(2, 4), torch.zeros(4))",
                      expect=f"{T}([[[1., 0., 0., 0.], [1., 0., 0., 0.]]])")],
          hints=("Chain the earlier steps: project to q, k, v; scores q k^T scaled by 1/sqrt(H); "
                 "-inf on the future; softmax over the keys; then mix the values.",
                 "x @ w + b three times; q @ k.transpose(-2, -1) / math.sqrt(H); "
                 "masked_fill(future, float('-inf')) with future = torch.ones(T, T, "
                 "dtype=torch.bool).triu(1) BEFORE torch.softmax(..., dim=-1); then @ v. "
                 "Pitfall: masking after the softmax, or dim=-2.",
                 "B, T, C = x.shape\n"
                 "q, k, v = x @ wq + bq, ___, ___\n"
                 "att = q @ k.transpose(-2, -1) / math.sqrt(___)\n"
                 "future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(___)\n"
                 "att = torch.softmax(att.masked_fill(___, float('-inf')), dim=___)\n"
                 "return ___"),
          stars=3, minutes=25)
def causal_self_attention(x: Tensor, wq: Tensor, bq: Tensor, wk: Tensor, bk: Tensor,
                          wv: Tensor, bv: Tensor) -> Tensor:
    """One head of scaled, causal self-attention.

    q, k, v = x @ w + b; weights = softmax(q k^T / sqrt(H)) with the future masked out;
    out = weights @ v.

    Args:
        x: (B, T, C) token vectors.
        wq, wk, wv: (C, H) projections; bq, bk, bv: (H,) biases.
    Returns:
        (B, T, H); out[:, t] depends only on x[:, :t+1].
    Example:
        With zero queries every allowed position gets the same weight, so position 1
        averages the values of positions 0 and 1:
        >>> causal_self_attention(torch.tensor([[[2., 0.], [0., 4.]]]), torch.zeros(2, 2),
        ...     torch.zeros(2), torch.zeros(2, 2), torch.zeros(2), torch.eye(2), torch.zeros(2))
        tensor([[[2., 0.],
                 [1., 2.]]])
    """
    ### BEGIN SOLUTION
    B, T, C = x.shape
    q = x @ wq + bq  # (B, T, H)
    k = x @ wk + bk  # (B, T, H)
    v = x @ wv + bv  # (B, T, H)
    att = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, T, T)
    future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)  # (T, T)
    att = att.masked_fill(future, float("-inf")).softmax(dim=-1)  # (B, T, T)
    return att @ v  # (B, T, H)
    ### END SOLUTION


@exercise("ch13.multi_head_attention", points=3, book="P108, seed", causal=True, vec=True,
          grad=True, ban=("scaled_dot_product_attention", "_scaled_dot_product*",
                          "multi_head_attention_forward"), examples=[
              Example("multi_head_attention(torch.ones(2, 5, 8), torch.zeros(8, 24), "
                      "torch.zeros(24), torch.zeros(8, 8), torch.zeros(8), 2).shape",
                      expect="torch.Size([2, 5, 8])"),
              Example("multi_head_attention(torch.tensor([[[2., 0.], [0., 4.]]]), "
                      "torch.cat([torch.zeros(2, 4), torch.eye(2)], 1), torch.zeros(6), "
                      "torch.eye(2), torch.zeros(2), 2)",
                      expect=f"{T}([[[2., 0.], [1., 2.]]])"),
              # C = 4, 2 heads of H = 2: in head 0 query 1 scores keys 0 and 1 as
              # [2, 0] / sqrt(2), weights [0.8044297, 0.1955703]; head 1 is all zeros; b_o adds 1
              Example(f"multi_head_attention({T}([[[1., 0., 0., 0.], [0., 1., 0., 0.]]]), "
                      f"torch.cat([{T}([[0., 0., 0., 0.], [1., 1., 0., 0.], "
                      "[0., 0., 0., 0.], [0., 0., 0., 0.]]), "
                      f"{T}([[1., 1., 0., 0.], [0., 0., 0., 0.], "
                      "[0., 0., 0., 0.], [0., 0., 0., 0.]]), "
                      "torch.eye(4)], 1), torch.zeros(12), torch.eye(4), torch.ones(4), 2)",
                      expect=f"{T}([[[2., 1., 1., 1.], [1.8044297, 1.1955703, 1., 1.]]])"),
              # the same with q and k 30 times larger: scores of about 1000, all weight on key 0
              Example(f"multi_head_attention({T}([[[1., 0., 0., 0.], [0., 1., 0., 0.]]]), "
                      f"torch.cat([30 * {T}([[0., 0., 0., 0.], [1., 1., 0., 0.], "
                      "[0., 0., 0., 0.], [0., 0., 0., 0.]]), "
                      f"30 * {T}([[1., 1., 0., 0.], [0., 0., 0., 0.], "
                      "[0., 0., 0., 0.], [0., 0., 0., 0.]]), "
                      "torch.eye(4)], 1), torch.zeros(12), torch.eye(4), torch.ones(4), 2)",
                      expect=f"{T}([[[2., 1., 1., 1.], [2., 1., 1., 1.]]])")],
          hints=("One projection gives q, k and v side by side; give the heads an axis of their "
                 "own, run causal scaled attention on all heads at once, put the heads back side "
                 "by side, project.",
                 "(x @ w_qkv + b_qkv).split(C, dim=-1); .view(B, T, nh, H).transpose(1, 2) -> "
                 "(B, nh, T, H); scale by sqrt(H), not sqrt(C); after att @ v, .transpose(1, "
                 "2).reshape(B, T, C) merges the heads in order. Pitfall: .view(B, nh, T, H) "
                 "without the transpose.",
                 "B, T, C = x.shape\n"
                 "H = ___\n"
                 "q, k, v = (x @ w_qkv + b_qkv).split(___, dim=-1)\n"
                 "q, k, v = (t.view(B, T, n_heads, H).transpose(___, ___) for t in (q, k, v))\n"
                 "att = q @ k.transpose(-2, -1) / math.sqrt(___)\n"
                 "att = torch.softmax(att.masked_fill(___, float('-inf')), dim=-1)\n"
                 "y = (att @ v).transpose(1, 2).reshape(___)\n"
                 "return ___"),
          stars=3, minutes=40)
def multi_head_attention(x: Tensor, w_qkv: Tensor, b_qkv: Tensor, w_o: Tensor, b_o: Tensor,
                         n_heads: int) -> Tensor:
    """Causal multi-head self-attention in the nanoGPT layout.

    Args:
        x: (B, T, C) token vectors; C is a multiple of n_heads, H = C // n_heads.
        w_qkv: (C, 3C) packs the q, k and v projections in that order; b_qkv: (3C,).
        w_o: (C, C) output projection; b_o: (C,).
        n_heads: number of heads nh; head h owns channels h*H .. (h+1)*H - 1 of q, k, v.
    Returns:
        (B, T, C): each head does scaled causal attention, heads are concatenated in
        order, then projected by w_o, b_o.
    Example:
        >>> multi_head_attention(torch.ones(2, 5, 8), torch.zeros(8, 24), torch.zeros(24),
        ...                      torch.zeros(8, 8), torch.zeros(8), 2).shape
        torch.Size([2, 5, 8])
    """
    ### BEGIN SOLUTION
    B, T, C = x.shape
    H = C // n_heads
    q, k, v = (x @ w_qkv + b_qkv).split(C, dim=-1)  # 3 x (B, T, C)
    q = q.view(B, T, n_heads, H).transpose(1, 2)  # (B, nh, T, H)
    k = k.view(B, T, n_heads, H).transpose(1, 2)  # (B, nh, T, H)
    v = v.view(B, T, n_heads, H).transpose(1, 2)  # (B, nh, T, H)
    att = q @ k.transpose(-2, -1) / math.sqrt(H)  # (B, nh, T, T)
    future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)  # (T, T)
    att = att.masked_fill(future, float("-inf")).softmax(dim=-1)  # (B, nh, T, T)
    y = (att @ v).transpose(1, 2).reshape(B, T, C)  # (B, nh, T, H) -> (B, T, C)
    return y @ w_o + b_o  # (B, T, C)
    ### END SOLUTION


@exercise("ch13.padded_causal_attention", points=2, causal=True, examples=[
    Example(f"padded_causal_attention({T}([[[0.], [0.], [0.]]]), {T}([[[0.], [0.], [0.]]]), "
            f"{T}([[[1.], [3.], [8.]]]), {T}([[True, False, False]]))",
            expect=f"{T}([[[0.], [3.], [5.5]]])"),
    # H = 4: query 1 scores keys 0 and 1 as [4, 0] / sqrt(4) = [2, 0]: weights [e^2, 1] / (e^2 + 1)
    Example(f"padded_causal_attention(torch.ones(1, 2, 4), {T}([[[1., 1., 1., 1.], "
            f"[0., 0., 0., 0.]]]), torch.eye(2, 4)[None], {T}([[False, False]]))",
            expect=f"{T}([[[1., 0., 0., 0.], [0.8807971, 0.1192029, 0., 0.]]])"),
    # the same with q 300 times larger: scores [600, 0], all weight on key 0
    Example(f"padded_causal_attention(300 * torch.ones(1, 2, 4), {T}([[[1., 1., 1., 1.], "
            f"[0., 0., 0., 0.]]]), torch.eye(2, 4)[None], {T}([[False, False]]))",
            expect=f"{T}([[[1., 0., 0., 0.], [1., 0., 0., 0.]]])")],
          hints=("A key is allowed for query i when it is not later than i AND not padding: "
                 "combine both masks into one (B, T, T) mask, then softmax with empty rows "
                 "turned into zeros.",
                 "allowed = causal & ~key_padding[:, None, :] (padding is per KEY: it broadcasts "
                 "over the query axis); masked_fill with float('-inf'), torch.softmax(dim=-1), "
                 "then torch.where(... .any(dim=-1, keepdim=True), w, 0.0) as in masked_softmax. "
                 "Pitfall: [:, :, None].",
                 "T = q.shape[-2]\n"
                 "att = q @ k.transpose(-2, -1) / math.sqrt(___)\n"
                 "causal = torch.ones(T, T, dtype=torch.bool, device=q.device).___()\n"
                 "allowed = causal & ~key_padding[___]  # (B, T, T)\n"
                 "w = torch.softmax(att.masked_fill(~allowed, float('-inf')), dim=-1)\n"
                 "return torch.where(___, w, 0.0) @ v"),
          stars=3, minutes=25)
def padded_causal_attention(q: Tensor, k: Tensor, v: Tensor, key_padding: Tensor) -> Tensor:
    """Scaled causal attention that also ignores padded keys.

    Args:
        q, k, v: (B, T, H).
        key_padding: bool (B, T), True where the key is padding and must get no weight.
    Returns:
        (B, T, H): softmax(q k^T / sqrt(H)) over keys j <= i that are not padding, times v;
        a query with no allowed key gets zeros.
    Example:
        Key 0 is padding, so query 0 sees nothing and query 2 averages keys 1 and 2:
        >>> padded_causal_attention(torch.tensor([[[0.], [0.], [0.]]]), ...)
        tensor([[[0.0000], [3.0000], [5.5000]]])
    """
    ### BEGIN SOLUTION
    T = q.shape[-2]
    att = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, T, T)
    causal = torch.ones(T, T, dtype=torch.bool, device=q.device).tril()  # (T, T)
    allowed = causal & ~key_padding[:, None, :]  # (B, T, T)
    att = att.masked_fill(~allowed, float("-inf"))  # (B, T, T)
    top = att.amax(dim=-1, keepdim=True)  # (B, T, 1)
    e = torch.exp(att - torch.where(top.isfinite(), top, torch.zeros_like(top)))  # (B, T, T)
    total = e.sum(dim=-1, keepdim=True)  # (B, T, 1)
    w = torch.where(total > 0, e / total.clamp_min(torch.finfo(e.dtype).tiny), 0.0)
    return w @ v  # (B, T, H)
    ### END SOLUTION


@exercise("ch13.attention_with_kv_cache", points=2, examples=[
    Example("attention_with_kv_cache(torch.zeros(1, 1, 2), torch.zeros(1, 1, 2), "
            f"{T}([[[4., 0.]]]), {T}([[[1., 1.]]]), {T}([[[2., 2.]]]))[0]",
            expect=f"{T}([[[3., 1.]]])"),
    # H = 4: the cached key scores 4 / sqrt(4) = 2, the new one 0; the new k, v go LAST
    Example(f"attention_with_kv_cache(torch.ones(1, 1, 4), torch.zeros(1, 1, 4), "
            f"{T}([[[0., 1., 0., 0.]]]), torch.ones(1, 1, 4), {T}([[[1., 0., 0., 0.]]]))",
            expect=f"({T}([[[0.8807971, 0.1192029, 0., 0.]]]), "
                   f"{T}([[[1., 1., 1., 1.], [0., 0., 0., 0.]]]), "
                   f"{T}([[[1., 0., 0., 0.], [0., 1., 0., 0.]]]))")],
          hints=("Grow both caches by this step, then let the new query attend to every cached "
                 "key (all are past or present, so no mask is needed) and mix the cached values.",
                 "torch.cat([k_cache, k_t], dim=1) along time (works for S = 0); q_t @ "
                 "k_cache.transpose(-2, -1) / math.sqrt(H) is (B, 1, S+1); "
                 "torch.softmax(dim=-1), @ v_cache. Return the NEW caches. Pitfall: k_t before "
                 "the old cache, or cat on dim -1.",
                 "k_cache = torch.cat([___, ___], dim=___)\n"
                 "v_cache = ___\n"
                 "att = q_t @ k_cache.transpose(-2, -1) / math.sqrt(___)  # (B, 1, S+1)\n"
                 "return torch.softmax(att, dim=-1) @ ___, k_cache, v_cache"),
          stars=3, minutes=25)
def attention_with_kv_cache(q_t: Tensor, k_t: Tensor, v_t: Tensor, k_cache: Tensor,
                            v_cache: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    """One decoding step with a key/value cache.

    Append this step's key and value to the caches, then let this step's query attend to
    everything cached (the past and itself), scaled by 1/sqrt(H).

    Args:
        q_t, k_t, v_t: (B, 1, H) for the newest position.
        k_cache, v_cache: (B, S, H) keys and values of the S earlier positions (S may be 0).
    Returns:
        (out (B, 1, H), new k_cache (B, S+1, H), new v_cache (B, S+1, H)). Run step by step
        from empty caches, the outputs equal full causal attention over the sequence.
    Example:
        >>> out, k, v = attention_with_kv_cache(torch.zeros(1, 1, 2), torch.zeros(1, 1, 2),
        ...     torch.tensor([[[4., 0.]]]), torch.tensor([[[1., 1.]]]), torch.tensor([[[2., 2.]]]))
        >>> out
        tensor([[[3., 1.]]])
    """
    ### BEGIN SOLUTION
    k_cache = torch.cat([k_cache, k_t], dim=1)  # (B, S+1, H)
    v_cache = torch.cat([v_cache, v_t], dim=1)  # (B, S+1, H)
    att = q_t @ k_cache.transpose(-2, -1) / math.sqrt(q_t.shape[-1])  # (B, 1, S+1)
    out = att.softmax(dim=-1) @ v_cache  # (B, 1, H)
    return out, k_cache, v_cache
    ### END SOLUTION


@exercise("ch13.attention_entropy", points=1, examples=[
    Example(f"attention_entropy({T}([[0.5, 0.5], [1., 0.]]))", expect=f"{T}([0.6931472, 0.])")],
          hints=("Sum -w ln w over each row; entries with w = 0 add 0, but ln 0 = -inf and 0 * "
                 "-inf = NaN, so they need special care.",
                 "torch.where(weights > 0, weights.log(), 0.0) (or torch.special.xlogy(weights, "
                 "weights), which takes 0 ln 0 = 0), then -(...).sum(dim=-1).",
                 "logw = torch.where(weights > 0, ___, 0.0)\n"
                 "return -(___ * logw).sum(dim=___)"),
          stars=2, minutes=10)
def attention_entropy(weights: Tensor) -> Tensor:
    """How spread out each row of attention is: its entropy in nats.

    Args:
        weights: (..., T) rows of attention weights (non-negative, summing to 1).
    Returns:
        (...,) with out = -sum_j w_j ln w_j, taking 0 ln 0 = 0 (so a one-hot row gives 0).
    Example:
        >>> attention_entropy(torch.tensor([[0.5, 0.5], [1., 0.]]))
        tensor([0.6931, 0.0000])
    """
    ### BEGIN SOLUTION
    logw = torch.where(weights > 0, weights.log(), 0.0)  # (..., T), 0 where w == 0
    return -(weights * logw).sum(dim=-1)  # (...,)
    ### END SOLUTION
