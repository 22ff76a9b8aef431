"""Questions asked about papers, with their answers; passages (text with section and page) kept
with each extraction. Extractions stored before have no passages (NULL): they are read again
from the PDF the first time someone asks about the paper.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("extractions") as batch:
        batch.add_column(sa.Column("passages", sa.JSON(), nullable=True))
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        sa.Column("arxiv_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=50), nullable=False),
        sa.Column("follows", sa.Integer(), nullable=True),
        sa.Column("request_key", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["follows"], ["questions.id"], name=op.f("fk_questions_follows_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint(
            "platform", "request_key", name=op.f("uq_questions_platform_request_key")
        ),
    )
    op.create_index(
        "ix_questions_cache", "questions", ["arxiv_id", "version", "question_key", "language"]
    )
    op.create_index("ix_questions_message", "questions", ["platform", "chat_id", "message_id"])


def downgrade() -> None:
    op.drop_index("ix_questions_message", table_name="questions")
    op.drop_index("ix_questions_cache", table_name="questions")
    op.drop_table("questions")
    with op.batch_alter_table("extractions") as batch:
        batch.drop_column("passages")
