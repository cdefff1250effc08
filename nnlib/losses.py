"""Loss functions with PyTorch's mean reduction, and their gradients.

``mse`` and ``bce`` compare outputs ``y_hat`` (N, C) with targets ``y`` of the same shape (``y`` may be (N,)
when C == 1) and average over all N*C elements, like ``torch.nn.MSELoss`` and ``torch.nn.BCELoss``.
``cross_entropy`` takes the *logits* Z (N, C) -- the scores before softmax -- and labels given as integers
(N,) or one-hot rows (N, C), and averages over the N samples, like ``torch.nn.CrossEntropyLoss``.

Each public function checks its arguments, then calls the formula below it (``_mse`` ...); the network calls
the formulas directly, on data it has checked once.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_2d, check_finite, check_int, check_targets

LOSSES = ("mse", "bce", "cross_entropy")
# PyTorch's BCELoss clamps each log at -100, so that the loss stays finite when y_hat is exactly 0 or 1.
# Clamping the log's argument at exp(-100) gives the same numbers, without a log(0) warning on the way.
LOG_FLOOR = np.exp(-100.0)
# PyTorch's BCELoss gradient divides by max(y_hat (1 - y_hat), 1e-12) (a float32 constant).
_BCE_GRAD_FLOOR = float(np.float32(1e-12))


# --- the formulas: Y are the targets as (N, C) float64, as check_targets returns them ---------------------

def _mse(y_hat: np.ndarray, Y: np.ndarray) -> float:
    """L = mean over all N*C elements of (y_hat - Y)**2."""
    return float(np.mean((y_hat - Y) ** 2))


def _mse_gradient(y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dL/dy_hat = 2 (y_hat - Y) / (N*C), shape (N, C)."""
    return 2.0 * (y_hat - Y) / Y.size


def _bce(y_hat: np.ndarray, Y: np.ndarray) -> float:
    """L = -mean of Y log(y_hat) + (1 - Y) log(1 - y_hat), each log clamped at -100 (PyTorch)."""
    log_p = np.log(np.maximum(y_hat, LOG_FLOOR))
    log_1mp = np.log(np.maximum(1.0 - y_hat, LOG_FLOOR))
    return float(-np.mean(Y * log_p + (1.0 - Y) * log_1mp))


def _log_softmax(Z: np.ndarray) -> np.ndarray:
    """log softmax(Z) row by row, (N, C): Z - log sum exp(Z), with the row maximum taken out first.

    log sum_j exp(Z_j) = m + log sum_j exp(Z_j - m) for the row maximum m: no exp() can overflow.
    """
    shifted = Z - Z.max(axis=1, keepdims=True)  # (N, C), every entry <= 0
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # (N, C) - (N, 1)


def _cross_entropy(Z: np.ndarray, Y: np.ndarray) -> float:
    """L = -(1/N) sum over samples and classes of Y log softmax(Z), for logits Z (N, C)."""
    return float(-np.sum(Y * _log_softmax(Z)) / Z.shape[0])


# --- the public functions: check, then compute ------------------------------------------------------------

def _prepare(loss: str, y_hat: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """Check a public loss function's arguments: returns y_hat (N, C) and targets Y (N, C), float64.

    For cross_entropy the first argument is the logits, named Z in the messages.
    """
    name = "Z" if loss == "cross_entropy" else "y_hat"
    y_hat = as_float_array(name, y_hat)
    if y_hat.ndim == 1:
        y_hat = y_hat.reshape(-1, 1)
    check_2d(name, y_hat, "C")
    check_int(f"number of samples in {name}", y_hat.shape[0], 1)
    check_int(f"number of columns (outputs) in {name}", y_hat.shape[1], 1)
    if loss == "cross_entropy" and y_hat.shape[1] == 1:
        raise ValueError("Z has 1 column, but cross_entropy needs a logit per class, at least 2 (one yes/no "
                         "output? use a sigmoid output with bce)")
    check_finite(name, y_hat)
    Y = check_targets(loss, y, y_hat.shape[1], y_hat.shape[0], other=name)
    if loss == "bce" and not ((y_hat >= 0.0) & (y_hat <= 1.0)).all():
        raise ValueError(f"y_hat must be probabilities in [0, 1] for bce, got values from "
                         f"{y_hat.min()} to {y_hat.max()}")
    return y_hat, Y


def mse(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Mean squared error over all elements, like torch.nn.MSELoss.

    y_hat (N, C); y (N, C), or (N,) when C == 1.
    """
    return _mse(*_prepare("mse", y_hat, y))


def mse_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat of mse: 2 (y_hat - y) / (N*C). Returns (N, C)."""
    return _mse_gradient(*_prepare("mse", y_hat, y))


def bce(y_hat: np.ndarray, y: np.ndarray) -> float:
    """Binary cross-entropy over all elements, like torch.nn.BCELoss (logs clamped at -100).

    y_hat (N, C) probabilities in [0, 1]; y (N, C) (or (N,) if C == 1) in [0, 1].
    """
    return _bce(*_prepare("bce", y_hat, y))


def bce_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dy_hat of bce, as PyTorch computes it: (y_hat - y) / max(y_hat (1 - y_hat), 1e-12) / (N*C).

    (y_hat - y) / (y_hat (1 - y_hat)) is the derivative of the loss above; the floor keeps it finite at
    y_hat = 0 or 1. Returns (N, C).
    """
    y_hat, Y = _prepare("bce", y_hat, y)
    return (y_hat - Y) / np.maximum(y_hat * (1.0 - y_hat), _BCE_GRAD_FLOOR) / Y.size


def cross_entropy(Z: np.ndarray, y: np.ndarray) -> float:
    """Mean over samples of -log softmax(Z)[label], like torch.nn.CrossEntropyLoss on the logits.

    Z (N, C) logits; y integer labels (N,) in 0..C-1 or one-hot rows (N, C). Raises ValueError for bad
    arguments, and for logits so far apart (~1.8e308) that the loss overflows.
    """
    Z, Y = _prepare("cross_entropy", Z, y)
    with np.errstate(over="ignore", invalid="ignore"):  # refused below, by name
        loss = _cross_entropy(Z, Y)
    if not np.isfinite(loss):  # 0 * -inf: a logit more than ~1.8e308 below its row's largest
        raise ValueError(f"the loss is {loss}: the logits in Z are so far apart (from {Z.min():.3g} to "
                         f"{Z.max():.3g}) that their differences overflow float64")
    return loss


def cross_entropy_gradient(Z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dZ of cross_entropy with respect to the logits: (softmax(Z) - Y) / N, Y one-hot. Returns (N, C)."""
    Z, Y = _prepare("cross_entropy", Z, y)
    with np.errstate(over="ignore"):  # a logit ~1.8e308 below its row's largest: its softmax is 0, rightly
        return (np.exp(_log_softmax(Z)) - Y) / Z.shape[0]
