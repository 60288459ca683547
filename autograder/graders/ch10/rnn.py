"""ch10 graders 13-14: the RNN step and the RNN over a sequence."""
import math

import torch

from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


# -- 13./14. rnn ---------------------------------------------------------------------------

def _rnn_step(x_t, h, w_xh, w_hh, b):
    return torch.rnn_tanh_cell(x_t, h, w_xh.T, w_hh.T, b)


def _step(x_t, h, w_xh, w_hh, b, hh_t=False, act=torch.tanh, bias=True):
    z = x_t @ w_xh + h @ (w_hh.mT if hh_t else w_hh) + (b if bias else 0)
    return act(z)


_STEP_MISTAKES = {
    "is w_hh transposed? the book multiplies h @ w_hh": lambda *a: _step(*a, hh_t=True),
    "the tanh is missing: h = tanh(x_t @ w_xh + h @ w_hh + b)":
        lambda *a: _step(*a, act=lambda z: z),
    "is the bias missing? tanh(x_t @ w_xh + h @ w_hh + b)": lambda *a: _step(*a, bias=False),
    "the previous hidden state h is missing: tanh(x_t @ w_xh + h @ w_hh + b)":
        lambda x_t, h, w_xh, w_hh, b: torch.tanh(x_t @ w_xh + b),
    "an RNN cell uses tanh, not ReLU": lambda *a: _step(*a, act=torch.relu),
    "an RNN cell uses tanh, not the sigmoid": lambda *a: _step(*a, act=torch.sigmoid),
}


def _scale(x, h, w_xh, w_hh, b):
    """A bound on |x_t @ w_xh + h @ w_hh + b|, which may cancel to near 0 (every later
    hidden state lies in [-1, 1])."""
    x, h, w_xh, w_hh, b = (a.double().abs() for a in (x, h, w_xh, w_hh, b))
    return float((x @ w_xh).max() + max(1.0, float(h.max())) * w_hh.sum(0).max() + b.max())


def _rnn_weights(g, D, H, dtype):
    # scaled so that the pre-activations stay near 1: tanh does not saturate
    return (g.randn(D, H, dtype=dtype, scale=1 / math.sqrt(D)),
            g.randn(H, H, dtype=dtype, scale=1 / math.sqrt(H)), g.randn(H, dtype=dtype,
                                                                         scale=0.3))


@grader("ch10.rnn_step")
def rnn_step(g):
    d = g.device
    g.expect("book_example", (t([[1.]], device=d), t([[0.5]], device=d), t([[2.]], device=d),
                              t([[-2.]], device=d), t([0.], device=d)),
             t([[0.761594156]], device=d), mistakes=_STEP_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for B, D, H in (g.dims(3), g.dims(3), (1, 1, 1), (1, 2, 3)):
            x, h = g.randn(B, D, dtype=dtype), g.randn(B, H, dtype=dtype, scale=0.7)
            w_xh, w_hh, b = _rnn_weights(g, D, H, dtype)
            cases += [*g.layouts(x, h, w_xh, w_hh, b),
                      (x, h, g.transposed_layout(w_xh), g.transposed_layout(w_hh), b)]
        for args in cases:
            g.against("random_inputs", [args], _rnn_step, mistakes=_STEP_MISTAKES,
                      scale=_scale(*args))


def _rnn(xs, h0, w_xh, w_hh, b):
    h, outs = h0, []
    for x_t in xs.unbind(0):
        h = torch.rnn_tanh_cell(x_t, h, w_xh.T, w_hh.T, b)
        outs.append(h)
    return torch.stack(outs), h


def _rnn_wrong(xs, h0, w_xh, w_hh, b, carry=True, hh_t=False, act=torch.tanh):
    h, outs = h0, []
    for x_t in xs.unbind(0):
        h = _step(x_t, h if carry else h0, w_xh, w_hh, b, hh_t=hh_t, act=act)
        outs.append(h)
    return torch.stack(outs), h


_RNN_MISTAKES = {
    "the hidden state is not carried forward: each step must use the previous step's h, "
    "not h0": lambda *a: _rnn_wrong(*a, carry=False)[0],
    "the outputs are off by one step: outputs[t] is the state after reading xs[t] "
    "(h_1 ... h_T); h0 is not an output":
        lambda *a: torch.cat([a[1][None], _rnn(*a)[0][:-1]]),
    "you returned h0 as h_T: h_T is the last hidden state (outputs[-1])": lambda *a: a[1],
    "is w_hh transposed? the book multiplies h @ w_hh":
        lambda *a: _rnn_wrong(*a, hh_t=True)[0],
    "the tanh is missing: h = tanh(xs[t] @ w_xh + h @ w_hh + b)":
        lambda *a: _rnn_wrong(*a, act=lambda z: z)[0],
}


@grader("ch10.rnn_forward")
def rnn_forward(g):
    d = g.device
    g.expect("book_example", (t([[[1.]], [[0.]]], device=d), t([[0.]], device=d),
                              t([[1.]], device=d), t([[1.]], device=d), t([0.], device=d)),
             (t([[[0.761594156]], [[0.642014992]]], device=d), t([[0.642014992]], device=d)),
             mistakes=_RNN_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for T, B, D, H in (g.dims(4), g.dims(4, 2, 7), (1, 1, 1, 1), (3, 1, 2, 1), (1, 2, 3, 4)):
            xs, h0 = g.randn(T, B, D, dtype=dtype), g.randn(B, H, dtype=dtype, scale=0.7)
            w_xh, w_hh, b = _rnn_weights(g, D, H, dtype)
            cases += [*g.layouts(xs, h0, w_xh, w_hh, b),
                      (xs, h0, g.transposed_layout(w_xh), g.transposed_layout(w_hh), b)]
        for args in cases:
            g.against("random_inputs", [args], _rnn, mistakes=_RNN_MISTAKES,
                      scale=_scale(*args))
