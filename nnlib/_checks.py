"""Argument checks shared by nnlib's public functions.

Every check raises ``ValueError``/``TypeError`` whose message names the argument, the value seen and what was
expected, so that a learner never meets a bare NumPy broadcasting error from deep inside the library.
The checks are cheap (attribute look-ups and one ``np.isfinite`` per array) because they run on every call.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Sequence

import numpy as np


def as_generator(seed: int | np.random.Generator | None, name: str = "seed") -> np.random.Generator:
    """Return a ``np.random.Generator`` for an int seed, ``None`` (fresh entropy) or an existing Generator."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(f"{name} must be a non-negative int, None or a np.random.Generator, got {seed!r}")


def check_choice(name: str, value: object, valid) -> None:
    """Raise ValueError unless ``value`` is one of ``valid`` (the message lists the valid names)."""
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"{name} must be one of {sorted(valid)}, got {value!r}")


def check_int(name: str, value: object, minimum: int) -> int:
    """Return ``value`` as an int, raising unless it is an integer >= ``minimum``."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value}")
    return int(value)


def check_number(name: str, value: object, low: float, high: float = np.inf,
                 low_inclusive: bool = False, high_inclusive: bool = False) -> float:
    """Return ``value`` as a float, raising unless it lies in the interval between ``low`` and ``high``."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    above = value >= low if low_inclusive else value > low
    below = value <= high if high_inclusive else value < high
    if not (above and below):
        interval = f"{'[' if low_inclusive else '('}{low}, {high}{']' if high_inclusive else ')'}"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def as_float_array(name: str, values: object) -> np.ndarray:
    """Return ``values`` as a float64 array, raising TypeError for non-numeric input (strings, objects)."""
    if type(values) is np.ndarray and values.dtype == np.float64:
        return values  # the fast path: nothing to convert
    if values is None:
        raise TypeError(f"{name} must hold numbers, got None (a function that forgot to return?)")
    if isinstance(values, np.ma.MaskedArray):  # np.asarray would drop the mask and use the hidden values
        raise TypeError(f"{name} is a masked array: its masked entries would be used as numbers; fill them "
                        f"({name}.filled(value)) or drop those rows first ({name}.compressed() for 1-D)")
    try:
        array = np.asarray(values)
    except ValueError as error:  # NumPy: "setting an array element with a sequence. ... inhomogeneous"
        raise ValueError(f"{name} must be a rectangular array of numbers, but its rows have different "
                         f"lengths (a ragged nested list): {error}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold numbers, got an array of dtype {array.dtype}")
    if array.dtype.kind == "f" and array.dtype.itemsize > 8:  # np.longdouble: its largest values do not fit
        return _longdouble_as_float64(name, array)
    return array.astype(np.float64)


def _longdouble_as_float64(name: str, array: np.ndarray) -> np.ndarray:
    """A long double array as float64, refusing finite values beyond float64's range (they would become
    inf, with only NumPy's overflow warning)."""
    with np.errstate(over="ignore"):
        converted = array.astype(np.float64)
    too_large = np.isfinite(array) & ~np.isfinite(converted)
    if too_large.any():
        raise ValueError(f"{name} holds values beyond float64's range (about ±1.8e308), such as "
                         f"{str(array[too_large][0])}: nnlib computes in float64; scale them first")
    return converted


def all_finite(array: np.ndarray) -> bool:
    """True when no value of ``array`` is NaN or inf."""
    # One quick pass first for C-ordered arrays: a NaN or inf makes the sum of squares a.a NaN or inf.
    # (np.vdot runs in BLAS, which never warns; a plain sum would warn when huge finite values overflow it.
    # Other layouts would be copied first: there np.isfinite is quicker.)
    if array.flags.c_contiguous and math.isfinite(np.vdot(array, array)):
        return True
    return bool(np.isfinite(array).all())  # huge finite values can overflow a.a too: look at every value


def check_finite(name: str, array: np.ndarray, error: type[ValueError] = ValueError) -> None:
    """Raise ValueError (or the subclass ``error``) if ``array`` holds NaN or inf, saying how many and where
    the first one is."""
    if all_finite(array):
        return
    finite = np.isfinite(array)
    if not finite.all():
        first = tuple(int(i) for i in np.argwhere(~finite)[0])
        raise error(f"{name} must be finite, but {np.size(finite) - np.count_nonzero(finite)} value(s) "
                    f"are NaN or inf (the first at index {first}: {array[first]})")


def check_2d(name: str, array: np.ndarray, columns: object) -> None:
    """Raise ValueError unless ``array`` is 2-D, one row per sample: shape (N, columns), e.g. columns "C"."""
    if array.ndim != 2:
        hint = f" (one sample? use {name}.reshape(1, -1))" if array.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D with shape (N, {columns}), got shape {array.shape}{hint}")


def as_features(X: object, n_features: int, name: str = "X") -> np.ndarray:
    """Return ``X`` as a finite float64 array of shape (N, n_features) with N >= 1."""
    X = as_float_array(name, X)
    if X.ndim == 1 and X.size != n_features:  # not one sample: the hint check_2d gives would be wrong
        hint = (f" (N samples of one feature? use {name}.reshape(-1, 1))" if n_features == 1 else
                f": one row of {n_features} features per sample")
        raise ValueError(f"{name} must be 2-D with shape (N, {n_features}), got shape {X.shape}{hint}")
    check_2d(name, X, n_features)
    if X.shape[1] != n_features:
        raise ValueError(f"{name} has {X.shape[1]} features but the network expects {n_features}")
    if X.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {X.shape}): at least one sample is needed")
    check_finite(name, X)
    return X


def check_layer_sizes(layer_sizes: object) -> list[int]:
    """Return ``layer_sizes`` as a list of ints, raising unless it has at least two sizes, each >= 1.

    A list, tuple, range or array: a sequence (a set or a dict would silently reorder the layers).
    """
    sequence = isinstance(layer_sizes, Sequence) or (isinstance(layer_sizes, np.ndarray)
                                                     and layer_sizes.ndim == 1)
    if isinstance(layer_sizes, (str, bytes)) or not sequence:
        raise TypeError(f"layer_sizes must be a list of ints such as [2, 4, 1], got {layer_sizes!r}")
    if len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes needs at least two sizes (inputs, outputs), got {list(layer_sizes)}")
    return [check_int(f"layer_sizes[{k}]", size, 1) for k, size in enumerate(layer_sizes)]


# --- the network's architecture ----------------------------------------------------------------------

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
# Which output activation each loss accepts, and why (cross_entropy works on the logits, as in PyTorch).
OUTPUTS_FOR_LOSS = {
    "mse": HIDDEN_ACTIVATIONS,  # any elementwise output; softmax + mse is rarely wanted, so it is refused
    "bce": ("sigmoid",),  # bce needs probabilities in [0, 1]
    "cross_entropy": ("softmax",),  # the loss uses the logits Z; forward() returns softmax(Z)
}
# The largest network nnlib builds: 10 million float64 parameters are 80 MB (and Adam keeps two more copies).
# Far beyond what NumPy trains in a lesson; a typo such as [2, 10**9, 1] is refused before any memory is used.
MAX_PARAMETERS = 10_000_000


def check_architecture(layer_sizes: list[int], output_activation: str, loss: str) -> None:
    """Refuse output/loss pairs that make no sense, and networks too big to build, with the reason."""
    allowed, n_outputs = OUTPUTS_FOR_LOSS[loss], layer_sizes[-1]
    if output_activation not in allowed:
        raise ValueError(f"loss={loss!r} needs output_activation in {list(allowed)}, got "
                         f"{output_activation!r} (cross_entropy takes logits and pairs with 'softmax'; "
                         "bce needs probabilities from 'sigmoid')")
    if output_activation == "softmax" and n_outputs < 2:
        raise ValueError(f"a softmax output needs at least 2 units (classes), got layer_sizes[-1] = "
                         f"{n_outputs}")
    check_parameter_count(layer_sizes)


def check_parameter_count(layer_sizes: list[int]) -> None:
    """Refuse a network of more than MAX_PARAMETERS weights and biases, before any memory is used."""
    count = sum((n_in + 1) * n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))
    if count > MAX_PARAMETERS:
        memory = f"{count:,} parameters ({count * 8 / 1e9:.1f} GB)" if count < 10**15 else (
            f"about 10^{len(str(count)) - 1} parameters (more memory than any computer has)")
        raise ValueError(f"layer_sizes {_shortened(layer_sizes)} would need {memory}; nnlib builds at most "
                         f"{MAX_PARAMETERS:,} (nnlib.network.MAX_PARAMETERS): use fewer units")


def _shortened(layer_sizes: list[int]) -> str:
    """The sizes as a list, a size of more than 15 digits written as 10^k: a message stays readable."""
    return "[" + ", ".join(str(n) if n < 10**15 else f"~10^{len(str(n)) - 1}" for n in layer_sizes) + "]"


# --- targets ----------------------------------------------------------------------------------------------

def _bce_targets_ok(Y: np.ndarray) -> bool:
    """True when every target lies in [0, 1]; False for NaN too (every comparison with NaN is False)."""
    return bool(Y.min() >= 0.0 and Y.max() <= 1.0)


def check_targets(loss: str, y: object, n_outputs: int, n_samples: int | None = None,
                  name: str = "y", other: str = "X") -> np.ndarray:
    """Return the targets ``y`` as a float64 array (N, n_outputs) suitable for ``loss``, or raise.

    Integer labels (N,) for cross_entropy are turned into one-hot rows here, once.
    """
    y = as_float_array(name, y)
    n_samples = y.shape[0] if n_samples is None and y.ndim else n_samples
    if y.ndim == 0 or y.shape[0] != n_samples:
        raise ValueError(f"{name} has {y.shape[0] if y.ndim else 0} samples but {other} has {n_samples}: "
                         f"{other} and {name} must have one row per sample")
    if loss == "cross_entropy" and y.ndim == 1 and n_outputs > 1:
        return _one_hot(y, n_outputs, name)
    if y.ndim == 1 and n_outputs == 1:
        y = y.reshape(-1, 1)
    if y.shape != (n_samples, n_outputs):
        raise ValueError(f"{name} has shape {y.shape} but the outputs have shape {(n_samples, n_outputs)}")
    if loss == "bce" and not _bce_targets_ok(y):
        check_finite(name, y)
        raise ValueError(f"{name} must lie in [0, 1] for bce, got values from {y.min()} to {y.max()}")
    if loss == "cross_entropy":
        _check_probability_rows(y, name)
    elif loss != "bce":
        check_finite(name, y)
    return y


def _one_hot(labels: np.ndarray, n_classes: int, name: str) -> np.ndarray:
    """Integer labels (N,) in 0..n_classes-1 -> one-hot rows (N, n_classes)."""
    check_finite(name, labels)
    if not (labels == np.round(labels)).all() or labels.min() < 0 or labels.max() > n_classes - 1:
        raise ValueError(f"{name} must hold integer labels 0..{n_classes - 1} for cross_entropy, "
                         f"got values from {labels.min()} to {labels.max()}")
    return (labels[:, None] == np.arange(n_classes)).astype(np.float64)  # (N, 1) == (C,) -> (N, C)


def _check_probability_rows(Y: np.ndarray, name: str) -> None:
    """One-hot (or class-probability) rows: entries in [0, 1], each row summing to 1."""
    if not _bce_targets_ok(Y) or not np.allclose(Y.sum(axis=1), 1.0):
        check_finite(name, Y)
        raise ValueError(f"{name} must be one-hot rows (entries in [0, 1], each row summing to 1) or integer "
                         f"labels of shape (N,) for cross_entropy; got shape {Y.shape}")


def is_class_labels(Y: np.ndarray) -> bool:
    """True when the targets Y (N, C) are 0/1 (one output unit) or one-hot rows: labels, not regression."""
    return bool(((Y == 0.0) | (Y == 1.0)).all() and (Y.shape[1] == 1 or (Y.sum(axis=1) == 1.0).all()))


def check_class_labels(name: str, Y: np.ndarray) -> None:
    """Refuse targets Y (N, C) that are not class labels: accuracy needs 0/1 (one unit) or one-hot rows."""
    if not is_class_labels(Y):
        kind = "0 or 1 (one output unit)" if Y.shape[1] == 1 else "integer labels (N,) or one-hot rows"
        raise ValueError(f"accuracy needs class labels: {name} must hold {kind}, got values from {Y.min()} "
                         f"to {Y.max()}. For regression targets accuracy means nothing: use the loss instead")


def check_function(name: str, f: object, call: str, arguments: tuple) -> None:
    """Refuse ``f`` unless it is a function that can be called as ``call`` (e.g. "f(x)") with ``arguments``
    (stand-ins: only their number matters), before any work starts."""
    if not callable(f):
        raise TypeError(f"{name} must be a function {call}, got {type(f).__name__} {f!r:.60}")
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # some built-in functions have no signature to inspect
        return
    try:
        signature.bind(*arguments)
    except TypeError:
        raise TypeError(f"{name} must accept {len(arguments)} argument(s), {call}, but "
                        f"{getattr(f, '__name__', 'it')}{signature} cannot take them") from None


def check_callback(callback: object) -> None:
    """Refuse a callback that is not a function callback(epoch, history) or None, before training starts."""
    if callback is not None:
        check_function("callback", callback, "callback(epoch, history)", (1, None))


def check_train_args(net, X, y, optimizer, epochs, batch_size, callback, validation,
                     initial_epoch: int = 0) -> tuple:
    """Check train()'s arguments before any work; returns the checked (X, Y) and validation pair (or None).

    Checked once, here, so that train's loop can call the network's unchecked methods.
    """
    if not callable(getattr(net, "_loss_and_grads", None)):
        raise TypeError(f"net must be an nnlib.MLP, got {type(net).__name__}")
    net.check_params()  # weights broken by an earlier run (NaN) are refused before any epoch
    if isinstance(optimizer, type):
        raise TypeError(f"optimizer must be an optimiser object, got the class {optimizer.__name__} itself: "
                        f"create one with its learning rate, e.g. nnlib.{optimizer.__name__}(lr=0.1)")
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer must have a step(params, grads) method (e.g. nnlib.SGD(lr=0.1)), "
                        f"got {optimizer!r}")
    check_int("epochs", epochs, 1)
    check_int("initial_epoch", initial_epoch, 0)
    if batch_size is not None:
        check_int("batch_size", batch_size, 1)
    check_callback(callback)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val) or None, "
                            f"got {type(validation).__name__}")
        validation = net.check_data(*validation, names=("X_val", "y_val"))
    return net.check_data(X, y), validation
