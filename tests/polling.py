"""Waiting for work that shows up in its own time: a bot's answer, a fake's call, a log line.

Every wait is bounded by `WAIT_SECONDS`, a bound on a stuck test, never an expectation of speed.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

WAIT_SECONDS = 30.0
# A bound on waits for a new process's work: starting one imports for seconds, and for much
# longer on a loaded machine.
PROCESS_WAIT_SECONDS = 4 * WAIT_SECONDS
POLL_SECONDS = 0.01  # how often the condition is looked at: a wait ends this soon after it holds


async def until(
    condition: Callable[[], T] | Callable[[], Awaitable[T]],
    *,
    stop_if: Callable[[], str | None] = lambda: None,
    explain: Callable[[], str] = lambda: "",
    bound: float = WAIT_SECONDS,
) -> T:
    """`condition()` once it is true; fails when `bound` runs out, or as soon as `stop_if()`
    says why waiting longer is pointless (a process that exited, say).

    `condition` may be a coroutine function (a database read, say).
    `explain()` adds what helps to see why it never happened (a log) to the failure.
    """
    deadline = time.monotonic() + bound
    while not (result := await _checked(condition)):
        if reason := stop_if():
            raise AssertionError(f"{reason}\n{explain()}".rstrip())
        if time.monotonic() > deadline:
            raise AssertionError(f"it never happened within {bound} s\n{explain()}".rstrip())
        await asyncio.sleep(POLL_SECONDS)
    return result


async def _checked(condition: Callable[[], T] | Callable[[], Awaitable[T]]) -> T:
    found = condition()
    if inspect.isawaitable(found):
        return await found  # type: ignore[no-any-return]
    return found
