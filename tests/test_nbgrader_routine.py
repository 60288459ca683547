"""The README's nbgrader routine, run as written there on a fresh course folder: release,
collect, autograde, feedback, export; and `workbook grade --nbgrader` refusing, in one line
with the fix, before grading anyone, when a step is missing."""
import csv
import shutil

from autograder.course import solution_cells, submit
from tests.conftest import REPO, run
from tests.test_nbgrader import BIN, ENV

TOPIC = "ch06_products"


def _readme_commands() -> list[str]:
    """The nbgrader routine's commands, exactly as the README's instructor guide gives them."""
    text = " ".join((REPO / "README.md").read_text().split())
    wanted = ["workbook release [ch06]", f"nbgrader autograde {TOPIC}",
              f"nbgrader generate_feedback {TOPIC}", "nbgrader export",
              f"workbook grade --nbgrader {TOPIC}"]
    assert all(f"`{w}`" in text for w in wanted), [w for w in wanted if f"`{w}`" not in text]
    return wanted


def _cmd(line: str) -> list[str]:
    words = line.replace("[ch06]", "ch06").split()
    return [str(BIN / words[0]), *words[1:]]


def _run(line: str, course):
    env = {k: v for k, v in ENV.items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = run(*_cmd(line), cwd=course, env=env)
    return proc, proc.stdout + proc.stderr


def test_readme_nbgrader_routine_works_verbatim_on_a_fresh_course(tmp_path):
    release, autograde, feedback, export, engine = _readme_commands()
    course = tmp_path / "course"
    (course / "kernel").mkdir(parents=True)
    for folder in ("source", "release"):  # as a clone has them (committed), no gradebook
        shutil.copytree(REPO / folder, course / folder)
    shutil.copy(REPO / "nbgrader_config.py", course)
    with (course / "nbgrader_config.py").open("a") as fh:  # as tests/test_nbgrader.py does
        fh.write(f"\nc.Execute.timeout = 10\nc.KernelManager.transport = 'ipc'\n"
                 f"c.KernelManager.ip = {str(course / 'kernel' / 'ipc')!r}\n")
    answers = solution_cells(REPO, TOPIC)
    submit(course, "alice", TOPIC, answers)  # collected before the release was registered

    # a missing step is refused before grading anyone, in one line that gives the fix
    proc, said = _run(engine, course)
    assert proc.returncode == 2 and "workbook release" in said, said
    assert len(proc.stderr.strip().splitlines()) == 1 and not (course / "graded").exists()
    proc, said = _run("workbook grade --nbgrader ch99", course)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, said
    assert "no assignment ch99" in said and TOPIC in said

    proc, said = _run(release, course)
    assert proc.returncode == 0, said
    assert (course / "release" / TOPIC / f"{TOPIC}.ipynb").exists()
    assert (course / "gradebook.db").exists()
    submit(course, "bob", TOPIC, {})

    proc, said = _run(autograde, course)
    assert proc.returncode == 0 and "Traceback" not in said, said
    assert "has changed!" not in said, said  # no false alarm on the hidden tests
    proc, said = _run(feedback, course)
    assert proc.returncode == 0, said
    assert (course / "feedback" / "alice" / TOPIC / f"{TOPIC}.html").exists()
    proc, said = _run(export, course)
    assert proc.returncode == 0, said
    rows = {r["student_id"]: r for r in csv.DictReader((course / "grades.csv").open())}
    assert float(rows["alice"]["raw_score"]) == float(rows["alice"]["max_score"]) > 0
    assert float(rows["bob"]["raw_score"]) == 0
