"""The checks behind the exercise notebooks: one module per notebook, one check per exercise.

A check cell is one line, ``checks.sigmoid()``, after ``from classroom.checks import nb01 as checks`` in the
notebook's Setup cell. It tries the learner's function on the general case its exercise states (several
shapes, non-default arguments, unchanged inputs, extreme values, the ``rng`` honoured) and prints ``✓ …``, or
raises ``CheckFailed`` with the verdict and a hint. The grader runs the very same checks, in its own process,
against the learner's functions in a sandbox: ``evaluate(notebook, exercise, learner)``.

Learners need not read these modules; the machinery is in ``_core.py`` and ``_compare.py``.
"""

from __future__ import annotations

from . import nb01, nb02, nb03, nb04, nb06, nb07, nb08
from ._core import Book, CheckFailed, Learner, LearnerRaised, Missing, NotebookLearner, Opaque, Verdict

MODULES = (nb01, nb02, nb03, nb04, nb06, nb07, nb08)
BOOKS: dict[str, Book] = {module.book.notebook: module.book for module in MODULES}


def evaluate(notebook: str, exercise: str, learner: Learner) -> Verdict:
    """The verdict of one exercise for ``learner``; KeyError for an unknown notebook or exercise."""
    return BOOKS[notebook].evaluate(exercise, learner)


__all__ = ["BOOKS", "Book", "CheckFailed", "Learner", "LearnerRaised", "Missing", "NotebookLearner", "Opaque",
           "Verdict", "evaluate"]
