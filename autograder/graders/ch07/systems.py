"""ch07 graders of linear systems: solve and least squares."""
import torch

from autograder.checks.grading import FLOATS
from autograder.graders import grader
from autograder.graders.ch07.calls import dev
from autograder.graders.ch07.inputs import spread, with_singular_values


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
    return with_singular_values(g, n, n, spread(g, n, 1.0, 4.0), dtype)


@grader("ch07.solve")
def solve(g):
    a = dev(g, [[2., 0.], [1., 1.]])
    g.expect("book_example", (a, dev(g, [4., 3.])), dev(g, [2., 1.]), mistakes=_SOLVE_MISTAKES)
    g.expect("book_example", (a, dev(g, [[4., 2.], [3., 2.]])), dev(g, [[2., 1.], [1., 1.]]),
             mistakes=_SOLVE_MISTAKES)
    for dtype in FLOATS:
        n, k = g.dims(2)
        cases = []
        for size, rhs in ((1, (3,)), (n, ()), (n, (k,)), (n, (1,)), (k, (n,))):
            a = _system(g, size, dtype)
            b = g.randn(size, *rhs, dtype=dtype)
            cases += [(a, b), (g.noncontiguous(a), g.noncontiguous(b)),
                      (g.transposed_layout(a), b)]
        g.against("random_inputs", cases, torch.linalg.solve, scale=_solve_scale,
                  mistakes=_SOLVE_MISTAKES)
        # large and tiny magnitudes: x is the same size as b / a
        a, b = _system(g, n, dtype), g.randn(n, k, dtype=dtype)
        g.against("magnitudes", [(a * 1e3, b), (a * 1e-3, b * 1e-3), (a, b * 1e4)],
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
    x = with_singular_values(g, n, d, spread(g, d, 1.0, 3.0), torch.float64)
    y = x @ g.randn(d, dtype=torch.float64) + noise * g.randn(n, dtype=torch.float64)
    return x.to(dtype), y.to(dtype)


@grader("ch07.least_squares")
def least_squares(g):
    g.expect("book_example", (dev(g, [[1., 0.], [0., 1.], [1., 1.]]), dev(g, [1., 1., 0.])),
             dev(g, [1 / 3, 1 / 3]), mistakes=_LSTSQ_MISTAKES)
    g.expect("book_example", (dev(g, [[1.], [1.], [1.]]), dev(g, [1., 2., 6.])), dev(g, [3.]),
             mistakes=_LSTSQ_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=2, hi=12))
        cases = []
        for rows, cols in ((1, 1), (n, d), (n, 1), (d, d), (n + 3, n)):
            x, y = _regression(g, rows, cols, dtype)
            cases += [(x, y), (g.noncontiguous(x), g.noncontiguous(y)),
                      (g.transposed_layout(x), y)]
        g.against("random_inputs", cases, _lstsq, scale=_lstsq_scale,
                  mistakes=_LSTSQ_MISTAKES)
        x, y = _regression(g, n, d, dtype)
        g.against("magnitudes", [(x * 1e3, y * 1e3), (x * 1e-3, y), (x, y * 1e-4)], _lstsq,
                  scale=_lstsq_scale, mistakes=_LSTSQ_MISTAKES)
