"""ch10 - Layers.

The layers a network is built from, written with the tensor operations of the earlier
chapters: linear layers and a small MLP, layer and batch normalisation, dropout, embeddings,
a convolution as unfold + matmul, max pooling by reshape and a plain RNN.
"""
import torch
import torch.nn.functional as F
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"


@exercise("ch10.linear", points=2, book="seed, P59", ban=("linear", "addmm"), grad=True,
          examples=[Example(f"linear({T}([[1., 2.]]), {T}([[1., 2.], [3., 4.]]), {T}([10., 20.]))",
                            expect=f"{T}([[17., 30.]])")],
          hints=("Every output is a weighted sum of the inputs: one matrix product with w, then "
                 "the bias added to every row.",
                 "`x @ w` (torch.matmul, any leading dims), then `+ b`, which broadcasts the "
                 "(D_out,) bias. w is stored (D_in, D_out), so no transpose.",
                 "return ___ @ ___ + ___  # (..., D_out)"),
          stars=1, minutes=5)
def linear(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """A linear (fully connected) layer: x @ w + b.

    Args:
        x: (N, D_in) inputs, or (B, T, D_in) (any leading dims).
        w: (D_in, D_out) weights, stored as in the book (x @ w, not x @ w.T as in nn.Linear).
        b: (D_out,) bias.
    Returns:
        (..., D_out): x @ w + b over the last dim of x.
    Example:
        >>> linear(torch.tensor([[1., 2.]]), torch.tensor([[1., 2.], [3., 4.]]),
        ...        torch.tensor([10., 20.]))
        tensor([[17., 30.]])
    """
    ### BEGIN SOLUTION
    return x @ w + b  # (..., D_in) @ (D_in, D_out) -> (..., D_out)
    ### END SOLUTION


@exercise("ch10.logistic_regression", points=1, book="book Logistic_Regression_Net", examples=[
    Example(f"logistic_regression({T}([[1., 0.], [0., 0.]]), torch.eye(2), torch.zeros(2))",
            expect=f"{T}([[0.7310586, 0.2689414], [0.5, 0.5]])"),
    # a score of 1000: e^1000 overflows, the softmax must not
    Example(f"logistic_regression({T}([[1000., 0.]]), torch.eye(2), torch.zeros(2))",
            expect=f"{T}([[1., 0.]])")],
          hints=("Compute one score per class with a linear layer, then turn each row of scores "
                 "into probabilities that sum to 1.",
                 "`x @ w + b` gives the (N, K) logits; torch.softmax(logits, dim=-1) normalises "
                 "over the classes. Pitfall: dim=0 normalises over the batch; a hand-made exp / "
                 "sum overflows at 1000.",
                 "logits = ___  # (N, K)\n"
                 "return torch.softmax(logits, dim=___)"),
          stars=1, minutes=5)
def logistic_regression(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """Multinomial logistic regression: class probabilities softmax(x @ w + b).

    Args:
        x: (N, D) inputs.
        w: (D, K) weights (K classes).
        b: (K,) bias.
    Returns:
        (N, K) probabilities: the softmax over the classes (the last dim), so each row sums
        to 1. It must stay finite and correct when the scores x @ w + b reach +-1000.
    Example:
        >>> logistic_regression(torch.tensor([[1., 0.], [0., 0.]]), torch.eye(2),
        ...                     torch.zeros(2))
        tensor([[0.7311, 0.2689],
                [0.5000, 0.5000]])
    """
    ### BEGIN SOLUTION
    logits = x @ w + b  # (N, D) @ (D, K) -> (N, K)
    return torch.softmax(logits, dim=-1)  # (N, K)
    ### END SOLUTION


@exercise("ch10.mlp_forward", points=2, book="P65", examples=[
    Example(f"mlp_forward({T}([[1., -1.]]), [(torch.eye(2), torch.zeros(2)), "
            "(torch.eye(2), torch.zeros(2))])",
            expect=f"{T}([[0.7310586, 0.2689414]])"),
    # the last layer's scores are [-1, -2]: negative, and still softmaxed as they are
    Example(f"mlp_forward({T}([[1., -1.]]), [(torch.eye(2), torch.zeros(2)), "
            f"(torch.eye(2), {T}([-2., -2.]))])",
            expect=f"{T}([[0.7310586, 0.2689414]])")],
          hints=("Push the activations through the layers in order: linear then ReLU for every "
                 "layer but the last, linear then softmax for the last one.",
                 "A Python loop over layers[:-1] with torch.relu(h @ w + b); the last (w, b) "
                 "with torch.softmax(h @ w + b, dim=-1). Pitfall: no ReLU after the last layer.",
                 "h = x\n"
                 "for w, b in layers[___]:\n"
                 "    h = ___\n"
                 "w, b = layers[-1]\n"
                 "return torch.softmax(___, dim=-1)"),
          stars=2, minutes=10)
def mlp_forward(x: Tensor, layers: list[tuple[Tensor, Tensor]]) -> Tensor:
    """The forward pass of a multilayer perceptron, like the book's 11-15-8-6 net.

    Every layer but the last is Linear then ReLU; the last is Linear then softmax.

    Args:
        x: (N, D_0) inputs.
        layers: [(w_1, b_1), ..., (w_L, b_L)] with w_i (D_{i-1}, D_i) and b_i (D_i,)
            (x @ w + b, as in the book); L >= 1.
    Returns:
        (N, D_L) class probabilities: the softmax over the last dim of the last layer's
        output (no ReLU after the last layer). Finite and correct when the last layer's
        scores reach +-1000. A loop over the layers is fine.
    Example:
        >>> mlp_forward(torch.tensor([[1., -1.]]), [(torch.eye(2), torch.zeros(2)),
        ...                                         (torch.eye(2), torch.zeros(2))])
        tensor([[0.7311, 0.2689]])
    """
    ### BEGIN SOLUTION
    h = x  # (N, D_0)
    for w, b in layers[:-1]:
        h = torch.relu(h @ w + b)  # (N, D_{i-1}) @ (D_{i-1}, D_i) -> (N, D_i)
    w, b = layers[-1]
    return torch.softmax(h @ w + b, dim=-1)  # (N, D_L)
    ### END SOLUTION


@exercise("ch10.count_parameters", points=1, examples=[
    Example("count_parameters([(11, 15), (15,), (15, 8), (8,), (8, 6), (6,)])", expect="362"),
    Example("count_parameters([(3, 4), ()])", expect="13")],
          hints=("A parameter of shape (a, b, ...) holds a * b * ... scalars; add that up over "
                 "all the shapes.",
                 "Plain Python, no tensors: math.prod(shape) (it gives 1 for the empty shape ()) "
                 "and sum(...) over the list (an empty list sums to 0).",
                 "import math\n"
                 "return sum(___ for shape in ___)"),
          stars=1, minutes=5)
def count_parameters(shapes: list[tuple[int, ...]]) -> int:
    """The total number of scalars in parameters of the given shapes.

    Args:
        shapes: one shape per parameter tensor, e.g. [(11, 15), (15,)] for a weight and
            its bias. A shape () is a single scalar and counts 1.
    Returns:
        a Python int: the sum over the shapes of the product of their sizes (0 for []).
    Example:
        >>> count_parameters([(11, 15), (15,), (15, 8), (8,), (8, 6), (6,)])
        362
    """
    ### BEGIN SOLUTION
    total = 0
    for shape in shapes:
        n = 1
        for size in shape:
            n *= size
        total += n
    return total
    ### END SOLUTION


@exercise("ch10.layer_norm", points=2, ban=("layer_norm", "native_layer_norm"), vec=True,
          grad=True, examples=[
              Example(f"layer_norm({T}([[1., 3.]]), {T}([2., 2.]), {T}([0., 1.]), 0.0)",
                      expect=f"{T}([[-2., 3.]])"),
              # variance 1, eps 3: divided by sqrt(1 + 3) = 2
              Example(f"layer_norm({T}([[1., 3.]]), torch.ones(2), torch.zeros(2), 3.0)",
                      expect=f"{T}([[-0.5, 0.5]])")],
          hints=("Normalise every vector along its last dim: subtract its mean, divide by the "
                 "square root of its variance plus eps, then scale by gamma and shift by beta.",
                 "x.mean(dim=-1, keepdim=True) and the same mean of (x - mean) ** 2 (biased: "
                 "divide by C; x.var() divides by C - 1 unless correction=0), then "
                 "torch.sqrt(var + eps). keepdim=True keeps a (..., 1) shape that broadcasts "
                 "back over C.",
                 "mean = x.mean(dim=___, keepdim=True)  # (..., 1)\n"
                 "var = ___  # (..., 1), biased\n"
                 "return (x - mean) / ___ * gamma + beta"),
          stars=2, minutes=10)
def layer_norm(x: Tensor, gamma: Tensor, beta: Tensor, eps: float) -> Tensor:
    """Layer normalisation over the last dim.

    Each vector x[..., :] is shifted to mean 0 and divided by sqrt(var + eps), then scaled
    by gamma and shifted by beta.

    Args:
        x: (..., C), e.g. (N, C) or (B, T, C).
        gamma: (C,) scale.
        beta: (C,) shift.
        eps: added to the variance INSIDE the square root.
    Returns:
        (..., C): (x - mean) / sqrt(var + eps) * gamma + beta, mean and var over the last
        dim, var the BIASED variance (divide by C, not C - 1).
    Example:
        >>> layer_norm(torch.tensor([[1., 3.]]), torch.tensor([2., 2.]),
        ...            torch.tensor([0., 1.]), 0.0)
        tensor([[-2.,  3.]])
    """
    ### BEGIN SOLUTION
    mean = x.mean(dim=-1, keepdim=True)  # (..., 1)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # (..., 1), biased
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta  # (..., C)
    ### END SOLUTION


@exercise("ch10.batch_norm_train", points=2,
          ban=("batch_norm", "native_batch_norm", "_native_batch_norm_legit"), grad=True,
          examples=[Example(f"batch_norm_train({T}([[1., 10.], [3., 30.]]), torch.ones(2), "
                            "torch.zeros(2), 0.0)", expect=f"{T}([[-1., -1.], [1., 1.]])"),
                    # variance 1, eps 3: divided by sqrt(1 + 3) = 2
                    Example(f"batch_norm_train({T}([[1.], [3.]]), torch.ones(1), torch.zeros(1), "
                            "3.0)", expect=f"{T}([[-0.5], [0.5]])")],
          hints=("Like layer norm, but each feature (column) is normalised with statistics taken "
                 "over the batch (the rows).",
                 "x.mean(dim=0) and the mean over dim 0 of (x - mean) ** 2 (biased: divide by "
                 "N), then (x - mean) / torch.sqrt(var + eps); the (D,) statistics broadcast "
                 "over the rows. Pitfall: dim=1 normalises each sample instead.",
                 "mean = x.mean(dim=___)  # (D,)\n"
                 "var = ___  # (D,), biased\n"
                 "return (x - mean) / ___ * gamma + beta"),
          stars=2, minutes=10)
def batch_norm_train(x: Tensor, gamma: Tensor, beta: Tensor, eps: float) -> Tensor:
    """Batch normalisation in training mode: each feature normalised over the batch.

    Args:
        x: (N, D) a batch of N samples with D features.
        gamma: (D,) scale.
        beta: (D,) shift.
        eps: added to the variance inside the square root.
    Returns:
        (N, D): (x - mean) / sqrt(var + eps) * gamma + beta, with mean and var of each
        feature (column) over the batch (dim 0), var the BIASED variance (divide by N).
    Example:
        >>> batch_norm_train(torch.tensor([[1., 10.], [3., 30.]]), torch.ones(2),
        ...                  torch.zeros(2), 0.0)
        tensor([[-1., -1.],
                [ 1.,  1.]])
    """
    ### BEGIN SOLUTION
    mean = x.mean(dim=0)  # (D,)
    var = ((x - mean) ** 2).mean(dim=0)  # (D,), biased
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta  # (N, D)
    ### END SOLUTION


@exercise("ch10.inverted_dropout", points=2, ban=("dropout", "native_dropout"), examples=[
    Example(f"inverted_dropout({T}([1., 2., 3., 4.]), {T}([True, False, True, True]), 0.75)",
            expect=f"{T}([4., 0., 12., 16.])")],
          hints=("Zero the dropped entries with the mask and scale the kept ones up by 1 / (1 - "
                 "p), so the expected value of every entry stays the same.",
                 "Multiply by the bool mask (it acts as 0 / 1 in float arithmetic) and divide by "
                 "(1 - p), or torch.where(keep_mask, x / (1 - p), 0.0). Pitfall: dividing by p "
                 "instead of 1 - p.",
                 "return x * ___ / ___"),
          stars=1, minutes=5)
def inverted_dropout(x: Tensor, keep_mask: Tensor, p: float) -> Tensor:
    """Inverted dropout with a given mask: drop entries, scale the kept ones by 1/(1 - p).

    Args:
        x: any shape, float.
        keep_mask: bool, same shape as x; True = keep the entry.
        p: the drop probability, 0 <= p < 1.
    Returns:
        same shape and dtype as x: x * keep_mask / (1 - p), so the expected value of each
        entry is unchanged.
    Example:
        >>> inverted_dropout(torch.tensor([1., 2., 3., 4.]),
        ...                  torch.tensor([True, False, True, True]), 0.75)
        tensor([ 4.,  0., 12., 16.])
    """
    ### BEGIN SOLUTION
    return x * keep_mask / (1 - p)  # same shape as x
    ### END SOLUTION


@exercise("ch10.embedding_lookup", points=1, examples=[
    Example(f"embedding_lookup({T}([[2, 0]]), {T}([[0., 1.], [2., 3.], [4., 5.]]))",
            expect=f"{T}([[[4., 5.], [0., 1.]]])")],
          hints=("Each id selects one row of the table; the result has the ids' shape with a C "
                 "axis added at the end.",
                 "Indexing with an integer tensor: table[ids] takes the row ids[...] for every "
                 "entry, whatever the shape of ids.",
                 "return ___[___]  # (*ids.shape, C)"),
          stars=1, minutes=3)
def embedding_lookup(ids: Tensor, table: Tensor) -> Tensor:
    """Look up the embedding (a row of the table) of every id.

    Args:
        ids: int64 ids in [0, V), any shape (a 0-d id, (T,), (B, T), ...).
        table: (V, C) embedding table, one row per id.
    Returns:
        (*ids.shape, C) with out[..., :] = table[ids[...]].
    Example:
        >>> embedding_lookup(torch.tensor([[2, 0]]),
        ...                  torch.tensor([[0., 1.], [2., 3.], [4., 5.]]))
        tensor([[[4., 5.],
                 [0., 1.]]])
    """
    ### BEGIN SOLUTION
    return table[ids]  # (*ids.shape, C)
    ### END SOLUTION


@exercise("ch10.embedding_as_matmul", points=2,
          ban=("embedding", "index_select", "gather", "index"), examples=[
              Example(f"embedding_as_matmul({T}([[2, 0]]), {T}([[0., 1.], [2., 3.], [4., 5.]]))",
                      expect=f"{T}([[[4., 5.], [0., 1.]]])"),
              # the last row of the table is never looked up
              Example(f"embedding_as_matmul({T}([[0, 1]]), {T}([[0., 1.], [2., 3.], [4., 5.]]))",
                      expect=f"{T}([[[0., 1.], [2., 3.]]])")],
          hints=("Write every id as a one-hot vector of length V: its product with the table "
                 "picks exactly that id's row.",
                 "F.one_hot(ids, num_classes=V) gives int64 (..., V): convert it with "
                 ".to(table.dtype), then `@ table`. Pitfall: without num_classes the width is "
                 "max(id) + 1, which may be smaller than V.",
                 "V = table.shape[___]\n"
                 "one_hot = F.one_hot(ids, ___).to(___)  # (..., V)\n"
                 "return ___  # (..., V) @ (V, C)"),
          stars=2, minutes=10)
def embedding_as_matmul(ids: Tensor, table: Tensor) -> Tensor:
    """The embedding lookup written as a product: one_hot(ids) @ table.

    Args:
        ids: int64 ids in [0, V), any shape.
        table: (V, C) embedding table.
    Returns:
        (*ids.shape, C), equal to table[ids], computed as a (..., V) one-hot matrix (in the
        table's dtype) times the table.
    Note:
        the index ban covers indexing a tensor with a tensor (table[ids]). F.one_hot is
        allowed: give it num_classes=V, since the largest id may be smaller than V - 1.
    Example:
        >>> embedding_as_matmul(torch.tensor([[2, 0]]),
        ...                     torch.tensor([[0., 1.], [2., 3.], [4., 5.]]))
        tensor([[[4., 5.],
                 [0., 1.]]])
    """
    ### BEGIN SOLUTION
    V = table.shape[0]
    one_hot = F.one_hot(ids, V).to(table.dtype)  # (*ids.shape, V)
    return one_hot @ table  # (..., V) @ (V, C) -> (*ids.shape, C)
    ### END SOLUTION


@exercise("ch10.conv_output_size", points=1, book="P72", examples=[
    Example("conv_output_size(28, 5, 1, 0)", expect="24"),
    Example("conv_output_size(32, 3, 2, 1)", expect="16"),
    Example("conv_output_size(5, 3, 1, 1)", expect="5")],
          hints=("Padding widens the input on both sides; count how many kernel-sized windows "
                 "fit when a window starts every `stride` positions.",
                 "Plain Python ints: the padded size is size + 2 * padding; a window of `kernel` "
                 "has padded - kernel + 1 starts at stride 1; with a stride, floor division `//` "
                 "drops a last window that does not fit.",
                 "return (size + ___ - kernel) // ___ + 1"),
          stars=1, minutes=5)
def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """The output size of a convolution (or pooling) along one spatial axis.

    Args:
        size: input size (height or width).
        kernel: kernel size.
        stride: step between windows.
        padding: zeros added on EACH side.
    Returns:
        a Python int: (size + 2 * padding - kernel) // stride + 1 (floor division: a last
        window that does not fit is dropped).
    Example:
        >>> conv_output_size(28, 5, 1, 0)
        24
    """
    ### BEGIN SOLUTION
    return (size + 2 * padding - kernel) // stride + 1
    ### END SOLUTION


@exercise("ch10.conv2d_unfold", points=3, book="P72",
          ban=("convolution", "conv2d", "_convolution"), vec=True, examples=[
              Example(f"conv2d_unfold(torch.arange(12.).reshape(1, 1, 3, 4), "
                      f"{T}([[[[1., 0.], [0., -1.]]]]), {T}([0.5]))",
                      expect="torch.full((1, 1, 2, 3), -4.5)"),
              # C = 2: the kernel picks channel 1's top-left pixel, x[0, 1, 0, 0] = 4
              Example("conv2d_unfold(torch.arange(8.).reshape(1, 2, 2, 2), "
                      f"{T}([[[[0., 0.], [0., 0.]], [[1., 0.], [0., 0.]]]]), torch.zeros(1))",
                      expect=f"{T}([[[[4.]]]])")],
          hints=("Cut every k x k patch (across all C channels) into a column; each output value "
                 "is then one flattened kernel dotted with one column, so the whole layer is one "
                 "matrix product.",
                 "F.unfold(x, k) gives (N, C*k*k, L), L = Ho*Wo, flattened like w.reshape(O, "
                 "C*k*k); `w.reshape(O, -1) @ cols` broadcasts over N to (N, O, L). Pitfall: a "
                 "plain `+ b` broadcasts over the LAST axis (W): reshape the bias to (O, 1, 1). "
                 "No kernel flip.",
                 "N, C, H, W = x.shape\n"
                 "O, _, k, _ = w.shape\n"
                 "cols = F.unfold(x, ___)  # (N, C*k*k, Ho*Wo)\n"
                 "out = w.reshape(O, ___) @ cols  # (N, O, Ho*Wo)\n"
                 "return out.reshape(N, O, ___, ___) + b[___]"),
          stars=3, minutes=30)
def conv2d_unfold(x: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """A 2-D convolution layer (stride 1, no padding) as unfold + matmul.

    Like torch's conv2d this is a cross-correlation: the kernel is NOT flipped,
    out[n, o, i, j] = b[o] + sum_{c, di, dj} x[n, c, i + di, j + dj] * w[o, c, di, dj].

    Args:
        x: (N, C, H, W) images.
        w: (O, C, k, k) kernels.
        b: (O,) bias.
    Returns:
        (N, O, H - k + 1, W - k + 1).
    Note:
        use F.unfold (or Tensor.unfold) and a matrix product.
    Example:
        >>> conv2d_unfold(torch.arange(12.).reshape(1, 1, 3, 4),
        ...               torch.tensor([[[[1., 0.], [0., -1.]]]]), torch.tensor([0.5]))
        tensor([[[[-4.5000, -4.5000, -4.5000],
                  [-4.5000, -4.5000, -4.5000]]]])
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    O, _, k, _ = w.shape
    Ho, Wo = H - k + 1, W - k + 1
    cols = F.unfold(x, k)  # (N, C*k*k, Ho*Wo), C slowest, then rows, then columns
    out = w.reshape(O, C * k * k) @ cols  # (O, C*k*k) @ (N, C*k*k, L) -> (N, O, L)
    return out.reshape(N, O, Ho, Wo) + b[:, None, None]  # (N, O, Ho, Wo)
    ### END SOLUTION


@exercise("ch10.max_pool_2x2", points=2, book="P72",
          ban=("max_pool2d", "max_pool2d_with_indices"), vec=True, examples=[
              Example(f"max_pool_2x2({T}([[[[1., 2., 5., 6.], [3., 4., 7., 8.]]]]))",
                      expect=f"{T}([[[[4., 8.]]]])")],
          hints=("Split each spatial axis into (blocks, 2): every 2x2 window then lies on two "
                 "axes of its own, and the pooling is a max over those two axes.",
                 "x.reshape(N, C, H // 2, 2, W // 2, 2), then Tensor.amax, which takes a tuple "
                 "of dims (torch.max takes one). Pitfall: (..., H // 2, W // 2, 2, 2) groups the "
                 "wrong entries: each 2 must follow its block axis.",
                 "N, C, H, W = x.shape\n"
                 "blocks = x.reshape(N, C, ___, 2, ___, 2)\n"
                 "return blocks.amax(dim=(___, ___))"),
          stars=2, minutes=15)
def max_pool_2x2(x: Tensor) -> Tensor:
    """2x2 max pooling with stride 2, written with a reshape and a max.

    Args:
        x: (N, C, H, W) with H and W even.
    Returns:
        (N, C, H/2, W/2) with out[n, c, i, j] = max of x[n, c, 2i:2i+2, 2j:2j+2].
    Example:
        >>> max_pool_2x2(torch.tensor([[[[1., 2., 5., 6.], [3., 4., 7., 8.]]]]))
        tensor([[[[4., 8.]]]])
    """
    ### BEGIN SOLUTION
    N, C, H, W = x.shape
    blocks = x.reshape(N, C, H // 2, 2, W // 2, 2)  # (N, C, H/2, 2, W/2, 2)
    return blocks.amax(dim=(3, 5))  # (N, C, H/2, W/2)
    ### END SOLUTION


@exercise("ch10.rnn_step", points=1, book="P74", examples=[
    Example(f"rnn_step({T}([[1.]]), {T}([[0.5]]), {T}([[2.]]), {T}([[-2.]]), {T}([0.]))",
            expect=f"{T}([[0.7615942]])"),
    # H = 2: h @ w_hh moves h's entry 0 to entry 1, the bias fills entry 0: tanh([1, 1])
    Example(f"rnn_step({T}([[0.]]), {T}([[1., 0.]]), {T}([[0., 0.]]), {T}([[0., 1.], [0., 0.]]), "
            f"{T}([1., 0.]))", expect=f"{T}([[0.7615942, 0.7615942]])")],
          hints=("The new state mixes the current input and the previous state through their "
                 "weight matrices, adds the bias and squashes the sum with tanh.",
                 "Two matrix products, x_t @ w_xh and h @ w_hh (no transposes: weights are "
                 "stored x @ w), `+ b`, then torch.tanh.",
                 "return torch.tanh(___ @ w_xh + ___ @ w_hh + ___)"),
          stars=1, minutes=5)
def rnn_step(x_t: Tensor, h: Tensor, w_xh: Tensor, w_hh: Tensor, b: Tensor) -> Tensor:
    """One step of a plain (Elman) RNN: the new hidden state.

    Args:
        x_t: (B, D) inputs at this time step.
        h: (B, H) previous hidden state.
        w_xh: (D, H) input-to-hidden weights.
        w_hh: (H, H) hidden-to-hidden weights (h @ w_hh, as in the book).
        b: (H,) bias.
    Returns:
        (B, H): tanh(x_t @ w_xh + h @ w_hh + b).
    Example:
        >>> rnn_step(torch.tensor([[1.]]), torch.tensor([[0.5]]), torch.tensor([[2.]]),
        ...          torch.tensor([[-2.]]), torch.tensor([0.]))
        tensor([[0.7616]])
    """
    ### BEGIN SOLUTION
    return torch.tanh(x_t @ w_xh + h @ w_hh + b)  # (B, H)
    ### END SOLUTION


@exercise("ch10.rnn_forward", points=2, book="P74", examples=[
    Example(f"rnn_forward({T}([[[1.]], [[0.]]]), {T}([[0.]]), {T}([[1.]]), {T}([[1.]]), "
            f"{T}([0.]))",
            expect=f"({T}([[[0.7615942]], [[0.6420150]]]), {T}([[0.6420150]]))")],
          hints=("Apply the RNN step once per time step, feeding each new state into the next "
                 "step, and collect the states as you go.",
                 "A Python loop over xs (iterating a (T, B, D) tensor yields the (B, D) slices "
                 "in time order), a list of states, then torch.stack(states) along dim 0. "
                 "Pitfall: the outputs start with h_1, not h0.",
                 "h, outputs = h0, []\n"
                 "for x_t in xs:\n"
                 "    h = ___\n"
                 "    outputs.append(___)\n"
                 "return torch.stack(___), h"),
          stars=2, minutes=15)
def rnn_forward(xs: Tensor, h0: Tensor, w_xh: Tensor, w_hh: Tensor,
                b: Tensor) -> tuple[Tensor, Tensor]:
    """Run a plain RNN over a whole sequence.

    Args:
        xs: (T, B, D) inputs, time first.
        h0: (B, H) initial hidden state.
        w_xh: (D, H), w_hh: (H, H), b: (H,) as in rnn_step.
    Returns:
        (outputs, h_T): outputs (T, B, H) with outputs[t] = h_{t+1}, the hidden state after
        reading xs[t] (h_{t+1} = tanh(xs[t] @ w_xh + h_t @ w_hh + b)); h_T (B, H) the last
        hidden state (equal to outputs[-1]). h0 itself is not an output. A Python loop over
        time is fine.
    Example:
        >>> outputs, h_T = rnn_forward(torch.tensor([[[1.]], [[0.]]]), torch.tensor([[0.]]),
        ...                            torch.tensor([[1.]]), torch.tensor([[1.]]),
        ...                            torch.tensor([0.]))
        >>> outputs
        tensor([[[0.7616]],
                [[0.6420]]])
    """
    ### BEGIN SOLUTION
    h = h0  # (B, H)
    outputs = []
    for x_t in xs:  # x_t: (B, D)
        h = torch.tanh(x_t @ w_xh + h @ w_hh + b)  # (B, H)
        outputs.append(h)
    return torch.stack(outputs), h  # (T, B, H), (B, H)
    ### END SOLUTION
