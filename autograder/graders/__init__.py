"""Hidden graders: one ``grade(g)`` per exercise, registered by catalog id.

Each chapter module declares its graders with ``@grader("chNN.name")``; ``grade_exercise``
runs one against any ``Implementation`` on one device and returns its ``Report``.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

import torch

from autograder.checks.grading import GraderBug, Grading
from autograder.checks.report import Report

GRADERS: dict[str, Callable[[Grading], None]] = {}


def grader(exercise_id: str):
    def register(fn):
        GRADERS[exercise_id] = fn
        return fn

    return register


def load_graders() -> dict[str, Callable]:
    import autograder.graders as pkg

    for m in pkgutil.iter_modules(pkg.__path__):
        if m.name.startswith("ch"):
            importlib.import_module(f"{pkg.__name__}.{m.name}")
    return GRADERS


def available_devices() -> list[str]:
    out = ["cpu"]
    if torch.cuda.is_available():
        out.append("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        out.append("mps")
    return out


def grade_exercise(impl, exercise, device: str = "cpu", seed: str = "0") -> Report:
    """Run the hidden grader of ``exercise`` on ``impl``; never raises for a bad submission."""
    g = Grading(impl, exercise, device=device, seed=seed)
    fn = load_graders().get(exercise.id)
    if fn is None:
        g.check("grader", False, f"no grader is registered for {exercise.id}")
        return g.report
    try:
        fn(g)
        g.finish()
    except GraderBug as bug:
        g.check("grader", False, f"grader bug (not your fault; tell your instructor): {bug}")
    except Exception as exc:  # an answer of a shape the grader did not foresee
        g.check("grader", False, f"grading stopped on your result: {type(exc).__name__}: "
                                 f"{str(exc)[:200]}")
    static_checks(g, impl, exercise)
    return g.report


def static_checks(g: Grading, impl, exercise) -> None:
    """The submitted source, read without running it (DESIGN.md, "Integrity of ban and vec"):
    constructs that hide from the grader are refused (``integrity``: 0 points); in a ban or
    vec exercise, values taken out of torch breach that mark."""
    view = impl.static_view(exercise.name)
    if view is None:
        return
    from autograder.engine.integrity import function_findings, module_findings

    src, everything = view
    marked = bool(exercise.ban or exercise.vec)
    found = function_findings(src, exercise.name, marked=marked) if src is not None else []
    if marked:  # code run at import can reach the tracing of every exercise
        found += [f for s in everything for f in module_findings(s)]
    refused = [f for f in found if f.kind == "integrity"]
    if refused:
        g.check("integrity", False,
                f"your {exercise.name} was not graded: "
                + "; ".join(f.message for f in refused[:3])
                + (f" (and {len(refused) - 3} more)" if len(refused) > 3 else "")
                + ". Graded code may not inspect, patch or sidestep the grader; write it "
                  "with ordinary torch operations")
    else:
        g.check("integrity", True)
    left = [f for f in found if f.kind == "leaves_torch"]
    if left:
        mark = "banned_ops" if exercise.ban else "vectorised"
        g.check(mark, False, f"your {exercise.name} takes values out of torch: "
                + "; ".join(f.message for f in left[:3])
                + ("" if exercise.ban else " (a loop over Python numbers is a loop too)"))
