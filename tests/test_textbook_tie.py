"""The notebooks' hand-written functions and nnlib compute the same numbers.

Each function below is copied from a notebook (formula for formula, not imported: the notebooks are not a
package); each test runs it beside nnlib's version on the same data. When a notebook changes a formula,
change it here too -- and if the two then disagree, either the notebook or nnlib teaches something else.
"""

import numpy as np
import pytest

import nnlib
from nnlib.activations import sigmoid

RTOL = 1e-12  # the same formulas, possibly in another order of floating-point operations


def close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=1e-15)


# --- notebook 03: forward, mse, bce, backward (2-4-1 sigmoid network, mean-convention MSE) ---------------

def forward(X, params):
    Z1 = X @ params["W1"] + params["b1"]    # (N, 2) @ (2, 4) + (4,) -> (N, 4)
    A1 = sigmoid(Z1)                        # (N, 4)
    Z2 = A1 @ params["W2"] + params["b2"]   # (N, 4) @ (4, 1) + (1,) -> (N, 1)
    y_hat = sigmoid(Z2)                     # (N, 1)
    return y_hat, {"Z1": Z1, "A1": A1, "Z2": Z2, "y_hat": y_hat}


def mse(y_hat, y):
    return float(np.mean((y_hat - y) ** 2))


def bce(y_hat, y):
    return float(-np.mean(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat)))


def backward(X, y, params, cache):
    N = X.shape[0]
    y_hat, A1 = cache["y_hat"], cache["A1"]
    dZ2 = (2 / N) * (y_hat - y) * y_hat * (1 - y_hat)    # (N, 1)
    dW2 = A1.T @ dZ2                                     # (4, N) @ (N, 1) -> (4, 1)
    db2 = dZ2.sum(axis=0)                                # (1,)
    dA1 = dZ2 @ params["W2"].T                           # (N, 1) @ (1, 4) -> (N, 4)
    dZ1 = dA1 * A1 * (1 - A1)                            # (N, 4)
    dW1 = X.T @ dZ1                                      # (2, N) @ (N, 4) -> (2, 4)
    db1 = dZ1.sum(axis=0)                                # (4,)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def xor_cloud():
    X, y = nnlib.data.xor_cloud(40, noise=0.2, seed=3)
    return X, y.reshape(-1, 1).astype(float)


@pytest.mark.parametrize("seed", range(5))
def test_notebook_03_forward_and_backward_equal_nnlib(seed):
    X, y = xor_cloud()
    net = nnlib.MLP([2, 4, 1], activation="sigmoid", output_activation="sigmoid", loss="mse", seed=seed)
    net.params["b1"] += np.random.default_rng(seed).normal(size=4)  # non-zero biases, so db is a real test
    y_hat, cache = forward(X, net.params)
    close(net.forward(X), y_hat)
    close(net.layer_outputs(X)[0], cache["A1"])
    loss, grads = net.loss_and_grads(X, y)
    close(loss, mse(y_hat, y))
    for name, grad in backward(X, y, net.params, cache).items():
        close(grads[name], grad)


def test_notebook_03_losses_equal_nnlib():
    rng = np.random.default_rng(0)
    y_hat, y = rng.uniform(0.05, 0.95, (8, 1)), rng.integers(0, 2, (8, 1)).astype(float)
    close(nnlib.losses.mse(y_hat, y), mse(y_hat, y))
    close(nnlib.losses.bce(y_hat, y), bce(y_hat, y))


# --- notebook 04: sgd_step and training_loop, against nnlib.train with nnlib.SGD ------------------------

def sgd_step(params, grads, lr):
    for name in params:
        params[name] -= lr * grads[name]


def training_loop(X, y, params, lr, num_epochs):
    losses = []
    for _ in range(num_epochs):
        y_hat, cache = forward(X, params)          # 1. forward
        losses.append(mse(y_hat, y))               # 2. loss of the current weights
        grads = backward(X, y, params, cache)      # 3. backward: fresh gradients
        sgd_step(params, grads, lr)                # 4. update, in place
    return losses


def test_notebook_04_training_loop_equals_nnlib_train():
    X, y = nnlib.data.xor()
    y = y.reshape(-1, 1).astype(float)
    net = nnlib.MLP([2, 4, 1], seed=5)
    params = {name: value.copy() for name, value in net.params.items()}
    losses = training_loop(X, y, params, lr=2.0, num_epochs=200)
    history = nnlib.train(net, X, y, nnlib.SGD(lr=2.0), epochs=200)
    close(history.loss, losses)
    for name, value in params.items():
        close(net.params[name], value)
    assert losses[-1] < 0.5 * losses[0]  # it did train


def test_notebook_04_sgd_step_equals_nnlib_sgd():
    rng = np.random.default_rng(4)
    params = {"W1": rng.normal(size=(2, 3)), "b1": rng.normal(size=3)}
    grads = {name: rng.normal(size=value.shape) for name, value in params.items()}
    expected = {name: value.copy() for name, value in params.items()}
    sgd_step(expected, grads, 0.5)
    nnlib.SGD(lr=0.5).step(params, grads)
    for name in params:
        np.testing.assert_array_equal(params[name], expected[name])


# --- notebook 06: momentum_step and adam_step, against nnlib.SGD(momentum) and nnlib.Adam ----------------

def momentum_step(params, grads, velocity, lr, momentum):
    for name in params:
        if name not in velocity:
            velocity[name] = grads[name].copy()
        else:
            velocity[name] *= momentum
            velocity[name] += grads[name]
        params[name] -= lr * velocity[name]


def adam_state(params):
    return {"t": 0,
            "m": {name: np.zeros_like(param) for name, param in params.items()},
            "v": {name: np.zeros_like(param) for name, param in params.items()}}


def adam_step(params, grads, state, lr, betas, eps):
    beta1, beta2 = betas
    state["t"] += 1
    t = state["t"]
    for name in params:
        g = grads[name]
        state["m"][name] = beta1 * state["m"][name] + (1 - beta1) * g
        state["v"][name] = beta2 * state["v"][name] + (1 - beta2) * g**2
        m_hat = state["m"][name] / (1 - beta1**t)
        v_hat = state["v"][name] / (1 - beta2**t)
        params[name] -= lr * m_hat / (np.sqrt(v_hat) + eps)


def trajectories(notebook_step, optimizer, num_steps=30):
    """The parameters after every step of a small network trained by both (same gradients each step)."""
    X, y = xor_cloud()
    net = nnlib.MLP([2, 5, 1], activation="tanh", loss="bce", seed=2)
    params = {name: value.copy() for name, value in net.params.items()}
    for _ in range(num_steps):
        _, grads = net.loss_and_grads(X, y)
        notebook_step(params, {name: grads[name].copy() for name in grads})  # on the same gradients
        optimizer.step(net.params, grads)
        for name in params:
            close(net.params[name], params[name])
            net.params[name][...] = params[name]  # no drift (in place: the optimiser's own arrays)
    return params


def test_notebook_06_momentum_step_equals_nnlib_sgd_with_momentum():
    velocity = {}
    trajectories(lambda params, grads: momentum_step(params, grads, velocity, 0.1, 0.9),
                 nnlib.SGD(lr=0.1, momentum=0.9))


def test_notebook_06_adam_step_equals_nnlib_adam():
    state = None

    def step(params, grads):
        nonlocal state
        state = adam_state(params) if state is None else state
        adam_step(params, grads, state, lr=0.05, betas=(0.9, 0.999), eps=1e-8)
    trajectories(step, nnlib.Adam(lr=0.05, betas=(0.9, 0.999), eps=1e-8))


# --- notebook 07: softmax and the gradient of softmax + cross-entropy -------------------------------------

def softmax(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))    # (N, C), entries in (0, 1]
    return E / E.sum(axis=1, keepdims=True)         # (N, C) / (N, 1)


def cross_entropy_gradient(logits, labels):
    N, C = logits.shape
    P = softmax(logits)                             # (N, C)
    Y = np.zeros((N, C))
    Y[np.arange(N), labels] = 1.0                   # one-hot: row i has a 1 in column labels[i]
    return (P - Y) / N


def test_notebook_07_softmax_and_cross_entropy_gradient_equal_nnlib():
    rng = np.random.default_rng(7)
    Z, labels = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, 6)
    Z[1] += 1000.0  # huge logits: both subtract the row maximum
    close(nnlib.activations.softmax(Z), softmax(Z))
    close(nnlib.losses.cross_entropy_gradient(Z, labels), cross_entropy_gradient(Z, labels))
    close(nnlib.losses.cross_entropy(Z, labels), -np.mean(np.log(softmax(Z)[np.arange(6), labels])))


def test_notebook_07_output_gradient_is_the_one_the_network_backpropagates():
    # dW2 = A1.T @ dZ2 with dZ2 = cross_entropy_gradient(Z2, labels): the network's backward pass from there.
    X, labels = nnlib.data.spiral(30, classes=3, noise=0.1, seed=1)
    net = nnlib.MLP([2, 6, 3], activation="relu", output_activation="softmax", loss="cross_entropy", seed=1)
    A1 = np.maximum(X @ net.params["W1"] + net.params["b1"], 0.0)
    Z2 = A1 @ net.params["W2"] + net.params["b2"]
    dZ2 = cross_entropy_gradient(Z2, labels)
    _, grads = net.loss_and_grads(X, labels)
    close(grads["W2"], A1.T @ dZ2)
    close(grads["b2"], dZ2.sum(axis=0))
    close(grads["W1"], X.T @ ((dZ2 @ net.params["W2"].T) * (A1 > 0)))
