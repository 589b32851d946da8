"""Roles, permissions and the table that maps one to the other."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """A user's role; each grants a fixed set of permissions."""

    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"


class Permission(enum.StrEnum):
    """An action a service checks before it acts."""

    LIVE_VIEW = "live_view"
    PLAYBACK = "playback"
    EXPORT = "export"
    ACK_EVENTS = "ack_events"
    PTZ = "ptz"
    RECORD_CONTROL = "record_control"
    MANAGE_CAMERAS = "manage_cameras"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_EDGE = "manage_edge"
    VIEW_AUDIT = "view_audit"


_VIEWER = frozenset({Permission.LIVE_VIEW})
_OPERATOR = _VIEWER | {
    Permission.PLAYBACK,
    Permission.EXPORT,
    Permission.ACK_EVENTS,
    Permission.PTZ,
    Permission.RECORD_CONTROL,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: _VIEWER,
    Role.OPERATOR: frozenset(_OPERATOR),
    Role.ADMIN: frozenset(Permission),
}

# Camera-scoped permissions: a non-admin holds them only on cameras granted to them.
CAMERA_SCOPED: frozenset[Permission] = frozenset(
    {
        Permission.LIVE_VIEW,
        Permission.PLAYBACK,
        Permission.EXPORT,
        Permission.ACK_EVENTS,
        Permission.PTZ,
        Permission.RECORD_CONTROL,
    }
)


def parse_role(text: str) -> Role:
    """Return the role named by text, or raise ValueError listing the valid roles."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {text!r}: choose one of {valid}") from None


def role_allows(role: Role, permission: Permission) -> bool:
    """True when the role carries the permission (before any per-camera scoping)."""
    return permission in ROLE_PERMISSIONS[role]


def sees_all_cameras(role: Role) -> bool:
    """Admins see every camera; everyone else only those granted to them."""
    return role is Role.ADMIN
