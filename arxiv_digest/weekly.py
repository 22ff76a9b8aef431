"""The weekly run: every configured platform's chats get their message for one ISO week.

`serve` runs it at DIGEST_WEEKLY_SCHEDULE (in DIGEST_TIMEZONE) for the week that ended before
the run's day, once across replicas (the "weekly" run lock) and recorded in `runs`; a run
missed while the service was down is caught up when it starts, as the daily run is.
`arxiv-digest weekly [--week YYYY-Www]` runs one by hand. Either way a chat's week is posted
once (`bot.weekly`): running a week again posts nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from arxiv_digest.crontab import crontab_trigger
from arxiv_digest.settings import Settings
from arxiv_digest.wiring import chat_platforms, make_chat_core
from bot.stopping import StopSignal
from domain.statuses import RunStatus
from pipeline.archive.weekly import IsoWeek
from pipeline.digest import Digest
from storage.locks import run_lock
from storage.repositories import RunRepository

if TYPE_CHECKING:
    from bot.platform import Platform
    from bot.weekly import WeekRun

log = logging.getLogger(__name__)

KIND = "weekly"
STOP_GRACE_SECONDS = 5.0  # as the daily run's: the message in flight and its ledger entry


def make_weekly_trigger(settings: Settings) -> CronTrigger | None:
    """None when DIGEST_WEEKLY_SCHEDULE is empty: no weekly digest."""
    if not settings.digest_weekly_schedule:
        return None
    return crontab_trigger(settings.digest_weekly_schedule, ZoneInfo(settings.digest_timezone))


def previous_week(day: date) -> IsoWeek:
    """The ISO week that ended before `day`: on a Monday the week just past, on a Sunday the
    one before it (the current week has not ended yet)."""
    return IsoWeek.of(day - timedelta(days=day.isoweekday()))


@dataclass(slots=True)
class PlatformWeek:
    """One platform's part of a weekly run: each chat's run, or the error that stopped it."""

    name: str  # "Slack", "Telegram"
    runs: list[WeekRun] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(run.ok for run in self.runs)


async def run_week_everywhere(
    settings: Settings, digest: Digest, week: IsoWeek, stop: StopSignal | None = None
) -> list[PlatformWeek]:
    """The week on every configured platform, side by side; one failing keeps no other back."""
    core = make_chat_core(settings, digest)

    async def on(platform: Platform) -> PlatformWeek:
        run = PlatformWeek(platform.name)
        try:
            run.runs = await platform.deliver_week(core, week, stop)
        except Exception as exc:
            log.exception("%s weekly digest failed", platform.name)
            run.error = str(exc) or type(exc).__name__
        return run

    return list(await asyncio.gather(*(on(p) for p in chat_platforms(settings))))


class WeeklyJob:
    """One weekly run at a time in this process, and one across processes (the run lock).

    `clock` tells the time the schedule is read at (tests move it).
    """

    def __init__(
        self,
        settings: Settings,
        digest: Digest,
        trigger: CronTrigger,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._settings = settings
        self._digest = digest
        self._trigger = trigger
        self._clock = clock
        self._zone = ZoneInfo(settings.digest_timezone)
        self._task: asyncio.Task[None] | None = None
        self._stop = StopSignal()
        self.holder = f"{socket.gethostname()}:{os.getpid()}"

    def week_for(self, scheduled_for: datetime) -> IsoWeek:
        return previous_week(scheduled_for.astimezone(self._zone).date())

    async def catch_up(self) -> None:
        """At start: the latest scheduled run, if it has not completed (the process was down)."""
        from arxiv_digest.schedule import latest_fire_time

        missed = latest_fire_time(self._trigger, self._clock())
        if missed is not None and not await self.completed(missed):
            log.info("weekly run for %s has not completed: running it now", missed.isoformat())
            self.start(missed)

    async def on_schedule(self) -> None:
        from arxiv_digest.schedule import latest_fire_time

        scheduled_for = latest_fire_time(self._trigger, self._clock())
        if scheduled_for is not None:
            self.start(scheduled_for)

    def start(self, scheduled_for: datetime) -> None:
        if self._task is not None and not self._task.done():
            log.info("weekly run for %s skipped: the previous one is still going", scheduled_for)
            return
        self._task = asyncio.create_task(self.run(scheduled_for), name="weekly run")

    async def wait(self) -> None:
        """Until the run started last has ended (for tests and a clean stop)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def completed(self, scheduled_for: datetime) -> bool:
        async with self._digest.db.session() as session:
            return await RunRepository(session).completed(KIND, scheduled_for)

    async def stop(self) -> None:
        """Let the message being posted finish and be recorded, then cancel the run."""
        if self._task is not None and not self._task.done():
            await self._stop.stop(self._task, STOP_GRACE_SECONDS)

    async def run(self, scheduled_for: datetime) -> None:
        db, week = self._digest.db, self.week_for(scheduled_for)
        async with run_lock(db, KIND) as held:
            async with db.session() as session:
                runs = RunRepository(session)
                if not held:
                    log.info("weekly run %s: another process holds the lock", week.key)
                    await runs.start(KIND, scheduled_for, self.holder, status=RunStatus.SKIPPED)
                    return
                await runs.abandon_running(KIND)  # left by a process that died holding the lock
                if await runs.completed(KIND, scheduled_for):
                    return
                run_id = await runs.start(KIND, scheduled_for, self.holder)
            status, summary = RunStatus.FAILED, {"week": week.key}
            try:
                platforms = await run_week_everywhere(
                    self._settings, self._digest, week, self._stop
                )
                status = RunStatus.DONE if all(p.ok for p in platforms) else RunStatus.FAILED
                summary |= week_summary(platforms)
            except Exception as exc:
                log.exception("weekly run %s failed", week.key)
                summary["error"] = str(exc) or type(exc).__name__
            async with db.session() as session:
                await RunRepository(session).finish(run_id, status, summary)
            log.info("weekly run %s: %s %s", week.key, status, summary)


def week_summary(platforms: list[PlatformWeek]) -> dict[str, Any]:
    """What each chat got: posted, found after a crash, sent before, nothing, or its error."""
    return {
        "chats": {
            f"{platform.name} {run.chat_id}": run.error or run.outcome
            for platform in platforms
            for run in platform.runs
        },
        "errors": {platform.name: platform.error for platform in platforms if platform.error},
    }
