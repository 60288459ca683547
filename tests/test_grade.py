"""`workbook grade` on the bundled sample class: a table, one JSON per student, a CSV."""
import csv
import json

import pytest

from solutions.registry import select
from tests.conftest import REPO, run


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    out = tmp_path_factory.mktemp("graded")
    subs = sorted((REPO / "samples" / "submissions").iterdir())
    proc = run(REPO / ".venv" / "bin" / "workbook" if (REPO / ".venv").exists() else "workbook",
               "grade", *subs, "--out", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, proc.stdout


def _result(out, student):
    return json.loads((out / f"{student}.json").read_text())


def test_complete_submission_gets_full_marks(graded):
    r = _result(graded[0], "alice")
    assert r["score"] == r["max_score"] == sum(e.points for e in select(None))
    assert {e["status"] for e in r["exercises"]} == {"passed"}
    assert set(r) >= {"student", "submission", "graded_at", "workbook_version", "device",
                      "score", "max_score", "exercises"}


def test_partly_wrong_submission_gets_feedback_naming_mistakes(graded):
    r = _result(graded[0], "bob")
    by_id = {e["id"]: e for e in r["exercises"]}
    assert by_id["ch06.matmul"]["status"] == "passed"
    assert by_id["ch01.ones_matrix"]["status"] == "missing"
    msgs = " ".join(c["message"] for c in by_id["ch13.causal_self_attention"]["checks"])
    assert by_id["ch13.causal_self_attention"]["score"] == 0
    assert "depends on later positions" in msgs
    # the causal checks' failure comes with a picture: which output positions depend on
    # which inputs, beside the allowed lower triangle (the page draws it, tests/
    # test_feedback_pictures.py)
    fi = {c["name"]: c for c in by_id["ch13.causal_self_attention"]["checks"]}[
        "future_invariance"]["figure"]
    mine, allowed = (p["matrix"] for p in fi["panels"])
    T = len(allowed)
    assert fi["kind"] == "heatmaps" and fi["future"] and allowed == [
        [float(j <= i) for j in range(T)] for i in range(T)]
    assert any(mine[i][j] > 0 for i in range(T) for j in range(i + 1, T))  # the leak
    vec = {c["name"]: c for c in by_id["ch06.matmul_by_broadcast"]["checks"]}["vectorised"]
    assert not vec["passed"] and "loop" in vec["message"]
    assert 0 < by_id["ch06.matmul_by_broadcast"]["score"] < 2
    assert 0 < r["score"] < r["max_score"]


def test_unparsable_file_costs_only_its_own_exercises(graded):
    by_id = {e["id"]: e for e in _result(graded[0], "carol")["exercises"]}
    assert by_id["ch06.dot_product"]["status"] == "error"
    assert "SyntaxError" in by_id["ch06.dot_product"]["checks"][0]["message"]
    assert by_id["ch13.attention_output"]["status"] == "passed"


def test_class_csv_and_table(graded):
    out, stdout = graded
    rows = list(csv.DictReader((out / "grades.csv").open()))
    assert [r["student"] for r in rows] == ["alice", "bob", "carol"]
    assert "class mean" in stdout and "alice" in stdout


def test_same_submission_same_result_and_students_get_different_inputs():
    from autograder.checks.grading import Grading
    from autograder.runner import load

    ex = select(["ch06.matmul"])[0]
    impl = load("solutions")
    a1 = Grading(impl, ex, seed="alice").randn(3)
    a2 = Grading(impl, ex, seed="alice").randn(3)
    b = Grading(impl, ex, seed="bob").randn(3)
    assert a1.equal(a2) and not a1.equal(b)


def _workbook():
    return REPO / ".venv" / "bin" / "workbook" if (REPO / ".venv").exists() else "workbook"


def test_file_that_hangs_while_loading_costs_only_its_own_exercises(tmp_path):
    dan = tmp_path / "dan"
    dan.mkdir()
    (dan / "hangs.py").write_text("def matmul(a, b):\n    return a @ b\nwhile True:\n    pass\n")
    (dan / "fine.py").write_text("def dot_product(a, b):\n    return (a * b).sum()\n")
    out = tmp_path / "out"
    proc = run(_workbook(), "grade", dan, REPO / "samples/submissions/alice", "--out", out,
               "--timeout", "3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    by_id = {e["id"]: e for e in _result(out, "dan")["exercises"]}
    assert by_id["ch06.matmul"]["status"] == "timeout"
    assert "did not finish within 3 s" in by_id["ch06.matmul"]["checks"][0]["message"]
    assert by_id["ch06.dot_product"]["status"] == "passed"
    alice = _result(out, "alice")
    assert alice["score"] == alice["max_score"]


def test_grade_reports_bad_arguments_clearly(tmp_path):
    proc = run(_workbook(), "grade", tmp_path / "nobody", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "no such submission" in proc.stderr
    proc = run(_workbook(), "grade", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "give at least one submission" in proc.stderr


def test_notebook_cell_that_does_not_parse_costs_only_its_exercise(tmp_path):
    nb = json.loads((REPO / "samples/submissions/alice/ch06_products.ipynb").read_text())
    broken = 0
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "matmul":
            cell["source"] = ["def matmul(a, b)\n", "    return a @ b\n"]
            broken += 1
    assert broken == 1
    (tmp_path / "erin").mkdir()
    (tmp_path / "erin" / "ch06_products.ipynb").write_text(json.dumps(nb))
    out = tmp_path / "out"
    proc = run(_workbook(), "grade", tmp_path / "erin", "--out", out, "--only", "ch06")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    by_id = {e["id"]: e for e in _result(out, "erin")["exercises"]}
    assert by_id["ch06.matmul"]["status"] == "error"
    assert "SyntaxError" in by_id["ch06.matmul"]["checks"][0]["message"]
    assert {e["status"] for i, e in by_id.items() if i != "ch06.matmul"} == {"passed"}
    assert len(by_id) == 14  # --only ch06


def test_unreadable_submissions_are_marked_not_silently_missing(tmp_path):
    """An empty folder, a binary .py, a corrupt notebook and a README.md handed in: each is
    marked unreadable (which file, why) in its JSON and feedback, the summary warns, and the
    honest student in the same batch is graded as usual."""
    (tmp_path / "empty").mkdir()
    (tmp_path / "binary").mkdir()
    (tmp_path / "binary" / "ch06_products.py").write_bytes(b"\x7fELF\x00\x01\x02" * 40)
    (tmp_path / "corrupt").mkdir()
    (tmp_path / "corrupt" / "ch06_products.ipynb").write_text('{"cells": [ {"cell_ty')
    (tmp_path / "readme").mkdir()
    (tmp_path / "readme" / "README.md").write_text("# my answers are in my other folder\n")
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "answers.py").write_text("def matmul(a, b):\n    return a @ b\n")
    (tmp_path / "half" / "notes.ipynb").write_text("not json")
    (tmp_path / "half" / "later.py").write_text("")  # empty beside answers: no warning
    subs = [tmp_path / n for n in ("empty", "binary", "corrupt", "half")]
    out = tmp_path / "out"
    proc = run(_workbook(), "grade", *subs, tmp_path / "readme" / "README.md", "--out", out,
               "--only", "ch06")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = {"empty": "holds no .py file or notebook", "binary": "binary data",
                "corrupt": "not a notebook", "README": "not a .py file or a notebook"}
    for student, why in expected.items():
        r = _result(out, student)
        assert r["unreadable"]["nothing_to_grade"] and why in r["unreadable"]["message"]
        fb = (out / "feedback" / f"{student}.md").read_text()
        assert "Your submission could not be read" in fb and why in fb
        assert "no function named" not in fb
        assert why in (out / "feedback" / f"{student}.html").read_text()
        assert f"warning: {student}: submission unreadable" in proc.stdout
    half = _result(out, "half")
    assert half["unreadable"] == {"files": {"notes.ipynb": half["unreadable"]["files"][
        "notes.ipynb"]}, "nothing_to_grade": False, "message": half["unreadable"]["message"]}
    assert {e["id"]: e["status"] for e in half["exercises"]}["ch06.matmul"] == "passed"
    assert "Files that could not be read" in (out / "feedback" / "half.md").read_text()


def test_feedback_says_each_thing_once(tmp_path):
    """A student who handed in one chapter, one exercise of it not attempted: one line for
    that exercise (not one per check) and the other chapters' exercises grouped by chapter
    (not one "not found" line each)."""
    from autograder.course import with_answers

    nb = json.loads((REPO / "samples/submissions/alice/ch13_attention.ipynb").read_text())
    nb = with_answers(nb, {"multi_head_attention": "def multi_head_attention(*args):\n"
                                                   "    raise NotImplementedError()\n"})
    (tmp_path / "fay").mkdir()
    (tmp_path / "fay" / "ch13_attention.ipynb").write_text(json.dumps(nb))
    out = tmp_path / "out"
    proc = run(_workbook(), "grade", tmp_path / "fay", "--out", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = _result(out, "fay")
    mha = next(e for e in r["exercises"] if e["id"] == "ch13.multi_head_attention")
    assert sum(not c["passed"] for c in mha["checks"]) > 1  # the JSON keeps every check
    for page in ("fay.md", "fay.html"):
        text = (out / "feedback" / page).read_text()
        assert text.count("multi_head_attention") == 1, page
        assert text.count("not implemented yet") + text.count("NotImplementedError") == 1
        assert "no function named" not in text
    md = (out / "feedback" / "fay.md").read_text()
    others = sorted({e.id.split(".")[0] for e in select(None)} - {"ch13"})
    found = [ln for ln in md.splitlines() if ln.startswith("- ch") and ": " in ln]
    assert [ln.split(":")[0][2:] for ln in found] == others
