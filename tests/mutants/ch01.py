"""Wrong and alternative implementations for ch01 (see tests/mutants/__init__.py)."""
import math

import numpy as np
import torch

from tests.mutants import correct, wrong

# -- vector_from_list ------------------------------------------------------------------------


@wrong("ch01.vector_from_list", "dtype int64")
def vector_from_list(values):
    """torch.tensor infers int64 from a list of ints"""
    return torch.tensor(values)


@wrong("ch01.vector_from_list", "dtype float64")
def vector_from_list(values):  # noqa: F811
    """goes through NumPy, whose default float is float64"""
    return torch.from_numpy(np.array(values, dtype=float))


@wrong("ch01.vector_from_list", "returned a list")
def vector_from_list(values):  # noqa: F811
    """converts the values but never builds a tensor"""
    return [float(v) for v in values]


@wrong("ch01.vector_from_list", "adds an axis")
def vector_from_list(values):  # noqa: F811
    """wraps the list in another list: shape (1, n)"""
    return torch.tensor([values], dtype=torch.float32)


@correct("ch01.vector_from_list")
def vector_from_list(values):  # noqa: F811
    """the legacy torch.Tensor constructor, which is float32"""
    return torch.Tensor(values)


@correct("ch01.vector_from_list")
def vector_from_list(values):  # noqa: F811
    """as_tensor, then .float()"""
    return torch.as_tensor(values).float()


# -- matrix_from_rows ------------------------------------------------------------------------


@wrong("ch01.matrix_from_rows", "dtype int64")
def matrix_from_rows(rows):
    """no dtype: integer rows give int64"""
    return torch.tensor(rows)


@wrong("ch01.matrix_from_rows", "raised runtimeerror")
def matrix_from_rows(rows):  # noqa: F811
    """stacks row tensors: ragged rows raise RuntimeError, not ValueError"""
    return torch.stack([torch.tensor(r, dtype=torch.float32) for r in rows])


@wrong("ch01.matrix_from_rows", "but ragged rows")
def matrix_from_rows(rows):  # noqa: F811
    """pads short rows with zeros instead of raising"""
    width = max(len(r) for r in rows)
    return torch.tensor([list(r) + [0.] * (width - len(r)) for r in rows], dtype=torch.float32)


@wrong("ch01.matrix_from_rows", "but ragged rows")
def matrix_from_rows(rows):  # noqa: F811
    """truncates every row to the shortest one"""
    width = min(len(r) for r in rows)
    return torch.tensor([list(r)[:width] for r in rows], dtype=torch.float32)


@wrong("ch01.matrix_from_rows", "raised runtimeerror")
def matrix_from_rows(rows):  # noqa: F811
    """compares only the first two rows, then stacks"""
    if len(rows) > 1 and len(rows[0]) != len(rows[1]):
        raise ValueError("ragged rows")
    return torch.stack([torch.tensor(r, dtype=torch.float32) for r in rows])


@wrong("ch01.matrix_from_rows", "rows became columns")
def matrix_from_rows(rows):  # noqa: F811
    """returns the transpose"""
    return torch.tensor(rows, dtype=torch.float32).T


@correct("ch01.matrix_from_rows")
def matrix_from_rows(rows):  # noqa: F811
    """relies on torch.tensor, which raises ValueError for ragged rows itself"""
    return torch.tensor(rows, dtype=torch.float32)


@correct("ch01.matrix_from_rows")
def matrix_from_rows(rows):  # noqa: F811
    """explicit loop over the rows, then NumPy float32"""
    for r in rows:
        if len(r) != len(rows[0]):
            raise ValueError(f"row of length {len(r)}, expected {len(rows[0])}")
    return torch.from_numpy(np.array(rows, dtype=np.float32))


# -- zeros_int -------------------------------------------------------------------------------


@wrong("ch01.zeros_int", "dtype float32")
def zeros_int(n):
    """torch.zeros defaults to float32"""
    return torch.zeros(n)


@wrong("ch01.zeros_int", "dtype int32")
def zeros_int(n):  # noqa: F811
    """int32 is not int64"""
    return torch.zeros(n, dtype=torch.int32)


@wrong("ch01.zeros_int", "dtype float32")
def zeros_int(n):  # noqa: F811
    """torch.tensor of a list: an empty list (n = 0) becomes float32"""
    return torch.tensor([0] * n)


@wrong("ch01.zeros_int", "not an (n, n) matrix")
def zeros_int(n):  # noqa: F811
    """an n x n matrix of zeros"""
    return torch.zeros(n, n, dtype=torch.int64)


@wrong("ch01.zeros_int", "returned a list")
def zeros_int(n):  # noqa: F811
    """a Python list"""
    return [0] * n


@correct("ch01.zeros_int")
def zeros_int(n):  # noqa: F811
    """float zeros converted with .long()"""
    return torch.zeros(n).long()


@correct("ch01.zeros_int")
def zeros_int(n):  # noqa: F811
    """torch.full with an int fill value is int64"""
    return torch.full((n,), 0)


# -- ones_matrix -----------------------------------------------------------------------------


@wrong("ch01.ones_matrix", "rows come first")
def ones_matrix(rows, cols):
    """the arguments swapped"""
    return torch.ones(cols, rows)


@wrong("ch01.ones_matrix", "dtype int64")
def ones_matrix(rows, cols):  # noqa: F811
    """integer ones"""
    return torch.ones(rows, cols, dtype=torch.int64)


@wrong("ch01.ones_matrix", "a matrix has two axes")
def ones_matrix(rows, cols):  # noqa: F811
    """one flat row of rows * cols ones"""
    return torch.ones(rows * cols)


@wrong("ch01.ones_matrix", "dtype float64")
def ones_matrix(rows, cols):  # noqa: F811
    """double precision"""
    return torch.ones(rows, cols, dtype=torch.float64)


@correct("ch01.ones_matrix")
def ones_matrix(rows, cols):  # noqa: F811
    """zeros plus one, shape as a tuple"""
    return torch.zeros((rows, cols)) + 1


# -- filled ----------------------------------------------------------------------------------


@wrong("ch01.filled", "dtype int64")
def filled(shape, value):
    """torch.full infers int64 from an int value"""
    return torch.full(shape, value)


@wrong("ch01.filled", "truncated to an int")
def filled(shape, value):  # noqa: F811
    """int(value) drops the fraction"""
    return torch.full(shape, int(value), dtype=torch.float32)


@wrong("ch01.filled", "shape is reversed")
def filled(shape, value):  # noqa: F811
    """reverses the shape"""
    return torch.full(tuple(reversed(shape)), value, dtype=torch.float32)


@wrong("ch01.filled", "dtype float64")
def filled(shape, value):  # noqa: F811
    """double precision"""
    return torch.full(shape, value, dtype=torch.float64)


@correct("ch01.filled")
def filled(shape, value):  # noqa: F811
    """ones times value"""
    return torch.ones(shape) * value


@correct("ch01.filled")
def filled(shape, value):  # noqa: F811
    """empty then fill_"""
    return torch.empty(shape).fill_(value)


# -- arange_step -----------------------------------------------------------------------------


@wrong("ch01.arange_step", "torch.arange raises when the step points away")
def arange_step(start, stop, step):
    """plain torch.arange: raises for an empty range such as (5, 0, 1)"""
    return torch.arange(start, stop, step)


@wrong("ch01.arange_step", "stop is excluded")
def arange_step(start, stop, step):  # noqa: F811
    """includes stop"""
    if (stop - start) * step <= 0:
        return torch.empty(0, dtype=torch.int64)
    return torch.arange(start, stop + 1, step)


@wrong("ch01.arange_step", "dtype float32")
def arange_step(start, stop, step):  # noqa: F811
    """float values"""
    if (stop - start) * step <= 0:
        return torch.empty(0)
    return torch.arange(start, stop, step, dtype=torch.float32)


@wrong("ch01.arange_step", "dtype float32")
def arange_step(start, stop, step):  # noqa: F811
    """torch.tensor of the range: an empty range becomes float32"""
    return torch.tensor(list(range(start, stop, step)))


@wrong("ch01.arange_step", "step was ignored")
def arange_step(start, stop, step):  # noqa: F811
    """forgets the step"""
    if stop <= start:
        return torch.empty(0, dtype=torch.int64)
    return torch.arange(start, stop)


@correct("ch01.arange_step")
def arange_step(start, stop, step):  # noqa: F811
    """Python's range itself, with an explicit dtype"""
    return torch.tensor(list(range(start, stop, step)), dtype=torch.int64)


@correct("ch01.arange_step")
def arange_step(start, stop, step):  # noqa: F811
    """torch.arange unless the range is empty"""
    if len(range(start, stop, step)) == 0:
        return torch.zeros(0, dtype=torch.long)
    return torch.arange(start, stop, step)


# -- evenly_spaced ---------------------------------------------------------------------------


@wrong("ch01.evenly_spaced", "divide by num - 1")
def evenly_spaced(start, stop, num):
    """num gaps instead of num - 1: stop is never reached"""
    return start + (stop - start) * torch.arange(num) / num


@wrong("ch01.evenly_spaced", "one point too many")
def evenly_spaced(start, stop, num):  # noqa: F811
    """num + 1 points"""
    return torch.linspace(start, stop, num + 1)


@wrong("ch01.evenly_spaced", "zerodivisionerror")
def evenly_spaced(start, stop, num):  # noqa: F811
    """divides by num - 1 in Python: num = 1 raises"""
    return start + torch.arange(num) * ((stop - start) / (num - 1))


@wrong("ch01.evenly_spaced", "gives nan")
def evenly_spaced(start, stop, num):  # noqa: F811
    """divides by num - 1 as a tensor: num = 1 gives NaN"""
    return start + torch.arange(num) * (stop - start) / torch.tensor(num - 1.)


@wrong("ch01.evenly_spaced", "dtype float64")
def evenly_spaced(start, stop, num):  # noqa: F811
    """NumPy's linspace is float64"""
    return torch.from_numpy(np.linspace(start, stop, num))


@wrong("ch01.evenly_spaced", "one point too few")
def evenly_spaced(start, stop, num):  # noqa: F811
    """arange with the spacing as step: stop is excluded"""
    return torch.arange(start, stop, (stop - start) / (num - 1), dtype=torch.float32)


@correct("ch01.evenly_spaced")
def evenly_spaced(start, stop, num):  # noqa: F811
    """the formula in float64, with num = 1 handled"""
    i = torch.arange(num, dtype=torch.float64)
    return (start + (stop - start) * i / max(num - 1, 1)).float()


# -- uniform_random --------------------------------------------------------------------------


@wrong("ch01.uniform_random", "not from the global rng")
def uniform_random(shape, generator):
    """ignores the generator: the global RNG"""
    return torch.rand(shape)


@wrong("ch01.uniform_random", "do not re-seed anything")
def uniform_random(shape, generator):  # noqa: F811
    """seeds the global RNG from the generator instead of drawing from it"""
    torch.manual_seed(generator.initial_seed())
    return torch.rand(shape)


@wrong("ch01.uniform_random", "do not create or seed your own")
def uniform_random(shape, generator):  # noqa: F811
    """a fresh generator with a fixed seed"""
    return torch.rand(shape, generator=torch.Generator().manual_seed(0))


@wrong("ch01.uniform_random", "must lie in [0, 1)")
def uniform_random(shape, generator):  # noqa: F811
    """the normal distribution"""
    return torch.randn(shape, generator=generator)


@wrong("ch01.uniform_random", "the maximum is 1:")
def uniform_random(shape, generator):  # noqa: F811
    """a grid 0, 0.001, ..., 1.0 that includes 1"""
    return torch.randint(0, 1001, shape, generator=generator) / 1000


@wrong("ch01.uniform_random", "values are scaled")
def uniform_random(shape, generator):  # noqa: F811
    """scales into [0, 0.5)"""
    return torch.rand(shape, generator=generator) * 0.5


@wrong("ch01.uniform_random", "dtype float64")
def uniform_random(shape, generator):  # noqa: F811
    """double precision"""
    return torch.rand(shape, generator=generator, dtype=torch.float64)


@correct("ch01.uniform_random")
def uniform_random(shape, generator):  # noqa: F811
    """uniform_ in place on a fresh tensor"""
    return torch.empty(shape).uniform_(0, 1, generator=generator)


@correct("ch01.uniform_random")
def uniform_random(shape, generator):  # noqa: F811
    """sizes unpacked"""
    return torch.rand(*shape, generator=generator)


# -- normal_random ---------------------------------------------------------------------------


@wrong("ch01.normal_random", "passed the variance")
def normal_random(shape, mean, std, generator):
    """std**2 where the standard deviation belongs"""
    return torch.normal(mean, std ** 2, size=shape, generator=generator)


@wrong("ch01.normal_random", "mean is ignored")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """forgets to add the mean"""
    return torch.randn(shape, generator=generator) * std


@wrong("ch01.normal_random", "not from the global rng")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """the global RNG"""
    return torch.randn(shape) * std + mean


@wrong("ch01.normal_random", "torch.rand (uniform) scaled")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """rand instead of randn"""
    return torch.rand(shape, generator=generator) * std + mean


@wrong("ch01.normal_random", "68.3%")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """a uniform sample with the right mean and std is still not normal"""
    return (torch.rand(shape, generator=generator) - 0.5) * math.sqrt(12) * std + mean


@wrong("ch01.normal_random", "mean and std are swapped")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """mean and std exchanged in the formula"""
    return torch.randn(shape, generator=generator) * mean + std


@wrong("ch01.normal_random", "add the mean after scaling")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """(z + mean) * std"""
    return (torch.randn(shape, generator=generator) + mean) * std


@wrong("ch01.normal_random", "dtype float64")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """double precision"""
    return torch.normal(mean, std, size=shape, generator=generator, dtype=torch.float64)


@correct("ch01.normal_random")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """torch.normal with a size"""
    return torch.normal(mean, std, size=shape, generator=generator)


@correct("ch01.normal_random")
def normal_random(shape, mean, std, generator):  # noqa: F811
    """normal_ in place on a fresh tensor"""
    return torch.empty(shape).normal_(mean, std, generator=generator)


# -- identity --------------------------------------------------------------------------------


@wrong("ch01.identity", "only the diagonal is 1")
def identity(n):
    """all ones"""
    return torch.ones(n, n)


@wrong("ch01.identity", "dtype int64")
def identity(n):  # noqa: F811
    """integer identity"""
    return torch.eye(n, dtype=torch.int64)


@wrong("ch01.identity", "anti-diagonal")
def identity(n):  # noqa: F811
    """ones on the anti-diagonal"""
    return torch.eye(n).flip(1)


@wrong("ch01.identity", "dtype float64")
def identity(n):  # noqa: F811
    """double precision"""
    return torch.eye(n, dtype=torch.float64)


@correct("ch01.identity")
def identity(n):  # noqa: F811
    """a diagonal of ones"""
    return torch.diag(torch.ones(n))


@correct("ch01.identity")
def identity(n):  # noqa: F811
    """zeros with the diagonal filled"""
    return torch.zeros(n, n).fill_diagonal_(1)


# -- transpose_matrix ------------------------------------------------------------------------


@wrong("ch01.transpose_matrix", "reshape keeps the row-major order")
def transpose_matrix(m):
    """reshape instead of transpose"""
    return m.reshape(m.shape[1], m.shape[0])


@wrong("ch01.transpose_matrix", "returned m unchanged")
def transpose_matrix(m):  # noqa: F811
    """returns m itself"""
    return m


@wrong("ch01.transpose_matrix", "modified its input")
def transpose_matrix(m):  # noqa: F811
    """t_() transposes the input in place"""
    return m.t_()


@wrong("ch01.transpose_matrix", "keep the input's dtype")
def transpose_matrix(m):  # noqa: F811
    """converts to float32"""
    return m.T.float()


@correct("ch01.transpose_matrix")
def transpose_matrix(m):  # noqa: F811
    """transpose(0, 1)"""
    return m.transpose(0, 1)


@correct("ch01.transpose_matrix")
def transpose_matrix(m):  # noqa: F811
    """a copy built column by column"""
    return torch.stack([m[:, j] for j in range(m.shape[1])])


# -- tensor_info -----------------------------------------------------------------------------


@wrong("ch01.tensor_info", "a list is not a tuple")
def tensor_info(t):
    """the shape as a list"""
    return {"ndim": t.dim(), "shape": list(t.shape), "numel": t.numel(), "dtype": t.dtype}


@wrong("ch01.tensor_info", "not a string")
def tensor_info(t):  # noqa: F811
    """the dtype as a string"""
    return {"ndim": t.dim(), "shape": t.shape, "numel": t.numel(), "dtype": str(t.dtype)}


@wrong("ch01.tensor_info", "size of the first axis")
def tensor_info(t):  # noqa: F811
    """len(t) as ndim"""
    return {"ndim": len(t), "shape": t.shape, "numel": t.numel(), "dtype": t.dtype}


@wrong("ch01.tensor_info", "you summed the sizes")
def tensor_info(t):  # noqa: F811
    """numel as the sum of the sizes"""
    return {"ndim": t.dim(), "shape": t.shape, "numel": sum(t.shape), "dtype": t.dtype}


@wrong("ch01.tensor_info", "(tensor)")
def tensor_info(t):  # noqa: F811
    """numel as a 0-d tensor"""
    return {"ndim": t.dim(), "shape": t.shape, "numel": torch.tensor(t.shape).prod(),
            "dtype": t.dtype}


@wrong("ch01.tensor_info", "expected a dict")
def tensor_info(t):  # noqa: F811
    """a tuple instead of a dict"""
    return (t.dim(), t.shape, t.numel(), t.dtype)


@correct("ch01.tensor_info")
def tensor_info(t):  # noqa: F811
    """dict(), tuple(size()) and math.prod"""
    return dict(ndim=t.ndim, shape=tuple(t.size()), numel=math.prod(t.shape), dtype=t.dtype)


# -- random_ints -----------------------------------------------------------------------------


@wrong("ch01.random_ints", "never appear")
def random_ints(high, shape, generator):
    """high - 1 as the exclusive bound: the largest value never appears"""
    return torch.randint(0, max(high - 1, 1), shape, generator=generator)


@wrong("ch01.random_ints", "already excludes high")
def random_ints(high, shape, generator):  # noqa: F811
    """high + 1: high itself can appear"""
    return torch.randint(0, high + 1, shape, generator=generator)


@wrong("ch01.random_ints", "not from the global rng")
def random_ints(high, shape, generator):  # noqa: F811
    """the global RNG"""
    return torch.randint(high, shape)


@wrong("ch01.random_ints", "dtype int32")
def random_ints(high, shape, generator):  # noqa: F811
    """int32"""
    return torch.randint(high, shape, generator=generator, dtype=torch.int32)


@wrong("ch01.random_ints", "must lie in [0, ")
def random_ints(high, shape, generator):  # noqa: F811
    """rounds scaled uniforms: high itself appears"""
    return (torch.rand(shape, generator=generator) * high).round().long()


@wrong("ch01.random_ints", "dtype float32")
def random_ints(high, shape, generator):  # noqa: F811
    """converted to float"""
    return torch.randint(high, shape, generator=generator).float()


@correct("ch01.random_ints")
def random_ints(high, shape, generator):  # noqa: F811
    """floor of scaled uniforms"""
    return (torch.rand(shape, generator=generator) * high).long()


@correct("ch01.random_ints")
def random_ints(high, shape, generator):  # noqa: F811
    """random_ in place on an int64 tensor"""
    return torch.empty(shape, dtype=torch.long).random_(0, high, generator=generator)


# -- with_element_set ------------------------------------------------------------------------


@wrong("ch01.with_element_set", "modified its input")
def with_element_set(t, index, value):
    """writes into t and returns it"""
    t[index] = value
    return t


@wrong("ch01.with_element_set", "shares memory with an input")
def with_element_set(t, index, value):  # noqa: F811
    """detach() is not a copy"""
    out = t.detach()
    out[index] = value
    return out


@wrong("ch01.with_element_set", "set a whole row")
def with_element_set(t, index, value):  # noqa: F811
    """uses only the first index"""
    out = t.clone()
    out[index[0]] = value
    return out


@wrong("ch01.with_element_set", "expected dtype float64, got float32")
def with_element_set(t, index, value):  # noqa: F811
    """copies through a Python list, losing float64"""
    out = torch.tensor(t.tolist(), device=t.device)
    out[index] = value
    return out


@wrong("ch01.with_element_set", "truncated to an int")
def with_element_set(t, index, value):  # noqa: F811
    """stores int(value)"""
    out = t.clone()
    out[index] = int(value)
    return out


@wrong("ch01.with_element_set", "index is reversed")
def with_element_set(t, index, value):  # noqa: F811
    """reverses the index"""
    out = t.clone()
    out[tuple(reversed(index))] = value
    return out


@correct("ch01.with_element_set")
def with_element_set(t, index, value):  # noqa: F811
    """a boolean mask and torch.where"""
    mask = torch.zeros_like(t, dtype=torch.bool)
    mask[index] = True
    return torch.where(mask, torch.tensor(value, dtype=t.dtype, device=t.device), t)


@correct("ch01.with_element_set")
def with_element_set(t, index, value):  # noqa: F811
    """flat copy, then one write at the row-major offset"""
    flat = t.reshape(-1).clone()
    flat[int(np.ravel_multi_index(index, tuple(t.shape)))] = value
    return flat.reshape(t.shape)


# -- numpy_to_float32_tensor -----------------------------------------------------------------


@wrong("ch01.numpy_to_float32_tensor", "shares memory with a")
def numpy_to_float32_tensor(a):
    """from_numpy: a's dtype and a's memory"""
    return torch.from_numpy(a)


@wrong("ch01.numpy_to_float32_tensor", "shares memory with a")
def numpy_to_float32_tensor(a):  # noqa: F811
    """from_numpy then .float(): no copy when a is already float32"""
    return torch.from_numpy(a).float()


@wrong("ch01.numpy_to_float32_tensor", "shares memory with a")
def numpy_to_float32_tensor(a):  # noqa: F811
    """as_tensor reuses a float32 array's memory"""
    return torch.as_tensor(a, dtype=torch.float32)


@wrong("ch01.numpy_to_float32_tensor", "dtype int64")
def numpy_to_float32_tensor(a):  # noqa: F811
    """torch.tensor keeps a's dtype"""
    return torch.tensor(a)


@wrong("ch01.numpy_to_float32_tensor", "dtype float64")
def numpy_to_float32_tensor(a):  # noqa: F811
    """double precision"""
    return torch.tensor(a, dtype=torch.float64)


@correct("ch01.numpy_to_float32_tensor")
def numpy_to_float32_tensor(a):  # noqa: F811
    """astype copies by default, then from_numpy"""
    return torch.from_numpy(a.astype(np.float32))


@correct("ch01.numpy_to_float32_tensor")
def numpy_to_float32_tensor(a):  # noqa: F811
    """from_numpy, float, clone"""
    return torch.from_numpy(a).float().clone()
