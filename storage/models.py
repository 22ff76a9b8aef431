"""The database schema as typed declarative models.

Repositories read and write these tables with Core statements and hand back the plain records
of `storage.records`, so no ORM object (and no lazy load) ever leaves the storage package.
Status columns hold the values of the `domain.statuses` enum each comment names.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Stored in place of NULL in subscriptions.chat_id / subscriptions.user_id, because both SQLite
# and PostgreSQL treat NULLs as distinct in unique constraints: with NULL, the same keyword could
# be subscribed twice for "no user". `chat_id = ""` is a user's global keyword, `user_id = ""`
# the chat's own keyword. Repositories translate None <-> "" so callers never see it.
NO_ID = ""


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL keeps `timestamptz`; SQLite has no time zones, so values are normalised to UTC
    before they are written and marked as UTC when read back.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PaperRow(Base):
    """The latest known metadata of a paper, whatever version announced it."""

    __tablename__ = "papers"

    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON)
    abstract: Mapped[str] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(JSON)  # primary first
    comments: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    first_announced_on: Mapped[date | None] = mapped_column(index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FeedSnapshotRow(Base):
    """One fetch of a feed: lets the daily run tell a new announcement day from a repeat."""

    __tablename__ = "feed_snapshots"
    __table_args__ = (UniqueConstraint("categories_key", "announced_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    categories_key: Mapped[str] = mapped_column(String(500))  # "cs.AI+cs.LG", sorted
    announced_on: Mapped[date]
    item_count: Mapped[int]
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AnnouncementRow(Base):
    __tablename__ = "announcements"
    __table_args__ = (UniqueConstraint("announced_on", "arxiv_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announced_on: Mapped[date] = mapped_column(index=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), ForeignKey("papers.arxiv_id"))
    version: Mapped[int]
    announce_type: Mapped[str] = mapped_column(String(20))  # AnnounceType value


class ExtractionRow(Base):
    __tablename__ = "extractions"

    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20))  # ExtractionStatus
    reason: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int | None]
    content: Mapped[Any | None] = mapped_column(JSON)  # sections as the PDF step serialises them
    code_links: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # The text in passages with section and page (`domain.models.Passage`); NULL for
    # extractions stored before passages were kept: filled from the PDF on the first question.
    passages: Mapped[Any | None] = mapped_column(JSON)


class AnalysisRow(Base):
    __tablename__ = "analyses"
    __table_args__ = (
        UniqueConstraint("arxiv_id", "version", "model", "language", "prompt_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    model: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(50))
    prompt_version: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))  # AnalysisStatus
    source: Mapped[str] = mapped_column(String(20))  # AnalysisSource, never NONE
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # PaperAnalysis.model_dump()
    error: Mapped[str | None] = mapped_column(Text)
    prompt_tokens: Mapped[int]
    completion_tokens: Mapped[int]
    attempts: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReportRow(Base):
    __tablename__ = "reports"
    __table_args__ = (UniqueConstraint("report_date", "scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_date: Mapped[date]
    scope: Mapped[str] = mapped_column(String(200), default="default")
    categories: Mapped[list[str]] = mapped_column(JSON)
    keywords: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # ReportStatus, settled ones only
    markdown: Mapped[str] = mapped_column(Text)
    paper_count: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReportPaperRow(Base):
    __tablename__ = "report_papers"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    position: Mapped[int]
    matched_keywords: Mapped[list[str]] = mapped_column(JSON)
    mention: Mapped[str] = mapped_column(String(20))  # Mention
    reason: Mapped[str | None] = mapped_column(Text)  # a suggested paper's reason


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "user_id", "keyword_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))  # "slack" | "telegram" | "cli"
    chat_id: Mapped[str] = mapped_column(String(100))  # NO_ID: a user's global keyword
    user_id: Mapped[str] = mapped_column(String(100))  # NO_ID: the chat's own keyword
    keyword: Mapped[str] = mapped_column(String(100))  # as the user typed it
    keyword_key: Mapped[str] = mapped_column(String(100))  # normalised, for matching and dedup
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ThreadRow(Base):
    """A day's report thread in one chat: opened once, filled paper by paper."""

    __tablename__ = "threads"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "report_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    report_date: Mapped[date]
    scope: Mapped[str] = mapped_column(String(200))
    parent_message_id: Mapped[str | None] = mapped_column(String(100))
    topic_id: Mapped[str | None] = mapped_column(String(100))  # Telegram forum topic
    status: Mapped[str] = mapped_column(String(20))  # ThreadStatus
    # The ReportStatus the parent message shows (ANALYSING while papers still follow);
    # NULL: unknown (found after a crash, or posted before this was recorded).
    parent_status: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("thread_id", "arxiv_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    arxiv_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int]
    message_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20))  # DeliveryStatus
    # What the posted message showed: an AnalysisSource; NULL: no analysis, or unknown.
    shown_source: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ChatSettingsRow(Base):
    """A chat's own digest settings; a NULL column means "as configured" (settings, defaults)."""

    __tablename__ = "chat_settings"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool | None]  # True: `digest here`, False: `digest off`, NULL: as configured
    categories: Mapped[list[str] | None] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DmSubscriberRow(Base):
    """A user who asked for the personal digest of their own keywords by direct message."""

    __tablename__ = "dm_subscribers"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class RunRow(Base):
    """One attempt at a scheduled job: a restart tells a finished day from an interrupted one."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "daily"
    scheduled_for: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20))  # RunStatus
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    holder: Mapped[str] = mapped_column(String(200))  # hostname:pid


class UsageRow(Base):
    """How often a user did something within one window (a minute, a UTC day): abuse limits
    counted in the database hold across restarts and replicas."""

    __tablename__ = "usage"
    __table_args__ = (UniqueConstraint("platform", "user_id", "action", "window_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))  # "summarize" | "summarize_llm" | "keywords"
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    count: Mapped[int]


class LastChatRow(Base):
    """The last group chat where a user ran a command: a direct message answers in its
    language, since a DM has no settings of its own."""

    __tablename__ = "last_chats"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VoteRow(Base):
    """A person's 👍 (+1) or 👎 (-1) on a paper in one chat; tapping again replaces it."""

    __tablename__ = "votes"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PaperVectorRow(Base):
    """A paper's vector from one embedder, packed by the relevance code: computed once, then
    read by every ranking, so restarts and replicas score the same vectors."""

    __tablename__ = "paper_vectors"

    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    embedder: Mapped[str] = mapped_column(String(200), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class EmbedderStateRow(Base):
    """What an embedder was fitted with (TF-IDF's word weights): fitted once, the first
    writer wins, so every process embeds into the same space."""

    __tablename__ = "embedder_states"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AnswerMessageRow(Base):
    """The message that answered a command with a paper (a `summarize`): a reaction on it, or
    a reply to it, is about that paper, as on the paper's message in a daily thread."""

    __tablename__ = "answer_messages"

    platform: Mapped[str] = mapped_column(String(20), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class QuestionRow(Base):
    """A question asked about a paper, and what was decided: its answer (text and citations),
    the passages sent to the model, the tokens spent. `follows` is the question it continues;
    `request_key` (the platform's id of the asking, a Slack view or a Telegram message) makes
    a second delivery of the same asking a no-op; `message_id` is the posted answer's."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("platform", "request_key"),
        Index("ix_questions_cache", "arxiv_id", "version", "question_key", "language"),
        Index("ix_questions_message", "platform", "chat_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    user_id: Mapped[str] = mapped_column(String(100))
    arxiv_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int]
    question: Mapped[str] = mapped_column(Text)
    question_key: Mapped[str] = mapped_column(String(64))  # the normalised question's digest
    language: Mapped[str] = mapped_column(String(50))
    follows: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    request_key: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # QuestionStatus
    answer: Mapped[Any | None] = mapped_column(JSON)
    passages: Mapped[list[int]] = mapped_column(JSON)  # indexes into the extraction's passages
    model: Mapped[str] = mapped_column(String(200))
    prompt_tokens: Mapped[int]
    completion_tokens: Mapped[int]
    message_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WeeklyDigestRow(Base):
    """A chat's weekly digest: recorded (PENDING) before it is posted, SENT with its message's
    id once the platform took it, so a rerun or a restart posts each week once."""

    __tablename__ = "weekly_digests"
    __table_args__ = (UniqueConstraint("platform", "chat_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    week: Mapped[str] = mapped_column(String(10))  # ISO week, "2026-W49"
    status: Mapped[str] = mapped_column(String(20))  # DeliveryStatus
    message_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
