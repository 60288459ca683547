"""The causal-mask battery (DESIGN.md, "The causal-mask battery").

Property checks alone miss head-split bugs, so every causal grader also compares with a
reference; these checks add what a reference comparison on random inputs can miss:

- ``future_invariance``: re-randomising inputs at positions > t leaves outputs <= t unchanged;
- ``jacobian_causal``: d out[:, t] / d x[:, s] is 0 for s > t (block-lower-triangular in time)
  and batch elements do not see each other, to within rounding relative to the gradient's own
  scale (masking after the softmax and renormalising leaves 1e-9, not exact zeros);
- ``causal_weights``: exposed weights are exactly 0 above the diagonal, rows sum to 1, no NaN;
- ``masks_zero_scores``: scores that are exactly 0 above the diagonal still get masked (a mask
  built from the score values does not);
- ``half_precision``: on CUDA, float16 inputs give finite outputs (a -1e9 mask overflows).

A failed ``future_invariance`` or ``jacobian_causal`` carries a picture for the feedback page
(``dependence``): which output positions change when one input position changes, beside the
allowed lower triangle; a failed ``causal_weights``, the weights beside the expected ones.
"""
from __future__ import annotations

from typing import Callable

import torch

from autograder.checks import figures
from autograder.checks.compare import close, epsilon, tolerance


def future_positions(T: int, device) -> torch.Tensor:
    """bool (T, T), True where key j is in query i's future (j > i)."""
    return torch.ones(T, T, dtype=torch.bool, device=device).triu(1)


def _with_future_redrawn(g, args: tuple, time_axes: dict[int, int], t: int,
                         redraw: Callable | None = None) -> tuple:
    out = list(args)
    for i, axis in time_axes.items():
        x = args[i].clone()
        n = x.shape[axis] - (t + 1)
        if n > 0:
            shape = x.narrow(axis, t + 1, n).shape
            fresh = redraw(shape, x) if redraw is not None else \
                g.randn(*shape, dtype=x.dtype, scale=3.0)
            x.narrow(axis, t + 1, n).copy_(fresh)
        out[i] = x
    return tuple(out)


def _series(g, check: str, value, out_axis: int, T: int) -> torch.Tensor | None:
    """``value`` when it is a tensor with T positions along ``out_axis``, else None (recorded)."""
    if not isinstance(value, torch.Tensor):
        g.check(check, False, "the result is not a tensor")
        return None
    if value.dim() <= (out_axis if out_axis >= 0 else -out_axis - 1) or \
            value.shape[out_axis] != T:
        g.check(check, False, f"the result of shape {tuple(value.shape)} does not have the "
                              f"{T} positions of the input along axis {out_axis}")
        return None
    return value


def future_invariance(g, args: tuple, time_axes: dict[int, int], out_axis: int = 1,
                      pick: Callable = lambda out: out, redraw: Callable | None = None) -> None:
    """For every t, outputs at positions <= t ignore inputs at positions > t.

    ``redraw(shape, x)`` gives the fresh values for x's future (token ids, say); by default
    normal values three times the usual scale."""
    base = g.call("future_invariance", *args)
    if base is None:
        return
    i, axis = next(iter(time_axes.items()))
    T = args[i].shape[axis]
    ref = _series(g, "future_invariance", pick(base.value), out_axis, T)
    if ref is None:
        return
    rtol, atol = tolerance(ref.dtype, ref.device)
    for t in range(T - 1):
        out = g.call("future_invariance", *_with_future_redrawn(g, args, time_axes, t,
                                                                redraw))
        if out is None:
            return
        got = _series(g, "future_invariance", pick(out.value), out_axis, T)
        if got is None:
            return
        past_ref, past_got = ref.narrow(out_axis, 0, t + 1), got.narrow(out_axis, 0, t + 1)
        if not close(past_got, past_ref, rtol, atol):
            g.check("future_invariance", False,
                    f"the output at position {t} changed when only the inputs at positions "
                    f"> {t} changed: position {t} depends on later positions",
                    lambda: dependence(g, args, time_axes, out_axis, pick, redraw))
            return
    g.check("future_invariance", True)


def dependence(g, args: tuple, time_axes: dict[int, int], out_axis: int = 1,
               pick: Callable = lambda out: out, redraw: Callable | None = None,
               title: str = "", allowed: torch.Tensor | None = None) -> dict | None:
    """A heatmaps figure: entry (i, j) is how much output position i changes when only the
    inputs at position j are redrawn (relative to the largest change, rounded), beside the
    allowed lower triangle (1 where j <= i), or beside ``allowed`` (bool (T, T): a causal
    mask that also masks padded keys; the cells it masks below the diagonal are marked too).
    T + 1 plain calls in one batch, made only to draw a failure (never recorded as checks);
    None when a call fails."""
    state = g.gen.get_state()  # drawing a picture leaves the student's later inputs as they are
    try:
        return _dependence(g, args, time_axes, out_axis, pick, redraw, title, allowed)
    finally:
        g.gen.set_state(state)


def _dependence(g, args, time_axes, out_axis, pick, redraw, title, allowed=None):
    i0, axis = next(iter(time_axes.items()))
    T = min(args[i0].shape[axis], figures.MAX_T)
    cases = [tuple(args)]
    for s in range(T):
        out = list(args)
        for i, ax in time_axes.items():
            x = args[i].clone()
            shape = x.narrow(ax, s, 1).shape
            x.narrow(ax, s, 1).copy_(redraw(shape, x) if redraw is not None else
                                     g.randn(*shape, dtype=x.dtype, scale=3.0).to(x.device))
            out[i] = x
        cases.append(tuple(out))
    outs = g.impl.call_many(g.ex.name, [(c, None) for c in cases])
    if not all(o.ok for o in outs):
        return None
    base = pick(outs[0].value)
    if not isinstance(base, torch.Tensor) or base.dim() == 0:
        return None
    base = base.detach().cpu().double().movedim(out_axis, 0)
    if base.shape[0] < T:
        return None
    cols = []
    for o in outs[1:]:
        got = pick(o.value)
        if not isinstance(got, torch.Tensor):
            return None
        got = got.detach().cpu().double().movedim(out_axis, 0)
        if got.shape != base.shape:
            return None
        same = (got == base) | (got.isnan() & base.isnan())
        change = torch.where(same, 0.0, (got - base).abs().nan_to_num(1e300, 1e300, 1e300))
        cols.append(change[:T].flatten(1).amax(1))  # (T,): each output position's change
    dep = torch.stack(cols, dim=1)  # (i: output, j: input)
    top = float(dep.max())
    if top > 0:
        dep = dep / top
    if allowed is None:
        ok, said, blocked = figures.allowed_lower(T), "allowed: output i may depend on inputs " \
            "j <= i", None
    else:
        ok = allowed[:T, :T].to("cpu", torch.float64)
        said, blocked = "allowed (1): what the mask lets output i depend on", ~allowed[:T, :T]
    return figures.heatmaps(
        title or "which output positions depend on which input positions",
        [("your function: output i (row) changes when input j (column) changes", dep),
         (said, ok)], blocked=blocked,
        note="1 = the largest change seen; a non-zero marked cell is a dependence the mask "
             "forbids (right of the diagonal: a leak from the future)")


def _leak_threshold(grads: torch.Tensor) -> float:
    """What counts as a non-zero gradient: rounding relative to the gradient's own scale."""
    return 64 * epsilon(grads.dtype) * float(grads.abs().max())


def jacobian_causal(g, args: tuple, wrt: int, time_axis: int = 1, out_axis: int = 1) -> None:
    """d out[:, t] / d args[wrt][:, s] == 0 for s > t; batch element 0 sees only itself."""
    x = args[wrt]
    probe = g.call("jacobian_causal", *args)
    if probe is None:
        return
    T = x.shape[time_axis]
    out_like = _series(g, "jacobian_causal", probe.value, out_axis, T)
    if out_like is None:
        return
    for t in range(T):
        g_out = torch.zeros_like(out_like, dtype=x.dtype)
        g_out.narrow(out_axis, t, 1).copy_(g.randn(*g_out.narrow(out_axis, t, 1).shape,
                                                   dtype=x.dtype))
        out = g.call("jacobian_causal", *args, grad_wrt=(wrt,), grad_out=g_out)
        if out is None:
            return
        if out.grad_error:  # no gradient, no Jacobian: future_invariance still judges the
            return  # mask, and the gradient check says so where the grad mark asks for one
        grads = out.grads[0]
        future = grads.narrow(time_axis, t + 1, x.shape[time_axis] - t - 1)
        if future.numel() and future.abs().max().item() > _leak_threshold(grads):
            per_step = future.abs().movedim(time_axis, 0).flatten(1).amax(1)  # (T - t - 1,)
            s = t + 1 + int(per_step.argmax())
            g.check("jacobian_causal", False,
                    f"the output at position {t} has a gradient of "
                    f"{per_step.max().item():.3g} with respect to the input at position {s} "
                    f"(the largest gradient is {grads.abs().max().item():.3g}): position {t} "
                    "depends on a later position",
                    lambda: dependence(g, args, {wrt: time_axis}, out_axis))
            return
    g_out = torch.zeros_like(out_like, dtype=x.dtype)
    g_out[:1] = g.randn(*g_out[:1].shape, dtype=x.dtype)
    out = g.call("jacobian_causal", *args, grad_wrt=(wrt,), grad_out=g_out)
    if out is None or out.grad_error:
        return
    grads = out.grads[0]
    if x.shape[0] > 1 and grads[1:].abs().max().item() > _leak_threshold(grads):
        g.check("jacobian_causal", False,
                "batch element 0's output depends on other batch elements: each sequence of "
                "the batch must be processed on its own")
        return
    g.check("jacobian_causal", True)


def causal_weights(g, weights: torch.Tensor, check: str = "causal_weights",
                   want: Callable[[], torch.Tensor] | None = None) -> bool:
    """Exactly 0 above the diagonal, rows summing to 1, no NaN. ``want()``: the expected
    weights (same shape), drawn beside the student's when the check fails."""
    def picture():
        return figures.weights("attention weights (first batch element and head; future "
                               "positions j > i marked)", weights, want())

    fig = picture if want is not None else None
    if weights.isnan().any():
        return g.check(check, False, "the weights contain NaN: make sure you aren't computing "
                                     "0 * -inf or exp(-inf - -inf) anywhere", fig)
    T = weights.shape[-1]
    above = future_positions(T, weights.device)
    if (weights[..., above] != 0).any():
        return g.check(check, False, "some weight above the diagonal is not exactly 0: future "
                                     "positions must get no attention at all", fig)
    sums = weights.sum(-1)
    ok = torch.allclose(sums.double(), torch.ones_like(sums, dtype=torch.float64), atol=1e-4)
    worst = sums.flatten()[(sums.double() - 1).abs().flatten().argmax()].item()
    return g.check(check, ok, f"a row of the weights sums to {worst:.4g}, not 1: each row "
                              "(query) must be a distribution over the keys it may see", fig)


def masks_zero_scores(g, T: int, batch: int = 2) -> None:
    """Scores that are 0 above the diagonal (and below it) are still masked by position."""
    above = future_positions(T, g.device)
    scores = g.randn(batch, T, T).masked_fill(above, 0.0)
    scores[..., 1:, 0] = 0.0  # zeros in the past must stay zeros
    out = g.call("masks_zero_scores", scores)
    if out is None:
        return
    got = out.value
    ok = isinstance(got, torch.Tensor) and got.shape == scores.shape and \
        bool((got[..., above] == float("-inf")).all()) and \
        torch.equal(got[..., ~above], scores[..., ~above])
    g.check("masks_zero_scores", ok,
            "scores that are exactly 0 above the diagonal were not all set to -inf (or zeros "
            "below it were changed): build the mask from positions (torch.triu/tril of ones), "
            "never from the score values",
            lambda: figures.weights("scores that are 0 above the diagonal, masked (first "
                                    "batch element; future positions j > i marked: they "
                                    "must be -inf)", got, scores.masked_fill(above, -torch.inf),
                                    label="your result"))


def half_precision(g, args: tuple, oracle: Callable) -> None:
    """float16 on CUDA: finite and close to the float32 reference."""
    if g.device.type != "cuda":
        return
    half = tuple(a.half() if isinstance(a, torch.Tensor) and a.is_floating_point() else a
                 for a in args)
    out = g.call("half_precision", *half)
    if out is None:
        return
    got = out.value
    want = g.oracle64(oracle, *args).float()
    ok = isinstance(got, torch.Tensor) and bool(got.isfinite().all()) and \
        close(got.float(), want, 2e-2, 2e-2)
    g.check("half_precision", ok,
            "in float16 the result is not finite or far off: a mask value like -1e9 overflows "
            "float16; use float('-inf') or torch.finfo(x.dtype).min")
