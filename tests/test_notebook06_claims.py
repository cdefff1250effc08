"""Notebook 06, section 3: the numbers its prose and Exercise 1 state about SGD and momentum, re-derived.

The problem is the notebook's: one linear neuron without bias on the two moons, the second feature ×8, the
mean squared error. Its loss is a quadratic bowl with Hessian 2 Xᵀ X / N, so the stability limits are exact:
gradient descent diverges above lr = 2 / λ_max, heavy-ball momentum (PyTorch's form) above 2 (1 + μ) / λ_max.
"""

import numpy as np
import pytest

import nnlib
from nnlib import data

X, y = data.moons(400, noise=0.2, seed=0)
X_TINY = (X - X.mean(axis=0)) * np.array([1.0, 8.0])
Y_TINY = y - y.mean()
W_START = np.array([-2.5, 0.2])
CURVATURE = float(np.linalg.eigvalsh(2 * X_TINY.T @ X_TINY / len(X_TINY)).max())


def losses(optimizer, num_steps: int = 50) -> list[float]:
    """The loss before each of num_steps updates from W_START (as the notebook's `follow` records it)."""
    params, recorded = {"w": W_START.copy()}, []
    for _ in range(num_steps):
        y_hat = X_TINY @ params["w"]
        recorded.append(float(np.mean((y_hat - Y_TINY) ** 2)))
        optimizer.step(params, {"w": 2 * X_TINY.T @ (y_hat - Y_TINY) / len(Y_TINY)})
    return recorded


def test_sgd_limit_is_about_0_053_as_the_text_says():
    assert 2 / CURVATURE == pytest.approx(0.053, abs=0.0005)


def test_momentum_limit_is_about_0_10_almost_twice_sgds():
    limit = 2 * (1 + 0.9) / CURVATURE
    assert limit == pytest.approx(0.10, abs=0.002)
    assert losses(nnlib.SGD(lr=0.1, momentum=0.9), 400)[-1] < 1.0           # stable just below the limit
    assert losses(nnlib.SGD(lr=0.11, momentum=0.9), 400)[-1] > 1e3          # diverges just above it


def test_sgd_diverges_at_0_055_and_not_at_0_05():
    assert losses(nnlib.SGD(lr=0.05), 400)[-1] < 1.0
    assert losses(nnlib.SGD(lr=0.055), 400)[-1] > 1e3


def test_a_larger_momentum_rate_improves_the_loss_after_50_steps():
    """Exercise 1's experiment: 0.008 → 0.02 makes momentum better, not unstable (issue 14)."""
    small = losses(nnlib.SGD(lr=0.008, momentum=0.9))[-1]
    larger = losses(nnlib.SGD(lr=0.02, momentum=0.9))[-1]
    assert larger < small
