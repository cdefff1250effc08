"""Checks for notebook 07, the capstone: ``softmax`` and ``cross_entropy_gradient``."""

from __future__ import annotations

import numpy as np

from ._compare import expect_array, expect_unchanged
from ._core import Book, Learner

book = Book("07_capstone_digits")


def softmax_reference(Z: np.ndarray) -> np.ndarray:
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def softmax_cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(707)
    return {"Z of shape (3, 4)": np.array([[1.0, 2.0, 3.0, 0.5], [-2.0, 0.0, 2.0, 4.0], [0.0] * 4]),
            "Z of shape (1, 10)": rng.normal(size=(1, 10)),
            "Z of shape (6, 2)": rng.normal(0, 5, size=(6, 2)),
            "Z = [[0, 1000]]": np.array([[0.0, 1000.0]]),
            "Z = [[1000, 1001, 1002], [-1000, -999, -998]]":
                np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -999.0, -998.0]]),
            "Z = [[-800, -800]]": np.array([[-800.0, -800.0]]),
            "Z = [[0, 2000], [-1000, 1000]]": np.array([[0.0, 2000.0], [-1000.0, 1000.0]]),
            "the integers Z = [[1, 2, 3], [0, 0, 0]]": np.array([[1, 2, 3], [0, 0, 0]])}


def truncated(Z: np.ndarray, expected: np.ndarray) -> dict[str, np.ndarray]:
    """The known mistake of integer logits: the result stored in an array of Z's integer type."""
    if Z.dtype.kind not in "iu":
        return {}
    return {"the logits are integers, the probabilities fractions: an output array made like the input "
            "(np.zeros_like(Z), Z.copy()) keeps its integer type and cuts the values off": np.trunc(expected)}


@book.exercise(1, "softmax")
def softmax(learner: Learner) -> str:
    f = learner.function("softmax")
    for label, Z in softmax_cases().items():
        Z_given = Z.copy()
        got = f(Z_given)
        expect_unchanged(Z, Z_given, f"the input Z ({label})")
        with np.errstate(all="ignore"):
            columns = np.exp(Z - Z.max(axis=0, keepdims=True))
            expect_array(got, softmax_reference(Z), f"softmax({label})",
                         hint="each row holds one sample's probabilities: e^z of its entries, divided by "
                              "their sum over the row",
                         nan_hint="e^z overflows for large z: subtracting each row's largest logit changes "
                                  "nothing in the result, and keeps every exponent ≤ 0",
                         mistakes={**truncated(Z, softmax_reference(Z)),
                                   "softmax runs over each row (the classes of one sample), not down the "
                                   "columns": columns / columns.sum(axis=0, keepdims=True)})
    return "rows sum to 1 for 1 to 6 samples and 2 to 10 classes, also for logits of ±1000 and for integers"


def gradient_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(717)
    return [("5 samples, 4 classes", rng.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])),
            ("4 samples, 5 classes, none of class 4", rng.normal(size=(4, 5)), np.array([0, 2, 2, 1])),
            ("1 sample, 3 classes", rng.normal(size=(1, 3)), np.array([1])),
            ("3 samples, 10 classes, logits of ±1000", rng.choice([-1000.0, 1000.0], size=(3, 10)),
             np.array([9, 0, 4])),
            # Large logits a little apart: a softmax that clips the logits (to ±500, say) against overflow
            # loses their differences.
            ("1 sample, 2 classes, logits [[1000, 1001]]", np.array([[1000.0, 1001.0]]), np.array([0])),
            ("3 samples, 3 classes, logits from -1001 to 601",
             np.array([[-1000.0, -999.0, -1001.0], [600.0, 601.0, 590.0], [-60.0, 55.0, 60.0]]),
             np.array([1, 2, 0])),
            ("2 samples, 3 classes, integer logits", np.array([[1, 2, 0], [0, 0, 3]]), np.array([2, 0]))]


OVERFLOW_HINT = ("e^z overflows for logits this large: a softmax that subtracts each row's largest logit "
                 "first (nnlib.activations.softmax does) never does")
LARGE_LOGITS_HINT = ("for large logits only their differences within a row matter: subtract each row's "
                     "largest logit (nnlib.activations.softmax does); clipping the logits changes those "
                     "differences")
GRADIENT_HINT = ("the gradient is (P − Y) / N: P the softmax of each row, Y a row per sample with a 1 in the "
                 "column of its label; the number of classes is the number of columns")


@book.exercise(2, "cross_entropy_gradient")
def cross_entropy_gradient(learner: Learner) -> str:
    f = learner.function("cross_entropy_gradient")
    for label, Z, labels in gradient_cases():
        N, C = Z.shape
        P, Y = softmax_reference(Z), np.eye(C)[labels]
        Z_given, labels_given = Z.copy(), labels.copy()
        whole_columns = np.zeros((N, C))
        whole_columns[:, labels] = 1.0
        got = f(Z_given, labels_given)
        expect_unchanged(Z, Z_given, f"the logits ({label})")
        expect_unchanged(labels, labels_given, f"the labels ({label})")
        with np.errstate(all="ignore"):
            columns = np.exp(Z - Z.max(axis=0, keepdims=True))
        expect_array(got, (P - Y) / N, f"cross_entropy_gradient ({label})", nan_hint=OVERFLOW_HINT,
                     hint=LARGE_LOGITS_HINT if np.abs(Z).max() > 100 else GRADIENT_HINT,
                     mistakes={**truncated(Z, (P - Y) / N),
                               "compare with one-hot rows Y (a 1 in the label's column), not with the label "
                               "numbers": (P - labels[:, None]) / N,
                               "the softmax runs over each row (axis=1), not down the columns":
                               (columns / columns.sum(axis=0, keepdims=True) - Y) / N,
                               "average over the batch: divide by N": P - Y,
                               "predicted minus true: P − Y, not Y − P": (Y - P) / N,
                               "Y[:, labels] = 1 fills whole columns; each row needs a single 1":
                               (P - whole_columns) / N})
    return ("correct for 1 to 5 samples and 2 to 10 classes, with a missing class, with logits of ±1000 and "
            "large logits a little apart, and with integer logits")
