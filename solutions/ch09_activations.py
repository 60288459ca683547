"""ch09 - Activations and losses.

The non-linearities between layers and the losses at the end of a network, each written from
exponentials and logs so that it stays finite and correct where the naive formula overflows:
scores of +-1000 in float32.
"""
import math

import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch09.relu", points=1, ban=("relu", "clamp_min", "threshold"), grad=True, examples=[
    Example(f"relu({T}([-2., 0., 3.]))", expect=f"{T}([0., 0., 3.])")],
          hints=("Keep x where it is positive and put 0 everywhere else: a choice made by a "
                 "comparison.",
                 "`x > 0` is a boolean mask; `torch.where(mask, a, b)` picks from two tensors "
                 "(`torch.zeros_like(x)` for the zeros). `x * (x > 0)` also works; both keep the "
                 "gradient.",
                 "return torch.where(x ___ 0, ___, torch.zeros_like(x))"),
          stars=1, minutes=4)
def relu(x: Tensor) -> Tensor:
    """The rectified linear unit: max(x, 0) elementwise.

    Args:
        x: float tensor of any shape.
    Returns:
        same shape and dtype: x where x > 0, 0 elsewhere (0 at x = 0).
    Notes:
        Build it from a comparison (torch.where, a mask); relu, clamp_min and threshold are
        banned. It must stay differentiable.
    Example:
        >>> relu(torch.tensor([-2., 0., 3.]))
        tensor([0., 0., 3.])
    """
    ### BEGIN SOLUTION
    return torch.where(x > 0, x, torch.zeros_like(x))  # same shape as x
    ### END SOLUTION


@exercise("ch09.sigmoid", points=2, ban=("sigmoid",), grad=True, examples=[
    Example(f"sigmoid({T}([0., 1000., -1000.]))", expect=f"{T}([0.5, 1., 0.])")],
          hints=("1 / (1 + exp(-x)) overflows for very negative x. Split by sign and only ever "
                 "exponentiate a number <= 0: exp(-|x|) lies in (0, 1].",
                 "`torch.exp`, `torch.where`: 1 / (1 + e) where x >= 0, e / (1 + e) elsewhere, e "
                 "= exp(-|x|). where backpropagates through BOTH branches: an inf in either "
                 "gives NaN gradients. Get -|x| with where too (`abs` has gradient 0 at 0).",
                 "pos = x >= 0\n"
                 "e = torch.exp(torch.where(pos, ___, ___))  # exp(-|x|)\n"
                 "return torch.where(pos, ___, e / (1 + e))"),
          stars=2, minutes=12)
def sigmoid(x: Tensor) -> Tensor:
    """The logistic function 1 / (1 + exp(-x)), elementwise, in a form that never overflows.

    Args:
        x: float tensor of any shape.
    Returns:
        same shape and dtype, values in [0, 1].
    Notes:
        sigmoid is banned. The value AND the gradient must be finite and correct for |x| up
        to 1000 (float32 included): 1 / (1 + exp(-x)) overflows for x = -1000 and its
        gradient is then NaN. Only ever exponentiate a number <= 0: for x < 0 use
        exp(x) / (1 + exp(x)).
    Example:
        >>> sigmoid(torch.tensor([0., 1000., -1000.]))
        tensor([0.5000, 1.0000, 0.0000])
    """
    ### BEGIN SOLUTION
    pos = x >= 0
    e = torch.exp(torch.where(pos, -x, x))  # exp(-|x|), in (0, 1]
    return torch.where(pos, 1 / (1 + e), e / (1 + e))  # same shape as x
    ### END SOLUTION


@exercise("ch09.tanh_from_exp", points=2, ban=("tanh",), grad=True, examples=[
    Example(f"tanh_from_exp({T}([0., 1000., -1000.]))", expect=f"{T}([0., 1., -1.])")],
          hints=("tanh is odd: its value at -x is minus its value at x. Compute the value at |x| "
                 "from exp(-2|x|), which never overflows, then put the sign back.",
                 "`torch.exp` and `torch.where` (twice): |x| as `torch.where(x >= 0, x, -x)` "
                 "(`abs` has gradient 0 at 0), then (1 - e) / (1 + e). The textbook form gives "
                 "inf / inf = NaN at |x| = 1000.",
                 "pos = x >= 0\n"
                 "e = torch.exp(-2 * torch.where(pos, ___, ___))  # exp(-2|x|)\n"
                 "t = ___  # the value at |x|\n"
                 "return torch.where(pos, t, ___)"),
          stars=2, minutes=12)
def tanh_from_exp(x: Tensor) -> Tensor:
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), built from exponentials, elementwise.

    Args:
        x: float tensor of any shape.
    Returns:
        same shape and dtype, values in [-1, 1].
    Notes:
        tanh is banned. The value AND the gradient must be finite and correct for |x| up to
        1000 (float32 included): e^1000 overflows. Use the odd symmetry and only
        exponentiate numbers <= 0: tanh(|x|) = (1 - exp(-2|x|)) / (1 + exp(-2|x|)).
    Example:
        >>> tanh_from_exp(torch.tensor([0., 1000., -1000.]))
        tensor([ 0.,  1., -1.])
    """
    ### BEGIN SOLUTION
    pos = x >= 0
    e = torch.exp(-2 * torch.where(pos, x, -x))  # exp(-2|x|), in (0, 1]
    t = (1 - e) / (1 + e)  # tanh(|x|)
    return torch.where(pos, t, -t)  # same shape as x
    ### END SOLUTION


@exercise("ch09.gelu_tanh", points=2, ban=("gelu",), grad=True, examples=[
    Example(f"gelu_tanh({T}([0., 1., -1.]))", expect=f"{T}([0., 0.8411920, -0.1588080])")],
          hints=("Type the formula of the docstring as it stands; the constants are plain Python "
                 "numbers.",
                 "`math.sqrt(2 / math.pi)` (import math), `x ** 3`, `torch.tanh` (allowed here). "
                 "The exact GELU with `erf` differs by up to 1e-3 and fails.",
                 "inner = math.sqrt(2 / math.pi) * (x + ___ * x ** 3)\n"
                 "return 0.5 * x * (1 + ___)"),
          stars=1, minutes=5)
def gelu_tanh(x: Tensor) -> Tensor:
    """GELU with the tanh approximation used in GPT-2, elementwise:

        0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))

    Args:
        x: float tensor of any shape.
    Returns:
        same shape and dtype.
    Notes:
        gelu is banned (torch.tanh is allowed). This is the tanh approximation, not the
        exact GELU x * Phi(x) with erf: the two differ by up to about 1e-3.
    Example:
        >>> gelu_tanh(torch.tensor([0., 1., -1.]))
        tensor([ 0.0000,  0.8412, -0.1588])
    """
    ### BEGIN SOLUTION
    inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)  # same shape as x
    return 0.5 * x * (1 + torch.tanh(inner))
    ### END SOLUTION


@exercise("ch09.softmax", points=2, book="P49, P98", ban=("_softmax", "softmax", "_log_softmax"),
          vec=True, grad=True, examples=[
              Example(f"softmax({T}([[1000., 1000.], [0., float('-inf')]], "
                      f"dtype=torch.float64), dim=1)",
                      expect=f"{T}([[0.5, 0.5], [1., 0.]], dtype=torch.float64)")],
          hints=("exp of a large score overflows. Subtracting one number from a whole slice "
                 "leaves the softmax unchanged, so subtract the slice's maximum first: every "
                 "exponent is then <= 0.",
                 "`x.amax(dim=dim, keepdim=True)`, `torch.exp`, `.sum(dim=dim, keepdim=True)`; "
                 "keepdim lets the result broadcast back along `dim` (`x.max(dim)` returns "
                 "values AND indices). -inf gives exp = 0.",
                 "m = x.amax(dim=dim, keepdim=___)\n"
                 "e = torch.exp(___)\n"
                 "return e / e.sum(dim=___, keepdim=True)"),
          stars=2, minutes=12)
def softmax(x: Tensor, dim: int) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim``, computed stably.

    Args:
        x: float tensor of any shape.
        dim: the axis to normalise over (negative counts from the end).
    Returns:
        same shape and dtype as x; every slice along ``dim`` sums to 1.
    Notes:
        softmax, _softmax and _log_softmax are banned (under any alias); no Python loop.
        Finite and correct for entries of +-1000 in float32: subtract the maximum along
        ``dim`` (keepdim=True) before exp. An entry of -inf gets probability exactly 0
        (each slice is assumed to hold at least one finite entry). Differentiable.
    Example:
        >>> softmax(torch.tensor([[1000., 1000.], [0., float('-inf')]],
        ...                      dtype=torch.float64), dim=1)
        tensor([[0.5000, 0.5000],
                [1.0000, 0.0000]], dtype=torch.float64)
    """
    ### BEGIN SOLUTION
    m = x.amax(dim=dim, keepdim=True)  # size 1 along dim
    e = torch.exp(x - m)  # same shape as x, entries in [0, 1]
    return e / e.sum(dim=dim, keepdim=True)  # same shape as x
    ### END SOLUTION


@exercise("ch09.log_softmax", points=2, ban=("_softmax", "_log_softmax", "logsumexp"),
          grad=True, examples=[
              Example(f"log_softmax({T}([[0., 0.], [1000., -1000.]]), dim=1)",
                      expect=f"{T}([[-0.6931472, -0.6931472], [0., -2000.]])")],
          hints=("The log of the softmax is x - log(sum(exp(x))). Shift by the slice maximum "
                 "first, and never take the log of a probability: it underflows to 0 and log(0) "
                 "= -inf.",
                 "`x.amax(dim=dim, keepdim=True)`, `torch.exp`, `.sum(dim=dim, keepdim=True)`, "
                 "`torch.log`: after the shift the sum is >= 1, so its log is safe. The "
                 "ready-made log-sum-exp is banned here.",
                 "shifted = x - x.amax(dim=dim, keepdim=___)\n"
                 "return shifted - torch.log(___.sum(dim=dim, keepdim=True))"),
          stars=2, minutes=12)
def log_softmax(x: Tensor, dim: int) -> Tensor:
    """log(softmax(x)) along ``dim``, computed stably: x - max - log(sum(exp(x - max))).

    Args:
        x: float tensor of any shape.
        dim: the axis to normalise over (negative counts from the end).
    Returns:
        same shape and dtype as x; exp of every slice along ``dim`` sums to 1.
    Notes:
        _softmax, _log_softmax and logsumexp are banned (under any alias). Finite and correct
        for entries of +-1000 in float32, where the log of a softmax is log(0) = -inf:
        never take the log of a probability that can underflow. Differentiable.
    Example:
        >>> log_softmax(torch.tensor([[0., 0.], [1000., -1000.]]), dim=1)
        tensor([[-6.9315e-01, -6.9315e-01],
                [ 0.0000e+00, -2.0000e+03]])
    """
    ### BEGIN SOLUTION
    shifted = x - x.amax(dim=dim, keepdim=True)  # same shape as x, max 0 along dim
    return shifted - torch.log(torch.exp(shifted).sum(dim=dim, keepdim=True))  # same shape
    ### END SOLUTION


@exercise("ch09.cross_entropy", points=3,
          ban=("cross_entropy", "nll_loss", "_log_softmax", "_softmax"), vec=True, grad=True,
          examples=[Example(f"cross_entropy({T}([[0., 0.], [1000., -1000.]]), {T}([0, 1]))",
                            expect=f"{T}(1000.3466)")],
          hints=("Each row's loss is logsumexp(row) - row[target]; compute it for all rows at "
                 "once, then average. Keep the max out of the exp so +-1000 stays finite.",
                 "`torch.logsumexp(logits, dim=1)` (allowed here); pick row[target] with "
                 "`logits.gather(1, targets[:, None])` or `logits[torch.arange(N), targets]`; "
                 "`.mean()`, not `.sum()`. Taking log of probabilities gives log(0) = -inf at "
                 "+-1000.",
                 "lse = torch.logsumexp(logits, dim=___)  # (N,)\n"
                 "picked = logits.gather(1, ___).squeeze(1)  # (N,)\n"
                 "return (___).mean()  # ()"),
          stars=3, minutes=15)
def cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    """The mean over the N samples of -log softmax(logits[n])[targets[n]].

    Args:
        logits: (N, K) unnormalised scores, one row per sample.
        targets: (N,) int64 class indices in [0, K) (indices, not one-hot rows).
    Returns:
        0-d tensor (a scalar) in the logits' dtype: the MEAN loss over the N rows (not the
        sum).
    Notes:
        cross_entropy, nll_loss, _log_softmax and _softmax are banned (under any alias); no
        Python loop over rows. Finite and correct for logits of +-1000 in float32:
        -log softmax = logsumexp(row) - row[target], with the row's max taken out of the
        exp. Differentiable with respect to the logits.
    Example:
        >>> cross_entropy(torch.tensor([[0., 0.], [1000., -1000.]]), torch.tensor([0, 1]))
        tensor(1000.3466)
    """
    ### BEGIN SOLUTION
    m = logits.amax(dim=1, keepdim=True)  # (N, 1)
    lse = m.squeeze(1) + torch.log(torch.exp(logits - m).sum(dim=1))  # (N,)
    picked = logits.gather(1, targets[:, None]).squeeze(1)  # (N, 1) -> (N,)
    return (lse - picked).mean()  # ()
    ### END SOLUTION


@exercise("ch09.binary_cross_entropy_with_logits", points=2,
          ban=("binary_cross_entropy_with_logits", "binary_cross_entropy"), grad=True,
          examples=[Example(f"binary_cross_entropy_with_logits({T}([0., 1000., -1000.]), "
                            f"{T}([1., 1., 1.]))", expect=f"{T}(333.5644)")],
          hints=("Use the second form of the docstring, max(z, 0) - z * y + log(1 + exp(-|z|)): "
                 "exp only ever sees a number <= 0, so nothing overflows and no log(0) appears.",
                 "`torch.where`, `torch.exp`, `torch.log1p` (accurate for tiny arguments), "
                 "`.mean()`. Build max(z, 0) and -|z| with `torch.where(z >= 0, ...)` so the "
                 "gradient at z = 0 is right.",
                 "pos = z >= 0\n"
                 "relu_z = torch.where(pos, z, torch.zeros_like(z))  # max(z, 0)\n"
                 "minus_abs = torch.where(pos, ___, ___)  # -|z|\n"
                 "return (relu_z - ___ + torch.log1p(torch.exp(minus_abs))).___()"),
          stars=2, minutes=12)
def binary_cross_entropy_with_logits(z: Tensor, y: Tensor) -> Tensor:
    """The mean binary cross-entropy of logits z against targets y:

        mean of -(y * log sigmoid(z) + (1 - y) * log(1 - sigmoid(z)))
        = mean of max(z, 0) - z * y + log(1 + exp(-|z|))

    Args:
        z: float tensor of any shape, the logits.
        y: float tensor of the same shape, targets in [0, 1] (0/1 labels or soft labels).
    Returns:
        0-d tensor in z's dtype: the MEAN over all entries (not the sum).
    Notes:
        binary_cross_entropy_with_logits and binary_cross_entropy are banned. Finite and
        correct for |z| up to 1000 in float32: sigmoid then log gives log(0) = -inf there,
        so use the second form. Differentiable with respect to z and y.
    Example:
        >>> binary_cross_entropy_with_logits(torch.tensor([0., 1000., -1000.]),
        ...                                  torch.tensor([1., 1., 1.]))
        tensor(333.5644)
    """
    ### BEGIN SOLUTION
    pos = z >= 0
    relu_z = torch.where(pos, z, torch.zeros_like(z))  # max(z, 0)
    minus_abs = torch.where(pos, -z, z)  # -|z|
    return (relu_z - z * y + torch.log1p(torch.exp(minus_abs))).mean()  # ()
    ### END SOLUTION


@exercise("ch09.mse", points=1, ban=("mse_loss",), grad=True, examples=[
    Example(f"mse({T}([1., 2., 3.]), {T}([1., 0., 0.]))", expect=f"{T}(4.3333335)")],
          hints=("Subtract, square, and average over every entry.",
                 "`(pred - target) ** 2`, then `.mean()` with no dim: not `.sum()`, and no "
                 "square root.",
                 "return ((pred - target) ___ 2).___()  # ()"),
          stars=1, minutes=3)
def mse(pred: Tensor, target: Tensor) -> Tensor:
    """The mean squared error: the mean over all entries of (pred - target)**2.

    Args:
        pred: float tensor of any shape.
        target: float tensor of the same shape.
    Returns:
        0-d tensor in pred's dtype: the MEAN (not the sum, not its square root).
    Notes:
        mse_loss is banned. Differentiable with respect to both inputs.
    Example:
        >>> mse(torch.tensor([1., 2., 3.]), torch.tensor([1., 0., 0.]))
        tensor(4.3333)
    """
    ### BEGIN SOLUTION
    return ((pred - target) ** 2).mean()  # ()
    ### END SOLUTION


@exercise("ch09.softmax_jacobian", points=2, examples=[
    Example(f"softmax_jacobian({T}([0.5, 0.5]))", expect=f"{T}([[0.25, -0.25], [-0.25, 0.25]])")],
          hints=("Two pieces: a diagonal matrix with p on its diagonal, minus the outer product "
                 "of p with itself.",
                 "`torch.diag(p)` (1-D in, 2-D out) and `torch.outer(p, p)` (or `p[:, None] * "
                 "p[None, :]`); `p @ p` is a number, not the outer product.",
                 "return torch.___(p) - ___  # (K, K)"),
          stars=1, minutes=5)
def softmax_jacobian(p: Tensor) -> Tensor:
    """The Jacobian of the softmax at the point where it outputs p: diag(p) - p p^T.

    Args:
        p: (K,) a probability vector (entries >= 0 summing to 1).
    Returns:
        (K, K) with J[i, j] = p[i] * (1[i == j] - p[j]): dsoftmax_i / dx_j. Symmetric.
    Example:
        >>> softmax_jacobian(torch.tensor([0.5, 0.5]))
        tensor([[ 0.2500, -0.2500],
                [-0.2500,  0.2500]])
    """
    ### BEGIN SOLUTION
    return torch.diag(p) - torch.outer(p, p)  # (K, K)
    ### END SOLUTION


@exercise("ch09.label_smoothing_targets", points=1, examples=[
    Example(f"label_smoothing_targets({T}([0, 2]), 3, 0.3)",
            expect=f"{T}([[0.8, 0.1, 0.1], [0.1, 0.1, 0.8]])")],
          hints=("Start from one-hot rows, scale them by 1 - eps, then add eps/K to every entry, "
                 "the target included.",
                 "`torch.nn.functional.one_hot(targets, num_classes)` (int64: convert with "
                 "`.to(torch.float32)`), then `* (1 - eps) + eps / num_classes`. eps/K, not "
                 "eps/(K - 1).",
                 "oh = torch.nn.functional.one_hot(targets, num_classes).to(___)  # (N, K)\n"
                 "return oh * ___ + ___"),
          stars=1, minutes=6)
def label_smoothing_targets(targets: Tensor, num_classes: int, eps: float) -> Tensor:
    """Smoothed one-hot target distributions, as used with label smoothing.

    Args:
        targets: (N,) int64 class indices in [0, num_classes).
        num_classes: K, the number of classes.
        eps: the smoothing amount in [0, 1].
    Returns:
        float32 (N, K) on targets' device: row n holds 1 - eps + eps/K at column
        targets[n] and eps/K everywhere else (eps spread over ALL K classes, the target
        included), so every row sums to 1.
    Example:
        >>> label_smoothing_targets(torch.tensor([0, 2]), 3, 0.3)
        tensor([[0.8000, 0.1000, 0.1000],
                [0.1000, 0.1000, 0.8000]])
    """
    ### BEGIN SOLUTION
    one_hot = torch.nn.functional.one_hot(targets, num_classes).to(torch.float32)  # (N, K)
    return one_hot * (1 - eps) + eps / num_classes  # (N, K)
    ### END SOLUTION
