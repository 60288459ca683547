"""Feedback a student reads: per exercise the score and what each failed check found.

Built from the result JSON only (the messages the graders wrote, with their tiny examples);
nothing of a grader's source is ever in it.
"""
from __future__ import annotations

import html

_STATUS_WORDS = {"passed": "passed", "failed": "not yet right", "error": "could not run",
                 "timeout": "took too long", "missing": "not found"}


def markdown(r: dict) -> str:
    lines = [f"# Feedback for {r['student']}", "",
             f"**Score: {r['score']:g} / {r['max_score']:g}**  ", f"Graded {r['graded_at']} on "
             f"{r['device']} (workbook {r['workbook_version']}).", ""]
    unreadable = r.get("unreadable")
    if unreadable:
        lines += _unreadable_lines(unreadable)
    todo = [e for e in r["exercises"] if e["status"] != "passed"]
    done = [e for e in r["exercises"] if e["status"] == "passed"]
    if todo and not (unreadable and unreadable["nothing_to_grade"]):
        lines += ["## To look at", ""]
        for e in todo:
            lines.append(f"### {e['id']}: {e['score']:g} / {e['max_score']:g} "
                         f"({_STATUS_WORDS.get(e['status'], e['status'])})")
            lines.append("")
            for c in e["checks"]:
                if not c["passed"]:
                    lines.append(f"- **{c['name']}**: {c['message']}")
            lines.append("")
    if done:
        lines += ["## Passed", "", ", ".join(f"{e['id']} ({e['score']:g})" for e in done), ""]
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


def html_page(r: dict) -> str:
    esc = html.escape
    rows = []
    unreadable = r.get("unreadable")
    warning = ""
    if unreadable:
        head, *items = [ln for ln in _unreadable_lines(unreadable) if ln]
        bullets = "".join(f"<li>{esc(i.removeprefix('- '))}</li>" for i in items[:-1])
        warning = f"<h2>{esc(head.removeprefix('## '))}</h2><ul>{bullets}</ul><p>" \
                  f"{esc(items[-1])}</p>"
    for e in r["exercises"]:
        failed = [c for c in e["checks"] if not c["passed"]]
        msgs = "".join(f"<li><b>{esc(c['name'])}</b>: {esc(c['message'])}</li>" for c in failed)
        rows.append(f"<tr class='{esc(e['status'])}'><td>{esc(e['id'])}</td>"
                    f"<td>{e['score']:g} / {e['max_score']:g}</td>"
                    f"<td>{esc(_STATUS_WORDS.get(e['status'], e['status']))}</td>"
                    f"<td><ul>{msgs}</ul></td></tr>")
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
{''.join(rows)}</table>
{'<h2>What your code printed while it was graded</h2>' + out if out else ''}
</body></html>
"""
