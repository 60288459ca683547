"""The judge: grades submissions with the hidden graders, calling student code only through a
confined worker.

``python -m autograder.engine.judge`` is one judge process of a batch: it reads jobs (one JSON
line each: student id, submission path, result path) on stdin, grades each, writes the result
JSON atomically, and answers one line per job on stdout. The batch (``engine.batch``) runs as
many judges as ``--jobs`` says; they share the batch's one warm worker host (a judge started
on its own starts its own).
"""
from __future__ import annotations

import datetime as dt
import gc
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import torch

from autograder import __version__
from autograder.engine import sandbox
from autograder.engine.intake import unreadable_entry
from autograder.engine.batch import write_json
from autograder.engine.remote import REPO, Host, RemoteSubmission, WorkerLost, prepare_scratch
from autograder.engine.static import banned_names, file_sources
from autograder.graders import grade_exercise, load_graders
from autograder.runner import submission_files
from solutions.registry import select

DEFAULT_LIMITS = {"timeout_s": 10.0, "cpu_s": 600, "memory_mb": 2048,
                  "output_bytes": 1 << 20, "nproc": 8}


def unscored(ex, status: str, check: str, message: str) -> dict:
    """The result entry of an exercise that could not be graded: 0 points, one failed check."""
    return {"id": ex.id, "score": 0.0, "max_score": ex.points, "status": status,
            "checks": [{"name": check, "passed": False, "message": message}]}


def result(student: str, path: Path, device: str, exercises: list[dict], **extra) -> dict:
    return {"student": student, "submission": str(path),
            "graded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "workbook_version": __version__, "device": device,
            "score": round(sum(e["score"] for e in exercises), 2),
            "max_score": sum(e["max_score"] for e in exercises), **extra,
            "exercises": exercises}


def hidden_paths(extra: list[Path]) -> list[str]:
    """What a worker must never see: the course (graders, solutions, gradebook), the
    autograder package wherever it is installed, and the batch's inputs and outputs."""
    import autograder
    import solutions

    paths = {REPO, Path(autograder.__file__).parent, Path(solutions.__file__).parent,
             Path.cwd(), *extra}
    return sorted({str(p.resolve()) for p in paths if p.exists()} - {"/"})


class Judge:
    def __init__(self, device: str = "cpu", limits: dict | None = None, slot: int = 0,
                 hidden: list[Path] = (), log: Path | None = None,
                 only: list[str] | None = None, host: Path | None = None):
        torch.set_num_threads(1)
        self.base = Path(tempfile.mkdtemp(prefix="workbook-scratch-"))
        os.chmod(self.base, 0o711)
        # a batch's shared host, or our own (it warms up while we load the graders)
        self._own = None if host else Path(tempfile.mkdtemp(prefix="workbook-host-"))
        self.host = Host(host) if host else Host.start(self._own / "host.sock", log=log)
        self.device = device
        self.limits = {**DEFAULT_LIMITS, **(limits or {})}
        self.slot = slot
        self.uid = 61000 + slot
        self.level = sandbox.wanted_level()
        self.hidden = hidden_paths(list(hidden))
        self.exercises = select(only or None)
        load_graders()
        self._warm_up()
        gc.freeze()  # torch, graders, solutions: long-lived, never worth a collection
        self.host.wait_ready()

    def _warm_up(self) -> None:
        """Pay the graders' first-use costs before the first student is timed."""
        from autograder.engine.worker import warm_up
        from autograder.runner import InProcess

        warm_up()
        ex = next((e for e in self.exercises if e.id == "ch06.matmul"), self.exercises[0])
        grade_exercise(InProcess({ex.name: lambda *a, **k: None}), ex, device=self.device)

    def close(self) -> None:
        self.host.close()
        shutil.rmtree(self.base, ignore_errors=True)
        if self._own:
            shutil.rmtree(self._own, ignore_errors=True)

    def grade(self, path: Path, student: str) -> dict:
        started = time.monotonic()
        path = path.resolve()
        root = path if path.is_dir() else path.parent
        files = [f.relative_to(root) for f in submission_files(path)]
        unreadable = unreadable_entry(path, files, root)
        if unreadable and unreadable["nothing_to_grade"]:  # no worker for nothing to run
            why = f"not graded: the submission could not be read ({unreadable['message']})"
            return result(student, path, self.device,
                          [unscored(ex, "missing", "found", why) for ex in self.exercises],
                          unreadable=unreadable)
        if unreadable:
            files = [f for f in files if str(f) not in unreadable["files"]]
        # the scratch folder belongs to the worker's own user id, where it gets one (at the
        # other levels it keeps the grader's: in a user namespace, a file owned by an id the
        # namespace does not map cannot be opened even by its "root")
        scratch = prepare_scratch(self.base / "s", path, files,
                                  self.uid if self.level == "namespaces" else None)
        sub = RemoteSubmission(self.host, files, scratch, student=student, device=self.device,
                               limits=self.limits, hidden=self.hidden, uid=self.uid,
                               level=self.level, load_timeout=self.limits["timeout_s"])
        sub.root = root
        try:
            sub.start()
            entries = [self._grade_one(sub, ex, root, student) for ex in self.exercises]
        finally:
            sub.stop()
            output = _read_output(scratch)
            shutil.rmtree(self.base / "s", ignore_errors=True)
        return result(student, path, self.device, entries, isolation=sub.isolation,
                      seconds=round(time.monotonic() - started, 2),
                      **({"unreadable": unreadable} if unreadable else {}),
                      **({"output": output} if output else {}))

    def _grade_one(self, sub: RemoteSubmission, ex, root: Path, student: str) -> dict:
        if ex.name not in sub.defined:
            return _not_found(ex, sub, root)
        sub.deadline = time.monotonic() + self.limits["timeout_s"]
        try:
            report = grade_exercise(sub, ex, device=self.device, seed=student)
        except WorkerLost as lost:
            return unscored(ex, lost.status, "run", lost.message)
        finally:
            sub.deadline = float("inf")
        hits = banned_names(root / sub.defined[ex.name], ex.name, ex.ban)
        if hits:
            report.record("banned_ops", False,
                          f"your {ex.name} names {', '.join(hits)}, which this exercise bans "
                          f"(banned: {', '.join(ex.ban)}): build it from simpler operations")
        return report.as_dict()


def _not_found(ex, sub: RemoteSubmission, root: Path) -> dict:
    """``error`` when a file that failed to load defines it, else ``missing``."""
    why, status = [], "error"
    for where, err in sub.load_errors.items():
        name = where.removesuffix(" (a cell)")
        text = "\n".join(file_sources(root / name))
        if re.search(rf"^\s*def\s+{re.escape(ex.name)}\b", text, re.M):
            why.append(err if err.startswith(Path(name).name) else f"{Path(name).name}: {err}")
            status = sub.load_status(name)
    if why:
        return unscored(ex, status, "found", f"{ex.name} could not be loaded: "
                                              f"{'; '.join(why)}")
    return unscored(ex, "missing", "found",
                    f"no function named {ex.name} was found in the submission")


def _read_output(scratch: Path) -> str:
    try:
        with (scratch / "output.log").open("rb") as fh:
            data = fh.read(4001)
    except OSError:
        return ""
    text = data[:4000].decode("utf-8", "replace")
    return text + ("\n... (output cut)" if len(data) > 4000 else "")


def main() -> int:
    """Serve jobs from the batch: one JSON line in, one JSON line out."""
    sandbox.die_with_parent()
    opts = json.loads(os.environ["WORKBOOK_JUDGE"])
    from autograder.graders import available_devices

    if opts["device"] not in available_devices():
        print(json.dumps({"fatal": f"--device {opts['device']} is not available here "
                                   f"(available: {', '.join(available_devices())})"}),
              flush=True)
        return 2
    judge = Judge(device=opts["device"], limits=opts["limits"], slot=opts["slot"],
                  hidden=[Path(p) for p in opts["hidden"]],
                  log=Path(opts["log"]) if opts.get("log") else None, only=opts.get("only"),
                  host=Path(opts["host"]) if opts.get("host") else None)
    print(json.dumps({"ready": True}), flush=True)
    try:
        for line in sys.stdin:
            job = json.loads(line)
            try:
                r = judge.grade(Path(job["submission"]), job["student"])
            except Exception as exc:  # the engine's own failure: that student only
                r = result(job["student"], Path(job["submission"]), judge.device,
                           [unscored(ex, "error", "run", f"grading failed: "
                                     f"{type(exc).__name__}: {exc}") for ex in judge.exercises])
            write_json(Path(job["result"]), r)
            print(json.dumps({"done": job["student"]}), flush=True)
    finally:
        judge.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
