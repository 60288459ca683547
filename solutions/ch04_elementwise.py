"""ch04 - Elementwise maths and reductions.

Functions applied entry by entry (scale and shift, logarithms, sines, clipping) and
reductions that collapse an axis (sums, products, minima, means, variances, a stable
log-sum-exp): the vocabulary every later chapter is written in.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch04.affine", points=1, book="P26", examples=[
    Example(f"affine({T}([1., 2., -3.]), 2.0, 0.5)", expect=f"{T}([2.5, 4.5, -5.5])")],
    hints=(
        "Arithmetic operators work on tensors entry by entry: multiply, then add.",
        "The operators * and + with the Python numbers, which broadcast to every entry (and keep "
        "x's dtype).",
        "return ___ * x + ___"),
    stars=1, minutes=2)
def affine(x: Tensor, scale: float, shift: float) -> Tensor:
    """Scale every entry, then shift it.

    Args:
        x: float tensor of any shape.
        scale: the factor every entry is multiplied by.
        shift: the number added after scaling.
    Returns:
        A tensor of x's shape and dtype with out = scale * x + shift.
    Example:
        >>> affine(torch.tensor([1., 2., -3.]), 2.0, 0.5)
        tensor([ 2.5000,  4.5000, -5.5000])
    """
    ### BEGIN SOLUTION
    return scale * x + shift  # same shape as x
    ### END SOLUTION


@exercise("ch04.log_table", points=1, book="P26", examples=[
    Example(f"log_table({T}([1., 2., 10.]))",
            expect=f"{T}([[0., 0.6931472, 2.3025851], [0., 1., 3.3219281], "
                   f"[0., 0.30103, 1.]])")],
    hints=(
        "Compute the three logarithms of x as three vectors, then stack them as the rows of one "
        "(3, n) table, ln first.",
        "torch.log (natural), torch.log2 and torch.log10, then torch.stack on dim 0; torch.cat "
        "would give one long (3n,) vector.",
        "return torch.stack([___, ___, ___], dim=___)"),
    stars=2, minutes=5)
def log_table(x: Tensor) -> Tensor:
    """The natural, base-2 and base-10 logarithms of every entry, one row each.

    Args:
        x: (n,) positive float vector.
    Returns:
        (3, n): row 0 is ln x, row 1 is log2 x, row 2 is log10 x (in that order).
    Example:
        >>> log_table(torch.tensor([1., 2., 10.]))
        tensor([[0.0000, 0.6931, 2.3026],
                [0.0000, 1.0000, 3.3219],
                [0.0000, 0.3010, 1.0000]])
    """
    ### BEGIN SOLUTION
    return torch.stack([torch.log(x), torch.log2(x), torch.log10(x)])  # 3 x (n,) -> (3, n)
    ### END SOLUTION


@exercise("ch04.sin_cos_table", points=1, book="P27", examples=[
    Example("sin_cos_table(3)",
            expect=f"{T}([[0., 1.], [0.841471, 0.5403023], [0.9092974, -0.4161468]])")],
    hints=(
        "Make the numbers 0..n-1 as floats, take their sine and cosine, and put the two vectors "
        "side by side as columns.",
        "torch.arange(n, dtype=torch.float32), torch.sin and torch.cos (radians), then "
        "torch.stack([...], dim=1); dim=0 would give (2, n).",
        "i = torch.arange(n, dtype=___)  # (n,)\n"
        "return torch.stack([___, ___], dim=___)  # (n, 2)"),
    stars=2, minutes=6)
def sin_cos_table(n: int) -> Tensor:
    """Sine and cosine of the integers 0, 1, ..., n - 1, in radians.

    Args:
        n: number of rows (n >= 1).
    Returns:
        float32 (n, 2): row i is [sin(i), cos(i)] for i = 0 .. n - 1 (sine first; i in
        radians, not degrees).
    Example:
        >>> sin_cos_table(3)
        tensor([[ 0.0000,  1.0000],
                [ 0.8415,  0.5403],
                [ 0.9093, -0.4161]])
    """
    ### BEGIN SOLUTION
    i = torch.arange(n, dtype=torch.float32)  # (n,)
    return torch.stack([i.sin(), i.cos()], dim=1)  # (n, 2)
    ### END SOLUTION


@exercise("ch04.total_and_product", points=1, book="P28", examples=[
    Example(f"total_and_product({T}([[1., 2.], [3., -4.]]))",
            expect=f"({T}(2.), {T}(-24.))")],
    hints=(
        "Reduce over every entry at once (no dim), once by adding and once by multiplying, and "
        "return both as a tuple.",
        ".sum() and .prod() with no dim give 0-d tensors; keep them as tensors (no .item()).",
        "return x.___(), x.___()"),
    stars=1, minutes=3)
def total_and_product(x: Tensor) -> tuple[Tensor, Tensor]:
    """The sum and the product of all the entries of a tensor.

    Args:
        x: float tensor of any shape.
    Returns:
        (total, product): two 0-d tensors of x's dtype, in that order.
    Example:
        >>> total_and_product(torch.tensor([[1., 2.], [3., -4.]]))
        (tensor(2.), tensor(-24.))
    """
    ### BEGIN SOLUTION
    return x.sum(), x.prod()  # (), ()
    ### END SOLUTION


@exercise("ch04.min_along", points=1, book="P29", examples=[
    Example(f"min_along({T}([[3., 1., 2.], [0., 5., -1.]]), 0)", expect=f"{T}([0., 1., -1.])"),
    Example(f"min_along({T}([[3., 1., 2.], [0., 5., -1.]]), -1)", expect=f"{T}([1., -1.])")],
    hints=(
        "Reduce along the given axis, keeping only the smallest values, not where they are.",
        "torch.amin(m, dim=...) returns the values only; torch.min(m, dim=...) returns a "
        "(values, indices) pair, the pitfall here. A negative dim works as it is.",
        "return torch.min(m, dim=___).___"),
    stars=1, minutes=4)
def min_along(m: Tensor, dim: int) -> Tensor:
    """The smallest value along one axis.

    Args:
        m: float tensor of any shape, at least 1-D.
        dim: the axis to reduce; negative values count from the end, as in torch.
    Returns:
        m's shape without axis ``dim``: the minimum VALUES (not their indices, not a
        (values, indices) pair).
    Example:
        >>> min_along(torch.tensor([[3., 1., 2.], [0., 5., -1.]]), 0)
        tensor([ 0.,  1., -1.])
    """
    ### BEGIN SOLUTION
    return m.amin(dim=dim)  # (..., n, ...) -> (..., ...)
    ### END SOLUTION


@exercise("ch04.argmax_rows", points=1, book="P35, P48", examples=[
    Example(f"argmax_rows({T}([[1., 5., 2.], [7., 0., 3.]]))", expect=f"{T}([1, 0])")],
    hints=(
        "For each row, find the position (not the value) of its largest entry.",
        "argmax with a dim (dim=1 reduces across the columns of each row; dim=0 gives one index "
        "per column); it already returns int64.",
        "return m.argmax(dim=___)  # (N,)"),
    stars=1, minutes=3)
def argmax_rows(m: Tensor) -> Tensor:
    """The column index of the largest entry of each row.

    Args:
        m: (N, D) float matrix. The graders use rows whose largest value is unique.
    Returns:
        int64 (N,) with out[i] = the j for which m[i, j] is largest.
    Example:
        >>> argmax_rows(torch.tensor([[1., 5., 2.], [7., 0., 3.]]))
        tensor([1, 0])
    """
    ### BEGIN SOLUTION
    return m.argmax(dim=1)  # (N, D) -> (N,)
    ### END SOLUTION


@exercise("ch04.column_means", points=1, book="P61", examples=[
    Example(f"column_means({T}([[1., 2., 3.], [3., 6., 0.]]))", expect=f"{T}([[2., 4., 1.5]])")],
    hints=(
        "Average down each column (over the rows), keeping the reduced axis so that the result "
        "is a (1, D) row.",
        ".mean(dim=..., keepdim=True); without keepdim you get (D,), and dim=1 gives row means.",
        "return m.mean(dim=___, keepdim=___)  # (1, D)"),
    stars=1, minutes=3)
def column_means(m: Tensor) -> Tensor:
    """The mean of each column, kept as a row vector.

    Args:
        m: (N, D) float matrix.
    Returns:
        (1, D) with out[0, j] = the mean of column j (keepdim: a row, not a (D,) vector).
    Example:
        >>> column_means(torch.tensor([[1., 2., 3.], [3., 6., 0.]]))
        tensor([[2.0000, 4.0000, 1.5000]])
    """
    ### BEGIN SOLUTION
    return m.mean(dim=0, keepdim=True)  # (N, D) -> (1, D)
    ### END SOLUTION


@exercise("ch04.variance", points=2, vec=True, ban=("var", "std", "var_mean", "std_mean"),
          examples=[
    Example(f"variance({T}([[1., 2., 3., 6.]]), 1, False)", expect=f"{T}([3.5])"),
    Example(f"variance({T}([[1., 2., 3., 6.]]), 1, True)", expect=f"{T}([4.6666667])")],
    hints=(
        "Subtract the mean along dim, square the differences, sum them along dim and divide by "
        "n, or by n - 1 when unbiased.",
        ".mean(dim=dim, keepdim=True) (keepdim, so it lines up with x), elementwise d * d, "
        ".sum(dim=dim) and n = x.shape[dim]. With n = 1 and unbiased, let 0 / 0 give nan.",
        "n = x.shape[dim]\n"
        "d = x - x.mean(dim=dim, keepdim=___)\n"
        "return (d * d).sum(dim=___) / (___ if unbiased else ___)"),
    stars=2, minutes=10)
def variance(x: Tensor, dim: int, unbiased: bool) -> Tensor:
    """The variance along one axis, written with means and squares.

    var = sum((x - mean)^2) / (n - 1) when ``unbiased``, else / n, where n = x.shape[dim].

    Args:
        x: float tensor of any shape, at least 1-D.
        dim: the axis to reduce; negative values count from the end.
        unbiased: True divides by n - 1 (Bessel's correction), False by n.
    Returns:
        x's shape without axis ``dim``. With unbiased=True and n = 1 this is 0 / 0 = nan, as
        torch.var gives (do not clamp n - 1).
    Example:
        >>> variance(torch.tensor([[1., 2., 3., 6.]]), 1, False)
        tensor([3.5000])
    """
    ### BEGIN SOLUTION
    n = x.shape[dim]
    d = x - x.mean(dim=dim, keepdim=True)  # same shape as x
    return (d * d).sum(dim=dim) / (n - 1 if unbiased else n)  # axis dim removed
    ### END SOLUTION


@exercise("ch04.cumulative_sum", points=1, examples=[
    Example(f"cumulative_sum({T}([1., 2., 3., -4.]))", expect=f"{T}([1., 3., 6., 2.])")],
    hints=(
        "Each output entry is the sum of all the entries up to and including it: a running "
        "(cumulative) sum.",
        "torch.cumsum(v, dim) (or v.cumsum(dim)); the dim argument is required.",
        "return torch.cumsum(v, dim=___)"),
    stars=1, minutes=3)
def cumulative_sum(v: Tensor) -> Tensor:
    """Running totals: entry i is the sum of v[0] .. v[i] (v[i] included).

    Args:
        v: (n,) float vector.
    Returns:
        (n,) with out[i] = v[0] + ... + v[i]; out[0] = v[0] and out[-1] = v.sum().
    Example:
        >>> cumulative_sum(torch.tensor([1., 2., 3., -4.]))
        tensor([1., 3., 6., 2.])
    """
    ### BEGIN SOLUTION
    return torch.cumsum(v, dim=0)  # (n,)
    ### END SOLUTION


@exercise("ch04.clip", points=1, examples=[
    Example(f"clip({T}([-2., -0.5, 0.25, 1., 3.]), -0.5, 1.0)",
            expect=f"{T}([-0.5, -0.5, 0.25, 1., 1.])")],
    hints=(
        "Raise every entry below lo to lo and lower every entry above hi to hi, in one call.",
        "torch.clamp(x, min=..., max=...) (alias torch.clip); both bounds are included in the "
        "allowed range.",
        "return torch.clamp(x, min=___, max=___)"),
    stars=1, minutes=3)
def clip(x: Tensor, lo: float, hi: float) -> Tensor:
    """Limit every entry to the interval [lo, hi].

    Args:
        x: float tensor of any shape.
        lo: the lower bound.
        hi: the upper bound (lo <= hi).
    Returns:
        x's shape: entries below lo become lo, entries above hi become hi, the rest
        (lo and hi themselves included) are unchanged.
    Example:
        >>> clip(torch.tensor([-2., -0.5, 0.25, 1., 3.]), -0.5, 1.0)
        tensor([-0.5000, -0.5000,  0.2500,  1.0000,  1.0000])
    """
    ### BEGIN SOLUTION
    return torch.clamp(x, min=lo, max=hi)  # same shape as x
    ### END SOLUTION


@exercise("ch04.logsumexp", points=3, vec=True, grad=True, ban=("logsumexp",), examples=[
    Example(f"logsumexp({T}([[0., 0.], [1000., 1000.]]), 1)",
            expect=f"{T}([0.6931472, 1000.6931472])"),
    Example(f"logsumexp({T}([[-1000., float('-inf')], [float('-inf'), float('-inf')]]), 1)",
            expect=f"{T}([-1000., float('-inf')])")],
    hints=(
        "Shift by the largest entry m along dim so every exponent is <= 0, sum the exponentials, "
        "take the log and add m back. A slice of all -inf has m = -inf: shift it by 0 instead.",
        "x.amax(dim=dim, keepdim=True) for m (keepdim so x - m broadcasts), torch.exp, "
        ".sum(dim=dim, keepdim=True), torch.log, .squeeze(dim); m.masked_fill(m.isinf(), 0.0) or "
        "torch.where avoids -inf - (-inf) = nan.",
        "m = x.amax(dim=dim, keepdim=True)\n"
        "m = m.masked_fill(___, 0.0)  # all -inf slice\n"
        "s = torch.exp(___).sum(dim=dim, keepdim=True)\n"
        "return (torch.log(s) + ___).squeeze(___)"),
    stars=3, minutes=20)
def logsumexp(x: Tensor, dim: int) -> Tensor:
    """log(sum(exp(x))) along one axis, computed so that it never overflows.

    exp(1000) overflows even float64; shift by the largest entry m first:
    logsumexp(x) = m + log(sum(exp(x - m))).

    Args:
        x: float tensor of any shape, at least 1-D; entries may be -inf.
        dim: the axis to reduce; negative values count from the end.
    Returns:
        x's shape without axis ``dim``, finite for entries around +-1000 in float32. A slice
        whose entries are all -inf gives -inf (the log of 0), never nan, as torch.logsumexp.
    Example:
        >>> logsumexp(torch.tensor([[0., 0.], [1000., 1000.]]), 1)
        tensor([6.9315e-01, 1.0007e+03])
    """
    ### BEGIN SOLUTION
    m = x.amax(dim=dim, keepdim=True).detach()  # x's shape with size 1 along dim
    m = m.masked_fill(m.isinf(), 0.0)  # an all -inf slice: shift by 0, not by -inf
    s = torch.exp(x - m).sum(dim=dim, keepdim=True)  # size 1 along dim
    return (torch.log(s) + m).squeeze(dim)  # axis dim removed
    ### END SOLUTION


@exercise("ch04.weighted_average", points=1, examples=[
    Example(f"weighted_average({T}([[1., 2., 3.], [4., 0., 8.]]), {T}([1., 0., 3.]))",
            expect=f"{T}([2.5, 7.])")],
    hints=(
        "Multiply the values by their weights, sum over the last axis, and divide by the sum of "
        "the weights over the same axis.",
        "w * x (it broadcasts when w is (D,)) and .sum(dim=-1) for both numerator and "
        "denominator; dividing by D (a plain mean) is the pitfall.",
        "return (w * x).sum(dim=___) / w.___(dim=___)"),
    stars=2, minutes=5)
def weighted_average(x: Tensor, w: Tensor) -> Tensor:
    """The weighted average over the last axis: sum(w * x) / sum(w).

    Args:
        x: (..., D) values.
        w: (..., D) non-negative weights of x's shape, or (D,) shared by every row; each row
           of weights has a positive sum.
    Returns:
        (...,) with out[...] = sum_j w[..., j] * x[..., j] / sum_j w[..., j] (divide by the
        sum of the weights, not by D).
    Example:
        >>> weighted_average(torch.tensor([[1., 2., 3.], [4., 0., 8.]]),
        ...                  torch.tensor([1., 0., 3.]))
        tensor([2.5000, 7.0000])
    """
    ### BEGIN SOLUTION
    return (w * x).sum(dim=-1) / w.sum(dim=-1)  # (..., D) -> (...,)
    ### END SOLUTION
