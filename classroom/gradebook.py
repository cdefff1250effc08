"""The grader's tables: ``grades.csv`` (learner x exercise), the verdicts, shards and their merge.

- a *results* table, one row per (learner, notebook, exercise): ``learner, notebook, exercise, number,
  passed, status, sandbox, verdict``. The grader writes it as ``feedback.csv`` beside ``grades.csv`` (the
  verdict texts, for the teacher); a ``--shard K/N`` run writes only this table, and ``merge`` joins shards
  into ``grades.csv`` + ``feedback.csv``, exactly as one run would have written them.
- ``grades.csv``, one row per learner: a ``notebook:exercise`` column of 1/0 per exercise, a
  ``notebook:status`` column per notebook, ``score``, ``max`` and ``sandbox`` (``bwrap``, or ``NONE`` after
  ``--unsafe-no-sandbox``).

Every table is written atomically (a temporary file in the target folder, then ``os.replace``); replacing a
symlink at the target replaces the link itself, never the file it points to. Text cells that a spreadsheet
would read as a formula (starting with ``= + - @``, tab or CR) get a leading ``'``, and so do cells that
already start with ``'``: the escaping is one-to-one (``=carol`` and ``'=carol`` stay two learners, in two
rows) and ``unescape_cell`` (drop one leading ``'``) undoes it when a results table is read back.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

RESULT_FIELDS = ["learner", "notebook", "exercise", "number", "passed", "status", "sandbox", "verdict"]


@dataclass
class Result:
    """One (learner, notebook): its status and, per exercise, (number, passed, verdict text)."""
    learner: str
    notebook: str
    status: str
    verdicts: dict[str, tuple[int, bool, str]] = field(default_factory=dict)
    sandbox: str = "bwrap"
    seconds: float = 0.0
    hit_a_limit: bool = False   # time, memory or a killed kernel: maybe a classmate's doing (not stored)
    first_try: str = ""         # the status of its first run, when graded again alone (not stored)
    files: str = ""             # what the teacher should know of its files: graded from a copy… (not stored)

    @property
    def passed(self) -> dict[str, int]:
        return {exercise: int(passed) for exercise, (_, passed, _) in self.verdicts.items()}


def safe_cell(text: str) -> str:
    """Neutralise a spreadsheet formula: ``=HYPERLINK(…)`` becomes ``'=HYPERLINK(…)`` (and ``'x`` ``''x``)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "'") else text


def unescape_cell(text: str) -> str:
    """The text ``safe_cell`` was given: ``unescape_cell(safe_cell(text)) == text``."""
    return text[1:] if text[:1] == "'" else text


def select_shard(pairs: list[tuple[str, str]], shard: tuple[int, int]) -> list[tuple[str, str]]:
    """Shard K of N (K from 0): the pairs whose stable hash of ``learner/notebook`` is K modulo N.

    A hash (not the position in the list) keeps each pair in the same shard whoever else submitted."""
    index, count = shard
    return [pair for pair in pairs if zlib.crc32("/".join(pair).encode()) % count == index]


def parse_shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    index, count = int(index), int(count)
    if not 0 <= index < count:
        raise ValueError(f"shard {text}: expected K/N with 0 <= K < N")
    return index, count


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a new file beside ``path`` and rename it over ``path`` (a link there is replaced)."""
    path = Path(os.path.abspath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(handle, 0o666 & ~umask)     # mkstemp makes it private; give it an ordinary file's rights
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def results_table(results: list[Result]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RESULT_FIELDS)
    writer.writeheader()
    for result in sorted(results, key=lambda r: (r.learner, r.notebook)):
        for exercise, (number, passed, text) in result.verdicts.items():
            writer.writerow({"learner": safe_cell(result.learner), "notebook": result.notebook,
                             "exercise": exercise, "number": number, "passed": int(passed),
                             "status": safe_cell(result.status), "sandbox": result.sandbox,
                             "verdict": safe_cell(text)})
    return buffer.getvalue()


def read_results(paths: list[Path]) -> list[Result]:
    """The results of one or more results tables (shards), as ``Result`` objects (cells unescaped)."""
    found: dict[tuple[str, str], Result] = {}
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                key = (unescape_cell(row["learner"]), row["notebook"])
                status = unescape_cell(row["status"])
                result = found.setdefault(key, Result(*key, status, sandbox=row["sandbox"]))
                result.verdicts[row["exercise"]] = (int(row["number"]), row["passed"] == "1",
                                                    unescape_cell(row["verdict"]))
    return list(found.values())


def grades_table(results: list[Result], exercises: dict[str, list[str]]) -> str:
    """One row per learner; ``exercises`` = {notebook: [exercise ids]} fixes the columns."""
    columns = [f"{nb}:{ex}" for nb, names in exercises.items() for ex in names]
    header = ["learner", *columns, *(f"{nb}:status" for nb in exercises), "score", "max", "sandbox"]
    rows: dict[str, dict] = {}
    for result in sorted(results, key=lambda r: (r.learner, r.notebook)):     # one row per raw name
        row = rows.setdefault(result.learner, {"learner": safe_cell(result.learner), "sandbox": ""})
        row.update({f"{result.notebook}:{ex}": value for ex, value in result.passed.items()})
        row[f"{result.notebook}:status"] = safe_cell(result.status)
        row["sandbox"] = "NONE" if "NONE" in (row["sandbox"], result.sandbox) else result.sandbox
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="")
    writer.writeheader()
    for row in rows.values():
        row["score"], row["max"] = sum(int(row.get(col) or 0) for col in columns), len(columns)
        writer.writerow(row)
    return buffer.getvalue()


def write_tables(results: list[Result], exercises: dict[str, list[str]], out: Path) -> Path:
    """``out`` (grades) and ``feedback.csv`` beside it (verdicts); returns the feedback path."""
    feedback = Path(out).with_name("feedback.csv")
    write_atomically(feedback, results_table(results))
    write_atomically(Path(out), grades_table(results, exercises))
    return feedback


def summary(results: list[Result], exercises: dict[str, list[str]]) -> str:
    lines = ["pass rate per exercise:"]
    for nb, names in exercises.items():
        mine = [r for r in results if r.notebook == nb]
        for ex in names:
            rate = sum(r.passed.get(ex, 0) for r in mine) / max(1, len(mine))
            lines.append(f"  {nb}:{ex:<24} {rate:6.0%}")
    lines.append("score per learner:")
    total = sum(len(names) for names in exercises.values())
    for learner in sorted({r.learner for r in results}):
        mine = [r for r in results if r.learner == learner]
        problems = ", ".join(f"{r.notebook} {r.status}" for r in mine if r.status != "ok")
        points = sum(sum(r.passed.values()) for r in mine)
        shown = "".join(c if c.isprintable() else "?" for c in learner)[:20]   # no terminal escapes
        lines.append(f"  {shown:<20} {points:3d}/{total}" + (f"   ({problems})" if problems else ""))
    if any(r.sandbox == "NONE" for r in results):
        lines.append("WARNING: graded WITHOUT a sandbox (--unsafe-no-sandbox): the learners' code ran with "
                     "your rights and could have changed these grades")
    return "\n".join(lines)
