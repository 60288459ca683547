"""Pictures in feedback (issue 12): a failed check may carry a small figure (attention weights
beside the expected ones, a wrong shape beside the expected one) from the grader through the
result JSON to the student's pages, and the pages read top down."""
import base64
import copy
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from autograder.engine import feedback
from tests.conftest import BIN, run

ANSWERS = '''
import torch


def causal_mask(T):
    """The diagonal masked too: a position may not attend to itself."""
    return torch.ones(T, T, dtype=torch.bool).tril(-1)


def masked_softmax(scores, allowed):
    """`allowed` ignored: weight leaks into the masked (future) positions."""
    return scores.softmax(-1)


def attention_scores(q, k):
    """q^T k: (B, H, H) where (B, T, T) is asked."""
    return q.transpose(-2, -1) @ k


def attention_output(weights, v):
    return weights @ v


def attention_entropy(w):
    raise NotImplementedError()


def padded_causal_attention(q, k, v, key_padding):
    """key_padding ignored: queries still use padded keys."""
    return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("pics")
    (root / "lea").mkdir()
    (root / "lea" / "answers.py").write_text(ANSWERS)
    out = root / "out"
    proc = run(BIN / "workbook", "grade", root / "lea", "--out", out, "--only", "ch13")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    r = json.loads((out / "lea.json").read_text())
    return r, out


def _entry(r, name):
    return next(e for e in r["exercises"] if e["id"] == f"ch13.{name}")


def _check(r, name, check):
    return next(c for c in _entry(r, name)["checks"] if c["name"] == check)


def test_wrong_diagonal_carries_the_students_mask_beside_the_expected_one(graded):
    r, _ = graded
    fig = _check(r, "causal_mask", "book_example")["figure"]  # causal_mask(3)
    assert fig["kind"] == "heatmaps" and fig["future"] is True
    mine, want = fig["panels"]
    assert mine["label"] == "your mask" and want["label"] == "expected"
    assert mine["matrix"] == [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
    assert want["matrix"] == [[1, 0, 0], [1, 1, 0], [1, 1, 1]]


def test_leaking_softmax_shows_weight_in_the_future(graded):
    r, _ = graded
    # the book example: `allowed` is not causal, so the masked cells are given as "blocked"
    fig = _check(r, "masked_softmax", "book_example")["figure"]
    assert fig["blocked"] == [[False, False, True], [True, True, True]]
    assert fig["panels"][0]["matrix"][1] == [0.09, 0.245, 0.665]  # softmax([1, 2, 3])
    assert fig["panels"][1]["matrix"] == [[0.5, 0.5, 0.0], [0.0, 0.0, 0.0]]
    # causal scores: the student's weights leak above the diagonal, the expected ones do not
    fig = _check(r, "masked_softmax", "causal_weights")["figure"]
    assert fig["future"] is True and "blocked" not in fig
    mine, want = (p["matrix"] for p in fig["panels"])
    T = len(mine)
    assert T == 5 and all(len(row) == T for row in mine + want)
    assert all(mine[i][j] > 0 for i in range(T) for j in range(i + 1, T))
    assert all(want[i][j] == 0 for i in range(T) for j in range(i + 1, T))
    assert all(abs(sum(row) - 1) < 0.01 for row in mine + want)
    assert all(isinstance(v, float) and round(v, 3) == v for row in mine for v in row)


def test_ignored_padding_shows_which_keys_each_query_uses(graded):
    r, _ = graded
    # the book example: T = 3, key 0 padded; the picture is a dependence map made by
    # redrawing one key (and value) position at a time
    fig = _check(r, "padded_causal_attention", "book_example")["figure"]
    mine, allowed = (p["matrix"] for p in fig["panels"])
    assert allowed == [[0, 0, 0], [0, 1, 0], [0, 1, 1]]
    assert fig["future"] is True and [row[0] for row in fig["blocked"]] == [True] * 3
    assert all(mine[i][0] > 0 for i in range(3))  # the padded key is used by every query
    assert all(mine[i][j] == 0 for i in range(3) for j in range(i + 1, 3))  # but causal
    assert max(v for row in mine for v in row) == 1.0


def test_wrong_shape_carries_both_shapes(graded):
    r, _ = graded
    c = _check(r, "attention_scores", "random_inputs")
    fig = c["figure"]
    assert fig["kind"] == "shapes"
    B, T, T2 = fig["expected"]  # (B, T, T) asked, (B, H, H) returned
    B2, H, H2 = fig["got"]
    assert (B2, T2, H2) == (B, T, H) and T != H
    assert f"expected shape ({B}, {T}, {T}), got ({B}, {H}, {H})" in c["message"]
    # passing checks and checks without a picture carry no "figure" key at all
    assert all("figure" not in c for c in _entry(r, "attention_output")["checks"])


class _Page(HTMLParser):
    """Tags in order, every <img>, and whether each element is closed."""

    VOID = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.imgs, self.h2, self.errors = [], [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "h2":
            self.h2.append(data)


def test_html_page_embeds_the_pictures_with_alt_text(graded):
    _, out = graded
    text = (out / "feedback" / "lea.html").read_text()
    page = _Page()
    page.feed(text)
    assert not page.errors and page.stack == [], (page.errors, page.stack)
    assert text.startswith("<!doctype html>") and 'name="viewport"' in text
    assert "white-space:nowrap" in text and "@media print" in text
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and \
        "https://" not in text and "<script" not in text  # self-contained
    svgs = [i for i in page.imgs if i["src"].startswith("data:image/svg+xml;base64,")]
    assert svgs and all(i.get("alt") for i in page.imgs)
    for img in svgs:  # each image is a well-formed SVG document
        ET.fromstring(base64.b64decode(img["src"].split(",", 1)[1]))
    alts = [i["alt"] for i in svgs]
    # the causal_mask(3) picture: the student's mask, cell values in the alt text
    assert any(a.startswith("your mask: a 3 by 3 heatmap. row 0: 0, 0, 0; row 1: 1, 0, 0")
               for a in alts)
    assert any("Cells that must get no weight but do: (0, 1)" in a for a in alts)
    assert any(a.startswith("colour scale") for a in alts)
    shape = next(a for a in alts if a.startswith("Two shapes side by side"))
    fig = _check(json.loads((out / "lea.json").read_text()), "attention_scores",
                 "random_inputs")["figure"]
    assert f"expected ({', '.join(map(str, fig['expected']))})" in shape
    # the leaking weights are drawn with a thick red outline
    leak = next(i for i in svgs if i["alt"].startswith("your weights: a 5 by 5"))
    assert 'stroke="#c00" stroke-width="4"' in base64.b64decode(leak["src"][26:]).decode()


def test_pages_read_top_down(graded):
    _, out = graded
    page = _Page()
    page.feed((out / "feedback" / "lea.html").read_text())
    assert page.h2 == ["Summary", "What to fix next", "Not attempted yet", "Not found",
                       "Passed"]
    md = (out / "feedback" / "lea.md").read_text()
    heads = [ln[3:] for ln in md.splitlines() if ln.startswith("## ")]
    assert heads == page.h2
    summary = md[md.index("## Summary"):md.index("## What to fix next")]
    assert "| ch13 Attention | 1 / 20 | 1 / 12 |" in summary  # attention_output passed
    fix = md[md.index("## What to fix next"):md.index("## Not attempted yet")]
    assert "ch13.causal_mask" in fix and "ch13.attention_output" not in fix
    assert "**ch13**: attention_output" in md[md.index("## Passed"):]


def test_markdown_has_the_text_grids(graded):
    _, out = graded
    md = (out / "feedback" / "lea.md").read_text()
    block = md[md.index("### ch13.causal_mask"):md.index("### ch13.masked_softmax")]
    grid = re.findall(r"^  +\d  .*$", block, re.M)
    assert "   0  0  0* 0*" in grid and "   2  1  1  0" in grid  # your mask (3), row by row
    assert "   0  1  0* 0*" in grid  # expected
    assert "* = future positions" in block
    shapes = md[md.index("### ch13.attention_scores"):]
    assert re.search(r"expected shape: \(\d, \d, \d\)\n  your shape: +\(\d, \d, \d\)\n +\^",
                     shapes)


def test_old_results_without_figures_still_render(graded):
    r, _ = graded
    old = copy.deepcopy(r)
    for e in old["exercises"]:
        for c in e["checks"]:
            c.pop("figure", None)
    html, md = feedback.html_page(old), feedback.markdown(old)
    assert "<img" not in html and "```text" not in md
    assert "ch13.causal_mask" in html and "What to fix next" in md
    # a malformed picture is left out, the message stays
    bad = copy.deepcopy(r)
    for c in _entry(bad, "causal_mask")["checks"]:
        if "figure" in c:
            c["figure"] = {"kind": "heatmaps", "panels": [{"label": "x", "matrix": "oops"}]}
    page = feedback.html_page(bad)
    fix = page[page.index("ch13.causal_mask"):page.index("ch13.masked_softmax")]
    assert "the diagonal must be True" in fix and "<img" not in fix
    assert "the diagonal must be True" in feedback.markdown(bad)
    # a run the engine could not grade at all (batch._failed_run): its reason, no summary
    failed = {**{k: r[k] for k in ("student", "submission", "device")}, "graded_at": "",
              "workbook_version": "", "score": 0.0, "max_score": 0.0,
              "error": "judge 0 died", "exercises": []}
    for text in (feedback.markdown(failed), feedback.html_page(failed)):
        assert "Not graded" in text and "judge 0 died" in text and "Summary" not in text


def test_a_picture_is_drawn_only_for_the_failure_a_check_keeps():
    from autograder.checks.report import Report

    drawn = []
    rep = Report("ch13.causal_mask", 1)

    def draw(tag):
        return lambda: drawn.append(tag) or {"kind": "shapes", "expected": [1], "got": [2]}

    rep.record("random_inputs", True, "", draw("pass"))
    rep.record("random_inputs", False, "first", draw("first"))
    rep.record("random_inputs", False, "second", draw("second"))
    assert drawn == ["first"]
    assert rep.as_dict()["checks"][0]["figure"] == {"kind": "shapes", "expected": [1],
                                                    "got": [2]}
    rep.record("other", False, "no picture")
    assert "figure" not in rep.as_dict()["checks"][1]


def test_difficulty_stars_beside_each_exercise_to_fix(graded, tmp_path):
    r, _ = graded
    (tmp_path / "ch13_attention.py").write_text(
        '@exercise("ch13.causal_mask", points=1, stars=2, minutes=5)\n'
        'def causal_mask(T):\n    pass\n\n\n'
        '@exercise("ch13.masked_softmax", points=1)\ndef masked_softmax(s, a):\n    pass\n')
    stars = feedback.exercise_stars(tmp_path)
    assert stars == {"ch13.causal_mask": 2}  # no stars declared: none shown
    md, page = feedback.markdown(r, stars), feedback.html_page(r, stars)
    assert "### ch13.causal_mask ★★☆: 0 / 1 (not yet right)" in md
    assert "### ch13.masked_softmax: 0 / 2" in md
    assert "<span class=stars title=difficulty>★★☆</span>" in page


@pytest.mark.parametrize("figure", [
    {"kind": "heatmaps", "title": "t", "future": True, "blocked": [[False]],  # too small
     "panels": [{"label": "x", "matrix": [[0.5, 0.5], [0.2, 0.8]]}]},
    {"kind": "heatmaps", "panels": [{"label": 5, "matrix": [[1.0]]}]},  # label not text
    {"kind": "heatmaps", "title": ["t"], "panels": [{"label": "x", "matrix": [[1.0]]}]},
    {"kind": "heatmaps", "note": 3, "panels": [{"label": "x", "matrix": [[1.0]]}]},
    {"kind": "heatmaps", "panels": [{"label": "x", "matrix": [[]]}]},  # an empty row
    {"kind": "heatmaps", "panels": [{"label": "x", "matrix": [[0.1] * 400] * 400}]},  # huge
], ids=["blocked-size", "label", "title", "note", "empty-row", "huge"])
def test_a_malformed_picture_draws_nothing_and_the_page_still_renders(graded, figure):
    """pictures.py's promise: a malformed payload draws nothing (it used to raise
    IndexError, TypeError, AttributeError or ValueError, or write a 33 MB page)."""
    r, _ = graded
    bad = copy.deepcopy(r)
    for c in _entry(bad, "causal_mask")["checks"]:
        if "figure" in c:
            c["figure"] = figure
    page, md = feedback.html_page(bad), feedback.markdown(bad)
    fix = page[page.index("ch13.causal_mask"):page.index("ch13.masked_softmax")]
    assert "the diagonal must be True" in fix and "<img" not in fix and len(page) < 200_000
    assert "the diagonal must be True" in md


def test_extreme_values_in_a_heatmap_are_drawn():
    """1e308 and -1e308 in one matrix: their range overflows to inf (it raised ValueError:
    cannot convert float NaN to integer)."""
    from autograder.engine import pictures

    fig = {"kind": "heatmaps", "title": "t", "future": True,
           "panels": [{"label": "yours", "matrix": [[1e308, -1e308], ["nan", "-inf"]]}]}
    out = pictures.html_figure(fig)
    svg = base64.b64decode(re.search(r'base64,([^"]+)"', out)[1]).decode()
    ET.fromstring(svg)
    assert "NaN" in svg and "-inf" in svg


def test_html_in_names_messages_and_figure_texts_is_escaped_everywhere(graded):
    """A student id, a check's message, the printed output and a figure's title, note and
    panel labels holding markup: shown as text on the page, in the alt text and the SVG."""
    r, _ = graded
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>\"'"
    bad = copy.deepcopy(r)
    bad["student"], bad["output"] = evil, evil
    for c in _entry(bad, "masked_softmax")["checks"]:
        if c.get("figure"):
            c["message"] = evil + c["message"]
            c["figure"].update(title=evil, note=evil)
            for p in c["figure"]["panels"]:
                p["label"] = evil
    page = feedback.html_page(bad)
    assert "<script" not in page and "<img src=x" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
    for svg in re.findall(r'base64,([^"]+)"', page):
        text = base64.b64decode(svg).decode()
        ET.fromstring(text)
        assert "<script" not in text and "onerror" not in text
    alts = re.findall(r'alt="([^"]*)"', page)
    assert any("&lt;script&gt;" in a for a in alts) and not any("<" in a for a in alts)
    # the Markdown page too: outside code blocks, no tag a Markdown viewer would render
    md = feedback.markdown(bad)
    prose = re.sub(r"```.*?```", "", md, flags=re.S)
    assert "<script" not in prose and "<img" not in prose
    assert "# Feedback for &lt;script>alert(1)&lt;/script>&lt;img" in md
    assert "<script>alert(1)</script>" in md.split("## What your code printed", 1)[1]
