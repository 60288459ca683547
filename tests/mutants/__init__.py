"""Known-wrong and alternative-correct implementations of every exercise.

``@wrong("ch06.matmul", "transposed")`` registers a mistake students make; the grader must
reject it and one of its failure messages must contain the given words (case-insensitive),
so the feedback names the mistake. ``@correct("ch06.matmul")`` registers another right answer
(einsum instead of @, a loop over heads, a finite mask value) that the grader must accept.
``workbook audit`` and tests/test_audit.py run every one of them.
"""
from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from typing import Callable


@dataclasses.dataclass(frozen=True)
class Mutant:
    exercise_id: str
    fn: Callable
    expect: str | None  # words the failure message must contain; None for a correct one
    helpers: tuple = ()  # extra functions the implementation calls by catalog name

    @property
    def is_correct(self) -> bool:
        return self.expect is None

    @property
    def label(self) -> str:
        doc = (self.fn.__doc__ or "").strip().splitlines()
        return doc[0] if doc else self.fn.__qualname__


MUTANTS: list[Mutant] = []


def wrong(exercise_id: str, expect: str, helpers=()):
    def register(fn):
        MUTANTS.append(Mutant(exercise_id, fn, expect.lower(), tuple(helpers)))
        return fn
    return register


def correct(exercise_id: str, helpers=()):
    def register(fn):
        MUTANTS.append(Mutant(exercise_id, fn, None, tuple(helpers)))
        return fn
    return register


def load_mutants() -> list[Mutant]:
    for m in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{m.name}")
    return MUTANTS
