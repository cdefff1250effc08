"""Tests for benchmarks/bench_overhead.py: its variants compute nnlib's step, and it leaves nnlib as it was.
No timing is asserted."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks import bench_overhead, bench_step
from nnlib import activations

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("variant", [bench_overhead.unchecked_step, bench_overhead.floor_checks_step])
def test_the_unchecked_step_and_the_checks_floor_compute_nnlibs_weights(variant):
    X, Y, params = bench_step.make_case(40, 8)
    (public, read_public), (other, read_other) = (
        make(X, Y, params) for make in (bench_step.nnlib_step, variant))
    for _ in range(5):
        public()
        other()
    for name, W in read_public().items():
        assert np.array_equal(W, read_other()[name]) and not np.array_equal(W, params[name]), name


def test_the_sigmoid_without_errstate_is_the_sigmoid():
    Z = np.linspace(-30, 30, 61)
    assert np.array_equal(bench_overhead.sigmoid_without_errstate(Z), activations.sigmoid(Z))


def test_timing_leaves_nnlibs_sigmoid_in_place():
    original = activations.ACTIVATIONS["sigmoid"]
    times = bench_overhead.time_parts(4, 4, quick=True)
    assert activations.ACTIVATIONS["sigmoid"] is original
    assert set(times) == {"textbook", "nnlib", "no checks", "no errstate", "checks' floor"}
    assert min(times.values()) > 0


def test_the_report_is_one_line_per_case_with_each_parts_cost():
    result = subprocess.run([sys.executable, "-m", "benchmarks.bench_overhead", "--quick"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300, check=True)
    memory, *lines = result.stdout.splitlines()[1:]
    assert memory.startswith("memory: ") and result.stderr == ""     # the policy bench_step times with too
    assert [line.split(" | ")[0] for line in lines] == ["XOR", "moons"]
    line = bench_overhead.report("XOR", {"textbook": 40.0, "nnlib": 80.0, "no checks": 58.0,
                                         "no errstate": 50.0})
    assert line.endswith("nnlib/textbook 2.00 | argument checks +22.0 µs | np.errstate +8.0 µs | "
                         "the rest +10.0 µs")


def test_the_checks_floor_really_checks():
    X, Y, params = bench_step.make_case(40, 8)
    for broken in ({"X": X.copy()}, {"Y": Y.copy()}):   # a floor that skipped a check would be no floor
        X_bad, Y_bad = broken.get("X", X), broken.get("Y", Y)
        (X_bad if "X" in broken else Y_bad)[3, 0] = np.nan
        step, read = bench_overhead.floor_checks_step(X_bad, Y_bad, params)
        try:
            step()
        except ValueError:
            assert all(np.array_equal(W, params[name]) for name, W in read().items())
        else:
            raise AssertionError(f"the floor step took a NaN in {list(broken)}")
    step, read = bench_overhead.floor_checks_step(X, Y, params)
    read()["W2"][0, 0] = np.inf
    try:
        step()
    except ValueError:
        pass
    else:
        raise AssertionError("the floor step took an inf weight")
