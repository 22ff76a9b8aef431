"""Per-user abuse limits on chat commands, counted in the database.

Counting in the database rather than in memory means a restart forgives nothing and every
replica on the same database sees the same counts. Windows are fixed: a calendar minute (UTC)
for the rate limits, a UTC day for the daily caps of new summaries and new answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from bot.platform import Caller
from domain.messages import ENGLISH, text
from pipeline.budget import utc_today
from storage.db import Database
from storage.models import utcnow
from storage.repositories import UsageRepository

Action = Literal["summarize", "keywords", "interests", "ask"]

# Counts the `summarize` requests that needed the LLM, for the daily cap.
SUMMARIZE_LLM = "summarize_llm"
# Counts the questions that needed the LLM (not those answered from the store).
ASK_LLM = "ask_llm"

MINUTE = timedelta(minutes=1)


class UserLimits:
    """Per-minute rate limits of each command kind and the daily caps of new summaries and of
    new answers to questions; 0: off."""

    def __init__(
        self,
        db: Database,
        *,
        summarize_per_minute: int = 0,
        keyword_changes_per_minute: int = 0,
        summarize_per_day: int = 0,
        ask_per_day: int = 0,
        now: Callable[[], datetime] = utcnow,
        today: Callable[[], date] = utc_today,
    ) -> None:
        self.db = db
        self.per_minute: dict[Action, int] = {
            "summarize": summarize_per_minute,
            "keywords": keyword_changes_per_minute,
            # `interests add` looks papers up on arXiv as `summarize` does, up to 20 at once;
            # `interests reset` rewrites every vote: both count against the summarize rate.
            "interests": summarize_per_minute,
            # A question may fetch and read a paper as `summarize` does.
            "ask": summarize_per_minute,
        }
        self.summarize_per_day = summarize_per_day
        self.ask_per_day = ask_per_day
        self._now = now
        self._today = today

    async def refusal(self, caller: Caller, action: Action, language: str = ENGLISH) -> str | None:
        """Count one `action` of the caller; the one-line refusal, in `language`, if this
        minute's are used up."""
        limit = self.per_minute[action]
        if limit <= 0:
            return None
        now = self._now()
        window = now.replace(second=0, microsecond=0)
        async with self.db.session() as session:
            taken = await UsageRepository(session).take(
                caller.platform, caller.user_id, action, window, limit
            )
        if taken:
            return None
        again = window + MINUTE
        return text(
            f"chat.too_fast.{action}",
            language,
            limit=limit,
            wait=max(1, math.ceil((again - now).total_seconds())),
            at=f"{again.astimezone(UTC):%H:%M:%S} UTC",
        )

    async def may_use_llm(self, caller: Caller) -> bool:
        """Whether the caller has new summaries left today (stored analyses never count)."""
        return await self._left_today(caller, SUMMARIZE_LLM, self.summarize_per_day)

    async def used_llm(self, caller: Caller) -> None:
        """Count a summary that needed the LLM against the caller's day."""
        await self._count_today(caller, SUMMARIZE_LLM, self.summarize_per_day)

    async def may_ask(self, caller: Caller) -> bool:
        """Whether the caller has new answers left today (stored answers never count)."""
        return await self._left_today(caller, ASK_LLM, self.ask_per_day)

    async def asked(self, caller: Caller) -> None:
        """Count an answer that needed the LLM against the caller's day."""
        await self._count_today(caller, ASK_LLM, self.ask_per_day)

    async def _left_today(self, caller: Caller, counter: str, cap: int) -> bool:
        if cap <= 0:
            return True
        async with self.db.session() as session:
            used = await UsageRepository(session).count(
                caller.platform, caller.user_id, counter, self._day_start()
            )
        return used < cap

    async def _count_today(self, caller: Caller, counter: str, cap: int) -> None:
        if cap <= 0:
            return
        async with self.db.session() as session:
            await UsageRepository(session).add(
                caller.platform, caller.user_id, counter, self._day_start()
            )

    def _day_start(self) -> datetime:
        return datetime.combine(self._today(), time(), UTC)
