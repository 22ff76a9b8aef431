"""Search every stored paper: the database's full-text search and, where an embedder is
configured, the papers' vectors, fused by reciprocal rank fusion; an exact arXiv id or title
comes first.

Each method finds what the other misses: full text wants the words themselves, vectors find
papers that say the same in other words; `pipeline.fusion` joins the two rankings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import DigestError
from domain.models import Paper
from pipeline.archive.vectors import ArchiveVectors
from pipeline.fusion import fuse
from pipeline.gist import first_sentence
from pipeline.ids import parse_arxiv_id
from storage.db import Database
from storage.repositories import PaperRepository
from storage.search import (
    NO_FILTERS,
    SearchFilters,
    SearchRepository,
    analysis_texts,
    keep_matching,
    search_terms,
)

CANDIDATES = 50  # from each method, before fusing


@dataclass(frozen=True, slots=True)
class Found:
    paper: Paper
    first_seen: date | None
    gist: str  # the analysis's first sentence, else the abstract's


class ArchiveSearch:
    def __init__(self, db: Database, vectors: ArchiveVectors | None = None) -> None:
        self._db = db
        self._vectors = vectors  # None: full text alone (EMBEDDINGS=off)

    async def search(
        self, words: str, filters: SearchFilters = NO_FILTERS, limit: int = 10
    ) -> list[Found]:
        """The best `limit` stored papers for the words within the filters, best first."""
        lexical = await self._lexical(words, filters)
        exact = await self._exact(words, filters, lexical)
        nearest = await self._nearest(words, filters)
        ranked = list(dict.fromkeys([*exact, *fuse([lexical, nearest])]))[:limit]
        return await self._found(ranked)

    async def _exact(self, words: str, filters: SearchFilters, lexical: list[str]) -> list[str]:
        """The paper the words name exactly, by arXiv id, or by title among the full-text hits
        (a title's words all match its paper, whose title weighs most)."""
        async with self._db.session() as session:
            try:
                named: str | None = parse_arxiv_id(words).base
            except DigestError:
                named = await SearchRepository(session).by_title(words, among=lexical)
            return await keep_matching(session, [named] if named else [], filters)

    async def _lexical(self, words: str, filters: SearchFilters) -> list[str]:
        async with self._db.session() as session:
            hits = await SearchRepository(session).find(
                search_terms(words), filters, limit=CANDIDATES
            )
        return [hit.arxiv_id for hit in hits]

    async def _nearest(self, words: str, filters: SearchFilters) -> list[str]:
        if self._vectors is None or not search_terms(words):
            return []
        # Filters keep only part of the nearest: ask for more when they narrow.
        narrowed = filters != NO_FILTERS
        nearest = await self._vectors.nearest(words, CANDIDATES * (20 if narrowed else 1))
        async with self._db.session() as session:
            return (await keep_matching(session, nearest, filters))[:CANDIDATES]

    async def _found(self, ranked: list[str]) -> list[Found]:
        async with self._db.session() as session:
            papers = await PaperRepository(session).get_many(ranked)
            analyses = await analysis_texts(session, ranked)
        return [
            Found(
                paper=papers[i],
                first_seen=papers[i].announced_on,
                gist=first_sentence(analyses.get(i) or papers[i].abstract),
            )
            for i in ranked
            if i in papers
        ]
