"""Saved wall views per user."""

from __future__ import annotations

from typing import Any

import pytest

from nvr_desktop.core.errors import NotFoundError, ValidationError
from nvr_desktop.core.roles import Role
from nvr_desktop.services.cameras import CameraSpec


def test_views_are_per_user_and_filtered_by_rights(services: Any, admin: Any) -> None:
    a = services.cameras.add(admin, CameraSpec(name="A", main_url="rtsp://127.0.0.1/a"))
    b = services.cameras.add(admin, CameraSpec(name="B", main_url="rtsp://127.0.0.1/b"))
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {a.id, b.id})
    vic = services.auth.login("vic", "viewer-pass-1")
    services.views.save(vic, "Doors", 4, [b.id, a.id, None, None])
    services.views.save(admin, "Everything", 9, [a.id])
    assert [v.name for v in services.views.list(vic)] == ["Doors"]
    assert services.views.list(vic)[0].camera_ids == (b.id, a.id, None, None)
    # Replacing keeps one view; a revoked camera disappears from the user's view.
    services.views.save(vic, "Doors", 1, [b.id])
    services.users.grant(admin, "vic", {b.id}, revoke=True)
    assert services.views.list(vic)[0].camera_ids == (None,)
    services.views.delete(vic, "Doors")
    assert services.views.list(vic) == []
    with pytest.raises(NotFoundError):
        services.views.delete(vic, "Doors")


def test_bad_views_are_refused(services: Any, admin: Any) -> None:
    with pytest.raises(ValidationError, match="unknown layout 7"):
        services.views.save(admin, "Odd", 7, [])
    with pytest.raises(ValidationError, match="view name"):
        services.views.save(admin, " ", 4, [])
