"""The record of scheduled runs: one row per attempt, so a restart knows what is left to do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.statuses import RunStatus
from storage.models import RunRow, utcnow
from storage.records import RunRecord

# A run that ended with nothing left to do for its scheduled time: a stale feed that never
# refreshed within the retry bound counts, as there was no new day to post.
COMPLETED = (RunStatus.DONE, RunStatus.STALE)


class RunRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def start(
        self, kind: str, scheduled_for: datetime, holder: str, status: RunStatus = RunStatus.RUNNING
    ) -> int:
        """Record an attempt; `RunStatus.SKIPPED` records one that stood down at once."""
        now = utcnow()
        stmt = (
            insert(RunRow)
            .values(
                kind=kind,
                scheduled_for=scheduled_for,
                started_at=now,
                finished_at=None if status == RunStatus.RUNNING else now,
                status=status,
                holder=holder,
            )
            .returning(RunRow.id)
        )
        return (await self._session.execute(stmt)).scalar_one()

    async def finish(
        self, run_id: int, status: RunStatus, summary: dict[str, Any] | None = None
    ) -> None:
        stmt = (
            update(RunRow)
            .where(RunRow.id == run_id)
            .values(status=status, summary=summary, finished_at=utcnow())
        )
        await self._session.execute(stmt)

    async def abandon_running(self, kind: str) -> int:
        """Mark runs left "running" by a process that died as failed; call with the run lock held.

        Returns how many there were.
        """
        stmt = (
            update(RunRow)
            .where(RunRow.kind == kind, RunRow.status == RunStatus.RUNNING)
            .values(status=RunStatus.FAILED, finished_at=utcnow(), summary={"error": "interrupted"})
        )
        result = await self._session.execute(stmt)
        return result.rowcount  # type: ignore[attr-defined]

    async def completed(self, kind: str, scheduled_for: datetime) -> bool:
        """Whether a run for this scheduled time finished with nothing left to do."""
        stmt = (
            select(RunRow.id)
            .where(
                RunRow.kind == kind,
                RunRow.scheduled_for == scheduled_for,
                RunRow.status.in_(COMPLETED),
            )
            .limit(1)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def recent(self, kind: str, limit: int = 20) -> list[RunRecord]:
        """The latest attempts first."""
        stmt = (
            select(RunRow.__table__)
            .where(RunRow.kind == kind)
            .order_by(RunRow.started_at.desc(), RunRow.id.desc())
            .limit(limit)
        )
        return [_run(row) for row in await self._session.execute(stmt)]


def _run(row: Row[Any]) -> RunRecord:
    return RunRecord(
        id=row.id,
        kind=row.kind,
        scheduled_for=row.scheduled_for,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=RunStatus(row.status),
        summary=row.summary,
        holder=row.holder,
    )
