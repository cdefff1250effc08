"""Save a trained network to a .npz file and load it back.

The file holds the architecture (layer sizes, activation names, loss, init scheme) and every parameter,
as plain NumPy arrays: it is read with ``allow_pickle=False``, so loading a file never runs code.
Both functions add the suffix ``.npz`` when the path has none: ``save(net, "xor")`` writes ``xor.npz``
and ``load("xor")`` reads it.

load() treats a file as possibly damaged or hostile: it checks the list of members, then each member's
header (shape and dtype), and only then reads data. A bad file is refused with a ValueError naming it,
never with a bare NumPy error, a huge allocation or a network of NaN weights.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import secrets
import stat
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

__all__ = ["save", "load"]

FORMAT_VERSION = 1
ARCHITECTURE = ("layer_sizes", "activation", "output_activation", "loss", "init")
MAX_ARCHITECTURE_VALUES = 1000  # layer sizes and names are small: anything larger is a damaged file
MAX_ARCHITECTURE_BYTES = 8 * MAX_ARCHITECTURE_VALUES  # 1000 int64 layer sizes, or a name of 2000 characters
# What save() writes for each architecture member: (dtype kinds, number of dimensions, description).
# Kinds: "i"/"u" are signed/unsigned integers, "U" is text. save() writes layer sizes as int64: floats are
# refused rather than rounded (np.inf would not even convert).
ARCHITECTURE_FORMAT = {"layer_sizes": ("iu", 1, "a 1-D array of integers"),
                       **{key: ("U", 0, "one short text") for key in ARCHITECTURE[1:]}}
# The members save() writes: format_version, the architecture, and param_W<k>, param_b<k> for each layer.
ARCHITECTURE_MEMBERS = {f"{key}.npy" for key in ("format_version", *ARCHITECTURE)}
PARAM_MEMBER = re.compile(r"param_[Wb][1-9][0-9]*\.npy")
MAX_MEMBERS = len(ARCHITECTURE_MEMBERS) + 2 * (MAX_ARCHITECTURE_VALUES - 1)  # at most 999 layers
# A .npy header is a short text such as "{'descr': '<f8', 'fortran_order': False, 'shape': (64, 10), }": the
# bytes before it give its length (2 bytes in format 1.0, 4 bytes in 2.0 and 3.0, so up to 4 GiB). NumPy reads
# all of it before it checks the length, so the length is checked here first, against NumPy's own limit.
MAX_HEADER_BYTES = 10_000
HEADER_LENGTH_FORMAT = {1: "<H", 2: "<I", 3: "<I"}  # by the format's major version: struct's little-endian


def _npz_path(path: str | os.PathLike) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    npz = Path(path)
    if npz.name in ("", ".."):  # "", ".", "/" and "models/.." name a directory, not a file
        raise ValueError(f"path must name a file, such as 'xor' or 'models/xor.npz', got {os.fspath(path)!r}")
    return npz if npz.suffix == ".npz" else npz.with_name(npz.name + ".npz")


def save(net, path: str | os.PathLike) -> Path:
    """Write net's architecture and parameters to `path` (.npz added if missing); return the path written.

    The file is written whole or not at all: first to a temporary file beside it, which then replaces
    `path` in one step (os.replace), so a crash or a kill mid-write leaves the previous file intact.
    """
    if not isinstance(getattr(net, "params", None), dict) or not hasattr(net, "layer_sizes"):
        raise TypeError(f"net must be an nnlib.MLP, got {type(net).__name__}")
    path = _npz_path(path)
    _check_can_write(path)
    net.check_params()  # refuses NaN weights: a file of them would only spread the damage
    arrays = {
        "format_version": np.array(FORMAT_VERSION),
        "layer_sizes": np.array(net.layer_sizes, dtype=np.int64),
        "activation": np.array(net.activation),
        "output_activation": np.array(net.output_activation),
        "loss": np.array(net.loss_name),
        "init": np.array(str(net.init)),
    }
    arrays.update({f"param_{name}": np.asarray(value) for name, value in net.params.items()})
    _write_atomically(path, arrays)
    return path


def _check_can_write(path: Path) -> None:
    """Refuse a path whose directory is missing, or which is itself a directory, saying which."""
    if not path.parent.exists():
        raise FileNotFoundError(f"cannot save to {path}: the directory {path.parent} does not exist "
                                "(create it first, e.g. with os.makedirs)")
    if not path.parent.is_dir():
        raise NotADirectoryError(f"cannot save to {path}: {path.parent} is a file, not a directory")
    if path.is_dir():
        raise IsADirectoryError(f"cannot save to {path}: it is a directory (name a file inside it, such as "
                                f"{path / 'model.npz'})")


def _write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays to a new file beside `path`, then put that file in path's place in one step."""
    old_mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else None
    handle, temporary = _create_beside(path)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, **arrays)
            file.flush()
            os.fsync(file.fileno())  # on disk before it takes the old file's place
        if old_mode is not None:
            # A replaced file keeps its mode: a model shared with 0o644 stays readable by the others.
            # A file system without Unix modes (FAT, some network shares) may refuse: the save matters more.
            with contextlib.suppress(OSError):
                os.chmod(temporary, old_mode)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _create_beside(path: Path) -> tuple[int, Path]:
    """Create a new, empty temporary file in path's directory; return its file descriptor and its path.

    os.open applies the umask itself, so the file gets the mode open(path, "wb") would give it (0o666 less
    the umask: usually 0o644). tempfile.mkstemp would give 0o600, unreadable by anyone else.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)  # O_BINARY exists on Windows
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:  # O_EXCL: never reuse (or follow a link at) an existing name; draw another
            continue
        except OSError as error:  # e.g. no permission to write in that directory: name the file asked for
            raise type(error)(error.errno, f"cannot save to {path}: {error.strerror or error} (save writes a "
                              f"temporary file beside it first, {temporary.name})") from None  # errno kept


def load(path: str | os.PathLike):
    """Read a network written by save(): returns an nnlib.MLP with the same architecture and parameters.

    Sizes are checked before anything big is allocated or decompressed: the architecture must be one MLP
    accepts (at most nnlib.network.MAX_PARAMETERS parameters) and every stored parameter must have the
    shape it implies, so a damaged or hostile file is refused with a message instead of filling the memory.
    """
    path = _npz_path(path)
    _check_is_file(path)
    with _unreadable_as_value_error(path):
        archive = zipfile.ZipFile(path)
    with archive:
        net = _build(_read_architecture(archive, path), path)
        _fill_params(net, archive, path)
    return net


def _check_is_file(path: Path) -> None:
    """Refuse a path that is missing or a directory, saying which."""
    if path.is_file():
        return
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a directory, not a network saved by nnlib.save (a .npz file)")
    given = path.with_name(path.name.removesuffix(".npz"))  # load("adir") looks for adir.npz
    if given.is_dir():
        raise IsADirectoryError(f"{given} is a directory, not a network saved by nnlib.save (a .npz file; "
                                f"there is no {path})")
    raise FileNotFoundError(f"no saved network at {path} (nnlib.save writes a .npz file)")


@contextlib.contextmanager
def _unreadable_as_value_error(path: Path):
    """Turn what zipfile and NumPy raise on a damaged file into one ValueError that names the file."""
    try:
        yield
    # zipfile raises RuntimeError for an encrypted member and NotImplementedError for an unknown compression
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError, RuntimeError,
            NotImplementedError) as error:
        raise ValueError(f"{path} is not a readable .npz file written by nnlib.save ({error})") from error


def _read_architecture(archive: zipfile.ZipFile, path: Path) -> dict[str, np.ndarray]:
    """Check the archive's list of members and its format version; return {key: array} of the architecture."""
    names = archive.namelist()  # zipfile listed the members on opening the file: no header is read yet
    if len(names) > MAX_MEMBERS:
        raise ValueError(f"{path} holds {len(names):,} members, but a network saved by nnlib.save has at "
                         f"most {MAX_MEMBERS:,} (the file is damaged or was not written by nnlib.save)")
    if "format_version.npy" in names:  # first: another version may well have other members
        _check_version(archive, path)
    unknown = [name for name in names
               if name not in ARCHITECTURE_MEMBERS and not PARAM_MEMBER.fullmatch(name)]
    if unknown:
        more = f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else ""
        raise ValueError(f"{path} holds members that nnlib.save never writes: {unknown[:5]}{more} (it writes "
                         "format_version.npy, layer_sizes.npy, ..., param_W1.npy, param_b1.npy, ...)")
    missing = [key for key in ("format_version", *ARCHITECTURE) if f"{key}.npy" not in names]
    if missing:
        raise ValueError(f"{path} lacks {missing}: it was not written by nnlib.save")
    return {key: _read_small(archive, key, path) for key in ARCHITECTURE}


def _check_version(archive: zipfile.ZipFile, path: Path) -> None:
    """Refuse a file in another format version than the one this nnlib writes (FORMAT_VERSION)."""
    version = _read_small(archive, "format_version", path)
    if version.dtype.kind not in "iu" or version.ndim != 0 or version != FORMAT_VERSION:
        raise ValueError(f"{path} has format_version {version.tolist()!r}, but this nnlib reads version "
                         f"{FORMAT_VERSION} only (was the file saved by another version of nnlib?)")


def _read_small(archive: zipfile.ZipFile, key: str, path: Path) -> np.ndarray:
    """Read one architecture member, once its header shows it small and of the dtype save() writes.

    A tiny file can declare a huge array (a 1000-character name is 4 kB; '<U500000000' is 2 GB per
    value): its header is checked in bytes before NumPy allocates anything.
    """
    shape, dtype = _header(archive, f"{key}.npy", path)
    size = math.prod(shape)
    if size > MAX_ARCHITECTURE_VALUES or size * dtype.itemsize > MAX_ARCHITECTURE_BYTES:
        raise ValueError(f"{path}: its {key!r} is {dtype} of shape {shape} ({size * dtype.itemsize:,} "
                         "bytes): far too large for an architecture (the file is damaged or was not written "
                         "by nnlib.save)")
    if key in ARCHITECTURE_FORMAT:  # format_version is checked by its value, in _check_version
        kinds, ndim, expected = ARCHITECTURE_FORMAT[key]
        if dtype.kind not in kinds or len(shape) != ndim:
            raise ValueError(f"{path}: its {key!r} is {dtype} of shape {shape}, but nnlib.save writes "
                             f"{expected} (the file is damaged or was not written by nnlib.save)")
    return _read_array(archive, f"{key}.npy", path)


def _header(archive: zipfile.ZipFile, name: str, path: Path) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) of one .npy member, read from its header alone: the data is not decompressed.

    The header's declared length is checked before the header is read (see MAX_HEADER_BYTES).
    """
    with _unreadable_as_value_error(path), archive.open(name) as member:
        major, _ = np.lib.format.read_magic(member)  # the 6-byte magic string and the version: 8 bytes
        length_format = HEADER_LENGTH_FORMAT.get(major)
        if length_format is None:
            raise ValueError(f"{name} is in .npy format version {major}, which NumPy does not know")
        length_bytes = member.read(struct.calcsize(length_format))
        if len(length_bytes) != struct.calcsize(length_format):
            raise EOFError(f"{name} ends inside its header")
        (header_length,) = struct.unpack(length_format, length_bytes)
    if header_length > MAX_HEADER_BYTES:
        raise ValueError(f"{path}: its member {name} declares a header of {header_length:,} bytes, but a "
                         f".npy header is at most {MAX_HEADER_BYTES:,} (the file is damaged or was not "
                         "written by nnlib.save)")
    with _unreadable_as_value_error(path), archive.open(name) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    return shape, dtype


def _read_array(archive: zipfile.ZipFile, name: str, path: Path) -> np.ndarray:
    with _unreadable_as_value_error(path), archive.open(name) as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def _build(architecture: dict[str, np.ndarray], path: Path):
    """The MLP the stored architecture describes (its parameters not yet loaded), or a clear error."""
    from nnlib.network import MLP  # here, so that io.py can be read (and imported) on its own

    try:
        return MLP([int(size) for size in architecture["layer_sizes"]],
                   activation=str(architecture["activation"]),
                   output_activation=str(architecture["output_activation"]), loss=str(architecture["loss"]),
                   init=str(architecture["init"]), seed=0)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path} describes a network nnlib cannot build: {error}") from error


def _fill_params(net, archive: zipfile.ZipFile, path: Path) -> None:
    """Check every stored parameter's header against the architecture, then copy it into net.params."""
    names = {name.removeprefix("param_").removesuffix(".npy") for name in archive.namelist()
             if name.startswith("param_")}
    if names != set(net.params):
        raise ValueError(f"{path} holds parameters {sorted(names)} but its architecture "
                         f"{net.layer_sizes} needs {sorted(net.params)}")
    for name, param in net.params.items():
        shape, dtype = _header(archive, f"param_{name}.npy", path)
        if dtype.kind not in "fiu" or shape != param.shape:
            raise ValueError(f"{path}: parameter {name} is {dtype} of shape {shape} but the "
                             f"architecture {net.layer_sizes} needs numbers of shape {param.shape}")
    for name, param in net.params.items():
        with np.errstate(over="ignore"):  # a float128 value beyond float64's range becomes inf: refused below
            param[...] = _read_array(archive, f"param_{name}.npy", path)
        if not np.isfinite(param).all():
            raise ValueError(f"{path}: parameter {name} holds NaN or inf, which nnlib.save never writes "
                             "(the file is damaged)")
