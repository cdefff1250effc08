"""Mistakes and correct variants for 03_loss_and_backpropagation (mse, bce, backward, numeric_gradient)."""

from mistakes import Mistake, Variant

NB = "03_loss_and_backpropagation"
MSE = "np.mean((y_hat - y) ** 2)"
BCE_TERMS = "y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)"
DZ2 = "(2 / N) * (y_hat - y) * y_hat * (1 - y_hat)"
DZ1 = "dZ1 = dA1 * A1 * (1 - A1)"
EVALUATIONS = ("        x[index] = old_value + h\n        f_plus = f(x)\n        x[index] = old_value - h\n"
               "        f_minus = f(x)\n")
RESTORE = "        x[index] = old_value                  # restore before moving to the next entry\n"
DIFFERENCE = "grad[index] = (f_plus - f_minus) / (2 * h)"

ENTRIES = [
    # mse(y_hat, y)
    Mistake(NB, "mse", find=MSE, replace="np.sum((y_hat - y) ** 2)", description="sum instead of mean"),
    Mistake(NB, "mse", find=MSE, replace="0.5 * np.mean((y_hat - y) ** 2)", description="extra one half"),
    Mistake(NB, "mse", find=MSE, replace="np.mean(y_hat - y)", description="forgot to square"),
    Mistake(NB, "mse", find=MSE, replace="np.mean(np.abs(y_hat - y))", description="mean absolute error"),
    Mistake(NB, "mse", find=MSE, replace="np.sqrt(np.mean((y_hat - y) ** 2))",
            description="root of the mean"),
    Variant(NB, "mse", find=MSE, replace="np.mean(np.square(y - y_hat))", description="np.square, swapped"),
    Variant(NB, "mse", find=MSE, replace="((y_hat - y) ** 2).sum() / y.size", description="sum over size"),
    # bce(y_hat, y)
    Mistake(NB, "bce", find="float(-np.mean(", replace="float(np.mean(", description="missing minus sign"),
    Mistake(NB, "bce", find="float(-np.mean(", replace="float(-np.sum(", description="sum instead of mean"),
    Mistake(NB, "bce", find=BCE_TERMS, replace="y * np.log(y_hat)", description="only the y = 1 term"),
    Mistake(NB, "bce", find=BCE_TERMS, replace="y * np.log10(y_hat) + (1 - y) * np.log10(1 - y_hat)",
            description="log10 instead of natural log"),
    Mistake(NB, "bce", find=BCE_TERMS, replace="y * np.log(y_hat) + (1 - y) * np.log(y_hat)",
            description="log(y_hat) in the second term"),
    Variant(NB, "bce", find=f"float(-np.mean({BCE_TERMS}))",
            replace="np.where(y == 1, -np.log(y_hat), -np.log(1 - y_hat)).mean()", description="np.where"),
    Variant(NB, "bce", find=BCE_TERMS, replace="y * np.log(y_hat) + (1 - y) * np.log1p(-y_hat)",
            description="log1p"),
    # backward(X, y, params, cache): each gradient checked separately
    Mistake(NB, "backward", find="(2 / N) * (y_hat - y)", replace="(2 / N) * (y - y_hat)",
            description="sign error in dZ2"),
    Mistake(NB, "backward", find="(2 / N) * (y_hat", replace="2 * (y_hat", description="no division by N"),
    Mistake(NB, "backward", find="(2 / N) * (y_hat", replace="(1 / N) * (y_hat",
            description="half-MSE gradient against the stated mean convention"),
    Mistake(NB, "backward", find=DZ2, replace="(y_hat - y) * y_hat * (1 - y_hat)",
            description="tutorial convention: half and summed"),
    Mistake(NB, "backward", find=DZ2, replace="(2 / N) * (y_hat - y)",
            description="forgot the output sigmoid slope"),
    Mistake(NB, "backward", find="dW2 = A1.T @ dZ2", replace="dW2 = dZ2.T @ A1",
            description="dW2 transposed"),
    Mistake(NB, "backward", find="db2 = dZ2.sum(axis=0)", replace="db2 = dZ2.sum(axis=1)",
            description="db2 summed over the wrong axis"),
    Mistake(NB, "backward", find="dA1 = dZ2 @ params[\"W2\"].T", replace="dA1 = dZ2 @ params[\"W2\"]",
            description="missing transpose of W2"),
    Mistake(NB, "backward", find=DZ1, replace="dZ1 = dA1 * sigmoid_derivative(A1)",
            description="sigmoid derivative evaluated at A1"),
    Mistake(NB, "backward", find=DZ1, replace="dZ1 = dA1 * cache[\"Z1\"] * (1 - cache[\"Z1\"])",
            description="a(1 - a) formula applied to Z1"),
    Mistake(NB, "backward", find="dW1 = X.T @ dZ1", replace="dW1 = X.T @ dA1",
            description="dW1 without the hidden sigmoid slope"),
    Mistake(NB, "backward", find="db1 = dZ1.sum(axis=0)", replace="db1 = dZ1.sum(axis=1)",
            description="db1 summed over the wrong axis"),
    Mistake(NB, "backward", find="db1 = dZ1.sum(axis=0)", replace="db1 = dZ1.mean(axis=0)",
            description="db1 averaged instead of summed"),
    Mistake(NB, "backward", find="\"b1\": db1, ", replace="", description="forgotten bias gradient"),
    Mistake(NB, "backward", find="\"b2\": db2", replace="\"b2\": np.zeros(1)",
            description="bias gradient zero"),
    Variant(NB, "backward", find=DZ1, replace="dZ1 = dA1 * sigmoid_derivative(cache[\"Z1\"])",
            description="sigmoid_derivative of Z1"),
    Variant(NB, "backward", find="dW2 = A1.T @ dZ2", replace="dW2 = np.dot(A1.T, dZ2)", description="np.dot"),
    Variant(NB, "backward", find="db2 = dZ2.sum(axis=0)", replace="db2 = np.sum(dZ2, axis=0)",
            description="np.sum"),
    Variant(NB, "backward", find="N = X.shape[0]", replace="N = len(y)", description="N from y"),
    # numeric_gradient(f, x, h)
    Mistake(NB, "numeric_gradient", find=EVALUATIONS + RESTORE + "        " + DIFFERENCE,
            replace="        x[index] = old_value + h\n        f_plus = f(x)\n        x[index] = old_value\n"
                    "        grad[index] = (f_plus - f(x)) / h",
            description="one-sided difference"),
    Mistake(NB, "numeric_gradient", find="/ (2 * h)", replace="/ h", description="divided by h, not 2h"),
    Mistake(NB, "numeric_gradient", find="(f_plus - f_minus)", replace="(f_minus - f_plus)",
            description="difference the wrong way round"),
    Mistake(NB, "numeric_gradient", find=RESTORE, replace="", description="x not restored"),
    Mistake(NB, "numeric_gradient", find=EVALUATIONS,
            replace="        x_plus = x\n        x_plus[index] += h\n        f_plus = f(x_plus)\n"
                    "        x_minus = x\n        x_minus[index] -= h\n        f_minus = f(x_minus)\n",
            description="aliasing: x_plus and x_minus are x itself"),
    Mistake(NB, "numeric_gradient", find="for index in np.ndindex(x.shape):",
            replace="for index in range(len(x)):", description="loops over rows only"),
    Variant(NB, "numeric_gradient", find=EVALUATIONS,
            replace="        x_plus, x_minus = x.copy(), x.copy()\n        x_plus[index] += h\n"
                    "        x_minus[index] -= h\n        f_plus, f_minus = f(x_plus), f(x_minus)\n",
            description="perturbed copies"),
    Variant(NB, "numeric_gradient", find="for index in np.ndindex(x.shape):",
            replace="for index in zip(*np.unravel_index(np.arange(x.size), x.shape)):",
            description="flat positions unravelled"),
    # Contract, not example (issue 11): several output columns, other batch sizes, h honoured, prints.
    Mistake(NB, "mse", find=MSE, replace="np.sum((y_hat - y) ** 2) / len(y)",
            description="divides by N instead of N times C"),
    Mistake(NB, "mse", find="float(np.mean((y_hat - y) ** 2))", replace="np.mean((y_hat - y) ** 2, axis=0)",
            description="a mean per column instead of one number"),
    Variant(NB, "mse", find="return float(np.mean((y_hat - y) ** 2))",
            replace="print('mse', np.mean((y_hat - y) ** 2))\n    return float(np.mean((y_hat - y) ** 2))",
            description="a debug print"),
    Variant(NB, "mse", find="float(np.mean((y_hat - y) ** 2))", replace="np.mean((y_hat - y) ** 2)",
            description="a NumPy float instead of a Python float"),
    Mistake(NB, "bce", find="float(-np.mean(", replace="float(-1 / len(y) * np.sum(",
            description="divides by N instead of N times C"),
    Mistake(NB, "bce", find=BCE_TERMS, replace="y_hat * np.log(y) + (1 - y_hat) * np.log(1 - y)",
            description="y and y_hat swapped"),
    Mistake(NB, "backward", find="dW2 = A1.T @ dZ2",
            replace="dW2 = sum(np.outer(A1[n], dZ2[n]) for n in range(4))",
            description="sums the outer products of the four XOR samples only"),
    Mistake(NB, "backward", find="N = X.shape[0]", replace="N = 4", description="batch size hard-coded"),
    Mistake(NB, "backward", find='y_hat, A1 = cache["y_hat"], cache["A1"]', replace='A1 = cache["A1"]',
            description="the notebook's global y_hat instead of the cache's"),
    Variant(NB, "backward", find="N = X.shape[0]", replace="N = X.shape[0]\n    print(X.shape, y.shape)",
            description="a leftover shape print"),
    Variant(NB, "numeric_gradient", find=EVALUATIONS + RESTORE,
            replace="        x[index] += h\n        f_plus = f(x)\n        x[index] -= 2 * h\n        "
                    "f_minus = f(x)\n"
                    "        x[index] += h\n", description="+h, -2h, +h leaves x off by rounding only"),
    Mistake(NB, "numeric_gradient", find="grad = np.zeros_like(x)", replace="h = 1e-5\n    grad = "
                                                                            "np.zeros_like(x)",
            description="ignores the h it is given"),
    Mistake(NB, "numeric_gradient", find=RESTORE, replace="", description="never restores x"),
    Mistake(NB, "numeric_gradient", find="for index in np.ndindex(x.shape):", replace="for index in "
                                                                                      "range(len(x)):",
            description="loops over the first axis only"),
    # Found by attacking the checks: losses that change the caller's predictions.
    Mistake(NB, "mse", find="return float(np.mean((y_hat - y) ** 2))",
            replace="y_hat -= y\n    y_hat **= 2\n    return float(y_hat.mean())",
            description="squares the caller's y_hat in place"),
    Mistake(NB, "bce", find=f"return float(-np.mean({BCE_TERMS}))",
            replace="log_p = np.log(y_hat, out=y_hat)\n"
                    "    return float(-np.mean(y * log_p + (1 - y) * np.log(1 - np.exp(log_p))))",
            description="takes the log of the caller's y_hat in place"),
    # Found by an adversarial review: ŷ near 0 and 1, where a clip or an epsilon changes the loss.
    Mistake(NB, "bce", find=BCE_TERMS,
            replace="y * np.log(np.clip(y_hat, 0.01, 0.99)) "
                    "+ (1 - y) * np.log(1 - np.clip(y_hat, 0.01, 0.99))",
            description="y_hat clipped to [0.01, 0.99]"),
    Variant(NB, "bce", find=BCE_TERMS,
            replace="y * np.log(y_hat + 1e-7) + (1 - y) * np.log(1 - y_hat + 1e-7)",
            description="an epsilon of 1e-7 inside the logs"),
    Variant(NB, "bce", find=BCE_TERMS,
            replace="y * np.log(np.clip(y_hat, 1e-7, 1 - 1e-7)) "
                    "+ (1 - y) * np.log(np.clip(1 - y_hat, 1e-7, 1))",
            description="y_hat clipped to [1e-7, 1 - 1e-7] as Keras does"),
]
