"""The worker side: a warm fork server, and the confined process that runs one submission.

``python -m autograder.engine.worker`` is the *host*: it imports torch once, warms it up, and
then forks one confined worker per submission on request from its judge. It never imports
the hidden graders or the reference solutions, so nothing a worker can reach in memory or on
disk tells it the answers.

Per request the host forks a *keeper*, which enters new namespaces and forks their *init*
(pid 1 of the new pid namespace), which forks the *worker* (not pid 1 itself: the kernel
shields a namespace's init from its own faults, and a segfaulting worker must die).
The worker confines itself (private root, limits, unprivileged user, audit hook), loads the
submission files it is asked to, and answers calls over its socket with plain data
(``wire``). When the worker ends, the
init reports how (exit code or signal) on a status pipe and exits; when the judge kills the
keeper, init and worker die with it, and so does anything the worker started.
"""
from __future__ import annotations

import gc
import io
import os
import signal
import socket
import sys
from pathlib import Path

import numpy as np  # noqa: F401  (preloaded: the worker cannot import after confinement)
import torch
import torch.nn.functional  # noqa: F401

from autograder.checks import probes  # noqa: F401  (probes are built from names)
from autograder.engine import sandbox, wire
from autograder.runner import _error_text, _load_notebook, _load_py, invoke, vjp
from autograder.student import selfcheck  # noqa: F401  (notebook loading needs it)


# -- the worker -----------------------------------------------------------------------------

class CappedOutput(io.TextIOBase):
    """What a submission prints: kept up to a cap, the rest dropped (never an error)."""

    def __init__(self, fd: int, cap: int):
        self.fd, self.left, self.dropped = fd, cap, 0

    def write(self, text) -> int:
        text = str(text)
        data = text.encode("utf-8", "replace")
        keep = data[:max(self.left, 0)]
        if keep:
            try:
                os.write(self.fd, keep)
            except OSError:
                pass
        self.left -= len(keep)
        self.dropped += len(data) - len(keep)
        return len(text)

    def writable(self) -> bool:
        return True


# Taken before any submission runs: student code may monkeypatch torch, not these.
_detach, _clone, _equal = torch._C.TensorBase.detach, torch._C.TensorBase.clone, torch.equal


def _keep(arg):
    """A private copy of an argument, to compare with after the call."""
    return _clone(_detach(arg)) if type(arg) is torch.Tensor else wire.encode(arg)


def _changed(arg, kept) -> bool:
    """Whether the call may have changed ``arg`` (the judge decides from the value sent)."""
    if type(arg) is torch.Tensor and type(kept) is torch.Tensor:
        return arg.dtype != kept.dtype or arg.shape != kept.shape or \
            not _equal(_detach(arg), kept)  # NaN never equals: the judge looks again
    return wire.encode(arg) != kept


def _serve(sock: socket.socket) -> None:
    namespace: dict = {}
    while True:
        try:
            req = wire.recv(sock)
        except (EOFError, OSError, wire.WireError):
            os._exit(0)
        op = req.get("op")
        if op == "load":
            errors: dict = {}
            path = req["file"]
            loaded: dict = {}
            try:
                loaded = _load_notebook(Path(path), errors) if path.endswith(".ipynb") else \
                    _load_py(Path(path))
            except (Exception, SystemExit) as exc:
                errors[path] = _error_text(exc)
            defined = {k: v for k, v in loaded.items() if callable(v)}
            namespace.update(defined)
            reply = {"defined": sorted(defined), "errors": errors}
        elif op == "call":
            reply = _call(namespace.get(req["name"]), req)
        elif op == "calls":  # several calls, answered together, in order
            fn = namespace.get(req["name"])
            reply = {"replies": [_call(fn, call) for call in req["calls"]]}
        else:
            os._exit(0)
        try:
            frame = wire.pack(reply)
        except Exception:  # a result the wire cannot carry: that call's error, not all
            frame = wire.pack({"replies": [_packable(r) for r in reply["replies"]]}
                              if "replies" in reply else _packable(reply))
        sock.sendall(frame)


def _call(fn, req: dict) -> dict:
    """Run one call of a submission's function; the reply for the judge."""
    given = [*req["args"], *req["kwargs"].values()]
    kept = [_keep(a) for a in given]  # to tell which args the call changed
    out, after = invoke(fn, req["args"], req["kwargs"], trace=req["trace"],
                        grad_wrt=tuple(req["grad_wrt"]), grad_out=req["grad_out"],
                        global_seed=req["global_seed"], graph=bool(req.get("graph")),
                        no_grad=bool(req.get("no_grad")))
    trace = out.trace
    changed = {} if out.error is not None else {
        str(i): a for i, a in enumerate(after) if _changed(a, kept[i])}
    return {"value": out.value, "error": out.error, "grads": out.grads,
            "grad_error": out.grad_error, "shares": list(out.shares),
            "generator_states": list(out.generator_states),
            "grad_leaks": list(out.grad_leaks), "result_requires_grad": out.result_requires_grad,
            "trace": None if trace is None else [list(trace.functions), list(trace.aten),
                                                 list(trace.autograd)],
            "changed": changed}


def _packable(reply: dict) -> dict:
    """``reply`` if the wire can carry it, else the error a student reads."""
    try:
        wire.pack(reply)
        return reply
    except Exception as exc:
        return {"error": f"the result could not be sent back for grading: "
                         f"{_error_text(exc)}", "value": None}


def _run_worker(sock: socket.socket, spec: dict, level: str, keeper: int) -> None:
    """Confine this process, then serve. Never returns."""
    scratch = spec["scratch"]
    log = os.open(os.path.join(scratch, "output.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                  0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    hidden = spec["hidden"]
    if level in ("namespaces", "user-namespace") and spec["device"] != "cpu":
        level += "+host-files"  # GPU drivers need /dev, /sys and /proc: no private root
    elif level in ("namespaces", "user-namespace"):
        try:
            sandbox.private_root(spec["root"], scratch, hidden)
            scratch = "/scratch"
        except OSError:  # the kernel refused a mount: the audit hook guards the files
            level = "audit-hooks"
    os.chdir(scratch)
    os.environ.update({"TMPDIR": os.path.join(scratch, "tmp"), "HOME": scratch})
    os.makedirs(os.path.join(scratch, "tmp"), exist_ok=True)
    limits = spec["limits"]
    vsz = int(open("/proc/self/statm").read().split()[0]) * os.sysconf("SC_PAGE_SIZE") \
        if os.path.exists("/proc/self/statm") else 0
    sandbox.set_limits(cpu_s=limits["cpu_s"],
                       memory_bytes=None if spec["device"] != "cpu" else
                       vsz + limits["memory_mb"] * 2**20,
                       output_bytes=limits["output_bytes"] * 2,
                       # counted per user id: only where the worker has its own
                       nproc=limits["nproc"] if level.startswith("namespaces") else None)
    if level.startswith("namespaces"):
        try:
            sandbox.drop_privileges(spec["uid"])
        except OSError:  # a container without CAP_SETUID: still confined, as root
            level += "+root"
    sandbox.harden()
    sandbox.die_with_parent()
    if os.getppid() != keeper:
        os._exit(1)
    sys.stdout = CappedOutput(1, limits["output_bytes"])
    sys.stderr = CappedOutput(2, limits["output_bytes"])
    sandbox.install_audit_hook(scratch, sandbox.python_paths() + sandbox.SYSTEM_PATHS +
                               ["/proc/self"], hidden)
    readable = sandbox.python_paths()
    sys.path[:] = [scratch] + [p for p in sys.path if p and (
        any(p == r or p.startswith(r + "/") for r in readable) or
        not any(p == h or p.startswith(h + "/") for h in hidden))]
    sock.sendall(wire.pack({"ready": True, "isolation": level}))
    _serve(sock)


def _spawn(ctl: socket.socket, spec: dict, host_sockets: list[socket.socket]) -> None:
    """Fork a keeper and its worker; hand the judge the worker's socket and a status pipe."""
    judge_end, worker_end = socket.socketpair()
    status_r, status_w = os.pipe()
    keeper = os.fork()
    if keeper == 0:
        try:
            for sock in host_sockets:
                sock.close()
            judge_end.close()
            os.close(status_r)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            sandbox.die_with_parent()
            level = sandbox.enter_namespaces(spec["level"])
            init = os.fork()
            if init == 0:  # pid 1 of the new pid namespace: it only waits for the worker
                sandbox.die_with_parent()
                worker = os.fork()
                if worker == 0:
                    os.close(status_w)
                    try:
                        _run_worker(worker_end, spec, level, keeper=os.getppid())
                    finally:
                        os._exit(70)
                worker_end.close()
                _, status = os.waitpid(worker, 0)
                how = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else \
                    f"exit {os.WEXITSTATUS(status)}"
                os.write(status_w, how.encode())
                os._exit(0)
            worker_end.close()
            os.close(status_w)
            os.waitpid(init, 0)
        finally:
            os._exit(0)
    worker_end.close()
    os.close(status_w)
    socket.send_fds(ctl, [wire.pack({"pid": keeper})], [judge_end.fileno(), status_r])
    judge_end.close()
    os.close(status_r)


def warm_up() -> None:
    """Pay torch's first-use costs once here instead of in every worker (each is a fork)."""
    from autograder.checks.trace import record

    torch.set_num_threads(1)
    x = torch.randn(3, 4, requires_grad=True)
    with record():
        y = (x @ x.T).softmax(-1).masked_fill(torch.ones(3, 3).tril() == 0, 0.0)
        z = torch.einsum("ij,jk->ik", y, x)
        z = z + torch.linalg.vector_norm(x) + torch.nn.functional.layer_norm(x, (4,)).sum()
    vjp([z], [x], [torch.ones_like(z)])
    wire.decode(*wire.encode({"a": [x.detach(), np.zeros(2), torch.Generator()]}))


def host_main() -> int:
    """Serve spawn requests from any number of judges on a Unix socket (path in
    ``WORKBOOK_HOST_LISTEN``, in a folder only the grader can reach)."""
    import selectors

    sandbox.die_with_parent()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(os.environ.pop("WORKBOOK_HOST_LISTEN"))
    listener.listen(64)  # judges may connect now; they are answered once warm
    warm_up()
    gc.freeze()  # torch's objects: never traversed by a worker's collector (nor copied)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # keepers are reaped by the kernel
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ)
    judges: list[socket.socket] = []
    while True:
        for key, _ in sel.select():
            if key.fileobj is listener:
                conn, _ = listener.accept()
                conn.sendall(wire.pack({"ready": True, "pid": os.getpid()}))
                judges.append(conn)
                sel.register(conn, selectors.EVENT_READ)
                continue
            conn = key.fileobj
            try:
                spec = wire.recv(conn)
                if spec.get("op") != "spawn":
                    raise EOFError
                _spawn(conn, spec, [listener, *judges])
            except (EOFError, OSError, wire.WireError):
                sel.unregister(conn)
                judges.remove(conn)
                conn.close()


if __name__ == "__main__":
    sys.exit(host_main())
