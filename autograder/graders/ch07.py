"""Hidden graders for ch07 - Solving and decomposing.

Oracles are torch.linalg built-ins in float64 (det, solve, lstsq, qr, eigvalsh, eig, svd,
eigh, svdvals) or the closed forms of 2x2 matrices, never solutions/. Inputs are built from
chosen singular values or eigenvalues (random orthogonal factors around them), so every
answer is well defined (full rank, clear gaps between the values a truncation or a power
iteration separates) and every correct route, in float32 too, lands within a tolerance that
follows the conditioning: ``scale=`` is the size of the error a backward-stable route makes,
in the result's units (cond(a) * |x| for a solve, the cancellation in ad - bc, ...).

Sign conventions (QR with a positive R diagonal, the largest-magnitude entry of an
eigenvector or a principal axis positive) are graded on inputs where the usual wrong rules
(first entry positive, sum positive, no sign fix) give another answer.
"""
import math

import torch

from autograder.checks.compare import close, show
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


# -- inputs and calls shared by the chapter ------------------------------------------------

def _orthogonal(g, n: int) -> torch.Tensor:
    """A random (n, n) orthogonal matrix, float64 on the CPU: a product of n random
    Householder reflections (cheaper than a QR, whose thread pool is slow on tiny inputs)."""
    q = torch.eye(n, dtype=torch.float64)
    for v in g.randn(n, n, dtype=torch.float64).cpu():
        q = q - (2 / (v @ v)) * torch.outer(q @ v, v)
    return q


def _with_singular_values(g, n: int, d: int, s, dtype) -> torch.Tensor:
    """An (n, d) matrix U diag(s) V^T with random orthogonal U and V (len(s) = min(n, d))."""
    s = torch.as_tensor(s, dtype=torch.float64)
    r = min(n, d)
    m = (_orthogonal(g, n)[:, :r] * s) @ _orthogonal(g, d)[:, :r].T
    return m.to(g.device, dtype)


def _spread(g, r: int, lo: float, hi: float) -> torch.Tensor:
    """r values in [lo, hi], descending, random (both ends included when r > 1)."""
    if r == 1:
        return t([float(g.uniform(1, lo=lo, hi=hi, dtype=torch.float64))], dtype=torch.float64)
    u = torch.rand(r - 2, generator=g.gen, dtype=torch.float64) * (hi - lo) + lo
    return torch.cat([t([hi, lo], dtype=torch.float64), u]).sort(descending=True).values


def _gapped(g, r: int, lo: float = 1.0, gap=(0.4, 1.0)) -> torch.Tensor:
    """r descending values from about lo up, consecutive ones at least gap[0] apart."""
    steps = torch.rand(r, generator=g.gen, dtype=torch.float64) * (gap[1] - gap[0]) + gap[0]
    return (lo + torch.cumsum(steps, 0) - steps[0]).flip(0)


def _want_before(g, cases, oracle, scale):
    """The oracle's answer and the scale of every case, computed before any call can touch
    the arguments."""
    cases = [tuple(c) for c in cases]
    wants = [g.oracle64(oracle, *c) for c in cases]
    scales = [0.0 if scale is None else float(g.oracle64(scale, *c)) for c in cases]
    return cases, wants, scales


def _against(g, check: str, cases, oracle, scale=None, hint=None, **opts) -> None:
    """``g.against`` with a scale computed per case from the float64 arguments (``scale``:
    a function of the args giving the size of the error a correct route makes, in the
    result's units; see ``compare.close``). ``hint``: a function of the args whose text is
    added when the call raised."""
    cases, wants, scales = _want_before(g, cases, oracle, scale)
    if g.impl.batches_calls:
        outs = g.impl.call_many(g.ex.name, [(c, None) for c in cases], trace=g.traced)
    else:
        outs = [g.impl.call(g.ex.name, *c, trace=g.traced) for c in cases]
    for c, w, s, out in zip(cases, wants, scales, outs):
        if hint is not None and out.error and not out.not_implemented:
            g.judged(check, c, out, hint(*c))
            continue
        g.expect(check, c, w, outcome=out, scale=s, **opts)


def _raises(g, check: str, args: tuple, exc: str, why: str) -> None:
    """The call must raise ``exc`` (an exception class name) because ``why``."""
    out = g.impl.call(g.ex.name, *args, trace=g.traced)
    if out.missing or out.not_implemented:
        g.judged(check, args, out)
        return
    call = g.call_text(args)
    if out.error is None:
        g.check(check, False, f"{call} returned {show(out.value)}, but {why} it must raise "
                              f"{exc}")
    elif out.error.split(":")[0] != exc:
        g.check(check, False, f"{call} raised {out.error}; {why} it must raise {exc}: check "
                              f"for it yourself and raise {exc}")
    else:
        g.check(check, True)


def _dev(g, rows) -> torch.Tensor:
    return t(rows, device=g.device)


# -- 2x2 closed forms ----------------------------------------------------------------------

def _det2(m):
    return m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]


def _cancel(m):
    """|ad| + |bc|: the size of what ad - bc cancels from."""
    return (m[0, 0] * m[1, 1]).abs() + (m[0, 1] * m[1, 0]).abs()


_DET_MISTAKES = {
    "ad + bc: the determinant subtracts bc, it is ad - bc":
        lambda m: m[0, 0] * m[1, 1] + m[0, 1] * m[1, 0],
    "ac - bd: you multiplied down the columns; the determinant multiplies the diagonals, "
    "ad - bc": lambda m: m[0, 0] * m[1, 0] - m[0, 1] * m[1, 1],
    "ab - cd: you multiplied along the rows; the determinant multiplies the diagonals, "
    "ad - bc": lambda m: m[0, 0] * m[0, 1] - m[1, 0] * m[1, 1],
    "bc - ad: the sign is flipped; the determinant is ad - bc":
        lambda m: m[0, 1] * m[1, 0] - m[0, 0] * m[1, 1],
}


def _two_by_two(g, dtype):
    """Random 2x2 matrices of several magnitudes and layouts (views of a bigger one too)."""
    for size in (1.0, 1e-3, 1e3):
        m = g.randn(2, 2, dtype=dtype, scale=size)
        yield (m,)
        yield (g.noncontiguous(m),)
        yield (g.transposed_layout(m),)
    yield (g.randn(3, 4, dtype=dtype)[1:, 2:],)  # a view with an offset and row stride 4


def _singular_2x2(g, dtype):
    """Matrices whose ad - bc is exactly 0 in floating point: a zero row or column, and one
    row (column) a power-of-two multiple of the other (scaling by 2**k rounds exactly)."""
    r = g.randn(2, dtype=torch.float64).to(dtype).to(g.device)
    yield torch.zeros(2, 2, dtype=dtype, device=g.device)
    yield torch.stack([r, 2 * r])
    yield torch.stack([r, 0.25 * r], dim=1)
    yield torch.stack([torch.zeros_like(r), r])
    yield t([[1., 2.], [3., 6.]], dtype=dtype, device=g.device)
    yield t([[1.5, -3.], [-0.5, 1.]], dtype=dtype, device=g.device)


@grader("ch07.det_2x2")
def det_2x2(g):
    g.expect("book_example", (_dev(g, [[1., 2.], [3., 4.]]),), _dev(g, -2.), exact=True,
             mistakes=_DET_MISTAKES)
    for dtype in FLOATS:
        _against(g, "random_inputs", _two_by_two(g, dtype), torch.linalg.det, scale=_cancel,
                 mistakes=_DET_MISTAKES)
        # 0 (the closed form in float64, exact here, where LU is not); a fused multiply-add
        # leaves a residual of the size of one rounding of ad, which the scale allows
        _against(g, "singular", ((m,) for m in _singular_2x2(g, dtype)), _det2,
                 scale=_cancel, mistakes=_DET_MISTAKES)
    g.banned(g.randn(2, 2), oracle=torch.linalg.det, mistakes=_DET_MISTAKES)


def _inv2(m):
    """The closed form in the grader's own words: adjugate over determinant."""
    a, b, c, d = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    return torch.stack([torch.stack([d, -b]), torch.stack([-c, a])]) / (a * d - b * c)


def _inv_scale(m):
    """max |inverse| * (|ad| + |bc|) / |ad - bc|: the cancellation in the determinant
    magnifies the rounding of every entry of the inverse by that much."""
    det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    return _inv2(m).abs().max() * _cancel(m) / det.abs()


def _entries(m, rows):
    """A 2x2 tensor whose entries are m's, picked by (sign, i, j) triples."""
    return torch.stack([torch.stack([sign * m[i, j] for sign, i, j in row]) for row in rows])


_INV_MISTAKES = {
    "is the 1/det factor missing? you returned the adjugate [[d, -b], [-c, a]]":
        lambda m: _entries(m, [[(1, 1, 1), (-1, 0, 1)], [(-1, 1, 0), (1, 0, 0)]]),
    "b and c must be negated: the inverse is [[d, -b], [-c, a]] / det":
        lambda m: _entries(m, [[(1, 1, 1), (1, 0, 1)], [(1, 1, 0), (1, 0, 0)]]) / _det2(m),
    "a and d must swap places: the inverse is [[d, -b], [-c, a]] / det, not "
    "[[a, -b], [-c, d]] / det":
        lambda m: _entries(m, [[(1, 0, 0), (-1, 0, 1)], [(-1, 1, 0), (1, 1, 1)]]) / _det2(m),
    "b and c are in each other's places (a transpose): the inverse is [[d, -b], [-c, a]] / "
    "det": lambda m: _inv2(m).T,
    "you multiplied by det; divide by it":
        lambda m: _entries(m, [[(1, 1, 1), (-1, 0, 1)], [(-1, 1, 0), (1, 0, 0)]]) * _det2(m),
    "the determinant's sign is flipped: det = ad - bc, not bc - ad": lambda m: -_inv2(m),
}


def _well_conditioned_2x2(g, dtype, size: float):
    return _with_singular_values(g, 2, 2, _spread(g, 2, 1.0, 4.0), dtype) * size


@grader("ch07.inverse_2x2")
def inverse_2x2(g):
    g.expect("book_example", (_dev(g, [[1., 2.], [3., 4.]]),), _dev(g, [[-2., 1.], [1.5, -0.5]]),
             mistakes=_INV_MISTAKES)
    for dtype in FLOATS:
        tiny = 1e-3 if dtype == torch.float32 else 1e-6  # det 1e-6 or 1e-12: not singular
        cases = []
        for size in (1.0, tiny, 1e3):
            m = _well_conditioned_2x2(g, dtype, size)
            cases += [(m,), (g.noncontiguous(m),), (g.transposed_layout(m),)]
        cases.append((_with_singular_values(g, 3, 4, _spread(g, 3, 1.0, 3.0), dtype)[1:, 2:],))
        _against(g, "random_inputs", cases, _inv2, scale=_inv_scale, mistakes=_INV_MISTAKES,
                 hint=lambda m: f"this matrix is not singular (ad - bc = {float(_det2(m)):.3g}"
                                "): raise only when ad - bc is exactly 0, not below a "
                                "threshold")
        for m in _singular_2x2(g, dtype):
            _raises(g, "singular", (m,), "ValueError", "the matrix is singular (ad - bc == 0):")
    g.banned(_well_conditioned_2x2(g, torch.float32, 1.0), oracle=_inv2, mistakes=_INV_MISTAKES)


# -- linear systems ------------------------------------------------------------------------

def _cond(a):
    s = torch.linalg.svdvals(a)
    return s[0] / s[-1]


def _solve_scale(a, b):
    """cond(a) * max |x|: a backward-stable solve is off by about eps times that."""
    return _cond(a) * torch.linalg.solve(a, b).abs().max()


_SOLVE_MISTAKES = {
    "is a transposed? that x solves a^T x = b": lambda a, b: torch.linalg.solve(a.T, b),
    "you multiplied a @ b; solve a x = b (x = a^-1 b)": lambda a, b: a @ b,
    "you divided b by the diagonal of a; the whole matrix takes part":
        lambda a, b: b / torch.diagonal(a).reshape(-1, *([1] * (b.dim() - 1))),
}


def _system(g, n: int, dtype) -> torch.Tensor:
    """A non-symmetric (n, n) matrix with singular values in [1, 4] (condition number <= 4)."""
    return _with_singular_values(g, n, n, _spread(g, n, 1.0, 4.0), dtype)


@grader("ch07.solve")
def solve(g):
    a = _dev(g, [[2., 0.], [1., 1.]])
    g.expect("book_example", (a, _dev(g, [4., 3.])), _dev(g, [2., 1.]), mistakes=_SOLVE_MISTAKES)
    g.expect("book_example", (a, _dev(g, [[4., 2.], [3., 2.]])), _dev(g, [[2., 1.], [1., 1.]]),
             mistakes=_SOLVE_MISTAKES)
    for dtype in FLOATS:
        n, k = g.dims(2)
        cases = []
        for size, rhs in ((1, (3,)), (n, ()), (n, (k,)), (n, (1,)), (k, (n,))):
            a = _system(g, size, dtype)
            b = g.randn(size, *rhs, dtype=dtype)
            cases += [(a, b), (g.noncontiguous(a), g.noncontiguous(b)),
                      (g.transposed_layout(a), b)]
        _against(g, "random_inputs", cases, torch.linalg.solve, scale=_solve_scale,
                 mistakes=_SOLVE_MISTAKES)
        # large and tiny magnitudes: x is the same size as b / a
        a, b = _system(g, n, dtype), g.randn(n, k, dtype=dtype)
        _against(g, "magnitudes", [(a * 1e3, b), (a * 1e-3, b * 1e-3), (a, b * 1e4)],
                 torch.linalg.solve, scale=_solve_scale, mistakes=_SOLVE_MISTAKES)


def _lstsq(x, y):
    return torch.linalg.lstsq(x, y.unsqueeze(-1)).solution.squeeze(-1)


def _lstsq_scale(x, y):
    """cond(x)^2 (max |w| + |residual| / s_min): the normal equations' error, the largest a
    correct route makes (QR or SVD routes make less)."""
    s = torch.linalg.svdvals(x)
    w = _lstsq(x, y)
    r = torch.linalg.vector_norm(x @ w - y)
    return (s[0] / s[-1]) ** 2 * (w.abs().max() + r / s[-1])


_LSTSQ_MISTAKES = {
    "you returned x^T y; the (x^T x)^-1 in front is missing: w = (x^T x)^-1 x^T y":
        lambda x, y: x.T @ y,
    "you solved only the first D rows exactly; least squares uses every row":
        lambda x, y: torch.linalg.solve(x[:x.shape[1]], y[:x.shape[1]]),
    "you divided by x^T x elementwise or by its diagonal; solve (x^T x) w = x^T y":
        lambda x, y: (x.T @ y) / (x * x).sum(0),
}


def _regression(g, n: int, d: int, dtype, noise: float = 0.5):
    """(x, y) with x of singular values in [1, 3] and y = x w + noise off x's column space."""
    x = _with_singular_values(g, n, d, _spread(g, d, 1.0, 3.0), torch.float64)
    y = x @ g.randn(d, dtype=torch.float64) + noise * g.randn(n, dtype=torch.float64)
    return x.to(dtype), y.to(dtype)


@grader("ch07.least_squares")
def least_squares(g):
    g.expect("book_example", (_dev(g, [[1., 0.], [0., 1.], [1., 1.]]), _dev(g, [1., 1., 0.])),
             _dev(g, [1 / 3, 1 / 3]), mistakes=_LSTSQ_MISTAKES)
    g.expect("book_example", (_dev(g, [[1.], [1.], [1.]]), _dev(g, [1., 2., 6.])), _dev(g, [3.]),
             mistakes=_LSTSQ_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=2, hi=12))
        cases = []
        for rows, cols in ((1, 1), (n, d), (n, 1), (d, d), (n + 3, n)):
            x, y = _regression(g, rows, cols, dtype)
            cases += [(x, y), (g.noncontiguous(x), g.noncontiguous(y)),
                      (g.transposed_layout(x), y)]
        _against(g, "random_inputs", cases, _lstsq, scale=_lstsq_scale,
                 mistakes=_LSTSQ_MISTAKES)
        x, y = _regression(g, n, d, dtype)
        _against(g, "magnitudes", [(x * 1e3, y * 1e3), (x * 1e-3, y), (x, y * 1e-4)], _lstsq,
                 scale=_lstsq_scale, mistakes=_LSTSQ_MISTAKES)


# -- orthogonalisation and eigenvalues -----------------------------------------------------

def _qr_q(a):
    """Q of a = QR with R's diagonal positive, by Cholesky-QR: R^T R = a^T a, Q = a R^-1
    (exact enough in float64 for the well-conditioned inputs graded here)."""
    lower = torch.linalg.cholesky(a.mT @ a)  # R^T
    return torch.linalg.solve_triangular(lower, a.mT, upper=False).mT


def _unnormalised_gs(a):
    q = _qr_q(a)
    return q * (q * a).sum(0)  # column j times R[j, j] = q_j . a_j


def _gs_raw_projections(a):
    """Classical Gram-Schmidt that subtracts (a_j . u_i) u_i with u_i not unit length."""
    us = []
    for j in range(a.shape[1]):
        v = a[:, j]
        for u in us:
            v = v - (u @ a[:, j]) * u
        us.append(v)
    u = torch.stack(us, dim=1)
    return u / torch.linalg.vector_norm(u, dim=0)


_GS_MISTAKES = {
    "the columns are orthogonal but not unit length: divide each by its norm":
        _unnormalised_gs,
    "subtract the projection (a_j . u) u / (u . u), or normalise u first: projections onto "
    "vectors that are not unit length are too long": _gs_raw_projections,
    "the signs are flipped: out[:, j] . a[:, j] must be positive (R's diagonal positive)":
        lambda a: -_qr_q(a),
    "you orthonormalised the rows; the columns are asked for":
        lambda a: _qr_q(a.T).T if a.shape[0] == a.shape[1] else None,
}


@grader("ch07.gram_schmidt")
def gram_schmidt(g):
    g.expect("book_example", (_dev(g, [[3., 1.], [4., 2.]]),), _dev(g, [[0.6, -0.8], [0.8, 0.6]]),
             mistakes=_GS_MISTAKES)
    g.expect("book_example", (_dev(g, [[0., -2.], [-1., 0.], [0., 0.]]),),
             _dev(g, [[0., -1.], [-1., 0.], [0., 0.]]), mistakes=_GS_MISTAKES)
    one = lambda *args: 1.0  # noqa: E731 (unit columns: their entries' natural size is 1)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2))
        cases = []
        for rows, cols in ((1, 1), (n, d), (n, 1), (d, d)):
            a = _with_singular_values(g, rows, cols, _spread(g, cols, 1.0, 4.0), dtype)
            cases += [(a,), (g.noncontiguous(a),), (g.transposed_layout(a),)]
        _against(g, "random_inputs", cases, _qr_q, scale=one, mistakes=_GS_MISTAKES)
        a = _with_singular_values(g, n, d, _spread(g, d, 1.0, 4.0), dtype)
        _against(g, "magnitudes", [(a * 1e3,), (a * 1e-3,)], _qr_q, scale=one,
                 mistakes=_GS_MISTAKES)
    g.banned(_with_singular_values(g, 5, 3, _spread(g, 3, 1.0, 4.0), torch.float32),
             oracle=_qr_q, scale=1.0, mistakes=_GS_MISTAKES)


def _symmetric(g, n: int, eigenvalues, dtype) -> torch.Tensor:
    q = _orthogonal(g, n)
    m = (q * torch.as_tensor(eigenvalues, dtype=torch.float64)) @ q.T
    return ((m + m.T) / 2).to(g.device, dtype)  # exactly symmetric after the cast too


_EIG_MISTAKES = {
    "the order is descending; ascending is asked (smallest first)":
        lambda m: torch.linalg.eigvalsh(m).flip(0),
    "those are the singular values (|eigenvalues|, largest first); eigenvalues keep their "
    "sign": torch.linalg.svdvals,
    "sorted by absolute value; sort by the values themselves (negative ones first)":
        lambda m: (lambda e: e[e.abs().argsort()])(torch.linalg.eigvalsh(m)),
}


@grader("ch07.symmetric_eigenvalues")
def symmetric_eigenvalues(g):
    args = (_dev(g, [[2., 0.], [0., -3.]]),)
    out = g.call("book_example", *args)
    if out is not None and isinstance(out.value, torch.Tensor) and out.value.is_complex():
        g.check("book_example", False, f"{g.call_text(args)} gave complex values "
                f"{show(out.value)}: torch.linalg.eigvals is for general "
                "matrices; the eigenvalues of a symmetric matrix are real (torch.linalg."
                "eigvalsh gives them, ascending)")
    g.expect("book_example", args, _dev(g, [-3., 2.]), outcome=out, mistakes=_EIG_MISTAKES)
    g.expect("book_example", (_dev(g, [[2., 1.], [1., 2.]]),), _dev(g, [1., 3.]),
             mistakes=_EIG_MISTAKES)
    size = lambda m: m.abs().max()  # noqa: E731 (eigenvalue errors follow |m|, not |lambda|)
    for dtype in FLOATS:
        cases = []
        for n in (1, *g.dims(2, lo=3)):
            m = _symmetric(g, n, g.randn(n, dtype=torch.float64, scale=3.0).cpu(), dtype)
            cases += [(m,), (g.noncontiguous(m),), (g.transposed_layout(m),)]
        _against(g, "random_inputs", cases, torch.linalg.eigvalsh, scale=size,
                 mistakes=_EIG_MISTAKES)
        n = g.dims(1, lo=5)[0]
        ties = torch.tensor([2., -1., 2., 5., -1.] + [0.5] * (n - 5), dtype=torch.float64)
        hard = [(_symmetric(g, n, ties, dtype),), (torch.zeros(n, n, dtype=dtype, device=g.device),),
                (3 * torch.eye(n, dtype=dtype, device=g.device),),
                (_symmetric(g, n, g.randn(n, dtype=torch.float64).cpu() * 1e3, dtype),),
                (_symmetric(g, n, g.randn(n, dtype=torch.float64).cpu() * 1e-3, dtype),)]
        _against(g, "repeated_and_scaled", hard, torch.linalg.eigvalsh, scale=size,
                 mistakes=_EIG_MISTAKES)


# -- power iteration -----------------------------------------------------------------------

def _signed(v, dim=0):
    """v with each vector along ``dim`` signed so its largest-magnitude entry is positive."""
    i = v.abs().argmax(dim=dim, keepdim=True)
    return v * torch.sign(v.gather(dim, i))


def _dominant(m, steps):
    """The unit eigenvector of the eigenvalue of largest |value| (torch.linalg.eig)."""
    vals, vecs = torch.linalg.eig(m)
    v = vecs[:, vals.abs().argmax()].real
    return _signed(v / torch.linalg.vector_norm(v))


def _no_normalising(m, steps):
    """Power iteration that scales v only at the end: m^steps overflows or underflows."""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    for _ in range(steps):
        v = m @ v
    return _signed(v / torch.linalg.vector_norm(v))


_POWER_MISTAKES = {
    "the sign is flipped: the entry of largest magnitude must be positive":
        lambda m, s: -_dominant(m, s),
    "the sign rule is: the entry of largest magnitude is positive (not the first entry)":
        lambda m, s: (lambda v: v * torch.sign(v[0]))(_dominant(m, s)),
    "the sign rule is: the entry of largest magnitude is positive (not the sum)":
        lambda m, s: (lambda v: v * torch.sign(v.sum()))(_dominant(m, s)),
    "the vector must have unit length (Euclidean norm 1), not a largest entry of 1":
        lambda m, s: (lambda v: v / v.abs().max())(_dominant(m, s)),
    "you returned the eigenvalue; the eigenvector is asked":
        lambda m, s: (lambda v: v @ m @ v)(_dominant(m, s)),
    "that is the eigenvector of the smallest |eigenvalue|; power iteration finds the largest":
        lambda m, s: (lambda vals, vecs: _signed(vecs[:, vals.abs().argmin()].real))(
            *torch.linalg.eig(m)),
    "v overflowed or underflowed: scale v to unit length after every multiplication, not "
    "only at the end": _no_normalising,
}


def _eigen_gap(g, n: int, top: float) -> torch.Tensor:
    """n eigenvalues: ``top`` first, every other one at most 0.3 |top| in size."""
    rest = (torch.rand(n - 1, generator=g.gen, dtype=torch.float64) * 0.6 - 0.3) * abs(top)
    return torch.cat([t([top], dtype=torch.float64), rest])


def _reflector(v: torch.Tensor) -> torch.Tensor:
    """The Householder reflection (orthogonal, symmetric) whose first column is v / |v|."""
    w = -v / torch.linalg.vector_norm(v)
    w[0] += 1.0
    n = v.shape[0]
    if float(w @ w) == 0.0:
        return torch.eye(n, dtype=v.dtype)
    return torch.eye(n, dtype=v.dtype) - (2 / (w @ w)) * torch.outer(w, w)


def _tilted(g, n: int) -> torch.Tensor:
    """An orthogonal (n, n) matrix, n >= 4, whose first column has a positive first entry,
    a positive sum and a negative largest-magnitude entry: the usual wrong sign rules (first
    entry positive, sum positive) give the other sign."""
    v = torch.full((n,), 0.3, dtype=torch.float64)
    v[0], v[n // 2], v[-1] = 0.35, -1.0, 0.9
    rest = torch.block_diag(torch.ones(1, 1, dtype=torch.float64), _orthogonal(g, n - 1))
    return _reflector(v) @ rest  # first column v / |v|


@grader("ch07.power_iteration")
def power_iteration(g):
    g.expect("book_example", (_dev(g, [[2., 0.], [0., -5.]]), 20), _dev(g, [0., 1.]),
             mistakes=_POWER_MISTAKES)
    g.expect("book_example", (_dev(g, [[2., 1.], [1., 2.]]), 50),
             torch.full((2,), 0.5 ** 0.5, device=g.device), mistakes=_POWER_MISTAKES)
    one = lambda *args: 1.0  # noqa: E731 (a unit vector: its entries' natural size is 1)
    for dtype in FLOATS:
        cases = []
        for n in (1, *g.dims(2, lo=3)):
            top = float(g.uniform(1, lo=2.0, hi=6.0, dtype=torch.float64)) * (-1) ** n
            q = _orthogonal(g, n)
            m = ((q * _eigen_gap(g, n, top)) @ q.T).to(g.device, dtype)
            cases += [(m, 60), (g.noncontiguous(m), 60)]
            # not symmetric: m = P diag P^-1 with P well conditioned
            p = _with_singular_values(g, n, n, _spread(g, n, 1.0, 2.0), torch.float64).cpu()
            m = ((p * _eigen_gap(g, n, -top)) @ torch.linalg.inv(p)).to(g.device, dtype)
            cases.append((g.transposed_layout(m), 60))
        _against(g, "random_inputs", cases, _dominant, scale=one, mistakes=_POWER_MISTAKES)
        n = g.dims(1, lo=4)[0]
        q = _tilted(g, n)
        sign_case = ((q * _eigen_gap(g, n, 4.0)) @ q.T).to(g.device, dtype)
        _against(g, "sign_convention", [(sign_case, 60)], _dominant, scale=one,
                 mistakes=_POWER_MISTAKES)
        # 200 steps with |lambda| = 50 overflow, and with |lambda| = 0.01 underflow, unless v
        # is scaled at every step
        big = ((q * _eigen_gap(g, n, 50.0)) @ q.T).to(g.device, dtype)
        small = ((q * _eigen_gap(g, n, -0.01)) @ q.T).to(g.device, dtype)
        _against(g, "many_steps", [(big, 200), (small, 200)], _dominant, scale=one,
                 mistakes=_POWER_MISTAKES)


# -- SVD: low rank, PCA, explained variance, condition number ------------------------------

def _truncated(m, k):
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vh[:k]


def _smallest(m, k):
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    r = s.shape[0]
    return (u[:, r - k:] * s[r - k:]) @ vh[r - k:]


def _low_rank_scale(m, k):
    """s_1 * s_1 / (s_k - s_k+1): the subspace kept moves by eps * s_1 / gap."""
    s = torch.linalg.svdvals(m)
    if k == 0 or k >= s.shape[0]:
        return s[0] if s.numel() else 0.0
    return s[0] * s[0] / (s[k - 1] - s[k])


def _with_vh(m, k):
    """U S Vh^T: Vh (as torch.linalg.svd returns it) used as if it were V."""
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vh.T[:k]


_LOW_RANK_MISTAKES = {
    "you kept the k smallest singular values; keep the k largest": _smallest,
    "nothing was truncated: the result is m itself": lambda m, k: m,
    "you kept k + 1 singular values": lambda m, k: _truncated(m, k + 1),
    "you kept k - 1 singular values": lambda m, k: _truncated(m, max(k - 1, 0)),
    "the singular values are missing: U_k V_k^T must be U_k diag(S_k) V_k^T":
        lambda m, k: (lambda u, s, vh: u[:, :k] @ vh[:k])(*torch.linalg.svd(
            m, full_matrices=False)),
    "torch.linalg.svd returns Vh = V^T: take its first k rows, not columns": _with_vh,
}


@grader("ch07.low_rank_approx")
def low_rank_approx(g):
    g.expect("book_example", (_dev(g, [[3., 0.], [0., 1.]]), 1), _dev(g, [[3., 0.], [0., 0.]]),
             mistakes=_LOW_RANK_MISTAKES)
    g.expect("book_example", (_dev(g, [[1., 1.], [1., 1.], [0., 0.]]), 1),
             _dev(g, [[1., 1.], [1., 1.], [0., 0.]]), mistakes=_LOW_RANK_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        cases = []
        for rows, cols in ((1, 1), (n, d), (d, n), (n, 1), (1, d), (d, d)):
            r = min(rows, cols)
            m = _with_singular_values(g, rows, cols, _gapped(g, r), dtype)
            ks = sorted({0, 1, r, int(torch.randint(r + 1, (1,), generator=g.gen))})
            cases += [(m, k) for k in ks]
            cases += [(g.noncontiguous(m), r // 2), (g.transposed_layout(m), (r + 1) // 2)]
        _against(g, "random_inputs", cases, _truncated, scale=_low_rank_scale,
                 mistakes=_LOW_RANK_MISTAKES)
        m = _with_singular_values(g, n, d, _gapped(g, d), dtype)
        _against(g, "magnitudes", [(m * 1e3, 2), (m * 1e-3, d - 1)], _truncated,
                 scale=_low_rank_scale, mistakes=_LOW_RANK_MISTAKES)


def _axes(x, k):
    """The top-k principal axes (D, k) of x's centred columns by eigh of the covariance, each
    signed so its largest-magnitude loading is positive."""
    xc = x - x.mean(dim=0)
    _, vecs = torch.linalg.eigh(xc.T @ xc)  # ascending
    return _signed(vecs.flip(1)[:, :k])


def _pca(x, k):
    return (x - x.mean(dim=0)) @ _axes(x, k)


def _pca_no_centring(x, k):
    _, _, vh = torch.linalg.svd(x, full_matrices=False)
    return x @ _signed(vh[:k].T)


def _pca_smallest(x, k):
    xc = x - x.mean(dim=0)
    _, vecs = torch.linalg.eigh(xc.T @ xc)
    return xc @ _signed(vecs[:, :k])


def _pca_rows_centred(x, k):
    xc = x - x.mean(dim=1, keepdim=True)
    _, vecs = torch.linalg.eigh(xc.T @ xc)
    return xc @ _signed(vecs.flip(1)[:, :k])


_PCA_MISTAKES = {
    "centre the columns first (subtract each feature's mean over the rows): your projection "
    "is of the raw data": _pca_no_centring,
    "you subtracted each row's mean; centre the columns (each feature's mean over the rows)":
        _pca_rows_centred,
    "you projected on the axes of smallest variance; the top-k axes have the largest":
        _pca_smallest,
    "the axes' signs are flipped: each axis is signed so that its largest-magnitude loading "
    "is positive": lambda x, k: -_pca(x, k),
    "the sign rule is: the largest-magnitude loading of each axis is positive (not its first "
    "loading)": lambda x, k: (x - x.mean(dim=0)) @ (lambda a: a * torch.sign(a[:1]))(
        _axes(x, k)),
    "you signed the projected columns; the sign rule is on the axes (loadings)":
        lambda x, k: _signed(_pca(x, k)),
    "that is U[:, :k], the left singular vectors; the projection is centred @ axes (= U S)":
        lambda x, k: (lambda p: p / torch.linalg.vector_norm(p, dim=0))(_pca(x, k)),
}


def _pca_scale(x, k):
    """max |x| sqrt(D) (centring rounds on the scale of x, offsets included) plus
    s_1 * s_1 / (smallest gap among the top k + 1 singular values) (how far the axes move)."""
    s = torch.linalg.svdvals(x - x.mean(dim=0))
    top = s[:k + 1]
    gaps = top[:-1] - top[1:]
    gap = gaps.min() if gaps.numel() else s[0]
    return x.abs().max() * x.shape[1] ** 0.5 + s[0] * s[0] / gap


def _pca_data(g, n: int, d: int, dtype, offset: float = 5.0):
    """(n, d) data whose centred part has gapped singular values (n >= 2), plus offsets."""
    r = min(n - 1, d)
    # columns 2.. of the reflection whose first column is ones / sqrt(n) are orthonormal and
    # orthogonal to ones (zero mean); a random rotation of them picks r
    u = _reflector(torch.ones(n, dtype=torch.float64))[:, 1:] @ _orthogonal(g, n - 1)[:, :r]
    v = _orthogonal(g, d)[:, :r]
    x = (u * _gapped(g, r)) @ v.T + offset * g.randn(d, dtype=torch.float64).cpu()
    return x.to(g.device, dtype)


@grader("ch07.pca_project")
def pca_project(g):
    g.expect("book_example", (_dev(g, [[1., 1.], [3., 1.], [1., 2.], [3., 2.]]), 1),
             _dev(g, [[-1.], [1.], [-1.], [1.]]), mistakes=_PCA_MISTAKES)
    g.expect("book_example", (_dev(g, [[0., 0.], [1., -2.], [-2., 4.]]), 1),
             _dev(g, [[-5.], [-20.], [25.]]) / (3 * 5 ** 0.5), mistakes=_PCA_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        cases = []
        for rows, cols, k in ((n, d, 1), (n, d, d), (n, d, 2), (d, n, d - 1), (n, 1, 1),
                              (2, d, 1)):
            x = _pca_data(g, rows, cols, dtype)
            cases += [(x, k), (g.noncontiguous(x), k)]
        cases.append((g.transposed_layout(_pca_data(g, n, d, dtype)), d - 1))
        _against(g, "random_inputs", cases, _pca, scale=_pca_scale, mistakes=_PCA_MISTAKES)
        _against(g, "magnitudes", [(_pca_data(g, n, d, dtype) * 1e3, 2),
                                   (_pca_data(g, n, d, dtype) * 1e-3, 2),
                                   (_pca_data(g, n, d, dtype, offset=100.0), 2)],
                 _pca, scale=_pca_scale, mistakes=_PCA_MISTAKES)


def _evr(x):
    s2 = torch.linalg.svdvals(x - x.mean(dim=0)) ** 2
    return s2 / s2.sum()


def _evr_scale(x):
    """4 |E| / |centred x|_F, E the rounding of centring (eps |x|_max per entry): how far
    s_i^2 / sum s^2 moves when the centred data moves by E."""
    xc = x - x.mean(dim=0)
    return 4 * x.abs().max() * x.numel() ** 0.5 / torch.linalg.matrix_norm(xc)


_EVR_MISTAKES = {
    "centre the columns first (subtract each feature's mean over the rows)":
        lambda x: (lambda s2: s2 / s2.sum())(torch.linalg.svdvals(x) ** 2),
    "square the singular values: the variances are s**2, the ratios s**2 / sum(s**2)":
        lambda x: (lambda s: s / s.sum())(torch.linalg.svdvals(x - x.mean(dim=0))),
    "the order is descending (largest share first)": lambda x: _evr(x).flip(0),
    "those are the variances s**2 / (N - 1); divide by their sum to get ratios":
        lambda x: torch.linalg.svdvals(x - x.mean(dim=0)) ** 2 / max(x.shape[0] - 1, 1),
    "you subtracted each row's mean; centre the columns (each feature's mean over the rows)":
        lambda x: (lambda s2: s2 / s2.sum())(
            torch.linalg.svdvals(x - x.mean(dim=1, keepdim=True)) ** 2),
}


@grader("ch07.explained_variance_ratio")
def explained_variance_ratio(g):
    g.expect("book_example", (_dev(g, [[1., 1.], [3., 1.], [1., 2.], [3., 2.]]),),
             _dev(g, [0.8, 0.2]), mistakes=_EVR_MISTAKES)
    g.expect("book_example", (_dev(g, [[1., 5., 2.], [3., 5., 0.]]),), _dev(g, [1., 0.]),
             mistakes=_EVR_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        cases = []
        for rows, cols in ((n, d), (d, n), (d, d), (n, 1), (2, d), (2, 1)):
            spread = g.uniform(cols, lo=0.3, hi=3.0, dtype=torch.float64).cpu()
            x = (g.randn(rows, cols, dtype=torch.float64).cpu() * spread
                 + 5 * g.randn(cols, dtype=torch.float64).cpu()).to(g.device, dtype)
            cases += [(x,), (g.noncontiguous(x),), (g.transposed_layout(x),)]
        _against(g, "random_inputs", cases, _evr, scale=_evr_scale, mistakes=_EVR_MISTAKES)
        x = g.randn(n, d, dtype=dtype)
        x[:, 1] = 7.0  # a constant column: no variance along it
        _against(g, "hard_inputs", [(x,), (x * 1e3,), (x * 1e-3,), (x + 100.0,)], _evr,
                 scale=_evr_scale, mistakes=_EVR_MISTAKES)


# -- rotation and conditioning -------------------------------------------------------------

def _rotation(theta):
    c, s = math.cos(theta), math.sin(theta)
    return t([[c, -s], [s, c]], dtype=torch.float32)


_ROTATION_MISTAKES = {
    "that turns clockwise (the transpose); counter-clockwise is [[cos, -sin], [sin, cos]]":
        lambda th: _rotation(th).T,
    "theta is in radians, not degrees": lambda th: _rotation(math.radians(th)),
    "sin and cos are swapped: [[cos, -sin], [sin, cos]]":
        lambda th: (lambda c, s: t([[s, -c], [c, s]]))(math.cos(th), math.sin(th)),
}


@grader("ch07.rotation_2d")
def rotation_2d(g):
    g.expect("book_example", (0.0,), t([[1., 0.], [0., 1.]]), mistakes=_ROTATION_MISTAKES)
    g.expect("book_example", (math.pi / 2,), _rotation(math.pi / 2), mistakes=_ROTATION_MISTAKES)
    thetas = [math.pi / 6, -1.2, math.pi, 2.5]
    thetas += [float(x) for x in g.uniform(4, lo=-7.0, hi=7.0, dtype=torch.float64).cpu()]
    for theta in thetas:
        g.expect("random_angles", (theta,), _rotation(theta), mistakes=_ROTATION_MISTAKES)


def _condition(m):
    s = torch.linalg.svdvals(m)
    return s[0] / s[-1]


def _cond_scale(m):
    """cond^3: s_min is known to eps * s_max, so cond to eps * cond^2 by an SVD; a route
    through the eigenvalues of m^T m squares the condition number once more."""
    return _condition(m) ** 3


_COND_MISTAKES = {
    "that is s_min / s_max, the inverse; the condition number is s_max / s_min >= 1":
        lambda m: 1 / _condition(m),
    "that is a ratio of eigenvalues; the condition number uses singular values":
        lambda m: (lambda e: e.max() / e.min())(torch.linalg.eigvals(m).abs()),
    "that is s_max^2 / s_min^2 (eigenvalues of m^T m); take the square root":
        lambda m: _condition(m) ** 2,
    "that is the Frobenius-norm condition number |m|_F |m^-1|_F; use singular values":
        lambda m: torch.linalg.matrix_norm(m) * torch.linalg.matrix_norm(torch.linalg.inv(m)),
}


@grader("ch07.condition_number")
def condition_number(g):
    g.expect("book_example", (_dev(g, [[2., 0.], [0., 0.5]]),), _dev(g, 4.), mistakes=_COND_MISTAKES)
    g.expect("book_example", (_dev(g, [[0., 3.], [-1., 0.], [0., 0.]]),), _dev(g, 3.),
             mistakes=_COND_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        worst = 50.0 if dtype == torch.float32 else 1e5
        cases = []
        for rows, cols in ((1, 1), (n, n), (d, d), (n, d), (d, n), (1, d)):
            r = min(rows, cols)
            m = _with_singular_values(g, rows, cols, _spread(g, r, 1.0, 8.0), dtype)
            cases += [(m,), (g.noncontiguous(m),), (g.transposed_layout(m),)]
        for rows, cols in ((n, n), (n, d)):
            m = _with_singular_values(g, rows, cols, _spread(g, min(rows, cols), 1.0, worst),
                                      dtype)
            cases += [(m,), (m * 1e3,), (m * 1e-3,)]
        cases.append((3 * _orthogonal(g, d).to(g.device, dtype),))
        _against(g, "random_inputs", cases, _condition, scale=_cond_scale,
                 mistakes=_COND_MISTAKES)
