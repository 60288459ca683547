"""ch10 graders 8-9: embedding lookups."""
import torch
import torch.nn.functional as F

from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


# -- 8./9. embeddings ----------------------------------------------------------------------

def _embedding(ids, table):
    return F.embedding(ids, table)


_EMBEDDING_MISTAKES = {
    "the ids were flattened: the result keeps the shape of ids, (*ids.shape, C)":
        lambda ids, tab: tab[ids.reshape(-1)],
    "the table is used transposed: each id selects a ROW of the (V, C) table, giving "
    "(*ids.shape, C)": lambda ids, tab: tab[:, ids],
    "the table is used transposed: each id selects a ROW of the (V, C) table":
        lambda ids, tab: tab.T[ids],
    "the embedding axis must come last: (*ids.shape, C)":
        lambda ids, tab: tab[ids].movedim(-1, 0),
}


def _embedding_cases(g, dtype, skip_last=False):
    """(ids, table) pairs: ids of several shapes, 0-d included, with 0 and V - 1 among them
    and repeats; ``skip_last``: ids only from the first rows of the table."""
    V, C = g.dims(2, 3, 9)
    A, B, T = g.dims(3, 1, 5)
    table = g.randn(V, C, dtype=dtype)
    for shape in ((), (T,), (B, T), (A, B, T), (1,)):
        high = max(1, V - 2) if skip_last else V
        ids = g.randint(high, *shape)
        if ids.numel() >= 3 and not skip_last:
            ids.view(-1)[:3] = t([0, V - 1, 0], device=ids.device)
        yield ids, table
        if ids.dim():
            yield g.noncontiguous(ids), g.noncontiguous(table)
            yield ids, g.transposed_layout(table)


# an id out of range of the table's first axis: the ids index its columns
_LOOKUP_HINTS = {"out of bounds": "is the table used transposed? each id selects a ROW of "
                                  "the (V, C) table, table[ids]"}


@grader("ch10.embedding_lookup")
def embedding_lookup(g):
    d = g.device
    args = (t([[2, 0]], device=d), t([[0., 1.], [2., 3.], [4., 5.]], device=d))
    g.expect("book_example", args, t([[[4., 5.], [0., 1.]]], device=d), hint=_LOOKUP_HINTS,
             exact=True, mistakes=_EMBEDDING_MISTAKES)
    for dtype in FLOATS:
        g.against("random_inputs", _embedding_cases(g, dtype), _embedding, hint=_LOOKUP_HINTS,
                  mistakes=_EMBEDDING_MISTAKES, exact=True)


_ONE_HOT_HINTS = {
    "dtype": "F.one_hot gives int64: convert the one-hot matrix to the table's dtype "
             "(.to(table.dtype)) before the product",
    "cannot be multiplied": "is the one-hot V = table.shape[0] wide? F.one_hot(ids) without "
                            "num_classes is only max(ids) + 1 wide",
}


@grader("ch10.embedding_as_matmul")
def embedding_as_matmul(g):
    d = g.device
    g.expect("book_example", (t([[2, 0]], device=d), t([[0., 1.], [2., 3.], [4., 5.]],
                                                       device=d)),
             t([[[4., 5.], [0., 1.]]], device=d), mistakes=_EMBEDDING_MISTAKES)
    for dtype in FLOATS:
        for check, skip_last in (("random_inputs", False), ("ids_below_v", True)):
            g.against(check, _embedding_cases(g, dtype, skip_last), _embedding,
                      hint=_ONE_HOT_HINTS, mistakes=_EMBEDDING_MISTAKES)
    V, C = g.dims(2, 3, 9)
    B, T = g.dims(2, 1, 6)
    g.banned(g.randint(V, B, T), g.randn(V, C), oracle=_embedding)
