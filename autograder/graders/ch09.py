"""Hidden graders for ch09 - Activations and losses.

Oracles are torch's own functions in float64, never solutions/: ``torch.relu``,
``torch.sigmoid``, ``torch.tanh``, ``F.gelu(approximate="tanh")``, ``torch.softmax``,
``torch.log_softmax``, ``F.cross_entropy``, ``F.binary_cross_entropy_with_logits``,
``F.mse_loss``, a closed form (``diag_embed`` minus a broadcast product) for the softmax
Jacobian and ``F.one_hot`` for the smoothed targets. Gradients are compared with autograd
through those same functions.

Every grader runs the docstring example, random inputs of both float dtypes with every
dimension a different size (1 included), a non-contiguous layout and the catalog marks. The
exercises whose catalog line says "stable" or names magnitudes are graded AT those
magnitudes in float32 (+-1000, and the float32 overflow edge of exp, about 88.7): the value
with ``g.large_scores`` / ``g.expect(exponent=)``, the gradient with ``g.gradient`` in float64
at the same inputs plus ``_large_gradient`` in float32, which also says what produced an
inf or NaN there (an exp of a large positive number).

``mistakes`` map a message to a wrong oracle: the same computation with one typical mistake
(no max shift, a log of a softmax, a sum instead of a mean, the erf GELU, ...). When a
student's result matches one, that message is the feedback.
"""
import math

import torch
import torch.nn.functional as F

from autograder.checks.compare import close, first_difference, tolerance
from autograder.checks.grading import FLOATS
from autograder.graders import grader
from autograder.runner import vjp

t = torch.tensor
INF = float("inf")
BIG = 1000.0


# -- shared helpers ------------------------------------------------------------------------

def _values_passed(g) -> bool:
    """Whether every value check so far passed (a wrong forward has a wrong gradient too)."""
    return not g.report.failures


def _shapes(g):
    """Shapes with every size different, sizes of 1 and a single entry (1,)."""
    B, N, D = g.dims(3)
    return [(1,), (N,), (N, D), (1, D), (N, 1), (B, N, D)]


def _magnitudes(g, dtype=torch.float32) -> torch.Tensor:
    """A 1-D input that reaches +-1000, the float32 overflow edge of exp (88.72) and values
    in between, plus a few ordinary ones (never an exact 0: gradients there are a
    subgradient choice)."""
    big = t([BIG, 999.5, 500.0, 100.0, 89.5, 88.0, 50.0, 20.0, 9.0], dtype=torch.float64)
    x = torch.cat([big, -big, g.randn(7, dtype=torch.float64, scale=2.0)])
    x = x[torch.randperm(x.numel(), generator=g.gen)]
    return x.to(g.device, dtype)


def _large_gradient(g, args: tuple, oracle, wrt: tuple[int, ...] = (0,), what: str = "",
                    hint: str = "", exponent: float = BIG) -> None:
    """The gradient at large inputs in float32: finite, and close to autograd's through
    torch's own function (computed in float64). ``what`` describes the inputs; ``hint`` is
    the likely cause of an inf or NaN gradient; ``exponent`` the magnitude that passes
    through an exp (the tolerance grows with it, as for the values)."""
    if not _values_passed(g):
        return
    leaves = [a.detach().double().requires_grad_(True) if i in wrt else a
              for i, a in enumerate(args)]
    ref = oracle(*leaves)
    g_out = torch.randn(ref.shape, generator=g.gen, dtype=torch.float64).to(ref.device)
    want = vjp([ref], [leaves[i] for i in wrt], [g_out])
    out = g.call("gradient_large_inputs", *args, grad_wrt=wrt, grad_out=g_out.float())
    if out is None:
        return
    if out.grad_error:
        g.check("gradient_large_inputs", False, f"{g.ex.name}: {out.grad_error}")
        return
    scale = max(float(w.abs().max()) for w in want if w is not None and w.numel())
    for i, got, w in zip(wrt, out.grads, want):
        w = torch.zeros_like(leaves[i]) if w is None else w.detach()
        if not bool(got.isfinite().all()):
            g.check("gradient_large_inputs", False,
                    f"{g.ex.name} in float32 with {what}: the gradient with respect to "
                    f"argument {i} has inf or NaN {first_difference(got, w)}, where it is "
                    f"finite{hint}")
            return
        if not close(got, w, *tolerance(torch.float32, exponent=exponent), scale):
            g.check("gradient_large_inputs", False,
                    f"{g.ex.name} in float32 with {what}: the gradient with respect to "
                    f"argument {i} is wrong {first_difference(got, w)}")
            return
    g.check("gradient_large_inputs", True)


def _gradients(g, ordinary: tuple, large: tuple, oracle, wrt: tuple[int, ...] = (0,),
               what: str = "", hint: str = "") -> None:
    """**grad** once the values are right: ``g.gradient`` in float64 on ordinary inputs,
    then at the large inputs ``large`` (float32 args): in float32 with a message naming an
    overflow (``_large_gradient``), and in float64 with ``g.gradient``."""
    if not _values_passed(g):
        return
    g.gradient(ordinary, oracle, wrt=wrt)
    _large_gradient(g, large, oracle, wrt=wrt, what=what, hint=hint)
    if _values_passed(g):
        g.gradient(tuple(a.double() if isinstance(a, torch.Tensor) and a.is_floating_point()
                         else a for a in large), oracle, wrt=wrt)


_OVERFLOW = (": exp of a large positive number overflows (float32 already at 88.7) and "
             "autograd then multiplies inf by 0; exponentiate only numbers <= 0 (exp(-|x|))")


def _elementwise(g, oracle, mistakes, scale: float = 2.0, through=None):
    """Random inputs of every shape, both dtypes and both layouts. ``through(x)``: the
    magnitude of the values the computation passes through (``compare.close``'s scale),
    where a correct route's rounding can be far larger than a tiny result (1 + tanh(u)
    cancelling for x << 0)."""
    for dtype in FLOATS:
        for shape in _shapes(g):
            x = g.randn(*shape, dtype=dtype, scale=scale)
            g.against("random_inputs", g.layouts(x), oracle, mistakes=mistakes,
                      scale=through(x) if through else 0.0)


def _max_abs(x) -> float:
    return float(x.abs().max()) if x.numel() else 0.0


def _grad_sample(g, dtype=torch.float64, scale: float = 2.0):
    N, D = g.dims(2)
    return g.randn(N, D, dtype=dtype, scale=scale)


# -- 1. relu -------------------------------------------------------------------------------

_RELU_MISTAKES = {
    "the comparison is the wrong way round: keep x where x > 0, 0 elsewhere":
        lambda x: torch.where(x < 0, x, 0.0),
    "relu is max(x, 0), not |x|": lambda x: x.abs(),
    "you returned the mask (x > 0) as numbers; keep the values of x where x > 0":
        lambda x: (x > 0).to(x.dtype),
}


@grader("ch09.relu")
def relu(g):
    d = g.device
    g.expect("book_example", (t([-2., 0., 3.], device=d),), t([0., 0., 3.], device=d),
             exact=True, mistakes=_RELU_MISTAKES)
    _elementwise(g, torch.relu, _RELU_MISTAKES)
    for dtype in FLOATS:  # exact zeros of both signs, and tiny magnitudes
        x = t([0.0, -0.0, 1e-30, -1e-30, 5.0, -5.0], dtype=dtype, device=d)
        g.expect("zeros_and_tiny", (x,), torch.relu(x), exact=True, mistakes=_RELU_MISTAKES)
    if _values_passed(g):  # randn never draws an exact 0, where either subgradient is fine
        g.gradient((_grad_sample(g),), torch.relu, wrt=(0,))
    g.banned(g.randn(4, 5), oracle=torch.relu)


# -- 2. sigmoid ----------------------------------------------------------------------------

_SIGMOID_MISTAKES = {
    "the sign of the exponent is flipped: sigmoid(x) = 1 / (1 + exp(-x))":
        lambda x: 1 / (1 + torch.exp(x)),
    "exp(x) / (1 + exp(x)) overflows for large positive x (inf / inf is NaN): use it only "
    "for x < 0, and 1 / (1 + exp(-x)) for x >= 0":
        lambda x: torch.exp(x) / (1 + torch.exp(x)),
    "sigmoid(x) = 0.5 * (1 + tanh(x / 2)): the x / 2 is missing":
        lambda x: 0.5 * (1 + torch.tanh(x)),
    "the 1 + is missing: sigmoid(x) = 1 / (1 + exp(-x))": lambda x: torch.exp(x),
}


@grader("ch09.sigmoid")
def sigmoid(g):
    d = g.device
    g.expect("book_example", (t([0., BIG, -BIG], device=d),), t([0.5, 1., 0.], device=d),
             mistakes=_SIGMOID_MISTAKES)
    # values pass through 1 + exp(-|x|), of order 1: 0.5 (1 + tanh(x / 2)) is right too
    _elementwise(g, torch.sigmoid, _SIGMOID_MISTAKES, scale=3.0, through=lambda x: 1.0)
    for dtype in FLOATS:  # |x| up to 1000 and the float32 overflow edge of exp
        x = _magnitudes(g, dtype)
        g.expect("large_inputs", (x,), g.oracle64(torch.sigmoid, x), mistakes=_SIGMOID_MISTAKES)
    _gradients(g, (_grad_sample(g, scale=3.0),), (_magnitudes(g),), torch.sigmoid,
               what="inputs up to |x| = 1000", hint=_OVERFLOW)
    g.banned(g.randn(4, 5, scale=3.0), oracle=torch.sigmoid)


# -- 3. tanh_from_exp ----------------------------------------------------------------------

def _tanh_naive(x):
    return (torch.exp(x) - torch.exp(-x)) / (torch.exp(x) + torch.exp(-x))


_TANH_MISTAKES = {
    "(e^x - e^-x) / (e^x + e^-x) overflows for large |x| (inf / inf is NaN): use "
    "tanh(|x|) = (1 - exp(-2|x|)) / (1 + exp(-2|x|)) and the sign of x": _tanh_naive,
    "the sign is lost for negative x: tanh is odd, tanh(-x) = -tanh(x)":
        lambda x: (1 - torch.exp(-2 * x.abs())) / (1 + torch.exp(-2 * x.abs())),
    "the factor 2 is missing: tanh(x) = (1 - exp(-2x)) / (1 + exp(-2x)); with exp(-x) you "
    "get tanh(x / 2)": lambda x: torch.tanh(x / 2),
    "tanh(x) = 2 sigmoid(2x) - 1, not sigmoid(x)": torch.sigmoid,
}


@grader("ch09.tanh_from_exp")
def tanh_from_exp(g):
    d = g.device
    g.expect("book_example", (t([0., BIG, -BIG], device=d),), t([0., 1., -1.], device=d),
             mistakes=_TANH_MISTAKES)
    _elementwise(g, torch.tanh, _TANH_MISTAKES, through=lambda x: 1.0)  # 1 - exp(-2|x|)
    for dtype in FLOATS:
        x = _magnitudes(g, dtype)
        g.expect("large_inputs", (x,), g.oracle64(torch.tanh, x), mistakes=_TANH_MISTAKES)
    _gradients(g, (_grad_sample(g),), (_magnitudes(g),), torch.tanh,
               what="inputs up to |x| = 1000", hint=_OVERFLOW)
    g.banned(g.randn(4, 5, scale=2.0), oracle=torch.tanh)


# -- 4. gelu_tanh --------------------------------------------------------------------------

def _gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


def _gelu_variant(c=math.sqrt(2 / math.pi), a=0.044715, power=3):
    return lambda x: 0.5 * x * (1 + torch.tanh(c * (x + a * x ** power)))


_GELU_MISTAKES = {
    "this is the exact GELU x * Phi(x) (with erf); the exercise wants GPT-2's tanh "
    "approximation 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))": F.gelu,
    "the constant is sqrt(2 / pi) = 0.79788, not 2 / pi": _gelu_variant(c=2 / math.pi),
    "the constant is sqrt(2 / pi) = 0.79788, not sqrt(2 * pi)":
        _gelu_variant(c=math.sqrt(2 * math.pi)),
    "the cubic term is 0.044715 * x**3": _gelu_variant(power=2),
    "the cubic term 0.044715 * x**3 is missing": _gelu_variant(a=0.0),
    "x * sigmoid(1.702 x) is another approximation; the exercise wants the tanh one":
        lambda x: x * torch.sigmoid(1.702 * x),
    "the leading 0.5 is missing: 0.5 * x * (1 + tanh(...))": lambda x: 2 * _gelu_tanh(x),
}


@grader("ch09.gelu_tanh")
def gelu_tanh(g):
    d = g.device
    g.expect("book_example", (t([0., 1., -1.], device=d),),
             t([0., 0.8411920, -0.1588080], device=d), mistakes=_GELU_MISTAKES)
    _elementwise(g, _gelu_tanh, _GELU_MISTAKES, through=_max_abs)  # x * (1 + tanh(u))
    for dtype in FLOATS:  # where the tanh and erf forms differ most (|x| about 2 to 3)
        x = t([-3., -2.5, -2., -1.5, 1.5, 2., 2.5, 3., 0.5, -0.5], dtype=dtype, device=d)
        g.expect("tanh_approximation", (x,), g.oracle64(_gelu_tanh, x),
                 mistakes=_GELU_MISTAKES)
    if _values_passed(g):
        g.gradient((_grad_sample(g),), _gelu_tanh, wrt=(0,))
    g.banned(g.randn(4, 5, scale=2.0), oracle=_gelu_tanh)


# -- 5. softmax ----------------------------------------------------------------------------

def _softmax_keepdim_forgotten(x, dim):
    m = x.amax(dim)
    e = torch.exp(x - m)
    return e / e.sum(dim)


_KEEPDIM = ("the max or the sum over dim lost its axis: take them with keepdim=True so they "
            "broadcast back along dim")
_DIM_HINT = ("a shape error like this usually means a max or sum over dim taken without "
             "keepdim=True (it then broadcasts along the wrong axis)")


def _other_dim(x, dim):
    return None if x.dim() < 2 else (dim + 1) % x.dim()


_SOFTMAX_MISTAKES = {
    "the softmax is over the wrong axis: every slice along `dim` must sum to 1":
        lambda x, dim: torch.softmax(x, _other_dim(x, dim)) if x.dim() > 1 else None,
    "the sum runs over every entry: normalise along `dim` only (sum(dim=dim, keepdim=True))":
        lambda x, dim: torch.exp(x) / torch.exp(x).sum(),
    _KEEPDIM: _softmax_keepdim_forgotten,
    "is the exp missing? softmax = exp(x) / sum(exp(x))":
        lambda x, dim: x / x.sum(dim, keepdim=True),
}


def _softmax_cases(g, dtype):
    B, N, D = g.dims(3)
    x3 = g.randn(B, N, D, dtype=dtype, scale=2.0)
    cases = [(x3, d) for d in (0, 1, 2, -1, -2)]
    x2 = g.randn(N, D, dtype=dtype, scale=2.0)
    cases += [(x2, 1), (x2, 0), (g.randn(D, dtype=dtype), 0), (g.randn(1, D, dtype=dtype), -1),
              (g.randn(N, 1, dtype=dtype), 1), (g.randn(D, D, dtype=dtype, scale=2.0), -1)]
    xi = g.randn(N, D, dtype=dtype, scale=2.0)  # -inf entries (never a whole row)
    xi[g.uniform(N, D) < 0.3] = -INF
    xi[:, 0] = g.randn(N, dtype=dtype)
    cases += [(xi, 1), (xi.T.contiguous(), 0)]
    for x, dim in cases:
        yield x, dim
        yield g.noncontiguous(x), dim


def _large_rows(g, N, K, dtype):
    """(N, K) scores of +-1000: mixed rows, a row at -1000 only, a row at +1000 only."""
    s = torch.where(g.uniform(N, K) < 0.5, -BIG, BIG) + g.uniform(N, K, lo=-1.0, hi=1.0)
    s[0] = -BIG + g.uniform(K, lo=-1.0, hi=1.0)  # every entry of this row at about -1000
    s[1] = BIG + g.uniform(K, lo=-1.0, hi=1.0)
    return s.to(g.device, dtype)


@grader("ch09.softmax")
def softmax(g):
    d = g.device
    for dtype in FLOATS:
        g.expect("book_example", (t([[BIG, BIG], [0., -INF]], dtype=dtype, device=d), 1),
                 t([[0.5, 0.5], [1., 0.]], dtype=dtype, device=d), exponent=BIG,
                 mistakes=_SOFTMAX_MISTAKES)
    for dtype in FLOATS:
        g.against("random_inputs", _softmax_cases(g, dtype), torch.softmax, hint=_DIM_HINT,
                  mistakes=_SOFTMAX_MISTAKES)
    for dtype in FLOATS:  # +-1000, along the last axis and along the first
        N, K = g.dims(2, 3, 8)
        s = _large_rows(g, N, K, dtype)
        s[2, 0] = -INF
        g.large_scores((s, -1), torch.softmax, exponent=BIG + 1, mistakes=_SOFTMAX_MISTAKES)
        g.large_scores((s.T.contiguous(), 0), torch.softmax, exponent=BIG + 1,
                       mistakes=_SOFTMAX_MISTAKES)
    _gradients(g, (g.randn(*g.dims(3), dtype=torch.float64, scale=2.0), 1),
               (_large_rows(g, 4, 5, torch.float32), -1), torch.softmax,
               what="scores of +-1000",
               hint=": exp overflows there; subtract the max along dim before exp")
    g.vectorised(lambda s: (g.randn(s, s + 1, s + 2, dtype=torch.float32), 1),
                 oracle=torch.softmax)
    g.banned(g.randn(3, 5), -1, oracle=torch.softmax)


# -- 6. log_softmax ------------------------------------------------------------------------

_LOG_OF_SOFTMAX = ("the log of a softmax is log(0) = -inf where a probability underflows "
                   "(scores of +-1000): compute x - max - log(sum(exp(x - max))) instead")
_LOG_SOFTMAX_MISTAKES = {
    _LOG_OF_SOFTMAX: lambda x, dim: torch.log(torch.softmax(x, dim)),
    "exp without subtracting the max overflows (exp(1000) = inf): compute "
    "x - max - log(sum(exp(x - max)))":
        lambda x, dim: x - torch.log(torch.exp(x).sum(dim, keepdim=True)),
    "the log-sum-exp lost the max: log(sum(exp(x))) = max + log(sum(exp(x - max))), so "
    "x - max - log(sum(exp(x - max)))":
        lambda x, dim: x - torch.log(torch.exp(x - x.amax(dim, keepdim=True)).sum(
            dim, keepdim=True)),
    "the log-softmax is over the wrong axis: exp of every slice along `dim` must sum to 1":
        lambda x, dim: torch.log_softmax(x, _other_dim(x, dim)) if x.dim() > 1 else None,
    "this is the softmax; the exercise wants its log": torch.softmax,
    "is the log-sum-exp missing? x - max alone is not normalised":
        lambda x, dim: x - x.amax(dim, keepdim=True),
}


@grader("ch09.log_softmax")
def log_softmax(g):
    d = g.device
    g.expect("book_example", (t([[0., 0.], [BIG, -BIG]], device=d), 1),
             t([[-0.6931472, -0.6931472], [0., -2000.]], device=d), exponent=BIG,
             mistakes=_LOG_SOFTMAX_MISTAKES)
    for dtype in FLOATS:
        g.against("random_inputs", _softmax_cases(g, dtype), torch.log_softmax, hint=_DIM_HINT,
                  mistakes=_LOG_SOFTMAX_MISTAKES)
    for dtype in FLOATS:
        N, K = g.dims(2, 3, 8)
        s = _large_rows(g, N, K, dtype)
        for args in ((s, -1), (s.T.contiguous(), 0)):
            g.expect("large_scores", args, g.oracle64(torch.log_softmax, *args),
                     exponent=BIG + 1, mistakes=_LOG_SOFTMAX_MISTAKES)
    _gradients(g, (g.randn(*g.dims(3), dtype=torch.float64, scale=2.0), -2),
               (_large_rows(g, 4, 5, torch.float32), 1), torch.log_softmax,
               what="scores of +-1000", hint=": " + _LOG_OF_SOFTMAX)
    g.banned(g.randn(3, 5), -1, oracle=torch.log_softmax)


# -- 7. cross_entropy ----------------------------------------------------------------------

def _picked(logp, targets):
    return logp.gather(1, targets[:, None]).squeeze(1)


def _ce_variant(logp=lambda l: torch.log_softmax(l, 1), reduce="mean"):
    def wrong(logits, targets):
        losses = -_picked(logp(logits), targets)
        return losses.sum() if reduce == "sum" else losses.mean()
    return wrong


def _one_hot_mistake(logits, targets):
    """targets used as if they were one-hot rows (broadcast along the classes)."""
    N, K = logits.shape
    if N != K:
        return None
    return -(targets.to(logits.dtype) * torch.log_softmax(logits, 1)).sum(1).mean()


_CE_MISTAKES = {
    "the loss is the MEAN over the N rows, not the sum": _ce_variant(reduce="sum"),
    "the log of a softmax is log(0) = -inf where a probability underflows (logits of "
    "+-1000): use logsumexp(row) - row[target], with the max taken out of the exp":
        _ce_variant(logp=lambda l: torch.log(torch.softmax(l, 1))),
    "-logits[target] alone is not the loss: subtract it from the row's log-sum-exp":
        _ce_variant(logp=lambda l: l),
    "exp without subtracting the max overflows (exp(1000) = inf): logsumexp(row) = max + "
    "log(sum(exp(row - max)))":
        _ce_variant(logp=lambda l: l - torch.log(torch.exp(l).sum(1, keepdim=True))),
    "the softmax is over the wrong axis: normalise each row (dim 1, the K classes)":
        _ce_variant(logp=lambda l: torch.log_softmax(l, 0)),
    "targets are class indices, not one-hot rows: pick logp[n, targets[n]] (gather or "
    "logp[torch.arange(N), targets])": _one_hot_mistake,
    "the mean is over the N rows only, not over all N * K entries":
        lambda l, tg: F.cross_entropy(l, tg) / l.shape[1],
}


def _ce_args(g, N, K, dtype=torch.float32, scale=2.0):
    return g.randn(N, K, dtype=dtype, scale=scale), g.randint(K, N)


@grader("ch09.cross_entropy")
def cross_entropy(g):
    d = g.device
    g.expect("book_example", (t([[0., 0.], [BIG, -BIG]], device=d), t([0, 1], device=d)),
             t(1000.3466, device=d), exponent=BIG, mistakes=_CE_MISTAKES)
    hint = ("logits is (N, K) and targets (N,) class indices; a shape error here often means "
            "targets were used as one-hot rows or a max/sum lost its axis (keepdim=True)")
    for dtype in FLOATS:
        N, K = g.dims(2)
        cases = [_ce_args(g, N, K, dtype), _ce_args(g, K, N, dtype), _ce_args(g, 1, K, dtype),
                 _ce_args(g, N, 1, dtype), _ce_args(g, N, N, dtype)]
        logits, targets = _ce_args(g, N, K, dtype)
        targets = torch.full_like(targets, K - 1)  # every row the same, last class
        cases.append((logits, targets))
        layouts = [args for logits, targets in cases for args in (
            (logits, targets), (g.noncontiguous(logits), g.noncontiguous(targets)),
            (g.transposed_layout(logits), targets))]
        # logsumexp(row) - row[target] cancels for a confident row: the scale is that of
        # the logits
        g.against("random_inputs", layouts, F.cross_entropy, hint=hint, mistakes=_CE_MISTAKES,
                  scale=lambda logits, targets: _max_abs(logits))
    for dtype in FLOATS:  # logits of +-1000, targets on both +1000 and -1000 entries
        N, K = g.dims(2, 3, 8)
        logits = _large_rows(g, N, K, dtype)
        targets = g.randint(K, N)
        g.expect("large_scores", (logits, targets),
                 g.oracle64(F.cross_entropy, logits, targets), exponent=BIG + 1,
                 scale=_max_abs(logits), mistakes=_CE_MISTAKES)
    _gradients(g, _ce_args(g, *g.dims(2), dtype=torch.float64),
               (_large_rows(g, 5, 4, torch.float32), g.randint(4, 5)), F.cross_entropy,
               what="logits of +-1000",
               hint=": is it the log of a softmax (log(0) = -inf) or an exp without the max "
                    "subtracted?")
    g.vectorised(lambda s: _ce_args(g, s, s + 2), oracle=F.cross_entropy)
    g.banned(*_ce_args(g, 4, 3), oracle=F.cross_entropy)


# -- 8. binary_cross_entropy_with_logits ---------------------------------------------------

def _bce_naive(z, y):
    p = 1 / (1 + torch.exp(-z))
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


_BCE_MISTAKES = {
    "the loss is the MEAN over all entries, not the sum":
        lambda z, y: F.binary_cross_entropy_with_logits(z, y, reduction="sum"),
    "sigmoid then log gives log(0) = -inf (and 0 * -inf = NaN) for large |z|: use "
    "max(z, 0) - z * y + log(1 + exp(-|z|))": _bce_naive,
    "log(1 + exp(z)) - z * y overflows for large z (exp(1000) = inf): use "
    "max(z, 0) - z * y + log(1 + exp(-|z|))":
        lambda z, y: (torch.log(1 + torch.exp(z)) - z * y).mean(),
    "the max(z, 0) term is missing: log(1 + exp(z)) = max(z, 0) + log(1 + exp(-|z|))":
        lambda z, y: (-z * y + torch.log1p(torch.exp(-z.abs()))).mean(),
    "y and 1 - y are swapped: the loss is -(y log sigmoid(z) + (1 - y) log(1 - sigmoid(z)))":
        lambda z, y: F.binary_cross_entropy_with_logits(z, 1 - y),
    "the sign is flipped: the loss is MINUS the log-likelihood":
        lambda z, y: -F.binary_cross_entropy_with_logits(z, y),
}


def _bce_args(g, shape, dtype, soft=False, scale=3.0):
    z = g.randn(*shape, dtype=dtype, scale=scale)
    y = g.uniform(*shape, dtype=dtype) if soft else (g.uniform(*shape) < 0.5).to(dtype)
    return z, y


@grader("ch09.binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(g):
    d = g.device
    oracle = F.binary_cross_entropy_with_logits
    g.expect("book_example", (t([0., BIG, -BIG], device=d), t([1., 1., 1.], device=d)),
             t(333.5644, device=d), mistakes=_BCE_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for shape in _shapes(g):
            for soft in (False, True):
                cases += list(g.layouts(*_bce_args(g, shape, dtype, soft)))
        # max(z, 0) - z y cancels: the scale is |z|
        g.against("random_inputs", cases, oracle, mistakes=_BCE_MISTAKES,
                  scale=lambda z, y: _max_abs(z))
    for dtype in FLOATS:  # |z| up to 1000, labels 0/1 and soft
        z = _magnitudes(g, dtype)
        for y in ((g.uniform(z.numel()) < 0.5).to(dtype), g.uniform(z.numel(), dtype=dtype)):
            g.expect("large_inputs", (z, y), g.oracle64(oracle, z, y), exponent=BIG,
                     scale=BIG,
                     mistakes=_BCE_MISTAKES)
    z = _magnitudes(g)
    _gradients(g, _bce_args(g, g.dims(2), torch.float64, soft=True), (z, g.uniform(z.numel())),
               oracle, wrt=(0, 1), what="logits up to |z| = 1000",
               hint=": sigmoid then log, or log(1 + exp(z)), breaks there; use "
                    "max(z, 0) - z * y + log(1 + exp(-|z|))")
    g.banned(*_bce_args(g, (4, 3), torch.float32, soft=True), oracle=oracle)


# -- 9. mse --------------------------------------------------------------------------------

_MSE_MISTAKES = {
    "the loss is the MEAN of the squared errors, not their sum":
        lambda p, q: F.mse_loss(p, q, reduction="sum"),
    "that is the root mean squared error: drop the square root":
        lambda p, q: F.mse_loss(p, q).sqrt(),
    "that is the mean absolute error: square the differences": lambda p, q: (p - q).abs().mean(),
    "square the differences before averaging: you squared the mean difference":
        lambda p, q: (p - q).mean() ** 2,
    "is the square missing? mean((pred - target)**2)": lambda p, q: (p - q).mean(),
}


@grader("ch09.mse")
def mse(g):
    d = g.device
    g.expect("book_example", (t([1., 2., 3.], device=d), t([1., 0., 0.], device=d)),
             t(13 / 3, device=d), mistakes=_MSE_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for shape in _shapes(g):
            cases += list(g.layouts(g.randn(*shape, dtype=dtype), g.randn(*shape, dtype=dtype)))
        N, D = g.dims(2)
        p = g.randn(N, D, dtype=dtype)
        cases.append((g.transposed_layout(p), g.randn(N, D, dtype=dtype)))
        g.against("random_inputs", cases, F.mse_loss, mistakes=_MSE_MISTAKES)
    if _values_passed(g):
        N, D = g.dims(2)
        g.gradient((g.randn(N, D, dtype=torch.float64), g.randn(N, D, dtype=torch.float64)),
                   F.mse_loss, wrt=(0, 1))
    g.banned(g.randn(4, 3), g.randn(4, 3), oracle=F.mse_loss)


# -- 10. softmax_jacobian ------------------------------------------------------------------

def _jacobian(p):
    return torch.diag_embed(p) - p[:, None] * p[None, :]


_JACOBIAN_MISTAKES = {
    "the signs are swapped: J = diag(p) - p p^T, not p p^T - diag(p)": lambda p: -_jacobian(p),
    "the diag(p) term is missing: J = diag(p) - p p^T": lambda p: -torch.outer(p, p),
    "the p p^T term is missing: J = diag(p) - p p^T": torch.diag,
    "p p^T is the outer product (K, K), not the number p . p": lambda p: torch.diag(p) - p @ p,
    "the diagonal is p[i] * (1 - p[i]), and off it -p[i] p[j]: p p^T is subtracted everywhere":
        lambda p: torch.diag(p - p * p),
}


@grader("ch09.softmax_jacobian")
def softmax_jacobian(g):
    d = g.device
    g.expect("book_example", (t([0.5, 0.5], device=d),), t([[0.25, -0.25], [-0.25, 0.25]],
                                                          device=d),
             mistakes=_JACOBIAN_MISTAKES)
    for dtype in FLOATS:
        K = g.dims(1, 3, 9)[0]
        p_zero = g.randn(K, dtype=dtype).softmax(0)
        p_zero[0] = 0
        p_zero = p_zero / p_zero.sum()
        one_hot = torch.zeros(K, dtype=dtype, device=d)
        one_hot[K // 2] = 1
        cases = [g.randn(K, dtype=dtype, scale=2.0).softmax(0), p_zero, one_hot,
                 torch.full((K,), 1 / K, dtype=dtype, device=d),
                 torch.ones(1, dtype=dtype, device=d), g.randn(2, dtype=dtype).softmax(0)]
        g.against("random_inputs", [a for p in cases for a in g.layouts(p)], _jacobian,
                  mistakes=_JACOBIAN_MISTAKES)
    # diag(p) - p p^T is the Jacobian of torch.softmax where it outputs p
    x = g.randn(5, dtype=torch.float64).to(d)
    p = torch.softmax(x, 0)
    want = torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), x)
    g.expect("softmax_derivative", (p,), want, mistakes=_JACOBIAN_MISTAKES)


# -- 11. label_smoothing_targets -----------------------------------------------------------

def _smoothed(targets, K, eps):
    one_hot = F.one_hot(targets, K).double()
    return (one_hot * (1 - eps) + eps / K).float()


def _smooth_variant(on, off):
    def wrong(targets, K, eps):
        one_hot = F.one_hot(targets, K).double()
        return (one_hot * on(K, eps) + (1 - one_hot) * off(K, eps)).float()
    return wrong


_SMOOTH_MISTAKES = {
    "the target gets 1 - eps + eps/K (eps is spread over all K classes, the target "
    "included), not 1 - eps": _smooth_variant(lambda K, e: 1 - e, lambda K, e: e / K),
    "eps is spread over all K classes (eps/K each, the target's share included), not over "
    "the K - 1 others": _smooth_variant(lambda K, e: 1 - e, lambda K, e: e / (K - 1)),
    "eps and 1 - eps are swapped": _smooth_variant(lambda K, e: e + (1 - e) / K,
                                                   lambda K, e: (1 - e) / K),
    "eps was ignored: these are plain one-hot rows": _smooth_variant(lambda K, e: 1.0,
                                                                     lambda K, e: 0.0),
    "the smoothed rows are (N, K): row n has its peak at column targets[n]":
        lambda tg, K, e: _smoothed(tg, K, e).T if tg.numel() == K else None,
}


@grader("ch09.label_smoothing_targets")
def label_smoothing_targets(g):
    d = g.device
    g.expect("book_example", (t([0, 2], device=d), 3, 0.3),
             t([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]], device=d), mistakes=_SMOOTH_MISTAKES)
    N, K = g.dims(2, 3, 9)
    eps_r = float(g.uniform(1, lo=0.05, hi=0.5))
    cases = []
    for n, k in ((N, K), (K, N), (1, K), (N, 1)):
        tg = g.randint(k, n)
        tg[-1] = k - 1  # the last class appears
        for eps in (0.1, eps_r, 0.0, 1.0):
            cases += [(tg, k, eps), (g.noncontiguous(tg), k, eps)]
    cases.append((torch.zeros(0, dtype=torch.int64, device=d), K, 0.2))  # no rows
    for args in cases:
        g.expect("random_inputs", args, _smoothed(*args), mistakes=_SMOOTH_MISTAKES)
