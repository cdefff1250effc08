"""Teacher tooling for the notebook series, kept apart from the network code in ``nnlib``.

- ``python -m classroom.build [NAMES] [--check]``  src/*.py -> executed notebooks/*.ipynb + exercises
- ``python -m classroom.exercises [NAMES]``        solution notebook -> notebooks/exercises/ (student version)
- ``python -m classroom.grade DIR``                grade a folder of submissions

Conventions shared by all three (notebook authors follow these):

- An exercise's answer sits between lines ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader markers),
  preferably inside a function body so that the student version still runs from top to bottom.
- Each exercise is followed by a *check cell* whose first two lines are exactly::

      # NBVAL_CHECK_OUTPUT
      # check: sigmoid

  The id after ``# check:`` (lower-case letters, digits, ``_``) names the exercise in grade tables and in the
  mistake catalogue; it is unique within its notebook. The cell prints its verdict via ``nnlib.feedback``.
- A check cell counts as a graded exercise only when a solution region sits between it and the previous
  check cell; other check cells (e.g. "the notebook's code agrees with nnlib") are compared by nbval only.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
EXERCISES = NOTEBOOKS / "exercises"

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"
CHECK_ID = re.compile(r"^# check: ([a-z0-9_]+)\s*$")
NAME = re.compile(r"^\d\d_[a-z0-9_]+$")


def is_check_cell(cell: dict) -> bool:
    """True for a code cell that nbval compares (its source contains ``# NBVAL_CHECK_OUTPUT``)."""
    return cell.get("cell_type") == "code" and CHECK_MARKER in cell.get("source", "")


def check_id(cell: dict) -> str | None:
    """The exercise id of a check cell (its ``# check: id`` second line), or None."""
    lines = cell.get("source", "").splitlines()
    if len(lines) < 2 or lines[0].strip() != CHECK_MARKER:
        return None
    match = CHECK_ID.match(lines[1].strip())
    return match.group(1) if match else None


def check_cells(nb: dict) -> dict[str, int]:
    """{exercise id: cell index} for every check cell of a notebook, in order.

    Raises ValueError when a check cell lacks the ``# check: id`` header or an id is used twice.
    """
    found: dict[str, int] = {}
    for index, cell in enumerate(nb["cells"]):
        if not is_check_cell(cell):
            continue
        exercise = check_id(cell)
        if exercise is None:
            raise ValueError(f"cell {index}: a check cell must start with the lines '{CHECK_MARKER}' and "
                             f"'# check: <id>', got {cell['source'][:60]!r}")
        if exercise in found:
            raise ValueError(f"cell {index}: exercise id {exercise!r} already used by cell {found[exercise]}")
        found[exercise] = index
    return found


def notebook_names(names: list[str] | None = None, sources: Path = SOURCES) -> list[str]:
    """The notebook names to work on: the given ones (validated) or every ``NN_name.py`` in ``sources``."""
    available = sorted(path.stem for path in sources.glob("*.py") if NAME.match(path.stem))
    if not names:
        return available
    cleaned = [Path(name).stem for name in names]
    unknown = [name for name in cleaned if name not in available]
    if unknown:
        raise ValueError(f"no notebook source for {unknown} in {sources}; available: {available}")
    return cleaned


def graded_exercises(nb: dict) -> dict[str, int]:
    """The check cells that grade an exercise: a solution region lies between them and the previous one."""
    graded, seen_solution = {}, False
    cells = check_cells(nb)
    by_index = {index: exercise for exercise, index in cells.items()}
    for index, cell in enumerate(nb["cells"]):
        if index in by_index:
            if seen_solution:
                graded[by_index[index]] = index
            seen_solution = False
        elif cell.get("cell_type") == "code" and "### BEGIN SOLUTION" in cell.get("source", ""):
            seen_solution = True
    return graded
