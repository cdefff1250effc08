"""Checks for notebook 04, training on XOR: ``sgd_step``, ``training_loop``."""

from __future__ import annotations

import numpy as np

from ._compare import as_number, expect_array, expect_unchanged
from ._core import Book, Fail, Learner
from .nb02 import XOR, two_layer_params
from .nb03 import forward_with_cache, gradients

book = Book("04_training_on_xor")

IN_PLACE = ("update the arrays themselves (an in-place operator such as -=): the network and the optimiser "
            "hold these very arrays, and a new array in the dict is never seen by them")


def step_cases() -> list[tuple[str, dict, dict, float]]:
    rng = np.random.default_rng(404)
    names_2 = ["W1", "b1", "W2", "b2"]
    names_3 = names_2 + ["W3", "b3"]
    cases = []
    for label, names, lr in [("2 layers, lr = 0.5", names_2, 0.5), ("3 layers, lr = 0.01", names_3, 0.01)]:
        shapes = {"W1": (2, 3), "b1": (3,), "W2": (3, 2), "b2": (2,), "W3": (2, 1), "b3": (1,)}
        params = {name: rng.normal(size=shapes[name]) for name in names}
        grads = {name: rng.normal(size=shapes[name]) for name in names}
        cases.append((label, params, grads, lr))
    return cases


@book.exercise(1, "sgd_step")
def sgd_step(learner: Learner) -> str:
    f = learner.function("sgd_step")
    for label, params, grads, lr in step_cases():
        before = {name: value.copy() for name, value in params.items()}
        grads_before = {name: value.copy() for name, value in grads.items()}
        arrays = dict(params)                          # the original array objects
        f(params, grads, lr)
        expect_unchanged(grads_before, grads, "grads", "the gradients are read, not changed")
        for name in before:
            got = arrays[name] if params.get(name) is arrays[name] else params.get(name)
            expect_array(got, before[name] - lr * grads[name], f"sgd_step ({label}): params['{name}']",
                         hint="every parameter moves against its own gradient, by lr times that gradient",
                         mistakes={"step against the gradient: the loss goes down in the direction of −grad":
                                   before[name] + lr * grads[name],
                                   "the step is the gradient times the learning rate lr":
                                   before[name] - grads[name],
                                   f"params['{name}'] did not change: update every array in params, "
                                   "in place": before[name]})
        rebound = [name for name in arrays if params[name] is not arrays[name]]
        if rebound:
            raise Fail(f"sgd_step put a new array into params['{rebound[0]}'] instead of updating the old",
                       IN_PLACE)
    return "every array updated in place, for 2 and 3 layers and two learning rates; grads untouched"


def reference_loop(X, y, params, lr, num_epochs, halve_on_rise=False) -> list[float]:
    """Full-batch gradient descent on the 2-H-1 sigmoid network with the MSE loss, in place.

    ``halve_on_rise``: the slip of halving lr whenever the loss rises (the exercise keeps lr fixed)."""
    losses = []
    for _ in range(num_epochs):
        y_hat, cache = forward_with_cache(X, params)
        losses.append(float(np.mean((y_hat - y) ** 2)))
        if halve_on_rise and len(losses) > 1 and losses[-1] > losses[-2]:
            lr = lr / 2
        grads = gradients(X, y, params, cache)
        for name in params:
            params[name] -= lr * grads[name]
    return losses


def loop_cases() -> list[tuple[str, np.ndarray, np.ndarray, dict, float, int]]:
    y_xor = np.array([[0.0], [1.0], [1.0], [0.0]])
    rng = np.random.default_rng(414)
    X6 = rng.normal(size=(6, 2))
    y6 = rng.integers(0, 2, size=(6, 1)).astype(float)
    return [("XOR, 4 hidden units, lr = 2.0, 25 epochs", XOR, y_xor, two_layer_params(2, 4, 1, 5), 2.0, 25),
            ("6 samples, 3 hidden units, lr = 0.5, 7 epochs", X6, y6, two_layer_params(2, 3, 1, 6), 0.5, 7),
            ("XOR, 4 hidden units, lr = 1.0, 1 epoch", XOR, y_xor, two_layer_params(2, 4, 1, 7), 1.0, 1),
            # A step so large that the loss rises 33 times in the first 63 epochs, then falls below 1e-3 at
            # epoch 362: a loop that stops early or changes lr shows (and rounding does not grow here).
            ("XOR, 4 hidden units, lr = 10.0, 400 epochs", XOR, y_xor, two_layer_params(2, 4, 1, 5), 10.0,
             400)]


@book.exercise(2, "training_loop")
def training_loop(learner: Learner) -> str:
    f = learner.function("training_loop")
    for label, X, y, params, lr, num_epochs in loop_cases():
        expected_params = {name: value.copy() for name, value in params.items()}
        params_before = {name: value.copy() for name, value in params.items()}
        expected = reference_loop(X, y, expected_params, lr, num_epochs)
        arrays = dict(params)
        got = f(X.copy(), y.copy(), params, lr, num_epochs)
        sequence = isinstance(got, list | tuple) or (isinstance(got, np.ndarray) and got.ndim == 1)
        if not sequence or len(got) != num_epochs:
            what = f"{len(got)} values" if sequence else type(got).__name__
            raise Fail(f"training_loop ({label}) returned {what}, expected a list of {num_epochs} losses",
                       "run exactly num_epochs epochs (no stopping early, even when the loss rises or gets "
                       "small), record one loss per epoch in a list, and return the list after the loop")
        losses = [as_number(value, f"training_loop ({label}): loss {k + 1}") for k, value in enumerate(got)]
        after_step = expected[1:] + [reference_loop(X, y, {n: v.copy() for n, v in expected_params.items()},
                                                    lr, 1)[0]]
        expect_array(losses, expected, f"training_loop ({label}): the recorded losses", exact_type=False,
                     hint="each epoch: forward pass, loss of the current weights, fresh gradients, update",
                     mistakes={"record the loss before the update: the loss of the weights the gradients "
                               "belong to": after_step,
                               "record the mean squared error, the mean over the samples":
                               [len(X) * loss for loss in expected],
                               "keep the learning rate you are given for every epoch: with a large step the "
                               "loss may rise for a while, and that is part of what the loop shows":
                               reference_loop(X, y, {n: v.copy() for n, v in params_before.items()}, lr,
                                              num_epochs, halve_on_rise=True)})
        for name in params:
            got_array = arrays[name] if params[name] is arrays[name] else params[name]
            what = f"training_loop ({label}): params['{name}'] after training"
            expect_array(got_array, expected_params[name], what,
                         hint="every epoch must update every parameter, with fresh gradients")
        if any(params[name] is not arrays[name] for name in arrays):
            raise Fail(f"training_loop ({label}) put new arrays into params instead of updating them",
                       IN_PLACE)
    return ("losses and final weights correct for 1 to 400 epochs, 3 and 4 hidden units and four learning "
            "rates, one so large that the loss rises at times")
