"""Checks for notebook 01, neurons and initialisation: sigmoid, sigmoid_derivative, init_xavier."""

from __future__ import annotations

import numpy as np

from ._compare import as_array, expect_array, expect_number, expect_unchanged, number, shape
from ._core import Book, Fail, Learner

book = Book("01_neurons_and_initialisation")


def sigmoid_reference(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))   # σ(z), without overflow


def elementwise_inputs() -> dict[str, np.ndarray]:
    """The inputs an elementwise function of z must handle: 1-D, 2-D (a batch of layers' outputs), 3-D, and
    integers (the result is still a float array: an output made with np.zeros_like(z) would truncate it).

    |z| stays within 30: the exercise asks for the formula, not for overflow safety (the notebook says that
    nnlib's sigmoid is the one that takes care of it), so e^z / (1 + e^z), which overflows to nan beyond
    z ≈ 709, is a right answer here.
    """
    rng = np.random.default_rng(101)
    return {"z = [-3, -1, 0, 0.5, 2]": np.array([-3.0, -1.0, 0.0, 0.5, 2.0]),
            "z of shape (3, 4)": rng.normal(0, 3, size=(3, 4)),
            "z of shape (2, 1, 3)": rng.normal(0, 3, size=(2, 1, 3)),
            "z from -30 to 30": np.linspace(-30, 30, 7),
            "the integers z = [-2, 0, 3]": np.array([-2, 0, 3])}


def truncated(z: np.ndarray, expected: np.ndarray) -> dict[str, np.ndarray]:
    """The known mistake of an integer z: the result stored in an array of z's integer type."""
    if z.dtype.kind not in "iu":
        return {}
    return {"the input holds integers, the result fractions: an output array made like the input "
            "(np.zeros_like(z), z.copy()) keeps its integer type and cuts the values off": np.trunc(expected)}


@book.exercise(1, "sigmoid")
def sigmoid(learner: Learner) -> str:
    f = learner.function("sigmoid")
    for label, z in elementwise_inputs().items():
        z_given = z.copy()
        got = f(z_given)
        expect_unchanged(z, z_given, "the input z")
        expect_array(got, sigmoid_reference(z), f"sigmoid({label})",
                     hint="σ(z) = 1 / (1 + e^(−z)): which part of that did your code compute differently?",
                     mistakes={**truncated(z, sigmoid_reference(z)),
                               "check the sign of the exponent: σ(0) = 0.5, and σ grows with z":
                               sigmoid_reference(-z),
                               "mind the brackets: 1 / 1 + e^(−z) is (1 / 1) + e^(−z)": 1 + np.exp(-z),
                               "the sigmoid's values lie in (0, 1); tanh's lie in (−1, 1)": np.tanh(z)})
    expect_number(f(0.7), float(sigmoid_reference(0.7)), "sigmoid(0.7)",
                  hint="a single number must work too: np.exp accepts numbers as well as arrays")
    return "correct for 1-D, 2-D and 3-D arrays, for z from −30 to 30, for integers and for a single number"


@book.exercise(2, "sigmoid_derivative")
def sigmoid_derivative(learner: Learner) -> str:
    f = learner.function("sigmoid_derivative")
    for label, z in elementwise_inputs().items():
        z_given, a = z.copy(), sigmoid_reference(z)
        got = f(z_given)
        expect_unchanged(z, z_given, "the input z")
        expect_array(got, a * (1 - a), f"sigmoid_derivative({label})",
                     hint="the slope of σ at z is σ(z) · (1 − σ(z)): compare each factor with yours",
                     mistakes={**truncated(z, a * (1 - a)),
                               "this function receives the pre-activation z, not the activation a = σ(z)":
                               z * (1 - z),
                               "σ was applied twice: the formula a · (1 − a) needs a = σ(z) once":
                               sigmoid_reference(a) * (1 - sigmoid_reference(a)),
                               "1 − a² is tanh's derivative, not the sigmoid's": 1 - a ** 2,
                               "only half of the product: the slope also has the factor (1 − σ(z))": a,
                               "check the sign inside the product": a * (1 + a)})
    return "correct for 1-D, 2-D and 3-D arrays, for z from −30 to 30 and for integers"


XAVIER_SHAPES = [(3, 5), (64, 10), (1, 1)]


def xavier_limit(n_in: int, n_out: int) -> float:
    return float(np.sqrt(6.0 / (n_in + n_out)))


@book.exercise(3, "init_xavier")
def init_xavier(learner: Learner) -> str:
    f = learner.function("init_xavier")
    for n_in, n_out in XAVIER_SHAPES:
        W = draw(f, n_in, n_out, seed=7)
        if W.shape != (n_in, n_out):
            raise Fail(f"init_xavier({n_in}, {n_out}, rng) has shape {shape(W.shape)}, expected "
                       f"{shape((n_in, n_out))}", "W has one row per input and one column per neuron")
    check_rng_is_used(f)
    check_rng_moves_on(f)
    check_distribution(f, 200, 300)
    check_distribution(f, 784, 16)
    check_small_fans(f)
    return ("shapes right, the same generator state gives the same weights and another gives others, the "
            "generator moves on (two calls, two draws), and 200×300 and 784×16 draws look like U[−ℓ, ℓ] "
            "with ℓ = sqrt(6 / (n_in + n_out))")


def draw(f, n_in: int, n_out: int, seed: int) -> np.ndarray:
    what = f"init_xavier({n_in}, {n_out}, rng)"
    W = as_array(f(n_in, n_out, np.random.default_rng(seed)), what)
    if not np.all(np.isfinite(W)):
        raise Fail(f"{what} contains nan or inf", "is ℓ = sqrt(6 / (n_in + n_out)) finite for these sizes?")
    return W


def check_rng_is_used(f) -> None:
    first, again, other = (draw(f, 4, 6, seed) for seed in (11, 11, 12))
    if not np.array_equal(first, again):
        raise Fail("two generators in the same state gave different weights",
                   "draw with the generator you are given (rng.…), not with np.random.…: NumPy's global "
                   "state changes on every call, so nobody could reproduce your weights")
    if np.array_equal(first, other):
        raise Fail("two generators with different seeds gave the same weights",
                   "use the rng argument: a generator made inside your function ignores the caller's")


def check_rng_moves_on(f) -> None:
    """The caller's generator must move on: drawing from a copy of it (copy.deepcopy(rng)) would give the next
    layer, initialised with the same rng, the very same weights."""
    rng = np.random.default_rng(21)
    before = rng.bit_generator.state
    first = as_array(f(4, 6, rng), "init_xavier(4, 6, rng)")
    if rng.bit_generator.state == before:
        raise Fail("init_xavier(4, 6, rng) left the generator it was given as it was",
                   "draw with the rng you are given itself, not with a copy of it: the caller's generator "
                   "must move on, or the next layer it initialises gets the same weights")
    second = as_array(f(4, 6, rng), "init_xavier(4, 6, rng) called again with the same rng")
    if np.array_equal(first, second):
        raise Fail("two calls with the same generator gave the same weights",
                   "every call must draw new numbers from the rng you are given")


def check_distribution(f, n_in: int, n_out: int) -> None:
    """Bounds, spread and flatness of a large draw, with margins far beyond sampling noise."""
    W, limit = draw(f, n_in, n_out, seed=3), xavier_limit(n_in, n_out)
    where = f"init_xavier({n_in}, {n_out}, rng)"
    if W.min() < -limit * (1 + 1e-9) or W.max() > limit * (1 + 1e-9):
        raise Fail(f"{where} drew values from {number(W.min())} to {number(W.max())}, outside "
                   f"[−ℓ, ℓ] = [{number(-limit)}, {number(limit)}]",
                   "Xavier *uniform* draws inside [−ℓ, ℓ]; is ℓ = sqrt(6 / (n_in + n_out)), and is the "
                   "distribution uniform?")
    if W.min() > -0.995 * limit or W.max() < 0.995 * limit:
        raise Fail(f"{where} drew values from {number(W.min())} to {number(W.max())}; expected them to "
                   f"fill [−ℓ, ℓ] = [{number(-limit)}, {number(limit)}]",
                   "the weights must be centred on zero and reach both ends ±ℓ, with "
                   "ℓ = sqrt(6 / (n_in + n_out)) (mind the square root and both fans)")
    inner = float(np.mean(np.abs(W) < limit / 2))
    if abs(W.mean()) > 0.05 * limit or abs(W.var() / (limit ** 2 / 3) - 1) > 0.1 or abs(inner - 0.5) > 0.05:
        raise Fail(f"{where}: mean {number(W.mean())}, variance {number(W.var())}; a uniform draw on "
                   f"[−ℓ, ℓ] has mean 0 and variance ℓ²/3 = {number(limit ** 2 / 3)}",
                   "draw every weight from one uniform distribution on [−ℓ, ℓ]")
    spread = limit / np.sqrt(3)                # the standard deviation of one weight
    rows, columns = W.mean(axis=1), W.mean(axis=0)
    if np.abs(rows).max() > 6 * spread / np.sqrt(n_out) or np.abs(columns).max() > 6 * spread / np.sqrt(n_in):
        raise Fail(f"{where}: some rows or columns of W have means far from 0 (up to "
                   f"{number(max(np.abs(rows).max(), np.abs(columns).max()))})",
                   "every weight is its own independent draw: no sorting, no shared values")


def check_small_fans(f, n_in: int = 4, n_out: int = 5, draws: int = 200) -> None:
    """Many small draws pooled: with few inputs a wrong limit (an extra 1 in the fans, say) shows."""
    pooled = np.concatenate([draw(f, n_in, n_out, seed=1000 + k).ravel() for k in range(draws)])
    limit = xavier_limit(n_in, n_out)
    if np.abs(pooled).max() > limit * (1 + 1e-9) or min(-pooled.min(), pooled.max()) < 0.99 * limit:
        raise Fail(f"{draws} draws of init_xavier({n_in}, {n_out}, rng) span {number(pooled.min())} to "
                   f"{number(pooled.max())}; expected them to fill [−ℓ, ℓ] = "
                   f"[{number(-limit)}, {number(limit)}]",
                   "ℓ = sqrt(6 / (n_in + n_out)): the fans are the numbers of inputs and of neurons")
