"""Activation functions and their derivatives.

Each function takes Z as any array of numbers (a TypeError/ValueError names Z otherwise) and computes in
float64. Each ``<name>_derivative(Z)`` takes the *pre-activation* ``Z`` (the array the activation was
applied to) and returns dA/dZ elementwise, with the shape of ``Z``; the backward pass multiplies it by
dL/dA. (The network's backward pass writes the same slopes with the output A instead of Z --
``A * (1 - A)`` for the sigmoid, as notebook 03 does -- see ``layers.activation_backward``.) ``softmax``
has no elementwise derivative: its Jacobian mixes a row's entries; nnlib only uses it with the
cross-entropy loss, whose combined gradient with respect to Z is simply ``(softmax(Z) - Y) / N``.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_2d


def sigmoid(Z: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-Z)), elementwise: any shape -> the same shape, values in [0, 1].

    For Z < -709, exp(-Z) overflows to inf and 1 / (1 + inf) = 0 is the right answer, so that overflow is
    not worth a warning.
    """
    Z = as_float_array("Z", Z)  # numbers (any shape) as float64, or a clear error
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-Z))


def sigmoid_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of the sigmoid: sigmoid(Z) * (1 - sigmoid(Z)). Shape of Z."""
    Z = as_float_array("Z", Z)
    A = sigmoid(Z)
    return A * (1.0 - A)


def tanh(Z: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, elementwise, values in [-1, 1]. Shape of Z."""
    Z = as_float_array("Z", Z)
    return np.tanh(Z)


def tanh_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of tanh: 1 - tanh(Z)**2. Shape of Z."""
    Z = as_float_array("Z", Z)
    return 1.0 - np.tanh(Z) ** 2


def relu(Z: np.ndarray) -> np.ndarray:
    """max(0, Z), elementwise. Shape of Z."""
    Z = as_float_array("Z", Z)
    return np.maximum(Z, 0.0)


def relu_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of relu: 1 where Z > 0, else 0 (0 at the kink Z = 0, as PyTorch chooses). Shape of Z."""
    Z = as_float_array("Z", Z)
    return (Z > 0.0).astype(np.float64)


def identity(Z: np.ndarray) -> np.ndarray:
    """Z unchanged (a linear output, e.g. for regression). Returns Z itself when it is a float64 array."""
    Z = as_float_array("Z", Z)
    return Z


def identity_derivative(Z: np.ndarray) -> np.ndarray:
    """dA/dZ of the identity: ones with the shape of Z."""
    Z = as_float_array("Z", Z)
    return np.ones_like(Z)


def softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise softmax: exp(Z) / sum(exp(Z)) over each row. Z (N, C) -> probabilities (N, C), rows sum to 1.

    The row maximum is subtracted first: it does not change the result but keeps exp() from overflowing.
    Raises ValueError unless Z is 2-D. Rows are samples: one sample's logits are one row, Z.reshape(1, -1)
    (a 1-D array would be ambiguous; the loss functions read y_hat of shape (N,) as a column).
    """
    Z = as_float_array("Z", Z)
    check_2d("Z", Z, "C")
    E = np.exp(Z - Z.max(axis=1, keepdims=True))  # (N, C), every entry in (0, 1]
    return E / E.sum(axis=1, keepdims=True)  # (N, C) / (N, 1)


# name -> (activation, derivative); softmax has no elementwise derivative (see the module docstring).
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "identity": (identity, identity_derivative),
    "softmax": (softmax, None),
}
