"""Pairing edge devices: a token shown once and kept only in the keyring, admin-only, revocable, and usable by the
request verifier of edge/protocol.py (the listener's check)."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import pytest

from edge.protocol import ProtocolError, RequestVerifier, sign_request
from nvr_desktop.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from nvr_desktop.core.roles import Role
from nvr_desktop.services.cameras import CameraSpec


def signed(token_text: str, device_id: str, body: bytes = b"{}") -> dict[str, str]:
    from edge.protocol import decode_pairing_token

    return sign_request(decode_pairing_token(token_text), device_id, "POST", "/api/v1/detections", body, time.time())


def test_a_paired_device_signs_requests_the_desktop_accepts(services: Any, admin: Any) -> None:
    camera = services.cameras.add(admin, CameraSpec(name="Door", main_url="rtsp://127.0.0.1/a"))
    device, token = services.edge.add(admin, "pi-door-1", name="Door Pi", camera_id=camera.id)
    assert device.device_id == "pi-door-1" and device.camera_id == camera.id and device.active
    verifier = RequestVerifier(services.edge.lookup_token)
    verified = verifier.verify("POST", "/api/v1/detections", signed(token, "pi-door-1"), b"{}")
    assert verified.device_id == "pi-door-1"
    _, other = services.edge.add(admin, "pi-hall")
    with pytest.raises(ProtocolError) as refused:  # another device's token does not sign for this one
        verifier.verify("POST", "/api/v1/detections", signed(other, "pi-door-1"), b"{}")
    assert refused.value.status == 401


def test_the_token_lives_only_in_the_keyring(services: Any, admin: Any) -> None:
    _, token = services.edge.add(admin, "pi-door-1")
    assert services.vault.load_edge_token("pi-door-1") == token
    rows = sqlite3.connect(services.paths.database).execute("SELECT * FROM edge_devices").fetchall()
    assert rows and token not in repr(rows)
    assert token not in "".join(repr(d.to_public_dict()) for d in services.edge.list(admin))
    log = (services.paths.logs / "nvr.log").read_text(encoding="utf-8")
    assert "pi-door-1" in log and token not in log


def test_revoking_stops_the_device_at_once(services: Any, admin: Any) -> None:
    _, token = services.edge.add(admin, "pi-door-1")
    verifier = RequestVerifier(services.edge.lookup_token)
    services.edge.revoke(admin, "pi-door-1")
    with pytest.raises(ProtocolError) as refused:
        verifier.verify("POST", "/api/v1/detections", signed(token, "pi-door-1"), b"{}")
    assert refused.value.status == 401
    assert services.vault.load_edge_token("pi-door-1") is None
    (device,) = services.edge.list(admin)
    assert not device.active
    with pytest.raises(ConflictError, match="already paired"):
        services.edge.add(admin, "pi-door-1")  # a revoked id is not silently reused
    actions = [e.action for e in services.audit.entries()]
    assert "edge.add" in actions and "edge.revoke" in actions


def test_token_lookups_are_cached_yet_a_revocation_elsewhere_lands_within_the_cache_time(
    services: Any, admin: Any
) -> None:
    from nvr_desktop.services.edge import TOKEN_CACHE_S, EdgeService

    assert services.edge.lookup_token("pi-new") is None  # knocked before it was paired: remembered as unknown
    services.edge.add(admin, "pi-new")
    assert services.edge.lookup_token("pi-new") is not None, "pairing must forget the cached refusal at once"
    reads: list[str] = []
    load = services.vault.load_edge_token
    services.vault.load_edge_token = lambda device: reads.append(device) or load(device)
    for _ in range(50):
        assert services.edge.lookup_token("pi-new") is not None
    time.sleep(TOKEN_CACHE_S + 0.1)  # the standing is asked again, the secret is not
    assert services.edge.lookup_token("pi-new") is not None
    assert reads == [], "a lookup per request must not read the keyring each time"
    # Another process (the CLI beside the running app) revokes: this process sees it within the cache time.
    other = EdgeService(services.db, services.audit, services.access, services.vault)
    other.revoke(admin, "pi-new")
    deadline = time.monotonic() + TOKEN_CACHE_S + 1
    while services.edge.lookup_token("pi-new") is not None:
        assert time.monotonic() < deadline, "a revocation by another process was not seen in time"
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("device_id", "kwargs", "error", "message"),
    [
        ("../etc", {}, ValidationError, "device id"),
        ("", {}, ValidationError, "device id"),
        ("x" * 65, {}, ValidationError, "device id"),
        ("pi-1", {"name": "bad\nname"}, ValidationError, "printable"),
        ("pi-1", {"camera_id": 999}, NotFoundError, "no camera with id 999"),
    ],
)
def test_bad_input_is_refused_clearly(
    services: Any, admin: Any, device_id: str, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        services.edge.add(admin, device_id, **kwargs)
    assert services.edge.list(admin) == []
    with pytest.raises(NotFoundError):
        services.edge.revoke(admin, "nobody")


def test_only_admins_manage_edge_devices(services: Any, admin: Any) -> None:
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass-1")
    olga = services.auth.login("olga", "operator-pass-1")
    with pytest.raises(PermissionDeniedError):
        services.edge.add(olga, "pi-door-1")
    with pytest.raises(PermissionDeniedError):
        services.edge.list(olga)
    denied = services.audit.entries(action="edge.add")
    assert denied and not denied[0].success and denied[0].actor == "olga"


def test_a_heartbeat_is_kept_and_online_means_heard_within_three_intervals(basedir: Any, admin: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from edge.protocol import Heartbeat
    from nvr_desktop.app import build_services

    now = [datetime(2026, 11, 23, 12, 0, tzinfo=UTC)]
    services = build_services(basedir)
    try:
        from nvr_desktop.services.edge import EdgeService

        edge = EdgeService(services.db, services.audit, services.access, services.vault, clock=lambda: now[0])
        boss = services.auth.login("boss", "correct-horse")
        edge.add(boss, "pi-door-1")
        (never,) = edge.list(boss)
        assert not never.online and never.queue_length is None
        beat = Heartbeat("pi-door-1", "0.1.0", 100.0, 10.0, 7, 2, 1, 42, 51.5)
        edge.record_heartbeat(beat, now[0], -1.5)
        (device,) = edge.list(boss)
        assert device.online and device.last_seen_at == now[0] and device.clock_skew_s == -1.5
        assert (device.queue_length, device.dropped, device.refused, device.detections) == (7, 2, 1, 42)
        assert device.temperature_c == 51.5 and device.agent_version == "0.1.0" and device.uptime_s == 100.0
        assert device.to_public_dict()["online"] is True
        now[0] += timedelta(seconds=30)
        assert edge.list(boss)[0].online, "three intervals of 10 s"
        now[0] += timedelta(seconds=1)
        assert not edge.list(boss)[0].online
        edge.revoke(boss, "pi-door-1")
        edge.record_heartbeat(beat, now[0], 0.0)
        assert not edge.list(boss)[0].online, "a revoked device is never online, and its heartbeats are not kept"
    finally:
        services.close()
