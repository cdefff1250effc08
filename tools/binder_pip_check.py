"""Does binder/requirements.txt pass `pip check` on repo2docker's base image? Answers without Docker.

repo2docker builds the image's Python environment from a conda lock file shipped inside the package (for
binder/runtime.txt's python-3.11: ``buildpacks/conda/environment.py-3.11-linux-64.lock``: JupyterLab,
notebook, jupyterhub-singleuser, ...), then runs ``pip install -r binder/requirements.txt`` on top of it.
This script rebuilds that in a scratch venv: the lock's Python packages at the lock's versions
(``--no-deps``, from PyPI), then binder/requirements.txt as repo2docker installs it, then ``pip check``.

    .venv/bin/python tools/binder_pip_check.py [VENV_DIR]      # default VENV_DIR: a temporary folder

Exit status: pip check's. Needs PyPI (about 150 wheels) and jupyter-repo2docker (requirements-dev.txt).
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# conda-forge packages that are not Python distributions, or are only metapackages of other entries
CONDA_ONLY = {"python", "nodejs", "pip", "setuptools", "wheel", "python_abi", "ca-certificates", "openssl",
              "tk", "tzdata", "zeromq", "icu", "krb5", "readline", "ncurses", "yaml", "zlib", "zstd", "bzip2",
              "keyutils", "libsodium", "libuv", "jupyterhub-singleuser", "bleach-with-css",
              "jsonschema-with-format-nongpl", "cached-property", "typing_extensions", "ld_impl_linux-64",
              "_libgcc_mutex", "_openmp_mutex", "libedit", "libxcrypt"}
RENAMED = {"jupyterhub-base": "jupyterhub", "nbconvert-core": "nbconvert", "brotli-python": "brotli",
           "python-fastjsonschema": "fastjsonschema", "cached_property": "cached-property"}
LOCK_ENTRY = re.compile(r"/([^/]+)-([^-/]+)-([^-/]+)\.(?:conda|tar\.bz2)#")


def lock_file() -> Path:
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip().removeprefix("python-")
    package = importlib.util.find_spec("repo2docker")   # located, not imported (importing it logs warnings)
    folder = Path(package.submodule_search_locations[0]) / "buildpacks" / "conda"
    return folder / f"environment.py-{runtime}-linux-64.lock"


def base_pins(lock: Path) -> list[str]:
    """``name==version`` for every Python distribution in a conda explicit lock file."""
    pins = []
    for line in lock.read_text().splitlines():
        match = LOCK_ENTRY.search(line)
        if not match:
            continue
        name, version = match.group(1), match.group(2)
        if name in CONDA_ONLY or name.startswith("lib"):
            continue
        pins.append(f"{RENAMED.get(name, name)}=={version}")
    return pins


def main(argv: list[str]) -> int:
    venv = Path(argv[0]) if argv else Path(tempfile.mkdtemp(prefix="binder-pip-check-")) / "venv"
    pip = [str(venv / "bin" / "python"), "-m", "pip"]
    lock = lock_file()
    print(f"base image environment: {lock.name}")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(pip + ["install", "--quiet", "--no-deps"] + base_pins(lock), check=True)
    subprocess.run(pip + ["install", "--quiet", "-r", str(ROOT / "binder" / "requirements.txt")], check=True)
    done = subprocess.run(pip + ["check"], text=True, capture_output=True)
    print(done.stdout + done.stderr, end="")
    for name in ("jupyterlab", "notebook", "jupyterhub", "nbgitpuller", "jupyter_server"):
        shown = subprocess.run(pip + ["show", name], text=True, capture_output=True).stdout
        version = next((line.split()[1] for line in shown.splitlines() if line.startswith("Version:")), "-")
        print(f"{name} {version}")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
