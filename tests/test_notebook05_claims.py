"""Every number notebook 05's prose quotes, re-derived by training the playground headlessly (issue 14).

Each test trains the configuration the sentence describes, with the playground's own training (Playground.fit,
the same chunks Train runs), and then checks that the sentence in notebooks/src/05_playground.py quotes what
came out. If training changes (nnlib, the data, the defaults), these tests say which sentence to update.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from nnlib.views.playground import ACTIVATIONS, DEFAULTS, Playground

SOURCE = Path(__file__).resolve().parents[1] / "notebooks" / "src" / "05_playground.py"
EPOCHS = DEFAULTS["epochs"]  # one press of Train


def prose() -> str:
    """The notebook's markdown as one line of text (comment marks and line breaks removed)."""
    lines = [line[1:].strip() if line.startswith("#") else "" for line in SOURCE.read_text().splitlines()]
    return re.sub(r"\s+", " ", " ".join(lines)).replace("*", "")  # no **bold** marks


def accuracy_after_train(**config) -> int:
    """Test accuracy in whole percent after one press of Train with `config` (other controls as at start)."""
    playground = Playground(**config)
    playground.fit(EPOCHS, frame_seconds=math.inf)  # the same training, drawn once
    return round(100 * playground.net.accuracy(playground.X_test, playground.y_test))


def divergence_epoch(**config) -> int | None:
    """The epoch at which the playground reports divergence, or None when it trains to the end."""
    return diverged_run(**config)[0]


def diverged_run(**config) -> tuple[int | None, float]:
    """(the epoch at which the playground reports divergence or None, the first epoch's loss / the loss
    before training)."""
    playground = Playground(**config)
    playground.fit(EPOCHS)  # as Train runs it, in chunks of a frame's time
    match = re.search(r"Training diverged after epoch (\d+)", playground.message.value)
    return (int(match.group(1)) if match else None), playground.history.loss[0] / playground._start_loss


def test_things_to_try_1_a_circle_needs_three_units():
    two, three = (accuracy_after_train(dataset="circles", noise=0.1, hidden=[units]) for units in (2, 3))
    assert (two, three) == (71, 96)
    assert (f"circles with noise 0.1 and one hidden layer: with 2 hidden units the network stops at about "
            f"{two} %, with 3 it reaches {three} %") in prose()


def test_things_to_try_3_tanh_and_relu_rescue_the_sigmoid():
    sgd = dict(optimiser="sgd", lr=0.1)
    sigmoid, tanh, relu = (accuracy_after_train(activation=name, **sgd) for name in ACTIVATIONS.values())
    assert (sigmoid, tanh, relu) == (51, 99, 100)
    text = prose()
    assert f"spiral with SGD at learning rate 0.1 and sigmoid: the loss crawls and the test accuracy stays " \
           f"near {sigmoid} %" in text
    assert f"Switch to tanh ({tanh} %) or ReLU ({relu} %)" in text


def test_adam_does_not_forgive_a_large_learning_rate():
    """Summary and Exercise 3: at lr 3 every optimiser diverges on the spiral, Adam's loss ten times its
    start from the first epoch (SGD's and momentum's are still below 3 times theirs there)."""
    runs = {name: diverged_run(optimiser=name, lr=3.0) for name in ("sgd", "momentum", "adam")}
    assert None not in [epoch for epoch, _ in runs.values()], runs
    assert runs["adam"][1] >= 10 and runs["sgd"][1] < 3 and runs["momentum"][1] < 3, runs
    claim = "at 3 every optimiser here diverges, Adam's loss ten times its start from the first epoch"
    assert claim in prose()
    assert "Adam forgives" not in prose()


def test_adam_learns_at_a_small_learning_rate_where_sgd_crawls():
    """Summary: Adam "learns at small learning rates where SGD crawls" (spiral, lr 0.001)."""
    adam, sgd = (accuracy_after_train(optimiser=name, lr=0.001) for name in ("adam", "sgd"))
    assert adam >= 90 and sgd <= 60, (adam, sgd)
    assert "it learns at small learning rates where SGD crawls" in prose()


def test_things_to_try_4_the_largest_sgd_learning_rate_diverges():
    assert divergence_epoch(optimiser="sgd", lr=30.0) is not None
    assert divergence_epoch(optimiser="sgd", lr=1.0) is None  # the next one down still trains
    assert "SGD with learning rate 0.001, 0.1, 1 and 30. The largest one diverges" in prose()
