"""ch07 graders of the 2x2 closed forms (determinant, inverse) and the 2-D rotation."""
import math

import torch

from autograder.checks.grading import FLOATS
from autograder.graders import grader
from autograder.graders.ch07.calls import dev
from autograder.graders.ch07.inputs import spread, with_singular_values

t = torch.tensor


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
    g.expect("book_example", (dev(g, [[1., 2.], [3., 4.]]),), dev(g, -2.), exact=True,
             mistakes=_DET_MISTAKES)
    for dtype in FLOATS:
        g.against("random_inputs", _two_by_two(g, dtype), torch.linalg.det, scale=_cancel,
                  mistakes=_DET_MISTAKES)
        # 0 (the closed form in float64, exact here, where LU is not); a fused multiply-add
        # leaves a residual of the size of one rounding of ad, which the scale allows
        g.against("singular", ((m,) for m in _singular_2x2(g, dtype)), _det2,
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
    return with_singular_values(g, 2, 2, spread(g, 2, 1.0, 4.0), dtype) * size


@grader("ch07.inverse_2x2")
def inverse_2x2(g):
    g.expect("book_example", (dev(g, [[1., 2.], [3., 4.]]),), dev(g, [[-2., 1.], [1.5, -0.5]]),
             mistakes=_INV_MISTAKES)
    for dtype in FLOATS:
        tiny = 1e-3 if dtype == torch.float32 else 1e-6  # det 1e-6 or 1e-12: not singular
        cases = []
        for size in (1.0, tiny, 1e3):
            m = _well_conditioned_2x2(g, dtype, size)
            cases += [(m,), (g.noncontiguous(m),), (g.transposed_layout(m),)]
        cases.append((with_singular_values(g, 3, 4, spread(g, 3, 1.0, 3.0), dtype)[1:, 2:],))
        g.against("random_inputs", cases, _inv2, scale=_inv_scale, mistakes=_INV_MISTAKES,
                  hint=lambda m: f"this matrix is not singular (ad - bc = {float(_det2(m)):.3g}"
                                 "): raise only when ad - bc is exactly 0, not below a "
                                 "threshold")
        for m in _singular_2x2(g, dtype):
            g.raises("singular", (m,), "ValueError", "a singular matrix (ad - bc == 0)")
    g.banned(_well_conditioned_2x2(g, torch.float32, 1.0), oracle=_inv2, mistakes=_INV_MISTAKES)


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
