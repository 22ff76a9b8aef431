"""The plain, immutable records repositories return (papers come back as `domain` Papers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from domain.models import PaperAnalysis
from domain.statuses import (
    AnalysisSource,
    AnalysisStatus,
    ExtractionStatus,
    Mention,
    ReportStatus,
    RunStatus,
    ThreadStatus,
)


@dataclass(frozen=True, slots=True)
class StoredExtraction:
    arxiv_id: str
    version: int
    status: ExtractionStatus
    reason: str | None
    pages: int | None
    content: Any  # JSON as the PDF step wrote it; None when the extraction failed
    code_links: tuple[str, ...]
    created_at: datetime  # when this extraction was made (a re-save replaces it)


@dataclass(frozen=True, slots=True)
class StoredAnalysis:
    arxiv_id: str
    version: int
    model: str
    language: str
    prompt_version: str
    status: AnalysisStatus
    source: AnalysisSource
    analysis: PaperAnalysis | None
    error: str | None
    prompt_tokens: int  # summed over every attempt
    completion_tokens: int  # summed over every attempt
    attempts: int
    created_at: datetime
    updated_at: datetime

    @property
    def ok(self) -> bool:
        return self.status == AnalysisStatus.OK


@dataclass(frozen=True, slots=True)
class ReportPaper:
    """One paper's place in a report (stored reports list them by `position`)."""

    arxiv_id: str
    version: int
    position: int
    matched_keywords: Sequence[str] = ()  # a tuple when read back
    mention: Mention = Mention.FULL
    reason: str | None = None  # why a suggested paper was suggested, as the report said it


@dataclass(frozen=True, slots=True)
class StoredReport:
    id: int
    report_date: date
    scope: str
    categories: tuple[str, ...]
    keywords: tuple[str, ...]
    status: ReportStatus
    markdown: str
    paper_count: int
    created_at: datetime
    updated_at: datetime
    papers: tuple[ReportPaper, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Subscription:
    platform: str
    chat_id: str | None  # None: the user's keyword in every chat
    user_id: str | None  # None: the chat's own keyword
    keyword: str
    keyword_key: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ThreadRecord:
    id: int
    platform: str
    chat_id: str
    report_date: date
    scope: str
    parent_message_id: str | None
    topic_id: str | None
    status: ThreadStatus
    parent_status: ReportStatus | None  # what the parent message shows; None: unknown
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's overrides; None everywhere means the configured default applies."""

    platform: str
    chat_id: str
    enabled: bool | None  # None: delivered if configured (SLACK_CHANNELS, …)
    categories: tuple[str, ...] | None
    language: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One attempt at a scheduled job, as `storage.runs` recorded it."""

    id: int
    kind: str
    scheduled_for: datetime
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    summary: dict[str, Any] | None
    holder: str


@dataclass(frozen=True, slots=True)
class Vote:
    """One person's 👍 (+1) or 👎 (-1) on a paper, in one chat."""

    platform: str
    chat_id: str
    user_id: str
    arxiv_id: str
    value: int
    updated_at: datetime
