"""A database written by the first release (schema 0001) opens with every row intact.

The rows go in with plain SQL, as the first release left them; `Database.open` then upgrades to
head and the repositories of today must read them back.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from alembic import command
from sqlalchemy import Connection, MetaData, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from domain.models import AnnounceType, PaperAnalysis
from storage.db import Database, alembic_config, async_database_url
from storage.repositories import (
    AnalysisRepository,
    ChatRepository,
    DeliveryRepository,
    ExtractionRepository,
    FeedSnapshotRepository,
    PaperRepository,
    ReportRepository,
    SubscriptionRepository,
)
from storage.search import SearchRepository, search_terms

DAY = date(2026, 2, 4)
AT = datetime(2026, 2, 4, 5, 30, 12, 345678, tzinfo=UTC)
ANALYSIS = PaperAnalysis(
    summary="Prunes VLA models — 二倍速.",
    motivation="Slow robots.",
    contributions=["adaptive pruning", "a benchmark"],
    method="Token pruning.",
    experiments="LIBERO: 97.1%.",
)

# The first release's rows, table by table, in an order the foreign keys accept.
FIRST_RELEASE: dict[str, list[dict[str, Any]]] = {
    "papers": [
        {
            "arxiv_id": "2602.00780",
            "version": 2,
            "title": "EcoVLA: Pruning Vision-Language-Action Models",
            "authors": ["Ada Lovelace", "Zhang Wei"],
            "abstract": "Vision-language-action models are slow.",
            "categories": ["cs.RO", "cs.AI"],
            "comments": "12 pages",
            "doi": None,
            "journal_ref": None,
            "first_announced_on": DAY,
            "updated_at": AT,
        },
        {
            "arxiv_id": "cs/9901001",
            "version": 1,
            "title": "An old-style identifier",
            "authors": ["Grace Hopper"],
            "abstract": "Still readable.",
            "categories": ["cs.AI"],
            "comments": None,
            "doi": "10.1000/xyz",
            "journal_ref": "J. Old 1 (1999)",
            "first_announced_on": None,
            "updated_at": AT,
        },
    ],
    "feed_snapshots": [
        {"id": 1, "categories_key": "cs.AI+cs.RO", "announced_on": DAY, "item_count": 2,
         "fetched_at": AT},
    ],
    "announcements": [
        {"id": 1, "announced_on": DAY, "arxiv_id": "2602.00780", "version": 2,
         "announce_type": "replace"},
        {"id": 2, "announced_on": DAY, "arxiv_id": "cs/9901001", "version": 1,
         "announce_type": "cross"},
    ],
    "extractions": [
        {"arxiv_id": "2602.00780", "version": 2, "status": "ok", "reason": None, "pages": 12,
         "content": {"sections": [{"title": "Method", "text": "We prune."}]},
         "code_links": ["https://github.com/OpenGVLab/EcoVLA"], "created_at": AT},
    ],
    "analyses": [
        {"id": 1, "arxiv_id": "2602.00780", "version": 2, "model": "gpt-x", "language": "zh",
         "prompt_version": "v1", "status": "ok", "source": "full_text",
         "content": ANALYSIS.model_dump(), "error": None, "prompt_tokens": 1200,
         "completion_tokens": 300, "attempts": 1, "created_at": AT, "updated_at": AT},
    ],
    "reports": [
        {"id": 1, "report_date": DAY, "scope": "default", "categories": ["cs.AI", "cs.RO"],
         "keywords": ["VLA"], "status": "complete", "markdown": "# 2026-02-04\n\nEcoVLA…",
         "paper_count": 1, "created_at": AT, "updated_at": AT},
    ],
    "report_papers": [
        {"report_id": 1, "arxiv_id": "2602.00780", "version": 2, "position": 0,
         "matched_keywords": ["VLA"], "mention": "updated"},
    ],
    "subscriptions": [
        {"id": 1, "platform": "slack", "chat_id": "C1", "user_id": "", "keyword": "Robotics",
         "keyword_key": "robotics", "created_at": AT},
        {"id": 2, "platform": "telegram", "chat_id": "", "user_id": "42", "keyword": "VLA",
         "keyword_key": "vla", "created_at": AT},
    ],
    "threads": [
        {"id": 1, "platform": "slack", "chat_id": "C1", "report_date": DAY, "scope": "default",
         "parent_message_id": "1700000000.000100", "topic_id": None, "status": "complete",
         "created_at": AT, "updated_at": AT},
    ],
    "deliveries": [
        {"id": 1, "thread_id": 1, "arxiv_id": "2602.00780", "version": 2,
         "message_id": "1700000000.000200", "status": "sent", "created_at": AT, "sent_at": AT},
        {"id": 2, "thread_id": 1, "arxiv_id": "cs/9901001", "version": 1, "message_id": None,
         "status": "pending", "created_at": AT, "sent_at": None},
    ],
}  # fmt: skip


def _plain_value(backend: str, value: Any) -> Any:
    """A value as the first release's driver stored it: SQLite keeps text, asyncpg objects."""
    if isinstance(value, list | dict):
        return json.dumps(value)
    if backend == "sqlite" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if backend == "sqlite" and isinstance(value, date):
        return value.isoformat()
    return value


def _insert_first_release_rows(connection: Connection) -> None:
    backend = connection.dialect.name
    for table, rows in FIRST_RELEASE.items():
        for row in rows:
            placeholders = [
                f"CAST(:{c} AS JSON)" if backend == "postgresql" and isinstance(v, list | dict)
                else f":{c}"
                for c, v in row.items()
            ]  # fmt: skip
            sql = f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(placeholders)})"
            connection.execute(text(sql), {c: _plain_value(backend, v) for c, v in row.items()})
    if backend == "postgresql":  # ids were given: move the sequences past them
        for table, rows in FIRST_RELEASE.items():
            if "id" in rows[0]:
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {len(rows)})")
                )


def _engine(url: str) -> AsyncEngine:
    return create_async_engine(async_database_url(url))


async def _alembic(url: str, action: str, revision: str) -> None:
    engine = _engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(
                lambda c: getattr(command, action)(alembic_config(c), revision)
            )
    finally:
        await engine.dispose()


async def _first_release_database(url: str) -> None:
    await _alembic(url, "upgrade", "0001")
    engine = _engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_insert_first_release_rows)
    finally:
        await engine.dispose()


def _row_counts(connection: Connection) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {
        name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in metadata.tables.items()
        if name != "alembic_version"
    }


async def _assert_readable_through_the_repositories(db: Database) -> None:
    async with db.session() as session:
        papers = PaperRepository(session)
        eco = await papers.get("2602.00780")
        old = await papers.get("cs/9901001")
        announced = await papers.announced_on(DAY)
        latest = await FeedSnapshotRepository(session).latest_date("cs.AI+cs.RO")
        extraction = await ExtractionRepository(session).get("2602.00780", 2)
        analysis = await AnalysisRepository(session).get("2602.00780", 2, "gpt-x", "zh", "v1")
        report = await ReportRepository(session).get(DAY)
        subscriptions = await SubscriptionRepository(session).all()
        deliveries = DeliveryRepository(session)
        thread = await deliveries.get_thread(1)
        sent = set(await deliveries.sent_messages(1))
        pending = await deliveries.pending_ids(1)

    assert eco is not None and old is not None
    assert (eco.version, eco.title, eco.authors) == (
        2,
        "EcoVLA: Pruning Vision-Language-Action Models",
        ["Ada Lovelace", "Zhang Wei"],
    )
    assert (eco.categories, eco.comments, eco.announced_on) == (["cs.RO", "cs.AI"], "12 pages", DAY)
    assert (old.doi, old.journal_ref, old.announced_on) == ("10.1000/xyz", "J. Old 1 (1999)", None)
    assert [(p.arxiv_id, p.version, p.announce_type) for p in announced] == [
        ("2602.00780", 2, AnnounceType.REPLACE),
        ("cs/9901001", 1, AnnounceType.CROSS),
    ]
    assert latest == DAY
    assert extraction is not None and extraction.status == "ok" and extraction.pages == 12
    assert extraction.content == {"sections": [{"title": "Method", "text": "We prune."}]}
    assert extraction.code_links == ("https://github.com/OpenGVLab/EcoVLA",)
    assert extraction.created_at == AT
    assert analysis is not None and analysis.analysis == ANALYSIS
    assert (analysis.source, analysis.prompt_tokens, analysis.completion_tokens) == (
        "full_text",
        1200,
        300,
    )
    assert analysis.created_at == AT and analysis.created_at.tzinfo is not None
    assert report is not None and report.markdown == "# 2026-02-04\n\nEcoVLA…"
    assert (report.categories, report.keywords, report.status) == (
        ("cs.AI", "cs.RO"),
        ("VLA",),
        "complete",
    )
    assert [(p.arxiv_id, p.matched_keywords, p.mention) for p in report.papers] == [
        ("2602.00780", ("VLA",), "updated")
    ]
    assert [(s.platform, s.chat_id, s.user_id, s.keyword) for s in subscriptions[:2]] == [
        ("slack", "C1", None, "Robotics"),
        ("telegram", None, "42", "VLA"),
    ]
    assert thread is not None and thread.parent_message_id == "1700000000.000100"
    assert (thread.status, thread.report_date) == ("complete", DAY)
    assert (sent, pending) == ({"2602.00780"}, {"cs/9901001"})


async def test_a_first_release_database_opens_with_every_row_intact(
    empty_database_url: str,
) -> None:
    await _first_release_database(empty_database_url)

    db = await Database.open(empty_database_url)
    try:
        await _assert_readable_through_the_repositories(db)
        async with db.engine.connect() as connection:
            counts = await connection.run_sync(_row_counts)
            version = await connection.execute(text("SELECT version_num FROM alembic_version"))
            head = version.scalar_one()
        # New rows still get fresh ids after the ones the first release wrote.
        async with db.session() as session:
            added = await SubscriptionRepository(session).add("slack", "C1", "U1", [("x", "x")])
            hits = await SearchRepository(session).find(search_terms("EcoVLA"))
            found = [hit.arxiv_id for hit in hits]
    finally:
        await db.close()

    assert head == "0014"
    for table, rows in FIRST_RELEASE.items():
        assert counts[table] == len(rows), table
    # Only the search index (migration 0013) is filled from what was there: every paper.
    derived = {t for t, n in counts.items() if n and t not in FIRST_RELEASE}
    assert {t for t in derived if not t.startswith("search_")} == set()
    assert counts["search_documents"] == counts["papers"]
    assert found == ["2602.00780"]
    assert added == ["x"]


async def test_downgrade_to_the_first_release_and_upgrade_again_keeps_its_rows(
    empty_database_url: str,
) -> None:
    await _first_release_database(empty_database_url)
    db = await Database.open(empty_database_url)
    async with db.session() as session:
        await SubscriptionRepository(session).add("slack", "C2", None, [("y", "y")])
        await ChatRepository(session).set_dm("slack", "U1", True)  # a table added later
    await db.close()

    await _alembic(empty_database_url, "downgrade", "0001")
    engine = _engine(empty_database_url)
    try:
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(_row_counts))
    finally:
        await engine.dispose()
    assert tables == set(FIRST_RELEASE)

    db = await Database.open(empty_database_url)
    try:
        await _assert_readable_through_the_repositories(db)
        async with db.session() as session:
            kept = await SubscriptionRepository(session).all()
            dm = await ChatRepository(session).wants_dm("slack", "U1")
    finally:
        await db.close()
    assert [s.keyword for s in kept] == ["Robotics", "VLA", "y"]
    assert not dm  # its table went with the downgrade
