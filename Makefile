# Two commands for a fresh machine with Python >= 3.10:
#   make lab    set everything up in ./.venv and open the series in JupyterLab
#   make test   set everything up in ./.venv (with the test tools) and run every check
# Others: make notebooks (rebuild and re-execute every notebook), make grade SUBMISSIONS=dir,
#         make bench [TORCH_PYTHON=a Python with torch, to time PyTorch beside nnlib]

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
LAB_STAMP := $(VENV)/.installed-lab
DEV_STAMP := $(VENV)/.installed-dev
PYTEST := $(BIN)/python -m pytest

.PHONY: lab test unit notebooks-test browser-test lint notebooks bench grade clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python >= 3.10 is needed; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(LAB_STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

$(DEV_STAMP): $(LAB_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# --allow-root only where make runs as root (containers, some cloud machines); Jupyter refuses root otherwise.
# The environment's bin/ goes first on PATH, so that a terminal opened in JupyterLab runs its python and pytest.
lab: $(LAB_STAMP)
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \
		notebooks/exercises/00_start_here.ipynb

test: lint unit notebooks-test browser-test

lint: $(DEV_STAMP)
	$(BIN)/ruff check .

unit: $(DEV_STAMP)
	$(PYTEST) -n 2 --dist loadscope -m "not browser" tests

notebooks-test: $(DEV_STAMP)
	$(PYTEST) -n 2 --dist loadscope --nbval-lax --nbval-current-env notebooks/*.ipynb

browser-test: $(DEV_STAMP)
	$(PYTEST) -m browser tests

notebooks: $(DEV_STAMP)
	$(BIN)/python -m classroom.build

bench: $(DEV_STAMP)
	$(BIN)/python -m benchmarks.bench_step $(if $(TORCH_PYTHON),--torch-python $(TORCH_PYTHON))
	$(BIN)/python -m benchmarks.bench_overhead
	$(BIN)/python -m benchmarks.bench_live
	$(BIN)/python -m benchmarks.bench_playground
	$(BIN)/python -m benchmarks.bench_png

grade: $(DEV_STAMP)
	$(BIN)/python -m classroom.grade $(SUBMISSIONS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis artifacts

# Teacher paths (README "For teachers"). nbgrader lives in .venv-nbgrader, layered on .venv (tools/nbgrader_venv.py);
# the hub test needs npm's configurable-http-proxy, kept in .hub/.
.PHONY: nbgrader-venv nbgrader-course hub-proxy
NBGRADER_COURSE ?= nbgrader-course

nbgrader-venv: $(DEV_STAMP)
	$(BIN)/python tools/nbgrader_venv.py

nbgrader-course: $(DEV_STAMP)
	$(BIN)/python -m classroom.nbgrader_course $(NBGRADER_COURSE)

hub-proxy:
	command -v configurable-http-proxy >/dev/null 2>&1 || test -x .hub/node_modules/.bin/configurable-http-proxy \
		|| npm install --no-save --no-audit --no-fund --prefix .hub configurable-http-proxy@5
