"""Verdicts for the exercise check cells: one short, deterministic line, plus at most one hint line.

A check cell runs the learner's code on fixed inputs and *prints* what it found, so that nbval shows a
readable diff when an answer is wrong and the learner sees the same words in the notebook::

    check("sigmoid(z)", lambda: sigmoid(np.array([2.0, 0.0, -2.0])), expected=[0.8808, 0.5, 0.1192],
          mistakes={"Check the sign of the exponent: sigmoid(z) = 1 / (1 + exp(-z)).": [0.1192, 0.5, 0.8808]})

prints ``✓ sigmoid(z): correct`` or, for the mistake above::

    ✗ sigmoid(z): expected [0.8808 0.5 0.1192], got [0.1192 0.5 0.8808]
      hint: Check the sign of the exponent: sigmoid(z) = 1 / (1 + exp(-z)).

Numbers are rounded to 4 decimals by our own formatter (not NumPy's repr), so the text is the same on every
NumPy version. Nothing the learner's code does can make ``check`` raise; only malformed arguments written by
the notebook author (``label`` not a string, ``compute`` not callable) raise TypeError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

NOT_DONE = ("not done yet — complete the exercise cell above "
            "(replace `raise NotImplementedError()` with your code)")
MAX_SHOWN = 6  # arrays with more entries are summarised


def check(label: str, compute: Callable[[], Any], expected: Any, mistakes: dict[str, Any] | None = None,
          hint: str = "", atol: float = 1e-6, rtol: float = 1e-5, batch_size: int | None = None) -> None:
    """Run ``compute()``, compare its result with ``expected`` and print one verdict.

    Returns nothing, so that a check cell shows the verdict alone (``evaluate`` is the same check, returning
    True when the answer is right).
    """
    evaluate(label, compute, expected, mistakes, hint, atol, rtol, batch_size)


def check_true(label: str, compute: Callable[[], Any], hint: str = "") -> None:
    """Run ``compute()`` (which should return True or False) and print ``✓ label`` or ``✗ label: …``."""
    evaluate_true(label, compute, hint)


def evaluate(label: str, compute: Callable[[], Any], expected: Any, mistakes: dict[str, Any] | None = None,
             hint: str = "", atol: float = 1e-6, rtol: float = 1e-5, batch_size: int | None = None) -> bool:
    """``check``, returning True if right.

    ``mistakes`` maps a hint sentence to the value a typical wrong answer produces; when the learner's value
    is close to one of them, that sentence is printed. ``batch_size`` (N) enables the "forgot to average over
    the batch" detector. Shapes: ``expected`` any array-like or number; the result must have its shape.
    """
    _check_author_args(label, compute, hint)
    expected = np.asarray(expected, dtype=float)
    ok, got = _run(label, compute, hint)
    if not ok:
        return False
    try:
        return _compare(label, got, expected, mistakes or {}, hint, atol, rtol, batch_size)
    except Exception as error:  # a value so odd that comparing it failed: still a verdict, never a crash
        _say(f"✗ {label}: could not compare your result ({_short_error(error)})", hint)
        return False


def evaluate_true(label: str, compute: Callable[[], Any], hint: str = "") -> bool:
    """``check_true``, returning True if satisfied."""
    _check_author_args(label, compute, hint)
    ok, got = _run(label, compute, hint)
    if not ok:
        return False
    if isinstance(got, np.ndarray) and got.size != 1:
        _say(f"✗ {label}: expected True or False, got an array of shape {_shape(got.shape)}", hint)
        return False
    try:
        passed = bool(got)
    except Exception as error:
        _say(f"✗ {label}: expected True or False, got {_short_error(error)}", hint)
        return False
    _say(f"✓ {label}" if passed else f"✗ {label}: not satisfied", "" if passed else hint)
    return passed


def _check_author_args(label: Any, compute: Any, hint: Any) -> None:
    if not isinstance(label, str):
        raise TypeError(f"label must be a str, got {type(label).__name__}")
    if not callable(compute):
        kind = type(compute).__name__
        raise TypeError(f"compute must be a callable taking no arguments (a lambda), got {kind}")
    if not isinstance(hint, str):
        raise TypeError(f"hint must be a str, got {type(hint).__name__}")


def _run(label: str, compute: Callable[[], Any], hint: str) -> tuple[bool, Any]:
    """Call the learner's code; on an exception print the verdict and return (False, None)."""
    try:
        return True, compute()
    except NotImplementedError:
        _say(f"✗ {label}: {NOT_DONE}")
    except Exception as error:
        _say(f"✗ {label}: your code raised {_short_error(error)}", hint)
    return False, None


def _compare(label: str, got_raw: Any, expected: np.ndarray, mistakes: dict[str, Any], hint: str,
             atol: float, rtol: float, batch_size: int | None) -> bool:
    got = _as_array(got_raw)
    if got is None:
        what = "None — did you forget `return`?" if got_raw is None else f"a {type(got_raw).__name__}"
        _say(f"✗ {label}: expected {_describe(expected)}, got {what}", hint)
        return False
    if got.shape != expected.shape:
        message = _shape_message(expected.shape, got.shape)
        _say(f"✗ {label}: {message}", _shape_hint(expected, got, mistakes, hint))
        return False
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        _say(f"✗ {label}: your result contains nan or inf (an overflow, or a division by zero?)", hint)
        return False
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        _say(f"✓ {label}: correct")
        return True
    message = _value_message(expected, got, rtol, atol)
    _say(f"✗ {label}: {message}", _value_hint(expected, got, mistakes, hint, atol, batch_size))
    return False


def _as_array(value: Any) -> np.ndarray | None:
    """The learner's result as a float array, or None when it is not numeric (None, text, ragged lists)."""
    if value is None or isinstance(value, str | bytes | dict):
        return None
    try:
        return np.asarray(value, dtype=float)
    except Exception:
        return None


def _shape_message(expected_shape: tuple, got_shape: tuple) -> str:
    if expected_shape == ():
        return f"expected a single number, got an array of shape {_shape(got_shape)}"
    if got_shape == ():
        return f"expected an array of shape {_shape(expected_shape)}, got a single number"
    return f"expected shape {_shape(expected_shape)}, got {_shape(got_shape)}"


def _shape_hint(expected: np.ndarray, got: np.ndarray, mistakes: dict[str, Any], hint: str) -> str:
    for sentence, wrong in mistakes.items():
        if _as_array(wrong) is not None and np.shape(wrong) == got.shape:
            return sentence
    if expected.ndim == 2 and got.shape == expected.shape[::-1]:
        return "a missing or extra transpose? (rows are samples: X has shape (N, D))"
    if expected.ndim == 0:
        return hint or "did you forget to sum or average over the entries?"
    if got.size == expected.size:
        return "an extra or missing axis of length 1? (reshape, or keepdims=True)"
    return hint or "check which axis you sum or average over, and the shapes of the matrices you multiply."


def _value_message(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> str:
    if expected.size <= MAX_SHOWN:
        return f"expected {_fmt(expected)}, got {_fmt(got)}"
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    return (f"{int(wrong.sum())} of {expected.size} values are wrong; at index {list(first)} "
            f"expected {_number(expected[first])}, got {_number(got[first])}")


def _value_hint(expected: np.ndarray, got: np.ndarray, mistakes: dict[str, Any], hint: str,
                atol: float, batch_size: int | None) -> str:
    for sentence, wrong in mistakes.items():
        wrong = _as_array(wrong)
        if wrong is not None and wrong.shape == got.shape and _close(got, wrong, atol):
            return sentence
    generic = _generic_hint(expected, got, atol, batch_size)
    return generic or hint


def _generic_hint(expected: np.ndarray, got: np.ndarray, atol: float, batch_size: int | None) -> str:
    """Detectors for mistakes that show up the same way in every exercise."""
    if _close(got, -expected, atol):
        return "the sign is flipped — check the sign of each term."
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and _close(got, expected.T, atol):
        return "your result is the transpose of the expected one — check the order of the matrix product."
    if batch_size and batch_size > 1 and _close(got, expected * batch_size, atol):
        return f"forgot to average over the batch? Your values are {batch_size}× too large (divide by N)."
    if batch_size and batch_size > 1 and _close(got, expected / batch_size, atol):
        return f"your values are {batch_size}× too small — divided by the batch size N twice?"
    if _close(got, 2 * expected, atol) or _close(got, expected / 2, atol):
        return "off by a factor of 2 — the ½ in ½·(y_hat − y)², or the 2 that comes out of its derivative?"
    return ""


def _close(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    return bool(np.allclose(a, b, rtol=1e-4, atol=max(atol, 1e-6)))


def _describe(expected: np.ndarray) -> str:
    return "a number" if expected.ndim == 0 else f"an array of shape {_shape(expected.shape)}"


def _say(verdict: str, hint: str = "") -> None:
    print(verdict)
    if hint:
        print(f"  hint: {hint}")


def _short_error(error: BaseException, limit: int = 100) -> str:
    lines = str(error).strip().splitlines()
    message = lines[0] if lines else ""
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def _shape(shape: tuple) -> str:
    """(4, 1) written as Python writes a tuple of ints (never NumPy's int64 reprs)."""
    return str(tuple(int(n) for n in shape))


def _number(x: Any) -> str:
    """One number as plain text, 4 decimals or 5 significant digits: 0.8808, 0.5, 2.0, -1.2346e-04, nan.

    Small numbers switch to scientific notation so that two different small gradients never print alike.
    """
    x = float(x)
    if not np.isfinite(x):
        return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    if x != 0 and (abs(x) >= 1e7 or abs(x) < 1e-2):
        return f"{x:.4e}"
    text = f"{round(x, 4) + 0.0:.4f}".rstrip("0")  # + 0.0 turns -0.0 into 0.0
    return text + "0" if text.endswith(".") else text


def _fmt(values: np.ndarray) -> str:
    """Small arrays on one line, NumPy-like: [[1.0 2.0] [3.0 4.0]]."""
    if values.ndim == 0:
        return _number(values)
    return "[" + " ".join(_fmt(row) for row in values) + "]"
