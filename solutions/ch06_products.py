"""ch06 - Products, norms and similarity.

Dot products, matrix products written three ways, norms, cosine similarity and projections:
the arithmetic under every layer of a network.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch06.dot_product", points=1, book="seed", examples=[
    Example(f"dot_product({T}([1., 2., 3.]), {T}([4., 5., 6.]))", expect=f"{T}(32.)")],
          hints=("Multiply the two vectors entry by entry and add up the products; torch has a "
                 "single call for exactly that.",
                 "`torch.dot(a, b)` or the `@` operator on two 1-D tensors; both give a 0-d "
                 "tensor. `a * b` alone is elementwise: a vector, not the dot product.",
                 "return torch.___(a, ___)  # (D,), (D,) -> ()"),
          stars=1, minutes=3)
def dot_product(a: Tensor, b: Tensor) -> Tensor:
    """The dot product of two vectors.

    Args:
        a: (D,) float vector.
        b: (D,) float vector.
    Returns:
        0-d tensor sum_i a[i] * b[i], in the inputs' dtype.
    Example:
        >>> dot_product(torch.tensor([1., 2., 3.]), torch.tensor([4., 5., 6.]))
        tensor(32.)
    """
    ### BEGIN SOLUTION
    return torch.dot(a, b)  # ()
    ### END SOLUTION


@exercise("ch06.dot_by_hand", points=1,
          ban=("dot", "vdot", "inner", "mm", "mv", "matmul", "bmm", "einsum", "tensordot"),
          examples=[Example(f"dot_by_hand({T}([1., 2., 3.]), {T}([4., 5., 6.]))",
                            expect=f"{T}(32.)")],
          hints=("A dot product is two steps: multiply matching entries, then add them all up. "
                 "Do both steps yourself.",
                 "Elementwise `*`, then `.sum()` with no dim. `@` is a matrix product in "
                 "disguise and is banned here, like every ready-made product function.",
                 "prod = a ___ b  # (D,) elementwise\n"
                 "return prod.___()  # ()"),
          stars=1, minutes=4)
def dot_by_hand(a: Tensor, b: Tensor) -> Tensor:
    """The dot product without any dot or matmul operator: multiply, then sum.

    Args:
        a: (D,) float vector.
        b: (D,) float vector.
    Returns:
        0-d tensor sum_i a[i] * b[i].
    Example:
        >>> dot_by_hand(torch.tensor([1., 2., 3.]), torch.tensor([4., 5., 6.]))
        tensor(32.)
    """
    ### BEGIN SOLUTION
    return (a * b).sum()  # (D,) -> ()
    ### END SOLUTION


@exercise("ch06.matvec", points=1, examples=[
    Example(f"matvec({T}([[1., 2.], [3., 4.], [5., 6.]]), {T}([1., -1.]))",
            expect=f"{T}([-1., -1., -1.])")],
          hints=("Each output entry is one row of m dotted with v; the matrix product does every "
                 "row at once.",
                 "`m @ v` (or `torch.mv` / `torch.matmul`): (N, D) times a 1-D (D,) gives (N,). "
                 "No need to turn v into a column: that would give (N, 1).",
                 "return m ___ v  # (N, D), (D,) -> (N,)"),
          stars=1, minutes=3)
def matvec(m: Tensor, v: Tensor) -> Tensor:
    """Matrix times vector.

    Args:
        m: (N, D) matrix.
        v: (D,) vector.
    Returns:
        (N,) with out[i] = sum_j m[i, j] * v[j].
    Example:
        >>> matvec(torch.tensor([[1., 2.], [3., 4.], [5., 6.]]), torch.tensor([1., -1.]))
        tensor([-1., -1., -1.])
    """
    ### BEGIN SOLUTION
    return m @ v  # (N, D) @ (D,) -> (N,)
    ### END SOLUTION


@exercise("ch06.matmul", points=1, book="P37, P44, P47, P102, seed", examples=[
    Example(f"matmul({T}([[1., 2.], [3., 4.]]), {T}([[5., 6.], [7., 8.]]))",
            expect=f"{T}([[19., 22.], [43., 50.]])"),
    Example("matmul(torch.ones(150, 4), torch.ones(4, 6)).shape", expect="torch.Size([150, 6])")],
          hints=("out[i, j] is row i of a dotted with column j of b; the inner sizes (K) must "
                 "agree.",
                 "`a @ b` or `torch.matmul(a, b)`; `a * b` is elementwise and is not the matrix "
                 "product.",
                 "return ___  # (N, K), (K, M) -> (N, M)"),
          stars=1, minutes=3)
def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product.

    Args:
        a: (N, K) matrix.
        b: (K, M) matrix.
    Returns:
        (N, M) with out[i, j] = sum_k a[i, k] * b[k, j]; a (150, 4) @ (4, 6) gives (150, 6).
    Example:
        >>> matmul(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[5., 6.], [7., 8.]]))
        tensor([[19., 22.],
                [43., 50.]])
    """
    ### BEGIN SOLUTION
    return a @ b  # (N, K) @ (K, M) -> (N, M)
    ### END SOLUTION


@exercise("ch06.matmul_by_broadcast", points=2, vec=True,
          ban=("mm", "matmul", "bmm", "einsum", "tensordot", "dot", "mv", "addmm", "baddbmm"),
          examples=[Example(f"matmul_by_broadcast({T}([[1., 2.], [3., 4.]]), "
                            f"{T}([[5., 6.], [7., 8.]]))",
                            expect=f"{T}([[19., 22.], [43., 50.]])")],
          hints=("Build every product a[i, k] * b[k, j] at once in one (N, K, M) tensor, then "
                 "add over k.",
                 "Add size-1 axes by indexing with `None` (or `unsqueeze`), multiply with `*` "
                 "(it broadcasts), then `.sum(dim=...)` over the K axis; the wrong dim gives "
                 "wrong numbers. `@` is banned.",
                 "prod = a[:, :, ___] * b[___, :, :]  # (N, K, 1) * (1, K, M) -> (N, K, M)\n"
                 "return prod.sum(dim=___)  # (N, M)"),
          stars=2, minutes=12)
def matmul_by_broadcast(a: Tensor, b: Tensor) -> Tensor:
    """Matrix product by broadcasting and a sum, with no product operator.

    Line a up as (N, K, 1) and b as (1, K, M), multiply elementwise, and sum over K.

    Args:
        a: (N, K) matrix.
        b: (K, M) matrix.
    Returns:
        (N, M), equal to a @ b.
    Example:
        >>> matmul_by_broadcast(torch.tensor([[1., 2.], [3., 4.]]),
        ...                     torch.tensor([[5., 6.], [7., 8.]]))
        tensor([[19., 22.],
                [43., 50.]])
    """
    ### BEGIN SOLUTION
    return (a[:, :, None] * b[None, :, :]).sum(dim=1)  # (N, K, 1) * (1, K, M) -> (N, M)
    ### END SOLUTION


@exercise("ch06.batched_matmul", points=1, book="P106, P107", examples=[
    Example("batched_matmul(torch.ones(2, 3, 4), torch.ones(2, 4, 5)).shape",
            expect="torch.Size([2, 3, 5])"),
    Example(f"batched_matmul({T}([[[1., 2.]], [[3., 4.]]]), {T}([[[1.], [1.]], [[2.], [0.]]]))",
            expect=f"{T}([[[3.]], [[6.]]])")],
          hints=("The same matrix product, done separately for each batch element: torch's "
                 "product treats leading axes as a batch, so no loop is needed.",
                 "`a @ b`, `torch.matmul` or `torch.bmm` (3-D only).",
                 "return ___  # (B, N, K), (B, K, M) -> (B, N, M)"),
          stars=1, minutes=4)
def batched_matmul(a: Tensor, b: Tensor) -> Tensor:
    """One matrix product per batch element.

    Args:
        a: (B, N, K).
        b: (B, K, M).
    Returns:
        (B, N, M) with out[i] = a[i] @ b[i].
    Example:
        >>> batched_matmul(torch.ones(2, 3, 4), torch.ones(2, 4, 5)).shape
        torch.Size([2, 3, 5])
    """
    ### BEGIN SOLUTION
    return a @ b  # (B, N, K) @ (B, K, M) -> (B, N, M)
    ### END SOLUTION


@exercise("ch06.bilinear_form", points=1, examples=[
    Example(f"bilinear_form({T}([[1., 2.]]), {T}([[1., 0.], [0., 2.]]), {T}([[3., 4.]]))",
            expect=f"{T}([19.])")],
          hints=("For each row b, map x[b] through A (a vector of size m), then dot it with "
                 "y[b]; do all rows at once.",
                 "`x @ A` gives (B, m); multiply by `y` elementwise and `.sum(dim=-1)`. `x @ A @ "
                 "y.T` computes all B x B pairs, of which only the diagonal is wanted.",
                 "xa = x ___ A  # (B, m)\n"
                 "return (xa ___ y).sum(dim=___)  # (B,)"),
          stars=2, minutes=10)
def bilinear_form(x: Tensor, A: Tensor, y: Tensor) -> Tensor:
    """x^T A y for every row of a batch.

    Args:
        x: (B, n).
        A: (n, m).
        y: (B, m).
    Returns:
        (B,) with out[b] = sum_ij x[b, i] * A[i, j] * y[b, j].
    Example:
        >>> bilinear_form(torch.tensor([[1., 2.]]), torch.tensor([[1., 0.], [0., 2.]]),
        ...               torch.tensor([[3., 4.]]))
        tensor([19.])
    """
    ### BEGIN SOLUTION
    return ((x @ A) * y).sum(dim=-1)  # (B, n) @ (n, m) -> (B, m) -> (B,)
    ### END SOLUTION


@exercise("ch06.norms", points=1,
          ban=("norm", "linalg_vector_norm", "dist", "cdist", "pdist", "pairwise_distance"),
          examples=[
    Example(f"norms({T}([3., -4.]))", expect=f"{T}([7., 5., 4.])")],
          hints=("L1 adds the absolute values, L2 is the square root of the sum of squares, "
                 "max-abs is the largest absolute value; compute the three, then pack them into "
                 "one vector.",
                 "`.abs()`, `.sum()`, `.sqrt()`, `.max()`, then `torch.stack([...])` "
                 "(`torch.tensor([...])` of tensors warns and drops the gradient). Ready-made "
                 "norms are banned.",
                 "l1 = v.abs().___()\n"
                 "l2 = (v * v).sum().___()\n"
                 "linf = ___\n"
                 "return torch.stack([l1, l2, linf])"),
          stars=2, minutes=8)
def norms(v: Tensor) -> Tensor:
    """The L1, L2 and max-abs norms of a vector, in that order.

    Args:
        v: (D,) vector.
    Returns:
        (3,) tensor [sum |v|, sqrt(sum v^2), max |v|].
    Example:
        >>> norms(torch.tensor([3., -4.]))
        tensor([7., 5., 4.])
    """
    ### BEGIN SOLUTION
    l1 = v.abs().sum()  # ()
    l2 = (v * v).sum().sqrt()  # ()
    linf = v.abs().max()  # ()
    return torch.stack([l1, l2, linf])  # (3,)
    ### END SOLUTION


@exercise("ch06.frobenius_norm", points=1,
          ban=("norm", "linalg_matrix_norm", "linalg_vector_norm", "dist", "cdist", "pdist",
               "pairwise_distance", "svd", "linalg_svd", "linalg_svdvals"), examples=[
              Example(f"frobenius_norm({T}([[1., 2.], [2., 4.]]))", expect=f"{T}(5.)")],
          hints=("Treat the matrix as one long list of numbers: square every entry, add them "
                 "all, take the square root.",
                 "`m * m` (or `m ** 2`), `.sum()` with no dim (all entries), `.sqrt()`. Norm and "
                 "SVD functions are banned here.",
                 "return (m ___ m).___().sqrt()  # ()"),
          stars=1, minutes=4)
def frobenius_norm(m: Tensor) -> Tensor:
    """The Frobenius norm: the square root of the sum of squared entries.

    Args:
        m: (N, D) matrix.
    Returns:
        0-d tensor.
    Example:
        >>> frobenius_norm(torch.tensor([[1., 2.], [2., 4.]]))
        tensor(5.)
    """
    ### BEGIN SOLUTION
    return (m * m).sum().sqrt()  # ()
    ### END SOLUTION


@exercise("ch06.unit_rows", points=1, examples=[
    Example(f"unit_rows({T}([[3., 4.], [0., 0.]]), 1e-8)", expect=f"{T}([[0.6, 0.8], [0., 0.]])"),
    # eps 2: the row of norm 5 is divided by 5, the row of norm 0.5 by 2
    Example(f"unit_rows({T}([[3., 4.], [0.3, 0.4]]), 2.0)",
            expect=f"{T}([[0.6, 0.8], [0.15, 0.2]])")],
          hints=("Compute each row's length, raise it to at least eps (a zero row is then "
                 "divided by eps, not by 0), and divide the row by it. eps is a floor, not "
                 "something to add.",
                 "`(x * x).sum(dim=-1, keepdim=True).sqrt()`, then `.clamp_min(eps)` and `/`. "
                 "Without keepdim the (N,) norms broadcast along the columns, not the rows.",
                 "n = (x * x).sum(dim=___, keepdim=___).sqrt()  # (N, 1)\n"
                 "return x / n.___(eps)  # (N, D)"),
          stars=2, minutes=8)
def unit_rows(x: Tensor, eps: float) -> Tensor:
    """Scale each row to unit L2 length.

    Args:
        x: (N, D).
        eps: lower bound on the norm, so an all-zero row stays zero instead of NaN.
    Returns:
        (N, D) with row i divided by max(||x[i]||, eps).
    Example:
        >>> unit_rows(torch.tensor([[3., 4.], [0., 0.]]), 1e-8)
        tensor([[0.6000, 0.8000],
                [0.0000, 0.0000]])
    """
    ### BEGIN SOLUTION
    n = (x * x).sum(dim=-1, keepdim=True).sqrt()  # (N, 1)
    return x / n.clamp_min(eps)  # (N, D)
    ### END SOLUTION


@exercise("ch06.cosine_similarity_matrix", points=2, book="P67", vec=True,
          ban=("cosine_similarity",), examples=[
              Example(f"cosine_similarity_matrix({T}([[1., 0.], [0., 0.]]), "
                      f"{T}([[1., 1.], [2., 0.]]))",
                      expect=f"{T}([[0.7071068, 1.], [0., 0.]])"),
              # short rows (norms 1e-4 and 2e-4, above the 1e-8 floor) still have cosine 1 or 0
              Example(f"cosine_similarity_matrix({T}([[1e-4, 0.]]), {T}([[1e-4, 0.], [0., 2e-4]]))",
                      expect=f"{T}([[1., 0.]])")],
          hints=("Scale every row of a and of b to unit length (each norm floored at 1e-8); then "
                 "all the row-by-row dot products are one matrix product.",
                 "Row norms: `(a * a).sum(dim=-1, keepdim=True).sqrt().clamp_min(1e-8)`; then "
                 "`(a / na) @ (b / nb).T`. Floor each norm separately, not their product; mind "
                 "the `.T`.",
                 "na = (a * a).sum(dim=-1, keepdim=True).sqrt().clamp_min(___)  # (N, 1)\n"
                 "nb = ___  # (M, 1)\n"
                 "return (a / na) @ ___  # (N, M)"),
          stars=2, minutes=12)
def cosine_similarity_matrix(a: Tensor, b: Tensor) -> Tensor:
    """Cosine similarity between every row of a and every row of b.

    Args:
        a: (N, D).
        b: (M, D).
    Returns:
        (N, M) with out[i, j] = a[i].b[j] / (max(||a[i]||, 1e-8) * max(||b[j]||, 1e-8)),
        so a zero row gives similarity 0.
    Example:
        >>> cosine_similarity_matrix(torch.tensor([[1., 0.], [0., 0.]]),
        ...                          torch.tensor([[1., 1.], [2., 0.]]))
        tensor([[0.7071, 1.0000],
                [0.0000, 0.0000]])
    """
    ### BEGIN SOLUTION
    na = (a * a).sum(dim=-1, keepdim=True).sqrt().clamp_min(1e-8)  # (N, 1)
    nb = (b * b).sum(dim=-1, keepdim=True).sqrt().clamp_min(1e-8)  # (M, 1)
    return (a / na) @ (b / nb).T  # (N, D) @ (D, M) -> (N, M)
    ### END SOLUTION


@exercise("ch06.project_onto", points=1, examples=[
    Example(f"project_onto({T}([2., 3.]), {T}([1., 0.]))", expect=f"{T}([2., 0.])"),
    Example(f"project_onto({T}([2., 3.]), {T}([0., 2.]))", expect=f"{T}([0., 3.])")],
          hints=("The projection is u scaled by how much of v lies along u: the ratio of two dot "
                 "products, (v.u) / (u.u).",
                 "Dot products with `(v * u).sum()` or `torch.dot`; the 0-d ratio broadcasts "
                 "over u. Dividing by ||u|| instead of u.u is only right when u has length 1.",
                 "coef = (v * u).sum() / ___  # ()\n"
                 "return ___ * u  # (D,)"),
          stars=1, minutes=5)
def project_onto(v: Tensor, u: Tensor) -> Tensor:
    """The orthogonal projection of v onto the line spanned by u.

    Args:
        v: (D,) vector to project.
        u: (D,) non-zero direction.
    Returns:
        (D,) equal to (v.u / u.u) u.
    Example:
        >>> project_onto(torch.tensor([2., 3.]), torch.tensor([1., 0.]))
        tensor([2., 0.])
    """
    ### BEGIN SOLUTION
    return (v * u).sum() / (u * u).sum() * u  # () * (D,) -> (D,)
    ### END SOLUTION


@exercise("ch06.trace", points=1, ban=("trace",), examples=[
    Example(f"trace({T}([[1., 2.], [3., 4.]]))", expect=f"{T}(5.)"),
    Example(f"trace({T}([[1., 2.], [3., 5.]]))", expect=f"{T}(6.)")],
          hints=("Take the entries m[i, i] of the main diagonal and add them up.",
                 "`m.diagonal()` (or `torch.diag(m)`) gives the diagonal as a 1-D tensor; then "
                 "`.sum()`. No loop needed.",
                 "return m.___().___()  # (N,) -> ()"),
          stars=1, minutes=3)
def trace(m: Tensor) -> Tensor:
    """The sum of the main diagonal.

    Args:
        m: (N, N) square matrix.
    Returns:
        0-d tensor sum_i m[i, i].
    Example:
        >>> trace(torch.tensor([[1., 2.], [3., 4.]]))
        tensor(5.)
    """
    ### BEGIN SOLUTION
    return m.diagonal().sum()  # (N,) -> ()
    ### END SOLUTION


@exercise("ch06.gram_matrix", points=1, examples=[
    Example(f"gram_matrix({T}([[1., 2.], [3., 4.]]))", expect=f"{T}([[5., 11.], [11., 25.]])")],
          hints=("Entry [i, j] is row i dotted with row j: the matrix times its own transpose.",
                 "`x @ x.T`. The other order, `x.T @ x`, gives the (D, D) matrix of column "
                 "products instead.",
                 "return x @ ___  # (N, D), (D, N) -> (N, N)"),
          stars=1, minutes=4)
def gram_matrix(x: Tensor) -> Tensor:
    """Inner products between every pair of rows.

    Args:
        x: (N, D).
    Returns:
        (N, N) with out[i, j] = x[i].x[j].
    Example:
        >>> gram_matrix(torch.tensor([[1., 2.], [3., 4.]]))
        tensor([[ 5., 11.],
                [11., 25.]])
    """
    ### BEGIN SOLUTION
    return x @ x.T  # (N, D) @ (D, N) -> (N, N)
    ### END SOLUTION
