"""Mistakes and correct variants for 08_making_it_fast (a forward pass into buffers, the fused output
gradient, parameters in float32)."""

from mistakes import Mistake, Variant

NB = "08_making_it_fast"
MATMUL1 = 'np.matmul(X, params["W1"], out=A1)'
BIAS1 = 'A1 += params["b1"]'
SIGMOID1 = "sigmoid_into(A1, out=A1)"
LAYER1 = (MATMUL1 + "       # A1 holds Z1 = X @ W1 ...\n    "
          + BIAS1 + "                       # ... + b1, (N, H)\n    " + SIGMOID1)
MATMUL2 = 'np.matmul(A1, params["W2"], out=y_hat)'
LAYER2 = (MATMUL2 + '   # y_hat holds Z2, (N, 1)\n    y_hat += params["b2"]\n'
          "    sigmoid_into(y_hat, out=y_hat)")
RETURN = "return A1, y_hat"
FUSED = "return (y_hat - y.reshape(y_hat.shape)) / N"
COUNT = "N = y_hat.shape[0]"
CONVERT = "value.astype(np.float32)"
DICT = "return {name: value.astype(np.float32) for name, value in params.items()}"

ENTRIES = [
    # forward_into
    Mistake(NB, "forward_into", find=LAYER1, replace='A1 = sigmoid(X @ params["W1"] + params["b1"])',
            description="rebinds A1 to a new array"),
    Mistake(NB, "forward_into", find=BIAS1, replace='A1 = A1 + params["b1"]',
            description="A1 = A1 + b1 makes a new array"),
    Mistake(NB, "forward_into", find=MATMUL2, replace='y_hat = A1 @ params["W2"]',
            description="rebinds y_hat to a new array"),
    Mistake(NB, "forward_into", find=RETURN, replace="return A1.copy(), y_hat.copy()",
            description="returns copies, not the buffers"),
    Mistake(NB, "forward_into", find=RETURN, replace="return buffers", description="returns the dict"),
    Mistake(NB, "forward_into", find=RETURN, replace="return y_hat, A1", description="returns them swapped"),
    Mistake(NB, "forward_into", find=BIAS1, replace="pass", description="first bias forgotten"),
    Mistake(NB, "forward_into", find='y_hat += params["b2"]', replace="pass",
            description="second bias forgotten"),
    Mistake(NB, "forward_into", find="sigmoid_into(y_hat, out=y_hat)", replace="pass",
            description="no sigmoid on the output"),
    Mistake(NB, "forward_into", find=LAYER1,
            replace=f"{MATMUL1}\n    {SIGMOID1}\n    {BIAS1}", description="bias added after the sigmoid"),
    Mistake(NB, "forward_into", find=MATMUL1, replace='A1 += X @ params["W1"]',
            description="accumulates into the buffer's old contents"),
    Mistake(NB, "forward_into", find=MATMUL2, replace='np.matmul(X, params["W1"] @ params["W2"], out=y_hat)',
            description="skips the hidden activation"),
    # forward_into: correct variants
    Variant(NB, "forward_into", find=LAYER1, replace='A1[:] = sigmoid(X @ params["W1"] + params["b1"])',
            description="slice assignment from the notebook's sigmoid"),
    Variant(NB, "forward_into", find=LAYER2,
            replace='np.copyto(y_hat, 1.0 / (1.0 + np.exp(-(A1 @ params["W2"] + params["b2"]))))',
            description="np.copyto"),
    Variant(NB, "forward_into", find=BIAS1, replace='np.add(A1, params["b1"], out=A1)',
            description="np.add with out="),
    Variant(NB, "forward_into", find=MATMUL1, replace='A1[...] = X @ params["W1"]',
            description="ellipsis assignment of the product"),
    Variant(NB, "forward_into", find=RETURN, replace="print(A1.shape, y_hat.shape)\n    return A1, y_hat",
            description="a shape print"),
    # fused_output_gradient
    Mistake(NB, "fused_output_gradient", find=FUSED, replace="return (y_hat - y) / N",
            description="flat labels broadcast to (N, N)"),
    Mistake(NB, "fused_output_gradient", find=FUSED, replace="return (y_hat - y.ravel()) / N",
            description="labels flattened"),
    Mistake(NB, "fused_output_gradient", find=FUSED, replace="return (y_hat - y[:, None]) / N",
            description="adds an axis even to (N, 1) labels"),
    Mistake(NB, "fused_output_gradient", find=FUSED, replace="return y_hat - y.reshape(y_hat.shape)",
            description="no 1/N"),
    Mistake(NB, "fused_output_gradient", find=FUSED, replace="return (y.reshape(y_hat.shape) - y_hat) / N",
            description="sign flipped"),
    Mistake(NB, "fused_output_gradient", find=FUSED,
            replace="return (y_hat - y.reshape(y_hat.shape)) * y_hat * (1 - y_hat) / N",
            description="keeps the sigmoid's derivative"),
    Mistake(NB, "fused_output_gradient", find=FUSED,
            replace="dA2 = (y_hat - y.reshape(y_hat.shape)) / (y_hat * (1 - y_hat)) / N\n"
                    "    return dA2 * y_hat * (1 - y_hat)", description="chain rule (nan when saturated)"),
    Mistake(NB, "fused_output_gradient", find=FUSED,
            replace="y_hat -= y.reshape(y_hat.shape)\n    y_hat /= N\n    return y_hat",
            description="changes y_hat in place"),
    Mistake(NB, "fused_output_gradient", find=COUNT, replace="N = 4", description="N = 4 hard-coded (XOR)"),
    Mistake(NB, "fused_output_gradient", find=COUNT, replace="N = y_hat.shape[1]",
            description="divides by the number of outputs"),
    # fused_output_gradient: correct variants
    Variant(NB, "fused_output_gradient", find="y.reshape(y_hat.shape)", replace="y.reshape(-1, 1)",
            description="reshape(-1, 1)"),
    Variant(NB, "fused_output_gradient", find=COUNT, replace="N = y.size", description="N from y.size"),
    Variant(NB, "fused_output_gradient", find=FUSED,
            replace="return np.subtract(y_hat, np.reshape(y, (N, 1))) * (1.0 / N)",
            description="np.subtract, times 1/N"),
    Variant(NB, "fused_output_gradient", find=FUSED,
            replace="dZ2 = y_hat - y.reshape(y_hat.shape)\n    dZ2 /= N\n    return dZ2",
            description="in place on its own new array"),
    Variant(NB, "fused_output_gradient", find=FUSED,
            replace="print(y_hat.shape, y.shape)\n    return (y_hat - y.reshape(y_hat.shape)) / N",
            description="a shape print"),
    # to_float32
    Mistake(NB, "to_float32", find=CONVERT, replace="value.astype(np.float16)", description="float16"),
    Mistake(NB, "to_float32", find=CONVERT, replace="value.copy()", description="copies, still float64"),
    Mistake(NB, "to_float32", find=CONVERT, replace="value.view(np.float32)",
            description="a view reinterprets the bytes"),
    Mistake(NB, "to_float32", find=DICT,
            replace="for name in params:\n        params[name] = params[name].astype(np.float32)\n"
                    "    return params", description="converts the caller's dict in place"),
    Mistake(NB, "to_float32", find=DICT,
            replace="converted = {name: value.astype(np.float32) for name, value in params.items()}\n"
                    "    params.update(converted)\n    return converted",
            description="also overwrites the caller's dict"),
    Mistake(NB, "to_float32", find=DICT,
            replace='return {name: params[name].astype(np.float32) for name in ["W1", "b1", "W2", "b2"]}',
            description="keys of a 2-layer network hard-coded"),
    Mistake(NB, "to_float32", find=DICT,
            replace="return [value.astype(np.float32) for value in params.values()]",
            description="returns a list"),
    # to_float32: correct variants
    Variant(NB, "to_float32", find=CONVERT, replace="np.float32(value)", description="np.float32(value)"),
    Variant(NB, "to_float32", find=CONVERT, replace='np.asarray(value, dtype="float32")',
            description="np.asarray with a dtype string"),
    Variant(NB, "to_float32", find=CONVERT, replace="value.astype(np.single, copy=False)",
            description="np.single, copy=False"),
    Variant(NB, "to_float32", find=DICT,
            replace="result = dict(params)\n    for name in result:\n"
                    "        result[name] = result[name].astype(np.float32)\n    return result",
            description="a copied dict, updated"),
    Variant(NB, "to_float32", find=DICT,
            replace="print(sorted(params))\n    " + DICT, description="a debug print"),
]
