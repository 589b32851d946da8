"""Camera configuration through the service API, with per-camera permissions."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from nvr_desktop.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from nvr_desktop.core.models import RecordMode
from nvr_desktop.core.roles import Role
from nvr_desktop.services.cameras import CameraSpec


def test_credentials_in_the_url_move_to_the_keyring(services: Any, admin: Any) -> None:
    cam = services.cameras.add(
        admin,
        CameraSpec(
            name="Door",
            main_url="rtsp://admin:d00r-secret@127.0.0.1:8554/cam1",
            sub_url="rtsp://127.0.0.1:8554/cam1_sub",
        ),
    )
    assert cam.main_url == "rtsp://127.0.0.1:8554/cam1"
    assert cam.username == "admin" and cam.has_password
    assert services.vault.load(cam.id) == "d00r-secret"
    assert services.cameras.stream_url(admin, cam.id) == "rtsp://admin:d00r-secret@127.0.0.1:8554/cam1"
    assert services.cameras.stream_url(admin, cam.id, "sub") == "rtsp://admin:d00r-secret@127.0.0.1:8554/cam1_sub"
    rows = sqlite3.connect(services.paths.database).execute("SELECT * FROM cameras").fetchall()
    assert "d00r-secret" not in repr(rows)


def test_update_and_remove(services: Any, admin: Any) -> None:
    cam = services.cameras.add(admin, CameraSpec(name="Door", main_url="rtsp://127.0.0.1/a", password="pw-door-1"))
    updated = services.cameras.update(
        admin,
        cam.id,
        CameraSpec(name="Front door", record_mode=RecordMode.CONTINUOUS, sub_url="rtsp://127.0.0.1/b"),
    )
    assert (updated.name, updated.record_mode, updated.sub_url) == (
        "Front door",
        RecordMode.CONTINUOUS,
        "rtsp://127.0.0.1/b",
    )
    cleared = services.cameras.update(admin, cam.id, CameraSpec(clear_sub_url=True, clear_password=True))
    assert cleared.sub_url is None and not cleared.has_password
    assert services.vault.load(cam.id) is None
    services.cameras.remove(admin, cam.id)
    with pytest.raises(NotFoundError):
        services.cameras.get(admin, cam.id)


def test_bad_input_is_refused(services: Any, admin: Any) -> None:
    services.cameras.add(admin, CameraSpec(name="Door", main_url="rtsp://127.0.0.1/a"))
    with pytest.raises(ConflictError, match="already exists"):
        services.cameras.add(admin, CameraSpec(name="door", main_url="rtsp://127.0.0.1/b"))
    with pytest.raises(ValidationError, match="unsupported URL scheme file:"):
        services.cameras.add(admin, CameraSpec(name="Evil", main_url="file:///etc/passwd"))
    with pytest.raises(ValidationError, match="unknown brand"):
        services.cameras.add(admin, CameraSpec(name="X", main_url="rtsp://h/x", brand="acme"))
    with pytest.raises(ValidationError, match="channel"):
        services.cameras.add(admin, CameraSpec(name="X", main_url="rtsp://h/x", channel=0))
    with pytest.raises(ValidationError, match="name is empty"):
        services.cameras.add(admin, CameraSpec(name="  ", main_url="rtsp://h/x"))


def test_viewer_sees_and_opens_only_assigned_cameras(services: Any, admin: Any) -> None:
    gate = services.cameras.add(admin, CameraSpec(name="Gate", main_url="rtsp://127.0.0.1/gate"))
    vault = services.cameras.add(
        admin, CameraSpec(name="Vault", main_url="rtsp://127.0.0.1/vault", password="vault-pass")
    )
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {gate.id})
    vic = services.auth.login("vic", "viewer-pass-1")
    assert [c.name for c in services.cameras.list(vic)] == ["Gate"]
    assert services.cameras.get(vic, gate.id).name == "Gate"
    with pytest.raises(PermissionDeniedError, match=f"on camera {vault.id}"):
        services.cameras.get(vic, vault.id)
    with pytest.raises(PermissionDeniedError):
        services.cameras.stream_url(vic, vault.id)
    with pytest.raises(PermissionDeniedError, match="manage cameras"):
        services.cameras.add(vic, CameraSpec(name="Mine", main_url="rtsp://127.0.0.1/x"))
    with pytest.raises(PermissionDeniedError):
        services.cameras.remove(vic, gate.id)
    refusals = [e for e in services.audit.entries() if e.actor == "vic" and not e.success]
    assert {e.action for e in refusals} >= {"camera.open", "camera.add", "camera.remove"}


def test_removed_user_loses_access_at_once(services: Any, admin: Any) -> None:
    gate = services.cameras.add(admin, CameraSpec(name="Gate", main_url="rtsp://127.0.0.1/gate"))
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {gate.id})
    vic = services.auth.login("vic", "viewer-pass-1")
    services.users.remove(admin, "vic")
    assert services.cameras.list(vic) == []
    with pytest.raises(PermissionDeniedError):
        services.cameras.get(vic, gate.id)
