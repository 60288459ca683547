"""``workbook grade``: a class of submissions graded in parallel, resumably.

This process never imports torch or a submission: it plans the jobs, starts one warm worker
host and ``--jobs`` judge processes (``engine.judge``, sharing that host), hands each judge one
student at a time, and writes the class outputs from the result files the judges wrote
atomically:

    OUT/<student>.json            one result per student (DESIGN.md's schema)
    OUT/grades.csv                the class, one row per student
    OUT/feedback/<student>.md     what the student reads (also .html)

A student whose result file exists is skipped unless ``--regrade``, so rerunning a batch that
was interrupted (even by SIGKILL) grades each remaining student exactly once.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.engine import feedback

STATUSES = ("passed", "failed", "error", "timeout", "missing")
REPO = Path(__file__).resolve().parent.parent.parent


def student_id(path: Path) -> str:
    return path.stem if path.is_file() else path.resolve().name


def safe_id(sid: str) -> str:
    """A student id usable as a file name (no path separators, no leading dots)."""
    clean = re.sub(r"[^A-Za-z0-9._@+-]", "_", sid).lstrip(".")
    return clean or "student"


def write_atomic(path: Path, text: str, *, newline: str | None = None,
                 sync: bool = False) -> None:
    """Write ``text`` atomically: a reader (or a resumed batch) sees the old file or the whole
    new one, and a failed write leaves no temporary file behind. ``sync``: on disk before the
    rename (a result a killed batch must not lose)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline=newline) as fh:
            fh.write(text)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_json(path: Path, data) -> None:
    write_atomic(path, json.dumps(data, indent=1) + "\n", sync=True)


def read_result(path: Path) -> dict | None:
    """A complete result file, or None (absent, or not a whole result)."""
    try:
        r = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return r if isinstance(r, dict) and {"student", "score", "exercises"} <= set(r) else None


def child_env(**extra: str) -> dict:
    """The environment of an engine process: this workbook first on its import path."""
    path = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**os.environ, "PYTHONPATH": path, **extra}


class Fatal(Exception):
    """The batch cannot run at all (an unavailable device): nothing is graded."""


class JudgePool:
    """``n`` judge processes; each grades one student at a time."""

    def __init__(self, n: int, opts: dict, logs: Path):
        self.opts, self.logs = opts, logs
        self.sel = selectors.DefaultSelector()
        self.pending: dict[int, bytes] = {}  # what a judge wrote after its last full line
        self.judges: list[subprocess.Popen] = [self._start(slot) for slot in range(n)]
        self.busy: dict[int, dict] = {}

    def _start(self, slot: int) -> subprocess.Popen:
        env = child_env(WORKBOOK_JUDGE=json.dumps({**self.opts, "slot": slot}))
        err = open(self.logs / f"judge-{slot}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", "autograder.engine.judge"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                env=env, text=True, bufsize=1)
        err.close()
        self.pending[slot] = b""
        self.sel.register(proc.stdout, selectors.EVENT_READ, slot)
        return proc

    def idle(self) -> list[int]:
        return [s for s in range(len(self.judges)) if s not in self.busy]

    def give(self, slot: int, job: dict) -> None:
        self.busy[slot] = job
        try:
            self.judges[slot].stdin.write(json.dumps(job) + "\n")
            self.judges[slot].stdin.flush()
        except OSError:
            pass  # the judge died: its EOF is handled in finished()

    def finished(self):
        """Yield (job, ok) as judges report; a judge that dies is restarted."""
        for key, _ in self.sel.select(timeout=1.0):
            slot = key.data
            # raw reads, every whole line at once: "ready" and "done" can arrive in one chunk,
            # and a line left in a file object's buffer would never wake the selector again
            data = os.read(key.fileobj.fileno(), 1 << 16)
            if data:
                *lines, self.pending[slot] = (self.pending[slot] + data).split(b"\n")
                for line in lines:
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    if "done" in msg and slot in self.busy:
                        yield self.busy.pop(slot), True
                    if "fatal" in msg:  # a setting no judge can work with: stop the batch
                        raise Fatal(str(msg["fatal"]))
                continue
            self.sel.unregister(key.fileobj)  # the judge died
            self.judges[slot].wait()
            job = self.busy.pop(slot, None)
            self.judges[slot] = self._start(slot)
            if job is not None:
                yield job, False

    def close(self) -> None:
        for p in self.judges:
            try:
                p.stdin.close()
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for p in self.judges:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()


class Progress:
    def __init__(self, total: int, quiet: bool):
        self.total, self.done, self.quiet = total, 0, quiet
        self.tty = sys.stderr.isatty()
        self.start = time.monotonic()

    def step(self, r: dict | None, sid: str) -> None:
        self.done += 1
        if self.quiet:
            return
        score = f"{r['score']:g}/{r['max_score']:g}" if r else "not graded"
        if self.tty:
            width = 30
            fill = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {self.done}/{self.total}"
                             f"  {time.monotonic() - self.start:5.1f}s  {sid}: {score}\033[K")
            if self.done == self.total:
                sys.stderr.write("\n")
        else:
            sys.stderr.write(f"[{self.done}/{self.total}] {sid}: {score}\n")
        sys.stderr.flush()


def _failed_run(job: dict, message: str) -> dict:
    return {"student": job["student"], "submission": job["submission"], "graded_at": "",
            "workbook_version": "", "device": job.get("device", "cpu"), "score": 0.0,
            "max_score": 0.0, "error": message, "exercises": []}


def grade_all(jobs: list[dict], out: Path, n_jobs: int, opts: dict, quiet: bool) -> None:
    """Grade every job; each result lands in its job's result file."""
    if not jobs:
        return
    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    private = Path(tempfile.mkdtemp(prefix="workbook-host-"))  # 0700: only we reach it
    host = start_host(private / "host.sock", logs / "worker-host.log")
    pool = JudgePool(min(n_jobs, len(jobs)), {**opts, "host": str(private / "host.sock")},
                     logs)
    progress = Progress(len(jobs), quiet)
    todo = list(reversed(jobs))
    retried: set[str] = set()
    try:
        while todo or pool.busy:
            for slot in pool.idle():
                if todo:
                    pool.give(slot, todo.pop())
            for job, ok in pool.finished():
                if not ok and job["student"] not in retried:
                    retried.add(job["student"])
                    todo.append(job)  # the judge itself died: once more on a fresh one
                    continue
                if not ok:
                    write_json(Path(job["result"]), _failed_run(
                        job, "the grading engine failed twice on this submission; see "
                             f"{logs}"))
                progress.step(read_result(Path(job["result"])), job["student"])
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut clean-up
        raise
    finally:
        pool.close()
        host.kill()
        host.wait()
        shutil.rmtree(private, ignore_errors=True)


def start_host(path: Path, log: Path | None) -> subprocess.Popen:
    """A warm worker host listening on ``path`` (a batch runs one for all its judges)."""
    env = child_env(WORKBOOK_HOST_LISTEN=str(path))
    with open(log or os.devnull, "ab") as err:
        return subprocess.Popen([sys.executable, "-m", "autograder.engine.worker"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, env=env)


def exercise_ids(results: list[dict]) -> list[str]:
    """Every exercise id in the results, in the order they first appear."""
    return list(dict.fromkeys(e["id"] for r in results for e in r["exercises"]))


def spreadsheet_text(text: str) -> str:
    """A student id as a spreadsheet shows it, never as a formula: an id (the name of a
    submitted file or folder, which the student chose) that starts with = + - or @ gets a
    leading apostrophe, which Excel and LibreOffice hide (OWASP "CSV injection"; Canvas's
    exporter quotes a name that starts with = for the same reason)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_class_csv(out: Path, results: list[dict]) -> None:
    ids = exercise_ids(results)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["student", "score", "max_score", *ids])
    for r in results:
        by_id = {e["id"]: e["score"] for e in r["exercises"]}
        w.writerow([spreadsheet_text(r["student"]), r["score"], r["max_score"],
                    *[by_id.get(i, "") for i in ids]])
    write_atomic(out / "grades.csv", buf.getvalue(), newline="")


def write_feedback(out: Path, r: dict) -> None:
    folder = out / "feedback"
    folder.mkdir(exist_ok=True)
    sid = safe_id(r["student"])
    stars = feedback.exercise_stars()  # the difficulty shown beside each exercise to fix
    for name, text in ((f"{sid}.md", feedback.markdown(r, stars)),
                       (f"{sid}.html", feedback.html_page(r, stars))):
        write_atomic(folder / name, text)


def summary(results: list[dict]) -> dict:
    ids = exercise_ids(results)
    per_ex = []
    for i in ids:
        entries = [e for r in results for e in r["exercises"] if e["id"] == i]
        per_ex.append({"id": i, "pass_rate": round(sum(e["status"] == "passed"
                                                       for e in entries) / len(entries), 3),
                       "mean": round(sum(e["score"] for e in entries) / len(entries), 3),
                       "max_score": entries[0]["max_score"]})
    n = len(results)
    return {"students": [{"student": r["student"], "score": r["score"],
                          "max_score": r["max_score"],
                          "statuses": {s: sum(e["status"] == s for e in r["exercises"])
                                       for s in STATUSES},
                          **({"unreadable": r["unreadable"]["message"]}
                             if r.get("unreadable") else {})} for r in results],
            "exercises": per_ex,
            "mean": round(sum(r["score"] for r in results) / n, 3) if n else 0.0,
            "max_score": max((r["max_score"] for r in results), default=0.0)}


def print_table(s: dict) -> None:
    if not s["students"]:
        print("no results")
        return
    width = max(8, *(len(r["student"]) for r in s["students"]))
    print(f"\n{'student':{width}}  {'score':>13}  " + "  ".join(STATUSES))
    for r in s["students"]:
        counts = "  ".join(f"{r['statuses'][st]:>{len(st)}}" for st in STATUSES)
        print(f"{r['student']:{width}}  {r['score']:>6g}/{r['max_score']:<6g}  {counts}")
    ew = max(8, *(len(e["id"]) for e in s["exercises"])) if s["exercises"] else 8
    print(f"\n{'exercise':{ew}}  pass rate  mean score")
    for e in s["exercises"]:
        print(f"{e['id']:{ew}}  {100 * e['pass_rate']:8.0f}%  {e['mean']:>5g}/{e['max_score']:g}")
    print(f"\n{len(s['students'])} student(s), {len(s['exercises'])} exercises, class mean "
          f"{s['mean']:g}/{s['max_score']:g}")
    for r in s["students"]:
        if r.get("unreadable"):
            print(f"warning: {r['student']}: submission unreadable, {r['unreadable']}")


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="workbook grade", description="Grade submissions with the hidden graders. "
        "Student code runs only in confined worker processes; the judge compares.")
    ap.add_argument("submissions", nargs="*", type=Path,
                    help="a .py file, a notebook, or a folder of them, per student")
    ap.add_argument("--out", type=Path, default=None,
                    help="folder for <student>.json, grades.csv and feedback/ (default: graded,"
                         " or graded/<assignment> with --nbgrader)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                    help="students graded at once (default: the number of CPUs)")
    ap.add_argument("--student", help="student id (one submission only; default: the folder "
                                      "or file name)")
    ap.add_argument("--device", default="cpu", help="cpu, cuda or mps (default: cpu)")
    ap.add_argument("--timeout", type=float, default=10.0,
                    help="seconds one exercise may run before it is stopped (default 10; the "
                         "workers are warm and the graders' inputs small: a right answer "
                         "needs well under a second)")
    ap.add_argument("--memory", type=int, default=2048,
                    help="MiB a worker may allocate beyond torch itself (default 2048)")
    ap.add_argument("--only", action="append", default=[], metavar="SEL",
                    help="grade only these exercises: ch06, ch06_products, ch06.matmul or matmul "
                         "(repeatable; default: every exercise)")
    ap.add_argument("--nbgrader", metavar="ASSIGNMENT",
                    help="grade nbgrader's submitted/*/ASSIGNMENT/ of the course in the current "
                         "folder (or --course) and write the scores into its gradebook")
    ap.add_argument("--course", type=Path, default=Path("."),
                    help="the nbgrader course folder for --nbgrader (default: here)")
    ap.add_argument("--regrade", action="store_true",
                    help="grade again students whose result is already in --out")
    ap.add_argument("--json", action="store_true",
                    help="print the class summary as JSON on stdout (progress stays on stderr)")
    ap.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = parser()
    args = ap.parse_intermixed_args(argv)  # options may come before or after the paths
    if args.jobs < 1 or args.timeout <= 0 or args.memory < 64:
        ap.error("--jobs must be at least 1, --timeout positive and --memory at least 64")
    from autograder.cli import plain_selectors

    args.only = plain_selectors(args.only)
    if args.nbgrader:
        return _nbgrader(ap, args)
    if not args.submissions:
        ap.error("give at least one submission (a .py, a notebook or a folder)")
    if args.student and len(args.submissions) > 1:
        ap.error("--student names one submission; give one path with it")
    missing = [p for p in args.submissions if not p.exists()]
    if missing:
        ap.error(f"no such submission: {', '.join(map(str, missing))}")
    args.out = args.out or Path("graded")
    named = [(args.student or student_id(p), p) for p in args.submissions]
    return run(named, args)


def _nbgrader(ap, args) -> int:
    """``submitted/<student>/<assignment>/`` graded by the engine, scores into the gradebook."""
    if args.submissions or args.student:
        ap.error("--nbgrader finds the submissions itself: give no paths and no --student")
    from autograder.course import (in_gradebook, nbgrader_submissions, not_in_gradebook,
                                   record_in_gradebook)

    course, assignment = args.course.resolve(), args.nbgrader
    if "_" not in assignment:  # ch06 -> ch06_products, as the course names it
        topics = sorted({p.name for p in (course / "submitted").glob(f"*/{assignment}_*")} |
                        {p.name for p in (course / "source").glob(f"{assignment}_*")})
        if len(topics) == 1:
            assignment = topics[0]
    problem = nbgrader_problem(course, assignment)  # before grading anyone
    if problem is None and not in_gradebook(course, assignment):
        problem = not_in_gradebook(course, assignment)
    if problem:
        print(f"workbook grade: --nbgrader {args.nbgrader}: {problem}", file=sys.stderr)
        return 2
    named = nbgrader_submissions(course, assignment)
    args.out = args.out or course / "graded" / assignment
    args.only = args.only or [assignment.split("_", 1)[0]]
    args.hide = [course]  # its gradebook, source/, autograded/: never for a worker
    code = run(named, args)
    ids = {safe_id(s) for s, _ in named}
    results = [r for p in sorted(args.out.glob("*.json"))
               if (r := read_result(p)) is not None and safe_id(r["student"]) in ids]
    try:
        record_in_gradebook(course, assignment, results)
    except LookupError as exc:
        print(f"workbook grade: {exc}", file=sys.stderr)
        return 2
    if not args.json:
        print(f"scores of {len(results)} student(s) written to {course}/gradebook.db "
              f"({assignment}): formgrader, `nbgrader generate_feedback` and `nbgrader export`"
              " show them")
    return code


def interrupted(out: Path, ids: list[str]) -> int:
    """Ctrl-C: say what was kept and how to go on (the same command resumes)."""
    kept = sum(read_result(out / f"{fid}.json") is not None for fid in ids)
    print(f"\nworkbook grade: interrupted. {kept} of {len(ids)} student(s) are graded and "
          f"kept in {out}; run the same command again to grade the rest.", file=sys.stderr)
    return 130


def nbgrader_problem(course: Path, assignment: str) -> str | None:
    """What is missing before ``assignment`` can be graded in ``course``, with the fix."""
    if not (course / "nbgrader_config.py").exists():
        return f"{course} is not an nbgrader course (no nbgrader_config.py): give --course"
    submitted = any(p.is_dir() for p in (course / "submitted").glob(f"*/{assignment}"))
    if not submitted and not (course / "source" / assignment).is_dir():
        have = sorted({p.name for p in [*(course / "source").glob("ch*"),
                                        *(course / "submitted").glob("*/ch*")] if p.is_dir()})
        return (f"no assignment {assignment} in {course} (assignments: "
                f"{', '.join(have) or 'none'}; `workbook build` makes them)")
    if not submitted:
        return (f"no submissions in {course}/submitted/*/{assignment}/ (run `nbgrader "
                f"collect {assignment}` first, or give --course)")
    return None


def known_exercises() -> list[str]:
    """Catalog ids, read from solutions/ without importing it (no torch here)."""
    ids = []
    for path in sorted((REPO / "solutions").glob("ch[0-9][0-9]_*.py")):
        ids += re.findall(r'@exercise\(\s*"(ch\d\d\.\w+)"', path.read_text(encoding="utf-8"))
    return ids


def run(named: list[tuple[str, Path]], args) -> int:
    """Grade ``(student id, submission)`` pairs into ``args.out``; the class outputs."""
    known = known_exercises()
    for sel in args.only:
        if not any(sel in (i, i.split(".")[0], i.split(".")[1]) for i in known):
            print(f"workbook grade: --only {sel}: no such exercise or chapter (chapters: "
                  f"{', '.join(sorted({i.split('.')[0] for i in known}))})", file=sys.stderr)
            return 2
    ids = [safe_id(s) for s, _ in named]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        print(f"workbook grade: two submissions have the same student id: {', '.join(dupes)} "
              "(grade them separately with --student)", file=sys.stderr)
        return 2
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    jobs, skipped = [], []
    for (sid, path), fid in zip(named, ids):
        res = out / f"{fid}.json"
        if not args.regrade and read_result(res) is not None:
            skipped.append(sid)
            continue
        jobs.append({"student": sid, "submission": str(path.resolve()), "result": str(res)})
    if skipped and not args.quiet:
        print(f"{len(skipped)} student(s) already graded in {out} (kept; --regrade grades "
              f"them again): {', '.join(skipped[:8])}{' ...' if len(skipped) > 8 else ''}",
              file=sys.stderr)
    hidden = sorted({str(out.resolve()), *(str(p.resolve().parent) for _, p in named),
                     *(str(p.resolve()) for _, p in named),
                     *(str(Path(h).resolve()) for h in getattr(args, "hide", []))})
    opts = {"device": args.device, "hidden": hidden, "only": args.only,
            "limits": {"timeout_s": args.timeout, "memory_mb": args.memory}}
    try:
        grade_all(jobs, out, args.jobs, opts, args.quiet)
    except Fatal as exc:
        print(f"workbook grade: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return interrupted(out, ids)
    on_disk = {p.stem: r for p in out.glob("*.json") if (r := read_result(p)) is not None}
    results = [on_disk[fid] for fid in ids if fid in on_disk]  # this batch's students
    for r in results:
        write_feedback(out, r)
    write_class_csv(out, sorted(on_disk.values(), key=lambda r: r["student"]))
    s = summary(results)
    if args.json:
        print(json.dumps(s, indent=1))
    else:
        print_table(s)
        print(f"results: {out}/<student>.json, {out}/grades.csv, "
              f"{out}/feedback/<student>.md and .html")
    return 0 if len(results) == len(named) else 1
