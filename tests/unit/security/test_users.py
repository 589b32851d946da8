"""User management through the service API: rights, validation, the last admin, password hashing."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from nvr_desktop.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from nvr_desktop.core.roles import Role
from nvr_desktop.security.passwords import PasswordHasher
from nvr_desktop.services.cameras import CameraSpec


def test_passwords_are_bcrypt_hashed_at_cost_12_by_default() -> None:
    hashed = PasswordHasher().hash("correct-horse")
    assert hashed.startswith("$2b$12$")
    assert PasswordHasher(4).verify("correct-horse", hashed)


def test_password_policy_is_explained(services: Any, admin: Any) -> None:
    with pytest.raises(ValidationError, match="at least 8 characters"):
        services.users.add(admin, "op", Role.OPERATOR, "short")
    with pytest.raises(ValidationError, match="longer than 72 bytes"):
        services.users.add(admin, "op", Role.OPERATOR, "ñ" * 40)
    with pytest.raises(ValidationError, match="invalid user name"):
        services.users.add(admin, "../etc", Role.OPERATOR, "long-enough")


def test_hash_not_password_is_stored(services: Any, admin: Any) -> None:
    services.users.add(admin, "olga", Role.OPERATOR, "olga-secret-pw")
    row = (
        sqlite3.connect(services.paths.database).execute("SELECT password_hash FROM users WHERE name='olga'").fetchone()
    )
    assert row[0].startswith("$2b$") and "olga-secret-pw" not in row[0]


def test_add_list_passwd_remove(services: Any, admin: Any) -> None:
    services.users.add(admin, "olga", Role.OPERATOR, "olga-secret-pw")
    with pytest.raises(ConflictError, match="already exists"):
        services.users.add(admin, "OLGA", Role.VIEWER, "olga-secret-pw")
    assert [u.name for u in services.users.list(admin)] == ["boss", "olga"]
    services.users.change_password(admin, "olga", "new-secret-pw")
    assert services.auth.login("olga", "new-secret-pw").role is Role.OPERATOR
    services.users.remove(admin, "olga")
    with pytest.raises(NotFoundError, match="no user named 'olga'"):
        services.users.remove(admin, "olga")
    actions = [e.action for e in services.audit.entries()]
    assert {"user.add", "user.passwd", "user.remove"} <= set(actions)


def test_last_admin_cannot_be_removed_or_demoted(services: Any, admin: Any) -> None:
    with pytest.raises(ConflictError, match="last admin"):
        services.users.remove(admin, "boss")
    with pytest.raises(ConflictError, match="last admin"):
        services.users.set_role(admin, "boss", Role.VIEWER)


def test_first_admin_can_only_be_created_once(services: Any, admin: Any) -> None:
    with pytest.raises(ConflictError, match="only be created once"):
        services.users.create_first_admin("mallory", "mallory-pw-1", actor="test")


def test_non_admins_cannot_manage_users(services: Any, admin: Any) -> None:
    services.users.add(admin, "olga", Role.OPERATOR, "olga-secret-pw")
    olga = services.auth.login("olga", "olga-secret-pw")
    with pytest.raises(PermissionDeniedError, match="not allowed to manage users"):
        services.users.add(olga, "eve", Role.ADMIN, "eve-secret-pw")
    with pytest.raises(PermissionDeniedError):
        services.users.list(olga)
    denied = [e for e in services.audit.entries() if not e.success and e.actor == "olga"]
    assert denied and denied[0].action == "user.list"


def test_a_user_changes_their_own_password_only_with_the_old_one(services: Any, admin: Any) -> None:
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    vic = services.auth.login("vic", "viewer-pass-1")
    with pytest.raises(PermissionDeniedError, match="current password is wrong"):
        services.users.change_password(vic, "vic", "viewer-pass-2", old_password="bad-guess")
    services.users.change_password(vic, "vic", "viewer-pass-2", old_password="viewer-pass-1")
    assert services.auth.login("vic", "viewer-pass-2").name == "vic"
    with pytest.raises(PermissionDeniedError):
        services.users.change_password(vic, "boss", "hijacked-pw", old_password="viewer-pass-2")


def test_grants_are_validated_and_take_effect_at_once(services: Any, admin: Any) -> None:
    cam = services.cameras.add(admin, CameraSpec(name="Gate", main_url="rtsp://127.0.0.1:8554/cam1"))
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    vic = services.auth.login("vic", "viewer-pass-1")
    assert services.cameras.list(vic) == []
    with pytest.raises(NotFoundError, match="no camera with id 999"):
        services.users.grant(admin, "vic", {999})
    services.users.grant(admin, "vic", {cam.id})
    # The same logged-in principal sees the grant without logging in again.
    assert [c.name for c in services.cameras.list(vic)] == ["Gate"]
    services.users.grant(admin, "vic", {cam.id}, revoke=True)
    assert services.cameras.list(vic) == []
