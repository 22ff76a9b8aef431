"""A migrated database per test: a SQLite file always, PostgreSQL too when TEST_DATABASE_URL is set.

Test folders that need it import the fixtures into their conftest.py:
    from tests.dbfixtures import database, database_url  # noqa: F401
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import MetaData, pool
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import Database, async_database_url

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


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


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database (nothing migrated yet)."""
    if request.param == "postgresql":
        assert POSTGRES_URL is not None
        await drop_everything(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = await Database.open(database_url)
    try:
        yield db
    finally:
        await db.close()
