"""Database backups as files: a consistent copy of the live database, the checks a backup file must pass, and the
swap that puts one in place of the live database (keeping the old one aside).

Copies go through SQLite's online backup API in one step: one read transaction, so the copy is consistent even
while the app's writer commits (WAL lets it go on meanwhile). A plain file copy could catch a half-written page or
miss the commits still in the -wal file. Nothing here checks permissions or writes the audit log; the backup
service (`services/backup.py`) does.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from nvr_desktop.core.errors import ConflictError, NotFoundError, StorageError, ValidationError
from nvr_desktop.storage.database import MIGRATIONS, Database

SQLITE_MAGIC = b"SQLite format 3\x00"
#: Tables every database of this app has had since the first migration.
REQUIRED_TABLES = frozenset({"alembic_version", "meta", "users", "cameras", "audit_log"})
#: What a summary counts (a table missing at an old revision counts 0).
COUNTED_TABLES = ("cameras", "users", "segments", "events")
SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupInfo:
    """What a valid backup file holds."""

    path: Path
    size: int
    revision: str  # its Alembic revision
    head: str  # the newest revision this build knows
    counts: dict[str, int]

    @property
    def needs_migration(self) -> bool:
        """True when restoring it runs migrations (it was made by an older version)."""
        return self.revision != self.head

    def summary(self) -> str:
        """One line: size, revision and counts."""
        counts = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        older = f" (older; migrated to {self.head} on restore)" if self.needs_migration else ""
        return f"{self.size} bytes, schema revision {self.revision}{older}; {counts}"


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did."""

    backup: BackupInfo
    kept_aside: Path | None  # the previous database, renamed (None when there was none)
    revision: str  # the restored database's revision now (the head)
    counts: dict[str, int]


def known_revisions() -> tuple[frozenset[str], str]:
    """The migrations this build ships, and the newest one."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(cfg)
    heads = script.get_heads()
    if len(heads) != 1:  # a packaging error, not a user's
        raise StorageError(f"the migrations have {len(heads)} heads")
    return frozenset(rev.revision for rev in script.walk_revisions()), heads[0]


def _read_only(path: Path) -> sqlite3.Connection:
    """Open a backup file without changing it. Without a -wal beside it, immutable=1 also keeps SQLite from
    creating -wal and -shm files next to a WAL-mode file (a live database copied as it was); with one, its commits
    must be read, so SQLite may create the -shm (see _drop_new_side_files)."""
    wal = Path(f"{path}-wal").exists()
    query = "mode=ro" if wal else "mode=ro&immutable=1"
    return sqlite3.connect(f"{path.absolute().as_uri()}?{query}", uri=True, timeout=30)


def _drop_new_side_files(path: Path, before: set[Path]) -> None:
    """Remove the empty -wal/-shm files opening path created (SQLite leaves them behind a read-only connection)."""
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side not in before and side.exists() and (suffix == "-shm" or side.stat().st_size == 0):
            with contextlib.suppress(OSError):
                side.unlink()


def _side_files(path: Path) -> set[Path]:
    return {p for p in (Path(f"{path}{s}") for s in SIDE_FILES) if p.exists()}


def _count(conn: sqlite3.Connection, table: str) -> int:
    if table not in COUNTED_TABLES:  # names from our own list only, never from the file
        raise ValueError(table)
    return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])  # noqa: S608


def inspect_backup(path: Path) -> BackupInfo:
    """Check a backup file and describe it, or raise an error that says what is wrong with it.

    Checks, in order: it exists and is a file, it is an SQLite database, `PRAGMA integrity_check` passes, it has
    this app's tables and an Alembic revision this build knows (a newer one is refused: this build cannot run on
    a database a newer version changed).
    """
    path = path.expanduser().absolute()
    if not path.exists():
        raise NotFoundError(f"no backup file at {path}")
    if not path.is_file():
        raise ValidationError(f"{path} is not a file")
    try:
        with path.open("rb") as fh:
            magic = fh.read(len(SQLITE_MAGIC))
    except OSError as err:
        raise StorageError(f"cannot read {path}: {err.strerror or err}") from None
    if magic != SQLITE_MAGIC:
        raise ValidationError(f"{path} is not an SQLite database, so not a backup of this app")
    known, head = known_revisions()
    side_files = _side_files(path)
    try:
        conn = _read_only(path)
    except sqlite3.Error as err:
        raise ValidationError(f"cannot open {path} as a database: {err}") from None
    try:
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        except sqlite3.DatabaseError as err:
            raise ValidationError(f"{path} is damaged: {err}") from None
        if problems != ["ok"]:
            raise ValidationError(f"{path} is damaged (integrity check): {'; '.join(problems)}")
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = REQUIRED_TABLES - tables
        if "alembic_version" in missing:
            raise ValidationError(f"{path} is an SQLite database but not one of this app (no schema revision)")
        revisions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        if len(revisions) != 1:
            raise ValidationError(f"{path} is not a database of this app (it has {len(revisions)} schema revisions)")
        revision = str(revisions[0])
        if revision not in known:
            if revision.isdigit() and head.isdigit() and int(revision) > int(head):
                raise ValidationError(
                    f"{path} was made by a newer version of NVR Desktop (schema revision {revision}; this version "
                    f"knows up to {head}): restore it with that version or a later one"
                )
            raise ValidationError(f"{path} is not a database of this app (unknown schema revision {revision!r})")
        if missing:
            raise ValidationError(f"{path} is not a database of this app (no table {', '.join(sorted(missing))})")
        counts = {t: _count(conn, t) if t in tables else 0 for t in COUNTED_TABLES}
    except sqlite3.DatabaseError as err:
        raise ValidationError(f"{path} is damaged: {err}") from None
    finally:
        conn.close()
        _drop_new_side_files(path, side_files)
    return BackupInfo(path, path.stat().st_size, revision, head, counts)


def _fsync_dir(folder: Path) -> None:
    if sys.platform == "win32":  # no directory handles to flush there
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Copy a database with the online backup API into target (an empty file) as a single self-contained file."""
    dest = sqlite3.connect(target, timeout=30)
    try:
        source.backup(dest)  # pages=-1: all pages in one step, under one read transaction
        dest.execute("PRAGMA journal_mode=DELETE")  # no -wal beside a backup: the one file is everything
        dest.commit()
    finally:
        dest.close()
    with target.open("rb+") as fh:
        os.fsync(fh.fileno())


@contextlib.contextmanager
def _temp_beside(target: Path) -> Iterator[Path]:
    """A new empty file (mode 0600: a backup holds password hashes) in target's folder, removed unless renamed."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    temp = Path(name)
    try:
        yield temp
    finally:
        for suffix in ("", *SIDE_FILES):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{temp}{suffix}").unlink()


def create_backup(database: Path, target: Path, *, force: bool = False) -> BackupInfo:
    """Write a consistent copy of the live database to target, atomically (a temporary file then a rename).

    An existing target is refused unless force; the copy is checked like any backup before it takes the name.
    """
    target = target.expanduser().absolute()
    database = database.absolute()
    live = {Path(f"{database}{suffix}").resolve() for suffix in ("", *SIDE_FILES)}
    if target.resolve() in live:
        raise ValidationError(f"{target} is the live database or one of its files: choose another name")
    if not target.parent.is_dir():
        raise NotFoundError(f"the folder {target.parent} does not exist")
    if target.is_dir():
        raise ValidationError(f"{target} is a folder: give a file name")
    if target.exists() and not force:
        raise ConflictError(f"{target} already exists: choose another name, or add --force to replace it")
    try:
        with _temp_beside(target) as temp:
            source = sqlite3.connect(database, timeout=30)
            try:
                _copy_database(source, temp)
            finally:
                source.close()
            info = inspect_backup(temp)
            _put_in_place(temp, target, replace=force)
            _fsync_dir(target.parent)
    except sqlite3.Error as err:
        raise StorageError(f"cannot back up the database {database}: {err}") from None
    except OSError as err:
        raise StorageError(f"cannot write {target}: {err.strerror or err}") from None
    return BackupInfo(target, target.stat().st_size, info.revision, info.head, info.counts)


def _put_in_place(temp: Path, target: Path, *, replace: bool) -> None:
    if replace:
        os.replace(temp, target)
        return
    try:
        os.link(temp, target)  # atomic, and never replaces a file that appeared meanwhile
    except FileExistsError:
        raise ConflictError(f"{target} already exists: choose another name, or add --force to replace it") from None
    except OSError:  # a file system without hard links: check, then rename
        if target.exists():
            raise ConflictError(f"{target} already exists: choose another name, or add --force to replace it") from None
        os.replace(temp, target)


def _aside_name(database: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    aside = database.with_name(f"{database.name}.before-restore-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = database.with_name(f"{database.name}.before-restore-{stamp}-{n}")
    return aside


def _same_owner_and_mode(path: Path, like: Path) -> None:
    """Give path the owner and mode of like: a restore run as root must leave the service user's database
    readable by the service user."""
    st = like.stat()
    os.chmod(path, stat.S_IMODE(st.st_mode))
    if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.chown(path, st.st_uid, st.st_gid)


def restore_database(database: Path, backup: Path, now: datetime) -> RestoreResult:
    """Put a checked copy of backup, migrated to the newest revision, in place of the database file.

    The caller makes sure nothing has the database open (the instance lock). The previous database (with its -wal,
    which may hold its last commits) is renamed to `<name>.before-restore-<UTC time>`; a failure before the swap
    leaves everything as it was.
    """
    info = inspect_backup(backup)
    database = database.absolute()
    if info.path == database:
        raise ValidationError(f"{backup} is the live database itself")
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _temp_beside(database) as temp:
            side_files = _side_files(info.path)
            source = _read_only(info.path)
            try:
                _copy_database(source, temp)
            finally:
                source.close()
                _drop_new_side_files(info.path, side_files)
            staged = Database(temp)  # the same migrations (and WAL) the app runs on every open
            try:
                staged.migrate()
            finally:
                staged.close()
            restored = inspect_backup(temp)
            aside = _aside_name(database, now) if database.exists() else None
            if aside is not None:
                _same_owner_and_mode(temp, database)
                os.rename(database, aside)
                wal = Path(f"{database}-wal")
                if wal.exists():
                    os.rename(wal, f"{aside}-wal")
                with contextlib.suppress(FileNotFoundError):
                    Path(f"{database}-shm").unlink()  # shared-memory index of that WAL; SQLite rebuilds it
            try:
                os.replace(temp, database)
            except OSError:
                if aside is not None:
                    os.rename(aside, database)
                    if Path(f"{aside}-wal").exists():
                        os.rename(f"{aside}-wal", f"{database}-wal")
                raise
            _fsync_dir(database.parent)
    except sqlite3.Error as err:
        raise StorageError(f"cannot restore {backup}: {err}") from None
    except PermissionError as err:
        # Windows refuses to rename a file another process has open: the app is running.
        raise ConflictError(f"cannot replace {database}: it is in use ({err.strerror or err})") from None
    except OSError as err:
        raise StorageError(f"cannot restore {backup}: {err.strerror or err}") from None
    return RestoreResult(info, aside, restored.revision, restored.counts)
