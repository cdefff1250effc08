"""The README's hub path, for real: a local JupyterHub, the README's nbgitpuller link, a student, sliders.

A JupyterHub on 127.0.0.1 (``jupyterhub`` from requirements-dev.txt, ``configurable-http-proxy`` from npm:
``make hub-proxy``) with the dummy authenticator and the simple local-process spawner, whose single-user
servers run this environment's ``jupyterhub-singleuser`` (as an image built from ``binder/`` runs its own).
The student follows the README's nbgitpuller link, pointed at a local clone of this repository (no network),
logs in, and lands in JupyterLab on the first exercise notebook. A second link opens exercise 04 (and must
keep what the student already changed); its XOR explorer runs, and moving the "Hidden units" slider with the
keyboard retrains the network in the kernel.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from reporting import report

from .conftest import (
    BIN,
    REPO,
    _write_lab_settings,
    free_port,
    screenshot,
    start_server,
    stop_server,
    wait_for_http,
)
from .helpers import KERNEL_IDLE, PANEL, error_outputs, press_on_slider, shutdown_kernel, wait_for_text

pytestmark = pytest.mark.browser
STUDENT = "student"
EXPLORER_MESSAGE = f"{PANEL} .widget-html"
HUB_CONFIG = """
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.JupyterHub.db_url = "sqlite:///{folder}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{folder}/jupyterhub_cookie_secret"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = "{folder}/home/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = ["--ServerApp.allow_root=True", "--LabApp.expose_app_in_browser=True"]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {environment!r}
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
"""


def proxy_command() -> str:
    """configurable-http-proxy: on PATH, or where `make hub-proxy` puts it."""
    found = shutil.which("configurable-http-proxy") or REPO / ".hub" / "node_modules" / ".bin" / \
        "configurable-http-proxy"
    if not Path(found).exists():
        pytest.fail("configurable-http-proxy (npm) not found: run `make hub-proxy` (or npm install -g "
                    "configurable-http-proxy)")
    return str(found)


def readme_pull_link() -> str:
    """The nbgitpuller link of the README's "Teaching a large class" section."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Teaching a large class", 1)[1].split("\n### ", 1)[0]
    links = re.findall(r"https://YOUR-HUB/hub/user-redirect/git-pull\?[^\s`)>\]]+", section)
    assert links, "the README's 'Teaching a large class' section shows no nbgitpuller link"
    return links[0]


def local_link(link: str, hub_url: str, repo: Path, urlpath: str | None = None) -> str:
    """The README's link with its hub replaced by ours and its repository by a local clone."""
    query = {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}
    assert Path(urlsplit(query["repo"]).path).name == repo.name, "the clone must have the repository's name"
    query["repo"] = repo.as_uri()
    if urlpath is not None:
        query["urlpath"] = urlpath
    return f"{hub_url}{urlsplit(link).path}?{urlencode(query)}"


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A running local JupyterHub and a clone of this repository named like the README's repository."""
    folder = tmp_path_factory.mktemp("hub")
    repo_name = Path(urlsplit(parse_qs(urlsplit(readme_pull_link()).query)["repo"][0]).path).name
    clone = folder / "remote" / repo_name
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True, timeout=120)
    settings = folder / "lab-settings"
    _write_lab_settings(settings)   # as in the other browser tests: no virtual scrolling, no autosave
    port = free_port()
    config = folder / "jupyterhub_config.py"
    config.write_text(HUB_CONFIG.format(
        port=port, hub_port=free_port(), api_port=free_port(), proxy=proxy_command(), folder=folder,
        singleuser=str(BIN / "jupyterhub-singleuser"),
        environment={"JUPYTERLAB_SETTINGS_DIR": str(settings), "MPLBACKEND": "Agg",
                     "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin"}))
    start = time.monotonic()
    process = start_server([str(BIN / "jupyterhub"), f"--config={config}"], folder, folder, "hub.log")
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/hub/health", process, timeout=90)
        report("hub", f"JupyterHub up in {time.monotonic() - start:.1f} s")
        yield {"url": url, "clone": clone, "home": folder / "home" / STUDENT, "log": folder / "hub.log"}
    finally:
        stop_server(process)   # the hub stops the single-user servers it started (cleanup_servers)
        for pid in singleuser_pids(folder / "home"):   # in case it could not: only ours, by id
            os.kill(pid, signal.SIGTERM)


def singleuser_pids(homes: Path) -> list[int]:
    """Processes running this environment's jupyterhub-singleuser in one of our test's home folders."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
            cwd = Path(os.readlink(proc / "cwd"))
        except OSError:
            continue
        if any(part.endswith(b"jupyterhub-singleuser") for part in command[:2]) and homes in cwd.parents:
            pids.append(int(proc.name))
    return pids


def wait_for_notebook(page, suffix: str = "", timeout: float = 120_000) -> str:
    """Wait until JupyterLab shows a notebook whose path ends with ``suffix`` and whose kernel is idle;
    return the notebook's path. (JupyterLab may first restore the notebook a workspace had open.)"""
    page.locator(f"{PANEL} .jp-Notebook").wait_for(state="visible", timeout=timeout)
    page.wait_for_function("""(suffix) => {
        const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
        return !!(widget && widget.context && widget.context.path.endsWith(suffix));
    }""", arg=suffix, timeout=timeout)
    page.wait_for_function(KERNEL_IDLE, timeout=timeout)
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")


def log_in(page, link: str) -> None:
    """Open the link logged out: the hub asks for a name first (the dummy authenticator takes any)."""
    page.goto(link, timeout=60_000)
    page.locator("input[name=username]").fill(STUDENT)
    page.locator("input[name=password]").fill("any password")
    page.locator("input[type=submit], button[type=submit]").first.click()


def run_cell_containing(page, text: str) -> None:
    page.evaluate("""(text) => {
        const panel = window.jupyterapp.shell.currentWidget;
        const index = panel.content.widgets.findIndex(
            (cell) => cell.model.sharedModel.getSource().includes(text));
        if (index < 0) throw new Error('no cell contains ' + text);
        panel.content.activeCellIndex = index;
        window.jupyterapp.commands.execute('notebook:run-cell');
    }""", text)


def cell_outputs(page, text: str) -> str:
    return page.evaluate("""(text) => {
        const cells = window.jupyterapp.shell.currentWidget.content.widgets;
        const cell = cells.find((c) => c.model.sharedModel.getSource().includes(text));
        return cell ? JSON.stringify(cell.model.outputs.toJSON()).slice(0, 2000) : 'no such cell';
    }""", text)


def test_readme_link_opens_the_exercise_on_a_hub_and_sliders_work(page, hub):
    link = readme_pull_link()
    first = local_link(link, hub["url"], hub["clone"])
    first_path = parse_qs(urlsplit(first).query)["urlpath"][0]
    assert first_path.endswith(".ipynb") and "/notebooks/exercises/" in first_path

    start = time.monotonic()
    log_in(page, first)   # then the hub spawns the server, nbgitpuller pulls, JupyterLab opens the notebook
    opened_path = wait_for_notebook(page)
    opened = time.monotonic() - start
    assert page.url.startswith(f"{hub['url']}/user/{STUDENT}/lab"), page.url
    assert opened_path == first_path.removeprefix("lab/tree/"), opened_path
    first_notebook = hub["home"] / opened_path
    assert first_notebook.exists(), f"nbgitpuller did not pull {first_notebook}"
    shutdown_kernel(page)

    # The student's work survives the next pull (nbgitpuller merges, never overwrites a learner's change).
    work = json.loads(first_notebook.read_text(encoding="utf-8"))
    work["cells"][-1]["source"] = "# my notes: the student's own words\n"
    first_notebook.write_text(json.dumps(work), encoding="utf-8")

    second = local_link(link, hub["url"], hub["clone"],
                        urlpath=first_path.replace(Path(first_path).name, "04_training_on_xor.ipynb"))
    start = time.monotonic()
    page.goto(second, timeout=60_000)
    wait_for_notebook(page, "exercises/04_training_on_xor.ipynb")   # times out unless exercise 04 opens
    pull_seconds = time.monotonic() - start
    assert "my notes: the student's own words" in first_notebook.read_text(encoding="utf-8")

    run_cell_containing(page, "xor_explorer()")
    try:
        page.locator(f"{PANEL} .widget-slider").first.wait_for(state="visible", timeout=60_000)
    except Exception:
        outputs = cell_outputs(page, "xor_explorer()")
        raise AssertionError(f"no slider; the explorer cell's outputs: {outputs}") from None
    before = wait_for_text(page, EXPLORER_MESSAGE, r"2-4-1, learning rate 1: ", timeout=60_000)
    press_on_slider(page, "Hidden units", "ArrowRight")
    after = wait_for_text(page, EXPLORER_MESSAGE, r"2-5-1, learning rate 1: ", timeout=60_000)
    screenshot(page, "hub_exercise_04_sliders", full_page=False)
    assert before != after
    assert error_outputs(page) == [] and page.errors == []
    shutdown_kernel(page)
    report("hub", f"README link -> login -> spawn -> pull -> exercise 01 open: {opened:.1f} s; "
                  f"second link -> exercise 04 open: {pull_seconds:.1f} s")
