"""Optimisers SGD (with momentum) and Adam, with the update rules of torch.optim.SGD and torch.optim.Adam.

``opt.step(params, grads)`` changes the arrays in ``params`` in place, one parameter W at a time, with the
formulas of notebooks 04 and 06. The optimiser's state (momentum buffers, Adam's averages m and v) is a
dict with the names and shapes of the parameters; it belongs to the very arrays it stepped, so one optimiser
belongs to one network (as in PyTorch, where an optimiser is made for a model's parameters). Each step gives
the state fresh arrays instead of changing the old ones: ``nnlib.train`` relies on this to undo a step that
the kernel's stop button interrupted half-way.
"""

from __future__ import annotations

import operator

import numpy as np

from ._checks import as_float_array, check_finite, check_number


class GradientError(ValueError):
    """A step refused gradients that have blown up: NaN or inf, or (Adam) too large to square. Nothing was
    changed. ``nnlib.train`` stops on it and says why in ``history.warnings``; called by hand, it is a
    ValueError like any other refusal."""


def check_step(params: dict, grads: dict, state: dict | None, stepped: dict[str, np.ndarray]
               ) -> dict[str, np.ndarray]:
    """Check everything before a step changes anything; returns the gradients as float64 arrays.

    params: dict of float arrays (updated in place, so integer arrays are refused); grads: the same keys and
    shapes, finite (else GradientError); state: the optimiser's dict of arrays from earlier steps (None
    before the first); stepped: the parameter arrays that state belongs to (the params of the last step).
    """
    if not isinstance(params, dict) or not isinstance(grads, dict) or params.keys() != grads.keys():
        keys = [sorted(getattr(d, "keys", list)()) for d in (params, grads)]
        raise ValueError(f"params and grads must be dicts with the same keys, got {keys[0]} and {keys[1]}")
    checked = {}
    for name, W in params.items():
        if not isinstance(W, np.ndarray) or W.dtype.kind != "f":
            raise TypeError(f"params[{name!r}] must be a NumPy float array (it is updated in place), got "
                            f"{type(W).__name__} {getattr(W, 'dtype', '')}: use W.astype(float)")
        if not W.flags.writeable:
            raise ValueError(f"params[{name!r}] is read-only (its flags.writeable is False), but a step "
                             "updates it in place: use a writeable copy, W.copy()")
        g = grads[name]
        if type(g) is not np.ndarray or g.dtype != np.float64:  # e.g. a nested list: converted, or refused
            g = as_float_array(f"grads[{name!r}]", g)
        if g.shape != W.shape:
            raise ValueError(f"grads[{name!r}] has shape {g.shape} but params[{name!r}] has shape {W.shape}")
        check_finite(f"grads[{name!r}]", g, error=GradientError)
        checked[name] = g
    if state is not None and {name: value.shape for name, value in state.items()} != {
            name: W.shape for name, W in params.items()}:
        raise ValueError(f"this optimiser has been stepping parameters {sorted(state)} of other shapes, now "
                         f"it got {sorted(params)}: use one optimiser per network")
    if state is not None and not all(stepped.get(name) is W for name, W in params.items()):
        raise ValueError("this optimiser's state (its momentum buffers, or Adam's m and v) belongs to the "
                         "parameter arrays it stepped before, not to these: use one optimiser per network. "
                         "A new or loaded network needs a new optimiser, e.g. nnlib.Adam(lr=0.01); to put "
                         "saved weights back into the same network, copy them into its arrays in place: "
                         "net.params[name][...] = best[name]")
    return checked


def _same(values: tuple, checked: tuple) -> bool:
    """True when ``values`` are the very objects checked before: ``is``, not ``==`` (True == 1.0, and an
    array compared with == gives no single answer)."""
    return len(values) == len(checked) and all(map(operator.is_, values, checked))


class SGD:
    """Stochastic gradient descent: W <- W - lr * g for every parameter W, optionally with momentum.

    g is the gradient, plus weight_decay * W with L2 weight decay. With momentum the buffer b starts as the
    first g and then becomes b = momentum * b + g (PyTorch's rule, dampening 0); the step uses b instead of
    g. ``buffers`` holds b for every parameter (empty before the first step).
    """

    STATE = ("buffers", "stepped")  # what a step changes (train undoes steps); the rest are settings

    def __init__(self, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay
        self.check_hyperparameters()
        self.buffers: dict[str, np.ndarray] = {}
        self.stepped: dict[str, np.ndarray] = {}  # the parameter arrays the buffers belong to

    def hyperparameters(self) -> tuple:
        return self.lr, self.momentum, self.weight_decay

    def check_hyperparameters(self) -> None:
        """Refuse invalid values, also when they were changed after construction (see step)."""
        if _same(self.hyperparameters(), getattr(self, "_checked", ())):
            return  # the very values checked last time
        self.lr = check_number("lr", self.lr, 0.0)
        self.momentum = check_number("momentum", self.momentum, 0.0, 1.0, low_inclusive=True)
        self.weight_decay = check_number("weight_decay", self.weight_decay, 0.0, low_inclusive=True)
        self._checked = self.hyperparameters()

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr}, momentum={self.momentum}, weight_decay={self.weight_decay})"

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in params (in place) using grads (same keys and shapes)."""
        self.check_hyperparameters()
        grads = check_step(params, grads, self.buffers or None, self.stepped)
        buffers = dict(self.buffers)
        for name, W in params.items():
            g = grads[name]
            if self.weight_decay:
                g = g + self.weight_decay * W
            if self.momentum:
                b = buffers.get(name)
                g = buffers[name] = g.copy() if b is None else self.momentum * b + g
            W -= self.lr * g
        self.buffers, self.stepped = buffers, dict(params)


# The largest gradient entry whose square float64 holds (about 1.3e154): Adam keeps squared gradients in v.
ADAM_LARGEST_GRADIENT = np.sqrt(np.finfo(np.float64).max)


def check_squares_fit(grads: dict[str, np.ndarray], decayed: bool = False) -> None:
    """Refuse gradients whose squares overflow float64 (Adam's v would become inf, its steps silently 0):
    a GradientError. ``decayed``: weight_decay * W has been added to them (the message says so)."""
    for name, g in grads.items():
        largest = np.abs(g).max(initial=0.0)
        if not largest <= ADAM_LARGEST_GRADIENT:  # (also inf: g + weight_decay * W may overflow)
            what = f"grads[{name!r}] + weight_decay * params[{name!r}]" if decayed else f"grads[{name!r}]"
            raise GradientError(f"{what} holds {largest:.3g}, too large for Adam: its square, kept in v, "
                                "overflows float64")


class Adam:
    """Adam: per-parameter steps from running averages of the gradient (m) and of its square (v).

    m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g**2;  after t steps, the bias-corrected
    m_hat = m / (1 - beta1**t) and v_hat = v / (1 - beta2**t) give W <- W - lr * m_hat / (sqrt(v_hat) + eps),
    as torch.optim.Adam. weight_decay adds weight_decay * W to g (L2, as torch.optim.Adam; not AdamW).
    ``m`` and ``v`` have the names and shapes of the parameters (empty before the first step).
    """

    STATE = ("t", "m", "v", "stepped")  # what a step changes (train undoes steps); the rest are settings

    def __init__(self, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        self.lr, self.betas, self.eps, self.weight_decay = lr, betas, eps, weight_decay
        self.check_hyperparameters()
        self.t = 0  # steps taken
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self.stepped: dict[str, np.ndarray] = {}  # the parameter arrays m and v belong to

    def hyperparameters(self) -> tuple:
        return self.lr, self.betas, self.eps, self.weight_decay

    def check_hyperparameters(self) -> None:
        """Refuse invalid values, also when they were changed after construction (see step)."""
        if _same(self.hyperparameters(), getattr(self, "_checked", ())):
            return  # the very values checked last time
        self.lr = check_number("lr", self.lr, 0.0)
        if not isinstance(self.betas, (tuple, list)) or len(self.betas) != 2:
            raise TypeError(f"betas must be a pair (beta1, beta2) such as (0.9, 0.999), got {self.betas!r}")
        self.betas = (check_number("betas[0]", self.betas[0], 0.0, 1.0, low_inclusive=True),
                      check_number("betas[1]", self.betas[1], 0.0, 1.0, low_inclusive=True))
        self.eps = check_number("eps", self.eps, 0.0)
        self.weight_decay = check_number("weight_decay", self.weight_decay, 0.0, low_inclusive=True)
        self._checked = self.hyperparameters()

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr}, betas={self.betas}, eps={self.eps}, weight_decay={self.weight_decay})"

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every array in params (in place) using grads (same keys and shapes)."""
        self.check_hyperparameters()
        grads = check_step(params, grads, self.m or None, self.stepped)
        if self.weight_decay:  # L2: g + weight_decay * W, checked with the rest before anything changes
            with np.errstate(over="ignore"):  # an overflow to inf is refused just below
                grads = {name: g + self.weight_decay * params[name] for name, g in grads.items()}
        check_squares_fit(grads, decayed=bool(self.weight_decay))
        (beta1, beta2), t = self.betas, self.t + 1
        m, v = {}, {}
        for name, W in params.items():
            g = grads[name]
            m[name] = beta1 * self.m.get(name, 0.0) + (1 - beta1) * g
            v[name] = beta2 * self.v.get(name, 0.0) + (1 - beta2) * g**2
            m_hat = m[name] / (1 - beta1**t)
            v_hat = v[name] / (1 - beta2**t)
            W -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.m, self.v, self.t, self.stepped = m, v, t, dict(params)
