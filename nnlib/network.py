"""The multi-layer perceptron: forward pass, loss and backward pass (backpropagation).

Rows are samples: layer k computes Z_k = A_{k-1} @ W_k + b_k and A_k = activation(Z_k), with A_0 = X (N, n_0),
W_k (n_{k-1}, n_k) and b_k (n_k,). The layers' formulas are in layers.py; this file chains them, as the
forward and backward of notebook 03 do for two layers.
"""

from __future__ import annotations

import math

import numpy as np

from . import losses
from ._checks import (
    HIDDEN_ACTIVATIONS,
    all_finite,
    as_features,
    as_generator,
    check_architecture,
    check_choice,
    check_class_labels,
    check_layer_sizes,
)
from ._checks import MAX_PARAMETERS as MAX_PARAMETERS  # the largest network nnlib builds (10 million)
from .activations import ACTIVATIONS, softmax
from .init import INITS, init_params
from .layers import activation_backward, activation_forward, dense_backward, dense_forward


class MLP:
    """A fully connected network: layer_sizes = [n_inputs, hidden..., n_outputs], e.g. [2, 4, 1].

    ``params`` is a plain dict {"W1": (n_0, n_1), "b1": (n_1,), ...} of float64 arrays; optimisers update
    the arrays in place. At most MAX_PARAMETERS parameters.
    """

    def __init__(self, layer_sizes: list[int], activation: str = "sigmoid",
                 output_activation: str = "sigmoid", loss: str = "mse", init: str = "xavier",
                 seed: int | np.random.Generator | None = None):
        self.layer_sizes = check_layer_sizes(layer_sizes)
        check_choice("activation", activation, HIDDEN_ACTIVATIONS)
        check_choice("output_activation", output_activation, ACTIVATIONS)
        check_choice("loss", loss, losses.LOSSES)
        check_choice("init", init, INITS)
        check_architecture(self.layer_sizes, output_activation, loss)
        self.activation, self.output_activation = activation, output_activation
        self.loss_name, self.init = loss, init
        self.params = init_params(self.layer_sizes, init, as_generator(seed))
        self._shapes = {name: value.shape for name, value in self.params.items()}  # "W1": (n_0, n_1), ...

    def __repr__(self) -> str:
        return (f"MLP({self.layer_sizes}, activation={self.activation!r}, output_activation="
                f"{self.output_activation!r}, loss={self.loss_name!r}, init={self.init!r})")

    # --- the public methods: check the arguments, then compute -------------------------------------------
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs for X (N, n_0): (N, n_L); probabilities for sigmoid and softmax outputs.

        Raises ValueError for NaN or inf weights, or outputs that overflow (far too large weights or inputs).
        """
        X = as_features(X, self.layer_sizes[0])
        self.check_params()
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, by name
            y_hat = self._output(self._forward(X)[0])
        if not all_finite(y_hat):
            raise self._overflow_error("the outputs hold NaN or inf")
        return y_hat

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """The activations [A1, ..., AL] for X (N, n_0), each (N, n_k): what every neuron outputs.

        For pictures and diagnostics: the values as computed, NaN or inf included where the numbers overflow
        (forward refuses those).
        """
        X = as_features(X, self.layer_sizes[0])
        self.check_params()
        with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN are returned, not warned about
            Z, caches = self._forward(X)
            hidden = [A_prev for A_prev, _ in caches[1:]]  # each layer's cache holds its input A_{k-1}
            return hidden + [self._output(Z)]

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Loss (float) and its gradients {"W1": dW1, "b1": db1, ...} (shapes of params) on X (N, n_0), y.

        Raises ValueError for NaN or inf weights, or a loss that overflows (far too large weights or inputs).
        """
        X, Y = self.check_data(X, y)
        self.check_params()
        loss, grads, _ = self._loss_and_grads(X, Y)
        self._check_loss(loss)
        return loss, grads

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """The loss (float) on X (N, n_0) and targets y.

        Raises ValueError for NaN or inf weights, or a loss that overflows (far too large weights or inputs).
        """
        X, Y = self.check_data(X, y)
        self.check_params()
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, by name
            loss = self._loss(self._forward(X)[0], Y)[0]
        self._check_loss(loss)
        return loss

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (N,) int: output >= 0.5 for a single output unit, else the argmax over the outputs.

        Raises ValueError as forward does (NaN or inf weights, outputs that overflow).
        """
        return self._labels(self.forward(X))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction in [0, 1] of samples whose predicted label equals the label in y (class labels only).

        Raises ValueError for y that are not class labels, and as forward does.
        """
        X, Y = self.check_data(X, y)
        check_class_labels("y", Y)
        return float(np.mean(self.predict(X) == self._labels(Y)))

    def check_data(self, X: object, y: object, names: tuple[str, str] = ("X", "y")) -> tuple:
        """Check X and y: returns X (N, n_0) and the targets as Y (N, n_L), float64 (labels one-hot)."""
        X = as_features(X, self.layer_sizes[0], names[0])
        return X, losses.check_targets(self.loss_name, y, self.layer_sizes[-1], X.shape[0], *names[::-1])

    def check_params(self) -> None:
        """Refuse parameters that are missing, not plain float arrays of the right shape, or NaN/inf (e.g.
        after a divergence). An ndarray subclass is refused too: with a MaskedArray or an np.matrix the
        formulas compute something else (for a matrix, * is the matrix product) or fail deep in NumPy."""
        if not isinstance(self.params, dict):
            raise TypeError(f"net.params must be a dict of arrays, got {type(self.params).__name__}")
        for name, shape in self._shapes.items():
            value = self.params.get(name)
            if isinstance(value, np.ndarray) and type(value) is not np.ndarray:
                raise ValueError(f"net.params[{name!r}] must be a plain NumPy array, not "
                                 f"{type(value).__name__}: use np.asarray(net.params[{name!r}])")
            if not isinstance(value, np.ndarray) or value.shape != shape or value.dtype.kind != "f":
                raise ValueError(f"net.params[{name!r}] must be a float array of shape {shape}, got "
                                 f"{type(value).__name__} of shape {np.shape(value)} and dtype "
                                 f"{getattr(value, 'dtype', None)}")
            if not all_finite(value):
                raise ValueError(f"net.params[{name!r}] holds NaN or inf: the weights are broken, probably "
                                 "by training that diverged; build a new network (or load a saved one)")

    def _check_loss(self, loss: float) -> None:
        """Refuse a NaN or inf loss. The weights were checked finite before it: the numbers overflowed."""
        if not math.isfinite(loss):
            raise self._overflow_error(f"the loss is {loss}")

    def _overflow_error(self, what: str) -> ValueError:
        """The error for a NaN or inf result from finite weights and inputs: the numbers overflowed."""
        largest = max(np.abs(W).max() for W in self.params.values())
        return ValueError(f"{what}: the network's numbers overflowed float64 (largest weight {largest:.3g}); "
                          "the weights or the inputs are far too large (scale X; train with a smaller "
                          "learning rate)")

    # --- the computation, on checked arrays (train() checks once, then calls these) ---------------------
    def _forward(self, X: np.ndarray) -> tuple[np.ndarray, list[tuple]]:
        """Forward pass up to the last layer's Z (N, n_L), before the output activation; and every cache."""
        A, caches, n_layers = X, [], len(self.layer_sizes) - 1
        for k in range(1, n_layers + 1):
            Z, cache = dense_forward(A, self.params[f"W{k}"], self.params[f"b{k}"])  # (N, n_k)
            caches.append(cache)  # (A_{k-1}, W_k)
            if k < n_layers:
                A = activation_forward(Z, self.activation)  # (N, n_k)
        return Z, caches

    def _output(self, Z: np.ndarray) -> np.ndarray:
        """y_hat = output_activation(Z_L), (N, n_L)."""
        return activation_forward(Z, self.output_activation)

    def _loss(self, Z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        """The loss and the outputs y_hat (N, n_L) for the last layer's Z and targets Y (N, n_L)."""
        if self.loss_name == "cross_entropy":  # the loss takes the logits Z
            return losses._cross_entropy(Z, Y), softmax(Z)
        y_hat = self._output(Z)
        return (losses._bce if self.loss_name == "bce" else losses._mse)(y_hat, Y), y_hat

    def _output_gradient(self, y_hat: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """dL/dZ_L (N, n_L): the loss's gradient through the output activation."""
        if self.loss_name == "cross_entropy":
            return (y_hat - Y) / Y.shape[0]  # softmax + cross-entropy: (P - Y) / N
        if self.loss_name == "bce":
            return (y_hat - Y) / Y.size  # sigmoid + bce: (y_hat - y) / (N*C), the slopes cancel
        return activation_backward(losses._mse_gradient(y_hat, Y), y_hat, self.output_activation)

    def _backward(self, dZ: np.ndarray, caches: list[tuple]) -> dict[str, np.ndarray]:
        """From dL/dZ_L back to the first layer: the gradients {"W1": dW1, "b1": db1, ...}."""
        grads = {}
        for k in range(len(caches), 0, -1):  # from the output layer back to the first
            dA_prev, grads[f"W{k}"], grads[f"b{k}"] = dense_backward(dZ, caches[k - 1], need_dA_prev=k > 1)
            if k > 1:
                A_prev = caches[k - 1][0]  # A_{k-1}: this layer's input, the previous layer's output
                dZ = activation_backward(dA_prev, A_prev, self.activation)
        return {name: grads[name] for name in self._shapes}  # in the order W1, b1, W2, ...

    def _loss_and_grads(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, dict, np.ndarray]:
        """Loss, gradients and outputs y_hat (N, n_L) for checked X (N, n_0) and Y (N, n_L)."""
        Z, caches = self._forward(X)
        loss, y_hat = self._loss(Z, Y)
        return loss, self._backward(self._output_gradient(y_hat, Y), caches), y_hat

    def _labels(self, outputs: np.ndarray) -> np.ndarray:
        """Class labels (N,) from outputs or targets (N, n_L): threshold 0.5 for one unit, else argmax."""
        if outputs.shape[1] == 1:
            return (outputs[:, 0] >= 0.5).astype(np.int64)
        return outputs.argmax(axis=1)
