"""ch02 - Indexing, slicing and masks.

Reading single entries, slices and blocks, views versus copies, boolean masks and picking one
entry per row: how a network reads the parts of a tensor it needs.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"
M34 = "torch.arange(12.).reshape(3, 4)"


@exercise("ch02.element_at", points=1, book="P13, P14", examples=[
    Example(f"element_at({M34}, 1, 2)", expect=f"{T}(6.)"),
    Example(f"element_at({M34}, -1, -4)", expect=f"{T}(8.)")],
    hints=(
        "Index the matrix with both indices at once; Python's negative indices work on tensors "
        "too.",
        "Indexing m[row, col] with two ints gives a 0-d tensor; do not call .item(), which gives "
        "a Python number.",
        "return m[___, ___]"),
    stars=1, minutes=2)
def element_at(m: Tensor, i: int, j: int) -> Tensor:
    """One entry of a matrix, as a 0-d tensor.

    Indices count from 0; a negative index counts from the end, as in Python (i = -1 is the
    last row, j = -D the first column).

    Args:
        m: (N, D) matrix of any dtype.
        i: row index, -N <= i < N.
        j: column index, -D <= j < D.
    Returns:
        0-d tensor m[i, j], in m's dtype.
    Example:
        >>> m = torch.arange(12.).reshape(3, 4)
        >>> element_at(m, 1, 2)
        tensor(6.)
        >>> element_at(m, -1, -4)
        tensor(8.)
    """
    ### BEGIN SOLUTION
    return m[i, j]  # (N, D) -> ()
    ### END SOLUTION


@exercise("ch02.first_k", points=1, book="P15", examples=[
    Example(f"first_k({T}([5., 6., 7., 8.]), 3)", expect=f"{T}([5., 6., 7.])"),
    Example(f"first_k({T}([5., 6., 7., 8.]), 0)", expect=f"{T}([])")],
    hints=(
        "Slice from the start of the vector and stop before position k.",
        "A slice start:stop on the only axis: the stop is excluded and an omitted start means 0 "
        "(k = 0 then gives an empty vector on its own).",
        "return v[___]"),
    stars=1, minutes=2)
def first_k(v: Tensor, k: int) -> Tensor:
    """The first k entries of a vector.

    Args:
        v: (n,) vector of any dtype.
        k: how many entries, 0 <= k <= n (k = 0 gives an empty vector, k = n all of v).
    Returns:
        (k,) tensor v[0], ..., v[k-1], in v's dtype.
    Example:
        >>> first_k(torch.tensor([5., 6., 7., 8.]), 3)
        tensor([5., 6., 7.])
    """
    ### BEGIN SOLUTION
    return v[:k]  # (n,) -> (k,)
    ### END SOLUTION


@exercise("ch02.every_other", points=1, book="P15", examples=[
    Example(f"every_other({T}([0., 1., 2., 3., 4.]), 0)", expect=f"{T}([0., 2., 4.])"),
    Example(f"every_other({T}([0., 1., 2., 3., 4.]), 1)", expect=f"{T}([1., 3.])")],
    hints=(
        "A slice can take a step as well as a start and a stop.",
        "The slice start:stop:step, with the stop left out to run to the end of v.",
        "return v[___::___]"),
    stars=1, minutes=3)
def every_other(v: Tensor, start: int) -> Tensor:
    """Every second entry of a vector, beginning at index ``start``.

    Args:
        v: (n,) vector of any dtype.
        start: the first index taken, 0 <= start < n.
    Returns:
        1-D tensor v[start], v[start + 2], v[start + 4], ... up to the end of v (the last
        entry is included when its index is start + an even number), in v's dtype.
    Example:
        >>> every_other(torch.tensor([0., 1., 2., 3., 4.]), 1)
        tensor([1., 3.])
    """
    ### BEGIN SOLUTION
    return v[start::2]  # (n,) -> (ceil((n - start) / 2),)
    ### END SOLUTION


@exercise("ch02.reversed_vector", points=1, book="P15", examples=[
    Example(f"reversed_vector({T}([1., 2., 3.]))", expect=f"{T}([3., 2., 1.])")],
    hints=(
        "Reverse the order of the entries along the only axis; torch rejects a negative slice "
        "step, so v[::-1] is not the way.",
        "torch.flip(v, dims) or v.flip(dim) reverses the axes you name (they return a copy).",
        "return v.flip(___)"),
    stars=1, minutes=3)
def reversed_vector(v: Tensor) -> Tensor:
    """A vector in reverse order.

    Note that torch does not allow a negative slice step (``v[::-1]`` raises).

    Args:
        v: (n,) vector of any dtype.
    Returns:
        (n,) tensor with out[i] = v[n - 1 - i], in v's dtype.
    Example:
        >>> reversed_vector(torch.tensor([1., 2., 3.]))
        tensor([3., 2., 1.])
    """
    ### BEGIN SOLUTION
    return v.flip(0)  # (n,)
    ### END SOLUTION


@exercise("ch02.top_left_block", points=1, book="P16, P21", examples=[
    Example(f"top_left_block({M34}, 2, 3)", expect=f"{T}([[0., 1., 2.], [4., 5., 6.]])"),
    Example(f"top_left_block({M34}, 2, 3)", check="out._base is not None",
            says="a view of m (out._base is the tensor it views), not a copy")],
    hints=(
        "Basic slicing returns a view that shares m's memory: slice both axes and do not copy.",
        "One slice per axis, separated by a comma: m[start:stop, start:stop]; no .clone(), "
        ".contiguous() or advanced (tensor or list) indexing, which copy.",
        "return m[___, ___]  # a view, no copy"),
    stars=1, minutes=3)
def top_left_block(m: Tensor, rows: int, cols: int) -> Tensor:
    """The top-left rows x cols block of a matrix, as a VIEW of m.

    The result must share m's memory (no copy): writing into m afterwards changes the block.
    Slicing does this; ``.clone()`` does not.

    Args:
        m: (N, D) matrix of any dtype.
        rows: number of rows kept, 1 <= rows <= N.
        cols: number of columns kept, 1 <= cols <= D.
    Returns:
        (rows, cols) view of m: out[i, j] = m[i, j].
    Example:
        >>> top_left_block(torch.arange(12.).reshape(3, 4), 2, 3)
        tensor([[0., 1., 2.],
                [4., 5., 6.]])
    """
    ### BEGIN SOLUTION
    return m[:rows, :cols]  # (N, D) -> (rows, cols)
    ### END SOLUTION


@exercise("ch02.top_left_copy", points=1, book="P21", examples=[
    Example(f"top_left_copy({M34}, 2, 3)", expect=f"{T}([[0., 1., 2.], [4., 5., 6.]])"),
    Example(f"top_left_copy({M34}, 2, 3)", check="out._base is None",
            says="an independent copy (out._base is None), not a view of m")],
    hints=(
        "Take the same block with a slice, then make an independent copy so later changes to m "
        "do not reach it.",
        "Slicing, then .clone(). Beware .contiguous() and .reshape(): they return m's own memory "
        "when the block is already contiguous (a block of full rows).",
        "block = m[___, ___]\n"
        "return block.___()"),
    stars=2, minutes=4)
def top_left_copy(m: Tensor, rows: int, cols: int) -> Tensor:
    """The top-left rows x cols block of a matrix, as an independent COPY.

    The result must not share memory with m: changing m afterwards leaves it unchanged.
    Beware that ``.contiguous()`` and ``.reshape`` return m's own memory when the block is
    already contiguous (a block of full rows); ``.clone()`` always copies.

    Args:
        m: (N, D) matrix of any dtype.
        rows: number of rows kept, 1 <= rows <= N.
        cols: number of columns kept, 1 <= cols <= D.
    Returns:
        (rows, cols) new tensor with out[i, j] = m[i, j].
    Example:
        >>> top_left_copy(torch.arange(12.).reshape(3, 4), 2, 3)
        tensor([[0., 1., 2.],
                [4., 5., 6.]])
    """
    ### BEGIN SOLUTION
    return m[:rows, :cols].clone()  # (N, D) -> (rows, cols)
    ### END SOLUTION


@exercise("ch02.drop_last_row_and_col", points=1, book="P17", examples=[
    Example(f"drop_last_row_and_col({M34})", expect=f"{T}([[0., 1., 2.], [4., 5., 6.]])")],
    hints=(
        "Keep everything but the last entry on both axes; a negative stop counts from the end.",
        "One slice per axis with stop -1 (the stop is excluded, so :-1 drops exactly the last "
        "one).",
        "return m[___, ___]"),
    stars=1, minutes=3)
def drop_last_row_and_col(m: Tensor) -> Tensor:
    """A matrix without its last row and its last column.

    Args:
        m: (N, D) matrix of any dtype (N = 1 or D = 1 gives an empty result).
    Returns:
        (N - 1, D - 1) tensor with out[i, j] = m[i, j].
    Example:
        >>> drop_last_row_and_col(torch.arange(12.).reshape(3, 4))
        tensor([[0., 1., 2.],
                [4., 5., 6.]])
    """
    ### BEGIN SOLUTION
    return m[:-1, :-1]  # (N, D) -> (N - 1, D - 1)
    ### END SOLUTION


@exercise("ch02.column", points=1, book="P20", examples=[
    Example(f"column({M34}, 1)", expect=f"{T}([1., 5., 9.])")],
    hints=(
        "Take every row and a single column: an integer index removes its axis, a slice keeps it.",
        "A full slice : for the rows and the int j for the column; m[:, j:j+1] would give (N, "
        "1), which is not asked for.",
        "return m[___, ___]  # (N,)"),
    stars=1, minutes=3)
def column(m: Tensor, j: int) -> Tensor:
    """Column j of a matrix, as a 1-D tensor.

    Args:
        m: (N, D) matrix of any dtype.
        j: column index, 0 <= j < D.
    Returns:
        (N,) tensor with out[i] = m[i, j] (1-D, not (N, 1)).
    Example:
        >>> column(torch.arange(12.).reshape(3, 4), 1)
        tensor([1., 5., 9.])
    """
    ### BEGIN SOLUTION
    return m[:, j]  # (N, D) -> (N,)
    ### END SOLUTION


@exercise("ch02.select_less_than", points=1, book="P31", examples=[
    Example(f"select_less_than({T}([[3., 1.], [0., 5.]]), 3.0)", expect=f"{T}([1., 0.])"),
    Example(f"select_less_than({T}([[3., 1.], [0., 5.]]), -1.0)", expect=f"{T}([])")],
    hints=(
        "Compare the whole matrix with the threshold to get a boolean mask, then use the mask as "
        "an index.",
        "m < threshold gives a bool tensor of m's shape; indexing m[mask] returns the selected "
        "entries as a 1-D tensor in row-major order (strict <: an equal entry is left out).",
        "mask = ___  # bool (N, D)\n"
        "return m[___]  # (S,)"),
    stars=1, minutes=4)
def select_less_than(m: Tensor, threshold: float) -> Tensor:
    """The entries of a matrix strictly below a threshold, in row-major order.

    Row-major order: row 0 left to right, then row 1, and so on. An entry equal to the
    threshold is not selected. When no entry is below the threshold the result is an empty
    1-D tensor, still in m's dtype.

    Args:
        m: (N, D) matrix of any dtype.
        threshold: a Python number.
    Returns:
        (S,) tensor of the S entries with m[i, j] < threshold, in m's dtype.
    Example:
        >>> select_less_than(torch.tensor([[3., 1.], [0., 5.]]), 3.0)
        tensor([1., 0.])
    """
    ### BEGIN SOLUTION
    return m[m < threshold]  # (N, D) -> (S,)
    ### END SOLUTION


@exercise("ch02.count_less_than_per_row", points=2, book="P31", vec=True, examples=[
    Example(f"count_less_than_per_row({T}([[3., 1., 2.], [0., 5., 3.]]), 3.0)",
            expect=f"{T}([2, 1])")],
    hints=(
        "Make a boolean mask of the entries below the threshold, then count the True values of "
        "each row, all at once (no loop over rows).",
        "A comparison, then .sum(dim=...): summing a bool tensor counts its Trues and already "
        "gives int64. dim=1 reduces across the columns of each row; dim=0 counts per column.",
        "mask = m ___ threshold  # bool (N, D)\n"
        "return mask.sum(dim=___)  # (N,) int64"),
    stars=2, minutes=5)
def count_less_than_per_row(m: Tensor, threshold: float) -> Tensor:
    """How many entries of each row are strictly below a threshold.

    An entry equal to the threshold is not counted.

    Args:
        m: (N, D) matrix of any dtype.
        threshold: a Python number.
    Returns:
        (N,) int64 tensor, out[i] = the number of j with m[i, j] < threshold.
    Example:
        >>> count_less_than_per_row(torch.tensor([[3., 1., 2.], [0., 5., 3.]]), 3.0)
        tensor([2, 1])
    """
    ### BEGIN SOLUTION
    return (m < threshold).sum(dim=1)  # (N, D) bool -> (N,) int64
    ### END SOLUTION


@exercise("ch02.pick_per_row", points=2, vec=True, examples=[
    Example(f"pick_per_row({T}([[1., 2., 3.], [4., 5., 6.]]), {T}([2, 0]))",
            expect=f"{T}([3., 4.])")],
    hints=(
        "Index with two integer tensors at once: one with the row numbers 0..N-1, the other with "
        "the chosen column of each row, so that position i pairs row i with column idx[i].",
        "torch.arange(N, device=m.device) for the rows, then advanced indexing m[rows, idx] (or "
        "m.gather(1, ...) with idx as an (N, 1) column). m[:, idx] is an (N, N) table, the "
        "pitfall.",
        "rows = torch.arange(___, device=m.device)  # (N,)\n"
        "return m[___, ___]  # (N,)"),
    stars=2, minutes=8)
def pick_per_row(m: Tensor, idx: Tensor) -> Tensor:
    """One entry from each row: the entry of row i at column idx[i].

    This is how a loss reads the probability of each sample's true class.

    Args:
        m: (N, D) matrix of any dtype.
        idx: (N,) int64 column indices, 0 <= idx[i] < D.
    Returns:
        (N,) tensor with out[i] = m[i, idx[i]], in m's dtype.
    Example:
        >>> pick_per_row(torch.tensor([[1., 2., 3.], [4., 5., 6.]]), torch.tensor([2, 0]))
        tensor([3., 4.])
    """
    ### BEGIN SOLUTION
    rows = torch.arange(m.shape[0], device=m.device)  # (N,)
    return m[rows, idx]  # (N,)
    ### END SOLUTION


@exercise("ch02.relu_by_mask", points=2, ban=("relu", "clamp", "clamp_min"), vec=True,
          examples=[Example(f"relu_by_mask({T}([[-1., 2.], [0.5, -3.]]))",
                            expect=f"{T}([[0., 2.], [0.5, 0.]])")],
    hints=(
        "Find where x is negative with a comparison and build a new tensor holding 0 there and x "
        "everywhere else; x itself must not change.",
        "The bool mask x < 0 with torch.where(cond, a, b) (a where cond is True, b elsewhere) or "
        "x.masked_fill(mask, value); not masked_fill_ (trailing _), which writes into x.",
        "mask = ___  # bool, True where x is negative\n"
        "return torch.where(mask, ___, ___)"),
    stars=2, minutes=5)
def relu_by_mask(x: Tensor) -> Tensor:
    """ReLU written with a boolean mask: negative entries become 0, the others stay.

    Use a mask (x < 0) with torch.where, masked_fill or a product; the input must not be
    changed (work on a new tensor).

    Args:
        x: float tensor of any shape.
    Returns:
        tensor of x's shape and dtype, out = x where x >= 0, 0 where x < 0.
    Example:
        >>> relu_by_mask(torch.tensor([[-1., 2.], [0.5, -3.]]))
        tensor([[0.0000, 2.0000],
                [0.5000, 0.0000]])
    """
    ### BEGIN SOLUTION
    return torch.where(x < 0, torch.zeros_like(x), x)  # same shape as x
    ### END SOLUTION


@exercise("ch02.sequence_mask", points=2, vec=True, examples=[
    Example(f"sequence_mask({T}([1, 3, 0]), 3)",
            expect=f"{T}([[True, False, False], [True, True, True], [False, False, False]])")],
    hints=(
        "Compare every position 0..max_len-1 with every sequence's length: a row of positions "
        "against a column of lengths broadcasts to a (B, max_len) table of booleans.",
        "torch.arange(max_len, device=lengths.device) for the positions, indexing with None (or "
        "unsqueeze) to add the axes, and a strict <: position t == lengths[b] is padding (False).",
        "positions = torch.arange(___, device=lengths.device)  # (T,)\n"
        "return positions[___] < lengths[___]  # (1, T) vs (B, 1) -> (B, T)"),
    stars=3, minutes=10)
def sequence_mask(lengths: Tensor, max_len: int) -> Tensor:
    """Padding mask of a batch of sequences: which positions hold real tokens.

    Sequence b has lengths[b] real tokens at positions 0 .. lengths[b] - 1; the positions
    from lengths[b] on are padding. Position t == lengths[b] is padding (False).

    Args:
        lengths: (B,) integer tensor (int64 or int32), 0 <= lengths[b] <= max_len.
        max_len: number of positions T.
    Returns:
        bool (B, max_len), out[b, t] = t < lengths[b], on lengths' device.
    Example:
        >>> sequence_mask(torch.tensor([1, 3, 0]), 3)
        tensor([[ True, False, False],
                [ True,  True,  True],
                [False, False, False]])
    """
    ### BEGIN SOLUTION
    positions = torch.arange(max_len, device=lengths.device)  # (T,)
    return positions[None, :] < lengths[:, None]  # (1, T) < (B, 1) -> (B, T)
    ### END SOLUTION


@exercise("ch02.top_k_indices", points=2, examples=[
    Example(f"top_k_indices({T}([0.5, 2.0, -1.0, 3.0]), 2)", expect=f"{T}([3, 1])"),
    Example(f"top_k_indices({T}([1., 4., 2., 4., 4.]), 2)", expect=f"{T}([1, 3])")],
    hints=(
        "Order the positions by value, largest first, keeping equal values in their original "
        "order; then keep the first k positions.",
        "torch.sort(v, descending=True, stable=True) returns (values, indices): keep .indices. "
        "torch.topk, and a sort without stable=True, do not promise the lower index first on "
        "ties.",
        "order = torch.sort(v, descending=___, stable=___).indices  # (n,)\n"
        "return order[___]"),
    stars=2, minutes=8)
def top_k_indices(v: Tensor, k: int) -> Tensor:
    """The positions of the k largest entries, largest first.

    Ties: equal values come in order of position, the lower index first. torch.topk does not
    promise that order; a stable sort does (torch.sort(..., stable=True)).

    Args:
        v: (n,) vector of any real dtype.
        k: how many, 0 <= k <= n.
    Returns:
        (k,) int64: out[0] is the index of the largest entry, and so on.
    Example:
        >>> top_k_indices(torch.tensor([0.5, 2.0, -1.0, 3.0]), 2)
        tensor([3, 1])
        >>> top_k_indices(torch.tensor([1., 4., 2., 4., 4.]), 2)
        tensor([1, 3])
    """
    ### BEGIN SOLUTION
    order = torch.sort(v, descending=True, stable=True).indices  # (n,)
    return order[:k]  # (k,)
    ### END SOLUTION
