"""The same memory allocator policy for every contender of a benchmark: glibc's malloc keeps freed memory.

Why: a NumPy step creates and frees arrays of its batch's size. glibc's malloc hands freed memory back to the
operating system once more than its trim threshold lies free at the top of the heap, and serves arrays above
its mmap threshold with fresh mappings (both thresholds 128 kB at first, raised by glibc as the program runs).
Memory handed back costs a page fault per 4 kB page when it is used again: the kernel maps it and fills it
with zeros. Whether a step pays that depends on what the process allocated before the step, not on the step.
Measured on the benchmark machine (firecracker VM, 2 cores), the textbook step on moons (1,000 × 16) took
396 µs with 93 page faults per step in a bare process, and 131 µs with none after ``import
matplotlib.pyplot`` (whose own allocations leave free space in the middle of the heap for the step to
reuse); PyTorch's process had none either. A benchmark that leaves this to chance times the heap's history.

So every process of a benchmark calls :func:`keep_freed_memory` before it times anything: freed memory stays
with malloc (below a trim threshold of 512 MiB) and arrays of up to 32 MiB come from the heap, for NumPy and
PyTorch alike. Larger arrays (the 100k case's 205 MB) are still fresh mappings, faults included. A Jupyter
kernel that has imported matplotlib is usually in this state already; glibc's default can still be timed
(``--default-malloc``).
"""

from __future__ import annotations

import ctypes

# glibc's <malloc.h>: the mallopt parameters, and the largest mmap threshold it accepts on 64-bit machines.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 * 2**20   # bytes: arrays up to 32 MiB come from the heap, whose freed memory is kept
TRIM_THRESHOLD = 512 * 2**20  # bytes: up to 512 MiB of free memory at the heap's top stays with malloc

DEFAULT = "glibc's default malloc (freed memory goes back to the system, as the heap's history decides)"
KEPT = (f"malloc keeps freed memory (mallopt: mmap threshold {MMAP_THRESHOLD // 2**20} MiB, trim threshold "
        f"{TRIM_THRESHOLD // 2**20} MiB), in every contender's process")


def keep_freed_memory() -> str:
    """Set glibc's malloc to keep freed memory in this process; returns the policy now in force, as a phrase.

    Without glibc (macOS, musl, Windows) nothing changes, and the phrase says so.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this Python runs on
    except (OSError, AttributeError, TypeError):
        return "the platform's own malloc (no glibc mallopt to set)"
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # Both thresholds must be set: setting one fixes the other at its current value (no more adjusting).
    if mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1:
        return KEPT
    return "the platform's own malloc (mallopt refused the thresholds)"
