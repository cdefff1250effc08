"""Grade a folder of submissions, each notebook in a sandbox: ``python -m classroom.grade SUBMISSIONS_DIR``.

Layout of SUBMISSIONS_DIR: one sub-folder per learner holding ``NN_name.ipynb`` files (``alice/03_….ipynb``),
or flat files ``learner__NN_name.ipynb``. For every (learner, notebook) pair of a notebook with exercises:

1. the file is read safely (``classroom.submissions``: no symlinks, devices, FIFOs, oversized files; two
   files for one notebook, ``alice/NN_name.ipynb`` and ``alice__NN_name.ipynb``, are ``ambiguous``: neither
   is graded);
2. a bubblewrap sandbox starts on a copy of it (``classroom.sandbox``): a fresh kernel runs every code cell,
   errors allowed, within the time limit; the status (``ok``, ``error (cell N: Name)``, ``memory (cell N)``,
   ``timeout (cell N)``, ``crashed (cell N)``; ``timeout`` when a call ignored its interrupt) is for
   information only;
3. at each check cell the run pauses and the checks of ``classroom.checks`` run **here, in the grader's
   process**, calling the learner's functions in the sandbox (``classroom.remote``): an exercise is graded
   on its functions as they are where its check cell stands, as the learner's nbval self-check sees them (a
   later cell that redefines them changes nothing; an exercise whose check cell was removed is checked after
   the last cell). A call that runs longer than ``--call-timeout`` is interrupted, as the stop button would,
   and the run goes on. It scores 1 when its verdict passed. What the notebook prints, files it writes or a
   redefined check function cannot change a verdict;
4. the sandbox is killed with everything it started;
5. once all are done, each notebook that hit a limit (time, memory, a kernel that died) is graded again,
   alone: the notebooks graded beside it (``--jobs``) cannot cost it its points.

Writes ``grades.csv`` (learner x exercise, atomically) and ``feedback.csv`` beside it (every verdict's text);
``--shard K/N`` grades a deterministic K-th of the pairs into a results table and ``merge`` joins the shards
(``python -m classroom.grade merge shard-*.csv --out grades.csv``). See ``classroom.sandbox`` for what the
sandbox guarantees; without bwrap the grader refuses to run unless given ``--unsafe-no-sandbox``.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from classroom import sandbox, wire
from classroom.checks import Verdict
from classroom.checks._core import TIME_LIMIT
from classroom.gradebook import (
    Result,
    parse_shard,
    read_results,
    results_table,
    select_shard,
    summary,
    write_atomically,
    write_tables,
)
from classroom.remote import Channel, RemoteLearner
from classroom.submissions import MAX_BYTES, find_submissions, read_submission
from classroom.wire import ChannelTimeout, ProtocolError

STARTUP = 30     # seconds allowed beyond --timeout for the sandbox and kernel to start and report
MAX_PAUSES = 2000  # check cells a notebook may hold (the series has at most 8 per notebook)
STATUS = re.compile(r"^(ok|memory \(cell \d+\)|error \(cell \d+: [A-Za-z_][\w.]{0,60}\)|"
                    r"(timeout|crashed) \(cell (\d+|None)\))$")


@dataclass
class Settings:
    timeout: float = 300
    memory_mb: int = 4096
    call_timeout: float = 30
    unsafe: bool = False
    max_bytes: int = MAX_BYTES
    max_processes: int = sandbox.NPROC
    uid_base: int = sandbox.UID_BASE
    uids: queue.Queue | None = None     # free job uids (when run as root)


def books() -> dict:
    from classroom.checks import BOOKS
    return BOOKS


def exercise_columns(book_map: dict) -> dict[str, list[str]]:
    return {notebook: list(book.exercises) for notebook, book in book_map.items() if book.exercises}


def not_graded(book, status: str, why: str, sandbox_name: str) -> Result:
    verdicts = {name: (exercise.number, False,
                       Verdict(book.notebook, name, exercise.number, False, f"not graded: {why}").text())
                for name, exercise in book.exercises.items()}
    return Result("", book.notebook, status, verdicts, sandbox_name)


def grade_one(folder: Path, learner: str, book, submission, settings: Settings) -> Result:
    """Grade one (learner, notebook); never raises for anything the submission is or does."""
    start, kind = time.monotonic(), "NONE" if settings.unsafe else "bwrap"
    if submission is None:
        result = not_graded(book, "missing", "no such notebook was submitted", kind)
    elif submission.ambiguity:
        result = not_graded(book, "ambiguous", submission.ambiguity, kind)
    else:
        try:
            content, status = read_submission(folder, submission, settings.max_bytes)
            result = (not_graded(book, status, f"the submission is {status}", kind) if content is None
                      else run_in_sandbox(content, book, settings))
        except Exception as error:  # noqa: BLE001 -- a grader fault on one submission never stops the run
            result = not_graded(book, f"crashed (grader: {type(error).__name__})", str(error)[:200], kind)
    result.learner, result.seconds = learner, time.monotonic() - start
    if submission is not None and not submission.ambiguity:
        result.files = about_the_files(submission, book.notebook)
    return result


def about_the_files(submission, notebook: str) -> str:
    """What the teacher should know when a notebook was found under a copy's name (see submissions.COPY)."""
    if submission.copy:
        return f"graded from {'/'.join(submission.parts)}, a copy's name (the notebook is {notebook}.ipynb)"
    if submission.copies:
        return "copies not graded: " + ", ".join("/".join(parts) for parts in submission.copies)
    return ""


def run_in_sandbox(content: bytes, book, settings: Settings) -> Result:
    kind = "NONE" if settings.unsafe else "bwrap"
    uid = settings.uids.get() if settings.uids is not None else None
    limits = sandbox.Limits(timeout=settings.timeout, memory_mb=settings.memory_mb,
                            nproc=settings.max_processes)
    channel = Channel(sandbox.start(content, book.notebook, limits, uid, settings.unsafe))
    try:
        learner = RemoteLearner(channel, settings.call_timeout, budget=settings.timeout)
        status, verdicts = follow_the_run(channel, book, learner, settings.timeout + STARTUP)
        finished = not status.startswith(("timeout", "crashed"))
        for name in book.exercises:   # exercises whose check cell the learner removed, or never reached
            if name in verdicts:
                continue
            if finished and not learner.dead:
                verdicts[name] = book.evaluate(name, learner)
                continue
            why = (f"the grader stopped this notebook at an earlier call ({learner.dead[1]})" if learner.dead
                   else f"the notebook did not reach this exercise's check cell ({status})")
            number = book.exercises[name].number
            verdicts[name] = Verdict(book.notebook, name, number, False, f"not graded: {why}")
        return Result("", book.notebook, status,
                      {name: (v.number, v.passed, v.text()) for name, v in verdicts.items()}, kind,
                      hit_a_limit=status.startswith(("timeout", "memory", "crashed")) or learner.timed_out)
    finally:
        channel.close(grace=5 if settings.unsafe else 0)
        if uid is not None:
            sandbox.wait_until_gone(uid)
            settings.uids.put(uid)


def follow_the_run(channel: Channel, book, learner: RemoteLearner, timeout: float) -> tuple[str, dict]:
    """Check each exercise where the notebook's check cell stands, as the learner's nbval run does: the
    sandbox pauses there (``classroom.runner``). Returns the run's status and {exercise: Verdict}. An
    exercise whose check cell comes twice passes only if it passed at each (the first failure is kept).
    ``timeout``: seconds for the cells, the pauses not counted."""
    verdicts: dict[str, Verdict] = {}
    for _ in range(MAX_PAUSES + 1):
        started = time.monotonic()
        header = next_frame(channel, timeout)
        timeout -= time.monotonic() - started
        if header.get("kind") != "check":
            status = header.get("status") if header.get("kind") == "ready" else None
            return (status if isinstance(status, str) and STATUS.match(status) else "crashed"), verdicts
        exercise, stopped = header.get("exercise"), header.get("stopped")
        if isinstance(exercise, str) and exercise in book.exercises and getattr(
                verdicts.get(exercise), "passed", True):
            verdicts[exercise] = (book.evaluate(exercise, learner) if stopped is None else Verdict(
                book.notebook, exercise, book.exercises[exercise].number, False,
                f"its cell raised {str(stopped)[:60]} before reaching checks.{exercise}()"))
        if learner.dead:   # a call ignored its interrupt (or broke the protocol): the sandbox is gone
            return ("timeout" if learner.dead[0] == TIME_LIMIT else "crashed"), verdicts
        try:
            channel.send(wire.pack({"op": "continue"}), learner.call_timeout)
        except (ChannelTimeout, ProtocolError):
            return "crashed", verdicts
    return "crashed", verdicts   # more check cells than any notebook has: not a runner of ours


def next_frame(channel: Channel, timeout: float) -> dict:
    """The runner's next frame: ``{"kind": "check" | "ready", ...}``; a timeout or a broken channel as the
    status it stands for."""
    try:
        header, _ = channel.receive(max(timeout, 0.0))
    except ChannelTimeout:
        return {"kind": "ready", "status": "timeout"}
    except ProtocolError:
        return {"kind": "ready", "status": "crashed"}
    return header


def grade(folder: Path, book_map: dict, settings: Settings, jobs: int = 2,
          shard: tuple[int, int] | None = None) -> list[Result]:
    """Grade every (learner, notebook) pair (or one shard of them) in parallel, sorted by learner.

    A notebook that hit a limit (time for its cells or a call, memory, a kernel that died) is then graded
    again, alone: graded in parallel, a classmate's notebook that keeps every core busy, or fills the memory
    until the system kills a process, could otherwise have cost it its points.
    """
    graded = {notebook: book for notebook, book in book_map.items() if book.exercises}
    found = find_submissions(folder, list(graded))
    pairs = sorted((learner, notebook) for learner in found for notebook in graded)
    if shard is not None:
        pairs = select_shard(pairs, shard)
    own_uids = sandbox.as_root() and not settings.unsafe
    with sandbox.job_uids(jobs if own_uids else 0, settings.uid_base) as uids:
        settings.uids = queue.Queue() if own_uids else None
        for uid in uids:
            settings.uids.put(uid)

        def grade_pair(pair: tuple[str, str]) -> Result:
            return grade_one(folder, pair[0], graded[pair[1]], found[pair[0]].get(pair[1]), settings)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(grade_pair, pairs))
        if jobs > 1:   # a classmate's notebook graded beside it may have taken the cores or the memory
            for index, (pair, result) in enumerate(zip(pairs, results, strict=True)):
                if result.hit_a_limit:
                    results[index] = grade_pair(pair)
                    results[index].first_try = result.status
    return sorted(results, key=lambda r: (r.learner, r.notebook))


def merge(paths: list[Path], out: Path, book_map: dict) -> list[Result]:
    results = read_results(paths)
    write_tables(results, exercise_columns(book_map), out)
    return results


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m classroom.grade", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        description="Grade a folder of exercise notebooks: one sub-folder per learner (alice/03_....ipynb) "
                    "or flat files learner__NN_name.ipynb. Each notebook runs in a bubblewrap sandbox; the "
                    "checks run in this process on the learner's functions. Writes grades.csv (learner x "
                    "exercise) and feedback.csv (every verdict) beside it, and prints a summary. "
                    "'merge SHARD.csv ... --out grades.csv' joins the tables of --shard runs.")
    parser.add_argument("submissions", type=Path, nargs="?", help="the folder of submissions")
    parser.add_argument("--out", type=Path, help="grades table (default grades.csv; with --shard: the "
                                                 "shard's results table, default shard-K-of-N.csv)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="notebooks graded at once")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per notebook to run its cells")
    parser.add_argument("--call-timeout", type=float, default=30,
                        help="seconds per call of a learner's function")
    parser.add_argument("--memory-mb", type=int, default=4096, help="address-space limit per process, MB")
    parser.add_argument("--max-mb", type=float, default=MAX_BYTES / 2 ** 20,
                        help="largest notebook file read")
    parser.add_argument("--max-processes", type=int, default=sandbox.NPROC,
                        help="processes and threads per notebook (per job uid when run as root)")
    parser.add_argument("--uid-base", type=int, default=sandbox.UID_BASE,
                        help="run as root, each job runs as its own free uid from this one up")
    parser.add_argument("--shard", help="grade only shard K/N (K = 0..N-1) of the (learner, notebook) pairs, "
                                        "e.g. --shard $JOB_COMPLETION_INDEX/8")
    parser.add_argument("--unsafe-no-sandbox", action="store_true",
                        help="grade without bwrap (macOS, Windows): the learners' code runs with YOUR rights")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["merge"]:
        return main_merge(argv[1:])
    cli = parser()
    args = cli.parse_args(argv)
    if args.submissions is None or not args.submissions.is_dir():
        cli.error(f"SUBMISSIONS_DIR {args.submissions} is not a folder")
    if not args.unsafe_no_sandbox and not sandbox.bwrap_available():
        cli.error("bwrap (bubblewrap), prlimit and choom (util-linux), and libseccomp are needed to grade "
                  "safely: apt-get install bubblewrap libseccomp2 and pip install pyseccomp (or grade in a "
                  "Linux container). --unsafe-no-sandbox runs the learners' code unprotected.")
    shard = parse_shard(args.shard) if args.shard else None
    settings = Settings(args.timeout, args.memory_mb, args.call_timeout, args.unsafe_no_sandbox,
                        int(args.max_mb * 2 ** 20), args.max_processes, args.uid_base)
    book_map, start = books(), time.monotonic()
    results = grade(args.submissions, book_map, settings, max(1, args.jobs), shard)
    if shard is not None:
        out = args.out or Path(f"shard-{shard[0]}-of-{shard[1]}.csv")
        write_atomically(out, results_table(results))
    else:
        out = args.out or Path("grades.csv")
        write_tables(results, exercise_columns(book_map), out)
        print(summary(results, exercise_columns(book_map)))
    again = [f"{r.learner}/{r.notebook} ({r.first_try} -> {r.status})" for r in results if r.first_try]
    if again:
        print(f"graded again, alone, after hitting a limit beside other notebooks: {', '.join(again)}")
    for result in results:
        if result.files:
            print(f"{result.learner}/{result.notebook}: {result.files}")
    if args.unsafe_no_sandbox:
        print("WARNING: graded WITHOUT a sandbox: the learners' code ran with your rights.")
    print(f"graded {len(results)} notebooks of {len({r.learner for r in results})} learners in "
          f"{time.monotonic() - start:.1f} s; table: {out}")
    return 0


def main_merge(argv: list[str]) -> int:
    cli = argparse.ArgumentParser(prog="python -m classroom.grade merge",
                                  description="Join the results tables of --shard runs into grades.csv and "
                                              "feedback.csv, exactly as one run writes them.")
    cli.add_argument("shards", type=Path, nargs="+")
    cli.add_argument("--out", type=Path, default=Path("grades.csv"))
    args = cli.parse_args(argv)
    book_map = books()
    results = merge(args.shards, args.out, book_map)
    print(summary(results, exercise_columns(book_map)))
    print(f"merged {len(args.shards)} shards ({len(results)} notebooks); table: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
