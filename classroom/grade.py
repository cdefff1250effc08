"""Grade a folder of submissions: ``python -m classroom.grade SUBMISSIONS_DIR [--out grades.csv] [--jobs 2]
[--timeout 120] [--memory-mb 2048] [--reference notebooks]``.

Layout of SUBMISSIONS_DIR: one sub-folder per learner holding ``NN_name.ipynb`` files (``alice/03_….ipynb``),
or flat files ``learner__NN_name.ipynb``. Every (learner, notebook) pair of a notebook with exercises is
graded: the file is copied to a fresh temporary folder, its check cells (``# NBVAL_CHECK_OUTPUT`` /
``# check: id``, graded when they follow a solution region) are reset to the reference source, and it
runs in a fresh kernel in a child process. An exercise scores 1 when its check cell prints exactly what
the solution notebook stored (what ``pytest --nbval-lax`` compares). Cells keep running after an error,
so one broken exercise costs one point.
Status per notebook: ``ok``, ``error (cell N: Name)``, ``memory (cell N)``, ``timeout (cell N)``, ``crashed``,
``truncated``, ``not-a-notebook``, ``missing``. A broken submission never stops the run.

What it protects against: runaway time (a wall-clock limit per notebook; the kernel and the child are killed),
runaway memory (RLIMIT_AS in the child, inherited by its kernel: allocations fail with MemoryError), crashes
(each notebook has its own processes), clobbering (it works on copies; the submissions are only read), and
edited check cells (their source is reset). What it does NOT protect against: it is not a sandbox. Student
code runs with the grader's user rights; it can read and write the grader's files, start processes and use
the network if there is one, and it can fake a verdict by redefining ``check``. Grade inside a container or
as an unprivileged user without network (e.g. ``docker run --network none``) when that matters.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from classroom import NOTEBOOKS, check_id, graded_exercises

GRACE = 30  # seconds the parent waits beyond --timeout before killing the child's process group


@dataclass
class Result:
    learner: str
    notebook: str
    status: str
    passed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def comparable(cell: dict) -> list[str]:
    """The outputs nbval compares for a check cell: stdout text and text/plain results, in order."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream" and output["name"] == "stdout":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
        elif output["output_type"] == "error":
            parts.append(f"error: {output['ename']}")
    return ["".join(parts)]


def references(folder: Path = NOTEBOOKS) -> dict[str, dict[str, dict]]:
    """{notebook: {exercise id: reference check cell}} for every solution notebook with exercises."""
    found = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells = {exercise: nb.cells[index] for exercise, index in graded_exercises(nb).items()}
        if cells:
            found[path.stem] = cells
    return found


def find_submissions(folder: Path, notebooks: list[str]) -> dict[str, dict[str, Path]]:
    """{learner: {notebook: file}} from sub-folders or ``learner__NN_name.ipynb`` files."""
    found: dict[str, dict[str, Path]] = {}
    for path in sorted(folder.iterdir()):
        if path.is_dir():
            files = {p.stem: p for p in sorted(path.glob("*.ipynb"))}
            found.setdefault(path.name, {}).update({k: v for k, v in files.items() if k in notebooks})
        elif path.suffix == ".ipynb" and "__" in path.stem:
            learner, notebook = path.stem.split("__", 1)
            if notebook in notebooks:
                found.setdefault(learner, {})[notebook] = path
    return found


def prepare(source: Path, reference: dict[str, dict], workdir: Path) -> tuple[Path | None, str]:
    """Copy a submission into ``workdir`` with its check cells reset; (path, "") or (None, status)."""
    text = source.read_bytes().decode("utf-8", errors="replace")
    try:
        json.loads(text)
    except json.JSONDecodeError:
        return None, "truncated" if text.lstrip().startswith("{") else "not-a-notebook"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception:
        return None, "not-a-notebook"
    for cell in nb.cells:
        if cell.cell_type == "code":  # stored outputs must never count: only what runs here does
            cell.outputs, cell.execution_count = [], None
        exercise = check_id_of(cell)
        if exercise in reference:
            cell.source = reference[exercise]["source"]
    target = workdir / source.name
    nbformat.write(nb, target)
    return target, ""


def check_id_of(cell: dict) -> str | None:
    return check_id(cell) if cell.get("cell_type") == "code" else None


def run_isolated(path: Path, timeout: int, memory_mb: int) -> dict:
    """Execute ``path`` in place in a child process (own session, memory limit); return its status dict."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2",
           "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0"}
    command = [sys.executable, "-m", "classroom.grade", "--run-one", str(path), "--timeout", str(timeout),
               "--memory-mb", str(memory_mb)]
    # The child sets its own RLIMIT_AS before starting the kernel (which inherits it): preexec_fn is not
    # safe in a program that runs threads, and the grader runs one thread per job.
    child = subprocess.Popen(command, cwd=path.parent, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = child.communicate(timeout=timeout + GRACE)
    except subprocess.TimeoutExpired:
        _kill_all(child.pid, path.parent / "kernel.pid")
        child.communicate()
        return {"status": "timeout"}
    lines = out.decode("utf-8", errors="replace").strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        _kill_all(None, path.parent / "kernel.pid")  # the child died without shutting its kernel down
        return {"status": "crashed"}


def _kill_all(child_pid: int | None, pid_file: Path) -> None:
    """Kill the child's process group and the kernel's (the kernel runs in a session of its own)."""
    groups = [child_pid] if child_pid else []
    if pid_file.exists():
        groups.append(int(pid_file.read_text()))
    for group in groups:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def grade_one(learner: str, notebook: str, source: Path | None, reference: dict[str, dict],
              timeout: int, memory_mb: int) -> Result:
    start = time.monotonic()
    if source is None:
        return Result(learner, notebook, "missing", dict.fromkeys(reference, 0))
    workdir = Path(tempfile.mkdtemp(prefix="nnfs-grade-"))
    try:
        copy, status = prepare(source, reference, workdir)
        passed = dict.fromkeys(reference, 0)
        if copy is not None:
            status = run_isolated(copy, timeout, memory_mb)["status"]
            if copy.exists():
                passed = score(nbformat.read(copy, as_version=4), reference)
        return Result(learner, notebook, status, passed, time.monotonic() - start)
    except Exception as error:  # never let one submission stop the run
        return Result(learner, notebook, f"crashed ({type(error).__name__})", dict.fromkeys(reference, 0))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def score(executed: dict, reference: dict[str, dict]) -> dict[str, int]:
    """1 for each exercise whose check cell printed exactly the reference output, else 0."""
    seen = {check_id_of(cell): cell for cell in executed["cells"]}
    return {exercise: int(exercise in seen and comparable(seen[exercise]) == comparable(cell))
            for exercise, cell in reference.items()}


def grade(folder: Path, refs: dict[str, dict[str, dict]], jobs: int = 2, timeout: int = 120,
          memory_mb: int = 2048) -> list[Result]:
    """Grade every (learner, notebook) pair in parallel; results sorted by learner then notebook."""
    submissions = find_submissions(folder, list(refs))
    tasks = [(learner, notebook, files.get(notebook), refs[notebook])
             for learner, files in submissions.items() for notebook in refs]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda task: grade_one(*task, timeout, memory_mb), tasks))
    return sorted(results, key=lambda r: (r.learner, r.notebook))


def write_csv(results: list[Result], refs: dict[str, dict[str, dict]], out: Path) -> None:
    """One row per learner: a 1/0 column per exercise (``notebook:exercise``), a status per notebook."""
    exercises = [f"{nb}:{ex}" for nb, cells in refs.items() for ex in cells]
    header = ["learner", *exercises, *(f"{nb}:status" for nb in refs), "score", "max"]
    rows: dict[str, dict] = {}
    for r in results:
        row = rows.setdefault(r.learner, {"learner": r.learner})
        row.update({f"{r.notebook}:{ex}": value for ex, value in r.passed.items()})
        row[f"{r.notebook}:status"] = r.status
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        for row in rows.values():
            row["score"], row["max"] = sum(row.get(col, 0) for col in exercises), len(exercises)
            writer.writerow(row)


def summary(results: list[Result], refs: dict[str, dict[str, dict]]) -> str:
    lines = ["pass rate per exercise:"]
    for nb, cells in refs.items():
        mine = [r for r in results if r.notebook == nb]
        for ex in cells:
            rate = sum(r.passed.get(ex, 0) for r in mine) / max(1, len(mine))
            lines.append(f"  {nb}:{ex:<24} {rate:6.0%}")
    lines.append("score per learner:")
    total = sum(len(cells) for cells in refs.values())
    for learner in sorted({r.learner for r in results}):
        mine = [r for r in results if r.learner == learner]
        problems = ", ".join(f"{r.notebook} {r.status}" for r in mine if r.status != "ok")
        points = sum(sum(r.passed.values()) for r in mine)
        lines.append(f"  {learner:<20} {points:3d}/{total}" + (f"   ({problems})" if problems else ""))
    return "\n".join(lines)


def limit_memory(memory_mb: int) -> None:
    """Cap this process's address space (inherited by the kernel it starts): big allocations then fail."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_one(path: Path, timeout: int) -> dict:
    """Child mode: execute ``path`` in place (fresh kernel, allow errors, total time budget)."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    nb = nbformat.read(path, as_version=4)
    deadline, current = time.monotonic() + timeout, {"cell": None}
    client = NotebookClient(nb, kernel_name="python3", allow_errors=True, record_timing=False,
                            shutdown_kernel="immediate", resources={"metadata": {"path": str(path.parent)}},
                            timeout_func=lambda cell: max(1, int(deadline - time.monotonic())))
    client.on_notebook_start = lambda notebook: (path.parent / "kernel.pid").write_text(
        str(client.km.provisioner.pgid or client.km.provisioner.pid))
    client.on_cell_start = lambda cell, cell_index: current.update(cell=cell_index)
    try:
        client.execute()
        status = execution_status(nb)
    except CellTimeoutError:
        status = f"timeout (cell {current['cell']})"
    except DeadKernelError:
        status = f"crashed (cell {current['cell']})"
    nbformat.write(nb, path)
    return {"status": status}


def execution_status(nb: dict) -> str:
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                if output["ename"] == "MemoryError":
                    return f"memory (cell {index})"
                return f"error (cell {index}: {output['ename']})"
    return "ok"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m classroom.grade", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Grade a folder of exercise notebooks: one sub-folder per learner (alice/03_....ipynb) "
                    "or flat files learner__NN_name.ipynb. Writes a learner x exercise CSV and prints a "
                    "summary. Not a sandbox: see python -m pydoc classroom.grade.")
    parser.add_argument("submissions", type=Path, nargs="?", help="the folder of submissions")
    parser.add_argument("--out", type=Path, default=Path("grades.csv"), help="where to write the CSV table")
    parser.add_argument("--jobs", type=int, default=2, help="notebooks graded at the same time")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per notebook (wall clock)")
    parser.add_argument("--memory-mb", type=int, default=2048, help="address-space limit per notebook, MB")
    parser.add_argument("--reference", type=Path, default=NOTEBOOKS, help="folder of solution notebooks")
    parser.add_argument("--run-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_one:
        limit_memory(args.memory_mb)
        print(json.dumps(run_one(args.run_one, args.timeout)))
        return 0
    if args.submissions is None or not args.submissions.is_dir():
        parser.error(f"SUBMISSIONS_DIR {args.submissions} is not a folder")
    refs = references(args.reference)
    if not refs:
        parser.error(f"no solution notebooks with check cells in {args.reference}")
    start = time.monotonic()
    results = grade(args.submissions, refs, args.jobs, args.timeout, args.memory_mb)
    write_csv(results, refs, args.out)
    print(summary(results, refs))
    print(f"graded {len(results)} notebooks of {len({r.learner for r in results})} learners in "
          f"{time.monotonic() - start:.1f} s; table: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
