"""Make ``.venv-nbgrader/``: the project's environment plus nbgrader; the project's ``.venv`` stays as it is.

    .venv/bin/python tools/nbgrader_venv.py            # or: make nbgrader-venv

nbgrader installs a JupyterLab extension (menus, a Validate button) and server extensions; in ``.venv`` they
would show up in every learner's and every browser test's JupyterLab. So nbgrader lives in a venv of its own,
*layered* on ``.venv``: a ``.pth`` file puts ``.venv``'s site-packages (with its ``.pth`` files, so the
editable nnlib/classroom too) behind the new venv's own, and pip installs only what ``.venv`` lacks (nbgrader,
notebook, SQLAlchemy, alembic, ...: a few packages instead of a second copy of the whole stack). Kernels
started by nbgrader run the new venv's Python, so they see exactly the packages of ``.venv`` that the
learner's ``pytest --nbval-lax`` self-check runs with. Jupyter looks for extensions under ``sys.prefix``,
so ``.venv``'s JupyterLab never sees nbgrader's.

Refuses (and changes nothing) when installing nbgrader would replace a package of ``.venv``. Does nothing
when ``.venv-nbgrader`` is already up to date with ``requirements-nbgrader.txt``'s nbgrader pin.
Teachers who want one environment use ``pip install -r requirements-nbgrader.txt -e .`` instead.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import sysconfig
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / ".venv-nbgrader"
SHIMS = {"alembic": "alembic.config"}   # nbgrader runs `alembic heads` to check its gradebook's schema


def nbgrader_pin() -> str:
    text = (ROOT / "requirements-nbgrader.txt").read_text()
    return re.search(r"^nbgrader\S*", text, re.MULTILINE).group(0)


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def make(target: Path = TARGET) -> Path:
    """Create or update the layered venv; return its python. Must run with ``.venv``'s python."""
    base = Path(sysconfig.get_paths()["purelib"])
    pin = nbgrader_pin()
    stamp_text = hashlib.sha256(f"{base}\n{pin}".encode()).hexdigest()
    python, stamp = target / "bin" / "python", target / ".installed"
    if python.exists() and stamp.exists() and stamp.read_text() == stamp_text:
        return write_shims(python)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(target)], check=True)
    # "import site; site.addsitedir(...)": an added site dir has its own .pth files processed (editables)
    (site_packages(target) / "_project_venv.pth").write_text(f"import site; site.addsitedir({str(base)!r})\n")
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    report = target / "install-report.json"
    subprocess.run(pip + ["--dry-run", "--report", str(report), pin], check=True)
    planned = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    replaced = [name for name in planned if _installed(name)]
    if replaced:
        raise SystemExit(f"installing {pin} would replace {replaced} of {base.parent.parent.parent}: "
                         "use a full venv instead (pip install -r requirements-nbgrader.txt -e .)")
    subprocess.run(pip + [pin], check=True)
    subprocess.run([str(python), "-m", "pip", "check"], check=True)
    stamp.write_text(stamp_text)
    return write_shims(python)


def write_shims(python: Path) -> Path:
    """Commands nbgrader runs by name (``alembic``) must run this venv's Python, which sees nbgrader, even
    when the package came from ``.venv`` (whose own ``alembic`` script could not import nbgrader)."""
    for name, module in SHIMS.items():
        shim = python.parent / name
        shim.write_text(f"#!{python}\nimport sys\nfrom {module} import main\nsys.exit(main())\n")
        shim.chmod(0o755)
    return python


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    print(make())
