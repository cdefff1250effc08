"""The two building blocks of an MLP, each a forward/backward pair sharing a ``cache`` (as in CS231n).

Rows are samples: a dense layer computes Z = A_prev @ W + b with A_prev (N, n_in), W (n_in, n_out) and
b (n_out,).
(Many texts write W @ x with one column per sample; it is the same maths transposed.)

Speed without obscuring the maths: every function takes optional arrays to write its results into. Training
reuses the same few arrays step after step instead of asking the operating system for fresh memory each time
-- for 100,000 samples x 256 units a fresh array is 200 MB, and filling new memory costs about as much as the
arithmetic. Without them everything works on fresh arrays, as in a textbook.
"""

from __future__ import annotations

import functools

import numpy as np

from .activations import ACTIVATIONS, sigmoid_unguarded


@functools.lru_cache(maxsize=8)
def _ones(n_samples: int) -> np.ndarray:
    """A row of ones: ones @ dZ sums dZ over the batch, much faster than dZ.sum(axis=0) for tall dZ."""
    return np.ones(n_samples)


def dense_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray,
                  out: np.ndarray | None = None) -> tuple[np.ndarray, tuple]:
    """Z = A_prev @ W + b. Shapes: A_prev (N, n_in), W (n_in, n_out), b (n_out,) -> Z (N, n_out).

    Returns Z and the cache (A_prev, W) that dense_backward needs. ``out`` may be stored column by column
    (order="F", as the network's work arrays are), so np.matmul, which can write into any layout.
    """
    Z = np.matmul(A_prev, W, out=out)  # (N, n_in) @ (n_in, n_out)
    Z += b  # the same bias row added to every sample
    return Z, (A_prev, W)


def dense_backward(dZ: np.ndarray, cache: tuple, need_dA_prev: bool = True,
                   out: tuple = (None, None, None)) -> tuple:
    """Gradients of Z = A_prev @ W + b, given dZ = dL/dZ (N, n_out).

    cache = (A_prev (N, n_in), W (n_in, n_out)). Returns dA_prev (N, n_in) (None when not needed: the input
    layer), dW (n_in, n_out), db (n_out,). ``out`` = arrays to write (dA_prev, dW, db) into, or None for new
    ones; an out dA_prev may be column-major (order="F").
    """
    A_prev, W = cache
    dA_prev_out, dW_out, db_out = out
    dW = np.dot(A_prev.T, dZ, out=dW_out)  # (n_in, N) @ (N, n_out): summed over the batch
    db = np.dot(_ones(dZ.shape[0]), dZ, out=db_out)  # one bias per unit: sum over the batch (N,) @ (N, n_out)
    if not need_dA_prev:
        return None, dW, db
    if dA_prev_out is None:
        return np.dot(dZ, W.T), dW, db  # (N, n_out) @ (n_out, n_in)
    # The same product, transposed: dA_prev.T = W @ dZ.T. The transpose of a column-major array is an ordinary
    # row-major one, which np.dot can write into -- and it is the fast way round when n_out is small.
    np.dot(W, dZ.T, out=dA_prev_out.T)  # (n_in, n_out) @ (n_out, N)
    return dA_prev_out, dW, db


def activation_forward(Z: np.ndarray, name: str, out: np.ndarray | None = None) -> np.ndarray:
    """A = activation(Z), elementwise: Z (N, n) -> A (N, n). ``out=Z`` overwrites Z (training does).

    The sigmoid runs without its own np.errstate: the network enters one for the whole pass.
    """
    if name == "sigmoid":
        return sigmoid_unguarded(Z, out=out)
    return ACTIVATIONS[name][0](Z, out=out)


def activation_backward(dA: np.ndarray, A: np.ndarray, name: str, reuse_A: bool = False) -> np.ndarray:
    """dZ = dA * dA/dZ elementwise, the slope written with the layer's output A (N, n). Returns dZ (N, n).

    Overwrites dA (an array dense_backward made for this) instead of allocating. ``reuse_A=True`` also lets
    the slope overwrite A, when nothing needs A any more (training). The slopes equal the *_derivative(Z)
    functions of activations.py (a test checks this).
    """
    scratch = A if reuse_A else None
    if name == "sigmoid":
        dA *= A
        dA *= np.subtract(1.0, A, out=scratch)  # sigmoid' = A (1 - A)
    elif name == "tanh":
        slope = np.multiply(A, A, out=scratch)
        dA *= np.subtract(1.0, slope, out=slope)  # tanh' = 1 - A**2
    elif name == "relu":
        dA *= np.sign(A, out=scratch)  # relu' = 1 where Z > 0, else 0 (also at the kink, as PyTorch); A >= 0
    return dA  # identity: slope 1
