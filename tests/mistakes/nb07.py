"""Mistakes and correct variants for 07_capstone_digits (softmax, the cross-entropy gradient)."""

from mistakes import Mistake, Variant

NB = "07_capstone_digits"
MAX = "Z.max(axis=1, keepdims=True)"
SUM = "E.sum(axis=1, keepdims=True)"
BOTH = ("E = np.exp(Z - Z.max(axis=1, keepdims=True))    # (N, C), entries in (0, 1]\n"
        "    return E / E.sum(axis=1, keepdims=True)")
ONE_HOT = "Y[np.arange(N), labels] = 1.0"
RESULT = "return (P - Y) / N"

ENTRIES = [
    # softmax
    Mistake(NB, "softmax", find=f"np.exp(Z - {MAX})", replace="np.exp(Z)",
            description="no max subtraction (overflows on large logits)"),
    Mistake(NB, "softmax", find=BOTH, replace=BOTH.replace("axis=1", "axis=0"), description="wrong axis"),
    Mistake(NB, "softmax", find=MAX, replace="Z.max(axis=1)", description="max without keepdims"),
    Mistake(NB, "softmax", find=SUM, replace="E.sum(axis=1)", description="sum without keepdims"),
    Mistake(NB, "softmax", find=MAX, replace="Z.max()", description="global max instead of row max"),
    Mistake(NB, "softmax", find=SUM, replace="E.sum()", description="divides by the sum of all entries"),
    # cross_entropy_gradient
    Mistake(NB, "cross_entropy_gradient", find=RESULT, replace="return P - Y", description="forgot /N"),
    Mistake(NB, "cross_entropy_gradient", find=RESULT, replace="return (Y - P) / N",
            description="sign flipped"),
    Mistake(NB, "cross_entropy_gradient", find=RESULT, replace="return (P - labels[:, None]) / N",
            description="labels not one-hot"),
    Mistake(NB, "cross_entropy_gradient", find="nnlib.activations.softmax(logits)",
            replace="nnlib.activations.softmax(logits.T).T", description="softmax over the wrong axis"),
    Mistake(NB, "cross_entropy_gradient", find=ONE_HOT, replace="Y[:, labels] = 1.0",
            description="one-hot built by columns"),
    Mistake(NB, "cross_entropy_gradient", find=RESULT, replace="return (P - Y) / C",
            description="divides by the number of classes"),
    # correct variants
    Variant(NB, "softmax", find=MAX, replace="Z.max(axis=1)[:, None]",
            description="indexing instead of keepdims"),
    Variant(NB, "softmax", find=MAX, replace="np.max(Z, axis=-1, keepdims=True)",
            description="np.max, axis=-1"),
    Variant(NB, "softmax", find=f"return E / {SUM}", replace="return E / np.sum(E, axis=1).reshape(-1, 1)",
            description="reshape"),
    Variant(NB, "cross_entropy_gradient", find=ONE_HOT, replace="Y = np.eye(C)[labels]",
            description="one-hot from the identity matrix"),
    Variant(NB, "cross_entropy_gradient", find=RESULT, replace="return (P - Y) * (1.0 / N)",
            description="multiply by 1/N"),
    # Contract, not example (issue 11): logits far apart, unchanged inputs, a missing class.
    Mistake(NB, "softmax", find=MAX, replace="Z.min(axis=1, keepdims=True)", description="subtracts the "
                                                                                         "row minimum"),
    Mistake(NB, "softmax", find=BOTH, replace="Z -= Z.max(axis=1, keepdims=True)\n    E = np.exp(Z)\n"
            "    return E / E.sum(axis=1, keepdims=True)", description="shifts the caller's Z in place"),
    Variant(NB, "softmax", find=BOTH, replace="E = np.exp(Z - np.max(Z, axis=1, keepdims=True))\n"
            "    print(E.shape)\n    return E / E.sum(axis=1, keepdims=True)", description="a shape print"),
    Mistake(NB, "cross_entropy_gradient", find="Y = np.zeros((N, C))", replace="Y = np.zeros((N, "
                                                                               "labels.max() + 1))",
            description="number of classes taken from the labels"),
    Mistake(NB, "cross_entropy_gradient", find="Y = np.zeros((N, C))\n    " + ONE_HOT,
            replace="Y = np.eye(labels.max() + 1)[labels]", description="np.eye sized by the largest label"),
    Mistake(NB, "cross_entropy_gradient", find="Y = np.zeros((N, C))", replace="Y = np.zeros((N, 10))",
            description="ten classes hard-coded"),
    Variant(NB, "cross_entropy_gradient", find="Y = np.zeros((N, C))\n    " + ONE_HOT,
            replace="Y = np.eye(C)[labels]", description="rows of the identity"),
    # Found by attacking the checks: shifts that are not the row maximum, a softmax that overflows.
    Mistake(NB, "softmax", find=MAX, replace="Z.mean(axis=1, keepdims=True)",
            description="subtracts the row mean"),
    Mistake(NB, "cross_entropy_gradient", find="nnlib.activations.softmax(logits)",
            replace="np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)",
            description="a softmax without the max subtraction"),
    # Found by an adversarial review: integer logits, large logits a little apart.
    Mistake(NB, "softmax", find=BOTH,
            replace="out = np.zeros_like(Z)\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
                    "    out[...] = E / E.sum(axis=1, keepdims=True)\n    return out",
            description="output array made with zeros_like truncates integer logits"),
    Variant(NB, "softmax", find=BOTH,
            replace="out = np.empty(Z.shape)\n    E = np.exp(Z - Z.max(axis=1, keepdims=True))\n"
                    "    out[:] = E / E.sum(axis=1, keepdims=True)\n    return out",
            description="a float output array filled in"),
    Mistake(NB, "cross_entropy_gradient", find="nnlib.activations.softmax(logits)",
            replace="np.exp(np.clip(logits, -500, 500)) "
                    "/ np.exp(np.clip(logits, -500, 500)).sum(axis=1, keepdims=True)",
            description="an inline softmax that clips the logits to 500 against overflow"),
    Variant(NB, "cross_entropy_gradient", find="nnlib.activations.softmax(logits)",
            replace="np.exp(logits - logits.max(axis=1, keepdims=True)) "
                    "/ np.exp(logits - logits.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)",
            description="an inline softmax with the max subtraction"),
    Mistake(NB, "cross_entropy_gradient", find=RESULT,
            replace="dZ = np.zeros_like(logits)\n    dZ[...] = (P - Y) / N\n    return dZ",
            description="output array made with zeros_like truncates integer logits"),
]
