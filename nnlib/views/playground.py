"""The playground of notebook 05: train a small network on toy data and watch it learn (JupyterLab or Voila).

``Playground()`` builds the controls (ipywidgets 8) and the views (PNG images drawn by matplotlib off-screen);
display it as the last expression of a cell. ``playground.net`` is the ``nnlib.MLP`` being trained and
``playground.history`` its ``nnlib.History``, so a learner can continue in code. ``playground.config_code()``
is one line of Python that rebuilds the current configuration.

Why training is split into chunks: the kernel handles a button click only when no code is running. Pressing
Train schedules a coroutine on the kernel's asyncio event loop; it trains for about a frame's time, draws a
frame, then ``await asyncio.sleep(0)`` hands control back so the kernel can process clicks (Stop, sliders)
before the next chunk. No threads: they break output routing and ignore kernel interrupts.

``python -m benchmarks.bench_playground`` prints the frame time, the spiral's time to 95 % test accuracy and
the time from a slider change to its first new frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import math
import signal
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nnlib import MLP, SGD, Adam, History, data, diagnostics, train

from .plots import (
    BLUE,
    MARKERS,
    OKABE_ITO,
    ORANGE,
    boundary_image,
    encode_png,
    grid_points,
    outputs_or_nan,
    training_notes,
)
from .widgets import learning_rate_slider, with_readout

DATASETS = {"XOR cloud": "xor", "circles": "circles", "moons": "moons", "spiral": "spiral",
            "gaussians": "gaussians"}
ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "ReLU": "relu"}
OPTIMISERS = {"SGD": "sgd", "momentum": "momentum", "Adam": "adam"}
FULL_BATCH = 0  # the Batch size dropdown's value for "full batch" (a Dropdown shows None as a blank)
BATCH_SIZES = {"full batch": FULL_BATCH, "8": 8, "16": 16, "32": 32, "64": 64, "128": 128}
WEIGHT_DECAYS = {"0 (off)": 0.0, "0.0001": 1e-4, "0.001": 1e-3, "0.01": 1e-2, "0.1": 0.1}
N_POINTS = 300
MAX_LAYERS = 3
IMAGE_PIXELS = 320  # every view is drawn 4 inches wide at 80 dpi and shown at most that wide
MIN_IMAGE_PIXELS = 240  # narrower than this, the pictures go below the controls instead of beside them
CONTROL_WIDTH, LR_SLIDER_WIDTH, PANEL_WIDTH = "270px", "215px", "280px"  # lr: its value is shown apart
LABEL_STYLE = {"description_width": "initial"}  # labels as wide as their text
LEARNING_RATE_RANGE = (1e-4, 100.0)  # the slider's stops are the round LEARNING_RATES in between
FRAME_SECONDS = 0.1  # train about this long between two frames (10 frames per second)
NEURON_CMAP = "PuOr"  # orange (low) to purple (high): colour-blind safe, diverging around 0.5
DEFAULTS = dict(dataset="spiral", noise=0.2, test_fraction=0.3, hidden=(16, 16), activation="tanh", lr=0.03,
                optimiser="adam", batch_size=32, weight_decay=0.0, epochs=300, seed=0)


def make_data(dataset: str, noise: float, test_fraction: float, seed: int) -> tuple:
    """The points of a named toy data set, split: X_train, X_test, y_train, y_test (X (N, 2), y (N,) int)."""
    if dataset not in DATASETS.values():
        raise ValueError(f"dataset must be one of {sorted(DATASETS.values())}, got {dataset!r}")
    if dataset == "xor":
        X, y = data.xor_cloud(N_POINTS, noise=noise, seed=seed)
    else:
        X, y = getattr(data, dataset)(N_POINTS, noise=noise, seed=seed)
    return data.train_test_split(X, y, test_fraction=test_fraction, seed=seed)


def make_optimiser(optimiser: str, lr: float, weight_decay: float) -> SGD | Adam:
    """nnlib's optimiser for a name in OPTIMISERS ("momentum" is SGD with momentum 0.9)."""
    if optimiser == "adam":
        return Adam(lr=lr, weight_decay=weight_decay)
    if optimiser in ("sgd", "momentum"):
        return SGD(lr=lr, momentum=0.9 if optimiser == "momentum" else 0.0, weight_decay=weight_decay)
    raise ValueError(f"optimiser must be one of {sorted(OPTIMISERS.values())}, got {optimiser!r}")


# ---------------------------------------------------------------------- the views (matplotlib, off-screen)
class BlitCanvas:
    """A figure drawn off-screen. Only the `moving` artists are redrawn per frame, over a saved background
    (blitting): much cheaper than redrawing the axes, ticks and labels every time."""

    def __init__(self, figure: Figure):
        self.figure, self.canvas = figure, FigureCanvasAgg(figure)
        self.moving: list = []
        self.background = None

    def animate(self, *artists: Any) -> None:
        for artist in artists:
            artist.set_animated(True)  # left out of the background; drawn by png()
            self.moving.append(artist)

    def png(self, full: bool = False) -> bytes:
        """Draw a frame (everything when `full`, else only the moving artists) and encode it."""
        if full or self.background is None:
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.figure.bbox)
        else:
            self.canvas.restore_region(self.background)
        for artist in self.moving:
            self.figure.draw_artist(artist)
        return encode_png(self.canvas.buffer_rgba())


class BoundaryView:
    """The decision boundary (class colours, faded where unsure); train points filled, test points hollow."""

    def __init__(self, X_train, y_train, X_test, y_test, n_classes: int, resolution: int = 80):
        self.resolution, self.n_classes = resolution, n_classes
        self.grid, extent = grid_points(np.vstack([X_train, X_test]), resolution)
        figure = Figure(figsize=(4.0, 4.3), dpi=80)
        ax = figure.add_axes((0.15, 0.2, 0.8, 0.72))
        ax.set(title="Decision boundary", xlabel="$x_1$", ylabel="$x_2$")
        self.image = ax.imshow(np.ones((resolution, resolution, 3)), origin="lower", extent=extent,
                               aspect="auto", interpolation="bilinear")
        points = []
        for c in range(n_classes):
            colour, marker = OKABE_ITO[c % len(OKABE_ITO)], MARKERS[c % len(MARKERS)]
            points.append(ax.scatter(*X_train[y_train == c].T, s=22, c=colour, marker=marker,
                                     edgecolors="black", linewidths=0.5, label=f"class {c}"))
            points.append(ax.scatter(*X_test[y_test == c].T, s=26, facecolors="none", edgecolors=colour,
                                     marker=marker, linewidths=1.4))
        legend = [Line2D([], [], color="grey", marker="o", markeredgecolor="black", ls="", label="train"),
                  Line2D([], [], color="grey", marker="o", markerfacecolor="none", ls="", label="test")]
        figure.legend(handles=[*points[::2], *legend], loc="lower center", ncol=n_classes + 2,
                      fontsize="small", frameon=False, handletextpad=0.2, columnspacing=0.8)
        self.canvas = BlitCanvas(figure)
        self.canvas.animate(self.image, *points)

    def png(self, outputs: np.ndarray, full: bool = False) -> bytes:
        """A frame for `outputs`, the network's class probabilities on the grid (R*R, C)."""
        P = np.nan_to_num(np.clip(outputs, 0.0, 1.0), nan=1.0 / self.n_classes)
        self.image.set_data(boundary_image(P.reshape(self.resolution, self.resolution, -1)))
        return self.canvas.png(full)


class LossView:
    """Train and test loss per epoch on a log scale. Limits jump in decades so that most frames can blit."""

    def __init__(self):
        figure = Figure(figsize=(4.0, 2.3), dpi=80)
        self.ax = figure.add_axes((0.16, 0.22, 0.8, 0.66))
        self.ax.set(title="Loss (cross-entropy)", xlabel="epoch", ylabel="loss (log scale)", yscale="log",
                    xlim=(0, 10), ylim=(0.01, 10))
        self.train_line, = self.ax.plot([], [], color=BLUE, label="train")
        self.test_line, = self.ax.plot([], [], color=ORANGE, linestyle="--", label="test")
        self.ax.legend(loc="upper right", fontsize="small")
        self.canvas = BlitCanvas(figure)
        self.canvas.animate(self.train_line, self.test_line)

    def png(self, history: History, planned_epochs: int, full: bool = False) -> bytes:
        epochs = np.arange(1, len(history.loss) + 1)
        self.train_line.set_data(epochs, history.loss)
        self.test_line.set_data(epochs[:len(history.val_loss)], history.val_loss)
        return self.canvas.png(self._fit_limits(history, planned_epochs) or full)

    def _fit_limits(self, history: History, planned_epochs: int) -> bool:
        """Widen the axes to 1-2-5 steps of epochs and whole decades of loss; True when they changed."""
        losses = np.array([*history.loss, *history.val_loss], dtype=float)
        losses = losses[np.isfinite(losses) & (losses > 0)]
        right = next(s for s in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10**4, 10**9)
                     if s >= max(len(history.loss), planned_epochs))
        bottom, top = (0.01, 10.0) if not losses.size else (
            10.0 ** math.floor(math.log10(losses.min())), 10.0 ** math.ceil(math.log10(losses.max())))
        bottom, top = min(bottom, 0.1), max(top, 10 * bottom)
        if (right, bottom, top) == (self.ax.get_xlim()[1], *self.ax.get_ylim()):
            return False
        self.ax.set(xlim=(0, right), ylim=(bottom, top))
        return True


class NeuronView:
    """Small multiples: for every hidden neuron, its output over the plane (one mosaic image per layer)."""

    def __init__(self, X: np.ndarray, layer_sizes: list[int], activation: str, tile: int = 24,
                 columns: int = 8):
        self.tile, self.columns, self.activation = tile, columns, activation
        self.grid, extent = grid_points(X, tile)
        hidden = layer_sizes[1:-1]
        rows = [math.ceil(n / columns) for n in hidden]
        height = 0.45 * len(hidden) + sum(0.5 * r for r in rows)
        figure = Figure(figsize=(4.0, height), dpi=80)
        grid = figure.add_gridspec(len(hidden), 1, height_ratios=rows, hspace=0.45 / max(1.0, sum(rows) / 2),
                                   top=1 - 0.35 / height, bottom=0.05 / height, left=0.03, right=0.97)
        self.images = []
        for k, n in enumerate(hidden):
            ax = figure.add_subplot(grid[k])
            ax.set_axis_off()
            ax.set_title(f"Hidden layer {k + 1}: each of its {n} neurons over the plane", fontsize="small")
            mosaic = self._empty(n)
            ax.set(xlim=(-0.5, self.columns * (tile + 2) - 2.5), ylim=(mosaic.shape[0] - 0.5, -0.5))
            self.images.append(ax.imshow(mosaic, cmap=NEURON_CMAP, vmin=0.0, vmax=1.0,
                                         interpolation="nearest", aspect="equal", origin="upper"))
        figure.text(0.5, 0.005, "purple = high output, orange = low", ha="center", va="bottom",
                    fontsize="small")
        self.canvas = BlitCanvas(figure)
        self.canvas.animate(*self.images)

    def _empty(self, n: int) -> np.ndarray:
        rows, columns = math.ceil(n / self.columns), min(n, self.columns)
        return np.full((rows * (self.tile + 2) - 2, columns * (self.tile + 2) - 2), np.nan)

    def png(self, hidden_outputs: list[np.ndarray], full: bool = False) -> bytes:
        """hidden_outputs: [A1, ...] on this view's grid, each (T*T, n_k)."""
        for image, A in zip(self.images, hidden_outputs, strict=True):
            image.set_data(self._mosaic(A))
        return self.canvas.png(full)

    def _mosaic(self, A: np.ndarray) -> np.ndarray:
        """Tiles (T, T) of every neuron's output scaled to [0, 1], laid out in rows, NaN (white) between."""
        T, n = self.tile, A.shape[1]
        values = np.nan_to_num(A.reshape(T, T, n)[::-1], nan=0.0, posinf=0.0, neginf=0.0)  # row 0 at the top
        if self.activation == "tanh":
            values = (values + 1.0) / 2.0
        elif self.activation == "relu":
            values = values / np.maximum(values.max(axis=(0, 1)), 1e-12)  # each neuron on its own scale
        mosaic = self._empty(n)
        for k in range(n):
            row, column = divmod(k, self.columns)
            mosaic[row * (T + 2):row * (T + 2) + T, column * (T + 2):column * (T + 2) + T] = values[..., k]
        return mosaic


class Dashboard:
    """All views of one data set; set_network() when the architecture changes, frames() for every frame."""

    def __init__(self, X_train, y_train, X_test, y_test, n_classes: int):
        self.X = np.vstack([X_train, X_test])
        self.boundary = BoundaryView(X_train, y_train, X_test, y_test, n_classes)
        self.loss = LossView()
        self.neurons = self.net = None

    def set_network(self, net: MLP) -> None:
        """A new network: only the neuron view changes shape (the other views keep their backgrounds)."""
        self.net = net
        self.neurons = NeuronView(self.X, net.layer_sizes, net.activation)

    def frames(self, history: History, planned_epochs: int) -> Iterator[tuple[str, bytes]]:
        """("boundary" | "neurons" | "loss", PNG bytes) for the network now, the boundary first: each view
        can be shown as soon as it is drawn."""
        with np.errstate(all="ignore"):
            outputs = outputs_or_nan(self.net, self.boundary.grid)  # (R*R, C); NaN where it overflows
            hidden_outputs = self.net.layer_outputs(self.neurons.grid)[:-1]  # [A1 (T*T, n_1), ...]
        yield "boundary", self.boundary.png(outputs)
        yield "neurons", self.neurons.png(hidden_outputs)
        yield "loss", self.loss.png(history, planned_epochs)


def _slider(kind: type, description: str, **kwargs: Any) -> widgets.Widget:
    """A labelled slider that reports its value only when released (every change retrains or redraws)."""
    return kind(description=description, continuous_update=False, style=LABEL_STYLE,
                layout=widgets.Layout(width=CONTROL_WIDTH), **kwargs)


def _dropdown(description: str, options: dict, value: Any) -> widgets.Dropdown:
    return widgets.Dropdown(description=description, options=list(options.items()), value=value,
                            style=LABEL_STYLE, layout=widgets.Layout(width=CONTROL_WIDTH))


def _button(description: str, tooltip: str, style: str = "") -> widgets.Button:
    return widgets.Button(description=description, tooltip=tooltip, button_style=style,
                          layout=widgets.Layout(width="auto"))


class Controls:
    """The playground's widgets, each with a visible description (browser tests find them by it)."""

    def __init__(self, config: dict):
        self.dataset = _dropdown("Dataset", DATASETS, config["dataset"])
        self.noise = _slider(widgets.FloatSlider, "Noise", min=0.0, max=1.0, step=0.01)
        self.test_fraction = _slider(widgets.FloatSlider, "Test fraction", min=0.1, max=0.5, step=0.05)
        self.layers = _slider(widgets.IntSlider, "Hidden layers", min=1, max=MAX_LAYERS)
        self.units = [_slider(widgets.IntSlider, "Hidden units" + (f" (layer {k + 1})" if k else ""), value=4,
                              min=1, max=32) for k in range(MAX_LAYERS)]
        self.activation = _dropdown("Activation", ACTIVATIONS, config["activation"])
        self.lr = learning_rate_slider(config["lr"], *LEARNING_RATE_RANGE, style=LABEL_STYLE,
                                       layout=widgets.Layout(width=LR_SLIDER_WIDTH))
        self.optimiser = _dropdown("Optimiser", OPTIMISERS, config["optimiser"])
        self.batch_size = _dropdown("Batch size", BATCH_SIZES, config["batch_size"] or FULL_BATCH)
        self.weight_decay = _dropdown("L2 regularisation", WEIGHT_DECAYS, config["weight_decay"])
        self.epochs = _slider(widgets.IntSlider, "Epochs per Train", min=10, max=2000, step=10)
        self.regenerate = _button("Regenerate", "New random points (next seed)")
        self.train = _button("Train", "Train for the chosen number of epochs", "success")
        self.stop = _button("Stop", "Pause/stop training; Train continues from here", "warning")
        self.step = _button("Step", "Train one epoch")
        self.reset = _button("Reset", "Start again from the untrained network")
        self.share = _button("Share as code", "Show one line of Python that rebuilds this configuration")
        self.show_numbers = widgets.ToggleButton(description="Show the numbers", tooltip="Show the weights")
        self.show(config)

    def show(self, config: dict) -> None:
        """Set every control to `config` (keyword arguments of Playground(), as config() returns them)."""
        hidden = list(config["hidden"])
        for name in ("dataset", "noise", "test_fraction", "activation", "optimiser", "weight_decay",
                     "epochs"):
            getattr(self, name).value = config[name]
        stops = [rate for _, rate in self.lr.options]
        if config["lr"] not in stops:  # a learning rate set in code becomes a stop of the slider too
            self.lr.options = [(f"{rate:g}", rate) for rate in sorted({*stops, float(config["lr"])})]
        self.lr.value = config["lr"]
        self.batch_size.value = config["batch_size"] or FULL_BATCH
        self.layers.value = len(hidden)
        for slider, units in zip(self.units, hidden, strict=False):
            slider.value = units
        self.show_layers()

    def config(self, seed: int) -> dict:
        """What the controls show, as keyword arguments of Playground()."""
        return dict(dataset=self.dataset.value, noise=self.noise.value,
                    test_fraction=self.test_fraction.value, hidden=self.hidden(),
                    activation=self.activation.value, lr=self.lr.value,
                    optimiser=self.optimiser.value, batch_size=self.batch_size.value or None,
                    weight_decay=self.weight_decay.value, epochs=self.epochs.value, seed=seed)

    def show_layers(self) -> None:
        """Show one "Hidden units" slider per hidden layer."""
        for k, slider in enumerate(self.units):
            slider.layout.display = None if k < self.layers.value else "none"

    def hidden(self) -> list[int]:
        return [slider.value for slider in self.units[:self.layers.value]]

    def panel(self) -> widgets.VBox:
        heading = widgets.HTML
        return widgets.VBox([
            heading("<b>Data</b>"), self.dataset, self.noise, self.test_fraction, self.regenerate,
            heading("<b>Network</b>"), self.layers, *self.units, self.activation,
            heading("<b>Training</b>"), with_readout(self.lr), self.optimiser, self.batch_size,
            self.weight_decay, self.epochs,
            widgets.HBox([self.train, self.stop, self.step, self.reset]),
            widgets.HBox([self.share, self.show_numbers])],
            layout=widgets.Layout(width=PANEL_WIDTH, flex="0 0 auto")).add_class("nnlib-controls")


def _safe(handler):
    """Run a widget handler after checking what the controls show (a slider's text box accepts NaN). On any
    error: say what went wrong (never a traceback) and put every control back to the state that is training,
    so that the controls never show a setting that is not in use."""
    def wrapped(self, *args):
        if self._showing:  # a control being put back by show_applied(): not a learner's change
            return None
        try:
            _check_config(self.controls.config(self.seed))
            result = handler(self, *args)
        except Exception as error:  # noqa: BLE001 - anything a combination of controls provokes
            self.say(f"⚠ {type(error).__name__}: {error}", error=True)
            self.show_applied()
            return None
        self.applied = self.controls.config(self.seed)
        return result
    wrapped.__name__, wrapped.__doc__ = handler.__name__, handler.__doc__
    return wrapped


class Playground(widgets.VBox):
    """Controls + live views around one nnlib.MLP; every argument is also a control (see DEFAULTS)."""

    def __init__(self, dataset: str = DEFAULTS["dataset"], noise: float = DEFAULTS["noise"],
                 test_fraction: float = DEFAULTS["test_fraction"],
                 hidden: list[int] | tuple = DEFAULTS["hidden"],
                 activation: str = DEFAULTS["activation"], lr: float = DEFAULTS["lr"],
                 optimiser: str = DEFAULTS["optimiser"], batch_size: int | None = DEFAULTS["batch_size"],
                 weight_decay: float = DEFAULTS["weight_decay"], epochs: int = DEFAULTS["epochs"],
                 seed: int = DEFAULTS["seed"]):
        config = dict(dataset=dataset, noise=noise, test_fraction=test_fraction, hidden=list(hidden),
                      activation=activation, lr=lr, optimiser=optimiser, batch_size=batch_size,
                      weight_decay=weight_decay, epochs=epochs, seed=seed)
        _check_config(config)
        self.seed, self.applied, self._showing = seed, config, False
        self.controls = Controls(config)
        self.images = {name: widgets.Image(format="png", layout=widgets.Layout(
            width="100%", max_width=f"{IMAGE_PIXELS}px", height="auto"))
                       for name in ("boundary", "loss", "neurons")}
        for name, image in self.images.items():
            image.add_class(f"nnlib-{name}")
        self.readout = widgets.HTML(layout=widgets.Layout(min_height="1.5em")).add_class("nnlib-readout")
        self.message = widgets.HTML(layout=widgets.Layout(min_height="1.5em")).add_class("nnlib-message")
        self.notes = widgets.HTML().add_class("nnlib-notes")  # what nnlib.train found wrong, in sentences
        self.numbers = widgets.HTML(layout=widgets.Layout(display="none"))
        self.code = widgets.Text(description="Rebuild with", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="95%", display="none"))
        self._task, self._stop, self._interrupted, self._generation, self._planned = None, False, False, 0, 0
        self.dashboard = None
        self._new_data()
        super().__init__([widgets.HBox([self.controls.panel(), self._views()], layout=widgets.Layout(
            flex_flow="row wrap", align_items="flex-start")), self.code, self.numbers])
        self.add_class("nnlib-playground")
        self._connect()

    def _views(self) -> widgets.VBox:
        """Readout, pictures and message. The pictures shrink (down to MIN_IMAGE_PIXELS) before they wrap, so
        that on a laptop screen with JupyterLab's file browser open they stay beside the controls: boundary
        and loss in one column, the neuron maps in a second one when there is room for it, else below."""
        column = widgets.Layout(flex="1 1 0", min_width=f"{MIN_IMAGE_PIXELS}px",
                                max_width=f"{IMAGE_PIXELS}px")
        pictures = widgets.HBox([widgets.VBox([self.images["boundary"], self.images["loss"]], layout=column),
                                 widgets.VBox([self.images["neurons"]], layout=column)],
                                layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start",
                                                      grid_gap="4px"))
        return widgets.VBox([self.readout, pictures, self.message, self.notes],
                            layout=widgets.Layout(flex="1 1 0", min_width=f"{MIN_IMAGE_PIXELS}px"))

    # ------------------------------------------------------------------ state
    @property
    def training(self) -> bool:
        """True while a Train press is still running (its chunks alternate with the kernel's event loop)."""
        return self._task is not None and not self._task.done()

    def config(self) -> dict:
        """The configuration that is training, as keyword arguments of Playground()."""
        return {**self.applied, "hidden": list(self.applied["hidden"])}

    def config_code(self) -> str:
        """One line of Python that rebuilds this configuration, e.g. Playground(dataset="spiral", ...)."""
        arguments = ", ".join(f"{name}={value!r}" for name, value in self.config().items())
        return f"Playground({arguments})".replace("'", '"')

    def show_applied(self) -> None:
        """Set every control back to the configuration that is training (without acting on the changes)."""
        self._showing = True
        try:
            self.controls.show(self.applied)
        finally:
            self._showing = False

    def _new_data(self) -> None:
        """Draw the data set for the current controls, then a fresh network for it (all built before any of
        it replaces the old, so an error leaves the playground as it was)."""
        c = self.controls
        split = make_data(c.dataset.value, c.noise.value, c.test_fraction.value, self.seed)
        X_train, X_test, y_train, y_test = split
        n_classes = int(max(y_train.max(), y_test.max())) + 1
        dashboard = Dashboard(X_train, y_train, X_test, y_test, n_classes)
        net, optimizer = self._build_network(n_classes)
        self.X_train, self.X_test, self.y_train, self.y_test = split
        self.n_classes, self.dashboard = n_classes, dashboard
        self._use_network(net, optimizer)

    def _new_network(self) -> None:
        """An untrained network for the current controls (same seed: Reset gives the same start)."""
        self._use_network(*self._build_network(self.n_classes))

    def _build_network(self, n_classes: int) -> tuple[MLP, SGD | Adam]:
        c = self.controls
        activation = c.activation.value
        net = MLP([2, *c.hidden(), n_classes], activation=activation, output_activation="softmax",
                  loss="cross_entropy", init="he" if activation == "relu" else "xavier", seed=self.seed)
        return net, make_optimiser(c.optimiser.value, c.lr.value, c.weight_decay.value)

    def _use_network(self, net: MLP, optimizer: SGD | Adam) -> None:
        self.net, self.optimizer = net, optimizer
        self.history, self._rng = History(), np.random.default_rng(self.seed)
        with np.errstate(all="ignore"):  # training stops as diverged once the loss stays far above its start
            self._start_loss = self.net.loss(self.X_train, self.y_train)
        self._guess = diagnostics.guessing_loss(net.loss_name, net.check_data(self.X_train, self.y_train)[1])
        self._generation += 1  # a training still running for the old network stops at its next chunk
        self.dashboard.set_network(self.net)
        self.render()

    # ------------------------------------------------------------------ training
    def _train_chunk(self, max_epochs: int, seconds: float = FRAME_SECONDS) -> int:
        """Train up to max_epochs epochs or about `seconds`, then draw a frame; returns the epochs run.
        Stop, the kernel's interrupt and a loss far above its start end the chunk after the current epoch."""
        start, stopped_by = time.perf_counter(), []

        def between_epochs(epoch: int, history: History) -> bool:
            recent = diagnostics.DIVERGENCE_EPOCHS  # the last epochs over the chunks so far and this one:
            losses = self.history.loss[-recent:] + history.loss[-recent:]
            if diagnostics.diverged(losses, self._start_loss, self._guess):  # as nnlib.train judges
                stopped_by.append("loss")
            elif self._stop or time.perf_counter() - start > seconds:
                stopped_by.append("time")
            return bool(stopped_by)

        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")  # divergence is reported below, not as NumPy warnings on stderr
            chunk = train(self.net, self.X_train, self.y_train, self.optimizer, epochs=max_epochs,
                          batch_size=self.applied["batch_size"], seed=self._rng, callback=between_epochs,
                          validation=(self.X_test, self.y_test), initial_epoch=self.history.epochs_run)
        self._append(chunk)
        self.render()
        if chunk.interrupted:  # nnlib.train caught a KeyboardInterrupt itself: a stop, not a divergence
            self._stop = self._interrupted = True
        elif stopped_by == ["loss"] or (chunk.stop_reason and not stopped_by and not _diverged_in(chunk)):
            raise Diverged(self._divergence_message(None if stopped_by else chunk.stop_reason))
        return chunk.epochs_run

    def _append(self, chunk: History) -> None:
        for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
            getattr(self.history, name).extend(getattr(chunk, name))
        self.history.epochs_run += chunk.epochs_run
        self.history.stop_reason = None
        self.history.warnings = training_notes(chunk)  # about the network now; the stop is said apart

    def _divergence_message(self, train_reason: str | None) -> str:
        """What went wrong (nnlib.train's reason, or the same rule's over all the chunks), with the loss the
        readout shows."""
        h, loss, start = self.history, _number(self._losses()["train loss"]), _number(self._start_loss)
        h.stop_reason = (f"{train_reason}; the network shown has a training loss of {loss}" if train_reason
                         else f"the training loss stayed for {diagnostics.DIVERGENCE_EPOCHS} epochs above "
                              f"{diagnostics.DIVERGENCE_FACTOR:g} times its start ({start}) and above a "
                              f"constant guess's ({_number(self._guess)}); it is now {loss}")
        return (f"⚠ Training diverged after epoch {h.epochs_run}: {h.stop_reason}. Lower the learning rate "
                f"({self.controls.lr.label} is too high for {self.controls.optimiser.label} here) and press "
                "Reset, then Train.")

    def fit(self, epochs: int | None = None, *, frame_seconds: float = FRAME_SECONDS) -> History:
        """Train in the foreground (blocking) for `epochs` (default: the Epochs control), drawing a frame
        about every `frame_seconds` (math.inf: only at the end). The kernel's interrupt button stops it after
        the current epoch and then raises KeyboardInterrupt."""
        epochs = self.controls.epochs.value if epochs is None else epochs
        self._stop, self._interrupted, generation, done = False, False, self._generation, 0
        self._planned = self.history.epochs_run + epochs
        with self._interrupt_stops_training():
            try:
                while done < epochs and not self._stop and generation == self._generation:
                    done += self._train_chunk(epochs - done, frame_seconds)
            except Diverged as diverged:
                self.say(str(diverged), error=True)
            else:
                self._report_end(done, epochs, generation)
        if self._interrupted:
            raise KeyboardInterrupt(f"the playground stopped training at epoch {self.history.epochs_run}")
        return self.history

    async def _train_async(self, epochs: int) -> None:
        """fit(), but handing control back to the event loop between chunks so clicks are processed."""
        self._stop, self._interrupted, generation, done = False, False, self._generation, 0
        self._planned = self.history.epochs_run + epochs
        self._set_busy(True)
        try:
            with self._interrupt_stops_training():
                while done < epochs and not self._stop and generation == self._generation:
                    done += self._train_chunk(epochs - done)
                    await asyncio.sleep(0)  # let the kernel handle Stop and slider messages
            self._report_end(done, epochs, generation)
        except Diverged as diverged:
            self.say(str(diverged), error=True)
        except Exception as error:  # noqa: BLE001 - show it in the view, never as a traceback
            self.say(f"⚠ {type(error).__name__}: {error}", error=True)
        finally:
            self._set_busy(False)

    @contextlib.contextmanager
    def _interrupt_stops_training(self) -> Iterator[None]:
        """While training, the notebook's interrupt button (SIGINT) stops it like Stop does.

        A kernel ignores SIGINT while no cell runs, which is when a Train press trains (between the kernel's
        own messages), so the playground listens for it itself and puts the kernel's handler back after."""
        if threading.current_thread() is not threading.main_thread():  # only there can Python catch signals
            yield
            return

        def interrupted(signum: int, frame: Any) -> None:
            self._stop = self._interrupted = True

        previous = signal.signal(signal.SIGINT, interrupted)
        try:
            yield
        finally:
            if signal.getsignal(signal.SIGINT) is interrupted:
                signal.signal(signal.SIGINT, previous)

    def _report_end(self, done: int, epochs: int, generation: int) -> None:
        if generation != self._generation:
            return  # the data or the network changed: the handler that changed it has said so
        if done >= epochs:
            self.say(f"Done: trained {done} epochs ({self.history.epochs_run} in total).")
        elif self._interrupted:
            self.say(f"Interrupted at epoch {self.history.epochs_run} (the notebook's ■ button): press Train "
                     "to continue, Reset to start again.")
        else:
            self.say(f"Paused at epoch {self.history.epochs_run}: press Train to continue, Reset to start "
                     "again.")

    def _set_busy(self, busy: bool) -> None:
        self.controls.train.disabled = busy
        self.controls.step.disabled = busy
        if busy:
            self.say("Training… (press Stop to pause)")

    # ------------------------------------------------------------------ drawing and messages
    def render(self) -> None:
        """Draw a frame of every view from the current network and history."""
        for name, png in self.dashboard.frames(self.history, self._planned):
            self.images[name].value = png  # sent to the browser now, while the next view is drawn
        self.readout.value = self._readout()
        self.notes.value = "".join(f"<div style='color: #D55E00'>⚠ {html.escape(note)}</div>"
                                   for note in training_notes(self.history))
        if self.controls.show_numbers.value:
            self.numbers.value = self._numbers_html()

    def _losses(self) -> dict[str, float]:
        """Accuracy and loss of the network on screen, on the training and the test points."""
        train_data, test_data = (self.X_train, self.y_train), (self.X_test, self.y_test)
        with np.errstate(all="ignore"):
            return {"train accuracy": self._accuracy(*train_data), "train loss": self._loss(*train_data),
                    "test accuracy": self._accuracy(*test_data), "test loss": self._loss(*test_data)}

    def _accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """The network's accuracy on (X, y), or NaN when its outputs overflow (net.accuracy refuses them)."""
        try:
            return self.net.accuracy(X, y)
        except ValueError:
            return math.nan

    def _loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """The network's loss on (X, y), or inf when it overflows (net.loss refuses to return it)."""
        try:
            return self.net.loss(X, y)
        except ValueError:
            return math.inf

    def _readout(self) -> str:
        m = self._losses()
        return (f"<b>Epoch</b> {self.history.epochs_run} &nbsp; "
                f"<b>accuracy</b> train {m['train accuracy']:.1%} · "
                f"<b>test {m['test accuracy']:.1%}</b> &nbsp; <b>loss</b> train {_number(m['train loss'])} · "
                f"test {_number(m['test loss'])}")

    def _numbers_html(self) -> str:
        rows = [f"<b>playground.net</b> = {self.net!r}"]
        for name, value in self.net.params.items():
            text = np.array2string(value, precision=3, suppress_small=True, max_line_width=100)
            rows.append(f"<b>{name}</b> {value.shape}\n{text}")
        return "<pre style='font-size: 11px; line-height: 1.2'>" + "\n".join(rows) + "</pre>"

    def say(self, text: str, error: bool = False) -> None:
        """Show a one-line message under the views (errors in orange-brown, never red alone)."""
        colour = "#D55E00" if error else "inherit"
        self.message.value = f"<span style='color: {colour}'>{html.escape(text)}</span>"

    # ------------------------------------------------------------------ widget handlers
    def _connect(self) -> None:
        c = self.controls
        for control in (c.dataset, c.noise, c.test_fraction):
            control.observe(self._on_data, names="value")
        for control in (c.layers, *c.units, c.activation):
            control.observe(self._on_network, names="value")
        for control in (c.lr, c.optimiser, c.weight_decay, c.batch_size):
            control.observe(self._on_optimiser, names="value")
        c.epochs.observe(self._on_epochs, names="value")
        c.show_numbers.observe(self._on_show_numbers, names="value")
        for button, handler in ((c.regenerate, self._on_regenerate), (c.train, self._on_train),
                                (c.stop, self._on_stop), (c.step, self._on_step), (c.reset, self._on_reset),
                                (c.share, self._on_share)):
            button.on_click(handler)

    @_safe
    def _on_data(self, change: dict | None = None) -> None:
        self._new_data()
        self.say(f"New data: {self.controls.dataset.label}, noise {self.controls.noise.value:.2f}.")

    @_safe
    def _on_regenerate(self, button: widgets.Button | None = None) -> None:
        self.seed += 1
        try:
            self._new_data()
        except Exception:
            self.seed -= 1
            raise
        self.say(f"New data: {self.controls.dataset.label}, noise {self.controls.noise.value:.2f}.")

    @_safe
    def _on_network(self, change: dict | None = None) -> None:
        self.controls.show_layers()
        self._new_network()
        self.say(f"New network: layer sizes {self.net.layer_sizes}, {self.controls.activation.label}.")

    @_safe
    def _on_optimiser(self, change: dict | None = None) -> None:
        """Keep the weights; apply a new learning rate / L2 in place (Adam keeps its state) or swap type."""
        c = self.controls
        if change is not None and change["owner"] is c.optimiser:
            self.optimizer = make_optimiser(c.optimiser.value, c.lr.value, c.weight_decay.value)
        elif change is not None and change["owner"] in (c.lr, c.weight_decay):
            self.optimizer.lr, self.optimizer.weight_decay = float(c.lr.value), float(c.weight_decay.value)
        self.say(f"{c.optimiser.label}, learning rate {c.lr.label}, batch size {c.batch_size.label}, "
                 f"L2 {c.weight_decay.value:g}: applies from the next epoch.")

    @_safe
    def _on_epochs(self, change: dict | None = None) -> None:
        self.say(f"Each press of Train now runs {self.controls.epochs.value} epochs.")

    @_safe
    def _on_train(self, button: widgets.Button | None = None) -> None:
        if self.training:  # rapid clicking never stacks trainings
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (plain Python): train in the foreground
            self.fit()
            return
        self._task = loop.create_task(self._train_async(self.controls.epochs.value))

    @_safe
    def _on_stop(self, button: widgets.Button | None = None) -> None:
        self._stop = True
        if not self.training:
            self.say(f"Not training (epoch {self.history.epochs_run}).")

    @_safe
    def _on_step(self, button: widgets.Button | None = None) -> None:
        if self.training:
            return
        self.fit(1)

    @_safe
    def _on_reset(self, button: widgets.Button | None = None) -> None:
        self._new_network()  # a training still running stops at its next chunk
        self.say("Reset: the untrained network again (same seed, same starting weights).")

    @_safe
    def _on_share(self, button: widgets.Button | None = None) -> None:
        self.code.value = self.config_code()
        self.code.layout.display = None

    @_safe
    def _on_show_numbers(self, change: dict | None = None) -> None:
        visible = self.controls.show_numbers.value
        self.numbers.layout.display = None if visible else "none"
        if visible:
            self.numbers.value = self._numbers_html()


def _diverged_in(chunk: History) -> bool:
    """Did nnlib.train stop this chunk as diverged, judged from the chunk's start? The playground judges over
    all the chunks (between_epochs) instead, so a verdict never depends on where the frames cut the run."""
    return (chunk.stop_reason or "").startswith(diagnostics.DIVERGED)


def _number(value: float) -> str:
    """A loss as the readout and the messages print it (the same digits in both)."""
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:.4g}"


class Diverged(RuntimeError):
    """Training produced an infinite or NaN loss (nnlib.train restored the last good weights)."""


def _check_config(config: dict) -> None:
    """Clear errors for bad Playground() arguments (name, value seen, what was expected)."""
    choices = {"dataset": DATASETS.values(), "activation": ACTIVATIONS.values(),
               "optimiser": OPTIMISERS.values(), "weight_decay": WEIGHT_DECAYS.values(),
               "batch_size": [size or None for size in BATCH_SIZES.values()]}  # None: full batch
    for name, options in choices.items():
        if config[name] not in options:
            raise ValueError(f"{name} must be one of {list(options)}, got {config[name]!r}")
    hidden = config["hidden"]
    if (not isinstance(hidden, (list, tuple)) or not 1 <= len(hidden) <= MAX_LAYERS
            or not all(isinstance(h, int) and 1 <= h <= 32 for h in hidden)):
        raise ValueError(f"hidden must be a list of 1 to {MAX_LAYERS} layer sizes in 1..32, got {hidden!r}")
    ranges = {"noise": (0.0, 1.0), "test_fraction": (0.1, 0.5), "lr": (1e-4, 100.0), "epochs": (10, 2000)}
    for name, (low, high) in ranges.items():
        value = config[name]
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"{name} must be a number in [{low}, {high}], got {value!r}")
    if not isinstance(config["seed"], int) or config["seed"] < 0:
        raise ValueError(f"seed must be a non-negative int, got {config['seed']!r}")
