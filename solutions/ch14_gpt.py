"""ch14 - A baby GPT.

The pieces of a GPT as plain tensor code: the feed-forward layer, a pre-LN transformer
block, the whole network from token ids to logits, its loss, and the decoding loop that turns
it into a text generator. Parameter names: see "GPT parameters" in the course design.
"""
import math

import torch
import torch.nn.functional as F
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"
# the parameters of one block of width C = 4 (F = 16) with every weight 0 and LN weights 1
ZERO_BLOCK = ("{n: (torch.ones if n.startswith('ln') and n.endswith('_w') else torch.zeros)(s) "
              "for n, s in [('ln1_w', (4,)), ('ln1_b', (4,)), ('w_qkv', (4, 12)), "
              "('b_qkv', (12,)), ('w_o', (4, 4)), ('b_o', (4,)), ('ln2_w', (4,)), "
              "('ln2_b', (4,)), ('w1', (4, 16)), ('b1', (16,)), ('w2', (16, 4)), ('b2', (4,))]}")


@exercise("ch14.feed_forward", points=1, book="seed baby transformer", examples=[
    Example(f"feed_forward({T}([[[1., -1.]]]), {T}([[1., 0.], [0., 1.]]), {T}([0., 0.]), "
            f"{T}([[2.], [3.]]), {T}([0.5]))", expect=f"{T}([[[2.5]]])"),
    Example(f"feed_forward({T}([[[1., -1.]]]), torch.eye(2), torch.zeros(2), "
            f"{T}([[-1.], [1.]]), torch.zeros(1))", expect=f"{T}([[[-1.]]])")],
          hints=("Two linear maps with a ReLU between them, applied to every position on its own.",
                 "x @ w1 + b1, torch.relu, then @ w2 + b2; `@` broadcasts over B and T. Pitfall: "
                 "no ReLU after the second map.",
                 "h = torch.relu(___)  # (B, T, F)\n"
                 "return ___  # (B, T, C)"),
          stars=1, minutes=5)
def feed_forward(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> Tensor:
    """A position-wise feed-forward layer: linear, ReLU, linear.

    Args:
        x: (B, T, C) inputs.
        w1: (C, F), b1: (F,) the first linear map.
        w2: (F, C), b2: (C,) the second linear map.
    Returns:
        (B, T, C): relu(x @ w1 + b1) @ w2 + b2 (no ReLU after the second map).
    Example:
        >>> feed_forward(torch.tensor([[[1., -1.]]]), torch.eye(2), torch.zeros(2),
        ...              torch.tensor([[2.], [3.]]), torch.tensor([0.5]))
        tensor([[[2.5000]]])
    """
    ### BEGIN SOLUTION
    h = torch.relu(x @ w1 + b1)  # (B, T, F)
    return h @ w2 + b2  # (B, T, C)
    ### END SOLUTION


@exercise("ch14.gpt_block", points=3, causal=True, grad=True, examples=[
    Example(f"gpt_block({T}([[[1., 2., 3., 4.], [0., 1., 0., 1.]]]), {ZERO_BLOCK}, 2)",
            expect=f"{T}([[[1., 2., 3., 4.], [0., 1., 0., 1.]]])"),
    # q = k = 30 x (scores of about +-1000) but v = 0: the attention branch still adds 0
    Example(f"gpt_block({T}([[[1., 2., 3., 4.], [0., 1., 0., 1.]]]), dict({ZERO_BLOCK}, "
            "w_qkv=torch.cat([30 * torch.eye(4), 30 * torch.eye(4), torch.zeros(4, 4)], 1)"
            "), 2)", expect=f"{T}([[[1., 2., 3., 4.], [0., 1., 0., 1.]]])"),
    # only the feed-forward branch is on: every entry gets GELU(-1) = -0.158808 (tanh form)
    Example(f"gpt_block(torch.zeros(1, 2, 4), dict({ZERO_BLOCK}, b1=-torch.ones(16), "
            "w2=torch.ones(16, 4) / 16), 2)", expect="torch.full((1, 2, 4), -0.158808)")],
          hints=("Two residual branches, each reading a layer-normed copy of x: first causal "
                 "multi-head attention (as in ch13), then the feed-forward net with GELU; each "
                 "branch is ADDED to x.",
                 "F.layer_norm(x, (C,), params['ln1_w'], params['ln1_b'], eps=1e-5); the steps "
                 "of ch13's multi_head_attention with w_qkv, b_qkv, w_o, b_o (a helper function "
                 "is fine); F.gelu(..., approximate='tanh'). Pitfall: x = ln1(x) + ... (the "
                 "residual must carry the raw x), or the exact GELU.",
                 "C = x.shape[-1]\n"
                 "h = F.layer_norm(x, (C,), params['ln1_w'], params['ln1_b'], eps=___)\n"
                 "x = x + ___  # causal multi-head attention of h, then w_o, b_o\n"
                 "h = F.layer_norm(x, (C,), ___, ___, eps=1e-5)\n"
                 "h = F.gelu(h @ params['w1'] + params['b1'], approximate=___)\n"
                 "return x + ___"),
          stars=3, minutes=40)
def gpt_block(x: Tensor, params: dict, n_heads: int) -> Tensor:
    """One pre-LN transformer block, as in GPT-2 and nanoGPT.

    x = x + mha(ln1(x)), then x = x + ffn(ln2(x)), where
    - ln1, ln2 are layer norms over the last dim (biased variance, eps 1e-5 inside the square
      root) with weights params["ln1_w"], ["ln1_b"] and ["ln2_w"], ["ln2_b"];
    - mha is causal multi-head self-attention: params["w_qkv"] (C, 3C) and ["b_qkv"] (3C,)
      pack q, k, v in that order; head h owns channels h*H .. (h+1)*H - 1 (H = C // n_heads);
      scores scaled by 1/sqrt(H); heads concatenated, then params["w_o"] (C, C), ["b_o"];
    - ffn is linear, GELU (the tanh approximation), linear: params["w1"] (C, F), ["b1"] (F,),
      ["w2"] (F, C), ["b2"] (C,).
    Causal (position t sees only positions <= t), differentiable, and stable for attention
    scores of +-1000.

    Args:
        x: (B, T, C) inputs.
        params: the block's parameters, by the names above.
        n_heads: the number of heads.
    Returns:
        (B, T, C).
    Example:
        >>> # with every weight 0 (LN weights 1) both branches add 0: the block is the identity
    """
    ### BEGIN SOLUTION
    B, T, C = x.shape
    H = C // n_heads
    h = F.layer_norm(x, (C,), params["ln1_w"], params["ln1_b"], eps=1e-5)  # (B, T, C)
    q, k, v = (h @ params["w_qkv"] + params["b_qkv"]).split(C, dim=-1)  # 3 x (B, T, C)
    q = q.view(B, T, n_heads, H).transpose(1, 2)  # (B, nh, T, H)
    k = k.view(B, T, n_heads, H).transpose(1, 2)  # (B, nh, T, H)
    v = v.view(B, T, n_heads, H).transpose(1, 2)  # (B, nh, T, H)
    att = q @ k.transpose(-2, -1) / math.sqrt(H)  # (B, nh, T, T)
    future = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)  # (T, T)
    att = att.masked_fill(future, float("-inf")).softmax(dim=-1)  # (B, nh, T, T)
    y = (att @ v).transpose(1, 2).reshape(B, T, C)  # (B, T, C)
    x = x + y @ params["w_o"] + params["b_o"]  # (B, T, C)
    h = F.layer_norm(x, (C,), params["ln2_w"], params["ln2_b"], eps=1e-5)  # (B, T, C)
    h = F.gelu(h @ params["w1"] + params["b1"], approximate="tanh")  # (B, T, F)
    return x + h @ params["w2"] + params["b2"]  # (B, T, C)
    ### END SOLUTION


@exercise("ch14.baby_gpt_logits", points=3, book="seed", causal=True, examples=[
    Example(f"baby_gpt_logits({T}([[0, 2, 1]]), {{'tok_emb': torch.eye(3, 4), "
            f"'pos_emb': torch.zeros(5, 4), 'blocks': [], 'lnf_w': torch.ones(4), "
            f"'lnf_b': torch.zeros(4), 'w_head': torch.ones(4, 3)}}, 2).shape",
            expect="torch.Size([1, 3, 3])"),
    # C = 2: the final layer norm turns [a, b] into [1, -1] (a > b) or [-1, 1] (a < b)
    Example(f"baby_gpt_logits({T}([[0, 0, 1]]), {{'tok_emb': {T}([[4., 0.], [0., 4.], "
            f"[0., 0.]]), 'pos_emb': {T}([[0., 8.], [8., 0.], [0., 0.], [0., 0.]]), "
            f"'blocks': [], 'lnf_w': torch.ones(2), 'lnf_b': torch.zeros(2), "
            f"'w_head': {T}([[1., 0., 2.], [0., 1., 0.]])}}, 1)",
            expect=f"{T}([[[-1., 1., -2.], [1., -1., 2.], [-1., 1., -2.]]])")],
          hints=("Embed the tokens (token rows plus the rows of positions 0..T-1), run the "
                 "blocks one after the other, apply the final layer norm and project every "
                 "position onto the vocabulary.",
                 "params['tok_emb'][tokens] + params['pos_emb'][:T]; a loop over "
                 "params['blocks'] calling gpt_block(x, block, n_heads) (the list may be empty); "
                 "F.layer_norm with lnf_w, lnf_b, eps=1e-5; @ params['w_head']. Pitfall: "
                 "forgetting the final layer norm.",
                 "x = params['tok_emb'][___] + params['pos_emb'][:___]  # (B, T, C)\n"
                 "for block in params['blocks']:\n"
                 "    x = ___\n"
                 "x = F.layer_norm(x, (x.shape[-1],), ___, ___, eps=1e-5)\n"
                 "return x @ ___"),
          stars=3, minutes=20)
def baby_gpt_logits(tokens: Tensor, params: dict, n_heads: int) -> Tensor:
    """The logits of a baby GPT.

    Token embeddings params["tok_emb"] (V, C) looked up by id, plus the learned position
    embeddings params["pos_emb"] (T_max, C) of positions 0..T-1; then every block of
    params["blocks"] in order (each a dict for gpt_block: you may call your gpt_block); then the
    final layer norm params["lnf_w"], ["lnf_b"] (eps 1e-5); then the projection
    params["w_head"] (C, V).

    Args:
        tokens: (B, T) int64 ids, T <= T_max.
        params: the parameters by the names above.
        n_heads: the number of heads of every block.
    Returns:
        (B, T, V) logits; causal: the logits at position t depend only on tokens[:, :t+1].
    Example:
        >>> # no blocks, one-hot embeddings: logits of shape (1, 3, 3)
    """
    ### BEGIN SOLUTION
    B, T = tokens.shape
    x = params["tok_emb"][tokens] + params["pos_emb"][:T]  # (B, T, C) + (T, C)
    for block in params["blocks"]:
        x = gpt_block(x, block, n_heads)  # (B, T, C)
    x = F.layer_norm(x, (x.shape[-1],), params["lnf_w"], params["lnf_b"], eps=1e-5)
    return x @ params["w_head"]  # (B, T, V)
    ### END SOLUTION


@exercise("ch14.lm_loss", points=1, book="seed", examples=[
    Example(f"lm_loss(torch.zeros(1, 2, 4), {T}([[1, 3]]))", expect=f"{T}(1.3862944)"),
    # position 0 costs ln 2, position 1 (logit 100 on its target) about 0: the mean is ln 2 / 2
    Example(f"lm_loss({T}([[[0., 0.], [100., 0.]]]), {T}([[1, 0]]))",
            expect=f"{T}(0.3465736)")],
          hints=("Every position is an ordinary classification over V tokens: flatten batch and "
                 "time into B*T examples and take the mean cross-entropy.",
                 "logits.reshape(B * T, V), targets.reshape(B * T), then F.cross_entropy "
                 "(stable, mean by default). Pitfall: on (B, T, V) directly it reads dim 1 (T) "
                 "as the classes.",
                 "B, T, V = logits.shape\n"
                 "return F.cross_entropy(logits.reshape(___, ___), targets.reshape(___))"),
          stars=1, minutes=5)
def lm_loss(logits: Tensor, targets: Tensor) -> Tensor:
    """The language-model loss: cross-entropy over every position, averaged.

    Args:
        logits: (B, T, V).
        targets: (B, T) int64, the next token at every position.
    Returns:
        0-d tensor: the mean over the B*T positions of -log softmax(logits)[target]; finite
        for logits of +-1000.
    Example:
        >>> lm_loss(torch.zeros(1, 2, 4), torch.tensor([[1, 3]]))   # ln 4
        tensor(1.3863)
    """
    ### BEGIN SOLUTION
    B, T, V = logits.shape
    return F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T))  # ()
    ### END SOLUTION


@exercise("ch14.greedy_next_token", points=1, examples=[
    Example(f"greedy_next_token({T}([[[0., 9., 1.], [3., 1., 2.]]]))", expect=f"{T}([0])")],
          hints=("Only the last position predicts the next token: pick the vocabulary entry with "
                 "the largest logit there.",
                 "logits[:, -1, :] is (B, V); .argmax(dim=-1) gives int64 (B,). Pitfall: argmax "
                 "over dim 1 picks a position, not a token.",
                 "return logits[:, ___, :].argmax(dim=___)"),
          stars=1, minutes=3)
def greedy_next_token(logits: Tensor) -> Tensor:
    """The most likely next token of every sequence: the argmax at the last position.

    Args:
        logits: (B, T, V).
    Returns:
        int64 (B,).
    Example:
        >>> greedy_next_token(torch.tensor([[[0., 9., 1.], [3., 1., 2.]]]))
        tensor([0])
    """
    ### BEGIN SOLUTION
    return logits[:, -1, :].argmax(dim=-1)  # (B, V) -> (B,)
    ### END SOLUTION


@exercise("ch14.sample_next_token", points=2, rand=True, examples=[
    Example(f"sample_next_token({T}([[[0., 5., 1., 4.]]]), 1.0, 1, "
            "torch.Generator().manual_seed(0))", expect=f"{T}([1])"),
    Example(f"int(sample_next_token({T}([[[0., 5., 1., 4.]]]), 0.5, 2, "
            "torch.Generator().manual_seed(3))) in (1, 3)", expect="True"),
    Example("sample_next_token(torch.arange(4.).repeat(100, 1, 1), 1.0, 2, "
            "torch.Generator().manual_seed(0))", check="set(out.tolist()) <= {2, 3}",
            says="100 draws with top_k 2 pick only the two largest logits' tokens, 2 and 3"),
    Example(f"sample_next_token({T}([[[0., 1.]]]).repeat(100, 1, 1), 0.01, 2, "
            "torch.Generator().manual_seed(0))", expect="torch.ones(100, dtype=torch.int64)")],
          hints=("At the last position: divide by the temperature, keep the k largest logits "
                 "(-inf for the rest), softmax, and draw one token per row from the given "
                 "generator.",
                 "logits[:, -1] / temperature; .topk(top_k, dim=-1).values[:, -1:] is each row's "
                 "k-th largest; masked_fill(last < kth, float('-inf')); torch.softmax(dim=-1); "
                 "torch.multinomial(probs, 1, generator=generator). Pitfall: masking after the "
                 "softmax.",
                 "last = logits[:, -1, :] / ___\n"
                 "kth = last.topk(___, dim=-1).values[:, ___]  # (B, 1)\n"
                 "probs = torch.softmax(last.masked_fill(last < kth, float('-inf')), dim=___)\n"
                 "return torch.multinomial(probs, 1, generator=___).squeeze(-1)"),
          stars=2, minutes=20)
def sample_next_token(logits: Tensor, temperature: float, top_k: int, generator) -> Tensor:
    """Sample the next token of every sequence from the top k of a tempered softmax.

    At the last position: divide the logits by the temperature, keep the top_k largest (every
    other token gets probability 0), softmax, and draw one token per sequence with
    torch.multinomial(..., generator=generator). Never picks a token outside the top k.

    Args:
        logits: (B, T, V).
        temperature: > 0; below 1 sharpens, above 1 flattens.
        top_k: 1 <= top_k <= V.
        generator: the torch.Generator every random draw comes from.
    Returns:
        int64 (B,).
    Example:
        >>> sample_next_token(torch.tensor([[[0., 5., 1., 4.]]]), 1.0, 1,
        ...                   torch.Generator().manual_seed(0))      # top 1: always the argmax
        tensor([1])
    """
    ### BEGIN SOLUTION
    last = logits[:, -1, :] / temperature  # (B, V)
    kth = last.topk(top_k, dim=-1).values[:, -1:]  # (B, 1) the k-th largest
    last = last.masked_fill(last < kth, float("-inf"))  # (B, V)
    probs = last.softmax(dim=-1)  # (B, V)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)  # (B,)
    ### END SOLUTION


@exercise("ch14.generate", points=2, examples=[
    Example(f"generate({T}([[0, 1]]), {{'tok_emb': torch.eye(3), 'pos_emb': torch.zeros(4, 3), "
            f"'blocks': [], 'lnf_w': torch.ones(3), 'lnf_b': torch.zeros(3), "
            f"'w_head': {T}([[0., 1., 0.], [0., 0., 1.], [1., 0., 0.]])}}, 1, 3, 4)",
            expect=f"{T}([[0, 1, 2, 0, 1]])"),
    # block_size 2 (two position rows): the context is cropped to the LAST two tokens
    Example(f"generate({T}([[0, 1]]), {{'tok_emb': torch.eye(3), 'pos_emb': torch.zeros(2, 3), "
            f"'blocks': [], 'lnf_w': torch.ones(3), 'lnf_b': torch.zeros(3), "
            f"'w_head': {T}([[0., 1., 0.], [0., 0., 1.], [1., 0., 0.]])}}, 1, 4, 2)",
            expect=f"{T}([[0, 1, 2, 0, 1, 2]])")],
          hints=("Repeat n_new times: run the model on the last block_size tokens only, take the "
                 "argmax at the last position and append it to the sequence.",
                 "tokens[:, -block_size:] crops the context; baby_gpt_logits(...)[:, "
                 "-1].argmax(dim=-1, keepdim=True) is (B, 1); torch.cat([tokens, nxt], dim=1). A "
                 "loop over the steps is expected. Pitfall: keeping the FIRST block_size tokens.",
                 "for _ in range(n_new):\n"
                 "    context = tokens[:, ___]\n"
                 "    logits = baby_gpt_logits(___, params, n_heads)\n"
                 "    nxt = logits[:, -1, :].argmax(dim=-1, keepdim=___)\n"
                 "    tokens = torch.cat([tokens, nxt], dim=___)\n"
                 "return tokens"),
          stars=3, minutes=20)
def generate(tokens: Tensor, params: dict, n_heads: int, n_new: int,
             block_size: int) -> Tensor:
    """Greedy decoding: append the argmax next token n_new times.

    At every step the model sees only the last block_size tokens (the context is cropped),
    computes baby_gpt_logits on them (you may call your baby_gpt_logits), and appends the
    argmax of the last position's logits.

    Args:
        tokens: (B, T) int64 prompt.
        params, n_heads: as for baby_gpt_logits.
        n_new: how many tokens to append.
        block_size: the longest context the model takes (its T_max).
    Returns:
        int64 (B, T + n_new): the prompt followed by the generated tokens.
    Example:
        >>> # a model whose head maps token i to i + 1 (mod 3): 0 1 -> 0 1 2 0 1
    """
    ### BEGIN SOLUTION
    for _ in range(n_new):
        context = tokens[:, -block_size:]  # (B, <= block_size)
        logits = baby_gpt_logits(context, params, n_heads)  # (B, t, V)
        nxt = logits[:, -1, :].argmax(dim=-1, keepdim=True)  # (B, 1)
        tokens = torch.cat([tokens, nxt], dim=1)  # (B, t + 1)
    return tokens
    ### END SOLUTION


@exercise("ch14.tied_logits", points=1, examples=[
    Example(f"tied_logits({T}([[[1., 2.]]]), {T}([[1., 0.], [0., 1.], [1., 1.]]))",
            expect=f"{T}([[[1., 2., 3.]]])")],
          hints=("Score each hidden state against every token's embedding: the dot product with "
                 "row v of the table is logit v.",
                 "h @ tok_table.T: the transpose is (C, V), and `@` broadcasts over B and T.",
                 "return h @ ___  # (B, T, V)"),
          stars=1, minutes=3)
def tied_logits(h: Tensor, tok_table: Tensor) -> Tensor:
    """Logits with the output head tied to the token embedding table.

    Args:
        h: (B, T, C) final hidden states.
        tok_table: (V, C) the token embedding table.
    Returns:
        (B, T, V): h @ tok_table^T, logit v is the dot product with token v's embedding.
    Example:
        >>> tied_logits(torch.tensor([[[1., 2.]]]), torch.tensor([[1., 0.], [0., 1.], [1., 1.]]))
        tensor([[[1., 2., 3.]]])
    """
    ### BEGIN SOLUTION
    return h @ tok_table.T  # (B, T, C) @ (C, V) -> (B, T, V)
    ### END SOLUTION


@exercise("ch14.count_gpt_parameters", points=1, examples=[
    Example("count_gpt_parameters(10, 8, 4, 1)", expect="324")],
          hints=("Add the sizes up: the two embedding tables, n_layers times one block (with F = "
                 "4C), and the final layer norm; the tied head adds nothing.",
                 "Python int arithmetic: a (C, 3C) weight has 3 * C * C scalars and its bias 3 * "
                 "C; a layer norm has 2 * C (weight and bias). Check: (10, 8, 4, 1) gives 324.",
                 "hidden = 4 * C  # F\n"
                 "per_block = 2 * C + (C * 3 * C + ___) + (C * C + C) + ___ + (C * hidden + "
                 "hidden) + ___\n"
                 "return V * C + ___ + n_layers * per_block + ___"),
          stars=2, minutes=15)
def count_gpt_parameters(V: int, T: int, C: int, n_layers: int) -> int:
    """The number of scalars of the baby GPT's parameters.

    The layout of "GPT parameters": token table (V, C), position table (T, C), per block two
    layer norms (weight and bias, C each), w_qkv (C, 3C) and b_qkv, w_o (C, C) and b_o,
    w1 (C, F) and b1, w2 (F, C) and b2 with F = 4C, then the final layer norm. The output head
    is tied to the token table, so it is not counted again.

    Args:
        V: vocabulary size; T: the longest context (rows of the position table);
        C: embedding size; n_layers: the number of blocks.
    Returns:
        A Python int.
    Example:
        >>> count_gpt_parameters(10, 8, 4, 1)
        324
    """
    ### BEGIN SOLUTION
    F_ = 4 * C
    per_block = (2 * C) + (C * 3 * C + 3 * C) + (C * C + C) + (2 * C) + (C * F_ + F_) + \
        (F_ * C + C)
    return V * C + T * C + n_layers * per_block + 2 * C
    ### END SOLUTION
