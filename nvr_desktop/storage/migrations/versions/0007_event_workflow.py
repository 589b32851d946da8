"""Acknowledge/resolve workflow on events: who, when, and their note.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = ("acked_by", "acked_at", "ack_note", "resolved_by", "resolved_at", "resolve_note")


def upgrade() -> None:
    """Add the workflow columns."""
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("acked_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("acked_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("ack_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("resolved_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("resolved_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("resolve_note", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop the workflow columns."""
    with op.batch_alter_table("events") as batch:
        for name in _COLUMNS:
            batch.drop_column(name)
