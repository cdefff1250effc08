"""Build tests/reference/pytorch_reference.npz: PyTorch's answers that nnlib must reproduce to 1e-8.

Uses torch and NumPy only (never nnlib), so the reference is independent of the code it checks. PyTorch is a
yardstick, not a dependency: the .npz is committed and the tests read it without torch. Re-create with
    /work/torchvenv/bin/python tests/reference/make_reference.py
Everything is float64 and deterministic (NumPy Generator with fixed seeds).
"""

from pathlib import Path

import numpy as np
import torch

HIDDEN = ("sigmoid", "tanh", "relu", "identity")
HEADS = (("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"), ("identity", "mse"),
         ("sigmoid", "bce"), ("softmax", "cross_entropy"))
N_SAMPLES, N_FEATURES, N_HIDDEN = 5, 3, 4
ACTIVATION = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "identity": lambda z: z}
LOSS = {"mse": torch.nn.MSELoss(), "bce": torch.nn.BCELoss(), "cross_entropy": torch.nn.CrossEntropyLoss()}


def targets(rng, loss, n_out):
    if loss == "cross_entropy":
        return rng.integers(0, n_out, N_SAMPLES)  # integer labels (N,)
    if loss == "bce":
        return rng.integers(0, 2, (N_SAMPLES, n_out)).astype(float)
    return rng.standard_normal((N_SAMPLES, n_out))


def network_case(out, depth, hidden, output, loss, seed):
    rng = np.random.default_rng(seed)
    n_out = {"cross_entropy": 3, "bce": 1}.get(loss, 2)
    sizes = [N_FEATURES] + [N_HIDDEN] * (depth - 1) + [n_out]
    X = rng.standard_normal((N_SAMPLES, N_FEATURES))
    y = targets(rng, loss, n_out)
    params = {}
    for k in range(1, depth + 1):
        params[f"W{k}"] = rng.standard_normal((sizes[k - 1], sizes[k])) * 0.8
        params[f"b{k}"] = rng.standard_normal(sizes[k]) * 0.3
    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in params.items()}
    A = torch.tensor(X)
    for k in range(1, depth + 1):
        Z = A @ tensors[f"W{k}"] + tensors[f"b{k}"]
        A = ACTIVATION[hidden](Z) if k < depth else Z
    outputs = torch.softmax(A, dim=1) if output == "softmax" else ACTIVATION[output](A)
    value = LOSS[loss](A if loss == "cross_entropy" else outputs, torch.tensor(y))  # CE takes the logits
    value.backward()
    key = f"net/d{depth}_{hidden}_{output}_{loss}/"
    out.update({key + "X": X, key + "y": y, key + "sizes": np.array(sizes),
                key + "forward": outputs.detach().numpy(), key + "loss": np.array(value.item())})
    for name, tensor in tensors.items():
        out[key + name] = params[name]
        out[key + "d" + name] = tensor.grad.numpy()


def optimiser_cases(out):
    """40 steps on the quadratic 0.5 * sum(K * (p - T)**2), whose gradient K * (p - T) nnlib computes too."""
    rng = np.random.default_rng(7)
    start = {"W": rng.standard_normal((3, 2)), "b": rng.standard_normal(2)}
    K = {name: rng.uniform(0.5, 2.0, value.shape) for name, value in start.items()}
    T = {name: rng.standard_normal(value.shape) for name, value in start.items()}
    configs = {"sgd": (torch.optim.SGD, dict(lr=0.1)),
               "sgd_momentum": (torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
               "sgd_momentum_wd": (torch.optim.SGD, dict(lr=0.05, momentum=0.8, weight_decay=0.1)),
               "adam": (torch.optim.Adam, dict(lr=0.05)),
               "adam_wd": (torch.optim.Adam, dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1))}
    for name in start:
        out[f"opt/start_{name}"], out[f"opt/K_{name}"], out[f"opt/T_{name}"] = start[name], K[name], T[name]
    for label, (cls, kwargs) in configs.items():
        tensors = {name: torch.tensor(value, requires_grad=True) for name, value in start.items()}
        optimizer = cls(list(tensors.values()), **kwargs)
        for step in range(40):
            optimizer.zero_grad()
            loss = sum((0.5 * torch.tensor(K[n]) * (t - torch.tensor(T[n])) ** 2).sum()
                       for n, t in tensors.items())
            loss.backward()
            optimizer.step()
            for name, tensor in tensors.items():
                trajectory = out.setdefault(f"opt/{label}/{name}", np.zeros((40,) + start[name].shape))
                trajectory[step] = tensor.detach()


def loss_edge_cases(out):
    """bce at y_hat exactly 0 and 1 (PyTorch clamps the logs at -100), and its gradient."""
    y_hat = torch.tensor([[0.0], [1.0], [0.3], [1e-50], [0.999]], requires_grad=True)
    y = torch.tensor([[0.0], [1.0], [1.0], [1.0], [0.0]])
    value = torch.nn.BCELoss()(y_hat, y)
    value.backward()
    out.update({"bce_edge/y_hat": y_hat.detach().numpy(), "bce_edge/y": y.numpy(),
                "bce_edge/loss": np.array(value.item()), "bce_edge/grad": y_hat.grad.numpy()})


def main():
    torch.set_default_dtype(torch.float64)
    out, seed = {}, 0
    for depth in (1, 2, 3):
        for hidden in HIDDEN if depth > 1 else ("sigmoid",):  # depth 1 has no hidden layer
            for output, loss in HEADS:
                network_case(out, depth, hidden, output, loss, seed)
                seed += 1
    optimiser_cases(out)
    loss_edge_cases(out)
    out["torch_version"] = np.array(torch.__version__)
    path = Path(__file__).with_name("pytorch_reference.npz")
    np.savez_compressed(path, **out)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB, {len(out)} arrays)")


if __name__ == "__main__":
    main()
