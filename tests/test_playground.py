"""The playground without a browser: set controls, call the handlers, check the network and the views."""

from __future__ import annotations

import asyncio
import io
import math
import os
import signal
import threading

import ipywidgets  # noqa: F401  (the playground needs it; a missing install must fail, not skip)
import numpy as np
import pytest
from PIL import Image  # noqa: E402

import nnlib  # noqa: E402
from nnlib.views.playground import DEFAULTS, FULL_BATCH, Playground, make_data  # noqa: E402


def png_size(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


@pytest.fixture
def playground() -> Playground:
    return Playground(hidden=[6], epochs=20)


def test_views_are_png_images_drawn_at_construction(playground):
    for name in ("boundary", "loss", "neurons"):
        png = playground.images[name].value
        assert png[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = png_size(png)
        assert width > 200 and height > 50, (name, width, height)
    assert "Epoch</b> 0" in playground.readout.value


def test_every_control_has_a_description_and_sliders_wait_for_release(playground):
    c = playground.controls
    assert c.units[0].description == "Hidden units"
    assert c.units[1].description == "Hidden units (layer 2)"
    assert c.lr.description == "Learning rate"
    for control in (c.noise, c.test_fraction, c.layers, *c.units, c.lr, c.epochs):
        assert control.continuous_update is False, control.description
    for control in vars(c).values():
        if hasattr(control, "description") and not isinstance(control, list):
            assert control.description, control


def test_network_architecture_follows_the_controls(playground):
    c = playground.controls
    c.layers.value = 3
    c.units[0].value, c.units[1].value, c.units[2].value = 5, 7, 3
    c.activation.value = "relu"
    assert playground.net.layer_sizes == [2, 5, 7, 3, 3]  # spiral: 3 classes
    assert playground.net.activation == "relu"
    assert [s.layout.display for s in c.units] == [None, None, None]
    c.layers.value = 1
    assert playground.net.layer_sizes == [2, 5, 3]
    assert c.units[1].layout.display == "none"
    c.dataset.value = "moons"
    assert playground.net.layer_sizes == [2, 5, 2]  # two classes
    assert set(np.unique(playground.y_train)) == {0, 1}


def test_neuron_view_has_one_tile_per_hidden_neuron(playground):
    c = playground.controls
    c.layers.value = 2
    c.units[0].value, c.units[1].value = 10, 3
    mosaics = [image.get_array() for image in playground.dashboard.neurons.images]
    assert len(mosaics) == 2
    tile = playground.dashboard.neurons.tile
    filled = [int(np.sum(~np.isnan(np.ma.filled(m, np.nan)))) for m in mosaics]
    assert filled == [10 * tile * tile, 3 * tile * tile]


def test_training_learns_the_default_spiral_and_records_history():
    playground = Playground()
    history = playground.fit(150)
    assert history is playground.history and history.epochs_run == 150
    assert len(history.loss) == len(history.val_loss) == 150
    assert history.loss[-1] < history.loss[0] / 5
    assert playground.net.accuracy(playground.X_test, playground.y_test) >= 0.95
    assert "Done: trained 150 epochs" in playground.message.value


def test_frames_change_when_the_network_trains(playground):
    before = {name: image.value for name, image in playground.images.items()}
    playground._on_step()
    assert playground.history.epochs_run == 1
    for name in ("boundary", "loss", "neurons"):
        assert playground.images[name].value != before[name], name


def test_reset_gives_the_same_starting_weights(playground):
    start = {name: value.copy() for name, value in playground.net.params.items()}
    playground.fit(5)
    assert not np.allclose(playground.net.params["W1"], start["W1"])
    playground._on_reset()
    assert playground.history.epochs_run == 0
    for name, value in playground.net.params.items():
        np.testing.assert_array_equal(value, start[name])


def test_regenerate_draws_new_points_and_changes_the_seed(playground):
    X_before = playground.X_train.copy()
    playground._on_regenerate()
    assert playground.seed == 1
    assert not np.array_equal(playground.X_train, X_before)


def test_config_code_round_trip_rebuilds_the_same_playground():
    original = Playground(dataset="moons", noise=0.15, hidden=[8, 4], activation="relu", lr=0.01,
                          optimiser="momentum", batch_size=16, weight_decay=1e-3, epochs=40, seed=3)
    c = original.controls
    c.lr.value = 0.03  # a stop of the slider
    c.test_fraction.value = 0.25
    code = original.config_code()
    assert code.startswith('Playground(dataset="moons", ') and "\n" not in code
    rebuilt = eval(code, {"Playground": Playground})  # noqa: S307 - the line a learner would paste
    assert rebuilt.config() == original.config()
    np.testing.assert_array_equal(rebuilt.X_train, original.X_train)
    original._on_reset()  # the same untrained network ...
    for name, value in rebuilt.net.params.items():
        np.testing.assert_array_equal(value, original.net.params[name])
    original.fit(30), rebuilt.fit(30)  # ... trains to the same weights
    for name, value in rebuilt.net.params.items():
        np.testing.assert_array_equal(value, original.net.params[name])


def test_share_button_shows_the_line(playground):
    playground._on_share()
    assert playground.code.value == playground.config_code()
    assert playground.code.layout.display is None


def test_show_the_numbers_lists_every_weight(playground):
    playground.controls.show_numbers.value = True
    assert playground.numbers.layout.display is None
    for name in playground.net.params:
        assert f"<b>{name}</b>" in playground.numbers.value
    assert "playground.net" in playground.numbers.value


def test_divergence_is_reported_and_the_view_stays_usable():
    playground = Playground(dataset="circles", optimiser="sgd", activation="relu", lr=100.0, epochs=50)
    playground._on_train()  # no event loop here: trains in the foreground
    assert "diverged" in playground.message.value
    assert playground.history.stop_reason is not None
    assert playground.history.epochs_run < 50  # stopped early
    assert all(np.isfinite(value).all() for value in playground.net.params.values())
    assert "Epoch</b>" in playground.readout.value and "nan" not in playground.readout.value
    playground._on_reset()
    playground.controls.lr.value = 0.03
    playground._on_train()
    assert "Done" in playground.message.value


def test_a_stop_reason_from_train_counts_epochs_over_all_the_chunks():
    # Each chunk's train() counted from 1, so the message read "Training diverged at epoch 15: the loss
    # became nan at epoch 1".
    playground = Playground(dataset="circles", optimiser="sgd", lr=0.03, epochs=50)
    playground.fit(15, frame_seconds=math.inf)
    real_step, steps = playground.optimizer.step, []

    def step_that_breaks_a_weight(params, grads):   # the 2nd step of the next chunk leaves a NaN weight
        real_step(params, grads)
        steps.append(1)
        if len(steps) == 2:
            params["W1"][0, 0] = np.nan
    playground.optimizer.step = step_that_breaks_a_weight
    playground.fit(20, frame_seconds=math.inf)
    assert "⚠ Training diverged after epoch 15: the loss became nan at epoch 16." in playground.message.value
    assert playground.history.epochs_run == 15   # (mini-batches: the NaN came within epoch 16)
    assert all(np.isfinite(W).all() for W in playground.net.params.values())


def test_stop_pauses_a_running_training_between_chunks():
    playground = Playground(epochs=2000)

    async def scenario() -> None:
        playground._on_train()
        assert playground.training
        playground._on_train()  # a second click must not start a second training
        await asyncio.sleep(0)  # the first chunk runs
        await asyncio.sleep(0)
        playground._on_stop()
        await playground._task

    asyncio.run(scenario())
    assert 0 < playground.history.epochs_run < 2000
    assert "Paused at epoch" in playground.message.value
    assert not playground.controls.train.disabled


def test_changing_the_network_mid_training_stops_the_old_training():
    playground = Playground(epochs=2000)

    async def scenario() -> None:
        playground._on_train()
        await asyncio.sleep(0)
        playground.controls.units[0].value = 4
        await playground._task

    asyncio.run(scenario())
    assert playground.history.epochs_run == 0  # the new network was not trained by the old task
    assert playground.net.layer_sizes == [2, 4, 16, 3]
    assert "New network" in playground.message.value  # the handler's message stays
    assert not playground.controls.train.disabled


def test_reset_mid_training_stops_it_and_keeps_the_untrained_network():
    playground = Playground(epochs=2000)

    async def scenario() -> None:
        playground._on_train()
        await asyncio.sleep(0)
        playground._on_reset()
        await playground._task

    asyncio.run(scenario())
    assert playground.history.epochs_run == 0
    assert "Reset" in playground.message.value


def test_handlers_show_errors_as_messages_not_tracebacks(playground, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("something went wrong")

    monkeypatch.setattr(playground, "_new_network", broken)
    playground._on_reset()
    assert "ValueError: something went wrong" in playground.message.value


@pytest.mark.parametrize("dataset", ["xor", "circles", "moons", "spiral", "gaussians"])
@pytest.mark.parametrize("activation, optimiser, batch_size", [
    ("sigmoid", "sgd", None), ("tanh", "momentum", 8), ("relu", "adam", 128)])
def test_every_combination_trains_or_explains(dataset, activation, optimiser, batch_size):
    playground = Playground(dataset=dataset, activation=activation, optimiser=optimiser,
                            batch_size=batch_size, hidden=[3, 2, 1], noise=1.0, test_fraction=0.5, epochs=10)
    playground._on_step()
    playground._on_train()
    message = playground.message.value
    assert "Done" in message or "diverged" in message, message
    assert "Error" not in message


@pytest.mark.parametrize("bad, match", [
    (dict(dataset="mnist"), "dataset"), (dict(hidden=[]), "hidden"), (dict(hidden=[4, 4, 4, 4]), "hidden"),
    (dict(hidden=[0]), "hidden"), (dict(activation="softmax"), "activation"), (dict(lr=0.0), "lr"),
    (dict(optimiser="rmsprop"), "optimiser"), (dict(batch_size=7), "batch_size"), (dict(noise=-1), "noise"),
    (dict(epochs=0), "epochs"), (dict(seed=-1), "seed")])
def test_bad_arguments_raise_value_errors_naming_them(bad, match):
    with pytest.raises(ValueError, match=match):
        Playground(**bad)


def test_defaults_are_the_documented_ones():
    config = Playground().config()
    assert config == {**DEFAULTS, "hidden": list(DEFAULTS["hidden"])}
    assert isinstance(Playground().net, nnlib.MLP)


# ---------------------------------------------------------------- every control shows what is training
def assert_controls_show_what_trains(playground: Playground) -> None:
    """The controls, the configuration and the objects that train agree (issue 14)."""
    c, config = playground.controls, playground.config()
    assert c.config(playground.seed) == config
    net, optimizer = playground.net, playground.optimizer
    assert net.layer_sizes[1:-1] == config["hidden"] and net.activation == config["activation"]
    expected = {"adam": (nnlib.Adam, None), "sgd": (nnlib.SGD, 0.0), "momentum": (nnlib.SGD, 0.9)}
    kind, momentum = expected[config["optimiser"]]
    assert type(optimizer) is kind and getattr(optimizer, "momentum", None) == momentum
    assert optimizer.lr == config["lr"] and optimizer.weight_decay == config["weight_decay"]
    X_train, *_ = make_data(config["dataset"], config["noise"], config["test_fraction"], config["seed"])
    np.testing.assert_array_equal(playground.X_train, X_train)
    assert c.batch_size.label == {None: "full batch"}.get(config["batch_size"], str(config["batch_size"]))
    assert c.lr.label == f"{config['lr']:g}"


def test_learning_rate_slider_stops_at_round_values_including_the_defaults():
    playground = Playground()
    lr = playground.controls.lr
    assert isinstance(lr, ipywidgets.SelectionSlider) and lr.continuous_update is False
    assert [label for label, _ in lr.options] == ["0.001", "0.003", "0.01", "0.03", "0.1", "0.3", "1", "3",
                                                  "10", "30"]
    assert lr.value == DEFAULTS["lr"] == 0.03
    lr.index += 1  # what one press of the right arrow key does
    assert lr.value == 0.1 and playground.optimizer.lr == 0.1
    lr.index = len(lr.options) - 1  # "try 30" is reachable
    assert playground.optimizer.lr == 30.0
    assert "lr=30.0," in playground.config_code()
    assert_controls_show_what_trains(playground)


def test_a_learning_rate_given_in_code_is_kept_and_shown():
    playground = Playground(lr=0.05)
    assert playground.controls.lr.label == "0.05" and playground.optimizer.lr == 0.05
    assert "lr=0.05," in playground.config_code()


def test_full_batch_is_shown_in_the_batch_size_dropdown_and_used():
    playground = Playground(epochs=10)
    c = playground.controls
    c.batch_size.value = FULL_BATCH  # what choosing "full batch" in the browser does
    assert c.batch_size.label == "full batch" and c.batch_size.index == 0  # not a blank dropdown
    assert playground.config()["batch_size"] is None
    assert "batch size full batch" in playground.message.value
    assert_controls_show_what_trains(playground)
    assert Playground(batch_size=None).controls.batch_size.label == "full batch"


def test_a_failed_optimiser_switch_puts_the_dropdown_back(monkeypatch):
    playground = Playground(optimiser="adam", epochs=10)
    playground.fit(3)

    def refuse(*args, **kwargs):
        raise ValueError("this optimiser cannot be built")

    monkeypatch.setattr("nnlib.views.playground.SGD", refuse)
    playground.controls.optimiser.value = "sgd"
    assert "cannot be built" in playground.message.value
    assert playground.controls.optimiser.value == "adam" and playground.controls.optimiser.label == "Adam"
    assert isinstance(playground.optimizer, nnlib.Adam)
    assert_controls_show_what_trains(playground)
    playground.fit(3)  # still trains, with Adam
    assert playground.history.epochs_run == 6


@pytest.mark.parametrize("control", ["noise", "test_fraction"])
def test_nan_typed_into_a_slider_is_refused_and_the_slider_restored(control):
    playground = Playground(epochs=10)
    before = playground.X_train.copy()
    getattr(playground.controls, control).value = float("nan")  # a slider's text box passes NaN on
    assert f"{control} must be a number" in playground.message.value
    assert getattr(playground.controls, control).value == DEFAULTS[control]
    np.testing.assert_array_equal(playground.X_train, before)
    assert_controls_show_what_trains(playground)


def test_controls_follow_training_through_a_sequence_of_changes():
    playground = Playground(epochs=10)
    c = playground.controls
    c.dataset.value = "moons"
    c.layers.value = 2
    c.units[1].value = 5
    c.optimiser.value = "momentum"
    c.lr.value = 0.3
    c.weight_decay.value = 1e-3
    c.noise.value = float("nan")  # refused
    c.batch_size.value = 8
    c.epochs.value = 50
    playground._on_regenerate()
    assert_controls_show_what_trains(playground)
    assert playground.config() == dict(dataset="moons", noise=0.2, test_fraction=0.3, hidden=[16, 5],
                                       activation="tanh", lr=0.3, optimiser="momentum", batch_size=8,
                                       weight_decay=1e-3, epochs=50, seed=1)


def test_divergence_message_quotes_the_loss_the_readout_shows():
    playground = Playground(dataset="circles", optimiser="sgd", activation="relu", lr=30.0, epochs=200)
    playground.fit()
    message, readout = playground.message.value, playground.readout.value
    assert "diverged" in message
    train_loss = readout.split("<b>loss</b> train ")[1].split(" ")[0]
    # the rule over all the chunks (the epochs' losses), then the loss of the network shown
    assert "the training loss stayed for 10 epochs above 3 times its start" in message, message
    assert f"it is now {train_loss}." in message, (message, readout)


def test_a_nan_loss_is_reported_with_the_loss_the_readout_shows(monkeypatch):
    playground = Playground(epochs=20)
    history = nnlib.History(stop_reason="the loss became nan at epoch 1")
    monkeypatch.setattr("nnlib.views.playground.train", lambda *args, **kwargs: history)
    playground.fit()
    train_loss = playground.readout.value.split("<b>loss</b> train ")[1].split(" ")[0]
    assert "the loss became nan at epoch 1" in playground.message.value
    assert f"training loss of {train_loss}." in playground.message.value


def test_the_verdict_on_a_run_does_not_depend_on_where_frames_cut_it():
    # nnlib.train judges each chunk from the chunk's start; cut after epoch 38, this run (which recovers at
    # once and trains to the end in one chunk) was called diverged at epoch 45.
    config = dict(dataset="spiral", activation="relu", optimiser="momentum", lr=0.3, batch_size=32)
    whole = Playground(**config)
    whole.fit(300, frame_seconds=math.inf)
    for cut in (38, 40):
        cut_up = Playground(**config)
        cut_up.fit(cut, frame_seconds=math.inf)
        cut_up.fit(300 - cut, frame_seconds=math.inf)
        assert cut_up.history.loss == whole.history.loss, cut
        verdicts = ["diverged" in playground.message.value for playground in (cut_up, whole)]
        assert verdicts[0] == verdicts[1], cut_up.message.value


def test_a_chunk_that_train_calls_diverged_from_its_own_start_does_not_end_the_run(monkeypatch):
    # nnlib.train measures from the chunk's start; the playground judges from the untrained network over
    # all chunks: train's verdict on a chunk must not end the run (the frames would decide the outcome).
    real_train, calls = nnlib.train, []

    def train_judging_the_chunk(net, *args, **kwargs):
        if calls:
            return real_train(net, *args, **kwargs)
        calls.append(1)  # the first chunk: as if train had found it diverged from the chunk's start at 5
        history = real_train(net, *args, **{**kwargs, "epochs": 5})
        losses = [1.0] + [5.0] * nnlib.diagnostics.DIVERGENCE_EPOCHS
        history.stop_reason = nnlib.diagnostics.divergence(losses, 1.0, 0.7, nnlib.SGD(1.0))
        return history

    monkeypatch.setattr("nnlib.views.playground.train", train_judging_the_chunk)
    playground = Playground(dataset="moons", epochs=50)
    playground.fit(frame_seconds=math.inf)
    assert calls and "diverged" not in playground.message.value, playground.message.value
    assert playground.history.epochs_run == 50


def test_a_network_whose_outputs_overflow_is_drawn_as_undecided_not_a_traceback():
    # forward/accuracy refuse outputs that overflow; the playground must still draw and read out.
    playground = Playground(dataset="moons", activation="relu", epochs=10)
    for W in playground.net.params.values():
        W *= 1e300   # ReLU layers multiply: inf, then inf - inf = NaN in the logits
    with pytest.raises(ValueError, match="overflowed"):
        playground.net.forward(playground.X_train)
    playground.render()
    assert "accuracy</b> train nan%" in playground.readout.value, playground.readout.value


# ---------------------------------------------------------------- the notebook's interrupt button (■)
@pytest.fixture
def sigint_ignored():
    """SIGINT as a kernel sets it while no cell runs (ignored), restored after the test."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    yield
    signal.signal(signal.SIGINT, previous)


def test_the_kernels_interrupt_stops_a_train_press(sigint_ignored):
    playground = Playground(epochs=2000)

    async def scenario() -> None:
        playground._on_train()
        await asyncio.sleep(0)  # the first chunk runs
        signal.raise_signal(signal.SIGINT)  # what the ■ button sends the kernel
        await asyncio.wait_for(playground._task, timeout=30)

    asyncio.run(scenario())
    assert 0 < playground.history.epochs_run < 2000
    assert "Interrupted at epoch" in playground.message.value
    assert not playground.controls.train.disabled
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN  # the kernel's handler is back
    assert len(playground.history.loss) == playground.history.epochs_run


def test_the_kernels_interrupt_stops_fit_after_an_epoch_and_raises():
    playground = Playground(epochs=2000)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        playground.fit(2000)
    timer.join()
    assert 0 < playground.history.epochs_run < 2000
    assert len(playground.history.loss) == playground.history.epochs_run
    assert "Interrupted at epoch" in playground.message.value
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# ---------------------------------------------------------------- what nnlib.train found wrong, in sentences
def test_the_playground_shows_what_train_found_wrong_as_sentences():
    playground = Playground(dataset="xor", activation="relu", hidden=[2], seed=0)  # one unit dies here
    playground.fit()
    assert playground.history.warnings and "dead" in playground.history.warnings[0]
    assert "⚠ 1 of the 2 units of hidden layer 1 is dead" in playground.notes.value
    playground._on_reset()
    assert playground.notes.value == "" and playground.history.warnings == []


def test_the_notes_never_repeat_the_divergence_message(monkeypatch):
    playground = Playground(epochs=20)
    reason = "the loss became inf at epoch 2: the learning rate is probably too high"
    chunk = nnlib.History(loss=[1.0, 9.0], accuracy=[0.3, 0.3], val_loss=[1.0, 9.0], val_accuracy=[0.3, 0.3],
                          epochs_run=2, stop_reason=reason, warnings=[reason, "the inputs are not scaled"])
    monkeypatch.setattr("nnlib.views.playground.train", lambda *args, **kwargs: chunk)
    playground.fit()
    assert reason in playground.message.value and reason not in playground.notes.value
    assert "⚠ the inputs are not scaled" in playground.notes.value


def test_an_interrupt_caught_by_train_is_a_stop_not_a_divergence(monkeypatch):
    playground = Playground(epochs=20)
    chunk = nnlib.History(loss=[1.0], accuracy=[0.3], val_loss=[1.0], val_accuracy=[0.3], epochs_run=1,
                          stop_reason="interrupted (the kernel's stop button) after 1 completed epochs")
    monkeypatch.setattr("nnlib.views.playground.train", lambda *args, **kwargs: chunk)
    with pytest.raises(KeyboardInterrupt):
        playground.fit()
    assert "Interrupted at epoch 1" in playground.message.value and "diverged" not in playground.message.value
