"""Teacher tooling for the notebook series, kept apart from the network code in ``nnlib``.

- ``python -m classroom.build [NAMES] [--check]``  src/*.py -> executed notebooks/*.ipynb + exercises
- ``python -m classroom.exercises [NAMES]``        solution notebook -> notebooks/exercises/ (student version)
- ``python -m classroom.grade DIR``                grade a folder of submissions

Conventions shared by all three (notebook authors follow these):

- An exercise's answer sits between lines ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (nbgrader markers),
  preferably inside a function body so that the student version still runs from top to bottom.
- Each exercise is followed by a *check cell* of exactly one line, ``checks.<id>()`` (e.g.
  ``checks.sigmoid()``), after ``from classroom.checks import nbNN as checks`` in the Setup cell. The id is
  the name of the function the learner completes; it names the exercise in grade tables and in the mistake
  catalogue. The check itself lives in ``classroom/checks/nbNN.py``: it prints ✓ or raises with a hint, and
  the grader runs the same check in its own process (``classroom.checks.evaluate``).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
EXERCISES = NOTEBOOKS / "exercises"

CHECK_CALL = re.compile(r"^checks\.([a-z0-9_]+)\(\)\s*$")
NAME = re.compile(r"^\d\d_[a-z0-9_]+$")


def check_id(cell: dict) -> str | None:
    """The exercise id of a check cell (a code cell that is exactly ``checks.<id>()``), or None."""
    if cell.get("cell_type") != "code":
        return None
    match = CHECK_CALL.match(cell.get("source", "").strip())
    return match.group(1) if match else None


def is_check_cell(cell: dict) -> bool:
    """True for a check cell, ``checks.<id>()``."""
    return check_id(cell) is not None


def check_cells(nb: dict) -> dict[str, int]:
    """{exercise id: cell index} for every check cell of a notebook, in order.

    Raises ValueError when an id is used twice.
    """
    found: dict[str, int] = {}
    for index, cell in enumerate(nb["cells"]):
        exercise = check_id(cell)
        if exercise is None:
            continue
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
