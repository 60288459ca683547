"""ch05 - Broadcasting.

How torch lines up tensors of different shapes: a vector added to every row or every column,
outer sums and products, per-column statistics, and the bias of a layer. The rule to keep in
mind: shapes are matched from the LAST axis, and an axis of size 1 stretches to fit.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch05.add_row_vector", points=1, book="P30", examples=[
    Example(f"add_row_vector({T}([[1., 2., 3.], [4., 5., 6.]]), {T}([10., 20., 30.]))",
            expect=f"{T}([[11., 22., 33.], [14., 25., 36.]])")],
    hints=(
        "Broadcasting lines shapes up from the last axis, so a (D,) vector already matches the "
        "columns of an (N, D) matrix.",
        "The + operator alone; no loop, expand or repeat needed.",
        "return m ___ v  # (N, D) + (D,) -> (N, D)"),
    stars=1, minutes=2)
def add_row_vector(m: Tensor, v: Tensor) -> Tensor:
    """Add the same vector to every row of a matrix.

    Args:
        m: (N, D) matrix.
        v: (D,) vector, one entry per column.
    Returns:
        (N, D) with out[i, j] = m[i, j] + v[j].
    Example:
        >>> add_row_vector(torch.tensor([[1., 2., 3.], [4., 5., 6.]]),
        ...                torch.tensor([10., 20., 30.]))
        tensor([[11., 22., 33.],
                [14., 25., 36.]])
    """
    ### BEGIN SOLUTION
    return m + v  # (N, D) + (D,) -> (N, D): v lines up with the last axis
    ### END SOLUTION


@exercise("ch05.add_column_vector", points=1, book="P30", examples=[
    Example(f"add_column_vector({T}([[1., 2., 3.], [4., 5., 6.]]), {T}([10., 20.]))",
            expect=f"{T}([[11., 12., 13.], [24., 25., 26.]])")],
    hints=(
        "v has one entry per row, but broadcasting lines it up with the last axis (the columns): "
        "turn v into a column of shape (N, 1) first.",
        "Indexing with None, .unsqueeze(1) or .reshape(-1, 1), then +. Plain m + v is wrong, and "
        "silently so when N == D.",
        "return m + v[___]  # (N, D) + (N, 1) -> (N, D)"),
    stars=2, minutes=4)
def add_column_vector(m: Tensor, v: Tensor) -> Tensor:
    """Add the same vector to every column of a matrix.

    Broadcasting matches shapes from the last axis, so `m + v` would line v up with the
    columns (and, when N == D, silently give the wrong answer). Make v a column first.

    Args:
        m: (N, D) matrix.
        v: (N,) vector, one entry per row.
    Returns:
        (N, D) with out[i, j] = m[i, j] + v[i].
    Example:
        >>> add_column_vector(torch.tensor([[1., 2., 3.], [4., 5., 6.]]),
        ...                   torch.tensor([10., 20.]))
        tensor([[11., 12., 13.],
                [24., 25., 26.]])
    """
    ### BEGIN SOLUTION
    return m + v[:, None]  # (N, D) + (N, 1) -> (N, D)
    ### END SOLUTION


@exercise("ch05.outer_sum", points=2, book="P30", vec=True, examples=[
    Example(f"outer_sum({T}([1., 2.]), {T}([10., 20., 30.]))",
            expect=f"{T}([[11., 21., 31.], [12., 22., 32.]])")],
    hints=(
        "Make a a column (n, 1) and b a row (1, m); adding them broadcasts to the full (n, m) "
        "table, with no loop.",
        "Indexing with None (or unsqueeze) to add the size-1 axes, then +.",
        "return a[___] + b[___]  # (n, 1) + (1, m) -> (n, m)"),
    stars=2, minutes=5)
def outer_sum(a: Tensor, b: Tensor) -> Tensor:
    """Every entry of a plus every entry of b, as a table.

    Args:
        a: (n,) vector (one per row of the result).
        b: (m,) vector (one per column of the result).
    Returns:
        (n, m) with out[i, j] = a[i] + b[j].
    Example:
        >>> outer_sum(torch.tensor([1., 2.]), torch.tensor([10., 20., 30.]))
        tensor([[11., 21., 31.],
                [12., 22., 32.]])
    """
    ### BEGIN SOLUTION
    return a[:, None] + b[None, :]  # (n, 1) + (1, m) -> (n, m)
    ### END SOLUTION


@exercise("ch05.outer_product", points=2, ban=("outer", "ger", "mm", "matmul", "einsum"),
          vec=True, examples=[
              Example(f"outer_product({T}([1., 2.]), {T}([3., 4., 5.]))",
                      expect=f"{T}([[3., 4., 5.], [6., 8., 10.]])")],
    hints=(
        "The same idea as outer_sum: a column of a times a row of b broadcasts to the (n, m) "
        "table, with no matrix product at all.",
        "Indexing with None (or unsqueeze) to shape a as (n, 1) and b as (1, m), then the "
        "elementwise *; the @ operator is a matrix product, banned too.",
        "return a[___] * b[___]  # (n, 1) * (1, m) -> (n, m)"),
    stars=2, minutes=5)
def outer_product(a: Tensor, b: Tensor) -> Tensor:
    """The outer product by broadcasting, with no product operator.

    Args:
        a: (n,) vector (one per row of the result).
        b: (m,) vector (one per column of the result).
    Returns:
        (n, m) with out[i, j] = a[i] * b[j].
    Example:
        >>> outer_product(torch.tensor([1., 2.]), torch.tensor([3., 4., 5.]))
        tensor([[ 3.,  4.,  5.],
                [ 6.,  8., 10.]])
    """
    ### BEGIN SOLUTION
    return a[:, None] * b[None, :]  # (n, 1) * (1, m) -> (n, m)
    ### END SOLUTION


@exercise("ch05.scale_columns", points=1, book="P42", examples=[
    Example(f"scale_columns({T}([[1., 2., 3.], [4., 5., 6.]]), {T}([1., 10., 100.]))",
            expect=f"{T}([[1., 20., 300.], [4., 50., 600.]])")],
    hints=(
        "Multiplying entry by entry by a (D,) vector broadcasts it along the last axis: one "
        "factor per column.",
        "The elementwise * with s as it is; no diagonal matrix and no matrix product needed.",
        "return m ___ s  # (N, D) * (D,) -> (N, D)"),
    stars=1, minutes=3)
def scale_columns(m: Tensor, s: Tensor) -> Tensor:
    """Multiply each column of a matrix by its own factor.

    Args:
        m: (N, D) matrix.
        s: (D,) one factor per column.
    Returns:
        (N, D) with out[i, j] = m[i, j] * s[j] (the same as m @ diag(s)).
    Example:
        >>> scale_columns(torch.tensor([[1., 2., 3.], [4., 5., 6.]]),
        ...               torch.tensor([1., 10., 100.]))
        tensor([[  1.,  20., 300.],
                [  4.,  50., 600.]])
    """
    ### BEGIN SOLUTION
    return m * s  # (N, D) * (D,) -> (N, D): s lines up with the columns
    ### END SOLUTION


@exercise("ch05.hadamard", points=1, book="P41, P44, P46", examples=[
    Example(f"hadamard({T}([[1., 2.], [3., 4.]]), {T}([[5., 6.], [7., 8.]]))",
            expect=f"{T}([[5., 12.], [21., 32.]])")],
    hints=(
        "Multiply entry by entry; this is not the matrix product.",
        "The * operator (or torch.mul); @ would be the matrix product, the pitfall here.",
        "return a ___ b"),
    stars=1, minutes=2)
def hadamard(a: Tensor, b: Tensor) -> Tensor:
    """The elementwise (Hadamard) product: entry by entry, not a matrix product.

    Args:
        a: tensor of any shape, e.g. (N, D).
        b: tensor of the same shape as a.
    Returns:
        tensor of that shape with out[idx] = a[idx] * b[idx].
    Example:
        >>> hadamard(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[5., 6.], [7., 8.]]))
        tensor([[ 5., 12.],
                [21., 32.]])
    """
    ### BEGIN SOLUTION
    return a * b  # same shape in, same shape out
    ### END SOLUTION


@exercise("ch05.standardize_columns", points=2, book="P61", vec=True, examples=[
    Example(f"standardize_columns({T}([[1., 10.], [2., 10.], [3., 10.]]), 1.0)",
            expect=f"{T}([[-0.5, 0.], [0., 0.], [0.5, 0.]])")],
    hints=(
        "Compute each column's mean and unbiased standard deviation over the rows, keep them as "
        "(1, D) rows so they broadcast, then (m - mean) / (std + eps).",
        ".mean(dim=0, keepdim=True) and .std(dim=0, keepdim=True) (unbiased by default, "
        "correction=1); eps is added to the std, outside the square root.",
        "mean = m.mean(dim=___, keepdim=True)  # (1, D)\n"
        "std = m.std(dim=___, keepdim=True)  # (1, D), unbiased\n"
        "return (m - mean) / (___)"),
    stars=2, minutes=8)
def standardize_columns(m: Tensor, eps: float) -> Tensor:
    """Standardize every column: subtract its mean, divide by its standard deviation plus eps.

    The statistics are per COLUMN (over the N rows) and the standard deviation is the
    UNBIASED one (divide the sum of squares by N - 1, as torch.std does by default); eps is
    added to the standard deviation, outside the square root: (m - mean) / (std + eps).
    A constant column has std 0 and, with eps > 0, becomes 0. With a single row (N = 1) the
    unbiased std is 0 / 0 = NaN, so every entry of the result is NaN, as torch.std gives.

    Args:
        m: (N, D) matrix, one sample per row.
        eps: small non-negative float added to each column's std.
    Returns:
        (N, D) with out[i, j] = (m[i, j] - mean_j) / (std_j + eps).
    Example:
        >>> standardize_columns(torch.tensor([[1., 10.], [2., 10.], [3., 10.]]), 1.0)
        tensor([[-0.5000,  0.0000],
                [ 0.0000,  0.0000],
                [ 0.5000,  0.0000]])
    """
    ### BEGIN SOLUTION
    mean = m.mean(dim=0, keepdim=True)  # (1, D)
    std = m.std(dim=0, keepdim=True)  # (1, D), unbiased
    return (m - mean) / (std + eps)  # (N, D)
    ### END SOLUTION


@exercise("ch05.min_max_scale", points=2, examples=[
    Example(f"min_max_scale({T}([[1., 5., 2.], [3., 5., 4.], [2., 5., 0.]]))",
            expect=f"{T}([[0., 0., 0.5], [1., 0., 1.], [0.5, 0., 0.]])")],
    hints=(
        "Per column, subtract the minimum and divide by the range (max - min). Where the range "
        "is 0 (a constant column) the answer is 0: never divide by 0 there.",
        ".amin(dim=0, keepdim=True) and .amax(dim=0, keepdim=True); torch.where(span > 0, ...) "
        "both to divide by a safe value and to put 0 in constant columns (0 / 0 would be nan).",
        "lo = m.amin(dim=0, keepdim=True)  # (1, D)\n"
        "span = m.amax(dim=0, keepdim=True) - lo\n"
        "safe = torch.where(span > 0, span, ___)\n"
        "return torch.where(span > 0, (m - lo) / safe, ___)"),
    stars=3, minutes=12)
def min_max_scale(m: Tensor) -> Tensor:
    """Rescale every column to [0, 1]: its smallest entry becomes 0 and its largest 1.

    The minimum and maximum are per COLUMN. A constant column (max == min, which includes
    every column when N = 1) maps to 0, never NaN.

    Args:
        m: (N, D) matrix.
    Returns:
        (N, D) with out[i, j] = (m[i, j] - min_j) / (max_j - min_j), or 0 where
        max_j == min_j.
    Example:
        >>> min_max_scale(torch.tensor([[1., 5., 2.], [3., 5., 4.], [2., 5., 0.]]))
        tensor([[0.0000, 0.0000, 0.5000],
                [1.0000, 0.0000, 1.0000],
                [0.5000, 0.0000, 0.0000]])
    """
    ### BEGIN SOLUTION
    lo = m.amin(dim=0, keepdim=True)  # (1, D)
    span = m.amax(dim=0, keepdim=True) - lo  # (1, D)
    scaled = (m - lo) / torch.where(span > 0, span, torch.ones_like(span))  # (N, D)
    return torch.where(span > 0, scaled, torch.zeros_like(scaled))  # (N, D)
    ### END SOLUTION


@exercise("ch05.pairwise_differences", points=2, vec=True, examples=[
    Example(f"pairwise_differences({T}([1., 4., 10.]))",
            expect=f"{T}([[0., -3., -9.], [3., 0., -6.], [9., 6., 0.]])")],
    hints=(
        "The same trick as outer_sum: a column of v minus a row of v, with v[i] going down the "
        "rows in the first operand.",
        "Indexing with None (or unsqueeze) and the - operator. Mind the order: out[i, j] = v[i] "
        "- v[j]; the other way round gives the negated table.",
        "return v[___] - v[___]  # (n, 1) - (1, n) -> (n, n)"),
    stars=2, minutes=5)
def pairwise_differences(v: Tensor) -> Tensor:
    """Every entry minus every entry, as a table.

    Args:
        v: (n,) vector.
    Returns:
        (n, n) with out[i, j] = v[i] - v[j] (row i holds v[i] minus each entry; the sign
        matters: out[i, j] = -out[j, i]).
    Example:
        >>> pairwise_differences(torch.tensor([1., 4., 10.]))
        tensor([[ 0., -3., -9.],
                [ 3.,  0., -6.],
                [ 9.,  6.,  0.]])
    """
    ### BEGIN SOLUTION
    return v[:, None] - v[None, :]  # (n, 1) - (1, n) -> (n, n)
    ### END SOLUTION


@exercise("ch05.add_bias", points=1, book="P94", examples=[
    Example(f"add_bias({T}([[[1., 2.], [3., 4.]]]), {T}([10., 20.]))",
            expect=f"{T}([[[11., 22.], [13., 24.]]])"),
    Example(f"add_bias({T}([1., 2.]), {T}([10., 20.]))", expect=f"{T}([11., 22.])")],
    hints=(
        "Broadcasting matches the last axis first, so a (D,) bias lines up with the features of "
        "a tensor with any number of leading axes.",
        "The + operator alone; no reshape, unsqueeze or loop over the leading axes.",
        "return y ___ b  # (..., D) + (D,) -> (..., D)"),
    stars=1, minutes=2)
def add_bias(y: Tensor, b: Tensor) -> Tensor:
    """Add a bias to the last axis of a tensor of any number of dimensions, as a layer does.

    Args:
        y: (..., D) tensor: (D,), (N, D), (B, T, D), ... .
        b: (D,) bias, one entry per feature.
    Returns:
        tensor of y's shape with out[..., j] = y[..., j] + b[j].
    Example:
        >>> add_bias(torch.tensor([[[1., 2.], [3., 4.]]]), torch.tensor([10., 20.]))
        tensor([[[11., 22.],
                 [13., 24.]]])
    """
    ### BEGIN SOLUTION
    return y + b  # (..., D) + (D,) -> (..., D)
    ### END SOLUTION
