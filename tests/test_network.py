"""MLP: shapes, numeric gradient checks for every sensible combination at depths 1-3, labels, determinism."""

import warnings

import numpy as np
import pytest
from reporting import report

import nnlib
from nnlib.activations import ACTIVATIONS
from nnlib.gradcheck import numeric_gradient, rel_error
from nnlib.layers import activation_backward

HIDDEN = ("sigmoid", "tanh", "relu", "identity")
HEADS = (("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"), ("identity", "mse"),
         ("sigmoid", "bce"), ("softmax", "cross_entropy"))
COMBINATIONS = [(depth, hidden, output, loss) for depth in (1, 2, 3) for hidden in HIDDEN
                for output, loss in HEADS if depth > 1 or hidden == "sigmoid"]


WORST = {"numeric": 0.0}


def make_problem(depth, hidden, output, loss, seed=0):
    rng = np.random.default_rng(seed)
    n_out = {"cross_entropy": 3, "bce": 1}.get(loss, 2)
    sizes = [3] + [5] * (depth - 1) + [n_out]
    net = nnlib.MLP(sizes, activation=hidden, output_activation=output, loss=loss, init="xavier", seed=seed)
    X = rng.standard_normal((6, 3))
    y = {"cross_entropy": rng.integers(0, 3, 6), "bce": rng.integers(0, 2, 6)}.get(loss)
    y = rng.standard_normal((6, n_out)) if y is None else y
    for k in range(1, depth + 1):  # non-zero biases: with zero biases a dead relu row gives Z == 0 exactly,
        net.params[f"b{k}"] += rng.uniform(0.1, 0.3, sizes[k])  # the kink, where numeric and analytic differ
    return net, X, y


@pytest.mark.parametrize("depth, hidden, output, loss", COMBINATIONS)
def test_gradients_match_numeric(depth, hidden, output, loss):
    # A well-scaled problem (Xavier weights, 6 samples): the centred difference with h = 3e-5 is then good to
    # about 1e-11 absolute, float64 rounding being the limit for the smallest gradient entries.
    net, X, y = make_problem(depth, hidden, output, loss)
    _, grads = net.loss_and_grads(X, y)
    for name, param in net.params.items():
        numeric = numeric_gradient(lambda _: net.loss(X, y), param, h=3e-5)  # param changes in place
        error = rel_error(grads[name], numeric)
        WORST["numeric"] = max(WORST["numeric"], error)
        assert error < 1e-7, name


def test_combinations_cover_all_sensible_pairs():
    assert len(COMBINATIONS) == 6 + 2 * 4 * 6


@pytest.mark.parametrize("sizes", [[2, 1], [2, 4, 1], [3, 5, 4, 2]])
def test_shapes_of_params_outputs_and_grads(sizes):
    net = nnlib.MLP(sizes, output_activation="sigmoid", loss="bce", seed=1)
    X = np.random.default_rng(0).standard_normal((7, sizes[0]))
    y = np.random.default_rng(1).integers(0, 2, (7, sizes[-1]))
    for k in range(1, len(sizes)):
        assert net.params[f"W{k}"].shape == (sizes[k - 1], sizes[k])
        assert net.params[f"b{k}"].shape == (sizes[k],)
    assert net.forward(X).shape == (7, sizes[-1])
    loss, grads = net.loss_and_grads(X, y)
    assert isinstance(loss, float) and {k: g.shape for k, g in grads.items()} == {
        k: p.shape for k, p in net.params.items()}
    assert [A.shape for A in net.layer_outputs(X)] == [(7, n) for n in sizes[1:]]
    assert np.array_equal(net.layer_outputs(X)[-1], net.forward(X))


def test_xor_shapes_of_contract_example():
    net = nnlib.MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", loss="mse", init="xavier",
                    seed=0)
    assert {k: v.shape for k, v in net.params.items()} == {"W1": (2, 4), "b1": (4,), "W2": (4, 1), "b2": (1,)}
    assert (net.layer_sizes, net.activation, net.output_activation, net.loss_name, net.init) == (
        [2, 4, 1], "sigmoid", "sigmoid", "mse", "xavier")


def test_one_output_accepts_y_of_shape_n_or_n_by_1():
    net, X, y = make_problem(2, "tanh", "sigmoid", "bce")
    loss_flat, grads_flat = net.loss_and_grads(X, y)
    loss_column, grads_column = net.loss_and_grads(X, y.reshape(-1, 1))
    assert loss_flat == loss_column
    assert all(np.array_equal(grads_flat[k], grads_column[k]) for k in grads_flat)


def test_softmax_forward_returns_probabilities_and_predict_is_argmax():
    net, X, y = make_problem(2, "relu", "softmax", "cross_entropy")
    probabilities = net.forward(X)
    assert np.allclose(probabilities.sum(axis=1), 1.0) and (probabilities > 0).all()
    assert np.array_equal(net.predict(X), probabilities.argmax(axis=1))
    assert net.accuracy(X, y) == np.mean(net.predict(X) == y)


def test_predict_thresholds_one_sigmoid_output_at_half():
    net = nnlib.MLP([1, 1], output_activation="sigmoid", seed=0)
    net.params["W1"][...] = 1.0
    X = np.array([[-2.0], [-1e-9], [0.0], [3.0]])
    assert net.predict(X).tolist() == [0, 0, 1, 1]
    assert net.accuracy(X, np.array([0, 1, 1, 1])) == 0.75


def test_forward_does_not_change_params_and_is_repeatable():
    net, X, _ = make_problem(3, "sigmoid", "sigmoid", "mse")
    before = {k: v.copy() for k, v in net.params.items()}
    assert np.array_equal(net.forward(X), net.forward(X))
    assert all(np.array_equal(before[k], net.params[k]) for k in before)


def test_same_seed_same_weights_different_seed_different_weights():
    a, b, c = (nnlib.MLP([2, 3, 1], seed=s) for s in (5, 5, 6))
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    generator = nnlib.MLP([2, 3, 1], seed=np.random.default_rng(5))
    assert np.array_equal(generator.params["W1"], a.params["W1"])


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_backward_slope_from_outputs_equals_derivative(name):
    Z = np.linspace(-4, 4, 12).reshape(3, 4) + 0.01  # avoids Z == 0 exactly (relu's kink)
    function, derivative = ACTIVATIONS[name]
    assert np.allclose(activation_backward(np.ones_like(Z), function(Z.copy()), name), derivative(Z),
                       rtol=1e-12, atol=1e-15)


def test_sigmoid_bce_gradient_saturated_stays_finite():
    net = nnlib.MLP([1, 1], output_activation="sigmoid", loss="bce", seed=0)
    net.params["W1"][...] = 1000.0
    loss, grads = net.loss_and_grads(np.array([[1.0], [-1.0]]), np.array([0, 1]))
    assert np.isfinite(loss) and loss == pytest.approx(100.0)  # PyTorch's clamp: -log clamped at 100
    assert all(np.isfinite(g).all() for g in grads.values())


def test_repr_names_the_architecture():
    assert repr(nnlib.MLP([2, 3, 1], seed=0)).startswith("MLP([2, 3, 1], activation='sigmoid'")


def test_zz_report_largest_numeric_error():
    report("gradients", f"largest relative error against the numeric gradient: {WORST['numeric']:.2e}")
    assert WORST["numeric"] < 1e-7


def broken_networks():
    """(description, network) pairs whose parameters are broken after construction."""
    nan, transposed, missing, listed = (nnlib.MLP([2, 4, 1], seed=0) for _ in range(4))
    nan.params["W1"][0, 0] = np.nan
    transposed.params["W1"] = transposed.params["W1"].T.copy()
    del missing.params["b2"]
    listed.params["W2"] = listed.params["W2"].tolist()
    return [("NaN", nan, r"net.params\['W1'\] holds NaN or inf"),
            ("transposed", transposed, r"net.params\['W1'\] must be a float array of shape \(2, 4\), got "
                                       r"ndarray of shape \(4, 2\)"),
            ("missing", missing, r"net.params\['b2'\] must be a float array of shape \(1,\), got NoneType"),
            ("list", listed, r"net.params\['W2'\] must be a float array")]


@pytest.mark.parametrize("method", ["forward", "layer_outputs", "loss", "loss_and_grads", "predict",
                                    "accuracy"])
@pytest.mark.parametrize("case", range(4))
def test_every_public_method_refuses_broken_parameters_naming_them(method, case):
    _, net, message = broken_networks()[case]
    X, y = nnlib.data.xor()
    args = (X,) if method in ("forward", "layer_outputs", "predict") else (X, y)
    with pytest.raises(ValueError, match=message):
        getattr(net, method)(*args)


def test_a_loss_that_overflows_is_refused_not_returned_as_inf():
    net = nnlib.MLP([2, 4, 1], activation="relu", output_activation="identity", seed=0)
    net.params["W2"][...] = 1e200
    X, y = nnlib.data.xor()
    with np.errstate(all="ignore"), pytest.raises(ValueError, match="the loss is inf: .* overflowed"):
        net.loss_and_grads(X * 1e200, y)


def test_softmax_network_with_logits_near_the_float64_limit_refuses_its_loss_by_name():
    net = nnlib.MLP([2, 2], output_activation="softmax", loss="cross_entropy", seed=0)
    net.params["W1"][...] = [[1.7e308, -1.7e308], [0.0, 0.0]]  # X = [[1, 0]] -> logits [1.7e308, -1.7e308]
    X = np.array([[1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning on the way
        for label in (0, 1):
            with pytest.raises(ValueError, match=r"the loss is (nan|inf): .* overflowed"):
                net.loss(X, [label])


@pytest.mark.parametrize("method", ["forward", "predict", "accuracy", "loss"])
def test_outputs_that_overflow_are_refused_by_name_without_a_numpy_warning(method):
    net = nnlib.MLP([2, 4, 4, 1], activation="relu", loss="bce", seed=0)
    for name in ("W1", "W2", "W3"):
        net.params[name] *= 1e200  # huge but finite: the products overflow (NaN outputs, NumPy warnings)
    X, y = nnlib.data.xor()
    args = (X,) if method in ("forward", "predict") else (X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"(the outputs hold NaN or inf|the loss is nan): the network's "
                                             r"numbers overflowed float64 .* weights or the inputs are far"):
            getattr(net, method)(*args)


@pytest.mark.parametrize("sizes", [{2, 4, 1}, {2: 0, 4: 0, 1: 0}, "241", 241])
def test_layer_sizes_must_be_a_sequence_not_a_set_or_dict(sizes):
    with pytest.raises(TypeError, match="layer_sizes must be a list of ints"):
        nnlib.MLP(sizes)


def test_absurd_layer_sizes_are_refused_with_a_readable_message():
    with pytest.raises(ValueError, match=r"layer_sizes \[~10\^200, ~10\^200\] would need about 10\^400 "):
        nnlib.MLP([10**200, 10**200])


def test_huge_but_finite_inputs_pass_the_checks_without_a_warning():
    net = nnlib.MLP([2, 4, 1], seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the finiteness check once summed X: "overflow encountered in reduce"
        X, Y = net.check_data(np.full((3, 2), 1e308), [0, 1, 1])
    assert X.max() == 1e308


@pytest.mark.parametrize("method", ["loss", "loss_and_grads"])
def test_an_infinite_weight_hidden_by_a_dead_unit_is_still_refused(method):
    # relu(-inf) = 0 gives a finite loss and finite gradients: a check only after the loss missed it.
    net = nnlib.MLP([2, 4, 1], activation="relu", loss="bce", seed=0)
    net.params["b1"][0] = -np.inf
    with pytest.raises(ValueError, match=r"net.params\['b1'\] holds NaN or inf"):
        getattr(net, method)(*nnlib.data.xor())


def test_integer_parameters_are_refused_naming_their_dtype():
    net = nnlib.MLP([2, 4, 1], seed=0)
    net.params["b1"] = np.zeros(4, dtype=np.int64)
    with pytest.raises(ValueError, match=r"net.params\['b1'\] must be a float array .* dtype int64"):
        net.forward(nnlib.data.xor()[0])


@pytest.mark.parametrize("subclass", [np.ma.MaskedArray, np.matrix])
def test_an_ndarray_subclass_parameter_is_refused_naming_it(subclass):
    # Both change what the formulas compute (for a matrix, * is the matrix product) or fail deep in NumPy.
    net = nnlib.MLP([2, 4, 1], seed=0)
    net.params["W1"] = net.params["W1"].view(subclass)
    X, y = nnlib.data.xor()
    message = rf"net.params\['W1'\] must be a plain NumPy array, not {subclass.__name__}: use np.asarray"
    for call in (lambda: net.forward(X), lambda: net.loss_and_grads(X, y),
                 lambda: nnlib.train(net, X, y, nnlib.SGD(lr=0.1), epochs=1)):
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.parametrize("order", ["C", "F"])
def test_the_finiteness_check_finds_nan_in_any_memory_layout(order):
    from nnlib._checks import check_finite

    X = np.ones((5, 3), order=order)
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"1 value\(s\) are NaN or inf \(the first at index \(3, 1\)"):
        check_finite("X", X)
    check_finite("X", np.full((4, 2), 1e300, order=order))  # huge but finite: a.a overflows, X passes
