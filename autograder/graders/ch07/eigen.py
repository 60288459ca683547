"""ch07 graders of orthogonalisation and eigenvalues: Gram-Schmidt, symmetric eigenvalues and
power iteration."""
import torch

from autograder.checks.compare import show
from autograder.checks.grading import FLOATS
from autograder.graders import grader
from autograder.graders.ch07.calls import dev, qr_q, signed
from autograder.graders.ch07.inputs import orthogonal, reflector, spread, with_singular_values

t = torch.tensor


def _unnormalised_gs(a):
    q = qr_q(a)
    return q * (q * a).sum(0)  # column j times R[j, j] = q_j . a_j


def _gs_raw_projections(a):
    """Classical Gram-Schmidt that subtracts (a_j . u_i) u_i with u_i not unit length."""
    us = []
    for j in range(a.shape[1]):
        v = a[:, j]
        for u in us:
            v = v - (u @ a[:, j]) * u
        us.append(v)
    u = torch.stack(us, dim=1)
    return u / torch.linalg.vector_norm(u, dim=0)


_GS_MISTAKES = {
    "the columns are orthogonal but not unit length: divide each by its norm":
        _unnormalised_gs,
    "subtract the projection (a_j . u) u / (u . u), or normalise u first: projections onto "
    "vectors that are not unit length are too long": _gs_raw_projections,
    "the signs are flipped: out[:, j] . a[:, j] must be positive (R's diagonal positive)":
        lambda a: -qr_q(a),
    "you orthonormalised the rows; the columns are asked for":
        lambda a: qr_q(a.T).T if a.shape[0] == a.shape[1] else None,
}


@grader("ch07.gram_schmidt")
def gram_schmidt(g):
    g.expect("book_example", (dev(g, [[3., 1.], [4., 2.]]),), dev(g, [[0.6, -0.8], [0.8, 0.6]]),
             mistakes=_GS_MISTAKES)
    g.expect("book_example", (dev(g, [[0., -2.], [-1., 0.], [0., 0.]]),),
             dev(g, [[0., -1.], [-1., 0.], [0., 0.]]), mistakes=_GS_MISTAKES)
    one = lambda *args: 1.0  # noqa: E731 (unit columns: their entries' natural size is 1)
    for dtype in FLOATS:
        d, n = sorted(g.dims(2))
        cases = []
        for rows, cols in ((1, 1), (n, d), (n, 1), (d, d)):
            a = with_singular_values(g, rows, cols, spread(g, cols, 1.0, 4.0), dtype)
            cases += [(a,), (g.noncontiguous(a),), (g.transposed_layout(a),)]
        g.against("random_inputs", cases, qr_q, scale=one, mistakes=_GS_MISTAKES)
        a = with_singular_values(g, n, d, spread(g, d, 1.0, 4.0), dtype)
        g.against("magnitudes", [(a * 1e3,), (a * 1e-3,)], qr_q, scale=one,
                  mistakes=_GS_MISTAKES)
    g.banned(with_singular_values(g, 5, 3, spread(g, 3, 1.0, 4.0), torch.float32),
             oracle=qr_q, scale=1.0, mistakes=_GS_MISTAKES)


def _symmetric(g, n: int, eigenvalues, dtype) -> torch.Tensor:
    q = orthogonal(g, n)
    m = (q * torch.as_tensor(eigenvalues, dtype=torch.float64)) @ q.T
    return ((m + m.T) / 2).to(g.device, dtype)  # exactly symmetric after the cast too


_EIG_MISTAKES = {
    "the order is descending; ascending is asked (smallest first)":
        lambda m: torch.linalg.eigvalsh(m).flip(0),
    "those are the singular values (|eigenvalues|, largest first); eigenvalues keep their "
    "sign": torch.linalg.svdvals,
    "sorted by absolute value; sort by the values themselves (negative ones first)":
        lambda m: (lambda e: e[e.abs().argsort()])(torch.linalg.eigvalsh(m)),
}


@grader("ch07.symmetric_eigenvalues")
def symmetric_eigenvalues(g):
    args = (dev(g, [[2., 0.], [0., -3.]]),)
    out = g.call("book_example", *args)
    if out is not None and isinstance(out.value, torch.Tensor) and out.value.is_complex():
        g.check("book_example", False, f"{g.call_text(args)} gave complex values "
                f"{show(out.value)}: torch.linalg.eigvals is for general "
                "matrices; the eigenvalues of a symmetric matrix are real (torch.linalg."
                "eigvalsh gives them, ascending)")
    g.expect("book_example", args, dev(g, [-3., 2.]), outcome=out, mistakes=_EIG_MISTAKES)
    g.expect("book_example", (dev(g, [[2., 1.], [1., 2.]]),), dev(g, [1., 3.]),
             mistakes=_EIG_MISTAKES)
    size = lambda m: m.abs().max()  # noqa: E731 (eigenvalue errors follow |m|, not |lambda|)
    for dtype in FLOATS:
        cases = []
        for n in (1, *g.dims(2, lo=3)):
            m = _symmetric(g, n, g.randn(n, dtype=torch.float64, scale=3.0).cpu(), dtype)
            cases += [(m,), (g.noncontiguous(m),), (g.transposed_layout(m),)]
        g.against("random_inputs", cases, torch.linalg.eigvalsh, scale=size,
                  mistakes=_EIG_MISTAKES)
        n = g.dims(1, lo=5)[0]
        ties = torch.tensor([2., -1., 2., 5., -1.] + [0.5] * (n - 5), dtype=torch.float64)
        hard = [(_symmetric(g, n, ties, dtype),),
                (torch.zeros(n, n, dtype=dtype, device=g.device),),
                (3 * torch.eye(n, dtype=dtype, device=g.device),),
                (_symmetric(g, n, g.randn(n, dtype=torch.float64).cpu() * 1e3, dtype),),
                (_symmetric(g, n, g.randn(n, dtype=torch.float64).cpu() * 1e-3, dtype),)]
        g.against("repeated_and_scaled", hard, torch.linalg.eigvalsh, scale=size,
                  mistakes=_EIG_MISTAKES)


def _dominant(m, steps):
    """The unit eigenvector of the eigenvalue of largest |value| (torch.linalg.eig)."""
    vals, vecs = torch.linalg.eig(m)
    v = vecs[:, vals.abs().argmax()].real
    return signed(v / torch.linalg.vector_norm(v))


def _no_normalising(m, steps):
    """Power iteration that scales v only at the end: m^steps overflows or underflows."""
    v = torch.ones(m.shape[0], dtype=m.dtype, device=m.device)
    for _ in range(steps):
        v = m @ v
    return signed(v / torch.linalg.vector_norm(v))


_POWER_MISTAKES = {
    "the sign is flipped: the entry of largest magnitude must be positive":
        lambda m, s: -_dominant(m, s),
    "the sign rule is: the entry of largest magnitude is positive (not the first entry)":
        lambda m, s: (lambda v: v * torch.sign(v[0]))(_dominant(m, s)),
    "the sign rule is: the entry of largest magnitude is positive (not the sum)":
        lambda m, s: (lambda v: v * torch.sign(v.sum()))(_dominant(m, s)),
    "the vector must have unit length (Euclidean norm 1), not a largest entry of 1":
        lambda m, s: (lambda v: v / v.abs().max())(_dominant(m, s)),
    "you returned the eigenvalue; the eigenvector is asked":
        lambda m, s: (lambda v: v @ m @ v)(_dominant(m, s)),
    "that is the eigenvector of the smallest |eigenvalue|; power iteration finds the largest":
        lambda m, s: (lambda vals, vecs: signed(vecs[:, vals.abs().argmin()].real))(
            *torch.linalg.eig(m)),
    "v overflowed or underflowed: scale v to unit length after every multiplication, not "
    "only at the end": _no_normalising,
}


def _eigen_gap(g, n: int, top: float) -> torch.Tensor:
    """n eigenvalues: ``top`` first, every other one at most 0.3 |top| in size."""
    rest = (torch.rand(n - 1, generator=g.gen, dtype=torch.float64) * 0.6 - 0.3) * abs(top)
    return torch.cat([t([top], dtype=torch.float64), rest])


def _tilted(g, n: int) -> torch.Tensor:
    """An orthogonal (n, n) matrix, n >= 4, whose first column has a positive first entry,
    a positive sum and a negative largest-magnitude entry: the usual wrong sign rules (first
    entry positive, sum positive) give the other sign."""
    v = torch.full((n,), 0.3, dtype=torch.float64)
    v[0], v[n // 2], v[-1] = 0.35, -1.0, 0.9
    rest = torch.block_diag(torch.ones(1, 1, dtype=torch.float64), orthogonal(g, n - 1))
    return reflector(v) @ rest  # first column v / |v|


@grader("ch07.power_iteration")
def power_iteration(g):
    g.expect("book_example", (dev(g, [[2., 0.], [0., -5.]]), 20), dev(g, [0., 1.]),
             mistakes=_POWER_MISTAKES)
    g.expect("book_example", (dev(g, [[2., 1.], [1., 2.]]), 50),
             torch.full((2,), 0.5 ** 0.5, device=g.device), mistakes=_POWER_MISTAKES)
    one = lambda *args: 1.0  # noqa: E731 (a unit vector: its entries' natural size is 1)
    for dtype in FLOATS:
        cases = []
        for n in (1, *g.dims(2, lo=3)):
            top = float(g.uniform(1, lo=2.0, hi=6.0, dtype=torch.float64)) * (-1) ** n
            q = orthogonal(g, n)
            m = ((q * _eigen_gap(g, n, top)) @ q.T).to(g.device, dtype)
            cases += [(m, 60), (g.noncontiguous(m), 60)]
            # not symmetric: m = P diag P^-1 with P well conditioned
            p = with_singular_values(g, n, n, spread(g, n, 1.0, 2.0), torch.float64).cpu()
            m = ((p * _eigen_gap(g, n, -top)) @ torch.linalg.inv(p)).to(g.device, dtype)
            cases.append((g.transposed_layout(m), 60))
        g.against("random_inputs", cases, _dominant, scale=one, mistakes=_POWER_MISTAKES)
        n = g.dims(1, lo=4)[0]
        q = _tilted(g, n)
        sign_case = ((q * _eigen_gap(g, n, 4.0)) @ q.T).to(g.device, dtype)
        g.against("sign_convention", [(sign_case, 60)], _dominant, scale=one,
                  mistakes=_POWER_MISTAKES)
        # 200 steps with |lambda| = 50 overflow, and with |lambda| = 0.01 underflow, unless v
        # is scaled at every step
        big = ((q * _eigen_gap(g, n, 50.0)) @ q.T).to(g.device, dtype)
        small = ((q * _eigen_gap(g, n, -0.01)) @ q.T).to(g.device, dtype)
        g.against("many_steps", [(big, 200), (small, 200)], _dominant, scale=one,
                  mistakes=_POWER_MISTAKES)
