"""The course directory helpers: nbgrader's submissions and the engine's scores in its gradebook."""
import csv

import pytest

from autograder.course import gradebook, nbgrader_submissions, record_in_gradebook

TOPIC = "ch06_products"
CELLS = {"dot_product": 1.0, "matmul": 1.0, "matmul_by_broadcast": 2.0}


def _result(student: str, scores: dict[str, float]) -> dict:
    """An engine result (the result-JSON schema) with these exercise scores."""
    return {"student": student, "score": sum(scores.values()), "max_score": 4.0,
            "exercises": [{"id": ex_id, "score": s, "max_score": 1.0,
                           "status": "passed" if s else "failed", "checks": []}
                          for ex_id, s in scores.items()]}


@pytest.fixture(autouse=True, scope="module")
def alembic_asked_once():
    """nbgrader runs the `alembic` command (seconds) for each new gradebook; its answer
    is the same for all of them."""
    import functools

    import nbgrader.api

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nbgrader.api, "get_alembic_version",
                   functools.cache(nbgrader.api.get_alembic_version))
        yield


@pytest.fixture
def course(tmp_path):
    """A gradebook that knows the assignment and its grade cells, as generate_assignment
    leaves it."""
    with gradebook(tmp_path) as gb:
        gb.add_assignment(TOPIC)
        gb.add_notebook(TOPIC, TOPIC)
        for name, points in CELLS.items():
            gb.add_grade_cell(f"test_{name}", TOPIC, TOPIC, max_score=points,
                              cell_type="code")
    return tmp_path


def _export(course) -> dict[str, tuple[float, float]]:
    """What `nbgrader export` writes: its CSV plugin on the course's gradebook."""
    from nbgrader.plugins import CsvExportPlugin

    with gradebook(course) as gb:
        CsvExportPlugin(to=str(course / "grades.csv")).export(gb)
    with (course / "grades.csv").open() as fh:
        return {r["student_id"]: (float(r["score"]), float(r["max_score"]))
                for r in csv.DictReader(fh)}


def test_record_in_gradebook_sets_each_grade_cell_and_export_shows_it(course):
    ann = _result("ann", {"ch06.dot_product": 1.0, "ch06.matmul": 0.0,
                          "ch06.matmul_by_broadcast": 1.0, "ch13.softmax_rows": 2.0})
    ben = _result("ben", {"ch06.dot_product": 1.0, "ch06.matmul": 1.0,
                          "ch06.matmul_by_broadcast": 2.0})
    record_in_gradebook(course, TOPIC, [ann, ben])
    assert _export(course) == {"ann": (2.0, 4.0), "ben": (4.0, 4.0)}  # ch13 is not here
    with gradebook(course) as gb:
        grade = gb.find_grade("test_matmul_by_broadcast", TOPIC, TOPIC, "ann")
        assert (grade.auto_score, grade.needs_manual_grade) == (1.0, False)

    # a regrade replaces the scores (students and submissions already exist)
    record_in_gradebook(course, TOPIC, [_result("ann", {"ch06.matmul": 1.0})])
    assert _export(course)["ann"] == (3.0, 4.0)


def test_record_in_gradebook_needs_the_released_assignment(tmp_path):
    with gradebook(tmp_path):
        pass
    with pytest.raises(LookupError, match="run `workbook release ch06_products`"):
        record_in_gradebook(tmp_path, TOPIC, [_result("ann", {"ch06.matmul": 1.0})])


def test_nbgrader_submissions_lists_each_students_folder(tmp_path):
    for student in ("zoe", "amy"):
        (tmp_path / "submitted" / student / TOPIC).mkdir(parents=True)
    (tmp_path / "submitted" / "bob" / "ch13_attention").mkdir(parents=True)
    (tmp_path / "submitted" / "notes.txt").write_text("not a student")
    assert nbgrader_submissions(tmp_path, TOPIC) == [
        ("amy", tmp_path / "submitted" / "amy" / TOPIC),
        ("zoe", tmp_path / "submitted" / "zoe" / TOPIC)]
    assert nbgrader_submissions(tmp_path / "elsewhere", TOPIC) == []


def test_recorded_results_leave_autograded_notebooks_for_feedback(course):
    import json

    cell = {"cell_type": "code", "execution_count": None, "id": "t1", "outputs": [],
            "source": "# Hidden tests for matmul run here when the notebook is graded.",
            "metadata": {"nbgrader": {"grade": True, "grade_id": "test_matmul",
                                      "locked": True, "points": 1.0, "schema_version": 3,
                                      "solution": False, "task": False}}}
    folder = course / "submitted" / "ann" / TOPIC
    folder.mkdir(parents=True)
    (folder / f"{TOPIC}.ipynb").write_text(json.dumps(
        {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    result = _result("ann", {"ch06.matmul": 0.0})
    result["exercises"][0]["checks"] = [
        {"name": "book_example", "passed": False, "message": "expected [[19.0, 22.0], ...]"}]
    record_in_gradebook(course, TOPIC, [result])
    graded = json.loads((course / "autograded" / "ann" / TOPIC / f"{TOPIC}.ipynb").read_text())
    outputs = graded["cells"][0]["outputs"]
    assert outputs[0]["text"] == ("ch06.matmul: 0/1 points\n"
                                  "[book_example] expected [[19.0, 22.0], ...]\n")
    assert outputs[1]["data"]["text/plain"] == "0.0"  # the value nbgrader reads as the score
