"""One exercise graded on one device: inputs, calls, comparisons and the catalog marks.

A grader is a function ``grade(g: Grading)`` that builds inputs with ``g``'s seeded generator,
computes what it expects with an independent oracle, and asks ``g`` to compare::

    a, b = g.randn(n, k), g.randn(k, m)
    g.expect("random_inputs", (a, b), want=g.oracle64(torch.mm, a, b),
             mistakes={"is the result transposed?": lambda a, b: (a @ b).T})

Every call goes through the ``Implementation`` (in this process or in a worker), so the same
grader serves pytest, ``workbook audit`` and the grading engine.

In an exercise with a ban or vec mark every call is traced and the ban is judged on all of
them (``finish``), while the values of those same calls are compared: code that behaves only
while traced gains nothing (DESIGN.md, "Integrity of ban and vec").
"""
from __future__ import annotations

import hashlib
from typing import Any, Callable, Mapping, Union

import torch
from torch.utils import _pytree as pytree

from autograder.checks import figures
from autograder.checks.compare import close, first_difference, show, tolerance, which_mistake
from autograder.checks.report import Report
from autograder.checks.trace import Trace
from autograder.runner import Implementation, Outcome, tensor_leaves, vjp

FLOATS = (torch.float32, torch.float64)

# What is added to the message of a call that raised: a text; {part of the error: text}, the
# first entry whose key is in the error (a size mismatch, an index out of bounds: the error
# alone does not tell a student which axis went wrong); or a function of the call's args.
Hint = Union[str, Mapping[str, str], Callable[..., str]]


class GraderBug(Exception):
    """A grader that cannot judge fairly as written (caught by the audit on solutions)."""


def seed_for(*parts: str) -> int:
    """A stable 63-bit seed from strings (student id, exercise id, device)."""
    return int.from_bytes(hashlib.sha256("\0".join(parts).encode()).digest()[:8], "big") >> 1


class Grading:
    def __init__(self, impl: Implementation, exercise, device: str = "cpu", seed: str = "0"):
        self.impl = impl
        self.ex = exercise
        self.device = torch.device(device)
        self.report = Report(exercise.id, exercise.points)
        self.gen = torch.Generator().manual_seed(seed_for(seed, exercise.id))
        self.traced = bool(exercise.ban or exercise.vec)  # every call, when the marks need it
        self._banned: dict[str, str] = {}  # banned pattern -> how it was seen
        self._left_torch: set[str] = set()  # how values were taken out of torch
        self._scalar_reads: dict[int, set[int]] = {}  # input size -> .item() counts seen
        self._shape_seen: tuple[str, dict] | None = None  # the last wrong shape difference() saw

    # -- inputs ----------------------------------------------------------------------------
    def dims(self, n: int, lo: int = 2, hi: int = 9) -> list[int]:
        """``n`` different sizes in [lo, hi], so a mixed-up axis shows as a shape error."""
        pool = torch.randperm(hi - lo + 1, generator=self.gen)[:n] + lo
        return [int(d) for d in pool]

    def randn(self, *shape: int, dtype=torch.float32, scale: float = 1.0) -> torch.Tensor:
        return (torch.randn(shape, generator=self.gen, dtype=torch.float64) * scale).to(
            self.device, dtype)

    def uniform(self, *shape: int, lo: float = 0.0, hi: float = 1.0, dtype=torch.float32):
        x = torch.rand(shape, generator=self.gen, dtype=torch.float64) * (hi - lo) + lo
        return x.to(self.device, dtype)

    def randint(self, high: int, *shape: int) -> torch.Tensor:
        return torch.randint(high, shape, generator=self.gen).to(self.device)

    @staticmethod
    def noncontiguous(x: torch.Tensor) -> torch.Tensor:
        """The same values in a strided, non-contiguous view."""
        y = x.new_empty(*x.shape, 2)[..., 0]
        y.copy_(x)
        return y

    def layouts(self, *args):
        """The args as given, then the same values with every tensor non-contiguous."""
        yield args
        yield tuple(self.noncontiguous(a) if isinstance(a, torch.Tensor) else a for a in args)

    @staticmethod
    def transposed_layout(x: torch.Tensor) -> torch.Tensor:
        """The same values with the last two axes stored column-major."""
        return x.mT.contiguous().mT

    def oracle64(self, fn: Callable, *args, like: torch.Tensor | None = None):
        """``fn`` on float64 copies of the float args, cast back to the inputs' float dtype."""
        floats = [a for a in args if isinstance(a, torch.Tensor) and a.is_floating_point()]
        ref = like if like is not None else (floats[0] if floats else None)
        up = [a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a
              for a in args]
        out = fn(*up)
        if ref is None:
            return out
        return pytree.tree_map(lambda t: t.to(ref.dtype) if isinstance(t, torch.Tensor)
                               and t.is_floating_point() else t, out)

    # -- checks ----------------------------------------------------------------------------
    def check(self, name: str, passed: bool, message: str = "",
              figure: dict | Callable[[], dict | None] | None = None) -> bool:
        """Record check ``name``. ``figure``: a picture of the failure for the feedback page
        (``checks/figures.py``), or a function drawing it, called only when this failure is
        the one the check keeps. A message that reports the wrong shape ``difference`` found
        gets the shapes picture (expected beside returned) instead."""
        if not passed and self._shape_seen is not None and self._shape_seen[0] in message:
            figure, self._shape_seen = self._shape_seen[1], None
        return self.report.record(name, passed, message, figure)

    def figure(self, name: str, figure: dict | Callable[[], dict | None] | None) -> None:
        """Give check ``name``'s failure a picture when it has failed and has none yet
        (``figure`` a function: drawn only then)."""
        self.report.attach(name, figure)

    def call_text(self, args: tuple) -> str:
        """The call as a student would write it (long arguments summarised)."""
        text = _args_text(args)
        return f"{self.ex.name}{text if len(text) <= 160 else text[:150] + ' ...)'}"

    def call(self, check: str, *args, kwargs: Mapping | None = None, hint: Hint = "",
             **opts) -> Outcome | None:
        """The outcome of a call, or None after recording why it failed under ``check``
        (``hint`` is added when the call raised: see ``Hint``)."""
        opts.setdefault("trace", self.traced)
        return self.judged(check, args, self.impl.call(self.ex.name, *args, kwargs=kwargs,
                                                         **opts), hint)

    def judged(self, check: str, args: tuple, out: Outcome, hint: Hint = "") -> Outcome | None:
        """``out``, or None after recording under ``check`` why the call failed (``hint``:
        added when the call raised, see ``Hint``)."""
        if out.trace is not None and out.ok:
            self._observe(out.trace, args)
        if out.missing:
            self.check(check, False, f"no function named {self.ex.name} was found in your "
                                     "submission (is it spelled as in the catalog?)")
            return None
        if out.not_implemented:
            self.check(check, False, f"{self.ex.name} is not implemented yet "
                                     "(it still raises NotImplementedError)")
            return None
        if out.error:
            hint = _hint_text(hint, args, out.error)
            self.check(check, False, f"{self.call_text(args)} raised {out.error}"
                       + (f": {hint}" if hint else ""))
            return None
        return out

    def expect(self, check: str, args: tuple, want: Any, *, kwargs: Mapping | None = None,
               mistakes: Mapping[str, Callable] | None = None, exact: bool = False,
               shares: bool | None = None, rtol: float | None = None,
               atol: float | None = None, outcome: Outcome | None = None,
               scale: float = 0.0, exponent: float = 0.0,
               no_grad: bool = False,
               figure: Callable[[tuple, Any, Any], dict | None] | None = None,
               hint: Hint = "") -> Outcome | None:
        """Call with ``args`` and record whether the result matches ``want``.

        ``mistakes`` maps a message to a wrong oracle: when the result matches one, the
        message names that mistake. ``shares``: True when the result must be a view of the
        first tensor input, False when it must not share memory with any input.
        ``outcome``: the call's outcome when it was already made (``against``).
        ``scale`` and ``exponent``: the magnitude of the values the computation passes
        through (``compare.close`` and ``compare.tolerance``), where the result alone does
        not show it. ``no_grad``: call under ``torch.no_grad()``.
        ``figure(args, got, want)``: draws the failure's picture (``checks/figures.py``), called
        only when this case is the check's kept failure.
        ``hint``: added to the message when the call raised (``Hint``).
        """
        out = self.call(check, *args, kwargs=kwargs, no_grad=no_grad, hint=hint) \
            if outcome is None else self.judged(check, args, outcome, hint)
        if out is None:
            return None
        self.inputs_unchanged(out, args)
        if self.report.failed(check):  # its first failure is the message: no mistake search
            mistakes = None
        msg = self.difference(out.value, want, args, mistakes, exact, rtol, atol,
                              scale=scale, exponent=exponent)
        if msg:
            where = _args_text(args) if _small(args) else f" on random inputs of shapes " \
                f"{_shapes(args)}"
            self.check(check, False, f"{self.ex.name}{where}: {msg}",
                       None if figure is None else lambda: figure(args, out.value, want))
            return out
        self.check(check, True)
        if shares is True:
            self.check("aliasing", bool(out.shares), "the result must be a view of the input "
                       "(no copy): use indexing, .view, .T or .transpose rather than clone")
        elif shares is False:
            self.check("aliasing", not out.shares, "the result shares memory with an input; "
                       "the catalog asks for a copy (use .clone())")
        return out

    def against(self, check: str, cases, oracle: Callable, *, hint: Hint = "",
                scale: float | Callable[..., Any] = 0.0, **opts) -> None:
        """``expect`` on every args tuple of ``cases``, the float64 ``oracle`` giving ``want``.

        ``hint``: added to the message of a call that raised (``Hint``; a function gets the
        case's args). ``scale``: as for ``expect``, or a function of a case's args computed
        like the oracle (on float64 copies, cast back): the size of the error a correct route
        makes on that case (``compare.close``). ``opts``: those of ``expect``.

        An implementation in a worker gets all the cases in one message: the judge's own
        arguments never reach student code there, so the oracles see them unchanged. With a
        ``hint`` or a per-case ``scale``, every case, its expected value and its scale exist
        before the first call in this process too."""
        batched = self.impl.batches_calls and not opts.get("no_grad")
        if not batched and not hint and not callable(scale):
            for args in cases:  # each call keeps its place among the oracle computations
                self.expect(check, args, self.oracle64(oracle, *args), scale=scale, **opts)
            return
        cases = [tuple(args) for args in cases]
        wants = [self.oracle64(oracle, *args) for args in cases]
        scales = [float(self.oracle64(scale, *args)) if callable(scale) else scale
                  for args in cases]
        if batched:
            outs = self.impl.call_many(self.ex.name, [(args, opts.get("kwargs"))
                                                      for args in cases], trace=self.traced)
        else:  # one at a time, each compared before the next call
            outs = (self.impl.call(self.ex.name, *args, kwargs=opts.get("kwargs"),
                                   trace=self.traced, no_grad=opts.get("no_grad", False))
                    for args in cases)
        for args, want, case_scale, out in zip(cases, wants, scales, outs):
            self.expect(check, args, want, outcome=out, scale=case_scale, hint=hint, **opts)

    def raises(self, check: str, args: tuple, exc: str, why: str) -> None:
        """The call must raise ``exc`` (an exception class name) because ``why`` (a phrase:
        "ragged rows (lengths [3, 2])" reads "... but ragged rows must raise ValueError")."""
        out = self.impl.call(self.ex.name, *args, trace=self.traced)
        if out.missing or out.not_implemented:
            self.judged(check, args, out)
            return
        call = self.call_text(args)
        if out.error is None:
            self.check(check, False, f"{call} returned {show(out.value)}, but {why} must raise "
                                     f"{exc}")
        elif out.error.split(":")[0] != exc:
            self.check(check, False, f"{call} raised {out.error}; {why} must raise {exc}: check "
                                     f"for it yourself and raise {exc}")
        else:
            self.check(check, True)

    def large_scores(self, args: tuple, oracle: Callable, *, exponent: float,
                     scale: float = 0.0, check: str = "large_scores", **opts) -> Outcome | None:
        """``expect`` on inputs whose softmax scores reach about +-``exponent`` (CATALOG.md:
        everything built on a softmax holds at +-1000 in float32). The tolerance grows with
        the scores, as every correct route's rounding does; a result that overflows to inf
        or NaN where the answer is finite gets its own message."""
        want = self.oracle64(oracle, *args)
        out = self.call(check, *args, kwargs=opts.pop("kwargs", None))
        if out is None:
            return None
        bad = [t for t, w in zip(tensor_leaves(out.value), tensor_leaves(want))
               if t.shape == w.shape and t.is_floating_point()
               and bool(w.isfinite().all()) and not bool(t.isfinite().all())]
        if bad:
            ordinary = not self.report.failed("random_inputs")
            self.check(check, False,
                       f"{self.ex.name} with scores of about +-{exponent:.0f} gave inf or NaN "
                       "where the answer is finite" + (
                           ": exp overflows there; subtract each row's largest (allowed) "
                           "score before exp, or use torch.softmax" if ordinary else ""),
                       None if opts.get("figure") is None else
                       lambda: opts["figure"](args, out.value, want))
            return out
        return self.expect(check, args, want, outcome=out, exponent=exponent, scale=scale,
                           **opts)

    def inputs_unchanged(self, out: Outcome, args: tuple) -> None:
        which = ", ".join(_ordinal(i) for i in out.mutated)
        self.check("inputs_unchanged", not out.mutated,
                   f"{self.ex.name} modified its input in place (the {which} argument): use "
                   "out-of-place operations (x = x + 1, not x += 1, x[i] = v or x.add_(1)), "
                   "or clone first")

    def difference(self, got, want, args=(), mistakes=None, exact=False, rtol=None,
                   atol=None, path: str = "", scale: float = 0.0,
                   exponent: float = 0.0) -> str | None:
        """None when ``got`` matches ``want``, else what differs and the likely cause."""
        label = f"{path}: " if path else ""
        if isinstance(want, torch.Tensor):
            if type(got) is not torch.Tensor:
                return f"{label}expected a torch.Tensor, got {type(got).__name__}"
            if got.shape != want.shape:
                hint = which_mistake(got, args, mistakes, *tolerance(want.dtype, want.device)) \
                    or which_mistake_shape(got, want)
                said = f"{label}expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
                self._shape_seen = (said, figures.shapes(want.shape, got.shape))
                return said + (f" ({hint})" if hint else "")
            if got.device.type != want.device.type:
                return (f"{label}the result is on {got.device.type} but the inputs were on "
                        f"{want.device.type}: create new tensors with device=x.device")
            if got.dtype != want.dtype:
                same_as_input = any(a.dtype == want.dtype for a in tensor_leaves(args))
                hint = (": keep the input's dtype (avoid a fixed dtype=, .float() or "
                        "torch.tensor(...) on results)") if same_as_input else \
                    f": create it with dtype={want.dtype}"
                return f"{label}expected dtype {_dt(want)}, got {_dt(got)}{hint}"
            d_rtol, d_atol = tolerance(want.dtype, want.device, exponent)
            rtol = d_rtol if rtol is None else rtol
            atol = d_atol if atol is None else atol
            if exact or not want.is_floating_point():
                same = torch.equal(got.cpu(), want.cpu())
            else:
                same = close(got, want, rtol, atol, scale)
            if same:
                return None
            hint = which_mistake(got, args, mistakes, rtol, atol) if mistakes else None
            if got.numel() <= 16 and show(got) != show(want):
                body = f"expected {show(want)}, got {show(got)}"
            else:
                body = "values differ " + first_difference(got, want)
            return f"{label}{body}" + (f": {hint}" if hint else "")
        if isinstance(want, (tuple, list)) and not isinstance(want, torch.Size):
            if not isinstance(got, (tuple, list)) or len(got) != len(want):
                return f"{label}expected a tuple of {len(want)} results, got {show(got)}"
            for i, (g, w) in enumerate(zip(got, want)):
                msg = self.difference(g, w, args, mistakes, exact, rtol, atol,
                                      f"{path}result[{i}]", scale, exponent)
                if msg:  # a mistake may explain the whole tuple, not one result
                    whole = which_mistake(got, args, mistakes, *tolerance(
                        torch.float64)) if mistakes and not path else None
                    return msg + (f": {whole}" if whole and whole not in msg else "")
            return None
        if isinstance(want, dict):
            if not isinstance(got, dict):
                return f"{label}expected a dict, got {type(got).__name__}"
            if set(got) != set(want):
                return f"{label}expected keys {sorted(want)}, got {sorted(map(str, got))}"
            for k in want:
                msg = self.difference(got[k], want[k], args, mistakes, exact, rtol, atol,
                                      f"{path}[{k!r}]", scale, exponent)
                if msg:
                    return msg
            return None
        if isinstance(want, bool) or want is None or isinstance(want, (str, torch.dtype)):
            return None if type(got) is type(want) and got == want else \
                f"{label}expected {want!r}, got {show(got)}"
        if isinstance(want, int):
            ok = type(got) is int or (isinstance(got, int) and not isinstance(got, bool))
            return None if ok and got == want else f"{label}expected the int {want}, got {show(got)}"
        if isinstance(want, float):
            ok = type(got) in (int, float) and abs(got - want) <= 1e-6 * max(1.0, abs(want))
            hint = which_mistake(got, args, mistakes, 1e-9, 1e-9) if mistakes and not ok \
                else None
            return None if ok else f"{label}expected {want!r}, got {show(got)}" + (
                f": {hint}" if hint else "")
        if isinstance(want, torch.Size):
            return None if isinstance(got, tuple) and tuple(got) == tuple(want) else \
                f"{label}expected the shape {tuple(want)} as a tuple or torch.Size, " \
                f"got {type(got).__name__} {show(got)}"
        raise TypeError(f"grader bug: cannot compare with {type(want).__name__}")

    # -- catalog marks ---------------------------------------------------------------------
    def _observe(self, trace: Trace, args: tuple) -> None:
        """What one traced call ran: banned operators, values taken out of torch."""
        for pat in trace.banned(self.ex.ban):
            self._banned.setdefault(pat, "")
        for pat in trace.banned_in_graph(self.ex.ban):
            self._banned.setdefault(pat, " (the autograd graph of your result contains it)")
        self._left_torch.update(trace.leaves_torch())
        size = sum(t.numel() for t in tensor_leaves(args))
        self._scalar_reads.setdefault(size, set()).add(trace.scalar_reads)

    def banned(self, *args, kwargs: Mapping | None = None, oracle: Callable | None = None,
               **opts) -> None:
        """**ban**, a second witness: a call whose float inputs require grad, so that the
        autograd nodes behind the result are named too (``MmBackward0``). Every other call of
        the exercise is traced as well (``finish`` judges them all); ``oracle`` compares this
        call's value like any other."""
        want = None if oracle is None else self.oracle64(oracle, *args)  # before the call
        out = self.impl.call(self.ex.name, *args, kwargs=kwargs, trace=True, graph=True)
        if not out.ok:  # inputs that require grad may be refused: the other calls still count
            return
        if oracle is None:
            self.judged("banned_ops", args, out)
        else:
            self.expect("random_inputs", args, want, outcome=out, kwargs=kwargs, **opts)

    def finish(self) -> None:
        """Judge the marks on every traced call of the exercise."""
        if not self.traced or not self._scalar_reads:
            return
        left = sorted(self._left_torch)
        counts = {n for seen in self._scalar_reads.values() for n in seen}
        sizes = [s for s, seen in self._scalar_reads.items() if max(seen) > 0]
        # element by element: the number of reads grows with the input by more than the one
        # or two a torch function may make itself (F.one_hot reads the largest label)
        if max(counts) - min(counts) >= 3 and len(sizes) > 1:
            left.append(".item() / float() / int() one value at a time (their number grew "
                        "with the input)")
        left_msg = (f"your {self.ex.name} takes values out of torch ({'; '.join(left)}) and "
                    "computes with them in Python or NumPy: in this exercise that is the same "
                    "shortcut as the rule it breaks; compute with torch operations on whole "
                    "tensors") if left else ""
        if self.ex.ban:
            hits = sorted(self._banned)
            how = "".join(sorted({self._banned[h] for h in hits}))
            if hits:
                self.check("banned_ops", False,
                           f"your {self.ex.name} uses {', '.join(hits)}{how}, which this "
                           f"exercise bans (banned: {', '.join(self.ex.ban)}): build it from "
                           "simpler operations")
            self.check("banned_ops", not left, left_msg)
        elif self.ex.vec:
            self.check("vectorised", not left, left_msg + " (a loop over Python numbers is a "
                                                          "loop too)")

    def vectorised(self, make_args: Callable[[int], tuple], small: int = 3, large: int = 7,
                   oracle: Callable | None = None, fixed: Mapping[int, tuple[int, ...]] = (),
                   **opts) -> None:
        """**vec**: the number of dispatched ops is the same at two data sizes.

        Every axis of every tensor argument must differ between the two sizes (CATALOG.md: N,
        D, B, T, C, V vary), except the axes ``fixed`` lists per argument position (a (N, 2)
        point set). ``oracle`` compares both calls' values like any other."""
        counts, shapes = [], []
        for size in (small, large):
            args = make_args(size)
            shapes.append([(i, a.shape) for i, a in enumerate(args)
                           if isinstance(a, torch.Tensor)])
            want = None if oracle is None else self.oracle64(oracle, *args)
            out = self.impl.call(self.ex.name, *args, trace=True)
            if oracle is not None:
                out = self.expect("random_inputs", args, want, outcome=out, **opts)
            else:
                out = self.judged("vectorised", args, out)
            if out is None:
                return
            counts.append(out.trace.dispatch_count if out.trace is not None else 0)
        fixed = dict(fixed)
        for (i, a), (_, b) in zip(*shapes):
            same = [ax for ax, (m, n) in enumerate(zip(a, b)) if m == n
                    and ax not in fixed.get(i, ())]
            if same or len(a) != len(b):
                raise GraderBug(f"vectorised(): argument {i} keeps axes {same} at both sizes "
                                f"({tuple(a)} and {tuple(b)}): every data size must vary")
        self.check("vectorised", counts[0] == counts[1],
                   f"your {self.ex.name} runs {counts[0]} tensor operations at size {small} but "
                   f"{counts[1]} at size {large}: a Python loop over elements, rows or time "
                   "is doing work that one vectorised operation should do")

    def gradient(self, args: tuple, oracle: Callable, wrt: tuple[int, ...],
                 kwargs: Mapping | None = None) -> None:
        """**grad**: gradients of sum(result * g) in float64 against the oracle's."""
        args = tuple(a.double() if isinstance(a, torch.Tensor) and a.is_floating_point() else a
                     for a in args)
        leaves = [a.detach().clone().requires_grad_(True) if i in wrt else a
                  for i, a in enumerate(args)]
        ref_out = oracle(*leaves)
        refs = tensor_leaves(ref_out)
        g_out = pytree.tree_map(lambda t: torch.randn(t.shape, generator=self.gen,
                                                      dtype=torch.float64).to(t.device)
                                if isinstance(t, torch.Tensor) else t, ref_out)
        want = vjp(refs, [leaves[i] for i in wrt], tensor_leaves(g_out))
        out = self.call("gradient", *args, kwargs=kwargs, grad_wrt=wrt,
                        grad_out=pytree.tree_map(lambda t: t.detach() if isinstance(
                            t, torch.Tensor) else t, g_out))
        if out is None:
            return
        if out.grad_error:
            self.check("gradient", False, f"{self.ex.name}: {out.grad_error}")
            return
        want = [torch.zeros_like(leaves[i]) if w is None else w for i, w in zip(wrt, want)]
        # a gradient that is 0 in theory (a bias the softmax cancels) is rounding noise:
        # compared on the scale of all the gradients
        scale = max((float(w.abs().max()) for w in want if w.numel()), default=0.0)
        for i, got, w in zip(wrt, out.grads, want):
            if not close(got, w, 1e-6, 1e-8, scale):
                self.check("gradient", False, f"the gradient with respect to argument {i} is "
                           f"wrong {first_difference(got, w)}: is something computed outside "
                           "autograd (.detach(), .item(), in-place writes into a leaf)?")
                return
        self.check("gradient", True)


def _hint_text(hint: Hint, args: tuple, error: str) -> str:
    """The text ``hint`` adds to the message of a call with ``args`` that raised ``error``."""
    if callable(hint):
        return hint(*args)
    if isinstance(hint, Mapping):
        return next((text for key, text in hint.items() if key in error), "")
    return hint


def which_mistake_shape(got: torch.Tensor, want: torch.Tensor) -> str | None:
    if got.dim() == want.dim() and sorted(got.shape) == sorted(want.shape):
        return "axes in the wrong order: a transpose or permute is missing or extra"
    if got.numel() == want.numel():
        return "the right number of values in the wrong shape"
    if got.dim() == want.dim() - 1:
        return "one axis too few: was a sum or reduction taken over an axis it should keep?"
    if got.dim() == want.dim() + 1:
        return "one axis too many: a reduction or squeeze is missing"
    return None


def _ordinal(i: int) -> str:
    return ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")[i] \
        if i < 7 else f"#{i + 1}"


def _dt(x: torch.Tensor) -> str:
    return str(x.dtype).replace("torch.", "")


def _small(args) -> bool:
    leaves = tensor_leaves(args)
    return sum(t.numel() for t in leaves) <= 24


def _shapes(args) -> str:
    return ", ".join(str(tuple(a.shape)) if isinstance(a, torch.Tensor) else show(a)
                     for a in args)


def _args_text(args) -> str:
    return "(" + ", ".join(show(a, limit=24) for a in args) + ")"
