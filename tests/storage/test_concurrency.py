"""Writers racing on the same keys, each in its own session (and connection)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pipeline.models import AnnounceType, Paper, PaperAnalysis
from storage.analyses import AnalysisRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.models import AnnouncementRow, DeliveryRow, PaperRow, SubscriptionRow
from storage.papers import PaperRepository
from storage.subscriptions import SubscriptionRepository

WRITERS = 20
DAY = date(2026, 2, 3)
T = TypeVar("T")


async def _race(database: Database, work: Callable[[AsyncSession], Awaitable[T]]) -> list[T]:
    async def one() -> T:
        async with database.session() as session:
            return await work(session)

    return await asyncio.gather(*(one() for _ in range(WRITERS)))


async def _count(database: Database, column: object) -> int:
    async with database.session() as session:
        return (await session.execute(select(func.count(column)))).scalar_one()


async def test_concurrent_record_sent_leaves_one_delivery(database: Database) -> None:
    async with database.session() as session:
        thread = await DeliveryRepository(session).get_or_create_thread(
            "slack", "C1", DAY, "default"
        )

    async def send(session: AsyncSession) -> None:
        await DeliveryRepository(session).record_sent(thread.id, "2602.00001", 1, "ts")

    await _race(database, send)
    assert await _count(database, DeliveryRow.id) == 1


async def test_concurrent_thread_creation_yields_one_thread(database: Database) -> None:
    async def open_thread(session: AsyncSession) -> int:
        thread = await DeliveryRepository(session).get_or_create_thread(
            "telegram", "-100", DAY, "default"
        )
        return thread.id

    ids = await _race(database, open_thread)
    assert len(set(ids)) == 1


async def test_concurrent_subscriptions_add_the_keyword_once(database: Database) -> None:
    async def subscribe(session: AsyncSession) -> list[str]:
        return await SubscriptionRepository(session).add("slack", "C1", None, [("LLM", "llm")])

    results = await _race(database, subscribe)
    assert sorted(results) == [[]] * (WRITERS - 1) + [["llm"]]
    assert await _count(database, SubscriptionRow.id) == 1


async def test_concurrent_announcements_store_each_paper_once(database: Database) -> None:
    paper = Paper(
        "2602.00001", 1, "T", ["A"], "Abstract", ["cs.AI"], announce_type=AnnounceType.NEW
    )

    async def announce(session: AsyncSession) -> None:
        await PaperRepository(session).record_announcements(DAY, [paper])

    await _race(database, announce)
    assert await _count(database, PaperRow.arxiv_id) == 1
    assert await _count(database, AnnouncementRow.id) == 1


async def test_concurrent_analysis_attempts_are_all_counted(database: Database) -> None:
    analysis = PaperAnalysis(
        summary="s", motivation="m", contributions=["c"], method="m", experiments="e"
    )

    async def attempt(session: AsyncSession) -> None:
        await AnalysisRepository(session).save(
            "2602.00001",
            1,
            "model",
            "en",
            "v1",
            status="ok",
            source="abstract",
            analysis=analysis,
            prompt_tokens=10,
            completion_tokens=1,
        )

    await _race(database, attempt)
    async with database.session() as session:
        stored = await AnalysisRepository(session).get("2602.00001", 1, "model", "en", "v1")
    assert stored is not None
    assert (stored.attempts, stored.prompt_tokens, stored.completion_tokens) == (
        WRITERS,
        10 * WRITERS,
        WRITERS,
    )
