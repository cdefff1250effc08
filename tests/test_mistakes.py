"""The mistake catalogue (tests/mistakes/nbNN.py): every Mistake makes its notebook fail under real nbval,
every Variant (a correct alternative) passes, and the grader gives every entry the same verdict. Reports the
catch rate.

Each notebook runs once, in a module-scoped fixture: `mistakes.trial_notebook` tries all of the notebook's
entries in one kernel, each after its exercise's check cell and each followed by the unchanged cells, which
must pass (so no trial can leak into the next). Notebooks run two at a time (NNFS_MISTAKE_JOBS), each in its
own `pytest --nbval-lax --nbval-current-env` subprocess. With pytest-xdist use `--dist loadscope` (as
`make unit` does) so the module stays on one worker.
"""

import csv
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from mistakes import Mistake, Variant, apply, catalogue, run_nbval_cells, solution, trial_notebook
from reporting import report

from classroom import NOTEBOOKS, ROOT, check_cells
from classroom.checks import BOOKS
from classroom.exercises import answer_key

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


# --- the grader agrees with the self-check on every entry --------------------------------------------------

def _mentions_another_exercise(entry: Mistake) -> bool:
    """A variant such as "calls the learner's sgd_step" depends on another exercise being right."""
    others = [e.exercise for e in ENTRIES if e.notebook == entry.notebook and e.exercise != entry.exercise]
    return any(f"{name}(" in entry.replace for name in others)


def class_of_catalogue(folder: Path) -> dict[tuple[str, str], list[Mistake]]:
    """Write one learner's notebook per group of entries: {(learner, notebook): the entries it holds}.

    Entries of different exercises share a notebook (the grader checks each exercise on its own), except
    those that mention another exercise's function; a notebook holds at most one entry per exercise. Each
    notebook ends at its last check cell: what follows defines no exercise (and only costs grading time).
    """
    planted: dict[tuple[str, str], list[Mistake]] = {}
    for notebook in sorted({e.notebook for e in ENTRIES}):
        queues: dict[str, list[Mistake]] = {}
        alone = []
        for entry in (e for e in ENTRIES if e.notebook == notebook):
            if _mentions_another_exercise(entry):
                alone.append(entry)
            else:
                queues.setdefault(entry.exercise, []).append(entry)
        depth = max(len(queue) for queue in queues.values())
        groups = [[queue[k] for queue in queues.values() if k < len(queue)] for k in range(depth)]
        groups += [[entry] for entry in alone]
        for number, group in enumerate(groups):
            nb = solution(notebook)
            nb.cells = nb.cells[: max(check_cells(nb).values()) + 1]
            for entry in group:
                nb = apply(entry, nb)
            learner = f"n{notebook[:2]}_{number:02d}"
            (folder / learner).mkdir(parents=True, exist_ok=True)
            (folder / learner / f"{notebook}.ipynb").write_text(nbformat.writes(answer_key(nb)))
            planted[(learner, notebook)] = group
    return planted


def test_the_grader_agrees_with_the_self_check_on_every_entry(outcomes, tmp_path):
    """classroom.grade (sandboxed, checks in the grader's process) gives each catalogue entry the same
    verdict as the learner's own `pytest --nbval-lax` run; exercises without an entry score 1."""
    folder, out = tmp_path / "class", tmp_path / "grades.csv"
    planted = class_of_catalogue(folder)
    started = time.monotonic()
    command = [sys.executable, "-m", "classroom.grade", str(folder), "--out", str(out), "--jobs", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3000)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = {row["learner"]: row for row in csv.DictReader(out.open())}
    disagreements = []
    for (learner, notebook), group in planted.items():
        assert rows[learner][f"{notebook}:status"] == "ok", rows[learner]
        by_exercise = {entry.exercise: entry for entry in group}
        for exercise in BOOKS[notebook].exercises:
            entry = by_exercise.get(exercise)
            expected = int(outcomes[entry.id][0]) if entry else 1
            if int(rows[learner][f"{notebook}:{exercise}"]) != expected:
                disagreements.append((learner, exercise, entry.id if entry else "the right answer"))
    report("grader vs self-check", f"{len(ENTRIES)} entries in {len(planted)} notebooks graded in "
                                   f"{time.monotonic() - started:.0f} s; {len(disagreements)} disagreements")
    assert disagreements == []
