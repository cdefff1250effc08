"""The mistake catalogue: typical learner mistakes applied to the solution notebooks, and correct variants.

Authors add one module per notebook, ``tests/mistakes/nbNN.py``, defining ``ENTRIES``::

    from mistakes import Mistake, Variant

    ENTRIES = [
        Mistake(notebook="03_loss_and_backpropagation", exercise="mse",
                find="np.mean((y_hat - y) ** 2)", replace="np.sum((y_hat - y) ** 2)",
                description="sum vs mean"),
        Variant(notebook="03_loss_and_backpropagation", exercise="mse",
                find="np.mean((y_hat - y) ** 2)", replace="np.mean(np.square(y - y_hat))",
                description="np.square, operands swapped"),
    ]

``find`` is exact text that occurs exactly once inside the ``### BEGIN/END SOLUTION`` regions of the notebook;
``exercise`` is the id of a check cell (``# check: id``). A Mistake must make its notebook FAIL under
``pytest --nbval-lax --nbval-current-env``; a Variant must PASS.

To run every entry of a notebook in one kernel, ``trial_notebook`` builds one notebook: the solution notebook,
where right after each exercise's check cell every entry of that exercise is tried in turn — the cells from
the exercise cell to the check cell, with ``find`` replaced by ``replace`` (the *trial*), then the same cells
unchanged (the *restore*: re-defines the right answer and must pass, proving the next trial starts clean).
nbval reports every code cell as its own test item, so one run tells each entry's outcome.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import nbformat

from classroom import SOURCES, check_cells
from classroom.build import source_cells
from classroom.exercises import solution_spans


@dataclass(frozen=True)
class Mistake:
    """A wrong answer: the exercise's check must fail under nbval."""
    notebook: str
    exercise: str
    find: str
    replace: str
    description: str

    expect_pass = False

    @property
    def id(self) -> str:
        return f"{self.notebook[:2]}-{self.exercise}-{type(self).__name__.lower()}-{self.description}"


@dataclass(frozen=True)
class Variant(Mistake):
    """A correct alternative: the exercise's check must pass under nbval."""

    expect_pass = True


def catalogue() -> list[Mistake]:
    """Every entry of every ``tests/mistakes/nb*.py`` module, in file order."""
    entries: list[Mistake] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("nb"):
            entries += importlib.import_module(f"{__name__}.{info.name}").ENTRIES
    return entries


def apply(entry: Mistake, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with ``entry.find`` replaced; ValueError unless it occurs exactly once in a region."""
    index, source = locate(entry, nb)
    changed = nbformat.from_dict(nb)
    changed.cells[index].source = source
    return changed


def locate(entry: Mistake, nb: nbformat.NotebookNode) -> tuple[int, str]:
    """(index of the cell ``entry.find`` is in, that cell's source with ``find`` replaced by ``replace``)."""
    hits = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for begin, end in solution_spans(cell.source):
            position = cell.source.find(entry.find, begin)
            while position != -1 and position + len(entry.find) <= end:
                hits.append((index, position))
                position = cell.source.find(entry.find, position + 1)
    if len(hits) != 1:
        raise ValueError(f"{entry.id}: find={entry.find!r} occurs {len(hits)} times inside solution regions "
                         "of the notebook; it must occur exactly once")
    (index, position), = hits
    source = nb.cells[index].source
    return index, source[:position] + entry.replace + source[position + len(entry.find):]


def up_to_check(nb: nbformat.NotebookNode, exercise: str) -> nbformat.NotebookNode:
    """The notebook's cells up to and including the check cell of ``exercise``."""
    cells = check_cells(nb)
    if exercise not in cells:
        raise ValueError(f"exercise {exercise!r} has no check cell; the notebook has {sorted(cells)}")
    short = nbformat.from_dict(nb)
    short.cells = short.cells[: cells[exercise] + 1]
    return short


def run_nbval(nb: nbformat.NotebookNode, folder: Path, timeout: int = 600) -> tuple[bool, str]:
    """Write ``nb`` to ``folder`` and run real nbval on it in a subprocess: (passed, pytest's output)."""
    path = folder / "notebook_under_test.ipynb"
    nbformat.write(nb, path)
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
               "-p", "no:cacheprovider", "-p", "no:xdist", "--rootdir", str(folder),
               "-c", str(folder / "none.ini"), path.name]
    (folder / "none.ini").write_text("[pytest]\n")
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}  # Agg: no PNGs to render
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout, env=env)
    return done.returncode == 0, done.stdout[-3000:]


Trials = tuple[nbformat.NotebookNode, dict[str, list[int]], list[int]]


def trial_notebook(nb: nbformat.NotebookNode, entries: list[Mistake]) -> Trials:
    """The solution notebook with every entry tried after its exercise's check cell (module docstring).

    Returns (notebook, {entry id: nbval cell numbers of its trial}, nbval cell numbers of the restores and of
    the original check cells, which must all pass). nbval numbers the code cells 0, 1, 2, ...
    """
    checks = check_cells(nb)
    trials_after: dict[int, list[tuple[Mistake, int, str]]] = {}
    for entry in entries:
        if entry.exercise not in checks:
            raise ValueError(f"{entry.id}: exercise {entry.exercise!r} has no check cell")
        index, mutated = locate(entry, nb)
        if index > checks[entry.exercise]:
            raise ValueError(f"{entry.id}: the solution region comes after the check cell")
        trials_after.setdefault(checks[entry.exercise], []).append((entry, index, mutated))
    built = nbformat.from_dict(nb)
    built.cells, trial_cells, must_pass = [], {}, []

    def add(cell: dict, source: str | None = None) -> int | None:
        copy = nbformat.from_dict(cell)
        copy["id"] = f"c{len(built.cells)}"  # cell ids must stay unique
        if source is not None:
            copy.source = source
        built.cells.append(copy)
        return sum(c.cell_type == "code" for c in built.cells) - 1 if copy.cell_type == "code" else None

    for position, cell in enumerate(nb.cells):
        number = add(cell)
        if position in checks.values():
            must_pass.append(number)
        for entry, start, mutated in trials_after.get(position, []):
            span = range(start, position + 1)
            numbers = [add(nb.cells[i], mutated if i == start else None) for i in span]
            trial_cells[entry.id] = [n for n in numbers if n is not None]
            must_pass += [n for n in (add(nb.cells[i]) for i in span) if n is not None]
    return built, trial_cells, must_pass


def run_nbval_cells(nb: nbformat.NotebookNode, folder: Path, timeout: int = 900) -> dict[int, bool]:
    """Run real nbval on ``nb`` in a subprocess: {code cell number: passed}, read from its JUnit report."""
    path, report = folder / "notebook_under_test.ipynb", folder / "report.xml"
    nbformat.write(nb, path)
    (folder / "none.ini").write_text("[pytest]\n")
    command = [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
               "-p", "no:cacheprovider", "-p", "no:xdist", "--rootdir", str(folder),
               "-c", str(folder / "none.ini"), f"--junitxml={report}", path.name]
    env = {**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"}
    subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=timeout, env=env)
    outcome = {}
    for case in ElementTree.parse(report).iter("testcase"):
        if not case.get("name").startswith("Cell "):   # e.g. the plugin's "unchecked exercises"
            continue
        number = int(case.get("name").removeprefix("Cell "))
        outcome[number] = not any(child.tag in ("failure", "error") for child in case)
    return outcome


def solution(notebook: str) -> nbformat.NotebookNode:
    """The notebook's source with its solution markers (the answer key in notebooks/ has none)."""
    return source_cells(SOURCES / f"{notebook}.py")
