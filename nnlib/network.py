"""The multi-layer perceptron: forward pass, loss and backward pass (backpropagation).

Rows are samples: a layer computes Z = A_prev @ W + b with A_prev (N, n_in), W (n_in, n_out), b (n_out,).
The layers themselves (forward/backward pairs sharing a ``cache``) are in layers.py; this file chains them.
"""

from __future__ import annotations

import numpy as np

from . import losses
from ._checks import as_features, as_generator, check_choice, check_layer_sizes
from .activations import ACTIVATIONS
from .init import INITS, init_params
from .layers import activation_backward, activation_forward, dense_backward, dense_forward
from .parameters import Parameters

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
# Which output activation each loss accepts, and why (cross_entropy works on the logits, as in PyTorch).
OUTPUTS_FOR_LOSS = {
    "mse": HIDDEN_ACTIVATIONS,  # any elementwise output; softmax + mse is rarely wanted, so it is refused
    "bce": ("sigmoid",),  # bce needs probabilities in [0, 1]
    "cross_entropy": ("softmax",),  # the loss uses the logits Z; forward() returns softmax(Z)
}


def check_combination(output_activation: str, loss: str, n_outputs: int) -> None:
    """Refuse output/loss pairs that make no sense, with the reason."""
    allowed = OUTPUTS_FOR_LOSS[loss]
    if output_activation not in allowed:
        raise ValueError(f"loss={loss!r} needs output_activation in {list(allowed)}, got "
                         f"{output_activation!r} (cross_entropy takes logits and pairs with 'softmax'; "
                         "bce needs probabilities from 'sigmoid')")
    if output_activation == "softmax" and n_outputs < 2:
        raise ValueError(f"a softmax output needs at least 2 units (classes), got layer_sizes[-1] = "
                         f"{n_outputs}")


class MLP:
    """A fully connected network: layer_sizes = [n_inputs, hidden..., n_outputs], e.g. [2, 4, 1].

    ``params`` holds "W1", "b1", ... with W_k (n_{k-1}, n_k) and b_k (n_k,); optimisers update them in place.
    They are windows into one vector, ``params.vector``, and so are the gradients (see parameters.py).
    """

    def __init__(self, layer_sizes: list[int], activation: str = "sigmoid",
                 output_activation: str = "sigmoid", loss: str = "mse", init: str = "xavier",
                 seed: int | np.random.Generator | None = None):
        self.layer_sizes = check_layer_sizes(layer_sizes)
        check_choice("activation", activation, HIDDEN_ACTIVATIONS)
        check_choice("output_activation", output_activation, ACTIVATIONS)
        check_choice("loss", loss, losses.LOSSES)
        check_choice("init", init, INITS)
        check_combination(output_activation, loss, self.layer_sizes[-1])
        self.activation, self.output_activation = activation, output_activation
        self.loss_name, self.init = loss, init
        self.params = Parameters(init_params(self.layer_sizes, init, as_generator(seed)))
        self._grads = Parameters.zeros(self.params.layout)  # _loss_and_grads writes the gradients here
        self._names = [(f"W{k}", f"b{k}") for k in range(1, len(self.layer_sizes))]
        self._head = losses.HEADS[loss]
        self._work: dict[int, list] = {}  # batch size -> arrays reused by every training step (_work_arrays)

    def __repr__(self) -> str:
        return (f"MLP({self.layer_sizes}, activation={self.activation!r}, output_activation="
                f"{self.output_activation!r}, loss={self.loss_name!r}, init={self.init!r})")

    # --- checked public methods ------------------------------------------------------------------------
    def forward(self, X: np.ndarray) -> np.ndarray:
        """Outputs for X (N, n_0): (N, n_L); probabilities for sigmoid and softmax outputs."""
        return self.layer_outputs(X)[-1]

    def layer_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """The activations [A1, ..., AL] for X (N, n_0), each (N, n_k): what every neuron outputs."""
        with np.errstate(over="ignore"):  # the sigmoid's exp(-Z) may overflow to inf: 1 / (1 + inf) = 0
            Z, caches = self._logits(as_features(X, self.layer_sizes[0]))
        hidden = [cache[0] for cache in caches[1:]]
        return hidden + [ACTIVATIONS[self.output_activation][0](Z)]

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Loss (float) and its gradients {"W1": dW1, "b1": db1, ...} (shapes of params) on X (N, n_0), y."""
        with np.errstate(over="ignore"):  # as in layer_outputs
            loss, grads, _ = self._loss_and_grads(*self.check_data(X, y))
        return loss, Parameters(grads)  # a copy: the network reuses its own gradient arrays on the next call

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """The loss (float) on X (N, n_0) and targets y."""
        X, Y = self.check_data(X, y)
        with np.errstate(over="ignore"):  # as in layer_outputs
            return self._head(self._logits(X)[0], Y, self.output_activation, 1.0 / Y.size)[0]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Class labels (N,) int: output >= 0.5 for a single output unit, else the argmax over the outputs."""
        return self._labels(self.forward(X))

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction in [0, 1] of samples whose predicted label equals the label in y."""
        X, Y = self.check_data(X, y)
        return float(np.mean(self.predict(X) == self._labels(Y)))

    def check_data(self, X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
        """Validate X and y: returns X (N, n_0) and the targets as Y (N, n_L), float64 (labels one-hot)."""
        X = as_features(X, self.layer_sizes[0])
        return X, losses.check_targets(self.loss_name, y, self.layer_sizes[-1], X.shape[0])

    # --- the unchecked computation (train() validates once and then calls these) ------------------------
    # Callers hold np.errstate(over="ignore") around them, as the public methods above and train() do.
    def _labels(self, outputs: np.ndarray) -> np.ndarray:
        if outputs.shape[1] == 1:
            return (outputs[:, 0] >= 0.5).astype(np.int64)
        return outputs.argmax(axis=1)

    def _work_arrays(self, n_samples: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each hidden layer k: (A_k, dA_k), both (n_samples, n_k), reused from one step to the next.

        Fresh memory costs as much as the arithmetic for big batches. Mini-batch training meets at most
        two batch sizes (the last batch may be smaller), so only a few sets are kept. They are stored column
        by column (order="F"): adding the bias row and the products with a thin output layer then run along
        long contiguous columns, up to twice as fast for tall batches; the maths is the same.
        """
        work = self._work.get(n_samples)
        if work is None:
            if len(self._work) >= 3:
                self._work.clear()
            work = [(np.empty((n_samples, n), order="F"), np.empty((n_samples, n), order="F"))
                    for n in self.layer_sizes[1:-1]]
            self._work[n_samples] = work
        return work

    def _logits(self, X: np.ndarray, work: list | None = None) -> tuple[np.ndarray, list[tuple]]:
        """Forward pass up to the last layer's Z (N, n_L); returns Z and one cache per layer.

        ``work`` (from _work_arrays) receives the hidden layers' outputs instead of fresh arrays.
        """
        work = work or [(None, None)] * len(self._names)  # None: fresh arrays
        A, caches = X, []
        for k, (W_name, b_name) in enumerate(self._names[:-1]):
            Z, cache = dense_forward(A, self.params[W_name], self.params[b_name], out=work[k][0])
            A = activation_forward(Z, self.activation, out=Z)  # in place: only A_k is needed later
            caches.append(cache)
        W_name, b_name = self._names[-1]  # the output layer; the loss head applies its activation
        Z, cache = dense_forward(A, self.params[W_name], self.params[b_name])
        return Z, caches + [cache]

    def _loss_and_grads(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, dict, np.ndarray]:
        """Loss, gradients and outputs y_hat (N, n_L) for validated X (N, n_0) and Y (N, n_L).

        The gradients are the network's own arrays (self._grads), overwritten by the next call.
        """
        work, grads = self._work_arrays(X.shape[0]), self._grads
        Z, caches = self._logits(X, work)
        loss, dZ, y_hat = self._head(Z, Y, self.output_activation, 1.0 / Y.size)
        for k in range(len(caches) - 1, -1, -1):  # from the output layer back to the first
            W_name, b_name = self._names[k]
            dA_out = work[k - 1][1] if k else None  # dL/dA of the layer below: not needed for the input layer
            dA_prev, _, _ = dense_backward(dZ, caches[k], k > 0, out=(dA_out, grads[W_name], grads[b_name]))
            if k:  # A_{k} (caches[k][0]) was last needed for dW above, so the slope may overwrite it
                dZ = activation_backward(dA_prev, caches[k][0], self.activation, reuse_A=True)
        return loss, grads, y_hat
