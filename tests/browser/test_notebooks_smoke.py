"""Every notebook in real JupyterLab: it opens, Run All finishes, no error output, widgets render."""

from __future__ import annotations

import json

import nbformat
import pytest

from .conftest import NOTEBOOKS, screenshot
from .helpers import PANEL, error_outputs, open_notebook, run_all, shutdown_kernel

pytestmark = pytest.mark.browser
NOTEBOOK_FILES = sorted(NOTEBOOKS.glob("*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def has_widgets(path) -> bool:
    """Whether the stored (executed) notebook displays any ipywidgets."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return any(WIDGET_MIME in output.get("data", {}) for cell in cells for output in cell.get("outputs", []))


def test_there_are_notebooks_to_check():
    assert NOTEBOOK_FILES, f"no notebooks found in {NOTEBOOKS}"


def test_the_checks_catch_errors_and_stderr(page, lab_url, lab_root):
    """The detectors themselves: a notebook that writes to stderr and raises must be reported."""
    cells = [nbformat.v4.new_code_cell("import sys\nprint('a warning', file=sys.stderr)"),
             nbformat.v4.new_code_cell("1 / 0"), nbformat.v4.new_code_cell("never_run = True")]
    broken = nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(broken, lab_root / "zz_broken.ipynb")
    open_notebook(page, lab_url, "zz_broken.ipynb")
    state = run_all(page)
    shutdown_kernel(page)
    assert state["errors"] == ["ZeroDivisionError: division by zero"]
    assert state["unexecuted"] == 1
    texts = error_outputs(page)
    assert len(texts) == 2 and "a warning" in texts[0] and "ZeroDivisionError" in texts[1], texts


@pytest.mark.parametrize("notebook", NOTEBOOK_FILES, ids=[path.stem for path in NOTEBOOK_FILES])
def test_notebook_runs_in_jupyterlab(page, lab_url, notebook):
    open_notebook(page, lab_url, notebook.name)
    state = run_all(page)
    try:
        assert state["errors"] == [], f"error outputs: {state['errors']}"
        assert state["unexecuted"] == 0, f"{state['unexecuted']} code cells did not run"
        if has_widgets(notebook):
            first_widget = page.locator(f"{PANEL} .jupyter-widgets").first
            first_widget.wait_for(state="visible", timeout=30_000)
            first_widget.scroll_into_view_if_needed()  # so that the screenshot shows it
        assert error_outputs(page) == []
        assert page.errors == []
    finally:
        screenshot(page, f"notebook_{notebook.stem}", full_page=False)
        shutdown_kernel(page)
