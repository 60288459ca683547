"""Wrong and alternative implementations for ch07 (see tests/mutants/__init__.py)."""
import torch

from tests.mutants import correct, wrong


# -- det_2x2 -------------------------------------------------------------------------------

@wrong("ch07.det_2x2", "ad + bc")
def det_2x2(m):
    """adds the cross product instead of subtracting it"""
    return m[0, 0] * m[1, 1] + m[0, 1] * m[1, 0]


@wrong("ch07.det_2x2", "ac - bd")
def det_2x2(m):  # noqa: F811
    """multiplies down the columns"""
    return m[0, 0] * m[1, 0] - m[0, 1] * m[1, 1]


@wrong("ch07.det_2x2", "sign is flipped")
def det_2x2(m):  # noqa: F811
    """bc - ad"""
    return m[0, 1] * m[1, 0] - m[0, 0] * m[1, 1]


@wrong("ch07.det_2x2", "linalg_det, which this exercise bans")
def det_2x2(m):  # noqa: F811
    """calls the banned torch.linalg.det"""
    return torch.linalg.det(m)


@wrong("ch07.det_2x2", "dtype")
def det_2x2(m):  # noqa: F811
    """rebuilds the result with torch.tensor, losing float64"""
    return torch.tensor(float(m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]))


@correct("ch07.det_2x2")
def det_2x2(m):  # noqa: F811
    """product of the diagonal minus product of the anti-diagonal"""
    return m.diagonal().prod() - m.flip(0).diagonal().prod()


# -- solve ---------------------------------------------------------------------------------

@wrong("ch07.solve", "is a transposed")
def solve(a, b):
    """solves a^T x = b"""
    return torch.linalg.solve(a.T, b)


@wrong("ch07.solve", "multiplied a @ b")
def solve(a, b):  # noqa: F811
    """multiplies instead of solving"""
    return a @ b


@wrong("ch07.solve", "expected shape (2,), got (2, 1)")
def solve(a, b):  # noqa: F811
    """always makes b a column, so a (n,) b comes back as (n, 1)"""
    return torch.linalg.solve(a, b if b.dim() == 2 else b[:, None])


@wrong("ch07.solve", "raised")
def solve(a, b):  # noqa: F811
    """handles a single right-hand side only"""
    return torch.linalg.solve(a, b.unsqueeze(-1)).squeeze(-1)


@correct("ch07.solve")
def solve(a, b):  # noqa: F811
    """explicit inverse (numerically worse, fine at ordinary conditioning)"""
    return torch.linalg.inv(a) @ b


@correct("ch07.solve")
def solve(a, b):  # noqa: F811
    """LU factorisation, then lu_solve on a column view of b"""
    lu, piv = torch.linalg.lu_factor(a)
    x = torch.linalg.lu_solve(lu, piv, b.reshape(b.shape[0], -1))
    return x.reshape(b.shape)


# -- least_squares -------------------------------------------------------------------------

@wrong("ch07.least_squares", "(x^t x)^-1 in front is missing")
def least_squares(x, y):
    """x^T y"""
    return x.T @ y


@wrong("ch07.least_squares", "first d rows")
def least_squares(x, y):  # noqa: F811
    """solves the square top block exactly"""
    d = x.shape[1]
    return torch.linalg.solve(x[:d], y[:d])


@wrong("ch07.least_squares", "expected shape (2,), got (2, 1)")
def least_squares(x, y):  # noqa: F811
    """returns lstsq's (D, 1) solution without squeezing"""
    return torch.linalg.lstsq(x, y[:, None]).solution


@wrong("ch07.least_squares", "elementwise or by its diagonal")
def least_squares(x, y):  # noqa: F811
    """divides x^T y by the column norms: right only for orthogonal columns"""
    return (x.T @ y) / (x * x).sum(0)


@correct("ch07.least_squares")
def least_squares(x, y):  # noqa: F811
    """normal equations"""
    return torch.linalg.solve(x.T @ x, x.T @ y)


@correct("ch07.least_squares")
def least_squares(x, y):  # noqa: F811
    """pseudo-inverse"""
    return torch.linalg.pinv(x) @ y


@correct("ch07.least_squares")
def least_squares(x, y):  # noqa: F811
    """QR: R w = Q^T y"""
    q, r = torch.linalg.qr(x)
    return torch.linalg.solve_triangular(r, (q.T @ y)[:, None], upper=True)[:, 0]


# -- inverse_2x2 ---------------------------------------------------------------------------

def _adjugate(m):
    return torch.stack([torch.stack([m[1, 1], -m[0, 1]]), torch.stack([-m[1, 0], m[0, 0]])])


def _det(m):
    return m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]


@wrong("ch07.inverse_2x2", "1/det factor missing")
def inverse_2x2(m):
    """forgets to divide by the determinant"""
    if _det(m) == 0:
        raise ValueError("singular")
    return _adjugate(m)


@wrong("ch07.inverse_2x2", "b and c must be negated")
def inverse_2x2(m):  # noqa: F811
    """swaps a and d but keeps the signs of b and c"""
    det = _det(m)
    if det == 0:
        raise ValueError("singular")
    return torch.stack([torch.stack([m[1, 1], m[0, 1]]), torch.stack([m[1, 0], m[0, 0]])]) / det


@wrong("ch07.inverse_2x2", "a and d must swap places")
def inverse_2x2(m):  # noqa: F811
    """negates b and c but leaves a and d in place"""
    det = _det(m)
    if det == 0:
        raise ValueError("singular")
    return torch.stack([torch.stack([m[0, 0], -m[0, 1]]), torch.stack([-m[1, 0], m[1, 1]])]) / det


@wrong("ch07.inverse_2x2", "must raise valueerror")
def inverse_2x2(m):  # noqa: F811
    """no singular check: divides by zero"""
    return _adjugate(m) / _det(m)


@wrong("ch07.inverse_2x2", "uses linalg_inv")
def inverse_2x2(m):  # noqa: F811
    """calls the banned torch.linalg.inv"""
    if _det(m) == 0:
        raise ValueError("singular")
    return torch.linalg.inv(m)


@wrong("ch07.inverse_2x2", "exactly 0, not below a threshold")
def inverse_2x2(m):  # noqa: F811
    """calls a matrix with a small determinant singular (a threshold, not exactly 0)"""
    det = _det(m)
    if det.abs() < 1e-5:
        raise ValueError("singular")
    return _adjugate(m) / det


@correct("ch07.inverse_2x2")
def inverse_2x2(m):  # noqa: F811
    """adjugate by flip and a sign mask, det checked with torch.all"""
    det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
    if bool(det == 0):
        raise ValueError("the matrix is singular")
    adj = m.flip(0, 1).T * torch.tensor([[1., -1.], [-1., 1.]], dtype=m.dtype, device=m.device)
    return adj / det


# -- gram_schmidt --------------------------------------------------------------------------

@wrong("ch07.gram_schmidt", "not unit length")
def gram_schmidt(a):
    """orthogonalises but never normalises"""
    us = []
    for j in range(a.shape[1]):
        v = a[:, j]
        for u in us:
            v = v - (u @ v) / (u @ u) * u
        us.append(v)
    return torch.stack(us, dim=1)


@wrong("ch07.gram_schmidt", "subtract the projection")
def gram_schmidt(a):  # noqa: F811
    """classical Gram-Schmidt subtracting (a_j . u) u with u not unit length"""
    us = []
    for j in range(a.shape[1]):
        v = a[:, j]
        for u in us:
            v = v - (u @ a[:, j]) * u
        us.append(v)
    u = torch.stack(us, dim=1)
    return u / torch.linalg.vector_norm(u, dim=0)


@wrong("ch07.gram_schmidt", "signs are flipped")
def gram_schmidt(a):  # noqa: F811
    """negates every column"""
    cols = []
    for j in range(a.shape[1]):
        v = a[:, j]
        for q in cols:
            v = v - (q @ v) * q
        cols.append(v / torch.linalg.vector_norm(v))
    return -torch.stack(cols, dim=1)


@wrong("ch07.gram_schmidt", "uses linalg_qr")
def gram_schmidt(a):  # noqa: F811
    """torch.linalg.qr with the signs fixed (banned)"""
    q, r = torch.linalg.qr(a)
    return q * torch.sign(torch.diagonal(r))


@correct("ch07.gram_schmidt")
def gram_schmidt(a):  # noqa: F811
    """classical Gram-Schmidt, all projections from the original column at once"""
    q = a[:, :0]
    for j in range(a.shape[1]):
        v = a[:, j] - q @ (q.T @ a[:, j])
        q = torch.cat([q, (v / torch.linalg.vector_norm(v))[:, None]], dim=1)
    return q


@correct("ch07.gram_schmidt")
def gram_schmidt(a):  # noqa: F811
    """Cholesky-QR: Q = a R^-1 with R^T R = a^T a"""
    lower = torch.linalg.cholesky(a.T @ a)
    return torch.linalg.solve_triangular(lower, a.T, upper=False).T


# -- symmetric_eigenvalues -----------------------------------------------------------------

@wrong("ch07.symmetric_eigenvalues", "descending")
def symmetric_eigenvalues(m):
    """largest first"""
    return torch.linalg.eigvalsh(m).flip(0)


@wrong("ch07.symmetric_eigenvalues", "eigenvalues of a symmetric matrix are real")
def symmetric_eigenvalues(m):  # noqa: F811
    """the general routine: complex eigenvalues"""
    return torch.linalg.eigvals(m)


@wrong("ch07.symmetric_eigenvalues", "singular values")
def symmetric_eigenvalues(m):  # noqa: F811
    """singular values instead of eigenvalues"""
    return torch.linalg.svdvals(m)


@wrong("ch07.symmetric_eigenvalues", "sorted by absolute value")
def symmetric_eigenvalues(m):  # noqa: F811
    """sorts by magnitude"""
    e = torch.linalg.eigvalsh(m)
    return e[e.abs().argsort()]


@correct("ch07.symmetric_eigenvalues")
def symmetric_eigenvalues(m):  # noqa: F811
    """the general routine's real parts, sorted"""
    return torch.linalg.eigvals(m).real.sort().values


@correct("ch07.symmetric_eigenvalues")
def symmetric_eigenvalues(m):  # noqa: F811
    """eigh, eigenvalues only"""
    return torch.linalg.eigh(m).eigenvalues


# -- power_iteration -----------------------------------------------------------------------

def _sign_fix(v):
    return v * torch.sign(v[v.abs().argmax()])


@wrong("ch07.power_iteration", "overflowed or underflowed")
def power_iteration(m, steps):
    """normalises only at the end"""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    for _ in range(steps):
        v = m @ v
    return _sign_fix(v / torch.linalg.vector_norm(v))


@wrong("ch07.power_iteration", "sign is flipped")
def power_iteration(m, steps):  # noqa: F811
    """makes the largest-magnitude entry negative"""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    for _ in range(steps):
        v = m @ v
        v = v / torch.linalg.vector_norm(v)
    return -_sign_fix(v)


@wrong("ch07.power_iteration", "not the first entry")
def power_iteration(m, steps):  # noqa: F811
    """makes the first entry positive"""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    for _ in range(steps):
        v = m @ v
        v = v / torch.linalg.vector_norm(v)
    return v * torch.sign(v[0])


@wrong("ch07.power_iteration", "returned the eigenvalue")
def power_iteration(m, steps):  # noqa: F811
    """returns the Rayleigh quotient"""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    for _ in range(steps):
        v = m @ v
        v = v / torch.linalg.vector_norm(v)
    return v @ m @ v


@wrong("ch07.power_iteration", "largest entry of 1")
def power_iteration(m, steps):  # noqa: F811
    """scales by the largest entry instead of the norm"""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    for _ in range(steps):
        v = m @ v
        v = v / v[v.abs().argmax()]
    return v


@correct("ch07.power_iteration")
def power_iteration(m, steps):  # noqa: F811
    """a random start from its own generator, max-norm scaling per step, unit norm at the end"""
    gen = torch.Generator().manual_seed(0)
    v = torch.randn(m.shape[0], generator=gen, dtype=torch.float64).to(m.device, m.dtype)
    for _ in range(steps):
        v = m @ v
        v = v / v.abs().max()
    v = v / torch.linalg.vector_norm(v)
    return v * torch.sign(v[v.abs().argmax()])


@correct("ch07.power_iteration")
def power_iteration(m, steps):  # noqa: F811
    """the first basis vector plus ones as the start, with a sign fixed per step"""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    v[0] = 2.0
    for _ in range(steps):
        v = m @ v
        v = v / torch.linalg.vector_norm(v)
        v = v * torch.sign(v[v.abs().argmax()])
    return v


# -- low_rank_approx -----------------------------------------------------------------------

@wrong("ch07.low_rank_approx", "k smallest")
def low_rank_approx(m, k):
    """keeps the last k singular values"""
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    r = s.shape[0]
    return (u[:, r - k:] * s[r - k:]) @ vh[r - k:]


@wrong("ch07.low_rank_approx", "singular values are missing")
def low_rank_approx(m, k):  # noqa: F811
    """U_k V_k^T"""
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return u[:, :k] @ vh[:k]


@wrong("ch07.low_rank_approx", "k + 1")
def low_rank_approx(m, k):  # noqa: F811
    """off by one: k + 1 values"""
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return (u[:, :k + 1] * s[:k + 1]) @ vh[:k + 1]


@wrong("ch07.low_rank_approx", "first k rows")
def low_rank_approx(m, k):  # noqa: F811
    """uses Vh as if it were V"""
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vh.T[:k]


@correct("ch07.low_rank_approx")
def low_rank_approx(m, k):  # noqa: F811
    """project the rows on the top-k right singular vectors from eigh of m^T m"""
    _, vecs = torch.linalg.eigh(m.T @ m)
    v = vecs[:, vecs.shape[1] - k:]
    return m @ v @ v.T


@correct("ch07.low_rank_approx")
def low_rank_approx(m, k):  # noqa: F811
    """torch.svd (V, not Vh) and a diagonal matrix"""
    u, s, v = torch.svd(m)
    return u[:, :k] @ torch.diag(s[:k]) @ v[:, :k].T


# -- pca_project ---------------------------------------------------------------------------

def _sign_axes(axes):
    i = axes.abs().argmax(dim=0, keepdim=True)
    return axes * torch.sign(axes.gather(0, i))


@wrong("ch07.pca_project", "centre the columns first")
def pca_project(x, k):
    """no centring"""
    _, _, vh = torch.linalg.svd(x, full_matrices=False)
    return x @ _sign_axes(vh[:k].T)


@wrong("ch07.pca_project", "signs are flipped")
def pca_project(x, k):  # noqa: F811
    """largest loading negative"""
    xc = x - x.mean(0)
    _, _, vh = torch.linalg.svd(xc, full_matrices=False)
    return -(xc @ _sign_axes(vh[:k].T))


@wrong("ch07.pca_project", "smallest variance")
def pca_project(x, k):  # noqa: F811
    """the last k axes of eigh (ascending), not the first"""
    xc = x - x.mean(0)
    _, vecs = torch.linalg.eigh(xc.T @ xc)
    return xc @ _sign_axes(vecs[:, :k])


@wrong("ch07.pca_project", "each row's mean")
def pca_project(x, k):  # noqa: F811
    """centres the rows"""
    xc = x - x.mean(1, keepdim=True)
    _, _, vh = torch.linalg.svd(xc, full_matrices=False)
    return xc @ _sign_axes(vh[:k].T)


@wrong("ch07.pca_project", "left singular vectors")
def pca_project(x, k):  # noqa: F811
    """returns U[:, :k] signed like the axes"""
    xc = x - x.mean(0)
    u, _, vh = torch.linalg.svd(xc, full_matrices=False)
    i = vh[:k].abs().argmax(dim=1)
    return u[:, :k] * torch.sign(vh[:k].gather(1, i[:, None]))[:, 0]


@correct("ch07.pca_project")
def pca_project(x, k):  # noqa: F811
    """eigh of the covariance (divided by N - 1), top k flipped to descending"""
    xc = x - x.mean(dim=0, keepdim=True)
    _, vecs = torch.linalg.eigh(xc.T @ xc / (x.shape[0] - 1))
    axes = vecs.flip(1)[:, :k]
    return xc @ _sign_axes(axes)


@correct("ch07.pca_project")
def pca_project(x, k):  # noqa: F811
    """U S from the SVD, column signs from Vh"""
    xc = x - x.mean(0)
    u, s, vh = torch.linalg.svd(xc, full_matrices=False)
    i = vh[:k].abs().argmax(dim=1, keepdim=True)
    return u[:, :k] * s[:k] * torch.sign(vh[:k].gather(1, i))[:, 0]


# -- explained_variance_ratio --------------------------------------------------------------

@wrong("ch07.explained_variance_ratio", "centre the columns first")
def explained_variance_ratio(x):
    """no centring"""
    s2 = torch.linalg.svdvals(x) ** 2
    return s2 / s2.sum()


@wrong("ch07.explained_variance_ratio", "square the singular values")
def explained_variance_ratio(x):  # noqa: F811
    """s / sum(s)"""
    s = torch.linalg.svdvals(x - x.mean(0))
    return s / s.sum()


@wrong("ch07.explained_variance_ratio", "descending")
def explained_variance_ratio(x):  # noqa: F811
    """ascending, from eigvalsh of the covariance (square data only)"""
    s2 = torch.linalg.svdvals(x - x.mean(0)) ** 2
    return (s2 / s2.sum()).flip(0)


@wrong("ch07.explained_variance_ratio", "expected shape")
def explained_variance_ratio(x):  # noqa: F811
    """eigvalsh of the D x D covariance: D values, also when N < D"""
    xc = x - x.mean(0)
    ev = torch.linalg.eigvalsh(xc.T @ xc).flip(0)
    return ev / ev.sum()


@correct("ch07.explained_variance_ratio")
def explained_variance_ratio(x):  # noqa: F811
    """eigvalsh of the covariance, the top min(N, D), clamped at 0"""
    xc = x - x.mean(0)
    ev = torch.linalg.eigvalsh(xc.T @ xc / (x.shape[0] - 1)).flip(0)[:min(x.shape)]
    ev = ev.clamp_min(0)
    return ev / ev.sum()


# -- rotation_2d ---------------------------------------------------------------------------

@wrong("ch07.rotation_2d", "clockwise")
def rotation_2d(theta):
    """[[cos, sin], [-sin, cos]]"""
    import math
    c, s = math.cos(theta), math.sin(theta)
    return torch.tensor([[c, s], [-s, c]])


@wrong("ch07.rotation_2d", "radians, not degrees")
def rotation_2d(theta):  # noqa: F811
    """converts theta from degrees"""
    import math
    r = math.radians(theta)
    return torch.tensor([[math.cos(r), -math.sin(r)], [math.sin(r), math.cos(r)]])


@wrong("ch07.rotation_2d", "dtype")
def rotation_2d(theta):  # noqa: F811
    """float64"""
    t = torch.tensor(theta, dtype=torch.float64)
    return torch.stack([torch.stack([t.cos(), -t.sin()]), torch.stack([t.sin(), t.cos()])])


@wrong("ch07.rotation_2d", "swapped")
def rotation_2d(theta):  # noqa: F811
    """sin and cos swapped"""
    import math
    c, s = math.cos(theta), math.sin(theta)
    return torch.tensor([[s, -c], [c, s]])


@correct("ch07.rotation_2d")
def rotation_2d(theta):  # noqa: F811
    """computed in float32 from a float32 angle"""
    t = torch.tensor(theta)
    c, s = torch.cos(t), torch.sin(t)
    return torch.stack([c, -s, s, c]).reshape(2, 2)


# -- condition_number ----------------------------------------------------------------------

@wrong("ch07.condition_number", "the inverse")
def condition_number(m):
    """s_min / s_max"""
    s = torch.linalg.svdvals(m)
    return s[-1] / s[0]


@wrong("ch07.condition_number", "ratio of eigenvalues")
def condition_number(m):  # noqa: F811
    """|eigenvalues| instead of singular values"""
    e = torch.linalg.eigvals(m).abs()
    return (e.max() / e.min()).to(m.dtype)


@wrong("ch07.condition_number", "take the square root")
def condition_number(m):  # noqa: F811
    """eigenvalues of m^T m"""
    e = torch.linalg.eigvalsh(m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T)
    return e[-1] / e[0]


@correct("ch07.condition_number")
def condition_number(m):  # noqa: F811
    """torch.linalg.cond"""
    return torch.linalg.cond(m)


@correct("ch07.condition_number")
def condition_number(m):  # noqa: F811
    """the square root of the eigenvalue ratio of the Gram matrix, in float64"""
    g = m.double()
    e = torch.linalg.eigvalsh(g.T @ g if m.shape[0] >= m.shape[1] else g @ g.T)
    return (e[-1] / e[0]).sqrt().to(m.dtype)


@correct("ch07.condition_number")
def condition_number(m):  # noqa: F811
    """the square root of the eigenvalue ratio of the Gram matrix, in m's dtype"""
    e = torch.linalg.eigvalsh(m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T)
    return (e[-1] / e[0]).sqrt()


@correct("ch07.det_2x2")
def det_2x2(m):  # noqa: F811
    """the z component of a cross product (rounded differently: ad - bc may not cancel to 0)"""
    zero = m.new_zeros(1)
    return torch.linalg.cross(torch.cat([m[:, 0], zero]), torch.cat([m[:, 1], zero]))[2]
