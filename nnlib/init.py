"""Weight initialisation schemes. Biases always start at zero.

``W_k`` has shape (fan_in, fan_out) = (n_{k-1}, n_k): rows of X are samples, so Z = X @ W + b.
"""

from __future__ import annotations

import numpy as np

from ._checks import as_generator, check_choice, check_layer_sizes, check_parameter_count


def _uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return rng.random((fan_in, fan_out))  # U[0, 1), as the classic tutorials do (all weights positive)


def _normal(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return rng.standard_normal((fan_in, fan_out))  # N(0, 1)


def _xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    # Glorot uniform: keeps the variance of activations roughly equal from layer to layer for sigmoid/tanh.
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def _he(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    # He normal: variance 2 / fan_in compensates for relu zeroing half of its inputs.
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))


INITS = {"uniform": _uniform, "normal": _normal, "xavier": _xavier, "he": _he}


def init_params(layer_sizes: list[int], scheme: str = "xavier",
                rng: int | np.random.Generator | None = None) -> dict[str, np.ndarray]:
    """Create the parameters of an MLP with ``layer_sizes`` = [n_0, n_1, ..., n_L].

    Returns {"W1": (n_0, n_1), "b1": (n_1,), ..., "WL": (n_{L-1}, n_L), "bL": (n_L,)}, float64.
    ``rng`` is an int seed, None or a np.random.Generator; NumPy's global random state is never used.
    At most MAX_PARAMETERS (10 million) parameters, as for an MLP.
    """
    layer_sizes = check_layer_sizes(layer_sizes)
    check_parameter_count(layer_sizes)  # before any memory is used: [2, 10**9, 1] would take 32 GB
    check_choice("scheme", scheme, INITS)
    rng = as_generator(rng, "rng")
    params = {}
    for k, (fan_in, fan_out) in enumerate(zip(layer_sizes[:-1], layer_sizes[1:], strict=True), start=1):
        params[f"W{k}"] = INITS[scheme](rng, fan_in, fan_out)
        params[f"b{k}"] = np.zeros(fan_out)
    return params
