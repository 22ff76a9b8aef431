"""Every status vocabulary, once: the pipeline, the chat core and the database share them.

Each is a `StrEnum` whose values are the strings stored in the database, so a member compares
equal to (and is written as) its value; repositories turn what they read back into members.
"""

from __future__ import annotations

from enum import StrEnum


class ExtractionStatus(StrEnum):
    """How reading a version's PDF ended (`extractions.status`)."""

    OK = "ok"
    UNAVAILABLE = "unavailable"  # the download failed: try again next run
    UNREADABLE = "unreadable"  # the file itself is unusable: never download it again


class AnalysisStatus(StrEnum):
    """How the last attempt at analysing a paper ended (`analyses.status`)."""

    OK = "ok"
    FAILED = "failed"


class AnalysisSource(StrEnum):
    """What an analysis was made from (`analyses.source`, `deliveries.shown_source`)."""

    FULL_TEXT = "full_text"
    ABSTRACT = "abstract"
    NONE = "none"  # no analysis: a report entry only, never stored


class ReportStatus(StrEnum):
    """What a day's report says of itself (`reports.status`, `threads.parent_status`).

    Only a settled report is stored (complete, partial, empty); a thread's parent may show
    `ANALYSING` too.
    """

    COMPLETE = "complete"  # every matching paper has an analysis (or no LLM was asked for one)
    PARTIAL = "partial"  # some papers fell back to their abstract with a visible note
    EMPTY = "empty"  # arXiv announced nothing, or nothing matched: a normal day
    STALE = "stale"  # the feed still serves a day older than one already reported
    # Matched, papers still being read and analysed: a thread's parent says so until the end.
    ANALYSING = "analysing"


class Mention(StrEnum):
    """How a report lists a paper (`report_papers.mention`)."""

    FULL = "full"  # matched: the whole entry
    UPDATED = "updated"  # a new version of a paper reported earlier: one line
    SUGGESTED = "suggested"  # no keyword matched; the reader's taste ranks it high: in full
    CAPPED = "capped"  # matched, ranked below the day's cap: one line, never analysed


class ThreadStatus(StrEnum):
    """Where a chat's thread for a day stands (`threads.status`)."""

    OPENING = "opening"  # recorded, its parent not yet posted
    OPEN = "open"  # the parent is posted: papers go under it
    COMPLETE = "complete"  # every paper posted, the parent shows the finished report


class DeliveryStatus(StrEnum):
    """Whether a paper's message in a thread went out (`deliveries.status`)."""

    PENDING = "pending"  # about to be posted (a crash may come between)
    SENT = "sent"


class RunStatus(StrEnum):
    """How an attempt at a scheduled job stands or ended (`runs.status`)."""

    RUNNING = "running"
    DONE = "done"
    STALE = "stale"  # the feed never served a new day within the retry bound
    FAILED = "failed"
    SKIPPED = "skipped"  # another process held the run: this one stood down at once


class QuestionStatus(StrEnum):
    """How answering a question ended (`questions.status`)."""

    ANSWERED = "answered"  # an answer is stored: a later same question is answered from it
    FAILED = "failed"  # the model failed (timeout, refusal, garbage): the note was shown
