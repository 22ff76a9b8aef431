"""The 👍/👎 people give papers in a chat: one vote per person, paper and chat; the last wins."""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._sql import insert
from storage.models import VoteRow, utcnow
from storage.records import Vote

UP, DOWN = 1, -1


class VoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, platform: str, chat_id: str, user_id: str, arxiv_id: str, value: int
    ) -> None:
        """Store the person's vote, replacing theirs on the same paper in the same chat; an
        upsert, so two taps racing each other never raise."""
        if value not in (UP, DOWN):
            raise ValueError(f"a vote is {UP} or {DOWN}, not {value!r}")
        now = utcnow()
        stmt = insert(self._session, VoteRow).values(
            platform=platform,
            chat_id=chat_id,
            user_id=user_id,
            arxiv_id=arxiv_id,
            value=value,
            updated_at=now,
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["platform", "chat_id", "user_id", "arxiv_id"],
                set_={"value": stmt.excluded.value, "updated_at": now},
            )
        )

    async def remove(
        self, platform: str, chat_id: str, user_id: str, arxiv_id: str, value: int
    ) -> bool:
        """Take back the person's vote, but only while it is still `value`: undoing a 👍
        reaction leaves a 👎 given since (by button or reaction) as it is. True if removed."""
        stmt = delete(VoteRow).where(
            VoteRow.platform == platform,
            VoteRow.chat_id == chat_id,
            VoteRow.user_id == user_id,
            VoteRow.arxiv_id == arxiv_id,
            VoteRow.value == value,
        )
        result = await self._session.execute(stmt)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def get(self, platform: str, chat_id: str, user_id: str, arxiv_id: str) -> int | None:
        """The person's vote on the paper in that chat, None if they gave none."""
        stmt = select(VoteRow.value).where(
            VoteRow.platform == platform,
            VoteRow.chat_id == chat_id,
            VoteRow.user_id == user_id,
            VoteRow.arxiv_id == arxiv_id,
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def in_chat(self, platform: str, chat_id: str) -> list[Vote]:
        """Every vote given in a chat, oldest change first."""
        return await self._votes(VoteRow.platform == platform, VoteRow.chat_id == chat_id)

    async def of_user(self, platform: str, user_id: str) -> list[Vote]:
        """Every vote a person gave, in every chat of the platform, oldest change first."""
        return await self._votes(VoteRow.platform == platform, VoteRow.user_id == user_id)

    async def forget_user(self, platform: str, user_id: str) -> int:
        """Remove every vote a person gave on the platform; how many there were."""
        stmt = delete(VoteRow).where(VoteRow.platform == platform, VoteRow.user_id == user_id)
        result = await self._session.execute(stmt)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _votes(self, *where: ColumnElement[bool]) -> list[Vote]:
        stmt = (
            select(VoteRow.__table__)
            .where(*where)
            .order_by(VoteRow.updated_at, VoteRow.chat_id, VoteRow.user_id, VoteRow.arxiv_id)
        )
        return [
            Vote(r.platform, r.chat_id, r.user_id, r.arxiv_id, r.value, r.updated_at)
            for r in (await self._session.execute(stmt)).all()
        ]
