"""Hidden graders for ch02 - Indexing, slicing and masks.

Oracles never use solutions/: most read the values through Python lists (``m.tolist()``
indexed the way the catalog line says, so negative indices, row-major order and tie-breaks
are Python's own), the blocks use ``narrow``, ReLU uses ``torch.relu`` in float64. Every
grader runs the docstring example, random inputs with every dimension a different size and
sizes of 1, float32, float64 and int64 values (float only for ReLU), a non-contiguous layout,
and the catalog marks (view/copy, vec, ban). Selections are exact, so they are compared
exactly; thresholds are always values a float32 holds exactly, so a comparison in float32
and one in float64 agree.

Hard inputs: entries exactly equal to the threshold and positions exactly equal to the
length (``<=`` for ``<``), selections that are empty, blocks of full rows (where
``.contiguous()`` returns the input's own memory), ties across the k boundary and inside the
top k, k = 0 and k = n, negative indices.
"""
import torch

from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor
ALL = (*FLOATS, torch.int64)


def _values(g, *shape: int, dtype=torch.float32) -> torch.Tensor:
    """Random values, all different, so that a wrong index shows as a wrong value."""
    n = 1
    for s in shape:
        n *= s
    if dtype == torch.int64:
        vals = torch.randperm(n, generator=g.gen) - n // 2
        return vals.reshape(shape).to(g.device)
    return g.randn(*shape, dtype=dtype, scale=3.0)


def _pick(g, n: int) -> int:
    """A random int in [0, n) from the grader's generator."""
    return int(torch.randint(n, (), generator=g.gen))


def _like(x: torch.Tensor, values) -> torch.Tensor:
    """A list oracle's values as a tensor of x's dtype on x's device."""
    return t(values, dtype=x.dtype, device=x.device)


def _matrices(g, dtypes=ALL):
    """(m, N, D) with N != D, the sizes of 1 and every dtype."""
    a, b = g.dims(2)
    for dtype in dtypes:
        for n, d in ((1, 1), (1, a), (b, 1), (a, b)):
            yield _values(g, n, d, dtype=dtype), n, d


# -- 1. element_at -------------------------------------------------------------------------

def _at(m, i, j):
    """m[i, j] when (i, j) is a valid index of m, else None (for the wrong oracles)."""
    n, d = m.shape
    return m[i, j] if -n <= i < n and -d <= j < d else None


_ELEMENT_MISTAKES = {
    "row and column swapped: element_at(m, i, j) is row i, column j (m[i, j])":
        lambda m, i, j: _at(m, j, i),
    "a negative index counts from the end of its own axis (i = -1 is the last row): the flat "
    "position i * D + j lands in another row; index m[i, j] directly":
        lambda m, i, j: m.reshape(-1)[i * m.shape[1] + j]
        if -m.numel() <= i * m.shape[1] + j < m.numel() else None,
    "indices count from 0, not 1": lambda m, i, j: _at(m, i - 1, j - 1),
    "a negative index counts from the end (m[-1] is the last row), not from the start: "
    "abs(i) is another row": lambda m, i, j: _at(m, abs(i), abs(j)),
}


@grader("ch02.element_at")
def element_at(g):
    m = torch.arange(12., device=g.device).reshape(3, 4)
    g.expect("book_example", (m, 1, 2), t(6., device=g.device), exact=True,
             mistakes=_ELEMENT_MISTAKES)
    g.expect("book_example", (m, -1, -4), t(8., device=g.device), exact=True,
             mistakes=_ELEMENT_MISTAKES)
    oracle = lambda m, i, j: _like(m, m.tolist()[i][j])  # noqa: E731
    for m, n, d in _matrices(g):
        idx = [(_pick(g, n), _pick(g, d))]
        idx += [(n - 1, d - 1), (-1, -1), (-n, -d), (idx[0][0] - n, idx[0][1]),
                (idx[0][0], idx[0][1] - d), (min(1, n - 1) - n, min(1, d - 1))]
        cases = [(x, i, j) for i, j in idx for x in (m, g.noncontiguous(m))]
        g.against("random_inputs", cases, oracle, exact=True, mistakes=_ELEMENT_MISTAKES)


# -- 2. first_k ----------------------------------------------------------------------------

_FIRST_K_MISTAKES = {
    "one entry too many: v[:k] already stops before index k": lambda v, k: v[:k + 1],
    "one entry short: v[:k] holds indices 0 .. k - 1": lambda v, k: v[:k - 1] if k else None,
    "these are the last k entries; the first k are v[:k]": lambda v, k: v[-k:] if k else None,
    "these are the entries from index k on; the first k are v[:k]": lambda v, k: v[k:],
}


def _vectors(g, dtypes=ALL):
    a, b = g.dims(2, lo=2, hi=10)
    for dtype in dtypes:
        for n in (1, a, b):
            yield _values(g, n, dtype=dtype), n


@grader("ch02.first_k")
def first_k(g):
    v = t([5., 6., 7., 8.], device=g.device)
    g.expect("book_example", (v, 3), t([5., 6., 7.], device=g.device), exact=True,
             mistakes=_FIRST_K_MISTAKES)
    g.expect("book_example", (v, 0), t([], device=g.device), exact=True,
             mistakes=_FIRST_K_MISTAKES)
    oracle = lambda v, k: _like(v, v.tolist()[:k])  # noqa: E731
    for v, n in _vectors(g):
        ks = sorted({0, 1, n, _pick(g, n + 1)})
        g.against("random_inputs", [(x, k) for k in ks for x in (v, g.noncontiguous(v))],
                  oracle, exact=True, mistakes=_FIRST_K_MISTAKES)


# -- 3. every_other ------------------------------------------------------------------------

_EVERY_OTHER_MISTAKES = {
    "the slice starts at index 0: begin at start (v[start::2])": lambda v, s: v[::2],
    "one position too far: the first entry taken is v[start] itself": lambda v, s: v[s + 1::2],
    "the last entry is cut off: a stop of -1 (or n - 1) excludes the end; leave the stop out "
    "(v[start::2])": lambda v, s: v[s:-1:2],
    "every entry from start was taken: the step of 2 is missing": lambda v, s: v[s:],
}


@grader("ch02.every_other")
def every_other(g):
    v = t([0., 1., 2., 3., 4.], device=g.device)
    for s, want in ((0, [0., 2., 4.]), (1, [1., 3.])):
        g.expect("book_example", (v, s), t(want, device=g.device), exact=True,
                 mistakes=_EVERY_OTHER_MISTAKES)
    oracle = lambda v, s: _like(v, v.tolist()[s::2])  # noqa: E731
    a, b = g.dims(2, lo=4, hi=11)
    for dtype in ALL:
        for n in (1, 2, a, b):
            v = _values(g, n, dtype=dtype)
            starts = sorted({0, 1 % n, n - 1, max(0, n - 2), _pick(g, n)})
            g.against("random_inputs", [(x, s) for s in starts for x in (v, g.noncontiguous(v))],
                      oracle, exact=True, mistakes=_EVERY_OTHER_MISTAKES)


# -- 4. reversed_vector --------------------------------------------------------------------

_REVERSED_MISTAKES = {
    "nothing was reversed": lambda v: v,
    "the entries were sorted, not reversed: out[i] = v[n - 1 - i] whatever the values":
        lambda v: v.sort(descending=True).values,
    "the first entry (v[0]) is missing at the end: an index range down to 0 must stop at -1 "
    "(torch.arange(n - 1, -1, -1))": lambda v: v.flip(0)[:-1],
    "the last entry (v[n - 1]) is missing at the front": lambda v: v.flip(0)[1:],
}


@grader("ch02.reversed_vector")
def reversed_vector(g):
    g.expect("book_example", (t([1., 2., 3.], device=g.device),),
             t([3., 2., 1.], device=g.device), exact=True, mistakes=_REVERSED_MISTAKES)
    # values out of order, so that reversing and sorting differ
    g.expect("unsorted", (t([2., 7., -1., 4.], device=g.device),),
             t([4., -1., 7., 2.], device=g.device), exact=True, mistakes=_REVERSED_MISTAKES)
    oracle = lambda v: _like(v, v.tolist()[::-1])  # noqa: E731
    for v, n in _vectors(g):
        g.against("random_inputs", g.layouts(v), oracle, exact=True,
                  mistakes=_REVERSED_MISTAKES)


# -- 5, 6. top_left_block, top_left_copy --------------------------------------------------

def _block(m, rows, cols):
    return m.narrow(0, 0, rows).narrow(1, 0, cols)


def _block_if(m, rows, cols):
    """The block when it fits in m and is not empty, else None (for the wrong oracles)."""
    n, d = m.shape
    return _block(m, rows, cols) if 0 < rows <= n and 0 < cols <= d else None


_BLOCK_MISTAKES = {
    "rows and cols swapped: the block has `rows` rows and `cols` columns (m[:rows, :cols])":
        lambda m, r, c: _block_if(m, c, r),
    "one row and one column too many: m[:rows] already stops before index rows":
        lambda m, r, c: _block_if(m, r + 1, c + 1),
    "one row and one column short: m[:rows] holds rows 0 .. rows - 1":
        lambda m, r, c: _block_if(m, r - 1, c - 1),
    "this is the bottom-right block; the top-left one starts at m[0, 0]":
        lambda m, r, c: m[-r:, -c:],
}


def _block_cases(g):
    """(m, rows, cols): blocks inside, of full rows, of full columns, the whole matrix, 1x1;
    contiguous and not."""
    for m, n, d in _matrices(g):
        r, c = _pick(g, n) + 1, _pick(g, d) + 1
        for rows, cols in sorted({(r, c), (r, d), (n, c), (n, d), (1, 1), (1, d)}):
            yield m, rows, cols
            yield g.noncontiguous(m), rows, cols


@grader("ch02.top_left_block")
def top_left_block(g):
    m = torch.arange(12., device=g.device).reshape(3, 4)
    g.expect("book_example", (m, 2, 3), t([[0., 1., 2.], [4., 5., 6.]], device=g.device),
             exact=True, mistakes=_BLOCK_MISTAKES, shares=True)
    g.against("random_inputs", _block_cases(g), _block, exact=True, mistakes=_BLOCK_MISTAKES,
              shares=True)


def _copy_shares(g, out, m, rows, cols) -> None:
    """aliasing: a copy must not share m's memory; name .contiguous() where it is the cause."""
    if out is None or type(out.value) is not torch.Tensor or out.value.shape != (rows, cols):
        return
    contiguous_block = m.is_contiguous() and (cols == m.shape[1] or rows == 1)
    g.check("aliasing", not out.shares,
            f"top_left_copy(<a {tuple(m.shape)} matrix>, {rows}, {cols}) shares memory with m: "
            "the catalog asks for an independent copy, so that changing m later leaves it "
            "unchanged" + (": the block holds whole rows of a contiguous m, and there "
                           ".contiguous(), .reshape, .view and .to return m's own memory "
                           "(a view); .clone() always copies" if contiguous_block else
                           "; slicing gives a view: add .clone()"))


@grader("ch02.top_left_copy")
def top_left_copy(g):
    m = torch.arange(12., device=g.device).reshape(3, 4)
    out = g.expect("book_example", (m, 2, 3), t([[0., 1., 2.], [4., 5., 6.]], device=g.device),
                   exact=True, mistakes=_BLOCK_MISTAKES)
    _copy_shares(g, out, m, 2, 3)
    for m, rows, cols in _block_cases(g):
        out = g.expect("random_inputs", (m, rows, cols), _block(m, rows, cols), exact=True,
                       mistakes=_BLOCK_MISTAKES)
        _copy_shares(g, out, m, rows, cols)


# -- 7. drop_last_row_and_col --------------------------------------------------------------

_DROP_MISTAKES = {
    "the first row and column were dropped; the last ones go (m[:-1, :-1])":
        lambda m: m[1:, 1:],
    "m[:-1][:-1] drops two rows and no column: the second [:-1] indexes rows again; index "
    "both axes in one bracket (m[:-1, :-1])": lambda m: m[:-1][:-1],
    "only the last row was dropped; drop the last column too (m[:-1, :-1])": lambda m: m[:-1],
    "only the last column was dropped; drop the last row too (m[:-1, :-1])":
        lambda m: m[:, :-1],
    "two rows and two columns were dropped: m[:-1] already leaves out only the last":
        lambda m: m[:-2, :-2],
}


@grader("ch02.drop_last_row_and_col")
def drop_last_row_and_col(g):
    m = torch.arange(12., device=g.device).reshape(3, 4)
    g.expect("book_example", (m,), t([[0., 1., 2.], [4., 5., 6.]], device=g.device),
             exact=True, mistakes=_DROP_MISTAKES)
    oracle = lambda m: _block(m, m.shape[0] - 1, m.shape[1] - 1)  # noqa: E731
    c = g.dims(1, lo=2, hi=9)[0]
    for m, n, d in _matrices(g):
        cases = [*g.layouts(m), (_values(g, c, c + 1, dtype=m.dtype),)]
        g.against("random_inputs", cases, oracle, exact=True, mistakes=_DROP_MISTAKES)


# -- 8. column -----------------------------------------------------------------------------

_COLUMN_MISTAKES = {
    "this is row j: column j is m[:, j]": lambda m, j: m[j] if j < m.shape[0] else None,
    "keep the result 1-D, shape (N,): m[:, j], not m[:, j:j+1] or m[:, [j]]":
        lambda m, j: m[:, j:j + 1],
    "this is column j - 1: columns count from 0": lambda m, j: m[:, j - 1] if j else None,
    "this is column j + 1: columns count from 0":
        lambda m, j: m[:, j + 1] if j + 1 < m.shape[1] else None,
}


@grader("ch02.column")
def column(g):
    g.expect("book_example", (torch.arange(12., device=g.device).reshape(3, 4), 1),
             t([1., 5., 9.], device=g.device), exact=True, mistakes=_COLUMN_MISTAKES)
    oracle = lambda m, j: _like(m, [row[j] for row in m.tolist()])  # noqa: E731
    for m, n, d in _matrices(g):
        js = sorted({0, d - 1, _pick(g, d)})
        g.against("random_inputs", [(x, j) for j in js for x in (m, g.noncontiguous(m))],
                  oracle, exact=True, mistakes=_COLUMN_MISTAKES)


# -- 9, 10. select_less_than, count_less_than_per_row --------------------------------------

def _thresholds(m: torch.Tensor) -> list[float]:
    """Thresholds equal to entries of m (exact in any dtype), below every entry (nothing is
    selected) and above every entry (everything is)."""
    vals = sorted(set(m.reshape(-1).tolist()))
    picks = {vals[len(vals) // 2], vals[-1], vals[0] - 1.0, vals[-1] + 1.0}
    if len(vals) > 2:
        picks.add(vals[len(vals) // 3])
    return [float(v) for v in sorted(picks)]


def _with_repeats(g, m: torch.Tensor) -> torch.Tensor:
    """m with a few values repeated, so that a threshold equals several entries."""
    flat = m.reshape(-1).clone()
    if flat.numel() > 2:
        pick = torch.randint(flat.numel(), (flat.numel() // 2,), generator=g.gen)
        flat[pick.to(flat.device)] = flat[0].item()
    return flat.reshape(m.shape)


def _less_cases(g):
    for m, n, d in _matrices(g):
        m = _with_repeats(g, m)
        for thr in _thresholds(m):
            yield m, thr
        yield g.noncontiguous(m), _thresholds(m)[1]
        yield g.transposed_layout(m), _thresholds(m)[1]


_SELECT_MISTAKES = {
    "entries equal to the threshold were selected: they are not < threshold (use <, not <=)":
        lambda m, thr: m[m <= thr],
    "the order is column by column: row-major order is row 0 left to right, then row 1, ... "
    "(did you transpose, or read the columns?)": lambda m, thr: m.T[m.T < thr],
    "these are the entries >= threshold: the comparison points the wrong way":
        lambda m, thr: m[m >= thr],
    "the entries not below the threshold were set to 0 instead of being left out: index with "
    "the mask (m[mask]), which gives a 1-D tensor of the selected entries only":
        lambda m, thr: torch.where(m < thr, m, 0).reshape(-1),
    "the result keeps m's shape: index with the boolean mask (m[mask]) to get a 1-D tensor of "
    "the selected entries": lambda m, thr: torch.where(m < thr, m, 0),
}


@grader("ch02.select_less_than")
def select_less_than(g):
    m = t([[3., 1.], [0., 5.]], device=g.device)
    g.expect("book_example", (m, 3.0), t([1., 0.], device=g.device), exact=True,
             mistakes=_SELECT_MISTAKES)
    g.expect("nothing_selected", (m, -1.0), t([], device=g.device), exact=True,
             mistakes=_SELECT_MISTAKES)
    oracle = lambda m, thr: _like(m, [x for row in m.tolist() for x in row  # noqa: E731
                                      if x < thr])
    g.against("random_inputs", _less_cases(g), oracle, exact=True, mistakes=_SELECT_MISTAKES)


_COUNT_MISTAKES = {
    "entries equal to the threshold were counted: they are not < threshold (use <, not <=)":
        lambda m, thr: (m <= thr).sum(1),
    "this counts down each column (dim=0); count along each row (dim=1)":
        lambda m, thr: (m < thr).sum(0),
    "these are the counts of entries >= threshold: the comparison points the wrong way":
        lambda m, thr: (m >= thr).sum(1),
    "this is one count for the whole matrix; count each row (sum over dim=1)":
        lambda m, thr: (m < thr).sum(),
}


def _count_oracle(m, thr):
    return t([sum(x < thr for x in row) for row in m.tolist()], dtype=torch.int64,
             device=m.device)


@grader("ch02.count_less_than_per_row")
def count_less_than_per_row(g):
    g.expect("book_example", (t([[3., 1., 2.], [0., 5., 3.]], device=g.device), 3.0),
             t([2, 1], device=g.device), mistakes=_COUNT_MISTAKES)
    g.against("random_inputs", _less_cases(g), _count_oracle, mistakes=_COUNT_MISTAKES)

    def sized(s):
        m = _with_repeats(g, _values(g, s, s + 2))
        return m, float(m[0, 0])
    g.vectorised(sized, oracle=_count_oracle, mistakes=_COUNT_MISTAKES)


# -- 11. pick_per_row ----------------------------------------------------------------------

_PICK_MISTAKES = {
    "m[idx] picks whole rows: pair row i with column idx[i] (m[torch.arange(N), idx], or "
    "gather along dim 1)": lambda m, idx: m[idx] if int(idx.max()) < m.shape[0] else None,
    "m[:, idx] is an (N, N) matrix of every row at every idx: pair row i with idx[i] only "
    "(m[torch.arange(N), idx])": lambda m, idx: m[:, idx],
    "this reads m[idx[i], i] (gather along dim 0); out[i] = m[i, idx[i]] (gather along dim 1)":
        lambda m, idx: m[idx, torch.arange(len(idx), device=idx.device)]
        if int(idx.max()) < m.shape[0] and len(idx) <= m.shape[1] else None,
    "every value comes from row 0: idx[i] is a column of row i, not a flat position "
    "(torch.take and m.flatten()[idx] read row 0)": lambda m, idx: m.reshape(-1)[idx],
}


def _pick_oracle(m, idx):
    return _like(m, [row[k] for row, k in zip(m.tolist(), idx.tolist())])


@grader("ch02.pick_per_row")
def pick_per_row(g):
    g.expect("book_example", (t([[1., 2., 3.], [4., 5., 6.]], device=g.device),
                              t([2, 0], device=g.device)), t([3., 4.], device=g.device),
             exact=True, mistakes=_PICK_MISTAKES)
    cases = []
    for m, n, d in _matrices(g):
        idx = g.randint(d, n)
        idx[0] = d - 1  # the last column is reachable
        if n > 1:
            idx[-1] = 0
        cases += list(g.layouts(m, idx))
    g.against("random_inputs", cases, _pick_oracle, exact=True, mistakes=_PICK_MISTAKES)
    g.vectorised(lambda s: (_values(g, s, s + 2), g.randint(s + 2, s)), oracle=_pick_oracle,
                 exact=True, mistakes=_PICK_MISTAKES)


# -- 12. relu_by_mask ----------------------------------------------------------------------

_RELU_MISTAKES = {
    "the positive entries became 0 and the negatives stayed: the mask is the wrong way round "
    "(replace where x < 0)": lambda x: torch.where(x > 0, 0.0, x),
    "the negatives changed sign instead of becoming 0 (this is |x|)": lambda x: x.abs(),
    "every entry became 0 or 1: return x where x >= 0, not the mask itself":
        lambda x: (x > 0).to(x.dtype),
}


def _relu_inputs(g, dtype):
    a, b, c = g.dims(3)
    yield g.randn(a, dtype=dtype)
    yield g.randn(b, c, dtype=dtype)
    yield g.randn(c, 1, a, dtype=dtype)
    yield g.randn(1, dtype=dtype)
    yield g.randn(1, dtype=dtype).reshape(())  # 0-d
    # exact zeros, huge and tiny magnitudes of both signs
    yield t([0., -0., 1e30, -1e30, 1e-30, -1e-30, 2.5, -2.5], dtype=dtype, device=g.device)


@grader("ch02.relu_by_mask")
def relu_by_mask(g):
    g.expect("book_example", (t([[-1., 2.], [0.5, -3.]], device=g.device),),
             t([[0., 2.], [0.5, 0.]], device=g.device), exact=True, mistakes=_RELU_MISTAKES)
    cases = [args for dtype in FLOATS for x in _relu_inputs(g, dtype) for args in g.layouts(x)]
    g.against("random_inputs", cases, torch.relu, exact=True, mistakes=_RELU_MISTAKES)
    g.banned(g.randn(4, 5), oracle=torch.relu, exact=True)
    g.vectorised(lambda s: (g.randn(s, s + 1),), oracle=torch.relu, exact=True,
                 mistakes=_RELU_MISTAKES)


# -- 13. sequence_mask ---------------------------------------------------------------------

_SEQUENCE_MISTAKES = {
    "position t == lengths[b] was marked True: positions 0 .. lengths[b] - 1 are real, so "
    "use t < length, not <=": lambda L, T: torch.arange(T, device=L.device) <= L[:, None],
    "the mask is (max_len, B): put the batch first, (B, max_len)":
        lambda L, T: torch.arange(T, device=L.device)[:, None] < L[None, :],
    "True and False are swapped: True marks the real tokens (t < lengths[b]), False the "
    "padding": lambda L, T: torch.arange(T, device=L.device) >= L[:, None],
}


def _sequence_oracle(lengths, max_len):
    return t([[pos < n for pos in range(max_len)] for n in lengths.tolist()],
             dtype=torch.bool, device=lengths.device).reshape(len(lengths), max_len)


@grader("ch02.sequence_mask")
def sequence_mask(g):
    g.expect("book_example", (t([1, 3, 0], device=g.device), 3),
             t([[True, False, False], [True, True, True], [False, False, False]],
               device=g.device), mistakes=_SEQUENCE_MISTAKES)
    cases = []
    b, T = g.dims(2, lo=3, hi=9)
    for B, max_len in ((1, 1), (1, T), (b, 1), (b, T)):
        lengths = g.randint(max_len + 1, B)
        lengths[0] = max_len  # a full sequence
        if B > 1:
            lengths[-1] = 0  # an empty one
        cases += list(g.layouts(lengths, max_len))
        cases.append((lengths.to(torch.int32), max_len))
    g.against("random_inputs", cases, _sequence_oracle, mistakes=_SEQUENCE_MISTAKES)
    g.vectorised(lambda s: (g.randint(s + 3, s), s + 2), oracle=_sequence_oracle,
                 mistakes=_SEQUENCE_MISTAKES)


# -- 14. top_k_indices ---------------------------------------------------------------------

def _top_k_oracle(v, k):
    vals = v.tolist()
    order = sorted(range(len(vals)), key=lambda i: (-vals[i], i))
    return t(order[:k], dtype=torch.int64, device=v.device)


_TOP_K_MISTAKES = {
    "these are the indices of the k smallest entries; the k largest are wanted, largest first":
        lambda v, k: torch.sort(v, stable=True).indices[:k],
    "the k largest, but smallest first: the largest comes first":
        lambda v, k: _top_k_oracle(v, k).flip(0),
    "equal values came with the higher index first; ties take the lower index first (flipping "
    "an ascending sort reverses the order of equal values too: sort with descending=True, "
    "stable=True)": lambda v, k: torch.sort(v, stable=True).indices.flip(0)[:k],
}


def _top_k_case(g, check: str, v: torch.Tensor, k: int) -> None:
    want = _top_k_oracle(v, k)
    out = g.expect(check, (v, k), want, mistakes=_TOP_K_MISTAKES)
    got = None if out is None else out.value
    if type(got) is not torch.Tensor or got.shape != want.shape or got.dtype != torch.int64 \
            or torch.equal(got.cpu(), want.cpu()):
        return
    picked = got.tolist()
    if any(i < 0 or i >= len(v) for i in picked) or len(set(picked)) != k:
        return
    if torch.equal(v[got.to(v.device)].cpu(), v[want].cpu()):  # right values, ties misordered
        g.check("tie_order", False,
                f"top_k_indices picked the right values in the right order, but equal values "
                f"must come lower index first: expected {want.tolist()}, got {got.tolist()}. "
                "torch.topk does not promise any order among equal values; a stable sort "
                "does: torch.sort(v, descending=True, stable=True)")


@grader("ch02.top_k_indices")
def top_k_indices(g):
    _top_k_case(g, "book_example", t([0.5, 2.0, -1.0, 3.0], device=g.device), 2)
    _top_k_case(g, "book_example", t([1., 4., 2., 4., 4.], device=g.device), 2)
    a, b = g.dims(2, lo=6, hi=14)
    for dtype in ALL:
        _top_k_case(g, "size_1", _values(g, 1, dtype=dtype), 1)
        _top_k_case(g, "size_1", _values(g, 1, dtype=dtype), 0)
        v = _values(g, a, dtype=dtype)  # all different
        for k in sorted({0, 1, a, _pick(g, a + 1)}):
            _top_k_case(g, "random_inputs", v, k)
        _top_k_case(g, "random_inputs", g.noncontiguous(v), a // 2)
        # few distinct values: ties inside the top k and across its boundary
        ties = (torch.randint(4, (b,), generator=g.gen) - 1).to(g.device, dtype)
        ranked = sorted(ties.tolist(), reverse=True)
        across = [k for k in range(1, b) if ranked[k - 1] == ranked[k]]
        for k in sorted({across[len(across) // 2], across[-1], b, 1, b // 2}):
            _top_k_case(g, "ties", ties, k)
        _top_k_case(g, "ties", g.noncontiguous(ties), across[0])
        _top_k_case(g, "ties", torch.zeros(b, dtype=dtype, device=g.device), b // 2)
        # a longer vector: sorts that are not stable keep ties in order only up to about 16
        n = 40 + _pick(g, 20)
        many = (torch.randint(5, (n,), generator=g.gen) - 2).to(g.device, dtype)
        ranked = sorted(many.tolist(), reverse=True)
        across = [k for k in range(1, n) if ranked[k - 1] == ranked[k]]
        _top_k_case(g, "ties", many, across[len(across) // 2])
