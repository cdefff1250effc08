"""Save a trained network to a .npz file and load it back.

The file holds the architecture (layer sizes, activation names, loss, init scheme) and every parameter,
as plain NumPy arrays: it is read with ``allow_pickle=False``, so loading a file never runs code.
Both functions add the suffix ``.npz`` when the path has none: ``save(net, "xor")`` writes ``xor.npz``
and ``load("xor")`` reads it.
"""

from __future__ import annotations

import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

__all__ = ["save", "load"]

FORMAT_VERSION = 1
ARCHITECTURE = ("layer_sizes", "activation", "output_activation", "loss", "init")


def _npz_path(path: str | os.PathLike) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or pathlib.Path, got {type(path).__name__}")
    path = Path(path)
    return path if path.suffix == ".npz" else path.with_name(path.name + ".npz")


def save(net, path: str | os.PathLike) -> Path:
    """Write net's architecture and parameters to `path` (.npz added if missing); return the path written."""
    if not isinstance(getattr(net, "params", None), dict) or not hasattr(net, "layer_sizes"):
        raise TypeError(f"net must be an nnlib.MLP, got {type(net).__name__}")
    path = _npz_path(path)
    arrays = {
        "format_version": np.array(FORMAT_VERSION),
        "layer_sizes": np.array(net.layer_sizes, dtype=np.int64),
        "activation": np.array(net.activation),
        "output_activation": np.array(net.output_activation),
        "loss": np.array(net.loss_name),
        "init": np.array(str(net.init)),
    }
    arrays.update({f"param_{name}": np.asarray(value) for name, value in net.params.items()})
    np.savez_compressed(path, **arrays)
    return path


def _read(path: Path) -> dict[str, np.ndarray]:
    """Every array of the file, or a clear error naming the file."""
    if not path.is_file():
        raise FileNotFoundError(f"no saved network at {path} (nnlib.save writes a .npz file)")
    try:
        with open(path, "rb") as handle:  # closed even when the archive turns out to be broken
            stored = np.load(handle, allow_pickle=False)
            if not isinstance(stored, np.lib.npyio.NpzFile):  # a lone .npy array, not an archive
                raise ValueError("it holds a single array, not an archive of named arrays")
            return {key: stored[key] for key in stored.files}
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError) as error:
        raise ValueError(f"{path} is not a readable .npz file written by nnlib.save ({error})") from error


def load(path: str | os.PathLike):
    """Read a network written by save(): returns an nnlib.MLP with the same architecture and parameters."""
    from nnlib.network import MLP  # here, so that io.py can be read (and imported) on its own

    path = _npz_path(path)
    stored = _read(path)
    missing = [key for key in ("format_version", *ARCHITECTURE) if key not in stored]
    if missing:
        raise ValueError(f"{path} lacks {missing}: it was not written by nnlib.save")
    try:
        net = MLP([int(size) for size in stored["layer_sizes"]], activation=str(stored["activation"]),
                  output_activation=str(stored["output_activation"]), loss=str(stored["loss"]),
                  init=str(stored["init"]), seed=0)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{path} describes a network nnlib cannot build: {error}") from error
    _fill_params(net, stored, path)
    return net


def _fill_params(net, stored: dict[str, np.ndarray], path: Path) -> None:
    """Copy the stored parameters into net.params in place, checking names and shapes."""
    names = {key.removeprefix("param_") for key in stored if key.startswith("param_")}
    if names != set(net.params):
        raise ValueError(f"{path} holds parameters {sorted(names)} but its architecture "
                         f"{net.layer_sizes} needs {sorted(net.params)}")
    for name, param in net.params.items():
        value = stored[f"param_{name}"]
        if value.dtype.kind not in "fiu" or value.shape != param.shape:
            raise ValueError(f"{path}: parameter {name} is {value.dtype} of shape {value.shape} but the "
                             f"architecture {net.layer_sizes} needs numbers of shape {param.shape}")
        param[...] = value
