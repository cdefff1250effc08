"""Our PNG encoder (nnlib.views.plots.encode_png) against Pillow's at the same zlib level.
``python -m benchmarks.bench_png``

Issue 13 asks for Pillow unless, at the same compression level, it costs more than 1.5x our encoder. Prints
the median time and size of both for a live-view frame and a playground boundary frame, and the ratio.
"""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable
from statistics import median

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import nnlib  # noqa: E402
from nnlib.data import xor_cloud  # noqa: E402
from nnlib.views.playground import Playground  # noqa: E402
from nnlib.views.plots import LiveView, encode_png  # noqa: E402

LEVEL = 1  # the level the live view and the playground use


def frames() -> dict[str, np.ndarray]:
    """Two real frames as (H, W, 4) uint8 canvas buffers."""
    X, y = xor_cloud(200, noise=0.1, seed=0)
    view = LiveView(nnlib.MLP([2, 16, 1], activation="tanh", loss="bce", seed=0), X, y, show=False)
    view.draw()
    playground = Playground()
    playground.fit(20)
    boundary = playground.dashboard.boundary.canvas.canvas
    return {"live view": np.asarray(view.canvas.buffer_rgba()).copy(),
            "playground boundary": np.asarray(boundary.buffer_rgba()).copy()}


def pillow_png(rgba: np.ndarray, level: int = LEVEL) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba[..., :3])).save(buffer, format="PNG", compress_level=level)
    return buffer.getvalue()


def timed(encode: Callable[[], bytes], repeats: int = 40) -> tuple[float, int]:
    """(median ms, bytes) of repeated encodings."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        png = encode()
        times.append(time.perf_counter() - start)
    return 1000 * median(times), len(png)


def main() -> None:
    for name, rgba in frames().items():
        own_ms, own_bytes = timed(lambda rgba=rgba: encode_png(rgba, LEVEL))
        pil_ms, pil_bytes = timed(lambda rgba=rgba: pillow_png(rgba))
        height, width, _ = rgba.shape
        print(f"{name} {width}x{height}, zlib level {LEVEL}: encode_png {own_ms:.2f} ms {own_bytes} B; "
              f"Pillow {pil_ms:.2f} ms {pil_bytes} B -> Pillow costs {pil_ms / own_ms:.2f}x (limit 1.5x)")


if __name__ == "__main__":
    main()
