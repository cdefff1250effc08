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
# [Contents](00_start_here.ipynb) | [01 Neurons and initialisation →](01_neurons_and_initialisation.ipynb)
#
# [![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/nn-from-scratch/nn-from-scratch/HEAD?urlpath=lab/tree/notebooks/00_start_here.ipynb)
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/nn-from-scratch/nn-from-scratch/blob/main/notebooks/00_start_here.ipynb)
#
# # 0. Start here: Neural Networks from Scratch
#
# Build a neural network with nothing but NumPy, one idea at a time, until it reads handwritten digits.
#
# **You will learn** in this notebook
# - what the series covers, who it is for, and in which order to read it;
# - how to run the notebooks (on your own computer, on Binder, or on a JupyterHub);
# - how the exercises and their check cells tell you whether your code is right;
# - the notation every notebook uses, so that the maths and the code read the same.
#
# **Prerequisites**: Python (functions, lists, loops) and a first contact with NumPy arrays. For the maths:
# what a derivative is, and the chain rule from school. Nothing about neural networks.

# %% [markdown]
# ## What this series is
#
# Deep-learning libraries hide the interesting part: what actually happens inside a network when it learns.
# Here you write that part yourself. Every notebook adds one piece — a neuron, a layer, the forward pass, the
# loss, the backward pass, the training loop, better optimisers — and you type the key lines in small
# exercises. Each piece you write also exists, tested, in a small library called **`nnlib`** that lives in
# this repository. Later notebooks use `nnlib`'s version, so a slip in one exercise never blocks the next
# notebook, and you can always open the library's code (`nnlib/` in the file browser) to compare.
#
# The series is for a **beginner working alone**: a student, an engineer moving into machine learning, or a
# teacher preparing a class. Every formula is written with the same names as the code, every array carries its
# shape, and every notebook ends with a summary and further exercises.
#
# The running example is **XOR**: four points, two classes, and no straight line that separates them. It is
# the smallest problem that needs a hidden layer, so it shows exactly why networks have one.

# %% [markdown]
# ## The order
#
# Read the notebooks in this order; each one builds on the ones before it.
#
# | # | Notebook | What you do there |
# |---|---|---|
# | 01 | [Neurons and initialisation][01] | a neuron, the sigmoid, layers as matrix products, first weights |
# | 02 | [Forward pass][02] | the XOR points through a 2-4-1 network, every shape shown |
# | 03 | [Loss and backpropagation][03] | measure the error; every gradient by the chain rule, checked |
# | 04 | [Training on XOR][04] | gradient descent, live loss curves and decision boundaries, sliders |
# | 05 | [Playground][05] | a dashboard to train networks on toy data sets and watch them learn |
# | 06 | [Optimisers and mini-batches][06] | SGD, momentum and Adam; batch size and shuffling |
# | 07 | [Capstone: handwritten digits][07] | everything together: a network that reads 8×8 digit images |
# | 08 | [Making it fast][08] | optional: time the training step, find where the time goes, make it several times faster on big batches |
#
# [01]: 01_neurons_and_initialisation.ipynb
# [02]: 02_forward_pass.ipynb
# [03]: 03_loss_and_backpropagation.ipynb
# [04]: 04_training_on_xor.ipynb
# [05]: 05_playground.ipynb
# [06]: 06_optimisers_and_minibatches.ipynb
# [07]: 07_capstone_digits.ipynb
# [08]: 08_making_it_fast.ipynb
#
# Plan on 30–60 minutes per notebook. Notebooks 01–04 are the core; 05 is for play; 06 and 07 take you from
# the toy problem to a real one.
#
# **Two tracks.** Every notebook comes twice. The **exercise** notebooks, in the folder `notebooks/exercises/`,
# leave the key lines for you to write: that is where you learn, and the links above stay in that folder
# when you open this notebook there. The notebooks in `notebooks/` itself are the **answer key**: the same
# text with every exercise solved and every output shown. Open one when you are stuck or to compare after you
# have finished — not before: writing the line yourself is the lesson.

# %% [markdown]
# ## How to run the notebooks
#
# **On your own computer** (Python 3.10 or newer). In a terminal, inside the repository:
# ```bash
# make lab
# ```
# The first time, this creates a virtual environment in `.venv/`, installs NumPy, matplotlib, ipywidgets and
# JupyterLab into it, and then opens the exercise version of this notebook in JupyterLab. Later runs just open
# JupyterLab.
#
# **On Binder** (nothing to install): click the *launch binder* badge at the top of any notebook. Binder
# builds the same environment in the cloud; it can take a minute or two to start, and your changes are lost
# when the session ends, so download anything you want to keep (*File → Download*).
#
# **On Colab**, or with **one notebook downloaded on its own**: click the *Open in Colab* badge, or open the
# file in any Jupyter. The first code cell of every notebook installs the library from the repository when it
# is missing (it does nothing where the library is already installed); the exercise checks come with it.
#
# **On a JupyterHub** (for example your school's): open a terminal in the hub, clone the repository, install
# it into your environment and open `notebooks/exercises/00_start_here.ipynb`:
# ```bash
# git clone https://github.com/nn-from-scratch/nn-from-scratch.git
# cd nn-from-scratch
# python -m pip install --user -r requirements.txt -e .
# ```
#
# In every notebook, run the cells from top to bottom (*Run → Run All Cells*, or
# <kbd>Shift</kbd>+<kbd>Enter</kbd> cell by cell). If something looks odd, *Kernel → Restart Kernel and Run
# All Cells* starts again from a clean state. Every random number is drawn from a seeded generator, so you see
# exactly the numbers printed here.

# %% [markdown]
# ## Does your setup work?
#
# Run the next cell. It imports `nnlib` and says where it was found. If it prints a version and a path, you
# are ready. If it raises `ModuleNotFoundError`, start JupyterLab from the repository with `make lab`, or
# install the library from the repository's folder with `python -m pip install -e .` (the final dot means
# "this folder").

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

# %% tags=["nbval-ignore-output"]
# Setup: the imports this notebook needs. Output varies from computer to computer (paths, versions).
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

import nnlib

np.set_printoptions(precision=4, suppress=True)
rng = np.random.default_rng(0)

try:
    nnlib_version = version("nn-from-scratch")
except PackageNotFoundError:  # imported from a folder on the path without being installed
    nnlib_version = "not installed as a package"
print(f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
print(f"nnlib {nnlib_version}")
print(f"nnlib's code is in {Path(nnlib.__file__).parent}")

# %% [markdown]
# And a first taste of what you will build: a network with 2 inputs, 4 hidden units and 1 output, untrained,
# asked about the four XOR points. Its four answers are almost the same (about 0.6), whatever the right answer
# is — it has not learned anything yet. By the end of notebook 04 you will have trained it yourself.

# %%
X, y = nnlib.data.xor()                   # X (4, 2): one row per point; y (4,): the XOR labels
net = nnlib.MLP([2, 4, 1], seed=0)        # 2 inputs -> 4 hidden units -> 1 output, random weights
y_hat = net.forward(X)                    # (4, 1): the network's guess of P(class 1) for each point
for x_row, label, guess in zip(X, y, y_hat[:, 0], strict=True):
    print(f"x = {x_row}   XOR = {label}   untrained network says {guess:.3f}")

# %% [markdown]
# ## How exercises and check cells work
#
# In the exercise notebooks you complete small **functions**. An exercise cell looks like this:
# ```python
# def sigmoid(z):
#     """σ(z) = 1 / (1 + e^(−z)), elementwise. Shape of z."""
#     # YOUR CODE HERE
#     raise NotImplementedError()
# ```
# Replace the last two lines with your code and run the cell. Right below it comes a one-line **check cell**,
# `checks.sigmoid()`. It tries your function on many inputs — several shapes, extreme values, other arguments
# than the examples in the text — compares with the right answers and prints one of these verdicts:
#
# - `✓ Exercise 1 (sigmoid): correct for 1-D, 2-D and 3-D arrays …` — your function is right.
# - `✗ Exercise 1 (sigmoid): sigmoid(z of shape (3, 4)): 12 of 12 values are wrong …`, followed by a line
#   `hint: …` — what went wrong, on which input, and what to think about. The hint names the idea to check,
#   not the line to type: the fix is yours to find.
# - `✗ Exercise 1 (sigmoid): not done yet: replace raise NotImplementedError() in sigmoid with your code`.
# - `✗ Exercise 1 (sigmoid): sigmoid is not defined yet: run the exercise cell that defines it first`.
# - `✗ … your code raised ValueError on sigmoid(an array of shape (3, 4)): …` — your code crashed on that
#   input.
#
# A wrong answer makes the check cell fail: it shows the verdict in red, and *Run All Cells* stops there. Fix
# the function, re-run **both** cells, and repeat until you see ✓. What your function prints while a check runs
# it is not shown and changes nothing. The cells after an exercise never use your function (they use `nnlib`'s),
# so you can move on even when one exercise is still ✗: select the next cell and use *Run → Run Selected Cell
# and All Below*.
#
# To check a whole exercise notebook at once, open a terminal (in JupyterLab: *File → New → Terminal*) in the
# repository's folder and run
# ```bash
# python -m pytest --nbval-lax --nbval-current-env notebooks/exercises/01_neurons_and_initialisation.ipynb
# ```
# (On your own computer outside JupyterLab, first `source .venv/bin/activate`, the environment `make lab` made.)
# It runs the notebook in a fresh kernel and reports each exercise that is not right yet, with its verdict
# and hint. All green means every exercise is right. What your saved file shows does not matter: the checks
# run again, on your code. (Teachers grade a class with the same checks; see the README's "For teachers".)

# %% [markdown]
# ## Notation
#
# Every notebook uses these names, in the maths and in the code alike.
#
# | symbol (code) | shape | meaning |
# |---|---|---|
# | `N` | — | number of samples in a batch (rows of `X`) |
# | `D` | — | number of input features (2 for XOR) |
# | `H` | — | number of hidden units |
# | `C` | — | number of outputs (1 for XOR; 10 classes for digits) |
# | `X` | (N, D) | the inputs, **one sample per row** |
# | `y` | (N,) or (N, C) | the targets (labels) |
# | `y_hat` ($\hat y$) | (N, C) | the network's outputs (its predictions) |
# | `W1`, `b1` | (D, H), (H,) | weights and biases of layer 1 |
# | `Z1` | (N, H) | layer 1's pre-activation: `Z1 = X @ W1 + b1` |
# | `A1` | (N, H) | layer 1's activation: `A1 = sigmoid(Z1)` |
# | `W2`, `b2`, `Z2` | (H, C), (C,), (N, C) | the same for layer 2; here `y_hat = sigmoid(Z2)` |
# | $\sigma$ (sigmoid) | elementwise | the sigmoid $\sigma(z) = 1 / (1 + e^{-z})$ |
# | `L` (`loss`) | scalar | the loss: one number measuring how wrong `y_hat` is |
# | `dZ1`, `dW1`, `db1`, … | shape of `Z1`, `W1`, `b1` | gradients: `dW1` is $\partial L / \partial W_1$ |
# | `lr` | scalar | learning rate: the step size of gradient descent |
# | `num_epochs` | — | passes over the training set |
# | `batch_size` | — | samples per gradient step (mini-batches, notebook 06) |
# | `rng` | — | a `np.random.Generator`: all randomness goes through it, so results repeat |
# | `@` | — | matrix product (NumPy's `np.matmul`) |
#
# **Rows are samples.** Each layer computes
#
# $$
# Z = X W + b, \qquad X \in \mathbb{R}^{N \times D},\; W \in \mathbb{R}^{D \times H},\; b \in
# \mathbb{R}^{H},\; Z \in \mathbb{R}^{N \times H},
# $$
#
# where $b$ is added to every row (NumPy's *broadcasting*). Many textbooks and papers write the same layer for
# one sample as a column vector, $z = W x + b$ with $W$ of shape (H, D). That is our formula transposed: their
# $W$ is our `W.T`. Nothing else changes, but keep it in mind when you compare formulas with other texts.

# %% [markdown]
# ## Summary
# - The series builds a neural network from scratch in NumPy, in notebooks 01–07; read them in order.
# - Run them with `make lab`, on Binder, or on a JupyterHub; restart and run all when in doubt.
# - Exercises are functions you complete; the one-line check cell below each prints ✓, or fails with ✗ and a
#   hint, and `python -m pytest --nbval-lax --nbval-current-env <notebook>` checks a whole notebook at once.
# - Rows are samples: `Z = X @ W + b`, with the shapes in the notation table above.
# - `nnlib` is the tested library that holds everything the series builds; this notebook only used it.
#
# ## Exercises
# 1. Change `seed=0` in the "first taste" cell to another number and re-run it. Do the four answers
#    still look alike?
# 2. Print `net.params` and read off the shapes of `W1`, `b1`, `W2` and `b2`. Do they match the notation
#    table?
# 3. Open `nnlib/layers.py` in the file browser and find `dense_forward`, the function that computes
#    `Z = A_prev @ W + b` for every layer of an `nnlib.MLP`.
#
# ---
# [Contents](00_start_here.ipynb) | [01 Neurons and initialisation →](01_neurons_and_initialisation.ipynb)
