"""A daily cap on the LLM's tokens, checked before each analysis and each question.

The stored analyses and questions are the ledger (they record every attempt's tokens), so
processes sharing a database share one budget. What this process spent today also counts, for
the moment between an answer and its row being written; the larger of the two is used, so
nothing is counted twice.
Analyses already in flight when the cap is reached still finish: the cap can be passed by them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from storage.db import Database
from storage.repositories import AnalysisRepository, QuestionRepository


def utc_today() -> date:
    return datetime.now(UTC).date()


class TokenBudget:
    """`daily_cap` tokens per UTC day; 0 or less: no cap."""

    def __init__(self, daily_cap: int, *, today: Callable[[], date] = utc_today) -> None:
        self.daily_cap = daily_cap
        self._today = today
        self._day: date | None = None
        self._spent = 0

    @property
    def unlimited(self) -> bool:
        return self.daily_cap <= 0

    async def used_today(self, db: Database) -> int:
        day = self._roll()
        async with db.session() as session:
            stored = await AnalysisRepository(session).tokens_used_on(day)
            stored += await QuestionRepository(session).tokens_used_on(day)
        return max(stored, self._spent)

    async def exhausted(self, db: Database) -> bool:
        if self.unlimited:
            return False
        return await self.used_today(db) >= self.daily_cap

    def spend(self, tokens: int) -> None:
        self._roll()
        self._spent += tokens

    def _roll(self) -> date:
        day = self._today()
        if day != self._day:
            self._day, self._spent = day, 0
        return day
