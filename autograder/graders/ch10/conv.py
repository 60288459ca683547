"""ch10 graders 10-12: convolution sizes, conv2d by unfold and 2x2 max pooling."""
import torch
import torch.nn.functional as F

from autograder.checks.grading import FLOATS
from autograder.graders import grader
from autograder.graders.ch10.common import plain_value

t = torch.tensor


# -- 10. conv_output_size ------------------------------------------------------------------

def _conv_size(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


_CONV_SIZE_MISTAKES = {
    "is the + 1 missing? (size + 2 * padding - kernel) // stride + 1 (a kernel as large as "
    "the input still gives 1 output)": lambda s, k, st, p: (s + 2 * p - k) // st,
    "the padding counts twice, once on each side: size + 2 * padding":
        lambda s, k, st, p: (s + p - k) // st + 1,
    "use floor division //: the result is an int and a last window that does not fit is "
    "dropped": lambda s, k, st, p: (s + 2 * p - k) / st + 1,
    "you rounded up; a last window that does not fit is dropped (floor division //)":
        lambda s, k, st, p: -(-(s + 2 * p - k) // st) + 1,
    "divide (size + 2 * padding - kernel) by the stride before adding 1, not after":
        lambda s, k, st, p: (s + 2 * p - k + 1) // st,
}


@grader("ch10.conv_output_size")
def conv_output_size(g):
    plain_value(g, "book_example", (28, 5, 1, 0), 24, _CONV_SIZE_MISTAKES)
    plain_value(g, "book_example", (32, 3, 2, 1), 16, _CONV_SIZE_MISTAKES)
    cases = [(5, 5, 1, 0), (5, 7, 1, 1), (7, 3, 2, 0), (8, 3, 2, 0), (1, 1, 1, 0), (6, 1, 3, 2)]
    for _ in range(8):
        size = g.dims(1, 4, 40)[0]
        padding, stride = g.dims(1, 0, 3)[0], g.dims(1, 1, 4)[0]
        kernel = g.dims(1, 1, min(size + 2 * padding, 11))[0]
        cases.append((size, kernel, stride, padding))
    for args in cases:
        plain_value(g, "random_inputs", args, _conv_size(*args), _CONV_SIZE_MISTAKES)


# -- 11. conv2d_unfold ---------------------------------------------------------------------

def _conv(x, w, b):
    return F.conv2d(x, w, b)


def _hw_swapped(x, w, b):
    out = F.conv2d(x, w, b)
    return out.reshape(*out.shape[:2], out.shape[3], out.shape[2])


_CONV_MISTAKES = {
    "the kernel is flipped (a true convolution): conv2d, and this exercise, is a "
    "cross-correlation, out[i, j] = sum x[i + di, j + dj] * w[di, dj]":
        lambda x, w, b: F.conv2d(x, w.flip(-1, -2), b),
    "the kernel values meet the wrong channels: F.unfold orders each column channel first, "
    "(C, k, k), so the kernels reshape as w.reshape(O, C * k * k)":
        lambda x, w, b: F.conv2d(x, w.permute(0, 2, 3, 1).reshape(w.shape), b),
    "each kernel is transposed (di and dj swapped)":
        lambda x, w, b: F.conv2d(x, w.transpose(-1, -2), b),
    "the output's H and W are swapped: the result is (N, O, H - k + 1, W - k + 1), row by "
    "row": _hw_swapped,
    "the output's H and W are transposed: the result is (N, O, H - k + 1, W - k + 1)":
        lambda x, w, b: F.conv2d(x, w, b).transpose(-1, -2),
    "is the bias missing? one bias per output channel, b[o]": lambda x, w, b: F.conv2d(x, w),
}


def _conv_args(g, N, C, H, W, O, k, dtype):
    return (g.randn(N, C, H, W, dtype=dtype), g.randn(O, C, k, k, dtype=dtype),
            g.randn(O, dtype=dtype))


@grader("ch10.conv2d_unfold")
def conv2d_unfold(g):
    d = g.device
    g.expect("book_example", (torch.arange(12., device=d).reshape(1, 1, 3, 4),
                              t([[[[1., 0.], [0., -1.]]]], device=d), t([0.5], device=d)),
             torch.full((1, 1, 2, 3), -4.5, device=d), mistakes=_CONV_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for _ in range(2):
            N, C, O = g.dims(3, 1, 5)
            k = g.dims(1, 2, 3)[0]
            H, W = g.dims(2, k + 1, 9)
            x, w, b = _conv_args(g, N, C, H, W, O, k, dtype)
            cases += [*g.layouts(x, w, b), (g.transposed_layout(x), w, b),
                      (x.contiguous(memory_format=torch.channels_last), w, b)]
        for N, C, H, W, O, k in ((1, 1, 4, 5, 1, 2), (2, 3, 5, 6, 4, 1), (2, 2, 3, 5, 3, 3),
                                 (1, 2, 6, 4, 2, 4)):
            cases.append(_conv_args(g, N, C, H, W, O, k, dtype))
        for x, w, b in cases:  # scale: the sums of products may cancel to near 0
            g.against("random_inputs", [(x, w, b)], _conv, mistakes=_CONV_MISTAKES,
                      scale=float(F.conv2d(x.double().abs(), w.double().abs(),
                                           b.double().abs()).max()))
    g.vectorised(lambda s: _conv_args(g, s, s + 1, s + 4, s + 5, s + 2, s - 1, torch.float32),
                 oracle=_conv)
    g.banned(*_conv_args(g, 2, 3, 5, 6, 4, 2, torch.float32), oracle=_conv)


# -- 12. max_pool_2x2 ----------------------------------------------------------------------

def _max_pool(x):
    return F.max_pool2d(x, 2)


def _mixed_blocks(x):
    N, C, H, W = x.shape
    return x.reshape(N, C, H // 2, W // 2, 4).amax(-1)


_POOL_MISTAKES = {
    "that is average pooling: take the max of each 2x2 block, not the mean":
        lambda x: F.avg_pool2d(x, 2),
    "your reshape mixes rows and columns, so the groups of 4 are not 2x2 blocks: "
    "reshape to (N, C, H/2, 2, W/2, 2) and take the max over dims 3 and 5": _mixed_blocks,
    "the output's H and W are swapped: the result is (N, C, H/2, W/2)":
        lambda x: F.max_pool2d(x, 2).transpose(-1, -2),
    "the output's H and W are swapped: the result is (N, C, H/2, W/2), row by row":
        lambda x: F.max_pool2d(x, 2).reshape(*x.shape[:2], x.shape[3] // 2, x.shape[2] // 2),
    "you pooled pairs of rows only; pool 2x2 blocks (rows and columns)":
        lambda x: F.max_pool2d(x, (2, 1)),
    "you pooled pairs of columns only; pool 2x2 blocks (rows and columns)":
        lambda x: F.max_pool2d(x, (1, 2)),
}


@grader("ch10.max_pool_2x2")
def max_pool_2x2(g):
    d = g.device
    g.expect("book_example", (t([[[[1., 2., 5., 6.], [3., 4., 7., 8.]]]], device=d),),
             t([[[[4., 8.]]]], device=d), exact=True, mistakes=_POOL_MISTAKES)
    for dtype in FLOATS:
        cases = []
        for N, C, h, w in ((*g.dims(2, 1, 4), *g.dims(2, 1, 5)), (*g.dims(2, 1, 4),
                                                                   *g.dims(2, 1, 5)),
                           (1, 1, 1, 2), (2, 1, 3, 1)):
            x = g.randn(N, C, 2 * h, 2 * w, dtype=dtype)
            cases += [*g.layouts(x), (g.transposed_layout(x),),
                      (x.contiguous(memory_format=torch.channels_last),)]
        # small integers: ties inside blocks; all-negative blocks (the max is below 0)
        x = (g.randn(2, 3, 6, 4, dtype=dtype) * 2).round() - 3
        cases.append((x,))
        g.against("random_inputs", cases, _max_pool, mistakes=_POOL_MISTAKES, exact=True)
    g.vectorised(lambda s: (g.randn(s, s + 1, 2 * s, 2 * s + 2),), oracle=_max_pool)
    g.banned(g.randn(2, 3, 4, 6), oracle=_max_pool)
