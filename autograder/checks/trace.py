"""Operator traces: what an implementation really ran.

Two layers record every operator a call reaches:

- ``TorchFunctionMode`` sees the Python-level torch API (``torch.softmax``, ``Tensor.softmax``,
  ``F.softmax``, ``torch.norm``) under the name the function was defined with;
- ``TorchDispatchMode`` sees the aten operators at dispatch, under their overload packet name
  (``_softmax``, ``mm``, ``linalg_vector_norm``), however they were reached: an alias, a method,
  ``torch.ops.aten.mm`` or a composite that decomposes into them.

A ban on ``softmax`` therefore catches every spelling; the dispatch count is what the **vec**
check compares at two input sizes.

Both layers run in the worker, beside the student's code, so neither is the only evidence
(DESIGN.md, "Integrity of ban and vec"): the graders trace every call of a ban or vec exercise
and compare every traced call's value, a static check refuses source that hides from the
modes, and where the inputs can require grad the names of the autograd nodes behind the
result (``MmBackward0`` -> ``mm``) are a second witness of a ban.
"""
from __future__ import annotations

import dataclasses
import fnmatch
import re

from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

# Torch-function names that are attribute plumbing, not computation.
_PLUMBING = {"__get__", "__set__", "__getitem__", "__setitem__", "__len__", "__iter__",
             "__format__", "__repr__", "__hash__", "__bool__", "__index__", "dim", "size",
             "stride", "numel", "__contains__", "__reversed__", "is_contiguous"}


# Torch-function names that hand a tensor's values to Python or NumPy: in a ban or vec
# exercise, computing outside torch is the same shortcut as the banned operator or the loop.
LEAVES_TORCH = {"numpy": ".numpy()", "tolist": ".tolist()", "__array__": "np.asarray / __array__",
                "__array_wrap__": "a NumPy ufunc", "__dlpack__": "__dlpack__",
                "untyped_storage": ".untyped_storage()", "data_ptr": ".data_ptr()"}


@dataclasses.dataclass
class Trace:
    functions: list[str] = dataclasses.field(default_factory=list)  # torch-function names
    aten: list[str] = dataclasses.field(default_factory=list)  # aten overload packets
    autograd: list[str] = dataclasses.field(default_factory=list)  # autograd nodes of the result

    @property
    def dispatch_count(self) -> int:
        return len(self.aten)

    @property
    def scalar_reads(self) -> int:
        """Values read into Python one at a time (``.item()``, ``float(t)``, ``if t:``)."""
        return self.aten.count("_local_scalar_dense")

    def leaves_torch(self) -> list[str]:
        """How the call took a tensor's values out of torch (``.tolist()``, NumPy), if it did."""
        return sorted({LEAVES_TORCH[n] for n in self.functions if n in LEAVES_TORCH})

    def names(self) -> set[str]:
        return {_plain(n) for n in self.functions} | set(self.aten)

    def banned(self, ban: tuple[str, ...] | list[str]) -> list[str]:
        """The banned names (patterns like ``_scaled_dot_product*`` allowed) this trace hit."""
        names = self.names()
        return sorted({pat for pat in ban for n in names if fnmatch.fnmatchcase(n, pat)})

    def banned_in_graph(self, ban: tuple[str, ...] | list[str]) -> list[str]:
        """The banned patterns that name an autograd node of the result (``MmBackward0`` is
        ``mm``; ``LinalgVectorNormBackward0`` is ``linalg_vector_norm``)."""
        nodes = {_squash(re.sub(r"Backward\d*$", "", n.rsplit("::", 1)[-1]))
                 for n in self.autograd}
        return sorted({pat for pat in ban for n in nodes
                       if fnmatch.fnmatchcase(n, _squash(pat))})


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


def graph_names(tensors) -> list[str]:
    """The names of the autograd nodes that produced ``tensors`` (a walk of grad_fn)."""
    seen, out = set(), []
    todo = [t.grad_fn for t in tensors if getattr(t, "grad_fn", None) is not None]
    while todo and len(seen) < 10000:
        node = todo.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        out.append(node.name())
        todo.extend(f for f, _ in node.next_functions)
    return out


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
