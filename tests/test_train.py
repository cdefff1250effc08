"""train(): XOR for 20 of 20 seeds, mini-batches, callbacks, validation, determinism, divergence, diagnostics,
the stop button."""

import sys

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
    assert history.warnings == []


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


def test_a_loss_that_becomes_inf_stops_training_and_restores_finite_weights():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((20, 2)) * 100, rng.standard_normal(20) * 1e3
    net = nnlib.MLP([2, 8, 1], activation="relu", output_activation="identity", loss="mse", seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=10.0), epochs=200, batch_size=2, seed=0)
    assert history.stop_reason is not None and "learning rate" in history.stop_reason
    assert f"became inf at epoch {history.epochs_run + 1}" in history.stop_reason
    assert len(history.loss) == history.epochs_run < 200 and history.stop_reason in history.warnings
    assert all(np.isfinite(p).all() for p in net.params.values())
    assert np.isfinite(net.loss(X, y))


@pytest.mark.parametrize("lr", [10.0, 100.0])
def test_a_loss_rising_far_above_its_start_stops_training_as_diverged(lr):
    # The example: the spiral at lr 10 went from 1.04 to 6.83 with stop_reason None.
    X, y = nnlib.data.spiral(300, classes=3, noise=0.2, seed=0)
    net = nnlib.MLP([2, 16, 3], activation="tanh", output_activation="softmax", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=lr), epochs=200)
    assert history.epochs_run < 200 and history.loss[-1] > 3 * history.loss[0]
    assert "diverged" in history.stop_reason and f"lr={lr}" in history.stop_reason
    assert history.warnings[0] == history.stop_reason


@pytest.mark.parametrize("seed", [5, 7, 8, 10, 17])
def test_dead_relu_units_are_named_and_really_dead(seed):
    # A 2-4-1 ReLU net on XOR stalls at 75 % for these seeds: some hidden units output 0 for every sample.
    net = nnlib.MLP([2, 4, 1], activation="relu", output_activation="sigmoid", loss="bce", init="he",
                    seed=seed)
    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(lr=0.5), epochs=2000)
    assert history.accuracy[-1] == 0.75 and history.stop_reason is None
    [sentence] = history.warnings
    dead = np.flatnonzero((net.layer_outputs(X_XOR)[0] == 0.0).all(axis=0)).tolist()
    assert dead and f"{len(dead)} of the 4 units of hidden layer 1 are dead" in sentence
    named = " and ".join([", ".join(map(str, dead[:-1])), str(dead[-1])]) if len(dead) > 1 else str(dead[0])
    assert f"units {named} (columns of W1" in sentence


def test_unscaled_inputs_and_saturated_units_are_reported():
    # Raw 0-16 pixel values: the tanh units saturate and accuracy collapses; the history says why.
    X, y = nnlib.data.load_digits()
    net = digit_net()
    history = nnlib.train(net, X[:600] * 16, y[:600], nnlib.SGD(lr=0.1, momentum=0.9), epochs=10,
                          batch_size=32, seed=0)
    scale, saturation = history.warnings
    assert scale.startswith("the inputs are not scaled") and "X ranges from 0 to 16" in scale
    assert "of the 32 units of hidden layer 1 are saturated (the tanh output stays" in saturation
    saturated = (np.abs(net.layer_outputs(X[:600] * 16)[0]) > 0.99).all(axis=0)
    assert saturation.startswith(f"{saturated.sum()} of the 32 units") and saturated.sum() > 16


def test_scaled_digits_train_without_warnings():
    X, y = nnlib.data.load_digits()
    net = digit_net()
    history = nnlib.train(net, X[:600], y[:600], nnlib.SGD(lr=0.1, momentum=0.9), epochs=10, batch_size=32,
                          seed=0)
    assert history.warnings == [] and history.stop_reason is None and history.accuracy[-1] > 0.9


def digit_net():
    return nnlib.MLP([64, 32, 10], activation="tanh", output_activation="softmax", loss="cross_entropy",
                     seed=0)


class InterruptingArray(np.ndarray):
    """A parameter array whose in-place update raises KeyboardInterrupt (the stop button) at a given step."""

    updates = 0
    interrupt_at = 0

    def __isub__(self, other):
        InterruptingArray.updates += 1
        if InterruptingArray.updates == InterruptingArray.interrupt_at:
            raise KeyboardInterrupt
        return super().__isub__(other)


@pytest.mark.parametrize("make_optimizer", [lambda: nnlib.Adam(lr=0.05),
                                            lambda: nnlib.SGD(lr=0.5, momentum=0.9)])
def test_interrupt_half_way_through_a_step_keeps_history_and_consistent_optimizer(make_optimizer,
                                                                                   monkeypatch):
    X, y = blobs()
    net, reference = (nnlib.MLP([2, 3, 1], loss="bce", seed=1) for _ in range(2))
    net.params["b1"] = net.params["b1"].view(InterruptingArray)  # W1 is updated first, then b1 raises
    monkeypatch.setattr(net, "check_params", lambda: None)  # it refuses ndarray subclasses such as this one
    InterruptingArray.updates, InterruptingArray.interrupt_at = 0, 5  # during the 5th step
    optimizer, reference_optimizer = make_optimizer(), make_optimizer()
    history = nnlib.train(net, X, y, optimizer, epochs=10)
    expected = nnlib.train(reference, X, y, reference_optimizer, epochs=4)
    assert history.epochs_run == 4 and history.loss == expected.loss and history.accuracy == expected.accuracy
    assert "interrupted" in history.stop_reason and "after 4 completed epochs" in history.stop_reason
    for name in net.params:  # the weights and the optimiser state are those after step 4, together
        assert np.array_equal(net.params[name], reference.params[name]), name
    state = {key: value for key, value in vars(reference_optimizer).items()
             if isinstance(value, dict) and key != "stepped"}   # buffers, or m and v
    for key, arrays in state.items():
        assert all(np.array_equal(getattr(optimizer, key)[name], arrays[name]) for name in arrays), key
    assert all(optimizer.stepped[name] is net.params[name] for name in net.params)
    assert getattr(optimizer, "t", 4) == 4
    nnlib.train(net, X, y, optimizer, epochs=1)  # training can go on from there
    nnlib.train(reference, X, y, reference_optimizer, epochs=1)
    assert all(np.array_equal(net.params[name], reference.params[name]) for name in net.params)


def test_interrupt_in_the_callback_keeps_the_completed_epochs():
    def callback(epoch, history):
        if epoch == 3:
            raise KeyboardInterrupt

    history = nnlib.train(nnlib.MLP([2, 4, 1], seed=0), X_XOR, Y_XOR, nnlib.SGD(lr=0.5), epochs=10,
                          callback=callback)
    assert history.epochs_run == 3 and len(history.loss) == 3
    assert "after 3 completed epochs" in history.stop_reason


def test_regression_targets_give_nan_accuracy_not_a_thresholded_one():
    X, _ = blobs()
    net = nnlib.MLP([2, 4, 1], activation="tanh", output_activation="identity", loss="mse", seed=0)
    history = nnlib.train(net, X, X[:, 0] * 0.3, nnlib.SGD(lr=0.05), epochs=3, validation=(X, X[:, 0] * 0.3))
    assert np.isnan(history.accuracy).all() and np.isnan(history.val_accuracy).all()


def test_cross_entropy_training_on_three_classes():
    rng = np.random.default_rng(5)
    y = rng.integers(0, 3, 90)
    X = rng.standard_normal((90, 2)) + 3.0 * np.eye(3)[y][:, :2] - 1.5 * (y == 2)[:, None]
    net = nnlib.MLP([2, 8, 3], activation="relu", output_activation="softmax", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, y, nnlib.Adam(lr=0.05), epochs=100, batch_size=16, seed=0)
    assert history.accuracy[-1] > 0.85 and net.accuracy(X, y) > 0.85


def spiral_net():
    return nnlib.MLP([2, 32, 3], activation="tanh", output_activation="softmax", loss="cross_entropy", seed=0)


@pytest.mark.parametrize("make", [lambda: nnlib.SGD(lr=100.0), lambda: nnlib.Adam(lr=10.0)])
def test_divergence_with_mini_batches_is_measured_from_the_loss_before_training(make):
    # With mini-batches epoch 1's mean loss already holds the blown-up steps (581 here): measured from it,
    # nothing looked like a divergence. The loss before the first step (1.099) is the start.
    X, y = nnlib.data.spiral(seed=0)
    history = nnlib.train(spiral_net(), X, y, make(), epochs=100, batch_size=32, seed=0)
    assert history.epochs_run < 100 and history.stop_reason is not None, history.loss[:5]
    assert "diverged" in history.stop_reason and "the loss rose from 1.099 to " in history.stop_reason


def test_a_trained_network_wrecked_by_a_huge_learning_rate_is_reported_even_with_a_bounded_loss():
    # mse with a sigmoid output cannot exceed 1, so "3 times max(start, log 2)" could never be reached.
    X, y = nnlib.data.moons(n=200, noise=0.1, seed=0)
    net = nnlib.MLP([2, 16, 1], activation="tanh", output_activation="sigmoid", loss="mse", seed=0)
    assert nnlib.train(net, X, y, nnlib.Adam(0.05), epochs=200).loss[-1] < 0.01
    history = nnlib.train(net, X, y, nnlib.SGD(lr=1000.0), epochs=20)
    assert history.stop_reason is not None and "diverged" in history.stop_reason
    assert "above a constant guess's loss (0.25" in history.stop_reason


def test_a_loss_rising_from_a_tiny_start_but_below_a_constant_guess_is_not_a_divergence():
    # Weight decay added to a trained network: its loss rises 38-fold as the weights shrink, on purpose.
    X, y = nnlib.data.moons(n=200, noise=0.1, seed=0)
    net = nnlib.MLP([2, 16, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)
    nnlib.train(net, X, y, nnlib.Adam(0.05), epochs=300)
    start = net.loss(X, y)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=0.5, weight_decay=0.03), epochs=50)
    assert max(history.loss) > 10 * start and max(history.loss) < np.log(2)  # the case this test is about
    assert history.stop_reason is None


@pytest.mark.parametrize("loss, output, y, expected", [
    ("bce", "sigmoid", np.array([0, 1, 1, 0]), np.log(2)),  # a coin toss
    ("cross_entropy", "softmax", np.array([0, 1, 2, 0, 1, 2]), np.log(3)),
    ("mse", "identity", np.array([1.0, 2.0, 3.0, 4.0]), 1.25),  # the variance of 1, 2, 3, 4
    ("bce", "sigmoid", np.array([1, 1, 1, 1]), 0.0),  # always 1: a constant guess is perfect
])
def test_the_guessing_loss_is_the_loss_of_a_constant_prediction(loss, output, y, expected):
    net = nnlib.MLP([1, y.max() + 1 if loss == "cross_entropy" else 1], output_activation=output, loss=loss)
    Y = net.check_data(np.zeros((len(y), 1)), y)[1]
    assert nnlib.diagnostics.guessing_loss(loss, Y) == pytest.approx(expected, abs=1e-12)
    constant = Y.mean(axis=0)  # the same number from nnlib's own losses, for the best constant prediction
    value = {"bce": lambda: nnlib.losses.bce(np.broadcast_to(constant, Y.shape), Y),
             "mse": lambda: nnlib.losses.mse(np.broadcast_to(constant, Y.shape), Y),
             "cross_entropy": lambda: nnlib.losses.cross_entropy(np.log(np.broadcast_to(constant, Y.shape)),
                                                                  Y)}
    assert value[loss]() == pytest.approx(expected, abs=1e-12)


def test_the_stop_button_during_the_last_look_at_the_units_keeps_the_history(monkeypatch):
    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(nnlib.diagnostics, "stuck_units", interrupted)
    history = nnlib.train(nnlib.MLP([2, 4, 1], seed=0), X_XOR, Y_XOR, nnlib.SGD(0.5), epochs=100)
    assert history.epochs_run == 100 and len(history.loss) == 100 and history.stop_reason is None


def test_training_a_network_whose_weights_are_already_nan_is_refused_before_any_epoch():
    net = nnlib.MLP([2, 4, 1], seed=0)
    net.params["W1"][0, 0] = np.nan
    with pytest.raises(ValueError, match=r"net.params\['W1'\] holds NaN or inf"):
        nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(0.1), epochs=3)


def test_the_stop_button_during_the_final_finiteness_check_keeps_the_history():
    class StopPressedDuringFinalCheck(dict):
        def values(self):  # train reads params.values() only in its final check
            raise KeyboardInterrupt

    net = nnlib.MLP([2, 4, 1], seed=0)
    net.params = StopPressedDuringFinalCheck(net.params)
    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.Adam(0.01), epochs=50)
    assert history.epochs_run == 50 and len(history.loss) == 50


def test_a_second_stop_press_during_the_undo_still_leaves_weights_and_optimizer_together(monkeypatch):
    checkpoint_class = sys.modules["nnlib.train"].Checkpoint
    original, presses = checkpoint_class.restore, []

    def pressed_again(self):  # stop is pressed again as the first undo starts
        if not presses:
            presses.append(1)
            raise KeyboardInterrupt
        original(self)

    monkeypatch.setattr(checkpoint_class, "restore", pressed_again)
    X, y = blobs()
    net, reference = (nnlib.MLP([2, 3, 1], loss="bce", seed=1) for _ in range(2))
    net.params["b1"] = net.params["b1"].view(InterruptingArray)  # W1 is updated first, then b1 raises
    monkeypatch.setattr(net, "check_params", lambda: None)  # it refuses ndarray subclasses such as this one
    InterruptingArray.updates, InterruptingArray.interrupt_at = 0, 5  # during the 5th step
    optimizer, reference_optimizer = nnlib.Adam(lr=0.05), nnlib.Adam(lr=0.05)
    history = nnlib.train(net, X, y, optimizer, epochs=10)
    nnlib.train(reference, X, y, reference_optimizer, epochs=4)
    assert presses and history.epochs_run == 4 and optimizer.t == 4
    for name in net.params:  # the weights after step 4, as the optimiser's state says
        assert np.array_equal(net.params[name], reference.params[name]), name


# --- divergence: judged on several epochs, and on the network at the end ----------------------------------
@pytest.mark.parametrize("data, activation, loss, lr", [("xor_cloud", "tanh", "cross_entropy", 1.0),
                                                        ("gaussians", "relu", "bce", 10.0)])
def test_one_bad_epoch_of_single_sample_steps_is_not_a_divergence(data, activation, loss, lr):
    # Epoch 1's mean over 200 single-sample steps is above 3x the loss before training (2.38 from 0.71; 6.3
    # from 1.02); then the network learns the data. Judged on one epoch, this was a divergence at epoch 1.
    X, y = getattr(nnlib.data, data)(200, seed=0)
    net = nnlib.MLP([2, 16, 2 if loss == "cross_entropy" else 1], activation=activation,
                    output_activation="softmax" if loss == "cross_entropy" else "sigmoid", loss=loss,
                    init="he" if activation == "relu" else "xavier", seed=0)
    start = net.loss(X, y)
    history = nnlib.train(net, X, y, nnlib.SGD(lr), epochs=30, batch_size=1, seed=0)
    assert history.loss[0] > nnlib.diagnostics.DIVERGENCE_FACTOR * start  # the bad first epoch
    assert history.stop_reason is None and history.epochs_run == 30
    assert net.accuracy(X, y) >= 0.99


def test_a_spike_that_training_recovers_from_is_not_a_divergence():
    from nnlib.views.playground import make_data
    X, X_test, y, y_test = make_data("moons", 0.2, 0.3, 0)
    net = nnlib.MLP([2, 16, 16, 2], activation="sigmoid", output_activation="softmax", loss="cross_entropy",
                    seed=0)
    history = nnlib.train(net, X, y, nnlib.Adam(0.3), epochs=300, validation=(X_test, y_test))
    assert history.loss[1] > 5 * history.loss[0]  # the spike at epoch 2
    assert history.stop_reason is None and net.accuracy(X_test, y_test) >= 0.95


def test_divergence_needs_several_epochs_in_a_row():
    limit = nnlib.diagnostics.DIVERGENCE_FACTOR * 1.0 + 0.1  # just above 3x a start of 1
    n = nnlib.diagnostics.DIVERGENCE_EPOCHS
    assert nnlib.diagnostics.diverged([limit] * n, start=1.0, guess=0.7)
    assert not nnlib.diagnostics.diverged([limit] * (n - 1), start=1.0, guess=0.7)
    assert not nnlib.diagnostics.diverged([limit] * n + [2.0], start=1.0, guess=0.7)   # back down
    assert not nnlib.diagnostics.diverged([limit] * n, start=1.0, guess=limit)   # no worse than a guess
    assert nnlib.diagnostics.divergence([1.0, *[limit] * n], 1.0, 0.7, nnlib.SGD(5.0)).startswith(
        f"the loss rose from 1 to {limit:.4g} in {n + 1} epochs of training")


def test_a_network_that_ends_worse_than_a_constant_guess_is_reported():
    # mse with a sigmoid output is at most 1: a blown-up network ends at 0.5 (every output saturated at 0 or
    # 1), 2x its start and 2x a constant guess's 0.25, yet never 3x its start. It was reported by nothing.
    X, y = nnlib.data.xor_cloud(200, noise=0.1, seed=0)
    net = nnlib.MLP([2, 8, 1], activation="sigmoid", loss="mse", seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=100.0), epochs=200)
    assert history.stop_reason is None and net.loss(X, y) == pytest.approx(0.5, abs=1e-3)
    said = "the network predicts worse than a constant guess: its loss on the training data is 0.5 after"
    assert any(w.startswith(said) for w in history.warnings), history.warnings


def test_the_last_epochs_step_is_judged_too():
    # Each epoch's loss is measured before its step, so the last step's effect was never looked at:
    # train(epochs=1) in a loop never said anything while the loss grew to 1e81.
    X, y = nnlib.data.moons(200, seed=0)
    net = nnlib.MLP([2, 16, 1], activation="tanh", output_activation="identity", loss="mse", seed=0)
    before = net.loss(X, y)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=1.0), epochs=1)
    assert history.loss == [pytest.approx(before)] and net.loss(X, y) > 10 * before
    assert any(w.startswith("the network predicts worse than a constant guess") for w in history.warnings)


def test_a_network_that_ends_better_than_it_started_gets_no_ending_warning():
    X, y = nnlib.data.moons(200, seed=0)
    history = nnlib.train(nnlib.MLP([2, 8, 1], loss="bce", seed=0), X, y, nnlib.SGD(0.5), epochs=50)
    assert not any("worse" in w for w in history.warnings), history.warnings


def test_a_few_bad_epochs_at_a_high_but_workable_learning_rate_are_not_a_divergence():
    # Epoch losses 12.0, 4.27, 4.10 (start 0.79), then 0.6 and on to 100 %: a 3-epoch rule stopped it.
    X, y = nnlib.data.moons(200, 0.1, seed=0)
    net = nnlib.MLP([2, 16, 2], activation="tanh", output_activation="softmax", loss="cross_entropy", seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=5), epochs=150, batch_size=16, seed=0)
    assert min(history.loss[:3]) > 3 * 0.78 and history.stop_reason is None
    assert net.accuracy(X, y) >= 0.99


def test_a_network_already_worse_than_guessing_is_reported_again_when_trained_again():
    # Judged against its own start only, a second training of a blown-up network said nothing.
    X, y = nnlib.data.moons(200, seed=0)
    net = nnlib.MLP([2, 16, 1], activation="sigmoid", loss="mse", seed=0)
    nnlib.train(net, X, y, nnlib.SGD(lr=50.0), epochs=100)  # 0.25 -> 0.5: every output saturated
    for _ in range(3):  # the same cell run again, or train(epochs=1) in a loop
        history = nnlib.train(net, X, y, nnlib.SGD(lr=50.0), epochs=1)
        said = [w for w in history.warnings if w.startswith("the network predicts worse than a constant")]
        assert said and "it was already 0.5 before this training" in said[0], history.warnings


def press_stop_half_way_through_a_restore(monkeypatch, param: str, when=lambda checkpoint: True) -> list:
    """Make the first restore of train's checkpoint for which ``when`` holds copy back only ``param``, then
    raise KeyboardInterrupt (the stop button pressed half-way); returns the list of presses made."""
    checkpoint_class = sys.modules["nnlib.train"].Checkpoint
    real_restore, presses = checkpoint_class.restore, []

    def restore_pressed_once(self):
        if not presses and when(self):
            presses.append(1)
            self.changing = True
            self.net.params[param][...] = self.params[param]
            raise KeyboardInterrupt
        real_restore(self)
    monkeypatch.setattr(checkpoint_class, "restore", restore_pressed_once)
    return presses


def test_a_stop_press_during_the_restore_after_a_nan_loss_still_restores_everything(monkeypatch):
    presses = press_stop_half_way_through_a_restore(monkeypatch, "b2")  # after the loss became inf
    snapshots = []
    net = nnlib.MLP([2, 4, 1], activation="tanh", output_activation="identity", seed=0)
    def keep(epoch, history):
        snapshots.append({name: W.copy() for name, W in net.params.items()})

    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(lr=1e80), epochs=50, callback=keep)
    assert presses and "interrupted" in history.stop_reason
    same_epoch = [all(np.array_equal(W, snapshot[name]) for name, W in net.params.items())
                  for snapshot in snapshots]
    assert same_epoch.count(True) == 1, same_epoch  # every parameter from one epoch, not a mix (b2 alone)


def house_prices():
    """Scaled inputs, regression targets around 250,000 (prices in pounds, say) that were never scaled."""
    X, _ = nnlib.data.moons(200, seed=0)
    return X, 250_000 + 50_000 * X[:, 0]


def regression_net(seed=0):
    return nnlib.MLP([2, 8, 1], activation="tanh", output_activation="identity", loss="mse", seed=seed)


def test_unscaled_regression_targets_are_named_and_blamed_instead_of_the_learning_rate():
    # Before: only "the learning rate is probably too high (lr=1.0)", though no usual lr trains y ~ 2.5e5.
    X, prices = house_prices()
    history = nnlib.train(regression_net(), X, prices, nnlib.SGD(lr=1.0), epochs=3)
    assert history.warnings[0].startswith("the targets are not scaled: y has a typical size (root mean "
                                          "square) of 2.78e+05"), history.warnings
    worse = [w for w in history.warnings if w.startswith("the network predicts worse than a constant guess")]
    assert worse and "it rose from 7.729e+10" in worse[0]
    assert "the unscaled inputs or targets named above" in worse[0] and "probably too high" not in worse[0]
    scaled = (prices - prices.mean()) / prices.std()  # the fix the warning gives
    history = nnlib.train(regression_net(), X, scaled, nnlib.SGD(lr=0.1), epochs=300)
    assert history.warnings == [] and regression_net().loss(X, scaled) > 5 * history.loss[-1]


def test_a_loss_that_still_falls_is_told_to_train_longer_not_to_lower_the_learning_rate():
    X, y = nnlib.data.moons(200, seed=0)
    net = nnlib.MLP([2, 16, 1], activation="tanh", output_activation="identity", loss="mse", seed=0)
    history = nnlib.train(net, X, 3.0 * y, nnlib.SGD(lr=0.001), epochs=20)  # 5.0 -> 4.1, a guess: 2.25
    assert history.loss[-1] < 0.9 * history.loss[0] and net.loss(X, 3.0 * y) > 1.2 * 2.25
    [worse] = history.warnings
    assert "it fell from 4.998 during this training, so training has not gone far enough yet: train for " \
           "more epochs, or with a larger learning rate" in worse and "too high" not in worse


def test_a_last_step_that_makes_the_loss_inf_is_undone_and_said():
    # Each epoch's loss is measured before its step: the last step took the loss to inf and train said
    # nothing; net.loss then raised.
    net = nnlib.MLP([2, 4, 1], activation="tanh", output_activation="identity", loss="mse", seed=0)
    before = {name: W.copy() for name, W in net.params.items()}
    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(lr=1e200), epochs=1)
    assert history.stop_reason.startswith("the loss became inf after the last step of epoch 1. The learning "
                                          "rate is probably too high (lr=1e+200)")
    assert history.warnings == [history.stop_reason] and history.epochs_run == 1
    assert all(np.array_equal(W, before[name]) for name, W in net.params.items())
    assert net.loss(X_XOR, Y_XOR) == pytest.approx(history.loss[0])


@pytest.mark.parametrize("loss, output, y", [
    ("bce", "sigmoid", np.zeros(200, dtype=int)),
    ("cross_entropy", "softmax", np.full(200, 1)),
    ("mse", "identity", np.full(200, 2.0)),
])
def test_targets_that_are_all_the_same_are_named_and_not_called_worse_than_a_guess(loss, output, y):
    X, _ = nnlib.data.moons(200, seed=0)
    net = nnlib.MLP([2, 8, 2 if loss == "cross_entropy" else 1], output_activation=output, loss=loss, seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=0.5), epochs=50)
    [said] = history.warnings
    assert said.startswith("every one of the 200 targets is the same (") and "Check how y was made" in said


def test_a_solved_xor_whose_units_switch_sharply_is_not_called_saturated():
    # Units near 0 on two points and near 1 on the other two separate them: counted as "saturated" before.
    X, y = nnlib.data.xor()
    net = nnlib.MLP([2, 4, 1], activation="sigmoid", loss="bce", seed=9)
    history = nnlib.train(net, X, y, nnlib.Adam(lr=0.1), epochs=3000)
    A1 = net.layer_outputs(X)[0]
    assert net.accuracy(X, y) == 1.0 and ((A1 < 0.01) | (A1 > 0.99)).all(axis=0).any()
    assert history.warnings == []


@pytest.mark.parametrize("call, error, named", [
    (lambda d: d.guessing_loss("MSE", [[1.0]]), ValueError, "loss_name"),
    (lambda d: d.guessing_loss("bce", [[3.0]]), ValueError, "Y must hold labels or probabilities"),
    (lambda d: d.guessing_loss("mse", np.ones((2, 1, 1))), ValueError, "Y must be 2-D"),
    (lambda d: d.not_finite(0.5, 3, nnlib.SGD(0.1)), ValueError, "loss must be NaN or inf"),
    (lambda d: d.guessing_loss("mse", [[np.nan]]), ValueError, "Y"),
    (lambda d: d.target_scale("mse", np.zeros((0, 1))), ValueError, "Y is empty"),
    (lambda d: d.input_scale([["a"]]), (TypeError, ValueError), "X"),
    (lambda d: d.diverged("1.0", 1.0, 1.0), TypeError, "losses must be a list of losses"),
    (lambda d: d.diverged([1.0], "1.0", 1.0), TypeError, "start must be a number"),
    (lambda d: d.worse_than_guessing(None, 1.0, 1.0, nnlib.SGD(0.1)), TypeError, "loss must be a number"),
    (lambda d: d.not_finite(np.nan, 0, nnlib.SGD(0.1)), ValueError, "epoch"),
    (lambda d: d.stuck_units(np.zeros((4, 2)), "relu"), TypeError, "layer_outputs must be a list"),
    (lambda d: d.stuck_units([np.zeros((4, 2))], "ReLU"), ValueError, "activation"),
    (lambda d: d.stuck_units([np.zeros(4)], "relu"), ValueError, "layer_outputs[0]"),
    (lambda d: d.refused_step(ValueError("x"), 1, nnlib.SGD(0.1)), TypeError, "reason must be"),
    (lambda d: d.refused_step("x", 0, nnlib.SGD(0.1)), ValueError, "epoch"),
    (lambda d: d.broken_before(0.5), ValueError, "loss must be NaN or inf"),
    (lambda d: d.still_broken("inf", nnlib.SGD(0.1)), TypeError, "loss must be a number"),
])
def test_the_diagnostics_refuse_bad_arguments_naming_them(call, error, named):
    with pytest.raises(error) as raised:
        call(nnlib.diagnostics)
    assert named in str(raised.value)


@pytest.mark.parametrize("seed", [0, 2, 4, 10])
def test_a_healthy_relu_network_with_a_few_dead_units_gets_no_warning(seed):
    # Most 2-4-1 ReLU runs that solve XOR keep a dead unit or two: naming them (with "a too-high learning
    # rate" as the cause) was a false alarm on 89 of 100 good runs. Stuck units are named on a poor fit only.
    net = nnlib.MLP([2, 4, 1], activation="relu", loss="bce", seed=seed)
    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.Adam(lr=0.05), epochs=1000)
    assert net.accuracy(X_XOR, Y_XOR) == 1.0 and (net.layer_outputs(X_XOR)[0] == 0.0).all(axis=0).any()
    assert history.warnings == []


def test_the_capstone_recipe_names_no_dead_units():
    X, y = nnlib.data.load_digits()
    net = nnlib.MLP([64, 64, 10], activation="relu", output_activation="softmax", loss="cross_entropy",
                    init="he", seed=0)
    history = nnlib.train(net, X, y, nnlib.Adam(lr=0.01), epochs=30, batch_size=64, seed=0)
    assert (net.layer_outputs(X)[0] == 0.0).all(axis=0).sum() > 5 and net.accuracy(X, y) > 0.99
    assert history.warnings == []


def test_a_loss_that_hardly_moves_is_not_blamed_on_a_too_high_learning_rate():
    # lr = 1e-6: the loss moves by far less than 1 %. It was called "probably too high".
    X, y = nnlib.data.moons(200, seed=0)
    net = nnlib.MLP([2, 16, 1], activation="tanh", output_activation="identity", loss="mse", seed=0)
    [worse] = nnlib.train(net, X, 3.0 * y, nnlib.SGD(lr=1e-6), epochs=5).warnings
    assert "it was already 4.998 before this training and hardly moved" in worse
    assert "far too small" in worse and "too high" not in worse


def test_stuck_unit_and_feature_sentences_agree_in_number():
    A = np.array([[0.0, 1.0, 0.0], [2.0, 0.5, 0.0]])  # unit 2 dead
    [one] = nnlib.diagnostics.stuck_units([A], "relu")
    assert one.startswith("1 of the 3 units of hidden layer 1 is dead") and ": unit 2 (columns" in one
    assert "It no longer learns." in one
    [two] = nnlib.diagnostics.stuck_units([A[:, [2, 0, 2]] * [1, 0, 1]], "relu")
    assert two.startswith("3 of the 3 units of hidden layer 1 are dead") and "They no longer learn." in two
    [scale] = nnlib.diagnostics.input_scale(np.array([[100.0, 0.5], [-80.0, 0.1]]))
    assert "1 of 2 features has a typical size" in scale


def test_targets_of_size_ten_or_less_are_not_called_unscaled():
    _, digits = nnlib.data.load_digits()   # regressing the digit's value 0-9 trains well (R^2 0.9)
    assert nnlib.diagnostics.target_scale("mse", digits.astype(float)) == []
    assert nnlib.diagnostics.target_scale("mse", 100.0 + digits) != []
    assert nnlib.diagnostics.guessing_loss("cross_entropy", np.array([0, 1, 2, 2])) == pytest.approx(
        -(2 * 0.25 * np.log(0.25) + 0.5 * np.log(0.5)))   # integer labels, as train takes them


def test_a_validation_loss_that_overflows_is_named_as_the_validation_loss():
    # One validation row of 1e300: it was "the loss became inf ... the learning rate is probably too high".
    X, y = nnlib.data.moons(200, seed=0)
    X_val = X[:20].copy()
    X_val[0] = 1e300
    net = nnlib.MLP([2, 8, 1], activation="relu", output_activation="identity", loss="mse", seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=0.01), epochs=5, validation=(X_val, y[:20]))
    assert history.stop_reason.startswith("the validation loss became inf at epoch 1, though the training "
                                          "loss was finite. Either the validation inputs are far larger")
    assert history.epochs_run == 0 and history.warnings == [history.stop_reason]


def test_divergence_reads_only_the_last_epochs_of_a_long_history():
    # It converted every loss of the history after every epoch: 10,000 epochs of XOR took 112 s, not 0.5 s.
    class CountingLosses(list):
        reads = 0

        def __getitem__(self, index):
            CountingLosses.reads += 1
            return super().__getitem__(index)

        def __iter__(self):
            CountingLosses.reads += len(self)
            return super().__iter__()

    losses = CountingLosses([1.0] * 10_000)
    assert not nnlib.diagnostics.diverged(losses, start=1.0, guess=0.7)
    assert CountingLosses.reads <= nnlib.diagnostics.DIVERGENCE_EPOCHS


def test_gradients_that_adam_refuses_stop_training_with_the_history_and_nothing_changed():
    # Inputs of 1e80 (mse): the first gradients are ~1e160, too large for Adam to square. The refusal raised
    # out of train, and the history (with its unscaled-input warning) was lost.
    X = np.random.default_rng(0).normal(size=(20, 2)) * 1e80
    net = nnlib.MLP([2, 4, 1], activation="relu", output_activation="identity", loss="mse", seed=0)
    optimizer, before = nnlib.Adam(lr=0.01), {name: W.copy() for name, W in net.params.items()}
    history = nnlib.train(net, X, X[:, 0], optimizer, epochs=5)
    assert history.epochs_run == 0 and history.loss == []
    assert history.stop_reason == (
        "the gradients blew up at epoch 1 and the optimiser refused the step (grads['W1'] holds 1.19e+160, "
        "too large for Adam: its square, kept in v, overflows float64), the first step of this training. The "
        "likely cause is the unscaled inputs or targets named above: their sizes overflow the network's "
        "numbers; scale them, then train a fresh network")
    assert history.warnings[0].startswith("the inputs are not scaled")
    assert history.stop_reason in history.warnings
    assert all((net.params[name] == W).all() for name, W in before.items())
    assert optimizer.t == 0 and optimizer.m == {}


def test_gradients_that_overflow_while_the_bce_loss_stays_finite_stop_training_after_the_good_epochs():
    # bce clamps its logs, so the loss stays finite while relu units of inputs ~1e300 overflow the gradients
    # of the second step; SGD's refusal of them raised out of train.
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    net = nnlib.MLP([2, 3, 1], activation="relu", loss="bce", seed=1)
    before = {name: W.copy() for name, W in net.params.items()}
    history = nnlib.train(net, X * 1e300, y, nnlib.SGD(lr=0.1), epochs=3)
    assert history.epochs_run == 1 and len(history.loss) == 1
    assert history.stop_reason.startswith("the gradients blew up at epoch 2 and the optimiser refused the "
                                          "step (grads['W1'] must be finite")
    assert history.stop_reason.endswith("The weights were restored to those before the step that made the "
                                        "gradients blow up")
    assert all((net.params[name] == W).all() for name, W in before.items())   # that step was the first


@pytest.mark.parametrize("make, still_broken", [(lambda: nnlib.SGD(lr=10), True),
                                                (lambda: nnlib.SGD(lr=100, momentum=0.9), False)])
def test_a_refusal_mid_epoch_undoes_the_step_that_made_the_gradients_blow_up(make, still_broken):
    # Mini-batch steps at a huge lr take the weights to ~1e209 within epoch 3, and SGD then refuses a NaN
    # gradient. The refused step changed nothing, so the blown-up weights stayed; the last look then found an
    # inf loss and replaced the reason with "the loss became inf after the last step of epoch 2 ... restored"
    # (wrong epoch, nothing restored).
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    net, optimizer = nnlib.MLP([2, 3, 1], activation="relu", output_activation="identity", seed=0), make()
    seen = []   # the weights and optimiser state before every step of this training, as the network took it
    real_step = optimizer.step

    def recording_step(params, grads):
        seen.append(({name: W.copy() for name, W in params.items()}, dict(vars(optimizer))))
        real_step(params, grads)
    optimizer.step = recording_step
    history = nnlib.train(net, X, y, optimizer, epochs=20, batch_size=2, seed=0)
    del optimizer.step
    assert history.epochs_run == 2 and history.stop_reason.startswith(
        "the gradients blew up at epoch 3 and the optimiser refused the step (grads['W1'] must be finite")
    assert history.stop_reason.endswith("restored to those before the step that made the gradients blow up")
    weights, state = seen[-2]   # [-1]: the refused step; [-2]: the step taken before it, now undone
    assert all((net.params[name] == W).all() for name, W in weights.items())
    assert {k: v for k, v in vars(optimizer).items() if k != "step"} == {
        k: v for k, v in state.items() if k != "step"}
    # With SGD those weights still fail on the whole data (earlier mini-batch steps blew them up): said.
    assert history.warnings[0] == history.stop_reason and len(history.warnings) == 2
    assert ("the network cannot be used as it is" in history.warnings[1]) == still_broken
    if still_broken:
        with pytest.raises(ValueError, match="the loss is inf"):
            net.loss(X, y)
    else:
        assert np.isfinite(net.loss(X, y))


def test_training_again_a_network_broken_before_advises_a_fresh_network_not_a_smaller_rate():
    # Weights that an earlier training blew up: every learning rate fails, so "try one ten times smaller"
    # sent the learner round in circles.
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    net = nnlib.MLP([2, 3, 1], activation="relu", output_activation="identity", seed=0)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=10), epochs=20, batch_size=2, seed=0)
    assert "the network cannot be used as it is" in history.warnings[-1]
    for optimizer in (nnlib.SGD(lr=0.01), nnlib.Adam(lr=0.001)):
        before = {name: W.copy() for name, W in net.params.items()}
        history = nnlib.train(net, X, y, optimizer, epochs=5, batch_size=2, seed=0)
        assert history.epochs_run == 0 and history.stop_reason == (
            "the loss on the training data is inf before any step: the network's numbers overflow float64 "
            "(weights made far too large by an earlier training, or inputs far too large), so nothing was "
            "trained. The weights were probably blown up by an earlier training of this network (a learning "
            "rate far too high): no learning rate helps now; train a fresh network")
        assert history.warnings == [history.stop_reason]
        assert all((net.params[name] == W).all() for name, W in before.items())


def test_hidden_units_that_overflow_after_the_last_step_do_not_break_the_last_look():
    # One step on inputs ~1e290 leaves first-layer outputs of inf while the bce loss is finite; the search
    # for stuck units then refused them, raising out of train after the epoch had run.
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    net = nnlib.MLP([2, 3, 1], activation="relu", loss="bce", seed=1)
    history = nnlib.train(net, X * 1e290, y, nnlib.SGD(lr=0.1), epochs=1)
    assert not np.isfinite(net.layer_outputs(X * 1e290)[0]).all()
    assert history.epochs_run == 1 and history.warnings[0].startswith("the inputs are not scaled")
    assert any(w.startswith("the network predicts worse than a constant guess") for w in history.warnings)


def test_the_typical_size_quoted_for_huge_inputs_and_targets_is_a_number_not_inf():
    # The root mean square squared the values: above ~1e154 the sentence said "a typical size ... up to inf".
    X = np.array([[3e160, 1.0], [-4e160, 1.0]])
    [inputs] = nnlib.diagnostics.input_scale(X)
    assert "up to 3.54e+160" in inputs
    [targets] = nnlib.diagnostics.target_scale("mse", X[:, :1])
    assert "(root mean square) of 3.54e+160" in targets


def test_an_optimiser_without_lr_is_not_quoted_as_lr_question_mark():
    class MyOptimizer:   # a learner's own optimiser, with its own name for the rate
        learning_rate = 0.1

    [said] = nnlib.diagnostics.worse_than_guessing(5.0, 5.0, 1.0, MyOptimizer())
    assert "lr=" not in said and "Either the learning rate is far too small" in said
    assert "(lr=0.5)" in nnlib.diagnostics.worse_than_guessing(5.0, 4.0, 1.0, nnlib.SGD(lr=0.5))[0]


@pytest.mark.parametrize("labels, message", [
    ([0.5, 1.0], "Y must hold integer labels 0, 1, ... (N,) or one-hot rows (N, C) for cross_entropy, got "
                 "values from 0.5 to 1"),
    ([-1, 0, 1], "Y must hold integer labels 0, 1, ... (N,) or one-hot rows (N, C) for cross_entropy, got "
                 "values from -1 to 1"),
    ([np.nan, 1.0], "Y must be finite"),
])
def test_guessing_loss_names_its_own_argument_for_bad_labels(labels, message):
    # These were refused by one_hot, in the name of its argument y.
    with pytest.raises(ValueError) as raised:
        nnlib.diagnostics.guessing_loss("cross_entropy", np.array(labels))
    assert str(raised.value).startswith(message)


def test_weights_that_became_inf_while_bce_kept_the_loss_finite_are_named_as_weights():
    # After the last step, bce's clamped logs can keep the loss finite over NaN/inf weights: the sentence
    # must not claim "the loss became 0.69" (not_finite refused a finite loss, which would have raised).
    said = nnlib.diagnostics.not_finite(0.69, 4, nnlib.SGD(lr=3.0), after_step=True)
    assert said == ("the weights became NaN or inf after the last step of epoch 4. The learning rate is "
                    "probably too high (lr=3.0); try one ten times smaller. The weights were restored to "
                    "those before the step that broke them")


def test_weights_a_blow_up_in_the_first_epoch_left_broken_are_said_to_be():
    # still_broken was added only once an epoch had completed: a blow-up in epoch 1 whose undo still left an
    # inf loss returned a network nobody could use, with "the weights were restored" as the only sentence.
    rng = np.random.default_rng(19)
    X = rng.normal(size=(20, 2))
    net = nnlib.MLP([2, 5, 1], activation="relu", output_activation="identity", seed=1)
    history = nnlib.train(net, X, 3.0 * (X[:, 0] > 0), nnlib.SGD(lr=1e6), epochs=1, batch_size=4, seed=0)
    assert history.epochs_run == 0 and history.stop_reason.startswith("the loss became inf at epoch 1")
    assert history.warnings[-1].startswith("the weights after that undo still give a loss of inf")
    with pytest.raises(ValueError, match="the loss is inf"):
        net.loss(X, 3.0 * (X[:, 0] > 0))


@pytest.mark.parametrize("make, scale", [(lambda: nnlib.SGD(lr=0.1, momentum=0.5), 1e300),
                                         (lambda: nnlib.Adam(lr=1e200), 1.0)])
def test_undoing_a_step_keeps_the_learning_rate_a_callback_set(make, scale):
    # The checkpoint copied every attribute of the optimiser, lr included: undoing a step put back the
    # learning rate from before the callback had lowered it, silently.
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    net, optimizer = nnlib.MLP([2, 3, 1], activation="relu", loss="bce", seed=1), make()

    def lower_the_rate(epoch, history):
        optimizer.lr = 0.01
    history = nnlib.train(net, X * scale, y, optimizer, epochs=3, callback=lower_the_rate)
    assert history.epochs_run == 1 and history.stop_reason.startswith("the gradients blew up at epoch 2")
    assert optimizer.lr == 0.01 and "(lr=0.01)" in history.stop_reason


@pytest.mark.parametrize("steps_before_press, epoch", [(6, 2), (2, 1)])
def test_a_stop_pressed_after_a_step_that_made_a_weight_inf_keeps_its_reason_and_names_the_right_epoch(
        monkeypatch, steps_before_press, epoch):
    # Mini-batches of 4 of 16 samples; the step numbered steps_before_press writes inf into W2, then the stop
    # button is pressed. At step 6 (the 2nd of epoch 2) the reason became "the weights became NaN or inf
    # after the last step of epoch 1" (wrong epoch, the press no longer mentioned); at step 2 the inf
    # weights were returned without a word.
    X = np.random.default_rng(0).normal(size=(16, 2))
    y = (X[:, 0] > 0).astype(float)
    net, optimizer = nnlib.MLP([2, 4, 1], activation="relu", loss="bce", seed=0), nnlib.SGD(lr=0.1)
    real_step, taken = optimizer.step, []

    def step(params, grads):
        real_step(params, grads)
        taken.append(1)
        if len(taken) == steps_before_press:
            params["W2"][0, 0] = np.inf
    optimizer.step = step
    checkpoint_class = sys.modules["nnlib.train"].Checkpoint
    step_done = checkpoint_class.step_done

    def step_done_then_press(self):
        step_done(self)
        if self.steps_taken == steps_before_press:
            raise KeyboardInterrupt
    monkeypatch.setattr(checkpoint_class, "step_done", step_done_then_press)
    history = nnlib.train(net, X, y, optimizer, epochs=5, batch_size=4, seed=0)
    assert history.stop_reason.startswith("interrupted")
    assert history.warnings[-1].startswith(f"the loss became nan after the last step of epoch {epoch}.")
    assert all(np.isfinite(W).all() for W in net.params.values())


def test_a_stop_pressed_during_the_last_looks_restore_still_finishes_it(monkeypatch):
    # The last step makes a weight inf; the restore that undoes it is cut short by the stop button after W1.
    # The press was swallowed with the weights half restored (and the optimiser's state of the other step).
    X, y = X_XOR, Y_XOR
    net, optimizer = nnlib.MLP([2, 4, 1], loss="bce", seed=0), nnlib.Adam(lr=0.1)
    real_step = optimizer.step

    def step(params, grads):
        real_step(params, grads)
        if optimizer.t == 3:
            params["W2"][0, 0] = np.inf
    optimizer.step = step
    presses = press_stop_half_way_through_a_restore(monkeypatch, "W1", when=lambda cp: cp.steps_taken == 3)
    history = nnlib.train(net, X, y, optimizer, epochs=3)
    assert presses and all(np.isfinite(W).all() for W in net.params.values())
    assert optimizer.t == 2 and history.epochs_run == 3
    optimizer.step(net.params, net.loss_and_grads(X, y)[1])   # weights and state still belong together


def test_an_underflow_warning_setting_reaches_no_stderr_from_train():
    # train ignored over, invalid and divide only: with np.seterr(all="raise"), an exp that underflows raised
    # FloatingPointError out of train.
    X, y = nnlib.data.moons(50, seed=0)
    net = nnlib.MLP([2, 4, 1], loss="mse", seed=0)
    with np.errstate(all="raise"):
        history = nnlib.train(net, X * 1e3, y, nnlib.SGD(lr=1e-3), epochs=1)
    assert history.epochs_run == 1


def test_initial_epoch_numbers_the_callback_and_the_sentences_as_keras_does():
    # Training in chunks (the playground): the sentences counted each chunk from 1, so the playground said
    # "Training diverged at epoch 20: the gradients blew up at epoch 1".
    X = np.random.default_rng(0).normal(size=(8, 2))
    y = (X[:, 0] > 0).astype(float)
    net = nnlib.MLP([2, 3, 1], activation="relu", output_activation="identity", seed=0)
    seen = []
    history = nnlib.train(net, X, y, nnlib.SGD(lr=10), epochs=20, batch_size=2, seed=0, initial_epoch=40,
                          callback=lambda epoch, history: seen.append(epoch))
    assert seen == [41, 42] and history.epochs_run == 2 and len(history.loss) == 2
    assert history.stop_reason.startswith("the gradients blew up at epoch 43 ")
    stopping = nnlib.train(nnlib.MLP([2, 3, 1], seed=0), X, y, nnlib.SGD(lr=0.1), epochs=5, initial_epoch=7,
                           callback=lambda epoch, history: epoch == 9)
    assert stopping.epochs_run == 2 and stopping.stop_reason == "the callback asked to stop after epoch 9"
    for bad, error in ((-1, ValueError), (1.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match="initial_epoch must be an int >= 0"):
            nnlib.train(nnlib.MLP([2, 3, 1], seed=0), X, y, nnlib.SGD(lr=0.1), epochs=1, initial_epoch=bad)


def test_a_stop_pressed_before_the_first_step_returns_an_empty_history_and_changes_nothing(monkeypatch):
    # During the first looks (the loss before training, the scale of the data) the stop button raised
    # KeyboardInterrupt out of train: no History, unlike a press one epoch later.
    net = nnlib.MLP([2, 4, 1], loss="bce", seed=0)
    before = {name: W.copy() for name, W in net.params.items()}

    def pressed(*args):
        raise KeyboardInterrupt
    monkeypatch.setattr(nnlib.diagnostics, "guessing_loss", pressed)
    history = nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(lr=0.5), epochs=10)
    assert history.epochs_run == 0 and history.loss == []
    assert history.stop_reason.startswith("interrupted (the kernel's stop button) after 0 completed epochs")
    assert all((net.params[name] == W).all() for name, W in before.items())
    monkeypatch.undo()
    assert history.interrupted and not nnlib.train(net, X_XOR, Y_XOR, nnlib.SGD(lr=0.5), epochs=1).interrupted
