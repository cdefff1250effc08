"""Optimisers SGD (with momentum) and Adam, with the update rules of torch.optim.SGD and torch.optim.Adam.

``opt.step(params, grads)`` changes the arrays in ``params`` in place. The optimiser's state (momentum
buffers, Adam's moment estimates) is keyed by parameter name, so one optimiser belongs to one network.
"""

from __future__ import annotations

import numpy as np

from ._checks import check_number


def _check_step_args(params: dict, grads: dict) -> None:
    """Same keys, and every gradient has the shape of its parameter (checked before anything changes)."""
    if not isinstance(params, dict) or not isinstance(grads, dict) or params.keys() != grads.keys():
        keys = [sorted(getattr(d, "keys", list)()) for d in (params, grads)]
        raise ValueError(f"params and grads must be dicts with the same keys, got {keys[0]} and {keys[1]}")
    for name, param in params.items():
        if param.shape != getattr(grads[name], "shape", None):
            raise ValueError(f"grads[{name!r}] has shape {np.shape(grads[name])} but params[{name!r}] has "
                             f"shape {param.shape}")


class SGD:
    """Stochastic gradient descent: W <- W - lr * g, optionally with momentum and L2 weight decay.

    With weight decay g = dW + weight_decay * W. With momentum the buffer starts as the first g and then
    becomes buffer = momentum * buffer + g (PyTorch's rule, dampening 0); the step uses the buffer.
    """

    def __init__(self, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        self.lr = check_number("lr", lr, 0.0)
        self.momentum = check_number("momentum", momentum, 0.0, 1.0, low_inclusive=True)
        self.weight_decay = check_number("weight_decay", weight_decay, 0.0, low_inclusive=True)
        self.buffers: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in params (in place) using grads (same keys and shapes)."""
        _check_step_args(params, grads)
        if not self.momentum and not self.weight_decay:  # plain SGD, the common case: nothing else to do
            for name, param in params.items():
                param -= self.lr * grads[name]
            return
        for name, param in params.items():
            grad = grads[name]
            if self.weight_decay:
                grad = grad + self.weight_decay * param
            if self.momentum:
                grad = self._momentum(name, grad)
            param -= self.lr * grad

    def _momentum(self, name: str, grad: np.ndarray) -> np.ndarray:
        buffer = self.buffers.get(name)
        if buffer is None:  # the first step: the buffer is the gradient itself
            buffer = self.buffers[name] = grad.copy()
        else:
            buffer *= self.momentum
            buffer += grad
        return buffer


class Adam:
    """Adam: per-parameter steps from running averages of the gradient (m) and of its square (v).

    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g**2;  with bias corrections after t steps
    W <- W - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps), as torch.optim.Adam computes it.
    weight_decay adds weight_decay * W to g (L2, as torch.optim.Adam; not AdamW).
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
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in params (in place) using grads (same keys and shapes)."""
        _check_step_args(params, grads)
        beta1, beta2 = self.betas
        self.t += 1
        step_size = self.lr / (1.0 - beta1**self.t)
        sqrt_correction2 = np.sqrt(1.0 - beta2**self.t)
        for name, param in params.items():
            grad = grads[name]
            if self.weight_decay:
                grad = grad + self.weight_decay * param
            m = self.m.setdefault(name, np.zeros_like(param))
            v = self.v.setdefault(name, np.zeros_like(param))
            m *= beta1
            m += (1.0 - beta1) * grad
            v *= beta2
            v += (1.0 - beta2) * grad * grad
            param -= step_size * m / (np.sqrt(v) / sqrt_correction2 + self.eps)
