"""Calling an implementation under test, and what a call reports back.

Graders never call a student's function directly: they ask an ``Implementation`` to make the
call and get an ``Outcome`` back (the value, or the error; the operator trace; gradients;
which inputs were modified and which the result aliases). ``InProcess`` makes the call in this
process and is what the pytest graders, ``workbook audit`` and the tests use; the grading
engine can supply an implementation that makes the same call in an isolated worker, and the
graders do not change.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import importlib
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import torch
from torch.utils import _pytree as pytree

from autograder.checks.trace import Trace, graph_names, record
from autograder.engine.intake import submission_files


@dataclasses.dataclass
class Outcome:
    value: Any = None
    error: str | None = None  # "ValueError: ragged rows" when the call raised
    missing: bool = False  # the function is not in the submission
    trace: Trace | None = None
    grads: tuple | None = None  # one per grad_wrt position (zeros where unused)
    grad_error: str | None = None
    mutated: tuple[int, ...] = ()  # positions of the args the call changed in place
    shares: tuple[int, ...] = ()  # positions of the args whose memory the result shares
    generator_states: tuple = ()  # state of each torch.Generator arg after the call
    grad_leaks: tuple[int, ...] = ()  # positions of tensor args left requiring grad or with .grad
    result_requires_grad: bool = False  # a tensor of the result still tracks gradients

    @property
    def ok(self) -> bool:
        return self.error is None and not self.missing

    @property
    def not_implemented(self) -> bool:
        return bool(self.error) and self.error.startswith("NotImplementedError")


def tensor_leaves(tree) -> list[torch.Tensor]:
    return [x for x in pytree.tree_leaves(tree) if isinstance(x, torch.Tensor)]


def _buffers(tree) -> list:
    """The tensors and NumPy arrays in an argument (the things a result could alias)."""
    return [x for x in pytree.tree_leaves(tree) if isinstance(x, (torch.Tensor, np.ndarray))]


# Taken before any submission runs: a worker's student code cannot monkeypatch these.
_storage = torch._C.TensorBase.untyped_storage
_autograd_grad = torch.autograd.grad


def _same_memory(a, result: torch.Tensor) -> bool:
    try:
        if isinstance(a, np.ndarray):
            return result.device.type == "cpu" and \
                np.shares_memory(a, result.detach().resolve_conj().numpy())
        mine, theirs = _storage(a), _storage(result)
        return mine.data_ptr() == theirs.data_ptr() and mine.nbytes() > 0
    except (RuntimeError, TypeError, ValueError):
        return False


def _snapshot(arg):
    """A copy of an argument to compare with after the call (generators are not values)."""
    return pytree.tree_map(lambda x: x.detach().clone() if isinstance(x, torch.Tensor) else
                           x.copy() if isinstance(x, np.ndarray) else
                           None if isinstance(x, torch.Generator) else copy.deepcopy(x), arg)


def _unchanged(before, after) -> bool:
    if isinstance(before, torch.Tensor):
        after = after.detach() if isinstance(after, torch.Tensor) else after
        if not isinstance(after, torch.Tensor) or before.shape != after.shape or \
                before.dtype != after.dtype:
            return False
        return torch.equal(before, after) or bool(
            before.is_floating_point() and torch.equal(before.isnan(), after.isnan())
            and torch.equal(before.nan_to_num(), after.nan_to_num()))
    if isinstance(before, np.ndarray):
        return isinstance(after, np.ndarray) and before.dtype == after.dtype and \
            np.array_equal(before, after, equal_nan=before.dtype.kind in "fc")
    if before is None:
        return True
    try:
        return bool(before == after)
    except Exception:
        return False


def _arg_unchanged(before, after) -> bool:
    b_leaves, b_spec = pytree.tree_flatten(before)
    a_leaves, a_spec = pytree.tree_flatten(after)
    return b_spec == a_spec and all(_unchanged(b, a) for b, a in zip(b_leaves, a_leaves))


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300] if text else ''}".rstrip(": ")


class Implementation:
    """Something graders can call exercises of, by catalog function name."""

    label = "implementation"
    batches_calls = False  # whether graders may hand it several calls at once (call_many)

    def function(self, name: str) -> Callable | None:
        raise NotImplementedError

    def call(self, name: str, *args, kwargs: Mapping | None = None, trace: bool = False,
             grad_wrt: tuple[int, ...] = (), grad_out=None,
             global_seed: int | None = None, graph: bool = False,
             no_grad: bool = False) -> Outcome:
        """Call ``name(*args, **kwargs)``.

        ``trace``: record the operators run. ``grad_wrt``: positions of float tensor args to
        differentiate with respect to; they are passed as fresh leaves requiring grad and the
        gradient of ``sum(result * grad_out)`` comes back in ``Outcome.grads``.
        ``global_seed``: seed torch's global RNG just before the call (to show that a rand
        exercise draws only from the generator it is given). ``graph``: pass the float tensor
        args as fresh leaves requiring grad, so that the trace also names the autograd nodes
        behind the result (a second witness of a ban). ``no_grad``: make the call under
        ``torch.no_grad()`` (an exercise that must not rely on autograd).

        Everything the judge learns comes back in the ``Outcome`` (mutated and aliased args,
        generator states), never by looking at the arguments afterwards, so an
        implementation in another process can report the same.
        """
        fn = self.function(name)
        if fn is None:
            return Outcome(missing=True, error=f"no function named {name} in the submission")
        before = [_snapshot(a) for a in [*args, *(kwargs or {}).values()]]
        out, after = invoke(fn, args, kwargs, trace=trace, grad_wrt=grad_wrt,
                            grad_out=grad_out, global_seed=global_seed, graph=graph,
                            no_grad=no_grad)
        if out.ok:
            out.mutated = mutated_positions(before, after)
        return out

    def static_view(self, name: str):
        """(the ``integrity.Source`` that defines ``name``, every source of the submission)
        for the static checks, or None when there is no source to read."""
        return None

    def call_many(self, name: str, calls: list[tuple[tuple, Mapping | None]],
                  trace: bool = False) -> list[Outcome]:
        """Plain calls ``name(*args, **kwargs)``, in order: what ``call`` gives for each.

        Only implementations that set ``batches_calls`` are handed several at once by the
        graders (one in another process answers them in one message); in this process each
        grader call keeps its place among the oracle computations."""
        return [self.call(name, *args, kwargs=kwargs, trace=trace) for args, kwargs in calls]


def mutated_positions(before: list, after: list) -> tuple[int, ...]:
    """Positions of the arguments whose values changed (``before`` holds snapshots)."""
    return tuple(i for i, (b, a) in enumerate(zip(before, after)) if not _arg_unchanged(b, a))


def invoke(fn: Callable, args, kwargs: Mapping | None, *, trace: bool = False,
           grad_wrt: tuple[int, ...] = (), grad_out=None,
           global_seed: int | None = None, graph: bool = False,
           no_grad: bool = False) -> tuple[Outcome, list]:
    """Run ``fn`` once: the ``Outcome`` (all but ``mutated``) and the arguments as they are
    after the call, for whoever compares them with the values it passed."""
    kwargs = dict(kwargs or {})
    args = list(args)
    if graph:
        args = [a.detach().clone().requires_grad_(True) if type(a) is torch.Tensor and
                a.is_floating_point() else a for a in args]
    for i in grad_wrt:
        args[i] = args[i].detach().clone().requires_grad_(True)
    given = [*args, *kwargs.values()]
    out = Outcome()
    try:
        with torch.random.fork_rng(devices=[], enabled=global_seed is not None):
            if global_seed is not None:
                torch.manual_seed(global_seed)
            with torch.no_grad() if no_grad else contextlib.nullcontext():
                if trace:
                    with record() as out.trace:
                        out.value = fn(*args, **kwargs)
                else:
                    out.value = fn(*args, **kwargs)
    except (Exception, SystemExit) as exc:  # the implementation's failure is a result
        out.error = _error_text(exc)
        return out, given
    results = tensor_leaves(out.value)
    if out.trace is not None:
        try:
            out.trace.autograd = graph_names(results)
        except Exception:  # a result whose graph cannot be walked names nothing
            out.trace.autograd = []
    out.shares = tuple(i for i, a in enumerate(given)
                       if any(_same_memory(x, r) for x in _buffers(a) for r in results))
    out.generator_states = tuple(a.get_state() for a in given
                                 if isinstance(a, torch.Generator))
    if not grad_wrt and not graph:  # what autograd state the call left behind
        out.result_requires_grad = any(r.requires_grad for r in results)
        out.grad_leaks = tuple(i for i, a in enumerate(given) if type(a) is torch.Tensor
                               and (a.requires_grad or a.grad is not None))
    if grad_wrt:
        _differentiate(out, [args[i] for i in grad_wrt], grad_out)
    out.value = pytree.tree_map(
        lambda x: x.detach() if isinstance(x, torch.Tensor) else x, out.value)
    return out, given


def vjp(outputs: list[torch.Tensor], inputs: list[torch.Tensor],
        grad_outputs: list[torch.Tensor]) -> tuple:
    """The gradients of ``sum(output * grad_output)`` (None for an input it does not use).

    The same numbers as ``autograd.grad(outputs, inputs, grad_outputs)``, whose tensor
    ``grad_outputs`` import torch's symbolic-shape machinery (and sympy: 0.6 s) on first use.
    """
    total = sum((o * g).sum() for o, g in zip(outputs, grad_outputs))
    return _autograd_grad(total, inputs, allow_unused=True)


def _differentiate(out: Outcome, wrt: list[torch.Tensor], grad_out) -> None:
    results = tensor_leaves(out.value)
    grad_outs = tensor_leaves(grad_out)
    if not results or len(results) != len(grad_outs) or \
            any(r.shape != g.shape for r, g in zip(results, grad_outs)):
        out.grad_error = "the result does not have the expected structure or shape"
        return
    pairs = [(r, g) for r, g in zip(results, grad_outs) if r.requires_grad]
    if not pairs:
        out.grad_error = ("your result is not connected to the inputs by autograd (did you "
                          "use .detach(), .item(), .numpy() or build a new tensor with "
                          "torch.tensor(...)?)")
        return
    try:
        grads = vjp([r for r, _ in pairs], wrt, [g for _, g in pairs])
    except (Exception, SystemExit) as exc:
        out.grad_error = f"backward pass failed: {_error_text(exc)}"
        return
    out.grads = tuple(torch.zeros_like(w) if g is None else g.detach()
                      for g, w in zip(grads, wrt))


class InProcess(Implementation):
    """Functions looked up in a mapping (a module's namespace, or a dict of functions)."""

    def __init__(self, namespace: Mapping[str, Any], label: str = "in-process"):
        self.namespace = namespace
        self.label = label

    def function(self, name: str) -> Callable | None:
        fn = self.namespace.get(name)
        return fn if callable(fn) else None

    def static_view(self, name: str):
        """Loaded files are read as files; functions handed over in a mapping (the mutants,
        solutions/) by their own source and that of the functions they call by name."""
        from autograder.engine.integrity import Source

        files = getattr(self, "files", None)
        if files:
            sources = [Source.from_file(f) for f in files]
            return next((s for s in sources if name in s.defs), None), sources
        fn = self.function(name)
        if not isinstance(fn, types.FunctionType):
            return None
        return Source.from_functions(_called(fn, self.namespace)), []


def _names_read(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names_read(const)
    return names


def _called(fn: types.FunctionType, namespace: Mapping) -> list:
    """``fn`` and the functions of ``namespace`` it reaches by name, transitively (a
    generate() that calls the student's own baby_gpt_logits)."""
    out, todo = [fn], [fn]
    given = {id(f) for f in namespace.values()}
    while todo:
        caller = todo.pop()
        for name in sorted(_names_read(caller.__code__)):
            f = namespace.get(name)
            if f is None:  # a function of the namespace under another name (an alias)
                f = caller.__globals__.get(name)
                f = f if id(f) in given else None
            if isinstance(f, types.FunctionType) and f not in out:
                out.append(f)
                todo.append(f)
    return out


def _load_py(path: Path) -> dict:
    name = f"_submission_{abs(hash(str(path.resolve())))}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    try:
        sys.modules[name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(path.parent))
    return vars(module)


def _load_notebook(path: Path, errors: dict) -> dict:
    """Run each cell's definitions; a cell that fails is reported and the others still count."""
    from autograder.student.selfcheck import notebook_trees

    module = types.ModuleType(f"_submission_nb_{path.stem}")
    module.__file__ = str(path)
    unparsable: list[str] = []
    chunks = notebook_trees(path, unparsable)
    if unparsable:
        errors[f"{path} (a cell)"] = "; ".join(unparsable)
    for i, chunk in enumerate(chunks):
        try:
            exec(compile(chunk, f"{path.name} (cell {i})", "exec"), module.__dict__)
        except (Exception, SystemExit) as exc:
            errors[f"{path} (a cell)"] = _error_text(exc)
    return vars(module)


def load(spec: str) -> Implementation:
    """``solutions``, ``exercises``, or a path to a .py, a notebook, or a folder of them.

    Functions are found by name wherever they stand; a file that fails to load is reported
    by the name ``__load_errors__`` in the namespace, and its functions count as missing.
    """
    if spec in ("solutions", "exercises"):
        from solutions.registry import chapter_modules

        namespace: dict = {}
        for mod in chapter_modules():
            namespace.update(vars(importlib.import_module(mod.replace("solutions", spec, 1))))
        return InProcess(namespace, label=spec)
    path = Path(spec)
    if not path.exists():
        raise FileNotFoundError(f"--impl {spec}: no such file or folder")
    namespace, errors = {}, {}
    for file in submission_files(path):
        try:
            loaded = _load_notebook(file, errors) if file.suffix == ".ipynb" else \
                _load_py(file)
        except (Exception, SystemExit) as exc:
            errors[str(file)] = _error_text(exc)
            continue
        namespace.update({k: v for k, v in loaded.items() if callable(v)})
    impl = InProcess(namespace, label=str(path))
    impl.load_errors = errors
    impl.files = submission_files(path)
    return impl
