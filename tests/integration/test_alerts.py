"""Alerts from detections delivered through the real listener: one alert per burst, severity from the scores, the
workflow (rights, audit), and event recording started on the camera through the real RecordingControl."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from edge.protocol import Detection, decode_pairing_token, sign_request
from nvr_desktop.app import Services, build_services, start_runtime
from nvr_desktop.core.errors import ConflictError, PermissionDeniedError
from nvr_desktop.core.models import Alert, AlertState, RecordMode, Severity
from nvr_desktop.core.roles import Role
from nvr_desktop.events.store import EventStore
from nvr_desktop.media.supervisor import CameraStreams, RecordOrder
from nvr_desktop.net.listener import DETECTIONS_PATH, EdgeListener, ListenerLimits
from nvr_desktop.security.access import owner_principal
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.services.recording_control import RecordingControl
from tests.integration.test_edge_listener import multipart, post
from tests.integration.test_webhook import FakeDiscord
from tests.unit.edge.test_protocol import _jpeg

RULES = """
[[alerts.rules]]
name = "burst"
count = 3
within_minutes = 2

[[alerts.rules]]
name = "yard camera"
per = "camera"
camera_id = 2
count = 1
record = false
"""


@pytest.fixture
def app(basedir: Path) -> Iterator[Services]:
    with (basedir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(RULES)
    services = build_services(basedir)
    yield services
    services.close()


class Site:
    """Two cameras with a paired device each, the listener wired as start_listener wires it."""

    def __init__(self, services: Services) -> None:
        self.services = services
        services.users.create_first_admin("boss", "correct-horse", actor="test")
        self.admin = services.auth.login("boss", "correct-horse")
        self.gate = services.cameras.add(
            self.admin, CameraSpec(name="Gate", main_url="rtsp://127.0.0.1:9/a", record_mode=RecordMode.EVENTS)
        ).id
        self.yard = services.cameras.add(self.admin, CameraSpec(name="Yard", main_url="rtsp://127.0.0.1:9/b")).id
        self.tokens = {
            device: decode_pairing_token(services.edge.add(self.admin, device, camera_id=camera)[1])
            for device, camera in (("pi-gate", self.gate), ("pi-yard", self.yard))
        }
        self.sequence = 0
        store = EventStore(services.db, services.paths.snapshots, on_new=services.alerting.on_event)
        limits = ListenerLimits(burst=100)
        self.server = EdgeListener(store, services.edge.lookup_token, port=0, limits=limits)
        self.server.start()

    def push(self, device: str, score: float, captured_at: datetime | None = None) -> int:
        self.sequence += 1
        found = Detection.create(
            device, captured_at or datetime.now(UTC), score, ((5, 5, 20, 20),), (320, 240), ("person",)
        )
        found = Detection(**{**found.__dict__, "sequence": self.sequence})
        body = multipart(found.to_json(), _jpeg())
        headers = sign_request(self.tokens[device], device, "POST", DETECTIONS_PATH, body, time.time())
        status, reply = post(self.server, body, headers)
        assert status == 201, reply
        return int(reply["event_id"])


@pytest.fixture
def site(app: Services) -> Iterator[Site]:
    built = Site(app)
    yield built
    built.server.stop()


def test_a_burst_raises_one_alert_and_a_later_burst_another(site: Site) -> None:
    services, admin = site.services, site.admin
    start = datetime.now(UTC) - timedelta(minutes=30)
    first = [site.push("pi-gate", s, start + timedelta(seconds=i * 10)) for i, s in enumerate((0.5, 0.7, 0.6))]
    more = [site.push("pi-gate", 0.95, start + timedelta(seconds=40 + i * 10)) for i in range(6)]
    (alert,) = services.alerts.list(admin)
    assert alert.event_ids == tuple(first), "the burst that fired, not the detections after it"
    assert alert.severity is Severity.WARNING and alert.rule == "burst"
    assert (alert.device_id, alert.camera_id, alert.state) == ("pi-gate", site.gate, AlertState.PENDING)
    assert alert.first_at == start and alert.last_at == start + timedelta(seconds=20)
    later = start + timedelta(minutes=20)
    second = [site.push("pi-gate", s, later + timedelta(seconds=i)) for i, s in enumerate((0.9, 0.2, 0.3))]
    newest, _ = services.alerts.list(admin)
    assert newest.event_ids == tuple(second) and newest.severity is Severity.CRITICAL
    assert len(services.events.list(admin)) == len(first) + len(more) + len(second)


def test_a_camera_rule_fires_for_its_camera_only(site: Site) -> None:
    services, admin = site.services, site.admin
    site.push("pi-gate", 0.3)
    event_id = site.push("pi-yard", 0.3)
    (alert,) = services.alerts.list(admin)
    assert (alert.rule, alert.camera_id, alert.event_ids, alert.severity) == (
        "yard camera",
        site.yard,
        (event_id,),
        Severity.INFO,
    )


def test_alerts_are_acknowledged_and_resolved_by_rights_and_audited(site: Site) -> None:
    services, admin = site.services, site.admin
    for _ in range(3):
        site.push("pi-gate", 0.5)
    site.push("pi-yard", 0.5)
    gate_alert = services.alerts.list(admin, camera_id=site.gate)[0]
    yard_alert = services.alerts.list(admin, camera_id=site.yard)[0]
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass-1")
    services.users.grant(admin, "olga", {site.gate})
    olga = services.auth.login("olga", "operator-pass-1")
    assert [a.id for a in services.alerts.list(olga)] == [gate_alert.id]
    acked = services.alerts.acknowledge(olga, gate_alert.id, " on my way ")
    assert (acked.state, acked.acked_by, acked.ack_note) == (AlertState.ACKNOWLEDGED, "olga", "on my way")
    with pytest.raises(ConflictError, match="already acknowledged"):
        services.alerts.acknowledge(olga, gate_alert.id)
    assert services.alerts.resolve(olga, gate_alert.id, "cat").state is AlertState.RESOLVED
    with pytest.raises(PermissionDeniedError):
        services.alerts.acknowledge(olga, yard_alert.id)
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-12")
    services.users.grant(admin, "vic", {site.gate, site.yard})
    with pytest.raises(PermissionDeniedError):
        services.alerts.resolve(services.auth.login("vic", "viewer-pass-12"), yard_alert.id)
    audit = [(e.actor, e.action, e.target, e.success) for e in services.audit.entries()]
    assert ("olga", "alert.ack", f"alert:{gate_alert.id}", True) in audit
    assert ("olga", "alert.resolve", f"alert:{gate_alert.id}", True) in audit
    assert ("olga", "alert.ack", f"camera:{site.yard}", False) in audit
    assert ("vic", "alert.resolve", f"camera:{site.yard}", False) in audit
    assert services.alerts.list(admin, state=AlertState.PENDING) == [
        services.alerts.list(admin, camera_id=site.yard)[0]
    ]


class RecordingEngine:
    """The stream engine as RecordingControl sees it, keeping the orders it is given."""

    def __init__(self) -> None:
        self.orders: list[tuple[int, RecordOrder | None]] = []

    def add_camera(self, camera_id: int, streams: CameraStreams, *, user: str = "") -> None:
        pass

    def remove_camera(self, camera_id: int, *, user: str | None = None) -> None:
        pass

    def set_recording(self, camera_id: int, order: RecordOrder | None) -> None:
        self.orders.append((camera_id, order))

    def add_record_listener(self, listener: Any) -> None:
        pass

    def add_state_listener(self, listener: Any) -> None:
        pass


def test_detections_start_event_recording_on_their_camera(site: Site) -> None:
    services = site.services
    engine = RecordingEngine()
    control = RecordingControl(
        services.db,
        services.audit,
        services.access,
        services.cameras,
        services.recordings,
        engine,
        owner_principal("test"),
        pre_roll_s=4.0,
        post_roll_s=2.0,
        tick_s=0.1,
    )
    control.start()
    services.alerting.attach_recorder(control.trigger)
    try:
        deadline = time.monotonic() + 10
        while not engine.orders and time.monotonic() < deadline:
            time.sleep(0.05)
        assert engine.orders and engine.orders[-1][1] is not None
        assert not engine.orders[-1][1].armed, "an events camera waits for an event"
        site.push("pi-yard", 0.9)  # the yard rule does not record, and the yard camera records nothing
        site.push("pi-gate", 0.5)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            armed = [o for cid, o in engine.orders if cid == site.gate and o is not None and o.armed]
            if armed:
                break
            time.sleep(0.05)
        assert armed and armed[0].pre_roll_s == 4.0
        assert {cid for cid, _ in engine.orders} == {site.gate}
        deadline = time.monotonic() + 10
        while engine.orders[-1][1] is not None and engine.orders[-1][1].armed and time.monotonic() < deadline:
            time.sleep(0.05)
        order = engine.orders[-1][1]
        assert order is not None and not order.armed, "disarmed again after the post-roll"
    finally:
        services.alerting.attach_recorder(None)
        control.close()


def test_events_mark_the_playback_timeline_of_their_camera(site: Site) -> None:
    services, admin = site.services, site.admin
    start = datetime.now(UTC) - timedelta(hours=1)
    site.push("pi-gate", 0.5, start + timedelta(minutes=10))
    site.push("pi-gate", 0.5, start + timedelta(minutes=20))
    site.push("pi-yard", 0.5, start + timedelta(minutes=30))
    site.push("pi-gate", 0.5, start - timedelta(minutes=5))  # before the range
    data = services.playback_port(admin).timeline([site.gate, site.yard], start, start + timedelta(hours=1))
    assert list(data.track(site.gate).events) == [
        (start + timedelta(minutes=10), "person"),
        (start + timedelta(minutes=20), "person"),
    ]
    assert list(data.track(site.yard).events) == [(start + timedelta(minutes=30), "person")]
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass-1")
    services.users.grant(admin, "olga", {site.gate})
    olga = services.auth.login("olga", "operator-pass-1")
    assert (
        len(
            services.playback_port(olga)
            .timeline([site.gate], start, start + timedelta(hours=1))
            .track(site.gate)
            .events
        )
        == 2
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_running_app_wires_listener_rules_recording_and_webhook(basedir: Path) -> None:
    hook = FakeDiscord([]).start()
    port = free_port()
    with (basedir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'[edge]\nhost = "127.0.0.1"\nport = {port}\n[alerts]\nwebhook_url = "{hook.url}"\n')
    services = build_services(basedir)
    try:
        owner = owner_principal("test")
        spec = CameraSpec(name="Gate", main_url="rtsp://127.0.0.1:9/a", record_mode=RecordMode.EVENTS)
        gate = services.cameras.add(owner, spec).id
        token = decode_pairing_token(services.edge.add(owner, "pi-gate", camera_id=gate)[1])
        runtime = start_runtime(services)
        assert runtime.listener is not None and runtime.webhook is not None and runtime.reports is not None
        before = datetime.now(UTC)
        for n in range(3):
            found = Detection.create("pi-gate", datetime.now(UTC), 0.9, ((1, 1, 5, 5),), (320, 240), ("car",))
            found = Detection(**{**found.__dict__, "sequence": n + 1})
            body = multipart(found.to_json(), _jpeg())
            headers = sign_request(token, "pi-gate", "POST", DETECTIONS_PATH, body, time.time())
            assert post(runtime.listener, body, headers)[0] == 201
        assert services.alerting.flush(5), "the alerting thread handles what the listener stored"
        (alert,) = services.alerts.list(owner)
        assert alert.severity is Severity.CRITICAL and alert.camera_id == gate
        until = runtime.recording.triggered_until(gate)
        assert until is not None and until >= before + timedelta(seconds=services.config.recording.post_roll_s)
        deadline = time.monotonic() + 10
        while not hook.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hook.received[0][2]["content"] == "[CRITICAL] burst: 3 detections on Gate"
    finally:
        services.close()
        hook.stop()


def test_the_listener_answers_without_waiting_for_the_alert_rules(basedir: Path) -> None:
    """The app's listener hands stored events to the alerting thread: a slow alert listener (a webhook, the GUI
    thread's queue) delays no agent's request, and the alerts still come, in order, once it is free."""
    port = free_port()
    with (basedir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'[edge]\nhost = "127.0.0.1"\nport = {port}\n{RULES}')
    services = build_services(basedir)
    gate_open = threading.Event()
    seen: list[int] = []

    def slow_listener(alert: Alert) -> None:
        gate_open.wait(30)
        seen.append(alert.id)

    try:
        owner = owner_principal("test")
        devices = {}
        for name in ("pi-a", "pi-b"):
            devices[name] = decode_pairing_token(services.edge.add(owner, name)[1])
        services.alerting.add_alert_listener(slow_listener)
        runtime = start_runtime(services)
        assert runtime.listener is not None
        started = time.monotonic()
        for name, token in devices.items():
            for n in range(3):
                found = Detection.create(name, datetime.now(UTC), 0.9, ((1, 1, 5, 5),), (320, 240), ("car",))
                found = Detection(**{**found.__dict__, "sequence": n + 1})
                body = multipart(found.to_json(), _jpeg())
                headers = sign_request(token, name, "POST", DETECTIONS_PATH, body, time.time())
                assert post(runtime.listener, body, headers)[0] == 201
        assert time.monotonic() - started < 10, "the requests waited for the blocked alert listener"
        assert seen == [] and not services.alerting.flush(0.2)
        gate_open.set()
        assert services.alerting.flush(10)
        alerts = services.alerts.list(owner)
        assert [a.device_id for a in alerts] == ["pi-b", "pi-a"] and seen == sorted(a.id for a in alerts)
    finally:
        gate_open.set()
        services.close()
    assert not any(t.name == "alerting" for t in threading.enumerate()), "closing ends the alerting thread"


def test_a_restart_keeps_the_quiet_period_of_the_last_alert(basedir: Path) -> None:
    services = build_services(basedir)
    site = Site(services)
    try:
        start = datetime.now(UTC) - timedelta(seconds=30)
        for n in range(3):
            site.push("pi-gate", 0.5, start + timedelta(seconds=n))
    finally:
        site.server.stop()
        services.close()
    services = build_services(basedir)
    again = Site.__new__(Site)
    again.services, again.tokens, again.sequence = services, site.tokens, site.sequence
    store = EventStore(services.db, services.paths.snapshots, on_new=services.alerting.on_event)
    again.server = EdgeListener(store, services.edge.lookup_token, port=0, limits=ListenerLimits(burst=100))
    again.server.start()
    try:
        for n in range(3):  # the same burst goes on after the restart: still the one alert
            again.push("pi-gate", 0.5, start + timedelta(seconds=10 + n))
        assert len(services.alerts.list(site.admin)) == 1
        later = start + timedelta(minutes=5)
        for n in range(3):  # after the quiet period: a new alert
            again.push("pi-gate", 0.5, later + timedelta(seconds=n))
        assert len(services.alerts.list(site.admin)) == 2
    finally:
        again.server.stop()
        services.close()
