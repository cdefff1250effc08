"""Tests for nnlib.io: save/load round trip and clear errors for bad files."""

import pathlib

import numpy as np
import pytest

from nnlib.io import load, save
from nnlib.network import MLP


def make_net():
    return MLP([3, 5, 4, 2], activation="tanh", output_activation="softmax", loss="cross_entropy",
               init="he", seed=7)


@pytest.mark.parametrize("as_path", [str, pathlib.Path])
def test_round_trip_gives_identical_outputs_params_and_architecture(tmp_path, as_path):
    net = make_net()
    written = save(net, as_path(tmp_path / "model.npz"))
    assert written == tmp_path / "model.npz" and written.is_file()
    loaded = load(as_path(written))
    X = np.random.default_rng(1).normal(size=(8, 3))
    np.testing.assert_array_equal(loaded.forward(X), net.forward(X))
    assert set(loaded.params) == set(net.params)
    for name, value in net.params.items():
        np.testing.assert_array_equal(loaded.params[name], value)
        assert loaded.params[name].dtype == np.float64
    for attribute in ("layer_sizes", "activation", "output_activation", "loss_name", "init"):
        assert getattr(loaded, attribute) == getattr(net, attribute)


def test_suffix_npz_is_added_when_missing(tmp_path):
    net = MLP([2, 4, 1], seed=0)
    written = save(net, tmp_path / "xor")
    assert written == tmp_path / "xor.npz" and written.is_file()
    np.testing.assert_array_equal(load(tmp_path / "xor").params["W1"], net.params["W1"])


def test_saved_file_loads_without_pickle(tmp_path):
    path = save(MLP([2, 3, 1], seed=0), tmp_path / "net.npz")
    with np.load(path, allow_pickle=False) as stored:
        assert {"layer_sizes", "activation", "param_W1", "param_b2"} <= set(stored.files)


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing_here.npz"):
        load(tmp_path / "nothing_here.npz")


def test_file_that_is_not_npz_names_the_file(tmp_path):
    path = tmp_path / "text.npz"
    path.write_text("these are not the weights you are looking for")
    with pytest.raises(ValueError, match="text.npz is not a readable .npz file"):
        load(path)


def test_truncated_file_names_the_file(tmp_path):
    path = save(make_net(), tmp_path / "cut.npz")
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="cut.npz"):
        load(path)


def test_lone_npy_array_is_refused(tmp_path):
    path = tmp_path / "array.npz"
    with open(path, "wb") as file:
        np.save(file, np.zeros(3))
    with pytest.raises(ValueError, match="array.npz is not a readable .npz file"):
        load(path)


def test_npz_lacking_the_architecture_names_the_file_and_keys(tmp_path):
    path = tmp_path / "weights_only.npz"
    np.savez(path, param_W1=np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"weights_only.npz lacks \['format_version', 'layer_sizes'"):
        load(path)


def rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as stored:
        arrays = {key: stored[key] for key in stored.files}
    arrays.update(changes)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez(path, **arrays)


def test_mismatched_shapes_name_the_file_and_parameter(tmp_path):
    path = save(make_net(), tmp_path / "bad_shape.npz")
    rewrite(path, param_W2=np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"bad_shape.npz: parameter W2 is float64 of shape \(4, 5\)"):
        load(path)


def test_missing_parameter_names_the_file(tmp_path):
    path = save(make_net(), tmp_path / "no_b3.npz")
    rewrite(path, param_b3=None)
    with pytest.raises(ValueError, match="no_b3.npz holds parameters"):
        load(path)


def test_unknown_activation_names_the_file(tmp_path):
    path = save(make_net(), tmp_path / "odd.npz")
    rewrite(path, activation=np.array("swish"))
    with pytest.raises(ValueError, match="odd.npz describes a network nnlib cannot build"):
        load(path)


def test_bad_arguments_are_type_errors(tmp_path):
    with pytest.raises(TypeError, match="net must be an nnlib.MLP"):
        save({"W1": np.zeros(2)}, tmp_path / "x.npz")
    with pytest.raises(TypeError, match="path must be a str or pathlib.Path"):
        save(make_net(), 42)
    with pytest.raises(TypeError, match="path"):
        load(None)


def test_save_and_load_are_exported_by_nnlib(tmp_path):
    import nnlib

    net = nnlib.MLP([2, 3, 1], seed=0)
    loaded = nnlib.load(nnlib.save(net, tmp_path / "exported"))
    np.testing.assert_array_equal(loaded.params["W2"], net.params["W2"])
