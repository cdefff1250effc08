"""Mistakes and correct variants for 04_training_on_xor (sgd_step, training_loop)."""

from mistakes import Mistake, Variant

NB = "04_training_on_xor"
STEP = "for name in params:\n        params[name] -= lr * grads[name]"
LOOP_BODY = ("        y_hat, cache = forward(X, params)          # 1. forward\n"
             "        losses.append(mse(y_hat, y))               # 2. loss of the current weights\n"
             "        grads = backward(X, y, params, cache)      # 3. backward: fresh gradients\n"
             "        for name in params:                        # 4. update, in place\n"
             "            params[name] -= lr * grads[name]\n")
LOOP_UPDATE = "            params[name] -= lr * grads[name]"

ENTRIES = [
    # sgd_step(params, grads, lr)
    Mistake(NB, "sgd_step", find=STEP,
            replace="for name in params:\n        params[name] += lr * grads[name]",
            description="plus instead of minus"),
    Mistake(NB, "sgd_step", find=STEP, replace="for name in params:\n        params[name] -= grads[name]",
            description="forgot the learning rate"),
    Mistake(NB, "sgd_step", find=STEP,
            replace="for name in params:\n        params[name] = params[name] - lr * grads[name]",
            description="new arrays instead of an in-place update"),
    Mistake(NB, "sgd_step", find=STEP,
            replace="for name in [\"W1\", \"W2\"]:\n        params[name] -= lr * grads[name]",
            description="forgot the biases"),
    Mistake(NB, "sgd_step", find=STEP,
            replace="params = {name: value - lr * grads[name] for name, value in params.items()}",
            description="updates a new dict, the caller's params unchanged"),
    Variant(NB, "sgd_step", find=STEP,
            replace="for name, value in params.items():\n        value -= lr * grads[name]",
            description="loop over items"),
    Variant(NB, "sgd_step", find=STEP,
            replace="for name in params:\n"
                    "        np.subtract(params[name], lr * grads[name], out=params[name])",
            description="np.subtract with out"),
    Variant(NB, "sgd_step", find=STEP,
            replace="for name in params:\n        params[name][...] = params[name] - lr * grads[name]",
            description="slice assignment"),
    # training_loop(X, y, params, lr, num_epochs)
    Mistake(NB, "training_loop", find="range(num_epochs)", replace="range(num_epochs - 1)",
            description="one epoch too few"),
    Mistake(NB, "training_loop", find="range(num_epochs)", replace="range(num_epochs + 1)",
            description="one epoch too many"),
    Mistake(NB, "training_loop", find="losses.append(mse(y_hat, y))", replace="loss = mse(y_hat, y)",
            description="loss not recorded"),
    Mistake(NB, "training_loop", find="losses.append(mse(y_hat, y))",
            replace="losses.append(float(np.sum((y_hat - y) ** 2)))", description="sum instead of mean"),
    Mistake(NB, "training_loop", find=LOOP_BODY,
            replace="        y_hat, cache = forward(X, params)\n"
                    "        grads = backward(X, y, params, cache)\n"
                    "        for name in params:\n            params[name] -= lr * grads[name]\n"
                    "        losses.append(mse(forward(X, params)[0], y))\n",
            description="loss recorded after the update"),
    Mistake(NB, "training_loop", find="grads = backward(X, y, params, cache)",
            replace="grads = grads if _ else backward(X, y, params, cache)",
            description="stale gradients from the first epoch reused"),
    Mistake(NB, "training_loop", find=LOOP_BODY,
            replace="        y_hat, cache = forward(X, params)\n        losses.append(mse(y_hat, y))\n"
                    "        if _:\n            for name in params:\n"
                    "                params[name] -= lr * grads[name]\n"
                    "        grads = backward(X, y, params, cache)\n",
            description="update with last epoch's gradients before computing this epoch's"),
    Mistake(NB, "training_loop", find=LOOP_UPDATE, replace="            params[name] += lr * grads[name]",
            description="plus instead of minus"),
    Mistake(NB, "training_loop", find="    return losses", replace="    return losses[-1:]",
            description="returns only the last loss"),
    Variant(NB, "training_loop", find="for _ in range(num_epochs):",
            replace="for epoch in range(num_epochs):", description="named loop variable"),
    Variant(NB, "training_loop", find="for name in params:                        # 4. update, in place\n"
            + LOOP_UPDATE, replace="nnlib.SGD(lr=lr).step(params, grads)", description="nnlib.SGD step"),
    Variant(NB, "training_loop", find="losses.append(mse(y_hat, y))",
            replace="losses.append(float(np.mean((y_hat - y) ** 2)))", description="loss written out"),
    # Contract, not example (issue 11): other lr, epochs and sizes, more layers, prints, sequencing.
    Mistake(NB, "sgd_step", find=STEP,
            replace='for name in ["W1", "b1", "W2", "b2"]:\n        params[name] -= lr * grads[name]',
            description="the four names of the 2-layer network hard-coded"),
    Mistake(NB, "sgd_step", find=STEP,
            replace="for name in params:\n        params[name] -= 0.5 * grads[name]",
            description="the learning rate of the example hard-coded"),
    Mistake(NB, "sgd_step", find=STEP,
            replace="for name in params:\n        grads[name] *= lr\n        params[name] -= grads[name]",
            description="scales the caller's gradients in place"),
    Variant(NB, "sgd_step", find=STEP,
            replace="for name, grad in grads.items():\n        print(name, grad.shape)\n"
                    "        params[name] -= lr * grad", description="loops over grads, with a print"),
    Mistake(NB, "training_loop", find="for _ in range(num_epochs):", replace="for _ in range(25):",
            description="the 25 epochs of the example hard-coded"),
    Mistake(NB, "training_loop", find=LOOP_UPDATE, replace="            params[name] -= 2.0 * grads[name]",
            description="the learning rate of the example hard-coded"),
    Variant(NB, "training_loop", find="losses.append(mse(y_hat, y))",
            replace="losses.append(mse(y_hat, y))\n        if _ % 10 == 0:\n            print(f'epoch "
                    "{_}: loss {losses[-1]:.4f}')",
            description="prints the loss every 10 epochs"),
    Variant(NB, "training_loop", find="for name in params:                        # 4. update, in place\n"
            + LOOP_UPDATE, replace="sgd_step(params, grads, lr)", description="calls the learner's sgd_step"),
    Variant(NB, "training_loop", find="    return losses", replace="    return np.array(losses)",
            description="returns the losses as an array"),
    # Found by an adversarial review: a loss that rises at times (lr = 10), where a loop that adapts shows.
    Mistake(NB, "training_loop", find="losses.append(mse(y_hat, y))",
            replace="losses.append(mse(y_hat, y))\n        if len(losses) > 1 and losses[-1] > losses[-2]:\n"
                    "            break", description="stops early when the loss rises"),
    Mistake(NB, "training_loop", find="losses.append(mse(y_hat, y))",
            replace="losses.append(mse(y_hat, y))\n        if losses[-1] < 1e-3:\n            break",
            description="stops early once the loss is small"),
    Mistake(NB, "training_loop", find="losses.append(mse(y_hat, y))",
            replace="losses.append(mse(y_hat, y))\n        if len(losses) > 1 and losses[-1] > losses[-2]:\n"
                    "            lr = lr / 2", description="halves the learning rate when the loss rises"),
]
