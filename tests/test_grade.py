"""classroom.grade: a class of 8 submissions per notebook plus one (correct, unfinished, wrong, crashing,
memory hog, truncated, not a notebook, flat layout; hanging; 49 for notebooks 01-07) graded in sandboxes
into exactly the expected table; shards merged equal one run; the tables' own rules (atomic, formula-safe).
Slow: reports seconds per submission."""

import csv
import json
import os
import subprocess
import sys
import time

import nbformat
import pytest
from mistakes import apply, catalogue
from reporting import report

from classroom import EXERCISES, NOTEBOOKS, check_cells, grade
from classroom.checkpoints import check_plan, checks_in
from classroom.checks import BOOKS
from classroom.checks._core import Book, Fail
from classroom.gradebook import (
    Result,
    grades_table,
    read_results,
    results_table,
    safe_cell,
    select_shard,
    unescape_cell,
    write_atomically,
    write_tables,
)
from classroom.submissions import Submission, find_submissions, notebook_status, read_submission

GRADED = {name: list(book.exercises) for name, book in BOOKS.items()     # the books whose notebooks exist
          if book.exercises and all((folder / f"{name}.ipynb").exists() for folder in (NOTEBOOKS, EXERCISES))}
HANG = "while True:\n    pass"
STUBBORN = ("import time\nwhile True:\n    try:\n        time.sleep(0.1)\n"
            "    except KeyboardInterrupt:\n        pass")   # swallows the grader's interrupt
HOG = "import numpy as np\nbig = np.ones(10**10)"
needs_bwrap = pytest.mark.skipif(not grade.sandbox.bwrap_available(), reason="needs bwrap (bubblewrap)")


def with_cell(nb, index: int, source: str):
    changed = nbformat.from_dict(nb)
    changed.cells.insert(index, nbformat.v4.new_code_cell(source))
    return changed


def with_mistake(name: str, solution) -> tuple[str, object] | None:
    """(exercise, notebook) with the first catalogued mistake of the notebook's last exercise planted."""
    last = GRADED[name][-1]
    for entry in catalogue():
        if entry.notebook == name and entry.exercise == last and not entry.expect_pass:
            try:
                return entry.exercise, apply(entry, solution)
            except ValueError:    # no solution markers in the answer key: replace the unique occurrence
                cells = [cell for cell in solution.cells if entry.find in cell.get("source", "")]
                if len(cells) == 1 and cells[0].source.count(entry.find) == 1:
                    changed = nbformat.from_dict(solution)
                    index = solution.cells.index(cells[0])
                    changed.cells[index].source = cells[0].source.replace(entry.find, entry.replace)
                    return entry.exercise, changed
    return None


def make_submissions(folder):
    """Write the submissions; return {(learner, notebook): (status, {exercise: 0/1})} for every pair."""
    expected = {}
    for name, exercises in GRADED.items():
        solution = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
        every, none = dict.fromkeys(exercises, 1), dict.fromkeys(exercises, 0)
        text = (NOTEBOOKS / f"{name}.ipynb").read_text()
        plan = {
            "correct": (text, "ok", every),
            "unfinished": ((EXERCISES / f"{name}.ipynb").read_text(), None, none),
            "crash": (nbformat.writes(with_cell(solution, 1, "raise RuntimeError('boom')")),
                      "error (cell 1: RuntimeError)", every),
            "hog": (nbformat.writes(with_cell(solution, 0, HOG)), "memory (cell 0)", every),
            "truncated": (text[: len(text) // 2], "truncated", none),
            "text": ("my answers are in the other file\n", "not-a-notebook", none),
        }
        mistake = with_mistake(name, solution)
        if mistake:
            plan["wrong"] = (nbformat.writes(mistake[1]), None, {**every, mistake[0]: 0})
        for kind, (content, status, passed) in plan.items():
            learner = f"{kind}_{name[:2]}"
            (folder / learner).mkdir()
            (folder / learner / f"{name}.ipynb").write_text(content)
            expected[(learner, name)] = (status, passed)
        (folder / f"flat_{name[:2]}__{name}.ipynb").write_text(text)   # the flat-file layout
        expected[(f"flat_{name[:2]}", name)] = ("ok", every)
    first = next(iter(GRADED))
    (folder / "hang").mkdir()
    solution = nbformat.read(NOTEBOOKS / f"{first}.ipynb", as_version=4)
    (folder / "hang" / f"{first}.ipynb").write_text(nbformat.writes(with_cell(solution, 0, HANG)))
    expected[("hang", first)] = ("timeout (cell 0)", dict.fromkeys(GRADED[first], 0))
    learners = {learner for learner, _ in expected}
    for learner in learners:                     # every other notebook of a learner is missing
        for name, exercises in GRADED.items():
            expected.setdefault((learner, name), ("missing", dict.fromkeys(exercises, 0)))
    return expected


def read_rows(path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["learner"]: row for row in csv.DictReader(handle)}


def test_every_notebook_with_exercises_has_a_book():
    assert GRADED and all(name in BOOKS for name in GRADED)


def test_find_submissions_reads_both_layouts(tmp_path):
    name = next(iter(GRADED))
    (tmp_path / "ann").mkdir()
    (tmp_path / "ann" / f"{name}.ipynb").write_text("{}")
    (tmp_path / f"bob__{name}.ipynb").write_text("{}")
    (tmp_path / "bob__99_unknown.ipynb").write_text("{}")
    found = find_submissions(tmp_path, list(GRADED))
    assert {learner: sorted(files) for learner, files in found.items()} == {"ann": [name], "bob": [name]}


def test_two_files_for_one_notebook_are_reported_not_resolved(tmp_path):
    name, other = list(GRADED)[:2]
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / f"{name}.ipynb").write_text("{}")
    (tmp_path / "alice" / f"{other}.ipynb").write_text("{}")
    (tmp_path / f"alice__{name}.ipynb").write_text("{}")
    (tmp_path / f"bob__{name}.ipynb").write_text("{}")
    found = find_submissions(tmp_path, list(GRADED))
    assert found["alice"][name].ambiguity == (f"two files for this notebook: alice/{name}.ipynb and "
                                              f"alice__{name}.ipynb: keep one")
    assert found["alice"][other].ambiguity == found["bob"][name].ambiguity == ""


def test_a_notebook_found_only_under_a_copys_name_is_graded_from_it(tmp_path):
    name, other = list(GRADED)[:2]
    files = {"ann": [f"{name} (1)"], "bob": [name, f"{name}-Copy1"], "cid": [f"{name} (1)", f"{name} (2)"],
             "eve": [f"{name}_notes", f"{other}(3)"]}
    for learner, stems in files.items():
        (tmp_path / learner).mkdir()
        for stem in stems:
            (tmp_path / learner / f"{stem}.ipynb").write_text("{}")
    (tmp_path / f"dan__Copy of {name}.ipynb").write_text("{}")
    found = find_submissions(tmp_path, list(GRADED))
    assert found["ann"][name] == Submission(("ann", f"{name} (1).ipynb"), copy=True)
    bob = Submission(("bob", f"{name}.ipynb"), copies=(("bob", f"{name}-Copy1.ipynb"),))
    assert found["bob"][name] == bob
    assert found["cid"][name].ambiguity.startswith(f"two files for this notebook: cid/{name} (1).ipynb and ")
    assert found["dan"][name] == Submission((f"dan__Copy of {name}.ipynb",), copy=True)
    assert found["eve"] == {other: Submission(("eve", f"{other}(3).ipynb"), copy=True)}   # notes: not a copy


def test_submissions_that_are_not_regular_notebooks_are_refused_without_reading(tmp_path):
    notebook = nbformat.writes(nbformat.v4.new_notebook())
    (tmp_path / "good.ipynb").write_text(notebook)
    (tmp_path / "big.ipynb").write_text(notebook + " " * 2000)
    (tmp_path / "half.ipynb").write_text(notebook[:20])
    (tmp_path / "latin.ipynb").write_bytes(b"\xff\xfe{}")
    os.symlink("/dev/zero", tmp_path / "zero.ipynb")
    os.symlink("/dev/stdin", tmp_path / "stdin.ipynb")
    os.symlink(tmp_path / "good.ipynb", tmp_path / "link.ipynb")
    os.mkfifo(tmp_path / "fifo.ipynb")
    (tmp_path / "dir").mkdir()
    os.symlink(tmp_path, tmp_path / "dir" / "up")
    statuses = {name: read_submission(tmp_path, Submission(tuple(name.split("/"))), limit=1500)[1]
                for name in ("good.ipynb", "big.ipynb", "half.ipynb", "latin.ipynb", "zero.ipynb",
                             "stdin.ipynb", "link.ipynb", "fifo.ipynb", "dir/up/good.ipynb", "none.ipynb")}
    assert statuses == {"good.ipynb": "", "big.ipynb": "too-large", "half.ipynb": "truncated",
                        "latin.ipynb": "not-a-notebook", "zero.ipynb": "symlink", "stdin.ipynb": "symlink",
                        "link.ipynb": "symlink", "fifo.ipynb": "not-a-regular-file",
                        "dir/up/good.ipynb": "symlink", "none.ipynb": "missing"}


def test_a_notebook_nbval_runs_is_graded_though_its_metadata_breaks_the_schema():
    nb = json.loads((NOTEBOOKS / f"{FIRST}.ipynb").read_text(encoding="utf-8"))

    def status(change) -> str:
        changed = json.loads(json.dumps(nb))
        change(changed)
        return notebook_status(json.dumps(changed).encode())[1] or "ok"

    assert status(lambda d: None) == "ok"
    # typed in JupyterLab's metadata editor, or saved by another tool: nbval runs these notebooks
    assert status(lambda d: d["cells"][4]["metadata"].update(tags="nbval-ignore-output")) == "ok"
    assert status(lambda d: d["cells"][4]["metadata"].update(tags=["x", "x"], collapsed="true")) == "ok"
    assert status(lambda d: d["metadata"]["kernelspec"].pop("display_name")) == "ok"
    assert status(lambda d: d["cells"][0].update(source="x \ud83d")) == "ok"   # a lone surrogate: escaped
    # not runnable: no notebook
    assert status(lambda d: d["cells"][4].update(source=3)) == "not-a-notebook"
    assert status(lambda d: d["cells"][4].update(cell_type="weird")) == "not-a-notebook"
    assert status(lambda d: d["cells"][4].update(metadata=["tags"])) == "not-a-notebook"
    assert status(lambda d: d.update(cells={})) == "not-a-notebook"


def test_a_submission_the_grader_cannot_read_stops_only_its_own_grading(tmp_path, monkeypatch):
    for learner in ("amy", "bob"):
        (tmp_path / learner).mkdir()
        (tmp_path / learner / "01_tiny.ipynb").write_text(tiny_notebook("def double(x):\n    return 2 * x"))

    def read(folder, submission, limit):   # a fault of the grader's on amy's file, e.g. an encoding error
        if "amy" in submission.parts:
            raise UnicodeEncodeError("utf-8", "\ud83d", 0, 1, "surrogates not allowed")
        return None, "fake"

    monkeypatch.setattr(grade, "read_submission", read)
    results = {r.learner: r for r in grade.grade(tmp_path, {"01_tiny": TINY}, grade.Settings(unsafe=True))}
    assert results["amy"].status == "crashed (grader: UnicodeEncodeError)"
    assert results["bob"].status == "fake"   # graded on its own, whatever happened to amy's


def test_formulas_are_neutralised():
    texts = ("=HYPERLINK(\"x\")", "+1", "-1", "@SUM", "\tx", "\rx", "ann", "'=x", "'", "", "x'")
    assert [safe_cell(text) for text in texts] == \
        ["'=HYPERLINK(\"x\")", "'+1", "'-1", "'@SUM", "'\tx", "'\rx", "ann", "''=x", "''", "", "x'"]
    assert [unescape_cell(safe_cell(text)) for text in texts] == list(texts)
    result = Result("=cmd|' /C calc'!A0", "01_x", "ok", {"f": (1, True, "=1+1")})
    assert "'=cmd" in grades_table([result], {"01_x": ["f"]}) and "'=1+1" in results_table([result])


def test_learners_whose_escaped_names_would_collide_keep_their_own_rows(tmp_path):
    results = [Result("=carol", "01_x", "ok", {"f": (1, True, "✓ right")}),
               Result("'=carol", "01_x", "error (cell 2: ValueError)", {"f": (1, False, "'=wrong")}),
               Result("carol", "01_x", "ok", {"f": (1, True, "-1 is right")})]
    rows = list(csv.DictReader(grades_table(results, {"01_x": ["f"]}).splitlines()))
    assert {row["learner"]: (row["01_x:f"], row["score"]) for row in rows} == {
        "'=carol": ("1", "1"), "''=carol": ("0", "0"), "carol": ("1", "1")}
    write_tables(results, {"01_x": ["f"]}, tmp_path / "one" / "grades.csv")
    (tmp_path / "shards").mkdir()
    for k, result in enumerate(results):                  # as --shard runs would write them
        (tmp_path / "shards" / f"{k}.csv").write_text(results_table([result]), encoding="utf-8")
    read = read_results(sorted((tmp_path / "shards").iterdir()))
    assert sorted((r.learner, r.status, r.verdicts) for r in read) == \
        sorted((r.learner, r.status, r.verdicts) for r in results)
    write_tables(read, {"01_x": ["f"]}, tmp_path / "merged" / "grades.csv")
    for table in ("grades.csv", "feedback.csv"):
        assert (tmp_path / "one" / table).read_text() == (tmp_path / "merged" / table).read_text()


def test_tables_are_replaced_atomically_and_never_written_through_a_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "grades.csv"
    os.symlink(victim, out)
    write_atomically(out, "learner\n")
    assert victim.read_text() == "keep me" and not out.is_symlink() and out.read_text() == "learner\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "victim.txt"]


def test_shards_partition_the_pairs():
    pairs = [(f"l{i}", f"0{j}_x") for i in range(40) for j in range(3)]
    shards = [select_shard(pairs, (k, 3)) for k in range(3)]
    assert sorted(p for shard in shards for p in shard) == sorted(pairs) and all(shards)
    assert select_shard(pairs[:10], (1, 3)) == [p for p in shards[1] if p in pairs[:10]]


# --- a tiny book, for fast tests of the machinery --------------------------------------------------
TINY = Book("01_tiny")


@TINY.exercise(1, "double")
def double(learner) -> str:
    f = learner.function("double")
    if f(21) != 42:
        raise Fail("double(21) is not 42")
    return "doubles"


def tiny_notebook(source: str) -> str:
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]))


@pytest.mark.parametrize("jobs, limit", [(2, "timeout (cell 0)"), (2, "memory (cell 3)"),
                                         (2, "crashed (cell 1)"), (1, "timeout (cell 0)")])
def test_a_notebook_that_hit_a_limit_beside_others_is_graded_again_alone(tmp_path, monkeypatch, jobs, limit):
    for learner in ("amy", "bob"):
        (tmp_path / learner).mkdir()
        (tmp_path / learner / "01_tiny.ipynb").write_text(tiny_notebook("def double(x):\n    return 2 * x"))
    calls = []

    def grade_one(folder, learner, book, submission, settings):   # a classmate took amy's cores or memory
        calls.append(learner)
        hit = learner == "amy" and calls.count("amy") == 1
        return Result(learner, book.notebook, limit if hit else "ok", {"double": (1, not hit, "")},
                      hit_a_limit=hit)

    monkeypatch.setattr(grade, "grade_one", grade_one)
    results = {r.learner: r for r in grade.grade(tmp_path, {"01_tiny": TINY}, grade.Settings(unsafe=True),
                                                 jobs=jobs)}
    alone_already = jobs == 1
    assert sorted(calls) == (["amy", "bob"] if alone_already else ["amy", "amy", "bob"])
    assert results["bob"].status == "ok"
    assert results["amy"].status == (limit if alone_already else "ok")
    assert results["amy"].first_try == ("" if alone_already else limit) and results["bob"].first_try == ""


@pytest.mark.slow
@needs_bwrap
def test_three_shards_merged_equal_one_run(tmp_path, monkeypatch):
    monkeypatch.setattr(grade, "books", lambda: {"01_tiny": TINY})
    folder = tmp_path / "class"
    folder.mkdir()
    for number in range(7):
        answer = "2 * x" if number % 3 else "x + 1"
        source = tiny_notebook(f"def double(x):\n    return {answer}")
        (folder / f"=learner{number}__01_tiny.ipynb").write_text(source)
    (folder / "nobody__01_tiny.ipynb").write_text("not json")
    (folder / "=carol__01_tiny.ipynb").write_text(tiny_notebook("def double(x):\n    return 2 * x"))
    (folder / "'=carol__01_tiny.ipynb").write_text(tiny_notebook("def double(x):\n    return x"))
    common = ["--jobs", "2", "--timeout", "30"]
    assert grade.main([str(folder), "--out", str(tmp_path / "one" / "grades.csv"), *common]) == 0
    for k in range(3):
        out = tmp_path / f"shard{k}.csv"
        assert grade.main([str(folder), "--shard", f"{k}/3", "--out", str(out), *common]) == 0
    shards = [str(tmp_path / f"shard{k}.csv") for k in range(3)]
    assert grade.main(["merge", *shards, "--out", str(tmp_path / "merged" / "grades.csv")]) == 0
    for table in ("grades.csv", "feedback.csv"):
        assert (tmp_path / "one" / table).read_text() == (tmp_path / "merged" / table).read_text()
    rows = read_rows(tmp_path / "one" / "grades.csv")
    assert rows["'=learner1"]["01_tiny:double"] == "1" and rows["'=learner0"]["01_tiny:double"] == "0"
    assert rows["nobody"]["01_tiny:status"] == "not-a-notebook" and rows["nobody"]["sandbox"] == "bwrap"
    assert rows["'=carol"]["01_tiny:double"] == "1" and rows["''=carol"]["01_tiny:double"] == "0"
    assert len(read_results([tmp_path / "one" / "feedback.csv"])) == 10


@pytest.mark.slow
@needs_bwrap
def test_two_files_for_one_notebook_grade_neither(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(grade, "books", lambda: {"01_tiny": TINY})
    folder = tmp_path / "class"
    right, wrong = "def double(x):\n    return 2 * x", "def double(x):\n    return x"
    (folder / "alice").mkdir(parents=True)
    (folder / "alice" / "01_tiny.ipynb").write_text(tiny_notebook(right))
    (folder / "alice__01_tiny.ipynb").write_text(tiny_notebook(wrong))
    (folder / "bob__01_tiny.ipynb").write_text(tiny_notebook(right))
    (folder / "bob__01_tiny-Copy1.ipynb").write_text(tiny_notebook(wrong))    # a copy beside it: not graded
    (folder / "cleo").mkdir()
    (folder / "cleo" / "01_tiny (1).ipynb").write_text(tiny_notebook(right))  # a second download's name
    out = tmp_path / "grades.csv"
    assert grade.main([str(folder), "--out", str(out), "--jobs", "2", "--timeout", "30"]) == 0
    rows = read_rows(out)
    assert rows["alice"]["01_tiny:status"] == "ambiguous" and rows["alice"]["01_tiny:double"] == "0"
    assert rows["bob"]["01_tiny:status"] == "ok" and rows["bob"]["01_tiny:double"] == "1"
    assert rows["cleo"]["01_tiny:status"] == "ok" and rows["cleo"]["01_tiny:double"] == "1"
    printed = capsys.readouterr().out
    assert ("cleo/01_tiny: graded from cleo/01_tiny (1).ipynb, a copy's name (the notebook is 01_tiny.ipynb)"
            in printed)
    assert "bob/01_tiny: copies not graded: bob__01_tiny-Copy1.ipynb" in printed
    verdict = {r.learner: r for r in read_results([tmp_path / "feedback.csv"])}["alice"].verdicts["double"][2]
    assert "two files for this notebook: alice/01_tiny.ipynb and alice__01_tiny.ipynb: keep one" in verdict


@needs_bwrap
def test_a_call_that_never_returns_costs_only_its_own_exercise(tmp_path, monkeypatch):
    """The grader interrupts it, as the stop button would, and goes on; one that swallows the interrupt
    stops the notebook there, and the exercises after it say so."""
    monkeypatch.setattr(grade, "books", lambda: {FIRST: BOOKS[FIRST]})
    solution = nbformat.read(NOTEBOOKS / f"{FIRST}.ipynb", as_version=4)
    hangs = {"spins": ("sigmoid", HANG), "stubborn": ("sigmoid_derivative", STUBBORN)}
    for learner, (exercise, body) in hangs.items():
        nb = nbformat.from_dict(solution)
        answer = nb.cells[check_cells(nb)[exercise] - 1]
        answer.source = f"def {exercise}(z):\n" + "".join(f"    {line}\n" for line in body.splitlines())
        (tmp_path / learner).mkdir()
        nbformat.write(nb, tmp_path / learner / f"{FIRST}.ipynb")
    out = tmp_path / "out" / "grades.csv"
    assert grade.main([str(tmp_path), "--out", str(out), "--jobs", "2", "--call-timeout", "3"]) == 0
    rows = read_rows(out)
    verdicts = {r.learner: r.verdicts for r in read_results([out.with_name("feedback.csv")])}
    exercises = ("sigmoid", "sigmoid_derivative", "init_xavier")
    scores = {learner: [rows[learner][f"{FIRST}:{e}"] for e in exercises] for learner in hangs}
    assert scores == {"spins": ["0", "1", "1"], "stubborn": ["1", "0", "0"]}
    assert rows["spins"][f"{FIRST}:status"] == "ok"
    assert "your code did not finish on sigmoid(" in verdicts["spins"]["sigmoid"][2]
    assert "it ran for more than 3 s and was stopped" in verdicts["spins"]["sigmoid"][2]
    assert rows["stubborn"][f"{FIRST}:status"] == "timeout"
    assert "did not stop when interrupted" in verdicts["stubborn"]["sigmoid_derivative"][2]
    stopped = "not graded: the grader stopped this notebook at an earlier call"
    assert stopped in verdicts["stubborn"]["init_xavier"][2]


def test_a_hostile_runner_naming_no_exercise_of_this_notebook_earns_nothing():
    """Check frames naming no exercise of this notebook (a list, a number, another name) are ignored."""
    class Channel:   # what a runner that does not follow the protocol could send
        frames = [{"kind": "check", "exercise": odd} for odd in (["sigmoid"], {"a": 1}, 3, None, "nope")]
        frames.append({"kind": "ready", "status": "ok"})
        sent: list = []

        def receive(self, timeout):
            return self.frames.pop(0), []

        def send(self, message, timeout):
            self.sent.append(message)

    class Learner:
        call_timeout, dead = 1.0, None

    channel = Channel()
    assert grade.follow_the_run(channel, BOOKS[FIRST], Learner(), 10.0) == ("ok", {})
    assert len(channel.sent) == 5   # each pause was answered "continue"


def test_without_libseccomp_there_is_no_sandbox(monkeypatch):
    # The seccomp filter is part of the sandbox's promise (no memfd, no System V memory): without it, none.
    monkeypatch.setitem(sys.modules, "pyseccomp", None)        # import pyseccomp now raises ImportError
    assert grade.sandbox.seccomp_available() is False and grade.sandbox.bwrap_available() is False


def test_without_bwrap_the_grader_refuses_unless_told_to_run_unsafely(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(grade.sandbox, "bwrap_available", lambda: False)
    monkeypatch.setattr(grade, "books", lambda: {"01_tiny": TINY})
    (tmp_path / "ann__01_tiny.ipynb").write_text(tiny_notebook("def double(x):\n    return 2 * x"))
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path), "--out", str(tmp_path / "grades.csv")])
    assert "bubblewrap" in capsys.readouterr().err and not (tmp_path / "grades.csv").exists()
    assert grade.main([str(tmp_path), "--out", str(tmp_path / "grades.csv"), "--unsafe-no-sandbox"]) == 0
    assert "WITHOUT a sandbox" in capsys.readouterr().out
    row = read_rows(tmp_path / "grades.csv")["ann"]
    assert row["01_tiny:double"] == "1" and row["sandbox"] == "NONE"


@pytest.mark.slow
@needs_bwrap
def test_grading_a_class_produces_exactly_the_expected_table(tmp_path, capsys):
    folder = tmp_path / "submissions"
    folder.mkdir()
    expected = make_submissions(folder)
    submitted = [key for key, (status, _) in expected.items() if status != "missing"]
    assert len(submitted) >= 45
    out = tmp_path / "grades.csv"
    start = time.monotonic()
    args = [str(folder), "--out", str(out), "--jobs", "2", "--timeout", "240"]   # 08 runs long under load
    assert grade.main(args) == 0
    wall = time.monotonic() - start
    printed = capsys.readouterr().out
    rows = read_rows(out)
    for (learner, name), (status, passed) in expected.items():
        row = rows[learner]
        if status is not None:    # None: whatever the run reports (e.g. a check cell of the file raising)
            assert row[f"{name}:status"] == status, (learner, name)
        assert {ex: int(row[f"{name}:{ex}"]) for ex in GRADED[name]} == passed, (learner, name)
    assert set(rows) == {learner for learner, _ in expected}
    feedback = read_results([tmp_path / "feedback.csv"])
    assert all(r.verdicts for r in feedback) and "score per learner" in printed
    report("grading", f"graded {len(submitted)} submissions ({len(rows)} learners) in {wall:.1f} s "
                      f"= {wall / len(submitted):.2f} s per submission (--jobs 2)")


# --- graded where the check cell stands, as nbval checks ---------------------------------------------------
SIGMOID_SLIP = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))"   # a sign slip the check catches
FIRST = "01_neurons_and_initialisation"
SWALLOWED = "try:\n    checks.sigmoid()\nexcept Exception:\n    pass"   # a check whose failure nobody sees
BROKEN_AFTER = "try:\n    checks.sigmoid()\nfinally:\n    sigmoid = np.tanh"   # right at its check
FALLBACK = "try:\n    checks.sigmoid()\nexcept Exception:\n    from nnlib.activations import sigmoid"
HOOK = ("def fix(*args):\n    global sigmoid\n    from nnlib.activations import sigmoid\n"
        "get_ipython().events.register('post_run_cell', fix)\nchecks.sigmoid()")   # fixes it after each cell


def redefined_notebooks() -> dict[str, tuple[nbformat.NotebookNode, int]]:
    """{learner: (notebook 01, the sigmoid score it must get)}: functions redefined after their check cell,
    a check cell run twice, a check cell removed."""
    solution = nbformat.read(NOTEBOOKS / f"{FIRST}.ipynb", as_version=4)
    check = check_cells(solution)["sigmoid"]
    right = solution.cells[check - 1].source
    assert right.startswith("def sigmoid(") and solution.cells[check].source == "checks.sigmoid()"

    def edited(replace_answer: str | None = None, append: tuple[str, ...] = (), drop_check: bool = False,
               check_cell: str | None = None, tags: tuple[str, ...] = (), skipped: str | None = None,
               stale_output: bool = False):
        nb = nbformat.from_dict(solution)
        if replace_answer is not None:
            nb.cells[check - 1].source = replace_answer
        if check_cell is not None:
            nb.cells[check].source = check_cell
        if tags:   # nbval's markers, as JupyterLab's property inspector adds them
            nb.cells[check].metadata["tags"] = list(tags)
        if stale_output:   # a saved ✓ from an earlier run, on a cell whose run count was cleared
            nb.cells[check].execution_count = None
            nb.cells[check].outputs = [nbformat.v4.new_output("stream", name="stdout", text="✓ Exercise 1\n")]
            nb.cells[check].metadata["tags"] = ["nbval-check-output"]
        if skipped is not None:   # a cell nbval skips, just before the check
            nb.cells.insert(check, nbformat.v4.new_code_cell(skipped, metadata={"tags": ["nbval-skip"]}))
        nb.cells += [nbformat.v4.new_code_cell(source) for source in append]
        if drop_check:
            del nb.cells[check]
        return nb

    merged = f"{right}\n\nchecks.sigmoid()"   # the answer and its check in one cell
    return {
        "broken_after": (edited(append=(SIGMOID_SLIP,)), 1),       # right at its check, broken at the end
        "fixed_after": (edited(SIGMOID_SLIP, append=(right,)), 0),  # wrong at its check, right at the end
        "checked_twice": (edited(append=(SIGMOID_SLIP, "checks.sigmoid()")), 0),
        "check_removed": (edited(drop_check=True), 1),              # graded after the last cell
        "commented_check": (edited(SIGMOID_SLIP, append=(right,), check_cell="checks.sigmoid()  # done"), 0),
        "semicolon_check": (edited(append=(SIGMOID_SLIP,), check_cell="\nchecks.sigmoid();"), 1),
        "merged_check": (edited(merged, append=(SIGMOID_SLIP,), drop_check=True), 1),
        # nbval's own markers, and a check that cannot fail, must not let the self-check pass a wrong answer
        "skip_tag": (edited(SIGMOID_SLIP, tags=("nbval-skip",)), 0),
        "raises_tag": (edited(SIGMOID_SLIP, tags=("raises-exception",)), 0),
        "raises_tag_right": (edited(tags=("raises-exception",)), 1),
        "skip_comment": (edited(SIGMOID_SLIP, check_cell="# NBVAL_SKIP\nchecks.sigmoid()"), 0),
        "raises_comment": (edited(SIGMOID_SLIP, check_cell="checks.sigmoid()\n# NBVAL_RAISES_EXCEPTION"), 0),
        "check_in_try": (edited(SIGMOID_SLIP, check_cell=SWALLOWED), 0),
        "fixed_after_try": (edited(SIGMOID_SLIP, check_cell=f"{SWALLOWED}\n{right}"), 0),
        # the check is where Python calls it: not at the end of its cell, however the call is written
        "redefined_in_check_cell": (edited(check_cell="checks.sigmoid()\nsigmoid = np.tanh  # next"), 1),
        "spaced_check": (edited(append=(SIGMOID_SLIP,), check_cell="checks.sigmoid ()"), 1),
        "spaced_check_tagged": (edited(SIGMOID_SLIP, check_cell="checks .sigmoid()",
                                       tags=("raises-exception",)), 0),
        "cell_stopped_before_check": (edited(check_cell="raise ValueError('oops')\nchecks.sigmoid()"), 0),
        # cells nbval skips are skipped by the grader too
        "skipped_slip": (edited(skipped=SIGMOID_SLIP), 1),
        "skipped_fix": (edited(SIGMOID_SLIP, skipped=right), 0),
        # code around a nested check cannot change the grade: it is checked before its statement runs
        "fallback_in_except": (edited(SIGMOID_SLIP, check_cell=FALLBACK), 0),
        "broken_in_finally": (edited(check_cell=BROKEN_AFTER), 1),
        # nothing IPython runs once per cell runs between the grader's steps; a deleted checks stops the cell
        "fixed_by_a_hook": (edited(SIGMOID_SLIP, check_cell=HOOK), 0),
        "checks_deleted": (edited(check_cell="del checks\nchecks.sigmoid()"), 0),
        "stale_saved_output": (edited(stale_output=True), 1),
    }


def test_a_cell_checks_where_python_calls_the_check():
    # a statement that is a check call, however written, is a step of its own
    for source in ("checks.sigmoid()", "checks.sigmoid ( ) ;  # done\n# NBVAL_SKIP", "checks .sigmoid()",
                   "checks.sigmoid\\\n()", "\uff43hecks.sigmoid()", "%time x = 1\nchecks.sigmoid()"):
        (code, checked), = check_plan(source)   # the code before the call (none, or the %time line)
        assert checked == ["sigmoid"] and "sigmoid" not in code, source
    merged = "def sigmoid(z):\n    return z\n\nchecks.sigmoid()\nsigmoid = np.tanh  # try tanh next"
    assert check_plan(merged) == [("def sigmoid(z):\n    return z", ["sigmoid"]), ("sigmoid = np.tanh", [])]
    one_line = "x = 'é'; checks.a(); checks.b(); y = 1"
    assert check_plan(one_line) == [("x = 'é'", ["a"]), ("", ["b"]), ("y = 1", [])]
    decorated = "@functools.cache\ndef f():\n    pass\nchecks.f()"
    assert check_plan(decorated) == [("@functools.cache\ndef f():\n    pass", ["f"])]
    # a check deeper in a statement is checked before the statement: what surrounds the call cannot change
    # the grade (an except that falls back to nnlib's function, a finally that breaks the answer)
    fallback = "try:\n    checks.sigmoid()\nexcept Exception:\n    from nnlib.activations import sigmoid"
    assert check_plan(f"x = 1\n{fallback}") == [("x = 1", ["sigmoid"]), (fallback, [])]
    in_class = "class C:\n    checks.sigmoid()"   # a class body runs where it stands
    assert check_plan(in_class) == [("", ["sigmoid"]), (in_class, [])]
    # read as IPython runs it: a pasted prompt is stripped before Python reads the cell
    pasted = "In [0]: 0\nchecks.sigmoid()\nIn [0]: sigmoid = None"
    assert check_plan(pasted) == [("0", ["sigmoid"]), ("sigmoid = None", [])]
    assert check_plan("%%capture\nchecks.sigmoid()") == [("%%capture\nchecks.sigmoid()", ["sigmoid"])]
    # not checks: code that does not call one where it stands, or that Python cannot read as one
    docstring = 'def f(z):\n    """\n    checks.sigmoid()\n    """\n    return z'
    for source in (docstring, "checks.sigmoid(1)", "def g():\n    checks.sigmoid()", "checks.sigmoid",
                   "\u00a0checks.sigmoid()", "x = 1", "x = " + "(" * 3000 + "1" + ")" * 3000 + "  # checks"):
        assert checks_in(source) == ([], True), source[:40]


def nbval_verdicts(nb: nbformat.NotebookNode, folder) -> dict[str, bool]:
    """{exercise: passed} from the learner's own `pytest --nbval-lax` run: an exercise passes when each of
    its check cells passed (exercises without a check cell are left out)."""
    from mistakes import run_nbval_cells
    passed = run_nbval_cells(nb, folder)
    code_numbers = {index: number for number, index in
                    enumerate(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")}
    verdicts: dict[str, bool] = {}
    for index, cell in enumerate(nb.cells):
        for exercise in checks_in(cell.source)[0] if cell.cell_type == "code" else []:
            verdicts[exercise] = verdicts.get(exercise, True) and passed[code_numbers[index]]
    return verdicts


@pytest.mark.slow
def test_the_self_check_fails_each_exercise_whose_check_cell_is_gone(tmp_path):
    """Turned into Markdown (the M key), Raw (R) or deleted (D D): nbval would run nothing for it and
    report every cell passed, for a wrong answer too."""
    nb = nbformat.read(NOTEBOOKS / f"{FIRST}.ipynb", as_version=4)
    where = check_cells(nb)
    nb.cells[where["sigmoid"] - 1].source = SIGMOID_SLIP
    nb.cells[where["sigmoid"]] = nbformat.v4.new_markdown_cell("checks.sigmoid()")
    nb.cells[where["sigmoid_derivative"]] = nbformat.v4.new_raw_cell("checks.sigmoid_derivative()")
    del nb.cells[where["init_xavier"]]
    nbformat.write(nb, tmp_path / f"{FIRST}.ipynb")
    (tmp_path / "none.ini").write_text("[pytest]\n")
    run = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p",
                          "no:cacheprovider", "-c", "none.ini", f"{FIRST}.ipynb"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=600, env={**os.environ, "MPLBACKEND": "Agg"})
    assert run.returncode == 1, run.stdout
    for number, name in enumerate(("sigmoid", "sigmoid_derivative", "init_xavier"), start=1):
        assert f"✗ Exercise {number} ({name}): not checked: its check cell is gone" in run.stdout
    assert "1 failed" in run.stdout   # one item for all three, after the notebook's cells


@pytest.mark.slow
@needs_bwrap
def test_each_exercise_is_graded_where_its_check_cell_stands_as_nbval_checks_it(tmp_path, monkeypatch):
    monkeypatch.setattr(grade, "books", lambda: {FIRST: BOOKS[FIRST]})
    folder, notebooks = tmp_path / "class", redefined_notebooks()
    for learner, (nb, _) in notebooks.items():
        (folder / learner).mkdir(parents=True)
        nbformat.write(nb, folder / learner / f"{FIRST}.ipynb")
    out = tmp_path / "grades.csv"
    assert grade.main([str(folder), "--out", str(out), "--jobs", "2", "--timeout", "120"]) == 0
    rows = read_rows(out)
    for learner, (nb, sigmoid_score) in notebooks.items():
        raised = {"cell_stopped_before_check": "ValueError", "checks_deleted": "NameError"}.get(learner)
        status = rows[learner][f"{FIRST}:status"]
        assert status == "ok" if raised is None else status.endswith(f": {raised})"), (learner, status)
        assert rows[learner][f"{FIRST}:sigmoid"] == str(sigmoid_score), learner
        (tmp_path / learner).mkdir()
        for exercise, passed in nbval_verdicts(nb, tmp_path / learner).items():
            assert rows[learner][f"{FIRST}:{exercise}"] == str(int(passed)), (learner, exercise)
