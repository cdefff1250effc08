"""Optimisers SGD (with momentum) and Adam, with the update rules of torch.optim.SGD and torch.optim.Adam.

``opt.step(params, grads)`` changes the arrays in ``params`` in place. The maths is written for the vector θ
of all parameters at once (see parameters.py): an nnlib.MLP keeps its parameters and gradients in one flat
vector each, so a step is a few NumPy calls whatever the number of layers. The optimiser's state (momentum
buffer, Adam's moment estimates) has the names and shapes of the parameters, so one optimiser belongs to one
network.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_number
from .parameters import Parameters, copy_back, flatten, layout_of, packed_alike


def _check_step_args(params: dict, grads: dict) -> None:
    """Same keys, and every gradient has the shape of its parameter (checked before anything changes)."""
    if not isinstance(params, dict) or not isinstance(grads, dict) or params.keys() != grads.keys():
        keys = [sorted(getattr(d, "keys", list)()) for d in (params, grads)]
        raise ValueError(f"params and grads must be dicts with the same keys, got {keys[0]} and {keys[1]}")
    for name, param in params.items():
        if param.shape != getattr(grads[name], "shape", None):
            raise ValueError(f"grads[{name!r}] has shape {np.shape(grads[name])} but params[{name!r}] has "
                             f"shape {param.shape}")


def _state_for(state: Parameters | None, params: dict) -> Parameters:
    """The optimiser state (zeros at the first step) for params, refusing parameters of another network."""
    if state is None:
        return Parameters.zeros(layout_of(params))
    if state.layout != layout_of(params):
        raise ValueError(f"this optimiser has been stepping parameters {dict(state.layout)}, now it got "
                         f"{dict(layout_of(params))}: use one optimiser per network")
    return state


def _vectors(params: dict, grads: dict) -> tuple[np.ndarray, np.ndarray]:
    """θ and ∇θ (P,): the network's own vectors when it packed them alike (no copy), else checked copies."""
    if packed_alike(params, grads):
        return params.vector, grads.vector
    _check_step_args(params, grads)
    return flatten(params, params), flatten(grads, params)


class SGD:
    """Stochastic gradient descent: θ <- θ - lr * g, optionally with momentum and L2 weight decay.

    With weight decay g = ∇θ + weight_decay * θ. With momentum the buffer starts as the first g and then
    becomes buffer = momentum * buffer + g (PyTorch's rule, dampening 0); the step uses the buffer.
    ``buffers`` holds the momentum buffer with the names and shapes of the parameters (None before a step).
    """

    def __init__(self, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        self.lr = check_number("lr", lr, 0.0)
        self.momentum = check_number("momentum", momentum, 0.0, 1.0, low_inclusive=True)
        self.weight_decay = check_number("weight_decay", weight_decay, 0.0, low_inclusive=True)
        self.buffers: Parameters | None = None

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in params (in place) using grads (same keys and shapes)."""
        theta, gradient = _vectors(params, grads)
        if self.weight_decay:
            gradient = gradient + self.weight_decay * theta  # a new array: grads stay as they were
        if self.momentum:
            gradient = self._momentum(params, gradient)
        theta -= self.lr * gradient
        copy_back(theta, params)

    def _momentum(self, params: dict, gradient: np.ndarray) -> np.ndarray:
        first_step = self.buffers is None
        self.buffers = _state_for(self.buffers, params)
        buffer = self.buffers.vector
        if first_step:  # the buffer starts as the gradient itself
            buffer[...] = gradient
        else:
            buffer *= self.momentum
            buffer += gradient
        return buffer


class Adam:
    """Adam: per-parameter steps from running averages of the gradient (m) and of its square (v).

    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g**2;  with bias corrections after t steps
    θ <- θ - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps), as torch.optim.Adam computes it.
    weight_decay adds weight_decay * θ to g (L2, as torch.optim.Adam; not AdamW). ``m`` and ``v`` have the
    names and shapes of the parameters (None before the first step).
    """

    def __init__(self, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        self.lr = check_number("lr", lr, 0.0)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2) such as (0.9, 0.999), got {betas!r}")
        self.betas = (check_number("betas[0]", betas[0], 0.0, 1.0, low_inclusive=True),
                      check_number("betas[1]", betas[1], 0.0, 1.0, low_inclusive=True))
        self.eps = check_number("eps", eps, 0.0)
        self.weight_decay = check_number("weight_decay", weight_decay, 0.0, low_inclusive=True)
        self.t = 0  # steps taken
        self.m: Parameters | None = None
        self.v: Parameters | None = None

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in params (in place) using grads (same keys and shapes)."""
        theta, gradient = _vectors(params, grads)
        self.m, self.v = _state_for(self.m, params), _state_for(self.v, params)
        m, v, (beta1, beta2) = self.m.vector, self.v.vector, self.betas
        if self.weight_decay:
            gradient = gradient + self.weight_decay * theta
        self.t += 1
        m *= beta1
        m += (1.0 - beta1) * gradient
        v *= beta2
        v += (1.0 - beta2) * gradient * gradient
        step_size = self.lr / (1.0 - beta1**self.t)
        theta -= step_size * m / (np.sqrt(v) / np.sqrt(1.0 - beta2**self.t) + self.eps)
        copy_back(theta, params)
