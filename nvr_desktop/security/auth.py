"""Login with lockout: N failed attempts lock the account for a while; every attempt is audited."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from nvr_desktop.core.errors import AccountLockedError, AuthenticationError
from nvr_desktop.core.models import Principal
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.security.passwords import PasswordHasher
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import UserRow, utcnow

WRONG_CREDENTIALS = "wrong user name or password"


@dataclass(frozen=True)
class _Outcome:
    principal: Principal | None
    locked_seconds: int = 0
    just_locked: bool = False


class AuthService:
    """Checks user name and password and returns the acting principal."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        hasher: PasswordHasher,
        *,
        max_attempts: int = 5,
        lockout: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._hasher = hasher
        self._max_attempts = max_attempts
        self._lockout = lockout
        self._clock = clock

    def login(self, name: str, password: str) -> Principal:
        """Return the principal for valid credentials; raise AuthenticationError or AccountLockedError."""
        now = self._clock()
        row = self._db.read(lambda s: repo.user_row_by_name(s, name))
        if row is None:
            self._hasher.verify(password, None)
            self._audit.record(name[:64] or "?", "login", success=False, detail="unknown user")
            raise AuthenticationError(WRONG_CREDENTIALS)
        if row.locked_until is not None and row.locked_until > now:
            left = math.ceil((row.locked_until - now).total_seconds())
            self._audit.record(row.name, "login", success=False, detail="account locked")
            raise AccountLockedError(self._locked_message(left), left)
        ok = self._hasher.verify(password, row.password_hash)
        outcome = self._db.write(lambda s: self._apply(s, row.id, ok, now))
        if outcome.principal is not None:
            self._audit.record(row.name, "login", success=True)
            return outcome.principal
        if outcome.just_locked:
            self._audit.record(
                row.name,
                "lockout",
                success=False,
                detail=f"{self._max_attempts} failed logins; locked for {self._lockout}",
            )
            raise AccountLockedError(self._locked_message(outcome.locked_seconds), outcome.locked_seconds)
        self._audit.record(row.name, "login", success=False, detail="wrong password")
        raise AuthenticationError(WRONG_CREDENTIALS)

    def _apply(self, session: Session, user_id: int, ok: bool, now: datetime) -> _Outcome:
        row = session.get(UserRow, user_id)
        if row is None:
            return _Outcome(None)
        if ok:
            row.failed_logins = 0
            row.locked_until = None
            row.last_login_at = now
            user = repo.user_from_row(session, row)
            return _Outcome(Principal(name=user.name, role=user.role, user_id=user.id, camera_ids=user.camera_ids))
        row.failed_logins += 1
        if row.failed_logins >= self._max_attempts:
            row.failed_logins = 0
            row.locked_until = now + self._lockout
            return _Outcome(None, math.ceil(self._lockout.total_seconds()), just_locked=True)
        return _Outcome(None)

    @staticmethod
    def _locked_message(seconds: int) -> str:
        minutes = max(1, math.ceil(seconds / 60))
        return f"too many failed logins: the account is locked for {minutes} more minute(s)"
