"""The hub image built from binder/ (repo2docker's base environment + binder/requirements.txt) is consistent.

The full check, `pip check` on a rebuilt copy of the image's environment, needs PyPI and minutes:
``tools/binder_pip_check.py``. These tests keep its premises true offline.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def binder_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)==(\S+)", line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def pip_check_tool():
    spec = importlib.util.spec_from_file_location("binder_pip_check", ROOT / "tools" / "binder_pip_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_image_has_nbgitpuller_for_the_readme_links():
    assert "nbgitpuller" in binder_pins()


def test_notebook_pin_matches_the_jupyterlab_pin():
    # notebook 7.N requires jupyterlab 4.N: the base image's notebook must give way to one that takes ours.
    pins = binder_pins()
    lab_minor, notebook_minor = pins["jupyterlab"].split(".")[1], pins["notebook"].split(".")[1]
    assert pins["notebook"].startswith("7.") and notebook_minor == lab_minor, pins["notebook"]


def test_base_environment_of_the_image_is_read_from_repo2docker():
    tool = pip_check_tool()
    base = dict(pin.split("==") for pin in tool.base_pins(tool.lock_file()))
    # what the image brings before binder/requirements.txt: the hub's single-user server and the notebook
    assert {"jupyterhub", "jupyterlab", "notebook", "jupyter_server"} <= set(base)
    assert base["jupyterhub"].startswith("5."), "the README promises JupyterHub 5 (Zero to JupyterHub 4.x)"
