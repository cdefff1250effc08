"""Notebook 04, section 4: what its prose says about the three learning rates, re-derived with its own code.

The notebook trains one 2-4-1 sigmoid network (seed 0, MSE) on XOR for 2000 epochs with lr 0.1, 5 and 100.
"""

import numpy as np

import nnlib

X, y = nnlib.data.xor()


def trained(lr: float, epochs: int = 2000, **options) -> tuple[nnlib.MLP, nnlib.History]:
    model = nnlib.MLP([2, 4, 1], seed=0, **options)
    return model, nnlib.train(model, X, y, nnlib.SGD(lr=lr), epochs=epochs)


def test_too_large_a_rate_pins_every_output_at_once_and_never_learns_xor():
    for epochs in (1, 100, 200):                                              # "for hundreds of epochs"
        model, _ = trained(100.0, epochs=epochs)
        outputs = model.forward(X).ravel()
        assert np.all(np.minimum(outputs, 1 - outputs) < 0.01), epochs        # pinned at 0 or 1 ...
        assert len(set(np.round(outputs))) == 1, epochs                       # ... the same for every input
    assert np.all(trained(100.0, epochs=1)[0].forward(X) < 0.01)              # first: all 0
    model, history = trained(100.0)
    _, right_history = trained(5.0)
    assert np.any(np.round(model.forward(X).ravel()) != y)                    # still wrong after 2000 epochs
    assert history.loss[-1] > 100 * right_history.loss[-1]                    # far above lr = 5's
    assert np.all(np.isfinite(history.loss)) and history.stop_reason is None  # the loss cannot blow up


def test_the_right_rate_learns_xor_and_the_small_one_crawls():
    right, right_history = trained(5.0)
    _, small_history = trained(0.1)
    assert np.array_equal(right.predict(X), y) and right_history.loss[-1] < 0.01
    assert small_history.loss[-1] > 0.2                                       # still near where it started


def test_a_linear_output_diverges_and_train_says_so():
    _, history = trained(1.0, output_activation="identity", activation="tanh")
    assert history.stop_reason is not None and "diverged" in history.stop_reason
    _, calm = trained(0.1, output_activation="identity", activation="tanh")
    assert calm.stop_reason is None
