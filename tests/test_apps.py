"""The app notebooks Voila shows (notebooks/apps/): generated from notebooks/src/apps/ and kept in sync, and
each is a dashboard alone — no lesson text, no links (Voila answers 403 for any other notebook)."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEC = importlib.util.spec_from_file_location("build_apps", ROOT / "notebooks" / "src" / "apps" / "build.py")
build_apps = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(build_apps)
SOURCES = build_apps.sources()


def test_there_is_a_playground_app():
    assert [source.stem for source in SOURCES] == ["playground_app"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.stem)
def test_the_committed_app_is_what_the_build_script_writes(source):
    target = ROOT / "notebooks" / "apps" / f"{source.stem}.ipynb"
    assert target.exists() and target.read_text(encoding="utf-8") == build_apps.app_text(source), (
        f"{target.name} is stale: run python notebooks/src/apps/build.py")
    assert build_apps.main(["--check"]) == 0


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.stem)
def test_an_app_is_its_dashboard_alone(source):
    cells = json.loads(build_apps.app_text(source))["cells"]
    text = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
    assert not re.search(r"\]\(|<a |https?://", text), "no links: Voila serves only this notebook"
    assert len(text.splitlines()) <= 3, "a title and a sentence at most: the dashboard sits at the top"
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    assert len(code) == 1 and "".join(code[0]["source"]).rstrip().endswith("Playground()")
    assert all(cell.get("outputs", []) == [] for cell in code)  # Voila runs it; nothing stored to go stale


def test_the_check_reports_a_stale_app(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(build_apps, "APPS", tmp_path)  # an empty folder: every app is missing
    assert build_apps.main(["--check"]) == 1
    assert "stale: playground_app.ipynb" in capsys.readouterr().err
