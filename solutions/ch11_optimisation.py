"""ch11 - Gradients and optimisation.

Derivatives three ways (by hand, by finite differences, by autograd) and the update rules
that train every network: plain gradient descent, momentum and Adam.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch11.gradient_descent_1d", points=1, book="P51", examples=[
    Example("round(gradient_descent_1d(lambda x: 3 * x**2 - 6 * x, 4.0, 0.01, 1e-6, 10000), 3)",
            expect="2.0"),
    Example("gradient_descent_1d(lambda x: 2 * x, 1.0, 0.25, 1e-9, 2)", expect="0.25"),
    # steps 0.5 then 0.25: the 0.25 step is the first below tol 0.3, and it is applied
    Example("gradient_descent_1d(lambda x: 2 * x, 1.0, 0.25, 0.3, 10)", expect="0.25")],
          hints=("Step downhill, x <- x - lr * df(x), and stop as soon as a step is shorter than "
                 "tol (after applying it), or once max_steps steps are taken.",
                 "Plain Python floats and `for _ in range(max_steps)`: compare abs(x_new - x) "
                 "with tol before overwriting x, then `break`. Pitfall: stopping without "
                 "applying the short step.",
                 "x = float(x0)\n"
                 "for _ in range(max_steps):\n"
                 "    x_new = ___\n"
                 "    done = ___ < tol\n"
                 "    x = x_new\n"
                 "    if done:\n"
                 "        ___\n"
                 "return x"),
          stars=2, minutes=10)
def gradient_descent_1d(df, x0: float, lr: float, tol: float, max_steps: int) -> float:
    """Gradient descent on a function of one number, given its derivative.

    Repeat x_new = x - lr * df(x). Stop after the first step whose size |x_new - x| is below
    tol (that step is applied), or after max_steps steps, whichever comes first.

    Args:
        df: the derivative, a function of a Python float returning a float.
        x0: the starting point.
        lr: the learning rate.
        tol: stop once a step is shorter than this.
        max_steps: the most steps to take (0 returns x0).
    Returns:
        The final x, a Python float.
    Example:
        >>> gradient_descent_1d(lambda x: 2 * x, 1.0, 0.25, 1e-9, 2)   # 1 -> 0.5 -> 0.25
        0.25
    """
    ### BEGIN SOLUTION
    x = float(x0)
    for _ in range(max_steps):
        x_new = x - lr * df(x)
        done = abs(x_new - x) < tol
        x = x_new
        if done:
            break
    return x
    ### END SOLUTION


@exercise("ch11.numerical_gradient", points=2, examples=[
    Example(f"numerical_gradient(lambda x: (x ** 2).sum(), {T}([1., -2.], dtype=torch.float64), "
            "1e-4)", expect=f"{T}([2., -4.], dtype=torch.float64)")],
          hints=("Nudge one entry at a time by +h and by -h and evaluate f at both points: (f(+) "
                 "- f(-)) / (2h) is the partial derivative for that entry.",
                 "A loop over range(x.numel()) with a flat step vector torch.zeros(x.numel(), "
                 "dtype=x.dtype, device=x.device) whose entry i is h, reshaped to x.shape; x + "
                 "step and x - step are new tensors. Pitfall: x[i] += h changes the caller's x.",
                 "grad = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)\n"
                 "for i in range(x.numel()):\n"
                 "    step = torch.zeros_like(grad)\n"
                 "    step[i] = ___\n"
                 "    step = step.reshape(x.shape)\n"
                 "    grad[i] = (f(x + step) - ___) / ___\n"
                 "return grad.reshape(___)"),
          stars=2, minutes=15)
def numerical_gradient(f, x: Tensor, h: float) -> Tensor:
    """The gradient of a scalar function by central differences.

    For every entry i of x: (f(x + h e_i) - f(x - h e_i)) / (2 h), where e_i is 1 at entry i
    and 0 elsewhere.

    Args:
        f: a function of a tensor shaped like x, returning a 0-d tensor.
        x: the point, any shape; it must not be modified.
        h: the step.
    Returns:
        A tensor shaped like x, in x's dtype.
    Example:
        >>> numerical_gradient(lambda x: (x ** 2).sum(), torch.tensor([1., -2.]), 1e-3)
        tensor([ 2., -4.])
    """
    ### BEGIN SOLUTION
    grad = torch.empty_like(x)
    flat = grad.view(-1)  # (numel,) view of the result
    for i in range(x.numel()):
        step = torch.zeros(x.numel(), dtype=x.dtype, device=x.device)
        step[i] = h
        step = step.view_as(x)  # the shape of x
        flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
    ### END SOLUTION


@exercise("ch11.autograd_gradient", points=1, examples=[
    Example(f"autograd_gradient(lambda x: (x ** 3).sum(), {T}([1., 2.]))",
            expect=f"{T}([3., 12.])"),
    Example(f"autograd_gradient(lambda x: (x ** 3).sum(), {T}([1., 2.])).requires_grad",
            expect="False"),
    # d/dx sin(1000 x) = 1000 cos(1000 x): exactly 1000 at 0
    Example("autograd_gradient(lambda x: torch.sin(1000 * x).sum(), torch.zeros(1))",
            expect=f"{T}([1000.])")],
          hints=("Work on a fresh copy of x that autograd tracks, evaluate f on it, and ask "
                 "autograd for the derivative of that scalar with respect to the copy.",
                 "x.detach().clone().requires_grad_(True) makes the leaf; "
                 "torch.autograd.grad(out, leaf) returns a tuple; .detach() the result. Pitfall: "
                 "x.requires_grad_() and out.backward() leave x.requires_grad and x.grad behind.",
                 "leaf = x.___().___().requires_grad_(True)\n"
                 "(grad,) = torch.autograd.grad(___, ___)\n"
                 "return grad.___()"),
          stars=2, minutes=10)
def autograd_gradient(f, x: Tensor) -> Tensor:
    """d f(x) / d x with autograd.

    x is not modified and no autograd state leaks: afterwards x does not require grad and
    has no .grad, and the result is a plain tensor (it does not require grad).

    Args:
        f: a function of a tensor shaped like x, returning a 0-d tensor.
        x: the point, a float tensor of any shape.
    Returns:
        A tensor shaped like x.
    Example:
        >>> autograd_gradient(lambda x: (x ** 3).sum(), torch.tensor([1., 2.]))
        tensor([ 3., 12.])
    """
    ### BEGIN SOLUTION
    leaf = x.detach().clone().requires_grad_(True)  # a fresh leaf: x stays untouched
    (grad,) = torch.autograd.grad(f(leaf), leaf)
    return grad.detach()
    ### END SOLUTION


@exercise("ch11.mse_gradient", points=1, examples=[
    Example(f"mse_gradient({T}([[1., 0.], [0., 2.]]), {T}([1., 1.]), {T}([0., 0.]))",
            expect=f"{T}([-1., -2.])"),
    # N = 2 rows, D = 3 weights, called under torch.no_grad() (no autograd inside)
    Example(f"torch.no_grad()(mse_gradient)({T}([[1., 0., 1.], [0., 1., 1.]]), {T}([1., 3.]), "
            "torch.zeros(3))", expect=f"{T}([-1., -3., -4.])")],
          hints=("Differentiate mean((x @ w - y)^2) by hand: the chain rule gives 2 / N times x "
                 "transposed applied to the residual x @ w - y.",
                 "The residual x @ w - y is (N,); x.T @ residual is (D,); N = x.shape[0]. Plain "
                 "tensor arithmetic, no autograd. Pitfall: forgetting the 2 or the 1 / N.",
                 "residual = ___  # (N,)\n"
                 "return ___ / x.shape[0] * (___ @ residual)  # (D,)"),
          stars=1, minutes=8)
def mse_gradient(x: Tensor, y: Tensor, w: Tensor) -> Tensor:
    """The gradient of the mean squared error of a linear model, in closed form.

    L(w) = mean over the N rows of (x @ w - y)^2, so dL/dw = (2 / N) x^T (x @ w - y).
    Computed without autograd: the grader calls it under torch.no_grad().

    Args:
        x: (N, D) inputs.
        y: (N,) targets.
        w: (D,) weights.
    Returns:
        (D,) gradient.
    Example:
        >>> mse_gradient(torch.tensor([[1., 0.], [0., 2.]]), torch.tensor([1., 1.]),
        ...              torch.tensor([0., 0.]))
        tensor([-1., -2.])
    """
    ### BEGIN SOLUTION
    residual = x @ w - y  # (N,)
    return 2.0 / x.shape[0] * (x.T @ residual)  # (D, N) @ (N,) -> (D,)
    ### END SOLUTION


@exercise("ch11.sgd_step", points=1, examples=[
    Example(f"sgd_step([{T}([1., 2.]), {T}(3.)], [{T}([1., -1.]), {T}(2.)], 0.5)",
            expect=f"[{T}([0.5, 2.5]), {T}(2.)]")],
          hints=("Move every parameter a step of size lr against its own gradient, building new "
                 "tensors rather than updating the old ones.",
                 "zip(params, grads) in a list comprehension with p - lr * g (an out-of-place "
                 "expression). Pitfall: p -= lr * g or p.sub_(...) modifies the caller's tensors.",
                 "return [___ for p, g in zip(___, ___)]"),
          stars=1, minutes=5)
def sgd_step(params: list[Tensor], grads: list[Tensor], lr: float) -> list[Tensor]:
    """One step of plain gradient descent on a list of parameters.

    Args:
        params: tensors of any shapes.
        grads: their gradients, in the same order and shapes.
        lr: the learning rate.
    Returns:
        A list of NEW tensors p - lr * g; the inputs are left untouched (no in-place update,
        no result sharing memory with an input).
    Example:
        >>> sgd_step([torch.tensor([1., 2.])], [torch.tensor([1., -1.])], 0.5)
        [tensor([0.5000, 2.5000])]
    """
    ### BEGIN SOLUTION
    return [p - lr * g for p, g in zip(params, grads)]
    ### END SOLUTION


@exercise("ch11.momentum_step", points=1, examples=[
    Example(f"momentum_step({T}([1.]), {T}([2.]), {T}([1.]), 0.1, 0.9)",
            expect=f"({T}([0.71]), {T}([2.9]))")],
          hints=("First update the velocity (the decayed old velocity plus the new gradient), "
                 "then step the parameter along the NEW velocity.",
                 "Plain tensor arithmetic: v = beta * velocity + grad, then param - lr * v; "
                 "return both. Pitfall: stepping with the old velocity, or (1 - beta) * grad (an "
                 "average, not this rule).",
                 "v = ___ * velocity + ___\n"
                 "return param - ___ * ___, v"),
          stars=1, minutes=5)
def momentum_step(param: Tensor, grad: Tensor, velocity: Tensor, lr: float,
                  beta: float) -> tuple[Tensor, Tensor]:
    """One step of gradient descent with momentum.

    v = beta * velocity + grad, then param - lr * v (the new velocity is used).

    Args:
        param, grad, velocity: tensors of one shape.
        lr: the learning rate.
        beta: the momentum coefficient.
    Returns:
        (new param, new velocity).
    Example:
        >>> momentum_step(torch.tensor([1.]), torch.tensor([2.]), torch.tensor([1.]), 0.1, 0.9)
        (tensor([0.7100]), tensor([2.9000]))
    """
    ### BEGIN SOLUTION
    v = beta * velocity + grad
    return param - lr * v, v
    ### END SOLUTION


@exercise("ch11.adam_step", points=2, examples=[
    Example(f"adam_step({T}([1.]), {T}([0.5]), {T}([0.]), {T}([0.]), 1, 0.1, 0.9, 0.999, 1e-8)",
            expect=f"({T}([0.9]), {T}([0.05]), {T}([0.00025]))"),
    # m_hat = 2, v_hat = 4: a large eps = 2 shows where it goes, 1 - 1 * 2 / (2 + 2) = 0.5
    Example(f"adam_step({T}([1.]), {T}([2.]), {T}([0.]), {T}([0.]), 1, 1.0, 0.5, 0.75, 2.0)",
            expect=f"({T}([0.5]), {T}([1.]), {T}([1.]))")],
          hints=("Keep running averages of the gradient (m) and of its square (v), correct both "
                 "for starting at zero, and step by m_hat over the square root of v_hat.",
                 "Tensor arithmetic: grad ** 2, beta1 ** t for the correction, "
                 "torch.sqrt(v_hat); eps goes OUTSIDE the square root. Return the new m and v, "
                 "not m_hat and v_hat.",
                 "m = beta1 * m + ___ * grad\n"
                 "v = beta2 * v + ___ * grad ** 2\n"
                 "m_hat, v_hat = m / ___, v / ___\n"
                 "return param - lr * m_hat / (___ + eps), m, v"),
          stars=2, minutes=15)
def adam_step(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, t: int, lr: float,
              beta1: float, beta2: float, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """One bias-corrected Adam update (step t counts from 1).

    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;
    m_hat = m / (1 - beta1^t);   v_hat = v / (1 - beta2^t);
    param - lr * m_hat / (sqrt(v_hat) + eps)   (eps outside the square root).

    Args:
        param, grad, m, v: tensors of one shape (m and v: the running moments).
        t: the number of this step, 1 for the first.
        lr, beta1, beta2, eps: the usual hyper-parameters.
    Returns:
        (new param, new m, new v).
    Example:
        >>> adam_step(torch.tensor([1.]), torch.tensor([0.5]), torch.tensor([0.]),
        ...           torch.tensor([0.]), 1, 0.1, 0.9, 0.999, 1e-8)[0]
        tensor([0.9000])
    """
    ### BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v
    ### END SOLUTION


@exercise("ch11.fit_linear_regression", points=2, examples=[
    Example(f"fit_linear_regression({T}([[1.], [2.]]), {T}([2., 4.]), 0.1, 1)",
            expect=f"({T}([1.]), {T}(0.6))")],
          hints=("Start from w = 0, b = 0 and repeat: the residual of the current model gives "
                 "both gradients, then update w and b together.",
                 "torch.zeros(D, dtype=x.dtype, device=x.device) and a 0-d torch.zeros((), ...); "
                 "residual x @ w + b - y; dL/dw = 2 / N * x.T @ residual, dL/db = 2 * "
                 "residual.mean(). Pitfall: computing dL/db with the already updated w.",
                 "w = torch.zeros(___, dtype=x.dtype, device=x.device)\n"
                 "b = torch.zeros((), dtype=x.dtype, device=x.device)\n"
                 "for _ in range(steps):\n"
                 "    residual = ___\n"
                 "    grad_w, grad_b = ___, ___\n"
                 "    w, b = w - lr * grad_w, ___\n"
                 "return w, b"),
          stars=2, minutes=15)
def fit_linear_regression(x: Tensor, y: Tensor, lr: float,
                          steps: int) -> tuple[Tensor, Tensor]:
    """Linear regression by full-batch gradient descent from zeros.

    The loss is mean over rows of (x @ w + b - y)^2; each step computes both gradients at the
    current (w, b), then updates both: w -= lr * dL/dw, b -= lr * dL/db.

    Args:
        x: (N, D) inputs.
        y: (N,) targets.
        lr: the learning rate.
        steps: the number of steps (0 returns zeros).
    Returns:
        (w (D,), b 0-d), in x's dtype.
    Example:
        >>> fit_linear_regression(torch.tensor([[1.], [2.]]), torch.tensor([2., 4.]), 0.1, 1)
        (tensor([1.]), tensor(0.6000))
    """
    ### BEGIN SOLUTION
    w = torch.zeros(x.shape[1], dtype=x.dtype, device=x.device)  # (D,)
    b = torch.zeros((), dtype=x.dtype, device=x.device)  # ()
    for _ in range(steps):
        residual = x @ w + b - y  # (N,)
        grad_w = 2.0 / x.shape[0] * (x.T @ residual)  # (D,)
        grad_b = 2.0 * residual.mean()  # ()
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b
    ### END SOLUTION


@exercise("ch11.jacobian", points=2, examples=[
    Example(f"jacobian(lambda x: x * x, {T}([1., 2.]))", expect=f"{T}([[2., 0.], [0., 4.]])"),
    # column sums of a (2, 3) x: 3 outputs, 6 inputs, out[i] = x[0, i] + x[1, i]
    Example(f"jacobian(lambda x: x.sum(0), {T}([[1., 2., 3.], [4., 5., 6.]]))",
            expect=f"{T}([[1., 0., 0., 1., 0., 0.], [0., 1., 0., 0., 1., 0.], "
            "[0., 0., 1., 0., 0., 1.]])")],
          hints=("Row i of the Jacobian is the gradient of output entry i: on a tracked copy of "
                 "x, ask autograd for one output entry at a time.",
                 "leaf = x.detach().clone().requires_grad_(True); out = f(leaf).reshape(-1); per "
                 "i, torch.autograd.grad(out[i], leaf, retain_graph=True, allow_unused=True) "
                 "(None means zeros); torch.stack the rows. Pitfall: J transposed (columns = "
                 "outputs).",
                 "leaf = ___\n"
                 "out = f(leaf).reshape(-1)\n"
                 "rows = []\n"
                 "for i in range(out.numel()):\n"
                 "    (g,) = torch.autograd.grad(out[i], leaf, retain_graph=___, "
                 "allow_unused=True)\n"
                 "    rows.append(torch.zeros_like(leaf) if g is None else g)\n"
                 "return torch.stack(rows).reshape(___, ___).detach()"),
          stars=2, minutes=25)
def jacobian(f, x: Tensor) -> Tensor:
    """The Jacobian of a tensor function, flattened to a matrix.

    Row i is the gradient of output entry i (in row-major order of f(x)) with respect to
    every entry of x (in row-major order).

    Args:
        f: a function of a tensor shaped like x, returning a tensor of any shape.
        x: the point, a float tensor of any shape; it must not be modified.
    Returns:
        (f(x).numel(), x.numel()) matrix J with J[i, j] = d f(x).flatten()[i] / d x.flatten()[j].
    Example:
        >>> jacobian(lambda x: x * x, torch.tensor([1., 2.]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    ### BEGIN SOLUTION
    leaf = x.detach().clone().requires_grad_(True)
    out = f(leaf).reshape(-1)  # (out_numel,)
    rows = []
    for i in range(out.numel()):
        (g,) = torch.autograd.grad(out[i], leaf, retain_graph=True, allow_unused=True)
        rows.append(torch.zeros_like(leaf) if g is None else g)
    if not rows:
        return torch.zeros(0, x.numel(), dtype=x.dtype, device=x.device)
    return torch.stack(rows).reshape(out.numel(), x.numel()).detach()  # (out, in)
    ### END SOLUTION
