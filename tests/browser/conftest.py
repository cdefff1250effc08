"""Fixtures for the browser tests: headless JupyterLab / Voila servers and Debian's Chromium via Playwright.

Servers bind 127.0.0.1 on a free port, run from this virtualenv and are stopped after the session. JupyterLab
serves a temporary copy of the notebooks (so nothing the browser does can be autosaved into the repository)
with Galata's test configuration (no token, the app exposed as ``window.jupyterapp``).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
BIN = Path(sys.executable).parent
VOILA_APP = "notebooks/apps/playground_app.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

LAB_CONFIG = """
from jupyterlab.galata import configure_jupyter_server
configure_jupyter_server(c)
c.ServerApp.ip = "127.0.0.1"
c.ServerApp.port = {port}
c.ServerApp.port_retries = 0
c.ServerApp.allow_root = True
c.ServerApp.open_browser = False
c.ServerApp.root_dir = {root!r}
c.IdentityProvider.token = ""
"""
# User settings for the test server: render every cell (no virtual scrolling), never autosave, no pop-ups.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def free_port() -> int:
    """A TCP port on the loopback interface that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60.0) -> None:
    """Poll `url` until it answers; fail early (with the server's log) if the server process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before answering {url}; "
                               f"see its log {process.log.name}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"no answer from {url} within {timeout} s")


def start_server(command: list[str], cwd: Path, env_dir: Path, log_name: str) -> subprocess.Popen:
    """Start a Jupyter server in its own process group, with isolated config/runtime directories."""
    folders = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_RUNTIME_DIR": "runtime",
               "JUPYTERLAB_SETTINGS_DIR": "settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces"}
    env = dict(os.environ, **{name: str(env_dir / folder) for name, folder in folders.items()})
    log = open(env_dir / log_name, "w")  # noqa: SIM115 - closed with the process in stop_server
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    process.log = log
    return process


def stop_server(process: subprocess.Popen) -> None:
    """Stop the server we started (SIGTERM to its own process group, then SIGKILL if it lingers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def _write_lab_settings(settings_dir: Path) -> None:
    for relative, values in LAB_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


@pytest.fixture(scope="session")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder JupyterLab serves: a copy of notebooks/*.ipynb (nnlib comes from the installed package)."""
    root = tmp_path_factory.mktemp("lab-root")
    for notebook in NOTEBOOKS.glob("*.ipynb"):
        shutil.copy(notebook, root / notebook.name)
    return root


@pytest.fixture(scope="session")
def lab_url(tmp_path_factory: pytest.TempPathFactory, lab_root: Path) -> Iterator[str]:
    """Base URL of a headless JupyterLab serving `lab_root` (one server for the whole session)."""
    env_dir, root = tmp_path_factory.mktemp("lab-env"), lab_root
    _write_lab_settings(env_dir / "settings")
    port = free_port()
    config = env_dir / "jupyter_lab_test_config.py"
    config.write_text(LAB_CONFIG.format(port=port, root=str(root)))
    process = start_server([str(BIN / "jupyter"), "lab", f"--config={config}"], root, env_dir, "lab.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/lab", process)
        yield url
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def voila_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of the playground app, `voila notebooks/apps/playground_app.ipynb` (the README's command), served
    headless on a free loopback port."""
    env_dir = tmp_path_factory.mktemp("voila-env")
    port = free_port()
    command = [str(BIN / "voila"), VOILA_APP, "--no-browser", f"--port={port}",
               "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    process = start_server(command, REPO, env_dir, "voila.log")
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, timeout=90)
        yield url
    finally:
        stop_server(process)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh browser page (1400×1000) that records uncaught page errors in `page.errors`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    new_page = context.new_page()
    new_page.errors = []
    new_page.on("pageerror", lambda error: new_page.errors.append(str(error)))
    yield new_page
    context.close()


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a PNG of the page to artifacts/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
