"""Hidden graders for ch08 - Distances and classic machine learning.

Oracles are torch built-ins in float64 (``torch.linalg.vector_norm`` of differences,
``torch.cdist`` with p=1, ``F.one_hot``) and short Python loops (k-nearest neighbours with a
``Counter``, the confusion matrix, k-means means), never solutions/.

Distances: a correct vectorised route expands |x - y|^2 = |x|^2 + |y|^2 - 2 x.y, whose
rounding is eps * (|x|^2 + |y|^2), not eps * |x - y|^2: where two rows are equal the true
distance is 0 but the clamped expansion gives sqrt(eps) * |x|. So a distance that misses the
dtype's tolerance is accepted when its SQUARE matches the expected square within that
tolerance on the scale of |x|^2 + |y|^2 (``_distances``); a NaN never is. Identical rows
(also at magnitude 1e3, where the cancellation is worst) and zero rows are always among the
inputs, so an expansion without a clamp at 0 meets its NaN.

k-NN and k-means: random inputs keep a clear gap at every decision (the k-th and (k+1)-th
neighbour, the nearest and second-nearest centroid), so float32 rounding never changes the
answer; the exact ties the catalog rules on (labels tied among the k neighbours, a point
exactly between two centroids, duplicate centroids) are built on integer coordinates or
well separated radii, where every route computes the same distances exactly.

The rand exercises are graded by properties only: a permutation of the rows / disjoint index
sets that cover 0..n-1, the test size, reproducible for an equal seed whatever the global RNG
does, other seeds give other draws, the generator advances, and frequencies over many seeds
within 6 standard errors of uniform.
"""
import itertools
import math
from collections import Counter

import torch
import torch.nn.functional as F

from autograder.checks import rand
from autograder.checks.compare import close, show, tolerance
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor


# -- calling several cases ------------------------------------------------------------------

def _outcomes(g, check: str, cases: list[tuple], hint: str = "") -> list:
    """(args, outcome or None) for each case; one message to a worker when it batches calls.
    The caller computes its oracles before this, from the same args. ``hint`` is added to
    the message of a call that raised."""
    cases = [tuple(a) for a in cases]
    if g.impl.batches_calls:
        outs = g.impl.call_many(g.ex.name, [(a, None) for a in cases], trace=g.traced)
        return [(a, g.judged(check, a, o, hint)) for a, o in zip(cases, outs)]
    return [(a, g.call(check, *a, hint=hint)) for a in cases]


# -- 1.-3. distances ------------------------------------------------------------------------

def _l2(a, b):
    return torch.linalg.vector_norm(a - b)


def _pairwise(x, y):
    return torch.linalg.vector_norm(x[:, None, :] - y[None, :, :], dim=-1)


def _square_scale(args) -> float:
    """max over pairs of |x_i|^2 + |y_j|^2: the scale of the expansion's rounding."""
    a, b = args[0].double(), args[1].double()
    if a.numel() == 0 or b.numel() == 0:
        return 0.0
    na = a.square().sum(-1).max() if a.dim() > 1 else a.square().sum()
    nb = b.square().sum(-1).max() if b.dim() > 1 else b.square().sum()
    return float(na + nb)


def _nan_message(g, got, want) -> str | None:
    if type(got) is not torch.Tensor or got.shape != want.shape or not got.is_floating_point():
        return None
    bad = got.isnan() & ~want.isnan()
    if not bool(bad.any()):
        return None
    idx = [int(i) for i in bad.nonzero()[0]]
    return (f"NaN at index {idx} where the distance is {float(want[tuple(idx)]):.6g}: "
            "|x|^2 + |y|^2 - 2 x.y comes out slightly negative by rounding where two rows are "
            "(nearly) equal, and sqrt of a negative number is NaN; clamp it at 0 before the "
            "sqrt (.clamp_min(0)), or subtract the rows first")


def _distances(g, check: str, cases: list[tuple], oracle, mistakes) -> None:
    """Distances compared as described in the module docstring."""
    cases = [tuple(a) for a in cases]
    wants = [g.oracle64(oracle, *a) for a in cases]
    for (args, out), want in zip(_outcomes(g, check, cases), wants):
        if out is None:
            continue
        g.inputs_unchanged(out, args)
        got = out.value
        msg = g.difference(got, want, args, mistakes)
        nan = _nan_message(g, got, want)
        if nan:
            msg = nan
        elif msg and type(got) is torch.Tensor and got.shape == want.shape and \
                got.dtype == want.dtype and got.device.type == want.device.type:
            rtol, atol = tolerance(want.dtype, want.device)
            if close(got.double().square(), want.double().square(), rtol, atol,
                     _square_scale(args)):
                msg = None  # within the rounding of the |x|^2 + |y|^2 - 2 x.y route
        if msg:
            where = g.call_text(args) if sum(a.numel() for a in args
                                             if isinstance(a, torch.Tensor)) <= 24 \
                else f"{g.ex.name} on inputs of shapes " + ", ".join(
                    str(tuple(a.shape)) for a in args if isinstance(a, torch.Tensor))
            g.check(check, False, f"{where}: {msg}")
        else:
            g.check(check, True)


_L2_MISTAKES = {
    "is the square root missing? That is the squared distance":
        lambda a, b: ((a - b) ** 2).sum(),
    "square the differences, not their absolute values: that is the Manhattan (L1) "
    "distance": lambda a, b: (a - b).abs().sum(),
    "subtract first, then take the norm: |a| - |b| is not the distance":
        lambda a, b: (torch.linalg.vector_norm(a) - torch.linalg.vector_norm(b)).abs(),
    "square each difference before summing: you squared the sum of the differences":
        lambda a, b: (a - b).sum().abs(),
}


def _equal_rows(g, n: int, d: int, dtype, scale: float = 1.0) -> torch.Tensor:
    return g.randn(n, d, dtype=torch.float64, scale=scale).to(dtype)


@grader("ch08.euclidean_distance")
def euclidean_distance(g):
    d = g.device
    _distances(g, "book_example", [(t([0., 0.], device=d), t([3., 4.], device=d))], _l2,
               _L2_MISTAKES)
    _distances(g, "equal_vectors", [(t([1., 2., 3.], device=d), t([1., 2., 3.], device=d)),
                                    (torch.zeros(4, device=d), torch.zeros(4, device=d))],
               _l2, _L2_MISTAKES)
    cases = []
    for dtype in FLOATS:
        for n in (1, *g.dims(3)):
            a, b = g.randn(n, dtype=dtype), g.randn(n, dtype=dtype)
            cases += list(g.layouts(a, b))
        a = _equal_rows(g, 1, g.dims(1)[0], dtype, scale=1e3)[0]
        cases += [(a, a.clone()), (a, a + 1)]
    _distances(g, "random_inputs", cases, _l2, _L2_MISTAKES)


_PAIRWISE_MISTAKES = {
    "is the square root missing? These are squared distances":
        lambda x, y: _pairwise(x, y) ** 2,
    "the result is transposed: out[i, j] is the distance from x[i] (row i) to y[j] "
    "(column j), shape (N, M)": lambda x, y: _pairwise(x, y).T,
    "square the differences, not their absolute values: those are Manhattan (L1) distances":
        lambda x, y: torch.cdist(x, y, p=1),
    "the cross term is 2 x.y: |x - y|^2 = |x|^2 + |y|^2 - 2 x.y":
        lambda x, y: ((x * x).sum(-1)[:, None] + (y * y).sum(-1)[None] - x @ y.T)
        .clamp_min(0).sqrt(),
}


def _pairwise_cases(g):
    for dtype in FLOATS:
        for n, m, d in ((1, 1, 1), (1, *g.dims(2)), g.dims(3), g.dims(3)):
            x, y = g.randn(n, d, dtype=dtype), g.randn(m, d, dtype=dtype)
            yield x, y
            yield g.noncontiguous(x), g.transposed_layout(y)


def _shared_rows(g, dtype, scale: float):
    """x and y with rows in common (some equal to x's rows, some zero): distances of
    exactly 0, where the expansion |x|^2 + |y|^2 - 2 x.y cancels to rounding noise."""
    n, m = g.dims(2, 5, 9)
    d = g.dims(1, 3, 8)[0]
    x = g.randn(n, d, dtype=torch.float64, scale=scale)
    x[0] = 0
    y = g.randn(m, d, dtype=torch.float64, scale=scale)
    pick = torch.randperm(n, generator=g.gen)[:m - 1]
    y[:len(pick)] = x[pick.to(x.device)]
    y[-1] = 0
    x, y = x.to(dtype), y.to(dtype)
    return x, y[torch.randperm(m, generator=g.gen).to(y.device)]


@grader("ch08.pairwise_distances")
def pairwise_distances(g):
    d = g.device
    _distances(g, "book_example", [(t([[0., 0.], [1., 1.]], device=d),
                                    t([[3., 4.], [0., 0.], [1., 1.]], device=d))],
               _pairwise, _PAIRWISE_MISTAKES)
    _distances(g, "equal_rows", [(torch.full((2, 3), 1000., device=d),
                                  torch.full((4, 3), 1000., device=d))],
               _pairwise, _PAIRWISE_MISTAKES)
    _distances(g, "random_inputs", list(_pairwise_cases(g)), _pairwise, _PAIRWISE_MISTAKES)
    cases = []
    for dtype in FLOATS:
        for scale in (1.0, 1e3, 1e3):
            cases.append(_shared_rows(g, dtype, scale))
    x = g.randn(7, 5, scale=1e3)  # rows that differ by a little at magnitude 1e3
    cases.append((x, torch.cat([x, x + 0.5])))
    _distances(g, "equal_rows", cases, _pairwise, _PAIRWISE_MISTAKES)
    g.banned(g.randn(3, 4), g.randn(5, 4), oracle=_pairwise)
    g.vectorised(lambda s: (g.randn(s, s + 1), g.randn(s + 2, s + 1)), oracle=_pairwise)


def _l1(x, y):
    return torch.cdist(x, y, p=1)


_MANHATTAN_MISTAKES = {
    "those are Euclidean distances: Manhattan sums the absolute differences, no squares "
    "and no sqrt": lambda x, y: torch.cdist(x, y, p=2),
    "is the abs missing? Sum |x[i, d] - y[j, d]|, not the signed differences":
        lambda x, y: (x[:, None, :] - y[None, :, :]).sum(-1),
    "is the abs missing? Sum |x[i, d] - y[j, d]|, not the signed differences (the abs of "
    "their sum is not it either)": lambda x, y: (x[:, None, :] - y[None, :, :]).sum(-1).abs(),
    "the result is transposed: out[i, j] is the distance from x[i] to y[j], shape (N, M)":
        lambda x, y: torch.cdist(x, y, p=1).T,
    "that is the largest absolute difference (Chebyshev); Manhattan sums them":
        lambda x, y: torch.cdist(x, y, p=float("inf")),
    "sum over the features, not the mean": lambda x, y: torch.cdist(x, y, p=1) / x.shape[-1],
}


@grader("ch08.manhattan_distances")
def manhattan_distances(g):
    d = g.device
    g.expect("book_example", (t([[0., 0.], [1., -1.]], device=d), t([[3., 4.], [1., 1.]],
                                                                   device=d)),
             t([[7., 2.], [7., 2.]], device=d), mistakes=_MANHATTAN_MISTAKES)
    g.against("random_inputs", _pairwise_cases(g), _l1, mistakes=_MANHATTAN_MISTAKES)
    for dtype in FLOATS:
        x, y = _shared_rows(g, dtype, 1e3)
        g.against("equal_rows", [(x, y)], _l1, mistakes=_MANHATTAN_MISTAKES)
    g.vectorised(lambda s: (g.randn(s, s + 1), g.randn(s + 2, s + 1)), oracle=_l1)


# -- 4. knn_predict ---------------------------------------------------------------------------

def _knn(x_train, y_train, x, k, tie="smallest", far=False, shift=0):
    """A loop oracle (and its wrong variants): the most common label among the k nearest."""
    d2 = ((x[:, None, :].double() - x_train[None].double()) ** 2).sum(-1).cpu()
    labels = y_train.cpu().tolist()
    out = []
    for row in d2:
        order = sorted(range(len(labels)), key=lambda j: (-row[j] if far else row[j], j))
        kk = max(1, min(len(labels), k + shift))
        votes = [labels[j] for j in order[:kk]]
        counts = Counter(votes)
        top = max(counts.values())
        tied = [c for c in counts if counts[c] == top]
        if tie == "smallest":
            out.append(min(tied))
        elif tie == "largest":
            out.append(max(tied))
        else:  # the label of the nearest neighbour among the tied labels
            out.append(next(v for v in votes if v in tied))
    return t(out, dtype=torch.int64, device=x.device)


_KNN_MISTAKES = {
    "when labels tie among the k neighbours the SMALLEST label wins; you gave the larger one":
        lambda a, b, c, k: _knn(a, b, c, k, tie="largest"),
    "when labels tie among the k neighbours the SMALLEST label wins, not the label of the "
    "nearest neighbour": lambda a, b, c, k: _knn(a, b, c, k, tie="nearest"),
    "those are the k FARTHEST points: take the k smallest distances (topk(..., "
    "largest=False) or sort ascending)": lambda a, b, c, k: _knn(a, b, c, k, far=True),
    "off by one: exactly k neighbours vote, you used k + 1":
        lambda a, b, c, k: _knn(a, b, c, k, shift=1),
    "off by one: exactly k neighbours vote, you used k - 1":
        lambda a, b, c, k: _knn(a, b, c, k, shift=-1) if k > 1 else None,
}


def _clear_queries(g, x_train, m: int, k: int, dtype):
    """(M, D) queries whose k-th and (k+1)-th nearest training points are clearly apart."""
    n, d = x_train.shape
    rows = []
    while len(rows) < m:
        q = g.randn(1, d, dtype=torch.float64)
        d2 = ((q - x_train.double()) ** 2).sum(-1).sort().values
        scale = float(q.square().sum() + x_train.double().square().sum(-1).max())
        if k >= n or float(d2[k] - d2[k - 1]) > 1e-3 * scale:
            rows.append(q)
    return torch.cat(rows).to(dtype)


def _knn_case(g, n, d, m, classes, k, dtype):
    x_train = g.randn(n, d, dtype=dtype)
    y_train = g.randint(classes, n)
    return x_train, y_train, _clear_queries(g, x_train, m, k, dtype), k


def _knn_islands(g, patterns: list[list[int]], dtype):
    """One query per pattern, at the centre of its own island of training points 100 apart;
    pattern[r] is the label of the point at distance r + 1 from its query, so the k nearest
    of query i are the first k of pattern i, in order."""
    d = g.dims(1, 2, 5)[0]
    xs, ys, qs = [], [], []
    for i, labels in enumerate(patterns):
        centre = torch.zeros(d, dtype=torch.float64)
        centre[i % d] = 100.0 * (i // d + 1)
        qs.append(centre)
        for r, label in enumerate(labels):
            u = torch.randn(d, generator=g.gen, dtype=torch.float64)
            xs.append(centre + (r + 1) * u / torch.linalg.vector_norm(u))
            ys.append(label)
    order = torch.randperm(len(xs), generator=g.gen)
    x_train = torch.stack(xs)[order].to(g.device, dtype)
    y_train = t(ys, dtype=torch.int64)[order].to(g.device)
    return x_train, y_train, torch.stack(qs).to(g.device, dtype)


@grader("ch08.knn_predict")
def knn_predict(g):
    d = g.device
    g.expect("book_example", (t([[0.], [1.], [10.], [11.], [12.]], device=d),
                              t([0, 0, 1, 1, 1], device=d), t([[0.4], [10.6]], device=d), 3),
             t([0, 1], device=d), mistakes=_KNN_MISTAKES)
    g.expect("label_ties", (t([[0.], [1.], [3.], [4.]], device=d), t([2, 2, 1, 1], device=d),
                            t([[0.]], device=d), 4), t([1], device=d), mistakes=_KNN_MISTAKES)
    cases = []
    for dtype in FLOATS:
        for n, dd, m in ((1, 1, 1), g.dims(3), g.dims(3)):
            for k in sorted({1, min(n, 2), min(n, 3), n}):
                cases.append(_knn_case(g, n, dd, m, 3, k, dtype))
        n, dd, m = g.dims(3, 4, 12)
        x_train, y_train, x, k = _knn_case(g, n, dd, m, 4, 3, dtype)
        cases.append((g.noncontiguous(x_train), g.noncontiguous(y_train), g.noncontiguous(x),
                      k))
    g.against("random_inputs", cases, _knn, mistakes=_KNN_MISTAKES)
    # labels tied among the k neighbours; the nearest neighbour has the larger label in some
    # rows and the smaller one in others, so no other tie rule agrees everywhere
    perm = (torch.randperm(5, generator=g.gen) + 1).tolist()  # labels 1..5, no 0 needed
    a, b, c, e = sorted(perm[:4])
    for dtype in FLOATS:
        patterns = [[c, c, a, a, c, e], [a, b, a, b, e, e], [b, a, b, a, a, a],
                    [e, c, c, e, a, a], [c, b, a, c, b, a], [b, b, b, a, a, e]]
        for k in (4, 2):
            x_train, y_train, x = _knn_islands(g, patterns if k == 4 else
                                               [p[:2] + [e] * 3 + [a] for p in patterns],
                                               dtype)
            g.against("label_ties", [(x_train, y_train, x, k)], _knn, mistakes=_KNN_MISTAKES)
        x_train, y_train, x = _knn_islands(g, patterns, dtype)
        g.against("label_ties", [(x_train, y_train, x, 6)], _knn, mistakes=_KNN_MISTAKES)

    def sized(s):  # every size varies: N, D, M and the number of labels
        return _knn_case(g, 3 * s, s, s + 1, s - 1, 3, torch.float32)

    g.vectorised(sized, oracle=_knn)


# -- 5. one_hot -------------------------------------------------------------------------------

def _one_hot(labels, c):
    return F.one_hot(labels, c).to(torch.float32)


_ONE_HOT_MISTAKES = {
    "the result is transposed: one row per label, one column per class, shape (N, C)":
        lambda lab, c: _one_hot(lab, c).T,
    "use num_classes columns: classes that never occur (labels.max() + 1 is too few) "
    "still get a column": lambda lab, c: _one_hot(lab, int(lab.max()) + 1) if lab.numel()
    else None,
    "the 1 goes at column labels[i]: you put it at labels[i] - 1 or labels[i] + 1":
        lambda lab, c: _one_hot((lab + 1) % c, c),
}


@grader("ch08.one_hot")
def one_hot(g):
    d = g.device
    g.expect("book_example", (t([2, 0, 1], device=d), 4),
             t([[0., 0., 1., 0.], [1., 0., 0., 0.], [0., 1., 0., 0.]], device=d),
             mistakes=_ONE_HOT_MISTAKES, exact=True)
    cases = []
    for n, c in ((1, 1), (1, 4), (0, 3), tuple(g.dims(2)), tuple(g.dims(2, 4, 12))):
        labels = g.randint(c, n)
        cases += list(g.layouts(labels, c))
        cases.append((g.randint(max(c - 2, 1), n), c))  # the last classes never occur
    g.against("random_inputs", cases, _one_hot, mistakes=_ONE_HOT_MISTAKES, exact=True)
    g.banned(g.randint(5, 7), 6, oracle=_one_hot, exact=True)


# -- 6. accuracy ------------------------------------------------------------------------------

def _accuracy(logits, targets):
    return (logits.argmax(-1) == targets).to(logits.dtype).mean()


_ACCURACY_MISTAKES = {
    "that is the number correct; the accuracy divides it by N":
        lambda lo, ta: (lo.argmax(-1) == ta).to(lo.dtype).sum(),
    "that is a percentage; the accuracy is a fraction in [0, 1]":
        lambda lo, ta: _accuracy(lo, ta) * 100,
    "that is the error rate (1 - accuracy): count the rows where the argmax EQUALS the "
    "target": lambda lo, ta: 1 - _accuracy(lo, ta),
    "the prediction is the class with the HIGHEST logit (argmax), not the lowest":
        lambda lo, ta: (lo.argmin(-1) == ta).to(lo.dtype).mean(),
    "take the argmax over the classes (dim=-1, each row), not over the batch (dim=0)":
        lambda lo, ta: (lo.argmax(0) == ta).to(lo.dtype).mean() if lo.shape[0] == lo.shape[1]
        else None,
}


def _accuracy_cases(g, check: str, cases):
    cases = [tuple(a) for a in cases]
    wants = [g.oracle64(_accuracy, *a) for a in cases]
    hint = ("if that is a size mismatch between the predictions and the targets: take the "
            "argmax over the classes (dim=-1, one prediction per row), not over the batch "
            "(dim=0)")
    for (args, out), want in zip(_outcomes(g, check, cases, hint), wants):
        if out is None:
            continue
        got = out.value
        if type(got) is torch.Tensor and not got.is_floating_point():
            g.inputs_unchanged(out, args)
            g.check(check, False, f"{g.call_text(args)} returned {show(got)}, an integer "
                    f"tensor, where the accuracy is {float(want):.6g}: integer division (//) "
                    "or a count that was never divided; divide as floats, e.g. "
                    "(pred == targets).to(logits.dtype).mean()")
            continue
        g.expect(check, args, want, outcome=out, mistakes=_ACCURACY_MISTAKES)


@grader("ch08.accuracy")
def accuracy(g):
    d = g.device
    _accuracy_cases(g, "book_example", [(t([[2., 1.], [0., 3.], [5., 4.], [1., 0.]], device=d),
                                         t([0, 1, 1, 1], device=d))])
    cases = []
    for dtype in FLOATS:
        for n, c in ((1, 1), (1, 3), tuple(g.dims(2)), tuple(g.dims(2, 10, 20))):
            logits = g.randn(n, c, dtype=dtype)
            targets = g.randint(c, n)
            cases += list(g.layouts(logits, targets))
            cases.append((logits, logits.argmax(-1)))  # all right
            cases.append((logits, (logits.argmax(-1) + 1) % c))  # none right (c > 1)
        n = g.dims(1, 3, 7)[0]  # square: an argmax over the wrong axis still runs
        logits = g.randn(n, n, dtype=dtype)
        cases.append((logits, logits.argmax(-1).roll(1) if n > 2 else logits.argmax(-1)))
        cases.append((logits, logits.argmax(-1)))
        cases.append((g.transposed_layout(logits), g.randint(n, n)))
    _accuracy_cases(g, "random_inputs", cases)


# -- 7. confusion_matrix --------------------------------------------------------------------

def _confusion(pred, target, k):
    out = [[0] * k for _ in range(k)]
    for p, tt in zip(pred.tolist(), target.tolist()):
        out[tt][p] += 1
    return t(out, dtype=torch.int64, device=pred.device).reshape(k, k)


_CONFUSION_MISTAKES = {
    "the matrix is transposed: ROWS are the true class, columns the prediction "
    "(out[target, pred])": lambda p, tt, k: _confusion(p, tt, k).T,
    "repeated (true, predicted) pairs must each count: assignment with repeated indices "
    "keeps one; use index_put_ with accumulate=True, index_add_ or bincount":
        lambda p, tt, k: (_confusion(p, tt, k) > 0).to(torch.int64),
}


@grader("ch08.confusion_matrix")
def confusion_matrix(g):
    d = g.device
    g.expect("book_example", (t([0, 1, 1, 2], device=d), t([0, 1, 2, 2], device=d), 3),
             t([[1, 0, 0], [0, 1, 0], [0, 1, 1]], device=d), mistakes=_CONFUSION_MISTAKES)
    cases = []
    # no N = 0 here: F.one_hot reads min/max only of a non-empty input, and the vec check
    # would take that changing count of scalar reads for a loop
    for n, k in ((1, 1), (1, 3), (2, 4), tuple(g.dims(2, 2, 6)), (g.dims(1, 20, 40)[0], 3),
                 tuple(g.dims(2, 8, 30))):
        pred, target = g.randint(k, n), g.randint(k, n)
        cases += list(g.layouts(pred, target, k))
        if k > 2:  # the last class never occurs, in pred nor in target
            cases.append((g.randint(k - 1, n), g.randint(k - 1, n), k))
    g.against("random_inputs", cases, _confusion, mistakes=_CONFUSION_MISTAKES)
    g.vectorised(lambda s: (g.randint(s + 1, 3 * s), g.randint(s + 1, 3 * s), s + 1),
                 oracle=_confusion)


# -- 8. shuffle -------------------------------------------------------------------------------

def _rows_of(got, x) -> list[int] | None:
    """For each row of got, the index of the equal row of x (rows of x are distinct)."""
    if got.shape != x.shape:
        return None
    a, b = got.reshape(len(got), -1), x.reshape(len(x), -1)
    eq = (a[:, None, :] == b[None, :, :]).all(-1)  # (N, N)
    if not bool((eq.sum(1) == 1).all()):
        return None
    return eq.to(torch.int64).argmax(1).tolist()


def _permutation_check(g, args, out) -> list[int] | None:
    """The permutation the result applied to the rows of x, or None after saying why not."""
    x = args[0]
    call = g.call_text(args)
    got = out.value
    g.inputs_unchanged(out, args)
    if type(got) is not torch.Tensor:
        g.check("permutation", False, f"{call} returned a {type(got).__name__}; expected a "
                                      "torch.Tensor")
        return None
    if got.dtype != x.dtype or got.shape != x.shape:
        g.check("permutation", False, f"{call} returned dtype {got.dtype} and shape "
                f"{tuple(got.shape)}; expected the rows of x: dtype {x.dtype}, shape "
                f"{tuple(x.shape)} (index the rows, x[order], with order a permutation of "
                "0..N-1)")
        return None
    rows = _rows_of(got.cpu(), x.cpu())
    if rows is None or sorted(rows) != list(range(len(x))):
        seen = Counter(rows or [])
        hint = ("some rows of x appear twice and others not at all: draw a permutation "
                "(torch.randperm), not indices with replacement (torch.randint)"
                if rows is not None and max(seen.values()) > 1 else
                "its rows are not the rows of x: permute whole rows (x[order]), do not "
                "shuffle the entries within a row, the columns, or the flattened values")
        g.check("permutation", False, f"{call} must return every row of x exactly once: "
                                      f"{hint}")
        return None
    g.check("permutation", True)
    return rows


@grader("ch08.shuffle")
def shuffle(g):
    a, b, c = g.dims(3, 2, 9)
    cases = [(torch.arange(10), ), (g.randn(a, b), ), (g.randn(b, c, dtype=torch.float64), ),
             (torch.randperm(30, generator=g.gen)[:a * 3].reshape(a, 3), ),
             (g.noncontiguous(g.randn(c, a).cpu()), ), (g.randn(1, b), ), (g.randn(c), ),
             (g.randn(b, 2, a), )]
    cases = [(x.cpu(), rand.generator(rand.new_seed(g))) for (x,) in cases]
    for args, out in _outcomes(g, "permutation", cases):
        if out is not None:
            _permutation_check(g, args, out)
    x = torch.arange(16.0)[:, None] * t([1.0, -1.0])  # (16, 2), distinct rows
    rand.reproducible(g, lambda shape, gen: (x, gen), x.dtype, tuple(x.shape))
    _shuffle_uniform(g)


def _shuffle_uniform(g, n: int = 5, draws: int = 600) -> None:
    """Over many seeds every row lands at every position 1/n of the time, and each pair of
    rows comes out in either order half of the time."""
    x = torch.arange(float(n))
    cases = [(x, rand.generator(rand.new_seed(g))) for _ in range(draws)]
    perms = []
    for args, out in _outcomes(g, "uniform", cases):
        if out is None:
            return
        got = out.value
        rows = _rows_of(got, x) if type(got) is torch.Tensor and got.dtype == x.dtype \
            else None
        if rows is None or sorted(rows) != list(range(n)):
            _permutation_check(g, args, out)  # says what is wrong
            return
        perms.append(rows)
    call = f"shuffle(torch.arange({float(n)}), <{draws} generators seeded differently>)"
    pos = torch.tensor(perms)  # pos[s, p] = the row of x at position p in draw s
    freq = torch.stack([(pos == r).double().mean(0) for r in range(n)])  # (row, position)
    r, p = divmod(int((freq - 1 / n).abs().argmax()), n)
    rand.fraction(g, "uniform", call, f"put row {r} at position {p}", float(freq[r, p]),
                  1 / n, draws, "every row must be equally likely at every position: draw "
                  "the whole order at once (torch.randperm(N, generator=generator))")
    where = pos.argsort(1)  # where[s, r] = the position of row r
    before = {(i, j): float((where[:, i] < where[:, j]).double().mean())
              for i, j in itertools.combinations(range(n), 2)}
    (i, j), share = max(before.items(), key=lambda kv: abs(kv[1] - 0.5))
    rand.fraction(g, "uniform", call, f"put row {i} before row {j}", share, 0.5, draws,
                  "every order must be equally likely; a random rotation (roll) or a few "
                  "random swaps are not a uniform shuffle: use torch.randperm")


# -- 9. train_test_split --------------------------------------------------------------------

def _split_sizes_hint(n: int, f: float, got: int) -> str:
    x = n * f
    named = [(math.floor(x), "int() or // truncates"), (math.ceil(x), "math.ceil rounds up"),
             (math.floor(x + 0.5), "x + 0.5 rounded down rounds a half up, but Python's round "
                                   "rounds a half to the even neighbour")]
    return [w for v, w in named if v == got and v != round(x)]


def _split_check(g, args, out) -> tuple | None:
    """(train, test) after checking types, sizes, disjointness and coverage, or None."""
    n, f = args[0], args[1]
    call = g.call_text(args)
    got = out.value
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        g.check("split", False, f"{call} returned {show(got)}; expected a tuple (train, test) "
                                "of two int64 tensors")
        return None
    for name, s in zip(("train", "test"), got):
        if type(s) is not torch.Tensor or s.dtype != torch.int64 or s.dim() != 1:
            what = (f"a {type(s).__name__}" if type(s) is not torch.Tensor else
                    f"a {s.dim()}-D {str(s.dtype).replace('torch.', '')} tensor")
            g.check("split", False, f"{call}: {name} is {what}; expected a 1-D int64 tensor of "
                                    "indices")
            return None
    train, test = (s.cpu() for s in got)
    k = round(n * f)
    if len(test) != k:
        why = _split_sizes_hint(n, f, len(test))
        if len(train) == k and len(test) == n - k and k != n - k:
            why.append("the sizes are swapped; return (train, test) in that order")
        g.check("test_size", False, f"{call}: the test set has {len(test)} indices; expected "
                f"round({n} * {f}) = {k} (Python's round: a half goes to the even "
                f"neighbour)" + (": " + "; or ".join(why) if why else ""))
        return None
    g.check("test_size", True)
    both = sorted(set(train.tolist()) & set(test.tolist()))
    every = torch.cat([train, test]).sort().values
    if both:
        g.check("split", False, f"{call}: the index {both[0]} is in both train and test; "
                "the sets must be disjoint (split one permutation at round(n * f))")
        return None
    if not torch.equal(every, torch.arange(n)):
        g.check("split", False, f"{call}: train and test together must hold each of 0..{n - 1}"
                " exactly once" + (" (an index repeats: draw a permutation, not indices with "
                                   "replacement)" if every.unique().numel() < every.numel()
                                   else ""))
        return None
    g.check("split", True)
    return train, test


def _split_sets(g, check, args, global_seed=None):
    out = g.call(check, *args, global_seed=global_seed)
    if out is None:
        return None, None
    return _split_check(g, args, out), out


@grader("ch08.train_test_split")
def train_test_split(g):
    half = [(5, 0.5), (7, 0.5), (10, 0.25), (10, 0.35), (18, 0.25), (6, 0.75), (2, 0.25)]
    plain = [(10, 0.3), (10, 0.37), (10, 0.31), (1, 0.3), (1, 0.7), (13, 0.0), (13, 1.0),
             (0, 0.5), (40, 0.2), (g.dims(1, 20, 60)[0], 0.15)]
    cases = [(n, f, rand.generator(rand.new_seed(g))) for n, f in plain + half]
    for args, out in _outcomes(g, "split", cases):
        if out is not None:
            _split_check(g, args, out)
    _split_reproducible(g)
    _split_uniform(g)


def _same(a, b) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b))


def _split_reproducible(g, n: int = 30, f: float = 0.3) -> None:
    s = rand.new_seed(g)
    first, _ = _split_sets(g, "same_seed", (n, f, rand.generator(s)), global_seed=1)
    again, _ = _split_sets(g, "same_seed", (n, f, rand.generator(s)), global_seed=2)
    if first is None or again is None:
        return
    g.check("same_seed", _same(first, again),
            f"two calls train_test_split({n}, {f}, torch.Generator().manual_seed({s})), with "
            "the global RNG seeded differently in between, gave different splits: every random "
            "number must come from the generator argument (generator=generator), not from the "
            "global RNG (torch.manual_seed, numpy, random)")
    other, _ = _split_sets(g, "different_seeds", (n, f, rand.generator(s + 1)))
    if other is not None:
        g.check("different_seeds", sorted(other[1].tolist()) != sorted(first[1].tolist()),
                f"generators seeded with {s} and {s + 1} gave the same test set: the split "
                "must be random; draw a permutation from the generator you are given "
                "(torch.randperm(n, generator=generator)), do not take the first indices or "
                "seed your own generator")
    gen = rand.generator(s)
    start = gen.get_state()
    one, out = _split_sets(g, "generator_advances", (n, f, gen))
    if one is None:
        return
    after = out.generator_states[0] if out.generator_states else start
    two, _ = _split_sets(g, "generator_advances", (n, f, rand.generator(s).set_state(after)))
    if two is not None:
        g.check("generator_advances", not torch.equal(after, start) and not _same(one, two),
                f"two calls with one generator gave the same split: draw from the generator "
                "itself so that its state advances; do not re-seed anything from it")


def _split_uniform(g, n: int = 8, f: float = 0.25, draws: int = 400) -> None:
    """Every index is in the test set round(n f) / n of the time."""
    cases = [(n, f, rand.generator(rand.new_seed(g))) for _ in range(draws)]
    counts = torch.zeros(n)
    for args, out in _outcomes(g, "uniform", cases):
        if out is None:
            return
        sets = _split_check(g, args, out)
        if sets is None:
            return
        counts[sets[1]] += 1
    want = round(n * f) / n
    worst = int((counts / draws - want).abs().argmax())
    rand.fraction(g, "uniform", f"train_test_split({n}, {f}, <{draws} generators seeded "
                  "differently>)", f"put index {worst} in the test set",
                  float(counts[worst]) / draws, want, draws,
                  "every index must be equally likely to be in the test set: split a "
                  "uniformly random permutation (torch.randperm)")


# -- 10. kmeans_step ------------------------------------------------------------------------

def _kmeans(x, c, empty="keep", tie="low", far=False):
    """A loop oracle (and its wrong variants) in the inputs' dtype."""
    d2 = ((x[:, None, :].double() - c[None].double()) ** 2).sum(-1)
    if far:
        assign = d2.argmax(1)
    elif tie == "low":
        assign = d2.argmin(1)
    else:
        assign = d2.shape[1] - 1 - d2.flip(1).argmin(1)
    rows = []
    for k in range(c.shape[0]):
        mine = x[assign == k].double()
        if len(mine):
            rows.append(mine.mean(0))
        elif empty == "keep":
            rows.append(c[k].double())
        else:
            rows.append(torch.full_like(c[k], float("nan") if empty == "nan" else 0.0).double())
    return assign.to(x.device), torch.stack(rows).to(c.device, c.dtype)


_KMEANS_MISTAKES = {
    "an empty cluster (no point assigned) must KEEP its centroid; its mean is 0/0 = NaN":
        lambda x, c: _kmeans(x, c, empty="nan")[1],
    "an empty cluster (no point assigned) must KEEP its centroid, not move to zeros":
        lambda x, c: _kmeans(x, c, empty="zero")[1],
    "each point goes to its NEAREST centroid (argmin of the distances), not the farthest":
        lambda x, c: _kmeans(x, c, far=True)[0],
    "a point exactly as near to two centroids goes to the LOWER index (as argmin does)":
        lambda x, c: _kmeans(x, c, tie="high")[0],
    "the new centroid is the MEAN of its points: divide the sum by how many there are":
        lambda x, c: torch.stack([x[_kmeans(x, c)[0] == k].sum(0) if bool(
            (_kmeans(x, c)[0] == k).any()) else c[k] for k in range(c.shape[0])]),
}


def _clear_points(g, centroids, n: int, spread: float, dtype):
    """(N, D) points near the centroids whose nearest centroid is clearly the nearest."""
    k, d = centroids.shape
    c = centroids.double()
    rows = []
    while len(rows) < n:
        home = int(torch.randint(k, (1,), generator=g.gen))
        p = c[home] + spread * g.randn(d, dtype=torch.float64)
        d2 = ((p - c) ** 2).sum(-1).sort().values
        scale = float(p.square().sum() + c.square().sum(-1).max())
        if k == 1 or float(d2[1] - d2[0]) > 1e-3 * scale:
            rows.append(p)
    return torch.stack(rows).to(dtype)


def _kmeans_case(g, n, k, d, dtype, spread=0.7):
    centroids = g.randn(k, d, dtype=dtype, scale=3.0)
    return _clear_points(g, centroids, n, spread, dtype), centroids


def _kmeans_expect(g, check, cases):
    cases = [tuple(a) for a in cases]
    wants = [g.oracle64(_kmeans, *a) for a in cases]
    for (args, out), want in zip(_outcomes(g, check, cases), wants):
        if out is None:
            continue
        got = out.value
        if isinstance(got, (tuple, list)) and len(got) == 2 and all(
                type(v) is torch.Tensor for v in got) and got[0].is_floating_point() and \
                not got[1].is_floating_point():
            g.inputs_unchanged(out, args)
            g.check(check, False, f"{g.call_text(args)}: the results are swapped; return "
                                  "(assignments, new_centroids) in that order")
            continue
        g.expect(check, args, want, outcome=out, mistakes=_KMEANS_MISTAKES,
                 scale=float(args[0].abs().max()) if args[0].numel() else 0.0)


@grader("ch08.kmeans_step")
def kmeans_step(g):
    d = g.device
    _kmeans_expect(g, "book_example", [
        (t([[0., 0.], [0., 2.], [10., 0.]], device=d), t([[0., 1.], [9., 0.]], device=d)),
        (t([[0.], [1.]], device=d), t([[0.], [5.], [-9.]], device=d))])
    cases = []
    for dtype in FLOATS:
        for n, k, dd in ((1, 1, 1), (1, 3, 2), (5, 1, 3), tuple(g.dims(3)), tuple(g.dims(3)),
                         (g.dims(1, 20, 40)[0], *g.dims(2, 2, 6))):
            cases += list(g.layouts(*_kmeans_case(g, n, k, dd, dtype)))
    _kmeans_expect(g, "random_inputs", cases)
    cases = []
    for dtype in FLOATS:
        n, k, dd = g.dims(3, 3, 9)
        x, c = _kmeans_case(g, n, k, dd, dtype)
        far = c[:1] + 1e3  # nobody comes near it: an empty cluster
        cases.append((x, torch.cat([c, far])))
        cases.append((x, torch.cat([far, c])))
        x = x * 0 + x[:1]  # every point at one place: every other cluster empty
        cases.append((x, c))
    _kmeans_expect(g, "empty_cluster", cases)
    cases = []
    for dtype in FLOATS:  # integer coordinates: every route computes the distances exactly
        dd = g.dims(1, 1, 4)[0]
        c = g.randint(7, 4, dd).to(dtype) * 2 - 6
        c = torch.cat([c, c[1:2], c[3:4]])  # duplicates: the later copies stay empty
        x = torch.cat([c[:1] + c[2:3], c[1:2] + c[3:4], c[:1] * 2]) / 2  # midpoints, a centroid
        x = torch.cat([x, g.randint(7, 5, dd).to(dtype) * 2 - 6])
        cases.append((x[torch.randperm(len(x), generator=g.gen).to(d)], c))
        cases.append((t([[0.], [2.], [-2.], [1.]], device=d, dtype=dtype),
                      t([[-1.], [1.], [3.], [-3.], [1.]], device=d, dtype=dtype)))
    _kmeans_expect(g, "ties", cases)
    g.vectorised(lambda s: _kmeans_case(g, 3 * s, s, s + 1, torch.float32), oracle=_kmeans,
                 mistakes=_KMEANS_MISTAKES)
