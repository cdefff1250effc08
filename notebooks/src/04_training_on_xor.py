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
# [← 03 Loss and backpropagation](03_loss_and_backpropagation.ipynb) | [Contents](00_start_here.ipynb) |
# [05 Playground →](05_playground.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/04_training_on_xor.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/04_training_on_xor.ipynb)
#
# # 4. Training on XOR
#
# We put the pieces together — forward pass, loss, backward pass, a small step downhill, repeated — and
# watch a network learn XOR, then find out why some networks never can.
#
# **You will learn**
# - gradient descent: one training step, and the training loop around it;
# - how three classic "from scratch" networks compare on XOR, and why a network without a hidden layer cannot
#   learn it;
# - what a learning rate that is too small, right or too large looks like;
# - to watch training live, and to explore hidden units and learning rate with sliders.
#
# **Prerequisites** — notebook 03 (MSE, the backward pass and its gradients `dW1, db1, dW2, db2`).

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
import textwrap
import time

import matplotlib.pyplot as plt
import numpy as np

import nnlib
from nnlib.activations import sigmoid
from nnlib.views.plots import plot_decision_boundary, plot_loss

from classroom.checks import nb04 as checks  # the exercises' checks: checks.sgd_step() …

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
BLUE, ORANGE, PURPLE = "#0072B2", "#E69F00", "#CC79A7"  # from the Okabe-Ito palette: colour-blind safe

X, labels = nnlib.data.xor()               # X (4, 2), labels (4,) int
y = labels.reshape(-1, 1).astype(float)    # (4, 1), lined up with the outputs y_hat

# %% [markdown]
# ## 1. One step downhill
#
# The gradient $\partial L / \partial W_1$ from notebook 03 points in the direction in which the loss grows
# fastest. To make the loss smaller we move every parameter a little in the **opposite** direction:
#
# $$
# W_1 \leftarrow W_1 - \text{lr} \cdot dW_1, \qquad b_1 \leftarrow b_1 - \text{lr} \cdot db_1, \qquad
# W_2 \leftarrow W_2 - \text{lr} \cdot dW_2, \qquad b_2 \leftarrow b_2 - \text{lr} \cdot db_2 .
# $$
#
# The **learning rate** `lr` sets the size of the step. This is (full-batch) **gradient descent**; nnlib
# calls it `SGD`, the name it keeps when each step uses a random mini-batch instead of all the data
# (notebook 06).
#
# We update the arrays **in place** (`params["W1"] -= ...`), so that everything holding a reference to them —
# the network, an optimiser, a live plot — sees the new values. `params["W1"] = params["W1"] - ...` would
# instead put a *new* array in the dictionary and leave the network's old one untouched.

# %% [markdown]
# ### Exercise 1 — `sgd_step`
# Complete `sgd_step(params, grads, lr)`: update **every** array of `params` in place; return nothing.

# %%
def sgd_step(params, grads, lr):
    """One gradient-descent step, in place: params[name] -= lr * grads[name] for every name.

    params and grads: dicts with the same keys, e.g. {"W1": (2, 4), "b1": (4,), "W2": (4, 1), "b2": (1,)};
    lr: float > 0. Returns None.
    """
    ### BEGIN SOLUTION
    for name in params:
        params[name] -= lr * grads[name]
    ### END SOLUTION


# %%
checks.sgd_step()

# %% [markdown]
# The expected values came from `nnlib.SGD(lr=0.5).step(params, grads)`: nnlib's optimiser does exactly this
# (plus optional momentum and weight decay, notebook 06).
#
# ## 2. The training loop
#
# Training repeats the step. One pass over the training data is an **epoch**; with our four XOR points every
# epoch is a single full-batch step:
#
# 1. **forward**: `y_hat, cache = forward(X, params)`;
# 2. **loss**: `mse(y_hat, y)` — record it, to see the progress;
# 3. **backward**: `grads = backward(X, y, params, cache)` — fresh gradients at the current weights;
# 4. **update**: every parameter takes a step against its gradient.
#
# The order matters: the gradients must belong to the weights the forward pass just used. Here are the forward
# and backward passes of notebook 03, complete:

# %%
def forward(X, params):
    """2-4-1 sigmoid network. X (N, 2) -> y_hat (N, 1) and the cache for backward."""
    Z1 = X @ params["W1"] + params["b1"]     # (N, H)
    A1 = sigmoid(Z1)                         # (N, H)
    y_hat = sigmoid(A1 @ params["W2"] + params["b2"])   # (N, 1)
    return y_hat, {"A1": A1, "y_hat": y_hat}


def backward(X, y, params, cache):
    """Gradients of the MSE loss (mean convention): {"W1": (2, H), "b1": (H,), "W2": (H, 1), "b2": (1,)}."""
    A1, y_hat = cache["A1"], cache["y_hat"]
    dZ2 = (2 / len(X)) * (y_hat - y) * y_hat * (1 - y_hat)   # (N, 1)
    dZ1 = (dZ2 @ params["W2"].T) * A1 * (1 - A1)            # (N, H)
    return {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": A1.T @ dZ2, "b2": dZ2.sum(axis=0)}


mse = nnlib.losses.mse

# %%
tie_net = nnlib.MLP([2, 4, 1], seed=0)
_, tie_grads = tie_net.loss_and_grads(X, y)
for name, value in backward(X, y, tie_net.params, forward(X, tie_net.params)[1]).items():
    np.testing.assert_allclose(value, tie_grads[name])   # raises an error if they ever differ
print("these forward and backward passes give exactly nnlib's gradients")

# %% [markdown]
# ### Exercise 2 — `training_loop`
# Complete `training_loop(X, y, params, lr, num_epochs)`: run `num_epochs` epochs of the four steps above,
# updating `params` in place, and return the list of the `num_epochs` losses, each measured **before** that
# epoch's update (that is what `nnlib.train` records, so the two can be compared).

# %%
def training_loop(X, y, params, lr, num_epochs):
    """Full-batch gradient descent on the 2-4-1 network.

    X (N, 2), y (N, 1), params {"W1": (2, H), "b1": (H,), "W2": (H, 1), "b2": (1,)} updated in place;
    lr: float; num_epochs: int. Returns a list of num_epochs floats: the loss of each epoch, before its step.
    """
    ### BEGIN SOLUTION
    losses = []
    for _ in range(num_epochs):
        y_hat, cache = forward(X, params)          # 1. forward
        losses.append(mse(y_hat, y))               # 2. loss of the current weights
        grads = backward(X, y, params, cache)      # 3. backward: fresh gradients
        for name in params:                        # 4. update, in place
            params[name] -= lr * grads[name]
    return losses
    ### END SOLUTION


# %%
checks.training_loop()

# %% [markdown]
# The check compared your loop, for several learning rates, numbers of epochs and hidden units, with the same
# loop written with nnlib: the same losses and the same weights. `nnlib.train(net, X, y, nnlib.SGD(lr=2.0),
# epochs=25)` records exactly these losses. `nnlib.train` is this loop with extras — mini-batches, validation data, a callback
# after every epoch, and a guard against a loss that becomes infinite. From here on we use it. Training XOR
# to the end:

# %%
net = nnlib.MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", loss="mse", seed=0)
history = nnlib.train(net, X, y, nnlib.SGD(lr=2.0), epochs=2000)
print(f"loss: {history.loss[0]:.4f} at the start, {history.loss[-1]:.4f} after {len(history.loss)} epochs")
print("outputs y_hat:", net.forward(X).ravel(), "  targets:", labels)
print(f"accuracy: {net.accuracy(X, labels):.0%}")

# %% tags=["nbval-ignore-output"]
# Draw the loss curve and the decision boundary of the trained network.
fig, (ax_loss, ax_boundary) = plt.subplots(1, 2, figsize=(10, 4))
plot_loss(history, ax=ax_loss, title="Training loss (MSE), lr = 2")
plot_decision_boundary(net, X, labels, ax=ax_boundary)
ax_boundary.set_title("Decision boundary after 2000 epochs")
fig.tight_layout()
plt.show()

# %% [markdown]
# The loss first sits on a **plateau** — the four outputs all hover near 0.5 while the hidden units slowly
# take on different roles — then drops quickly once they have. The boundary on the right is not a line:
# class 0 gets a diagonal band through $(0, 0)$ and $(1, 1)$, class 1 the two corners outside it.
#
# ## 3. Three "from scratch" networks, side by side
#
# The three tutorials this series grew from each train a small network on XOR. We rebuild each faithfully and
# compare. They differ in more than size, so we first make their conventions comparable.
#
# | | hidden layer | initial weights | loss and gradient | learning rate | epochs |
# |---|---|---|---|---|---|
# | A | 4 sigmoid units | not specified (we use Xavier) | MSE | — | — |
# | B | 2 sigmoid units | U[0, 1), biases 0 | ½·mean, gradients summed over the batch | 0.1 | 10,000 |
# | C | none | N(0, 1), bias as a constant-1 input | ½, summed | 1 (implicit) | 10,000 |
#
# Notebook 03 showed that the ½-and-sum convention with `lr` is PyTorch's mean with `lr · N/2`. With `N = 4`,
# network B's `lr = 0.1` is `lr = 0.2` in our convention, and C's implicit `lr = 1` is `lr = 2`.
#
# ### B: the 2-2-1 network, as its tutorial wrote it
#
# In its own conventions — `error = y - y_hat` and `+=` updates, which is the same as our `-=` with
# `y_hat - y` — with NumPy's `Generator` instead of the global random state, seed 0:

# %%
def train_221_as_tutorial(seed, num_epochs=10_000, lr=0.1):
    """The 2-2-1 tutorial network: U[0,1) weights, zero biases, ½-mean loss, summed gradients.

    Returns the last forward pass's outputs y_hat (4, 1) and the final weights (a dict like net.params).
    """
    seed_rng = np.random.default_rng(seed)
    W1, b1 = seed_rng.uniform(size=(2, 2)), np.zeros((1, 2))
    W2, b2 = seed_rng.uniform(size=(2, 1)), np.zeros((1, 1))
    for _ in range(num_epochs):
        A1 = sigmoid(X @ W1 + b1)                      # (4, 2)
        y_hat = sigmoid(A1 @ W2 + b2)                  # (4, 1)
        error = y - y_hat                              # minus the gradient of 1/2 (y - y_hat)^2
        delta_out = error * y_hat * (1 - y_hat)        # (4, 1): -dZ2, summed convention
        delta_hidden = (delta_out @ W2.T) * A1 * (1 - A1)   # (4, 2): -dZ1
        W2 += lr * A1.T @ delta_out
        b2 += lr * delta_out.sum(axis=0, keepdims=True)
        W1 += lr * X.T @ delta_hidden
        b1 += lr * delta_hidden.sum(axis=0, keepdims=True)
    return y_hat, {"W1": W1, "b1": b1.ravel(), "W2": W2, "b2": b2.ravel()}


start = time.perf_counter()
y_hat_221, params_221 = train_221_as_tutorial(seed=0)
seconds_221 = time.perf_counter() - start
print("final predictions of the 2-2-1 network:", y_hat_221.ravel(), "  targets:", labels)
print("solved" if np.array_equal((y_hat_221.ravel() >= 0.5), labels == 1) else "NOT solved")

# %% tags=["nbval-ignore-output"]
# Timing only (varies from machine to machine).
print(f"10,000 epochs took {seconds_221:.2f} s")

# %% [markdown]
# With seed 0 the 2-2-1 network solves XOR, but not very confidently: after 10,000 epochs it outputs about
# 0.13–0.15 for class 0 and 0.88 for class 1. nnlib gives the same network with `init="uniform"` (U[0, 1)
# weights, zero biases); trained with our mean convention and `lr = 0.1 · N/2 = 0.2`, it follows the same
# path to the same weights. (The tutorial prints the outputs of its last forward pass, made just before the
# last update; so did we.)

# %%
net_221 = nnlib.MLP([2, 2, 1], init="uniform", seed=0)
history_221 = nnlib.train(net_221, X, y, nnlib.SGD(lr=0.2), epochs=10_000)
def all_weights(params):
    return np.concatenate([params[name].ravel() for name in ["W1", "b1", "W2", "b2"]])   # (9,)


np.testing.assert_allclose(all_weights(net_221.params), all_weights(params_221), rtol=1e-6)
print("nnlib (lr = 0.2, mean) and the tutorial (lr = 0.1, ½ and sum) end with the same 9 weights")

# %% [markdown]
# **Does it always work?** Seed 0 was lucky-ish. Let's train 100 copies of the network, seeds 0 to 99, and
# count. Stacking the 100 networks into 3-D arrays lets NumPy train all of them at once (`@` multiplies the
# last two axes, batch by batch) — the same maths as above, one more axis in front. We do the same with 4
# hidden units.

# %%
def count_solved(num_hidden, seeds, num_epochs=10_000, lr=0.2):
    """Train one network per seed (U[0,1) init, mean MSE, full batch) all at once; -> y_hat (num_seeds, 4)."""
    inits = [nnlib.init.init_params([2, num_hidden, 1], "uniform", rng=seed) for seed in seeds]
    W1 = np.stack([p["W1"] for p in inits])                    # (S, 2, H): S networks stacked
    b1 = np.stack([p["b1"] for p in inits])[:, None, :]        # (S, 1, H)
    W2 = np.stack([p["W2"] for p in inits])                    # (S, H, 1)
    b2 = np.stack([p["b2"] for p in inits])[:, None, :]        # (S, 1, 1)
    for _ in range(num_epochs):
        A1 = sigmoid(X @ W1 + b1)                               # (S, 4, H)
        y_hat = sigmoid(A1 @ W2 + b2)                           # (S, 4, 1)
        dZ2 = (2 / len(X)) * (y_hat - y) * y_hat * (1 - y_hat)  # (S, 4, 1)
        dZ1 = (dZ2 @ W2.transpose(0, 2, 1)) * A1 * (1 - A1)     # (S, 4, H)
        W2 -= lr * A1.transpose(0, 2, 1) @ dZ2
        b2 -= lr * dZ2.sum(axis=1, keepdims=True)
        W1 -= lr * X.T @ dZ1
        b1 -= lr * dZ1.sum(axis=1, keepdims=True)
    return y_hat[:, :, 0]


seeds = range(100)
for num_hidden in [2, 4]:
    outputs = count_solved(num_hidden, seeds)                          # (100, 4)
    solved = np.all((outputs >= 0.5) == (labels == 1), axis=1)         # (100,)
    print(f"2-{num_hidden}-1: {int(solved.sum())} of 100 seeds solve XOR;"
          f" stuck: seeds {[int(s) for s in np.flatnonzero(~solved)]}")
    if num_hidden == 2:
        stuck_outputs = outputs[~solved]
for outputs_of_one in stuck_outputs:
    print("  a stuck 2-2-1 network outputs", outputs_of_one)

# %% [markdown]
# A few 2-2-1 networks get **stuck**: one answers ≈ 0.5 for everything, the others get three points right and
# answer ≈ 0.67 for the fourth — they computed OR instead of XOR. With two hidden units there is no spare
# capacity: XOR needs *both* units, one acting roughly like OR and the other like AND, and if early training
# pushes them into the wrong roles the sigmoids saturate, their slopes $A_1(1 - A_1)$ become tiny, and the
# gradient is too small to ever pull them out — a **local minimum** or a very long plateau. Four hidden
# units give more ways to split the work, and all 100 seeds solve it. Bigger-than-necessary networks are
# easier to train; this is one reason real networks are wide.
#
# ### C: the single-layer network — it cannot learn XOR
#
# The third tutorial adds a column of ones to `X` (so that the third weight acts as a bias), draws `N(0, 1)`
# weights and trains a single sigmoid unit. It calls the sigmoid's output a "hidden layer", but there is
# only one layer of weights between input and output. Rebuilt faithfully (seed 0):

# %%
def train_single_layer_as_tutorial(seed, num_epochs=10_000):
    """One sigmoid unit on [x1, x2, 1]: N(0,1) weights, summed gradients, lr 1.

    Returns y_hat (4, 1) and the weights (3, 1).
    """
    X_with_ones = np.hstack([X, np.ones((4, 1))])       # (4, 3): the constant 1 plays the bias
    weights = np.random.default_rng(seed).normal(size=(3, 1))
    for _ in range(num_epochs):
        y_hat = sigmoid(X_with_ones @ weights)           # (4, 1)
        weights += X_with_ones.T @ ((y - y_hat) * y_hat * (1 - y_hat))
    return y_hat, weights


for seed in range(4):
    y_hat_single, weights_single = train_single_layer_as_tutorial(seed)
    weights_shown = np.round(weights_single.ravel(), 4) + 0.0      # + 0.0 turns -0.0 into 0.0
    print(f"seed {seed}: predictions {y_hat_single.ravel()}   weights {weights_shown}")

# %% [markdown]
# For most seeds it settles at 0.5 for every input: "I don't know". Seed 3 found something else — three
# answers right and the fourth badly wrong. Neither is XOR, and no number of epochs or learning rate will
# fix that. Why?
#
# A single unit outputs $\sigma(x_1 w_1 + x_2 w_2 + b)$ and predicts class 1 where $x_1 w_1 + x_2 w_2 + b >
# 0$: its decision boundary is a **straight line**. XOR wants class 1 at $(0, 1)$ and $(1, 0)$ and class 0 at
# $(0, 0)$ and $(1, 1)$:
#
# $$
# w_2 + b > 0, \quad w_1 + b > 0 \quad\Rightarrow\quad w_1 + w_2 + 2b > 0; \qquad
# b < 0, \quad w_1 + w_2 + b < 0 \quad\Rightarrow\quad w_1 + w_2 + 2b < 0 .
# $$
#
# Adding the two class-1 conditions and adding the two class-0 conditions gives a contradiction: **no line
# separates XOR**, so at most 3 of the 4 points can be right. A quick experiment agrees — 100,000 random
# lines:

# %%
lines = rng.normal(size=(100_000, 3))                          # (w1, w2, b) for each line
predictions = (X @ lines[:, :2].T + lines[:, 2] > 0)           # (4, 100000)
accuracies = np.mean(predictions == (labels == 1)[:, None], axis=0)
print(f"best accuracy of 100,000 random lines: {accuracies.max():.2f}")

# %% [markdown]
# **What a real hidden layer changes.** A hidden layer has its own weights and a nonlinearity. It maps each
# input point to a new point `A1` — here, with two hidden units, a point in a new plane — and the output
# unit draws its straight line *there*. The four XOR points, moved by the trained 2-2-1 network's hidden
# layer, become separable:

# %% tags=["nbval-ignore-output"]
# Draw: XOR in the input plane (no line works), in the hidden plane of the 2-2-1 network (a line works),
# and the resulting decision boundary back in the input plane.
A1_points = net_221.layer_outputs(X)[0]                          # (4, 2): the hidden activations
W2_221, b2_221 = net_221.params["W2"].ravel(), float(net_221.params["b2"][0])
fig, axes = plt.subplots(1, 3, figsize=(10, 3.5))
for ax, points, title in [(axes[0], X, "Input plane: no line works"),
                          (axes[1], A1_points, "Hidden plane of the 2-2-1")]:
    for label, colour, marker in [(0, BLUE, "o"), (1, ORANGE, "s")]:
        chosen = labels == label
        ax.scatter(points[chosen, 0], points[chosen, 1], c=colour, marker=marker, s=70,
                   label=f"class {label}")
    ax.set(title=title, xlim=(-0.2, 1.2), ylim=(-0.2, 1.2))
    ax.set_aspect("equal")
axes[0].set(xlabel="$x_1$", ylabel="$x_2$")
line_x = np.linspace(-0.2, 1.2, 2)                               # the output unit's line A1 @ W2 + b2 = 0
axes[1].plot(line_x, -(W2_221[0] * line_x + b2_221) / W2_221[1], color="0.3", linestyle="--",
             label="output unit: z = 0")
axes[1].set(xlabel="hidden unit 1 (A1[:, 0])", ylabel="hidden unit 2 (A1[:, 1])")
axes[1].legend(fontsize=8, loc="lower left")
plot_decision_boundary(net_221, X, labels, ax=axes[2])
axes[2].set_title("Its boundary, input plane")
fig.tight_layout()
plt.show()

# %% [markdown]
# In the hidden plane the two class-1 points land on (almost) the same spot, on one side of a line, and the
# two class-0 points lie on the other side. Seen from the input plane that line becomes the band on the
# right. This is the whole point of hidden layers: **they learn a new representation of the data in which
# the problem becomes simple.** The single-layer tutorial even computes a gradient for its "hidden" layer —
# but there are no weights for it to update, so it changes nothing.
#
# ### All three, in nnlib's conventions
#
# The three networks with nnlib, each with the tutorial's initialisation and the learning rate translated to
# the mean convention (`lr · N/2`), trained 10,000 epochs. (For C, nnlib's `MLP([2, 1])` has a real bias
# `b1` instead of the column of ones; we copy the tutorial's three initial weights into `W1` and `b1`.)

# %%
net_a = nnlib.MLP([2, 4, 1], init="xavier", seed=0)
history_a = nnlib.train(net_a, X, y, nnlib.SGD(lr=0.2), epochs=10_000)
net_c = nnlib.MLP([2, 1], init="normal", seed=0)
weights_c = np.random.default_rng(0).normal(size=(3, 1))     # the tutorial's N(0, 1) draw, seed 0
net_c.params["W1"][...], net_c.params["b1"][...] = weights_c[:2], weights_c[2]
history_c = nnlib.train(net_c, X, y, nnlib.SGD(lr=2.0), epochs=10_000)
# B is net_221, trained above with the same settings.
print(f"{'network':<26}{'lr':>5}  {'final loss':>10}  {'outputs for (0,0) (0,1) (1,0) (1,1)':<38}accuracy")
networks = [("A  2-4-1, Xavier", net_a, 0.2, history_a), ("B  2-2-1, U[0,1)", net_221, 0.2, history_221),
            ("C  2-1 (no hidden layer)", net_c, 2.0, history_c)]
for name, model, lr, run in networks:
    outputs = np.round(model.forward(X).ravel(), 3)
    print(f"{name:<26}{lr:>5}  {run.loss[-1]:>10.4f}  {str(outputs):<38}{model.accuracy(X, labels):.0%}")

# %% [markdown]
# A and B solve XOR (A more confidently: twice as many hidden units, and Xavier's centred weights). C ends
# where the tutorial's version ended, at 0.5 for every input; its 50% is what giving the same answer for every
# input scores. No learning rate or number of epochs changes that — only a hidden layer does.
#
# ## 4. The learning rate: too small, right, too large
#
# The learning rate is the most important setting of gradient descent. We train the same 2-4-1 network
# (same initial weights) for 2000 epochs with three learning rates:

# %%
learning_rates = {"too small, lr = 0.1": 0.1, "right, lr = 5": 5.0, "too large, lr = 100": 100.0}
histories = {}
for title, lr in learning_rates.items():
    model = nnlib.MLP([2, 4, 1], seed=0)
    histories[title] = nnlib.train(model, X, y, nnlib.SGD(lr=lr), epochs=2000)
    print(f"{title:<22} final loss {histories[title].loss[-1]:.4f}   outputs {model.forward(X).ravel()}")

# %% [markdown]
# With a sigmoid output the loss can never blow up (the outputs stay between 0 and 1), so "too large" shows up
# differently: the first huge step throws the output unit into saturation — every output pinned at 0, the
# same answer for every input, where the sigmoid's slope is ≈ 0 — and the next huge steps only flip it
# between "all 0" and "all 1" for hundreds of epochs. After 2000 epochs it still gets XOR wrong, its loss far
# above lr = 5's. (Where it ends exactly depends on the last digits of the arithmetic, so on the CPU: steps
# this large amplify every rounding difference.) With an output that is not squashed (`output_activation="identity"`,
# as for regression), a too-large step overshoots the minimum, the next overshoots further, and the loss
# **diverges** towards infinity. `nnlib.train` notices once the loss has stayed far above where it started
# for ten epochs (a few bad epochs can be a spike that training recovers from), stops, and says why in
# `history.stop_reason`; `history.warnings` lists anything else it noticed, such as inputs that are not
# scaled, units that died, or a network that ends worse than a constant guess:

# %%
histories_linear = {}
for title, lr in {"linear output, lr = 0.1": 0.1, "linear output, lr = 1": 1.0}.items():
    model = nnlib.MLP([2, 4, 1], activation="tanh", output_activation="identity", seed=0)
    histories_linear[title] = nnlib.train(model, X, y, nnlib.SGD(lr=lr), epochs=2000)
    run = histories_linear[title]
    print(f"{title}: {len(run.loss)} epochs run")
    print(textwrap.fill(f"stop_reason: {run.stop_reason}", width=100,  # wrapped between words
                        initial_indent="  ", subsequent_indent="    "))

# %% tags=["nbval-ignore-output"]
# Draw the loss curves for the learning rates (log scale).
fig, (ax_sigmoid, ax_linear) = plt.subplots(1, 2, figsize=(10, 4))
styles = [(BLUE, "-"), (ORANGE, "--"), (PURPLE, ":")]
for (title, run), (colour, style) in zip(histories.items(), styles, strict=True):
    ax_sigmoid.semilogy(run.loss, color=colour, linestyle=style, label=title)
ax_sigmoid.set(title="2-4-1 sigmoid network on XOR", xlabel="epoch", ylabel="training loss (MSE)")
for (title, run), (colour, style) in zip(histories_linear.items(), styles[:2], strict=True):
    shown = np.where(np.array(run.loss) < 1e12, run.loss, np.nan)   # beyond 1e12: off the top of the plot
    ax_linear.semilogy(shown, color=colour, linestyle=style, label=title)
ax_linear.set(title="Linear output: lr = 1 diverges", xlabel="epoch", ylabel="training loss (MSE)",
              ylim=(1e-12, 1e12))
for ax in (ax_sigmoid, ax_linear):
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# - **Too small**: every step is safe but tiny; after 2000 epochs the network is still on the plateau.
# - **Right**: the plateau is crossed quickly and the loss falls steadily by orders of magnitude.
# - **Too large**: the sigmoid network jumps into a flat, saturated region and stays there; the linear-output
#   network overshoots further at every step until the loss is infinite.
#
# "Right" depends on the network, the loss and its convention (½ or not, mean or sum — notebook 03), so
# there is no universal value: try a few values a factor of 3–10 apart and watch the loss curve.
#
# ## 5. Watching training live
#
# `nnlib.views.plots.train_live` runs `nnlib.train` with a **live view**: the loss curve and the decision boundary,
# redrawn in one picture while training runs. A noisy XOR — 200 points scattered around the four corners —
# shows the boundary taking shape:

# %% tags=["nbval-ignore-output"]
# A live view: the picture below updates in place while the network trains.
from nnlib.views.plots import train_live

X_cloud, labels_cloud = nnlib.data.xor_cloud(200, noise=0.2, seed=0)
live_net = nnlib.MLP([2, 4, 1], seed=0)
live_history = train_live(live_net, X_cloud, labels_cloud, nnlib.SGD(lr=5.0), epochs=1500,
                          title="2-4-1 network on a noisy XOR, lr = 5")
print(f"final loss {live_history.loss[-1]:.4f}, accuracy {live_history.accuracy[-1]:.0%}")

# %% [markdown]
# ## 6. Explore: hidden units and learning rate
#
# The sliders below train a fresh network on the four XOR points whenever you let go of one (or press
# **Train**): **Hidden units** sets the width of the hidden layer, **Learning rate** the step size. The
# explorer uses `tanh` hidden units and the BCE loss for 1000 epochs, and says under the sliders whether the
# network solved the problem. Try 1 hidden unit (one line — it cannot work), 2, 8; and learning rates from
# 0.01 to 10.

# %% tags=["nbval-ignore-output"]
# An interactive widget: sliders that retrain the network and redraw (needs a running kernel).
from nnlib.views.widgets import xor_explorer

xor_explorer()

# %% [markdown]
# ## Summary
#
# - **Gradient descent** moves every parameter against its gradient, in place: `W -= lr * dW`. The **training
#   loop** repeats forward → loss → backward → update; the loss is recorded before each update.
# - **No hidden layer, no XOR**: one sigmoid unit draws a straight line, and no line separates XOR — at best
#   3 of 4 points. A hidden layer maps the data to a new representation in which a line does the job.
# - Small networks can get **stuck** (2 hidden units fail for some seeds); wider ones are easier to train.
# - The **learning rate**: too small crawls, too large saturates or diverges (`history.stop_reason` says so).
# - In nnlib: `nnlib.SGD(lr).step(params, grads)` (your `sgd_step`), `nnlib.train(...)` returning a `History`
#   (your `training_loop`), `nnlib.views.plots.train_live` and `nnlib.views.widgets.xor_explorer`.
#
# ## Exercises
#
# 1. Train network C (no hidden layer) with `loss="bce"`. Does the better loss help? Explain with the proof
#    above.
# 2. For a stuck 2-2-1 seed, plot its hidden plane as in section 3. What happened to its hidden units?
# 3. Find, by trying, the largest learning rate for which the 2-4-1 sigmoid network still learns XOR in 2000
#    epochs. How does it change with `loss="bce"`?
# 4. Replace the sigmoid hidden units by `activation="tanh"` and compare the number of epochs needed to
#    reach a loss below 0.01 (use `callback` to stop training early: it returns True to stop).
# 5. Change `training_loop` to record the loss *after* each update. Where does its list differ from
#    `history.loss`, and why?
#
# [← 03 Loss and backpropagation](03_loss_and_backpropagation.ipynb) | [Contents](00_start_here.ipynb) |
# [05 Playground →](05_playground.ipynb)
