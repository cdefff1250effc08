"""All of a network's weights and biases as one long vector θ, with W1, b1, W2, ... as named windows into it.

The maths of training treats the parameters as one vector -- θ ← θ − lr · ∇θ L -- and so can the code. A
``Parameters`` dict keeps its arrays in one flat array, ``vector``; ``params["W1"]`` is a *view* of a slice of
it, reshaped to (n_0, n_1). Changing the view changes the vector and vice versa (try it:
``params["b1"][0] = 5.0`` then look at ``params.vector``). An optimiser then updates every weight and bias
with a few NumPy calls on the whole vector instead of a few calls per array -- for a small network that is
a third of a training step.
"""

from __future__ import annotations

import math
import operator

import numpy as np


class Parameters(dict):
    """A dict of named float64 arrays that are windows (views) into one flat vector ``self.vector`` (P,).

    ``Parameters({"W1": W1, "b1": b1})`` copies the values in; ``layout`` lists (name, shape) in vector order.
    Otherwise it is an ordinary dict: if an entry is replaced by another array, ``is_packed()`` becomes False
    and optimisers go back to copying the arrays into a vector (slower, same result).
    """

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.layout = layout_of(arrays)
        self.vector = np.empty(sum(math.prod(shape) for _, shape in self.layout))
        start = 0
        for name, shape in self.layout:
            size = math.prod(shape)
            super().__setitem__(name, self.vector[start:start + size].reshape(shape))  # a view, no copy
            start += size
        if isinstance(arrays, Parameters) and arrays.layout == self.layout and arrays.is_packed():
            self.vector[...] = arrays.vector  # one copy instead of one per array
        else:
            for name, value in arrays.items():
                self[name][...] = value
        self._windows = tuple(self.values())

    @classmethod
    def zeros(cls, layout: tuple) -> Parameters:
        """Parameters with the (name, shape) pairs of ``layout``, all zeros (gradients, optimiser state)."""
        zeros = cls({name: np.zeros(shape) for name, shape in layout})
        zeros.layout = layout  # the same object, so that packed_alike can compare layouts by identity
        return zeros

    def is_packed(self) -> bool:
        """True while every entry is still its window into ``vector`` (no entry was replaced)."""
        return len(self) == len(self._windows) and all(map(operator.is_, self.values(), self._windows))

    def __deepcopy__(self, memo: dict) -> Parameters:
        return Parameters(self)  # copies the values into a new vector, with windows of its own

    def __reduce__(self):  # pickling: rebuilt from a plain dict of the arrays
        return Parameters, (dict(self),)


def layout_of(arrays: dict[str, np.ndarray]) -> tuple:
    """(name, shape) of every array, in order: what a flat vector of these arrays would hold."""
    return arrays.layout if isinstance(arrays, Parameters) else tuple(
        (name, np.shape(value)) for name, value in arrays.items())


def packed_alike(params: dict, grads: dict) -> bool:
    """True when params and grads are packed Parameters with the same layout: their vectors line up."""
    return (isinstance(params, Parameters) and isinstance(grads, Parameters)
            and (params.layout is grads.layout or params.layout == grads.layout)
            and params.is_packed() and grads.is_packed())


def flatten(arrays: dict, names) -> np.ndarray:
    """A new float64 vector holding arrays[name] for every name in ``names``, one after the other."""
    return np.concatenate([np.ravel(arrays[name]) for name in names]).astype(np.float64)


def copy_back(theta: np.ndarray, params: dict) -> None:
    """Write the vector θ (P,) into the arrays of params, in place (nothing to do if θ is their vector)."""
    if theta is getattr(params, "vector", None):
        return
    start = 0
    for value in params.values():
        value[...] = theta[start:start + value.size].reshape(value.shape)
        start += value.size


def copy_values(source: dict, target: dict) -> None:
    """Copy the values of source's arrays into target's arrays (same names and shapes), in place.

    One copy of the whole vector when both are packed alike, else one per array.
    """
    if packed_alike(source, target):
        target.vector[...] = source.vector
        return
    for name, value in source.items():
        target[name][...] = value
