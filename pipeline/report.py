"""The neutral report model: what a day's digest says, before any renderer formats it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.models import Paper, PaperAnalysis
from domain.statuses import AnalysisSource, Mention, ReportStatus


@dataclass(slots=True)
class PaperEntry:
    """One paper of the day with why it is there and what we know of it."""

    paper: Paper
    matched_keywords: list[str]  # display forms
    code_links: list[str] = field(default_factory=list)
    analysis: PaperAnalysis | None = None
    source: AnalysisSource = AnalysisSource.NONE
    notes: list[str] = field(default_factory=list)  # shown to the reader, e.g. why no full text
    # FULL: a keyword selected it; SUGGESTED: no keyword did, the reader's taste ranks it high.
    kind: Mention = Mention.FULL
    reason: str | None = None  # why a suggested paper is suggested, in the report's language


@dataclass(slots=True)
class DailyReport:
    report_date: date
    categories: list[str]
    keywords: list[str]
    status: ReportStatus
    entries: list[PaperEntry] = field(default_factory=list)
    updated: list[Paper] = field(default_factory=list)  # new versions of papers reported earlier
    # Matched, but ranked below DIGEST_MAX_PAPERS: listed by title and link, never analysed.
    capped: list[PaperEntry] = field(default_factory=list)
    tokens_saved: int = 0  # an estimate of the LLM tokens the capped papers did not cost
    announced_count: int = 0  # papers in the day's feed
    model: str | None = None  # None: no LLM configured
    language: str = "en"
    note: str | None = None  # e.g. "arXiv announced no papers on 2026-11-26."
