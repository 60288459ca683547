"""Answers that try to talk the grader round (issue: graders that cannot be talked round).

Each evasion class of DESIGN.md, "Integrity of ban and vec": code that behaves only while it
is traced, that switches the tracing off or patches it, that runs the banned operator on
another thread, that builds a torch name at run time, and that leaves torch (NumPy,
``.tolist()`` loops) to compute what the ban or the vec mark forbids. Beside them, honest
routes that look a little like them and must keep full marks.
"""
import concurrent.futures
import math

import numpy as np
import torch
import torch.nn.functional as F

from tests.mutants import correct, wrong


# -- behaves only while traced ---------------------------------------------------------------

@wrong("ch06.matmul_by_broadcast", "torch._c")
def matmul_by_broadcast(a, b):
    """honest while a torch-function mode is on, the banned matmul otherwise"""
    if torch._C._is_torch_function_mode_enabled():
        return (a[:, :, None] * b[None, :, :]).sum(1)
    return getattr(torch, "mat" + "mul")(a, b)


@wrong("ch13.causal_self_attention", "torch._c")
def causal_self_attention(x, wq, bq, wk, bk, wv, bv):  # noqa: F811
    """hand-written attention while traced, the banned fused kernel otherwise"""
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    if torch._C._is_torch_function_mode_enabled():
        T = x.shape[1]
        s = (q @ k.mT) / math.sqrt(q.shape[-1])
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1),
                          float("-inf"))
        return s.softmax(-1) @ v
    return F.scaled_dot_product_attention(q, k, v, is_causal=True)


@wrong("ch06.dot_by_hand", "torch.overrides")
def dot_by_hand(a, b):  # noqa: F811
    """asks the public torch.overrides API whether anything is watching"""
    if torch.overrides.has_torch_function((a,)):
        return (a * b).sum()
    return torch.dot(a, b)


# -- switches the tracing off or patches it --------------------------------------------------

@wrong("ch06.matmul_by_broadcast", "torch._c")
def matmul_by_broadcast(a, b):  # noqa: F811
    """runs the banned operator with torch-function modes disabled"""
    with torch._C.DisableTorchFunction():
        return torch.mm(a, b)


@wrong("ch06.trace", "torch.utils._python_dispatch")
def trace(m):
    """pops the dispatch modes off the stack around the banned call"""
    from torch.utils._python_dispatch import _disable_current_modes

    with _disable_current_modes():
        return torch.trace(m)


@wrong("ch06.norms", "__torch_function__")
def norms(v):
    """patches the recording mode's class so that it records nothing"""
    mode = type(torch.overrides._get_current_function_mode())
    saved = mode.__torch_function__  # put back after the call: the audit shares a process
    mode.__torch_function__ = lambda self, f, t, a=(), k=None: f(*a, **(k or {}))
    try:
        return torch.stack([torch.linalg.vector_norm(v, 1), torch.linalg.vector_norm(v),
                            torch.linalg.vector_norm(v, float("inf"))])
    finally:
        mode.__torch_function__ = saved


# -- another thread --------------------------------------------------------------------------

@wrong("ch06.matmul_by_broadcast", "concurrent")
def matmul_by_broadcast(a, b):  # noqa: F811
    """the banned matmul on a worker thread, where the modes of this thread do not reach"""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(torch.matmul, a, b).result()


# -- a torch name built at run time ----------------------------------------------------------

@wrong("ch06.frobenius_norm", "built at run time")
def frobenius_norm(m):
    """reaches torch.linalg.matrix_norm through a name assembled from pieces"""
    return getattr(torch.linalg, "_".join(["matrix", "norm"]))(m)


@wrong("ch13.multi_head_attention", "eval")
def multi_head_attention(x, w_qkv, b_qkv, w_o, b_o, n_heads):
    """eval()s a string that calls torch's own multi-head attention"""
    T, C = x.shape[1], x.shape[2]
    xt = x.transpose(0, 1)
    mask = torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1)
    out = eval("F.multi_head_attention_forward")(
        xt, xt, xt, C, n_heads, w_qkv.T, b_qkv, None, None, False, 0.0, w_o.T, b_o,
        training=False, need_weights=False, attn_mask=mask)[0]
    return out.transpose(0, 1)


# -- leaving torch ---------------------------------------------------------------------------

@wrong("ch06.matmul_by_broadcast", "takes values out of torch")
def matmul_by_broadcast(a, b):  # noqa: F811
    """NumPy's @ on the arrays behind the tensors"""
    return torch.from_numpy(a.cpu().numpy() @ b.cpu().numpy()).to(a.device)


@wrong("ch06.matmul_by_broadcast", "takes values out of torch")
def matmul_by_broadcast(a, b):  # noqa: F811
    """a pure-Python triple loop over .tolist()"""
    A, B = a.tolist(), b.tolist()
    out = [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))]
           for i in range(len(A))]
    return torch.tensor(out, dtype=a.dtype, device=a.device).reshape(a.shape[0], b.shape[1])


@wrong("ch06.dot_by_hand", "takes values out of torch")
def dot_by_hand(a, b):  # noqa: F811
    """np.dot on the arrays"""
    return torch.tensor(np.dot(a.cpu().numpy(), b.cpu().numpy()), dtype=a.dtype,
                        device=a.device)


@wrong("ch06.trace", "takes values out of torch")
def trace(m):  # noqa: F811
    """np.trace on the array"""
    return torch.tensor(np.trace(np.asarray(m.cpu())), dtype=m.dtype, device=m.device)


@wrong("ch06.dot_by_hand", "takes values out of torch")
def dot_by_hand(a, b):  # noqa: F811
    """Python arithmetic over .item() values, one element at a time"""
    total = 0.0
    for i in range(a.shape[0]):
        total += a[i].item() * b[i].item()
    return torch.tensor(total, dtype=a.dtype, device=a.device)


@wrong("ch06.cosine_similarity_matrix", "tensor operations at size")
def cosine_similarity_matrix(a, b):
    """a Python loop over the feature axis D"""
    dots = torch.zeros(a.shape[0], b.shape[0], dtype=a.dtype, device=a.device)
    for d in range(a.shape[1]):
        dots = dots + a[:, d:d + 1] * b[:, d][None, :]
    na = (a * a).sum(-1).sqrt().clamp_min(1e-8)
    nb = (b * b).sum(-1).sqrt().clamp_min(1e-8)
    return dots / (na[:, None] * nb[None, :])


# -- honest routes that look a little like the above -----------------------------------------

class _Layer:
    def __init__(self, weight):
        self.weight = weight


@correct("ch06.matmul_by_broadcast")
def matmul_by_broadcast(a, b):  # noqa: F811
    """getattr(obj, "weight") on a small object of the student's own"""
    layer = _Layer(b)
    w = getattr(layer, "weight")
    return (a[:, :, None] * w[None, :, :]).sum(1)


@correct("ch06.norms")
def norms(v):  # noqa: F811
    """math.sqrt of the shape and a loop over a fixed three norms"""
    out = []
    for p in (1, 2, math.inf):
        if p == 1:
            out.append(v.abs().sum())
        elif p == 2:
            out.append(v.pow(2).sum().sqrt())
        else:
            out.append(v.abs().amax())
    return torch.stack(out)
