"""The engine, its sessions, and bringing the schema up to date when the database is opened."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.redaction import NO_SECRETS, Redactor

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///data/arxiv-digest.sqlite3"  # relative to the cwd

MIGRATIONS = Path(__file__).parent / "migrations"

# How long a SQLite writer waits for another one (another process included) before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000

# Any constant will do; it only has to be the same in every process that migrates.
_PG_MIGRATION_LOCK = 0x61727869  # "arxi"


class Database:
    """One engine and its session factory; `open` migrates the schema before returning."""

    def __init__(self, engine: AsyncEngine, redact: Redactor = NO_SECRETS) -> None:
        self.engine = engine
        self.redact = redact  # what this database masks in every row, for files written beside it
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str = DEFAULT_DATABASE_URL, redact: Redactor = NO_SECRETS) -> Database:
        """Connect and upgrade the schema to the latest migration (a no-op when it is current).

        Accepts plain `sqlite:///…` and `postgresql://…` URLs and switches them to the async
        drivers; a SQLite file's directory is created if missing. Every text bound to a
        statement is masked with `redact` first, so no row holds a configured secret, whoever
        wrote it.
        """
        async_url = async_database_url(url)
        if async_url.get_backend_name() == "sqlite":
            _create_parent_directory(async_url)
        engine = create_async_engine(async_url)
        if async_url.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _configure_sqlite)
        if redact:
            event.listen(engine.sync_engine, "before_cursor_execute", _masking(redact), retval=True)
        database = cls(engine, redact)
        try:
            await database.migrate()
        except BaseException:
            await engine.dispose()
            raise
        return database

    async def migrate(self) -> None:
        """Upgrade to head inside one transaction, one process at a time.

        A second process starting at the same moment waits for the first to finish, then finds
        the schema current and does nothing.
        """
        async with self.engine.begin() as connection:
            await _take_migration_lock(connection)
            await connection.run_sync(_upgrade_to_head)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: committed when the block ends, rolled back if it raises.

        Committing inside the block is allowed; what is written after it is committed too.
        """
        session = self._sessions()
        try:
            yield session
            await session.commit()
        except BaseException:
            # Shielded: a task cancelled again while rolling back (a stop cancels a run, then
            # what it waits for) must not leave its connection out with a transaction open,
            # holding SQLite's write lock against everyone else.
            await asyncio.shield(session.rollback())
            raise
        finally:
            await asyncio.shield(session.close())

    async def close(self) -> None:
        await self.engine.dispose()


def async_database_url(url: str) -> URL:
    """The URL with the async driver this package uses for its backend."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    return parsed


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade_to_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


async def _take_migration_lock(connection: AsyncConnection) -> None:
    """Serialise migrations across processes; the lock ends with the transaction."""
    backend = connection.dialect.name
    if backend == "postgresql":
        await connection.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
        )
    elif backend == "sqlite":
        # The write lock up front: the version check and the DDL then run as one transaction.
        await connection.exec_driver_sql("BEGIN IMMEDIATE")


def _create_parent_directory(url: URL) -> None:
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _masking(redact: Redactor) -> Any:
    def mask_parameters(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> tuple[str, Any]:
        return statement, redact.deep(parameters)

    return mask_parameters


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()
