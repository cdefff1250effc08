"""Losses: PyTorch's definitions on hand examples, gradients (numeric check), properties (hypothesis)."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib.gradcheck import numeric_gradient
from nnlib.losses import bce, bce_gradient, cross_entropy, cross_entropy_gradient, mse, mse_gradient


def test_hand_computed_values():
    assert mse(np.array([[1.0], [3.0]]), np.array([0.0, 1.0])) == pytest.approx((1 + 4) / 2)
    assert bce(np.array([[0.5], [0.8]]), np.array([1, 0])) == pytest.approx(-(np.log(0.5) + np.log(0.2)) / 2)
    logits = np.array([[0.0, np.log(3.0)]])  # softmax = [0.25, 0.75]
    assert cross_entropy(logits, np.array([1])) == pytest.approx(-np.log(0.75))


def test_bce_is_finite_at_zero_and_one_like_pytorch_clamp():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bce(np.array([[0.0], [1.0]]), np.array([1, 0])) == pytest.approx(100.0)
        assert bce(np.array([[0.0], [1.0]]), np.array([0, 1])) == 0.0
        assert np.isfinite(bce_gradient(np.array([[0.0], [1.0]]), np.array([1, 0]))).all()


def test_cross_entropy_integer_and_one_hot_labels_agree():
    Z = np.random.default_rng(0).standard_normal((5, 4))
    labels = np.array([0, 3, 1, 1, 2])
    assert cross_entropy(Z, labels) == cross_entropy(Z, np.eye(4)[labels])
    assert np.array_equal(cross_entropy_gradient(Z, labels), cross_entropy_gradient(Z, np.eye(4)[labels]))


def test_cross_entropy_is_stable_for_huge_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cross_entropy(np.array([[1000.0, -1000.0]]), [1]) == pytest.approx(2000.0)


def test_cross_entropy_of_logits_near_the_float64_limit_is_refused_not_nan():
    # 0 * -inf was a silent NaN: the log softmax of a logit 3.4e308 below its row's largest is -inf.
    Z = np.array([[1.7e308, -1.7e308], [-1.7e308, 1.7e308]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for y in ([0, 1], np.eye(2), [1, 1]):
            with pytest.raises(ValueError, match=r"the loss is (nan|inf): the logits in Z are so far apart"):
                cross_entropy(Z, y)
        assert np.array_equal(cross_entropy_gradient(Z, [0, 1]), np.zeros((2, 2)))  # softmax is exact


@pytest.mark.parametrize("loss, gradient, make_y", [
    (mse, mse_gradient, lambda rng: rng.standard_normal((4, 3))),
    (bce, bce_gradient, lambda rng: rng.uniform(0, 1, (4, 3))),
    (cross_entropy, cross_entropy_gradient, lambda rng: rng.integers(0, 3, 4)),
])
def test_gradient_matches_numeric(loss, gradient, make_y):
    rng = np.random.default_rng(1)
    y_hat = rng.uniform(0.1, 0.9, (4, 3))
    y = make_y(rng)
    numeric = numeric_gradient(lambda v: loss(v, y), y_hat, h=1e-6)
    analytic = gradient(y_hat, y)
    assert np.max(np.abs(analytic - numeric) / np.maximum(1e-8, np.abs(analytic) + np.abs(numeric))) < 1e-7


probabilities = arrays(np.float64, st.tuples(st.integers(1, 5), st.just(2)), elements=st.floats(0, 1))


@given(probabilities, probabilities)
def test_losses_are_non_negative(y_hat, y):
    y = y[: len(y_hat)] if len(y) >= len(y_hat) else np.resize(y, y_hat.shape)
    assert mse(y_hat, y) >= 0 and bce(y_hat, y) >= 0


@given(arrays(np.float64, st.tuples(st.integers(1, 5), st.just(3)), elements=st.floats(-50, 50)),
       st.integers(0, 2))
def test_cross_entropy_non_negative_and_gradient_rows_sum_to_zero(Z, label):
    labels = np.full(len(Z), label)
    assert cross_entropy(Z, labels) >= 0
    assert np.allclose(cross_entropy_gradient(Z, labels).sum(axis=1), 0.0, atol=1e-12)
