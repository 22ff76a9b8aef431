"""The databases a test process may empty: for PostgreSQL, TEST_DATABASE_URL's own, or one per
xdist worker next to it (`test_gw0`, `test_gw1`, …), so that parallel workers never share one.

Most tests want a migrated database with nothing in it. Migrating from scratch for each of them
costs far more than the test (hundreds of milliseconds on PostgreSQL), so a database already at
the latest migration is emptied row by row instead, and a SQLite one is copied from a file
migrated once per process. Tests that need a database with no schema at all still get one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, pool, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from storage.db import Database, alembic_config, async_database_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]

_created: set[str] = set()  # databases this process made sure exist


def worker_postgres_url() -> str:
    """TEST_DATABASE_URL with this xdist worker's name appended to the database's name."""
    assert POSTGRES_URL is not None
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return POSTGRES_URL
    url = async_database_url(POSTGRES_URL)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


async def empty_postgres_database() -> str:
    """The URL of this process's PostgreSQL database, created if missing, emptied of everything."""
    url = worker_postgres_url()
    if url not in _created:
        await _create_if_missing(url)
        _created.add(url)
    await drop_everything(url)
    return url


async def _create_if_missing(url: str) -> None:
    """CREATE DATABASE through TEST_DATABASE_URL's own database, which CI and developers have."""
    assert POSTGRES_URL is not None
    name = async_database_url(url).database
    engine = create_async_engine(
        async_database_url(POSTGRES_URL), poolclass=pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        async with engine.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()


async def drop_everything(url: str) -> None:
    """Empty the database, alembic_version included, so the next open migrates from scratch."""
    engine = create_async_engine(async_database_url(url), poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:

            def drop(sync_connection: object) -> None:
                metadata = MetaData()
                metadata.reflect(sync_connection)  # type: ignore[arg-type]
                metadata.drop_all(sync_connection)  # type: ignore[arg-type]

            await connection.run_sync(drop)
    finally:
        await engine.dispose()


async def migrated_postgres_database() -> str:
    """The URL of this process's PostgreSQL database at the latest migration, with no rows.

    When it is already at the latest migration (the last test left it so) its rows are deleted
    and its sequences restarted; otherwise it is emptied of everything, to be migrated on open.
    """
    url = worker_postgres_url()
    if url not in _created:
        await _create_if_missing(url)
        _created.add(url)
    engine = create_async_engine(async_database_url(url), poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            at_head = await _version(connection) == _head()
            if at_head:
                await _delete_rows(connection)
    finally:
        await engine.dispose()
    if not at_head:
        await drop_everything(url)
    return url


async def _version(connection: AsyncConnection) -> str | None:
    exists = await connection.scalar(text("SELECT to_regclass('public.alembic_version')"))
    if exists is None:
        return None
    return await connection.scalar(text("SELECT version_num FROM alembic_version"))


async def _delete_rows(connection: AsyncConnection) -> None:
    """Every row but the schema's version, in any order (foreign keys are not enforced for
    this transaction), and every sequence back to its start, as on a fresh database."""
    await connection.execute(text("SET LOCAL session_replication_role = replica"))
    tables = await connection.scalars(
        text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    )
    for table in tables.all():
        if table != "alembic_version":
            await connection.execute(text(f'DELETE FROM "{table}"'))
    sequences = await connection.scalars(
        text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    )
    for sequence in sequences.all():
        await connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))


@cache
def _head() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def migrated_sqlite_file(path: Path) -> None:
    """`path` becomes a SQLite database at the latest migration, copied from this process's
    template (migrated once)."""
    shutil.copyfile(await _sqlite_template(), path)


_sqlite_templates: list[Path] = []


async def _sqlite_template() -> Path:
    if not _sqlite_templates:
        template = Path(tempfile.mkdtemp(prefix="arxiv-digest-template-")) / "migrated.sqlite3"
        db = await Database.open(f"sqlite+aiosqlite:///{template}")
        await db.close()
        _sqlite_templates.append(template)
    return _sqlite_templates[0]
