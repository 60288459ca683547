"""Feedback a student reads: per exercise the score and what each failed check found.

Built from the result JSON only (the messages the graders wrote, with their tiny examples);
nothing of a grader's source is ever in it. Exercises are sorted into four groups, so the
page is as long as there is something to say:

- to look at: attempted and not right, each distinct failed check's message once;
- not attempted yet: one line each (the stub still raises NotImplementedError);
- not found: one line per chapter (a student who handed in one chapter of several);
- passed.
"""
from __future__ import annotations

import html
from itertools import groupby

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


def markdown(r: dict) -> str:
    lines = [f"# Feedback for {r['student']}", "",
             f"**Score: {r['score']:g} / {r['max_score']:g}**  ", f"Graded {r['graded_at']} on "
             f"{r['device']} (workbook {r['workbook_version']}).", ""]
    unreadable = r.get("unreadable")
    if unreadable:
        lines += _unreadable_lines(unreadable)
        if unreadable["nothing_to_grade"]:
            return "\n".join(lines)
    groups = by_group(r)
    if groups["to_look_at"]:
        lines += ["## To look at", ""]
        for e in groups["to_look_at"]:
            lines.append(f"### {e['id']}: {e['score']:g} / {e['max_score']:g} "
                         f"({_STATUS_WORDS.get(e['status'], e['status'])})")
            lines.append("")
            lines += [f"- **{c['name']}**: {c['message']}" for c in failed_checks(e)]
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
        lines += ["## Passed", "", ", ".join(f"{e['id']} ({e['score']:g})"
                                             for e in groups["passed"]), ""]
    if r.get("output"):
        lines += ["## What your code printed while it was graded", "", "```",
                  r["output"].replace("```", "'''"), "```", ""]
    return "\n".join(lines)


def _unreadable_lines(unreadable: dict) -> list[str]:
    """What could not be read, file by file (the whole submission, or some of its files)."""
    lines = ["## Your submission could not be read" if unreadable["nothing_to_grade"]
             else "## Files that could not be read", ""]
    if not unreadable["files"]:
        lines.append(f"- {unreadable['message']}")
    lines += [f"- `{name}`: {why}" for name, why in unreadable["files"].items()]
    lines.append("")
    lines.append("Nothing was graded: hand in your .py files or notebooks as they are." if
                 unreadable["nothing_to_grade"] else "The exercises in the other files "
                 "were graded.")
    return lines + [""]


def _html_rows(r: dict) -> str:
    esc = html.escape
    rows = []
    groups = by_group(r)
    for e in groups["to_look_at"] + groups["not_attempted"] + groups["passed"]:
        said = (["not attempted yet (it still raises NotImplementedError)"]
                if group(e) == "not_attempted" else
                [f"<b>{esc(c['name'])}</b>: {esc(c['message'])}" for c in failed_checks(e)])
        rows.append(f"<tr class='{esc(e['status'])}'><td>{esc(e['id'])}</td>"
                    f"<td>{e['score']:g} / {e['max_score']:g}</td>"
                    f"<td>{esc(_STATUS_WORDS.get(e['status'], e['status']))}</td>"
                    f"<td><ul>{''.join(f'<li>{m}</li>' for m in said)}</ul></td></tr>")
    for chapter, names in by_chapter(groups["not_found"]):
        rows.append(f"<tr class='missing'><td>{esc(chapter)}: {len(names)} exercise(s)</td>"
                    f"<td>0</td><td>not found</td><td>{esc(', '.join(names))}</td></tr>")
    return "".join(rows)


def html_page(r: dict) -> str:
    esc = html.escape
    unreadable = r.get("unreadable")
    warning = ""
    if unreadable:
        head, *items = [ln for ln in _unreadable_lines(unreadable) if ln]
        bullets = "".join(f"<li>{esc(i.removeprefix('- '))}</li>" for i in items[:-1])
        warning = f"<h2>{esc(head.removeprefix('## '))}</h2><ul>{bullets}</ul><p>" \
                  f"{esc(items[-1])}</p>"
    rows = "" if unreadable and unreadable["nothing_to_grade"] else _html_rows(r)
    out = (f"<pre>{esc(r['output'])}</pre>" if r.get("output") else "")
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Feedback: {esc(r['student'])}</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}
td{{vertical-align:top;padding:.3em .6em;border-bottom:1px solid #ddd}}
tr.passed td:nth-child(3){{color:#060}} tr.failed td:nth-child(3),tr.error td:nth-child(3),
tr.timeout td:nth-child(3),tr.missing td:nth-child(3){{color:#a00}}</style></head>
<body><h1>Feedback for {esc(r['student'])}</h1>
<p><b>Score: {r['score']:g} / {r['max_score']:g}</b>. Graded {esc(r['graded_at'])} on
{esc(r['device'])} (workbook {esc(r['workbook_version'])}).</p>
{warning}
<table><tr><th>exercise</th><th>score</th><th>status</th><th>what the checks found</th></tr>
{rows}</table>
{'<h2>What your code printed while it was graded</h2>' + out if out else ''}
</body></html>
"""
