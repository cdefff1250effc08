"""SGD and Adam against values computed by hand (40 steps against PyTorch: test_pytorch_reference)."""

import numpy as np
import pytest

import nnlib


def run(optimizer, gradients, start=1.0):
    """Apply the optimiser to one parameter p = start with the given gradient values; returns p after each."""
    params = {"p": np.array([start])}
    seen = []
    for gradient in gradients:
        optimizer.step(params, {"p": np.array([gradient])})
        seen.append(params["p"][0])
    return seen


def test_sgd_plain_steps():
    # p = 1 - 0.1 * 0.5 = 0.95, then 0.95 - 0.1 * 0.5 = 0.9
    assert run(nnlib.SGD(lr=0.1), [0.5, 0.5]) == pytest.approx([0.95, 0.9], abs=1e-15)


def test_sgd_momentum_buffer_starts_as_first_gradient():
    # buffer 0.5 -> p 0.95; buffer 0.9*0.5 + 0.5 = 0.95 -> p 0.855; buffer 0.9*0.95 + 0.5 = 1.355 -> p 0.7195
    steps = run(nnlib.SGD(lr=0.1, momentum=0.9), [0.5, 0.5, 0.5])
    assert steps == pytest.approx([0.95, 0.855, 0.7195], abs=1e-15)


def test_sgd_weight_decay_adds_to_gradient():
    # g = 0.5 + 0.1 * 1 = 0.6 -> p 0.94; g = 0.5 + 0.1 * 0.94 = 0.594 -> p 0.8806
    assert run(nnlib.SGD(lr=0.1, weight_decay=0.1), [0.5, 0.5]) == pytest.approx([0.94, 0.8806], abs=1e-15)


def test_adam_constant_gradient_moves_by_lr():
    # m_hat = 0.5 and v_hat = 0.25 at every step, so each step is 0.1 * 0.5 / (0.5 + 1e-8) = 0.099999998
    assert run(nnlib.Adam(lr=0.1), [0.5, 0.5]) == pytest.approx([0.900000002, 0.800000004], abs=1e-15)


def test_adam_bias_correction_with_sign_change():
    # step 1: m = 0.1, v = 0.001 -> m_hat = 1, v_hat = 1 -> p = 1 - 0.1 / (1 + 1e-8) = 0.900000001
    # step 2: m = 0.09 - 0.1 = -0.01 -> m_hat = -0.01 / 0.19 = -0.0526315789...; v = 0.001999 -> v_hat = 1
    #         p = 0.900000001 + 0.1 * 0.0526315789 / (1 + 1e-8) = 0.9052631589...
    first, second = run(nnlib.Adam(lr=0.1), [1.0, -1.0])
    assert first == pytest.approx(0.900000001, abs=1e-15)
    assert second == pytest.approx(0.900000001 + 0.1 * (0.01 / 0.19) / (1 + 1e-8), abs=1e-15)
    assert second == pytest.approx(0.905263158, abs=1e-9)


def test_step_updates_arrays_in_place_and_keeps_state_per_name():
    params = {"W1": np.ones((2, 2)), "b1": np.zeros(2)}
    W1 = params["W1"]
    optimizer = nnlib.SGD(lr=0.5, momentum=0.5)
    optimizer.step(params, {"W1": np.ones((2, 2)), "b1": np.ones(2)})
    assert params["W1"] is W1 and np.allclose(W1, 0.5) and set(optimizer.buffers) == {"W1", "b1"}


def test_step_does_not_change_the_gradients():
    grads = {"p": np.array([0.5])}
    nnlib.Adam(lr=0.1, weight_decay=0.1).step({"p": np.array([1.0])}, grads)
    assert grads["p"][0] == 0.5


@pytest.mark.parametrize("make, argument", [
    (lambda: nnlib.SGD(lr=0), "lr"), (lambda: nnlib.SGD(lr=-1), "lr"),
    (lambda: nnlib.SGD(lr=0.1, momentum=1.0), "momentum"),
    (lambda: nnlib.SGD(lr=0.1, momentum=-0.1), "momentum"),
    (lambda: nnlib.SGD(lr=0.1, weight_decay=-1), "weight_decay"), (lambda: nnlib.Adam(lr=0), "lr"),
    (lambda: nnlib.Adam(betas=(1.0, 0.999)), "betas[0]"), (lambda: nnlib.Adam(betas=(0.9, -0.1)), "betas[1]"),
    (lambda: nnlib.Adam(eps=0.0), "eps"), (lambda: nnlib.Adam(weight_decay=-0.5), "weight_decay"),
])
def test_bad_hyperparameters_raise_naming_the_argument(make, argument):
    with pytest.raises(ValueError, match=rf"^{argument.replace('[', '.').replace(']', '.')} must be in"):
        make()


def test_bad_types_and_mismatched_dicts_raise():
    with pytest.raises(TypeError, match="lr must be a real number, got 'fast'"):
        nnlib.SGD(lr="fast")
    with pytest.raises(TypeError, match="betas must be a pair"):
        nnlib.Adam(betas=0.9)
    with pytest.raises(ValueError, match="same keys"):
        nnlib.SGD(lr=0.1).step({"W1": np.ones(2)}, {"W2": np.ones(2)})
    with pytest.raises(ValueError, match=r"grads\['W1'\] has shape \(3,\)"):
        nnlib.Adam().step({"W1": np.ones(2)}, {"W1": np.ones(3)})
