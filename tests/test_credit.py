"""The credit policy (DESIGN.md, "Credit"; README, "Partial credit"), one test per rule.

Each test grades a real exercise with the hidden grader, the way a student's answer is
graded, and pins the score the rule gives.
"""
import math

import numpy as np
import torch

from autograder.checks.report import PARTIAL
from autograder.graders import grade_exercise
from autograder.runner import InProcess
from solutions.registry import load_all


def graded(exercise_id: str, fn, **helpers):
    ex = load_all()[exercise_id]
    report = grade_exercise(InProcess({ex.name: fn, **helpers}), ex, seed="credit")
    return report, ex.points


def failed(report) -> set[str]:
    return {c.name for c in report.failures}


def test_a_wrong_value_scores_zero():
    report, _ = graded("ch06.matmul", lambda a, b: (a @ b) * 1.001)
    assert report.score == 0.0 and "random_inputs" in failed(report)


def test_a_banned_operator_scores_zero():
    report, _ = graded("ch06.dot_by_hand", lambda a, b: torch.dot(a, b))
    assert failed(report) == {"banned_ops"} and report.score == 0.0


def test_leaving_torch_in_a_ban_exercise_scores_zero():
    def trace(m):
        return torch.tensor(np.trace(m.cpu().numpy()), dtype=m.dtype, device=m.device)

    report, _ = graded("ch06.trace", trace)
    assert failed(report) == {"banned_ops"} and report.score == 0.0
    assert "takes values out of torch" in report.summary()


def test_a_copy_where_the_catalog_asks_for_one_scores_zero_when_in_place():
    def with_element_set(t, index, value):
        t[index] = value  # the copy is the whole exercise
        return t

    report, _ = graded("ch01.with_element_set", with_element_set)
    assert "aliasing" in failed(report) and report.score == 0.0


def test_sharing_memory_where_the_catalog_forbids_it_scores_zero():
    def numpy_to_float32_tensor(a):
        return torch.from_numpy(a) if a.dtype == np.float32 else \
            torch.from_numpy(a.astype(np.float32))

    report, _ = graded("ch01.numpy_to_float32_tensor", numpy_to_float32_tensor)
    assert failed(report) == {"no_shared_memory"} and report.score == 0.0


def test_an_integrity_refusal_scores_zero_even_when_the_values_are_right():
    def matmul_by_broadcast(a, b):
        if torch._C._is_torch_function_mode_enabled():
            return (a[:, :, None] * b[None, :, :]).sum(1)
        return torch.mm(a, b)

    report, _ = graded("ch06.matmul_by_broadcast", matmul_by_broadcast)
    assert "integrity" in failed(report) and report.score == 0.0
    assert "torch._C" in report.summary()


def test_a_loop_where_vec_is_asked_costs_its_share():
    def matmul_by_broadcast(a, b):
        rows = [(a[i][:, None] * b).sum(0) for i in range(a.shape[0])]
        return torch.stack(rows)

    report, points = graded("ch06.matmul_by_broadcast", matmul_by_broadcast)
    assert failed(report) == {"vectorised"}
    assert report.score == round(points * (1 - PARTIAL["vectorised"]), 2)


def test_a_modified_input_costs_its_share():
    def matvec(m, v):
        out = (m * v).sum(-1)
        v.mul_(1.0)  # no change in value ...
        m.add_(0.0)
        m[..., :1] *= 1.0
        m.copy_(m + 0.5)  # ... until here
        return out

    report, points = graded("ch06.matvec", matvec)
    assert failed(report) == {"inputs_unchanged"}
    assert report.score == round(points * (1 - PARTIAL["inputs_unchanged"]), 2)


def test_a_result_outside_autograd_costs_its_share():
    def causal_self_attention(x, wq, bq, wk, bk, wv, bv):
        q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
        s = (q @ k.mT) / math.sqrt(q.shape[-1])
        T = x.shape[1]
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1),
                          float("-inf"))
        return (s.softmax(-1) @ v).detach()

    report, points = graded("ch13.causal_self_attention", causal_self_attention)
    assert failed(report) == {"gradient"}
    assert report.score == round(points * (1 - PARTIAL["gradient"]), 2)


def test_shares_add_up():
    def matmul_by_broadcast(a, b):
        a.add_(0.0)
        a[..., :1] += 0.0
        out = torch.stack([(a[i][:, None] * b).sum(0) for i in range(a.shape[0])])
        a.copy_(a + 1.0)
        return out

    report, points = graded("ch06.matmul_by_broadcast", matmul_by_broadcast)
    assert failed(report) == {"vectorised", "inputs_unchanged"}
    lost = PARTIAL["vectorised"] + PARTIAL["inputs_unchanged"]
    assert report.score == round(points * (1 - lost), 2)


def test_only_the_vec_mark_and_the_general_rules_are_partial():
    assert set(PARTIAL) == {"vectorised", "gradient", "inputs_unchanged", "half_precision"}
