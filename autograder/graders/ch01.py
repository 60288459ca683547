"""Hidden graders for ch01 - Creating tensors.

Oracles are torch built-ins and plain Python (``range``, ``torch.linspace`` in float64, nested
lists), never solutions/. The creation exercises build their result from scratch on the CPU,
so they are held to the exact dtype the catalog fixes (float32 even from ints, int64 for
integers) and to the shape and values, on sizes down to 1 (and 0 where a size may be 0).
Exercises that take a tensor keep its dtype and device and never modify it.

The rand exercises are graded by properties, never by one draw order: equal seeds give equal
results whatever the global RNG does in between, other seeds give other results, the
generator's own state advances, and shape, dtype, range and the moments of a large sample are
right (within 6 standard errors, so a correct answer fails with negligible probability).
"""
import math

import numpy as np
import torch

from autograder.checks import rand
from autograder.checks.grading import FLOATS
from autograder.graders import grader

t = torch.tensor
SAMPLE = (80, 250)  # 20000 draws for the moment checks, two different sizes


# -- calling and comparing -----------------------------------------------------------------

def _dt(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _dtype_hint(want: torch.dtype) -> str:
    if want == torch.int64:
        return ("torch.zeros, torch.ones and torch.rand give float32 unless told otherwise, and "
                "int32 is not int64: pass dtype=torch.int64")
    return ("torch.tensor and torch.full infer int64 from Python ints, and NumPy arrays are "
            "float64 by default: pass dtype=torch.float32")


def _made(g, check: str, args: tuple, want: torch.Tensor, mistakes=None, hint: str = ""):
    """Call an exercise that builds a tensor from plain arguments and compare with ``want``.

    ``want`` is a CPU tensor of the dtype the catalog fixes. ``mistakes`` maps a message to a
    wrong oracle over the same arguments (it may give another shape); ``hint`` is added when
    the call raises.
    """
    out = g.call(check, *args, hint=hint)
    if out is None:
        return None
    call = g.call_text(args)
    g.inputs_unchanged(out, args)
    got = out.value
    if not rand.tensor_of(g, check, call, got, want.dtype, _dtype_hint(want.dtype)):
        return out
    msg = g.difference(got, want, args, mistakes)  # shape first, naming the likely mistake
    g.check(check, msg is None, f"{call}: {msg}")
    return out


# -- creating tensors from values ----------------------------------------------------------

def _values(g, *shape: int) -> torch.Tensor:
    """Random float64 values on the CPU, not all integral."""
    return g.randn(*shape, dtype=torch.float64, scale=5.0).cpu()


def _ints(g, *shape: int) -> torch.Tensor:
    return (g.randn(*shape, dtype=torch.float64, scale=20.0).round().to("cpu", torch.int64))


@grader("ch01.vector_from_list")
def vector_from_list(g):
    mistakes = {"pass the list itself: torch.tensor([values]) adds an axis":
                lambda v: t([v], dtype=torch.float32)}
    _made(g, "book_example", ([1.5, -2.0, 3.0],), t([1.5, -2.0, 3.0]), mistakes)
    _made(g, "from_ints", ([1, 2, 3],), t([1., 2., 3.]), mistakes)
    for n in (1, *g.dims(2, hi=12)):
        floats = _values(g, n)
        _made(g, "random_floats", (floats.tolist(),), floats.float(), mistakes)
        ints = _ints(g, n)
        _made(g, "random_ints", (ints.tolist(),), ints.float(), mistakes)


@grader("ch01.matrix_from_rows")
def matrix_from_rows(g):
    mistakes = {"the rows became columns: row i of the list is out[i]":
                lambda rows: t(rows, dtype=torch.float32).T}
    _made(g, "book_example", ([[1, 2, 3], [4, 5, 6]],), t([[1., 2., 3.], [4., 5., 6.]]),
          mistakes)
    a, b = g.dims(2)
    for n, d in ((1, 1), (1, a), (a, 1), (a, b), tuple(g.dims(2))):
        m = _values(g, n, d)
        _made(g, "random_floats", (m.tolist(),), m.float(), mistakes)
        m = _ints(g, n, d)
        _made(g, "random_ints", (m.tolist(),), m.float(), mistakes)
    row = _values(g, max(a, b) + 1).tolist()
    for lengths in ((a, a - 1), (a, a + 1), (b, b, b - 1), (a, a + 2, a), (2, 0)):
        rows = [row[:k] for k in lengths]
        g.raises("ragged_rows", (rows,), "ValueError",
                f"ragged rows (lengths {list(lengths)})")


# -- constant tensors ----------------------------------------------------------------------

@grader("ch01.zeros_int")
def zeros_int(g):
    mistakes = {"n zeros make a vector of shape (n,), not an (n, n) matrix":
                lambda n: torch.zeros(n, n, dtype=torch.int64)}
    _made(g, "book_example", (3,), t([0, 0, 0]), mistakes)
    for n in (0, 1, *g.dims(3, hi=20)):
        _made(g, "random_sizes", (n,), t([0] * n, dtype=torch.int64), mistakes)


@grader("ch01.ones_matrix")
def ones_matrix(g):
    mistakes = {"rows come first: ones_matrix(rows, cols) has `rows` rows":
                lambda r, c: torch.ones(c, r),
                "a matrix has two axes: torch.ones(rows, cols), not rows * cols entries in a row":
                lambda r, c: torch.ones(r * c)}
    _made(g, "book_example", (2, 3), t([[1., 1., 1.], [1., 1., 1.]]), mistakes)
    a, b = g.dims(2)
    for r, c in ((1, 1), (1, a), (a, 1), (a, b), (b, a)):
        _made(g, "random_sizes", (r, c), t([[1.] * c for _ in range(r)]), mistakes)


@grader("ch01.filled")
def filled(g):
    mistakes = {"the value was truncated to an int": lambda s, v: torch.full(s, float(int(v))),
                "the shape is reversed": lambda s, v: torch.full(s[::-1], float(v))}
    _made(g, "book_example", ((2, 2), 7), t([[7., 7.], [7., 7.]]), mistakes)
    a, b, c = g.dims(3)
    for shape in ((1,), (a,), (a, b), (b, c, a)):
        for value in (int(_ints(g, 1)[0]) or 3, float(_values(g, 1)[0])):
            want = t([float(value)], dtype=torch.float64).float().expand(shape).clone()
            _made(g, "random_inputs", (shape, value), want, mistakes)


@grader("ch01.identity")
def identity(g):
    def eye(n):
        return t([[1. if i == j else 0. for j in range(n)] for i in range(n)])

    mistakes = {"only the diagonal is 1: every other entry must be 0":
                lambda n: torch.ones(n, n),
                "that is the anti-diagonal: the identity has 1 at [i, i]":
                lambda n: eye(n).flip(1)}
    _made(g, "book_example", (3,), eye(3), mistakes)
    for n in (1, 2, *g.dims(3, lo=4, hi=12)):
        _made(g, "random_sizes", (n,), eye(n), mistakes)


# -- ranges --------------------------------------------------------------------------------

@grader("ch01.arange_step")
def arange_step(g):
    def rng(start, stop, step):
        return t(list(range(start, stop, step)), dtype=torch.int64)

    mistakes = {"stop is excluded, as in range(): your result includes it":
                lambda a, b, s: rng(a, b + (1 if s > 0 else -1), s),
                "the step was ignored": lambda a, b, s: rng(a, b, 1),
                "a negative step counts down from start: do not flip its sign":
                lambda a, b, s: rng(a, b, abs(s))}
    empty = ("an empty range such as list(range(5, 0, 1)) gives an empty int64 tensor, but "
             "torch.arange raises when the step points away from stop: handle it first")
    cases = {"book_example": [(2, 11, 3)],
             "negative_step": [(10, 0, -4), (0, -7, -3), (7, -8, -5), (3, 2, -1)],
             "empty_range": [(5, 0, 1), (4, 4, 1), (0, 5, -1), (-3, -3, -2), (2, 9, -3)],
             "random_inputs": []}
    for _ in range(6):
        start, span = (int(x) for x in torch.randint(-20, 21, (2,), generator=g.gen))
        step = int(torch.randint(1, 6, (1,), generator=g.gen)) * (1 if span >= 0 else -1)
        cases["random_inputs"].append((start, start + span, step))
    cases["random_inputs"] += [(0, 1, 1), (-2, 9, 11)]  # single values
    for check, argss in cases.items():
        for args in argss:
            _made(g, check, args, rng(*args), mistakes,
                  hint=empty if not range(*args) else "")


@grader("ch01.evenly_spaced")
def evenly_spaced(g):
    def linspace(start, stop, num):
        return torch.linspace(start, stop, num, dtype=torch.float64).float()

    mistakes = {"both ends are included: num points make num - 1 gaps, so divide by num - 1, "
                "not by num": lambda a, b, n: (a + (b - a) * torch.arange(n) / n).float(),
                "num is the number of points, stop included: you made one point too many":
                lambda a, b, n: linspace(a, b, n + 1),
                "num is the number of points, stop included: you made one point too few "
                "(is stop missing?)": lambda a, b, n: linspace(a, b, n - 1),
                "with num=1 the only point is start: dividing by num - 1 = 0 gives NaN":
                lambda a, b, n: torch.full((1,), float("nan")) if n == 1 else None}
    _made(g, "book_example", (0., 1., 5), t([0., 0.25, 0.5, 0.75, 1.]), mistakes)
    _made(g, "one_point", (2., 3., 1), t([2.]), mistakes,
          hint="with num=1 the only point is start: do not divide by num - 1 = 0")
    for num in (2, *g.dims(3, lo=3, hi=40)):
        start, stop = (round(float(x), 3) for x in _values(g, 2))
        _made(g, "random_inputs", (start, stop, num), linspace(start, stop, num), mistakes)
    _made(g, "decreasing", (3., -1., 9), linspace(3., -1., 9), mistakes)


# -- random tensors ------------------------------------------------------------------------

def _shapes(g) -> list[tuple]:
    a, b, c = g.dims(3)
    return [(1,), (a,), (a, b), (b, c, a)]


@grader("ch01.uniform_random")
def uniform_random(g):
    def make(shape, gen):
        return (shape, gen)

    hint = ("torch.rand draws from [0, 1); torch.randn is the normal distribution, and 1.0 "
            "itself must never appear")
    for shape in _shapes(g):
        args = make(shape, rand.generator(rand.new_seed(g)))
        x, _ = rand.draw(g, "shape", args, torch.float32, shape)
        if x is not None:
            rand.in_range(g, g.call_text(args), x, 0, 1, hint)
    rand.reproducible(g, make, torch.float32, (g.dims(1, lo=20, hi=40)[0],))
    args = make(SAMPLE, rand.generator(rand.new_seed(g)))
    x, _ = rand.draw(g, "moments", args, torch.float32, SAMPLE)
    if x is None:
        return
    call = g.call_text(args)
    rand.in_range(g, call, x, 0, 1, hint)
    rand.moments(g, call, x, 0.5, 1 / math.sqrt(12), {
        "the values are scaled: torch.rand is already in [0, 1)": (0.25, 0.5 / math.sqrt(12)),
        "that is the normal distribution (torch.randn), not the uniform one": (0.0, 1.0)})
    counts = torch.histc(x.double(), bins=10, min=0, max=1) / x.numel()
    worst = int((counts - 0.1).abs().argmax())
    rand.fraction(g, "uniform", call, f"lie in [{worst / 10}, {(worst + 1) / 10})",
                    counts[worst].item(), 0.1, x.numel(),
                    "every tenth of [0, 1) must be equally likely (use torch.rand)")


@grader("ch01.normal_random")
def normal_random(g):
    def make(shape, gen):
        return (shape, 1.5, 0.5, gen)

    for shape in _shapes(g):
        rand.draw(g, "shape", make(shape, rand.generator(rand.new_seed(g))), torch.float32, shape)
    rand.reproducible(g, make, torch.float32, (g.dims(1, lo=20, hi=40)[0],))
    for mean, std in ((-3.0, 0.5), (2.0, 4.0)):  # std != 1, mean != 0 and != +-std
        args = (SAMPLE, mean, std, rand.generator(rand.new_seed(g)))
        x, _ = rand.draw(g, "moments", args, torch.float32, SAMPLE)
        if x is None:
            return
        call = g.call_text(args)
        rand.moments(g, call, x, mean, std, {
            "you passed the variance std**2; torch.normal and randn() * s take the standard "
            "deviation": (mean, std ** 2),
            "you passed sqrt(std); std is already the standard deviation": (mean, std ** 0.5),
            "the mean is ignored: add it to the standard normal samples": (0.0, std),
            "the mean is subtracted: add it": (-mean, std),
            "std is ignored: multiply the standard normal samples by std": (mean, 1.0),
            "mean and std are swapped": (std, abs(mean)),
            "add the mean after scaling: randn * std + mean, not (randn + mean) * std":
                (mean * std, std),
            "that is torch.rand (uniform) scaled, not a normal sample; use torch.randn or "
            "torch.normal": (mean + std / 2, std / math.sqrt(12))})
        z = (x.double() - x.double().mean()) / x.double().std()
        rand.fraction(g, "normal_shape", call, "lie within one standard deviation of the "
                        "mean", (z.abs() < 1).double().mean().item(), 0.6827, x.numel(),
                        "a normal sample has 68.3% there: draw with torch.randn or "
                        "torch.normal")


@grader("ch01.random_ints")
def random_ints(g):
    hint = ("torch.randint(low, high, ...) already excludes high; the values are 0..high-1")
    for shape in _shapes(g):
        args = (1000, shape, rand.generator(rand.new_seed(g)))
        x, _ = rand.draw(g, "shape", args, torch.int64, shape)
        if x is not None:
            rand.in_range(g, g.call_text(args), x, 0, 1000, hint)
    shape = (g.dims(1)[0],)
    args = (1, shape, rand.generator(rand.new_seed(g)))
    x, _ = rand.draw(g, "high_one", args, torch.int64, shape)
    if x is not None:
        rand.in_range(g, g.call_text(args), x, 0, 1, hint)
    rand.reproducible(g, lambda shape, gen: (1000, shape, gen), torch.int64,
                  (g.dims(1, lo=20, hi=40)[0],))
    for high in (2, 7):
        args = (high, SAMPLE, rand.generator(rand.new_seed(g)))
        x, _ = rand.draw(g, "moments", args, torch.int64, SAMPLE)
        if x is None:
            return
        call = g.call_text(args)
        rand.in_range(g, call, x, 0, high, hint)
        if not ((x >= 0) & (x < high)).all():
            continue
        counts = torch.bincount(x.flatten(), minlength=high).double() / x.numel()
        absent = [v for v in range(high) if counts[v] == 0]
        g.check("every_value", not absent,
                f"{call}: the value(s) {absent} never appear in {x.numel()} draws: every "
                f"value 0..{high - 1} must be possible (torch.randint(0, high) already "
                "excludes high; do not subtract 1)")
        worst = int((counts - 1 / high).abs().argmax())
        rand.fraction(g, "uniform", call, f"equal {worst}", counts[worst].item(), 1 / high,
                        x.numel(), "every value 0..high-1 must be equally likely")
        rand.moments(g, call, x, (high - 1) / 2, math.sqrt((high ** 2 - 1) / 12), {})


# -- tensors in, tensors out ---------------------------------------------------------------

@grader("ch01.transpose_matrix")
def transpose_matrix(g):
    mistakes = {"you returned m unchanged: the transpose swaps rows and columns":
                lambda m: m,
                "reshape keeps the row-major order of the values; a transpose swaps the axes "
                "(m.T)": lambda m: m.reshape(m.shape[1], m.shape[0])}
    g.expect("book_example", (t([[1., 2., 3.], [4., 5., 6.]], device=g.device),),
             t([[1., 4.], [2., 5.], [3., 6.]], device=g.device), mistakes=mistakes)
    a, b = g.dims(2)
    for dtype in (*FLOATS, torch.int64):
        for n, d in ((1, 1), (1, a), (a, 1), (a, a), (a, b), (b, a)):
            m = (g.randn(n, d, dtype=torch.float64, scale=9.0)).round().to(dtype)
            for x in (m, g.noncontiguous(m)):
                want = t([list(col) for col in zip(*x.tolist())], dtype=dtype,
                         device=g.device).reshape(d, n)
                g.expect("random_inputs", (x,), want, mistakes=mistakes)


@grader("ch01.tensor_info")
def tensor_info(g):
    a, b, c = g.dims(3)
    cases = [("book_example", torch.zeros(2, 3, device=g.device)),
             ("zero_dim", t(5, device=g.device)),
             ("random_inputs", g.randn(a)),
             ("random_inputs", g.randn(a, b, dtype=torch.float64)),
             ("random_inputs", _ints(g, b, c, a).to(g.device)),
             ("random_inputs", g.randn(1, a, 1, b) > 0),
             ("random_inputs", g.noncontiguous(g.randn(c, 1)))]
    for check, x in cases:
        _tensor_info_case(g, check, x)


def _tensor_info_case(g, check: str, x: torch.Tensor) -> None:
    shape = tuple(int(s) for s in x.size())
    want = {"ndim": len(shape), "shape": shape, "numel": math.prod(shape), "dtype": x.dtype}
    out = g.call(check, x)
    if out is None:
        return
    g.inputs_unchanged(out, (x,))
    info, call = out.value, f"tensor_info(<a {_dt(x.dtype)} tensor of shape {shape}>)"
    if not isinstance(info, dict):
        g.check(check, False, f"{call} returned a {type(info).__name__}; expected a dict with "
                              "keys 'ndim', 'shape', 'numel', 'dtype'")
        return
    if set(info) != set(want):
        g.check(check, False, f"{call} returned the keys {sorted(map(str, info))}; expected "
                              f"{sorted(want)}")
        return
    ndim, shp, numel, dtype = (info[k] for k in ("ndim", "shape", "numel", "dtype"))
    g.check("ndim", type(ndim) is int and ndim == want["ndim"],
            f"{call}['ndim'] is {ndim!r} ({type(ndim).__name__}); expected the int "
            f"{want['ndim']}, the number of axes (t.dim())"
            + ("; len(t) is the size of the first axis" if shape and ndim == shape[0] else ""))
    g.check("shape", isinstance(shp, tuple) and tuple(shp) == shape,
            f"{call}['shape'] is {shp!r} ({type(shp).__name__}); expected the tuple {shape}: "
            "use t.shape (a torch.Size is a tuple)" + ("; a list is not a tuple"
                                                       if isinstance(shp, list) else ""))
    g.check("numel", type(numel) is int and numel == want["numel"],
            f"{call}['numel'] is {numel!r} ({type(numel).__name__}); expected the int "
            f"{want['numel']}, the product of the sizes (t.numel())"
            + ("; you summed the sizes" if numel == sum(shape) != want["numel"] else ""))
    g.check("dtype", isinstance(dtype, torch.dtype) and dtype == want["dtype"],
            f"{call}['dtype'] is {dtype!r} ({type(dtype).__name__}); expected {want['dtype']}, "
            "the torch.dtype itself (t.dtype), not a string or a name")
    g.check(check, True)


@grader("ch01.with_element_set")
def with_element_set(g):
    def put(x, index, value):  # the oracle: index_put on a copy
        idx = tuple(t([i], device=x.device) for i in index)
        return torch.index_put(x, idx, t([value], dtype=x.dtype, device=x.device))

    def whole_slice(x, index, value):
        if x.dim() < 2:
            return None
        out = x.clone()
        out[index[0]] = value
        return out

    mistakes = {"only the one entry at index changes: you set a whole row": whole_slice,
                "the value was truncated to an int before it was stored":
                    lambda x, i, v: put(x, i, float(int(v))),
                "nothing changed: set out[index] = value on the copy": lambda x, i, v: x,
                "the index is reversed: index = (i, j) means row i, column j":
                    lambda x, i, v: put(x, i[::-1], v) if all(
                        k < n for k, n in zip(i[::-1], x.shape)) else None}
    x = t([[1., 2.], [3., 4.]], device=g.device)
    g.expect("book_example", (x, (0, 1), 9.), t([[1., 9.], [3., 4.]], device=g.device),
             mistakes=mistakes, shares=False)
    a, b, c = g.dims(3)
    for dtype in (*FLOATS, torch.int64):
        for shape in ((1,), (a,), (a, b), (b, c, a)):
            x = g.randn(*shape, dtype=torch.float64, scale=5.0)
            value = float(_values(g, 1)[0]) + 0.25
            if dtype == torch.int64:
                x, value = x.round(), float(round(value) + 100)
            x = x.to(dtype)
            index = tuple(int(torch.randint(n, (1,), generator=g.gen)) for n in shape)
            for xx in (x, g.noncontiguous(x)):
                g.expect("random_inputs", (xx, index, value), put(xx, index, value),
                         mistakes=mistakes, shares=False)


@grader("ch01.numpy_to_float32_tensor")
def numpy_to_float32_tensor(g):
    a, b, c = g.dims(3)
    base = _values(g, a, 2 * b).numpy()
    cases = [("book_example", np.array([[1, 2], [3, 4]])),
             ("from_float64", _values(g, a).numpy()),
             ("from_float32", _values(g, a, b).numpy().astype(np.float32)),
             ("from_int64", _ints(g, b, c, a).numpy()),
             ("from_int32", _ints(g, 1, a).numpy().astype(np.int32)),
             ("strided", base.astype(np.float32)[:, ::2]),
             ("fortran_order", np.asfortranarray(_values(g, b, a).numpy())),
             ("zero_dim", np.array(2.5))]
    for check, arr in cases:
        _numpy_case(g, check, arr)


def _numpy_case(g, check: str, arr: np.ndarray) -> None:
    want = t(arr.tolist(), dtype=torch.float64).float()
    out = _made(g, check, (arr,), want)
    got = None if out is None else out.value
    if type(got) is not torch.Tensor or got.dtype != torch.float32 or got.device.type != "cpu" \
            or got.shape != want.shape:
        return  # _made has said what is wrong
    call = g.call_text((arr,))
    g.check("no_shared_memory", not out.shares,
            f"{call}: the result shares memory with a, so changing a afterwards would change "
            "the result: torch.from_numpy and torch.as_tensor reuse a's memory, and .float() on a "
            "float32 tensor returns the same tensor; make a copy (torch.tensor(a, "
            "dtype=torch.float32))")
