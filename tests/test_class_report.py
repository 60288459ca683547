"""``workbook report``: the class page says what the result JSONs say.

The pass rates and most common failure messages on the page are read back from its HTML and
compared with the numbers computed here, independently, from the result files: a synthetic
class of six students with known mistakes, and the bundled samples graded for real."""
import base64
import json
import re
import shutil
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO, run

SAMPLES = REPO / "samples" / "submissions"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---- a synthetic class: six students, known mistakes -----------------------------------------

def _check(name, passed, message=""):
    return {"name": name, "passed": passed, "message": message}


def _ex(id, status, *checks, score=None):
    return {"id": id, "score": 1.0 if status == "passed" else 0.0 if score is None else score,
            "max_score": 1.0, "status": status,
            "checks": list(checks) or [_check("book_example", True)]}


L1 = ("norms([{a}, {b}] (float32)): expected [{c}, 5.0, 4.0] (float32), got [{d}, 5.0, 3.0] "
      "(float32): L1 and max-abs norms use absolute values: |v|, not v")
SWAP = ("causal_mask({n}): expected {want} (bool), got {got} (bool): triu and tril are swapped")
NOT_FOUND = _check("found", False, "no function named dot_product was found in your submission")
NOT_IMPL = _check("book_example", False, "norms is not implemented yet (it still raises "
                                         "NotImplementedError)")


def _swap(n):
    want = [[j <= i for j in range(n)] for i in range(n)]
    return SWAP.format(n=n, want=want, got=[r[::-1] for r in want])


def synthetic_class() -> dict[str, dict]:
    """ch06.dot_product: 4 of 6 pass, 1 not found, 1 shape mistake.
    ch06.norms: 2 pass; 3 use v for |v| (s3 twice, in two checks, with other numbers; s4 and
    s5 once each), 1 stub not implemented. ch13.causal_mask: nobody passes; 4 swap triu and
    tril (masks of several sizes), 1 syntax error, 1 time-out."""
    def student(sid, exercises):
        score = sum(e["score"] for e in exercises)
        return {"student": sid, "submission": f"/subs/{sid}", "graded_at":
                "2026-11-30T10:00:00+00:00", "workbook_version": "0.1.0", "device": "cpu",
                "score": score, "max_score": float(len(exercises)), "isolation": "namespaces",
                "seconds": 0.1, "exercises": exercises}

    dot_ok = _ex("ch06.dot_product", "passed")
    norms_ok = _ex("ch06.norms", "passed")
    sx = {}
    sx["s1"] = [dot_ok, norms_ok, _ex("ch13.causal_mask", "failed", _check(
        "book_example", False, _swap(3)))]
    sx["s2"] = [dot_ok, norms_ok, _ex("ch13.causal_mask", "failed", _check(
        "book_example", False, _swap(3)), _check("random_inputs", False, _swap(5)))]
    sx["s3"] = [dot_ok, _ex("ch06.norms", "failed", _check("book_example", False, L1.format(
        a=3.0, b=-4.0, c=7.0, d=-1.0)), _check("random_inputs", False, L1.format(
            a=-1.5785, b=2.25, c=3.8285, d=0.6715))),
        _ex("ch13.causal_mask", "failed", _check("random_inputs", False, _swap(4)))]
    sx["s4"] = [dot_ok, _ex("ch06.norms", "failed", _check("book_example", False, L1.format(
        a=0.5, b=1e-3, c=0.501, d=0.499))),
        _ex("ch13.causal_mask", "failed", _check("book_example", False, _swap(2)))]
    sx["s5"] = [_ex("ch06.dot_product", "failed", _check(
        "shape", False, "dot_product returned shape (3,); expected a 0-d tensor: sum over "
                        "the products")),
        _ex("ch06.norms", "failed", _check("book_example", False, L1.format(
            a=1, b=2, c=3, d=-1)), _check("dtype", True)),
        _ex("ch13.causal_mask", "error", _check("found", False, "causal_mask could not be "
                                                "loaded: SyntaxError: invalid syntax (line 5)"))]
    sx["s6"] = [_ex("ch06.dot_product", "missing", NOT_FOUND),
                _ex("ch06.norms", "failed", NOT_IMPL),
                _ex("ch13.causal_mask", "timeout", _check(
                    "book_example", False, "causal_mask(3) took longer than 10 s"))]
    return {sid: student(sid, exs) for sid, exs in sx.items()}


EXPECTED = {  # exercise: (pass rate text, not tried, top message starts, top share text)
    "ch06.dot_product": ("67% (4/6)", "1", "dot_product returned shape", "17%", "1 of 6"),
    "ch06.norms": ("33% (2/6)", "1", "norms(", "50%", "3 of 6"),
    "ch13.causal_mask": ("0% (0/6)", "", "causal_mask(", "67%", "4 of 6"),
}


def write_class(folder: Path, results: dict[str, dict], feedback=True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for sid, r in results.items():
        (folder / f"{sid}.json").write_text(json.dumps(r))
    if feedback:
        (folder / "feedback").mkdir(exist_ok=True)
        for sid in results:
            (folder / "feedback" / f"{sid}.html").write_text(f"<title>Feedback: {sid}</title>")
    return folder


# ---- reading the page back ----------------------------------------------------------------

class Page(HTMLParser):
    """The text of each cell of each row that has a ``data-exercise`` or ``data-student``,
    every <img>, every <a href> and the section headings."""

    def __init__(self, text: str):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.students: dict[str, list[str]] = {}
        self.imgs: list[dict] = []
        self.links: list[str] = []
        self.headings: list[str] = []
        self._row = self._cell = self._heading = None
        self._skip = 0  # inside <details>: the other messages, not the top one
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and ("data-exercise" in a or "data-student" in a):
            self._row = []
            target = self.rows if "data-exercise" in a else self.students
            target[a.get("data-exercise") or a["data-student"]] = self._row
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "details":
            self._skip += 1
        elif tag == "img":
            self.imgs.append(a)
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag in ("h1", "h2"):
            self._heading = []

    def handle_endtag(self, tag):
        if tag == "td" and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "details":
            self._skip -= 1
        elif tag in ("h1", "h2") and self._heading is not None:
            self.headings.append(" ".join("".join(self._heading).split()))
            self._heading = None

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)


def report(workbook, folder, *extra):
    proc = run(workbook, "report", folder, *extra)
    return proc, proc.stdout + proc.stderr


# ---- what the test computes on its own ----------------------------------------------------

def values_ignored(message: str) -> str:
    """A coarser grouping than the report's: every digit, bool, nan and inf, and every run of
    brackets, commas, dots and spaces between them, is one mark."""
    return re.sub(r"[\[\]\(\)0.,\s+-]*0[\[\]\(\)0.,\s+-]*", "#",
                  re.sub(r"\b(?:True|False|nan|inf)\b|\d+", "0", message))


def independent(results: list[dict]):
    """Per exercise: pass rate text and the most common failure (message key, students),
    written from the definitions on the page: passed / class; messages of failed checks of
    attempted exercises, digits and bracketed number lists ignored, once per student."""
    n = len(results)

    key = values_ignored

    out = {}
    for i in dict.fromkeys(e["id"] for r in results for e in r["exercises"]):
        entries = [e for r in results for e in r["exercises"] if e["id"] == i]
        passed = sum(e["status"] == "passed" for e in entries)
        said = Counter()
        for e in entries:
            failed = [c["message"] for c in e["checks"] if not c["passed"]]
            tried = e["status"] != "passed" and not (
                all("is not implemented yet" in m for m in failed)
                or e["status"] == "missing" and all(c["name"] == "found" for c in e["checks"]))
            if tried:
                said.update({key(m) for m in failed})
        top = max(said.values()) if said else 0
        out[i] = (f"{round(100 * passed / n)}% ({passed}/{n})", top,
                  {k for k, v in said.items() if v == top})
    return out


def assert_page_matches(page: Page, results: list[dict]):
    n = len(results)
    for i, (rate, top, keys) in independent(results).items():
        cells = page.rows[i]
        assert cells[1] == rate, (i, cells)
        if top:
            share = re.match(r"(\d+)%: (.*) \((\d+) of (\d+)\)$", cells[3])
            assert share, (i, cells[3])
            assert int(share[1]) == round(100 * top / n) and int(share[3]) == top and \
                int(share[4]) == n, (i, cells[3])
            assert values_ignored(share[2]) in keys, (i, cells[3])
        else:
            assert cells[3] == "", (i, cells)


# ---- tests ----------------------------------------------------------------------------------

def test_pass_rates_and_most_common_messages_are_those_of_the_results(tmp_path, workbook):
    results = synthetic_class()
    folder = write_class(tmp_path / "graded", results)
    proc, said = report(workbook, folder)
    assert proc.returncode == 0, said
    assert "wrote" in said and "6 student(s), 3 exercises" in said
    page = Page((folder / "report.html").read_text())
    assert_page_matches(page, list(results.values()))
    for i, (rate, not_tried, starts, share, count) in EXPECTED.items():
        ex, cell_rate, cell_not_tried, cell_top = page.rows[i]
        assert cell_rate == rate and cell_not_tried == not_tried, page.rows[i]
        assert cell_top.startswith(f"{share}: {starts}") and cell_top.endswith(f"({count})")
    # catalog order (ch06 before ch13, dot_product before norms), grouped by chapter
    assert list(page.rows) == ["ch06.dot_product", "ch06.norms", "ch13.causal_mask"]
    html = (folder / "report.html").read_text()
    assert html.index("ch06 Products, norms and similarity") < html.index("ch13 Attention")
    # the message group's other members are there, under the top one
    assert "SyntaxError" in html and "took longer than" in html
    # the summary: class size, mean and median
    assert re.search(r"<dt>Students</dt><dd>6</dd>", html)
    scores = sorted(r["score"] for r in results.values())  # 2 2 1 1 0 0 of 3
    assert f"{sum(scores) / 6:.1f} / 3" in html and "1 / 3 (33%)" in html
    # the definitions are on the page
    assert "divided by the students in the batch" in html


def test_histogram_and_chapter_plot_are_embedded_pngs(tmp_path, workbook):
    folder = write_class(tmp_path / "graded", synthetic_class())
    proc, said = report(workbook, folder)
    assert proc.returncode == 0, said
    page = Page((folder / "report.html").read_text())
    assert len(page.imgs) == 2  # the histogram and the chapters' pass rates
    for img in page.imgs:
        assert img["src"].startswith("data:image/png;base64,")
        png = base64.b64decode(img["src"].split(",", 1)[1], validate=True)
        assert png[:8] == PNG_MAGIC and len(png) > 2000
        assert img["alt"]
    assert "Histogram of 6 scores" in page.imgs[0]["alt"] and "0-10%: 2" in page.imgs[0]["alt"]
    assert "ch06 50%; ch13 0%" in page.imgs[1]["alt"]
    from PIL import Image  # matplotlib's own dependency: the PNG decodes

    import io
    for img in page.imgs:
        im = Image.open(io.BytesIO(base64.b64decode(img["src"].split(",", 1)[1])))
        im.load()
        assert im.size[0] > 300 and im.size[1] > 100


def test_students_link_to_their_feedback_relative_to_the_page(tmp_path, workbook):
    results = synthetic_class()
    folder = write_class(tmp_path / "graded", results)
    (folder / "feedback" / "s6.html").unlink()  # a feedback page that is not there
    elsewhere = tmp_path / "site" / "class.html"
    for out in (folder / "report.html", elsewhere):
        proc, said = report(workbook, folder, *(["--out", out] if out == elsewhere else []))
        assert proc.returncode == 0, said
        page = Page(out.read_text())
        assert sorted(page.students) == sorted(results)
        feedback = [link for link in page.links if "feedback" in link]
        assert len(feedback) == 5
        for link in feedback:
            assert not Path(link).is_absolute() and (out.parent / link).resolve().exists()
        assert page.students["s1"][1] == "2 / 3" and page.students["s1"][2] == "67%"
        assert page.students["s6"][4] == "no feedback page"


def test_empty_or_missing_folder_is_a_clear_error(tmp_path, workbook):
    for folder in (tmp_path / "nowhere", tmp_path / "empty"):
        if folder.name == "empty":
            folder.mkdir()
            (folder / "grades.csv").write_text("student,score\n")
        proc, said = report(workbook, folder)
        assert proc.returncode == 2, said
        assert "Traceback" not in said
        assert ("not a folder" if folder.name == "nowhere" else "no student results") in said
        assert not (folder / "report.html").exists()


def test_a_corrupt_result_is_named_and_the_rest_reported(tmp_path, workbook):
    results = synthetic_class()
    folder = write_class(tmp_path / "graded", results)
    (folder / "s2.json").write_text(json.dumps(results["s2"])[:200])  # cut short
    half = dict(results["s3"])
    del half["exercises"]
    (folder / "s3.json").write_text(json.dumps(half))
    (folder / "similarity.json").write_text('{"pairs": []}')  # a class-level file: left alone
    proc, said = report(workbook, folder)
    assert proc.returncode == 1, said
    assert "s2.json: not valid JSON" in said and "s3.json: not a complete result: no " \
                                                "exercises" in said
    assert "similarity.json" not in said and "Traceback" not in said
    html = (folder / "report.html").read_text()
    page = Page(html)
    assert "Result files that could not be read" in page.headings
    assert "s2.json" in html and "s3.json" in html
    rest = [r for sid, r in results.items() if sid not in ("s2", "s3")]
    assert sorted(page.students) == ["s1", "s4", "s5", "s6"]
    assert_page_matches(page, rest)


def test_only_corrupt_results_is_a_clear_error(tmp_path, workbook):
    folder = tmp_path / "graded"
    folder.mkdir()
    (folder / "alice.json").write_text("{not json")
    proc, said = report(workbook, folder)
    assert proc.returncode == 2 and "alice.json: not valid JSON" in said
    assert "no student results" in said


def test_report_of_the_graded_samples(tmp_path, workbook):
    """The newcomer's path: grade the bundled class, then report it; the page agrees with the
    result JSONs the grader wrote, and names bob's mistakes."""
    out = tmp_path / "graded"
    proc = run(workbook, "grade", *sorted(SAMPLES.iterdir()), "--out", out, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc, said = report(workbook, out)
    assert proc.returncode == 0, said
    results = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    page = Page((out / "report.html").read_text())
    assert_page_matches(page, results)
    assert page.rows["ch06.norms"][3].startswith("33%: norms(") and \
        "absolute values" in page.rows["ch06.norms"][3]
    for link in (link for link in page.links if "feedback" in link):
        assert (out / link).exists()
    assert len(page.students) == 3


def test_messages_that_differ_only_in_values_are_one_message():
    from autograder.class_report import normalise

    a = ("scaled_attention_scores on random inputs of shapes (7, 5, 2), (7, 5, 2): values "
         "differ at index [0, 3, 2]: expected -4.223074436, got -5.972328663: did you forget "
         "to divide by sqrt(H)?")
    b = ("scaled_attention_scores on random inputs of shapes (3, 1, 4), (3, 1, 4): values "
         "differ at index [2, 0, 1]: expected 1e-05, got nan: did you forget to divide by "
         "sqrt(H)?")
    assert normalise(a) == normalise(b)
    assert normalise("expected [[1.0, 2.0], [3.0, 4.0]] (float32)") == \
        normalise("expected [[1.5, -2.0, 7.25]] (float32)")
    assert normalise("returned float64") != normalise("returned float32")  # names stay
    assert normalise("the output at position 0 changed") == \
        normalise("the output at position 4 changed")


def test_report_does_not_import_torch(tmp_path, python):
    folder = write_class(tmp_path / "graded", synthetic_class())
    code = ("import sys; from autograder.cli import main; rc = main(['report', sys.argv[1]]); "
            "print('torch' in sys.modules); sys.exit(rc)")
    proc = run(python, "-c", code, folder)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("False"), proc.stdout + \
        proc.stderr


def test_difficulty_from_the_registry(tmp_path, workbook, monkeypatch):
    """Stars and minutes come from each exercise's @exercise(...) declaration, read as text."""
    from autograder import class_report

    fake = tmp_path / "solutions"
    fake.mkdir()
    (fake / "ch06_products.py").write_text(
        '@exercise("ch06.dot_product", points=1, stars=2, minutes=15)\ndef dot_product(a, b):'
        '\n    pass\n\n@exercise("ch06.norms")\ndef norms(v):\n    pass\n')
    declared = class_report.declared_exercises(fake)
    assert [(d.id, d.stars, d.minutes) for d in declared] == [
        ("ch06.dot_product", 2, 15), ("ch06.norms", 0, 0)]
    stats = class_report.exercise_stats(list(synthetic_class().values()), declared)
    cls = class_report.ClassData(tmp_path, tmp_path / "r.html",
                                 class_report.Loaded(list(synthetic_class().values()), [], []),
                                 stats)
    html = class_report.section_exercises(cls)
    assert "★★☆" in html and "~15 min" in html
    assert html.count("★") == 2  # norms declares no difficulty: nothing shown
    assert [s.id for s in stats] == ["ch06.dot_product", "ch06.norms", "ch13.causal_mask"]


def test_a_student_without_an_exercise_counts_as_not_passing_it():
    """Results graded with --only hold fewer exercises: the denominator is still the class."""
    from autograder.class_report import exercise_stats
    from solutions.registry import Exercise

    one = synthetic_class()["s1"]
    other = {**one, "student": "s0", "exercises": one["exercises"][:1]}
    stats = {s.id: s for s in exercise_stats([one, other], [Exercise("ch06.norms", 1, "")])}
    assert stats["ch06.norms"].pass_rate == 0.5 and stats["ch06.norms"].not_attempted == 1
    assert list(stats) == ["ch06.norms", "ch06.dot_product", "ch13.causal_mask"]


def test_the_text_reading_of_solutions_agrees_with_the_registry():
    """The report reads ids, order, stars and minutes without importing torch; the registry
    (which imports the solutions) must say the same."""
    from autograder.class_report import declared_exercises
    from solutions.registry import select

    assert [(d.id, d.stars, d.minutes) for d in declared_exercises()] == \
        [(e.id, e.stars, e.minutes) for e in select(None)]


def test_results_with_broken_entries_are_named_not_a_traceback(tmp_path, workbook):
    """A result whose checks lack fields, with an exercise twice (it would count 2 of 1
    students), a score that is not finite, or a student that is not a name, is named as
    unreadable; the rest of the class is reported."""
    results = synthetic_class()
    folder = write_class(tmp_path / "graded", results)
    bad = json.loads(json.dumps(results["s2"]))
    bad["exercises"][0]["checks"] = [{"name": "book_example"}]
    (folder / "s2.json").write_text(json.dumps(bad))
    bad = json.loads(json.dumps(results["s3"]))
    bad["exercises"].append(bad["exercises"][0])
    (folder / "s3.json").write_text(json.dumps(bad))
    bad = dict(results["s4"], score=float("nan"))
    (folder / "s4.json").write_text(json.dumps(bad))
    (folder / "s5.json").write_text(json.dumps(dict(results["s5"], student=5)))
    proc, said = report(workbook, folder)
    assert proc.returncode == 1 and "Traceback" not in said, said
    assert "s2.json: not a complete result: an exercise's id or status is not text, or a " \
           "check lacks passed or message" in said
    assert "s3.json: not a complete result: ch06.dot_product listed more than once" in said
    assert "s4.json: not a complete result: score or max_score is not a number" in said
    assert "s5.json: not a complete result: its student is not a name" in said
    page = Page((folder / "report.html").read_text())
    assert sorted(page.students) == ["s1", "s6"]
    assert_page_matches(page, [results["s1"], results["s6"]])


def test_an_exercise_id_without_a_chapter_is_reported_last(tmp_path, workbook):
    """A result from another tool or version with an id like ``norms`` (no chapter)."""
    results = synthetic_class()
    results["s1"]["exercises"].append(_ex("norms", "failed", _check("x", False, "odd <b>")))
    folder = write_class(tmp_path / "graded", results)
    proc, said = report(workbook, folder)
    assert proc.returncode == 0 and "Traceback" not in said, said
    page = Page((folder / "report.html").read_text())
    assert page.rows["norms"][0] == "norms" and page.rows["norms"][1] == "0% (0/6)"
    assert "odd &lt;b&gt;" in (folder / "report.html").read_text()


def test_a_student_in_two_files_is_counted_once(tmp_path, workbook):
    """A copy of s1.json kept beside it (s1-old.json) would count s1 twice: the page reports
    s1.json, names the copy, and the pass rates are those of the six students."""
    results = synthetic_class()
    folder = write_class(tmp_path / "graded", results)
    old = json.loads(json.dumps(results["s1"]))
    for e in old["exercises"]:
        e.update(status="failed", score=0.0)
    (folder / "a-copy.json").write_text(json.dumps(old))
    proc, said = report(workbook, folder)
    assert proc.returncode == 1, said
    assert "a-copy.json: another result of student s1 (s1.json is reported)" in said
    page = Page((folder / "report.html").read_text())
    assert sorted(page.students) == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert_page_matches(page, list(results.values()))


def test_out_a_folder_writes_the_page_in_it_and_an_unwritable_out_is_a_clear_error(
        tmp_path, workbook):
    folder = write_class(tmp_path / "graded", synthetic_class())
    (tmp_path / "pages").mkdir()
    proc, said = report(workbook, folder, "--out", str(tmp_path / "pages"))
    assert proc.returncode == 0 and "Traceback" not in said, said
    page = Page((tmp_path / "pages" / "report.html").read_text())
    assert "../graded/feedback/s1.html" in page.links
    (tmp_path / "file").write_text("")
    proc, said = report(workbook, folder, "--out", str(tmp_path / "file" / "report.html"))
    assert proc.returncode == 2 and "Traceback" not in said, said
    assert f"workbook report: cannot write {tmp_path / 'file' / 'report.html'}" in said


def test_a_student_the_engine_could_not_grade_says_why(tmp_path, workbook):
    """batch._failed_run's result (no exercises, an error): the row said 0 / 0 and nothing
    else, so the instructor could not tell a failed run from an empty submission."""
    results = synthetic_class()
    results["s7"] = {"student": "s7", "submission": "/subs/s7", "graded_at": "",
                     "workbook_version": "", "device": "cpu", "score": 0.0, "max_score": 0.0,
                     "error": "judge 0 died <twice>", "exercises": []}
    folder = write_class(tmp_path / "graded", results)
    proc, said = report(workbook, folder)
    assert proc.returncode == 0, said
    html = (folder / "report.html").read_text()
    page = Page(html)
    assert page.students["s7"][-1] == "not graded: judge 0 died <twice>"
    assert "(workbook , " not in html and "(workbook 0.1.0, ?)" in html
    assert_page_matches(page, list(results.values()))


def test_html_in_student_names_and_messages_is_shown_as_text(tmp_path, workbook):
    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>'\""
    results = synthetic_class()
    results["s2"]["student"] = "s2" + evil
    for e in results["s3"]["exercises"]:
        for c in e["checks"]:
            if not c["passed"]:
                c["message"] = evil + c["message"]
    folder = write_class(tmp_path / "graded", results)
    proc, said = report(workbook, folder)
    assert proc.returncode == 0, said
    html = (folder / "report.html").read_text()
    assert "<script" not in html and "<img src=x" not in html and "http" not in html
    page = Page(html)
    assert "s2" + evil in page.students
    import html as html_module

    assert f"<span class='msg'>{html_module.escape(evil)}" in html
