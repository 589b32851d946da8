"""Per-camera server-side motion detection settings (JSON; empty: off).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23

Numbered 0011 because main already has 0010 (camera ONVIF columns): when the two are chained only down_revision
changes (to "0010").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add cameras.motion, empty (motion off) for existing cameras."""
    with op.batch_alter_table("cameras") as batch:
        batch.add_column(sa.Column("motion", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    """Drop cameras.motion."""
    with op.batch_alter_table("cameras") as batch:
        batch.drop_column("motion")
