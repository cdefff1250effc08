"""Page helpers for the browser tests: open and run a notebook in JupyterLab, find widgets by their label."""

from __future__ import annotations

import re
import time

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

KERNEL_IDLE = """() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const session = widget && widget.sessionContext;
    return !!(session && session.session && session.session.kernel) && session.kernelDisplayStatus === 'idle';
}"""
# Fire Run All without awaiting its promise (evaluate would block); record when it settles.
RUN_ALL = """() => {
    const commands = window.jupyterapp.commands;
    window.__runAll = 'pending';
    commands.execute('notebook:clear-all-cell-outputs');
    commands.execute('notebook:run-all-cells').then(
        () => { window.__runAll = 'done'; }, (error) => { window.__runAll = 'failed: ' + error; });
}"""
CELL_STATE = """() => {
    const widget = window.jupyterapp.shell.currentWidget;
    const state = {runAll: window.__runAll, status: widget.sessionContext.kernelDisplayStatus,
                   running: 0, unexecuted: 0, errors: []};
    for (const cell of widget.content.widgets) {
        if (cell.model.type !== 'code' || !cell.model.sharedModel.getSource().trim()) continue;
        const prompt = cell.node.querySelector('.jp-InputPrompt');
        if (prompt && prompt.textContent.includes('*')) state.running += 1;
        if (cell.model.executionCount === null) state.unexecuted += 1;
        for (let i = 0; i < cell.model.outputs.length; i++) {
            const output = cell.model.outputs.get(i);
            const json = output.toJSON();
            if (output.type === 'error') state.errors.push(json.ename + ': ' + json.evalue);
        }
    }
    return state;
}"""
# A digest of the bytes behind an <img>: ipywidgets' Image makes a new blob: URL per update, so compare data.
IMAGE_DIGEST = """async (img) => {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const digest = await crypto.subtle.digest('SHA-256', bytes);
    return Array.from(new Uint8Array(digest)).map((b) => b.toString(16).padStart(2, '0')).join('');
}"""


def open_notebook(page, base_url: str, name: str, timeout: float = 90_000) -> None:
    """Open notebooks/<name> in JupyterLab (fresh workspace) and wait until its kernel is idle."""
    page.goto(f"{base_url}/lab/tree/{name}?reset", timeout=timeout)
    page.locator(f"{PANEL} .jp-Notebook").wait_for(state="visible", timeout=timeout)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout)


def run_all(page, timeout: float = 120_000) -> dict:
    """Clear outputs, Run All, and wait until every cell has run (no [*] prompt) and the kernel is idle."""
    page.evaluate(RUN_ALL)
    deadline = time.monotonic() + timeout / 1000
    idle_since = None
    while time.monotonic() < deadline:
        state = page.evaluate(CELL_STATE)
        finished = state["runAll"] != "pending" and state["running"] == 0 and state["status"] == "idle"
        if finished:
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since > 0.5:  # still idle half a second later: really done
                return state
        else:
            idle_since = None
        time.sleep(0.2)
    raise TimeoutError(f"Run All did not finish within {timeout / 1000:.0f} s; last state {state}")


def shutdown_kernel(page) -> None:
    """Shut the current notebook's kernel down (so idle kernels do not pile up on the shared machine)."""
    page.evaluate("async () => { await window.jupyterapp.shell.currentWidget.sessionContext.shutdown(); }")


def error_outputs(page, scope: str = PANEL) -> list[str]:
    """Texts of stderr/error outputs and of widgets that failed to display, inside `scope`."""
    texts = page.locator(f"{scope} {STDERR}").all_inner_texts()
    failed_widgets = page.locator(scope).get_by_text("Error displaying widget")
    return texts + failed_widgets.all_inner_texts()


def first(page, target):
    """The first element a selector (str) matches, or a Locator's first element (to scope to one widget when
    a page shows several, e.g. two playgrounds)."""
    return page.locator(target).first if isinstance(target, str) else target.first


def slider(page, label: str, scope=PANEL):
    """The ipywidgets slider whose visible description is exactly `label`, inside `scope` (a selector or a
    Locator)."""
    labelled = page.locator(".widget-label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    if isinstance(scope, str):
        return page.locator(f"{scope} .widget-slider", has=labelled).first
    return scope.locator(".widget-slider", has=labelled).first


def press_on_slider(page, label: str, key: str, times: int = 1, scope=PANEL) -> str:
    """Focus the slider's handle, press `key` (e.g. ArrowRight), return the value the slider shows: its
    readout, or the label beside it where its own readout is hidden (nnlib's learning-rate sliders; the kernel
    updates that label, so wait up to 5 s for it to change)."""
    control = slider(page, label, scope)
    readout, beside = control.locator(".widget-readout"), control.locator("xpath=following-sibling::*[1]")
    shown = readout if readout.is_visible() else beside
    before = shown.inner_text()
    handle = control.locator(".noUi-handle")
    handle.focus()
    for _ in range(times):
        handle.press(key)
    deadline = time.monotonic() + (5.0 if shown is beside else 0.0)
    while shown.inner_text() == before and time.monotonic() < deadline:
        time.sleep(0.05)
    return shown.inner_text()


def image_digest(page, selector) -> str:
    return first(page, selector).evaluate(IMAGE_DIGEST)


def wait_for_new_image(page, selector, old_digest: str, timeout: float = 30.0) -> tuple[str, float]:
    """Poll until the image's bytes differ from `old_digest`; return the new digest and the seconds waited."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        digest = image_digest(page, selector)
        if digest != old_digest:
            return digest, time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"{selector} did not change within {timeout} s")


def wait_for_text(page, selector, pattern: str, timeout: float = 60_000) -> str:
    """Wait until the element's text matches the regular expression `pattern`; return the text."""
    locator = first(page, selector)
    locator.wait_for(state="attached", timeout=timeout)
    page.wait_for_function("([el, source]) => new RegExp(source).test(el.textContent)",
                           arg=[locator.element_handle(), pattern], timeout=timeout)
    return locator.inner_text()
