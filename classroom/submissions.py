"""Finding and reading submissions without trusting them: no links followed, no special files, bounded reads.

Layout: one sub-folder per learner holding ``NN_name.ipynb`` files, or flat files ``learner__NN_name.ipynb``.
Every file is opened relative to an open folder with ``O_NOFOLLOW`` (a symlink anywhere on the way is
refused, so a submission cannot point at a classmate's file, the answer key or ``/dev/zero``), must be a
regular file (no FIFO, device or socket: opened non-blocking, so nothing can hang the grader) and is read up
to a size limit, never further. The outcome is the bytes or a status for the table: ``symlink``,
``not-a-regular-file``, ``too-large``, ``truncated``, ``not-a-notebook`` (``missing`` when absent). Two files
for one learner's notebook (``alice/NN_name.ipynb`` and ``alice__NN_name.ipynb``) are never resolved by a
rule the learner cannot see: neither is read, and the notebook's status is ``ambiguous``. A notebook found
only under the name a browser or JupyterLab gives a copy (``NN_name (1).ipynb``, ``NN_name-Copy1.ipynb``,
``Copy of NN_name.ipynb``) is graded from that copy, and the grader says so; two such copies are
``ambiguous``; beside the notebook's own name, copies are not graded, and the grader lists them.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 20 << 20     # the largest notebook the grader reads (the solution notebooks are below 2 MB)
# The names a copy of NN_name.ipynb gets: "NN_name (1)" (a browser saving a second download), "NN_name-Copy1"
# (JupyterLab's Duplicate), "Copy of NN_name" (Google Drive and Colab).
COPY = re.compile(r"(?P<name>.+?)(?: ?\(\d+\)|-Copy\d+)|Copy of (?P<original>.+)")


@dataclass(frozen=True)
class Submission:
    """Where one learner's notebook is: ``parts`` relative to the submissions folder; ``others``: further
    files found for the same notebook (then the submission is ambiguous and none of them is graded);
    ``copy``: True when the file has a copy's name (see COPY), not the notebook's own; ``copies``: files with
    a copy's name found beside the notebook's own file, which are not graded."""
    parts: tuple[str, ...]
    others: tuple[tuple[str, ...], ...] = ()
    copy: bool = False
    copies: tuple[tuple[str, ...], ...] = ()

    @property
    def ambiguity(self) -> str:
        """Why the submission is not graded when there are several files for it, else ""."""
        if not self.others:
            return ""
        files = ["/".join(parts) for parts in (self.parts, *self.others)]
        count = "two" if len(files) == 2 else str(len(files))
        return f"{count} files for this notebook: {', '.join(files[:-1])} and {files[-1]}: keep one"


def find_submissions(folder: Path, notebooks: list[str]) -> dict[str, dict[str, Submission]]:
    """{learner: {notebook: submission}} from sub-folders or ``learner__NN_name.ipynb`` files.

    A learner folder that is a symlink is listed with every notebook (reading then reports ``symlink``).
    A notebook found both in a learner's folder and as a flat file has ``others`` (see ``Submission``).
    """
    found: dict[str, dict[str, Submission]] = {}
    copies: dict[str, dict[str, Submission]] = {}   # files named as copies, for notebooks found nowhere else

    def add(learner: str, stem: str, parts: tuple[str, ...]) -> None:
        notebook, where = (stem, found) if stem in notebooks else (copy_of(stem, notebooks), copies)
        if notebook is None:
            return
        mine = where.setdefault(learner, {})
        earlier = mine.get(notebook)
        mine[notebook] = Submission(parts, copy=where is copies) if earlier is None else Submission(
            earlier.parts, (*earlier.others, parts), earlier.copy)

    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_dir(follow_symlinks=False):
            found.setdefault(entry.name, {})
            for f in sorted(os.scandir(entry.path), key=lambda e: e.name):
                if f.name.endswith(".ipynb"):
                    add(entry.name, Path(f.name).stem, (entry.name, f.name))
        elif entry.is_symlink() and entry.is_dir():
            for notebook in notebooks:
                add(entry.name, notebook, (entry.name, f"{notebook}.ipynb"))
        elif entry.name.endswith(".ipynb") and "__" in entry.name:
            learner, stem = Path(entry.name).stem.split("__", 1)
            add(learner, stem, (entry.name,))
    for learner, mine in copies.items():
        for notebook, copy in mine.items():
            own = found.setdefault(learner, {}).get(notebook)
            found[learner][notebook] = copy if own is None else dataclasses.replace(   # the own name wins
                own, copies=(copy.parts, *copy.others))
    return found


def copy_of(stem: str, notebooks: list[str]) -> str | None:
    """The notebook whose copy's name ``stem`` is ("01_x (1)" -> "01_x"), or None."""
    match = COPY.fullmatch(stem)
    name = match and (match["name"] or match["original"])
    return name if name in notebooks else None


def read_submission(folder: Path, submission: Submission, limit: int = MAX_BYTES) -> tuple[bytes | None, str]:
    """(content, "") for a readable notebook, else (None, status). Never follows a link, never blocks."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)
    fds = []
    try:
        fds.append(os.open(folder, os.O_RDONLY | os.O_DIRECTORY))
        for part in submission.parts[:-1]:
            fds.append(os.open(part, flags | os.O_DIRECTORY, dir_fd=fds[-1]))
        fds.append(os.open(submission.parts[-1], flags, dir_fd=fds[-1]))
        return read_regular(fds[-1], limit)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR) or error.errno == errno.EMLINK:
            return None, "symlink"
        if error.errno == errno.ENOENT:
            return None, "missing"
        return None, "not-a-regular-file" if error.errno in (errno.ENXIO, errno.EACCES) else "unreadable"
    finally:
        for fd in fds:
            os.close(fd)


def read_regular(fd: int, limit: int) -> tuple[bytes | None, str]:
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return None, "not-a-regular-file"
    if info.st_size > limit:
        return None, "too-large"
    os.set_blocking(fd, True)
    chunks, total = [], 0
    while total <= limit:
        chunk = os.read(fd, min(1 << 20, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    if total > limit:
        return None, "too-large"
    return notebook_status(b"".join(chunks))


def notebook_status(content: bytes) -> tuple[bytes | None, str]:
    """(content, "") when ``content`` is a valid notebook, else (None, "truncated" / "not-a-notebook")."""
    import nbformat
    try:
        text = content.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        return None, "not-a-notebook"
    except (ValueError, RecursionError):
        return None, "truncated" if text.lstrip().startswith("{") else "not-a-notebook"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except nbformat.ValidationError:   # e.g. tags typed as a string: nbval runs it, so the grader does too
        if not _runnable(nb):
            return None, "not-a-notebook"
    except Exception:  # noqa: BLE001 -- whatever nbformat objects to, it is not a notebook we can run
        return None, "not-a-notebook"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # nbformat repeats the validation's complaint
        try:
            return nbformat.writes(nb).encode("utf-8"), ""
        except UnicodeEncodeError:   # a lone surrogate ("\ud83d" in the JSON), which nbval runs: kept escaped
            return json.dumps(nb, ensure_ascii=True).encode("ascii"), ""


def _runnable(nb: dict) -> bool:
    """True when a notebook that breaks the schema elsewhere (metadata, ids, outputs) still has what a run
    needs: a list of cells, each of a known type with its source as text."""
    def is_text(source: object) -> bool:
        lines = source if isinstance(source, list) else [source]
        return all(isinstance(line, str) for line in lines)
    cells = nb.get("cells")
    return isinstance(cells, list) and all(isinstance(cell, dict) and is_text(cell.get("source"))
                                           and cell.get("cell_type") in ("code", "markdown", "raw")
                                           and isinstance(cell.get("metadata", {}), dict) for cell in cells)
