"""What a student sees: public self-checks with one line per exercise, and nothing hidden."""
import json
import shutil

import pytest

from autograder.course import solution_cells, with_answers
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


def test_self_check_lines_come_under_chapter_headings(tmp_path, python):
    from solutions.registry import CHAPTER_TITLES

    work = tmp_path / "my_exercises"
    shutil.copytree(REPO / "exercises", work, ignore=shutil.ignore_patterns("__pycache__"))
    out = run(python, "-m", "pytest", cwd=work).stdout
    report = out.split("self-check: one line per exercise")[1].splitlines()
    chapters = sorted({e.chapter for e in select(None)})
    headings = [ln for ln in report if ln.startswith("ch")]
    assert headings == [f"{c} - {CHAPTER_TITLES[c]}" for c in chapters]
    for chapter, heading in zip(chapters, headings):
        at = report.index(heading) + 1
        names = [ln.split()[1].rstrip(":") for ln in report[at:at + len(select([chapter]))]]
        assert names == [e.name for e in select([chapter])], chapter


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
    nb = with_answers(nb, {"matmul": "def matmul(a, b):\n    return (a @ b).T\n"})
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


@pytest.fixture(scope="module")
def headless_runs(tmp_path_factory) -> dict:
    """Every release notebook run top to bottom in a fresh kernel (nbclient, as Jupyter
    would), as released (stubs) and with the solutions pasted in; all at once, as the
    kernels spend much of their time starting. {(topic, answers): (PASS/FAIL lines, errors)}

    The kernels talk over Unix sockets (transport "ipc"), not TCP: six kernels started at
    once on loopback race for the ports their manager picked and then released, and a lost
    race ("Address already in use" on the control port) killed a kernel in CI."""
    import asyncio

    from traitlets.config import Config

    import nbformat
    from nbclient import NotebookClient

    runs = {}
    for topic in sorted({e.topic for e in select(None)}):
        folder = tmp_path_factory.mktemp(topic)
        shutil.copytree(REPO / "release" / topic, folder, dirs_exist_ok=True)
        nb = json.loads((folder / f"{topic}.ipynb").read_text())
        for answers in ("stubs", "solutions"):
            node = nbformat.reads(json.dumps(with_answers(nb, solution_cells(REPO, topic))
                                             if answers == "solutions" else nb), as_version=4)
            config = Config()
            config.KernelManager.transport = "ipc"
            config.KernelManager.ip = str(tmp_path_factory.mktemp("kernel") / "ipc")
            runs[topic, answers] = (node, NotebookClient(
                node, timeout=120, kernel_name="python3", allow_errors=True, config=config,
                resources={"metadata": {"path": str(folder)}}))

    async def execute_all():
        await asyncio.gather(*(client.async_execute() for _, client in runs.values()))

    asyncio.run(execute_all())
    out = {}
    for key, (node, _) in runs.items():
        code = [c for c in node.cells if c.cell_type == "code"]
        text = "".join(o.get("text", "") for c in code for o in c.outputs
                       if o.output_type == "stream")
        errors = [f"{o.ename}: {o.evalue}" for c in code for o in c.outputs
                  if o.output_type == "error"]
        echoed = [o["data"]["text/plain"] for c in code for o in c.outputs
                  if o.output_type == "execute_result"
                  and c.metadata.get("nbgrader", {}).get("grade_id", "").endswith("_selfcheck")]
        out[key] = (_lines(text), errors + [f"a check cell shows {e}" for e in echoed])
    return out


@pytest.mark.parametrize("answers", ["stubs", "solutions"])
@pytest.mark.parametrize("topic", sorted({e.topic for e in select(None)}))
def test_release_notebook_runs_headless_top_to_bottom(topic, answers, headless_runs):
    lines, errors = headless_runs[topic, answers]
    assert not errors, errors  # a failing self-check reports; it never crashes the notebook
    assert len(lines) == len(select([topic[:4]])), lines
    if answers == "stubs":
        assert all(ln.startswith("FAIL") and "not implemented yet" in ln for ln in lines)
    else:
        assert all(ln.startswith("PASS") for ln in lines), lines


def test_syntax_error_is_shown_and_other_chapters_still_checked(tmp_path, python, workbook):
    """One unparsable line in ch06: pytest names the file, line and message on each ch06
    exercise's line, and every other chapter is checked as usual (no collection error);
    `workbook check ch06 --dir .` says the same."""
    work = tmp_path / "mine"
    shutil.copytree(REPO / "exercises", work, ignore=shutil.ignore_patterns("__pycache__"))
    stub = work / "ch06_products.py"
    lines = stub.read_text().splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("def matmul"))
    lines[at] = "def matmul(a, b)"  # the colon forgotten
    stub.write_text("\n".join(lines) + "\n")
    proc = run(python, "-m", "pytest", cwd=work)
    shown = _lines(proc.stdout)
    assert "error during collection" not in proc.stdout
    assert len(shown) == len(select(None))
    ch06 = {e.name for e in select(["ch06"])}
    said = f"could not be loaded: ch06_products.py does not parse, line {at + 1}: expected ':'"
    for line in shown:
        name = line.split()[1].rstrip(":")
        assert (said in line) == (name in ch06), line
    proc = run(workbook, "check", "ch06", "--dir", ".", cwd=work)
    assert "found no collectors" not in proc.stdout + proc.stderr
    assert len(_lines(proc.stdout)) == len(ch06) and said in proc.stdout


def test_notebook_cell_with_a_syntax_error_costs_only_its_exercise(tmp_path, python):
    folder = tmp_path / "ch06_products"
    shutil.copytree(REPO / "release" / "ch06_products", folder)
    nb = json.loads((REPO / "samples/submissions/alice/ch06_products.ipynb").read_text())
    nb = with_answers(nb, {"matmul": "def matmul(a, b):\n    return a @@ b\n"})
    (folder / "ch06_products.ipynb").write_text(json.dumps(nb))
    proc = run(python, "-m", "pytest", cwd=folder)
    shown = _lines(proc.stdout)
    fails = [ln for ln in shown if ln.startswith("FAIL")]
    assert len(shown) == len(select(["ch06"])) and len(fails) == 1, proc.stdout
    assert fails[0].startswith("FAIL matmul: matmul could not be loaded: ch06_products.ipynb: "
                               "SyntaxError in the cell matmul: line 2: invalid syntax")


def test_workbook_check_uses_the_folder_it_runs_in_and_says_which(tmp_path, workbook):
    """Inside the student's own copy, `workbook check` checks that copy (not the repo's
    exercises/) and prints the folder it checked."""
    folder = tmp_path / "ch06_products"
    shutil.copytree(REPO / "release" / "ch06_products", folder)
    shutil.copy(REPO / "samples" / "submissions" / "alice" / "ch06_products.ipynb", folder)
    proc = run(workbook, "check", cwd=folder)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"checking {folder}" in proc.stdout
    lines = _lines(proc.stdout)
    assert len(lines) == len(select(["ch06"])) and all(ln.startswith("PASS") for ln in lines)
    proc = run(workbook, "check", "ch06.matmul", cwd=tmp_path)  # no exercises here
    assert f"checking {REPO / 'exercises'}" in proc.stdout
    assert "not implemented yet" in proc.stdout
