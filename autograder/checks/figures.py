"""Small pictures of a failed check, carried in the result JSON to the feedback page.

A check's ``figure`` (``Report.record(..., figure=...)``, ``Grading.check``/``expect``) is one
of two plain-JSON payloads, drawn by ``autograder/engine/feedback.py`` (SVG in the HTML page,
a fixed-width grid in the markdown):

- ``{"kind": "heatmaps", "title": str, "panels": [{"label": str, "matrix": [[v, ...]]}, ...],
  "future": bool, "blocked": [[bool]] (optional), "note": str (optional)}``: (T, T) matrices
  side by side (the student's attention weights beside the expected ones, or which output
  positions depend on which input positions beside the allowed lower triangle). ``future``:
  cells with j > i are marked (they must get no weight); ``blocked``: other cells that must
  get none (a masked_softmax mask). Values are rounded to 3 decimals; inf, -inf and NaN are
  the strings "inf", "-inf", "nan" (JSON has no such numbers).
- ``{"kind": "shapes", "expected": [int], "got": [int]}``: a shape check that failed.

Payloads stay small: one case (the first batch element and head), at most ``MAX_T`` rows and
columns, and never an expected value beyond that one case.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

import torch

MAX_T = 8  # rows and columns of a heatmap, at most


def cell(x: float) -> float | str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    v = round(float(x), 3)
    return 0.0 if v == 0 else v  # no "-0.0"


def matrix(x: torch.Tensor) -> list[list[float | str]] | None:
    """The first (rows, cols) slice of ``x`` (index 0 along every leading axis), cut to
    MAX_T x MAX_T and rounded; None for what is not a tensor of at least one dimension."""
    if not isinstance(x, torch.Tensor) or x.dim() == 0 or x.numel() == 0:
        return None
    x = x.detach().cpu()
    while x.dim() > 2:
        x = x[0]
    if x.dim() == 1:
        x = x[None]
    x = x[:MAX_T, :MAX_T]
    if x.is_complex():
        return None
    return [[cell(v) for v in row] for row in x.double().tolist()]


def heatmaps(title: str, panels: Sequence[tuple[str, Any]], *, future: bool = True,
             blocked: torch.Tensor | None = None, note: str = "") -> dict | None:
    """A heatmaps payload from ``(label, tensor)`` panels (each reduced by ``matrix``);
    None when a panel cannot be drawn or the panels differ in size."""
    mats = [(label, matrix(t)) for label, t in panels]
    if any(m is None for _, m in mats) or len({(len(m), len(m[0])) for _, m in mats}) != 1:
        return None
    fig = {"kind": "heatmaps", "title": title,
           "panels": [{"label": label, "matrix": m} for label, m in mats], "future": future}
    if blocked is not None:
        b = matrix(blocked.to(torch.float64))
        if b is not None and (len(b), len(b[0])) == (len(mats[0][1]), len(mats[0][1][0])):
            fig["blocked"] = [[bool(v) for v in row] for row in b]
    if note:
        fig["note"] = note
    return fig


def weights(title: str, got: Any, want: Any, *, future: bool = True,
            blocked: torch.Tensor | None = None, label: str = "your weights") -> dict | None:
    """The student's (T, T) weights (or scores, or mask) beside the expected ones."""
    if not (isinstance(got, torch.Tensor) and isinstance(want, torch.Tensor)) or \
            got.shape != want.shape:
        return None
    return heatmaps(title, [(label, got), ("expected", want)], future=future, blocked=blocked)


def shapes(expected: Sequence[int], got: Sequence[int]) -> dict:
    return {"kind": "shapes", "expected": [int(d) for d in expected],
            "got": [int(d) for d in got]}


def allowed_lower(T: int) -> torch.Tensor:
    """1 where output position i may depend on input position j (j <= i), else 0."""
    return torch.ones(T, T, dtype=torch.float64).tril()
