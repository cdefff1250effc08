"""Tests for nnlib.io: save/load round trip and clear errors for bad files."""

import math
import pathlib
import signal
import subprocess
import sys
import zipfile

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


ROOT = pathlib.Path(__file__).resolve().parents[1]
# The child processes below run with their address space capped: code that tried to allocate what a hostile
# file declares would then fail with MemoryError there, instead of exhausting the test machine.
LIMITED_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))
import nnlib
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    nnlib.load(sys.argv[1])
    print("loaded")
except ValueError as error:
    print("refused:", error)
print("grew", (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start) // 1024, "MB")
"""


def load_in_limited_child(path):
    result = subprocess.run([sys.executable, "-c", LIMITED_CHILD, str(path)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    return result.stdout + result.stderr


def test_a_small_file_declaring_a_huge_layer_is_refused_before_allocating(tmp_path):
    path = save(MLP([2, 4, 1], seed=0), tmp_path / "huge.npz")
    rewrite(path, layer_sizes=np.array([2, 10**9, 1]))
    assert path.stat().st_size < 3000
    output = load_in_limited_child(path)
    assert "refused: " in output and "describes a network nnlib cannot build" in output, output
    assert "4,000,000,001 parameters" in output
    assert int(output.split("grew ")[1].split()[0]) < 50, output


def write_bomb(path, shape):
    """An archive like nnlib.save writes, but param_W1 declares `shape` of zeros: tiny, inflating to huge."""
    good = {key: value for key, value in np.load(save(MLP([2, 4, 1], seed=0), path)).items()}
    header = {"descr": "<f8", "fortran_order": False, "shape": shape}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for key, value in good.items():
            if key != "param_W1":
                with archive.open(key + ".npy", "w") as member:
                    np.lib.format.write_array(member, value)
        with archive.open("param_W1.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(member, header)
            zeros = bytes(2**24)
            for _ in range(math.prod(shape) * 8 // len(zeros)):
                member.write(zeros)


def test_a_compressed_file_that_inflates_far_beyond_its_size_is_refused_unread(tmp_path):
    # 256 MiB here (the example: 1 MiB inflating to 1 GiB) keeps the test quick: the header is read,
    # and refused, before any of the data is inflated, whatever its size.
    path = tmp_path / "bomb.npz"
    write_bomb(path, (2, 2**24))  # 2 * 2**24 float64 = 256 MiB of zeros
    assert path.stat().st_size < 2**19
    output = load_in_limited_child(path)
    assert "refused: " in output and "parameter W1 is float64 of shape (2, 16777216)" in output, output
    assert "needs numbers of shape (2, 4)" in output
    assert int(output.split("grew ")[1].split()[0]) < 50, output  # nothing was inflated


SLOW_SAVE_CHILD = """
import sys, time
import numpy as np
import nnlib, nnlib.io

def slow_savez(file, **arrays):
    # write half of a real archive, then hang: the parent kills this process mid-write
    handle = open(file, "wb") if isinstance(file, str) or hasattr(file, "__fspath__") else file
    handle.write(b"PK\\x03\\x04" + bytes(500))
    handle.flush()
    print("writing", flush=True)
    time.sleep(60)

nnlib.io.np.savez_compressed = slow_savez
nnlib.save(nnlib.MLP([2, 8, 1], seed=1), sys.argv[1])
"""


def test_a_kill_in_the_middle_of_save_leaves_the_old_file_intact(tmp_path):
    path = save(make_net(), tmp_path / "model.npz")
    child = subprocess.Popen([sys.executable, "-c", SLOW_SAVE_CHILD, str(path)], stdout=subprocess.PIPE,
                             text=True, cwd=ROOT)
    try:
        assert child.stdout.readline().strip() == "writing"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    loaded = load(path)  # the old network, whole
    assert loaded.layer_sizes == [3, 5, 4, 2]
    np.testing.assert_array_equal(loaded.params["W3"], make_net().params["W3"])


def test_save_replaces_an_existing_file_and_leaves_no_temporary_file(tmp_path):
    save(make_net(), tmp_path / "model.npz")
    save(MLP([2, 4, 1], seed=3), tmp_path / "model.npz")
    assert load(tmp_path / "model.npz").layer_sizes == [2, 4, 1]
    assert [file.name for file in tmp_path.iterdir()] == ["model.npz"]


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    save(make_net(), tmp_path / "model.npz")

    def failing_savez(file, **arrays):
        file.write(b"half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        save(MLP([2, 4, 1], seed=3), tmp_path / "model.npz")
    monkeypatch.undo()
    assert load(tmp_path / "model.npz").layer_sizes == [3, 5, 4, 2]
    assert [file.name for file in tmp_path.iterdir()] == ["model.npz"]
