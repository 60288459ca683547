"""A sample student: some answers right, some with the usual mistakes (for the README demo)."""
import math

import torch


def vector_from_list(values):
    return torch.tensor(values)  # mistake: ints stay int64


def zeros_int(n):
    return torch.zeros(n, dtype=torch.int64)


def identity(n):
    return torch.eye(n)


def transpose_matrix(m):
    return m.T


def dot_product(a, b):
    return (a * b).sum()


def matmul(a, b):
    return torch.einsum("nk,km->nm", a, b)


def matmul_by_broadcast(a, b):
    return torch.stack([(row[:, None] * b).sum(0) for row in a])  # mistake: a loop over rows


def norms(v):
    return torch.stack([v.sum(), v.pow(2).sum().sqrt(), v.max()])  # mistake: no abs


def trace(m):
    return m.diagonal().sum()


def causal_mask(T):
    return torch.ones(T, T, dtype=torch.bool).triu()  # mistake: triu instead of tril


def scaled_attention_scores(q, k):
    return q @ k.transpose(-2, -1)  # mistake: forgot 1/sqrt(H)


def causal_self_attention(x, wq, bq, wk, bk, wv, bv):
    q, k, v = x @ wq + bq, x @ wk + bk, x @ wv + bv
    att = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    T = x.shape[1]
    att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).tril(), float("-inf"))  # mistake
    return att.softmax(-1) @ v
