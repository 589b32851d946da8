"""The audit log: every security-relevant action, with who did it and when."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from nvr_desktop.core.models import AuditEntry
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import utcnow

log = logging.getLogger("security.audit")


class AuditLog:
    """Appends audit entries through the database writer and mirrors them to the log."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self._db = db
        self._clock = clock

    def record(self, actor: str, action: str, target: str = "", *, success: bool = True, detail: str = "") -> None:
        """Write one entry."""
        at = self._clock()
        self._db.write(lambda s: repo.insert_audit(s, at, actor, action, target, success, detail))
        log.info("%s %s %s %s %s", actor, action, target, "ok" if success else "FAILED", detail)

    def entries(self, limit: int = 200, action: str | None = None) -> list[AuditEntry]:
        """Newest entries first."""
        return self._db.read(lambda s: repo.list_audit(s, limit, action))
