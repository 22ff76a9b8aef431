"""The initial schema.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("arxiv_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("abstract", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("doi", sa.Text(), nullable=True),
        sa.Column("journal_ref", sa.Text(), nullable=True),
        sa.Column("first_announced_on", sa.Date(), nullable=True),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("arxiv_id", name=op.f("pk_papers")),
    )
    op.create_index(op.f("ix_papers_first_announced_on"), "papers", ["first_announced_on"])

    op.create_table(
        "feed_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("categories_key", sa.String(length=500), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        _timestamp("fetched_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_snapshots")),
        sa.UniqueConstraint(
            "categories_key",
            "announced_on",
            name=op.f("uq_feed_snapshots_categories_key_announced_on"),
        ),
    )

    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announced_on", sa.Date(), nullable=False),
        sa.Column("arxiv_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("announce_type", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["arxiv_id"], ["papers.arxiv_id"], name=op.f("fk_announcements_arxiv_id_papers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint(
            "announced_on", "arxiv_id", name=op.f("uq_announcements_announced_on_arxiv_id")
        ),
    )
    op.create_index(op.f("ix_announcements_announced_on"), "announcements", ["announced_on"])

    op.create_table(
        "extractions",
        sa.Column("arxiv_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=True),
        sa.Column("code_links", sa.JSON(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("arxiv_id", "version", name=op.f("pk_extractions")),
    )

    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("arxiv_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=50), nullable=False),
        sa.Column("prompt_version", sa.String(length=50), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analyses")),
        sa.UniqueConstraint(
            "arxiv_id",
            "version",
            "model",
            "language",
            "prompt_version",
            name=op.f("uq_analyses_arxiv_id_version_model_language_prompt_version"),
        ),
    )

    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("paper_count", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("report_date", "scope", name=op.f("uq_reports_report_date_scope")),
    )

    op.create_table(
        "report_papers",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("arxiv_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("matched_keywords", sa.JSON(), nullable=False),
        sa.Column("mention", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_papers_report_id_reports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("report_id", "arxiv_id", name=op.f("pk_report_papers")),
    )

    # chat_id and user_id hold "" rather than NULL for "none", so the unique constraint
    # (where NULLs would be distinct) also covers a user's global and a chat's own keywords.
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("keyword", sa.String(length=100), nullable=False),
        sa.Column("keyword_key", sa.String(length=100), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "platform",
            "chat_id",
            "user_id",
            "keyword_key",
            name=op.f("uq_subscriptions_platform_chat_id_user_id_keyword_key"),
        ),
    )

    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("parent_message_id", sa.String(length=100), nullable=True),
        sa.Column("topic_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
        sa.UniqueConstraint(
            "platform",
            "chat_id",
            "report_date",
            name=op.f("uq_threads_platform_chat_id_report_date"),
        ),
    )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("arxiv_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        _timestamp("created_at"),
        _timestamp("sent_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name=op.f("fk_deliveries_thread_id_threads")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("thread_id", "arxiv_id", name=op.f("uq_deliveries_thread_id_arxiv_id")),
    )
    op.create_index(op.f("ix_deliveries_arxiv_id"), "deliveries", ["arxiv_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_deliveries_arxiv_id"), table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("threads")
    op.drop_table("subscriptions")
    op.drop_table("report_papers")
    op.drop_table("reports")
    op.drop_table("analyses")
    op.drop_table("extractions")
    op.drop_index(op.f("ix_announcements_announced_on"), table_name="announcements")
    op.drop_table("announcements")
    op.drop_table("feed_snapshots")
    op.drop_index(op.f("ix_papers_first_announced_on"), table_name="papers")
    op.drop_table("papers")
