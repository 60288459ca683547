"""``workbook report``: one self-contained HTML page about a graded class.

Read from the result JSONs ``workbook grade`` wrote (``OUT/<student>.json``), nothing else: no
grader, no solution, no torch. The page is built as a pipeline of small steps (read the
results, count per exercise, group the failure messages, draw, write HTML) and its sections
are a list, ``SECTIONS``: a later section (for example the similarity of submissions) is one
more function ``section(cls: ClassData) -> str`` appended there.

Definitions (also printed on the page, and in the README):

- **pass rate** of an exercise: the students whose status on it is ``passed``, divided by
  the students in the batch (a student who did not hand it in counts as not passed);
- **pass rate** of a chapter: the mean of its exercises' pass rates;
- **share** of a failure message: the students with at least one failed check on that
  exercise whose message is that message (after the numbers and tensor literals in it are
  replaced by ``#``), divided by the students in the batch. A message said by several checks
  of one exercise counts once per student. Only attempted exercises count: a stub that still
  raises NotImplementedError and an exercise not found are counted in their own column.
"""
from __future__ import annotations

import base64
import dataclasses
import functools
import html
import io
import json
import math
import os
import re
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Callable

from autograder.engine.batch import safe_id, write_atomic
from autograder.engine.feedback import group as feedback_group
from solutions.registry import CHAPTER_TITLES, Exercise, declared

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions"
RESULT_KEYS = ("student", "score", "max_score", "exercises")
OTHER_MESSAGES = 8  # listed under an exercise's most common failure


# ---- reading --------------------------------------------------------------------------------

def declared_exercises(folder: Path = SOLUTIONS) -> list[Exercise]:
    """Every exercise in catalog order (chapter files in order, functions in file order),
    read from solutions/ without importing torch (``registry.declared``)."""
    return list(declared(folder).values())


@dataclasses.dataclass
class Loaded:
    results: list[dict]  # student results, by student id
    unreadable: list[tuple[str, str]]  # (file name, why)
    other: list[str]  # JSON files that are not student results (left alone)


def why_not_a_result(data) -> str | None:
    """None for a whole student result, else what is wrong with it."""
    missing = [k for k in RESULT_KEYS if k not in data]
    if missing:
        return f"not a complete result: no {', '.join(missing)}"
    if not isinstance(data["student"], str) or not data["student"]:
        return "not a complete result: its student is not a name"
    if not isinstance(data["exercises"], list) or not all(
            isinstance(e, dict) and {"id", "status", "checks"} <= set(e)
            for e in data["exercises"]):
        return "not a complete result: its exercises lack id, status or checks"
    if not all(isinstance(e["id"], str) and isinstance(e["status"], str)
               and isinstance(e["checks"], list)
               and all(isinstance(c, dict) and {"passed", "message"} <= set(c)
                       for c in e["checks"]) for e in data["exercises"]):
        return ("not a complete result: an exercise's id or status is not text, or a check "
                "lacks passed or message")
    twice = [i for i, n in Counter(e["id"] for e in data["exercises"]).items() if n > 1]
    if twice:  # counted twice it would pass more students than the class has
        return f"not a complete result: {', '.join(twice)} listed more than once"
    if not all(isinstance(data[k], (int, float)) and math.isfinite(data[k])
               for k in ("score", "max_score")):
        return "not a complete result: score or max_score is not a number"
    if not isinstance(data.get("unreadable") or {}, dict):
        return "not a complete result: its unreadable is not a table"
    return None


def load_results(folder: Path) -> Loaded:
    """Every ``*.json`` in ``folder``: a student result (it has a ``student`` key), an
    unreadable file (with why), or some other JSON file (a class-level file)."""
    loaded = Loaded([], [], [])
    files: dict[int, str] = {}  # id(result) -> its file's name
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            loaded.unreadable.append((path.name, f"cannot be read: {exc}"))
            continue
        except ValueError as exc:
            loaded.unreadable.append((path.name, f"not valid JSON: {exc}"))
            continue
        if not isinstance(data, dict) or "student" not in data:
            loaded.other.append(path.name)
            continue
        why = why_not_a_result(data)
        if why:
            loaded.unreadable.append((path.name, why))
        else:
            loaded.results.append(data)
            files[id(data)] = path.name
    # one student in two files (a copy kept beside the result, a regrade under another
    # name) would be counted twice: the file `workbook grade` names for them is reported
    by_student: dict[str, list[dict]] = {}
    for r in loaded.results:
        by_student.setdefault(r["student"], []).append(r)
    for sid, same in by_student.items():
        if len(same) > 1:
            keep = next((r for r in same if files[id(r)] == f"{safe_id(sid)}.json"), same[0])
            for r in same:
                if r is not keep:
                    loaded.results.remove(r)
                    loaded.unreadable.append((files[id(r)], (
                        f"another result of student {sid} ({files[id(keep)]} is reported)")))
    loaded.results.sort(key=lambda r: str(r["student"]))
    return loaded


# ---- counting -------------------------------------------------------------------------------

_NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w])"
                     r"|(?<![\w])(?:-?nan|-?inf|True|False)(?![\w])")
_LITERAL = re.compile(r"\[[\s#,.…]*\]|\(\s*#(?:\s*,\s*#)*\s*,?\s*\)")


def normalise(message: str) -> str:
    """The message with every number replaced by ``#`` and every list or tuple of numbers
    (a tensor literal, a shape, an index) by one ``#``, so messages that differ only in the
    values they quote are one message."""
    s = _NUMBER.sub("#", message)
    while True:
        t = _LITERAL.sub("#", s)
        if t == s:
            return " ".join(s.split())
        s = t


@dataclasses.dataclass
class Mistake:
    key: str  # the normalised message
    students: int  # how many students' failed checks said it
    share: float  # students / class size
    example: str  # a message as a student read it (the most frequent wording)


@dataclasses.dataclass
class ExerciseStats:
    id: str
    stars: int
    minutes: int
    passed: int
    not_attempted: int  # a stub still raising NotImplementedError, or not found
    pass_rate: float
    mistakes: list[Mistake]  # most common first

    @property
    def chapter(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:  # an id without a chapter (another tool's result): the id itself
        return self.id.partition(".")[2] or self.id


def mistakes(entries: list[dict], class_size: int) -> list[Mistake]:
    """The failure messages of attempted exercises (one exercise entry per student), grouped
    by their normalised text; the most common first, ties in the order first seen."""
    students: Counter[str] = Counter()
    wordings: dict[str, Counter[str]] = {}
    for e in entries:
        if e["status"] == "passed" or feedback_group(e) != "to_look_at":
            continue
        said = {}
        for c in e["checks"]:
            if not c["passed"]:
                said.setdefault(normalise(str(c["message"])), str(c["message"]))
        for key, message in said.items():
            students[key] += 1
            wordings.setdefault(key, Counter())[message] += 1
    return [Mistake(key, n, n / class_size, wordings[key].most_common(1)[0][0])
            for key, n in students.most_common()]


def exercise_stats(results: list[dict], catalog: list[Exercise]) -> list[ExerciseStats]:
    """Per exercise that any result holds, in catalog order (unknown ids last)."""
    declared = {d.id: d for d in catalog}
    seen = dict.fromkeys(e["id"] for r in results for e in r["exercises"])
    order = [d.id for d in catalog if d.id in seen] + [i for i in seen if i not in declared]
    n = len(results)
    entries_of: dict[str, list[dict]] = {i: [] for i in order}
    for r in results:
        for e in r["exercises"]:
            entries_of[e["id"]].append(e)
    out = []
    for i in order:
        entries = entries_of[i]
        passed = sum(e["status"] == "passed" for e in entries)
        not_attempted = sum(e["status"] != "passed" and feedback_group(e) != "to_look_at"
                            for e in entries) + n - len(entries)
        d = declared.get(i)
        out.append(ExerciseStats(i, d.stars if d else 0, d.minutes if d else 0, passed, not_attempted, passed / n,
                                 mistakes(entries, n)))
    return out


def by_chapter(stats: list[ExerciseStats]) -> dict[str, list[ExerciseStats]]:
    chapters: dict[str, list[ExerciseStats]] = {}
    for s in stats:
        chapters.setdefault(s.chapter, []).append(s)
    return chapters


def chapter_pass_rate(stats: list[ExerciseStats]) -> float:
    return sum(s.pass_rate for s in stats) / len(stats)


def percent(r: dict) -> float:
    return 100.0 * r["score"] / r["max_score"] if r["max_score"] else 0.0


# ---- drawing (matplotlib, no display) -------------------------------------------------------

def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def histogram_png(percents: list[float]) -> str:
    """Scores in ten bins of 10 percentage points (100% in the last), as base64 PNG."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    ax.hist(percents, bins=list(range(0, 101, 10)), color="#3b6ea8", edgecolor="white")
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 10))
    ax.set_xlabel("score (% of the points)")
    ax.set_ylabel("students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)


def chapters_png(rates: dict[str, float]) -> str:
    """One horizontal bar per chapter (first chapter on top), as base64 PNG."""
    plt = _pyplot()
    names = [f"{c} {CHAPTER_TITLES.get(c, '')}".strip() for c in rates]
    fig, ax = plt.subplots(figsize=(6.4, 0.32 * len(rates) + 0.9))
    y = range(len(rates))
    ax.barh(list(y), [100 * v for v in rates.values()], color="#3b8a5a", height=0.6)
    ax.set_yticks(list(y), names, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("pass rate (%)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)


# ---- the page -------------------------------------------------------------------------------

@dataclasses.dataclass
class ClassData:
    """What every section reads."""

    folder: Path  # the graded folder
    page: Path  # where the page is written (links are relative to it)
    loaded: Loaded
    stats: list[ExerciseStats]

    @functools.cached_property
    def similarity(self) -> dict | None:
        """``autograder.similarity.class_similarity`` of the folder (None if it failed)."""
        from autograder.similarity import class_similarity

        try:
            return class_similarity(self.folder)
        except Exception as exc:  # the rest of the report still stands
            print(f"workbook report: similarity not computed: {exc}", file=sys.stderr)
            return None

    @property
    def results(self) -> list[dict]:
        return self.loaded.results


esc = html.escape


def _bar(rate: float) -> str:
    return (f"<span class='bar' aria-hidden='true'><span style='width:{100 * rate:.0f}%'>"
            f"</span></span>")


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def section_summary(cls: ClassData) -> str:
    pcts = [percent(r) for r in cls.results]
    maxima = {r["max_score"] for r in cls.results}
    scores = [r["score"] for r in cls.results]
    if len(maxima) == 1:
        m = maxima.pop()
        mean = f"{statistics.mean(scores):.1f} / {m:g} ({statistics.mean(pcts):.0f}%)"
        median = f"{statistics.median(scores):g} / {m:g} ({statistics.median(pcts):.0f}%)"
    else:  # graded with different --only: only percentages compare
        mean, median = f"{statistics.mean(pcts):.0f}%", f"{statistics.median(pcts):.0f}%"
    alt = (f"Histogram of {len(pcts)} scores in bins of 10 percentage points: "
           + ", ".join(f"{lo}-{lo + 10}%: {n}" for lo, n in _bins(pcts) if n) + ".")
    return f"""<section id="summary"><h2>Class summary</h2>
<dl class="facts"><dt>Students</dt><dd>{len(cls.results)}</dd>
<dt>Mean score</dt><dd>{esc(mean)}</dd><dt>Median score</dt><dd>{esc(median)}</dd>
<dt>Exercises</dt><dd>{len(cls.stats)}</dd></dl>
<h3>Score distribution</h3>
<img class="plot" src="data:image/png;base64,{histogram_png(pcts)}" alt="{esc(alt)}">
</section>"""


def _bins(pcts: list[float]) -> list[tuple[int, int]]:
    """``(low, count)`` per bin as the histogram draws them (100% in the last bin)."""
    return [(lo, sum(lo <= p < lo + 10 or lo == 90 and p == 100 for p in pcts))
            for lo in range(0, 100, 10)]


def section_chapters(cls: ClassData) -> str:
    chapters = by_chapter(cls.stats)
    if len(chapters) < 2:  # one bar says no more than the table
        return ""
    rates = {c: chapter_pass_rate(s) for c, s in chapters.items()}
    alt = "Pass rate per chapter: " + "; ".join(f"{c} {_pct(v)}" for c, v in rates.items())
    return f"""<section id="chapters"><h2>Pass rate per chapter</h2>
<p class="note">A chapter's pass rate is the mean of its exercises' pass rates.</p>
<img class="plot" src="data:image/png;base64,{chapters_png(rates)}" alt="{esc(alt)}">
</section>"""


def section_struggles(cls: ClassData, most: int = 10) -> str:
    """The failure messages with the largest shares across the whole workbook: what to
    teach again first."""
    top = sorted(((m, s) for s in cls.stats for m in s.mistakes[:1]),
                 key=lambda ms: -ms[0].students)[:most]
    if not top:
        return ""
    n = len(cls.results)
    rows = "".join(f"<tr><td class='num'>{_pct(m.share)}</td><td class='count'>{m.students}"
                   f" of {n}</td><td class='ex'><a href='#{esc(s.chapter)}'>{esc(s.id)}</a>"
                   f"</td><td class='msg'>{esc(m.example)}</td></tr>" for m, s in top)
    return f"""<section id="struggles"><h2>Where the class struggles</h2>
<p class="note">Each exercise's most common failure message, largest share first (share:
students whose failed checks said it, divided by the students in the batch).</p>
<table class="struggles"><colgroup><col class="num"><col class="students"><col class="ex"><col>
</colgroup><thead><tr><th>share</th><th>students</th><th>exercise</th><th>message</th></tr>
</thead><tbody>{rows}</tbody></table></section>"""


def _difficulty(s: ExerciseStats) -> str:
    bits = []
    if s.stars > 0:
        bits.append(f"<span class='stars' title='difficulty {s.stars} of 3'>"
                    f"{'★' * s.stars}{'☆' * (3 - s.stars)}</span>")
    if s.minutes > 0:
        bits.append(f"~{s.minutes} min")
    return " ".join(bits)


def _mistake_cell(s: ExerciseStats, n: int) -> str:
    if not s.mistakes:
        return ""
    top, *rest = s.mistakes
    cell = (f"<span class='share'>{_pct(top.share)}</span>: <span class='msg'>"
            f"{esc(top.example)}</span> <span class='count'>({top.students} of {n})</span>")
    if rest:
        items = "".join(f"<li><span class='share'>{_pct(m.share)}</span>: "
                        f"<span class='msg'>{esc(m.example)}</span></li>"
                        for m in rest[:OTHER_MESSAGES])
        if len(rest) > OTHER_MESSAGES:
            items += f"<li>and {len(rest) - OTHER_MESSAGES} more, each rarer</li>"
        cell += (f"<details><summary>{len(rest)} other message{'s' * (len(rest) > 1)}"
                 f"</summary><ul>{items}</ul></details>")
    return cell


def section_exercises(cls: ClassData) -> str:
    n = len(cls.results)
    parts = ["""<section id="exercises"><h2>Exercises</h2>
<p class="note">In catalog order, by chapter. <b>Pass rate</b>: the students whose status on
the exercise is <i>passed</i>, divided by the students in the batch. <b>Not tried</b>: students
whose stub still raises NotImplementedError or in whose submission the function was not found.
<b>Most common failure</b>: the failure message said to the most students who tried the
exercise and did not pass it, with its <b>share</b>: those students divided by the students in
the batch (messages that differ only in the numbers or tensors they quote are one message; a
message said by several checks counts once per student).</p>"""]
    for chapter, stats in by_chapter(cls.stats).items():
        title = CHAPTER_TITLES.get(chapter, "")
        rows = "".join(
            f"<tr data-exercise='{esc(s.id)}'><td class='ex'>{esc(s.name)}"
            f"<div class='diff'>{_difficulty(s)}</div></td>"
            f"<td class='rate'>{_bar(s.pass_rate)} {_pct(s.pass_rate)} "
            f"<span class='count'>({s.passed}/{n})</span></td>"
            f"<td class='num'>{s.not_attempted or ''}</td><td>{_mistake_cell(s, n)}</td></tr>"
            for s in stats)
        parts.append(
            f"<h3 id='{esc(chapter)}'>{esc(chapter)} {esc(title)} "
            f"<span class='count'>pass rate {_pct(chapter_pass_rate(stats))}</span></h3>"
            f"<table class='exercises'><colgroup><col class='ex'><col class='rate'>"
            f"<col class='num'><col></colgroup><thead><tr><th>exercise</th><th>pass rate</th>"
            f"<th>not tried</th><th>most common failure</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")
    return "\n".join(parts) + "</section>"


def feedback_link(cls: ClassData, r: dict) -> str:
    """The student's feedback page, relative to the report page ('' when there is none)."""
    target = cls.folder / "feedback" / f"{safe_id(str(r['student']))}.html"
    if not target.exists():
        return ""
    return Path(os.path.relpath(target.resolve(), cls.page.resolve().parent)).as_posix()


def section_students(cls: ClassData) -> str:
    rows = []
    for r in cls.results:
        link = feedback_link(cls, r)
        fb = (f"<a href='{esc(link)}'>feedback</a>" if link else
              "<span class='count'>no feedback page</span>")
        passed = sum(e["status"] == "passed" for e in r["exercises"])
        note = ""
        if r.get("unreadable"):
            note = ("submission could not be read" if r["unreadable"].get("nothing_to_grade")
                    else "some files could not be read")
        if r.get("error"):  # the engine could not grade it (batch._failed_run): say why
            note = f"not graded: {r['error']}"
        rows.append(f"<tr data-student='{esc(str(r['student']))}'>"
                    f"<td>{esc(str(r['student']))}</td>"
                    f"<td class='num'>{r['score']:g} / {r['max_score']:g}</td>"
                    f"<td class='rate'>{_bar(percent(r) / 100)} {percent(r):.0f}%</td>"
                    f"<td class='num'>{passed}</td><td>{fb}</td><td>{esc(note)}</td></tr>")
    return f"""<section id="students"><h2>Students</h2>
<table class="students"><thead><tr><th>student</th><th>score</th><th>%</th>
<th>exercises passed</th><th>feedback</th><th></th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></section>"""


def section_unreadable(cls: ClassData) -> str:
    if not cls.loaded.unreadable:
        return ""
    items = "".join(f"<li><code>{esc(name)}</code>: {esc(why)}</li>"
                    for name, why in cls.loaded.unreadable)
    return f"""<section id="unreadable" class="warning"><h2>Result files that could not be
read</h2><ul>{items}</ul><p>This page reports the other {len(cls.results)} student(s). Grade
those students again (<code>workbook grade ... --regrade</code>) to include them.</p></section>"""


SIMILARITY_PAGE = "similarity.html"


def section_similarity(cls: ClassData) -> str:
    """Which exercises have near-identical bodies (between students, or with the reference
    solution): one row each, the bodies side by side on the similarity page beside it."""
    data = cls.similarity
    if data is None:
        return ""
    flagged = [x for x in data["exercises"] if x["pairs"] or x["reference"]]
    link = os.path.relpath(cls.page.parent / SIMILARITY_PAGE, cls.page.parent)
    head = (f"<section id=\"similarity\"><h2>Similar function bodies</h2><p class='note'>"
            f"Function bodies compared per exercise once names, comments, docstrings, layout "
            f"and the stub's text are set aside; a pair is listed at similarity "
            f"{data['threshold']:g} or more, and bodies under {data['min_tokens']} tokens are "
            f"not compared. Similar is a reason to read the two bodies, not a finding: they "
            f"are side by side in <a href='{esc(link)}'>{esc(SIMILARITY_PAGE)}</a>.</p>")
    if not flagged:
        return head + "<p>No similar bodies.</p></section>"
    rows = "".join(
        f"<tr><td class='ex'>{esc(x['id'])}</td><td>"
        + (", ".join(f"{esc(p['a'])} and {esc(p['b'])} ({p['score']:.2f})"
                     for p in x["pairs"]) or "-")
        + "</td><td>" + (", ".join(f"{esc(p['student'])} ({p['score']:.2f})"
                                   for p in x["reference"]) or "-") + "</td></tr>"
        for x in flagged)
    return (head + "<table class='similarity'><colgroup><col class='ex'></colgroup><thead><tr>"
            "<th>exercise</th><th>similar pairs of students</th><th>similar to the reference "
            f"solution</th></tr></thead><tbody>{rows}</tbody></table></section>")


# The page's sections, in order. Each takes the class and returns HTML ('' to leave it out).
# Another report section (the similarity of submissions, say) is one more function here.
SECTIONS: list[Callable[[ClassData], str]] = [
    section_unreadable, section_summary, section_struggles, section_chapters,
    section_students, section_exercises, section_similarity,
]

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:72em;margin:2em auto;
padding:0 1em;color:#222;line-height:1.4}
h1{margin-bottom:.2em} h2{border-bottom:2px solid #e3e3e3;padding-bottom:.2em;margin-top:1.6em}
h3 .count{font-weight:normal;margin-left:.6em}
.sub,.note,.count{color:#666} .note{font-size:.92em;max-width:62em}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dl.facts dt{font-weight:600} dl.facts dd{margin:0}
img.plot{max-width:100%;height:auto;display:block;margin:.5em 0}
table{border-collapse:collapse;width:100%;margin:.3em 0 1em}
table.students{width:auto;min-width:40em}
th{text-align:left;font-weight:600;border-bottom:2px solid #ccc;padding:.3em .6em}
td{vertical-align:top;padding:.3em .6em;border-bottom:1px solid #e6e6e6}
table.exercises,table.struggles{table-layout:fixed} col.ex{width:17em} col.rate{width:11em}
col.num{width:5.5em} table.struggles col.ex{width:22em} col.students{width:7.5em}
td.count{white-space:nowrap}
td.ex{font-family:ui-monospace,monospace;overflow-wrap:anywhere}
td.num{text-align:right}
td.rate{white-space:nowrap;width:11em} .diff{font-family:system-ui,sans-serif;color:#777;
font-size:.85em} .stars{color:#c98a00}
.bar{display:inline-block;width:4.5em;height:.7em;background:#eee;border-radius:2px;
vertical-align:middle} .bar span{display:block;height:100%;background:#3b8a5a;
border-radius:2px}
.share{font-weight:600} .msg{font-size:.92em} details{font-size:.9em;margin-top:.2em}
details ul{margin:.3em 0;padding-left:1.2em}
nav{margin:.6em 0;font-size:.95em} a{color:#1f5fa8}
.warning{background:#fff4e5;border:1px solid #f0c36d;padding:.2em 1em;border-radius:4px}
"""


def html_page(cls: ClassData) -> str:
    versions = sorted({str(r.get("workbook_version") or "?") for r in cls.results})
    dates = sorted(str(r.get("graded_at", "")) for r in cls.results if r.get("graded_at"))
    when = f"graded {dates[0][:10]}" + (f" to {dates[-1][:10]}" if dates[-1][:10] !=
                                         dates[0][:10] else "") if dates else ""
    sections = "\n".join(s for s in (section(cls) for section in SECTIONS) if s)
    nav = " · ".join(f"<a href='#{i}'>{esc(html.unescape(t))}</a>" for i, t in
                     re.findall(r'<section id="([\w-]+)"[^>]*><h2>([^<]+)</h2>', sections))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Class report: {esc(cls.folder.name)}</title><style>{STYLE}</style></head>
<body><h1>Class report</h1>
<p class="sub">{esc(str(cls.folder))}: {len(cls.results)} student(s), {esc(when)}
(workbook {esc(', '.join(versions))})</p>
<nav>{nav}</nav>
{sections}
</body></html>
"""


def write_report(folder: Path, page: Path | None = None) -> int:
    """The CLI: write the page, say where; exit 2 when there is nothing to report, 1 when
    some result files could not be read (the page lists them), else 0."""
    if not folder.is_dir():
        print(f"workbook report: {folder} is not a folder (give the --out folder of "
              "`workbook grade`)", file=sys.stderr)
        return 2
    loaded = load_results(folder)
    for name, why in loaded.unreadable:
        print(f"workbook report: skipped {folder / name}: {why}", file=sys.stderr)
    if not loaded.results:
        print(f"workbook report: no student results (<student>.json) in {folder}: grade the "
              f"class first, e.g. `workbook grade samples/submissions/* --out {folder}`",
              file=sys.stderr)
        return 2
    page = page or folder / "report.html"
    if page.is_dir():  # --out a folder: the page in it
        page = page / "report.html"
    cls = ClassData(folder, page, loaded, exercise_stats(loaded.results, declared_exercises()))
    text = html_page(cls)
    try:
        write_atomic(page, text)
        if cls.similarity is not None:  # the bodies side by side, linked from the page
            from autograder.similarity import html_page as similarity_page

            write_atomic(page.parent / SIMILARITY_PAGE, similarity_page(cls.similarity))
    except OSError as exc:
        print(f"workbook report: cannot write {page}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {page}: {len(loaded.results)} student(s), {len(cls.stats)} exercises"
          + (f"; {len(loaded.unreadable)} result file(s) could not be read (listed on the page)"
             if loaded.unreadable else ""))
    return 1 if loaded.unreadable else 0
