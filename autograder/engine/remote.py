"""The judge's side of a worker: start the host, start workers, make calls with deadlines.

``RemoteSubmission`` is an ``Implementation``: graders call it exactly as they call an
in-process one, and every call travels to the confined worker as plain data. The judge keeps
its own copy of the arguments, so whether an input was modified is decided here, from what the
worker sends back, never by code the submission could have patched.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import torch

from autograder.engine import wire
from autograder.runner import Implementation, Outcome, _snapshot, mutated_positions
from autograder.checks.trace import Trace

REPO = Path(__file__).resolve().parent.parent.parent


class WorkerLost(BaseException):
    """The worker stopped answering: a timeout, a crash, or a result that cannot be read.

    A BaseException so that no grader's ``except Exception`` swallows it: the engine scores
    the exercise that was running and starts a fresh worker for the next one."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def _describe_end(how: str) -> str:
    if how.startswith("signal"):
        sig = int(how.split()[1])
        name = {signal.SIGSEGV: "a segmentation fault (a crash in native code, e.g. ctypes)",
                signal.SIGKILL: "it was killed (out of memory or over a limit)",
                signal.SIGXCPU: "it used up its CPU-time limit",
                signal.SIGABRT: "it aborted", signal.SIGBUS: "a bus error",
                signal.SIGFPE: "a floating-point exception"}.get(sig, f"signal {sig}")
        return f"the process running your code crashed: {name}"
    if how.startswith("exit"):
        return (f"your code ended the process running it ({how.replace('exit', 'exit code')};"
                " sys.exit() or os._exit() outside a function, or in code that ran at import)")
    return "the process running your code stopped"


class Host:
    """A warm fork server (``autograder.engine.worker``), reached on a Unix socket.

    ``Host.start()`` runs one (a batch runs one for all its judges; a judge on its own runs
    its own); ``Host(path)`` connects to a running one."""

    def __init__(self, path: Path, proc: subprocess.Popen | None = None):
        self.proc = proc
        self.ctl = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ctl.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline or (proc is not None and proc.poll() is not None):
                    raise RuntimeError("the worker host did not start (see its log)") from None
                time.sleep(0.02)
        self.ready = False

    @classmethod
    def start(cls, path: Path, log: Path | None = None) -> "Host":
        from autograder.engine.batch import start_host

        return cls(path, start_host(path, log))

    def wait_ready(self) -> None:
        """The host imports and warms up torch while the judge loads the graders."""
        if not self.ready:
            hello = wire.recv(self.ctl)
            if not hello.get("ready"):
                raise RuntimeError("the worker host did not start")
            self.ready = True

    def spawn(self, spec: dict) -> tuple[int, socket.socket, int]:
        """(keeper pid, channel, status fd) of a new worker."""
        self.wait_ready()
        wire.send(self.ctl, {"op": "spawn", **spec})
        data, fds, _, _ = socket.recv_fds(self.ctl, 1 << 16, 2)
        if len(fds) != 2:
            raise RuntimeError("the worker host did not hand over a worker")
        head = wire.unpack(data)
        return int(head["pid"]), socket.socket(fileno=fds[0]), fds[1]

    def close(self) -> None:
        self.ctl.close()
        if self.proc is not None:  # ours: it goes when its judges have gone
            self.proc.kill()
            self.proc.wait()


class RemoteSubmission(Implementation):
    """One student's submission, loaded in a confined worker, called over the wire."""

    batches_calls = True  # one message for all the cases of an against()

    def __init__(self, host: Host, files: list[Path], scratch: Path, *, student: str,
                 device: str, limits: dict, hidden: list[str], uid: int, level: str,
                 load_timeout: float):
        self.host, self.files, self.scratch = host, files, scratch
        self.student, self.device, self.limits = student, device, limits
        self.hidden, self.uid, self.level, self.load_timeout = hidden, uid, level, load_timeout
        self.label = student
        self.defined: dict[str, Path] = {}  # function name -> file that defines it
        self.load_errors: dict[str, str] = {}
        self.skip: dict[Path, WorkerLost] = {}  # files that killed or hung their worker
        self.isolation = level
        self.deadline = float("inf")
        self.sock = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """A fresh worker with every loadable file loaded (a file that crashes or hangs the
        worker while loading is skipped from then on, and its functions count as errors)."""
        while True:
            self._spawn()
            try:
                self._load_all()
                return
            except WorkerLost:
                continue  # _load_all recorded the culprit in self.skip

    def _spawn(self) -> None:
        root = self.scratch.parent / "root"
        root.mkdir(exist_ok=True)
        spec = {"scratch": str(self.scratch), "root": str(root), "hidden": self.hidden,
                "uid": self.uid, "level": self.level, "device": self.device,
                "limits": self.limits}
        self.keeper, self.sock, self.status_fd = self.host.spawn(spec)
        hello = self._receive(time.monotonic() + 30, "starting")
        self.isolation = hello.get("isolation", self.isolation)

    def _load_all(self) -> None:
        self.defined, self.load_errors = {}, {}
        for f in self.files:
            if f in self.skip:
                self.load_errors[str(f)] = self.skip[f].message
                continue
            try:
                reply = self._request({"op": "load", "file": str(f)},
                                      time.monotonic() + self.load_timeout, "loading")
            except WorkerLost as lost:
                self.skip[f] = lost
                self.stop()
                raise
            for name in reply.get("defined", []):
                self.defined[str(name)] = f
            for where, err in (reply.get("errors") or {}).items():
                self.load_errors[str(where).replace(str(self.scratch) + "/", "")] = str(err)

    def stop(self) -> None:
        if self.sock is None:
            return
        try:
            os.kill(self.keeper, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.sock.close()
        os.close(self.status_fd)
        self.sock = None

    def load_status(self, file: str) -> str:
        """``timeout`` when the file hung its worker while loading, else ``error``."""
        lost = self.skip.get(Path(file))
        return lost.status if lost is not None else "error"

    def ensure_running(self) -> None:
        if self.sock is None:
            self.start()

    # -- calls -------------------------------------------------------------------------------
    def function(self, name: str):
        return name if name in self.defined else None

    def static_view(self, name: str):
        """The submitted files as the judge received them (``root``), never the worker's
        scratch copies, which the student's code could rewrite."""
        root = getattr(self, "root", None)
        if root is None or name not in self.defined:
            return None
        from autograder.engine.integrity import Source

        sources = [Source.from_file(root / f) for f in self.files if f not in self.skip]
        return Source.from_file(root / self.defined[name]), sources

    def call(self, name: str, *args, kwargs=None, trace: bool = False,
             grad_wrt: tuple[int, ...] = (), grad_out=None,
             global_seed: int | None = None, graph: bool = False,
             no_grad: bool = False) -> Outcome:
        if name not in self.defined:
            return Outcome(missing=True, error=f"no function named {name} in the submission")
        self.ensure_running()
        reply = self._request({"op": "call", "name": name, **_call_spec(
            args, kwargs, trace=trace, grad_wrt=list(grad_wrt), grad_out=grad_out,
            global_seed=global_seed, graph=graph, no_grad=no_grad)}, self.deadline,
            "running")
        return _outcome(reply, args, kwargs, trace)

    def call_many(self, name: str, calls, trace: bool = False) -> list[Outcome]:
        """The calls in one message each way (the worker runs them in order)."""
        if name not in self.defined:
            return [self.call(name) for _ in calls]
        self.ensure_running()
        reply = self._request({"op": "calls", "name": name,
                               "calls": [_call_spec(args, kwargs, trace=trace)
                                         for args, kwargs in calls]},
                              self.deadline, "running")
        replies = reply.get("replies")
        if not isinstance(replies, list) or len(replies) != len(calls):
            why = _text(reply.get("error")) or "the worker's answer could not be read"
            return [Outcome(error=why) for _ in calls]
        return [_outcome(r if isinstance(r, dict) else {}, args, kwargs, trace)
                for r, (args, kwargs) in zip(replies, calls)]

    # -- the channel -------------------------------------------------------------------------
    def _request(self, message: dict, deadline: float, doing: str):
        try:
            wire.send(self.sock, message)
        except OSError:
            self._lost(doing)
        return self._receive(deadline, doing)

    def _receive(self, deadline: float, doing: str):
        left = deadline - time.monotonic()
        if left == float("inf"):  # no exercise running: no limit
            ready = select.select([self.sock], [], [])[0]
        else:
            ready = select.select([self.sock], [], [], max(left, 0))[0] if left > 0 else []
        if not ready:
            self.stop()
            limit = self.load_timeout if doing == "loading" else self.limits["timeout_s"]
            what = "loading your file" if doing == "loading" else "your function"
            raise WorkerLost("timeout", f"{what} did not finish within {limit:g} s (an "
                                        "infinite loop? a loop that waits for something?) "
                                        "and was stopped")
        self.sock.settimeout(None if left == float("inf") else
                             max(deadline - time.monotonic(), 1.0))
        try:
            return wire.recv(self.sock)
        except wire.WireError as exc:
            self.stop()
            raise WorkerLost("error", f"your function's result could not be read: {exc}")
        except (EOFError, OSError):
            self._lost(doing)

    def _lost(self, doing: str):
        how = ""
        if self.sock is not None:
            if select.select([self.status_fd], [], [], 2.0)[0]:
                how = os.read(self.status_fd, 100).decode(errors="replace")
        self.stop()
        raise WorkerLost("error", _describe_end(how) + (" while loading it" if doing ==
                                                         "loading" else ""))


def _call_spec(args, kwargs, trace: bool = False, grad_wrt: list[int] = (), grad_out=None,
               global_seed: int | None = None, graph: bool = False,
               no_grad: bool = False) -> dict:
    return {"args": list(args), "kwargs": dict(kwargs or {}), "trace": trace,
            "grad_wrt": list(grad_wrt), "grad_out": grad_out, "global_seed": global_seed,
            "graph": graph, "no_grad": no_grad}


def _outcome(reply: dict, args, kwargs, trace: bool) -> Outcome:
    """What a call's reply from the worker says, as an ``Outcome``. Whether an input changed
    is decided here, against the judge's own arguments, which student code never saw."""
    out = Outcome(value=reply.get("value"), error=_text(reply.get("error")),
                  grad_error=_text(reply.get("grad_error")))
    if out.error is not None:
        return out
    out.shares = tuple(i for i in reply.get("shares", []) if isinstance(i, int))
    out.generator_states = tuple(s for s in reply.get("generator_states", [])
                                 if isinstance(s, torch.Tensor))
    out.grad_leaks = tuple(i for i in reply.get("grad_leaks", []) if isinstance(i, int))
    out.result_requires_grad = reply.get("result_requires_grad") is True
    grads = reply.get("grads")
    out.grads = tuple(grads) if isinstance(grads, (list, tuple)) else None
    tr = reply.get("trace")
    if isinstance(tr, list) and len(tr) == 3 and all(isinstance(x, list) for x in tr):
        out.trace = Trace(*([str(n) for n in x] for x in tr))
    elif trace:
        out.trace = Trace()
    changed = reply.get("changed")
    if isinstance(changed, dict):  # the args the worker saw change, as they ended up
        given = [*args, *(kwargs or {}).values()]
        out.mutated = tuple(i for i, a in enumerate(given) if str(i) in changed and
                            mutated_positions([_snapshot(a)], [changed[str(i)]]))
    return out


def _text(x):
    return None if x is None else str(x)[:2000]


def prepare_scratch(base: Path, submission: Path, files: list[Path], uid: int | None) -> Path:
    """Copy the submission's files (no links, nothing else) into a fresh scratch folder."""
    work = base / "work"
    if base.exists():
        shutil.rmtree(base)
    work.mkdir(parents=True)
    root = submission if submission.is_dir() else submission.parent
    for f in files:
        dest = work / f
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / f, dest, follow_symlinks=False)
    if uid is not None and os.geteuid() == 0:
        for p in [base, *base.rglob("*")]:
            os.chown(p, uid, uid)
        os.chmod(base, 0o700)
    return work
