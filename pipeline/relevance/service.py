"""Relevance for the rest of the service: each owner's taste model, kept in step with their
votes, and a day ranked for them.

Models are not stored: votes and vectors are, and a model is rebuilt from them in milliseconds
whenever they changed (a vote retrains its owners' models at once), so every process and replica
ranks the same way. Rebuilt models are kept in memory until the owner's votes change again.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from domain.models import Paper, TasteOwner
from pipeline.relevance.owners import person_verdicts, verdicts
from pipeline.relevance.ranking import RankedDay, rank_day
from pipeline.relevance.store import VectorStore
from pipeline.relevance.taste import TasteModel, learn_taste, pick_negatives
from pipeline.relevance.vectors import Vectors, take
from storage.db import Database
from storage.repositories import VoteRepository

NEGATIVE_POOL = 500  # newest stored papers the random extra negatives are drawn from


@dataclass(frozen=True)
class Taste:
    """An owner's model and what it was learnt from (for `/interests` and `/why`)."""

    model: TasteModel | None  # None: nothing to learn yet (no up-vote)
    liked: list[str]  # arXiv ids, as voted (those with a stored paper)
    disliked: list[str]
    liked_vectors: Vectors | None


class Relevance:
    def __init__(self, db: Database, store: VectorStore, *, pool: int = NEGATIVE_POOL) -> None:
        self._db = db
        self.store = store
        self._pool = pool
        self._tastes: dict[TasteOwner, tuple[tuple[object, ...], Taste]] = {}

    async def taste(self, owner: TasteOwner) -> Taste:
        """The owner's taste as their votes stand now: rebuilt only if they changed."""
        votes = await self._verdicts(owner)
        kept = self._tastes.get(owner)
        if kept is not None and kept[0] == await self._fingerprint(votes):
            return kept[1]  # only ids were read: no vector
        ids, vectors = await self.store.of_ids(list(votes))  # a voted paper's vector is kept
        pool_ids, pool = await self.store.pool(self._pool)  # after: it may hold those vectors
        taste = await self._learn(owner, votes, ids, vectors, pool_ids, pool)
        self._tastes[owner] = (await self._fingerprint(votes), taste)
        return taste

    async def _fingerprint(self, votes: dict[str, int]) -> tuple[object, ...]:
        """What a taste is learnt from: the votes, and the span of papers the extra negatives
        come from (a new day moves it; another owner's vote storing a vector does not)."""
        pool_ids = await self.store.pool_ids(self._pool)
        return (tuple(sorted(votes.items())), tuple(pool_ids[:1] + pool_ids[-1:]))

    async def retrain(self, *owners: TasteOwner) -> None:
        """After a vote: its owners' models rebuilt now, not at the next ranking."""
        for owner in owners:
            await self.taste(owner)

    async def rank(
        self, owner: TasteOwner | None, papers: Sequence[Paper], keyword_counts: Sequence[int]
    ) -> tuple[RankedDay, Vectors | None, Taste | None]:
        """The papers in the owner's order (keyword order without an owner or votes), with the
        papers' vectors and the owner's taste when a model ranked them."""
        if owner is None:
            return rank_day(None, keyword_counts, None), None, None
        taste = await self.taste(owner)
        if taste.model is None:
            return rank_day(None, keyword_counts, None), None, None
        vectors = await self.store.vectors(papers)
        return rank_day(vectors, keyword_counts, taste.model), vectors, taste

    async def _verdicts(self, owner: TasteOwner) -> dict[str, int]:
        async with self._db.session() as session:
            votes = VoteRepository(session)
            if owner.user_id is not None:
                return person_verdicts(await votes.of_user(owner.platform, owner.user_id))
            assert owner.chat_id is not None
            return verdicts(await votes.in_chat(owner.platform, owner.chat_id))

    async def _learn(
        self,
        owner: TasteOwner,
        votes: dict[str, int],
        ids: list[str],
        vectors: Vectors | None,
        pool_ids: list[str],
        pool: Vectors | None,
    ) -> Taste:
        if vectors is None:
            return Taste(None, [], [], None)
        ups = [row for row, paper in enumerate(ids) if votes[paper] > 0]
        downs = [row for row, paper in enumerate(ids) if votes[paper] < 0]
        extra = None
        if pool is not None:
            voted = set(ids)
            seed = zlib.crc32(repr(owner).encode())
            rows = pick_negatives(
                len(pool_ids), [r for r, i in enumerate(pool_ids) if i in voted], seed=seed
            )
            extra = take(pool, rows)
        liked = take(vectors, ups)
        model = await asyncio.to_thread(learn_taste, liked, take(vectors, downs), extra)
        return Taste(model, [ids[r] for r in ups], [ids[r] for r in downs], liked)
