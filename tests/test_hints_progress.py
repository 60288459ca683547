"""Teaching while grading (issue 12): `workbook hint`, the difficulty in every statement, the
hints folded in the notebooks, `build --check`'s rule, and `workbook progress`.

Most exercises have no hints yet in this branch, so the tests give one exercise its hints,
stars and minutes through a fixture (``taught``) and read what the student would see.
"""
import dataclasses
import json
import re
import os
import shutil
import sys
import time

import pytest

from autograder import hints
from autograder.build import build, missing_teaching_aids, render
from autograder.build.sources import read_chapter
from autograder.cli import main
from autograder.progress import report
from solutions.registry import EXERCISES, load_all
from tests.conftest import BIN, REPO, run

ID = "ch13.causal_mask"
HINTS = ("Position t may look at positions 0..t: a lower-triangular pattern of True.",
         "`torch.ones(T, T, dtype=torch.bool)` and `torch.tril`.",
         "ones = torch.ones(___, ___, dtype=torch.bool)  # (T, T)\nreturn torch.___(ones)")
SUBMISSIONS = REPO / "samples" / "submissions"


@pytest.fixture
def taught(monkeypatch):
    """The registry with ch13.causal_mask given three hints, two stars and ten minutes, as
    `workbook hint` (which reads solutions/ without torch) and the renderers see it."""
    load_all()
    ex = dataclasses.replace(EXERCISES[ID], hints=HINTS, stars=2, minutes=10)
    monkeypatch.setitem(EXERCISES, ID, ex)
    monkeypatch.setattr(hints, "declared", lambda: dict(EXERCISES))
    return ex


def hint(capsys, *args) -> tuple[int, str, str]:
    code = main(["hint", *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- workbook hint ------------------------------------------------------------------------------

def test_hints_come_one_at_a_time_then_all_together(taught, tmp_path, capsys):
    code, out, _ = hint(capsys, ID, "--dir", str(tmp_path))
    assert code == 0
    assert out.startswith("Hint 1 of 3 for ch13.causal_mask (★★☆, about 10 minutes): the idea")
    assert HINTS[0] in out and HINTS[1] not in out
    assert "2 more hints: run `workbook hint ch13.causal_mask` again for hint 2" in out

    out = hint(capsys, "causal_mask", "--dir", str(tmp_path))[1]
    assert out.startswith("Hint 2 of 3 for ch13.causal_mask")
    assert HINTS[1] in out and HINTS[0] not in out
    assert "1 more hint: run `workbook hint ch13.causal_mask` again for hint 3" in out

    out = hint(capsys, ID, "--dir", str(tmp_path))[1]
    assert out.startswith("Hint 3 of 3 for ch13.causal_mask (★★☆, about 10 minutes): a "
                          "skeleton with blanks")
    assert "    ones = torch.ones(___, ___, dtype=torch.bool)  # (T, T)\n    return" in out
    assert "That was the last hint for ch13.causal_mask" in out

    out = hint(capsys, ID, "--dir", str(tmp_path))[1]
    assert out.startswith("You have seen all 3 hints for ch13.causal_mask")
    assert all(h.splitlines()[0] in out for h in HINTS)
    assert "Hint 1: the idea" in out and "Hint 3: a skeleton with blanks" in out
    assert "--reset" in out
    state = json.loads((tmp_path / ".workbook-hints.json").read_text())
    assert state == {"seen": {ID: 3}}


def test_hints_seen_are_kept_per_folder(taught, tmp_path, capsys):
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    mine.mkdir()
    theirs.mkdir()
    hint(capsys, ID, "--dir", str(mine))
    assert hint(capsys, ID, "--dir", str(mine))[1].startswith("Hint 2 of 3")
    assert hint(capsys, ID, "--dir", str(theirs))[1].startswith("Hint 1 of 3")


def test_all_shows_every_hint_and_reset_starts_over(taught, tmp_path, capsys):
    out = hint(capsys, ID, "--dir", str(tmp_path), "--all")[1]
    assert out.startswith("All 3 hints for ch13.causal_mask (★★☆, about 10 minutes):")
    assert HINTS[0] in out and HINTS[1] in out and "torch.___(ones)" in out
    out = hint(capsys, ID, "--dir", str(tmp_path), "--reset")[1]
    assert "Forgot the hints you had seen for ch13.causal_mask" in out
    assert HINTS[0] not in out
    assert hint(capsys, ID, "--dir", str(tmp_path))[1].startswith("Hint 1 of 3")


def test_the_folder_is_the_one_workbook_check_would_check(taught, tmp_path, capsys,
                                                          monkeypatch):
    for name in ("selfcheck.py", "test_ch13_attention.py"):
        shutil.copy(REPO / "exercises" / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    hint(capsys, "ch13_attention.causal_mask")  # the release folder's name works too
    assert json.loads((tmp_path / ".workbook-hints.json").read_text()) == {"seen": {ID: 1}}


def test_a_broken_state_file_still_shows_the_first_hint(taught, tmp_path, capsys):
    (tmp_path / ".workbook-hints.json").write_text("{not json")
    code, out, err = hint(capsys, ID, "--dir", str(tmp_path))
    assert code == 0 and out.startswith("Hint 1 of 3") and HINTS[0] in out
    assert "note: could not read" in err and ".workbook-hints.json" in err
    # what the broken file held is kept aside, not overwritten by the new count
    assert "it is kept as .workbook-hints.json.broken" in err
    assert (tmp_path / ".workbook-hints.json.broken").read_text() == "{not json"
    assert json.loads((tmp_path / ".workbook-hints.json").read_text()) == {"seen": {ID: 1}}


def test_a_state_file_that_cannot_be_written_still_shows_the_hint(taught, tmp_path, capsys):
    (tmp_path / ".workbook-hints.json").mkdir()  # unreadable and unwritable, even for root
    code, out, err = hint(capsys, ID, "--dir", str(tmp_path))
    assert code == 0 and out.startswith("Hint 1 of 3") and HINTS[0] in out
    assert "could not save the hints seen" in err
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
        try:
            code, out, err = hint(capsys, ID, "--dir", str(folder))
        finally:
            folder.chmod(0o700)
        assert code == 0 and HINTS[0] in out and "could not save" in err


def test_an_exercise_without_hints_points_at_its_docstring_and_check(tmp_path, capsys,
                                                                      monkeypatch):
    load_all()
    bare = dataclasses.replace(EXERCISES[ID], hints=(), stars=0, minutes=0)
    monkeypatch.setattr(hints, "declared", lambda: {**EXERCISES, ID: bare})
    code, out, _ = hint(capsys, ID, "--dir", str(tmp_path))
    assert code == 0
    assert "ch13.causal_mask has no hints yet" in out
    assert "docstring" in out and "`workbook check ch13.causal_mask`" in out
    assert not (tmp_path / ".workbook-hints.json").exists()


def test_a_chapter_or_an_unknown_name_is_refused_clearly(capsys, tmp_path):
    code, _, err = hint(capsys, "ch13", "--dir", str(tmp_path))
    assert code == 2 and "ch13 is a chapter: give one exercise, e.g. `workbook hint ch13." in err
    code, _, err = hint(capsys, "causal_mask_typo", "--dir", str(tmp_path))
    assert code == 2 and "no exercise 'causal_mask_typo'" in err
    code, _, err = hint(capsys, ID, "--dir", str(tmp_path / "nowhere"))
    assert code == 2 and "no such folder" in err


def test_hint_falls_back_to_ascii_stars(taught, tmp_path):
    import io

    ascii_out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    assert hints.charset(ascii_out) == "ascii" and hints.charset(sys.stdout) in ("utf-8",
                                                                                 "ascii")
    text = hints.hint_text(taught, hints.SeenHints(tmp_path), stars=hints.STARS["ascii"])
    assert text.startswith("Hint 1 of 3 for ch13.causal_mask (**-, about 10 minutes)")


def test_hint_reads_the_registry_without_torch_and_quickly(tmp_path):
    start = time.monotonic()
    proc = run(sys.executable, "-c",
               "import sys; from autograder.cli import main; "
               f"code = main(['hint', 'causal_mask', '--dir', {str(tmp_path)!r}]); "
               "print('torch imported' if 'torch' in sys.modules else 'no torch'); "
               "sys.exit(code)")
    took = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr
    assert "ch13.causal_mask" in proc.stdout and "no torch" in proc.stdout
    assert took < 3, f"workbook hint took {took:.1f} s"


def test_the_registry_read_without_torch_is_the_registry():
    assert hints.declared() == load_all()


# -- difficulty and hints in what students read -------------------------------------------------

def _chapter_with(ex):
    src = read_chapter(REPO / "solutions" / "ch13_attention.py")
    return src, {**load_all(), ex.id: ex}


def test_the_stub_shows_the_difficulty_and_points_at_workbook_hint(taught):
    import ast

    src, exercises = _chapter_with(taught)
    plain = dataclasses.replace(EXERCISES["ch13.attention_scores"], stars=0, minutes=0)
    exercises[plain.id] = plain
    text = render.stub_module(src, exercises)
    docs = {n.name: ast.get_docstring(n) for n in ast.parse(text).body
            if isinstance(n, ast.FunctionDef)}
    assert "Difficulty: ★★☆ (about 10 minutes)" in docs["causal_mask"]
    assert "Stuck? `workbook hint ch13.causal_mask` shows a hint (3 in all" in docs["causal_mask"]
    assert HINTS[0] not in text  # the hints wait until asked for
    assert "Difficulty" not in docs["attention_scores"]  # unset: nothing said
    assert all(len(line) <= 100 for line in text.splitlines())


def test_the_notebook_statement_shows_the_difficulty_and_folds_the_hints(taught):
    src, exercises = _chapter_with(taught)
    nb = json.loads(render.notebook(src, exercises, hidden=True))
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in nb["cells"]]
    statement = "".join(nb["cells"][ids.index("causal_mask_statement")]["source"])
    assert "Difficulty: ★★☆ (about 10 minutes)" in statement
    assert ids[ids.index("causal_mask_statement") + 1] == "causal_mask_hints"
    cell = nb["cells"][ids.index("causal_mask_hints")]
    text = "".join(cell["source"])
    assert cell["cell_type"] == "markdown"
    assert cell["metadata"]["nbgrader"]["locked"] is True
    assert cell["metadata"]["editable"] is False and cell["metadata"]["deletable"] is False
    assert text.count("<details>") == 3 and "<details open" not in text
    assert "<details><summary>Hint 1: the idea</summary>\n\n" + HINTS[0] in text
    assert "<summary>Hint 2: the torch operations</summary>" in text
    assert "```python\nones = torch.ones(___, ___, dtype=torch.bool)" in text
    one_line = dataclasses.replace(taught, hints=(*HINTS[:2], "return torch.___(___)"))
    assert "```python\nreturn torch.___(___)\n```" in render.hints_cell_text(one_line)
    if not EXERCISES["ch13.attention_scores"].hints:
        assert "attention_scores_hints" not in ids  # no hints: no hints cell


def test_nbgrader_releases_the_hints_cell_locked(taught):
    from autograder.build.release import CONFIG, generate

    src, exercises = _chapter_with(taught)
    released = generate({src.topic: {f"{src.topic}.ipynb": render.notebook(
        src, exercises, hidden=True)}}, REPO / CONFIG)
    nb = json.loads(released[src.topic][f"{src.topic}.ipynb"])
    cells = {c["metadata"].get("nbgrader", {}).get("grade_id"): c for c in nb["cells"]}
    hints_cell = cells["causal_mask_hints"]
    assert "<summary>Hint 3: a skeleton with blanks</summary>" in "".join(hints_cell["source"])
    assert hints_cell["metadata"]["nbgrader"]["locked"] is True


def test_the_catalog_gives_the_difficulty_under_the_entry(taught, tmp_path):
    from tests.test_catalog import _catalog

    chapters = [read_chapter(p) for p in sorted((REPO / "solutions").glob("ch1[34]_*.py"))]
    exercises = {i: e for i, e in load_all().items() if e.chapter in ("ch13", "ch14")}
    exercises[ID] = taught
    text = render.catalog(chapters, exercises)
    lines = text.splitlines()
    entry = next(i for i, line in enumerate(lines) if line.startswith("4. `causal_mask("))
    assert lines[entry + 1] == "    Difficulty: ★★☆ (about 10 minutes)."
    assert "difficulty (★☆☆ to ★★★)" in text
    page = tmp_path / "CATALOG.md"
    page.write_text(text)
    assert _catalog(page)[ID]["points"] == taught.points  # the entry's format is unchanged
    unset = [e for e in exercises.values() if not (e.stars or e.minutes)]
    assert text.count("Difficulty:") == len(exercises) - len(unset)


# -- build --check: every exercise teaches ------------------------------------------------------

def test_missing_teaching_aids_names_each_exercise_and_what_it_lacks(taught):
    full = {ID: taught}
    assert missing_teaching_aids(full) == []
    partial = {ID: dataclasses.replace(taught, hints=()),
               "ch13.attention_scores": dataclasses.replace(
                   EXERCISES["ch13.attention_scores"], hints=("an idea",), stars=0, minutes=0)}
    assert missing_teaching_aids(partial) == ["ch13.attention_scores: no stars, no minutes",
                                              "ch13.causal_mask: no hints"]


def test_build_check_fails_listing_exercises_without_hints_stars_or_minutes(monkeypatch,
                                                                            capsys):
    load_all()
    lacking = {"ch13.causal_mask", "ch06.matmul"}
    for ex_id, ex in list(EXERCISES.items()):
        if ex_id not in lacking:
            monkeypatch.setitem(EXERCISES, ex_id, dataclasses.replace(
                ex, hints=ex.hints or ("an idea",), stars=ex.stars or 1,
                minutes=ex.minutes or 5))
    monkeypatch.setitem(EXERCISES, "ch06.matmul", dataclasses.replace(
        EXERCISES["ch06.matmul"], hints=("an idea",), stars=0, minutes=0))
    monkeypatch.setitem(EXERCISES, ID, dataclasses.replace(EXERCISES[ID], hints=(), stars=2,
                                                           minutes=0))
    assert build(check=True) == 1
    out = capsys.readouterr().out
    assert "2 exercise(s) lack hints, stars or minutes; declare them in the exercise's " \
           "@exercise(" in out
    assert "  ch06.matmul: no stars, no minutes\n  ch13.causal_mask: no hints, no minutes\n" \
           in out


# -- workbook progress --------------------------------------------------------------------------

def progress(*args, cwd=REPO, env=None):
    proc = run(sys.executable, "-m", "autograder.cli", "progress", *args, cwd=cwd, env=env,
               timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_progress_of_alice_all_pass():
    start = time.monotonic()
    out = progress(str(SUBMISSIONS / "alice"))
    took = time.monotonic() - start
    assert "ch13 Attention" in out and "12 of 12 pass" in out
    assert "✓✓✓✓✓ ✓✓✓✓✓ ✓✓" in out
    assert "✗" not in out.split("\n\n")[1] and "○" not in out.split("\n\n")[1]
    total = len(load_all())
    assert f"Total: {total} of {total} pass\n" in out
    assert f"All {total} exercises pass. Well done!" in out
    assert took < 30, f"progress of alice took {took:.1f} s"


def test_progress_of_bob_one_file_names_each_mistake_and_the_next_step():
    out = progress(str(SUBMISSIONS / "bob" / "my_answers.py"))
    assert "Progress of " in out and "(1 file," in out
    assert "ch01 Creating tensors" in out and "ch01.vector_from_list: vector_from_list([1, 2, " \
           "3]): expected dtype torch.float32, got torch.int64" in out
    assert "ch13.causal_mask: causal_mask(3): expected tensor [[True, False, False]" in out
    assert "✓ passed  ✗ failed  ○ not started (still raises NotImplementedError)  · not " \
           "found" in out
    assert "Nothing found for 11 chapters" in out
    assert "Next: ch01.vector_from_list" in out
    # the property checks run too, as `pytest` in the folder runs them: bob's loop in
    # matmul_by_broadcast passes its example but is not vectorised
    assert "ch06.matmul_by_broadcast: matmul_by_broadcast: is not vectorised" in out
    assert "Total: 6 of 41 pass (6 failed, 29 not found)" in out


def test_progress_of_carol_says_which_file_does_not_parse():
    out = progress(str(SUBMISSIONS / "carol"))
    assert "ch06.dot_product: dot_product could not be loaded: ch06_products.py does not " \
           "parse, line 5" in out
    assert "2 of 12 pass" in out  # ch13: her two answers
    assert "Nothing found for 12 chapters: ch01-ch05, ch07-ch12, ch14." in out
    assert "Next: ch06.dot_product" in out


def test_progress_names_the_notebook_cell_that_does_not_parse(tmp_path):
    nb = json.loads((SUBMISSIONS / "alice" / "ch13_attention.ipynb").read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "causal_mask":
            cell["source"] = ["def causal_mask(T)\n", "    return None\n"]
    (tmp_path / "ch13_attention.ipynb").write_text(json.dumps(nb))
    out = progress(str(tmp_path))
    assert "ch13.causal_mask: causal_mask could not be loaded: SyntaxError in the cell " \
           "causal_mask: line 1: expected ':'" in out
    assert "11 of 12 pass" in out and "Next: ch13.causal_mask" in out


def test_progress_reads_the_py_before_the_notebook_as_the_self_checks_do(tmp_path):
    shutil.copy(SUBMISSIONS / "alice" / "ch13_attention.ipynb", tmp_path)
    shutil.copy(REPO / "exercises" / "ch13_attention.py", tmp_path)
    assert "0 of 12 pass" in progress(str(tmp_path))  # the stub, as `pytest` there reads it


def test_progress_of_a_fresh_copy_of_exercises_is_all_not_started(tmp_path):
    copy = tmp_path / "mine"
    shutil.copytree(REPO / "exercises", copy, ignore=shutil.ignore_patterns("__pycache__"))
    out = progress(cwd=copy)  # the folder it is run in, as for `workbook check`
    total = len(load_all())
    assert f"Progress of {copy}" in out
    assert f"Total: 0 of {total} pass ({total} not started)" in out
    assert "ch14 A baby GPT" in out and "○○○○○" in out and "✓" not in out.split("\n\n")[1]
    assert "Next: ch01.vector_from_list" in out
    assert not list(copy.rglob("__pycache__")) and not list(copy.glob(".workbook*"))


def test_progress_of_a_release_chapter_folder():
    out = progress(str(REPO / "release" / "ch13_attention"))
    assert "ch13 Attention" in out and "0 of 12 pass" in out and "○○○○○ ○○○○○ ○○" in out
    assert "Nothing found for 13 chapters: ch01-ch12, ch14." in out


HOSTILE = '''import os
import time

import torch

print("the student's output does not reach the grid")


def project_qkv(x, wq, bq, wk, bk, wv, bv):
    try:
        time.sleep(60)
    except Exception:  # swallows what it can: the time limit still stops it
        pass
    return x


def attention_scores(q, k):
    os._exit(3)


def scaled_attention_scores(q, k):
    while True:
        pass


def causal_mask(T):
    return torch.tril(torch.ones(T, T, dtype=torch.bool))
'''


def test_a_hanging_or_crashing_function_does_not_stop_progress(tmp_path):
    (tmp_path / "ch13_attention.py").write_text(HOSTILE)
    start = time.monotonic()
    out = progress(str(tmp_path), "--timeout", "1")
    took = time.monotonic() - start
    assert "ch13.project_qkv: project_qkv(" in out and "took too long (more than 1 s)" in out
    assert "ch13.attention_scores: crashed: the process running it stopped (exit code 3)" in out
    assert "ch13.scaled_attention_scores: scaled_attention_scores(" in out
    assert "1 of 12 pass" in out  # causal_mask, checked after the crash
    assert "does not reach" not in out
    assert took < 60, f"took {took:.1f} s"


def test_progress_falls_back_to_ascii_where_the_terminal_cannot_print_symbols():
    out = progress(str(SUBMISSIONS / "carol"), env={"PYTHONIOENCODING": "ascii"})
    out.encode("ascii")
    assert "+ passed  x failed  o not started" in out and ". not found" in out
    assert "x...." in out


def test_the_next_step_gives_the_difficulty_and_the_hint_command(taught):
    exercises = {e.id: e for e in load_all().values() if e.chapter == "ch13"}
    exercises[ID] = taught
    results = {i: ("passed", "") for i in exercises}
    results[ID] = ("not started", "")
    results["ch13.masked_softmax"] = ("not started", "")
    out = report(results, exercises, "here")
    assert "Next: ch13.causal_mask (★★☆, about 10 min) - `workbook hint ch13.causal_mask` " \
           "if you are stuck" in out
    left = taught.minutes + exercises["ch13.masked_softmax"].minutes  # the two not passed
    assert f"10 of 12 pass, about {left} min to go\n" in out
    results["ch13.masked_softmax"] = ("failed", "masked_softmax(...): expected ...")
    out = report(results, exercises, "here", "ascii")
    assert "\nNext: ch13.masked_softmax " in out  # a started one first
    assert "ch13.masked_softmax: masked_softmax(...): expected ..." in out


def test_progress_refuses_what_holds_no_answers(tmp_path):
    proc = run(sys.executable, "-m", "autograder.cli", "progress", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "no such file or folder" in proc.stderr
    (tmp_path / "README.md").write_text("my answers are in my head")
    proc = run(sys.executable, "-m", "autograder.cli", "progress", str(tmp_path / "README.md"))
    assert proc.returncode == 2 and "no answers in" in proc.stderr


def test_progress_finds_a_function_in_another_chapters_file_as_the_grader_does(tmp_path):
    """ch13's causal_mask written in ch06_products.py: `workbook grade` finds and grades it
    (it finds functions by name wherever they are), so progress must not say "not found"."""
    (tmp_path / "ch06_products.py").write_text(
        "import torch\n\n\ndef causal_mask(T):\n"
        "    return torch.ones(T, T, dtype=torch.bool).tril()\n")
    out = progress(str(tmp_path))
    assert re.search(r"^ch13 Attention +···✓· ····· ·· +1 of 12 pass", out, re.M), out
    assert "Total: 1 of 12 pass (11 not found)" in out


def test_a_function_flooding_stderr_does_not_fill_progress_memory(tmp_path):
    """A student's function writing to stderr without end until its time is up: that output
    is thrown away as stdout is (the parent kept all of it: 1.3 GB after 3 s)."""
    (tmp_path / "answers.py").write_text(
        "import sys\n\n\ndef vector_from_list(x):\n    line = 'e' * 100000 + '\\n'\n"
        "    while True:\n        sys.stderr.write(line)\n")
    measure = ("import resource, subprocess, sys\n"
               "p = subprocess.run([sys.executable, '-m', 'autograder.cli', 'progress', "
               f"{str(tmp_path)!r}, '--timeout', '3'], capture_output=True, text=True)\n"
               "print(p.stdout)\nprint(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = run(sys.executable, "-c", measure, cwd=REPO, timeout=300)
    out, kib = proc.stdout.rsplit("\n", 2)[0], int(proc.stdout.split()[-1])
    assert "ch01.vector_from_list: vector_from_list([1.5, -2.0, 3.0]) took too long (more " \
           "than 3 s)" in out
    assert kib < 700_000, f"{kib // 1024} MiB"


def test_progress_names_the_files_it_cannot_read(tmp_path):
    """A notebook whose JSON is broken or a binary .py: the grader marks them unreadable;
    progress said only "No exercise function was found there"."""
    (tmp_path / "ch13_attention.ipynb").write_text('{"cells": [')
    (tmp_path / "answers.py").write_bytes(b"\x00\x01binary")
    out = progress(str(tmp_path))
    assert "Could not read (the grader cannot either):\n  answers.py: binary data, not " \
           "text\n  ch13_attention.ipynb: not a notebook: its JSON is broken" in out
    assert "No exercise function was found there" in out


def test_a_scratch_file_named_like_a_standard_module_does_not_stop_progress(tmp_path):
    """random.py or dataclasses.py in the student's folder (run from there or not): torch
    imported them instead of the standard library and progress "could not start"."""
    for name in ("random", "dataclasses", "inspect"):
        (tmp_path / f"{name}.py").write_text("scratch = 1\n")  # torch finds nothing in it
    (tmp_path / "helper.py").write_text("def mul(a, b):\n    return a * b\n")
    (tmp_path / "answers.py").write_text(
        "from helper import mul\n\n\ndef dot_product(a, b):\n    return mul(a, b).sum()\n")
    for cwd in (tmp_path, REPO):  # the `workbook` command, as a student runs it
        proc = run(BIN / "workbook", "progress", tmp_path, cwd=cwd, timeout=300)
        out = proc.stdout
        assert proc.returncode == 0, proc.stderr
        assert re.search(r"^ch06 Products, norms and similarity +✓···· ", out, re.M), out


def test_a_name_in_the_wrong_chapter_or_misspelt_is_pointed_at_the_exercise(capsys, tmp_path):
    code, _, err = hint(capsys, "ch06.causal_mask", "--dir", str(tmp_path))
    assert code == 2 and "no exercise 'ch06.causal_mask'" in err
    assert err.rstrip().endswith("did you mean ch13.causal_mask?")
    code, _, err = hint(capsys, "causal_msk", "--dir", str(tmp_path))
    assert code == 2 and err.rstrip().endswith("did you mean ch13.causal_mask?")
    code, _, err = hint(capsys, "zzz", "--dir", str(tmp_path))
    assert code == 2 and "did you mean" not in err
