"""Save a trained network to a .npz file and load it back.

The file holds the architecture (layer sizes, activation names, loss, init scheme) and every parameter,
as plain NumPy arrays: it is read with ``allow_pickle=False``, so loading a file never runs code.
Both functions add the suffix ``.npz`` when the path has none: ``save(net, "xor")`` writes ``xor.npz``
and ``load("xor")`` reads it.
"""

from __future__ import annotations

import math
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

__all__ = ["save", "load"]

FORMAT_VERSION = 1
ARCHITECTURE = ("layer_sizes", "activation", "output_activation", "loss", "init")
MAX_ARCHITECTURE_VALUES = 1000  # layer sizes and names are small: anything larger is a damaged file


def _npz_path(path: str | os.PathLike) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def save(net, path: str | os.PathLike) -> Path:
    """Write net's architecture and parameters to `path` (.npz added if missing); return the path written.

    The file is written whole or not at all: first to a temporary file beside it, which then replaces
    `path` in one step (os.replace), so a crash or a kill mid-write leaves the previous file intact.
    """
    if not isinstance(getattr(net, "params", None), dict) or not hasattr(net, "layer_sizes"):
        raise TypeError(f"net must be an nnlib.MLP, got {type(net).__name__}")
    path = _npz_path(path)
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
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez_compressed(file, **arrays)
            file.flush()
            os.fsync(file.fileno())  # on disk before it takes the old file's place
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


def _read(path: Path) -> tuple[dict[str, np.ndarray], dict[str, tuple]]:
    """The small arrays (architecture) and the headers (shape, dtype) of the others, or a clear error.

    Returns {key: array} for the architecture and {key: (shape, dtype)} for the parameters: nothing big is
    read before the shapes are known to match the architecture (see _read_params).
    """
    if not path.is_file():
        raise FileNotFoundError(f"no saved network at {path} (nnlib.save writes a .npz file)")
    try:
        with zipfile.ZipFile(path) as archive:
            headers = {name.removesuffix(".npy"): _header(archive, name) for name in archive.namelist()}
            for key in ("format_version", *ARCHITECTURE):
                if key in headers and math.prod(headers[key][0]) > MAX_ARCHITECTURE_VALUES:
                    raise ValueError(f"its {key!r} has shape {headers[key][0]}: far too large for an "
                                     "architecture (the file is damaged or was not written by nnlib.save)")
            small = {key: _read_array(archive, key) for key in ("format_version", *ARCHITECTURE)
                     if key in headers}
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError) as error:
        raise ValueError(f"{path} is not a readable .npz file written by nnlib.save ({error})") from error
    return small, headers


def _header(archive: zipfile.ZipFile, name: str) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) of one .npy member, read from its header alone: the data is not decompressed."""
    with archive.open(name) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
    return shape, dtype


def _read_array(archive: zipfile.ZipFile, key: str) -> np.ndarray:
    with archive.open(key + ".npy") as member:
        return np.lib.format.read_array(member, allow_pickle=False)


def load(path: str | os.PathLike):
    """Read a network written by save(): returns an nnlib.MLP with the same architecture and parameters.

    Sizes are checked before anything big is allocated or decompressed: the architecture must be one MLP
    accepts (at most nnlib.network.MAX_PARAMETERS parameters) and every stored parameter must have the
    shape it implies, so a damaged or hostile file is refused with a message instead of filling the memory.
    """
    from nnlib.network import MLP  # here, so that io.py can be read (and imported) on its own

    path = _npz_path(path)
    small, headers = _read(path)
    missing = [key for key in ("format_version", *ARCHITECTURE) if key not in small]
    if missing:
        raise ValueError(f"{path} lacks {missing}: it was not written by nnlib.save")
    try:
        net = MLP([int(size) for size in small["layer_sizes"]], activation=str(small["activation"]),
                  output_activation=str(small["output_activation"]), loss=str(small["loss"]),
                  init=str(small["init"]), seed=0)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path} describes a network nnlib cannot build: {error}") from error
    _fill_params(net, headers, path)
    return net


def _fill_params(net, headers: dict[str, tuple], path: Path) -> None:
    """Check every stored parameter's header against the architecture, then copy it into net.params."""
    names = {key.removeprefix("param_") for key in headers if key.startswith("param_")}
    if names != set(net.params):
        raise ValueError(f"{path} holds parameters {sorted(names)} but its architecture "
                         f"{net.layer_sizes} needs {sorted(net.params)}")
    for name, param in net.params.items():
        shape, dtype = headers[f"param_{name}"]
        if dtype.kind not in "fiu" or shape != param.shape:
            raise ValueError(f"{path}: parameter {name} is {dtype} of shape {shape} but the "
                             f"architecture {net.layer_sizes} needs numbers of shape {param.shape}")
    try:
        with zipfile.ZipFile(path) as archive:
            for name, param in net.params.items():
                param[...] = _read_array(archive, f"param_{name}")
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError) as error:
        raise ValueError(f"{path} is not a readable .npz file written by nnlib.save ({error})") from error
