"""Hidden graders for ch13 - Attention.

Oracles are torch built-ins in float64, never solutions/: ``F.linear`` for projections,
``torch.bmm`` for products, ``torch.tril`` for masks,
``F.scaled_dot_product_attention`` (``is_causal=True``, or a bool ``attn_mask`` with the rows
that allow nothing set to 0) for attention, ``F.multi_head_attention_forward`` for the
nanoGPT-layout multi-head attention, ``torch.cat`` for caches and ``torch.special.entr`` for
entropy. Every grader runs the docstring example, random inputs of both float dtypes with
every dimension a different size (1 included where valid), a non-contiguous layout, and the
catalog marks. The causal ones run the battery of autograder/checks/causal.py and always the
reference comparison too (property checks alone miss head-split bugs).

``mistakes`` map a message to a wrong oracle: the same computation with one typical mistake
(no 1/sqrt(H), the mask the wrong way round, heads split without a transpose, ...). When a
student's result matches one, that message is the feedback.

The battery is kept small (T <= 6, B <= 3, C <= 12) so the whole chapter grades in a few
seconds on CPU.
"""
import math

import torch
import torch.nn.functional as F

from autograder.checks import causal, figures
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor
INF = float("inf")


def _distinct(g, n: int, lo: int, hi: int, avoid=()) -> list[int]:
    """``n`` different sizes in [lo, hi], none of them in ``avoid``."""
    pool = [d for d in g.dims(hi - lo + 1, lo, hi) if d not in avoid]
    return pool[:n]


def _allowed(T: int, device, how: str = "causal") -> torch.Tensor:
    """Which keys each query may see: "causal" (j <= i), "future" (j >= i: triu and tril
    swapped), "strict" (j < i: the diagonal masked too) or "none" (no mask at all)."""
    ones = torch.ones(T, T, dtype=torch.bool, device=device)
    return {"causal": ones.tril(), "future": ones.triu(), "strict": ones.tril(-1),
            "none": ones}[how]


def _picture(title: str, label: str = "your weights"):
    """``expect``'s figure: the student's (T, T) result beside the expected one (first batch
    element and head), future positions j > i marked."""
    return lambda args, got, want: figures.weights(title, got, want, label=label)


def _softmax_picture(args, got, want):
    """masked_softmax's figure: the weights beside the expected ones, the positions that
    `allowed` masks marked (the future, when `allowed` is the causal mask)."""
    s, allowed = args
    if not isinstance(got, torch.Tensor) or got.shape != want.shape or got.dim() < 2:
        return None
    blocked = ~allowed.expand(want.shape)
    T = want.shape[-1]
    causal_case = want.shape[-2] == T and torch.equal(
        allowed.expand(want.shape).reshape(-1, T, T)[0], _allowed(T, allowed.device))
    return figures.weights("masked_softmax weights (first row block; masked positions "
                           "marked)", got, want, future=causal_case,
                           blocked=None if causal_case else blocked)


def _sdpa(q, k, v, allowed):
    """torch's attention with a bool mask; a query row with no allowed key gives zeros
    (some torch versions give NaN there)."""
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=allowed)
    return torch.where(allowed.any(-1, keepdim=True), out.nan_to_num(0.0), 0.0)


def _attend(q, k, v, allowed=None, scale=None, dim=-1, mask_after=False):
    """Hand-written attention for the wrong oracles (NaN where a row allows nothing)."""
    s = q @ k.mT * (q.shape[-1] ** -0.5 if scale is None else scale)
    if allowed is None:
        w = s.softmax(dim)
    elif mask_after:
        w = s.softmax(dim).masked_fill(~allowed, 0.0)
    else:
        w = s.masked_fill(~allowed, -INF).softmax(dim)
    return w @ v


# -- 1. project_qkv ------------------------------------------------------------------------

def _proj(x, w, b):
    return F.linear(x, w.T) + b


def _project_qkv(x, wq, bq, wk, bk, wv, bv):
    return _proj(x, wq, bq), _proj(x, wk, bk), _proj(x, wv, bv)


_QKV_ORDER = "return (q, k, v) in that order"
_PROJECT_MISTAKES = {
    f"this looks like q = x @ wq + bq: {_QKV_ORDER}":
        lambda x, wq, bq, wk, bk, wv, bv: x @ wq + bq,
    f"this looks like k = x @ wk + bk: {_QKV_ORDER}":
        lambda x, wq, bq, wk, bk, wv, bv: x @ wk + bk,
    f"this looks like v = x @ wv + bv: {_QKV_ORDER}":
        lambda x, wq, bq, wk, bk, wv, bv: x @ wv + bv,
    "is the bias missing? q = x @ wq + bq": lambda x, wq, bq, *rest: x @ wq,
    "the keys use wq: a copy-paste slip? k = x @ wk + bk":
        lambda x, wq, bq, wk, bk, wv, bv: x @ wq + bk,
}


@grader("ch13.project_qkv")
def project_qkv(g):
    d = g.device
    g.expect("book_example", (torch.ones(1, 2, 3, device=d), torch.ones(3, 2, device=d),
                              torch.zeros(2, device=d), 2 * torch.ones(3, 2, device=d),
                              torch.ones(2, device=d), torch.eye(3, device=d)[:, :2],
                              torch.zeros(2, device=d)),
             (t([[[3., 3.], [3., 3.]]], device=d), t([[[7., 7.], [7., 7.]]], device=d),
              t([[[1., 1.], [1., 1.]]], device=d)), mistakes=_PROJECT_MISTAKES)
    for dtype in FLOATS:
        for B, T, C, H in (g.dims(4), g.dims(4), (1, 1, 3, 2)):
            x = g.randn(B, T, C, dtype=dtype)
            for bias_shape in ((H,), (T, H)):  # (T, H) biases as in the book
                ws = []
                for _ in range(3):
                    ws += [g.randn(C, H, dtype=dtype), g.randn(*bias_shape, dtype=dtype)]
                g.against("random_inputs", g.layouts(x, *ws), _project_qkv,
                          mistakes=_PROJECT_MISTAKES)
                wq, bq, wk, bk, wv, bv = ws
                g.against("random_inputs", [(x, g.transposed_layout(wq), bq, wk,
                                             bk, g.transposed_layout(wv), bv)], _project_qkv,
                          mistakes=_PROJECT_MISTAKES)


# -- 2./3. attention scores ----------------------------------------------------------------

def _scores(q, k):
    return torch.bmm(q, k.transpose(1, 2))


def _score_cases(g, with_h1: bool):
    for dtype in FLOATS:
        sizes = [g.dims(3), g.dims(3), (1, 1, 2), (1, 3, 5)]  # T = 1 last: there sqrt(T) = 1
        if with_h1:
            sizes.append((2, 3, 1))
        for B, T, H in sizes:
            q, k = g.randn(B, T, H, dtype=dtype), g.randn(B, T, H, dtype=dtype)
            yield q, k
            yield g.noncontiguous(q), g.transposed_layout(k)


_SWAPPED = "keys and queries are swapped (k q^T): out[b, i, j] = q[b, i] . k[b, j]"


@grader("ch13.attention_scores")
def attention_scores(g):
    mistakes = {
        _SWAPPED: lambda q, k: k @ q.mT,
        "this exercise wants the raw scores q k^T, without the 1/sqrt(H) scaling":
            lambda q, k: q @ k.mT / math.sqrt(q.shape[-1]),
        "an elementwise product is not a matrix product: q @ k^T over the last two dims":
            lambda q, k: q * k,
    }
    d = g.device
    g.expect("book_example", (t([[[1., 0.], [0., 1.]]], device=d),
                              t([[[1., 2.], [3., 4.]]], device=d)),
             t([[[1., 3.], [2., 4.]]], device=d), exact=True, mistakes=mistakes)
    g.against("random_inputs", _score_cases(g, with_h1=True), _scores, mistakes=mistakes)


@grader("ch13.scaled_attention_scores")
def scaled_attention_scores(g):
    mistakes = {
        "did you forget to divide by sqrt(H) (H = q.shape[-1], the head size)?":
            lambda q, k: q @ k.mT,
        "divide by sqrt(H), not by H": lambda q, k: q @ k.mT / q.shape[-1],
        "divide by sqrt(H), not multiply": lambda q, k: q @ k.mT * math.sqrt(q.shape[-1]),
        "the scale is sqrt(H) with H = q.shape[-1] (the head size), not sqrt(T)":
            lambda q, k: q @ k.mT / math.sqrt(q.shape[-2]),
        _SWAPPED: lambda q, k: k @ q.mT / math.sqrt(q.shape[-1]),
    }
    d = g.device
    g.expect("book_example", (t([[[2., 0., 0., 0.]]], device=d), t([[[3., 0., 0., 0.]]],
                                                                       device=d)),
             t([[[3.]]], device=d), mistakes=mistakes)
    g.against("random_inputs", _score_cases(g, with_h1=False),
              lambda q, k: _scores(q, k) / math.sqrt(q.shape[-1]), mistakes=mistakes)


# -- 4. causal_mask ------------------------------------------------------------------------

@grader("ch13.causal_mask")
def causal_mask(g):
    # no tensor input: the result is made on the default device, the CPU
    ones = lambda T: torch.ones(T, T, dtype=torch.bool)  # noqa: E731
    mistakes = {
        "triu and tril are swapped: True must be where j <= i (the past and the diagonal), "
        "not where j >= i": lambda T: ones(T).triu(),
        "the mask is inverted: True means attention is allowed (j <= i), not masked":
            lambda T: ones(T).triu(1),
        "the diagonal must be True: each position may attend to itself":
            lambda T: ones(T).tril(-1),
    }
    picture = _picture("causal_mask (1 = True: may attend; future positions j > i "
                       "marked)", label="your mask")
    g.expect("book_example", (3,), t([[True, False, False], [True, True, False],
                                      [True, True, True]]), mistakes=mistakes, figure=picture)
    for T in (*g.dims(3), 2, 1):  # T = 1 last: there several mistakes agree
        g.expect("random_inputs", (T,), torch.tril(ones(T)), mistakes=mistakes,
                 figure=picture)


# -- 5. apply_causal_mask ------------------------------------------------------------------

def _apply_mask(s):
    return s.masked_fill(~_allowed(s.shape[-1], s.device), -INF)


_APPLY_MISTAKES = {
    "the mask is the wrong way round (triu/tril swapped): -inf goes where j > i (the "
    "future), every entry with j <= i stays": lambda s: s.masked_fill(_allowed(
        s.shape[-1], s.device), -INF),
    "you masked the past (j < i); -inf goes where j > i (the future): triu and tril are "
    "swapped": lambda s: s.masked_fill(_allowed(s.shape[-1], s.device).tril(-1), -INF),
    "the diagonal must stay: each position may attend to itself (mask j > i only)":
        lambda s: s.masked_fill(~_allowed(s.shape[-1], s.device).tril(-1), -INF),
    "multiplying by a 0/1 mask puts 0 in the future, not -inf: use masked_fill or where":
        lambda s: s * _allowed(s.shape[-1], s.device),
}


def _mask_value_check(g, out, scores):
    """A finite stand-in (-1e9, finfo.min) for -inf gets its own message."""
    if out is None or not isinstance(out.value, torch.Tensor) or \
            out.value.shape != scores.shape:
        return
    fut = out.value[..., ~_allowed(scores.shape[-1], out.value.device)]
    if fut.numel() and bool(fut.isfinite().all()) and bool((fut < -1e3).all()):
        g.check("mask_value", False,
                f"future entries are {fut.flatten()[0].item():.4g}, not -inf: the catalog "
                "asks for float('-inf'), not a large finite number (-1e9 or finfo.min)")


@grader("ch13.apply_causal_mask")
def apply_causal_mask(g):
    d = g.device
    picture = _picture("masked scores (first batch element and head; future positions "
                       "j > i marked: they must be -inf)", label="your result")
    g.expect("book_example", (t([[1., 2.], [3., 4.]], device=d),),
             t([[1., -INF], [3., 4.]], device=d), exact=True, mistakes=_APPLY_MISTAKES,
             figure=picture)
    for dtype in FLOATS:
        B, nh, T = g.dims(3)
        for shape in ((T, T), (B, T, T), (1, T, T), (B, nh, T, T), (B, 1, 1), (1, 1)):
            s = g.randn(*shape, dtype=dtype)
            for args in g.layouts(s):
                out = g.expect("random_inputs", args, g.oracle64(_apply_mask, *args),
                               exact=True, mistakes=_APPLY_MISTAKES, figure=picture)
                _mask_value_check(g, out, s)
    # the battery: positions, never values, decide what is masked
    causal.masks_zero_scores(g, T=5, batch=3)
    # row i of the result must not depend on scores[..., i, j > i]: redraw the columns
    # j > t of every row and compare rows <= t. (No Jacobian check here: an additive
    # mask, scores + (-inf above the diagonal), is right but has gradient 1 at -inf.)
    s = g.randn(3, 5, 5)
    causal.future_invariance(g, (s,), {0: -1}, out_axis=-2)
    causal.half_precision(g, (g.randn(2, 5, 5),), _apply_mask)


# -- 6. masked_softmax ---------------------------------------------------------------------

def _masked_softmax(s, allowed):
    return s.masked_fill(~allowed, -INF).softmax(-1).nan_to_num(0.0)


_EMPTY_ROWS = "a row with nothing allowed must be all zeros, never NaN"
_SOFTMAX_MISTAKES = {
    _EMPTY_ROWS: lambda s, a: s.masked_fill(~a, -INF).softmax(-1),
    "a row with nothing allowed must be all zeros, not uniform: a finite fill value such "
    "as -1e9 spreads its weight evenly; zero those rows":
        lambda s, a: s.masked_fill(~a, -1e9).softmax(-1),
    "is the softmax over the last dim? each row (..., :) must sum to 1":
        lambda s, a: s.masked_fill(~a, -INF).softmax(-2).nan_to_num(0.0)
        if s.dim() > 1 else None,
    "the mask is inverted: True in `allowed` means the position may get weight":
        lambda s, a: s.masked_fill(a, -INF).softmax(-1).nan_to_num(0.0),
    "you zeroed the weights after the softmax: mask the scores (with -inf) before the "
    "softmax, so the allowed weights sum to 1": lambda s, a: s.softmax(-1) * a,
}


def _random_allowed(g, *shape):
    a = g.uniform(*shape) < 0.6
    a[..., 0, :] = False  # a row with nothing allowed
    if shape[-2] > 2:
        a[..., 2, :] = True  # and one with everything
    return a


@grader("ch13.masked_softmax")
def masked_softmax(g):
    d = g.device
    g.expect("book_example", (t([[0., 0., 5.], [1., 2., 3.]], device=d),
                              t([[True, True, False], [False, False, False]], device=d)),
             t([[0.5, 0.5, 0.], [0., 0., 0.]], device=d), mistakes=_SOFTMAX_MISTAKES,
             figure=_softmax_picture)
    for dtype in FLOATS:
        B, N, T = g.dims(3)
        cases = []
        for shape in ((N, T), (B, N, T), (1, 1, T), (B, 2, N, T)):
            cases.append((g.randn(*shape, dtype=dtype, scale=2.0), _random_allowed(g, *shape)))
        cases.append((g.randn(T, dtype=dtype), g.uniform(T) < 0.5))  # 1-D
        cases.append((g.randn(1, dtype=dtype), t([False], device=d)))
        s = g.randn(B, T, T, dtype=dtype, scale=2.0)
        cases.append((s, _allowed(T, d)))  # allowed (T, T) broadcast over the batch
        cases.append((s, _random_allowed(g, 1, T, T)))
        for s, a in cases:
            g.against("random_inputs", g.layouts(s, a), _masked_softmax,
                      mistakes=_SOFTMAX_MISTAKES, figure=_softmax_picture)
        # +-1000: without subtracting the row max, exp overflows
        s = torch.where(g.uniform(B, N, T, dtype=dtype) < 0.5, -1000.0, 1000.0) + \
            g.randn(B, N, T, dtype=dtype)
        a = _random_allowed(g, B, N, T)
        a[..., 1, :] = s[..., 1, :] < 0  # only the -1000 entries allowed, the +1000 masked
        a[..., 1, 0] = True
        g.large_scores((s, a), _masked_softmax, exponent=float(s.abs().max()),
                       mistakes=_SOFTMAX_MISTAKES, figure=_softmax_picture)
    # exposed causal weights: exactly 0 above the diagonal, rows summing to 1, no NaN
    T = 5
    s = g.randn(3, T, T, scale=3.0)
    out = g.call("causal_weights", s, _allowed(T, d))
    if out is not None:
        if isinstance(out.value, torch.Tensor) and out.value.shape == (3, T, T):
            causal.causal_weights(g, out.value,
                                  want=lambda: g.oracle64(_masked_softmax, s, _allowed(T, d)))
        else:
            g.check("causal_weights", False, "with allowed = causal_mask(5) and scores of "
                    "shape (3, 5, 5) the result must have shape (3, 5, 5)",
                    lambda: figures.shapes((3, T, T), out.value.shape)
                    if isinstance(out.value, torch.Tensor) else None)


# -- 7. attention_output -------------------------------------------------------------------

@grader("ch13.attention_output")
def attention_output(g):
    mistakes = {
        "are the weights transposed? row i of the weights mixes the values for query i: "
        "weights @ v": lambda w, v: w.mT @ v,
        "an elementwise product is not a matrix product: weights @ v": lambda w, v: w * v,
    }
    d = g.device
    g.expect("book_example", (t([[[1., 0.], [0.5, 0.5]]], device=d),
                              t([[[2., 4.], [4., 0.]]], device=d)),
             t([[[2., 4.], [3., 2.]]], device=d), mistakes=mistakes)
    for dtype in FLOATS:
        for B, T, H in (g.dims(3), g.dims(3), (1, 4, 2), (1, 1, 1)):
            w = g.randn(B, T, T, dtype=dtype).softmax(-1)
            v = g.randn(B, T, H, dtype=dtype)
            g.against("random_inputs", [(w, v), (g.noncontiguous(w), g.transposed_layout(v)),
                                        (g.transposed_layout(w), g.noncontiguous(v))],
                      torch.bmm, mistakes=mistakes)


# -- 8. causal_self_attention --------------------------------------------------------------

def _csa(x, wq, bq, wk, bk, wv, bv):
    q, k, v = _project_qkv(x, wq, bq, wk, bk, wv, bv)
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def _csa_variant(scale=None, mask="causal", dim=-1, swap=False, bias=True, mask_after=False):
    def wrong(x, wq, bq, wk, bk, wv, bv):
        if not bias:
            bq, bk, bv = 0, 0, 0
        q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
        if swap:
            q, k = k, q
        sc = scale(x, q) if callable(scale) else scale
        return _attend(q, k, v, _allowed(x.shape[1], x.device, mask), sc, dim, mask_after)
    return wrong


_NO_SCALE = "did you forget to scale the scores by 1/sqrt(H) (H = the head size)?"
_BY_C = "scale by 1/sqrt(H), H the head size (q.shape[-1]), not by 1/sqrt(C)"
_BY_H = "scale by 1/sqrt(H), not by 1/H"
_FUTURE = ("your mask lets positions attend to the future: triu and tril are swapped "
           "(allowed is j <= i, tril; masked is j > i, triu(1))")
_NO_MASK = "there is no causal mask: -inf where j > i before the softmax"
_WRONG_DIM = "is the softmax over the last dim (the keys)? each query's weights sum to 1"
_AFTER = ("mask the scores with -inf before the softmax; zeroing weights after it leaves "
          "rows that do not sum to 1")
_STRICT = "the diagonal must stay unmasked: each position may attend to itself"
_NO_BIAS = "are the biases missing? q = x @ wq + bq, and so on"

_CSA_MISTAKES = {
    _NO_SCALE: _csa_variant(scale=1.0),
    _BY_C: _csa_variant(scale=lambda x, q: x.shape[-1] ** -0.5),
    _BY_H: _csa_variant(scale=lambda x, q: 1 / q.shape[-1]),
    _FUTURE: _csa_variant(mask="future"),
    _NO_MASK: _csa_variant(mask="none"),
    _WRONG_DIM: _csa_variant(dim=-2),
    _SWAPPED: _csa_variant(swap=True),
    _AFTER: _csa_variant(mask_after=True),
    _STRICT: _csa_variant(mask="strict"),
    _NO_BIAS: _csa_variant(bias=False),
}

_BY_VALUES = ("every score is 0 here and your result is wrong: the "
              "mask must be built from positions (torch.tril of ones), never from the score "
              "values (scores == 0 or scores.triu(1) != 0)")


def _csa_args(g, B, T, C, H, dtype=torch.float32):
    x = g.randn(B, T, C, dtype=dtype)
    ws = []
    for _ in range(3):
        ws += [g.randn(C, H, dtype=dtype, scale=C ** -0.5), g.randn(H, dtype=dtype, scale=0.5)]
    return (x, *ws)


def _equal_norm_rows(g, B: int, T: int, nh: int, H: int, dtype) -> torch.Tensor:
    """(B, T, nh * H) whose every head slice x[b, t, h*H:(h+1)*H] has norm sqrt(H)."""
    x = g.randn(B, T, nh, H, dtype=torch.float64)
    x = x / torch.linalg.vector_norm(x, dim=-1, keepdim=True) * math.sqrt(H)
    return x.flatten(-2).to(dtype)


def _max_score(q, k) -> float:
    """The largest |score| of q k^T / sqrt(H), in float64."""
    return float((q.double() @ k.double().mT).abs().max()) / math.sqrt(q.shape[-1])


def _reference_passed(g) -> bool:
    return not g.report.failed("random_inputs")


def _zero_scores_check(g, check, args, want, mistakes):
    """Every score 0 (zero query weights): a mask built from score values fails here.

    Run after the random inputs: when those passed, a failure here is a value-built mask.
    """
    out = g.call(check, *args)
    if out is None:
        return
    g.inputs_unchanged(out, args)
    msg = g.difference(out.value, want, args, mistakes)
    if msg and _reference_passed(g):  # right on random scores, wrong when they are all 0
        msg = f"{msg}; {_BY_VALUES}"
    g.check(check, msg is None, f"{g.ex.name} with all-zero query weights: {msg}")


def _gradient(g, args, oracle, wrt):
    """**grad**, once the values are right (a wrong forward has a wrong gradient too)."""
    if _reference_passed(g):
        g.gradient(args, oracle, wrt=wrt)


@grader("ch13.causal_self_attention")
def causal_self_attention(g):
    d = g.device
    z = lambda *s: torch.zeros(*s, device=d)  # noqa: E731
    for dtype in FLOATS:
        for B, T, C, H in (g.dims(4), g.dims(4), (1, 4, 3, 2), (2, 1, 4, 3), (1, 1, 3, 2)):
            args = _csa_args(g, B, T, C, H, dtype)
            g.against("random_inputs", g.layouts(*args), _csa, mistakes=_CSA_MISTAKES)
    # the example has zero queries too: every score is 0
    _zero_scores_check(g, "book_example", (t([[[2., 0.], [0., 4.]]], device=d), z(2, 2), z(2),
                                           z(2, 2), z(2), torch.eye(2, device=d), z(2)),
                       t([[[2., 0.], [1., 2.]]], device=d), _CSA_MISTAKES)
    # the battery (small sizes: B <= 3, T <= 6, C <= 12)
    B, T, C, H = 3, 5, 7, 4
    args = _csa_args(g, B, T, C, H)
    causal.future_invariance(g, args, {0: 1})
    causal.jacobian_causal(g, args, wrt=0)
    x, wq, bq, *rest = _csa_args(g, 2, 6, 5, 3)
    args = (x, torch.zeros_like(wq), torch.zeros_like(bq), *rest)
    _zero_scores_check(g, "zero_scores", args, g.oracle64(_csa, *args), _CSA_MISTAKES)
    # exposed weights: one-hot positions in x's first T channels and wv picking them give
    # v = identity, so the output is the attention weights themselves
    T, C = 5, 9
    x, wq, bq, wk, bk, wv, bv = _csa_args(g, 2, T, C, T)
    x[..., :T] = torch.eye(T, device=d)
    wv = torch.zeros(C, T, device=d)
    wv[:T] = torch.eye(T, device=d)
    want = g.oracle64(_csa, x, wq, bq, wk, bk, wv, torch.zeros_like(bv))
    out = g.expect("causal_weights", (x, wq, bq, wk, bk, wv, torch.zeros_like(bv)), want,
                   mistakes=_CSA_MISTAKES, figure=_picture(
                       "attention weights (v = identity, so the output is the weights; first "
                       "batch element; future positions j > i marked)"))
    if out is not None and isinstance(out.value, torch.Tensor):
        causal.causal_weights(g, out.value, want=lambda: want)
    causal.half_precision(g, _csa_args(g, 2, 5, 8, 4), _csa)
    # scores of +-1000 through the inputs (q = k = 22 x, rows of x of equal norm: each
    # row's largest score is its own, allowed, position, so every stable route is exact,
    # masking after the softmax and renormalising included; exp without the shift is not)
    for dtype in FLOATS:
        B, T, H = 2, 6, 4
        x = _equal_norm_rows(g, B, T, 1, H, dtype)
        w = 22 * torch.eye(H, dtype=dtype, device=d)
        zero = torch.zeros(H, dtype=dtype, device=d)
        args = (x, w, zero, w, zero, g.randn(H, H, dtype=dtype), g.randn(H, dtype=dtype))
        g.large_scores(args, _csa, exponent=_max_score(22 * x, 22 * x),
                       scale=float(g.oracle64(_project_qkv, *args)[2].abs().max()),
                       mistakes=_CSA_MISTAKES)
    # the marks
    g.vectorised(lambda s: _csa_args(g, s, s + 1, s + 2, s + 3), oracle=_csa)
    _gradient(g, _csa_args(g, 2, 4, 5, 3, torch.float64), _csa, wrt=tuple(range(7)))
    g.banned(*_csa_args(g, 2, 4, 5, 3), oracle=_csa)


# -- 9. multi_head_attention ---------------------------------------------------------------

def _mha(x, w_qkv, b_qkv, w_o, b_o, n_heads):
    """torch's own multi-head attention (it takes (T, B, C) and (out, in) weights)."""
    T, C = x.shape[1], x.shape[2]
    xt = x.transpose(0, 1)
    out, _ = F.multi_head_attention_forward(
        xt, xt, xt, C, n_heads, w_qkv.T, b_qkv, None, None, False, 0.0, w_o.T, b_o,
        training=False, need_weights=False, attn_mask=~_allowed(T, x.device))
    return out.transpose(0, 1)


def _mha_variant(order="qkv", split=True, merge=True, scale=None, mask="causal", proj=True,
                 dim=-1):
    def wrong(x, w_qkv, b_qkv, w_o, b_o, nh):
        B, T, C = x.shape
        H = C // nh
        parts = dict(zip("qkv", (x @ w_qkv + b_qkv).split(C, dim=-1)))
        q, k, v = (parts[c] for c in order)
        if split:
            q, k, v = (a.reshape(B, T, nh, H).transpose(1, 2) for a in (q, k, v))
        else:  # heads split by a reshape that mixes time and channels
            q, k, v = (a.reshape(B, nh, T, H) for a in (q, k, v))
        sc = scale(C, H) if callable(scale) else scale
        y = _attend(q, k, v, _allowed(T, x.device, mask), sc, dim)
        y = y.transpose(1, 2).reshape(B, T, C) if merge else y.reshape(B, T, C)
        return y @ w_o + b_o if proj else y
    return wrong


_SPLIT = ("heads split by reshape/view without a transpose: view (B, T, C) as (B, T, nh, H), "
          "then transpose to (B, nh, T, H)")
_MERGE = ("heads merged without transposing back: (B, nh, T, H) -> transpose(1, 2) -> "
          "(B, T, nh, H) -> reshape (B, T, C)")
_ORDER = "w_qkv packs q, k, v in that order: q = columns 0..C-1, k = C..2C-1, v = 2C..3C-1"
_NO_PROJ = "the output projection is missing: end with y @ w_o + b_o"

_MHA_MISTAKES = {
    _SPLIT: _mha_variant(split=False),
    _MERGE: _mha_variant(merge=False),
    _ORDER + " (you used k, q, v)": _mha_variant(order="kqv"),
    _ORDER + " (you used q, v, k)": _mha_variant(order="qvk"),
    _ORDER + " (you used v, k, q)": _mha_variant(order="vkq"),
    _NO_PROJ: _mha_variant(proj=False),
    _NO_SCALE: _mha_variant(scale=1.0),
    _BY_C: _mha_variant(scale=lambda C, H: C ** -0.5),
    _BY_H: _mha_variant(scale=lambda C, H: 1 / H),
    _FUTURE: _mha_variant(mask="future"),
    _NO_MASK: _mha_variant(mask="none"),
    _WRONG_DIM: _mha_variant(dim=-2),
}


def _mha_args(g, B, T, nh, H, dtype=torch.float32):
    C = nh * H
    return (g.randn(B, T, C, dtype=dtype), g.randn(C, 3 * C, dtype=dtype, scale=C ** -0.5),
            g.randn(3 * C, dtype=dtype, scale=0.5), g.randn(C, C, dtype=dtype, scale=C ** -0.5),
            g.randn(C, dtype=dtype, scale=0.5), nh)


def _mha_sizes(g):
    """(B, T, nh, H) with B, T, nh, H and C = nh * H all different."""
    nh, H = g.dims(2, 2, 4)
    B, T = _distinct(g, 2, 2, 9, avoid=(nh, H, nh * H))
    return B, T, nh, H


@grader("ch13.multi_head_attention")
def multi_head_attention(g):
    d = g.device
    for dtype in FLOATS:
        for B, T, nh, H in (_mha_sizes(g), _mha_sizes(g), (1, 3, 3, 2), (2, 4, 1, 3),
                            (1, 1, 2, 3)):
            args = _mha_args(g, B, T, nh, H, dtype)
            g.against("random_inputs", g.layouts(*args), _mha, mistakes=_MHA_MISTAKES)
    # the examples have zero queries too: every score is 0
    z = lambda *s: torch.zeros(*s, device=d)  # noqa: E731
    _zero_scores_check(g, "book_example", (torch.ones(2, 5, 8, device=d), z(8, 24), z(24),
                                           z(8, 8), z(8), 2), z(2, 5, 8), _MHA_MISTAKES)
    _zero_scores_check(g, "book_example", (t([[[2., 0.], [0., 4.]]], device=d),
                                           torch.cat([z(2, 4), torch.eye(2, device=d)], 1),
                                           z(6), torch.eye(2, device=d), z(2), 2),
                       t([[[2., 0.], [1., 2.]]], device=d), _MHA_MISTAKES)
    # the battery (small sizes: B <= 3, T <= 6, C <= 12)
    args = _mha_args(g, 3, 5, 2, 4)
    causal.future_invariance(g, args, {0: 1})
    causal.jacobian_causal(g, args, wrt=0)
    x, w_qkv, b_qkv, *rest = _mha_args(g, 2, 6, 3, 4)
    C = x.shape[-1]
    w_qkv, b_qkv = w_qkv.clone(), b_qkv.clone()
    w_qkv[:, :C], b_qkv[:C] = 0, 0  # zero queries: every score is 0
    args = (x, w_qkv, b_qkv, *rest)
    _zero_scores_check(g, "zero_scores", args, g.oracle64(_mha, *args), _MHA_MISTAKES)
    # exposed weights: one-hot positions in x and a v-projection that copies them into
    # every head, w_o = I: head h's output channels 0..T-1 are its attention weights
    B, T, nh, H = 3, 4, 2, 5
    C = nh * H
    x, w_qkv, b_qkv, _, _, _ = _mha_args(g, B, T, nh, H)
    x[..., :T] = torch.eye(T, device=d)
    w_qkv, b_qkv = w_qkv.clone(), b_qkv.clone()
    w_qkv[:, 2 * C:], b_qkv[2 * C:] = 0, 0
    for h in range(nh):
        w_qkv[:T, 2 * C + h * H: 2 * C + h * H + T] = torch.eye(T, device=d)
    args = (x, w_qkv, b_qkv, torch.eye(C, device=d), torch.zeros(C, device=d), nh)
    heads = lambda y: y.reshape(B, T, nh, H)[..., :T].transpose(1, 2)  # noqa: E731
    want = g.oracle64(_mha, *args)
    out = g.expect("causal_weights", args, want, mistakes=_MHA_MISTAKES,
                   figure=lambda a, got, w: figures.weights(
                       "head 0's attention weights (one-hot inputs copied through v: output "
                       "channels 0..T-1 are the weights; future positions j > i marked)",
                       heads(got), heads(w)) if getattr(got, "shape", None) == (B, T, C)
                   else None)
    if out is not None and isinstance(out.value, torch.Tensor) and \
            out.value.shape == (B, T, C):
        causal.causal_weights(g, heads(out.value), want=lambda: heads(want))
    causal.half_precision(g, _mha_args(g, 2, 5, 2, 4), _mha)
    # scores of +-1000 through the inputs, each row's largest score allowed (as for
    # causal_self_attention): q = k = 22 x, every head's slice of x of the same norm
    for dtype in FLOATS:
        B, T, nh, H = 2, 5, 2, 4
        C = nh * H
        x = _equal_norm_rows(g, B, T, nh, H, dtype)
        w_qkv = torch.cat([22 * torch.eye(C, dtype=dtype, device=d)] * 2 +
                          [g.randn(C, C, dtype=dtype, scale=C ** -0.5)], dim=1)
        b_qkv = torch.cat([torch.zeros(2 * C, dtype=dtype, device=d),
                           g.randn(C, dtype=dtype, scale=0.5)])
        w_o, b_o = g.randn(C, C, dtype=dtype, scale=C ** -0.5), g.randn(C, dtype=dtype)
        args = (x, w_qkv, b_qkv, w_o, b_o, nh)
        heads = (22 * x.double()).unflatten(-1, (nh, H)).transpose(1, 2)
        v = x.double() @ w_qkv[:, 2 * C:].double() + b_qkv[2 * C:].double()
        g.large_scores(args, _mha, exponent=_max_score(heads, heads),
                       scale=float((v.abs() @ w_o.double().abs()).max()),
                       mistakes=_MHA_MISTAKES)
    # the marks
    g.vectorised(lambda s: _mha_args(g, s, s + 1, 2, s), oracle=_mha)
    _gradient(g, _mha_args(g, 3, 4, 2, 5, torch.float64), _mha, wrt=(0, 1, 2, 3, 4))
    g.banned(*_mha_args(g, 2, 4, 2, 3), oracle=_mha)


# -- 10. padded_causal_attention -----------------------------------------------------------

def _padded(q, k, v, key_padding):
    allowed = _allowed(q.shape[-2], q.device) & ~key_padding[:, None, :]
    return _sdpa(q, k, v, allowed)


def _padded_variant(how="both", mask="causal", scale=None, nan=False):
    def wrong(q, k, v, kp):
        T = q.shape[-2]
        allowed = _allowed(T, q.device, mask).expand(q.shape[0], T, T)
        if how == "queries":
            allowed = allowed & ~kp[:, :, None]
        elif how == "inverted":
            allowed = allowed & kp[:, None, :]
        elif how == "both":
            allowed = allowed & ~kp[:, None, :]
        out = _attend(q, k, v, allowed, scale)
        return out if nan else torch.where(allowed.any(-1, keepdim=True), out, 0.0)
    return wrong


_PADDED_MISTAKES = {
    "a query with no allowed key must give zeros, never NaN": _padded_variant(nan=True),
    "padded keys still get weight: mask the columns j where key_padding[b, j] is True":
        _padded_variant(how="causal only"),
    "key_padding masks keys (columns j), not queries (rows i): key_padding[:, None, :]":
        _padded_variant(how="queries"),
    "key_padding is inverted: True marks padding, which must get no weight":
        _padded_variant(how="inverted"),
    "the causal mask is missing: also mask j > i": _padded_variant(mask="none"),
    _FUTURE: _padded_variant(mask="future"),
    _NO_SCALE: _padded_variant(scale=1.0),
}


def _padding(g, B, T, kind):
    if kind == "none":
        return torch.zeros(B, T, dtype=torch.bool, device=g.device)
    if kind == "random":
        kp = g.uniform(B, T) < 0.4
        kp[:, 0] = False  # no query sees nothing: a NaN-free Jacobian
        return kp
    lengths = g.randint(T, B) + 1  # 1..T real tokens
    lengths[0] = T
    pos = torch.arange(T, device=g.device)
    if kind == "right":  # tokens first, padding after
        return pos[None, :] >= lengths[:, None]
    kp = pos[None, :] < (T - lengths)[:, None]  # left padding: queries that see nothing
    kp[-1] = True  # one batch element that is padding only
    return kp


@grader("ch13.padded_causal_attention")
def padded_causal_attention(g):
    d = g.device

    def picture(args, got, want):
        """Which keys each query of one batch element (the one with the most padding, some
        key not padded) uses, beside what the causal mask and its padding allow."""
        q, k, v, kp = args
        T = q.shape[-2]
        pads = kp.sum(-1).masked_fill(kp.all(-1), -1)
        b = int(pads.argmax())
        allowed = _allowed(T, kp.device) & ~kp[b][None, :]
        return causal.dependence(
            g, (q[b:b + 1], k[b:b + 1], v[b:b + 1], kp[b:b + 1]), {1: 1, 2: 1}, out_axis=1,
            allowed=allowed, title=f"which keys (columns) each query (row) uses, batch element "
                                   f"{b}; padded keys and future positions marked")
    g.expect("book_example", (t([[[0.], [0.], [0.]]], device=d), t([[[0.], [0.], [0.]]], device=d),
                              t([[[1.], [3.], [8.]]], device=d), t([[True, False, False]],
                                                                    device=d)),
             t([[[0.], [3.], [5.5]]], device=d), mistakes=_PADDED_MISTAKES, figure=picture)
    for dtype in FLOATS:
        for B, T, H in (g.dims(3), g.dims(3), (2, 4, 3), (1, 1, 2)):
            for kind in ("none", "random", "right", "left"):
                if kind == "left" and B == 1:
                    continue
                q, k, v = (g.randn(B, T, H, dtype=dtype) for _ in range(3))
                g.against("random_inputs", g.layouts(q, k, v, _padding(g, B, T, kind)),
                          _padded, mistakes=_PADDED_MISTAKES, figure=picture)
    # the battery, key_padding fixed
    B, T, H = 3, 6, 4
    args = (*(g.randn(B, T, H) for _ in range(3)), _padding(g, B, T, "random"))
    causal.future_invariance(g, args, {0: 1, 1: 1, 2: 1})
    for wrt in (0, 1, 2):
        causal.jacobian_causal(g, args, wrt=wrt)
    args = (*(g.randn(2, 5, 3) for _ in range(3)), _padding(g, 2, 5, "right"))
    causal.half_precision(g, args, _padded)
    # scores of +-1000
    for dtype in FLOATS:
        B, T, H = 3, 6, 4
        q, k, v = (g.randn(B, T, H, dtype=dtype) for _ in range(3))
        q, k = q * 25, k * 25
        g.large_scores((q, k, v, _padding(g, B, T, "right")), _padded,
                       exponent=_max_score(q, k), scale=float(v.abs().max()),
                       mistakes=_PADDED_MISTAKES)


# -- 11. attention_with_kv_cache -----------------------------------------------------------

def _kv_step(q_t, k_t, v_t, k_cache, v_cache):
    k_all, v_all = torch.cat([k_cache, k_t], dim=1), torch.cat([v_cache, v_t], dim=1)
    return F.scaled_dot_product_attention(q_t, k_all, v_all), k_all, v_all


def _cat(cache, new):
    return torch.cat([cache, new], dim=1)


_KV_MISTAKES = {
    "the step ignored its own key and value: append k_t and v_t to the caches before "
    "attending, and put no causal mask inside a decoding step (the newest query may see "
    "every cached position)": lambda q, k, v, kc, vc: vc if kc.shape[1] == 1 else None,
    "the step must attend to itself too: append k_t and v_t to the caches before "
    "attending": lambda q, k, v, kc, vc: _attend(q, kc, vc),
    "the new key and value go at the end of the caches: torch.cat([k_cache, k_t], dim=1)":
        lambda q, k, v, kc, vc: torch.cat([k, kc], dim=1),
    "return the new caches (with k_t and v_t appended), not the old ones":
        lambda q, k, v, kc, vc: kc,
    "did you forget to scale the scores by 1/sqrt(H)?":
        lambda q, k, v, kc, vc: _attend(q, _cat(kc, k), _cat(vc, v), scale=1.0),
    "no causal mask inside a decoding step: the newest query may see every cached "
    "position (a tril mask of shape (1, S+1) keeps only the first)":
        lambda q, k, v, kc, vc: _cat(vc, v)[:, :1],
    "is the softmax over the last dim (the S+1 keys)?":
        lambda q, k, v, kc, vc: _cat(vc, v).sum(1, keepdim=True),
}


@grader("ch13.attention_with_kv_cache")
def attention_with_kv_cache(g):
    d = g.device
    g.expect("book_example", (torch.zeros(1, 1, 2, device=d), torch.zeros(1, 1, 2, device=d),
                              t([[[4., 0.]]], device=d), t([[[1., 1.]]], device=d),
                              t([[[2., 2.]]], device=d)),
             (t([[[3., 1.]]], device=d), t([[[1., 1.], [0., 0.]]], device=d),
              t([[[2., 2.], [4., 0.]]], device=d)), mistakes=_KV_MISTAKES)
    for dtype in FLOATS:
        for B, S, H in (g.dims(3), g.dims(3), (1, 0, 2), (2, 1, 3), (3, 0, 1)):
            new = [g.randn(B, 1, H, dtype=dtype) for _ in range(3)]
            caches = [g.randn(B, S, H, dtype=dtype) for _ in range(2)]
            g.against("random_inputs", g.layouts(*new, *caches), _kv_step,
                      mistakes=_KV_MISTAKES)
    # scores of +-1000
    for dtype in FLOATS:
        B, S, H = 2, 5, 4
        q_t, k_t, v_t = (g.randn(B, 1, H, dtype=dtype) for _ in range(3))
        k_c, v_c = g.randn(B, S, H, dtype=dtype), g.randn(B, S, H, dtype=dtype)
        q_t, k_t, k_c = q_t * 25, k_t * 25, k_c * 25
        g.large_scores((q_t, k_t, v_t, k_c, v_c), _kv_step,
                       exponent=_max_score(q_t, _cat(k_c, k_t)),
                       scale=float(_cat(v_c, v_t).abs().max()), mistakes=_KV_MISTAKES)
    # step by step from empty caches, feeding back the returned caches
    for dtype in FLOATS:
        B, T, H = 2, 5, 3
        q, k, v = (g.randn(B, T, H, dtype=dtype) for _ in range(3))
        kc = vc = torch.zeros(B, 0, H, dtype=dtype, device=d)
        outs = []
        for s in range(T):
            out = g.call("step_by_step", q[:, s:s + 1], k[:, s:s + 1], v[:, s:s + 1], kc, vc)
            if out is None:
                return
            if not isinstance(out.value, (tuple, list)) or len(out.value) != 3:
                g.check("step_by_step", False, "return a tuple (out, new k_cache, "
                                               "new v_cache)")
                return
            o, kc, vc = out.value
            for name, got, want in (("k_cache", kc, k[:, :s + 1]), ("v_cache", vc, v[:, :s + 1])):
                msg = g.difference(got, want, exact=True)
                if msg:
                    g.check("caches", False, f"after step {s} from empty caches the new "
                            f"{name} should be torch.cat of the {s + 1} keys/values so far: "
                            f"{msg}")
                    return
            outs.append(o)
        g.check("caches", True)
        want = g.oracle64(lambda q, k, v: F.scaled_dot_product_attention(q, k, v,
                                                                         is_causal=True),
                          q, k, v)
        try:
            got = torch.cat(outs, dim=1)
        except (RuntimeError, TypeError) as exc:
            g.check("step_by_step", False, f"the outputs of the steps cannot be "
                                           f"concatenated: {exc}")
            return
        msg = g.difference(got, want)
        g.check("step_by_step", msg is None,
                f"run step by step from empty caches (B, 0, H), the outputs differ from full "
                f"causal attention over the sequence: {msg}")


# -- 12. attention_entropy -----------------------------------------------------------------

def _entropy(w):
    return torch.special.entr(w).sum(-1)


_ENTROPY_MISTAKES = {
    "0 ln 0 gave NaN: take 0 * ln 0 = 0 (torch.where(w > 0, ...), or torch.xlogy)":
        lambda w: -(w * w.log()).sum(-1),
    "use the natural log (ln), not log2": lambda w: _entropy(w) / math.log(2),
    "use the natural log (ln), not log10": lambda w: _entropy(w) / math.log(10),
    "the entropy is -sum w ln w: is the minus sign missing?": lambda w: -_entropy(w),
    "sum over the last dim (each row's weights), not dim 0":
        lambda w: torch.special.entr(w).sum(0) if w.dim() > 1 else None,
}


def _weights(g, *shape, dtype):
    w = g.randn(*shape, dtype=dtype).softmax(-1)
    keep = g.uniform(*shape) < 0.7
    keep[..., 0] = True
    w = w * keep  # exact zeros
    w = w / w.sum(-1, keepdim=True)
    if len(shape) > 1 and shape[-2] > 1:
        w[..., 1, :] = 0  # a one-hot row: entropy 0
        w[..., 1, -1] = 1
    return w


@grader("ch13.attention_entropy")
def attention_entropy(g):
    d = g.device
    g.expect("book_example", (t([[0.5, 0.5], [1., 0.]], device=d),),
             t([0.6931472, 0.], device=d), mistakes=_ENTROPY_MISTAKES)
    for dtype in FLOATS:
        B, N, T = g.dims(3)
        cases = [_weights(g, N, T, dtype=dtype), _weights(g, B, N, T, dtype=dtype),
                 _weights(g, B, 2, N, T, dtype=dtype), _weights(g, T, dtype=dtype),
                 _weights(g, 1, 1, dtype=dtype)]
        s = g.randn(B, T, T, dtype=dtype).masked_fill(~_allowed(T, d), -INF)
        cases.append(s.softmax(-1))  # causal weights: zeros above the diagonal
        for w in cases:
            g.against("random_inputs", g.layouts(w), _entropy, mistakes=_ENTROPY_MISTAKES)
