"""Is the service able to work? The database, the last run, and each configured bot's login.

`arxiv-digest health` prints the report (exit 1 when anything failed; the container's
HEALTHCHECK runs it) and Slack's HTTP mode serves it as JSON on `GET /healthz`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from domain.statuses import RunStatus

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from arxiv_digest.settings import Settings
    from bot.platform import Platform

CHECK_TIMEOUT_SECONDS = 10.0
RUN_KIND = "daily"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class HealthReport:
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": {c.name: {"ok": c.ok, "detail": c.detail} for c in self.checks},
        }

    def lines(self) -> list[str]:
        shown = [f"{c.name}: {'ok' if c.ok else 'FAILED'}: {c.detail}" for c in self.checks]
        return [*shown, "healthy" if self.ok else "UNHEALTHY"]


async def check_health(
    settings: Settings, *, seconds_per_check: float = CHECK_TIMEOUT_SECONDS
) -> HealthReport:
    """Every check runs (at once, each within `seconds_per_check`); details never carry a secret."""
    from arxiv_digest.wiring import chat_platforms

    probes: list[tuple[str, Callable[[], Awaitable[list[Check]]]]] = [
        ("database", partial(_database, settings))
    ]
    for platform in chat_platforms(settings):
        probes.append((platform.name.lower(), partial(_connection, platform)))
    found = await asyncio.gather(
        *(_bounded(name, probe, seconds_per_check) for name, probe in probes)
    )
    checks = [check for group in found for check in group]
    redact = settings.redactor
    return HealthReport([Check(c.name, c.ok, redact(c.detail)) for c in checks])


async def _bounded(
    name: str, probe: Callable[[], Awaitable[list[Check]]], seconds: float
) -> list[Check]:
    try:
        return await asyncio.wait_for(probe(), seconds)
    except TimeoutError:
        return [Check(name, False, f"no answer within {seconds:g} s")]
    except Exception as exc:
        return [Check(name, False, _one_line(exc))]


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "…"


# ---- the probes -----------------------------------------------------------------------------


async def _database(settings: Settings) -> list[Check]:
    """A trivial query, then the last run; the schema is never migrated from here."""
    from sqlalchemy import pool, text
    from sqlalchemy.ext.asyncio import create_async_engine

    from storage.db import Database, async_database_url

    engine = create_async_engine(async_database_url(settings.database_url), poolclass=pool.NullPool)
    try:
        db = Database(engine)
        try:
            async with db.session() as session:
                await session.execute(text("SELECT 1"))
        except Exception as exc:
            return [Check("database", False, _one_line(exc))]
        checks = [Check("database", True, engine.url.get_backend_name())]
        async with db.session() as session:
            checks.append(await _last_run(session))
        return checks
    finally:
        await engine.dispose()


async def _last_run(session: AsyncSession) -> Check:
    """The runs table's latest attempt (a failed one is unhealthy), else the latest report."""
    from sqlalchemy.exc import DBAPIError

    from storage.repositories import ReportRepository

    try:
        from storage.runs import RunRepository

        recent = await RunRepository(session).recent(RUN_KIND, limit=1)
    except (ImportError, DBAPIError):  # an older schema: no runs table yet
        await session.rollback()
        recent = []
    if recent:
        run = recent[0]
        when = (run.finished_at or run.started_at).strftime("%Y-%m-%d %H:%M UTC")
        detail = f"{run.status} at {when}"
        if run.summary and run.summary.get("error"):
            detail += f" ({run.summary['error']})"
        return Check("last_run", run.status is not RunStatus.FAILED, detail)
    try:
        latest = await ReportRepository(session).latest()
    except DBAPIError:
        await session.rollback()
        return Check("last_run", False, "the database has no schema yet: run `digest` once")
    if latest is None:
        return Check("last_run", True, "no run yet")
    written = latest.updated_at.strftime("%Y-%m-%d %H:%M UTC")
    return Check("last_run", True, f"report for {latest.report_date} written {written}")


async def _connection(platform: Platform) -> list[Check]:
    """The platform's login; its refusal or silence is the check's failure (see `_bounded`)."""
    return [Check(platform.name.lower(), True, await platform.check_connection())]
