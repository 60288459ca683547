"""Feedback a student reads top down: per chapter how far they are, then what to fix.

Built from the result JSON only (the messages the graders wrote, with their tiny examples,
and the pictures some checks carry: autograder/engine/pictures.py); nothing of a grader's
source is ever in it. The page (Markdown, and one self-contained HTML file) has:

- a summary: per chapter its title, score / max, exercises passed n / m and a bar;
- what to fix next: attempted and not right, each distinct failed check's message once, with
  its picture (attention weights beside the expected ones, a shape beside the expected one);
- not attempted yet: one line each (the stub still raises NotImplementedError);
- not found: one line per chapter (a student who handed in one chapter of several);
- passed: the exercise names, one line per chapter.
"""
from __future__ import annotations

import functools
import html
import re
from itertools import groupby
from pathlib import Path
from typing import Mapping

from autograder.engine import pictures
from solutions.registry import CHAPTER_TITLES

_STATUS_WORDS = {"passed": "passed", "failed": "not yet right", "error": "could not run",
                 "timeout": "took too long", "missing": "not found"}
NOT_IMPLEMENTED = "is not implemented yet"


def failed_checks(e: dict) -> list[dict]:
    """The failed checks of an exercise, a message said by several checks only once."""
    seen, out = set(), []
    for c in e["checks"]:
        if not c["passed"] and c["message"] not in seen:
            seen.add(c["message"])
            out.append(c)
    return out


def group(e: dict) -> str:
    """``passed``, ``not_attempted``, ``not_found`` or ``to_look_at``."""
    if e["status"] == "passed":
        return "passed"
    failed = failed_checks(e)
    if failed and all(NOT_IMPLEMENTED in c["message"] for c in failed):
        return "not_attempted"
    if e["status"] == "missing" and all(c["name"] == "found" for c in failed):
        return "not_found"
    return "to_look_at"


def by_group(r: dict) -> dict[str, list[dict]]:
    groups = {"to_look_at": [], "not_attempted": [], "not_found": [], "passed": []}
    for e in r["exercises"]:
        groups[group(e)].append(e)
    return groups


def by_chapter(exercises: list[dict]) -> list[tuple[str, list[str]]]:
    """``[(chapter, [exercise names])]`` in the order the exercises come."""
    return [(chapter, [e["id"].split(".", 1)[1] for e in items])
            for chapter, items in groupby(exercises, key=lambda e: e["id"].split(".")[0])]


def chapters(r: dict) -> list[dict]:
    """Per chapter, in the order the exercises come: title, score, max, passed, total."""
    out: dict[str, dict] = {}
    for e in r["exercises"]:
        ch = e["id"].split(".")[0]
        c = out.setdefault(ch, {"chapter": ch, "title": CHAPTER_TITLES.get(ch, ""),
                                "score": 0.0, "max_score": 0.0, "passed": 0, "total": 0,
                                "found": 0})
        c["score"] += e["score"]
        c["max_score"] += e["max_score"]
        c["passed"] += e["status"] == "passed"
        c["total"] += 1
        c["found"] += group(e) != "not_found"
    for c in out.values():
        c["score"] = round(c["score"], 2)
    return list(out.values())


def _pts(score: float, max_score: float) -> str:
    return f"{score:g} / {max_score:g}"


def _stars(e: dict, stars: Mapping[str, int] | None) -> str:
    n = (stars or {}).get(e["id"], 0)
    return "★" * n + "☆" * (3 - n) if n else ""


def _text_bar(part: float, whole: float, width: int = 10) -> str:
    full = round(width * part / whole) if whole else 0
    return "█" * full + "░" * (width - full)


def _md(text) -> str:
    """Student-made text (a name, a message quoting their code or exception, a reason) as
    Markdown shows it: an ``<`` that would open a tag (``<script>``, ``<lambda>``) is written
    ``&lt;``, which a Markdown viewer shows as ``<`` and never runs."""
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", str(text))


def markdown(r: dict, stars: Mapping[str, int] | None = None) -> str:
    """The page as Markdown, read top down: the chapters' summary, what to fix next (each
    failed check's message and picture), not attempted yet, not found, passed."""
    lines = [f"# Feedback for {_md(r['student'])}", "",
             f"**Score: {_pts(r['score'], r['max_score'])}**  ", f"Graded {r['graded_at']} on "
             f"{r['device']} (workbook {r['workbook_version']}).", ""]
    unreadable = r.get("unreadable")
    if unreadable:
        lines += _unreadable_lines(unreadable)
        if unreadable["nothing_to_grade"]:
            return "\n".join(lines)
    if r.get("error"):  # the engine could not grade this submission at all
        lines += ["## Not graded", "", _md(r["error"]), ""]
    if r["exercises"]:
        lines += ["## Summary", "", "| chapter | score | exercises passed | |",
                  "|---|---|---|---|"]
    for c in chapters(r):
        lines.append(f"| {c['chapter']} {c['title']} | {_pts(c['score'], c['max_score'])} | "
                     f"{c['passed']} / {c['total']}"
                     f"{'' if c['found'] else ' (not handed in)'} | "
                     f"`{_text_bar(c['score'], c['max_score'])}` |")
    lines.append("")
    groups = by_group(r)
    if groups["to_look_at"]:
        lines += ["## What to fix next", ""]
        for e in groups["to_look_at"]:
            star = _stars(e, stars)
            lines.append(f"### {e['id']}{' ' + star if star else ''}: "
                         f"{_pts(e['score'], e['max_score'])} "
                         f"({_STATUS_WORDS.get(e['status'], e['status'])})")
            lines.append("")
            for c in failed_checks(e):
                lines.append(f"- **{c['name']}**: {_md(c['message'])}")
                grid = pictures.text(c["figure"]) if c.get("figure") else []
                if grid:
                    lines += ["", "  ```text", *(f"  {ln}".rstrip() for ln in grid), "  ```", ""]
            lines.append("")
    if groups["not_attempted"]:
        lines += ["## Not attempted yet", "", "These still raise NotImplementedError:", ""]
        lines += [f"- {e['id']} (0 / {e['max_score']:g})" for e in groups["not_attempted"]]
        lines.append("")
    if groups["not_found"]:
        lines += ["## Not found", "", "No function with these names was found in what you "
                  "handed in:", ""]
        lines += [f"- {chapter}: {', '.join(names)}"
                  for chapter, names in by_chapter(groups["not_found"])]
        lines.append("")
    if groups["passed"]:
        lines += ["## Passed", ""]
        lines += [f"**{chapter}**: {', '.join(names)}  "
                  for chapter, names in by_chapter(groups["passed"])]
        lines.append("")
    if r.get("output"):
        lines += ["## What your code printed while it was graded", "", "```",
                  r["output"].replace("```", "'''"), "```", ""]
    return "\n".join(lines)

def _unreadable_lines(unreadable: dict) -> list[str]:
    """What could not be read, file by file (the whole submission, or some of its files)."""
    lines = ["## Your submission could not be read" if unreadable["nothing_to_grade"]
             else "## Files that could not be read", ""]
    if not unreadable["files"]:
        lines.append(f"- {_md(unreadable['message'])}")
    lines += [f"- `{name}`: {_md(why)}" for name, why in unreadable["files"].items()]
    lines.append("")
    lines.append("Nothing was graded: hand in your .py files or notebooks as they are." if
                 unreadable["nothing_to_grade"] else "The exercises in the other files "
                 "were graded.")
    return lines + [""]


_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.45;
 max-width:62em;margin:0 auto;padding:1em;color:#111;background:#fff;overflow-wrap:anywhere}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.3em;margin-top:1.6em;
 border-bottom:2px solid #333;padding-bottom:.15em}h3{font-size:1.05em;margin:0 0 .4em}
.num,.pts{white-space:nowrap;font-variant-numeric:tabular-nums}
table.summary{border-collapse:collapse;width:100%}
.summary th,.summary td{text-align:left;padding:.35em .5em;border-bottom:1px solid #ccc;
 vertical-align:middle}
.summary td.bar{width:28%;min-width:5em}
.bar span{display:block;height:.9em;border:1px solid #333;background:#fff}
.bar span i{display:block;height:100%;background:#2e7d32}
.bar span i.part{background:#f9a825}.bar span i.none{background:transparent}
section.ex{border:1px solid #bbb;border-left:6px solid #c62828;border-radius:4px;
 padding:.6em .8em;margin:.8em 0}
section.ex.error,section.ex.timeout{border-left-color:#6a1b9a}
.status{font-weight:normal;color:#555}.stars{color:#b26a00;white-space:nowrap}
ul.checks{padding-left:1.2em;margin:.3em 0}ul.checks li{margin:.3em 0}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
pre{overflow-x:auto;background:#f4f4f4;padding:.6em;white-space:pre}
figure.pic{margin:.6em 0;padding:.5em;border:1px solid #ddd;border-radius:4px;
 overflow-x:auto;max-width:100%}
figure.pic .panels{display:flex;flex-wrap:wrap;gap:1em}
figure.pic .plabel{font-size:.85em;color:#333;max-width:26em}
figure.pic img{max-width:100%;height:auto;display:block}
figure.pic img.scale{margin-top:.4em}
figcaption{font-size:.85em;color:#333;margin-top:.3em}
p.passed{margin:.2em 0}.muted{color:#555}
@media (max-width:40em){body{padding:.6em}.summary td.bar{display:none}
 .summary th:last-child{display:none}}
@media print{body{max-width:none;padding:0;color:#000;font-size:11pt}
 h2{break-after:avoid;page-break-after:avoid}
 section.ex,figure.pic,tr{break-inside:avoid;page-break-inside:avoid}
 section.ex{border:1px solid #000;border-left:4px solid #000}
 .bar span{border-color:#000}.bar span i{background:#000;print-color-adjust:exact;
 -webkit-print-color-adjust:exact}
 .stars,.status,.muted,figcaption{color:#000}pre{white-space:pre-wrap}}
"""


def _bar(c: dict) -> str:
    pct = round(100 * c["score"] / c["max_score"]) if c["max_score"] else 0
    cls = "" if pct == 100 else "part" if pct else "none"
    return (f"<span role='img' aria-label='{pct}% of the points'><i class='{cls}' "
            f"style='width:{pct}%'></i></span>")


def _summary_table(r: dict) -> str:
    esc = html.escape
    rows = "".join(
        f"<tr><td><b>{esc(c['chapter'])}</b> {esc(c['title'])}</td>"
        f"<td class='pts'>{_pts(c['score'], c['max_score'])}</td>"
        f"<td class='num'>{c['passed']} / {c['total']}"
        f"{'' if c['found'] else ' <span class=muted>(not handed in)</span>'}</td>"
        f"<td class='bar'>{_bar(c)}</td></tr>" for c in chapters(r))
    return ("<table class='summary'><thead><tr><th>chapter</th><th>score</th>"
            "<th>passed</th><th>progress</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _html_to_fix(e: dict, stars: Mapping[str, int] | None) -> str:
    esc = html.escape
    star = _stars(e, stars)
    items = []
    for c in failed_checks(e):
        pic = pictures.html_figure(c["figure"]) if c.get("figure") else ""
        items.append(f"<li><b>{esc(c['name'])}</b>: {esc(c['message'])}{pic}</li>")
    return (f"<section class='ex {esc(e['status'])}'><h3>{esc(e['id'])}"
            f"{f' <span class=stars title=difficulty>{star}</span>' if star else ''} "
            f"<span class='pts'>{_pts(e['score'], e['max_score'])}</span> "
            f"<span class='status'>({esc(_STATUS_WORDS.get(e['status'], e['status']))})"
            f"</span></h3><ul class='checks'>{''.join(items)}</ul></section>")


def html_page(r: dict, stars: Mapping[str, int] | None = None) -> str:
    """The page as one self-contained HTML5 file (inline CSS and images, nothing fetched),
    in the Markdown page's order; readable on a phone and on paper."""
    esc = html.escape
    body = []
    unreadable = r.get("unreadable")
    if unreadable:
        head, *items = [ln for ln in _unreadable_lines(unreadable) if ln]
        bullets = "".join(f"<li>{esc(i.removeprefix('- '))}</li>" for i in items[:-1])
        body.append(f"<h2>{esc(head.removeprefix('## '))}</h2><ul>{bullets}</ul><p>"
                    f"{esc(items[-1])}</p>")
    if r.get("error"):
        body.append(f"<h2>Not graded</h2><p>{esc(str(r['error']))}</p>")
    if not (unreadable and unreadable["nothing_to_grade"]) and r["exercises"]:
        groups = by_group(r)
        body.append(f"<h2>Summary</h2>{_summary_table(r)}")
        if groups["to_look_at"]:
            body.append("<h2>What to fix next</h2>" + "".join(
                _html_to_fix(e, stars) for e in groups["to_look_at"]))
        if groups["not_attempted"]:
            body.append("<h2>Not attempted yet</h2><p>These still raise NotImplementedError:"
                        "</p><ul>" + "".join(
                            f"<li>{esc(e['id'])} <span class='pts'>(0 / "
                            f"{e['max_score']:g})</span></li>"
                            for e in groups["not_attempted"]) + "</ul>")
        if groups["not_found"]:
            body.append("<h2>Not found</h2><p>No function with these names was found in what "
                        "you handed in:</p><ul>" + "".join(
                            f"<li><b>{esc(ch)}</b>: {esc(', '.join(names))}</li>"
                            for ch, names in by_chapter(groups["not_found"])) + "</ul>")
        if groups["passed"]:
            body.append("<h2>Passed</h2>" + "".join(
                f"<p class='passed'><b>{esc(ch)}</b>: {esc(', '.join(names))}</p>"
                for ch, names in by_chapter(groups["passed"])))
    if r.get("output"):
        body.append("<h2>What your code printed while it was graded</h2>"
                    f"<pre>{esc(r['output'])}</pre>")
    nl = "\n"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feedback: {esc(r['student'])}</title>
<style>{_CSS}</style></head>
<body><main>
<h1>Feedback for {esc(r['student'])}</h1>
<p><b>Score: <span class="pts">{_pts(r['score'], r['max_score'])}</span></b>. Graded
{esc(r['graded_at'])} on {esc(r['device'])} (workbook {esc(r['workbook_version'])}).</p>
{nl.join(body)}
</main></body></html>
"""


@functools.lru_cache(maxsize=4)
def exercise_stars(folder: Path | None = None) -> dict[str, int]:
    """``{exercise id: stars}`` for the exercises with a difficulty (stars > 0), read from
    solutions/ (or ``folder``) without importing torch (``registry.declared``)."""
    from solutions.registry import declared

    return {i: ex.stars for i, ex in declared(folder).items() if ex.stars}
