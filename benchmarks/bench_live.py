"""How fast is the live training view?  ``python -m benchmarks.bench_live [--quick]``

Prints, for a 2-16-1 network on a 100x100 grid: the time of one frame split into grid evaluation, redraw and
PNG encoding, next to a naive frame (full redraw with contourf, then savefig) measured in the same run; the
share of training time spent drawing on XOR; the wall time to train XOR to loss < 0.01 with the view on;
and the capstone's digits network (notebook 07) trained with and without the view.
Goals (2-core machine): a frame <= 30 ms, drawing <= 20% of training time, XOR in < 1 s (issue 4); the digits
network >= 97% held out, in <= 1 s without the view and <= 5 s with it (issue 7).
"""

from __future__ import annotations

import argparse
import io
import os
import time
from statistics import median

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from nnlib import MLP, SGD, Adam, History, train  # noqa: E402
from nnlib.data import load_digits, train_test_split, xor, xor_cloud  # noqa: E402
from nnlib.views.plots import LiveView, decision_grid  # noqa: E402


def _jiggle(net: MLP, rng: np.random.Generator) -> None:
    """Change the weights a little, so every frame has a new boundary to draw (as during training)."""
    for param in net.params.values():
        param += 0.01 * rng.standard_normal(param.shape)


def _fake_history(n_epochs: int) -> History:
    history = History()
    history.loss = list(np.geomspace(0.7, 0.02, n_epochs))
    history.accuracy = list(np.linspace(0.5, 1.0, n_epochs))
    return history


def fast_frames(repeats: int) -> dict[str, float]:
    """Median ms per LiveView frame (blitting + PNG of the canvas buffer) and its parts."""
    X, y = xor_cloud(200, noise=0.1, seed=0)
    net, rng = MLP([2, 16, 1], activation="tanh", loss="bce", seed=0), np.random.default_rng(0)
    view = LiveView(net, X, y, show=False)
    view.draw(_fake_history(10))  # the first frame draws the whole figure once (its background)
    parts: dict[str, list[float]] = {"grid": [], "redraw": [], "encode": [], "total": []}
    for k in range(repeats):
        _jiggle(net, rng)
        start = time.perf_counter()
        view.draw(_fake_history(11 + k % 5))
        parts["total"].append(time.perf_counter() - start)
        for name in ("grid", "redraw", "encode"):
            parts[name].append(view.timings[name])
    return {name: 1000 * median(values) for name, values in parts.items()}


def naive_frames(repeats: int) -> float:
    """Median ms per frame drawn the obvious way: clear, contourf, scatter, loss curve, savefig."""
    X, y = xor_cloud(200, noise=0.1, seed=0)
    net, rng = MLP([2, 16, 1], activation="tanh", loss="bce", seed=0), np.random.default_rng(0)
    figure = Figure(figsize=(9, 3.6), dpi=80)
    FigureCanvasAgg(figure)
    times = []
    for _ in range(repeats):
        _jiggle(net, rng)
        start = time.perf_counter()
        figure.clear()
        ax_loss, ax_boundary = figure.subplots(1, 2)
        ax_loss.semilogy(_fake_history(12).loss)
        xx, yy, P = decision_grid(net, X, 100)
        ax_boundary.contourf(xx, yy, P[..., 1], levels=20, cmap="cividis")
        ax_boundary.scatter(X[:, 0], X[:, 1], c=y, cmap="cividis", edgecolors="black")
        figure.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - start)
    return 1000 * median(times)


def xor_share(epochs: int) -> tuple[float, float, int]:
    """The seed tutorials' XOR network (2-4-1, sigmoid, MSE) for `epochs` epochs with the view on:
    returns (wall s, share of it spent drawing, frames)."""
    X, y = xor()
    net = MLP([2, 4, 1], activation="sigmoid", loss="mse", seed=0)
    view = LiveView(net, X, y, epochs=epochs, show=False)
    start = time.perf_counter()
    train(net, X, y, SGD(lr=0.5), epochs=epochs, callback=view)
    wall = time.perf_counter() - start
    return wall, view.draw_seconds / wall, view.frames


def xor_to_target(target: float = 0.01) -> tuple[float, int, float, float]:
    """Train 2-4-1 (tanh, BCE, lr 1) on XOR until loss < target with the view on, setup included.

    Returns (wall s, epochs, final loss, frames)."""
    X, y = xor()
    net = MLP([2, 4, 1], activation="tanh", loss="bce", seed=0)
    start = time.perf_counter()
    view = LiveView(net, X, y, epochs=20_000, target_loss=target, show=False)
    history = train(net, X, y, SGD(lr=1.0), epochs=20_000, callback=view)
    view.finish(history)
    return time.perf_counter() - start, len(history.loss), history.loss[-1], view.frames


def digits(with_view: bool) -> tuple[float, float]:
    """Notebook 07's recipe: 64-64-10 ReLU (He), softmax + cross-entropy, Adam(0.01), 30 epochs of batches of
    64 on a stratified 75/25 split. Returns (held-out accuracy, wall s including the view's setup)."""
    X, y = load_digits()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
    net = MLP([64, 64, 10], activation="relu", output_activation="softmax", loss="cross_entropy",
              init="he", seed=0)
    start = time.perf_counter()
    view = None
    if with_view:
        view = LiveView(net, X_train, y_train, validation=(X_test, y_test), epochs=30, show=False)
    history = train(net, X_train, y_train, Adam(lr=0.01), epochs=30, batch_size=64, seed=0,
                    validation=(X_test, y_test), callback=view)
    if view is not None:
        view.finish(history)
    return net.accuracy(X_test, y_test), time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions (for a test)")
    quick = parser.parse_args(argv).quick
    repeats, epochs = (5, 3000) if quick else (40, 30_000)
    fast, naive = fast_frames(repeats), naive_frames(max(3, repeats // 4))
    print(f"live view frame, 2-16-1 net, 100x100 grid (median of {repeats}): {fast['total']:.1f} ms "
          f"(goal <= 30 ms) = grid {fast['grid']:.1f} + redraw {fast['redraw']:.1f} "
          f"+ encode {fast['encode']:.1f}")
    print(f"naive frame (contourf full redraw + savefig): {naive:.1f} ms -> live view is "
          f"{naive / fast['total']:.1f}x faster")
    wall, share, frames = xor_share(epochs)
    print(f"XOR 2-4-1, {epochs} epochs with the view: {wall:.2f} s, drawing {share:.0%} of it (goal <= 20%), "
          f"{frames} frames = {frames / wall:.1f} frames/s (max_fps 10)")
    wall, n_epochs, loss, frames = xor_to_target()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"XOR to loss < 0.01 with the view: {wall:.2f} s (goal < 1 s), {n_epochs} epochs, loss {loss:.4f}, "
          f"{frames} frames (first and final; {frames / wall:.1f} frames/s)")
    (accuracy, plain), (_, live) = digits(with_view=False), digits(with_view=True)
    print(f"digits 64-64-10 ReLU + Adam, 30 epochs: held-out accuracy {accuracy:.1%} (goal >= 97%), "
          f"{plain:.2f} s without the view (goal <= 1 s), {live:.2f} s with it (goal <= 5 s)")
    print(f"(machine load while measuring: {load:.1f} on {os.cpu_count()} cores; times grow with it)")


if __name__ == "__main__":
    main()
