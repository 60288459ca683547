"""Hidden graders for ch14 - A baby GPT.

The oracle is an independent build of the same network from torch.nn modules with the weights
copied in (``nn.Embedding``, ``nn.LayerNorm``, ``nn.Linear``, ``nn.GELU("tanh")`` and
``F.scaled_dot_product_attention(is_causal=True)``), run in float64; never solutions/. The
block and the whole model get the causal battery (future invariance, the block's Jacobian),
scores of +-1000 through their inputs, and named mistakes (post-LN for pre-LN, a missing
residual, ReLU or the erf GELU for the tanh GELU, positions indexed by token, the tied table
for the head). ``generate`` is checked to depend only on the last ``block_size`` tokens, and
``sample_next_token`` by the frequencies of many draws, never by one draw order.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils import _pytree as pytree

from autograder.checks import causal, rand
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


def _as(tree, dtype):
    return pytree.tree_map(lambda x: x.to(dtype) if isinstance(x, torch.Tensor) and
                           x.is_floating_point() else x, tree)


# -- the oracle: torch.nn modules with the weights copied in ------------------------------

class _Block(nn.Module):
    def __init__(self, p: dict, n_heads: int, post_ln=False, residual=(True, True),
                 act="tanh", mask=True):
        super().__init__()
        C, Fh = p["w1"].shape
        self.nh, self.post_ln, self.residual, self.mask = n_heads, post_ln, residual, mask
        self.ln1, self.ln2 = nn.LayerNorm(C, eps=1e-5), nn.LayerNorm(C, eps=1e-5)
        self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.fc1, self.fc2 = nn.Linear(C, Fh), nn.Linear(Fh, C)
        self.act = nn.ReLU() if act == "relu" else nn.GELU(approximate=act)
        self.double()  # before the weights are copied in: no rounding through float32
        with torch.no_grad():
            for ln, name in ((self.ln1, "ln1"), (self.ln2, "ln2")):
                ln.weight.copy_(p[f"{name}_w"])
                ln.bias.copy_(p[f"{name}_b"])
            for lin, w, b in ((self.qkv, "w_qkv", "b_qkv"), (self.proj, "w_o", "b_o"),
                              (self.fc1, "w1", "b1"), (self.fc2, "w2", "b2")):
                lin.weight.copy_(p[w].T)  # nn.Linear stores (out, in)
                lin.bias.copy_(p[b])

    def attend(self, h):
        B, T, C = h.shape
        q, k, v = (a.view(B, T, self.nh, C // self.nh).transpose(1, 2)
                   for a in self.qkv(h).split(C, dim=-1))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=self.mask)
        return self.proj(y.transpose(1, 2).reshape(B, T, C))

    def forward(self, x):
        if self.post_ln:
            x = self.ln1(x + self.attend(x))
            return self.ln2(x + self.fc2(self.act(self.fc1(x))))
        a = self.attend(self.ln1(x))
        x = x + a if self.residual[0] else a
        f = self.fc2(self.act(self.fc1(self.ln2(x))))
        return x + f if self.residual[1] else f


def _block(x, params, n_heads, **how):
    dtype = x.dtype
    module = _Block(_as(params, torch.float64), n_heads, **how).double().to(x.device)
    return module(x.double()).to(dtype)


class _GPT(nn.Module):
    def __init__(self, p: dict, n_heads: int, positions="add", final_ln=True, head="w_head",
                 order=1):
        super().__init__()
        V, C = p["tok_emb"].shape
        self.tok, self.pos = nn.Embedding(V, C), nn.Embedding(p["pos_emb"].shape[0], C)
        self.blocks = nn.ModuleList(_Block(b, n_heads) for b in p["blocks"][::order])
        self.lnf = nn.LayerNorm(C, eps=1e-5) if final_ln else nn.Identity()
        self.head = nn.Linear(C, V, bias=False)
        self.positions = positions
        self.double()
        with torch.no_grad():
            self.tok.weight.copy_(p["tok_emb"])
            self.pos.weight.copy_(p["pos_emb"])
            if final_ln:
                self.lnf.weight.copy_(p["lnf_w"])
                self.lnf.bias.copy_(p["lnf_b"])
            self.head.weight.copy_(p["w_head"].T if head == "w_head" else p["tok_emb"])

    def forward(self, tokens):
        T = tokens.shape[1]
        where = {"add": torch.arange(T, device=tokens.device), "by_token": tokens}
        x = self.tok(tokens)
        if self.positions != "none":
            x = x + self.pos(where[self.positions])
        for block in self.blocks:
            x = block(x)
        return self.head(self.lnf(x))


def _gpt(tokens, params, n_heads, **how):
    dtype = params["tok_emb"].dtype
    model = _GPT(_as(params, torch.float64), n_heads, **how).double().to(tokens.device)
    return model(tokens).to(dtype)


# -- parameters ----------------------------------------------------------------------------

def _block_params(g, C, dtype=torch.float32, Fh=None):
    Fh = 4 * C if Fh is None else Fh
    r = lambda *s, scale=1.0: g.randn(*s, dtype=dtype, scale=scale)  # noqa: E731
    return {"ln1_w": 1 + r(C, scale=0.2), "ln1_b": r(C, scale=0.2),
            "w_qkv": r(C, 3 * C, scale=C ** -0.5), "b_qkv": r(3 * C, scale=0.2),
            "w_o": r(C, C, scale=C ** -0.5), "b_o": r(C, scale=0.2),
            "ln2_w": 1 + r(C, scale=0.2), "ln2_b": r(C, scale=0.2),
            "w1": r(C, Fh, scale=C ** -0.5), "b1": r(Fh, scale=0.2),
            "w2": r(Fh, C, scale=Fh ** -0.5), "b2": r(C, scale=0.2)}


def _gpt_params(g, V, T_max, C, n_layers, dtype=torch.float32):
    return {"tok_emb": g.randn(V, C, dtype=dtype), "pos_emb": g.randn(T_max, C, dtype=dtype),
            "blocks": [_block_params(g, C, dtype) for _ in range(n_layers)],
            "lnf_w": 1 + g.randn(C, dtype=dtype, scale=0.2),
            "lnf_b": g.randn(C, dtype=dtype, scale=0.2),
            "w_head": g.randn(C, V, dtype=dtype, scale=C ** -0.5)}


def _loud_block(g, C, dtype):
    """One head, ln1 the plain normalisation and q = k = s * ln1(x) with s^2 sqrt(C) = 1000:
    scores of +-1000 whose largest in each row is the row's own (allowed) position."""
    p = _block_params(g, C, dtype)
    s = math.sqrt(1000 / math.sqrt(C))
    p["ln1_w"], p["ln1_b"] = torch.ones_like(p["ln1_w"]), torch.zeros_like(p["ln1_b"])
    w = p["w_qkv"].clone()
    w[:, :C] = w[:, C:2 * C] = s * torch.eye(C, dtype=dtype, device=w.device)
    b = p["b_qkv"].clone()
    b[:2 * C] = 0
    p["w_qkv"], p["b_qkv"] = w, b
    return p


# -- 1. feed_forward -----------------------------------------------------------------------

def _ffn(x, w1, b1, w2, b2, act=torch.relu, last=False):
    y = act(x @ w1 + b1) @ w2 + b2
    return torch.relu(y) if last else y


_FFN_MISTAKES = {
    "the activation is ReLU (this exercise), not GELU":
        lambda *a: _ffn(*a, act=F.gelu),
    "the activation is ReLU (this exercise), not GELU (tanh)":
        lambda *a: _ffn(*a, act=lambda h: F.gelu(h, approximate="tanh")),
    "the ReLU goes between the two linear maps: is it missing?":
        lambda *a: _ffn(*a, act=lambda h: h),
    "no ReLU after the second linear map": lambda *a: _ffn(*a, last=True),
    "is a bias missing? relu(x @ w1 + b1) @ w2 + b2":
        lambda x, w1, b1, w2, b2: torch.relu(x @ w1) @ w2 + b2,
}


@grader("ch14.feed_forward")
def feed_forward(g):
    d = g.device
    g.expect("book_example", (t([[[1., -1.]]], device=d), torch.eye(2, device=d),
                              torch.zeros(2, device=d), t([[2.], [3.]], device=d),
                              t([0.5], device=d)), t([[[2.5]]], device=d),
             mistakes=_FFN_MISTAKES)
    for dtype in FLOATS:
        for B, T, C, Fh in (g.dims(4), g.dims(4), (1, 1, 3, 2)):
            x = g.randn(B, T, C, dtype=dtype)
            ws = (g.randn(C, Fh, dtype=dtype), g.randn(Fh, dtype=dtype),
                  g.randn(Fh, C, dtype=dtype), g.randn(C, dtype=dtype))
            g.against("random_inputs", g.layouts(x, *ws), _ffn, mistakes=_FFN_MISTAKES)


# -- 2. gpt_block --------------------------------------------------------------------------

_BLOCK_MISTAKES = {
    "pre-LN: x = x + mha(ln1(x)), then x = x + ffn(ln2(x)); this is post-LN "
    "(ln applied after the residual sum)": lambda x, p, nh: _block(x, p, nh, post_ln=True),
    "the attention branch's residual is missing: x = x + mha(ln1(x))":
        lambda x, p, nh: _block(x, p, nh, residual=(False, True)),
    "the feed-forward branch's residual is missing: x = x + ffn(ln2(x))":
        lambda x, p, nh: _block(x, p, nh, residual=(True, False)),
    "the block's activation is GELU (tanh approximation), not ReLU":
        lambda x, p, nh: _block(x, p, nh, act="relu"),
    "use the tanh approximation of GELU (approximate='tanh'), not the exact erf GELU":
        lambda x, p, nh: _block(x, p, nh, act="none"),
    "the attention is causal: mask j > i": lambda x, p, nh: _block(x, p, nh, mask=False),
}


def _block_args(g, B, T, C, nh, dtype=torch.float32):
    return g.randn(B, T, C, dtype=dtype), _block_params(g, C, dtype), nh


@grader("ch14.gpt_block")
def gpt_block(g):
    d = g.device
    zero = {n: (torch.ones if n.startswith("ln") and n.endswith("_w") else torch.zeros)(
        s, device=d) for n, s in (("ln1_w", (4,)), ("ln1_b", (4,)), ("w_qkv", (4, 12)),
                                  ("b_qkv", (12,)), ("w_o", (4, 4)), ("b_o", (4,)),
                                  ("ln2_w", (4,)), ("ln2_b", (4,)), ("w1", (4, 16)),
                                  ("b1", (16,)), ("w2", (16, 4)), ("b2", (4,)))}
    x = t([[[1., 2., 3., 4.], [0., 1., 0., 1.]]], device=d)
    g.expect("book_example", (x, zero, 2), x)
    for dtype in FLOATS:
        for B, T, nh, H in ((2, 5, 2, 3), (3, 4, 1, 5), (1, 1, 2, 2), (2, 6, 3, 2)):
            args = _block_args(g, B, T, nh * H, nh, dtype)
            g.against("random_inputs", g.layouts(*args), _block, mistakes=_BLOCK_MISTAKES)
    # the battery
    args = _block_args(g, 3, 5, 6, 2)
    causal.future_invariance(g, args, {0: 1})
    causal.jacobian_causal(g, args, wrt=0)
    # scores of +-1000 through the inputs
    for dtype in FLOATS:
        x, C = g.randn(2, 5, 6, dtype=dtype), 6
        g.large_scores((x, _loud_block(g, C, dtype), 1), _block, exponent=1000.0,
                       scale=float(x.abs().max()) + 10.0)  # (one-hot weights: no mistake
        # is told apart here, the mask included)
    if not g.report.failed("random_inputs"):
        g.gradient(_block_args(g, 2, 4, 6, 2, torch.float64), _block, wrt=(0,))


# -- 3. baby_gpt_logits --------------------------------------------------------------------

_GPT_MISTAKES = {
    "position embeddings are looked up by position (0..T-1), not by token id":
        lambda tok, p, nh: _gpt(tok, p, nh, positions="by_token"),
    "the position embeddings are missing: add pos_emb[:T] to the token embeddings":
        lambda tok, p, nh: _gpt(tok, p, nh, positions="none"),
    "the final layer norm (lnf_w, lnf_b) is missing before the head":
        lambda tok, p, nh: _gpt(tok, p, nh, final_ln=False),
    "the head is params['w_head'], not the token table":
        lambda tok, p, nh: _gpt(tok, p, nh, head="tied"),
    "the blocks run in the order of params['blocks']":
        lambda tok, p, nh: _gpt(tok, p, nh, order=-1),
}


def _tokens(g, B, T, V):
    return g.randint(V, B, T)


@grader("ch14.baby_gpt_logits")
def baby_gpt_logits(g):
    for dtype in FLOATS:
        # (B, T, V, T_max, C, nh, layers): every size different, T < T_max, V <= T_max in
        # one case so that a lookup of positions by token id runs (and is named)
        for B, T, V, T_max, C, nh, n_layers in ((2, 5, 7, 9, 6, 2, 2), (3, 4, 11, 6, 8, 4, 1),
                                                (1, 1, 3, 2, 4, 1, 1), (2, 6, 5, 6, 6, 3, 0)):
            p = _gpt_params(g, V, T_max, C, n_layers, dtype)
            tok = _tokens(g, B, T, V)
            g.against("random_inputs", [(tok, p, nh), (g.noncontiguous(tok), p, nh)], _gpt,
                      mistakes=_GPT_MISTAKES)
    # the battery on the logits: later tokens never change earlier logits
    p = _gpt_params(g, 7, 6, 6, 2)
    causal.future_invariance(g, (_tokens(g, 3, 6, 7), p, 2), {0: 1},
                             redraw=lambda shape, x: g.randint(7, *shape))
    # scores of +-1000 in the block
    for dtype in FLOATS:
        p = _gpt_params(g, 7, 6, 6, 0, dtype)
        p["blocks"] = [_loud_block(g, 6, dtype)]
        g.large_scores((_tokens(g, 2, 5, 7), p, 1), _gpt, exponent=1000.0, scale=10.0)


# -- 4. lm_loss ----------------------------------------------------------------------------

def _lm_loss(logits, targets):
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


_LOSS_MISTAKES = {
    "average over the B*T positions, not sum": lambda lo, ta: F.cross_entropy(
        lo.flatten(0, 1), ta.flatten(), reduction="sum"),
    "the targets are already the next tokens: do not shift them again":
        lambda lo, ta: F.cross_entropy(lo[:, :-1].flatten(0, 1), ta[:, 1:].flatten())
        if lo.shape[1] > 1 else None,
    "the loss is -log softmax at the target, not -log of the logit itself":
        lambda lo, ta: -lo.gather(-1, ta[..., None]).mean(),
}


@grader("ch14.lm_loss")
def lm_loss(g):
    d = g.device
    g.expect("book_example", (torch.zeros(1, 2, 4, device=d), t([[1, 3]], device=d)),
             t(math.log(4), device=d), mistakes=_LOSS_MISTAKES)
    for dtype in FLOATS:
        for B, T, V in (g.dims(3), g.dims(3), (1, 1, 2), (2, 3, 1)):
            logits, targets = g.randn(B, T, V, dtype=dtype, scale=2.0), g.randint(V, B, T)
            g.against("random_inputs", g.layouts(logits, targets), _lm_loss,
                      mistakes=_LOSS_MISTAKES)
        B, T, V = g.dims(3)
        logits = torch.where(g.uniform(B, T, V) < 0.5, -1000.0, 1000.0).to(dtype) + \
            g.randn(B, T, V, dtype=dtype)
        g.large_scores((logits, g.randint(V, B, T)), _lm_loss, exponent=1001.0,
                       mistakes=_LOSS_MISTAKES)


# -- 5. greedy_next_token ------------------------------------------------------------------

@grader("ch14.greedy_next_token")
def greedy_next_token(g):
    mistakes = {"take the argmax at the LAST position (logits[:, -1])":
                lambda lo: lo[:, 0].argmax(-1),
                "the argmax is over the vocabulary (the last dim)":
                lambda lo: lo[:, -1].argmax(0) if lo.shape[0] == lo.shape[-1] else None,
                "return one token per sequence, shape (B,)":
                lambda lo: lo[:, -1].argmax(-1, keepdim=True)}
    d = g.device
    g.expect("book_example", (t([[[0., 9., 1.], [3., 1., 2.]]], device=d),), t([0], device=d),
             mistakes=mistakes)
    for dtype in FLOATS:
        for B, T, V in (g.dims(3), g.dims(3), (1, 1, 1), (4, 2, 4)):
            g.against("random_inputs", g.layouts(g.randn(B, T, V, dtype=dtype)),
                      lambda lo: lo[:, -1].argmax(-1), mistakes=mistakes)


# -- 6. sample_next_token ------------------------------------------------------------------

def _top_k_probs(last: torch.Tensor, temperature: float, k: int) -> torch.Tensor:
    z = last.double() / temperature
    kth = z.topk(k).values[-1]
    return z.masked_fill(z < kth, float("-inf")).softmax(-1)


@grader("ch14.sample_next_token")
def sample_next_token(g):
    V = 9
    base = torch.arange(V, dtype=torch.float64)[torch.randperm(V, generator=g.gen)] * 0.6

    def make(shape, gen, temperature=0.7, k=4, dtype=torch.float32):
        logits = g.randn(shape[0], 3, V, dtype=dtype)
        logits[:, -1] = base.to(dtype)  # every sequence ends with the same logits
        return logits, temperature, k, gen

    for B in (1, *g.dims(1, 2, 5)):
        rand.draw(g, "shape", make((B,), rand.generator(rand.new_seed(g))), torch.int64, (B,))
    rand.reproducible(g, make, torch.int64, (g.dims(1, lo=20, hi=40)[0],))
    n = 3000
    for temperature, k in ((0.7, 4), (1.6, 6), (1.0, V), (0.5, 1)):
        args = make((n,), rand.generator(rand.new_seed(g)), temperature, k, torch.float64)
        x, _ = rand.draw(g, "top_k", args, torch.int64, (n,))
        if x is None:
            return
        call = g.call_text(args)
        probs = _top_k_probs(base, temperature, k)
        outside = sorted(set(x.tolist()) - set(probs.nonzero().flatten().tolist()))
        g.check("top_k", not outside,
                f"{call}: token(s) {outside} were drawn, which are not among the {k} largest "
                "logits: every token outside the top k must get probability 0")
        for v in probs.nonzero().flatten().tolist():
            got = float((x == v).double().mean())
            plain = base.double().softmax(-1)
            hint = ("the temperature divides the logits BEFORE the softmax (softmax(logits / "
                    "T)); the frequencies match softmax(logits) restricted to the top k") if \
                abs(got - float(plain[v] / plain[probs > 0].sum())) < 0.02 and temperature != 1 \
                else "sample from softmax(logits[:, -1] / temperature) over the top k only"
            rand.fraction(g, "frequencies", call, f"are token {v}", got, float(probs[v]), n,
                          hint)


# -- 7. generate ---------------------------------------------------------------------------

def _generate(tokens, params, n_heads, n_new, block_size, crop="last"):
    for _ in range(n_new):
        ctx = tokens[:, -block_size:] if crop == "last" else tokens[:, :block_size]
        nxt = _gpt(ctx, params, n_heads)[:, -1].argmax(-1, keepdim=True)
        tokens = torch.cat([tokens, nxt], dim=1)
    return tokens


_GEN_MISTAKES = {
    "crop to the LAST block_size tokens (tokens[:, -block_size:]), not the first":
        lambda *a: _generate(*a, crop="first"),
}


def _chatty_params(g, V, block, C, n_layers):
    """A model whose next token follows the current one (quiet blocks, a loud head), so a
    decoder that reads the wrong part of the context says something else."""
    p = _gpt_params(g, V, block, C, n_layers, torch.float64)
    for b in p["blocks"]:
        b["w_o"], b["w2"] = b["w_o"] * 0.1, b["w2"] * 0.1
    p["tok_emb"], p["w_head"] = p["tok_emb"] * 2, p["w_head"] * 4
    return p


@grader("ch14.generate")
def generate(g):
    for B, T, V, C, nh, n_layers, n_new, block in ((2, 3, 7, 6, 2, 1, 5, 6),
                                                    (3, 6, 5, 4, 1, 2, 4, 4),
                                                    (2, 9, 8, 6, 3, 1, 3, 5),
                                                    (1, 1, 4, 4, 2, 1, 3, 8)):
        p = _chatty_params(g, V, block, C, n_layers)
        tok = _tokens(g, B, T, V)
        args = (tok, p, nh, n_new, block)
        out = g.expect("random_inputs", args, _generate(*args), mistakes=_GEN_MISTAKES)
        if out is None:
            return
    # only the last block_size tokens matter: change everything before them
    B, V, C, block, n_new = 2, 7, 6, 4, 4
    p = _chatty_params(g, V, block, C, 1)
    tok = _tokens(g, B, block + 3, V)
    base = g.call("context", tok, p, 2, n_new, block)
    other = tok.clone()
    other[:, :3] = (other[:, :3] + 1 + g.randint(V - 1, B, 3)) % V
    again = g.call("context", other, p, 2, n_new, block)
    if base is None or again is None:
        return
    ok = isinstance(base.value, torch.Tensor) and isinstance(again.value, torch.Tensor) and \
        base.value.shape == again.value.shape and \
        torch.equal(base.value[:, -n_new:], again.value[:, -n_new:])
    g.check("context", ok, f"with block_size {block}, changing only the tokens before the last "
                           f"{block} changed what was generated: the model must see only the "
                           "last block_size tokens at every step")


# -- 8. tied_logits ------------------------------------------------------------------------

@grader("ch14.tied_logits")
def tied_logits(g):
    d = g.device
    mistakes = {"logit v is h . tok_table[v]: multiply by the table's transpose":
                lambda h, w: h @ w if h.shape[-1] == w.shape[0] else None}
    g.expect("book_example", (t([[[1., 2.]]], device=d), t([[1., 0.], [0., 1.], [1., 1.]],
                                                             device=d)),
             t([[[1., 2., 3.]]], device=d), mistakes=mistakes)
    for dtype in FLOATS:
        for B, T, C, V in ((2, 3, 4, 4), g.dims(4), g.dims(4), (1, 1, 1, 1)):
            h, w = g.randn(B, T, C, dtype=dtype), g.randn(V, C, dtype=dtype)
            g.against("random_inputs", [(h, w), (g.noncontiguous(h), g.transposed_layout(w))],
                      lambda h, w: h @ w.T, mistakes=mistakes)


# -- 9. count_gpt_parameters ---------------------------------------------------------------

def _count(V, T, C, L, head=False, biases=True, pos=True, final=True, Fh=4):
    layer = 4 * C + 3 * C * C + C * C + 2 * Fh * C * C
    if biases:
        layer += 3 * C + C + Fh * C + C
    total = V * C + L * layer
    total += T * C if pos else 0
    total += 2 * C if final else 0
    total += V * C if head else 0
    return total


@grader("ch14.count_gpt_parameters")
def count_gpt_parameters(g):
    mistakes = {"the head is tied to the token table: do not count it again":
                lambda *a: _count(*a, head=True),
                "every linear map has a bias too (b_qkv, b_o, b1, b2)":
                lambda *a: _count(*a, biases=False),
                "count the position table (T, C)": lambda *a: _count(*a, pos=False),
                "count the final layer norm (lnf_w, lnf_b)": lambda *a: _count(*a, final=False),
                "the hidden size of the feed-forward layer is F = 4C":
                lambda *a: _count(*a, Fh=1)}
    cases = [(10, 8, 4, 1), (65, 256, 384, 6), (50257, 1024, 768, 12), (3, 2, 1, 0)]
    cases += [tuple(int(v) for v in g.randint(40, 4) + 1) for _ in range(3)]
    for args in cases:
        want = _count(*args)
        out = g.call("random_inputs", *args)
        if out is None:
            return
        wrong = next((m for m, f in mistakes.items() if out.value == f(*args)), None)
        g.check("random_inputs", type(out.value) is int and out.value == want,
                f"count_gpt_parameters{args}: expected the int {want}, got {out.value!r}"
                + (f": {wrong}" if wrong else ""))
