"""The guided tour: where each user is in it (department, step, UI language).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tours table."""
    op.create_table(
        "tours",
        sa.Column("user_key", sa.String(64), primary_key=True),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False, index=True),
    )


def downgrade() -> None:
    """Drop the tours table."""
    op.drop_table("tours")
