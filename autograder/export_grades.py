"""``workbook export-grades``: a graded batch as the gradebook file an LMS imports.

Reads the result JSONs of a batch (``OUT/<student>.json``, keyed by their ``"student"``
field: the submission's folder or file name) and writes one of:

- ``canvas``: Canvas's gradebook CSV, laid out as Canvas itself exports it
  (``GradebookExporter`` in instructure/canvas-lms, ``lib/gradebook_exporter.rb``) so that
  Grades > Import reads it (``GradebookImporter``, ``app/models/gradebook_importer.rb``; Canvas
  guide "How do I import grades in the Gradebook?"): a header
  ``Student,ID,SIS User ID,SIS Login ID,Section,<assignments>``, then a row whose first cell
  is ``    Points Possible`` (four spaces, as Canvas writes it), the identity cells empty and
  each assignment's points with two decimals, then one row per student. Canvas finds the
  student by ``ID``, then ``SIS User ID``, then ``SIS Login ID``, then the name; an
  assignment column is matched by ``Title (id)`` or by its title, else Canvas creates it with
  the points of the Points Possible row. An empty cell is no grade.
- ``moodle``: Moodle's CSV grade import (docs.moodle.org "Grade import"; moodle/moodle
  ``grade/import/csv/classes/load_data.php``): one user-identifier column (``Email address``
  or ``ID number``, mapped in the import form to ``useremail`` / ``useridnumber``) and one
  column per grade item; plain numbers, no points row. Moodle reads ``-`` as "no grade"
  (``update_grade_item``, ``import_new_grade_item``), so a student with no result gets ``-``;
  a row whose identifier is empty is never written (Moodle would give it the previous row's
  user), and Moodle refuses a grade above 100 unless the site allows it (``gradepointmax``).
- ``csv``: a plain table ``student,total,<one column per chapter>``.

Students are matched to the LMS through a roster (``read_roster``). Nothing here imports
torch.
"""
from __future__ import annotations

import csv
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from autograder.engine.batch import spreadsheet_text as _text_cell
from autograder.engine.batch import write_atomic

FORMATS = ("canvas", "moodle", "csv")
DEFAULT_NAMES = {"canvas": "gradebook-canvas.csv", "moodle": "gradebook-moodle.csv",
                 "csv": "gradebook.csv"}
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS = "    Points Possible"  # as Canvas exports it; its importer reads /Points Possible/
MOODLE_ID_HEADERS = {"email": "Email address", "idnumber": "ID number"}
MOODLE_NO_GRADE = "-"
MOODLE_MAX = 100  # Moodle's default gradepointmax
TOTAL_COLUMN = "Workbook total"

# The roster's headers (compared lower-case, with spaces, '-' and '_' alike): field <- names.
ROSTER_FIELDS = {
    "student": ("student", "workbook student", "workbook id", "submission"),
    "name": ("name", "student name", "full name"),
    "id": ("id", "canvas id", "user id"),
    "sis_user_id": ("sis user id",),
    "sis_login_id": ("sis login id", "login", "login id"),
    "section": ("section",),
    "email": ("email", "email address", "e mail"),
    "idnumber": ("idnumber", "id number"),
}
# Without a student column, the workbook's student key is looked for in these, in order.
MATCH_ORDER = ("sis_login_id", "email", "idnumber", "sis_user_id", "id", "name")


class ExportError(Exception):
    """Bad input: the message says what and how to fix it; nothing was written."""


@dataclass
class Person:
    """One roster row: the LMS identity of a student."""
    row: int
    fields: dict = field(default_factory=dict)
    key: str | None = None  # the workbook student key, when the roster gives or matches it

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


@dataclass
class Roster:
    people: list[Person]
    canvas_export: bool  # read from Canvas's own gradebook export
    columns: dict  # field -> the roster's header
    canvas_titles: dict = field(default_factory=dict)  # "ch06 Products" -> "ch06 Products (123)"


def _norm(header: str) -> str:
    return re.sub(r"[\s_\-]+", " ", header.strip().lower().lstrip("\ufeff"))


def _delimiter(text: str) -> str:
    """The roster's separator: a comma, or the semicolon (or tab) of a header row that has
    no comma, as Excel writes "CSV" where the comma is the decimal separator."""
    head = next((ln for ln in text.splitlines() if ln.strip()), "")
    if "," in head:
        return ","
    return max((";", "\t"), key=head.count) if ";" in head or "\t" in head else ","


def read_roster(path: Path) -> Roster:
    """A roster CSV: a column naming the workbook student (``student``), or none (then the
    student key is matched against ``sis_login_id``, ``email`` (or the part before its @),
    ``idnumber``, ``sis_user_id``, ``id`` and ``name``, in that order), plus any of ``name``,
    ``id``, ``sis_user_id``, ``sis_login_id``, ``section``, ``email``, ``idnumber``.

    Canvas's own gradebook export (Grades > Export) is a roster too: its ``Student`` column is
    the name, and its Points Possible row, "Muted" or "Manual Posting" row (written above it
    when an assignment's grades are posted manually) and Test Student are skipped.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ExportError(f"--roster {path}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ExportError(f"--roster {path}: not UTF-8 text (save it as CSV UTF-8)") from None
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=_delimiter(text))
            if any(c.strip() for c in r)]
    if not rows:
        raise ExportError(f"--roster {path}: the file is empty")
    header = rows[0]
    names = [_norm(h) for h in header]
    # Canvas's importer takes a file for a gradebook when it starts Student, ID and has a
    # Section column among its first five (GradebookImporter#header?).
    canvas_export = len(names) > 3 and names[0] == "student" and names[1] == "id" and \
        "section" in names[2:5]
    columns: dict[str, int] = {}
    for fld, aliases in ROSTER_FIELDS.items():
        if canvas_export and fld == "student":
            aliases = ("workbook student", "workbook id")
        for i, h in enumerate(names):
            if h in aliases and fld not in columns and i not in columns.values():
                columns[fld] = i
    if canvas_export:
        columns["name"] = 0
    if not set(columns) & {"student", *MATCH_ORDER}:
        raise ExportError(
            f"--roster {path}: no column names the student; give a 'student' column (the "
            "workbook's student id: the submission's folder or file name) or one of "
            "sis_login_id, email, idnumber, sis_user_id, id, name (header row: "
            f"{', '.join(header)})")
    people = []
    for n, r in enumerate(rows[1:], start=2):
        first = r[0].strip() if r else ""
        if canvas_export and ("Points Possible" in first or
                              all(c.strip() in ("", "Muted") or
                                  c.strip().startswith("Manual Posting") for c in r) or
                              first in ("Student, Test", "Test Student")):
            continue
        values = {fld: (r[i].strip() if i < len(r) else "") for fld, i in columns.items()}
        key = values.pop("student", "") or None
        people.append(Person(row=n, fields=values, key=key))
    titles = {}
    if canvas_export:
        for h in header[5:]:
            m = re.fullmatch(r"(.*\S)\s+\((\d+)\)", h.strip())
            if m:
                titles[m.group(1)] = h.strip()
    return Roster(people, canvas_export, {f: header[i] for f, i in columns.items()}, titles)


def match(roster: Roster, keys: list[str]) -> tuple[dict[str, Person], list[str]]:
    """{workbook key: roster person} and the keys no roster row names (or that two rows
    name equally: ambiguous, so not guessed)."""
    found: dict[str, Person] = {}
    unmatched = []
    given = {}
    for p in roster.people:
        if p.key:
            given.setdefault(p.key, []).append(p)
    taken = {id(p) for ps in given.values() for p in ps}
    used: set[int] = set()
    for key in keys:
        cands = given.get(key) or given.get(key.lower()) or \
            [p for k, ps in given.items() if k.lower() == key.lower() for p in ps]
        if not cands:
            for fld in MATCH_ORDER:
                pool = [p for p in roster.people if id(p) not in taken and p.get(fld)]
                cands = [p for p in pool if p.get(fld) == key] or \
                    [p for p in pool if p.get(fld).lower() == key.lower()] or \
                    ([p for p in pool if p.get(fld).lower().split("@")[0] == key.lower()]
                     if fld == "email" else [])
                if cands:
                    break
        if len(cands) == 1 and id(cands[0]) not in used:
            found[key] = cands[0]
            used.add(id(cands[0]))
        else:
            unmatched.append(key)
    return found, unmatched


@dataclass
class Gradebook:
    """Per student, per column: points; and each column's points possible."""
    columns: list[str]
    possible: list[float]
    scores: dict  # student key -> list of float | None (None: not graded in that column)
    chapters: list[str]


def chapter_title(ch: str) -> str:
    from solutions.registry import CHAPTER_TITLES  # no torch: registry imports nothing heavy

    return f"{ch} {CHAPTER_TITLES.get(ch, '')}".strip()


def read_results(out_dir: Path) -> list[dict]:
    """The complete result JSONs in ``out_dir``, sorted by student."""
    from autograder.engine.batch import read_result

    if not out_dir.is_dir():
        raise ExportError(f"{out_dir}: no such folder (give the --out folder of `workbook "
                          "grade`)")
    found = [(p, r) for p in sorted(out_dir.glob("*.json")) if (r := read_result(p))]
    if not found:
        raise ExportError(f"{out_dir}: no result files (<student>.json) here; grade the class "
                          f"first: workbook grade SUBMISSION... --out {out_dir}")
    files: dict[str, list[str]] = {}
    for p, r in found:
        files.setdefault(r["student"], []).append(p.name)
    twice = {s: names for s, names in files.items() if len(names) > 1}
    if twice:  # one would silently replace the other in the gradebook
        raise ExportError(f"{out_dir}: more than one result for the same student: " + "; ".join(
            f"{s} ({', '.join(names)})" for s, names in sorted(twice.items())) +
            ": keep one file per student")
    return sorted((r for _, r in found), key=lambda r: r["student"])


def gradebook(results: list[dict], columns: str = "chapter") -> Gradebook:
    """Chapter points per student (sums of the exercise scores), or one total column."""
    max_of: dict[str, float] = {}
    for r in results:
        for e in r["exercises"]:
            max_of.setdefault(e["id"], float(e["max_score"]))
    chapters = sorted({i.split(".")[0] for i in max_of})
    possible = [sum(m for i, m in max_of.items() if i.split(".")[0] == ch) for ch in chapters]
    scores = {}
    for r in results:
        per = {}
        for e in r["exercises"]:
            ch = e["id"].split(".")[0]
            per[ch] = per.get(ch, 0.0) + float(e["score"])
        scores[r["student"]] = [round(per[ch], 6) if ch in per else None for ch in chapters]
    if columns == "total":
        return Gradebook([TOTAL_COLUMN], [sum(possible)],
                         {s: [None if all(v is None for v in row) else
                              round(sum(v for v in row if v is not None), 6)]
                          for s, row in scores.items()}, chapters)
    return Gradebook([chapter_title(ch) for ch in chapters], possible, scores, chapters)


def number(x: float | None, empty: str = "") -> str:
    """A plain number: no thousands separator, at most two decimals (as Canvas shows)."""
    if x is None:
        return empty
    return f"{round(x, 2):.2f}".rstrip("0").rstrip(".")


@dataclass
class Export:
    text: str
    rows: int
    not_in_roster: list[str]  # graded, but no roster row: not in the file
    no_result: list[str]  # roster rows with no result: empty grades
    no_identifier: list[str] = field(default_factory=list)  # moodle: matched, no email/idnumber
    warnings: list[str] = field(default_factory=list)


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue()


def _who(p: Person) -> str:
    return p.get("name") or p.get("sis_login_id") or p.get("email") or p.get("idnumber") or \
        p.get("id") or f"roster row {p.row}"


def export(results: list[dict], fmt: str, roster: Roster | None = None,
           columns: str = "chapter", moodle_id: str | None = None) -> Export:
    """The file's text and who was left out or left empty."""
    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt}: choose one of {', '.join(FORMATS)}")
    if fmt in ("canvas", "moodle") and roster is None:
        raise ExportError(
            f"--format {fmt} needs --roster FILE: the LMS matches students by its own ids "
            "(Canvas: ID, SIS User ID, SIS Login ID; Moodle: email address or ID number), which "
            "the results do not hold. Give a CSV with a 'student' column (the workbook's "
            "student id) and those columns, or Canvas's own gradebook export.")
    book = gradebook(results, columns if fmt != "csv" else "chapter")
    keys = list(book.scores)
    found, not_in_roster = match(roster, keys) if roster else ({}, [])
    by_person = {id(p): k for k, p in found.items()}
    people = roster.people if roster else []
    no_result = [_who(p) for p in people if id(p) not in by_person]
    if fmt == "csv":
        return _plain(book, people, by_person, keys, not_in_roster, no_result)
    if fmt == "canvas":
        return _canvas(book, roster, by_person, not_in_roster, no_result)
    return _moodle(book, roster, by_person, not_in_roster, no_result, moodle_id)


def _plain(book, people, by_person, keys, not_in_roster, no_result) -> Export:
    rows = [["student", "total", *book.columns]]
    listed = [by_person[id(p)] for p in people if id(p) in by_person] if people else keys
    listed += [k for k in keys if k not in listed]  # graded, not in the roster: still here
    for k in listed:
        row = book.scores[k]
        total = None if all(v is None for v in row) else sum(v for v in row if v is not None)
        rows.append([_text_cell(k), number(total), *(number(v) for v in row)])
    for p in people:
        if id(p) not in by_person:
            rows.append([_text_cell(p.key or _who(p)), "", *([""] * len(book.columns))])
    return Export(_csv(rows), len(rows) - 1, not_in_roster, no_result)


def _canvas(book, roster, by_person, not_in_roster, no_result) -> Export:
    titles = [roster.canvas_titles.get(c, c) for c in book.columns]
    rows = [[*CANVAS_HEADER, *titles],
            [CANVAS_POINTS, "", "", "", "", *(f"{p:.2f}" for p in book.possible)]]
    for p in roster.people:
        k = by_person.get(id(p))
        scores = book.scores[k] if k else [None] * len(book.columns)
        rows.append([p.get("name"), p.get("id"), p.get("sis_user_id"), p.get("sis_login_id"),
                     p.get("section"), *(number(v) for v in scores)])
    warnings = []
    if not any(p.get("id") or p.get("sis_user_id") or p.get("sis_login_id")
               for p in roster.people):
        warnings.append("the roster has no Canvas ID, SIS User ID or SIS Login ID: Canvas "
                        "will match students by name only")
    return Export(_csv(rows), len(rows) - 2, not_in_roster, no_result, warnings=warnings)


def _moodle(book, roster, by_person, not_in_roster, no_result, moodle_id) -> Export:
    people = roster.people
    if moodle_id is None:  # email when every student has one, else ID number
        for fld in ("email", "idnumber"):
            if fld in roster.columns and all(p.get(fld) for p in people):
                moodle_id = fld
                break
        else:
            moodle_id = next((f for f in ("email", "idnumber") if f in roster.columns), None)
    if moodle_id is None or moodle_id not in roster.columns:
        raise ExportError(
            "--format moodle needs an email or idnumber column in the roster (Moodle's CSV "
            "import identifies a user by email address or ID number); the roster's columns: "
            f"{', '.join(roster.columns.values()) or 'none recognised'}")
    rows = [[MOODLE_ID_HEADERS[moodle_id], *book.columns]]
    no_identifier, warnings = [], []
    for p in people:
        if not p.get(moodle_id):
            no_identifier.append(by_person.get(id(p)) or _who(p))
            continue
        k = by_person.get(id(p))
        scores = book.scores[k] if k else [None] * len(book.columns)
        rows.append([p.get(moodle_id), *(number(v, MOODLE_NO_GRADE) for v in scores)])
    high = [c for c, pp in zip(book.columns, book.possible) if pp > MOODLE_MAX]
    if high:
        warnings.append(f"{', '.join(high)}: more than {MOODLE_MAX} points; Moodle refuses a "
                        f"grade above {MOODLE_MAX} unless the site allows it (Site "
                        "administration > Grades > General settings: unlimitedgrades, "
                        "gradepointmax); --columns chapter keeps each column smaller")
    return Export(_csv(rows), len(rows) - 1, not_in_roster, no_result, no_identifier, warnings)


def _listing(names: list[str], limit: int = 20) -> str:
    more = f" ... (+{len(names) - limit})" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def main(out_dir: str, fmt: str, roster: str | None = None, columns: str = "chapter",
         out: str | None = None, moodle_id: str | None = None) -> int:
    """Exit 0: written, every graded student is in it; 1: written, but some graded students
    are not (no roster row, or no Moodle identifier in it: listed); 2: bad input, nothing
    written."""
    folder = Path(out_dir)
    try:
        results = read_results(folder)
        ros = read_roster(Path(roster)) if roster else None
        ex = export(results, fmt, ros, columns, moodle_id)
    except ExportError as exc:
        print(f"workbook export-grades: {exc}", file=sys.stderr)
        return 2
    target = Path(out) if out else folder / DEFAULT_NAMES[fmt]
    try:
        write_atomic(target, ex.text)
    except OSError as exc:
        print(f"workbook export-grades: cannot write {target}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    err = sys.stderr
    if ex.not_in_roster:
        print(f"not in the roster (graded, but no roster row or two of them name the student; "
              f"NOT in {target.name}): "
              f"{_listing(ex.not_in_roster)}", file=err)
    if ex.no_result:
        print(f"no result (empty grade, not 0): {_listing(ex.no_result)}", file=err)
    if ex.no_identifier:
        print(f"no Moodle identifier (email / ID number) in the roster (NOT in "
              f"{target.name}): {_listing(ex.no_identifier)}", file=err)
    for w in ex.warnings:
        print(f"warning: {w}", file=err)
    print(f"wrote {target} ({fmt}, {ex.rows} student rows): {len(results)} graded, "
          f"{len(ex.not_in_roster)} not in the roster, {len(ex.no_result)} in the roster "
          "without a result" + (f", {len(ex.no_identifier)} without a Moodle identifier"
                                if ex.no_identifier else ""))
    return 1 if ex.not_in_roster or ex.no_identifier else 0
