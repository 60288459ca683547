"""``workbook similarity``: which students' function bodies are near-identical.

For every exercise of a graded batch, each student's function (found by its catalog name in
the files of the result's ``"submission"``, as the engine's static checks find it:
``autograder.engine.static.file_sources`` for ``.py`` files and notebooks, the folder's files
as ``autograder.engine.intake.submission_files`` lists them) is normalised and fingerprinted,
and the pairs of students whose bodies are near-identical are listed, with the bodies whose
text is near-identical to the reference solution (``solutions/chNN_*.py``).

Normalisation: the body is parsed and written back with ``ast.unparse`` (comments, layout,
redundant brackets and quote styles gone; docstrings and other bare strings dropped); every
name the student chose (parameters, variables, their own helpers) becomes ``v`` and an
imported name becomes what it imports (``F.softmax`` -> ``torch.nn.functional.softmax``);
module-level helpers it calls that are not exercises themselves are appended. copydetect's
winnowing fingerprints (k-grams of that text, Schleimer, Wilkerson and Aiken, SIGMOD 2003;
``copydetect.CodeFingerprint`` on a string, ``compare_files``) then measure the share of each
body found in the other; a pair's score is the smaller share, so a short body inside a long
one is not near-identical. copydetect's own tokenizer is not used: it also replaces the names
of torch functions and methods, so ``x.transpose(1, 2).reshape(...)`` and
``x.transpose(1, 2).contiguous().view(...)`` looked the same (0.95). Measured on the
independent correct implementations of tests/mutants against the reference solutions (152
of at least 20 tokens): none scores above 0.78 here, so the default threshold of 0.9 leaves
honest work alone while a copy with renamed variables and moved comments scores 1.0.
The stub's own body (``raise NotImplementedError()``)
is copydetect "boilerplate": its fingerprints never count, and a body that is still the stub
is not compared. So is the last hint's fill-in-the-blanks skeleton (``___``), published to
every student: students who fill its blanks write the same body without seeing each other's,
so a body made mostly of it (``HINTED``, ``skeleton_share``) is not compared.

Short bodies (a ``return a @ b`` everyone writes alike) are never reported: a body needs at
least ``min_tokens`` tokens (Python tokens after normalisation, names and operators counted
alike) to be compared. The report says "similar", never more: a human reads the two bodies.

``class_similarity(out_dir)`` returns the data and ``html_section(data)`` an HTML section
(its own scoped style) so other pages (the class report) can include it; ``html_page`` is
the stand-alone page. Nothing here imports torch.
"""
from __future__ import annotations

import ast
import html
import io
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

THRESHOLD = 0.9
MIN_TOKENS = 20
NOISE = 15  # copydetect's noise threshold k: characters of normalised text per fingerprint
GUARANTEE = 20  # copydetect's guarantee threshold: a shared run this long is always seen
SHOWN = 10  # pairs shown side by side per exercise; the others are named


@dataclass
class Body:
    """One function as written (``code``) and its normalised form."""
    code: str
    normalised: str
    tokens: int
    fingerprint: object = field(default=None, repr=False)


def _repo() -> Path:
    return Path(__file__).resolve().parent.parent


def exercise_ids() -> list[str]:
    from autograder.engine.batch import known_exercises

    return known_exercises()


class _DropStrings(ast.NodeTransformer):
    """Remove docstrings and other bare string statements (comments in disguise)."""

    def generic_visit(self, node):
        super().generic_visit(node)
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(node, name, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                kept = [s for s in stmts if not (isinstance(s, ast.Expr) and isinstance(
                    s.value, ast.Constant) and isinstance(s.value.value, str))]
                if not kept and name == "body":
                    kept = [ast.Pass()]
                setattr(node, name, kept)
        return node


class _Rename(ast.NodeTransformer):
    """Every name the student chose (parameters, variables, their helpers) becomes ``v``;
    an imported name becomes what it imports (``F`` -> ``torch.nn.functional``); builtins,
    attributes and keyword names (``x.sum(dim=-1)``) stay: they say what the code does."""

    def __init__(self, imported: dict[str, str]):
        self.imported = imported

    def visit_Name(self, node: ast.Name):
        if node.id in self.imported:
            return ast.copy_location(ast.parse(self.imported[node.id], mode="eval").body, node)
        if node.id not in BUILTINS:
            node.id = PLACEHOLDER
        return node

    def visit_arg(self, node: ast.arg):
        node.arg, node.annotation = PLACEHOLDER, None
        return node

    def visit_FunctionDef(self, node):
        node.name, node.returns, node.decorator_list = PLACEHOLDER, None, []
        self.generic_visit(node)
        return node

    visit_AsyncFunctionDef = visit_FunctionDef


PLACEHOLDER = "v"
BUILTINS = set(dir(__import__("builtins")))


def imports_of(trees: list[ast.Module]) -> dict[str, str]:
    """{local name: the dotted name it imports} of a file's top-level imports."""
    out: dict[str, str] = {}
    for tree in trees:
        for node in tree.body:
            if isinstance(node, ast.Import):
                for a in node.names:
                    out[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                        a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name != "*":
                        out[a.asname or a.name] = f"{node.module}.{a.name}"
    return out


def _body_text(fn: ast.AST, imported: dict[str, str] | None = None) -> str:
    """The statements of a def, without docstrings or comments, in one layout, with the
    student's own names replaced (``_Rename``). Rewrites ``fn`` in place (copying every
    tree cost more than the rest of the report): ``body_of`` reads what it needs first."""
    node = _Rename(imported or {}).visit(_DropStrings().visit(fn))
    if isinstance(node, ast.Lambda):
        return ast.unparse(node.body)
    return "\n".join(ast.unparse(s) for s in node.body)


def _written(src: str, fn: ast.AST) -> str:
    """The def as the student wrote it (comments kept), without its docstring."""
    lines = src.splitlines()
    if isinstance(fn, ast.Lambda):
        return ast.get_source_segment(src, fn) or ast.unparse(fn)
    body = fn.body
    start = fn.lineno
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        head = "\n".join(lines[fn.lineno - 1:body[0].lineno - 1])
        rest = lines[body[0].end_lineno:fn.end_lineno]
        indent = re.match(r"\s*", lines[body[0].lineno - 1]).group(0)
        text = "\n".join([head.rstrip(), indent + '"""..."""', *rest]) if head.strip() \
            else "\n".join(rest)
    else:
        text = "\n".join(lines[start - 1:fn.end_lineno])
    return text.rstrip()


def definitions(files: list[Path]) -> tuple[dict[str, tuple[str, ast.AST]], dict[str, str]]:
    """{name: (source, def node)} of the files' top-level functions (a later definition wins,
    as when the files are loaded in order: ``runner.load``, ``static.banned_names``) and
    their imports (``imports_of``)."""
    from autograder.engine.static import parsed_sources, top_level

    defs: dict[str, tuple[str, ast.AST]] = {}
    trees = []
    for path in files:
        for src, tree in parsed_sources(path):
            trees.append(tree)
            defs.update((name, (src, node)) for name, node in top_level(tree)[0].items())
    return defs, imports_of(trees)


def calls(defs: dict) -> dict[str, list[str]]:
    """{function: the file's own functions it names, in order of appearance}."""
    return {name: list(dict.fromkeys(n.id for n in ast.walk(fn) if isinstance(n, ast.Name)
                                     and n.id in defs and n.id != name))
            for name, (_, fn) in defs.items()}


def _helpers(name: str, graph: dict[str, list[str]], exercises: set[str]) -> list[str]:
    """The module-level functions ``name`` calls (transitively) that are not exercises: a
    body moved into a helper is still compared; another exercise's function is not."""
    seen, order, todo = {name}, [], [name]
    while todo:
        for n in graph.get(todo.pop(), []):
            if n not in seen and n not in exercises:
                seen.add(n)
                order.append(n)
                todo.append(n)
    return order


def count_tokens(text: str) -> int:
    """Tokens of a normalised body: names, numbers, each operator or bracket character
    (``x ** 2`` counts four) and each string as one (an einsum's ``'...i,io->...o'`` is one
    argument, not twelve tokens of code)."""
    return len(TOKEN.findall(STRING.sub("S", text)))


TOKEN = re.compile(r"\w+|[^\w\s]")
STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'" + r'|"(?:[^"\\\n]|\\.)*"')


def body_of(name: str, defs: dict, exercises: set[str],
            imported: dict[str, str] | None = None, memo: dict | None = None) -> Body | None:
    """The Body of ``name`` and the helpers it calls. Pass one ``memo`` for every name of
    the same ``defs``: it keeps the call graph (read before any def is normalised) and each
    def's normalised text (normalising rewrites the def)."""
    if name not in defs:
        return None
    memo = {} if memo is None else memo
    if not memo:
        memo.update(graph=calls(defs), written={n: _written(*d) for n, d in defs.items()},
                    text={})
    parts = [name, *_helpers(name, memo["graph"], exercises)]
    for n in parts:
        if n not in memo["text"]:
            memo["text"][n] = _body_text(defs[n][1], imported)
    normalised = "\n".join(memo["text"][n] for n in parts)
    code = "\n\n".join(memo["written"][n] for n in parts)
    return Body(code, normalised, count_tokens(normalised))


def _stable_kgrams(string: str, k: int):
    """copydetect's ``hashed_kgrams`` with a hash that is the same in every process (the
    builtin ``hash`` of a str is salted per process, so winnowing would pick other k-grams
    on each run and a score could change from run to run)."""
    import hashlib

    import numpy as np

    return np.array([int.from_bytes(hashlib.blake2b(string[i:i + k].encode(), digest_size=8)
                                    .digest(), "little", signed=True)
                     for i in range(len(string) - k + 1)], dtype=np.int64)


def _fingerprint(text: str, boilerplate=None):
    import copydetect.utils
    from copydetect import CodeFingerprint

    copydetect.utils.hashed_kgrams = _stable_kgrams  # read by get_document_fingerprints

    compact = re.sub(r"\s+", "", text)  # layout is already one: ast.unparse wrote it
    return CodeFingerprint("body.py", NOISE, GUARANTEE - NOISE + 1, boilerplate=boilerplate,
                           filter=False, fp=io.StringIO(compact))


def score(a: Body, b: Body) -> float:
    """copydetect's share of each body found in the other; the smaller of the two."""
    from copydetect import compare_files

    if not a.fingerprint.hashes or not b.fingerprint.hashes:
        return 0.0
    if not a.fingerprint.hashes & b.fingerprint.hashes:
        return 0.0
    _, (sa, sb), _ = compare_files(a.fingerprint, b.fingerprint)
    return float(min(sa, sb))


def _pair(a: tuple[str, Body], b: tuple[str, Body], s: float) -> dict:
    (sa, ba), (sb, bb) = sorted([a, b], key=lambda m: m[0])
    return {"a": sa, "b": sb, "score": round(s, 3), "a_code": ba.code, "b_code": bb.code}


def _skeleton(fn: ast.AST, imported: dict[str, str]) -> str | None:
    """The normalised code of the last hint of a solution's ``@exercise(..., hints=(...))``
    when it is a fill-in-the-blanks skeleton (``___``), read from the source (no import)."""
    for dec in getattr(fn, "decorator_list", []):
        hints = next((k.value for k in getattr(dec, "keywords", []) if k.arg == "hints"), None)
        if hints is None:
            continue
        try:
            last = ast.literal_eval(hints)[-1]
            tree = ast.parse("def _():\n" + "\n".join("    " + ln
                                                      for ln in last.splitlines()))
        except (ValueError, TypeError, IndexError, SyntaxError):
            return None
        return _body_text(tree.body[0], imported) if "___" in last else None
    return None


def skeleton_share(body: str, skeleton: str | None) -> float:
    """The share of a normalised body's tokens that are the hint skeleton's, in runs of at
    least ``RUN`` tokens in the skeleton's order (what is left: its blanks, filled)."""
    import difflib

    tokens = TOKEN.findall(body)
    if not skeleton or not tokens:
        return 0.0
    sm = difflib.SequenceMatcher(None, TOKEN.findall(skeleton), tokens, autojunk=False)
    return sum(m.size for m in sm.get_matching_blocks() if m.size >= RUN) / len(tokens)


RUN = 4
HINTED = 0.75  # a body this much the hint's skeleton is that skeleton filled in


def _stubs_and_solutions(repo: Path, names: set[str], catalog: set[str]):
    """{name: stub body text} from exercises/, {name: Body} from solutions/ and {name: the
    normalised skeleton of its last hint} (``_skeleton``)."""
    stub_defs, stub_imports = definitions(sorted((repo / "exercises").glob("ch[0-9][0-9]_*.py")))
    sol_defs, sol_imports = definitions(sorted((repo / "solutions").glob("ch[0-9][0-9]_*.py")))
    stubs = {n: _body_text(fn, stub_imports) for n, (_, fn) in stub_defs.items()}
    skeletons = {n: sk for n in names if n in sol_defs
                 and (sk := _skeleton(sol_defs[n][1], sol_imports))}
    memo: dict = {}
    solutions = {n: body_of(n, sol_defs, catalog, sol_imports, memo) for n in names
                 if n in sol_defs}
    return stubs, solutions, skeletons


def class_similarity(out_dir: str | Path, threshold: float = THRESHOLD,
                     min_tokens: int = MIN_TOKENS, repo: Path | None = None) -> dict:
    """The similarity data of a graded batch:

    ``{"threshold", "min_tokens", "students": [...], "skipped": {student: why},
    "exercises": [{"id", "compared", "short", "hinted", "pairs": [{"a", "b", "score", "a_code",
    "b_code"}], "reference": [{"student", "score", "code", "reference_code"}]}]}``,
    exercises in catalog order, pairs and reference matches by decreasing score.
    """
    from autograder.engine.batch import read_result
    from autograder.engine.intake import submission_files

    repo = repo or _repo()
    out_dir = Path(out_dir)
    results = sorted((r for p in out_dir.glob("*.json") if (r := read_result(p))),
                     key=lambda r: r["student"])
    ids = exercise_ids()
    graded = {e["id"] for r in results for e in r["exercises"]}
    ids = [i for i in ids if i in graded]
    names = {i.split(".")[1] for i in ids}
    catalog = {i.split(".")[1] for i in exercise_ids()}  # never a helper, graded or not
    stubs, solutions, skeletons = _stubs_and_solutions(repo, names, catalog)
    boiler = {}
    skipped: dict[str, str] = {}
    bodies: dict[str, dict[str, Body]] = {}
    for r in results:
        sub = Path(r.get("submission") or "")
        if not r.get("submission") or not sub.exists():
            skipped[r["student"]] = f"submission not found: {sub}"
            continue
        defs, imported = definitions(submission_files(sub))
        memo: dict = {}
        bodies[r["student"]] = {n: b for n in names
                                if (b := body_of(n, defs, catalog, imported, memo))}
        if not bodies[r["student"]]:
            skipped[r["student"]] = "no exercise function found (no .py file or notebook, " \
                "or none that parses)"
    exercises = []
    for i in ids:
        name = i.split(".")[1]
        stub = stubs.get(name, "raise NotImplementedError()")
        skeleton = skeletons.get(name)
        if name not in boiler:
            boiler[name] = _fingerprint(stub).hashes | (
                _fingerprint(skeleton).hashes if skeleton else set())
        bp = list(boiler[name])
        ref = solutions.get(name)
        if ref is not None:
            ref.fingerprint = _fingerprint(ref.normalised, bp)
        entries, short, hinted = [], 0, 0
        for student, found in bodies.items():
            b = found.get(name)
            if b is None or b.normalised.strip() == stub.strip():
                continue  # not found, or still the stub
            if b.tokens < min_tokens:
                short += 1
                continue
            if skeleton_share(b.normalised, skeleton) >= HINTED:
                hinted += 1  # the published skeleton with its blanks filled: alike by design
                continue
            b.fingerprint = _fingerprint(b.normalised, bp)
            entries.append((student, b))
        # Bodies identical once normalised score 1.0 without comparing; one of each kind is
        # compared with the others (a class that all wrote the same body costs one body).
        kinds: dict[str, list[tuple[str, Body]]] = {}
        for student, b in entries:
            kinds.setdefault(b.normalised, []).append((student, b))
        groups = list(kinds.values())
        pairs = []
        for g, members in enumerate(groups):
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    pairs.append(_pair(members[x], members[y], 1.0))
            for other in groups[g + 1:]:
                s = score(members[0][1], other[0][1])
                if s >= threshold:
                    pairs += [_pair(a, b, s) for a in members for b in other]
        reference = []
        if ref is not None and ref.tokens >= min_tokens:
            for members in groups:
                s = score(members[0][1], ref)
                if s >= threshold:
                    reference += [{"student": student, "score": round(s, 3), "code": b.code,
                                   "reference_code": ref.code} for student, b in members]
        pairs.sort(key=lambda p: (-p["score"], p["a"], p["b"]))
        reference.sort(key=lambda p: (-p["score"], p["student"]))
        exercises.append({"id": i, "compared": len(entries), "short": short,
                          "hinted": hinted, "pairs": pairs, "reference": reference})
    return {"threshold": threshold, "min_tokens": min_tokens,
            "students": [r["student"] for r in results], "skipped": skipped,
            "exercises": exercises}


STYLE = """
.similarity { font-family: system-ui, sans-serif; }
.similarity .pair { display: grid; grid-template-columns: 1fr 1fr; gap: .5em; }
.similarity pre { background: #f6f8fa; padding: .5em; overflow-x: auto; margin: 0;
                  font-size: 0.85em; }
.similarity .who { font-weight: 600; margin: .3em 0; }
.similarity .note { color: #555; }
.similarity details { margin: .4em 0 1em; }
"""


def _side(title: str, code: str) -> str:
    return f'<div><div class="who">{html.escape(title)}</div><pre>{html.escape(code)}</pre></div>'


def html_section(data: dict) -> str:
    """The similarity findings as one ``<section id="similarity">`` (its style inside), for
    ``html_page`` and for the class report (``autograder/class_report.py``: a section there
    is ``lambda cls: html_section(class_similarity(cls.folder))``)."""
    e = html.escape
    flagged = [x for x in data["exercises"] if x["pairs"] or x["reference"]]
    # id, then the heading first: the class report's index finds its sections that way
    parts = [f"<section id=\"similarity\" class=\"similarity\"><h2>Similar function bodies"
             f"</h2><style>{STYLE}</style>",
             f"<p class=\"note\">{len(data['students'])} students, "
             f"{len(data['exercises'])} exercises compared; {len(flagged)} exercise(s) with "
             f"similar bodies. A pair is listed when its similarity is at least "
             f"{data['threshold']:g} (0 to 1: the share of each body found in the other, "
             "the smaller of the two) once identifier names, comments, docstrings, layout "
             "and the stub's own text are set aside. Bodies shorter than "
             f"{data['min_tokens']} tokens are not compared: short code is written alike by "
             "everyone; nor are bodies that are mostly the last hint's published skeleton "
             f"({100 * HINTED:.0f}% or more of their tokens) with its blanks filled in: "
             "students who follow the hint write the same code. Similar code is a reason to "
             "look, not a finding: read the two bodies.</p>"]
    if data["skipped"]:
        parts.append("<p class=\"note\">Not compared: " + "; ".join(
            f"{e(s)} ({e(why)})" for s, why in sorted(data["skipped"].items())) + "</p>")
    if not flagged:
        parts.append("<p>No similar bodies.</p>")
    for x in flagged:
        n = x["compared"]
        parts.append(f"<h3>{e(x['id'])}</h3><p class=\"note\">{n} "
                     f"{'body' if n == 1 else 'bodies'} compared, {x['short']} too short to "
                     f"compare, {x.get('hinted', 0)} the hint's skeleton filled in.</p>")
        for p in x["pairs"][:SHOWN]:
            parts.append(f"<details open><summary>{e(p['a'])} and {e(p['b'])}: similar "
                         f"({p['score']:.2f})</summary><div class=\"pair\">"
                         f"{_side(p['a'], p['a_code'])}{_side(p['b'], p['b_code'])}"
                         "</div></details>")
        if len(x["pairs"]) > SHOWN:
            parts.append(f"<p class=\"note\">{len(x['pairs']) - SHOWN} more similar pairs "
                         "(many students wrote this the same way: perhaps it is simply how it "
                         "is written): " + ", ".join(
                             f"{e(p['a'])} and {e(p['b'])} ({p['score']:.2f})"
                             for p in x["pairs"][SHOWN:]) + "</p>")
        for p in x["reference"][:SHOWN]:
            parts.append(f"<details open><summary>{e(p['student'])} and the reference "
                         f"solution: similar ({p['score']:.2f})</summary><div class=\"pair\">"
                         f"{_side(p['student'], p['code'])}"
                         f"{_side('reference solution', p['reference_code'])}</div></details>")
        if len(x["reference"]) > SHOWN:
            parts.append(f"<p class=\"note\">{len(x['reference']) - SHOWN} more similar to the "
                         "reference solution: " + ", ".join(
                             f"{e(p['student'])} ({p['score']:.2f})"
                             for p in x["reference"][SHOWN:]) + "</p>")
    parts.append("</section>")
    return "\n".join(parts)


def html_page(data: dict) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Similar function bodies</title></head><body>\n"
            f"{html_section(data)}\n</body></html>\n")


def main(out_dir: str, out: str | None = None, threshold: float | None = None,
         min_tokens: int | None = None) -> int:
    """Write the page; exit 0 (also when something is similar), 2 on bad input."""
    from autograder.engine.batch import write_atomic

    folder = Path(out_dir)
    threshold = THRESHOLD if threshold is None else threshold
    min_tokens = MIN_TOKENS if min_tokens is None else min_tokens
    if not 0 < threshold <= 1:
        print(f"workbook similarity: --threshold {threshold:g}: give a number above 0 and at "
              "most 1", file=sys.stderr)
        return 2
    if not folder.is_dir():
        print(f"workbook similarity: {folder}: no such folder (give the --out folder of "
              "`workbook grade`)", file=sys.stderr)
        return 2
    data = class_similarity(folder, threshold, max(1, min_tokens))
    if not data["students"]:
        print(f"workbook similarity: {folder}: no result files (<student>.json) here; grade "
              f"the class first: workbook grade SUBMISSION... --out {folder}", file=sys.stderr)
        return 2
    target = Path(out) if out else folder / "similarity.html"
    try:
        write_atomic(target, html_page(data))
    except OSError as exc:
        print(f"workbook similarity: cannot write {target}: {exc.strerror or exc}",
              file=sys.stderr)
        return 2
    for s, why in sorted(data["skipped"].items()):
        print(f"warning: {s}: not compared, {why}", file=sys.stderr)
    for x in data["exercises"]:
        for p in x["pairs"]:
            print(f"{x['id']}: {p['a']} and {p['b']} similar ({p['score']:.2f})")
        for p in x["reference"]:
            print(f"{x['id']}: {p['student']} similar to the reference solution "
                  f"({p['score']:.2f})")
    n = sum(len(x["pairs"]) for x in data["exercises"])
    m = sum(len(x["reference"]) for x in data["exercises"])
    print(f"wrote {target}: {len(data['students'])} students, {n} similar pair(s), {m} body(ies) "
          "similar to the reference solution")
    return 0
