"""Edge device health: the last heartbeat's figures on the device row.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_COLUMNS = (
    "last_heartbeat_at",
    "heartbeat_interval_s",
    "agent_version",
    "uptime_s",
    "queue_length",
    "dropped_count",
    "refused_count",
    "detections_count",
    "temperature_c",
)


def upgrade() -> None:
    """Add the heartbeat columns."""
    with op.batch_alter_table("edge_devices") as batch:
        batch.add_column(sa.Column("last_heartbeat_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("heartbeat_interval_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("agent_version", sa.String(32), nullable=True))
        batch.add_column(sa.Column("uptime_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("queue_length", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("dropped_count", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("refused_count", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("detections_count", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("temperature_c", sa.Float(), nullable=True))


def downgrade() -> None:
    """Drop the heartbeat columns."""
    with op.batch_alter_table("edge_devices") as batch:
        for name in _COLUMNS:
            batch.drop_column(name)
