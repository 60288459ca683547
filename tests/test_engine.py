"""The grading engine against hostile submissions, each in one batch beside an honest one.

Every case is a student folder whose answers.py attacks the grader in one way. For each: the
batch completes, the attacking exercise scores only what it truly earns (0 for every cheat),
the honest submission scores full marks, nothing outside the scratch folders changed, and the
feedback says what happened in words a student understands.
"""
import hashlib
import json
import os
import subprocess
import textwrap
import uuid
from pathlib import Path

import pytest

from tests.conftest import REPO, run

HONEST = REPO / "samples" / "submissions" / "alice"
GRADERS = REPO / "autograder" / "graders" / "ch06.py"
MATMUL_OK = "def dot_product(a, b):\n    return (a * b).sum()\n"


def _workbook():
    return REPO / ".venv" / "bin" / "workbook" if (REPO / ".venv").exists() else "workbook"


def cases(tmp):
    """{student: (answers.py source, exercise attacked, expected score, words in feedback)}."""
    course = tmp / "course"
    (course / "submitted" / "zoe").mkdir(parents=True)
    (course / "gradebook.db").write_text("secret gradebook")
    (course / "submitted" / "zoe" / "answers.py").write_text("# zoe's work\n")
    leak = textwrap.dedent("""
        import torch
        def matmul(a, b):
            try:
                open({path!r}).read(5)
            except Exception as exc:
                print("blocked:", exc)
                return torch.zeros(a.shape[0], b.shape[1])
            return a @ b
    """)
    return course, {
        "syntax_error": ("def matmul(a, b)\n    return a @ b\n", "ch06.matmul", 0,
                         "SyntaxError"),
        "import_exception": ("def matmul(a, b):\n    return a @ b\nraise RuntimeError('boom')\n",
                             "ch06.matmul", 0, "RuntimeError: boom"),
        "exit_at_import": ("import sys\ndef matmul(a, b):\n    return a @ b\nsys.exit(0)\n",
                           "ch06.matmul", 0, "SystemExit"),
        "exit_in_function": ("import sys\ndef matmul(a, b):\n    sys.exit(0)\n" + MATMUL_OK,
                             "ch06.matmul", 0, "raised SystemExit"),
        "os_exit_in_function": ("import os\ndef matmul(a, b):\n    os._exit(0)\n" + MATMUL_OK,
                                "ch06.matmul", 0, "ended the process running it"),
        "os_exit_at_import": ("import os\ndef matmul(a, b):\n    return a @ b\nos._exit(3)\n",
                              "ch06.matmul", 0, "ended the process running it"),
        "segfault_ctypes": ("import ctypes\ndef matmul(a, b):\n    return ctypes.string_at(0)\n"
                            + MATMUL_OK, "ch06.matmul", 0, "ctypes"),
        "segfault_native": (  # a C stack overflow: a real SIGSEGV, no ctypes needed
            "import pickle, sys\ndef matmul(a, b):\n    sys.setrecursionlimit(10**8)\n    x = []\n"
            "    for _ in range(3 * 10**5):\n        x = [x]\n    return pickle.dumps(x)\n"
            + MATMUL_OK,
            "ch06.matmul", 0, "segmentation fault"),
        "infinite_loop": ("def matmul(a, b):\n    while True:\n        pass\n" + MATMUL_OK,
                          "ch06.matmul", 0, "did not finish within"),
        "swallows_base_exception": (
            "def matmul(a, b):\n    while True:\n        try:\n            while True:\n"
            "                pass\n        except BaseException:\n            pass\n" + MATMUL_OK,
            "ch06.matmul", 0, "did not finish within"),
        "allocates_50gb": ("import torch\ndef matmul(a, b):\n    big = torch.ones(50 * 2**30 // 4)"
                           "\n    return a @ b\n" + MATMUL_OK, "ch06.matmul", 0, "memory"),
        "fork_storm": ("import os\ndef matmul(a, b):\n    for _ in range(20):\n        os.fork()\n"
                       "    return a @ b\n" + MATMUL_OK, "ch06.matmul", 0,
                       "os.fork is not allowed"),
        "daemon": ("import subprocess\ndef matmul(a, b):\n    subprocess.Popen(['sleep', '600'],"
                   " start_new_session=True)\n    return a @ b\n" + MATMUL_OK, "ch06.matmul", 0,
                   "subprocess.Popen is not allowed"),
        "thread_storm": (  # how many threads one worker may start (spinning ones would
            # starve the other workers; these sleep, so the score does not hang on timing)
            "import threading, time, torch\ndef spin():\n    time.sleep(600)\n"
            "def matmul(a, b):\n    started = 0\n    for _ in range(50):\n        try:\n"
            "            threading.Thread(target=spin, daemon=True).start()\n"
            "            started += 1\n        except RuntimeError:\n            break\n"
            "    print('threads', started)\n    return a @ b\n", "ch06.matmul", 0,
            "threading"),  # it still runs (capped); the integrity check refuses threads
        "prints_100mb": ("for _ in range(100):\n    print('x' * 2**20)\n"
                         "def matmul(a, b):\n    print('y' * 2**20)\n    return a @ b\n",
                         "ch06.matmul", 1, ""),
        "monkeypatches_torch": (
            "import torch, torch.testing\ntorch.allclose = lambda *a, **k: True\n"
            "torch.testing.assert_close = lambda *a, **k: None\n"
            "torch.Tensor.__eq__ = lambda self, other: torch.ones((), dtype=torch.bool)\n"
            "torch.equal = lambda *a: True\n"
            "def matmul(a, b):\n    return torch.zeros(a.shape[0], b.shape[1])\n",
            "ch06.matmul", 0, "expected"),
        "tensor_subclass": (
            "import torch\nclass Liar(torch.Tensor):\n    def __eq__(self, other):\n"
            "        return True\n    @classmethod\n    def __torch_function__(cls, func, types, "
            "args=(), kwargs=None):\n        return torch.ones(()) == 1\n"
            "def matmul(a, b):\n"
            "    return torch.zeros(a.shape[0], b.shape[1]).as_subclass(Liar)\n",
            "ch06.matmul", 0, "expected"),
        "returns_numpy": ("def matmul(a, b):\n    return (a @ b).numpy()\n", "ch06.matmul", 0,
                          "expected a torch.Tensor, got ndarray"),
        "returns_list": ("def matmul(a, b):\n    return (a @ b).tolist()\n", "ch06.matmul", 0,
                         "expected a torch.Tensor, got list"),
        "returns_none": ("def matmul(a, b):\n    pass\n", "ch06.matmul", 0,
                         "expected a torch.Tensor, got NoneType"),
        "unsendable_result": (  # a str whose str() raises: the wire cannot carry it
            "class Weird(str):\n    def __str__(self):\n        raise RuntimeError('no')\n"
            "def matmul(a, b):\n    return Weird('x')\n" + MATMUL_OK, "ch06.matmul", 0,
            "could not be sent back for grading"),
        "returns_nan": ("import torch\ndef matmul(a, b):\n    return torch.full((a.shape[0], "
                        "b.shape[1]), float('nan'))\n", "ch06.matmul", 0, "nan"),
        "reads_graders": (leak.format(path=str(GRADERS)), "ch06.matmul", 0, "may not read"),
        "imports_graders": ("import autograder.graders.ch06 as g\ndef matmul(a, b):\n"
                            "    return a @ b\n", "ch06.matmul", 0, "ModuleNotFoundError"),
        "reads_gradebook": (leak.format(path=str(course / "gradebook.db")), "ch06.matmul", 0,
                            "may not read"),
        "reads_other_student": (leak.format(path=str(course / "submitted" / "zoe" /
                                                     "answers.py")), "ch06.matmul", 0,
                                "may not read"),
        "mutates_input": ("def matmul(a, b):\n    out = a @ b\n    a.zero_()\n    return out\n",
                          "ch06.matmul", 0.67, "modified its input in place"),
        "network": ("import socket, torch\ndef matmul(a, b):\n    try:\n"
                    "        socket.create_connection(('pypi.org', 443), timeout=2)\n"
                    "    except Exception as exc:\n        print('no network:', exc)\n"
                    "        return torch.zeros(a.shape[0], b.shape[1])\n    return a @ b\n",
                    "ch06.matmul", 0, "socket"),
        "writes_outside": (
            "import torch\ndef matmul(a, b):\n    for p in ({repo!r}, {tmp!r}):\n"
            "        try:\n            open(p, 'a').write('pwned')\n"
            "        except Exception as exc:\n            print(exc)\n"
            "    return torch.zeros(a.shape[0], b.shape[1])\n".format(
                repo=str(REPO / "README.md"), tmp=str(tmp / "pwned.txt")),
            "ch06.matmul", 0, "expected"),
    }


def _tree_digest(folder) -> dict:
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not {".git", ".venv", "__pycache__"} & set(p.parts):
            out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


BATCH_MARK = "WORKBOOK_TEST_BATCH"


def batch_env() -> dict:
    """An environment variable unique to one batch: every process the batch starts (judges,
    host, workers, whatever a submission spawns) inherits it, and no other batch has it."""
    return {BATCH_MARK: uuid.uuid4().hex}


def _leftovers(env: dict) -> list[str]:
    """Processes still running that the batch started with ``env`` (not those of any other
    `workbook grade` on the machine, whose workers have the same user ids)."""
    mark = f"{BATCH_MARK}={env[BATCH_MARK]}".encode()
    left = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if mark in (proc / "environ").read_bytes().split(b"\0"):
                args = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                left.append(f"{proc.name}: {args.strip()}")
        except OSError:  # gone, or not ours to read (a batch of another user)
            continue
    return left


def test_leftover_check_sees_only_its_own_batch():
    """Another batch's sleeping process (as ps sees it, the same as a cheat's) is not this
    batch's leftover; one that carries this batch's mark is."""
    ours = batch_env()
    other = subprocess.Popen(["sleep", "600"], env={**os.environ, **batch_env()})
    mine = subprocess.Popen(["sleep", "600"], env={**os.environ, **ours})
    try:
        assert _leftovers(ours) == [f"{mine.pid}: sleep 600"]
    finally:
        for p in (other, mine):
            p.kill()
            p.wait()
    assert _leftovers(ours) == []


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    course, table = cases(tmp)
    subs = []
    for student, (src, *_rest) in table.items():
        folder = tmp / "class" / student
        folder.mkdir(parents=True)
        (folder / "answers.py").write_text(src)
        subs.append(folder)
    before = {**_tree_digest(REPO / "autograder"), **_tree_digest(REPO / "solutions"),
              **_tree_digest(course), **_tree_digest(HONEST)}
    out = tmp / "out"
    env = batch_env()
    proc = run(_workbook(), "grade", HONEST, *subs, "--out", out, "--timeout", "3",
               "--jobs", "2", cwd=course, env=env)
    after = {**_tree_digest(REPO / "autograder"), **_tree_digest(REPO / "solutions"),
             **_tree_digest(course), **_tree_digest(HONEST)}
    return tmp, out, table, proc, before, after, env


def _result(out, student):
    return json.loads((out / f"{student}.json").read_text())


def test_batch_completes_and_honest_student_gets_full_marks(hostile_batch):
    tmp, out, table, proc, *_ = hostile_batch
    assert proc.returncode == 0, proc.stdout + proc.stderr
    alice = _result(out, "alice")
    assert alice["score"] == alice["max_score"] > 0
    for student in table:
        assert _result(out, student)["exercises"], student


HOSTILE = ["syntax_error", "import_exception", "exit_at_import", "exit_in_function",
           "os_exit_in_function", "os_exit_at_import", "segfault_ctypes", "segfault_native",
           "infinite_loop", "swallows_base_exception", "allocates_50gb", "fork_storm", "daemon",
           "thread_storm",
           "prints_100mb", "monkeypatches_torch", "tensor_subclass", "returns_numpy",
           "returns_list", "returns_none", "unsendable_result", "returns_nan", "reads_graders",
           "imports_graders",
           "reads_gradebook", "reads_other_student", "mutates_input", "network",
           "writes_outside"]


def test_every_case_is_checked(tmp_path):
    assert sorted(cases(tmp_path)[1]) == sorted(HOSTILE)


@pytest.mark.parametrize("student", HOSTILE)
def test_hostile_case_scores_what_it_earns_and_feedback_says_why(hostile_batch, student):
    tmp, out, table, *_ = hostile_batch
    src, exercise, want, words = table[student]
    r = _result(out, student)
    entry = {e["id"]: e for e in r["exercises"]}[exercise]
    fraction = entry["score"] / entry["max_score"]
    assert fraction == want, (student, entry)
    feedback = (out / "feedback" / f"{student}.md").read_text()
    assert words.lower() in feedback.lower() or (want == 1 and entry["status"] == "passed"), \
        (student, feedback)
    if "dot_product" in src:  # the rest of a submission is graded although one part attacked
        assert {e["id"]: e for e in r["exercises"]}["ch06.dot_product"]["status"] == "passed", \
            (student, r)


def test_nothing_outside_scratch_changed(hostile_batch):
    tmp, out, table, proc, before, after, env = hostile_batch
    assert before == after
    assert not (tmp / "pwned.txt").exists()
    assert not _leftovers(env), "a worker left a process running"


def test_feedback_never_quotes_grader_source(hostile_batch):
    tmp, out, *_ = hostile_batch
    source_lines = {ln.strip() for p in (REPO / "autograder" / "graders").rglob("*.py")
                    for ln in p.read_text().splitlines() if len(ln.strip()) > 30}
    for page in (out / "feedback").iterdir():
        text = page.read_text()
        leaked = [ln for ln in source_lines if ln in text]
        assert not leaked, (page.name, leaked[:3])


def test_thread_storm_is_capped(hostile_batch):
    tmp, out, *_ = hostile_batch
    r = _result(out, "thread_storm")
    if r["isolation"].startswith("namespaces"):  # its own user id: RLIMIT_NPROC applies
        assert "threads 0" in r["output"] or max(
            int(ln.split()[1]) for ln in r["output"].splitlines() if ln.startswith("threads")) < 8


def test_large_output_is_cut_not_fatal(hostile_batch):
    tmp, out, *_ = hostile_batch
    r = _result(out, "prints_100mb")
    assert len(r["output"]) < 10_000 and "output cut" in r["output"]


def test_result_records_isolation_level(hostile_batch):
    tmp, out, *_ = hostile_batch
    level = _result(out, "alice")["isolation"]
    assert level == ("namespaces" if os.geteuid() == 0 else level)


WEAK_LEVEL_CASES = ["reads_graders", "reads_gradebook", "reads_other_student", "writes_outside",
                    "fork_storm", "daemon", "network", "imports_graders", "tensor_subclass"]


def _user_namespaces_work() -> bool:
    return subprocess.run(["unshare", "--user", "--map-root-user", "--pid", "--mount", "--net",
                           "--fork", "true"], capture_output=True).returncode == 0


@pytest.mark.parametrize("level", ["audit-hooks", "user-namespace"])
def test_weaker_levels_still_stop_every_cheat(tmp_path, level):
    """What an instructor without root gets. ``user-namespace`` (unprivileged user
    namespaces: the worker keeps the instructor's user id, so only the private root and the
    audit hook keep it from the instructor's files) is forced here even as root: the worker
    then runs as the owner of the course, as it would on a laptop. ``audit-hooks`` (no
    namespaces at all): the audit hook and the resource limits are the whole sandbox. Either
    way the same cheats must score nothing."""
    if level == "user-namespace" and not _user_namespaces_work():
        pytest.skip("this kernel refuses unprivileged user namespaces")
    course, table = cases(tmp_path)
    subs = []
    for student in WEAK_LEVEL_CASES:
        (tmp_path / "class" / student).mkdir(parents=True)
        (tmp_path / "class" / student / "answers.py").write_text(table[student][0])
        subs.append(tmp_path / "class" / student)
    out = tmp_path / "out"
    before = {**_tree_digest(REPO / "autograder"), **_tree_digest(course)}
    env = batch_env()
    proc = subprocess.run([str(_workbook()), "grade", str(HONEST), *map(str, subs), "--out",
                           str(out), "--timeout", "3"], cwd=course, capture_output=True,
                          text=True, env={**os.environ, "WORKBOOK_ISOLATION": level, **env})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _result(out, "alice")["score"] == _result(out, "alice")["max_score"]
    for student in ["alice", *WEAK_LEVEL_CASES]:
        assert _result(out, student)["isolation"] == level, student
    for student in WEAK_LEVEL_CASES:
        entry = {e["id"]: e for e in _result(out, student)["exercises"]}["ch06.matmul"]
        assert entry["score"] == 0, (student, entry)
        feedback = (out / "feedback" / f"{student}.md").read_text().lower()
        words = "may not read" if student == "imports_graders" and level == "audit-hooks" \
            else table[student][3]  # (with a private root the graders are not there at all)
        assert words.lower() in feedback, (student, feedback)
    assert before == {**_tree_digest(REPO / "autograder"), **_tree_digest(course)}
    assert not (tmp_path / "pwned.txt").exists()
    assert not _leftovers(env)
