"""The embedded listener over real TCP on 127.0.0.1: signed detections become events with snapshots; every bad
request gets its precise status, writes nothing outside the snapshot folder, and leaves the listener serving.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from edge.protocol import Detection, Heartbeat, decode_pairing_token, response_is_authentic, sign_request
from nvr_desktop.events.store import EventStore
from nvr_desktop.net.listener import (
    DETECTIONS_PATH,
    HEALTH_PATH,
    HEARTBEAT_PATH,
    EdgeListener,
    ListenerLimits,
    openapi_document,
)
from nvr_desktop.services.cameras import CameraSpec
from tests.unit.edge.test_protocol import _encode, _jpeg

BOUNDARY = "nvr-test-boundary"


@pytest.fixture
def listener(services: Any, admin: Any) -> Iterator[tuple[EdgeListener, Any, bytes]]:
    camera = services.cameras.add(admin, CameraSpec(name="Door", main_url="rtsp://127.0.0.1/a"))
    _, token = services.edge.add(admin, "pi-door-1", camera_id=camera.id)
    store = EventStore(services.db, services.paths.snapshots)
    limits = ListenerLimits(max_body_bytes=600_000, max_snapshot_bytes=500_000, body_deadline_s=2.0, burst=8)
    server = EdgeListener(store, services.edge.lookup_token, port=0, limits=limits)
    server.start()
    yield server, services, decode_pairing_token(token)
    server.stop()


def multipart(detection: bytes, jpeg: bytes, *, snapshot_name: str = "snapshot.jpg") -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="detection"\r\n'
            "Content-Type: application/json\r\n\r\n"
        ).encode()
        + detection
        + (
            f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="snapshot"; filename="{snapshot_name}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + jpeg
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def detection(sequence: int = 1, device: str = "pi-door-1") -> Detection:
    fresh = Detection.create(device, datetime.now(UTC), 0.8, ((10, 20, 30, 40),), (320, 240), ("motion",))
    return Detection(**{**fresh.__dict__, "sequence": sequence})


def post(
    server: EdgeListener, body: bytes, headers: dict[str, str], content_type: str | None = None
) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(
            "POST",
            DETECTIONS_PATH,
            body=body,
            headers={"Content-Type": content_type or f"multipart/form-data; boundary={BOUNDARY}", **headers},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def send(server: EdgeListener, token: bytes, body: bytes, **kw: Any) -> tuple[int, dict[str, Any]]:
    return post(server, body, sign_request(token, "pi-door-1", "POST", DETECTIONS_PATH, body, time.time()), **kw)


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and "logs" not in p.parts}


def test_health_needs_no_auth_and_tells_no_secret(listener: tuple[EdgeListener, Any, bytes]) -> None:
    server, _, token = listener
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("GET", HEALTH_PATH)
    response = conn.getresponse()
    body = response.read().decode()
    assert response.status == 200 and json.loads(body)["status"] == "ok"
    assert token.hex() not in body


def test_a_signed_detection_becomes_an_event_once(listener: tuple[EdgeListener, Any, bytes]) -> None:
    server, services, token = listener
    found = detection()
    body = multipart(found.to_json(), _jpeg())
    status, reply = send(server, token, body)
    assert status == 201 and not reply["duplicate"]
    snapshot = (
        services.paths.snapshots / "events" / found.captured_at.strftime("%Y-%m-%d") / f"{found.detection_id}.jpg"
    )
    assert snapshot.read_bytes() == _jpeg()
    headers = sign_request(token, "pi-door-1", "POST", DETECTIONS_PATH, body, time.time())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(
        "POST",
        DETECTIONS_PATH,
        body=body,
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    answer = conn.getresponse()
    data = answer.read()
    conn.close()
    signature = answer.getheader("X-NVR-Response-Signature")
    assert answer.status == 200 and response_is_authentic(token, headers["X-NVR-Nonce"], 200, data, signature)
    status, again = send(server, token, body)  # the agent retries (a fresh nonce): acknowledged, not stored twice
    assert status == 200 and again == {"event_id": reply["event_id"], "duplicate": True}
    store = EventStore(services.db, services.paths.snapshots)
    assert store.count() == 1
    (device,) = services.edge.list(services.auth.login("boss", "correct-horse"))
    assert device.last_seen_at is not None and abs(device.clock_skew_s or 0) < 5


def test_bad_requests_get_precise_statuses_and_write_nothing(listener: tuple[EdgeListener, Any, bytes]) -> None:
    server, services, token = listener
    before = files_under(services.paths.base)
    good = multipart(detection().to_json(), _jpeg())
    headers = sign_request(token, "pi-door-1", "POST", DETECTIONS_PATH, good, time.time())
    forged = dict(headers, **{"X-NVR-Signature": "0" * 64})
    assert post(server, good, forged)[0] == 401
    wrong_device = sign_request(token, "pi-hall", "POST", DETECTIONS_PATH, good, time.time())
    assert post(server, good, wrong_device)[0] == 401
    assert post(server, good, headers)[0] == 201
    assert post(server, good, headers)[0] == 409  # the very same request again: a replay
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
    assert send(server, token, multipart(detection(2).to_json(), png, snapshot_name="cat.jpg"))[0] == 415
    assert send(server, token, multipart(b'{"version": 1, "oops"', _jpeg()))[0] == 400
    assert send(server, token, multipart(detection(3).to_json(), _jpeg(), snapshot_name="../../escape.jpg"))[0] == 201
    assert send(server, token, b"{}", content_type="application/json")[0] == 415
    huge = multipart(detection(4).to_json(), _encode("mjpeg", 1280, 960, "yuvj420p") * 2)
    status, reply = send(server, token, huge)
    assert status == 413, reply
    impostor = detection(5, device="pi-hall")
    assert send(server, token, multipart(impostor.to_json(), _jpeg()))[0] == 401
    after = files_under(services.paths.base)
    added = sorted(after - before)
    assert all(p.startswith("snapshots/events/") and p.endswith(".jpg") for p in added), added
    assert len(added) == 2 and not any("escape" in p for p in added)
    status, _ = send(server, token, multipart(detection(6).to_json(), _jpeg()))
    assert status == 201, "still serving after all that"


def test_a_slow_drip_client_is_cut_off_and_others_are_served(listener: tuple[EdgeListener, Any, bytes]) -> None:
    server, _, token = listener
    body = multipart(detection().to_json(), _jpeg())
    headers = sign_request(token, "pi-door-1", "POST", DETECTIONS_PATH, body, time.time())
    slow = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = [f"POST {DETECTIONS_PATH} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    head += [f"Content-Type: multipart/form-data; boundary={BOUNDARY}"] + [f"{k}: {v}" for k, v in headers.items()]
    slow.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body[:100])
    started = time.monotonic()
    other = multipart(detection(2).to_json(), _jpeg())
    assert send(server, token, other)[0] == 201, "another agent is served while one drips"
    reply = slow.recv(4096).decode(errors="replace")
    assert reply.startswith("HTTP/1.1 408"), reply[:80]
    assert time.monotonic() - started < 5
    slow.close()


def test_a_flood_from_one_device_is_rate_limited(listener: tuple[EdgeListener, Any, bytes]) -> None:
    server, _, token = listener
    statuses = [send(server, token, multipart(detection(n).to_json(), _jpeg()))[0] for n in range(1, 16)]
    assert statuses.count(201) >= 8 and 429 in statuses


def test_the_openapi_document_names_every_status() -> None:
    document = openapi_document()
    responses = document["paths"][DETECTIONS_PATH]["post"]["responses"]
    assert {"200", "201", "400", "401", "408", "409", "413", "415", "429"} <= set(responses)
    assert document["openapi"].startswith("3.1")


def _heartbeat_listener(services: Any, admin: Any) -> tuple[EdgeListener, bytes]:
    _, token = services.edge.add(admin, "pi-door-1")
    store = EventStore(services.db, services.paths.snapshots)
    server = EdgeListener(
        store,
        services.edge.lookup_token,
        port=0,
        limits=ListenerLimits(burst=8),
        on_heartbeat=services.edge.record_heartbeat,
    )
    server.start()
    return server, decode_pairing_token(token)


def post_heartbeat(
    server: EdgeListener, token: bytes, body: bytes, content_type: str = "application/json", device: str = "pi-door-1"
) -> tuple[int, dict[str, Any]]:
    headers = sign_request(token, device, "POST", HEARTBEAT_PATH, body, time.time())
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request("POST", HEARTBEAT_PATH, body=body, headers={"Content-Type": content_type, **headers})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def test_a_signed_heartbeat_updates_the_device_and_bad_ones_get_precise_statuses(services: Any, admin: Any) -> None:
    server, token = _heartbeat_listener(services, admin)
    try:
        beat = Heartbeat("pi-door-1", "0.1.0", 12.0, 5.0, 3, 0, 0, 9, None)
        status, reply = post_heartbeat(server, token, beat.to_json())
        assert status == 200 and abs(reply["server_time"] - time.time()) < 5 and abs(reply["skew_s"]) < 5
        (device,) = services.edge.list(admin)
        assert (
            device.online and device.queue_length == 3 and device.detections == 9 and device.heartbeat_interval_s == 5
        )
        assert post_heartbeat(server, token, beat.to_json(), content_type="text/plain")[0] == 415
        assert post_heartbeat(server, token, b'{"version": 1}')[0] == 400
        assert post_heartbeat(server, token, b"[1, 2")[0] == 400
        impostor = Heartbeat("pi-hall", "0.1.0", 1.0, 5.0, 0, 0, 0, 0)
        assert post_heartbeat(server, token, impostor.to_json())[0] == 401
        assert post_heartbeat(server, token, beat.to_json(), device="pi-hall")[0] == 401
        assert post_heartbeat(server, bytes(32), beat.to_json())[0] == 401
        assert server.heartbeats == 1
    finally:
        server.stop()


def test_the_openapi_document_describes_the_heartbeat() -> None:
    post = openapi_document()["paths"][HEARTBEAT_PATH]["post"]
    assert {"200", "400", "401", "413", "415", "429"} <= set(post["responses"])
    assert "Heartbeat" in openapi_document()["components"]["schemas"]
    assert "X-NVR-Response-Signature" in post["responses"]["200"]["headers"]
