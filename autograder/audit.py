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
    flagged: int = 0  # rejected by the grader and already flagged by the public self-check
    alarms: int = 0  # correct implementations the public self-check flags (must be none)
    problems: list = dataclasses.field(default_factory=list)
    misses: list = dataclasses.field(default_factory=list)  # rejected, not flagged by self-check

    @property
    def ok(self) -> bool:
        return self.rejected == self.named == self.wrong and self.accepted == self.correct \
            and not self.alarms


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
            for field in ("wrong", "rejected", "named", "correct", "accepted", "flagged",
                          "alarms"):
                setattr(total, field, getattr(total, field) + getattr(row, field))
            total.problems += row.problems
            total.misses += row.misses
    return list(rows.values())


PROPERTIES = True  # False: measure the examples alone (the self-check before issue 13)


def selfcheck_verdict(ex, namespace: dict) -> str | None:
    """What the student's public self-check of ``ex`` says of the functions in ``namespace``
    (None: it passes): the same checks as the generated test file, run in this process."""
    import torch

    from autograder.build.render import check_steps
    from autograder.student import selfcheck

    state = torch.get_rng_state()
    try:
        for _, step in check_steps(ex, namespace, properties=PROPERTIES):
            step()
    except selfcheck.SelfCheckFailed as exc:
        return str(exc)
    except Exception as exc:  # the self-check itself broke: flagged all the same
        return f"{type(exc).__name__}: {exc}"
    finally:
        torch.set_rng_state(state)
    return None


def _public_names(ex) -> dict:
    """The reference solutions of ``ex``'s chapter, for examples that call another
    exercise's function (a student's file defines them all)."""
    import importlib

    module = importlib.import_module(ex.module)
    return {k: v for k, v in vars(module).items() if callable(v) and not k.startswith("_")}


def _audit_once(selectors, device, seed, with_solutions) -> list[AuditRow]:
    from autograder.graders import grade_exercise
    from autograder.runner import InProcess
    from solutions.registry import select

    exercises = select(selectors)
    rows = {e.id: AuditRow(e.id) for e in exercises}
    by_id = {e.id: e for e in exercises}
    if seed == "audit":  # the reference solutions must pass their own public self-check
        for ex in exercises:
            alarm = selfcheck_verdict(ex, _public_names(ex))
            if alarm:
                rows[ex.id].alarms += 1
                rows[ex.id].problems.append(f"the public self-check flags the reference "
                                            f"solution: {alarm}")
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
        verdict = selfcheck_verdict(ex, _public_names(ex) | namespace)
        if m.is_correct:
            row.correct += 1
            row.accepted += report.passed
            if verdict:
                row.alarms += 1
                row.problems.append(f"the public self-check flags correct '{m.label}': "
                                    f"{verdict}")
            if not report.passed:
                row.problems.append(f"correct '{m.label}' was rejected under seed {seed!r}:\n"
                                    f"{report.summary()}")
        else:
            row.wrong += 1
            row.rejected += not report.passed
            row.flagged += (not report.passed) and verdict is not None
            if not report.passed and verdict is None:
                row.misses.append(m.label)
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
        if verbose:
            for label in r.misses:
                print(f"    self-check passes the rejected '{label}'")
    print("\nThe public self-check (examples and properties, no hidden value) already flags:")
    chapters: dict[str, list] = {}
    for r in rows:
        chapters.setdefault(r.exercise_id.split(".", 1)[0], []).append(r)
    for chapter, rs in [*chapters.items(), ("overall", rows)]:
        flagged, rejected = sum(r.flagged for r in rs), sum(r.rejected for r in rs)
        share = f"{100 * flagged / rejected:.0f}%" if rejected else "-"
        print(f"  {chapter:8} self-check flags {flagged} of {rejected} rejected ({share})")
    alarms = sum(r.alarms for r in rows)
    if alarms:
        print(f"  and wrongly flags {alarms} correct implementation(s)   <-- FAIL")
    total_w = sum(r.wrong for r in rows)
    print(f"\n{sum(r.rejected for r in rows)}/{total_w} wrong implementations rejected "
          f"({sum(r.named for r in rows)} with the mistake named), "
          f"{sum(r.accepted for r in rows)}/{sum(r.correct for r in rows)} correct accepted")
    return 0 if all(r.ok for r in rows) else 1
