"""Seconds per submission: `workbook grade --jobs 2` against plain `nbgrader autograde`.

    python benchmarks/grading_throughput.py [--students 20] [--timeout 10]
        [--nbgrader-timeout 120] [--skip-nbgrader] [--keep DIR]

Builds a scratch nbgrader course (this repo's nbgrader_config.py and source/ notebooks,
`nbgrader generate_assignment` for every chapter) and N synthetic students who submit every
chapter as the release notebooks with their answers pasted in. Out of every ten students:
five correct, three partly wrong (a third right, a third wrong, a third left as stubs), one
broken (in each chapter one cell that does not parse) and one hanging (an infinite loop in
one answer). Both tools grade the
same notebooks:

- the engine: `workbook grade submitted/* --jobs 2 --timeout T` (whole class, one command;
  T per exercise, default 10 s, the engine's default);
- nbgrader: `nbgrader autograde chNN` for each chapter, with the course's nbgrader_config.py
  (120 s per cell, what a cold kernel's first hidden-test cell may need on a busy machine),
  or `--nbgrader-timeout S` per cell. With S = T both tools stop a hanging answer after the
  same time (nbgrader spends it twice: the self-check cell and the hidden-test cell).

Prints wall seconds per submission for each, the ratio, and the engine's figure for a correct
submission: the judge's own seconds per correct student (start-up excluded), the class wall
time per correct student per core when only correct submissions are graded, and what each
correct student adds to that (the batch of them against a batch of two: start-up cancels).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO))
from autograder.course import gradebook, solution_cells, submit  # noqa: E402
KINDS = ["correct", "partly_wrong", "correct", "broken", "correct", "partly_wrong", "correct",
         "hanging", "correct", "partly_wrong"]


def student_answers(kind: str, solutions: dict[str, str], i: int,
                    first_topic: bool) -> dict[str, str]:
    """Answer cells by grade id (= function name); absent ones stay stubs."""
    names = list(solutions)
    if kind == "correct":
        return dict(solutions)
    if kind == "partly_wrong":
        out = {}
        for k, n in enumerate(names):
            if (k + i) % 3 == 0:
                out[n] = solutions[n]
            elif (k + i) % 3 == 1:  # a wrong answer
                out[n] = f"def {n}(*args, **kwargs):\n    return None\n"
        return out  # the rest stay stubs
    if kind == "broken":  # one cell per chapter that does not parse
        return {**solutions, names[0]: f"def {names[0]}(*args, **kwargs)\n    return None\n"}
    if kind == "hanging":  # one answer in the whole submission loops forever
        if not first_topic:
            return dict(solutions)
        return {**solutions, names[-1]: f"def {names[-1]}(*args, **kwargs):\n"
                                        "    while True:\n        pass\n"}
    raise ValueError(kind)


def build_course(root: Path, n: int) -> list[str]:
    topics = sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    shutil.copy(REPO / "nbgrader_config.py", root)
    env = _env()
    for topic in topics:
        shutil.copytree(REPO / "source" / topic, root / "source" / topic)
        subprocess.run([str(BIN / "nbgrader"), "generate_assignment", topic, "--force"],
                       cwd=root, env=env, check=True, capture_output=True)
    solutions = {topic: solution_cells(root, topic) for topic in topics}
    for i in range(n):
        student = f"s{i:03d}_{KINDS[i % len(KINDS)]}"
        for topic in topics:
            answers = student_answers(KINDS[i % len(KINDS)], solutions[topic], i,
                                      topic == topics[0])
            submit(root, student, topic, answers)
    return topics


def _env() -> dict:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(REPO)}


def run_engine(root: Path, students: list[Path], out: Path, timeout: float) -> float:
    start = time.perf_counter()
    subprocess.run([str(BIN / "workbook"), "grade", *map(str, students), "--jobs", "2",
                    "--timeout", str(timeout), "--out", str(out), "-q", "--regrade"],
                   cwd=root, env=_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def run_nbgrader(root: Path, topics: list[str], timeout: float | None) -> float:
    extra = [f"--Execute.timeout={int(timeout)}"] if timeout else []
    start = time.perf_counter()
    for topic in topics:
        subprocess.run([str(BIN / "nbgrader"), "autograde", topic, "--force", *extra],
                       cwd=root, env=_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=10.0,
                    help="the engine's seconds per exercise (default 10, its default)")
    ap.add_argument("--nbgrader-timeout", type=float, default=None,
                    help="nbgrader's seconds per cell (default: nbgrader_config.py's)")
    ap.add_argument("--skip-nbgrader", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the course here and keep it")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="workbook-bench-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        topics = build_course(root, args.students)
        students = sorted((root / "submitted").iterdir())
        correct = [s for s in students if s.name.endswith("_correct")]
        n = len(students)
        print(f"{n} students x {len(topics)} chapters; kinds per ten: "
              + ", ".join(f"{KINDS.count(k)} {k}" for k in dict.fromkeys(KINDS)))

        engine_s = run_engine(root, students, root / "graded", args.timeout)
        results = [json.loads((root / "graded" / f"{s.name}.json").read_text())
                   for s in students]
        print(f"engine   (workbook grade --jobs 2, {args.timeout:g} s per exercise): "
              f"{engine_s:7.1f} s wall, "
              f"{engine_s / n:6.2f} s per submission")
        judge = [r["seconds"] for r in results if r["student"].endswith("_correct")]
        print(f"  a correct submission: {sum(judge) / len(judge):.2f} s in its judge "
              f"(one judge and its worker share a core; start-up excluded)")
        only = run_engine(root, correct, root / "graded_correct", args.timeout)
        print(f"  only the {len(correct)} correct ones: {only:.1f} s wall with 2 jobs = "
              f"{only * 2 / len(correct):.2f} core-seconds each (start-up included)")
        if len(correct) > 2:  # the marginal cost needs a batch larger than two
            two = run_engine(root, correct[:2], root / "graded_two", args.timeout)
            print(f"  two correct ones: {two:.1f} s wall (start-up, and one student per "
                  f"judge); so each further correct one costs "
                  f"{(only - two) * 2 / (len(correct) - 2):.2f} core-seconds")
        if args.skip_nbgrader:
            return 0
        nb_s = run_nbgrader(root, topics, args.nbgrader_timeout)
        limit = f"{args.nbgrader_timeout:g} s" if args.nbgrader_timeout else "the course's"
        print(f"nbgrader (nbgrader autograde x {len(topics)}, {limit} per cell): {nb_s:7.1f} s wall, "
              f"{nb_s / n:6.2f} s per submission")
        print(f"ratio: the engine is {nb_s / engine_s:.1f}x faster")
        same = _compare(root, results, topics)
        print(f"scores equal between the two on {same}/{n} students")
    return 0


def _compare(root: Path, results: list[dict], topics: list[str]) -> int:
    """Students whose total is the same under nbgrader as under the engine."""
    same = 0
    with gradebook(root) as gb:
        for r in results:
            total = sum(gb.find_submission(t, r["student"]).score for t in topics)
            same += abs(total - r["score"]) < 1e-6
    return same


if __name__ == "__main__":
    sys.exit(main())
