"""Activations: values, derivatives (numeric check), stability and properties (hypothesis)."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlib import activations
from nnlib.activations import ACTIVATIONS, relu_derivative, sigmoid, softmax

ELEMENTWISE = ["sigmoid", "tanh", "relu", "identity"]
moderate = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)),
                  elements=st.floats(-30, 30, allow_nan=False))


def test_known_values():
    z = np.array([-2.0, 0.0, 2.0])
    assert sigmoid(z) == pytest.approx([0.11920292202211755, 0.5, 0.8807970779778823], rel=1e-15)
    assert activations.tanh(z) == pytest.approx(np.tanh(z))
    assert activations.relu(z).tolist() == [0.0, 0.0, 2.0]
    assert activations.identity(z) is z
    assert softmax(np.array([[0.0, np.log(3.0)]]))[0] == pytest.approx([0.25, 0.75], rel=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_numeric(name):
    function, derivative = ACTIVATIONS[name]
    Z = np.linspace(-3.0, 3.0, 14).reshape(2, 7) + 0.05  # no Z == 0: relu's kink
    h = 1e-6
    numeric = (function(Z + h) - function(Z - h)) / (2 * h)
    assert np.allclose(derivative(Z), numeric, rtol=1e-7, atol=1e-9)


def test_relu_derivative_at_zero_is_zero_like_pytorch():
    assert relu_derivative(np.array([0.0, -0.0, 1e-300])).tolist() == [0.0, 0.0, 1.0]


def test_sigmoid_and_softmax_have_no_warnings_at_plus_minus_1000():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z = np.array([-1000.0, -745.0, 0.0, 745.0, 1000.0])
        A = sigmoid(z)
        P = softmax(np.array([[-1000.0, 0.0, 1000.0], [1000.0, 1000.0, -1000.0]]))
        slope = ACTIVATIONS["sigmoid"][1](z)
    assert ((A >= 0) & (A <= 1)).all() and A[0] < 1e-300 and A[-1] == 1.0
    assert np.allclose(P, [[0, 0, 1], [0.5, 0.5, 0]]) and np.isfinite(slope).all()


def test_activations_do_not_change_their_input():
    Z = np.array([[-1.0, 2.0]])
    for function, _ in ACTIVATIONS.values():
        function(Z)
    assert Z.tolist() == [[-1.0, 2.0]]


@given(moderate)
def test_sigmoid_strictly_between_0_and_1_for_moderate_z(Z):
    A = sigmoid(Z)
    assert A.shape == Z.shape and ((A > 0) & (A < 1)).all()


@given(arrays(np.float64, st.integers(1, 20), elements=st.floats(-1e4, 1e4, allow_nan=False)))
def test_sigmoid_in_closed_unit_interval_without_warnings(Z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        A = sigmoid(Z)
    assert ((A >= 0) & (A <= 1)).all()


@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 5)), elements=st.floats(-1e3, 1e3)))
def test_softmax_rows_are_probabilities(Z):
    P = softmax(Z)
    assert P.shape == Z.shape and (P >= 0).all() and np.allclose(P.sum(axis=1), 1.0)


@given(moderate)
def test_elementwise_shapes_and_derivative_signs(Z):
    for name in ELEMENTWISE:
        function, derivative = ACTIVATIONS[name]
        assert function(Z).shape == Z.shape and (derivative(Z) >= 0).all()


@pytest.mark.parametrize("z", [1.0, np.float64(-3.0), np.array(2.0), 1000, -1000])
def test_sigmoid_of_a_single_number_is_a_single_number(z):
    z = float(z)
    exact = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))  # no overflow
    value = sigmoid(z)
    assert np.ndim(value) == 0
    assert value == pytest.approx(exact, rel=1e-15, abs=1e-300)
