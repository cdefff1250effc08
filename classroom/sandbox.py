"""Start one learner's notebook in a bubblewrap sandbox (``bwrap``), with limits; or, on request, without one.

What the sandbox sees: the system (``/usr``), the Python installation, the venv and the *package folders* of
``nnlib`` and ``classroom``, all read-only; a private ``/tmp`` and a working folder ``/home/learner`` (both
size-limited tmpfs that vanish with the sandbox) holding a copy of the submission. Not the teacher's checkout,
the answer key, other submissions, the network, or the host's processes (own PID, network, IPC, UTS and
mount namespaces). Killing the ``bwrap`` process kills everything in its PID namespace
(``--die-with-parent``).

Limits: wall time (the grader kills the sandbox), address space per process (RLIMIT_AS), file size
(RLIMIT_FSIZE), open files (RLIMIT_NOFILE), the three size-limited tmpfs (everything else is read-only,
the sandbox's own root, /dev and /proc included), a seccomp filter (no memfd, no System V objects, no
keyrings, no user namespaces of its own: see REFUSED_CALLS), and processes: run as root, the grader gives
every job slot its own unprivileged uid (``setpriv`` inside the sandbox, after bwrap has set it up), so
RLIMIT_NPROC caps each job alone and a fork storm cannot starve the others. Run as an ordinary user, bwrap
maps everything to that user: the process limit then counts all of the user's processes together (weaker;
grade as root in a container for the full guarantee). What no limit counts (the buffers of sockets, for
one) is bounded by the machine; should it run out of memory, the kernel kills sandboxed processes first
(their oom_score_adj is 1000), never the grader, and a notebook stopped that way is graded again alone.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pwd
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import classroom
import nnlib

WORK = "/home/learner"
UID_BASE = 64000     # job uids are UID_BASE, UID_BASE + 1, … (see --uid-base)
NPROC = 128          # processes + threads of one job's uid (a kernel and its runner use about 20)
NOFILE = 1024        # open files per process (a kernel uses about 60): bounds what sockets and pipes hold
SHM_MB = 64          # /dev/shm, for POSIX shared memory and semaphores (Python's multiprocessing)
# System calls the seccomp filter refuses (EPERM). The first four hold memory that no per-process limit
# counts and only the machine's RAM bounds: a memfd or System V object keeps it after every mapping of it is
# gone (a billion 45-byte semaphores fit in a fresh IPC namespace). The last three reach the kernel's
# keyrings, where a key can be made readable by every uid and stays after the sandbox: a way to hand one's
# solutions to a classmate's notebook. (Each has an attack in tests/test_grade_attacks.py.)
REFUSED_CALLS = ("memfd_create", "shmget", "msgget", "semget", "add_key", "keyctl", "request_key")
# A user namespace of one's own would give a tmpfs of any size (mount needs no other right there): unshare
# and clone are refused with CLONE_NEWUSER among their flags; clone3 passes its flags in memory, which a
# seccomp filter cannot read, so it is refused as "not implemented" (ENOSYS), and the C library falls back
# to clone (as under Docker's default profile).
CLONE_NEWUSER = 0x10000000
OOM_SCORE_ADJ = 1000  # when the machine runs out of memory, the kernel kills sandboxed processes first


@dataclass(frozen=True)
class Limits:
    timeout: float = 120         # seconds for the notebook's cells
    memory_mb: int = 4096        # address space per process (notebook 08 races 200 MB arrays)
    disk_mb: int = 256           # each of /tmp and the working folder; also the largest file
    nproc: int = NPROC


def bwrap_available() -> bool:
    """True when the sandbox can be built: bwrap, prlimit and choom (util-linux), and libseccomp (through
    pyseccomp)."""
    return all(shutil.which(tool) for tool in ("bwrap", "prlimit", "choom")) and seccomp_available()


def seccomp_available() -> bool:
    try:
        import pyseccomp  # noqa: F401  (a binding of the system's libseccomp: fails when that is missing)
    except (ImportError, RuntimeError, OSError):
        return False
    return True


def seccomp_program() -> int:
    """A file descriptor holding the sandbox's seccomp filter, a BPF program for ``bwrap --seccomp``: every
    system call is allowed but REFUSED_CALLS and new user namespaces (see CLONE_NEWUSER). libseccomp also
    kills any call made through another architecture's convention (32-bit, x32), which could get round it."""
    import pyseccomp

    rules = pyseccomp.SyscallFilter(pyseccomp.ALLOW)
    for call in REFUSED_CALLS:
        rules.add_rule(pyseccomp.ERRNO(errno.EPERM), call)
    new_user_namespace = pyseccomp.Arg(0, pyseccomp.MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER)  # flags: arg 0
    for call in ("unshare", "clone"):
        rules.add_rule(pyseccomp.ERRNO(errno.EPERM), call, new_user_namespace)
    rules.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    fd = os.memfd_create("seccomp")
    with open(fd, "wb", closefd=False) as program:
        rules.export_bpf(program)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def as_root() -> bool:
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


@contextlib.contextmanager
def job_uids(count: int, base: int = UID_BASE) -> Iterator[list[int]]:
    """``count`` uids from ``base`` up, one per job slot, reserved while the context lasts: no account has
    them, no process runs as them, and a lock file per uid keeps graders running at once from sharing one."""
    locks, uids, uid = [], [], base
    try:
        while len(uids) < count:
            lock = reserve(uid)
            if lock is not None:
                locks.append(lock)
                uids.append(uid)
            uid += 1
        yield uids
    finally:
        for lock in locks:
            os.close(lock)


def reserve(uid: int) -> int | None:
    """An open, locked ``/tmp/nnfs-grade-uid-N.lock`` when ``uid`` is free for a job, else None."""
    try:
        pwd.getpwuid(uid)
        return None
    except KeyError:
        pass
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        lock = os.open(f"/tmp/nnfs-grade-uid-{uid}.lock", flags, 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(lock)
        return None
    if processes_of(uid):
        os.close(lock)
        return None
    return lock


def processes_of(uid: int) -> list[int]:
    """Pids of the processes running as ``uid`` (a job's uid: none must remain after its sandbox)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def wait_until_gone(uid: int, timeout: float = 5.0) -> list[int]:
    """Wait until no process runs as the job's ``uid`` (killing the sandbox kills its PID namespace, which
    takes a moment); kill any that remain (the uid is reserved for the job). Returns the pids it killed."""
    deadline = time.monotonic() + timeout
    while processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.02)
    survivors = processes_of(uid)
    for pid in survivors:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout   # a killed process stays in /proc until its parent reaps it
    while processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return survivors


def read_only_binds() -> list[str]:
    """bwrap arguments binding what Python and the notebooks need, read-only, at their own paths."""
    args = []
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    folders = ["/usr", "/etc/fonts", "/etc/ld.so.cache", "/etc/localtime", os.path.realpath(sys.base_prefix),
               sys.prefix, os.path.dirname(os.path.realpath(sys.executable)),
               package_folder(nnlib), package_folder(classroom)]
    folders = [folder for folder in dict.fromkeys(folders) if os.path.exists(folder) and folder != "/usr"]
    parents = sorted({str(parent) for folder in folders for parent in Path(folder).parents} - {"/"})
    for parent in parents:   # bwrap would create them 0700 under a strict umask: readable for the job's uid
        args += ["--perms", "0755", "--dir", parent]
    for folder in folders:
        args += ["--ro-bind", folder, folder]
    return ["--ro-bind", "/usr", "/usr", *args]


def package_folder(module) -> str:
    return str(Path(module.__file__).resolve().parent)


def environment() -> list[str]:
    env = {"HOME": "/tmp/home", "PATH": f"{sys.prefix}/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "JUPYTER_RUNTIME_DIR": "/tmp/jupyter/runtime", "JUPYTER_DATA_DIR": "/tmp/jupyter/data",
           "JUPYTER_CONFIG_DIR": "/tmp/jupyter/config", "JUPYTER_PLATFORM_DIRS": "1",
           "IPYTHONDIR": "/tmp/ipython", "MPLCONFIGDIR": "/tmp/matplotlib", "MPLBACKEND": "Agg",
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MALLOC_ARENA_MAX": "2", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    if os.environ.get("NNFS_SANDBOX_DEBUG"):   # the runner's errors go to the grader's stderr
        env["NNFS_SANDBOX_DEBUG"] = "1"
    return ["--clearenv"] + [arg for key, value in env.items() for arg in ("--setenv", key, value)]


def font_cache() -> list[str]:
    """Bind the grader's matplotlib font list (read-only): no notebook spends a second rebuilding it."""
    try:
        import matplotlib
        from matplotlib import font_manager
    except ImportError:
        return []
    name = f"fontlist-v{font_manager.FontManager.__version__}.json"
    cached = Path(matplotlib.get_cachedir()) / name
    return ["--ro-bind", str(cached), f"/tmp/matplotlib/{name}"] if cached.is_file() else []


def bwrap_command(notebook_fd: int, seccomp_fd: int, notebook: str, limits: Limits,
                  uid: int | None) -> list[str]:
    """The command line: choom makes the sandbox the first to go when memory runs out, prlimit sets the
    limits, bwrap builds the sandbox (and loads the seccomp filter), setpriv drops to ``uid``."""
    size = str(limits.disk_mb << 20)
    namespaces = (["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
                  if uid is not None else ["--unshare-all"])
    drop = ([shutil.which("setpriv"), f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"] if uid is not None else [])
    return [
        shutil.which("choom"), "-n", str(OOM_SCORE_ADJ), "--",
        shutil.which("prlimit"), f"--as={limits.memory_mb << 20}", f"--fsize={limits.disk_mb << 20}",
        f"--nproc={limits.nproc}", f"--nofile={NOFILE}", "--core=0", "--",
        shutil.which("bwrap"), *namespaces, "--die-with-parent", "--new-session",
        "--seccomp", str(seccomp_fd), "--proc", "/proc", "--dev", "/dev",
        "--perms", "1777", "--size", str(SHM_MB << 20), "--tmpfs", "/dev/shm",
        "--perms", "1777", "--size", size, "--tmpfs", "/tmp",
        "--perms", "1777", "--size", size, "--tmpfs", WORK,
        *read_only_binds(),   # after the tmpfs mounts: a Python environment may live under /tmp (a CI clone)
        "--perms", "0644", "--file", str(notebook_fd), f"{WORK}/{notebook}.ipynb",
        *font_cache(),
        "--remount-ro", "/proc",  # no lowering of the oom_score_adj, which an ordinary user's bwrap allows
        "--remount-ro", "/dev", "--remount-ro", "/",  # last: bwrap's own tmpfs, writable for an ordinary user
        "--chdir", WORK, *environment(), *drop,
        sys.executable, "-m", "classroom.runner", f"{WORK}/{notebook}.ipynb",
        "--timeout", str(limits.timeout)]


def start(content: bytes, notebook: str, limits: Limits, uid: int | None,
          unsafe: bool = False) -> subprocess.Popen:
    """Start the runner on ``content`` (the submission's bytes); its stdin/stdout are the channel."""
    if unsafe:
        return start_unsandboxed(content, notebook, limits)
    fd, seccomp_fd = os.memfd_create("submission"), seccomp_program()
    try:
        os.write(fd, content)
        os.lseek(fd, 0, os.SEEK_SET)
        errors = None if os.environ.get("NNFS_SANDBOX_DEBUG") else subprocess.DEVNULL
        return subprocess.Popen(bwrap_command(fd, seccomp_fd, notebook, limits, uid), stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=errors, pass_fds=[fd, seccomp_fd],
                                start_new_session=True)
    finally:
        os.close(fd)
        os.close(seccomp_fd)


def start_unsandboxed(content: bytes, notebook: str, limits: Limits) -> subprocess.Popen:
    """Without bwrap (macOS, Windows; only with --unsafe-no-sandbox): a child process in a temporary folder.
    The learner's code runs with the teacher's rights."""
    import tempfile
    folder = Path(tempfile.mkdtemp(prefix="nnfs-unsafe-"))
    (folder / f"{notebook}.ipynb").write_bytes(content)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-m", "classroom.runner", str(folder / f"{notebook}.ipynb"),
                             "--timeout", str(limits.timeout), "--memory-mb", str(limits.memory_mb)],
                            cwd=folder, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
