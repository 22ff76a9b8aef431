"""What a chat's week held (the papers posted to it, their 👍, the questions asked), and the
ledger that posts each chat's weekly digest once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import DeliveryStatus
from storage._sql import insert
from storage.models import (
    DeliveryRow,
    QuestionRow,
    ThreadRow,
    WeeklyDigestRow,
    utcnow,
)


@dataclass(frozen=True, slots=True)
class PostedPaper:
    """A paper's message in one of the chat's daily threads."""

    arxiv_id: str
    report_date: date
    message_id: str | None
    parent_message_id: str | None  # the day's thread
    topic_id: str | None  # Telegram forum topic


@dataclass(frozen=True, slots=True)
class WeeklyRecord:
    status: DeliveryStatus
    message_id: str | None


class WeekRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def posted(
        self, platform: str, chat_id: str, first: date, last: date
    ) -> list[PostedPaper]:
        """The papers sent to the chat's daily threads of these days, in day order."""
        stmt = (
            select(
                DeliveryRow.arxiv_id,
                ThreadRow.report_date,
                DeliveryRow.message_id,
                ThreadRow.parent_message_id,
                ThreadRow.topic_id,
            )
            .join(ThreadRow, ThreadRow.id == DeliveryRow.thread_id)
            .where(
                ThreadRow.platform == platform,
                ThreadRow.chat_id == chat_id,
                ThreadRow.report_date.between(first, last),
                DeliveryRow.status == DeliveryStatus.SENT,
            )
            .order_by(ThreadRow.report_date, DeliveryRow.id)
        )
        return [PostedPaper(*row) for row in await self._session.execute(stmt)]

    async def questions(
        self, platform: str, chat_id: str, start: datetime, end: datetime
    ) -> dict[str, int]:
        """How many questions were asked about each paper in the chat from start to end."""
        stmt = (
            select(QuestionRow.arxiv_id, func.count())
            .where(
                QuestionRow.platform == platform,
                QuestionRow.chat_id == chat_id,
                QuestionRow.created_at >= start,
                QuestionRow.created_at < end,
            )
            .group_by(QuestionRow.arxiv_id)
        )
        return {arxiv_id: count for arxiv_id, count in await self._session.execute(stmt)}

    async def claim(self, platform: str, chat_id: str, week: str) -> WeeklyRecord:
        """The week's record for the chat, made PENDING if there was none: SENT means posted
        already; PENDING may have been posted just before a crash."""
        now = utcnow()
        stmt = insert(self._session, WeeklyDigestRow).values(
            platform=platform,
            chat_id=chat_id,
            week=week,
            status=DeliveryStatus.PENDING,
            created_at=now,
            updated_at=now,
        )
        await self._session.execute(stmt.on_conflict_do_nothing())
        row = (
            await self._session.execute(
                select(WeeklyDigestRow.status, WeeklyDigestRow.message_id).where(
                    WeeklyDigestRow.platform == platform,
                    WeeklyDigestRow.chat_id == chat_id,
                    WeeklyDigestRow.week == week,
                )
            )
        ).one()
        return WeeklyRecord(DeliveryStatus(row.status), row.message_id)

    async def sent(self, platform: str, chat_id: str, week: str, message_id: str) -> None:
        await self._session.execute(
            update(WeeklyDigestRow)
            .where(
                WeeklyDigestRow.platform == platform,
                WeeklyDigestRow.chat_id == chat_id,
                WeeklyDigestRow.week == week,
            )
            .values(status=DeliveryStatus.SENT, message_id=message_id, updated_at=utcnow())
        )
