"""``workbook grade``: grade submissions, one subprocess per submission.

The judge (this process) never imports a submission: each one is graded by
``python -m autograder.grade ONE ...`` in its own process with a wall-time limit, which writes
its result JSON to a file the judge reads back. A crash or hang costs that submission only.
(The grading-engine issue hardens this with isolated workers and judge-side oracles.)
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import __version__

STATUSES = ("passed", "failed", "error", "timeout", "missing")


def grade_submission(path: Path, student: str, device: str) -> dict:
    """Grade one submission in this process (the worker side)."""
    from autograder.graders import grade_exercise
    from autograder.runner import load
    from solutions.registry import select

    impl = load(str(path))
    broken = _broken_files(getattr(impl, "load_errors", {}))
    exercises = []
    for ex in select(None):
        if impl.function(ex.name) is None:
            # In a file that failed to load the function is an error; elsewhere, missing.
            why = [f"{f.name}: {err}" for f, (err, text) in broken.items()
                   if re.search(rf"^\s*def\s+{ex.name}\b", text, re.M)]
            exercises.append(unscored(
                ex, "error" if why else "missing", "found",
                f"{ex.name} could not be loaded: {'; '.join(why)}" if why else
                f"no function named {ex.name} was found in the submission"))
            continue
        exercises.append(grade_exercise(impl, ex, device=device, seed=student).as_dict())
    return result(student, path, device, exercises)


def _broken_files(load_errors: dict) -> dict:
    """{file: (error, its text)} for the files of a submission that failed to load."""
    out = {}
    for name, err in load_errors.items():
        f = Path(name.removesuffix(" (a cell)"))
        try:
            out[f] = (err, f.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            out[f] = (err, "")
    return out


def unscored(ex, status: str, check: str, message: str) -> dict:
    """The result entry of an exercise that could not be graded: 0 points, one failed check."""
    return {"id": ex.id, "score": 0.0, "max_score": ex.points, "status": status,
            "checks": [{"name": check, "passed": False, "message": message}]}


def result(student: str, path: Path, device: str, exercises: list[dict]) -> dict:
    return {"student": student, "submission": str(path),
            "graded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "workbook_version": __version__, "device": device,
            "score": round(sum(e["score"] for e in exercises), 2),
            "max_score": sum(e["max_score"] for e in exercises), "exercises": exercises}


def _failed_whole(student: str, path: Path, device: str, status: str, message: str) -> dict:
    from solutions.registry import select

    return result(student, path, device,
                  [unscored(ex, status, "run", message) for ex in select(None)])


def grade_in_subprocess(path: Path, student: str, device: str, timeout: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "autograder.grade", "--one", str(path.resolve()), "--student",
               student, "--device", device, "--result", str(out)]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            return _failed_whole(student, path, device, "timeout",
                                 f"grading took longer than {timeout:g} s and was stopped")
        if proc.returncode != 0 or not out.exists():
            tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            return _failed_whole(student, path, device, "error",
                                 f"the grading process stopped (exit {proc.returncode}): "
                                 f"{tail[0][:300]}")
        return json.loads(out.read_text())


def _write_json(path: Path, data) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)


def student_id(path: Path) -> str:
    return path.stem if path.is_file() else path.name


def print_table(results: list[dict]) -> None:
    if not results:
        return
    ids = [e["id"] for e in results[0]["exercises"]]
    width = max(8, *(len(r["student"]) for r in results))
    print(f"\n{'student':{width}}  {'score':>13}  " + "  ".join(STATUSES))
    for r in results:
        st = [e["status"] for e in r["exercises"]]
        counts = "  ".join(f"{st.count(s):>{len(s)}}" for s in STATUSES)
        print(f"{r['student']:{width}}  {r['score']:>6g}/{r['max_score']:<6g}  {counts}")
    mean = sum(r["score"] for r in results) / len(results)
    print(f"\n{len(results)} submission(s), {len(ids)} exercises, class mean "
          f"{mean:.2f}/{results[0]['max_score']:g}")


def write_class_csv(out: Path, results: list[dict]) -> None:
    ids = [e["id"] for e in results[0]["exercises"]] if results else []
    tmp = out / "grades.csv.tmp"
    with tmp.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "score", "max_score", *ids])
        for r in results:
            w.writerow([r["student"], r["score"], r["max_score"],
                        *[e["score"] for e in r["exercises"]]])
    os.replace(tmp, out / "grades.csv")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="workbook grade", description="Grade submissions with "
                                 "the hidden graders, each in its own process.")
    ap.add_argument("submissions", nargs="*", type=Path,
                    help="a .py file, a notebook, or a folder of them, per student")
    ap.add_argument("--out", type=Path, default=Path("graded"),
                    help="folder for <student>.json and grades.csv (default: graded)")
    ap.add_argument("--student", help="student id (one submission only; default: the "
                                      "folder or file name)")
    ap.add_argument("--device", default="cpu", help="cpu, cuda or mps (default: cpu)")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds one submission may take (default 300)")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:  # worker side
        data = grade_submission(args.one, args.student, args.device)
        _write_json(args.result, data)
        return 0
    if not args.submissions:
        ap.error("give at least one submission (a .py, a notebook or a folder)")
    if args.student and len(args.submissions) > 1:
        ap.error("--student names one submission; give one path with it")
    missing = [p for p in args.submissions if not p.exists()]
    if missing:
        ap.error(f"no such submission: {', '.join(map(str, missing))}")
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for i, path in enumerate(args.submissions, 1):
        sid = args.student or student_id(path)
        print(f"[{i}/{len(args.submissions)}] grading {sid} ...", flush=True)
        r = grade_in_subprocess(path, sid, args.device, args.timeout)
        _write_json(args.out / f"{sid}.json", r)
        results.append(r)
    write_class_csv(args.out, results)
    print_table(results)
    print(f"results: {args.out}/<student>.json and {args.out}/grades.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
