"""Random matrices with chosen singular values or eigenvalues, for every ch07 grader."""
import torch

t = torch.tensor


def orthogonal(g, n: int) -> torch.Tensor:
    """A random (n, n) orthogonal matrix, float64 on the CPU: a product of n random
    Householder reflections (cheaper than a QR, whose thread pool is slow on tiny inputs)."""
    q = torch.eye(n, dtype=torch.float64)
    for v in g.randn(n, n, dtype=torch.float64).cpu():
        q = q - (2 / (v @ v)) * torch.outer(q @ v, v)
    return q


def with_singular_values(g, n: int, d: int, s, dtype) -> torch.Tensor:
    """An (n, d) matrix U diag(s) V^T with random orthogonal U and V (len(s) = min(n, d))."""
    s = torch.as_tensor(s, dtype=torch.float64)
    r = min(n, d)
    m = (orthogonal(g, n)[:, :r] * s) @ orthogonal(g, d)[:, :r].T
    return m.to(g.device, dtype)


def spread(g, r: int, lo: float, hi: float) -> torch.Tensor:
    """r values in [lo, hi], descending, random (both ends included when r > 1)."""
    if r == 1:
        return t([float(g.uniform(1, lo=lo, hi=hi, dtype=torch.float64))], dtype=torch.float64)
    u = torch.rand(r - 2, generator=g.gen, dtype=torch.float64) * (hi - lo) + lo
    return torch.cat([t([hi, lo], dtype=torch.float64), u]).sort(descending=True).values


def gapped(g, r: int, lo: float = 1.0, gap=(0.4, 1.0)) -> torch.Tensor:
    """r descending values from about lo up, consecutive ones at least gap[0] apart."""
    steps = torch.rand(r, generator=g.gen, dtype=torch.float64) * (gap[1] - gap[0]) + gap[0]
    return (lo + torch.cumsum(steps, 0) - steps[0]).flip(0)


def reflector(v: torch.Tensor) -> torch.Tensor:
    """The Householder reflection (orthogonal, symmetric) whose first column is v / |v|."""
    w = -v / torch.linalg.vector_norm(v)
    w[0] += 1.0
    n = v.shape[0]
    if float(w @ w) == 0.0:
        return torch.eye(n, dtype=v.dtype)
    return torch.eye(n, dtype=v.dtype) - (2 / (w @ w)) * torch.outer(w, w)
