"""Tests for nnlib.gradcheck: the check passes on correct gradients and fails on wrong ones."""

import numpy as np
import pytest

from nnlib.gradcheck import GradCheckReport, grad_check, numeric_gradient, rel_error
from nnlib.network import MLP

# (activation, output activation, loss, number of outputs)
COMBINATIONS = [
    ("sigmoid", "sigmoid", "bce", 1),
    ("tanh", "sigmoid", "mse", 1),
    ("identity", "identity", "mse", 2),
    ("tanh", "softmax", "cross_entropy", 3),
    ("sigmoid", "softmax", "cross_entropy", 3),
    ("relu", "sigmoid", "bce", 1),
    ("relu", "softmax", "cross_entropy", 3),
]


def make_problem(activation, output_activation, loss, n_out, hidden=(5,), seed=0):
    rng = np.random.default_rng(seed)
    net = MLP([3, *hidden, n_out], activation=activation, output_activation=output_activation,
                    loss=loss, init="xavier", seed=seed)
    X = rng.normal(size=(6, 3))
    if loss == "cross_entropy":
        y = np.arange(6) % n_out
    elif loss == "bce":
        y = (np.arange(6) % 2).astype(float)
    else:
        y = rng.normal(size=(6, n_out)) if n_out > 1 else rng.normal(size=6)
    return net, X, y


class Sabotaged:
    """Wraps a network and spoils one of its gradients, to prove that grad_check can fail."""

    def __init__(self, net, name, spoil):
        self.net, self.name, self.spoil = net, name, spoil
        self.params, self.layer_sizes = net.params, net.layer_sizes
        self.activation, self.output_activation = net.activation, net.output_activation

    def loss_and_grads(self, X, y):
        loss, grads = self.net.loss_and_grads(X, y)
        grads = dict(grads)
        grads[self.name] = self.spoil(grads[self.name])
        return loss, grads


def test_rel_error_follows_cs231n():
    a, b = np.array([1.0, 2.0, 0.0]), np.array([1.0, 2.2, 1e-12])
    expected = max(0.0, 0.2 / 4.2, 1e-12 / 1e-8)
    assert rel_error(a, b) == pytest.approx(expected)
    assert rel_error(a, a) == 0.0
    assert isinstance(rel_error(a, b), float)
    with pytest.raises(ValueError, match=r"same shape, got a \(3,\) and b \(2,\)"):
        rel_error(a, b[:2])


def test_numeric_gradient_of_a_known_function_and_x_restored():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    before = x.copy()
    grad = numeric_gradient(lambda v: float(np.sum(v ** 3)), x)
    np.testing.assert_allclose(grad, 3 * before ** 2, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_numeric_gradient_restores_x_even_when_f_raises():
    x = np.array([1.0, 2.0])

    def explode(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numeric_gradient(explode, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.parametrize("combination", COMBINATIONS, ids=lambda c: "-".join(map(str, c)))
@pytest.mark.parametrize("hidden", [(), (5,), (4, 3)], ids=["depth1", "depth2", "depth3"])
def test_grad_check_passes_on_correct_networks(combination, hidden):
    net, X, y = make_problem(*combination, hidden=hidden)
    report = grad_check(net, X, y)
    assert report.passed, str(report)
    assert set(report.errors) == set(net.params)
    assert report.worst_error == max(report.errors.values())
    uses_relu = combination[0] == "relu" and len(hidden) > 0
    assert report.tolerance == (1e-5 if uses_relu else 1e-7)


def test_grad_check_leaves_the_parameters_exactly_as_they_were():
    net, X, y = make_problem("tanh", "softmax", "cross_entropy", 3)
    before = {name: value.copy() for name, value in net.params.items()}
    identities = {name: id(value) for name, value in net.params.items()}
    grad_check(net, X, y)
    for name, value in net.params.items():
        np.testing.assert_array_equal(value, before[name])       # bit for bit
        assert id(value) == identities[name]                      # the same arrays, still in place


@pytest.mark.parametrize("name", ["W1", "b1", "W2", "b2"])
def test_grad_check_fails_when_one_gradient_is_scaled_by_1_01(name):
    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    report = grad_check(Sabotaged(net, name, lambda g: g * 1.01), X, y)
    assert not report.passed
    assert report.worst_param == name
    assert report.worst_error == pytest.approx(0.01 / 2.01, rel=1e-3)
    assert "FAIL" in str(report) and name in str(report)


def test_grad_check_fails_on_a_transposed_gradient():
    net, X, y = make_problem("tanh", "identity", "mse", 3, hidden=(3,))   # W2 is square (3, 3)
    report = grad_check(Sabotaged(net, "W2", lambda g: g.T), X, y)
    assert not report.passed and report.worst_param == "W2" and report.worst_error > 1e-3


def test_grad_check_fails_on_a_wrongly_shaped_gradient():
    net, X, y = make_problem("tanh", "sigmoid", "mse", 1)
    report = grad_check(Sabotaged(net, "b1", lambda g: g[:-1]), X, y)
    assert not report.passed and report.errors["b1"] == float("inf")
    assert "b1's gradient has shape (4,), not (5,)" in report.note


def test_report_reads_as_a_table_with_a_verdict():
    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    report = grad_check(net, X, y)
    text = str(report)
    assert text.splitlines()[-1].startswith("PASS: worst relative error")
    assert f"({report.worst_param})" in text and "<- worst" in text
    for name in net.params:
        assert name in text
    assert "passed=True" in repr(report)
    assert isinstance(report, GradCheckReport)


def test_relu_report_uses_the_looser_tolerance_and_explains_kinks():
    net, X, y = make_problem("relu", "sigmoid", "bce", 1)
    report = grad_check(net, X, y)
    assert report.tolerance == 1e-5
    assert "kink" in str(report)
    assert grad_check(net, X, y, tolerance=1e-3).tolerance == 1e-3


def xor_net_with_output(one_minus_y_hat: float):
    """A correct 2-4-1 bce net on XOR whose first output (target 0) is 1 - one_minus_y_hat."""
    X, y = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0, 1.0, 0.0])
    net = MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", loss="bce", seed=0)
    y_hat = net.forward(X)[0, 0]
    wanted = np.log1p(-one_minus_y_hat) - np.log(one_minus_y_hat) if one_minus_y_hat else 40.0  # logit
    net.params["b2"] += wanted - np.log(y_hat / (1.0 - y_hat))
    return net, X, y


@pytest.mark.parametrize("one_minus_y_hat", [1e-3, 1e-6, 1e-10, 1e-15, 0.0])
def test_a_right_backward_failing_at_saturated_outputs_is_explained(one_minus_y_hat):
    # Near 1, 1 - y_hat has few correct digits, and at 1 the log is clamped flat: the centred
    # differences measure rounding. The report must say so, rather than leave "FAIL" to blame the backward.
    net, X, y = xor_net_with_output(one_minus_y_hat)
    report = grad_check(net, X, y)
    assert not report.passed
    assert "output(s) are within 1e-2 of 1 where the target is below 1" in str(report)
    assert "can fail even when the backward is right" in report.note


def test_saturation_is_not_mentioned_where_the_check_passes_or_the_outputs_saturate_the_right_way():
    net, X, y = xor_net_with_output(1e-2)
    assert grad_check(net, X, y).passed and grad_check(net, X, y).note == ""
    net.params["W2"][:], net.params["b2"][:] = 0.0, 40.0    # every y_hat == 1.0
    right_way = grad_check(net, X, np.ones(4))            # targets 1: the clamped log has weight 0
    assert right_way.passed and right_way.note == ""
    wrong_way = grad_check(net, X, y)
    assert not wrong_way.passed and wrong_way.note.startswith("2 output(s) are within 1e-2 of 1")


@pytest.mark.parametrize("kwargs, error, match", [
    ({"h": 0}, ValueError, "h must be a small positive step"),
    ({"h": -1e-5}, ValueError, "h must"),
    ({"tolerance": 0}, ValueError, "tolerance must be a positive number"),
])
def test_grad_check_rejects_bad_arguments(kwargs, error, match):
    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    with pytest.raises(error, match=match):
        grad_check(net, X, y, **kwargs)


def test_grad_check_rejects_a_non_network_and_float32_parameters():
    with pytest.raises(TypeError, match="net must be an nnlib.MLP"):
        grad_check("not a net", np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(TypeError, match="float64"):
        numeric_gradient(lambda v: float(v.sum()), np.ones(3, dtype=np.float32))


def test_relu_report_counts_pre_activations_sitting_on_the_kink():
    net = MLP([3, 5, 4, 3], activation="relu", output_activation="softmax", loss="cross_entropy", seed=0)
    X = np.random.default_rng(0).normal(size=(6, 3))
    X[1] = -100 * net.params["W1"] @ np.ones(5)  # with this seed, switches every unit of layer 1 off
    assert not np.maximum(X[1] @ net.params["W1"], 0).any(), "the sample must switch layer 1 off"
    # so Z2 of that sample is b2 = 0 exactly: right on the kink, where the centred difference is wrong
    report = grad_check(net, X, np.arange(6) % 3)
    assert "within about h of 0" in report.note and "kink" in str(report)


def test_grad_check_and_rel_error_are_exported_by_nnlib():
    import nnlib

    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    assert nnlib.grad_check(net, X, y).passed
    assert nnlib.rel_error(np.ones(2), np.ones(2)) == 0.0


@pytest.mark.parametrize("a, b, error, fragment", [
    ([1, np.nan], [1, 1], ValueError, "a must be finite, but 1 value(s) are NaN or inf (the first at index"),
    ([1, 1], [np.inf, 1], ValueError, "b must be finite"),
    ([np.inf], [np.inf], ValueError, "a must be finite"),
    (None, None, TypeError, "a must hold numbers, got None (a function that forgot to return?)"),
    ("1", "2", TypeError, "a must hold numbers, got an array of dtype <U1"),
    ([["a"]], [["b"]], TypeError, "a must hold numbers"),
    ([[1.0, 2.0], [3.0]], [[1.0, 2.0], [3.0]], ValueError, "a must be a rectangular array of numbers"),
    ([1.0], [[1.0, 2.0], [3.0]], ValueError, "b must be a rectangular array of numbers"),
    ([1 + 2j], [1 + 2j], TypeError, "a must hold numbers, got an array of dtype complex128"),
    ({"W1": 1.0}, {"W1": 1.0}, TypeError, "a must hold numbers"),
    (np.ones((2, 3)), np.ones((3, 2)), ValueError, "same shape, got a (2, 3) and b (3, 2)"),
    (np.ones((1, 3)), np.ones(3), ValueError, "same shape"),
    ([1e308], [-1e308], ValueError, "a holds 1e+308, too large to compare"),
])
def test_rel_error_refuses_non_numeric_non_finite_and_mismatched_inputs(a, b, error, fragment):
    with pytest.raises(error) as raised:
        rel_error(a, b)
    assert fragment in str(raised.value)


def test_rel_error_accepts_numbers_lists_and_numpy_scalars():
    assert rel_error(1.0, 3.0) == pytest.approx(0.5)
    assert rel_error([1, 2], [1, 2]) == 0.0
    assert rel_error(np.float32(2.0), np.int64(2)) == 0.0
    assert rel_error([8e307], [-8e307]) == 1.0        # the largest values it compares


@pytest.mark.parametrize("f, fragment", [
    (5, "f must be a function f(x) returning a float, got int 5"),
    (None, "f must be a function"),
    (lambda: 1.0, "f must accept 1 argument(s), f(x) returning a float"),
])
def test_numeric_gradient_refuses_f_that_is_not_a_function_of_x(f, fragment):
    with pytest.raises(TypeError) as raised:
        numeric_gradient(f, np.ones(2))
    assert fragment in str(raised.value)


def test_numeric_gradient_refuses_f_returning_an_array_or_text():
    x = np.array([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"f\(x\) must be a single float .* got an array of shape \(3,\)"):
        numeric_gradient(lambda v: v ** 2, x)
    with pytest.raises(TypeError, match=r"f\(x\) must be a single float .* got '1.5'"):
        numeric_gradient(lambda v: "1.5", x)
    np.testing.assert_array_equal(x, [1.0, 2.0, 3.0])


def test_numeric_gradient_says_where_f_is_not_finite_and_restores_x():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])

    def nan_above_4(v):
        return float(np.sum(v)) if v[1, 1] <= 4.0 else float("nan")       # NaN once x[1, 1] steps up

    with pytest.raises(ValueError, match=r"f\(x\) is nan at x\[1, 1\] \+ h: it must be finite"):
        numeric_gradient(nan_above_4, x)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match=r"f\(x\) is inf at x\[0\] - h"):
        numeric_gradient(lambda v: 1.0 if v[0] >= 1.0 else np.inf, np.array([1.0]))


def test_numeric_gradient_accepts_0d_arrays_and_numpy_scalars_from_f():
    x = np.array([1.0, 2.0])
    expected = numeric_gradient(lambda v: float(np.sum(v ** 2)), x.copy())
    np.testing.assert_array_equal(numeric_gradient(lambda v: np.asarray(np.sum(v ** 2)), x), expected)
    in_float32 = numeric_gradient(lambda v: np.float32(np.sum(v ** 2)), x)
    np.testing.assert_allclose(in_float32, [2.0, 4.0], rtol=0.1)


@pytest.mark.parametrize("x, error, fragment", [
    (np.broadcast_to(np.ones(1), (3,)), ValueError, "x must be writeable"),
    (np.array([1.0, np.nan]), ValueError, "x must be finite"),
    ([1.0, 2.0], TypeError, "x must be a float64 NumPy array (differences need the precision), got list"),
    (np.ones(2, dtype=np.float32), TypeError, "got ndarray of dtype float32"),
])
def test_numeric_gradient_refuses_a_bad_point_x(x, error, fragment):
    with pytest.raises(error) as raised:
        numeric_gradient(lambda v: float(np.sum(v)), x)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("h, error", [("1e-5", TypeError), (True, TypeError), (1e-320, ValueError),
                                      (float("nan"), ValueError), (1.0, ValueError)])
def test_numeric_gradient_refuses_a_bad_step_h(h, error):
    with pytest.raises(error, match="h must be a small positive step such as 1e-5"):
        numeric_gradient(lambda v: float(np.sum(v)), np.ones(2), h)


def test_grad_check_accepts_any_real_tolerance_and_step_type():
    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    report = grad_check(net, X, y, h=np.float32(1e-5), tolerance=np.float32(1e-7))
    assert report.passed and report.tolerance == float(np.float32(1e-7))
    assert grad_check(net, X, y, tolerance=np.float64(1e-3)).tolerance == 1e-3


@pytest.mark.parametrize("tolerance, error", [(float("inf"), ValueError), (float("nan"), ValueError),
                                              (1, ValueError), (5.0, ValueError), ("1e-7", TypeError),
                                              (True, TypeError), (np.array([1e-7]), TypeError)])
def test_grad_check_refuses_meaningless_tolerances(tolerance, error):
    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    with pytest.raises(error, match="tolerance must be a positive number below 1"):
        grad_check(net, X, y, tolerance=tolerance)


def test_grad_check_names_a_float32_parameter_and_the_fix():
    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    net.params["W2"] = net.params["W2"].astype(np.float32)
    with pytest.raises(TypeError) as raised:
        grad_check(net, X, y)
    message = str(raised.value)
    assert "net.params['W2'] must be a float64 NumPy array" in message and "float32" in message
    assert "np.asarray(net.params['W2'], dtype=np.float64)" in message
    assert not message.startswith("x ")


def test_grad_check_names_a_non_finite_parameter():
    net, X, y = make_problem("tanh", "sigmoid", "mse", 1)
    net.params["b1"][2] = np.nan
    with pytest.raises(ValueError, match=r"net.params\['b1'\] must be finite.*index \(2,\)"):
        grad_check(net, X, y)


class TinyNet:
    """Loss sum(W) whose loss turns NaN once W[1] moves up: where the numeric gradient breaks down."""

    def __init__(self, gradient=(1.0, 1.0)):
        self.params, self.gradient = {"W": np.array([1.0, 2.0])}, np.array(gradient)

    def loss_and_grads(self, X, y):
        W = self.params["W"]
        return (float(W.sum()) if W[1] <= 2.0 else float("nan")), {"W": self.gradient.copy()}


def test_grad_check_names_the_parameter_entry_where_the_loss_is_not_finite():
    with pytest.raises(ValueError, match=r"the loss is nan at net.params\['W'\]\[1\] \+ h"):
        grad_check(TinyNet(), None, None)


def test_grad_check_counts_a_nan_gradient_as_a_failure():
    net, X, y = make_problem("sigmoid", "sigmoid", "bce", 1)
    report = grad_check(Sabotaged(net, "W1", lambda g: g * np.nan), X, y)
    assert not report.passed and report.errors["W1"] == float("inf")
    assert "W1's gradient holds NaN or inf" in report.note


def test_grad_check_refuses_a_net_without_parameters_or_with_bad_gradients():
    empty = TinyNet()
    empty.params = {}
    with pytest.raises(ValueError, match="net.params is empty"):
        grad_check(empty, None, None)
    ragged = TinyNet()
    ragged.loss_and_grads = lambda X, y: (1.0, {"W": [[1.0], [1.0, 2.0]]})
    with pytest.raises(ValueError, match=r"grads\['W'\] must be a rectangular array"):
        grad_check(ragged, None, None)
    not_a_dict = TinyNet()
    not_a_dict.loss_and_grads = lambda X, y: (1.0, None)
    with pytest.raises(TypeError, match="grads a dict, got NoneType"):
        grad_check(not_a_dict, None, None)
