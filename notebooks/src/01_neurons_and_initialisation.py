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
# [← 00 Start here](00_start_here.ipynb) | [Contents](00_start_here.ipynb) |
# [02 Forward pass →](02_forward_pass.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/01_neurons_and_initialisation.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/01_neurons_and_initialisation.ipynb)
#
# # 1. Neurons and initialisation
#
# A neural network is built from one simple part repeated many times — here you build that part, and see why
# the numbers it starts with decide whether the network can learn at all.
#
# **You will learn**
# - what a neuron computes: a weighted sum, a bias and an activation function;
# - the sigmoid and its derivative, and why a *saturated* sigmoid stops learning;
# - how a whole layer of neurons becomes one matrix product, `Z = X @ W + b`;
# - how to choose the starting weights (Xavier, He) and why equal starting weights never work.
#
# **Prerequisites**: [00 Start here](00_start_here.ipynb) (notation); NumPy arrays and `@`; what a derivative
# is.

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
from nnlib import activations

from classroom.checks import nb01 as checks  # the exercises' checks: checks.sigmoid() …

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
# Okabe-Ito colours: distinguishable with every common kind of colour blindness
BLUE, ORANGE, GREEN, VERMILLION, PURPLE = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7"

# %% [markdown]
# ## 1. One neuron
#
# A neuron receives $D$ numbers — the features of one sample, $x_1, \dots, x_D$. It multiplies each by its own
# **weight**, adds the products together with a **bias** $b$, and passes the result $z$ (the *pre-activation*)
# through an **activation function** $\sigma$:
#
# $$
# z = x_1 w_1 + x_2 w_2 + \dots + x_D w_D + b = x \cdot w + b, \qquad a = \sigma(z).
# $$
#
# The weights say how much each input matters and in which direction; the bias moves the point where the
# neuron "switches on". Learning means finding good values for $w$ and $b$. Here is one neuron with two
# inputs:

# %%
x = np.array([1.0, 0.0])    # (D,) = (2,): one sample with two features
w = np.array([2.0, -3.0])   # (D,): one weight per input
b = -1.0                    # the bias: a number added to the weighted sum

z = x @ w + b               # 1·2 + 0·(−3) − 1 = 1.0: for 1-D arrays, @ is the dot product
a = 1.0 / (1.0 + np.exp(-z))  # the sigmoid, introduced properly below
print(f"z = {float(z):.4f}   a = σ(z) = {float(a):.4f}")

# %% [markdown]
# What does this neuron do to *every* possible input? The next figure colours each point $(x_1, x_2)$ of the
# plane by the neuron's output $a$. The output changes only across one direction (along $w$), and the line
# where $z = 0$ (so $a = 0.5$) cuts the plane in two: **one neuron is a soft straight-line separator**.
# The four XOR points are drawn on top: no single line puts the two orange points on one side and the two blue
# points on the other. That is why XOR needs more than one neuron — notebook 02 builds the network that can.

# %% tags=["nbval-ignore-output"]
# Draws the output of the neuron above over the input plane.
grid = np.linspace(-0.5, 1.5, 201)
x1, x2 = np.meshgrid(grid, grid)
points = np.column_stack([x1.ravel(), x2.ravel()])       # (201·201, 2): every grid point is a sample
a_grid = activations.sigmoid(points @ w + b).reshape(x1.shape)

fig, ax = plt.subplots(figsize=(5.5, 4.2))
image = ax.imshow(a_grid, origin="lower", extent=(-0.5, 1.5, -0.5, 1.5), cmap="cividis", vmin=0, vmax=1)
ax.contour(x1, x2, a_grid, levels=[0.5], colors="white", linewidths=1.5)
X_xor, y_xor = nnlib.data.xor()
for label, colour, marker in [(0, BLUE, "o"), (1, ORANGE, "s")]:
    chosen = y_xor == label
    ax.scatter(X_xor[chosen, 0], X_xor[chosen, 1], s=90, c=colour, marker=marker, edgecolors="black",
               label=f"XOR = {label}")
fig.colorbar(image, ax=ax, label="neuron output a = σ(z)")
ax.set(title="One neuron: a = σ(2·x₁ − 3·x₂ − 1); white line: z = 0", xlabel="$x_1$", ylabel="$x_2$")
ax.legend(loc="upper right")
plt.show()

# %% [markdown]
# ## 2. The sigmoid
#
# The activation function used throughout notebooks 01–04 is the **sigmoid** (also called the logistic
# function):
#
# $$
# \sigma(z) = \frac{1}{1 + e^{-z}}.
# $$
#
# It squashes any real number into the interval $(0, 1)$: very negative $z$ gives almost 0, very positive $z$
# almost 1, and $\sigma(0) = 0.5$. Two reasons to use it: an output between 0 and 1 can be read as a
# probability ("how sure is the network that this point is class 1?"), and it is **non-linear** — without a
# non-linear activation, a stack of layers collapses into a single matrix product and can still only draw
# straight lines.
#
# ### Exercise 1: `sigmoid`
# Complete `sigmoid(z)` for a NumPy array `z` of any shape. Use `np.exp`: it works elementwise, so no loop is
# needed.

# %%
def sigmoid(z):
    """The sigmoid σ(z) = 1 / (1 + e^(−z)), elementwise.

    z: array of any shape (a number works too). Returns an array of the same shape, values in (0, 1).
    """
    ### BEGIN SOLUTION
    return 1.0 / (1.0 + np.exp(-z))
    ### END SOLUTION


# %%
checks.sigmoid()

# %% [markdown]
# From here on this notebook uses `nnlib`'s sigmoid, `activations.sigmoid`, so everything below works even
# while your exercise is still ✗. (`nnlib`'s version computes the same numbers; it only takes care that
# `np.exp` cannot overflow for very negative `z`, such as −1000.)
#
# ## 3. The sigmoid's derivative
#
# To learn, the network will need to know how much its output changes when $z$ changes a little: the
# derivative $\sigma'(z)$. Differentiating $\sigma(z) = (1 + e^{-z})^{-1}$ with the chain rule gives
#
# $$
# \sigma'(z) = \frac{e^{-z}}{(1 + e^{-z})^2} = \frac{1}{1 + e^{-z}} \cdot \frac{e^{-z}}{1 + e^{-z}}
#            = \sigma(z)\,\bigl(1 - \sigma(z)\bigr).
# $$
#
# The derivative is written with the sigmoid itself, which is cheap once $\sigma(z)$ is known.
#
# **A trap.** Many tutorials define `sigmoid_derivative(a)` that receives the *activation* $a = \sigma(z)$ and
# returns `a * (1 - a)`. Ours (like `nnlib.activations.sigmoid_derivative`) receives the *pre-activation* `z`.
# Both are right; mixing them up is one of the most common bugs in a hand-written backward pass.
#
# ### Exercise 2: `sigmoid_derivative`
# Complete `sigmoid_derivative(z)`. Use `activations.sigmoid` (`nnlib`'s) inside it, so that this exercise
# does not depend on your answer to Exercise 1.

# %%
def sigmoid_derivative(z):
    """dσ/dz = σ(z) · (1 − σ(z)), elementwise, at the pre-activation z.

    z: array of any shape. Returns an array of the same shape, values in (0, 0.25].
    """
    ### BEGIN SOLUTION
    a = activations.sigmoid(z)  # nnlib's σ: this exercise does not depend on Exercise 1
    return a * (1.0 - a)
    ### END SOLUTION


# %%
checks.sigmoid_derivative()

# %% [markdown]
# The next figure draws the sigmoid and its derivative side by side. The dots are the slope measured
# *numerically*, $(\sigma(z + h) - \sigma(z - h)) / 2h$ with $h = 10^{-5}$: they sit on the formula's curve.
# (Notebook 03 uses the same trick to check a whole backward pass.) Read off two facts that shape everything
# that follows:
#
# - **The slope is at most 0.25**, at $z = 0$. Backpropagation multiplies by $\sigma'$ once per layer, so
#   every sigmoid layer shrinks the learning signal by a factor of at least 4.
# - **Saturation.** For $|z| > 4$ the curve is almost flat: $\sigma'(4) \approx 0.018$ and
#   $\sigma'(8) \approx 0.0003$. A neuron whose $z$ sits out there barely changes when its weights change,
#   so it learns very slowly — it is *saturated*. Large starting weights make large $z$; section 5 shows
#   where that leads.

# %% tags=["nbval-ignore-output"]
# Draws σ(z) and σ'(z), with numerically measured slopes as dots.
z_line = np.linspace(-8, 8, 401)
z_dots = np.arange(-8.0, 8.5, 1.0)
h = 1e-5
numeric_slope = (activations.sigmoid(z_dots + h) - activations.sigmoid(z_dots - h)) / (2 * h)

fig, (ax_value, ax_slope) = plt.subplots(1, 2, figsize=(10, 3.8))
for ax in (ax_value, ax_slope):
    for side in (-1, 1):   # shade the saturated regions |z| > 4
        ax.axvspan(4 * side, 8 * side, color="0.9", zorder=0)
    ax.axvline(0, color="0.6", linewidth=0.8)
    ax.set(xlabel="pre-activation z", xlim=(-8, 8))
ax_value.plot(z_line, activations.sigmoid(z_line), color=BLUE, linewidth=2, label="σ(z)")
ax_value.axhline(0.5, color="0.6", linewidth=0.8, linestyle="--")
ax_value.text(-7.7, 0.62, "saturated:\nσ ≈ 0", fontsize=9)
ax_value.text(4.3, 0.3, "saturated:\nσ ≈ 1", fontsize=9)
ax_value.set(title="The sigmoid squashes z into (0, 1)", ylabel="σ(z)")
ax_value.legend(loc="upper left")
ax_slope.plot(z_line, activations.sigmoid_derivative(z_line), color=ORANGE, linewidth=2,
              label="σ'(z) = σ(z)(1 − σ(z))")
ax_slope.plot(z_dots, numeric_slope, "o", color=BLUE, markersize=5, label="numeric slope")
ax_slope.annotate("maximum 0.25 at z = 0", xy=(0, 0.25), xytext=(1.3, 0.22),
                  arrowprops={"arrowstyle": "->", "color": "0.3"})
ax_slope.set(title="Its slope is at most 0.25 and vanishes when saturated", ylabel="σ'(z)", ylim=(0, 0.28))
ax_slope.legend(loc="upper left", fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# ### Another activation: ReLU
#
# The sigmoid's flat ends slow learning down. Most modern networks use a simpler function in their hidden
# layers, the **rectified linear unit**:
#
# $$
# \operatorname{relu}(z) = \max(0, z), \qquad
# \operatorname{relu}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z < 0 \end{cases}
# $$
#
# (at the kink $z = 0$ the slope is taken as 0, as PyTorch does). For positive $z$ it passes the signal
# through unchanged, with slope 1: it never saturates on that side, so the learning signal does not shrink
# layer after layer as it does through sigmoids. It is also cheap to compute. `nnlib.activations.relu` and
# `relu_derivative` implement it; the capstone (notebook 07) and the playground (notebook 05) use it.
#
# Its weak point is the other side. A ReLU neuron whose $z$ is negative for **every** sample outputs 0
# everywhere and has slope 0 everywhere: no gradient reaches its weights, so it can never recover. Such a
# neuron is **dead**. Too large a learning rate, or starting weights of the wrong scale, can kill many
# neurons at once — one more reason why the starting weights (section 5) matter.

# %% tags=["nbval-ignore-output"]
# Draws relu(z) and its slope.
z_line = np.linspace(-4, 4, 401)
fig, (ax_value, ax_slope) = plt.subplots(1, 2, figsize=(10, 3.2))
ax_value.plot(z_line, activations.relu(z_line), color=BLUE, linewidth=2, label="relu(z) = max(0, z)")
ax_value.set(title="ReLU passes positive z unchanged", xlabel="pre-activation z", ylabel="relu(z)")
ax_slope.plot(z_line, activations.relu_derivative(z_line), color=ORANGE, linewidth=2, label="relu'(z)")
ax_slope.set(title="Its slope: 1 for z > 0, 0 for z < 0", xlabel="pre-activation z", ylabel="relu'(z)",
             ylim=(-0.1, 1.2))
for ax in (ax_value, ax_slope):
    ax.axvline(0, color="0.6", linewidth=0.8)
    ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. A layer is a matrix product
#
# A **layer** is $H$ neurons that all look at the same inputs, each with its own weights and bias. Write the
# weight vector of neuron $j$ as column $j$ of a matrix $W$ of shape (D, H), and the biases as a vector $b$ of
# shape (H,). Then the pre-activations of all $H$ neurons for one sample $x$ (shape (D,)) are one product,
# $z = x W + b$ (shape (H,)).
#
# Better still, stack $N$ samples as the rows of $X$ (shape (N, D)) and the whole layer, for the whole batch,
# is still a single line:
#
# $$
# Z = X W + b, \qquad Z_{nj} = \sum_{i=1}^{D} X_{ni} W_{ij} + b_j, \qquad A = \sigma(Z).
# $$
#
# Row $n$ of $Z$ holds sample $n$'s pre-activations; column $j$ holds neuron $j$'s, one per sample. NumPy adds
# the bias row $b$ to every row of $XW$ (*broadcasting*). **Rows are samples** throughout this series; texts
# that write $z = W x + b$ for a column vector $x$ use a $W$ of shape (H, D) — the transpose of ours.
#
# The code below runs the four XOR points through a layer of three neurons:

# %%
X, y = nnlib.data.xor()           # X (N, D) = (4, 2), y (4,)
W = rng.normal(size=(2, 3))       # (D, H) = (2, 3): column j holds neuron j's weights
b = np.array([0.1, -0.2, 0.3])    # (H,): one bias per neuron

Z = X @ W + b                     # (4, 2) @ (2, 3) -> (4, 3); b is added to every row
A = activations.sigmoid(Z)        # (4, 3): elementwise
print(f"X {X.shape} @ W {W.shape} + b {b.shape} -> Z {Z.shape} -> A {A.shape}")
print("A, one row per sample, one column per neuron:")
print(A)

# %% [markdown]
# Each entry is exactly the single-neuron computation from section 1. Check one by hand — sample 3 (the point
# (1, 1)), neuron 2, counting from 0 as Python does — and then all twelve with two loops:

# %%
n, j = 3, 2
by_hand = X[n, 0] * W[0, j] + X[n, 1] * W[1, j] + b[j]
print(f"Z[{n}, {j}] = {float(Z[n, j]):.4f}; by hand: {float(by_hand):.4f}")
with_loops = np.array([[X[n] @ W[:, j] + b[j] for j in range(3)] for n in range(4)])  # (4, 3)
print("the loops give the same Z:", bool(np.allclose(with_loops, Z)))

# %% [markdown]
# The matrix form is not just shorter: NumPy hands it to optimised linear-algebra code, which is many times
# faster than Python loops — that is what makes training on thousands of samples practical.
#
# ## 5. Where do the first weights come from?
#
# Before training, every weight needs a starting value. Tutorials often draw them from **U[0, 1)** (uniform
# between 0 and 1) or **N(0, 1)** (the standard normal). Both work for two inputs and a handful of neurons,
# and both fail as the network grows. Here is why.
#
# Take one neuron with $n_{in}$ inputs $x_i$ of variance $v$ and independent zero-mean weights of variance
# $\operatorname{Var}(W)$. Its pre-activation is a sum of $n_{in}$ independent terms, so the variances add up:
#
# $$
# \operatorname{Var}(z) = n_{in} \cdot \operatorname{Var}(W) \cdot v.
# $$
#
# With N(0, 1) weights and 100 inputs, $z$ is 10 times more spread out than the inputs: deep in the saturated
# region of the sigmoid. With U[0, 1) the weights are all positive, so the terms do not even cancel. To keep
# the spread the same from layer to layer we need $\operatorname{Var}(W) \approx 1 / n_{in}$. Two standard
# recipes achieve this:
#
# | scheme | weights drawn from | variance | made for |
# |---|---|---|---|
# | U[0, 1) | uniform in [0, 1) | 1/12, mean 0.5 | — (common in small tutorials) |
# | N(0, 1) | standard normal | 1 | — (common in small tutorials) |
# | **Xavier** (Glorot, 2010) | uniform in $[-\ell, \ell]$ | $2 / (n_{in} + n_{out})$ | sigmoid, tanh |
# | **He** (2015) | normal, mean 0 | $2 / n_{in}$ | ReLU |
#
# with the limit
#
# $$
# \ell = \sqrt{\frac{6}{n_{in} + n_{out}}}.
# $$
#
# Xavier takes the average of $n_{in}$ and $n_{out}$ as a compromise, so that the signal keeps its size both
# forwards and, during backpropagation, backwards. A uniform distribution on $[-\ell, \ell]$ has variance
# $\ell^2 / 3$, hence the 6 in $\ell$. He doubles the variance because a ReLU sets about half of its inputs to
# zero, halving the signal at every layer. `nnlib` uses Xavier by default; biases start at zero.
#
# ### Exercise 3: `init_xavier`
# Complete `init_xavier(n_in, n_out, rng)`: it returns the weight matrix `W` of shape (n_in, n_out), drawn
# from U[−ℓ, ℓ] with the limit ℓ above. Draw all the weights with **one call** of the generator you are
# given, `rng.uniform(low, high, size=...)` — never `np.random.…` directly: NumPy's global random state would
# give different weights on every run, and nobody could reproduce your results.

# %%
def init_xavier(n_in, n_out, rng):
    """Xavier (Glorot) uniform weights for a layer with n_in inputs and n_out neurons.

    Returns W (n_in, n_out) drawn from U[−ℓ, ℓ] with ℓ = sqrt(6 / (n_in + n_out)), using the
    np.random.Generator rng.
    """
    ### BEGIN SOLUTION
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))
    ### END SOLUTION


# %%
checks.init_xavier()

# %% [markdown]
# ### What each scheme does to a deep network
#
# The formula predicts what happens; let us watch it. We push 500 random samples with 100 features through
# ten layers of 100 neurons each, with every scheme in turn (`nnlib.init.init_params` draws the weights), and
# record two numbers per layer:
#
# - the **spread** (standard deviation) of the activations: near 0 means every neuron outputs about the same
#   thing for every sample, so the layer has stopped carrying information;
# - the **average slope** of the activation function at the neurons' pre-activations: the factor by which
#   backpropagation scales the learning signal at that layer. Near 0 means saturated: nothing learns.
#
# We use tanh here, the sigmoid's zero-centred cousin ($\tanh(z) = 2\sigma(2z) - 1$, slope
# $1 - \tanh^2$, at most 1) for which Xavier was designed; a third panel repeats the experiment with ReLU, for
# which He was designed.

# %%
SCHEMES = {"uniform": "U[0, 1)", "normal": "N(0, 1)", "xavier": "Xavier", "he": "He"}
COLOURS = {"uniform": VERMILLION, "normal": PURPLE, "xavier": BLUE, "he": ORANGE}
depth, width = 10, 100
X_deep = rng.standard_normal((500, width))    # (N, D) = (500, 100): inputs with spread 1


def layer_statistics(scheme, activation, derivative, seed=1):
    """Std of the activations and mean slope, layer by layer, through `depth` layers of `width` units."""
    params = nnlib.init.init_params([width] * (depth + 1), scheme, rng=seed)
    A, spreads, slopes = X_deep, [], []
    for k in range(1, depth + 1):
        Z = A @ params[f"W{k}"] + params[f"b{k}"]   # (500, 100) @ (100, 100) -> (500, 100)
        A = activation(Z)
        spreads.append(float(A.std()))
        slopes.append(float(derivative(Z).mean()))
    return spreads, slopes


tanh_stats = {s: layer_statistics(s, activations.tanh, activations.tanh_derivative) for s in SCHEMES}
relu_stats = {s: layer_statistics(s, activations.relu, activations.relu_derivative) for s in SCHEMES}
print("spread of the tanh activations in layers 1 and 10:")
for scheme, name in SCHEMES.items():
    spreads, slopes = tanh_stats[scheme]
    print(f"  {name:8s} {spreads[0]:.3f} -> {spreads[-1]:.3f}   average slope in layer 10: {slopes[-1]:.3f}")

# %% tags=["nbval-ignore-output"]
# Draws the spread and average slope per layer for each initialisation scheme.
layers = np.arange(1, depth + 1)
fig, (ax_spread, ax_slope, ax_relu) = plt.subplots(1, 3, figsize=(10, 3.6))
for scheme, name in SCHEMES.items():
    style = {"color": COLOURS[scheme], "marker": "o", "markersize": 4, "label": name}
    ax_spread.plot(layers, tanh_stats[scheme][0], **style)
    ax_slope.plot(layers, tanh_stats[scheme][1], **style)
    ax_relu.semilogy(layers, relu_stats[scheme][0], **style)
ax_spread.set(title="tanh: spread of activations", ylabel="std of A", ylim=(0, 1.05))
ax_slope.set(title="tanh: average slope 1 − tanh²(Z)", ylabel="mean slope", ylim=(0, 1.05))
ax_relu.set(title="ReLU: spread of activations", ylabel="std of A (log scale)")
for ax in (ax_spread, ax_slope, ax_relu):
    ax.set(xlabel="layer", xticks=layers)
ax_spread.legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# Read the three panels together:
#
# - **U[0, 1)** and **N(0, 1)** saturate tanh from the first layer on. Their activations look lively (spread
#   close to 1), but they are stuck at ±1: the average slope is close to 0 (about 0.08 for N(0, 1); 0.13 in
#   layer 1 and then almost exactly 0 for U[0, 1)), so almost no learning signal gets through. With ReLU, which does not saturate, the same weights make the activations grow at
#   every layer, by a factor of about 7 for N(0, 1) and about 50 for U[0, 1) — to $10^8$ and $10^{15}$ after
#   ten layers.
# - **Xavier** keeps tanh in its useful range: the average slope stays high (above 0.6, rising to 0.95) while
#   the spread shrinks gradually, from 0.63 to 0.22 over ten layers. With ReLU it loses about 30% of the
#   spread per layer (half the inputs are zeroed), and the signal fades.
# - **He** keeps ReLU's spread nearly constant through all ten layers (0.83 in layer 1, 0.68 in layer 10) —
#   exactly what its extra factor 2 is for.
#
# For the tiny 2-4-1 XOR network of the next notebooks any of these schemes can work; for the 64-input digits
# network of notebook 07 the difference is already visible.
#
# ## 6. Why not start with all weights equal?
#
# If the scale is what matters, why draw random numbers at all? Why not set every weight to, say, 0.5?
#
# Because then every hidden neuron computes **the same function**: same inputs, same weights, same output.
# During training each receives the same gradient, so each gets the same update — and they stay identical
# forever. A layer of four equal neurons is no better than a single neuron, and a single neuron cannot solve
# XOR. Random initial weights *break the symmetry*: every neuron starts different and can learn something
# different.
#
# Let us watch it happen. We train two 2-4-1 networks on XOR with the same gradient descent (the training loop
# is notebook 04's topic; here `nnlib.train` runs it): one with every weight set to 0.5, one with Xavier
# weights. After every epoch we record the first-layer weights $W_1$.

# %%
def train_and_record(net, num_epochs=3000, lr=2.0):
    """Full-batch gradient descent on XOR; returns W1 (2, 4) after every epoch: (num_epochs, 2, 4)."""
    snapshots = []

    def record(epoch, history):
        snapshots.append(net.params["W1"].copy())  # copy: params are updated in place

    nnlib.train(net, X, y, nnlib.SGD(lr=lr), epochs=num_epochs, callback=record)
    return np.array(snapshots)


equal_net = nnlib.MLP([2, 4, 1], seed=0)
for name in equal_net.params:                 # every weight 0.5, every bias 0
    equal_net.params[name][...] = 0.5 if name.startswith("W") else 0.0
random_net = nnlib.MLP([2, 4, 1], init="xavier", seed=0)

equal_W1 = train_and_record(equal_net)
random_W1 = train_and_record(random_net)
for title, net in [("equal start ", equal_net), ("random start", random_net)]:
    print(f"{title}: loss {net.loss(X, y):.4f}, accuracy {net.accuracy(X, y):.0%}, "
          f"outputs {np.array2string(net.forward(X)[:, 0], precision=3, floatmode='fixed')}")

# %% [markdown]
# The random network has learned XOR. The one that started equal has not: it gets three of the four points
# right at best, which is all a network with a *single* hidden neuron can do. Look inside: after 3000 epochs
# of training, the four columns of its $W_1$ (one per hidden neuron) are still exactly equal, and so are the
# hidden neurons' outputs — four copies of one neuron.

# %%
print("W1 of the equal-start network after training, (2, 4):")
print(equal_net.params["W1"])
A1 = equal_net.layer_outputs(X)[0]                     # (4, 4): hidden outputs, one column per neuron
spread_between_neurons = float(np.ptp(A1, axis=1).max())
print(f"largest difference between two hidden neurons' outputs: {spread_between_neurons}")

# %% tags=["nbval-ignore-output"]
# Draws how the weight from input x₁ to each hidden neuron changes during training.
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
neuron_styles = [(BLUE, "-"), (ORANGE, "--"), (GREEN, "-."), (PURPLE, ":")]
for ax, history, title in [(axes[0], equal_W1, "Equal start: the 4 lines lie on top of each other"),
                           (axes[1], random_W1, "Random (Xavier) start: 4 different neurons")]:
    for j, (colour, linestyle) in enumerate(neuron_styles):
        ax.plot(history[:, 0, j], color=colour, linestyle=linestyle, linewidth=2, label=f"neuron {j + 1}")
    ax.set(title=title, xlabel="epoch")
axes[0].set_ylabel("weight from $x_1$, $W_1[0, j]$")
axes[1].legend(fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# The same holds for *any* equal starting value, including zero (with zero weights, the first layer's
# gradient is even exactly zero at first). Biases may start at zero — the random weights already break the
# symmetry — which is what `nnlib` does.
#
# ## Summary
# - A neuron computes $a = \sigma(x \cdot w + b)$: a soft straight-line separator. A layer of $H$ neurons for
#   a batch is one matrix product, `Z = X @ W + b` with `X` (N, D), `W` (D, H), `b` (H,), rows being samples.
# - The sigmoid maps $z$ into (0, 1); its derivative $\sigma(z)(1 - \sigma(z))$ is at most 0.25 and close to 0
#   for $|z| > 4$: saturated neurons learn very slowly.
# - Initial weights need the right **scale** — variance about $1/n_{in}$: Xavier for sigmoid/tanh, He for
#   ReLU — and must be **different** from one another, or the neurons of a layer stay identical forever.
# - In `nnlib`: `nnlib.activations` (`sigmoid`, `sigmoid_derivative`, `tanh`, `relu`, … with their
#   derivatives) and `nnlib.init.init_params(layer_sizes, scheme, rng)` with the schemes `"uniform"`,
#   `"normal"`, `"xavier"` and `"he"`.
#
# ## Exercises
# 1. Show that $\sigma(-z) = 1 - \sigma(z)$, first on paper, then numerically with `activations.sigmoid`.
# 2. Prove $\tanh(z) = 2\sigma(2z) - 1$ and derive $\tanh'(z) = 1 - \tanh^2(z)$ from $\sigma'$.
# 3. Rerun the depth experiment with the sigmoid instead of tanh (`activations.sigmoid`,
#    `activations.sigmoid_derivative`). Which scheme works best now, and why does the sigmoid's average slope
#    never exceed 0.25?
# 4. Write `init_he(n_in, n_out, rng)` and check with a (1000, 500) matrix that the standard deviation of its
#    entries is close to $\sqrt{2 / n_{in}}$.
# 5. In section 6, start from all-zero weights instead of 0.5. What does the trained network output? Then give
#    only *one* hidden neuron a different starting weight: is that enough to break the symmetry?
#
# ---
# [← 00 Start here](00_start_here.ipynb) | [Contents](00_start_here.ipynb) |
# [02 Forward pass →](02_forward_pass.ipynb)
