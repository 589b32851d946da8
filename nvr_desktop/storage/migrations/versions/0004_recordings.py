"""Recording index: segments, gaps, and a weekly schedule per camera.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create segments and recording_gaps; add cameras.record_schedule."""
    with op.batch_alter_table("cameras") as batch:
        batch.add_column(sa.Column("record_schedule", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(1024), nullable=False, unique=True),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=True),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("codec", sa.String(32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("protected", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_segments_camera_start", "segments", ["camera_id", "start"])
    op.create_index("ix_segments_state", "segments", ["state"])
    op.create_table(
        "recording_gaps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("end", sa.DateTime(), nullable=True),
        sa.Column("cause", sa.String(32), nullable=False),
    )
    op.create_index("ix_recording_gaps_camera_start", "recording_gaps", ["camera_id", "start"])


def downgrade() -> None:
    """Drop the recording index."""
    op.drop_table("recording_gaps")
    op.drop_table("segments")
    with op.batch_alter_table("cameras") as batch:
        batch.drop_column("record_schedule")
