"""Comparing a learner's result with the expected one, and saying what is wrong in words.

Every function here raises ``Fail(message, hint)`` on a wrong answer and returns the result as a clean
array or float when it is right. Numbers in messages are rounded by our own formatter (never NumPy's repr).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._core import Fail, Opaque

RTOL, ATOL = 1e-6, 1e-9   # accept answers that differ from ours only by floating-point rounding


def as_array(got: Any, what: str, *, exact_type: bool = True) -> np.ndarray:
    """The learner's result as a float array.

    Fails for None, text, dicts, unconvertible (ragged) data, and lists or tuples when ``exact_type``.
    """
    if got is None:
        raise Fail(f"{what} returned None", "did you forget `return`?")
    if isinstance(got, Opaque) or isinstance(got, str | bytes | dict | set):
        raise Fail(f"{what} returned a {type_name(got)}, not a NumPy array")
    if exact_type and isinstance(got, tuple):
        raise Fail(f"{what} returned a tuple of {len(got)} values, not one NumPy array",
                   "return only the array the exercise asks for")
    if exact_type and isinstance(got, list):
        raise Fail(f"{what} returned a list, not a NumPy array",
                   "NumPy operations (np.exp, @, +, …) work on whole arrays at once: no Python loop needed, "
                   "and the result is an array")
    try:
        array = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Fail(f"{what} returned something that is not an array of numbers ({type_name(got)})") from None
    return array


def as_number(got: Any, what: str) -> float:
    """A single real number (a float, a NumPy scalar or a 0-d array) as a Python float; Fail otherwise."""
    if got is None:
        raise Fail(f"{what} returned None, not one number", "did you forget `return`?")
    array = None if isinstance(got, bool | Opaque | str | bytes | dict | list | tuple) else np.asarray(got)
    if array is None or array.shape != () or array.dtype.kind not in "fiu":
        raise Fail(f"{what} returned {describe_value(got)}, not one number",
                   "the exercise asks for a single number (float(...) turns a NumPy result into one)")
    return float(array)


def expect_array(got: Any, expected: np.ndarray, what: str, *, hint: str = "",
                 mistakes: dict[str, Any] | None = None, exact_type: bool = True,
                 rtol: float = RTOL, atol: float = ATOL, nan_hint: str = "") -> np.ndarray:
    """Fail unless ``got`` is an array of ``expected``'s shape with close values; the hint names a known
    mistake when ``got`` matches one (``mistakes``: {hint: the value that mistake produces}); ``nan_hint``
    is given when the result holds nan or inf."""
    expected = np.asarray(expected, dtype=float)
    array = as_array(got, what, exact_type=exact_type and expected.ndim > 0)
    if array.shape != expected.shape:
        raise Fail(f"{what} has shape {shape(array.shape)}, expected {shape(expected.shape)}",
                   shape_hint(expected.shape, array.shape, hint))
    if not np.all(np.isfinite(array)) and np.all(np.isfinite(expected)):
        raise Fail(f"{what} contains nan or inf", nan_hint or "an overflow, or a division by zero?")
    if not np.allclose(array, expected, rtol=rtol, atol=atol):
        raise Fail(f"{what}: {value_message(array, expected, rtol, atol)}",
                   known_mistake(array, expected, mistakes or {}) or hint)
    return array


def expect_number(got: Any, expected: float, what: str, *, hint: str = "",
                  mistakes: dict[str, Any] | None = None, rtol: float = RTOL, atol: float = ATOL) -> float:
    """Fail unless ``got`` is one number close to ``expected``."""
    value = as_number(got, what)
    if not np.isfinite(value) and np.isfinite(expected):
        raise Fail(f"{what} is {number(value)}", hint or "an overflow, a log of 0, or a division by zero?")
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        shown, wanted = distinct(value, expected)
        raise Fail(f"{what} is {shown}, expected {wanted}",
                   known_mistake(np.asarray(value), np.asarray(expected), mistakes or {}) or hint)
    return value


def expect_unchanged(before: Any, after: Any, what: str, hint: str = "") -> None:
    """Fail if an input array (or dict of arrays) was changed by the learner's function."""
    if isinstance(before, dict):
        if set(before) != set(after):
            raise Fail(f"{what} was changed: its keys are now {sorted(after)}", hint)
        for key in before:
            expect_unchanged(before[key], after[key], f"{what}['{key}']", hint)
        return
    if not np.allclose(np.asarray(after, dtype=float), before, rtol=1e-12, atol=1e-12):
        raise Fail(f"{what} was changed by your function", hint or
                   "compute new arrays (a - b) instead of changing the caller's (a -= b): the caller still "
                   "needs its input")


def known_mistake(got: np.ndarray, expected: np.ndarray, mistakes: dict[str, Any]) -> str:
    """The hint of the listed mistake ``got`` matches, else a generic one (sign, transpose, factor), or "".

    A mistake whose value on this case is the expected value (y·log ŷ alone when every y is 1, −x when x is 0)
    says nothing about the answer: its hint is never given.
    """
    expected = np.asarray(expected, dtype=float)
    generic = {"the sign is flipped: check the sign of each term": -expected}
    for factor in (2, 0.5):
        sentence = f"your values are {number(factor)}× the expected ones: a factor of 2 too many or too few?"
        generic[sentence] = factor * expected
    for sentence, wrong in {**mistakes, **generic}.items():
        wrong = np.asarray(wrong, dtype=float)
        if wrong.shape != got.shape or alike(wrong, expected):
            continue
        if alike(got, wrong):
            return sentence
    return ""


def alike(a: np.ndarray, b: np.ndarray) -> bool:
    """The same values at the tolerance known_mistake matches at (looser than RTOL: a wrong formula's value
    may differ by a little rounding from the learner's)."""
    with np.errstate(invalid="ignore"):
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-5, atol=1e-9, equal_nan=True))


def shape_hint(expected: tuple, got: tuple, hint: str) -> str:
    if len(expected) == 2 and got == expected[::-1]:
        return "a missing or extra transpose? (rows are samples: X has shape (N, D))"
    if int(np.prod(got)) == int(np.prod(expected)):
        return "an extra or missing axis of length 1? (reshape, or keepdims=True)"
    return hint or "check which axis you sum or average over, and the shapes of the matrices you multiply"


def distinct(got: float, expected: float) -> tuple[str, str]:
    """Two numbers as text that shows their difference: 4 decimals, or 10 significant digits when those
    would print alike."""
    if number(got) != number(expected):
        return number(got), number(expected)
    return f"{got:.10g}", f"{expected:.10g}"


def value_message(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    if expected.size <= 6 and fmt(expected) != fmt(got):
        return f"expected {fmt(expected)}, got {fmt(got)}"
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)
    first = tuple(int(i) for i in np.argwhere(wrong)[0])
    shown, wanted = distinct(float(got[first]), float(expected[first]))
    return (f"{int(wrong.sum())} of {expected.size} values are wrong; at index {list(first)} expected "
            f"{wanted}, got {shown}")


def describe_value(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {shape(value.shape)}"
    return f"a {type_name(value)}"


def type_name(value: Any) -> str:
    return value.type_name if isinstance(value, Opaque) else type(value).__name__


def shape(dims: tuple) -> str:
    """(4, 1) as Python writes a tuple of ints (never NumPy's int64 reprs)."""
    return str(tuple(int(n) for n in dims))


def number(x: Any) -> str:
    """One number as plain text: 4 decimals, or 5 significant digits in scientific notation when small."""
    x = float(x)
    if not np.isfinite(x):
        return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    if x != 0 and (abs(x) >= 1e7 or abs(x) < 1e-2):
        return f"{x:.4e}"
    text = f"{round(x, 4) + 0.0:.4f}".rstrip("0")  # + 0.0 turns -0.0 into 0.0
    return text + "0" if text.endswith(".") else text


def fmt(values: np.ndarray) -> str:
    """Small arrays on one line, NumPy-like: [[1.0 2.0] [3.0 4.0]]."""
    values = np.asarray(values)
    if values.ndim == 0:
        return number(values)
    return "[" + " ".join(fmt(row) for row in values) + "]"
