"""Checks for notebook 06, optimisers: ``momentum_step`` and ``adam_step`` (PyTorch's SGD and Adam)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._compare import expect_array, expect_unchanged
from ._core import Book, Fail, Learner

book = Book("06_optimisers_and_minibatches")
Step = Callable[[dict, dict], None]


def problem(seed: int, names: tuple[str, ...] = ("W", "b"), num_steps: int = 4) -> tuple[dict, list[dict]]:
    """Small parameters and a list of gradient dicts; the last step reuses the first step's arrays."""
    rng = np.random.default_rng(seed)
    shapes = {"W": (2, 2), "b": (2,), "W1": (3, 2), "b1": (2,), "W2": (2, 1), "b2": (1,)}
    params = {name: rng.normal(size=shapes[name]) for name in names}
    grads = [{name: rng.normal(size=shapes[name]) for name in names} for _ in range(num_steps - 1)]
    return params, grads + [grads[0]]


def trajectory(step: Step, params: dict, grad_list: list[dict]) -> np.ndarray:
    """Call step(params, grads) for each grads; the original arrays' values after each step, (steps, P)."""
    originals = list(params.values())
    rows = []
    for grads in grad_list:
        step(params, grads)
        rows.append(np.concatenate([array.ravel() for array in originals]))
    return np.array(rows)


def copies(params: dict, grad_list: list[dict]) -> tuple[dict, list[dict]]:
    firsts = {name: value.copy() for name, value in grad_list[0].items()}
    return ({name: value.copy() for name, value in params.items()},
            [firsts] + [{n: v.copy() for n, v in g.items()} for g in grad_list[1:-1]] + [firsts])


def torch_sgd(lr: float, momentum: float, dampening: float = 0.0) -> Step:
    """torch.optim.SGD's update: b = g at the first step, then b = μ b + (1 − dampening) g; W −= lr b."""
    buffers: dict = {}

    def step(params: dict, grads: dict) -> None:
        for name in params:
            g = grads[name]
            if name not in buffers:
                buffers[name] = g.copy()
            else:
                buffers[name] = momentum * buffers[name] + (1 - dampening) * g
            params[name] -= lr * buffers[name]
    return step


def torch_adam(lr: float, betas: tuple[float, float], eps: float) -> Step:
    """torch.optim.Adam's update with bias correction (t = 1 at the first step)."""
    beta1, beta2 = betas
    m: dict = {}
    v: dict = {}
    t = [0]

    def step(params: dict, grads: dict) -> None:
        t[0] += 1
        for name in params:
            g = grads[name]
            m[name] = beta1 * m.get(name, 0.0) + (1 - beta1) * g
            v[name] = beta2 * v.get(name, 0.0) + (1 - beta2) * g ** 2
            m_hat, v_hat = m[name] / (1 - beta1 ** t[0]), v[name] / (1 - beta2 ** t[0])
            params[name] -= lr * m_hat / (np.sqrt(v_hat) + eps)
    step.moments = (m, v)   # the running averages, to compare with the learner's state
    return step


def compare(got: np.ndarray, expected: np.ndarray, start: np.ndarray, what: str, mistakes: dict,
            hint: str) -> None:
    if np.allclose(got, np.repeat(start[None], len(got), axis=0)):
        raise Fail(f"{what}: the parameters did not change",
                   "update the arrays themselves in place (-=): the caller reads the very arrays it gave you")
    expect_array(got, expected, what, exact_type=False, mistakes=mistakes, hint=hint)


@book.exercise(1, "momentum_step")
def momentum_step(learner: Learner) -> str:
    f = learner.function("momentum_step")
    cases = [(61, ("W", "b"), 0.1, 0.9), (62, ("W", "b", "W1", "b1"), 0.03, 0.5),
             (61, ("W", "b"), 0.1, 0.9)]            # the first again: a fresh velocity starts afresh
    for seed, names, lr, momentum in cases:
        params, grad_list = problem(seed, names)
        start = np.concatenate([value.ravel() for value in params.values()])
        expected = trajectory(torch_sgd(lr, momentum), *copies(params, grad_list))
        velocity: dict = {}
        learner_params, learner_grads = copies(params, grad_list)
        grads_before = [{n: v.copy() for n, v in g.items()} for g in learner_grads]
        got = trajectory(lambda p, g, vel=velocity, lr=lr, mu=momentum: f(p, g, vel, lr, mu),
                         learner_params, learner_grads)
        for before, after in zip(grads_before, learner_grads, strict=True):
            expect_unchanged(before, after, "the gradients",
                             "a buffer that *is* the gradient array changes the gradient when updated in "
                             "place: start the buffer from a copy")
        if set(velocity) != set(names):
            raise Fail(f"after four steps velocity holds {sorted(velocity)}, expected a buffer for each of "
                       f"{sorted(names)}", "keep each parameter's buffer in the velocity dict you are given: "
                       "the next call finds it there (and a new, empty dict starts afresh)")
        what = f"momentum_step with lr = {lr}, momentum = {momentum}: the parameters after steps 1-4"
        other_momentum = 0.9 if momentum != 0.9 else 0.5     # what a hard-coded factor would give
        compare(got, expected, start, what, hint="the buffer starts as the first gradient; then it decays by "
                "the momentum factor and the new gradient is added; the step follows the buffer",
                mistakes={"this is the averaged buffer b = μ·b + (1 − μ)·g; PyTorch adds the whole gradient":
                          trajectory(torch_sgd(lr, momentum, dampening=momentum), *copies(params, grad_list)),
                          "that is plain SGD: the step follows the buffer, not the gradient":
                          trajectory(torch_sgd(lr, 0.0), *copies(params, grad_list)),
                          "use the momentum you are given":
                          trajectory(torch_sgd(lr, other_momentum), *copies(params, grad_list)),
                          "step against the buffer: W −= lr · b": 2 * start - expected,
                          "the buffers must live in the velocity dict you are given: this run started from "
                          "buffers left over from an earlier one": leftover(params, grad_list, lr, momentum)})
    return "four steps correct (including a repeated gradient) for two learning rates and momentum factors"


def leftover(params: dict, grad_list: list[dict], lr: float, momentum: float) -> np.ndarray:
    """The trajectory of a momentum step that kept its buffers from a run just like this one."""
    step = torch_sgd(lr, momentum)
    trajectory(step, *copies(params, grad_list))
    return trajectory(step, *copies(params, grad_list))


def fresh_state(params: dict) -> dict:
    return {"t": 0, "m": {n: np.zeros_like(v) for n, v in params.items()},
            "v": {n: np.zeros_like(v) for n, v in params.items()}}


@book.exercise(2, "adam_step")
def adam_step(learner: Learner) -> str:
    f = learner.function("adam_step")
    for seed, names, lr, betas, eps in [(63, ("W", "b"), 0.1, (0.9, 0.999), 0.1),
                                         (64, ("W1", "b1", "W2", "b2"), 0.02, (0.8, 0.99), 0.05)]:
        params, grad_list = problem(seed, names)
        start = np.concatenate([value.ravel() for value in params.values()])
        reference = torch_adam(lr, betas, eps)
        expected = trajectory(reference, *copies(params, grad_list))
        learner_params, learner_grads = copies(params, grad_list)
        state = fresh_state(learner_params)
        got = trajectory(lambda p, g, s=state, lr=lr, b=betas, e=eps: f(p, g, s, lr=lr, betas=b, eps=e),
                         learner_params, learner_grads)
        what = f"adam_step with lr = {lr}, betas = {betas}, eps = {eps}: the parameters after steps 1-4"
        other_betas = (0.9, 0.999) if betas != (0.9, 0.999) else (0.8, 0.99)  # hard-coded betas give these
        compare(got, expected, start, what,
                hint="t goes up before it is used; both averages get their bias correction 1 − β^t; eps is "
                     "added after the square root; m and v must be kept in state for the next step",
                mistakes={"β1 and β2 are swapped: m (the gradients) uses β1, v (their squares) uses β2":
                          trajectory(torch_adam(lr, betas[::-1], eps), *copies(params, grad_list)),
                          "use the betas you are given":
                          trajectory(torch_adam(lr, other_betas, eps), *copies(params, grad_list)),
                          "step against the gradient: W −= lr · m̂ / (sqrt(v̂) + eps)": 2 * start - expected})
        if state.get("t") != len(grad_list):
            raise Fail(f"after {len(grad_list)} steps state['t'] is {state.get('t')!r}",
                       "count the steps in state['t'], so the next call knows where it is")
        for key, averages in zip(("m", "v"), reference.moments, strict=True):
            kept = state.get(key) if isinstance(state.get(key), dict) else {}
            for name in names:
                what = f"adam_step: state['{key}']['{name}'] after 4 steps"
                expect_array(kept.get(name), averages[name], what,
                             hint="store each running average back into state: the next call reads it there")
    return "four steps correct for two learning rates, two pairs of betas and two eps"
