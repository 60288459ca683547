"""Hidden graders for ch05 - Broadcasting.

Oracles are independent of solutions/: explicit ``expand`` to the full shape, ``torch.outer``,
``torch.diag`` products, ``torch.std``/``torch.mean`` in float64, and short loops over columns
or entries where that is the clearest spec (min-max scaling, pairwise differences).

Broadcasting mistakes hide when sizes are equal: ``m + v`` is a valid way to add a column
vector only when N == D, and then silently wrong. So every random matrix has N != D (the
mistake raises, and the message says how to line v up), and one square case per exercise
shows the silent mistake, named by ``mistakes``. Sizes of 1, float32 and float64 and
non-contiguous and column-major layouts are graded everywhere; the statistics exercises also
get constant columns, one-row inputs, and tiny and large magnitudes.
"""
import math
import warnings

import torch

from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor
_SIZE_MISMATCH = "must match the size"


# -- helpers -------------------------------------------------------------------------------

def _matrix_layouts(g, m, *rest):
    """(m, *rest) as given, every tensor non-contiguous, and m stored column-major."""
    yield from g.layouts(m, *rest)
    if m.dim() >= 2:
        yield (g.transposed_layout(m), *rest)


def _shapes_nd(g):
    """(check, (N, D)) pairs: sizes of 1 and two pairs with N != D under "random_inputs",
    then one square pair under "square_matrix", for the broadcasting mistakes that only show,
    silently, when N == D (its own check, so that its message is always shown)."""
    n, d = g.dims(2)
    out = [(1, 1), (1, d), (n, 1), tuple(g.dims(2)), (n, d)]
    return [("random_inputs", nd) for nd in out] + [("square_matrix", (d, d))]


def _matrix_and_vector(g, book: tuple, book_want, oracle, one_per_row: bool, hints,
                       mistakes):
    """A matrix (N, D) with a vector of one entry per row (N,) or per column (D,): the book
    example, then every shape of ``_shapes_nd`` in both float dtypes and three layouts."""
    g.expect("book_example", book, book_want, hint=hints, exact=True, mistakes=mistakes)
    for dtype in FLOATS:
        for check, (n, d) in _shapes_nd(g):
            m, v = g.randn(n, d, dtype=dtype), g.randn(n if one_per_row else d, dtype=dtype)
            g.against(check, _matrix_layouts(g, m, v), oracle, hint=hints, mistakes=mistakes)


# -- 1. add_row_vector ---------------------------------------------------------------------

def _add_row(m, v):
    return m + v.expand(m.shape[0], -1)


_ROW_MISTAKES = {
    "v was added down the columns (out[i, j] = m[i, j] + v[i]); add_row_vector adds v[j] to "
    "column j of every row: v (D,) already lines up with the last axis, so m + v does it":
        lambda m, v: m + v[:, None],
    "v was subtracted, not added": lambda m, v: m - v,
}
_ROW_HINTS = {_SIZE_MISMATCH: "v has D entries, one per column: it must line up with the "
                              "LAST axis of m (m + v does that); v[:, None] or a (D, 1) "
                              "reshape lines it up with the rows instead"}


@grader("ch05.add_row_vector")
def add_row_vector(g):
    d = g.device
    _matrix_and_vector(g, (t([[1., 2., 3.], [4., 5., 6.]], device=d),
                           t([10., 20., 30.], device=d)),
                       t([[11., 22., 33.], [14., 25., 36.]], device=d), _add_row,
                       one_per_row=False, hints=_ROW_HINTS, mistakes=_ROW_MISTAKES)


# -- 2. add_column_vector ------------------------------------------------------------------

def _add_column(m, v):
    return m + v[:, None].expand(-1, m.shape[1])


_COLUMN_MISTAKES = {
    "v was added along the rows (out[i, j] = m[i, j] + v[j]): broadcasting lines v (N,) up "
    "with the LAST axis of m, so m + v adds it to every row; make it a column first, "
    "m + v[:, None] (shape (N, 1))":
        lambda m, v: m + v,
    "you transposed m to add v but did not transpose the result back: (m.T + v).T, or "
    "simply m + v[:, None]":
        lambda m, v: m.T + v,
    "v was subtracted, not added": lambda m, v: m - v[:, None],
}
_COLUMN_HINTS = {_SIZE_MISMATCH: "v has N entries, one per row, but m + v lines it up with the "
                                 "LAST axis of m (the D columns): make it a column first, "
                                 "m + v[:, None] (v as shape (N, 1))"}


@grader("ch05.add_column_vector")
def add_column_vector(g):
    d = g.device
    _matrix_and_vector(g, (t([[1., 2., 3.], [4., 5., 6.]], device=d), t([10., 20.], device=d)),
                       t([[11., 12., 13.], [24., 25., 26.]], device=d), _add_column,
                       one_per_row=True, hints=_COLUMN_HINTS, mistakes=_COLUMN_MISTAKES)


# -- 3. outer_sum --------------------------------------------------------------------------

def _vectors(g, dtype):
    """(check, a, b) of sizes (n, m): sizes of 1 and two pairs with n != m, then one with
    n == m under its own check (a transposed table only shows in its values there)."""
    n, m = g.dims(2)
    for a, b in ((1, 1), (1, m), (n, 1), tuple(g.dims(2)), (n, m), (m, m)):
        yield "random_inputs" if a != b or a == 1 else "square_table", \
            g.randn(a, dtype=dtype), g.randn(b, dtype=dtype)


_OUTER_HINTS = {_SIZE_MISMATCH: "two 1-D vectors combine entry by entry, so their sizes must "
                                "match; for a table, make a a column (a[:, None]) and b a row "
                                "(b[None, :])"}


def _outer_sum(a, b):
    return a[:, None].expand(-1, b.shape[0]) + b[None, :].expand(a.shape[0], -1)


_OUTER_SUM_MISTAKES = {
    "a + b adds entry by entry; outer_sum is a table: a as a column (a[:, None]) plus b as "
    "a row (b[None, :])": lambda a, b: a + b,
    "the table is transposed: out[i, j] = a[i] + b[j], so a indexes the rows (a[:, None]) "
    "and b the columns (b[None, :]); you computed a[j] + b[i]":
        lambda a, b: b[:, None] + a[None, :],
    "that is the outer product a[i] * b[j]; outer_sum adds": lambda a, b: torch.outer(a, b),
}


@grader("ch05.outer_sum")
def outer_sum(g):
    d = g.device
    g.expect("book_example", (t([1., 2.], device=d), t([10., 20., 30.], device=d)),
             t([[11., 21., 31.], [12., 22., 32.]], device=d), hint=_OUTER_HINTS, exact=True,
             mistakes=_OUTER_SUM_MISTAKES)
    for dtype in FLOATS:
        for check, a, b in _vectors(g, dtype):
            g.against(check, g.layouts(a, b), _outer_sum, hint=_OUTER_HINTS,
                      mistakes=_OUTER_SUM_MISTAKES)
    g.vectorised(lambda s: (g.randn(s), g.randn(s + 1)), oracle=_outer_sum)


# -- 4. outer_product ----------------------------------------------------------------------

_OUTER_PRODUCT_MISTAKES = {
    "a * b multiplies entry by entry; outer_product is a table: a as a column (a[:, None]) "
    "times b as a row (b[None, :])": lambda a, b: a * b,
    "the table is transposed: out[i, j] = a[i] * b[j], so a indexes the rows (a[:, None]) "
    "and b the columns (b[None, :]); you computed a[j] * b[i]":
        lambda a, b: torch.outer(b, a),
    "that is the outer sum a[i] + b[j]; outer_product multiplies": lambda a, b: _outer_sum(a, b),
}


@grader("ch05.outer_product")
def outer_product(g):
    d = g.device
    g.expect("book_example", (t([1., 2.], device=d), t([3., 4., 5.], device=d)),
             t([[3., 4., 5.], [6., 8., 10.]], device=d), hint=_OUTER_HINTS, exact=True,
             mistakes=_OUTER_PRODUCT_MISTAKES)
    for dtype in FLOATS:
        for check, a, b in _vectors(g, dtype):
            g.against(check, g.layouts(a, b), torch.outer, hint=_OUTER_HINTS,
                      mistakes=_OUTER_PRODUCT_MISTAKES)
    g.banned(g.randn(4), g.randn(6), oracle=torch.outer)
    g.vectorised(lambda s: (g.randn(s), g.randn(s + 1)), oracle=torch.outer)


# -- 5. scale_columns ----------------------------------------------------------------------

_SCALE_MISTAKES = {
    "the rows were scaled (out[i, j] = m[i, j] * s[i]); scale_columns multiplies column j by "
    "s[j]: s (D,) already lines up with the last axis, so m * s does it":
        lambda m, s: m * s[:, None],
    "the columns were divided by s, not multiplied": lambda m, s: m / s,
    "m @ s is a matrix-vector product (it sums over the columns); scaling keeps every entry: "
    "m * s": lambda m, s: m @ s,
}
_SCALE_HINTS = {_SIZE_MISMATCH: "s has D entries, one per column: it must line up with the "
                                "LAST axis of m (m * s does that); s[:, None] lines it up "
                                "with the rows instead"}


@grader("ch05.scale_columns")
def scale_columns(g):
    d = g.device
    _matrix_and_vector(g, (t([[1., 2., 3.], [4., 5., 6.]], device=d), t([1., 10., 100.],
                                                                       device=d)),
                       t([[1., 20., 300.], [4., 50., 600.]], device=d),
                       lambda m, s: m @ torch.diag(s), one_per_row=False, hints=_SCALE_HINTS,
                       mistakes=_SCALE_MISTAKES)


# -- 6. hadamard ---------------------------------------------------------------------------

_HADAMARD_MISTAKES = {
    "that is the matrix product a @ b; the Hadamard product multiplies entry by entry: a * b":
        lambda a, b: a @ b,
    "that is a matrix product (a @ b.T, every row against every row); the Hadamard product "
    "multiplies entry by entry: a * b":
        lambda a, b: a @ b.mT,
}
_HADAMARD_HINTS = {"cannot be multiplied": "a @ b is a matrix product; the Hadamard product "
                                           "multiplies entry by entry: a * b",
                   "1D tensors expected": "torch.dot is a dot product; the Hadamard product "
                                          "multiplies entry by entry: a * b"}


@grader("ch05.hadamard")
def hadamard(g):
    d = g.device
    g.expect("book_example", (t([[1., 2.], [3., 4.]], device=d),
                              t([[5., 6.], [7., 8.]], device=d)),
             t([[5., 12.], [21., 32.]], device=d), hint=_HADAMARD_HINTS, exact=True,
             mistakes=_HADAMARD_MISTAKES)
    for dtype in FLOATS:
        n, dd, k = g.dims(3)
        for shape in ((1,), (n,), (1, 1), (n, dd), (dd, n), (dd, dd), (k, n, dd)):
            a, b = g.randn(*shape, dtype=dtype), g.randn(*shape, dtype=dtype)
            check = "square_matrix" if shape == (dd, dd) else "random_inputs"
            g.against(check, _matrix_layouts(g, a, b), torch.mul, hint=_HADAMARD_HINTS,
                      mistakes=_HADAMARD_MISTAKES)


# -- 7. standardize_columns ----------------------------------------------------------------

def _quiet(fn):
    """``fn`` without torch.std's warning for one row (the NaN it gives is expected)."""
    def run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return fn(*args)
    return run


@_quiet
def _standardize(m, eps):
    return (m - m.mean(0, keepdim=True)) / (m.std(0, keepdim=True) + eps)


def _biased_std(m):
    return m.std(0, keepdim=True, correction=0)


_STANDARDIZE_MISTAKES = {
    "the std must be the unbiased one (squared deviations divided by N - 1, torch.std's "
    "default); you used the biased one (divided by N, unbiased=False or correction=0)":
        lambda m, e: (m - m.mean(0, keepdim=True)) / (_biased_std(m) + e),
    "eps goes outside the square root, added to the std: (m - mean) / (std + eps); you added "
    "it to the variance, inside the sqrt":
        lambda m, e: (m - m.mean(0, keepdim=True)) / (m.var(0, keepdim=True) + e).sqrt(),
    "eps goes outside the square root, added to the unbiased std: (m - mean) / (std + eps); "
    "you used sqrt(biased variance + eps), as layer norm does":
        lambda m, e: (m - m.mean(0, keepdim=True)) / (_biased_std(m) ** 2 + e).sqrt(),
    "divide by the standard deviation, not the variance":
        lambda m, e: (m - m.mean(0, keepdim=True)) / (m.var(0, keepdim=True) + e),
    "the statistics are per column (over the rows, dim=0); you used each row's mean and std "
    "(dim=1)":
        lambda m, e: (m - m.mean(1, keepdim=True)) / (m.std(1, keepdim=True) + e),
    "row j's mean and std were applied to column j: statistics over dim=1 without "
    "keepdim=True broadcast along the wrong axis; per column use dim=0":
        lambda m, e: (m - m.mean(1)) / (m.std(1) + e),
    "the mean and std must be per column, not of the whole matrix":
        lambda m, e: (m - m.mean()) / (m.std() + e),
    "the column mean was not subtracted": lambda m, e: m / (m.std(0, keepdim=True) + e),
    "eps belongs in the denominator: (m - mean) / (std + eps), not (m - mean) / std + eps "
    "(mind the brackets)":
        lambda m, e: (m - m.mean(0, keepdim=True)) / m.std(0, keepdim=True) + e,
    "eps is missing: a constant column (std 0) must give 0, not NaN or inf; divide by "
    "(std + eps)": lambda m, e: (m - m.mean(0, keepdim=True)) / m.std(0, keepdim=True),
}
_STANDARDIZE_MISTAKES = {msg: _quiet(fn) for msg, fn in _STANDARDIZE_MISTAKES.items()}
_ONE_ROW_MISTAKES = {
    "with one row the unbiased std is 0 / 0 = NaN, so the catalog's formula gives NaN "
    "everywhere (as torch.std does); yours gave 0: a biased std, or a NaN replaced by 0?":
        lambda m, e: torch.zeros_like(m),
    **{msg: fn for msg, fn in _STANDARDIZE_MISTAKES.items() if "dim=1" in msg},
}
_STANDARDIZE_HINTS = {_SIZE_MISMATCH: "a statistic of shape (N,) (over dim=1 without "
                                      "keepdim=True) lines up with the last axis, the D "
                                      "columns; the statistics are per column: dim=0 "
                                      "(keepdim=True keeps them as (1, D))"}


def _columns(g, n: int, d: int, dtype, scale: float = 1.0, constant: bool = True):
    """(n, d) columns of different spreads around ``scale``, each offset by about its own
    spread: their sample std is set to that spread (a chance-tiny std beside a large mean
    would make every float32 route, not a mistake, cancel badly). With ``constant`` and
    d > 1, one column holds a single dyadic value, so its mean is exact in any summation
    order and its std exactly 0."""
    z = g.randn(n, d, dtype=torch.float64)
    if n > 1:
        z = (z - z.mean(0)) / z.std(0)
    spread = g.uniform(1, d, lo=0.5, hi=2.0, dtype=torch.float64)
    m = (z + g.randn(1, d, dtype=torch.float64)) * spread * scale
    if constant and d > 1:
        j = int(g.randint(d))
        m[:, j] = float(g.randint(13) - 6) * 2.0 ** (round(math.log2(scale)) - 2)
    return m.to(dtype)


@grader("ch05.standardize_columns")
def standardize_columns(g):
    d = g.device
    g.expect("book_example", (t([[1., 10.], [2., 10.], [3., 10.]], device=d), 1.0),
             t([[-0.5, 0.], [0., 0.], [0.5, 0.]], device=d), hint=_STANDARDIZE_HINTS,
             mistakes=_STANDARDIZE_MISTAKES)
    for dtype in FLOATS:
        for check, (n, dd) in _shapes_nd(g):
            if n == 1:
                continue  # one row: checked below
            for eps in (1e-5, 0.5):
                m = _columns(g, n, dd, dtype)
                g.against(check, _matrix_layouts(g, m, eps), _standardize,
                          hint=_STANDARDIZE_HINTS, mistakes=_STANDARDIZE_MISTAKES)
        # magnitudes far from 1: eps must stay small beside the std it is added to (at least
        # 5 x 5 entries, so that messages say the shapes rather than print tiny values as 0)
        n, dd = g.dims(2, lo=5, hi=10)
        for scale, eps in ((1e-3, 1e-9), (1e3, 1e-5)):
            m = _columns(g, n, dd, dtype, scale=scale)
            g.against("magnitudes", [(m, eps)], _standardize, mistakes=_STANDARDIZE_MISTAKES)
        # one row: the unbiased std is 0 / 0, so every entry is NaN (as torch.std gives)
        m = _columns(g, 1, dd, dtype, constant=False)
        g.against("one_row", [(m, 1e-5)], _standardize, mistakes=_ONE_ROW_MISTAKES)
    g.vectorised(lambda s: (_columns(g, s, s + 1, torch.float32), 1e-5), oracle=_standardize)


# -- 8. min_max_scale ----------------------------------------------------------------------

def _min_max_loop(m):
    """The spec as a loop over columns."""
    out = torch.zeros_like(m)
    for j in range(m.shape[1]):
        col = m[:, j]
        lo, hi = col.min(), col.max()
        if hi > lo:
            out[:, j] = (col - lo) / (hi - lo)
    return out


def _span(m, dim):
    lo = m.amin(dim, keepdim=True)
    return lo, m.amax(dim, keepdim=True) - lo


_MIN_MAX_MISTAKES = {
    "a constant column (max == min) must map to 0, not NaN: 0 / 0 is NaN, so guard that "
    "division (torch.where on max > min)":
        lambda m: (m - _span(m, 0)[0]) / _span(m, 0)[1],
    "the min and max must be per column (dim=0), not of the whole matrix":
        lambda m: (m - m.min()) / (m.max() - m.min()),
    "the min and max must be per column (over the rows, dim=0); you used each row's (dim=1)":
        lambda m: _min_max_loop(m.T).T,
    "row j's min and max were applied to column j: a min or max over dim=1 without "
    "keepdim=True broadcasts along the wrong axis; per column use dim=0":
        lambda m: (m - m.amin(1)) / (m.amax(1) - m.amin(1)),
    "divide by max - min, not by max":
        lambda m: (m - _span(m, 0)[0]) / m.amax(0, keepdim=True),
    "an eps added to max - min keeps a column's largest entry below 1 (visible when the "
    "column spans little): guard only the constant columns, with torch.where":
        lambda m: (m - _span(m, 0)[0]) / (_span(m, 0)[1] + 1e-8),
}


def _with_constant_columns(g, m):
    """m with one or two of its columns constant (any value: x - min is exactly 0 there)."""
    m = m.clone()
    d = m.shape[1]
    for j in {int(g.randint(d)), int(g.randint(d))} if d > 2 else {int(g.randint(d))}:
        m[:, j] = m[0, j]
    return m


@grader("ch05.min_max_scale")
def min_max_scale(g):
    d = g.device
    g.expect("book_example", (t([[1., 5., 2.], [3., 5., 4.], [2., 5., 0.]], device=d),),
             t([[0., 0., .5], [1., 0., 1.], [.5, 0., 0.]], device=d), exact=True,
             mistakes=_MIN_MAX_MISTAKES)
    for dtype in FLOATS:
        for check, (n, dd) in _shapes_nd(g):
            m = g.randn(n, dd, dtype=dtype)
            g.against(check, _matrix_layouts(g, m), _min_max_loop,
                      mistakes=_MIN_MAX_MISTAKES)
        n, dd = g.dims(2, lo=3)
        m = _with_constant_columns(g, g.randn(n, dd, dtype=dtype))
        g.against("constant_columns", _matrix_layouts(g, m), _min_max_loop,
                  mistakes=_MIN_MAX_MISTAKES)
        n, dd = g.dims(2, lo=5, hi=10)  # > 24 entries: messages give shapes, not 0.0s
        for scale in (1e-5, 1e3):
            m = _with_constant_columns(g, g.randn(n, dd, dtype=dtype, scale=scale))
            g.against("magnitudes", [(m,)], _min_max_loop, mistakes=_MIN_MAX_MISTAKES)


# -- 9. pairwise_differences ---------------------------------------------------------------

def _pairwise_loop(v):
    """The spec as a loop: row i is v[i] minus every entry."""
    return torch.stack([v[i] - v for i in range(v.shape[0])])


_PAIRWISE_MISTAKES = {
    "the sign is flipped: out[i, j] = v[i] - v[j] (v[:, None] - v[None, :]); you computed "
    "v[j] - v[i]":
        lambda v: v[None, :] - v[:, None],
    "keep the sign: out[i, j] = v[i] - v[j], not its absolute value":
        lambda v: (v[:, None] - v[None, :]).abs(),
    "out[i, j] = v[i] - v[j], not its square": lambda v: (v[:, None] - v[None, :]) ** 2,
}


@grader("ch05.pairwise_differences")
def pairwise_differences(g):
    d = g.device
    g.expect("book_example", (t([1., 4., 10.], device=d),),
             t([[0., -3., -9.], [3., 0., -6.], [9., 6., 0.]], device=d), exact=True,
             mistakes=_PAIRWISE_MISTAKES)
    for dtype in FLOATS:
        for n in (1, 2, *g.dims(2)):
            v = g.randn(n, dtype=dtype)
            g.against("random_inputs", g.layouts(v), _pairwise_loop, mistakes=_PAIRWISE_MISTAKES)
    g.vectorised(lambda s: (g.randn(s),), oracle=_pairwise_loop)


# -- 10. add_bias --------------------------------------------------------------------------

def _add_bias(y, b):
    return y + b.expand(y.shape)


_BIAS_MISTAKES = {
    "b was lined up with the first axis of y; it belongs to the LAST axis (features): "
    "y + b does that for any number of dims":
        lambda y, b: y + b.reshape(-1, *[1] * (y.dim() - 1)),
    "b[:, None] lines b up with the second-to-last axis of y; it belongs to the LAST axis "
    "(features): y + b does that for any number of dims":
        lambda y, b: y + b[:, None],
    "b as a (1, D) row gives a 1-D y one axis too many: y + b already lines b up with the "
    "last axis": lambda y, b: y + b[None, :] if y.dim() == 1 else None,
    "the result must keep y's shape (..., D): was y flattened to (-1, D) and not reshaped "
    "back?": lambda y, b: y.reshape(-1, y.shape[-1]) + b,
    "b was given a fixed number of leading axes (like b.view(1, 1, D)), which adds axes to a "
    "y of fewer dims: y + b works for any number of dims":
        lambda y, b: y + b.view(1, 1, -1) if y.dim() < 3 else None,
    "b was subtracted, not added": lambda y, b: y - b,
}
_BIAS_HINTS = {_SIZE_MISMATCH: "b has D entries, one per feature on the LAST axis of y: "
                               "y + b lines it up there, whatever y's number of dims"}


@grader("ch05.add_bias")
def add_bias(g):
    d = g.device
    g.expect("book_example", (t([[[1., 2.], [3., 4.]]], device=d),
                              t([10., 20.], device=d)),
             t([[[11., 22.], [13., 24.]]], device=d), hint=_BIAS_HINTS, exact=True,
             mistakes=_BIAS_MISTAKES)
    g.expect("book_example", (t([1., 2.], device=d), t([10., 20.], device=d)),
             t([11., 22.], device=d), hint=_BIAS_HINTS, exact=True, mistakes=_BIAS_MISTAKES)
    for dtype in FLOATS:
        a, bb, n, dd = g.dims(4)
        shapes = [(dd,), (1,), (n, dd), (1, 1), (bb, n, dd), (bb, 1, dd), (bb, n, 1),
                  (a, bb, n, dd), (1, 1, 1, dd), (dd, dd)]
        for shape in shapes:
            y, b = g.randn(*shape, dtype=dtype), g.randn(shape[-1], dtype=dtype)
            check = "square_matrix" if shape == (dd, dd) else "random_inputs"
            g.against(check, _matrix_layouts(g, y, b), _add_bias, hint=_BIAS_HINTS,
                      mistakes=_BIAS_MISTAKES)
