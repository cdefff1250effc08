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
``exercise`` is the id of a check cell (``# check: id``). The test (tests/test_mistakes.py) replaces ``find``
by ``replace``, keeps the cells up to and including that exercise's check cell, runs
``pytest --nbval-lax --nbval-current-env`` on it, and requires a Mistake to FAIL and a Variant to PASS.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from classroom import NOTEBOOKS, check_cells
from classroom.exercises import BEGIN, END


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


def region_spans(source: str) -> list[tuple[int, int]]:
    """Character spans of the text between each BEGIN and END SOLUTION marker line."""
    spans, start, offset = [], None, 0
    for line in source.splitlines(keepends=True):
        if line.strip() == BEGIN:
            start = offset + len(line)
        elif line.strip() == END and start is not None:
            spans.append((start, offset))
            start = None
        offset += len(line)
    return spans


def apply(entry: Mistake, nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` with ``entry.find`` replaced; ValueError unless it occurs exactly once in a region."""
    hits = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for begin, end in region_spans(cell.source):
            position = cell.source.find(entry.find, begin)
            while position != -1 and position + len(entry.find) <= end:
                hits.append((index, position))
                position = cell.source.find(entry.find, position + 1)
    if len(hits) != 1:
        raise ValueError(f"{entry.id}: find={entry.find!r} occurs {len(hits)} times inside solution regions "
                         "of the notebook; it must occur exactly once")
    changed = nbformat.from_dict(nb)
    (index, position), = hits
    source = changed.cells[index].source
    changed.cells[index].source = source[:position] + entry.replace + source[position + len(entry.find):]
    return changed


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


def solution(notebook: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4)
