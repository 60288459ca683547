"""Wrong and alternative implementations for ch02 (see tests/mutants/__init__.py)."""
import torch

from tests.mutants import correct, wrong


# -- 1. element_at -------------------------------------------------------------------------

@wrong("ch02.element_at", "row and column swapped")
def element_at(m, i, j):
    """swaps row and column"""
    return m[j, i]


@wrong("ch02.element_at", "flat position i * d + j")
def element_at(m, i, j):  # noqa: F811
    """a flat index i * D + j, wrong for a negative j"""
    return m.reshape(-1)[i * m.shape[1] + j]


@wrong("ch02.element_at", "expected a torch.tensor")
def element_at(m, i, j):  # noqa: F811
    """returns a Python number (.item())"""
    return m[i, j].item()


@wrong("ch02.element_at", "expected shape ()")
def element_at(m, i, j):  # noqa: F811
    """a 1x1 slice instead of an entry (and empty for i = -1)"""
    return m[i:i + 1, j:j + 1]


@wrong("ch02.element_at", "dtype")
def element_at(m, i, j):  # noqa: F811
    """rebuilds the entry with torch.tensor(float(...)), losing float64 and int64"""
    return torch.tensor(float(m[i, j]), device=m.device)


@correct("ch02.element_at")
def element_at(m, i, j):  # noqa: F811
    """one axis at a time"""
    return m[i][j]


@correct("ch02.element_at")
def element_at(m, i, j):  # noqa: F811
    """negative indices wrapped by hand, then a flat index"""
    n, d = m.shape
    return m.reshape(-1)[(i % n) * d + (j % d)]


# -- 2. first_k ----------------------------------------------------------------------------

@wrong("ch02.first_k", "one entry too many")
def first_k(v, k):
    """off by one: k + 1 entries"""
    return v[:k + 1]


@wrong("ch02.first_k", "one entry short")
def first_k(v, k):  # noqa: F811
    """off by one: k - 1 entries"""
    return v[:k - 1] if k > 0 else v[:0]


@wrong("ch02.first_k", "last k entries")
def first_k(v, k):  # noqa: F811
    """the last k entries"""
    return v[-k:]


@wrong("ch02.first_k", "modified its input")
def first_k(v, k):  # noqa: F811
    """shrinks v in place"""
    return v.resize_(k)


@correct("ch02.first_k")
def first_k(v, k):  # noqa: F811
    """narrow"""
    return v.narrow(0, 0, k)


@correct("ch02.first_k")
def first_k(v, k):  # noqa: F811
    """index_select with an arange"""
    return v.index_select(0, torch.arange(k, device=v.device))


# -- 3. every_other ------------------------------------------------------------------------

@wrong("ch02.every_other", "starts at index 0")
def every_other(v, start):
    """ignores start"""
    return v[::2]


@wrong("ch02.every_other", "one position too far")
def every_other(v, start):  # noqa: F811
    """begins one after start"""
    return v[start + 1::2]


@wrong("ch02.every_other", "last entry is cut off")
def every_other(v, start):  # noqa: F811
    """stops at -1, cutting the last entry off"""
    return v[start:-1:2]


@wrong("ch02.every_other", "step of 2 is missing")
def every_other(v, start):  # noqa: F811
    """forgets the step"""
    return v[start:]


@correct("ch02.every_other")
def every_other(v, start):  # noqa: F811
    """an index tensor from arange"""
    return v[torch.arange(start, v.shape[0], 2, device=v.device)]


# -- 4. reversed_vector --------------------------------------------------------------------

@wrong("ch02.reversed_vector", "sorted, not reversed")
def reversed_vector(v):
    """sorts descending"""
    return v.sort(descending=True).values


@wrong("ch02.reversed_vector", "first entry (v[0]) is missing")
def reversed_vector(v):  # noqa: F811
    """an arange that stops before 0"""
    return v[torch.arange(v.shape[0] - 1, 0, -1, device=v.device)]


@wrong("ch02.reversed_vector", "raised")
def reversed_vector(v):  # noqa: F811
    """NumPy's negative step, which torch refuses"""
    return v[::-1]


@wrong("ch02.reversed_vector", "nothing was reversed")
def reversed_vector(v):  # noqa: F811
    """.t() believed to reverse (on a 1-D tensor it changes nothing)"""
    return v.t()


@correct("ch02.reversed_vector")
def reversed_vector(v):  # noqa: F811
    """an index tensor counting down"""
    return v[torch.arange(v.shape[0] - 1, -1, -1, device=v.device)]


@correct("ch02.reversed_vector")
def reversed_vector(v):  # noqa: F811
    """torch.fliplr on a row"""
    return torch.fliplr(v[None, :])[0]


# -- 5. top_left_block ---------------------------------------------------------------------

@wrong("ch02.top_left_block", "must be a view")
def top_left_block(m, rows, cols):
    """copies the block"""
    return m[:rows, :cols].clone()


@wrong("ch02.top_left_block", "rows and cols swapped")
def top_left_block(m, rows, cols):  # noqa: F811
    """swaps rows and cols"""
    return m[:cols, :rows]


@wrong("ch02.top_left_block", "one row and one column too many")
def top_left_block(m, rows, cols):  # noqa: F811
    """off by one"""
    return m[:rows + 1, :cols + 1]


@wrong("ch02.top_left_block", "must be a view")
def top_left_block(m, rows, cols):  # noqa: F811
    """fancy indexing with index tensors, which copies"""
    r = torch.arange(rows, device=m.device)
    c = torch.arange(cols, device=m.device)
    return m[r[:, None], c[None, :]]


@correct("ch02.top_left_block")
def top_left_block(m, rows, cols):  # noqa: F811
    """narrow twice"""
    return m.narrow(0, 0, rows).narrow(1, 0, cols)


@correct("ch02.top_left_block")
def top_left_block(m, rows, cols):  # noqa: F811
    """rows first, then columns"""
    return m[:rows][:, :cols]


# -- 6. top_left_copy ----------------------------------------------------------------------

@wrong("ch02.top_left_copy", "shares memory with m")
def top_left_copy(m, rows, cols):
    """returns the view"""
    return m[:rows, :cols]


@wrong("ch02.top_left_copy", ".contiguous(), .reshape")
def top_left_copy(m, rows, cols):  # noqa: F811
    """.contiguous(), which copies only when the block is not contiguous already"""
    return m[:rows, :cols].contiguous()


@wrong("ch02.top_left_copy", "rows and cols swapped")
def top_left_copy(m, rows, cols):  # noqa: F811
    """swaps rows and cols"""
    return m[:cols, :rows].clone()


@wrong("ch02.top_left_copy", "one row and one column short")
def top_left_copy(m, rows, cols):  # noqa: F811
    """off by one, inclusive end"""
    return m[:rows - 1, :cols - 1].clone()


@correct("ch02.top_left_copy")
def top_left_copy(m, rows, cols):  # noqa: F811
    """torch.clone of a narrow"""
    return torch.clone(m.narrow(0, 0, rows).narrow(1, 0, cols))


@correct("ch02.top_left_copy")
def top_left_copy(m, rows, cols):  # noqa: F811
    """an empty tensor filled with copy_"""
    out = torch.empty(rows, cols, dtype=m.dtype, device=m.device)
    out.copy_(m[:rows, :cols])
    return out


# -- 7. drop_last_row_and_col --------------------------------------------------------------

@wrong("ch02.drop_last_row_and_col", "drops two rows and no column")
def drop_last_row_and_col(m):
    """m[:-1][:-1]"""
    return m[:-1][:-1]


@wrong("ch02.drop_last_row_and_col", "first row and column were dropped")
def drop_last_row_and_col(m):  # noqa: F811
    """drops the first row and column"""
    return m[1:, 1:]


@wrong("ch02.drop_last_row_and_col", "only the last row was dropped")
def drop_last_row_and_col(m):  # noqa: F811
    """forgets the column"""
    return m[:-1]


@wrong("ch02.drop_last_row_and_col", "two rows and two columns")
def drop_last_row_and_col(m):  # noqa: F811
    """off by one: -2"""
    return m[:-2, :-2]


@correct("ch02.drop_last_row_and_col")
def drop_last_row_and_col(m):  # noqa: F811
    """explicit sizes"""
    n, d = m.shape
    return m[:n - 1, :d - 1]


# -- 8. column -----------------------------------------------------------------------------

@wrong("ch02.column", "this is row j")
def column(m, j):
    """reads a row"""
    return m[j]


@wrong("ch02.column", "keep the result 1-d")
def column(m, j):  # noqa: F811
    """keeps a trailing axis of size 1"""
    return m[:, j:j + 1]


@wrong("ch02.column", "columns count from 0")
def column(m, j):  # noqa: F811
    """1-based column"""
    return m[:, j - 1]


@correct("ch02.column")
def column(m, j):  # noqa: F811
    """row j of the transpose"""
    return m.T[j]


@correct("ch02.column")
def column(m, j):  # noqa: F811
    """select"""
    return m.select(1, j)


# -- 9. select_less_than -------------------------------------------------------------------

@wrong("ch02.select_less_than", "use <, not <=")
def select_less_than(m, threshold):
    """<= for <"""
    return m[m <= threshold]


@wrong("ch02.select_less_than", "column by column")
def select_less_than(m, threshold):  # noqa: F811
    """reads the columns"""
    return m.T[m.T < threshold]


@wrong("ch02.select_less_than", "keeps m's shape")
def select_less_than(m, threshold):  # noqa: F811
    """multiplies by the mask instead of indexing with it"""
    return m * (m < threshold)


@wrong("ch02.select_less_than", "dtype")
def select_less_than(m, threshold):  # noqa: F811
    """an empty selection built with torch.tensor([]), float32 whatever m is"""
    mask = m < threshold
    if not mask.any():
        return torch.tensor([], device=m.device)
    return m[mask]


@wrong("ch02.select_less_than", "set to 0 instead of being left out")
def select_less_than(m, threshold):  # noqa: F811
    """zeroes the others and flattens"""
    return torch.where(m < threshold, m, torch.zeros_like(m)).flatten()


@correct("ch02.select_less_than")
def select_less_than(m, threshold):  # noqa: F811
    """masked_select"""
    return torch.masked_select(m, m < threshold)


@correct("ch02.select_less_than")
def select_less_than(m, threshold):  # noqa: F811
    """flatten first, then a mask"""
    flat = m.reshape(-1)
    return flat[flat.lt(threshold)]


# -- 10. count_less_than_per_row -----------------------------------------------------------

@wrong("ch02.count_less_than_per_row", "use <, not <=")
def count_less_than_per_row(m, threshold):
    """<= for <"""
    return (m <= threshold).sum(dim=1)


@wrong("ch02.count_less_than_per_row", "down each column")
def count_less_than_per_row(m, threshold):  # noqa: F811
    """the wrong axis"""
    return (m < threshold).sum(dim=0)


@wrong("ch02.count_less_than_per_row", "dtype")
def count_less_than_per_row(m, threshold):  # noqa: F811
    """counts as int32"""
    return (m < threshold).sum(dim=1).to(torch.int32)


@wrong("ch02.count_less_than_per_row", "python loop")
def count_less_than_per_row(m, threshold):  # noqa: F811
    """one row at a time"""
    return torch.stack([(row < threshold).sum() for row in m])


@correct("ch02.count_less_than_per_row")
def count_less_than_per_row(m, threshold):  # noqa: F811
    """count_nonzero"""
    return torch.count_nonzero(m < threshold, dim=1)


@correct("ch02.count_less_than_per_row")
def count_less_than_per_row(m, threshold):  # noqa: F811
    """a float mask summed, then cast"""
    return torch.where(m < threshold, 1.0, 0.0).sum(-1).long()


# -- 11. pick_per_row ----------------------------------------------------------------------

@wrong("ch02.pick_per_row", "picks whole rows")
def pick_per_row(m, idx):
    """m[idx]"""
    return m[idx]


@wrong("ch02.pick_per_row", "(n, n) matrix")
def pick_per_row(m, idx):  # noqa: F811
    """m[:, idx]"""
    return m[:, idx]


@wrong("ch02.pick_per_row", "every value comes from row 0")
def pick_per_row(m, idx):  # noqa: F811
    """torch.take with column indices"""
    return torch.take(m, idx)


@wrong("ch02.pick_per_row", "python loop")
def pick_per_row(m, idx):  # noqa: F811
    """one row at a time"""
    return torch.stack([m[i, idx[i]] for i in range(m.shape[0])])


@correct("ch02.pick_per_row")
def pick_per_row(m, idx):  # noqa: F811
    """gather along dim 1"""
    return m.gather(1, idx[:, None]).squeeze(1)


@correct("ch02.pick_per_row")
def pick_per_row(m, idx):  # noqa: F811
    """flat positions i * D + idx[i]"""
    n, d = m.shape
    return m.reshape(-1)[torch.arange(n, device=m.device) * d + idx]


# -- 12. relu_by_mask ----------------------------------------------------------------------

@wrong("ch02.relu_by_mask", "uses clamp")
def relu_by_mask(x):
    """clamp(min=0)"""
    return x.clamp(min=0)


@wrong("ch02.relu_by_mask", "uses relu")
def relu_by_mask(x):  # noqa: F811
    """F.relu"""
    return torch.nn.functional.relu(x)


@wrong("ch02.relu_by_mask", "uses clamp_min")
def relu_by_mask(x):  # noqa: F811
    """clamp_min"""
    return x.clamp_min(0.0)


@wrong("ch02.relu_by_mask", "uses relu")
def relu_by_mask(x):  # noqa: F811
    """relu_ in place on a clone (the autograd graph still names it)"""
    return x.clone().relu_()


@wrong("ch02.relu_by_mask", "mask is the wrong way round")
def relu_by_mask(x):  # noqa: F811
    """zeroes the positives"""
    return torch.where(x > 0, torch.zeros_like(x), x)


@wrong("ch02.relu_by_mask", "modified its input")
def relu_by_mask(x):  # noqa: F811
    """writes into x"""
    x[x < 0] = 0
    return x


@wrong("ch02.relu_by_mask", "python loop")
def relu_by_mask(x):  # noqa: F811
    """one row at a time"""
    if x.dim() < 2:
        return torch.where(x < 0, torch.zeros_like(x), x)
    return torch.stack([torch.where(r < 0, torch.zeros_like(r), r) for r in x])


@correct("ch02.relu_by_mask")
def relu_by_mask(x):  # noqa: F811
    """masked_fill"""
    return x.masked_fill(x < 0, 0.0)


@correct("ch02.relu_by_mask")
def relu_by_mask(x):  # noqa: F811
    """multiply by the mask"""
    return x * (x > 0)


@correct("ch02.relu_by_mask")
def relu_by_mask(x):  # noqa: F811
    """boolean assignment into a clone"""
    out = x.clone()
    out[out < 0] = 0
    return out


# -- 13. sequence_mask ---------------------------------------------------------------------

@wrong("ch02.sequence_mask", "use t < length, not <=")
def sequence_mask(lengths, max_len):
    """<= for <"""
    return torch.arange(max_len, device=lengths.device)[None, :] <= lengths[:, None]


@wrong("ch02.sequence_mask", "put the batch first")
def sequence_mask(lengths, max_len):  # noqa: F811
    """(max_len, B)"""
    return torch.arange(max_len, device=lengths.device)[:, None] < lengths[None, :]


@wrong("ch02.sequence_mask", "dtype")
def sequence_mask(lengths, max_len):  # noqa: F811
    """a float mask"""
    return (torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]).float()


@wrong("ch02.sequence_mask", "python loop")
def sequence_mask(lengths, max_len):  # noqa: F811
    """one sequence at a time"""
    pos = torch.arange(max_len, device=lengths.device)
    return torch.stack([pos < n for n in lengths])


@wrong("ch02.sequence_mask", "true and false are swapped")
def sequence_mask(lengths, max_len):  # noqa: F811
    """marks the padding"""
    return torch.arange(max_len, device=lengths.device)[None, :] >= lengths[:, None]


@correct("ch02.sequence_mask")
def sequence_mask(lengths, max_len):  # noqa: F811
    """lt with expand"""
    pos = torch.arange(max_len, device=lengths.device).expand(len(lengths), max_len)
    return pos.lt(lengths.unsqueeze(1))


@correct("ch02.sequence_mask")
def sequence_mask(lengths, max_len):  # noqa: F811
    """the lower part of a triangular table, one row per length"""
    table = torch.ones(max_len + 1, max_len, dtype=torch.bool, device=lengths.device).tril(-1)
    return table[lengths.long()]


# -- 14. top_k_indices ---------------------------------------------------------------------

@wrong("ch02.top_k_indices", "lower index first")
def top_k_indices(v, k):
    """torch.topk, whose order among ties is unspecified"""
    return torch.topk(v, k).indices


@wrong("ch02.top_k_indices", "higher index first")
def top_k_indices(v, k):  # noqa: F811
    """an ascending stable sort, flipped"""
    return torch.sort(v, stable=True).indices.flip(0)[:k]


@wrong("ch02.top_k_indices", "k smallest")
def top_k_indices(v, k):  # noqa: F811
    """the smallest"""
    return torch.sort(v, stable=True).indices[:k]


@wrong("ch02.top_k_indices", "dtype")
def top_k_indices(v, k):  # noqa: F811
    """the values, not the indices"""
    return torch.sort(v, descending=True, stable=True).values[:k]


@wrong("ch02.top_k_indices", "lower index first")
def top_k_indices(v, k):  # noqa: F811
    """argsort descending without stable=True"""
    return torch.argsort(v, descending=True)[:k]


@correct("ch02.top_k_indices")
def top_k_indices(v, k):  # noqa: F811
    """argsort of the negated values, stable"""
    return torch.argsort(-v.double(), stable=True)[:k]


@correct("ch02.top_k_indices")
def top_k_indices(v, k):  # noqa: F811
    """topk on a key that breaks ties by position"""
    n = v.shape[0]
    order = torch.sort(v, descending=True, stable=True).indices
    rank = torch.empty_like(order)
    rank[order] = torch.arange(n, device=v.device)
    return torch.topk(-rank, k).indices if k else order[:0]
