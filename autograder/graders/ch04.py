"""Hidden graders for ch04 - Elementwise maths and reductions.

Oracles are torch built-ins in float64 (torch.log2, torch.amin, torch.var, torch.cumsum,
torch.clamp, torch.logsumexp, ...) or a closed form (scale * x + shift, the weighted average),
never solutions/. Every grader runs the docstring example, random inputs of both float dtypes
with every dimension a different size (1 included), a non-contiguous layout, and the marks.

Where a result can cancel to far below the values it is computed from (a shifted value, a
sum, a running total, a mean, a log-sum-exp near 0) the comparison gets ``scale=`` the size
of those values. The product of total_and_product is fed values near 1 in magnitude, so it
neither overflows nor underflows. argmax_rows gets rows whose largest value is unique (its
docstring says so). ``logsumexp`` is graded at scores of +-1000 in float32 and float64 (exp
overflows both), with -inf entries, and with a slice of all -inf (the docstring fixes -inf,
as torch.logsumexp).

``mistakes`` map a message to a wrong oracle: the same computation with one typical mistake.
When a student's result matches one, that message is the feedback.
"""
import math
import warnings

import torch

from autograder.checks.compare import show
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor
INF = float("inf")


# -- shared helpers ------------------------------------------------------------------------

def _shapes(g, with_3d: bool = True) -> list[tuple[int, ...]]:
    """Shapes of 1 to 3 axes, every axis a different size, sizes of 1 included."""
    n, d = g.dims(2)
    b, n3, d3 = g.dims(3, 2, 6)
    out = [(1,), (n,), (1, d), (n, 1), (n, d)]
    if with_3d:
        out += [(b, n3, d3), (b, 1, d3)]
    return out


def _result_kind(g, check: str, args: tuple, want, kinds: dict, **opts):
    """``g.expect``, after naming a result of the wrong kind (``kinds``: message -> a
    predicate on the result, tried in order)."""
    out = g.impl.call(g.ex.name, *args, trace=g.traced)
    if out.ok:
        for message, wrong_kind in kinds.items():
            try:
                hit = wrong_kind(out.value, args)
            except Exception:
                hit = False
            if hit:
                g.check("result_kind", False,
                        f"{g.call_text(args)} returned {show(out.value)}: {message}")
                break
    return g.expect(check, args, want, outcome=out, **opts)


def _other_axes(message: str, reduce) -> dict:
    """One wrong oracle per axis k: ``reduce(x, k)`` where k is not the asked-for dim."""
    out = {}
    for k in range(3):
        out[message.format(k=k)] = (
            lambda x, d, *rest, k=k: reduce(x, k, *rest)
            if k < x.dim() and k != d % x.dim() else None)
    return out


# -- 1. affine -----------------------------------------------------------------------------

_AFFINE_MISTAKES = {
    "scale and shift are swapped: out = scale * x + shift": lambda x, s, b: b * x + s,
    "is the shift missing? out = scale * x + shift": lambda x, s, b: s * x,
    "is the scale missing? out = scale * x + shift": lambda x, s, b: x + b,
    "the shift is added before scaling, (x + shift) * scale; scale first, then shift":
        lambda x, s, b: (x + b) * s,
}


def _affine(x, scale, shift):
    return torch.add(torch.full_like(x, shift), x, alpha=scale)


@grader("ch04.affine")
def affine(g):
    g.expect("book_example", (t([1., 2., -3.], device=g.device), 2.0, 0.5),
             t([2.5, 4.5, -5.5], device=g.device), exact=True, mistakes=_AFFINE_MISTAKES)
    for dtype in FLOATS:
        for shape in [(), *_shapes(g)]:
            x = g.randn(*(shape or (1,)), dtype=dtype, scale=2.0).reshape(shape)
            scale = round(float(g.uniform(1, lo=0.5, hi=3.0)), 3) * (-1) ** len(shape)
            shift = round(float(g.uniform(1, lo=-4.0, hi=4.0)), 3)
            if abs(abs(shift) - abs(scale)) < 0.1:
                shift += 1.0
            size = float(x.abs().max()) * abs(scale) + abs(shift)
            g.against("random_inputs", g.layouts(x, scale, shift), _affine,
                      mistakes=_AFFINE_MISTAKES, scale=size)
        # large values, a small shift: the shift must still be there
        x = g.randn(*g.dims(2), dtype=dtype, scale=1e4)
        g.against("large_values", [(x, -0.5, 0.25)], _affine, mistakes=_AFFINE_MISTAKES,
                  scale=float(x.abs().max()) * 0.5)


# -- 2. log_table --------------------------------------------------------------------------

def _logs(x, order=(0, 1, 2)):
    rows = (torch.log(x), torch.log2(x), torch.log10(x))
    return torch.stack([rows[i] for i in order])


_ORDER = "the rows are ln x, log2 x, log10 x, in that order"
_LOG_MISTAKES = {
    f"log2 and log10 are swapped: {_ORDER}": lambda x: _logs(x, (0, 2, 1)),
    f"ln and log2 are swapped: {_ORDER}": lambda x: _logs(x, (1, 0, 2)),
    f"ln and log10 are swapped: {_ORDER}": lambda x: _logs(x, (2, 1, 0)),
    f"the rows are in the wrong order: {_ORDER}": lambda x: _logs(x, (1, 2, 0)),
    f"the rows are in the wrong order ({_ORDER})": lambda x: _logs(x, (2, 0, 1)),
    "the result is (n, 3), one column per logarithm; it should be (3, n), one row each "
    "(stack along dim 0)": lambda x: _logs(x).T,
    "log10 x is ln x / ln 10, not ln x / 10": lambda x: torch.stack(
        [x.log(), x.log2(), x.log() / 10]),
    "log2 x is ln x / ln 2, not ln x / 2": lambda x: torch.stack(
        [x.log(), x.log() / 2, x.log10()]),
}


@grader("ch04.log_table")
def log_table(g):
    g.expect("book_example", (t([1., 2., 10.], device=g.device),),
             t([[0., math.log(2), math.log(10)], [0., 1., math.log2(10)],
                [0., math.log10(2), 1.]], device=g.device), mistakes=_LOG_MISTAKES)
    for dtype in FLOATS:
        for n in (1, *g.dims(2, 3, 12)):
            x = g.uniform(n, lo=0.05, hi=20.0, dtype=dtype)
            x[0] = 1.0 if n > 2 else x[0]  # logs of exactly 0
            g.against("random_inputs", g.layouts(x), _logs, mistakes=_LOG_MISTAKES)
        # tiny and huge magnitudes, exact powers of 2 and 10
        x = t([1e-30, 3e-8, 0.5, 1.0, 8.0, 1000.0, 7e12, 1e30], dtype=dtype, device=g.device)
        g.against("magnitudes", [(x,)], _logs, mistakes=_LOG_MISTAKES)


# -- 3. sin_cos_table ----------------------------------------------------------------------

def _sin_cos(n, start=0, unit=1.0, cols=(0, 1)):
    i = torch.arange(start, start + n, dtype=torch.float64) * unit
    parts = (i.sin(), i.cos())
    return torch.stack([parts[c] for c in cols], dim=1).float()


_SIN_COS_MISTAKES = {
    "the columns are swapped: row i is [sin(i), cos(i)], sine first":
        lambda n: _sin_cos(n, cols=(1, 0)),
    "the result is (2, n); it should be (n, 2), one row [sin(i), cos(i)] per i":
        lambda n: _sin_cos(n).T,
    "i is in degrees; torch.sin and torch.cos take radians and i itself is the angle":
        lambda n: _sin_cos(n, unit=math.pi / 180),
    "i runs 1..n; it should run 0..n-1 (torch.arange(n)), so row 0 is [0, 1]":
        lambda n: _sin_cos(n, start=1),
    "n + 1 rows: i runs 0..n-1, torch.arange(n) excludes n":
        lambda n: _sin_cos(n + 1),
    "n - 1 rows: i runs 0..n-1, that is n values":
        lambda n: _sin_cos(n - 1) if n > 1 else None,
}


@grader("ch04.sin_cos_table")
def sin_cos_table(g):
    cases = [(3, "book_example"), (1, "one_row"), (2, "random_sizes")]
    cases += [(n, "random_sizes") for n in (*g.dims(2, 4, 30), 100)]
    for n, check in cases:
        out = g.call(check, n)
        if out is None:
            continue
        g.inputs_unchanged(out, (n,))
        msg = g.difference(out.value, _sin_cos(n), (n,), _SIN_COS_MISTAKES)
        g.check(check, msg is None, f"sin_cos_table({n}): {msg}")


# -- 4. total_and_product ------------------------------------------------------------------

_SUM_MISTAKES = {
    "the result is (product, sum); it should be (sum, product), the sum first":
        lambda x: x.prod(),
    "that is the sum along dim 0 only; sum every entry": lambda x: x.sum(0),
}
_PROD_MISTAKES = {
    "the result is (product, sum); it should be (sum, product), the sum first":
        lambda x: x.sum(),
    "that is the product of |x|: the signs are lost (exp(sum(log|x|)) drops them)":
        lambda x: x.abs().prod(),
    "that is the product along dim 0 only; multiply every entry": lambda x: x.prod(0),
    "the product is 0: is the running product started at 0 instead of 1?":
        lambda x: torch.zeros((), dtype=x.dtype, device=x.device),
}


def _sum_and_product(g, check: str, x: torch.Tensor) -> None:
    """Sum and product compared on their own scales: the sum can cancel (its scale is
    sum |x|), the product cannot."""
    want = g.oracle64(lambda x: (x.sum(), x.prod()), x)
    out = g.call(check, x)
    if out is None:
        return
    g.inputs_unchanged(out, (x,))
    got = out.value
    where = g.call_text((x,))
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        g.check(check, False, f"{where}: expected a tuple (sum, product) of two 0-d "
                              f"tensors, got {show(got)}")
        return
    msg = g.difference(got[0], want[0], (x,), _SUM_MISTAKES, path="the sum (result[0])",
                       scale=float(x.abs().sum())) or \
        g.difference(got[1], want[1], (x,), _PROD_MISTAKES, path="the product (result[1])")
    g.check(check, msg is None, f"{where}: {msg}")


@grader("ch04.total_and_product")
def total_and_product(g):
    d = g.device
    _sum_and_product(g, "book_example", t([[1., 2.], [3., -4.]], device=d))
    for dtype in FLOATS:
        for shape in _shapes(g):
            # magnitudes in [0.6, 1.5] with random signs: the product stays near 1
            size = g.uniform(*shape, lo=0.6, hi=1.5, dtype=dtype)
            sign = torch.where(g.uniform(*shape) < 0.5, -1.0, 1.0).to(d, dtype)
            x = size * sign
            _sum_and_product(g, "random_inputs", x)
            _sum_and_product(g, "random_inputs", g.noncontiguous(x))
        x = g.uniform(*g.dims(2), lo=0.6, hi=1.5, dtype=dtype) * -1
        x[0, -1] = 0.0  # a zero entry: the product is exactly 0
        _sum_and_product(g, "zero_entry", x)


# -- 5. min_along --------------------------------------------------------------------------

_MIN_KINDS = {
    "torch.min(m, dim) returns a (values, indices) pair; min_along returns the values only "
    "(.values, or torch.amin)": lambda got, args: isinstance(got, (tuple, list)),
    "these are the indices of the minima (argmin); min_along returns the minimum values":
        lambda got, args: isinstance(got, torch.Tensor) and not got.is_floating_point(),
}
_MIN_MISTAKES = {
    "that is the maximum; min_along wants the minimum": lambda m, d: m.amax(d),
    "the reduced axis is kept (keepdim=True); min_along removes it":
        lambda m, d: m.amin(d, keepdim=True),
    "that is the minimum of the whole tensor; take it along dim only": lambda m, d: m.amin(),
    **_other_axes("the minimum was taken along axis {k}, not along dim (a negative dim "
                  "counts from the end: -1 is the last axis)", lambda m, k: m.amin(k)),
}


@grader("ch04.min_along")
def min_along(g):
    m = t([[3., 1., 2.], [0., 5., -1.]], device=g.device)
    _result_kind(g, "book_example", (m, 0), t([0., 1., -1.], device=g.device), _MIN_KINDS,
                 exact=True, mistakes=_MIN_MISTAKES)
    _result_kind(g, "book_example", (m, -1), t([1., -1.], device=g.device), _MIN_KINDS,
                 exact=True, mistakes=_MIN_MISTAKES)
    for dtype in FLOATS:
        for shape in _shapes(g):
            m = g.randn(*shape, dtype=dtype)
            for dim in sorted({0, len(shape) - 1, -1, -len(shape)}):
                g.against("random_inputs", g.layouts(m, dim), torch.amin, exact=True,
                          mistakes=_MIN_MISTAKES)
        b, n, d = g.dims(3, 2, 6)
        m = g.randn(b, n, d, dtype=dtype)
        g.against("random_inputs", [(m, 1), (m, -2), (m.transpose(0, 2), 1)], torch.amin,
                  exact=True, mistakes=_MIN_MISTAKES)


# -- 6. argmax_rows ------------------------------------------------------------------------

def _no_ties(g, n: int, d: int, dtype, shift: float = 0.0) -> torch.Tensor:
    """(n, d) values that are all different (a shuffled grid), so each row's largest is
    unique."""
    k = torch.randperm(n * d, generator=g.gen).double().reshape(n, d)
    return (k / (n * d) * 6.0 - 3.0 + shift).to(g.device, dtype)


_ARGMAX_KINDS = {
    "these are the largest values; argmax_rows wants their column indices (int64)":
        lambda got, args: isinstance(got, torch.Tensor) and got.is_floating_point(),
    "torch.max(m, dim) returns a (values, indices) pair; argmax_rows returns the indices "
    "only (.indices, or torch.argmax)": lambda got, args: isinstance(got, (tuple, list)),
}
_ARGMAX_MISTAKES = {
    "that is one index per column (argmax over dim 0); argmax_rows wants one per row "
    "(over dim 1)": lambda m: m.argmax(0),
    "that is the argmin; argmax_rows wants the position of the largest entry":
        lambda m: m.argmin(1),
    "that is an index into the flattened matrix; take the argmax along dim 1":
        lambda m: m.argmax(),
    "the result is (N, 1); argmax_rows returns (N,) (keepdim=False)":
        lambda m: m.argmax(1, keepdim=True),
}


@grader("ch04.argmax_rows")
def argmax_rows(g):
    _result_kind(g, "book_example", (t([[1., 5., 2.], [7., 0., 3.]], device=g.device),),
                 t([1, 0], device=g.device), _ARGMAX_KINDS, mistakes=_ARGMAX_MISTAKES)
    for dtype in FLOATS:
        n, d = g.dims(2)
        for rows, cols in ((1, 1), (1, d), (n, 1), (n, d), (d, n), (n, n)):
            m = _no_ties(g, rows, cols, dtype)
            g.against("random_inputs", [*g.layouts(m), (g.transposed_layout(m),)],
                      lambda m: m.argmax(1), mistakes=_ARGMAX_MISTAKES)
        m = _no_ties(g, n, d, dtype, shift=-10.0)  # every entry negative
        g.against("negative_rows", [(m,)], lambda m: m.argmax(1), mistakes=_ARGMAX_MISTAKES)


# -- 7. column_means -----------------------------------------------------------------------

_MEANS_MISTAKES = {
    "the result is (D,); column_means keeps the reduced axis: (1, D), keepdim=True":
        lambda m: m.mean(0),
    "those are the row means (over dim 1); column means average over the rows (dim 0)":
        lambda m: m.mean(1, keepdim=True),
    "those are the row means (over dim 1), as a row; column means average over dim 0":
        lambda m: m.mean(1, keepdim=True).T,
    "those are the column sums; divide by the number of rows N":
        lambda m: m.sum(0, keepdim=True),
    "the column sums are divided by D (the number of columns); divide by N, the number "
    "of rows": lambda m: m.sum(0, keepdim=True) / m.shape[1],
}


@grader("ch04.column_means")
def column_means(g):
    g.expect("book_example", (t([[1., 2., 3.], [3., 6., 0.]], device=g.device),),
             t([[2., 4., 1.5]], device=g.device), mistakes=_MEANS_MISTAKES)
    oracle = lambda m: m.mean(0, keepdim=True)  # noqa: E731
    for dtype in FLOATS:
        for shape in _shapes(g, with_3d=False):
            m = g.randn(*(shape if len(shape) == 2 else (1, *shape)), dtype=dtype)
            g.against("random_inputs", [*g.layouts(m), (g.transposed_layout(m),)], oracle,
                      mistakes=_MEANS_MISTAKES, scale=float(m.abs().max()))
        n, d = g.dims(2)
        m = g.randn(n, d, dtype=dtype) + 1000.0
        m[:, 0] = 2.5  # a constant column
        g.against("offset_and_constant_columns", [(m,)], oracle, mistakes=_MEANS_MISTAKES)


# -- 8. variance ---------------------------------------------------------------------------

def _var(x, dim, unbiased, correction=None):
    with warnings.catch_warnings():  # torch warns where n - 1 = 0; the answer is nan
        warnings.simplefilter("ignore")
        c = int(unbiased) if correction is None else correction
        return torch.var(x, dim, correction=c)


_VAR_MISTAKES = {
    "unbiased=True divides by n - 1 and unbiased=False by n: the two are swapped":
        lambda x, d, u: _var(x, d, u, correction=1 - int(u)),
    "the sum of squares is always divided by n; unbiased=True divides by n - 1":
        lambda x, d, u: _var(x, d, u, correction=0) if u else None,
    "the sum of squares is always divided by n - 1; unbiased=False divides by n":
        lambda x, d, u: _var(x, d, u, correction=1) if not u else None,
    "that is the standard deviation: the variance has no square root":
        lambda x, d, u: _var(x, d, u).sqrt(),
    "the mean is not subtracted: that is the mean of x^2, not of (x - mean)^2":
        lambda x, d, u: (x * x).sum(d) / (x.shape[d] - int(u)),
    "the mean of the whole tensor was subtracted; subtract the mean along dim "
    "(keepdim=True so it broadcasts)":
        lambda x, d, u: ((x - x.mean()) ** 2).sum(d) / (x.shape[d] - int(u)),
    "the reduced axis is kept (keepdim=True); variance removes it":
        lambda x, d, u: _var(x, d, u).unsqueeze(d),
    **_other_axes("the variance was taken along axis {k}, not along dim (a negative dim "
                  "counts from the end: -1 is the last axis)", _var),
}
_ONE_VALUE_MISTAKES = {
    "with one value along dim the unbiased variance is 0 / 0 = nan, as torch.var gives; "
    "do not clamp n - 1 or replace the nan":
        lambda x, d, u: _var(x, d, False) if u and x.shape[d] == 1 else None,
    **_VAR_MISTAKES,
}


@grader("ch04.variance")
def variance(g):
    x = t([[1., 2., 3., 6.]], device=g.device)
    g.expect("book_example", (x, 1, False), t([3.5], device=g.device), mistakes=_VAR_MISTAKES)
    g.expect("book_example", (x, 1, True), t([14. / 3.], device=g.device),
             mistakes=_VAR_MISTAKES)
    for dtype in FLOATS:
        for shape in _shapes(g):
            x = g.randn(*shape, dtype=dtype, scale=1.5) + 0.5
            for dim in sorted({0, len(shape) - 1, -1}):
                if shape[dim] == 1:
                    continue
                scale = float((x * x).mean(dim).max())  # a one-pass route goes through x^2
                for unbiased in (True, False):
                    g.against("random_inputs", g.layouts(x, dim, unbiased), _var,
                              mistakes=_VAR_MISTAKES, scale=scale)
        # n = 1 along dim: unbiased gives nan (0 / 0), biased gives 0
        n, d = g.dims(2)
        x = g.randn(n, 1, d, dtype=dtype)
        for unbiased in (True, False):
            g.against("one_value_along_dim", [(x, 1, unbiased), (x, -2, unbiased)], _var,
                      mistakes=_ONE_VALUE_MISTAKES)
    g.banned(g.randn(4, 5), -1, True, oracle=_var)
    g.vectorised(lambda s: (g.randn(s, s + 1, s + 2), 1, True), oracle=_var)
    g.vectorised(lambda s: (g.randn(s + 2, s), 0, False), oracle=_var)


# -- 9. cumulative_sum ---------------------------------------------------------------------

def _exclusive(v):
    return torch.cat([v.new_zeros(1), v.cumsum(0)[:-1]])


_CUMSUM_MISTAKES = {
    "out[i] must include v[i]: that is an exclusive scan (out[0] = 0); out[0] is v[0]":
        _exclusive,
    "n + 1 totals starting at 0; out has n entries and out[0] = v[0]":
        lambda v: torch.cat([v.new_zeros(1), v.cumsum(0)]),
    "the totals run from the end; out[i] = v[0] + ... + v[i]":
        lambda v: v.flip(0).cumsum(0).flip(0),
    "every entry is the total sum; out[i] sums v[0] .. v[i] only":
        lambda v: v.sum().expand_as(v),
    "that is a running product; cumulative_sum adds": lambda v: v.cumprod(0),
}


@grader("ch04.cumulative_sum")
def cumulative_sum(g):
    g.expect("book_example", (t([1., 2., 3., -4.], device=g.device),),
             t([1., 3., 6., 2.], device=g.device), exact=True, mistakes=_CUMSUM_MISTAKES)
    oracle = lambda v: torch.cumsum(v, 0)  # noqa: E731
    for dtype in FLOATS:
        for n in (1, 2, *g.dims(2, 3, 12), 60):
            v = g.randn(n, dtype=dtype, scale=2.0)
            g.against("random_inputs", g.layouts(v), oracle, mistakes=_CUMSUM_MISTAKES,
                      scale=float(v.abs().sum()))


# -- 10. clip ------------------------------------------------------------------------------

_CLIP_MISTAKES = {
    "lo and hi are swapped: entries below lo become lo, entries above hi become hi":
        lambda x, lo, hi: torch.where(x < lo, hi, torch.where(x > hi, lo, x)),
    "lo and hi are swapped (torch.clamp(x, hi, lo) sets every entry to lo); "
    "it is torch.clamp(x, min=lo, max=hi)": lambda x, lo, hi: torch.full_like(x, lo),
    "max and min are mixed up (every entry became hi): clip is min(max(x, lo), hi)":
        lambda x, lo, hi: torch.full_like(x, hi),
    "only the lower bound is applied; entries above hi must become hi":
        lambda x, lo, hi: x.clamp(min=lo),
    "only the upper bound is applied; entries below lo must become lo":
        lambda x, lo, hi: x.clamp(max=hi),
    "entries outside [lo, hi] became 0; they become the nearest bound":
        lambda x, lo, hi: torch.where((x < lo) | (x > hi), 0.0, x),
}


@grader("ch04.clip")
def clip(g):
    g.expect("book_example", (t([-2., -0.5, 0.25, 1., 3.], device=g.device), -0.5, 1.0),
             t([-0.5, -0.5, 0.25, 1., 1.], device=g.device), exact=True,
             mistakes=_CLIP_MISTAKES)
    oracle = lambda x, lo, hi: torch.clamp(x, min=lo, max=hi)  # noqa: E731
    for dtype in FLOATS:
        for shape in _shapes(g):
            # bounds exact in float32 (multiples of 1/8), entries exactly at the bounds too
            k = g.randint(8, 2)
            lo, hi = -0.125 * (1 + int(k[0])), 0.125 * (1 + int(k[1]))
            x = g.randn(*shape, dtype=dtype, scale=1.5)
            flat = x.view(-1)
            flat[0] = lo
            flat[-1] = hi if flat.numel() > 1 else flat[-1]
            g.against("random_inputs", g.layouts(x, lo, hi), oracle, exact=True,
                      mistakes=_CLIP_MISTAKES)
        x = g.randn(*g.dims(2), dtype=dtype) * 5
        g.against("random_inputs", [(x, 0.0, 0.0), (x, -3.0, 2.5)], oracle, exact=True,
                  mistakes=_CLIP_MISTAKES)


# -- 11. logsumexp -------------------------------------------------------------------------

def _lse_naive(x, d):
    m = x.amax(d, keepdim=True)
    return ((x - m).exp().sum(d).log() + m.squeeze(d))


_LSE_MISTAKES = {
    "no max shift: exp of large entries overflows to inf; compute m + log(sum(exp(x - m))) "
    "with m the max along dim": lambda x, d: x.exp().sum(d).log(),
    "the shift is the max of the whole tensor; shift each slice by its own max along dim "
    "(slices far below the global max underflow to log(0) = -inf)":
        lambda x, d: (x - x.max()).exp().sum(d).log() + x.max(),
    "the shift is not added back: logsumexp(x) = m + log(sum(exp(x - m)))":
        lambda x, d: torch.logsumexp(x, d) - x.amax(d),
    "the shift is added back twice: logsumexp(x) = m + log(sum(exp(x - m)))":
        lambda x, d: torch.logsumexp(x, d) + x.amax(d),
    "that is log(mean(exp(x))): sum the exponentials, do not average them":
        lambda x, d: torch.logsumexp(x, d) - math.log(x.shape[d]),
    "the reduced axis is kept (keepdim=True); logsumexp removes it":
        lambda x, d: torch.logsumexp(x, d, keepdim=True),
    "that is the logsumexp of the whole tensor; reduce along dim only":
        lambda x, d: torch.logsumexp(x.reshape(-1), 0),
    "that is the max along dim, not the log of the sum of the exponentials":
        lambda x, d: x.amax(d),
    **_other_axes("the logsumexp was taken along axis {k}, not along dim (a negative dim "
                  "counts from the end: -1 is the last axis)", torch.logsumexp),
}
_ALL_MINUS_INF = {
    "a slice of all -inf must give -inf (the log of 0), not nan: with m = -inf, x - m is "
    "-inf - (-inf) = nan; shift such a slice by 0 instead (torch.where or masked_fill on "
    "an infinite max)": _lse_naive,
    **_LSE_MISTAKES,
}


def _finite_scale(x: torch.Tensor) -> float:
    finite = x[x.isfinite()]
    return float(finite.abs().max()) if finite.numel() else 0.0


def _big_scores(g, n: int, d: int, dtype) -> torch.Tensor:
    """Scores of about +-1000: row 0 all near -1000, row 1 all near +1000, the rest mixed
    (a shift by the whole tensor's max underflows row 0 to log(0))."""
    sign = torch.where(g.uniform(n, d) < 0.5, -1.0, 1.0).to(g.device)
    sign[0], sign[1 % n] = -1.0, 1.0
    return (sign * 1000.0).to(dtype) + g.randn(n, d, dtype=dtype)


@grader("ch04.logsumexp")
def logsumexp(g):
    d = g.device
    g.expect("book_example", (t([[0., 0.], [1000., 1000.]], device=d), 1),
             t([math.log(2), 1000 + math.log(2)], device=d), exponent=1000.0,
             mistakes=_LSE_MISTAKES)
    for dtype in FLOATS:
        for shape in _shapes(g):
            x = g.randn(*shape, dtype=dtype, scale=3.0)
            for dim in sorted({0, len(shape) - 1, -1}):
                g.against("random_inputs", g.layouts(x, dim), torch.logsumexp,
                          mistakes=_LSE_MISTAKES, scale=_finite_scale(x))
        # one -inf entry per row: exp(-inf) is 0
        n, k = g.dims(2)
        x = g.randn(n, k, dtype=dtype, scale=3.0)
        x[torch.arange(n), g.randint(k, n).cpu()] = -INF
        g.against("minus_inf_entries", [(x, 1), (x.T, 0)], torch.logsumexp,
                  mistakes=_LSE_MISTAKES, scale=_finite_scale(x))
        # a row of all -inf: -inf, as torch.logsumexp gives (the docstring says so)
        x = g.randn(n, k, dtype=dtype)
        x[n // 2] = -INF
        g.against("all_minus_inf_slice", [(x, -1)], torch.logsumexp, mistakes=_ALL_MINUS_INF,
                  scale=_finite_scale(x))
        # +-1000: exp overflows float32 and float64; finite answers expected
        x = _big_scores(g, n, k, dtype)
        g.large_scores((x, 1), torch.logsumexp, exponent=_finite_scale(x),
                       mistakes=_LSE_MISTAKES)
        g.large_scores((x.T.contiguous(), 0), torch.logsumexp, exponent=_finite_scale(x),
                       mistakes=_LSE_MISTAKES)
    g.banned(g.randn(3, 5), 1, oracle=torch.logsumexp)
    g.vectorised(lambda s: (g.randn(s, s + 1, scale=3.0), -1), oracle=torch.logsumexp)
    b, n, k = g.dims(3, 2, 5)
    g.gradient((g.randn(b, n, k, dtype=torch.float64, scale=3.0), 1), torch.logsumexp,
               wrt=(0,))


# -- 12. weighted_average ------------------------------------------------------------------

def _wavg(x, w):
    w = w.expand_as(x)
    return (w * x).sum(-1) / w.sum(-1)


_WAVG_MISTAKES = {
    "divided by D (a plain mean of w * x); divide by sum(w), the sum of the weights":
        lambda x, w: (w * x).mean(-1),
    "sum(w * x) is not divided by sum(w)": lambda x, w: (w * x).sum(-1),
    "the weights are ignored: that is the plain mean of x": lambda x, w: x.mean(-1),
    "each row must be divided by the sum of its own weights (over the last dim), not by "
    "the sum of all the weights": lambda x, w: (w * x).sum(-1) / w.sum(),
    "averaged over dim 0; the weighted average runs over the last dim":
        lambda x, w: (w * x).sum(0) / w.expand_as(x).sum(0),
}


@grader("ch04.weighted_average")
def weighted_average(g):
    d = g.device
    g.expect("book_example", (t([[1., 2., 3.], [4., 0., 8.]], device=d), t([1., 0., 3.],
                                                                          device=d)),
             t([2.5, 7.], device=d), mistakes=_WAVG_MISTAKES)
    for dtype in FLOATS:
        for shape in _shapes(g):
            x = g.randn(*shape, dtype=dtype, scale=2.0)
            for w_shape in (shape, shape[-1:]):
                w = g.uniform(*w_shape, lo=0.1, hi=2.0, dtype=dtype)
                if w.shape[-1] > 2:  # zero weights, but never a whole row of them
                    w[..., 1] = 0.0
                scale = float(((w * x).abs().sum(-1) / w.expand_as(x).sum(-1)).max())
                g.against("random_inputs", g.layouts(x, w), _wavg, mistakes=_WAVG_MISTAKES,
                          scale=scale)
