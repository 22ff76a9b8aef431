"""The day's run, end to end: feed → match → read → analyse → report, each step stored once."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.admission import arrival_ticket
from pipeline.analyse import PROMPT_VERSION, Analyzer
from pipeline.arxiv_api import ArxivApi
from pipeline.budget import BUDGET_NOTE, LlmNotAllowed, TokenBudget
from pipeline.codelinks import find_code_links, merge_links
from pipeline.daybuild import DayBuild, Publish
from pipeline.errors import DigestError, PdfUnavailable, PdfUnreadable
from pipeline.feed import FeedClient, categories_key, incomplete
from pipeline.fitting import fit_to_budget
from pipeline.ids import ArxivId, parse_arxiv_id
from pipeline.lookups import SharedLookups
from pipeline.markdown import render_report
from pipeline.matching import KeywordMatcher
from pipeline.models import FeedDay, Paper
from pipeline.pdf import FullText, PdfReader
from pipeline.rebuild import NO_LLM_NOTE, empty_note, fallback_note, rebuild_report
from pipeline.report import AnalysisSource, DailyReport, PaperEntry, ReportStatus
from storage.db import Database
from storage.repositories import (
    AnalysisRepository,
    ExtractionRepository,
    FeedSnapshotRepository,
    PaperRepository,
    ReportPaper,
    ReportRepository,
    StoredAnalysis,
)

log = logging.getLogger(__name__)

# Extraction statuses: "unavailable" (download failed: try again next run), "unreadable" (the
# file itself is unusable: never download it again), "ok".
_RETRY_LATER = "unavailable"
_UNREADABLE = "unreadable"
# A paper whose analysis failed this often keeps its abstract and note; no more tokens spent.
MAX_ANALYSIS_ATTEMPTS = 3
# Several chats sharing categories read one fetch of the feed if they run within this window.
FEED_CACHE_SECONDS = 15 * 60


@dataclass(slots=True)
class DigestOptions:
    categories: list[str]
    keywords: list[str]
    language: str = "en"
    include_replacements: bool = True
    input_token_budget: int = 12000
    reports_dir: Path = Path("reports")
    scope: str = "default"
    write_markdown: bool = True  # False: the report is kept in the database only (chat scopes)


@dataclass(slots=True)
class RunStats:
    """What one run did, for the log line and the command line's closing summary."""

    announced: int = 0
    matched: int = 0
    analysed: int = 0
    cached: int = 0
    failed: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    llm_requests: int = 0  # papers sent to the LLM (each may take several attempts)
    over_budget: int = 0  # papers left unanalysed because the daily token cap was reached
    wall_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)


@dataclass(slots=True)
class DigestOutcome:
    report: DailyReport
    stats: RunStats
    path: Path | None  # where the Markdown went; None for a stale feed or a database-only scope


class Digest:
    """Holds the day's dependencies; every outbound client is injected by the composition root.

    One `analyzer` writes every language: each run's options say which (a chat may have its own).
    """

    def __init__(
        self,
        *,
        db: Database,
        feed: FeedClient,
        api: ArxivApi,
        reader: PdfReader,
        analyzer: Analyzer | None,
        options: DigestOptions,
        model: str | None = None,
        on_progress: Callable[[str, int, int], None] | None = None,
        budget: TokenBudget | None = None,
    ) -> None:
        self.db = db
        self.budget = budget
        self.feed = feed
        self.api = api
        self._lookups = SharedLookups(api)
        self.reader = reader
        self.analyzer = analyzer
        self.options = options
        self.model = model if analyzer is not None else None
        self._on_progress = on_progress or (lambda _label, _done, _total: None)
        self._feeds: dict[str, tuple[float, FeedDay]] = {}
        self._feed_holds = 0
        # One paper is read and analysed by one caller at a time: two chats (or a chat and a
        # `summarize`) asking at once get the second answer from the store, not a second call.
        self._paper_locks: dict[tuple[str, int, str], asyncio.Lock] = {}

    # ---- the daily run -------------------------------------------------------------------

    async def run(
        self, requested: date | None = None, options: DigestOptions | None = None
    ) -> DigestOutcome:
        """Build (or rebuild) a day's report; a rerun reuses every stored step.

        `options` (default: the constructor's) say whose report it is: its scope, categories,
        keywords and language.
        """
        async with await self.start(requested, options) as build:
            return await build.finish()

    async def start(
        self, requested: date | None = None, options: DigestOptions | None = None
    ) -> DayBuild:
        """Fetch and match the day, and start reading and analysing its papers.

        The returned build lists the matched papers at once and hands each one over as it
        lands, so a chat can post the thread while the rest are still being analysed. Progress
        is reported for the default report only (chats' reports reuse its analyses).
        """
        progress = self._on_progress if options is None else _no_progress
        options = options or self.options
        stats = RunStats()
        started = time.monotonic()
        papers = [] if requested is None else await self._stored_announcements(requested, options)
        if papers:
            day = FeedDay(options.categories, requested, papers)
        else:
            day = await self._fetch(options.categories)
            if requested is not None and day.announced_on != requested:
                raise DigestError(
                    f"arXiv's feed now carries {_describe(day.announced_on)}, and {requested} "
                    "was never fetched here, so there is nothing to build its report from"
                )
            stale = await self._stale_against(day, options)
            if stale is not None:

                async def unpublished(report: DailyReport) -> DigestOutcome:
                    stats.wall_seconds = time.monotonic() - started
                    return DigestOutcome(report, stats, None)

                return DayBuild.of(stale, unpublished)
            await self._record(day, stats)

        stats.announced = len(day.papers)

        async def publish(report: DailyReport) -> DigestOutcome:
            path = await self._publish(report, options)
            stats.wall_seconds = time.monotonic() - started
            log.info(
                "digest run: scope=%s date=%s announced=%d matched=%d analysed=%d cached=%d "
                "failed=%d prompt_tokens=%d completion_tokens=%d",
                options.scope,
                report.report_date,
                stats.announced,
                stats.matched,
                stats.analysed,
                stats.cached,
                stats.failed,
                stats.prompt_tokens,
                stats.completion_tokens,
            )
            return DigestOutcome(report, stats, path)

        return await self._build(day, stats, options, publish, progress)

    async def stored_report(
        self, day: date | None, scope: str, *, language: str | None = None
    ) -> DailyReport | None:
        """A stored day's report (the latest when `day` is None) as it was built, from the
        database alone: nothing is fetched, written or analysed. None if there is no such day."""
        language = language or self.options.language
        return await rebuild_report(
            self.db,
            day,
            scope,
            model=self.analyzer.model if self.analyzer else None,
            language=language,
            prompt_version=PROMPT_VERSION,
        )

    def forget_feeds(self) -> None:
        """Drop the feeds kept for chats sharing categories: the next run fetches afresh.

        Inside `sharing_feeds` this waits for the last holder, so one platform finishing does
        not make another, still delivering the same day, fetch the feed again.
        """
        if self._feed_holds == 0:
            self._feeds.clear()

    @contextlib.contextmanager
    def sharing_feeds(self) -> Iterator[None]:
        """Keep the fetched feeds while several deliveries of one day run side by side."""
        self._feed_holds += 1
        try:
            yield
        finally:
            self._feed_holds -= 1
            self.forget_feeds()

    async def _fetch(self, categories: list[str]) -> FeedDay:
        key = categories_key(categories)
        now = time.monotonic()
        cached = self._feeds.get(key)
        if cached is not None and now - cached[0] < FEED_CACHE_SECONDS:
            return dataclasses.replace(cached[1], categories=list(categories))
        day = await self.feed.fetch_day(categories)
        self._feeds[key] = (now, day)
        return day

    async def _stale_against(self, day: FeedDay, options: DigestOptions) -> DailyReport | None:
        if day.announced_on is None:
            return None
        async with self.db.session() as session:
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
            model=self.model,
            note=(
                f"arXiv's feed still serves {day.announced_on}, older than {latest} which is "
                "already reported: nothing new yet."
            ),
        )

    async def _record(self, day: FeedDay, stats: RunStats) -> None:
        """Store the feed as fetched, filling what the feed left out from the API first."""
        gaps = incomplete(day.papers)
        if gaps:
            try:
                found = {
                    p.arxiv_id: p for p in await self.api.get_papers([p.arxiv_id for p in gaps])
                }
            except DigestError as exc:
                log.warning("could not fill %d incomplete feed items: %s", len(gaps), exc)
                stats.failures.append(f"incomplete feed items left as they are: {exc}")
                found = {}
            for paper in gaps:
                if (fill := found.get(paper.arxiv_id)) is not None:
                    paper.title = paper.title or fill.title
                    paper.authors = paper.authors or fill.authors
                    paper.abstract = paper.abstract or fill.abstract
                    paper.categories = paper.categories or fill.categories
                    paper.comments = paper.comments or fill.comments
                    paper.doi = paper.doi or fill.doi
                    paper.journal_ref = paper.journal_ref or fill.journal_ref
        if day.announced_on is None:
            return
        async with self.db.session() as session:
            await PaperRepository(session).record_announcements(day.announced_on, day.papers)
            await FeedSnapshotRepository(session).record(
                categories_key(day.categories), day.announced_on, len(day.papers)
            )
            await session.commit()

    async def _stored_announcements(self, day: date, options: DigestOptions) -> list[Paper]:
        wanted = set(options.categories)
        async with self.db.session() as session:
            papers = await PaperRepository(session).announced_on(day)
        return [p for p in papers if wanted.intersection(p.categories)]

    async def _build(
        self,
        day: FeedDay,
        stats: RunStats,
        options: DigestOptions,
        publish: Publish,
        progress: Callable[[str, int, int], None],
    ) -> DayBuild:
        report_date = day.announced_on or date.today()
        matcher = KeywordMatcher(options.keywords)
        language = options.language
        report = DailyReport(
            report_date=report_date,
            categories=day.categories,
            keywords=[matcher.display(k) for k in matcher.keys],
            status=ReportStatus.EMPTY,
            announced_count=len(day.papers),
            model=self.model,
            language=language,
        )
        if day.is_empty or not matcher.keys:
            report.note = empty_note(
                day.categories, len(day.papers), report.keywords, options.scope
            )
            return DayBuild.of(report, publish)

        candidates, report.updated = await self._split_replacements(
            day.papers, report_date, options
        )
        matched = [
            (paper, keys)
            for paper in candidates
            if (keys := matcher.match_paper(paper.title, paper.abstract))
        ]
        stats.matched = len(matched)
        if not matched:
            report.note = empty_note(
                day.categories, len(day.papers), report.keywords, options.scope
            )
            return DayBuild.of(report, publish)

        done = 0

        async def process(entry: PaperEntry) -> PaperEntry:
            nonlocal done
            landed = await self.describe(entry.paper, entry.matched_keywords, stats, options)
            done += 1
            progress(entry.paper.arxiv_id, done, len(matched))
            return landed

        progress("", 0, len(matched))
        report.entries = [
            PaperEntry(paper, [matcher.display(k) for k in keys]) for paper, keys in matched
        ]
        work = [process(entry) for entry in report.entries]
        return DayBuild(report, work, publish=publish, llm=self.analyzer is not None)

    async def _split_replacements(
        self, papers: list[Paper], report_date: date, options: DigestOptions
    ) -> tuple[list[Paper], list[Paper]]:
        """New and cross-listed papers are candidates; a replacement is one only if unseen."""
        replacements = [p for p in papers if p.announce_type and p.announce_type.is_replacement]
        fresh = [p for p in papers if not (p.announce_type and p.announce_type.is_replacement)]
        if not options.include_replacements:
            return fresh, []
        async with self.db.session() as session:
            seen = await ReportRepository(session).reported_before(
                [p.arxiv_id for p in replacements], report_date, options.scope
            )
        updated = [p for p in replacements if p.arxiv_id in seen]
        return fresh + [p for p in replacements if p.arxiv_id not in seen], updated

    async def _publish(self, report: DailyReport, options: DigestOptions) -> Path | None:
        markdown = render_report(report)
        path = None
        if options.write_markdown:
            path = options.reports_dir / f"{report.report_date.isoformat()}.md"
            await asyncio.to_thread(_write_text, path, markdown)
        rows = [
            ReportPaper(e.paper.arxiv_id, e.paper.version, i, e.matched_keywords, "full")
            for i, e in enumerate(report.entries)
        ]
        rows += [
            ReportPaper(p.arxiv_id, p.version, len(rows) + i, [], "updated")
            for i, p in enumerate(report.updated)
        ]
        async with self.db.session() as session:
            await ReportRepository(session).save(
                report.report_date,
                options.scope,
                categories=report.categories,
                keywords=report.keywords,
                status=report.status.value,
                markdown=markdown,
                papers=rows,
            )
            await session.commit()
        return path

    # ---- one paper ---------------------------------------------------------------------------

    async def summarize(
        self,
        text: str,
        options: DigestOptions | None = None,
        *,
        stats: RunStats | None = None,
        llm_allowed: bool = True,
    ) -> PaperEntry:
        """The full analysis of any paper, from the store when we have it, else from arXiv.

        `options` only lend their language (and token budget) to the analysis; `stats` (if
        given) says whether the LLM was asked; with `llm_allowed` False a paper without a stored
        analysis raises `LlmNotAllowed` instead.
        """
        wanted = parse_arxiv_id(text)
        with arrival_ticket():  # someone is waiting: served before the batch, in order
            return await self._summarize(wanted, options, stats, llm_allowed)

    async def _summarize(
        self,
        wanted: ArxivId,
        options: DigestOptions | None,
        stats: RunStats | None,
        llm_allowed: bool,
    ) -> PaperEntry:
        async with self.db.session() as session:
            stored = await PaperRepository(session).get(wanted.base)
        if stored is not None and wanted.version in (None, stored.version):
            paper = stored
        else:
            paper = await self._lookups.get_paper(wanted)
            async with self.db.session() as session:
                await PaperRepository(session).upsert([paper])
                await session.commit()
        return await self.describe(paper, [], stats or RunStats(), options, llm_allowed=llm_allowed)

    async def describe(
        self,
        paper: Paper,
        matched: list[str],
        stats: RunStats,
        options: DigestOptions | None = None,
        *,
        llm_allowed: bool = True,
    ) -> PaperEntry:
        """Everything we say about one paper: code links, full text, analysis, and notes.

        One caller at a time works on a paper, so none is analysed twice at once; a stored
        full-text analysis is read without waiting, so everyone asking for the day's paper at
        once is not served one by one.
        """
        options = options or self.options
        if entry := self._from_store(
            paper, matched, stats, *await self._stored_analysis(paper, options.language)
        ):
            return entry
        key = (paper.arxiv_id, paper.version, options.language)
        lock = self._paper_locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                return await self._describe(paper, matched, stats, options, llm_allowed)
        finally:
            if not lock.locked() and self._paper_locks.get(key) is lock:
                del self._paper_locks[key]

    def _from_store(
        self,
        paper: Paper,
        matched: list[str],
        stats: RunStats,
        stored: StoredAnalysis | None,
        links: list[str] | None,
    ) -> PaperEntry | None:
        """The entry of a stored full-text analysis: all it needs is at hand, the paper's text
        is not loaded. None when the paper needs more work."""
        if stored is None or stored.analysis is None or links is None:
            return None
        if stored.source != AnalysisSource.FULL_TEXT:
            return None
        entry = PaperEntry(paper=paper, matched_keywords=matched, source=AnalysisSource.FULL_TEXT)
        entry.code_links = merge_links(find_code_links(paper.abstract, paper.comments or ""), links)
        entry.analysis = stored.analysis
        stats.cached += 1
        return entry

    async def _describe(
        self,
        paper: Paper,
        matched: list[str],
        stats: RunStats,
        options: DigestOptions,
        llm_allowed: bool,
    ) -> PaperEntry:
        analyzer, language = self.analyzer, options.language
        # Read again: whoever held the paper before may have just stored its analysis.
        stored, links = await self._stored_analysis(paper, language)
        if entry := self._from_store(paper, matched, stats, stored, links):
            return entry
        entry = PaperEntry(paper=paper, matched_keywords=matched)
        usable = stored is not None and stored.analysis is not None
        full = await self._full_text(paper, entry)
        if full is None and entry.notes:  # the run's summary names the paper and the reason
            stats.failures.append(f"PDF of {paper.versioned_id}: {entry.notes[-1]}")
        front = full.front_text if full else ""
        entry.code_links = find_code_links(paper.abstract, paper.comments or "", front)
        if analyzer is None:
            entry.notes.append(NO_LLM_NOTE)
            return entry
        # An abstract-only analysis is redone once the full text can be had (a later run).
        if usable and (stored.source == AnalysisSource.FULL_TEXT or full is None):
            entry.analysis, entry.source = stored.analysis, AnalysisSource(stored.source)
            stats.cached += 1
            return entry
        if stored is not None and not usable and stored.attempts >= MAX_ANALYSIS_ATTEMPTS:
            entry.notes.append(stored.error or "The analysis failed; showing the abstract only.")
            stats.failed += 1
            return entry
        if not llm_allowed:
            raise LlmNotAllowed(f"{paper.versioned_id} has no stored analysis")
        if self.budget is not None and await self.budget.exhausted(self.db):
            entry.notes.append(BUDGET_NOTE)
            stats.over_budget += 1
            return entry
        body = fit_to_budget(full, options.input_token_budget) if full else None
        stats.llm_requests += 1
        result = await analyzer.analyse(paper, body, language)
        stats.prompt_tokens += result.prompt_tokens
        stats.completion_tokens += result.completion_tokens
        if self.budget is not None:
            self.budget.spend(result.prompt_tokens + result.completion_tokens)
        if not result.endpoint_fault:  # the endpoint failing is not the paper's fault
            async with self.db.session() as session:
                await AnalysisRepository(session).save(
                    paper.arxiv_id,
                    paper.version,
                    analyzer.model,
                    language,
                    PROMPT_VERSION,
                    status="ok" if result.analysis else "failed",
                    source=result.source,
                    analysis=result.analysis,
                    error=result.error,
                    prompt_tokens=result.prompt_tokens,
                    completion_tokens=result.completion_tokens,
                )
                await session.commit()
        if result.analysis is None:
            stats.failed += 1
            stats.failures.append(f"{paper.versioned_id}: {result.error}")
            entry.notes.append(result.error or "The analysis failed; showing the abstract only.")
            return entry
        stats.analysed += 1
        entry.analysis = result.analysis
        entry.source = AnalysisSource(result.source)
        return entry

    async def _stored_analysis(
        self, paper: Paper, language: str
    ) -> tuple[StoredAnalysis | None, list[str] | None]:
        """The stored analysis, and the code links of the stored text (None if it was not read):
        a full-text analysis needs nothing more, so a cached paper's text is never loaded."""
        if self.analyzer is None:
            return None, None
        async with self.db.session() as session:
            return await AnalysisRepository(session).get_with_code_links(
                paper.arxiv_id, paper.version, self.analyzer.model, language, PROMPT_VERSION
            )

    async def _full_text(self, paper: Paper, entry: PaperEntry) -> FullText | None:
        """The stored extraction, or a fresh download; a failure becomes a note, never an error."""
        async with self.db.session() as session:
            stored = await ExtractionRepository(session).get(paper.arxiv_id, paper.version)
        if stored is not None and stored.status == "ok" and stored.content is not None:
            return FullText.from_json(stored.content)
        if stored is not None and stored.status == _UNREADABLE:
            entry.notes.append(self._fallback_note(stored.reason or "the PDF could not be read"))
            return None
        try:
            full = await self.reader.read(paper.versioned_id)
        except (PdfUnavailable, PdfUnreadable) as exc:
            status = _RETRY_LATER if isinstance(exc, PdfUnavailable) else _UNREADABLE
            await self._save_extraction(paper, status=status, reason=str(exc), full=None)
            entry.notes.append(self._fallback_note(str(exc)))
            return None
        await self._save_extraction(paper, status="ok", reason=None, full=full)
        return full

    def _fallback_note(self, reason: str) -> str:
        return fallback_note(reason, analysed=self.analyzer is not None)

    async def _save_extraction(
        self, paper: Paper, *, status: str, reason: str | None, full: FullText | None
    ) -> None:
        async with self.db.session() as session:
            await ExtractionRepository(session).save(
                paper.arxiv_id,
                paper.version,
                status=status,
                reason=reason,
                pages=full.pages if full else None,
                content=full.to_json() if full else None,
                code_links=find_code_links(full.front_text) if full else [],
            )
            await session.commit()


def _no_progress(_label: str, _done: int, _total: int) -> None:
    return None


def _describe(day: date | None) -> str:
    return str(day) if day else "no announcements"


def _write_text(path: Path, text: str) -> None:
    """Written whole or not at all; a temporary file of its own, so two processes writing the
    same day's report at once each replace it whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as tmp:
        tmp.write(text)
    os.chmod(tmp.name, 0o644)  # as any report: the temporary file is created private
    Path(tmp.name).replace(path)
