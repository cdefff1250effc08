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
# [← 01 Neurons and initialisation](01_neurons_and_initialisation.ipynb) | [Contents](00_start_here.ipynb) |
# [03 Loss and backpropagation →](03_loss_and_backpropagation.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/02_forward_pass.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/02_forward_pass.ipynb)
#
# # 2. The forward pass
#
# Stack two layers of neurons and you have a network: here you push the four XOR points through it, one
# matrix product at a time, and watch what an untrained network believes.
#
# **You will learn**
# - the parameters of a 2-4-1 network and the shape of every array between input and output;
# - the forward pass for one sample, and then for a whole batch in four lines;
# - how broadcasting adds a bias to every sample at once;
# - what an untrained network predicts, and how to draw its decision boundary.
#
# **Prerequisites**: [01 Neurons and initialisation](01_neurons_and_initialisation.ipynb) — a neuron, the
# sigmoid, and a layer as `Z = X @ W + b`.

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
# Setup
import matplotlib.pyplot as plt
import numpy as np

import nnlib
import nnlib.views.plots  # matplotlib helpers; `import nnlib` alone never loads matplotlib
from nnlib.activations import sigmoid

from classroom.checks import nb02 as checks  # the exercise's check: checks.forward()

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
BLUE, ORANGE = "#0072B2", "#E69F00"  # Okabe-Ito: safe for colour-blind readers

# %% [markdown]
# ## 1. The problem and the network
#
# XOR ("exclusive or") is 1 when exactly one of its two inputs is 1. As a data set it has four samples, one
# per row of `X`:

# %%
X, y = nnlib.data.xor()   # X (N, D) = (4, 2), y (N,) = (4,)
for x_row, label in zip(X, y, strict=True):
    print(f"x = {x_row}  ->  y = {label}")

# %% [markdown]
# Notebook 01 showed that one neuron draws a single straight line, and that no straight line separates
# these two classes. So we put a **hidden layer** of $H = 4$ neurons between the inputs and the output. Each
# hidden neuron draws its own line; the output neuron combines their four answers into one. This is the
# **2-4-1 network**: 2 inputs, 4 hidden neurons, 1 output, all with the sigmoid.
#
# Its parameters are two weight matrices and two bias vectors. `nnlib.MLP` creates them with Xavier weights
# and zero biases; to make every step below visible, we also give the biases small random values (training
# will move them anyway).

# %%
net = nnlib.MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
net.params["b1"][...] = rng.normal(0.0, 0.5, size=4)   # in place: the network sees the new values
net.params["b2"][...] = rng.normal(0.0, 0.5, size=1)
W1, b1, W2, b2 = net.params["W1"], net.params["b1"], net.params["W2"], net.params["b2"]
for name, value in net.params.items():
    print(f"{name}: shape {str(value.shape):7s} -> {value.size} {'parameter' if value.size == 1 else 'parameters'}")
print(f"in total {sum(value.size for value in net.params.values())} parameters")

# %% [markdown]
# `W1` has one row per input and one column per hidden neuron: column $j$ holds the two weights of hidden
# neuron $j$. `W2` has one row per hidden neuron and one column per output. Seventeen numbers — everything
# the network "knows" is in them.
#
# ## 2. One sample at a time
#
# Take one sample, the point $x = (1, 1)$ (XOR label 0), as a vector of shape (2,). The forward pass is two
# layers, each a matrix product, a bias and a sigmoid:
#
# $$
# z_1 = x W_1 + b_1, \qquad a_1 = \sigma(z_1), \qquad z_2 = a_1 W_2 + b_2, \qquad \hat y = \sigma(z_2).
# $$
#
# Written out for hidden neuron `j`, in code (indices counted from 0):
# `z1[j] = x[0] * W1[0, j] + x[1] * W1[1, j] + b1[j]` — exactly the neuron of notebook 01, four times side by
# side. (Lower-case letters are one sample; upper-case, below, a batch.)

# %%
x = X[3]                  # (2,): the point (1, 1)
z1 = x @ W1 + b1          # (2,) @ (2, 4) + (4,) -> (4,): one pre-activation per hidden neuron
a1 = sigmoid(z1)          # (4,)
z2 = a1 @ W2 + b2         # (4,) @ (4, 1) + (1,) -> (1,)
y_hat_one = sigmoid(z2)   # (1,): the network's estimate of P(y = 1 | x)
for name, value in [("x", x), ("z1", z1), ("a1", a1), ("z2", z2), ("y_hat", y_hat_one)]:
    print(f"{name:6s} {str(value.shape):5s} {value}")

# %% [markdown]
# The same computation as a picture: the numbers in the circles are what each neuron outputs for $x = (1, 1)$;
# each line is one weight, blue when positive, orange when negative, thicker when larger.

# %% tags=["nbval-ignore-output"]
# Draws the 2-4-1 network with the values of the forward pass for x = (1, 1).
def draw_network(ax, layers, weights):
    """Circles for the neurons (labelled with their values), lines for the weights."""
    places = [[(k, (len(values) - 1) / 2 - i) for i in range(len(values))] for k, values in enumerate(layers)]
    for k, W in enumerate(weights):                 # W (n_k, n_{k+1}): one line per entry
        for i, start in enumerate(places[k]):
            for j, end in enumerate(places[k + 1]):
                ax.plot([start[0], end[0]], [start[1], end[1]], color=BLUE if W[i, j] > 0 else ORANGE,
                        linewidth=0.5 + 2.5 * abs(W[i, j]), zorder=1)
    for values, layer_places in zip(layers, places, strict=True):
        for value, (px, py) in zip(values, layer_places, strict=True):
            ax.scatter(px, py, s=1300, c="white", edgecolors="black", zorder=2)
            ax.text(px, py, f"{value:.2f}", ha="center", va="center", fontsize=10, zorder=3)


fig, ax = plt.subplots(figsize=(7, 4))
draw_network(ax, [x, a1, y_hat_one], [W1, W2])
for k, label in enumerate(["input x\n(2,)", "hidden a1 = σ(z1)\n(4,)", "output ŷ = σ(z2)\n(1,)"]):
    ax.text(k, -2.0, label, ha="center", va="top", fontsize=10)
ax.plot([], [], color=BLUE, linewidth=2, label="positive weight")
ax.plot([], [], color=ORANGE, linewidth=2, label="negative weight")
ax.legend(loc="upper right", fontsize="small")
ax.set(title="The 2-4-1 network on x = (1, 1): line width = |weight|", xlim=(-0.4, 2.6), ylim=(-2.7, 2.0))
ax.axis("off")
plt.show()

# %% [markdown]
# ## 3. The whole batch at once
#
# We could loop over the four samples, but there is no need: stack them as the rows of `X` (shape (N, D) =
# (4, 2)) and every line above works unchanged, now computing all samples in one go:
#
# $$
# Z_1 = X W_1 + b_1, \qquad A_1 = \sigma(Z_1), \qquad Z_2 = A_1 W_2 + b_2, \qquad \hat Y = \sigma(Z_2).
# $$
#
# | step | code | shapes |
# |---|---|---|
# | hidden pre-activation | `Z1 = X @ W1 + b1` | (4, 2) @ (2, 4) + (4,) → (4, 4) |
# | hidden activation | `A1 = sigmoid(Z1)` | (4, 4) → (4, 4) |
# | output pre-activation | `Z2 = A1 @ W2 + b2` | (4, 4) @ (4, 1) + (1,) → (4, 1) |
# | output | `y_hat = sigmoid(Z2)` | (4, 1) → (4, 1) |
#
# Row $n$ of every array belongs to sample $n$. A matrix product needs the inner sizes to agree —
# (N, **D**) @ (**D**, H) — which makes shapes the best debugging tool there is: print them.
#
# **Broadcasting.** `X @ W1` has shape (4, 4) and `b1` shape (4,). NumPy adds `b1` to *every row*, as if it
# were copied four times: each sample gets the same biases. (Texts that write $z = W x + b$ with one column
# per sample compute the same thing transposed: their $W$ is our `W.T`.)

# %%
Z1 = X @ W1 + b1          # (4, 2) @ (2, 4) + (4,) -> (4, 4)
A1 = sigmoid(Z1)          # (4, 4): row n = hidden outputs for sample n
Z2 = A1 @ W2 + b2         # (4, 4) @ (4, 1) + (1,) -> (4, 1)
y_hat = sigmoid(Z2)       # (4, 1)
print(f"X {X.shape} -> Z1 {Z1.shape} -> A1 {A1.shape} -> Z2 {Z2.shape} -> y_hat {y_hat.shape}")
print("y_hat, one row per sample:")
print(y_hat)
print("row 3 equals the one-sample result:", bool(np.allclose(y_hat[3], y_hat_one)))

# %% [markdown]
# This is exactly what `nnlib` does: `net.forward(X)` runs the same four lines (with a loop over the layers,
# so that it works for any depth, and keeping `Z1` and `A1` in a *cache* for the backward pass of notebook
# 03). The next cell checks that the two agree; if they ever drift apart, this cell fails the
# notebook's tests.

# %%
np.testing.assert_allclose(y_hat, net.forward(X))   # raises an error if the two ever differ
print("the four lines above give exactly nnlib's net.forward(X)")

# %% [markdown]
# ### Exercise: `forward`
#
# Write the forward pass as a function of the inputs and a parameter dictionary like `net.params`. It should
# work for any batch size $N$, any number of inputs $D$, hidden neurons $H$ and outputs $C$. Use `sigmoid`
# (imported from `nnlib.activations` in the Setup cell) for both layers.

# %%
def forward(X, params):
    """Forward pass of a network with one sigmoid hidden layer and a sigmoid output layer.

    X (N, D); params {"W1": (D, H), "b1": (H,), "W2": (H, C), "b2": (C,)}.
    Returns y_hat = σ(σ(X @ W1 + b1) @ W2 + b2), shape (N, C).
    """
    ### BEGIN SOLUTION
    Z1 = X @ params["W1"] + params["b1"]    # (N, D) @ (D, H) + (H,) -> (N, H)
    A1 = sigmoid(Z1)                        # (N, H)
    Z2 = A1 @ params["W2"] + params["b2"]   # (N, H) @ (H, C) + (C,) -> (N, C)
    return sigmoid(Z2)                      # (N, C)
    ### END SOLUTION


# %%
checks.forward()

# %% [markdown]
# ## 4. What does the untrained network predict?
#
# The output $\hat y$ is a number between 0 and 1: the network's estimate of the probability that the sample
# belongs to class 1. To get a class label we threshold it at 0.5 — this is `net.predict(X)`.

# %%
y_hat = net.forward(X)                  # (4, 1)
predictions = net.predict(X)            # (4,): 1 where y_hat >= 0.5, else 0
for x_row, label, p, guess in zip(X, y, y_hat[:, 0], predictions, strict=True):
    verdict = "right" if guess == label else "wrong"
    print(f"x = {x_row}  y = {label}  y_hat = {p:.3f}  ->  predicts {guess} ({verdict})")
print(f"accuracy: {net.accuracy(X, y):.0%}")

# %% [markdown]
# All four outputs sit close to 0.5: the random weights are small, so the output's pre-activation $z_2$ is
# small for every sample, and $\sigma$ of a small number is about 0.5. The network is guessing; any right
# answers are luck.
#
# To see *how* it guesses, evaluate it on a fine grid of points covering the plane — a batch of 10 000
# samples, which the vectorised forward pass handles in one call. First the four hidden neurons: each is a
# soft straight-line separator, as in notebook 01; the white line is where its output is exactly 0.5. Then
# the output, which mixes them: its 0.5 line, the **decision boundary**, need not be straight any more. The
# output's values vary only a little, so each panel gets its own colour scale, from dark (its smallest value,
# in the panel's title) to light (its largest): the pattern is what matters. We zoom out to $[-4, 5]^2$ so that the lines fall inside the picture; the four XOR
# points sit in the small black square (blue circles: class 0, orange squares: class 1).

# %% tags=["nbval-ignore-output"]
# Draws each hidden neuron's output and the network's output over the input plane.
low, high = -4.0, 5.0
grid = np.linspace(low, high, 100)
x1, x2 = np.meshgrid(grid, grid)
grid_points = np.column_stack([x1.ravel(), x2.ravel()])   # (10000, 2): one sample per grid point
A1_grid, y_hat_grid = net.layer_outputs(grid_points)      # (10000, 4) and (10000, 1)

fig, axes = plt.subplots(1, 5, figsize=(11, 2.9), sharey=True, layout="constrained")
panels = [A1_grid[:, j] for j in range(4)] + [y_hat_grid[:, 0]]
names = [f"neuron {j + 1}" for j in range(4)] + ["output ŷ"]
for ax, values, name in zip(axes, panels, names, strict=True):
    image = values.reshape(x1.shape)
    ax.imshow(image, origin="lower", extent=(low, high, low, high), cmap="cividis")   # own colour scale
    if image.min() < 0.5 < image.max():
        ax.contour(x1, x2, image, levels=[0.5], colors="white", linewidths=1.5)
    ax.add_patch(plt.Rectangle((-0.3, -0.3), 1.6, 1.6, fill=False, edgecolor="black", linewidth=1))
    for label, colour, marker in [(0, BLUE, "o"), (1, ORANGE, "s")]:   # same markers as plot_data
        ax.scatter(X[y == label, 0], X[y == label, 1], c=colour, marker=marker, edgecolors="black", s=30)
    ax.set(title=f"{name}\n{image.min():.2f} to {image.max():.2f}", xlabel="$x_1$")
axes[0].set_ylabel("$x_2$")
fig.suptitle("Inside the untrained network: four hidden neurons (soft lines, white at 0.5) and the output")
plt.show()

# %% [markdown]
# `nnlib.views.plots.plot_decision_boundary` draws the predicted class over the plane — blue where the network says
# 0, orange where it says 1, paler where it is less sure, with a black line at $\hat y = 0.5$ when it crosses
# the picture — and the data points on top. Here is our network and two more untrained ones, created with
# other seeds:

# %% tags=["nbval-ignore-output"]
# Draws the decision boundaries of three untrained 2-4-1 networks.
fig, axes = plt.subplots(1, 3, figsize=(10, 3.3), layout="constrained")
networks = [("our net", net)] + [(f"seed {seed}", nnlib.MLP([2, 4, 1], seed=seed)) for seed in (1, 2)]
for ax, (name, untrained) in zip(axes, networks, strict=True):
    title = f"{name}: accuracy {untrained.accuracy(X, y):.0%}"
    nnlib.views.plots.plot_decision_boundary(untrained, X, y, ax=ax, title=title)
fig.suptitle("Untrained 2-4-1 networks: pale colours, random guesses")
plt.show()

# %% [markdown]
# The colours are pale because every output is close to 0.5, and each network predicts nearly the same class
# everywhere: two of the four points right, by luck. None of them solves XOR, and nothing in the forward pass
# can change that: it only *uses* the weights. To get better weights the network must learn how wrong it is
# (the **loss**) and which way to change each weight (the **gradients**). That is the next notebook.
#
# ## Summary
# - A 2-4-1 network has `W1` (2, 4), `b1` (4,), `W2` (4, 1), `b2` (1,): 17 parameters.
# - The forward pass is two layers of `Z = A @ W + b` followed by the sigmoid; for a batch, `X` (N, D) gives
#   `Z1`, `A1` (N, H) and `y_hat` (N, 1). Rows are samples; NumPy broadcasting adds each bias to every row.
# - An untrained network outputs about 0.5 everywhere: its decision boundary is a random guess.
# - In `nnlib`: `nnlib.MLP(layer_sizes, ...)` with `.params`, `.forward(X)`, `.predict(X)`, `.accuracy(X, y)`
#   and `.layer_outputs(X)`; `nnlib.views.plots.plot_decision_boundary(model, X, y, ax=None)`.
#
# ## Exercises
# 1. By hand, with a calculator: for $x = (0, 0)$ the hidden pre-activations are just `b1`. Compute $\hat y$
#    from `b1`, `W2` and `b2`, and compare with `net.forward(X)[0]`.
# 2. Generalise `forward` to any number of layers: loop over `params` ("W1", "b1", "W2", "b2", "W3", …) and
#    compare your result with `nnlib.MLP([2, 8, 8, 1], seed=0).forward(X)`.
# 3. Time the vectorised forward pass against a Python loop over the rows of a (10000, 2) batch
#    (`%timeit`). How many times faster is it?
# 4. Multiply all the weights of `net` by 10 and redraw the hidden neurons and the decision boundary. What
#    happens to the soft lines — and, remembering notebook 01, why is that bad for learning?
#
# ---
# [← 01 Neurons and initialisation](01_neurons_and_initialisation.ipynb) | [Contents](00_start_here.ipynb) |
# [03 Loss and backpropagation →](03_loss_and_backpropagation.ipynb)
