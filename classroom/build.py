"""Build the notebooks: ``python -m classroom.build [NAMES...] [--check]``.

For each ``notebooks/src/NN_name.py`` (jupytext py:percent): convert it to a notebook, execute it in a fresh
``python3`` kernel from ``notebooks/`` (300 s per cell), refuse it if any cell stored an error or wrote to
stderr, strip volatile metadata and the ``### BEGIN/END SOLUTION`` marker lines, record
``metadata.nnfs.source_sha256`` (a hash of the cells' types, sources and tags), validate and write the answer
key ``notebooks/NN_name.ipynb``; then write the student version (from the source, outputs cleared) in
``notebooks/exercises/``.

``--check`` executes nothing: it lists the notebooks whose ``.ipynb`` no longer matches its source, whose
stored hash does not match its cells, or whose student version differs from what ``classroom.exercises`` would
write, and exits 1 if there are any.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from classroom import EXERCISES, NOTEBOOKS, SOURCES, check_cells, notebook_names
from classroom.exercises import answer_key, solution_regions, student_text

CELL_TIMEOUT = 300
JUPYTEXT_ONLY = ("lines_to_next_cell", "execution")  # cell metadata that is volatile or jupytext-internal


class BuildError(Exception):
    """A notebook failed to build (an error or stderr output, or malformed exercise markers)."""


def source_cells(src: Path) -> nbformat.NotebookNode:
    """Read a py:percent source into a notebook with deterministic cell ids and clean metadata."""
    nb = jupytext.read(src, fmt="py:percent")
    nb.nbformat, nb.nbformat_minor = 4, 5
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
        for key in JUPYTEXT_ONLY:
            cell.metadata.pop(key, None)
    nb.metadata = nbformat.from_dict({"kernelspec": {"display_name": "Python 3", "language": "python",
                                                     "name": "python3"}})
    return nb


def cells_signature(nb: dict) -> list[list]:
    """What the source decides about each cell: its type, source and tags (not outputs, not ids)."""
    return [[cell["cell_type"], cell["source"], list(cell.get("metadata", {}).get("tags", []))]
            for cell in nb["cells"]]


def source_hash(nb: dict) -> str:
    text = json.dumps(cells_signature(nb), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_markers(nb: dict) -> None:
    """Raise BuildError for malformed check-cell headers or solution markers (before spending a kernel)."""
    try:
        check_cells(nb)
        for index, cell in enumerate(nb["cells"]):
            try:
                solution_regions(cell["source"])
            except ValueError as error:
                raise ValueError(f"cell {index}: {error}") from None
    except ValueError as error:
        raise BuildError(str(error)) from None


def bad_outputs(nb: dict) -> list[str]:
    """One line per cell that stored an error or wrote to stderr (a built notebook must have none)."""
    problems = []
    for index, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            where = f"cell {index} ({(cell['source'].splitlines() or [''])[0][:60]!r})"
            if output["output_type"] == "error":
                problems.append(f"{where} raised {output['ename']}: {output['evalue'][:200]}")
            elif output["output_type"] == "stream" and output["name"] == "stderr":
                problems.append(f"{where} wrote to stderr: {output['text'].strip()[:200]!r}")
    return problems


def execute(nb: nbformat.NotebookNode, cwd: Path, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run every cell in a fresh python3 kernel started in ``cwd``; errors are stored, not raised."""
    os.environ.setdefault("PYTHONHASHSEED", "0")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                            record_timing=False, resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def finalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what differs between identical runs and record the source hash."""
    language = {key: value for key, value in nb.metadata.get("language_info", {}).items() if key != "version"}
    metadata = {"kernelspec": nb.metadata["kernelspec"], "language_info": language,
                "nnfs": {"source_sha256": source_hash(nb)}}
    if "widgets" in nb.metadata:
        metadata["widgets"] = nb.metadata["widgets"]
    nb.metadata = nbformat.from_dict(metadata)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    nbformat.validate(nb)
    return nb


def build(name: str, src_dir: Path = SOURCES, out_dir: Path = NOTEBOOKS,
          exercises_dir: Path = EXERCISES) -> None:
    """Build one notebook and its student version; raise BuildError if it does not run cleanly."""
    nb = source_cells(src_dir / f"{name}.py")
    check_markers(nb)
    try:
        execute(nb, cwd=out_dir)
    except Exception as error:  # a cell timed out, the kernel died or could not start
        raise BuildError(f"{name}: execution failed: {type(error).__name__}: {str(error)[:300]}") from None
    problems = bad_outputs(nb)
    if problems:
        raise BuildError(f"{name}: " + "; ".join(problems))
    out = out_dir / f"{name}.ipynb"
    out.write_text(nbformat.writes(finalise(answer_key(nb))) + "\n", encoding="utf-8")
    exercises_dir.mkdir(parents=True, exist_ok=True)
    student = student_text(source_cells(src_dir / f"{name}.py"), name)
    (exercises_dir / out.name).write_text(student, encoding="utf-8")


def stale_reasons(name: str, src_dir: Path = SOURCES, out_dir: Path = NOTEBOOKS,
                  exercises_dir: Path = EXERCISES) -> list[str]:
    """Why ``out_dir/name.ipynb`` or its student version is out of date (empty list: up to date)."""
    built, student = out_dir / f"{name}.ipynb", exercises_dir / f"{name}.ipynb"
    if not built.exists():
        return [f"{built.name} has not been built"]
    nb = nbformat.read(built, as_version=4)
    source = source_cells(src_dir / f"{name}.py")
    reasons = []
    if cells_signature(nb) != cells_signature(answer_key(source)):
        reasons.append("its cells differ from the source in notebooks/src")
    if nb.metadata.get("nnfs", {}).get("source_sha256") != source_hash(nb):
        reasons.append("metadata.nnfs.source_sha256 does not match its cells (edited without rebuilding?)")
    if not student.exists() or student.read_text(encoding="utf-8") != student_text(source, name):
        reasons.append("its student version in exercises/ is missing or differs from a fresh one")
    return reasons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.build", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="notebook names such as 02_forward_pass (default: all)")
    parser.add_argument("--check", action="store_true", help="only report stale notebooks, execute nothing")
    args = parser.parse_args(argv)
    try:
        names = notebook_names(args.names)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not names:
        print(f"error: no notebook sources in {SOURCES}", file=sys.stderr)
        return 1
    return check_all(names) if args.check else build_all(names)


def check_all(names: list[str]) -> int:
    stale = {name: stale_reasons(name) for name in names}
    stale = {name: reasons for name, reasons in stale.items() if reasons}
    for name, reasons in stale.items():
        print(f"stale: {name}: " + "; ".join(reasons))
    if stale:
        print(f"{len(stale)} of {len(names)} notebooks are stale: run python -m classroom.build "
              + " ".join(stale))
        return 1
    print(f"all {len(names)} notebooks are up to date")
    return 0


def build_all(names: list[str]) -> int:
    failed = []
    for name in names:
        print(f"building {name} ...", flush=True)
        try:
            build(name)
        except BuildError as error:
            print(f"error: {error}", file=sys.stderr)
            failed.append(name)
    if failed:
        print(f"error: {len(failed)} notebook(s) failed to build: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"built {len(names)} notebook(s) and their student versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
