"""The channel between the grader (trusted) and a sandboxed notebook (untrusted): frames and values.

A *frame* is ``b"NNFS"``, a 4-byte big-endian length, then a *message*: a 4-byte length, a JSON header, and
the raw bytes of the arrays it mentions (``blobs``). The grader sends calls and the sandbox answers:

- grader -> sandbox: ``{"op": "has", "name": …}`` or ``{"op": "call", "name": …}`` with one blob, the
  pickled ``(args, kwargs, objects, readonly)``, each with ``"seconds"``: the time the call may take. Past
  it the sandbox interrupts the kernel (as a learner presses stop) and answers ``{"kind": "timeout",
  "stopped": true}``; a call that goes on ``INTERRUPT_GRACE`` seconds after the interrupt ends the run
  (``"stopped": false``). Unpickling trusted data in the sandbox is fine.
- sandbox -> grader: values as a JSON tree (``encode``) + raw array bytes. The grader **never unpickles or
  evaluates** what the sandbox sends: ``decode`` builds only None, bool, int, float, str, numeric arrays,
  NumPy scalars, lists, tuples, str-keyed dicts and generators, under limits on bytes, depth and count;
  anything else the learner returned arrives as ``Opaque(type name)``.

*Mirror semantics*: ``objects`` lists every mutable object reachable from the arguments (dicts, lists, arrays,
generators, networks). After the call the sandbox encodes the result and the final state of each of them;
a node that *is* one of them carries its index (``"id"``), so the grader updates its own object in place
(``np.copyto``, ``dict.clear`` + ``update``, generator state) and reproduces aliasing: what is one object in
the sandbox after the call is one object in the grader. Aliasing of memory is reproduced too: an array that is
not one of them but shares the memory of one (``grads["W"][:]``, ``.T``, ``.reshape``) travels as a ``view``
node (``of``: the index of that argument array, its *anchor*; byte ``offset``, ``shape``, ``strides``,
``dtype``; no data) and the grader builds it on its own anchor, inside that array's memory or not at all. The
grader pickles such views the same way (``remote.CallPickler``), so the sandbox starts from the same sharing.
"""

from __future__ import annotations

import json
import os
import re
import select
import struct
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from classroom.checks._core import Opaque

MAGIC = b"NNFS"
INTERRUPT_GRACE = 5.0   # seconds a call that ran out of time has to stop once the kernel is interrupted
DTYPE = re.compile(r"[<>|=][biufc](1|2|4|8|16)")   # matched whole (fullmatch): no "\n" after it
GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


class ProtocolError(Exception):
    """The sandbox sent something that is not a valid answer (malformed, too large, too deep, …)."""


class ChannelTimeout(Exception):
    """The sandbox did not answer in time."""


@dataclass(frozen=True)
class Limits:
    """What the grader accepts from a sandbox in one message."""
    bytes: int = 64 << 20
    depth: int = 48
    nodes: int = 100_000
    dims: int = 16
    values: int = 1 << 25   # numbers the answer stands for, every repeated part (ref) counted each time


# --- frames -----------------------------------------------------------------------------------------------
def pack(header: dict, blobs: list[bytes] = ()) -> bytes:
    head = json.dumps({**header, "blobs": [len(blob) for blob in blobs]}).encode()
    return struct.pack(">I", len(head)) + head + b"".join(blobs)


def unpack(message: bytes, limits: Limits = Limits()) -> tuple[dict, list[bytes]]:
    """(header, blobs) of a message; ProtocolError for anything malformed. Parses JSON only."""
    if len(message) < 4:
        raise ProtocolError("message too short")
    (size,) = struct.unpack(">I", message[:4])
    if size > len(message) - 4:
        raise ProtocolError("header longer than the message")
    try:
        header = json.loads(message[4:4 + size].decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise ProtocolError(f"header is not JSON ({type(error).__name__})") from None
    sizes = header.get("blobs") if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(type(n) is int and n >= 0 for n in sizes):
        raise ProtocolError("header has no valid blob list")
    if 4 + size + sum(sizes) != len(message):
        raise ProtocolError("blob sizes do not add up to the message length")
    blobs, start = [], 4 + size
    for n in sizes:
        blobs.append(message[start:start + n])
        start += n
    return header, blobs


def frame(message: bytes) -> bytes:
    return MAGIC + struct.pack(">I", len(message)) + message


def wait(deadline: float) -> float | None:
    """Seconds left for select (0 when past the deadline; None, forever, for an infinite deadline)."""
    return None if deadline == float("inf") else max(0.0, deadline - time.monotonic())


def read_exactly(fd: int, count: int, deadline: float) -> bytes:
    """Read ``count`` bytes from ``fd`` before ``deadline`` (time.monotonic); never more than asked."""
    chunks, missing = [], count
    while missing:
        if not select.select([fd], [], [], wait(deadline))[0]:
            raise ChannelTimeout()
        chunk = os.read(fd, min(missing, 1 << 20))
        if not chunk:
            raise ProtocolError("the sandbox closed the channel")
        chunks.append(chunk)
        missing -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float, limit: int) -> bytes:
    head = read_exactly(fd, 8, deadline)
    if head[:4] != MAGIC:
        raise ProtocolError("the sandbox wrote something that is not a frame")
    (size,) = struct.unpack(">I", head[4:])
    if size > limit:
        raise ProtocolError(f"answer of {size} bytes is over the limit of {limit}")
    return read_exactly(fd, size, deadline)


def write_all(fd: int, data: bytes, deadline: float) -> None:
    view = memoryview(data)
    while view:
        if not select.select([], [fd], [], wait(deadline))[1]:
            raise ChannelTimeout()
        view = view[os.write(fd, view[: 1 << 16]):]


# --- the grader's side: what may change, and decoding answers ---------------------------------------------
def mutable_objects(value: Any) -> list:
    """Every dict, list, array, generator and network reachable from ``value`` (depth first, each once)."""
    import nnlib
    found, seen = [], set()

    def visit(item: Any) -> None:
        if id(item) in seen:
            return
        if isinstance(item, dict | list | np.ndarray | np.random.Generator | nnlib.MLP):
            seen.add(id(item))
            found.append(item)
        if isinstance(item, dict):
            for entry in item.values():
                visit(entry)
        elif isinstance(item, list | tuple):
            for entry in item:
                visit(entry)
        elif isinstance(item, nnlib.MLP):
            visit(item.params)
    visit(value)
    return found


def span(shape: Sequence[int], strides: Sequence[int], itemsize: int) -> tuple[int, int]:
    """(first, one past the last) byte an array of this layout uses, from its first element's byte."""
    low = sum(min(0, (n - 1) * step) for n, step in zip(shape, strides, strict=True))
    high = sum(max(0, (n - 1) * step) for n, step in zip(shape, strides, strict=True))
    return low, high + itemsize


def extent(array: np.ndarray) -> tuple[int, int]:
    """(first, one past the last) memory address of the bytes a non-empty ``array`` uses."""
    start = array.__array_interface__["data"][0]
    low, high = span(array.shape, array.strides, array.itemsize)
    return start + low, start + high


def shareable(array: Any) -> bool:
    """A numeric, non-empty plain array: what a view may be built on and what may be a view."""
    return type(array) is np.ndarray and array.dtype.kind in "biufc" and array.size > 0


class Anchors:
    """The writeable C-contiguous arrays among ``objects`` that arrays sharing their memory are views of.

    An array shares an anchor's memory when its bytes lie inside the anchor's addresses (two live arrays
    that do not share memory never overlap), however it was made: slicing, ``.T``, ``as_strided``, a
    memoryview. Only views no larger than their anchor count (a zero-stride view of 2**40 elements is not
    one: it travels as data, under the size limits). Larger arrays first: an array inside one already chosen
    is a view of it, never an anchor itself, so no anchor is a view of another (no cycle)."""

    def __init__(self, objects: list):
        arrays = [(index, item) for index, item in enumerate(objects)
                  if shareable(item) and item.flags.c_contiguous and item.flags.writeable]
        self.anchors: list[tuple[int, np.ndarray, int, int]] = []
        for index, item in sorted(arrays, key=lambda pair: -pair[1].nbytes):
            if self.inside(item) is None:
                self.anchors.append((index, item, *extent(item)))

    def inside(self, array: np.ndarray) -> tuple[int, np.ndarray, int] | None:
        """(index, anchor, byte offset of ``array``'s first element) when ``array`` lies in an anchor."""
        if not shareable(array):
            return None
        low, high = extent(array)
        for index, anchor, start, end in self.anchors:
            if anchor is not array and start <= low and high <= end and array.nbytes <= anchor.nbytes:
                return index, anchor, array.__array_interface__["data"][0] - start
        return None


class Decoder:
    """Builds the grader's values from an answer: only plain data, under ``limits``; updates ``objects``."""

    def __init__(self, blobs: list[bytes], objects: list, limits: Limits = Limits()):
        self.blobs, self.objects, self.limits = blobs, objects, limits
        self.built: list[Any] = []   # values of the serial-numbered nodes, in order
        self.count = 0
        self.expanded = 0            # numbers and containers the answer stands for, each ref counted in full
        self.weights: dict[int, int] = {}   # id of a built value -> what it stands for (for its refs)

    def value(self, node: Any, depth: int = 0) -> Any:
        self.count += 1
        if self.count > self.limits.nodes or depth > self.limits.depth:
            raise ProtocolError("answer too large or too deeply nested")
        if node is None or isinstance(node, bool | int | float | str):
            self.grow(1)
            return node
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise ProtocolError("malformed value")
        kind = node["t"]
        if kind == "opaque":
            return Opaque(str(node.get("type", "object"))[:80])
        if kind == "scalar":
            return self.array(node)[()]
        if kind == "tuple":
            return tuple(self.value(item, depth + 1) for item in self.items(node))
        if kind == "ref":
            return self.reference(node)
        builders = {"array": self.new_array, "list": self.new_list, "dict": self.new_dict,
                    "generator": self.new_generator, "mlp": self.new_mlp, "view": self.new_view}
        if kind not in builders:
            raise ProtocolError(f"unknown value type {kind!r}")
        start = self.expanded
        value = builders[kind](node, self.original(node), depth)
        self.weights[id(value)] = self.expanded - start + 1   # the node itself and everything in it
        self.grow(1)
        return value

    def original(self, node: dict) -> Any:
        index = node.get("id")
        if index is None:
            return None
        if type(index) is not int or not 0 <= index < len(self.objects):
            raise ProtocolError("unknown object id")
        return self.objects[index]

    def reference(self, node: dict) -> Any:
        serial = node.get("n")
        if type(serial) is not int or not 0 <= serial < len(self.built) or self.built[serial] is _PENDING:
            raise ProtocolError("bad reference")
        value = self.built[serial]
        self.grow(self.weights.get(id(value), 1))   # [x, x] is two x to whoever reads it: np.asarray, a loop
        return value

    def grow(self, amount: int) -> None:
        """Count what the answer stands for; refuse it beyond limits.values (a 2 kB answer of nested refs
        can stand for 2**41 numbers)."""
        self.expanded += amount
        if self.expanded > self.limits.values:
            raise ProtocolError("answer too large once its repeated parts are counted")

    def register(self, value: Any) -> int:
        self.built.append(value)
        return len(self.built) - 1

    @staticmethod
    def items(node: dict) -> list:
        items = node.get("items")
        if not isinstance(items, list):
            raise ProtocolError("malformed container")
        return items

    def array(self, node: dict) -> np.ndarray:
        dtype, shape, blob = node.get("dtype"), node.get("shape"), node.get("blob")
        if (not isinstance(shape, list) or len(shape) > self.limits.dims
                or not all(type(n) is int and n >= 0 for n in shape)):
            raise ProtocolError("malformed array shape")
        if type(blob) is not int or not 0 <= blob < len(self.blobs):
            raise ProtocolError("malformed array data")
        data, dtype = self.blobs[blob], self.dtype(dtype)
        if int(np.prod(shape, dtype=object)) * dtype.itemsize != len(data):
            raise ProtocolError("array data does not match its shape")
        value = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
        self.grow(value.size)
        if node.get("writeable") is False:   # read-only in the sandbox (np.frombuffer, broadcast_to, ...)
            value.flags.writeable = False
        return value

    @staticmethod
    def dtype(text: Any) -> np.dtype:
        """The dtype of an array node: plain numbers only (``DTYPE``), or ProtocolError."""
        if not isinstance(text, str) or not DTYPE.fullmatch(text) or text[1] == "c" and text[2:] == "1":
            raise ProtocolError(f"refused array type {str(text)[:20]!r}")
        try:
            return np.dtype(text)
        except TypeError:   # e.g. '<i16' or '<f1': the pattern allows sizes no such type has
            raise ProtocolError(f"refused array type {text[:20]!r}") from None

    def new_array(self, node: dict, original: Any, depth: int) -> np.ndarray:
        value = self.array(node)
        if (isinstance(original, np.ndarray) and original.shape == value.shape
                and original.dtype == value.dtype):
            if original.flags.writeable:
                np.copyto(original, value)
                original.flags.writeable = value.flags.writeable
            value = original
        self.register(value)
        return value

    def new_view(self, node: dict, original: Any, depth: int) -> np.ndarray:
        """A view of one of the grader's own argument arrays, inside that array's memory (else refused)."""
        index, offset, shape, strides, dtype = (node.get(key) for key in
                                                ("of", "offset", "shape", "strides", "dtype"))
        if type(index) is not int or not 0 <= index < len(self.objects):
            raise ProtocolError("view of an unknown object")
        anchor = self.objects[index]
        if not (shareable(anchor) and anchor.flags.c_contiguous and anchor.flags.writeable):
            raise ProtocolError("view of an object that is not a writeable contiguous array")
        if (type(offset) is not int or not isinstance(shape, list) or not isinstance(strides, list)
                or len(shape) > self.limits.dims or len(strides) != len(shape)
                or not all(type(n) is int and n >= 0 for n in shape)
                or not all(type(n) is int for n in strides)):
            raise ProtocolError("malformed view")
        dtype = self.dtype(dtype)
        low, high = (0, 0) if 0 in shape else span(shape, strides, dtype.itemsize)
        if not (0 <= offset <= anchor.nbytes and 0 <= offset + low and offset + high <= anchor.nbytes):
            raise ProtocolError("view reaching outside its array")
        size = int(np.prod(shape, dtype=object))
        if size * dtype.itemsize > anchor.nbytes:   # zero strides: 2**40 elements in a few bytes
            raise ProtocolError("view larger than its array")
        self.grow(size)
        try:            # NumPy checks the bounds again
            value = np.ndarray(tuple(shape), dtype, buffer=anchor, offset=offset, strides=tuple(strides))
        except (ValueError, TypeError, OverflowError) as error:
            raise ProtocolError(f"invalid view ({type(error).__name__})") from None
        if node.get("writeable") is False:
            value.flags.writeable = False
        self.register(value)
        return value

    def new_list(self, node: dict, original: Any, depth: int) -> list:
        target = original if isinstance(original, list) else []
        serial = self.register(_PENDING)
        self.built[serial] = target
        target[:] = [self.value(item, depth + 1) for item in self.items(node)]
        return target

    def new_dict(self, node: dict, original: Any, depth: int) -> dict:
        target = original if isinstance(original, dict) else {}
        serial = self.register(_PENDING)
        self.built[serial] = target
        pairs = []
        for pair in self.items(node):
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str):
                raise ProtocolError("malformed dict entry")
            pairs.append((pair[0], self.value(pair[1], depth + 1)))
        target.clear()
        target.update(pairs)
        return target

    def new_generator(self, node: dict, original: Any, depth: int) -> np.random.Generator:
        state = self.value(node.get("state"), depth + 1)
        name = state.get("bit_generator") if isinstance(state, dict) else None
        if name not in GENERATORS:
            raise ProtocolError("unknown bit generator")
        target = original if isinstance(original, np.random.Generator) else np.random.Generator(
            getattr(np.random, name)())
        try:
            target.bit_generator.state = state
        except (TypeError, ValueError, KeyError, OverflowError) as error:
            raise ProtocolError(f"invalid generator state ({type(error).__name__})") from None
        self.register(target)
        return target

    def new_mlp(self, node: dict, original: Any, depth: int) -> Any:
        import nnlib
        if not isinstance(original, nnlib.MLP):
            raise ProtocolError("a network is only sent back for a network argument")
        serial = self.register(original)
        params = self.value(node.get("params"), depth + 1)
        if params is not original.params:
            original.params = params
        return self.built[serial]


_PENDING = object()


def decode(header: dict, blobs: list[bytes], objects: list, limits: Limits = Limits()) -> Any:
    """The result of a call, after updating ``objects`` to their state in the sandbox."""
    decoder = Decoder(blobs, objects, limits)
    result = decoder.value(header.get("result"))
    states = header.get("objects")
    if not isinstance(states, list) or len(states) != len(objects):
        raise ProtocolError("the answer does not describe every argument")
    for state in states:
        decoder.value(state)
    return result


# --- the sandbox's side: encoding results ------------------------------------------------------------------
class Encoder:
    """Turns the learner's values into a JSON tree + array bytes; unknown types become opaque."""

    def __init__(self, objects: list, limits: Limits = Limits()):
        self.ids = {id(item): index for index, item in enumerate(objects)}
        self.anchors = Anchors(objects)
        self.serials: dict[int, int] = {}
        self.blobs: list[bytes] = []
        self.keep: list = []
        self.limits = limits

    def value(self, value: Any, depth: int = 0) -> Any:
        if isinstance(value, np.generic):   # before float: np.float64 is a float
            return self.scalar(value)
        if value is None or isinstance(value, bool):
            return None if value is None else bool(value)
        if isinstance(value, int):   # generator states hold 128-bit ints; far larger ones are refused
            return int(value) if abs(value) < 1 << 512 else {"t": "opaque", "type": "int"}
        if isinstance(value, float | str):
            return float(value) if isinstance(value, float) else str(value)
        if depth > self.limits.depth:
            return {"t": "opaque", "type": "too deeply nested"}
        if isinstance(value, tuple):
            return {"t": "tuple", "items": [self.value(item, depth + 1) for item in value]}
        if id(value) in self.serials:
            return {"t": "ref", "n": self.serials[id(value)]}
        return self.container(value, depth)

    def scalar(self, value: np.generic) -> Any:
        if value.dtype.kind not in "biufc":
            return {"t": "opaque", "type": type(value).__name__}
        return {"t": "scalar", **self.array_fields(np.asarray(value))}

    def array_fields(self, array: np.ndarray) -> dict:
        self.blobs.append(np.ascontiguousarray(array).tobytes())
        return {"dtype": array.dtype.str, "shape": list(array.shape), "blob": len(self.blobs) - 1}

    def container(self, value: Any, depth: int) -> Any:
        import nnlib
        node: dict = {}
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biufc" or not DTYPE.fullmatch(value.dtype.str):
                return {"t": "opaque", "type": f"array of {value.dtype}"}
            view = None if id(value) in self.ids else self.anchors.inside(value)
            if view is None:
                node = {"t": "array", **self.array_fields(value)}
                if not value.flags.writeable:
                    node["writeable"] = False
            else:
                node = {"t": "view", "of": view[0], "offset": view[2], "shape": list(value.shape),
                        "strides": list(value.strides), "dtype": value.dtype.str,
                        "writeable": bool(value.flags.writeable)}
        elif isinstance(value, list):
            node = {"t": "list"}
        elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
            node = {"t": "dict"}
        elif isinstance(value, np.random.Generator):
            node = {"t": "generator", "state": self.value(value.bit_generator.state, depth + 1)}
        elif isinstance(value, nnlib.MLP) and id(value) in self.ids:
            node = {"t": "mlp"}
        else:
            return {"t": "opaque", "type": type(value).__name__}
        self.serials[id(value)] = len(self.serials)
        self.keep.append(value)      # ids stay unique while encoding
        if id(value) in self.ids:
            node["id"] = self.ids[id(value)]
        if node["t"] == "list":
            node["items"] = [self.value(item, depth + 1) for item in value]
        elif node["t"] == "dict":
            node["items"] = [[key, self.value(item, depth + 1)] for key, item in value.items()]
        elif node["t"] == "mlp":
            node["params"] = self.value(value.params, depth + 1)
        return node


def encode_answer(result: Any, objects: list) -> bytes:
    """The message for a call that returned ``result``, with the final state of every argument object."""
    encoder = Encoder(objects)
    header = {"kind": "returned", "result": encoder.value(result),
              "objects": [encoder.value(item) for item in objects]}
    return pack(header, encoder.blobs)
