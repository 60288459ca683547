"""The registry against the catalogs: names, argument order, marks, book refs, points.

Two catalogs, one line format: the workbook's own ``exercises/CATALOG.md`` (generated from
the registry by `workbook build`; checked everywhere: the page says what the code does), and
the contract the project was built to, ``../shared/CATALOG.md`` beside the project, present
only on the course's own machines; there chapters not built yet are skipped, but every
exercise of a built chapter must be there exactly as the catalog says.
"""
import inspect
import re

import pytest

from solutions.registry import load_all
from tests.conftest import REPO

CATALOGS = {"own": REPO / "exercises" / "CATALOG.md",
            "contract": REPO.parent / "shared" / "CATALOG.md"}
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


def _catalog(path) -> dict[str, dict]:
    entries, chapter = {}, None
    for line in path.read_text().splitlines():
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
        points = re.search(r"\((\d+(?:\.\d+)?) points?\)\s*$", rest)
        entries[f"{chapter}.{name}"] = {
            "args": [re.split(r"[:=]", a)[0].strip() for a in _split_top(args)],
            "marks": marks, "ban": ban, "book": book.group(1) if book else "",
            "points": float(points.group(1)) if points else None}
    return entries


@pytest.fixture(scope="module", params=sorted(CATALOGS))
def catalog(request):
    path = CATALOGS[request.param]
    if not path.exists():
        pytest.skip(f"the contract {path} sits beside the project only on the course's own "
                    "machines; the workbook's own catalog (exercises/CATALOG.md) is checked "
                    "here instead")
    return _catalog(path)


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
    assert entry["points"] in (None, ex.points)  # the contract gives no points


def test_own_catalog_gives_every_exercise_its_points_and_meaning():
    text = CATALOGS["own"].read_text()
    entries = _catalog(CATALOGS["own"])
    assert sorted(entries) == sorted(load_all())
    assert all(e["points"] == load_all()[i].points for i, e in entries.items())
    assert "` - A matrix of ones. (1 point) [P5]" in text  # the docstring's first sentence


def test_readme_links_the_own_catalog_not_a_file_a_clone_lacks():
    readme = (REPO / "README.md").read_text()
    assert "(exercises/CATALOG.md)" in readme and "../shared/CATALOG.md" not in readme
