"""Confining a worker before it runs a submission: the strongest isolation the host allows.

Levels (the result JSON records which one ran, under ``"isolation"``):

``namespaces``      running as root: new pid, network and mount namespaces, a private root
                    file system holding only the Python installation and the scratch folder,
                    an unprivileged user id per worker slot; plus everything below.
``user-namespace``  not root, but unprivileged user namespaces work: the same namespaces and
                    private root, without the change of user id.
``audit-hooks``     neither: a PEP 578 audit hook (student code cannot remove it) blocks file
                    access outside scratch, sockets, signals, ctypes and process creation; and
                    resource limits (CPU time, address space, output size, processes).

Every level also sets the resource limits and installs the audit hook. Set
``WORKBOOK_ISOLATION`` to a weaker level to force it (tests, or a host where namespaces
misbehave).
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal
import sys
from pathlib import Path

LEVELS = ("namespaces", "user-namespace", "audit-hooks")

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = \
    1, 2, 4, 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 1, 4, 38

_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> None:
    """Linux's prctl; elsewhere (macOS) there is none and the option is simply not set."""
    if hasattr(_libc, "prctl"):
        _libc.prctl(option, value, 0, 0, 0)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _unshare(flags: int) -> None:
    if not hasattr(_libc, "unshare"):  # not Linux
        raise OSError("no namespaces on this system")
    _check(_libc.unshare(flags), "unshare")


def _mount(src: str, target: str, fstype: str | None, flags: int, data: str | None = None):
    _check(_libc.mount(src.encode(), target.encode(), fstype.encode() if fstype else None,
                       flags, data.encode() if data else None), f"mount {target}")


def die_with_parent() -> None:
    """SIGKILL this process when its parent goes (a killed batch leaves nothing running)."""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def wanted_level() -> str:
    forced = os.environ.get("WORKBOOK_ISOLATION", "")
    if forced in LEVELS:
        return forced
    return "namespaces" if os.geteuid() == 0 else "user-namespace"


def enter_namespaces(level: str) -> str:
    """In the process that will fork the worker: new namespaces for its child.

    Returns the level reached (falls back to ``audit-hooks`` when the kernel says no)."""
    if level == "audit-hooks":
        return level
    try:
        if level == "user-namespace":
            uid, gid = os.geteuid(), os.getegid()
            _unshare(CLONE_NEWUSER)
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"0 {uid} 1")
            Path("/proc/self/gid_map").write_text(f"0 {gid} 1")
        _unshare(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS)
        return level
    except OSError:
        return "audit-hooks"


def python_paths() -> list[str]:
    """Folders the interpreter may need to read from (its installation and site-packages)."""
    out = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    import torch

    out.add(str(Path(torch.__file__).resolve().parent.parent))
    return sorted(p for p in out if p and os.path.isdir(p))


SYSTEM_PATHS = ["/usr", "/lib", "/lib64", "/lib32", "/bin", "/etc"]


def private_root(root: Path, scratch: Path, hidden: list[str]) -> None:
    """Mount a new root at ``root`` holding only read-only system and Python folders and
    ``scratch`` (as /scratch, writable), and chroot into it. ``hidden`` paths (the course, the
    autograder package) are masked with empty folders even where a Python folder holds them."""
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", str(root), "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=755")
    binds = []
    for p in SYSTEM_PATHS + python_paths():
        real = os.path.realpath(p)
        if os.path.isdir(real) and not any(real == b or real.startswith(b + "/") for b in binds):
            binds.append(real)
    for src in sorted(binds, key=len):
        target = str(root) + src
        os.makedirs(target, exist_ok=True)
        _mount(src, target, None, MS_BIND | MS_REC)
        _mount(src, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for h in hidden:  # only what a bound folder would show needs masking
        h = os.path.realpath(h)
        if not any(h == b or h.startswith(b + "/") for b in binds):
            continue
        target = str(root) + h
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
        elif os.path.isfile(target):
            _mount("/dev/null", target, None, MS_BIND)
    os.makedirs(f"{root}/dev", exist_ok=True)
    for dev in ("null", "zero", "urandom", "random"):
        Path(f"{root}/dev/{dev}").touch()
        _mount(f"/dev/{dev}", f"{root}/dev/{dev}", None, MS_BIND)
    os.makedirs(f"{root}/scratch", exist_ok=True)
    _mount(str(scratch), f"{root}/scratch", None, MS_BIND | MS_NOSUID | MS_NODEV)
    os.makedirs(f"{root}/tmp", mode=0o1777, exist_ok=True)
    os.chmod(f"{root}/tmp", 0o1777)
    try:
        os.makedirs(f"{root}/proc", exist_ok=True)
        _mount("proc", f"{root}/proc", "proc", MS_NOSUID | MS_NODEV)
    except OSError:
        pass  # only the new pid namespace's own processes would show anyway
    os.chroot(str(root))
    os.chdir("/scratch")


def set_limits(cpu_s: int, memory_bytes: int | None, output_bytes: int,
               nproc: int | None) -> None:
    """Hard limits for this process; ``nproc`` caps its threads (a thread storm would starve
    the other students' workers of CPU), given only where the worker has its own user id."""
    def lim(what, value):
        try:
            resource.setrlimit(what, (value, value))
        except (ValueError, OSError):
            soft, hard = resource.getrlimit(what)
            resource.setrlimit(what, (min(value, hard) if hard >= 0 else value, hard))

    lim(resource.RLIMIT_CPU, cpu_s)
    if memory_bytes:
        lim(resource.RLIMIT_AS, memory_bytes)
    lim(resource.RLIMIT_FSIZE, output_bytes)
    lim(resource.RLIMIT_CORE, 0)
    if nproc:
        lim(resource.RLIMIT_NPROC, nproc)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a full log fails the write, not the worker


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def harden() -> None:
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    _prctl(PR_SET_DUMPABLE, 0)


# -- the audit hook -------------------------------------------------------------------------------

_BLOCKED_PREFIXES = ("socket.", "ctypes.", "subprocess.", "os.exec", "os.spawn",
                     "os.posix_spawn", "pty.", "winreg.", "msvcrt.", "webbrowser.",
                     "urllib.", "http.", "ftplib.", "smtplib.", "poplib.", "imaplib.",
                     "telnetlib.", "nntplib.")
_BLOCKED = {"os.system", "os.fork", "os.forkpty", "os.kill", "os.killpg", "signal.pthread_kill",
            "os.startfile", "resource.setrlimit", "resource.prlimit", "os.symlink", "os.link",
            "sys.remote_exec", "os.putenv", "os.unsetenv", "os.chroot", "os.setns",
            "os.unshare"}
_PATH_WRITE_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown",
                      "os.truncate", "os.utime", "shutil.rmtree", "os.chflags", "os.lchmod",
                      "os.setxattr", "os.removexattr"}
_PATH_READ_EVENTS = {"os.listdir", "os.scandir", "glob.glob", "glob.glob/2", "os.chdir",
                     "os.getxattr", "os.listxattr", "shutil.copyfile", "shutil.copytree",
                     "shutil.make_archive"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def install_audit_hook(scratch: str, readable: list[str], hidden: list[str]) -> None:
    """Block, from now on, what a submission has no business doing (PEP 578: permanent)."""
    scratch = os.path.realpath(scratch)
    rules = sorted([(os.path.realpath(p), True) for p in readable + [scratch, "/dev"]] +
                   [(os.path.realpath(p), False) for p in hidden],
                   key=lambda r: len(r[0]), reverse=True)
    realpath, fsdecode, isinstance_, str_ = os.path.realpath, os.fsdecode, isinstance, str

    def readable_path(path: str) -> bool:
        for root, allowed in rules:  # the longest matching rule decides
            if path == root or path.startswith(root + "/"):
                return allowed
        return False

    def writable(path: str) -> bool:
        return path == scratch or path.startswith(scratch + "/") or path == "/dev/null"

    def resolve(path) -> str | None:
        if isinstance_(path, int):
            return None  # an already-open descriptor: its opening was checked
        try:
            return realpath(fsdecode(path))
        except (TypeError, ValueError):
            return "/"

    def hook(event: str, args: tuple) -> None:
        if event == "open":
            path = resolve(args[0])
            if path is None:
                return
            mode, flags = args[1] if len(args) > 1 else None, args[2] if len(args) > 2 else 0
            write = (isinstance_(mode, str_) and any(c in mode for c in "wax+")) or \
                bool((flags or 0) & _WRITE_FLAGS)
            if (write and not writable(path)) or (not write and not readable_path(path)):
                verb = "write" if write else "read"
                raise PermissionError(f"grading sandbox: your code may not {verb} {path} "
                                      "(only files in your own folder)")
        elif event in _BLOCKED or event.startswith(_BLOCKED_PREFIXES):
            raise PermissionError(f"grading sandbox: {event} is not allowed while grading (no "
                          "processes, network, signals or ctypes)")
        elif event in _PATH_WRITE_EVENTS:
            for a in args[:2]:
                path = resolve(a) if isinstance_(a, (str_, bytes)) else None
                if path is not None and not writable(path):
                    raise PermissionError(f"grading sandbox: your code may not change {path}")
        elif event in _PATH_READ_EVENTS and args:
            path = resolve(args[0]) if isinstance_(args[0], (str_, bytes)) else None
            if path is not None and not readable_path(path):
                raise PermissionError(f"grading sandbox: your code may not look at {path}")

    sys.addaudithook(hook)
