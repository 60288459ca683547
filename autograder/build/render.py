"""Rendering student files from a chapter's source: small steps, one per kind of file."""
from __future__ import annotations

import ast
import html
import json
import re
import textwrap

from autograder.build.sources import (ChapterSource, FunctionSource, add_to_docstring, stub,
                                      with_rules)
from autograder.hints import difficulty_line, hint_title
from solutions.registry import CHAPTER_TITLES, Example, Exercise

HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def _title(src: ChapterSource) -> str:
    chapter = src.topic[:4]
    return f"{chapter} - {CHAPTER_TITLES.get(chapter, src.topic)}"


def _intro(src: ChapterSource) -> str:
    rest = src.docstring.split("\n", 1)[1].strip() if "\n" in src.docstring else ""
    return rest


def stub_module(src: ChapterSource, exercises: dict[str, Exercise]) -> str:
    """exercises/chNN_topic.py: every signature and docstring, bodies raising."""
    parts = [f'"""{_title(src)}: fill in every function below.\n\n{_intro(src)}\n\n'
             f"Self-check with `pytest` in this folder (or `workbook check {src.topic[:4]}`).\n"
             f'"""\n' + "\n".join(src.imports)]
    for fn in src.functions:
        ex = exercises[f"{src.topic[:4]}.{fn.name}"]
        parts.append(stub(with_teaching_aids(with_rules(fn.text, ex.rules()), ex)))
    return "\n\n\n".join(parts) + "\n"


def with_teaching_aids(fn_text: str, ex: Exercise) -> str:
    """The stub's docstring ends with its difficulty and where its hints are (the hints
    themselves stay hidden until asked for: `workbook hint`)."""
    extra = [line for line in [difficulty_line(ex)] if line]
    if ex.hints:
        n = len(ex.hints)
        extra += textwrap.wrap(
            f"Stuck? `workbook hint {ex.id}` shows a hint ({n} in all, one at a time, each "
            "giving away a little more).", width=92)
    return add_to_docstring(fn_text, [""] + extra) if extra else fn_text


def _example_lines(ex: Example, indent: int) -> str:
    """Python source of one example check (continuation lines indented by ``indent``)."""
    call = ex.call
    sep = "\n" + " " * indent
    if ex.expect is not None:
        args = [repr(ex.call), f"lambda: {call}", ex.expect]
        fn = "expect"
    elif ex.raises is not None:
        args = [repr(ex.call), f"lambda: {call}", ex.raises]
        fn = "expect_raises"
    else:
        args = [repr(ex.call), f"lambda: {call}", f"lambda out: {ex.check}", repr(ex.says)]
        fn = "expect_true"
    return f"{fn}({sep}" + f",{sep}".join(args) + ")"


def _example_inputs(ex: Exercise) -> list[str]:
    """Source of ``call_args(...)`` for the arguments of each example's (first) call of the
    exercise's function: the inputs the property checks re-run in other forms."""
    out = []
    for example in ex.examples:
        if example.raises is not None:
            continue
        call = next((node for node in ast.walk(ast.parse(example.call, mode="eval"))
                     if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                     and node.func.id == ex.name), None)
        if call is None:
            continue
        src = "call_args(" + ", ".join([ast.unparse(a) for a in call.args]
                                       + [ast.unparse(k) for k in call.keywords]) + ")"
        if src not in out:
            out.append(src)
    return out


def property_lines(ex: Exercise, indent: int) -> str | None:
    """Python source of the exercise's property check (None when no example gives inputs)."""
    from solutions.public_checks import property_options

    inputs = _example_inputs(ex)
    if not inputs:
        return None
    sep = "\n" + " " * indent
    calls = "[" + f",{sep} ".join(f"lambda: {c}" for c in inputs) + "]"
    opts = [f"{k}={v!r}" for k, v in property_options(ex).items()]
    return f"expect_properties({sep}" + f",{sep}".join([repr(ex.name), ex.name, calls] + opts) \
        + ")"


def check_lines(ex: Exercise, indent: int) -> list[str]:
    """Every check of one exercise's self-check: its examples, then its properties."""
    lines = [_example_lines(e, indent) for e in ex.examples]
    props = property_lines(ex, indent)
    return lines + ([props] if props else [])


def check_steps(ex: Exercise, namespace: dict, *, properties: bool = True) -> list[tuple]:
    """The self-check of ``ex`` as its generated test runs it, step by step, against the
    functions in ``namespace``: ``(what the step runs, a function of no arguments running
    it)`` for each example, then the property check (left out unless ``properties``). For
    the callers that run the self-check in their own process (`workbook audit`, `workbook
    progress`): they run what the student's test file runs, not a copy of it."""
    import torch

    from autograder.student import selfcheck

    lines = check_lines(ex, 4)
    labels = [e.call for e in ex.examples] + [f"the property checks of {ex.name}"]
    scope = {"torch": torch, **{k: getattr(selfcheck, k) for k in (
        "call_args", "expect", "expect_properties", "expect_raises", "expect_true")},
        **namespace}
    steps = []
    for i, (label, line) in enumerate(zip(labels, lines)):
        if i == len(ex.examples) and not properties:
            break
        exec(compile(f"def _step():\n    {line}\n", f"<self-check of {ex.id}>", "exec"), scope)
        steps.append((label, scope.pop("_step")))
    return steps


def public_tests(src: ChapterSource, exercises: dict[str, Exercise]) -> str:
    """test_chNN_topic.py: the docstring examples as pytest tests, one test per exercise."""
    out = [f'"""Public self-checks for {_title(src)}: the worked examples of each docstring,\n'
           "then properties that need no expected value, on the examples' inputs and on random\n"
           "values of the same shapes: inputs left unchanged, the same result for a\n"
           "non-contiguous copy and in float64, and the exercise's rules (banned operators,\n"
           "vectorised, differentiable, causal, randomness from `generator`, stable at +-1000).\n\n"
           "Run `pytest` in this folder: one line per exercise, PASS or FAIL with the reason.\n"
           "Passing them predicts most of the grade, not all of it: the grader also checks\n"
           "values on inputs of its own.\n"
           '"""\n'
           "from pathlib import Path\n\nimport torch\n\n"
           "from selfcheck import (answer, call_args, expect, expect_properties, "
           "expect_raises, expect_true,\n                       load_answers)\n\n"
           f'CHAPTER = "{_title(src)}"  # heads its self-check lines\n'
           f'answers = load_answers(Path(__file__).parent, "{src.topic}")']
    for fn in src.functions:
        ex = exercises[f"{src.topic[:4]}.{fn.name}"]
        body = "\n".join("    " + line for line in check_lines(ex, 8)) or "    pass"
        out.append(f"def test_{fn.name}():\n    {fn.name} = answer(answers, "
                   f'"{fn.name}")\n{body}')
    return "\n\n\n".join(out) + "\n"


def _cell(kind: str, source: str, grade_id: str | None = None, *, solution=False,
          grade=False, locked=False, points: float | None = None) -> dict:
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    if grade_id:
        meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
                "solution": solution, "task": False}
        if points is not None:
            meta["points"] = points
        cell["metadata"]["nbgrader"] = meta
        if locked:
            cell["metadata"]["deletable"] = False
            cell["metadata"]["editable"] = False
    return cell


def book_reference(book: str) -> str:
    """``"P91, P94, seed"`` in words: "From the book: problems 91 and 94, and its README
    demos." ("seed": the demos of the book's README the catalog started from)."""
    parts = [p.strip() for p in book.split(",") if p.strip()]
    numbers = [p[1:] for p in parts if p.startswith("P")]
    said = []
    if numbers:
        listed = numbers[0] if len(numbers) == 1 else \
            f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        said.append(f"problem{'s' * (len(numbers) > 1)} {listed}")
    if "seed" in parts:
        said.append("its README demos")
    return f"From the book: {', and '.join(said)}." if said else ""


def _statement(ex: Exercise, doc: str) -> str:
    head = f"### {ex.order}. `{ex.name}` ({ex.points:g} point{'s' * (ex.points != 1)})"
    level = difficulty_line(ex)
    book = book_reference(ex.book)
    rules = "".join(f"\n- {r}" for r in ex.rules())
    return f"{head}\n\n" + (f"{level}\n\n" if level else "") + \
        (f"*{book}*\n\n" if book else "") + f"```\n{doc}\n```" + \
        (f"\n\n**Rules checked by the grader:**{rules}" if rules else "")


def _hint_markdown(hint: str, number: int) -> str:
    """A hint as markdown: the skeleton (the third) and any hint of several lines is code,
    kept as written (its ``___`` blanks would read as markdown emphasis otherwise)."""
    if (number == 3 or "\n" in hint.strip()) and "```" not in hint:
        return f"```python\n{hint.strip(chr(10))}\n```"
    # prose: its maths (C*k*k, v_hat, x[:, None]) escaped outside `code`, or markdown
    # would read C*k*k as C<em>k</em>k; the terminal's `workbook hint` shows it as written
    parts = hint.strip().split("`")
    return "`".join(re.sub(r"([\\*_<>\[\]])", r"\\\1", p) if i % 2 == 0 else p
                    for i, p in enumerate(parts))


def hints_cell_text(ex: Exercise) -> str:
    """The notebook's hints for ``ex``: each folded in a <details> block (closed until
    clicked, in Jupyter Notebook and JupyterLab alike), the idea first."""
    blocks = [f"<details><summary>{html.escape(hint_title(n))}</summary>\n\n"
              f"{_hint_markdown(h, n)}\n\n</details>" for n, h in enumerate(ex.hints, 1)]
    return ("**Stuck?** Open one hint at a time: each gives away a little more than the "
            "one before.\n\n" + "\n\n".join(blocks))


def notebook(src: ChapterSource, exercises: dict[str, Exercise], *, hidden: bool) -> str:
    """The chapter notebook with its solutions: with ``hidden`` the nbgrader source (the
    student version is nbgrader's generate_assignment of it), without, a complete sample
    submission."""
    chapter = src.topic[:4]
    cells = [
        _cell("markdown", f"# {_title(src)}\n\n{_intro(src)}\n\nFill in each function "
              "where it says `raise NotImplementedError()`, then run the cell under it: it "
              "prints PASS or FAIL with the reason: the worked examples, then properties that need "
              "no expected value (your inputs left unchanged, the same result for a "
              "non-contiguous copy and in float64, the rules listed with each exercise), also "
              "on random values. Passing it predicts most of the grade; the grader also checks "
              "values on other inputs (other sizes, layouts and dtypes).", "intro", locked=True),
        _cell("code", "\n".join(src.imports) + "\n\nfrom selfcheck import call_args, expect, "
              "expect_properties, expect_raises, expect_true, run_notebook_check", "setup",
              locked=True),
    ]
    for fn in src.functions:
        ex = exercises[f"{chapter}.{fn.name}"]
        answer = with_rules(fn.text, ex.rules())
        checks = "\n".join(f"    lambda: {line}," for line in check_lines(ex, 12))
        hidden_tests = (f"{HIDDEN_BEGIN}\nfrom autograder.notebook import grade_answer\n"
                        f'grade_answer("{ex.id}", globals())  # its value: the score\n'
                        f"{HIDDEN_END}")
        cells += [
            _cell("markdown", _statement(ex, fn.docstring), f"{fn.name}_statement",
                  locked=True),
            *([_cell("markdown", hints_cell_text(ex), f"{fn.name}_hints", locked=True)]
              if ex.hints else []),
            _cell("code", answer, fn.name, solution=True),
            _cell("code", f'run_notebook_check("{fn.name}", [\n{checks}\n])',
                  f"{fn.name}_selfcheck", locked=True),
            _cell("code", f"# Hidden tests for {fn.name} run here when the notebook is graded."
                  + ("\n" + hidden_tests if hidden else ""), f"test_{fn.name}", grade=True,
                  locked=True, points=ex.points),
        ]
    nb = {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"{chapter}-{i:03d}"
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"



def signature(fn: FunctionSource) -> str:
    """``name(args) -> result`` as the solution writes it."""
    node = ast.parse(stub(fn.text)).body[0]
    result = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    return f"{node.name}({ast.unparse(node.args)}){result}"


MARK_WORDS = {
    "ban(x, y)": "the answer must not use these operators, under any alias",
    "vec": "must be vectorised: no Python loop over elements, rows or time",
    "causal": "position t may only depend on positions <= t",
    "grad": "must be differentiable with autograd",
    "rand": "draws randomness only from its `generator` argument",
}


def catalog(chapters: list[ChapterSource], exercises: dict[str, Exercise]) -> str:
    """exercises/CATALOG.md: every exercise of every chapter, one line each, from the
    registry and the solutions' signatures and docstrings."""
    total = sum(ex.points for ex in exercises.values())
    rated = " The line under an entry gives its difficulty (★☆☆ to ★★★) and about how many " \
        "minutes it takes." if any(difficulty_line(ex) for ex in exercises.values()) else ""
    out = ["<!-- generated by `workbook build` from solutions/: edit the solutions, not this "
           "file -->", "# The exercises", "",
           f"{len(exercises)} exercises in {len(chapters)} chapters, {total:g} points. Each "
           "line: the function's signature, what it computes, its points, the rules the "
           "grader checks (marks) and the book's problems it comes from ([P91]: problem 91; "
           "[seed]: the demos of the book's README)." + rated, "",
           "Marks:", ""]
    out += [f"- **{mark}**: {words}" for mark, words in MARK_WORDS.items()]
    for src in chapters:
        chapter = src.topic[:4]
        out += ["", f"## {_title(src)}", "",
                f"File `{src.topic}.py` (notebook `{src.topic}.ipynb`).", ""]
        for fn in src.functions:
            ex = exercises[f"{chapter}.{fn.name}"]
            summary = fn.docstring.split("\n\n", 1)[0].replace("\n", " ").strip()
            marks = "".join(f" {m}" for m in ex.marks)
            book = f" [{ex.book}]" if ex.book else ""
            points = f"({ex.points:g} point{'s' * (ex.points != 1)})"
            out.append(f"{ex.order}. `{signature(fn)}` - {summary} {points}{marks}{book}")
            if difficulty_line(ex):  # its own line, so the entry's line format stays as is
                out.append(f"    {difficulty_line(ex)}.")
    return "\n".join(out) + "\n"
