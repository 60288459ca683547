"""Calling the exercise and comparing, with a tolerance computed per case, for ch07."""
import torch


t = torch.tensor


def want_before(g, cases, oracle, scale):
    """The oracle's answer and the scale of every case, computed before any call can touch
    the arguments."""
    cases = [tuple(c) for c in cases]
    wants = [g.oracle64(oracle, *c) for c in cases]
    scales = [0.0 if scale is None else float(g.oracle64(scale, *c)) for c in cases]
    return cases, wants, scales


def against(g, check: str, cases, oracle, scale=None, hint=None, **opts) -> None:
    """``g.against`` with a scale computed per case from the float64 arguments (``scale``:
    a function of the args giving the size of the error a correct route makes, in the
    result's units; see ``compare.close``). ``hint``: a function of the args whose text is
    added when the call raised."""
    cases, wants, scales = want_before(g, cases, oracle, scale)
    if g.impl.batches_calls:
        outs = g.impl.call_many(g.ex.name, [(c, None) for c in cases], trace=g.traced)
    else:
        outs = [g.impl.call(g.ex.name, *c, trace=g.traced) for c in cases]
    for c, w, s, out in zip(cases, wants, scales, outs):
        if hint is not None and out.error and not out.not_implemented:
            g.judged(check, c, out, hint(*c))
            continue
        g.expect(check, c, w, outcome=out, scale=s, **opts)


def dev(g, rows) -> torch.Tensor:
    return t(rows, device=g.device)


def qr_q(a):
    """Q of a = QR with R's diagonal positive, by Cholesky-QR: R^T R = a^T a, Q = a R^-1
    (exact enough in float64 for the well-conditioned inputs graded here)."""
    lower = torch.linalg.cholesky(a.mT @ a)  # R^T
    return torch.linalg.solve_triangular(lower, a.mT, upper=False).mT


def signed(v, dim=0):
    """v with each vector along ``dim`` signed so its largest-magnitude entry is positive."""
    i = v.abs().argmax(dim=dim, keepdim=True)
    return v * torch.sign(v.gather(dim, i))
