"""Pictures of data, decision boundaries and training: static plots and a live training view.

Import it explicitly (``from nnlib.views.plots import plot_decision_boundary, LiveView``): ``import nnlib``
never imports matplotlib. Colours are colour-blind safe: blue ``#0072B2`` and orange ``#E69F00`` for two
classes, the rest of the Okabe-Ito palette for more. A class is also told apart by its marker, not by colour
alone.
"""

from __future__ import annotations

import html
import struct
import time
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, NullLocator

from nnlib import train

BLUE, ORANGE = "#0072B2", "#E69F00"
OKABE_ITO = (BLUE, ORANGE, "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
SHADE = 0.55  # how strongly a region is tinted where the network is certain (0 = white, 1 = full colour)


# ---------------------------------------------------------------- checks shared by the functions below
def _check_X(X: Any, name: str = "X", n_features: int | None = 2) -> np.ndarray:
    """X as a float array of shape (N, D); D must be n_features when that is given."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise ValueError(f"{name} has shape {X.shape}, expected a non-empty 2-D array (N, D)")
    if n_features is not None and X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} features, expected {n_features} (points in the plane)")
    return X


def _labels(y: Any, n: int, name: str = "y") -> np.ndarray:
    """Integer class labels (N,) from y given as (N,), (N, 1) or one-hot (N, C)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)  # one-hot rows -> the index of the 1
    y = y.reshape(-1)
    if y.shape[0] != n:
        raise ValueError(f"{name} has {y.shape[0]} labels but X has {n} rows; expected one label per row")
    if not np.all(np.isfinite(y)) or np.any(y < 0) or np.any(y != np.round(y)):
        raise ValueError(f"{name} must hold class labels 0, 1, 2, ...; got values like {y[:5]}")
    return y.astype(int)


def _check_model(model: Any) -> None:
    if not callable(getattr(model, "forward", None)):
        raise TypeError(f"model must be a network with a forward(X) method (an nnlib.MLP), got {type(model)}")


def _new_axes(ax: Axes | None, figsize: tuple[float, float] = (5, 4)) -> Axes:
    """The given axes, or a fresh pyplot figure's axes (shown inline by Jupyter)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only here: the live view never touches pyplot's global figures

    return plt.subplots(figsize=figsize)[1]


def _palette_rgb(n_classes: int) -> np.ndarray:
    """(C, 3) RGB colours in [0, 1], one per class."""
    return np.array([to_rgb(OKABE_ITO[c % len(OKABE_ITO)]) for c in range(n_classes)])


# ---------------------------------------------------------------- the decision grid
def grid_points(X: np.ndarray, resolution: int) -> tuple[np.ndarray, tuple]:
    """A resolution x resolution grid covering the points X (N, 2) with a margin, as the network's input:
    (R*R, 2) points, row by row from the bottom; and its extent (x0, x1, y0, y1) for imshow."""
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - 0.25 * span, high + 0.25 * span  # a margin, so points are not on the edge
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    return np.column_stack([xx.ravel(), yy.ravel()]), (low[0], high[0], low[1], high[1])


def _class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """Network outputs (..., n_out) -> class probabilities (..., C): one sigmoid output p becomes [1-p, p]."""
    P = np.nan_to_num(np.clip(outputs, 0.0, 1.0), nan=0.5)
    if P.shape[-1] == 1:
        return np.concatenate([1.0 - P, P], axis=-1)
    return P


def decision_grid(model: Any, X: Any, resolution: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evaluate the network on a grid covering the points X.

    Shapes: X (N, 2). Returns xx, yy (R, R) and probabilities (R, R, C) with R = resolution: C = 2 for one
    sigmoid output ([P(class 0), P(class 1)]), else C = number of outputs.
    """
    _check_model(model)
    X = _check_X(X)
    points, _ = grid_points(X, resolution)
    outputs = np.asarray(model.forward(points))  # (R*R, n_out)
    xx, yy = (points[:, k].reshape(resolution, resolution) for k in (0, 1))
    return xx, yy, _class_probabilities(outputs.reshape(resolution, resolution, -1))


def outputs_or_nan(net: Any, points: np.ndarray) -> np.ndarray:
    """net.forward(points), (M, n_out); NaN everywhere -- drawn as "undecided" -- when forward refuses: its
    numbers overflow on these points, as after a training that diverged. A live view keeps drawing; the
    loss curve and the history's stop reason say what happened."""
    try:
        return np.asarray(net.forward(points))
    except ValueError:
        return np.full((len(points), _n_outputs(net)), np.nan)


def boundary_image(probabilities: np.ndarray) -> np.ndarray:
    """Class probabilities (R, R, C) -> an RGB image (R, R, 3): the winning class's colour, faded to white
    where the network is unsure (white exactly on a two-class boundary)."""
    n_classes = probabilities.shape[-1]
    winner = probabilities.argmax(axis=-1)  # (R, R)
    certainty = (probabilities.max(axis=-1) - 1 / n_classes) * (n_classes / (n_classes - 1))  # 0 .. 1
    colours = _palette_rgb(n_classes)[winner]  # (R, R, 3)
    return (1.0 - SHADE * certainty[..., None] * (1.0 - colours)).astype(np.float32)


# ---------------------------------------------------------------- static plots
def _scatter_classes(ax: Axes, X: np.ndarray, y: np.ndarray, n_classes: int, suffix: str = "",
                     marker_size: float = 30, **kwargs: Any) -> list:
    """One scatter per class (colour and marker differ); returns the artists."""
    artists = []
    for c in range(n_classes):
        mask = y == c
        artists.append(ax.scatter(X[mask, 0], X[mask, 1], s=marker_size, c=OKABE_ITO[c % len(OKABE_ITO)],
                                  marker=MARKERS[c % len(MARKERS)], edgecolors="black", linewidths=0.6,
                                  label=f"class {c}{suffix}", **kwargs))
    return artists


def plot_data(X: Any, y: Any, ax: Axes | None = None, title: str = "Data") -> Axes:
    """Scatter plot of 2-D points coloured by class. Shapes: X (N, 2), y (N,) or one-hot (N, C)."""
    X = _check_X(X)
    y = _labels(y, X.shape[0])
    ax = _new_axes(ax)
    _scatter_classes(ax, X, y, int(y.max()) + 1)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(loc="best", fontsize="small")
    return ax


def plot_decision_boundary(model: Any, X: Any, y: Any, ax: Axes | None = None, resolution: int = 100,
                           title: str = "Decision boundary") -> Axes:
    """The regions where the network predicts each class, shaded by its certainty, with the points on top.

    Shapes: X (N, 2), y (N,) or one-hot (N, C). For one sigmoid output the line P(class 1) = 0.5 is drawn.
    """
    X = _check_X(X)
    xx, yy, P = decision_grid(model, X, resolution)
    ax = _new_axes(ax)
    extent = (xx[0, 0], xx[0, -1], yy[0, 0], yy[-1, 0])
    ax.imshow(boundary_image(P), origin="lower", extent=extent, aspect="auto", interpolation="bilinear")
    if P.shape[-1] == 2 and 0 < P[..., 1].min() < 0.5 < P[..., 1].max():
        ax.contour(xx, yy, P[..., 1], levels=[0.5], colors="black", linewidths=1.0)
    plot_data(X, y, ax=ax, title=title)
    return ax


def _finite(values: Any) -> np.ndarray:
    """Values as floats with inf turned into NaN (a gap in the curve; a log axis cannot show inf)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


def plot_loss(history_or_dict: Any, ax: Axes | None = None, title: str = "Loss", log: bool = True) -> Axes:
    """Loss per epoch of one History, or of several given as {"label": History}; validation dashed."""
    histories = history_or_dict if isinstance(history_or_dict, Mapping) else {"": history_or_dict}
    ax = _new_axes(ax)
    for k, (label, history) in enumerate(histories.items()):
        if not hasattr(history, "loss"):
            raise TypeError(f"plot_loss needs a History (with .loss) or a dict of them; got {type(history)}")
        colour, prefix = OKABE_ITO[k % len(OKABE_ITO)], f"{label} " if label else ""
        epochs = np.arange(1, len(history.loss) + 1)
        ax.plot(epochs, _finite(history.loss), color=colour, label=f"{prefix}train")
        val_loss = getattr(history, "val_loss", None) or []
        if len(val_loss):
            ax.plot(np.arange(1, len(val_loss) + 1), _finite(val_loss), color=colour, linestyle="--",
                    label=f"{prefix}validation")
    if log:
        ax.set_yscale("log")
    ax.set(title=title, xlabel="epoch", ylabel="loss (log scale)" if log else "loss")
    if len(ax.get_lines()) > 1:
        ax.legend(fontsize="small")
    return ax


# ---------------------------------------------------------------- the live training view
def _in_notebook() -> bool:
    """True inside a Jupyter kernel (where display() shows images), False in a plain script or test."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def _running_cell() -> str | None:
    """The id of the notebook cell now running (its execute request), or None outside a kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    get_parent = getattr(getattr(get_ipython(), "kernel", None), "get_parent", None)
    parent = get_parent("shell") if callable(get_parent) else None
    return (parent or {}).get("header", {}).get("msg_id")


def training_notes(history: Any) -> list[str]:
    """What nnlib.train found wrong (``history.warnings``: divergence, unscaled inputs, dead or saturated
    units), each a plain sentence with its likely cause; the stop reason itself is left out (shown apart)."""
    warnings = getattr(history, "warnings", None) or []
    return [str(text) for text in warnings if text != getattr(history, "stop_reason", None)]


def _curves(history: Any) -> dict[str, list]:
    """The four per-epoch lists of a History (missing ones empty); None means "nothing trained yet"."""
    names = ("loss", "accuracy", "val_loss", "val_accuracy")
    return {name: list(getattr(history, name, None) or []) for name in names}


def _decade_limits(values: list) -> tuple[float, float] | None:
    """(10^a, 10^b) around the finite positive values, or None: limits move only when a decade is crossed."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return None
    low, high = np.floor(np.log10(values.min())), np.ceil(np.log10(values.max()))
    return 10.0**low, 10.0 ** max(high, low + 1)


def encode_png(rgb: Any, level: int = 1) -> bytes:
    """An (H, W, 3) or (H, W, 4) uint8 image (e.g. an Agg canvas's buffer_rgba(); alpha is dropped) as PNG
    bytes, fast: no per-row filter search and light zlib compression.

    Kept instead of Pillow because Pillow, at the same zlib level, costs 1.6-2.4x as much for a live-view or
    playground frame (its per-row filter search) and its files are larger: ``python -m benchmarks.bench_png``.
    """
    rgb = np.asarray(rgb)
    if rgb.ndim != 3 or rgb.shape[2] not in (3, 4) or rgb.dtype != np.uint8:
        raise ValueError(f"rgb must be an (H, W, 3) or (H, W, 4) uint8 image, got shape {rgb.shape} and "
                         f"dtype {rgb.dtype}")
    rgb = rgb[..., :3]
    height, width, _ = rgb.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row starts with its filter type, 0 = none
    rows[:, 1:] = rgb.reshape(height, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits per channel, RGB
    pixels = zlib.compress(rows.tobytes(), level)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


class LiveView:
    """A live picture of training, usable as ``train(..., callback=view)``; one output updated in place.

    Left: the loss per epoch (train, and validation when given; log scale). Right: the decision boundary with
    the training points (one colour and marker per class) and the validation points (smaller, faded), or,
    when X has more than 2 features, the accuracy per epoch. Each frame is drawn with matplotlib's Agg
    renderer by blitting only what changes, encoded to PNG and pushed with IPython's display handle; training
    stays in the foreground (no threads).

    Frames are throttled: drawing takes at most ``max_draw_fraction`` of the time and at most ``max_fps``
    frames are shown per second; ``every=k`` instead draws exactly every k epochs (deterministic). The last
    epoch is always drawn when ``epochs`` is known or ``target_loss`` is reached; otherwise call ``finish()``.

    Shapes: X (N, D), y (N,) or one-hot (N, C); validation = (X_val, y_val) or None.
    """

    def __init__(self, net: Any, X: Any, y: Any, validation: tuple | None = None, every: int | None = None,
                 max_fps: float = 10.0, title: str = "Training", *, epochs: int | None = None,
                 target_loss: float | None = None, resolution: int = 100, show: bool | None = None,
                 sink: Callable[[bytes], None] | None = None, max_draw_fraction: float = 0.2,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        _check_model(net)
        _check_settings(every, max_fps, epochs, target_loss, max_draw_fraction)
        self.net, self.every, self.max_fps, self.epochs = net, every, float(max_fps), epochs
        self.target_loss, self.max_draw_fraction, self._clock = target_loss, max_draw_fraction, clock
        self.X = _check_X(X, n_features=None)
        self.y = _labels(y, self.X.shape[0])
        self.validation = _check_validation(validation, self.X.shape[1])
        self._show = _in_notebook() if show is None else bool(show)
        self._sink, self._handle, self._handle_cell, self.png, self.timings = sink, None, None, b"", {}
        self.notes: list[str] = []  # training_notes() of the latest history, shown under the picture
        self._notes_handle = None
        self._build_figure(title, resolution)
        self._background = None
        self.restart()

    def restart(self, net: Any = None) -> None:
        """Get ready for a new training, of `net` if given, in the same figure: cheaper than a new view.
        In a notebook the next frame appears under the cell that runs it (not in the cell that showed the
        last one, whose output may be gone)."""
        self._handle = self._notes_handle = None
        self.notes = []
        if net is not None:
            _check_model(net)
            self.net = net
        self.history, self.frames, self.draw_seconds = None, 0, 0.0
        self.drawn_epoch: int | None = None  # the epoch shown by the latest frame
        self._drawn, self._start, self._last_end, self._cost = None, None, None, 0.0
        loss = getattr(self.net, "loss", None)
        start = {"loss": [float(loss(self.X, self.y))] if callable(loss) else [], "val_loss": []}
        if self._update_limits(start) or self._background is None:  # y from 3 decades below the first loss
            self._draw_background()

    # -------------------------------------------------- the callback and its throttle
    def __call__(self, epoch: int, history: Any) -> bool | None:
        """The training callback: draws a frame when one is due; returns True to stop at target_loss."""
        self.history = history
        n = len(history.loss)
        reached = self.target_loss is not None and n > 0 and history.loss[-1] < self.target_loss
        last = reached or (self.epochs is not None and n >= self.epochs)
        if (last or self._due(n)) and self._drawn != (id(history), n):
            self.draw(history)
        return True if reached else None

    def _due(self, n: int) -> bool:
        """Is a frame due? Wait long enough that drawing stays within its share of time and under max_fps."""
        if self.every is not None:
            return n % self.every == 0
        if self._last_end is None:
            return True
        now, cost = self._clock(), self._cost  # the last frame's time is the guess for the next one
        soon_enough = now - self._last_end < 1.0 / self.max_fps - cost
        # 2 * cost: keep room for the final frame, which is always drawn
        over_budget = self.draw_seconds + 2 * cost > self.max_draw_fraction * (now - self._start + cost)
        return not (soon_enough or over_budget)

    def finish(self, history: Any = None) -> bytes:
        """Draw the final state unless it is already on screen; returns that frame's PNG bytes."""
        history = self.history if history is None else history
        n = 0 if history is None else len(history.loss)
        if self._drawn != (id(history), n):
            self.draw(history)
        self._show_notes(history)  # train() adds some only after its last epoch (e.g. dead units)
        return self.png

    def draw(self, history: Any = None) -> bytes:
        """Draw one frame now (history None: the untrained network) and show it; returns the PNG bytes."""
        start = self._clock()
        self._start = start if self._start is None else self._start
        curves = _curves(history)
        self._render(curves)
        tick = time.perf_counter()
        self.png = encode_png(self.canvas.buffer_rgba())
        self.timings["encode"] = time.perf_counter() - tick
        self._push(self.png)
        self._show_notes(history)
        self._last_end = self._clock()
        self._cost = self._last_end - start
        self.frames, self.draw_seconds = self.frames + 1, self.draw_seconds + self._cost
        self._drawn = (id(history), len(curves["loss"]))
        self.drawn_epoch = len(curves["loss"])
        return self.png

    def _push(self, png: bytes) -> None:
        """Hand the frame to the sink, or show it in the notebook: first display() in the running cell, then
        update it in place while that cell runs."""
        if self._sink is not None:
            self._sink(png)
        elif self._show:
            from IPython.display import Image, display

            cell = _running_cell()
            if self._handle is None or cell != self._handle_cell:
                self._handle = display(Image(data=png, format="png"), display_id=True)
                self._handle_cell, self._notes_handle = cell, None
            else:
                self._handle.update(Image(data=png, format="png"))

    def _show_notes(self, history: Any) -> None:
        """Show training_notes(history) as sentences under the picture (in a notebook), when they change."""
        notes = training_notes(history)
        if notes == self.notes:
            return
        self.notes = notes
        if self._sink is None and self._show:
            from IPython.display import display

            text = "\n".join(f"⚠ {note}" for note in notes)
            bundle = {"text/plain": text, "text/html": "".join(
                f"<p style='margin: 0.2em 0'>⚠ {html.escape(note)}</p>" for note in notes)}
            if self._notes_handle is None:
                self._notes_handle = display(bundle, raw=True, display_id=True)
            else:
                self._notes_handle.update(bundle, raw=True)

    # -------------------------------------------------- the figure: built once, then only data changes
    def _build_figure(self, title: str, resolution: int) -> None:
        self.figure = Figure(figsize=(9, 3.6), dpi=80)  # not pyplot: no global figure piles up in a notebook
        self.canvas = FigureCanvasAgg(self.figure)
        legend_room = 0.82 if self.X.shape[1] == 2 else 0.97  # the boundary's legend sits right of it
        self.figure.subplots_adjust(left=0.08, right=legend_room, bottom=0.15, top=0.83, wspace=0.28)
        self.figure.suptitle(title)
        self.ax_loss, self.ax_right = self.figure.subplots(1, 2)
        for ax in (self.ax_loss, self.ax_right):  # fewer ticks: text is most of a full redraw's time
            ax.xaxis.set_major_locator(MaxNLocator(5))
        self._animated: list = []  # the artists redrawn every frame, in drawing order
        # A fixed epoch axis when the length of training is known; else it doubles as the curve grows.
        self._x_max = self.epochs if self.epochs and self.target_loss is None else min(16, self.epochs or 16)
        self._y_limits = None
        self.image = self.accuracy_line = self.val_accuracy_line = None
        if self.X.shape[1] == 2:
            self._build_boundary_panel(resolution)
        else:
            self._build_accuracy_panel()
        self._build_loss_panel()

    def _draw_background(self) -> None:
        """Draw the static parts (axes, ticks, legends): done once at the start, and when a limit moves."""
        start = time.perf_counter()
        self.canvas.draw()  # animated artists are left out of this: it is the background
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self.setup_seconds = time.perf_counter() - start

    def _line(self, ax: Axes, **kwargs: Any) -> Any:
        line = ax.plot([], [], animated=True, **kwargs)[0]
        self._animated.append(line)
        return line

    def _build_loss_panel(self) -> None:
        ax = self.ax_loss
        ax.set(title="Loss", xlabel="epoch", ylabel="loss (log scale)", yscale="log", xlim=(0, self._x_max))
        ax.yaxis.set_minor_locator(NullLocator())
        self.loss_line = self._line(ax, color=BLUE, label="train")
        self.val_loss_line = None
        if self.validation is not None:
            self.val_loss_line = self._line(ax, color=ORANGE, linestyle="--", label="validation")
            ax.legend(loc="upper right", fontsize="small")
        self.info = ax.text(0.03, 0.04, "", transform=ax.transAxes, fontsize=8, animated=True,
                            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"})
        self._animated.append(self.info)

    def _build_boundary_panel(self, resolution: int) -> None:
        ax = self.ax_right
        X_all = self.X if self.validation is None else np.vstack([self.X, self.validation[0]])
        self._grid, extent = grid_points(X_all, resolution)  # (R*R, 2), evaluated every frame
        self._resolution = resolution
        self.image = ax.imshow(np.ones((resolution, resolution, 3)), origin="lower", extent=extent,
                               aspect="auto", interpolation="bilinear", animated=True)
        self._animated.append(self.image)
        n_classes = max(int(self.y.max()) + 1, _n_outputs(self.net))
        suffix = "" if self.validation is None else " train"
        self._animated += _scatter_classes(ax, self.X, self.y, n_classes, suffix, animated=True)
        if self.validation is not None:
            X_val, y_val = self.validation
            self._animated += _scatter_classes(ax, X_val, y_val, n_classes, " validation", marker_size=22,
                                               animated=True, alpha=0.55)
        ax.set(title="Decision boundary", xlabel="$x_1$", ylabel="$x_2$", xlim=extent[:2], ylim=extent[2:])
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="x-small", borderaxespad=0)

    def _build_accuracy_panel(self) -> None:
        ax = self.ax_right
        ax.set(title="Accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02), xlim=(0, self._x_max))
        self.accuracy_line = self._line(ax, color=BLUE, label="train")
        if self.validation is not None:
            self.val_accuracy_line = self._line(ax, color=ORANGE, linestyle="--", label="validation")
            ax.legend(loc="lower right", fontsize="small")

    # -------------------------------------------------- one frame
    def _render(self, curves: dict[str, list]) -> None:
        """Evaluate the grid; redraw everything when an axis limit moved, else only the changing artists."""
        tick = time.perf_counter()
        if self.image is not None:
            outputs = outputs_or_nan(self.net, self._grid)  # (R*R, n_out)
            R = self._resolution
            self.image.set_data(boundary_image(_class_probabilities(outputs.reshape(R, R, -1))))
        tock = time.perf_counter()
        if self._update_limits(curves):
            self._draw_background()
        else:
            self.canvas.restore_region(self._background)
        self._set_curves(curves)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        self.timings.update(grid=tock - tick, redraw=time.perf_counter() - tock)

    def _update_limits(self, curves: dict[str, list]) -> bool:
        """Widen the epoch axis (doubling) and the loss axis (by decades) when the curves outgrow them."""
        changed, n = False, len(curves["loss"])
        if n > self._x_max:
            while self._x_max < n:  # doubling: the curve always fills at least half the width
                self._x_max *= 2
            if self.epochs is not None:  # no empty space past the last epoch
                self._x_max = min(self._x_max, max(n, self.epochs))
            for ax in (self.ax_loss, self.ax_right if self.image is None else None):
                if ax is not None:
                    ax.set_xlim(0, self._x_max)
            changed = True
        limits = _decade_limits(curves["loss"] + curves["val_loss"])
        if limits is not None and self._y_limits is None:
            limits = (limits[0] / 1000, limits[1])  # room for the loss to fall before a full redraw
        elif limits is not None:
            limits = (min(limits[0], self._y_limits[0]), max(limits[1], self._y_limits[1]))
        if limits is not None and limits != self._y_limits:
            self._y_limits = limits
            self.ax_loss.set_ylim(*limits)
            changed = True
        return changed

    def _set_curves(self, curves: dict[str, list]) -> None:
        pairs = [(self.loss_line, "loss"), (self.val_loss_line, "val_loss"),
                 (self.accuracy_line, "accuracy"), (self.val_accuracy_line, "val_accuracy")]
        for line, name in pairs:
            if line is not None:
                line.set_data(*_thin(curves[name]))
        self.info.set_text(_info_text(curves))


def _thin(values: list, max_points: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """(epochs, values) with at most ~max_points points, always keeping the last: the axes is narrower."""
    n = len(values)
    keep = np.unique(np.r_[np.arange(0, n, 1 + n // max_points), n - 1]) if n else np.arange(0)
    return keep + 1, _finite(values)[keep]


def _info_text(curves: dict[str, list]) -> str:
    """'epoch 120   loss 0.0123   accuracy 100.0%' (+ a validation line)."""
    n = len(curves["loss"])
    if n == 0:
        return "epoch 0 (not trained yet)"
    text = f"epoch {n}   loss {curves['loss'][-1]:.4g}"
    if curves["accuracy"]:
        text += f"   accuracy {curves['accuracy'][-1]:.1%}"
    if curves["val_loss"]:
        text += f"\nvalidation loss {curves['val_loss'][-1]:.4g}"
    if curves["val_accuracy"]:
        text += f"   accuracy {curves['val_accuracy'][-1]:.1%}"
    return text


def _n_outputs(net: Any) -> int:
    sizes = getattr(net, "layer_sizes", None)
    return int(sizes[-1]) if sizes else 1


def _check_validation(validation: Any, n_features: int) -> tuple[np.ndarray, np.ndarray] | None:
    if validation is None:
        return None
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        raise TypeError(f"validation must be a pair (X_val, y_val) or None, got {type(validation).__name__}")
    X_val = _check_X(validation[0], "validation X", n_features)
    return X_val, _labels(validation[1], X_val.shape[0], "validation y")


def _check_settings(every: Any, max_fps: Any, epochs: Any, target_loss: Any, max_draw_fraction: Any) -> None:
    if every is not None and (not isinstance(every, (int, np.integer)) or every < 1):
        raise ValueError(f"every must be a positive number of epochs or None, got {every!r}")
    if not isinstance(max_fps, (int, float)) or not max_fps > 0:
        raise ValueError(f"max_fps must be a positive number of frames per second, got {max_fps!r}")
    if epochs is not None and (not isinstance(epochs, (int, np.integer)) or epochs < 1):
        raise ValueError(f"epochs must be a positive integer or None, got {epochs!r}")
    if target_loss is not None and not (isinstance(target_loss, (int, float)) and target_loss > 0):
        raise ValueError(f"target_loss must be a positive number or None, got {target_loss!r}")
    if not isinstance(max_draw_fraction, (int, float)) or not 0 < max_draw_fraction < 1:
        raise ValueError(f"max_draw_fraction must be between 0 and 1, got {max_draw_fraction!r}")


def train_live(net: Any, X: Any, y: Any, optimizer: Any, epochs: int, validation: tuple | None = None, *,
               view: LiveView | None = None, title: str = "Training", target_loss: float | None = None,
               **train_kwargs: Any) -> Any:
    """nnlib.train with a LiveView attached; the final state is always drawn. Returns the History.

    Shapes: X (N, D), y (N,) or one-hot. Extra keyword arguments go to train (batch_size, seed, callback:
    your own callback still runs, and may stop training). Pass view=LiveView(...) to keep its figures.
    """
    if view is None:
        view = LiveView(net, X, y, validation=validation, epochs=epochs, title=title, target_loss=target_loss)
    elif view.epochs is None:
        view.epochs = epochs
    user_callback = train_kwargs.pop("callback", None)

    def callback(epoch: int, history: Any) -> bool:
        stop = bool(view(epoch, history))
        return bool(user_callback(epoch, history)) or stop if user_callback is not None else stop

    history = train(net, X, y, optimizer, epochs=epochs, validation=validation, callback=callback,
                    **train_kwargs)
    view.finish(history)
    return history
