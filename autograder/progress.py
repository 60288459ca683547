"""``workbook progress``: where a student stands, one row per chapter.

It runs the public self-checks (each docstring's worked examples, the checks of
``exercises/test_chNN_*.py``) over a folder of answers: a copy of exercises/, a release/
chapter folder, a folder of notebooks, or a single .py or .ipynb. Each exercise is passed,
failed, not started (its stub still raises NotImplementedError) or not found.

All examples run in one child process (torch is imported once). A student function that
hangs is stopped after a time limit (an alarm in the child; if even that does not come back,
the child is killed) and one that crashes the interpreter takes only itself down: either is
reported as failed and a fresh child goes on with the next exercise.
"""
from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from autograder.hints import STARS, charset, difficulty
from solutions.registry import CHAPTER_TITLES, Exercise

PASSED, FAILED, NOT_STARTED, NOT_FOUND = "passed", "failed", "not started", "not found"
SYMBOLS = {"utf-8": {PASSED: "✓", FAILED: "✗", NOT_STARTED: "○", NOT_FOUND: "·"},
           "ascii": {PASSED: "+", FAILED: "x", NOT_STARTED: "o", NOT_FOUND: "."}}
LEGEND = {PASSED: "passed", FAILED: "failed",
          NOT_STARTED: "not started (still raises NotImplementedError)",
          NOT_FOUND: "not found"}
PACKAGE_ROOT = str(Path(__file__).resolve().parent.parent)  # where `autograder` imports from
GRACE_S = 10  # how long past its own alarm the child may take before it is killed
START_S = 120  # importing torch in the child, on a slow machine


def answer_files(path: Path) -> list[Path]:
    """The files a student's answers may be in (the rule of ``runner.submission_files``,
    which the grader uses: every .py and notebook but the self-check support files)."""
    if path.is_file():
        return [path]
    skip = ("test_", "conftest", "selfcheck", "__init__", ".")
    return sorted(p for p in path.rglob("*") if p.suffix in (".py", ".ipynb")
                  and not p.name.startswith(skip)
                  and not any(part.startswith((".", "__pycache__")) or part == "site-packages"
                              for part in p.relative_to(path).parts))


# -- the child: load the answers, run the examples, one JSON line per event --------------------

class TookTooLong(BaseException):
    """Raised by the alarm inside a student's function (a BaseException, so that a student's
    ``except Exception`` does not swallow it)."""


def _alarm(seconds: float):
    import signal

    def ring(signum, frame):
        raise TookTooLong()

    signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _alarm_off() -> None:
    import signal

    signal.setitimer(signal.ITIMER_REAL, 0)


def _load(file: Path, number: int, limit: float) -> tuple[dict, str]:
    """The functions ``file`` defines, and why it did not load ("" when it did)."""
    import importlib.util

    from autograder.student.selfcheck import _load_problem, notebook_source

    namespace: dict = {"__name__": f"_progress_{number}_{file.stem}", "__file__": str(file)}
    errors: list[str] = []
    try:
        _alarm(limit)
        try:
            if file.suffix == ".ipynb":
                source = notebook_source(file, errors)
                exec(compile(source, str(file), "exec"), namespace)
            else:
                spec = importlib.util.spec_from_file_location(namespace["__name__"], file)
                module = importlib.util.module_from_spec(spec)
                sys.modules[module.__name__] = module
                spec.loader.exec_module(module)
                namespace = vars(module)
        finally:
            _alarm_off()
    except TookTooLong:
        errors.append(f"{file.name} took more than {limit:g} s to load")
    except Exception as exc:
        errors.append(_load_problem(exc, file))
    functions = {k: v for k, v in namespace.items() if callable(v) and not k.startswith("_")}
    return functions, "; ".join(errors)


def _run_examples(ex: Exercise, fn, limit: float) -> tuple[str, str]:
    """The exercise's public self-check (its examples, then its properties: what `pytest` in
    the student's folder runs), each step under the time limit."""
    from autograder.build.render import check_steps
    from autograder.student.selfcheck import SelfCheckFailed

    for i, (label, step) in enumerate(check_steps(ex, {ex.name: fn})):
        try:
            _alarm(limit)
            try:
                step()
            finally:
                _alarm_off()
        except TookTooLong:
            return FAILED, f"{label} took too long (more than {limit:g} s)"
        except SelfCheckFailed as exc:
            if i == 0 and str(exc).endswith(": not implemented yet"):
                return NOT_STARTED, ""
            return FAILED, str(exc)
    return PASSED, ""


def child(spec: dict, say) -> None:
    """Load every answer file, then check each exercise of ``spec``; ``say`` gets each event."""
    from autograder.hints import declared

    import torch  # noqa: F401  (imported before "ready", so it is not timed as a student's)

    sys.dont_write_bytecode = True  # no __pycache__ left in the student's folder
    exercises = declared()
    topics = {ex.topic for ex in exercises.values()}
    say({"event": "ready"})
    by_file: dict[str, tuple[dict, str]] = {}
    for number, name in enumerate(spec["files"]):
        if name in spec["skip"]:
            by_file[name] = ({}, spec["skip"][name])
            continue
        say({"event": "loading", "file": name})
        by_file[name] = _load(Path(name), number, spec["limit"])
    for ex_id in spec["exercises"]:
        ex = exercises[ex_id]
        say({"event": "start", "id": ex_id})
        # a file named for a chapter answers that chapter only; any other file, any chapter
        # (the .py before the notebook of the same name, as `load_answers` takes them)
        where = sorted((f for f in by_file if Path(f).stem == ex.topic),
                       key=lambda f: not f.endswith(".py")) + \
            [f for f in by_file if Path(f).stem not in topics]
        # then another chapter's file: the grader finds a function wherever it is
        where += [f for f in by_file if f not in where]
        found = [(f, by_file[f]) for f in where if ex.name in by_file[f][0]]
        broken = [why for f in where if (why := by_file[f][1])
                  and _defines(Path(f), ex.name)]
        if found:
            status, message = _run_examples(ex, found[0][1][0][ex.name], spec["limit"])
        elif broken:
            status, message = FAILED, f"{ex.name} could not be loaded: {'; '.join(broken)}"
        else:
            status, message = NOT_FOUND, ""
        say({"event": "result", "id": ex_id, "status": status, "message": message})
    say({"event": "done"})


def _defines(file: Path, name: str) -> bool:
    """Does ``file`` (a .py or a notebook's code cells) hold ``def name``, loaded or not?"""
    import re

    from autograder.engine.static import file_sources

    try:
        text = "\n".join(file_sources(file))
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^\s*def\s+{re.escape(name)}\b", text, re.M) is not None


def child_main() -> int:
    spec = json.loads(sys.stdin.read())
    wire = os.fdopen(os.dup(1), "w", encoding="utf-8")  # events; the student's prints: away
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    sys.stdout = open(os.devnull, "w")
    os.chdir(spec["folder"])
    # last: a student's helper module still imports, but their scratch random.py or
    # dataclasses.py does not replace the standard library torch needs
    sys.path.append(spec["folder"])

    def say(event: dict) -> None:
        wire.write(json.dumps(event) + "\n")
        wire.flush()
        if event["event"] == "ready":  # from here on stderr is the student's: away too (the
            os.dup2(quiet, 2)  # parent keeps it only to say why the child did not start,
            sys.stderr = open(os.devnull, "w")  # and a flood of it filled its memory)

    child(spec, say)
    return 0


# -- the parent: no torch here; it watches the child and restarts it past a crash -------------

def check_all(files: list[Path], ids: list[str], folder: Path, limit: float) \
        -> dict[str, tuple[str, str]]:
    """``{exercise id: (status, message)}`` for ``ids``, the answers read from ``files``."""
    results: dict[str, tuple[str, str]] = {}
    skip: dict[str, str] = {}  # files that hung or crashed while loading: not loaded again
    while len(results) < len(ids):
        todo = [i for i in ids if i not in results]
        spec = {"files": [str(f) for f in files], "exercises": todo, "limit": limit,
                "folder": str(folder), "skip": skip}
        doing, how = _run_child(spec, results, limit)
        if doing is None:
            continue
        if not doing[1]:
            raise RuntimeError(f"the self-checks stopped between two exercises ({how})")
        if doing[0] == "file":
            skip[doing[1]] = f"{Path(doing[1]).name} {how} while it was loading"
        else:
            results[doing[1]] = (FAILED, f"{how} (stopped after {limit:g} s)"
                                 if how == "took too long" else how)
    return results


def _run_child(spec: dict, results: dict, limit: float) -> tuple[tuple[str, str] | None, str]:
    """Run one child until it is done (None) or stops on something: (("file" or "exercise",
    its name), what happened)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-m", "autograder.progress", "--child"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env,
                            cwd=PACKAGE_ROOT)  # `-m` puts its cwd first on sys.path: not
    # the student's folder (their random.py would stop torch from importing)
    events: queue.Queue = queue.Queue()
    err: list[str] = []
    threading.Thread(target=lambda: [events.put(line) for line in proc.stdout] +
                     [events.put(None)], daemon=True).start()
    threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
    proc.stdin.write(json.dumps(spec))
    proc.stdin.close()
    doing: tuple[str, str] | None = None
    wait = START_S
    try:
        while True:
            try:
                line = events.get(timeout=wait)
            except queue.Empty:
                if doing is None:
                    raise RuntimeError(f"the self-checks did not start in {START_S} s")
                return doing, "took too long"
            if line is None:
                proc.wait()
                if doing is None:
                    raise RuntimeError("the self-checks could not start:\n"
                                       + "".join(err[-20:]))
                return doing, ("crashed: the process running it stopped (exit code "
                               f"{proc.returncode})")
            event = json.loads(line)
            wait = limit + GRACE_S
            if event["event"] == "loading":
                doing = ("file", event["file"])
            elif event["event"] == "start":
                doing = ("exercise", event["id"])
            elif event["event"] == "result":
                results[event["id"]] = (event["status"], event["message"])
                doing = ("exercise", "")
            elif event["event"] == "done":
                return None, ""
            elif event["event"] == "ready":
                doing = ("exercise", "")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# -- what the student reads --------------------------------------------------------------------

def _cells(statuses: list[str], sym: dict[str, str]) -> str:
    marks = "".join(sym[s] for s in statuses)
    return " ".join(marks[i:i + 5] for i in range(0, len(marks), 5))


def _spans(some: list[str], every: list[str]) -> str:
    """``ch01-ch05, ch07`` for runs of consecutive chapters of ``every``."""
    runs: list[list[str]] = []
    for c in some:
        if runs and every.index(c) == every.index(runs[-1][-1]) + 1:
            runs[-1].append(c)
        else:
            runs.append([c])
    return ", ".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _short(message: str, width: int = 200) -> str:
    line = " ".join(message.split())
    return line if len(line) <= width else line[:width - 3] + "..."


def report(results: dict[str, tuple[str, str]], exercises: dict[str, Exercise], where: str,
           charset_name: str = "utf-8", unreadable: dict[str, str] | None = None) -> str:
    """The grid, the legend, the counts, the failures and what to do next; first the files
    that could not be read (``{name: why}``, the grader's reasons), if any."""
    sym = SYMBOLS[charset_name]
    chapters: dict[str, list[Exercise]] = {}
    for ex in sorted(exercises.values(), key=lambda e: (e.chapter, e.order)):
        chapters.setdefault(ex.chapter, []).append(ex)
    shown = {c: exs for c, exs in chapters.items()
             if any(results[e.id][0] != NOT_FOUND for e in exs)}
    out = [f"Progress of {where}", ""]
    if unreadable:
        out += ["Could not read (the grader cannot either):"] + \
            [f"  {name}: {why}" for name, why in unreadable.items()] + [""]
    if not shown:
        return "\n".join(out + ["No exercise function was found there (names as in "
                                "exercises/CATALOG.md)."]) + "\n"
    width = max(len(f"{c} {CHAPTER_TITLES.get(c, '')}") for c in shown)
    cell_width = max(len(_cells([PASSED] * len(exs), sym)) for exs in shown.values())
    for c, exs in shown.items():
        statuses = [results[e.id][0] for e in exs]
        label = f"{c} {CHAPTER_TITLES.get(c, '')}".ljust(width)
        passed = statuses.count(PASSED)
        left = sum(e.minutes for e in exs if results[e.id][0] != PASSED)
        out.append(f"{label}  {_cells(statuses, sym).ljust(cell_width)}  "
                   f"{passed:>2} of {len(exs)} pass"
                   + (f", about {left} min to go" if left else ""))
    out += ["", "  ".join(f"{sym[s]} {LEGEND[s]}" for s in LEGEND)]
    every = [results[e.id][0] for exs in shown.values() for e in exs]
    counts = ", ".join(f"{every.count(s)} {s}" for s in (FAILED, NOT_STARTED, NOT_FOUND)
                       if every.count(s))
    total = f"Total: {every.count(PASSED)} of {len(every)} pass" + (f" ({counts})" if counts
                                                                     else "")
    out += ["", total]
    others = [c for c in chapters if c not in shown]
    if others:
        out.append(f"Nothing found for {len(others)} chapter{'s' * (len(others) != 1)}: "
                   f"{_spans(others, list(chapters))}.")
    failed = [e for exs in shown.values() for e in exs if results[e.id][0] == FAILED]
    if failed:
        out += ["", "Failed:"] + [f"  {e.id}: {_short(results[e.id][1])}" for e in failed]
    order = [e for exs in shown.values() for e in exs]
    nxt = next((e for status in (FAILED, NOT_STARTED, NOT_FOUND) for e in order
                if results[e.id][0] == status), None)
    out.append("")
    if nxt is None:
        out.append(f"All {len(order)} exercises{' found here' * bool(others)} pass. Well done!")
    else:
        level = difficulty(nxt, STARS[charset_name], short=True)
        line = f"Next: {nxt.id}" + (f" ({level})" if level else "")
        if nxt.hints:
            line += f" - `workbook hint {nxt.id}` if you are stuck"
        out.append(line)
    return "\n".join(out) + "\n"


def progress(path: Path, limit: float = 10, stream=None) -> int:
    """Print the progress of the answers at ``path``; the exit code."""
    from autograder.hints import declared

    stream = stream or sys.stdout
    if hasattr(stream, "reconfigure"):  # a student's message the terminal cannot print: "?"
        stream.reconfigure(errors="replace")
    if not path.exists():
        print(f"workbook progress: {path}: no such file or folder", file=sys.stderr)
        return 2
    files = answer_files(path)
    if not files or any(f.suffix not in (".py", ".ipynb") for f in files):
        print(f"workbook progress: no answers in {path} (give a folder of .py files or "
              "notebooks, or one of them)", file=sys.stderr)
        return 2
    exercises = declared()
    folder = path if path.is_dir() else path.parent
    started = time.monotonic()
    try:
        results = check_all([f.resolve() for f in files], list(exercises), folder.resolve(),
                            limit)
    except RuntimeError as exc:
        print(f"workbook progress: {exc}", file=sys.stderr)
        return 2
    seconds = time.monotonic() - started
    where = f"{path} ({len(files)} file{'s' * (len(files) != 1)}, checked in {seconds:.1f} s)"
    shown = charset(stream, SYMBOLS["utf-8"].values())
    from autograder.engine.intake import EMPTY, why_unreadable

    unreadable = {str(f.relative_to(folder)): why for f in files
                  if (why := why_unreadable(f)) and why != EMPTY}
    stream.write(report(results, exercises, where, shown, unreadable))
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--child"]:
    sys.exit(child_main())
