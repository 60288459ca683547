"""The one registry of exercise metadata.

Every exercise is declared where its reference solution is written::

    @exercise("ch06.dot_product", points=1, book="seed",
              examples=[Example("dot_product(torch.tensor([1., 2., 3.]), "
                                "torch.tensor([4., 5., 6.]))", expect="torch.tensor(32.)")])
    def dot_product(a, b): ...

The id, points, book problem and CATALOG marks (ban, vec, causal, grad, rand) live here and
nowhere else; the stub generator, the notebooks, the graders and the CLI all read them from
``EXERCISES``. ``examples`` are the public self-checks: each is a call written as source (so the
generated student files can show it) and either a literal expected value, an exception the
call must raise, or a predicate on ``out``.

This module imports nothing heavy, so the CLI can list exercises without importing torch.
"""
from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
from pathlib import Path
from typing import Callable

CHAPTER_TITLES = {
    "ch01": "Creating tensors",
    "ch02": "Indexing, slicing and masks",
    "ch03": "Shapes: reshape, combine, split",
    "ch04": "Elementwise maths and reductions",
    "ch05": "Broadcasting",
    "ch06": "Products, norms and similarity",
    "ch07": "Solving and decomposing",
    "ch08": "Distances and classic machine learning",
    "ch09": "Activations and losses",
    "ch10": "Layers",
    "ch11": "Gradients and optimisation",
    "ch12": "Tokens, batches and embeddings",
    "ch13": "Attention",
    "ch14": "A baby GPT",
}


@dataclasses.dataclass(frozen=True)
class Example:
    """One public self-check: ``call`` is Python source evaluated with ``torch`` in scope.

    Exactly one of ``expect`` (source of the expected value), ``raises`` (an exception class
    name) or ``check`` (source of a predicate over ``out``, explained by ``says``) is given.
    """

    call: str
    expect: str | None = None
    raises: str | None = None
    check: str | None = None
    says: str = ""

    def __post_init__(self):
        given = [x for x in (self.expect, self.raises, self.check) if x is not None]
        if len(given) != 1:
            raise ValueError(f"example {self.call!r}: give exactly one of expect, raises, check")
        if self.check is not None and not self.says:
            raise ValueError(f"example {self.call!r}: a check needs `says` to explain itself")


@dataclasses.dataclass(frozen=True)
class Exercise:
    id: str  # "ch06.dot_product"
    points: float
    book: str  # "P37, P44" or "seed" or ""
    ban: tuple[str, ...] = ()
    vec: bool = False
    causal: bool = False
    grad: bool = False
    rand: bool = False
    examples: tuple[Example, ...] = ()
    module: str = ""  # "solutions.ch06_products"
    order: int = 0  # position in its chapter, as in CATALOG.md
    # Teaching aids (issue 12): up to three progressive hints (the idea; the torch operations
    # to use; a skeleton with blanks), a 1-3 star difficulty and a minutes estimate.
    hints: tuple[str, ...] = ()
    stars: int = 0
    minutes: int = 0

    @property
    def chapter(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    @property
    def topic(self) -> str:
        """The chapter's module name without package: "ch06_products"."""
        return self.module.rsplit(".", 1)[-1]

    @property
    def marks(self) -> list[str]:
        out = []
        if self.ban:
            out.append("ban(" + ", ".join(self.ban) + ")")
        out += [m for m in ("causal", "vec", "grad", "rand") if getattr(self, m)]
        return out

    def rules(self) -> list[str]:
        """The rules the grader enforces, in words a student reads in the docstring."""
        out = []
        if self.ban:
            out.append("must not use: " + ", ".join(self.ban) + " (under any alias)")
        if self.vec:
            out.append("must be vectorised: no Python loop over elements, rows or time")
        if self.causal:
            out.append("causal: position t may only depend on positions <= t")
        if self.grad:
            out.append("must be differentiable with autograd")
        if self.rand:
            out.append("draw randomness only from the `generator` argument")
        return out


EXERCISES: dict[str, Exercise] = {}
_ORDER: dict[str, int] = {}


def exercise(id: str, *, points: float = 1, book: str = "", ban=(), vec=False, causal=False,
             grad=False, rand=False, examples=(), hints=(), stars=0, minutes=0) -> Callable:
    """Register the decorated reference solution under ``id`` (see the module docstring)."""

    def register(fn):
        chapter, name = id.split(".", 1)
        if fn.__name__ != name:
            raise ValueError(f"exercise {id} decorates a function named {fn.__name__}")
        if id in EXERCISES and EXERCISES[id].module != fn.__module__:
            raise ValueError(f"exercise {id} is declared twice")
        if len(hints) > 3 or not all(isinstance(h, str) and h.strip() for h in hints):
            raise ValueError(f"exercise {id}: give at most three hints, each a non-empty string")
        if stars not in (0, 1, 2, 3) or minutes < 0:
            raise ValueError(f"exercise {id}: stars is 1-3 and minutes a positive estimate")
        _ORDER[chapter] = _ORDER.get(chapter, 0) + (id not in EXERCISES)
        EXERCISES[id] = Exercise(
            id=id, points=float(points), book=book, ban=tuple(ban), vec=vec, causal=causal,
            grad=grad, rand=rand, examples=tuple(examples), module=fn.__module__,
            hints=tuple(hints), stars=int(stars), minutes=int(minutes),
            order=EXERCISES[id].order if id in EXERCISES else _ORDER[chapter])
        return fn

    return register


def chapter_modules() -> list[str]:
    """Module names of every chapter of solutions/, in chapter order (no import)."""
    import solutions

    return sorted(f"solutions.{m.name}" for m in pkgutil.iter_modules(solutions.__path__)
                  if m.name[:2] == "ch" and m.name[2:4].isdigit())


def load_all() -> dict[str, Exercise]:
    """Import every chapter module (this imports torch) and return the full registry."""
    for mod in chapter_modules():
        importlib.import_module(mod)
    return EXERCISES


def select(selectors: list[str] | None) -> list[Exercise]:
    """Exercises matching ``ch06``, ``ch06.matmul`` or ``matmul``; all when none given."""
    reg = load_all()
    if not selectors:
        return sorted(reg.values(), key=lambda e: (e.chapter, e.order))
    out = []
    for sel in selectors:
        hits = [e for e in reg.values() if sel in (e.id, e.chapter, e.name)]
        if not hits:
            known = sorted({e.chapter for e in reg.values()})
            raise KeyError(f"no exercise or chapter {sel!r}; chapters: {', '.join(known)}")
        out += [e for e in sorted(hits, key=lambda e: (e.chapter, e.order)) if e not in out]
    return out


# -- the metadata read from the chapter files' source, without importing them (no torch) -----


def _chapter_declarations(path: Path) -> list[Exercise]:
    """The exercises declared in one solutions file, in order, by evaluating each
    ``@exercise(...)`` call with the file's simple module-level constants in scope."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = f"solutions.{path.stem}"
    found: list[dict] = []

    def capture(id, **meta):
        return {"id": id, **meta}

    scope = {"exercise": capture, "Example": Example, "__builtins__": {}}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                isinstance(node.targets[0], ast.Name):
            try:  # T = "torch.tensor" and the like; anything else is not needed here
                scope[node.targets[0].id] = eval(compile(ast.Expression(node.value), path.name,
                                                         "eval"), dict(scope))
            except Exception:
                pass
        if not isinstance(node, ast.FunctionDef):
            continue
        for deco in node.decorator_list:
            if isinstance(deco, ast.Call) and getattr(deco.func, "id", "") == "exercise":
                found.append(eval(compile(ast.Expression(deco), path.name, "eval"), scope))
    out = []
    for order, meta in enumerate(found, 1):
        keep = {k: meta[k] for k in ("points", "book", "vec", "causal", "grad", "rand")
                if k in meta}
        out.append(Exercise(
            id=meta["id"], module=module, order=order, ban=tuple(meta.get("ban", ())),
            examples=tuple(meta.get("examples", ())), hints=tuple(meta.get("hints", ())),
            stars=int(meta.get("stars", 0)), minutes=int(meta.get("minutes", 0)),
            **{"points": 1.0, "book": "", **keep}))
    return out


def declared(solutions: Path | None = None) -> dict[str, Exercise]:
    """Every exercise's metadata as the registry holds it, without importing torch when the
    decorators can be read on their own (a chapter whose cannot is imported). ``solutions``:
    another folder of chapter files (tests)."""
    solutions = solutions or Path(__file__).resolve().parent
    out: dict[str, Exercise] = {}
    for path in sorted(solutions.glob("ch[0-9][0-9]_*.py")):
        try:
            chapter = _chapter_declarations(path)
        except Exception:  # a decorator built from something only running the file gives
            import importlib

            importlib.import_module(f"solutions.{path.stem}")
            chapter = [ex for ex in EXERCISES.values() if ex.module == f"solutions.{path.stem}"]
        out.update((ex.id, ex) for ex in sorted(chapter, key=lambda e: e.order))
    return out
