"""The delivery ledger: which report thread each chat got, and which papers were posted in it.

A rerun after a crash finds the same thread and skips what was already sent, so nothing is
posted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import AnalysisSource, DeliveryStatus, ReportStatus, ThreadStatus
from storage._sql import batches, insert
from storage.models import DeliveryRow, ThreadRow, utcnow
from storage.records import ThreadRecord


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create_thread(
        self, platform: str, chat_id: str, report_date: date, scope: str
    ) -> ThreadRecord:
        """The chat's thread for a day, created as `ThreadStatus.OPENING` the first time.

        A chat has one thread per day: an existing thread is returned even if its scope differs.
        """
        now = utcnow()
        stmt = (
            insert(self._session, ThreadRow)
            .values(
                platform=platform,
                chat_id=chat_id,
                report_date=report_date,
                scope=scope,
                status=ThreadStatus.OPENING,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
        await self._session.execute(stmt)
        found = select(ThreadRow.__table__).where(
            ThreadRow.platform == platform,
            ThreadRow.chat_id == chat_id,
            ThreadRow.report_date == report_date,
        )
        return _thread((await self._session.execute(found)).one())

    async def get_thread(self, thread_id: int) -> ThreadRecord | None:
        stmt = select(ThreadRow.__table__).where(ThreadRow.id == thread_id)
        row = (await self._session.execute(stmt)).one_or_none()
        return None if row is None else _thread(row)

    async def set_parent(
        self,
        thread_id: int,
        parent_message_id: str,
        topic_id: str | None = None,
        parent_status: ReportStatus | None = None,
    ) -> None:
        """The thread's first message was posted (showing `parent_status`, None if unknown):
        papers can now be replied under it."""
        await self._set(
            thread_id,
            parent_message_id=parent_message_id,
            topic_id=topic_id,
            parent_status=parent_status,
            status=ThreadStatus.OPEN,
        )

    async def record_parent_status(self, thread_id: int, parent_status: ReportStatus) -> None:
        """The parent was edited to show the finished report's status (or the edit refused)."""
        await self._set(thread_id, parent_status=parent_status)

    async def complete(self, thread_id: int) -> None:
        await self._set(thread_id, status=ThreadStatus.COMPLETE)

    async def record_pending(self, thread_id: int, arxiv_id: str, version: int) -> None:
        """Note a paper about to be posted (a no-op when it is already pending or sent)."""
        stmt = (
            insert(self._session, DeliveryRow)
            .values(
                thread_id=thread_id,
                arxiv_id=arxiv_id,
                version=version,
                status=DeliveryStatus.PENDING,
                created_at=utcnow(),
            )
            .on_conflict_do_nothing()
        )
        await self._session.execute(stmt)

    async def record_sent(
        self,
        thread_id: int,
        arxiv_id: str,
        version: int,
        message_id: str,
        shown_source: AnalysisSource | None = None,
    ) -> None:
        """Mark a paper as posted, with what its message showed (the analysis's source, None
        for no analysis); once sent, later calls change nothing."""
        now = utcnow()
        stmt = insert(self._session, DeliveryRow).values(
            thread_id=thread_id,
            arxiv_id=arxiv_id,
            version=version,
            message_id=message_id,
            shown_source=shown_source,
            status=DeliveryStatus.SENT,
            created_at=now,
            sent_at=now,
        )
        new = stmt.excluded
        stmt = stmt.on_conflict_do_update(
            index_elements=["thread_id", "arxiv_id"],
            set_={
                "version": new.version,
                "message_id": new.message_id,
                "shown_source": new.shown_source,
                "status": new.status,
                "sent_at": new.sent_at,
            },
            where=DeliveryRow.status != DeliveryStatus.SENT,
        )
        await self._session.execute(stmt)

    async def sent_messages(
        self, thread_id: int
    ) -> dict[str, tuple[str | None, AnalysisSource | None]]:
        """The papers sent in this thread (pending ones are not included): arXiv id ->
        (message id, what the message showed)."""
        stmt = select(DeliveryRow.arxiv_id, DeliveryRow.message_id, DeliveryRow.shown_source).where(
            DeliveryRow.thread_id == thread_id, DeliveryRow.status == DeliveryStatus.SENT
        )
        rows = (await self._session.execute(stmt)).all()
        return {row.arxiv_id: (row.message_id, _source(row.shown_source)) for row in rows}

    async def paper_at(self, platform: str, chat_ids: Iterable[str], message_id: str) -> str | None:
        """The paper whose (first) message in a daily thread of one of these chats is
        `message_id`; None for any other message (a reaction names a message, not a paper)."""
        stmt = (
            select(DeliveryRow.arxiv_id)
            .join(ThreadRow, ThreadRow.id == DeliveryRow.thread_id)
            .where(
                ThreadRow.platform == platform,
                ThreadRow.chat_id.in_(list(chat_ids)),
                DeliveryRow.message_id == message_id,
                DeliveryRow.status == DeliveryStatus.SENT,
            )
            .limit(1)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def record_shown(
        self, thread_id: int, arxiv_id: str, shown_source: AnalysisSource
    ) -> None:
        """A sent paper's message was edited (or the edit was refused for good): it is settled."""
        stmt = (
            update(DeliveryRow)
            .where(DeliveryRow.thread_id == thread_id, DeliveryRow.arxiv_id == arxiv_id)
            .values(shown_source=shown_source)
            .execution_options(synchronize_session=False)
        )
        await self._session.execute(stmt)

    async def pending_ids(self, thread_id: int) -> set[str]:
        """Papers recorded as about to be posted but never acknowledged (a crash came between)."""
        stmt = select(DeliveryRow.arxiv_id).where(
            DeliveryRow.thread_id == thread_id, DeliveryRow.status == DeliveryStatus.PENDING
        )
        return set((await self._session.execute(stmt)).scalars())

    async def delivered_to_chat_before(
        self, platform: str, chat_id: str, arxiv_ids: Iterable[str], before: date
    ) -> set[str]:
        """Which of `arxiv_ids` this chat got in a thread dated strictly before `before`."""
        found: set[str] = set()
        for batch in batches(sorted(set(arxiv_ids))):
            stmt = (
                select(DeliveryRow.arxiv_id)
                .join(ThreadRow, ThreadRow.id == DeliveryRow.thread_id)
                .where(
                    ThreadRow.platform == platform,
                    ThreadRow.chat_id == chat_id,
                    ThreadRow.report_date < before,
                    DeliveryRow.status == DeliveryStatus.SENT,
                    DeliveryRow.arxiv_id.in_(batch),
                )
                .distinct()
            )
            found.update((await self._session.execute(stmt)).scalars())
        return found

    async def _set(self, thread_id: int, **values: Any) -> None:
        stmt = (
            update(ThreadRow)
            .where(ThreadRow.id == thread_id)
            .values(**values, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(stmt)
        if result.rowcount == 0:  # type: ignore[attr-defined]
            raise LookupError(f"no thread {thread_id}")


def _thread(row: Any) -> ThreadRecord:
    return ThreadRecord(
        id=row.id,
        platform=row.platform,
        chat_id=row.chat_id,
        report_date=row.report_date,
        scope=row.scope,
        parent_message_id=row.parent_message_id,
        topic_id=row.topic_id,
        status=ThreadStatus(row.status),
        parent_status=None if row.parent_status is None else ReportStatus(row.parent_status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _source(value: str | None) -> AnalysisSource | None:
    return None if value is None else AnalysisSource(value)
