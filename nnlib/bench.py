"""How fast is one training step? ``python -m nnlib.bench [--quick]``

One step = loss and gradients + ``SGD.step``: float64, sigmoid hidden and output units, BCE loss, the full
batch -- the step ``nnlib.train`` takes: it validates X and y once, then calls the network's unchecked
``_loss_and_grads``. (The public ``net.loss_and_grads`` checks X and y on every call; the table's last line
says what that adds.) It is timed for four sizes and compared with the same step written three other ways:
  numpy   a plain, straightforward NumPy implementation (what a learner would write first);
  python  pure Python lists and loops (only at the small sizes: it is far too slow beyond);
  torch   torch.nn (Linear + Sigmoid) + autograd + torch.optim.SGD, when PyTorch is importable.
Every implementation starts from the same weights; ``check_agreement`` verifies that they compute the same
updated weights, so the race is fair. Times are the best of several repeats (``timeit.repeat``), in µs.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import timeit

import numpy as np

from nnlib.data import moons, xor
from nnlib.network import MLP
from nnlib.optim import SGD

LR = 0.1
# (name, number of points, hidden units, goal in µs per step or None, goal for the ratio nnlib/PyTorch)
CASES = [("XOR", 4, 4, 15.0, 0.5), ("moons", 1_000, 16, 60.0, 0.5),
         ("10k", 10_000, 64, None, 1.0), ("100k", 100_000, 256, None, 1.0)]
# The µs goals were set on a machine where the plain NumPy step took these many µs (the figures).
# Machines differ; the goal scaled by this run's plain NumPy step, ``goal * numpy_here / numpy_there``, is
# printed too: the same speed-up over plain NumPy, measured in the same run.
GOAL_MACHINE_NUMPY_US = {"XOR": 21.0, "moons": 98.0}
PYTHON_MAX_N = 1_000        # beyond this the pure-Python loop takes seconds per step


def make_case(n: int, hidden: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """X (n, 2), targets Y (n, 1) float64 and starting params of a 2-hidden-1 net (seed 0)."""
    X, y = xor() if n == 4 else moons(n, noise=0.1, seed=0)
    params = MLP([2, hidden, 1], activation="sigmoid", output_activation="sigmoid", loss="bce", seed=0).params
    return X, y.reshape(-1, 1).astype(np.float64), {name: value.copy() for name, value in params.items()}


# ---- the four implementations: each returns (step function, a way to read its current weights) ----

def nnlib_step(X, Y, params, checked: bool = False):
    """train()'s step: data validated once, then the unchecked path; ``checked``: public loss_and_grads."""
    net = MLP([2, params["b1"].size, 1], activation="sigmoid", output_activation="sigmoid", loss="bce")
    for name, value in params.items():
        net.params[name][...] = value
    optimizer = SGD(lr=LR)
    X_checked, Y_checked = net.check_data(X, Y)

    def step():
        _, grads, _ = net._loss_and_grads(X_checked, Y_checked)
        optimizer.step(net.params, grads)

    def checked_step():
        _, grads = net.loss_and_grads(X, Y)
        optimizer.step(net.params, grads)
    return checked_step if checked else step, lambda: net.params


def numpy_step(X, Y, params):
    """The textbook forward and backward pass, one NumPy line per formula."""
    P = {name: value.copy() for name, value in params.items()}

    def step():
        A1 = 1.0 / (1.0 + np.exp(-(X @ P["W1"] + P["b1"])))         # (N, H)
        y_hat = 1.0 / (1.0 + np.exp(-(A1 @ P["W2"] + P["b2"])))     # (N, 1)
        loss = -np.mean(Y * np.log(y_hat) + (1.0 - Y) * np.log(1.0 - y_hat))  # every step reports it too
        dZ2 = (y_hat - Y) / Y.size                                  # sigmoid + BCE: dL/dZ2
        dZ1 = (dZ2 @ P["W2"].T) * A1 * (1.0 - A1)                   # (N, H)
        grads = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}
        for name, grad in grads.items():
            P[name] -= LR * grad
        return float(loss)
    return step, lambda: P


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def python_step(X, Y, params):
    """Lists and loops only: one sample at a time, one unit at a time."""
    W1, b1 = params["W1"].tolist(), params["b1"].tolist()
    W2, b2 = params["W2"][:, 0].tolist(), float(params["b2"][0])
    rows, targets = X.tolist(), Y[:, 0].tolist()

    def step():
        nonlocal b2
        n, hidden = len(rows), len(b1)
        dW1, db1, dW2, db2 = [[0.0] * hidden for _ in W1], [0.0] * hidden, [0.0] * hidden, 0.0
        loss = 0.0
        for x, t in zip(rows, targets, strict=True):
            a1 = [_sigmoid(b1[j] + sum(x[i] * W1[i][j] for i in range(len(x)))) for j in range(hidden)]
            y_hat = _sigmoid(b2 + sum(a * w for a, w in zip(a1, W2, strict=True)))
            loss -= (t * math.log(y_hat) + (1.0 - t) * math.log(1.0 - y_hat)) / n
            dz2 = (y_hat - t) / n
            db2 += dz2
            for j in range(hidden):
                dW2[j] += a1[j] * dz2
                dz1 = dz2 * W2[j] * a1[j] * (1.0 - a1[j])
                db1[j] += dz1
                for i in range(len(x)):
                    dW1[i][j] += x[i] * dz1
        for j in range(hidden):
            W2[j] -= LR * dW2[j]
            b1[j] -= LR * db1[j]
            for i in range(len(W1)):
                W1[i][j] -= LR * dW1[i][j]
        b2 -= LR * db2
        return loss

    def weights():
        return {"W1": np.array(W1), "b1": np.array(b1), "W2": np.array(W2)[:, None],
                "b2": np.array([b2])}
    return step, weights


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


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


IMPLEMENTATIONS = {"nnlib": nnlib_step, "numpy": numpy_step, "python": python_step, "torch": torch_step}


# ---- timing, agreement, the table ----

def time_steps(steps: dict, quick: bool) -> dict[str, float]:
    """Best time of one call of each step function, in µs.

    Each function gets an adaptive number of loops (about 0.1 s per repeat); the repeats take turns
    (round robin), so a burst of load from other processes hits every implementation alike.
    """
    seconds_per_repeat, repeats = (0.002, 1) if quick else (0.1, 7)
    loops = {}
    for name, step in steps.items():                         # the first call warms up and calibrates
        loops[name] = max(1, int(seconds_per_repeat / max(timeit.timeit(step, number=1), 1e-7)))
    if max(loops.values()) == 1 and not quick:               # a slow size: fewer repeats keep the run short
        repeats = 3
    best = {name: math.inf for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            best[name] = min(best[name], timeit.timeit(step, number=loops[name]) / loops[name])
    return {name: seconds * 1e6 for name, seconds in best.items()}


def check_agreement(n: int, hidden: int, names: list[str], steps: int = 3) -> dict[str, float]:
    """Largest relative difference of each implementation's weights from nnlib's after `steps` steps."""
    X, Y, params = make_case(n, hidden)
    weights = {}
    for name in ["nnlib", *names]:
        step, read = IMPLEMENTATIONS[name](X, Y, params)
        for _ in range(steps):
            step()
        weights[name] = {key: np.array(value, dtype=np.float64) for key, value in read().items()}
    return {name: max(float(np.max(np.abs(weights[name][key] - ref) / (np.abs(ref) + 1e-12)))
                      for key, ref in weights["nnlib"].items()) for name in names}


def machine_info(with_torch: bool) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    line = (f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}, "
            f"{cores} usable cores (of {os.cpu_count()}), float64")
    if hasattr(os, "getloadavg"):                            # other processes on the cores make figures noisy
        line += f"; load average {os.getloadavg()[0]:.1f} at the start"
    if with_torch:
        import torch
        line += f"; PyTorch {torch.__version__} with {torch.get_num_threads()} threads (its default)"
    return line


def verdict(case: str, row: dict, ratio: float | None, goal_us: float | None, goal_ratio: float) -> str:
    """The goals next to the figures: met or missed."""
    parts = []
    if goal_us is not None:
        scaled = goal_us * row["numpy"] / GOAL_MACHINE_NUMPY_US[case]
        parts.append(f"<= {goal_us:g} µs: {_met(row['nnlib'] <= goal_us)} (scaled to this machine: "
                     f"<= {scaled:.1f} µs: {_met(row['nnlib'] <= scaled)})")
    if ratio is None:
        parts.append(f"ratio <= {goal_ratio:g}: not measured (no torch)")
    else:
        parts.append(f"ratio <= {goal_ratio:g}: {_met(ratio <= goal_ratio)}")
    return "; ".join(parts)


def _met(condition: bool) -> str:
    return "met" if condition else "MISSED"


def print_checking_cost(quick: bool) -> None:
    """What validating X and y on every call (the public net.loss_and_grads) adds to a XOR step."""
    X, Y, params = make_case(4, 4)
    both = time_steps({"train": nnlib_step(X, Y, params)[0], "public": nnlib_step(X, Y, params, True)[0]},
                      quick)
    print(f"XOR with the public net.loss_and_grads (checks X and y on every call): {both['public']:.1f} µs "
          f"per step, vs {both['train']:.1f} µs")


def run(quick: bool = False) -> list[dict]:
    """Time every case and print the table; returns the rows (µs per step for each implementation)."""
    with_torch = torch_available()
    print(f"nnlib training-step benchmark ({'quick' if quick else 'full'}): µs per step = loss and "
          "gradients + SGD step, BCE, sigmoid, full batch")
    print(machine_info(with_torch))
    header = f"{'case':<6}{'N':>8} {'net':<9}{'nnlib':>10}{'numpy':>10}{'python':>11}{'torch':>10}" \
             f"{'nnlib/torch':>12}  goal (µs per step)"
    print(header)
    rows = []
    for case, n, hidden, goal_us, goal_ratio in CASES:
        X, Y, params = make_case(n, hidden)
        names = ["nnlib", "numpy"] + (["python"] if n <= PYTHON_MAX_N else [])
        names += ["torch"] if with_torch else []
        row = {"case": case, "n": n, "hidden": hidden}
        row.update(time_steps({name: IMPLEMENTATIONS[name](X, Y, params)[0] for name in names}, quick))
        ratio = row["nnlib"] / row["torch"] if "torch" in row else None
        cells = [f"{row[name]:>{width}.1f}" if name in row else f"{'-':>{width}}"
                 for name, width in (("nnlib", 10), ("numpy", 10), ("python", 11), ("torch", 10))]
        ratio_cell = f"{ratio:>12.2f}" if ratio is not None else f"{'-':>12}"
        print(f"{case:<6}{n:>8} {f'2-{hidden}-1':<9}{''.join(cells)}{ratio_cell}  "
              f"{verdict(case, row, ratio, goal_us, goal_ratio)}")
        rows.append(row)
    print_checking_cost(quick)
    names = ["numpy", "python"] + (["torch"] if with_torch else [])
    for case, n, hidden, *_ in CASES[:2]:
        differences = check_agreement(n, hidden, names)
        print(f"check ({case}, 3 steps): largest relative weight difference from nnlib: " +
              ", ".join(f"{name} {value:.1e}" for name, value in differences.items()))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nnlib.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short repeat per figure (for tests)")
    run(quick=parser.parse_args(argv).quick)


if __name__ == "__main__":
    main()
