"""Wrong and alternative implementations for ch03 (see tests/mutants/__init__.py)."""
import numpy as np
import torch
import torch.nn.functional as F

from tests.mutants import correct, wrong


# -- 1. to_matrix --------------------------------------------------------------------------

@wrong("ch03.to_matrix", "column-major")
def to_matrix(v, rows, cols):
    """fills the columns first: reshape to (cols, rows), then transpose"""
    if rows * cols != v.numel():
        raise ValueError("size mismatch")
    return v.reshape(cols, rows).T


@wrong("ch03.to_matrix", "must raise ValueError")
def to_matrix(v, rows, cols):  # noqa: F811
    """no size check: torch's RuntimeError gets through"""
    return v.reshape(rows, cols)


@wrong("ch03.to_matrix", "must raise ValueError")
def to_matrix(v, rows, cols):  # noqa: F811
    """reshape(rows, -1): a count divisible by rows is silently accepted"""
    try:
        return v.reshape(rows, -1)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None


@wrong("ch03.to_matrix", "rows and cols are swapped")
def to_matrix(v, rows, cols):  # noqa: F811
    """swaps the two sizes"""
    if rows * cols != v.numel():
        raise ValueError("size mismatch")
    return v.reshape(cols, rows)


@wrong("ch03.to_matrix", "dtype")
def to_matrix(v, rows, cols):  # noqa: F811
    """rebuilds the matrix from Python lists, losing float64"""
    if rows * cols != v.numel():
        raise ValueError("size mismatch")
    vals = v.tolist()
    return torch.tensor([vals[i * cols:(i + 1) * cols] for i in range(rows)], device=v.device)


@correct("ch03.to_matrix")
def to_matrix(v, rows, cols):  # noqa: F811
    """turns torch's RuntimeError into a ValueError, then view"""
    try:
        return v.view(rows, cols)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None


@correct("ch03.to_matrix")
def to_matrix(v, rows, cols):  # noqa: F811
    """a row at a time"""
    if v.shape[0] != rows * cols:
        raise ValueError(f"{v.shape[0]} != {rows} * {cols}")
    return torch.stack([v[i * cols:(i + 1) * cols] for i in range(rows)])


# -- 2./3. as_row, as_column ---------------------------------------------------------------

@wrong("ch03.as_row", "you made a column")
def as_row(v):
    """as_column by mistake"""
    return v[:, None]


@wrong("ch03.as_row", "no second axis")
def as_row(v):  # noqa: F811
    """v.t(), as if a vector had two axes"""
    return v.t()


@wrong("ch03.as_row", "dtype")
def as_row(v):  # noqa: F811
    """a new tensor from the list, float32 always"""
    return torch.tensor([v.tolist()], device=v.device)


@correct("ch03.as_row")
def as_row(v):  # noqa: F811
    """reshape(1, -1)"""
    return v.reshape(1, -1)


@correct("ch03.as_row")
def as_row(v):  # noqa: F811
    """indexing with None"""
    return v[None, :]


@wrong("ch03.as_column", "you made a row")
def as_column(v):
    """as_row by mistake"""
    return v.unsqueeze(0)


@wrong("ch03.as_column", "no second axis")
def as_column(v):  # noqa: F811
    """v.t(), as if a vector had two axes"""
    return v.t()


@wrong("ch03.as_column", "dtype")
def as_column(v):  # noqa: F811
    """a new tensor from nested lists, float32 always"""
    return torch.tensor([[x] for x in v.tolist()], device=v.device)


@correct("ch03.as_column")
def as_column(v):  # noqa: F811
    """the transpose of a row"""
    return v[None, :].T


@correct("ch03.as_column")
def as_column(v):  # noqa: F811
    """view(-1, 1)"""
    return v.view(-1, 1)


# -- 4. concat_vectors ---------------------------------------------------------------------

@wrong("ch03.concat_vectors", "torch.stack")
def concat_vectors(vs):
    """stack instead of cat"""
    return torch.stack(vs)


@wrong("ch03.concat_vectors", "wrong order")
def concat_vectors(vs):  # noqa: F811
    """prepends each vector"""
    out = vs[0]
    for v in vs[1:]:
        out = torch.cat([v, out])
    return out


@wrong("ch03.concat_vectors", "first two")
def concat_vectors(vs):  # noqa: F811
    """assumes two vectors"""
    return torch.cat([vs[0], vs[1]]) if len(vs) > 1 else vs[0]


@wrong("ch03.concat_vectors", "modified its input")
def concat_vectors(vs):  # noqa: F811
    """pops the list it was given"""
    out = vs.pop(0)
    while vs:
        out = torch.cat([out, vs.pop(0)])
    return out


@correct("ch03.concat_vectors")
def concat_vectors(vs):  # noqa: F811
    """hstack"""
    return torch.hstack(vs)


@correct("ch03.concat_vectors")
def concat_vectors(vs):  # noqa: F811
    """one at a time"""
    out = vs[0]
    for v in vs[1:]:
        out = torch.cat([out, v])
    return out


# -- 5. stack_rows -------------------------------------------------------------------------

@wrong("ch03.stack_rows", "torch.cat joined")
def stack_rows(a, b):
    """cat instead of stack"""
    return torch.cat([a, b])


@wrong("ch03.stack_rows", "became columns")
def stack_rows(a, b):  # noqa: F811
    """stacks along dim 1"""
    return torch.stack([a, b], dim=1)


@wrong("ch03.stack_rows", "rows are swapped")
def stack_rows(a, b):  # noqa: F811
    """b on top"""
    return torch.vstack([b, a])


@correct("ch03.stack_rows")
def stack_rows(a, b):  # noqa: F811
    """vstack"""
    return torch.vstack([a, b])


@correct("ch03.stack_rows")
def stack_rows(a, b):  # noqa: F811
    """two rows, then cat along axis 0"""
    return torch.cat([a[None], b[None]], dim=0)


# -- 6. side_by_side -----------------------------------------------------------------------

@wrong("ch03.side_by_side", "added an axis")
def side_by_side(a, b):
    """vstack instead of hstack"""
    return torch.vstack([a, b])


@wrong("ch03.side_by_side", "order is a then b")
def side_by_side(a, b):  # noqa: F811
    """b first"""
    return torch.cat([b, a])


@wrong("ch03.side_by_side", "interleaved")
def side_by_side(a, b):  # noqa: F811
    """columns, then flattened"""
    return torch.stack([a, b], dim=1).flatten()


@wrong("ch03.side_by_side", "raised")
def side_by_side(a, b):  # noqa: F811
    """assumes equal lengths"""
    return torch.stack([a, b]).reshape(-1)


@correct("ch03.side_by_side")
def side_by_side(a, b):  # noqa: F811
    """hstack"""
    return torch.hstack((a, b))


@correct("ch03.side_by_side")
def side_by_side(a, b):  # noqa: F811
    """a zero vector filled in two slices"""
    out = a.new_zeros(a.shape[0] + b.shape[0])
    out[:a.shape[0]] = a
    out[a.shape[0]:] = b
    return out


# -- 7. flatten_images ---------------------------------------------------------------------

@wrong("ch03.flatten_images", "batch axis must stay")
def flatten_images(batch):
    """flattens the batch axis too"""
    return batch.flatten()


@wrong("ch03.flatten_images", "raised")
def flatten_images(batch):  # noqa: F811
    """hard-codes MNIST's 28 x 28"""
    return batch.reshape(-1, 28 * 28)


@wrong("ch03.flatten_images", "channels moved last")
def flatten_images(batch):  # noqa: F811
    """flattens channels-last"""
    return batch.permute(0, *range(2, batch.dim()), 1).reshape(batch.shape[0], -1)


@wrong("ch03.flatten_images", "raised")
def flatten_images(batch):  # noqa: F811
    """view, which needs contiguous memory"""
    return batch.view(batch.shape[0], -1)


@wrong("ch03.flatten_images", "batch axis comes first")
def flatten_images(batch):  # noqa: F811
    """reshape(-1, N)"""
    return batch.reshape(-1, batch.shape[0])


@correct("ch03.flatten_images")
def flatten_images(batch):  # noqa: F811
    """flatten(1)"""
    return batch.flatten(1)


@correct("ch03.flatten_images")
def flatten_images(batch):  # noqa: F811
    """nn.Flatten"""
    return torch.nn.Flatten()(batch)


# -- 8. drop_channel_axis ------------------------------------------------------------------

@wrong("ch03.drop_channel_axis", "squeeze() without an axis")
def drop_channel_axis(batch):
    """squeeze() drops every size-1 axis"""
    return batch.squeeze()


@wrong("ch03.drop_channel_axis", "batch[0] picks the first image")
def drop_channel_axis(batch):  # noqa: F811
    """indexes the batch axis"""
    return batch[0]


@wrong("ch03.drop_channel_axis", "squeeze(0)")
def drop_channel_axis(batch):  # noqa: F811
    """squeezes axis 0"""
    return batch.squeeze(0)


@wrong("ch03.drop_channel_axis", "raised")
def drop_channel_axis(batch):  # noqa: F811
    """hard-codes 28 x 28"""
    return batch.reshape(-1, 28, 28)


@correct("ch03.drop_channel_axis")
def drop_channel_axis(batch):  # noqa: F811
    """index the channel"""
    return batch[:, 0]


@correct("ch03.drop_channel_axis")
def drop_channel_axis(batch):  # noqa: F811
    """reshape to the three kept sizes"""
    N, _, H, W = batch.shape
    return batch.reshape(N, H, W)


# -- 9. channels_last ----------------------------------------------------------------------

@wrong("ch03.channels_last", "reshape keeps the values in memory order")
def channels_last(x):
    """reshape instead of permute"""
    N, C, H, W = x.shape
    return x.reshape(N, H, W, C)


@wrong("ch03.channels_last", "transpose(1, 3)")
def channels_last(x):  # noqa: F811
    """swaps C with W, which also swaps H and W"""
    return x.transpose(1, 3)


@wrong("ch03.channels_last", "wrong permutation")
def channels_last(x):  # noqa: F811
    """permute(0, 3, 1, 2): the inverse permutation (channels first from channels last)"""
    return x.permute(0, 3, 1, 2)


@correct("ch03.channels_last")
def channels_last(x):  # noqa: F811
    """movedim"""
    return x.movedim(1, -1)


@correct("ch03.channels_last")
def channels_last(x):  # noqa: F811
    """two transposes, copied"""
    return x.transpose(1, 2).transpose(2, 3).contiguous()


# -- 10. swap_last_two ---------------------------------------------------------------------

@wrong("ch03.swap_last_two", "reverses all the axes")
def swap_last_two(x):
    """reverses every axis (what x.T does)"""
    return x.permute(*reversed(range(x.dim())))


@wrong("ch03.swap_last_two", "transpose(0, 1)")
def swap_last_two(x):  # noqa: F811
    """transpose(0, 1), right only for matrices"""
    return x.transpose(0, 1)


@wrong("ch03.swap_last_two", "transpose(1, 2)")
def swap_last_two(x):  # noqa: F811
    """transpose(1, 2), right only for 3-D inputs"""
    return x.transpose(1, 2) if x.dim() > 2 else x.T


@wrong("ch03.swap_last_two", "reshape does not transpose")
def swap_last_two(x):  # noqa: F811
    """reshape to the swapped shape"""
    return x.reshape(*x.shape[:-2], x.shape[-1], x.shape[-2])


@correct("ch03.swap_last_two")
def swap_last_two(x):  # noqa: F811
    """mT"""
    return x.mT


@correct("ch03.swap_last_two")
def swap_last_two(x):  # noqa: F811
    """permute with the leading axes kept"""
    n = x.dim()
    return x.permute(*range(n - 2), n - 1, n - 2)


# -- 11. split_heads -----------------------------------------------------------------------

@wrong("ch03.split_heads", "mixes time steps into heads")
def split_heads(x, n_heads):
    """reshapes straight to (B, nh, T, H)"""
    B, T, C = x.shape
    return x.reshape(B, n_heads, T, C // n_heads)


@wrong("ch03.split_heads", "every nh-th channel")
def split_heads(x, n_heads):  # noqa: F811
    """heads own strided channels (c % nh)"""
    B, T, C = x.shape
    return x.reshape(B, T, C // n_heads, n_heads).permute(0, 3, 1, 2)


@wrong("ch03.split_heads", "heads axis goes before time")
def split_heads(x, n_heads):  # noqa: F811
    """forgets the transpose"""
    B, T, C = x.shape
    return x.view(B, T, n_heads, C // n_heads)


@correct("ch03.split_heads")
def split_heads(x, n_heads):  # noqa: F811
    """nanoGPT's view and transpose"""
    B, T, C = x.shape
    return x.view(B, T, n_heads, C // n_heads).transpose(1, 2)


@correct("ch03.split_heads")
def split_heads(x, n_heads):  # noqa: F811
    """a slice per head, stacked"""
    return torch.stack(x.chunk(n_heads, dim=-1), dim=1)


# -- 12. merge_heads -----------------------------------------------------------------------

@wrong("ch03.merge_heads", "transpose(1, 2) back")
def merge_heads(x):
    """reshape without transposing back"""
    B, nh, T, H = x.shape
    return x.reshape(B, T, nh * H)


@wrong("ch03.merge_heads", "interleaves the heads")
def merge_heads(x):  # noqa: F811
    """merges (B, T, H, nh)"""
    B, nh, T, H = x.shape
    return x.permute(0, 2, 3, 1).reshape(B, T, nh * H)


@wrong("ch03.merge_heads", "view size is not compatible")
def merge_heads(x):  # noqa: F811
    """view after transpose, without contiguous()"""
    B, nh, T, H = x.shape
    return x.transpose(1, 2).view(B, T, nh * H)


@wrong("ch03.merge_heads", "reverse order")
def merge_heads(x):  # noqa: F811
    """the last head first"""
    return torch.cat([x[:, h] for h in reversed(range(x.shape[1]))], dim=-1)


@correct("ch03.merge_heads")
def merge_heads(x):  # noqa: F811
    """nanoGPT's transpose, contiguous, view"""
    B, nh, T, H = x.shape
    return x.transpose(1, 2).contiguous().view(B, T, nh * H)


@correct("ch03.merge_heads")
def merge_heads(x):  # noqa: F811
    """unbind the heads and concatenate them"""
    return torch.cat(x.unbind(1), dim=-1)


# -- 13. concat_heads ----------------------------------------------------------------------

@wrong("ch03.concat_heads", "batch axis")
def concat_heads(heads):
    """the default dim=0"""
    return torch.cat(heads)


@wrong("ch03.concat_heads", "time axis")
def concat_heads(heads):  # noqa: F811
    """dim=1"""
    return torch.cat(heads, dim=1)


@wrong("ch03.concat_heads", "interleaves the heads")
def concat_heads(heads):  # noqa: F811
    """stack on a new last axis, then flatten"""
    B, T, H = heads[0].shape
    return torch.stack(heads, dim=-1).reshape(B, T, -1)


@wrong("ch03.concat_heads", "wrong order")
def concat_heads(heads):  # noqa: F811
    """the heads reversed"""
    return torch.cat(list(reversed(heads)), dim=-1)


@correct("ch03.concat_heads")
def concat_heads(heads):  # noqa: F811
    """stack the heads as in split_heads, then merge"""
    x = torch.stack(heads, dim=1)  # (B, nh, T, H)
    B, nh, T, H = x.shape
    return x.transpose(1, 2).reshape(B, T, nh * H)


@correct("ch03.concat_heads")
def concat_heads(heads):  # noqa: F811
    """hstack along the last axis, via dstack"""
    return torch.dstack(heads)


# -- 14. image_patches ---------------------------------------------------------------------

@wrong("ch03.image_patches", "(p, p, C) order")
def image_patches(img, p):
    """channels last inside each patch"""
    C, H, W = img.shape
    x = img.reshape(C, H // p, p, W // p, p).permute(1, 3, 2, 4, 0)
    return x.reshape(-1, C * p * p)


@wrong("ch03.image_patches", "go down the columns first")
def image_patches(img, p):  # noqa: F811
    """column-major patch order"""
    C, H, W = img.shape
    x = img.reshape(C, H // p, p, W // p, p).permute(3, 1, 0, 2, 4)
    return x.reshape(-1, C * p * p)


@wrong("ch03.image_patches", "H and W are swapped")
def image_patches(img, p):  # noqa: F811
    """reads the shape as (C, W, H)"""
    C, W, H = img.shape
    x = img.reshape(C, H // p, p, W // p, p).permute(1, 3, 0, 2, 4)
    return x.reshape(-1, C * p * p)


@wrong("ch03.image_patches", "reshape alone does not cut patches")
def image_patches(img, p):  # noqa: F811
    """no permute"""
    C, H, W = img.shape
    return img.reshape((H // p) * (W // p), C * p * p)


@wrong("ch03.image_patches", "vectorised")
def image_patches(img, p):  # noqa: F811
    """a loop over the patches"""
    C, H, W = img.shape
    return torch.stack([img[:, i:i + p, j:j + p].reshape(-1)
                        for i in range(0, H, p) for j in range(0, W, p)])


@wrong("ch03.image_patches", "takes values out of torch")
def image_patches(img, p):  # noqa: F811
    """NumPy's reshape and transpose"""
    C, H, W = img.shape
    a = img.cpu().numpy().reshape(C, H // p, p, W // p, p).transpose(1, 3, 0, 2, 4)
    return torch.from_numpy(np.ascontiguousarray(a).reshape(-1, C * p * p)).to(img.device)


@correct("ch03.image_patches")
def image_patches(img, p):  # noqa: F811
    """F.unfold with stride p"""
    return F.unfold(img[None], kernel_size=p, stride=p)[0].T


@correct("ch03.image_patches")
def image_patches(img, p):  # noqa: F811
    """Tensor.unfold twice"""
    C = img.shape[0]
    x = img.unfold(1, p, p).unfold(2, p, p)  # (C, H/p, W/p, p, p)
    return x.permute(1, 2, 0, 3, 4).reshape(-1, C * p * p)


# -- 15. broadcast_shape -------------------------------------------------------------------

@wrong("ch03.broadcast_shape", "lined up from the left")
def broadcast_shape(a, b):
    """aligns the shapes at their first axes"""
    n = max(len(a), len(b))
    a, b = tuple(a) + (1,) * (n - len(a)), tuple(b) + (1,) * (n - len(b))
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError("incompatible")
        out.append(y if x == 1 else x)
    return tuple(out)


@wrong("ch03.broadcast_shape", "must raise ValueError")
def broadcast_shape(a, b):  # noqa: F811
    """takes the larger size of every pair, compatible or not"""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    return tuple(max(x, y) for x, y in zip(a, b))


@wrong("ch03.broadcast_shape", "return a tuple")
def broadcast_shape(a, b):  # noqa: F811
    """returns a list"""
    n = max(len(a), len(b))
    a, b = [1] * (n - len(a)) + list(a), [1] * (n - len(b)) + list(b)
    out = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError("incompatible")
        out.append(y if x == 1 else x)
    return out


@wrong("ch03.broadcast_shape", "without torch")
def broadcast_shape(a, b):  # noqa: F811
    """torch.broadcast_shapes, its RuntimeError turned into a ValueError"""
    try:
        return torch.broadcast_shapes(a, b)
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None


@wrong("ch03.broadcast_shape", "without torch")
def broadcast_shape(a, b):  # noqa: F811
    """torch.broadcast_shapes converted to a tuple"""
    try:
        return tuple(torch.broadcast_shapes(a, b))
    except RuntimeError as exc:
        raise ValueError(str(exc)) from None


@wrong("ch03.broadcast_shape", "max() gets 1 vs 0 wrong")
def broadcast_shape(a, b):  # noqa: F811
    """max of each pair after the compatibility check"""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    if any(x != y and 1 not in (x, y) for x, y in zip(a, b)):
        raise ValueError("incompatible")
    return tuple(max(x, y) for x, y in zip(a, b))


@wrong("ch03.broadcast_shape", "expected")
def broadcast_shape(a, b):  # noqa: F811
    """zip from the right but drops the longer shape's extra axes"""
    out = []
    for x, y in zip(reversed(a), reversed(b)):
        if x != y and x != 1 and y != 1:
            raise ValueError("incompatible")
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


@correct("ch03.broadcast_shape")
def broadcast_shape(a, b):  # noqa: F811
    """walks from the right with negative indices"""
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        else:
            raise ValueError(f"{a} and {b} do not broadcast")
    return tuple(out[::-1])


@correct("ch03.broadcast_shape")
def broadcast_shape(a, b):  # noqa: F811
    """itertools.zip_longest over the reversed shapes"""
    import itertools

    out = []
    for x, y in itertools.zip_longest(reversed(a), reversed(b), fillvalue=1):
        if x != y and 1 not in (x, y):
            raise ValueError("incompatible shapes")
        out.append(x if y == 1 else y)
    return tuple(reversed(out))
