"""`arxiv-digest`: the command line. Commands import heavy modules themselves: --help stays fast."""

from __future__ import annotations

import asyncio
import faulthandler
import logging
import signal
import time
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from arxiv_digest.logs import log_run_summary, setup_from_settings
from storage.redaction import MIN_SECRET_LENGTH, NO_SECRETS, Redactor

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console
    from rich.progress import Progress

    from arxiv_digest.settings import Settings
    from arxiv_digest.wiring import DayRun
    from bot.delivery import DeliveryOutcome
    from pipeline.outcomes import DigestOutcome

app = typer.Typer(
    help="Reads arXiv every day and brings the papers that match your keywords to your team.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# A stop finishes the message in flight (a few seconds); past this, the process dumps every
# thread's stack to stderr and exits with status 1 rather than hang on whatever holds it.
STOP_DEADLINE_SECONDS = 15.0

Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log each step to stderr.")]


class _Output:
    """What this process prints, masked: one command runs per process, and its settings (so
    its secrets) are known once `_setup_logging` has run."""

    redact: Redactor = NO_SECRETS


def _echo(message: str, *, err: bool = False, nl: bool = True) -> None:
    typer.echo(_Output.redact(message), err=err, nl=nl)


def _setup_logging(settings: Settings, verbose: bool, default: int = logging.WARNING) -> None:
    """LOG_FORMAT and LOG_LEVEL (else INFO with -v, else `default`); secrets never logged nor
    printed."""
    _Output.redact = settings.redactor
    if settings.redactor.too_short:
        _echo(
            f"warning: {len(settings.redactor.too_short)} configured secret(s) shorter than "
            f"{MIN_SECRET_LENGTH} characters cannot be masked in logs and messages",
            err=True,
        )
    try:
        setup_from_settings(settings, verbose=verbose, default=default)
    except ValueError as exc:  # an unknown LOG_LEVEL
        raise _fail(str(exc)) from None


def _fail(message: str) -> typer.Exit:
    _echo(f"error: {message}", err=True)
    return typer.Exit(code=1)


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _fail(f"'{value}' is not a date (expected YYYY-MM-DD)") from None


@app.command()
def digest(
    day: Annotated[
        str | None, typer.Option("--date", help="Rebuild a stored day (YYYY-MM-DD).")
    ] = None,
    categories: Annotated[
        str | None, typer.Option(help="Comma-separated, e.g. cs.AI,cs.LG (DIGEST_CATEGORIES).")
    ] = None,
    keywords: Annotated[
        str | None, typer.Option(help="Comma-separated keywords (DIGEST_KEYWORDS).")
    ] = None,
    verbose: Verbose = False,
) -> None:
    """Fetch the day's announcements, analyse the matching papers, write the Markdown report.

    With Slack or Telegram configured, also post the day's thread to SLACK_CHANNELS and
    TELEGRAM_CHATS (after the report is written); a rerun completes a thread that was interrupted.
    """
    from arxiv_digest.settings import Settings
    from arxiv_digest.wiring import digest_options, open_digest, run_everything
    from domain.errors import ArxivDigestError

    settings = Settings()
    _setup_logging(settings, verbose)
    requested = _parse_date(day) if day else None
    options = digest_options(settings, categories=_split(categories), keywords=_split(keywords))

    async def run() -> bool:
        progress, on_progress = _progress_bar()

        def on_report(outcome: DigestOutcome) -> None:
            progress.stop()
            _print_outcome(outcome)

        started = time.monotonic()
        async with open_digest(settings, options) as runner:
            with progress:
                day = await run_everything(
                    settings, runner, requested, on_report=on_report, on_progress=on_progress
                )
        ok = _print_deliveries(day)
        _print_run_summary(day, time.monotonic() - started)
        return ok

    try:
        ok = asyncio.run(run())
    except ArxivDigestError as exc:
        raise _fail(str(exc)) from None
    if not ok:
        raise typer.Exit(code=1)


def _progress_bar() -> tuple[Progress, Callable[[str, int, int], None]]:
    """The bar the default report's papers move as they land, and what moves it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        transient=True,
        console=_stderr_console(),
    )
    task = progress.add_task("Reading and analysing papers", total=None)

    def on_progress(_label: str, done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return progress, on_progress


def _print_run_summary(day: DayRun, wall_seconds: float) -> None:
    """The closing line, and the run's one summary event in the log."""
    posted = {platform.name.lower(): platform.posted for platform in day.platforms}
    log_run_summary(
        day.outcome.stats,
        report_date=day.outcome.report.report_date,
        posted=posted,
        wall_seconds=wall_seconds,
        ok=day.ok,
    )
    shown = ", ".join(f"{p.name} {p.posted}" for p in day.platforms) or "no chat configured"
    _echo(f"Done in {wall_seconds:.1f} s; messages posted: {shown}")


def _print_outcome(outcome: DigestOutcome) -> None:
    from domain.statuses import ReportStatus

    report, stats = outcome.report, outcome.stats
    if report.status is ReportStatus.STALE:
        _echo(report.note or "")  # a stale day always says why
        return
    _echo(
        f"{report.report_date}: {stats.matched or len(report.entries)} matching of "
        f"{report.announced_count} announced; analysed {stats.analysed}, from cache "
        f"{stats.cached}, failed {stats.failed}; tokens "
        f"{stats.prompt_tokens + stats.completion_tokens}"
    )
    if stats.capped:
        _echo(
            f"Capped: {stats.capped} papers ranked below DIGEST_MAX_PAPERS were listed without "
            f"analysis, saving about {stats.tokens_saved:,} tokens."
        )
    if report.note:
        _echo(report.note)
    for failure in stats.failures:
        _echo(f"  failed: {failure}", err=True)
    _echo(f"Report: {outcome.path}")


def _print_deliveries(day: DayRun) -> bool:
    """Says what went where on each platform; False if anything failed anywhere."""
    for platform in day.platforms:
        name = platform.name
        if platform.error is not None:
            _echo(f"{name}: failed: {platform.error}", err=True)
        for run in platform.runs:
            where = f"{name} {'DM ' if run.kind == 'dm' else ''}{run.chat_id}"
            if run.error is not None:
                error = " ".join(run.error.split())  # Slack's errors span several lines
                _echo(f"{where}: failed: {error} (the next run completes it)", err=True)
            else:
                _echo(f"{where}: {_describe_delivery(run.delivery)}")
    return day.ok


def _describe_delivery(delivery: DeliveryOutcome | None) -> str:
    if delivery is None or delivery.thread_id is None:
        return "nothing to post"
    parts = [
        "new thread" if delivery.parent_posted else "thread already posted",
        f"{delivery.posted_count} {'paper' if delivery.posted_count == 1 else 'papers'} posted",
    ]
    if delivery.already_sent:
        parts.append(f"{len(delivery.already_sent)} already there")
    if delivery.updated:
        parts.append(f"{len(delivery.updated)} edited with their full analysis")
    if delivery.sent_before:
        parts.append(f"{len(delivery.sent_before)} posted on earlier days")
    return ", ".join(parts)


@app.command()
def summarize(
    paper: Annotated[str, typer.Argument(help="An arXiv id or URL, e.g. 2602.00780")],
    verbose: Verbose = False,
) -> None:
    """Print the full analysis of any paper as Markdown."""
    from arxiv_digest.settings import Settings
    from arxiv_digest.wiring import digest_options, open_digest
    from domain.errors import ArxivDigestError
    from pipeline.ids import parse_arxiv_id
    from pipeline.markdown import render_entry

    settings = Settings()
    _setup_logging(settings, verbose)
    try:
        parse_arxiv_id(paper)  # a malformed id fails before anything is opened
    except ArxivDigestError as exc:
        raise _fail(str(exc)) from None

    async def run() -> str:
        async with open_digest(settings, digest_options(settings)) as runner:
            entry = (await runner.summarize(paper)).entry
        return "\n".join(render_entry(entry, settings.digest_language)).rstrip() + "\n"

    try:
        _echo(asyncio.run(run()), nl=False)
    except ArxivDigestError as exc:
        raise _fail(str(exc)) from None


@app.command()
def report(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD, or 'latest'")] = "latest",
    verbose: Verbose = False,
) -> None:
    """Print a stored daily report."""
    from arxiv_digest.settings import Settings
    from storage.db import Database
    from storage.repositories import ReportRepository

    settings = Settings()
    _setup_logging(settings, verbose)
    requested = None if day == "latest" else _parse_date(day)

    async def run() -> str:
        db = await Database.open(settings.database_url, settings.redactor)
        try:
            async with db.session() as session:
                reports = ReportRepository(session)
                found = await (reports.latest() if requested is None else reports.get(requested))
                if found is not None:
                    return found.markdown
                known = await reports.dates("default")
        finally:
            await db.close()
        listed = ", ".join(d.isoformat() for d in known[-5:]) or "none yet"
        raise _fail(f"no report for {day} (latest stored: {listed})")

    _echo(asyncio.run(run()), nl=False)


@app.command()
def weekly(
    week: Annotated[
        str | None, typer.Option("--week", help="An ISO week, e.g. 2026-W49 (default: last week).")
    ] = None,
    verbose: Verbose = False,
) -> None:
    """Post each chat's weekly digest (its most liked and asked-about papers, the week's themes)
    for last week or --week; a chat that already has that week's message gets nothing."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from arxiv_digest.settings import Settings
    from arxiv_digest.weekly import previous_week, run_week_everywhere
    from arxiv_digest.wiring import chat_platforms, digest_options, open_digest
    from domain.errors import ArxivDigestError
    from pipeline.archive.weekly import IsoWeek

    settings = Settings()
    _setup_logging(settings, verbose)
    today = datetime.now(ZoneInfo(settings.digest_timezone)).date()
    try:
        chosen = IsoWeek.parse(week) if week is not None else previous_week(today)
    except ArxivDigestError as exc:
        raise _fail(str(exc)) from None
    if not chat_platforms(settings):
        raise _fail("no chat to post to: set SLACK_BOT_TOKEN or TELEGRAM_BOT_TOKEN")

    async def run() -> bool:
        async with open_digest(settings, digest_options(settings)) as runner:
            platforms = await run_week_everywhere(settings, runner, chosen)
        for platform in platforms:
            if platform.error is not None:
                _echo(f"{platform.name}: failed: {platform.error}", err=True)
            for run in platform.runs:
                where = f"{platform.name} {run.chat_id}"
                if run.error is not None:
                    _echo(f"{where}: failed: {' '.join(run.error.split())}", err=True)
                else:
                    _echo(f"{where}: {chosen.key} {_WEEK_OUTCOMES[run.outcome]}")
        return all(platform.ok for platform in platforms)

    try:
        ok = asyncio.run(run())
    except ArxivDigestError as exc:
        raise _fail(str(exc)) from None
    if not ok:
        raise typer.Exit(code=1)


_WEEK_OUTCOMES = {
    "posted": "posted",
    "found": "was posted before a restart: recorded",
    "sent_before": "already posted",
    "nothing": "had nothing to post (DIGEST_POST_EMPTY_DAYS=false)",
}


@app.command()
def serve(verbose: Verbose = False) -> None:
    """Run the chat bots (Slack: Socket Mode or HTTP; Telegram: long polling or a webhook) until
    interrupted (Ctrl-C or SIGTERM)."""
    from arxiv_digest.service import serve as serve_bots
    from arxiv_digest.settings import Settings
    from arxiv_digest.wiring import chat_platforms
    from domain.errors import ArxivDigestError

    settings = Settings()
    _setup_logging(settings, verbose, logging.INFO)
    if not chat_platforms(settings):
        raise _fail(
            "nothing to serve: set SLACK_BOT_TOKEN (docs/slack.md) "
            "or TELEGRAM_BOT_TOKEN (docs/telegram.md)"
        )

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def on_signal() -> None:
            stop.set()
            faulthandler.dump_traceback_later(STOP_DEADLINE_SECONDS, exit=True)

        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, on_signal)
        try:
            await serve_bots(settings, stop)
        finally:
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)

    try:
        asyncio.run(run())
    except (ArxivDigestError, OSError) as exc:
        # A platform's settings or login failed (it says which, as a PlatformError of the tree);
        # OSError: e.g. the port is taken.
        raise _fail(str(exc)) from None
    _echo("Stopped.", err=True)


@app.command()
def health(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    verbose: Verbose = False,
) -> None:
    """Check the database, the last run and each configured bot's login; exit 1 if any fails."""
    import json

    from arxiv_digest.health import check_health
    from arxiv_digest.settings import Settings

    settings = Settings()
    _setup_logging(settings, verbose)
    report = asyncio.run(check_health(settings))
    if as_json:
        _echo(json.dumps(report.to_dict(), indent=2))
    else:
        for line in report.lines():
            _echo(line)
    if not report.ok:
        raise typer.Exit(code=1)


def _stderr_console() -> Console:
    from rich.console import Console

    return Console(stderr=True)


def main() -> None:
    from arxiv_digest.heaps import limit_heaps

    limit_heaps()
    app()
