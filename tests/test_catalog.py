"""The registry against CATALOG.md, the contract: names, argument order, marks, book refs.

CATALOG.md lives in the shared folder beside the project (../shared/); chapters not built yet
are skipped, but every exercise of a built chapter must be there exactly as the catalog says.
"""
import inspect
import re

import pytest

from solutions.registry import load_all
from tests.conftest import REPO

CATALOG = REPO.parent / "shared" / "CATALOG.md"
MARKS = ("vec", "causal", "grad", "rand")


def _split_top(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "([{" and 1 or 0
        depth -= ch in ")]}" and 1 or 0
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in parts + [cur] if p.strip()]


def _catalog() -> dict[str, dict]:
    entries, chapter = {}, None
    for line in CATALOG.read_text().splitlines():
        if m := re.match(r"## (ch\d\d) ", line):
            chapter = m.group(1)
            continue
        m = re.match(r"\d+\. `(\w+)\((.*?)\)(?: -> [^`]*)?` ?(.*)$", line)
        if not (chapter and m):
            continue
        name, args, rest = m.groups()
        book = re.search(r"\[([^\[\]]*)\]\s*$", rest)
        rest = rest[:book.start()] if book else rest
        marks, ban = set(), ()
        while t := re.search(r"(?:^|\s)(vec|causal|grad|rand|ban\(([^)]*)\))\.?\s*$", rest):
            if t.group(2) is not None:
                ban = tuple(b.strip() for b in t.group(2).split(","))
            else:
                marks.add(t.group(1))
            rest = rest[:t.start()]
        entries[f"{chapter}.{name}"] = {
            "args": [re.split(r"[:=]", a)[0].strip() for a in _split_top(args)],
            "marks": marks, "ban": ban, "book": book.group(1) if book else ""}
    return entries


@pytest.fixture(scope="module")
def catalog():
    if not CATALOG.exists():
        pytest.skip(f"no catalog at {CATALOG}")
    return _catalog()


def test_every_exercise_of_a_built_chapter_is_registered(catalog):
    registry = load_all()
    built = {e.chapter for e in registry.values()}
    wanted = {k for k in catalog if k.split(".")[0] in built}
    assert wanted - set(registry) == set(), "catalog exercises missing from solutions/"
    assert set(registry) - set(catalog) == set(), "exercises not in the catalog (list them)"


@pytest.mark.parametrize("exercise_id", sorted(load_all()))
def test_signature_marks_and_book_match_the_catalog(catalog, exercise_id):
    import importlib

    ex, entry = load_all()[exercise_id], catalog[exercise_id]
    fn = getattr(importlib.import_module(ex.module), ex.name)
    assert list(inspect.signature(fn).parameters) == entry["args"]
    assert {m for m in MARKS if getattr(ex, m)} == entry["marks"]
    assert ex.ban == entry["ban"]
    assert ex.book == entry["book"]
