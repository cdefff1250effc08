"""A notebook opened where nnlib is not installed (Colab, a notebook downloaded alone, a Windows checkout, an
nbgrader course folder): its first code cell installs the series' package, and the notebook runs.

The test copies the answer key of notebook 01 alone into an empty folder and runs it in a fresh virtual
environment that has only Jupyter's kernel machinery — no nnlib, no NumPy. The install source is pointed at
this checkout through $NNFS_SOURCE (the default is the GitHub repository, unreachable here).
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reporting import report

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(nbformat.v4.new_code_cell("import nnlib, classroom.checks\\nprint(nnlib.__file__)"))
NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": sys.argv[2]}}).execute()
outputs = [output for cell in nb.cells for output in cell.get("outputs", [])]
errors = [o["ename"] + ": " + o["evalue"] for o in outputs if o["output_type"] == "error"]
print(json.dumps({"errors": errors, "nnlib": nb.cells[-1].outputs[0]["text"].strip()}))
"""


def test_a_notebook_alone_in_a_fresh_environment_installs_nnlib_and_runs(tmp_path):
    venv, folder = tmp_path / "venv", tmp_path / "alone"
    folder.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_neurons_and_initialisation.ipynb", folder)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "ipykernel", "nbclient", "nbformat"],
                   check=True, timeout=600)
    missing = subprocess.run([str(python), "-c", "import nnlib"], capture_output=True)
    assert missing.returncode != 0, "the fresh environment must not have nnlib yet"
    env = {**os.environ, "NNFS_SOURCE": f"{ROOT}[notebooks]", "MPLBACKEND": "Agg", "PYTHONPATH": ""}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    started = time.monotonic()
    done = subprocess.run([str(python), "-c", RUN, str(folder / "01_neurons_and_initialisation.ipynb"),
                           str(folder)], capture_output=True, text=True, env=env, cwd=folder, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert Path(result["nnlib"]).is_relative_to(venv), "nnlib must come from the fresh environment"
    report("standalone notebook", f"notebook 01 alone in a fresh venv: installed nnlib and ran in "
                                  f"{time.monotonic() - started:.0f} s")
