"""Backups of a real SQLite database: consistent while another connection writes, older backups migrated on
restore, and a database restored on a machine whose keyring lacks the camera passwords shows "login missing"."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command

from nvr_desktop.app import build_services
from nvr_desktop.core.errors import ConflictError
from nvr_desktop.core.paths import Paths
from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import StreamState, StreamStats
from nvr_desktop.media.worker import StreamWorker
from nvr_desktop.security.access import owner_principal
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.services.recording_control import camera_streams
from nvr_desktop.storage.backup import create_backup, inspect_backup, restore_database
from nvr_desktop.storage.database import Database, alembic_config
from nvr_desktop.storage.instance_lock import InstanceLock

OWNER = owner_principal("tester")


def _writer(path: Path, stop: threading.Event, written: list[int]) -> None:
    """Commit pairs of audit rows (one transaction each) as fast as SQLite takes them, from its own connection."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        batch = 0
        while not stop.is_set():
            batch += 1
            with conn:
                for half in ("first", "second"):
                    conn.execute(
                        "INSERT INTO audit_log (at, actor, action, target, success, detail) "
                        "VALUES ('2026-11-23 08:00:00.000000', 'load', ?, ?, 1, '')",
                        (f"pair.{half}", str(batch)),
                    )
            written.append(batch)
    finally:
        conn.close()


def test_a_backup_taken_while_another_connection_writes_is_consistent(services: object, tmp_path: Path) -> None:
    paths: Paths = services.paths  # type: ignore[attr-defined]
    stop = threading.Event()
    written: list[int] = []
    thread = threading.Thread(target=_writer, args=(paths.database, stop, written), name="test-db-load")
    thread.start()
    seen = []
    try:
        while len(written) < 50:
            time.sleep(0.01)
        for round_ in range(5):
            target = tmp_path / f"b{round_}.sqlite3"
            info = create_backup(paths.database, target)  # checks integrity itself before naming the file
            with sqlite3.connect(target) as conn:
                rows = conn.execute("SELECT action, target FROM audit_log WHERE actor = 'load'").fetchall()
                assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
                assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
            firsts = sorted(int(t) for a, t in rows if a == "pair.first")
            seconds = sorted(int(t) for a, t in rows if a == "pair.second")
            assert firsts == seconds, "a transaction was caught half-written"
            assert firsts == list(range(1, len(firsts) + 1)), "commits are missing from the middle"
            assert info.revision == info.head
            seen.append(len(firsts))
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert seen == sorted(seen) and seen[-1] > seen[0], "the writer was not running meanwhile"
    assert not list(tmp_path.glob(".*.tmp*"))


def test_an_older_backup_is_migrated_to_the_newest_revision_on_restore(tmp_path: Path) -> None:
    old = Database(tmp_path / "old.sqlite3")
    try:
        command.upgrade(alembic_config(old.engine), "0009")
        with old.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO cameras (name, main_url, has_password, brand, enabled, record_mode, segment_seconds, "
                "created_at, updated_at) VALUES ('Old cam', 'rtsp://192.0.2.1/s', 0, 'generic', 1, 'off', 300, "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
    finally:
        old.close()
    info = inspect_backup(tmp_path / "old.sqlite3")
    assert info.revision == "0009" and info.needs_migration and info.counts["cameras"] == 1
    live = tmp_path / "data" / "nvr.sqlite3"
    result = restore_database(live, tmp_path / "old.sqlite3", datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert result.kept_aside is None  # there was no database yet
    assert result.revision == info.head != "0009"
    with sqlite3.connect(live) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (info.head,)
        assert conn.execute("SELECT name, motion FROM cameras").fetchone()[0] == "Old cam"


def test_the_instance_lock_lets_users_share_and_a_restore_be_alone(tmp_path: Path) -> None:
    path = tmp_path / "nvr.lock"
    with InstanceLock(path) as app, InstanceLock(path) as cli:
        app.acquire_shared()
        cli.acquire_shared()
        with InstanceLock(path) as restore, pytest.raises(ConflictError, match="is in use"):
            restore.acquire_exclusive()
    with InstanceLock(path) as restore:
        restore.acquire_exclusive()
        with InstanceLock(path) as app, pytest.raises(ConflictError, match="restore is running"):
            app.acquire_shared()


def test_a_database_restored_on_another_machine_shows_login_missing(
    basedir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring.core

    services = build_services(basedir)
    try:
        cam = services.cameras.add(
            OWNER, CameraSpec(name="Door", main_url="rtsp://127.0.0.1:9/cam1", username="admin", password="d00r")
        )
        services.cameras.add(OWNER, CameraSpec(name="Open", main_url="rtsp://127.0.0.1:9/cam2"))
        services.backup.create(OWNER, tmp_path / "b.sqlite3")
    finally:
        services.close()

    # Another machine: a new data folder and an empty keyring.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "other-xdg"))
    keyring.core._keyring_backend = None
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.toml").write_text((basedir / "config.toml").read_text())
    services = build_services(other)
    try:
        services.backup.restore(OWNER, tmp_path / "b.sqlite3")
    finally:
        services.close()
    services = build_services(other)
    try:
        door = services.cameras.get(OWNER, cam.id)
        assert door.has_password
        streams = camera_streams(services.cameras, OWNER, door)
        assert streams.main.login_missing and "d00r" not in streams.main.url
        open_cam = services.cameras.list(OWNER)[1]
        assert not camera_streams(services.cameras, OWNER, open_cam).main.login_missing
        # Entering the password again on this machine ends it.
        services.cameras.update(OWNER, cam.id, CameraSpec(password="d00r"))
        assert not camera_streams(services.cameras, OWNER, door).main.login_missing
    finally:
        services.close()


def test_a_worker_without_its_login_says_so_and_never_dials() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.setblocking(False)
    port = listener.getsockname()[1]
    states: list[StreamStats] = []
    worker = StreamWorker(
        1,
        SourceSpec(f"rtsp://admin@127.0.0.1:{port}/cam1", login_missing=True),
        FrameStore(),
        on_state=lambda _cid, stats: states.append(stats),
    )
    worker.start()
    try:
        deadline = time.monotonic() + 5
        while not states and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.3)
        assert [s.state for s in states] == [StreamState.LOGIN_MISSING]
        assert "not in this machine's keyring" in states[0].message
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody knocked: no login attempt without the password
    finally:
        assert worker.stop()
        listener.close()
    assert states[-1].state is StreamState.STOPPED
