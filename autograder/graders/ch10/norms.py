"""ch10 graders 5-7: layer norm, batch norm and inverted dropout."""
import torch
import torch.nn.functional as F

from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


# -- 5. layer_norm -------------------------------------------------------------------------

def _layer_norm(x, gamma, beta, eps):
    return F.layer_norm(x, x.shape[-1:], gamma, beta, eps)


def _norm(x, gamma, beta, eps, dim=-1, unbiased=False, eps_outside=False, swapped=False):
    mean = x.mean(dim, keepdim=True)
    var = ((x - mean) ** 2).sum(dim, keepdim=True) / (x.shape[dim] - int(unbiased))
    std = var.sqrt() + eps if eps_outside else (var + eps).sqrt()
    xhat = (x - mean) / std
    return xhat * beta + gamma if swapped else xhat * gamma + beta


_LAYER_NORM_MISTAKES = {
    "is eps outside the square root? it is (x - mean) / sqrt(var + eps), not "
    "/ (sqrt(var) + eps)": lambda x, g_, b, e: _norm(x, g_, b, e, eps_outside=True),
    "the variance must be the biased one (divide by C, not C - 1: unbiased=False or "
    "correction=0)": lambda x, g_, b, e: _norm(x, g_, b, e, unbiased=True),
    "you normalised over the wrong dim: the statistics are over the last dim (dim=-1), "
    "one mean and variance per vector": lambda x, g_, b, e: _norm(x, g_, b, e, dim=0),
    "you normalised over the wrong dim (dim=-2): the statistics are over the last dim":
        lambda x, g_, b, e: _norm(x, g_, b, e, dim=-2) if x.dim() > 2 else None,
    "gamma and beta are swapped: gamma scales, beta shifts (xhat * gamma + beta)":
        lambda x, g_, b, e: _norm(x, g_, b, e, swapped=True),
    "you divided by the variance; divide by the standard deviation sqrt(var + eps)":
        lambda x, g_, b, e: (x - x.mean(-1, keepdim=True)) / (
            x.var(-1, keepdim=True, correction=0) + e) * g_ + b,
}


def _spread(g, shape, dim, dtype, scale=1.0):
    """Random values whose biased standard deviation along ``dim`` is 0.5 to 2 times
    ``scale`` and whose mean is about ``scale`` / 2 at most: no row (or column) so nearly
    constant that x - mean loses the digits every route needs, E[x^2] - E[x]^2 included
    (plain noise where ``dim`` has size 1)."""
    z = g.randn(*shape, dtype=torch.float64)
    if shape[dim] > 1:
        z = (z - z.mean(dim, keepdim=True)) / z.std(dim, keepdim=True, correction=0)
    one = list(shape)
    one[dim] = 1
    s = g.uniform(*one, lo=0.5, hi=2.0, dtype=torch.float64)
    m = g.randn(*one, dtype=torch.float64) * 0.5
    return ((z * s + m) * scale).to(dtype)


def _ln_args(g, lead, C, dtype, scale=1.0):
    return (_spread(g, (*lead, C), -1, dtype, scale), g.randn(C, dtype=dtype),
            g.randn(C, dtype=dtype))


@grader("ch10.layer_norm")
def layer_norm(g):
    d = g.device
    g.expect("book_example", (t([[1., 3.]], device=d), t([2., 2.], device=d),
                              t([0., 1.], device=d), 0.0),
             t([[-2., 3.]], device=d), mistakes=_LAYER_NORM_MISTAKES)
    for dtype in FLOATS:
        N, C = g.dims(2)
        B, T, C3 = g.dims(3)
        cases = []
        for lead, c in (((N,), C), ((B, T), C3), ((1,), C), ((N,), 1), ((1, 1), 2)):
            x, gamma, beta = _ln_args(g, lead, c, dtype)
            cases += [(*args, 1e-5) for args in g.layouts(x, gamma, beta)]
        g.against("random_inputs", cases, _layer_norm, mistakes=_LAYER_NORM_MISTAKES)
        # rows with a standard deviation of about 1e-3 against eps = 1e-2: eps dominates
        # the variance, so where it goes shows
        cases = [(*_ln_args(g, lead, c, dtype, scale=1e-3), 1e-2)
                 for lead, c in (((N,), C), ((B, T), C3))]
        g.against("small_variance", cases, _layer_norm, mistakes=_LAYER_NORM_MISTAKES)
    B, T, C = g.dims(3)
    g.gradient((*_ln_args(g, (B, T), C, torch.float64), 1e-5), _layer_norm, wrt=(0, 1, 2))
    g.vectorised(lambda s: (*_ln_args(g, (s, s + 1), s + 2, torch.float32), 1e-5),
                 oracle=_layer_norm)
    g.banned(*_ln_args(g, (B, T), C, torch.float32), 1e-5, oracle=_layer_norm)


# -- 6. batch_norm_train -------------------------------------------------------------------

def _batch_norm(x, gamma, beta, eps):
    # the closed form (F.batch_norm refuses one sample and is slow on CPU in float64)
    var, mean = torch.var_mean(x, dim=0, correction=0)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


_BATCH_NORM_MISTAKES = {
    "these are per-sample (per-row) statistics, as in layer norm: batch norm takes each "
    "feature's mean and variance over the batch (dim=0)":
        lambda x, g_, b, e: _norm(x, g_, b, e, dim=-1),
    "the variance must be the biased one (divide by N, not N - 1: unbiased=False or "
    "correction=0)": lambda x, g_, b, e: _norm(x, g_, b, e, dim=0, unbiased=True),
    "is eps outside the square root? it is (x - mean) / sqrt(var + eps)":
        lambda x, g_, b, e: _norm(x, g_, b, e, dim=0, eps_outside=True),
    "gamma and beta are swapped: gamma scales, beta shifts (xhat * gamma + beta)":
        lambda x, g_, b, e: _norm(x, g_, b, e, dim=0, swapped=True),
}


def _bn_args(g, N, D, dtype, scale=1.0):
    # features of different scales and offsets, as real features are
    return _spread(g, (N, D), 0, dtype, scale), g.randn(D, dtype=dtype), g.randn(D, dtype=dtype)


@grader("ch10.batch_norm_train")
def batch_norm_train(g):
    d = g.device
    g.expect("book_example", (t([[1., 10.], [3., 30.]], device=d), torch.ones(2, device=d),
                              torch.zeros(2, device=d), 0.0),
             t([[-1., -1.], [1., 1.]], device=d), mistakes=_BATCH_NORM_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for N, D in (g.dims(2), g.dims(2), (1, 3), (5, 1), (2, 2)):
            x, gamma, beta = _bn_args(g, N, D, dtype)
            cases += [(*args, 1e-5) for args in g.layouts(x, gamma, beta)]
        g.against("random_inputs", cases, _batch_norm, mistakes=_BATCH_NORM_MISTAKES)
        # features with a standard deviation of about 1e-3 against eps = 1e-2
        N, D = g.dims(2)
        g.against("small_variance", [(*_bn_args(g, N, D, dtype, scale=1e-3), 1e-2)],
                  _batch_norm, mistakes=_BATCH_NORM_MISTAKES)
    N, D = g.dims(2)
    g.gradient((*_bn_args(g, N, D, torch.float64), 1e-5), _batch_norm, wrt=(0, 1, 2))
    g.banned(*_bn_args(g, N, D, torch.float32), 1e-5, oracle=_batch_norm)


# -- 7. inverted_dropout -------------------------------------------------------------------

def _dropout(x, keep, p):
    return x * keep / (1 - p)


_DROPOUT_MISTAKES = {
    "the kept entries are not scaled: inverted dropout divides them by 1 - p, the keep "
    "probability": lambda x, k, p: x * k,
    "you scaled by p; the kept entries are divided by 1 - p (the keep probability)":
        lambda x, k, p: x * k / p,
    "you multiplied by p; the kept entries are divided by 1 - p (the keep probability)":
        lambda x, k, p: x * k * p,
    "you multiplied by 1 - p; the kept entries are divided by 1 - p":
        lambda x, k, p: x * k * (1 - p),
    "the mask is inverted: True in keep_mask means keep the entry":
        lambda x, k, p: x * ~k / (1 - p),
    "the mask is inverted and the scaling is by p: True means keep, and the kept entries "
    "are divided by 1 - p": lambda x, k, p: x * ~k / p,
}


def _keep_mask(g, shape, p):
    keep = g.uniform(*shape, dtype=torch.float64) >= p
    flat = keep.view(-1)
    if flat.numel() >= 2:  # both kinds, so a mask read the wrong way round shows
        flat[0], flat[1] = False, True
    return keep


@grader("ch10.inverted_dropout")
def inverted_dropout(g):
    d = g.device
    g.expect("book_example", (t([1., 2., 3., 4.], device=d),
                              t([True, False, True, True], device=d), 0.75),
             t([4., 0., 12., 16.], device=d), mistakes=_DROPOUT_MISTAKES)
    for dtype in FLOATS:
        N, D = g.dims(2)
        B, T, C = g.dims(3)
        cases = []
        for shape, p in (((N,), 0.25), ((N, D), 0.1), ((B, T, C), 0.8), ((1,), 0.3),
                         ((N, D), 0.0)):
            x = g.randn(*shape, dtype=dtype)
            keep = _keep_mask(g, shape, p) if p else torch.ones(shape, dtype=torch.bool,
                                                                device=d)
            cases += [(*args, p) for args in g.layouts(x, keep)]
        g.against("random_inputs", cases, _dropout, mistakes=_DROPOUT_MISTAKES)
    x = g.randn(N, D)
    g.banned(x, _keep_mask(g, x.shape, 0.4), 0.4, oracle=_dropout)
