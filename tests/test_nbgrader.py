"""Real nbgrader on a scratch course: its verdicts agree with the learner's self-check and with the grader.

``classroom.nbgrader_course`` writes the course; real nbgrader (PyPI, in ``.venv-nbgrader/``, made once by
``tools/nbgrader_venv.py``) generates, releases and autogrades it. Three learners hand in notebook 03:

- *correct*: the answer key's code typed into the released notebook;
- *wrong*: two answers with a typical mistake from the mistake catalogue, one right answer written
  differently from the key (a catalogue variant), one exercise left unfinished;
- *unfinished*: the released notebook as it was fetched.

For every exercise, nbgrader's autograde score, the learner's self-check (``pytest --nbval-lax`` on the same
file) and ``classroom.grade`` must give the same verdict, which must be the expected one; ``nbgrader
validate`` must fail exactly the wrong answers' check cells and pass the correct learner.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from mistakes import apply, catalogue, run_nbval_cells, solution
from reporting import report

from classroom import check_cells
from classroom.exercises import strip_markers
from classroom.nbgrader_course import write_course

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "03_loss_and_backpropagation"
COURSE = "nn-from-scratch"
MISTAKES = {"mse": "sum instead of mean", "backward": "no division by N"}
VARIANTS = {"bce": "log1p"}                 # right, but not the key's code
UNFINISHED = "numeric_gradient"            # the wrong learner leaves this one as released
LEARNERS = ("correct", "wrong", "unfinished")

SCORES = """\
import json, sys
from nbgrader.api import Gradebook
with Gradebook("sqlite:///gradebook.db", course_id=sys.argv[2]) as gradebook:
    scores = {}
    for submission in gradebook.assignment_submissions(sys.argv[1]):
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                scores.setdefault(submission.student_id, {})[grade.name] = [grade.score, grade.max_score]
print(json.dumps(scores))
"""


def expected() -> dict[str, dict[str, bool]]:
    exercises = list(check_cells(solution(NOTEBOOK)))
    wrong = set(MISTAKES) | {UNFINISHED}
    return {"correct": {ex: True for ex in exercises},
            "wrong": {ex: ex not in wrong for ex in exercises},
            "unfinished": {ex: False for ex in exercises}}


class Nbgrader:
    """Runs nbgrader commands from .venv-nbgrader (its bin/ first on PATH: nbgrader calls `alembic`)."""

    def __init__(self, python: Path, course: Path):
        self.python, self.course = python, course
        self.env = {**os.environ, "PATH": f"{python.parent}{os.pathsep}{os.environ['PATH']}",
                    "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        self.seconds: dict[str, float] = {}

    def __call__(self, *args: str, cwd: Path | None = None, check: bool = True) -> str:
        start = time.perf_counter()
        done = subprocess.run([str(self.python), "-m", "nbgrader", *args], cwd=cwd or self.course,
                              env=self.env, capture_output=True, text=True, timeout=900)
        self.seconds[args[0]] = self.seconds.get(args[0], 0.0) + time.perf_counter() - start
        output = done.stdout + done.stderr
        if check:
            assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{output[-4000:]}"
        return output


def nbgrader_python() -> Path:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "nbgrader_venv.py")], capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, f"could not make .venv-nbgrader:\n{(done.stdout + done.stderr)[-3000:]}"
    report("nbgrader", f".venv-nbgrader ready in {time.perf_counter() - start:.1f} s (made once, then kept)")
    return Path(done.stdout.strip().splitlines()[-1])


def typed_in(released: nbformat.NotebookNode, answers: nbformat.NotebookNode | None,
             unfinished: frozenset[str] = frozenset()) -> nbformat.NotebookNode:
    """The released notebook with a learner's answers typed into its answer cells.

    ``answers``: a source notebook with markers, cell for cell (None: nothing typed); the exercises in
    ``unfinished`` stay as released."""
    nb = copy.deepcopy(released)
    if answers is None:
        return nb
    assert len(nb.cells) == len(answers.cells), "nbgrader added or dropped cells"
    for cell, answer in zip(nb.cells, answers.cells, strict=True):
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and meta["grade_id"].removesuffix("_answer") not in unfinished:
            cell.source = strip_markers(answer.source)
    return nb


def wrong_answers() -> nbformat.NotebookNode:
    entries = {(entry.exercise, entry.description, entry.expect_pass): entry for entry in catalogue()
               if entry.notebook == NOTEBOOK}
    nb = solution(NOTEBOOK)
    for planted, passes in ((MISTAKES, False), (VARIANTS, True)):
        for exercise, description in planted.items():
            nb = apply(entries[exercise, description, passes], nb)
    return nb


def self_check(nb: nbformat.NotebookNode, folder: Path) -> dict[str, bool]:
    """The learner's self-check, pytest --nbval-lax --nbval-current-env, per exercise."""
    folder.mkdir(parents=True)
    cells = run_nbval_cells(nb, folder)
    code_numbers = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            code_numbers[index] = len(code_numbers)
    return {exercise: cells[code_numbers[index]] for exercise, index in check_cells(nb).items()}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory) -> dict:
    """Everything the tests compare: per learner, per exercise, each tool's verdict (True: passed)."""
    tmp = tmp_path_factory.mktemp("nbgrader")
    start = time.perf_counter()
    course, exchange, home = tmp / "course", tmp / "exchange", tmp / "home"
    exchange.mkdir()
    home.mkdir()
    assert write_course(course, [NOTEBOOK], course_id=COURSE, exchange=str(exchange)) == [NOTEBOOK]
    nbgrader = Nbgrader(nbgrader_python(), course)

    nbgrader("generate_assignment", NOTEBOOK)
    nbgrader("release_assignment", NOTEBOOK)
    nbgrader("fetch_assignment", NOTEBOOK, f"--course={COURSE}", f"--Exchange.root={exchange}", cwd=home)
    released = nbformat.read(home / NOTEBOOK / f"{NOTEBOOK}.ipynb", as_version=4)

    handed_in = {"correct": typed_in(released, solution(NOTEBOOK)),
                 "wrong": typed_in(released, wrong_answers(), frozenset({UNFINISHED})),
                 "unfinished": typed_in(released, None)}
    for learner, nb in handed_in.items():
        for folder in (course / "submitted" / learner / NOTEBOOK, tmp / "grade" / learner):
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")

    nbgrader("autograde", NOTEBOOK)
    scores = json.loads(subprocess.run([str(nbgrader.python), "-c", SCORES, NOTEBOOK, COURSE], cwd=course,
                                       env=nbgrader.env, capture_output=True, text=True, check=True).stdout)

    validate = {learner: nbgrader("validate", str(tmp / "grade" / learner / f"{NOTEBOOK}.ipynb"), check=False)
                for learner in ("correct", "wrong")}

    start_self = time.perf_counter()
    selfcheck = {learner: self_check(nb, tmp / "selfcheck" / learner) for learner, nb in handed_in.items()}
    seconds_self = time.perf_counter() - start_self

    report("nbgrader", "nbgrader seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in nbgrader.seconds.items())
           + f"; self-check (nbval, 3 learners) {seconds_self:.0f}; whole round trip "
           f"{time.perf_counter() - start:.0f} s")
    return {"tmp": tmp, "released": released, "scores": scores, "validate": validate, "selfcheck": selfcheck}


def nbgrader_verdicts(scores: dict, learner: str) -> dict[str, bool]:
    return {grade_id: score == top for grade_id, (score, top) in scores[learner].items()}


def test_released_notebook_is_the_student_version_with_nbgrader_metadata(round_trip):
    released = round_trip["released"]
    graded = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in released.cells
              if cell.metadata.get("nbgrader", {}).get("grade")}
    assert list(graded) == list(check_cells(solution(NOTEBOOK)))
    assert all(cell.metadata["nbgrader"]["points"] == 1 and cell.metadata["nbgrader"]["locked"]
               for cell in graded.values())
    answers = [cell for cell in released.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert answers and all("raise NotImplementedError()" in cell.source for cell in answers)
    assert not any("BEGIN SOLUTION" in cell.source for cell in released.cells)
    assert not any(cell.get("outputs") for cell in released.cells if cell.cell_type == "code")


@pytest.mark.parametrize("learner", LEARNERS)
def test_nbgrader_autograde_agrees_with_the_self_check(round_trip, learner):
    wanted = expected()[learner]
    from_nbgrader = nbgrader_verdicts(round_trip["scores"], learner)
    from_selfcheck = round_trip["selfcheck"][learner]
    report("nbgrader", f"{learner:10s} nbgrader {sum(from_nbgrader.values())}/{len(from_nbgrader)}, "
                       f"self-check {sum(from_selfcheck.values())}/{len(from_selfcheck)}, "
                       f"expected {sum(wanted.values())}/{len(wanted)}")
    assert from_selfcheck == wanted
    assert from_nbgrader == wanted


def test_nbgrader_validate_fails_the_wrong_answers_and_passes_the_correct_ones(round_trip):
    correct, wrong = round_trip["validate"]["correct"], round_trip["validate"]["wrong"]
    assert "Success! Your notebook passes all the tests." in correct, correct[-3000:]
    failed = sorted(set(re.findall(r"checks\.([a-z0-9_]+)\(\)", wrong.split("VALIDATION FAILED", 1)[-1])))
    assert f"VALIDATION FAILED ON {len(MISTAKES) + 1} CELL(S)!" in wrong, wrong[-3000:]
    assert failed == sorted([*MISTAKES, UNFINISHED])


def test_classroom_grade_agrees_with_nbgrader(round_trip):
    tmp = round_trip["tmp"]
    out = tmp / "grades.csv"
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "classroom.grade", str(tmp / "grade"), "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert out.exists(), (done.stdout + done.stderr)[-3000:]
    report("nbgrader", f"classroom.grade on the same 3 notebooks: {time.perf_counter() - start:.0f} s")
    with out.open(newline="") as handle:
        rows = {row["learner"]: row for row in csv.DictReader(handle)}
    for learner in LEARNERS:
        verdicts = {column.split(":", 1)[1]: value == "1" for column, value in rows[learner].items()
                    if column.startswith(f"{NOTEBOOK}:") and not column.endswith(":status")}
        from_nbgrader = nbgrader_verdicts(round_trip["scores"], learner)
        mark = {True: "✓", False: "✗"}
        selfcheck = round_trip["selfcheck"][learner]
        table = ", ".join(f"{ex} {mark[from_nbgrader[ex]]}{mark[selfcheck[ex]]}{mark[ok]}"
                          for ex, ok in verdicts.items())
        report("nbgrader", f"{learner:10s} per exercise (nbgrader / self-check / classroom.grade): {table}")
        assert verdicts == expected()[learner], learner
        assert verdicts == from_nbgrader, learner
