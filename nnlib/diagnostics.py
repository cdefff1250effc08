"""What a teacher would say about a training run: the loss diverged, the inputs are not scaled, units are
saturated or dead. Each function returns plain sentences with the likely cause; ``train`` puts them in
``history.warnings`` (it never prints: stderr would break the notebooks' tests).
"""

from __future__ import annotations

import numpy as np

# The loss "diverged" when it stays above this many times its value before training *and* above the loss of a
# constant guess (see guessing_loss) for DIVERGENCE_EPOCHS epochs in a row: far worse than where it started,
# and worse than knowing nothing about X. (The second condition keeps the small ups and downs of an already
# trained network's loss from counting; the epochs in a row keep a few bad epochs from counting: a spike that
# training recovers from, or a first epoch of single-sample steps. In 2,400 runs on nnlib's data sets, 3
# epochs stopped 25 runs that would have reached 90 % accuracy, 10 epochs stopped 10, all after 10+ epochs
# of a loss 3-40 times its start.)
DIVERGENCE_FACTOR = 3.0
DIVERGENCE_EPOCHS = 10
# After training, the network is "worse than guessing" when its loss on the training data is above this many
# times a constant guess's loss: it predicts worse than knowing nothing about X.
WORSE_THAN_GUESSING_FACTOR = 1.2
DIVERGED = "the loss rose from"  # how divergence's sentence starts (the playground recognises it)
# Inputs are "not scaled" when a feature's typical size, its root mean square, is above this. Initial weights
# (Xavier, He) assume features of size about 1; nnlib's data sets stay below 2.5.
INPUT_SCALE_LIMIT = 4.0
# A sigmoid or tanh unit is "saturated" when its output is this close to its limits (0 or 1; -1 or 1) for
# every training sample: its slope is then below 2 % of its largest value, so it hardly learns.
SATURATION_MARGIN = 0.01


def guessing_loss(loss_name: str, Y: np.ndarray) -> float:
    """The loss of the best constant guess for the targets Y (N, C): predicting their mean for every sample.

    mse: the targets' variance (the mean of (Y - mean)**2); bce and cross_entropy: the entropy of the label
    frequencies p, -sum p log p (log 2 for two balanced classes, log C for C balanced classes).
    """
    p = Y.mean(axis=0)  # (C,): the mean target of each output; for labels, each class's frequency
    if loss_name == "mse":
        return float(np.mean((Y - p) ** 2))
    if loss_name == "bce":  # each output is its own yes/no question: mean over outputs of H(p)
        return float(np.mean(_entropy_term(p) + _entropy_term(1.0 - p)))
    return float(np.sum(_entropy_term(p)))  # cross_entropy: the classes share one distribution


def _entropy_term(p: np.ndarray) -> np.ndarray:
    """-p log p elementwise, with 0 log 0 = 0 (the limit), for p in [0, 1]."""
    return -p * np.log(np.where(p > 0.0, p, 1.0))


def diverged(losses: list[float], start: float, guess: float) -> bool:
    """True when each of the last DIVERGENCE_EPOCHS epoch losses is above DIVERGENCE_FACTOR * start and
    above guess (see divergence)."""
    recent = losses[-DIVERGENCE_EPOCHS:]
    return len(recent) == DIVERGENCE_EPOCHS and min(recent) > max(DIVERGENCE_FACTOR * start, guess)


def divergence(losses: list[float], start: float, guess: float, optimizer) -> str | None:
    """A sentence when each of the last DIVERGENCE_EPOCHS epoch losses (``losses``: one per epoch so far) is
    above DIVERGENCE_FACTOR times ``start`` (the loss before training) and above ``guess`` (guessing_loss: a
    constant prediction's loss), else None."""
    if not diverged(losses, start, guess):
        return None
    return (f"{DIVERGED} {start:.4g} to {losses[-1]:.4g} in {len(losses)} epochs of training, and "
            f"stayed for {DIVERGENCE_EPOCHS} epochs above {DIVERGENCE_FACTOR:g} times its start and above a "
            f"constant guess's loss ({guess:.4g}: predicting the average target for every sample). Training "
            "diverged. The learning rate is probably too high "
            f"(lr={getattr(optimizer, 'lr', '?')}); try one ten times smaller")


def worse_than_guessing(loss: float, start: float, guess: float, optimizer) -> list[str]:
    """A sentence when ``loss``, the loss on the training data after training, is above
    WORSE_THAN_GUESSING_FACTOR times ``guess`` (a constant prediction's loss), else nothing. ``start``: the
    loss before this training, to say whether it rose."""
    if loss <= WORSE_THAN_GUESSING_FACTOR * guess:
        return []
    how = (f"it rose from {start:.4g} during this training" if loss > start
           else f"it was already {start:.4g} before this training")
    return [f"the network predicts worse than a constant guess: its loss on the training data is {loss:.4g} "
            f"after training, above a constant guess's ({guess:.4g}: predicting the average target for every "
            f"sample); {how}. The learning rate is probably too high (lr={getattr(optimizer, 'lr', '?')}"
            "), in this training or an earlier one of this network: try one ten times smaller, on a fresh "
            "network"]


def not_finite(loss: float, epoch: int, optimizer) -> str:
    """The sentence for a loss that became NaN or inf (the weights were restored)."""
    return (f"the loss became {loss} at epoch {epoch}: the learning rate is probably too high "
            f"(lr={getattr(optimizer, 'lr', '?')}); the weights were restored to the last finite-loss step")


def input_scale(X: np.ndarray) -> list[str]:
    """A sentence when features of X (N, D) are far larger than about 1, else nothing."""
    size = np.sqrt(np.mean(X**2, axis=0))  # (D,): each feature's root mean square
    large = np.flatnonzero(size > INPUT_SCALE_LIMIT)
    if large.size == 0:
        return []
    return [f"the inputs are not scaled: {large.size} of {X.shape[1]} features have a typical size (root "
            f"mean square) above {INPUT_SCALE_LIMIT:g}, up to {size.max():.3g} (X ranges from {X.min():.3g} "
            f"to {X.max():.3g}). Large inputs make large Z in the first layer: sigmoid/tanh units saturate "
            "and steps overshoot. Scale X first, e.g. X / X.max() or (X - X.mean(axis=0)) / X.std(axis=0)"]


def stuck_units(layer_outputs: list[np.ndarray], activation: str) -> list[str]:
    """Sentences naming dead ReLU units and saturated sigmoid/tanh units, per hidden layer.

    layer_outputs: the hidden activations [A1, ..., A_{L-1}] on the training data, each (N, n_k).
    """
    sentences = []
    for k, A in enumerate(layer_outputs, start=1):
        if activation == "relu":
            stuck, what = (A <= 0.0).all(axis=0), "dead (ReLU output 0 for every training sample)"
            cause = ("a too-high learning rate, inputs that are not scaled, or an unlucky initialisation; "
                     "try a lower lr, scaled inputs or another seed")
        elif activation in ("sigmoid", "tanh"):
            low = 0.0 if activation == "sigmoid" else -1.0
            stuck = ((A < low + SATURATION_MARGIN) | (A > 1.0 - SATURATION_MARGIN)).all(axis=0)
            what = (f"saturated ({activation} output within {SATURATION_MARGIN:g} of {low:g} or 1 for every "
                    "training sample: a slope of nearly 0)")
            cause = "inputs that are not scaled, or a too-high learning rate"
        else:
            continue
        units = np.flatnonzero(stuck).tolist()
        if units:
            sentences.append(f"{len(units)} of the {A.shape[1]} units of hidden layer {k} are {what}: units "
                             f"{_listed(units)} (columns of W{k}, counting from 0). They no longer learn. "
                             f"Likely cause: {cause}")
    return sentences


def _listed(units: list[int]) -> str:
    """[0, 2, 3] -> '0, 2 and 3'; beyond ten units, '0, 1, ..., 9 and 54 more'."""
    names = [str(unit) for unit in units[:10]] + ([f"{len(units) - 10} more"] if len(units) > 10 else [])
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
