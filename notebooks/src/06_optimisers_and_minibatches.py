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
# [← 05 Playground](05_playground.ipynb) | [Contents](00_start_here.ipynb) | [07 Capstone: handwritten digits
# →](07_capstone_digits.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/06_optimisers_and_minibatches.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/06_optimisers_and_minibatches.ipynb)
#
# # 6. Optimisers and mini-batches
#
# Plain gradient descent walks downhill one careful step at a time; momentum and Adam walk smarter, and
# mini-batches let them take many more steps for the same amount of work.
#
# **You will learn** in this notebook
# - the update rules of SGD, SGD with momentum and Adam — exactly as PyTorch (and `nnlib`) computes them;
# - what each optimiser's path looks like on a loss surface you can see, and on a real training run;
# - how the batch size trades the number of updates against the noise and cost of each update;
# - why the training data must be shuffled before it is cut into mini-batches.
#
# **Prerequisites**: [04 Training on XOR](04_training_on_xor.ipynb) (the gradient-descent loop, the learning
# rate). You should know what `net.loss_and_grads(X, y)` returns: the loss and a dict of gradients with the
# same keys and shapes as `net.params`.

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

import matplotlib.pyplot as plt
import numpy as np

import nnlib
from nnlib import data
from nnlib.views import plots

from classroom.checks import nb06 as checks  # the exercises' checks

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
BLUE, ORANGE, GREEN, PURPLE = "#0072B2", "#E69F00", "#009E73", "#CC79A7"  # Okabe-Ito: colour-blind safe

# %% [markdown]
# ## 1. The problem: two moons
#
# Every optimiser in this notebook solves the same task: separate the two interleaving half-moons of
# `nnlib.data.moons`. It is small enough to train in a fraction of a second and curved enough to need a hidden
# layer. We keep 400 points for training.

# %%
X, y = data.moons(400, noise=0.2, seed=0)   # X (400, 2), y (400,) in {0, 1}
print("X:", X.shape, " y:", y.shape, " samples per class:", np.bincount(y).tolist())

# %% tags=["nbval-ignore-output"]
# Drawing only: the data.
plots.plot_data(X, y, title="Two moons: 400 training points")
plt.show()

# %% [markdown]
# ## 2. Three update rules
#
# Every optimiser does the same thing after each backward pass: it takes the gradient $g$ of the loss with
# respect to a parameter array (say `W1`, so $g$ = `dW1`) and changes the array a little. They differ in *how
# much* and *in which direction*. Below, $t = 1, 2, 3, \dots$ counts the updates, and every operation on
# arrays is elementwise.
#
# ### SGD: a step against the gradient
#
# $$
# W \leftarrow W - \mathrm{lr} \cdot g_t
# $$
#
# The same learning rate for every parameter, and no memory: each step uses only today's gradient. On a long,
# narrow valley this is slow — the gradient points mostly *across* the valley, so the steps zig-zag from wall
# to wall while creeping along its floor.
#
# ### SGD with momentum: a ball that rolls
#
# Keep a running sum of past gradients, the **momentum buffer** $b$ (also called the *velocity*), and step
# along it instead of along $g$:
#
# $$
# b_1 = g_1, \qquad b_t = \mu \, b_{t-1} + g_t \quad (t > 1), \qquad W \leftarrow W - \mathrm{lr} \cdot b_t
# $$
#
# with `momentum` $\mu$ typically $0.9$. Gradients that keep pointing the same way add up (on a steady slope
# the step grows towards $\mathrm{lr} / (1 - \mu)$, ten times the SGD step for $\mu = 0.9$); gradients that flip sign
# from step to step cancel. So the zig-zag across a valley is damped while the motion along it speeds up.
#
# This is exactly `torch.optim.SGD(momentum=μ)` (with its default `dampening=0`), and exactly `nnlib.SGD`: the
# buffer **starts as the first gradient** itself. Because $\mu \cdot 0 + g_1 = g_1$, starting from a buffer of
# zeros gives the same numbers with this rule. Other texts write the buffer as an *average*,
# $b_t = \mu b_{t-1} + (1 - \mu) g_t$ starting from zero; that version takes steps $(1-\mu)$ times as large
# (ten times smaller for $\mu = 0.9$), so the same `lr` means something different. Yet other texts fold the
# learning rate into a velocity $v_t = \mu v_{t-1} - \mathrm{lr} \cdot g_t$, $W \leftarrow W + v_t$: with a constant
# `lr` that is $v_t = -\mathrm{lr} \cdot b_t$, the same steps.
#
# ### Adam: a step size for every parameter
#
# Adam keeps *two* running averages per parameter: $m$ of the gradient (like momentum) and $v$ of the squared
# gradient (how large the gradient usually is). Both start at zero, with $t = 1$ at the first update:
#
# $$
# m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t, \qquad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^2
# $$
#
# $$
# \hat m_t = \frac{m_t}{1 - \beta_1^{\,t}}, \qquad \hat v_t = \frac{v_t}{1 - \beta_2^{\,t}}, \qquad
# W \leftarrow W - \mathrm{lr} \cdot \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}
# $$
#
# with `betas` $= (\beta_1, \beta_2) = (0.9, 0.999)$ and `eps` $\epsilon = 10^{-8}$ by default.
# - **Dividing by $\sqrt{\hat v_t}$** makes the step size independent of the gradient's scale: a parameter
#   whose gradients are always tiny gets as large a step as one whose gradients are huge. Each step is about
#   $\mathrm{lr}$ long in every coordinate — Adam's `lr` is a step length, not a multiplier of the gradient.
# - **The bias correction** $1 - \beta^t$ fixes the zero start: after one step $m_1 = (1 - \beta_1) g_1$ is
#   ten times too small, and $m_1 / (1 - \beta_1) = g_1$ is right. It matters in the first few hundred steps
#   (for $\beta_2 = 0.999$, $1 - \beta_2^t$ is still only $0.1$ at $t = 105$) and fades away afterwards.
# - **$\epsilon$ is added after the square root**, only to avoid dividing by zero.
#
# This is `torch.optim.Adam` and `nnlib.Adam`. (Inside, `nnlib.Adam` groups the same arithmetic as PyTorch
# does, `lr / (1 - β1^t) * m / (sqrt(v) / sqrt(1 - β2^t) + eps)` — the formula above rearranged, so the
# numbers agree.)
#
# All three take a dict of parameter arrays and a dict of gradients and change the arrays **in place**:
#
# ```python
# opt = nnlib.SGD(lr=0.1, momentum=0.9)    # or nnlib.Adam(lr=0.01)
# loss, grads = net.loss_and_grads(X, y)
# opt.step(net.params, grads)              # net.params["W1"] etc. are updated in place
# ```

# %% [markdown]
# ## 3. Seeing the paths: a loss surface with two parameters
#
# A network's loss depends on hundreds of numbers, so we cannot draw it. To *see* what the optimisers do,
# shrink the model until it has only two parameters: **one linear neuron without bias**, $\hat y = X w$ with
# $w = (w_1, w_2)$, fitted to the (centred) labels with the mean squared error of notebook 03. Its loss is an
# exact bowl over the plane $(w_1, w_2)$, and each optimiser's path is a line on it.
#
# One deliberate twist: we measure the second feature in different units (×8, like centimetres next to
# decimetres). Nothing about the problem changes, but the bowl becomes a long, narrow valley, about 28 times
# more curved across than along (the curvature grows with the *square* of a feature's scale). This is the
# terrain where plain SGD struggles, and it is common: features in different units, or layers whose gradients
# differ in size.

# %%
X_tiny = (X - X.mean(axis=0)) * np.array([1.0, 8.0])   # (400, 2): centred, second feature ×8
y_tiny = y - y.mean()                                   # (400,): centred labels, so no bias is needed


def tiny_loss_and_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
    """MSE of y_hat = X_tiny @ w and its gradient. w (2,) -> (float, (2,))."""
    y_hat = X_tiny @ w                                  # (400, 2) @ (2,) -> (400,)
    loss = nnlib.losses.mse(y_hat, y_tiny)
    dw = 2 * X_tiny.T @ (y_hat - y_tiny) / len(y)       # (2, 400) @ (400,) -> (2,)
    return loss, dw


def follow(optimizer, w_start: np.ndarray, num_steps: int) -> tuple[np.ndarray, list[float]]:
    """num_steps updates from w_start with an nnlib optimiser: the path (num_steps + 1, 2) and the losses."""
    params = {"w": w_start.copy()}
    path, losses = [w_start.copy()], []
    for _ in range(num_steps):
        loss, dw = tiny_loss_and_grad(params["w"])
        optimizer.step(params, {"w": dw})      # updates params["w"] in place
        path.append(params["w"].copy())
        losses.append(loss)
    return np.array(path), losses


w_start = np.array([-2.5, 0.2])
optimizers = {"SGD (lr 0.05)": nnlib.SGD(lr=0.05),
              "momentum 0.9 (lr 0.008)": nnlib.SGD(lr=0.008, momentum=0.9),
              "Adam (lr 0.1)": nnlib.Adam(lr=0.1)}
runs = {name: follow(opt, w_start, num_steps=50) for name, opt in optimizers.items()}
for name, (_, losses) in runs.items():
    print(f"{name:24s} loss after 10 steps {losses[9]:.3f}, after 50 steps {losses[-1]:.3f}")

# %% [markdown]
# The learning rates differ on purpose. For SGD, 0.05 is about the largest that works here: the steep
# direction makes any `lr` above $2 / \text{curvature} \approx 0.053$ blow up. Momentum does *not* need a
# smaller rate to stay stable — with $\mu = 0.9$ it is stable up to $2(1 + \mu) / \text{curvature} \approx
# 0.10$, almost twice SGD's limit — but it gathers speed: along the gentle floor of the valley its steps grow
# to up to $1/(1-\mu) = 10$ times $\mathrm{lr} \cdot g$, and it swings. We give it a small rate, 0.008, so
# that its swings are easy to follow in the picture, not because a larger one would fail (Exercise 1 tries
# larger ones). Adam's `lr` is a step length. Now the picture: the contour lines are lines of equal loss, the
# centre of the ellipses is the minimum.

# %% tags=["nbval-ignore-output"]
# Drawing only: the loss surface with the three paths, and the loss per step.
w1_grid, w2_grid = np.linspace(-2.8, 3.0, 120), np.linspace(-1.0, 0.8, 100)
surface = np.array([[tiny_loss_and_grad(np.array([a, b]))[0] for a in w1_grid] for b in w2_grid])
fig, (ax_path, ax_loss) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1.6, 1]})
ax_path.contour(w1_grid, w2_grid, surface, levels=np.geomspace(surface.min(), surface.max(), 20),
                cmap="viridis", linewidths=0.8)
for (name, (path, losses)), colour in zip(runs.items(), [BLUE, ORANGE, GREEN], strict=True):
    ax_path.plot(path[:, 0], path[:, 1], "o-", ms=2.5, lw=1.2, color=colour, label=name)
    ax_loss.plot(np.arange(1, len(losses) + 1), losses, color=colour, label=name)
ax_path.plot(*w_start, "ks", label="start")
ax_path.set(title="Paths on the loss surface", xlabel="$w_1$", ylabel="$w_2$ (feature 2 ×8)",
            xlim=(w1_grid[0], w1_grid[-1]), ylim=(w2_grid[0], w2_grid[-1]))
ax_path.legend(fontsize="small", loc="upper right")
ax_loss.set(title="Loss per step", xlabel="step t", ylabel="MSE loss (log scale)", yscale="log")
ax_loss.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# What to look for:
# - **SGD** zig-zags from wall to wall across the narrow direction — its `lr` is as large as that direction
#   allows — while it creeps along the floor, where the gradient (and so its step) is small.
# - **Momentum** smooths the zig-zag: the gradients across the valley flip sign every step and cancel in the
#   buffer, while those along the floor add up. It swings past the minimum and back, like a heavy ball in a
#   bowl; too much speed is its typical failure, and $\mu < 1$ damps it.
# - **Adam** does not bounce between the walls: because it divides by each coordinate's typical gradient
#   size, it takes similar-sized steps in $w_1$ and $w_2$ although the loss is far steeper in $w_2$ — first
#   diagonally down to the valley floor, then along it. The ×8 units do not bother it. Near the minimum its
#   steps (about `lr` long) make it jitter a little.
#
# The loss curves are more modest than the paths: on a perfect bowl, SGD at its largest stable `lr` is hard to
# beat, and momentum's swings show up as bumps. The paths show *how* each one moves; which one wins depends on
# the problem and on tuning. None of them is best on every problem; on real networks, Adam with its default
# betas is a robust first choice, and well-tuned SGD with momentum often generalises as well or better. The
# next sections put them on a real network.

# %% [markdown]
# ## 4. Exercise: the momentum update
#
# Write one update of SGD with momentum for every array in `params`. `velocity` is a dict that holds the
# momentum buffer $b$ of every parameter; it starts **empty**, so the first call must create the buffers.
# Change `params` and `velocity` in place and return nothing, as `nnlib.SGD.step` does.
#
# Two traps, both about arrays that share memory:
# - the buffer must be a **copy** of the first gradient (`.copy()`): if it *is* the gradient array, updating
#   the buffer in place also changes the gradient (which may be used again, or belong to someone else);
# - update the parameter arrays **in place** (`params[name] -= …`), not by rebinding the dict entry
#   (`params[name] = params[name] - …` makes a new array; the network and the training loop still hold the old
#   one).

# %%
def momentum_step(params: dict, grads: dict, velocity: dict, lr: float, momentum: float) -> None:
    """One step of SGD with momentum (torch.optim.SGD): b = g at first, then b = momentum*b + g; W -= lr*b.

    params, grads: dicts of arrays with the same keys and shapes, e.g. {"W1": (D, H), "b1": (H,)}.
    velocity: dict of momentum buffers (same shapes), empty before the first step. Updates params and velocity
    in place; returns None.
    """
    for name in params:
        ### BEGIN SOLUTION
        if name not in velocity:
            velocity[name] = grads[name].copy()   # a copy: the buffer must not share memory with the gradient
        else:
            velocity[name] *= momentum
            velocity[name] += grads[name]
        params[name] -= lr * velocity[name]
        ### END SOLUTION


# %% [markdown]
# The check runs your function for four steps on small problems — the fourth step reuses the first step's
# gradient arrays, which catches a buffer that shares memory with a gradient — with two learning rates and two
# momentum factors, and compares the parameters after every step with PyTorch's rule. To watch your function
# yourself, `optimizer_trajectory` below runs any `step(params, grads)` for four steps on a 2×2 weight `W` and a
# bias `b`; row `t` of its result holds the 6 parameters after step `t + 1`.

# %%
def optimizer_trajectory(step, num_steps: int = 4) -> np.ndarray:
    """Call step(params, grads) num_steps times on a fixed small problem; the parameters after each step.

    Returns (num_steps, 6): W (2, 2) and b (2,) flattened, read from the *original* arrays (in-place updates).
    """
    check_rng = np.random.default_rng(42)
    params = {"W": np.array([[0.5, -1.0], [2.0, 0.0]]), "b": np.array([0.1, -0.3])}
    W, b = params["W"], params["b"]                     # the original arrays
    grad_list = [{"W": check_rng.normal(size=(2, 2)), "b": check_rng.normal(size=2)}
                 for _ in range(num_steps - 1)]
    grad_list.append(grad_list[0])                      # the same arrays again
    rows = []
    for grads in grad_list:
        step(params, grads)
        rows.append(np.concatenate([W.ravel(), b]))
    return np.array(rows)


# %%
checks.momentum_step()

# %% [markdown]
# ## 5. Exercise: the Adam update
#
# Now Adam. Its state lives in a dict made by `adam_state(params)` below: the step counter `t` (0 before the
# first step) and the two running averages `m` and `v` (zeros). Increase `t` first, so that the first update
# uses $t = 1$; then follow the formulas of section 2 for every parameter. Change `params` and `state` in
# place.

# %%
def adam_state(params: dict) -> dict:
    """Adam's state before the first step: {"t": 0, "m": zeros like params, "v": zeros like params}."""
    return {"t": 0,
            "m": {name: np.zeros_like(param) for name, param in params.items()},
            "v": {name: np.zeros_like(param) for name, param in params.items()}}


def adam_step(params: dict, grads: dict, state: dict, lr: float, betas: tuple[float, float],
              eps: float) -> None:
    """One step of Adam, as torch.optim.Adam (no weight decay).

    m = β1 m + (1 − β1) g;  v = β2 v + (1 − β2) g²;  m_hat = m / (1 − β1^t);  v_hat = v / (1 − β2^t);
    W −= lr · m_hat / (sqrt(v_hat) + eps), with t = 1 at the first step.
    params, grads: dicts of arrays with the same keys and shapes; state from adam_state(params).
    Updates params and state in place; returns None.
    """
    beta1, beta2 = betas
    ### BEGIN SOLUTION
    state["t"] += 1
    t = state["t"]
    for name in params:
        g = grads[name]
        state["m"][name] = beta1 * state["m"][name] + (1 - beta1) * g
        state["v"][name] = beta2 * state["v"][name] + (1 - beta2) * g**2
        m_hat = state["m"][name] / (1 - beta1**t)
        v_hat = state["v"][name] / (1 - beta2**t)
        params[name] -= lr * m_hat / (np.sqrt(v_hat) + eps)
    ### END SOLUTION


# %% [markdown]
# The check uses deliberately large values of `eps` (0.1 and 0.05), so that *where* $\epsilon$ sits in the
# formula shows in the numbers (with $10^{-8}$, a misplaced $\epsilon$ would hide below the rounding), and
# two pairs of `betas`.

# %%
checks.adam_step()

# %% [markdown]
# From here on the notebook uses `nnlib.SGD` and `nnlib.Adam`, which compute exactly what your two functions
# compute (the checks above compared them step by step).
#
# ## 6. The optimisers on a real network
#
# Back to the full problem: a 2-16-16-1 network with tanh hidden units, a sigmoid output and the binary
# cross-entropy loss, trained full-batch (every update sees all 400 points) for 300 epochs. Each optimiser
# starts from **the same initial weights** (`seed=0`), so the curves differ only by the update rule.


# %%
def make_net() -> nnlib.MLP:
    """The 2-16-16-1 network of this section, always with the same initial weights."""
    return nnlib.MLP([2, 16, 16, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)


contenders = {"SGD (lr 0.5)": nnlib.SGD(lr=0.5),
              "momentum 0.9 (lr 0.5)": nnlib.SGD(lr=0.5, momentum=0.9),
              "Adam (lr 0.01)": nnlib.Adam(lr=0.01)}
histories, nets = {}, {}
for name, opt in contenders.items():
    nets[name] = make_net()
    histories[name] = nnlib.train(nets[name], X, y, opt, epochs=300)
    print(f"{name:22s} final loss {histories[name].loss[-1]:.4f}, accuracy {nets[name].accuracy(X, y):.1%}")

# %% tags=["nbval-ignore-output"]
# Drawing only: loss curves and the three decision boundaries.
fig, axes = plt.subplots(1, 4, figsize=(10, 2.8), gridspec_kw={"width_ratios": [1.4, 1, 1, 1]})
for (name, history), colour in zip(histories.items(), [BLUE, ORANGE, GREEN], strict=True):
    axes[0].plot(np.arange(1, len(history.loss) + 1), history.loss, color=colour, label=name)
axes[0].set(title="Training loss", xlabel="epoch (= update)", ylabel="BCE loss (log scale)", yscale="log")
axes[0].legend(fontsize="x-small")
for ax, name in zip(axes[1:], nets, strict=True):
    plots.plot_decision_boundary(nets[name], X, y, ax=ax)
    ax.set_title(name, fontsize="small")
    ax.get_legend().remove()
fig.tight_layout()
plt.show()

# %% [markdown]
# All three first sit on a **plateau** near a loss of 0.3, where the boundary is still almost straight (the
# flat stretch of the curves). Momentum, with the same `lr` as SGD, leaves it first (its loss is below 0.2
# after 40 epochs); Adam, with a learning rate fifty times smaller, after about 150 — its step length does not
# depend on the size of the gradient; plain SGD last, after about 180, and it is still working its way down
# at epoch 300. The three boundaries end up similar: the optimisers differ in how fast they get there.
#
# ## 7. Mini-batches: more updates for the same work
#
# So far every update used all $N = 400$ samples. But the gradient of the mean loss over a random
# **mini-batch** of `batch_size` samples is an *estimate* of the full gradient: right on average, a bit noisy.
#
# $$
# g_t = \frac{1}{\text{batch\_size}} \sum_{i \in \text{batch } t} \nabla_W L_i
# $$
#
# One **epoch** — one pass over the training set — then gives $\lceil N / \text{batch\_size} \rceil$ updates
# instead of one, for about the same number of floating-point operations. Three choices, each trained for 20
# epochs with SGD (momentum 0.9) from the same initial weights, each with a learning rate that suits it:
# - full batch (`batch_size=None`): 1 update per epoch, exact gradients;
# - mini-batches of 32: 13 updates per epoch, slightly noisy gradients;
# - batch size 1 ("pure" stochastic gradient descent): 400 updates per epoch, very noisy gradients, and every
#   update pays Python's and NumPy's fixed cost per call for a single sample.
#
# The noisier the gradient, the smaller the learning rate it tolerates: we use `lr` 0.5, 0.1 and 0.005.
#
# `nnlib.train(..., batch_size=32, seed=0)` shuffles the samples at the start of every epoch (section 8 shows
# why) and cuts them into batches. A callback records the wall-clock time after each epoch.

# %% tags=["nbval-ignore-output"]
# Timing: the numbers printed here depend on the machine.
batch_runs = {}
settings = [("full batch (400)", None, 0.5), ("batch size 32", 32, 0.1), ("batch size 1", 1, 0.005)]
for label, batch_size, lr in settings:
    net = make_net()
    times, started = [], time.perf_counter()    # wall-clock seconds at the end of each epoch

    def record_time(epoch, history, times=times, started=started):
        times.append(time.perf_counter() - started)

    history = nnlib.train(net, X, y, nnlib.SGD(lr=lr, momentum=0.9), epochs=20, batch_size=batch_size, seed=0,
                          callback=record_time)
    updates_per_epoch = 1 if batch_size is None else int(np.ceil(len(y) / batch_size))
    batch_runs[label] = (history, np.array(times), updates_per_epoch)
    print(f"{label:17s} (lr {lr}) {20 * updates_per_epoch:5d} updates in {times[-1]:.2f} s, "
          f"final loss {history.loss[-1]:.3f}, accuracy {net.accuracy(X, y):.1%}")

# %% tags=["nbval-ignore-output"]
# Drawing only: the same three runs against epochs, against updates and against seconds.
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
for (label, (history, times, per_epoch)), colour in zip(batch_runs.items(), [BLUE, ORANGE, GREEN],
                                                       strict=True):
    epochs = np.arange(1, len(history.loss) + 1)
    axes[0].plot(epochs, history.loss, color=colour, label=label)
    axes[1].plot(epochs * per_epoch, history.loss, color=colour, label=label)
    axes[2].plot(times, history.loss, color=colour, label=label)
axes[0].set(title="Against epochs", xlabel="epoch", ylabel="training loss (log scale)", yscale="log")
axes[1].set(title="Against updates", xlabel="number of updates (log scale)", xscale="log")
axes[2].set(title="Against wall-clock time", xlabel="seconds (log scale)", xscale="log")
axes[0].legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# (The loss `nnlib.train` records for an epoch is the mean over that epoch's mini-batches, measured before
# each update — cheap to get, and close to the loss on the whole set.)
#
# Reading the three panels:
# - **Per epoch**, smaller batches win: they make many more updates from the same data.
# - **Per update**, the full batch is the best single step — its gradient is exact — but it takes far fewer of
#   them.
# - **Per second**, what you actually pay: batch size 1 makes 400 tiny NumPy calls per epoch, each dominated
#   by fixed overhead, so it is the slowest per epoch; mini-batches of 32 to 256 are the usual sweet spot,
#   since one matrix product on 32 rows costs hardly more than on one row. Their noise even helps a little to
#   escape flat regions.
#
# A rule of thumb: when you change the batch size, retune the learning rate (smaller batches, noisier
# gradients, usually a smaller `lr`).

# %% [markdown]
# ## 8. Why shuffling matters
#
# Data files are often **sorted**: all the examples of class 0, then all of class 1 (or by date, or by
# source). Cut such a file into mini-batches in order, and every batch holds a single class. The network is
# then taught "everything is class 0" for half an epoch, then "everything is class 1" for the other half, and
# it chases whichever class it saw last.
#
# To show it, here is a small training loop of our own that does *not* shuffle unless asked, and records the
# loss on the whole training set after every update. (`nnlib.train` always shuffles mini-batches; this loop is
# the same thing with the shuffle made optional.) Both runs below see the same sorted data, in batches of 32,
# for 20 epochs, with plain SGD (lr 0.5) from the same initial weights; only the order of the batches differs.
# (Momentum would blur the effect a little, since its buffer mixes the last ten or so batches.)


# %%
def train_recording(net, X, y, optimizer, num_epochs: int, batch_size: int, shuffle: bool,
                    rng) -> list[float]:
    """Mini-batch training; returns the loss on all of (X, y) after every update. X (N, D), y (N,)."""
    losses = []
    for _ in range(num_epochs):
        order = rng.permutation(len(y)) if shuffle else np.arange(len(y))   # a new order every epoch
        for start in range(0, len(y), batch_size):
            rows = order[start:start + batch_size]                          # (batch_size,) sample indices
            loss, grads = net.loss_and_grads(X[rows], y[rows])
            optimizer.step(net.params, grads)
            losses.append(net.loss(X, y))
    return losses


by_class = np.argsort(y, kind="stable")          # all class-0 samples first, then all class-1 samples
X_sorted, y_sorted = X[by_class], y[by_class]
print("labels of the first batch of 32:", y_sorted[:32].tolist())

shuffle_runs = {}
for label, shuffle in [("sorted, not shuffled", False), ("shuffled every epoch", True)]:
    net = make_net()
    losses = train_recording(net, X_sorted, y_sorted, nnlib.SGD(lr=0.5), num_epochs=20,
                             batch_size=32, shuffle=shuffle, rng=np.random.default_rng(0))
    shuffle_runs[label] = (net, losses)
    print(f"{label:21s} final loss {losses[-1]:.3f}, accuracy {net.accuracy(X, y):.1%}")

# %% tags=["nbval-ignore-output"]
# Drawing only: loss after every update, and the two decision boundaries.
fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), gridspec_kw={"width_ratios": [1.6, 1, 1]})
for (label, (_, losses)), colour in zip(shuffle_runs.items(), [ORANGE, BLUE], strict=True):
    axes[0].plot(np.arange(1, len(losses) + 1), losses, color=colour, label=label)
for epoch_start in range(0, 20 * 13, 13):
    axes[0].axvline(epoch_start + 0.5, color="0.85", lw=0.6, zorder=0)
axes[0].set(title="Loss on all 400 points after each update", xlabel="update (grey lines: new epoch)",
            ylabel="BCE loss (log scale)", yscale="log")
axes[0].legend(fontsize="small")
for ax, (label, (net, _)) in zip(axes[1:], shuffle_runs.items(), strict=True):
    plots.plot_decision_boundary(net, X, y, ax=ax)
    ax.set_title(label, fontsize="small")
    ax.get_legend().remove()
fig.tight_layout()
plt.show()

# %% [markdown]
# Without shuffling the loss saw-tooths with the period of an epoch: it rises while the batches of one class
# pull the boundary away from the other class, and the network ends wherever the last batch left it. With
# shuffling, every batch is a small, fair sample of both classes, and the loss falls far more steadily. Shuffle once
# and never again is better than nothing but still repeats the same batches; `nnlib.train` draws a fresh order
# every epoch from its `seed`, so a run is random *and* reproducible.

# %% [markdown]
# ## Summary
#
# - **SGD** steps against the gradient; **momentum** steps along a running sum $b_t = \mu b_{t-1} + g_t$
#   (starting at $b_1 = g_1$), which damps zig-zags and speeds up along valleys; **Adam** divides a
#   bias-corrected average of gradients by the root of a bias-corrected average of squared gradients, so every
#   parameter moves about `lr` per step whatever its gradient's scale.
# - `nnlib.SGD(lr, momentum)` and `nnlib.Adam(lr, betas, eps)` implement exactly `torch.optim.SGD` and
#   `torch.optim.Adam`; your `momentum_step` and `adam_step` matched them step by step.
#   `opt.step(params, grads)` updates the arrays in place.
# - **Mini-batches** give many cheap, slightly noisy updates per epoch; batch sizes of a few dozen are usually
#   fastest in wall-clock time. `nnlib.train(..., batch_size=32, seed=0)` does this for you.
# - **Shuffle** every epoch: batches cut from sorted data teach one class at a time and training oscillates.
#
# ## Exercises
#
# 1. In section 3, raise SGD's learning rate from 0.05 to 0.055, and the momentum run's from 0.008 to 0.02,
#    then to 0.1 and 0.11. What happens to each path and to the loss after 50 steps? Which run blows up, and
#    does that match the stability limits of section 3 (SGD: $2/\text{curvature}$; momentum:
#    $2(1 + \mu)/\text{curvature}$)?
# 2. Run Adam in section 3 with `betas=(0.0, 0.999)` (no average of the gradient, only of its square).
#    Describe the path. What is Adam's step then, roughly, in terms of the sign of the gradient?
# 3. Change `momentum_step` into the "averaged" form $b = \mu b + (1 - \mu) g$. Which learning rate makes it
#    take the same steps as `nnlib.SGD(lr=0.1, momentum=0.9)`? Check your answer with `optimizer_trajectory`.
# 4. In section 7, train with batch sizes 8, 64 and 128 as well, and plot the final loss against the batch
#    size after the same number of seconds.
# 5. In section 8, shuffle the data **once** before training (not every epoch). Is the loss curve closer to
#    the sorted or to the shuffled one?
#
# [← 05 Playground](05_playground.ipynb) | [Contents](00_start_here.ipynb) | [07 Capstone: handwritten digits
# →](07_capstone_digits.ipynb)
