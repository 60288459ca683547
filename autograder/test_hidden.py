"""The hidden graders as pytest tests: one per (exercise, device)."""
from autograder.graders import grade_exercise


def test_exercise(impl, exercise, device, seed):
    report = grade_exercise(impl, exercise, device=device, seed=seed)
    assert report.passed, f"{exercise.id} on {device}:\n{report.summary()}"
