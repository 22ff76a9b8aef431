"""The record of scheduled runs, on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.statuses import RunStatus
from storage.db import Database
from storage.repositories import RunRepository

AT = datetime(2026, 2, 5, 5, 30, tzinfo=UTC)


async def test_a_run_counts_as_completed_only_once_done_or_stale(database: Database) -> None:
    async with database.session() as session:
        runs = RunRepository(session)
        run_id = await runs.start("daily", AT, "host:1")
        assert not await runs.completed("daily", AT)
        await runs.finish(run_id, "done", {"posted": {"Slack": 3}, "tokens": 120})

    async with database.session() as session:
        runs = RunRepository(session)
        assert await runs.completed("daily", AT)
        assert not await runs.completed("daily", AT + timedelta(days=1))
        assert not await runs.completed("weekly", AT)
        (run,) = await runs.recent("daily")
    assert run.status is RunStatus.DONE and run.holder == "host:1"
    assert run.scheduled_for == AT and run.finished_at is not None
    assert run.summary == {"posted": {"Slack": 3}, "tokens": 120}


async def test_failed_and_skipped_runs_leave_the_time_to_do(database: Database) -> None:
    async with database.session() as session:
        runs = RunRepository(session)
        failed = await runs.start("daily", AT, "host:1")
        await runs.finish(failed, "failed", {"error": "arXiv down"})
        await runs.start("daily", AT, "host:2", status="skipped")
        assert not await runs.completed("daily", AT)
        stale = await runs.start("daily", AT, "host:1")
        await runs.finish(stale, "stale")
        assert await runs.completed("daily", AT)
        statuses = [r.status for r in await runs.recent("daily")]
    assert sorted(statuses) == ["failed", "skipped", "stale"]
    assert all(isinstance(status, RunStatus) for status in statuses)


async def test_runs_left_running_by_a_dead_process_are_marked_failed(database: Database) -> None:
    async with database.session() as session:
        runs = RunRepository(session)
        await runs.start("daily", AT, "host:1")
        other = await runs.start("weekly", AT, "host:1")
        assert await runs.abandon_running("daily") == 1
        by_kind = {r.kind: r for r in [*await runs.recent("daily"), *await runs.recent("weekly")]}
    assert by_kind["daily"].status == "failed" and by_kind["daily"].finished_at is not None
    assert by_kind["weekly"].status == "running" and by_kind["weekly"].id == other
