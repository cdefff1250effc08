"""Checks for notebook 03, loss and backpropagation: ``mse``, ``bce``, ``backward``, ``numeric_gradient``."""

from __future__ import annotations

import numpy as np

from ._compare import as_number, distinct, expect_array, expect_number, expect_unchanged
from ._core import Book, Fail, Learner
from .nb01 import sigmoid_reference as sigmoid
from .nb02 import two_layer_params

book = Book("03_loss_and_backpropagation")


def loss_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(label, y_hat, y): one output column, several columns, one sample; probabilities and 0/1 targets."""
    rng = np.random.default_rng(303)
    cases = [("5 samples, 1 output", np.array([[0.9], [0.2], [0.6], [0.4], [0.7]]),
              np.array([[1.0], [0.0], [1.0], [0.0], [0.0]]))]
    for N, C in [(4, 3), (1, 1), (6, 2)]:
        cases.append((f"{N} sample{'s' if N > 1 else ''}, {C} output{'s' if C > 1 else ''}",
                      rng.uniform(0.02, 0.98, size=(N, C)), rng.integers(0, 2, size=(N, C)).astype(float)))
    # Confident predictions, right and wrong: a clip of ŷ to [0.01, 0.99] shows here.
    cases.append(("4 samples, ŷ of 0.999 and 0.001", np.array([[0.999], [0.001], [0.999], [0.001]]),
                  np.array([[1.0], [0.0], [0.0], [1.0]])))
    return cases


def call_unchanged(f, y_hat: np.ndarray, y: np.ndarray):
    """f(y_hat, y) on copies; Fail if it changed either (the caller still needs its predictions)."""
    y_hat_given, y_given = y_hat.copy(), y.copy()
    result = f(y_hat_given, y_given)
    expect_unchanged(y_hat, y_hat_given, "y_hat")
    expect_unchanged(y, y_given, "y")
    return result


@book.exercise(1, "mse")
def mse(learner: Learner) -> str:
    f = learner.function("mse")
    for label, y_hat, y in loss_cases():
        N, C = y.shape
        errors = y_hat - y
        expect_number(call_unchanged(f, y_hat, y), float(np.mean(errors ** 2)), f"mse on {label}",
                      hint="the mean squared error averages the squared errors over every entry: N·C of them",
                      mistakes={"square each error before averaging": np.mean(errors),
                                "that is the mean absolute error; MSE squares the errors":
                                np.mean(np.abs(errors)),
                                "no square root: that would be the root-mean-square error":
                                np.sqrt(np.mean(errors ** 2)),
                                f"average over all N·C = {N * C} entries, not a sum":
                                np.sum(errors ** 2),
                                f"average over all N·C = {N * C} entries: you divided by N = {N} only":
                                np.sum(errors ** 2) / N,
                                "PyTorch's mean has no ½ in front": 0.5 * np.mean(errors ** 2)})
    return "correct for one and several outputs and for one or more samples"


# An epsilon against log(0), log(ŷ + ε) with ε up to 1e-6, or a clip of ŷ to [1e-7, 1 − 1e-7] (Keras's),
# changes the loss at ŷ = 0.001 by less than 0.1 %: a right answer. A clip to [0.01, 0.99] changes it by a
# third.
BCE_RTOL = 1e-3
NEAR_MISS = 0.05
SMOOTHING_HINT = ("your loss is close to the exact one but not equal where ŷ is near 0 or 1: an epsilon "
                  "added inside the log, or a clip of ŷ, changes it there (keep ε at most 1e-6, or leave it "
                  "out)")


@book.exercise(2, "bce")
def bce(learner: Learner) -> str:
    f = learner.function("bce")
    for label, y_hat, y in loss_cases():
        N, C = y.shape
        terms = y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)
        got = call_unchanged(f, y_hat, y)
        expected = float(-np.mean(terms))
        value = as_number(got, f"bce on {label}")
        if np.isfinite(value) and BCE_RTOL < abs(value - expected) / expected < NEAR_MISS:
            shown, wanted = distinct(value, expected)
            raise Fail(f"bce on {label} is {shown}, expected {wanted}", SMOOTHING_HINT)
        expect_number(got, expected, f"bce on {label}", rtol=BCE_RTOL,
                      hint="−mean over every entry of y·log(ŷ) + (1 − y)·log(1 − ŷ); np.log is the "
                           "natural log",
                      mistakes={"a cross-entropy is positive: mind the minus in front": np.mean(terms),
                                "both terms are needed: the samples with y = 0 contribute log(1 − ŷ)":
                                -np.mean(y * np.log(y_hat)),
                                "use the natural logarithm, np.log": -np.mean(terms) / np.log(10),
                                f"average over all N·C = {N * C} entries, not a sum": -np.sum(terms),
                                f"average over all N·C = {N * C} entries: you divided by N = {N} only":
                                -np.sum(terms) / N,
                                "the second term is log(1 − ŷ): the probability given to class 0":
                                -np.mean(y * np.log(y_hat) + (1 - y) * np.log(y_hat)),
                                "y and ŷ are swapped: the log is taken of the network's probabilities":
                                -np.mean(y_hat * np.log(np.clip(y, 1e-300, None))
                                         + (1 - y_hat) * np.log(np.clip(1 - y, 1e-300, None)))})
    return "correct for one and several outputs, for one or more samples and for ŷ near 0 and 1"


def forward_with_cache(X: np.ndarray, params: dict) -> tuple[np.ndarray, dict]:
    """The notebook's forward pass of the 2-H-1 network, with its cache {"Z1", "A1", "Z2", "y_hat"}."""
    Z1 = X @ params["W1"] + params["b1"]
    A1 = sigmoid(Z1)
    Z2 = A1 @ params["W2"] + params["b2"]
    y_hat = sigmoid(Z2)
    return y_hat, {"Z1": Z1, "A1": A1, "Z2": Z2, "y_hat": y_hat}


def gradients(X, y, params, cache, output_slope=True, hidden_slope=None, bias=np.sum, scale=1.0) -> dict:
    """The MSE gradients of the 2-H-1 sigmoid network, and (through the options) what typical slips give."""
    N, A1, y_hat = len(X), cache["A1"], cache["y_hat"]
    dZ2 = scale * (2 / N) * (y_hat - y) * (y_hat * (1 - y_hat) if output_slope else 1.0)
    slope = A1 * (1 - A1) if hidden_slope is None else hidden_slope
    dZ1 = (dZ2 @ params["W2"].T) * slope
    return {"W1": X.T @ dZ1, "b1": bias(dZ1, axis=0), "W2": A1.T @ dZ2, "b2": bias(dZ2, axis=0)}


def backward_cases() -> list[tuple[str, np.ndarray, np.ndarray, dict]]:
    rng = np.random.default_rng(313)
    cases = []
    for N, seed in [(6, 1), (9, 2), (1, 3)]:
        X = rng.normal(size=(N, 2))
        y = rng.integers(0, 2, size=(N, 1)).astype(float)
        cases.append((f"{N} sample{'s' if N > 1 else ''}", X, y, two_layer_params(2, 4, 1, seed)))
    return cases


@book.exercise(3, "backward")
def backward(learner: Learner) -> str:
    f = learner.function("backward")
    for label, X, y, params in backward_cases():
        cache = forward_with_cache(X, params)[1]
        params_given = {name: value.copy() for name, value in params.items()}
        cache_given = {name: value.copy() for name, value in cache.items()}
        got = f(X.copy(), y.copy(), params_given, cache_given)
        expect_unchanged({**params, **cache}, {**params_given, **cache_given}, "params and cache",
                         "compute new arrays: the network still needs its parameters and the cache")
        if not isinstance(got, dict) or set(got) != set(params):
            keys = sorted(got) if isinstance(got, dict) else None
            raise Fail(f"backward returned {keys if keys is not None else type(got).__name__}, expected a "
                       f"dict "
                       "with the keys W1, b1, W2, b2",
                       "one gradient per parameter, under the parameter's name")
        expected = gradients(X, y, params, cache)
        A1, Z1 = cache["A1"], cache["Z1"]
        slips = {"σ'(Z1) is A1 · (1 − A1); applying σ' to A1 computes σ'(σ(Z1))":
                 gradients(X, y, params, cache, hidden_slope=sigmoid(A1) * (1 - sigmoid(A1))),
                 "the a · (1 − a) form of σ' takes the activation A1, not the pre-activation Z1":
                 gradients(X, y, params, cache, hidden_slope=Z1 * (1 - Z1)),
                 "dZ2 must also cross the output sigmoid: multiply by its slope σ'(Z2)":
                 gradients(X, y, params, cache, output_slope=False),
                 "dZ1 must cross the hidden sigmoid: dA1 times its slope":
                 gradients(X, y, params, cache, hidden_slope=1.0),
                 "a bias is added to every sample, so its gradient sums dZ over the samples (axis 0)":
                 gradients(X, y, params, cache, bias=np.mean),
                 "this is the ½-and-sum convention (N/2 times larger); here the loss is the mean":
                 gradients(X, y, params, cache, scale=len(X) / 2)}
        for name in ["W2", "b2", "W1", "b1"]:
            expect_array(got[name], expected[name], f"backward on {label}: grads['{name}']",
                         mistakes={hint: wrong[name] for hint, wrong in slips.items()},
                         hint="follow the chain from the loss back to this parameter, one factor per step")
    return "all four gradients correct for 6, 9 and 1 samples"


def cubic_sum(x: np.ndarray) -> float:
    """f(x) = Σ x³: the centred difference gives exactly 3x² + h² (so the step h shows in the result)."""
    return float(np.sum(np.asarray(x, dtype=float) ** 3))


def wavy(x: np.ndarray) -> float:
    """f(x) = Σ sin(x) + ½ (Σ x)²: every entry's gradient depends on all the others."""
    x = np.asarray(x, dtype=float)
    return float(np.sum(np.sin(x)) + 0.5 * np.sum(x) ** 2)


def centred(f, x: np.ndarray, h: float) -> np.ndarray:
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


def forward_difference(f, x: np.ndarray, h: float) -> np.ndarray:
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x)) / h
    return grad


@book.exercise(4, "numeric_gradient")
def numeric_gradient(learner: Learner) -> str:
    f = learner.function("numeric_gradient")
    cases = [("f = Σ sin(x) + ½(Σx)², x of shape (2, 3), h = 1e-3", wavy,
              np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5]]), 1e-3),
             ("f = Σ x³, x of shape (4,), h = 0.1", cubic_sum, np.array([1.0, -2.0, 0.5, 3.0]), 0.1),
             ("f = Σ x³, x of shape (3, 1, 2), h = 0.25", cubic_sum,
              np.linspace(-1, 1, 6).reshape(3, 1, 2), 0.25),
             ("f = Σ sin(x) + ½(Σx)², x a transposed (3, 2) array, h = 1e-3", wavy,   # not C-contiguous
              np.asfortranarray(np.array([[0.3, 1.2, -0.7], [2.0, -1.5, 0.1]])), 1e-3)]
    for label, function, x, h in cases:
        x_given = np.array(x, order="K")           # a copy with the same memory layout
        got = f(function, x_given, h)
        expect_unchanged(x, x_given, f"x (after numeric_gradient with {label})",
                         "put every entry back to its saved value after evaluating f: the caller's x must "
                         "be unchanged when you return")
        expected = centred(function, x, h)
        expect_array(got, expected, f"numeric_gradient with {label}", rtol=1e-6, atol=1e-8,
                     hint="for each entry: f at x + h and at x − h (that entry only), difference over 2h",
                     mistakes={"use the centred difference (f(x + h) − f(x − h)) / 2h, "
                               "not (f(x + h) − f(x)) / h":
                               forward_difference(function, x, h),
                               "the two points x + h and x − h are 2h apart":
                               2 * expected,
                               "both evaluations saw the same array: an assignment like x_plus = x does not "
                               "copy": forward_difference(function, x, h) / 2,
                               "use the step h you are given": centred(function, x, 1e-5),
                               "the entries you changed were not x's own: reshape or ravel can return a "
                               "copy, and then f never sees the change": np.zeros_like(x)})
    default = f(cubic_sum, np.array([2.0, -1.0]))
    expect_array(default, [12.0, 3.0], "numeric_gradient(f, x) with the default h", rtol=1e-5, atol=1e-6,
                 hint="h has a default value: numeric_gradient(f, x) must work without it")
    return "centred differences correct for x of 1, 2 and 3 dimensions and for several h; x left unchanged"
