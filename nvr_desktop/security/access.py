"""Permission checks every service calls before acting; grants are read fresh from the database."""

from __future__ import annotations

from sqlalchemy.orm import Session

from nvr_desktop.core.errors import PermissionDeniedError
from nvr_desktop.core.models import Principal
from nvr_desktop.core.roles import Permission, Role, sees_all_cameras
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import UserRow

#: How a refusal names a permission whose value does not read well on its own.
_PHRASES = {Permission.MANAGE_EDGE: "manage edge devices"}


def owner_principal(os_user: str) -> Principal:
    """The owner of the data folder acting through the CLI: full rights, audited as cli:<os user>."""
    return Principal(name=f"cli:{os_user}", role=Role.ADMIN)


class AccessControl:
    """Answers 'may this principal do that (on this camera)?' and audits every refusal."""

    def __init__(self, db: Database, audit: AuditLog) -> None:
        self._db = db
        self._audit = audit

    def current(self, principal: Principal) -> Principal:
        """The principal with its role and grants as stored now (a user removed meanwhile has no rights)."""
        if principal.user_id is None:
            return principal

        def load(session: Session) -> Principal:
            row = session.get(UserRow, principal.user_id)
            if row is None:
                return Principal(name=principal.name, role=Role.VIEWER, user_id=principal.user_id)
            user = repo.user_from_row(session, row)
            return Principal(name=user.name, role=user.role, user_id=user.id, camera_ids=user.camera_ids)

        return self._db.read(load)

    def visible_camera_ids(self, principal: Principal) -> frozenset[int] | None:
        """Ids of cameras the principal may see; None means every camera."""
        fresh = self.current(principal)
        if sees_all_cameras(fresh.role):
            return None
        return fresh.camera_ids if fresh.can(Permission.LIVE_VIEW) else frozenset()

    def require(
        self, principal: Principal, permission: Permission, *, camera_id: int | None = None, action: str = ""
    ) -> Principal:
        """Return the fresh principal, or audit the refusal and raise PermissionDeniedError."""
        fresh = self.current(principal)
        allowed = fresh.can(permission) if camera_id is None else fresh.can_on_camera(permission, camera_id)
        if not allowed:
            target = f"camera:{camera_id}" if camera_id is not None else ""
            self._audit.record(
                fresh.name,
                action or f"denied:{permission.value}",
                target,
                success=False,
                detail=f"missing permission {permission.value}",
            )
            what = _PHRASES.get(permission, permission.value.replace("_", " "))
            where = f" on camera {camera_id}" if camera_id is not None else ""
            raise PermissionDeniedError(f"user '{fresh.name}' ({fresh.role.value}) is not allowed to {what}{where}")
        return fresh
