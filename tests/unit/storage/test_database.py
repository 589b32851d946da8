"""Migrations from an empty file, SQLite settings, and the single writer thread."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from nvr_desktop.core.errors import StorageError
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import Base


def test_migrations_from_empty_file_match_the_orm_schema(tmp_path: Path) -> None:
    db = Database(tmp_path / "new.sqlite3")
    try:
        db.migrate()
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "cameras", "camera_permissions", "audit_log", "meta", "alembic_version"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"migrations and schema.py disagree: {diff}"
        db.migrate()  # running again is a no-op
    finally:
        db.close()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    try:
        db.migrate()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.close()
    raw = sqlite3.connect(tmp_path / "x.sqlite3")
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    raw.close()


def test_writes_run_on_one_named_writer_thread(tmp_path: Path) -> None:
    db = Database(tmp_path / "w.sqlite3")
    try:
        db.migrate()
        names = {db.write(lambda _s: threading.current_thread().name) for _ in range(3)}
        assert len(names) == 1
        assert next(iter(names)).startswith("db-writer")
        # A write issued from inside a write runs inline instead of deadlocking.
        assert db.write(lambda _s: db.write(lambda _t: 42)) == 42
    finally:
        db.close()


def test_a_write_error_reaches_the_caller_and_rolls_back(tmp_path: Path) -> None:
    from nvr_desktop.storage.schema import MetaRow

    db = Database(tmp_path / "e.sqlite3")
    try:
        db.migrate()

        def failing(session: object) -> None:
            session.add(MetaRow(key="k", value="v"))  # type: ignore[attr-defined]
            raise ValueError("boom")

        with pytest.raises(ValueError, match="boom"):
            db.write(failing)
        assert db.read(lambda s: s.get(MetaRow, "k")) is None
    finally:
        db.close()


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    db = Database(path)
    try:
        with pytest.raises(StorageError, match="cannot open the database"):
            db.migrate()
    finally:
        db.close()


def test_a_database_from_a_newer_version_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    db = Database(path)
    try:
        db.migrate()
    finally:
        db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    db = Database(path)
    try:
        with pytest.raises(StorageError, match="made by a newer version of NVR Desktop"):
            db.migrate()
    finally:
        db.close()
