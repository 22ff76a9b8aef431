"""What a chat and its people kept of the archive: the papers posted in a chat, a person's 👍
("saved") papers, and how many 👍 a paper has in a chat. No table of its own: votes, the
delivery ledger and the answers' messages already hold it all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import DeliveryStatus
from storage._sql import batches
from storage.models import AnswerMessageRow, DeliveryRow, ThreadRow, VoteRow
from storage.votes import UP

_NEVER = datetime.min.replace(tzinfo=UTC)  # a delivery from before sent_at was kept


class MemoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def posted_in_chat(self, platform: str, chat_id: str) -> list[str]:
        """Every paper the chat was shown, in its daily threads or as a command's answer, the
        most recently shown first; each once."""
        threads = (
            select(DeliveryRow.arxiv_id, DeliveryRow.sent_at)
            .join(ThreadRow, ThreadRow.id == DeliveryRow.thread_id)
            .where(
                ThreadRow.platform == platform,
                ThreadRow.chat_id == chat_id,
                DeliveryRow.status == DeliveryStatus.SENT,
            )
        )
        answers = select(AnswerMessageRow.arxiv_id, AnswerMessageRow.created_at).where(
            AnswerMessageRow.platform == platform, AnswerMessageRow.chat_id == chat_id
        )
        shown = [
            (at or _NEVER, arxiv_id)
            for stmt in (threads, answers)
            for arxiv_id, at in (await self._session.execute(stmt)).all()
        ]
        return _newest_first(shown)

    async def saved(self, platform: str, user_id: str) -> list[str]:
        """The papers the person gave a 👍 in any chat of the platform, newest vote first."""
        stmt = select(VoteRow.arxiv_id, VoteRow.updated_at).where(
            VoteRow.platform == platform, VoteRow.user_id == user_id, VoteRow.value == UP
        )
        rows = (await self._session.execute(stmt)).all()
        return _newest_first([(at, arxiv_id) for arxiv_id, at in rows])

    async def likes(self, platform: str, chat_id: str, arxiv_ids: Iterable[str]) -> dict[str, int]:
        """How many people gave each paper a 👍 in the chat (papers with none left out)."""
        found: dict[str, int] = {}
        for batch in batches(sorted(set(arxiv_ids))):
            stmt = (
                select(VoteRow.arxiv_id, func.count())
                .where(
                    VoteRow.platform == platform,
                    VoteRow.chat_id == chat_id,
                    VoteRow.value == UP,
                    VoteRow.arxiv_id.in_(batch),
                )
                .group_by(VoteRow.arxiv_id)
            )
            rows = (await self._session.execute(stmt)).all()
            found.update({arxiv_id: int(count) for arxiv_id, count in rows})
        return found


def _newest_first(shown: list[tuple[datetime, str]]) -> list[str]:
    """Ids by their latest time, newest first (ties by id, so every database agrees)."""
    latest: dict[str, datetime] = {}
    for at, arxiv_id in shown:
        if arxiv_id not in latest or at > latest[arxiv_id]:
            latest[arxiv_id] = at
    return sorted(latest, key=lambda arxiv_id: (latest[arxiv_id], arxiv_id), reverse=True)
