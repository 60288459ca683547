"""Integrity of ban and vec (DESIGN.md, "Integrity of ban and vec"): source written to hide.

An exercise with a ``ban`` or ``vec`` mark is checked by tracing the student's function with
torch's TorchFunctionMode/TorchDispatchMode. The trace is taken in the worker, beside the
student's code, so that code could reach it: pop the mode, patch ``torch.matmul``, do the work
in a thread the mode does not see, read the grader's frames. This static layer reads the
submitted source without running it (pure ``ast``, stdlib only: no torch, no numpy) and refuses
the constructs that exist only to hide from the trace (kind ``"integrity"``). For a marked
exercise it also flags code that takes data out of torch (``.tolist()``, numpy, ``.item()`` in a
loop; kind ``"leaves_torch"``): what is computed there is outside the operators the trace checks.

A *module alias* is a name bound by an import (``import torch as T``, ``from torch import nn``,
``import numpy as np``); attribute chains are resolved through it (``F._x`` with
``import torch.nn.functional as F`` is ``torch.nn.functional._x``). Names the source never
imports are not modules: ``getattr(params, key)`` and ``x.size(-1)`` are just code.
"""
from __future__ import annotations

import ast
import dataclasses
import dis
import fnmatch
import functools
import inspect
import sys
import textwrap
import types
from pathlib import Path

from autograder.engine.static import file_sources

_TRACING = {"overrides", "library", "fx", "jit", "compile", "_dynamo"}
_GRADER = {"autograder", "solutions", "tests"}
_THREADS = {"threading", "_thread", "multiprocessing", "concurrent", "subprocess", "asyncio",
            "signal"}
_OS = ("fork", "forkpty", "system", "popen", "kill", "killpg", "exec*", "spawn*", "posix_spawn*")
_INTROSPECTION = {"gc", "inspect", "ctypes", "cffi", "mmap", "marshal", "pickle", "dill", "code",
                  "codeop", "dis", "builtins"}
_SYS = {"_getframe", "settrace", "setprofile", "modules", "addaudithook", "meta_path",
        "path_hooks"}
_TYPES = {"FunctionType", "CodeType", "ModuleType"}
_IMPORT_REFUSED = {"ctypes", "cffi", "importlib"}     # refused even when only imported
_RUNTIME_BUILTINS = {"eval", "exec", "compile", "__import__", "vars", "globals", "locals"}
_HOOKS = {"__torch_function__", "__torch_dispatch__"}
_REACH = {"__globals__", "__code__", "__closure__", "__subclasses__", "__bases__", "__mro__",
          "__dict__", "__getattribute__", "__builtins__", *_HOOKS, "f_back", "f_globals",
          "f_locals", "f_code", "tb_frame", "gi_frame", "cr_frame"}
_OUT_OF_TORCH = {"numpy", "tolist", "__array__", "data_ptr", "untyped_storage", "storage",
                 "__dlpack__", "__array_interface__"}
_FOREIGN = {"scipy", "jax", "tensorflow", "sklearn", "cupy", "numba"}   # any use leaves torch
_TO_NUMBER = {"float", "int", "complex", "bool"}

_WHY = {
    "private": "private torch internals are not part of the exercise and can switch off or go "
               "around the operator trace the grader checks.",
    "tracing": "torch.overrides, torch.library, torch.fx, torch.jit and torch.compile change how "
               "operators are dispatched or traced, so the grader could not see what your code "
               "computes.",
    "runtime": "a name or code built at run time (getattr with a computed name, eval, exec, "
               "globals(), importlib...) hides from the grader what your code calls.",
    "threads": "threads, processes and signals run code outside the operator trace the grader "
               "takes of your function.",
    "introspection": "introspection and raw-memory tools (inspect, gc, ctypes, sys._getframe...) "
                     "can reach into the grader's own state.",
    "grader": "the grader's own code, its tests and the reference solutions are not available "
              "to submissions.",
    "reach": "this attribute reaches code, frames or other objects behind the grader's back.",
    "hook": "defining __torch_function__ or __torch_dispatch__ intercepts the very operators "
            "the grader traces.",
    "patch": "changing a module's attributes (monkey-patching) changes what the operators the "
             "grader checks do.",
}


@dataclasses.dataclass(frozen=True)
class Finding:
    kind: str       # "integrity" (hides from the grader) or "leaves_torch" (data out of torch)
    where: str      # "line 12", "cell 3, line 4" (among code cells, from 1), or "" if unknown
    construct: str  # what was written: "torch._C", "import threading", ".tolist()", "np.dot"
    why: str        # one sentence a student reads

    @property
    def message(self) -> str:
        return f"{self.construct} ({self.where}): {self.why}" if self.where \
            else f"{self.construct}: {self.why}"


class Source:
    """A parsed submission: its top-level functions, classes, module-level lambdas, imports and
    other module-level statements, across all code cells of a notebook."""

    def __init__(self) -> None:
        self.defs: dict[str, tuple[ast.AST, int | None]] = {}   # name -> (node, cell)
        self.statements: list[tuple[ast.stmt, int | None]] = []  # module level, not defs
        self.aliases: dict[str, str] = {}                         # local name -> dotted path

    def _add(self, text: str, cell: int | None) -> None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.defs[node.name] = (node, cell)
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and \
                    all(isinstance(t, ast.Name) for t in node.targets):
                self.defs.update({t.id: (node.value, cell) for t in node.targets})
            else:
                self.statements.append((node, cell))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    self.aliases[a.asname or top] = a.name if a.asname else top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                self.aliases.update({a.asname or a.name: f"{node.module}.{a.name}"
                                     for a in node.names if a.name != "*"})

    @classmethod
    def from_text(cls, text: str) -> "Source":
        src = cls()
        src._add(text, None)
        return src

    @classmethod
    def from_file(cls, path: Path) -> "Source":
        """A .py file or a notebook (parsed once per file version; unparsable cells skipped)."""
        try:
            st = Path(path).stat()
        except OSError:
            return cls()
        return _source_of_file(str(path), st.st_mtime_ns, st.st_size)

    @classmethod
    def from_functions(cls, fns: list) -> "Source":
        """In-process implementations: each function's source as written, keyed by its
        ``__name__``, and the imports its globals stand for (a module global ``F`` is
        ``import torch.nn.functional as F``; a function ``softmax`` from a module is
        ``from torch.nn.functional import softmax``). A helper defined in the same module is
        read as one of the functions. Functions without source are absent."""
        src, given = cls(), {id(f) for f in fns}
        todo, seen = [(getattr(f, "__name__", ""), f) for f in fns], set()
        while todo:
            name, fn = todo.pop(0)
            node = None if id(fn) in seen else _def_of(fn)
            seen.add(id(fn))
            if node is None:
                continue
            src.defs[name] = (node, None)
            glb, module = _globals_of(fn), getattr(fn, "__module__", None)
            for gname in sorted(_code_names(fn)):
                obj = glb.get(gname)
                if isinstance(obj, types.ModuleType):
                    src.aliases[gname] = obj.__name__
                elif id(obj) in given or not callable(obj) or \
                        not isinstance(getattr(obj, "__name__", None), str):
                    continue
                elif getattr(obj, "__module__", None) == module:
                    if gname not in src.defs:
                        todo.append((gname, obj))
                elif (path := _public_path(obj)) is not None:
                    src.aliases[gname] = path
        return src


@functools.lru_cache(maxsize=16)
def _source_of_file(path: str, mtime_ns: int, size: int) -> Source:
    src, notebook = Source(), path.endswith(".ipynb")
    for i, text in enumerate(file_sources(Path(path)), 1):
        src._add(text, i if notebook else None)
    return src


def _def_of(fn) -> ast.AST | None:
    """The def (or class) of ``fn`` as written, at its lines in its file, decorators left out
    (they register a fixture; they are not what it runs)."""
    try:
        lines, start = inspect.getsourcelines(fn)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError, ValueError, RecursionError):
        return None
    node = next((n for n in tree.body if isinstance(
        n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))), None)
    if node is not None:
        ast.increment_lineno(tree, max(start, 1) - 1)
        node.decorator_list = []
    return node


def _globals_of(obj) -> dict:
    if hasattr(obj, "__globals__"):
        return obj.__globals__
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    return vars(module) if module is not None else {}


def _code_names(obj) -> set[str]:
    """The global names ``obj``'s code loads (a class: its methods'), nested code included
    (``co_names`` less the attribute names it also holds)."""
    fns = [obj] if not inspect.isclass(obj) else \
        [getattr(v, "__func__", v) for v in vars(obj).values()]
    codes = [f.__code__ for f in fns if isinstance(getattr(f, "__code__", None), types.CodeType)]
    names = set()
    while codes:
        code = codes.pop()
        names.update(i.argval for i in dis.get_instructions(code)
                     if i.opname in ("LOAD_GLOBAL", "LOAD_NAME"))
        codes += [c for c in code.co_consts if isinstance(c, types.CodeType)]
    return names


def _private(path: str) -> bool:
    return any(s.startswith("_") and not s.endswith("__") for s in path.split("."))


def _public_path(obj) -> str | None:
    """Where ``obj`` is imported from: ``module.name``, or, when its ``__module__`` is private
    or unknown (``torch.nn.functional.linear`` says ``torch._C._nn``), a public module that
    has it."""
    module, name = getattr(obj, "__module__", None), obj.__name__
    module = {"posix": "os", "nt": "os"}.get(module, module) if isinstance(module, str) else ""
    if module == "builtins":       # `my_len = len` at a fixture's top: a builtin, not an import
        return None
    if module and not _private(module):
        return f"{module}.{name}"
    found = sorted((m for m, mod in list(sys.modules.items()) if isinstance(mod, types.ModuleType)
                    and not _private(m) and vars(mod).get(name) is obj),
                   key=lambda m: (m.split(".")[0] != module.split(".")[0], len(m), m))
    return f"{found[0]}.{name}" if found else f"{module}.{name}" if module else None


def _chain(node: ast.AST) -> list[str] | None:
    """``torch.nn.functional`` -> ["torch", "nn", "functional"]; None unless rooted at a Name."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return [node.id, *reversed(parts)] if isinstance(node, ast.Name) else None


def _rule(full: list[str]) -> tuple[str, int] | None:
    """The integrity rule a use of the module path ``full`` breaks, and for torch how many
    segments lead to the offending one."""
    top, first = full[0], full[1] if len(full) > 1 else ""
    if top == "torch":
        if first in _TRACING:
            return "tracing", 2
        return next((("private", i) for i, s in enumerate(full[1:], 2)
                     if s.startswith("_") and not s.endswith("__")), None)
    if top in _GRADER:
        return "grader", len(full)
    if top in _THREADS or top == "os" and any(fnmatch.fnmatchcase(first, p) for p in _OS):
        return "threads", len(full)
    if top in _INTROSPECTION or top == "sys" and first in _SYS or \
            top == "types" and first in _TYPES:
        return "introspection", len(full)
    if top == "importlib":
        return "runtime", len(full)
    return None


def _written(parts: list[str], full: list[str]) -> str:
    """What was written, with what it stands for when that is one imported name (``Thread``
    from ``from threading import Thread`` is "Thread (threading.Thread)")."""
    written = ".".join(parts)
    return written if len(parts) > 1 or written == ".".join(full) else \
        f"{written} ({'.'.join(full)})"


def _computed(arg: ast.AST) -> bool:
    """Whether ``float(arg)`` in a loop reads a value (``x[i]``, ``t.sum()``), not a shape."""
    nodes = list(ast.walk(arg))
    for n in nodes:
        if isinstance(n, ast.Attribute) and n.attr in ("shape", "ndim") or \
                isinstance(n, ast.Call) and (isinstance(n.func, ast.Attribute) and n.func.attr
                                             in ("size", "dim", "numel") or
                                             isinstance(n.func, ast.Name) and n.func.id == "len"):
            return False
    return any(isinstance(n, (ast.Subscript, ast.Call, ast.Attribute)) for n in nodes)


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


class _Checker(ast.NodeVisitor):
    """Collects the findings of one def, class, lambda or module-level statement."""

    def __init__(self, src: Source, cell: int | None, module_level: bool = False):
        self.src, self.cell, self.module_level = src, cell, module_level
        self.loops = 0
        self.found: list[tuple[tuple, Finding]] = []

    def add(self, node: ast.AST, kind: str, construct: str, why: str) -> None:
        line = getattr(node, "lineno", None)
        where = "" if line is None else f"line {line}" if self.cell is None \
            else f"cell {self.cell}, line {line}"
        key = (self.cell or 0, line or 0, getattr(node, "col_offset", 0))
        self.found.append((key, Finding(kind, where, construct, why)))

    def flag(self, node, rule: str, construct: str) -> None:
        self.add(node, "integrity", construct, _WHY[rule])

    def leaves(self, node, construct: str, loop: bool = False) -> None:
        what = "Python numbers out of a tensor in a loop" if loop else "values out of torch"
        self.add(node, "leaves_torch", construct, f"taking {what} ({construct}) in an exercise "
                 "with a ban or vec mark computes outside the operators the grader checks.")

    def resolve(self, parts: list[str] | None) -> list[str] | None:
        alias = self.src.aliases.get(parts[0]) if parts else None
        return alias.split(".") + parts[1:] if alias else None

    def builtin(self, name: str) -> bool:
        return name not in self.src.aliases and name not in self.src.defs

    def use(self, node, parts: list[str], full: list[str]) -> None:
        """A use of the module path ``full``, written as ``parts``."""
        written = _written(parts, full)
        broken = _rule(full)
        if broken and full[0] == "torch":                # cut at the offending segment
            rule, n = broken
            k = n - (len(full) - len(parts))
            self.flag(node, rule, ".".join(parts[:k]) if k >= 2
                      else f"{parts[0]} ({'.'.join(full[:n])})")
        elif broken:
            self.flag(node, broken[0], written)
        elif full[0] in _FOREIGN:
            self.leaves(node, written)

    def attr(self, node, name: str) -> None:
        if name in _REACH:
            self.flag(node, "reach", f".{name}")
        elif name in _OUT_OF_TORCH:
            self.leaves(node, f".{name}" if name == "__array_interface__" else f".{name}()")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        parts = _chain(node)
        for name in parts[1:] if parts else [node.attr]:
            self.attr(node, name)
        full = self.resolve(parts)
        if parts is None:
            self.visit(node.value)
        elif full is None:                               # `x.y.z`: only `x` is left to see
            root = node
            while isinstance(root, ast.Attribute):
                root = root.value
            self.visit(root)
        else:
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                verb = "del {}" if isinstance(node.ctx, ast.Del) else "{} = ..."
                self.flag(node, "patch", verb.format(".".join(parts)))
            self.use(node, parts, full)

    def visit_Name(self, node: ast.Name) -> None:
        if not isinstance(node.ctx, ast.Load):
            if node.id in _HOOKS:
                self.flag(node, "hook", f"{node.id} = ...")
        elif node.id in self.src.aliases:
            self.use(node, [node.id], self.resolve([node.id]))
        elif node.id in self.src.defs:
            pass
        elif node.id in ("getattr", "setattr", "delattr"):
            self.flag(node, "runtime", f"{node.id} (not called directly)")
        elif node.id in _RUNTIME_BUILTINS:
            self.flag(node, "runtime", node.id)
        elif node.id == "__builtins__":
            self.flag(node, "introspection", node.id)

    def visit_Call(self, node: ast.Call) -> None:
        f, args = node.func, node.args
        name = f.id if isinstance(f, ast.Name) and self.builtin(f.id) else None
        if name in ("getattr", "setattr", "delattr") and args:
            obj = _chain(args[0])
            full, lit = self.resolve(obj), _literal(args[1]) if len(args) > 1 else None
            if name != "getattr" and full is not None:
                self.flag(node, "patch", f"{name}({'.'.join(obj)}, ...)")
            if lit is not None:                          # getattr(x, "y") reads x.y
                self.attr(node, lit)
                if full is not None:
                    self.use(node, [*obj, lit], [*full, lit])
            elif name == "getattr" and full is not None and len(args) > 1:
                self.flag(node, "runtime", f"getattr({'.'.join(obj)}, <name built at run time>)")
            for a in [*args, *node.keywords]:
                self.visit(a)
            return
        if name in _RUNTIME_BUILTINS:
            self.flag(node, "runtime", f"{name}()")
            for a in [*args, *node.keywords]:
                self.visit(a)
            return
        if self.loops and name in _TO_NUMBER and args and _computed(args[0]):
            self.leaves(node, f"{name}(...)", loop=True)
        if self.loops and isinstance(f, ast.Attribute) and f.attr == "item" and not args:
            self.leaves(node, ".item()", loop=True)
        parts = _chain(f)
        full = self.resolve(parts)
        if full and full[0] == "numpy":
            self.leaves(node, _written(parts, full))
        if full and full[:2] in (["operator", "attrgetter"], ["operator", "methodcaller"]) and \
                any(_literal(a) is None for a in (args if full[1] == "attrgetter" else args[:1])):
            self.flag(node, "runtime", f"{'.'.join(parts)}(<name built at run time>)")
        self.generic_visit(node)

    def in_loop(self, nodes) -> None:
        self.loops += 1
        for n in nodes:
            self.visit(n)
        self.loops -= 1

    def visit_For(self, node) -> None:
        self.visit(node.target)
        self.visit(node.iter)
        self.in_loop(node.body)
        for n in node.orelse:
            self.visit(n)

    visit_AsyncFor = visit_For

    def visit_While(self, node: ast.While) -> None:
        self.in_loop([node.test, *node.body])
        for n in node.orelse:
            self.visit(n)

    def visit_comprehension_node(self, node) -> None:
        self.loops += 1
        self.generic_visit(node)
        self.loops -= 1

    visit_ListComp = visit_SetComp = visit_DictComp = visit_GeneratorExp = \
        visit_comprehension_node

    def visit_FunctionDef(self, node) -> None:
        if node.name in _HOOKS:
            self.flag(node, "hook", f"def {node.name}")
        if not self.module_level:
            loops, self.loops = self.loops, 0
            self.generic_visit(node)
            self.loops = loops
        else:                   # at import time only the decorators and defaults run
            a = node.args
            for n in [*node.decorator_list, *a.defaults, *filter(None, a.kw_defaults)]:
                self.visit(n)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if not self.module_level:
            self.generic_visit(node)
        else:
            for n in [*node.decorator_list, *node.bases, *node.keywords]:
                self.visit(n)

    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:                # a plain `import inspect` is only refused by use
            full = a.name.split(".")
            broken = _rule(full)
            if broken and (broken[0] in ("private", "tracing", "grader", "runtime")
                           or full[0] in _IMPORT_REFUSED):
                self.flag(node, broken[0], f"import {a.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return
        for a in node.names:
            broken = _rule([*node.module.split("."), *([a.name] if a.name != "*" else [])])
            if broken:
                self.flag(node, broken[0], f"from {node.module} import {a.name}")


def _ordered(found: list[tuple[tuple, Finding]], leaves: bool) -> list[Finding]:
    out: dict[Finding, tuple] = {}
    for key, finding in sorted(found, key=lambda kf: kf[0]):
        if leaves or finding.kind == "integrity":
            out.setdefault(finding, key)
    return list(out)


def function_findings(src: Source, function: str, *, marked: bool) -> list[Finding]:
    """The findings of ``function`` and of every top-level function, class or module-level
    lambda it names, transitively. "leaves_torch" ones only when the exercise is ``marked``
    (has a ban or vec mark). [] when ``function`` is not defined in ``src``."""
    found, seen, todo = [], set(), [function]
    while todo:
        name = todo.pop()
        if name in seen or name not in src.defs:
            continue
        seen.add(name)
        own, calls = _checked_def(src, name)
        found += own
        todo += calls
    return _ordered(found, leaves=marked)


def _checked_def(src: Source, name: str) -> tuple[list[Finding], list[str]]:
    """(findings, top-level names it uses) of one def, once per source: a submission's file is
    read for each of its 166 exercises, and its helpers for every exercise that calls them."""
    memo = src.__dict__.setdefault("_checked", {})
    if name not in memo:
        node, cell = src.defs[name]
        checker = _Checker(src, cell)
        checker.visit(node)
        memo[name] = (checker.found, [n.id for n in ast.walk(node)
                                      if isinstance(n, ast.Name) and n.id in src.defs])
    return memo[name]


def module_findings(src: Source) -> list[Finding]:
    """The integrity findings of the module-level statements (outside any def or class body):
    what runs at import time, before any traced call."""
    if "_module" not in src.__dict__:
        found = []
        for node, cell in src.statements:
            checker = _Checker(src, cell, module_level=True)
            checker.visit(node)
            found += checker.found
        src.__dict__["_module"] = _ordered(found, leaves=False)
    return list(src.__dict__["_module"])
