"""ch08 - Distances and classic machine learning.

Euclidean and Manhattan distances between every pair of rows, k-nearest neighbours, one-hot
labels, accuracy and the confusion matrix, shuffling and splitting a data set, and one step
of k-means: the classic machine learning that runs on the same tensor arithmetic as a network.
"""
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"
G = "torch.Generator().manual_seed"


@exercise("ch08.euclidean_distance", points=1, book="P52", examples=[
    Example(f"euclidean_distance({T}([0., 0.]), {T}([3., 4.]))", expect=f"{T}(5.)"),
    Example(f"euclidean_distance({T}([1., 2., 3.]), {T}([1., 2., 3.]))", expect=f"{T}(0.)"),
    Example(f"euclidean_distance({T}([3., 0.]), {T}([0., 4.]))", expect=f"{T}(5.)")],
          hints=("Subtract the vectors, square the differences, add them up, take the square "
                 "root.",
                 "`-`, `** 2`, `.sum()`, `.sqrt()` (or `torch.linalg.vector_norm` of the "
                 "difference).",
                 "return ((a - b) ___ 2).___().sqrt()  # ()"),
          stars=1, minutes=3)
def euclidean_distance(a: Tensor, b: Tensor) -> Tensor:
    """The Euclidean (L2) distance between two vectors.

    Args:
        a: (D,) float vector.
        b: (D,) float vector.
    Returns:
        0-d tensor sqrt(sum_i (a[i] - b[i])**2), in the inputs' dtype; 0 for equal vectors.
    Example:
        >>> euclidean_distance(torch.tensor([0., 0.]), torch.tensor([3., 4.]))
        tensor(5.)
    """
    ### BEGIN SOLUTION
    return ((a - b) ** 2).sum().sqrt()  # (D,) -> ()
    ### END SOLUTION


@exercise("ch08.pairwise_distances", points=2, ban=("cdist", "_cdist_forward"), vec=True,
          examples=[
              Example(f"pairwise_distances({T}([[0., 0.], [1., 1.]]), "
                      f"{T}([[3., 4.], [0., 0.], [1., 1.]]))",
                      expect=f"{T}([[5., 0., 1.4142135], [3.6055512, 1.4142135, 0.]])"),
              Example("pairwise_distances(torch.full((2, 3), 1000.), torch.full((4, 3), 1000.))",
                      expect="torch.zeros(2, 4)")],
          hints=("Line x up as (N, 1, D) and y as (1, M, D): their difference broadcasts to "
                 "every pair (N, M, D); square, sum over the features, take the root.",
                 "Index with `None` (or `unsqueeze`), `*`, `.sum(dim=-1)`, `.clamp_min(0)`, "
                 "`.sqrt()`. With the expansion |x|^2 + |y|^2 - 2 x.y, rounding can go below 0: "
                 "clamp before `sqrt`, or get NaN.",
                 "diff = x[:, ___, :] - y[___, :, :]  # (N, M, D)\n"
                 "return (diff * diff).sum(dim=___).clamp_min(0).sqrt()  # (N, M)"),
          stars=2, minutes=12)
def pairwise_distances(x: Tensor, y: Tensor) -> Tensor:
    """Euclidean distances between every row of x and every row of y.

    Either subtract with broadcasting, or expand |x - y|^2 = |x|^2 + |y|^2 - 2 x.y (one
    matrix product). The expansion can come out slightly negative through rounding where
    two rows are equal (worst for large values such as 1000), and the sqrt of a negative
    number is NaN: clamp it at 0 first. The result is never NaN and never negative.

    Args:
        x: (N, D) float rows.
        y: (M, D) float rows.
    Returns:
        (N, M) with out[i, j] = |x[i] - y[j]|, in the inputs' dtype.
    Example:
        >>> pairwise_distances(torch.tensor([[0., 0.], [1., 1.]]),
        ...                    torch.tensor([[3., 4.], [0., 0.], [1., 1.]]))
        tensor([[5.0000, 0.0000, 1.4142],
                [3.6056, 1.4142, 0.0000]])
    """
    ### BEGIN SOLUTION
    diff = x[:, None, :] - y[None, :, :]  # (N, 1, D) - (1, M, D) -> (N, M, D)
    return (diff * diff).sum(dim=-1).clamp_min(0).sqrt()  # (N, M)
    ### END SOLUTION


@exercise("ch08.manhattan_distances", points=2, vec=True, examples=[
    Example(f"manhattan_distances({T}([[0., 0.], [1., -1.]]), {T}([[3., 4.], [1., 1.]]))",
            expect=f"{T}([[7., 2.], [7., 2.]])")],
          hints=("The same broadcasting trick as for Euclidean distances: every difference x[i] "
                 "- y[j] at once, then the absolute values summed over the features.",
                 "`x[:, None, :] - y[None, :, :]` is (N, M, D); then `.abs().sum(dim=-1)`. A "
                 "loop over the rows fails the vectorisation check.",
                 "diff = x[:, None, :] - ___  # (N, M, D)\n"
                 "return diff.___().sum(dim=___)  # (N, M)"),
          stars=2, minutes=8)
def manhattan_distances(x: Tensor, y: Tensor) -> Tensor:
    """Manhattan (L1) distances between every row of x and every row of y.

    Args:
        x: (N, D) float rows.
        y: (M, D) float rows.
    Returns:
        (N, M) with out[i, j] = sum_d |x[i, d] - y[j, d]|, in the inputs' dtype.
    Example:
        >>> manhattan_distances(torch.tensor([[0., 0.], [1., -1.]]),
        ...                     torch.tensor([[3., 4.], [1., 1.]]))
        tensor([[7., 2.],
                [7., 2.]])
    """
    ### BEGIN SOLUTION
    return (x[:, None, :] - y[None, :, :]).abs().sum(dim=-1)  # (N, M, D) -> (N, M)
    ### END SOLUTION


@exercise("ch08.knn_predict", points=3, book="P53", vec=True, examples=[
    Example(f"knn_predict({T}([[0.], [1.], [10.], [11.], [12.]]), {T}([0, 0, 1, 1, 1]), "
            f"{T}([[0.4], [10.6]]), 3)", expect=f"{T}([0, 1])"),
    Example(f"knn_predict({T}([[0.], [1.], [3.], [4.]]), {T}([2, 2, 1, 1]), {T}([[0.]]), 4)",
            expect=f"{T}([1])"),
    # k = 1: only the nearest point votes
    Example(f"knn_predict({T}([[0.], [1.], [2.]]), {T}([1, 0, 0]), {T}([[0.]]), 1)",
            expect=f"{T}([1])")],
          hints=("Distances from every query to every training point; the k nearest per query; "
                 "their labels; count the votes per label and take the most voted, the SMALLEST "
                 "label on a tie.",
                 "Squared distances by broadcasting (the root keeps the order); `topk(k, dim=1, "
                 "largest=False)`; `y_train[idx]`; count with `scatter_add` into an (M, C) zero "
                 "tensor; `argmax(dim=1)` returns the first maximum, the smallest label.",
                 "d2 = ((x[:, None, :] - x_train[None, :, :]) ** 2).sum(dim=-1)  # (M, N)\n"
                 "votes = y_train[d2.topk(k, dim=1, largest=___).indices]  # (M, k)\n"
                 "counts = torch.zeros(x.shape[0], int(y_train.max()) + 1, dtype=torch.int64, "
                 "device=x.device)\n"
                 "counts = counts.scatter_add(1, ___, torch.ones_like(votes))  # (M, C)\n"
                 "return counts.___(dim=1)  # (M,)"),
          stars=3, minutes=25)
def knn_predict(x_train: Tensor, y_train: Tensor, x: Tensor, k: int) -> Tensor:
    """k-nearest-neighbour classification.

    Each query gets the label that is most common among its k nearest training points
    (Euclidean distance). When two or more labels are equally common among those k, the
    SMALLEST label wins (not the label of the nearest point). Vectorised means no Python
    loop over the queries, the training points or the labels.

    Args:
        x_train: (N, D) float training points.
        y_train: (N,) int64 labels, each in 0..C-1.
        x: (M, D) float query points.
        k: how many neighbours vote, 1 <= k <= N.
    Returns:
        (M,) int64 predicted labels.
    Example:
        Query 0 sits near the two 0-labelled points, query 1 among the 1s:
        >>> knn_predict(torch.tensor([[0.], [1.], [10.], [11.], [12.]]),
        ...             torch.tensor([0, 0, 1, 1, 1]), torch.tensor([[0.4], [10.6]]), 3)
        tensor([0, 1])
        Two votes each for labels 2 and 1: the smaller label, 1, wins.
    """
    ### BEGIN SOLUTION
    diff = x[:, None, :] - x_train[None, :, :]  # (M, N, D)
    d2 = (diff * diff).sum(dim=-1)  # (M, N) squared distances
    nearest = d2.topk(k, dim=1, largest=False).indices  # (M, k)
    votes = y_train[nearest]  # (M, k)
    C = int(y_train.max()) + 1
    counts = torch.zeros(x.shape[0], C, dtype=torch.int64, device=x.device)  # (M, C)
    counts = counts.scatter_add(1, votes, torch.ones_like(votes))  # (M, C)
    return counts.argmax(dim=1)  # (M,): argmax picks the first, i.e. smallest, top label
    ### END SOLUTION


@exercise("ch08.one_hot", points=2, book="P50", ban=("one_hot",), examples=[
    Example(f"one_hot({T}([2, 0, 1]), 4)",
            expect=f"{T}([[0., 0., 1., 0.], [1., 0., 0., 0.], [0., 1., 0., 0.]])")],
          hints=("Row i is 1 exactly in column labels[i]: compare every label with every class "
                 "number at once.",
                 "`torch.arange(num_classes, device=labels.device)`, a broadcast `==` between an "
                 "(N, 1) and a (1, C) tensor, then `.to(torch.float32)` (bool or int64 is the "
                 "wrong dtype).",
                 "classes = torch.arange(___, device=labels.device)  # (C,)\n"
                 "return (labels[:, ___] == classes[None, :]).to(___)  # (N, C)"),
          stars=2, minutes=8)
def one_hot(labels: Tensor, num_classes: int) -> Tensor:
    """One-hot encoding of integer class labels.

    Args:
        labels: (N,) int64, each in 0..num_classes-1 (N may be 0).
        num_classes: C, the number of columns (classes that never occur still get one).
    Returns:
        (N, C) float32 with out[i, labels[i]] = 1 and every other entry 0.
    Example:
        >>> one_hot(torch.tensor([2, 0, 1]), 4)
        tensor([[0., 0., 1., 0.],
                [1., 0., 0., 0.],
                [0., 1., 0., 0.]])
    """
    ### BEGIN SOLUTION
    classes = torch.arange(num_classes, device=labels.device)  # (C,)
    return (labels[:, None] == classes[None, :]).to(torch.float32)  # (N, C)
    ### END SOLUTION


@exercise("ch08.accuracy", points=1, examples=[
    Example(f"accuracy({T}([[2., 1.], [0., 3.], [5., 4.], [1., 0.]]), {T}([0, 1, 1, 1]))",
            expect=f"{T}(0.5)")],
          hints=("Each row predicts the class with the highest logit; count the rows where that "
                 "equals the target and divide by N.",
                 "`logits.argmax(dim=-1)`, `==`, then `.to(logits.dtype).mean()`: `.mean()` "
                 "refuses a bool tensor, and a float32 cast loses float64 inputs.",
                 "pred = logits.___(dim=___)  # (N,)\n"
                 "return (pred == targets).to(___).mean()  # ()"),
          stars=1, minutes=5)
def accuracy(logits: Tensor, targets: Tensor) -> Tensor:
    """The fraction of rows whose highest logit is at the target class.

    Args:
        logits: (N, C) float scores, one row per example, one column per class.
        targets: (N,) int64 true classes.
    Returns:
        0-d tensor in [0, 1], in the logits' float dtype (float64 logits give a float64
        fraction): the number correct divided by N, a fraction, not a count or a percent.
    Example:
        Rows 0 and 1 predict classes 0 and 1 (both right), rows 2 and 3 predict 0 (wrong):
        >>> accuracy(torch.tensor([[2., 1.], [0., 3.], [5., 4.], [1., 0.]]),
        ...          torch.tensor([0, 1, 1, 1]))
        tensor(0.5000)
    """
    ### BEGIN SOLUTION
    pred = logits.argmax(dim=-1)  # (N,)
    return (pred == targets).to(logits.dtype).mean()  # (N,) -> ()
    ### END SOLUTION


@exercise("ch08.confusion_matrix", points=2, vec=True, examples=[
    Example(f"confusion_matrix({T}([0, 1, 1, 2]), {T}([0, 1, 2, 2]), 3)",
            expect=f"{T}([[1, 0, 0], [0, 1, 0], [0, 1, 1]])"),
    # the pair (target 1, pred 1) occurs twice and counts twice
    Example(f"confusion_matrix({T}([1, 1, 0]), {T}([1, 1, 1]), 2)",
            expect=f"{T}([[0, 0], [1, 2]])")],
          hints=("Each example adds 1 at cell [target, pred]. Flatten the K x K grid into K*K "
                 "bins, where the pair lands in bin target * K + pred; count the bins, reshape "
                 "back.",
                 "`torch.bincount(flat, minlength=K * K)` then `.reshape(K, K)`; without "
                 "minlength, classes missing at the end shrink the result. Rows are the TRUE "
                 "class: target * K + pred, not the other way round.",
                 "flat = ___ * num_classes + ___  # (N,)\n"
                 "return torch.bincount(flat, minlength=___).reshape(num_classes, num_classes)"),
          stars=2, minutes=12)
def confusion_matrix(pred: Tensor, target: Tensor, num_classes: int) -> Tensor:
    """Counts of (true class, predicted class) pairs, with no Python loop over the examples
    or the classes.

    Args:
        pred: (N,) int64 predicted classes, each in 0..K-1.
        target: (N,) int64 true classes, each in 0..K-1.
        num_classes: K.
    Returns:
        (K, K) int64 with out[t, p] = the number of examples of true class t predicted as
        p: ROWS are the true class, columns the prediction; classes that never occur give
        rows and columns of zeros.
    Example:
        The one example of class 2 predicted as 1 is counted at [2, 1]:
        >>> confusion_matrix(torch.tensor([0, 1, 1, 2]), torch.tensor([0, 1, 2, 2]), 3)
        tensor([[1, 0, 0],
                [0, 1, 0],
                [0, 1, 1]])
    """
    ### BEGIN SOLUTION
    K = num_classes
    flat = target * K + pred  # (N,) the index of [target, pred] in a flattened (K, K)
    return torch.bincount(flat, minlength=K * K).reshape(K, K)  # (K*K,) -> (K, K)
    ### END SOLUTION


@exercise("ch08.shuffle", points=1, book="P54", rand=True, examples=[
    Example(f"shuffle(torch.arange(10), {G}(0)).sort().values", expect="torch.arange(10)"),
    Example(f"torch.equal(shuffle(torch.arange(10), {G}(7)), shuffle(torch.arange(10), {G}(7)))",
            check="out is True", says="the same order from two generators seeded equally"),
    Example(f"shuffle(torch.arange(6).reshape(3, 2), {G}(0))",
            check="sorted(out.tolist()) == [[0, 1], [2, 3], [4, 5]]",
            says="whole rows move: each row [0, 1], [2, 3], [4, 5] comes out once, intact")],
          hints=("Draw a random permutation of the row numbers 0..N-1 and index x with it.",
                 "`torch.randperm(N, generator=generator)`, then `x[order]`. The generator must "
                 "be passed: the global seed or Python's `random` fail the reproducibility "
                 "check. N is `x.shape[0]`.",
                 "order = torch.randperm(___, generator=___)  # (N,)\n"
                 "return x[___]"),
          stars=1, minutes=5)
def shuffle(x: Tensor, generator: torch.Generator) -> Tensor:
    """The rows of x in a random order.

    Args:
        x: (N, ...) tensor of any dtype, on the CPU.
        generator: a CPU ``torch.Generator``; the order comes from it alone (never from
            torch's global random state), so equal seeds give equal orders.
    Returns:
        (N, ...) the rows of x, each exactly once, in an order where every permutation is
        equally likely; x itself is unchanged.
    Example:
        >>> out = shuffle(torch.arange(10), torch.Generator().manual_seed(0))
        >>> out.sort().values
        tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    """
    ### BEGIN SOLUTION
    order = torch.randperm(x.shape[0], generator=generator)  # (N,)
    return x[order]  # (N, ...)
    ### END SOLUTION


@exercise("ch08.train_test_split", points=2, rand=True, examples=[
    Example(f"[len(s) for s in train_test_split(10, 0.3, {G}(0))]", expect="[7, 3]"),
    Example(f"[len(s) for s in train_test_split(5, 0.5, {G}(0))]", expect="[3, 2]"),
    Example(f"[len(s) for s in train_test_split(10, 0.37, {G}(0))]", expect="[6, 4]"),
    Example(f"torch.cat(train_test_split(8, 0.25, {G}(0))).sort().values",
            expect="torch.arange(8)")],
          hints=("Shuffle the indices 0..n-1 once and cut the shuffled list in two: the first "
                 "round(n * test_fraction) go to the test set, the rest to training.",
                 "Python's `round(...)` (`int()` truncates), `torch.randperm(n, "
                 "generator=generator)`, two slices. Return (train, test) in that order.",
                 "n_test = ___(n * test_fraction)\n"
                 "order = torch.randperm(n, generator=generator)\n"
                 "return order[___], order[___]  # train, test"),
          stars=2, minutes=8)
def train_test_split(n: int, test_fraction: float,
                     generator: torch.Generator) -> tuple[Tensor, Tensor]:
    """Split the indices 0..n-1 at random into a training set and a test set.

    Args:
        n: the number of examples.
        test_fraction: the share that goes to the test set, in [0, 1].
        generator: a CPU ``torch.Generator``; all randomness comes from it.
    Returns:
        (train, test): two 1-D int64 tensors that share no index and together hold each of
        0..n-1 exactly once. len(test) is Python's round(n * test_fraction), which rounds a
        half to the even neighbour: 5 * 0.5 = 2.5 gives 2, 7 * 0.5 = 3.5 gives 4. Which
        indices go to the test set is uniformly random.
    Example:
        >>> train, test = train_test_split(10, 0.3, torch.Generator().manual_seed(0))
        >>> len(train), len(test)
        (7, 3)
    """
    ### BEGIN SOLUTION
    n_test = round(n * test_fraction)
    order = torch.randperm(n, generator=generator)  # (n,)
    return order[n_test:], order[:n_test]  # (n - n_test,), (n_test,)
    ### END SOLUTION


@exercise("ch08.kmeans_step", points=3, vec=True, examples=[
    Example(f"kmeans_step({T}([[0., 0.], [0., 2.], [10., 0.]]), {T}([[0., 1.], [9., 0.]]))",
            expect=f"({T}([0, 0, 1]), {T}([[0., 1.], [10., 0.]]))"),
    Example(f"kmeans_step({T}([[0.], [1.]]), {T}([[0.], [5.], [-9.]]))",
            expect=f"({T}([0, 0]), {T}([[0.5], [5.], [-9.]]))")],
          hints=("Assign each point to its nearest centroid. Then each centroid is the sum of "
                 "its points over their count: both at once through an (N, K) 0/1 membership "
                 "matrix; an empty cluster keeps its old centroid.",
                 "Broadcast distances (N, K), `argmin(dim=1)`; membership from `==` against "
                 "`torch.arange(K)`; sums `members.T @ x`; counts `members.sum(dim=0)`; divide "
                 "by `counts.clamp_min(1)` (no 0/0 = NaN) and keep old centroids with "
                 "`torch.where(counts > 0, ...)`.",
                 "assign = ((x[:, None, :] - centroids[None, :, :]) ** "
                 "2).sum(dim=-1).___(dim=1)  # (N,)\n"
                 "members = (assign[:, None] == torch.arange(K, device=x.device)).to(x.dtype)  "
                 "# (N, K)\n"
                 "sums = ___ @ x  # (K, D)\n"
                 "counts = members.sum(dim=___)[:, None]  # (K, 1)\n"
                 "return assign, torch.where(___, sums / counts.clamp_min(1), centroids)"),
          stars=3, minutes=25)
def kmeans_step(x: Tensor, centroids: Tensor) -> tuple[Tensor, Tensor]:
    """One step of k-means: assign each point to its nearest centroid, then move each
    centroid to the mean of its points, with no Python loop over the points or the clusters.

    Args:
        x: (N, D) float points.
        centroids: (K, D) float centroids.
    Returns:
        (assignments, new_centroids):
        assignments (N,) int64, the index of the nearest centroid (Euclidean); a point
        exactly as near to two centroids goes to the lower index (as argmin does).
        new_centroids (K, D), row k the mean of the points assigned to k; a centroid that
        got no point (an empty cluster) KEEPS its old position (never NaN, never zeros).
    Example:
        >>> kmeans_step(torch.tensor([[0.], [1.]]), torch.tensor([[0.], [5.], [-9.]]))
        (tensor([0, 0]), tensor([[ 0.5000], [ 5.0000], [-9.0000]]))
        Centroids 1 and 2 got no point and stay where they were.
    """
    ### BEGIN SOLUTION
    diff = x[:, None, :] - centroids[None, :, :]  # (N, K, D)
    assign = (diff * diff).sum(dim=-1).argmin(dim=1)  # (N, K) -> (N,)
    K = centroids.shape[0]
    members = (assign[:, None] == torch.arange(K, device=x.device)).to(x.dtype)  # (N, K)
    sums = members.T @ x  # (K, N) @ (N, D) -> (K, D)
    counts = members.sum(dim=0)[:, None]  # (K, 1)
    means = sums / counts.clamp_min(1)  # (K, D)
    return assign, torch.where(counts > 0, means, centroids)  # (N,), (K, D)
    ### END SOLUTION
