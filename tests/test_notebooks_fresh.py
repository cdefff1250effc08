"""Committed notebooks are what `python -m classroom.build` would produce, and they are clean.

Runs the build's `--check` logic in-process (no kernel) for every notebook source, and inspects every stored
notebook (solution and student versions): valid nbformat, no error or stderr outputs, execution counts where
there are outputs, relative links that resolve. A tiny demo notebook in a temp dir exercises the build.
"""

import re
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest

from classroom import EXERCISES, NOTEBOOKS, SOURCES, notebook_names
from classroom.build import BuildError, build, main, source_hash, stale_reasons

NAMES = notebook_names()
STORED = sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(EXERCISES.glob("*.ipynb"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def test_there_are_notebooks_to_check():
    assert NAMES, f"no notebook sources in {SOURCES}"
    assert STORED, f"no built notebooks in {NOTEBOOKS}"


def test_every_stored_notebook_has_a_source():
    orphans = [str(path.relative_to(NOTEBOOKS)) for path in STORED if path.stem not in NAMES]
    assert orphans == [], "built notebooks without a notebooks/src/*.py source"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_up_to_date_with_its_source(name):
    assert stale_reasons(name) == [], f"run: python -m classroom.build {name}"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


@pytest.mark.parametrize("path", STORED, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_stored_notebook_is_valid_and_clean(path):
    nb = read(path)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        kinds = [(out.output_type, out.get("name")) for out in cell.outputs]
        assert ("error", None) not in kinds, f"cell {index} stores an error"
        assert ("stream", "stderr") not in kinds, f"cell {index} wrote to stderr"
        if cell.outputs:
            assert cell.execution_count is not None, f"cell {index} has outputs but no execution_count"


def link_targets(nb: nbformat.NotebookNode) -> list[str]:
    targets = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            targets += [t for t in LINK.findall(cell.source)
                        if not re.match(r"^[a-z][a-z0-9+.-]*:", t) and not t.startswith("#")]
    return targets


@pytest.mark.parametrize("path", STORED, ids=lambda p: str(p.relative_to(NOTEBOOKS)))
def test_relative_links_resolve(path):
    missing = [t for t in link_targets(read(path)) if not (path.parent / unquote(t.split("#")[0])).exists()]
    assert missing == []


# --- the build itself, on a tiny demo notebook in a temporary folder --------------------------------------

DEMO = '''# %% [markdown]
# # Demo

# %%
import types

import numpy as np

from classroom.checks._compare import expect_number
from classroom.checks._core import Book

book = Book("01_demo")


def check_double(learner):
    expect_number(learner.function("double")(3.0), 6.0, "double(3)")
    return "correct"


checks = types.SimpleNamespace(double=book.exercise(1, "double")(check_double))

# %%
def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION

# %%
checks.double()
'''


@pytest.fixture
def demo(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "01_demo.py").write_text(DEMO)
    dirs = dict(src_dir=tmp_path / "src", out_dir=tmp_path, exercises_dir=tmp_path / "exercises")
    return tmp_path, dirs


@pytest.mark.slow
def test_build_executes_stores_hash_and_detects_every_kind_of_staleness(demo):
    tmp_path, dirs = demo
    build("01_demo", **dirs)
    built = tmp_path / "01_demo.ipynb"
    nb = read(built)
    assert nb.cells[3].outputs[0].text == "✓ Exercise 1 (double): correct\n"
    assert nb.metadata.nnfs.source_sha256 == source_hash(nb)
    assert all("execution" not in cell.metadata for cell in nb.cells)
    assert stale_reasons("01_demo", **dirs) == []
    snapshot = built.read_text()

    source = dirs["src_dir"] / "01_demo.py"
    source.write_text(DEMO.replace("6.0, ", "6.00001, "))
    assert any("differ from the source" in r for r in stale_reasons("01_demo", **dirs))
    source.write_text(DEMO)

    built.write_text(snapshot.replace("return 2 * x", "return x + x"))   # hand-edited notebook
    assert any("source_sha256" in r for r in stale_reasons("01_demo", **dirs))
    built.write_text(snapshot)

    (dirs["exercises_dir"] / "01_demo.ipynb").unlink()
    assert any("student version" in r for r in stale_reasons("01_demo", **dirs))


@pytest.mark.slow
@pytest.mark.parametrize(("bad_line", "words"), [
    ("import sys; sys.stderr.write('oops')",
     "cell 4 (\"import sys; sys.stderr.write('oops')\") wrote to stderr"),
    ("1 / 0", "cell 4 ('1 / 0') raised ZeroDivisionError"),
])
def test_build_refuses_error_and_stderr_outputs_naming_the_cell(demo, bad_line, words):
    tmp_path, dirs = demo
    dirs["src_dir"].joinpath("01_demo.py").write_text(DEMO + f"\n# %%\n{bad_line}\n")
    with pytest.raises(BuildError) as error:
        build("01_demo", **dirs)
    assert words in str(error.value)
    assert not (tmp_path / "01_demo.ipynb").exists()


def test_build_refuses_two_check_cells_of_one_exercise_before_executing(demo):
    tmp_path, dirs = demo
    dirs["src_dir"].joinpath("01_demo.py").write_text(DEMO + "\n# %%\nchecks.double()\n")
    with pytest.raises(BuildError, match="already used"):
        build("01_demo", **dirs)


def test_check_mode_exits_nonzero_for_an_unknown_name(capsys):
    assert main(["--check", "99_no_such_notebook"]) == 1
    assert "99_no_such_notebook" in capsys.readouterr().err


def test_check_mode_agrees_with_stale_reasons(capsys):
    expected = 1 if any(stale_reasons(name) for name in NAMES) else 0
    assert main(["--check"]) == expected
    assert ("stale:" in capsys.readouterr().out) == bool(expected)

