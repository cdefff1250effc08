"""The playground as a Voila app for a projector (issue 14), in a real browser at 1366x768: the dashboard is
at the top of the page, nothing on the page is dead (no link or resource answers 403/404), and the sliders,
Train and Stop work."""

from __future__ import annotations

import pytest
from reporting import report

from .conftest import REPO, VOILA_APP, screenshot
from .helpers import error_outputs
from .test_playground import drive_playground, report_timings

pytestmark = pytest.mark.browser
SCOPE = "body"
SCREEN = {"width": 1366, "height": 768}


@pytest.fixture
def projector(browser):
    """A page the size of a common laptop or projector screen, recording every HTTP response it gets."""
    context = browser.new_context(viewport=SCREEN)
    page = context.new_page()
    page.errors, page.responses = [], []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("response", lambda response: page.responses.append((response.status, response.url)))
    yield page
    context.close()


def test_the_readme_names_the_app_voila_serves():
    assert f"voila {VOILA_APP}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_playground_app_shows_the_dashboard_above_the_fold_and_works(projector, voila_url, record_property):
    page = projector
    page.goto(voila_url, timeout=120_000)
    boundary = page.locator(".nnlib-playground img.nnlib-boundary").first
    boundary.wait_for(state="visible", timeout=120_000)
    page.wait_for_load_state("networkidle")
    assert error_outputs(page, SCOPE) == []
    assert page.get_by_text("There was an error when executing").count() == 0
    assert page.get_by_text("Playground()").count() == 0  # an app: outputs only, no code
    assert page.get_by_text("You will learn").count() == 0  # and no lesson text

    dashboard, picture = page.locator(".nnlib-playground").first.bounding_box(), boundary.bounding_box()
    report("browser", f"Voila app at 1366x768: dashboard top at {dashboard['y']:.0f} px, boundary image "
           f"{picture['y']:.0f}-{picture['y'] + picture['height']:.0f} px (fold at {SCREEN['height']} px)")
    assert dashboard["y"] < 150 and picture["y"] + picture["height"] <= SCREEN["height"]

    links = page.eval_on_selector_all("a[href]", "anchors => anchors.map((a) => a.href)")
    for href in links:
        if href.startswith("http"):
            status = page.request.get(href).status
            assert status not in (403, 404), (href, status)
    dead = [(status, url) for status, url in page.responses if status in (403, 404)]
    assert dead == []

    timings = drive_playground(page, SCOPE)
    report_timings("Voila", timings, record_property)
    screenshot(page, "playground_voila", full_page=False)
    assert page.errors == []
