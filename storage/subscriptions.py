"""Keyword subscriptions of chats and users.

`chat_id=None` is a user's keyword in every chat, `user_id=None` the chat's own keyword. They
are stored as "" (`storage.models.NO_ID`) so the unique constraint also holds for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._sql import batches, insert
from storage.models import NO_ID, SubscriptionRow, utcnow
from storage.records import Subscription


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        platform: str,
        chat_id: str | None,
        user_id: str | None,
        keywords: Iterable[tuple[str, str]],
    ) -> list[str]:
        """Subscribe to (display, key) pairs; returns the keys that were not subscribed yet.

        A key given twice keeps its first display form; the result follows the input order.
        """
        wanted: dict[str, str] = {}
        for display, key in keywords:
            wanted.setdefault(key, display)
        if not wanted:
            return []
        now = utcnow()
        rows = [
            {
                "platform": platform,
                "chat_id": chat_id or NO_ID,
                "user_id": user_id or NO_ID,
                "keyword": display,
                "keyword_key": key,
                "created_at": now,
            }
            for key, display in wanted.items()
        ]
        added: set[str] = set()
        for batch in batches(rows):
            stmt = (
                insert(self._session, SubscriptionRow)
                .values(list(batch))
                .on_conflict_do_nothing()
                .returning(SubscriptionRow.keyword_key)
            )
            added.update((await self._session.execute(stmt)).scalars())
        return [key for key in wanted if key in added]

    async def remove(
        self, platform: str, chat_id: str | None, user_id: str | None, keys: Iterable[str]
    ) -> list[str]:
        """Unsubscribe from keys; returns those that were subscribed, in the order given."""
        wanted = list(dict.fromkeys(keys))
        removed: set[str] = set()
        for batch in batches(wanted):
            stmt = (
                delete(SubscriptionRow)
                .where(
                    SubscriptionRow.platform == platform,
                    SubscriptionRow.chat_id == (chat_id or NO_ID),
                    SubscriptionRow.user_id == (user_id or NO_ID),
                    SubscriptionRow.keyword_key.in_(batch),
                )
                .returning(SubscriptionRow.keyword_key)
            )
            removed.update((await self._session.execute(stmt)).scalars())
        return [key for key in wanted if key in removed]

    async def list_for(
        self, platform: str, chat_id: str | None, user_id: str | None
    ) -> list[Subscription]:
        """Exactly this owner's keywords (a user's global ones are listed with chat_id=None)."""
        stmt = (
            select(SubscriptionRow.__table__)
            .where(
                SubscriptionRow.platform == platform,
                SubscriptionRow.chat_id == (chat_id or NO_ID),
                SubscriptionRow.user_id == (user_id or NO_ID),
            )
            .order_by(SubscriptionRow.id)
        )
        return _subscriptions((await self._session.execute(stmt)).all())

    async def in_chat(self, platform: str, chat_id: str) -> list[Subscription]:
        """The chat's own keywords and its members' keywords added there, oldest first."""
        stmt = (
            select(SubscriptionRow.__table__)
            .where(SubscriptionRow.platform == platform, SubscriptionRow.chat_id == chat_id)
            .order_by(SubscriptionRow.id)
        )
        return _subscriptions((await self._session.execute(stmt)).all())

    async def of_user(self, platform: str, user_id: str) -> list[Subscription]:
        """Every keyword of one user on a platform, in any chat, oldest first."""
        stmt = (
            select(SubscriptionRow.__table__)
            .where(SubscriptionRow.platform == platform, SubscriptionRow.user_id == user_id)
            .order_by(SubscriptionRow.id)
        )
        return _subscriptions((await self._session.execute(stmt)).all())

    async def all(self) -> list[Subscription]:
        """Every subscription of every platform, oldest first."""
        stmt = select(SubscriptionRow.__table__).order_by(SubscriptionRow.id)
        return _subscriptions((await self._session.execute(stmt)).all())


def _subscriptions(rows: Sequence[Any]) -> list[Subscription]:
    return [
        Subscription(
            platform=row.platform,
            chat_id=row.chat_id or None,
            user_id=row.user_id or None,
            keyword=row.keyword,
            keyword_key=row.keyword_key,
            created_at=row.created_at,
        )
        for row in rows
    ]
