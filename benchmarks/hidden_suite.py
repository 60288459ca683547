"""Time the full hidden suite on the reference solutions (the issue's budget: under 60 s).

    python benchmarks/hidden_suite.py [--repeat 3] [-- extra pytest args]

Runs `pytest autograder --impl solutions` in a fresh process each time (so the figure
includes interpreter start-up and `import torch`) and prints the wall time of each run,
the best, and the per-exercise durations of the slowest graders.
"""
import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("pytest_args", nargs="*")
    args = ap.parse_args()
    times = []
    for i in range(args.repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "autograder", "--impl",
                               "solutions", "-q", "-p", "no:cacheprovider", "--durations=5",
                               *args.pytest_args], cwd=REPO, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            print(proc.stdout[-2000:])
            return 1
        summary = proc.stdout.strip().splitlines()[-1]
        print(f"run {i + 1}: {times[-1]:.1f} s wall ({summary.strip('= ')})")
        if i == 0:
            slow = re.findall(r"^\s*([\d.]+)s call\s+\S+\[(\S+)\]", proc.stdout, re.M)
            print("  slowest graders: " + ", ".join(f"{n} {s}s" for s, n in slow))
    print(f"best of {args.repeat}: {min(times):.1f} s for the full hidden suite on solutions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
