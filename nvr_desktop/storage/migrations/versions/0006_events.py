"""Events: detections with their snapshots, deduplicated by the agent's detection id.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create events."""
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("detection_id", sa.String(32), nullable=False, unique=True),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.BigInteger(), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("boxes", sa.Text(), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.String(256), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
    )
    op.create_index("ix_events_captured_at", "events", ["captured_at"])
    op.create_index("ix_events_device_sequence", "events", ["device_id", "sequence"])


def downgrade() -> None:
    """Drop events."""
    op.drop_table("events")
