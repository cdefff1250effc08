"""classroom.checks: the verdict machinery, and each exercise's check on right, wrong and unfinished answers.

The mistake catalogue (tests/mistakes, test_mistakes.py) runs the real notebooks under nbval; these tests call
the checks directly, on functions written here, so that every branch of a verdict is pinned down quickly.
"""

import numpy as np
import pytest

from classroom.checks import BOOKS, CheckFailed, evaluate
from classroom.checks._compare import expect_array, expect_number, number
from classroom.checks._core import Book, Fail, LearnerRaised, Missing, NotebookLearner, Opaque


def verdict(notebook: str, exercise: str, **functions):
    return evaluate(notebook, exercise, NotebookLearner(dict(functions, np=np)))


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def not_done(*args, **kwargs):
    raise NotImplementedError()


NB01, NB04 = "01_neurons_and_initialisation", "04_training_on_xor"


def test_a_right_answer_passes_and_the_verdict_names_the_exercise():
    result = verdict(NB01, "sigmoid", sigmoid=sigmoid)
    assert result.passed and result.text().startswith("✓ Exercise 1 (sigmoid): correct")


def test_an_unfinished_exercise_says_not_done_yet():
    result = verdict(NB01, "sigmoid", sigmoid=not_done)
    assert not result.passed
    assert result.message == "not done yet: replace raise NotImplementedError() in sigmoid with your code"


def test_a_missing_function_says_run_the_exercise_cell_first():
    result = verdict(NB01, "sigmoid")
    assert not result.passed and "sigmoid is not defined yet: run the exercise cell" in result.message


def test_a_check_that_uses_an_unfinished_earlier_exercise_names_it():
    namespace = {"np": np}
    exec("def sgd_step(params, grads, lr):\n    raise NotImplementedError()\n"
         "def training_loop(X, y, params, lr, num_epochs):\n    sgd_step(params, params, lr)\n", namespace)
    result = evaluate(NB04, "training_loop", NotebookLearner(namespace))
    assert result.message.startswith("finish Exercise 1 (sgd_step) first: this check uses it")


def test_a_name_error_inside_the_learners_code_suggests_running_the_cells_above():
    namespace = {"np": np}
    exec("def sigmoid(z):\n    return helper(z)\n", namespace)
    result = evaluate(NB01, "sigmoid", NotebookLearner(namespace))
    assert "raised NameError on sigmoid(an array of shape (5,))" in result.message
    assert "Run All Above" in result.hint


def test_prints_and_warnings_of_the_learners_code_change_nothing(capsys):
    def noisy(z):
        print("debugging", z)
        import warnings
        warnings.warn("a warning", stacklevel=1)
        return sigmoid(z)
    assert verdict(NB01, "sigmoid", sigmoid=noisy).passed
    assert capsys.readouterr() == ("", "")


def test_a_list_where_an_array_is_expected_fails_with_a_hint_about_whole_arrays():
    result = verdict(NB01, "sigmoid", sigmoid=lambda z: [float(sigmoid(v)) for v in np.ravel(z)])
    assert not result.passed and "returned a list" in result.message and "whole arrays" in result.hint


def test_the_check_cell_prints_a_tick_or_raises_an_exception_that_renders_as_the_verdict(capsys):
    from classroom.checks import nb01
    namespace = {"sigmoid": sigmoid, "checks": nb01}
    exec("checks.sigmoid()", namespace)
    assert capsys.readouterr().out.startswith("✓ Exercise 1 (sigmoid)")
    namespace["sigmoid"] = lambda z: 1.0 / (1.0 + np.exp(z))
    with pytest.raises(CheckFailed) as failure:
        exec("checks.sigmoid()", namespace)
    lines = failure.value._render_traceback_()
    assert lines[0].startswith("✗ Exercise 1 (sigmoid): sigmoid(z = [-3, -1, 0, 0.5, 2]): expected")
    assert lines[1] == "  hint: check the sign of the exponent: σ(0) = 0.5, and σ grows with z"


def test_the_check_reads_the_callers_globals_not_its_own():
    """A learner's own X, y, a, z ... never reach the check: it only looks up the exercise's function."""
    from classroom.checks import nb01
    namespace = {"checks": nb01, "z": "not an array", "a": 17, "np": "shadowed", "sigmoid": sigmoid}
    exec("checks.sigmoid()", namespace)


def test_an_exception_in_the_check_itself_still_gives_a_verdict():
    book = Book("99_demo")

    @book.exercise(1, "double")
    def double(learner):
        return learner.function("double")(2) + "text"   # the learner returned something odd
    result = book.evaluate("double", NotebookLearner({"double": lambda x: 2 * x}))
    assert not result.passed and result.message.startswith("could not check your answer (TypeError")


def test_learner_raised_keeps_only_the_notebooks_own_functions_on_the_traceback():
    namespace = {"np": np}
    exec("def inner(x):\n    return np.log('text')\ndef outer(x):\n    return inner(x)\n", namespace)
    with pytest.raises(LearnerRaised) as raised:
        NotebookLearner(namespace).function("outer")(1.0)
    assert raised.value.functions == ["outer", "inner"] and raised.value.ename == "TypeError"


def test_missing_and_non_callable_names_raise_missing():
    with pytest.raises(Missing):
        NotebookLearner({"sigmoid": 3}).function("sigmoid")


def test_opaque_values_from_a_sandbox_fail_as_a_wrong_type():
    result = verdict(NB01, "sigmoid", sigmoid=lambda z: Opaque("set"))
    assert not result.passed and "returned a set" in result.message


@pytest.mark.parametrize(("value", "text"), [(0.8808, "0.8808"), (-0.0, "0.0"), (2.0, "2.0"),
                                             (-1.23456e-4, "-1.2346e-04"), (float("nan"), "nan")])
def test_numbers_are_printed_by_our_formatter(value, text):
    assert number(value) == text


# --- each exercise: a right answer passes; an answer right only for the text's example fails ---

def xavier(n_in, n_out, rng):
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


@pytest.mark.parametrize(("exercise", "function", "passes"), [
    ("init_xavier", xavier, True),
    ("init_xavier", lambda n_in, n_out, rng: xavier(n_out, n_in, rng).T, True),
    ("init_xavier", lambda n_in, n_out, rng: xavier(n_in, n_out, np.random.default_rng(42)), False),
    ("init_xavier", lambda n_in, n_out, rng: xavier(n_in, n_out, np.random.default_rng()), False),
    ("init_xavier", lambda n_in, n_out, rng: rng.normal(0, (2 / (n_in + n_out)) ** 0.5, (n_in, n_out)),
     False),
    ("init_xavier", lambda n_in, n_out, rng: np.abs(xavier(n_in, n_out, rng)), False),
    ("sigmoid_derivative", lambda z: sigmoid(z) * (1 - sigmoid(z)), True),
    ("sigmoid_derivative", lambda z: np.exp(-z) / (1 + np.exp(-z)), False),
])
def test_notebook_01_checks(exercise, function, passes):
    assert verdict(NB01, exercise, **{exercise: function}).passed is passes


def test_numeric_gradient_accepts_the_plus_h_minus_2h_plus_h_pattern():
    def numeric_gradient(f, x, h=1e-5):
        grad = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            x[index] += h
            f_plus = f(x)
            x[index] -= 2 * h
            f_minus = f(x)
            x[index] += h                       # leaves x off by about 1e-16
            grad[index] = (f_plus - f_minus) / (2 * h)
        return grad
    result = verdict("03_loss_and_backpropagation", "numeric_gradient", numeric_gradient=numeric_gradient)
    assert result.passed


def test_momentum_with_a_hard_coded_factor_fails_on_the_second_factor():
    def momentum_step(params, grads, velocity, lr, momentum):
        for name in params:
            velocity[name] = 0.9 * velocity[name] + grads[name] if name in velocity else grads[name].copy()
            params[name] -= lr * velocity[name]
    result = verdict("06_optimisers_and_minibatches", "momentum_step", momentum_step=momentum_step)
    assert not result.passed and "momentum = 0.5" in result.message
    assert result.hint == "use the momentum you are given"


def test_softmax_that_subtracts_the_row_minimum_fails_on_far_apart_logits():
    def softmax(Z):
        E = np.exp(Z - Z.min(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)
    result = verdict("07_capstone_digits", "softmax", softmax=softmax)
    assert not result.passed and "[[0, 1000]]" in result.message


def test_every_notebook_module_registers_its_exercises_in_order():
    for name, book in BOOKS.items():
        numbers = [exercise.number for exercise in book.exercises.values()]
        assert numbers == list(range(1, len(numbers) + 1)), name
        assert book.notebook == name


def test_a_known_mistake_whose_value_is_the_expected_one_never_gives_its_hint():
    """On a case where a wrong formula happens to give the right value (y·log ŷ alone when every y is 1), an
    answer a little off must get the general hint, not that formula's."""
    with pytest.raises(Fail) as failure:
        expect_number(-np.log(0.3) * (1 + 3e-6), -np.log(0.3), "bce", hint="the general hint",
                      mistakes={"both terms are needed": -np.log(0.3)})
    assert failure.value.hint == "the general hint"
    with pytest.raises(Fail) as failure:
        expect_array(np.array([1.0, 2.0 + 6e-6]), np.array([1.0, 2.0]), "dZ", hint="the general hint",
                     mistakes={"a coincidence": np.array([1.0, 2.0])})
    assert failure.value.hint == "the general hint"


def test_a_known_mistake_still_gives_its_hint_when_it_differs_from_the_expected_value():
    with pytest.raises(Fail) as failure:
        expect_number(2.0, 1.0, "mse", mistakes={"no square root": 2.0})
    assert failure.value.hint == "no square root"
    with pytest.raises(Fail) as failure:
        expect_array(np.array([-1.0, -2.0]), np.array([1.0, 2.0]), "dZ")
    assert "sign is flipped" in failure.value.hint


def test_notebook_01_tries_z_only_where_the_textbook_formulas_of_sigma_are_finite():
    """Notebook 01 asks for σ's formula, not for overflow safety: e^z / (1 + e^z) is right as long as the
    checks keep |z| below 709, where e^|z| is finite."""
    from classroom.checks.nb01 import elementwise_inputs
    for z in elementwise_inputs().values():
        assert np.all(np.isfinite(np.exp(np.abs(z).astype(float))))
    naive = verdict(NB01, "sigmoid", sigmoid=lambda z: np.exp(z) / (1.0 + np.exp(z)))
    assert naive.passed, naive.text()


def test_notebook_01_integer_input_gives_fractions():
    def filled(z):
        out = np.zeros_like(z)
        out[...] = sigmoid(z)
        return out
    result = verdict(NB01, "sigmoid", sigmoid=filled)
    assert not result.passed and "integers" in result.message and "integer type" in result.hint


def test_init_xavier_must_move_the_callers_generator_on():
    import copy
    result = verdict(NB01, "init_xavier", init_xavier=lambda n_in, n_out, rng: xavier(n_in, n_out,
                                                                                      copy.deepcopy(rng)))
    assert not result.passed and "left the generator" in result.message


@pytest.mark.parametrize(("epsilon", "passes"), [(0.0, True), (1e-15, True), (1e-7, True), (1e-6, True),
                                                 (1e-5, False), (1e-2, False)])
def test_bce_accepts_an_epsilon_up_to_1e_6_inside_the_log(epsilon, passes):
    def bce(y_hat, y):
        return float(-np.mean(y * np.log(y_hat + epsilon) + (1 - y) * np.log(1 - y_hat + epsilon)))
    result = verdict("03_loss_and_backpropagation", "bce", bce=bce)
    assert result.passed is passes, result.text()
    if not passes:
        assert "both terms" not in result.hint


def test_bce_catches_a_clip_to_one_hundredth():
    def bce(y_hat, y):
        clipped = np.clip(y_hat, 0.01, 0.99)
        return float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
    result = verdict("03_loss_and_backpropagation", "bce", bce=bce)
    assert not result.passed and "0.999" in result.message


def test_cross_entropy_gradient_catches_a_softmax_that_clips_the_logits():
    def cross_entropy_gradient(logits, labels):
        E = np.exp(np.clip(logits, -500, 500))
        P = E / E.sum(axis=1, keepdims=True)
        return (P - np.eye(logits.shape[1])[labels]) / len(logits)
    result = verdict("07_capstone_digits", "cross_entropy_gradient",
                     cross_entropy_gradient=cross_entropy_gradient)
    assert not result.passed and "1000, 1001" in result.message and "clipping" in result.hint


@pytest.mark.parametrize("halve", [False, True])
def test_training_loop_must_keep_lr_and_every_epoch_when_the_loss_rises(halve):
    from classroom.checks.nb03 import forward_with_cache, gradients

    def training_loop(X, y, params, lr, num_epochs):
        losses = []
        for _ in range(num_epochs):
            y_hat, cache = forward_with_cache(X, params)
            losses.append(float(np.mean((y_hat - y) ** 2)))
            if len(losses) > 1 and losses[-1] > losses[-2]:
                if not halve:
                    break
                lr = lr / 2
            grads = gradients(X, y, params, cache)
            for name in params:
                params[name] -= lr * grads[name]
        return losses
    result = verdict(NB04, "training_loop", training_loop=training_loop)
    assert not result.passed and "lr = 10.0" in result.message
    assert ("learning rate" if halve else "no stopping early") in result.hint
