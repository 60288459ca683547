"""The nbgrader course directory (the repo root): its submissions, gradebook and feedback.

- ``nbgrader_submissions``: the ``submitted/<student>/<assignment>/`` folders to grade;
- ``submit``: a released notebook handed in with answers pasted in (tests, benchmarks;
  ``solution_cells`` and ``with_answers`` give and paste them);
- ``record_in_gradebook``: the engine's results written into nbgrader's gradebook (its
  ``Gradebook`` API), so formgrader, ``generate_feedback`` and ``export`` show them, with
  ``write_autograded``: the ``autograded/`` notebooks those read, as autograde leaves them;
- ``HideTestTracebacks``: a feedback preprocessor (see nbgrader_config.py). nbgrader's
  ClearHiddenTests clears a test cell's source, but a test cell that timed out or raised keeps
  a traceback that quotes that source; feedback keeps only the error's name and message.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import sys
import warnings
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import ClearHiddenTests, OverwriteCells
from traitlets import Bool


def nbgrader_submissions(course_dir: Path, assignment: str) -> list[tuple[str, Path]]:
    """``[(student, submitted/<student>/<assignment>/)]``, sorted by student id."""
    return [(folder.parent.name, folder)
            for folder in sorted((Path(course_dir) / "submitted").glob(f"*/{assignment}"))
            if folder.is_dir()]


def solution_cells(course_dir: Path, assignment: str) -> dict[str, str]:
    """``{grade id: source}`` of the answer cells of ``source/<assignment>/<assignment>.ipynb``
    (the grade id of an answer cell is the exercise's function name)."""
    nb = json.loads((Path(course_dir) / "source" / assignment / f"{assignment}.ipynb")
                    .read_text(encoding="utf-8"))
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get("solution")}


def with_answers(nb: dict, answers: dict[str, str]) -> dict:
    """A copy of notebook ``nb`` (as JSON) with ``answers`` (grade id -> source) pasted into
    its answer cells."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
    return nb


def submit(course_dir: Path, student: str, assignment: str, answers: dict[str, str],
           when: str = "2026-01-15 10:00:00.000000 UTC") -> Path:
    """Hand in the released notebook with ``answers`` (grade id -> source) pasted into its
    answer cells, as ``nbgrader collect`` leaves it: ``submitted/<student>/<assignment>/``."""
    course_dir = Path(course_dir)
    nb = with_answers(json.loads((course_dir / "release" / assignment / f"{assignment}.ipynb")
                                 .read_text(encoding="utf-8")), answers)
    folder = course_dir / "submitted" / student / assignment
    folder.mkdir(parents=True)
    (folder / f"{assignment}.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    (folder / "timestamp.txt").write_text(when)
    return folder


def ensure_alembic_on_path() -> None:
    """nbgrader's Gradebook runs the ``alembic`` command from PATH: from an un-activated
    virtual environment (``.venv/bin/workbook``) that is the one beside this Python."""
    if shutil.which("alembic") is None:
        os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent),
                                              os.environ.get("PATH", "")])


def gradebook(course_dir: Path):
    """nbgrader's gradebook of the course (``<course_dir>/gradebook.db``), to use with ``with``."""
    from nbgrader.api import Gradebook

    ensure_alembic_on_path()
    return Gradebook(f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}")


def not_in_gradebook(course_dir: Path, assignment: str) -> str:
    return (f"{assignment} is not in {Path(course_dir) / 'gradebook.db'}: run `workbook "
            f"release {assignment}` in {course_dir} first (it registers the assignment)")


def in_gradebook(course_dir: Path, assignment: str) -> bool:
    """Has ``assignment`` been registered (released) in the course's gradebook?"""
    if not (Path(course_dir) / "gradebook.db").exists():
        return False
    from nbgrader.api import MissingEntry

    with gradebook(course_dir) as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            return False
    return True


def record_in_gradebook(course_dir: Path, assignment: str, results: list[dict]) -> None:
    """Write engine results (one dict per student, the result-JSON schema) as the auto scores
    of ``assignment``'s grade cells: exercise ``chNN.name`` is the cell ``test_name``.

    The assignment must be in the gradebook already (``nbgrader generate_assignment`` puts it
    and its grade cells there); students and submissions are created when missing.
    """
    from nbgrader.api import MissingEntry
    from nbgrader.utils import parse_utc
    from sqlalchemy.exc import SAWarning

    with gradebook(course_dir) as gb, warnings.catch_warnings():
        # nbgrader's own queries warn about its autoflush (as in `nbgrader autograde`)
        warnings.simplefilter("ignore", SAWarning)
        try:
            cells = {cell.name: notebook.name for notebook in gb.find_assignment(assignment)
                     .notebooks for cell in notebook.grade_cells}
        except MissingEntry:
            raise LookupError(not_in_gradebook(course_dir, assignment)) from None
        for result in results:
            student = result["student"]
            stamp = Path(course_dir) / "submitted" / student / assignment / "timestamp.txt"
            when = stamp.read_text().strip() if stamp.exists() else ""
            gb.update_or_create_student(student)
            gb.update_or_create_submission(
                assignment, student, **({"timestamp": parse_utc(when)} if when else {}))
            for exercise in result["exercises"]:
                cell = f"test_{exercise['id'].split('.', 1)[1]}"
                if cell not in cells:  # an exercise of another chapter
                    continue
                grade = gb.find_grade(cell, cells[cell], assignment, student)
                grade.auto_score = float(exercise["score"])
                grade.needs_manual_grade = False
        gb.db.commit()
    for result in results:
        write_autograded(course_dir, assignment, result)


def write_autograded(course_dir: Path, assignment: str, result: dict) -> None:
    """``autograded/<student>/<assignment>/``: the submitted folder with, in each test cell,
    the engine's verdict and score as output, as ``nbgrader autograde`` would leave it
    (``generate_feedback`` and formgrader read these notebooks)."""
    from autograder.notebook import verdict

    student = result["student"]
    submitted = Path(course_dir) / "submitted" / student / assignment
    if not submitted.is_dir():
        return
    dest = Path(course_dir) / "autograded" / student / assignment
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(submitted, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    by_cell = {f"test_{e['id'].split('.', 1)[1]}": e for e in result["exercises"]}
    for path in dest.glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb.get("cells", []):
            exercise = by_cell.get(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id"))
            if exercise is None or cell.get("cell_type") != "code":
                continue
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": verdict(exercise) + "\n"},
                {"output_type": "execute_result", "execution_count": None, "metadata": {},
                 "data": {"text/plain": f"{float(exercise['score'])!r}"}}]
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


class HideTestTracebacks(Preprocessor):
    """In test cells (graded, not answers), an error keeps its name and message only."""

    enabled = Bool(True).tag(config=True)  # nbconvert's preprocessors default to disabled

    def preprocess_cell(self, cell, resources, index):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}".rstrip(": ")]
        return cell, resources


class OverwriteCellsKeepingHiddenTests(OverwriteCells):
    """nbgrader's OverwriteCells without its false alarm on hidden tests.

    generate_assignment records a test cell's checksum with its hidden tests, and the
    released cell has them cleared, so plain OverwriteCells warns "checksum ... has
    changed!" for every test cell of every student (nbgrader issue #1961) and then puts the
    hidden tests back. Here a locked cell that is exactly the released form of its source
    gets its source back first, so only a cell a student really changed is reported."""

    def preprocess_cell(self, cell, resources, cell_index):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and cell.cell_type == "code":
            from nbgrader.api import MissingEntry

            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id,
                                                         self.assignment_id)
            except MissingEntry:
                source = None
            if source is not None and source.locked and cell.source == released(source.source):
                cell.source = source.source
        return super().preprocess_cell(cell, resources, cell_index)


def released(source: str) -> str:
    """A test cell's source as generate_assignment releases it (hidden tests cleared)."""
    from nbformat.v4 import new_code_cell

    cell = new_code_cell(source)
    ClearHiddenTests()._remove_hidden_test_region(cell)
    return cell.source
