"""The composition root: builds every client from the settings and hands them to the pipeline."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import httpx
from openai import AsyncOpenAI

from arxiv_digest.embedding import make_embeddings_client, make_relevance
from arxiv_digest.settings import Settings
from pipeline.admission import ArrivalLine
from pipeline.analyse import ENDPOINT_PAUSE_SECONDS, Analyzer
from pipeline.arxiv_api import ArxivApi
from pipeline.budget import TokenBudget
from pipeline.daybuilder import Progress
from pipeline.digest import Digest
from pipeline.feed import FeedClient
from pipeline.feedcache import FeedCache
from pipeline.options import DigestOptions
from pipeline.outcomes import DigestOutcome
from pipeline.pdf import PdfReader
from storage.db import Database

if TYPE_CHECKING:
    from bot.core import ChatCore
    from bot.daily import ChatRun
    from bot.platform import Platform
    from bot.stopping import StopSignal

log = logging.getLogger(__name__)

# Local servers (Ollama, vLLM) accept any key; the client insists on one.
_PLACEHOLDER_KEY = "not-needed"


def digest_options(
    settings: Settings,
    *,
    categories: list[str] | None = None,
    keywords: list[str] | None = None,
) -> DigestOptions:
    return DigestOptions(
        categories=categories or settings.digest_categories,
        keywords=keywords if keywords is not None else settings.digest_keywords,
        language=settings.digest_language,
        include_replacements=settings.digest_include_replacements,
        input_token_budget=settings.llm_input_token_budget,
        reports_dir=settings.reports_dir,
        max_papers=settings.digest_max_papers,
        suggestions=settings.digest_suggestions,
    )


def make_llm_client(settings: Settings) -> AsyncOpenAI | None:
    if not settings.llm_configured:
        return None
    key = (
        settings.openai_api_key.get_secret_value() if settings.openai_api_key else _PLACEHOLDER_KEY
    )
    return AsyncOpenAI(
        api_key=key,
        base_url=settings.openai_base_url,
        timeout=settings.llm_timeout_seconds,
        max_retries=settings.llm_max_retries,
    )


def make_analyzer(
    settings: Settings, llm: AsyncOpenAI | None, line: ArrivalLine
) -> Analyzer | None:
    if llm is None or not settings.llm_model:
        return None
    return Analyzer(
        llm,
        line=line,
        model=settings.llm_model,
        language=settings.digest_language,
        max_output_tokens=settings.llm_max_output_tokens,
        concurrency=settings.llm_concurrency,
        response_format=settings.llm_response_format,
        request_deadline=settings.llm_timeout_seconds * (settings.llm_max_retries + 1),
        pause_after_fault=ENDPOINT_PAUSE_SECONDS,
        redact=settings.redactor,
    )


def make_pdf_reader(settings: Settings, http: httpx.AsyncClient, line: ArrivalLine) -> PdfReader:
    return PdfReader(
        http,
        settings.arxiv_pdf_url,
        line=line,
        max_bytes=settings.pdf_max_bytes,
        max_pages=settings.pdf_max_pages,
        max_page_content_bytes=settings.pdf_max_page_content_bytes,
        max_content_bytes=settings.pdf_max_content_bytes,
        concurrency=settings.pdf_concurrency,
        deadline_seconds=settings.http_deadline_seconds,
    )


@asynccontextmanager
async def open_digest(
    settings: Settings, options: DigestOptions, *, line: ArrivalLine | None = None
) -> AsyncIterator[Digest]:
    """Everything a run needs, opened together and closed together.

    The feed cache lives as long as the digest: the default report and every chat's report
    of a day read one fetch of their feed (see `run_everything` and `bot.daily`). So does the
    arrival line (a new one unless given): the process's one, which the PDF reader, the
    analyzer, the look-ups and the chat core all queue people in.
    """
    line = line or ArrivalLine()
    db = await Database.open(settings.database_url, settings.redactor)
    llm = make_llm_client(settings)
    embeddings_client = make_embeddings_client(settings)
    timeout = httpx.Timeout(settings.http_timeout_seconds, connect=15.0)
    headers = {"User-Agent": settings.http_user_agent}
    try:
        async with httpx.AsyncClient(
            headers=headers, timeout=timeout, follow_redirects=True
        ) as http:
            yield Digest(
                db=db,
                feeds=FeedCache(
                    FeedClient(
                        http,
                        settings.arxiv_rss_url,
                        deadline_seconds=settings.http_deadline_seconds,
                    )
                ),
                api=ArxivApi(
                    settings.arxiv_api_url,
                    delay_seconds=settings.arxiv_api_delay_seconds,
                    user_agent=settings.http_user_agent,
                    timeout_seconds=settings.http_timeout_seconds,
                    deadline_seconds=settings.http_deadline_seconds,
                ),
                reader=make_pdf_reader(settings, http, line),
                analyzer=make_analyzer(settings, llm, line),
                options=options,
                line=line,
                budget=TokenBudget(settings.llm_daily_token_cap),
                relevance=make_relevance(settings, db, embeddings_client),
                qa_input_token_budget=settings.qa_input_token_budget,
            )
    finally:
        if embeddings_client is not None:
            await embeddings_client.close()
        if llm is not None:
            await llm.close()
        await db.close()


# ---- chat ----------------------------------------------------------------------------------
# Chat SDKs are imported inside the functions: a digest without chat never loads them.


def make_chat_core(settings: Settings, digest: Digest) -> ChatCore:
    from bot.core import ChatCore

    return ChatCore(
        db=digest.db,
        digest=digest,
        feeds=digest.feeds,
        line=digest.line,
        admins=settings.bot_admins,
        post_empty_days=settings.digest_post_empty_days,
        summarize_per_user_per_day=settings.summarize_per_user_per_day,
        summarize_per_user_per_minute=settings.summarize_per_user_per_minute,
        keyword_changes_per_user_per_minute=settings.keyword_changes_per_user_per_minute,
        keywords_per_user=settings.keywords_per_user,
        ask_per_user_per_day=settings.ask_per_user_per_day,
        archive=digest.archive,  # one copy of the archive's vectors in memory
        export_max_papers=settings.export_max_papers,
    )


def chat_platforms(settings: Settings) -> list[Platform]:
    """Every configured chat platform: the one list that `serve`, the daily run and `health`
    go through. Another platform is its package under bot/ and one more entry here."""
    platforms: list[Platform] = []
    if settings.slack_configured:
        from bot.slack.platform import SlackPlatform

        platforms.append(SlackPlatform(settings.slack(), health=partial(health_probe, settings)))
    if settings.telegram_configured:
        from bot.telegram.platform import TelegramPlatform

        platforms.append(TelegramPlatform(settings.telegram()))
    return platforms


@dataclass(slots=True)
class PlatformRun:
    """One platform's part of a day: each chat's run, or the error that stopped the platform."""

    name: str  # "Slack", "Telegram"
    runs: list[ChatRun] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and all(run.ok for run in self.runs)

    @property
    def posted(self) -> int:
        """Messages this run posted: parents and papers."""
        return sum(
            run.delivery.posted_count + int(run.delivery.parent_posted)
            for run in self.runs
            if run.delivery is not None
        )


@dataclass(slots=True)
class DayRun:
    """The default report, then every configured platform's threads."""

    outcome: DigestOutcome
    platforms: list[PlatformRun]

    @property
    def ok(self) -> bool:
        return all(platform.ok for platform in self.platforms)


async def run_everything(
    settings: Settings,
    digest: Digest,
    requested: date | None = None,
    *,
    on_report: Callable[[DigestOutcome], None] | None = None,
    on_progress: Progress | None = None,
    stop: StopSignal | None = None,
) -> DayRun:
    """The day as `arxiv-digest digest` and the daily schedule run it.

    The day is fetched and matched once; then the default report (the Markdown file) is
    finished while each platform posts its threads, side by side, every paper as soon as its
    analysis lands. A chat failing cannot lose the report, and one platform failing does not
    keep the other from its thread. A stale feed posts nothing. `on_progress` hears of the
    default report's papers as they land.
    """
    from domain.statuses import ReportStatus

    with digest.feeds.sharing():  # fetched once for the default report and the chats
        async with await digest.start(requested, on_progress=on_progress) as build:

            async def publish() -> DigestOutcome:
                outcome = await build.finish()
                if on_report is not None:
                    on_report(outcome)
                return outcome

            if build.report.status is ReportStatus.STALE:
                return DayRun(await publish(), [])
            core = make_chat_core(settings, digest)

            async def deliver_on(platform: Platform) -> PlatformRun:
                run = PlatformRun(platform.name)
                try:
                    run.runs = await platform.deliver(core, requested, stop)
                except Exception as exc:
                    log.exception("%s delivery failed", platform.name)
                    run.error = str(exc) or type(exc).__name__
                return run

            # Each platform's pace is its own (Telegram's 20 messages a minute per group need
            # not wait for Slack's thread); a stop cancels them all between two messages.
            published, *ended = await asyncio.gather(
                publish(),
                *(deliver_on(platform) for platform in chat_platforms(settings)),
                return_exceptions=True,
            )
    for result in (published, *ended):
        if isinstance(result, BaseException):
            raise result  # a bug: after every platform ended
    assert isinstance(published, DigestOutcome)
    return DayRun(published, [p for p in ended if isinstance(p, PlatformRun)])


async def health_probe(settings: Settings) -> tuple[bool, dict[str, Any]]:
    """What `GET /healthz` serves: the same report as `arxiv-digest health --json`."""
    from arxiv_digest.health import check_health

    report = await check_health(settings)
    return report.ok, report.to_dict()
