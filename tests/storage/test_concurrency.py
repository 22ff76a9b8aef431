"""Writers racing on the same keys, each in its own session (and connection), and whole daily
runs and chat commands racing as two processes on one database would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from arxiv_digest.settings import Settings
from arxiv_digest.wiring import digest_options, make_chat_core, open_digest
from bot.platform import Caller, PaperReply, Reply, TextReply
from domain.models import AnnounceType, Paper, PaperAnalysis
from pipeline.digest import Digest
from storage.analyses import AnalysisRepository
from storage.db import Database
from storage.deliveries import DeliveryRepository
from storage.models import (
    AnalysisRow,
    AnnouncementRow,
    Base,
    DeliveryRow,
    PaperRow,
    ReportPaperRow,
    ReportRow,
    SubscriptionRow,
)
from storage.papers import PaperRepository
from storage.subscriptions import SubscriptionRepository
from storage.usage import UsageRepository
from tests.daydata import CROSS, ECO, NETVLAD, make_settings, method_pdf, serve_day
from tests.daydata import DAY as REPORTED_DAY
from tests.fakes.arxiv_server import FakeArxiv
from tests.fakes.openai_server import FakeOpenAI

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


async def test_concurrent_usage_counts_never_let_more_than_the_limit_through(
    database: Database,
) -> None:
    window = datetime(2026, 2, 4, 8, 30, tzinfo=UTC)

    async def take(session: AsyncSession) -> bool:
        return await UsageRepository(session).take("slack", "U1", "summarize", window, 5)

    taken = await _race(database, take)
    async with database.session() as session:
        counted = await UsageRepository(session).count("slack", "U1", "summarize", window)
    assert (taken.count(True), counted) == (5, 5)


# ---- whole daily runs and chat commands, as two processes on one database ---------------------


@pytest.fixture
def settings(
    arxiv: FakeArxiv,
    llm: FakeOpenAI,
    database_url: str,
    tmp_path: Path,
) -> Settings:
    serve_day(arxiv, REPORTED_DAY, [ECO, NETVLAD, CROSS])
    for paper in (ECO, NETVLAD, CROSS):
        arxiv.add_paper(paper, method_pdf(paper.title))  # for `summarize` too
    return make_settings(
        arxiv,
        llm,
        database_url,
        tmp_path,
        summarize_per_user_per_minute=0,
        keyword_changes_per_user_per_minute=0,
    )


@asynccontextmanager
async def two_processes(settings: Settings) -> AsyncIterator[tuple[Digest, Digest]]:
    """Two Digests, each with its own engine (SQLite: two connections pools on one file)."""
    async with (
        open_digest(settings, digest_options(settings)) as first,
        open_digest(settings, digest_options(settings)) as second,
    ):
        assert first.db.engine is not second.db.engine
        yield first, second


async def _table_rows(db: Database, model: type[Base], *columns: str) -> list[tuple[Any, ...]]:
    async with db.session() as session:
        rows = (await session.execute(select(model.__table__))).mappings().all()
    return sorted(tuple(row[c] for c in columns) for row in rows)


async def test_two_daily_runs_building_the_same_day_at_once_store_it_once(
    settings: Settings,
) -> None:
    async with two_processes(settings) as (first, second):
        one, other = await asyncio.gather(first.run(), second.run())
        db = first.db
        reports = await _table_rows(db, ReportRow, "report_date", "scope")
        report_papers = await _table_rows(db, ReportPaperRow, "report_id", "arxiv_id")
        analyses = await _table_rows(db, AnalysisRow, "arxiv_id", "version", "language")
        announcements = await _table_rows(db, AnnouncementRow, "announced_on", "arxiv_id")
        papers = await _table_rows(db, PaperRow, "arxiv_id")

    for outcome in (one, other):
        assert outcome.report.report_date == REPORTED_DAY
        assert [e.paper.arxiv_id for e in outcome.report.entries] == [ECO.arxiv_id, CROSS.arxiv_id]
        assert all(e.analysis is not None for e in outcome.report.entries)
    assert reports == [(REPORTED_DAY, "default")]
    assert len(report_papers) == len(set(report_papers)) == 2
    assert analyses == sorted([(CROSS.arxiv_id, 1, "en"), (ECO.arxiv_id, 1, "en")])
    assert announcements == sorted((REPORTED_DAY, p.arxiv_id) for p in (ECO, NETVLAD, CROSS))
    assert papers == sorted((p.arxiv_id,) for p in (ECO, NETVLAD, CROSS))


USERS = 15


async def test_many_chat_commands_at_once_on_two_replicas_lose_nothing(
    settings: Settings,
    llm: FakeOpenAI,
) -> None:
    async with two_processes(settings) as (first, second):
        replicas = [make_chat_core(settings, first), make_chat_core(settings, second)]

        def caller(n: int) -> Caller:
            return Caller("slack", "C1", f"U{n}")

        async def keywords(n: int) -> list[Reply]:
            core = replicas[n % 2]
            return [
                await core.handle(caller(n), "keywords add VLA, diffusion, world models"),
                await core.handle(caller(n), "keywords remove diffusion"),
                await core.handle(caller(n), f"keywords add user {n}"),
            ]

        async def summarize(n: int) -> Reply:
            return await replicas[n % 2].handle(caller(n), f"summarize {ECO.arxiv_id}")

        changed, summaries, chat_keywords = await asyncio.gather(
            asyncio.gather(*(keywords(n) for n in range(USERS))),
            asyncio.gather(*(summarize(n) for n in range(USERS))),
            asyncio.gather(
                *(
                    replicas[n % 2].handle(
                        Caller("slack", "C1", f"UADMIN{n}", is_admin=True),
                        "keywords add --channel robotics",
                    )
                    for n in range(USERS)
                )
            ),
        )
        async with first.db.session() as session:
            stored = await SubscriptionRepository(session).all()
        analyses = await _table_rows(first.db, AnalysisRow, "arxiv_id", "language")

    replies = [r for rs in changed for r in rs] + list(summaries) + list(chat_keywords)
    errors = [r for r in replies if isinstance(r, TextReply) and r.is_error]
    assert errors == []
    for reply in summaries:
        assert isinstance(reply, PaperReply) and reply.entry.analysis is not None
        assert ECO.title in reply.entry.analysis.summary
    assert analyses == [(ECO.arxiv_id, "en")]  # one stored analysis, however many asked
    mine = sorted((s.user_id or "", s.keyword_key) for s in stored if s.user_id)
    assert mine == sorted(
        (f"U{n}", key) for n in range(USERS) for key in ("vla", "world models", f"user {n}")
    )
    chats = [s.keyword_key for s in stored if s.user_id is None]
    assert chats == ["robotics"]  # added once, however many admins raced
    added = [r for r in chat_keywords if "added robotics" in "\n".join(r.lines)]  # type: ignore[union-attr]
    assert len(added) == 1
