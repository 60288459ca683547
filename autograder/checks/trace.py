"""Operator traces: what an implementation really ran.

Two layers record every operator a call reaches:

- ``TorchFunctionMode`` sees the Python-level torch API (``torch.softmax``, ``Tensor.softmax``,
  ``F.softmax``, ``torch.norm``) under the name the function was defined with;
- ``TorchDispatchMode`` sees the aten operators at dispatch, under their overload packet name
  (``_softmax``, ``mm``, ``linalg_vector_norm``), however they were reached: an alias, a method,
  ``torch.ops.aten.mm`` or a composite that decomposes into them.

A ban on ``softmax`` therefore catches every spelling; the dispatch count is what the **vec**
check compares at two input sizes.
"""
from __future__ import annotations

import dataclasses
import fnmatch

from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

# Torch-function names that are attribute plumbing, not computation.
_PLUMBING = {"__get__", "__set__", "__getitem__", "__setitem__", "__len__", "__iter__",
             "__format__", "__repr__", "__hash__", "__bool__", "__index__", "dim", "size",
             "stride", "numel", "__contains__", "__reversed__", "is_contiguous"}


@dataclasses.dataclass
class Trace:
    functions: list[str] = dataclasses.field(default_factory=list)  # torch-function names
    aten: list[str] = dataclasses.field(default_factory=list)  # aten overload packets

    @property
    def dispatch_count(self) -> int:
        return len(self.aten)

    def names(self) -> set[str]:
        return {_plain(n) for n in self.functions} | set(self.aten)

    def banned(self, ban: tuple[str, ...] | list[str]) -> list[str]:
        """The banned names (patterns like ``_scaled_dot_product*`` allowed) this trace hit."""
        names = self.names()
        return sorted({pat for pat in ban for n in names if fnmatch.fnmatchcase(n, pat)})


def _plain(name: str) -> str:
    # Tensor.__matmul__ and friends are the operator under another name.
    if name.startswith("__") and name.endswith("__"):
        name = name[2:-2]
        if name[:1] in "ri" and name[1:] in {"matmul", "mul", "add", "sub", "truediv", "pow"}:
            name = name[1:]
    return name


class _FunctionRecorder(TorchFunctionMode):
    def __init__(self, trace: Trace):
        super().__init__()
        self.trace = trace

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", None) or str(func)
        if name not in _PLUMBING:
            self.trace.functions.append(name)
        return func(*args, **(kwargs or {}))


class _DispatchRecorder(TorchDispatchMode):
    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        # Never compiled, so no need to wrap __torch_dispatch__ in dynamo's "disable": that
        # wrapper imports torch._dynamo (1.5-2 s) on a worker's first traced call.
        return False

    def __init__(self, trace: Trace):
        super().__init__()
        self.trace = trace

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.trace.aten.append(func.overloadpacket.__name__)
        return func(*args, **(kwargs or {}))


class record:
    """``with record() as trace:`` collects every operator run inside the block."""

    def __init__(self):
        self.trace = Trace()
        self._modes = [_FunctionRecorder(self.trace), _DispatchRecorder(self.trace)]

    def __enter__(self) -> Trace:
        for m in self._modes:
            m.__enter__()
        return self.trace

    def __exit__(self, *exc):
        for m in reversed(self._modes):
            m.__exit__(*exc)
        return False


def run_traced(fn, *args, **kwargs):
    """(result, trace) of ``fn(*args, **kwargs)``."""
    with record() as trace:
        out = fn(*args, **kwargs)
    return out, trace


__all__ = ["Trace", "record", "run_traced"]
