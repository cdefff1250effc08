"""Tests for nnlib.io: save/load round trip and clear errors for bad files."""

import io
import math
import os
import pathlib
import re
import signal
import stat
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from nnlib.io import MAX_MEMBERS, load, save
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


def test_a_member_declaring_a_huge_header_is_refused_before_reading_it(tmp_path):
    # A .npy header's length takes 4 bytes in format 2.0: up to 4 GiB. NumPy reads the whole header before it
    # checks its length, so a file of 256 KiB declaring a header of 4 GiB (its spaces deflate 1000 to 1)
    # would make NumPy read 256 MiB here (about 3 GB from a 1.5 MB file) before refusing it.
    path = tmp_path / "header_bomb.npz"
    members = npz_members(save(MLP([2, 4, 1], seed=0), path))
    del members["format_version.npy"]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("format_version.npy", "w", force_zip64=True) as member:
            member.write(b"\x93NUMPY\x02\x00" + (0xFFFF_FFF0).to_bytes(4, "little"))
            for _ in range(16):
                member.write(b" " * 2**24)
        for name, value in members.items():
            with archive.open(name, "w") as member:
                np.lib.format.write_array(member, value)
    assert path.stat().st_size < 2**19
    output = load_in_limited_child(path)
    assert "refused: " in output and "its member format_version.npy declares a header of 4,294,967,280 " \
                                     "bytes, but a .npy header is at most 10,000" in output, output
    assert int(output.split("grew ")[1].split()[0]) < 50, output


@pytest.mark.parametrize(("offsets", "value"), [
    pytest.param((6, 8), 0x0001, id="encrypted"),  # general purpose flag bit 0: zipfile raises RuntimeError
    pytest.param((8, 10), 99, id="compression-method-99"),  # zipfile raises NotImplementedError
])
def test_zip_features_zipfile_cannot_read_are_refused_naming_the_file(tmp_path, offsets, value):
    path = save(MLP([2, 4, 1], seed=0), tmp_path / "odd.npz")
    data = bytearray(path.read_bytes())
    # (local file header, central directory entry) of every member: the field at these offsets of each
    for signature, offset in zip((b"PK\x03\x04", b"PK\x01\x02"), offsets, strict=True):
        start = data.find(signature)
        while start >= 0:
            data[start + offset:start + offset + 2] = value.to_bytes(2, "little")
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="odd.npz is not a readable .npz file written by nnlib.save"):
        load(path)


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


# --- hostile or damaged files, built member by member -------------------------------------------------------

def npz_members(path):
    """The members of a .npz file as {"name.npy": array}: a file save() wrote, to tamper with."""
    with np.load(path, allow_pickle=False) as stored:
        return {f"{key}.npy": stored[key] for key in stored.files}


def write_members(path, members):
    """Write a .npz by hand: each member is an array, or raw bytes (a crafted header, or anything at all)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, value in members.items():
            with archive.open(name, "w") as member:
                if isinstance(value, bytes):
                    member.write(value)
                else:
                    np.lib.format.write_array(member, value, allow_pickle=False)


def npy_header(descr, shape):
    """The bytes of a .npy header declaring dtype `descr` and `shape`: a header may claim what it likes."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


@pytest.mark.parametrize("dtype, value", [(np.float64, "nan"), (np.float64, "-inf"), (np.float16, "inf"),
                                          (np.longdouble, "1e4000")])  # beyond float64: inf once converted
def test_nan_or_inf_weights_are_refused_naming_the_file_and_parameter(tmp_path, dtype, value):
    path = save(MLP([2, 4, 1], seed=0), tmp_path / "diverged.npz")
    W1 = npz_members(path)["param_W1.npy"].astype(dtype)
    W1[0, 0] = dtype(value)
    rewrite(path, param_W1=W1)
    with pytest.raises(ValueError, match="diverged.npz: parameter W1 holds NaN or inf"):
        load(path)


@pytest.mark.parametrize("shape", [(1000,), ()])  # 2 GB per value: 1.8 TiB, or 1.9 GiB for one value
def test_an_architecture_member_declaring_huge_text_is_refused_before_allocating(tmp_path, shape):
    path = tmp_path / "huge_text.npz"
    members = npz_members(save(MLP([2, 4, 1], seed=0), path))
    members["activation.npy"] = npy_header("<U500000000", shape) + bytes(1000)
    write_members(path, members)
    assert path.stat().st_size < 3000
    output = load_in_limited_child(path)
    assert "refused: " in output and "its 'activation' is <U500000000" in output, output
    assert "far too large for an architecture" in output, output
    assert int(output.split("grew ")[1].split()[0]) < 50, output


@pytest.mark.parametrize("key, value, seen", [
    ("layer_sizes", np.array([np.inf, 4, 1]), "float64 of shape (3,)"),
    ("layer_sizes", np.array([2.0, 4.0, 1.0]), "float64 of shape (3,)"),  # save() writes int64
    ("layer_sizes", np.array([[2, 4, 1]]), "int64 of shape (1, 3)"),
    ("activation", np.array(3), "int64 of shape ()"),
    ("loss", np.array(b"mse"), "|S3 of shape ()"),
    ("init", np.array(["he", "xavier"]), "<U6 of shape (2,)"),
])
def test_architecture_members_of_another_dtype_or_shape_are_refused(tmp_path, key, value, seen):
    path = save(MLP([2, 4, 1], seed=0), tmp_path / "odd_dtype.npz")
    rewrite(path, **{key: value})
    with pytest.raises(ValueError, match=rf"odd_dtype.npz: its '{key}' is {re.escape(seen)}, but nnlib.save "
                                         "writes"):
        load(path)


def test_a_member_without_the_npy_suffix_is_refused(tmp_path):
    path = tmp_path / "no_suffix.npz"
    members = npz_members(save(MLP([2, 4, 1], seed=0), path))
    members["param_W1"] = members.pop("param_W1.npy")  # a valid header, under a name np.savez never writes
    write_members(path, members)
    with pytest.raises(ValueError, match=r"no_suffix.npz holds members that nnlib.save never writes: "
                                         r"\['param_W1'\]"):
        load(path)


@pytest.mark.parametrize("version", [99, 0, "x", 1.0, [1, 1]])
def test_another_format_version_is_refused_naming_both_versions(tmp_path, version):
    path = save(MLP([2, 4, 1], seed=0), tmp_path / "other.npz")
    rewrite(path, format_version=np.array(version))
    with pytest.raises(ValueError, match=rf"other.npz has format_version {re.escape(repr(version))}, but "
                                         "this nnlib reads version 1 only"):
        load(path)


def test_a_newer_format_with_other_members_is_refused_for_its_version(tmp_path):
    path = save(MLP([2, 4, 1], seed=0), tmp_path / "newer.npz")
    rewrite(path, format_version=np.array(2), optimizer_state=np.zeros(3))
    with pytest.raises(ValueError, match="newer.npz has format_version 2, but this nnlib reads version 1"):
        load(path)


def test_members_nnlib_never_writes_are_refused_unread_listing_a_few(tmp_path):
    path = tmp_path / "extra.npz"
    members = npz_members(save(MLP([2, 4, 1], seed=0), path))
    # not even .npy data: reading their headers would fail with another message
    members.update({f"extra_{k}.npy": b"not an array" for k in range(8)})
    write_members(path, members)
    with pytest.raises(ValueError, match=r"extra.npz holds members that nnlib.save never writes: "
                                         r"\['extra_0.npy', 'extra_1.npy', 'extra_2.npy', 'extra_3.npy', "
                                         r"'extra_4.npy'\] and 3 more"):
        load(path)


def test_a_file_of_too_many_members_is_refused_before_reading_them(tmp_path):
    path = tmp_path / "crowd.npz"
    members = npz_members(save(MLP([2, 4, 1], seed=0), path))  # 10 members
    members.update({f"param_W{k}.npy": b"not an array" for k in range(10, 5000)})  # names of the format
    write_members(path, members)
    with pytest.raises(ValueError, match=f"crowd.npz holds 5,000 members, but a network saved by nnlib.save "
                                         f"has at most {MAX_MEMBERS:,}"):
        load(path)


# --- where save() writes, and with which mode ---------------------------------------------------------

unix_modes = pytest.mark.skipif(os.name != "posix", reason="Unix file modes")


@unix_modes
@pytest.mark.parametrize("umask", [0o022, 0o027, 0o002], ids=oct)
def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path, umask):
    previous = os.umask(umask)
    try:
        path = save(make_net(), tmp_path / "shared.npz")
        with open(tmp_path / "by_open.npz", "wb"):
            pass
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE((tmp_path / "by_open.npz").stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # not mkstemp's 0o600


@unix_modes
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o444], ids=oct)
def test_overwriting_a_file_keeps_its_mode(tmp_path, mode):
    path = save(make_net(), tmp_path / "shared.npz")
    path.chmod(mode)
    save(MLP([2, 4, 1], seed=3), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert load(path).layer_sizes == [2, 4, 1]


@pytest.mark.parametrize("path", ["", "/", ".", "..", "models/.."])
def test_a_path_naming_no_file_is_refused(tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)  # should anything be written, it lands here
    with pytest.raises(ValueError, match=rf"path must name a file, such as 'xor' or 'models/xor.npz', "
                                         rf"got {re.escape(repr(path))}"):
        save(make_net(), path)
    with pytest.raises(ValueError, match="path must name a file"):
        load(path)
    assert list(tmp_path.iterdir()) == []


def test_saving_into_a_missing_directory_names_the_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=f"the directory {re.escape(str(tmp_path / 'models'))} does "
                                                "not exist"):
        save(make_net(), tmp_path / "models" / "xor")


def test_saving_where_a_file_or_a_directory_is_in_the_way_says_so(tmp_path):
    (tmp_path / "notes").write_text("a file, not a directory")
    with pytest.raises(NotADirectoryError, match="notes is a file, not a directory"):
        save(make_net(), tmp_path / "notes" / "xor")
    (tmp_path / "adir.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="adir.npz: it is a directory"):
        save(make_net(), tmp_path / "adir")
    assert sorted(file.name for file in tmp_path.iterdir()) == ["adir.npz", "notes"]


@pytest.mark.parametrize("directory", ["adir", "adir.npz"])
def test_loading_a_directory_says_it_is_a_directory(tmp_path, directory):
    (tmp_path / directory).mkdir()
    with pytest.raises(IsADirectoryError, match=f"{re.escape(str(tmp_path / directory))} is a directory"):
        load(tmp_path / "adir")


def test_saving_into_a_directory_without_write_permission_names_the_file_asked_for(tmp_path, monkeypatch):
    # A read-only shared folder (on a JupyterHub, say): the error named only the temporary file,
    # '.xor.npz.3f2a9c1b.tmp', which the learner never asked for.
    real_open = os.open

    def refusing_open(path, flags, mode=0o777):
        if str(path).endswith(".tmp"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, mode)

    monkeypatch.setattr(os, "open", refusing_open)
    with pytest.raises(PermissionError) as raised:
        save(make_net(), tmp_path / "xor")
    target = tmp_path / "xor.npz"
    assert str(raised.value).startswith(f"[Errno 13] cannot save to {target}: Permission denied (save writes "
                                        "a temporary file beside it first, .xor.npz.")
    assert raised.value.errno == 13   # for code that asks which error it was
    assert list(tmp_path.iterdir()) == []
