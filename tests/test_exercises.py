"""classroom.exercises: student versions are generated correctly, up to date, valid, and leak no solution."""

import nbformat
import pytest

from classroom import EXERCISES, NOTEBOOKS, SOURCES, check_cells, is_check_cell, notebook_names
from classroom.build import source_cells
from classroom.exercises import (
    BEGIN,
    END,
    NOTE_ID,
    answer_key,
    make_student,
    solution_regions,
    strip_solutions,
    student_text,
)

NAMES = notebook_names()
WITH_EXERCISES = [n for n in NAMES if BEGIN in (SOURCES / f"{n}.py").read_text(encoding="utf-8")]


def source(name: str):
    return source_cells(SOURCES / f"{name}.py")

CELL = """def sigmoid(z):
    # a comment the learner keeps
    ### BEGIN SOLUTION
    s = 1.0 / (1.0 + np.exp(-z))
    return s
    ### END SOLUTION
x = 1
### BEGIN SOLUTION
y = 2
### END SOLUTION"""


def test_strip_solutions_keeps_indentation_and_surrounding_code():
    assert strip_solutions(CELL) == """def sigmoid(z):
    # a comment the learner keeps
    # YOUR CODE HERE
    raise NotImplementedError()
x = 1
# YOUR CODE HERE
raise NotImplementedError()"""


def test_solution_regions_lists_the_lines_inside_the_markers():
    assert solution_regions(CELL) == [["    s = 1.0 / (1.0 + np.exp(-z))", "    return s"], ["y = 2"]]


@pytest.mark.parametrize("source", [f"{BEGIN}\nx\n", f"x\n{END}", f"{BEGIN}\n{BEGIN}\n{END}\n{END}"])
def test_unbalanced_markers_raise_value_error(source):
    with pytest.raises(ValueError, match="SOLUTION"):
        strip_solutions(source)


def demo_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("[next](02_x.ipynb) [readme](../README.md) [code](nnlib/network.py)"),
        nbformat.v4.new_code_cell(CELL, execution_count=1, outputs=[nbformat.v4.new_output(
            "stream", name="stdout", text="hi\n")]),
        nbformat.v4.new_code_cell("checks.sigmoid()", execution_count=2,
                                  outputs=[nbformat.v4.new_output("stream", name="stdout", text="✓ ok\n")]),
    ]
    return nb


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_the_answer_key_shows_no_grading_plumbing(name):
    text = (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")
    for plumbing in (BEGIN, END, "NBVAL_CHECK_OUTPUT", "# check:", "noqa"):
        assert plumbing not in text
    assert nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4).cells[2].source == \
        answer_key(source(name)).cells[2].source


def test_make_student_clears_every_output_and_adds_a_note():
    solution = demo_notebook()
    student = make_student(solution, "01_demo")
    nbformat.validate(student)
    note, markdown, exercise, check = student.cells
    command = "python -m pytest --nbval-lax --nbval-current-env notebooks/exercises/01_demo.ipynb"
    assert note.id == NOTE_ID and command in note.source
    assert exercise.outputs == [] and exercise.execution_count is None
    assert "raise NotImplementedError()" in exercise.source and "np.exp" not in exercise.source
    assert check.source == "checks.sigmoid()" and check.outputs == [] and check.execution_count is None
    assert markdown.source == "[next](02_x.ipynb) [readme](../../README.md) [code](nnlib/network.py)"
    assert solution.cells[1].outputs, "the solution notebook itself is not modified"


def solution_lines(nb) -> tuple[set[str], set[str]]:
    """Stripped non-blank lines inside solution regions, and those outside them (all cells)."""
    inside, outside = set(), set()
    for cell in nb.cells:
        regions = solution_regions(cell.source) if cell.cell_type == "code" else []
        hidden = {line.strip() for region in regions for line in region if line.strip()}
        inside |= hidden
        outside |= {line.strip() for line in strip_solutions(cell.source).splitlines() if line.strip()}
    return inside, outside


def test_there_are_notebooks_with_exercises():
    assert WITH_EXERCISES, "no built notebook contains an exercise"


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_student_version_is_up_to_date_and_valid(name):
    path = EXERCISES / f"{name}.ipynb"
    assert path.exists(), f"run: python -m classroom.build {name}"
    assert path.read_text(encoding="utf-8") == student_text(source(name), name)
    nbformat.validate(nbformat.read(path, as_version=4))


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_student_version_leaks_no_solution(name):
    solution = source(name)
    student = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    inside, outside = solution_lines(solution)
    secret = inside - outside
    text = "\n".join(cell.source for cell in student.cells)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    leaked = [line for cell in student.cells for line in cell.source.splitlines() if line.strip() in secret]
    assert leaked == []


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_student_version_shows_no_verdict_before_it_is_run(name):
    student = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    assert check_cells(student), "a notebook with exercises needs check cells"
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("name", WITH_EXERCISES)
def test_every_exercise_has_a_one_line_check_cell_and_a_check(name):
    from classroom.checks import BOOKS
    solution = source(name)
    cells = check_cells(solution)
    assert list(cells) == list(BOOKS[name].exercises), "check cells and classroom/checks disagree"
    for exercise, index in cells.items():
        assert solution.cells[index].source == f"checks.{exercise}()"
        assert is_check_cell(solution.cells[index])
        defined = [c for c in solution.cells[:index] if f"def {exercise}(" in c.source and BEGIN in c.source]
        assert defined, f"no exercise cell defines {exercise} before its check"
