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
# [← 04 Training on XOR](04_training_on_xor.ipynb) | [Contents](00_start_here.ipynb) |
# [06 Optimisers and mini-batches →](06_optimisers_and_minibatches.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/05_playground.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/05_playground.ipynb)
#
# # 5. The playground
#
# A dashboard to build intuition by play: pick a data set and a network, press **Train**, and watch the
# boundary, the loss and every hidden neuron change — with the network's numbers one cell away.
#
# **You will learn**
# - how depth, width and the activation change what a network can draw;
# - what a good, a too-small and a too-large learning rate look like while training runs;
# - to read train and test loss side by side, and what L2 regularisation does to them;
# - to take the playground's network into code (`net = playground.net`) and to share a configuration.
#
# **Prerequisites** — notebook 04 (the training loop, `nnlib.train`, the learning rate). The optimiser and
# batch-size controls are explained properly in notebook 06; here you can already try them.

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
import numpy as np
from IPython.display import display

import nnlib
from nnlib.activations import ACTIVATIONS
from nnlib.views.playground import Playground

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)

# %% [markdown]
# ## 1. The controls
#
# Every control has a label; the sliders act when you let go of them (or press an arrow key on a focused
# slider), so you can use the dashboard with the keyboard alone.
#
# - **Dataset**, **Noise**, **Test fraction**, **Regenerate** — the 300 points (XOR cloud, circles, moons,
#   spiral or gaussians), how much they scatter, the share kept aside as *test* points that training never
#   sees, and a fresh random draw.
# - **Hidden layers**, **Hidden units** — the network's shape: 1–3 hidden layers, each with its own width
#   slider ("Hidden units", "Hidden units (layer 2)", …).
# - **Activation** — sigmoid, tanh or ReLU in every hidden layer (the output layer is always a softmax).
# - **Learning rate**, **Optimiser** — the step size (round values from 0.001 to 30, each step about three
#   times the last) and the update rule: plain SGD, SGD with momentum 0.9, or Adam (notebook 06).
# - **Batch size** — how many points each step looks at ("full batch" = all of them).
# - **L2 regularisation** — `weight_decay`, a pull of every weight towards 0 (below).
# - **Epochs per Train** — how long one press of **Train** runs. **Stop** pauses, **Step** trains one epoch,
#   **Reset** goes back to the untrained network.
# - **Share as code** shows one line of Python that rebuilds the current setup (section 3); **Show the
#   numbers** shows the network's weights below the dashboard, updated as it trains.
#
# Changing the data or the network's shape starts again from an untrained network (drawn with the same seed,
# so **Reset** always gives the same starting weights). Changing the learning rate, optimiser, batch size or
# L2 keeps the weights: training continues with the new setting.
#
# The network is trained with the cross-entropy loss $L$ — notebook 03's binary cross-entropy, extended to
# several classes by a softmax output (notebook 07 shows how) — plus, when L2 is on, a penalty
# $\frac{\lambda}{2} \sum W^2$ on the weights, where $\lambda$ is `weight_decay`. Its gradient adds
# $\lambda W$ to every weight's gradient, so each step also shrinks the weights a little; with plain SGD:
#
# $$
# W_1 \leftarrow W_1 - \text{lr} \cdot (dW_1 + \lambda W_1)
# $$
#
# (Momentum and Adam use $dW_1 + \lambda W_1$ as their gradient in the same way. `nnlib`, like PyTorch, applies
# `weight_decay` to the biases too.)
#
# **The views.** Left: the *decision boundary* — each region is coloured by the class the network predicts
# there, faded to white where it is unsure; training points are filled, test points hollow. Right, top: the
# loss per epoch on a log scale, train (solid) and test (dashed). Right, below: one small square per hidden
# neuron showing its output $A_1$, $A_2$, … over the same plane (purple high, orange low): the first layer
# can only draw straight edges, later layers combine them into curves. Above the pictures: the epoch and the
# accuracies.

# %% [markdown]
# ## 2. Play
#
# Run the cell below. It builds the playground and trains it for 100 epochs so there is something to see;
# then it is yours. Each press of **Train** runs in small chunks, giving the kernel a moment between them to
# notice your clicks, so **Stop** and the sliders work while it trains.

# %% tags=["nbval-ignore-output"]
# The playground: an interactive widget (it needs a running kernel). Trains 100 epochs to start with.
playground = Playground()
display(playground)
history = playground.fit(100)  # blocks for about a second, drawing frames

# %% [markdown]
# **Things to try** (the percentages are test accuracies after one press of **Train**, 300 epochs, with the
# other controls as they start)
# 1. *Width.* **circles** with noise 0.1 and one hidden layer: with 2 hidden units the network stops at about
#    71 %, with 3 it reaches 96 %. Look at the neuron squares: each first-layer neuron is one straight edge,
#    and closing a curve around the inner circle takes at least three of them.
# 2. *Depth.* **spiral** with one hidden layer of 8 units, then two layers of 8. Which learns faster?
# 3. *Activation.* **spiral** with **SGD** at learning rate 0.1 and sigmoid: the loss crawls and the test
#    accuracy stays near 51 % (a third is guessing). Switch to tanh (99 %) or ReLU (100 %). The sigmoid's slope
#    is at most 0.25 and its outputs are all positive, so the gradients that reach the first layer are small.
# 4. *Learning rate.* SGD with learning rate 0.001, 0.1, 1 and 30. The largest one diverges: the message
#    under the pictures says so, and **Reset** brings the network back.
# 5. *Over-fitting.* **moons** with noise 0.5, test fraction 0.5 and three layers of 32 units, 2000 epochs:
#    the test loss (dashed) turns up while the train loss keeps falling. Now set L2 to 0.01 and compare.

# %% [markdown]
# ## 3. Continue in code
#
# The playground trains an ordinary `nnlib.MLP`: `playground.net`. Everything you learned in notebooks 01–04
# applies to it. (The numbers below are those of the notebook as it is stored; yours change with what you did
# in the playground.)

# %%
net = playground.net  # the nnlib.MLP on the screen
print(net)
for name, value in net.params.items():
    print(f"{name}: shape {value.shape}")

# %%
# The training so far (depends on what you did in the playground).
history = playground.history  # an nnlib.History, one entry per epoch
test_accuracy = net.accuracy(playground.X_test, playground.y_test)
last_loss = f"{history.loss[-1]:.3f}" if history.loss else "none yet"
print(f"{history.epochs_run} epochs, last train loss {last_loss}, test accuracy {test_accuracy:.0%}")

# %% [markdown]
# The first hidden layer computes $A_1 = f(X W_1 + b_1)$ — rows are samples, as everywhere in this series. We
# check it by hand on three points against `net.layer_outputs`, which gives what every neuron outputs:

# %%
points = np.array([[0.0, 0.0], [0.5, -0.5], [-1.0, 1.0]])  # (3, 2)
activation = ACTIVATIONS[net.activation][0]  # the network's hidden activation function
A1_by_hand = activation(points @ net.params["W1"] + net.params["b1"])  # (3, 2) @ (2, H) + (H,) -> (3, H)
A1 = net.layer_outputs(points)[0]  # (3, H)
print("A1 by hand matches net.layer_outputs:", np.allclose(A1_by_hand, A1))

# %% [markdown]
# You can also train the playground's network in code and let the views catch up with `playground.render()`:

# %%
# A few more epochs with nnlib.train, then redraw the playground above.
more = nnlib.train(net, playground.X_train, playground.y_train, nnlib.Adam(lr=0.01), epochs=20,
                   batch_size=32, seed=0)
playground.render()
print(f"20 more epochs in code: train loss {more.loss[0]:.3f} -> {more.loss[-1]:.3f}")

# %% [markdown]
# **Sharing.** **Share as code** shows one line of Python that rebuilds the current configuration (data,
# network, training settings and seed); `playground.config_code()` returns it. Paste a line you were given
# into a cell to get the same playground:

# %%
print(playground.config_code())

# %% tags=["nbval-ignore-output"]
# A configuration a classmate shared (an interactive widget): three tanh neurons are enough for the circles.
shared = Playground(dataset="circles", noise=0.1, hidden=[3], activation="tanh", lr=0.1, epochs=200)
display(shared)
shared.fit()
print(f"{shared.net.layer_sizes}: test accuracy {shared.net.accuracy(shared.X_test, shared.y_test):.0%}")

# %% [markdown]
# ## 4. As an app for a projector
#
# [Voilà](https://voila.readthedocs.io) runs a notebook and shows only its outputs — no code cells. From the
# repository's folder:
#
# ```
# voila notebooks/apps/playground_app.ipynb
# ```
#
# opens the playground alone as an app in your browser: the dashboard at the top of the page, no lesson text
# and no code to scroll past.

# %% [markdown]
# ## Summary
#
# - Width and depth decide what a network can draw: each first-layer neuron is one straight edge; later
#   layers combine edges into curves.
# - A learning rate too small crawls, one too large diverges. Adam moves each weight by about `lr` per step
#   whatever the size of its gradient: it learns at small learning rates where SGD crawls, but it does not
#   forgive large ones (at 3 every optimiser here diverges, Adam's loss ten times its start from the first
#   epoch).
# - Test loss rising while train loss falls is over-fitting; L2 regularisation (`weight_decay`) and less
#   capacity fight it.
# - Added to nnlib: `nnlib.views.playground.Playground` — `playground.net` (an `nnlib.MLP`), `playground.history`
#   (an `nnlib.History`), `playground.fit(epochs)` and `playground.config_code()`.
#
# ## Exercises
#
# 1. Find the smallest network (fewest parameters) that reaches 95 % test accuracy on **spiral**. How many
#    parameters does it have? (`sum(p.size for p in net.params.values())`.)
# 2. On **XOR cloud** with two ReLU hidden units, train after several presses of **Regenerate** (each draws
#    new points and new starting weights). How often does it get stuck, and what do the two neuron squares
#    look like when it does?
# 3. On the **spiral**, train with the learning rate at 0.001 and then at 3 (press **Reset** in between),
#    with **SGD**, **momentum** and **Adam** in turn. Which learns at 0.001? Which diverge at 3, and in which
#    epoch? Adam divides each step by a running size of the gradient: use that to explain both results.
# 4. Train **moons** with full batch and with batch size 8 for the same number of epochs. Which loss curve
#    is noisier, and which reaches a low loss in fewer epochs?
#
# [← 04 Training on XOR](04_training_on_xor.ipynb) | [Contents](00_start_here.ipynb) |
# [06 Optimisers and mini-batches →](06_optimisers_and_minibatches.ipynb)
