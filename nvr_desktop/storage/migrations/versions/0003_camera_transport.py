"""Per-camera RTSP transport (tcp or udp).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add cameras.transport, tcp for existing cameras."""
    with op.batch_alter_table("cameras") as batch:
        batch.add_column(sa.Column("transport", sa.String(8), nullable=False, server_default="tcp"))


def downgrade() -> None:
    """Drop cameras.transport."""
    with op.batch_alter_table("cameras") as batch:
        batch.drop_column("transport")
