"""Per-chat digest settings and the users who get their digest by direct message.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "chat_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=True),
        sa.Column("language", sa.String(length=50), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_settings")),
        sa.UniqueConstraint("platform", "chat_id", name=op.f("uq_chat_settings_platform_chat_id")),
    )
    op.create_table(
        "dm_subscribers",
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.String(length=100), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_dm_subscribers")),
    )


def downgrade() -> None:
    op.drop_table("dm_subscribers")
    op.drop_table("chat_settings")
