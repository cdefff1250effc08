"""Initialisation schemes: shapes, ranges, statistics, zero biases, determinism, no global random state."""

import numpy as np
import pytest

from nnlib.init import init_params


@pytest.mark.parametrize("scheme", ["uniform", "normal", "xavier", "he"])
def test_shapes_and_zero_biases(scheme):
    params = init_params([3, 5, 2], scheme, rng=0)
    assert {k: v.shape for k, v in params.items()} == {"W1": (3, 5), "b1": (5,), "W2": (5, 2), "b2": (2,)}
    assert not params["b1"].any() and not params["b2"].any()
    assert all(p.dtype == np.float64 for p in params.values())


def test_distributions_have_the_documented_ranges_and_spread():
    uniform = init_params([200, 300], "uniform", rng=1)["W1"]
    assert uniform.min() >= 0 and uniform.max() < 1 and uniform.mean() == pytest.approx(0.5, abs=0.01)
    normal = init_params([200, 300], "normal", rng=1)["W1"]
    assert normal.std() == pytest.approx(1.0, abs=0.01)
    xavier = init_params([200, 300], "xavier", rng=1)["W1"]
    limit = np.sqrt(6 / 500)
    assert np.abs(xavier).max() <= limit and np.abs(xavier).max() > 0.99 * limit
    he = init_params([200, 300], "he", rng=1)["W1"]
    assert he.std() == pytest.approx(np.sqrt(2 / 200), rel=0.02) and he.mean() == pytest.approx(0, abs=0.005)


def test_seed_and_generator_are_deterministic_and_global_state_is_untouched():
    np.random.seed(123)
    expected_global = np.random.random()
    np.random.seed(123)
    a = init_params([4, 3], "he", rng=7)
    b = init_params([4, 3], "he", rng=np.random.default_rng(7))
    assert np.array_equal(a["W1"], b["W1"])
    assert not np.array_equal(a["W1"], init_params([4, 3], "he", rng=8)["W1"])
    assert np.random.random() == expected_global  # NumPy's global state did not move
