"""nnlib.feedback: every verdict branch prints its line, correct variants pass, output is deterministic."""

import numpy as np
import pytest

from nnlib.feedback import NOT_DONE, check, check_true, evaluate, evaluate_true


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


Z = np.array([2.0, 0.0, -2.0])
SIGN_HINT = "Check the sign of the exponent: sigmoid(z) = 1 / (1 + exp(-z))."


def verdict(capsys, *args, **kwargs):
    """Run evaluate() (check() returning its verdict) and return (result, printed lines)."""
    result = evaluate(*args, **kwargs)
    return result, capsys.readouterr().out.splitlines()


def not_done():
    raise NotImplementedError()


def test_correct_answer_prints_tick_and_returns_true(capsys):
    assert verdict(capsys, "sigmoid(z)", lambda: sigmoid(Z), sigmoid(Z)) == (True, ["✓ sigmoid(z): correct"])


@pytest.mark.parametrize("variant", [
    lambda: 1.0 / (1.0 + np.exp(-Z)),
    lambda: np.exp(Z) / (np.exp(Z) + 1.0),
    lambda: 0.5 * (1.0 + np.tanh(Z / 2.0)),
    lambda: [1.0 / (1.0 + np.exp(-float(z))) for z in Z],          # a plain loop returning a list
    lambda: (1.0 / (1.0 + np.exp(-Z))).astype(np.float32),         # float32 is within tolerance
])
def test_correct_variants_all_pass_with_identical_output(capsys, variant):
    assert verdict(capsys, "sigmoid(z)", variant, sigmoid(Z)) == (True, ["✓ sigmoid(z): correct"])


def test_not_implemented_points_to_the_exercise_cell(capsys):
    result, lines = verdict(capsys, "sigmoid(z)", not_done, sigmoid(Z), hint="unused")
    assert result is False
    assert lines == [f"✗ sigmoid(z): {NOT_DONE}"]
    assert "raise NotImplementedError()" in lines[0]


def test_other_exception_names_type_and_first_line_and_hint(capsys):
    def broken():
        raise RuntimeError("boom\nsecond line is not shown")
    result, lines = verdict(capsys, "f", broken, 1.0, hint="look at the shapes")
    assert result is False
    assert lines == ["✗ f: your code raised RuntimeError: boom", "  hint: look at the shapes"]


def test_long_exception_message_is_shortened(capsys):
    def broken():
        raise ValueError("x" * 500)
    _, lines = verdict(capsys, "f", broken, 1.0)
    assert len(lines) == 1 and len(lines[0]) < 140 and lines[0].endswith("…")


def test_transposed_shape_mentions_transpose(capsys):
    result, lines = verdict(capsys, "A1", lambda: np.zeros((1, 4)), np.zeros((4, 1)), hint="author hint")
    assert result is False
    assert lines[0] == "✗ A1: expected shape (4, 1), got (1, 4)"
    assert "transpose" in lines[1]


def test_shape_mismatch_prefers_a_matching_mistake(capsys):
    mistakes = {"Sum over axis 0 (the batch), not axis 1.": np.zeros(4)}
    _, lines = verdict(capsys, "db", lambda: np.ones(4), np.zeros(3), mistakes=mistakes)
    assert lines == ["✗ db: expected shape (3,), got (4,)",
                     "  hint: Sum over axis 0 (the batch), not axis 1."]


def test_shape_mismatch_of_other_kind_prints_author_hint(capsys):
    _, lines = verdict(capsys, "db", lambda: np.ones(5), np.zeros(3), hint="sum over the batch axis")
    assert lines == ["✗ db: expected shape (3,), got (5,)", "  hint: sum over the batch axis"]


def test_extra_axis_of_length_one(capsys):
    _, lines = verdict(capsys, "y_hat", lambda: np.zeros(4), np.zeros((4, 1)))
    assert lines[0] == "✗ y_hat: expected shape (4, 1), got (4,)"
    assert "axis of length 1" in lines[1]


def test_scalar_expected_array_given(capsys):
    _, lines = verdict(capsys, "loss", lambda: np.ones(4), 0.5)
    assert lines == ["✗ loss: expected a single number, got an array of shape (4,)",
                     "  hint: did you forget to sum or average over the entries?"]


def test_array_expected_scalar_given(capsys):
    _, lines = verdict(capsys, "grad", lambda: 3.0, np.zeros(2), hint="h")
    assert lines == ["✗ grad: expected an array of shape (2,), got a single number", "  hint: h"]


def test_none_result_suggests_missing_return(capsys):
    _, lines = verdict(capsys, "f", lambda: None, 1.0)
    assert lines == ["✗ f: expected a number, got None — did you forget `return`?"]


def test_non_numeric_result(capsys):
    _, lines = verdict(capsys, "f", lambda: "abc", np.zeros(2))
    assert lines == ["✗ f: expected an array of shape (2,), got a str"]


def test_non_finite_result_says_so(capsys):
    result, lines = verdict(capsys, "loss", lambda: np.array([np.inf, 1.0]), np.array([1.0, 1.0]), hint="h")
    assert result is False
    assert lines == ["✗ loss: your result contains nan or inf (an overflow, or a division by zero?)",
                     "  hint: h"]


def test_value_mismatch_prints_rounded_values_and_matching_mistake(capsys):
    mistakes = {SIGN_HINT: sigmoid(-Z), "never printed": np.zeros(3)}
    result, lines = verdict(capsys, "sigmoid(z)", lambda: 1 / (1 + np.exp(Z)), sigmoid(Z), mistakes=mistakes,
                            hint="fallback")
    assert result is False
    assert lines == ["✗ sigmoid(z): expected [0.8808 0.5 0.1192], got [0.1192 0.5 0.8808]",
                     f"  hint: {SIGN_HINT}"]


def test_value_mismatch_without_known_mistake_prints_author_hint(capsys):
    _, lines = verdict(capsys, "loss", lambda: 0.3, 0.25, mistakes={"m": 0.9}, hint="look again")
    assert lines == ["✗ loss: expected 0.25, got 0.3", "  hint: look again"]


def test_value_mismatch_without_any_hint_prints_one_line(capsys):
    _, lines = verdict(capsys, "loss", lambda: 0.3, 0.25)
    assert lines == ["✗ loss: expected 0.25, got 0.3"]


@pytest.mark.parametrize(("got", "words"), [
    (-0.25, "sign is flipped"),
    (1.0, "forgot to average over the batch"),
    (0.0625, "4× too small"),
    (0.5, "factor of 2"),
    (0.125, "factor of 2"),
])
def test_generic_detectors(capsys, got, words):
    _, lines = verdict(capsys, "loss", lambda: got, 0.25, batch_size=4, hint="author hint")
    assert len(lines) == 2 and words in lines[1]


def test_generic_transpose_detector_for_square_matrices(capsys):
    M = np.array([[1.0, 2.0], [3.0, 4.0]])
    _, lines = verdict(capsys, "dW", lambda: M.T, M)
    assert lines[0] == "✗ dW: expected [[1.0 2.0] [3.0 4.0]], got [[1.0 3.0] [2.0 4.0]]"
    assert "transpose" in lines[1]


def test_author_mistakes_win_over_generic_detectors(capsys):
    _, lines = verdict(capsys, "loss", lambda: -0.25, 0.25, mistakes={"specific": -0.25})
    assert lines[1] == "  hint: specific"


def test_big_arrays_are_summarised_on_one_line(capsys):
    expected = np.arange(100.0).reshape(10, 10)
    got = expected.copy()
    got[5, 7] += 1
    _, lines = verdict(capsys, "Z", lambda: got, expected)
    assert lines == ["✗ Z: 1 of 100 values are wrong; at index [5, 7] expected 57.0, got 58.0"]


def test_numbers_have_no_numpy_reprs_and_no_negative_zero(capsys):
    _, lines = verdict(capsys, "x", lambda: np.float64(-0.00001) * 0 - 0.0, np.float64(1.0))
    assert lines == ["✗ x: expected 1.0, got 0.0"]
    _, lines = verdict(capsys, "x", lambda: np.array([-0.0, 1 / 3, 2e8]), np.array([1.0, 1.0, 1.0]))
    assert lines == ["✗ x: expected [1.0 1.0 1.0], got [0.0 0.3333 2.0000e+08]"]
    assert "np.float" not in "".join(lines)


def test_output_is_byte_identical_across_calls(capsys):
    outputs = []
    for _ in range(3):
        check("s", lambda: 1 / (1 + np.exp(Z)), sigmoid(Z), mistakes={SIGN_HINT: sigmoid(-Z)})
        check("n", not_done, 1.0)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]


def test_tolerances_are_honoured(capsys):
    assert evaluate("x", lambda: 1.0 + 1e-7, 1.0)
    assert not evaluate("x", lambda: 1.0 + 1e-7, 1.0, atol=1e-10, rtol=1e-10)
    capsys.readouterr()


def test_check_true_branches(capsys):
    assert evaluate_true("W1 is small", lambda: np.bool_(True)) is True
    assert evaluate_true("W1 is small", lambda: False, hint="scale by sqrt(1/n)") is False
    assert evaluate_true("W1 is small", not_done) is False
    assert evaluate_true("W1 is small", lambda: np.array([True, False]), hint="h") is False
    assert capsys.readouterr().out.splitlines() == [
        "✓ W1 is small",
        "✗ W1 is small: not satisfied", "  hint: scale by sqrt(1/n)",
        f"✗ W1 is small: {NOT_DONE}",
        "✗ W1 is small: expected True or False, got an array of shape (2,)", "  hint: h",
    ]


@pytest.mark.parametrize(("args", "name"), [(("x", 1.0, 1.0), "compute"), ((3, lambda: 1.0, 1.0), "label")])
def test_author_errors_raise_type_error_naming_the_argument(args, name):
    with pytest.raises(TypeError, match=name):
        check(*args)


def test_check_and_check_true_print_the_verdict_and_return_nothing(capsys):
    # A check cell's last line is a check(...) call: returning None keeps "True" out of the cell's output.
    assert check("x", lambda: 1.0, 1.0) is None
    assert check_true("x", lambda: False) is None
    assert capsys.readouterr().out.splitlines() == ["✓ x: correct", "✗ x: not satisfied"]


def test_small_numbers_that_differ_print_differently(capsys):
    check("dW1", lambda: np.array([-0.00012]), np.array([-0.00013]), atol=1e-9, rtol=1e-9)
    line = capsys.readouterr().out.splitlines()[0]
    assert line == "✗ dW1: expected [-1.3000e-04], got [-1.2000e-04]"
