"""The workbook command: build student files, self-check, grade, audit the graders."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _build(args) -> int:
    from autograder.build import build

    return build(check=args.check, force=args.force)


def _release(args) -> int:
    from autograder.build import REPO
    from autograder.build.release import release

    return release(args.chapters, REPO)


def _export_gradescope(args) -> int:
    from autograder.gradescope import export

    try:
        out = export(args.chapters, Path(args.out))
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    print(f"wrote {out}: upload it as the assignment's autograder on Gradescope")
    return 0


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
        chosen = select(args.exercises)
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


def _audit(args) -> int:
    from autograder.audit import main

    return main(args.exercises, device=args.device, verbose=args.verbose, seeds=args.seeds)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="workbook", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="generate exercises/, source/ and release/ from solutions/")
    p.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    p.add_argument("--force", action="store_true", help="overwrite stubs a student edited")
    p.set_defaults(run=_build)

    p = sub.add_parser("release", help="nbgrader generate_assignment: source/chNN_topic -> "
                                       "release/chNN_topic (`workbook build` does it too)")
    p.add_argument("chapters", nargs="*", help="ch06 or ch06_products; default: all")
    p.set_defaults(run=_release)

    p = sub.add_parser("export-gradescope", help="a Gradescope autograder zip for chapters")
    p.add_argument("chapters", nargs="+", help="ch06 ...")
    p.add_argument("--out", required=True, help="the zip to write, e.g. ch06_gradescope.zip")
    p.set_defaults(run=_export_gradescope)

    p = sub.add_parser("check", help="run the public self-checks (student view)")
    p.add_argument("exercises", nargs="*", help="ch06, ch06.matmul or matmul; default: all")
    p.add_argument("--dir", help="folder with your answers and test_*.py (default: the current "
                        "folder when it holds them, else the workbook's exercises/)")
    p.set_defaults(run=_check)

    sub.add_parser("grade", help="grade submissions with the hidden graders "
                                 "(workbook grade --help)")

    p = sub.add_parser("audit", help="check each grader against known wrong and right answers")
    p.add_argument("exercises", nargs="*", help="ch06, ch06.matmul or matmul; default: all")
    p.add_argument("--device", default="cpu")
    p.add_argument("-v", "--verbose", action="store_true", help="print every message")
    p.add_argument("--seeds", type=int, default=1,
                   help="grade under this many student seeds (default 1); with more than "
                        "one the reference solutions are graded too")
    p.set_defaults(run=_audit)

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["grade"]:  # its own parser: options may come before the submissions
        from autograder.grade import main as grade_main

        return grade_main(argv[1:])
    args = ap.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
