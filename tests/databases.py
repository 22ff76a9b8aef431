"""The PostgreSQL database a test process may empty: TEST_DATABASE_URL's own, or one per xdist
worker next to it (`test_gw0`, `test_gw1`, …), so that parallel workers never share one."""

from __future__ import annotations

import os

from sqlalchemy import MetaData, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import async_database_url

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
