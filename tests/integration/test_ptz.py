"""PTZ through the service against tests/support/onvif_sim.py (a simulator: no ONVIF camera can run here; it speaks
real SOAP on 127.0.0.1): the right vectors reach the device, presets work, viewers are refused and audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from nvr_desktop.core.errors import PermissionDeniedError, ValidationError
from nvr_desktop.core.roles import Role
from nvr_desktop.services.cameras import CameraSpec
from tests.support.onvif_sim import OnvifSimulator, SimProfile

USER, PASSWORD = "ptz-admin", "ptz-s3cret"


@pytest.fixture
def sim() -> Iterator[OnvifSimulator]:
    profiles = [SimProfile("prof_main", "MainStream", 640, 360, 25, "rtsp://127.0.0.1:9/cam1")]
    with OnvifSimulator(profiles, username=USER, password=PASSWORD) as device:
        yield device


@pytest.fixture
def ptz_camera(services: Any, admin: Any, sim: OnvifSimulator) -> Any:
    spec = CameraSpec(
        name="Gate PTZ",
        main_url="rtsp://127.0.0.1:9/cam1",
        username=USER,
        password=PASSWORD,
        brand="onvif",
        onvif_xaddr=sim.xaddr,
        onvif_profile="prof_main",
    )
    return services.cameras.add(admin, spec)


def test_an_operator_moves_zooms_stops_and_uses_presets(
    services: Any, admin: Any, sim: OnvifSimulator, ptz_camera: Any
) -> None:
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass")
    services.users.grant(admin, "olga", {ptz_camera.id})
    olga = services.auth.login("olga", "operator-pass")
    ptz = services.ptz
    assert ptz.capable(olga, ptz_camera.id)
    ptz.move(olga, ptz_camera.id, -0.5, 0.0, 0.0)
    ptz.move(olga, ptz_camera.id, 0.0, 0.5, 0.0)
    ptz.move(olga, ptz_camera.id, 0.0, 0.0, -0.5)
    ptz.stop(olga, ptz_camera.id)
    assert [(p.token, p.name) for p in ptz.presets(olga, ptz_camera.id)] == [("1", "Gate"), ("2", "Yard")]
    ptz.goto_preset(olga, ptz_camera.id, "1")
    token = ptz.set_preset(olga, ptz_camera.id, "Door")
    assert [(c.operation, c.profile, c.values) for c in sim.ptz_calls] == [
        ("ContinuousMove", "prof_main", {"pan": -0.5, "tilt": 0.0, "zoom": 0.0}),
        ("ContinuousMove", "prof_main", {"pan": 0.0, "tilt": 0.5, "zoom": 0.0}),
        ("ContinuousMove", "prof_main", {"pan": 0.0, "tilt": 0.0, "zoom": -0.5}),
        ("Stop", "prof_main", {}),
        ("GotoPreset", "prof_main", {"preset": "1"}),
        ("SetPreset", "prof_main", {"name": "Door", "preset": token}),
    ]
    assert sim.auth_failures == 0, "the camera's stored password signs the requests"
    actions = [(e.actor, e.action, e.success) for e in services.audit.entries(limit=5)]
    assert ("olga", "ptz.set_preset", True) in actions and ("olga", "ptz.goto_preset", True) in actions


def test_a_viewer_cannot_move_cameras(services: Any, admin: Any, sim: OnvifSimulator, ptz_camera: Any) -> None:
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {ptz_camera.id})
    vic = services.auth.login("vic", "viewer-pass-1")
    assert not services.ptz.capable(vic, ptz_camera.id)
    with pytest.raises(PermissionDeniedError, match="'vic' \\(viewer\\) is not allowed to ptz on camera"):
        services.ptz.move(vic, ptz_camera.id, 1.0, 0.0, 0.0)
    with pytest.raises(PermissionDeniedError):
        services.ptz.goto_preset(vic, ptz_camera.id, "1")
    assert sim.ptz_calls == [], "nothing reached the camera"
    (refusal, *_) = services.audit.entries(limit=1)
    assert (refusal.actor, refusal.action, refusal.success) == ("vic", "ptz.goto_preset", False)


def test_an_operator_without_the_camera_and_a_fixed_camera_are_refused(
    services: Any, admin: Any, sim: OnvifSimulator, ptz_camera: Any
) -> None:
    services.users.add(admin, "otto", Role.OPERATOR, "operator-pass")
    otto = services.auth.login("otto", "operator-pass")
    with pytest.raises(PermissionDeniedError):
        services.ptz.stop(otto, ptz_camera.id)
    fixed = services.cameras.add(admin, CameraSpec(name="Fixed", main_url="rtsp://127.0.0.1:9/x"))
    assert not services.ptz.capable(admin, fixed.id)
    with pytest.raises(ValidationError, match="has no ONVIF PTZ"):
        services.ptz.move(admin, fixed.id, 0.5, 0, 0)
    with pytest.raises(ValidationError, match="between -1 and 1"):
        services.ptz.move(admin, ptz_camera.id, 0, 1.5, 0)
    assert sim.ptz_calls == []
