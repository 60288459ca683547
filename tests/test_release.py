"""release/: nbgrader's student version of every chapter, with nothing hidden in it."""
import json
import re
import textwrap

import pytest

from autograder.build import build
from autograder.build.release import release
from solutions.registry import load_all
from tests.conftest import REPO
from tests.test_build import course  # noqa: F401 (a copy of the workbook)

EXERCISES = sorted(load_all().values(), key=lambda e: e.id)
TOPICS = sorted({ex.topic for ex in EXERCISES})
SUPPORT = ("selfcheck.py", "conftest.py")


def _solution_lines() -> dict[str, list[str]]:
    """Per solutions file, the code lines between the solution markers (comments dropped)."""
    out = {}
    for path in sorted((REPO / "solutions").glob("ch[0-9][0-9]_*.py")):
        blocks = re.findall(r"### BEGIN SOLUTION\n(.*?)\n\s*### END SOLUTION",
                            path.read_text(), re.DOTALL)
        assert blocks, path
        lines = [ln.split("  #")[0].strip() for block in blocks
                 for ln in textwrap.dedent(block).splitlines()]
        out[path.stem] = [ln for ln in lines if len(ln) >= 12 and not ln.startswith("#")]
    return out


def _notebook(topic: str) -> dict:
    return json.loads((REPO / "release" / topic / f"{topic}.ipynb").read_text())


def _cells(topic: str) -> dict[str, str]:
    return {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"])
            for c in _notebook(topic)["cells"]}


@pytest.mark.parametrize("topic", TOPICS)
def test_release_holds_no_solution_body(topic):
    # the code students get, without docstrings (which may state a formula, H = C // n_heads)
    code = re.sub(r'""".*?"""', "", "\n".join(
        "".join(c["source"]) for c in _notebook(topic)["cells"] if c["cell_type"] == "code"),
        flags=re.DOTALL)
    leaked = [ln for ln in _solution_lines()[topic] if ln in code]
    assert not leaked, f"{topic}: solution lines in the student notebook: {leaked[:5]}"


@pytest.mark.parametrize("topic", TOPICS)
def test_release_holds_no_hidden_test(topic):
    for path in (REPO / "release" / topic).iterdir():
        text = path.read_text()
        # the .py support files name their source, autograder/student/, in a comment
        markers = ("HIDDEN TESTS", "grade_answer", "BEGIN SOLUTION") + \
            (("autograder",) if path.suffix == ".ipynb" else ())
        for marker in markers:
            assert marker not in text, f"{path.name} holds {marker!r}"


@pytest.mark.parametrize("ex", EXERCISES, ids=lambda e: e.id)
def test_release_has_a_stub_and_a_visible_check(ex):
    cells = _cells(ex.topic)
    assert re.search(rf"^def {ex.name}\(", cells[ex.name], re.MULTILINE), ex.id
    assert "raise NotImplementedError()" in cells[ex.name], ex.id
    assert f'run_notebook_check("{ex.name}", [' in cells[f"{ex.name}_selfcheck"], ex.id
    # the empty test cell where nbgrader autograde puts the hidden tests back
    assert f"test_{ex.name}" in cells


@pytest.mark.parametrize("topic", TOPICS)
def test_release_is_nbgraders_output_with_its_support_files(topic):
    folder = REPO / "release" / topic
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{topic}.ipynb", f"test_{topic}.py", *SUPPORT])
    for cell in _notebook(topic)["cells"]:
        meta = cell["metadata"]["nbgrader"]
        assert meta["checksum"], cell["id"]  # generate_assignment's ComputeChecksums
        if meta["locked"] or meta["solution"]:
            assert cell["metadata"]["deletable"] is False, cell["id"]  # and LockCells


def test_stale_release_fails_the_check_and_workbook_release_renews_it(course, capsys):  # noqa: F811
    nb = course / "release" / "ch06_products" / "ch06_products.ipynb"
    nb.write_text(nb.read_text().replace("raise NotImplementedError()", "return a @ b", 1))
    (course / "release" / "ch06_products" / "notes.txt").write_text("left over")
    assert build(check=True, repo=course) == 1
    out = capsys.readouterr().out
    assert "stale: release/ch06_products/ch06_products.ipynb" in out
    assert "stale: release/ch06_products/notes.txt" in out
    assert release(["ch06"], course) == 0
    assert nb.read_bytes() == (REPO / "release/ch06_products/ch06_products.ipynb").read_bytes()
    assert not (course / "release" / "ch06_products" / "notes.txt").exists()
    assert release(["ch99"], course) == 2


def test_exercise_headings_say_what_the_book_reference_means():
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"])
             for c in _notebook("ch13_attention")["cells"]}
    statement = cells["project_qkv_statement"]
    assert "[P" not in statement.splitlines()[0]
    assert load_all()["ch13.project_qkv"].book == "P91, P94, P104, seed"
    assert "*From the book: problems 91, 94 and 104, and its README demos.*" in statement
