"""The two building blocks of an MLP, each a forward/backward pair sharing a ``cache`` (as in CS231n).

Rows are samples: a dense layer computes Z = A_prev @ W + b with A_prev (N, n_in), W (n_in, n_out) and
b (n_out,). (Many texts write W @ x with one column per sample; it is the same maths transposed.)
These are the formulas of notebook 03, one line each; every call returns fresh arrays.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS


def dense_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Z = A_prev @ W + b. Shapes: A_prev (N, n_in), W (n_in, n_out), b (n_out,) -> Z (N, n_out).

    Returns Z and the cache (A_prev, W) that dense_backward needs.
    """
    Z = A_prev @ W + b  # (N, n_in) @ (n_in, n_out) + (n_out,): the same bias row added to every sample
    return Z, (A_prev, W)


def dense_backward(dZ: np.ndarray, cache: tuple, need_dA_prev: bool = True) -> tuple:
    """Gradients of Z = A_prev @ W + b, given dZ = dL/dZ (N, n_out) and cache = (A_prev (N, n_in), W).

    Returns dA_prev (N, n_in), dW (n_in, n_out), db (n_out,). dA_prev is None when ``need_dA_prev`` is
    False: the first layer's input is the data, whose gradient nobody needs.
    """
    A_prev, W = cache
    dW = A_prev.T @ dZ  # (n_in, N) @ (N, n_out): summed over the batch
    db = dZ.sum(axis=0)  # one bias per unit: sum over the batch
    dA_prev = dZ @ W.T if need_dA_prev else None  # (N, n_out) @ (n_out, n_in)
    return dA_prev, dW, db


def activation_forward(Z: np.ndarray, name: str) -> np.ndarray:
    """A = activation(Z), elementwise: Z (N, n) -> A (N, n)."""
    return ACTIVATIONS[name][0](Z)


def activation_backward(dA: np.ndarray, A: np.ndarray, name: str) -> np.ndarray:
    """dZ = dA * dA/dZ, elementwise, the slope written with the layer's output A (N, n). Returns dZ (N, n).

    The backward pass has A at hand (the forward pass kept it), so the slope is computed from it: the same
    values as the *_derivative(Z) functions of activations.py (a test checks this).
    """
    if name == "sigmoid":
        return dA * (A * (1.0 - A))  # sigmoid' = A (1 - A); the slope first saves NumPy one (N, n) temporary
    if name == "tanh":
        return dA * (1.0 - A**2)  # tanh' = 1 - A**2
    if name == "relu":
        return dA * (A > 0.0)  # relu' = 1 where Z > 0 (there A > 0), else 0 (also at the kink, as PyTorch)
    return dA  # identity: slope 1
