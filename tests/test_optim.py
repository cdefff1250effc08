"""SGD and Adam against values computed by hand (40 steps against PyTorch: test_pytorch_reference)."""

import copy
import pickle

import numpy as np
import pytest

import nnlib


def run(optimizer, gradients, start=1.0):
    """Apply the optimiser to one parameter p = start with the given gradient values; returns p after each."""
    params = {"p": np.array([start])}
    seen = []
    for gradient in gradients:
        optimizer.step(params, {"p": np.array([gradient])})
        seen.append(params["p"][0])
    return seen


def test_sgd_plain_steps():
    # p = 1 - 0.1 * 0.5 = 0.95, then 0.95 - 0.1 * 0.5 = 0.9
    assert run(nnlib.SGD(lr=0.1), [0.5, 0.5]) == pytest.approx([0.95, 0.9], abs=1e-15)


def test_sgd_momentum_buffer_starts_as_first_gradient():
    # buffer 0.5 -> p 0.95; buffer 0.9*0.5 + 0.5 = 0.95 -> p 0.855; buffer 0.9*0.95 + 0.5 = 1.355 -> p 0.7195
    steps = run(nnlib.SGD(lr=0.1, momentum=0.9), [0.5, 0.5, 0.5])
    assert steps == pytest.approx([0.95, 0.855, 0.7195], abs=1e-15)


def test_sgd_weight_decay_adds_to_gradient():
    # g = 0.5 + 0.1 * 1 = 0.6 -> p 0.94; g = 0.5 + 0.1 * 0.94 = 0.594 -> p 0.8806
    assert run(nnlib.SGD(lr=0.1, weight_decay=0.1), [0.5, 0.5]) == pytest.approx([0.94, 0.8806], abs=1e-15)


def test_adam_constant_gradient_moves_by_lr():
    # m_hat = 0.5 and v_hat = 0.25 at every step, so each step is 0.1 * 0.5 / (0.5 + 1e-8) = 0.099999998
    assert run(nnlib.Adam(lr=0.1), [0.5, 0.5]) == pytest.approx([0.900000002, 0.800000004], abs=1e-15)


def test_adam_bias_correction_with_sign_change():
    # step 1: m = 0.1, v = 0.001 -> m_hat = 1, v_hat = 1 -> p = 1 - 0.1 / (1 + 1e-8) = 0.900000001
    # step 2: m = 0.09 - 0.1 = -0.01 -> m_hat = -0.01 / 0.19 = -0.0526315789...; v = 0.001999 -> v_hat = 1
    #         p = 0.900000001 + 0.1 * 0.0526315789 / (1 + 1e-8) = 0.9052631589...
    first, second = run(nnlib.Adam(lr=0.1), [1.0, -1.0])
    assert first == pytest.approx(0.900000001, abs=1e-15)
    assert second == pytest.approx(0.900000001 + 0.1 * (0.01 / 0.19) / (1 + 1e-8), abs=1e-15)
    assert second == pytest.approx(0.905263158, abs=1e-9)


def test_step_updates_arrays_in_place_and_keeps_state_per_name():
    params = {"W1": np.ones((2, 2)), "b1": np.zeros(2)}
    W1 = params["W1"]
    optimizer = nnlib.SGD(lr=0.5, momentum=0.5)
    optimizer.step(params, {"W1": np.ones((2, 2)), "b1": np.ones(2)})
    assert params["W1"] is W1 and np.allclose(W1, 0.5) and set(optimizer.buffers) == {"W1", "b1"}


def test_step_does_not_change_the_gradients():
    grads = {"p": np.array([0.5])}
    nnlib.Adam(lr=0.1, weight_decay=0.1).step({"p": np.array([1.0])}, grads)
    assert grads["p"][0] == 0.5


@pytest.mark.parametrize("make, argument", [
    (lambda: nnlib.SGD(lr=0), "lr"), (lambda: nnlib.SGD(lr=-1), "lr"),
    (lambda: nnlib.SGD(lr=0.1, momentum=1.0), "momentum"),
    (lambda: nnlib.SGD(lr=0.1, momentum=-0.1), "momentum"),
    (lambda: nnlib.SGD(lr=0.1, weight_decay=-1), "weight_decay"), (lambda: nnlib.Adam(lr=0), "lr"),
    (lambda: nnlib.Adam(betas=(1.0, 0.999)), "betas[0]"), (lambda: nnlib.Adam(betas=(0.9, -0.1)), "betas[1]"),
    (lambda: nnlib.Adam(eps=0.0), "eps"), (lambda: nnlib.Adam(weight_decay=-0.5), "weight_decay"),
])
def test_bad_hyperparameters_raise_naming_the_argument(make, argument):
    with pytest.raises(ValueError, match=rf"^{argument.replace('[', '.').replace(']', '.')} must be in"):
        make()


def test_bad_types_and_mismatched_dicts_raise():
    with pytest.raises(TypeError, match="lr must be a real number, got 'fast'"):
        nnlib.SGD(lr="fast")
    with pytest.raises(TypeError, match="betas must be a pair"):
        nnlib.Adam(betas=0.9)
    with pytest.raises(ValueError, match="same keys"):
        nnlib.SGD(lr=0.1).step({"W1": np.ones(2)}, {"W2": np.ones(2)})
    with pytest.raises(ValueError, match=r"grads\['W1'\] has shape \(3,\)"):
        nnlib.Adam().step({"W1": np.ones(2)}, {"W1": np.ones(3)})


@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=0.1), lambda: nnlib.Adam(lr=0.1)])
def test_integer_parameters_are_refused_not_truncated(make):
    params = {"W1": np.array([[1, 2], [3, 4]])}  # int64: W -= 0.05 would be truncated (or refused by NumPy)
    with pytest.raises(TypeError, match=r"params\['W1'\] must be a NumPy float array .* int64"):
        make().step(params, {"W1": np.full((2, 2), 0.5)})
    assert params["W1"].tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=0.1, momentum=0.9), lambda: nnlib.Adam(lr=0.1)])
def test_nan_or_inf_gradients_are_refused_before_anything_changes(make, bad):
    params = {"W1": np.ones((2, 2)), "b1": np.zeros(2)}
    optimizer = make()
    optimizer.step(params, {"W1": np.ones((2, 2)), "b1": np.ones(2)})
    before = {name: value.copy() for name, value in params.items()}
    state_before = {key: dict(value) if isinstance(value, dict) else value
                    for key, value in vars(optimizer).items()}
    with pytest.raises(ValueError, match=r"grads\['b1'\] must be finite, but 1 value\(s\) are NaN or inf"):
        optimizer.step(params, {"W1": np.ones((2, 2)), "b1": np.array([0.5, bad])})
    assert all(np.array_equal(params[name], before[name]) for name in params)
    assert vars(optimizer).keys() == state_before.keys()
    for key, value in state_before.items():
        assert (getattr(optimizer, key) == value) if not isinstance(value, dict) else all(
            getattr(optimizer, key)[name] is array for name, array in value.items())


@pytest.mark.parametrize("make, attribute, value", [
    (lambda: nnlib.SGD(lr=0.1), "lr", -0.1), (lambda: nnlib.SGD(lr=0.1), "lr", "fast"),
    (lambda: nnlib.SGD(lr=0.1, momentum=0.5), "momentum", 1.5), (lambda: nnlib.Adam(), "lr", 0.0),
    (lambda: nnlib.Adam(), "eps", -1.0), (lambda: nnlib.Adam(), "betas", (0.9, 1.0)),
])
def test_invalid_hyperparameter_set_after_construction_is_refused_at_the_next_step(make, attribute, value):
    optimizer, params = make(), {"p": np.array([1.0])}
    setattr(optimizer, attribute, value)
    with pytest.raises((ValueError, TypeError), match=rf"^{attribute}"):
        optimizer.step(params, {"p": np.array([0.5])})
    assert params["p"][0] == 1.0


@pytest.mark.parametrize("make, attribute, value", [
    (lambda: nnlib.SGD(lr=1.0), "lr", True),  # True == 1.0: an equality test took it for the checked lr
    (lambda: nnlib.SGD(lr=0.1), "lr", np.array([0.1, 0.2])),  # == gives an array: "truth value ambiguous"
    (lambda: nnlib.Adam(), "betas", np.array([0.9, 0.99])),
])
def test_a_hyperparameter_equal_to_the_checked_one_or_an_array_is_still_checked(make, attribute, value):
    optimizer, params = make(), {"p": np.array([1.0])}
    setattr(optimizer, attribute, value)
    with pytest.raises(TypeError, match=rf"^{attribute} must be"):
        optimizer.step(params, {"p": np.array([0.5])})
    assert params["p"][0] == 1.0


def test_a_learning_rate_given_as_a_fraction_is_used_as_its_value():
    from fractions import Fraction

    optimizer, params = nnlib.SGD(lr=0.5), {"p": np.array([1.0])}
    optimizer.lr = Fraction(1, 2)  # == 0.5, the checked lr: it was taken as checked, then NumPy refused it
    optimizer.step(params, {"p": np.array([0.5])})
    assert params["p"][0] == 0.75 and optimizer.lr == 0.5


@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=0.1, momentum=0.9), lambda: nnlib.Adam(lr=0.1)])
def test_a_read_only_parameter_is_refused_before_any_parameter_changes(make):
    params = {"W1": np.ones((2, 2)), "W2": np.ones(2)}
    params["W2"].flags.writeable = False  # W1 comes first: it used to be updated before W2 failed
    optimizer = make()
    with pytest.raises(ValueError, match=r"params\['W2'\] is read-only"):
        optimizer.step(params, {"W1": np.ones((2, 2)), "W2": np.ones(2)})
    assert np.array_equal(params["W1"], np.ones((2, 2)))
    assert not getattr(optimizer, "buffers", None) and not getattr(optimizer, "m", None)
    assert getattr(optimizer, "t", 0) == 0


@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=0.1, momentum=0.9), lambda: nnlib.Adam(lr=0.1)])
def test_gradients_given_as_nested_lists_work_like_arrays(make):
    grads = {"W1": [[0.5, -1.0, 2.0], [0.0, 1.0, 3.0]], "b1": [1.0, 2.0, 3.0]}
    with_lists, with_arrays = ({"W1": np.ones((2, 3)), "b1": np.zeros(3)} for _ in range(2))
    list_optimizer, array_optimizer = make(), make()
    for _ in range(2):
        list_optimizer.step(with_lists, grads)
        array_optimizer.step(with_arrays, {name: np.array(value) for name, value in grads.items()})
    assert all(np.array_equal(with_lists[name], with_arrays[name]) for name in grads)


def test_optimizer_refuses_parameters_of_another_network():
    optimizer = nnlib.SGD(lr=0.1, momentum=0.9)
    first, second = nnlib.MLP([2, 3, 1], seed=0), nnlib.MLP([2, 5, 1], seed=0)
    optimizer.step(first.params, first.loss_and_grads(np.ones((1, 2)), [1])[1])
    with pytest.raises(ValueError, match="use one optimiser per network"):
        optimizer.step(second.params, second.loss_and_grads(np.ones((1, 2)), [1])[1])


def test_step_gives_the_state_fresh_arrays_and_leaves_the_old_ones_alone():
    # nnlib.train undoes an interrupted step by putting the old state back: it must not have been changed.
    optimizer, params = nnlib.Adam(lr=0.1), {"p": np.array([1.0, 2.0])}
    optimizer.step(params, {"p": np.array([0.5, 0.5])})
    m, v = optimizer.m["p"], optimizer.v["p"]
    m_before, v_before = m.copy(), v.copy()
    optimizer.step(params, {"p": np.array([-1.0, 3.0])})
    assert optimizer.m["p"] is not m and np.array_equal(m, m_before) and np.array_equal(v, v_before)


@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=0.1, momentum=0.9), lambda: nnlib.Adam(lr=0.1)])
def test_an_optimiser_refuses_a_new_network_of_the_same_shapes(make):
    # Its state (momentum buffers, Adam's m, v and step count t) came from the first network's gradients:
    # carried over silently, the second network's first steps were the first network's.
    X, y = nnlib.data.xor()
    optimizer, first = make(), nnlib.MLP([2, 4, 1], seed=0)
    nnlib.train(first, X, y, optimizer, epochs=5)
    second = nnlib.MLP([2, 4, 1], seed=1)
    before = {name: W.copy() for name, W in second.params.items()}
    with pytest.raises(ValueError, match="belongs to the parameter arrays it stepped before.*one optimiser"):
        nnlib.train(second, X, y, optimizer, epochs=5)
    assert all(np.array_equal(W, before[name]) for name, W in second.params.items())
    loaded = nnlib.MLP([2, 4, 1], seed=0)   # the same numbers in other arrays: not the arrays it stepped
    with pytest.raises(ValueError, match="A new or loaded network needs a new optimiser"):
        optimizer.step(loaded.params, loaded.loss_and_grads(X, y)[1])
    nnlib.train(first, X, y, optimizer, epochs=5)   # its own network trains on


def test_a_stateless_sgd_may_step_any_network():
    X, y = nnlib.data.xor()
    optimizer = nnlib.SGD(lr=0.5)   # no momentum: nothing carried from one step to the next
    for seed in (0, 1):
        net = nnlib.MLP([2, 4, 1], seed=seed)
        history = nnlib.train(net, X, y, optimizer, epochs=20)
        assert history.epochs_run == 20


def test_adam_refuses_a_gradient_whose_square_overflows_and_changes_nothing():
    # Before: v became inf (with only NumPy's overflow warning), so the step of that entry was 0, silently.
    optimizer, params = nnlib.Adam(lr=0.1), {"W": np.array([1.0, 2.0]), "b": np.array([0.5])}
    with pytest.raises(nnlib.optim.GradientError, match=r"grads\[.b.\] holds 1e\+160, too large for Adam"):
        optimizer.step(params, {"W": np.array([0.1, 0.1]), "b": np.array([1e160])})
    assert params["W"].tolist() == [1.0, 2.0] and optimizer.t == 0 and optimizer.m == {}
    optimizer.step(params, {"W": np.array([0.1, 0.1]), "b": np.array([1e150])})   # its square still fits
    assert np.isfinite(optimizer.v["b"]).all() and params["b"][0] == pytest.approx(0.4)


@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=0.1, momentum=0.9), lambda: nnlib.Adam(lr=0.1)])
def test_a_copied_network_and_optimiser_train_on_together_and_restoring_in_place_is_allowed(make):
    X, y = nnlib.data.xor()
    net, optimizer = nnlib.MLP([2, 4, 1], seed=0), make()
    nnlib.train(net, X, y, optimizer, epochs=3)
    copied_net, copied_optimizer = copy.deepcopy((net, optimizer))   # copied together: they still belong
    assert nnlib.train(copied_net, X, y, copied_optimizer, epochs=3).epochs_run == 3
    net_back, optimizer_back = pickle.loads(pickle.dumps((net, optimizer)))   # and through pickle
    assert nnlib.train(net_back, X, y, optimizer_back, epochs=3).epochs_run == 3
    best = {name: W.copy() for name, W in net.params.items()}
    nnlib.train(net, X, y, optimizer, epochs=3)
    for name in best:   # restoring the best weights in place: the same arrays, the same optimiser
        net.params[name][...] = best[name]
    assert nnlib.train(net, X, y, optimizer, epochs=3).epochs_run == 3
    net.params = best   # new arrays: refused, with the in-place way in the message
    with pytest.raises(ValueError, match=r"net.params\[name\]\[...\] = best\[name\]"):
        nnlib.train(net, X, y, optimizer, epochs=1)


@pytest.mark.parametrize("W, weight_decay, shown", [(1e160, 1.0, "1e+160"), (1e308, 10.0, "inf")])
def test_adam_checks_the_gradient_with_weight_decay_added(W, weight_decay, shown):
    # The size check looked at g before weight_decay * W was added: v became inf (silently in train, with
    # NumPy's overflow warning by hand), and that weight's steps were 0.
    optimizer, params = nnlib.Adam(lr=0.1, weight_decay=weight_decay), {"W": np.array([W, 1.0])}
    with pytest.raises(nnlib.optim.GradientError) as raised:
        optimizer.step(params, {"W": np.array([0.0, 0.5])})
    assert str(raised.value) == (f"grads['W'] + weight_decay * params['W'] holds {shown}, too large for "
                                 "Adam: its square, kept in v, overflows float64")
    assert params["W"].tolist() == [W, 1.0] and optimizer.t == 0 and optimizer.m == {}
