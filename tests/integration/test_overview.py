"""The system at a glance over the running app (real RTSP cameras, stream processes, recording, listener, SQLite):
the overview service the panel shows, and the signed GET /api/v1/stats monitoring tools read."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from edge.protocol import Detection, decode_pairing_token, sign_request
from nvr_desktop.app import Services, build_services, start_runtime
from nvr_desktop.core.models import RecordMode
from nvr_desktop.net.listener import DETECTIONS_PATH, STATS_PATH, openapi_document
from nvr_desktop.security.access import owner_principal
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.overview import OverviewPanel
from tests.integration.test_edge_listener import multipart
from tests.integration.test_recording import configure, wait_for
from tests.support.cameras import RtspTestServer, free_port
from tests.unit.edge.test_protocol import _jpeg

SHOTS = Path("/tmp/overview_shots")


def get_stats(port: int, token: bytes, device: str) -> tuple[int, dict[str, Any]]:
    headers = sign_request(token, device, "GET", STATS_PATH, b"", time.time())
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", STATS_PATH, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        conn.close()


def push(port: int, token: bytes, device: str, sequence: int) -> int:
    found = Detection.create(device, datetime.now(UTC), 0.5, ((1, 2, 3, 4),), (320, 240), ("motion",))
    body = multipart(Detection(**{**found.__dict__, "sequence": sequence}).to_json(), _jpeg())
    headers = sign_request(token, device, "POST", DETECTIONS_PATH, body, time.time())
    headers["Content-Type"] = "multipart/form-data; boundary=nvr-test-boundary"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", DETECTIONS_PATH, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


@dataclass
class Site:
    """The running app with Door (continuous, live), Yard (events), Lost (continuous, no camera there) and Hall
    (not recorded), a Pi paired to Door and a monitoring device allowed to read the stats."""

    services: Services
    ids: dict[str, int]
    pi: bytes
    monitor: bytes
    port: int


@pytest.fixture
def site(rtsp_server: RtspTestServer, basedir: Path) -> Iterator[Site]:
    configure(basedir, free_reserve_mb=0, guard_interval_s=1.0)
    with (basedir / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'[edge]\nhost = "127.0.0.1"\nport = {free_port()}\nadvertise = false\n')
        fh.write('stats_devices = ["monitor-1"]\n')
    services = build_services(basedir)
    try:
        owner = owner_principal("test")
        specs = {
            "Door": (rtsp_server.url(1), RecordMode.CONTINUOUS),
            "Yard": (rtsp_server.url(2), RecordMode.EVENTS),
            "Lost": (f"rtsp://127.0.0.1:{free_port()}/x", RecordMode.CONTINUOUS),
            "Hall": (rtsp_server.url(3), RecordMode.OFF),
        }
        ids = {
            name: services.cameras.add(owner, CameraSpec(name=name, main_url=url, record_mode=mode)).id
            for name, (url, mode) in specs.items()
        }
        pi = decode_pairing_token(services.edge.add(owner, "pi-door", camera_id=ids["Door"])[1])
        monitor = decode_pairing_token(services.edge.add(owner, "monitor-1")[1])
        runtime = start_runtime(services)
        assert runtime.listener is not None
        wait_for(
            "Door recording, Lost offline",
            lambda: (o := services.overview.snapshot(owner)).recording == 1 and o.cameras_offline >= 1,
            40,
        )
        yield Site(services, ids, pi, monitor, runtime.listener.port)
    finally:
        services.close()


def test_the_overview_and_the_stats_endpoint_tell_the_truth(site: Site) -> None:
    owner = owner_principal("test")
    view = site.services.overview.snapshot(owner)
    lines = {line.name: line for line in view.cameras}
    assert lines["Door"].state == "live" and lines["Door"].recording == "recording"
    assert lines["Yard"].recording == "standby", "an events camera between events"
    assert lines["Lost"].recording == "waiting" and lines["Lost"].state in ("reconnecting", "offline")
    assert lines["Hall"].recording == "off"
    assert view.recording_problems == 1 and view.alarms == ()
    assert view.disk_free_bytes is not None and view.disk_total_bytes is not None

    for n in range(1, 4):
        assert push(site.port, site.pi, "pi-door", n) == 201
    # Alert rules run on the alerting thread, after each agent's request was answered: wait for them.
    assert site.services.alerting.flush()
    status, stats = get_stats(site.port, site.monitor, "monitor-1")
    assert status == 200
    assert stats["detections_last_hour"] == 3 and stats["pending_alerts"] == 1  # the default rule: 3 in 2 min
    assert stats["edge_paired"] == 2 and stats["recording"] == 1
    assert {c["id"] for c in stats["cameras"]} == set(site.ids.values())
    required = openapi_document()["components"]["schemas"]["Stats"]["required"]
    assert set(required) <= set(stats), "the answer carries what the OpenAPI document promises"
    # Only devices listed in stats_devices may read it; an unsigned request is not authenticated.
    assert get_stats(site.port, site.pi, "pi-door")[0] == 403
    conn = http.client.HTTPConnection("127.0.0.1", site.port, timeout=10)
    conn.request("GET", STATS_PATH)
    assert conn.getresponse().status == 401
    conn.close()


def test_the_overview_panel_shows_the_figures(qtbot: QtBot, qapp: QApplication, site: Site) -> None:
    viewer = owner_principal("test")
    for n in range(1, 3):
        assert push(site.port, site.pi, "pi-door", n) == 201
    panel = OverviewPanel(lambda: site.services.overview.snapshot(viewer))
    qtbot.addWidget(panel)
    panel.resize(900, 420)
    panel.show()
    qtbot.waitUntil(lambda: panel.shown is not None, timeout=10_000)
    view = panel.shown
    assert view is not None
    assert panel.cards["cardOnline"].value.text() == f"{view.cameras_online} / 4"
    assert panel.cards["cardDetections"].value.text() == "2"
    assert panel.cards["cardEdge"].value.text() == f"{view.edge_online} / 2"
    rows = {
        panel.table.item(r, 0).text(): (panel.table.item(r, 1).text(), panel.table.item(r, 2).text())
        for r in range(panel.table.rowCount())
    }
    assert rows["Door"] == ("Live", "Recording")
    assert rows["Yard"][1] == "Standing by" and rows["Hall"] == ("Not connected", "Off")
    assert rows["Lost"][1] == "Waiting for the camera"
    assert panel.cards["cardOffline"].value.styleSheet(), "offline cameras are shown in red"
    assert panel.alarm_label.isHidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert panel.grab().save(str(SHOTS / "overview_panel.png"))
    panel.release()
