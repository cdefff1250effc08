"""An nbgrader course folder from the notebook sources: ``python -m classroom.nbgrader_course OUT_DIR``.

Writes what ``nbgrader generate_assignment`` accepts as it is:

- ``OUT_DIR/nbgrader_config.py``: the course id, the exchange root (``--exchange``), a cell timeout that fits
  the notebooks' training cells;
- ``OUT_DIR/source/<NN_name>/<NN_name>.ipynb``: one assignment per notebook with exercises, built from
  ``notebooks/src/`` (outputs cleared), with nbgrader cell metadata (schema 3):

  - an exercise cell (it holds ``### BEGIN SOLUTION`` / ``### END SOLUTION``, the markers nbgrader itself
    reads) is an autograded *answer* cell, grade id ``<exercise>_answer``;
  - a check cell, ``checks.<exercise>()``, is a graded, locked *test* cell worth one point, grade id
    ``<exercise>``. It raises when the answer is wrong or unfinished, which is exactly when nbgrader's
    autograde gives it 0 points, so nbgrader agrees with the learner's ``pytest --nbval-lax`` self-check and
    with ``classroom.grade`` (tests/test_nbgrader.py runs all three on the same answers);
  - every other cell is read-only (locked): autograde restores it from the source before grading.

The notebooks import ``nnlib`` and ``classroom.checks`` from the installed package: install the course
environment where nbgrader runs (``pip install -r requirements-nbgrader.txt -e .``), nothing is copied
into the course folder. Links to other notebooks point at their assignment folders (or, for notebooks that
are not assignments, at the repository).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from classroom import SOURCES, check_id, notebook_names
from classroom.exercises import solution_spans

COURSE_ID = "nn-from-scratch"
REPOSITORY = "https://github.com/nn-from-scratch/nn-from-scratch/blob/main/notebooks/"
CELL_TIMEOUT = 300   # seconds per cell, as classroom.build allows (nbgrader's default of 30 is too short)
NOTEBOOK_LINK = re.compile(r"\]\((\d\d_[a-z0-9_]+)\.ipynb(#[^)]*)?\)")

CONFIG = '''\
# nbgrader configuration of the "Neural Networks from Scratch" course, written by
# python -m classroom.nbgrader_course. The notebooks import nnlib and classroom.checks: run nbgrader in
# the course environment (pip install -r requirements-nbgrader.txt -e . in the repository).
c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = {course_id!r}
{exchange}
# Autograde and validate run each notebook in a fresh kernel; the training cells need more than 30 s.
c.Execute.timeout = {timeout}
'''


def answer_metadata(grade_id: str) -> dict:
    """An autograded answer cell: the learner edits it; nbgrader replaces its solution region."""
    return {"schema_version": 3, "grade": False, "solution": True, "locked": False, "task": False,
            "grade_id": grade_id}


def test_metadata(grade_id: str, points: int = 1) -> dict:
    """A graded, locked test cell: full points exactly when it runs without raising."""
    return {"schema_version": 3, "grade": True, "solution": False, "locked": True, "task": False,
            "grade_id": grade_id, "points": points}


def readonly_metadata(grade_id: str) -> dict:
    """A read-only cell: autograde restores it from the source whatever the learner did to it."""
    return {"schema_version": 3, "grade": False, "solution": False, "locked": True, "task": False,
            "grade_id": grade_id}


def add_nbgrader_metadata(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Give every cell of a source notebook (markers kept) its nbgrader metadata, in place; return ``nb``.

    Raises ValueError when an exercise cell is not followed by a check cell (nothing would grade it).
    """
    used: set[str] = set()

    def unique(grade_id: str) -> str:
        candidate, number = grade_id, 2
        while candidate in used:
            candidate, number = f"{grade_id}_{number}", number + 1
        used.add(candidate)
        return candidate

    for index, cell in enumerate(nb.cells):
        exercise = check_id(cell)
        if exercise is not None:
            meta = test_metadata(unique(exercise))
        elif cell.cell_type == "code" and solution_spans(cell.source):
            following = next((check_id(c) for c in nb.cells[index + 1:] if check_id(c)), None)
            if following is None:
                raise ValueError(f"cell {index} holds a solution but no check cell follows it")
            meta = answer_metadata(unique(f"{following}_answer"))
        else:
            meta = readonly_metadata(unique(f"readonly_{cell.get('id', index)}".replace("-", "_")))
        cell.metadata["nbgrader"] = meta
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def relink(markdown: str, assignments: set[str]) -> str:
    """Links to another notebook: to its assignment folder, or to the repository when it is not one."""
    def target(match: re.Match) -> str:
        name, anchor = match.group(1), match.group(2) or ""
        where = f"../{name}/{name}.ipynb" if name in assignments else f"{REPOSITORY}{name}.ipynb"
        return f"]({where}{anchor})"
    return NOTEBOOK_LINK.sub(target, markdown)


def has_exercises(nb: nbformat.NotebookNode) -> bool:
    return any(check_id(cell) for cell in nb.cells)


def assignment_notebook(name: str, assignments: set[str], src_dir: Path = SOURCES) -> nbformat.NotebookNode:
    """The nbgrader source notebook of assignment ``name`` (from ``src_dir/name.py``, markers kept)."""
    from classroom.build import source_cells  # the build reads the sources (and needs jupytext)
    nb = add_nbgrader_metadata(source_cells(src_dir / f"{name}.py"))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = relink(cell.source, assignments)
    nbformat.validate(nb)
    return nb


def config_text(course_id: str = COURSE_ID, exchange: str | None = None, timeout: int = CELL_TIMEOUT) -> str:
    line = (f"c.Exchange.root = {exchange!r}" if exchange else
            "# c.Exchange.root = '/srv/nbgrader/exchange'   # default: /usr/local/share/nbgrader/exchange")
    return CONFIG.format(course_id=course_id, exchange=line, timeout=timeout)


def write_course(out: Path, names: list[str] | None = None, course_id: str = COURSE_ID,
                 exchange: str | None = None, src_dir: Path = SOURCES) -> list[str]:
    """Write the course folder ``out`` (config + ``source/``); return the assignments written, in order.

    ``names``: notebooks to consider (default: all); those without exercises are left out.
    """
    from classroom.build import source_cells
    candidates = notebook_names(names, sources=src_dir)
    assignments = [name for name in candidates if has_exercises(source_cells(src_dir / f"{name}.py"))]
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(config_text(course_id, exchange), encoding="utf-8")
    for name in assignments:
        folder = out / "source" / name
        folder.mkdir(parents=True, exist_ok=True)
        nb = assignment_notebook(name, set(assignments), src_dir)
        (folder / f"{name}.ipynb").write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    return assignments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.nbgrader_course",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the course folder to write (created if missing)")
    parser.add_argument("names", nargs="*", help="notebooks, e.g. 03_loss_and_backpropagation (default: all)")
    parser.add_argument("--course-id", default=COURSE_ID, help=f"nbgrader course id (default {COURSE_ID})")
    parser.add_argument("--exchange", help="nbgrader exchange root (default: nbgrader's own)")
    args = parser.parse_args(argv)
    try:
        assignments = write_course(args.out, args.names, args.course_id, args.exchange)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"wrote {args.out / 'nbgrader_config.py'} and {len(assignments)} assignment(s): "
          + ", ".join(assignments))
    print(f"next: cd {args.out} && nbgrader generate_assignment {assignments[0] if assignments else 'NAME'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
