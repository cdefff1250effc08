"""Issue 12: what a curious or malicious learner's notebook tries, graded on a scratch class. Every attack
runs only inside the grader's sandbox (that is what is under test); the grader itself only looks at the
special files (symlinks, FIFO) without reading them.

Asserted for every attack: each honest classmate keeps full marks, the attacker gets nothing it did not
answer, no process of a job outlives the run (a daemon that would rewrite grades.csv later finds nothing to
run on), and nothing outside changes (the teacher's nnlib/classroom/notebooks and the other submissions carry
no attacker's mark, the class folder hashes the same, grades.csv stays as written)."""

import csv
import hashlib
import os
import time
from pathlib import Path

import nbformat
import pytest

from classroom import EXERCISES, NOTEBOOKS, ROOT, check_cells, grade, sandbox
from classroom.checks import BOOKS
from classroom.remote import Channel, RemoteLearner

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sandbox.bwrap_available(), reason="needs bwrap (bubblewrap)")]

NOTEBOOK = "01_neurons_and_initialisation"
EXERCISE_IDS = list(BOOKS[NOTEBOOK].exercises)
MARK = "PWNED-BY-A-LEARNER"
UID_BASE = 64200        # this test's job uids: apart from other tests' graders running at the same time
SIGMOID = "import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"

# Cells an attacker appends to the (unfinished) exercise notebook. {class_dir!r}, {key!r}, {out!r}… stand for
# the host's paths, which an attacker could guess: none of them is visible in the sandbox.
ATTACKS = {
    "redefine": """
import classroom.checks._core as core, classroom.checks.nb01 as nb01
core.Book.evaluate = lambda self, name, learner: core.Verdict(self.notebook, name, 1, True, "correct")
for name in nb01.book.exercises:
    nb01.book.exercises[name].body = lambda learner: "correct"
checks = type("Fake", (), {n: staticmethod(lambda: print("✓ correct")) for n in nb01.book.exercises})
print("✓ Exercise 1 (sigmoid): correct\\n✓ Exercise 2 (sigmoid_derivative): correct\\n✓ Exercise 3: correct")
""",
    "vandal": """
import os, pathlib
for top in [{nnlib!r}, {classroom!r}, "/home", "/tmp", {class_dir!r}, os.path.dirname({key!r})]:
    for folder, _, files in os.walk(top):
        if folder.startswith(("/proc", "/sys", "/dev")):
            continue
        for name in files:
            try:
                with open(os.path.join(folder, name), "a") as handle:
                    handle.write({mark!r})
            except OSError:
                pass
for path in [{out!r}, "kernel.pid", "grades.csv"]:
    try:
        pathlib.Path(path).write_text("0")
    except OSError:
        pass
try:
    os.symlink({out!r}, "grades.csv.lnk")
except OSError:
    pass
""",
    "steal": """
import json
for path in [{key!r}, {classmate!r}, "/work/main/notebooks/01_neurons_and_initialisation.ipynb"]:
    try:
        cells = json.load(open(path))["cells"]
    except OSError:
        continue
    for cell in cells:
        if cell["cell_type"] == "code" and "def " in "".join(cell["source"]):
            exec("".join(cell["source"]))
""",
    "killer": """
import os, signal
for target in (0, 1, -1):
    try:
        os.kill(target, signal.SIGKILL) if target else None
    except OSError:
        pass
open("kernel.pid", "w").write("1")
os.kill(-1, signal.SIGKILL)
""",
    "daemon": """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(4)
        for path in [{out!r}, "grades.csv"]:
            try:
                open(path, "w").write("learner\\nme,100\\n")
            except OSError:
                pass
        time.sleep(600)
    os._exit(0)
""",
    "forkstorm": """
import os, time
for _ in range(100000):
    try:
        os.fork()
    except OSError:
        time.sleep(0.5)
""",
    "flood": """
import os, sys
line = "x" * 1_000_000
for _ in range(1000):
    print(line)
os.write(1, b"NNFS\\x00\\x00\\x00\\x10" + b"{}" * 8)
for fd in range(3, 64):
    try:
        os.write(fd, b"NNFS\\x7f\\xff\\xff\\xff")
    except OSError:
        pass
""",
    "network": """
import socket
for host in ("1.1.1.1", "pypi.org"):
    try:
        socket.create_connection((host, 443), timeout=2).close()
        def sigmoid(z):   # would score if the network were reachable
            return 1 / (1 + __import__("numpy").exp(-z))
    except OSError:
        pass
""",
}


def attacker_notebook(cell: str, solve_sigmoid: bool = False) -> str:
    """The exercise notebook with the attack just before every check cell (where the exercise is graded, so
    a function the attack defines would count) and at the end."""
    nb = nbformat.read(EXERCISES / f"{NOTEBOOK}.ipynb", as_version=4)
    for exercise, index in reversed(check_cells(nb).items()):
        nb.cells.insert(index, nbformat.v4.new_code_cell(cell))
        if solve_sigmoid and exercise == "sigmoid":
            nb.cells.insert(index, nbformat.v4.new_code_cell(SIGMOID))
    nb.cells.append(nbformat.v4.new_code_cell(cell))
    return nbformat.writes(nb)


def fill(cell: str, paths: dict[str, str]) -> str:
    """The attack's code with ``{name!r}`` replaced by the path's repr."""
    for name, value in paths.items():
        cell = cell.replace("{" + name + "!r}", repr(value))
    return cell


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()}


def marked_files(*folders: Path) -> list[str]:
    return [str(path) for folder in folders for path in folder.rglob("*")
            if path.is_file() and not path.is_symlink() and MARK.encode() in path.read_bytes()]


def job_processes() -> list[int]:
    """Processes of this test's job uids: none may outlive a run."""
    return [pid for uid in range(UID_BASE, UID_BASE + 50) for pid in sandbox.processes_of(uid)]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One class with two honest learners and every attacker, graded once."""
    root = tmp_path_factory.mktemp("attacks")
    folder, out = root / "class", root / "out" / "grades.csv"
    folder.mkdir()
    solution = (NOTEBOOKS / f"{NOTEBOOK}.ipynb").read_text()
    for honest in ("honest_a", "honest_b"):
        (folder / honest).mkdir()
        (folder / honest / f"{NOTEBOOK}.ipynb").write_text(solution)
    paths = {"class_dir": str(folder), "key": str(NOTEBOOKS / f"{NOTEBOOK}.ipynb"), "out": str(out),
             "nnlib": str(ROOT / "nnlib"), "classroom": str(ROOT / "classroom"),
             "mark": MARK, "classmate": str(folder / "honest_a" / f"{NOTEBOOK}.ipynb")}
    for name, cell in ATTACKS.items():
        (folder / name).mkdir()
        (folder / name / f"{NOTEBOOK}.ipynb").write_text(attacker_notebook(fill(cell, paths)))
    (folder / "partial").mkdir()                 # answers sigmoid, and fakes the rest
    (folder / "partial" / f"{NOTEBOOK}.ipynb").write_text(
        attacker_notebook(ATTACKS["redefine"], solve_sigmoid=True))
    links = {"link_classmate": folder / "honest_a" / f"{NOTEBOOK}.ipynb",
             "link_key": NOTEBOOKS / f"{NOTEBOOK}.ipynb", "link_stdin": "/dev/stdin",
             "link_zero": "/dev/zero"}
    for name, target in links.items():
        (folder / name).mkdir()
        os.symlink(target, folder / name / f"{NOTEBOOK}.ipynb")
    (folder / "link_folder").symlink_to(folder / "honest_a")
    (folder / "fifo").mkdir()
    os.mkfifo(folder / "fifo" / f"{NOTEBOOK}.ipynb")
    (folder / "huge").mkdir()
    with open(folder / "huge" / f"{NOTEBOOK}.ipynb", "wb") as handle:
        handle.truncate(3 << 30)                 # 3 GB, sparse
    (folder / "=HYPERLINK(\"x\")").mkdir()
    (folder / "=HYPERLINK(\"x\")" / f"{NOTEBOOK}.ipynb").write_text(solution)
    before = fingerprint(folder)
    start = time.monotonic()
    args = [str(folder), "--out", str(out), "--jobs", "2", "--timeout", "40", "--call-timeout", "10",
            "--max-processes", "64", "--max-mb", "5", "--uid-base", str(UID_BASE)]
    assert grade.main(args) == 0
    seconds = time.monotonic() - start
    survivors = job_processes()
    written = out.read_bytes()
    time.sleep(6)                                # a daemon would strike now
    with open(out, newline="", encoding="utf-8") as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    return {"rows": rows, "before": before, "after": fingerprint(folder), "survivors": survivors,
            "later": job_processes(), "written": written, "now": out.read_bytes(), "seconds": seconds,
            "folder": folder}


def scores(row: dict) -> dict[str, int]:
    return {exercise: int(row[f"{NOTEBOOK}:{exercise}"]) for exercise in EXERCISE_IDS}


def test_honest_classmates_keep_full_marks(graded):
    for honest in ("honest_a", "honest_b", "'=HYPERLINK(\"x\")"):
        assert scores(graded["rows"][honest]) == dict.fromkeys(EXERCISE_IDS, 1), honest
        assert graded["rows"][honest][f"{NOTEBOOK}:status"] == "ok"


@pytest.mark.parametrize("attacker", [*ATTACKS, "link_classmate", "link_key", "link_stdin", "link_zero",
                                      "link_folder", "fifo", "huge"])
def test_an_attacker_earns_nothing(graded, attacker):
    assert scores(graded["rows"][attacker]) == dict.fromkeys(EXERCISE_IDS, 0)


def test_an_attacker_keeps_only_what_it_answered(graded):
    assert scores(graded["rows"]["partial"]) == {**dict.fromkeys(EXERCISE_IDS, 0), "sigmoid": 1}


def test_special_submissions_are_reported_and_never_read(graded):
    special = ("link_classmate", "link_key", "link_stdin", "link_zero", "link_folder", "fifo", "huge")
    statuses = {name: graded["rows"][name][f"{NOTEBOOK}:status"] for name in special}
    assert statuses == {"link_classmate": "symlink", "link_key": "symlink", "link_stdin": "symlink",
                        "link_zero": "symlink", "link_folder": "symlink", "fifo": "not-a-regular-file",
                        "huge": "too-large"}


def test_runaway_notebooks_are_stopped(graded):
    assert graded["rows"]["forkstorm"][f"{NOTEBOOK}:status"].startswith("timeout")
    assert graded["rows"]["killer"][f"{NOTEBOOK}:status"].startswith(("crashed", "timeout"))


def test_nothing_outlives_the_run(graded):
    assert graded["survivors"] == [] and graded["later"] == []
    assert graded["now"] == graded["written"]


def test_nothing_outside_the_sandbox_changes(graded):
    assert graded["after"] == graded["before"]
    own = str(graded["folder"] / "vandal" / f"{NOTEBOOK}.ipynb")       # its source holds the mark
    assert [path for path in marked_files(ROOT / "nnlib", ROOT / "classroom", NOTEBOOKS, graded["folder"])
            if path != own] == []


def test_names_that_are_formulas_are_neutralised(graded):
    assert "=HYPERLINK(\"x\")" not in graded["rows"]


# --- the sandbox seen from inside -------------------------------------------------------------------------
PROBES = """
import os, socket, subprocess, time

def can_read(path):
    try:
        open(path, "rb").read(1)
        return True
    except OSError:
        return False

def can_write(path):
    try:
        open(path, "ab").close()
        return True
    except OSError:
        return False

def can_connect(host):
    try:
        socket.create_connection((host, 443), timeout=2).close()
        return True
    except OSError:
        return False

def visible_processes():
    return len([name for name in os.listdir("/proc") if name.isdigit()])

def forks_allowed():
    children = []
    try:
        for _ in range(2000):
            pid = os.fork()
            if pid == 0:
                time.sleep(3)
                os._exit(0)
            children.append(pid)
    except OSError:
        pass
    for pid in children:
        os.waitpid(pid, 0)
    return len(children)

def biggest_file(path, megabytes):
    written = 0
    try:
        with open(path, "wb") as handle:
            for _ in range(megabytes):
                handle.write(b"x" * 2**20)
                handle.flush()
                written += 1
    except OSError:
        pass
    os.remove(path)       # a full /tmp would break this sandbox's own answers (its own loss only)
    return written

def allocate(gigabytes):
    import numpy as np
    return np.ones(int(gigabytes * 2**30 // 8)).size

def fill(folder, megabytes):   # how many 1 MB files fit in folder: what a tmpfs lets one job keep in RAM
    written = []
    try:
        for k in range(megabytes):
            path = os.path.join(folder, f"hoard{k}")
            written.append(path)
            with open(path, "wb") as handle:
                handle.write(b"x" * 2**20)
    except OSError:
        written.pop()
    for path in written:
        os.remove(path)
    return len(written)

def uncounted_memory():   # which ways to hold memory that no per-process limit counts still work
    import ctypes
    libc, working = ctypes.CDLL(None, use_errno=True), []
    try:
        os.close(os.memfd_create("hoard"))
        working.append("memfd_create")
    except OSError:
        pass
    if libc.shmget(0, 2**20, 0o600) != -1:
        working.append("shmget")
    if libc.msgget(0, 0o600) != -1:
        working.append("msgget")
    if libc.semget(0, 32000, 0o600) != -1:           # a billion semaphores fit in a fresh IPC namespace
        working.append("semget")
    return working

def what_reaches_a_classmate():   # a key readable by every uid stayed in the kernel after the sandbox
    import ctypes, pyseccomp
    libc, working = ctypes.CDLL(None, use_errno=True), []
    add_key = pyseccomp.resolve_syscall(pyseccomp.system_arch(), "add_key")   # its number on this machine
    KEY_SPEC_USER_KEYRING = -4
    if libc.syscall(add_key, b"user", b"nnfs-drop", b"def sigmoid(z): ...", 19, KEY_SPEC_USER_KEYRING) != -1:
        working.append("add_key")
    return working

def own_user_namespace():   # in a namespace of its own, a tmpfs of any size: which ways in still work
    import ctypes, pyseccomp, signal
    working = []
    if subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode == 0:
        working.append("unshare")
    libc = ctypes.CDLL(None, use_errno=True)
    clone = pyseccomp.resolve_syscall(pyseccomp.system_arch(), "clone")
    pid = libc.syscall(clone, 0x10000000 | signal.SIGCHLD, 0, 0, 0, 0)   # flags: CLONE_NEWUSER
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
        working.append("clone")
    return working

def oom_score_adj(lower_to):   # the kernel's choice when memory runs out: can the notebook move off it?
    try:
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write(str(lower_to))
    except OSError:
        pass
    with open("/proc/self/oom_score_adj") as handle:
        return int(handle.read())
"""


# "own uid": as root, each job runs as a uid of its own. "mapped user": what a teacher who is an ordinary user
# gets (bwrap maps the sandbox to that user; here, as root, to root), where bwrap's own root and /dev were
# writable tmpfs as large as half the RAM.
MODES = ["own uid", "mapped user"] if sandbox.as_root() else ["mapped user"]


@pytest.fixture(scope="module", params=MODES)
def inside(request):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBES)])
    limits = sandbox.Limits(timeout=30, memory_mb=1024, disk_mb=64, nproc=128)
    with sandbox.job_uids(1 if request.param == "own uid" else 0, base=UID_BASE + 100) as uids:
        uid = uids[0] if uids else None
        channel = Channel(sandbox.start(nbformat.writes(nb).encode(), "01_probe", limits, uid))
        assert channel.receive(60)[0]["status"] == "ok"
        learner = RemoteLearner(channel, call_timeout=30)
        learner.mode = request.param
        yield learner
        channel.close()


def test_the_teachers_files_are_invisible(inside, tmp_path):
    secret = tmp_path / "classmate.ipynb"
    secret.write_text("{}")
    can_read = inside.function("can_read")
    for path in (NOTEBOOKS / f"{NOTEBOOK}.ipynb", secret, ROOT / "README.md", ROOT / "tests" / "conftest.py",
                 "/etc/shadow", "/root/.bash_history"):
        assert can_read(str(path)) is False, path
    assert can_read(str(ROOT / "nnlib" / "__init__.py")) is True     # the library is there, read-only


def test_nothing_outside_is_writable(inside):
    can_write = inside.function("can_write")
    for path in (ROOT / "nnlib" / "__init__.py", ROOT / "classroom" / "checks" / "nb01.py",
                 Path(os.__file__), "/usr/bin/python3", "/etc/fonts/fonts.conf"):
        assert can_write(str(path)) is False, path
    for path in ("/hoard", "/dev/hoard", "/etc/hoard", "/root/hoard", f"{Path(os.__file__).parent}/hoard"):
        assert can_write(path) is False, path        # bwrap's own tmpfs too: read-only
    assert can_write("/tmp/scratch") is True and can_write("scratch") is True
    assert can_write("/dev/shm/scratch") is True     # multiprocessing's semaphores live there


def test_no_network_and_no_host_processes(inside):
    assert inside.function("can_connect")("1.1.1.1") is False
    assert inside.function("can_connect")("pypi.org") is False
    assert inside.function("visible_processes")() < 10


def test_limits_hold(inside):
    if inside.mode == "own uid":     # as the mapped user, the process limit counts all the user's processes
        assert inside.function("forks_allowed")() < 128
    assert inside.function("biggest_file")("/tmp/big", 200) < 64
    with pytest.raises(Exception, match="MemoryError"):
        inside.function("allocate")(2)


def test_memory_outside_the_per_process_limit_is_bounded(inside):
    # Each tmpfs holds at most its size in RAM; the root and /dev hold nothing; memfd and System V memory,
    # which outlive every mapping and which RLIMIT_AS cannot see, are refused by the seccomp filter.
    fill = inside.function("fill")
    assert 0 < fill("/tmp", 100) <= 64 and 0 < fill(".", 100) <= 64
    assert 0 < fill("/dev/shm", 100) <= sandbox.SHM_MB
    assert fill("/", 10) == 0 and fill("/dev", 10) == 0
    assert inside.function("uncounted_memory")() == []


def test_no_user_namespace_of_its_own(inside):
    assert inside.function("own_user_namespace")() == []    # there, mount -t tmpfs -o size=100g would work


def test_nothing_crosses_to_a_classmate_through_the_kernel(inside):
    assert inside.function("what_reaches_a_classmate")() == []


def test_when_memory_runs_out_the_kernel_stops_the_sandbox_not_the_grader(inside):
    # Socket buffers, for one, are memory no limit counts; an out-of-memory kill must then hit a sandbox (a
    # notebook stopped so is graded again, alone), not the grader, which would leave no grades.csv at all.
    assert inside.function("oom_score_adj")(0) == sandbox.OOM_SCORE_ADJ == 1000
    assert open("/proc/self/oom_score_adj").read().strip() == "0"    # the grader's own: unchanged
