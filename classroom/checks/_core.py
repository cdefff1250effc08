"""The machinery behind the one-line check cells (``checks.sigmoid()``): verdicts, hints and who to blame.

A check is a function ``body(learner) -> str`` registered with ``@book.exercise(number, name)``. It asks the
``learner`` object for the learner's functions (``learner.function("sigmoid")``), calls them on inputs it
chooses, and either returns the success sentence or raises ``Fail(message, hint)``. The same body serves two
callers, so that the notebook and the grader can never disagree:

- in the notebook, ``checks.sigmoid()`` runs the body on the caller's own namespace (``NotebookLearner``),
  prints ``✓ …`` when right and raises ``CheckFailed`` when wrong: nbval and nbgrader see a failing cell, and
  JupyterLab shows only the verdict and hint (IPython displays ``_render_traceback_()`` instead of a
  traceback);
- in the grader, the body runs in the teacher's process and the learner's functions run in a sandbox
  (``classroom.remote``): nothing the learner's code prints, writes or redefines reaches the verdict.

What the learner's code prints, warns or plots while a check calls it is swallowed: output never decides a
verdict. A ``learner.function(name)`` callable raises ``LearnerRaised`` when the learner's code raised, and
``learner.function`` raises ``Missing`` when the notebook has no such function yet.
"""

from __future__ import annotations

import contextlib
import io
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

NOT_DONE = "not done yet: replace raise NotImplementedError() in {name} with your code"
TIME_LIMIT = "time limit"   # LearnerRaised.ename of a call the grader stopped (no exception has this name)


class Fail(Exception):
    """Raised by a check body: the answer is wrong. ``message`` says what was seen, ``hint`` what to think
    about (a concept or property, never the solution line)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class Missing(Exception):
    """The notebook defines no function called ``name`` (its cell has not been run yet)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class LearnerRaised(Exception):
    """The learner's code raised. ``functions``: the learner's own functions on the traceback, outermost
    first (so ``functions[-1]`` is where it was raised); ``call`` describes the call that failed."""

    def __init__(self, ename: str, message: str, functions: list[str] | tuple[str, ...] = (), call: str = ""):
        super().__init__(f"{ename}: {message}")
        self.ename, self.message, self.functions, self.call = ename, message, list(functions), call


@dataclass(frozen=True)
class Opaque:
    """A value the learner's function returned that could not be brought back from the sandbox (a set, an
    open file, a generator...): checks treat it as a wrong type, named by ``type_name``."""
    type_name: str


class Learner(Protocol):
    """Where the learner's functions live: the notebook's namespace, or a sandboxed kernel."""

    def function(self, name: str) -> Callable[..., Any]: ...


@dataclass(frozen=True)
class Verdict:
    """The outcome of one check: ``passed``, the exercise, the sentence and (when wrong) the hint."""
    notebook: str
    exercise: str
    number: int
    passed: bool
    message: str
    hint: str = ""

    def lines(self) -> list[str]:
        mark = "✓" if self.passed else "✗"
        lines = [f"{mark} Exercise {self.number} ({self.exercise}): {self.message}"]
        return lines + ([f"  hint: {self.hint}"] if self.hint else [])

    def text(self) -> str:
        return "\n".join(self.lines())


class CheckFailed(Exception):
    """Raised by a check cell whose answer is wrong; shows as the verdict alone in JupyterLab."""

    def __init__(self, verdict: Verdict):
        super().__init__(verdict.text())
        self.verdict = verdict

    def _render_traceback_(self) -> list[str]:  # IPython shows these lines instead of a traceback
        return self.verdict.lines()


class NotebookLearner:
    """The learner's functions, looked up by name in a notebook's namespace (the caller's globals)."""

    def __init__(self, namespace: dict[str, Any]):
        self.namespace = namespace

    def function(self, name: str) -> Callable[..., Any]:
        value = self.namespace.get(name)
        if not callable(value):
            raise Missing(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                with quiet():
                    return value(*args, **kwargs)
            except Exception as error:
                raised = LearnerRaised(type(error).__name__, first_line(error), self._learner_frames(error))
                raise raised from None
        return call

    def _learner_frames(self, error: BaseException) -> list[str]:
        """Names of the functions on the traceback that the notebook itself defined (outermost first)."""
        names, tb = [], error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_globals is self.namespace and tb.tb_frame.f_code.co_name != "<module>":
                names.append(tb.tb_frame.f_code.co_name)
            tb = tb.tb_next
        return names


@contextlib.contextmanager
def quiet():
    """Swallow what the learner's code prints or warns while a check runs it (output decides nothing)."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def first_line(error: BaseException, limit: int = 160) -> str:
    lines = str(error).strip().splitlines()
    text = lines[0] if lines else ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Describing:
    """Wraps a learner so that a failing call says what it was called with (``sigmoid(array (2, 3))``)."""

    def __init__(self, learner: Learner):
        self.learner = learner

    def function(self, name: str) -> Callable[..., Any]:
        raw = self.learner.function(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return raw(*args, **kwargs)
            except LearnerRaised as raised:
                raised.call = raised.call or describe_call(name, args, kwargs)
                raise
        return call


def describe_call(name: str, args: tuple, kwargs: dict) -> str:
    parts = [describe(value) for value in args]
    parts += [f"{key}={describe(value)}" for key, value in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def describe(value: Any) -> str:
    """A short description of an argument for a verdict: arrays by shape, small numbers by value."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {tuple(int(n) for n in value.shape)}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"'{key}': …" for key in value) + "}"
    if isinstance(value, np.random.Generator):
        return "rng"
    if callable(value):
        return getattr(value, "__name__", "a function")
    if isinstance(value, float | int | np.floating | np.integer):
        return f"{float(value):g}" if isinstance(value, float | np.floating) else str(int(value))
    return type(value).__name__


@dataclass
class Exercise:
    """One exercise of a notebook: its number in the notebook, the function's name, and its check."""
    notebook: str
    number: int
    name: str
    body: Callable[[Learner], str]


class Book:
    """The exercises of one notebook. ``@book.exercise(1, "sigmoid")`` registers a check body and returns
    the function a check cell calls: ``checks.sigmoid()``."""

    def __init__(self, notebook: str):
        self.notebook = notebook
        self.exercises: dict[str, Exercise] = {}

    def exercise(self, number: int, name: str) -> Callable[[Callable[[Learner], str]], Callable[[], None]]:
        def register(body: Callable[[Learner], str]) -> Callable[[], None]:
            self.exercises[name] = Exercise(self.notebook, number, name, body)

            def check_cell() -> None:
                namespace = sys._getframe(1).f_globals   # the notebook's namespace: the cell's globals
                verdict = self.evaluate(name, NotebookLearner(namespace))
                if not verdict.passed:
                    raise CheckFailed(verdict)
                print(verdict.text())
            check_cell.__name__ = check_cell.__qualname__ = name
            check_cell.__doc__ = f"Check Exercise {number}, `{name}`: prints ✓, or raises with a hint."
            return check_cell
        return register

    def evaluate(self, name: str, learner: Learner) -> Verdict:
        """Run the check of exercise ``name`` against ``learner``. Never raises for what the learner did."""
        exercise = self.exercises[name]

        def verdict(passed: bool, message: str, hint: str = "") -> Verdict:
            return Verdict(self.notebook, name, exercise.number, passed, message, hint)
        try:
            return verdict(True, exercise.body(Describing(learner)))
        except Fail as failure:
            return verdict(False, failure.message, failure.hint)
        except Missing as missing:
            return verdict(False, self._missing(missing.name, name))
        except LearnerRaised as raised:
            return verdict(False, *self._raised(raised, name))
        except RecursionError:
            return verdict(False, "your code recursed without end", "does a function call itself?")
        except Exception as error:  # an answer so odd that checking it failed: still a verdict
            problem = f"{type(error).__name__}: {first_line(error)}"
            return verdict(False, f"could not check your answer ({problem})",
                           "return exactly what the exercise asks for (an array of the stated shape, "
                           "a float, a dict…)")

    def _missing(self, missing: str, current: str) -> str:
        other = self.exercises.get(missing)
        if missing == current or other is None:
            return f"{missing} is not defined yet: run the exercise cell that defines it first"
        return f"finish Exercise {other.number} ({missing}) and run its cell first: this check uses it"

    def _raised(self, raised: LearnerRaised, current: str) -> tuple[str, str]:
        where = raised.functions[-1] if raised.functions else current
        if raised.ename == "NotImplementedError":
            other = self.exercises.get(where)
            if where != current and other is not None:
                return (f"finish Exercise {other.number} ({where}) first: this check uses it, and it still "
                        "raises NotImplementedError", "")
            return NOT_DONE.format(name=where), ""
        call = f" on {raised.call}" if raised.call else ""
        if raised.ename == TIME_LIMIT:
            return (f"your code did not finish{call}: {raised.message}",
                    "is there a loop that never ends (a condition that never changes)?")
        message = f"your code raised {raised.ename}{call}: {raised.message}"
        if raised.ename == "NameError":
            return message, "run every cell above the exercise first (Run → Run All Above Selected Cell)"
        return message, ""
