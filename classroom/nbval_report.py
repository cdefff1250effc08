"""A pytest plugin that makes ``pytest --nbval-lax`` on an exercise notebook read like the notebook itself.

Registered as a ``pytest11`` entry point (pyproject.toml), so it is active wherever the series is installed.
It changes only nbval's items for check cells (``checks.sigmoid()``):

- a failure is headed by the exercise, ``…/01_neurons_and_initialisation.ipynb::Exercise 1 (sigmoid)``,
  rather than by nbval's ``Cell 7`` alone (nbval counts code cells differently from JupyterLab);
- a failing check reports only its verdict and hint — not the cell's source, not a traceback, not
  "Notebook cell execution failed".

- a check cell is always run and held to its verdict: nbval's markers that would let a wrong answer pass
  (the tags ``nbval-skip`` and ``raises-exception``, the comments ``# NBVAL_SKIP`` and
  ``# NBVAL_RAISES_EXCEPTION``) do not apply to it, and it passes only if it printed ``✓`` for each exercise
  it checks (a check inside ``try``/``except`` or ``if False:`` prints nothing, so it fails); what the saved
  file shows in its outputs is never compared;
- an exercise that no code cell checks (its check cell deleted, or turned into Markdown or Raw) fails, in an
  item of its own after the notebook's cells.

A check cell is any code cell that calls ``checks.<id>()`` (``classroom.checkpoints``: as Python reads it),
the same places at which the grader grades, so the learner's self-check and the teacher's grade judge the
same answer.
Every other cell keeps nbval's own report.
"""

from __future__ import annotations

import re

import pytest

from classroom.checkpoints import checks_in

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def pytest_collection_modifyitems(items: list) -> None:
    checked: dict = {}   # nbval's notebook node -> the exercises its check cells check
    for item in items:
        exercises = _checked(item)
        if type(item).__name__ == "IPyNbCell":
            checked.setdefault(item.parent, set()).update(exercises)
        if exercises:
            item.options["skip"] = False              # nbval-skip, # NBVAL_SKIP
            item.options["check_exception"] = False   # raises-exception, # NBVAL_RAISES_EXCEPTION
            item.options["check"] = False             # nbval-check-output: never compare saved outputs
            item.cell.outputs = []                    # ("Unrun reference cell has outputs" otherwise)
            heading = f"{item.nodeid.rsplit('::', 1)[0]}::{_exercise(item.path.stem, exercises[0])}"
            item.reportinfo = lambda item=item, heading=heading: (item.path, 0, heading)  # read by pytest
    for notebook, exercises in checked.items():   # a check cell deleted, or turned into Markdown or Raw
        book = _book(notebook.path.stem)
        unchecked = [name for name in (book.exercises if book else ()) if name not in exercises]
        if unchecked:
            last = max(index for index, item in enumerate(items) if item.parent is notebook)
            items.insert(last + 1, Unchecked.from_parent(notebook, name="unchecked exercises",
                                                         exercises=unchecked))


class Unchecked(pytest.Item):
    """Fails for exercises of the notebook that no code cell checks: their verdict would be missing from
    the run, and "all passed" would then hide an unfinished or wrong answer."""

    def __init__(self, *, exercises: list[str], **kwargs):
        super().__init__(**kwargs)
        self.exercises = exercises

    def runtest(self) -> None:
        raise UncheckedExercises(self.path.stem, self.exercises)

    def repr_failure(self, excinfo) -> str:
        return str(excinfo.value)

    def reportinfo(self):
        return self.path, 0, f"{self.path.name}::unchecked exercises"


class UncheckedExercises(Exception):
    def __init__(self, stem: str, exercises: list[str]):
        super().__init__("\n".join(
            f"✗ {_exercise(stem, name)}: not checked: its check cell is gone (deleted, or turned into "
            f"Markdown or Raw).\n  hint: add a code cell with checks.{name}() after the exercise and run it"
            for name in exercises))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    exercises = _checked(item)
    if not exercises or report.when != "call":
        return
    if report.failed and call.excinfo is not None:
        inner = getattr(call.excinfo.value, "inner_traceback", None) or ""
        verdict = [line for line in ANSI.sub("", inner).splitlines()
                   if line.startswith(("✗ Exercise", "  hint:"))]
        if verdict:
            report.longrepr = "\n".join(verdict)
    elif report.passed:
        outputs = item.test_outputs or ()
        printed = "".join(out.get("text", "") for out in outputs if out.get("name") == "stdout")
        silent = [exercise for exercise in exercises
                  if not re.search(rf"^✓ Exercise \S+ \({re.escape(exercise)}\):", printed, re.MULTILINE)]
        if silent:
            report.outcome = "failed"
            report.longrepr = "\n".join(
                f"✗ {_exercise(item.path.stem, exercise)}: its check cell ran without giving its verdict "
                f"(no ✓), so it does not count as passed.\n  hint: call checks.{exercise}() on a line of its "
                "own, not inside try, if or a function, and let it print" for exercise in silent)


def _checked(item) -> list[str]:
    """The exercises checked by nbval's item of a code cell (``checkpoints.checks_in``); [] for others."""
    cell = getattr(item, "cell", None)
    if type(item).__name__ != "IPyNbCell" or cell is None or cell.get("cell_type") != "code":
        return []
    return checks_in(cell.get("source", ""))[0]


def _book(stem: str):
    """The exercises (``classroom.checks`` book) of the notebook named ``stem``, or None."""
    from classroom.checks import BOOKS  # imported here: only exercise notebooks need the checks
    # a learner's renamed copy ("01_neurons (1).ipynb") still starts with the number
    return BOOKS.get(stem) or next((b for name, b in BOOKS.items() if name[:3] == stem[:3]), None)


def _exercise(stem: str, exercise: str) -> str:
    """'Exercise 1 (sigmoid)': how the notebook named ``stem`` numbers the exercise ``exercise``."""
    book = _book(stem)
    if book is None or exercise not in book.exercises:
        return f"check {exercise}"
    return f"Exercise {book.exercises[exercise].number} ({exercise})"
