"""Wrong and alternative implementations for ch05 (see tests/mutants/__init__.py)."""
import torch

from tests.mutants import correct, wrong

# -- 1. add_row_vector ---------------------------------------------------------------------


@wrong("ch05.add_row_vector", "added down the columns")
def add_row_vector(m, v):
    """confuses it with add_column_vector: v as a column"""
    return m + v[:, None]


@wrong("ch05.add_row_vector", "subtracted")
def add_row_vector(m, v):  # noqa: F811
    """subtracts"""
    return m - v


@wrong("ch05.add_row_vector", "modified its input")
def add_row_vector(m, v):  # noqa: F811
    """adds in place into m"""
    m += v
    return m


@wrong("ch05.add_row_vector", "dtype")
def add_row_vector(m, v):  # noqa: F811
    """casts to float32"""
    return m.float() + v.float()


@correct("ch05.add_row_vector")
def add_row_vector(m, v):  # noqa: F811
    """an explicit (1, D) row, expanded"""
    return m + v.unsqueeze(0).expand(m.shape[0], -1)


@correct("ch05.add_row_vector")
def add_row_vector(m, v):  # noqa: F811
    """torch.add with a view(1, -1)"""
    return torch.add(m, v.view(1, -1))


# -- 2. add_column_vector ------------------------------------------------------------------

@wrong("ch05.add_column_vector", "v[:, None]")
def add_column_vector(m, v):
    """m + v: right only by accident (it adds along the rows, and raises when N != D)"""
    return m + v


@wrong("ch05.add_column_vector", "v[:, None]")
def add_column_vector(m, v):  # noqa: F811
    """v as an explicit row: the add_row_vector confusion"""
    return m + v[None, :]


@wrong("ch05.add_column_vector", "did not transpose the result back")
def add_column_vector(m, v):  # noqa: F811
    """transposes m to add v and forgets to transpose back"""
    return m.T + v


@wrong("ch05.add_column_vector", "modified its input")
def add_column_vector(m, v):  # noqa: F811
    """adds in place"""
    return m.add_(v[:, None])


@correct("ch05.add_column_vector")
def add_column_vector(m, v):  # noqa: F811
    """transpose, add as a row, transpose back"""
    return (m.T + v).T


@correct("ch05.add_column_vector")
def add_column_vector(m, v):  # noqa: F811
    """unsqueeze(1)"""
    return m + v.unsqueeze(1)


# -- 3. outer_sum --------------------------------------------------------------------------

@wrong("ch05.outer_sum", "transposed")
def outer_sum(a, b):
    """the table transposed: a[j] + b[i]"""
    return a[None, :] + b[:, None]


@wrong("ch05.outer_sum", "python loop")
def outer_sum(a, b):  # noqa: F811
    """one row at a time"""
    return torch.stack([a[i] + b for i in range(a.shape[0])])


@wrong("ch05.outer_sum", "outer product")
def outer_sum(a, b):  # noqa: F811
    """multiplies instead of adding"""
    return a[:, None] * b[None, :]


@wrong("ch05.outer_sum", "entry by entry")
def outer_sum(a, b):  # noqa: F811
    """adds the vectors entry by entry"""
    return a + b


@correct("ch05.outer_sum")
def outer_sum(a, b):  # noqa: F811
    """unsqueeze(1) and a plain b"""
    return a.unsqueeze(1) + b


@correct("ch05.outer_sum")
def outer_sum(a, b):  # noqa: F811
    """reshape both"""
    return a.reshape(-1, 1) + b.reshape(1, -1)


# -- 4. outer_product ----------------------------------------------------------------------

@wrong("ch05.outer_product", "uses outer")
def outer_product(a, b):
    """the banned torch.outer"""
    return torch.outer(a, b)


@wrong("ch05.outer_product", "uses matmul")
def outer_product(a, b):  # noqa: F811
    """a (n, 1) @ (1, m) matrix product"""
    return a[:, None] @ b[None, :]


@wrong("ch05.outer_product", "uses einsum")
def outer_product(a, b):  # noqa: F811
    """einsum"""
    return torch.einsum("i,j->ij", a, b)


@wrong("ch05.outer_product", "uses ger")
def outer_product(a, b):  # noqa: F811
    """the old name of outer"""
    return torch.ger(a, b)


@wrong("ch05.outer_product", "transposed")
def outer_product(a, b):  # noqa: F811
    """the table transposed: a[j] * b[i]"""
    return b[:, None] * a[None, :]


@wrong("ch05.outer_product", "python loop")
def outer_product(a, b):  # noqa: F811
    """one row at a time"""
    return torch.stack([a[i] * b for i in range(a.shape[0])])


@wrong("ch05.outer_product", "takes values out of torch")
def outer_product(a, b):  # noqa: F811
    """NumPy's outer"""
    import numpy as np
    return torch.from_numpy(np.multiply.outer(a.cpu().numpy(), b.cpu().numpy())).to(a.device)


@correct("ch05.outer_product")
def outer_product(a, b):  # noqa: F811
    """torch.mul of unsqueezed vectors"""
    return torch.mul(a.unsqueeze(1), b.unsqueeze(0))


@correct("ch05.outer_product")
def outer_product(a, b):  # noqa: F811
    """expanded to the full table"""
    n, m = a.shape[0], b.shape[0]
    return a.view(n, 1).expand(n, m) * b.view(1, m).expand(n, m)


# -- 5. scale_columns ----------------------------------------------------------------------

@wrong("ch05.scale_columns", "rows were scaled")
def scale_columns(m, s):
    """scales the rows"""
    return m * s[:, None]


@wrong("ch05.scale_columns", "divided")
def scale_columns(m, s):  # noqa: F811
    """divides"""
    return m / s


@wrong("ch05.scale_columns", "matrix-vector product")
def scale_columns(m, s):  # noqa: F811
    """m @ s"""
    return m @ s


@wrong("ch05.scale_columns", "modified its input")
def scale_columns(m, s):  # noqa: F811
    """scales in place"""
    return m.mul_(s)


@correct("ch05.scale_columns")
def scale_columns(m, s):  # noqa: F811
    """m @ diag(s)"""
    return m @ torch.diag(s)


@correct("ch05.scale_columns")
def scale_columns(m, s):  # noqa: F811
    """einsum"""
    return torch.einsum("nd,d->nd", m, s)


# -- 6. hadamard ---------------------------------------------------------------------------

@wrong("ch05.hadamard", "matrix product")
def hadamard(a, b):
    """a @ b"""
    return a @ b


@wrong("ch05.hadamard", "matrix product")
def hadamard(a, b):  # noqa: F811
    """a @ b.T"""
    return a @ b.mT


@wrong("ch05.hadamard", "modified its input")
def hadamard(a, b):  # noqa: F811
    """multiplies in place"""
    return a.mul_(b)


@wrong("ch05.hadamard", "dtype")
def hadamard(a, b):  # noqa: F811
    """casts to float32"""
    return (a * b).float()


@correct("ch05.hadamard")
def hadamard(a, b):  # noqa: F811
    """torch.mul"""
    return torch.mul(a, b)


@correct("ch05.hadamard")
def hadamard(a, b):  # noqa: F811
    """einsum with ellipses"""
    return torch.einsum("...,...->...", a, b)


# -- 7. standardize_columns ----------------------------------------------------------------

@wrong("ch05.standardize_columns", "biased")
def standardize_columns(m, eps):
    """the biased std (unbiased=False)"""
    return (m - m.mean(0)) / (m.std(0, unbiased=False) + eps)


@wrong("ch05.standardize_columns", "inside the sqrt")
def standardize_columns(m, eps):  # noqa: F811
    """eps added to the variance, inside the sqrt"""
    return (m - m.mean(0)) / torch.sqrt(m.var(0) + eps)


@wrong("ch05.standardize_columns", "as layer norm does")
def standardize_columns(m, eps):  # noqa: F811
    """layer-norm style: biased variance, eps inside the sqrt"""
    mean = m.mean(0, keepdim=True)
    var = ((m - mean) ** 2).mean(0, keepdim=True)
    return (m - mean) / torch.sqrt(var + eps)


@wrong("ch05.standardize_columns", "each row's mean and std")
def standardize_columns(m, eps):  # noqa: F811
    """per-row statistics"""
    return (m - m.mean(1, keepdim=True)) / (m.std(1, keepdim=True) + eps)


@wrong("ch05.standardize_columns", "without keepdim=true")
def standardize_columns(m, eps):  # noqa: F811
    """per-row statistics without keepdim: they broadcast along the columns"""
    return (m - m.mean(1)) / (m.std(1) + eps)


@wrong("ch05.standardize_columns", "whole matrix")
def standardize_columns(m, eps):  # noqa: F811
    """global statistics"""
    return (m - m.mean()) / (m.std() + eps)


@wrong("ch05.standardize_columns", "eps is missing")
def standardize_columns(m, eps):  # noqa: F811
    """forgets eps: constant columns become NaN"""
    return (m - m.mean(0)) / m.std(0)


@wrong("ch05.standardize_columns", "mind the brackets")
def standardize_columns(m, eps):  # noqa: F811
    """eps added after the division"""
    return (m - m.mean(0)) / m.std(0) + eps


@wrong("ch05.standardize_columns", "python loop")
def standardize_columns(m, eps):  # noqa: F811
    """one column at a time"""
    cols = [(m[:, j] - m[:, j].mean()) / (m[:, j].std() + eps) for j in range(m.shape[1])]
    return torch.stack(cols, dim=1)


@correct("ch05.standardize_columns")
def standardize_columns(m, eps):  # noqa: F811
    """the unbiased variance by hand"""
    n = m.shape[0]
    centred = m - m.sum(0, keepdim=True) / n
    std = ((centred ** 2).sum(0, keepdim=True) / (n - 1)).sqrt()
    return centred / (std + eps)


@wrong("ch05.standardize_columns", "nan replaced by 0")
def standardize_columns(m, eps):  # noqa: F811
    """replaces the NaN std of a single row by 0"""
    return (m - m.mean(0)) / (m.std(0).nan_to_num(0.0) + eps)


@correct("ch05.standardize_columns")
def standardize_columns(m, eps):  # noqa: F811
    """E[x^2] - E[x]^2, rescaled to the unbiased variance"""
    n = m.shape[0]
    mean = m.mean(0)
    var = ((m * m).mean(0) - mean * mean) * n / (n - 1)
    return (m - mean) / (var.sqrt() + eps)


@correct("ch05.standardize_columns")
def standardize_columns(m, eps):  # noqa: F811
    """torch.std_mean, without keepdim"""
    std, mean = torch.std_mean(m, dim=0)
    return (m - mean) / (std + eps)


@correct("ch05.standardize_columns")
def standardize_columns(m, eps):  # noqa: F811
    """on the transpose, per row, then back"""
    x = m.T
    return ((x - x.mean(-1, keepdim=True)) / (x.std(-1, keepdim=True) + eps)).T


# -- 8. min_max_scale ----------------------------------------------------------------------

@wrong("ch05.min_max_scale", "not nan")
def min_max_scale(m):
    """no guard: a constant column gives 0 / 0"""
    lo = m.min(0).values
    return (m - lo) / (m.max(0).values - lo)


@wrong("ch05.min_max_scale", "whole matrix")
def min_max_scale(m):  # noqa: F811
    """global min and max"""
    return (m - m.min()) / (m.max() - m.min())


@wrong("ch05.min_max_scale", "each row's")
def min_max_scale(m):  # noqa: F811
    """per-row min and max"""
    lo, hi = m.amin(1, keepdim=True), m.amax(1, keepdim=True)
    return torch.where(hi > lo, (m - lo) / (hi - lo), 0.0)


@wrong("ch05.min_max_scale", "without keepdim=true")
def min_max_scale(m):  # noqa: F811
    """per-row min and max, without keepdim (they line up with the columns)"""
    lo, hi = m.amin(1), m.amax(1)
    return torch.where(hi > lo, (m - lo) / (hi - lo), 0.0)


@wrong("ch05.min_max_scale", "not by max")
def min_max_scale(m):  # noqa: F811
    """divides by the max"""
    lo, hi = m.amin(0), m.amax(0)
    return torch.where(hi > lo, (m - lo) / hi, 0.0)


@wrong("ch05.min_max_scale", "eps added")
def min_max_scale(m):  # noqa: F811
    """an eps in the denominator instead of a guard"""
    lo, hi = m.amin(0), m.amax(0)
    return (m - lo) / (hi - lo + 1e-8)


@correct("ch05.min_max_scale")
def min_max_scale(m):  # noqa: F811
    """nan_to_num after the division"""
    lo, hi = m.min(0, keepdim=True).values, m.max(0, keepdim=True).values
    return ((m - lo) / (hi - lo)).nan_to_num(0.0)


@correct("ch05.min_max_scale")
def min_max_scale(m):  # noqa: F811
    """the range clamped away from 0 (a constant column's numerator is exactly 0)"""
    lo, hi = torch.aminmax(m, dim=0)
    return (m - lo) / (hi - lo).clamp_min(torch.finfo(m.dtype).tiny)


# -- 9. pairwise_differences ---------------------------------------------------------------

@wrong("ch05.pairwise_differences", "sign is flipped")
def pairwise_differences(v):
    """v[j] - v[i]"""
    return v[None, :] - v[:, None]


@wrong("ch05.pairwise_differences", "absolute value")
def pairwise_differences(v):  # noqa: F811
    """|v[i] - v[j]| (a distance, not a difference)"""
    return torch.cdist(v[:, None], v[:, None], p=1)


@wrong("ch05.pairwise_differences", "python loop")
def pairwise_differences(v):  # noqa: F811
    """one row at a time"""
    return torch.stack([v[i] - v for i in range(v.shape[0])])


@wrong("ch05.pairwise_differences", "one axis too few")
def pairwise_differences(v):  # noqa: F811
    """v - v.T (a 1-D .T does nothing)"""
    return v - v.T


@correct("ch05.pairwise_differences")
def pairwise_differences(v):  # noqa: F811
    """unsqueeze and subtract"""
    return v.unsqueeze(1) - v.unsqueeze(0)


@correct("ch05.pairwise_differences")
def pairwise_differences(v):  # noqa: F811
    """a column minus its own transpose"""
    col = v.reshape(-1, 1)
    return col - col.T


# -- 10. add_bias --------------------------------------------------------------------------

@wrong("ch05.add_bias", "axis too many")
def add_bias(y, b):
    """b as a (1, D) row: a 1-D y gets an extra axis"""
    return y + b.unsqueeze(0)


@wrong("ch05.add_bias", "reshaped back")
def add_bias(y, b):  # noqa: F811
    """flattens y to (-1, D) and forgets to reshape back"""
    return y.reshape(-1, y.shape[-1]) + b


@wrong("ch05.add_bias", "last axis")
def add_bias(y, b):  # noqa: F811
    """b lined up with the first axis"""
    return y + b[:, None]


@wrong("ch05.add_bias", "fixed number of leading axes")
def add_bias(y, b):  # noqa: F811
    """assumes a 3-D (B, T, D) input"""
    return y + b.view(1, 1, -1)


@wrong("ch05.add_bias", "modified its input")
def add_bias(y, b):  # noqa: F811
    """adds in place"""
    y += b
    return y


@correct("ch05.add_bias")
def add_bias(y, b):  # noqa: F811
    """flatten, add, reshape back"""
    return (y.reshape(-1, y.shape[-1]) + b).reshape(y.shape)


@correct("ch05.add_bias")
def add_bias(y, b):  # noqa: F811
    """b viewed with as many leading 1s as y needs"""
    return y + b.view(*([1] * (y.dim() - 1)), -1)
