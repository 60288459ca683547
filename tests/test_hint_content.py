"""Every exercise teaches: up to three progressive hints, a difficulty and a time estimate.

The hints live beside the reference solution (its ``@exercise`` decorator). These tests read
them as a student would and look for what would mislead one: a hint that points at a banned
call, a loop in a vectorised exercise, a skeleton with nothing left to fill in or one that is
the solution itself.
"""
import inspect
import re

import pytest

from solutions.registry import load_all

EXERCISES = sorted(load_all().values(), key=lambda e: (e.chapter, e.order))
NEGATIVE = re.compile(r"\b(not|never|without|no|instead of|avoid|banned|forbidden|isn't|don't|"
                      r"cannot|can't|rather than)\b", re.I)


def _ids(e):
    return e.id


@pytest.mark.parametrize("ex", EXERCISES, ids=_ids)
def test_every_exercise_has_hints_and_a_difficulty(ex):
    assert 1 <= len(ex.hints) <= 3, f"{ex.id}: {len(ex.hints)} hints"
    assert ex.stars in (1, 2, 3), f"{ex.id}: stars={ex.stars}"
    assert 1 <= ex.minutes <= 90, f"{ex.id}: minutes={ex.minutes}"


def _calls(text: str, name: str) -> list[str]:
    """Lines of ``text`` that call ``name`` (torch.name(, .name(, name() other than in a
    sentence that says not to."""
    pattern = re.compile(rf"(?<![\w]){re.escape(name)}\s*\(")
    out = []
    for line in text.splitlines():
        if line.lstrip().startswith("def "):
            continue
        for m in pattern.finditer(line):
            if not NEGATIVE.search(line[:m.start()]):
                out.append(line.strip())
    return out


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.ban], ids=_ids)
def test_no_hint_points_at_a_banned_call(ex):
    found = [(name, line) for h in ex.hints for name in ex.ban for line in _calls(h, name)]
    assert not found, f"{ex.id} bans {ex.ban} but a hint calls: {found}"


@pytest.mark.parametrize("ex", [e for e in EXERCISES if e.vec], ids=_ids)
def test_no_hint_loops_in_a_vectorised_exercise(ex):
    loops = [h for h in ex.hints if re.search(r"^\s*(for|while)\b.*:\s*$", h, re.M)]
    assert not loops, f"{ex.id} must be vectorised but a hint's code loops: {loops}"


def _solution_lines(ex) -> list[str]:
    import importlib

    fn = getattr(importlib.import_module(ex.module), ex.name)
    src = inspect.getsource(fn)
    body = src.split("### BEGIN SOLUTION", 1)[1].split("### END SOLUTION", 1)[0]
    return [re.sub(r"\s+", "", ln.split("#", 1)[0]) for ln in body.splitlines()
            if ln.split("#", 1)[0].strip()]


@pytest.mark.parametrize("ex", [e for e in EXERCISES if len(e.hints) == 3], ids=_ids)
def test_the_skeleton_leaves_something_to_write(ex):
    skeleton = ex.hints[-1]
    assert "___" in skeleton or "..." in skeleton, f"{ex.id}: the last hint has no blank"
    flat = re.sub(r"\s+", "", skeleton)
    solution = _solution_lines(ex)
    assert not (solution and all(line in flat for line in solution)), \
        f"{ex.id}: the skeleton holds every line of the reference solution"


@pytest.mark.parametrize("ex", EXERCISES, ids=_ids)
def test_a_notebook_shows_each_hint_as_written(ex):
    """The notebook's folded hints are markdown: rendered (by mistune, as nbconvert does),
    each reads as written, its `code` as code (``C*k*k`` read as C<em>k</em>k before)."""
    import html

    mistune = pytest.importorskip("mistune")
    from autograder.build.render import _hint_markdown

    for n, hint in enumerate(ex.hints, 1):
        shown = mistune.html(_hint_markdown(hint, n))
        assert "<em>" not in shown and "<strong>" not in shown, (ex.id, n, shown)
        text = html.unescape(re.sub(r"<[^>]+>", "", shown)).strip()
        assert " ".join(text.replace("`", "").split()) == \
            " ".join(hint.replace("`", "").split()), (ex.id, n, shown)
