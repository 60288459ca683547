"""What a student sees: public self-checks with one line per exercise, and nothing hidden."""
import json
import shutil

import pytest

from solutions.registry import select
from tests.conftest import REPO, run


def _lines(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ln.startswith(("PASS ", "FAIL "))]


def test_copy_of_exercises_fails_every_exercise_one_line_each(tmp_path, python):
    work = tmp_path / "my_exercises"
    shutil.copytree(REPO / "exercises", work, ignore=shutil.ignore_patterns("__pycache__"))
    proc = run(python, "-m", "pytest", cwd=work)
    lines = _lines(proc.stdout)
    assert proc.returncode == 1
    assert len(lines) == len(select(None))
    assert all(ln.startswith("FAIL ") and "not implemented yet" in ln for ln in lines)


@pytest.mark.parametrize("topic", sorted({e.topic for e in select(None)}))
def test_release_folder_with_answers_passes(tmp_path, python, topic):
    folder = tmp_path / topic
    shutil.copytree(REPO / "release" / topic, folder)
    shutil.copy(REPO / "samples" / "submissions" / "alice" / f"{topic}.ipynb", folder)
    proc = run(python, "-m", "pytest", cwd=folder)
    lines = _lines(proc.stdout)
    assert proc.returncode == 0, proc.stdout
    assert len(lines) == len(select([topic[:4]])) and all(ln.startswith("PASS") for ln in lines)


def test_release_folder_names_the_mistake(tmp_path, python):
    folder = tmp_path / "ch06_products"
    shutil.copytree(REPO / "release" / "ch06_products", folder)
    nb = json.loads((REPO / "samples/submissions/alice/ch06_products.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "matmul":
            cell["source"] = ["def matmul(a, b):\n", "    return (a @ b).T\n"]
    (folder / "ch06_products.ipynb").write_text(json.dumps(nb))
    proc = run(python, "-m", "pytest", cwd=folder)
    fails = [ln for ln in _lines(proc.stdout) if ln.startswith("FAIL")]
    assert len(fails) == 1 and fails[0].startswith("FAIL matmul:")
    assert "expected tensor [[19.0, 22.0], [43.0, 50.0]]" in fails[0]


def test_workbook_check_one_exercise(workbook):
    proc = run(workbook, "check", "ch06.matmul")
    assert _lines(proc.stdout) == [
        "FAIL matmul: matmul(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[5., 6.], "
        "[7., 8.]])): not implemented yet"]


def test_workbook_check_unknown_exercise(workbook):
    proc = run(workbook, "check", "ch99")
    assert proc.returncode == 2 and "no exercise or chapter 'ch99'" in proc.stderr


@pytest.mark.parametrize("folder", ["exercises", *[f"release/{p.name}" for p in
                                                   (REPO / "release").iterdir()]])
def test_no_hidden_grader_or_solution_reaches_students(folder):
    import ast

    for path in (REPO / folder).rglob("*"):
        if path.suffix not in (".py", ".ipynb"):
            continue
        text = path.read_text()
        assert "BEGIN HIDDEN TESTS" not in text and "### BEGIN SOLUTION" not in text, path
        sources = [text] if path.suffix == ".py" else [
            "".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
        for src in sources:
            for node in ast.walk(ast.parse(src)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                for name in names:
                    assert name.split(".")[0] not in ("autograder", "solutions", "tests"), \
                        f"{path} imports {name}"


def test_release_notebook_has_stub_and_check_for_every_exercise():
    for ex in select(None):
        nb = json.loads((REPO / "release" / ex.topic / f"{ex.topic}.ipynb").read_text())
        by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"])
                 for c in nb["cells"]}
        assert "raise NotImplementedError()" in by_id[ex.name], ex.id
        assert f'run_notebook_check("{ex.name}"' in by_id[f"{ex.name}_selfcheck"], ex.id


def _run_notebook_cells(nb_path, folder, capsys) -> list[str]:
    """Execute the code cells top to bottom in one namespace, as a kernel would."""
    import sys

    nb = json.loads(nb_path.read_text())
    namespace = {"__name__": "__main__"}
    sys.path.insert(0, str(folder))
    try:
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                exec(compile("".join(cell["source"]), str(nb_path), "exec"), namespace)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("selfcheck", None)
    return _lines(capsys.readouterr().out)


@pytest.mark.parametrize("topic", sorted({e.topic for e in select(None)}))
def test_release_notebook_runs_top_to_bottom(topic, capsys):
    folder = REPO / "release" / topic
    lines = _run_notebook_cells(folder / f"{topic}.ipynb", folder, capsys)
    assert len(lines) == len(select([topic[:4]]))
    assert all(ln.startswith("FAIL") and "not implemented yet" in ln for ln in lines)
    lines = _run_notebook_cells(REPO / "samples/submissions/alice" / f"{topic}.ipynb", folder,
                                capsys)
    assert len(lines) == len(select([topic[:4]])) and all(ln.startswith("PASS") for ln in lines)
