"""Closeness that depends on dtype and device, and messages that say what differs."""
from __future__ import annotations

import math
from typing import Any, Callable, Mapping

import numpy as np
import torch

_TOL = {  # (rtol, atol) by dtype for values of ordinary magnitude (see ``tolerance``)
    torch.float64: (1e-7, 1e-9),
    torch.float32: (2e-5, 2e-6),
    torch.float16: (2e-2, 2e-3),
    torch.bfloat16: (3e-2, 3e-3),
}


def epsilon(dtype: torch.dtype, device: str | torch.device = "cpu") -> float:
    """The dtype's machine epsilon (TF32's where CUDA float32 matmuls may use it)."""
    if dtype == torch.float32 and torch.device(device).type == "cuda" and \
            torch.backends.cuda.matmul.allow_tf32:
        return 2.0 ** -10
    return torch.finfo(dtype).eps if dtype.is_floating_point else 0.0


def tolerance(dtype: torch.dtype, device: str | torch.device = "cpu",
              exponent: float = 0.0) -> tuple[float, float]:
    """(rtol, atol) for results of ``dtype`` (see ``close`` for how they apply).

    ``exponent``: the magnitude of the values that pass through an exp (softmax scores of
    +-1000: 1000). An error of one rounding in such a value, e * eps, becomes a relative error
    of e * eps in the result, whichever correct route computed it (max shift, logsumexp), so
    both tolerances grow by 4 * eps * exponent.
    """
    rtol, atol = _TOL.get(dtype, (0.0, 0.0))
    if dtype == torch.float32 and torch.device(device).type != "cpu":
        rtol, atol = 5e-3, 5e-4
    if exponent:
        extra = 4 * epsilon(dtype, device) * abs(float(exponent))
        rtol, atol = rtol + extra, atol + extra
    return rtol, atol


def close(got: torch.Tensor, want: torch.Tensor, rtol: float, atol: float,
          scale: float = 0.0) -> bool:
    """|got - want| <= rtol * |want| + atol * S everywhere, S = max(max |want|, scale);
    inf and NaN must match exactly.

    S is the magnitude of the values the computation passes through, in the result's units:
    the result's own largest entry unless the grader knows better (``scale``: the values
    behind a result that cancels to near 0). There is no floor at 1, so a result whose
    expected values are all tiny is still compared relative to them: rows divided by eps
    instead of their norm fail at 1e-6 as they do at 1.

    Computed in NumPy: the tensors are small and a grader compares hundreds of them per
    student, where each torch operation's dispatch would cost more than the arithmetic."""
    if got.shape != want.shape:
        return False
    g = _float64(got)
    w = _float64(want)
    finite = np.isfinite(w)
    if not finite.all():
        if not np.array_equal(finite, np.isfinite(g)) or \
                not np.array_equal(np.nan_to_num(g[~finite]), np.nan_to_num(w[~finite])):
            return False
        if not finite.any():
            return True
        g, w = g[finite], w[finite]
    elif not np.isfinite(g).all():
        return False
    if w.size == 0:
        return True
    aw = np.abs(w)
    s = max(float(aw.max()), float(scale))
    return bool((np.abs(g - w) <= atol * s + rtol * aw).all())


def _float64(x: torch.Tensor) -> np.ndarray:
    return x.detach().to("cpu", torch.float64).numpy()


def show(x: Any, limit: int = 16) -> str:
    """A short rendering of a value for a message: full for tiny tensors, a summary otherwise."""
    if isinstance(x, torch.Tensor):
        dt = str(x.dtype).replace("torch.", "")
        if x.numel() <= limit:
            vals = x.detach().cpu()
            if vals.is_floating_point():
                vals = vals.double().round(decimals=4)
            return f"{vals.tolist()} ({dt})"
        return f"tensor of shape {tuple(x.shape)} ({dt})"
    if isinstance(x, torch.Generator):
        return f"torch.Generator().manual_seed({x.initial_seed()})"
    if isinstance(x, np.ndarray):
        return f"np.array({show(x.tolist(), limit)}, dtype={x.dtype})" if x.size <= limit \
            else f"<an array of shape {x.shape}, {x.dtype}>"
    if isinstance(x, float):
        return repr(round(x, 4)) if x == 0 or 1e-4 <= abs(x) < 1e6 else f"{x:.3g}"
    if isinstance(x, torch.Size):
        return f"torch.Size({list(x)})"
    if isinstance(x, dict):  # parameter dicts: names and shapes, never whole tensors
        inner = ", ".join(f"{k!r}: {show(v, 0)}" for k, v in list(x.items())[:4])
        return "{" + inner + (", ...}" if len(x) > 4 else "}")
    if isinstance(x, (list, tuple)):
        inner = ", ".join(show(v, limit) for v in x[:6]) + (", ..." if len(x) > 6 else "")
        if isinstance(x, list):
            return f"[{inner}]"
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    text = repr(x)
    return text if len(text) < 120 else text[:117] + "..."


def first_difference(got: torch.Tensor, want: torch.Tensor) -> str:
    g, w = got.detach().cpu().double(), want.detach().cpu().double()
    err = (g - w).abs().nan_to_num(nan=float("inf"))
    bad = (err > 0) | (g.isnan() != w.isnan())
    if bad.any():  # point at the worst entry, not the first harmless rounding difference
        bad = err == err.max()
    idx = tuple(int(i) for i in bad.nonzero()[0]) if bad.any() else ()
    where = f"at index {list(idx)}" if idx else ""
    if not idx:
        return ""
    if not want.is_floating_point():  # bools and ints as themselves
        return f"{where}: expected {want[idx].item()!r}, got {got[idx].item()!r}"
    return f"{where}: expected {w[idx].item():.10g}, got {g[idx].item():.10g}"


def which_mistake(got, args: tuple, mistakes: Mapping[str, Callable] | None,
                  rtol: float, atol: float) -> str | None:
    """The named mistakes whose (wrong) oracles reproduce ``got``; when several do on this
    input (with T = H**2, dividing by H and by sqrt(T) agree), all of them, joined by "or"."""
    found = []
    for message, wrong in (mistakes or {}).items():
        try:
            w = wrong(*args)
        except Exception:
            continue
        if _same_tree(got, w, max(rtol, 1e-4), max(atol, 1e-5)):
            found.append(message)
    return "; or ".join(found) if found else None


def _same_tree(got, w, rtol: float, atol: float) -> bool:
    """``got`` matches the wrong oracle's ``w``: a tensor, a float, or a tuple/list of them
    (a step that returns (param, state) matched as a whole)."""
    if isinstance(w, torch.Tensor):
        return isinstance(got, torch.Tensor) and w.shape == got.shape and \
            close(got, w, rtol, atol)
    if isinstance(w, float) and not isinstance(got, bool) and isinstance(got, (int, float)):
        if not math.isfinite(w):  # a diverging mistake: nan where it gives nan
            return (math.isnan(w) and math.isnan(got)) or got == w
        return math.isfinite(got) and math.isclose(got, w, rel_tol=max(rtol, 1e-9),
                                                   abs_tol=atol * max(1.0, abs(w)))
    if isinstance(w, (tuple, list)) and isinstance(got, (tuple, list)) and len(w) == len(got) \
            and len(w) > 0:
        return all(_same_tree(g, x, rtol, atol) for g, x in zip(got, w))
    return False

