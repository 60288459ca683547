"""``workbook export-gradescope chNN... --out FILE.zip``: a Gradescope autograder.

The zip holds what Gradescope runs, at its root:

    setup.sh          installs the Python packages (the CPU build of torch, pinned as here)
    run_autograder    grades /autograder/submission, writes /autograder/results/results.json
    gradescope.json   the chapters this assignment grades
    constraints.txt   the version pins (constraints/cpu.txt)
    autograder/, solutions/   the engine, the hidden graders and the exercise registry
                      (Gradescope keeps /autograder/source away from students)

``run_autograder`` grades through ``python -m autograder.grade SUBMISSION --student gradescope
--out DIR`` (the engine, each exercise in a confined worker) and converts that result JSON into
Gradescope's format: one test per exercise with its score, status and the checks' messages.
``AUTOGRADER_ROOT`` (default /autograder) and ``AUTOGRADER_PYTHON`` (default the virtual
environment setup.sh makes) let a test run it on a temporary copy of that layout.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("autograder", "solutions")
STUDENT = "gradescope"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # a fixed date: the same workbook gives the same zip

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image: a virtual environment
# (whatever the image's pip policy) with the CPU build of torch, pinned by constraints.txt.
set -euo pipefail
apt-get update -q && apt-get install -y -q python3 python3-venv python3-pip
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install -q -c /autograder/source/constraints.txt \\
    --extra-index-url https://download.pytorch.org/whl/cpu {deps}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade it with the hidden graders and write
# results/results.json. AUTOGRADER_ROOT and AUTOGRADER_PYTHON are for tests.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
exec "${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}" -m autograder.gradescope "$ROOT"
"""


def _dependencies() -> list[str]:
    """The workbook's own requirements (not its extras): what grading needs."""
    from importlib.metadata import requires

    return [r for r in requires("linalg-dl-workbook") or [] if "extra ==" not in r]


def _code_files(repo: Path):
    for package in PACKAGES:
        for path in sorted((repo / package).rglob("*.py")):
            if "__pycache__" not in path.parts:
                yield path


def export(chapters: list[str], out: Path, repo: Path = REPO) -> Path:
    """Write the autograder zip for ``chapters`` (``["ch06"]``) to ``out``."""
    from solutions.registry import select

    exercises = select(chapters)  # raises KeyError for an unknown chapter
    config = {"chapters": sorted({ex.id.split(".")[0] for ex in exercises})}
    deps = " ".join(f"'{d}'" for d in _dependencies())

    def add(zf: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
        info = zipfile.ZipInfo(name, ZIP_TIME)
        info.external_attr = (0o755 if executable else 0o644) << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, text)

    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as zf:
        add(zf, "setup.sh", SETUP_SH.format(deps=deps), executable=True)
        add(zf, "run_autograder", RUN_AUTOGRADER, executable=True)
        add(zf, "gradescope.json", json.dumps(config, indent=1) + "\n")
        add(zf, "constraints.txt", (repo / "constraints" / "cpu.txt").read_text())
        for path in _code_files(repo):
            add(zf, path.relative_to(repo).as_posix(), path.read_text(encoding="utf-8"))
    return out


# -- inside Gradescope ------------------------------------------------------------------------

def to_results(result: dict, chapters: list[str]) -> dict:
    """Gradescope's results.json from the engine's result JSON (the chapters' exercises)."""
    from autograder.notebook import verdict

    tests = [{"name": e["id"], "score": e["score"], "max_score": e["max_score"],
              "status": "passed" if e["status"] == "passed" else "failed",
              "output": verdict(e), "visibility": "visible"}
             for e in result["exercises"] if e["id"].split(".")[0] in chapters]
    return {"score": round(sum(t["score"] for t in tests), 2), "tests": tests,
            "visibility": "visible", "stdout_visibility": "hidden"}


def _failure(message: str) -> dict:
    """A results.json that says grading itself failed (nothing scored, the reason shown)."""
    return {"score": 0.0, "output": f"The autograder could not grade this submission: "
                                    f"{message}", "tests": [], "visibility": "visible"}


def run(root: Path) -> int:
    """Grade ``root/submission`` and write ``root/results/results.json``."""
    source, results = root / "source", root / "results"
    chapters = json.loads((source / "gradescope.json").read_text())["chapters"]
    results.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "autograder.grade", str(root / "submission"),
             "--student", STUDENT, "--out", tmp, *(a for c in chapters for a in ("--only", c))],
            cwd=source, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, check=False,
            env={**os.environ, "PYTHONPATH": str(source)})
        graded = Path(tmp) / f"{STUDENT}.json"
        if graded.exists():
            data = to_results(json.loads(graded.read_text()), chapters)
        else:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            data = _failure(f"grading stopped (exit {proc.returncode}): {tail[0]}")
    (results / "results.json").write_text(json.dumps(data, indent=1) + "\n")
    print(f"score {data['score']:g}: {len(data['tests'])} exercise(s) graded")
    return 0


if __name__ == "__main__":
    sys.exit(run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/autograder")))
