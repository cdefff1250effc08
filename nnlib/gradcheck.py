"""Numeric gradient checking: is the backward pass right?

The analytic gradients of ``net.loss_and_grads`` are compared with centred differences

    dL/dw  ~  (L(w + h) - L(w - h)) / (2 h)

computed one parameter element at a time in float64, using the relative error of CS231n:

    rel_error(a, b) = max over elements of |a - b| / max(1e-8, |a| + |b|)

A correct gradient of a smooth function gives about 1e-7 or less; a wrong one typically 1e-2 or more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["rel_error", "numeric_gradient", "grad_check", "GradCheckReport"]

SMOOTH_TOLERANCE = 1e-7   # CS231n's bar for a correct gradient of a smooth function
KINK_TOLERANCE = 1e-5     # looser bar when a ReLU kink can sit inside a difference step
KINK_NOTE = ("ReLU has a kink at z = 0: where a pre-activation z lies within h of 0, the centred difference "
             "straddles the kink and measures a slope of neither side, so a few elements can disagree even "
             "when the backward pass is right. Hence the looser tolerance; rerun with other data or a "
             "smaller h if it fails by a little.")


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """Largest elementwise relative error max|a - b| / max(1e-8, |a| + |b|) of two same-shaped arrays."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got a {a.shape} and b {b.shape}")
    if a.size == 0:
        raise ValueError("a and b are empty: there is nothing to compare")
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


def numeric_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of the scalar f(x) with respect to every element of x.

    x (any shape, float64) is changed in place one element at a time and put back exactly, even if f raises.
    Returns an array of x's shape. Costs 2 * x.size calls of f.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError(f"x must be a float64 NumPy array (differences need the precision), got "
                        f"{type(x).__name__} {getattr(x, 'dtype', '')}")
    h = _check_h(h)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old = x[index]
        try:
            x[index] = old + h
            loss_plus = float(f(x))
            x[index] = old - h
            loss_minus = float(f(x))
        finally:
            x[index] = old                      # the very same float: the parameter is restored bit for bit
        grad[index] = (loss_plus - loss_minus) / (2 * h)
    return grad


def _check_h(h: object) -> float:
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) or not 0 < h < 1:
        raise ValueError(f"h must be a small positive step such as 1e-5, got {h!r}")
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


def _analytic_grads(net, X, y) -> dict[str, np.ndarray]:
    """The net's own gradients, copied (the net may reuse its buffers on the next call)."""
    _, grads = net.loss_and_grads(X, y)
    if not isinstance(grads, dict) or set(grads) != set(net.params):
        raise ValueError(f"net.loss_and_grads returned gradients for {sorted(grads)} but the parameters "
                         f"are {sorted(net.params)}")
    return {name: np.array(grads[name], dtype=np.float64) for name in net.params}


def grad_check(net, X: np.ndarray, y: np.ndarray, h: float = 1e-5,
               tolerance: float | None = None) -> GradCheckReport:
    """Compare net.loss_and_grads(X, y)'s gradients with centred differences, parameter by parameter.

    Shapes: X (N, D), y as the net's loss expects. Keep N and the net small: it costs 2 forward passes per
    parameter element. tolerance defaults to 1e-7, or 1e-5 when a ReLU is involved (see the report's note).
    The parameters are restored exactly. Returns a GradCheckReport (print it for a table).
    """
    if not isinstance(getattr(net, "params", None), dict) or not hasattr(net, "loss_and_grads"):
        raise TypeError(f"net must be an nnlib.MLP (with .params and .loss_and_grads), "
                        f"got {type(net).__name__}")
    h = _check_h(h)
    default_tolerance, note = _default_tolerance(net)
    if tolerance is None:
        tolerance = default_tolerance
    elif isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not tolerance > 0:
        raise ValueError(f"tolerance must be a positive number or None, got {tolerance!r}")
    analytic = _analytic_grads(net, X, y)
    kinks = _kinks_near(net, X, h) if note else 0
    if kinks:
        note += (f" Here {kinks} hidden pre-activation(s) lie within about h of 0 (zero biases and a sample "
                 "whose previous layer is all 0 give z = 0 exactly); parameters feeding them may fail.")
    report = GradCheckReport({}, float(tolerance), h, note=note, analytic=analytic)
    for name, param in net.params.items():
        report.numeric[name] = numeric_gradient(lambda _: net.loss_and_grads(X, y)[0], param, h)
        report.shapes[name] = param.shape
        if analytic[name].shape != param.shape:       # a wrong-shaped gradient is a failed check
            report.errors[name] = float("inf")
            report.note += f" {name}'s gradient has shape {analytic[name].shape}, not {param.shape}."
        else:
            report.errors[name] = rel_error(analytic[name], report.numeric[name])
    return report
