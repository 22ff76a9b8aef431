"""Where a stop may cut a day's run: between messages, never between a post and its ledger entry."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any


class StopSignal:
    """Created by whoever runs the day (the service's schedule) and checked by the delivery
    ledger around each message it posts or edits.

    A message is in flight from the moment it is about to go out until the ledger has recorded
    it. A stop asked for while none is in flight holds the next message back, at the point where
    the run is then cancelled; one asked for mid-message waits (a bounded time) for it to be
    recorded. The platforms post side by side: each of their messages counts on its own.
    """

    def __init__(self) -> None:
        self._stopping = asyncio.Event()
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.holding = asyncio.Event()  # set once a message has been held back by the stop

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @contextlib.asynccontextmanager
    async def message(self) -> AsyncIterator[None]:
        """Around one post (or edit) and its ledger entry."""
        if self.stopping:
            self.holding.set()
            await asyncio.Future()  # held here, between two messages, until the run is cancelled
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    def request(self) -> None:
        """From now on, no message starts."""
        self._stopping.set()

    async def stop(self, run: asyncio.Task[Any], grace_seconds: float) -> None:
        """Let the messages in flight be posted and recorded (for at most `grace_seconds`),
        then cancel `run` and wait for it to end."""
        self.request()
        if not run.done() and self._in_flight:
            idle = asyncio.ensure_future(self._idle.wait())
            await asyncio.wait(
                {idle, run}, timeout=grace_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            idle.cancel()
        run.cancel()
        await asyncio.gather(run, return_exceptions=True)
