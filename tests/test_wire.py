"""The judge/worker channel carries plain data only, and the static ban check reads source."""
import numpy as np
import pytest
import torch

from autograder.engine import wire
from autograder.engine.static import banned_names


def roundtrip(x):
    return wire.unpack(wire.pack({"value": x}))["value"]


@pytest.mark.parametrize("make", [
    lambda: torch.randn(3, 4), lambda: torch.randn(3, 4).T, lambda: torch.tensor(2.5),
    lambda: torch.ones(3).expand(2, 3), lambda: torch.empty(1, 1, 2)[..., 0].fill_(1),
    lambda: torch.randn(2, 3).bfloat16(), lambda: torch.randn(2).to(torch.complex64).conj(),
    lambda: torch.zeros(0, 3), lambda: torch.tensor([True, False]),
    lambda: torch.arange(6, dtype=torch.int32).reshape(2, 3),
    lambda: torch.randn(2, 2, requires_grad=True), lambda: torch.nn.Parameter(torch.ones(2))])
def test_tensors_arrive_as_plain_equal_tensors(make):
    x = make()
    y = roundtrip(x)
    assert type(y) is torch.Tensor and y.dtype == x.dtype and y.shape == x.shape
    assert torch.equal(y, x.detach().resolve_conj())


def test_structures_numpy_and_generators_survive():
    gen = torch.Generator().manual_seed(7)
    value = {"a": (1, [2.5, float("nan"), None, "s"], np.float32(1.5)), 3: np.arange(4.0),
             "zero_d": np.array(2.0), "dtype": torch.float64, "size": torch.Size([2, 3]),
             "gen": gen, "cplx": 1 + 2j, "slice": slice(1, None, 2)}
    got = roundtrip(value)
    assert got["a"][0] == 1 and got["a"][1][0] == 2.5 and np.isnan(got["a"][1][1])
    assert isinstance(got["a"], tuple) and got["a"][2] == np.float32(1.5)
    assert np.array_equal(got[3], np.arange(4.0)) and got["zero_d"].shape == ()
    assert got["dtype"] is torch.float64 and got["size"] == torch.Size([2, 3])
    assert torch.equal(got["gen"].get_state(), gen.get_state())
    assert got["cplx"] == 1 + 2j and got["slice"] == slice(1, None, 2)


def test_hostile_objects_arrive_as_data_or_foreign():
    class Liar(torch.Tensor):
        def __eq__(self, other):
            return True

    class Evil:
        def __reduce__(self):
            raise AssertionError("never pickled")

    got = roundtrip([torch.zeros(2).as_subclass(Liar), Evil(), print])
    assert type(got[0]) is torch.Tensor and torch.equal(got[0], torch.zeros(2))
    assert isinstance(got[1], wire.Foreign) and got[1] != got[1] and "Evil" in repr(got[1])
    assert isinstance(got[2], wire.Foreign)


def test_probes_cross_by_name_and_parameters_only():
    from autograder.checks.probes import Probe

    f = Probe("sum_of_powers", power=3, weight=torch.tensor([1.0, -2.0]))
    got = roundtrip([f, Probe("polynomial", coeffs=[0.0, -6.0, 3.0])])
    assert got[0] == f and got[0] is not f
    x = torch.tensor([0.5, 2.0])
    assert torch.equal(got[0](x), f(x)) and got[1](4.0) == 3 * 16 - 24
    assert isinstance(wire.decode({"__probe": "os.system", "params": {"__dict": []}}, []),
                      wire.Foreign)  # only the probes of checks/probes.py exist


def test_calls_report_grad_state_and_run_under_no_grad():
    from autograder.runner import InProcess

    def leaky(x):
        x.requires_grad_(True)
        return (x * 2).sum()

    impl = InProcess({"leaky": leaky, "tracks": lambda x: torch.is_grad_enabled()})
    out = impl.call("leaky", torch.ones(3))
    assert out.grad_leaks == (0,) and out.result_requires_grad
    assert impl.call("tracks", torch.ones(1)).value is True
    assert impl.call("tracks", torch.ones(1), no_grad=True).value is False


@pytest.mark.parametrize("frame", [
    b"", b"\x00" * 8, wire.pack({"value": torch.ones(2)})[:-3],
    wire.pack({"value": 1}).replace(b'"value"', b'"valu\\"'),
])
def test_malformed_frames_are_refused(frame):
    with pytest.raises(wire.WireError):
        wire.unpack(frame)


def test_lying_headers_are_refused():
    tree, buffers = wire.encode(torch.ones(3))
    tree["shape"] = [1000]
    with pytest.raises(wire.WireError):
        wire.decode(tree, buffers)
    tree["shape"], tree["dtype"] = [3], "object"
    with pytest.raises(wire.WireError):
        wire.decode(tree, buffers)


SOURCE = '''
import torch
from torch.nn.functional import softmax as sm
import torch.nn.functional as F
def my_softmax(x):
    return x.exp() / x.exp().sum(-1, keepdim=True)
def masked_softmax(s, m):
    return helper(s.masked_fill(m, float("-inf")))
def helper(x):
    return sm(x, -1)
def attention(q, k, v):
    return F.scaled_dot_product_attention(q, k, v)
def honest(x):
    return my_softmax(x)
def sneaky(x):
    return getattr(torch, "softmax")(x, -1)
def aten(x):
    return torch.ops.aten._softmax(x, -1, False)
'''


@pytest.mark.parametrize("fn, hits", [
    ("masked_softmax", ["softmax"]), ("attention", ["scaled_dot_product_attention"]),
    ("honest", []), ("sneaky", ["softmax"]), ("aten", ["_softmax*"]), ("absent", [])])
def test_static_ban_check_follows_helpers_and_aliases(tmp_path, fn, hits):
    path = tmp_path / "answers.py"
    path.write_text(SOURCE)
    ban = ("softmax", "_softmax*", "scaled_dot_product_attention")
    assert banned_names(path, fn, ban) == hits


def test_static_ban_check_passes_every_reference_and_correct_answer():
    """No false alarm on the reference solutions or the alternative right answers."""
    import inspect
    from pathlib import Path

    from solutions.registry import load_all
    from tests.conftest import REPO
    from tests.mutants import load_mutants

    exercises = load_all()
    for ex in exercises.values():
        path = REPO / "solutions" / f"{ex.topic}.py"
        assert banned_names(path, ex.name, ex.ban) == [], ex.id
    checked = 0
    for m in load_mutants():
        ban = exercises[m.exercise_id].ban
        if m.is_correct and ban:
            path = Path(inspect.getsourcefile(m.fn))
            assert banned_names(path, m.fn.__name__, ban) == [], m.label
            checked += 1
    assert checked >= 5
