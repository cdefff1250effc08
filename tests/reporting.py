"""Figures that tests measure (catch rate, largest gradient error, grading wall time, ...), shown at the end
of the pytest run: each test writes a line with ``report``; ``conftest.py`` prints them all in the summary.
Files are used, not memory, because under pytest-xdist the tests run in worker processes."""

from pathlib import Path

REPORTS = Path(__file__).resolve().parents[1] / "artifacts" / "reports"


def report(topic: str, line: str) -> None:
    """Record one line under ``topic`` (a file name) for the end-of-run summary."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    with (REPORTS / f"{topic}.txt").open("a") as handle:
        handle.write(line.rstrip("\n") + "\n")
