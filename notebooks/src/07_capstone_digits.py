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
# [← 06 Optimisers and mini-batches](06_optimisers_and_minibatches.ipynb) | [Contents](00_start_here.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/07_capstone_digits.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/07_capstone_digits.ipynb)
#
# # 7. Capstone: reading handwritten digits
#
# Everything you built, now on real data: a from-scratch network learns to read handwritten digits in under a
# second, and you look inside it to see how.
#
# **You will learn** in this notebook
# - how softmax turns ten scores into ten probabilities, and how to compute it without overflow;
# - the cross-entropy loss for many classes, one-hot labels, and why its gradient is simply $(P - Y)/N$;
# - how to train, evaluate and inspect a classifier: live curves, a confusion matrix, its mistakes, its
#   weights;
# - what a hidden layer adds over a network without one, on real data.
#
# **Prerequisites**: [06 Optimisers and mini-batches](06_optimisers_and_minibatches.ipynb) (Adam,
# mini-batches), and the backward pass of [03 Loss and backpropagation](03_loss_and_backpropagation.ipynb).

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

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import nnlib
from nnlib import data
from nnlib.views import plots

from classroom.checks import nb07 as checks  # the exercises' checks

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)
BLUE, ORANGE = "#0072B2", "#E69F00"   # Okabe-Ito: colour-blind safe

# %% [markdown]
# ## 1. The data: 1,797 handwritten digits
#
# `nnlib.data.load_digits()` returns the 8×8 handwritten digits of the UCI "Optical Recognition of Handwritten
# Digits" data set (E. Alpaydin and C. Kaynak, CC BY 4.0), shipped with `nnlib` — no download needed. Each
# image has 64 pixels with grey levels 0–16, divided by 16 so they lie in $[0, 1]$, and read row by row into
# one row of `X`: to the network an image is simply a vector of 64 numbers.

# %%
X, y = data.load_digits()     # X (1797, 64) in [0, 1], y (1797,) labels 0..9
print("X:", X.shape, " y:", y.shape, f" pixel values from {X.min():.0f} to {X.max():.0f}")
print("images per digit:", np.bincount(y).tolist())

# %% tags=["nbval-ignore-output"]
# Drawing only: the first 20 images with their labels.
fig, axes = plt.subplots(2, 10, figsize=(10, 2.6))
for ax, image, label in zip(axes.ravel(), X[:20], y[:20], strict=True):
    ax.imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)   # row i of X -> an 8x8 image
    ax.set_title(f"label {label}", fontsize="small")
    ax.axis("off")
fig.suptitle("Handwritten digits, 8×8 pixels (dark = ink)")
plt.show()

# %% [markdown]
# We hold out a quarter of the images (stratified: every digit keeps its share) and never train on them. The
# accuracy on this **held-out** set tells us how well the network reads digits it has never seen.

# %%
X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.25, seed=0)
print(f"training: {X_train.shape}, held out: {X_test.shape}")

# %% [markdown]
# ## 2. Ten classes: softmax
#
# For XOR one sigmoid output was enough: one probability, $P(\text{class } 1)$. Now there are $C = 10$
# classes, so the network ends with 10 outputs $Z$ (the **logits**, one score per digit; `Z = A1 @ W2 + b2` of
# shape (N, 10) — rows are samples). We want 10 probabilities: positive, summing to 1, larger for larger
# scores.
# **Softmax** does exactly that, row by row:
#
# $$
# P_{ik} = \frac{e^{Z_{ik}}}{\sum_{j=1}^{C} e^{Z_{ij}}}
# $$
#
# The exponential makes every entry positive and keeps the order of the scores; dividing by the row's sum
# makes the row sum to 1. (With $C = 2$ it is the sigmoid of the difference of the two scores.)
#
# **Stability.** $e^{1000}$ overflows to `inf` in float64, and `inf / inf` is `nan`. Since multiplying the top
# and the bottom by $e^{-m}$ changes nothing, we subtract each row's maximum $m_i = \max_j Z_{ij}$ first:
#
# $$
# P_{ik} = \frac{e^{Z_{ik} - m_i}}{\sum_j e^{Z_{ij} - m_i}}
# $$
#
# Now the largest exponent is $e^0 = 1$: no overflow, and at least one term of the sum is 1, so we never
# divide by 0.

# %%
Z_big = np.array([[1000.0, 1001.0, 1002.0]])
with np.errstate(over="ignore", invalid="ignore"):     # we *want* to see the overflow here, without a warning
    naive = np.exp(Z_big) / np.exp(Z_big).sum(axis=1, keepdims=True)
print("naive softmax of [1000, 1001, 1002]:  ", naive)
print("softmax with the max subtracted:      ", nnlib.activations.softmax(Z_big))

# %% [markdown]
# ### Exercise: softmax
#
# Complete `softmax(Z)` for a whole batch: one row per sample, softmax over each row. Subtract each row's
# maximum first. Keep the shapes broadcastable: `Z.max(axis=1)` has shape (N,), but you need (N, 1) to
# subtract it from every column — `keepdims=True` does that.

# %%
def softmax(Z: np.ndarray) -> np.ndarray:
    """Row-wise softmax: P[i, k] = exp(Z[i, k] - m_i) / sum_j exp(Z[i, j] - m_i), m_i = max_j Z[i, j].

    Z (N, C) logits -> P (N, C) probabilities; every row of P sums to 1.
    """
    ### BEGIN SOLUTION
    E = np.exp(Z - Z.max(axis=1, keepdims=True))    # (N, C), entries in (0, 1]
    return E / E.sum(axis=1, keepdims=True)         # (N, C) / (N, 1)
    ### END SOLUTION


# %% [markdown]
# The check tries several batch sizes and numbers of classes, and rows with huge logits (±1000), where a
# softmax without the max subtraction overflows. It also checks that your function leaves `Z` unchanged.

# %%
checks.softmax()

# %% [markdown]
# ## 3. The loss: cross-entropy, and its gradient
#
# The label of sample $i$ is an integer $y_i \in \{0, \dots, 9\}$. Written as a **one-hot** row $Y_i$ — a 1 in
# column $y_i$, zeros elsewhere — the labels form a matrix $Y$ of shape (N, C), the same shape as $P$:

# %%
labels_example = np.array([3, 0, 7])
print("labels:", labels_example.tolist())
print("one-hot rows:\n", data.one_hot(labels_example, num_classes=10))

# %% [markdown]
# The **cross-entropy** loss is the mean, over the batch, of minus the log of the probability the network
# gives to the right class:
#
# $$
# L = -\frac{1}{N} \sum_{i=1}^{N} \log P_{i, y_i} = -\frac{1}{N} \sum_{i=1}^{N} \sum_{k=1}^{C} Y_{ik} \log
# P_{ik}
# $$
#
# It is 0 when the right class gets probability 1, and grows without bound as that probability goes to 0; a
# network that guesses uniformly ($P = 1/10$) has $L = \log 10 \approx 2.30$. This is
# `torch.nn.CrossEntropyLoss` and `nnlib.losses.cross_entropy`, which — like PyTorch — takes the **logits**
# $Z$ and applies the softmax itself.
#
# **The gradient.** For one sample, $-\log P_{y} = -Z_{y} + \log \sum_j e^{Z_j}$. Differentiating with respect
# to $Z_k$: the first term gives $-1$ when $k = y$ (that is, $-Y_k$), the second gives
# $e^{Z_k} / \sum_j e^{Z_j} = P_k$. With the mean over the batch:
#
# $$
# dZ = \frac{\partial L}{\partial Z} = \frac{P - Y}{N}
# $$
#
# — "predicted minus true", the same simple form as sigmoid with binary cross-entropy in notebook 03. The
# softmax's messy Jacobian cancels against the log; that is why softmax and cross-entropy always come
# together. From $dZ$ on, the backward pass is the one you already know (`dW2 = A1.T @ dZ2`, …).

# %% [markdown]
# ### Exercise: the gradient of softmax + cross-entropy
#
# Complete `cross_entropy_gradient(logits, labels)`. Use `nnlib.activations.softmax` for $P$ (so that this
# exercise does not depend on the previous one), build the one-hot matrix $Y$ from the integer labels, and
# return $(P - Y)/N$.

# %%
def cross_entropy_gradient(logits: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """dL/dZ of the mean cross-entropy: (softmax(Z) - Y) / N, with Y the one-hot rows of the labels.

    logits Z (N, C), labels (N,) integers in 0..C-1 -> dZ (N, C).
    """
    ### BEGIN SOLUTION
    N, C = logits.shape
    P = nnlib.activations.softmax(logits)           # (N, C)
    Y = np.zeros((N, C))
    Y[np.arange(N), labels] = 1.0                   # one-hot: row i has a 1 in column labels[i]
    return (P - Y) / N
    ### END SOLUTION


# %%
checks.cross_entropy_gradient()

# %% [markdown]
# A numeric check of the formula itself: nudge each logit by $\pm h$ and watch the loss (notebook 03's
# gradient check). The relative error should be far below $10^{-7}$.

# %%
Z_small = rng.normal(size=(5, 4))          # 5 samples, 4 classes
labels_small = np.array([0, 3, 1, 1, 2])


def loss_of(Z):
    return nnlib.losses.cross_entropy(Z, labels_small)


numeric = nnlib.gradcheck.numeric_gradient(loss_of, Z_small.copy())
analytic = nnlib.losses.cross_entropy_gradient(Z_small, labels_small)
print(f"relative error, (P - Y)/N vs numeric: {nnlib.rel_error(analytic, numeric):.1e}")

# %% [markdown]
# ## 4. Training a 64-64-10 network
#
# The recipe, all of it from earlier notebooks:
# - **64 inputs** (the pixels), **64 ReLU hidden units** with He initialisation (notebook 01: the right scale
#   for ReLU), **10 softmax outputs**, the **cross-entropy** loss;
# - **Adam** with `lr=0.01` (notebook 06), **mini-batches of 64**, shuffled every epoch, **30 epochs**.
#
# `nnlib.views.plots.train_live` runs `nnlib.train` with a live view: the loss and the accuracy, on the training
# batches and on the held-out images (passed as `validation`), redrawn in place while the network trains.

# %%
def make_digit_net(hidden: list[int], seed: int = 0) -> nnlib.MLP:
    """A 64-...-10 classifier: ReLU hidden layers of the given sizes, softmax outputs, cross-entropy."""
    return nnlib.MLP([64, *hidden, 10], activation="relu", output_activation="softmax", loss="cross_entropy",
                     init="he", seed=seed)


RECIPE = {"epochs": 30, "batch_size": 64, "seed": 0}     # the training settings of this notebook

# %% tags=["nbval-ignore-output"]
# Live view and timing: the picture updates while training runs; the seconds depend on the machine.
net = make_digit_net([64])
started = time.perf_counter()
history = plots.train_live(net, X_train, y_train, nnlib.Adam(lr=0.01), validation=(X_test, y_test),
                           title="64-64-10 on the digits", **RECIPE)
print(f"trained with the live view in {time.perf_counter() - started:.2f} s")

# %%
print(f"after {len(history.loss)} epochs: training loss {history.loss[-1]:.4f}, "
      f"held-out accuracy {net.accuracy(X_test, y_test):.1%}")
hidden = net.layer_outputs(X_train)[0]                  # (N, 64): the ReLU units' outputs
dead = int(np.sum(hidden.max(axis=0) == 0))             # units that output 0 for every training image
print(f"dead ReLU units (output 0 for every training image): {dead} of {hidden.shape[1]}")

# %% [markdown]
# **98.2%** of the 450 held-out images read correctly. Without the live view, the same training is just
# `nnlib.train`; on an ordinary laptop it takes well under a second, and a little longer with the live view.
# Your times, printed by the cells above and below, depend on your machine. The accuracy does not depend on
# luck: the same recipe, trained on other random splits of the images into training and held-out sets, reads
# 97–98% of the held-out images correctly every time.

# %% tags=["nbval-ignore-output"]
# Timing: the same recipe without the live view (seconds depend on the machine).
timed_net = make_digit_net([64])
started = time.perf_counter()
nnlib.train(timed_net, X_train, y_train, nnlib.Adam(lr=0.01), **RECIPE)
seconds = time.perf_counter() - started
print(f"trained without the live view in {seconds:.2f} s; "
      f"held-out accuracy {timed_net.accuracy(X_test, y_test):.1%}")

# %% [markdown]
# ## 5. Does the hidden layer help?
#
# A network **without** a hidden layer, 64-10, is softmax regression: each digit's score is one weighted sum
# of the pixels, a linear function. XOR showed that such a network cannot bend its decision boundary; on
# digits it does surprisingly well, because the digits are mostly told apart by *where* the ink is. Let us
# measure the difference, with the same recipe.

# %%
net_linear = make_digit_net([])
history_linear = nnlib.train(net_linear, X_train, y_train, nnlib.Adam(lr=0.01), validation=(X_test, y_test),
                             **RECIPE)
for name, model in [("64-10 (no hidden layer)", net_linear), ("64-64-10 (64 ReLU units)", net)]:
    errors = int(np.sum(model.predict(X_test) != y_test))
    print(f"{name:25s} training accuracy {model.accuracy(X_train, y_train):6.1%}, "
          f"held-out accuracy {model.accuracy(X_test, y_test):6.1%} ({errors} of {len(y_test)} wrong)")

# %% tags=["nbval-ignore-output"]
# Drawing only: held-out loss and accuracy per epoch for the two networks.
fig, (ax_loss, ax_accuracy) = plt.subplots(1, 2, figsize=(10, 3.5))
for name, hist, colour in [("64-10", history_linear, ORANGE), ("64-64-10", history, BLUE)]:
    epochs = np.arange(1, len(hist.val_loss) + 1)
    ax_loss.plot(epochs, hist.val_loss, color=colour, label=name)
    ax_accuracy.plot(epochs, hist.val_accuracy, color=colour, label=name)
ax_loss.set(title="Held-out loss", xlabel="epoch", ylabel="cross-entropy (log scale)", yscale="log")
ax_accuracy.set(title="Held-out accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0.8, 1.0))
ax_loss.legend()
ax_accuracy.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The linear network is already good, but the hidden layer removes a large part of its remaining errors (see
# the counts printed above: each percentage point is about 4–5 of the 450 held-out images). The 64 hidden
# units can respond to *combinations* of strokes, not just to single pixels, and the training accuracy shows
# the other side: the bigger network fits its training images perfectly, so the held-out set is what keeps us
# honest.
#
# ## 6. Where does it go wrong? The confusion matrix
#
# Row $i$, column $j$ counts the held-out images of digit $i$ that the network read as $j$. A perfect
# classifier has numbers only on the diagonal.

# %%
P_test = net.forward(X_test)              # (450, 10) probabilities
y_pred = P_test.argmax(axis=1)            # (450,) the most probable digit
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, y_pred), 1)  # one count per (true, predicted) pair
print(f"{int(np.trace(confusion))} of {len(y_test)} held-out images read correctly")

# %% tags=["nbval-ignore-output"]
# Drawing only: the confusion matrix.
fig, ax = plt.subplots(figsize=(5.5, 4.5))
image = ax.imshow(confusion, cmap="cividis")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            ax.text(j, i, confusion[i, j], ha="center", va="center", fontsize=8,
                    color="black" if confusion[i, j] > confusion.max() / 2 else "white")
ax.set(title="Confusion matrix (held-out images)", xlabel="predicted digit", ylabel="true digit",
       xticks=range(10), yticks=range(10))
fig.colorbar(image, ax=ax, label="number of images")
plt.show()

# %% [markdown]
# ## 7. The misclassified digits
#
# Here are the held-out images it got wrong, with the network's two most probable answers. Many are genuinely
# ambiguous at 8×8 pixels; for others the right digit is the network's second choice.

# %% tags=["nbval-ignore-output"]
# Drawing only: up to 10 misclassified held-out images with their top-2 probabilities.
wrong = np.flatnonzero(y_pred != y_test)[:10]
columns = max(len(wrong), 1)                                 # one panel per mistake, no empty panels
fig, axes = plt.subplots(1, columns, figsize=(min(10, 1.25 * columns), 2.6), squeeze=False)
for ax in axes.ravel():
    ax.axis("off")
for ax, i in zip(axes.ravel(), wrong, strict=False):
    first, second = np.argsort(P_test[i])[::-1][:2]
    ax.imshow(X_test[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"true {y_test[i]}\n{first}: {P_test[i, first]:.2f}\n{second}: {P_test[i, second]:.2f}",
                 fontsize=8)
fig.suptitle("Misclassified: true label, then the two most probable digits with their probabilities",
             fontsize="small")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 8. What did the first layer learn?
#
# Hidden unit $j$ computes $Z_{ij} = \sum_p X_{ip} W1_{pj} + b1_j$: its 64 weights — column $j$ of `W1`, shape
# (64,) — form an 8×8 image, a **template** laid over the digit. Orange pixels push the unit up where there is
# ink, purple ones push it down. Do not expect clean digit shapes: with 1,347 training images and 30 epochs
# the templates still carry much of their random start, and each unit only needs to be *useful* in combination
# — the output layer mixes all 64. Look for units with a clear positive region next to a negative one: they
# respond to ink in one place *and* its absence in another, a crude stroke detector.

# %% tags=["nbval-ignore-output"]
# Drawing only: the weights of the first 16 hidden units as 8x8 images.
W1 = net.params["W1"]                      # (64, 64): pixel p -> hidden unit j
limit = np.abs(W1).max()
fig, axes = plt.subplots(2, 8, figsize=(10, 3.0))
for j, ax in enumerate(axes.ravel()):
    shown = ax.imshow(W1[:, j].reshape(8, 8), cmap="PuOr_r", vmin=-limit, vmax=limit)
    ax.set_title(f"unit {j}", fontsize="small")
    ax.axis("off")
fig.suptitle("First-layer weights as 8×8 images (orange: positive, purple: negative)")
fig.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
plt.show()

# %% [markdown]
# ## 9. Try it: pick a test image
#
# Move the slider to choose one of the 450 held-out images; the bar chart shows the ten probabilities the
# network gives it (the orange bar is the true digit).

# %% tags=["nbval-ignore-output"]
# Widget: a slider that picks a held-out image and shows the network's probabilities.
def show_test_image(index: int) -> None:
    """Draw held-out image `index` and the network's class probabilities as a bar chart."""
    try:
        index = int(index)
        if not 0 <= index < len(X_test):
            print(f"Choose an image between 0 and {len(X_test) - 1}.")
            return
        probabilities = net.forward(X_test[index:index + 1])[0]        # (10,)
        fig, (ax_image, ax_bars) = plt.subplots(1, 2, figsize=(7, 2.8), gridspec_kw={"width_ratios": [1, 2]})
        ax_image.imshow(X_test[index].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        ax_image.set_title(f"test image {index} (label {y_test[index]})", fontsize="small")
        ax_image.axis("off")
        colours = [ORANGE if k == y_test[index] else BLUE for k in range(10)]
        ax_bars.bar(range(10), probabilities, color=colours)
        ax_bars.set(title=f"predicted {probabilities.argmax()} with probability {probabilities.max():.2f}",
                    xlabel="digit (orange bar: the true label)", ylabel="probability", xticks=range(10),
                    ylim=(0, 1))
        fig.tight_layout()
        plt.show()
    except Exception as error:   # a learner's experiment must never end in a traceback here
        print(f"Could not show image {index}: {error}")


slider = widgets.IntSlider(value=int(wrong[0]) if len(wrong) else 0, min=0, max=len(X_test) - 1,
                           description="Test image", continuous_update=False)
display(widgets.VBox([slider, widgets.interactive_output(show_test_image, {"index": slider})]))

# %% [markdown]
# ## Summary
#
# - **Softmax** turns a row of scores into probabilities:
#   $P_{ik} = e^{Z_{ik} - m_i} / \sum_j e^{Z_{ij} - m_i}$, with the row maximum $m_i$ subtracted so that
#   nothing overflows (`nnlib.activations.softmax`).
# - **Cross-entropy** with **one-hot** labels, $L = -\frac{1}{N}\sum_i \log P_{i,y_i}$, has the gradient
#   $dZ = (P - Y)/N$ with respect to the logits (`nnlib.losses.cross_entropy`, `cross_entropy_gradient`; in
#   `nnlib.MLP` as `output_activation="softmax", loss="cross_entropy"`).
# - A 64-64-10 ReLU network trained with Adam and mini-batches reads held-out handwritten digits with about
#   98% accuracy after well under a second of training; without a hidden layer it makes clearly more mistakes.
# - The confusion matrix, the misclassified images and the first-layer templates show *what* the network
#   learned and where it still fails.
#
# ## Exercises
#
# 1. Train with 16, 32 and 128 hidden units. How does the held-out accuracy change? And the training accuracy?
# 2. Add a second hidden layer (64-64-64-10). Does it help on this small data set?
# 3. Train with `nnlib.SGD(lr=0.1, momentum=0.9)` instead of Adam, and with batch sizes 16 and 256. Which
#    settings reach 97% fastest?
# 4. Shift every test image one pixel to the right (`np.roll` on the 8×8 images, then flatten) and measure the
#    accuracy again. What does this tell you about what the network learned? (Convolutional networks fix
#    this.)
# 5. Show the first-layer weights of the network *without* a hidden layer (64-10): its `W1` has one column per
#    digit. What do these ten templates look like?
# 6. Train with `nnlib.Adam(lr=0.3)` and count the dead ReLU units again (the cell after the live view). How
#    many are left alive, and what happens to the held-out accuracy? Notebook 01 explains why a dead unit never
#    comes back.
#
# [← 06 Optimisers and mini-batches](06_optimisers_and_minibatches.ipynb) | [Contents](00_start_here.ipynb) | [08 Making it fast →](08_making_it_fast.ipynb)
