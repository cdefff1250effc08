"""classroom.grade: 30+ generated submissions (correct, unfinished, wrong, crashing, hanging, truncated, not a
notebook, memory hog, missing) graded into exactly the expected table. Slow: prints its wall time."""

import csv
import time

import nbformat
import pytest
from mistakes import Mistake, apply, catalogue
from reporting import report

from classroom import EXERCISES, NOTEBOOKS, check_cells
from classroom.grade import find_submissions, main, prepare, references

REFS = references(NOTEBOOKS)
HANG = "while True:\n    pass"
HOG = "import numpy as np\nbig = np.ones(10**10)"


def with_cell(nb, index: int, source: str):
    changed = nbformat.from_dict(nb)
    changed.cells.insert(index, nbformat.v4.new_code_cell(source))
    return changed


def last_exercise_mistake(name: str) -> Mistake | None:
    last = list(REFS[name])[-1]
    wrong = [e for e in catalogue() if e.notebook == name and e.exercise == last and not e.expect_pass]
    return wrong[0] if wrong else None


def make_submissions(folder):
    """Write the submissions; return {(learner, notebook): (status, {exercise: 0/1})} for the graded ones."""
    expected = {}
    for name, cells in REFS.items():
        solution = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        every, none = dict.fromkeys(cells, 1), dict.fromkeys(cells, 0)
        text = (NOTEBOOKS / f"{name}.ipynb").read_text()
        plan = {
            "correct": (text, "ok", every),
            "unfinished": ((EXERCISES / f"{name}.ipynb").read_text(), "ok", none),
            "crash": (nbformat.writes(with_cell(solution, 1, "raise RuntimeError('boom')")),
                      "error (cell 1: RuntimeError)", every),
            "hog": (nbformat.writes(with_cell(solution, 0, HOG)), "memory (cell 0)", every),
            "truncated": (text[: len(text) // 2], "truncated", none),
            "text": ("my answers are in the other file\n", "not-a-notebook", none),
        }
        mistake = last_exercise_mistake(name)
        if mistake:
            plan["wrong"] = (nbformat.writes(apply(mistake, solution)), "ok", {**every, mistake.exercise: 0})
        for kind, (content, status, passed) in plan.items():
            learner = f"{kind}_{name[:2]}"
            (folder / learner).mkdir()
            (folder / learner / f"{name}.ipynb").write_text(content)
            expected[(learner, name)] = (status, passed)
        (folder / f"flat_{name[:2]}__{name}.ipynb").write_text(text)   # the flat-file layout
        expected[(f"flat_{name[:2]}", name)] = ("ok", every)
    first = next(iter(REFS))
    (folder / "hang").mkdir()
    solution = nbformat.read(NOTEBOOKS / f"{first}.ipynb", as_version=4)
    (folder / "hang" / f"{first}.ipynb").write_text(nbformat.writes(with_cell(solution, 0, HANG)))
    expected[("hang", first)] = ("timeout (cell 0)", dict.fromkeys(REFS[first], 0))
    for number in range(30 - len(expected)):     # top up to 30 with cheap broken files
        learner, broken = f"late{number:02d}", number % 2
        content = "not json at all" if broken else (NOTEBOOKS / f"{first}.ipynb").read_text()[:100]
        (folder / f"{learner}__{first}.ipynb").write_text(content)
        status = "not-a-notebook" if broken else "truncated"
        expected[(learner, first)] = (status, dict.fromkeys(REFS[first], 0))
    learners = {learner for learner, _ in expected}
    for learner in learners:                     # every other notebook of a learner is missing
        for name, cells in REFS.items():
            expected.setdefault((learner, name), ("missing", dict.fromkeys(cells, 0)))
    return expected


def test_there_are_notebooks_to_grade():
    assert REFS, "no solution notebook with check cells in notebooks/"


def test_prepare_resets_check_cells_and_clears_stored_outputs(tmp_path):
    name, cells = next(iter(REFS.items()))
    student = nbformat.read(EXERCISES / f"{name}.ipynb", as_version=4)
    exercise, index = next(iter(check_cells(student).items()))
    student.cells[index].source += "\nprint('✓ I wrote this myself')"
    source = tmp_path / "in" / f"{name}.ipynb"
    source.parent.mkdir()
    nbformat.write(student, source)
    copy, status = prepare(source, cells, tmp_path)
    graded = nbformat.read(copy, as_version=4)
    assert status == "" and copy != source
    assert graded.cells[index].source == cells[exercise].source
    assert all(cell.get("outputs", []) == [] for cell in graded.cells)


def test_find_submissions_reads_both_layouts(tmp_path):
    name = next(iter(REFS))
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / f"{name}.ipynb").write_text("{}")
    (tmp_path / f"bob__{name}.ipynb").write_text("{}")
    (tmp_path / "bob__99_unknown.ipynb").write_text("{}")
    found = find_submissions(tmp_path, list(REFS))
    assert {learner: sorted(files) for learner, files in found.items()} == {"ann": [name], "bob": [name]}


@pytest.mark.slow
def test_grading_a_class_produces_exactly_the_expected_table(tmp_path, capsys):
    folder = tmp_path / "submissions"
    folder.mkdir()
    expected = make_submissions(folder)
    submitted = [key for key, (status, _) in expected.items() if status != "missing"]
    assert len(submitted) >= 30
    out = tmp_path / "grades.csv"
    start = time.monotonic()
    args = [str(folder), "--out", str(out), "--jobs", "2", "--timeout", "60", "--memory-mb", "2048"]
    assert main(args) == 0
    wall = time.monotonic() - start
    printed = capsys.readouterr().out
    with out.open() as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    for (learner, name), (status, passed) in expected.items():
        row = rows[learner]
        assert row[f"{name}:status"] == status, (learner, name)
        assert {ex: int(row[f"{name}:{ex}"]) for ex in REFS[name]} == passed, (learner, name)
    assert set(rows) == {learner for learner, _ in expected}
    assert "score per learner" in printed
    report("grading", f"graded {len(submitted)} submissions ({len(rows)} learners) in {wall:.1f} s")
