# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# [← 07 Capstone](07_capstone_digits.ipynb) | [Contents](00_start_here.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/08_making_it_fast.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/08_making_it_fast.ipynb)
#
# # 8. Making it fast
#
# The training step you wrote in notebooks 02–04 is correct and readable; here you measure where its time
# goes, make it several times faster on big batches one idea at a time, and find out why none of that helps
# on XOR.
#
# **You will learn** in this notebook
# - to time code properly (`%timeit`, the `timeit` module) and to find where the time goes, line by line;
# - four ideas that speed up NumPy code: reusing memory (`out=`, in-place operators), fusing sigmoid with
#   the binary cross-entropy, `float32`, and computing the bias sum another way — how to measure each — and
#   a fifth that puts them together: working in blocks that fit in the processor's cache;
# - why the same ideas pay on a batch of 100,000 samples and not on the 4 samples of XOR: the fixed cost of
#   every NumPy call;
# - how your fast step compares with the textbook step (and with PyTorch, if it is installed).
#
# **Prerequisites**: the forward and backward passes of [03 Loss and backpropagation](03_loss_and_backpropagation.ipynb)
# (in particular $dZ_2 = (\hat y - y)/N$ for sigmoid with BCE) and the training step of
# [04 Training on XOR](04_training_on_xor.ipynb). Nothing here is needed for notebooks 05–07: this is an
# optional look under the bonnet.

# %% [markdown]
# ## Setup

# %%
# Only on Colab, or in a notebook downloaded alone: installs the series' library (nnlib) when it is missing.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("nnlib") is None:
    REPOSITORY = "nn-from-scratch[notebooks] @ git+https://github.com/nn-from-scratch/nn-from-scratch"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", os.environ.get("NNFS_SOURCE", REPOSITORY)],
                   check=True)

# %%
# Setup: run this cell first.
import time
import timeit

import matplotlib.pyplot as plt
import numpy as np

from classroom.checks import nb08 as checks  # the exercises' checks

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
BLUE, ORANGE, GREEN, PURPLE = "#0072B2", "#E69F00", "#009E73", "#CC79A7"  # Okabe-Ito: colour-blind safe

# %% [markdown]
# ## 1. The step we start from
#
# One training step of the 2-H-1 network of notebook 04 — sigmoid hidden units, a sigmoid output, the binary
# cross-entropy (BCE) loss, plain SGD — written the way we derived it: **one line per formula**. Rows are
# samples: `X` has shape (N, 2), `W1` shape (2, H). The output layer's gradient goes through the chain rule
# in two steps, as a library with separate loss and activation functions computes it: first
# $\partial L / \partial \hat y$ of the BCE, then times the sigmoid's derivative $\hat y (1 - \hat y)$.
#
# We call this the **textbook step**. Every speed-up below is measured against it.

# %%
def sigmoid(Z: np.ndarray) -> np.ndarray:
    """Elementwise 1 / (1 + e^-Z); a new array of Z's shape."""
    return 1.0 / (1.0 + np.exp(-Z))


def textbook_step(X: np.ndarray, y: np.ndarray, params: dict, lr: float) -> float:
    """One SGD step of the 2-H-1 sigmoid network with the BCE loss; updates params in place, returns the loss.

    X (N, 2), y (N, 1); params W1 (2, H), b1 (H,), W2 (H, 1), b2 (1,).
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = len(X)
    Z1 = X @ W1 + b1                                              # (N, H)
    A1 = sigmoid(Z1)                                              # (N, H)
    Z2 = A1 @ W2 + b2                                             # (N, 1)
    y_hat = sigmoid(Z2)                                           # (N, 1)
    loss = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    dA2 = (y_hat - y) / (y_hat * (1 - y_hat)) / N                 # (N, 1): dL/dy_hat of the BCE
    dZ2 = dA2 * y_hat * (1 - y_hat)                               # (N, 1): times sigmoid'(Z2)
    dW2 = A1.T @ dZ2                                              # (H, N) @ (N, 1)
    db2 = dZ2.sum(axis=0)                                         # (1,)
    dA1 = dZ2 @ W2.T                                              # (N, 1) @ (1, H)
    dZ1 = dA1 * A1 * (1 - A1)                                     # (N, H)
    dW1 = X.T @ dZ1                                               # (2, N) @ (N, H)
    db1 = dZ1.sum(axis=0)                                         # (H,)
    W1 -= lr * dW1                                                # in place, as in notebook 04
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    return float(loss)


# %% [markdown]
# Two problems to run it on. **XOR**: the four points of notebook 04 and 4 hidden units. **Big**: 100,000
# random points labelled like XOR by their quadrant, and 256 hidden units — a batch far larger than anything
# in this series, where every (N, H) array holds 25.6 million numbers.

# %%
def xor_problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict]:
    """The four XOR points, X (4, 2) and y (4, 1), and 2-4-1 weights."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    return X, y, init_params(4, seed)


def big_problem(N: int = 100_000, H: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray, dict]:
    """N points from a standard normal, X (N, 2); y (N, 1) is 1 in the first and third quadrant; 2-H-1 weights."""
    X = np.random.default_rng(seed).normal(size=(N, 2))           # (N, 2)
    y = (X[:, :1] * X[:, 1:] > 0).astype(float)                    # (N, 1)
    return X, y, init_params(H, seed)


def init_params(H: int, seed: int) -> dict:
    """Xavier-scaled weights of a 2-H-1 network, biases at zero."""
    rng = np.random.default_rng(seed)
    return {"W1": rng.normal(0, np.sqrt(2 / (2 + H)), size=(2, H)), "b1": np.zeros(H),
            "W2": rng.normal(0, np.sqrt(2 / (H + 1)), size=(H, 1)), "b2": np.zeros(1)}


X_xor, y_xor, params_xor = xor_problem()
X_big, y_big, params_big = big_problem()
print(f"XOR: X {X_xor.shape}, W1 {params_xor['W1'].shape};  big: X {X_big.shape}, W1 {params_big['W1'].shape}")
print(f"one (N, H) float64 array of the big problem: {X_big.shape[0] * 256 * 8 / 1e6:.0f} MB")
losses = [textbook_step(X_xor, y_xor, params_xor, lr=1.0) for _ in range(3)]
print("first three XOR losses:", np.round(losses, 4).tolist(), "— it trains")

# %% [markdown]
# ## 2. Timing: `%timeit`
#
# How long does one step take? A single stopwatch reading is unreliable: the first call may load code into
# the cache, and other programs steal the processor now and then. IPython's `%timeit` runs the statement in a
# loop (`-n` calls per run) several times (`-r` runs) and reports the mean and spread of the runs, per call.
# We keep the counts small so that this notebook runs quickly; your numbers will differ from the stored ones,
# and from run to run.

# %% tags=["nbval-ignore-output"]
# Timing: the textbook step on XOR (the numbers depend on the machine).
# %timeit -n 300 -r 3 textbook_step(X_xor, y_xor, params_xor, lr=0.1)

# %% tags=["nbval-ignore-output"]
# Timing: the textbook step on the big problem (100,000 × 256).
# %timeit -n 1 -r 2 textbook_step(X_big, y_big, params_big, lr=0.1)

# %% [markdown]
# `%timeit` exists only in IPython and Jupyter. In a script, the `timeit` module does the same; we wrap it so
# that every table below reports the **fastest** of a few runs — the run least disturbed by other programs
# (the advice of the `timeit` documentation) — and prints times in readable units.

# %%
def best_time(step, number: int = 1, repeat: int = 3) -> float:
    """Seconds per call of step(): the fastest of `repeat` runs of `number` calls each."""
    return min(timeit.repeat(step, number=number, repeat=repeat)) / number


def readable(seconds: float) -> str:
    """A duration as text: '12.3 µs', '4.56 ms' or '1.23 s'."""
    for unit, scale in [("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)]:
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


# %% tags=["nbval-ignore-output"]
# Timing: the cost per sample of the textbook step.
textbook_xor = best_time(lambda: textbook_step(X_xor, y_xor, params_xor, lr=0.1), number=300)
print(f"XOR: {readable(textbook_xor)} per step, {readable(textbook_xor / 4)} per sample")

# %% [markdown]
# The big batch costs far more per step (the next section prints its cost per sample too), but far less
# **per sample**. On XOR, almost none of the time is arithmetic: 4 samples × 4 hidden units is a few dozen
# multiplications, which a processor does in nanoseconds. The rest is the fixed price of every NumPy call —
# Python finding the function, NumPy checking the arguments' shapes and types, allocating a small result —
# paid a few dozen times per step.
#
# ## 3. Where does the time go?
#
# A profiler tells you which *functions* take the time (`cProfile`, or `%prun` in IPython). Our step is one
# function whose time is spent inside operators like `@` and `*`, so we do something more direct: run the
# step's lines one at a time, each with its own stopwatch. `time_lines` takes the lines as text and runs them
# with Python's `exec` in a dictionary that plays the role of the function's variables.

# %%
TEXTBOOK_LINES = [            # the body of textbook_step, one formula per line
    "Z1 = X @ W1 + b1",
    "A1 = sigmoid(Z1)",
    "Z2 = A1 @ W2 + b2",
    "y_hat = sigmoid(Z2)",
    "loss = -np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))",
    "dA2 = (y_hat - y) / (y_hat * (1 - y_hat)) / N",
    "dZ2 = dA2 * y_hat * (1 - y_hat)",
    "dW2 = A1.T @ dZ2",
    "db2 = dZ2.sum(axis=0)",
    "dA1 = dZ2 @ W2.T",
    "dZ1 = dA1 * A1 * (1 - A1)",
    "dW1 = X.T @ dZ1",
    "db1 = dZ1.sum(axis=0)",
    "W1 -= lr * dW1; b1 -= lr * db1; W2 -= lr * dW2; b2 -= lr * db2",
]


def time_lines(lines: list[str], X: np.ndarray, y: np.ndarray, params: dict, lr: float,
               repeat: int = 3) -> np.ndarray:
    """Run the lines in order, `repeat` times, each under its own stopwatch; the fastest time of each line (s)."""
    variables = {"np": np, "sigmoid": sigmoid, "X": X, "y": y, "N": len(X), "lr": lr, **params}
    compiled = [compile(line, "<line>", "exec") for line in lines]
    fastest = np.full(len(lines), np.inf)
    for _ in range(repeat):
        for i, code in enumerate(compiled):
            start = time.perf_counter()
            exec(code, variables)
            fastest[i] = min(fastest[i], time.perf_counter() - start)
    return fastest


# %% tags=["nbval-ignore-output"]
# Timing: every line of the textbook step, on both problems.
lines_big = time_lines(TEXTBOOK_LINES, X_big, y_big, params_big, lr=0.1, repeat=2)
lines_xor = time_lines(TEXTBOOK_LINES, X_xor, y_xor, params_xor, lr=0.1, repeat=200)
print(f"{'line':66s} {'big':>9s} {'share':>6s} {'XOR':>9s}")
for line, big, xor in zip(TEXTBOOK_LINES, lines_big, lines_xor, strict=True):
    print(f"{line[:66]:66s} {readable(big):>9s} {big / lines_big.sum():6.1%} {readable(xor):>9s}")
print(f"{'the whole step (sum of the lines)':66s} {readable(lines_big.sum()):>9s} {'':6s} "
      f"{readable(lines_xor.sum()):>9s}")
print(f"{'per sample':66s} {readable(lines_big.sum() / len(X_big)):>9s} {'':6s} "
      f"{readable(lines_xor.sum() / len(X_xor)):>9s}")

# %% tags=["nbval-ignore-output"]
# Drawing only: the time of each line, big problem and XOR, coloured by phase.
phase_colours = [BLUE] * 4 + [ORANGE] + [GREEN] * 8 + [PURPLE]   # forward, loss, backward, update
fig, (ax_big, ax_xor) = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
positions = np.arange(len(TEXTBOOK_LINES))[::-1]                # first line at the top
ax_big.barh(positions, lines_big * 1e3, color=phase_colours)
ax_xor.barh(positions, lines_xor * 1e6, color=phase_colours)
ax_big.set_yticks(positions, [line if len(line) < 34 else line[:32] + "…" for line in TEXTBOOK_LINES],
                  fontsize=8, family="monospace")
ax_big.set(title="Big problem (100,000 × 256)", xlabel="time per line (ms)")
ax_xor.set(title="XOR (4 × 4)", xlabel="time per line (µs)")
phases = [plt.Rectangle((0, 0), 1, 1, color=colour) for colour in [BLUE, ORANGE, GREEN, PURPLE]]
ax_xor.legend(phases, ["forward", "loss", "backward", "update"], loc="lower right", fontsize="small")
fig.suptitle("Where the textbook step spends its time")
fig.tight_layout()
plt.show()

# %% [markdown]
# Two different pictures:
# - **Big problem**: nearly all the time goes to the lines that create or read (N, H) arrays — those with
#   `Z1`, `A1`, `dA1` and `dZ1` — matrix products and elementwise lines alike. With only 2 inputs, even
#   `X @ W1` does just 2 multiplications per number it writes: the work is not arithmetic but *moving memory*.
#   Nearly every operator creates a new 205 MB array, writes it once, reads it once and throws it away. The lines on
#   the (N, 1) output and the update cost next to nothing.
# - **XOR**: every line costs about the same, a few microseconds — the fixed cost of the NumPy calls on it.
#   Lines with more operators cost more, whatever they compute.
#
# So on the big problem the way to go faster is to make fewer and smaller passes over memory; on XOR the only
# way is to make fewer NumPy calls. The four ideas below all attack the first.

# %% [markdown]
# ## 4. Idea 1: reuse memory
#
# `Z1 = X @ W1 + b1` creates **two** (N, H) arrays: `X @ W1`, then a second one for `+ b1`. `sigmoid(Z1)`
# creates three: `-Z1`, its `np.exp` and `1.0 / …` (for `1.0 + …` NumPy quietly reuses the array `np.exp` just
# made, a temporary nobody else can see). Each is 205 MB on the big problem, which the
# operating system must hand over (and clear) before NumPy can write into it, and which is freed right after.
#
# Two NumPy features avoid that:
# - **in-place operators**: `A += b` adds into the existing array `A`, where `A = A + b` makes a new one;
# - **`out=`**: every NumPy function that computes an array elementwise or a matrix product can write into
#   an array you give it, `np.exp(A, out=A)`, `np.matmul(X, W1, out=Z1)`.
#
# A **buffer** is an array allocated once, before training, and filled again at every step. First, how much
# does fresh memory cost? The same multiplication, into a new array and into a reused one:

# %% tags=["nbval-ignore-output"]
# Timing: writing into a fresh array against writing into a reused buffer.
Z_big = np.random.default_rng(2).normal(size=(100_000, 256))   # (N, H), float64
buffer = np.empty_like(Z_big)
fresh = best_time(lambda: Z_big * 2.0, repeat=2)
reused = best_time(lambda: np.multiply(Z_big, 2.0, out=buffer), repeat=2)
print(f"Z_big * 2.0, a new array each time:        {readable(fresh):>9s}")
print(f"np.multiply(Z_big, 2.0, out=buffer):       {readable(reused):>9s}  ({fresh / reused:.1f}× faster)")

# %% [markdown]
# The same arithmetic, the same result; only the memory differs. The sigmoid can work in place too, one
# operation at a time, all in `out` — which may be `Z` itself, when `Z` is not needed any more:

# %%
def sigmoid_into(Z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = 1 / (1 + e^-Z), computed in place in `out` (which may be Z itself); returns out."""
    np.negative(Z, out=out)     # out = -Z
    np.exp(out, out=out)        # out = e^-Z
    out += 1.0                  # out = 1 + e^-Z
    np.reciprocal(out, out=out)  # out = 1 / (1 + e^-Z)
    return out


# %% tags=["nbval-ignore-output"]
# Timing: sigmoid against sigmoid_into on an (N, H) array of the big problem and on XOR's (4, 4).
Z_xor = np.random.default_rng(2).normal(size=(4, 4))
buffer_xor = np.empty_like(Z_xor)
sigmoid_times = {"big": (best_time(lambda: sigmoid(Z_big), repeat=2),
                         best_time(lambda: sigmoid_into(Z_big, buffer), repeat=2)),
                 "XOR": (best_time(lambda: sigmoid(Z_xor), 3000), best_time(lambda: sigmoid_into(Z_xor, buffer_xor), 3000))}
print("same numbers:", np.allclose(sigmoid_into(Z_big, buffer), sigmoid(Z_big)))
for name, (textbook, in_place) in sigmoid_times.items():
    print(f"{name:4s} sigmoid {readable(textbook):>9s}   sigmoid_into {readable(in_place):>9s}   "
          f"speed-up {textbook / in_place:.2f}×")

# %% [markdown]
# On the big array the in-place version saves the three fresh 205 MB arrays. On XOR there is no memory worth
# saving in a 4 × 4 array: both versions make four NumPy calls on 16 numbers, and whatever difference your
# table shows is a microsecond or so of call overhead (creating a small array costs a little too).
#
# ### Exercise 1: a forward pass into buffers
#
# Complete `forward_into(X, params, buffers)`: the forward pass of the 2-H-1 network, writing into the two
# buffers it is given instead of creating new arrays, and returning those very arrays.
# - `buffers["A1"]` has shape (N, H): compute $Z_1 = X W_1 + b_1$ **in it** (`np.matmul(..., out=...)`,
#   then an in-place `+=`), then turn it into $A_1 = \sigma(Z_1)$ in place with `sigmoid_into`. We never need
#   $Z_1$ again (the backward pass uses $A_1$ only), so one buffer holds both, one after the other.
# - `buffers["y_hat"]` has shape (N, 1): the same for $Z_2 = A_1 W_2 + b_2$ and $\hat y = \sigma(Z_2)$.
#
# Leave `X` and `params` unchanged. The check calls your function twice on the same buffers, with several
# batch sizes and numbers of hidden units, also in `float32`.

# %%
def forward_into(X: np.ndarray, params: dict, buffers: dict) -> tuple[np.ndarray, np.ndarray]:
    """The forward pass of the 2-H-1 sigmoid network, computed in the preallocated buffers.

    X (N, D); params W1 (D, H), b1 (H,), W2 (H, 1), b2 (1,); buffers "A1" (N, H) and "y_hat" (N, 1).
    Returns (A1, y_hat): the buffer arrays themselves, filled with sigmoid(X @ W1 + b1) and the output.
    """
    A1, y_hat = buffers["A1"], buffers["y_hat"]
    ### BEGIN SOLUTION
    np.matmul(X, params["W1"], out=A1)       # A1 holds Z1 = X @ W1 ...
    A1 += params["b1"]                       # ... + b1, (N, H)
    sigmoid_into(A1, out=A1)                 # now A1 = sigmoid(Z1)
    np.matmul(A1, params["W2"], out=y_hat)   # y_hat holds Z2, (N, 1)
    y_hat += params["b2"]
    sigmoid_into(y_hat, out=y_hat)
    return A1, y_hat
    ### END SOLUTION


# %%
checks.forward_into()

# %% [markdown]
# ## 5. Idea 2: fuse sigmoid with the binary cross-entropy
#
# The textbook step computes the output gradient in two chain-rule steps, as a library with separate loss and
# activation functions does:
#
# $$
# \frac{\partial L}{\partial \hat y} = \frac{1}{N} \, \frac{\hat y - y}{\hat y (1 - \hat y)}, \qquad
# dZ_2 = \frac{\partial L}{\partial \hat y} \cdot \hat y (1 - \hat y)
# $$
#
# Notebook 03 showed that the two factors $\hat y (1 - \hat y)$ cancel:
#
# $$
# dZ_2 = \frac{\hat y - y}{N}
# $$
#
# Treating "sigmoid then BCE" as **one** operation (*fusing* them) turns about ten NumPy operations into two.
# It is also more accurate: when $\hat y$ rounds to exactly 0 or 1 (a confident network, and it happens much
# sooner in `float32`), the chain rule computes $0 / 0$ = `nan`, while the fused formula stays finite. This
# is why PyTorch offers `BCEWithLogitsLoss`, and why its documentation recommends it over a sigmoid followed by
# `BCELoss`.

# %%
def chain_output_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dZ2 through the chain rule, as the textbook step computes it. y_hat, y (N, 1) -> (N, 1)."""
    dA2 = (y_hat - y) / (y_hat * (1 - y_hat)) / len(y_hat)
    return dA2 * y_hat * (1 - y_hat)


y_hat_saturated = np.array([[0.3], [1.0], [0.0]])    # a network sure of its last two answers
y_saturated = np.array([[1.0], [1.0], [0.0]])
with np.errstate(invalid="ignore", divide="ignore"):  # we *want* to see the 0 / 0 here, without a warning
    print("chain rule:", chain_output_gradient(y_hat_saturated, y_saturated).ravel())
print("fused:     ", ((y_hat_saturated - y_saturated) / 3).ravel())

# %% [markdown]
# ### Exercise 2: the fused output gradient
#
# Complete `fused_output_gradient(y_hat, y)`: $dZ_2 = (\hat y - y)/N$ for a batch of $N$ samples, without the
# sigmoid's derivative. It must return a new array of shape (N, 1) and leave both inputs unchanged. The labels
# may come as a column (N, 1), like `y_hat`, or as a flat vector (N,): with the flat vector, `y_hat - y` would
# *broadcast* (N, 1) against (N,) into an (N, N) matrix — give `y` the shape of `y_hat` first.

# %%
def fused_output_gradient(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """dL/dZ2 of sigmoid + mean BCE: (y_hat - y) / N.

    y_hat (N, 1) probabilities; y (N, 1) or (N,) labels in {0, 1}. Returns a new (N, 1) array.
    """
    ### BEGIN SOLUTION
    N = y_hat.shape[0]
    return (y_hat - y.reshape(y_hat.shape)) / N
    ### END SOLUTION


# %%
checks.fused_output_gradient()

# %% [markdown]
# How much does fusing save? It touches only the (N, 1) output, so on the big problem it is a small part of a
# large step; on XOR it saves NumPy calls, which is what XOR's step is made of.

# %% tags=["nbval-ignore-output"]
# Timing: the output gradient through the chain rule and fused.
def fused_reference(y_hat, y):
    return (y_hat - y) / len(y_hat)


y_hat_big = sigmoid(Z_big[:, :1])                    # (100000, 1)
y_hat_xor = sigmoid(Z_xor[:, :1])                    # (4, 1)
fuse_times = {"big": (best_time(lambda: chain_output_gradient(y_hat_big, y_big), 20),
                      best_time(lambda: fused_reference(y_hat_big, y_big), 20)),
              "XOR": (best_time(lambda: chain_output_gradient(y_hat_xor, y_xor), 3000),
                      best_time(lambda: fused_reference(y_hat_xor, y_xor), 3000))}
for name, (chain, fused) in fuse_times.items():
    print(f"{name:4s} chain rule {readable(chain):>9s}   fused {readable(fused):>9s}   speed-up {chain / fused:.2f}×")
saved = fuse_times["big"][0] - fuse_times["big"][1]
print(f"time saved per big step: {readable(saved)}, of a step of about {readable(lines_big.sum())}")

# %% [markdown]
# ## 6. Idea 3: `float32`
#
# NumPy computes in `float64` by default: 8 bytes per number, about 16 significant digits. `float32` uses 4
# bytes and keeps about 7 digits. Half the bytes means half the memory to move, and the processor's vector
# units handle twice as many numbers per instruction. Training does not need 16 digits: the gradient is
# noisy anyway (mini-batches), and GPUs train almost everything in `float32` or less.

# %%
for dtype in (np.float64, np.float32):
    info = np.finfo(dtype)
    print(f"{info.dtype}: {info.bits // 8} bytes, machine epsilon {info.eps:.1e}, largest {info.max:.1e}, "
          f"one (100000, 256) array: {100_000 * 256 * info.bits // 8 / 1e6:.0f} MB")

# %% [markdown]
# `1 + eps` is the next number after 1. Relative rounding errors of about `1e-7` per operation are far below
# what training notices; what `float32` cannot do is represent numbers beyond about `3e38` (so `np.exp(89)`
# overflows to `inf`) or check gradients to the `1e-7` of notebook 03's gradient check — do gradient checks in
# `float64`.
#
# Mixing types silently undoes the saving: NumPy computes `float32 @ float64` in `float64`. So *everything*
# in the step must be converted — the data, the parameters and the buffers.
#
# ### Exercise 3: parameters in `float32`
#
# Complete `to_float32(params)`: return a **new** dict with the same keys, each array converted to `float32`
# (`.astype(np.float32)`). Leave the caller's dict and arrays as they are — they may still be used in
# `float64`, for example for a gradient check. Any number of layers: `W1, b1, W2, b2, W3, …`.

# %%
def to_float32(params: dict) -> dict:
    """A new dict with the same keys: every array converted to float32. params is not changed."""
    ### BEGIN SOLUTION
    return {name: value.astype(np.float32) for name, value in params.items()}
    ### END SOLUTION


# %%
checks.to_float32()

# %% tags=["nbval-ignore-output"]
# Timing: sigmoid_into and the product X.T @ dZ1 in float64 and float32, big problem and XOR.
def precision_times(Z: np.ndarray, X: np.ndarray, number: int) -> dict:
    """{dtype name: (sigmoid_into seconds, X.T @ Z seconds)} for float64 and float32 copies of Z and X."""
    times = {}
    for dtype in (np.float64, np.float32):
        Z_typed, X_typed = Z.astype(dtype), X.astype(dtype)
        out = np.empty_like(Z_typed)
        sigmoid_seconds = best_time(lambda Z=Z_typed, out=out: sigmoid_into(Z, out), number, repeat=2)
        product_seconds = best_time(lambda X=X_typed, Z=Z_typed: X.T @ Z, number, repeat=2)
        times[np.dtype(dtype).name] = (sigmoid_seconds, product_seconds)
    return times


float_times = {"big": precision_times(Z_big, X_big, 1), "XOR": precision_times(Z_xor, X_xor, 3000)}
for name, times in float_times.items():
    (sig64, mat64), (sig32, mat32) = times["float64"], times["float32"]
    print(f"{name:4s} sigmoid_into {readable(sig64):>9s} -> {readable(sig32):>9s} ({sig64 / sig32:.2f}×)   "
          f"X.T @ Z {readable(mat64):>9s} -> {readable(mat32):>9s} ({mat64 / mat32:.2f}×)")

# %% [markdown]
# On the big arrays `float32` pays, in the sigmoid especially (the exponential has a fast vectorised
# `float32` version); on XOR it cannot: 16 numbers take no time to move in either precision.
#
# Does training still work? The same 200 textbook steps on a smaller version of the big problem, in both
# precisions, from the same starting weights:

# %%
X_mid, y_mid, params_mid = big_problem(N=2_000, H=32, seed=3)
params_64 = {name: value.copy() for name, value in params_mid.items()}
params_32 = {name: value.astype(np.float32) for name, value in params_mid.items()}
X_mid32, y_mid32 = X_mid.astype(np.float32), y_mid.astype(np.float32)
for _ in range(200):
    loss_64 = textbook_step(X_mid, y_mid, params_64, lr=2.0)
    loss_32 = textbook_step(X_mid32, y_mid32, params_32, lr=2.0)
print(f"loss after 200 steps: float64 {loss_64:.5f}, float32 {loss_32:.5f}; "
      f"dtype of W1 still {params_32['W1'].dtype}")

# %% [markdown]
# The two losses agree to several digits: rounding in the 7th digit does not change where gradient descent
# goes.
#
# ## 7. Idea 4: the bias sum
#
# `db1 = dZ1.sum(axis=0)` adds up the N rows of `dZ1`. The same sum is a matrix product with a row of ones,
# $\mathbf{1}^\top dZ_1$ — `ones @ dZ1` with `ones` of shape (N,) — which hands the work to the same BLAS
# library that computes the other products (it may use several processor cores and its own vectorised loops).
# Which is faster is not obvious; measure:

# %% tags=["nbval-ignore-output"]
# Timing: two ways to sum the rows of dZ1, in float32 (big) and float64 (XOR).
dZ1_big = np.random.default_rng(4).normal(size=(100_000, 256)).astype(np.float32)
ones_big = np.ones(100_000, dtype=np.float32)
dZ1_xor, ones_xor = np.random.default_rng(4).normal(size=(4, 4)), np.ones(4)
print("same numbers:", np.allclose(ones_big @ dZ1_big, dZ1_big.sum(axis=0), rtol=1e-3, atol=1e-2))
bias_times = {"big": (best_time(lambda: dZ1_big.sum(axis=0), 3), best_time(lambda: ones_big @ dZ1_big, 3)),
              "XOR": (best_time(lambda: dZ1_xor.sum(axis=0), 3000), best_time(lambda: ones_xor @ dZ1_xor, 3000))}
for name, (summed, product) in bias_times.items():
    verdict = "faster" if product < summed else "not faster"
    print(f"{name:4s} dZ1.sum(axis=0) {readable(summed):>9s}   ones @ dZ1 {readable(product):>9s}   "
          f"({summed / product:.2f}×: the product is {verdict} here)")

# %% [markdown]
# Which one wins depends on the machine, on its BLAS library, on the shape of `dZ1`, and sometimes on the
# run: read your table, and rerun the cell to see how stable the answer is. Not every idea pays, and the only
# way to know is to measure. (The `1e-2` tolerance above: the two add the same 100,000 `float32` numbers in
# different orders, so their roundings differ.) The fast step below uses `ones @ dZ1`; change it to
# `.sum(axis=0)` and compare.

# %% tags=["nbval-ignore-output"]
# Drawing only: the speed-up of each idea, on the big problem and on XOR.
ideas = {"in place\n(sigmoid_into)": sigmoid_times, "fused\noutput gradient": fuse_times,
         "float32\n(sigmoid_into)": {k: (v["float64"][0], v["float32"][0]) for k, v in float_times.items()},
         "bias sum\n(ones @ dZ1)": bias_times}
fig, ax = plt.subplots(figsize=(8, 3.6))
positions = np.arange(len(ideas))
for offset, problem, colour in [(-0.2, "big", BLUE), (0.2, "XOR", ORANGE)]:
    speedups = [times[problem][0] / times[problem][1] for times in ideas.values()]
    ax.bar(positions + offset, speedups, width=0.4, color=colour, label=problem)
ax.axhline(1.0, color="black", lw=0.8)
ax.set_xticks(positions, list(ideas))
ax.set(title="Each idea on its own: speed-up of the operation it changes", ylabel="speed-up (× faster; < 1: slower)")
ax.legend(title="problem")
fig.tight_layout()
plt.show()

# %% [markdown]
# (This figure is drawn from the timings above, so it changes with every run.) Each bar compares one
# operation before and after its idea — not whole steps. Tall orange bars are no contradiction: on XOR they
# compare operations of a few microseconds, and what the ideas save there is a tiny allocation or a few calls,
# microseconds at most. On the big problem they save passes over hundreds of megabytes. Whether either matters
# depends on how much of the whole step the operation is — the next section measures whole steps.
#
# ## 8. All together: the fast step, in blocks
#
# Here is the whole step with the four ideas, written out once more as reference code (it does not use your
# exercise functions, so the rest of the notebook runs even if an exercise is unfinished). Besides
# `forward_into`'s two buffers it needs one more (N, H) buffer for `dZ1` and one (N, 1) for `dZ2`. Three more
# details:
# - `dA1 = dZ2 @ W2.T` is a product of an (N, 1) column and a (1, H) row — an *outer* product; we write it as
#   the elementwise product `dZ2 * W2.T` (broadcasting does the rest) straight into the `dZ1` buffer;
# - after `dW2 = A1.T @ dZ2`, `A1` is only needed for $\sigma'(Z_1) = A_1 (1 - A_1)$, so we overwrite it with
#   $1 - A_1$ rather than allocating an array for it;
# - **blocks that fit in the cache** — one last idea. Even with buffers, each of the step's dozen elementwise
#   operations streams a 100–200 MB array from the computer's main memory and back. The processor keeps
#   recently used data in its *cache*, a few megabytes that it reads many times faster. So `fast_step` can walk
#   through the batch in blocks of rows, as many as its buffers have: the whole forward and backward pass of
#   one block runs while the block is in the cache, and the gradients of the blocks are added up. Every
#   gradient is a sum over the samples, so this is *exactly* the full-batch step — not mini-batches: the
#   weights change once, after the last block. With buffers of N rows there is a single block.
#
# $$
# dW_1 = X^\top dZ_1 = \sum_{\text{blocks } k} X_k^\top \, dZ_{1,k}
# $$

# %%
def make_buffers(rows: int, H: int, dtype=np.float64) -> dict:
    """The work arrays of fast_step for blocks of `rows` samples and H hidden units, allocated once."""
    return {"A1": np.empty((rows, H), dtype), "dZ1": np.empty((rows, H), dtype),
            "y_hat": np.empty((rows, 1), dtype), "dZ2": np.empty((rows, 1), dtype), "ones": np.ones(rows, dtype)}


def fast_step(X: np.ndarray, y: np.ndarray, params: dict, lr: float, buffers: dict) -> float:
    """textbook_step with reused buffers, in-place operations, the fused output gradient and ones @ dZ1,
    computed in blocks of as many rows as the buffers have; updates params in place, returns the loss.

    X (N, 2), y (N, 1); params as in textbook_step; buffers from make_buffers(rows, H, X.dtype).
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N, rows = len(X), len(buffers["A1"])
    grads = {name: np.zeros_like(value) for name, value in params.items()}   # sums over the blocks
    loss = 0.0
    for start in range(0, N, rows):
        X_block, y_block = X[start:start + rows], y[start:start + rows]     # views, no copies
        n = len(X_block)                                                    # the last block may be shorter
        A1, y_hat, dZ1, dZ2 = (buffers[name][:n] for name in ["A1", "y_hat", "dZ1", "dZ2"])
        np.matmul(X_block, W1, out=A1)                            # A1 holds Z1, (n, H)
        A1 += b1
        sigmoid_into(A1, out=A1)                                  # A1 = sigmoid(Z1)
        np.matmul(A1, W2, out=y_hat)                              # (n, 1)
        y_hat += b2
        sigmoid_into(y_hat, out=y_hat)
        loss -= np.sum(y_block * np.log(y_hat) + (1 - y_block) * np.log(1 - y_hat)) / N
        np.subtract(y_hat, y_block, out=dZ2)                      # fused: dZ2 = (y_hat - y) / N,
        dZ2 /= N                                                  # N of the whole batch
        grads["W2"] += A1.T @ dZ2                                 # (H, 1)
        grads["b2"] += dZ2.sum(axis=0)                            # (1,)
        np.multiply(dZ2, W2.T, out=dZ1)                           # dA1 = dZ2 @ W2.T, an outer product
        dZ1 *= A1
        np.subtract(1.0, A1, out=A1)                              # A1 now holds 1 - A1
        dZ1 *= A1                                                 # dZ1 = dA1 * A1 * (1 - A1)
        grads["W1"] += X_block.T @ dZ1                            # (2, H)
        grads["b1"] += buffers["ones"][:n] @ dZ1                  # (H,) = dZ1.sum(axis=0)
    for name in params:
        params[name] -= lr * grads[name]
    return float(loss)


# %% [markdown]
# Before timing anything: does it compute the same step? One step from the same weights, in `float64`, on a
# batch of 1,000 samples: the textbook step, the fast step in one block, and in blocks of 300 rows (the last
# block has 100). Then the largest difference between the updates, relative to the textbook's.

# %%
X_same, y_same, params_start = big_problem(N=1_000, H=64, seed=5)
for label, rows in [("one block of 1000 rows", 1_000), ("blocks of 300 rows", 300)]:
    params_textbook = {name: value.copy() for name, value in params_start.items()}
    params_fast = {name: value.copy() for name, value in params_start.items()}
    loss_textbook = textbook_step(X_same, y_same, params_textbook, lr=0.5)
    loss_fast = fast_step(X_same, y_same, params_fast, lr=0.5, buffers=make_buffers(rows, 64))
    worst = max(np.max(np.abs(params_fast[n] - params_textbook[n]))
                / np.max(np.abs(params_textbook[n] - params_start[n])) for n in params_start)
    print(f"{label:22s}: losses {loss_textbook:.10f} and {loss_fast:.10f}; "
          f"largest relative difference of the updates {worst:.0e}")

# %% [markdown]
# The same step, to rounding. Now the race, in one run: the textbook step; the fast step in `float64` (ideas
# 1, 2 and 4) and in `float32` (all four), each in a single block; the fast `float32` step in blocks of
# 4,096 rows; and — if PyTorch is installed on your machine; this series never needs it — the same step in
# PyTorch, `float32` on the processor, with its automatic gradients. Each contender starts from the same
# weights.

# %%
try:
    import torch
except ImportError:
    torch = None


def torch_step(X, y, params: dict, lr: float) -> float:
    """The same SGD step in PyTorch: autograd computes the gradients (float32 tensors)."""
    Z2 = torch.sigmoid(X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    loss = torch.nn.functional.binary_cross_entropy_with_logits(Z2, y)
    loss.backward()
    with torch.no_grad():
        for value in params.values():
            value -= lr * value.grad
            value.grad = None
    return loss.item()


def contenders(X: np.ndarray, y: np.ndarray, params: dict) -> dict:
    """{name: a function that runs one training step}, each with its own copy of the data and weights."""
    N, H = X.shape[0], params["W1"].shape[1]
    p64 = {name: value.copy() for name, value in params.items()}
    p_fast = {name: value.copy() for name, value in params.items()}
    p32 = {name: value.astype(np.float32) for name, value in params.items()}
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    p_blocks = {name: value.copy() for name, value in p32.items()}
    b64, b32 = make_buffers(N, H, np.float64), make_buffers(N, H, np.float32)
    b_blocks = make_buffers(min(N, 4096), H, np.float32)
    steps = {"textbook (float64)": lambda: textbook_step(X, y, p64, 0.1),
             "fast (float64)": lambda: fast_step(X, y, p_fast, 0.1, b64),
             "fast (float32)": lambda: fast_step(X32, y32, p32, 0.1, b32),
             "fast (float32, blocks)": lambda: fast_step(X32, y32, p_blocks, 0.1, b_blocks)}
    if torch is not None:
        tensors = {name: torch.tensor(value, dtype=torch.float32, requires_grad=True)
                   for name, value in params.items()}
        Xt, yt = torch.from_numpy(X32), torch.from_numpy(y32)
        steps["PyTorch (float32)"] = lambda: torch_step(Xt, yt, tensors, 0.1)
    return steps


# %% tags=["nbval-ignore-output"]
# Timing: every contender on the big problem (100,000 × 256) and on XOR, in one run.
race = {}
for problem, (X, y, params), number in [("big", big_problem(), 1), ("XOR", xor_problem(), 300)]:
    steps = contenders(X, y, params)
    race[problem] = {name: best_time(step, number) for name, step in steps.items()}
    baseline = race[problem]["textbook (float64)"]
    print(f"{problem}:")
    for name, seconds in race[problem].items():
        loss = steps[name]()      # one more step: every contender has taken the same steps
        print(f"  {name:22s} {readable(seconds):>9s} per step   {baseline / seconds:5.2f}× the textbook speed"
              f"   loss {loss:.4f}")
if torch is None:
    print("(PyTorch is not installed here: pip install torch adds it to the race)")

# %% tags=["nbval-ignore-output"]
# Drawing only: the race, as speed relative to the textbook step.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharex=False)
for ax, (problem, times) in zip(axes, race.items(), strict=True):
    names = list(times)
    speed = [times["textbook (float64)"] / times[name] for name in names]
    ax.barh(np.arange(len(names))[::-1], speed, color=[BLUE, ORANGE, GREEN, PURPLE, "0.4"][: len(names)])
    ax.set_yticks(np.arange(len(names))[::-1], names)
    ax.axvline(1.0, color="black", lw=0.8)
    ax.set(title=f"{problem}: {'100,000 × 256' if problem == 'big' else '4 × 4'}",
           xlabel="speed relative to the textbook step (×)")
fig.suptitle("One training step, measured in one run")
fig.tight_layout()
plt.show()

# %% [markdown]
# All contenders report the same loss (to the 4 digits shown): they take the same steps. On the big problem
# the fast `float32` steps are the clear winners over the textbook step (your table gives the factors on your
# machine). Whether the blocks add to the lead depends on your processor's cache and on how busy the machine
# is: compare the last two lines (and try other block sizes, exercise 3 at the end). On XOR, whatever the table says is a matter of microseconds: the fast step saves a few NumPy calls
# (the fused gradient) and a few tiny allocations, which is all there is to save when the arithmetic takes
# nanoseconds; `float32` cannot help there. If PyTorch ran, compare its two results: on XOR it pays a larger
# fixed cost per step than NumPy (it records every operation for its automatic gradients); on the big problem
# it runs each operation in optimised code on all the processor's cores, but, like the textbook step, it
# creates a new array for every intermediate result.
#
# ## 9. When does it pay?
#
# Between XOR and 100,000 samples lies everything else. The same two steps (256 hidden units) for batch sizes
# from 4 to 16,384, as time **per sample**:

# %% tags=["nbval-ignore-output"]
# Timing: the textbook step and the fast float32 step in blocks, for a range of batch sizes, 256 hidden units.
batch_sizes = [4, 16, 64, 256, 1024, 4096, 16384]
per_sample = {"textbook (float64)": [], "fast (float32, blocks)": []}
for N in batch_sizes:
    steps = contenders(*big_problem(N=N, H=256, seed=6))
    number = max(1, 4096 // N)                   # about 4,096 samples per run, whatever the batch size
    for name in per_sample:
        per_sample[name].append(best_time(steps[name], number, repeat=5) / N)
ratio = np.array(per_sample["textbook (float64)"]) / np.array(per_sample["fast (float32, blocks)"])
print("batch size:", batch_sizes)
print("speed-up of the fast step:", np.round(ratio, 2).tolist())

# %% tags=["nbval-ignore-output"]
# Drawing only: time per sample against batch size.
fig, ax = plt.subplots(figsize=(7, 4))
for (name, times), colour in zip(per_sample.items(), [BLUE, GREEN], strict=True):
    ax.loglog(batch_sizes, np.array(times) * 1e6, "o-", color=colour, label=name)
ax.set(title="Cost per sample of one step (2-256-1 network)", xlabel="batch size N (log scale)",
       ylabel="µs per sample (log scale)")
ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the curves from the left: for the smallest batches the cost per sample falls almost as $1/N$ — a step
# costs about the same whatever its size, because it is made of fixed costs — and the two steps are close.
# As the batch grows, arithmetic and memory traffic take over and the curves flatten out; the printed
# speed-ups show where the fast step pulls ahead on your machine. (The points wobble: each is the fastest of
# five short runs, on a machine that may be doing other things too.)
#
# That is also why `nnlib`, the library of this series, stays the textbook version: at the batch sizes the
# notebooks use, the fast step would make its code much harder to read for little gain.

# %% [markdown]
# ## Summary
#
# - **Measure before optimising**: `%timeit` (or `timeit.repeat`, taking the fastest run) for the whole step,
#   then a stopwatch per line to see where the time goes. The answer is rarely where one expects: on a big
#   batch the elementwise lines cost more than the matrix products.
# - **Big batches are limited by memory traffic.** Reusing **buffers** (`out=`, `+=`, `*=`), **fusing**
#   sigmoid with BCE ($dZ_2 = (\hat y - y)/N$, which is also free of `0/0`), and **`float32`** (half the bytes)
#   each remove work; a bias sum as `ones @ dZ1` may or may not beat `dZ1.sum(axis=0)` — measure. Walking
#   through the batch in **cache-sized blocks** and adding up their gradients gives the same full-batch step
#   with far less traffic to main memory.
# - **Tiny batches are limited by the fixed cost of each NumPy call** (a microsecond or a few): there is no
#   memory traffic to save on XOR, only calls and tiny allocations — microseconds.
# - Nothing was added to `nnlib`: it keeps the one-line-per-formula code of notebooks 02–04 on purpose, and
#   this notebook's `fast_step` shows what speed costs in readability.
#
# ## Exercises
#
# 1. **Bias and weights in one product.** Append a column of ones to `X` once, `X1 = np.hstack([X, ones])`
#    of shape (N, 3). Then `X1.T @ dZ1` has shape (3, H): its first two rows are `dW1`, its last row is
#    `db1`. Use it in `fast_step` and measure: one pass over `dZ1` instead of two.
# 2. **Fewer hidden units.** Repeat the race with `H = 16` on 100,000 samples. Which ideas still pay?
# 3. **Block size.** Time `fast_step` on the big problem with blocks of 256, 1,024, 4,096, 16,384 and
#    100,000 rows, and plot the time against the block size. Where is the sweet spot on your machine? (Blocks
#    too small pay the fixed costs of the NumPy calls many times; blocks too large leave the cache.)
# 4. **The fused loss.** The loss can be fused too: with $Z_2$ kept, $L = \text{mean}(\log(1 + e^{Z_2}) - y
#    Z_2)$, which `np.logaddexp(0, Z2) - y * Z2` computes without overflow. Check it against the textbook loss
#    and make `fast_step` use it.
# 5. **Threads.** Run the notebook with the environment variable `OPENBLAS_NUM_THREADS=1` (set before NumPy is
#    imported). Which timings change? (Only BLAS operations — the matrix products — use several threads.)
#
# [← 07 Capstone](07_capstone_digits.ipynb) | [Contents](00_start_here.ipynb)
