"""Tests for nnlib.bench: the table is printed, and the compared implementations compute the same step.

No timing is asserted: the figures depend on the machine and its load.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlib import bench

ROOT = Path(__file__).resolve().parent.parent


def test_quick_bench_prints_a_row_for_every_size():
    result = subprocess.run([sys.executable, "-m", "nnlib.bench", "--quick"], cwd=ROOT, capture_output=True,
                            text=True, timeout=300, check=True)
    lines = result.stdout.splitlines()
    assert f"NumPy {np.__version__}" in result.stdout and "usable cores" in result.stdout
    assert "nnlib" in lines[2] and "numpy" in lines[2] and "python" in lines[2] and "torch" in lines[2]
    for case, n, hidden, *_ in bench.CASES:
        row = next(line for line in lines if line.startswith(case + " "))
        fields = row.split()
        assert fields[1] == str(n) and fields[2] == f"2-{hidden}-1"
        assert float(fields[3]) > 0 and float(fields[4]) > 0            # nnlib and numpy µs per step
        assert ("<= 15 µs" in row) == (case == "XOR")
    assert sum(line.startswith("check (") for line in lines) == 2
    assert result.stderr == ""


@pytest.mark.parametrize("n, hidden", [(4, 4), (40, 16)])
def test_reference_steps_compute_the_same_weights_as_nnlib(n, hidden):
    differences = bench.check_agreement(n, hidden, ["numpy", "python"], steps=5)
    assert differences["numpy"] < 1e-12 and differences["python"] < 1e-12


def test_the_steps_really_change_the_weights():
    X, Y, params = bench.make_case(40, 8)
    for name in ("nnlib", "numpy", "python"):
        step, read = bench.IMPLEMENTATIONS[name](X, Y, params)
        step()
        after = read()
        assert all(not np.array_equal(np.asarray(after[key]), params[key]) for key in params), name


def test_agreement_check_detects_a_different_step(monkeypatch):
    monkeypatch.setattr(bench, "LR", 0.1001)                  # numpy and python now use another lr...
    original = bench.SGD
    monkeypatch.setattr(bench, "SGD", lambda lr: original(lr=0.1))   # ...than nnlib
    differences = bench.check_agreement(4, 4, ["numpy", "python"])
    assert differences["numpy"] > 1e-6 and differences["python"] > 1e-6


def test_verdict_says_met_or_missed():
    # XOR: goal 15 µs on a machine whose plain NumPy step took 21 µs; here numpy took 42 -> scaled goal 30 µs
    fast, slow_here = {"nnlib": 10.0, "numpy": 42.0}, {"nnlib": 20.0, "numpy": 42.0}
    assert bench.verdict("XOR", fast, 0.3, 15.0, 0.5) == \
        "<= 15 µs: met (scaled to this machine: <= 30.0 µs: met); ratio <= 0.5: met"
    assert bench.verdict("XOR", slow_here, 0.3, 15.0, 0.5).startswith("<= 15 µs: MISSED (scaled to this "
                                                                       "machine: <= 30.0 µs: met)")
    assert bench.verdict("XOR", {"nnlib": 40.0, "numpy": 21.0}, 0.3, 15.0, 0.5).count("MISSED") == 2
    assert bench.verdict("XOR", fast, 0.6, 15.0, 0.5).endswith("ratio <= 0.5: MISSED")
    assert bench.verdict("10k", fast, None, None, 1.0) == "ratio <= 1: not measured (no torch)"


