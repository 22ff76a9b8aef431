"""Spacing out posts per chat: both platforms allow about one message a second in each chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class ChannelPacer:
    """Hands out posting slots at most `per_second` apart, per channel (or chat).

    Each caller reserves the next free slot before it sleeps, so concurrent posts to one channel
    queue up instead of bunching; channels do not wait for one another.
    """

    def __init__(
        self,
        per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._next_slot: dict[str, float] = {}

    async def wait_turn(self, channel: str) -> None:
        now = self._clock()
        slot = max(now, self._next_slot.get(channel, now))
        self._next_slot[channel] = slot + self._interval
        if slot > now:
            await self._sleep(slot - now)
