"""Checks for notebook 02, the forward pass: ``forward``."""

from __future__ import annotations

import numpy as np

from ._compare import expect_array, expect_unchanged
from ._core import Book, Learner
from .nb01 import sigmoid_reference as sigmoid

book = Book("02_forward_pass")

XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def two_layer_params(D: int, H: int, C: int, seed: int) -> dict[str, np.ndarray]:
    """Random weights and non-zero biases for a D-H-C network: W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(D, H)), "b1": rng.normal(size=H),
            "W2": rng.normal(size=(H, C)), "b2": rng.normal(size=C)}


def forward_cases() -> list[tuple[str, np.ndarray, dict[str, np.ndarray]]]:
    """(label, X, params): XOR with 2-4-1, and other batch sizes, input sizes and several outputs."""
    rng = np.random.default_rng(202)
    return [("the 4 XOR points, a 2-4-1 network", XOR, two_layer_params(2, 4, 1, seed=7)),
            ("7 samples, a 3-5-2 network", rng.normal(size=(7, 3)), two_layer_params(3, 5, 2, seed=8)),
            ("1 sample, a 2-3-1 network", rng.normal(size=(1, 2)), two_layer_params(2, 3, 1, seed=9))]


@book.exercise(1, "forward")
def forward(learner: Learner) -> str:
    f = learner.function("forward")
    for label, X, params in forward_cases():
        W1, b1, W2, b2 = (params[name] for name in ["W1", "b1", "W2", "b2"])
        X_given, params_given = X.copy(), {name: value.copy() for name, value in params.items()}
        got = f(X_given, params_given)
        expect_unchanged(X, X_given, "X")
        expect_unchanged(params, params_given, "params")
        expect_array(got, sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2), f"forward on {label}",
                     hint="follow the shapes: (N, D) @ (D, H) + (H,) gives (N, H); the same pattern again "
                          "gives (N, C); each layer ends with its activation",
                     mistakes={"the first layer's bias is missing": sigmoid(sigmoid(X @ W1) @ W2 + b2),
                               "the output layer's bias is missing": sigmoid(sigmoid(X @ W1 + b1) @ W2),
                               "the output layer needs its activation too: y_hat is a probability":
                               sigmoid(X @ W1 + b1) @ W2 + b2,
                               "the bias is part of the pre-activation: add it before the sigmoid":
                               sigmoid((sigmoid(X @ W1) + b1) @ W2 + b2),
                               "the hidden layer needs its activation: A1 = σ(Z1) feeds the next layer":
                               sigmoid((X @ W1 + b1) @ W2 + b2)})
    return ("correct for N = 4, 7 and 1 samples, D = 2 and 3 inputs, H = 3 to 5 hidden units and C = 1 and "
            "2 outputs")
