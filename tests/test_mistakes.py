"""The mistake catalogue (tests/mistakes/nbNN.py): every Mistake makes its notebook fail under real nbval,
every Variant (a correct alternative) passes. Reports the catch rate.

All entries run once, in a module-scoped fixture, two at a time (NNFS_MISTAKE_JOBS), each in its own
`pytest --nbval-lax --nbval-current-env` subprocess on the notebook cut after the exercise's check cell; the
per-entry tests then assert their own outcome, and `test_catch_rate_is_100_percent` sums them up. With
pytest-xdist use `--dist loadscope` (as `make unit` does) so the module stays on one worker.
"""

import csv
import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mistakes import Mistake, Variant, apply, catalogue, run_nbval, solution, up_to_check

from classroom import NOTEBOOKS, ROOT, check_cells

ENTRIES = catalogue()
pytestmark = pytest.mark.slow


def run_entry(entry: Mistake) -> tuple[bool, str]:
    changed = up_to_check(apply(entry, solution(entry.notebook)), entry.exercise)
    with tempfile.TemporaryDirectory(prefix="nnfs-mistake-") as folder:
        return run_nbval(changed, Path(folder))


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[bool, str]]:
    """{entry id: (nbval passed, output)} for every catalogue entry that can be applied."""
    usable = [e for e in ENTRIES if (NOTEBOOKS / f"{e.notebook}.ipynb").exists()]
    with ThreadPoolExecutor(max_workers=int(os.environ.get("NNFS_MISTAKE_JOBS", "2"))) as pool:
        results = dict(zip([e.id for e in usable], pool.map(_safe_run, usable), strict=True))
    mistakes = [e for e in usable if not e.expect_pass]
    caught = sum(not results[e.id][0] for e in mistakes)
    variants = [e for e in usable if e.expect_pass]
    accepted = sum(results[e.id][0] for e in variants)
    print(f"\nmistake catalogue: caught {caught}/{len(mistakes)} mistakes "
          f"({caught / max(1, len(mistakes)):.0%}); accepted {accepted}/{len(variants)} correct variants")
    _write_artifact(usable, results)
    return results


def _safe_run(entry: Mistake) -> tuple[bool, str]:
    try:
        return run_entry(entry)
    except Exception as error:  # reported by the entry's own test, never stops the others
        return (entry.expect_pass is False, f"could not run: {type(error).__name__}: {error}")


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
    if isinstance(entry, Variant):
        assert passed, f"a correct variant failed nbval:\n{output}"
    else:
        assert not passed, f"nbval did not catch this mistake ({entry.description}):\n{output}"


def test_catch_rate_is_100_percent(outcomes):
    mistakes = [e for e in ENTRIES if not e.expect_pass]
    missed = [e.id for e in mistakes if outcomes.get(e.id, (True, ""))[0]]
    assert missed == [], f"catch rate {1 - len(missed) / len(mistakes):.0%}; missed: {missed}"
