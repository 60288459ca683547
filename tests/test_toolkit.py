"""Unit tests of the check toolkit, each check shown to pass and to fail."""
import math

import pytest
import torch
import torch.nn.functional as F

from autograder.checks import causal
from autograder.checks.compare import close, tolerance
from autograder.checks.grading import Grading
from autograder.checks.report import Report
from autograder.checks.trace import run_traced
from autograder.runner import InProcess
from solutions.registry import Exercise


def grading(fn, name="f", **marks):
    ex = Exercise(id=f"ch99.{name}", points=2.0, book="", **marks)
    return Grading(InProcess({name: fn}), ex, seed="unit")


# -- closeness ---------------------------------------------------------------------------------
def test_tolerance_depends_on_dtype_and_device():
    assert tolerance(torch.float64)[0] < tolerance(torch.float32)[0]
    assert tolerance(torch.float32, "cuda")[0] > tolerance(torch.float32, "cpu")[0]


def test_close_float32_vs_float64_and_infinities():
    x = torch.randn(5, dtype=torch.float64)
    assert close(x.float(), x, *tolerance(torch.float32))
    assert not close(x + 1e-3, x, *tolerance(torch.float64))
    inf = torch.tensor([1.0, float("-inf")])
    assert close(inf, inf.clone(), 0, 0)
    assert not close(torch.tensor([1.0, -1e9]), inf, 1e-5, 1e-6)
    assert not close(torch.tensor([float("nan")]), torch.tensor([0.0]), 1, 1)


# -- traces: ban and vec -----------------------------------------------------------------------
@pytest.mark.parametrize("spelling", [
    lambda x: F.softmax(x, -1), lambda x: torch.softmax(x, -1), lambda x: x.softmax(-1),
    lambda x: torch.ops.aten._softmax(x, -1, False)])
def test_ban_catches_every_alias(spelling):
    _, trace = run_traced(spelling, torch.randn(3, 4))
    assert trace.banned(("_softmax", "softmax")), trace


def test_ban_wildcards_and_clean_code():
    q = torch.randn(1, 2, 3)
    _, trace = run_traced(F.scaled_dot_product_attention, q, q, q)
    assert trace.banned(("scaled_dot_product_attention", "_scaled_dot_product*"))
    _, trace = run_traced(lambda x: (x.exp() / x.exp().sum(-1, keepdim=True)), q)
    assert not trace.banned(("softmax", "_softmax"))


def test_vectorised_passes_broadcast_and_fails_loop():
    g = grading(lambda a: (a * 2).sum(-1), vec=True)
    g.vectorised(lambda s: (torch.randn(s, s + 1),), oracle=lambda a: (a * 2).sum(-1))
    assert g.report.passed
    g = grading(lambda a: torch.stack([r.sum() for r in a]), vec=True)
    g.vectorised(lambda s: (torch.randn(s, s + 1),))
    assert "loop" in g.report.summary()


def test_vectorised_compares_the_values_it_traces():
    g = grading(lambda a: (a * 3).sum(-1), vec=True)
    g.vectorised(lambda s: (torch.randn(s, s + 1),), oracle=lambda a: (a * 2).sum(-1))
    assert [c.name for c in g.report.failures] == ["random_inputs"]


def test_vectorised_refuses_a_size_kept_fixed():
    from autograder.checks.grading import GraderBug

    g = grading(lambda a: a.sum(-1), vec=True)
    with pytest.raises(GraderBug, match="axes \\[1\\]"):
        g.vectorised(lambda s: (torch.randn(s, 4),))
    g = grading(lambda a: a.sum(-1), vec=True)
    g.vectorised(lambda s: (torch.randn(s, 2),), fixed={0: (1,)})  # (N, 2) points
    assert g.report.passed


def test_every_call_of_a_ban_exercise_is_traced_and_judged():
    """An answer that uses the banned operator in only some calls is caught: the grader has
    traced every call, not one it announced."""
    calls = []

    def f(x):
        calls.append(1)
        return x.softmax(-1) if len(calls) == 2 else x.exp() / x.exp().sum(-1, keepdim=True)

    g = grading(f, ban=("softmax", "_softmax"))
    for _ in range(3):
        g.against("value", [(torch.randn(3, 4),)], lambda x: x.softmax(-1))
    g.finish()
    assert "banned_ops" in {c.name for c in g.report.failures}


def test_the_autograd_graph_is_a_second_witness_of_a_ban():
    from autograder.checks.trace import Trace

    assert Trace(autograd=["MmBackward0", "torch::autograd::AccumulateGrad"]) \
        .banned_in_graph(("mm", "matmul")) == ["mm"]
    assert Trace(autograd=["LinalgVectorNormBackward0"]).banned_in_graph(
        ("norm", "linalg_vector_norm")) == ["linalg_vector_norm"]
    g = grading(lambda a, b: a @ b, ban=("mm",))
    g.banned(torch.randn(3, 4), torch.randn(4, 2), oracle=torch.mm)
    g.finish()
    assert "autograd graph" in g.report.summary() or "uses mm" in g.report.summary()


def test_values_taken_out_of_torch_breach_the_ban():
    g = grading(lambda a: torch.tensor(sum(a.tolist()), dtype=a.dtype), ban=("sum",))
    g.against("value", [(torch.randn(5),)], lambda a: a.sum())
    g.finish()
    assert "takes values out of torch (.tolist())" in g.report.summary()
    g = grading(lambda a: torch.tensor(sum(a[i].item() for i in range(len(a))),
                                       dtype=a.dtype), ban=("sum",))
    g.against("value", [(torch.randn(n),) for n in (3, 6)], lambda a: a.sum())
    g.finish()
    assert "one value at a time" in g.report.summary()


# -- runner: mutation, aliasing, errors --------------------------------------------------------
def test_inputs_unchanged_and_aliasing():
    x = torch.randn(3)
    g = grading(lambda a: a.mul_(2))
    g.expect("value", (x.clone(),), x * 2)
    assert [c.name for c in g.report.failures] == ["inputs_unchanged"]
    g = grading(lambda a: a)
    g.expect("value", (x,), x, shares=False)
    assert "shares memory" in g.report.summary()
    g = grading(lambda a: a.clone())
    g.expect("value", (x,), x, shares=True)
    assert "must be a view" in g.report.summary()


def test_wrong_type_dtype_device_and_errors_are_named():
    x = torch.randn(3, dtype=torch.float64)
    cases = {lambda a: a.numpy(): "expected a torch.Tensor",
             lambda a: a.float(): "expected dtype float64",
             lambda a: a.reshape(3, 1): "expected shape (3,)",
             lambda a: 1 / 0: "raised ZeroDivisionError"}
    for fn, words in cases.items():
        g = grading(fn)
        g.expect("value", (x,), x)
        assert words in g.report.summary()
    g = grading(lambda a: a)
    g.expect("value", (x,), x.tolist() and x)
    assert g.report.passed


def test_tensor_subclass_is_not_a_tensor_answer():
    class Sneaky(torch.Tensor):
        def __eq__(self, other):
            return True

    x = torch.randn(3)
    g = grading(lambda a: a.as_subclass(Sneaky))
    g.expect("value", (x,), x + 1)
    assert "expected a torch.Tensor" in g.report.summary()


def test_mistake_oracle_names_the_mistake():
    q = torch.randn(2, 3)
    g = grading(lambda a: a.T @ a)
    g.expect("value", (q,), q @ q.T, mistakes={"that is x^T x": lambda a: a.T @ a})
    assert "that is x^T x" in g.report.summary()


def test_gradient_check():
    g = grading(lambda a: a.exp())
    g.gradient((torch.randn(4),), torch.exp, wrt=(0,))
    assert g.report.passed
    g = grading(lambda a: torch.tensor(a.exp().tolist()))
    g.gradient((torch.randn(4),), torch.exp, wrt=(0,))
    assert "not connected" in g.report.summary()
    g = grading(lambda a: a.detach() * 0 + a.exp().detach() + a * 0)
    g.gradient((torch.randn(4),), torch.exp, wrt=(0,))
    assert "gradient with respect to argument 0 is wrong" in g.report.summary()


# -- report scoring ----------------------------------------------------------------------------
def test_score_is_zero_on_a_wrong_value_and_partial_on_a_rule():
    r = Report("ch99.f", 3.0)
    r.record("random_inputs", True)
    r.record("vectorised", False, "a loop")
    assert r.score == 1.5 and r.status == "failed"
    r.record("inputs_unchanged", False, "modified")
    assert r.score == 0.5
    r.record("gradient", False, "detached")
    assert r.score == 0.0
    r = Report("ch99.f", 3.0)
    r.record("random_inputs", True)
    r.record("banned_ops", False, "uses softmax")  # a rule of the exercise's own line
    assert r.score == 0.0
    r.record("random_inputs", False, "wrong")
    r.record("random_inputs", True)
    assert r.score == 0.0 and "wrong" in r.summary()


# -- causal battery ----------------------------------------------------------------------------
def _attention(mask: str):
    def f(x):
        T = x.shape[1]
        s = x @ x.transpose(1, 2) / math.sqrt(x.shape[-1])
        if mask == "causal":
            s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        elif mask == "swapped":
            s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).tril(-1), float("-inf"))
        elif mask == "mixes_batch":
            x = x.transpose(0, 1).reshape(x.shape)  # a reshape that mixes batch and time
            return f_causal(x)
        elif mask == "renormalised":  # exact, but the future leaves rounding in the Jacobian
            w = s.softmax(-1).masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), 0.0)
            return (w / w.sum(-1, keepdim=True)) @ x
        return s.softmax(-1) @ x
    return f


f_causal = _attention("causal")


@pytest.mark.parametrize("mask,ok", [("causal", True), ("none", False), ("swapped", False),
                                     ("renormalised", True)])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_future_invariance_and_jacobian(mask, ok, dtype):
    g = grading(_attention(mask))
    x = torch.randn(2, 5, 3, dtype=dtype)
    causal.future_invariance(g, (x,), {0: 1})
    causal.jacobian_causal(g, (x,), wrt=0)
    assert g.report.passed == ok, g.report.summary()
    if not ok:
        assert "depends on later positions" in g.report.summary()


def test_tolerance_follows_the_magnitudes():
    f32 = tolerance(torch.float32)
    tiny = torch.full((3,), 1e-6)
    assert close(tiny * (1 + 1e-6), tiny, *f32)
    assert not close(tiny * 1.01, tiny, *f32)  # 1 % off is wrong at 1e-6 as at 1
    assert not close(tiny * 0, tiny, *f32)
    # 0 in theory, rounding of values of size 1 in practice: the grader gives the scale
    assert close(torch.tensor([1e-9]), torch.tensor([0.0]), *f32, scale=1.0)
    assert not close(torch.tensor([1e-9]), torch.tensor([0.0]), *f32)
    # scores of +-1000 through an exp: the logsumexp route and the max shift both pass
    s = torch.randn(4, 7, dtype=torch.float64) * 1000
    want = s.softmax(-1).float()
    s32 = s.float()
    lse = (s32 - s32.logsumexp(-1, keepdim=True)).exp()
    rtol, atol = tolerance(torch.float32, exponent=float(s.abs().max()))
    assert close(lse, want, rtol, atol) and close(s32.softmax(-1), want, rtol, atol)
    assert rtol < 2e-3 and not close(want * 1.01, want, rtol, atol)


def test_jacobian_catches_mixed_batch():
    g = grading(_attention("mixes_batch"))
    causal.jacobian_causal(g, (torch.randn(3, 4, 2, dtype=torch.float64),), wrt=0)
    assert not g.report.passed


def test_causal_weights_and_mask_from_values():
    T = 4
    w = torch.ones(T, T).tril()
    g = grading(lambda s: s)
    assert causal.causal_weights(g, w / w.sum(-1, keepdim=True))
    assert not causal.causal_weights(g, torch.full((T, T), 1 / T))
    g = grading(lambda s: s.masked_fill(s.triu(1) != 0, float("-inf")))
    causal.masks_zero_scores(g, T)
    assert "never from the score values" in g.report.summary()
    g = grading(lambda s: s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1),
                                        float("-inf")))
    causal.masks_zero_scores(g, T)
    assert g.report.passed


# -- rand: seeded properties -------------------------------------------------------------------
from autograder.checks import rand  # noqa: E402


def _rand_grading(fn):
    return grading(fn, rand=True)


def _uniform_checks(g):
    rand.reproducible(g, lambda shape, gen: (shape, gen), torch.float32, (50,))
    x, _ = rand.draw(g, "moments", ((100, 100), rand.generator(7)), torch.float32, (100, 100))
    if x is not None:
        rand.in_range(g, "f", x, 0, 1, "use torch.rand")
        rand.moments(g, "f", x, 0.5, 1 / math.sqrt(12), {"that is randn": (0.0, 1.0)})


def test_rand_accepts_a_correct_sampler():
    g = _rand_grading(lambda shape, gen: torch.rand(shape, generator=gen))
    _uniform_checks(g)
    assert g.report.passed, g.report.summary()


@pytest.mark.parametrize("fn,words", [
    (lambda shape, gen: torch.rand(shape), "global rng"),
    (lambda shape, gen: torch.rand(shape, generator=torch.Generator().manual_seed(0)),
     "same draws"),
    (lambda shape, gen: torch.rand(shape, generator=gen, dtype=torch.float64), "dtype"),
    (lambda shape, gen: torch.randn(shape, generator=gen), "that is randn"),
    (lambda shape, gen: torch.rand(shape, generator=gen.manual_seed(gen.initial_seed())),
     "state advances")])
def test_rand_rejects_wrong_samplers(fn, words):
    g = _rand_grading(fn)
    _uniform_checks(g)
    assert words in g.report.summary().lower()


def test_runner_reports_numpy_sharing_and_plain_mutation():
    import numpy as np

    a = np.arange(4.0, dtype=np.float32)
    out = InProcess({"f": torch.from_numpy}).call("f", a)
    assert out.shares == (0,)
    out = InProcess({"f": lambda a: torch.tensor(a)}).call("f", a)
    assert out.shares == ()
    out = InProcess({"f": lambda xs: xs.append(1) or torch.zeros(1)}).call("f", [1.0, 2.0])
    assert out.mutated == (0,)


def test_half_precision_check_logic_without_a_gpu():
    """The CUDA-only check, run on CPU float16 by pretending the device is CUDA."""
    import types

    def masked(value):
        def f(s):
            T = s.shape[-1]
            return s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), value).softmax(-1)
        return f

    def oracle(s):
        return masked(float("-inf"))(s)

    for value, ok in ((float("-inf"), True), (torch.finfo(torch.float16).min, True),
                      (-1e9, False)):
        g = grading(masked(value))
        g.device = types.SimpleNamespace(type="cuda")
        causal.half_precision(g, (torch.randn(2, 4, 4),), oracle)
        assert g.report.passed == ok, (value, g.report.summary())


# -- against: hints and per-case scales --------------------------------------------------------
def test_against_hint_is_added_only_when_the_call_raises():
    def f(m, v):
        return m + v  # raises unless v lines up with the last axis
    hints = {"must match the size": "v must line up with the LAST axis"}
    g = grading(f)
    g.against("value", [(torch.randn(2, 3), torch.randn(2))], lambda m, v: m + v[:, None],
              hint=hints)
    msg = g.report.failures[0].message
    assert "raised RuntimeError" in msg and msg.endswith(": v must line up with the LAST axis")
    g = grading(f)  # no key in the error: the error alone
    g.against("value", [(torch.randn(2, 3), torch.randn(2))], lambda m, v: m,
              hint={"out of bounds": "never shown"})
    assert "never shown" not in g.report.failures[0].message
    g = grading(lambda x: 1 / 0)  # a function of the args
    g.against("value", [(torch.ones(4),)], lambda x: x, hint=lambda x: f"{x.numel()} entries")
    assert g.report.failures[0].message.endswith("ZeroDivisionError: division by zero: 4 entries")
    g = grading(lambda x: x.sin())  # a value that is wrong gets no hint
    g.against("value", [(torch.ones(4),)], lambda x: x, hint="never shown")
    assert "never shown" not in g.report.failures[0].message


def test_against_scale_per_case_from_the_args():
    def cancels(x):  # sum of +-1e4 and one small value: rounding of 1e4 in float32
        return x.sum()
    x = torch.tensor([1e4, -1e4, 0.1], dtype=torch.float32)
    off = (x.double().sum() + 2e-4).float()
    for scale, ok in ((0.0, False), (lambda x: x.abs().max(), True)):
        g = grading(lambda x: off)
        g.against("value", [(x,)], cancels, scale=scale)
        assert g.report.passed is ok, g.report.summary()
