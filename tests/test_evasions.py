"""Submissions that try to talk the graders round, graded by the engine (``workbook grade``).

One student file per evasion class of DESIGN.md, "Integrity of ban and vec": code that
behaves only while traced, that switches the tracing off or patches it, that runs the banned
operator on another thread, that builds a torch name at run time, NumPy, and ``.tolist()``
loops. In each file the cheating exercise scores 0 with an ``integrity`` or ban message,
while the honest exercises beside it keep full marks. A last file holds only honest answers
that look a little like the cheats (the logsumexp route, renormalised causal weights,
``getattr(obj, "weight")``) and must get full marks.
"""
import json
import textwrap

import pytest

from tests.conftest import REPO, run

HONEST = textwrap.dedent('''
    import math
    import torch


    def dot_product(a, b):
        return (a * b).sum()


    def matmul(a, b):
        return a @ b
''')

ONLY = ["ch06.dot_product", "ch06.matmul", "ch06.dot_by_hand", "ch06.matmul_by_broadcast",
        "ch06.trace", "ch06.norms", "ch06.frobenius_norm", "ch13.causal_self_attention",
        "ch13.masked_softmax"]

# student: (source added to HONEST, {exercise: words its failed check must contain})
CASES = {
    "trace_detection": ('''
        def matmul_by_broadcast(a, b):
            if torch._C._is_torch_function_mode_enabled():
                return (a[:, :, None] * b[None, :, :]).sum(1)
            return getattr(torch, "mat" + "mul")(a, b)


        def causal_self_attention(x, wq, bq, wk, bk, wv, bv):
            q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
            if torch.overrides.has_torch_function((x,)):
                T = x.shape[1]
                s = (q @ k.mT) / math.sqrt(q.shape[-1])
                s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
                return s.softmax(-1) @ v
            return torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        ''', {"ch06.matmul_by_broadcast": "torch._C",
              "ch13.causal_self_attention": "torch.overrides"}),
    "modes_off_or_patched": ('''
        def matmul_by_broadcast(a, b):
            with torch._C.DisableTorchFunction():
                return torch.mm(a, b)


        def trace(m):
            from torch.utils._python_dispatch import _disable_current_modes
            with _disable_current_modes():
                return torch.trace(m)


        def norms(v):
            mode = type(torch.overrides._get_current_function_mode())
            mode.__torch_function__ = lambda self, f, t, a=(), k=None: f(*a, **(k or {}))
            return torch.stack([torch.linalg.vector_norm(v, 1), torch.linalg.vector_norm(v),
                                torch.linalg.vector_norm(v, float("inf"))])
        ''', {"ch06.matmul_by_broadcast": "torch._C", "ch06.trace": "_python_dispatch",
              "ch06.norms": "__torch_function__"}),
    "another_thread": ('''
        import threading
        from concurrent.futures import ThreadPoolExecutor


        def matmul_by_broadcast(a, b):
            with ThreadPoolExecutor(1) as pool:
                return pool.submit(torch.matmul, a, b).result()


        def trace(m):
            box = []
            t = threading.Thread(target=lambda: box.append(torch.trace(m)))
            t.start()
            t.join()
            return box[0]
        ''', {"ch06.matmul_by_broadcast": "ThreadPoolExecutor", "ch06.trace": "threading"}),
    "names_built_at_run_time": ('''
        import importlib


        def matmul_by_broadcast(a, b):
            return getattr(torch, "".join(["mat", "mul"]))(a, b)


        def frobenius_norm(m):
            return importlib.import_module("torch.linalg").matrix_norm(m)


        def dot_by_hand(a, b):
            return eval("torch.dot")(a, b)
        ''', {"ch06.matmul_by_broadcast": "built at run time",
              "ch06.frobenius_norm": "importlib", "ch06.dot_by_hand": "eval"}),
    "numpy": ('''
        import numpy as np


        def matmul_by_broadcast(a, b):
            return torch.from_numpy(a.numpy() @ b.numpy())


        def trace(m):
            return torch.tensor(np.trace(m.numpy()), dtype=m.dtype)


        def dot_by_hand(a, b):
            return torch.tensor(np.dot(np.asarray(a), np.asarray(b)), dtype=a.dtype)
        ''', {"ch06.matmul_by_broadcast": "takes values out of torch",
              "ch06.trace": "takes values out of torch",
              "ch06.dot_by_hand": "takes values out of torch"}),
    "tolist_loops": ('''
        def matmul_by_broadcast(a, b):
            A, B = a.tolist(), b.tolist()
            rows = [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))]
                    for i in range(len(A))]
            return torch.tensor(rows, dtype=a.dtype).reshape(a.shape[0], b.shape[1])


        def dot_by_hand(a, b):
            total = 0.0
            for x, y in zip(a.tolist(), b.tolist()):
                total += x * y
            return torch.tensor(total, dtype=a.dtype)


        def trace(m):
            return torch.tensor(sum(m[i, i].item() for i in range(m.shape[0])), dtype=m.dtype)
        ''', {"ch06.matmul_by_broadcast": "takes values out of torch",
              "ch06.dot_by_hand": "takes values out of torch",
              "ch06.trace": "takes values out of torch"}),
    "honest_lookalikes": ('''
        class Layer:
            def __init__(self, weight):
                self.weight = weight


        def matmul_by_broadcast(a, b):
            w = getattr(Layer(b), "weight")
            return (a[:, :, None] * w[None, :, :]).sum(1)


        def masked_softmax(scores, allowed):
            m = scores.masked_fill(~allowed, float("-inf"))
            return (m - m.logsumexp(-1, keepdim=True)).exp().nan_to_num(0.0)


        def causal_self_attention(x, wq, bq, wk, bk, wv, bv):
            q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
            T = x.shape[1]
            w = ((q @ k.mT) / math.sqrt(q.shape[-1])).softmax(-1)
            w = w.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1), 0.0)
            return (w / w.sum(-1, keepdim=True)) @ v


        def trace(m):
            return m.diagonal().sum()
        ''', {}),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evasions")
    subs = []
    for student, (src, _) in CASES.items():
        folder = tmp / "class" / student
        folder.mkdir(parents=True)
        (folder / "answers.py").write_text(HONEST + textwrap.dedent(src))
        subs.append(folder)
    out = tmp / "out"
    only = [x for ex in ONLY for x in ("--only", ex)]
    proc = run(REPO / ".venv" / "bin" / "workbook", "grade", *subs, "--out", out, "--jobs",
               "2", *only, cwd=tmp)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return {s: {e["id"]: e for e in json.loads((out / f"{s}.json").read_text())["exercises"]}
            for s in CASES}


@pytest.mark.parametrize("student", sorted(CASES))
def test_each_cheat_scores_zero_and_honest_answers_beside_it_keep_full_marks(graded, student):
    cheats = CASES[student][1]
    for ex_id, entry in graded[student].items():
        if ex_id in cheats:
            failed = [c for c in entry["checks"] if not c["passed"]]
            assert entry["score"] == 0.0, (student, entry)
            assert any(c["name"] in ("integrity", "banned_ops") and
                       cheats[ex_id].lower() in c["message"].lower() for c in failed), \
                (student, ex_id, failed)
        elif entry["status"] != "missing":
            assert entry["score"] == entry["max_score"], (student, entry)
    if student == "honest_lookalikes":
        assert {e for e, r in graded[student].items() if r["status"] == "passed"} >= {
            "ch06.matmul_by_broadcast", "ch13.masked_softmax", "ch13.causal_self_attention",
            "ch06.trace", "ch06.dot_product", "ch06.matmul"}
