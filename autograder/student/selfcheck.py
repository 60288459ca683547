"""Public self-checks for students: the one support file shipped beside the exercises.

This file is copied verbatim into ``exercises/`` and every ``release/chNN_*`` folder by
``workbook build``; its source of truth is ``autograder/student/selfcheck.py``. It holds no
hidden check: the worked examples printed in each docstring, run against your code, then
properties that need no expected value (``expect_properties``, below) on the same inputs.

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
    if isinstance(want, (int, float)) and not isinstance(want, bool) \
            and isinstance(got, torch.Tensor):
        return (f"expected a Python {type(want).__name__} {want!r}, got {_describe(got)} "
                f"(.item() or {type(want).__name__}(...) gives the number)")
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


# -- properties: checks that need no expected value -------------------------------------------
#
# Beside the worked examples, each exercise's self-check re-runs the examples' own inputs in
# ways whose answer follows from the example alone: every input must be left as it was, a
# non-contiguous copy (a transposed or sliced tensor) and float64 inputs must give the same
# values (float64 in, float64 out), a batch of items each item's own result, and the rules
# of the exercise (banned operators, vectorised, differentiable, causal, randomness from
# `generator` only, stable at large magnitudes) are checked on those inputs; then again on
# the same shapes filled with random values. No answer beyond the docstring's examples is
# needed or shown. The random values come from a fixed seed, so a self-check gives the same
# verdict every run (and the grader's inputs are not these).

def call_args(*args, **kwargs):
    """The arguments of one example call, as ``(args, kwargs)``."""
    return args, kwargs


def _map(x, fn):
    """``fn`` applied to every tensor in ``x`` (tuples, lists and dict values followed)."""
    import torch

    if isinstance(x, torch.Tensor):
        return fn(x)
    if isinstance(x, tuple):
        return tuple(_map(v, fn) for v in x)
    if isinstance(x, list):
        return [_map(v, fn) for v in x]
    if isinstance(x, dict):
        return {k: _map(v, fn) for k, v in x.items()}
    return x


def _tensors(x) -> list:
    found = []
    _map(x, lambda t: found.append(t) or t)
    return found


def _clone(x):
    """A copy of every tensor in ``x`` (a leaf that requires grad still does)."""
    return _map(x, lambda t: t.detach().clone().requires_grad_(t.requires_grad)
                if t.is_floating_point() or t.is_complex() else t.detach().clone())


def _generators(x) -> list:
    import torch

    if isinstance(x, torch.Generator):
        return [x]
    if isinstance(x, (tuple, list)):
        return [g for v in x for g in _generators(v)]
    if isinstance(x, dict):
        return [g for v in x.values() for g in _generators(v)]
    return []


def _changed(kept, after) -> str | None:
    """How the call changed its inputs (``kept``: copies made before it), if it did."""
    import torch

    for i, (b, a) in enumerate(zip(_tensors(kept), _tensors(after))):
        if b.requires_grad != a.requires_grad:
            return (f"changed requires_grad of its input (tensor argument {i + 1}): work on "
                    "a copy (x.detach().requires_grad_())")
        if b.shape != a.shape or b.dtype != a.dtype or not torch.equal(b, a.detach()):
            return (f"modified its input (tensor argument {i + 1}): work on a copy or use "
                    "out-of-place operations")
    return None


def _fresh_generators(x):
    """``x`` with every torch.Generator replaced by a new one in the same state."""
    import torch

    if isinstance(x, torch.Generator):
        g = torch.Generator()
        g.set_state(x.get_state())
        return g
    if isinstance(x, (tuple, list)):
        return type(x)(_fresh_generators(v) for v in x)
    if isinstance(x, dict):
        return {k: _fresh_generators(v) for k, v in x.items()}
    return x


def _has_generator(x) -> bool:
    import torch

    if isinstance(x, torch.Generator):
        return True
    if isinstance(x, (tuple, list)):
        return any(_has_generator(v) for v in x)
    if isinstance(x, dict):
        return any(_has_generator(v) for v in x.values())
    return False


def _strided(t):
    """The same values as ``t`` in a non-contiguous tensor (column-major for a matrix)."""
    import torch

    if t.dim() == 0 or t.numel() < 2:
        return t.clone()
    if t.dim() >= 2:
        return t.transpose(-1, -2).contiguous().transpose(-1, -2)
    wide = torch.zeros(t.shape[0], 2, dtype=t.dtype)
    wide[:, 0] = t
    return wide[:, 0]


def _spaced(t):
    """The same values as ``t`` in a non-contiguous tensor whose every stride is doubled
    (every axis still evenly spaced, so ``.view`` may merge axes as on a contiguous one)."""
    if t.dim() == 0 or t.numel() < 2:
        return t.clone()
    wide = t.new_empty(*t.shape, 2)[..., 0]
    wide.copy_(t)
    return wide


def _to64(t):
    import torch

    return t.to(torch.float64) if t.dtype == torch.float32 else t.clone()


def _bigger(t, k: int):
    """``t`` with every axis repeated ``k`` times (the same kind of input, larger)."""
    return t.repeat(*([k] * t.dim())) if t.dim() else t.clone()


_LEAVES_TORCH = {"numpy", "tolist", "__array__", "__array_wrap__", "__dlpack__",
                 "untyped_storage", "data_ptr"}


class _Counter:
    """Counts the operators a call runs and names the torch functions it calls."""

    def __init__(self):
        self.ops, self.names, self._modes = 0, set(), []
        try:
            from torch.overrides import TorchFunctionMode
            from torch.utils._python_dispatch import TorchDispatchMode
        except ImportError:  # a torch without the modes: the ban and vec checks see nothing
            return
        counter = self

        class Functions(TorchFunctionMode):
            def __torch_function__(self, func, types, args=(), kwargs=None):
                name = getattr(func, "__name__", None) or str(func)
                counter.names.add(name)
                if name.startswith("__") and name.endswith("__"):  # a @ b is matmul
                    name = name[2:-2]
                    counter.names.add(name[1:] if name[:1] in "ri" else name)
                    counter.names.add(name)
                return func(*args, **(kwargs or {}))

        class Dispatch(TorchDispatchMode):
            @classmethod
            def _should_skip_dynamo(cls):
                return False

            def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                counter.ops += 1
                counter.names.add(func.overloadpacket.__name__)
                return func(*args, **(kwargs or {}))

        self._modes = [Functions(), Dispatch()]

    def __enter__(self):
        for m in self._modes:
            m.__enter__()
        return self

    def __exit__(self, *exc):
        for m in reversed(self._modes):
            m.__exit__(*exc)
        return False


def _same(got, want, rtol=1e-5, atol=1e-6) -> str | None:
    """None when ``got`` has ``want``'s structure and values (dtype aside)."""
    import torch

    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor) or got.shape != want.shape:
            return f"shape {tuple(getattr(got, 'shape', ()))} instead of {tuple(want.shape)}"
        g, w = got.detach().cpu(), want.detach().cpu()
        if w.is_floating_point() or w.is_complex():
            ok = torch.allclose(g.to(w.dtype), w, rtol=rtol, atol=atol, equal_nan=True)
        else:
            ok = torch.equal(g, w)
        return None if ok else "different values"
    if isinstance(want, (tuple, list)) and not isinstance(want, torch.Size):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            return "a different number of results"
        for g, w in zip(got, want):
            msg = _same(g, w, rtol, atol)
            if msg:
                return msg
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            return "different keys"
        return next((m for k in want if (m := _same(got[k], want[k], rtol, atol))), None)
    if isinstance(want, float) and isinstance(got, (int, float)):
        return None if math.isclose(got, want, rel_tol=rtol, abs_tol=atol) else \
            "different values"
    try:
        return None if got == want else "different values"
    except Exception:
        return None


def _pairs(got, want):
    """(got, want) tensor pairs at the same place of two results of the same structure."""
    import torch

    if isinstance(want, torch.Tensor) and isinstance(got, torch.Tensor):
        return [(got, want)]
    if isinstance(want, (tuple, list)) and isinstance(got, (tuple, list)):
        return [p for g, w in zip(got, want) for p in _pairs(g, w)]
    if isinstance(want, dict) and isinstance(got, dict):
        return [p for k in want if k in got for p in _pairs(got[k], want[k])]
    return []


def _batch_mixup(fn, args, kwargs, base, how: str, positions) -> str | None:
    """The result for a batch of three items (the example's and two of random values) must
    be the three results for each item alone, batched the same way (``how``: "cat" along
    the batch axis B, "stack" on a new leading axis); None when it is."""
    import torch

    if any(i >= len(args) or not isinstance(args[i], torch.Tensor) for i in positions):
        return None
    items = [list(_clone(args))]
    for seed in (21, 22):
        item = list(_clone(args))
        for i in positions:
            item[i] = _random_values(args[i], seed + i)
        items.append(item)
    join = torch.cat if how == "cat" else torch.stack
    batched = list(_clone(args))
    for i in positions:
        batched[i] = join([item[i] for item in items])
    try:
        alone = [base] + [fn(*item, **_clone(kwargs)) for item in items[1:]]
    except Exception:
        return None
    try:
        got = fn(*batched, **_clone(kwargs))
    except Exception as exc:
        return (f"raised {type(exc).__name__} on a batch of items, though each item alone "
                f"works ({exc}): leading batch axes must be allowed")
    pairs = _pairs(got, base)
    for n, (g, _) in enumerate(pairs):
        parts = [_pairs(out, base)[n][0] for out in alone]
        if any(p.shape != parts[0].shape for p in parts):
            return None
        want = join([p.detach() for p in parts])
        if g.shape != want.shape or not torch.allclose(
                g.detach().to(want.dtype), want, rtol=1e-4, atol=1e-5, equal_nan=True):
            return ("gave a different result for an item of a batch than for that item "
                    "alone (an axis of the batch mixed up with another axis?)")
    return None


def _future_leak(fn, args, kwargs, base) -> str | None:
    """Change the inputs at the last position t = T-1 only; every earlier position of the
    result must stay as it was (None), else a sentence saying which changed."""
    import torch

    args, kwargs = _clone((args, kwargs))
    first = next((t for t in _tensors(args) if t.dim() >= 2), None)
    if first is None:
        return None
    tokens = not first.is_floating_point()
    axis = first.dim() - 1 if tokens else first.dim() - 2
    T = first.shape[axis]
    if T < 2:
        return None

    def change(t):
        if t is not first and (tokens or t.shape != first.shape or not t.is_floating_point()):
            return t
        t = t.detach().clone()
        last = t.select(axis, T - 1)
        if tokens:
            other = [v for v in t.unique().tolist() if v != last.flatten()[0].item()]
            if not other:
                return t
            last.fill_(other[0])
        else:
            # not a constant: a layer norm does not see a constant added to a position
            g = torch.Generator().manual_seed(5)
            last.add_(torch.rand(last.shape, generator=g, dtype=torch.float64).to(t.dtype) + 1)
            if t.dim() == 2 and t.shape[0] == t.shape[1]:  # a (T, T) table of scores
                t[:, T - 1] += torch.rand(T, generator=g, dtype=torch.float64).to(t.dtype) + 1
        return t

    a, k = _map((args, kwargs), change)
    try:
        got = fn(*a, **k)
    except Exception:
        return None
    for g, w in _pairs(got, base):
        if w.dim() >= 2 and w.shape[-2] == T and g.shape == w.shape:
            before = w.detach()[..., :T - 1, :]
            after = g.detach()[..., :T - 1, :]
            if not torch.allclose(after.to(before.dtype), before, rtol=1e-5, atol=1e-6,
                                  equal_nan=True):
                return ("is not causal: changing only the last position changed the result "
                        "at earlier positions (a future position leaks into the past)")
    return None


_NEVER_DREW = "never drew from the `generator` argument"


def _property_failures(fn, args, kwargs, skip, ban, vec, grad, rand, stable, causal=False,
                       tolerance=1e-3, batch=None):
    """The properties this one call breaks, as sentences (the first found of each kind)."""
    import torch

    kept = _clone((args, kwargs))
    if _has_generator((args, kwargs)):
        state = torch.get_rng_state()
        a, k = _fresh_generators(_clone((args, kwargs)))
        generators = _generators((a, k))
        before = [g.get_state() for g in generators]
        base = fn(*a, **k)
        if "unchanged" not in skip:
            msg = _changed(kept, (a, k))
            if msg:
                yield msg
        if rand and not torch.equal(state, torch.get_rng_state()):
            yield ("drew from torch's global random generator: draw only from the "
                   "`generator` argument")
        if rand and all(torch.equal(b, g.get_state()) for b, g in zip(before, generators)):
            yield (_NEVER_DREW + " (its state did not move): draw "
                   "every random number from it")
        if rand:
            a, k = _fresh_generators(_clone((args, kwargs)))
            again = fn(*a, **k)
            if _same(again, base, 0, 0):
                yield "gave a different result for the same generator state"
        return
    a, k = _clone((args, kwargs))
    counter = _Counter()
    with counter:
        base = fn(*a, **k)
    if "unchanged" not in skip:
        msg = _changed(kept, (a, k))
        if msg:
            yield msg
    if ban:
        from fnmatch import fnmatchcase

        hit = sorted({b for b in ban for n in counter.names if fnmatchcase(n, b)})
        if hit:
            yield f"uses {', '.join(hit)}, which this exercise bans"
    if (ban or vec) and counter.names & _LEAVES_TORCH:
        yield ("takes the values out of torch (.tolist(), .numpy(), NumPy): compute with "
               "torch operations")
    floats = [t for t in _tensors((args, kwargs)) if t.is_floating_point()]
    if "layout" not in skip and any(t.dim() >= 1 and t.numel() >= 2 for t in _tensors(
            (args, kwargs))):
        a, k = _map(_clone((args, kwargs)), _strided)
        try:
            got = fn(*a, **k)
            msg = _same(got, base)
        except Exception:
            # column-major weights are more than a grader asks for: ``w.view(O, -1)`` of a
            # kernel is fine for every evenly strided tensor, so the call is judged on those
            a, k = _map(_clone((args, kwargs)), _spaced)
            try:
                got = fn(*a, **k)
                msg = _same(got, base)
            except Exception as exc:
                msg = f"an error ({type(exc).__name__}: {exc})"
        if msg:
            yield (f"gave {msg} for a non-contiguous copy of the same input (a transposed or "
                   "sliced tensor): use .reshape rather than .view, and no assumption on "
                   "memory layout")
    if "float64" not in skip and any(t.dtype == torch.float32 for t in floats):
        a, k = _map(_clone((args, kwargs)), _to64)
        try:
            got = fn(*a, **k)
        except Exception as exc:
            yield f"raised {type(exc).__name__} on float64 inputs: {exc}"
            got = None
        if got is not None:
            for g, w in _pairs(got, base):
                if w.dtype == torch.float32 and g.dtype != torch.float64:
                    yield (f"returned {str(g.dtype).replace('torch.', '')} for float64 inputs: "
                           "the result should keep the inputs' dtype")
                    break
            else:  # only the tensors: a dtype or a count in the result may differ
                msg = next((m for g, w in _pairs(got, base)
                            if (m := _same(g, w, rtol=tolerance, atol=tolerance / 10))), None)
                if msg:
                    yield f"gave {msg} for the same inputs in float64"
    if grad and floats:
        a, k = _map(_clone((args, kwargs)),
                    lambda t: _to64(t).requires_grad_() if t.is_floating_point() else t)
        try:
            outs = [t for t in _tensors(fn(*a, **k)) if t.is_floating_point()]
            if outs and not any(t.requires_grad for t in outs):
                yield ("is not differentiable: the result does not depend on the inputs "
                       "through autograd (no .detach(), .item(), .tolist() or NumPy)")
            elif outs:
                sum(t.sum() for t in outs if t.requires_grad).backward()
        except Exception as exc:
            yield f"is not differentiable: backward raised {type(exc).__name__}: {exc}"
    if stable and floats:
        a, k = _map(_clone((args, kwargs)),
                    lambda t: t * 1000 if t.is_floating_point() else t)
        try:
            got = fn(*a, **k)
            if any((~torch.isfinite(g) & torch.isfinite(w)).any() for g, w in _pairs(got, base)
                   if g.is_floating_point() and g.shape == w.shape):
                yield ("is not stable: inputs of size 1000 gave inf or nan (subtract the "
                       "maximum before exp)")
        except Exception as exc:
            yield f"raised {type(exc).__name__} on inputs scaled by 1000: {exc}"
    if batch:
        msg = _batch_mixup(fn, args, kwargs, base, *batch)
        if msg:
            yield msg
    if causal:
        msg = _future_leak(fn, args, kwargs, base)
        if msg:
            yield msg
    if vec and "vec" not in skip:
        counts = []
        for size in (2, 3):
            a, k = _map(_clone((args, kwargs)), lambda t: _bigger(t, size))
            c = _Counter()
            try:
                with c:
                    fn(*a, **k)
            except Exception:
                counts = []
                break
            counts.append(c.ops)
        if counts and counts[1] > counts[0] + 2 and counts[1] > counter.ops + 4:
            yield (f"is not vectorised: it ran {counter.ops}, {counts[0]} and {counts[1]} "
                   "torch operations on inputs of growing size (a Python loop over "
                   "elements or rows?)")


def _random_values(x, seed: int = 13):
    """``x`` with every float tensor's values replaced by random normal ones (same shape,
    dtype and layout; a fixed seed, so that the self-check's verdict is the same each run)."""
    import torch

    g = torch.Generator().manual_seed(seed)
    return _map(x, lambda t: torch.randn(t.shape, generator=g, dtype=torch.float64).to(t.dtype)
                if t.is_floating_point() else t.clone())


def _on_random_values(fn, args, kwargs, skip, ban, grad, stable, causal) -> list[str]:
    """The same properties on the example's inputs with random values: an input the example
    chose for its round answer (zeros, ones) hides what random values show. A call that
    raises on them is not judged (random values may be outside what the exercise accepts)."""
    if not any(t.is_floating_point() for t in _tensors((args, kwargs))):
        return []
    a, k = _random_values((args, kwargs))
    try:
        fn(*_clone(a), **_clone(k))
    except Exception:
        return []
    # at +-1000 a masked row whose largest score is masked has no stable answer: the
    # stability of a causal or masked softmax is checked on the example's inputs only
    stable = stable and not causal and "random-stable" not in skip
    return list(_property_failures(fn, a, k, tuple(skip) + ("vec",), ban, False, grad, False,
                                   stable, causal, tolerance=1e-2))


def expect_properties(name: str, fn, calls, *, skip=(), ban=(), vec=False, grad=False,
                      rand=False, stable=False, causal=False, batch=None) -> None:
    """Check the properties that need no expected value on each example's inputs (``calls``:
    callables giving ``(args, kwargs)``); raise SelfCheckFailed at the first broken one.

    Leaving the generator alone is judged over all the calls: an input whose answer is
    certain (top_k = 1, a probability of 1) needs no draw, so only a generator that no call
    draws from is flagged."""
    import warnings

    idle = []  # the "never drew" sentence of each call with a generator that left it alone
    drew = False
    for make in calls:
        args, kwargs = make()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problems = list(_property_failures(fn, args, kwargs, skip, ban, vec, grad,
                                                   rand, stable, causal, batch=batch))
                if not problems and "random" not in skip and not _has_generator(
                        (args, kwargs)):
                    problems = _on_random_values(fn, args, kwargs, skip, ban, grad, stable,
                                                 causal)
        except SelfCheckFailed:
            raise
        except NotImplementedError:
            raise SelfCheckFailed(f"{name}: not implemented yet") from None
        except Exception as exc:  # the plain example run shows the error itself
            raise SelfCheckFailed(f"{name} raised {type(exc).__name__}: {exc}") from None
        if rand and _has_generator((args, kwargs)):
            idle += [p for p in problems if p.startswith(_NEVER_DREW)]
            drew = drew or not any(p.startswith(_NEVER_DREW) for p in problems)
            problems = [p for p in problems if not p.startswith(_NEVER_DREW)]
        if problems:
            raise SelfCheckFailed(f"{name}: {problems[0]}")
    if idle and not drew:
        raise SelfCheckFailed(f"{name}: {idle[0]}")
