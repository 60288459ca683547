"""Wrong and alternative implementations for ch08 (see tests/mutants/__init__.py)."""
import math

import torch
import torch.nn.functional as F

from tests.mutants import correct, wrong


def _expanded_sq(x, y):
    """|x|^2 + |y|^2 - 2 x.y, the one-matmul route to squared distances (no clamp)."""
    return (x * x).sum(-1)[:, None] + (y * y).sum(-1)[None, :] - 2 * x @ y.T


# -- euclidean_distance ------------------------------------------------------------------------

@wrong("ch08.euclidean_distance", "square root missing")
def euclidean_distance(a, b):
    """forgets the sqrt: the squared distance"""
    return ((a - b) ** 2).sum()


@wrong("ch08.euclidean_distance", "manhattan (l1)")
def euclidean_distance(a, b):  # noqa: F811
    """abs instead of square: the L1 distance"""
    return (a - b).abs().sum()


@wrong("ch08.euclidean_distance", "|a| - |b| is not the distance")
def euclidean_distance(a, b):  # noqa: F811
    """the difference of the norms"""
    return (torch.linalg.vector_norm(a) - torch.linalg.vector_norm(b)).abs()


@wrong("ch08.euclidean_distance", "expected dtype float64, got float32")
def euclidean_distance(a, b):  # noqa: F811
    """rebuilds the result with torch.tensor, losing float64"""
    return torch.tensor(float(((a - b) ** 2).sum().sqrt()), device=a.device)


@correct("ch08.euclidean_distance")
def euclidean_distance(a, b):  # noqa: F811
    """torch.linalg.vector_norm of the difference"""
    return torch.linalg.vector_norm(a - b)


@correct("ch08.euclidean_distance")
def euclidean_distance(a, b):  # noqa: F811
    """the expansion a.a + b.b - 2 a.b, clamped at 0"""
    return (a @ a + b @ b - 2 * (a @ b)).clamp_min(0).sqrt()


@correct("ch08.euclidean_distance")
def euclidean_distance(a, b):  # noqa: F811
    """torch.dist"""
    return torch.dist(a, b)


# -- pairwise_distances ------------------------------------------------------------------------

@wrong("ch08.pairwise_distances", "which this exercise bans")
def pairwise_distances(x, y):
    """torch.cdist, which is banned"""
    return torch.cdist(x, y)


@wrong("ch08.pairwise_distances", "clamp it at 0 before the sqrt")
def pairwise_distances(x, y):  # noqa: F811
    """the expansion without a clamp: NaN where rows are equal"""
    return _expanded_sq(x, y).sqrt()


@wrong("ch08.pairwise_distances", "square root missing")
def pairwise_distances(x, y):  # noqa: F811
    """squared distances"""
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1)


@wrong("ch08.pairwise_distances", "transposed")
def pairwise_distances(x, y):  # noqa: F811
    """rows are y, columns are x"""
    return ((y[:, None, :] - x[None, :, :]) ** 2).sum(-1).sqrt()


@wrong("ch08.pairwise_distances", "the cross term is 2 x.y")
def pairwise_distances(x, y):  # noqa: F811
    """forgets the factor 2 of the cross term"""
    return ((x * x).sum(-1)[:, None] + (y * y).sum(-1)[None, :] - x @ y.T).clamp_min(0).sqrt()


@wrong("ch08.pairwise_distances", "python loop")
def pairwise_distances(x, y):  # noqa: F811
    """a loop over the rows of x"""
    return torch.stack([((x[i] - y) ** 2).sum(-1).sqrt() for i in range(x.shape[0])])


@correct("ch08.pairwise_distances")
def pairwise_distances(x, y):  # noqa: F811
    """the expansion with one matmul, clamped at 0"""
    return _expanded_sq(x, y).clamp_min(0).sqrt()


@correct("ch08.pairwise_distances")
def pairwise_distances(x, y):  # noqa: F811
    """vector_norm of the broadcast differences"""
    return torch.linalg.vector_norm(x[:, None, :] - y[None, :, :], dim=-1)


@correct("ch08.pairwise_distances")
def pairwise_distances(x, y):  # noqa: F811
    """the expansion with torch.where for the negative rounding"""
    d2 = _expanded_sq(x, y)
    return torch.where(d2 > 0, d2, torch.zeros_like(d2)).sqrt()


# -- manhattan_distances -----------------------------------------------------------------------

@wrong("ch08.manhattan_distances", "those are euclidean distances")
def manhattan_distances(x, y):
    """the Euclidean distance"""
    return ((x[:, None, :] - y[None, :, :]) ** 2).sum(-1).sqrt()


@wrong("ch08.manhattan_distances", "is the abs missing")
def manhattan_distances(x, y):  # noqa: F811
    """forgets the abs"""
    return (x[:, None, :] - y[None, :, :]).sum(-1)


@wrong("ch08.manhattan_distances", "transposed")
def manhattan_distances(x, y):  # noqa: F811
    """(M, N) instead of (N, M)"""
    return (y[:, None, :] - x[None, :, :]).abs().sum(-1)


@wrong("ch08.manhattan_distances", "python loop")
def manhattan_distances(x, y):  # noqa: F811
    """a loop over the rows of x"""
    return torch.stack([(x[i] - y).abs().sum(-1) for i in range(x.shape[0])])


@correct("ch08.manhattan_distances")
def manhattan_distances(x, y):  # noqa: F811
    """torch.cdist with p=1 (not banned here)"""
    return torch.cdist(x, y, p=1)


@correct("ch08.manhattan_distances")
def manhattan_distances(x, y):  # noqa: F811
    """vector_norm with ord 1 over the broadcast differences"""
    return torch.linalg.vector_norm(x[:, None, :] - y[None, :, :], ord=1, dim=-1)


# -- knn_predict -------------------------------------------------------------------------------

def _votes(x_train, y_train, x, k, largest=False):
    d2 = ((x[:, None, :] - x_train[None, :, :]) ** 2).sum(-1)  # (M, N)
    idx = d2.topk(k, dim=1, largest=largest).indices  # (M, k), nearest first
    return y_train[idx]  # (M, k)


def _counts(votes, y_train):
    C = int(y_train.max()) + 1
    return F.one_hot(votes, C).sum(1)  # (M, C)


@wrong("ch08.knn_predict", "you gave the larger one")
def knn_predict(x_train, y_train, x, k):
    """ties go to the larger label (argmax over the flipped counts)"""
    counts = _counts(_votes(x_train, y_train, x, k), y_train)
    return counts.shape[1] - 1 - counts.flip(1).argmax(1)


@wrong("ch08.knn_predict", "not the label of the nearest neighbour")
def knn_predict(x_train, y_train, x, k):  # noqa: F811
    """ties go to the tied label whose neighbour is nearest"""
    votes = _votes(x_train, y_train, x, k)
    counts = _counts(votes, y_train)
    top = counts.max(1, keepdim=True).values  # (M, 1)
    is_top = counts.gather(1, votes) == top  # (M, k)
    first = is_top.to(torch.int64).argmax(1, keepdim=True)  # (M, 1)
    return votes.gather(1, first)[:, 0]


@wrong("ch08.knn_predict", "k farthest")
def knn_predict(x_train, y_train, x, k):  # noqa: F811
    """topk without largest=False: the k farthest points"""
    return _counts(_votes(x_train, y_train, x, k, largest=True), y_train).argmax(1)


@wrong("ch08.knn_predict", "you used k + 1")
def knn_predict(x_train, y_train, x, k):  # noqa: F811
    """off by one: k + 1 neighbours vote"""
    k = min(k + 1, x_train.shape[0])
    return _counts(_votes(x_train, y_train, x, k), y_train).argmax(1)


@wrong("ch08.knn_predict", "python loop")
def knn_predict(x_train, y_train, x, k):  # noqa: F811
    """a loop over the queries"""
    return torch.cat([_counts(_votes(x_train, y_train, x[i:i + 1], k), y_train).argmax(1)
                      for i in range(x.shape[0])])


@correct("ch08.knn_predict")
def knn_predict(x_train, y_train, x, k):  # noqa: F811
    """one_hot votes summed, argmax (the first top label is the smallest)"""
    return _counts(_votes(x_train, y_train, x, k), y_train).argmax(1)


@correct("ch08.knn_predict")
def knn_predict(x_train, y_train, x, k):  # noqa: F811
    """expanded distances, argsort, torch.mode (the smallest of the most common)"""
    d2 = (x * x).sum(-1)[:, None] + (x_train * x_train).sum(-1)[None] - 2 * x @ x_train.T
    idx = d2.argsort(dim=1)[:, :k]
    return torch.mode(y_train[idx], dim=1).values


# -- one_hot -----------------------------------------------------------------------------------

@wrong("ch08.one_hot", "which this exercise bans")
def one_hot(labels, num_classes):
    """F.one_hot, which is banned"""
    return F.one_hot(labels, num_classes).float()


@wrong("ch08.one_hot", "expected dtype float32, got int64")
def one_hot(labels, num_classes):  # noqa: F811
    """leaves the comparison as integers"""
    return (labels[:, None] == torch.arange(num_classes, device=labels.device)).long()


@wrong("ch08.one_hot", "classes that never occur")
def one_hot(labels, num_classes):  # noqa: F811
    """counts the classes from the labels"""
    c = int(labels.max()) + 1 if labels.numel() else num_classes
    return (labels[:, None] == torch.arange(c, device=labels.device)).float()


@wrong("ch08.one_hot", "transposed")
def one_hot(labels, num_classes):  # noqa: F811
    """(C, N) instead of (N, C)"""
    return (torch.arange(num_classes, device=labels.device)[:, None] == labels[None]).float()


@correct("ch08.one_hot")
def one_hot(labels, num_classes):  # noqa: F811
    """scatter ones into zeros"""
    out = torch.zeros(labels.shape[0], num_classes, device=labels.device)
    return out.scatter(1, labels[:, None], 1.0)


@correct("ch08.one_hot")
def one_hot(labels, num_classes):  # noqa: F811
    """rows of the identity"""
    return torch.eye(num_classes, device=labels.device)[labels]


# -- accuracy ----------------------------------------------------------------------------------

@wrong("ch08.accuracy", "not over the batch (dim=0)")
def accuracy(logits, targets):
    """argmax over the batch axis"""
    return (logits.argmax(0) == targets).to(logits.dtype).mean()


@wrong("ch08.accuracy", "integer division")
def accuracy(logits, targets):  # noqa: F811
    """integer division of the count"""
    return (logits.argmax(-1) == targets).sum() // targets.shape[0]


@wrong("ch08.accuracy", "that is the number correct")
def accuracy(logits, targets):  # noqa: F811
    """the count, not the fraction"""
    return (logits.argmax(-1) == targets).to(logits.dtype).sum()


@wrong("ch08.accuracy", "expected dtype float64, got float32")
def accuracy(logits, targets):  # noqa: F811
    """always float32"""
    return (logits.argmax(-1) == targets).float().mean()


@correct("ch08.accuracy")
def accuracy(logits, targets):  # noqa: F811
    """count / N in the logits' dtype"""
    return (logits.argmax(dim=1) == targets).sum().to(logits.dtype) / targets.numel()


@correct("ch08.accuracy")
def accuracy(logits, targets):  # noqa: F811
    """max(...).indices, eq, mean in float64, cast back"""
    return torch.eq(logits.max(dim=-1).indices, targets).double().mean().to(logits.dtype)


# -- confusion_matrix --------------------------------------------------------------------------

@wrong("ch08.confusion_matrix", "transposed")
def confusion_matrix(pred, target, num_classes):
    """rows are the predicted class"""
    return torch.bincount(pred * num_classes + target,
                          minlength=num_classes ** 2).reshape(num_classes, num_classes)


@wrong("ch08.confusion_matrix", "accumulate=true")
def confusion_matrix(pred, target, num_classes):  # noqa: F811
    """index_put_ without accumulate: repeated pairs count once"""
    out = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=pred.device)
    return out.index_put_((target, pred), torch.ones_like(pred))


@wrong("ch08.confusion_matrix", "python loop")
def confusion_matrix(pred, target, num_classes):  # noqa: F811
    """a loop over the examples"""
    out = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=pred.device)
    for i in range(pred.shape[0]):
        out[target[i], pred[i]] += 1
    return out


@wrong("ch08.confusion_matrix", "expected dtype int64, got int32")
def confusion_matrix(pred, target, num_classes):  # noqa: F811
    """int32 counts"""
    out = torch.zeros(num_classes, num_classes, dtype=torch.int32, device=pred.device)
    return out.index_put_((target, pred), torch.ones_like(pred, dtype=torch.int32),
                          accumulate=True)


@correct("ch08.confusion_matrix")
def confusion_matrix(pred, target, num_classes):  # noqa: F811
    """index_put_ with accumulate=True"""
    out = torch.zeros(num_classes, num_classes, dtype=torch.int64, device=pred.device)
    return out.index_put_((target, pred), torch.ones_like(pred), accumulate=True)


@correct("ch08.confusion_matrix")
def confusion_matrix(pred, target, num_classes):  # noqa: F811
    """one-hot matrices multiplied: onehot(target)^T @ onehot(pred)"""
    t = F.one_hot(target, num_classes)
    p = F.one_hot(pred, num_classes)
    return t.T @ p


# -- shuffle -----------------------------------------------------------------------------------

@wrong("ch08.shuffle", "not from the global rng")
def shuffle(x, generator):
    """ignores the generator: the global RNG"""
    return x[torch.randperm(x.shape[0])]


@wrong("ch08.shuffle", "appear twice")
def shuffle(x, generator):  # noqa: F811
    """indices with replacement"""
    return x[torch.randint(0, x.shape[0], (x.shape[0],), generator=generator)]


@wrong("ch08.shuffle", "a random rotation (roll)")
def shuffle(x, generator):  # noqa: F811
    """a random cyclic shift: every position is equally likely, but not every order"""
    shift = int(torch.randint(0, x.shape[0], (1,), generator=generator))
    return x.roll(shift, dims=0)


@wrong("ch08.shuffle", "permute whole rows")
def shuffle(x, generator):  # noqa: F811
    """shuffles the flattened values"""
    flat = x.reshape(-1)
    return flat[torch.randperm(flat.numel(), generator=generator)].reshape(x.shape)


@wrong("ch08.shuffle", "modified its input in place")
def shuffle(x, generator):  # noqa: F811
    """shuffles x in place"""
    x.copy_(x[torch.randperm(x.shape[0], generator=generator)])
    return x


@wrong("ch08.shuffle", "do not create or seed your own")
def shuffle(x, generator):  # noqa: F811
    """a fresh generator with a fixed seed"""
    return x[torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(0))]


@wrong("ch08.shuffle", "do not re-seed anything from it")
def shuffle(x, generator):  # noqa: F811
    """seeds the global RNG from the generator and draws from the global RNG"""
    torch.manual_seed(generator.initial_seed())
    return x[torch.randperm(x.shape[0])]


@correct("ch08.shuffle")
def shuffle(x, generator):  # noqa: F811
    """argsort of uniform keys"""
    return x[torch.rand(x.shape[0], generator=generator).argsort()]


@correct("ch08.shuffle")
def shuffle(x, generator):  # noqa: F811
    """index_select with randperm"""
    return x.index_select(0, torch.randperm(len(x), generator=generator))


# -- train_test_split --------------------------------------------------------------------------

def _split(n, n_test, generator):
    perm = torch.randperm(n, generator=generator)
    return perm[n_test:], perm[:n_test]


@wrong("ch08.train_test_split", "int() or // truncates")
def train_test_split(n, test_fraction, generator):
    """int() truncates the test size"""
    return _split(n, int(n * test_fraction), generator)


@wrong("ch08.train_test_split", "math.ceil rounds up")
def train_test_split(n, test_fraction, generator):  # noqa: F811
    """math.ceil"""
    return _split(n, math.ceil(n * test_fraction), generator)


@wrong("ch08.train_test_split", "rounds a half up")
def train_test_split(n, test_fraction, generator):  # noqa: F811
    """int(x + 0.5): a half goes up"""
    return _split(n, int(n * test_fraction + 0.5), generator)


@wrong("ch08.train_test_split", "is in both train and test")
def train_test_split(n, test_fraction, generator):  # noqa: F811
    """overlapping slices of the permutation"""
    k = round(n * test_fraction)
    perm = torch.randperm(n, generator=generator)
    return perm[max(k - 1, 0):], perm[:k]


@wrong("ch08.train_test_split", "the split must be random")
def train_test_split(n, test_fraction, generator):  # noqa: F811
    """the first indices are the test set"""
    k = round(n * test_fraction)
    idx = torch.arange(n)
    return idx[k:], idx[:k]


@wrong("ch08.train_test_split", "sizes are swapped")
def train_test_split(n, test_fraction, generator):  # noqa: F811
    """returns (test, train)"""
    train, test = _split(n, round(n * test_fraction), generator)
    return test, train


@correct("ch08.train_test_split")
def train_test_split(n, test_fraction, generator):  # noqa: F811
    """argsort of uniform keys, each set sorted"""
    k = round(n * test_fraction)
    perm = torch.rand(n, generator=generator).argsort()
    return perm[k:].sort().values, perm[:k].sort().values


@correct("ch08.train_test_split")
def train_test_split(n, test_fraction, generator):  # noqa: F811
    """a boolean mask of the test indices"""
    k = round(n * test_fraction)
    in_test = torch.zeros(n, dtype=torch.bool)
    in_test[torch.randperm(n, generator=generator)[:k]] = True
    return torch.arange(n)[~in_test], torch.arange(n)[in_test]


# -- kmeans_step -------------------------------------------------------------------------------

def _assign(x, c):
    return ((x[:, None, :] - c[None, :, :]) ** 2).sum(-1).argmin(1)


def _sums_counts(x, c, assign):
    members = F.one_hot(assign, c.shape[0]).to(x.dtype)  # (N, K)
    return members.T @ x, members.sum(0)[:, None]


@wrong("ch08.kmeans_step", "0/0 = nan")
def kmeans_step(x, centroids):
    """divides by the count even when it is 0"""
    a = _assign(x, centroids)
    sums, counts = _sums_counts(x, centroids, a)
    return a, sums / counts


@wrong("ch08.kmeans_step", "not move to zeros")
def kmeans_step(x, centroids):  # noqa: F811
    """clamps the count, so an empty cluster becomes 0"""
    a = _assign(x, centroids)
    sums, counts = _sums_counts(x, centroids, a)
    return a, sums / counts.clamp_min(1)


@wrong("ch08.kmeans_step", "not the farthest")
def kmeans_step(x, centroids):  # noqa: F811
    """argmax of the distances"""
    a = ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(-1).argmax(1)
    sums, counts = _sums_counts(x, centroids, a)
    return a, torch.where(counts > 0, sums / counts.clamp_min(1), centroids)


@wrong("ch08.kmeans_step", "divide the sum")
def kmeans_step(x, centroids):  # noqa: F811
    """the sum of the points, not their mean"""
    a = _assign(x, centroids)
    sums, counts = _sums_counts(x, centroids, a)
    return a, torch.where(counts > 0, sums, centroids)


@wrong("ch08.kmeans_step", "results are swapped")
def kmeans_step(x, centroids):  # noqa: F811
    """returns (new_centroids, assignments)"""
    a = _assign(x, centroids)
    sums, counts = _sums_counts(x, centroids, a)
    return torch.where(counts > 0, sums / counts.clamp_min(1), centroids), a


@wrong("ch08.kmeans_step", "python loop")
def kmeans_step(x, centroids):  # noqa: F811
    """a loop over the clusters for the means"""
    a = _assign(x, centroids)
    rows = []
    for k in range(centroids.shape[0]):
        mask = (a == k)[:, None].to(x.dtype)
        n = mask.sum()
        rows.append(torch.where(n > 0, (x * mask).sum(0) / n.clamp_min(1), centroids[k]))
    return a, torch.stack(rows)


@correct("ch08.kmeans_step")
def kmeans_step(x, centroids):  # noqa: F811
    """torch.cdist and index_add_"""
    a = torch.cdist(x, centroids).argmin(dim=1)
    K = centroids.shape[0]
    sums = torch.zeros_like(centroids).index_add_(0, a, x)
    counts = torch.zeros(K, dtype=x.dtype, device=x.device).index_add_(
        0, a, torch.ones_like(x[:, 0]))[:, None]
    return a, torch.where(counts > 0, sums / counts.clamp_min(1), centroids)


@correct("ch08.kmeans_step")
def kmeans_step(x, centroids):  # noqa: F811
    """expanded distances, scatter_reduce mean, the old centroid where nothing landed"""
    d2 = (x * x).sum(-1)[:, None] - 2 * x @ centroids.T + (centroids * centroids).sum(-1)[None]
    a = d2.argmin(1)
    idx = a[:, None].expand_as(x)
    means = torch.zeros_like(centroids).scatter_reduce(0, idx, x, reduce="mean",
                                                       include_self=False)
    hit = torch.zeros(centroids.shape[0], dtype=torch.bool, device=x.device)
    hit = hit.index_fill(0, a, True)
    return a, torch.where(hit[:, None], means, centroids)
