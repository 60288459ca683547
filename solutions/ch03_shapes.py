"""ch03 - Shapes: reshape, combine, split.

Reshaping in row-major order, adding and removing axes, joining and splitting tensors, moving
channels and heads around: the plumbing between every two layers of a network.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch03.to_matrix", points=1, book="P22", examples=[
    Example("to_matrix(torch.arange(6.), 2, 3)", expect=f"{T}([[0., 1., 2.], [3., 4., 5.]])"),
    Example("to_matrix(torch.arange(6.), 4, 2)", raises="ValueError")],
    hints=(
        "Check first that rows * cols equals the number of entries and raise ValueError if not; "
        "then lay the entries out row by row.",
        "v.numel() for the size; v.reshape(rows, cols) fills the rows in order (row-major). "
        "torch itself raises a RuntimeError on a size mismatch, not the ValueError asked for.",
        "if ___ != v.numel():\n"
        "    raise ValueError('cannot lay out ...')\n"
        "return v.reshape(___, ___)"),
    stars=2, minutes=5)
def to_matrix(v: Tensor, rows: int, cols: int) -> Tensor:
    """The vector laid out as a rows x cols matrix, in row-major order.

    Row-major: the first `cols` entries of v become row 0, the next `cols` row 1, and so on
    (out[i, j] = v[i * cols + j]), as torch.reshape does.

    Args:
        v: (n,) vector.
        rows, cols: the shape of the result.
    Returns:
        (rows, cols) with out[i, j] = v[i * cols + j].
    Raises:
        ValueError: when rows * cols != n (torch itself would raise a RuntimeError: check
        the sizes yourself first).
    Example:
        >>> to_matrix(torch.arange(6.), 2, 3)
        tensor([[0., 1., 2.],
                [3., 4., 5.]])
    """
    ### BEGIN SOLUTION
    if rows * cols != v.numel():
        raise ValueError(f"cannot lay out {v.numel()} values as {rows} x {cols}")
    return v.reshape(rows, cols)  # (n,) -> (rows, cols)
    ### END SOLUTION


@exercise("ch03.as_row", points=1, book="P23", examples=[
    Example(f"as_row({T}([1., 2., 3.]))", expect=f"{T}([[1., 2., 3.]])")],
    hints=(
        "Add a new axis of size 1 in front of the only axis.",
        "unsqueeze(dim) inserts a size-1 axis at position dim (indexing with None does the same).",
        "return v.unsqueeze(___)  # (n,) -> (1, n)"),
    stars=1, minutes=2)
def as_row(v: Tensor) -> Tensor:
    """The vector as a matrix with one row.

    Args:
        v: (n,) vector.
    Returns:
        (1, n) with out[0, j] = v[j].
    Example:
        >>> as_row(torch.tensor([1., 2., 3.]))
        tensor([[1., 2., 3.]])
    """
    ### BEGIN SOLUTION
    return v.unsqueeze(0)  # (n,) -> (1, n)
    ### END SOLUTION


@exercise("ch03.as_column", points=1, book="P23", examples=[
    Example(f"as_column({T}([1., 2., 3.]))", expect=f"{T}([[1.], [2.], [3.]])")],
    hints=(
        "Add a new axis of size 1 after the only axis, so each entry sits in its own row.",
        "unsqueeze(dim) at the last position (or None after a full slice); v.T does not turn a "
        "1-D tensor into a column, the pitfall here.",
        "return v.unsqueeze(___)  # (n,) -> (n, 1)"),
    stars=1, minutes=2)
def as_column(v: Tensor) -> Tensor:
    """The vector as a matrix with one column.

    Args:
        v: (n,) vector.
    Returns:
        (n, 1) with out[i, 0] = v[i].
    Example:
        >>> as_column(torch.tensor([1., 2., 3.]))
        tensor([[1.],
                [2.],
                [3.]])
    """
    ### BEGIN SOLUTION
    return v.unsqueeze(1)  # (n,) -> (n, 1)
    ### END SOLUTION


@exercise("ch03.concat_vectors", points=1, book="P24", examples=[
    Example(f"concat_vectors([{T}([1., 2.]), {T}([3.]), {T}([4., 5., 6.])])",
            expect=f"{T}([1., 2., 3., 4., 5., 6.])")],
    hints=(
        "Join the vectors end to end along their existing axis, without adding a new one.",
        "torch.cat takes a list of tensors and a dim (0 by default); torch.stack would add an "
        "axis and needs equal lengths.",
        "return torch.___(vs, dim=___)"),
    stars=1, minutes=2)
def concat_vectors(vs: list[Tensor]) -> Tensor:
    """The vectors joined end to end, in list order.

    Args:
        vs: a non-empty list of 1-D vectors; their lengths may differ.
    Returns:
        1-D, of length the sum of their lengths: vs[0], then vs[1], and so on.
    Example:
        >>> concat_vectors([torch.tensor([1., 2.]), torch.tensor([3.])])
        tensor([1., 2., 3.])
    """
    ### BEGIN SOLUTION
    return torch.cat(vs)  # k vectors (n_i,) -> (sum n_i,)
    ### END SOLUTION


@exercise("ch03.stack_rows", points=1, book="P25", examples=[
    Example(f"stack_rows({T}([1., 2., 3.]), {T}([4., 5., 6.]))",
            expect=f"{T}([[1., 2., 3.], [4., 5., 6.]])")],
    hints=(
        "Put the two vectors along a new axis in front, so each becomes one row.",
        "torch.stack(list, dim) adds a new axis at dim (torch.vstack works too); torch.cat would "
        "join them into one long 1-D vector.",
        "return torch.stack([___, ___], dim=___)  # (2, n)"),
    stars=1, minutes=3)
def stack_rows(a: Tensor, b: Tensor) -> Tensor:
    """Two vectors as the two rows of a matrix, like np.vstack / torch.vstack.

    Args:
        a: (n,) vector.
        b: (n,) vector.
    Returns:
        (2, n) with row 0 = a and row 1 = b (a new axis in front; not a 1-D join).
    Example:
        >>> stack_rows(torch.tensor([1., 2., 3.]), torch.tensor([4., 5., 6.]))
        tensor([[1., 2., 3.],
                [4., 5., 6.]])
    """
    ### BEGIN SOLUTION
    return torch.stack([a, b])  # 2 x (n,) -> (2, n)
    ### END SOLUTION


@exercise("ch03.side_by_side", points=1, book="P25", examples=[
    Example(f"side_by_side({T}([1., 2., 3.]), {T}([4., 5.]))",
            expect=f"{T}([1., 2., 3., 4., 5.])")],
    hints=(
        "Join the two vectors end to end along their only axis; no new axis.",
        "torch.cat on a list of the two (or torch.hstack); torch.stack would need equal lengths "
        "and add an axis.",
        "return torch.___([___, ___])  # (n + m,)"),
    stars=1, minutes=2)
def side_by_side(a: Tensor, b: Tensor) -> Tensor:
    """Two vectors joined end to end, like np.hstack / torch.hstack of vectors.

    Args:
        a: (n,) vector.
        b: (m,) vector (m may differ from n).
    Returns:
        1-D (n + m,): the entries of a, then those of b (no new axis).
    Example:
        >>> side_by_side(torch.tensor([1., 2., 3.]), torch.tensor([4., 5.]))
        tensor([1., 2., 3., 4., 5.])
    """
    ### BEGIN SOLUTION
    return torch.cat([a, b])  # (n,), (m,) -> (n + m,)
    ### END SOLUTION


@exercise("ch03.flatten_images", points=1, book="P36", examples=[
    Example("flatten_images(torch.zeros(5, 1, 28, 28)).shape", expect="torch.Size([5, 784])"),
    Example("flatten_images(torch.arange(12.).reshape(2, 3, 2))",
            expect=f"{T}([[0., 1., 2., 3., 4., 5.], [6., 7., 8., 9., 10., 11.]])")],
    hints=(
        "Keep the batch axis and merge all the other axes into one; let torch work out the size "
        "of the merged axis.",
        "batch.reshape(N, -1) with N = batch.shape[0] (-1 means 'whatever is left'), or "
        "batch.flatten(start_dim=1); .view fails on a non-contiguous batch, .reshape does not.",
        "N = batch.shape[___]\n"
        "return batch.reshape(N, ___)"),
    stars=1, minutes=4)
def flatten_images(batch: Tensor) -> Tensor:
    """Every sample of a batch flattened to one row, the batch axis kept.

    Works for any shape (N, ...): MNIST's (N, 1, 28, 28), colour images (N, 3, H, W), or
    (N, D) already flat. Each sample is flattened in row-major order (its last axis fastest).

    Args:
        batch: (N, d1, d2, ...) with at least two axes.
    Returns:
        (N, d1 * d2 * ...) with out[i] = batch[i] flattened in row-major order.
    Example:
        >>> flatten_images(torch.zeros(5, 1, 28, 28)).shape
        torch.Size([5, 784])
    """
    ### BEGIN SOLUTION
    return batch.reshape(batch.shape[0], -1)  # (N, ...) -> (N, prod(...))
    ### END SOLUTION


@exercise("ch03.drop_channel_axis", points=1, book="P36", examples=[
    Example("drop_channel_axis(torch.zeros(5, 1, 28, 28)).shape",
            expect="torch.Size([5, 28, 28])"),
    Example("drop_channel_axis(torch.zeros(1, 1, 3, 1)).shape", expect="torch.Size([1, 3, 1])")],
    hints=(
        "Remove only axis 1, which has size 1; the other size-1 axes (N = 1, H = 1 or W = 1) "
        "must stay.",
        "squeeze(dim) removes only the axis you name; squeeze() with no argument removes every "
        "size-1 axis, the pitfall here. batch[:, 0] works too.",
        "return batch.squeeze(___)  # (N, 1, H, W) -> (N, H, W)"),
    stars=1, minutes=3)
def drop_channel_axis(batch: Tensor) -> Tensor:
    """Remove the size-1 channel axis of a batch of single-channel images.

    Only axis 1 goes: a batch of one image (N = 1) or an image of height or width 1 keeps
    those axes.

    Args:
        batch: (N, 1, H, W).
    Returns:
        (N, H, W) with out[n] = batch[n, 0].
    Example:
        >>> drop_channel_axis(torch.zeros(1, 1, 3, 1)).shape
        torch.Size([1, 3, 1])
    """
    ### BEGIN SOLUTION
    return batch.squeeze(1)  # (N, 1, H, W) -> (N, H, W)
    ### END SOLUTION


@exercise("ch03.channels_last", points=1, examples=[
    Example("channels_last(torch.zeros(2, 3, 4, 5)).shape", expect="torch.Size([2, 4, 5, 3])"),
    Example(f"channels_last({T}([[[[1., 2.]], [[3., 4.]]]]))",
            expect=f"{T}([[[[1., 3.], [2., 4.]]]])")],
    hints=(
        "Reorder the four axes: the channel axis (1) goes last, the others keep their order.",
        "x.permute(...) takes the new order as a list of old axis numbers; a reshape to (N, H, "
        "W, C) gives the right shape but scrambles the values.",
        "return x.permute(0, ___, ___, ___)  # (N, C, H, W) -> (N, H, W, C)"),
    stars=1, minutes=4)
def channels_last(x: Tensor) -> Tensor:
    """Move the channel axis of a batch of images from position 1 to the end.

    Args:
        x: (N, C, H, W).
    Returns:
        (N, H, W, C) with out[n, i, j, c] = x[n, c, i, j].
    Example:
        >>> channels_last(torch.zeros(2, 3, 4, 5)).shape
        torch.Size([2, 4, 5, 3])
    """
    ### BEGIN SOLUTION
    return x.permute(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
    ### END SOLUTION


@exercise("ch03.swap_last_two", points=1, book="P106", examples=[
    Example(f"swap_last_two({T}([[1., 2., 3.], [4., 5., 6.]]))",
            expect=f"{T}([[1., 4.], [2., 5.], [3., 6.]])"),
    Example("swap_last_two(torch.zeros(2, 3, 4, 5)).shape", expect="torch.Size([2, 3, 5, 4])")],
    hints=(
        "Swap only the last two axes, counting them from the end so that any number of leading "
        "axes works.",
        "x.transpose(dim0, dim1) with negative dims (or x.mT); x.T reverses every axis, which is "
        "wrong beyond 2-D.",
        "return x.transpose(___, ___)"),
    stars=1, minutes=3)
def swap_last_two(x: Tensor) -> Tensor:
    """Transpose the last two axes, whatever the number of leading (batch) axes.

    Args:
        x: (..., a, b) with at least two axes.
    Returns:
        (..., b, a) with out[..., j, i] = x[..., i, j]; the leading axes stay in place.
    Example:
        >>> swap_last_two(torch.zeros(2, 3, 4, 5)).shape
        torch.Size([2, 3, 5, 4])
    """
    ### BEGIN SOLUTION
    return x.transpose(-2, -1)  # (..., a, b) -> (..., b, a)
    ### END SOLUTION


@exercise("ch03.split_heads", points=2, examples=[
    Example("split_heads(torch.zeros(2, 5, 12), 3).shape", expect="torch.Size([2, 3, 5, 4])"),
    Example(f"split_heads({T}([[[0., 1., 2., 3.], [4., 5., 6., 7.]]]), 2)",
            expect=f"{T}([[[[0., 1.], [4., 5.]], [[2., 3.], [6., 7.]]]])")],
    hints=(
        "Cut the channel axis C into (nh, H) with a reshape, so head h gets channels h*H .. "
        "(h+1)*H-1; then move the head axis in front of the time axis.",
        "x.reshape(B, T, nh, H), then .transpose(1, 2) (or permute). Reshaping straight to (B, "
        "nh, T, H) gives the right shape but mixes tokens and heads.",
        "B, T, C = x.shape\n"
        "H = ___\n"
        "return x.reshape(B, T, ___, ___).transpose(___, ___)"),
    stars=2, minutes=10)
def split_heads(x: Tensor, n_heads: int) -> Tensor:
    """Split the channels of every token into n_heads heads, heads before time.

    Head h owns the contiguous block of channels h*H .. (h+1)*H - 1, with H = C // n_heads
    (as in nanoGPT: view as (B, T, nh, H), then swap the T and nh axes).

    Args:
        x: (B, T, C) with C a multiple of n_heads.
        n_heads: nh, the number of heads.
    Returns:
        (B, nh, T, H) with out[b, h, t, j] = x[b, t, h * H + j].
    Example:
        >>> split_heads(torch.zeros(2, 5, 12), 3).shape
        torch.Size([2, 3, 5, 4])
    """
    ### BEGIN SOLUTION
    B, T, C = x.shape
    H = C // n_heads
    return x.reshape(B, T, n_heads, H).transpose(1, 2)  # (B, T, nh, H) -> (B, nh, T, H)
    ### END SOLUTION


@exercise("ch03.merge_heads", points=2, examples=[
    Example("merge_heads(torch.zeros(2, 3, 5, 4)).shape", expect="torch.Size([2, 5, 12])"),
    Example(f"merge_heads({T}([[[[0., 1.], [4., 5.]], [[2., 3.], [6., 7.]]]]))",
            expect=f"{T}([[[0., 1., 2., 3.], [4., 5., 6., 7.]]])")],
    hints=(
        "Undo split_heads in reverse order: move time back in front of the heads, then merge the "
        "(nh, H) axes into one.",
        ".transpose(1, 2), then .reshape(B, T, nh * H); use reshape, not view: the transposed "
        "tensor is not contiguous (or call .contiguous() first).",
        "B, nh, T, H = x.shape\n"
        "return x.transpose(___, ___).reshape(___, ___, ___)"),
    stars=2, minutes=8)
def merge_heads(x: Tensor) -> Tensor:
    """Put the heads of every token back side by side: the inverse of split_heads.

    Args:
        x: (B, nh, T, H).
    Returns:
        (B, T, nh * H) with out[b, t, h * H + j] = x[b, h, t, j], so that
        merge_heads(split_heads(y, nh)) equals y.
    Example:
        >>> merge_heads(torch.zeros(2, 3, 5, 4)).shape
        torch.Size([2, 5, 12])
    """
    ### BEGIN SOLUTION
    B, nh, T, H = x.shape
    return x.transpose(1, 2).reshape(B, T, nh * H)  # (B, T, nh, H) -> (B, T, nh * H)
    ### END SOLUTION


@exercise("ch03.concat_heads", points=1, book="P108, seed", examples=[
    Example("concat_heads([torch.zeros(2, 5, 4), torch.ones(2, 5, 4)]).shape",
            expect="torch.Size([2, 5, 8])"),
    Example(f"concat_heads([{T}([[[1., 2.]]]), {T}([[[3., 4.]]])])",
            expect=f"{T}([[[1., 2., 3., 4.]]])")],
    hints=(
        "Join the heads along the last (channel) axis, head 0 first.",
        "torch.cat(list, dim=...) with the last axis (a negative dim counts from the end); the "
        "default dim=0 joins along the batch axis, and torch.stack would add a new axis.",
        "return torch.cat(heads, dim=___)  # (B, T, nh * H)"),
    stars=1, minutes=3)
def concat_heads(heads: list[Tensor]) -> Tensor:
    """The outputs of nh attention heads joined along the channel axis, head 0 first.

    Args:
        heads: a list of nh tensors, each (B, T, H).
    Returns:
        (B, T, nh * H) with out[b, t, h * H + j] = heads[h][b, t, j].
    Example:
        >>> concat_heads([torch.zeros(2, 5, 4), torch.ones(2, 5, 4)]).shape
        torch.Size([2, 5, 8])
    """
    ### BEGIN SOLUTION
    return torch.cat(heads, dim=-1)  # nh x (B, T, H) -> (B, T, nh * H)
    ### END SOLUTION


@exercise("ch03.image_patches", points=3, vec=True, examples=[
    Example("image_patches(torch.zeros(3, 8, 12), 4).shape", expect="torch.Size([6, 48])"),
    Example("image_patches(torch.arange(16.).reshape(1, 4, 4), 2)",
            expect=f"{T}([[0., 1., 4., 5.], [2., 3., 6., 7.], [8., 9., 12., 13.], "
                   f"[10., 11., 14., 15.]])")],
    hints=(
        "Split each spatial axis into (number of patches, p) with one reshape, reorder the axes "
        "so the two grid axes come first and (C, p, p) last, then merge: grid axes into rows, "
        "(C, p, p) into columns.",
        "img.reshape(C, H//p, p, W//p, p), then .permute(...) to (H//p, W//p, C, p, p), then "
        ".reshape(...) to 2-D (reshape, not view: the permuted tensor is not contiguous).",
        "C, H, W = img.shape\n"
        "x = img.reshape(C, H // p, p, W // p, p)  # (C, gi, pi, gj, pj)\n"
        "x = x.permute(___)  # (gi, gj, C, pi, pj)\n"
        "return x.reshape(___, ___)"),
    stars=3, minutes=20)
def image_patches(img: Tensor, p: int) -> Tensor:
    """Cut an image into non-overlapping p x p patches, one flattened patch per row (as a
    Vision Transformer does before its first layer).

    Patches are numbered in row-major order over the (H // p, W // p) grid: the top row of
    patches left to right, then the next row. Each patch is flattened in (C, p, p) order:
    all of channel 0's p x p pixels (row by row), then channel 1's, and so on.

    Args:
        img: (C, H, W), with H and W multiples of p.
        p: the patch size.
    Returns:
        (H//p * W//p, C*p*p) with out[i * (W//p) + j] = img[:, i*p:(i+1)*p, j*p:(j+1)*p]
        flattened.
    Example:
        >>> image_patches(torch.arange(16.).reshape(1, 4, 4), 2)
        tensor([[ 0.,  1.,  4.,  5.],
                [ 2.,  3.,  6.,  7.],
                [ 8.,  9., 12., 13.],
                [10., 11., 14., 15.]])
    """
    ### BEGIN SOLUTION
    C, H, W = img.shape
    x = img.reshape(C, H // p, p, W // p, p)  # (C, H/p, p, W/p, p)
    x = x.permute(1, 3, 0, 2, 4)  # (H/p, W/p, C, p, p)
    return x.reshape(H // p * (W // p), C * p * p)  # (H/p * W/p, C*p*p)
    ### END SOLUTION


@exercise("ch03.broadcast_shape", points=2, examples=[
    Example("broadcast_shape((5, 1, 3), (4, 1))", expect="(5, 4, 3)"),
    Example("broadcast_shape((3,), (4,))", raises="ValueError"),
    Example("broadcast_shape((2, 3), ())", check="type(out) is tuple and out == (2, 3)",
            says="the plain tuple (2, 3)")],
    hints=(
        "Pad the shorter shape with 1s on the left so both have the same length, then walk the "
        "aligned pairs: equal sizes or a 1 are fine (the result takes the other), anything else "
        "is an error.",
        "Plain Python only (the grader rejects torch and NumPy here): tuple concatenation (1,) * "
        "k + shape, zip over the pairs, raise ValueError; return a tuple, not a list.",
        "n = max(len(a), len(b))\n"
        "a, b = (1,) * (n - len(a)) + tuple(a), ___\n"
        "out = []\n"
        "for x, y in zip(a, b):\n"
        "    if ___: raise ValueError('...')\n"
        "    out.append(___)\n"
        "return tuple(out)"),
    stars=2, minutes=12)
def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of the result when tensors of shapes a and b are broadcast (NumPy rules).

    Align the shapes at their right ends; the shorter one is padded with 1s on the left.
    Each aligned pair of sizes must be equal, or one of them 1 (the result takes the other).
    Computed in plain Python, without torch or NumPy.

    Args:
        a: a shape, a tuple of ints (may be empty: a 0-d tensor).
        b: another shape.
    Returns:
        The broadcast shape as a plain tuple of ints (not a list, not a torch.Size).
    Raises:
        ValueError: when an aligned pair differs and neither is 1, as (3,) and (4,).
    Example:
        >>> broadcast_shape((5, 1, 3), (4, 1))
        (5, 4, 3)
    """
    ### BEGIN SOLUTION
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)  # pad on the left
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError(f"shapes {a} and {b} do not broadcast: {x} vs {y}")
        out.append(y if x == 1 else x)
    return tuple(out)
    ### END SOLUTION
