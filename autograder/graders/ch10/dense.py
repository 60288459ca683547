"""ch10 graders 1-4: linear, logistic regression, the MLP and its parameter count."""
import math

import torch
import torch.nn.functional as F

from autograder.checks.grading import FLOATS
from autograder.graders import grader
from autograder.graders.ch10.common import integer, plain_value, square_only

t = torch.tensor


# -- 1. linear -----------------------------------------------------------------------------

def _linear(x, w, b):
    return F.linear(x, w.T, b)


_LINEAR_MISTAKES = {
    "is w transposed? w is (D_in, D_out) as in the book: x @ w + b, not x @ w.T as "
    "nn.Linear stores it": square_only(lambda x, w, b: x @ w.mT + b),
    "is the bias missing? x @ w + b": lambda x, w, b: x @ w,
    "the bias is added to x before the product; it is added after: x @ w + b":
        square_only(lambda x, w, b: (x + b) @ w),
}


def _linear_cases(g, dtype):
    N, Din, Dout = g.dims(3)
    B, T, Cin, Cout = g.dims(4)
    D = g.dims(1)[0]
    for lead, din, dout in (((N,), Din, Dout), ((B, T), Cin, Cout), ((1,), 1, 1), ((N,), D, D),
                            ((1, 1), Din, 1)):
        x, w, b = g.randn(*lead, din, dtype=dtype), g.randn(din, dout, dtype=dtype), \
            g.randn(dout, dtype=dtype)
        yield from g.layouts(x, w, b)
        yield x, g.transposed_layout(w), b


@grader("ch10.linear")
def linear(g):
    d = g.device
    g.expect("book_example", (t([[1., 2.]], device=d), t([[1., 2.], [3., 4.]], device=d),
                              t([10., 20.], device=d)),
             t([[17., 30.]], device=d), exact=True, mistakes=_LINEAR_MISTAKES)
    for dtype in FLOATS:
        for args in _linear_cases(g, dtype):  # scale: x @ w + b may cancel to near 0
            x, w, b = (a.double() for a in args)
            g.against("random_inputs", [args], _linear, mistakes=_LINEAR_MISTAKES,
                      scale=float((x.abs() @ w.abs() + b.abs()).max()))
    B, T, Din, Dout = g.dims(4)
    f64 = torch.float64
    g.gradient((g.randn(B, T, Din, dtype=f64), g.randn(Din, Dout, dtype=f64),
                g.randn(Dout, dtype=f64)), _linear, wrt=(0, 1, 2))
    g.banned(g.randn(B, Din), g.randn(Din, Dout), g.randn(Dout), oracle=_linear)
    g.banned(g.randn(B, T, Din), g.randn(Din, Dout), g.randn(Dout), oracle=_linear)


# -- 2. logistic_regression ----------------------------------------------------------------

def _logreg(x, w, b):
    return torch.softmax(F.linear(x, w.T, b), dim=-1)


_LOGREG_MISTAKES = {
    "the softmax must be over the classes (the last dim, dim=-1): your columns sum to 1 "
    "(a softmax over the batch, dim=0)": lambda x, w, b: torch.softmax(x @ w + b, dim=0),
    "that is a sigmoid of each score; multinomial logistic regression takes a softmax over "
    "the classes, so each row sums to 1": lambda x, w, b: torch.sigmoid(x @ w + b),
    "the softmax is missing: these are the raw scores x @ w + b": lambda x, w, b: x @ w + b,
    "is w transposed? w is (D, K): softmax(x @ w + b)":
        square_only(lambda x, w, b: torch.softmax(x @ w.mT + b, dim=-1)),
    "is the bias missing? softmax(x @ w + b)": lambda x, w, b: torch.softmax(x @ w, dim=-1),
}


def _large_logreg_args(g, N, D, K, dtype):
    """Scores of about +-1000 computed exactly in float32: integer inputs, a first feature
    of +-1000 per row whose weight is 1 for every class (each row's offset), and small
    integer differences between the classes (so several classes share the weight)."""
    x = integer(g, N, D, lo=-3, hi=3)
    sign = 1 - 2 * (torch.arange(N, device=x.device) % 2)
    x[:, 0] = integer(g, N, lo=900, hi=1000) * sign
    w = integer(g, D, K, lo=-2, hi=2)
    w[0] = 1
    b = integer(g, K, lo=-3, hi=3)
    return x.to(dtype), w.to(dtype), b.to(dtype)


@grader("ch10.logistic_regression")
def logistic_regression(g):
    d = g.device
    g.expect("book_example", (t([[1., 0.], [0., 0.]], device=d), torch.eye(2, device=d),
                              torch.zeros(2, device=d)),
             t([[0.7310585786, 0.2689414214], [0.5, 0.5]], device=d), mistakes=_LOGREG_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for N, D, K in (g.dims(3), g.dims(3), (1, 1, 2), (2, 3, 1), (4, 3, 3)):
            x, w, b = g.randn(N, D, dtype=dtype), g.randn(D, K, dtype=dtype), \
                g.randn(K, dtype=dtype)
            cases += [*g.layouts(x, w, b), (x, g.transposed_layout(w), b)]
        g.against("random_inputs", cases, _logreg, mistakes=_LOGREG_MISTAKES)
    for dtype in FLOATS:  # float32 at +-1000 above all
        N, D, K = g.dims(3, 3, 9)
        args = _large_logreg_args(g, N, D, K, dtype)
        g.large_scores(args, _logreg, exponent=float(g.oracle64(
            lambda x, w, b: x @ w + b, *args).abs().max()), mistakes=_LOGREG_MISTAKES)


# -- 3. mlp_forward ------------------------------------------------------------------------

def _mlp(x, layers, relu_last=False, softmax=True, dim=-1, relu=True):
    h = x
    for i, (w, b) in enumerate(layers):
        h = F.linear(h, w.to(x.dtype).T, b.to(x.dtype))
        if (i < len(layers) - 1 and relu) or (i == len(layers) - 1 and relu_last):
            h = F.relu(h)
    return torch.softmax(h, dim=dim) if softmax else h


_MLP_MISTAKES = {
    "a ReLU follows the last layer too: the last layer's scores go straight into the "
    "softmax (negative scores must not be cut to 0)": lambda x, ls: _mlp(x, ls, relu_last=True),
    "the softmax after the last layer is missing: these are the last layer's raw scores":
        lambda x, ls: _mlp(x, ls, softmax=False),
    "the softmax is over the wrong dim: it is over the classes (the last dim, dim=-1), "
    "not over the batch": lambda x, ls: _mlp(x, ls, dim=0),
    "the ReLU between the hidden layers is missing: every layer but the last is "
    "Linear then ReLU": lambda x, ls: _mlp(x, ls, relu=False),
    "a ReLU follows the last layer and the softmax is missing":
        lambda x, ls: _mlp(x, ls, relu_last=True, softmax=False),
}


def _mlp_args(g, N, sizes, dtype, scale=1.0):
    x = g.randn(N, sizes[0], dtype=dtype)
    layers = [(g.randn(a, b_, dtype=dtype, scale=scale / math.sqrt(a)),
               g.randn(b_, dtype=dtype, scale=0.5))
              for a, b_ in zip(sizes, sizes[1:])]
    return x, layers


def _noncontiguous_mlp(g, x, layers):
    return (g.noncontiguous(x), [(g.noncontiguous(w), g.noncontiguous(b)) for w, b in layers])


def _large_mlp_args(g, N, sizes, dtype):
    """Last-layer scores of about +-1000, exact in float32: inputs and hidden weights in
    {-1, 0, 1}, and a last weight whose columns share a large integer part (each row's
    offset, up to about 1000) and differ by small integers."""
    x = integer(g, N, sizes[0], lo=-1, hi=1)
    layers = [(integer(g, a, b_, lo=-1, hi=1), integer(g, b_, lo=-1, hi=1))
              for a, b_ in zip(sizes[:-2], sizes[1:-1])]
    h = x
    for w, b in layers:
        h = F.relu(h @ w + b)
    big = integer(g, sizes[-2], lo=-1, hi=1)
    big = big * torch.floor(1000 / (h @ big).abs().max().clamp_min(1))
    w = integer(g, sizes[-2], sizes[-1], lo=-2, hi=2) + big[:, None]
    b = integer(g, sizes[-1], lo=-2, hi=2)
    return x.to(dtype), [(w_.to(dtype), b_.to(dtype)) for w_, b_ in [*layers, (w, b)]]


@grader("ch10.mlp_forward")
def mlp_forward(g):
    d = g.device
    eye, zero = torch.eye(2, device=d), torch.zeros(2, device=d)
    g.expect("book_example", (t([[1., -1.]], device=d), [(eye, zero), (eye, zero)]),
             t([[0.7310585786, 0.2689414214]], device=d), mistakes=_MLP_MISTAKES)
    for dtype in FLOATS:
        a, b, c, e = g.dims(4)
        cases = []
        for N, sizes in ((g.dims(1)[0], (11, 15, 8, 6)),  # the book's 11-15-8-6 net
                         (g.dims(1)[0], (a, b, c)), (1, (a, b, c, e, 2)),
                         (g.dims(1)[0], (a, b)), (3, (1, 1, 4))):
            x, layers = _mlp_args(g, N, sizes, dtype, scale=2.0)
            cases += [(x, layers), _noncontiguous_mlp(g, x, layers)]
        g.against("random_inputs", cases, _mlp, mistakes=_MLP_MISTAKES)
    for dtype in FLOATS:  # float32 at +-1000 above all
        for N, sizes in ((g.dims(1, 2, 7)[0], (11, 15, 8, 6)), (g.dims(1, 2, 7)[0], (5, 4))):
            args = _large_mlp_args(g, N, sizes, dtype)
            g.large_scores(args, _mlp, exponent=float(g.oracle64(
                lambda x, ls: _mlp(x, ls, softmax=False), *args).abs().max()),
                mistakes=_MLP_MISTAKES)


# -- 4. count_parameters -------------------------------------------------------------------

def _count(shapes):
    return sum(math.prod(s) for s in shapes)


_COUNT_MISTAKES = {
    "you added the sizes of each shape; its number of scalars is their PRODUCT "
    "((11, 15) holds 165)": lambda shapes: sum(sum(s) for s in shapes),
    "the 1-D shapes (biases) are missing from your count: (15,) holds 15 scalars":
        lambda shapes: sum(math.prod(s) for s in shapes if len(s) != 1),
    "the 1-D shapes (biases) and () are missing from your count: (15,) holds 15 scalars, "
    "() holds 1": lambda shapes: sum(math.prod(s) for s in shapes if len(s) > 1),
    "a shape () is one scalar and counts 1 (the product of no sizes is 1), not 0":
        lambda shapes: sum(math.prod(s) if len(s) else 0 for s in shapes),
    "you counted the parameter tensors, not the scalars in them": lambda shapes: len(shapes),
}


@grader("ch10.count_parameters")
def count_parameters(g):
    book = [(11, 15), (15,), (15, 8), (8,), (8, 6), (6,)]
    plain_value(g, "book_example", (book,), 362, _COUNT_MISTAKES)
    plain_value(g, "book_example", ([(3, 4), ()],), 13, _COUNT_MISTAKES)
    cases = [[], [()], [(), (), ()], [(7,)], [(1, 1, 1)], [(4, 0), (3,)]]
    for _ in range(6):
        n = g.dims(1, 1, 6)[0]
        shapes = []
        for _ in range(n):
            ndim = int(torch.randint(0, 5, (), generator=g.gen))
            shapes.append(tuple(g.dims(ndim, 1, 9)) if ndim else ())
        cases.append(shapes)
    for shapes in cases:
        plain_value(g, "random_inputs", (shapes,), _count(shapes), _COUNT_MISTAKES)
