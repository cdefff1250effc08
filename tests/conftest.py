"""Shared pytest set-up: the end-of-run summary of measured figures (see reporting.py)."""

import shutil

from reporting import REPORTS


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controlling process, not an xdist worker
        shutil.rmtree(REPORTS, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    files = sorted(REPORTS.glob("*.txt")) if REPORTS.exists() else []
    if files:
        terminalreporter.section("measured figures")
        for path in files:
            for line in path.read_text().splitlines():
                terminalreporter.write_line(f"{path.stem}: {line}")
