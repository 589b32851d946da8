"""The system at a glance, for the overview panel and for monitoring tools (the listener's /api/v1/stats).

Cameras online and offline (from the running stream engine), recording health per camera (from RecordingControl),
detections in the last hour, pending alerts, edge devices online and their queues, disk use and how many days of
footage fit. Everything is limited to the cameras the asking user may see. The forecast reads every segment row, so
it is worked out at most once a minute.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from nvr_desktop.core.errors import StorageError
from nvr_desktop.core.models import AlertState, Principal
from nvr_desktop.core.recording import RecordMode
from nvr_desktop.core.roles import Permission
from nvr_desktop.events.alerts import AlertService
from nvr_desktop.events.service import EventService
from nvr_desktop.media.state import StreamState, StreamStats
from nvr_desktop.security.access import AccessControl
from nvr_desktop.services.edge import EdgeService
from nvr_desktop.services.recording_control import RecordingHealth
from nvr_desktop.services.recordings import RecordingService
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import utcnow

FORECAST_EVERY_S = 60.0
#: States that count as a camera offline; connecting and stopped (not connected by anyone) count as neither.
OFFLINE_STATES = frozenset(
    {
        StreamState.RECONNECTING,
        StreamState.OFFLINE,
        StreamState.UNAUTHORIZED,
        StreamState.LOGIN_MISSING,
        StreamState.UNSUPPORTED,
        StreamState.ERROR,
    }
)


class RuntimeView(Protocol):
    """What the overview reads from the running app (None when nothing runs, as in the CLI)."""

    def camera_stats(self, camera_id: int) -> StreamStats | None: ...

    def recording_health(self) -> dict[int, RecordingHealth]: ...

    def alarms(self) -> list[str]: ...


@dataclass(frozen=True)
class CameraOverview:
    """One camera's line."""

    id: int
    name: str
    state: str  # a StreamState value, or "unknown" when no engine runs
    record_mode: str
    recording: str  # a RecordingHealth value, or "off"


@dataclass(frozen=True)
class Overview:
    """The whole picture at one moment."""

    at: datetime
    cameras: tuple[CameraOverview, ...]
    cameras_online: int
    cameras_offline: int
    recording: int  # cameras writing footage now
    recording_problems: int  # cameras that should record and do not (waiting for the camera, or failing)
    alarms: tuple[str, ...]
    detections_last_hour: int
    pending_alerts: int
    edge_paired: int
    edge_online: int
    edge_queued: int
    edge_dropped: int
    disk_total_bytes: int | None
    disk_free_bytes: int | None
    recordings_bytes: int
    days_fit: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO 8601 UTC)."""
        doc = asdict(self)
        doc["at"] = self.at.isoformat()
        return doc


class OverviewService:
    """Works out the overview for a user."""

    def __init__(
        self,
        db: Database,
        access: AccessControl,
        recordings: RecordingService,
        events: EventService,
        alerts: AlertService,
        edge: EdgeService,
        runtime: Callable[[], RuntimeView | None],
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._access = access
        self._recordings = recordings
        self._events = events
        self._alerts = alerts
        self._edge = edge
        self._runtime = runtime
        self._clock = clock
        self._lock = threading.Lock()
        self._forecast: tuple[float, float | None, int] | None = None  # (monotonic time, days, stored bytes)

    def snapshot(self, actor: Principal) -> Overview:
        """The overview of the cameras actor may see."""
        fresh = self._access.require(actor, Permission.LIVE_VIEW, action="overview")
        visible = self._access.visible_camera_ids(fresh)
        cameras = [c for c in self._db.read(repo.list_cameras) if visible is None or c.id in visible]
        runtime = self._runtime()
        health = runtime.recording_health() if runtime is not None else {}
        lines: list[CameraOverview] = []
        online = offline = 0
        for camera in cameras:
            stats = runtime.camera_stats(camera.id) if runtime is not None else None
            state = stats.state.value if stats is not None else "unknown"
            if stats is not None and stats.state is StreamState.LIVE:
                online += 1
            elif stats is not None and stats.state in OFFLINE_STATES:
                offline += 1
            recording = health.get(camera.id)
            lines.append(
                CameraOverview(
                    camera.id,
                    camera.name,
                    state,
                    camera.record_mode.value,
                    recording.value if recording is not None else RecordMode.OFF.value,
                )
            )
        now = self._clock()
        pending = self._alerts.list(fresh, state=AlertState.PENDING, limit=10_000)
        edge = self._edge.summary()
        total = free = None
        try:
            usage = shutil.disk_usage(self._recordings.root)
            total, free = usage.total, usage.free
        except OSError:
            pass
        days, stored = self._days_fit()
        problems = {RecordingHealth.WAITING.value, RecordingHealth.FAILING.value}
        return Overview(
            at=now,
            cameras=tuple(lines),
            cameras_online=online,
            cameras_offline=offline,
            recording=sum(line.recording == RecordingHealth.RECORDING.value for line in lines),
            recording_problems=sum(line.recording in problems for line in lines),
            alarms=tuple(runtime.alarms()) if runtime is not None else (),
            detections_last_hour=self._events.count(fresh, since=now - timedelta(hours=1)),
            pending_alerts=len(pending),
            edge_paired=edge.paired,
            edge_online=edge.online,
            edge_queued=edge.queued,
            edge_dropped=edge.dropped,
            disk_total_bytes=total,
            disk_free_bytes=free,
            recordings_bytes=stored,
            days_fit=days,
        )

    def _days_fit(self) -> tuple[float | None, int]:
        with self._lock:
            cached = self._forecast
            if cached is not None and time.monotonic() - cached[0] < FORECAST_EVERY_S:
                return cached[1], cached[2]
        try:
            days = self._recordings.forecast_days()
        except StorageError:
            days = None
        stored = self._recordings.stored_bytes()
        with self._lock:
            self._forecast = (time.monotonic(), days, stored)
        return days, stored
