"""What a submission hands in: the files the engine can read, and why the others cannot be.

A file is unreadable when it is not a ``.py`` file or a notebook (a ``README.md`` handed in
as the submission), not text (a binary file named ``.py``), or a notebook that is not a
notebook's JSON. Such a file never reaches a worker; the result names it and says why, so
an instructor is not left with "no function named ..." for every exercise.
"""
from __future__ import annotations

import json
from pathlib import Path

SUFFIXES = (".py", ".ipynb")
EMPTY = "the file is empty"


def submission_files(path: Path) -> list[Path]:
    """The files of a submission the engine loads: the file itself, or a folder's .py files
    and notebooks (not self-checks, conftest, selfcheck or checkpoints), sorted."""
    if path.is_file():
        return [path]
    skip = ("test_", "conftest", "selfcheck", "__init__")
    return sorted(p for p in path.rglob("*") if p.suffix in (".py", ".ipynb")
                  and not p.name.startswith(skip) and ".ipynb_checkpoints" not in p.parts)


def why_unreadable(path: Path) -> str | None:
    """None for a file the engine can load, else a short reason."""
    if path.suffix not in SUFFIXES:
        return "not a .py file or a notebook (.ipynb)"
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    if not data.strip():
        return EMPTY
    if b"\0" in data:
        return "binary data, not text"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    if path.suffix == ".ipynb":
        return _why_not_a_notebook(text)
    return None


def _why_not_a_notebook(text: str) -> str | None:
    try:
        nb = json.loads(text)
    except ValueError as exc:
        return f"not a notebook: its JSON is broken ({exc})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "not a notebook: it has no list of cells"
    return None


def unreadable_files(root: Path, files: list[Path]) -> dict[str, str]:
    """``{file (relative to root): why}`` for each of ``files`` that cannot be read."""
    found = {str(f): why_unreadable(root / f) for f in files}
    return {f: why for f, why in found.items() if why}


def unreadable_entry(submission: Path, files: list[Path], root: Path) -> dict | None:
    """The result's ``unreadable`` entry: which files, why, and whether anything was left to
    grade; None when every file is readable."""
    if not files:
        return {"files": {}, "nothing_to_grade": True,
                "message": f"{submission.name} holds no .py file or notebook"}
    bad = unreadable_files(root, files)
    whole = len(bad) == len(files)
    if not whole:  # an empty file beside real answers hides nothing: no need to warn
        bad = {f: why for f, why in bad.items() if why != EMPTY}
    if not bad:
        return None
    said = "; ".join(f"{f}: {why}" for f, why in bad.items())
    return {"files": bad, "nothing_to_grade": whole,
            "message": ("nothing could be read: " if whole else "not read: ") + said}
