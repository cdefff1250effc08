"""Inside the sandbox: run a learner's notebook in a fresh kernel, then answer the grader's calls.

``python -m classroom.runner NOTEBOOK --timeout SECONDS`` (started by ``classroom.sandbox``; never run it on
the teacher's machine outside a sandbox). The grader talks to it over this process's stdin and stdout in the
frames of ``classroom.wire``; the kernel and everything the learner starts get /dev/null instead, so their
output never mixes with the answers (the grader still trusts nothing that arrives: see wire.py).

1. Every code cell that the learner's nbval run executes runs in order (``code_cells``: cells tagged
   ``nbval-skip`` do not, unless they check an exercise), errors allowed, within the time budget (time
   spent paused at check cells does not count). Only errors are kept (the rest of the output, however
   large, is dropped).
2. Where a cell calls ``checks.<id>()`` (``classroom.checkpoints``: as Python reads the cell) the runner
   pauses, as nbval's run would check there: it sends ``{"kind": "check", "exercise": id, "stopped": None}``
   (or the name of the error that stopped the cell before the call) and answers the grader's requests until
   the grader sends ``{"op": "continue"}``. So an exercise is graded on the functions as they are at its
   check, not as later code may have redefined them.
3. After the last cell it sends ``{"kind": "ready", "status": …}`` with ``ok``, ``error (cell N: Name)``,
   ``memory (cell N)``, ``timeout (cell N)`` or ``crashed (cell N)``, and answers requests until the grader
   closes the channel (for exercises whose check cell the learner removed).

Each request frame is answered by ``answer()``, run *in the kernel*: it looks the function up in the learner's
namespace, calls it quietly and sends back the result and the arguments' final state.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import queue
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from classroom import wire
from classroom.checkpoints import check_plan, checks_in

CALL = "__import__('classroom.runner', fromlist=['answer']).answer({folder!r})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.runner")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--memory-mb", type=int, help="limit this process's address space (no sandbox)")
    args = parser.parse_args(argv)
    if args.memory_mb:
        limit = args.memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    channel_in, channel_out = private_channel()
    kernel, folder = Kernel(args.notebook.parent), tempfile.mkdtemp(prefix="calls-")

    def check_here(exercise: str, stopped: str | None) -> bool:
        send(channel_out, wire.pack({"kind": "check", "exercise": exercise, "stopped": stopped}))
        return serve(kernel, channel_in, channel_out, folder)

    try:
        status = run_cells(kernel, code_cells(args.notebook), args.timeout, check_here)
        send(channel_out, wire.pack({"kind": "ready", "status": status}))
        if not status.startswith(("timeout", "crashed")):
            serve(kernel, channel_in, channel_out, folder)
    finally:
        kernel.shutdown()
    return 0


def private_channel() -> tuple[int, int]:
    """Move the grader's pipes to private descriptors; stdin, stdout and stderr become /dev/null."""
    channel_in, channel_out = os.dup(0), os.dup(1)   # dup'ed descriptors are not inherited by children
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1) if os.environ.get("NNFS_SANDBOX_DEBUG") else (0, 1, 2):
        os.dup2(null, fd)
    return channel_in, channel_out


def code_cells(path: Path) -> list[tuple[int, str]]:
    """(index, source) of every code cell the learner's nbval run executes (the grader has checked that the
    file is a notebook): a cell nbval skips is left out too, unless it checks an exercise (nbval_report
    never lets nbval skip a check)."""
    found = []
    for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell.get("cell_type") == "code" and (not nbval_skips(cell, source) or checks_in(source)[0]):
            found.append((index, source))
    return found


def nbval_skips(cell: dict, source: str) -> bool:
    """True when nbval skips the cell: the tag ``nbval-skip`` or a comment line ``# NBVAL_SKIP`` (nbval's
    ``find_metadata_tags`` and ``find_comment_markers``)."""
    tags = cell.get("metadata", {}).get("tags")
    if isinstance(tags, list) and "nbval-skip" in tags:
        return True
    comments = (line.strip() for line in source.splitlines())
    return any(line.startswith("#") and line.lstrip("#").strip() == "NBVAL_SKIP" for line in comments)


class KernelDied(Exception):
    pass


class Kernel:
    """A fresh IPython kernel in ``folder``; only its shell channel is used (outputs are never read)."""

    def __init__(self, folder: Path):
        from jupyter_client import KernelManager
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(folder))
        self.client = self.manager.blocking_client()
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)

    def request(self, msg_id: str, deadline: float) -> dict:
        """The content of the shell reply to ``msg_id``; TimeoutError or KernelDied."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError()
            try:
                reply = self.client.get_shell_msg(timeout=min(remaining, 1.0))
            except queue.Empty:
                if not self.manager.is_alive():
                    raise KernelDied() from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                return reply["content"]

    def submit(self, code: str, silent: bool = False) -> str:
        """Send ``code`` to run as a cell; its message id. ``silent``: without the display of its last value
        and the pre/post_run_cell events that IPython runs once per cell (for the steps of a cell, and the
        grader's calls, so that none of it runs between them)."""
        return self.client.execute(code, silent=silent, allow_stdin=False, stop_on_error=False)

    def execute(self, code: str, deadline: float, silent: bool = False) -> dict:
        """Run ``code`` as a cell (see ``submit``) and return the content of its reply."""
        return self.request(self.submit(code, silent), deadline)

    def shutdown(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)


def run_cells(kernel: Kernel, cells: list[tuple[int, str]], timeout: float,
              check_here: Callable[[str, str | None], bool]) -> str:
    """Run every code cell, errors allowed, within ``timeout`` seconds; the status of the run (first error,
    timeout or crash). A cell that checks exercises runs in the steps of ``check_plan``: where Python would
    call ``checks.<id>()``, ``check_here(id, stopped)`` lets the grader check it (the pause does not count
    against the timeout; it returns False when the grader has gone). The call itself is not run, only the
    look-up of ``checks.<id>``: the grader's verdict replaces it. Once a step raises, the rest of its cell
    does not run, as in IPython, and its checks come with ``stopped``, the error's name. The steps of a cell
    run silently, so that nothing IPython does once per cell (the display of a value, the pre/post_run_cell
    events) runs between them."""
    status, index, deadline = "ok", None, time.monotonic() + timeout
    try:
        kernel.request(kernel.client.kernel_info(), deadline)
        for index, source in cells:
            steps = check_plan(source)
            split = len(steps) > 1 or bool(steps[0][1])
            stopped = None
            for code, exercises in steps:
                if code.strip() and stopped is None:
                    stopped = error_name(kernel.execute(code, deadline, silent=split))
                for exercise in exercises:
                    if stopped is None:   # IPython looks the check up first: `del checks` stops the cell
                        stopped = error_name(kernel.execute(f"checks.{exercise}", deadline, silent=True))
                    paused = time.monotonic()
                    if not check_here(exercise, stopped):
                        return status
                    deadline += time.monotonic() - paused
                if stopped is not None and status == "ok":
                    status = (f"memory (cell {index})" if stopped == "MemoryError"
                              else f"error (cell {index}: {stopped})")
    except TimeoutError:
        return f"timeout (cell {index})"
    except KernelDied:
        return f"crashed (cell {index})"
    return status


def error_name(reply: dict) -> str | None:
    """The name of the exception a cell raised (from its execute reply), or None when it ran."""
    return reply.get("ename", "Error") if reply.get("status") == "error" else None


def serve(kernel: Kernel, channel_in: int, channel_out: int, folder: str) -> bool:
    """Answer requests (exchanging them with the kernel through files in ``folder``) until the grader sends
    ``{"op": "continue"}`` (returns True) or closes the channel (returns False; or it kills the sandbox)."""
    code = CALL.format(folder=folder)
    while True:
        try:
            request = wire.read_frame(channel_in, deadline=float("inf"), limit=1 << 30)
        except wire.ProtocolError:
            return False
        header = wire.unpack(request, wire.Limits(bytes=1 << 30))[0]
        if header.get("op") == "continue":
            return True
        Path(folder, "answer").unlink(missing_ok=True)
        Path(folder, "request").write_bytes(request)
        try:
            message = run_call(kernel, code, folder, header.get("seconds", float("inf")))
        except TimeoutError:   # the call ignored the interrupt: the kernel is stuck, the run ends here
            send(channel_out, wire.pack({"kind": "timeout", "stopped": False}))
            return False
        except (KernelDied, OSError) as error:
            message = wire.pack({"kind": "raised", "ename": "KernelDied", "functions": [],
                                 "message": f"the kernel died during the call ({type(error).__name__})"})
        send(channel_out, message)


def run_call(kernel: Kernel, code: str, folder: str, seconds: float) -> bytes:
    """Run one request in the kernel and return its answer. A call still running after ``seconds`` is
    interrupted, as a learner presses the stop button, and answered ``{"kind": "timeout", "stopped": True}``:
    the notebook's other exercises are still checked (nbval too goes on after a cell it interrupted).
    TimeoutError when the call goes on ``wire.INTERRUPT_GRACE`` seconds after the interrupt (it catches
    KeyboardInterrupt)."""
    msg_id = kernel.submit(code, silent=True)   # a learner's post_run_cell hook cannot swap the function
    try:
        kernel.request(msg_id, time.monotonic() + seconds)
    except TimeoutError:
        kernel.manager.interrupt_kernel()
        kernel.request(msg_id, time.monotonic() + wire.INTERRUPT_GRACE)
        return wire.pack({"kind": "timeout", "stopped": True})   # not what the interrupted call wrote
    return Path(folder, "answer").read_bytes()


def send(fd: int, message: bytes) -> None:
    wire.write_all(fd, wire.frame(message), deadline=float("inf"))


# --- in the kernel ---------------------------------------------------------------------------------------
def answer(folder: str) -> None:
    """Run one request of the grader in the learner's namespace; write the answer beside it."""
    try:
        message = respond(folder)
    except BaseException as error:   # noqa: BLE001 -- e.g. a learner's exception whose str() raises
        message = wire.pack({"kind": "raised", "ename": "SandboxError", "functions": [],
                             "message": f"could not answer ({type(error).__name__})"})
    Path(folder, "answer").write_bytes(message)


def respond(folder: str) -> bytes:
    from IPython import get_ipython
    namespace = get_ipython().user_ns
    header, blobs = wire.unpack(Path(folder, "request").read_bytes(), wire.Limits(bytes=1 << 30))
    function = namespace.get(header.get("name"))
    if header.get("op") == "has":
        message = wire.pack({"kind": "has", "callable": callable(function)})
    elif not callable(function):
        message = wire.pack({"kind": "missing"})
    else:
        message = call(function, pickle.loads(blobs[0]), namespace)
    return message


def call(function, request: tuple, namespace: dict) -> bytes:
    from classroom.checks._core import first_line, quiet
    args, kwargs, objects, readonly = request
    for index in readonly:
        objects[index].flags.writeable = False
    try:
        with quiet():
            result = function(*args, **kwargs)
        return wire.encode_answer(result, objects)
    except BaseException as error:   # noqa: BLE001 -- whatever the learner's code raised (SystemExit too)
        return wire.pack({"kind": "raised", "ename": type(error).__name__, "message": first_line(error),
                          "functions": learner_functions(error, namespace)})


def learner_functions(error: BaseException, namespace: dict) -> list[str]:
    """Names of the notebook's own functions on the traceback, outermost first."""
    names, tb = [], error.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals is namespace and frame.f_code.co_name != "<module>":
            names.append(frame.f_code.co_name)
        tb = tb.tb_next
    return names


if __name__ == "__main__":
    sys.exit(main())
