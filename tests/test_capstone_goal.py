"""The capstone's goal (issue 7): the notebook's 64-64-10 recipe reads held-out digits with >= 97% accuracy.

The recipe is the one of notebooks/src/07_capstone_digits.py: ReLU hidden layer with He initialisation,
softmax outputs, cross-entropy, Adam(lr=0.01), 30 epochs of shuffled mini-batches of 64, on a stratified 75/25
split. Several seeds change the split, the initial weights and the batch order together, so a lucky split
cannot carry the result. The training time is printed (run with -s to see it) but not asserted: a shared CI
machine is no place for a timing assertion; the notebook quotes the time.
"""

import time

import pytest
from reporting import report

import nnlib
from nnlib import data

GOAL = 0.97


def train_recipe(seed: int) -> tuple[float, float]:
    """Train the notebook's recipe on the split given by seed; returns (held-out accuracy, seconds)."""
    X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.25, seed=seed)
    net = nnlib.MLP([64, 64, 10], activation="relu", output_activation="softmax", loss="cross_entropy",
                    init="he", seed=seed)
    started = time.perf_counter()
    history = nnlib.train(net, X_train, y_train, nnlib.Adam(lr=0.01), epochs=30, batch_size=64, seed=seed)
    seconds = time.perf_counter() - started
    assert history.stop_reason is None, history.stop_reason
    return net.accuracy(X_test, y_test), seconds


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_capstone_recipe_reaches_97_percent_held_out(seed):
    accuracy, seconds = train_recipe(seed)
    report("capstone", f"seed {seed}: held-out accuracy {accuracy:.2%}, training time {seconds:.2f} s")
    assert accuracy >= GOAL, f"seed {seed}: held-out accuracy {accuracy:.2%} is below the goal {GOAL:.0%}"


def test_network_without_hidden_layer_stays_below_the_recipe():
    """The notebook's comparison: 64-10 (softmax regression) is worse than 64-64-10 on the same split."""
    X, y = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.25, seed=0)
    linear = nnlib.MLP([64, 10], output_activation="softmax", loss="cross_entropy", init="he", seed=0)
    nnlib.train(linear, X_train, y_train, nnlib.Adam(lr=0.01), epochs=30, batch_size=64, seed=0)
    hidden_accuracy, _ = train_recipe(0)
    assert linear.accuracy(X_test, y_test) < hidden_accuracy
