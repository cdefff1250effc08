"""Mistakes and correct variants for 01_neurons_and_initialisation (sigmoid, its derivative, Xavier init)."""

from mistakes import Mistake, Variant

NB = "01_neurons_and_initialisation"
SIGMOID = "1.0 / (1.0 + np.exp(-z))"
DERIVATIVE = "return a * (1.0 - a)"
DRAW = "rng.uniform(-limit, limit, size=(n_in, n_out))"

ENTRIES = [
    # sigmoid(z)
    Mistake(NB, "sigmoid", find="np.exp(-z)", replace="np.exp(z)", description="wrong sign of the exponent"),
    Mistake(NB, "sigmoid", find=SIGMOID, replace="1.0 / 1.0 + np.exp(-z)", description="missing brackets"),
    Mistake(NB, "sigmoid", find=SIGMOID, replace="1.0 / np.exp(-z)", description="forgot the 1 +"),
    Mistake(NB, "sigmoid", find=SIGMOID, replace="np.tanh(z)", description="tanh instead of sigmoid"),
    Mistake(NB, "sigmoid", find=SIGMOID, replace="np.exp(-z) / (1.0 + np.exp(-z))",
            description="one minus sigmoid"),
    Variant(NB, "sigmoid", find=SIGMOID, replace="np.exp(z) / (1.0 + np.exp(z))",
            description="e^z over 1 + e^z"),
    Variant(NB, "sigmoid", find=SIGMOID, replace="0.5 * (1.0 + np.tanh(z / 2))", description="via tanh"),
    Variant(NB, "sigmoid", find=SIGMOID, replace="1 / (1 + np.e ** -z)", description="np.e power"),
    # sigmoid_derivative(z)
    Mistake(NB, "sigmoid_derivative", find=DERIVATIVE, replace="return z * (1.0 - z)",
            description="derivative formula applied to the pre-activation"),
    Mistake(NB, "sigmoid_derivative", find="a = activations.sigmoid(z)",
            replace="a = activations.sigmoid(activations.sigmoid(z))", description="sigmoid applied twice"),
    Mistake(NB, "sigmoid_derivative", find=DERIVATIVE, replace="return 1.0 - a ** 2",
            description="tanh derivative"),
    Mistake(NB, "sigmoid_derivative", find=DERIVATIVE, replace="return a",
            description="missing factor 1 - a"),
    Mistake(NB, "sigmoid_derivative", find=DERIVATIVE, replace="return a * (1.0 + a)",
            description="wrong sign inside"),
    Variant(NB, "sigmoid_derivative", find=DERIVATIVE, replace="return a - a * a", description="expanded"),
    Variant(NB, "sigmoid_derivative", find=DERIVATIVE,
            replace="return np.exp(-z) / (1.0 + np.exp(-z)) ** 2", description="quotient-rule form"),
    # init_xavier(n_in, n_out, rng)
    Mistake(NB, "init_xavier", find="6.0 / (n_in + n_out)", replace="6.0 / n_in",
            description="limit uses fan-in only"),
    Mistake(NB, "init_xavier", find="np.sqrt(6.0 / (n_in + n_out))", replace="6.0 / (n_in + n_out)",
            description="forgot the square root"),
    Mistake(NB, "init_xavier", find="6.0 / (n_in + n_out)", replace="2.0 / (n_in + n_out)",
            description="standard deviation used as the limit"),
    Mistake(NB, "init_xavier", find="rng.uniform(-limit, limit", replace="rng.uniform(0, limit",
            description="not centred on zero"),
    Mistake(NB, "init_xavier", find="size=(n_in, n_out)", replace="size=(n_out, n_in)",
            description="transposed shape"),
    Mistake(NB, "init_xavier", find="rng.uniform(", replace="np.random.uniform(",
            description="global random state instead of rng"),
    Mistake(NB, "init_xavier", find=DRAW, replace="rng.normal(0.0, limit, size=(n_in, n_out))",
            description="normal instead of uniform"),
    Variant(NB, "init_xavier", find=DRAW, replace="limit * (2.0 * rng.random((n_in, n_out)) - 1.0)",
            description="scaled rng.random"),
    Variant(NB, "init_xavier", find="np.sqrt(6.0 / (n_in + n_out))", replace="(6 / (n_in + n_out)) ** 0.5",
            description="power one half"),
    Variant(NB, "init_xavier", find="size=(n_in, n_out)", replace="(n_in, n_out)",
            description="size as a positional argument"),
]
