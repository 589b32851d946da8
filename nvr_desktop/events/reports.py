"""Summary reports of events and alerts over a time window: detections and alerts per camera, per device and per
severity, alerts still pending, edge devices seen. Computed on demand for any window (CLI `events report`), and
every `[alerts] report_minutes` by the "event-reports" thread of the running app, which keeps each one as JSON under
reports/ in the data folder.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, true

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.models import AlertState, Principal, Severity
from nvr_desktop.core.roles import Permission
from nvr_desktop.security.access import AccessControl
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import AlertRow, CameraRow, EdgeDeviceRow, EventRow, utcnow

log = logging.getLogger("events.reports")

CSV_COLUMNS = ("scope", "key", "name", "detections", "alerts", "info", "warning", "critical", "pending")
MAX_WINDOW = timedelta(days=366)


@dataclass
class Counts:
    """Detections and alerts of one camera, one device, or all of them."""

    detections: int = 0
    alerts: int = 0
    info: int = 0
    warning: int = 0
    critical: int = 0
    pending: int = 0  # alerts of the window still pending


@dataclass
class Report:
    """What happened over [start, end)."""

    start: datetime
    end: datetime
    generated_at: datetime
    total: Counts = field(default_factory=Counts)
    cameras: dict[int, Counts] = field(default_factory=dict)
    camera_names: dict[int, str] = field(default_factory=dict)
    devices: dict[str, Counts] = field(default_factory=dict)
    devices_seen: list[str] = field(default_factory=list)
    pending_now: int = 0  # alerts pending when the report was made, whatever their age

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe view."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "generated_at": self.generated_at.isoformat(),
            "total": asdict(self.total),
            "cameras": [
                {"camera_id": cid, "name": self.camera_names.get(cid, ""), **asdict(c)}
                for cid, c in sorted(self.cameras.items())
            ],
            "devices": [{"device_id": d, **asdict(c)} for d, c in sorted(self.devices.items())],
            "devices_seen": sorted(self.devices_seen),
            "pending_now": self.pending_now,
        }

    def to_json(self) -> str:
        """The report as a JSON document."""
        return json.dumps(self.to_dict(), indent=2) + "\n"

    def to_csv(self) -> str:
        """One row per scope (total, each camera, each device) with the counts as columns."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)

        def row(scope: str, key: str, name: str, c: Counts) -> None:
            writer.writerow([scope, key, name, c.detections, c.alerts, c.info, c.warning, c.critical, c.pending])

        row("total", "", f"{self.start.isoformat()}/{self.end.isoformat()}", self.total)
        for cid, counts in sorted(self.cameras.items()):
            row("camera", str(cid), self.camera_names.get(cid, ""), counts)
        for device, counts in sorted(self.devices.items()):
            row("device", device, "", counts)
        return out.getvalue()


class ReportService:
    """Builds reports over what the actor may see (events of devices without a camera: administrators)."""

    def __init__(self, db: Database, access: AccessControl) -> None:
        self._db = db
        self._access = access

    def build(self, actor: Principal, start: datetime, end: datetime, *, now: datetime | None = None) -> Report:
        """The report of [start, end)."""
        if end <= start:
            raise ValidationError("the report's end must be after its start")
        if end - start > MAX_WINDOW:
            raise ValidationError("a report covers at most 366 days")
        fresh = self._access.require(actor, Permission.LIVE_VIEW, action="events.report")
        visible = self._access.visible_camera_ids(fresh)
        report = Report(start, end, now or utcnow())

        def cameras_of(column: Any) -> Any:
            return column.in_(visible) if visible is not None else true()

        events = select(EventRow.camera_id, EventRow.device_id).where(
            EventRow.captured_at >= start, EventRow.captured_at < end, cameras_of(EventRow.camera_id)
        )
        alerts = select(AlertRow.camera_id, AlertRow.device_id, AlertRow.severity, AlertRow.state).where(
            AlertRow.created_at >= start, AlertRow.created_at < end, cameras_of(AlertRow.camera_id)
        )
        seen = select(EdgeDeviceRow.device_id).where(
            EdgeDeviceRow.last_seen_at >= start,
            EdgeDeviceRow.last_seen_at < end,
            cameras_of(EdgeDeviceRow.camera_id),
        )

        pending = (
            select(func.count())
            .select_from(AlertRow)
            .where(AlertRow.state == AlertState.PENDING.value, cameras_of(AlertRow.camera_id))
        )

        def read(session: Any) -> tuple[list[Any], list[Any], list[str], dict[int, str], int]:
            names = {int(r[0]): str(r[1]) for r in session.execute(select(CameraRow.id, CameraRow.name))}
            return (
                list(session.execute(events)),
                list(session.execute(alerts)),
                list(session.scalars(seen)),
                names,
                int(session.scalar(pending) or 0),
            )

        event_rows, alert_rows, seen_rows, names, report.pending_now = self._db.read(read)
        for camera_id, device_id in event_rows:
            for counts in self._targets(report, camera_id, device_id):
                counts.detections += 1
        for camera_id, device_id, severity, state in alert_rows:
            for counts in self._targets(report, camera_id, device_id):
                counts.alerts += 1
                setattr(counts, Severity(severity).value, getattr(counts, Severity(severity).value) + 1)
                counts.pending += int(state == AlertState.PENDING.value)
        report.camera_names = {cid: names.get(cid, f"camera {cid}") for cid in report.cameras}
        report.devices_seen = sorted(set(seen_rows) | {d for _, d in event_rows})
        return report

    @staticmethod
    def _targets(report: Report, camera_id: int | None, device_id: str | None) -> list[Counts]:
        targets = [report.total]
        if camera_id is not None:
            targets.append(report.cameras.setdefault(camera_id, Counts()))
        if device_id is not None:
            targets.append(report.devices.setdefault(device_id, Counts()))
        return targets


class ReportScheduler:
    """Writes the report of each period to reports/<UTC start>.json on its own thread ("event-reports")."""

    def __init__(
        self,
        reports: ReportService,
        owner: Principal,
        folder: Path,
        *,
        period: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._reports = reports
        self._owner = owner
        self.folder = folder
        self.period = period
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.written: list[Path] = []

    def start(self) -> None:
        """Start the thread; the first report covers the period from now."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="event-reports", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (bounded join)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        start = self._clock()
        # Short waits: the wall clock may jump (suspend, NTP), and then the period ends at once, not much later.
        while not self._stop.wait(min(0.5, max(0.0, (start + self.period - self._clock()).total_seconds()))):
            end = self._clock()
            if end < start + self.period:
                continue
            try:
                self.write(start, end)
            except Exception:  # a report is not worth stopping for; the next period tries again
                log.exception("cannot write the event report")
            start = end

    def write(self, start: datetime, end: datetime) -> Path:
        """Build and keep the report of [start, end)."""
        report = self._reports.build(self._owner, start, end)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{start.strftime('%Y%m%dT%H%M%SZ')}.json"
        temp = path.with_suffix(".part")
        temp.write_text(report.to_json(), encoding="utf-8")
        os.replace(temp, path)
        self.written.append(path)
        log.info(
            "report %s: %d detections, %d alerts (%d pending)",
            path.name,
            report.total.detections,
            report.total.alerts,
            report.total.pending,
        )
        return path


__all__ = ["CSV_COLUMNS", "Counts", "Report", "ReportScheduler", "ReportService"]
