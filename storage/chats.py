"""Each chat's digest settings (`digest here/off/settings`) and who wants a DM digest.

The configured chats (SLACK_CHANNELS, …) are only a starting set: a chat turned on here is
added to it and one turned off is taken out.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._sql import insert
from storage.models import ChatSettingsRow, DmSubscriberRow, utcnow
from storage.records import ChatSettings


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP  # `save` leaves a setting passed as KEEP as it is

# Built once, run with parameters: read by every command.
_CHAT = select(ChatSettingsRow.__table__).where(
    ChatSettingsRow.platform == bindparam("platform"),
    ChatSettingsRow.chat_id == bindparam("chat_id"),
)


class ChatRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, platform: str, chat_id: str) -> ChatSettings | None:
        key = {"platform": platform, "chat_id": chat_id}
        row = (await self._session.execute(_CHAT, key)).one_or_none()
        return None if row is None else _settings(row)

    async def save(
        self,
        platform: str,
        chat_id: str,
        *,
        enabled: bool | _Keep | None = KEEP,
        categories: Sequence[str] | _Keep | None = KEEP,
        language: str | _Keep | None = KEEP,
    ) -> ChatSettings:
        """Change the settings given (None: back to the configured default), keep the others."""
        changed: dict[str, Any] = {}
        if enabled is not KEEP:
            changed["enabled"] = enabled
        if categories is not KEEP:
            changed["categories"] = None if categories is None else list(categories)
        if language is not KEEP:
            changed["language"] = language
        now = utcnow()
        stmt = insert(self._session, ChatSettingsRow).values(
            platform=platform, chat_id=chat_id, created_at=now, updated_at=now, **changed
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=["platform", "chat_id"],
            set_={**{name: stmt.excluded[name] for name in changed}, "updated_at": now},
        ).returning(*ChatSettingsRow.__table__.c)
        return _settings((await self._session.execute(upsert)).one())

    async def switched(self, platform: str) -> dict[str, bool]:
        """Chats turned on (True) or off (False) by command; chats never switched are absent."""
        stmt = select(ChatSettingsRow.chat_id, ChatSettingsRow.enabled).where(
            ChatSettingsRow.platform == platform, ChatSettingsRow.enabled.is_not(None)
        )
        return {row.chat_id: row.enabled for row in (await self._session.execute(stmt)).all()}

    async def set_dm(self, platform: str, user_id: str, wanted: bool) -> bool:
        """Opt a user in to (or out of) the DM digest; returns whether anything changed."""
        if wanted:
            added = (
                insert(self._session, DmSubscriberRow)
                .values(platform=platform, user_id=user_id, created_at=utcnow())
                .on_conflict_do_nothing()
                .returning(DmSubscriberRow.user_id)
            )
            return (await self._session.execute(added)).first() is not None
        removed = (
            delete(DmSubscriberRow)
            .where(DmSubscriberRow.platform == platform, DmSubscriberRow.user_id == user_id)
            .returning(DmSubscriberRow.user_id)
        )
        return (await self._session.execute(removed)).first() is not None

    async def wants_dm(self, platform: str, user_id: str) -> bool:
        stmt = select(DmSubscriberRow.user_id).where(
            DmSubscriberRow.platform == platform, DmSubscriberRow.user_id == user_id
        )
        return (await self._session.execute(stmt)).first() is not None

    async def dm_subscribers(self, platform: str) -> list[str]:
        """Users of a platform who opted in, oldest first."""
        stmt = (
            select(DmSubscriberRow.user_id)
            .where(DmSubscriberRow.platform == platform)
            .order_by(DmSubscriberRow.created_at, DmSubscriberRow.user_id)
        )
        return list((await self._session.execute(stmt)).scalars())


def _settings(row: Any) -> ChatSettings:
    return ChatSettings(
        platform=row.platform,
        chat_id=row.chat_id,
        enabled=row.enabled,
        categories=None if row.categories is None else tuple(row.categories),
        language=row.language,
        updated_at=row.updated_at,
    )
