"""Mistakes and correct variants for 02_forward_pass (the forward pass of a 2-4-1 network)."""

from mistakes import Mistake, Variant

NB = "02_forward_pass"
LAYER1 = 'X @ params["W1"] + params["b1"]'
LAYER2 = 'A1 @ params["W2"] + params["b2"]'
LOOP = ('np.array([sigmoid(sigmoid(x @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"])\n'
        '                     for x in X])')

ENTRIES = [
    Mistake(NB, "forward", find=LAYER1, replace='X @ params["W1"]', description="missing bias b1"),
    Mistake(NB, "forward", find=LAYER2, replace='A1 @ params["W2"]', description="missing bias b2"),
    Mistake(NB, "forward", find="return sigmoid(Z2)", replace="return Z2",
            description="no activation on the output"),
    Mistake(NB, "forward", find="A1 = sigmoid(Z1)", replace="A1 = Z1", description="no hidden activation"),
    Mistake(NB, "forward", find=f"{LAYER1}    # (N, D) @ (D, H) + (H,) -> (N, H)\n    A1 = sigmoid(Z1)",
            replace='X @ params["W1"]\n    A1 = sigmoid(Z1) + params["b1"]',
            description="activation applied before adding the bias"),
    Mistake(NB, "forward", find='X @ params["W1"]', replace='X @ params["W1"].T',
            description="W1.T instead of W1"),
    Mistake(NB, "forward", find='A1 @ params["W2"]', replace='A1 @ params["W2"].T',
            description="W2.T instead of W2"),
    Mistake(NB, "forward", find='X @ params["W1"]', replace='X * params["W1"]',
            description="elementwise product instead of matrix product"),
    Mistake(NB, "forward", find='A1 @ params["W2"]', replace='X @ params["W2"]',
            description="second layer fed X instead of A1"),
    Mistake(NB, "forward", find="return sigmoid(Z2)", replace="sigmoid(Z2)", description="forgot return"),
    Variant(NB, "forward", find='X @ params["W1"]', replace='np.dot(X, params["W1"])', description="np.dot"),
    Variant(NB, "forward", find="return sigmoid(Z2)", replace=f"return {LOOP}",
            description="loop over samples"),
    Variant(NB, "forward", find=LAYER1, replace='(params["W1"].T @ X.T).T + params["b1"]',
            description="column convention, transposed back"),
    # Contract, not example (issue 11): other batch sizes, input sizes and output columns.
    Mistake(NB, "forward", find="return sigmoid(Z2)", replace="return np.array([sigmoid(Z2[n]) for n in "
                                                              "range(4)])",
            description="loops over the four XOR points only"),
    Mistake(NB, "forward", find="return sigmoid(Z2)", replace="return sigmoid(Z2).reshape(4, 1)",
            description="XOR shape hard-coded"),
    Mistake(NB, "forward", find="return sigmoid(Z2)", replace="return sigmoid(Z2)[:, :1]",
            description="keeps only the first output column"),
    Mistake(NB, "forward", find="return sigmoid(Z2)", replace="return sigmoid(Z2).ravel()",
            description="flattened output"),
    Variant(NB, "forward", find="return sigmoid(Z2)", replace="print(Z1.shape, Z2.shape)\n    return "
                                                              "sigmoid(Z2)",
            description="a shape print"),
    Variant(NB, "forward", find="A1 = sigmoid(Z1)", replace="A1 = nnlib.activations.sigmoid(Z1)",
            description="nnlib's sigmoid by its full name"),
]
