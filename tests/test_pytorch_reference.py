"""nnlib against PyTorch autograd (float64): forward, loss, every gradient, 40 optimiser steps, to 1e-8.

The answers come from tests/reference/pytorch_reference.npz, made by tests/reference/make_reference.py with
torch (never nnlib), so these tests run without torch; regenerate them where torch is installed.
"""

from pathlib import Path

import numpy as np
import pytest
from reporting import report

import nnlib
from nnlib.losses import bce, bce_gradient

REFERENCE = np.load(Path(__file__).parent / "reference" / "pytorch_reference.npz")
CASES = sorted({key.split("/")[1] for key in REFERENCE.files if key.startswith("net/")})
TOLERANCE = 1e-8
worst_seen = {"value": 0.0}  # largest relative error, printed by the last test for the note


def rel_error(a, b) -> float:
    """nnlib.rel_error (CS231n's), remembering the largest error seen for the report."""
    error = nnlib.rel_error(a, b)
    worst_seen["value"] = max(worst_seen["value"], error)
    return error


def build(case: str):
    ref = {key.split("/")[2]: REFERENCE[key] for key in REFERENCE.files if key.startswith(f"net/{case}/")}
    _, hidden, output, loss = case.split("_", 3)
    net = nnlib.MLP(list(ref["sizes"]), activation=hidden, output_activation=output, loss=loss, seed=0)
    for name in net.params:
        net.params[name][...] = ref[name]
    return net, ref


def test_reference_covers_every_combination_at_depths_1_to_3():
    assert len(CASES) == 6 + 2 * 4 * 6  # depth 1: 6 output/loss pairs; depths 2, 3: x 4 hidden activations
    assert {case[:2] for case in CASES} == {"d1", "d2", "d3"}


@pytest.mark.parametrize("case", CASES)
def test_forward_loss_and_grads_match_pytorch(case):
    net, ref = build(case)
    assert rel_error(net.forward(ref["X"]), ref["forward"]) < TOLERANCE
    loss, grads = net.loss_and_grads(ref["X"], ref["y"])
    assert rel_error(np.array(loss), ref["loss"]) < TOLERANCE
    for name in net.params:
        assert rel_error(grads[name], ref["d" + name]) < TOLERANCE, name


@pytest.mark.parametrize("case", [case for case in CASES if case.endswith("cross_entropy")])
def test_cross_entropy_one_hot_labels_match_integer_labels_reference(case):
    net, ref = build(case)
    one_hot = np.eye(net.layer_sizes[-1])[ref["y"]]
    loss, grads = net.loss_and_grads(ref["X"], one_hot)
    assert rel_error(np.array(loss), ref["loss"]) < TOLERANCE
    assert rel_error(grads["W1"], ref["dW1"]) < TOLERANCE


OPTIMISERS = {
    "sgd": lambda: nnlib.SGD(lr=0.1),
    "sgd_momentum": lambda: nnlib.SGD(lr=0.1, momentum=0.9),
    "sgd_momentum_wd": lambda: nnlib.SGD(lr=0.05, momentum=0.8, weight_decay=0.1),
    "adam": lambda: nnlib.Adam(lr=0.05),
    "adam_wd": lambda: nnlib.Adam(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
}


@pytest.mark.parametrize("label", OPTIMISERS)
def test_forty_optimiser_steps_match_pytorch(label):
    params = {name: REFERENCE[f"opt/start_{name}"].copy() for name in ("W", "b")}
    optimizer = OPTIMISERS[label]()
    for step in range(40):
        grads = {n: REFERENCE[f"opt/K_{n}"] * (p - REFERENCE[f"opt/T_{n}"]) for n, p in params.items()}
        optimizer.step(params, grads)
        for name, param in params.items():
            assert rel_error(param, REFERENCE[f"opt/{label}/{name}"][step]) < TOLERANCE, (step, name)


def test_bce_matches_pytorch_clamp_at_zero_and_one():
    y_hat, y = REFERENCE["bce_edge/y_hat"], REFERENCE["bce_edge/y"]
    assert rel_error(np.array(bce(y_hat, y)), REFERENCE["bce_edge/loss"]) < TOLERANCE
    assert rel_error(bce_gradient(y_hat, y), REFERENCE["bce_edge/grad"]) < TOLERANCE


def test_zz_report_largest_error():
    # pytest runs a file's tests in the order they are written (and --dist loadscope keeps a file on one
    # worker), so this last test sees the errors of all the others.
    report("gradients", f"largest relative error against PyTorch: {worst_seen['value']:.2e}")
    assert worst_seen["value"] < TOLERANCE
