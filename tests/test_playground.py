"""The playground without a browser: set controls, call the handlers, check the network and the views."""

from __future__ import annotations

import asyncio
import io

import ipywidgets  # noqa: F401  (the playground needs it; a missing install must fail, not skip)
import numpy as np
import pytest
from PIL import Image  # noqa: E402

import nnlib  # noqa: E402
from nnlib.views.playground import DEFAULTS, Playground  # noqa: E402


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
    c.lr.value = 10 ** -1.5  # as a slider leaves it: not a round number
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
