"""Wrong and alternative implementations for ch04 (see tests/mutants/__init__.py)."""
import math

import torch

from tests.mutants import correct, wrong


# -- affine --------------------------------------------------------------------------------

@wrong("ch04.affine", "scale and shift are swapped")
def affine(x, scale, shift):
    """swaps scale and shift"""
    return shift * x + scale


@wrong("ch04.affine", "shift is added before scaling")
def affine(x, scale, shift):  # noqa: F811
    """shifts, then scales"""
    return (x + shift) * scale


@wrong("ch04.affine", "shift missing")
def affine(x, scale, shift):  # noqa: F811
    """forgets the shift"""
    return scale * x


@wrong("ch04.affine", "dtype")
def affine(x, scale, shift):  # noqa: F811
    """rebuilds the result as float32"""
    return (scale * x + shift).float()


@wrong("ch04.affine", "modified its input")
def affine(x, scale, shift):  # noqa: F811
    """works in place on x"""
    return x.mul_(scale).add_(shift)


@correct("ch04.affine")
def affine(x, scale, shift):  # noqa: F811
    """torch.add with alpha"""
    return torch.add(torch.full_like(x, shift), x, alpha=scale)


@correct("ch04.affine")
def affine(x, scale, shift):  # noqa: F811
    """x.mul(scale).add(shift)"""
    return x.mul(scale).add(shift)


# -- log_table -----------------------------------------------------------------------------

@wrong("ch04.log_table", "log2 and log10 are swapped")
def log_table(x):
    """rows ln, log10, log2"""
    return torch.stack([x.log(), x.log10(), x.log2()])


@wrong("ch04.log_table", "should be (3, n)")
def log_table(x):  # noqa: F811
    """stacks along dim 1: (n, 3)"""
    return torch.stack([x.log(), x.log2(), x.log10()], dim=1)


@wrong("ch04.log_table", "ln x / 10")
def log_table(x):  # noqa: F811
    """log10 as ln(x) / 10"""
    return torch.stack([x.log(), x.log2(), x.log() / 10])


@wrong("ch04.log_table", "ln and log10 are swapped")
def log_table(x):  # noqa: F811
    """rows log10, log2, ln"""
    return torch.stack([x.log10(), x.log2(), x.log()])


@correct("ch04.log_table")
def log_table(x):  # noqa: F811
    """change of base from ln"""
    ln = torch.log(x)
    return torch.stack([ln, ln / math.log(2), ln / math.log(10)])


@correct("ch04.log_table")
def log_table(x):  # noqa: F811
    """torch.cat of rows"""
    return torch.cat([x.log()[None], x.log2()[None], x.log10()[None]])


# -- sin_cos_table -------------------------------------------------------------------------

@wrong("ch04.sin_cos_table", "columns are swapped")
def sin_cos_table(n):
    """[cos, sin]"""
    i = torch.arange(n, dtype=torch.float32)
    return torch.stack([i.cos(), i.sin()], dim=1)


@wrong("ch04.sin_cos_table", "i runs 1..n")
def sin_cos_table(n):  # noqa: F811
    """i from 1 to n"""
    i = torch.arange(1, n + 1, dtype=torch.float32)
    return torch.stack([i.sin(), i.cos()], dim=1)


@wrong("ch04.sin_cos_table", "degrees")
def sin_cos_table(n):  # noqa: F811
    """i in degrees"""
    i = torch.deg2rad(torch.arange(n, dtype=torch.float32))
    return torch.stack([i.sin(), i.cos()], dim=1)


@wrong("ch04.sin_cos_table", "should be (n, 2)")
def sin_cos_table(n):  # noqa: F811
    """(2, n)"""
    i = torch.arange(n, dtype=torch.float32)
    return torch.stack([i.sin(), i.cos()])


@wrong("ch04.sin_cos_table", "dtype=torch.float32")
def sin_cos_table(n):  # noqa: F811
    """float64 from a list of math.sin values"""
    return torch.tensor([[math.sin(i), math.cos(i)] for i in range(n)], dtype=torch.float64)


@wrong("ch04.sin_cos_table", "n + 1 rows")
def sin_cos_table(n):  # noqa: F811
    """linspace 0..n with n + 1 points"""
    i = torch.linspace(0, n, n + 1)
    return torch.stack([i.sin(), i.cos()], dim=1)


@correct("ch04.sin_cos_table")
def sin_cos_table(n):  # noqa: F811
    """math.sin in a list, then float32"""
    return torch.tensor([[math.sin(i), math.cos(i)] for i in range(n)], dtype=torch.float32)


@correct("ch04.sin_cos_table")
def sin_cos_table(n):  # noqa: F811
    """float64 then cast"""
    i = torch.arange(n, dtype=torch.float64)
    return torch.column_stack([i.sin(), i.cos()]).float()


# -- total_and_product ---------------------------------------------------------------------

@wrong("ch04.total_and_product", "the sum first")
def total_and_product(x):
    """(product, sum)"""
    return x.prod(), x.sum()


@wrong("ch04.total_and_product", "signs are lost")
def total_and_product(x):  # noqa: F811
    """product through logs of |x|"""
    return x.sum(), x.abs().log().sum().exp()


@wrong("ch04.total_and_product", "along dim 0 only")
def total_and_product(x):  # noqa: F811
    """reduces the first axis only"""
    return x.sum(0), x.prod(0)


@wrong("ch04.total_and_product", "expected a tuple")
def total_and_product(x):  # noqa: F811
    """one stacked tensor instead of a pair"""
    return torch.stack([x.sum(), x.prod()])


@wrong("ch04.total_and_product", "expected a torch.tensor, got float")
def total_and_product(x):  # noqa: F811
    """Python floats"""
    return float(x.sum()), float(x.prod())


@correct("ch04.total_and_product")
def total_and_product(x):  # noqa: F811
    """flatten, then a loop for the product"""
    flat = x.reshape(-1)
    p = torch.ones((), dtype=x.dtype, device=x.device)
    for v in flat:
        p = p * v
    return flat.sum(), p


@correct("ch04.total_and_product")
def total_and_product(x):  # noqa: F811
    """a list is fine too"""
    return [torch.sum(x), torch.prod(x.flatten())]


# -- min_along -----------------------------------------------------------------------------

@wrong("ch04.min_along", "(values, indices) pair")
def min_along(m, dim):
    """returns torch.min's pair"""
    return torch.min(m, dim)


@wrong("ch04.min_along", "indices of the minima")
def min_along(m, dim):  # noqa: F811
    """returns argmin"""
    return m.argmin(dim)


@wrong("ch04.min_along", "not along dim")
def min_along(m, dim):  # noqa: F811
    """always reduces the last axis, whatever dim says"""
    return m.amin(-1)


@wrong("ch04.min_along", "keepdim=true")
def min_along(m, dim):  # noqa: F811
    """keeps the axis"""
    return m.amin(dim, keepdim=True)


@wrong("ch04.min_along", "that is the maximum")
def min_along(m, dim):  # noqa: F811
    """max instead of min"""
    return m.max(dim).values


@correct("ch04.min_along")
def min_along(m, dim):  # noqa: F811
    """torch.min(...).values"""
    return torch.min(m, dim=dim).values


@correct("ch04.min_along")
def min_along(m, dim):  # noqa: F811
    """minus the max of minus m"""
    return -(-m).amax(dim)


# -- argmax_rows ---------------------------------------------------------------------------

@wrong("ch04.argmax_rows", "one index per column")
def argmax_rows(m):
    """argmax over dim 0"""
    return m.argmax(0)


@wrong("ch04.argmax_rows", "largest values")
def argmax_rows(m):  # noqa: F811
    """returns the values"""
    return m.max(1).values


@wrong("ch04.argmax_rows", "argmin")
def argmax_rows(m):  # noqa: F811
    """argmin"""
    return m.argmin(1)


@wrong("ch04.argmax_rows", "int64")
def argmax_rows(m):  # noqa: F811
    """int32 indices"""
    return m.argmax(1).int()


@wrong("ch04.argmax_rows", "flattened matrix")
def argmax_rows(m):  # noqa: F811
    """flattened argmax"""
    return m.argmax()


@correct("ch04.argmax_rows")
def argmax_rows(m):  # noqa: F811
    """torch.max(...).indices"""
    return torch.max(m, dim=1).indices


@correct("ch04.argmax_rows")
def argmax_rows(m):  # noqa: F811
    """a loop over rows"""
    return torch.stack([row.argmax() for row in m])


# -- column_means --------------------------------------------------------------------------

@wrong("ch04.column_means", "keepdim=true")
def column_means(m):
    """forgets keepdim"""
    return m.mean(0)


@wrong("ch04.column_means", "row means")
def column_means(m):  # noqa: F811
    """means over dim 1"""
    return m.mean(1, keepdim=True)


@wrong("ch04.column_means", "divided by d")
def column_means(m):  # noqa: F811
    """divides the column sums by the number of columns"""
    return m.sum(0, keepdim=True) / m.shape[1]


@wrong("ch04.column_means", "column sums")
def column_means(m):  # noqa: F811
    """sums"""
    return m.sum(0, keepdim=True)


@correct("ch04.column_means")
def column_means(m):  # noqa: F811
    """sum over rows divided by N, as a row"""
    return (m.sum(dim=0) / m.shape[0]).unsqueeze(0)


@correct("ch04.column_means")
def column_means(m):  # noqa: F811
    """ones row times m"""
    return torch.ones(1, m.shape[0], dtype=m.dtype, device=m.device) @ m / m.shape[0]


# -- variance ------------------------------------------------------------------------------

@wrong("ch04.variance", "uses var")
def variance(x, dim, unbiased):
    """the banned torch.var"""
    return torch.var(x, dim, unbiased=unbiased)


@wrong("ch04.variance", "uses std")
def variance(x, dim, unbiased):  # noqa: F811
    """the square of the banned torch.std"""
    return torch.std(x, dim, unbiased=unbiased) ** 2


@wrong("ch04.variance", "two are swapped")
def variance(x, dim, unbiased):  # noqa: F811
    """n - 1 and n the wrong way round"""
    d = x - x.mean(dim, keepdim=True)
    n = x.shape[dim]
    return (d * d).sum(dim) / (n if unbiased else n - 1)


@wrong("ch04.variance", "always divided by n")
def variance(x, dim, unbiased):  # noqa: F811
    """ignores unbiased"""
    d = x - x.mean(dim, keepdim=True)
    return (d * d).mean(dim)


@wrong("ch04.variance", "standard deviation")
def variance(x, dim, unbiased):  # noqa: F811
    """a square root too many"""
    d = x - x.mean(dim, keepdim=True)
    return ((d * d).sum(dim) / (x.shape[dim] - int(unbiased))).sqrt()


@wrong("ch04.variance", "do not clamp n - 1")
def variance(x, dim, unbiased):  # noqa: F811
    """clamps n - 1 to 1 to avoid dividing by zero"""
    d = x - x.mean(dim, keepdim=True)
    n = x.shape[dim]
    return (d * d).sum(dim) / (max(n - 1, 1) if unbiased else n)


@wrong("ch04.variance", "not along dim")
def variance(x, dim, unbiased):  # noqa: F811
    """always reduces axis 0"""
    dim = 0
    d = x - x.mean(dim, keepdim=True)
    return (d * d).sum(dim) / (x.shape[dim] - int(unbiased))


@wrong("ch04.variance", "runs")
def variance(x, dim, unbiased):  # noqa: F811
    """a loop over the slices along dim"""
    xs = x.movedim(dim, -1).reshape(-1, x.shape[dim])
    n = x.shape[dim]
    out = []
    for row in xs:
        d = row - row.mean()
        out.append((d * d).sum() / (n - int(unbiased)))
    shape = [s for i, s in enumerate(x.shape) if i != dim % x.dim()]
    return torch.stack(out).reshape(shape)


@correct("ch04.variance")
def variance(x, dim, unbiased):  # noqa: F811
    """one pass: E[x^2] - E[x]^2, rescaled"""
    n = x.shape[dim]
    mean = x.mean(dim)
    biased = (x * x).mean(dim) - mean * mean
    return biased * n / (n - 1) if unbiased else biased


@correct("ch04.variance")
def variance(x, dim, unbiased):  # noqa: F811
    """pow and a Python division by zero avoided with a tensor"""
    n = x.shape[dim]
    ss = (x - x.mean(dim, keepdim=True)).pow(2).sum(dim)
    return ss / torch.tensor(n - int(unbiased), dtype=x.dtype, device=x.device)


# -- cumulative_sum ------------------------------------------------------------------------

@wrong("ch04.cumulative_sum", "exclusive scan")
def cumulative_sum(v):
    """starts at 0 and leaves v[i] out"""
    return torch.cat([v.new_zeros(1), v.cumsum(0)[:-1]])


@wrong("ch04.cumulative_sum", "run from the end")
def cumulative_sum(v):  # noqa: F811
    """sums from the end"""
    return v.flip(0).cumsum(0).flip(0)


@wrong("ch04.cumulative_sum", "n + 1 totals")
def cumulative_sum(v):  # noqa: F811
    """a zero in front"""
    return torch.cat([v.new_zeros(1), v.cumsum(0)])


@wrong("ch04.cumulative_sum", "total sum")
def cumulative_sum(v):  # noqa: F811
    """the total everywhere"""
    return v.sum() * torch.ones_like(v)


@correct("ch04.cumulative_sum")
def cumulative_sum(v):  # noqa: F811
    """a Python loop"""
    out, total = [], torch.zeros((), dtype=v.dtype, device=v.device)
    for x in v:
        total = total + x
        out.append(total)
    return torch.stack(out)


@correct("ch04.cumulative_sum")
def cumulative_sum(v):  # noqa: F811
    """a lower-triangular matrix of ones"""
    n = v.shape[0]
    return torch.ones(n, n, dtype=v.dtype, device=v.device).tril() @ v


# -- clip ----------------------------------------------------------------------------------

@wrong("ch04.clip", "lo and hi are swapped")
def clip(x, lo, hi):
    """clamp(x, hi, lo)"""
    return torch.clamp(x, hi, lo)


@wrong("ch04.clip", "max and min are mixed up")
def clip(x, lo, hi):  # noqa: F811
    """max(min(x, lo), hi)"""
    return torch.clamp(torch.clamp(x, max=lo), min=hi)


@wrong("ch04.clip", "lo and hi are swapped")
def clip(x, lo, hi):  # noqa: F811
    """the replacements swapped"""
    return torch.where(x < lo, hi, torch.where(x > hi, lo, x))


@wrong("ch04.clip", "only the lower bound")
def clip(x, lo, hi):  # noqa: F811
    """forgets hi"""
    return x.clamp(min=lo)


@wrong("ch04.clip", "became 0")
def clip(x, lo, hi):  # noqa: F811
    """zeros outside the interval"""
    return torch.where((x < lo) | (x > hi), torch.zeros_like(x), x)


@correct("ch04.clip")
def clip(x, lo, hi):  # noqa: F811
    """two wheres, non-strict comparisons"""
    return torch.where(x <= lo, lo, torch.where(x >= hi, hi, x)).to(x.dtype)


@correct("ch04.clip")
def clip(x, lo, hi):  # noqa: F811
    """minimum of maximum with tensors"""
    return torch.minimum(torch.maximum(x, torch.full_like(x, lo)), torch.full_like(x, hi))


# -- logsumexp -----------------------------------------------------------------------------

@wrong("ch04.logsumexp", "uses logsumexp")
def logsumexp(x, dim):
    """the banned torch.logsumexp"""
    return torch.logsumexp(x, dim)


@wrong("ch04.logsumexp", "inf or nan")
def logsumexp(x, dim):  # noqa: F811
    """no max shift: exp overflows at +1000"""
    return x.exp().sum(dim).log()


@wrong("ch04.logsumexp", "max of the whole tensor")
def logsumexp(x, dim):  # noqa: F811
    """shifts by the max of the whole tensor: rows near -1000 underflow"""
    m = x.max()
    return (x - m).exp().sum(dim).log() + m


@wrong("ch04.logsumexp", "shift is not added back")
def logsumexp(x, dim):  # noqa: F811
    """forgets to add the max back"""
    m = x.amax(dim, keepdim=True)
    return (x - m).exp().sum(dim).log()


@wrong("ch04.logsumexp", "keepdim=true")
def logsumexp(x, dim):  # noqa: F811
    """keeps the axis"""
    m = x.amax(dim, keepdim=True)
    return (x - m).exp().sum(dim, keepdim=True).log() + m


@wrong("ch04.logsumexp", "slice of all -inf")
def logsumexp(x, dim):  # noqa: F811
    """the max shift without guarding an all -inf slice"""
    m = x.amax(dim, keepdim=True)
    return (x - m).exp().sum(dim).log() + m.squeeze(dim)


@wrong("ch04.logsumexp", "not along dim")
def logsumexp(x, dim):  # noqa: F811
    """always reduces the last axis"""
    dim = -1
    m = x.amax(dim, keepdim=True)
    m = torch.where(m.isinf(), 0.0, m)
    return (x - m).exp().sum(dim).log() + m.squeeze(dim)


@wrong("ch04.logsumexp", "runs")
def logsumexp(x, dim):  # noqa: F811
    """a loop over the slices along dim"""
    xs = x.movedim(dim, -1)
    flat = xs.reshape(-1, xs.shape[-1])
    out = []
    for row in flat:
        m = row.max()
        m = torch.where(m.isinf(), 0.0, m)
        out.append((row - m).exp().sum().log() + m)
    return torch.stack(out).reshape(xs.shape[:-1])


@wrong("ch04.logsumexp", "gradient")
def logsumexp(x, dim):  # noqa: F811
    """computed on detached values"""
    y = x.detach()
    m = y.amax(dim, keepdim=True)
    m = torch.where(m.isinf(), 0.0, m)
    return (y - m).exp().sum(dim).log() + m.squeeze(dim)


@correct("ch04.logsumexp")
def logsumexp(x, dim):  # noqa: F811
    """max shift, not detached, where() for infinite maxima"""
    m = torch.max(x, dim=dim, keepdim=True).values
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m))
    return torch.log(torch.sum(torch.exp(x - m), dim=dim)) + m.squeeze(dim)


@correct("ch04.logsumexp")
def logsumexp(x, dim):  # noqa: F811
    """max plus log1p of the other terms"""
    m = x.amax(dim, keepdim=True)
    m = m.masked_fill(m == -math.inf, 0.0)
    e = torch.exp(x - m)
    return torch.log1p(e.sum(dim) - 1.0) + m.squeeze(dim)


# -- weighted_average ----------------------------------------------------------------------

@wrong("ch04.weighted_average", "divided by d")
def weighted_average(x, w):
    """divides by the number of entries"""
    return (w * x).mean(-1)


@wrong("ch04.weighted_average", "sum of its own weights")
def weighted_average(x, w):  # noqa: F811
    """divides by the sum of every weight"""
    return (w * x).sum(-1) / w.sum()


@wrong("ch04.weighted_average", "over dim 0")
def weighted_average(x, w):  # noqa: F811
    """averages over the first axis"""
    w = w.expand_as(x)
    return (w * x).sum(0) / w.sum(0)


@wrong("ch04.weighted_average", "weights are ignored")
def weighted_average(x, w):  # noqa: F811
    """plain mean"""
    return x.mean(-1)


@correct("ch04.weighted_average")
def weighted_average(x, w):  # noqa: F811
    """normalise the weights first"""
    w = w.expand_as(x)
    return (w / w.sum(-1, keepdim=True) * x).sum(-1)


@correct("ch04.weighted_average")
def weighted_average(x, w):  # noqa: F811
    """einsum over the last axis"""
    w = w.expand_as(x)
    return torch.einsum("...d,...d->...", w, x) / w.sum(-1)
