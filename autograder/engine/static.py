"""The second layer of the **ban** check: banned names in the submitted source.

The operator trace (taken in the worker) sees what a call really ran; this reads the source
the judge was given, without running it, and finds banned operations named in the exercise's
function or in the module-level functions it calls (``torch.softmax``, ``x.softmax``,
``F.scaled_dot_product_attention``, ``from torch.nn.functional import softmax``,
``torch.ops.aten._softmax``, ``getattr(torch, "softmax")``). Names the student defined
themselves (their own ``def softmax``) are not torch's and do not count.
"""
from __future__ import annotations

import ast
import fnmatch
import functools
from pathlib import Path


def file_sources(path: Path) -> list[str]:
    """The Python source of a .py file, or of each code cell of a notebook (its magic lines
    blanked, so that line numbers stay those of the cell)."""
    if path.suffix == ".ipynb":
        import json

        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        out = []
        for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                src = cell.get("source", "")
                src = "".join(src) if isinstance(src, list) else str(src)
                out.append("\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                                     for ln in src.splitlines()))
        return out
    try:
        return [path.read_text(encoding="utf-8", errors="replace")]
    except OSError:
        return []


def _module_functions(path: Path) -> tuple[dict[str, ast.AST], list[ast.AST]]:
    """{name: def node} of a file's top-level functions, and its import statements (parsed
    once per file version: a submission's file is read for each of its banned exercises)."""
    try:
        st = path.stat()
    except OSError:
        return {}, []
    return _parsed(str(path), st.st_mtime_ns, st.st_size)


def parsed_sources(path: Path) -> list[tuple[str, ast.Module]]:
    """(source, tree) of each part of ``file_sources`` that parses (the others are skipped)."""
    out = []
    for src in file_sources(path):
        try:
            out.append((src, ast.parse(src)))
        except (SyntaxError, ValueError, RecursionError):
            continue
    return out


def top_level(tree: ast.Module) -> tuple[dict[str, ast.AST], list[ast.AST]]:
    """{name: node} of a module's top-level functions (a ``def`` or ``name = lambda ...``: the
    lambda node) and its top-level import statements. A later definition wins, as when the
    module runs."""
    defs: dict[str, ast.AST] = {}
    imports: list[ast.AST] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            defs[node.name] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports.append(node)
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    defs[t.id] = node.value
    return defs, imports


@functools.lru_cache(maxsize=16)
def _parsed(path: str, mtime_ns: int, size: int) -> tuple[dict[str, ast.AST], list[ast.AST]]:
    defs: dict[str, ast.AST] = {}
    imports: list[ast.AST] = []
    for _, tree in parsed_sources(Path(path)):
        own, imported = top_level(tree)
        defs.update(own)
        imports += imported
    return defs, imports


def _imported(imports: list[ast.AST]) -> dict[str, set[str]]:
    """{local name: the parts of what it imports} (``from torch import softmax as sm``
    gives ``sm -> {torch, softmax}``)."""
    out: dict[str, set[str]] = {}
    for node in imports:
        base = getattr(node, "module", None) or ""
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            out.setdefault(local, set()).update(filter(None, [*base.split("."),
                                                              *alias.name.split(".")]))
    return out


def banned_names(path: Path, function: str, ban: tuple[str, ...]) -> list[str]:
    """The banned patterns that ``function`` in ``path`` (or a helper it calls) names."""
    if not ban:
        return []
    defs, imports = _module_functions(path)
    if function not in defs:
        return []
    own = set(defs)
    seen, todo, named, used, local_imports = set(), [function], set(), set(), []
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        for node in ast.walk(defs[name]):
            if isinstance(node, ast.Attribute):
                named.add(node.attr)
            elif isinstance(node, ast.Name):
                if node.id in own:
                    todo.append(node.id)
                else:
                    used.add(node.id)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                    node.func.id == "getattr" and len(node.args) > 1 and \
                    isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
                named.add(node.args[1].value)  # getattr(torch, "softmax")
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                local_imports.append(node)
    for local, parts in _imported(imports).items():
        if local in used:
            named |= parts
    for parts in _imported(local_imports).values():
        named |= parts
    named -= own
    return sorted({pat for pat in ban for n in named if fnmatch.fnmatchcase(n, pat)})
