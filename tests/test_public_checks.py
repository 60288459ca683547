"""Issue 13: the student's self-check predicts the grade without giving answers away.

Beside the docstring examples, every self-check (exercises/test_chNN_*.py, the notebooks'
check cells) runs property checks that need no expected value (selfcheck.expect_properties,
declared in solutions/public_checks.py). Here: nothing of the graders reaches the student
files, the reference solutions pass every public check, and known mistakes that pass the
examples are flagged by the properties, with a message that says which property.
"""
import ast
import json
import re
import warnings

import pytest

from autograder import audit
from solutions.registry import load_all, select
from tests.conftest import REPO, run
from tests.mutants import load_mutants

STUDENT_FOLDERS = ["exercises",
                   *[f"release/{p.name}" for p in sorted((REPO / "release").iterdir())]]


def _student_sources(folder: str):
    """(path, python source) of every .py file and notebook code cell in ``folder``."""
    for path in sorted((REPO / folder).rglob("*")):
        if path.suffix == ".py":
            yield path, path.read_text(encoding="utf-8")
        elif path.suffix == ".ipynb":
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                if cell["cell_type"] == "code":
                    yield path, "".join(cell["source"])


def _grader_lines() -> set[str]:
    """Every distinctive line of the hidden graders (their oracles, cases and mistakes)."""
    lines = set()
    for path in (REPO / "autograder" / "graders").rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) >= 40 and not line.startswith(("#", '"""', "import ", "from ")):
                lines.add(line)
    return lines


GRADER_NAMES = {"mistakes", "oracle", "oracle64", "grade_exercise", "grade_answer", "Grading",
                "expect_hinted", "large_scores", "banned_in_graph"}


def scan(folder) -> tuple[list[str], int]:
    """What in ``folder`` gives the graders away, and how many tensor literals of generated
    self-checks were checked: imports of the graders, a line of their text, the names of their
    oracles and named mistakes, and tensor literals beyond the docstring examples."""
    grader_lines = _grader_lines()
    examples = {}  # topic -> the example sources of its exercises
    for ex in load_all().values():
        examples.setdefault(ex.topic, []).extend(
            s for e in ex.examples for s in (e.call, e.expect, e.check) if s)
    problems, checked = [], 0
    for path, src in _student_sources(folder):
        if "BEGIN HIDDEN TESTS" in src:  # the nbgrader source, never released
            problems.append(f"{path} holds hidden tests")
        tree = ast.parse("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                                   for ln in src.splitlines()))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) \
                    else [node.module or ""]
                if any(n.split(".")[0] in ("autograder", "solutions", "tests") for n in names):
                    problems.append(f"{path} imports {names}")
            name = node.id if isinstance(node, ast.Name) else \
                node.attr if isinstance(node, ast.Attribute) else \
                node.arg if isinstance(node, (ast.arg, ast.keyword)) else None
            if name in GRADER_NAMES:
                problems.append(f"{path} names the grader's {name!r}")
        problems += [f"{path} copies a grader line: {line.strip()}"
                     for line in src.splitlines() if line.strip() in grader_lines]
        topic = next((t for t in examples if t in path.name), None)
        if topic is None or path.suffix == ".py" and path.name.startswith("ch"):
            continue  # a stub: its docstrings only (a notebook's check cells are read)
        trees = [ast.parse(s, mode="eval") for s in examples[topic]]
        allowed = " ".join(ast.unparse(t) for t in trees)
        literals = [ast.unparse(n) for n in ast.walk(tree) if isinstance(n, ast.Call)
                    and ast.unparse(n.func) == "torch.tensor"]
        problems += [f"{path}: {lit} is not a docstring example's value"
                     for lit in literals if lit not in allowed]
        # an expected value of any kind (a number, a tuple) is one of the examples' own
        wants = {ast.unparse(ast.parse(e.expect, mode="eval")) for ex in load_all().values()
                 if ex.topic == topic for e in ex.examples if e.expect}
        expects = [ast.unparse(n.args[2]) for n in ast.walk(tree) if isinstance(n, ast.Call)
                   and ast.unparse(n.func).rsplit(".", 1)[-1] == "expect" and len(n.args) > 2]
        problems += [f"{path}: expect(..., {w}) is not a docstring example's value"
                     for w in expects if w not in wants]
        # and so is every float written anywhere in the self-check (a hidden input or value)
        floats = {n.value for t in trees for n in ast.walk(t)
                  if isinstance(n, ast.Constant) and isinstance(n.value, float)}
        defaults = {id(c) for a in ast.walk(tree) if isinstance(a, ast.arguments)
                    for c in ast.walk(a)}  # a stub's signature (eps=1e-5) is not a value
        problems += [f"{path}: the number {n.value!r} is not in a docstring example"
                     for n in ast.walk(tree) if isinstance(n, ast.Constant)
                     and isinstance(n.value, float) and n.value not in floats
                     and id(n) not in defaults]
        checked += len(literals) + len(expects)
    return problems, checked


@pytest.mark.parametrize("folder", STUDENT_FOLDERS)
def test_release_scan_no_grader_oracle_or_hidden_value(folder):
    """(a) no student file imports the graders, holds a line of their text or names their
    oracles and named mistakes, and the only tensor literals of the generated self-checks are
    the docstring examples' own."""
    problems, checked = scan(REPO / folder)
    assert not problems, "\n".join(problems)
    assert checked > (100 if folder == "exercises" else 5)  # it did read the self-checks


def test_scan_catches_a_leaked_oracle(tmp_path):
    """The scan's rules fire on a self-check that leaks a hidden value, a grader's line or
    the name of its oracle."""
    import shutil

    shutil.copy(REPO / "exercises" / "test_ch05_broadcasting.py", tmp_path)
    leak = tmp_path / "test_ch05_broadcasting.py"
    line = sorted(_grader_lines())[0]
    leak.write_text(leak.read_text() + "\n\ndef test_more():\n"
                    "    want = torch.tensor([[9., 9.], [9., 9.]])\n"
                    "    mistakes = {}\n")
    (tmp_path / "notes.py").write_text(f'"""\n{line}\n"""\n')  # a line of a grader
    problems, _ = scan(tmp_path)
    said = "\n".join(problems)
    assert "torch.tensor([[9.0, 9.0], [9.0, 9.0]]) is not a docstring example" in said
    assert "names the grader's 'mistakes'" in said
    assert "copies a grader line" in said


def test_scan_reads_notebook_check_cells_and_scalar_values(tmp_path):
    """A hidden value planted in a release notebook's check cell, or a number (not a tensor)
    given as an expected value, is caught as well."""
    import shutil

    folder = tmp_path / "ch14_gpt"
    shutil.copytree(REPO / "release" / "ch14_gpt", folder)
    nb_path = folder / "ch14_gpt.ipynb"
    nb = json.loads(nb_path.read_text())
    cell = next(c for c in nb["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "lm_loss_selfcheck")
    cell["source"] = "".join(cell["source"]) + (
        "\nexpect('lm_loss', lambda: lm_loss(torch.zeros(2, 3, 5), "
        "torch.zeros(2, 3, dtype=torch.long)), torch.tensor(1.6094379))\n")
    nb_path.write_text(json.dumps(nb))
    test = folder / "test_ch14_gpt.py"
    test.write_text(test.read_text() + "\n\ndef test_more():\n"
                    "    expect('count_gpt_parameters(50, 8, 16, 2)', "
                    "lambda: count_gpt_parameters(50, 8, 16, 2), 7777)\n")
    said = "\n".join(scan(folder)[0])
    assert "ch14_gpt.ipynb: torch.tensor(1.6094379) is not a docstring example's value" in said
    assert "the number 1.6094379 is not in a docstring example" in said
    assert "test_ch14_gpt.py: expect(..., 7777) is not a docstring example's value" in said


def test_every_reference_solution_passes_every_public_check():
    """(b) zero false alarms: the reference solutions pass examples and properties alike."""
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ex in select(None):
            verdict = audit.selfcheck_verdict(ex, audit._public_names(ex))
            if verdict:
                failures.append(f"{ex.id}: {verdict}")
    assert not failures, "\n".join(failures)


# (exercise, label of a wrong mutant that passes the examples, words of the property)
PROPERTY_CATCHES = [
    ("ch05.scale_columns", "scales in place", "modified its input"),
    ("ch05.hadamard", "casts to float32", "float64"),
    ("ch05.pairwise_differences", "one row at a time", "not vectorised"),
    ("ch05.outer_product", "NumPy's outer", "out of torch"),
    ("ch09.softmax", "calls the banned torch.softmax", "bans"),
    ("ch14.gpt_block", "no causal mask", "not causal"),
    ("ch13.attention_with_kv_cache", "exp() of the scores without the max shift",
     "not stable"),
    ("ch13.apply_causal_mask", "T from shape[0]: only right for a 2-D input",
     "on a batch of items"),
    ("ch08.shuffle", "a fresh generator with a fixed seed", "never drew from the `generator`"),
    ("ch11.autograd_gradient", "turns on requires_grad on the caller's x",
     "changed requires_grad"),
]


@pytest.mark.parametrize("exercise, label, words", PROPERTY_CATCHES)
def test_properties_flag_mistakes_the_examples_miss(exercise, label, words, monkeypatch):
    """(c) the property checks, not the examples, flag these known mistakes."""
    ex = load_all()[exercise]
    mutant = next(m for m in load_mutants() if m.exercise_id == exercise and m.label == label)
    names = audit._public_names(ex) | {f.__name__: f for f in mutant.helpers} | \
        {ex.name: mutant.fn}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        monkeypatch.setattr(audit, "PROPERTIES", False)
        assert audit.selfcheck_verdict(ex, names) is None  # the examples pass it
        monkeypatch.setattr(audit, "PROPERTIES", True)
        verdict = audit.selfcheck_verdict(ex, names)
    assert verdict is not None and words in verdict, verdict


# (exercise, label of a correct mutant a stricter property once flagged)
NO_ALARMS = [
    ("ch10.conv2d_unfold", "w.view(O, -1): the weights as given, evenly strided "
     "(a column-major w is not asked)"),
    ("ch14.sample_next_token", "top_k == 1 is certain: the argmax, with no draw"),
]


@pytest.mark.parametrize("exercise, label", NO_ALARMS)
def test_properties_do_not_flag_these_correct_answers(exercise, label):
    """No false alarm: the grader accepts these routes, so the self-check must pass them."""
    ex = load_all()[exercise]
    mutant = next(m for m in load_mutants() if m.exercise_id == exercise and m.label == label)
    assert mutant.is_correct
    names = audit._public_names(ex) | {f.__name__: f for f in mutant.helpers} | \
        {ex.name: mutant.fn}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert audit.selfcheck_verdict(ex, names) is None


def test_generated_self_check_runs_the_properties():
    """The student's test file and notebook check cell call expect_properties with the
    exercise's marks, on the example's inputs."""
    text = (REPO / "exercises" / "test_ch13_attention.py").read_text()
    block = text.split("def test_causal_self_attention():", 1)[1].split("\ndef ", 1)[0]
    assert "expect_properties(" in block and "causal=True" in block and "vec=True" in block
    nb = json.loads((REPO / "release" / "ch09_activations" / "ch09_activations.ipynb")
                    .read_text())
    cell = next("".join(c["source"]) for c in nb["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "softmax_selfcheck")
    assert "expect_properties(" in cell and "stable=True" in cell and "'softmax'" in cell


def test_student_sees_which_property_failed(tmp_path, python):
    """A release folder whose answer modifies its input: the one-line FAIL says so."""
    import shutil

    folder = tmp_path / "ch05"
    shutil.copytree(REPO / "exercises", folder)
    stub = folder / "ch05_broadcasting.py"
    solution = (REPO / "solutions" / "ch05_broadcasting.py").read_text()
    solution = solution.replace("from solutions.registry import Example, exercise", "")
    solution = re.sub(r"^@exercise\(.*?\n(?=def )", "", solution, flags=re.S | re.M)
    solution = solution.replace("return m + v  #", "m += v\n    return m  #", 1)
    stub.write_text(solution)
    proc = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "test_ch05_broadcasting.py", cwd=folder)
    assert "FAIL add_row_vector: add_row_vector: modified its input" in proc.stdout, \
        proc.stdout + proc.stderr
    assert "PASS add_column_vector" in proc.stdout


def test_audit_prints_the_self_check_share_per_chapter(workbook):
    proc = run(workbook, "audit", "ch05.add_row_vector", "ch13.causal_mask")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert re.search(r"ch05 +self-check flags \d+ of 4 rejected \(\d+%\)", proc.stdout), \
        proc.stdout
    assert re.search(r"ch13 +self-check flags \d+ of \d+ rejected", proc.stdout)
    assert re.search(r"overall +self-check flags \d+ of \d+ rejected \(\d+%\)", proc.stdout)


def test_audit_fails_when_the_self_check_flags_a_correct_answer(monkeypatch, capsys):
    monkeypatch.setattr(audit, "selfcheck_verdict", lambda ex, names: "a false alarm")
    assert audit.main(["ch06.trace"]) == 1
    out = capsys.readouterr().out
    assert "wrongly flags" in out and "the public self-check flags correct" in out
