"""Acceptance: the hidden graders pass on solutions/ and fail every exercise on the stubs."""
import re

from solutions.registry import select
from tests.conftest import run


def _outcomes(output: str) -> dict:
    return dict((m.group(2), m.group(1)) for m in
                re.finditer(r"^(PASSED|FAILED|ERROR) autograder/test_hidden.py::test_exercise"
                            r"\[([^\]]+)\]", output, re.M))


def test_solutions_pass_every_hidden_grader(python):
    proc = run(python, "-m", "pytest", "autograder", "--impl", "solutions", "-q", "-rA",
               "-p", "no:cacheprovider")
    outcomes = _outcomes(proc.stdout)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert len(outcomes) == len(select(None)), "one test per exercise on cpu"
    assert set(outcomes.values()) == {"PASSED"}


def test_stubs_fail_every_exercise_without_crashing_collection(python):
    proc = run(python, "-m", "pytest", "autograder", "--impl", "exercises", "-q", "-rA",
               "-p", "no:cacheprovider")
    outcomes = _outcomes(proc.stdout)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "error" not in proc.stdout.splitlines()[-1]
    assert len(outcomes) == len(select(None))
    assert set(outcomes.values()) == {"FAILED"}
    assert "is not implemented yet" in proc.stdout


def test_device_option_names_what_is_available(python):
    import pytest
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA; the option is exercised by the GPU run instead")
    proc = run(python, "-m", "pytest", "autograder", "--device", "cuda", "-q",
               "-p", "no:cacheprovider")
    assert proc.returncode == 4
    assert "--device cuda: not available here (available: cpu" in proc.stderr + proc.stdout


def test_device_cpu_narrows_the_run(python):
    proc = run(python, "-m", "pytest", "autograder", "--device", "cpu", "-q", "-k", "ch06.trace",
               "-p", "no:cacheprovider")
    assert proc.returncode == 0 and "1 passed" in proc.stdout


def test_impl_path_grades_a_submission_folder(python):
    proc = run(python, "-m", "pytest", "autograder", "--impl", "samples/submissions/alice",
               "-q", "-k", "ch06", "-p", "no:cacheprovider")
    assert proc.returncode == 0 and "14 passed" in proc.stdout, proc.stdout[-2000:]
    proc = run(python, "-m", "pytest", "autograder", "--impl", "samples/submissions/bob",
               "-q", "-k", "ch06.matmul", "-p", "no:cacheprovider")
    assert "1 failed, 1 passed" in proc.stdout, proc.stdout[-2000:]  # matmul, by_broadcast
