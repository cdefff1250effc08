"""Bad input raises ValueError/TypeError naming the argument, the value seen and what was expected."""

import numpy as np
import pytest

import nnlib
from nnlib import activations, losses
from nnlib.init import init_params

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = np.array([0, 1, 1, 0])


def net(**kwargs):
    return nnlib.MLP([2, 3, 1], seed=0, **kwargs)


def softmax_net():
    return nnlib.MLP([2, 3, 3], output_activation="softmax", loss="cross_entropy", seed=0)


def nan_net():
    broken = net()
    broken.params["W1"][0, 1] = np.nan
    return broken


def linear_net():
    return net(output_activation="identity")


def train_with(**kwargs):
    return nnlib.train(net(), X, y, nnlib.SGD(lr=0.1), 3, **kwargs)


def print_epoch(epoch):
    print(epoch)


def with_nan(array, index=(1, 0)):
    array = array.astype(float)
    array[index] = np.nan
    return array


CASES = {
    "wrong feature count": (lambda: net().forward(np.ones((4, 3))), ValueError,
                            ["X has 3 features", "expects 2"]),
    "1-D X": (lambda: net().forward(np.ones(2)), ValueError, ["X must be 2-D", "(2,)", "reshape(1, -1)"]),
    "mse of no outputs": (lambda: losses.mse(np.zeros((3, 0)), np.zeros((3, 0))), ValueError,
                          ["number of columns (outputs) in y_hat must be an int >= 1, got 0"]),
    "bce_gradient of no outputs": (lambda: losses.bce_gradient(np.zeros((3, 0)), np.zeros((3, 0))),
                                   ValueError, ["number of columns (outputs) in y_hat"]),
    "cross_entropy of one class": (lambda: losses.cross_entropy(np.ones((3, 1)), np.ones((3, 1))), ValueError,
                                   ["Z has 1 column", "at least 2", "use a sigmoid output with bce"]),
    "split of empty rows": (lambda: nnlib.data.train_test_split(np.zeros((4, 0)), np.zeros(4)), ValueError,
                            ["X has shape (4, 0): its rows are empty"]),
    "1-D X of N samples, one feature": (
        lambda: nnlib.MLP([1, 3, 1], seed=0).predict(np.linspace(0, 1, 5)), ValueError,
        ["X must be 2-D with shape (N, 1)", "(5,)", "N samples of one feature? use X.reshape(-1, 1)"]),
    "1-D X, not one sample": (
        lambda: net().predict(np.ones(5)), ValueError,
        ["X must be 2-D with shape (N, 2)", "(5,)", "one row of 2 features per sample"]),
    "non-numeric X": (lambda: net().forward([["a", "b"]]), TypeError, ["X must hold numbers", "<U1"]),
    "NaN in X": (lambda: net().loss(with_nan(X), y), ValueError, ["X must be finite", "(1, 0)"]),
    # np.longdouble beyond float64's range became inf with only NumPy's overflow warning (sigmoid gave 1)
    "long double X beyond float64": (
        lambda: net().forward(np.array([[np.longdouble("1e400"), 1.0]], dtype=np.longdouble)), ValueError,
        ["X holds values beyond float64's range", "such as 1e+400"]),
    "long double Z beyond float64": (
        lambda: nnlib.activations.sigmoid(np.array([np.longdouble("-1e400")], dtype=np.longdouble)),
        ValueError, ["Z holds values beyond float64's range", "such as -1e+400"]),
    "inf in y": (lambda: net().loss(X, np.array([0, np.inf, 1, 0])), ValueError, ["y must be finite"]),
    "NaN in y for bce": (lambda: net(loss="bce").loss(X, with_nan(y, 1)), ValueError, ["y must be finite"]),
    "length mismatch": (lambda: net().loss_and_grads(X, y[:3]), ValueError, ["y has 3 samples", "X has 4"]),
    "empty X": (lambda: net().forward(np.ones((0, 2))), ValueError, ["X is empty", "(0, 2)"]),
    "bce y outside [0, 1]": (lambda: net(loss="bce").loss(X, y * 2), ValueError,
                             ["y must lie in [0, 1]", "2.0"]),
    "class label too large": (lambda: softmax_net().loss(X, np.array([0, 1, 3, 2])), ValueError,
                              ["y must hold integer labels 0..2", "3.0"]),
    "non-integer label": (lambda: softmax_net().loss(X, np.array([0, 1.5, 1, 2])), ValueError,
                          ["integer labels"]),
    "bad one-hot": (lambda: softmax_net().loss(X, np.ones((4, 3))), ValueError, ["y must be one-hot"]),
    "y wrong shape": (lambda: net().loss(X, np.ones((4, 2))), ValueError, ["y has shape (4, 2)", "(4, 1)"]),
    "unknown activation": (lambda: net(activation="sigmod"), ValueError,
                           ["activation must be one of", "'sigmoid'", "'sigmod'"]),
    "softmax hidden": (lambda: net(activation="softmax"), ValueError, ["activation must be one of"]),
    "unknown output": (lambda: net(output_activation="step"), ValueError,
                       ["output_activation must be one of"]),
    "unknown loss": (lambda: net(loss="hinge"), ValueError,
                     ["loss must be one of", "'cross_entropy'", "'hinge'"]),
    "unknown init": (lambda: net(init="zeros"), ValueError, ["init must be one of", "'he'", "'zeros'"]),
    "bce with tanh output": (lambda: net(output_activation="tanh", loss="bce"), ValueError,
                             ["loss='bce' needs output_activation in ['sigmoid']", "'tanh'"]),
    "cross_entropy with sigmoid": (lambda: net(loss="cross_entropy"), ValueError,
                                   ["needs output_activation"]),
    "softmax with mse": (lambda: net(output_activation="softmax"), ValueError, ["loss='mse' needs"]),
    "softmax with one unit": (lambda: nnlib.MLP([2, 1], output_activation="softmax", loss="cross_entropy"),
                              ValueError, ["at least 2 units", "= 1"]),
    "layer size 0": (lambda: nnlib.MLP([2, 0, 1]), ValueError,
                     ["layer_sizes[1] must be an int >= 1", "got 0"]),
    "one layer size": (lambda: nnlib.MLP([2]), ValueError, ["layer_sizes needs at least two sizes", "[2]"]),
    "layer sizes not a list": (lambda: nnlib.MLP(3), TypeError, ["layer_sizes must be a list", "got 3"]),
    "float layer size": (lambda: nnlib.MLP([2, 2.5, 1]), TypeError, ["layer_sizes[1] must be an int", "2.5"]),
    "bad seed": (lambda: nnlib.MLP([2, 1], seed="x"), TypeError, ["seed must be", "'x'"]),
    "init_params bad rng": (lambda: init_params([2, 1], "xavier", rng=-1), TypeError, ["rng must be", "-1"]),
    "lr <= 0": (lambda: nnlib.SGD(lr=0.0), ValueError, ["lr must be in (0.0, inf)", "got 0.0"]),
    "momentum 1": (lambda: nnlib.SGD(lr=0.1, momentum=1), ValueError,
                   ["momentum must be in [0.0, 1.0)", "1.0"]),
    "epochs 0": (lambda: nnlib.train(net(), X, y, nnlib.SGD(lr=0.1), epochs=0), ValueError,
                 ["epochs must be an int >= 1", "got 0"]),
    "batch_size 0": (lambda: nnlib.train(net(), X, y, nnlib.SGD(lr=0.1), epochs=1, batch_size=0), ValueError,
                     ["batch_size must be an int >= 1", "got 0"]),
    "not an optimizer": (lambda: nnlib.train(net(), X, y, 0.1, epochs=1), TypeError, ["optimizer must have"]),
    "callback not callable": (lambda: nnlib.train(net(), X, y, nnlib.SGD(lr=0.1), 1, callback=3), TypeError,
                              ["callback must be a function", "3"]),
    "validation not a pair": (lambda: nnlib.train(net(), X, y, nnlib.SGD(lr=0.1), 1, validation=X), TypeError,
                              ["validation must be a pair", "ndarray"]),
    "bad validation data": (lambda: nnlib.train(net(), X, y, nnlib.SGD(lr=0.1), 1, validation=(X[:, :1], y)),
                            ValueError, ["X_val has 1 features", "expects 2"]),
    "bad validation targets": (lambda: nnlib.train(net(), X, y, nnlib.SGD(lr=0.1), 1, validation=(X, y[:3])),
                               ValueError, ["y_val has 3 samples but X_val has 4"]),
    "NaN in validation X": (lambda: train_with(validation=(with_nan(X), y)), ValueError,
                            ["X_val must be finite"]),
    "optimizer class, not instance": (lambda: nnlib.train(net(), X, y, nnlib.SGD, 1), TypeError,
                                      ["got the class SGD itself", "nnlib.SGD(lr=0.1)"]),
    "ragged X": (lambda: net().forward([[0.0, 1.0], [1.0]]), ValueError,
                 ["X must be a rectangular array of numbers", "ragged"]),
    "ragged y": (lambda: net().loss(X, [[0], [1, 1], [1], [0]]), ValueError,
                 ["y must be a rectangular array"]),
    "ragged gradient": (lambda: nnlib.SGD(lr=0.1).step({"W": np.ones((2, 2))}, {"W": [[1.0, 2.0], [3.0]]}),
                        ValueError, ["grads['W'] must be a rectangular array"]),
    "gradient of the wrong shape as a list": (
        lambda: nnlib.SGD(lr=0.1).step({"W": np.ones((2, 3))}, {"W": [[1.0, 2.0], [3.0, 4.0]]}), ValueError,
        ["grads['W'] has shape (2, 2) but params['W'] has shape (2, 3)"]),
    "parameters as lists": (lambda: nnlib.SGD(lr=0.1).step({"W": [[1.0]]}, {"W": [[1.0]]}), TypeError,
                            ["params['W'] must be a NumPy float array", "list"]),
    "callback without arguments": (lambda: train_with(callback=lambda: None), TypeError,
                                   ["callback must accept 2 argument(s)", "callback(epoch, history)"]),
    "callback with one argument": (lambda: train_with(callback=print_epoch), TypeError,
                                   ["print_epoch(epoch)", "cannot take them"]),
    "callback returning the loss": (lambda: train_with(callback=lambda epoch, history: history.loss[-1]),
                                    TypeError, ["callback must return True (stop training), False or None",
                                                "after epoch 1", "float"]),
    "callback returning an array": (lambda: train_with(callback=lambda epoch, history: np.ones(2)), TypeError,
                                    ["callback must return True", "array([1., 1.])", "ndarray"]),
    "huge layer": (lambda: nnlib.MLP([2, 10**9, 1]), ValueError,
                   ["would need 4,000,000,001 parameters (32.0 GB)", "at most 10,000,000", "MAX_PARAMETERS"]),
    "accuracy of regression targets": (lambda: linear_net().accuracy(X, [0.2, 1.7, 0, 1]), ValueError,
                                       ["accuracy needs class labels", "0 or 1", "from 0.0 to 1.7"]),
    "accuracy of soft one-hot rows": (lambda: softmax_net().accuracy(X, np.full((4, 3), 1 / 3)), ValueError,
                                      ["accuracy needs class labels", "one-hot rows"]),
    "predict with NaN weights": (lambda: nan_net().predict(X), ValueError,
                                 ["net.params['W1'] holds NaN or inf", "diverged"]),
    "accuracy with NaN weights": (lambda: nan_net().accuracy(X, y), ValueError, ["holds NaN or inf"]),
    "save NaN weights": (lambda: nnlib.save(nan_net(), "never_written"), ValueError, ["holds NaN or inf"]),
    "train NaN in X": (lambda: nnlib.train(net(), with_nan(X), y, nnlib.SGD(lr=0.1), 1), ValueError,
                       ["X must be finite"]),
    "mse y_hat/y mismatch": (lambda: losses.mse(np.ones((3, 1)), np.ones(4)), ValueError,
                             ["y has 4 samples", "y_hat has 3"]),
    "bce y_hat above 1": (lambda: losses.bce(np.array([[1.5]]), np.array([1.0])), ValueError,
                          ["y_hat must be probabilities in [0, 1]", "1.5"]),
    "cross_entropy bad label": (lambda: losses.cross_entropy(np.zeros((2, 3)), np.array([0, 5])), ValueError,
                                ["labels 0..2", "5.0"]),
    "cross_entropy NaN logits": (lambda: losses.cross_entropy(with_nan(np.zeros((2, 3)), (0, 0)), [0, 1]),
                                 ValueError, ["Z must be finite"]),
    "loss of strings": (lambda: losses.mse(np.ones((2, 1)), ["a", "b"]), TypeError, ["y must hold numbers"]),
    "softmax of a 1-D array": (lambda: activations.softmax(np.array([1.0, 2.0, 3.0])), ValueError,
                               ["Z must be 2-D with shape (N, C)", "got shape (3,)", "Z.reshape(1, -1)"]),
    "softmax of a 3-D array": (lambda: activations.softmax(np.ones((2, 3, 4))), ValueError,
                               ["Z must be 2-D with shape (N, C)", "got shape (2, 3, 4)"]),
    "cross_entropy of 3-D logits": (lambda: losses.cross_entropy(np.ones((2, 3, 4)), [0, 1]), ValueError,
                                    ["Z must be 2-D with shape (N, C)", "(2, 3, 4)"]),
    **{f"{name} of text": (lambda name=name: getattr(activations, name)(["a", "b"]), TypeError,
                           ["Z must hold numbers", "<U1"])
       for name in ("sigmoid", "tanh", "relu", "identity", "softmax", "sigmoid_derivative", "tanh_derivative",
                    "relu_derivative", "identity_derivative")},
    "relu of a ragged list": (lambda: activations.relu([[1.0, 2.0], [3.0]]), ValueError,
                              ["Z must be a rectangular array of numbers", "ragged"]),
    "softmax of None": (lambda: activations.softmax(None), TypeError, ["Z must hold numbers, got None"]),
    "masked X": (lambda: net().predict(np.ma.masked_array(X, mask=X > 0.5)), TypeError,
                 ["X is a masked array", "X.filled(value)"]),
}


@pytest.mark.parametrize("callback", [lambda: None, print_epoch, "not callable"])
def test_a_bad_callback_is_refused_before_any_training(callback):
    network = net()
    before = {name: value.copy() for name, value in network.params.items()}
    with pytest.raises(TypeError, match="callback must"):
        nnlib.train(network, X, y, nnlib.SGD(lr=0.5), 5, callback=callback)
    assert all(np.array_equal(network.params[name], before[name]) for name in before)


def test_a_false_or_none_callback_answer_goes_on_and_numpy_true_stops():
    answers = iter([None, False, np.bool_(False), np.bool_(True), True])
    history = nnlib.train(net(), X, y, nnlib.SGD(lr=0.5), 10, callback=lambda epoch, history: next(answers))
    assert history.epochs_run == 4 and "callback asked to stop after epoch 4" in history.stop_reason


def test_the_largest_allowed_network_is_built_and_one_more_unit_is_refused():
    from nnlib.network import MAX_PARAMETERS

    hidden = (MAX_PARAMETERS - 1) // 3  # [1, hidden, 1]: 2 * hidden weights, hidden + 1 biases
    assert 3 * hidden + 1 <= MAX_PARAMETERS < 3 * (hidden + 1) + 1
    assert nnlib.MLP([1, hidden, 1], seed=0).params["W1"].shape == (1, hidden)
    with pytest.raises(ValueError, match="would need"):
        nnlib.MLP([1, hidden + 1, 1])


def float32_net():
    network = net()
    network.params["W1"] = network.params["W1"].astype(np.float32)
    return network


DATA_GRADCHECK_INIT_CASES = {
    "init_params too big": (lambda: init_params([2, 10**8, 1], "xavier", 0), ValueError,
                            ["[2, 100000000, 1] would need 400,000,001 parameters", "MAX_PARAMETERS"]),
    "init_params bad scheme": (lambda: init_params([2, 1], "zeros"), ValueError, ["scheme must be one of"]),
    "gaussians n too big": (lambda: nnlib.data.gaussians(n=10**9), ValueError, ["n must be at most 10,000"]),
    "gaussians classes too big": (lambda: nnlib.data.gaussians(n=10**9, classes=10**9), ValueError,
                                  ["classes must be at most 1,000"]),
    "moons noise overflows": (lambda: nnlib.data.moons(noise=1e308), ValueError, ["noise must be", "1e+308"]),
    "one_hot huge label": (lambda: nnlib.data.one_hot(np.array([10**12])), ValueError, ["MAX_CLASSES"]),
    "one_hot 2**62": (lambda: nnlib.data.one_hot([0, 2**62]), ValueError, ["y's largest label"]),
    "one_hot negative": (lambda: nnlib.data.one_hot([0, -1]), ValueError, ["negative label -1"]),
    "split ragged X": (lambda: nnlib.data.train_test_split([[1, 2], [3]], [0, 1]), ValueError,
                       ["X must be a rectangular array"]),
    "split empty": (lambda: nnlib.data.train_test_split(np.zeros((0, 2)), np.zeros(0)), ValueError,
                    ["at least 2 are needed to split"]),
    "rel_error NaN": (lambda: nnlib.rel_error([1, np.nan], [1, 1]), ValueError, ["a must be finite"]),
    "rel_error None": (lambda: nnlib.rel_error(None, None), TypeError, ["a must hold numbers"]),
    "rel_error strings": (lambda: nnlib.rel_error("1", "2"), TypeError, ["a must hold numbers"]),
    "numeric_gradient of an int": (lambda: nnlib.gradcheck.numeric_gradient(5, np.ones(2)), TypeError,
                                   ["f must be a function f(x)"]),
    "numeric_gradient f returns an array": (lambda: nnlib.gradcheck.numeric_gradient(lambda v: v, np.ones(2)),
                                            TypeError, ["f(x) must be a single float", "shape (2,)"]),
    "numeric_gradient f returns NaN": (lambda: nnlib.gradcheck.numeric_gradient(lambda v: np.nan, np.ones(2)),
                                       ValueError, ["f(x) is nan at x[0] + h"]),
    "grad_check float32 params": (lambda: nnlib.grad_check(float32_net(), X, y), TypeError,
                                  ["net.params['W1'] must be a float64 NumPy array", "float32"]),
}


@pytest.mark.parametrize("case", {**CASES, **DATA_GRADCHECK_INIT_CASES})
def test_bad_input_raises_a_clear_error(case):
    call, error, fragments = {**CASES, **DATA_GRADCHECK_INIT_CASES}[case]
    with pytest.raises(error) as raised:
        call()
    for fragment in fragments:
        assert fragment in str(raised.value), (fragment, str(raised.value))


def test_grad_check_accepts_a_numpy_float_tolerance():
    assert nnlib.grad_check(net(), X, y, tolerance=np.float32(1e-7)).passed
