"""Backup and restore of the database, for administrators, audited.

A backup is the SQLite database alone: users (password hashes), cameras, grants, views, the recording index,
events, alerts, edge devices and the audit log. It holds no camera password and no edge pairing token: those live
in the OS keyring of the machine that stored them (`security/vault.py`), so after a restore on another machine
each camera that had a password shows "login missing" until its password is entered again, and edge devices must
be paired again. Recordings and snapshots are files in the data folder and are not in it either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Principal
from nvr_desktop.core.paths import Paths
from nvr_desktop.core.roles import Permission
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.storage.backup import BackupInfo, RestoreResult, create_backup, inspect_backup, restore_database
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.instance_lock import InstanceLock

log = logging.getLogger("services.backup")

#: Said wherever a backup is made or restored (CLI help and output, the window).
NOT_IN_BACKUP = (
    "camera passwords and edge pairing tokens are not in the backup (they stay in this machine's OS keyring); "
    "recordings and snapshots are files, not in the database"
)


def _detail(info: BackupInfo) -> str:
    return f"revision {info.revision}, " + ", ".join(f"{n} {t}" for t, n in info.counts.items())


class BackupService:
    """Makes, checks and restores database backups behind the MANAGE_SETTINGS permission (administrators)."""

    def __init__(
        self,
        paths: Paths,
        db: Database,
        audit: AuditLog,
        access: AccessControl,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._paths = paths
        self._db = db
        self._audit = audit
        self._access = access
        self._clock = clock

    def create(self, actor: Principal, target: Path, *, force: bool = False) -> BackupInfo:
        """Write a consistent copy of the live database to target (works while the app runs); audited."""
        fresh = self._access.require(actor, Permission.MANAGE_SETTINGS, action="backup.create")
        try:
            info = create_backup(self._paths.database, target, force=force)
        except NvrError as err:
            self._audit.record(fresh.name, "backup.create", str(target), success=False, detail=str(err))
            raise
        self._audit.record(fresh.name, "backup.create", str(info.path), detail=_detail(info))
        return info

    def verify(self, actor: Principal, source: Path) -> BackupInfo:
        """Check a backup file without changing anything (raises an error naming what is wrong)."""
        self._access.require(actor, Permission.MANAGE_SETTINGS, action="backup.verify")
        return inspect_backup(source)

    def restore(self, actor: Principal, source: Path) -> RestoreResult:
        """Replace the database with a checked backup, migrated to this version; the old one is kept aside.

        Refused while any other program uses the data folder. It closes this process's database handle: the
        services object must not be used afterwards. The restore is audited in the restored database (and a
        refusal in the current one).
        """
        fresh = self._access.require(actor, Permission.MANAGE_SETTINGS, action="backup.restore")
        lock = InstanceLock(self._paths.instance_lock)
        try:
            inspect_backup(source)
            lock.acquire_exclusive()
        except NvrError as err:
            self._audit.record(fresh.name, "backup.restore", str(source), success=False, detail=str(err))
            raise
        with lock:
            self._db.close()
            return restore_with_lock_held(self._paths, source, fresh.name, self._clock())


def restore_with_lock_held(paths: Paths, source: Path, actor_name: str, now: datetime) -> RestoreResult:
    """The restore itself, once the caller holds the instance lock exclusively and has closed its database.

    Also the way back when the current database cannot be opened at all (the CLI owner's recovery path).
    """
    result = restore_database(paths.database, source, now)
    db = Database(paths.database)
    try:
        db.migrate()  # already at the head: this is the app's own open, proving the restored file works
        kept = f"; the previous database is kept as {result.kept_aside.name}" if result.kept_aside else ""
        AuditLog(db).record(
            actor_name, "backup.restore", str(result.backup.path), detail=f"from {_detail(result.backup)}{kept}"
        )
    finally:
        db.close()
    log.info("restored the database from %s", result.backup.path)
    return result
