"""Every stored paper's vector, held in memory for a search's nearest neighbours.

The archive's vectors are read from the database once, then topped up with the ones stored
since (at most every `refresh_seconds`: papers arrive a day at a time, and full-text search sees
a new paper at once), so a search costs one product of the query with the matrix instead of
reading every vector again. Only the newest `held` papers are kept (see `ArchiveVectors`).
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import numpy as np
import numpy.typing as npt
from scipy import sparse

from pipeline.relevance.store import VectorStore
from pipeline.relevance.vectors import Vectors, stack, unpack_rows
from storage.db import Database
from storage.repositories import VectorRepository

HELD_PAPERS = 30_000  # the newest papers' vectors held: about 75 MB of TF-IDF rows


class ArchiveVectors:
    """The newest `held` papers' vectors (float32): full-text search covers every paper, and
    this half adds the papers that say the same in other words among the recent ones, within
    a bounded memory (100,000 TF-IDF rows would take about 250 MB and 150 ms a search)."""

    def __init__(
        self,
        db: Database,
        store: VectorStore,
        *,
        refresh_seconds: float = 60.0,
        held: int = HELD_PAPERS,
    ) -> None:
        self._db = db
        self._store = store
        self._refresh = refresh_seconds
        self._limit = held
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
        scores = _scores(self._matrix, query)
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
                fresh = fresh[-self._limit :]  # oldest first: the newest are kept
                packed = await vectors.get_many(self._store.name, fresh) if fresh else {}
            if rows:
                self._since = rows[-1][1]
            fresh = [arxiv_id for arxiv_id in fresh if arxiv_id in packed]
            if not fresh:
                return
            added = unpack_rows([packed[arxiv_id] for arxiv_id in fresh]).astype(np.float32)
            parts = [added] if self._matrix is None else [self._matrix, added]
            self._matrix, self._ids = stack(parts), self._ids + fresh
            if len(self._ids) > self._limit:  # the oldest make way
                self._matrix = self._matrix[len(self._ids) - self._limit :]
                self._ids = self._ids[len(self._ids) - self._limit :]
            if sparse.issparse(self._matrix):
                self._matrix = self._matrix.tocsc()  # by column: see `_scores`
            self._held = set(self._ids)


def _scores(matrix: Vectors, query: Vectors) -> npt.NDArray[np.float32]:
    """Each held paper's cosine with the query. A TF-IDF query has a few dozen non-zero
    columns among 2**18: only those columns of the (column-major) matrix are read."""
    if not sparse.issparse(query):
        return np.asarray(matrix @ np.asarray(query, dtype=np.float32).ravel()).ravel()
    row = sparse.csr_matrix(query)
    columns = matrix[:, row.indices]
    return np.asarray(columns @ row.data.astype(np.float32)).ravel()
