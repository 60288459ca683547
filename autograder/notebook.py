"""Hidden-test cells of the nbgrader notebooks call ``grade_answer`` (plain ``nbgrader
autograde`` runs them in the student's kernel: nbgrader's trust model; ``workbook grade``
is the isolated path)."""
from __future__ import annotations


def grade_answer(exercise_id: str, namespace: dict, device: str = "cpu") -> None:
    """Raise AssertionError with the grader's messages unless the exercise passes."""
    from autograder.graders import grade_exercise
    from autograder.runner import InProcess
    from solutions.registry import load_all

    report = grade_exercise(InProcess(namespace, label="notebook"), load_all()[exercise_id],
                            device=device, seed="nbgrader")
    if not report.passed:
        raise AssertionError(f"{exercise_id}:\n{report.summary()}")
    print(f"{exercise_id}: all hidden checks passed")
