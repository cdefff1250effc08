"""Shared pytest set-up: the end-of-run summary of measured figures (see reporting.py)."""

import shutil

from hypothesis import settings
from reporting import REPORTS

# Property tests: the same examples on every run (the project's rule: deterministic), and no per-example
# deadline, which a shared 2-core CI machine would turn into random failures.
settings.register_profile("nnfs", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("nnfs")


def pytest_configure(config):
    # Clear last run's figures once, in the controlling process, before any xdist worker starts writing.
    if not hasattr(config, "workerinput"):
        shutil.rmtree(REPORTS, ignore_errors=True)


def pytest_terminal_summary(terminalreporter):
    files = sorted(REPORTS.glob("*.txt")) if REPORTS.exists() else []
    if files:
        terminalreporter.section("measured figures")
        for path in files:
            for line in path.read_text().splitlines():
                terminalreporter.write_line(f"{path.stem}: {line}")
