"""Fewer malloc heaps for this process: what keeps a day's peak memory down.

PDFs are read and papers embedded on worker threads, and glibc gives threads heaps of their own
(up to eight per core), each keeping what it freed. Two heaps cut a ranked day's peak by about
30 MB (benchmarks/day_run.py). `MALLOC_ARENA_MAX`, when set, is glibc's own say and is left as
it is; elsewhere than glibc nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import sys

HEAPS = 2
_M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def limit_heaps(count: int = HEAPS) -> bool:
    """Ask glibc for at most `count` heaps; True if it was asked. Call before threads start."""
    if not sys.platform.startswith("linux") or "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        # The process's own symbols, libc's among them: no search for the library (which runs
        # `ldconfig`, and this is on every command's start).
        libc = ctypes.CDLL(None)
        return bool(libc.mallopt(_M_ARENA_MAX, count))
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
