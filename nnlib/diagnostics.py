"""What a teacher would say about a training run: the loss diverged, the inputs or the targets are not
scaled, every target is the same, units are saturated or dead. Each function returns plain sentences with the
likely cause; ``train`` puts them in ``history.warnings`` (it never prints: stderr would break the notebooks'
tests). Each function checks its arguments like the rest of nnlib: a wrong one is a ValueError/TypeError
naming it, never a wrong sentence.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from ._checks import HIDDEN_ACTIVATIONS, as_float_array, check_2d, check_choice, check_finite, check_int
from .data import one_hot
from .losses import LOSSES

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
# A loss "fell" during training when it ended below this fraction of its start: a network still worse than a
# guess then needs more training (or a larger learning rate), not a smaller one. A loss that rose says the
# learning rate is too high; one that hardly moved is too small a rate or a network stuck after too large one.
FELL_FACTOR = 0.99
# Stuck units are named only when the network fits poorly: its loss after training is above this fraction of
# a constant guess's. (A healthy ReLU network often keeps a few dead units -- 2-4-1 on XOR in most runs, the
# capstone's 64-64-10 about 14 -- and fits anyway; on XOR, runs that reach 100 % end below 0.001 of a guess's
# loss, runs stuck at 75 % above 0.5.)
POOR_FIT_FACTOR = 0.1
DIVERGED = "the loss rose from"  # how divergence's sentence starts (the playground recognises it)
# Inputs are "not scaled" when a feature's typical size, its root mean square, is above this. Initial weights
# (Xavier, He) assume features of size about 1; nnlib's data sets stay below 2.5.
INPUT_SCALE_LIMIT = 4.0
# Regression targets (mse) are "not scaled" when an output's typical size is above this: the network's outputs
# start near size 1, so the first losses and gradients are then huge and the steps overshoot. (Targets up to
# about 10, such as the digits' values 0-9, still train well.)
TARGET_SCALE_LIMIT = 10.0
# A sigmoid or tanh unit is "saturated" when its output is this close to the same limit (0 or 1; -1 or 1)
# for every training sample: its slope is then below 2 % of its largest value, so it hardly learns, and it
# says the same for every sample. (A unit near 0 for some samples and near 1 for the others is a sharp switch
# that separates them: a solved XOR often has some.)
SATURATION_MARGIN = 0.01


def guessing_loss(loss_name: str, Y: np.ndarray) -> float:
    """The loss of the best constant guess for the targets Y (N, C): predicting their mean for every sample.

    mse: the targets' variance (the mean of (Y - mean)**2); bce and cross_entropy: the entropy of the label
    frequencies p, -sum p log p (log 2 for two balanced classes, log C for C balanced classes). Raises
    ValueError for an unknown loss_name, or Y that is not (N, C) finite numbers (in [0, 1] for bce and
    cross_entropy).
    """
    check_choice("loss_name", loss_name, LOSSES)
    Y = _targets("Y", Y, loss_name)
    p = Y.mean(axis=0)  # (C,): the mean target of each output; for labels, each class's frequency
    if loss_name == "mse":
        return float(np.mean((Y - p) ** 2))
    if loss_name == "bce":  # each output is its own yes/no question: mean over outputs of H(p)
        return float(np.mean(_entropy_term(p) + _entropy_term(1.0 - p)))
    return float(np.sum(_entropy_term(p)))  # cross_entropy: the classes share one distribution


def _entropy_term(p: np.ndarray) -> np.ndarray:
    """-p log p elementwise, with 0 log 0 = 0 (the limit), for p in [0, 1]."""
    return -p * np.log(np.where(p > 0.0, p, 1.0))


def diverged(losses: Sequence[float], start: float, guess: float) -> bool:
    """True when each of the last DIVERGENCE_EPOCHS epoch losses is above DIVERGENCE_FACTOR * start and
    above guess (see divergence)."""
    recent = _recent_losses("losses", losses, DIVERGENCE_EPOCHS)
    start, guess = _number("start", start), _number("guess", guess)
    return len(recent) == DIVERGENCE_EPOCHS and min(recent) > max(DIVERGENCE_FACTOR * start, guess)


def divergence(losses: Sequence[float], start: float, guess: float, optimizer, unscaled: bool = False
               ) -> str | None:
    """A sentence when each of the last DIVERGENCE_EPOCHS epoch losses (``losses``: one per epoch so far) is
    above DIVERGENCE_FACTOR times ``start`` (the loss before training) and above ``guess`` (guessing_loss: a
    constant prediction's loss), else None. ``unscaled``: the inputs or targets are not scaled (input_scale,
    target_scale), the likelier cause then."""
    if not diverged(losses, start, guess):
        return None
    return (f"{DIVERGED} {start:.4g} to {losses[-1]:.4g} in {len(losses)} epochs of training, and "
            f"stayed for {DIVERGENCE_EPOCHS} epochs above {DIVERGENCE_FACTOR:g} times its start and above a "
            f"constant guess's loss ({guess:.4g}: predicting the average target for every sample). Training "
            f"diverged. {_likely_cause(optimizer, unscaled)}")


def worse_than_guessing(loss: float, start: float, guess: float, optimizer, unscaled: bool = False
                        ) -> list[str]:
    """A sentence when ``loss``, the loss on the training data after training, is above
    WORSE_THAN_GUESSING_FACTOR times ``guess`` (a constant prediction's loss), else nothing. ``start``: the
    loss before this training: a loss that fell below FELL_FACTOR * start needs more training, one that rose
    a smaller learning rate, one that hardly moved either. Nothing when ``guess`` is 0:
    every target is the same (constant_targets says so) and no network can be worse than exactly right."""
    loss, start, guess = _number("loss", loss), _number("start", start), _number("guess", guess)
    if guess <= 0.0 or not loss > WORSE_THAN_GUESSING_FACTOR * guess:
        return []
    said = (f"the network predicts worse than a constant guess: its loss on the training data is {loss:.4g} "
            f"after training, above a constant guess's ({guess:.4g}: predicting the average target for every "
            "sample); ")
    if loss < FELL_FACTOR * start:
        then = ", after scaling the numbers named above" if unscaled else ""
        return [said + f"it fell from {start:.4g} during this training, so training has not gone far enough "
                f"yet: train for more epochs, or with a larger learning rate{then}"]
    if loss > start:
        return [said + f"it rose from {start:.4g} during this training. "
                f"{_likely_cause(optimizer, unscaled, fresh=True)}"]
    return [said + f"it was already {start:.4g} before this training and hardly moved. Either the learning "
            f"rate{_lr(optimizer)} is far too small to move it, or the network is stuck after steps far too "
            "large (in an earlier training, or with saturated units): train a fresh network"]


def not_finite(loss: float, epoch: int, optimizer, unscaled: bool = False, after_step: bool = False,
               validation: bool = False) -> str:
    """The sentence for a loss that became NaN or inf at ``epoch`` (the weights were restored); with
    ``after_step``, the loss after the last step of that epoch, measured once training ended (there a finite
    loss means the weights became NaN or inf: bce's clamped logs can hide them); with ``validation``, the
    loss on the validation data, while the training loss was finite."""
    epoch = check_int("epoch", epoch, 1)
    if math.isfinite(_number("loss", loss)) and not after_step:
        raise ValueError(f"loss must be NaN or inf for not_finite, got {loss}")
    when = f"after the last step of epoch {epoch}" if after_step else f"at epoch {epoch}"
    cause = _likely_cause(optimizer, unscaled)
    if math.isfinite(loss):
        return (f"the weights became NaN or inf {when}. {cause}. The weights were restored to those before "
                "the step that broke them")
    if validation:
        return (f"the validation loss became {float(loss)} {when}, though the training loss was finite. "
                "Either the validation inputs are far larger than the training inputs (scale both the same "
                f"way), or: {cause[0].lower() + cause[1:]}. The weights were restored to those before the "
                "last step")
    return (f"the loss became {float(loss)} {when}. {cause}. The weights were restored to those before the "
            "step that broke them")


def refused_step(reason: str, epoch: int, optimizer, unscaled: bool = False, step_undone: bool = True
                 ) -> str:
    """The sentence for a step that the optimiser refused at ``epoch`` because the gradients blew up (NaN or
    inf, or too large for Adam; ``reason``: the optimiser's message), while the loss was still finite.
    ``step_undone``: the step before it, which made them blow up, was undone; False when the refused step
    was the first of this training (then the weights were like this before it: advise a fresh network)."""
    epoch = check_int("epoch", epoch, 1)
    if not isinstance(reason, str):
        raise TypeError(f"reason must be the optimiser's message (a str), got {type(reason).__name__}")
    said = f"the gradients blew up at epoch {epoch} and the optimiser refused the step ({reason.rstrip('.')})"
    if not step_undone:
        return f"{said}, the first step of this training. {_cause_before_training(unscaled)}"
    return (f"{said}. {_likely_cause(optimizer, unscaled)}. The weights were restored to those before the "
            "step that made the gradients blow up")


def broken_before(loss: float, unscaled: bool = False) -> str:
    """The sentence for a loss on the training data that is already NaN or inf before training: with finite
    weights and inputs, the numbers overflow float64. No learning rate helps; scaled inputs or a fresh
    network do."""
    if math.isfinite(_number("loss", loss)):
        raise ValueError(f"loss must be NaN or inf for broken_before, got {loss}")
    return (f"the loss on the training data is {float(loss)} before any step: the network's numbers overflow "
            "float64 (weights made far too large by an earlier training, or inputs far too large), so "
            f"nothing was trained. {_cause_before_training(unscaled)}")


def still_broken(loss: float, optimizer, unscaled: bool = False) -> str:
    """The sentence for weights that, after training stopped on a blow-up and undid the step that caused
    it, still give a NaN or inf ``loss`` on the whole training data (or hold NaN or inf themselves): the
    mini-batch steps before that step had already blown them up."""
    loss = _number("loss", loss)
    return (f"the weights after that undo still give a loss of {loss:.4g} on the whole training data, or "
            "hold NaN or inf: the mini-batch steps before had already blown them up, and the network cannot "
            f"be used as it is. {_likely_cause(optimizer, unscaled, fresh=True)}")


def _likely_cause(optimizer, unscaled: bool, fresh: bool = False) -> str:
    """Why a loss blew up: the unscaled numbers when input_scale/target_scale spoke, else the learning rate.
    ``fresh``: the damage is in the weights (perhaps from an earlier training): advise a fresh network."""
    lr = _lr(optimizer)
    if unscaled:
        return (f"The likely cause is the unscaled inputs or targets named above: their huge gradients "
                f"overshoot at almost any learning rate{lr}; scale them"
                + (", then train a fresh network" if fresh else " first"))
    if fresh:
        return (f"The learning rate is probably too high{lr}, in this training or an earlier one of "
                "this network: train a fresh network with one ten times smaller")
    return f"The learning rate is probably too high{lr}; try one ten times smaller"


def _cause_before_training(unscaled: bool) -> str:
    """Why numbers blow up before this training took a step: the unscaled numbers, else an earlier training
    (no learning rate of this one can be the cause, nor help)."""
    if unscaled:
        return ("The likely cause is the unscaled inputs or targets named above: their sizes overflow the "
                "network's numbers; scale them, then train a fresh network")
    return ("The weights were probably blown up by an earlier training of this network (a learning rate far "
            "too high): no learning rate helps now; train a fresh network")


def _lr(optimizer) -> str:
    """' (lr=0.1)': the optimiser's learning rate to quote, or nothing for an optimiser without ``lr``."""
    return f" (lr={optimizer.lr})" if hasattr(optimizer, "lr") else ""


def input_scale(X: np.ndarray) -> list[str]:
    """A sentence when features of X (N, D) are far larger than about 1, else nothing."""
    X = _finite_2d("X", X, "D")
    size = _root_mean_square(X)  # (D,): each feature's typical size
    large = np.flatnonzero(size > INPUT_SCALE_LIMIT)
    if large.size == 0:
        return []
    have = "has" if large.size == 1 else "have"
    return [f"the inputs are not scaled: {large.size} of {X.shape[1]} features {have} a typical size (root "
            f"mean square) above {INPUT_SCALE_LIMIT:g}, up to {size.max():.3g} (X ranges from {X.min():.3g} "
            f"to {X.max():.3g}). Large inputs make large Z in the first layer: sigmoid/tanh units saturate "
            "and steps overshoot. Scale X first, e.g. X / X.max() or (X - X.mean(axis=0)) / X.std(axis=0)"]


def target_scale(loss_name: str, Y: np.ndarray) -> list[str]:
    """A sentence when regression targets Y (N, C) (loss "mse") are far larger than about 1, else nothing.

    The network's outputs start near size 1, so targets of, say, 250,000 make the first loss about 6e10 and
    its gradients as huge: the steps overshoot at any usual learning rate. (bce and cross_entropy targets lie
    in [0, 1]: nothing to say.)
    """
    check_choice("loss_name", loss_name, LOSSES)
    Y = _targets("Y", Y, loss_name)
    size = _root_mean_square(Y)  # (C,): each output's typical target
    if loss_name != "mse" or size.max() <= TARGET_SCALE_LIMIT:
        return []
    return [f"the targets are not scaled: y has a typical size (root mean square) of {size.max():.3g} "
            f"(above {TARGET_SCALE_LIMIT:g}; y ranges from {Y.min():.3g} to {Y.max():.3g}), but the "
            "network's outputs start near size 1: the first losses and their gradients are huge, and steps "
            "overshoot. Scale y first, e.g. y_scaled = (y - y.mean()) / y.std(), and turn predictions back "
            "with y_hat * y.std() + y.mean()"]


def _root_mean_square(A: np.ndarray) -> np.ndarray:
    """sqrt(mean(A**2)) of each column of A (N, C), shape (C,): the column's typical size.

    Computed as m * sqrt(mean((A / m)**2)) with m the column's largest |value|: the same number, but the
    squares of values above about 1e154 cannot overflow to inf (the figure a sentence quotes stays true).
    """
    largest = np.abs(A).max(axis=0)  # (C,)
    m = np.where(largest > 0.0, largest, 1.0)  # an all-zero column: divide by 1 instead of 0
    return m * np.sqrt(np.mean((A / m) ** 2, axis=0))


def constant_targets(Y: np.ndarray) -> list[str]:
    """A sentence when every target row of Y (N, C) is the same (N >= 2): there is nothing to learn."""
    Y = _targets("Y", Y, "mse")
    if Y.shape[0] < 2 or not (Y == Y[0]).all():
        return []
    value = f"{Y[0, 0]:g}" if Y.shape[1] == 1 else f"the row {Y[0].tolist()}"
    return [f"every one of the {Y.shape[0]} targets is the same ({value}): the network can only learn to "
            "repeat it, and its accuracy says nothing. Check how y was made (a threshold or a label typo?)"]


def stuck_units(layer_outputs: Sequence[np.ndarray], activation: str) -> list[str]:
    """Sentences naming dead ReLU units and saturated sigmoid/tanh units, per hidden layer.

    layer_outputs: the hidden activations [A1, ..., A_{L-1}] on the training data, each (N, n_k);
    activation: their activation's name (identity units never get stuck).
    """
    check_choice("activation", activation, HIDDEN_ACTIVATIONS)
    if isinstance(layer_outputs, np.ndarray) or not isinstance(layer_outputs, Sequence):
        raise TypeError(f"layer_outputs must be a list of arrays [A1, ..., A_(L-1)], each (N, n_k), got "
                        f"{type(layer_outputs).__name__} (one layer? pass [A1])")
    sentences = []
    for k, A in enumerate(layer_outputs, start=1):
        A = _finite_2d(f"layer_outputs[{k - 1}]", A, f"n_{k}")
        if activation == "relu":
            stuck, what = (A <= 0.0).all(axis=0), "dead (ReLU output 0 for every training sample)"
            cause = ("an unlucky initialisation, a too-high learning rate, or inputs that are not scaled; "
                     "try another seed, a lower lr or scaled inputs")
        elif activation in ("sigmoid", "tanh"):
            low = 0.0 if activation == "sigmoid" else -1.0
            stuck = (A < low + SATURATION_MARGIN).all(axis=0) | (A > 1.0 - SATURATION_MARGIN).all(axis=0)
            what = (f"saturated (the {activation} output stays within {SATURATION_MARGIN:g} of {low:g} on "
                    f"every training sample, or within {SATURATION_MARGIN:g} of 1 on every sample: a slope "
                    "of nearly 0)")
            cause = "inputs that are not scaled, or a too-high learning rate"
        else:
            continue
        units = np.flatnonzero(stuck).tolist()
        if units:
            are, unit, they = ("is", "unit", "It") if len(units) == 1 else ("are", "units", "They")
            sentences.append(f"{len(units)} of the {A.shape[1]} units of hidden layer {k} {are} {what}: "
                             f"{unit} {_listed(units)} (columns of W{k}, counting from 0). {they} no longer "
                             f"learn{'s' if len(units) == 1 else ''}. Likely cause: {cause}")
    return sentences


def _listed(units: list[int]) -> str:
    """[0, 2, 3] -> '0, 2 and 3'; beyond ten units, '0, 1, ..., 9 and 54 more'."""
    names = [str(unit) for unit in units[:10]] + ([f"{len(units) - 10} more"] if len(units) > 10 else [])
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- the arguments' checks ---------------------------------------------------------------------------------

def _number(name: str, value: object) -> float:
    """``value`` as a float; a TypeError naming it unless it is a real number (NaN and inf pass: a loss that
    blew up is judged, not refused)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number (a loss), got {type(value).__name__} {value!r:.60}")
    return float(value)


def _recent_losses(name: str, losses: object, count: int) -> list[float]:
    """The last ``count`` of ``losses`` (one loss per epoch, such as history.loss) as floats, or a TypeError
    naming it. (Only those are converted: train asks after every epoch, and the history grows.)"""
    if isinstance(losses, (str, bytes)) or not isinstance(losses, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a list of losses, one per epoch (such as history.loss), got "
                        f"{type(losses).__name__}")
    start = max(len(losses) - count, 0)
    return [_number(f"{name}[{k}]", losses[k]) for k in range(start, len(losses))]


def _finite_2d(name: str, values: object, columns: str) -> np.ndarray:
    """``values`` as a finite float64 array (N, columns) with N >= 1, or an error naming it."""
    array = as_float_array(name, values)
    check_2d(name, array, columns)
    if array.size == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}): at least one sample and one column are "
                         "needed")
    check_finite(name, array)
    return array


def _targets(name: str, Y: object, loss_name: str) -> np.ndarray:
    """Targets Y (N, C) as checked by _finite_2d, in [0, 1] for bce and cross_entropy. As train takes y, a
    1-D Y is one target per sample, or for cross_entropy integer labels (made one-hot here)."""
    Y = as_float_array(name, Y)
    if Y.ndim == 1 and loss_name == "cross_entropy" and Y.size:  # integer labels (N,): made one-hot
        check_finite(name, Y)
        if not ((Y == np.round(Y)).all() and Y.min() >= 0.0):
            raise ValueError(f"{name} must hold integer labels 0, 1, ... (N,) or one-hot rows (N, C) for "
                             f"cross_entropy, got values from {Y.min():.4g} to {Y.max():.4g}")
        Y = one_hot(Y.astype(np.int64))
    elif Y.ndim == 1:
        Y = Y.reshape(-1, 1)
    Y = _finite_2d(name, Y, "C")
    if loss_name != "mse" and not (Y.min() >= 0.0 and Y.max() <= 1.0):
        raise ValueError(f"{name} must hold labels or probabilities in [0, 1] for bce and cross_entropy "
                         f"(one-hot rows for cross_entropy), got values from {Y.min():.4g} to {Y.max():.4g}")
    return Y
