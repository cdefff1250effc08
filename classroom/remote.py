"""The learner's functions seen from the grader: calls run in the sandbox, results come back as plain data.

``RemoteLearner`` implements the ``Learner`` protocol of ``classroom.checks``: the check bodies run in the
grader's (trusted) process and every ``learner.function(name)(…)`` becomes a request to the sandboxed kernel
(``classroom.runner``). Arguments travel pickled (trusted data); results come back as plain data only
(``classroom.wire``), and the arguments are left in the state the learner's code left their sandbox copies in,
with the same identities (in-place updates, rebound entries and aliasing are all visible to the check).
Arrays that share memory travel as views both ways (``CallPickler`` here, ``wire.Anchors`` for answers): an
argument that is a view of another argument is one in the sandbox too.

A call that exceeds its time is interrupted in the sandbox (as the stop button would) and raises
``LearnerRaised(TIME_LIMIT, …)``; later calls go on. A call that ignores the interrupt, or an answer that
breaks the protocol, kills the sandbox: that call and every later one raise ``LearnerRaised`` with the reason.
"""

from __future__ import annotations

import io
import pickle
import subprocess
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from classroom import wire
from classroom.checks._core import TIME_LIMIT, LearnerRaised, Missing


class Channel:
    """The pipes of one sandboxed runner; everything read is size-limited and deadline-bound."""

    def __init__(self, process: subprocess.Popen, limits: wire.Limits | None = None):
        self.process, self.limits = process, limits or wire.Limits()

    def receive(self, timeout: float) -> tuple[dict, list[bytes]]:
        message = wire.read_frame(self.process.stdout.fileno(), time.monotonic() + timeout, self.limits.bytes)
        return wire.unpack(message, self.limits)

    def send(self, message: bytes, timeout: float) -> None:
        try:
            wire.write_all(self.process.stdin.fileno(), wire.frame(message), time.monotonic() + timeout)
        except (BrokenPipeError, ValueError):
            raise wire.ProtocolError("the sandbox closed the channel") from None

    def close(self, grace: float = 0) -> None:
        """Kill the sandbox (its whole PID namespace dies with it) and reap it. With ``grace`` seconds, first
        let the runner shut its kernel down (without a sandbox, nothing else would stop the kernel)."""
        if grace and self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe:
                pipe.close()


class CallPickler(pickle.Pickler):
    """Pickles an array that lies in the memory of one of ``objects`` (an anchor, see ``wire.Anchors``) as a
    view of it: plain pickle would make it an independent copy, and the learner's code would then not see
    that writing into one changes the other. The anchor itself is pickled once (pickle's memo)."""

    def __init__(self, file: io.BytesIO, objects: list):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.anchors = wire.Anchors(objects)

    def reducer_override(self, obj: Any) -> Any:
        found = self.anchors.inside(obj) if type(obj) is np.ndarray else None
        if found is None:
            return NotImplemented
        _, anchor, offset = found
        return np.ndarray, (obj.shape, obj.dtype, anchor, offset, obj.strides)


def call_payload(args: tuple, kwargs: dict, objects: list, readonly: list[int]) -> bytes:
    """The pickled ``(args, kwargs, objects, readonly)`` of a call, views kept as views."""
    buffer = io.BytesIO()
    CallPickler(buffer, objects).dump((args, kwargs, objects, readonly))
    return buffer.getvalue()


class RemoteLearner:
    """A learner whose functions live in a sandboxed kernel behind ``channel``. Each call may take
    ``call_timeout`` seconds, all of them together ``budget`` seconds (slow answers cannot stall a run; the
    time the notebook's cells take between check cells does not count)."""

    def __init__(self, channel: Channel, call_timeout: float = 30, budget: float = float("inf")):
        self.channel, self.call_timeout = channel, call_timeout
        self.remaining = budget                    # seconds left for all calls together
        self.dead: tuple[str, str] | None = None   # (ename, message) once the sandbox is gone
        self.timed_out = False                     # a call ran out of time

    def function(self, name: str) -> Callable[..., Any]:
        header, _ = self.exchange({"op": "has", "name": name})
        if header.get("kind") == "raised":     # the sandbox could not even look (e.g. out of processes)
            self.raised(header)
        if header.get("kind") != "has":
            self.fail("ProtocolError", "the sandbox sent an answer of the wrong kind")
        if header.get("callable") is not True:
            raise Missing(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, args, kwargs)
        call.__name__ = name
        return call

    def call(self, name: str, args: tuple, kwargs: dict) -> Any:
        objects = wire.mutable_objects((args, kwargs))
        readonly = [index for index, item in enumerate(objects)
                    if isinstance(item, np.ndarray) and not item.flags.writeable]
        payload = call_payload(args, kwargs, objects, readonly)
        header, blobs = self.exchange({"op": "call", "name": name}, [payload])
        kind = header.get("kind")
        if kind == "missing":
            raise Missing(name)
        if kind == "raised":
            self.raised(header)
        if kind != "returned":
            self.fail("ProtocolError", "the sandbox sent an answer of the wrong kind")
        try:
            return wire.decode(header, blobs, objects, self.channel.limits)
        except wire.ProtocolError as error:
            self.fail("ProtocolError", f"the sandbox sent an invalid answer ({error})")

    @staticmethod
    def raised(header: dict) -> None:
        functions = header.get("functions")
        if not isinstance(functions, list) or not all(isinstance(f, str) for f in functions):
            functions = []
        raise LearnerRaised(str(header.get("ename"))[:80], str(header.get("message"))[:200], functions[:50])

    def exchange(self, header: dict, blobs: list[bytes] = ()) -> tuple[dict, list[bytes]]:
        """Send one request and wait for its answer, or kill the sandbox and raise ``LearnerRaised``."""
        if self.dead is not None:
            raise LearnerRaised(*self.dead)
        timeout, started = min(self.call_timeout, self.remaining), time.monotonic()
        too_long = (f"it ran for more than {self.call_timeout:g} s" if timeout == self.call_timeout
                    else "it ran past the time left for this notebook's checks")
        try:   # the sandbox stops the call after ``seconds``; it has the grace, and a second, to say so
            self.channel.send(wire.pack({**header, "seconds": timeout}, blobs), timeout)
            answer = self.channel.receive(timeout + wire.INTERRUPT_GRACE + 1.0)
        except wire.ChannelTimeout:
            self.timed_out = True
            self.fail(TIME_LIMIT, f"{too_long}, and it did not stop when interrupted")
        except wire.ProtocolError as error:
            self.fail("ProtocolError", f"the sandbox sent an invalid answer ({error})")
        finally:
            self.remaining -= time.monotonic() - started
        if answer[0].get("kind") == "timeout":
            self.timed_out = True
            if answer[0].get("stopped") is True:   # interrupted, as by the stop button: later calls go on
                raise LearnerRaised(TIME_LIMIT, f"{too_long} and was stopped")
            self.fail(TIME_LIMIT, f"{too_long}, and it did not stop when interrupted")   # the sandbox gave up
        return answer

    def fail(self, ename: str, message: str) -> None:
        self.dead = (ename, message)
        self.channel.close()
        raise LearnerRaised(ename, message)
