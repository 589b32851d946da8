"""ONVIF device service address and media profile per camera (for PTZ).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23

Numbered 0010 because other branches add 0008 (and may add more): only down_revision changes when they are chained.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add cameras.onvif_xaddr and cameras.onvif_profile (NULL: not an ONVIF camera)."""
    with op.batch_alter_table("cameras") as batch:
        batch.add_column(sa.Column("onvif_xaddr", sa.String(2048), nullable=True))
        batch.add_column(sa.Column("onvif_profile", sa.String(64), nullable=True))


def downgrade() -> None:
    """Drop the ONVIF columns."""
    with op.batch_alter_table("cameras") as batch:
        batch.drop_column("onvif_profile")
        batch.drop_column("onvif_xaddr")
