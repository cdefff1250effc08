"""Numeric gradient checking: is the backward pass right?

The analytic gradients of ``net.loss_and_grads`` are compared with centred differences

    dL/dw  ~  (L(w + h) - L(w - h)) / (2 h)

computed one parameter element at a time in float64, using the relative error of CS231n:

    rel_error(a, b) = max over elements of |a - b| / max(1e-8, |a| + |b|)

A correct gradient of a smooth function gives about 1e-7 or less; a wrong one typically 1e-2 or more.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from . import losses
from ._checks import as_float_array, check_finite, check_function

__all__ = ["rel_error", "numeric_gradient", "grad_check", "GradCheckReport"]

SMOOTH_TOLERANCE = 1e-7   # CS231n's bar for a correct gradient of a smooth function
KINK_TOLERANCE = 1e-5     # looser bar when a ReLU kink can sit inside a difference step
SMALLEST_H = 1e-10        # a smaller step drowns in rounding error (and 1e-320 would give w + h == w)
KINK_NOTE = ("ReLU has a kink at z = 0: where a pre-activation z lies within h of 0, the centred difference "
             "straddles the kink and measures a slope of neither side, so a few elements can disagree even "
             "when the backward pass is right. Hence the looser tolerance; rerun with other data or a "
             "smaller h if it fails by a little.")

NEAR_ONE = 1e-2   # bce outputs this close to 1 (target below 1) make the centred differences measure rounding
SATURATION_NOTE = ("{count} output(s) are within 1e-2 of 1 where the target is below 1, or within e^-100 "
                   "of 0 where it is above 0. There bce's log(1 - y_hat) keeps few correct digits (float64 "
                   "spaces numbers near 1 by 1.1e-16), and past e^-100 a log is clamped flat (at -100, as "
                   "PyTorch's BCELoss), so the centred differences measure rounding, not the slope: the "
                   "parameters feeding those outputs can fail even when the backward is right. Check with "
                   "smaller weights (a fresh network) or other samples.")


# |a| + |b| must not overflow float64 (largest 1.8e308): rel_error compares values up to half of that.
LARGEST_COMPARED = np.finfo(np.float64).max / 2


def _as_compared(name: str, values: object) -> np.ndarray:
    """``values`` (a or b of rel_error) as a float64 array of finite numbers, or a clear error naming it."""
    array = as_float_array(name, values)            # refuses ragged lists, text, complex numbers, objects
    check_finite(name, array)
    if array.size and np.abs(array).max() > LARGEST_COMPARED:
        raise ValueError(f"{name} holds {np.abs(array).max():.3g}, too large to compare: rel_error needs "
                         f"|values| <= {LARGEST_COMPARED:.3g} so that |a| + |b| does not overflow")
    return array


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error max|a - b| / max(1e-8, |a| + |b|) of two same-shaped arrays.

    a and b must hold finite real numbers (NaN or inf would make the error meaningless).
    """
    a, b = _as_compared("a", a), _as_compared("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a {a.shape} and b {b.shape}")
    if a.size == 0:
        raise ValueError("a and b are empty: there is nothing to compare")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of the scalar f(x) with respect to every element of x.

    x (any shape, float64) is changed in place one element at a time and put back exactly, even if f raises.
    Returns an array of x's shape. Costs 2 * x.size calls of f, which must return a finite float.
    """
    check_function("f", f, "f(x) returning a float", (None,))
    _check_point("x", x)
    return _centred_differences(f, x, _check_h(h), "f(x)", "x")


def _check_point(name: str, x: object, fix: str = "") -> None:
    """Refuse a point x that is not float64 (h = 1e-5 needs the precision), not writeable, or not finite."""
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        dtype = f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""
        raise TypeError(f"{name} must be a float64 NumPy array (differences need the precision), got "
                        f"{type(x).__name__}{dtype}{fix}")
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writeable: its entries are changed in place, one at a time, and "
                         f"put back (pass a writeable copy, {name}.copy())")
    check_finite(name, x)


def _centred_differences(f: Callable, x: np.ndarray, h: float, call: str, name: str) -> np.ndarray:
    """Gradient of f at x by centred differences; error messages call f(x) ``call`` and x ``name``."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        entry = f"{name}[{', '.join(map(str, index))}]" if index else name
        try:
            x[index] = old + h
            loss_plus = _finite_value(f(x), call, f"{entry} + h")
            x[index] = old - h
            loss_minus = _finite_value(f(x), call, f"{entry} - h")
        finally:
            x[index] = old                      # the very same float: the parameter is restored bit for bit
        grad[index] = (loss_plus - loss_minus) / (2 * h)
    return grad


def _finite_value(value: object, call: str, where: str) -> float:
    """The number f returned, as a float; refuses arrays, text, NaN and inf, saying at which entry."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]                       # a 0-d array holds a single number: take it
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        shown = f"an array of shape {value.shape}" if isinstance(value, np.ndarray) else f"{value!r:.60}"
        raise TypeError(f"{call} must be a single float (a loss: e.g. a mean over the samples), got {shown} "
                        f"at {where}")
    try:
        value = float(value)
    except OverflowError:                       # a Python int beyond float64's range
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"{call} is {value} at {where}: it must be finite near the point checked")
    return value


def _check_h(h: object) -> float:
    """h in [1e-10, 1): below 1e-10, float64 rounding (1e-16 of the loss) swamps L(w + h) - L(w - h)."""
    if isinstance(h, bool) or not isinstance(h, numbers.Real):
        raise TypeError(f"h must be a small positive step such as 1e-5, got {h!r}")
    if not SMALLEST_H <= h < 1:
        raise ValueError(f"h must be a small positive step such as 1e-5 (from {SMALLEST_H:g} to below 1), "
                         f"got {h!r}")
    return float(h)


@dataclass
class GradCheckReport:
    """The result of grad_check: one relative error per parameter and whether all pass."""

    errors: dict[str, float]
    tolerance: float
    h: float = 1e-5
    shapes: dict[str, tuple] = field(default_factory=dict)
    analytic: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    numeric: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    note: str = ""

    @property
    def worst_param(self) -> str:
        """The name of the parameter with the largest relative error."""
        return max(self.errors, key=lambda name: self.errors[name])

    @property
    def worst_error(self) -> float:
        return self.errors[self.worst_param]

    @property
    def passed(self) -> bool:
        return all(error < self.tolerance for error in self.errors.values())

    def __str__(self) -> str:
        lines = [f"Gradient check: centred differences, h={self.h:g}, tolerance {self.tolerance:.0e}",
                 f"  {'parameter':<10}{'shape':<12}{'rel. error':>11}"]
        for name, error in self.errors.items():
            mark = "  <- worst" if name == self.worst_param else ""
            lines.append(f"  {name:<10}{str(self.shapes.get(name, '')):<12}{error:>11.2e}{mark}")
        verdict = "PASS" if self.passed else "FAIL"
        relation = "<" if self.passed else ">="
        lines.append(f"{verdict}: worst relative error {self.worst_error:.2e} ({self.worst_param}) "
                     f"{relation} tolerance {self.tolerance:.0e}")
        if self.note:
            lines.append(f"Note: {self.note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"GradCheckReport(passed={self.passed}, worst_param={self.worst_param!r}, "
                f"worst_error={self.worst_error:.2e}, tolerance={self.tolerance:.0e})")

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(str(self))                # Jupyter shows the table, not the one-line repr


def _default_tolerance(net) -> tuple[float, str]:
    activations = {getattr(net, "output_activation", None)}
    if len(getattr(net, "layer_sizes", [0, 0, 0])) > 2:          # the hidden activation is used at all
        activations.add(getattr(net, "activation", None))
    return (KINK_TOLERANCE, KINK_NOTE) if "relu" in activations else (SMOOTH_TOLERANCE, "")


def _kinks_near(net, X, h: float) -> int:
    """How many hidden pre-activations Z = A_prev @ W + b of a ReLU net lie within about h of the kink."""
    if getattr(net, "activation", None) != "relu" or not hasattr(net, "layer_outputs"):
        return 0
    outputs, count = [np.asarray(X, dtype=np.float64), *net.layer_outputs(X)], 0
    for k in range(1, len(outputs) - 1):                              # hidden layers only
        A_prev = outputs[k - 1]
        Z = A_prev @ net.params[f"W{k}"] + net.params[f"b{k}"]        # (N, n_k)
        count += int(np.sum(np.abs(Z) <= 10 * h * (1 + np.abs(A_prev).max())))
    return count


def _saturated_outputs(net, X, y) -> int:
    """How many bce outputs are too close to 0 or 1 for centred differences (see SATURATION_NOTE)."""
    if getattr(net, "loss_name", None) != "bce" or not hasattr(net, "check_data"):
        return 0
    X, Y = net.check_data(X, y)
    y_hat = net.forward(X)                                          # (N, n_L)
    near_1 = (1.0 - y_hat < NEAR_ONE) & (Y < 1.0)                   # log(1 - y_hat) imprecise, or clamped
    near_0 = (y_hat < losses.LOG_FLOOR) & (Y > 0.0)                 # log(y_hat) clamped
    return int(np.sum(near_1 | near_0))


def _analytic_grads(net, X, y) -> dict[str, np.ndarray]:
    """The net's own gradients, copied (the net may reuse its buffers on the next call)."""
    _, grads = net.loss_and_grads(X, y)
    if not isinstance(grads, dict):
        raise TypeError(f"net.loss_and_grads(X, y) must return (loss, grads) with grads a dict, got "
                        f"{type(grads).__name__}")
    if set(grads) != set(net.params):
        raise ValueError(f"net.loss_and_grads returned gradients for {sorted(grads)} but the parameters "
                         f"are {sorted(net.params)}")
    return {name: np.array(as_float_array(f"grads[{name!r}]", grads[name])) for name in net.params}


def _check_params(params: dict) -> None:
    """Every parameter is nudged in place: each must be a finite, writeable float64 array."""
    if not params:
        raise ValueError("net.params is empty: there is no parameter to check")
    for name, param in params.items():
        label = f"net.params[{name!r}]"
        fix = (f"; grad_check needs float64 (in float32 the loss's change over h = 1e-5 keeps about 2 correct"
               f" digits): convert it first, {label} = np.asarray({label}, dtype=np.float64)")
        _check_point(label, param, fix)


def _check_tolerance(tolerance: object, default: float) -> float:
    """tolerance in (0, 1), or None for the default (rel_error never exceeds 1: 1 would pass anything)."""
    if tolerance is None:
        return default
    expected = "tolerance must be a positive number below 1 (rel_error is at most 1) or None"
    if isinstance(tolerance, bool) or not isinstance(tolerance, numbers.Real):
        raise TypeError(f"{expected}, got {tolerance!r}")
    if not 0 < tolerance < 1:
        raise ValueError(f"{expected}, got {tolerance!r}")
    return float(tolerance)


def _compare(report: GradCheckReport, name: str, param: np.ndarray) -> float:
    """rel_error of the analytic and numeric gradients of one parameter; inf (with a note) if unusable."""
    analytic = report.analytic[name]
    if analytic.shape != param.shape:       # a wrong-shaped gradient is a failed check
        report.note += f" {name}'s gradient has shape {analytic.shape}, not {param.shape}."
        return float("inf")
    if not np.isfinite(analytic).all():     # so is a gradient holding NaN or inf
        report.note += f" {name}'s gradient holds NaN or inf."
        return float("inf")
    return rel_error(analytic, report.numeric[name])


def grad_check(net, X: np.ndarray, y: np.ndarray, h: float = 1e-5,
               tolerance: float | None = None) -> GradCheckReport:
    """Compare net.loss_and_grads(X, y)'s gradients with centred differences, parameter by parameter.

    Shapes: X (N, D), y as the net's loss expects. Keep N and the net small: it costs 2 forward passes per
    parameter element. tolerance defaults to 1e-7, or 1e-5 when a ReLU is involved (see the report's note).
    The parameters are restored exactly. Returns a GradCheckReport (print it for a table); its note explains
    what can fail a right backward: ReLU kinks, and bce outputs saturated against their targets.
    """
    if not isinstance(getattr(net, "params", None), dict) or not hasattr(net, "loss_and_grads"):
        raise TypeError(f"net must be an nnlib.MLP (with .params and .loss_and_grads), "
                        f"got {type(net).__name__}")
    h = _check_h(h)
    default_tolerance, note = _default_tolerance(net)
    tolerance = _check_tolerance(tolerance, default_tolerance)
    _check_params(net.params)
    analytic = _analytic_grads(net, X, y)
    kinks = _kinks_near(net, X, h) if note else 0
    if kinks:
        note += (f" Here {kinks} hidden pre-activation(s) lie within about h of 0 (zero biases and a sample "
                 "whose previous layer is all 0 give z = 0 exactly); parameters feeding them may fail.")
    report = GradCheckReport({}, tolerance, h, note=note, analytic=analytic)
    for name, param in net.params.items():
        report.numeric[name] = _centred_differences(lambda _: net.loss_and_grads(X, y)[0], param, h,
                                                    "the loss", f"net.params[{name!r}]")
        report.shapes[name] = param.shape
        report.errors[name] = _compare(report, name, param)
    saturated = 0 if report.passed else _saturated_outputs(net, X, y)
    if saturated:   # explains a failure that a right backward can show
        report.note = f"{report.note} {SATURATION_NOTE.format(count=saturated)}".strip()
    return report
