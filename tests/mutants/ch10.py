"""Wrong and alternative implementations for ch10 (see tests/mutants/__init__.py)."""
import functools
import math
import operator

import torch
import torch.nn.functional as F

from tests.mutants import correct, wrong


# -- 1. linear -----------------------------------------------------------------------------

@wrong("ch10.linear", "w transposed")
def linear(x, w, b):
    """nn.Linear's layout: x @ w.T"""
    return x @ w.T + b


@wrong("ch10.linear", "bias missing")
def linear(x, w, b):  # noqa: F811
    """forgets the bias"""
    return x @ w


@wrong("ch10.linear", "linear, which this exercise bans")
def linear(x, w, b):  # noqa: F811
    """the banned F.linear"""
    return F.linear(x, w.T, b)


@wrong("ch10.linear", "uses addmm")
def linear(x, w, b):  # noqa: F811
    """the banned addmm, over the rows flattened"""
    return torch.addmm(b, x.reshape(-1, x.shape[-1]), w).reshape(*x.shape[:-1], w.shape[1])


@wrong("ch10.linear", "dtype")
def linear(x, w, b):  # noqa: F811
    """casts to float32"""
    return x.float() @ w.float() + b.float()


@correct("ch10.linear")
def linear(x, w, b):  # noqa: F811
    """einsum"""
    return torch.einsum("...i,io->...o", x, w) + b


@correct("ch10.linear")
def linear(x, w, b):  # noqa: F811
    """broadcast and sum"""
    return (x[..., :, None] * w).sum(-2) + b


# -- 2. logistic_regression ----------------------------------------------------------------

@wrong("ch10.logistic_regression", "sigmoid")
def logistic_regression(x, w, b):
    """a sigmoid per class"""
    return torch.sigmoid(x @ w + b)


@wrong("ch10.logistic_regression", "over the batch")
def logistic_regression(x, w, b):  # noqa: F811
    """softmax over dim 0"""
    return torch.softmax(x @ w + b, dim=0)


@wrong("ch10.logistic_regression", "softmax is missing")
def logistic_regression(x, w, b):  # noqa: F811
    """returns the scores"""
    return x @ w + b


@wrong("ch10.logistic_regression", "inf or nan")
def logistic_regression(x, w, b):  # noqa: F811
    """exp without subtracting the max"""
    e = torch.exp(x @ w + b)
    return e / e.sum(-1, keepdim=True)


@correct("ch10.logistic_regression")
def logistic_regression(x, w, b):  # noqa: F811
    """a stable softmax by hand"""
    z = x @ w + b
    e = torch.exp(z - z.max(dim=-1, keepdim=True).values)
    return e / e.sum(-1, keepdim=True)


@correct("ch10.logistic_regression")
def logistic_regression(x, w, b):  # noqa: F811
    """exp of log_softmax, F.linear allowed here"""
    return F.log_softmax(F.linear(x, w.T, b), dim=1).exp()


# -- 3. mlp_forward ------------------------------------------------------------------------

@wrong("ch10.mlp_forward", "relu follows the last layer")
def mlp_forward(x, layers):
    """ReLU after every layer, the last one too"""
    h = x
    for w, b in layers:
        h = torch.relu(h @ w + b)
    return torch.softmax(h, dim=-1)


@wrong("ch10.mlp_forward", "softmax after the last layer is missing")
def mlp_forward(x, layers):  # noqa: F811
    """no softmax"""
    h = x
    for w, b in layers[:-1]:
        h = torch.relu(h @ w + b)
    return h @ layers[-1][0] + layers[-1][1]


@wrong("ch10.mlp_forward", "wrong dim")
def mlp_forward(x, layers):  # noqa: F811
    """softmax over the batch"""
    h = x
    for w, b in layers[:-1]:
        h = torch.relu(h @ w + b)
    return torch.softmax(h @ layers[-1][0] + layers[-1][1], dim=0)


@wrong("ch10.mlp_forward", "relu between the hidden layers is missing")
def mlp_forward(x, layers):  # noqa: F811
    """no ReLU at all"""
    h = x
    for w, b in layers:
        h = h @ w + b
    return torch.softmax(h, dim=-1)


@wrong("ch10.mlp_forward", "inf or nan")
def mlp_forward(x, layers):  # noqa: F811
    """a softmax by hand without the max shift"""
    h = x
    for w, b in layers[:-1]:
        h = torch.relu(h @ w + b)
    e = torch.exp(h @ layers[-1][0] + layers[-1][1])
    return e / e.sum(-1, keepdim=True)


@correct("ch10.mlp_forward")
def mlp_forward(x, layers):  # noqa: F811
    """F.linear with the weights transposed, exp of log_softmax"""
    h = x
    for i, (w, b) in enumerate(layers):
        h = F.linear(h, w.T, b)
        if i < len(layers) - 1:
            h = F.relu(h)
    return F.log_softmax(h, dim=-1).exp()


@correct("ch10.mlp_forward")
def mlp_forward(x, layers):  # noqa: F811
    """recursive, clamp as the ReLU"""
    (w, b), rest = layers[0], layers[1:]
    z = x @ w + b
    if not rest:
        return torch.softmax(z, dim=1)
    return mlp_forward(z.clamp(min=0), rest)


# -- 4. count_parameters -------------------------------------------------------------------

@wrong("ch10.count_parameters", "product")
def count_parameters(shapes):
    """adds the sizes"""
    return sum(sum(s) for s in shapes)


@wrong("ch10.count_parameters", "1-d shapes (biases) are missing")
def count_parameters(shapes):  # noqa: F811
    """forgets the biases"""
    return sum(math.prod(s) for s in shapes if len(s) != 1)


@wrong("ch10.count_parameters", "counts 1")
def count_parameters(shapes):  # noqa: F811
    """a shape () is skipped (an empty tuple is falsy)"""
    return sum(math.prod(s) for s in shapes if s)


@wrong("ch10.count_parameters", "expected the int")
def count_parameters(shapes):  # noqa: F811
    """returns a tensor"""
    return torch.tensor([math.prod(s) for s in shapes], dtype=torch.int64).sum()


@correct("ch10.count_parameters")
def count_parameters(shapes):  # noqa: F811
    """math.prod"""
    return sum(math.prod(s) for s in shapes)


@correct("ch10.count_parameters")
def count_parameters(shapes):  # noqa: F811
    """torch.Size.numel"""
    return sum(torch.Size(s).numel() for s in shapes)


@correct("ch10.count_parameters")
def count_parameters(shapes):  # noqa: F811
    """functools.reduce"""
    return sum(functools.reduce(operator.mul, s, 1) for s in shapes)


# -- 5. layer_norm -------------------------------------------------------------------------

@wrong("ch10.layer_norm", "eps outside the square root")
def layer_norm(x, gamma, beta, eps):
    """(x - mean) / (std + eps)"""
    mean = x.mean(-1, keepdim=True)
    std = x.var(-1, keepdim=True, unbiased=False).sqrt()
    return (x - mean) / (std + eps) * gamma + beta


@wrong("ch10.layer_norm", "biased one")
def layer_norm(x, gamma, beta, eps):  # noqa: F811
    """torch.var's default, the unbiased variance"""
    mean = x.mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(x.var(-1, keepdim=True) + eps) * gamma + beta


@wrong("ch10.layer_norm", "wrong dim")
def layer_norm(x, gamma, beta, eps):  # noqa: F811
    """statistics over dim 0"""
    mean = x.mean(0, keepdim=True)
    var = x.var(0, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@wrong("ch10.layer_norm", "swapped")
def layer_norm(x, gamma, beta, eps):  # noqa: F811
    """gamma and beta swapped"""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * beta + gamma


@wrong("ch10.layer_norm", "uses layer_norm")
def layer_norm(x, gamma, beta, eps):  # noqa: F811
    """the banned F.layer_norm"""
    return F.layer_norm(x, (x.shape[-1],), gamma, beta, eps)


@wrong("ch10.layer_norm", "python loop")
def layer_norm(x, gamma, beta, eps):  # noqa: F811
    """one row at a time"""
    rows = x.reshape(-1, x.shape[-1])
    out = [(r - r.mean()) / torch.sqrt(((r - r.mean()) ** 2).mean() + eps) * gamma + beta
           for r in rows]
    return torch.stack(out).reshape(x.shape)


@correct("ch10.layer_norm")
def layer_norm(x, gamma, beta, eps):  # noqa: F811
    """var_mean and rsqrt"""
    var, mean = torch.var_mean(x, dim=-1, keepdim=True, correction=0)
    return (x - mean) * torch.rsqrt(var + eps) * gamma + beta


@correct("ch10.layer_norm")
def layer_norm(x, gamma, beta, eps):  # noqa: F811
    """E[x^2] - E[x]^2"""
    mean = x.mean(-1, keepdim=True)
    var = (x * x).mean(-1, keepdim=True) - mean * mean
    return gamma * (x - mean) / (var + eps).sqrt() + beta


# -- 6. batch_norm_train -------------------------------------------------------------------

@wrong("ch10.batch_norm_train", "per-sample (per-row) statistics")
def batch_norm_train(x, gamma, beta, eps):
    """statistics per row, as layer norm"""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@wrong("ch10.batch_norm_train", "biased one")
def batch_norm_train(x, gamma, beta, eps):  # noqa: F811
    """the unbiased variance"""
    return (x - x.mean(0)) / torch.sqrt(x.var(0) + eps) * gamma + beta


@wrong("ch10.batch_norm_train", "eps outside")
def batch_norm_train(x, gamma, beta, eps):  # noqa: F811
    """(x - mean) / (std + eps)"""
    return (x - x.mean(0)) / (x.std(0, unbiased=False) + eps) * gamma + beta


@wrong("ch10.batch_norm_train", "uses batch_norm")
def batch_norm_train(x, gamma, beta, eps):  # noqa: F811
    """the banned F.batch_norm"""
    return F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps)


@correct("ch10.batch_norm_train")
def batch_norm_train(x, gamma, beta, eps):  # noqa: F811
    """var_mean"""
    var, mean = torch.var_mean(x, dim=0, correction=0)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


@correct("ch10.batch_norm_train")
def batch_norm_train(x, gamma, beta, eps):  # noqa: F811
    """normalise the rows of x.T and transpose back"""
    xt = x.T
    c = xt - xt.mean(-1, keepdim=True)
    return (c / (c.pow(2).mean(-1, keepdim=True) + eps).sqrt()).T * gamma + beta


# -- 7. inverted_dropout -------------------------------------------------------------------

@wrong("ch10.inverted_dropout", "not scaled")
def inverted_dropout(x, keep_mask, p):
    """no 1/(1 - p)"""
    return x * keep_mask


@wrong("ch10.inverted_dropout", "scaled by p")
def inverted_dropout(x, keep_mask, p):  # noqa: F811
    """divides by p"""
    return x * keep_mask / p


@wrong("ch10.inverted_dropout", "mask is inverted")
def inverted_dropout(x, keep_mask, p):  # noqa: F811
    """zeroes the kept entries"""
    return torch.where(keep_mask, torch.zeros_like(x), x / (1 - p))


@wrong("ch10.inverted_dropout", "multiplied by 1 - p")
def inverted_dropout(x, keep_mask, p):  # noqa: F811
    """multiplies by the keep probability"""
    return x * keep_mask * (1 - p)


@wrong("ch10.inverted_dropout", "uses dropout")
def inverted_dropout(x, keep_mask, p):  # noqa: F811
    """calls F.dropout with p=0 on the masked input"""
    return F.dropout(x * keep_mask, p=0.0) / (1 - p)


@correct("ch10.inverted_dropout")
def inverted_dropout(x, keep_mask, p):  # noqa: F811
    """where"""
    return torch.where(keep_mask, x / (1 - p), torch.zeros_like(x))


@correct("ch10.inverted_dropout")
def inverted_dropout(x, keep_mask, p):  # noqa: F811
    """the mask in x's dtype times the scale"""
    return x * keep_mask.to(x.dtype) * (1.0 / (1.0 - p))


# -- 8. embedding_lookup -------------------------------------------------------------------

@wrong("ch10.embedding_lookup", "flattened")
def embedding_lookup(ids, table):
    """flattens the ids"""
    return table[ids.flatten()]


@wrong("ch10.embedding_lookup", "transposed")
def embedding_lookup(ids, table):  # noqa: F811
    """selects columns"""
    return table[:, ids]


@wrong("ch10.embedding_lookup", "raised")
def embedding_lookup(ids, table):  # noqa: F811
    """index_select only takes 1-D ids"""
    return table.index_select(0, ids)


@wrong("ch10.embedding_lookup", "dtype")
def embedding_lookup(ids, table):  # noqa: F811
    """casts to float32"""
    return table[ids].float()


@correct("ch10.embedding_lookup")
def embedding_lookup(ids, table):  # noqa: F811
    """F.embedding"""
    return F.embedding(ids, table)


@correct("ch10.embedding_lookup")
def embedding_lookup(ids, table):  # noqa: F811
    """index_select on the flattened ids, reshaped back"""
    return table.index_select(0, ids.reshape(-1)).reshape(*ids.shape, table.shape[1])


# -- 9. embedding_as_matmul ----------------------------------------------------------------

@wrong("ch10.embedding_as_matmul", "uses index")
def embedding_as_matmul(ids, table):
    """plain indexing, banned here"""
    return table[ids]


@wrong("ch10.embedding_as_matmul", "uses index_select")
def embedding_as_matmul(ids, table):  # noqa: F811
    """index_select, banned"""
    return table.index_select(0, ids.reshape(-1)).reshape(*ids.shape, table.shape[1])


@wrong("ch10.embedding_as_matmul", "num_classes")
def embedding_as_matmul(ids, table):  # noqa: F811
    """one_hot without num_classes: only max(ids) + 1 wide"""
    return F.one_hot(ids).to(table.dtype) @ table


@wrong("ch10.embedding_as_matmul", "convert the one-hot matrix to the table's dtype")
def embedding_as_matmul(ids, table):  # noqa: F811
    """int64 one-hot times a float table"""
    return F.one_hot(ids, table.shape[0]) @ table


@wrong("ch10.embedding_as_matmul", "flattened")
def embedding_as_matmul(ids, table):  # noqa: F811
    """flattens the ids"""
    return F.one_hot(ids.reshape(-1), table.shape[0]).to(table.dtype) @ table


@correct("ch10.embedding_as_matmul")
def embedding_as_matmul(ids, table):  # noqa: F811
    """one-hot by comparison with arange"""
    V = table.shape[0]
    one_hot = ids[..., None] == torch.arange(V, device=ids.device)
    return one_hot.to(table.dtype) @ table


@correct("ch10.embedding_as_matmul")
def embedding_as_matmul(ids, table):  # noqa: F811
    """F.one_hot and einsum"""
    return torch.einsum("...v,vc->...c", F.one_hot(ids, table.shape[0]).to(table), table)


# -- 10. conv_output_size ------------------------------------------------------------------

@wrong("ch10.conv_output_size", "+ 1 missing")
def conv_output_size(size, kernel, stride, padding):
    """no + 1"""
    return (size + 2 * padding - kernel) // stride


@wrong("ch10.conv_output_size", "padding counts twice")
def conv_output_size(size, kernel, stride, padding):  # noqa: F811
    """padding on one side only"""
    return (size + padding - kernel) // stride + 1


@wrong("ch10.conv_output_size", "floor division")
def conv_output_size(size, kernel, stride, padding):  # noqa: F811
    """true division"""
    return (size + 2 * padding - kernel) / stride + 1


@wrong("ch10.conv_output_size", "rounded up")
def conv_output_size(size, kernel, stride, padding):  # noqa: F811
    """math.ceil"""
    return math.ceil((size + 2 * padding - kernel) / stride) + 1


@correct("ch10.conv_output_size")
def conv_output_size(size, kernel, stride, padding):  # noqa: F811
    """math.floor of a true division"""
    return math.floor((size + 2 * padding - kernel) / stride) + 1


@correct("ch10.conv_output_size")
def conv_output_size(size, kernel, stride, padding):  # noqa: F811
    """counting the window starts"""
    return len(range(0, size + 2 * padding - kernel + 1, stride))


# -- 11. conv2d_unfold ---------------------------------------------------------------------

def _unfold_conv(x, w, b, w_cols=None):
    N, C, H, W = x.shape
    O, _, k, _ = w.shape
    cols = F.unfold(x, k)
    w_cols = w.reshape(O, -1) if w_cols is None else w_cols
    return (w_cols @ cols).reshape(N, O, H - k + 1, W - k + 1) + b[:, None, None]


@wrong("ch10.conv2d_unfold", "flipped")
def conv2d_unfold(x, w, b):
    """a true convolution: the kernel flipped"""
    return _unfold_conv(x, w.flip(-1, -2), b)


@wrong("ch10.conv2d_unfold", "wrong channels")
def conv2d_unfold(x, w, b):  # noqa: F811
    """the kernel flattened as (k, k, C)"""
    return _unfold_conv(x, w, b, w_cols=w.permute(0, 2, 3, 1).reshape(w.shape[0], -1))


@wrong("ch10.conv2d_unfold", "h and w are swapped")
def conv2d_unfold(x, w, b):  # noqa: F811
    """reshapes the output as (N, O, W', H')"""
    N, C, H, W = x.shape
    O, _, k, _ = w.shape
    out = w.reshape(O, -1) @ F.unfold(x, k)
    return out.reshape(N, O, W - k + 1, H - k + 1) + b[:, None, None]


@wrong("ch10.conv2d_unfold", "conv2d, convolution")
def conv2d_unfold(x, w, b):  # noqa: F811
    """the banned F.conv2d"""
    return F.conv2d(x, w, b)


@wrong("ch10.conv2d_unfold", "bias missing")
def conv2d_unfold(x, w, b):  # noqa: F811
    """forgets the bias"""
    return _unfold_conv(x, w, torch.zeros_like(b))


@wrong("ch10.conv2d_unfold", "python loop")
def conv2d_unfold(x, w, b):  # noqa: F811
    """one image at a time"""
    return torch.stack([_unfold_conv(xi[None], w, b)[0] for xi in x])


@correct("ch10.conv2d_unfold")
def conv2d_unfold(x, w, b):  # noqa: F811
    """Tensor.unfold twice and einsum"""
    k = w.shape[-1]
    patches = x.unfold(2, k, 1).unfold(3, k, 1)  # (N, C, H', W', k, k)
    return torch.einsum("nchwij,ocij->nohw", patches, w) + b[:, None, None]


@correct("ch10.conv2d_unfold")
def conv2d_unfold(x, w, b):  # noqa: F811
    """columns first: (N, L, C*k*k) @ (C*k*k, O), then transpose"""
    N, C, H, W = x.shape
    O, _, k, _ = w.shape
    out = F.unfold(x, (k, k)).transpose(1, 2) @ w.reshape(O, -1).T + b  # (N, L, O)
    return out.transpose(1, 2).reshape(N, O, H - k + 1, W - k + 1)


@correct("ch10.conv2d_unfold")
def conv2d_unfold(x, w, b):  # noqa: F811
    """w.view(O, -1): the weights as given, evenly strided (a column-major w is not asked)"""
    N, C, H, W = x.shape
    O, _, k, _ = w.shape
    cols = F.unfold(x, kernel_size=k).transpose(1, 2)  # (N, L, C*k*k)
    out = cols @ w.view(O, -1).t() + b  # (N, L, O)
    return out.transpose(1, 2).reshape(N, O, H - k + 1, W - k + 1)


# -- 12. max_pool_2x2 ----------------------------------------------------------------------

@wrong("ch10.max_pool_2x2", "mixes rows and columns")
def max_pool_2x2(x):
    """groups of 4 along each row"""
    N, C, H, W = x.shape
    return x.reshape(N, C, H // 2, W // 2, 2, 2).amax(dim=(-1, -2))


@wrong("ch10.max_pool_2x2", "average pooling")
def max_pool_2x2(x):  # noqa: F811
    """the mean of each block"""
    N, C, H, W = x.shape
    return x.reshape(N, C, H // 2, 2, W // 2, 2).mean(dim=(3, 5))


@wrong("ch10.max_pool_2x2", "uses max_pool2d")
def max_pool_2x2(x):  # noqa: F811
    """the banned F.max_pool2d"""
    return F.max_pool2d(x, 2)


@wrong("ch10.max_pool_2x2", "python loop")
def max_pool_2x2(x):  # noqa: F811
    """one row of blocks at a time"""
    N, C, H, W = x.shape
    rows = [x[:, :, i:i + 2].reshape(N, C, 2, W // 2, 2).amax(dim=(2, 4))
            for i in range(0, H, 2)]
    return torch.stack(rows, dim=2)


@wrong("ch10.max_pool_2x2", "h and w are swapped")
def max_pool_2x2(x):  # noqa: F811
    """returns (N, C, W/2, H/2)"""
    N, C, H, W = x.shape
    return x.reshape(N, C, H // 2, 2, W // 2, 2).amax(dim=(3, 5)).transpose(-1, -2)


@correct("ch10.max_pool_2x2")
def max_pool_2x2(x):  # noqa: F811
    """Tensor.unfold twice"""
    return x.unfold(2, 2, 2).unfold(3, 2, 2).amax(dim=(-1, -2))


@correct("ch10.max_pool_2x2")
def max_pool_2x2(x):  # noqa: F811
    """the maximum of four strided slices"""
    return torch.maximum(torch.maximum(x[..., ::2, ::2], x[..., ::2, 1::2]),
                         torch.maximum(x[..., 1::2, ::2], x[..., 1::2, 1::2]))


# -- 13. rnn_step --------------------------------------------------------------------------

@wrong("ch10.rnn_step", "w_hh transposed")
def rnn_step(x_t, h, w_xh, w_hh, b):
    """h @ w_hh.T"""
    return torch.tanh(x_t @ w_xh + h @ w_hh.T + b)


@wrong("ch10.rnn_step", "tanh is missing")
def rnn_step(x_t, h, w_xh, w_hh, b):  # noqa: F811
    """no activation"""
    return x_t @ w_xh + h @ w_hh + b


@wrong("ch10.rnn_step", "bias missing")
def rnn_step(x_t, h, w_xh, w_hh, b):  # noqa: F811
    """forgets the bias"""
    return torch.tanh(x_t @ w_xh + h @ w_hh)


@wrong("ch10.rnn_step", "not relu")
def rnn_step(x_t, h, w_xh, w_hh, b):  # noqa: F811
    """ReLU instead of tanh"""
    return torch.relu(x_t @ w_xh + h @ w_hh + b)


@correct("ch10.rnn_step")
def rnn_step(x_t, h, w_xh, w_hh, b):  # noqa: F811
    """one product of the concatenations"""
    return torch.tanh(torch.cat([x_t, h], dim=-1) @ torch.cat([w_xh, w_hh], dim=0) + b)


@correct("ch10.rnn_step")
def rnn_step(x_t, h, w_xh, w_hh, b):  # noqa: F811
    """F.linear with the weights transposed"""
    return F.linear(x_t, w_xh.T, b).add(F.linear(h, w_hh.T)).tanh()


# -- 14. rnn_forward -----------------------------------------------------------------------

@wrong("ch10.rnn_forward", "not carried forward")
def rnn_forward(xs, h0, w_xh, w_hh, b):
    """every step starts from h0"""
    outs = [torch.tanh(x_t @ w_xh + h0 @ w_hh + b) for x_t in xs]
    return torch.stack(outs), outs[-1]


@wrong("ch10.rnn_forward", "returned h0")
def rnn_forward(xs, h0, w_xh, w_hh, b):  # noqa: F811
    """returns the initial state as h_T"""
    h, outs = h0, []
    for x_t in xs:
        h = torch.tanh(x_t @ w_xh + h @ w_hh + b)
        outs.append(h)
    return torch.stack(outs), h0


@wrong("ch10.rnn_forward", "off by one")
def rnn_forward(xs, h0, w_xh, w_hh, b):  # noqa: F811
    """records the state before each step"""
    h, outs = h0, []
    for x_t in xs:
        outs.append(h)
        h = torch.tanh(x_t @ w_xh + h @ w_hh + b)
    return torch.stack(outs), h


@wrong("ch10.rnn_forward", "expected a torch.tensor")
def rnn_forward(xs, h0, w_xh, w_hh, b):  # noqa: F811
    """returns the outputs as a list"""
    h, outs = h0, []
    for x_t in xs:
        h = torch.tanh(x_t @ w_xh + h @ w_hh + b)
        outs.append(h)
    return outs, h


@correct("ch10.rnn_forward")
def rnn_forward(xs, h0, w_xh, w_hh, b):  # noqa: F811
    """inputs projected once, a preallocated output"""
    T, B, _ = xs.shape
    xw = xs @ w_xh + b  # (T, B, H)
    out = xs.new_empty(T, B, w_hh.shape[0])
    h = h0
    for t in range(T):
        h = torch.tanh(xw[t] + h @ w_hh)
        out[t] = h
    return out, out[-1]
