"""Hidden graders for ch06 - Products, norms and similarity.

Oracles are torch built-ins in float64 (torch.mm, torch.linalg.vector_norm, ...), never
solutions/. Every grader runs the book's example, random inputs of both float dtypes with
every dimension a different size (1 included), a non-contiguous layout, and the marks.
"""
import torch

from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


@grader("ch06.dot_product")
def dot_product(g):
    g.expect("book_example", (t([1., 2., 3.], device=g.device), t([4., 5., 6.], device=g.device)),
             t(32., device=g.device), exact=True,
             mistakes={"is the sum over a*b missing?": lambda a, b: a * b})
    mistakes = {"you multiplied the sums; a dot product sums the products":
                lambda a, b: a.sum() * b.sum()}
    for dtype in FLOATS:
        for d in (1, *g.dims(2)):
            a, b = g.randn(d, dtype=dtype), g.randn(d, dtype=dtype)
            g.against("random_inputs", g.layouts(a, b), torch.dot, mistakes=mistakes)


@grader("ch06.dot_by_hand")
def dot_by_hand(g):
    dot_product(g)
    g.banned(g.randn(5), g.randn(5), oracle=torch.dot)


def _matmul_cases(g, batch=False):
    for dtype in FLOATS:
        for n, k, m in ((1, 1, 1), g.dims(3), g.dims(3)):
            lead = (g.dims(1)[0],) if batch else ()
            a, b = g.randn(*lead, n, k, dtype=dtype), g.randn(*lead, k, m, dtype=dtype)
            yield a, b
            yield g.noncontiguous(a), g.transposed_layout(b)


_MATMUL_MISTAKES = {
    "is one operand transposed? out[i, j] pairs row i of a with column j of b":
        lambda a, b: a.mT @ b.mT if a.shape[-1] == a.shape[-2] else None,
    "is the result transposed?": lambda a, b: (a @ b).mT,
    "an elementwise product is not a matrix product": lambda a, b: a * b,
}


@grader("ch06.matvec")
def matvec(g):
    g.expect("book_example", (t([[1., 2.], [3., 4.], [5., 6.]], device=g.device),
                              t([1., -1.], device=g.device)), t([-1., -1., -1.], device=g.device))
    for dtype in FLOATS:
        for n, d in ((1, 1), g.dims(2), g.dims(2)):
            m, v = g.randn(n, d, dtype=dtype), g.randn(d, dtype=dtype)
            g.against("random_inputs", g.layouts(m, v), torch.mv, mistakes={
                "did you sum over the rows (dim 0) instead of along each row?":
                    lambda m, v: (m * v[:, None]).sum(0) if m.shape[0] == m.shape[1] else None})


@grader("ch06.matmul")
def matmul(g):
    g.expect("book_example", (t([[1., 2.], [3., 4.]], device=g.device),
                              t([[5., 6.], [7., 8.]], device=g.device)),
             t([[19., 22.], [43., 50.]], device=g.device), mistakes=_MATMUL_MISTAKES)
    g.expect("book_shape", (torch.ones(150, 4, device=g.device), torch.ones(4, 6, device=g.device)),
             torch.full((150, 6), 4., device=g.device))
    g.against("random_inputs", _matmul_cases(g), torch.mm, mistakes=_MATMUL_MISTAKES)


@grader("ch06.matmul_by_broadcast")
def matmul_by_broadcast(g):
    matmul(g)
    g.banned(g.randn(3, 4), g.randn(4, 5), oracle=torch.mm)
    g.vectorised(lambda s: (g.randn(s, s + 1), g.randn(s + 1, s + 2)), oracle=torch.mm)


@grader("ch06.batched_matmul")
def batched_matmul(g):
    g.expect("book_example", (t([[[1., 2.]], [[3., 4.]]], device=g.device),
                              t([[[1.], [1.]], [[2.], [0.]]], device=g.device)),
             t([[[3.]], [[6.]]], device=g.device), mistakes=_MATMUL_MISTAKES)
    g.against("random_inputs", _matmul_cases(g, batch=True), torch.bmm, mistakes={
        **_MATMUL_MISTAKES,
        "is batch element 0's matrix used for every batch element?":
            lambda a, b: a[:1] @ b[:1].expand_as(b) if a.shape[0] > 1 else None})


@grader("ch06.bilinear_form")
def bilinear_form(g):
    g.expect("book_example", (t([[1., 2.]], device=g.device), t([[1., 0.], [0., 2.]],
                                                                 device=g.device),
                              t([[3., 4.]], device=g.device)), t([19.], device=g.device))
    oracle = lambda x, A, y: torch.einsum("bi,ij,bj->b", x, A, y)  # noqa: E731
    for dtype in FLOATS:
        for b, n, m in ((1, 1, 1), g.dims(3), g.dims(3)):
            x, A, y = g.randn(b, n, dtype=dtype), g.randn(n, m, dtype=dtype), \
                g.randn(b, m, dtype=dtype)
            g.against("random_inputs", g.layouts(x, A, y), oracle, mistakes={
                "you built the full (B, B) matrix x A y^T; only its diagonal is wanted":
                    lambda x, A, y: (x @ A @ y.T).sum(-1)})


def _norms(v):
    return torch.stack([torch.linalg.vector_norm(v, 1), torch.linalg.vector_norm(v, 2),
                        torch.linalg.vector_norm(v, float("inf"))])


@grader("ch06.norms")
def norms(g):
    g.expect("book_example", (t([3., -4.], device=g.device),), t([7., 5., 4.], device=g.device),
             mistakes={"L1 and max-abs norms use absolute values: |v|, not v":
                       lambda v: torch.stack([v.sum(), v.pow(2).sum().sqrt(), v.max()]),
                       "the order is L1, L2, max-abs": lambda v: _norms(v).flip(0)})
    for dtype in FLOATS:
        for d in (1, *g.dims(2)):
            v = g.randn(d, dtype=dtype)
            g.against("random_inputs", g.layouts(v), _norms, mistakes={
                "L1 and max-abs norms use absolute values: |v|, not v":
                    lambda v: torch.stack([v.sum(), v.pow(2).sum().sqrt(), v.max()])})
    g.banned(g.randn(6), oracle=_norms)


@grader("ch06.frobenius_norm")
def frobenius_norm(g):
    g.expect("book_example", (t([[1., 2.], [2., 4.]], device=g.device),), t(5., device=g.device),
             mistakes={"is the square root missing?": lambda m: (m * m).sum()})
    for dtype in FLOATS:
        for n, d in ((1, 1), g.dims(2), g.dims(2)):
            m = g.randn(n, d, dtype=dtype)
            g.against("random_inputs", g.layouts(m), torch.linalg.matrix_norm, mistakes={
                "is the square root missing?": lambda m: (m * m).sum(),
                "square each entry before summing: you squared the sum":
                    lambda m: m.sum().abs()})
    g.banned(g.randn(3, 4), oracle=torch.linalg.matrix_norm)


def _unit_rows(x, eps):
    return x / torch.linalg.vector_norm(x, dim=-1, keepdim=True).clamp_min(eps)


_UNIT_ROWS_MISTAKES = {
    "normalise each row (dim=-1), not each column":
        lambda x, e: x / torch.linalg.vector_norm(x, dim=0).clamp_min(e),
    "a row whose norm is below eps is divided by eps, not by its norm (so rows of zeros "
    "must stay zero): divide by max(norm, eps)":
        lambda x, e: x / torch.linalg.vector_norm(x, dim=-1, keepdim=True),
    "it is max(norm, eps), not norm + eps":
        lambda x, e: x / (torch.linalg.vector_norm(x, dim=-1, keepdim=True) + e),
    "rows whose norm is below eps are divided by eps, not left unchanged":
        lambda x, e: torch.where(torch.linalg.vector_norm(x, dim=-1, keepdim=True) < e, x,
                                 x / torch.linalg.vector_norm(x, dim=-1, keepdim=True)),
    "rows whose norm is below eps are divided by eps, not set to zero":
        lambda x, e: torch.where(torch.linalg.vector_norm(x, dim=-1, keepdim=True) < e, 0.0,
                                 x / torch.linalg.vector_norm(x, dim=-1, keepdim=True)),
}


def _rows_around(g, n: int, d: int, eps: float, dtype) -> torch.Tensor:
    """Rows with norms far below, just below, just above and far above eps, and zeros."""
    x = g.randn(n, d, dtype=torch.float64)
    x = x / torch.linalg.vector_norm(x, dim=-1, keepdim=True)
    factors = torch.tensor([0.0, 1e-3, 0.5, 0.97, 1.03, 2.0, 1e3], dtype=torch.float64)
    pick = factors[torch.arange(n) % len(factors)].to(x.device)
    return (x * pick[:, None] * eps).to(dtype)


@grader("ch06.unit_rows")
def unit_rows(g):
    g.expect("book_example", (t([[3., 4.], [0., 0.]], device=g.device), 1e-8),
             t([[0.6, 0.8], [0., 0.]], device=g.device))
    for dtype in FLOATS:
        for n, d in ((1, 1), g.dims(2)):
            x = g.randn(n, d, dtype=dtype)
            x[0] = 0  # a zero row: divided by eps, it stays zero
            eps = 1e-6
            g.against("random_inputs", [(x, eps), (g.noncontiguous(x), eps)], _unit_rows,
                      mistakes=_UNIT_ROWS_MISTAKES)
        # norms on both sides of eps, at two magnitudes of eps: the expected rows are tiny
        # where the norm is below eps, and compared relative to their own size
        d = g.dims(1, 2, 6)[0]
        for eps in (1e-3, 1e-6):
            x = _rows_around(g, 7, d, eps, dtype)
            g.against("rows_near_eps", [(x, eps)], _unit_rows, mistakes=_UNIT_ROWS_MISTAKES)
            x = _rows_around(g, 3, d, eps, dtype)[1:2] * 1e-3  # every row far below eps
            g.against("rows_near_eps", [(x, eps)], _unit_rows, mistakes=_UNIT_ROWS_MISTAKES)


def _cosine(a, b):
    na = torch.linalg.vector_norm(a, dim=-1).clamp_min(1e-8)
    nb = torch.linalg.vector_norm(b, dim=-1).clamp_min(1e-8)
    return (a @ b.T) / (na[:, None] * nb[None, :])


_COSINE_MISTAKES = {
    "did you forget to divide by the norms?": lambda a, b: a @ b.T,
    "is the similarity matrix transposed?": lambda a, b: _cosine(a, b).T,
    "a zero row must give 0, not NaN: clamp each norm at 1e-8":
        lambda a, b: (a @ b.T) / (torch.linalg.vector_norm(a, dim=-1)[:, None] *
                                  torch.linalg.vector_norm(b, dim=-1)[None]),
    "clamp each norm at 1e-8 on its own; adding 1e-8 to the product of the norms is "
    "not the same for short rows":
        lambda a, b: (a @ b.T) / (torch.linalg.vector_norm(a, dim=-1)[:, None] *
                                  torch.linalg.vector_norm(b, dim=-1)[None] + 1e-8),
    "clamp each norm at 1e-8 on its own, not their product":
        lambda a, b: (a @ b.T) / (torch.linalg.vector_norm(a, dim=-1)[:, None] *
                                  torch.linalg.vector_norm(b, dim=-1)[None]).clamp_min(1e-8),
    "clamp each norm below at 1e-8 (max(norm, 1e-8)), not norm + 1e-8":
        lambda a, b: (a @ b.T) / ((torch.linalg.vector_norm(a, dim=-1)[:, None] + 1e-8) *
                                  (torch.linalg.vector_norm(b, dim=-1)[None] + 1e-8)),
}


def _short_rows(g, n: int, d: int, dtype) -> torch.Tensor:
    """Rows of norm 0, 1e-9 (below the clamp), 1e-7, 1e-5 and 1."""
    x = g.randn(n, d, dtype=torch.float64)
    x = x / torch.linalg.vector_norm(x, dim=-1, keepdim=True)
    norms = torch.tensor([0.0, 1e-9, 1e-7, 1e-5, 1.0], dtype=torch.float64)
    return (x * norms[torch.arange(n) % 5].to(x.device)[:, None]).to(dtype)


@grader("ch06.cosine_similarity_matrix")
def cosine_similarity_matrix(g):
    g.expect("book_example", (t([[1., 0.], [0., 0.]], device=g.device),
                              t([[1., 1.], [2., 0.]], device=g.device)),
             t([[0.70710678, 1.], [0., 0.]], device=g.device))
    for dtype in FLOATS:
        for n, m, d in ((1, 1, 1), g.dims(3), g.dims(3)):
            a, b = g.randn(n, d, dtype=dtype), g.randn(m, d, dtype=dtype)
            b[0] = 0  # a zero row has similarity 0, never NaN
            g.against("random_inputs", g.layouts(a, b), _cosine, mistakes=_COSINE_MISTAKES)
        # short rows on both sides: the clamp applies to each norm, not to their product
        n, m = g.dims(2, 5, 9)
        d = g.dims(1, 2, 6)[0]
        a, b = _short_rows(g, n, d, dtype), _short_rows(g, m, d, dtype).flip(0)
        g.against("short_rows", [(a, b)], _cosine, mistakes=_COSINE_MISTAKES)
    g.banned(g.randn(3, 4), g.randn(5, 4), oracle=_cosine)
    g.vectorised(lambda s: (g.randn(s, s + 1), g.randn(s + 2, s + 1)), oracle=_cosine)


@grader("ch06.project_onto")
def project_onto(g):
    g.expect("book_example", (t([2., 3.], device=g.device), t([1., 0.], device=g.device)),
             t([2., 0.], device=g.device))
    oracle = lambda v, u: torch.dot(v, u) / torch.dot(u, u) * u  # noqa: E731
    for dtype in FLOATS:
        for d in (1, *g.dims(2)):
            v, u = g.randn(d, dtype=dtype), g.randn(d, dtype=dtype) * 3
            g.against("random_inputs", g.layouts(v, u), oracle, mistakes={
                "divide by u.u (the squared length), not by |u|":
                    lambda v, u: torch.dot(v, u) / torch.linalg.vector_norm(u) * u,
                "you projected u onto v; the catalog projects v onto u":
                    lambda v, u: torch.dot(v, u) / torch.dot(v, v) * v})


@grader("ch06.trace")
def trace(g):
    g.expect("book_example", (t([[1., 2.], [3., 4.]], device=g.device),), t(5., device=g.device),
             mistakes={"you summed every entry; the trace sums the diagonal only":
                       lambda m: m.sum()})
    for dtype in FLOATS:
        for n in (1, *g.dims(2)):
            m = g.randn(n, n, dtype=dtype)
            g.against("random_inputs", [(m,), (g.noncontiguous(m),), (m.T,)],
                      lambda m: torch.diagonal(m).sum(), mistakes={
                          "you summed the anti-diagonal": lambda m: m.flip(-1).diagonal().sum(),
                          "you summed every entry; the trace sums the diagonal only":
                              lambda m: m.sum()})
    g.banned(g.randn(4, 4), oracle=lambda m: torch.diagonal(m).sum())


@grader("ch06.gram_matrix")
def gram_matrix(g):
    mistakes = {"that is x^T x (D, D), the covariance-like matrix; the Gram matrix is x x^T":
                lambda x: x.T @ x}
    g.expect("book_example", (t([[1., 2.], [3., 4.]], device=g.device),),
             t([[5., 11.], [11., 25.]], device=g.device), mistakes=mistakes)
    for dtype in FLOATS:
        for n, d in ((1, 1), g.dims(2), g.dims(2)):
            x = g.randn(n, d, dtype=dtype)
            g.against("random_inputs", g.layouts(x), lambda x: x @ x.T, mistakes=mistakes)
