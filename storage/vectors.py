"""Papers' vectors and embedders' fitted states, stored as the relevance code packed them.

Storage keeps bytes: what a vector means (sparse or dense, which space) is the embedder's
business, named by the `embedder` column, so vectors of different embedders never mix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage._sql import batches, insert
from storage.models import EmbedderStateRow, PaperVectorRow, utcnow


class VectorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_many(self, embedder: str, arxiv_ids: Iterable[str]) -> dict[str, bytes]:
        """The stored vectors of these papers (those that have one) by arXiv id."""
        found: dict[str, bytes] = {}
        for batch in batches(list(dict.fromkeys(arxiv_ids))):
            stmt = select(PaperVectorRow.arxiv_id, PaperVectorRow.vector).where(
                PaperVectorRow.embedder == embedder, PaperVectorRow.arxiv_id.in_(batch)
            )
            found.update((row.arxiv_id, row.vector) for row in await self._session.execute(stmt))
        return found

    async def put_many(self, embedder: str, vectors: Mapping[str, bytes]) -> None:
        """Store vectors; one already stored is kept (the same paper embeds the same way)."""
        now = utcnow()
        rows = [
            {"arxiv_id": arxiv_id, "embedder": embedder, "vector": packed, "created_at": now}
            for arxiv_id, packed in vectors.items()
        ]
        for batch in batches(rows, 200):
            stmt = insert(self._session, PaperVectorRow).values(list(batch))
            await self._session.execute(stmt.on_conflict_do_nothing())

    async def latest(self, embedder: str, limit: int) -> dict[str, bytes]:
        """The vectors of the `limit` newest papers (by arXiv id, so every process picks the
        same ones): the pool a taste model draws its random negatives from."""
        stmt = (
            select(PaperVectorRow.arxiv_id, PaperVectorRow.vector)
            .where(PaperVectorRow.embedder == embedder)
            .order_by(PaperVectorRow.arxiv_id.desc())
            .limit(limit)
        )
        return {row.arxiv_id: row.vector for row in await self._session.execute(stmt)}

    async def latest_ids(self, embedder: str, limit: int) -> list[str]:
        """The ids `latest` would give, without their vectors."""
        stmt = (
            select(PaperVectorRow.arxiv_id)
            .where(PaperVectorRow.embedder == embedder)
            .order_by(PaperVectorRow.arxiv_id.desc())
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())

    async def state(self, name: str) -> bytes | None:
        stmt = select(EmbedderStateRow.state).where(EmbedderStateRow.name == name)
        return (await self._session.execute(stmt)).scalar_one_or_none()

    async def keep_state(self, name: str, state: bytes) -> bytes:
        """Store an embedder's fitted state unless one is stored already; returns the stored
        one, so two processes fitting at once both end up using the first's."""
        stmt = insert(self._session, EmbedderStateRow).values(
            name=name, state=state, created_at=utcnow()
        )
        await self._session.execute(stmt.on_conflict_do_nothing())
        stored = await self.state(name)
        assert stored is not None
        return stored

    async def ids_since(self, embedder: str, since: datetime | None) -> list[tuple[str, datetime]]:
        """The papers whose vectors were stored at or after `since` (all for None), oldest
        first, with when: what a reader holding the others in memory lacks. Ids only: a batch
        stored at one instant shares its time, so the last one comes back each time."""
        stmt = select(PaperVectorRow.arxiv_id, PaperVectorRow.created_at).where(
            PaperVectorRow.embedder == embedder
        )
        if since is not None:
            stmt = stmt.where(PaperVectorRow.created_at >= since)
        rows = await self._session.execute(stmt.order_by(PaperVectorRow.created_at))
        return [(row.arxiv_id, row.created_at) for row in rows]
