"""nnlib.views.widgets: the notebook-04 explorer, driven through real ipywidgets objects (no kernel, no
mocks)."""

import io
import os

os.environ["MPLBACKEND"] = "Agg"

import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

import nnlib
from nnlib.views.widgets import XorExplorer, learning_rate_slider, verdict, with_readout, xor_explorer


def find(widget: widgets.Widget, description: str) -> widgets.Widget:
    """The control with this visible description, searched through the boxes (as an outside test would)."""
    if getattr(widget, "description", None) == description:
        return widget
    for child in getattr(widget, "children", ()):
        found = find(child, description)
        if found is not None:
            return found
    return None


@pytest.fixture(scope="module")
def explorer() -> XorExplorer:
    return xor_explorer(epochs=300)


def test_sliders_have_the_exact_labels_and_update_on_release(explorer):
    hidden, rate = find(explorer.widget, "Hidden units"), find(explorer.widget, "Learning rate")
    assert isinstance(hidden, widgets.IntSlider) and (hidden.min, hidden.max) == (1, 16)
    assert isinstance(rate, widgets.SelectionSlider)  # round stops, the default among them (issue 14)
    assert [value for _, value in rate.options] == [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
    assert [label for label, _ in rate.options] == ["0.01", "0.03", "0.1", "0.3", "1", "3", "10"]
    assert rate.value == 1.0
    assert hidden.continuous_update is False and rate.continuous_update is False
    assert isinstance(find(explorer.widget, "Train"), widgets.Button)
    assert isinstance(explorer, widgets.Widget) and explorer.widget is explorer
    assert explorer._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]["model_id"]


def test_first_training_happens_at_once_and_is_shown(explorer):
    assert explorer.net.layer_sizes == [2, 4, 1] and len(explorer.history.loss) == 300
    assert explorer.history.accuracy[-1] == 1.0
    frame = np.asarray(Image.open(io.BytesIO(explorer.image.value)))
    assert frame.shape[:2] == (288, 720)
    assert "2-4-1" in explorer.message.value


def test_moving_a_slider_retrains_and_redraws(explorer):
    old_net, old_history, old_frame = explorer.net, explorer.history, explorer.image.value
    find(explorer.widget, "Hidden units").value = 8
    assert explorer.net is not old_net and explorer.net.layer_sizes == [2, 8, 1]
    assert explorer.history is not old_history and explorer.history.loss != old_history.loss
    assert explorer.image.value != old_frame
    assert "2-8-1" in explorer.message.value


def test_same_settings_give_the_same_network(explorer):
    explorer.hidden_units.value = 3
    weights = explorer.net.params["W1"].copy()
    find(explorer.widget, "Train").click()
    np.testing.assert_array_equal(explorer.net.params["W1"], weights)  # seeded: deterministic


def test_huge_learning_rate_gives_a_message_not_an_exception(explorer):
    explorer.hidden_units.value = 4
    find(explorer.widget, "Learning rate").value = 10.0
    assert "⚠" in explorer.message.value and "smaller" in explorer.message.value
    assert explorer.history.loss[-1] > explorer.history.loss[0]
    explorer.learning_rate.value = 1.0
    assert "✓ Solved" in explorer.message.value


def test_a_learning_rate_given_in_code_becomes_a_stop_of_the_slider():
    explorer = xor_explorer(learning_rate=0.5, epochs=20)
    assert explorer.learning_rate.value == 0.5 and explorer.learning_rate.label == "0.5"
    assert [value for _, value in explorer.learning_rate.options][3:6] == [0.3, 0.5, 1.0]


def test_an_error_during_training_is_shown_as_a_message():
    explorer = xor_explorer(epochs=50)
    net = explorer.net
    explorer.epochs = 0  # an impossible setting slipped in after construction
    explorer.train_button.click()
    assert explorer.message.value.startswith("✗ Could not train") and "epochs" in explorer.message.value
    assert explorer.net is net and explorer._busy is False


def test_requests_during_a_training_do_not_stack_up():
    explorer = xor_explorer(epochs=50, auto_train=False)
    assert explorer.net is None
    runs = []
    original = explorer._train_once

    def counting_train_once():
        runs.append(explorer.hidden_units.value)
        if len(runs) == 1:  # while the first training runs, three more requests come in
            for units in (5, 6, 7):
                explorer.hidden_units.value = units
        original()

    explorer._train_once = counting_train_once
    explorer.train()
    assert runs == [4, 7]  # one more run, with the latest value, not three
    assert explorer.net.layer_sizes == [2, 7, 1] and explorer._busy is False


def test_verdict_reports_divergence_from_the_history():
    history = nnlib.History(loss=[0.7, 0.9], accuracy=[0.5, 0.5])
    history.stop_reason = "the loss became inf at epoch 3: the learning rate is probably too high"
    assert verdict(history, 5.0).startswith("⚠ Diverged")


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="hidden_units must be an integer from 1 to 16, got 0"):
        XorExplorer(hidden_units=0, auto_train=False)
    with pytest.raises(ValueError, match="learning_rate must be a number from 0.01 to 10.0, got 100"):
        XorExplorer(learning_rate=100, auto_train=False)
    with pytest.raises(ValueError, match="labels 0 and 1"):
        XorExplorer(np.zeros((3, 2)), [0, 1, 2], auto_train=False)
    with pytest.raises(ValueError, match="both X and y"):
        XorExplorer(np.zeros((3, 2)), auto_train=False)
    with pytest.raises(ValueError, match="features"):
        XorExplorer(np.zeros((3, 3)), [0, 1, 0], auto_train=False)
    with pytest.raises(ValueError, match="activation"):
        XorExplorer(activation="swish", auto_train=False)


def test_explorer_works_on_other_two_class_data():
    X, y = nnlib.data.xor_cloud(60, noise=0.1, seed=1)
    explorer = xor_explorer(X, y, epochs=200, hidden_units=6)
    assert explorer.net.layer_sizes == [2, 6, 1] and explorer.history.accuracy[-1] > 0.9


def test_the_verdict_adds_what_train_found_wrong():
    history = nnlib.History(loss=[0.7, 0.1], accuracy=[0.5, 1.0], epochs_run=2,
                            warnings=["1 of the 4 units of hidden layer 1 are dead"])
    assert verdict(history, 1.0).endswith("⚠ 1 of the 4 units of hidden layer 1 are dead.")


def test_the_learning_rate_is_shown_in_a_label_that_follows_the_slider():
    slider = learning_rate_slider(0.03, 0.001, 30.0)
    box = with_readout(slider)
    assert slider.readout is False  # its own readout is a box that keeps whatever is typed into it
    assert box.children[1].value == "0.03"
    slider.index += 1
    assert box.children[1].value == "0.1"
