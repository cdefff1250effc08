"""classroom.remote + classroom.wire: the learner's functions called in a real sandbox, results brought back
as plain data with the arguments mirrored; and answers a hostile sandbox could send, refused unexecuted."""

import json
import os
import pickle
import struct
import subprocess
import sys
import time

import nbformat
import numpy as np
import pytest

import nnlib
from classroom import sandbox, wire
from classroom.checks._core import TIME_LIMIT, LearnerRaised, Missing, Opaque
from classroom.checks.nb03 import cubic_sum
from classroom.remote import Channel, RemoteLearner

pytestmark = pytest.mark.skipif(not sandbox.bwrap_available(), reason="needs bwrap (bubblewrap)")

LEARNER_CODE = '''
import numpy as np

def same(x):
    return x

def pair(x):
    return x, [x, {"again": x}]

def inplace(params):
    for name in params:
        params[name] -= 1.0

def rebind(params):
    params["W"] = params["W"] - 1.0

def alias(velocity, grads):
    for name in grads:
        velocity[name] = grads[name]

def slice_of(velocity, grads):
    for name in grads:
        velocity[name] = grads[name][:]

def views(x):
    return x.T, x[::-1, 1::2], x.reshape(-1)[2:6], x[0]

def other_views(velocity, grads):
    velocity["strided"] = np.lib.stride_tricks.as_strided(grads["W"])   # its .base is no ndarray
    velocity["memory"] = np.asarray(memoryview(grads["b"]))
    velocity["frozen"] = np.frombuffer(grads["W"].tobytes()).reshape(grads["W"].shape)   # a read-only copy

def doubled(d):
    nested = [0.0, 0.0]
    for _ in range(40):
        nested = [nested, nested]     # 2**41 numbers in 41 lists
    d["b"] = nested

def zero_strides(d, x):
    d["b"] = np.ndarray((2**21,), np.int8, buffer=x, strides=(0,))   # 2 MB of one byte of x

def write_then_read(a, b):
    a[...] = 7.0
    return b.copy()

def grow(d, items):
    d["new"] = np.ones(2)
    del d["old"]
    items.append(3)

def draw(rng):
    return rng.random(3)

def apply(f, x):
    return f(x)

def train(net):
    net.params["W1"] += 1.0
    return net.params

def outer(x):
    return inner(x)

def inner(x):
    raise ValueError("x is wrong")

def todo(x):
    raise NotImplementedError()

def leave():
    raise SystemExit(3)

def chatty(x):
    print("✓ all correct " * 1000)
    import warnings; warnings.warn("noise")
    return x + 1

def odd(kind):
    return {"set": {1, 2}, "objects": np.array([object()]), "function": (lambda: 0),
            "ints": {1: 2}, "huge": 10 ** 600}[kind]

def spin():
    while True:
        pass

def stubborn():   # swallows the interrupt the grader's sandbox sends when the time is up
    import time
    while True:
        try:
            time.sleep(0.1)
        except KeyboardInterrupt:
            pass

not_callable = 3
'''


def start(code: str, timeout: float = 30, call_timeout: float = 20, limits: wire.Limits | None = None
          ) -> RemoteLearner:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    with sandbox.job_uids(1 if sandbox.as_root() else 0, base=64500) as uids:   # released when it returns:
        uid = uids[0] if uids else None                                          # no grader runs here
    process = sandbox.start(nbformat.writes(nb).encode(), "01_test", sandbox.Limits(timeout=timeout), uid)
    channel = Channel(process, limits)
    header, _ = channel.receive(timeout + 30)
    assert header == {"kind": "ready", "status": "ok", "blobs": []}
    return RemoteLearner(channel, call_timeout)


@pytest.fixture(scope="module")
def learner():
    remote = start(LEARNER_CODE)
    yield remote
    remote.channel.close()


@pytest.mark.parametrize("value", [None, True, 3, -2.5, float("inf"), "héllo", (1, "a"), [1, [2.0]],
                                   {"a": 1, "b": [None]}, 2 ** 100])
def test_plain_values_round_trip(learner, value):
    assert learner.function("same")(value) == value


@pytest.mark.parametrize("array", [np.arange(6.0).reshape(2, 3),
                                   np.array([True, False]), np.arange(4, dtype="i1"),
                                   np.array(2.5), np.array([1 + 2j]), np.zeros((0, 3)),
                                   np.asfortranarray(np.eye(3))])
def test_arrays_round_trip_with_their_dtype_and_shape(learner, array):
    got = learner.function("same")(array.copy())
    assert got.dtype == array.dtype and got.shape == array.shape and np.array_equal(got, array)


def test_numpy_scalars_keep_their_type(learner):
    for scalar in (np.float32(1.5), np.int64(7), np.bool_(True), np.float64(np.nan)):
        got = learner.function("same")(scalar)
        assert type(got) is type(scalar) and (got == scalar or np.isnan(got))


def test_returning_an_argument_returns_the_callers_object(learner):
    x = np.arange(3.0)
    result, (again, inside) = learner.function("pair")(x)
    assert result is x and again is x and inside["again"] is x


def test_arrays_changed_in_place_are_changed_in_place(learner):
    W, b = np.ones((2, 2)), np.zeros(2)
    params = {"W": W, "b": b}
    learner.function("inplace")(params)
    assert params["W"] is W and params["b"] is b
    assert np.array_equal(W, np.zeros((2, 2))) and np.array_equal(b, -np.ones(2))


def test_a_rebound_array_is_a_new_object_and_the_old_one_keeps_its_values(learner):
    W = np.ones(2)
    params = {"W": W}
    learner.function("rebind")(params)
    assert params["W"] is not W and np.array_equal(params["W"], np.zeros(2)) and np.array_equal(W, np.ones(2))


def test_aliasing_made_in_the_sandbox_is_visible(learner):
    velocity, grads = {}, {"W1": np.ones(2), "b1": np.zeros(1)}
    learner.function("alias")(velocity, grads)
    assert velocity["W1"] is grads["W1"] and velocity["b1"] is grads["b1"]


def test_a_view_made_in_the_sandbox_is_a_view_in_the_grader(learner):
    velocity, grads = {}, {"W": np.ones((2, 2)), "b": np.zeros(2)}
    learner.function("slice_of")(velocity, grads)
    for name in grads:
        assert velocity[name] is not grads[name] and np.shares_memory(velocity[name], grads[name])
    velocity["W"] += 1.0                 # what the learner's next momentum step does to its buffer
    assert np.array_equal(grads["W"], np.full((2, 2), 2.0))


def test_views_made_without_slicing_and_read_only_copies_come_back_as_they_are(learner):
    velocity, grads = {}, {"W": np.ones((2, 2)), "b": np.zeros(2)}
    learner.function("other_views")(velocity, grads)
    assert np.shares_memory(velocity["strided"], grads["W"])
    assert np.shares_memory(velocity["memory"], grads["b"])
    assert not velocity["frozen"].flags.writeable and not np.shares_memory(velocity["frozen"], grads["W"])
    velocity["strided"] *= 3.0           # the learner's next step writes into the gradient, as in a notebook
    assert np.array_equal(grads["W"], np.full((2, 2), 3.0))


def test_an_answer_standing_for_2_to_the_41_numbers_is_refused_not_expanded():
    learner = start(LEARNER_CODE)
    started = time.monotonic()
    with pytest.raises(LearnerRaised, match="repeated parts"):
        learner.function("doubled")({"b": np.zeros(1)})
    assert time.monotonic() - started < 20


def test_a_zero_stride_view_larger_than_its_array_travels_as_data_under_the_size_limit():
    learner = start(LEARNER_CODE, limits=wire.Limits(bytes=1 << 20))   # answers of at most 1 MB
    with pytest.raises(LearnerRaised, match="over the limit"):
        learner.function("zero_strides")({}, np.ones(4))


def test_views_of_an_argument_keep_their_layout(learner):
    x = np.arange(12.0).reshape(3, 4)
    got = learner.function("views")(x)
    for view, expected in zip(got, (x.T, x[::-1, 1::2], x.reshape(-1)[2:6], x[0]), strict=True):
        assert np.shares_memory(view, x) and view.strides == expected.strides
        assert np.array_equal(view, expected)


def test_an_argument_that_is_a_view_of_another_is_one_in_the_sandbox(learner):
    grads = np.zeros((2, 3))
    velocity = grads[:, 1:]
    assert np.array_equal(learner.function("write_then_read")(grads, velocity), np.full((2, 2), 7.0))
    assert np.array_equal(grads, np.full((2, 3), 7.0)) and np.shares_memory(velocity, grads)
    buffers = {"W": grads[0]}             # a view made by an earlier call, passed again with its array
    assert np.array_equal(learner.function("write_then_read")(grads, buffers["W"]), np.full(3, 7.0))


def test_a_view_whose_array_is_not_passed_travels_as_a_copy(learner):
    grads = np.zeros(4)
    got = learner.function("write_then_read")(grads[1:], grads[1:3])
    assert np.array_equal(got, np.full(2, 7.0)) and np.array_equal(grads, [0.0, 7.0, 7.0, 7.0])


def test_dicts_and_lists_are_updated_in_place(learner):
    d, items = {"old": 1, "keep": np.zeros(1)}, [1, 2]
    keep = d["keep"]
    learner.function("grow")(d, items)
    assert set(d) == {"keep", "new"} and d["keep"] is keep and items == [1, 2, 3]


def test_the_generator_state_comes_back(learner):
    rng, twin = np.random.default_rng(5), np.random.default_rng(5)
    got = learner.function("draw")(rng)
    assert np.array_equal(got, twin.random(3))
    assert rng.random() == twin.random()


def test_functions_of_the_checks_travel_by_reference(learner):
    assert learner.function("apply")(cubic_sum, np.array([1.0, 2.0])) == 9.0


def test_a_network_argument_gets_its_parameters_back(learner):
    net = nnlib.MLP([2, 3, 1], seed=0)
    W1 = net.params["W1"]
    before = W1.copy()
    returned = learner.function("train")(net)
    assert returned is net.params and net.params["W1"] is W1 and np.array_equal(W1, before + 1.0)


def test_read_only_arguments_stay_read_only(learner):
    x = np.ones(2)
    x.flags.writeable = False
    with pytest.raises(LearnerRaised) as raised:
        learner.function("inplace")({"x": x})
    assert raised.value.ename == "ValueError"


def test_exceptions_name_the_learners_functions_outermost_first(learner):
    with pytest.raises(LearnerRaised) as raised:
        learner.function("outer")(1)
    assert (raised.value.ename, raised.value.message, raised.value.functions) == ("ValueError", "x is wrong",
                                                                                ["outer", "inner"])
    with pytest.raises(LearnerRaised) as raised:
        learner.function("todo")(1)
    assert raised.value.ename == "NotImplementedError" and raised.value.functions == ["todo"]
    with pytest.raises(LearnerRaised) as raised:
        learner.function("leave")()
    assert raised.value.ename == "SystemExit"
    assert learner.function("same")(1) == 1     # the kernel survives all of these


def test_missing_and_non_callable_names_raise_missing(learner):
    for name in ("nope", "not_callable"):
        with pytest.raises(Missing):
            learner.function(name)


def test_prints_and_warnings_are_swallowed(learner):
    assert learner.function("chatty")(1) == 2


@pytest.mark.parametrize("kind, type_name", [("set", "set"), ("objects", "array of object"),
                                             ("function", "function"), ("ints", "dict"), ("huge", "int")])
def test_what_cannot_travel_comes_back_opaque(learner, kind, type_name):
    assert learner.function("odd")(kind) == Opaque(type_name)


def test_a_call_over_its_time_is_interrupted_and_the_next_call_goes_on():
    remote = start(LEARNER_CODE, call_timeout=2)
    started = time.monotonic()
    with pytest.raises(LearnerRaised) as raised:
        remote.function("spin")()
    assert raised.value.ename == TIME_LIMIT
    assert raised.value.message == "it ran for more than 2 s and was stopped"
    assert time.monotonic() - started < 2 + wire.INTERRUPT_GRACE
    assert remote.dead is None and remote.channel.process.poll() is None
    assert remote.function("same")(5) == 5   # as after the stop button: the kernel and its functions are kept
    remote.channel.close()


def test_a_call_that_ignores_the_interrupt_kills_the_sandbox():
    remote = start(LEARNER_CODE, call_timeout=2)
    with pytest.raises(LearnerRaised) as raised:
        remote.function("stubborn")()
    assert raised.value.ename == TIME_LIMIT and "did not stop when interrupted" in raised.value.message
    assert remote.channel.process.poll() is not None
    with pytest.raises(LearnerRaised) as again:
        remote.function("same")
    assert again.value.ename == TIME_LIMIT


def test_all_calls_together_have_a_budget():
    remote = start(LEARNER_CODE, call_timeout=20)
    remote.remaining = 1.5
    assert remote.function("same")(1) == 1
    with pytest.raises(LearnerRaised, match="ran past the time left for this notebook.s checks"):
        remote.function("spin")()


# --- a hostile sandbox: answers built by hand --------------------------------------------------------------
def answer(header: dict, blobs: list[bytes] = ()) -> tuple[dict, list[bytes]]:
    return wire.unpack(wire.pack({"kind": "returned", "objects": [], **header}, list(blobs)))


def refused(header: dict, blobs: list[bytes] = (), objects: list = ()) -> None:
    message, blobs = answer(header, blobs)
    with pytest.raises(wire.ProtocolError):
        wire.decode(message, blobs, list(objects))


class Boom:
    def __reduce__(self):
        return (os.system, ("touch /tmp/nnfs-pwned",))


def test_a_pickle_in_an_answer_is_never_unpickled(tmp_path):
    payload = pickle.dumps(Boom())
    refused({"result": {"t": "array", "dtype": "|O", "shape": [1], "blob": 0}}, [payload])
    refused({"result": {"t": "pickle", "blob": 0}}, [payload])
    got = wire.decode(*answer({"result": {"t": "array", "dtype": "|u1", "shape": [len(payload)], "blob": 0}},
                              [payload]), [])
    assert got.dtype == np.uint8 and not os.path.exists("/tmp/nnfs-pwned")


@pytest.mark.parametrize("node", [
    {"t": "array", "dtype": "<V8", "shape": [1], "blob": 0},          # structured / void
    {"t": "array", "dtype": "<f8", "shape": [10 ** 9], "blob": 0},    # shape larger than the data
    {"t": "array", "dtype": "<f8", "shape": [-1], "blob": 0},
    {"t": "array", "dtype": "<f8", "shape": [1], "blob": 5},
    {"t": "ref", "n": 0},
    {"t": "list", "items": "no"},
    {"t": "dict", "items": [[1, 2]]},
    {"t": "generator", "state": {"bit_generator": "os.system"}},
    {"t": "mlp", "params": {}},
    {"t": "list", "id": 3, "items": []},
    {"no type": 1},
])
def test_malformed_values_are_refused(node):
    refused({"result": node}, [np.zeros(1).tobytes()])


def view_node(**fields) -> dict:
    return {"t": "view", "of": 0, "offset": 0, "shape": [4], "strides": [8], "dtype": "<f8", **fields}


def anchor() -> np.ndarray:
    return np.arange(4.0)


OUTSIDE = [
    {"offset": -8},                                    # before the array's first byte
    {"offset": 8},                                     # its last element one past the end
    {"offset": 32, "shape": [1]},                      # starts at the end
    {"offset": 10 ** 30},
    {"strides": [10 ** 6]},                            # huge strides
    {"strides": [2 ** 62], "shape": [2]},
    {"strides": [-8]},                                 # negative strides past the start
    {"offset": 8, "strides": [-8], "shape": [3]},
    {"shape": [2 ** 62], "strides": [0]},              # shape overflow
    {"shape": [2 ** 40, 2 ** 40], "strides": [0, 0]},
    {"shape": [10 ** 30], "strides": [0]},
    {"shape": [1] * 17, "strides": [8] * 17},          # more dimensions than the limit
    {"shape": [-1]},
    {"shape": [4], "strides": [8, 8]},
    {"shape": [4.0]}, {"offset": 0.0}, {"strides": ["8"]}, {"offset": True},
    {"dtype": "|O"}, {"dtype": "<V8"}, {"dtype": "<f8'); import os"}, {"dtype": None},
    {"dtype": "<c16", "shape": [3], "strides": [16]},  # 48 bytes of a 32-byte array
    {"of": 1}, {"of": -1}, {"of": 10 ** 9}, {"of": "0"}, {"of": None},
    {"shape": [2 ** 40], "strides": [0]},              # zero strides: more elements than the array holds
    {"shape": [2 ** 30, 2 ** 29], "strides": [0, 0]}, {"shape": [5], "strides": [0]},
    {"dtype": "<i16"}, {"dtype": "<f1"}, {"dtype": "<f8\n"},   # match the pattern, but no such type
]


@pytest.mark.parametrize("fields", OUTSIDE)
def test_views_outside_their_array_are_refused(fields):
    root = anchor()
    with pytest.raises(wire.ProtocolError, match="view|type"):
        wire.Decoder([], [root]).value(view_node(**fields))
    refused({"result": {"t": "list", "items": [view_node(**fields)]}, "objects": [None]}, objects=[root])
    assert np.array_equal(root, np.arange(4.0))


@pytest.mark.parametrize("fields", OUTSIDE[:11])
def test_numpy_refuses_views_outside_their_array_even_without_the_graders_own_bounds(fields, monkeypatch):
    monkeypatch.setattr(wire, "span", lambda shape, strides, itemsize: (0, 0))
    with pytest.raises(wire.ProtocolError, match="view"):
        wire.Decoder([], [anchor()]).value(view_node(**fields))


@pytest.mark.parametrize("root", [{"W": np.zeros(4)}, [np.zeros(4)], np.random.default_rng(0),
                                  np.zeros((4, 2))[:, 0], np.zeros(4, dtype=object), np.zeros(0)])
def test_views_of_what_is_not_a_contiguous_numeric_array_are_refused(root):
    with pytest.raises(wire.ProtocolError, match="not a writeable contiguous array"):
        wire.Decoder([], [root]).value(view_node(shape=[0]))


def test_a_view_of_a_read_only_array_is_refused():
    root = anchor()
    root.flags.writeable = False
    with pytest.raises(wire.ProtocolError, match="not a writeable contiguous array"):
        wire.Decoder([], [root]).value(view_node())


def test_views_inside_their_array_are_built_on_the_graders_own_array():
    root = anchor()
    for fields in ({}, {"offset": 24, "strides": [-8]}, {"shape": [2, 2], "strides": [8, 16]},
                   {"offset": 8, "shape": [3], "dtype": "<i4", "strides": [4]}, {"shape": [0]},
                   {"shape": [4], "strides": [0]}, {"writeable": False}):
        message, blobs = answer({"result": view_node(**fields), "objects": [None]})
        got = wire.decode(message, blobs, [root])
        node = view_node(**fields)
        assert got.base is root and got.flags.writeable == node.get("writeable", True)
        assert got.shape == tuple(node["shape"]) and got.strides == tuple(node["strides"])


def test_deep_nesting_is_refused():
    node = 1
    for _ in range(200):
        node = {"t": "list", "items": [node]}
    refused({"result": node})
    with pytest.raises(wire.ProtocolError):
        wire.unpack(struct.pack(">I", 200_000) + b"[" * 100_000 + b"]" * 100_000)


def test_too_many_nodes_are_refused():
    refused({"result": {"t": "list", "items": list(range(200_000))}})


def test_repeated_parts_are_counted_each_time_they_are_referred_to():
    def nested(level: int, depth: int) -> dict:  # [L, L] at each level: node `level` has serial `level`
        if level == depth:
            return {"t": "list", "items": [0.0, 0.0]}
        return {"t": "list", "items": [nested(level + 1, depth), {"t": "ref", "n": level + 1}]}

    refused({"result": nested(0, 40)})  # 120 nodes standing for 2**41 numbers
    got = wire.decode(*answer({"result": nested(0, 10)}), [])  # 2**11: fine
    assert np.asarray(got).size == 2 ** 11


@pytest.mark.parametrize("dtype", ["<i16", "<u16", "<b8", "<f1", "<c4", "<f8\n"])
def test_dtype_names_the_pattern_allows_but_numpy_lacks_are_refused(dtype):
    refused({"result": {"t": "array", "dtype": dtype, "shape": [1], "blob": 0}}, [np.zeros(2).tobytes()])


def channel_sending(data: bytes, limits: wire.Limits | None = None) -> Channel:
    """A channel to a process (not a sandbox: it only prints ``data``) standing in for a hostile runner."""
    code = f"import sys, time; sys.stdout.buffer.write({data!r}); sys.stdout.flush(); time.sleep(30)"
    process = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    return Channel(process, limits)


def test_an_oversized_frame_is_refused_before_it_is_read():
    channel = channel_sending(wire.MAGIC + struct.pack(">I", 2 ** 31), wire.Limits(bytes=1 << 20))
    with pytest.raises(wire.ProtocolError, match="over the limit"):
        channel.receive(10)
    channel.close()


def test_garbage_and_silence_are_errors_not_hangs():
    channel = channel_sending(b"hello, I am not a frame")
    with pytest.raises(wire.ProtocolError):
        channel.receive(10)
    channel.close()
    channel = channel_sending(b"")
    with pytest.raises(wire.ChannelTimeout):
        channel.receive(0.5)
    channel.close()


def test_a_remote_learner_refuses_a_forged_answer_and_kills_the_sandbox():
    forged = wire.frame(wire.pack({"kind": "has", "callable": True})) + wire.frame(b"\x00\x00\x00\x05{}}}}")
    remote = RemoteLearner(channel_sending(forged))
    remote.channel.process.stdin = open(os.devnull, "wb")   # noqa: SIM115 -- stands in for the sandbox's stdin
    f = remote.function("anything")
    with pytest.raises(LearnerRaised) as raised:
        f(1)
    assert raised.value.ename == "ProtocolError" and remote.channel.process.poll() is not None


def test_headers_are_json_only():
    message = struct.pack(">I", 4) + b"\x80\x04N."        # a pickle of None
    with pytest.raises(wire.ProtocolError):
        wire.unpack(message)
    assert json.loads(wire.pack({"a": 1})[4:]) == {"a": 1, "blobs": []}
