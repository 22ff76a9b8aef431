"""The Telegram bot the daily run posts with: its rate limits, retries and request deadline.

Telegram allows about one message a second per chat, 20 a minute per group and 30 a second in
all: PTB's `AIORateLimiter` keeps the group and overall limits and waits out any 429
(`RetryAfter`) before trying again.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram.error import TimedOut
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.telegram.settings import TelegramSettings

RATE_LIMIT_RETRIES = 5  # 429s: Telegram says how long to wait, so waiting is always right
GROUP_MESSAGES_PER_MINUTE = 20
MESSAGES_PER_SECOND_OVERALL = 30


def make_rate_limiter(settings: TelegramSettings) -> AIORateLimiter:
    """Group and overall limits, and retries after a 429; with pacing off (tests), retries only."""
    paced = settings.messages_per_second > 0
    return AIORateLimiter(
        overall_max_rate=MESSAGES_PER_SECOND_OVERALL if paced else 0,
        group_max_rate=GROUP_MESSAGES_PER_MINUTE if paced else 0,
        max_retries=RATE_LIMIT_RETRIES,
    )


class DeadlineRequest(HTTPXRequest):
    """PTB's httpx request with a bound on the whole request: httpx's read timeout restarts
    with every chunk, so an answer that trickles in would otherwise never time out."""

    def __init__(self, total_seconds: float, connection_pool_size: int = 1) -> None:
        super().__init__(
            connection_pool_size=connection_pool_size,
            read_timeout=total_seconds,
            write_timeout=total_seconds,
            connect_timeout=total_seconds,
            pool_timeout=total_seconds,
        )
        self._total = total_seconds

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            async with asyncio.timeout(self._total):
                return await super().do_request(*args, **kwargs)
        except TimeoutError as exc:
            raise TimedOut(f"Telegram's answer took longer than {self._total:g} s") from exc


def make_bot(settings: TelegramSettings) -> ExtBot[int]:
    """A bot for posting outside the chat app (the daily run); use it as `async with bot:`."""
    return ExtBot(
        settings.bot_token,
        base_url=settings.api_url,
        rate_limiter=make_rate_limiter(settings),
        request=DeadlineRequest(settings.timeout_seconds),
    )
