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
            "Z = [[0, 2000], [-1000, 1000]]": np.array([[0.0, 2000.0], [-1000.0, 1000.0]])}


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
                         mistakes={"softmax runs over each row (the classes of one sample), not down the "
                                   "columns": columns / columns.sum(axis=0, keepdims=True)})
    return "rows sum to 1 for 1 to 6 samples and 2 to 10 classes, also for logits of ±1000"


def gradient_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(717)
    return [("5 samples, 4 classes", rng.normal(size=(5, 4)), np.array([0, 3, 1, 1, 2])),
            ("4 samples, 5 classes, none of class 4", rng.normal(size=(4, 5)), np.array([0, 2, 2, 1])),
            ("1 sample, 3 classes", rng.normal(size=(1, 3)), np.array([1])),
            ("3 samples, 10 classes, logits of ±1000", rng.choice([-1000.0, 1000.0], size=(3, 10)),
             np.array([9, 0, 4]))]


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
        expect_array(got, (P - Y) / N, f"cross_entropy_gradient ({label})",
                     nan_hint="e^z overflows for logits this large: a softmax that subtracts each row's "
                              "largest logit first (nnlib.activations.softmax does) never does",
                     hint="the gradient is (P − Y) / N: P the softmax of each row, Y a row per sample with a "
                          "1 in the column of its label; the number of classes is the number of columns",
                     mistakes={"compare with one-hot rows Y (a 1 in the label's column), not with the label "
                               "numbers": (P - labels[:, None]) / N,
                               "the softmax runs over each row (axis=1), not down the columns":
                               (columns / columns.sum(axis=0, keepdims=True) - Y) / N,
                               "average over the batch: divide by N": P - Y,
                               "predicted minus true: P − Y, not Y − P": (Y - P) / N,
                               "Y[:, labels] = 1 fills whole columns; each row needs a single 1":
                               (P - whole_columns) / N})
    return "correct for 1 to 5 samples and 3 to 10 classes, with a missing class and with logits of ±1000"
