"""train(): XOR for 20 of 20 seeds, mini-batches, callbacks, validation, determinism, divergence."""

import numpy as np
import pytest

import nnlib

X_XOR = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
Y_XOR = np.array([0, 1, 1, 0])


def blobs(seed=0, n=60):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return rng.standard_normal((n, 2)) + 2.0 * y[:, None], y


@pytest.mark.parametrize("seed", range(20))
def test_xor_2_4_1_sigmoid_mse_learns_all_four_points(seed):
    # The recipe: Xavier init, full batch, SGD(lr=2.0, momentum=0.9), 1000 epochs.
    net = nnlib.MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", loss="mse", seed=seed)
    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(lr=2.0, momentum=0.9), epochs=1000)
    assert net.predict(X_XOR).tolist() == [0, 1, 1, 0]
    assert history.accuracy[-1] == 1.0 and history.stop_reason is None and history.epochs_run == 1000


def test_history_has_one_entry_per_epoch_and_loss_falls():
    X, y = blobs()
    net = nnlib.MLP([2, 8, 1], activation="tanh", loss="bce", seed=0)
    history = nnlib.train(net, X, y, nnlib.Adam(lr=0.05), epochs=30, validation=blobs(1))
    lists = (history.loss, history.accuracy, history.val_loss, history.val_accuracy)
    assert [len(values) for values in lists] == [30, 30, 30, 30]
    assert history.loss[-1] < history.loss[0] and history.val_accuracy[-1] > 0.9
    assert history.val_loss[-1] == pytest.approx(net.loss(*blobs(1)), rel=1e-12)


def test_full_batch_loss_is_measured_before_each_step():
    X, y = blobs()
    net = nnlib.MLP([2, 3, 1], loss="bce", seed=2)
    before = net.loss(X, y)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=0.1), epochs=1)
    assert history.loss == [before]


def test_mini_batch_epoch_loss_is_mean_over_samples():
    X, y = blobs(n=50)
    net = nnlib.MLP([2, 4, 1], loss="mse", seed=3)
    before = net.loss(X, y)
    optimizer = nnlib.SGD(lr=1e-300)  # lr ~ 0: the weights stay as they are
    history = nnlib.train(net, X, y, optimizer, epochs=2, batch_size=7, seed=0)
    assert history.loss == pytest.approx([before, before], rel=1e-12)
    assert history.accuracy[0] == net.accuracy(X, y)


def test_same_seed_gives_bit_identical_history_different_seed_differs():
    def run(seed):
        X, y = blobs()
        net = nnlib.MLP([2, 5, 1], activation="relu", loss="bce", seed=4)
        return nnlib.train(net, X, y, nnlib.SGD(lr=0.1, momentum=0.5), epochs=5, batch_size=8, seed=seed).loss
    assert run(1) == run(1)
    assert run(1) != run(2)


def test_callback_sees_every_epoch_and_can_stop():
    seen = []

    def callback(epoch, history):
        seen.append((epoch, len(history.loss)))
        return epoch == 3

    net = nnlib.MLP([2, 4, 1], seed=0)
    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(lr=0.5), epochs=10, callback=callback)
    assert seen == [(1, 1), (2, 2), (3, 3)]
    assert history.epochs_run == 3 and "callback" in history.stop_reason


def test_divergence_stops_with_reason_and_finite_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 2)) * 100, rng.standard_normal(20) * 1e3
    net = nnlib.MLP([2, 8, 1], activation="relu", output_activation="identity", loss="mse", seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=10.0), epochs=200)
    assert history.stop_reason is not None and "learning rate" in history.stop_reason
    assert f"epoch {history.epochs_run + 1}" in history.stop_reason
    assert len(history.loss) == history.epochs_run < 200
    assert all(np.isfinite(p).all() for p in net.params.values())
    assert np.isfinite(net.loss(X, y))


def test_cross_entropy_training_on_three_classes():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 3, 90)
    X = rng.standard_normal((90, 2)) + 3.0 * np.eye(3)[y][:, :2] - 1.5 * (y == 2)[:, None]
    net = nnlib.MLP([2, 8, 3], activation="relu", output_activation="softmax", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, y, nnlib.Adam(lr=0.05), epochs=100, batch_size=16, seed=0)
    assert history.accuracy[-1] > 0.85 and net.accuracy(X, y) > 0.85
