"""**rand**: exercises that take a ``torch.Generator`` are graded by seeded properties.

Never by one particular draw order (``torch.rand`` and ``torch.empty().uniform_`` may draw
differently and are both right). The properties:

- ``reproducible``: equal seeds give equal draws even when torch's global RNG is seeded
  differently just before each call; other seeds give other draws; the generator's own state
  advances, so two calls with one generator differ;
- ``in_range``: every entry in [lo, hi);
- ``moments`` and ``fraction``: sample statistics within 6 standard errors of the truth (a
  right answer fails with negligible probability), with ``mistakes`` that name the usual
  wrong (mean, std) pairs.

Everything goes through ``Implementation.call`` (``global_seed``, ``generator_states``), so
the checks hold when the implementation runs in another process.
"""
from __future__ import annotations

import math
from typing import Callable

import torch

from autograder.checks import figures


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def new_seed(g) -> int:
    return int(torch.randint(2 ** 62, (1,), generator=g.gen))


def tensor_of(g, check: str, call: str, got, dtype: torch.dtype, hint: str = "") -> bool:
    """Record a failure and return False unless ``got`` is a plain tensor of ``dtype``."""
    name = str(dtype).replace("torch.", "")
    if type(got) is not torch.Tensor:
        g.check(check, False, f"{call} returned a {type(got).__name__}; expected a torch.Tensor "
                              f"({name}): build it with a torch function")
        return False
    if got.dtype != dtype:
        g.check("dtype", False, f"{call} returned dtype {str(got.dtype).replace('torch.', '')};"
                                f" the catalog asks for {name}: "
                                + (hint or f"create it with dtype={dtype}"))
        return False
    g.check("dtype", True)
    return True


def draw(g, check: str, args: tuple, dtype: torch.dtype, shape: tuple, *,
         global_seed: int | None = None, dtype_hint: str = ""):
    """(tensor, outcome) of one call of a rand exercise, or (None, outcome) after recording
    what is wrong with the result."""
    out = g.call(check, *args, global_seed=global_seed)
    if out is None:
        return None, None
    call, got = g.call_text(args), out.value
    if not tensor_of(g, check, call, got, dtype, dtype_hint):
        return None, out
    if tuple(got.shape) != tuple(shape):
        g.check("shape", False, f"{call} has shape {tuple(got.shape)}; expected {shape}: pass "
                                "the shape tuple as the size",
                figures.shapes(shape, got.shape))
        return None, out
    if got.device.type != "cpu":
        g.check("device", False, f"{call} is on {got.device}; create it on the CPU, where the "
                                 "generator lives")
        return None, out
    g.check("shape", True)
    return got, out


def in_range(g, call: str, x: torch.Tensor, lo, hi, hint: str) -> None:
    """Every entry in [lo, hi)."""
    if x.numel() == 0:
        return
    low, high = x.min().item(), x.max().item()
    g.check("range", low >= lo and high < hi,
            f"{call}: every entry must lie in [{lo}, {hi}), but the minimum is {low:.6g} and "
            f"the maximum is {high:.6g}: {hint}")


def reproducible(g, make_args: Callable[[tuple, torch.Generator], tuple], dtype: torch.dtype,
                 shape: tuple, dtype_hint: str = "") -> None:
    """Equal seeds give equal draws whatever the global RNG does; the generator advances."""
    s = new_seed(g)
    first, _ = draw(g, "same_seed", make_args(shape, generator(s)), dtype, shape,
                    global_seed=1, dtype_hint=dtype_hint)
    again, _ = draw(g, "same_seed", make_args(shape, generator(s)), dtype, shape,
                    global_seed=2, dtype_hint=dtype_hint)
    if first is None or again is None:
        return
    call = g.call_text(make_args(shape, generator(s)))
    g.check("same_seed", torch.equal(first, again),
            f"two calls {call}, with the global RNG seeded differently in between, gave "
            "different results: every random number must come from the generator argument "
            "(generator=generator), not from the global RNG (torch.manual_seed, numpy, random)")
    other, _ = draw(g, "different_seeds", make_args(shape, generator(s + 1)), dtype, shape,
                    dtype_hint=dtype_hint)
    if other is not None:
        g.check("different_seeds", not torch.equal(first, other),
                f"generators seeded with {s} and {s + 1} gave the same draws: "
                "draw from the generator you are given, do not create or seed your own")
    # One generator used twice: the implementation must advance it (the call reports the
    # generator's state afterwards), so the second call continues where the first stopped.
    gen = generator(s)
    start = gen.get_state()
    one, out = draw(g, "generator_advances", make_args(shape, gen), dtype, shape,
                    dtype_hint=dtype_hint)
    if one is None:
        return
    after = out.generator_states[0] if out.generator_states else start
    two, _ = draw(g, "generator_advances", make_args(shape, generator(s).set_state(after)),
                  dtype, shape, dtype_hint=dtype_hint)
    if two is not None:
        g.check("generator_advances", not torch.equal(after, start) and
                not torch.equal(one, two),
                f"two calls with one generator ({call}, then again with the same generator) "
                "gave the same draws: draw from the generator itself so that its state "
                "advances; do not re-seed anything from it")


def moments(g, call: str, x: torch.Tensor, mean: float, std: float,
            mistakes: dict[str, tuple[float, float]]) -> None:
    """Sample mean and std within 6 standard errors; ``mistakes`` maps a message to the
    (mean, std) that mistake would give."""
    n = x.numel()
    m, s = x.double().mean().item(), x.double().std().item()

    def near(mu, sigma):
        return abs(m - mu) <= 6 * sigma / math.sqrt(n) + 1e-9 and \
            abs(s - sigma) <= 6 * sigma / math.sqrt(2 * n) + 1e-9

    hint = next((msg for msg, (mu, sigma) in mistakes.items() if near(mu, sigma)), None)
    g.check("moments", near(mean, std),
            f"{call}: {n} draws have mean {m:.4g} and standard deviation {s:.4g}; expected "
            f"about {mean:.4g} and {std:.4g}" + (f": {hint}" if hint else ""))


def fraction(g, check: str, call: str, name: str, got: float, want: float, n: int,
             hint: str) -> None:
    """An observed fraction of n draws within 6 standard errors of the expected one."""
    tol = 6 * math.sqrt(want * (1 - want) / n)
    g.check(check, abs(got - want) <= tol,
            f"{call}: {100 * got:.1f}% of the draws {name}; expected about "
            f"{100 * want:.1f}%: {hint}")
