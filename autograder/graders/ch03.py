"""Hidden graders for ch03 - Shapes: reshape, combine, split.

Oracles are torch built-ins and short loops over slices (a patch at a time, a head at a
time), never solutions/; broadcast_shape's is np.broadcast_shapes, converted to a tuple of ints.
Moving values between axes is exact, so results are compared exactly (after the float64
round trip of ``oracle64``, which is exact too). Every grader uses sizes that all differ, so a
mixed-up axis shows as a wrong shape, sizes of 1 (where several mistakes hide), both float
dtypes and non-contiguous or column-major inputs (a ``view`` that needs contiguous memory
fails there). Views of the input are allowed: no line of this chapter says "copy".
"""
import ast

import numpy as np
import torch

from autograder.checks.compare import show
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


def _cases(g, shapes, extra=()):
    """Random tensors of each shape, in both float dtypes and three layouts; ``extra`` are
    the other (non-tensor) arguments of every call."""
    for dtype in FLOATS:
        for shape in shapes:
            x = g.randn(*shape, dtype=dtype)
            yield (x, *extra)
            yield (g.noncontiguous(x), *extra)
            if x.dim() >= 2:
                yield (g.transposed_layout(x), *extra)


# -- 1. to_matrix --------------------------------------------------------------------------

_TO_MATRIX_MISTAKES = {
    "column-major order: out[i, j] must be v[i * cols + j] (row-major, as reshape fills a "
    "matrix); reshaping to (cols, rows) and transposing fills the columns first":
        lambda v, r, c: v.reshape(c, r).T,
    "rows and cols are swapped: the result has `rows` rows and `cols` columns":
        lambda v, r, c: v.reshape(c, r),
}


@grader("ch03.to_matrix")
def to_matrix(g):
    d = g.device
    g.expect("book_example", (torch.arange(6., device=d), 2, 3),
             t([[0., 1., 2.], [3., 4., 5.]], device=d), exact=True,
             mistakes=_TO_MATRIX_MISTAKES)
    a, b = g.dims(2)
    for dtype in FLOATS:
        for r, c in ((1, 1), (1, a), (a, 1), (a, b), tuple(g.dims(2))):
            v = g.randn(r * c, dtype=dtype)
            g.against("random_inputs", g.layouts(v, r, c), lambda v, r, c: v.reshape(r, c),
                      exact=True, mistakes=_TO_MATRIX_MISTAKES)
    # too many and too few values, and a count that reshape(rows, -1) would accept
    for r, c, n in ((a, b, a * b + 1), (a, b, a * b - 1), (1, a, a + 1), (b, a, b * (a + 1)),
                    (a, 1, 2 * a)):
        g.raises("size_mismatch", (g.randn(n), r, c), "ValueError",
                f"{n} values cannot fill {r} x {c}: a size mismatch")


# -- 2./3. as_row, as_column ---------------------------------------------------------------

def _vectors(g):
    return [(1,), (2,), *((n,) for n in g.dims(2))]


@grader("ch03.as_row")
def as_row(g):
    mistakes = {
        "as_row gives one row (1, n); you made a column (n, 1), which is as_column":
            lambda v: v[:, None],
        "a 1-D tensor has no second axis: v.T (or a transpose) leaves it (n,); add an axis in "
        "front with v.unsqueeze(0) or v[None, :]": lambda v: v,
    }
    d = g.device
    g.expect("book_example", (t([1., 2., 3.], device=d),), t([[1., 2., 3.]], device=d),
             exact=True, mistakes=mistakes)
    g.against("random_inputs", _cases(g, _vectors(g)), lambda v: v.reshape(1, -1), exact=True,
              mistakes=mistakes)


@grader("ch03.as_column")
def as_column(g):
    mistakes = {
        "as_column gives one column (n, 1); you made a row (1, n), which is as_row":
            lambda v: v[None, :],
        "a 1-D tensor has no second axis: v.T (or a transpose) leaves it (n,); add an axis at "
        "the end with v.unsqueeze(1) or v[:, None]": lambda v: v,
    }
    d = g.device
    g.expect("book_example", (t([1., 2., 3.], device=d),), t([[1.], [2.], [3.]], device=d),
             exact=True, mistakes=mistakes)
    g.against("random_inputs", _cases(g, _vectors(g)), lambda v: v.reshape(-1, 1), exact=True,
              mistakes=mistakes)


# -- 4./5./6. concat_vectors, stack_rows, side_by_side -------------------------------------

_JOIN_STACKED = ("the result is 1-D: torch.stack (or vstack) puts the vectors on top of each "
                 "other in a new axis; torch.cat joins them end to end")


@grader("ch03.concat_vectors")
def concat_vectors(g):
    mistakes = {
        _JOIN_STACKED: lambda vs: torch.stack(vs),
        "the vectors are joined in the wrong order: vs[0] comes first, then vs[1], ...":
            lambda vs: torch.cat(vs[::-1]),
        "only the first two vectors were joined: every vector of the list belongs in the "
        "result": lambda vs: torch.cat(vs[:2]),
    }
    d = g.device
    g.expect("book_example", ([t([1., 2.], device=d), t([3.], device=d),
                               t([4., 5., 6.], device=d)],),
             t([1., 2., 3., 4., 5., 6.], device=d), exact=True, mistakes=mistakes)
    n = g.dims(1)[0]
    for dtype in FLOATS:
        for lengths in ([1], g.dims(1), g.dims(2), g.dims(3), [1, *g.dims(3)], [n, n, n]):
            vs = [g.randn(k, dtype=dtype) for k in lengths]
            cases = [(vs,), ([g.noncontiguous(v) for v in vs],)]
            g.against("random_inputs", cases, torch.cat, exact=True, mistakes=mistakes)


@grader("ch03.stack_rows")
def stack_rows(g):
    mistakes = {
        "stack_rows gives a (2, n) matrix: torch.cat joined a and b end to end into one "
        "vector; torch.stack (or vstack) puts b under a": lambda a, b: torch.cat([a, b]),
        "a and b became columns (n, 2): stack them as rows, along a new axis 0":
            lambda a, b: torch.stack([a, b], dim=1),
        "the rows are swapped: row 0 is a, row 1 is b": lambda a, b: torch.stack([b, a]),
    }
    d = g.device
    g.expect("book_example", (t([1., 2., 3.], device=d), t([4., 5., 6.], device=d)),
             t([[1., 2., 3.], [4., 5., 6.]], device=d), exact=True, mistakes=mistakes)
    for dtype in FLOATS:
        for n in (1, 2, *g.dims(2, lo=3)):
            a, b = g.randn(n, dtype=dtype), g.randn(n, dtype=dtype)
            g.against("random_inputs", g.layouts(a, b), lambda a, b: torch.stack([a, b]),
                      exact=True, mistakes=mistakes)


@grader("ch03.side_by_side")
def side_by_side(g):
    mistakes = {
        "side_by_side is 1-D (n + m,): torch.stack (or vstack) added an axis; join a and b "
        "end to end with torch.cat (or hstack)": lambda a, b: torch.stack([a, b]),
        "the order is a then b": lambda a, b: torch.cat([b, a]),
        "the entries of a and b are interleaved (stacked as columns, then flattened): all of a "
        "comes first, then all of b": lambda a, b: torch.stack([a, b], dim=1).reshape(-1),
    }
    d = g.device
    g.expect("book_example", (t([1., 2., 3.], device=d), t([4., 5.], device=d)),
             t([1., 2., 3., 4., 5.], device=d), exact=True, mistakes=mistakes)
    for dtype in FLOATS:
        n, m = g.dims(2)
        for la, lb in ((1, 1), (n, n), (n, m), (1, m), (m, 1)):
            a, b = g.randn(la, dtype=dtype), g.randn(lb, dtype=dtype)
            g.against("different_lengths" if la != lb else "random_inputs", g.layouts(a, b),
                      lambda a, b: torch.cat([a, b]), exact=True, mistakes=mistakes)


# -- 7./8./9./10. flatten_images, drop_channel_axis, channels_last, swap_last_two ----------

def _flatten_loop(batch):
    return torch.stack([batch[i].reshape(-1) for i in range(batch.shape[0])])


@grader("ch03.flatten_images")
def flatten_images(g):
    mistakes = {
        "the batch axis must stay: flatten everything but axis 0 (flatten(1) or "
        "reshape(N, -1)), not the whole tensor": lambda b: b.reshape(-1),
        "the batch axis comes first: reshape(N, -1), not reshape(-1, N)":
            lambda b: b.reshape(-1, b.shape[0]),
        "each sample is flattened in row-major (C, H, W) order: were the channels moved last "
        "first?": lambda b: b.movedim(1, -1).reshape(b.shape[0], -1),
        "each sample is flattened in row-major order: was it transposed first?":
            lambda b: b.mT.reshape(b.shape[0], -1),
    }
    d = g.device
    g.expect("book_shape", (torch.ones(3, 1, 28, 28, device=d),), torch.ones(3, 784, device=d),
             exact=True, mistakes=mistakes)
    g.expect("book_example", (torch.arange(12., device=d).reshape(2, 3, 2),),
             t([[0., 1., 2., 3., 4., 5.], [6., 7., 8., 9., 10., 11.]], device=d), exact=True,
             mistakes=mistakes)
    N, C, H, W = g.dims(4)
    shapes = [(N, 1, 28, 28), (N, C, H, W), (N, 3, 5, 7), (N, W), (1, C, H, W), (1, W),
              (N, 1, 1, 1), (N, 2, H, C, W)]
    g.against("random_inputs", _cases(g, shapes), _flatten_loop, exact=True, mistakes=mistakes)


@grader("ch03.drop_channel_axis")
def drop_channel_axis(g):
    mistakes = {
        "squeeze() without an axis drops every size-1 axis (here the batch, height or width "
        "too): squeeze(1) removes only the channel axis": lambda b: b.squeeze(),
        "batch[0] picks the first image; the channel axis is axis 1: batch[:, 0] or "
        "batch.squeeze(1)": lambda b: b[0],
        "squeeze(0) removes nothing here: the channel axis is axis 1": lambda b: b.squeeze(0),
    }
    d = g.device
    g.expect("book_shape", (torch.ones(5, 1, 28, 28, device=d),),
             torch.ones(5, 28, 28, device=d), exact=True, mistakes=mistakes)
    N, H, W = g.dims(3)
    shapes = [(N, 1, H, W), (1, 1, H, W), (N, 1, 1, W), (N, 1, H, 1), (1, 1, 1, W),
              (1, 1, 1, 1), (N, 1, 28, 28)]
    g.against("random_inputs", _cases(g, shapes), lambda b: b[:, 0], exact=True,
              mistakes=mistakes)


@grader("ch03.channels_last")
def channels_last(g):
    perm = "out[n, i, j, c] = x[n, c, i, j]: permute(0, 2, 3, 1)"
    mistakes = {
        f"reshape keeps the values in memory order and does not move the channels: {perm}":
            lambda x: x.reshape(x.shape[0], x.shape[2], x.shape[3], x.shape[1]),
        f"transpose(1, 3) also swaps height and width (N, W, H, C): {perm}":
            lambda x: x.permute(0, 3, 2, 1),
        f"wrong permutation (N, H, C, W): {perm}": lambda x: x.permute(0, 2, 1, 3),
        f"wrong permutation (N, W, C, H): {perm}": lambda x: x.permute(0, 3, 1, 2),
        f"the batch axis moved: {perm}": lambda x: x.permute(1, 2, 3, 0),
    }
    d = g.device
    g.expect("book_example", (t([[[[1., 2.]], [[3., 4.]]]], device=d),),
             t([[[[1., 3.], [2., 4.]]]], device=d), exact=True, mistakes=mistakes)
    N, C, H, W = g.dims(4)
    shapes = [(N, C, H, W), tuple(g.dims(4)), (1, C, H, W), (N, 1, H, W), (N, C, 1, 1),
              (N, 3, 28, W)]
    g.against("random_inputs", _cases(g, shapes),
              lambda x: torch.einsum("nchw->nhwc", x), exact=True, mistakes=mistakes)


@grader("ch03.swap_last_two")
def swap_last_two(g):
    mistakes = {
        "x.T (and permute of every axis in reverse) reverses all the axes, not only the last "
        "two: use x.transpose(-2, -1) or x.mT": lambda x: x.permute(*range(x.dim() - 1, -1, -1)),
        "transpose(0, 1) swaps the first two axes; the last two are -2 and -1":
            lambda x: x.transpose(0, 1),
        "transpose(1, 2) swaps the last two axes only of a 3-D input: count from the end, "
        "transpose(-2, -1)": lambda x: x.transpose(1, 2),
        "reshape does not transpose: the shape is (..., b, a) but the values stay in memory "
        "order; use transpose(-2, -1)":
            lambda x: x.reshape(*x.shape[:-2], x.shape[-1], x.shape[-2]),
    }
    d = g.device
    g.expect("book_example", (t([[1., 2., 3.], [4., 5., 6.]], device=d),),
             t([[1., 4.], [2., 5.], [3., 6.]], device=d), exact=True, mistakes=mistakes)
    shapes = [tuple(g.dims(k)) for k in (2, 3, 4, 5)] + [(1, 3), (4, 1), (2, 1, 3), (5, 3, 1, 2)]
    g.against("random_inputs", _cases(g, shapes), lambda x: x.mT, exact=True,
              mistakes=mistakes)


# -- 11./12./13. split_heads, merge_heads, concat_heads ------------------------------------

def _head_sizes(g):
    """(B, T, nh, H): all different, then sizes of 1 (one head, one token, one channel)."""
    return [g.dims(4), g.dims(4), (*g.dims(2), 1, g.dims(1)[0]), (1, 1, *g.dims(2)),
            (*g.dims(3), 1)]


def _split_loop(x, nh):
    H = x.shape[-1] // nh
    return torch.stack([x[..., h * H:(h + 1) * H] for h in range(nh)], dim=1)


def _merge_loop(x):
    return torch.cat([x[:, h] for h in range(x.shape[1])], dim=-1)


_HEAD_BLOCKS = "head h owns the contiguous channels h*H .. (h+1)*H - 1"


@grader("ch03.split_heads")
def split_heads(g):
    def shaped(x, nh):
        B, T, C = x.shape
        return B, T, C // nh

    mistakes = {
        "a reshape straight to (B, nh, T, H) mixes time steps into heads: reshape to "
        "(B, T, nh, H) first, then transpose(1, 2)":
            lambda x, nh: x.reshape(shaped(x, nh)[0], nh, x.shape[1], -1),
        f"{_HEAD_BLOCKS}, not every nh-th channel (channel c in head c % nh): reshape to "
        "(B, T, nh, H), not (B, T, H, nh)":
            lambda x, nh: x.reshape(*shaped(x, nh), nh).permute(0, 3, 1, 2),
        "the heads axis goes before time (B, nh, T, H): transpose(1, 2) after the reshape":
            lambda x, nh: x.reshape(x.shape[0], x.shape[1], nh, -1),
    }
    d = g.device
    g.expect("book_example", (t([[[0., 1., 2., 3.], [4., 5., 6., 7.]]], device=d), 2),
             t([[[[0., 1.], [4., 5.]], [[2., 3.], [6., 7.]]]], device=d), exact=True,
             mistakes=mistakes)
    for B, T, nh, H in _head_sizes(g):
        g.against("random_inputs", _cases(g, [(B, T, nh * H)], extra=(nh,)), _split_loop,
                  exact=True, mistakes=mistakes)


@grader("ch03.merge_heads")
def merge_heads(g):
    mistakes = {
        "transpose(1, 2) back to (B, T, nh, H) before merging: a plain reshape of "
        "(B, nh, T, H) mixes time steps into heads":
            lambda x: x.reshape(x.shape[0], x.shape[2], -1),
        f"{_HEAD_BLOCKS}: merging (B, T, H, nh) interleaves the heads channel by channel":
            lambda x: x.permute(0, 2, 3, 1).reshape(x.shape[0], x.shape[2], -1),
        "the heads are merged in reverse order: head 0 fills the first H channels":
            lambda x: _merge_loop(x.flip(1)),
    }
    d = g.device
    g.expect("book_example", (t([[[[0., 1.], [4., 5.]], [[2., 3.], [6., 7.]]]], device=d),),
             t([[[0., 1., 2., 3.], [4., 5., 6., 7.]]], device=d), exact=True,
             mistakes=mistakes)
    for B, T, nh, H in _head_sizes(g):
        g.against("random_inputs", _cases(g, [(B, nh, T, H)]), _merge_loop, exact=True,
                  mistakes=mistakes)
        # a split that a student's split_heads would hand over: a transposed, strided view
        x = g.randn(B, T, nh * H)
        g.against("inverse_of_split", [(x.view(B, T, nh, H).transpose(1, 2),)], _merge_loop,
                  exact=True, mistakes=mistakes)


@grader("ch03.concat_heads")
def concat_heads(g):
    mistakes = {
        "join along the channel axis (dim=-1): you joined along the batch axis (dim=0)":
            lambda hs: torch.cat(hs, dim=0),
        "join along the channel axis (dim=-1): you joined along the time axis (dim=1)":
            lambda hs: torch.cat(hs, dim=1),
        "the heads are in the wrong order: head 0 fills the first H channels":
            lambda hs: torch.cat(hs[::-1], dim=-1),
        f"{_HEAD_BLOCKS}: stacking on a last axis and reshaping interleaves the heads":
            lambda hs: torch.stack(hs, dim=-1).flatten(-2),
        "torch.stack adds a heads axis: concatenate along the channels instead":
            lambda hs: torch.stack(hs, dim=2),
    }
    d = g.device
    g.expect("book_example", ([t([[[1., 2.]]], device=d), t([[[3., 4.]]], device=d)],),
             t([[[1., 2., 3., 4.]]], device=d), exact=True, mistakes=mistakes)
    oracle = lambda hs: torch.stack(hs, dim=2).flatten(2)  # noqa: E731  (B, T, nh, H)
    for dtype in FLOATS:
        for B, T, nh, H in _head_sizes(g):
            hs = [g.randn(B, T, H, dtype=dtype) for _ in range(nh)]
            cases = [(hs,), ([g.noncontiguous(h) for h in hs],),
                     ([g.transposed_layout(h) for h in hs],)]
            g.against("random_inputs", cases, oracle, exact=True, mistakes=mistakes)


# -- 14. image_patches ---------------------------------------------------------------------

def _patches_loop(img, p):
    C, H, W = img.shape
    return torch.stack([img[:, i * p:(i + 1) * p, j * p:(j + 1) * p].reshape(-1)
                        for i in range(H // p) for j in range(W // p)])


def _patches_hw_swapped(img, p):
    """The reshape route with H and W read the wrong way round (C, W, H = img.shape)."""
    C, W, H = img.shape
    x = img.reshape(C, H // p, p, W // p, p).permute(1, 3, 0, 2, 4)
    return x.reshape(-1, C * p * p)


def _patches_permuted(img, p, order):
    C, H, W = img.shape
    x = img.reshape(C, H // p, p, W // p, p).permute(*order)
    return x.reshape((H // p) * (W // p), C * p * p)


_PATCH_MISTAKES = {
    "each patch is flattened in (C, p, p) order (all of channel 0, then channel 1, ...); you "
    "flattened it in (p, p, C) order (channels last)":
        lambda img, p: _patches_permuted(img, p, (1, 3, 2, 4, 0)),
    "patches are numbered in row-major order (left to right along the top row of patches "
    "first); yours go down the columns first": lambda img, p: _patches_permuted(
        img, p, (3, 1, 0, 2, 4)),
    "H and W are swapped (the image is (C, H, W): height before width)": _patches_hw_swapped,
    "the image was read transposed (W before H): patch (i, j) covers rows i*p.. and columns "
    "j*p..": lambda img, p: _patches_loop(img.mT, p),
    "a reshape alone does not cut patches: the values must be permuted to (H/p, W/p, C, p, p) "
    "first": lambda img, p: img.reshape(-1, img.numel() // ((img.shape[1] // p) *
                                                             (img.shape[2] // p))),
    "each patch is flattened in (C, p, p) order: the rows and columns inside a patch are "
    "swapped": lambda img, p: _patches_permuted(img, p, (1, 3, 0, 4, 2)),
}


@grader("ch03.image_patches")
def image_patches(g):
    d = g.device
    g.expect("book_example", (torch.arange(16., device=d).reshape(1, 4, 4), 2),
             t([[0., 1., 4., 5.], [2., 3., 6., 7.], [8., 9., 12., 13.], [10., 11., 14., 15.]],
               device=d), exact=True, mistakes=_PATCH_MISTAKES)
    C, h, w = g.dims(3, lo=2, hi=5)
    for p, (c, hh, ww) in ((2, (C, h, w)), (3, (C, w, h)), (1, (C, h, w)), (2, (1, h, w)),
                           (4, (C, 1, 1)), (2, (C, 1, w)), (3, (C, h, 1))):
        g.against("random_inputs", _cases(g, [(c, hh * p, ww * p)], extra=(p,)), _patches_loop,
                  exact=True, mistakes=_PATCH_MISTAKES)
    g.vectorised(lambda s: (g.randn(s - 1, 2 * s, 2 * (s + 2)), 2), oracle=_patches_loop,
                 exact=True, mistakes=_PATCH_MISTAKES)


# -- 15. broadcast_shape -------------------------------------------------------------------

def _broadcast(a, b):
    """The oracle: NumPy's rule as a tuple of ints, or None where the shapes do not
    broadcast (np.broadcast_shapes: torch.broadcast_shapes costs 2 s on first use)."""
    try:
        return tuple(int(s) for s in np.broadcast_shapes(a, b))
    except ValueError:
        return None


def _left_aligned(a, b):
    """The mistake: shapes lined up at their first axes, padded with 1s on the right."""
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        return None
    return tuple(max(x, y) if 0 not in (x, y) else 0 for x, y in zip(a, b))


def _max_of_pairs(a, b):
    """The mistake: right-aligned, every pair's larger size, incompatible pairs accepted."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


def _torch_names(g) -> list[str]:
    """The torch or NumPy names the submitted function itself uses (the line says "computed
    without torch"); empty when there is no source to read."""
    view = g.impl.static_view(g.ex.name)
    src = view[0] if view else None
    if src is None or g.ex.name not in src.defs:
        return []
    found, fn = set(), src.defs[g.ex.name][0]
    body = fn.body if isinstance(fn.body, list) else [fn.body]  # a def or a lambda
    for node in (n for stmt in body for n in ast.walk(stmt)):  # not the annotations
        if isinstance(node, ast.Name):
            path = src.aliases.get(node.id, node.id if node.id in ("torch", "np", "numpy")
                                   else "")
            if path.split(".")[0] in ("torch", "numpy", "np"):
                found.add(path)
    return sorted(found)


def _shape_result(g, check: str, a: tuple, b: tuple) -> None:
    want = _broadcast(a, b)
    if want is None:
        left = _left_aligned(a, b)
        why = f"shapes {a} and {b} (aligned at their right ends) do not broadcast"
        if left is not None:
            why += " (lined up from the left they would: align them from the right)"
        g.raises(check, (a, b), "ValueError", why)
        return
    hint = "" if _left_aligned(a, b) is not None else \
        "lined up from their first axes these shapes clash; NumPy aligns them at their " \
        "right ends (pad the shorter one with 1s on the left)"
    out = g.call(check, a, b, trace=True, hint=hint)
    if out is None:
        return
    got, call = out.value, g.call_text((a, b))
    if out.trace is not None and out.trace.aten:
        g.check("without_torch", False, f"{call} ran tensor operations "
                f"({', '.join(sorted(set(out.trace.aten))[:3])}): the catalog asks for the "
                "shape computed in plain Python, without torch")
    if isinstance(got, torch.Size):
        g.check(check, False, f"{call} returned {show(got)}: the catalog asks for a plain "
                              "tuple of ints computed without torch, not a torch.Size")
    elif isinstance(got, list):
        g.check(check, False, f"{call} returned the list {got}: return a tuple (tuple(out))")
    elif type(got) is not tuple or any(type(s) is not int for s in got):
        g.check(check, False, f"{call} returned {show(got)} ({type(got).__name__}); expected "
                              f"the tuple of ints {want}")
    elif got != want:
        hint = ""
        if got == _left_aligned(a, b):
            hint = ": the shapes were lined up from the left; NumPy aligns them at their " \
                   "right ends (pad the shorter one with 1s on the left)"
        elif got == _max_of_pairs(a, b):
            hint = ": a size 1 takes the other size, even 0 (max() gets 1 vs 0 wrong)"
        g.check(check, False, f"{call}: expected {want}, got {got}{hint}")
    else:
        g.check(check, True)
        g.inputs_unchanged(out, (a, b))


@grader("ch03.broadcast_shape")
def broadcast_shape(g):
    _shape_result(g, "book_example", (5, 1, 3), (4, 1))
    for a, b in (((2, 3), (2, 3)), ((3,), (2, 3)), ((2, 3), (3,)), ((4, 1), (3,)),
                 ((1,), (5, 4)), ((8, 1, 6, 1), (7, 1, 5)), ((3,), (3, 1)), ((1, 1), (1,)),
                 ((2, 1, 1), (1, 3, 1))):
        _shape_result(g, "compatible", a, b)
    for a, b in (((), (3, 4)), ((3, 4), ()), ((), ()), ((1,), ())):
        _shape_result(g, "empty_shapes", a, b)
    for a, b in (((0,), (1,)), ((1, 3), (0, 1)), ((2, 0), (1,))):
        _shape_result(g, "zero_sizes", a, b)
    for a, b in (((3,), (4,)), ((2, 3), (3, 2)), ((4,), (4, 3)), ((2, 1), (8, 4, 3)),
                 ((5, 2, 3), (4, 3)), ((0,), (2,))):
        _shape_result(g, "incompatible", a, b)
    # random shapes of different lengths: the longer one's axes each kept or set to 1, the
    # shorter one a suffix of the same sizes, each kept or set to 1
    for _ in range(6):
        m, n = sorted(g.dims(2, lo=1, hi=5))
        full = g.dims(n, lo=2, hi=9)
        a = tuple(s if r else 1 for s, r in zip(full, g.randint(2, n).tolist()))
        b = tuple(s if r else 1 for s, r in zip(full[n - m:], g.randint(2, m).tolist()))
        _shape_result(g, "random_shapes", a, b)
        _shape_result(g, "random_shapes", b, a)
    names = _torch_names(g)
    g.check("without_torch", not names, f"your {g.ex.name} uses {', '.join(names)}: the "
                                        "catalog asks for the shape computed in plain Python, "
                                        "without torch or NumPy")
