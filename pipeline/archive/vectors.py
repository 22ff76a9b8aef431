"""Every stored paper's vector, held in memory for a search's nearest neighbours.

The archive's vectors are read from the database once, then topped up with the ones stored
since (at most every `refresh_seconds`: papers arrive a day at a time, and full-text search sees
a new paper at once), so a search costs one product of the query with the matrix instead of
reading every vector again.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import numpy as np

from pipeline.relevance.store import VectorStore
from pipeline.relevance.vectors import Vectors, dense, stack, unpack_rows
from storage.db import Database
from storage.repositories import VectorRepository


class ArchiveVectors:
    def __init__(self, db: Database, store: VectorStore, *, refresh_seconds: float = 60.0) -> None:
        self._db = db
        self._store = store
        self._refresh = refresh_seconds
        self._checked: float | None = None  # when the store was last asked for new vectors
        self._ids: list[str] = []
        self._held: set[str] = set()
        self._matrix: Vectors | None = None
        self._since: datetime | None = None
        self._topping_up = asyncio.Lock()

    async def nearest(self, text: str, limit: int) -> list[str]:
        """The ids of the `limit` papers whose vectors are closest to the text's, best first."""
        await self._top_up()
        if self._matrix is None or limit <= 0:
            return []
        embedder = await self._store.embedder()
        query = await embedder.embed([text])
        # Matrix times one dense column: a pass over the stored non-zeros, no sparse product.
        scores = np.asarray(self._matrix @ dense(query).ravel()).ravel()
        count = min(limit, len(scores))
        best = np.argpartition(-scores, count - 1)[:count]
        ranked = best[np.argsort(-scores[best], kind="stable")]
        return [self._ids[i] for i in ranked if scores[i] > 0]

    async def _top_up(self) -> None:
        async with self._topping_up:
            now = time.monotonic()
            if self._checked is not None and now - self._checked < self._refresh:
                return
            self._checked = now
            async with self._db.session() as session:
                vectors = VectorRepository(session)
                rows = await vectors.ids_since(self._store.name, self._since)
                fresh = [arxiv_id for arxiv_id, _ in rows if arxiv_id not in self._held]
                packed = await vectors.get_many(self._store.name, fresh) if fresh else {}
            if rows:
                self._since = rows[-1][1]
            fresh = [arxiv_id for arxiv_id in fresh if arxiv_id in packed]
            if not fresh:
                return
            added = unpack_rows([packed[arxiv_id] for arxiv_id in fresh])
            parts = [added] if self._matrix is None else [self._matrix, added]
            self._matrix = stack(parts)
            self._ids += fresh
            self._held.update(fresh)
