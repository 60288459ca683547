"""The channel between judge and worker: plain data only, never a pickle.

A message is a JSON header plus raw buffers. Tensors and NumPy arrays travel as
``{"__t": i, ...}`` markers in the JSON with their bytes in buffer ``i``; a ``torch.Generator``
travels as its state, a grader's ``Probe`` (a named function, ``checks/probes.py``) as its name
and parameters. Decoding builds fresh, plain ``torch.Tensor`` / ``np.ndarray`` objects
from bytes after checking dtype names against a fixed list and sizes against the buffer, so
nothing a submission returns (a Tensor subclass overriding ``__eq__``, an object with a
hostile ``__reduce__``) can reach the judge as anything but numbers. What cannot be sent
(a function, a module, an arbitrary object) arrives as a ``Foreign`` stand-in that names its
type and equals nothing.

Frame: 8-byte little-endian length of the JSON header, 8-byte total length of the buffers,
the header, then the buffers back to back (their lengths are in the header).
"""
from __future__ import annotations

import json
import math
import socket
import struct

import numpy as np
import torch

from autograder.checks.probes import PROBES, Probe

MAX_MESSAGE = 512 * 2**20  # a result larger than this is refused, not read into memory

_DTYPES = {str(d).removeprefix("torch."): d for d in (
    torch.float16, torch.bfloat16, torch.float32, torch.float64, torch.complex64,
    torch.complex128, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
    torch.bool)}
_NAMES = {d: n for n, d in _DTYPES.items()}
_NUMPY_OK = {d: np.dtype(torch.empty(0, dtype=d).numpy().dtype) for d in _DTYPES.values()
             if d is not torch.bfloat16}
_NP_KINDS = set("biufc")

# Read before any submission runs, so monkeypatching torch in a worker cannot change them.
_TensorBase = torch._C.TensorBase
_detach, _contiguous, _cpu, _view = (_TensorBase.detach, _TensorBase.contiguous,
                                     _TensorBase.cpu, _TensorBase.view)


def depth_zero_message(obj: dict) -> bool:
    """A message of ours: string keys, none of them a type marker (sent as a plain object)."""
    return all(type(k) is str and not k.startswith("__") for k in obj)


class WireError(Exception):
    """A message that is malformed, too large, or cut off."""


class Foreign:
    """Something a worker returned that is not plain data (a function, a custom object)."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __eq__(self, other):
        return False

    __hash__ = object.__hash__

    def __repr__(self):
        return f"<{self.type_name} object>"


def _tensor_bytes(x: torch.Tensor) -> tuple[dict, bytes]:
    with torch._C.DisableTorchFunctionSubclass():
        plain = _cpu(_detach(x))
        if plain.is_conj():
            plain = plain.resolve_conj()
        if plain.is_neg():
            plain = plain.resolve_neg()
        if plain.dtype in _NUMPY_OK:  # numpy writes any strides out in C order
            raw = plain.numpy().tobytes()
        else:
            flat = _contiguous(plain).reshape(-1)
            if flat.numel() and flat.stride(0) != 1:  # size-1 dims may have any stride
                flat = flat.clone(memory_format=torch.contiguous_format)
            raw = _view(flat, torch.uint8).numpy().tobytes() if flat.numel() else b""
    return {"dtype": _NAMES[plain.dtype], "shape": list(plain.shape),
            "device": x.device.type}, raw


def encode(obj) -> tuple[dict | list, list[bytes]]:
    """(JSON-able tree, buffers) for ``obj``; runs on either side."""
    buffers: list[bytes] = []

    def tensor(x):
        if x.layout != torch.strided or x.dtype not in _NAMES:
            return {"__foreign": f"tensor with layout {x.layout} and dtype {x.dtype}"}
        if type(x) is torch.Tensor and x.dtype in _NUMPY_OK and not x.requires_grad and \
                x.device.type == "cpu" and not x.is_conj() and not x.is_neg():
            buffers.append(x.numpy().tobytes())  # the common case, quickly
            return {"__t": len(buffers) - 1, "dtype": _NAMES[x.dtype], "shape": list(x.shape),
                    "device": "cpu"}
        meta, raw = _tensor_bytes(x)
        buffers.append(raw)
        return {"__t": len(buffers) - 1, **meta}

    def enc(x, depth=0):
        t = type(x)  # exact types first: isinstance on torch.Tensor runs Python code
        if t is torch.Tensor:
            return tensor(x)
        if x is None or t is bool or t is str:
            return x
        if t is int:
            return x if abs(x) < 2**63 else {"__foreign": "int too large"}
        if t is float:
            return x if math.isfinite(x) else {"__float": repr(x)}
        if depth > 50:
            return {"__foreign": "deeply nested structure"}
        if t is list:
            return [enc(v, depth + 1) for v in x]
        if t is tuple:
            return {"__tuple": [enc(v, depth + 1) for v in x]}
        if t is complex:
            return {"__complex": [enc(x.real), enc(x.imag)]}
        if isinstance(x, torch.Tensor):  # a subclass: its data only, as a plain tensor
            return tensor(x)
        if isinstance(x, np.ndarray):
            if x.dtype.kind not in _NP_KINDS:
                return {"__foreign": f"numpy array of dtype {x.dtype}"}
            arr = np.array(x, order="C", copy=True)  # (ascontiguousarray makes 0-d 1-d)
            buffers.append(arr.tobytes())
            return {"__nd": len(buffers) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape)}
        if isinstance(x, np.generic) and x.dtype.kind in _NP_KINDS:
            return {"__np": enc(np.asarray(x)), "dtype": x.dtype.str}
        if isinstance(x, torch.Generator):
            buffers.append(x.get_state().numpy().tobytes())
            return {"__gen": len(buffers) - 1, "device": x.device.type}
        if isinstance(x, torch.dtype):
            return {"__dtype": str(x).removeprefix("torch.")}
        if isinstance(x, torch.device):
            return {"__device": str(x)}
        if isinstance(x, torch.Size):
            return {"__size": [int(d) for d in x]}
        if isinstance(x, tuple):
            return {"__tuple": [enc(v, depth + 1) for v in tuple.__iter__(x)]}
        if isinstance(x, list):
            return [enc(v, depth + 1) for v in list.__iter__(x)]
        if isinstance(x, dict):
            return {"__dict": [[enc(k, depth + 1), enc(v, depth + 1)]
                               for k, v in dict.items(x)]}
        if isinstance(x, slice):
            return {"__slice": [enc(x.start), enc(x.stop), enc(x.step)]}
        if t is Probe:  # a grader's named function: its name and parameters, never code
            return {"__probe": x.name, "params": enc(x.params, depth + 1)}
        if isinstance(x, (bool, int, float, str)):  # subclasses of the plain types
            return enc({bool: bool, int: int, float: float, str: str}[
                next(b for b in (bool, int, float, str) if isinstance(x, b))](x), depth)
        return {"__foreign": t.__qualname__[:80]}

    if type(obj) is dict and depth_zero_message(obj):
        return {k: enc(v) for k, v in obj.items()}, buffers
    return enc(obj), buffers


def decode(tree, buffers: list[bytes]):
    """Plain Python, torch and NumPy objects from ``encode``'s output; validates everything."""

    def buffer(i) -> bytes:
        if type(i) is not int or not 0 <= i < len(buffers):
            raise WireError("bad buffer index")
        return buffers[i]

    def tensor(meta) -> torch.Tensor:
        dtype = _DTYPES.get(meta.get("dtype"))
        shape = meta.get("shape")
        if dtype is None or not isinstance(shape, list) or \
                not all(type(d) is int and d >= 0 for d in shape):
            raise WireError("bad tensor header")
        raw = buffer(meta["__t"] if "__t" in meta else meta["__gen"])
        n = math.prod(shape)
        if len(raw) != n * dtype.itemsize:
            raise WireError("tensor size does not match its data")
        if n == 0:
            return torch.empty(shape, dtype=dtype)
        if dtype in _NUMPY_OK:
            return torch.from_numpy(np.frombuffer(bytearray(raw), dtype=_NUMPY_OK[dtype])
                                    .reshape(shape))
        return torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(dtype).reshape(shape)

    def dec(x, depth=0):
        t = type(x)
        if x is None or t is bool or t is int or t is float or t is str:
            return x
        if depth > 60:
            raise WireError("too deeply nested")
        if t is list:
            return [dec(v, depth + 1) for v in x]
        if type(x) is not dict or len(x) < 1:
            raise WireError("bad node")
        if "__t" in x:
            t = tensor(x)
            dev = x.get("device", "cpu")
            return t if dev == "cpu" else t.to(dev)
        if "__nd" in x:
            dt = np.dtype(str(x.get("dtype")))
            shape = x.get("shape")
            if dt.kind not in _NP_KINDS or dt.hasobject or not isinstance(shape, list) or \
                    not all(type(d) is int and d >= 0 for d in shape):
                raise WireError("bad array header")
            raw = buffer(x["__nd"])
            if len(raw) != math.prod(shape) * dt.itemsize:
                raise WireError("array size does not match its data")
            return np.frombuffer(raw, dtype=dt).reshape(shape).copy()
        if "__np" in x:
            return dec(x["__np"], depth + 1)[()]
        if "__gen" in x:
            dev = x.get("device", "cpu")
            gen = torch.Generator(device=dev)
            gen.set_state(tensor({"__gen": x["__gen"], "dtype": "uint8",
                                  "shape": [len(buffer(x["__gen"]))]}))
            return gen
        if "__tuple" in x:
            return tuple(dec(v, depth + 1) for v in x["__tuple"])
        if "__dict" in x:
            return {_key(dec(k, depth + 1)): dec(v, depth + 1) for k, v in x["__dict"]}
        if "__float" in x:
            return float(x["__float"]) if x["__float"] in ("nan", "inf", "-inf") else \
                _bad("bad float")
        if "__complex" in x:
            re, im = x["__complex"]
            return complex(dec(re), dec(im))
        if "__dtype" in x:
            d = _DTYPES.get(x["__dtype"])
            return d if d is not None else Foreign(f"dtype {x['__dtype']}"[:80])
        if "__device" in x:
            return torch.device(str(x["__device"])[:20])
        if "__size" in x:
            return torch.Size([int(d) for d in x["__size"]])
        if "__slice" in x:
            return slice(*(dec(v, depth + 1) for v in x["__slice"]))
        if "__foreign" in x:
            return Foreign(str(x["__foreign"])[:80])
        if "__probe" in x:
            params = dec(x.get("params"), depth + 1)
            name = x["__probe"]
            if name not in PROBES or type(params) is not dict or \
                    not all(type(k) is str for k in params):
                return Foreign(f"probe {str(name)[:40]}")
            return Probe(name, **params)
        return {str(k): dec(v, depth + 1) for k, v in x.items()}  # a plain message dict

    return dec(tree)


def _key(k):
    if isinstance(k, (str, int, float, bool, tuple)) or k is None:
        return k
    return repr(k)


def _bad(why):
    raise WireError(why)


# -- framing over a socket --------------------------------------------------------------------

def pack(message: dict) -> bytes:
    """Frame a message whose values may hold tensors (they become buffers)."""
    tree, buffers = encode(message)
    header = json.dumps({"body": tree, "sizes": [len(b) for b in buffers]},
                        separators=(",", ":")).encode()
    total = sum(len(b) for b in buffers)
    return b"".join([struct.pack("<QQ", len(header), total), header, *buffers])


def send(sock: socket.socket, message: dict) -> None:
    sock.sendall(pack(message))


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = sock.recv(min(n - got, 1 << 22))
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv(sock: socket.socket):
    """The next message (decoded); WireError if it is malformed or too large."""
    head, total = struct.unpack("<QQ", _recv_exact(sock, 16))
    if head > MAX_MESSAGE or total > MAX_MESSAGE:
        raise WireError(f"a message of {(head + total) / 2**20:.0f} MiB is over the limit")
    return _parse(_recv_exact(sock, head), _recv_exact(sock, total))


def unpack(frame: bytes):
    """A message from one whole frame (``pack``'s output)."""
    if len(frame) < 16:
        raise WireError("short frame")
    head, total = struct.unpack("<QQ", frame[:16])
    if 16 + head + total != len(frame):
        raise WireError("frame length does not match")
    return _parse(frame[16:16 + head], frame[16 + head:])


def _parse(header_bytes: bytes, data: bytes):
    try:
        header = json.loads(header_bytes)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"bad header: {exc}") from None
    sizes = header.get("sizes") if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes) or \
            sum(sizes) != len(data):
        raise WireError("buffer sizes do not add up")
    buffers, pos = [], 0
    for s in sizes:
        buffers.append(data[pos:pos + s])
        pos += s
    try:
        return decode(header.get("body"), buffers)
    except (KeyError, TypeError, ValueError, RecursionError, RuntimeError) as exc:
        raise WireError(f"bad message: {exc}") from None
