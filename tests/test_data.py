"""Tests for nnlib.data: toy data sets, split, one-hot, digits."""

import socket
import warnings

import numpy as np
import pytest

from nnlib import data

GENERATORS = {
    "xor_cloud": lambda n, **kw: data.xor_cloud(n, **kw),
    "moons": lambda n, **kw: data.moons(n, **kw),
    "circles": lambda n, **kw: data.circles(n, **kw),
    "spiral2": lambda n, **kw: data.spiral(n, classes=2, **kw),
    "spiral3": lambda n, **kw: data.spiral(n, classes=3, **kw),
    "gaussians2": lambda n, **kw: data.gaussians(n, classes=2, **kw),
    "gaussians5": lambda n, **kw: data.gaussians(n, classes=5, **kw),
}
NUM_CLASSES = {"xor_cloud": 2, "moons": 2, "circles": 2, "spiral2": 2, "spiral3": 3,
               "gaussians2": 2, "gaussians5": 5}


def test_xor_is_the_four_points():
    X, y = data.xor()
    assert X.shape == (4, 2) and X.dtype == np.float64
    assert y.shape == (4,) and y.dtype.kind == "i"
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("n", [5, 100, 301])
def test_generators_give_shapes_dtypes_and_balanced_classes(name, n):
    X, y = GENERATORS[name](n, seed=0)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype.kind == "i"
    counts = np.bincount(y, minlength=NUM_CLASSES[name])
    assert len(counts) == NUM_CLASSES[name]
    assert counts.max() - counts.min() <= 1 and counts.sum() == n
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", GENERATORS)
def test_generators_are_deterministic_per_seed(name):
    X1, y1 = GENERATORS[name](50, seed=3)
    X2, y2 = GENERATORS[name](50, seed=np.random.default_rng(3))
    X3, _ = GENERATORS[name](50, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_generators_leave_numpy_global_state_alone():
    np.random.seed(123)
    expected = np.random.random()
    np.random.seed(123)
    data.moons(50, seed=1)
    data.spiral(50, seed=None)
    assert np.random.random() == expected


def test_circles_without_noise_lie_on_their_radii():
    X, y = data.circles(200, noise=0.0, seed=0, factor=0.3)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)


def test_moons_without_noise_lie_on_two_half_circles():
    X, y = data.moons(100, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert upper[:, 1].min() >= -1e-12 and lower[:, 1].max() <= 0.5 + 1e-12


def test_xor_cloud_without_noise_sits_on_the_corners_with_xor_labels():
    X, y = data.xor_cloud(40, noise=0.0, seed=0)
    assert set(map(tuple, X)) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))


def test_gaussians_without_noise_sit_on_distinct_centres():
    X, y = data.gaussians(30, classes=3, noise=0.0, seed=0)
    for label in range(3):
        assert len(np.unique(X[y == label], axis=0)) == 1
    assert len(np.unique(X, axis=0)) == 3
    np.testing.assert_allclose(np.hypot(*X.T), 2.0)


def test_spiral_without_noise_has_radii_from_0_1_to_1_per_arm():
    X, y = data.spiral(90, classes=3, noise=0.0, seed=0)
    for label in range(3):
        radius = np.sort(np.hypot(*X[y == label].T))
        np.testing.assert_allclose(radius, np.linspace(0.1, 1.0, 30))


@pytest.mark.parametrize("call, match", [
    (lambda: data.moons(0), "n must be at least 1"),
    (lambda: data.moons(10, noise=-0.1), "noise"),
    (lambda: data.moons(10, noise=float("nan")), "noise"),
    (lambda: data.spiral(2, classes=3), "n must be at least classes=3"),
    (lambda: data.spiral(10, classes=1), "classes must be at least 2"),
    (lambda: data.gaussians(10, classes=1), "classes"),
    (lambda: data.circles(10, factor=1.5), "factor"),
    (lambda: data.xor_cloud(1), "n must be at least classes=2"),
])
def test_generators_reject_bad_values(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: data.moons(10.5), "n must be an int"),
    (lambda: data.moons(10, seed="0"), "seed"),
    (lambda: data.spiral(10, classes=2.0), "classes must be an int"),
    (lambda: data.circles(10, noise="a lot"), "noise"),
])
def test_generators_reject_bad_types(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_train_test_split_partitions_the_rows_and_stratifies():
    X, y = data.spiral(300, classes=3, seed=0)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.2, seed=1)
    assert X_train.shape == (240, 2) and X_test.shape == (60, 2)
    np.testing.assert_array_equal(np.bincount(y_test), [20, 20, 20])
    # every row lands in exactly one of the two sets, with its own label
    rows = np.concatenate([np.column_stack([X_train, y_train]), np.column_stack([X_test, y_test])])
    np.testing.assert_array_equal(np.sort(rows, axis=0), np.sort(np.column_stack([X, y]), axis=0))


def test_train_test_split_is_deterministic_and_shuffles():
    X, y = np.arange(40.0).reshape(20, 2), np.arange(20) % 2
    first = data.train_test_split(X, y, seed=5)
    second = data.train_test_split(X, y, seed=5)
    other = data.train_test_split(X, y, seed=6)
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])
    assert not np.array_equal(first[0][:, 0], np.sort(first[0][:, 0]))  # not in the original order


def test_train_test_split_accepts_one_hot_and_float_targets():
    X, y = data.gaussians(40, classes=4, seed=0)
    _, _, _, y_test = data.train_test_split(X, data.one_hot(y), test_fraction=0.5)
    np.testing.assert_array_equal(y_test.sum(axis=0), [5, 5, 5, 5])
    targets = np.linspace(0, 1, 40) + 0.001                    # regression targets: plain random split
    _, X_test, _, t_test = data.train_test_split(X, targets, test_fraction=0.25)
    assert len(t_test) == 10 and len(X_test) == 10


@pytest.mark.parametrize("targets", [
    np.arange(100_000, 104_000, 100),                                     # whole-pound prices, all different
    np.concatenate([np.arange(100_000, 100_030), np.repeat([7, 9], 5)]),  # and two values that repeat
    np.repeat(np.arange(20), 2).astype(float),                            # ages: each value twice
    np.concatenate([np.repeat(np.arange(18, 60), 7), np.arange(60, 78)]),   # ages, the old ones rare
])
def test_train_test_split_of_whole_number_regression_targets_is_a_plain_random_split(targets):
    # Stratified as if each value were a class, each kept round(0.25 * its count) = 0 test rows: the split
    # was refused as "empty", or its test set held only the values that repeat.
    X = np.arange(2.0 * len(targets)).reshape(-1, 2)
    _, X_test, _, t_test = data.train_test_split(X, targets, test_fraction=0.25, seed=0)
    assert len(t_test) == round(0.25 * len(targets)) and len(X_test) == len(t_test)
    counts = dict(zip(*np.unique(targets, return_counts=True), strict=True))
    assert any(counts[t] == 1 for t in t_test) or all(count > 1 for count in counts.values())
    assert len(np.unique(t_test)) > 2
    rare = [t for t, count in counts.items() if 0.25 * count < 1]
    assert np.isin(t_test, rare).any()   # the rare values are not all kept out of the test set


@pytest.mark.parametrize("fraction", [0, 1, -0.5, 1.5, "0.3"])
def test_train_test_split_rejects_fraction_outside_0_1(fraction):
    X, y = data.moons(20, seed=0)
    with pytest.raises(ValueError, match="test_fraction"):
        data.train_test_split(X, y, test_fraction=fraction)


def test_train_test_split_rejects_mismatched_lengths_and_empty_sets():
    X, y = data.moons(20, seed=0)
    with pytest.raises(ValueError, match="same number of rows"):
        data.train_test_split(X, y[:10])
    with pytest.raises(ValueError, match="empty test set"):
        data.train_test_split(X[:2], y[:2], test_fraction=0.1)


def test_one_hot_encodes_and_checks_labels():
    encoded = data.one_hot(np.array([2, 0, 1]), 4)
    np.testing.assert_array_equal(encoded, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]])
    assert data.one_hot(np.array([0, 2])).shape == (2, 3)
    with pytest.raises(ValueError, match=r"labels in \[0, 1\]"):
        data.one_hot(np.array([0, 2]), 2)
    with pytest.raises(ValueError, match="integer labels"):
        data.one_hot(np.array([0.5, 1.0]))


def test_load_digits_shapes_range_and_classes():
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype.kind == "i"
    assert X.min() == 0.0 and X.max() == 1.0
    np.testing.assert_array_equal(np.unique(X * 16), np.arange(17))   # pixel counts 0..16, nothing lost
    counts = np.bincount(y)
    assert len(counts) == 10 and counts.min() >= 170 and counts.max() <= 190


def test_load_digits_first_image_is_a_zero():
    X, y = data.load_digits()
    image = X[0].reshape(8, 8)
    assert y[0] == 0
    assert image[3:5, 3:5].max() < 0.25 < image[3:5, 1].max()   # dark hole in the middle, ink on the left


def test_load_digits_needs_no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("load_digits tried to open a network connection")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    X, y = data.load_digits()
    assert X.shape == (1797, 64) and y.shape == (1797,)


def test_generators_warn_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for make in GENERATORS.values():
            make(7, seed=0)


def test_negative_seed_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match="seed must be a non-negative int"):
        data.moons(10, seed=-1)


# sha256 (first 16 hex digits) of X.tobytes() + y.tobytes() with the default arguments and seed=0: the
# notebooks' stored outputs depend on these arrays, so any change to a generator's stream must be deliberate.
PINNED = {"xor_cloud": ("09ab0c5c4d70cea5", -0.0535669373161111),
          "moons": ("2725d5b35dc11d97", 0.9444197391557734),
          "circles": ("303b610c99bc0527", 0.9653312326564223),
          "spiral": ("9b003c333478f298", -0.11921626564991157),
          "gaussians": ("4722bad842efeaa6", 1.7321653134194446)}


@pytest.mark.parametrize("name", PINNED)
def test_generators_give_the_pinned_arrays_for_seed_0(name):
    import hashlib

    X, y = getattr(data, name)(seed=0)
    digest, first = PINNED[name]
    assert X[0, 0] == first
    assert hashlib.sha256(X.tobytes() + y.tobytes()).hexdigest()[:16] == digest


@pytest.mark.parametrize("call, fragment", [
    (lambda: data.gaussians(n=10**9), "n must be at most 10,000,000, got 1,000,000,000"),
    (lambda: data.moons(n=10**9), "n must be at most 10,000,000"),
    (lambda: data.xor_cloud(n=10**18), "n must be at most 10,000,000"),
    (lambda: data.circles(n=10**30), "n must be at most 10,000,000"),
    (lambda: data.spiral(n=data.MAX_SAMPLES + 1), "n must be at most 10,000,000"),
    (lambda: data.gaussians(n=10**9, classes=10**9), "classes must be at most 1,000"),
    (lambda: data.spiral(n=200, classes=10**6), "classes must be at most 1,000"),
], ids=["gaussians", "moons", "xor_cloud", "circles", "spiral", "gaussians_classes", "spiral_classes"])
def test_generators_refuse_sizes_above_the_caps_before_allocating(call, fragment):
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(ValueError) as raised:
        call()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert fragment in str(raised.value)
    assert peak < 1_000_000


@pytest.mark.parametrize("noise", [1e308, 10**400, np.float64(1e300), data.MAX_NOISE + 1, float("-inf")],
                         ids=["1e308", "10**400", "np.float64(1e300)", "MAX_NOISE+1", "-inf"])
@pytest.mark.parametrize("name", ["xor_cloud", "moons", "circles", "spiral", "gaussians"])
def test_generators_refuse_a_noise_that_would_make_X_infinite(name, noise):
    with pytest.raises(ValueError, match="noise must be a finite number from 0 to 100"):
        getattr(data, name)(50, noise=noise, seed=0)


@pytest.mark.parametrize("name", ["xor_cloud", "moons", "circles", "spiral", "gaussians"])
def test_generators_accept_the_largest_noise_and_numpy_numbers(name):
    X, _ = getattr(data, name)(np.int64(50), noise=data.MAX_NOISE, seed=0)
    assert np.isfinite(X).all()
    X1, y1 = getattr(data, name)(np.uint16(60), noise=np.float32(0.25), seed=1)
    X2, y2 = getattr(data, name)(60, noise=0.25, seed=1)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)


@pytest.mark.parametrize("labels, num_classes, fragment", [
    (np.array([10**12]), None, "y's largest label is 1000000000000"),
    ([0, 2**62], None, "one_hot makes at most 1,000 (nnlib.data.MAX_CLASSES)"),
    (np.array([2**63], dtype=np.uint64), None, "MAX_CLASSES"),
    ([0, 1], 10**12, "num_classes must be at most 1,000"),
    (np.zeros(200_000, dtype=np.int64), 1000, "200,000,000 values (1.6 GB)"),
], ids=["label_1e12", "label_2**62", "label_2**63_uint64", "num_classes_1e12", "result_too_big"])
def test_one_hot_refuses_huge_results_before_allocating(labels, num_classes, fragment):
    import tracemalloc

    tracemalloc.start()
    with pytest.raises(ValueError) as raised:
        data.one_hot(labels, num_classes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert fragment in str(raised.value)
    assert peak < 5_000_000        # at most a copy of the labels


@pytest.mark.parametrize("labels, error, fragment", [
    ([-1, 0, 1], ValueError, "y must hold labels 0, 1, 2, ..., got the negative label -1"),
    ([[0], [1, 2]], ValueError, "y must be a rectangular array of numbers"),
    ([0.0, 1.0], ValueError, "use y.astype(int)"),
    ([0, np.nan], ValueError, "integer labels"),
    (["cat", "dog"], TypeError, "y must hold numbers"),
    (None, TypeError, "y must hold numbers"),
    ([], ValueError, "non-empty 1-D array"),
])
def test_one_hot_refuses_labels_that_are_not_non_negative_integers(labels, error, fragment):
    with pytest.raises(error) as raised:
        data.one_hot(labels)
    assert fragment in str(raised.value)


def test_one_hot_accepts_lists_and_numpy_integers():
    np.testing.assert_array_equal(data.one_hot([1, 0], np.int64(3)), [[0, 1, 0], [1, 0, 0]])
    assert data.one_hot(np.array([3], dtype=np.uint8)).shape == (1, 4)
    assert data.one_hot(np.array([999])).shape == (1, 1000)        # the largest class count


@pytest.mark.parametrize("X, y, error, fragment", [
    ([[1, 2], [3]], [0, 1], ValueError, "X must be a rectangular array of numbers"),
    ([[1, 2], [3, 4]], [[0], [1, 1]], ValueError, "y must be a rectangular array of numbers"),
    (np.zeros((0, 2)), np.zeros(0), ValueError, "X and y have 0 sample(s): at least 2 are needed to split"),
    (np.zeros((1, 2)), np.zeros(1), ValueError, "at least 2 are needed to split"),
    (np.zeros((4, 2)), np.zeros(3), ValueError, "same number of rows, got X (4, 2) and y (3,)"),
    (np.full((4, 2), np.nan), np.zeros(4), ValueError, "X must be finite"),
    (np.zeros((4, 2)), [0, 1, np.inf, 0], ValueError, "y must be finite"),
    ([["a", "b"]] * 4, [0, 1, 0, 1], TypeError, "X must hold numbers"),
    (np.zeros((4, 2)), ["a", "b", "a", "b"], TypeError, "y must hold numbers"),
    (None, None, TypeError, "X must hold numbers"),
    (3.0, [1.0], ValueError, "X must be an array with one row per sample"),
    (np.zeros((4, 2)) + 1j, [0, 1, 0, 1], TypeError, "X must hold numbers, got an array of dtype complex128"),
])
def test_train_test_split_refuses_bad_data_with_clear_messages(X, y, error, fragment):
    with pytest.raises(error) as raised:
        data.train_test_split(X, y)
    assert fragment in str(raised.value)


@pytest.mark.parametrize("fraction, error", [
    (float("nan"), ValueError), (None, ValueError), (True, ValueError), (np.float64(1.5), ValueError)])
def test_train_test_split_rejects_other_bad_fractions(fraction, error):
    X, y = data.moons(20, seed=0)
    with pytest.raises(error, match="test_fraction must be a number strictly between 0 and 1"):
        data.train_test_split(X, y, test_fraction=fraction)


def test_train_test_split_keeps_dtypes_and_accepts_numpy_fractions_and_1d_X():
    X, y = data.spiral(40, classes=2, seed=0)
    expected = data.train_test_split(X, y, test_fraction=0.25, seed=2)
    for a, b in zip(expected, data.train_test_split(X.tolist(), y.tolist(), np.float32(0.25), seed=2),
                    strict=True):
        np.testing.assert_array_equal(a, b)
    X_train, X_test, _, _ = data.train_test_split(np.arange(40), y, seed=0)     # 1-D X: one feature
    assert X_train.dtype.kind == "i" and len(X_train) + len(X_test) == 40
    _, _, y_train, _ = data.train_test_split(X, y.astype(np.int32), seed=0)
    assert y_train.dtype == np.int32
