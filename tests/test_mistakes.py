"""The mistake catalogue (tests/mistakes/nbNN.py): every Mistake makes its notebook fail under real nbval,
every Variant (a correct alternative) passes. Reports the catch rate.

Each notebook runs once, in a module-scoped fixture: `mistakes.trial_notebook` tries all of the notebook's
entries in one kernel, each after its exercise's check cell and each followed by the unchanged cells, which
must pass (so no trial can leak into the next). Notebooks run two at a time (NNFS_MISTAKE_JOBS), each in its
own `pytest --nbval-lax --nbval-current-env` subprocess. With pytest-xdist use `--dist loadscope` (as
`make unit` does) so the module stays on one worker.
"""

import csv
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mistakes import Mistake, Variant, apply, catalogue, run_nbval_cells, solution, trial_notebook
from reporting import report

from classroom import NOTEBOOKS, ROOT, check_cells

ENTRIES = catalogue()
pytestmark = pytest.mark.slow


def run_notebook(notebook: str) -> dict[str, tuple[bool, str]]:
    """{entry id: (nbval passed its trial, explanation)} for every entry of one notebook."""
    entries = [e for e in ENTRIES if e.notebook == notebook]
    built, trial_cells, must_pass = trial_notebook(solution(notebook), entries)
    with tempfile.TemporaryDirectory(prefix="nnfs-mistakes-") as folder:
        passed = run_nbval_cells(built, Path(folder))
    broken = [n for n in must_pass if not passed.get(n, False)]
    results = {}
    for entry in entries:
        failing = [n for n in trial_cells[entry.id] if not passed.get(n, False)]
        note = f"failing trial cells {failing}" if failing else "every trial cell passed"
        if broken:  # the unchanged cells failed somewhere: no outcome in this run can be trusted
            results[entry.id] = (entry.expect_pass is False, f"unchanged cells {broken} failed in the run")
        else:
            results[entry.id] = (not failing, note)
    return results


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[bool, str]]:
    """{entry id: (nbval passed, explanation)} for every catalogue entry."""
    notebooks = sorted({e.notebook for e in ENTRIES})
    with ThreadPoolExecutor(max_workers=int(os.environ.get("NNFS_MISTAKE_JOBS", "2"))) as pool:
        results = {}
        for part in pool.map(run_notebook, notebooks):
            results.update(part)
    mistakes = [e for e in ENTRIES if not e.expect_pass]
    caught = sum(not results[e.id][0] for e in mistakes)
    variants = [e for e in ENTRIES if e.expect_pass]
    accepted = sum(results[e.id][0] for e in variants)
    rate = caught / max(1, len(mistakes))
    report("mistake catalogue", f"caught {caught}/{len(mistakes)} mistakes ({rate:.0%}); "
                                f"accepted {accepted}/{len(variants)} correct variants")
    _write_artifact(ENTRIES, results)
    return results


def _write_artifact(entries: list[Mistake], results: dict) -> None:
    folder = ROOT / "artifacts"
    folder.mkdir(exist_ok=True)
    with (folder / "mistake_catalogue.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "notebook", "exercise", "description", "nbval_passed", "as_expected"])
        for e in entries:
            passed = results[e.id][0]
            writer.writerow([type(e).__name__, e.notebook, e.exercise, e.description, passed,
                             passed == e.expect_pass])


def test_catalogue_is_not_empty_and_covers_every_notebook_with_exercises():
    assert ENTRIES, "no entries in tests/mistakes/nb*.py"
    with_exercises = [p.stem for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")
                      if check_cells(solution(p.stem))]
    covered = {e.notebook for e in ENTRIES if not e.expect_pass}
    assert sorted(set(with_exercises) - covered) == [], "notebooks with exercises but no catalogued mistake"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_applies_exactly_once_to_a_known_exercise(entry):
    nb = solution(entry.notebook)            # fails (FileNotFoundError) if the notebook is not built
    assert entry.exercise in check_cells(nb)
    changed = apply(entry, nb)               # raises unless `find` occurs exactly once in a solution region
    assert changed.cells != nb.cells


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_outcome_under_nbval(entry, outcomes):
    passed, output = outcomes[entry.id]
    assert "unchanged cells" not in output, f"the trial notebook itself failed: {output}"
    if isinstance(entry, Variant):
        assert passed, f"a correct variant failed nbval:\n{output}"
    else:
        assert not passed, f"nbval did not catch this mistake ({entry.description}):\n{output}"


def test_catch_rate_is_100_percent(outcomes):
    mistakes = [e for e in ENTRIES if not e.expect_pass]
    missed = [e.id for e in mistakes if outcomes.get(e.id, (True, ""))[0]]
    assert missed == [], f"catch rate {1 - len(missed) / len(mistakes):.0%}; missed: {missed}"
