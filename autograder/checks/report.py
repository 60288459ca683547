"""Check results and how they turn into an exercise's score."""
from __future__ import annotations

import dataclasses
from typing import Any, Callable

# The credit policy (DESIGN.md, "Credit"; the README says the same).
# A failed check costs everything unless it is named here: a wrong value, shape, dtype or
# device is a wrong answer; breaking a rule stated on the exercise's own catalog line
# ("banned_ops": its ban list, also reached by leaving torch; "aliasing": its "copy", "view"
# or "must not share memory") is what the exercise teaches; an "integrity" refusal (source
# that hides from the grader) is not graded at all. The vec mark and the general rules cost
# a fixed share each (shares add up, to all of the points):
PARTIAL = {
    "vectorised": 0.5,  # the vec mark: a Python loop where vectorised code is asked
    "gradient": 1 / 3,  # general rule: differentiable (the grad mark)
    "inputs_unchanged": 1 / 3,  # general rule: inputs never modified in place
    "half_precision": 1 / 3,  # float16 on CUDA (the causal battery)
}


@dataclasses.dataclass
class CheckResult:
    name: str
    passed: bool
    message: str = ""
    # a small picture of the failure for the feedback page (autograder/checks/figures.py):
    # "heatmaps" (the student's (T, T) weights beside the expected ones) or "shapes"
    figure: dict | None = None

    def as_dict(self) -> dict:
        d = {"name": self.name, "passed": self.passed, "message": self.message}
        if self.figure is not None:  # absent when none: older result JSONs look the same
            d["figure"] = self.figure
        return d


class Report:
    """The checks of one exercise. A check recorded twice keeps its first failure."""

    def __init__(self, exercise_id: str, points: float):
        self.exercise_id = exercise_id
        self.points = points
        self._checks: dict[str, CheckResult] = {}

    def record(self, name: str, passed: bool, message: str = "",
               figure: dict | Callable[[], dict | None] | None = None) -> bool:
        """``figure``: the failure's picture, or a function that draws it, called only when
        this failure is the one the check keeps (a passing check, or a second failure,
        costs nothing)."""
        old = self._checks.get(name)
        if old is None or (old.passed and not passed):
            self._checks[name] = CheckResult(name, bool(passed), "" if passed else message)
            if not passed and figure is not None:
                self.attach(name, figure)
        return bool(passed)

    def attach(self, name: str, figure: dict | Callable[[], dict | None] | None) -> None:
        """Give check ``name``'s kept failure a picture, unless it has one already."""
        old = self._checks.get(name)
        if old is None or old.passed or old.figure is not None or figure is None:
            return
        old.figure = _drawn(figure)

    def failed(self, name: str) -> bool:
        """Whether check ``name`` has already failed (its message is then settled)."""
        old = self._checks.get(name)
        return old is not None and not old.passed

    @property
    def checks(self) -> list[CheckResult]:
        return list(self._checks.values())

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self._checks.values() if not c.passed]

    @property
    def passed(self) -> bool:
        return bool(self._checks) and not self.failures

    @property
    def score(self) -> float:
        if not self._checks or any(c.name not in PARTIAL for c in self.failures):
            return 0.0
        lost = sum(PARTIAL[c.name] for c in self.failures)
        return round(self.points * max(0.0, 1.0 - lost), 2)

    @property
    def status(self) -> str:
        return "passed" if self.passed else "failed"

    def summary(self) -> str:
        """Every failed check, one per line: what a student reads."""
        return "\n".join(f"[{c.name}] {c.message}" for c in self.failures)

    def as_dict(self) -> dict:
        return {"id": self.exercise_id, "score": self.score, "max_score": self.points,
                "status": self.status, "checks": [c.as_dict() for c in self.checks]}


def _drawn(figure: Any) -> dict | None:
    """The figure, drawn if it is a function; a picture that cannot be drawn is left out
    (it only illustrates a message that is already there)."""
    if not callable(figure):
        return figure
    try:
        return figure()
    except Exception:  # a result of a form the drawing did not foresee
        return None
