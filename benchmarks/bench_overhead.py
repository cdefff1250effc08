"""Where nnlib's public step spends time beyond the textbook step: ``python -m benchmarks.bench_overhead``

bench_step compares nnlib's public calls with the textbook step. At the sizes learners use, a step is about
40 NumPy calls on tiny arrays, each costing about a microsecond whatever its size, so nnlib's extra time is
made of calls, not of arithmetic. This benchmark finds which calls, by taking nnlib's parts away one at a
time, in one run (the same round-robin timing as bench_step, best of the repeats):
  textbook          notebook 03/04's step, one NumPy line per formula (bench_step.textbook_step)
  nnlib             net.loss_and_grads(X, y) + SGD(lr).step(net.params, grads), as a learner calls them
  no checks         net._loss_and_grads(X, Y), the unchecked computation train() uses, + W -= lr * g
  no errstate       the same, with sigmoid's np.errstate(over="ignore") taken out (restored afterwards)
  checks' floor     the unchecked step with the public calls' checks at their cheapest: inlined in one
                    function, one NumPy call per array (two for y's range), no messages
The differences are what the argument checks, the errstate and the rest (function calls, caches, the
clamped logs of the loss) cost; "checks' floor" shows how far checks that look at every array on every
call can shrink (the "floor/textbook" ratio). Nothing is asserted; all five compute the same weights. The
process keeps freed memory, as bench_step's do (benchmarks/allocator.py).
"""

from __future__ import annotations

import argparse
import math

import numpy as np

from benchmarks.allocator import keep_freed_memory
from benchmarks.bench_step import CASES, LR, make_case, network, nnlib_step, textbook_step, time_steps
from nnlib import activations


def unchecked_step(X, Y, params):
    """nnlib's computation without the public calls' argument checks: what train() runs once it checked."""
    net = network(params["b1"].size, params)

    def step():
        _, grads, _ = net._loss_and_grads(X, Y)
        for name, W in net.params.items():
            W -= LR * grads[name]
    return step, lambda: net.params


def floor_checks_step(X, Y, params):
    """The unchecked step with every check the public calls make, at its cheapest: the same questions (X a
    finite float64 (N, n_0); y in [0, 1] with one row per sample; every parameter a finite float array of its
    shape; a finite loss; gradients with the keys and shapes of the parameters, finite; writeable
    parameters), asked inline with one NumPy call per array and a bare ValueError for an answer."""
    net = network(params["b1"].size, params)
    n_inputs, shapes = net.layer_sizes[0], net._shapes

    def finite_float64(A, shape) -> bool:
        return (type(A) is np.ndarray and A.dtype == np.float64 and A.shape == shape
                and math.isfinite(np.vdot(A, A)))

    def step():
        P, N = net.params, len(X)
        if not (N and finite_float64(X, (N, n_inputs)) and finite_float64(Y, (N, 1))
                and Y.min() >= 0.0 and Y.max() <= 1.0
                and all(finite_float64(P.get(name), shape) for name, shape in shapes.items())):
            raise ValueError("a check of loss_and_grads failed")
        loss, grads, _ = net._loss_and_grads(X, Y)
        if not (math.isfinite(loss) and grads.keys() == P.keys() and all(
                W.flags.writeable and finite_float64(grads[name], W.shape) for name, W in P.items())):
            raise ValueError("a check of the step failed")
        for name, W in P.items():
            W -= LR * grads[name]
    return step, lambda: net.params


def sigmoid_without_errstate(Z: np.ndarray) -> np.ndarray:
    """nnlib's sigmoid without its np.errstate (it would warn for Z < -709; the benchmark's Z are small)."""
    return 1.0 / (1.0 + np.exp(-Z))


def time_parts(n: int, hidden: int, quick: bool) -> dict[str, float]:
    """µs per step of the four variants, timed together (round robin)."""
    X, Y, params = make_case(n, hidden)
    plain = unchecked_step(X, Y, params)[0]

    original = activations.ACTIVATIONS["sigmoid"]
    swapped = (sigmoid_without_errstate, original[1])

    def without_errstate():  # two dict stores around the step: a few hundredths of a µs
        activations.ACTIVATIONS["sigmoid"] = swapped
        try:
            plain()
        finally:
            activations.ACTIVATIONS["sigmoid"] = original

    steps = {"textbook": textbook_step(X, Y, params)[0], "nnlib": nnlib_step(X, Y, params)[0],
             "no checks": unchecked_step(X, Y, params)[0], "no errstate": without_errstate,
             "checks' floor": floor_checks_step(X, Y, params)[0]}
    return time_steps(steps, quick)


def report(case: str, times: dict[str, float]) -> str:
    """One line: each variant's time, and what each part of nnlib costs, in µs per step."""
    parts = {"argument checks": times["nnlib"] - times["no checks"],
             "np.errstate": times["no checks"] - times["no errstate"],
             "the rest": times["no errstate"] - times["textbook"]}
    fields = [case] + [f"{name} {value:.1f} µs" for name, value in times.items()]
    fields.append(f"nnlib/textbook {times['nnlib'] / times['textbook']:.2f}")
    fields += [f"{name} {value:+.1f} µs" for name, value in parts.items()]
    if "checks' floor" in times:
        floor = times["checks' floor"]
        fields.append(f"floor/textbook {floor / times['textbook']:.2f}")
    return " | ".join(fields)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_overhead",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short repeat per figure (for tests)")
    quick = parser.parse_args(argv).quick
    print("Where nnlib's public step spends time beyond the textbook step (µs per step, best of the repeats)")
    print(f"memory: {keep_freed_memory()}", flush=True)  # as bench_step times them
    for case, n, hidden, *_ in CASES[:2]:  # XOR and moons: the sizes where calls, not arithmetic, cost
        print(report(case, time_parts(n, hidden, quick)), flush=True)


if __name__ == "__main__":
    main()
