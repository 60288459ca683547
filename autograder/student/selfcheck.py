"""Public self-checks for students: the one support file shipped beside the exercises.

This file is copied verbatim into ``exercises/`` and every ``release/chNN_*`` folder by
``workbook build``; its source of truth is ``autograder/student/selfcheck.py``. It holds no
hidden check: only the worked examples printed in each docstring, run against your code.

- ``load_answers(folder, topic)`` finds your functions: ``<topic>.py`` if it exists, otherwise
  the code cells of ``<topic>.ipynb`` (only definitions run: imports, ``def``, assignments).
- ``expect(...)`` / ``expect_raises(...)`` / ``expect_true(...)`` run one example and raise
  ``SelfCheckFailed`` with a message that says what was expected and what came back.
- ``run_notebook_check(...)`` is what a notebook's visible check cell calls: it prints one line.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import math
import sys
import types
from pathlib import Path

DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
               ast.ClassDef, ast.Assign, ast.AnnAssign)


class SelfCheckFailed(AssertionError):
    """One example gave the wrong answer; the message says how."""


def notebook_cells(path: str | Path, errors: list | None = None) -> list[str]:
    """The definitions in each of a notebook's code cells, as Python sources.

    Cells that nbgrader marks as tests are skipped; in the other cells, magics and shell
    lines are dropped and so is every top-level statement that is not a definition (a stray
    ``print(matmul(a, b))`` or a self-check call does not run when your answers are loaded),
    and so are imports of this support file. A cell that does not parse raises SyntaxError,
    or, given an ``errors`` list, is reported there and skipped (the other cells still count).
    """
    return [ast.unparse(tree) for tree in notebook_trees(path, errors)]


def notebook_trees(path: str | Path, errors: list | None = None) -> list[ast.Module]:
    """``notebook_cells`` as parsed modules, ready for ``compile`` (line numbers as in the
    cell)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    trees = []
    number = 0
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            continue
        number += 1
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        lines = ["" if ln.lstrip().startswith(("%", "!")) else ln for ln in src.splitlines()]
        try:
            tree = ast.parse("\n".join(lines))
        except SyntaxError as exc:
            if errors is None:
                raise SyntaxError(f"{Path(path).name}: a code cell does not parse: {exc}") \
                    from None
            where = meta.get("grade_id") or f"code cell {number}"
            errors.append(f"SyntaxError in the cell {where}: {plain_syntax_error(exc)}")
            continue
        kept = [node for node in tree.body if isinstance(node, DEFINITIONS)
                and not (isinstance(node, ast.ImportFrom) and node.module == "selfcheck")]
        if kept:
            trees.append(ast.Module(body=kept, type_ignores=[]))
    return trees


def notebook_source(path: str | Path, errors: list | None = None) -> str:
    """The definitions of every code cell as one source (see ``notebook_cells``)."""
    return "\n\n".join(notebook_cells(path, errors)) + "\n"


def plain_syntax_error(exc: SyntaxError) -> str:
    """A syntax error as a beginner reads it: the line, what is wrong, the line's text."""
    text = (exc.text or "").strip()
    return f"line {exc.lineno}: {exc.msg}" + (f": {text}" if text else "")


def _error_line(exc: BaseException, filename: str) -> str:
    """The line of ``filename`` where ``exc`` was raised, as "line N: " (or "")."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    return f"line {line}: " if line else ""


def _load_problem(exc: BaseException, path: Path) -> str:
    """Why ``path`` could not be loaded, in one sentence."""
    if isinstance(exc, SyntaxError):
        return f"{path.name} does not parse, {plain_syntax_error(exc)}"
    return (f"{path.name} stopped while loading, {_error_line(exc, str(path))}"
            f"{type(exc).__name__}: {exc}")


def load_answers(folder: str | Path, topic: str) -> types.ModuleType:
    """Your answers for ``topic`` ("ch06_products") as a module, from .py or .ipynb.

    A file that does not load (a syntax error, an error while it runs) still gives a module:
    its ``__load_errors__`` say where and why, and each exercise's check reports it, so the
    other chapters are still checked."""
    folder = Path(folder)
    py, nb = folder / f"{topic}.py", folder / f"{topic}.ipynb"
    name = f"_answers_{topic}"
    if py.exists():
        spec = importlib.util.spec_from_file_location(name, py)
        module = importlib.util.module_from_spec(spec)
        module.__load_errors__ = []
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # the student's file: reported by each check instead
            module.__load_errors__.append(_load_problem(exc, py))
        return module
    if nb.exists():
        module = types.ModuleType(name)
        module.__file__ = str(nb)
        errors: list[str] = []
        try:
            source = notebook_source(nb, errors)
            exec(compile(source, str(nb), "exec"), module.__dict__)
        except Exception as exc:
            errors.append(_load_problem(exc, nb))
        module.__load_errors__ = [e if e.startswith(nb.name) else f"{nb.name}: {e}"
                                  for e in errors]
        return module
    raise FileNotFoundError(f"neither {py.name} nor {nb.name} is in {folder}")


def answer(module: types.ModuleType, name: str):
    """Your function ``name``, or a stand-in that says why it is missing when called."""
    fn = getattr(module, name, None)
    if callable(fn):
        return fn
    problems = getattr(module, "__load_errors__", [])

    def missing(*args, **kwargs):
        if problems:
            raise SelfCheckFailed(f"{name} could not be loaded: {'; '.join(problems)}")
        raise NameError(f"{name} is not defined in your answers (is it spelled {name}?)")

    return missing


def _describe(x) -> str:
    import torch

    if isinstance(x, torch.Tensor):
        vals = x.detach().cpu()
        shown = str(vals.tolist()) if vals.numel() <= 12 else f"[{vals.numel()} values]"
        return f"tensor {shown} (shape {tuple(x.shape)}, {str(x.dtype).replace('torch.', '')})"
    return repr(x)


def compare(got, want) -> str | None:
    """None when ``got`` matches ``want``, else a sentence saying how it differs."""
    import torch

    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return f"expected a tensor, got {type(got).__name__}: {got!r}"
        if got.shape != want.shape:
            return f"expected shape {tuple(want.shape)}, got shape {tuple(got.shape)}"
        if got.dtype != want.dtype:
            return f"expected dtype {want.dtype}, got {got.dtype}"
        if want.dtype == torch.bool or not want.is_floating_point():
            same = torch.equal(got.cpu(), want.cpu())
        else:
            same = torch.allclose(got.detach().cpu(), want, rtol=1e-5, atol=1e-6, equal_nan=True)
        return None if same else f"expected {_describe(want)}, got {_describe(got)}"
    if isinstance(want, (tuple, list)) and not isinstance(want, torch.Size):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return f"expected {len(want)} results, got {got!r}"
        for i, (g, w) in enumerate(zip(got, want)):
            msg = compare(g, w)
            if msg:
                return f"result {i}: {msg}"
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return f"expected a dict with keys {sorted(want)}, got {got!r}"
        for k in want:
            msg = compare(got[k], want[k])
            if msg:
                return f"key {k!r}: {msg}"
        return None
    if isinstance(want, float) and isinstance(got, (int, float)):
        return None if math.isclose(got, want, rel_tol=1e-6, abs_tol=1e-9) else \
            f"expected {want!r}, got {got!r}"
    return None if got == want else f"expected {want!r}, got {_describe(got)}"


def expect(call: str, got_fn, want) -> None:
    try:
        got = got_fn()
    except SelfCheckFailed:  # a file that did not load: its own message
        raise
    except NotImplementedError:
        raise SelfCheckFailed(f"{call}: not implemented yet") from None
    except Exception as exc:  # the student's bug, reported as a failed check
        raise SelfCheckFailed(f"{call} raised {type(exc).__name__}: {exc}") from None
    msg = compare(got, want)
    if msg:
        raise SelfCheckFailed(f"{call}: {msg}")


def expect_raises(call: str, got_fn, exc_type: type) -> None:
    try:
        got = got_fn()
    except SelfCheckFailed:
        raise
    except exc_type:
        return
    except NotImplementedError:
        raise SelfCheckFailed(f"{call}: not implemented yet") from None
    except Exception as exc:
        raise SelfCheckFailed(f"{call} should raise {exc_type.__name__}, "
                              f"raised {type(exc).__name__}: {exc}") from None
    raise SelfCheckFailed(f"{call} should raise {exc_type.__name__}, returned {_describe(got)}")


def expect_true(call: str, got_fn, predicate, says: str) -> None:
    try:
        out = got_fn()
    except SelfCheckFailed:
        raise
    except NotImplementedError:
        raise SelfCheckFailed(f"{call}: not implemented yet") from None
    except Exception as exc:
        raise SelfCheckFailed(f"{call} raised {type(exc).__name__}: {exc}") from None
    try:
        ok = bool(predicate(out))
    except Exception:
        ok = False
    if not ok:
        raise SelfCheckFailed(f"{call}: expected {says}, got {_describe(out)}")


def run_notebook_check(name: str, checks) -> None:
    """Run one exercise's examples (callables) and print a single PASS/FAIL line (and return
    nothing, so the cell shows that line only)."""
    for check in checks:
        try:
            check()
        except SelfCheckFailed as exc:
            print(f"FAIL {name}: {exc}")
            return
    print(f"PASS {name}")


# -- pytest: one line per exercise ------------------------------------------------------------

_ACTIVE = False


def _runs_here(config) -> bool:
    """Is this pytest run about the self-checks in this folder (not merely naming it)?"""
    here = Path(__file__).resolve().parent
    start = Path(config.invocation_params.dir)
    paths = [(start / a.split("::")[0]).resolve() for a in config.args] or [start.resolve()]
    return all(p == here or here in p.parents for p in paths)


def pytest_configure(config):
    global _ACTIVE
    _ACTIVE = _runs_here(config)
    if not _ACTIVE:
        return
    config.option.tbstyle = "no"
    config.option.verbose = -1
    config.option.reportchars = ""  # the one-line summary below replaces pytest's


_CHAPTERS: dict[str, str] = {}  # test file -> its chapter's heading


def pytest_collection_modifyitems(items):
    for item in items:
        path = item.nodeid.split("::")[0]
        _CHAPTERS[path] = getattr(item.module, "CHAPTER", Path(path).stem.removeprefix("test_"))


def pytest_runtest_logreport(report):
    if not _ACTIVE:
        return
    if report.when != "call" and not (report.failed and report.when == "setup"):
        return
    name = report.nodeid.rsplit("::", 1)[-1].removeprefix("test_")
    if report.passed:
        line = f"PASS {name}"
    else:
        exc = getattr(report.longrepr, "reprcrash", None)
        msg = exc.message if exc is not None else str(report.longrepr)
        line = f"FAIL {name}: {msg.split('SelfCheckFailed: ', 1)[-1]}"
    path = report.nodeid.split("::")[0]
    _LINES.append((_CHAPTERS.get(path, Path(path).stem.removeprefix("test_")), line))


_LINES: list[tuple[str, str]] = []  # (chapter heading, line)


def pytest_terminal_summary(terminalreporter):
    if _LINES:
        terminalreporter.write_sep("=", "self-check: one line per exercise")
        chapter = None
        for heading, line in _LINES:
            if heading != chapter:
                chapter = heading
                terminalreporter.write_line(f"\n{heading}")
            terminalreporter.write_line(line)
