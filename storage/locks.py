"""A database-wide lock for jobs that must run in one process at a time, across replicas.

Both kinds are released by the operating system or the server when the holder dies, even by
`kill -9`: a crashed replica never leaves the job locked.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from sqlalchemy import text

from storage.db import Database


@asynccontextmanager
async def run_lock(db: Database, name: str) -> AsyncIterator[bool]:
    """`async with run_lock(db, "daily") as held:` — `held` is False if another process has it.

    Never waits: the caller that does not get it stands down.
    PostgreSQL: a session advisory lock on a connection kept for the block.
    SQLite: an exclusive `flock` on a file next to the database file.
    """
    backend = db.engine.dialect.name
    if backend == "postgresql":
        async with _pg_lock(db, name) as held:
            yield held
    elif backend == "sqlite":
        with _file_lock(db, name) as held:
            yield held
    else:
        raise NotImplementedError(f"no run lock for {backend}")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_try_advisory_lock` (Python's hash() is salted)."""
    digest = hashlib.sha256(f"arxiv-digest:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@asynccontextmanager
async def _pg_lock(db: Database, name: str) -> AsyncIterator[bool]:
    key = lock_key(name)
    async with db.engine.connect() as connection:
        # Autocommit: the lock belongs to the session, and no transaction stays open for hours.
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        result = await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key})
        held = bool(result.scalar_one())
        try:
            yield held
        finally:
            if held:
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


class _FileLock:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> bool:
        if self.path is None:  # an in-memory database lives in this process alone
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def __exit__(self, *_exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def _file_lock(db: Database, name: str) -> _FileLock:
    return _FileLock(lock_file(db, name))


def lock_file(db: Database, name: str) -> Path | None:
    """`<database file>.<name>.lock`; None for an in-memory database."""
    database = db.engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).expanduser().with_name(f"{Path(database).name}.{name}.lock")
