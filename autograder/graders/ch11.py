"""Hidden graders for ch11 - Gradients and optimisation.

Exercises that take a function get a ``Probe`` (autograder/checks/probes.py): a named function
the worker rebuilds from its name and parameters. Oracles are autograd in float64 (the
gradient, the Jacobian) and the update rules written as short float64 loops, never
solutions/. Update rules are graded with hyper-parameters that tell the usual mistakes apart
(eps large enough that inside or outside the square root matters, early steps where Adam's
bias correction is large, sizes where a mean and a sum differ).
"""
import math

import torch

from autograder.checks.grading import FLOATS
from autograder.checks.probes import Probe
from autograder.graders import grader

t = torch.tensor


# -- 1. gradient_descent_1d -----------------------------------------------------------------

def _descend(df, x0, lr, tol, max_steps, applied=True, extra=0, sign=-1.0, on_grad=False):
    """The rule as a loop; the keyword arguments make the usual mistakes."""
    x = float(x0)
    for _ in range(max_steps + extra):
        x_new = x + sign * lr * df(x)
        done = abs(df(x)) < tol if on_grad else abs(x_new - x) < tol
        if done and not applied:
            return x
        x = x_new
        if done:
            break
    return x


_GD_MISTAKES = {
    "the step that gets below tol is applied before stopping (stop after it, not before)":
        lambda df, x0, lr, tol, n: _descend(df, x0, lr, tol, n, applied=False),
    "at most max_steps steps: your loop takes one step too many":
        lambda df, x0, lr, tol, n: _descend(df, x0, lr, tol, n, extra=1),
    "descend: x_new = x - lr * df(x), not x + lr * df(x)":
        lambda df, x0, lr, tol, n: _descend(df, x0, lr, tol, n, sign=1.0),
    "stop on the size of the step |x_new - x| < tol, not on |df(x)| < tol":
        lambda df, x0, lr, tol, n: _descend(df, x0, lr, tol, n, on_grad=True),
}


@grader("ch11.gradient_descent_1d")
def gradient_descent_1d(g):
    book = Probe("polynomial", coeffs=[0.0, -6.0, 3.0])  # 3x^2 - 6x, the book's P51
    cases = [(book, 4.0, 0.01, 1e-6, 10000), (book, 4.0, 0.01, 1e-12, 7),  # max_steps binds
             (book, 4.0, 0.01, 1e-3, 10000),  # tol binds while the steps are still large
             (book, 0.5, 0.05, 1e-4, 500), (book, 4.0, 0.01, 1e-6, 0)]  # no step at all
    for _ in range(3):
        a, c = (float(v) for v in g.uniform(2, lo=0.5, hi=3.0))
        df = Probe("polynomial", coeffs=[-2 * a * c, 2 * a])  # d/dx a (x - c)^2
        x0, lr = float(g.uniform(1, lo=-5, hi=5)), float(g.uniform(1, lo=0.05, hi=0.3)) / a
        cases.append((df, x0, lr, float(10 ** -g.uniform(1, lo=2, hi=5)), 1000))
        cases.append((df, x0, lr, 1e-15, int(g.randint(6, 1)) + 1))
    for args in cases:
        out = g.expect("random_inputs", args, _descend(*args), mistakes=_GD_MISTAKES)
        if out is None:
            return


# -- 2. numerical_gradient ------------------------------------------------------------------

def _central(f, x, h, forward=False, over=2.0, all_at_once=False):
    x = x.double()
    grad = torch.zeros_like(x).reshape(-1)
    for i in range(x.numel()):
        e = torch.zeros_like(x).reshape(-1)
        if all_at_once:
            e += h
        else:
            e[i] = h
        e = e.reshape(x.shape)
        grad[i] = (f(x + e) - f(x)) / h if forward else (f(x + e) - f(x - e)) / (over * h)
    return grad.reshape(x.shape)


_NUMGRAD_MISTAKES = {
    "that is the forward difference (f(x + h) - f(x)) / h; use the central one, "
    "(f(x + h e_i) - f(x - h e_i)) / (2h)": lambda f, x, h: _central(f, x, h, forward=True),
    "divide by 2h: the two points are 2h apart": lambda f, x, h: _central(f, x, h, over=1.0),
    "step one entry at a time (h e_i), not every entry at once":
        lambda f, x, h: _central(f, x, h, all_at_once=True),
}


def _fs(g, shape, dtype):
    yield Probe("sum_of_powers", power=3, weight=g.randn(*shape, dtype=torch.float64))
    yield Probe("softplus_sum", scale=float(g.uniform(1, lo=0.5, hi=2.0)))


@grader("ch11.numerical_gradient")
def numerical_gradient(g):
    for dtype in FLOATS:
        h = 1e-3 if dtype == torch.float64 else 1e-2
        a, b, c = g.dims(3, 2, 5)
        for shape in ((a,), (1,), (), (a, b), (b, c, a)):
            x = g.randn(*shape, dtype=dtype)
            for f in _fs(g, shape, dtype):
                # the values pass through f (size |f|) divided by h: rounding scales so
                fx = float(f(x.double()).abs()) + float(x.abs().max() if x.numel() else 0)
                for args in g.layouts(f, x, h):
                    out = g.expect("random_inputs", args, _central(*args).to(dtype),
                                   mistakes=_NUMGRAD_MISTAKES, scale=fx / h)
                    if out is None:
                        return


# -- 3. autograd_gradient -------------------------------------------------------------------

def _autograd(f, x):
    leaf = x.detach().double().requires_grad_(True)
    (grad,) = torch.autograd.grad(f(leaf), leaf)
    return grad.to(x.dtype)


def _grad_state(g, out, call: str) -> None:
    """The catalog's rule: no autograd state leaks (on its own line: a breach costs all)."""
    g.check("no_grad_state_leaks", not out.grad_leaks and not out.result_requires_grad,
            f"{call}: " + ("x was left requiring grad (or holding .grad): differentiate a "
                           "copy, x.detach().requires_grad_(True), not x itself"
                           if out.grad_leaks else
                           "the result still requires grad: return the gradient detached "
                           "(no create_graph, or .detach())"))


@grader("ch11.autograd_gradient")
def autograd_gradient(g):
    mistakes = {"that is f(x) itself, not its gradient": lambda f, x: f(x) * torch.ones_like(x),
                "that looks like finite differences: use autograd (torch.autograd.grad or "
                "backward) for the exact gradient":
                    lambda f, x: _central(f, x, 1e-3).to(x.dtype)}
    for dtype in FLOATS:
        a, b = g.dims(2, 2, 6)
        for shape in ((a,), (), (a, b)):
            x = g.randn(*shape, dtype=dtype)
            for f in _fs(g, shape, dtype):
                for args in g.layouts(f, x):
                    out = g.expect("random_inputs", args, _autograd(*args), mistakes=mistakes)
                    if out is None:
                        return
                    _grad_state(g, out, g.call_text(args))


# -- 4. mse_gradient ------------------------------------------------------------------------

def _mse_grad(x, y, w, factor=2.0, mean=True, sign=1.0):
    leaf = w.detach().clone().requires_grad_(True)
    r = sign * (x @ leaf - y)
    loss = (r * r).mean() if mean else (r * r).sum()
    (grad,) = torch.autograd.grad(loss, leaf)
    return grad * factor / 2


_MSE_MISTAKES = {
    "the factor 2 from the square is missing: (2 / N) x^T (x w - y)":
        lambda x, y, w: _mse_grad(x, y, w, factor=1.0),
    "the loss is the mean over the N rows: divide by N, not leave the sum":
        lambda x, y, w: _mse_grad(x, y, w, mean=False),
    "divide by N (the rows), not by D":
        lambda x, y, w: _mse_grad(x, y, w) * x.shape[0] / x.shape[1],
    "the sign: the residual is x @ w - y (with y - x @ w the gradient needs a minus)":
        lambda x, y, w: -_mse_grad(x, y, w),
}


@grader("ch11.mse_gradient")
def mse_gradient(g):
    for dtype in FLOATS:
        for n, d in (g.dims(2), g.dims(2), (1, 3), (4, 1)):
            x, y, w = g.randn(n, d, dtype=dtype), g.randn(n, dtype=dtype), g.randn(d, dtype=dtype)
            for args in g.layouts(x, y, w):
                want = g.oracle64(_mse_grad, *args)
                scale = float((args[0].abs().T.double() @ (args[0].abs().double() @
                              args[2].abs().double() + args[1].abs().double())).max()) \
                    * 2 / n  # the products summed, in the result's units
                out = g.call("random_inputs", *args, no_grad=True,
                             hint="mse_gradient runs under torch.no_grad(): compute the "
                                  "gradient in closed form, without autograd")
                if out is None:
                    return
                g.expect("random_inputs", args, want, outcome=out, mistakes=_MSE_MISTAKES,
                         scale=scale)


# -- 5. sgd_step ----------------------------------------------------------------------------

_SGD_MISTAKES = {
    "descend: p - lr * g, not p + lr * g":
        lambda ps, gs, lr: [p + lr * q for p, q in zip(ps, gs)],
    "params and grads are swapped: p - lr * g": lambda ps, gs, lr: [q - lr * p for p, q in
                                                                    zip(ps, gs)],
    "the step is lr * g, not g alone": lambda ps, gs, lr: [p - q for p, q in zip(ps, gs)],
}


@grader("ch11.sgd_step")
def sgd_step(g):
    for dtype in FLOATS:
        shapes = [(g.dims(1)[0],), (), tuple(g.dims(2)), (1, 1, 3)]
        ps = [g.randn(*s, dtype=dtype) for s in shapes]
        gs = [g.randn(*s, dtype=dtype) for s in shapes]
        lr = float(g.uniform(1, lo=0.05, hi=0.5))
        for args in ((ps, gs, lr), (ps[:1], gs[:1], lr), ([], [], lr),
                     ([g.noncontiguous(p) for p in ps], gs, lr)):
            want = [g.oracle64(lambda p, q: p - lr * q, p, q) for p, q in zip(*args[:2])]
            out = g.expect("random_inputs", args, want, mistakes=_SGD_MISTAKES, shares=False)
            if out is None:
                return


# -- 6. momentum_step -----------------------------------------------------------------------

def _momentum(p, grad, v, lr, beta, ema=False, old=False, swap=False, sign=-1.0):
    new_v = beta * v + (1 - beta) * grad if ema else beta * v + grad
    p_new = p + sign * lr * (v if old else new_v)
    return (new_v, p_new) if swap else (p_new, new_v)


_MOMENTUM_MISTAKES = {
    "the velocity is beta * v + grad (not the averaged beta * v + (1 - beta) * grad)":
        lambda *a: _momentum(*a, ema=True),
    "update the parameter with the NEW velocity (compute v first)":
        lambda *a: _momentum(*a, old=True),
    "return (new param, new velocity), in that order": lambda *a: _momentum(*a, swap=True),
    "descend: param - lr * v, not param + lr * v": lambda *a: _momentum(*a, sign=1.0),
}


@grader("ch11.momentum_step")
def momentum_step(g):
    for dtype in FLOATS:
        for shape in ((g.dims(1)[0],), (), tuple(g.dims(2))):
            p, grad, v = (g.randn(*shape, dtype=dtype) for _ in range(3))
            lr, beta = float(g.uniform(1, lo=0.05, hi=0.5)), float(g.uniform(1, lo=0.5, hi=0.95))
            for args in g.layouts(p, grad, v, lr, beta):
                if g.expect("random_inputs", args, g.oracle64(_momentum, *args),
                            mistakes=_MOMENTUM_MISTAKES) is None:
                    return


# -- 7. adam_step ---------------------------------------------------------------------------

def _adam(p, grad, m, v, t, lr, b1, b2, eps, correct=True, eps_inside=False, shift=0,
          abs_v=False, swap=False):
    m = b1 * m + (1 - b1) * grad
    v = b2 * v + (1 - b2) * (grad.abs() if abs_v else grad * grad)
    m_hat = m / (1 - b1 ** (t + shift)) if correct else m
    v_hat = v / (1 - b2 ** (t + shift)) if correct else v
    denom = (v_hat + eps).sqrt() if eps_inside else v_hat.sqrt() + eps
    new = p - lr * m_hat / denom
    return (new, v, m) if swap else (new, m, v)


_ADAM_MISTAKES = {
    "the bias correction is missing: m_hat = m / (1 - beta1^t), v_hat = v / (1 - beta2^t)":
        lambda *a: _adam(*a, correct=False),
    "eps goes outside the square root: sqrt(v_hat) + eps": lambda *a: _adam(*a, eps_inside=True),
    "t counts from 1: the correction is 1 - beta^t, with this step's t":
        lambda *a: _adam(*a, shift=1),
    "v averages the SQUARED gradient, g * g": lambda *a: _adam(*a, abs_v=True),
    "return (param, m, v) in that order": lambda *a: _adam(*a, swap=True),
}


@grader("ch11.adam_step")
def adam_step(g):
    for dtype in FLOATS:
        for shape, step in (((g.dims(1)[0],), 1), ((), 2), (tuple(g.dims(2)), 5), ((3,), 40)):
            p, grad = g.randn(*shape, dtype=dtype), g.randn(*shape, dtype=dtype) * 0.1
            m = g.randn(*shape, dtype=dtype) * 0.05
            v = g.uniform(*shape, lo=1e-4, hi=1e-2, dtype=dtype)
            # eps comparable to sqrt(v): inside or outside the root differ
            args = (p, grad, m, v, step, 0.01, 0.9, 0.999, 1e-2)
            for case in g.layouts(*args):
                if g.expect("random_inputs", case, g.oracle64(_adam, *case),
                            mistakes=_ADAM_MISTAKES) is None:
                    return


# -- 8. fit_linear_regression ---------------------------------------------------------------

def _fit(x, y, lr, steps, factor=2.0, mean=True, sequential=False, extra=0, fit_b=True):
    n, d = x.shape
    w = torch.zeros(d, dtype=x.dtype, device=x.device)
    b = torch.zeros((), dtype=x.dtype, device=x.device)
    for _ in range(steps + extra):
        r = x @ w + b - y
        div = n if mean else 1
        w_new = w - lr * factor / div * (x.T @ r)
        if sequential:  # b's gradient at the new w
            r = x @ w_new + b - y
        if fit_b:
            b = b - lr * factor / div * r.sum()
        w = w_new
    return w, b


_FIT_MISTAKES = {
    "the gradient of the squared error has a factor 2: dL/dw = (2/N) x^T r":
        lambda x, y, lr, s: _fit(x, y, lr, s, factor=1.0),
    "compute both gradients at the current (w, b) before updating either (b's gradient used "
    "the new w)": lambda x, y, lr, s: _fit(x, y, lr, s, sequential=True),
    "the loss is a mean over the rows: divide the gradients by N":
        lambda x, y, lr, s: _fit(x, y, lr, s, mean=False),
    "exactly `steps` steps: one too many": lambda x, y, lr, s: _fit(x, y, lr, s, extra=1),
    "the bias b is fitted too (its gradient is (2/N) sum(r))":
        lambda x, y, lr, s: _fit(x, y, lr, s, fit_b=False),
}


@grader("ch11.fit_linear_regression")
def fit_linear_regression(g):
    for dtype in FLOATS:
        for n, d, steps in ((*g.dims(2, 3, 9), 30), (*g.dims(2, 3, 9), 3), (1, 2, 4), (5, 1, 10),
                            (4, 3, 0)):
            x = g.randn(n, d, dtype=dtype)
            y = x @ g.randn(d, dtype=dtype) + 0.5 + 0.1 * g.randn(n, dtype=dtype)
            lr = 0.1 / max(1.0, float((x.double() ** 2).sum(1).mean()))
            for args in g.layouts(x, y, lr, steps):
                if g.expect("random_inputs", args, g.oracle64(_fit, *args),
                            mistakes=_FIT_MISTAKES, scale=1.0) is None:
                    return


# -- 9. jacobian ----------------------------------------------------------------------------

def _jacobian(f, x):
    out_numel = f(x).numel()
    j = torch.autograd.functional.jacobian(f, x.double())
    return j.reshape(out_numel, x.numel()).to(x.dtype)


_JAC_MISTAKES = {
    "the Jacobian is transposed: row i is the gradient of output i, J[i, j] = d out_i / d x_j":
        lambda f, x: _jacobian(f, x).T,
}


@grader("ch11.jacobian")
def jacobian(g):
    for dtype in FLOATS:
        n, m = g.dims(2, 2, 6)
        a, b = g.dims(2, 2, 4)
        cases = [(Probe("linear_map", a=g.randn(m, n, dtype=torch.float64)),
                  g.randn(n, dtype=dtype)),
                 (Probe("linear_map", a=g.randn(m, a * b, dtype=torch.float64)),
                  g.randn(a, b, dtype=dtype)),
                 (Probe("sin_times_square"), g.randn(n, dtype=dtype)),
                 (Probe("sin_times_square"), g.randn(a, b, dtype=dtype)),
                 (Probe("sum_of_powers", power=2), g.randn(n, dtype=dtype)),
                 (Probe("sin_times_square"), g.randn(1, dtype=dtype))]
        for f, x in cases:
            for args in g.layouts(f, x):
                if g.expect("random_inputs", args, _jacobian(*args),
                            mistakes=_JAC_MISTAKES) is None:
                    return
