"""``workbook audit``: does each grader reject the known-wrong answers and accept the right ones?

The implementations live in ``tests/mutants/`` of the course repository (each a mistake
students make, with the words its feedback must contain).
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclasses.dataclass
class AuditRow:
    exercise_id: str
    wrong: int = 0
    rejected: int = 0
    named: int = 0  # rejected with a message naming the mistake
    correct: int = 0
    accepted: int = 0
    problems: list = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == self.named == self.wrong and self.accepted == self.correct


def _mutants():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    try:
        from tests.mutants import load_mutants
    except ImportError as exc:
        raise SystemExit(f"workbook audit needs the course repository's tests/mutants "
                         f"(looked in {REPO}): {exc}") from None
    return load_mutants()


def audit(selectors: list[str] | None, device: str = "cpu") -> list[AuditRow]:
    from autograder.graders import grade_exercise
    from autograder.runner import InProcess
    from solutions.registry import select

    exercises = select(selectors)
    rows = {e.id: AuditRow(e.id) for e in exercises}
    by_id = {e.id: e for e in exercises}
    for m in _mutants():
        row = rows.get(m.exercise_id)
        if row is None:
            continue
        ex = by_id[m.exercise_id]
        namespace = {f.__name__: f for f in m.helpers} | {ex.name: m.fn}
        report = grade_exercise(InProcess(namespace, label=m.label), ex, device=device,
                                seed="audit")
        if m.is_correct:
            row.correct += 1
            row.accepted += report.passed
            if not report.passed:
                row.problems.append(f"correct '{m.label}' was rejected:\n{report.summary()}")
        else:
            row.wrong += 1
            row.rejected += not report.passed
            named = m.expect in report.summary().lower()
            row.named += (not report.passed) and named
            if report.passed:
                row.problems.append(f"wrong '{m.label}' was accepted")
            elif not named:
                row.problems.append(f"wrong '{m.label}' was rejected, but no message says "
                                    f"{m.expect!r}:\n{report.summary()}")
    return list(rows.values())


def main(selectors: list[str] | None, device: str = "cpu", verbose: bool = False) -> int:
    rows = audit(selectors, device)
    print(f"{'exercise':40} {'wrong rejected':>15} {'named':>6} {'correct accepted':>17}")
    for r in rows:
        flag = "" if r.ok else "   <-- FAIL"
        print(f"{r.exercise_id:40} {r.rejected:>7}/{r.wrong:<7} {r.named:>6} "
              f"{r.accepted:>8}/{r.correct:<8}{flag}")
        if verbose or not r.ok:
            for p in r.problems:
                print("    " + p.replace("\n", "\n    "))
    total_w = sum(r.wrong for r in rows)
    print(f"\n{sum(r.rejected for r in rows)}/{total_w} wrong implementations rejected "
          f"({sum(r.named for r in rows)} with the mistake named), "
          f"{sum(r.accepted for r in rows)}/{sum(r.correct for r in rows)} correct accepted")
    return 0 if all(r.ok for r in rows) else 1
