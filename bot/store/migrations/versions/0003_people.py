"""The directory cache for "who is ours": ``directories`` (when each was fetched) and
``directory_members`` (active people with a profile title).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the directory tables."""
    op.create_table(
        "directories",
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("fetched_at", UTCDateTime, nullable=False),
        sa.Column("team_url", sa.String(255), nullable=False),
    )
    op.create_table(
        "directory_members",
        sa.Column("source", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(64), primary_key=True),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    """Drop the directory tables."""
    op.drop_table("directory_members")
    op.drop_table("directories")
