"""The training loop: train() and the History it returns.

Each epoch is the loop of notebook 04 -- forward, loss, backward, update -- over the epoch's batches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import diagnostics
from ._checks import as_generator, check_train_args, is_class_labels
from .optim import GradientError

INTERRUPTED = "interrupted (the kernel's stop button)"  # how the stop button's stop_reason starts


@dataclass
class History:
    """What happened during training, one entry per completed epoch.

    ``loss``/``accuracy`` are measured on the training batches during the epoch (before each step), averaged
    over the epoch's samples; ``val_loss``/``val_accuracy`` on the validation data after the epoch (empty
    without validation). Accuracies are NaN when the targets are not class labels (regression).
    ``stop_reason`` is None when all epochs ran, else a sentence saying why training stopped: the loss
    diverged or became NaN/inf, the optimiser refused gradients that blew up, the callback asked, or the
    kernel was interrupted (then ``interrupted`` is True). ``warnings`` lists what looks wrong, each a plain
    sentence with its likely cause: divergence, a loss that became NaN or inf, unscaled inputs or targets,
    targets that are all the same, a network worse than a constant guess, saturated or dead units.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    stop_reason: str | None = None
    epochs_run: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def interrupted(self) -> bool:
        """True when the kernel's stop button ended training (its stop_reason says so)."""
        return (self.stop_reason or "").startswith(INTERRUPTED)


class Checkpoint:
    """The weights and the optimiser's state before the latest step, to undo that step (and ``earlier``: those
    before the step before it, to undo the last step taken when the optimiser refuses the next one).

    nnlib's optimisers give their state fresh arrays at every step (never change the old ones), so a shallow
    copy of their state attributes (their STATE: not lr and the other settings, which a callback may have
    changed since; every attribute of an optimiser without STATE) keeps the old state; the weights, changed
    in place, are copied. ``changing`` is True while a step or a restore changes the weights (from save()
    until step_done(), or until restore() completes): an interrupt meanwhile may have left them half
    changed. ``steps_taken`` counts the steps completed in this training, ``epoch`` is the latest step's.
    """

    def __init__(self, net, optimizer):
        self.net, self.optimizer, self.steps_taken, self.epoch = net, optimizer, 0, 1
        self.params, self.state = self._snapshot()
        self.earlier, self.changing = (self.params, self.state), False

    def _snapshot(self) -> tuple[dict, dict]:
        attributes = vars(self.optimizer)
        names = getattr(type(self.optimizer), "STATE", attributes)
        return ({name: W.copy() for name, W in self.net.params.items()},
                {name: attributes[name] for name in names if name in attributes})

    def save(self) -> None:
        params, state = self._snapshot()
        # all at once (no interrupt can land between them): never half a checkpoint
        self.earlier, self.params, self.state, self.changing = (self.params, self.state), params, state, True

    def step_done(self) -> None:
        self.changing, self.steps_taken = False, self.steps_taken + 1

    def undo_last_step(self) -> bool:
        """After a step the optimiser refused (it changed nothing): put back the weights and state from before
        the last step taken, which made the gradients blow up. False when this training took no step yet."""
        if self.steps_taken == 0:
            self.restore()  # (the weights as they are: only ``changing`` is reset)
            return False
        self.params, self.state = self.earlier
        self.restore()
        return True

    def restore(self) -> None:
        """Put the saved weights and optimiser state back. ``changing`` stays True until it has completed, so
        a stop pressed meanwhile leads train to restore again."""
        self.changing = True
        for name, W in self.net.params.items():
            W[...] = self.params[name]
        vars(self.optimizer).update(self.state)
        self.changing = False


def train(net, X, y, optimizer, epochs: int, batch_size: int | None = None,
          seed: int | np.random.Generator | None = None, callback=None, validation=None,
          initial_epoch: int = 0) -> History:
    """Train ``net`` on X (N, n_0) and y for ``epochs`` epochs with ``optimizer``; returns a History.

    Full batch by default; with ``batch_size`` the samples are shuffled every epoch (by ``seed``) and split
    into mini-batches. ``callback(epoch, history)`` runs after every epoch (epoch counts from 1); returning
    True stops training. ``validation=(X_val, y_val)`` is evaluated after every epoch. ``initial_epoch``:
    the epochs this network has trained before, as in Keras's fit; the epoch numbers of the callback and of
    the sentences continue from it (training in chunks, as the playground does), while
    ``history.epochs_run`` counts this call's epochs.

    Nothing is printed: read ``history.stop_reason`` and ``history.warnings``. Training stops when the loss
    becomes NaN/inf (the weights before the step that broke them are restored), when the optimiser refuses
    gradients that blew up (nnlib.optim.GradientError; the step before, which made them blow up, is undone),
    or when the loss stays, for 10 epochs, far above its value before training and above a constant guess's
    loss (diagnostics.divergence); a network that ends worse than a constant guess is a warning
    (diagnostics.worse_than_guessing). A loss already NaN or inf before training takes no step. The stop
    button (KeyboardInterrupt) ends training too: the step it interrupted is undone, so the weights and the
    optimiser's state belong together, and the history of the completed epochs is returned. Raises
    ValueError/TypeError for bad arguments, and for a network whose weights are already NaN or inf.
    """
    (X, Y), validation = check_train_args(net, X, y, optimizer, epochs, batch_size, callback, validation,
                                          initial_epoch)
    history = History()
    with np.errstate(all="ignore"):  # a blow-up is reported, not warned (nor raised, whatever np.seterr says)
        try:  # before any step: a stop pressed here has nothing to undo
            checkpoint = Checkpoint(net, optimizer)
            judge = _first_look(net, X, Y, optimizer, history)
        except KeyboardInterrupt:
            _keep_completed_epochs(history)
            return history
        if not math.isfinite(judge.start):  # nothing can be trained from here: said, and no step taken
            return history
        try:
            epoch_numbers = range(initial_epoch + 1, initial_epoch + epochs + 1)
            _loop(net, X, Y, optimizer, epoch_numbers, batch_size, as_generator(seed), callback, validation,
                  history, checkpoint, judge)
        except KeyboardInterrupt:
            _finish_restoring(checkpoint)
            _keep_completed_epochs(history)
        try:
            _look_at_the_end(net, X, Y, history, checkpoint, judge)
        except KeyboardInterrupt:  # stop pressed (again) during these last looks: skip them, keep the history
            _finish_restoring(checkpoint)
    return history


def _finish_restoring(checkpoint: Checkpoint) -> None:
    """After the stop button: undo a half-done step, or finish a restore it cut short, so that the weights
    and the optimiser's state belong together. Further presses meanwhile only start the restore again."""
    while checkpoint.changing:
        try:
            checkpoint.restore()
        except KeyboardInterrupt:
            pass


def _first_look(net, X, Y, optimizer, history: History) -> _Judge:
    """Before training: the warnings about the data (unscaled, all the same), the loss before any step, and
    the stop reason when that loss is already NaN or inf. Returns what later looks compare with."""
    scale = diagnostics.input_scale(X) + diagnostics.target_scale(net.loss_name, Y)
    history.warnings += scale + diagnostics.constant_targets(Y)
    start = _loss_said(net, X, Y)  # before any step: divergence is measured from it
    judge = _Judge(optimizer, start, diagnostics.guessing_loss(net.loss_name, Y), unscaled=bool(scale))
    if not math.isfinite(start):
        history.stop_reason = diagnostics.broken_before(start, judge.unscaled)
        history.warnings.append(history.stop_reason)
    return judge


@dataclass
class _Judge:
    """What train's diagnostics compare with: the loss before training (``start``), a constant guess's loss
    (``guess``), and whether the inputs or targets are not scaled (then the likelier cause of a blow-up)."""

    optimizer: object
    start: float
    guess: float
    unscaled: bool
    blew_up: bool = False  # training stopped on a NaN or inf loss, or on gradients the optimiser refused

    def divergence(self, losses: list[float]) -> str | None:
        return diagnostics.divergence(losses, self.start, self.guess, self.optimizer, self.unscaled)

    def not_finite(self, loss: float, epoch: int, after_step: bool = False, validation: bool = False) -> str:
        self.blew_up = True
        return diagnostics.not_finite(loss, epoch, self.optimizer, self.unscaled, after_step, validation)

    def refused_step(self, error: GradientError, epoch: int, step_undone: bool) -> str:
        self.blew_up = True
        return diagnostics.refused_step(str(error), epoch, self.optimizer, self.unscaled, step_undone)

    def still_broken(self, loss: float) -> str:
        return diagnostics.still_broken(loss, self.optimizer, self.unscaled)

    def worse_than_guessing(self, loss: float) -> list[str]:
        return diagnostics.worse_than_guessing(loss, self.start, self.guess, self.optimizer, self.unscaled)


def _look_at_the_end(net, X, Y, history, checkpoint, judge: _Judge) -> None:
    """After the last epoch: undo a last step that broke the weights or the loss (or say that the weights
    are still broken after a blow-up), then add the warnings about the network as it is now: a loss worse
    than a constant guess's, and, when it fits poorly (its loss above POOR_FIT_FACTOR times a guess's), the
    stuck units that may be why."""
    loss = _whole_loss(net, X, Y)  # after the last step, which the epochs' losses precede
    if not math.isfinite(loss) and checkpoint.steps_taken and not judge.blew_up:  # the last step broke them
        said = _loss_said(net, X, Y)
        checkpoint.restore()
        sentence = judge.not_finite(said, checkpoint.epoch, after_step=True)
        if not history.interrupted:  # (the stop button's reason stays: this sentence is added to it)
            history.stop_reason = sentence
        history.warnings.append(sentence)
        loss = _whole_loss(net, X, Y)
    if not math.isfinite(loss):  # a blow-up undone one step, but mini-batch steps before had done it too
        if judge.blew_up and checkpoint.steps_taken:
            history.warnings.append(judge.still_broken(_loss_said(net, X, Y)))
        return
    if history.stop_reason not in history.warnings:  # (divergence and NaN are already said)
        history.warnings += judge.worse_than_guessing(loss)
    if loss > diagnostics.POOR_FIT_FACTOR * judge.guess:  # stuck units the reason?
        hidden = net.layer_outputs(X)[:-1]
        if all(np.isfinite(A).all() for A in hidden):  # (units that overflow to inf are not stuck: they blew
            history.warnings += diagnostics.stuck_units(hidden, net.activation)  # up, with a finite bce loss)


def _loss_said(net, X, Y) -> float:
    """The loss on the whole data as computed, NaN or inf included (finite with NaN or inf weights when
    bce's clamped logs hide them)."""
    return net._loss(net._forward(X)[0], Y)[0]


def _whole_loss(net, X, Y) -> float:
    """The loss on the whole data, or NaN when a weight is NaN or inf (the network cannot be used then)."""
    if not all(np.isfinite(W).all() for W in net.params.values()):
        return math.nan
    return _loss_said(net, X, Y)


def _keep_completed_epochs(history: History) -> None:
    """After the kernel's stop button: drop the values of an epoch that did not complete, and say so."""
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        del getattr(history, name)[history.epochs_run:]
    history.stop_reason = (f"{INTERRUPTED} after {history.epochs_run} completed "
                           "epochs: the history keeps those, and the weights and the optimiser's state are "
                           "those after the last completed step")


def _loop(net, X, Y, optimizer, epoch_numbers, batch_size, rng, callback, validation, history, checkpoint,
          judge: _Judge):
    """The epochs of train(), numbered ``epoch_numbers``; fills ``history`` in place and sets its stop_reason
    when it stops early."""
    labels = net._labels(Y) if is_class_labels(Y) else None
    for epoch in epoch_numbers:
        checkpoint.epoch = epoch
        try:
            loss, accuracy = _run_epoch(net, X, Y, labels, optimizer, batch_size, rng, checkpoint)
        except GradientError as error:  # nnlib's optimisers refuse blown-up gradients, changing nothing
            undone = checkpoint.undo_last_step()  # the step that made them blow up, as for a NaN loss
            history.stop_reason = judge.refused_step(error, epoch, step_undone=undone)
            break
        if validation is not None and math.isfinite(loss):
            val_loss, val_accuracy = _evaluate(net, *validation)
            if not math.isfinite(val_loss):  # while the training loss was finite
                checkpoint.restore()
                history.stop_reason = judge.not_finite(val_loss, epoch, validation=True)
                break
        if not math.isfinite(loss):
            checkpoint.restore()  # the weights before the step that made the loss NaN or inf
            history.stop_reason = judge.not_finite(loss, epoch)
            break
        history.loss.append(loss)
        history.accuracy.append(accuracy)
        if validation is not None:
            history.val_loss.append(val_loss)
            history.val_accuracy.append(val_accuracy)
        history.epochs_run = epoch - epoch_numbers.start + 1
        history.stop_reason = judge.divergence(history.loss)
        if not history.stop_reason and callback and _callback_says_stop(callback, epoch, history):
            history.stop_reason = f"the callback asked to stop after epoch {epoch}"
        if history.stop_reason is not None:
            break
    if history.stop_reason and "callback" not in history.stop_reason:
        history.warnings.append(history.stop_reason)


def _run_epoch(net, X, Y, labels, optimizer, batch_size, rng, checkpoint) -> tuple[float, float]:
    """One pass over the data; returns (mean loss, accuracy) over the epoch's samples, or (non-finite, 0)."""
    n_samples = X.shape[0]
    order = None if batch_size is None or batch_size >= n_samples else rng.permutation(n_samples)
    total_loss, correct = 0.0, 0
    for start in range(0, n_samples, batch_size or n_samples):
        rows = slice(None) if order is None else order[start:start + batch_size]
        loss, grads, y_hat = net._loss_and_grads(X[rows], Y[rows])  # 1. forward, 2. loss, 3. backward
        if not math.isfinite(loss):
            return loss, 0.0
        checkpoint.save()
        optimizer.step(net.params, grads)  # 4. update
        checkpoint.step_done()
        total_loss += loss * y_hat.shape[0]
        correct += 0 if labels is None else int(np.count_nonzero(net._labels(y_hat) == labels[rows]))
    return total_loss / n_samples, correct / n_samples if labels is not None else math.nan


def _evaluate(net, X, Y) -> tuple[float, float]:
    """Loss and accuracy (NaN for targets that are not class labels) on checked validation data."""
    loss, y_hat = net._loss(net._forward(X)[0], Y)
    accuracy = float(np.mean(net._labels(y_hat) == net._labels(Y))) if is_class_labels(Y) else math.nan
    return loss, accuracy


def _callback_says_stop(callback, epoch: int, history: History) -> bool:
    """Call the callback; only True (or False/None) is a valid answer: a stray return value is an error."""
    answer = callback(epoch, history)
    if answer is not None and not isinstance(answer, (bool, np.bool_)):
        raise TypeError(f"callback must return True (stop training), False or None, but after epoch "
                        f"{epoch} it returned {answer!r} ({type(answer).__name__}); return a bool, "
                        "e.g. history.loss[-1] < 0.01")
    return bool(answer)
