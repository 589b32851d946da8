"""User management: add, list, change password, remove, grant and revoke cameras; all checked and audited."""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nvr_desktop.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from nvr_desktop.core.models import Principal, User
from nvr_desktop.core.roles import Permission, Role
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.security.passwords import PasswordHasher
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import UserRow

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def check_user_name(name: str) -> str:
    """Return the name when valid, or raise ValidationError saying what a name may contain."""
    if not _NAME.match(name):
        raise ValidationError(
            f"invalid user name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


class UserService:
    """Manages user accounts."""

    def __init__(self, db: Database, audit: AuditLog, access: AccessControl, hasher: PasswordHasher) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._hasher = hasher

    def has_users(self) -> bool:
        """True once any account exists (first run creates the admin)."""
        return self._db.read(repo.count_users) > 0

    def create_first_admin(self, name: str, password: str, *, actor: str) -> User:
        """Create the first admin; refused once any user exists."""
        check_user_name(name)
        password_hash = self._hasher.hash(password)

        def create(session: Session) -> User:
            if repo.count_users(session) > 0:
                raise ConflictError("an account already exists: the first-run admin can only be created once")
            return repo.insert_user(session, name, password_hash, Role.ADMIN)

        user = self._db.write(create)
        self._audit.record(actor, "user.create_first_admin", f"user:{name}")
        return user

    def add(self, actor: Principal, name: str, role: Role, password: str) -> User:
        """Create a user."""
        fresh = self._access.require(actor, Permission.MANAGE_USERS, action="user.add")
        check_user_name(name)
        password_hash = self._hasher.hash(password)

        def create(session: Session) -> User:
            if repo.user_row_by_name(session, name) is not None:
                raise ConflictError(f"a user named '{name}' already exists")
            return repo.insert_user(session, name, password_hash, role)

        try:
            user = self._db.write(create)
        except IntegrityError:
            raise ConflictError(f"a user named '{name}' already exists") from None
        self._audit.record(fresh.name, "user.add", f"user:{name}", detail=f"role={role.value}")
        return user

    def list(self, actor: Principal) -> list[User]:
        """Every user (admins only)."""
        self._access.require(actor, Permission.MANAGE_USERS, action="user.list")
        return self._db.read(repo.list_users)

    def get(self, actor: Principal, name: str) -> User:
        """One user by name (admins, or the user themself)."""
        fresh = self._access.current(actor)
        if fresh.name.lower() != name.lower():
            self._access.require(actor, Permission.MANAGE_USERS, action="user.get")
        return self._db.read(lambda s: self._user(s, name))

    @staticmethod
    def _row(session: Session, name: str) -> UserRow:
        row = repo.user_row_by_name(session, name)
        if row is None:
            raise NotFoundError(f"no user named '{name}'")
        return row

    def _user(self, session: Session, name: str) -> User:
        return repo.user_from_row(session, self._row(session, name))

    def change_password(
        self, actor: Principal, name: str, new_password: str, *, old_password: str | None = None
    ) -> None:
        """Set a new password: admins for anyone, a user for themself with the old password."""
        fresh = self._access.current(actor)
        own = fresh.user_id is not None and fresh.name.lower() == name.lower()
        if not own:
            self._access.require(actor, Permission.MANAGE_USERS, action="user.passwd")
        password_hash = self._hasher.hash(new_password)
        if own and not fresh.can(Permission.MANAGE_USERS):
            current = self._db.read(lambda s: self._row(s, name).password_hash)
            if old_password is None or not self._hasher.verify(old_password, current):
                self._audit.record(
                    fresh.name, "user.passwd", f"user:{name}", success=False, detail="wrong old password"
                )
                raise PermissionDeniedError("the current password is wrong")

        def update(session: Session) -> None:
            row = self._row(session, name)
            row.password_hash = password_hash
            row.failed_logins = 0
            row.locked_until = None

        self._db.write(update)
        self._audit.record(fresh.name, "user.passwd", f"user:{name}")

    def set_role(self, actor: Principal, name: str, role: Role) -> User:
        """Change a user's role; the last admin cannot be demoted."""
        fresh = self._access.require(actor, Permission.MANAGE_USERS, action="user.role")

        def update(session: Session) -> User:
            row = self._row(session, name)
            if row.role == Role.ADMIN.value and role is not Role.ADMIN and repo.count_users(session, Role.ADMIN) <= 1:
                raise ConflictError("the last admin cannot be demoted")
            row.role = role.value
            session.flush()
            return repo.user_from_row(session, row)

        user = self._db.write(update)
        self._audit.record(fresh.name, "user.role", f"user:{name}", detail=f"role={role.value}")
        return user

    def remove(self, actor: Principal, name: str) -> None:
        """Delete a user; the last admin cannot be removed."""
        fresh = self._access.require(actor, Permission.MANAGE_USERS, action="user.remove")

        def delete(session: Session) -> None:
            row = self._row(session, name)
            if row.role == Role.ADMIN.value and repo.count_users(session, Role.ADMIN) <= 1:
                raise ConflictError("the last admin cannot be removed")
            session.delete(row)

        self._db.write(delete)
        self._audit.record(fresh.name, "user.remove", f"user:{name}")

    def grant(self, actor: Principal, name: str, camera_ids: set[int], *, revoke: bool = False) -> User:
        """Grant (or revoke) cameras to a user."""
        fresh = self._access.require(actor, Permission.MANAGE_USERS, action="user.grant")
        if not camera_ids:
            raise ValidationError("name at least one camera id")

        def update(session: Session) -> User:
            row = self._row(session, name)
            missing = camera_ids - repo.existing_camera_ids(session, camera_ids)
            if missing and not revoke:
                raise NotFoundError("no camera with id " + ", ".join(str(i) for i in sorted(missing)))
            repo.set_grants(session, row.id, camera_ids, add=not revoke)
            return repo.user_from_row(session, row)

        user = self._db.write(update)
        ids = ",".join(str(i) for i in sorted(camera_ids))
        self._audit.record(
            fresh.name, "user.revoke" if revoke else "user.grant", f"user:{name}", detail=f"cameras={ids}"
        )
        return user
