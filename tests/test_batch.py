"""A class batch: deterministic across runs and --jobs, seeded per student, resumable after
SIGKILL, with feedback files and a machine-readable summary."""
import json
import os
import shutil
import signal
import subprocess
import time

from tests.conftest import REPO, run

SAMPLES = REPO / "samples" / "submissions"
SPY = "def matmul(a, b):\n    print('saw', a.flatten()[:4].tolist())\n    return a @ b\n"


def _workbook():
    return REPO / ".venv" / "bin" / "workbook" if (REPO / ".venv").exists() else "workbook"


def _result(out, student):
    return json.loads((out / f"{student}.json").read_text())


def _graded(r):
    """What must not change between runs (the time stamps may)."""
    return r["score"], r["exercises"]


def test_same_submission_same_result_on_every_run_and_any_jobs(tmp_path):
    out = tmp_path / "out"
    runs = [["--jobs", "1"], ["--jobs", "2", "--regrade", SAMPLES / "alice"],
            ["--jobs", "2", "--regrade", SAMPLES / "carol"]]
    seen = []
    for extra in runs:
        proc = run(_workbook(), "grade", SAMPLES / "bob", *extra, "--out", out, "-q")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        seen.append(_graded(_result(out, "bob")))
    assert seen[0] == seen[1] == seen[2]
    assert 0 < seen[0][0] < 51


def test_engine_grades_as_the_graders_do_in_process(tmp_path):
    """The engine (calls over the wire, a grader's cases batched into one message) and the
    same graders calling the code in this process (pytest, the audit, notebooks) agree on
    every exercise's score and every check, for the same student seed."""
    from autograder.graders import grade_exercise
    from autograder.runner import load
    from solutions.registry import select

    out = tmp_path / "out"
    proc = run(_workbook(), "grade", SAMPLES / "bob", SAMPLES / "carol", "--out", out, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    compared, failed = 0, 0
    for student in ("bob", "carol"):
        impl = load(str(SAMPLES / student))
        engine = {e["id"]: e for e in _result(out, student)["exercises"]}
        for ex in select(None):
            if impl.function(ex.name) is None:  # not there, or in a file that fails to load
                assert engine[ex.id]["status"] in ("missing", "error"), (student, ex.id)
                continue
            here = grade_exercise(impl, ex, device="cpu", seed=student).as_dict()
            assert (here["score"], here["checks"]) == \
                (engine[ex.id]["score"], engine[ex.id]["checks"]), (student, ex.id)
            compared += 1
            failed += any(not c["passed"] for c in here["checks"])
    assert compared >= 12 and failed >= 5, (compared, failed)  # right and wrong answers both


def test_students_with_the_same_code_see_different_inputs(tmp_path):
    subs = []
    for student in ("eve", "frank"):
        (tmp_path / student).mkdir()
        (tmp_path / student / "answers.py").write_text(SPY)
        subs.append(tmp_path / student)
    out = tmp_path / "out"
    proc = run(_workbook(), "grade", *subs, "--out", out, "--json")
    assert proc.returncode == 0, proc.stderr
    eve, frank = _result(out, "eve"), _result(out, "frank")
    assert eve["score"] == frank["score"] == 1.0
    assert "saw" in eve["output"] and eve["output"] != frank["output"]
    summary = json.loads(proc.stdout)
    assert [s["student"] for s in summary["students"]] == ["eve", "frank"]
    assert {e["id"]: e["pass_rate"] for e in summary["exercises"]}["ch06.matmul"] == 1.0


def test_sigkill_then_rerun_grades_everyone_exactly_once(tmp_path):
    subs = []
    for i in range(6):
        src = SAMPLES / ("alice" if i % 2 else "bob")
        dest = tmp_path / "class" / f"s{i}"
        shutil.copytree(src, dest)
        if i == 3:  # a slow one, so the batch is surely still running when killed
            (dest / "slow.py").write_text("def dot_product(a, b):\n    while True:\n"
                                          "        pass\n")
        subs.append(dest)
    out = tmp_path / "out"
    cmd = [str(_workbook()), "grade", *map(str, subs), "--out", str(out), "--jobs", "1",
           "--timeout", "4"]
    (tmp_path / "tmp").mkdir()  # what a killed batch cannot clean up stays in tmp_path
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    deadline = time.monotonic() + 120
    while len(list(out.glob("s*.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    first = {p.name: p.read_bytes() for p in out.glob("s*.json")}
    assert 2 <= len(first) < 6
    for data in first.values():
        json.loads(data)  # whole files only
    time.sleep(1)
    assert not any("autograder.engine" in ln for ln in subprocess.run(
        ["ps", "-eo", "args"], capture_output=True, text=True).stdout.splitlines()
        if str(out) in ln)

    again = run(*cmd)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(first)} student(s) already graded" in again.stderr
    graded_now = [ln for ln in again.stderr.splitlines() if ln.startswith("[")]
    assert len(graded_now) == 6 - len(first)
    assert all(f"/{6 - len(first)}]" in ln for ln in graded_now)
    for name, data in first.items():
        assert (out / name).read_bytes() == data  # not graded twice
    results = sorted(out.glob("s*.json"))
    assert len(results) == 6 and all(json.loads(p.read_text())["exercises"] for p in results)
    assert not list(out.glob(".*.tmp"))
    assert (out / "grades.csv").read_text().count("\n") == 7
    assert all((out / "feedback" / f"s{i}.html").exists() for i in range(6))


def test_regrade_and_student_id_rules(tmp_path):
    out = tmp_path / "out"
    a = run(_workbook(), "grade", SAMPLES / "carol", "--out", out, "-q")
    b = run(_workbook(), "grade", SAMPLES / "carol", "--out", out)
    assert a.returncode == b.returncode == 0
    assert "1 student(s) already graded" in b.stderr
    twin = tmp_path / "x" / "carol"
    shutil.copytree(SAMPLES / "carol", twin)
    dup = run(_workbook(), "grade", SAMPLES / "carol", twin, "--out", out)
    assert dup.returncode == 2 and "same student id: carol" in dup.stderr


def test_unavailable_device_stops_the_batch_with_a_clear_error(tmp_path):
    import pytest
    import torch

    if torch.cuda.is_available():
        pytest.skip("the point is a machine without CUDA")
    proc = run(_workbook(), "grade", SAMPLES / "carol", "--out", tmp_path / "out",
               "--device", "cuda")
    assert proc.returncode == 2
    assert "--device cuda is not available here (available: cpu)" in proc.stderr
    assert not list((tmp_path / "out").glob("*.json"))


def test_ctrl_c_says_what_was_kept_and_the_same_command_resumes(tmp_path):
    """Ctrl-C (SIGINT to the terminal's process group) mid-batch: no traceback, a line that
    says how many were kept and that the same command resumes; it does."""
    subs = []
    for i in range(4):
        dest = tmp_path / "class" / f"s{i}"
        shutil.copytree(SAMPLES / "carol", dest)
        subs.append(dest)
    out = tmp_path / "out"
    cmd = [str(_workbook()), "grade", *map(str, subs), "--out", str(out), "--jobs", "1"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list(out.glob("s*.json")) and time.monotonic() < deadline:
        time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    kept = len(list(out.glob("s*.json")))
    assert proc.returncode == 130, stdout + stderr
    assert "Traceback" not in stdout + stderr and "KeyboardInterrupt" not in stderr
    assert f"interrupted. {kept} of 4 student(s) are graded and kept in {out}; run the same " \
           "command again to grade the rest." in stderr
    again = run(*cmd)
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{kept} student(s) already graded" in again.stderr
    assert len(list(out.glob("s*.json"))) == 4


def test_a_judge_that_answers_ready_and_done_in_one_write_is_heard(tmp_path, monkeypatch):
    """'ready' and 'done' arriving in one chunk once left 'done' in a file buffer that the
    selector never reported again: the batch waited forever on an empty submission."""
    import selectors
    import subprocess
    import sys
    import time

    from autograder.engine import batch

    script = ("import sys\nline = sys.stdin.readline()\n"
              "sys.stdout.write('{\"ready\": true}\\n{\"done\": \"x\"}\\n')\nsys.stdout.flush()\n"
              "sys.stdin.read()\n")

    def fake_start(self, slot):
        proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True, bufsize=1)
        self.pending[slot] = b""
        self.sel.register(proc.stdout, selectors.EVENT_READ, slot)
        return proc

    monkeypatch.setattr(batch.JudgePool, "_start", fake_start)
    pool = batch.JudgePool(1, {}, tmp_path)
    pool.give(0, {"student": "x"})
    done, deadline = [], time.monotonic() + 20
    while not done and time.monotonic() < deadline:
        done += [job for job, ok in pool.finished() if ok]
    pool.close()
    assert done == [{"student": "x"}]


def test_grades_csv_never_turns_a_student_id_into_a_formula(tmp_path):
    """The student id is the name of what was handed in, which the student chose: one that
    starts like a formula opens as text in a spreadsheet."""
    import csv

    from autograder.engine.batch import write_class_csv

    results = [{"student": name, "score": 1.0, "max_score": 2.0,
                "exercises": [{"id": "ch06.matmul", "score": 1.0}]}
               for name in ("=HYPERLINK(\"http://x\")", "+1", "alice")]
    write_class_csv(tmp_path, results)
    rows = list(csv.reader((tmp_path / "grades.csv").open()))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+1", "alice"]
    assert rows[3] == ["alice", "1.0", "2.0", "1.0"]
