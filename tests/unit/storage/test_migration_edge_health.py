"""Migration 0008 adds the heartbeat columns to a database paired at 0007, keeps its devices, and goes back down."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from nvr_desktop.storage.database import Database, alembic_config


def _columns(db: Database) -> set[str]:
    return {column["name"] for column in sa.inspect(db.engine).get_columns("edge_devices")}


def test_0008_upgrades_a_paired_device_and_downgrades(tmp_path: Path) -> None:
    db = Database(tmp_path / "nvr.sqlite3")
    try:
        config = alembic_config(db.engine)
        command.upgrade(config, "0007")
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO edge_devices (device_id, name, created_at, last_seen_at) "
                    "VALUES ('pi-door-1', 'Door', '2026-11-23 10:00:00', '2026-11-23 11:00:00')"
                )
            )
        assert "queue_length" not in _columns(db)
        db.migrate()
        added = {"last_heartbeat_at", "heartbeat_interval_s", "queue_length", "dropped_count", "temperature_c"}
        assert added <= _columns(db)
        with db.engine.connect() as connection:
            row = connection.execute(sa.text("SELECT device_id, last_seen_at, queue_length FROM edge_devices")).one()
        assert row[0] == "pi-door-1" and row[1] is not None and row[2] is None
        command.downgrade(config, "0007")
        assert not added & _columns(db) and "last_seen_at" in _columns(db)
    finally:
        db.close()
