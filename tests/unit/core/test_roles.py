"""The role/permission table and per-camera scoping."""

from __future__ import annotations

import pytest

from nvr_desktop.core.models import Principal
from nvr_desktop.core.roles import Permission, Role, parse_role, role_allows


def test_viewer_may_only_watch_live() -> None:
    assert role_allows(Role.VIEWER, Permission.LIVE_VIEW)
    for permission in set(Permission) - {Permission.LIVE_VIEW}:
        assert not role_allows(Role.VIEWER, permission), permission


def test_operator_adds_playback_export_and_event_handling_but_no_administration() -> None:
    for permission in (Permission.LIVE_VIEW, Permission.PLAYBACK, Permission.EXPORT, Permission.ACK_EVENTS):
        assert role_allows(Role.OPERATOR, permission)
    for permission in (
        Permission.MANAGE_USERS,
        Permission.MANAGE_CAMERAS,
        Permission.MANAGE_SETTINGS,
        Permission.VIEW_AUDIT,
        Permission.MANAGE_EDGE,
    ):
        assert not role_allows(Role.OPERATOR, permission)


def test_admin_may_do_everything() -> None:
    assert all(role_allows(Role.ADMIN, p) for p in Permission)


def test_camera_scope_applies_to_non_admins() -> None:
    viewer = Principal(name="v", role=Role.VIEWER, user_id=2, camera_ids=frozenset({3}))
    admin = Principal(name="a", role=Role.ADMIN, user_id=1)
    assert viewer.can_on_camera(Permission.LIVE_VIEW, 3)
    assert not viewer.can_on_camera(Permission.LIVE_VIEW, 4)
    assert not viewer.can_on_camera(Permission.PLAYBACK, 3)
    assert admin.can_on_camera(Permission.PLAYBACK, 99)


def test_parse_role_is_forgiving_about_case_and_clear_about_errors() -> None:
    assert parse_role(" Operator ") is Role.OPERATOR
    with pytest.raises(ValueError, match="choose one of admin, operator, viewer"):
        parse_role("superuser")
