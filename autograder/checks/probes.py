"""Functions a grader hands to a student's function (``df``, ``f`` in ch11), by name.

An exercise such as ``numerical_gradient(f, x, h)`` takes a function. The grading engine
never sends code to a worker, only plain data (``engine/wire.py``), so a grader passes a
``Probe``: a name from ``PROBES`` and its parameters. The judge and the worker build the same
callable from their own copy of this module (imported by the worker before it is confined),
so a probe crosses the wire as ``{"__probe": name, "params": ...}`` and nothing else.

Add a probe with ``@probe("name")`` on a factory that takes the parameters (plain data: numbers,
tensors, lists) and returns the function. Keep probes pure: a student's code may call them
any number of times, with any arguments.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

PROBES: dict[str, Callable[..., Callable]] = {}


def probe(name: str):
    def register(factory):
        PROBES[name] = factory
        return factory
    return register


class Probe:
    """A named, parameterised function; callable, comparable, and sendable over the wire."""

    def __init__(self, name: str, **params: Any):
        if name not in PROBES:
            raise KeyError(f"no probe named {name!r}")
        self.name, self.params = name, params
        self._fn = PROBES[name](**params)

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)

    def __eq__(self, other) -> bool:
        return type(other) is Probe and other.name == self.name and \
            _same(other.params, self.params)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from autograder.checks.compare import show

        inner = ", ".join(f"{k}={show(v, limit=6)}" for k, v in self.params.items())
        return f"{self.name}({inner})"

    def __deepcopy__(self, memo):
        return Probe(self.name, **{k: v.clone() if isinstance(v, torch.Tensor) else v
                                   for k, v in self.params.items()})


def _same(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return False
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, torch.Tensor) or isinstance(y, torch.Tensor):
            if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)
                    and x.shape == y.shape and torch.equal(x, y)):
                return False
        elif x != y:
            return False
    return True


# -- the probes ---------------------------------------------------------------------------------

@probe("polynomial")
def _polynomial(coeffs: list[float]):
    """p(x) = sum coeffs[i] x^i for a Python float or a tensor (elementwise)."""
    def p(x):
        out = 0.0
        for c in reversed(coeffs):
            out = out * x + c
        return out
    return p


@probe("sum_of_powers")
def _sum_of_powers(power: int, weight: torch.Tensor | None = None):
    """f(x) = sum(w * x**power) (a 0-d tensor) for a tensor x of any shape."""
    def f(x):
        y = x ** power
        return (y if weight is None else y * weight.to(x.dtype)).sum()
    return f


@probe("softplus_sum")
def _softplus_sum(scale: float = 1.0):
    """f(x) = sum(log(1 + exp(scale * x))): smooth, with a gradient of every sign."""
    def f(x):
        return torch.nn.functional.softplus(scale * x).sum()
    return f


@probe("linear_map")
def _linear_map(a: torch.Tensor):
    """f(x) = a @ x.flatten(): a vector function with the Jacobian a."""
    def f(x):
        return a.to(x.dtype) @ x.reshape(-1)
    return f


@probe("sin_times_square")
def _sin_times_square():
    """f(x) = sin(x) * x**2 elementwise (a vector function of x)."""
    def f(x):
        return torch.sin(x) * x ** 2
    return f
