"""The workbook command: build student files, self-check, grade, audit the graders."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from autograder import __version__

SELECTORS = "ch06, ch06_products, ch06.matmul or matmul"


def plain_selectors(selectors: list[str] | None) -> list[str]:
    """``ch06_products`` (a release folder's name) means the chapter ``ch06``, as ``ch06``
    does: every command takes both."""
    return [re.sub(r"^(ch\d\d)_\w+?(?=\.|$)", r"\1", s) for s in selectors or []]


def _build(args) -> int:
    from autograder.build import build

    return build(check=args.check, force=args.force)


def course_folder() -> Path:
    """The nbgrader course: the current folder when it is one (nbgrader_config.py and
    source/, as nbgrader's own commands read it), else this workbook's repository."""
    from autograder.build import REPO

    here = Path.cwd()
    return here if (here / "nbgrader_config.py").exists() and (here / "source").is_dir() \
        else REPO


def _release(args) -> int:
    from autograder.build.release import release

    return release(args.chapters, course_folder())


def _export_gradescope(args) -> int:
    from autograder.gradescope import export

    try:
        out = export(plain_selectors(args.chapters), Path(args.out))
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    print(f"wrote {out}: upload it as the assignment's autograder on Gradescope")
    return 0


def _export_grades(args) -> int:
    from autograder.export_grades import main

    return main(args.out_dir, args.format, roster=args.roster, columns=args.columns,
                out=args.out, moodle_id=args.moodle_id)


def _similarity(args) -> int:
    from autograder.similarity import main

    return main(args.out_dir, out=args.out, threshold=args.threshold,
                min_tokens=args.min_tokens)


def holds_exercises(folder: Path) -> bool:
    """Does ``folder`` hold a student's exercise files (a copy of exercises/ or a release
    chapter folder)?"""
    return any(folder.glob("test_ch[0-9][0-9]_*.py")) and (folder / "selfcheck.py").exists()


def folder_to_check(given: str | None) -> Path:
    """--dir, else the current folder when it holds exercise files, else exercises/."""
    if given:
        return Path(given).resolve()
    here = Path.cwd()
    return here if holds_exercises(here) else Path(__import__("exercises").__path__[0])


def _check(args) -> int:
    """Public self-checks of a folder of answers, one line per exercise."""
    import pytest

    from solutions.registry import select

    folder = folder_to_check(args.dir)
    try:
        chosen = select(plain_selectors(args.exercises))
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    if not args.exercises:  # every chapter this folder has self-checks for
        chosen = [ex for ex in chosen if (folder / f"test_{ex.topic}.py").exists()] or chosen
    print(f"checking {folder}", flush=True)
    ids = [str(folder / f"test_{ex.topic}.py") + f"::test_{ex.name}" for ex in chosen]
    missing = sorted({i.split("::")[0] for i in ids if not Path(i.split("::")[0]).exists()})
    if missing:
        print(f"no self-checks here: {', '.join(missing)} (is --dir a copy of exercises/ or a "
              "release/ chapter folder?)", file=sys.stderr)
        return 2
    return int(pytest.main(["-p", "no:cacheprovider", "--rootdir", str(folder), *ids]))


def _report(args) -> int:
    """The class report page of a graded folder (autograder/class_report.py)."""
    from autograder.class_report import write_report

    return write_report(Path(args.folder), Path(args.out) if args.out else None)


def _hint(args) -> int:
    """The next hint for one exercise (all of them with --all), remembered per folder."""
    from autograder import hints

    try:
        ex = hints.find(plain_selectors([args.exercise])[0], hints.declared())
    except ValueError as exc:
        print(f"workbook hint: {exc}", file=sys.stderr)
        return 2
    folder = folder_to_check(args.dir)
    if not folder.is_dir():
        print(f"workbook hint: --dir {args.dir}: no such folder", file=sys.stderr)
        return 2
    seen = hints.SeenHints(folder)
    text = hints.hint_text(ex, seen, show_all=args.all, reset=args.reset,
                           stars=hints.STARS[hints.charset(sys.stdout)])
    if seen.problem:
        print(f"note: {seen.problem}", file=sys.stderr)
    if hasattr(sys.stdout, "reconfigure"):  # a hint's symbol the terminal cannot print: "?"
        sys.stdout.reconfigure(errors="replace")
    print(text)
    return 0


def positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return seconds


def _progress(args) -> int:
    """A grid of every exercise's public self-check: passed, failed, not started, not found."""
    from autograder.progress import progress

    return progress(Path(args.path) if args.path else folder_to_check(None), args.timeout)


def _audit(args) -> int:
    from autograder.audit import main

    return main(plain_selectors(args.exercises), device=args.device, verbose=args.verbose, seeds=args.seeds)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="workbook", description=__doc__)
    ap.add_argument("--version", action="version", version=f"workbook {__version__}")
    sub = ap.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str, description: str, run) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=summary, description=description)
        p.set_defaults(run=run)
        return p

    p = command("build", "generate exercises/, source/ and release/ from solutions/",
                "Generate every student-facing file (stubs, self-checks, nbgrader source and "
                "release notebooks, the sample submission, exercises/CATALOG.md) from "
                "solutions/. A stub a student edited is kept unless --force.", _build)
    p.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    p.add_argument("--force", action="store_true", help="overwrite stubs a student edited")

    p = command("release", "nbgrader generate_assignment: source/chNN_topic -> "
                           "release/chNN_topic (`workbook build` does it too)",
                "Run nbgrader's generate_assignment on source/chNN_topic/ into "
                "release/chNN_topic/, the folders handed to students, and register each "
                "assignment in the course's gradebook.db (the course: the current folder when "
                "it holds nbgrader_config.py and source/, else the workbook's own).", _release)
    p.add_argument("chapters", nargs="*", help="ch06 or ch06_products; default: all")

    p = command("export-gradescope", "a Gradescope autograder zip for chapters",
                "Build a Gradescope autograder zip (setup.sh, run_autograder, the hidden "
                "graders) for the chapters named.", _export_gradescope)
    p.add_argument("chapters", nargs="+", help="ch06 or ch06_products ...")
    p.add_argument("--out", required=True, help="the zip to write, e.g. ch06_gradescope.zip")

    p = command("export-grades", "the graded class as a Canvas, Moodle or plain CSV gradebook",
                "Write the scores in OUT_DIR (the --out of `workbook grade`) as the CSV an LMS "
                "imports: canvas (Canvas's gradebook layout, with its Points Possible row), "
                "moodle (one email or ID number column, then the grade items) or csv (student, "
                "total, one column per chapter). canvas and moodle need --roster. Exit 0: "
                "written; 1: written, but some graded students are not in it (not in the roster, "
                "or no Moodle identifier there; listed); 2: bad input, nothing written.",
                _export_grades)
    p.add_argument("out_dir", metavar="OUT_DIR", help="a folder of graded results")
    p.add_argument("--format", required=True, choices=["canvas", "moodle", "csv"],
                   help="the LMS whose import file to write, or a plain csv table")
    p.add_argument("--roster", metavar="FILE",
                   help="CSV: a 'student' column (the workbook's student id) and the LMS's "
                        "name, id, sis_user_id, sis_login_id, section, email, idnumber; or "
                        "Canvas's own gradebook export")
    p.add_argument("--columns", choices=["chapter", "total"], default="chapter",
                   help="canvas, moodle: one grade column per chapter (default) or one "
                        "total (csv has both)")
    p.add_argument("--moodle-id", choices=["email", "idnumber"],
                   help="moodle: the identifier column (default: email when every student "
                        "has one, else idnumber)")
    p.add_argument("--out", metavar="FILE", help="default: OUT_DIR/gradebook-FORMAT.csv "
                                                 "(csv: OUT_DIR/gradebook.csv)")

    p = command("similarity", "which students' function bodies are near-identical",
                "For each exercise, list the pairs of students whose function bodies are "
                "near-identical once names, comments, docstrings and layout are set aside, "
                "and the bodies near-identical to the reference solution, side by side in "
                "an HTML page. Short bodies are not compared.", _similarity)
    p.add_argument("out_dir", metavar="OUT_DIR", help="a folder of graded results")
    p.add_argument("--out", metavar="FILE", help="default: OUT_DIR/similarity.html")
    p.add_argument("--threshold", type=float, default=None,
                   help="similarity from 0 to 1 at which a pair is listed (default 0.9)")
    p.add_argument("--min-tokens", type=int, default=None,
                   help="bodies shorter than this many tokens are not compared (default 20)")

    p = command("check", "run the public self-checks (student view)",
                "Run the public self-checks (the docstring examples) on a folder of answers: "
                "one PASS or FAIL line per exercise.", _check)
    p.add_argument("exercises", nargs="*", help=f"{SELECTORS}; default: all")
    p.add_argument("--dir", help="folder with your answers and test_*.py (default: the current "
                                 "folder when it holds them, else the workbook's exercises/)")

    p = command("hint", "the next hint for an exercise you are stuck on",
                "Show the next hint for one exercise (up to three: the idea, the torch "
                "operations, a skeleton with blanks). The hints you have seen are remembered "
                "in .workbook-hints.json in your answers' folder, so asking again moves "
                "on to the next one.", _hint)
    p.add_argument("exercise", help="ch13.causal_mask or causal_mask")
    p.add_argument("--dir", help="your answers' folder, where the hints seen are remembered "
                                 "(default: as for `workbook check`)")
    p.add_argument("--all", action="store_true", help="show every hint at once")
    p.add_argument("--reset", action="store_true", help="forget the hints seen for it")

    p = command("progress", "where you stand: every exercise's self-check, chapter by chapter",
                "Run the public self-checks over a folder of answers (a copy of exercises/, a "
                "release/ chapter folder, a folder of notebooks) or one .py or .ipynb, and "
                "print one row per chapter: passed, failed, not started, not found, and the "
                "exercise to do next.", _progress)
    p.add_argument("path", nargs="?", help="your answers (default: the current folder when it "
                                           "holds exercise files, else the workbook's "
                                           "exercises/)")
    p.add_argument("--timeout", type=positive_seconds, default=10,
                   help="seconds one example (or loading one file) may run before it counts "
                        "as failed (default 10)")

    sub.add_parser("grade", help="grade submissions with the hidden graders "
                                 "(workbook grade --help)")

    p = command("report", "one HTML page about a graded class",
                "Write one self-contained HTML page from the result JSONs of `workbook grade "
                "--out FOLDER`: class size, mean and median, a score histogram, the pass rate "
                "and most common failure message of every exercise, a pass rate per chapter "
                "and a table of students linking to their feedback pages.", _report)
    p.add_argument("folder", help="the folder `workbook grade --out` wrote, e.g. graded")
    p.add_argument("--out", help="the page to write (default: FOLDER/report.html)")

    p = command("audit", "check each grader against known wrong and right answers",
                "Run every grader against the known-wrong implementations in tests/mutants/ "
                "(each must be rejected) and the correct ones (each must be accepted); exit 1 "
                "if a grader is fooled.", _audit)
    p.add_argument("exercises", nargs="*", help=f"{SELECTORS}; default: all")
    p.add_argument("--device", default="cpu", help="cpu, cuda or mps (default: cpu)")
    p.add_argument("-v", "--verbose", action="store_true", help="print every message")
    p.add_argument("--seeds", type=int, default=1,
                   help="grade under this many student seeds (default 1); with more than "
                        "one the reference solutions are graded too")

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["grade"]:  # its own parser: options may come before the submissions
        from autograder.grade import main as grade_main

        return grade_main(argv[1:])
    args = ap.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
