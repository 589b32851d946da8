"""Events delivered through the real listener, then handled: who may see, acknowledge and resolve them, in which
order, audited; the CLI over the same data."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from edge.protocol import Detection, decode_pairing_token, sign_request
from nvr_desktop.cli import main
from nvr_desktop.core.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from nvr_desktop.core.models import EventState
from nvr_desktop.core.roles import Role
from nvr_desktop.events.store import EventStore
from nvr_desktop.net.listener import DETECTIONS_PATH, EdgeListener
from nvr_desktop.services.cameras import CameraSpec
from tests.integration.test_edge_listener import multipart, post
from tests.unit.edge.test_protocol import _jpeg


def push(server: EdgeListener, token: bytes, device: str, sequence: int) -> int:
    found = Detection.create(device, datetime.now(UTC), 0.7, ((5, 5, 20, 20),), (320, 240), ("motion",))
    found = Detection(**{**found.__dict__, "sequence": sequence})
    body = multipart(found.to_json(), _jpeg())
    status, reply = post(server, body, sign_request(token, device, "POST", DETECTIONS_PATH, body, time.time()))
    assert status == 201, reply
    return int(reply["event_id"])


@pytest.fixture
def events(services: Any, admin: Any) -> Iterator[tuple[Any, Any, dict[str, int]]]:
    gate = services.cameras.add(admin, CameraSpec(name="Gate", main_url="rtsp://127.0.0.1/a"))
    yard = services.cameras.add(admin, CameraSpec(name="Yard", main_url="rtsp://127.0.0.1/b"))
    tokens = {
        device: decode_pairing_token(services.edge.add(admin, device, camera_id=camera)[1])
        for device, camera in (("pi-gate", gate.id), ("pi-yard", yard.id), ("pi-loose", None))
    }
    server = EdgeListener(EventStore(services.db, services.paths.snapshots), services.edge.lookup_token, port=0)
    server.start()
    try:
        ids = {device: push(server, token, device, 1) for device, token in tokens.items()}
    finally:
        server.stop()
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass-1")
    services.users.grant(admin, "olga", {gate.id})
    yield services, admin, ids


def test_operators_see_and_handle_only_their_cameras_events(events: tuple[Any, Any, dict[str, int]]) -> None:
    services, admin, ids = events
    olga = services.auth.login("olga", "operator-pass-1")
    assert [e.device_id for e in services.events.list(olga)] == ["pi-gate"]
    assert {e.device_id for e in services.events.list(admin)} == {"pi-gate", "pi-yard", "pi-loose"}
    acked = services.events.acknowledge(olga, ids["pi-gate"], "  checked the gate camera  ")
    assert (
        acked.state is EventState.ACKNOWLEDGED
        and acked.acked_by == "olga"
        and acked.ack_note == "checked the gate camera"
    )
    with pytest.raises(ConflictError, match="already acknowledged"):
        services.events.acknowledge(olga, ids["pi-gate"])
    done = services.events.resolve(olga, ids["pi-gate"], "delivery van")
    assert done.state is EventState.RESOLVED and done.resolved_by == "olga"
    with pytest.raises(ConflictError, match="already resolved"):
        services.events.resolve(olga, ids["pi-gate"])
    with pytest.raises(PermissionDeniedError):
        services.events.acknowledge(olga, ids["pi-yard"])  # not her camera
    with pytest.raises(PermissionDeniedError):
        services.events.resolve(olga, ids["pi-loose"])  # no camera: administrators only
    assert services.events.resolve(admin, ids["pi-loose"]).state is EventState.RESOLVED
    with pytest.raises(NotFoundError):
        services.events.acknowledge(admin, 999)
    with pytest.raises(ValidationError, match="longer than"):
        services.events.acknowledge(admin, ids["pi-yard"], "x" * 2001)
    audit = [(e.actor, e.action, e.target, e.success) for e in services.audit.entries()]
    assert ("olga", "event.ack", f"event:{ids['pi-gate']}", True) in audit
    assert ("olga", "event.resolve", f"event:{ids['pi-gate']}", True) in audit
    assert (
        "olga",
        "event.ack",
        f"camera:{services.events.list(admin, device_id='pi-yard')[0].camera_id}",
        False,
    ) in audit
    assert [e.device_id for e in services.events.list(admin, state=EventState.NEW)] == ["pi-yard"]


def run_cli(basedir: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--basedir", str(basedir), *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_cli_lists_and_handles_events(events: tuple[Any, Any, dict[str, int]], basedir: Path) -> None:
    services, _, ids = events
    services.close()
    code, out, err = run_cli(basedir, "events", "list", "--state", "new", "--json")
    assert code == 0, err
    assert {e["device_id"] for e in json.loads(out)} == {"pi-gate", "pi-yard", "pi-loose"}
    code, out, _ = run_cli(basedir, "events", "ack", str(ids["pi-yard"]), "--note", "looked")
    assert code == 0 and "acknowledged" in out
    code, _, err = run_cli(basedir, "events", "ack", str(ids["pi-yard"]))
    assert code == 4 and "already acknowledged" in err
    code, _, err = run_cli(basedir, "events", "resolve", "999")
    assert code == 3 and "no event with id 999" in err
    code, out, _ = run_cli(basedir, "events", "list", "--device", "pi-yard", "--json")
    (row,) = json.loads(out)
    assert row["state"] == "acknowledged" and row["ack_note"] == "looked" and row["acked_by"].startswith("cli:")
