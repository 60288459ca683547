"""`workbook build`: generated files are current, staleness is caught, student work is kept."""
import shutil

import pytest

from autograder.build import build
from tests.conftest import REPO, run

COPIED = ("solutions", "autograder", "exercises", "source", "release", "samples",
          "nbgrader_config.py")


@pytest.fixture
def course(tmp_path):
    for name in COPIED:
        if (REPO / name).is_file():
            shutil.copy(REPO / name, tmp_path / name)
            continue
        shutil.copytree(REPO / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_build_check_is_clean_on_main(workbook):
    proc = run(workbook, "build", "--check")
    assert proc.returncode == 0, proc.stdout
    assert "current" in proc.stdout


def test_check_fails_after_a_docstring_changes_without_rebuilding(course, capsys):
    sol = course / "solutions" / "ch06_products.py"
    sol.write_text(sol.read_text().replace("Matrix product.", "Matrix product (edited)."))
    assert build(check=True, repo=course) == 1
    out = capsys.readouterr().out
    assert "stale: exercises/ch06_products.py" in out
    assert "stale: source/ch06_products/ch06_products.ipynb" in out
    assert build(repo=course) == 0
    assert build(check=True, repo=course) == 0
    assert "Matrix product (edited)." in (course / "exercises" / "ch06_products.py").read_text()


def test_build_keeps_a_stub_the_student_edited_unless_forced(course, capsys):
    stub = course / "exercises" / "ch06_products.py"
    mine = stub.read_text().replace("raise NotImplementedError()", "return a @ b", 1)
    stub.write_text(mine)
    sol = course / "solutions" / "ch06_products.py"
    sol.write_text(sol.read_text().replace("Matrix product.", "Matrix product, v2."))
    assert build(repo=course) == 0
    assert "kept exercises/ch06_products.py" in capsys.readouterr().out
    assert stub.read_text() == mine
    assert build(repo=course, force=True) == 0
    assert "Matrix product, v2." in stub.read_text()
    assert "return a @ b" not in stub.read_text()


def test_stubs_keep_signatures_docstrings_and_rules():
    import ast

    from solutions.registry import select

    tree = ast.parse((REPO / "exercises" / "ch13_attention.py").read_text())
    fns = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for ex in select(["ch13"]):
        fn = fns[ex.name]
        assert isinstance(fn.body[-1], ast.Raise), ex.id
        if ex.ban:
            assert "must not use" in ast.get_docstring(fn), ex.id
    assert "must be vectorised" in ast.get_docstring(fns["causal_self_attention"])


def test_rules_sit_inside_the_docstring_at_its_indentation():
    for path in (REPO / "exercises").glob("ch*.py"):
        for line in path.read_text().splitlines():
            if "Rules (checked by the grader):" in line:
                assert line == "    Rules (checked by the grader):", (path, line)
            assert len(line) <= 100 or "sha256" in line, (path, line)
