"""The capstone: the reference solutions compose into a baby GPT that learns.

baby_gpt_logits (ch14) and lm_loss (ch14) give the loss of a tiny GPT on a short fixed text,
autograd gives the gradients, and adam_step (ch11) updates every parameter. A few hundred
full-batch steps on the CPU take the loss from about ln(V) (a uniform guess) to below the
bound stated here: the text is periodic, so a model that attends to the past predicts it.
"""
import math

import torch
from torch.utils import _pytree as pytree

from solutions.ch11_optimisation import adam_step
from solutions.ch14_gpt import baby_gpt_logits, lm_loss

TEXT = "the cat sat on the mat. the dog sat on the log. " * 4
BOUND = 0.5  # nats per token after 200 steps (about 0.04 is reached); ln(V) is about 2.6


def _init(V: int, T: int, C: int, n_layers: int, gen: torch.Generator) -> dict:
    def r(*shape, scale=0.02):
        return torch.randn(*shape, generator=gen) * scale

    blocks = [{"ln1_w": torch.ones(C), "ln1_b": torch.zeros(C),
               "w_qkv": r(C, 3 * C), "b_qkv": torch.zeros(3 * C),
               "w_o": r(C, C), "b_o": torch.zeros(C),
               "ln2_w": torch.ones(C), "ln2_b": torch.zeros(C),
               "w1": r(C, 4 * C), "b1": torch.zeros(4 * C),
               "w2": r(4 * C, C), "b2": torch.zeros(C)} for _ in range(n_layers)]
    return {"tok_emb": r(V, C, scale=0.3), "pos_emb": r(T, C, scale=0.3), "blocks": blocks,
            "lnf_w": torch.ones(C), "lnf_b": torch.zeros(C), "w_head": r(C, V, scale=0.3)}


def test_reference_solutions_train_a_baby_gpt():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: threads only add overhead (and contention)
    try:
        _train_and_check()
    finally:
        torch.set_num_threads(threads)


def _train_and_check():
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    chars = sorted(set(TEXT))
    data = torch.tensor([chars.index(c) for c in TEXT])
    V, T, C = len(chars), 16, 16
    # every window of the text: x the window, y the same window shifted by one
    starts = torch.arange(0, len(data) - T - 1, 4)
    x = torch.stack([data[s:s + T] for s in starts])
    y = torch.stack([data[s + 1:s + T + 1] for s in starts])
    params = _init(V, T, C, n_layers=1, gen=gen)
    leaves, spec = pytree.tree_flatten(params)
    m = [torch.zeros_like(p) for p in leaves]
    v = [torch.zeros_like(p) for p in leaves]
    first = None
    for step in range(1, 201):
        ps = [p.detach().requires_grad_(True) for p in leaves]
        loss = lm_loss(baby_gpt_logits(x, pytree.tree_unflatten(ps, spec), 2), y)
        grads = torch.autograd.grad(loss, ps)
        first = loss.item() if first is None else first
        for i, (p, g) in enumerate(zip(ps, grads)):
            leaves[i], m[i], v[i] = adam_step(p.detach(), g, m[i], v[i], step, 1e-2, 0.9,
                                              0.99, 1e-8)
    with torch.no_grad():
        final = lm_loss(baby_gpt_logits(x, pytree.tree_unflatten(leaves, spec), 2), y).item()
    assert first > 0.75 * math.log(V), first  # it starts no better than a guess
    assert final < BOUND, (first, final)
