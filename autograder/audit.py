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


def audit(selectors: list[str] | None, device: str = "cpu", seeds: int = 1) -> list[AuditRow]:
    """Grade every known implementation (and, with ``seeds`` > 1, the reference solutions)
    under ``seeds`` student seeds: a grader must be right for every student, not one."""
    import warnings

    import torch

    torch.set_num_threads(1)  # small tensors: threads cost more than they save
    warnings.simplefilter("ignore")  # what the known answers warn about is not the audit's
    rows: dict[str, AuditRow] = {}
    for i in range(seeds):
        for row in _audit_once(selectors, device, seed="audit" if i == 0 else f"audit-{i}",
                               with_solutions=seeds > 1):
            total = rows.setdefault(row.exercise_id, AuditRow(row.exercise_id))
            for field in ("wrong", "rejected", "named", "correct", "accepted"):
                setattr(total, field, getattr(total, field) + getattr(row, field))
            total.problems += row.problems
    return list(rows.values())


def _audit_once(selectors, device, seed, with_solutions) -> list[AuditRow]:
    from autograder.graders import grade_exercise
    from autograder.runner import InProcess
    from solutions.registry import select

    exercises = select(selectors)
    rows = {e.id: AuditRow(e.id) for e in exercises}
    by_id = {e.id: e for e in exercises}
    if with_solutions:
        from autograder.runner import load

        solutions = load("solutions")
        for ex in exercises:
            report = grade_exercise(solutions, ex, device=device, seed=seed)
            rows[ex.id].correct += 1
            rows[ex.id].accepted += report.passed
            if not report.passed:
                rows[ex.id].problems.append(f"the reference solution was rejected under seed "
                                            f"{seed!r}:\n{report.summary()}")
    for m in _mutants():
        row = rows.get(m.exercise_id)
        if row is None:
            continue
        ex = by_id[m.exercise_id]
        namespace = {f.__name__: f for f in m.helpers} | {ex.name: m.fn}
        report = grade_exercise(InProcess(namespace, label=m.label), ex, device=device,
                                seed=seed)
        if m.is_correct:
            row.correct += 1
            row.accepted += report.passed
            if not report.passed:
                row.problems.append(f"correct '{m.label}' was rejected under seed {seed!r}:\n"
                                    f"{report.summary()}")
        else:
            row.wrong += 1
            row.rejected += not report.passed
            named = m.expect in report.summary().lower()
            row.named += (not report.passed) and named
            if report.passed:
                row.problems.append(f"wrong '{m.label}' was accepted under seed {seed!r}")
            elif not named:
                row.problems.append(f"wrong '{m.label}' was rejected under seed {seed!r}, but no "
                                    f"message says {m.expect!r}:\n{report.summary()}")
    return list(rows.values())


def main(selectors: list[str] | None, device: str = "cpu", verbose: bool = False,
         seeds: int = 1) -> int:
    rows = audit(selectors, device, seeds)
    if seeds > 1:
        print(f"{seeds} student seeds; 'correct' counts include the reference solution")
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
