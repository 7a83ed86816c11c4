"""Revision 0004 (after 0003, 2026-12-04): the ``contexts`` table for follow-ups, one row
per conversation (a Slack thread or DM, a Teams conversation, the terminal) with its
last reply, so that "und der Head davon?" is read against it on any replica."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = depends_on = None


def upgrade() -> None:
    """Create the contexts table."""
    op.create_table("contexts",
                    sa.Column("key", sa.String(255), primary_key=True),
                    sa.Column("user_key", sa.String(64), nullable=False, index=True),
                    sa.Column("data", sa.Text, nullable=False),
                    sa.Column("updated_at", UTCDateTime, nullable=False, index=True))


def downgrade() -> None:
    """Drop the contexts table."""
    op.drop_table("contexts")
