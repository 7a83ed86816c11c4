"""The first schema: questions, their passages, feedback, claims, deliveries, threads
and rate windows.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create all tables."""
    op.create_table(
        "meta",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("asked_at", UTCDateTime, nullable=False, index=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("surface", sa.String(32), nullable=False),
        sa.Column("user_key", sa.String(64), nullable=False, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("latency_ms", sa.Integer, nullable=False),
    )
    op.create_table(
        "question_passages",
        sa.Column("question_id", sa.String(32), sa.ForeignKey("questions.id"),
                  primary_key=True),
        sa.Column("rank", sa.Integer, primary_key=True),
        sa.Column("passage_id", sa.String(200), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question_id", sa.String(32), sa.ForeignKey("questions.id"),
                  nullable=False, index=True),
        sa.Column("given_at", UTCDateTime, nullable=False, index=True),
        sa.Column("user_key", sa.String(64), nullable=False, index=True),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
    )
    op.create_table(
        "claims",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
    )
    op.create_table(
        "deliveries",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("user_key", sa.String(64), nullable=False, index=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("target", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("accepted_at", UTCDateTime, nullable=False, index=True),
        sa.Column("lease_until", UTCDateTime, nullable=False),
        sa.Column("answered_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "threads",
        sa.Column("conversation", sa.String(255), primary_key=True),
        sa.Column("thread", sa.String(255), primary_key=True),
        sa.Column("remembered_at", UTCDateTime, nullable=False, index=True),
    )
    op.create_table(
        "rate_windows",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("window_start", sa.Integer, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    """Drop all tables."""
    for name in ("rate_windows", "threads", "deliveries", "claims", "feedback",
                 "question_passages", "questions", "meta"):
        op.drop_table(name)
