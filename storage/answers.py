"""Which paper a command's answer was about, by the message that carried it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._sql import insert
from storage.models import AnswerMessageRow, utcnow


class AnswerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, platform: str, chat_id: str, message_id: str, arxiv_id: str) -> None:
        """Remember the paper a posted answer showed; the same message again changes nothing."""
        stmt = insert(self._session, AnswerMessageRow).values(
            platform=platform,
            chat_id=chat_id,
            message_id=message_id,
            arxiv_id=arxiv_id,
            created_at=utcnow(),
        )
        await self._session.execute(stmt.on_conflict_do_nothing())

    async def paper_at(self, platform: str, chat_ids: Iterable[str], message_id: str) -> str | None:
        """The paper an answer in one of these chats showed, None for any other message."""
        stmt = (
            select(AnswerMessageRow.arxiv_id)
            .where(
                AnswerMessageRow.platform == platform,
                AnswerMessageRow.chat_id.in_(list(chat_ids)),
                AnswerMessageRow.message_id == message_id,
            )
            .limit(1)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()
