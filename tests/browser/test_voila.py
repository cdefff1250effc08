"""The playground as a Voila app in a real browser: widgets render, sliders and Train work, no errors."""

from __future__ import annotations

import pytest

from .conftest import screenshot
from .helpers import error_outputs
from .test_playground import drive_playground, report_timings

pytestmark = pytest.mark.browser
SCOPE = "body"


def test_playground_as_a_voila_app(page, voila_url, record_property):
    page.goto(voila_url, timeout=120_000)
    page.locator(".nnlib-playground img.nnlib-boundary").first.wait_for(state="visible", timeout=120_000)
    assert page.locator(".jupyter-widgets").first.is_visible()
    assert error_outputs(page, SCOPE) == []
    assert page.get_by_text("There was an error when executing").count() == 0
    assert page.get_by_text("playground = Playground()").count() == 0  # an app: outputs only, no code

    timings = drive_playground(page, SCOPE)
    report_timings("Voila", timings, record_property)
    screenshot(page, "playground_voila")
    assert page.errors == []
