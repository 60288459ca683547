"""ch07 graders built on the SVD: low-rank approximation, PCA, explained variance and the
condition number."""
import torch

from autograder.checks.grading import FLOATS
from autograder.graders import grader
from autograder.graders.ch07.calls import dev, signed
from autograder.graders.ch07.inputs import (
    gapped, orthogonal, reflector, spread, with_singular_values)


def _truncated(m, k):
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vh[:k]


def _smallest(m, k):
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    r = s.shape[0]
    return (u[:, r - k:] * s[r - k:]) @ vh[r - k:]


def _low_rank_scale(m, k):
    """s_1 * s_1 / (s_k - s_k+1): the subspace kept moves by eps * s_1 / gap."""
    s = torch.linalg.svdvals(m)
    if k == 0 or k >= s.shape[0]:
        return s[0] if s.numel() else 0.0
    return s[0] * s[0] / (s[k - 1] - s[k])


def _with_vh(m, k):
    """U S Vh^T: Vh (as torch.linalg.svd returns it) used as if it were V."""
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vh.T[:k]


_LOW_RANK_MISTAKES = {
    "you kept the k smallest singular values; keep the k largest": _smallest,
    "nothing was truncated: the result is m itself": lambda m, k: m,
    "you kept k + 1 singular values": lambda m, k: _truncated(m, k + 1),
    "you kept k - 1 singular values": lambda m, k: _truncated(m, max(k - 1, 0)),
    "the singular values are missing: U_k V_k^T must be U_k diag(S_k) V_k^T":
        lambda m, k: (lambda u, s, vh: u[:, :k] @ vh[:k])(*torch.linalg.svd(
            m, full_matrices=False)),
    "torch.linalg.svd returns Vh = V^T: take its first k rows, not columns": _with_vh,
}


@grader("ch07.low_rank_approx")
def low_rank_approx(g):
    g.expect("book_example", (dev(g, [[3., 0.], [0., 1.]]), 1), dev(g, [[3., 0.], [0., 0.]]),
             mistakes=_LOW_RANK_MISTAKES)
    g.expect("book_example", (dev(g, [[1., 1.], [1., 1.], [0., 0.]]), 1),
             dev(g, [[1., 1.], [1., 1.], [0., 0.]]), mistakes=_LOW_RANK_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        cases = []
        for rows, cols in ((1, 1), (n, d), (d, n), (n, 1), (1, d), (d, d)):
            r = min(rows, cols)
            m = with_singular_values(g, rows, cols, gapped(g, r), dtype)
            ks = sorted({0, 1, r, int(torch.randint(r + 1, (1,), generator=g.gen))})
            cases += [(m, k) for k in ks]
            cases += [(g.noncontiguous(m), r // 2), (g.transposed_layout(m), (r + 1) // 2)]
        g.against("random_inputs", cases, _truncated, scale=_low_rank_scale,
                  mistakes=_LOW_RANK_MISTAKES)
        m = with_singular_values(g, n, d, gapped(g, d), dtype)
        g.against("magnitudes", [(m * 1e3, 2), (m * 1e-3, d - 1)], _truncated,
                  scale=_low_rank_scale, mistakes=_LOW_RANK_MISTAKES)


def _axes(x, k):
    """The top-k principal axes (D, k) of x's centred columns by eigh of the covariance, each
    signed so its largest-magnitude loading is positive."""
    xc = x - x.mean(dim=0)
    _, vecs = torch.linalg.eigh(xc.T @ xc)  # ascending
    return signed(vecs.flip(1)[:, :k])


def _pca(x, k):
    return (x - x.mean(dim=0)) @ _axes(x, k)


def _pca_no_centring(x, k):
    _, _, vh = torch.linalg.svd(x, full_matrices=False)
    return x @ signed(vh[:k].T)


def _pca_smallest(x, k):
    xc = x - x.mean(dim=0)
    _, vecs = torch.linalg.eigh(xc.T @ xc)
    return xc @ signed(vecs[:, :k])


def _pca_rows_centred(x, k):
    xc = x - x.mean(dim=1, keepdim=True)
    _, vecs = torch.linalg.eigh(xc.T @ xc)
    return xc @ signed(vecs.flip(1)[:, :k])


_PCA_MISTAKES = {
    "centre the columns first (subtract each feature's mean over the rows): your projection "
    "is of the raw data": _pca_no_centring,
    "you subtracted each row's mean; centre the columns (each feature's mean over the rows)":
        _pca_rows_centred,
    "you projected on the axes of smallest variance; the top-k axes have the largest":
        _pca_smallest,
    "the axes' signs are flipped: each axis is signed so that its largest-magnitude loading "
    "is positive": lambda x, k: -_pca(x, k),
    "the sign rule is: the largest-magnitude loading of each axis is positive (not its first "
    "loading)": lambda x, k: (x - x.mean(dim=0)) @ (lambda a: a * torch.sign(a[:1]))(
        _axes(x, k)),
    "you signed the projected columns; the sign rule is on the axes (loadings)":
        lambda x, k: signed(_pca(x, k)),
    "that is U[:, :k], the left singular vectors; the projection is centred @ axes (= U S)":
        lambda x, k: (lambda p: p / torch.linalg.vector_norm(p, dim=0))(_pca(x, k)),
}


def _pca_scale(x, k):
    """max |x| sqrt(D) (centring rounds on the scale of x, offsets included) plus
    s_1 * s_1 / (smallest gap among the top k + 1 singular values) (how far the axes move)."""
    s = torch.linalg.svdvals(x - x.mean(dim=0))
    top = s[:k + 1]
    gaps = top[:-1] - top[1:]
    gap = gaps.min() if gaps.numel() else s[0]
    return x.abs().max() * x.shape[1] ** 0.5 + s[0] * s[0] / gap


def _pca_data(g, n: int, d: int, dtype, offset: float = 5.0):
    """(n, d) data whose centred part has gapped singular values (n >= 2), plus offsets."""
    r = min(n - 1, d)
    # columns 2.. of the reflection whose first column is ones / sqrt(n) are orthonormal and
    # orthogonal to ones (zero mean); a random rotation of them picks r
    u = reflector(torch.ones(n, dtype=torch.float64))[:, 1:] @ orthogonal(g, n - 1)[:, :r]
    v = orthogonal(g, d)[:, :r]
    x = (u * gapped(g, r)) @ v.T + offset * g.randn(d, dtype=torch.float64).cpu()
    return x.to(g.device, dtype)


@grader("ch07.pca_project")
def pca_project(g):
    g.expect("book_example", (dev(g, [[1., 1.], [3., 1.], [1., 2.], [3., 2.]]), 1),
             dev(g, [[-1.], [1.], [-1.], [1.]]), mistakes=_PCA_MISTAKES)
    g.expect("book_example", (dev(g, [[0., 0.], [1., -2.], [-2., 4.]]), 1),
             dev(g, [[-5.], [-20.], [25.]]) / (3 * 5 ** 0.5), mistakes=_PCA_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        cases = []
        for rows, cols, k in ((n, d, 1), (n, d, d), (n, d, 2), (d, n, d - 1), (n, 1, 1),
                              (2, d, 1)):
            x = _pca_data(g, rows, cols, dtype)
            cases += [(x, k), (g.noncontiguous(x), k)]
        cases.append((g.transposed_layout(_pca_data(g, n, d, dtype)), d - 1))
        g.against("random_inputs", cases, _pca, scale=_pca_scale, mistakes=_PCA_MISTAKES)
        g.against("magnitudes", [(_pca_data(g, n, d, dtype) * 1e3, 2),
                                 (_pca_data(g, n, d, dtype) * 1e-3, 2),
                                 (_pca_data(g, n, d, dtype, offset=100.0), 2)],
                  _pca, scale=_pca_scale, mistakes=_PCA_MISTAKES)


def _evr(x):
    s2 = torch.linalg.svdvals(x - x.mean(dim=0)) ** 2
    return s2 / s2.sum()


def _evr_scale(x):
    """4 |E| / |centred x|_F, E the rounding of centring (eps |x|_max per entry): how far
    s_i^2 / sum s^2 moves when the centred data moves by E."""
    xc = x - x.mean(dim=0)
    return 4 * x.abs().max() * x.numel() ** 0.5 / torch.linalg.matrix_norm(xc)


_EVR_MISTAKES = {
    "centre the columns first (subtract each feature's mean over the rows)":
        lambda x: (lambda s2: s2 / s2.sum())(torch.linalg.svdvals(x) ** 2),
    "square the singular values: the variances are s**2, the ratios s**2 / sum(s**2)":
        lambda x: (lambda s: s / s.sum())(torch.linalg.svdvals(x - x.mean(dim=0))),
    "the order is descending (largest share first)": lambda x: _evr(x).flip(0),
    "those are the variances s**2 / (N - 1); divide by their sum to get ratios":
        lambda x: torch.linalg.svdvals(x - x.mean(dim=0)) ** 2 / max(x.shape[0] - 1, 1),
    "you subtracted each row's mean; centre the columns (each feature's mean over the rows)":
        lambda x: (lambda s2: s2 / s2.sum())(
            torch.linalg.svdvals(x - x.mean(dim=1, keepdim=True)) ** 2),
}


@grader("ch07.explained_variance_ratio")
def explained_variance_ratio(g):
    g.expect("book_example", (dev(g, [[1., 1.], [3., 1.], [1., 2.], [3., 2.]]),),
             dev(g, [0.8, 0.2]), mistakes=_EVR_MISTAKES)
    g.expect("book_example", (dev(g, [[1., 5., 2.], [3., 5., 0.]]),), dev(g, [1., 0.]),
             mistakes=_EVR_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        cases = []
        for rows, cols in ((n, d), (d, n), (d, d), (n, 1), (2, d), (2, 1)):
            spread = g.uniform(cols, lo=0.3, hi=3.0, dtype=torch.float64).cpu()
            x = (g.randn(rows, cols, dtype=torch.float64).cpu() * spread
                 + 5 * g.randn(cols, dtype=torch.float64).cpu()).to(g.device, dtype)
            cases += [(x,), (g.noncontiguous(x),), (g.transposed_layout(x),)]
        g.against("random_inputs", cases, _evr, scale=_evr_scale, mistakes=_EVR_MISTAKES)
        x = g.randn(n, d, dtype=dtype)
        x[:, 1] = 7.0  # a constant column: no variance along it
        g.against("hard_inputs", [(x,), (x * 1e3,), (x * 1e-3,), (x + 100.0,)], _evr,
                  scale=_evr_scale, mistakes=_EVR_MISTAKES)


def _condition(m):
    s = torch.linalg.svdvals(m)
    return s[0] / s[-1]


def _cond_scale(m):
    """cond^3: s_min is known to eps * s_max, so cond to eps * cond^2 by an SVD; a route
    through the eigenvalues of m^T m squares the condition number once more."""
    return _condition(m) ** 3


_COND_MISTAKES = {
    "that is s_min / s_max, the inverse; the condition number is s_max / s_min >= 1":
        lambda m: 1 / _condition(m),
    "that is a ratio of eigenvalues; the condition number uses singular values":
        lambda m: (lambda e: e.max() / e.min())(torch.linalg.eigvals(m).abs()),
    "that is s_max^2 / s_min^2 (eigenvalues of m^T m); take the square root":
        lambda m: _condition(m) ** 2,
    "that is the Frobenius-norm condition number |m|_F |m^-1|_F; use singular values":
        lambda m: torch.linalg.matrix_norm(m) * torch.linalg.matrix_norm(torch.linalg.inv(m)),
}


@grader("ch07.condition_number")
def condition_number(g):
    g.expect("book_example", (dev(g, [[2., 0.], [0., 0.5]]),), dev(g, 4.), mistakes=_COND_MISTAKES)
    g.expect("book_example", (dev(g, [[0., 3.], [-1., 0.], [0., 0.]]),), dev(g, 3.),
             mistakes=_COND_MISTAKES)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2, lo=3))
        worst = 50.0 if dtype == torch.float32 else 1e5
        cases = []
        for rows, cols in ((1, 1), (n, n), (d, d), (n, d), (d, n), (1, d)):
            r = min(rows, cols)
            m = with_singular_values(g, rows, cols, spread(g, r, 1.0, 8.0), dtype)
            cases += [(m,), (g.noncontiguous(m),), (g.transposed_layout(m),)]
        for rows, cols in ((n, n), (n, d)):
            m = with_singular_values(g, rows, cols, spread(g, min(rows, cols), 1.0, worst),
                                     dtype)
            cases += [(m,), (m * 1e3,), (m * 1e-3,)]
        cases.append((3 * orthogonal(g, d).to(g.device, dtype),))
        g.against("random_inputs", cases, _condition, scale=_cond_scale,
                  mistakes=_COND_MISTAKES)
