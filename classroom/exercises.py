"""Solution source -> student notebook and answer key: ``python -m classroom.exercises [NAMES...]``.

Every region between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` becomes ``# YOUR CODE HERE`` and
``raise NotImplementedError()`` at the marker's indentation (as nbgrader does). Every output and execution
count is cleared: a verdict is never stored, it comes from running the check (``checks.sigmoid()``) on the
learner's code. A note at the top says how to check the work.
"""

from __future__ import annotations

import copy
import re
import sys

import nbformat

from classroom import EXERCISES, NOTEBOOKS, SOURCES, notebook_names

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
LINK = re.compile(r"(\]\()([^)\s]+)(\))")
TRACK = re.compile(r"((?:urlpath=lab/tree/|/blob/[^/\s]+/)notebooks/)(\d\d_[a-z0-9_]+\.ipynb)")   # badges
NOTE_ID = "exercise-version-note"


def _note(name: str) -> str:
    return (
        "> **Exercise version.** Complete every cell that contains `raise NotImplementedError()`: "
        "replace those two lines with your code. The one-line cell after each exercise checks your answer: "
        "it prints ✓, or fails with ✗ and a hint. To check everything at once, run all cells "
        "(Run → Run All Cells), or in a terminal in the repository's folder: "
        f"`python -m pytest --nbval-lax --nbval-current-env notebooks/exercises/{name}.ipynb`"
    )


def solution_spans(source: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the text inside each BEGIN/END SOLUTION region of a cell's source
    (marker lines excluded). Raises ValueError on unbalanced markers."""
    spans: list[tuple[int, int]] = []
    start, offset = None, 0
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        marker = line.strip()
        if marker == BEGIN:
            if start is not None:
                raise ValueError(f"line {number}: {BEGIN} inside another solution region")
            start = offset + len(line)
        elif marker == END:
            if start is None:
                raise ValueError(f"line {number}: {END} without a {BEGIN}")
            spans.append((start, offset))
            start = None
        offset += len(line)
    if start is not None:
        raise ValueError(f"{BEGIN} without an {END}")
    return spans


def solution_regions(source: str) -> list[list[str]]:
    """The lines inside each BEGIN/END SOLUTION region of a cell's source (markers excluded)."""
    return [source[begin:end].splitlines() for begin, end in solution_spans(source)]


def strip_solutions(source: str) -> str:
    """Replace each solution region (markers included) by the nbgrader placeholder, same indentation."""
    solution_regions(source)  # validates the markers
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            inside = True
        elif line.strip() == END:
            inside = False
        elif not inside:
            lines.append(line)
    return "\n".join(lines)


def _relink(markdown: str) -> str:
    """Links written for notebooks/ also work from notebooks/exercises/: relative links to files outside the
    folder get a ``../``; links to other notebooks stay in the exercise track, and so do launch badges."""
    markdown = TRACK.sub(r"\1exercises/\2", markdown)
    def fix(match: re.Match) -> str:
        target = match.group(2)
        keep = (re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith(("#", "/", "nnlib/"))
                or target.split("#")[0].endswith(".ipynb"))
        return match.group(0) if keep else f"{match.group(1)}../{target}{match.group(3)}"
    return LINK.sub(fix, markdown)


def strip_markers(source: str) -> str:
    """The source without its ``### BEGIN/END SOLUTION`` lines (the answer key shows the answers, not the
    grading plumbing)."""
    solution_regions(source)  # validates the markers
    return "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN, END))


def answer_key(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of the solution notebook with the solution markers removed from every code cell."""
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_markers(cell.source)
    return nb


def make_student(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The student version of a solution notebook (a new notebook; the input is not modified)."""
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _relink(cell.source)
        if cell.cell_type != "code":
            continue
        cell.source = strip_solutions(cell.source)
        cell.outputs = []
        cell.execution_count = None
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(_note(name), id=NOTE_ID))
    nbformat.validate(nb)
    return nb


def student_text(solution: nbformat.NotebookNode, name: str) -> str:
    """The student notebook of a solution notebook (with its markers) as the exact text written to disk."""
    return nbformat.writes(make_student(solution, name)) + "\n"


def main(argv: list[str] | None = None) -> int:
    from classroom.build import source_cells  # the build reads the sources (and needs jupytext)
    names = notebook_names(argv if argv is not None else sys.argv[1:])
    EXERCISES.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = EXERCISES / f"{name}.ipynb"
        target.write_text(student_text(source_cells(SOURCES / f"{name}.py"), name), encoding="utf-8")
        print(f"wrote {target.relative_to(NOTEBOOKS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
