"""ch01 - Creating tensors.

Tensors from Python lists and NumPy arrays, tensors filled with constants, ranges and random
numbers, and the attributes every tensor carries (shape, dtype, number of elements).
"""
import numpy
import torch
from torch import Tensor

from solutions.registry import Example, exercise

T = "torch.tensor"
G = "torch.Generator().manual_seed"


@exercise("ch01.vector_from_list", points=1, book="P1, P2", examples=[
    Example("vector_from_list([1.5, -2.0, 3.0])", expect=f"{T}([1.5, -2.0, 3.0])"),
    Example("vector_from_list([1, 2, 3])", expect=f"{T}([1., 2., 3.])")],
    hints=(
        "Build the tensor straight from the Python list, and ask for the float type yourself: a "
        "list of ints alone would give an integer tensor.",
        "torch.tensor(...) with its dtype= keyword set to torch.float32; without it [1, 2, 3] "
        "becomes int64.",
        "return torch.tensor(values, dtype=___)"),
    stars=1, minutes=3)
def vector_from_list(values: list[float]) -> Tensor:
    """A 1-D float32 tensor holding the values of a Python list.

    Args:
        values: a non-empty list of n Python numbers (floats, or ints such as [1, 2, 3]).
    Returns:
        (n,) tensor, dtype float32 even when every value is an int.
    Example:
        >>> vector_from_list([1, 2, 3])
        tensor([1., 2., 3.])
    """
    ### BEGIN SOLUTION
    return torch.tensor(values, dtype=torch.float32)  # (n,)
    ### END SOLUTION


@exercise("ch01.matrix_from_rows", points=1, book="P3", examples=[
    Example("matrix_from_rows([[1, 2, 3], [4, 5, 6]])",
            expect=f"{T}([[1., 2., 3.], [4., 5., 6.]])"),
    Example("matrix_from_rows([[1., 2.], [3.]])", raises="ValueError")],
    hints=(
        "First check that every row has the same length and raise ValueError yourself when they "
        "differ; then build the float matrix from the nested list (row i becomes out[i]).",
        "len() of each row (a set of the lengths has one element when they agree), raise "
        "ValueError(...), then torch.tensor(rows, dtype=torch.float32).",
        "if len({___ for row in rows}) > 1:\n"
        "    raise ValueError('ragged rows')\n"
        "return torch.tensor(rows, dtype=___)"),
    stars=2, minutes=6)
def matrix_from_rows(rows: list[list[float]]) -> Tensor:
    """A 2-D float32 tensor from a list of rows.

    Args:
        rows: N lists, each of D Python numbers (row i becomes out[i]).
    Returns:
        (N, D) tensor, dtype float32 even when every value is an int.
    Raises:
        ValueError: when the rows do not all have the same length (ragged rows).
    Example:
        >>> matrix_from_rows([[1, 2, 3], [4, 5, 6]])
        tensor([[1., 2., 3.],
                [4., 5., 6.]])
        >>> matrix_from_rows([[1., 2.], [3.]])
        Traceback (most recent call last):
        ValueError: ...
    """
    ### BEGIN SOLUTION
    if len({len(row) for row in rows}) > 1:
        raise ValueError(f"ragged rows: lengths {[len(row) for row in rows]}")
    return torch.tensor(rows, dtype=torch.float32)  # (N, D)
    ### END SOLUTION


@exercise("ch01.zeros_int", points=1, book="P4", examples=[
    Example("zeros_int(3)", expect=f"{T}([0, 0, 0])")],
    hints=(
        "A tensor filled with zeros, in the integer type torch uses for indices and counts.",
        "torch.zeros(...) with dtype=torch.int64 (also called torch.long); its default dtype is "
        "float32, the pitfall here.",
        "return torch.zeros(___, dtype=___)"),
    stars=1, minutes=2)
def zeros_int(n: int) -> Tensor:
    """n zeros as integers.

    Args:
        n: number of entries (n >= 0).
    Returns:
        (n,) tensor of zeros, dtype int64 (torch.long).
    Example:
        >>> zeros_int(3)
        tensor([0, 0, 0])
    """
    ### BEGIN SOLUTION
    return torch.zeros(n, dtype=torch.int64)  # (n,)
    ### END SOLUTION


@exercise("ch01.ones_matrix", points=1, book="P5", examples=[
    Example("ones_matrix(2, 3)", expect="torch.tensor([[1., 1., 1.], [1., 1., 1.]])")],
    hints=(
        "A tensor filled with ones, of shape rows x cols.",
        "torch.ones(...) takes the sizes as separate arguments or as one tuple; it is float32 by "
        "default (dtype=torch.float32 makes that explicit).",
        "return torch.___(___, ___, dtype=torch.float32)"),
    stars=1, minutes=2)
def ones_matrix(rows: int, cols: int) -> Tensor:
    """A matrix of ones.

    Args:
        rows: number of rows N.
        cols: number of columns D.
    Returns:
        (N, D) tensor of ones, dtype float32.
    Example:
        >>> ones_matrix(2, 3)
        tensor([[1., 1., 1.],
                [1., 1., 1.]])
    """
    ### BEGIN SOLUTION
    return torch.ones(rows, cols, dtype=torch.float32)  # (N, D)
    ### END SOLUTION


@exercise("ch01.filled", points=1, book="P6", examples=[
    Example("filled((2, 2), 7)", expect=f"{T}([[7., 7.], [7., 7.]])"),
    Example("filled((3,), -0.5)", expect=f"{T}([-0.5, -0.5, -0.5])")],
    hints=(
        "One call creates a tensor of a given shape where every entry is the same value.",
        "torch.full(shape, value, ...) with dtype=torch.float32: without it an int value such as "
        "7 gives an int64 tensor.",
        "return torch.full(___, ___, dtype=___)"),
    stars=1, minutes=3)
def filled(shape: tuple[int, ...], value: float) -> Tensor:
    """A tensor of any shape with every entry equal to ``value``.

    Args:
        shape: the result's shape, a tuple of sizes such as (2, 3) or (4,).
        value: the fill value; an int such as 7 still gives a float32 tensor.
    Returns:
        tensor of shape ``shape``, dtype float32, every entry ``value``.
    Example:
        >>> filled((2, 2), 7)
        tensor([[7., 7.],
                [7., 7.]])
    """
    ### BEGIN SOLUTION
    return torch.full(shape, value, dtype=torch.float32)  # shape
    ### END SOLUTION


@exercise("ch01.arange_step", points=1, book="P7", examples=[
    Example("arange_step(2, 11, 3)", expect=f"{T}([2, 5, 8])"),
    Example("arange_step(10, 0, -4)", expect=f"{T}([10, 6, 2])"),
    Example("arange_step(5, 0, 1)", expect=f"{T}([], dtype=torch.int64)")],
    hints=(
        "A range of integers with a step, like Python's range. Handle the empty case yourself "
        "first: when the step points away from stop (or start == stop) nothing is produced.",
        "torch.arange(start, stop, step, dtype=torch.int64) for the normal case (it raises when "
        "the step points away from stop); torch.empty(0, dtype=torch.int64) for an empty range.",
        "if ___:  # empty: the step points away from stop, or start == stop\n"
        "    return torch.empty(0, dtype=torch.int64)\n"
        "return torch.arange(___, ___, ___, dtype=torch.int64)"),
    stars=2, minutes=8)
def arange_step(start: int, stop: int, step: int) -> Tensor:
    """The integers of Python's ``range(start, stop, step)`` as a tensor.

    ``start`` is included and ``stop`` is not; a negative ``step`` counts down. When the range
    is empty (``list(range(5, 0, 1))`` is ``[]``) the result is an empty tensor: note that
    ``torch.arange`` raises instead when the step points away from ``stop``.

    Args:
        start: first value.
        stop: the end, excluded.
        step: non-zero increment, may be negative.
    Returns:
        (len(range(start, stop, step)),) tensor, dtype int64.
    Example:
        >>> arange_step(2, 11, 3)
        tensor([2, 5, 8])
        >>> arange_step(10, 0, -4)
        tensor([10,  6,  2])
    """
    ### BEGIN SOLUTION
    if (stop - start) * step <= 0:  # empty range; torch.arange rejects a step pointing away
        return torch.empty(0, dtype=torch.int64)  # (0,)
    return torch.arange(start, stop, step, dtype=torch.int64)  # (len(range),)
    ### END SOLUTION


@exercise("ch01.evenly_spaced", points=1, book="P8", examples=[
    Example("evenly_spaced(0., 1., 5)", expect=f"{T}([0., 0.25, 0.5, 0.75, 1.])"),
    Example("evenly_spaced(2., 3., 1)", expect=f"{T}([2.])")],
    hints=(
        "You know how many points you want, not the step: spread num points from start to stop, "
        "both ends included.",
        "torch.linspace(start, stop, steps, dtype=torch.float32); not torch.arange, whose end is "
        "excluded and whose float step accumulates rounding.",
        "return torch.linspace(___, ___, ___, dtype=torch.float32)"),
    stars=1, minutes=4)
def evenly_spaced(start: float, stop: float, num: int) -> Tensor:
    """``num`` evenly spaced points from ``start`` to ``stop``, both ends included.

    Args:
        start: the first point.
        stop: the last point (included); may be smaller than ``start``.
        num: number of points (num >= 1); with num == 1 the only point is ``start``.
    Returns:
        (num,) tensor, dtype float32, with out[0] = start and out[-1] = stop (for num > 1).
    Example:
        >>> evenly_spaced(0., 1., 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    ### BEGIN SOLUTION
    return torch.linspace(start, stop, num, dtype=torch.float32)  # (num,)
    ### END SOLUTION


@exercise("ch01.uniform_random", points=1, book="P9", rand=True, examples=[
    Example(f"uniform_random((2, 3), {G}(0))",
            check="out.shape == (2, 3) and out.dtype == torch.float32 "
                  "and bool(((out >= 0) & (out < 1)).all())",
            says="a float32 tensor of shape (2, 3) with every entry in [0, 1)"),
    Example(f"torch.equal(uniform_random((4,), {G}(7)), uniform_random((4,), {G}(7)))",
            check="out is True", says="the same draws from two generators seeded equally")],
    hints=(
        "Draw uniform numbers in [0, 1) of the requested shape, every one of them from the "
        "generator you are given, never from torch's global random state.",
        "torch.rand(shape, generator=..., dtype=torch.float32); without generator= the draws "
        "come from the global seed and two equal generators no longer give equal results.",
        "return torch.rand(___, generator=___, dtype=torch.float32)"),
    stars=1, minutes=4)
def uniform_random(shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    """Uniform random numbers in [0, 1), drawn from ``generator``.

    Args:
        shape: the result's shape, a tuple of sizes such as (2, 3).
        generator: a CPU ``torch.Generator``; every random number comes from it, so two
            generators seeded equally give equal results.
    Returns:
        tensor of shape ``shape``, dtype float32, on the CPU, entries uniform in [0, 1).
    Example:
        >>> out = uniform_random((2, 3), torch.Generator().manual_seed(0))
        >>> out.shape, out.dtype, bool(((out >= 0) & (out < 1)).all())
        (torch.Size([2, 3]), torch.float32, True)
    """
    ### BEGIN SOLUTION
    return torch.rand(shape, generator=generator, dtype=torch.float32)  # shape
    ### END SOLUTION


@exercise("ch01.normal_random", points=1, book="P10", rand=True, examples=[
    Example(f"normal_random((2, 3), 5.0, 2.0, {G}(0))",
            check="out.shape == (2, 3) and out.dtype == torch.float32",
            says="a float32 tensor of shape (2, 3)"),
    Example(f"normal_random((100000,), 5.0, 2.0, {G}(0))",
            check="abs(out.mean().item() - 5.0) < 0.05 and abs(out.std().item() - 2.0) < 0.05",
            says="a sample mean close to 5 and a sample standard deviation close to 2"),
    Example(f"torch.equal(normal_random((4,), 0., 1., {G}(7)), "
            f"normal_random((4,), 0., 1., {G}(7)))",
            check="out is True", says="the same draws from two generators seeded equally")],
    hints=(
        "Draw standard normal samples (mean 0, std 1) from the generator, then stretch them by "
        "std and move them by mean.",
        "torch.randn(shape, generator=generator, dtype=torch.float32), then * and +. std is the "
        "standard deviation already: do not take its square root (or square it).",
        "z = torch.randn(___, generator=___, dtype=torch.float32)  # N(0, 1)\n"
        "return z * ___ + ___"),
    stars=2, minutes=6)
def normal_random(shape: tuple[int, ...], mean: float, std: float,
                  generator: torch.Generator) -> Tensor:
    """Samples of the normal distribution N(mean, std^2), drawn from ``generator``.

    Args:
        shape: the result's shape, a tuple of sizes such as (2, 3).
        mean: the distribution's mean.
        std: its standard deviation (not the variance), std > 0.
        generator: a CPU ``torch.Generator``; every random number comes from it.
    Returns:
        tensor of shape ``shape``, dtype float32, on the CPU.
    Example:
        >>> out = normal_random((100000,), 5.0, 2.0, torch.Generator().manual_seed(0))
        >>> round(out.mean().item(), 1), round(out.std().item(), 1)
        (5.0, 2.0)
    """
    ### BEGIN SOLUTION
    z = torch.randn(shape, generator=generator, dtype=torch.float32)  # shape, N(0, 1)
    return z * std + mean  # shape, N(mean, std^2)
    ### END SOLUTION


@exercise("ch01.identity", points=1, book="P11", examples=[
    Example("identity(3)", expect=f"{T}([[1., 0., 0.], [0., 1., 0.], [0., 0., 1.]])")],
    hints=(
        "The square matrix with ones on its main diagonal and zeros elsewhere has its own "
        "constructor.",
        "torch.eye(n) (float32 by default; dtype=torch.float32 makes it explicit).",
        "return torch.___(n, dtype=___)"),
    stars=1, minutes=2)
def identity(n: int) -> Tensor:
    """The n x n identity matrix.

    Args:
        n: the size (n >= 1).
    Returns:
        (n, n) tensor, dtype float32: 1 on the main diagonal, 0 elsewhere.
    Example:
        >>> identity(3)
        tensor([[1., 0., 0.],
                [0., 1., 0.],
                [0., 0., 1.]])
    """
    ### BEGIN SOLUTION
    return torch.eye(n, dtype=torch.float32)  # (n, n)
    ### END SOLUTION


@exercise("ch01.transpose_matrix", points=1, book="P11", examples=[
    Example(f"transpose_matrix({T}([[1., 2., 3.], [4., 5., 6.]]))",
            expect=f"{T}([[1., 4.], [2., 5.], [3., 6.]])")],
    hints=(
        "Swap the two axes so rows become columns; no copy is needed, a view is fine.",
        "The .T attribute of a 2-D tensor, or .transpose(0, 1) (the same view).",
        "return m.___  # (N, D) -> (D, N)"),
    stars=1, minutes=2)
def transpose_matrix(m: Tensor) -> Tensor:
    """The transpose: rows become columns.

    Args:
        m: (N, D) matrix of any dtype.
    Returns:
        (D, N) with out[j, i] = m[i, j], in m's dtype and on m's device (a view is fine).
    Example:
        >>> transpose_matrix(torch.tensor([[1., 2., 3.], [4., 5., 6.]]))
        tensor([[1., 4.],
                [2., 5.],
                [3., 6.]])
    """
    ### BEGIN SOLUTION
    return m.T  # (N, D) -> (D, N)
    ### END SOLUTION


@exercise("ch01.tensor_info", points=1, book="P12", examples=[
    Example("tensor_info(torch.zeros(2, 3))",
            expect='{"ndim": 2, "shape": torch.Size([2, 3]), "numel": 6, "dtype": torch.float32}'),
    Example(f"tensor_info({T}(5, dtype=torch.int64))",
            expect='{"ndim": 0, "shape": torch.Size([]), "numel": 1, "dtype": torch.int64}')],
    hints=(
        "Each value is an attribute or a method of the tensor itself; put the four in a dict "
        "with exactly these keys.",
        "t.dim() (or t.ndim), t.shape, t.numel(), t.dtype. Keep dtype the torch.dtype object "
        "(not str(t.dtype)) and shape a tuple or torch.Size (not a list).",
        'return {"ndim": ___, "shape": ___, "numel": ___, "dtype": ___}'),
    stars=1, minutes=4)
def tensor_info(t: Tensor) -> dict:
    """The basic attributes of a tensor, as a dict.

    Args:
        t: a tensor of any shape (0-d included), dtype and device.
    Returns:
        {"ndim": int, number of axes;
         "shape": tuple of ints (a torch.Size is fine, a list is not);
         "numel": int, number of entries (1 for a 0-d tensor);
         "dtype": the torch.dtype itself, such as torch.float32 (not a string)}.
    Example:
        >>> tensor_info(torch.zeros(2, 3))
        {'ndim': 2, 'shape': torch.Size([2, 3]), 'numel': 6, 'dtype': torch.float32}
    """
    ### BEGIN SOLUTION
    return {"ndim": t.dim(), "shape": t.shape, "numel": t.numel(), "dtype": t.dtype}
    ### END SOLUTION


@exercise("ch01.random_ints", points=1, book="P12", rand=True, examples=[
    Example(f"random_ints(5, (3, 4), {G}(0))",
            check="out.shape == (3, 4) and out.dtype == torch.int64 "
                  "and bool(((out >= 0) & (out < 5)).all())",
            says="an int64 tensor of shape (3, 4) with every entry in 0..4"),
    Example(f"random_ints(3, (1000,), {G}(0)).unique()", expect=f"{T}([0, 1, 2])"),
    Example(f"torch.equal(random_ints(10, (4,), {G}(7)), random_ints(10, (4,), {G}(7)))",
            check="out is True", says="the same draws from two generators seeded equally")],
    hints=(
        "Draw integers uniformly from 0 up to high, high itself excluded, all from the given "
        "generator.",
        "torch.randint(low, high, size, generator=..., dtype=torch.int64): its high is exclusive "
        "already, so pass high, not high - 1.",
        "return torch.randint(___, ___, ___, generator=___, dtype=torch.int64)"),
    stars=2, minutes=5)
def random_ints(high: int, shape: tuple[int, ...], generator: torch.Generator) -> Tensor:
    """Uniform random integers in [0, high), drawn from ``generator``.

    Args:
        high: one more than the largest possible value (high >= 1); 0 is the smallest.
        shape: the result's shape, a tuple of sizes such as (3, 4).
        generator: a CPU ``torch.Generator``; every random number comes from it.
    Returns:
        tensor of shape ``shape``, dtype int64, on the CPU; every value 0..high-1 equally likely.
    Example:
        >>> random_ints(3, (1000,), torch.Generator().manual_seed(0)).unique()
        tensor([0, 1, 2])
    """
    ### BEGIN SOLUTION
    return torch.randint(0, high, shape, generator=generator, dtype=torch.int64)  # shape
    ### END SOLUTION


@exercise("ch01.with_element_set", points=1, book="P34", examples=[
    Example(f"with_element_set({T}([[1., 2.], [3., 4.]]), (0, 1), 9.)",
            expect=f"{T}([[1., 9.], [3., 4.]])")],
    hints=(
        "Make your own copy of t first, then write the one entry into the copy: writing into t, "
        "or into a view of it, changes the caller's tensor.",
        ".clone() for an independent copy, then item assignment out[index] = value (a tuple "
        "index picks one entry, one int per axis).",
        "out = ___  # a copy, not a view\n"
        "out[___] = value\n"
        "return out"),
    stars=2, minutes=5)
def with_element_set(t: Tensor, index: tuple[int, ...], value: float) -> Tensor:
    """A copy of t with the one entry at ``index`` replaced by ``value``.

    Args:
        t: a tensor of any shape, dtype and device; it must not be modified.
        index: one non-negative int per axis of t, such as (0, 1) for a matrix.
        value: the new entry (stored in t's dtype).
    Returns:
        a new tensor of t's shape, dtype and device that does not share memory with t, equal
        to t except out[index] == value.
    Example:
        >>> t = torch.tensor([[1., 2.], [3., 4.]])
        >>> with_element_set(t, (0, 1), 9.)
        tensor([[1., 9.],
                [3., 4.]])
        >>> t
        tensor([[1., 2.],
                [3., 4.]])
    """
    ### BEGIN SOLUTION
    out = t.clone()  # same shape, its own memory
    out[index] = value
    return out
    ### END SOLUTION


@exercise("ch01.numpy_to_float32_tensor", points=1, book="P43, P60", examples=[
    Example("numpy_to_float32_tensor(torch.tensor([[1, 2], [3, 4]]).numpy())",
            expect=f"{T}([[1., 2.], [3., 4.]])")],
    hints=(
        "Convert the array to a float32 tensor that owns its memory: later changes to the array "
        "must not show in the result.",
        "torch.tensor(a, dtype=torch.float32) always copies. torch.from_numpy and "
        "torch.as_tensor may share a's memory, and .float() on a float32 tensor returns that "
        "same tensor.",
        "return torch.___(a, dtype=___)  # must copy"),
    stars=2, minutes=5)
def numpy_to_float32_tensor(a: numpy.ndarray) -> Tensor:
    """A float32 tensor with the values of a NumPy array, in its own memory.

    Args:
        a: a NumPy array of any shape and numeric dtype (float64, float32, int64, ...).
    Returns:
        tensor of a's shape, dtype float32, on the CPU, that does not share memory with a:
        changing a afterwards must not change the result (torch.from_numpy shares memory).
    Example:
        >>> a = numpy.array([[1, 2], [3, 4]])
        >>> out = numpy_to_float32_tensor(a)
        >>> a[0, 0] = 100
        >>> out
        tensor([[1., 2.],
                [3., 4.]])
    """
    ### BEGIN SOLUTION
    return torch.tensor(a, dtype=torch.float32)  # a.shape, always a copy
    ### END SOLUTION
