"""Summary reports over a known set of events and alerts in a real SQLite file: counts per camera, device and
severity, pending alerts, devices seen, rights; CSV and JSON through the CLI; the periodic writer thread."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from nvr_desktop.cli import main
from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.roles import Role
from nvr_desktop.events.reports import ReportScheduler
from nvr_desktop.security.access import owner_principal
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.storage.schema import AlertRow, EdgeDeviceRow, EventRow

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def seed(services: Any, admin: Any) -> tuple[int, int]:
    """Gate (pi-gate): 4 detections, alerts warning (pending) + critical (acknowledged); Yard (pi-yard): 2
    detections, one info alert (resolved); pi-loose (no camera): 1 detection; 1 gate detection outside the window."""
    gate = services.cameras.add(admin, CameraSpec(name="Gate", main_url="rtsp://127.0.0.1/a")).id
    yard = services.cameras.add(admin, CameraSpec(name="Yard", main_url="rtsp://127.0.0.1/b")).id
    services.edge.add(admin, "pi-gate", camera_id=gate)
    services.edge.add(admin, "pi-yard", camera_id=yard)
    services.edge.add(admin, "pi-quiet", camera_id=None)
    events = [("pi-gate", gate, m) for m in (1, 2, 3, 40)] + [("pi-yard", yard, 5), ("pi-yard", yard, 6)]
    events += [("pi-loose", None, 7), ("pi-gate", gate, 200)]
    alerts = [
        ("pi-gate", gate, "warning", "pending", 3),
        ("pi-gate", gate, "critical", "acknowledged", 41),
        ("pi-yard", yard, "info", "resolved", 6),
        ("pi-gate", gate, "critical", "pending", 300),  # outside the window, but pending now
    ]

    def insert(session: Any) -> None:
        for n, (device, camera, minute) in enumerate(events):
            at = T0 + timedelta(minutes=minute)
            session.add(
                EventRow(
                    detection_id=f"{n:032x}",
                    device_id=device,
                    camera_id=camera,
                    sequence=n,
                    captured_at=at,
                    received_at=at,
                    score=0.5,
                    boxes="[]",
                    labels="[]",
                    snapshot="x.jpg",
                    state="new",
                )
            )
        for device, camera, severity, state, minute in alerts:
            at = T0 + timedelta(minutes=minute)
            session.add(
                AlertRow(
                    rule="burst",
                    device_id=device,
                    camera_id=camera,
                    severity=severity,
                    event_ids="[]",
                    first_at=at,
                    last_at=at,
                    created_at=at,
                    state=state,
                )
            )
        for device in ("pi-gate", "pi-quiet"):
            row = session.query(EdgeDeviceRow).filter_by(device_id=device).one()
            row.last_seen_at = T0 + timedelta(minutes=30)

    services.db.write(insert)
    return gate, yard


def test_report_counts_a_known_set(services: Any, admin: Any) -> None:
    gate, yard = seed(services, admin)
    report = services.reports.build(admin, T0, T0 + timedelta(hours=1))
    doc = report.to_dict()
    assert doc["total"] == {
        "detections": 7,
        "alerts": 3,
        "info": 1,
        "warning": 1,
        "critical": 1,
        "pending": 1,
    }
    cameras = {c["name"]: c for c in doc["cameras"]}
    assert cameras["Gate"] == {
        "camera_id": gate,
        "name": "Gate",
        "detections": 4,
        "alerts": 2,
        "info": 0,
        "warning": 1,
        "critical": 1,
        "pending": 1,
    }
    assert (cameras["Yard"]["detections"], cameras["Yard"]["info"], cameras["Yard"]["pending"]) == (2, 1, 0)
    devices = {d["device_id"]: d for d in doc["devices"]}
    assert {d: c["detections"] for d, c in devices.items()} == {"pi-gate": 4, "pi-yard": 2, "pi-loose": 1}
    assert doc["devices_seen"] == ["pi-gate", "pi-loose", "pi-quiet", "pi-yard"]
    assert doc["pending_now"] == 2
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert [(r["scope"], r["key"], r["detections"]) for r in rows] == [
        ("total", "", "7"),
        ("camera", str(gate), "4"),
        ("camera", str(yard), "2"),
        ("device", "pi-gate", "4"),
        ("device", "pi-loose", "1"),
        ("device", "pi-yard", "2"),
    ]
    assert rows[1]["name"] == "Gate" and rows[1]["critical"] == "1"


def test_a_report_shows_only_the_cameras_a_user_may_see(services: Any, admin: Any) -> None:
    gate, _ = seed(services, admin)
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass-1")
    services.users.grant(admin, "olga", {gate})
    olga = services.auth.login("olga", "operator-pass-1")
    doc = services.reports.build(olga, T0, T0 + timedelta(hours=1)).to_dict()
    assert [c["name"] for c in doc["cameras"]] == ["Gate"]
    assert [d["device_id"] for d in doc["devices"]] == ["pi-gate"]
    assert doc["total"]["detections"] == 4 and doc["pending_now"] == 2
    assert doc["devices_seen"] == ["pi-gate"]
    with pytest.raises(ValidationError):
        services.reports.build(olga, T0, T0)


def run_cli(basedir: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--basedir", str(basedir), *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_the_cli_exports_csv_and_json(services: Any, admin: Any, basedir: Path, tmp_path: Path) -> None:
    seed(services, admin)
    services.close()
    window = ("--from", "2026-11-23T08:00Z", "--to", "2026-11-23T09:00Z")
    code, out, err = run_cli(basedir, "events", "report", *window, "--format", "json")
    assert code == 0, err
    assert json.loads(out)["total"]["detections"] == 7
    code, out, err = run_cli(basedir, "events", "report", *window)
    assert code == 0, err
    assert out.splitlines()[0] == "scope,key,name,detections,alerts,info,warning,critical,pending"
    assert out.splitlines()[1].startswith("total,,2026-11-23T08:00:00+00:00/2026-11-23T09:00:00+00:00,7,3,1,1,1,1")
    target = tmp_path / "report.csv"
    code, out, _ = run_cli(basedir, "events", "report", *window, "--out", str(target))
    assert code == 0 and str(target) in out and target.read_text().count("\n") == 7
    code, _, err = run_cli(basedir, "events", "report", "--from", "2026-11-23T09:00Z", "--to", "2026-11-23T08:00Z")
    assert code != 0 and "end must be after" in err
    code, out, _ = run_cli(basedir, "events", "alerts", "--state", "pending", "--json")
    assert code == 0 and len(json.loads(out)) == 2
    alert_id = str(json.loads(out)[0]["id"])
    code, out, _ = run_cli(basedir, "events", "alert-ack", alert_id, "--note", "seen")
    assert code == 0 and "acknowledged" in out
    code, _, err = run_cli(basedir, "events", "alert-ack", alert_id)
    assert code == 4 and "already acknowledged" in err


def test_the_scheduler_writes_a_report_each_period(services: Any, admin: Any, tmp_path: Path) -> None:
    seed(services, admin)
    now = [T0]

    def clock() -> datetime:
        return now[0]

    scheduler = ReportScheduler(
        services.reports, owner_principal("test"), tmp_path / "reports", period=timedelta(minutes=30), clock=clock
    )
    scheduler.start()
    try:
        time.sleep(0.2)
        assert scheduler.written == []
        now[0] = T0 + timedelta(minutes=30)
        deadline = time.monotonic() + 5
        while not scheduler.written and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        scheduler.stop()
    (path,) = scheduler.written
    assert path.name == "20261123T080000Z.json"
    assert json.loads(path.read_text())["total"]["detections"] == 6  # minutes 1, 2, 3, 5, 6, 7
