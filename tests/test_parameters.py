"""Parameters: named windows into one flat vector; optimisers use the one-vector path only when it is safe."""

import copy
import pickle
import warnings

import numpy as np
import pytest

import nnlib
from nnlib.parameters import Parameters, copy_values, packed_alike


def make_arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(size=(2, 3)), "b1": rng.normal(size=3), "W2": rng.normal(size=(3, 1)),
            "b2": rng.normal(size=1)}


def test_entries_are_windows_into_the_vector_in_order():
    arrays = make_arrays()
    params = Parameters(arrays)
    assert params.vector.shape == (6 + 3 + 3 + 1,)
    assert np.array_equal(params.vector, np.concatenate([a.ravel() for a in arrays.values()]))
    params["b1"][0] = 5.0                                   # a change through the window shows in the vector
    assert params.vector[6] == 5.0
    params.vector[-1] = -7.0                                # and the other way round
    assert params["b2"][0] == -7.0
    assert arrays["b1"][0] != 5.0                           # the values were copied in, not aliased
    assert params.layout == (("W1", (2, 3)), ("b1", (3,)), ("W2", (3, 1)), ("b2", (1,)))


def test_replacing_an_entry_unpacks_and_copies_are_independent():
    params = Parameters(make_arrays())
    grads = Parameters.zeros(params.layout)
    assert grads.layout is params.layout and not grads.vector.any() and packed_alike(params, grads)
    params["W2"] = np.ones((3, 1))                          # a new array: no longer a window into the vector
    assert not params.is_packed() and not packed_alike(params, grads)
    for duplicate in (copy.deepcopy(params), pickle.loads(pickle.dumps(params))):
        assert duplicate.is_packed() and np.array_equal(duplicate["W2"], np.ones((3, 1)))
        duplicate["W1"][...] = 0.0
        assert params["W1"].any()                           # the copy has memory of its own


def test_copy_values_works_packed_and_unpacked():
    source, target = Parameters(make_arrays(1)), Parameters(make_arrays(2))
    assert np.array_equal(Parameters(source).vector, source.vector)  # a packed copy: one vector copy
    copy_values(source, target)
    assert np.array_equal(target.vector, source.vector)
    plain = {name: value + 1.0 for name, value in source.items()}
    copy_values(plain, target)                              # a plain dict: array by array
    assert all(np.array_equal(target[name], plain[name]) for name in plain)


@pytest.mark.parametrize("make_optimizer", [
    lambda: nnlib.SGD(lr=0.1), lambda: nnlib.SGD(lr=0.1, momentum=0.9, weight_decay=0.01),
    lambda: nnlib.Adam(lr=0.01, weight_decay=0.01)])
def test_one_vector_path_equals_array_by_array_path(make_optimizer):
    """The fast path (packed Parameters) and the general one (plain dicts) give bit-identical weights."""
    packed, plain = Parameters(make_arrays()), make_arrays()
    packed_optimizer, plain_optimizer = make_optimizer(), make_optimizer()
    rng = np.random.default_rng(3)
    for step in range(5):
        gradient = {name: rng.normal(size=value.shape) for name, value in plain.items()}
        grads = Parameters(gradient)
        packed_optimizer.step(packed, grads)
        plain_optimizer.step(plain, gradient)
        if step == 2:                                       # switching paths mid-way keeps the state
            packed_optimizer.step(packed, dict(grads))
            plain_optimizer.step(plain, gradient)
        assert all(np.array_equal(packed[name], plain[name]) for name in plain), step
        assert np.array_equal(grads.vector, Parameters(gradient).vector)  # gradients left untouched


def test_optimizer_refuses_parameters_of_another_network():
    optimizer = nnlib.SGD(lr=0.1, momentum=0.9)
    first, second = nnlib.MLP([2, 3, 1], seed=0), nnlib.MLP([2, 5, 1], seed=0)
    optimizer.step(first.params, first.loss_and_grads(np.ones((1, 2)), [1])[1])
    with pytest.raises(ValueError, match="use one optimiser per network"):
        optimizer.step(second.params, second.loss_and_grads(np.ones((1, 2)), [1])[1])


def test_loss_and_grads_returns_gradients_that_later_calls_leave_alone():
    net = nnlib.MLP([2, 3, 1], seed=0)
    _, first = net.loss_and_grads(np.array([[1.0, 2.0]]), [1])
    kept = {name: value.copy() for name, value in first.items()}
    net.loss_and_grads(np.array([[-3.0, 0.5]]), [0])
    assert all(np.array_equal(first[name], kept[name]) for name in kept)


def test_training_still_updates_replaced_arrays():
    """A learner may put new arrays into net.params (notebook 02 does): training must use and update those."""
    X, y = nnlib.data.xor()
    net, reference = nnlib.MLP([2, 4, 1], seed=1), nnlib.MLP([2, 4, 1], seed=1)
    net.params.update({name: value.copy() for name, value in net.params.items()})
    assert not net.params.is_packed()
    replaced = net.params["W1"]
    for network in (net, reference):
        nnlib.train(network, X, y, nnlib.SGD(lr=0.5, momentum=0.5), epochs=50)
    assert net.params["W1"] is replaced
    assert all(np.array_equal(net.params[name], reference.params[name]) for name in net.params)


def test_network_methods_do_not_warn_for_huge_inputs():
    net = nnlib.MLP([2, 3, 1], loss="bce", seed=0)
    X = np.array([[1e6, -1e6], [-1e6, 1e6]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        outputs = net.forward(X)
        loss, _ = net.loss_and_grads(X, [0, 1])
    assert np.all((outputs >= 0) & (outputs <= 1)) and np.isfinite(loss)
