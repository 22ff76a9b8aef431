"""Where each user last ran a command in a group chat: their DMs answer in its language."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._sql import insert
from storage.models import LastChatRow, utcnow


class LastChatRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, platform: str, user_id: str, chat_id: str) -> None:
        """Remember `chat_id` as the user's last chat; an upsert, so racing commands agree."""
        now = utcnow()
        stmt = insert(self._session, LastChatRow).values(
            platform=platform, user_id=user_id, chat_id=chat_id, updated_at=now
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["platform", "user_id"],
                set_={"chat_id": stmt.excluded.chat_id, "updated_at": now},
            )
        )

    async def get(self, platform: str, user_id: str) -> str | None:
        """The chat id of the user's last group chat, None if they never used one."""
        stmt = select(LastChatRow.chat_id).where(
            LastChatRow.platform == platform, LastChatRow.user_id == user_id
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()
