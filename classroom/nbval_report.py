"""A pytest plugin that makes ``pytest --nbval-lax`` on an exercise notebook read like the notebook itself.

Registered as a ``pytest11`` entry point (pyproject.toml), so it is active wherever the series is installed.
It changes only nbval's items for check cells (``checks.sigmoid()``):

- a failure is headed by the exercise, ``…/01_neurons_and_initialisation.ipynb::Exercise 1 (sigmoid)``,
  rather than by nbval's ``Cell 7`` alone (nbval counts code cells differently from JupyterLab);
- a failing check reports only its verdict and hint — not the cell's source, not a traceback, not
  "Notebook cell execution failed".

Every other cell keeps nbval's own report.
"""

from __future__ import annotations

import re

import pytest

from classroom import check_id

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def pytest_collection_modifyitems(items: list) -> None:
    for item in items:
        exercise = _exercise(item)
        if exercise is not None:   # the failure's heading (pytest reads it through reportinfo)
            heading = f"{item.nodeid.rsplit('::', 1)[0]}::{exercise}"
            item.reportinfo = lambda item=item, heading=heading: (item.path, 0, heading)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed and call.excinfo is not None and _exercise(item) is not None:
        inner = getattr(call.excinfo.value, "inner_traceback", None) or ""
        verdict = [line for line in ANSI.sub("", inner).splitlines()
                   if line.startswith(("✗ Exercise", "  hint:"))]
        if verdict:
            report.longrepr = "\n".join(verdict)


def _exercise(item) -> str | None:
    """'Exercise 1 (sigmoid)' for nbval's item of a check cell, else None."""
    cell = getattr(item, "cell", None)
    if type(item).__name__ != "IPyNbCell" or cell is None:
        return None
    exercise = check_id(cell)
    if exercise is None:
        return None
    from classroom.checks import BOOKS  # imported here: only exercise notebooks need the checks
    stem = item.path.stem   # a learner's renamed copy ("01_neurons (1).ipynb") still starts with the number
    book = BOOKS.get(stem) or next((b for name, b in BOOKS.items() if name[:3] == stem[:3]), None)
    if book is None or exercise not in book.exercises:
        return f"check {exercise}"
    return f"Exercise {book.exercises[exercise].number} ({exercise})"
