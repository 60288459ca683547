"""Public property checks: what each exercise's self-check verifies beyond its examples.

Every exercise's self-check (exercises/test_chNN_*.py and the notebooks' check cells) re-runs
its docstring examples' inputs and checks, with no expected value beyond the examples:

- ``unchanged``: the inputs are left as they were;
- ``layout``: a non-contiguous copy of the inputs gives the same result;
- ``float64``: float64 inputs give a float64 result with the same values;
- the exercise's marks: ``ban`` (no banned operator in a trace of the call), ``vec`` (the
  number of torch operations does not grow with the input's size), ``grad`` (the result is
  differentiable), ``rand`` (the same generator state gives the same result; the global
  generator is untouched), ``causal`` (changing only the last position of the sequence leaves
  every earlier position of the result as it was);
- ``stable``: inputs scaled by 1000 give a finite result (exercises listed in ``STABLE``);
- ``batch``: where the docstring gives arguments and result a leading batch axis (``x: (B,
  T, C)`` and ``Returns: (B, ...)``, or ``(..., T)`` for both), a batch of three items gives
  each item's own result (found by ``batch_arguments``; opt out with ``"batch"`` in SKIP);
- ``random``: all of the above again on the examples' inputs with random values in place of
  every float (a fixed seed; a call that raises on them is not judged).

An exercise whose meaning makes one of the generic checks wrong (its result's dtype is fixed,
its input is meant to be changed) opts out in ``SKIP``. This module is read by the build
(autograder/build/render.py) and imports nothing.
"""

# exercise id -> the generic checks that do not hold for it (see the module docstring)
SKIP: dict[str, tuple[str, ...]] = {
    # random scores at +-1000 may put a row's largest score under the mask, where a correct
    # "softmax, then zero the masked and renormalise" has no finite answer
    "ch13.masked_softmax": ("random-stable",),
    # w is (..., D) or a (D,) shared by every row: stacking the example's (D,) w with x's
    # items is not a batch of items
    "ch04.weighted_average": ("batch",),
}

# exercises whose result must stay finite for inputs of size 1000 (softmax-like)
STABLE: set[str] = {
    "ch04.logsumexp", "ch09.sigmoid", "ch09.tanh_from_exp", "ch09.softmax", "ch09.log_softmax",
    "ch09.cross_entropy", "ch09.binary_cross_entropy_with_logits", "ch10.mlp_forward",
    "ch13.masked_softmax", "ch13.causal_self_attention", "ch13.multi_head_attention",
    "ch13.padded_causal_attention", "ch13.attention_with_kv_cache", "ch14.gpt_block",
    "ch14.lm_loss", "ch14.baby_gpt_logits"}


def property_options(ex) -> dict:
    """The keyword options of ``expect_properties`` for one exercise."""
    opts = {}
    skip = SKIP.get(ex.id, ())
    if skip:
        opts["skip"] = tuple(skip)
    if ex.ban:
        opts["ban"] = tuple(ex.ban)
    for mark in ("vec", "grad", "rand", "causal"):
        if getattr(ex, mark):
            opts[mark] = True
    if ex.id in STABLE:
        opts["stable"] = True
    batch = batch_arguments(ex)
    if batch:
        opts["batch"] = batch
    return opts


def batch_arguments(ex) -> tuple[str, tuple[int, ...]] | None:
    """``("cat", (0, 2))`` when the docstring gives arguments 0 and 2 a leading batch axis
    ``(B, ...)`` and the result one too (``"stack"`` for ``(..., ...)`` leading axes): then
    the result for a batch of items is the results for each item, batched the same way."""
    import importlib
    import inspect
    import re

    fn = getattr(importlib.import_module(ex.module), ex.name)
    doc = inspect.getdoc(fn) or ""
    if ex.id in SKIP and "batch" in SKIP[ex.id] or "Args:" not in doc or "Returns:" not in doc:
        return None
    args, _, rest = doc.split("Args:", 1)[1].partition("Returns:")
    returns = rest.strip().split("\n", 1)[0]
    names = list(inspect.signature(fn).parameters)
    kinds = {}
    for m in re.finditer(r"^\s*(\w+): \((B|\.\.\.),", args, flags=re.M):
        if m.group(1) in names:
            kinds[names.index(m.group(1))] = "cat" if m.group(2) == "B" else "stack"
    want = "cat" if returns.startswith("(B,") else "stack" if returns.startswith("(...,") \
        else None
    if not kinds or want is None or set(kinds.values()) != {want}:
        return None
    return want, tuple(sorted(kinds))
