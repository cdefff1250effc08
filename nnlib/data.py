"""Toy 2-D data sets, a train/test split, one-hot labels and the handwritten digits.

Every generator returns ``X`` of shape (n, 2), float64, one sample per row, and ``y`` of shape (n,), int,
with the classes as balanced as ``n`` allows (sizes differ by at most one). The rows are shuffled.
Randomness comes only from ``seed``: an int, a ``np.random.Generator`` or None (fresh entropy);
NumPy's global random state is never touched. ``noise`` is the standard deviation of the Gaussian noise.
Sizes are capped (MAX_SAMPLES, MAX_CLASSES, MAX_NOISE below): a typo fails at once, with a clear message.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from ._checks import as_float_array, as_generator, check_finite

__all__ = ["xor", "xor_cloud", "moons", "circles", "spiral", "gaussians",
           "train_test_split", "one_hot", "load_digits"]

DIGITS_PATH = Path(__file__).parent / "datasets" / "digits.npz"


# ---- argument checks (clear messages: the argument, the value seen, what was expected) ----

# Limits far beyond any lesson. They refuse a typo such as n=10**9 (15 GB) before any memory is used.
MAX_SAMPLES = 10_000_000   # n of a generator: 10 million 2-D points are 160 MB; a lesson uses a few thousand
MAX_CLASSES = 1_000        # classes of spiral/gaussians, and of one_hot (ImageNet has 1000)
MAX_ONE_HOT_VALUES = 100_000_000   # one_hot's result (N, num_classes): at most 800 MB of float64
MAX_NOISE = 100.0          # the points lie within radius 2: noise 100 buries them (and 1e308 makes X inf)


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return as_generator(seed, "seed")      # the same rule as everywhere in nnlib


def _check_int(name: str, value: object, minimum: int, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum:,}, got {value:,}")
    return int(value)


def _check_noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise must be a number, got {noise!r}")
    if not 0 <= noise <= MAX_NOISE:        # also refuses NaN: every comparison with NaN is False
        raise ValueError(f"noise must be a finite number from 0 to {MAX_NOISE:g} (a standard deviation; "
                         f"nnlib.data.MAX_NOISE), got {noise}")
    return float(noise)


def _class_sizes(n: object, classes: object) -> list[int]:
    """Split n samples into `classes` groups whose sizes differ by at most one."""
    classes = _check_int("classes", classes, 2, MAX_CLASSES)
    n = _check_int("n", n, 1, MAX_SAMPLES)
    if n < classes:
        raise ValueError(f"n must be at least classes={classes} (one sample per class), got n={n}")
    return [n // classes + (1 if k < n % classes else 0) for k in range(classes)]


def _finish(parts: list[np.ndarray], noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Stack the per-class point sets, add Gaussian noise, shuffle the rows."""
    X = np.concatenate(parts).astype(np.float64)                     # (n, 2)
    y = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    X += noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))
    return X[order], y[order]


# ---- toy data sets ----

def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: X (4, 2) float64, y (4,) int = [0, 1, 1, 0]."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


def xor_cloud(n: int = 200, noise: float = 0.1, seed: int | np.random.Generator | None = None
              ) -> tuple[np.ndarray, np.ndarray]:
    """Noisy clouds around the four XOR corners: X (n, 2), y (n,) = XOR of the corner's coordinates."""
    sizes, noise, rng = _class_sizes(n, 2), _check_noise(noise), _rng(seed)
    corners = [np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([[0.0, 1.0], [1.0, 0.0]])]
    # alternate between the two corners of each class so both corners get (almost) equal shares
    parts = [corners[k][np.arange(size) % 2] for k, size in enumerate(sizes)]
    return _finish(parts, noise, rng)


def moons(n: int = 200, noise: float = 0.1, seed: int | np.random.Generator | None = None
          ) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of radius 1: X (n, 2), y (n,).

    Class 0 is the upper arc centred at (0, 0); class 1 the lower arc centred at (1, 0.5).
    """
    sizes, noise, rng = _class_sizes(n, 2), _check_noise(noise), _rng(seed)
    t0, t1 = np.linspace(0, np.pi, sizes[0]), np.linspace(0, np.pi, sizes[1])
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])
    return _finish([upper, lower], noise, rng)


def circles(n: int = 200, noise: float = 0.05, seed: int | np.random.Generator | None = None,
            factor: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 of radius 1, class 1 of radius `factor`. X (n, 2), y (n,)."""
    sizes, noise, rng = _class_sizes(n, 2), _check_noise(noise), _rng(seed)
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)) \
            or not 0 < factor < 1:
        raise ValueError(f"factor must be a number in (0, 1) (inner radius / outer radius), got {factor!r}")
    parts = []
    for size, radius in zip(sizes, [1.0, float(factor)], strict=True):
        angle = np.linspace(0, 2 * np.pi, size, endpoint=False)
        parts.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _finish(parts, noise, rng)


def spiral(n: int = 300, classes: int = 3, noise: float = 0.2,
           seed: int | np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """`classes` interleaved spiral arms (as in CS231n): X (n, 2), y (n,).

    Arm k turns through 4 radians while its radius grows from 0.1 to 1; arms start 2*pi/classes apart.
    Here `noise` is added to the angle (radians), which keeps the points on their arm's radius.
    """
    sizes, noise, rng = _class_sizes(n, classes), _check_noise(noise), _rng(seed)
    parts = []
    for k, size in enumerate(sizes):
        radius = np.linspace(0.1, 1.0, size)
        angle = np.linspace(0, 4, size) + 2 * np.pi * k / len(sizes) + noise * rng.standard_normal(size)
        parts.append(radius[:, None] * np.column_stack([np.sin(angle), np.cos(angle)]))
    return _finish(parts, 0.0, rng)


def gaussians(n: int = 200, classes: int = 2, noise: float = 0.5,
              seed: int | np.random.Generator | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Round Gaussian blobs of std `noise`, centred evenly on a circle of radius 2: X (n, 2), y (n,)."""
    sizes, noise, rng = _class_sizes(n, classes), _check_noise(noise), _rng(seed)
    angles = 2 * np.pi * np.arange(len(sizes)) / len(sizes)
    centres = 2.0 * np.column_stack([np.cos(angles), np.sin(angles)])      # (classes, 2)
    parts = [np.repeat(centres[k:k + 1], size, axis=0) for k, size in enumerate(sizes)]
    return _finish(parts, noise, rng)


# ---- splitting and labels ----

def _as_rows(name: str, values: object) -> np.ndarray:
    """``values`` as an array of finite numbers, one row per sample, in its own dtype (int stays int)."""
    check_finite(name, as_float_array(name, values))      # refuses ragged lists, text, objects, NaN and inf
    array = np.asarray(values)
    if array.ndim == 0:
        raise ValueError(f"{name} must be an array with one row per sample, got a single number {array}")
    if 0 in array.shape[1:]:
        raise ValueError(f"{name} has shape {array.shape}: its rows are empty; each needs at least one value")
    return array


def _strata(y: np.ndarray, test_fraction: float) -> np.ndarray | None:
    """Integer class labels to stratify on, or None when y does not look like class labels.

    Whole numbers some of which are too rare to give the test set even one row (test_fraction * count < 1)
    are not stratified: prices in whole pounds, ages. Stratified, each value keeps round(test_fraction *
    its count) test rows, 0 for the rare ones, and the test set would miss them all.
    """
    labels = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y), -1)[:, 0]
    whole = labels.dtype.kind in "iub" or (labels.dtype.kind == "f" and np.all(labels == np.round(labels)))
    if not whole:
        return None
    counts = np.unique(labels, return_counts=True)[1]
    return labels if test_fraction * counts.min() >= 1 else None


def train_test_split(X: np.ndarray, y: np.ndarray, test_fraction: float = 0.25,
                     seed: int | np.random.Generator | None = 0
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split into X_train, X_test, y_train, y_test.

    Shapes: X (N, ...), y (N, ...) -> the same trailing shapes with N_train + N_test = N rows.
    For class labels (integers (N,) or (N, 1), or one-hot (N, C)) the split is stratified: each class
    keeps round(test_fraction * its size) samples for the test set, so both sets keep the class balance.
    Whole numbers of which some are too rare to give the test set a row (test_fraction * count < 1: prices,
    ages) get a plain random split of round(test_fraction * N) test rows.
    """
    X, y = _as_rows("X", X), _as_rows("y", y)
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got X {X.shape} and y {y.shape}")
    if len(y) < 2:
        raise ValueError(f"X and y have {len(y)} sample(s): at least 2 are needed to split, one for each set")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real) \
            or not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be a number strictly between 0 and 1, got {test_fraction!r}")
    order = _rng(seed).permutation(len(y))
    strata = _strata(y, test_fraction)
    if strata is None:                                   # not class labels: a plain random split
        is_test = np.arange(len(y)) < round(test_fraction * len(y))
    else:                                # each class: its first round(f * size) members in shuffled order
        shuffled = strata[order]
        rank = np.zeros(len(y), dtype=np.int64)
        for label in np.unique(shuffled):
            members = shuffled == label
            rank[members] = np.arange(members.sum()) - round(test_fraction * members.sum())
        is_test = rank < 0
    test, train = order[is_test], order[~is_test]
    if len(test) == 0 or len(train) == 0:
        raise ValueError(f"test_fraction={test_fraction} of {len(y)} samples leaves an empty "
                         f"{'test' if len(test) == 0 else 'training'} set; use more samples")
    return X[train], X[test], y[train], y[test]


def _as_labels(y: object) -> np.ndarray:
    """``y`` as a non-empty 1-D array of integer labels 0, 1, 2, ..., or a clear error."""
    as_float_array("y", y)                      # a ragged list or text is refused here, with a clear message
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.size == 0 or labels.dtype.kind not in "iu":
        hint = " (whole numbers stored as floats? use y.astype(int))" if labels.dtype.kind == "f" else ""
        raise ValueError(f"y must be a non-empty 1-D array of integer labels, got shape {labels.shape}, "
                         f"dtype {labels.dtype}{hint}")
    if labels.min() < 0:
        raise ValueError(f"y must hold labels 0, 1, 2, ..., got the negative label {labels.min()}")
    return labels


def one_hot(y: np.ndarray, num_classes: int | None = None) -> np.ndarray:
    """Integer labels y (N,) -> one-hot float64 (N, num_classes); num_classes defaults to max(y) + 1."""
    y = _as_labels(y)
    if num_classes is None:
        if y.max() >= MAX_CLASSES:
            raise ValueError(f"y's largest label is {y.max()}, which would make {int(y.max()) + 1:,} "
                             f"classes; one_hot makes at most {MAX_CLASSES:,} (nnlib.data.MAX_CLASSES): "
                             "are these class labels?")
        num_classes = int(y.max()) + 1
    num_classes = _check_int("num_classes", num_classes, 1, MAX_CLASSES)
    if y.max() >= num_classes:
        raise ValueError(f"y must hold labels in [0, {num_classes - 1}] for num_classes={num_classes}, "
                         f"got values from {y.min()} to {y.max()}")
    size = len(y) * num_classes
    if size > MAX_ONE_HOT_VALUES:
        raise ValueError(f"one_hot of {len(y):,} labels and {num_classes} classes would hold {size:,} values "
                         f"({size * 8 / 1e9:.1f} GB); it makes at most {MAX_ONE_HOT_VALUES:,} "
                         "(nnlib.data.MAX_ONE_HOT_VALUES): encode fewer labels at a time")
    encoded = np.zeros((len(y), num_classes))
    encoded[np.arange(len(y)), y] = 1.0
    return encoded


# ---- the handwritten digits ----

def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 8x8 handwritten digits shipped with nnlib: X (1797, 64) float64 in [0, 1], y (1797,) int.

    Each row is one image read row by row; pixel counts 0..16 are divided by 16. The data are the UCI
    "Optical Recognition of Handwritten Digits" test set (E. Alpaydin, C. Kaynak), CC BY 4.0: see
    nnlib/datasets/LICENSE.txt. Read from nnlib/datasets/digits.npz, no network needed.
    """
    with np.load(DIGITS_PATH, allow_pickle=False) as stored:
        pixels, labels = stored["images"], stored["labels"]
    X = pixels.reshape(len(pixels), 64).astype(np.float64) / 16.0   # (1797, 64)
    y = labels.astype(np.int64)
    return X, y
