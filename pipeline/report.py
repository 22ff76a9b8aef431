"""The neutral report model: what a day's digest says, before any renderer formats it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.models import Paper, PaperAnalysis


class ReportStatus(StrEnum):
    COMPLETE = "complete"  # every matching paper has an analysis (or no LLM was asked for one)
    PARTIAL = "partial"  # some papers fell back to their abstract with a visible note
    EMPTY = "empty"  # arXiv announced nothing, or nothing matched: a normal day
    STALE = "stale"  # the feed still serves a day older than one already reported
    # Matched, papers still being read and analysed: a thread's parent says so until the end.
    ANALYSING = "analysing"


class AnalysisSource(StrEnum):
    FULL_TEXT = "full_text"
    ABSTRACT = "abstract"
    NONE = "none"


@dataclass(slots=True)
class PaperEntry:
    """One paper of the day with why it is there and what we know of it."""

    paper: Paper
    matched_keywords: list[str]  # display forms
    code_links: list[str] = field(default_factory=list)
    analysis: PaperAnalysis | None = None
    source: AnalysisSource = AnalysisSource.NONE
    notes: list[str] = field(default_factory=list)  # shown to the reader, e.g. why no full text


@dataclass(slots=True)
class DailyReport:
    report_date: date
    categories: list[str]
    keywords: list[str]
    status: ReportStatus
    entries: list[PaperEntry] = field(default_factory=list)
    updated: list[Paper] = field(default_factory=list)  # new versions of papers reported earlier
    announced_count: int = 0  # papers in the day's feed
    model: str | None = None  # None: no LLM configured
    language: str = "en"
    note: str | None = None  # e.g. "arXiv announced no papers on 2026-11-26."
