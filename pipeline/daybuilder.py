"""A day, from its feed (or the store) to a `DayBuild`: fetched, recorded, matched.

The papers' reading and analysis is `PaperWork`'s; the finished report is stored by
`publish_report`. Each paper's result comes back to the day, which adds up the run's counts.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from domain.errors import DayNotFetched, DigestError
from domain.messages import text
from domain.models import FeedDay, Paper
from domain.statuses import Mention, ReportStatus
from pipeline.arxiv_api import ArxivApi
from pipeline.daybuild import DayBuild, Publish
from pipeline.dayrank import DayOrder, order_day
from pipeline.feed import categories_key, incomplete
from pipeline.feedcache import FeedCache
from pipeline.options import DigestOptions
from pipeline.outcomes import DigestOutcome, RunStats
from pipeline.paperwork import PaperWork
from pipeline.publishing import publish_report
from pipeline.rebuild import empty_note
from pipeline.relevance.service import Relevance
from pipeline.report import DailyReport, PaperEntry
from pipeline.selection import PaperSelector
from storage.db import Database
from storage.repositories import FeedSnapshotRepository, PaperRepository, ReportRepository

log = logging.getLogger(__name__)

# Called with (the paper just finished, papers finished, papers matched); ("", 0, n) first.
Progress = Callable[[str, int, int], None]


class DayBuilder:
    def __init__(
        self,
        *,
        db: Database,
        feeds: FeedCache,
        api: ArxivApi,
        papers: PaperWork,
        relevance: Relevance | None = None,
    ) -> None:
        self._db = db
        self._relevance = relevance  # None: keyword order, no suggestions
        self._feeds = feeds
        self._api = api
        self._papers = papers

    async def start(
        self,
        requested: date | None,
        options: DigestOptions,
        *,
        on_progress: Progress | None = None,
    ) -> DayBuild:
        """Fetch and match the day, and start reading and analysing its papers.

        A past day (`requested`) is built from the store when it was fetched before. The build
        lists the matched papers at once and hands each one over as it lands, so a chat can
        post the thread while the rest are still being analysed.
        """
        stats, started = RunStats(), time.monotonic()
        papers = [] if requested is None else await self._stored_announcements(requested, options)
        if papers:
            day = FeedDay(options.categories, requested, papers)
        else:
            day = await self._fetch(requested, options.categories)
            stale = await self._stale_report(day, options)
            if stale is not None:

                async def unpublished(report: DailyReport) -> DigestOutcome:
                    stats.wall_seconds = time.monotonic() - started
                    return DigestOutcome(report, stats, None)

                return DayBuild.of(stale, unpublished)
            day = await self._record(day, stats)
        stats.announced = len(day.papers)

        async def publish(report: DailyReport) -> DigestOutcome:
            path = await publish_report(self._db, report, options)
            stats.tokens_saved = report.tokens_saved
            stats.wall_seconds = time.monotonic() - started
            _log_run(options.scope, report, stats)
            return DigestOutcome(report, stats, path)

        return await self._match(day, options, stats, publish, on_progress or _no_progress)

    async def _fetch(self, requested: date | None, categories: list[str]) -> FeedDay:
        day = await self._feeds.fetch(categories)
        if requested is not None and day.announced_on != requested:
            raise DayNotFetched(requested, day.announced_on)
        return day

    async def _stale_report(self, day: FeedDay, options: DigestOptions) -> DailyReport | None:
        """The report of a feed older than a day already reported, else None."""
        if day.announced_on is None:
            return None
        async with self._db.session() as session:
            latest = await FeedSnapshotRepository(session).latest_date(
                categories_key(day.categories)
            )
        if latest is None or day.announced_on >= latest:
            return None
        return DailyReport(
            report_date=day.announced_on,
            categories=day.categories,
            keywords=options.keywords,
            status=ReportStatus.STALE,
            language=options.language,
            model=self._papers.model,
            note=text("note.stale", options.language, day=day.announced_on, latest=latest),
        )

    async def _record(self, day: FeedDay, stats: RunStats) -> FeedDay:
        """Store the feed as fetched, filling what the feed left out from the API first; the
        filled day is kept for the reports that share its feed."""
        gaps = incomplete(day.papers)
        if gaps:
            try:
                found = await self._api.get_papers([p.arxiv_id for p in gaps])
            except DigestError as exc:
                log.warning("could not fill %d incomplete feed items: %s", len(gaps), exc)
                # The feed is shared by reports in every language: its summary is the operator's.
                stats.failures.append(text("failure.incomplete_feed", error=exc))
                found = []
            day = dataclasses.replace(day, papers=filled(day.papers, found))
            self._feeds.keep(day)
        if day.announced_on is None:
            return day
        async with self._db.session() as session:
            await PaperRepository(session).record_announcements(day.announced_on, day.papers)
            await FeedSnapshotRepository(session).record(
                categories_key(day.categories), day.announced_on, len(day.papers)
            )
            await session.commit()
        return day

    async def _stored_announcements(self, day: date, options: DigestOptions) -> list[Paper]:
        wanted = set(options.categories)
        async with self._db.session() as session:
            papers = await PaperRepository(session).announced_on(day)
        return [p for p in papers if wanted.intersection(p.categories)]

    async def _match(
        self,
        day: FeedDay,
        options: DigestOptions,
        stats: RunStats,
        publish: Publish,
        progress: Progress,
    ) -> DayBuild:
        report_date = day.announced_on or date.today()
        matcher = PaperSelector(options.keyword_owners or [options.keywords])
        report = DailyReport(
            report_date=report_date,
            categories=day.categories,
            keywords=[matcher.display(k) for k in matcher.keys],
            status=ReportStatus.EMPTY,
            announced_count=len(day.papers),
            model=self._papers.model,
            language=options.language,
        )
        ordered = DayOrder()
        if not day.is_empty and matcher.keys:
            candidates, report.updated = await self._split_replacements(
                day.papers, report_date, options
            )
            keys = [matcher.select(paper) for paper in candidates]
            ordered = await order_day(self._db, self._relevance, options, candidates, keys)
            stats.matched = len(ordered.full) + len(ordered.capped)
        if not ordered.full and not ordered.suggested:
            report.note = empty_note(
                day.categories, len(day.papers), report.keywords, options.scope, options.language
            )
            return DayBuild.of(report, publish)
        report.entries = [
            PaperEntry(paper, [matcher.display(k) for k in keys]) for paper, keys in ordered.full
        ] + [
            PaperEntry(paper, [], kind=Mention.SUGGESTED, reason=reason)
            for paper, reason in ordered.suggested
        ]
        report.capped = [
            PaperEntry(paper, [matcher.display(k) for k in keys]) for paper, keys in ordered.capped
        ]
        stats.capped, stats.suggested = len(report.capped), len(ordered.suggested)
        work = self._paper_jobs(report.entries, options, stats, progress)
        aside = []
        if self._relevance is not None and not ordered.embedded:
            store = self._relevance.store  # the vectors are for later votes and rankings
            aside.append(lambda: store.ensure(candidates))
        return DayBuild(
            report,
            work,
            aside=aside,
            publish=publish,
            llm=self._papers.model is not None,
            tokens_per_paper=lambda: stats.tokens_per_paper(options.input_token_budget),
        )

    def _paper_jobs(
        self,
        entries: list[PaperEntry],
        options: DigestOptions,
        stats: RunStats,
        progress: Progress,
    ) -> list[Coroutine[Any, Any, PaperEntry]]:
        """One job per matched paper; each adds its result to the run's counts as it lands."""
        done = 0

        async def job(entry: PaperEntry) -> PaperEntry:
            nonlocal done
            result = await self._papers.entry_for(entry.paper, entry.matched_keywords, options)
            stats.count(result)
            done += 1
            progress(entry.paper.arxiv_id, done, len(entries))
            return result.entry

        progress("", 0, len(entries))
        return [job(entry) for entry in entries]

    async def _split_replacements(
        self, papers: list[Paper], report_date: date, options: DigestOptions
    ) -> tuple[list[Paper], list[Paper]]:
        """New and cross-listed papers are candidates; a replacement is one only if unseen."""
        replacements = [p for p in papers if p.announce_type and p.announce_type.is_replacement]
        fresh = [p for p in papers if not (p.announce_type and p.announce_type.is_replacement)]
        if not options.include_replacements:
            return fresh, []
        async with self._db.session() as session:
            seen = await ReportRepository(session).reported_before(
                [p.arxiv_id for p in replacements], report_date, options.scope
            )
        updated = [p for p in replacements if p.arxiv_id in seen]
        return fresh + [p for p in replacements if p.arxiv_id not in seen], updated


def filled(papers: list[Paper], found: list[Paper]) -> list[Paper]:
    """The papers with what the feed left out taken from the API's look-up (`found`); each
    paper that gains anything is a new object, the fetched ones are left as they are."""
    by_id = {p.arxiv_id: p for p in found}
    return [_fill(paper, by_id.get(paper.arxiv_id)) for paper in papers]


def _fill(paper: Paper, fill: Paper | None) -> Paper:
    if fill is None or not incomplete([paper]):
        return paper
    return dataclasses.replace(
        paper,
        title=paper.title or fill.title,
        authors=paper.authors or fill.authors,
        abstract=paper.abstract or fill.abstract,
        categories=paper.categories or fill.categories,
        comments=paper.comments or fill.comments,
        doi=paper.doi or fill.doi,
        journal_ref=paper.journal_ref or fill.journal_ref,
    )


def _log_run(scope: str, report: DailyReport, stats: RunStats) -> None:
    log.info(
        "digest run: scope=%s date=%s announced=%d matched=%d analysed=%d cached=%d "
        "failed=%d capped=%d suggested=%d prompt_tokens=%d completion_tokens=%d "
        "tokens_saved=%d",
        scope,
        report.report_date,
        stats.announced,
        stats.matched,
        stats.analysed,
        stats.cached,
        stats.failed,
        stats.capped,
        stats.suggested,
        stats.prompt_tokens,
        stats.completion_tokens,
        stats.tokens_saved,
    )


def _no_progress(_label: str, _done: int, _total: int) -> None:
    return None
