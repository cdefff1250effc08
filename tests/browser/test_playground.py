"""The playground in real JupyterLab: run it, move sliders, Train, Stop; the boundary image must change."""

from __future__ import annotations

import os
import time

import pytest
from reporting import report

from .conftest import REPO, SCREENSHOTS, screenshot
from .helpers import (
    PANEL,
    error_outputs,
    image_digest,
    open_notebook,
    press_on_slider,
    run_all,
    shutdown_kernel,
    wait_for_new_image,
    wait_for_text,
)

pytestmark = pytest.mark.browser
NOTEBOOK = "05_playground.ipynb"
BOUNDARY = f"{PANEL} .nnlib-playground img.nnlib-boundary"
MESSAGE = f"{PANEL} .nnlib-playground .nnlib-message"
README_PICTURE = REPO / "docs" / "playground.png"


def drive_playground(page, scope: str) -> dict[str, float]:
    """Move "Hidden units" and "Learning rate", Train, Stop and Train again; return timings (seconds).

    Checks on the way: each action gives a new boundary frame, Stop pauses mid-training, no error output.
    """
    playground = page.locator(f"{scope} .nnlib-playground").first  # the first one, when a page has several
    boundary, message = playground.locator("img.nnlib-boundary"), playground.locator(".nnlib-message")
    trained = image_digest(page, boundary)

    start = time.monotonic()
    press_on_slider(page, "Hidden units", "ArrowRight", scope=playground)  # 16 -> 17 units: a new network
    untrained, _ = wait_for_new_image(page, boundary, trained)
    slider_seconds = time.monotonic() - start  # key press -> new boundary bytes in the page
    wait_for_text(page, message, r"New network: layer sizes \[2, 17, 16, 3\]")

    readout = press_on_slider(page, "Learning rate", "ArrowRight", scope=playground)
    wait_for_text(page, message, "learning rate " + readout)

    press_on_slider(page, "Epochs per Train", "End", scope=playground)  # 2000 epochs: long enough to stop
    playground.get_by_role("button", name="Train", exact=True).click()
    start = time.monotonic()
    wait_for_text(page, message, "Training…")
    wait_for_new_image(page, boundary, untrained)  # frames arrive while it trains
    playground.get_by_role("button", name="Stop", exact=True).click()
    paused = wait_for_text(page, message, r"Paused at epoch \d+", timeout=20_000)
    stop_seconds = time.monotonic() - start
    assert int(paused.split("epoch ")[1].split(":")[0]) < 2000

    press_on_slider(page, "Epochs per Train", "Home", scope=playground)  # 10 more, from where it paused
    playground.get_by_role("button", name="Train", exact=True).click()
    wait_for_text(page, message, "Done: trained 10 epochs", timeout=60_000)
    assert image_digest(page, boundary) not in (trained, untrained)
    assert error_outputs(page, scope) == []
    assert "⚠" not in message.inner_text()
    return {"slider_to_new_frame_s": slider_seconds, "train_to_stopped_s": stop_seconds}


def report_timings(app: str, timings: dict[str, float], record_property) -> None:
    """Figures, not assertions: shown in the pytest summary and kept in the JUnit properties."""
    for name, value in timings.items():
        record_property(name, round(value, 3))
    slider, stop = timings["slider_to_new_frame_s"], timings["train_to_stopped_s"]
    report("browser", f"{app} playground: slider -> new frame {slider:.2f} s, Stop -> stopped {stop:.2f} s")


def test_playground_in_jupyterlab(page, lab_url, record_property):
    open_notebook(page, lab_url, NOTEBOOK)
    state = run_all(page)
    assert state["errors"] == [] and state["unexecuted"] == 0, state
    page.locator(BOUNDARY).first.wait_for(state="visible", timeout=30_000)
    page.locator(f"{PANEL} .nnlib-playground").first.scroll_into_view_if_needed()
    assert error_outputs(page) == []

    timings = drive_playground(page, PANEL)
    report_timings("JupyterLab", timings, record_property)

    screenshot(page, "playground_lab", full_page=False)
    panel = page.locator(f"{PANEL} .nnlib-playground").first
    panel.screenshot(path=str(SCREENSHOTS / "playground_panel.png"))
    if os.environ.get("NNFS_UPDATE_README_PICTURE"):  # the README's picture: refreshed on request only
        panel.screenshot(path=str(README_PICTURE))
    assert page.errors == []
    shutdown_kernel(page)
