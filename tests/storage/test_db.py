from __future__ import annotations

import asyncio
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError

from storage.db import Database, alembic_config, async_database_url
from storage.models import AnnouncementRow, Base, SubscriptionRow, ThreadRow
from storage.subscriptions import SubscriptionRepository

PROJECT_ROOT = Path(__file__).resolve().parents[2]

TABLES = {
    "papers",
    "feed_snapshots",
    "announcements",
    "extractions",
    "analyses",
    "reports",
    "report_papers",
    "subscriptions",
    "threads",
    "deliveries",
    "chat_settings",
    "dm_subscribers",
    "runs",
    "usage",
    "last_chats",
    "votes",
    "paper_vectors",
    "embedder_states",
    "answer_messages",
    "questions",
    "search_documents",
    "weekly_digests",
}
# Full-text search lives in each engine's own objects (migration 0013), outside the models.
SEARCH_ONLY = "search_"


def _table_names(connection: Connection) -> set[str]:
    """The tables, without the ones SQLite's FTS5 makes for its index."""
    return {
        name
        for name in inspect(connection).get_table_names()
        if not name.startswith("search_index")
    }


async def test_open_migrates_an_empty_database_to_head(database: Database) -> None:
    async with database.engine.connect() as connection:
        tables = await connection.run_sync(_table_names)
        version = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert tables == TABLES | {"alembic_version"}
    assert version == [("0014",)]


async def test_opening_again_keeps_schema_and_data(empty_database_url: str) -> None:
    first = await Database.open(empty_database_url)
    async with first.session() as session:
        await SubscriptionRepository(session).add("cli", None, None, [("LLM", "llm")])
    await first.close()

    second = await Database.open(empty_database_url)
    try:
        async with second.session() as session:
            kept = await SubscriptionRepository(session).all()
        async with second.engine.connect() as connection:
            versions = (await connection.execute(text("SELECT * FROM alembic_version"))).all()
    finally:
        await second.close()
    assert [s.keyword_key for s in kept] == ["llm"]
    assert versions == [("0014",)]


_OPEN_IN_A_PROCESS = """
import asyncio, sys
from storage.db import Database

async def main() -> None:
    db = await Database.open(sys.argv[1])
    await db.close()

asyncio.run(main())
"""


async def test_processes_opening_a_fresh_database_at_once_all_succeed(
    empty_database_url: str,
) -> None:
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _OPEN_IN_A_PROCESS,
            empty_database_url,
            cwd=PROJECT_ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outcomes = await asyncio.wait_for(
        asyncio.gather(*(p.communicate() for p in processes)), timeout=120
    )
    failures = [
        err.decode() for p, (_, err) in zip(processes, outcomes, strict=True) if p.returncode
    ]
    db = await Database.open(empty_database_url)
    try:
        async with db.engine.connect() as connection:
            tables = await connection.run_sync(_table_names)
            versions = (await connection.execute(text("SELECT * FROM alembic_version"))).all()
    finally:
        await db.close()
    assert failures == []
    assert tables == TABLES | {"alembic_version"}
    assert versions == [("0014",)]


def _schema_differences(connection: Connection) -> list[object]:
    def modelled(item: object, name: str | None, kind: str, *_: object) -> bool:
        return not (name or "").startswith(SEARCH_ONLY)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": modelled}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_migrated_schema_matches_the_models(database: Database) -> None:
    async with database.engine.connect() as connection:
        differences = await connection.run_sync(_schema_differences)
    assert differences == []


async def test_session_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    async with database.session() as session:
        await SubscriptionRepository(session).add("cli", None, None, [("kept", "kept")])
    with pytest.raises(RuntimeError):
        async with database.session() as session:
            await SubscriptionRepository(session).add("cli", None, None, [("lost", "lost")])
            raise RuntimeError("boom")
    async with database.session() as session:
        keys = (await session.execute(select(SubscriptionRow.keyword_key))).scalars().all()
    assert keys == ["kept"]


async def test_writes_after_an_explicit_commit_are_committed_too(database: Database) -> None:
    async with database.session() as session:
        subscriptions = SubscriptionRepository(session)
        await subscriptions.add("cli", None, None, [("first", "first")])
        await session.commit()
        await subscriptions.add("cli", None, None, [("second", "second")])
    async with database.session() as session:
        keys = [s.keyword_key for s in await SubscriptionRepository(session).all()]
    assert keys == ["first", "second"]


async def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.session() as session:
            session.add(
                AnnouncementRow(
                    announced_on=date(2026, 2, 2),
                    arxiv_id="2602.99999",
                    version=1,
                    announce_type="new",
                )
            )


async def test_sqlite_file_gets_its_directory_wal_and_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "digest.sqlite3"
    db = await Database.open(f"sqlite:///{path}")
    try:
        async with db.engine.connect() as connection:
            journal = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
            timeout = (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
    finally:
        await db.close()
    assert path.is_file()
    assert journal == "wal"
    assert timeout >= 10_000


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/x.sqlite3", "sqlite+aiosqlite:///data/x.sqlite3"),
        ("sqlite+aiosqlite:///x.sqlite3", "sqlite+aiosqlite:///x.sqlite3"),
        ("postgresql://u@h:5432/db", "postgresql+asyncpg://u@h:5432/db"),
        ("postgres://u@h/db", "postgresql+asyncpg://u@h/db"),
        ("postgresql+asyncpg://u@h/db", "postgresql+asyncpg://u@h/db"),
    ],
)
def test_plain_urls_are_switched_to_the_async_drivers(given: str, expected: str) -> None:
    assert async_database_url(given).render_as_string(hide_password=False) == expected


def _downgrade_then_upgrade(connection: Connection) -> tuple[set[str], set[str]]:
    command.downgrade(alembic_config(connection), "base")
    emptied = _table_names(connection)
    command.upgrade(alembic_config(connection), "head")
    return emptied, _table_names(connection)


async def test_migrations_downgrade_to_nothing_and_back(database: Database) -> None:
    async with database.engine.begin() as connection:
        emptied, restored = await connection.run_sync(_downgrade_then_upgrade)
    assert emptied == {"alembic_version"}
    assert restored == TABLES | {"alembic_version"}


async def test_naive_timestamps_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="timezone-aware"):
        async with database.session() as session:
            await session.execute(update(ThreadRow).values(updated_at=datetime(2026, 2, 3, 12)))
