"""Hidden-test cells of the nbgrader notebooks call ``grade_answer``.

A plain ``nbgrader autograde`` runs them in the student's kernel (nbgrader's trust model;
``workbook grade`` is the isolated path). The cell's value is the exercise's score, which
nbgrader takes as partial credit (``nbgrader.utils.determine_grade``), so a notebook scores
what the engine scores. nbgrader gives 0 to a test cell with anything on stderr, so warnings
and stderr are kept out of the cell while the grader runs.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings
from pathlib import Path

FALLBACK_STUDENT = "nbgrader"


def student_from_cwd(cwd: Path | None = None) -> str:
    """The student id that seeds random inputs: nbgrader autograde runs each notebook in
    ``autograded/<student>/<assignment>/``, so the same student gets the same inputs there as
    from ``workbook grade --student <student>``; anywhere else, ``"nbgrader"``."""
    cwd = Path.cwd() if cwd is None else cwd
    return cwd.parent.name if cwd.parent.parent.name == "autograded" else FALLBACK_STUDENT


@contextlib.contextmanager
def _no_stderr():
    """Silence warnings, Python's stderr and file descriptor 2 (C++ warnings from torch)."""
    sys.stderr.flush()
    saved_fd = os.dup(2)
    saved = sys.stderr
    try:
        with open(os.devnull, "w") as devnull, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            os.dup2(devnull.fileno(), 2)
            sys.stderr = io.StringIO()
            yield
    finally:
        sys.stderr = saved
        os.dup2(saved_fd, 2)
        os.close(saved_fd)


def grade_answer(exercise_id: str, namespace: dict, device: str = "cpu") -> float:
    """Grade one exercise of ``namespace``; print the failed checks; return the score."""
    with _no_stderr():  # imports too: a first import of torch may warn
        from autograder.graders import grade_exercise
        from autograder.runner import InProcess
        from solutions.registry import load_all

        exercise = load_all()[exercise_id]
        report = grade_exercise(InProcess(namespace, label="notebook"), exercise,
                                device=device, seed=student_from_cwd())
    print(verdict(report.as_dict()))
    return report.score


def verdict(exercise: dict) -> str:
    """What a student reads about one graded exercise (an entry of the result JSON): that
    every check passed, or the score and each failed check's message."""
    failed = [c for c in exercise["checks"] if not c["passed"]]
    if exercise["status"] == "passed" and not failed:
        return f"{exercise['id']}: all hidden checks passed"
    head = f"{exercise['id']}: {exercise['score']:g}/{exercise['max_score']:g} points"
    return "\n".join([head, *(f"[{c['name']}] {c['message']}" for c in failed)])
