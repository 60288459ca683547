"""ch07 - Solving and decomposing.

Determinants and inverses by hand, linear systems and least squares, Gram-Schmidt, eigenvalues,
power iteration, the SVD behind low-rank approximation and PCA, rotations and the condition
number: the linear algebra under fitting, compressing and analysing what a network learns.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch07.det_2x2", points=2, ban=("linalg_det", "det", "_linalg_det"), examples=[
    Example(f"det_2x2({T}([[1., 2.], [3., 4.]]))", expect=f"{T}(-2.)"),
    Example(f"det_2x2({T}([[1., 2.], [2., 4.]]))", expect=f"{T}(0.)")],
          hints=("Read the four entries a, b, c, d out of m = [[a, b], [c, d]] and combine them "
                 "as ad - bc.",
                 "Plain indexing: `m[0, 0]`, `m[0, 1]`, `m[1, 0]`, `m[1, 1]` are 0-d tensors. "
                 "Keep them tensors (no `.item()`), so the dtype survives. Library determinants "
                 "are banned.",
                 "return m[0, 0] * ___ - ___ * m[1, 0]  # ()"),
          stars=1, minutes=4)
def det_2x2(m: Tensor) -> Tensor:
    """The determinant of a 2x2 matrix, written out: ad - bc for m = [[a, b], [c, d]].

    Args:
        m: (2, 2) float matrix [[a, b], [c, d]].
    Returns:
        0-d tensor a * d - b * c, in m's dtype.
    Example:
        >>> det_2x2(torch.tensor([[1., 2.], [3., 4.]]))
        tensor(-2.)
    """
    ### BEGIN SOLUTION
    return m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]  # ()
    ### END SOLUTION


@exercise("ch07.solve", points=1, examples=[
    Example(f"solve({T}([[2., 0.], [1., 1.]]), {T}([4., 3.]))", expect=f"{T}([2., 1.])"),
    Example(f"solve({T}([[2., 0.], [1., 1.]]), {T}([[4., 2.], [3., 2.]]))",
            expect=f"{T}([[2., 1.], [1., 1.]])")],
          hints=("Do not build the inverse: torch has a linear solver that takes a and b "
                 "directly, for one or several right-hand sides.",
                 "`torch.linalg.solve(a, b)`; it accepts b of shape (n,) or (n, k) and returns "
                 "b's shape. `torch.linalg.inv(a) @ b` is slower and less accurate.",
                 "return torch.linalg.___(___, ___)"),
          stars=1, minutes=5)
def solve(a: Tensor, b: Tensor) -> Tensor:
    """The solution x of the linear system a x = b (a invertible).

    Args:
        a: (n, n) invertible matrix.
        b: (n,) right-hand side, or (n, k): k right-hand sides, one per column.
    Returns:
        x of b's shape, (n,) or (n, k), with a @ x equal to b.
    Example:
        >>> solve(torch.tensor([[2., 0.], [1., 1.]]), torch.tensor([4., 3.]))
        tensor([2., 1.])
    """
    ### BEGIN SOLUTION
    return torch.linalg.solve(a, b)  # (n, n), (n,) or (n, k) -> b's shape
    ### END SOLUTION


@exercise("ch07.least_squares", points=2, examples=[
    Example(f"least_squares({T}([[1., 0.], [0., 1.], [1., 1.]]), {T}([1., 1., 0.]))",
            expect=f"{T}([1 / 3, 1 / 3])"),
    Example(f"least_squares({T}([[1.], [1.], [1.]]), {T}([1., 2., 6.]))",
            expect=f"{T}([3.])")],
          hints=("x w = y has more equations than unknowns: ask a least-squares solver for the w "
                 "with the smallest error (or solve the normal equations x^T x w = x^T y).",
                 "`torch.linalg.lstsq(x, y.unsqueeze(-1)).solution` (give y as an (N, 1) "
                 "column), then squeeze the (D, 1) result to (D,). `torch.linalg.solve(x.T @ x, "
                 "x.T @ y)` also works at full rank.",
                 "w = torch.linalg.lstsq(x, y.___(-1)).___  # (D, 1)\n"
                 "return w.___(-1)  # (D,)"),
          stars=2, minutes=10)
def least_squares(x: Tensor, y: Tensor) -> Tensor:
    """The least-squares fit: the w that minimises ||x w - y|| (Euclidean norm).

    With more rows than columns the system x w = y usually has no exact solution; w is the
    best one in the least-squares sense (the solution of x^T x w = x^T y).

    Args:
        x: (N, D) design matrix of full column rank (N >= D).
        y: (N,) targets.
    Returns:
        (D,) weights w.
    Example:
        >>> least_squares(torch.tensor([[1.], [1.], [1.]]), torch.tensor([1., 2., 6.]))
        tensor([3.])
    """
    ### BEGIN SOLUTION
    w = torch.linalg.lstsq(x, y.unsqueeze(-1)).solution  # (N, D), (N, 1) -> (D, 1)
    return w.squeeze(-1)  # (D,)
    ### END SOLUTION


@exercise("ch07.inverse_2x2", points=2, ban=("linalg_inv", "inverse"), examples=[
    Example(f"inverse_2x2({T}([[1., 2.], [3., 4.]]))",
            expect=f"{T}([[-2., 1.], [1.5, -0.5]])"),
    Example(f"inverse_2x2({T}([[1., 2.], [2., 4.]]))", raises="ValueError")],
          hints=("Compute det = ad - bc; if it is exactly 0 raise ValueError, otherwise swap a "
                 "and d, negate b and c, and divide the whole matrix by det.",
                 "Entries by indexing; build the 2x2 with `torch.stack` of two `torch.stack`ed "
                 "rows (`torch.tensor([[...]])` of tensors warns and drops the gradient); `raise "
                 "ValueError(...)`.",
                 "det = ___\n"
                 "if det == 0:\n"
                 "    raise ___(\"singular matrix\")\n"
                 "adj = torch.stack([torch.stack([m[1, 1], ___]),\n"
                 "                   torch.stack([___, m[0, 0]])])\n"
                 "return adj / det  # (2, 2)"),
          stars=2, minutes=10)
def inverse_2x2(m: Tensor) -> Tensor:
    """The inverse of a 2x2 matrix by its closed form.

    For m = [[a, b], [c, d]] with det = ad - bc, the inverse is [[d, -b], [-c, a]] / det.

    Args:
        m: (2, 2) float matrix [[a, b], [c, d]].
    Returns:
        (2, 2) inverse of m, in m's dtype.
    Raises:
        ValueError: when m is singular, that is when ad - bc is exactly 0.
    Example:
        >>> inverse_2x2(torch.tensor([[1., 2.], [3., 4.]]))
        tensor([[-2.0000,  1.0000],
                [ 1.5000, -0.5000]])
    """
    ### BEGIN SOLUTION
    det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]  # ()
    if det == 0:
        raise ValueError("the matrix is singular (ad - bc == 0)")
    adjugate = torch.stack([torch.stack([m[1, 1], -m[0, 1]]),
                            torch.stack([-m[1, 0], m[0, 0]])])  # (2, 2)
    return adjugate / det  # (2, 2)
    ### END SOLUTION


@exercise("ch07.gram_schmidt", points=3, ban=("linalg_qr",), examples=[
    Example(f"gram_schmidt({T}([[3., 1.], [4., 2.]]))",
            expect=f"{T}([[0.6, -0.8], [0.8, 0.6]])"),
    Example(f"gram_schmidt({T}([[0., -2.], [-1., 0.], [0., 0.]]))",
            expect=f"{T}([[0., -1.], [-1., 0.], [0., 0.]])")],
          hints=("Take the columns in order: from each, remove its component along every unit "
                 "column already built, then scale what is left to length 1. That keeps each "
                 "column's sign as required.",
                 "A Python loop over the columns is fine here. Component of v along a unit q: "
                 "`(q @ v) * q`; length: `torch.linalg.vector_norm(v)`; join with "
                 "`torch.stack(cols, dim=1)` (dim=0 transposes).",
                 "cols = []\n"
                 "for j in range(a.shape[1]):\n"
                 "    v = a[:, j]\n"
                 "    for q in cols:\n"
                 "        v = v - ___ * q\n"
                 "    cols.append(v / ___)\n"
                 "return torch.stack(cols, dim=___)  # (N, D)"),
          stars=3, minutes=25)
def gram_schmidt(a: Tensor) -> Tensor:
    """Orthonormal columns spanning the columns of a, by the Gram-Schmidt process.

    Column j of the result is a[:, j] minus its projections on the columns before it,
    scaled to unit length. That is the Q of the QR decomposition a = Q R whose R has a
    positive diagonal: out[:, j] . a[:, j] > 0 for every j (keep each column's sign so;
    torch.linalg.qr may flip some).

    Args:
        a: (N, D) matrix of full column rank (N >= D).
    Returns:
        (N, D) with orthonormal columns (out.T @ out is the identity), out[:, :j] spanning
        the same space as a[:, :j] for every j.
    Example:
        >>> gram_schmidt(torch.tensor([[3., 1.], [4., 2.]]))
        tensor([[ 0.6000, -0.8000],
                [ 0.8000,  0.6000]])
    """
    ### BEGIN SOLUTION
    cols = []
    for j in range(a.shape[1]):  # modified Gram-Schmidt: one column at a time
        v = a[:, j]  # (N,)
        for q in cols:
            v = v - (q @ v) * q  # remove the part along q
        cols.append(v / torch.linalg.vector_norm(v))
    return torch.stack(cols, dim=1)  # D x (N,) -> (N, D)
    ### END SOLUTION


@exercise("ch07.symmetric_eigenvalues", points=1, examples=[
    Example(f"symmetric_eigenvalues({T}([[2., 0.], [0., -3.]]))", expect=f"{T}([-3., 2.])"),
    Example(f"symmetric_eigenvalues({T}([[2., 1.], [1., 2.]]))", expect=f"{T}([1., 3.])")],
          hints=("A symmetric matrix has real eigenvalues; torch has a routine for symmetric "
                 "(Hermitian) matrices that returns them already sorted.",
                 "`torch.linalg.eigvalsh(m)`: real, ascending. The general "
                 "`torch.linalg.eigvals` returns complex numbers in no particular order.",
                 "return torch.linalg.___(m)  # (n,), ascending"),
          stars=1, minutes=4)
def symmetric_eigenvalues(m: Tensor) -> Tensor:
    """The eigenvalues of a symmetric matrix, in ascending order.

    Args:
        m: (n, n) symmetric matrix (m equals m.T).
    Returns:
        (n,) real eigenvalues, smallest first, in m's (real) dtype.
    Example:
        >>> symmetric_eigenvalues(torch.tensor([[2., 0.], [0., -3.]]))
        tensor([-3.,  2.])
    """
    ### BEGIN SOLUTION
    return torch.linalg.eigvalsh(m)  # (n, n) -> (n,), ascending
    ### END SOLUTION


@exercise("ch07.power_iteration", points=2, examples=[
    Example(f"power_iteration({T}([[2., 0.], [0., -5.]]), 20)", expect=f"{T}([0., 1.])"),
    Example(f"power_iteration({T}([[2., 1.], [1., 2.]]), 50)",
            expect="torch.full((2,), 0.5 ** 0.5)")],
          hints=("Start from a vector of ones; `steps` times multiply it by m and rescale it to "
                 "length 1. Then flip the whole vector if its largest-magnitude entry is "
                 "negative.",
                 "`torch.ones(n, dtype=m.dtype, device=m.device)`, `m @ v`, "
                 "`torch.linalg.vector_norm(v)` (normalise every step, or v overflows); sign: "
                 "`v.abs().argmax()`, `torch.sign`.",
                 "v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)\n"
                 "for _ in range(steps):\n"
                 "    v = ___\n"
                 "    v = v / ___\n"
                 "return v * torch.sign(v[___])  # (n,)"),
          stars=2, minutes=12)
def power_iteration(m: Tensor, steps: int) -> Tensor:
    """The dominant eigenvector of m by power iteration.

    Start from any vector that is not orthogonal to the answer (all ones, say) and repeat
    `steps` times: v = m @ v, then scale v to unit length (every step, so that v neither
    overflows nor underflows). The dominant eigenvector belongs to the eigenvalue of largest
    absolute value. Finally choose the sign: the entry of largest absolute value is positive.

    Args:
        m: (n, n) matrix whose eigenvalue of largest absolute value is clearly larger (in
           absolute value) than all the others.
        steps: number of iterations, at least 1.
    Returns:
        (n,) unit vector (Euclidean norm 1), its largest-magnitude entry positive.
    Example:
        >>> power_iteration(torch.tensor([[2., 0.], [0., -5.]]), 20)
        tensor([0., 1.])
    """
    ### BEGIN SOLUTION
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)  # (n,)
    for _ in range(steps):
        v = m @ v  # (n, n) @ (n,) -> (n,)
        v = v / torch.linalg.vector_norm(v)
    return v * torch.sign(v[v.abs().argmax()])  # (n,)
    ### END SOLUTION


@exercise("ch07.low_rank_approx", points=2, examples=[
    Example(f"low_rank_approx({T}([[3., 0.], [0., 1.]]), 1)", expect=f"{T}([[3., 0.], [0., 0.]])"),
    Example(f"low_rank_approx({T}([[1., 1.], [1., 1.], [0., 0.]]), 1)",
            expect=f"{T}([[1., 1.], [1., 1.], [0., 0.]])")],
          hints=("Decompose m = U diag(S) V^T, keep only the k largest singular values with "
                 "their vectors, and multiply back.",
                 "`torch.linalg.svd(m, full_matrices=False)` returns U, S (descending) and Vh, "
                 "which is V already transposed; slice the first k; scale U's columns by S with "
                 "`u * s` (broadcasting).",
                 "u, s, vh = torch.linalg.svd(m, full_matrices=False)\n"
                 "return (u[:, :k] * ___) @ ___  # (N, k) @ (k, D) -> (N, D)"),
          stars=2, minutes=10)
def low_rank_approx(m: Tensor, k: int) -> Tensor:
    """The best rank-k approximation of m (Eckart-Young): its truncated SVD.

    With m = U diag(S) V^T (singular values S in descending order), keep the k largest:
    U[:, :k] diag(S[:k]) V[:, :k]^T.

    Args:
        m: (N, D) matrix.
        k: rank to keep, 0 <= k <= min(N, D) (k = 0 gives zeros, k = min(N, D) gives m).
    Returns:
        (N, D) matrix of rank at most k.
    Example:
        >>> low_rank_approx(torch.tensor([[3., 0.], [0., 1.]]), 1)
        tensor([[3., 0.],
                [0., 0.]])
    """
    ### BEGIN SOLUTION
    u, s, vh = torch.linalg.svd(m, full_matrices=False)  # (N, R), (R,), (R, D); R = min(N, D)
    return (u[:, :k] * s[:k]) @ vh[:k]  # (N, k) @ (k, D) -> (N, D)
    ### END SOLUTION


@exercise("ch07.pca_project", points=3, examples=[
    Example(f"pca_project({T}([[1., 1.], [3., 1.], [1., 2.], [3., 2.]]), 1)",
            expect=f"{T}([[-1.], [1.], [-1.], [1.]])"),
    Example(f"pca_project({T}([[0., 0.], [1., -2.], [-2., 4.]]), 1)",
            expect=f"{T}([[-5.], [-20.], [25.]]) / (3 * 5 ** 0.5)")],
          hints=("Centre each feature; the principal axes are the right singular vectors of the "
                 "centred data. Sign each axis so its largest-magnitude entry is positive, then "
                 "project the centred data.",
                 "Mean over the samples: `x.mean(dim=0, keepdim=True)`; `torch.linalg.svd(xc, "
                 "full_matrices=False)`: the ROWS of Vh are the axes, so `vh[:k].T` is (D, k); "
                 "`.abs().argmax(dim=0)`, `torch.sign`.",
                 "xc = x - x.mean(dim=___, keepdim=True)\n"
                 "_, _, vh = torch.linalg.svd(xc, full_matrices=False)\n"
                 "axes = ___  # (D, k)\n"
                 "big = axes.abs().argmax(dim=0)  # (k,)\n"
                 "signs = torch.sign(axes[big, ___])  # (k,)\n"
                 "return xc @ (axes * signs)  # (N, k)"),
          stars=3, minutes=20)
def pca_project(x: Tensor, k: int) -> Tensor:
    """Project data on its top-k principal axes (PCA).

    Centre the columns (subtract each feature's mean over the N rows). The principal axes
    are the right singular vectors of the centred data (the eigenvectors of its covariance),
    largest variance first. Sign each axis so that its entry (loading) of largest absolute
    value is positive, then project: out = centred @ axes.

    Args:
        x: (N, D) data, one sample per row (not centred: you centre it).
        k: number of axes, 1 <= k <= the rank of the centred data.
    Returns:
        (N, k): column i holds every sample's coordinate along axis i.
    Example:
        >>> pca_project(torch.tensor([[1., 1.], [3., 1.], [1., 2.], [3., 2.]]), 1)
        tensor([[-1.],
                [ 1.],
                [-1.],
                [ 1.]])
    """
    ### BEGIN SOLUTION
    xc = x - x.mean(dim=0, keepdim=True)  # (N, D)
    _, _, vh = torch.linalg.svd(xc, full_matrices=False)  # (R, D), rows are the axes
    axes = vh[:k].T  # (D, k)
    biggest = axes.abs().argmax(dim=0)  # (k,) row of each axis' largest loading
    signs = torch.sign(axes.gather(0, biggest[None]))  # (1, k)
    return xc @ (axes * signs)  # (N, D) @ (D, k) -> (N, k)
    ### END SOLUTION


@exercise("ch07.explained_variance_ratio", points=2, examples=[
    Example(f"explained_variance_ratio({T}([[1., 1.], [3., 1.], [1., 2.], [3., 2.]]))",
            expect=f"{T}([0.8, 0.2])"),
    Example(f"explained_variance_ratio({T}([[1., 5., 2.], [3., 5., 0.]]))",
            expect=f"{T}([1., 0.])")],
          hints=("Centre each feature, take the singular values of the centred data, square them "
                 "(the variance along each axis) and divide by their total.",
                 "`x - x.mean(dim=0, keepdim=True)`, `torch.linalg.svdvals` (already "
                 "descending), `** 2`, `/ .sum()`. Forgetting to centre, or dividing s instead "
                 "of s**2, gives wrong ratios.",
                 "xc = x - x.mean(dim=___, keepdim=True)\n"
                 "var = torch.linalg.svdvals(xc) ___\n"
                 "return var / ___"),
          stars=2, minutes=8)
def explained_variance_ratio(x: Tensor) -> Tensor:
    """The share of the variance along each principal axis.

    Centre the columns of x (subtract each feature's mean), take the singular values s of
    the centred data, and return s**2 / sum(s**2): descending, summing to 1.

    Args:
        x: (N, D) data, one sample per row, not all rows equal.
    Returns:
        (min(N, D),) ratios, largest first, summing to 1 (trailing ones may be 0).
    Example:
        >>> explained_variance_ratio(torch.tensor([[1., 1.], [3., 1.], [1., 2.], [3., 2.]]))
        tensor([0.8000, 0.2000])
    """
    ### BEGIN SOLUTION
    xc = x - x.mean(dim=0, keepdim=True)  # (N, D)
    var = torch.linalg.svdvals(xc) ** 2  # (min(N, D),), descending
    return var / var.sum()  # (min(N, D),)
    ### END SOLUTION


@exercise("ch07.rotation_2d", points=1, examples=[
    Example("rotation_2d(0.0)", expect=f"{T}([[1., 0.], [0., 1.]])"),
    Example("rotation_2d(3.141592653589793 / 2)", expect=f"{T}([[0., -1.], [1., 0.]])")],
          hints=("The columns of the matrix are where the unit vectors go: x to (cos t, sin t), "
                 "y to (-sin t, cos t).",
                 "`math.cos(theta)`, `math.sin(theta)` (import math) and `torch.tensor([[...], "
                 "[...]], dtype=torch.float32)`. Counter-clockwise puts the minus sign in the "
                 "top-right entry.",
                 "c, s = math.cos(theta), math.sin(theta)\n"
                 "return torch.tensor([[c, ___], [___, c]], dtype=___)"),
          stars=1, minutes=5)
def rotation_2d(theta: float) -> Tensor:
    """The matrix that rotates 2-D column vectors counter-clockwise by theta radians.

    Args:
        theta: angle in radians (a Python float); positive turns x towards y.
    Returns:
        (2, 2) float32 tensor [[cos, -sin], [sin, cos]]: rotation_2d(theta) @ [1, 0] is
        [cos(theta), sin(theta)].
    Example:
        >>> rotation_2d(3.141592653589793 / 2)  # (1, 0) turns to (0, 1)
        tensor([[ 0., -1.],
                [ 1.,  0.]])
    """
    ### BEGIN SOLUTION
    t = torch.tensor(theta, dtype=torch.float64)  # ()
    c, s = torch.cos(t), torch.sin(t)
    return torch.stack([torch.stack([c, -s]), torch.stack([s, c])]).float()  # (2, 2)
    ### END SOLUTION


@exercise("ch07.condition_number", points=1, examples=[
    Example(f"condition_number({T}([[2., 0.], [0., 0.5]]))", expect=f"{T}(4.)"),
    Example(f"condition_number({T}([[0., 3.], [-1., 0.], [0., 0.]]))", expect=f"{T}(3.)")],
          hints=("Compute the singular values of m and divide the largest by the smallest.",
                 "`torch.linalg.svdvals(m)` returns them in descending order. Eigenvalues are "
                 "not singular values (m need not be symmetric, nor even square).",
                 "s = torch.linalg.___(m)  # (min(N, D),)\n"
                 "return s[___] / s[___]  # ()"),
          stars=1, minutes=5)
def condition_number(m: Tensor) -> Tensor:
    """The 2-norm condition number: largest singular value over smallest.

    Args:
        m: (N, D) matrix of full rank (its min(N, D) singular values are all > 0).
    Returns:
        0-d tensor s_max / s_min, at least 1, in m's dtype.
    Example:
        >>> condition_number(torch.tensor([[2., 0.], [0., 0.5]]))
        tensor(4.)
    """
    ### BEGIN SOLUTION
    s = torch.linalg.svdvals(m)  # (min(N, D),), descending
    return s[0] / s[-1]  # ()
    ### END SOLUTION
