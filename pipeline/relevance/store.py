"""Papers' vectors, computed once per paper and embedder and kept in the database.

The default embedder is TF-IDF, whose word weights are fitted on the first papers it meets and
then stored, so that every later run, restart and replica embeds into the same space. Any other
embedder (an endpoint, the local model) is given ready-made.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from domain.models import Paper
from pipeline.relevance.embedders import Embedder, TfidfEmbedder
from pipeline.relevance.vectors import Vectors, pack, paper_text, unpack_rows
from storage.db import Database
from storage.repositories import PaperRepository, VectorRepository

TFIDF = "tfidf"
FIT_CORPUS = 5_000  # stored papers the TF-IDF weights are fitted on, with the day's


class VectorStore:
    def __init__(self, db: Database, embedder: Embedder | None = None) -> None:
        self._db = db
        self._embedder = embedder  # None: TF-IDF, fitted and kept in the database
        self._fitting = asyncio.Lock()

    @property
    def name(self) -> str:
        return self._embedder.name if self._embedder is not None else TFIDF

    async def embedder(self, first_papers: Sequence[Paper] = ()) -> Embedder:
        """The embedder; TF-IDF is loaded from the store, or fitted on the stored papers and
        `first_papers` the first time and stored (the first process to store it wins)."""
        if self._embedder is not None:
            return self._embedder
        async with self._fitting:
            if self._embedder is None:
                self._embedder = await self._stored_tfidf(first_papers)
        return self._embedder

    async def vectors(self, papers: Sequence[Paper]) -> Vectors:
        """One row per paper, in order: stored ones read, the others computed and stored."""
        stored = await self._stored_or_computed(papers)
        return unpack_rows([stored[p.arxiv_id] for p in papers])

    async def ensure(self, papers: Sequence[Paper]) -> None:
        """Compute and store the vectors the store lacks, reading none back."""
        await self._stored_or_computed(papers)

    async def _stored_or_computed(self, papers: Sequence[Paper]) -> dict[str, bytes]:
        embedder = await self.embedder(papers)
        async with self._db.session() as session:
            stored = await VectorRepository(session).get_many(
                self.name, [p.arxiv_id for p in papers]
            )
        missing = list({p.arxiv_id: p for p in papers if p.arxiv_id not in stored}.values())
        if missing:
            computed = await embedder.embed([paper_text(p.title, p.abstract) for p in missing])
            fresh = {p.arxiv_id: pack(computed[row : row + 1]) for row, p in enumerate(missing)}
            async with self._db.session() as session:
                await VectorRepository(session).put_many(self.name, fresh)
                await session.commit()
            stored.update(fresh)
        return stored

    async def of_ids(self, arxiv_ids: Sequence[str]) -> tuple[list[str], Vectors | None]:
        """The vectors of stored papers by id (those the store knows), and which ids they are."""
        async with self._db.session() as session:
            papers = await PaperRepository(session).get_many(arxiv_ids)
        known = [papers[i] for i in arxiv_ids if i in papers]
        if not known:
            return [], None
        return [p.arxiv_id for p in known], await self.vectors(known)

    async def pool_ids(self, limit: int) -> list[str]:
        """Which papers `pool` would give, sorted, without reading their vectors."""
        async with self._db.session() as session:
            return sorted(await VectorRepository(session).latest_ids(self.name, limit))

    async def pool(self, limit: int) -> tuple[list[str], Vectors | None]:
        """The newest stored papers' vectors: where random extra negatives are drawn from."""
        async with self._db.session() as session:
            latest = await VectorRepository(session).latest(self.name, limit)
        if not latest:
            return [], None
        ids = sorted(latest)
        return ids, unpack_rows([latest[i] for i in ids])

    async def _stored_tfidf(self, first_papers: Sequence[Paper]) -> TfidfEmbedder:
        async with self._db.session() as session:
            state = await VectorRepository(session).state(TFIDF)
        if state is None:
            async with self._db.session() as session:
                corpus = await PaperRepository(session).latest(FIT_CORPUS)
            fitted_on = {p.arxiv_id: p for p in [*first_papers, *corpus]}.values()
            texts = [paper_text(p.title, p.abstract) for p in fitted_on]
            fitted = await asyncio.to_thread(TfidfEmbedder, texts)
            async with self._db.session() as session:
                state = await VectorRepository(session).keep_state(TFIDF, fitted.state())
                await session.commit()
        return TfidfEmbedder.from_state(state)
