"""Controls for notebook 04: retrain the XOR network from two sliders and watch it learn.

Import it explicitly (``from nnlib.views.widgets import xor_explorer``): ``import nnlib`` never imports
ipywidgets.

    explorer = xor_explorer()   # an ipywidgets VBox: shows itself when it is the last line of a cell
    explorer.net                # the network trained with the current slider values (an nnlib.MLP)
    explorer.history            # its History
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np

from nnlib import MLP, SGD, data, train

from .plots import LiveView, _check_X, _labels, training_notes

LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # round steps, about x3 each
LEARNING_RATE_RANGE = (0.01, 10.0)  # the explorer's ends: from "too slow" to "overshoots"
MAX_HIDDEN_UNITS = 16


def learning_rate_slider(value: float, low: float, high: float, **kwargs: Any) -> widgets.SelectionSlider:
    """A "Learning rate" slider whose stops are the round LEARNING_RATES from `low` to `high`, plus `value`
    (so a learning rate given in code is shown as it is). Reports its value when released. Display it with
    with_readout(): a SelectionSlider's own readout is a box anything can be typed into and that keeps
    showing it (ipywidgets 8 ignores the text), so it is hidden."""
    stops = sorted({rate for rate in LEARNING_RATES if low <= rate <= high} | {float(value)})
    return widgets.SelectionSlider(description="Learning rate", value=float(value), continuous_update=False,
                                   options=[(f"{rate:g}", rate) for rate in stops], readout=False, **kwargs)


def with_readout(slider: widgets.SelectionSlider) -> widgets.HBox:
    """The slider beside a plain label showing its current stop (a label: nothing can be typed into it)."""
    shown = widgets.Label(slider.label, layout=widgets.Layout(width="3.5em")).add_class("nnlib-slider-value")
    slider.observe(lambda change: setattr(shown, "value", slider.label or ""), names="index")
    return widgets.HBox([slider, shown], layout=widgets.Layout(align_items="center", margin="0 0 0 2px"))


class XorExplorer(widgets.VBox):
    """Sliders "Hidden units" and "Learning rate", a Train button, a message line and the live view.

    It is an ipywidgets VBox (it shows itself); ``.net`` and ``.history`` are the latest training's.

    Moving a slider (on release) or clicking Train builds a fresh network with ``seed`` (so the same settings
    always give the same result), trains it for ``epochs`` full-batch epochs of SGD and animates it. Problems
    (divergence, bad settings, any error) are shown in the message line, never as a traceback.
    Shapes: X (N, 2), y (N,) with labels 0/1.
    """

    def __init__(self, X: Any = None, y: Any = None, *, hidden_units: int = 4, learning_rate: float = 1.0,
                 epochs: int = 1000, activation: str = "tanh", loss: str = "bce", seed: int = 0,
                 auto_train: bool = True) -> None:
        super().__init__()
        self.X, self.y = _check_xor_data(X, y)
        _check_settings(hidden_units, learning_rate, epochs)
        MLP([2, 1, 1], activation=activation, loss=loss)  # fails now, with nnlib's message, on a bad name
        self.epochs, self.activation, self.loss, self.seed = epochs, activation, loss, seed
        self.net: MLP | None = None
        self.history: Any = None
        self.view: LiveView | None = None
        self._busy, self._pending = False, False
        self._build_controls(hidden_units, learning_rate)
        if auto_train:
            self.train()

    def _build_controls(self, hidden_units: int, learning_rate: float) -> None:
        style = {"description_width": "initial"}
        self.hidden_units = widgets.IntSlider(value=hidden_units, min=1, max=MAX_HIDDEN_UNITS, step=1,
                                              description="Hidden units", continuous_update=False,
                                              style=style)
        self.learning_rate = learning_rate_slider(learning_rate, *LEARNING_RATE_RANGE, style=style)
        self.train_button = widgets.Button(description="Train", button_style="primary", icon="play",
                                           tooltip="Train a fresh network with these settings")
        self.message = widgets.HTML(value="")
        self.image = widgets.Image(format="png")  # the live view's frames replace its value: updated in place
        self.hidden_units.observe(self._on_change, names="value")
        self.learning_rate.observe(self._on_change, names="value")
        self.train_button.on_click(self._on_click)
        controls = widgets.HBox([self.hidden_units, with_readout(self.learning_rate), self.train_button])
        self.children = (controls, self.message, self.image)
        self.widget = self  # the box to display or embed in another layout

    # -------------------------------------------------- events: never let an exception escape
    def _on_change(self, change: dict) -> None:
        self.train()

    def _on_click(self, button: widgets.Button) -> None:
        self.train()

    def train(self) -> None:
        """Train with the current slider values and show the result; a request made meanwhile runs after."""
        if self._busy:  # called again during a training: remember it, do not start a second one
            self._pending = True
            return
        self._busy = True
        try:
            self._pending = True
            while self._pending:  # run once, and once more if values changed meanwhile
                self._pending = False
                self._train_once()
        except Exception as error:  # a notebook control must never show a traceback: say what went wrong
            self._say(f"✗ Could not train: {error}")
        finally:
            self._busy = False

    def _train_once(self) -> None:
        hidden_units, learning_rate = int(self.hidden_units.value), float(self.learning_rate.value)
        net = MLP([2, hidden_units, 1], activation=self.activation, output_activation="sigmoid",
                  loss=self.loss, seed=self.seed)
        if self.view is None or self.view.epochs != self.epochs:
            self.view = LiveView(net, self.X, self.y, epochs=self.epochs, title="Training on XOR",
                                 sink=self._show_frame, show=False)
        else:
            self.view.restart(net)  # reuse the figure: the first frame comes sooner
        self._say(f"Training a 2-{hidden_units}-1 network with learning rate {learning_rate:.3g} …")
        history = train(net, self.X, self.y, SGD(lr=learning_rate), epochs=self.epochs, callback=self.view)
        self.view.finish(history)
        self.net, self.history = net, history
        self._say(f"2-{hidden_units}-1, learning rate {learning_rate:.3g}: {verdict(history, learning_rate)}")

    def _show_frame(self, png: bytes) -> None:
        self.image.value = png

    def _say(self, text: str) -> None:
        self.message.value = html.escape(text)


def verdict(history: Any, learning_rate: float) -> str:
    """One line for the learner: solved, not yet, or diverged (with what to try), then what nnlib.train found
    wrong (dead or saturated units, unscaled inputs), if anything."""
    notes = "".join(f" ⚠ {note}." for note in training_notes(history))
    return _outcome(history, learning_rate) + notes


def _outcome(history: Any, learning_rate: float) -> str:
    if not history.loss:
        return f"✗ Training stopped at once: {history.stop_reason}"
    first, last, accuracy = history.loss[0], history.loss[-1], history.accuracy[-1]
    summary = f"loss {first:.4g} → {last:.4g}, accuracy {accuracy:.0%} after {len(history.loss)} epochs"
    if history.stop_reason and "learning rate" in history.stop_reason:
        return f"⚠ Diverged: {history.stop_reason}."
    if not np.isfinite(last) or last > first:
        return (f"⚠ The loss went up ({summary}): a learning rate of {learning_rate:.3g} overshoots. "
                "Try a smaller one.")
    if accuracy < 1.0:
        return f"Not solved yet ({summary}). Try more hidden units or another learning rate."
    if last > 0.1:
        return (f"Every point is on the right side, but the network is still unsure ({summary}): "
                "a larger learning rate would get there sooner.")
    return f"✓ Solved: {summary}."


def _check_xor_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    if (X is None) != (y is None):
        raise ValueError("give both X and y, or neither (then the four XOR points are used)")
    if X is None:
        return data.xor()
    X = _check_X(X)
    y = _labels(y, X.shape[0])
    if np.any(y > 1):
        labels = sorted(set(y.tolist()))
        raise ValueError(f"y must hold the labels 0 and 1 (one sigmoid output), got {labels}")
    return X, y


def _check_settings(hidden_units: Any, learning_rate: Any, epochs: Any) -> None:
    if not isinstance(hidden_units, (int, np.integer)) or not 1 <= hidden_units <= MAX_HIDDEN_UNITS:
        raise ValueError(f"hidden_units must be an integer from 1 to {MAX_HIDDEN_UNITS}, "
                         f"got {hidden_units!r}")
    low, high = LEARNING_RATE_RANGE
    if not isinstance(learning_rate, (int, float)) or not low <= learning_rate <= high:
        raise ValueError(f"learning_rate must be a number from {low} to {high}, got {learning_rate!r}")
    if not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")


def xor_explorer(X: Any = None, y: Any = None, **settings: Any) -> XorExplorer:
    """The notebook-04 explorer, already trained once with the defaults. Shapes: X (N, 2), y (N,) 0/1.

    Settings (keywords): hidden_units=4, learning_rate=1.0, epochs=1000, activation="tanh", loss="bce",
    seed=0, auto_train=True. The returned object is an ipywidgets VBox (so it shows itself); ``.net`` and
    ``.history`` are the latest trained network and its History, ``.view`` its LiveView.
    """
    return XorExplorer(X, y, **settings)
