"""The training loop: train() and the History it returns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ._checks import as_generator, check_int
from .parameters import Parameters, copy_values


@dataclass
class History:
    """What happened during training, one entry per completed epoch.

    ``loss``/``accuracy`` are measured on the training batches during the epoch (before each step), averaged
    over the epoch's samples; ``val_loss``/``val_accuracy`` on the validation data after the epoch (empty
    without validation). ``stop_reason`` is None when all epochs ran, else a sentence saying why training
    stopped.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    stop_reason: str | None = None
    epochs_run: int = 0


def _check_train_args(net, X, y, optimizer, epochs, batch_size, callback, validation):
    """Validate everything once, so the loop itself can use the network's unchecked fast path."""
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method (e.g. nnlib.SGD), "
                        f"got {optimizer!r}")
    check_int("epochs", epochs, 1)
    if batch_size is not None:
        check_int("batch_size", batch_size, 1)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be a function callback(epoch, history) or None, got {callback!r}")
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val) or None, "
                            f"got {type(validation).__name__}")
        validation = net.check_data(*validation)
    return net.check_data(X, y), validation


def _diverged(loss: float, epoch: int, optimizer) -> str:
    return (f"the loss became {loss} at epoch {epoch}: the learning rate is probably too high "
            f"(lr={getattr(optimizer, 'lr', '?')}); the weights were restored to the last finite-loss step")


def _run_epoch(net, X, Y, labels, optimizer, batch_size, rng, backup) -> tuple[float, float]:
    """One pass over the data; returns (mean loss, accuracy) over the epoch's samples, or (non-finite, 0)."""
    n_samples = X.shape[0]
    order = None if batch_size is None or batch_size >= n_samples else rng.permutation(n_samples)
    total_loss, correct = 0.0, 0
    for start in range(0, n_samples, batch_size or n_samples):
        rows = None if order is None else order[start:start + batch_size]
        X_batch, Y_batch, labels_batch = (X, Y, labels) if rows is None else (X[rows], Y[rows], labels[rows])
        loss, grads, y_hat = net._loss_and_grads(X_batch, Y_batch)
        if not math.isfinite(loss):
            return loss, 0.0
        copy_values(net.params, backup)  # weights known to give a finite loss
        optimizer.step(net.params, grads)
        total_loss += loss * X_batch.shape[0]
        correct += int(np.count_nonzero(net._labels(y_hat) == labels_batch))
    return total_loss / n_samples, correct / n_samples


def train(net, X, y, optimizer, epochs: int, batch_size: int | None = None,
          seed: int | np.random.Generator | None = None, callback=None, validation=None) -> History:
    """Train ``net`` on X (N, n_0) and y for ``epochs`` epochs with ``optimizer``; returns a History.

    Full batch by default; with ``batch_size`` the samples are shuffled every epoch (by ``seed``) and split
    into mini-batches. ``callback(epoch, history)`` runs after every epoch (epoch counts from 1); returning
    True stops training. If the loss becomes NaN/inf, training stops, the last weights with a finite loss are
    restored and ``history.stop_reason`` says so. Nothing is printed: read ``history.stop_reason``.
    """
    (X, Y), validation = _check_train_args(net, X, y, optimizer, epochs, batch_size, callback, validation)
    rng, labels, history = as_generator(seed), net._labels(Y), History()
    backup = Parameters(net.params)  # a copy
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        _loop(net, X, Y, labels, optimizer, epochs, batch_size, rng, callback, validation, backup, history)
    if not all(np.isfinite(param).all() for param in net.params.values()):  # the very last step overflowed
        _restore(net, backup)
        history.stop_reason = _diverged(float("nan"), history.epochs_run, optimizer)
    return history


def _loop(net, X, Y, labels, optimizer, epochs, batch_size, rng, callback, validation, backup, history):
    """The epochs of train(); fills ``history`` in place."""
    for epoch in range(1, epochs + 1):
        loss, accuracy = _run_epoch(net, X, Y, labels, optimizer, batch_size, rng, backup)
        if validation is not None and math.isfinite(loss):
            val_loss, val_y_hat = _evaluate(net, *validation)
            loss = loss if math.isfinite(val_loss) else val_loss
        if not math.isfinite(loss):
            _restore(net, backup)
            history.stop_reason = _diverged(loss, epoch, optimizer)
            break
        history.loss.append(loss)
        history.accuracy.append(accuracy)
        if validation is not None:
            history.val_loss.append(val_loss)
            history.val_accuracy.append(float(np.mean(net._labels(val_y_hat) == net._labels(validation[1]))))
        history.epochs_run = epoch
        if callback is not None and callback(epoch, history):
            history.stop_reason = f"the callback asked to stop after epoch {epoch}"
            break


def _evaluate(net, X, Y) -> tuple[float, np.ndarray]:
    """Loss and outputs on validated data (no gradients needed, but the forward pass is shared)."""
    Z, _ = net._logits(X)
    loss, _, y_hat = net._head(Z, Y, net.output_activation, 1.0 / Y.size)
    return loss, y_hat


def _restore(net, backup: Parameters) -> None:
    copy_values(backup, net.params)
