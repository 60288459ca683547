"""Plain nbgrader on a copy of the course, as an instructor runs it: generate_assignment,
three submissions, autograde, feedback and export; the notebook scores are the engine's."""
import csv
import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from autograder.course import solution_cells, submit
from tests.conftest import BIN, REPO

TOPIC = "ch06_products"
STUDENTS = ("alice", "bob", "carol")  # solutions pasted in; untouched stubs; half right
CELL_TIMEOUT = 5  # seconds; a hidden-test cell of ch06 takes under 2 s in the kernel
ENV = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # alembic
       "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}

# carol: the first half right (dot_product also warns and writes to stderr, which must not
# cost a point), norms right but with a banned operator (no point: its own rule), gram_matrix an
# infinite loop, the rest untouched stubs.
CAROL = {
    "dot_product": "import sys\nimport warnings\n\n\ndef dot_product(a, b):\n"
                   "    warnings.warn('pretend this is a PyTorch UserWarning', UserWarning)\n"
                   "    sys.stderr.write('a debugging line on stderr\\n')\n"
                   "    return (a * b).sum()\n",
    "norms": "def norms(v):\n    return torch.stack([torch.linalg.norm(v, 1), "
             "torch.linalg.norm(v), torch.linalg.norm(v, float('inf'))])\n",
    "gram_matrix": "import time\n\n\ndef gram_matrix(x):\n    while True:  # a hang that "
                   "leaves the CPU to the other tests\n        time.sleep(0.01)\n",
}


def nbgrader(*args, cwd) -> subprocess.Popen:
    return subprocess.Popen([str(BIN / "nbgrader"), *args], cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            stdin=subprocess.DEVNULL)


def finish(proc: subprocess.Popen) -> str:
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, f"{proc.args} exited {proc.returncode}:\n{out[-3000:]}"
    return out


def _config(root):
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    cfg.CourseDirectory.root = str(root)
    return cfg


def _in_process(converter: str, root) -> None:
    """``nbgrader <converter> TOPIC`` in this process (the app's 4 s start-up saved)."""
    import nbgrader.converters
    from nbgrader.coursedir import CourseDirectory

    from autograder.course import ensure_alembic_on_path

    ensure_alembic_on_path()  # its gradebook runs `alembic`
    cfg = _config(root)
    cfg.CourseDirectory.assignment_id = TOPIC
    app = getattr(nbgrader.converters, converter)
    app(coursedir=CourseDirectory(config=cfg), config=cfg).start()


def _export(root) -> None:
    """``nbgrader export``, in this process: its CSV plugin on the course's gradebook."""
    from nbgrader.plugins import CsvExportPlugin

    from autograder.course import gradebook

    with gradebook(root) as gb:
        CsvExportPlugin(to=str(root / "grades.csv")).export(gb)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The course after generate_assignment and plain nbgrader autograde; beside it a copy
    graded by `workbook grade --nbgrader` (the same submissions, its own gradebook)."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root)
    with (root / "nbgrader_config.py").open("a") as fh:
        fh.write(f"\nc.Execute.timeout = {CELL_TIMEOUT}\n")
        # kernels on Unix sockets: a TCP kernel can lose its ports to another process's
        # connection between the manager picking them and the kernel binding them
        fh.write(f"c.KernelManager.transport = 'ipc'\nc.KernelManager.ip = "
                 f"{str(root / 'kernel' / 'ipc')!r}\n")
    (root / "kernel").mkdir()
    shutil.copytree(REPO / "source" / TOPIC, root / "source" / TOPIC)
    _in_process("GenerateAssignment", root)
    # a second course whose gradebook knows the assignment but no submission yet
    empty = root / "empty_course"
    empty.mkdir()
    shutil.copy(root / "gradebook.db", empty)
    shutil.copy(root / "nbgrader_config.py", empty)

    solutions = solution_cells(root, TOPIC)
    names = list(solutions)
    submit(root, "alice", TOPIC, solutions)
    submit(root, "bob", TOPIC, {})
    half = {n: solutions[n] for n in names[:len(names) // 2]}
    submit(root, "carol", TOPIC, {**half, **CAROL})
    shutil.copytree(root / "submitted", empty / "submitted")  # their timestamps

    def engine() -> str:  # the engine on the copy: its results, its gradebook (item 3)
        return finish(subprocess.Popen(
            [str(BIN / "workbook"), "grade", "--nbgrader", "ch06", "--course", str(empty),
             "--timeout", str(CELL_TIMEOUT), "--jobs", "1"], cwd=REPO, env=ENV,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            stdin=subprocess.DEVNULL))

    with ThreadPoolExecutor(max_workers=1) as pool:  # beside plain nbgrader autograde
        graded = pool.submit(engine)
        log = finish(nbgrader("autograde", TOPIC, cwd=root))
        engine_log = graded.result()
    results = {s: json.loads((empty / "graded" / TOPIC / f"{s}.json").read_text())
               for s in STUDENTS}
    assert "written to" in engine_log and "gradebook.db" in engine_log, engine_log
    return {"root": root, "empty": empty, "results": results, "log": log}


def _engine_scores(result: dict) -> dict[str, float]:
    return {e["id"].split(".", 1)[1]: e["score"] for e in result["exercises"]
            if e["id"].startswith(TOPIC[:4] + ".")}


def _gradebook_scores(root, student: str) -> dict[str, float]:
    from autograder.course import gradebook

    with gradebook(root) as gb:
        nb = gb.find_submission_notebook(TOPIC, TOPIC, student)
        return {g.name.removeprefix("test_"): g.score for g in nb.grades}


def test_autograde_scores_each_exercise_as_the_engine_does(course):
    scores = {s: _gradebook_scores(course["root"], s) for s in STUDENTS}
    for student in STUDENTS:
        assert scores[student] == _engine_scores(course["results"][student]), student
    assert sum(scores["alice"].values()) == 16 and sum(scores["bob"].values()) == 0
    carol = scores["carol"]
    assert carol["dot_product"] == 1  # its warning and stderr line cost nothing
    assert carol["norms"] == 0.0  # right, with a banned operator: the rule of its own line
    assert carol["gram_matrix"] == 0 and carol["trace"] == 0
    assert "Timeout waiting for execute reply" in course["log"]  # the loop cost one cell


def test_feedback_and_export(course):
    root, empty = course["root"], course["empty"]
    procs = [nbgrader("generate_feedback", TOPIC, cwd=root), nbgrader("export", cwd=root)]
    _in_process("GenerateFeedback", empty)
    _export(empty)
    for proc in procs:
        finish(proc)

    for folder in (root, empty):  # autograde's feedback, and the engine's
        for student in STUDENTS:
            html = (folder / "feedback" / student / TOPIC / f"{TOPIC}.html").read_text()
            assert "HIDDEN TESTS" not in html and "grade_answer" not in html, student
            assert "autograder" not in html, student
        carol = (folder / "feedback" / "carol" / TOPIC / f"{TOPIC}.html").read_text()
        assert "ch06.norms: 0/1 points" in carol  # the grader's message is the feedback
        assert "[banned_ops]" in carol

    def table(folder):
        with (folder / "grades.csv").open() as fh:
            return {r["student_id"]: (float(r["raw_score"]), float(r["max_score"]),
                                      r["timestamp"]) for r in csv.DictReader(fh)}

    exported = table(root)
    assert set(exported) == set(STUDENTS)
    for student, result in course["results"].items():
        assert exported[student][:2] == (sum(_engine_scores(result).values()), 16.0)
    # `workbook grade --nbgrader` filled the other gradebook: the same table
    assert table(empty) == exported


def test_release_of_the_copy_is_the_committed_one(course):
    for path in (REPO / "release" / TOPIC).iterdir():
        assert (course["root"] / "release" / TOPIC / path.name).read_bytes() == \
            path.read_bytes(), path.name


def test_grade_answer_returns_the_score_and_keeps_stderr_clean(capfd):
    import warnings

    import torch

    from autograder.notebook import grade_answer

    def dot_product(a, b):
        warnings.warn("pretend this is a PyTorch UserWarning", UserWarning)
        os.write(2, b"a C++ warning straight to fd 2\n")
        return (a * b).sum()

    def norms(v):  # banned operator: half the point
        return torch.stack([torch.linalg.norm(v, 1), torch.linalg.norm(v),
                            torch.linalg.norm(v, float("inf"))])

    namespace = {"dot_product": dot_product, "norms": norms}
    assert grade_answer("ch06.dot_product", namespace) == 1.0
    assert grade_answer("ch06.norms", namespace) == 0.0
    out, err = capfd.readouterr()
    assert err == ""
    assert "ch06.dot_product: all hidden checks passed" in out
    assert "ch06.norms: 0/1 points" in out and "[banned_ops]" in out


def test_student_id_comes_from_the_autograded_folder(tmp_path):
    from autograder.notebook import student_from_cwd

    assert student_from_cwd(tmp_path / "autograded" / "amy" / TOPIC) == "amy"
    assert student_from_cwd(tmp_path / "release" / TOPIC) == "nbgrader"
