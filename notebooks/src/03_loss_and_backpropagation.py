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
# [← 02 Forward pass](02_forward_pass.ipynb) | [Contents](00_start_here.ipynb) |
# [04 Training on XOR →](04_training_on_xor.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/03_loss_and_backpropagation.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/03_loss_and_backpropagation.ipynb)
#
# # 3. Loss and backpropagation
#
# A network learns by measuring how wrong it is with one number, the **loss**, and then asking every weight
# "if I nudge you, how does the loss change?" — **backpropagation** answers that question for all weights at
# once.
#
# **You will learn**
# - two losses, mean squared error (MSE) and binary cross-entropy (BCE), and which of their constants matter;
# - the chain rule on a tiny graph for one neuron, with real numbers, and then in matrix form for a whole
#   network;
# - the backward pass of the 2-4-1 XOR network, with the shape of every array;
# - how to check any gradient numerically with centred differences, so you never have to trust your algebra.
#
# **Prerequisites**: [02 Forward pass](02_forward_pass.ipynb) (the forward pass `Z = X @ W + b`, the sigmoid,
# shapes of a batch) and the derivative of a function of one variable. The chain rule is explained here from
# scratch.

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
import matplotlib.pyplot as plt
import numpy as np

import nnlib
from nnlib.activations import sigmoid, sigmoid_derivative

from classroom.checks import nb03 as checks  # the exercises' checks: checks.mse() …

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
BLUE, ORANGE = "#0072B2", "#E69F00"  # from the Okabe-Ito palette: safe for colour-blind readers

# %% [markdown]
# ## 1. Where we start: an untrained network on XOR
#
# We keep the problem of notebook 02: the four XOR points, a 2-4-1 network with sigmoid units, and the
# forward pass written out by hand. The targets `y` become a column of shape `(N, 1)` so that they line up
# with the outputs `y_hat`, entry by entry. The forward pass also returns a **cache**: the intermediate arrays
# `Z1, A1, Z2` that the backward pass will need.

# %%
X, labels = nnlib.data.xor()               # X (4, 2), labels (4,) int
y = labels.reshape(-1, 1).astype(float)    # (4, 1): one target per row, like y_hat

net = nnlib.MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", loss="mse", seed=0)
params = {name: value.copy() for name, value in net.params.items()}  # our own copy to experiment on


def forward(X, params):
    """Forward pass of the 2-4-1 network (as in notebook 02). X (N, 2) -> y_hat (N, 1) and the cache."""
    Z1 = X @ params["W1"] + params["b1"]    # (N, 2) @ (2, 4) + (4,) -> (N, 4)
    A1 = sigmoid(Z1)                        # (N, 4)
    Z2 = A1 @ params["W2"] + params["b2"]   # (N, 4) @ (4, 1) + (1,) -> (N, 1)
    y_hat = sigmoid(Z2)                     # (N, 1)
    return y_hat, {"Z1": Z1, "A1": A1, "Z2": Z2, "y_hat": y_hat}


y_hat, cache = forward(X, params)
print("targets y      :", y.ravel())
print("outputs y_hat  :", y_hat.ravel())

# %%
np.testing.assert_allclose(forward(X, params)[0], net.forward(X))   # raises an error if they ever differ
print("our forward pass computes exactly nnlib's net.forward(X)")

# %% [markdown]
# The outputs are all about 0.6, whatever the input: the untrained network has no idea. To improve it we
# first need a single number that says *how* wrong it is.
#
# ## 2. Mean squared error
#
# The simplest measure: the squared difference between output and target, averaged over the batch.
# With `N` samples and one output each,
#
# $$
# L = \frac{1}{N} \sum_{n=1}^{N} \left(\hat y_n - y_n\right)^2 .
# $$
#
# This is exactly PyTorch's `MSELoss` with its default `reduction="mean"`: the mean over **all** entries of
# the `(N, C)` arrays, here with $C = 1$ output per sample. Squaring makes every error count as positive and
# punishes big errors much more than small ones; averaging makes the loss independent of how many samples the
# batch holds.

# %% [markdown]
# ### Exercise 1 — `mse`
# Complete `mse(y_hat, y)`. It must return one Python `float`.

# %%
def mse(y_hat, y):
    """Mean squared error, averaged over all entries (PyTorch's convention).

    y_hat (N, C) and y (N, C) -> float.   L = (1 / (N*C)) * sum of (y_hat - y)**2
    """
    ### BEGIN SOLUTION
    return float(np.mean((y_hat - y) ** 2))
    ### END SOLUTION


# %%
checks.mse()

# %% [markdown]
# Our untrained network's loss on XOR:

# %%
print(f"MSE of the untrained network: {nnlib.losses.mse(y_hat, y):.4f}")
print("(a network answering 0.5 everywhere would score exactly 0.25)")

# %% [markdown]
# ### The other convention: ½ · mean, with the gradient summed over the batch
#
# Many tutorials (among them one of those this series grew from) write the loss as
#
# $$
# L_{\text{half}} = \frac{1}{N} \sum_{n} \tfrac12 \left(y_n - \hat y_n\right)^2 ,
# $$
#
# because the ½ cancels the 2 that comes out of the derivative — and then compute the gradient **without**
# the $\frac1N$, summed over the batch: for one output that is $\hat y_n - y_n$ per sample instead of
# $\frac{2}{N}(\hat y_n - y_n)$. Every gradient of every weight is built from this first factor, so the
# two conventions give gradients that differ by one constant:
#
# $$
# g_{\text{half, summed}} = \frac{N}{2} \; g_{\text{mean}} .
# $$
#
# A gradient step is $\theta \leftarrow \theta - \text{lr} \cdot g$, so a constant in front of $g$ is the same
# as a constant in front of the learning rate: **`lr = 0.1` with the ½-and-sum convention is `lr = 0.1 · N/2`
# with PyTorch's mean.** Nothing else changes. Section 5 checks this with numbers, once we can compute
# gradients.
#
# The lesson: **the constants in front of a loss (½, 1/N, a sum) only rescale the learning rate.** They matter
# when you copy a learning rate from one text to another, and for nothing else. This series uses PyTorch's
# mean convention everywhere, so that your learning rates carry over when you move on to a framework. (A mean
# also keeps the step size independent of the batch size — with a sum, doubling the batch doubles the step.)

# %% [markdown]
# ## 3. Binary cross-entropy
#
# Our output is a probability: $\hat y_n$ = "how sure the network is that sample $n$ is class 1".
# Binary cross-entropy scores a probability by how much it believed the truth:
#
# $$
# L = -\frac{1}{N} \sum_{n=1}^{N} \Big[ y_n \log \hat y_n + (1 - y_n) \log (1 - \hat y_n) \Big] .
# $$
#
# For a sample with $y_n = 1$ only the first term is left, $-\log \hat y_n$: zero when the network says 1, and
# growing without bound as it says 0. For $y_n = 0$ the second term does the same with $1 - \hat y_n$.
# (`log` is the natural logarithm, `np.log`. PyTorch's `BCELoss` is this formula with the mean.)

# %% [markdown]
# ### Exercise 2 — `bce`
# Complete `bce(y_hat, y)`. You may assume every `y_hat` lies strictly between 0 and 1.

# %%
def bce(y_hat, y):
    """Binary cross-entropy averaged over all entries (PyTorch's BCELoss).

    y_hat (N, C) probabilities in (0, 1), y (N, C) targets 0 or 1 -> float.
    L = -mean( y * log(y_hat) + (1 - y) * log(1 - y_hat) )
    """
    ### BEGIN SOLUTION
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))
    ### END SOLUTION


# %%
checks.bce()

# %% [markdown]
# ### Why cross-entropy pairs with a sigmoid output
#
# Backpropagation will need $\partial L / \partial Z_2$, the gradient with respect to the output unit's
# pre-activation $Z_2$ (where $\hat y = \sigma(Z_2)$). By the chain rule it is
# $\frac{\partial L}{\partial \hat y} \cdot \sigma'(Z_2)$, and $\sigma'(Z_2) = \hat y (1 - \hat y)$. For one
# entry of BCE,
# $\frac{\partial L}{\partial \hat y} = \frac{1}{N} \cdot \frac{\hat y - y}{\hat y (1 - \hat y)}$,
# so the sigmoid's slope cancels **exactly**:
#
# $$
# \text{BCE:}\quad dZ_2 = \frac{1}{N} (\hat y - y) \qquad\qquad
# \text{MSE:}\quad dZ_2 = \frac{2}{N} (\hat y - y)\, \hat y (1 - \hat y) .
# $$
#
# With MSE the factor $\hat y (1 - \hat y)$ stays. It is tiny when the output is saturated, near 0 or 1 — also
# when the network is *confidently wrong*, which is exactly when it most needs a big correction. Let's check
# the cancellation numerically with nnlib's BCE gradient, then look at both gradients.

# %%
Z2 = cache["Z2"]                                                  # (4, 1)
dZ2_chain = nnlib.losses.bce_gradient(y_hat, y) * sigmoid_derivative(Z2)   # dL/dy_hat * dy_hat/dZ2
dZ2_simple = (y_hat - y) / len(y)
print("dL/dy_hat * σ'(Z2):", dZ2_chain.ravel())
print("(y_hat - y) / N    :", dZ2_simple.ravel())

# %% tags=["nbval-ignore-output"]
# Draw the losses and their gradients for one sample with target y = 1, as its pre-activation z varies.
z = np.linspace(-8, 8, 400)
a = sigmoid(z)
fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(10, 3.8))
ax_loss.plot(z, (a - 1) ** 2, color=BLUE, label="MSE  $(\\hat y - 1)^2$")
ax_loss.plot(z, -np.log(a), color=ORANGE, linestyle="--", label="BCE  $-\\log \\hat y$")
ax_loss.set(title="Loss of one sample with y = 1", xlabel="pre-activation z  (y_hat = σ(z))", ylabel="loss",
            ylim=(0, 4))
ax_grad.plot(z, np.abs(2 * (a - 1) * a * (1 - a)), color=BLUE, label="MSE")
ax_grad.plot(z, np.abs(a - 1), color=ORANGE, linestyle="--", label="BCE")
ax_grad.axvspan(-8, -3, color="0.9")
ax_grad.text(-7.7, 0.9, "confidently\nwrong", va="top")
ax_grad.set(title="Size of the gradient |dL/dz|", xlabel="pre-activation z  (y_hat = σ(z))",
            ylabel="|dL/dz|")
for ax in (ax_loss, ax_grad):
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# On the left, BCE keeps growing as the prediction gets worse while MSE flattens out at 1. On the right is
# what learning feels: when the network is confidently wrong (grey band) the MSE gradient has almost
# vanished, while the BCE gradient is as large as it can be. That is why classifiers use sigmoid + BCE (and
# softmax + cross-entropy for many classes, notebook 07). For the small XOR problem MSE works well enough,
# so we keep it, as the classic from-scratch tutorials do; nnlib offers both (`loss="mse"` or `loss="bce"`).

# %% [markdown]
# ## 4. The chain rule on one neuron
#
# Backpropagation is the chain rule applied systematically. Take one neuron with two inputs and the squared
# error of one sample, and break the computation into small steps, a **computational graph**:
#
# $$
# z = x_1 w_1 + x_2 w_2 + b, \qquad a = \sigma(z), \qquad L = (a - y)^2 .
# $$
#
# The **forward pass** computes the values from left to right. The **backward pass** goes from right to left
# and computes, for every value, how much $L$ changes per unit change of it. Each step needs only its own
# *local* derivative, multiplied by the gradient arriving from its right:
#
# $$
# \frac{\partial L}{\partial a} = 2(a - y), \qquad
# \frac{\partial L}{\partial z} = \frac{\partial L}{\partial a} \cdot \sigma'(z), \qquad
# \frac{\partial L}{\partial w_1} = \frac{\partial L}{\partial z} \cdot x_1, \qquad
# \frac{\partial L}{\partial w_2} = \frac{\partial L}{\partial z} \cdot x_2, \qquad
# \frac{\partial L}{\partial b} = \frac{\partial L}{\partial z} \cdot 1 .
# $$
#
# With numbers:

# %%
x1, x2 = 0.5, -1.0       # the inputs of one sample
w1, w2, b = 0.8, 0.3, 0.1
target = 1.0             # y for this sample

# forward, left to right
z_one = x1 * w1 + x2 * w2 + b
a_one = 1 / (1 + np.exp(-z_one))          # the sigmoid of one number
L_one = (a_one - target) ** 2

# backward, right to left: local derivative times the gradient arriving from the right
dL_da = 2 * (a_one - target)
dL_dz = dL_da * a_one * (1 - a_one)        # sigma'(z) = sigma(z) (1 - sigma(z)) = a (1 - a)
dL_dw1, dL_dw2, dL_db = dL_dz * x1, dL_dz * x2, dL_dz * 1.0

print(f"forward : z = {z_one:.4f}   a = σ(z) = {a_one:.4f}   L = (a - y)² = {L_one:.4f}")
print(f"backward: dL/da = {dL_da:.4f}   dL/dz = {dL_dz:.4f}")
print(f"          dL/dw1 = {dL_dw1:.4f}   dL/dw2 = {dL_dw2:.4f}   dL/db = {dL_db:.4f}")

# %% tags=["nbval-ignore-output"]
# Draw the computational graph: values of the forward pass in blue, gradients of the backward pass in orange.
nodes = {"x1": (0, 4.0), "w1": (0, 2.9), "x2": (0, 1.6), "w2": (0, 0.5), "b": (1.8, -1.0),
         "×₁": (1.8, 3.45), "×₂": (1.8, 1.05), "+": (3.6, 1.6), "σ": (5.2, 1.6), "L": (6.8, 1.6)}
values = {"x1": x1, "w1": w1, "x2": x2, "w2": w2, "b": b, "×₁": x1 * w1, "×₂": x2 * w2,
          "+": z_one, "σ": a_one, "L": L_one}
grads_one = {"x1": dL_dz * w1, "w1": dL_dw1, "x2": dL_dz * w2, "w2": dL_dw2, "b": dL_db, "×₁": dL_dz,
             "×₂": dL_dz, "+": dL_dz, "σ": dL_da, "L": 1.0}
edges = [("x1", "×₁"), ("w1", "×₁"), ("x2", "×₂"), ("w2", "×₂"), ("×₁", "+"), ("×₂", "+"), ("b", "+"),
         ("+", "σ"), ("σ", "L")]
fig, ax = plt.subplots(figsize=(10, 4))
for start, end in edges:
    ax.annotate("", xy=nodes[end], xytext=nodes[start],
                arrowprops={"arrowstyle": "->", "color": "0.5", "shrinkA": 14, "shrinkB": 14})
for name, (px, py) in nodes.items():
    ax.text(px, py, name, ha="center", va="center", fontsize=12,
            bbox={"boxstyle": "circle", "facecolor": "white", "edgecolor": "0.3"})
    inputs_column = px == 0      # inputs: numbers on the left of the node; others (and b): above and below
    offsets = ((-18, 3), (-18, -12)) if inputs_column else ((0, 17), (0, -26))
    align = "right" if inputs_column else "center"
    ax.annotate(f"{values[name]:.3f}", (px, py), xytext=offsets[0], textcoords="offset points",
                ha=align, color=BLUE)
    ax.annotate(f"{grads_one[name]:.3f}", (px, py), xytext=offsets[1], textcoords="offset points",
                ha=align, color=ORANGE)
ax.text(6.8, 0.5, "L = (a − y)²\nwith y = 1", ha="center", va="top")
ax.plot([], [], color=BLUE, label="value (forward pass)")
ax.plot([], [], color=ORANGE, label="dL/d(value) (backward pass)")
ax.legend(loc="lower right")
ax.set(title="One neuron as a computational graph", xlim=(-1.0, 7.4), ylim=(-1.8, 4.5))
ax.axis("off")
plt.show()

# %% [markdown]
# Read the orange numbers from right to left: at `L` the gradient is 1 ($\partial L/\partial L$); at `σ` it is
# $2(a - y)$; the `σ` node multiplies by its slope $a(1-a)$; the `+` node passes the gradient unchanged to
# each of its inputs; a `×` node sends to each input the gradient times **the other** input. Two rules of
# thumb that hold in every network: *a sum distributes the gradient, a product swaps the factors.*
#
# Is it right? A derivative is a slope, so we can measure it: nudge $w_1$ a little up and down and look at the
# change of $L$. (Section 6 turns this into a tool.)

# %%
def loss_of_w1(w1_value):
    """The neuron's loss as a function of w1 alone, everything else fixed."""
    z_value = x1 * w1_value + x2 * w2 + b
    return (1 / (1 + np.exp(-z_value)) - target) ** 2


h = 1e-5
slope = (loss_of_w1(w1 + h) - loss_of_w1(w1 - h)) / (2 * h)
print(f"measured slope dL/dw1 ≈ {slope:.6f}   chain rule: {dL_dw1:.6f}")

# %% [markdown]
# ## 5. The backward pass of the whole network, in matrix form
#
# The 2-4-1 network does the same thing with arrays: four hidden neurons instead of one, and a batch of `N`
# samples at once. Remember that **rows are samples**: `Z = X @ W + b` (texts that write $W x$ use one
# column per sample; it is the same maths transposed). The forward pass and its shapes, with `N` samples:
#
# | array | formula | shape |
# |---|---|---|
# | `X` | input | `(N, 2)` |
# | `Z1` | `X @ W1 + b1` | `(N, 4)` |
# | `A1` | `σ(Z1)` | `(N, 4)` |
# | `Z2` | `A1 @ W2 + b2` | `(N, 1)` |
# | `y_hat` | `σ(Z2)` | `(N, 1)` |
# | `L` | `mean((y_hat − y)²)` | scalar |
#
# The backward pass walks the same table upwards. Each `d<name>` has the shape of `<name>` (a gradient says
# how the loss changes per entry, so it needs one number per entry):
#
# $$
# \begin{aligned}
# dZ_2 &= \tfrac{2}{N}(\hat y - y) \odot \sigma'(Z_2) && (N, 1) \\
# dW_2 &= A_1^{\top}\, dZ_2 && (4, N)\,(N, 1) \to (4, 1) \\
# db_2 &= \textstyle\sum_{n} dZ_2[n, :] && (1,) \\
# dA_1 &= dZ_2\, W_2^{\top} && (N, 1)\,(1, 4) \to (N, 4) \\
# dZ_1 &= dA_1 \odot \sigma'(Z_1) && (N, 4) \\
# dW_1 &= X^{\top}\, dZ_1 && (2, N)\,(N, 4) \to (2, 4) \\
# db_1 &= \textstyle\sum_{n} dZ_1[n, :] && (4,)
# \end{aligned}
# $$
#
# ($\odot$ is the elementwise product, `*` in NumPy.) Three patterns, each the matrix version of section 4:
# - **Weights:** `dW = (input of the layer).T @ dZ`. Sample `n` alone would give the outer product of its
#   input row and its `dZ` row (`w` gets gradient "`dz` times its input", as in the neuron); the matrix
#   product adds these up over the batch in one go.
# - **Biases:** a bias is added to every sample, so its gradient is `dZ` summed over the batch, `axis=0`.
# - **Going back a layer:** `dA1 = dZ2 @ W2.T` — each hidden unit receives the gradients of the units it
#   feeds, weighted by the connecting weights. Then `* σ'(Z1)` crosses the sigmoid, elementwise.
#
# One trap: $\sigma'(Z_1) = \sigma(Z_1)\,(1 - \sigma(Z_1)) = A_1 (1 - A_1)$. Both forms are right; what is
# **wrong** is to apply the derivative *function* to `A1` (`sigmoid_derivative(A1)`), which computes
# $\sigma'(\sigma(Z_1))$.
#
# The weight rule checked on our XOR batch — the matrix product equals the sum of per-sample outer products:

# %%
N = len(X)                                                             # 4 samples
dZ2 = (2 / N) * (y_hat - y) * sigmoid_derivative(cache["Z2"])          # (4, 1)
dW2_matrix = cache["A1"].T @ dZ2                                       # (4, 4) @ (4, 1) -> (4, 1)
dW2_per_sample = sum(np.outer(cache["A1"][n], dZ2[n]) for n in range(N))  # N outer products (4, 1)
print("A1.T @ dZ2            :", dW2_matrix.ravel())
print("sum of outer products :", dW2_per_sample.ravel())

# %% [markdown]
# ### Exercise 3 — `backward`
# Complete `backward(X, y, params, cache)` for the 2-4-1 network with sigmoid units and the MSE loss (mean
# convention). Return a dictionary with the keys of `params`: `{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}`.
# The check cell tests each gradient separately, so it tells you which one is wrong.

# %%
def backward(X, y, params, cache):
    """Gradients of the MSE loss of the 2-4-1 sigmoid network.

    X (N, 2), y (N, 1), params {"W1": (2, 4), "b1": (4,), "W2": (4, 1), "b2": (1,)},
    cache {"Z1": (N, 4), "A1": (N, 4), "Z2": (N, 1), "y_hat": (N, 1)} from forward(X, params).
    Returns {"W1": dW1 (2, 4), "b1": db1 (4,), "W2": dW2 (4, 1), "b2": db2 (1,)}.
    """
    ### BEGIN SOLUTION
    N = X.shape[0]
    y_hat, A1 = cache["y_hat"], cache["A1"]
    dZ2 = (2 / N) * (y_hat - y) * y_hat * (1 - y_hat)    # (N, 1)
    dW2 = A1.T @ dZ2                                     # (4, N) @ (N, 1) -> (4, 1)
    db2 = dZ2.sum(axis=0)                                # (1,)
    dA1 = dZ2 @ params["W2"].T                           # (N, 1) @ (1, 4) -> (N, 4)
    dZ1 = dA1 * A1 * (1 - A1)                            # (N, 4)
    dW1 = X.T @ dZ1                                      # (2, N) @ (N, 4) -> (2, 4)
    db1 = dZ1.sum(axis=0)                                # (4,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    ### END SOLUTION


# %%
checks.backward()

# %% [markdown]
# The expected values in this check come from `nnlib.MLP.loss_and_grads`, which does the same computation for
# any number of layers: it loops over the layers from the last to the first, and each layer's backward step is
# the three patterns above (`dense_backward` in `nnlib/layers.py`, called by the loop in `nnlib/network.py`).
# Your `backward` is that loop unrolled for two layers.

# %% [markdown]
# ### Back to the ½-and-sum convention
#
# Now that we can compute gradients, let's check section 2's claim with numbers rather than believe it.
# `net.loss_and_grads(X, y)` gives the gradients with the mean convention; below, the ½-and-sum ones are
# computed as those tutorials do: the same backward pass, but starting from `dZ2 = (y_hat - y) * σ'(Z2)`,
# without the `2/N`.

# %%
mean_loss, grads_mean = net.loss_and_grads(X, y)    # PyTorch's mean convention, from nnlib

# The ½-and-sum convention, written out (the formulas of the table above, without 2/N):
dZ2 = (y_hat - y) * y_hat * (1 - y_hat)             # (4, 1)
dZ1 = (dZ2 @ params["W2"].T) * cache["A1"] * (1 - cache["A1"])   # (4, 4)
grads_half = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=0)}

for name in ["W1", "b1", "W2", "b2"]:
    ratio = grads_half[name] / grads_mean[name]
    print(f"{name}: g_half / g_mean = {float(ratio.min()):.6f} … {float(ratio.max()):.6f}   (N/2 = {N / 2})")
half_loss = float(np.mean(0.5 * (y - y_hat) ** 2))
print(f"and the loss itself: L_half = {half_loss:.6f} = L_mean / 2 = {mean_loss / 2:.6f}")

# %% [markdown]
# Every entry of every gradient is exactly `N/2 = 2` times larger. So 50 gradient steps with the tutorial's
# `lr = 0.1` and its convention land on **the same weights** as 50 steps with `lr = 0.2` and the mean:

# %%
def gradient_steps(params, lr, num_epochs, convention):
    """Plain gradient descent on a copy of params with either gradient convention; returns the new params."""
    params = {name: value.copy() for name, value in params.items()}
    for _ in range(num_epochs):
        y_hat, cache = forward(X, params)
        scale = 1.0 if convention == "half_sum" else 2.0 / len(X)   # the only difference
        dZ2 = scale * (y_hat - y) * y_hat * (1 - y_hat)
        dZ1 = (dZ2 @ params["W2"].T) * cache["A1"] * (1 - cache["A1"])
        grads = {"W1": X.T @ dZ1, "b1": dZ1.sum(axis=0), "W2": cache["A1"].T @ dZ2, "b2": dZ2.sum(axis=0)}
        for name in params:
            params[name] -= lr * grads[name]
    return params


after_half = gradient_steps(params, lr=0.1, num_epochs=50, convention="half_sum")
after_mean = gradient_steps(params, lr=0.1 * N / 2, num_epochs=50, convention="mean")
difference = max(float(np.abs(after_half[name] - after_mean[name]).max()) for name in params)
print(f"largest difference between the two sets of weights after 50 steps: {difference:.1e}")

# %% [markdown]
# Not even a rounding difference: multiplying by `N/2 = 2` is exact in floating point. Two conventions, one
# set of weights: only the learning rate has to be translated.

# %% [markdown]
# ## 6. Checking gradients numerically
#
# A wrong gradient rarely crashes: the network just learns badly, or not at all, and you don't know why. So we
# measure the slopes directly, as we did for $w_1$ above. For each entry $x_i$ of a parameter array, nudge
# it by a small $h$ up and down and look at the change of the loss — the **centred difference**:
#
# $$
# \frac{\partial f}{\partial x_i} \approx \frac{f(x + h\,e_i) - f(x - h\,e_i)}{2h} ,
# $$
#
# where $e_i$ is 1 at entry $i$ and 0 elsewhere. Why centred and not the one-sided
# $\frac{f(x + h e_i) - f(x)}{h}$? A Taylor expansion shows the one-sided error shrinks like $h$, the centred
# error like $h^2$: with $h = 10^{-5}$ that is about $10^{-5}$ versus $10^{-10}$. Too small an $h$ is no good
# either, because $f(x+h) - f(x-h)$ then loses its digits to rounding. The picture for the slope of the
# sigmoid at $z = 1$:

# %% tags=["nbval-ignore-output"]
# Draw the error of one-sided and centred differences against the step h (log-log).
steps = np.logspace(-12, -1, 45)
true_slope = float(sigmoid_derivative(np.array([1.0]))[0])
one_sided = np.abs((sigmoid(1.0 + steps) - sigmoid(np.array([1.0]))) / steps - true_slope)
centred = np.abs((sigmoid(1.0 + steps) - sigmoid(1.0 - steps)) / (2 * steps) - true_slope)
fig, ax = plt.subplots(figsize=(6, 4))
ax.loglog(steps, np.maximum(one_sided, 1e-17), color=BLUE, label="one-sided  (f(x+h) − f(x)) / h")
ax.loglog(steps, np.maximum(centred, 1e-17), color=ORANGE, linestyle="--",
          label="centred  (f(x+h) − f(x−h)) / 2h")
ax.axvline(1e-5, color="0.6", linestyle=":")
ax.text(1.3e-5, 1e-3, "h = 1e-5", color="0.4")
ax.set(title="Error of a numeric derivative of σ at z = 1", xlabel="step h", ylabel="|numeric − exact|")
ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# Going right from tiny $h$, rounding error falls; then the approximation error takes over and rises — with
# slope 1 for one-sided, slope 2 for centred. Around $h = 10^{-5}$ the centred difference is good to about
# ten digits, which is what a gradient check needs.
#
# To judge the agreement of an analytic gradient `a` and a numeric one `b` we use the **relative error**
# (as in CS231n), so that the verdict doesn't depend on how large the gradients are:
#
# $$
# \text{rel\_error}(a, b) = \max_i \frac{|a_i - b_i|}{\max(10^{-8},\ |a_i| + |b_i|)} .
# $$
#
# In float64 a correct gradient of a smooth function gives about $10^{-7}$ or less; a bug gives $10^{-2}$ or
# more.

# %% [markdown]
# ### Exercise 4 — `numeric_gradient`
# Complete `numeric_gradient(f, x, h)`. `f` takes an array of the shape of `x` and returns a float. Change
# **one** entry of `x` at a time, in place, and put it back exactly before moving on: when you return, `x`
# must be unchanged. `x` can have any shape — `np.ndindex(x.shape)` gives every index of a 2-D array, e.g.
# `(0, 2)`.

# %%
def numeric_gradient(f, x, h=1e-5):
    """Centred-difference estimate of the gradient of f at x.

    f: function taking an array shaped like x and returning a float; x: float array of any shape (changed
    in place one entry at a time, restored before returning). Returns an array shaped like x:
    grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2 h).
    """
    ### BEGIN SOLUTION
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        old_value = x[index]
        x[index] = old_value + h
        f_plus = f(x)
        x[index] = old_value - h
        f_minus = f(x)
        x[index] = old_value                  # restore before moving to the next entry
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
    ### END SOLUTION


# %%
checks.numeric_gradient()

# %% [markdown]
# ### Checking the backward pass
#
# Now point the numeric gradient at the network. For `W1`, the function to differentiate is "the loss, as a
# function of `W1` with everything else fixed". We use nnlib's `numeric_gradient` (the same algorithm as
# yours, in `nnlib/gradcheck.py`) and nnlib's `rel_error`, and compare with the gradients of the backward
# pass:

# %%
def loss_as_function_of(name):
    """The MSE loss on XOR as a function of one parameter array, the others fixed."""
    def loss(value):
        return nnlib.losses.mse(forward(X, {**params, name: value})[0], y)
    return loss


_, analytic = net.loss_and_grads(X, y)              # the backward pass (same params as our copy)
for name in ["W1", "b1", "W2", "b2"]:
    numeric = nnlib.gradcheck.numeric_gradient(loss_as_function_of(name), params[name].copy())
    error = nnlib.rel_error(analytic[name], numeric)
    print(f"{name:3s} {str(params[name].shape):7s} rel_error = {error:.1e}")

# %% [markdown]
# All far below $10^{-7}$. `nnlib.grad_check(net, X, y)` does this for every parameter of any `MLP` and
# prints a report:

# %%
report = nnlib.grad_check(net, X, y)
print(report)

# %% [markdown]
# And here is what a bug looks like. Suppose we had written `sigmoid_derivative(A1)` in the hidden layer — the
# trap from section 5. The output-layer gradients stay right, the hidden-layer ones are off:

# %%
dZ2 = (2 / N) * (y_hat - y) * y_hat * (1 - y_hat)
dZ1_buggy = (dZ2 @ params["W2"].T) * sigmoid_derivative(cache["A1"])    # the bug: σ' of A1 instead of Z1
numeric_W1 = nnlib.gradcheck.numeric_gradient(loss_as_function_of("W1"), params["W1"].copy())
print(f"W1 with the bug: rel_error = {nnlib.rel_error(X.T @ dZ1_buggy, numeric_W1):.1e}   (a clear FAIL)")

# %% [markdown]
# A gradient check is slow — two forward passes per parameter entry — so we run it on a tiny network and a few
# samples, once, while writing the backward pass; never during training. The check of Exercise 3 compared
# your `backward` with nnlib's directly; a numeric check like this one is what you rely on when there is no
# reference to compare with — for a layer or a loss you invent yourself (see the exercises at the end).

# %% [markdown]
# ## Summary
#
# - A **loss** turns "how wrong" into one number. MSE averages squared errors; BCE scores probabilities, and
#   with a sigmoid output its gradient is simply $dZ_2 = (\hat y - y)/N$ — no vanishing when confidently
#   wrong.
# - Constants in front of the loss (½, mean or sum) only **rescale the gradient, hence the learning rate**:
#   the ½-and-sum convention with `lr` equals PyTorch's mean with `lr · N/2`. This series uses the mean.
# - **Backpropagation** is the chain rule from the loss backwards: `dW = input.T @ dZ`, `db = dZ.sum(axis=0)`,
#   `dA_prev = dZ @ W.T`, then `* σ'(Z)` — every gradient has the shape of what it is the gradient of.
# - **Check gradients numerically** with centred differences and the relative error; below $10^{-7}$ is right.
# - In nnlib: `nnlib.losses` (`mse`, `bce` and their gradients), `MLP.loss_and_grads`, `nnlib.grad_check`,
#   `nnlib.rel_error` and `nnlib.gradcheck.numeric_gradient`.
#
# ## Exercises
#
# 1. Write `backward_bce(X, y, params, cache)` for the same network with the BCE loss (only `dZ2` changes) and
#    check it with `nnlib.grad_check(nnlib.MLP([2, 4, 1], loss="bce", seed=0), X, y)` as the reference.
# 2. Replace the hidden sigmoid by `tanh` (derivative $1 - \tanh^2$). Which lines of `backward` change?
# 3. Run a gradient check with the one-sided difference instead of the centred one. How large do the relative
#    errors get? Would they still tell a correct gradient from a buggy one?
# 4. Pencil and paper: derive $dW_2 = A_1^{\top} dZ_2$ by writing out $\partial L / \partial W_2[j, 0]$ as a
#    sum over the samples.
# 5. The gradient check on a network with ReLU units sometimes fails by a little even when the backward pass
#    is right. Read the note in `nnlib/gradcheck.py` and explain why.
#
# ---
# [← 02 Forward pass](02_forward_pass.ipynb) | [Contents](00_start_here.ipynb) |
# [04 Training on XOR →](04_training_on_xor.ipynb)
