"""Wrong and alternative implementations for ch09 (see tests/mutants/__init__.py)."""
import math

import torch
import torch.nn.functional as F

from tests.mutants import correct, wrong

# -- 1. relu -------------------------------------------------------------------------------


@wrong("ch09.relu", "uses relu")
def relu(x):
    """calls the banned torch.relu"""
    return torch.relu(x)


@wrong("ch09.relu", "uses clamp_min")
def relu(x):  # noqa: F811
    """calls the banned torch.clamp_min"""
    return torch.clamp_min(x, 0.0)


@wrong("ch09.relu", "wrong way round")
def relu(x):  # noqa: F811
    """keeps the negatives"""
    return torch.where(x < 0, x, torch.zeros_like(x))


@wrong("ch09.relu", "returned the mask")
def relu(x):  # noqa: F811
    """returns the mask as numbers"""
    return (x > 0).to(x.dtype)


@wrong("ch09.relu", "modified its input")
def relu(x):  # noqa: F811
    """zeroes the negatives in place"""
    x[x < 0] = 0
    return x


@correct("ch09.relu")
def relu(x):  # noqa: F811
    """multiplies by the mask"""
    return x * (x > 0)


@correct("ch09.relu")
def relu(x):  # noqa: F811
    """torch.maximum with 0"""
    return torch.maximum(x, torch.zeros_like(x))


# -- 2. sigmoid ----------------------------------------------------------------------------


@wrong("ch09.sigmoid", "uses sigmoid")
def sigmoid(x):
    """calls the banned torch.sigmoid"""
    return torch.sigmoid(x)


@wrong("ch09.sigmoid", "exponentiate only numbers <= 0")
def sigmoid(x):  # noqa: F811
    """the naive 1 / (1 + exp(-x)): right values, NaN gradient at x = -1000"""
    return 1 / (1 + torch.exp(-x))


@wrong("ch09.sigmoid", "exponentiate only numbers <= 0")
def sigmoid(x):  # noqa: F811
    """where() over both naive branches: right values, but the unused branch overflows and
    its NaN leaks into the gradient"""
    return torch.where(x >= 0, 1 / (1 + torch.exp(-x)), torch.exp(x) / (1 + torch.exp(x)))


@wrong("ch09.sigmoid", "inf / inf is nan")
def sigmoid(x):  # noqa: F811
    """exp(x) / (1 + exp(x)): NaN at x = 1000"""
    return torch.exp(x) / (1 + torch.exp(x))


@wrong("ch09.sigmoid", "sign of the exponent is flipped")
def sigmoid(x):  # noqa: F811
    """1 / (1 + exp(x))"""
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, e / (1 + e), 1 / (1 + e))


@correct("ch09.sigmoid")
def sigmoid(x):  # noqa: F811
    """the stable form with exp(-|x|)"""
    e = torch.exp(-x.abs())
    return torch.where(x >= 0, 1 / (1 + e), e / (1 + e))


@correct("ch09.sigmoid")
def sigmoid(x):  # noqa: F811
    """0.5 * (1 + tanh(x / 2))"""
    return 0.5 * (1 + torch.tanh(x / 2))


@correct("ch09.sigmoid")
def sigmoid(x):  # noqa: F811
    """exp of logsigmoid"""
    return torch.exp(F.logsigmoid(x))


# -- 3. tanh_from_exp ----------------------------------------------------------------------


@wrong("ch09.tanh_from_exp", "uses tanh")
def tanh_from_exp(x):
    """calls the banned torch.tanh"""
    return torch.tanh(x)


@wrong("ch09.tanh_from_exp", "overflows for large |x|")
def tanh_from_exp(x):  # noqa: F811
    """the textbook (e^x - e^-x) / (e^x + e^-x)"""
    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))


@wrong("ch09.tanh_from_exp", "exponentiate only numbers <= 0")
def tanh_from_exp(x):  # noqa: F811
    """2 / (1 + exp(-2x)) - 1: right values, NaN gradient at x = -1000"""
    return 2 / (1 + torch.exp(-2 * x)) - 1


@wrong("ch09.tanh_from_exp", "sign is lost")
def tanh_from_exp(x):  # noqa: F811
    """forgets the sign"""
    e = torch.exp(-2 * x.abs())
    return (1 - e) / (1 + e)


@wrong("ch09.tanh_from_exp", "factor 2 is missing")
def tanh_from_exp(x):  # noqa: F811
    """exp(-|x|) instead of exp(-2|x|)"""
    e = torch.exp(-x.abs())
    return torch.sign(x) * (1 - e) / (1 + e)


@correct("ch09.tanh_from_exp")
def tanh_from_exp(x):  # noqa: F811
    """sign(x) * (1 - exp(-2|x|)) / (1 + exp(-2|x|))"""
    e = torch.exp(-2 * x.abs())
    return torch.sign(x) * (1 - e) / (1 + e)


@correct("ch09.tanh_from_exp")
def tanh_from_exp(x):  # noqa: F811
    """-expm1 form, accurate near 0"""
    m = torch.expm1(-2 * x.abs())
    return torch.sign(x) * (-m / (2 + m))


@correct("ch09.tanh_from_exp")
def tanh_from_exp(x):  # noqa: F811
    """2 sigmoid(2x) - 1 (torch.sigmoid is stable)"""
    return 2 * torch.sigmoid(2 * x) - 1


# -- 4. gelu_tanh --------------------------------------------------------------------------


@wrong("ch09.gelu_tanh", "uses gelu")
def gelu_tanh(x):
    """calls the banned F.gelu"""
    return F.gelu(x, approximate="tanh")


@wrong("ch09.gelu_tanh", "exact gelu")
def gelu_tanh(x):  # noqa: F811
    """the erf GELU written by hand"""
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


@wrong("ch09.gelu_tanh", "not 2 / pi")
def gelu_tanh(x):  # noqa: F811
    """forgets the square root of 2 / pi"""
    return 0.5 * x * (1 + torch.tanh(2 / math.pi * (x + 0.044715 * x ** 3)))


@wrong("ch09.gelu_tanh", "0.044715 * x**3")
def gelu_tanh(x):  # noqa: F811
    """x squared instead of cubed"""
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 2)))


@wrong("ch09.gelu_tanh", "another approximation")
def gelu_tanh(x):  # noqa: F811
    """the sigmoid approximation"""
    return x * torch.sigmoid(1.702 * x)


@correct("ch09.gelu_tanh")
def gelu_tanh(x):  # noqa: F811
    """x * sigmoid(2 u): the same function written with a sigmoid"""
    u = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
    return x * torch.sigmoid(2 * u)


# -- 5. softmax ----------------------------------------------------------------------------


@wrong("ch09.softmax", "uses _softmax, softmax")
def softmax(x, dim):
    """calls the banned torch.softmax"""
    return torch.softmax(x, dim)


@wrong("ch09.softmax", "uses _log_softmax")
def softmax(x, dim):  # noqa: F811
    """exp of the banned log_softmax"""
    return torch.exp(torch.log_softmax(x, dim))


@wrong("ch09.softmax", "subtract each row's largest")
def softmax(x, dim):  # noqa: F811
    """no max shift: exp(1000) = inf"""
    e = torch.exp(x)
    return e / e.sum(dim, keepdim=True)


@wrong("ch09.softmax", "subtract each row's largest")
def softmax(x, dim):  # noqa: F811
    """shifts by the global max: rows far below it underflow to 0 / 0"""
    e = torch.exp(x - x.max())
    return e / e.sum(dim, keepdim=True)


@wrong("ch09.softmax", "wrong axis")
def softmax(x, dim):  # noqa: F811
    """always the last axis"""
    e = torch.exp(x - x.amax(-1, keepdim=True))
    return e / e.sum(-1, keepdim=True)


@wrong("ch09.softmax", "keepdim")
def softmax(x, dim):  # noqa: F811
    """max and sum without keepdim"""
    m = x.amax(dim)
    e = torch.exp(x - m)
    return e / e.sum(dim)


@wrong("ch09.softmax", "python loop")
def softmax(x, dim):  # noqa: F811
    """one slice at a time"""
    xs = x.movedim(dim, -1)
    rows = xs.reshape(-1, xs.shape[-1])
    out = []
    for r in rows:
        e = torch.exp(r - r.max())
        out.append(e / e.sum())
    return torch.stack(out).reshape(xs.shape).movedim(-1, dim)


@correct("ch09.softmax")
def softmax(x, dim):  # noqa: F811
    """exp(x - logsumexp)"""
    return torch.exp(x - torch.logsumexp(x, dim, keepdim=True))


@correct("ch09.softmax")
def softmax(x, dim):  # noqa: F811
    """a detached max, the sum by a reciprocal"""
    e = torch.exp(x - x.max(dim=dim, keepdim=True).values.detach())
    return e * e.sum(dim=dim, keepdim=True).reciprocal()


@correct("ch09.softmax")
def softmax(x, dim):  # noqa: F811
    """computed in float64, cast back"""
    y = x.double()
    e = torch.exp(y - y.amax(dim, keepdim=True))
    return (e / e.sum(dim, keepdim=True)).to(x.dtype)


# -- 6. log_softmax ------------------------------------------------------------------------


@wrong("ch09.log_softmax", "uses _log_softmax")
def log_softmax(x, dim):
    """calls the banned torch.log_softmax"""
    return torch.log_softmax(x, dim)


@wrong("ch09.log_softmax", "uses logsumexp")
def log_softmax(x, dim):  # noqa: F811
    """x minus the banned logsumexp"""
    return x - torch.logsumexp(x, dim, keepdim=True)


@wrong("ch09.log_softmax", "log of a softmax")
def log_softmax(x, dim):  # noqa: F811
    """the log of a stable softmax: -inf at +-1000"""
    e = torch.exp(x - x.amax(dim, keepdim=True))
    return torch.log(e / e.sum(dim, keepdim=True))


@wrong("ch09.log_softmax", "without subtracting the max")
def log_softmax(x, dim):  # noqa: F811
    """no max shift"""
    return x - torch.log(torch.exp(x).sum(dim, keepdim=True))


@wrong("ch09.log_softmax", "lost the max")
def log_softmax(x, dim):  # noqa: F811
    """shifts inside the exp but forgets to subtract the max outside"""
    m = x.amax(dim, keepdim=True)
    return x - torch.log(torch.exp(x - m).sum(dim, keepdim=True))


@correct("ch09.log_softmax")
def log_softmax(x, dim):  # noqa: F811
    """x - (max + log sum exp(x - max)), with max as values of torch.max"""
    m = x.max(dim=dim, keepdim=True).values
    return x - (m + torch.log(torch.exp(x - m).sum(dim, keepdim=True)))


# -- 7. cross_entropy ----------------------------------------------------------------------


def _lse(logits):
    m = logits.amax(1, keepdim=True)
    return m.squeeze(1) + torch.log(torch.exp(logits - m).sum(1))


@wrong("ch09.cross_entropy", "uses _log_softmax, cross_entropy")
def cross_entropy(logits, targets):
    """calls the banned F.cross_entropy"""
    return F.cross_entropy(logits, targets)


@wrong("ch09.cross_entropy", "uses _log_softmax, nll_loss")
def cross_entropy(logits, targets):  # noqa: F811
    """nll_loss of log_softmax"""
    return F.nll_loss(F.log_softmax(logits, 1), targets)


@wrong("ch09.cross_entropy", "mean over the n rows, not the sum")
def cross_entropy(logits, targets):  # noqa: F811
    """sums over the rows"""
    return (_lse(logits) - logits.gather(1, targets[:, None]).squeeze(1)).sum()


@wrong("ch09.cross_entropy", "log of a softmax")
def cross_entropy(logits, targets):  # noqa: F811
    """-log of a (stable) softmax: inf at +-1000"""
    e = torch.exp(logits - logits.amax(1, keepdim=True))
    p = e / e.sum(1, keepdim=True)
    return -torch.log(p[torch.arange(len(targets)), targets]).mean()


@wrong("ch09.cross_entropy", "-logits[target] alone")
def cross_entropy(logits, targets):  # noqa: F811
    """forgets the log-sum-exp"""
    return -logits.gather(1, targets[:, None]).mean()


@wrong("ch09.cross_entropy", "one-hot")
def cross_entropy(logits, targets):  # noqa: F811
    """treats targets as one-hot rows"""
    logp = logits - _lse(logits)[:, None]
    return -(targets * logp).sum(1).mean()


@wrong("ch09.cross_entropy", "python loop")
def cross_entropy(logits, targets):  # noqa: F811
    """one row at a time"""
    total = 0
    for n in range(logits.shape[0]):
        row = logits[n]
        m = row.max()
        total = total + m + torch.log(torch.exp(row - m).sum()) - row[targets[n]]
    return total / logits.shape[0]


@correct("ch09.cross_entropy")
def cross_entropy(logits, targets):  # noqa: F811
    """torch.logsumexp and fancy indexing"""
    N = logits.shape[0]
    picked = logits[torch.arange(N, device=logits.device), targets]
    return (torch.logsumexp(logits, dim=1) - picked).mean()


@correct("ch09.cross_entropy")
def cross_entropy(logits, targets):  # noqa: F811
    """a one-hot mask times a stable log-softmax"""
    logp = logits - _lse(logits)[:, None]
    mask = F.one_hot(targets, logits.shape[1]).to(logits.dtype)
    return -(mask * logp).sum() / logits.shape[0]


# -- 8. binary_cross_entropy_with_logits ---------------------------------------------------


@wrong("ch09.binary_cross_entropy_with_logits", "uses binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(z, y):
    """calls the banned F.binary_cross_entropy_with_logits"""
    return F.binary_cross_entropy_with_logits(z, y)


@wrong("ch09.binary_cross_entropy_with_logits", "uses binary_cross_entropy")
def binary_cross_entropy_with_logits(z, y):  # noqa: F811
    """F.binary_cross_entropy of a sigmoid"""
    return F.binary_cross_entropy(torch.sigmoid(z), y)


@wrong("ch09.binary_cross_entropy_with_logits", "sigmoid then log")
def binary_cross_entropy_with_logits(z, y):  # noqa: F811
    """the likelihood formula: log(0) at |z| = 1000"""
    p = torch.sigmoid(z)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


@wrong("ch09.binary_cross_entropy_with_logits", "mean over all entries, not the sum")
def binary_cross_entropy_with_logits(z, y):  # noqa: F811
    """sums"""
    return (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).sum()


@wrong("ch09.binary_cross_entropy_with_logits", "overflows for large z")
def binary_cross_entropy_with_logits(z, y):  # noqa: F811
    """log(1 + exp(z)) - z y"""
    return (torch.log(1 + torch.exp(z)) - z * y).mean()


@correct("ch09.binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(z, y):  # noqa: F811
    """clamp, abs and log1p"""
    return (z.clamp(min=0) - z * y + torch.log1p(torch.exp(-z.abs()))).mean()


@correct("ch09.binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(z, y):  # noqa: F811
    """softplus(z) - z y"""
    return (F.softplus(z) - z * y).mean()


@correct("ch09.binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(z, y):  # noqa: F811
    """-(y logsigmoid(z) + (1 - y) logsigmoid(-z))"""
    return -(y * F.logsigmoid(z) + (1 - y) * F.logsigmoid(-z)).mean()


# -- 9. mse --------------------------------------------------------------------------------


@wrong("ch09.mse", "uses mse_loss")
def mse(pred, target):
    """calls the banned F.mse_loss"""
    return F.mse_loss(pred, target)


@wrong("ch09.mse", "not their sum")
def mse(pred, target):  # noqa: F811
    """sums"""
    return ((pred - target) ** 2).sum()


@wrong("ch09.mse", "root mean squared error")
def mse(pred, target):  # noqa: F811
    """RMSE"""
    return ((pred - target) ** 2).mean().sqrt()


@wrong("ch09.mse", "mean absolute error")
def mse(pred, target):  # noqa: F811
    """MAE"""
    return (pred - target).abs().mean()


@correct("ch09.mse")
def mse(pred, target):  # noqa: F811
    """a dot product of the flattened differences, divided by the count"""
    d = (pred - target).reshape(-1)
    return d @ d / d.numel()


# -- 10. softmax_jacobian ------------------------------------------------------------------


@wrong("ch09.softmax_jacobian", "signs are swapped")
def softmax_jacobian(p):
    """p p^T - diag(p)"""
    return torch.outer(p, p) - torch.diag(p)


@wrong("ch09.softmax_jacobian", "diag(p) term is missing")
def softmax_jacobian(p):  # noqa: F811
    """-p p^T"""
    return -torch.outer(p, p)


@wrong("ch09.softmax_jacobian", "not the number p . p")
def softmax_jacobian(p):  # noqa: F811
    """p^T p: a number"""
    return torch.diag(p) - p @ p


@wrong("ch09.softmax_jacobian", "subtracted everywhere")
def softmax_jacobian(p):  # noqa: F811
    """the diagonal only"""
    return torch.diag(p * (1 - p))


@correct("ch09.softmax_jacobian")
def softmax_jacobian(p):  # noqa: F811
    """p[i] * (delta_ij - p[j]) by broadcasting"""
    K = p.shape[0]
    eye = torch.eye(K, dtype=p.dtype, device=p.device)
    return p[:, None] * (eye - p[None, :])


# -- 11. label_smoothing_targets -----------------------------------------------------------


@wrong("ch09.label_smoothing_targets", "not 1 - eps")
def label_smoothing_targets(targets, num_classes, eps):
    """1 - eps on the target"""
    oh = F.one_hot(targets, num_classes).float()
    return oh * (1 - eps) + (1 - oh) * eps / num_classes


@wrong("ch09.label_smoothing_targets", "not over the k - 1 others")
def label_smoothing_targets(targets, num_classes, eps):  # noqa: F811
    """eps / (K - 1) off the target"""
    oh = F.one_hot(targets, num_classes).float()
    return oh * (1 - eps) + (1 - oh) * eps / max(num_classes - 1, 1)


@wrong("ch09.label_smoothing_targets", "dtype")
def label_smoothing_targets(targets, num_classes, eps):  # noqa: F811
    """float64 rows"""
    oh = F.one_hot(targets, num_classes).double()
    return oh * (1 - eps) + eps / num_classes


@wrong("ch09.label_smoothing_targets", "eps was ignored")
def label_smoothing_targets(targets, num_classes, eps):  # noqa: F811
    """plain one-hot"""
    return F.one_hot(targets, num_classes).float()


@correct("ch09.label_smoothing_targets")
def label_smoothing_targets(targets, num_classes, eps):  # noqa: F811
    """full of eps / K, then scatter the target's value"""
    N = targets.shape[0]
    out = torch.full((N, num_classes), eps / num_classes, device=targets.device)
    return out.scatter(1, targets[:, None], 1 - eps + eps / num_classes)
