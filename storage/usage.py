"""Per-user counts of actions within fixed windows (a minute, a UTC day), for abuse limits.

Counting goes through one INSERT … ON CONFLICT DO UPDATE, so two replicas answering the same
user at once can neither lose a count nor both slip under a limit.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._sql import insert
from storage.models import UsageRow

# A user's windows older than this are deleted when their next action is counted.
KEEP_WINDOWS_FOR = timedelta(days=2)


class UsageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def take(
        self, platform: str, user_id: str, action: str, window_start: datetime, limit: int
    ) -> bool:
        """Count one action if the window holds fewer than `limit` (> 0); False, and nothing
        counted, if it is full."""
        await self._forget_old(platform, user_id, window_start)
        stmt = insert(self._session, UsageRow).values(
            platform=platform, user_id=user_id, action=action, window_start=window_start, count=1
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=["platform", "user_id", "action", "window_start"],
            set_={"count": UsageRow.count + 1},
            where=UsageRow.count < limit,
        ).returning(UsageRow.count)
        return (await self._session.execute(upsert)).first() is not None

    async def add(self, platform: str, user_id: str, action: str, window_start: datetime) -> int:
        """Count one action whatever the limit; the window's new count."""
        await self._forget_old(platform, user_id, window_start)
        stmt = (
            insert(self._session, UsageRow)
            .values(
                platform=platform,
                user_id=user_id,
                action=action,
                window_start=window_start,
                count=1,
            )
            .on_conflict_do_update(
                index_elements=["platform", "user_id", "action", "window_start"],
                set_={"count": UsageRow.count + 1},
            )
            .returning(UsageRow.count)
        )
        return (await self._session.execute(stmt)).scalar_one()

    async def count(self, platform: str, user_id: str, action: str, window_start: datetime) -> int:
        stmt = select(UsageRow.count).where(
            UsageRow.platform == platform,
            UsageRow.user_id == user_id,
            UsageRow.action == action,
            UsageRow.window_start == window_start,
        )
        return (await self._session.execute(stmt)).scalar_one_or_none() or 0

    async def _forget_old(self, platform: str, user_id: str, now: datetime) -> None:
        await self._session.execute(
            delete(UsageRow).where(
                UsageRow.platform == platform,
                UsageRow.user_id == user_id,
                UsageRow.window_start < now - KEEP_WINDOWS_FOR,
            )
        )
