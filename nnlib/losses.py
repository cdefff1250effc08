"""Loss functions with PyTorch's mean reduction, and their gradients.

``mse`` and ``bce`` compare outputs ``y_hat`` (N, C) with targets ``y`` of the same shape (``y`` may be (N,)
when C == 1) and average over all N*C elements, like ``torch.nn.MSELoss`` and ``torch.nn.BCELoss``.
``cross_entropy`` takes the *logits* Z (N, C) -- the scores before softmax -- and labels given as integers
(N,) or one-hot rows (N, C), and averages over the N samples, like ``torch.nn.CrossEntropyLoss``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_finite, check_int, check_targets
from .activations import ACTIVATIONS, sigmoid

LOSSES = ("mse", "bce", "cross_entropy")
_LOG_FLOOR = np.exp(-100.0)
# PyTorch's BCELoss backward divides by max(y_hat (1 - y_hat), EPSILON) with a float32 EPSILON = 1e-12.
_BCE_GRAD_FLOOR = float(np.float32(1e-12))
# For |Z| <= 18, bce computed from the logits Z equals PyTorch's BCELoss on sigmoid(Z) to 1e-9. Beyond,
# PyTorch's log(1 - y_hat) loses digits (1 - y_hat < 1.5e-8) and then clamps: there we use PyTorch's formula.
_LOGIT_LIMIT = 18.0


def _check_outputs(name: str, y_hat: object, Y: np.ndarray) -> np.ndarray:
    y_hat = as_float_array(name, y_hat)
    if y_hat.ndim == 1:
        y_hat = y_hat.reshape(-1, 1)
    if y_hat.ndim != 2 or y_hat.shape[0] != Y.shape[0]:
        raise ValueError(f"{name} must have shape (N, C) with N = {Y.shape[0]}, got shape {y_hat.shape}")
    check_finite(name, y_hat)
    return y_hat


def _prepare(loss: str, y_hat: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Validate a public loss function's arguments: returns y_hat (N, C) and targets Y (N, C)."""
    y_hat_array = as_float_array("y_hat", y_hat)
    n_outputs = y_hat_array.shape[1] if y_hat_array.ndim == 2 else 1
    check_int("number of samples in y_hat", y_hat_array.shape[0] if y_hat_array.ndim else 0, 1)
    Y = check_targets(loss, y, n_outputs, y_hat_array.shape[0], other="y_hat")
    y_hat_array = _check_outputs("y_hat", y_hat_array, Y)
    if loss == "bce" and not ((y_hat_array >= 0.0) & (y_hat_array <= 1.0)).all():
        raise ValueError(f"y_hat must be probabilities in [0, 1] for bce, got values from "
                         f"{y_hat_array.min()} to {y_hat_array.max()}")
    return y_hat_array, Y


# --- the formulas (no checks: the network calls these on validated arrays) --------------------------------

def _mse(y_hat: np.ndarray, Y: np.ndarray) -> float:
    D = y_hat - Y
    return float(np.vdot(D, D)) / D.size  # sum of squares as one dot product


def _bce(y_hat: np.ndarray, Y: np.ndarray) -> float:
    # PyTorch clamps each log at -100, so the loss stays finite when y_hat is exactly 0 or 1. Clamping the
    # argument at exp(-100) instead gives the same numbers without a log(0) warning.
    log_p = np.log(np.maximum(y_hat, _LOG_FLOOR))
    log_1mp = np.log(np.maximum(1.0 - y_hat, _LOG_FLOOR))
    return -float(np.vdot(Y, log_p - log_1mp) + log_1mp.sum()) / Y.size  # sum of y log_p + (1 - y) log_1mp


def _log_softmax(Z: np.ndarray) -> np.ndarray:
    shifted = Z - Z.max(axis=1, keepdims=True)  # (N, C); subtracting the row max avoids overflow
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _cross_entropy(Z: np.ndarray, Y: np.ndarray) -> float:
    return -float(np.dot(Y.ravel(), _log_softmax(Z).ravel())) / Z.shape[0]


# --- the public functions ------------------------------------------------------------------------------

def mse(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error over all elements, like torch.nn.MSELoss.

    y_hat (N, C); y (N, C), or (N,) when C == 1.
    """
    return _mse(*_prepare("mse", y_hat, y))


def mse_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat of mse: 2 (y_hat - y) / (N*C). Returns (N, C)."""
    y_hat, Y = _prepare("mse", y_hat, y)
    return (y_hat - Y) * (2.0 / Y.size)


def bce(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Binary cross-entropy over all elements, like torch.nn.BCELoss (logs clamped at -100).

    y_hat (N, C) probabilities in [0, 1]; y (N, C) (or (N,) if C == 1) in [0, 1].
    """
    return _bce(*_prepare("bce", y_hat, y))


def bce_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat of bce, as PyTorch computes it: (y_hat - y) / max(y_hat (1 - y_hat), 1e-12) / (N*C)."""
    y_hat, Y = _prepare("bce", y_hat, y)
    return (y_hat - Y) / np.maximum(y_hat * (1.0 - y_hat), _BCE_GRAD_FLOOR) / Y.size


def cross_entropy(Z: np.ndarray, y: np.ndarray) -> float:
    """Mean over samples of -log softmax(Z)[label], like torch.nn.CrossEntropyLoss on the logits.

    Z (N, C) logits; y integer labels (N,) in 0..C-1 or one-hot rows (N, C).
    """
    return _cross_entropy(*_prepare("cross_entropy", Z, y))


def cross_entropy_gradient(Z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dZ of cross_entropy with respect to the logits: (softmax(Z) - onehot) / N. Returns (N, C)."""
    Z, Y = _prepare("cross_entropy", Z, y)
    return (np.exp(_log_softmax(Z)) - Y) / Z.shape[0]


# --- heads: the output activation and the loss together, as the network's last layer uses them -----------
# Each takes the last layer's Z and targets Y (N, C) and returns (loss, dL/dZ (N, C), outputs y_hat (N, C)).
# Fusing them gives simple, stable gradients: (y_hat - y) / size for sigmoid + bce, (softmax - y) / N for
# softmax + cross_entropy. size_inverse = 1 / (N*C).

def mse_head(Z: np.ndarray, Y: np.ndarray, output_activation: str, size_inverse: float) -> tuple:
    """Any elementwise output activation, then mse."""
    function, derivative = ACTIVATIONS[output_activation]
    y_hat = function(Z)
    D = y_hat - Y  # (N, C)
    loss = float(np.vdot(D, D)) * size_inverse  # sum of squares as one dot product
    D *= 2.0 * size_inverse  # now dL/dy_hat
    return loss, D if output_activation == "identity" else D * derivative(Z), y_hat


def bce_head(Z: np.ndarray, Y: np.ndarray, output_activation: str, size_inverse: float) -> tuple:
    """Sigmoid then bce: dL/dZ = (y_hat - y) / (N*C), PyTorch's gradient wherever y_hat is not saturated."""
    # The usual case, |Z| <= 18 everywhere: half the NumPy calls of PyTorch's formula below. A sum of squares
    # <= 18**2 proves it in one call; only if that fails is the largest |Z| looked up.
    if np.vdot(Z, Z) <= _LOGIT_LIMIT**2 or np.abs(Z).max() <= _LOGIT_LIMIT:
        E = np.exp(-Z) + 1.0  # = 1 / y_hat, so -log(y_hat) = log(E) and -log(1 - y_hat) = log(E) + Z
        y_hat, minus_log_1mp = np.reciprocal(E), np.log(E) + Z
        loss = float(minus_log_1mp.sum() - np.vdot(Y, Z)) * size_inverse  # sum(-y log_p - (1-y) log_1mp)
    else:  # saturated outputs (or NaN): PyTorch's own formula, with its clamps
        y_hat = sigmoid(Z)
        loss = _bce(y_hat, Y)
    dZ = y_hat - Y
    dZ *= size_inverse
    return loss, dZ, y_hat


def cross_entropy_head(Z: np.ndarray, Y: np.ndarray, output_activation: str, size_inverse: float) -> tuple:
    """Softmax then cross_entropy on the logits Z: dL/dZ = (softmax(Z) - Y) / N."""
    log_probs = _log_softmax(Z)  # (N, C)
    y_hat = np.exp(log_probs)
    loss = -float(np.dot(Y.ravel(), log_probs.ravel())) / Z.shape[0]
    return loss, (y_hat - Y) * (1.0 / Z.shape[0]), y_hat


HEADS = {"mse": mse_head, "bce": bce_head, "cross_entropy": cross_entropy_head}
