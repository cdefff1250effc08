"""Mistakes and correct variants for 06_optimisers_and_minibatches (momentum and Adam updates)."""

from mistakes import Mistake, Variant

NB = "06_optimisers_and_minibatches"
T_FIRST = 'state["t"] += 1\n    t = state["t"]'
M_UPDATE = 'state["m"][name] = beta1 * state["m"][name] + (1 - beta1) * g'
V_UPDATE = 'state["v"][name] = beta2 * state["v"][name] + (1 - beta2) * g**2'
M_HAT = 'm_hat = state["m"][name] / (1 - beta1**t)'
ADAM_UPDATE = "params[name] -= lr * m_hat / (np.sqrt(v_hat) + eps)"
BUFFER = """        if name not in velocity:
            velocity[name] = grads[name].copy()   # a copy: the buffer must not share memory with the gradient
        else:
            velocity[name] *= momentum
            velocity[name] += grads[name]
        params[name] -= lr * velocity[name]"""
VELOCITY_FORM = """        if name not in velocity:
            velocity[name] = -lr * grads[name]
        else:
            velocity[name] = momentum * velocity[name] - lr * grads[name]
        params[name] += velocity[name]"""

ENTRIES = [
    # momentum_step
    Mistake(NB, "momentum_step", find="velocity[name] = grads[name].copy()",
            replace="velocity[name] = grads[name]", description="buffer aliases the gradient"),
    Mistake(NB, "momentum_step", find="velocity[name] = grads[name].copy()",
            replace="velocity[name] = grads[name][:]",
            description="a slice view taken for a copy: it shares the gradient's memory"),
    Mistake(NB, "momentum_step", find="params[name] -= lr * velocity[name]",
            replace="params[name] = params[name] - lr * velocity[name]",
            description="rebinds instead of in place"),
    Mistake(NB, "momentum_step", find="velocity[name] += grads[name]",
            replace="velocity[name] += (1 - momentum) * grads[name]", description="averaged buffer"),
    Mistake(NB, "momentum_step", find="velocity[name] = grads[name].copy()",
            replace="velocity[name] = np.zeros_like(grads[name])",
            description="buffer starts at zero and the first step is skipped"),
    Mistake(NB, "momentum_step", find="params[name] -= lr * velocity[name]",
            replace="params[name] += lr * velocity[name]", description="wrong sign"),
    Mistake(NB, "momentum_step", find="params[name] -= lr * velocity[name]",
            replace="params[name] -= lr * grads[name]", description="steps along g, not the buffer"),
    # adam_step
    Mistake(NB, "adam_step", find='m_hat = state["m"][name] / (1 - beta1**t)',
            replace='m_hat = state["m"][name]', description="no bias correction of m"),
    Mistake(NB, "adam_step", find='v_hat = state["v"][name] / (1 - beta2**t)',
            replace='v_hat = state["v"][name]', description="no bias correction of v"),
    Mistake(NB, "adam_step", find="(np.sqrt(v_hat) + eps)",
            replace="np.sqrt(v_hat + eps)", description="eps inside the square root"),
    Mistake(NB, "adam_step", find="(1 - beta2) * g**2",
            replace="(1 - beta2) * g", description="v averages g, not g squared"),
    Mistake(NB, "adam_step", find=T_FIRST, replace="beta1, beta2 = beta2, beta1\n    " + T_FIRST,
            description="betas swapped"),
    Mistake(NB, "adam_step", find=T_FIRST, replace='t = state["t"]\n    state["t"] += 1',
            description="t starts at 0"),
    Mistake(NB, "adam_step", find=M_UPDATE, replace="m = beta1 * state['m'][name] + (1 - beta1) * g",
            description="m not stored back in the state"),
    Mistake(NB, "adam_step", find=ADAM_UPDATE,
            replace="params[name] = params[name] - lr * m_hat / (np.sqrt(v_hat) + eps)",
            description="rebinds instead of in place"),
    # correct variants
    Variant(NB, "momentum_step", find="velocity[name] *= momentum\n            velocity[name] += grads[name]",
            replace="velocity[name] = momentum * velocity[name] + grads[name]",
            description="new buffer array"),
    Variant(NB, "momentum_step", find=BUFFER, replace=VELOCITY_FORM,
            description="velocity form v = mu v - lr g, W += v"),
    Variant(NB, "adam_step", find="(1 - beta2) * g**2",
            replace="(1 - beta2) * np.square(g)", description="np.square"),
    Variant(NB, "adam_step", find=ADAM_UPDATE,
            replace='params[name] -= lr / (1 - beta1**t) * state["m"][name] / '
                    '(np.sqrt(state["v"][name]) / np.sqrt(1 - beta2**t) + eps)',
            description="PyTorch's grouping of the bias corrections"),
    # Contract, not example (issue 11): other momentum factors, betas, eps and lr; more parameters.
    Mistake(NB, "momentum_step", find="velocity[name] *= momentum", replace="velocity[name] *= 0.9",
            description="the momentum of the example hard-coded"),
    Mistake(NB, "momentum_step", find="params[name] -= lr * velocity[name]",
            replace="params[name] -= 0.1 * velocity[name]", description="the learning rate of the example "
                                                                        "hard-coded"),
    Variant(NB, "momentum_step", find="params[name] -= lr * velocity[name]",
            replace="print(name, velocity[name])\n        params[name] -= lr * velocity[name]",
            description="prints the buffers"),
    Mistake(NB, "adam_step", find=M_UPDATE,
            replace='state["m"][name] = 0.9 * state["m"][name] + (1 - 0.9) * g',
            description="beta1 of the example hard-coded"),
    Mistake(NB, "adam_step", find=ADAM_UPDATE, replace="params[name] -= lr * m_hat / (np.sqrt(v_hat) + 0.1)",
            description="eps of the example hard-coded"),
    Mistake(NB, "adam_step", find=T_FIRST + "\n    for name in params:",
            replace="for name in params:\n        state[\"t\"] += 1\n        t = state[\"t\"]",
            description="counts a step per parameter"),
    Variant(NB, "adam_step", find=M_UPDATE,
            replace='state["m"][name] *= beta1\n        state["m"][name] += (1 - beta1) * g',
            description="first moment updated in place"),
    # Found by attacking the checks: state kept outside the dicts the caller passes.
    Mistake(NB, "momentum_step", find=BUFFER,
            replace="""        buffers = momentum_step.__dict__.setdefault("buffers", {})
        if name not in buffers:
            buffers[name] = grads[name].copy()
        else:
            buffers[name] = momentum * buffers[name] + grads[name]
        params[name] -= lr * buffers[name]""", description="buffers kept on the function, velocity ignored"),
    Mistake(NB, "adam_step", find=M_UPDATE + "\n        " + V_UPDATE + "\n        " + M_HAT,
            replace='m = adam_step.__dict__.setdefault("m", {})\n'
                    "        m[name] = beta1 * m.get(name, 0.0) + (1 - beta1) * g\n"
                    "        " + V_UPDATE + "\n        m_hat = m[name] / (1 - beta1**t)",
            description="first moment kept on the function"),
]
