"""The daily run inside `serve`: on a cron schedule, once across replicas, caught up after downtime.

The weekly digest's job (`arxiv_digest.weekly`) runs beside it on DIGEST_WEEKLY_SCHEDULE.

The scheduler (APScheduler's `AsyncIOScheduler`) belongs to the service and shares the bots'
event loop. Each run takes the database-wide "daily" lock, records itself in `runs`, builds the
default report and posts every configured platform's threads (`wiring.run_everything`, as the
`digest` command does). A feed that has not refreshed yet is tried again a little later, within a
bound, so an old day is never posted as new.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from arxiv_digest.crontab import crontab_trigger
from arxiv_digest.settings import Settings
from arxiv_digest.weekly import KIND as WEEKLY
from arxiv_digest.weekly import WeeklyJob, make_weekly_trigger
from arxiv_digest.wiring import DayRun, run_everything
from bot.stopping import StopSignal
from domain.statuses import ReportStatus, RunStatus
from pipeline.digest import Digest
from pipeline.feed import categories_key
from storage.locks import run_lock
from storage.repositories import FeedSnapshotRepository, RunRepository

log = logging.getLogger(__name__)

KIND = "daily"
MAX_LISTED_FAILURES = 50  # in a run's stored summary; the log has them all

# How long a stop waits for the message being posted (and its ledger entry) before cancelling.
STOP_GRACE_SECONDS = 5.0

# A missed run is looked for this far back at most: enough for a yearly schedule.
_LOOKBACKS = (timedelta(hours=1), timedelta(days=2), timedelta(days=8), timedelta(days=367))


def make_trigger(settings: Settings) -> CronTrigger:
    return crontab_trigger(settings.digest_schedule, ZoneInfo(settings.digest_timezone))


def latest_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The most recent scheduled time at or before `now` (APScheduler only looks forward)."""
    for lookback in _LOOKBACKS:
        fire = trigger.get_next_fire_time(None, now - lookback)
        if fire is None or fire > now:
            continue
        while True:
            later = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
            if later is None or later > now:
                return fire.astimezone(UTC)
            fire = later
    return None


async def run_schedule(settings: Settings, digest: Digest) -> None:
    """Runs until cancelled; a run in progress is then stopped between two messages."""
    # Its INFO lines (job added, job run, job done) repeat ours, once a minute on a busy schedule.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    trigger = make_trigger(settings)
    job = DailyJob(settings, digest, trigger)
    scheduler = AsyncIOScheduler(timezone=ZoneInfo(settings.digest_timezone))
    scheduler.add_job(
        job.on_schedule, trigger, id=KIND, coalesce=True, max_instances=1, misfire_grace_time=600
    )
    weekly = _weekly_job(settings, digest, scheduler)
    scheduler.start()
    try:
        # The scheduler only sees times still to come: a run missed while down is caught up here.
        missed = latest_fire_time(trigger, datetime.now(UTC))
        if missed is not None and not await job.completed(missed):
            log.info("daily run for %s has not completed: running it now", missed.isoformat())
            job.start(missed)
        next_run = trigger.get_next_fire_time(None, datetime.now(UTC))
        log.info(
            "daily digest scheduled at '%s' %s; next: %s",
            settings.digest_schedule,
            settings.digest_timezone,
            next_run.isoformat() if next_run else "never",
        )
        if weekly is not None:
            await weekly.catch_up()
            log.info(
                "weekly digest scheduled at '%s' %s",
                settings.digest_weekly_schedule,
                settings.digest_timezone,
            )
        await asyncio.Event().wait()
    finally:
        scheduler.shutdown(wait=False)
        await job.stop()
        if weekly is not None:
            await weekly.stop()


def _weekly_job(
    settings: Settings, digest: Digest, scheduler: AsyncIOScheduler
) -> WeeklyJob | None:
    """The weekly digest's job beside the daily one; None when DIGEST_WEEKLY_SCHEDULE is off."""
    trigger = make_weekly_trigger(settings)
    if trigger is None:
        return None
    job = WeeklyJob(settings, digest, trigger)
    scheduler.add_job(
        job.on_schedule, trigger, id=WEEKLY, coalesce=True, max_instances=1, misfire_grace_time=600
    )
    return job


class DailyJob:
    """One daily run at a time in this process, and one across processes (the run lock)."""

    def __init__(self, settings: Settings, digest: Digest, trigger: CronTrigger) -> None:
        self._settings = settings
        self._digest = digest
        self._trigger = trigger
        self._task: asyncio.Task[None] | None = None
        self._stop = StopSignal()
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    async def on_schedule(self) -> None:
        scheduled_for = latest_fire_time(self._trigger, datetime.now(UTC))
        if scheduled_for is not None:
            self.start(scheduled_for)

    def start(self, scheduled_for: datetime) -> None:
        if self._task is not None and not self._task.done():
            log.info("daily run for %s skipped: the previous one is still going", scheduled_for)
            return
        self._task = asyncio.create_task(self.run(scheduled_for), name="daily run")

    async def completed(self, scheduled_for: datetime) -> bool:
        async with self._digest.db.session() as session:
            return await RunRepository(session).completed(KIND, scheduled_for)

    async def stop(self) -> None:
        """Let the message being posted finish and be recorded, then cancel the run."""
        if self._task is not None and not self._task.done():
            await self._stop.stop(self._task, STOP_GRACE_SECONDS)

    async def run(self, scheduled_for: datetime) -> None:
        db = self._digest.db
        async with run_lock(db, KIND) as held:
            if not held:
                log.info(
                    "daily run for %s: another process holds the lock, standing down",
                    scheduled_for.isoformat(),
                )
                async with db.session() as session:
                    await RunRepository(session).start(
                        KIND, scheduled_for, self.holder, status=RunStatus.SKIPPED
                    )
                return
            async with db.session() as session:
                runs = RunRepository(session)
                await runs.abandon_running(KIND)  # left by a process that died holding the lock
                if await runs.completed(KIND, scheduled_for):
                    log.info("daily run for %s already completed", scheduled_for.isoformat())
                    return
                run_id = await runs.start(KIND, scheduled_for, self.holder)
            status = RunStatus.FAILED
            summary: dict[str, Any]
            try:
                status, summary = await self._attempts()
            except Exception as exc:
                log.exception("daily run for %s failed", scheduled_for.isoformat())
                summary = {"error": str(exc) or type(exc).__name__}
            except asyncio.CancelledError:
                # A stop must not wait on the database (a write cut short may still hold
                # SQLite's lock): the next start marks this run interrupted, as after a crash.
                log.info("daily run for %s stopped", scheduled_for.isoformat())
                raise
            async with db.session() as session:
                await RunRepository(session).finish(run_id, status, summary)
            log.info("daily run for %s: %s %s", scheduled_for.isoformat(), status, summary)

    async def _attempts(self) -> tuple[RunStatus, dict[str, Any]]:
        """Run the day until the feed shows a new one, or the retry bound is reached."""
        settings = self._settings
        started = time.monotonic()
        deadline = started + settings.digest_retry_hours * 3600
        pause = settings.digest_retry_minutes * 60
        attempts = 0
        while True:
            attempts += 1
            latest = await self._latest_stored_day()
            day: DayRun | None = None
            error = None
            try:
                day = await run_everything(settings, self._digest, stop=self._stop)
            except Exception as exc:  # arXiv down, say: worth another try within the bound
                log.warning("daily run attempt %d failed: %s", attempts, exc)
                error = str(exc) or type(exc).__name__
            if day is not None and _is_new(day, latest):
                status = RunStatus.DONE if day.ok else RunStatus.FAILED
                return status, _summary(day, attempts, started)
            if time.monotonic() + pause > deadline:
                if day is None:
                    return RunStatus.FAILED, {"error": error, "attempts": attempts}
                return RunStatus.STALE, _summary(day, attempts, started)
            if day is not None:
                log.info(
                    "arXiv's feed still shows %s, already reported: trying again in %g minutes",
                    day.outcome.report.report_date,
                    settings.digest_retry_minutes,
                )
            await asyncio.sleep(pause)

    async def _latest_stored_day(self) -> date | None:
        async with self._digest.db.session() as session:
            return await FeedSnapshotRepository(session).latest_date(
                categories_key(self._digest.options.categories)
            )


def _is_new(day: DayRun, latest: date | None) -> bool:
    """A day newer than the last stored one; or that one again, with a thread left to complete
    (a run interrupted by a crash)."""
    report = day.outcome.report
    if report.status is ReportStatus.STALE:
        return False
    if latest is None or report.report_date > latest:
        return True
    return any(platform.posted for platform in day.platforms)


def _summary(day: DayRun, attempts: int, started: float) -> dict[str, Any]:
    report, stats = day.outcome.report, day.outcome.stats
    return {
        "report_date": report.report_date.isoformat() if report.report_date else None,
        "attempts": attempts,
        "seen": stats.announced,
        "matched": stats.matched,
        "analysed": stats.analysed,
        "cached": stats.cached,
        "failed": stats.failed,
        "posted": {platform.name: platform.posted for platform in day.platforms},
        "failed_chats": [
            f"{platform.name} {run.chat_id}"
            for platform in day.platforms
            for run in platform.runs
            if not run.ok
        ]
        + [platform.name for platform in day.platforms if platform.error],
        # Why: each failed chat's or platform's error, and what failed inside the day's run.
        "errors": {
            f"{platform.name} {run.chat_id}": run.error
            for platform in day.platforms
            for run in platform.runs
            if run.error
        }
        | {platform.name: platform.error for platform in day.platforms if platform.error},
        "failures": stats.failures[:MAX_LISTED_FAILURES],
        "tokens": stats.prompt_tokens + stats.completion_tokens,
        "wall_seconds": round(time.monotonic() - started, 3),
    }
