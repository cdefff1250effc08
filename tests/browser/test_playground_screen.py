"""The playground on a laptop screen (issue 14): Chromium at 1366x768 with JupyterLab's file browser open.

The dashboard must sit beside its controls, so the boundary and the loss stay in sight while a slider moves;
the notebook's interrupt button (■) must stop a running training; NaN typed into a slider's box is refused.
"""

from __future__ import annotations

import nbformat
import pytest
from reporting import report

from .conftest import screenshot
from .helpers import (
    PANEL,
    error_outputs,
    open_notebook,
    press_on_slider,
    run_all,
    shutdown_kernel,
    slider,
    wait_for_text,
)

pytestmark = pytest.mark.browser
SCREEN = {"width": 1366, "height": 768}
NOTEBOOK = "zz_playground_screen.ipynb"
PLAYGROUND = f"{PANEL} .nnlib-playground"
MESSAGE = f"{PLAYGROUND} .nnlib-message"


@pytest.fixture
def laptop(browser):
    """A page the size of a common laptop screen."""
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def playground_page(laptop, lab_url, lab_root):
    """JupyterLab in its default layout (file browser open) showing a running playground, scrolled to it."""
    source = ("from nnlib.views.playground import Playground\n\n"
              "playground = Playground(epochs=2000)\nplayground")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)], metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(notebook, lab_root / NOTEBOOK)
    open_notebook(laptop, lab_url, NOTEBOOK)
    state = run_all(laptop)
    assert state["errors"] == [], state
    laptop.locator(f"{PLAYGROUND} img.nnlib-boundary").wait_for(state="visible", timeout=60_000)
    laptop.locator(PLAYGROUND).scroll_into_view_if_needed()
    yield laptop
    assert error_outputs(laptop) == [] and laptop.errors == []
    shutdown_kernel(laptop)


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not on the page"
    return found


def right(b: dict) -> float:
    return b["x"] + b["width"]


def bottom(b: dict) -> float:
    return b["y"] + b["height"]


def test_the_dashboard_fits_beside_its_controls_with_the_file_browser_open(playground_page):
    page = playground_page
    sidebar = box(page, "#jp-left-stack")
    assert sidebar["width"] > 150, "the file browser (left sidebar) is open in JupyterLab's default layout"
    notebook_area = box(page, f"{PANEL} .jp-WindowedPanel-outer")  # the notebook's scrolling area
    controls, boundary, loss = (box(page, f"{PLAYGROUND} {part}")
                                for part in (".nnlib-controls", "img.nnlib-boundary", "img.nnlib-loss"))
    screenshot(page, "playground_1366x768", full_page=False)
    report("browser", f"playground at 1366x768, file browser open ({sidebar['width']:.0f} px): controls "
           f"x {controls['x']:.0f}-{right(controls):.0f}, "
           f"boundary x {boundary['x']:.0f}-{right(boundary):.0f} "
           f"y {boundary['y']:.0f}-{bottom(boundary):.0f}, loss y {loss['y']:.0f}-{bottom(loss):.0f}, "
           f"notebook area x {notebook_area['x']:.0f}-{right(notebook_area):.0f} "
           f"y {notebook_area['y']:.0f}-{bottom(notebook_area):.0f}")

    assert right(controls) <= boundary["x"] and right(controls) <= loss["x"]  # side by side ...
    assert boundary["y"] < bottom(controls)  # ... not below the controls
    for picture in (boundary, loss):  # within the screen and the notebook's area
        assert right(picture) <= min(SCREEN["width"], right(notebook_area)) + 0.5
        assert picture["width"] >= 240

    # Move a slider, as a learner does: the slider, the boundary and the loss are all in sight at once.
    readout = press_on_slider(page, "Learning rate", "ArrowRight")
    wait_for_text(page, MESSAGE, f"learning rate {readout}")
    for visible in (box(page, f"{PLAYGROUND} img.nnlib-boundary"), box(page, f"{PLAYGROUND} img.nnlib-loss"),
                    slider(page, "Learning rate").bounding_box()):
        assert notebook_area["y"] - 0.5 <= visible["y"] and bottom(visible) <= bottom(notebook_area) + 0.5


def test_the_interrupt_button_stops_a_running_training(playground_page):
    page = playground_page
    page.locator(PLAYGROUND).get_by_role("button", name="Train", exact=True).click()
    wait_for_text(page, MESSAGE, "Training…")
    page.locator(f"{PANEL} .jp-Toolbar [data-command='notebook:interrupt-kernel']").first.click()
    text = wait_for_text(page, MESSAGE, r"Interrupted at epoch \d+", timeout=20_000)
    assert int(text.split("epoch ")[1].split(" ")[0]) < 2000
    assert not page.locator(PLAYGROUND).get_by_role("button", name="Train", exact=True).is_disabled()


def test_nan_typed_into_a_sliders_box_is_refused_and_the_slider_restored(playground_page):
    page = playground_page
    readout = slider(page, "Noise").locator(".widget-readout")
    assert readout.inner_text() == "0.20"
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("nan")
    page.keyboard.press("Enter")
    page.wait_for_timeout(1000)  # the kernel answers, or the box puts the value back itself
    assert readout.inner_text() == "0.20"
    assert "nan" not in page.locator(f"{PLAYGROUND} .nnlib-readout").inner_text().lower()
    # The learning rate has round stops only: its value is shown in a label, not in a box to type into
    # (a SelectionSlider's own box keeps showing whatever is typed, while the value stays).
    lr = slider(page, "Learning rate")
    assert lr.locator(".widget-readout").is_hidden()
    shown = lr.locator("xpath=following-sibling::*[1]")
    assert shown.inner_text() == "0.03" and shown.get_attribute("contenteditable") in (None, "false")
