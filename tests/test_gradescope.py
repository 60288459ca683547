"""The Gradescope autograder zip, unpacked into a temporary /autograder layout and run."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from autograder.gradescope import export
from solutions.registry import select
from tests.conftest import REPO

BROKEN = '''import torch


def dot_product(a, b):
    return (a * b).sum()


def matmul(a, b):
    return (a @ b).T  # transposed: wrong


def norms(v):  # right, with the banned torch.linalg.norm: no point (its own rule)
    return torch.stack([torch.linalg.norm(v, 1), torch.linalg.norm(v),
                        torch.linalg.norm(v, float("inf"))])
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """results.json of a correct and of a broken ch06 submission."""
    tmp = tmp_path_factory.mktemp("gradescope")
    zip_path = export(["ch06"], tmp / "ch06.zip")
    runs = {}
    for name in ("correct", "broken"):
        root = tmp / name / "autograder"
        for sub in ("source", "submission", "results"):
            (root / sub).mkdir(parents=True)
        with zipfile.ZipFile(zip_path) as zf:
            zf.extractall(root / "source")
        if name == "correct":
            shutil.copy(REPO / "samples/submissions/alice/ch06_products.ipynb",
                        root / "submission")
        else:
            (root / "submission" / "answers.py").write_text(BROKEN)
        # setup.sh is Gradescope's: the packages are this virtual environment's
        runs[name] = (root, subprocess.Popen(
            ["bash", str(root / "source" / "run_autograder")], cwd=tmp,
            env={**os.environ, "AUTOGRADER_ROOT": str(root),
                 "AUTOGRADER_PYTHON": sys.executable},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True))
    out = {"zip": zip_path}
    for name, (root, proc) in runs.items():
        log, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, log
        out[name] = json.loads((root / "results" / "results.json").read_text())
    return out


def _valid(results: dict) -> dict[str, dict]:
    """Gradescope's schema: a score, and per test name, score, max_score, status, output."""
    tests = {t["name"]: t for t in results["tests"]}
    assert sorted(tests) == sorted(ex.id for ex in select(["ch06"]))
    for t in results["tests"]:
        assert set(t) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert 0 <= t["score"] <= t["max_score"] and t["status"] in ("passed", "failed")
        assert t["visibility"] == "visible" and isinstance(t["output"], str) and t["output"]
    assert results["score"] == pytest.approx(sum(t["score"] for t in results["tests"]))
    return tests


def test_correct_submission_gets_every_point(graded):
    tests = _valid(graded["correct"])
    assert graded["correct"]["score"] == sum(ex.points for ex in select(["ch06"]))
    assert all(t["status"] == "passed" for t in tests.values())


def test_broken_submission_gets_what_it_earned_with_the_reasons(graded):
    tests = _valid(graded["broken"])
    assert graded["broken"]["score"] == 1.0
    assert tests["ch06.dot_product"]["status"] == "passed"
    assert tests["ch06.matmul"]["score"] == 0 and tests["ch06.matmul"]["status"] == "failed"
    assert tests["ch06.norms"]["score"] == 0 and "linalg" in tests["ch06.norms"]["output"]
    assert tests["ch06.trace"]["score"] == 0 and "trace" in tests["ch06.trace"]["output"]


def test_zip_holds_the_scripts_and_the_graders_and_no_tests(graded):
    with zipfile.ZipFile(graded["zip"]) as zf:
        names = set(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        setup = zf.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "autograder/graders/ch06.py",
            "solutions/registry.py", "autograder/grade.py"} <= names
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not any(n.startswith(("tests/", "exercises/")) for n in names)
    assert "torch" in setup and "constraints.txt" in setup
