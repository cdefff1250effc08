"""How fast is one training step? ``python -m benchmarks.bench_step [--quick] [--torch-python PYTHON]``

One step = loss and gradients + an SGD step, float64, sigmoid hidden and output units, BCE loss, the full
batch. Timed four ways, in one run, at four sizes:
  nnlib     the public calls: ``loss, grads = net.loss_and_grads(X, y)``, then
            ``SGD(lr).step(net.params, grads)`` (they check their arguments on every call);
  textbook  the learner's own step, the functions of notebooks 01, 03 and 04 as they write them (forward,
            bce, backward_bce, sgd_step; one NumPy line per formula, no checks): the goals' reference;
  inlined   the same formulas inlined in one function, one expression per layer: no calls, and NumPy
            reuses the unnamed temporaries; a second, stricter reference (no goal);
  torch     torch.nn (Linear + Sigmoid) + autograd + torch.optim.SGD, where PyTorch is importable by the
            Python given with --torch-python (default: this one). It runs in a process of its own, started
            for each size right after the others are timed, so that PyTorch's libraries and threads
            cannot touch NumPy's figures (one earlier in-process run read nnlib/textbook 2.0-2.4 at 100k
            instead of about 1.1; not reproduced since, and now ruled out).
All start from the same weights and compute the same updated weights (checked at the end). Times are
the best of several repeats, in µs, with the same memory policy in every process: glibc's malloc keeps
freed memory (benchmarks/allocator.py says why; --default-malloc times glibc's default). "faults/step"
counts the page faults of one step of each NumPy version (fresh memory the kernel maps and zeroes, which
large temporary arrays cost on top of their arithmetic). Every row is one line of fields separated by
" | ", so that figures never run together however large they are; the goals are reported, never asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import timeit
from pathlib import Path

try:
    import resource  # Unix only: page-fault counts
except ImportError:
    resource = None

import numpy as np

from benchmarks.allocator import DEFAULT, keep_freed_memory
from nnlib.data import moons, xor
from nnlib.network import MLP
from nnlib.optim import SGD

LR = 0.1
# (name, number of points, hidden units, goal for nnlib / textbook, goal for nnlib / torch or None)
CASES = [("XOR", 4, 4, 1.5, 0.5), ("moons", 1_000, 16, 1.5, 0.5),
         ("10k", 10_000, 64, 1.1, None), ("100k", 100_000, 256, 1.1, None)]
SEPARATOR = " | "


def network(hidden: int, params: dict[str, np.ndarray] | None = None) -> MLP:
    """The benchmarked 2-hidden-1 sigmoid + BCE net: seed 0, or a copy of ``params`` when given."""
    net = MLP([2, hidden, 1], activation="sigmoid", output_activation="sigmoid", loss="bce", seed=0)
    if params is not None:
        net.params = {name: value.copy() for name, value in params.items()}
    return net


def make_case(n: int, hidden: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """X (n, 2), targets Y (n, 1) float64 and the starting params of a 2-hidden-1 net (seed 0)."""
    X, y = xor() if n == 4 else moons(n, noise=0.1, seed=0)
    return X, y.reshape(-1, 1).astype(np.float64), network(hidden).params


# ---- the implementations: each returns (step function, a way to read its current weights) ----

def nnlib_step(X, Y, params):
    """nnlib's public API, as a learner calls it."""
    net, optimizer = network(params["b1"].size, params), SGD(lr=LR)

    def step():
        _, grads = net.loss_and_grads(X, Y)
        optimizer.step(net.params, grads)
    return step, lambda: net.params


# The textbook step: the functions a learner writes in notebooks 01, 03 and 04, as the notebooks write them.

def sigmoid(z):
    """Notebook 01: 1 / (1 + e^-z), elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


def forward(X, params):
    """Notebook 04: the 2-H-1 sigmoid network; y_hat (N, 1) and the cache for backward."""
    Z1 = X @ params["W1"] + params["b1"]                      # (N, H)
    A1 = sigmoid(Z1)                                          # (N, H)
    y_hat = sigmoid(A1 @ params["W2"] + params["b2"])         # (N, 1)
    return y_hat, {"A1": A1, "y_hat": y_hat}


def bce(y_hat, y):
    """Notebook 03, exercise 2: binary cross-entropy averaged over all entries."""
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


def backward_bce(X, y, params, cache):
    """Notebook 03's backward with the BCE loss ("things to try" 1: only dZ2 changes)."""
    A1, y_hat = cache["A1"], cache["y_hat"]
    dZ2 = (y_hat - y) / len(y)                                # sigmoid + BCE: dL/dZ2, (N, 1)
    dZ1 = (dZ2 @ params["W2"].T) * A1 * (1 - A1)              # (N, H)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


def sgd_step(params, grads, lr):
    """Notebook 04, exercise 1: every parameter one step against its gradient, in place."""
    for name in params:
        params[name] -= lr * grads[name]


def textbook_step(X, Y, params):
    """One step of notebook 04's training loop with the functions above (the loss computed, as it reports)."""
    P = {name: value.copy() for name, value in params.items()}

    def step():
        y_hat, cache = forward(X, P)
        loss = bce(y_hat, Y)
        sgd_step(P, backward_bce(X, Y, P, cache), LR)
        return loss
    return step, lambda: P


def inlined_step(X, Y, params):
    """The same formulas inlined: one expression per layer in one function, no calls, no named Z.

    Faster than the notebooks' step: no function calls, and NumPy computes in place on a temporary that no
    name refers to (the -(...) of the first line reuses the array of X @ W1 + b1); shown beside it so that
    both references are in view.
    """
    P = {name: value.copy() for name, value in params.items()}

    def step():
        A1 = 1.0 / (1.0 + np.exp(-(X @ P["W1"] + P["b1"])))         # (N, H)
        y_hat = 1.0 / (1.0 + np.exp(-(A1 @ P["W2"] + P["b2"])))     # (N, 1)
        loss = -np.mean(Y * np.log(y_hat) + (1.0 - Y) * np.log(1.0 - y_hat))
        dZ2 = (y_hat - Y) / Y.size                                  # sigmoid + BCE: dL/dZ2
        dZ1 = (dZ2 @ P["W2"].T) * A1 * (1.0 - A1)                   # (N, H)
        grads = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
        for name, grad in grads.items():
            P[name] -= LR * grad
        return float(loss)
    return step, lambda: P


def torch_step(X, Y, params):
    import torch

    hidden = params["b1"].size
    model = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Sigmoid(),
                                torch.nn.Linear(hidden, 1), torch.nn.Sigmoid()).double()
    with torch.no_grad():                       # torch stores W as (n_out, n_in): the transpose of ours
        for layer, k in ((model[0], 1), (model[2], 2)):
            layer.weight.copy_(torch.from_numpy(params[f"W{k}"].T))
            layer.bias.copy_(torch.from_numpy(params[f"b{k}"]))
    loss_function, optimizer = torch.nn.BCELoss(), torch.optim.SGD(model.parameters(), lr=LR)
    X_t, Y_t = torch.from_numpy(X), torch.from_numpy(Y)

    def step():
        optimizer.zero_grad()
        loss_function(model(X_t), Y_t).backward()
        optimizer.step()

    def weights():
        return {"W1": model[0].weight.detach().numpy().T, "b1": model[0].bias.detach().numpy(),
                "W2": model[2].weight.detach().numpy().T, "b2": model[2].bias.detach().numpy()}
    return step, weights


IMPLEMENTATIONS = {"nnlib": nnlib_step, "textbook": textbook_step, "inlined": inlined_step,
                   "torch": torch_step}
AGREEMENT_STEPS = 3  # steps taken before the weights of the implementations are compared
ROOT = Path(__file__).resolve().parent.parent


# ---- timing, agreement, the report ----

def time_steps(steps: dict, quick: bool) -> dict[str, float]:
    """Best time of one call of each step function, in µs.

    Each function gets an adaptive number of loops (about 0.03 s per repeat); the repeats take turns
    (round robin), so a burst of load from other processes hits every implementation alike.
    """
    # Many short repeats: the best of them falls in a moment when no other process ran, even on a busy box.
    seconds_per_repeat, repeats = (0.002, 1) if quick else (0.03, 25)
    loops = {}
    for name, step in steps.items():                         # the first call warms up and calibrates
        loops[name] = max(1, int(seconds_per_repeat / max(timeit.timeit(step, number=1), 1e-7)))
    if max(loops.values()) == 1 and not quick:               # a slow size: fewer repeats keep the run short
        repeats = 5
    best = {name: math.inf for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            best[name] = min(best[name], timeit.timeit(step, number=loops[name]) / loops[name])
    return {name: seconds * 1e6 for name, seconds in best.items()}


def page_faults_per_step(step, steps: int) -> float:
    """Page faults per call of ``step`` (minor faults: fresh memory the kernel maps and zeroes); NaN where
    the operating system does not count them."""
    if resource is None:
        return math.nan
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(steps):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / steps


def weights_after_steps(name: str, n: int, hidden: int, steps: int = AGREEMENT_STEPS) -> dict:
    """The weights {"W1": ..., ...} (float64 arrays) of implementation ``name`` after ``steps`` steps."""
    step, read = IMPLEMENTATIONS[name](*make_case(n, hidden))
    for _ in range(steps):
        step()
    return {key: np.array(value, dtype=np.float64) for key, value in read().items()}


def largest_difference(weights: dict[str, np.ndarray], reference: dict[str, np.ndarray]) -> float:
    """Largest relative difference of any weight from the reference weights."""
    return max(float(np.max(np.abs(np.asarray(weights[key]) - ref) / (np.abs(ref) + 1e-12)))
               for key, ref in reference.items())


def check_agreement(n: int, hidden: int, names: list[str], steps: int = AGREEMENT_STEPS) -> dict[str, float]:
    """Largest relative difference of each implementation's weights from nnlib's after the same steps."""
    reference = weights_after_steps("nnlib", n, hidden, steps)
    return {name: largest_difference(weights_after_steps(name, n, hidden, steps), reference)
            for name in names}


# ---- PyTorch, in a process of its own ----

def torch_worker(case: str, quick: bool, default_malloc: bool = False) -> None:
    """The child process: time PyTorch on one case, print one JSON line (exit 3 when torch is missing)."""
    if not default_malloc:
        keep_freed_memory()  # the policy the NumPy contenders are timed with
    try:
        import torch
    except ImportError as error:
        print(json.dumps({"error": f"PyTorch is not importable: {error}"}))
        sys.exit(3)
    [(n, hidden)] = [(n, hidden) for name, n, hidden, *_ in CASES if name == case]
    answer = {"version": torch.__version__, "threads": torch.get_num_threads(),
              "microseconds": time_steps({"torch": torch_step(*make_case(n, hidden))[0]}, quick)["torch"]}
    if n <= 1_000:  # the small cases also report their weights, for the agreement check
        weights = weights_after_steps("torch", n, hidden)
        answer["weights"] = {key: value.tolist() for key, value in weights.items()}
    print(json.dumps(answer))


def time_torch(case: str, python: str, quick: bool, default_malloc: bool = False) -> dict:
    """Start ``python -m benchmarks.bench_step --torch-worker case`` and return its answer (or its error)."""
    command = [python, "-m", "benchmarks.bench_step", "--torch-worker", case]
    command += ["--quick"] * quick + ["--default-malloc"] * default_malloc
    paths = [str(ROOT), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}  # benchmarks and nnlib importable
    try:
        result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True,
                                timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"error": f"{python} could not time PyTorch: {error}"}
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return {"error": f"{python} could not time PyTorch: {(result.stderr.strip() or 'no answer')[-300:]}"}


def machine_info() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    line = (f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}, "
            f"{cores} usable cores (of {os.cpu_count()}), float64")
    if hasattr(os, "getloadavg"):                            # other processes on the cores make figures noisy
        line += f"; load average {os.getloadavg()[0]:.1f} at the start"
    return line


def goal(label: str, ratio: float | None, limit: float | None) -> str:
    """'nnlib/textbook 1.12 (goal <= 1.1: MISSED)': a ratio with its goal, or why there is none."""
    if ratio is None:
        return f"{label} - (no torch)"
    verdict = "" if limit is None else f" (goal <= {limit:g}: {'met' if ratio <= limit else 'MISSED'})"
    return f"{label} {ratio:.2f}{verdict}"


def row(case: str, n: int, hidden: int, times: dict[str, float], textbook_goal: float,
        torch_goal: float | None, faults: dict[str, float] | None = None) -> str:
    """One line of the report: fields separated by " | "; each figure stands with its name and unit."""
    fields = [case, f"N {n}", f"net 2-{hidden}-1"]
    fields += [f"{name} {times[name]:.1f} µs" if name in times else f"{name} -" for name in IMPLEMENTATIONS]
    fields.append(goal("nnlib/textbook", times["nnlib"] / times["textbook"], textbook_goal))
    if "inlined" in times:
        fields.append(goal("nnlib/inlined", times["nnlib"] / times["inlined"], None))
    torch_ratio = times["nnlib"] / times["torch"] if "torch" in times else None
    fields.append(goal("nnlib/torch", torch_ratio, torch_goal))
    if faults:  # memory the kernel had to hand over (and zero) during each step: large arrays cost that too
        fields.append("faults/step " + " ".join(f"{name} {count:.0f}" for name, count in faults.items()))
    return SEPARATOR.join(fields)


def run(quick: bool = False, torch_python: str = sys.executable,
        default_malloc: bool = False) -> list[dict[str, float]]:
    """Time every case and print one line per case; returns the times (µs per step per implementation)."""
    memory = DEFAULT if default_malloc else keep_freed_memory()
    print(f"nnlib training-step benchmark ({'quick' if quick else 'full'}): µs per step = loss and gradients "
          "+ SGD step, BCE, sigmoid, full batch; best of the repeats")
    print(machine_info())
    print(f"memory: {memory}", flush=True)
    results, torch_weights, torch_note = [], {}, None
    for case, n, hidden, textbook_goal, torch_goal in CASES:
        X, Y, params = make_case(n, hidden)
        steps = {name: IMPLEMENTATIONS[name](X, Y, params)[0] for name in ("nnlib", "textbook", "inlined")}
        times = time_steps(steps, quick)
        faults = {name: page_faults_per_step(step, 1 if quick else 3) for name, step in steps.items()}
        answer = time_torch(case, torch_python, quick, default_malloc)
        if "error" in answer:
            torch_note = answer["error"]
        else:
            times["torch"] = answer["microseconds"]
            torch_weights[case] = answer.get("weights")
            torch_note = (f"PyTorch {answer['version']} with {answer['threads']} threads (its default), "
                          f"timed by {torch_python} in a process of its own")
        print(row(case, n, hidden, times, textbook_goal, torch_goal, faults), flush=True)
        results.append(times)
    print(torch_note)
    for case, n, hidden, *_ in CASES[:2]:
        differences = check_agreement(n, hidden, ["textbook", "inlined"])
        if torch_weights.get(case):
            reference = weights_after_steps("nnlib", n, hidden)
            differences["torch"] = largest_difference(torch_weights[case], reference)
        print(f"check ({case}, {AGREEMENT_STEPS} steps): largest relative weight difference from nnlib: " +
              ", ".join(f"{name} {value:.1e}" for name, value in differences.items()))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_step",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short repeat per figure (for tests)")
    parser.add_argument("--torch-python", default=sys.executable, metavar="PYTHON",
                        help="the Python that times PyTorch, e.g. a venv where torch is installed "
                             "(default: this one)")
    parser.add_argument("--default-malloc", action="store_true",
                        help="time with glibc's default malloc, which may give freed memory back to the "
                             "system (page faults that depend on the process's past; see allocator.py)")
    parser.add_argument("--torch-worker", metavar="CASE", help=argparse.SUPPRESS)  # the child process's role
    args = parser.parse_args(argv)
    if args.torch_worker:
        torch_worker(args.torch_worker, args.quick, args.default_malloc)
    else:
        run(quick=args.quick, torch_python=args.torch_python, default_malloc=args.default_malloc)


if __name__ == "__main__":
    main()
