"""Database backup and restore through the real entry point, on real SQLite files: the round trip, the old
database kept aside, a restore refused while the service runs, and every bad backup file refused with nothing
changed."""

from __future__ import annotations

import json
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from .conftest import Run, headless_service, stop_headless

pytestmark = pytest.mark.e2e


def _setup(nvr: Run) -> None:
    done = nvr("users", "add", "admin", "--role", "admin", "--password-stdin", stdin="admin-pass-1\n")
    assert done.returncode == 0, done.stderr
    done = nvr(
        "cameras", "add", "--name", "Door", "--url", "rtsp://admin@127.0.0.1/cam1", "--password-stdin", stdin="s3cret\n"
    )
    assert done.returncode == 0, done.stderr


def _cameras(nvr: Run) -> list[str]:
    done = nvr("cameras", "list", "--json")
    assert done.returncode == 0, done.stderr
    return [c["name"] for c in json.loads(done.stdout)]


def _users(nvr: Run) -> list[str]:
    done = nvr("users", "list", "--json")
    assert done.returncode == 0, done.stderr
    return [u["name"] for u in json.loads(done.stdout)]


def _asides(basedir: Path) -> list[Path]:
    return sorted(basedir.glob("nvr.sqlite3.before-restore-*"))


def test_restore_round_trip_brings_back_cameras_and_users_and_keeps_the_old_database(
    nvr: Run, basedir: Path, tmp_path: Path
) -> None:
    _setup(nvr)
    assert (
        nvr("users", "add", "alice", "--role", "operator", "--password-stdin", stdin="alice-pass-1\n").returncode == 0
    )
    target = tmp_path / "backups" / "nvr-monday.sqlite3"
    target.parent.mkdir()
    done = nvr("backup", "create", str(target))
    assert done.returncode == 0, done.stderr
    assert f"saved the database to {target}" in done.stdout
    for line in ("schema revision  0011", "cameras          1", "users            2", "segments         0"):
        assert line in done.stdout
    assert "camera passwords and edge pairing tokens are not in the backup" in done.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # it holds password hashes
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left behind
    assert b"s3cret" not in target.read_bytes()

    # The day goes on: a camera removed, another added, a user removed.
    assert nvr("cameras", "remove", "1").returncode == 0
    assert nvr("cameras", "add", "--name", "Yard", "--url", "rtsp://127.0.0.1/cam2").returncode == 0
    assert nvr("users", "remove", "alice").returncode == 0

    done = nvr("backup", "restore", str(target))
    assert done.returncode == 0, done.stderr
    assert f"restored the database from {target}" in done.stdout
    (aside,) = _asides(basedir)
    assert f"the previous database is kept as {aside}" in done.stdout
    assert _cameras(nvr) == ["Door"]
    assert _users(nvr) == ["admin", "alice"]
    # The old database is whole beside it: a backup of what was there before the restore.
    assert nvr("backup", "verify", str(aside)).returncode == 0
    assert not Path(f"{aside}-wal").exists() and not Path(f"{aside}-shm").exists()  # checking wrote nothing beside it
    with sqlite3.connect(aside) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM cameras")] == ["Yard"]
    assert json.loads(nvr("cameras", "show", "1", "--json").stdout)["has_password"] is True
    audit = json.loads(nvr("audit", "list", "--json").stdout)
    restore = audit[0]
    assert restore["action"] == "backup.restore" and restore["success"] and aside.name in restore["detail"]
    # The audit log is the backup's: what happened since is in the database kept aside.
    assert not any(e["action"] == "user.remove" for e in audit)
    with sqlite3.connect(aside) as conn:
        assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'user.remove'").fetchone() == (1,)


def test_backup_runs_beside_the_service_and_restore_waits_for_it_to_stop(
    nvr: Run, basedir: Path, app_env: dict[str, str], tmp_path: Path
) -> None:
    _setup(nvr)
    with headless_service(basedir, app_env) as proc:
        target = tmp_path / "live.sqlite3"
        done = nvr("backup", "create", str(target))
        assert done.returncode == 0, done.stderr
        refused = nvr("backup", "restore", str(target))
        assert refused.returncode == 4, refused.stdout
        assert "is in use: stop NVR Desktop" in refused.stderr and "Traceback" not in refused.stderr
        assert _asides(basedir) == []
        stop_headless(proc)
    done = nvr("backup", "restore", str(target))
    assert done.returncode == 0, done.stderr
    (aside,) = _asides(basedir)
    with sqlite3.connect(aside) as conn:  # the refusal went to the database of the time, now kept aside
        refusals = conn.execute("SELECT detail FROM audit_log WHERE action = 'backup.restore' AND success = 0")
        assert ["in use" in detail for (detail,) in refusals] == [True]


def _corrupt(source: Path, target: Path) -> None:
    data = bytearray(source.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(page, len(data), page):  # every page but the first: the header stays an SQLite header
        data[offset : offset + 64] = b"\xa5" * 64
    target.write_bytes(bytes(data))


def _bad_files(good: Path, folder: Path) -> dict[str, tuple[Path, int, str]]:
    """name -> (file, exit status, what the message says)."""
    text = folder / "notes.txt"
    text.write_text("not a database\n")
    empty = folder / "empty.sqlite3"
    empty.write_bytes(b"")
    corrupt = folder / "corrupt.sqlite3"
    _corrupt(good, corrupt)
    foreign = folder / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    alembic_other = folder / "other-app.sqlite3"
    with sqlite3.connect(alembic_other) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    newer = folder / "newer.sqlite3"
    shutil.copy(good, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    return {
        "missing": (folder / "nowhere.sqlite3", 3, "no backup file at"),
        "text": (text, 2, "is not an SQLite database"),
        "empty": (empty, 2, "is not an SQLite database"),
        "corrupt": (corrupt, 2, "is damaged"),
        "foreign": (foreign, 2, "not one of this app (no schema revision)"),
        "other alembic app": (alembic_other, 2, "unknown schema revision 'ae1027a6acf'"),
        "newer": (
            newer,
            2,
            "was made by a newer version of NVR Desktop (schema revision 0099; this version knows up to",
        ),
        "folder": (folder, 2, "is not a file"),
    }


def test_bad_backup_files_are_refused_with_a_clear_message_and_nothing_changes(
    nvr: Run, basedir: Path, tmp_path: Path
) -> None:
    _setup(nvr)
    good = tmp_path / "good.sqlite3"
    assert nvr("backup", "create", str(good)).returncode == 0
    folder = tmp_path / "bad"
    folder.mkdir()
    cases = _bad_files(good, folder)
    for name, (path, code, message) in cases.items():
        before = path.read_bytes() if path.is_file() else None
        for action in ("verify", "restore"):
            done = nvr("backup", action, str(path))
            assert done.returncode == code, (name, action, done.stdout, done.stderr)
            assert message in done.stderr, (name, action, done.stderr)
            assert "Traceback" not in done.stderr
        if before is not None:
            assert path.read_bytes() == before, f"checking {name} changed it"
    assert _asides(basedir) == []
    assert _cameras(nvr) == ["Door"]
    assert sorted(p.name for p in basedir.iterdir() if p.name.startswith(".")) == []  # no temporary file left
    # An existing target is kept unless --force.
    before = good.read_bytes()
    done = nvr("backup", "create", str(good))
    assert done.returncode == 4 and "already exists" in done.stderr and "--force" in done.stderr
    assert good.read_bytes() == before
    assert nvr("backup", "create", str(good), "--force").returncode == 0
    assert nvr("backup", "create", str(tmp_path / "no-such-folder" / "b.sqlite3")).returncode == 3
    done = nvr("backup", "create", str(basedir / "nvr.sqlite3"), "--force")
    assert done.returncode == 2 and "live database" in done.stderr
    audit = json.loads(nvr("audit", "list", "--limit", "100", "--json").stdout)
    refused = [e for e in audit if e["action"] == "backup.restore" and not e["success"]]
    assert len(refused) == len(cases)


def test_only_administrators_back_up_or_restore(nvr: Run, tmp_path: Path) -> None:
    _setup(nvr)
    assert nvr("users", "add", "vic", "--role", "operator", "--password-stdin", stdin="vic-pass-12\n").returncode == 0
    target = tmp_path / "b.sqlite3"
    for args in (("create", str(target)), ("verify", str(target)), ("restore", str(target))):
        done = nvr("--as-user", "vic", "backup", *args, stdin="vic-pass-12\n")
        assert done.returncode == 6, (args, done.stderr)
        assert "not allowed to manage settings" in done.stderr
    assert not target.exists()


def test_the_owner_restores_over_a_damaged_database(nvr: Run, basedir: Path, tmp_path: Path) -> None:
    _setup(nvr)
    good = tmp_path / "good.sqlite3"
    assert nvr("backup", "create", str(good)).returncode == 0
    live = basedir / "nvr.sqlite3"
    _corrupt(good, live)
    for side in ("-wal", "-shm"):
        Path(f"{live}{side}").unlink(missing_ok=True)
    assert nvr("cameras", "list").returncode != 0
    done = nvr("backup", "restore", str(good))
    assert done.returncode == 0, done.stderr
    assert "the current database cannot be opened" in done.stderr
    assert _cameras(nvr) == ["Door"]
    (aside,) = _asides(basedir)
    assert nvr("backup", "verify", str(aside)).returncode == 2  # the damaged one, kept for whoever wants to look


def test_help_says_what_a_backup_leaves_out(nvr: Run) -> None:
    done = nvr("backup", "--help")
    assert done.returncode == 0
    assert "camera passwords and edge pairing tokens are not in the backup" in " ".join(done.stdout.split())
