"""Wrong and alternative implementations for ch11 (see tests/mutants/__init__.py)."""
import torch

from tests.mutants import correct, wrong


# -- 1. gradient_descent_1d -----------------------------------------------------------------

@wrong("ch11.gradient_descent_1d", "stop after it, not before")
def gradient_descent_1d(df, x0, lr, tol, max_steps):
    """checks the step size before applying the step"""
    x = x0
    for _ in range(max_steps):
        x_new = x - lr * df(x)
        if abs(x_new - x) < tol:
            return x
        x = x_new
    return x


@wrong("ch11.gradient_descent_1d", "one step too many")
def gradient_descent_1d(df, x0, lr, tol, max_steps):  # noqa: F811
    """a while loop that counts from 0 to max_steps inclusive"""
    x, step = x0, 0
    while step <= max_steps:
        x_new = x - lr * df(x)
        step += 1
        if abs(x_new - x) < tol:
            return x_new
        x = x_new
    return x


@wrong("ch11.gradient_descent_1d", "not on |df(x)| < tol")
def gradient_descent_1d(df, x0, lr, tol, max_steps):  # noqa: F811
    """stops when the derivative is small, not the step"""
    x = x0
    for _ in range(max_steps):
        if abs(df(x)) < tol:
            break
        x = x - lr * df(x)
    return x


@wrong("ch11.gradient_descent_1d", "not x + lr")
def gradient_descent_1d(df, x0, lr, tol, max_steps):  # noqa: F811
    """climbs instead of descending"""
    x = x0
    for _ in range(max_steps):
        x_new = x + lr * df(x)
        if abs(x_new - x) < tol:
            return x_new
        x = x_new
    return x


@correct("ch11.gradient_descent_1d")
def gradient_descent_1d(df, x0, lr, tol, max_steps):  # noqa: F811
    """a while loop with an explicit step counter"""
    x, steps = float(x0), 0
    while steps < max_steps:
        step = lr * df(x)
        x -= step
        steps += 1
        if abs(step) < tol:
            break
    return x


# -- 2. numerical_gradient ------------------------------------------------------------------

@wrong("ch11.numerical_gradient", "forward difference")
def numerical_gradient(f, x, h):
    """forward differences"""
    flat = x.reshape(-1)
    out = torch.empty_like(flat)
    for i in range(flat.numel()):
        e = torch.zeros_like(flat)
        e[i] = h
        out[i] = (f((flat + e).reshape(x.shape)) - f(x)) / h
    return out.reshape(x.shape)


@wrong("ch11.numerical_gradient", "divide by 2h")
def numerical_gradient(f, x, h):  # noqa: F811
    """central differences divided by h"""
    flat = x.reshape(-1)
    out = torch.empty_like(flat)
    for i in range(flat.numel()):
        e = torch.zeros_like(flat)
        e[i] = h
        out[i] = (f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / h
    return out.reshape(x.shape)


@wrong("ch11.numerical_gradient", "modified its input")
def numerical_gradient(f, x, h):  # noqa: F811
    """nudges x in place and forgets to put the last entry back"""
    flat = x.view(-1)
    out = torch.empty_like(flat)
    for i in range(flat.numel()):
        old = flat[i].item()
        flat[i] = old + h
        up = f(x)
        flat[i] = old - h
        out[i] = (up - f(x)) / (2 * h)
        if i < flat.numel() - 1:
            flat[i] = old
    return out.reshape(x.shape)


@wrong("ch11.numerical_gradient", "every entry at once")
def numerical_gradient(f, x, h):  # noqa: F811
    """moves every entry by h together"""
    d = (f(x + h) - f(x - h)) / (2 * h)
    return torch.full_like(x, float(d))


@correct("ch11.numerical_gradient")
def numerical_gradient(f, x, h):  # noqa: F811
    """all the perturbed points at once from an identity matrix"""
    n = x.numel()
    eye = torch.eye(n, dtype=x.dtype, device=x.device) * h
    vals = [(f(x + eye[i].reshape(x.shape)) - f(x - eye[i].reshape(x.shape))) / (2 * h)
            for i in range(n)]
    return torch.stack(vals).reshape(x.shape) if n else torch.empty_like(x)


# -- 3. autograd_gradient -------------------------------------------------------------------

@wrong("ch11.autograd_gradient", "x was left requiring grad")
def autograd_gradient(f, x):
    """turns on requires_grad on the caller's x"""
    x.requires_grad_(True)
    y = f(x)
    (g,) = torch.autograd.grad(y, x)
    return g


@wrong("ch11.autograd_gradient", "still requires grad")
def autograd_gradient(f, x):  # noqa: F811
    """create_graph=True and no detach"""
    leaf = x.detach().requires_grad_(True)
    (g,) = torch.autograd.grad(f(leaf), leaf, create_graph=True)
    return g


@wrong("ch11.autograd_gradient", "finite differences")
def autograd_gradient(f, x):  # noqa: F811
    """central differences instead of autograd"""
    flat = x.reshape(-1).double()
    out = torch.empty_like(flat)
    for i in range(flat.numel()):
        e = torch.zeros_like(flat)
        e[i] = 1e-3
        out[i] = (f((flat + e).reshape(x.shape)) - f((flat - e).reshape(x.shape))) / 2e-3
    return out.reshape(x.shape).to(x.dtype)


@wrong("ch11.autograd_gradient", "f(x) itself")
def autograd_gradient(f, x):  # noqa: F811
    """returns the value, broadcast"""
    return f(x) * torch.ones_like(x)


@correct("ch11.autograd_gradient")
def autograd_gradient(f, x):  # noqa: F811
    """backward() on a clone, then read .grad"""
    leaf = x.clone().detach().requires_grad_(True)
    f(leaf).backward()
    return leaf.grad.detach()


# -- 4. mse_gradient ------------------------------------------------------------------------

@wrong("ch11.mse_gradient", "factor 2")
def mse_gradient(x, y, w):
    """forgets the 2"""
    return x.T @ (x @ w - y) / x.shape[0]


@wrong("ch11.mse_gradient", "divide by n")
def mse_gradient(x, y, w):  # noqa: F811
    """the gradient of the sum"""
    return 2 * x.T @ (x @ w - y)


@wrong("ch11.mse_gradient", "the sign")
def mse_gradient(x, y, w):  # noqa: F811
    """residual y - x w without the minus"""
    return 2 / x.shape[0] * x.T @ (y - x @ w)


@wrong("ch11.mse_gradient", "without autograd")
def mse_gradient(x, y, w):  # noqa: F811
    """autograd (fails under torch.no_grad())"""
    w = w.clone().requires_grad_(True)
    loss = ((x @ w - y) ** 2).mean()
    return torch.autograd.grad(loss, w)[0]


@correct("ch11.mse_gradient")
def mse_gradient(x, y, w):  # noqa: F811
    """einsum with the mean written out"""
    r = torch.einsum("nd,d->n", x, w) - y
    return 2 * torch.einsum("nd,n->d", x, r) / len(y)


# -- 5. sgd_step ----------------------------------------------------------------------------

@wrong("ch11.sgd_step", "shares memory")
def sgd_step(params, grads, lr):
    """updates in place and returns the same tensors"""
    for p, g in zip(params, grads):
        p.sub_(lr * g)
    return params


@wrong("ch11.sgd_step", "not p + lr * g")
def sgd_step(params, grads, lr):  # noqa: F811
    """adds the gradient"""
    return [p + lr * g for p, g in zip(params, grads)]


@wrong("ch11.sgd_step", "not g alone")
def sgd_step(params, grads, lr):  # noqa: F811
    """forgets the learning rate"""
    return [p - g for p, g in zip(params, grads)]


@correct("ch11.sgd_step")
def sgd_step(params, grads, lr):  # noqa: F811
    """torch.add with alpha"""
    return [torch.add(p, g, alpha=-lr) for p, g in zip(params, grads)]


# -- 6. momentum_step -----------------------------------------------------------------------

@wrong("ch11.momentum_step", "not the averaged")
def momentum_step(param, grad, velocity, lr, beta):
    """the exponential-average form of the velocity"""
    v = beta * velocity + (1 - beta) * grad
    return param - lr * v, v


@wrong("ch11.momentum_step", "new velocity")
def momentum_step(param, grad, velocity, lr, beta):  # noqa: F811
    """steps with the old velocity"""
    return param - lr * velocity, beta * velocity + grad


@wrong("ch11.momentum_step", "in that order")
def momentum_step(param, grad, velocity, lr, beta):  # noqa: F811
    """returns (velocity, param)"""
    v = beta * velocity + grad
    return v, param - lr * v


@correct("ch11.momentum_step")
def momentum_step(param, grad, velocity, lr, beta):  # noqa: F811
    """torch.lerp-free, written with add"""
    v = torch.add(grad, velocity, alpha=beta)
    return torch.add(param, v, alpha=-lr), v


# -- 7. adam_step ---------------------------------------------------------------------------

@wrong("ch11.adam_step", "bias correction is missing")
def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    """no bias correction"""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return param - lr * m / (v.sqrt() + eps), m, v


@wrong("ch11.adam_step", "outside the square root")
def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):  # noqa: F811
    """eps inside the sqrt"""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / (v_hat + eps).sqrt(), m, v


@wrong("ch11.adam_step", "t counts from 1")
def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):  # noqa: F811
    """bias correction with t + 1"""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


@wrong("ch11.adam_step", "squared gradient")
def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):  # noqa: F811
    """second moment of |g|"""
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad.abs()
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


@correct("ch11.adam_step")
def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):  # noqa: F811
    """torch.lerp for the moments, the step size folded as in the Adam paper's note"""
    m = torch.lerp(grad, m, beta1)
    v = torch.lerp(grad * grad, v, beta2)
    denom = (v / (1 - beta2 ** t)).sqrt() + eps
    return param - (lr / (1 - beta1 ** t)) * m / denom, m, v


# -- 8. fit_linear_regression ---------------------------------------------------------------

def _fit(x, y, lr, steps, two=2.0, mean=True, sequential=False, extra=0):
    w = torch.zeros(x.shape[1], dtype=x.dtype)
    b = torch.zeros((), dtype=x.dtype)
    n = x.shape[0] if mean else 1
    for _ in range(steps + extra):
        r = x @ w + b - y
        w = w - lr * two / n * (x.T @ r)
        if sequential:
            r = x @ w + b - y
        b = b - lr * two / n * r.sum()
    return w, b


@wrong("ch11.fit_linear_regression", "factor 2")
def fit_linear_regression(x, y, lr, steps):
    """forgets the 2 in both gradients"""
    return _fit(x, y, lr, steps, two=1.0)


@wrong("ch11.fit_linear_regression", "before updating either")
def fit_linear_regression(x, y, lr, steps):  # noqa: F811
    """updates w, then computes b's gradient with the new w"""
    return _fit(x, y, lr, steps, sequential=True)


@wrong("ch11.fit_linear_regression", "divide the gradients by n")
def fit_linear_regression(x, y, lr, steps):  # noqa: F811
    """gradients of the summed loss"""
    return _fit(x, y, lr, steps, mean=False)


@wrong("ch11.fit_linear_regression", "one too many")
def fit_linear_regression(x, y, lr, steps):  # noqa: F811
    """range(steps + 1)"""
    return _fit(x, y, lr, steps, extra=1)


@correct("ch11.fit_linear_regression")
def fit_linear_regression(x, y, lr, steps):  # noqa: F811
    """autograd for the gradients, updated together"""
    w = torch.zeros(x.shape[1], dtype=x.dtype, requires_grad=True)
    b = torch.zeros((), dtype=x.dtype, requires_grad=True)
    for _ in range(steps):
        loss = ((x @ w + b - y) ** 2).mean()
        gw, gb = torch.autograd.grad(loss, (w, b))
        with torch.no_grad():
            w = (w - lr * gw).requires_grad_(True)
            b = (b - lr * gb).requires_grad_(True)
    return w.detach(), b.detach()


# -- 9. jacobian ----------------------------------------------------------------------------

@wrong("ch11.jacobian", "transposed")
def jacobian(f, x):
    """(in, out) instead of (out, in)"""
    j = torch.autograd.functional.jacobian(f, x)
    return j.reshape(f(x).numel(), x.numel()).T


@wrong("ch11.jacobian", "expected shape")
def jacobian(f, x):  # noqa: F811
    """leaves the Jacobian in the shape out.shape + x.shape"""
    return torch.autograd.functional.jacobian(f, x)


@wrong("ch11.jacobian", "expected")
def jacobian(f, x):  # noqa: F811
    """forward differences in the input's dtype"""
    out = f(x).reshape(-1)
    cols = []
    flat = x.reshape(-1)
    for j in range(flat.numel()):
        e = torch.zeros_like(flat)
        e[j] = 1e-3
        cols.append((f((flat + e).reshape(x.shape)).reshape(-1) - out) / 1e-3)
    return torch.stack(cols, dim=1)


@correct("ch11.jacobian")
def jacobian(f, x):  # noqa: F811
    """torch.func.jacrev, flattened"""
    j = torch.func.jacrev(f)(x)
    return j.reshape(-1, x.numel())
