"""Checks for notebook 08, making it fast: ``forward_into``, ``fused_output_gradient``, ``to_float32``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._compare import describe_value, expect_array, expect_unchanged, shape
from ._core import Book, Fail, Learner
from .nb01 import sigmoid_reference as sigmoid
from .nb02 import XOR

book = Book("08_making_it_fast")

FLOAT32_RTOL, FLOAT32_ATOL = 1e-5, 1e-6   # float32 keeps about 7 digits: accept its rounding
IN_THE_BUFFER = ("write into the buffer itself: np.matmul(..., out={name}) and in-place operators "
                 "({name} += …) change the array you were given; {name} = … (even {name} = {name} + …) makes "
                 "a new array and only moves the name")


def network(D: int, H: int, seed: int, dtype: type) -> dict[str, np.ndarray]:
    """Weights and non-zero biases of a D-H-1 network: W1 (D, H), b1 (H,), W2 (H, 1), b2 (1,)."""
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(size=(D, H)), "b1": rng.normal(size=H),
              "W2": rng.normal(size=(H, 1)), "b2": rng.normal(size=1)}
    return {name: value.astype(dtype) for name, value in params.items()}


def forward_cases() -> list[tuple[str, np.ndarray, np.ndarray, dict, type]]:
    """(label, X, another X of the same shape, params, dtype)."""
    rng = np.random.default_rng(808)
    cases = [("the 4 XOR points, 4 hidden units", XOR, rng.normal(size=(4, 2)), network(2, 4, 1, np.float64),
              np.float64)]
    for N, D, H, dtype in [(7, 3, 5, np.float64), (1, 2, 3, np.float64), (64, 2, 16, np.float32)]:
        label = f"{N} sample{'s' if N > 1 else ''}, {D} inputs, {H} hidden units, {np.dtype(dtype).name}"
        X, X_other = (rng.normal(size=(N, D)).astype(dtype) for _ in range(2))
        cases.append((label, X, X_other, network(D, H, N, dtype), dtype))
    return cases


def reference_forward(X: np.ndarray, params: dict) -> tuple[np.ndarray, np.ndarray]:
    X, params = X.astype(float), {name: value.astype(float) for name, value in params.items()}
    A1 = sigmoid(X @ params["W1"] + params["b1"])
    return A1, sigmoid(A1 @ params["W2"] + params["b2"])


def two_arrays(got: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(got, tuple | list) or len(got) != 2:
        raise Fail(f"{what} returned {describe_value(got)}, not the pair (A1, y_hat)",
                   "return both buffers, A1 first: return A1, y_hat")
    return got[0], got[1]


@book.exercise(1, "forward_into")
def forward_into(learner: Learner) -> str:
    f = learner.function("forward_into")
    for label, X, X_other, params, dtype in forward_cases():
        N, H = X.shape[0], params["W1"].shape[1]
        tolerance = {"rtol": FLOAT32_RTOL, "atol": FLOAT32_ATOL} if dtype == np.float32 else {}
        buffers = {"A1": np.full((N, H), 7.0, dtype), "y_hat": np.full((N, 1), 7.0, dtype)}
        A1_buffer, y_hat_buffer = buffers["A1"], buffers["y_hat"]
        saved = {name: value.copy() for name, value in params.items()}
        for call, inputs in [("first call", X), ("second call, same buffers, new X", X_other)]:
            X_given = inputs.copy()
            what = f"forward_into ({label}, {call})"
            A1, y_hat = two_arrays(f(X_given, params, buffers), what)
            W1, b1, W2, b2 = (saved[name].astype(float) for name in ["W1", "b1", "W2", "b2"])
            X64 = inputs.astype(float)
            expected_A1, expected_y_hat = reference_forward(inputs, saved)
            expect_array(A1, expected_A1, f"{what}: A1", exact_type=False, **tolerance,
                         hint="A1 = sigmoid(X @ W1 + b1): overwrite the whole buffer (out=), add the bias, "
                              "then apply the sigmoid; the buffer's old contents must not matter",
                         mistakes={"the first layer's bias is missing": sigmoid(X64 @ W1),
                                   "the bias belongs inside the sigmoid: add it to Z1 first":
                                   sigmoid(X64 @ W1) + b1,
                                   "the buffer's old contents were added in: out= overwrites, += accumulates":
                                   sigmoid(7.0 + X64 @ W1 + b1)})
            expect_array(y_hat, expected_y_hat, f"{what}: y_hat", exact_type=False, **tolerance,
                         hint="y_hat = sigmoid(A1 @ W2 + b2), from the A1 you just computed",
                         mistakes={"the output layer's bias is missing": sigmoid(expected_A1 @ W2),
                                   "the output needs its sigmoid too": expected_A1 @ W2 + b2})
            for name, got, buffer in [("A1", A1, A1_buffer), ("y_hat", y_hat, y_hat_buffer)]:
                if got is not buffer:
                    raise Fail(f"{what}: the returned {name} is a new array, not buffers['{name}']",
                               IN_THE_BUFFER.format(name=name))
            expect_unchanged(inputs, X_given, f"X ({label})",
                             "X is read, never written: compute in the buffers")
            expect_unchanged(saved, params, f"params ({label})", "the parameters are read, never written")
    return ("the right A1 and y_hat, written into the very buffers, twice in a row, for 1 to 64 samples, "
            "2 and 3 inputs, 3 to 16 hidden units, float64 and float32")


def gradient_cases() -> list[tuple[str, np.ndarray, np.ndarray, dict]]:
    """(label, y_hat (N, 1), y (N, 1) or (N,), tolerance)."""
    rng = np.random.default_rng(818)
    exact = {}   # float64: the default tolerances

    def labels(N: int) -> np.ndarray:
        return rng.integers(0, 2, size=N).astype(float)
    return [("the 4 XOR points, y of shape (4, 1)", rng.uniform(0.05, 0.95, (4, 1)), labels(4)[:, None],
             exact),
            ("7 samples, y of shape (7,)", rng.uniform(0.05, 0.95, (7, 1)), labels(7), exact),
            ("1 sample, y of shape (1, 1)", np.array([[0.25]]), np.array([[1.0]]), exact),
            ("5 samples with y_hat exactly 0 or 1, y of shape (5,)",
             np.array([[1.0], [0.0], [1.0], [0.0], [0.5]]), np.array([1.0, 0.0, 0.0, 1.0, 1.0]), exact),
            ("3 samples in float32, y of shape (3, 1)", rng.uniform(0.05, 0.95, (3, 1)).astype(np.float32),
             labels(3)[:, None].astype(np.float32), {"rtol": FLOAT32_RTOL, "atol": FLOAT32_ATOL})]


@book.exercise(2, "fused_output_gradient")
def fused_output_gradient(learner: Learner) -> str:
    f = learner.function("fused_output_gradient")
    for label, y_hat, y, tolerance in gradient_cases():
        N = y_hat.shape[0]
        y_hat_given, y_given = y_hat.copy(), y.copy()
        y_column = y.reshape(N, 1).astype(float)
        got = f(y_hat_given, y_given)
        what = f"fused_output_gradient ({label})"
        if isinstance(got, np.ndarray) and got.shape != (N, 1) and got.size == N * N and N > 1:
            raise Fail(f"{what} has shape {shape(got.shape)}, expected {shape((N, 1))}",
                       f"here y came with shape {shape(y.shape)} and y_hat with {shape(y_hat.shape)}; "
                       "broadcasting made a bigger array: reshape y to exactly the shape of y_hat first")
        expect_array(got, (y_hat - y_column) / N, what, exact_type=False, **tolerance,
                     hint="dZ2 = (y_hat − y) / N: the sigmoid's derivative cancels against the BCE's, so "
                          "neither appears; N is the number of samples in this batch",
                     mistakes={"the loss is a mean over the batch: divide by N": y_hat - y_column,
                               "the sigmoid's derivative cancels: no y_hat·(1 − y_hat) factor":
                               (y_hat - y_column) * y_hat * (1 - y_hat) / N,
                               "divide by the N of the arrays you are given, not by the 4 of XOR":
                               (y_hat - y_column) / 4})
        expect_unchanged(y_hat, y_hat_given, f"y_hat ({label})",
                         "y_hat -= y changes the caller's predictions: compute a new array")
        expect_unchanged(y, y_given, f"y ({label})", "the labels are read, never written")
    return ("(y_hat − y) / N for 1 to 7 samples, labels as (N, 1) and (N,), predictions of exactly 0 and 1, "
            "float64 and float32")


def float_cases() -> list[tuple[str, dict[str, np.ndarray]]]:
    rng = np.random.default_rng(828)
    two = network(2, 4, 3, np.float64)
    three = {"W1": rng.normal(size=(3, 5)), "b1": rng.normal(size=5), "W2": rng.normal(size=(5, 2)),
             "b2": rng.normal(size=2), "W3": rng.normal(size=(2, 1)), "b3": rng.normal(size=1)}
    extreme = {"W": np.array([[1e30, -1e-30], [3.0e38, 0.1]]), "b": np.array([-7.25, 1.0 / 3.0])}
    return [("a 2-4-1 network (W1, b1, W2, b2)", two), ("a 3-5-2-1 network (W1 … b3)", three),
            ("weights of 1e30, 1e-30 and 3e38 (keys W, b)", extreme)]


@book.exercise(3, "to_float32")
def to_float32(learner: Learner) -> str:
    f = learner.function("to_float32")
    for label, params in float_cases():
        given = dict(params)
        arrays = {name: value for name, value in given.items()}     # the caller's array objects
        saved = {name: value.copy() for name, value in params.items()}
        got = f(given)
        what = f"to_float32 ({label})"
        if not isinstance(got, dict):
            raise Fail(f"{what} returned {describe_value(got)}, not a dict",
                       "return a new dict with the same keys: {name: ... for name, value in params.items()}")
        if got is given:
            raise Fail(f"{what} returned the dict it was given",
                       "build a new dict: the caller keeps its float64 parameters (e.g. for a gradient "
                       "check)")
        changed = [name for name in arrays if given.get(name) is not arrays[name]]
        if changed or set(given) != set(arrays):
            name = changed[0] if changed else sorted(set(given) ^ set(arrays))[0]
            raise Fail(f"{what} changed the caller's dict: params['{name}'] was replaced",
                       "leave params as it is and put the converted arrays into a new dict")
        expect_unchanged(saved, given, f"params ({label})")
        if set(got) != set(params):
            raise Fail(f"{what} returned the keys {sorted(got)}, expected {sorted(params)}",
                       "convert every array in params, whatever its name: loop over params.items()")
        for name, value in params.items():
            array = got[name]
            if not isinstance(array, np.ndarray):
                raise Fail(f"{what}['{name}'] is {describe_value(array)}, not a NumPy array",
                           "value.astype(np.float32) gives a new float32 array of the same shape")
            if array.dtype != np.float32:
                raise Fail(f"{what}['{name}'] has dtype {array.dtype}, expected float32",
                           "float32 is 4 bytes per number (np.float32); float16 loses too many digits, "
                           "float64 saves nothing")
            if array.shape != value.shape:
                raise Fail(f"{what}['{name}'] has shape {shape(array.shape)}, expected {shape(value.shape)}",
                           "convert the numbers, not the bytes: a view reinterprets 8-byte floats as pairs "
                           "of 4-byte ones")
            expect_array(array, value.astype(np.float32), f"{what}['{name}']", exact_type=False,
                         rtol=1e-6, atol=0.0, hint="each number rounded to the nearest float32, nothing else")
    return "new float32 dicts for 2 and 3 layers, any key names, huge and tiny values; the input untouched"
