"""Votes for the day-run benchmark: each chat's members have voted before the day, so the day
is ranked by their tastes (vectors, models, scikit-learn and all) rather than by keywords."""

from __future__ import annotations

import asyncio

from domain.models import Paper
from storage.db import Database
from storage.repositories import PaperRepository, VoteRepository
from storage.votes import DOWN, UP


def seed_votes(
    url: str, chats: dict[str, str], liked: list[Paper], other: list[Paper], n: int
) -> None:
    """`n` 👍 on `liked` and `n` 👎 on `other` papers, by one member in each chat (platform →
    chat id), stored before the run as earlier days' votes would be."""

    async def seed() -> None:
        db = await Database.open(url)  # migrated, as the run's own process would
        try:
            voted = liked[:n] + other[:n]
            async with db.session() as session:
                await PaperRepository(session).upsert(voted)
                votes = VoteRepository(session)
                for platform, chat_id in chats.items():
                    for paper in voted:
                        value = UP if paper in liked[:n] else DOWN
                        await votes.record(platform, chat_id, "U-bench", paper.arxiv_id, value)
        finally:
            await db.close()

    asyncio.run(seed())
