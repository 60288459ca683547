"""Reading a solutions module as text: its exercises, imports and docstrings.

Everything students get is rendered from these pieces, so a docstring or a signature is
written once, in solutions/.
"""
from __future__ import annotations

import ast
import dataclasses
import re
import textwrap
from pathlib import Path

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB_BODY = "raise NotImplementedError()"


@dataclasses.dataclass
class FunctionSource:
    name: str
    text: str  # "def name(...):\n    \"\"\"doc\"\"\"\n    ### BEGIN SOLUTION ..." (no decorators)
    docstring: str


@dataclasses.dataclass
class ChapterSource:
    path: Path
    topic: str  # "ch06_products"
    docstring: str
    imports: list[str]
    functions: list[FunctionSource]


def _is_exercise(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef) and any(
        isinstance(d, ast.Call) and getattr(d.func, "id", "") == "exercise"
        for d in node.decorator_list)


def read_chapter(path: Path) -> ChapterSource:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    imports = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            seg = "\n".join(lines[node.lineno - 1:node.end_lineno])
            if "solutions" not in seg:
                imports.append(seg)
    functions = []
    for node in tree.body:
        if _is_exercise(node):
            end = node.end_lineno  # the AST ends at the last statement: take the comments
            while end < len(lines) and lines[end].startswith(" ") and \
                    lines[end].strip().startswith("#"):  # after it (### END SOLUTION) too
                end += 1
            body = "\n".join(lines[node.lineno - 1:end])
            if BEGIN not in body or END not in body:
                raise ValueError(f"{path}:{node.lineno}: {node.name} has no {BEGIN}/{END} block")
            functions.append(FunctionSource(node.name, body, ast.get_docstring(node) or ""))
    return ChapterSource(path, path.stem, ast.get_docstring(tree) or "", imports, functions)


def _docstring_indent(fn_text: str) -> str:
    opening = next(line for line in fn_text.splitlines() if line.lstrip().startswith('"""'))
    return re.match(r"\s*", opening).group(0)


def add_to_docstring(fn_text: str, extra: list[str]) -> str:
    """Insert ``extra`` lines (at the docstring's indentation) at the end of the function's
    docstring."""
    lines = fn_text.splitlines()
    opening = next(i for i, line in enumerate(lines) if line.lstrip().startswith('"""'))
    indent = _docstring_indent(fn_text)
    extra = [f"{indent}{line}" if line else "" for line in extra]
    for i, line in enumerate(lines):
        if i > opening and line.strip().endswith('"""') or \
                i == opening and line.strip().endswith('"""') and line.count('"""') == 2:
            if line.strip() != '"""':  # one-line docstring: split its closing quotes off
                lines[i] = line.rstrip()[:-3]
                extra.append(f'{indent}"""')
                return "\n".join(lines[:i + 1] + extra + lines[i + 1:])
            return "\n".join(lines[:i] + extra + lines[i:])
    return fn_text


def with_rules(fn_text: str, rules: list[str]) -> str:
    """Insert a ``Rules:`` section at the end of the function's docstring."""
    if not rules:
        return fn_text
    width = 96 - len(_docstring_indent(fn_text))
    extra = ["Rules (checked by the grader):"]
    for rule in rules:
        extra += textwrap.wrap(rule, width=width, initial_indent="    - ",
                               subsequent_indent="      ")
    return add_to_docstring(fn_text, extra)


def stub(fn_text: str, body: str = STUB_BODY) -> str:
    """The function with its solution block replaced by ``body``."""
    out, skipping = [], False
    for line in fn_text.splitlines():
        if line.strip() == BEGIN:
            skipping = True
            indent = line[:len(line) - len(line.lstrip())]
            out.append(indent + body)
        elif line.strip() == END:
            skipping = False
        elif not skipping:
            out.append(line)
    return "\n".join(out)
