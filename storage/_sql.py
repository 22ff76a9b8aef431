"""Helpers shared by the repositories: the dialect's INSERT (for ON CONFLICT) and batching."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

# Keeps every statement well under the bound-parameter limits (SQLite 32766, asyncpg 32767).
BATCH_SIZE = 500


def insert(session: AsyncSession, entity: Any) -> postgresql.Insert | sqlite.Insert:
    """The INSERT of the session's dialect, which is what offers `on_conflict_do_*`.

    Upserts go through ON CONFLICT rather than select-then-insert so that two writers racing
    on the same key never raise IntegrityError.
    """
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert(entity)
    if name == "sqlite":
        return sqlite.insert(entity)
    raise NotImplementedError(f"storage supports SQLite and PostgreSQL, not {name}")


def batches(items: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
