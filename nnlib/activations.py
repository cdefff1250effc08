"""Activation functions and their derivatives.

Each ``<name>_derivative(Z)`` takes the *pre-activation* ``Z`` (the same array the activation was applied to)
and returns dA/dZ elementwise, with the shape of ``Z``; the backward pass multiplies it by dL/dA.
``softmax`` has no elementwise derivative (its Jacobian mixes a row's entries); nnlib only uses it together
with the cross-entropy loss, whose combined gradient is simply ``softmax(Z) - onehot``.
"""

from __future__ import annotations

import numpy as np


def sigmoid(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """1 / (1 + exp(-Z)), elementwise; stable for any Z, no overflow warning. Shape of Z.

    ``out`` receives the result (it may be Z itself: training overwrites Z to save memory).
    """
    with np.errstate(over="ignore"):  # exp(-Z) is inf for Z < -709, and then 1 / (1 + inf) = 0 is exact
        return sigmoid_unguarded(Z, out)


def sigmoid_unguarded(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """sigmoid without its np.errstate: for callers that hold one already (the network, once per pass).

    Entering np.errstate costs about a microsecond, as much as the rest of the sigmoid for a small batch.
    """
    if out is None:
        out = np.empty(np.shape(Z))  # an array even for a single number, so the steps below work in place
    A = np.negative(Z, out=out)
    np.exp(A, out=A)
    A += 1.0
    np.reciprocal(A, out=A)  # in place: one array instead of four temporaries
    return A if A.ndim else A[()]  # a single number in, a single number out


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of the sigmoid: sigmoid(Z) * (1 - sigmoid(Z)). Shape of Z."""
    A = sigmoid(Z)
    return A * (1.0 - A)


def tanh(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Hyperbolic tangent, elementwise, values in [-1, 1]. Shape of Z; ``out`` as for sigmoid."""
    return np.tanh(Z, out=out)


def tanh_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of tanh: 1 - tanh(Z)**2. Shape of Z."""
    A = np.tanh(Z)
    return 1.0 - A * A


def relu(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """max(0, Z), elementwise. Shape of Z; ``out`` as for sigmoid."""
    return np.maximum(Z, 0.0, out=out)


def relu_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of relu: 1 where Z > 0, else 0 (0 at the kink Z = 0, as PyTorch chooses). Shape of Z."""
    return (Z > 0.0).astype(np.float64)


def identity(Z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Z unchanged (a linear output, e.g. for regression). Returns Z itself (or a copy in ``out``)."""
    if out is None or out is Z:
        return Z
    np.copyto(out, Z)
    return out


def identity_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of the identity: ones with the shape of Z."""
    return np.ones_like(Z)


def softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise softmax: exp(Z) / sum(exp(Z)) over each row. Z (N, C) -> probabilities (N, C), rows sum to 1.

    The row maximum is subtracted first: it does not change the result but keeps exp() from overflowing.
    """
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # (N, C), every entry in (0, 1]
    E /= E.sum(axis=1, keepdims=True)
    return E


# name -> (activation, derivative); softmax has no elementwise derivative (see the module docstring).
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "identity": (identity, identity_derivative),
    "softmax": (softmax, None),
}
