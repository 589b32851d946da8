"""Runs recording: tells the stream engine which cameras to record, indexes what the recorders report, keeps gap
rows, guards the disk, and raises (and clears) the storage alarms.

One named thread ("recording-control") does all of it, so index writes happen in order: recorder events are queued
by the engine's event-reader thread and applied here. The decision of whether a camera records at a given moment
is the pure RecordingPolicy.wants_recording (continuous, weekly schedule, events with post-roll, manual override).
"""

from __future__ import annotations

import enum
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from nvr_desktop.core.errors import StorageError, ValidationError
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.core.recording import GapCause, RecordingPolicy, RecordMode, SegmentState
from nvr_desktop.core.roles import Permission
from nvr_desktop.media.recorder import RecorderEvent, RecorderListener, probe_recording
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import StreamState, StreamStats
from nvr_desktop.media.supervisor import CameraStreams, RecordOrder
from nvr_desktop.media.worker import StateListener
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.services.cameras import CameraService
from nvr_desktop.services.recordings import RecordingService, policy_of
from nvr_desktop.storage import recordings as idx
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import utcnow

log = logging.getLogger("services.recording")
USER = "record"  # the engine user name of recording connections
#: A camera that should record but has had no open segment for this long gets a gap row.
GAP_GRACE_S = 15.0
MAX_MANUAL_S = 24 * 3600.0
#: Writing resumes after a full disk only with at least this much free (and the reserve), so it does not flap.
RESUME_FREE_BYTES = 4 * 1024**2


def _size(n: int) -> str:
    return f"{n / 1024**3:.1f} GB" if n >= 1024**3 else f"{n / 1024**2:.0f} MB"


class RecordingEngine(Protocol):
    """What recording needs from the stream engine."""

    def add_camera(self, camera_id: int, streams: CameraStreams, *, user: str = ...) -> None:
        """Connect a camera."""

    def remove_camera(self, camera_id: int, *, user: str | None = ...) -> None:
        """Let go of a camera."""

    def set_recording(self, camera_id: int, order: RecordOrder | None) -> None:
        """Record a camera as ordered."""

    def add_record_listener(self, listener: RecorderListener) -> None:
        """Receive recorder events."""

    def add_state_listener(self, listener: StateListener) -> None:
        """Receive stream states."""


def camera_streams(cameras: CameraService, owner: Principal, camera: Camera) -> CameraStreams:
    """The engine's view of a camera: main and sub-stream with credentials (equal for equal settings, so every
    user of the engine asks for the same connection)."""

    def source(which: Literal["main", "sub"]) -> SourceSpec:
        login = cameras.stream_login(owner, camera.id, which)
        return SourceSpec(login.url, transport=camera.transport, login_missing=login.login_missing)

    return CameraStreams(main=source("main"), sub=source("sub") if camera.sub_url else None)


@dataclass(frozen=True)
class Alarm:
    """A recording problem an operator must see: the disk is full, or the storage folder is unavailable."""

    kind: str  # "disk full" or "storage"
    message: str
    since: datetime


class RecordingHealth(enum.StrEnum):
    """How a camera's recording is doing, for the overview and monitoring."""

    RECORDING = "recording"  # writing footage now
    WAITING = "waiting"  # should record, but the camera sends nothing (offline, connecting)
    FAILING = "failing"  # should record, but writing fails (disk full, folder gone)
    STANDBY = "standby"  # schedule or event recording, not recording now


@dataclass
class _CameraRun:
    camera: Camera
    policy: RecordingPolicy
    streams: CameraStreams
    armed: bool = False
    armed_since: float = 0.0
    armed_at: datetime | None = None
    segment_id: int | None = None
    gap_id: int | None = None
    live: bool = False
    manual_until: datetime | None = None
    event_until: datetime | None = None
    last_end: datetime | None = None
    order: RecordOrder | None = None


class RecordingControl:
    """Drives every camera's recorder from its policy; owns the recording side of the index."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        access: AccessControl,
        cameras: CameraService,
        recordings: RecordingService,
        engine: RecordingEngine,
        owner: Principal,
        *,
        pre_roll_s: float = 5.0,
        post_roll_s: float = 10.0,
        guard_interval_s: float = 30.0,
        tick_s: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._cameras = cameras
        self.recordings = recordings
        self._engine = engine
        self._owner = owner
        self.pre_roll_s = pre_roll_s
        self.post_roll_s = post_roll_s
        self._guard_interval = guard_interval_s
        self._tick = tick_s
        self._clock = clock
        self._events: queue.Queue[RecorderEvent | tuple[int, StreamStats]] = queue.Queue()
        self._lock = threading.Lock()
        self._runs: dict[int, _CameraRun] = {}
        self._manual: dict[int, datetime] = {}
        self._manual_timed: set[int] = set()  # manual recordings started for a chosen duration
        self._triggers: dict[int, datetime] = {}
        self._alarms: dict[str, Alarm] = {}
        self._storage_failures: dict[int, RecorderEvent] = {}
        self._reload = threading.Event()
        self._guard_now = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Repair the index, then start recording every camera whose policy says so."""
        report = self.recordings.reconcile()
        if report.repaired or report.missing or report.indexed or report.unknown or report.damaged:
            log.warning(
                "recording index repaired at start-up: %d closed after a crash, %d missing, %d damaged, "
                "%d files indexed, %d unreadable files",
                len(report.repaired),
                len(report.missing),
                len(report.damaged),
                len(report.indexed),
                len(report.unknown),
            )
        self._note_crash_gaps(report.repaired)
        self._engine.add_record_listener(self._events.put)
        self._engine.add_state_listener(lambda cid, stats: self._events.put((cid, stats)))
        self._thread = threading.Thread(target=self._run, name="recording-control", daemon=True)
        self._thread.start()

    def _note_crash_gaps(self, repaired: list[int]) -> None:
        """A segment left open means the app died while recording: footage is missing until it records again."""
        root = self.recordings.root

        def note(session: Session) -> None:
            for segment_id in repaired:
                seg = idx.segment(session, root, segment_id)
                if (
                    seg is not None
                    and seg.end is not None
                    and not idx.gaps(session, camera_ids=[seg.camera_id], open_only=True)
                ):
                    idx.insert_gap(session, seg.camera_id, seg.end, GapCause.APP_NOT_RUNNING)

        self._db.write(note)

    def close(self, timeout: float = 15.0) -> None:
        """Stop the control thread; recorders stop with the engine (close the engine after this, then drain())."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def drain(self) -> None:
        """Apply the recorder events still queued (after the engine closed), then mark the stop in the gap rows."""
        self._apply_events()
        now = self._clock()
        for run in self._runs.values():
            if run.armed and run.gap_id is None:
                self._open_gap(run, now, GapCause.STOPPED_BY_USER)

    # ---- operator commands ---------------------------------------------------------------------------

    def start_manual(self, actor: Principal, camera_id: int, duration_s: float | None = None) -> datetime:
        """Record a camera now, for duration_s seconds (or until stopped, at most a day); returns the end time."""
        fresh = self._access.require(actor, Permission.RECORD_CONTROL, camera_id=camera_id, action="recording.start")
        if duration_s is not None and not 1 <= duration_s <= MAX_MANUAL_S:
            raise ValidationError("a manual recording lasts between 1 second and 24 hours")
        self._cameras.get(self._owner, camera_id)  # NotFoundError for an unknown camera
        until = self._clock() + timedelta(seconds=duration_s or MAX_MANUAL_S)
        with self._lock:
            self._manual[camera_id] = until
            if duration_s is None:
                self._manual_timed.discard(camera_id)
            else:
                self._manual_timed.add(camera_id)
        self._reload.set()
        self._audit.record(fresh.name, "recording.start", f"camera:{camera_id}", detail=f"until={until.isoformat()}")
        return until

    def stop_manual(self, actor: Principal, camera_id: int) -> None:
        """End a manual recording (the camera's own mode still applies)."""
        fresh = self._access.require(actor, Permission.RECORD_CONTROL, camera_id=camera_id, action="recording.stop")
        with self._lock:
            self._manual.pop(camera_id, None)
            self._manual_timed.discard(camera_id)
        self._reload.set()
        self._audit.record(fresh.name, "recording.stop", f"camera:{camera_id}")

    def trigger(self, camera_id: int, at: datetime | None = None) -> None:
        """An event on the camera: record it (with pre-roll) until post_roll_s after the last trigger."""
        until = (at or self._clock()) + timedelta(seconds=self.post_roll_s)
        with self._lock:
            self._triggers[camera_id] = max(until, self._triggers.get(camera_id, until))
        self._reload.set()

    def triggered_until(self, camera_id: int) -> datetime | None:
        """When the camera's event recording ends (its last trigger plus the post-roll), if it was triggered."""
        with self._lock:
            return self._triggers.get(camera_id)

    def reload(self) -> None:
        """Camera settings changed: re-read them on the next tick."""
        self._reload.set()

    def check_storage_now(self) -> None:
        """Run retention and the disk guard on the next tick."""
        self._guard_now.set()

    # ---- state for the UI, the CLI and monitoring -----------------------------------------------------

    def alarms(self) -> list[Alarm]:
        """Active storage alarms."""
        with self._lock:
            return list(self._alarms.values())

    def recording_camera_ids(self) -> set[int]:
        """Cameras writing footage now."""
        with self._lock:
            return {cid for cid, run in self._runs.items() if run.armed and run.segment_id is not None}

    def recording_health(self) -> dict[int, RecordingHealth]:
        """Each camera that has a recording policy: writing, waiting for its camera, failing to write, or standing by
        (a schedule or event camera outside its recording time)."""
        with self._lock:
            health: dict[int, RecordingHealth] = {}
            for cid, run in self._runs.items():
                if not run.armed:
                    health[cid] = RecordingHealth.STANDBY
                elif cid in self._storage_failures:
                    health[cid] = RecordingHealth.FAILING
                elif run.segment_id is not None:
                    health[cid] = RecordingHealth.RECORDING
                else:
                    health[cid] = RecordingHealth.WAITING
            return health

    def manual_camera_ids(self) -> set[int]:
        """Cameras with a manual recording running."""
        return set(self.manual_recordings())

    def manual_recordings(self) -> dict[int, datetime | None]:
        """Cameras with a manual recording running and when each ends by itself; None for one started without a
        duration (it runs until stopped, at most a day)."""
        now = self._clock()
        with self._lock:
            return {
                cid: until if cid in self._manual_timed else None for cid, until in self._manual.items() if until > now
            }

    # ---- the control thread --------------------------------------------------------------------------

    def _run(self) -> None:
        next_guard = 0.0
        next_load = 0.0
        while not self._stop.is_set():
            try:
                now_mono = time.monotonic()
                if self._reload.is_set() or now_mono >= next_load:
                    self._reload.clear()
                    next_load = now_mono + 30.0
                    self._load_cameras()
                self._apply_events()
                if self._guard_now.is_set() or now_mono >= next_guard:
                    self._guard_now.clear()
                    next_guard = now_mono + self._guard_interval
                    self._guard_storage()
                self._apply_orders()
            except Exception:  # the recording loop must survive anything; the next tick tries again
                log.exception("recording control step failed")
            self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + self._tick
        while not self._stop.is_set() and not self._reload.is_set() and not self._guard_now.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or not self._events.empty():
                return
            self._stop.wait(min(left, 0.05))

    def _load_cameras(self) -> None:
        cameras = {c.id: c for c in self._db.read(repo.list_cameras) if c.enabled}
        with self._lock:
            manual = dict(self._manual)
        wanted = {cid for cid, c in cameras.items() if c.record_mode is not RecordMode.OFF or cid in manual}
        for cid in [c for c in self._runs if c not in wanted]:
            with self._lock:
                gone = self._runs.pop(cid)
            self._engine.set_recording(cid, None)
            self._engine.remove_camera(cid, user=USER)
            if gone.gap_id is not None:
                self._close_gap(gone, self._clock())
        for cid in sorted(wanted):
            camera = cameras[cid]
            streams = self._streams(camera)
            policy = policy_of(camera, self.pre_roll_s, self.post_roll_s)
            run = self._runs.get(cid)
            if run is None:
                run = _CameraRun(camera, policy, streams)
                run.gap_id = self._existing_gap(cid)
                with self._lock:
                    self._runs[cid] = run
            elif run.streams != streams or run.policy != policy:
                run.camera, run.policy, run.streams = camera, policy, streams
            self._engine.add_camera(cid, streams, user=USER)

    def _existing_gap(self, camera_id: int) -> int | None:
        gaps = self._db.read(lambda s: idx.gaps(s, camera_ids=[camera_id], open_only=True))
        return gaps[-1].id if gaps else None

    def _streams(self, camera: Camera) -> CameraStreams:
        return camera_streams(self._cameras, self._owner, camera)

    def _apply_orders(self) -> None:
        now = self._clock()
        with self._lock:
            manual = {c: t for c, t in self._manual.items() if t > now}
            self._manual = manual
            self._manual_timed &= manual.keys()
            triggers = {c: t for c, t in self._triggers.items() if t > now}
            self._triggers = triggers
            disk_alarm = "disk full" in self._alarms
        mono = time.monotonic()
        for cid, run in self._runs.items():
            want = run.policy.wants_recording(now, manual_until=manual.get(cid), event_until=triggers.get(cid))
            armed = want and not disk_alarm
            pre_roll = run.policy.pre_roll_s if run.policy.mode is RecordMode.EVENTS else 0.0
            order = RecordOrder(
                self.recordings.root, segment_s=float(run.policy.segment_s), armed=armed, pre_roll_s=pre_roll
            )
            if armed and not run.armed:
                run.armed_since, run.armed_at = mono, now
            if not armed and run.armed and run.gap_id is not None and not (want and disk_alarm):
                self._close_gap(run, now)  # no longer meant to record: nothing is missing from here on
            if want and disk_alarm and run.gap_id is None:
                self._open_gap(run, now, GapCause.DISK_FULL)
            run.armed = armed
            if order != run.order:
                run.order = order
                self._engine.set_recording(cid, order)
            if armed and run.segment_id is None and run.gap_id is None and mono - run.armed_since > GAP_GRACE_S:
                cause = self._storage_cause(cid) if cid in self._storage_failures else GapCause.CAMERA_OFFLINE
                start = run.armed_at or now
                if run.last_end is not None and run.last_end > start:
                    start = run.last_end
                self._open_gap(run, start, cause)

    # ---- recorder events -----------------------------------------------------------------------------

    def _apply_events(self) -> None:
        while True:
            try:
                item = self._events.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, RecorderEvent):
                self._on_recorder(item)
            else:
                camera_id, stats = item
                run = self._runs.get(camera_id)
                if run is not None:
                    run.live = stats.state is StreamState.LIVE

    def _on_recorder(self, event: RecorderEvent) -> None:
        run = self._runs.get(event.camera_id)
        root = self.recordings.root
        if event.kind == "opened" and event.path is not None and event.start is not None:
            path, start = event.path, event.start
            seg = self._db.write(
                lambda s: idx.insert_segment(
                    s, root, event.camera_id, path, start, codec=event.codec, width=event.width, height=event.height
                )
            )
            with self._lock:
                self._storage_failures.pop(event.camera_id, None)
                if not self._storage_failures:
                    self._alarms.pop("storage", None)
            if run is not None:
                run.segment_id = seg.id
                if run.gap_id is not None:
                    self._close_gap(run, start)
            else:
                gap = self._existing_gap(event.camera_id)
                if gap is not None:
                    self._db.write(lambda s: idx.close_gap(s, gap, start))
        elif event.kind == "closed" and event.path is not None:
            segment_id = run.segment_id if run is not None else self._segment_by_path(event.camera_id, event.path)
            if segment_id is not None:
                seg_id, end, size = segment_id, event.at, event.bytes
                state = SegmentState.CLOSED
                if event.reason == "error" and probe_recording(event.path) is None:
                    state = SegmentState.DAMAGED  # cut inside its first fragment: nothing in it plays
                self._db.write(lambda s: idx.finish_segment(s, seg_id, end, size, state))
            if run is not None:
                run.segment_id = None
                run.last_end = event.at
                if run.armed and event.reason in ("camera offline", "error") and run.gap_id is None:
                    self._open_gap(run, event.at, self._cause(event))
        elif event.kind == "failed":
            with self._lock:
                self._storage_failures[event.camera_id] = event
                kind = "disk full" if event.disk_full else "storage"
                if kind not in self._alarms:
                    self._alarms[kind] = Alarm(kind, event.reason, event.at)
                    log.error("recording alarm: %s", event.reason)
            if run is not None and run.armed and run.gap_id is None and run.segment_id is None:
                self._open_gap(run, event.at, self._storage_cause(event.camera_id))
            self._guard_now.set()

    def _cause(self, closed: RecorderEvent) -> GapCause:
        return self._storage_cause(closed.camera_id) if closed.reason == "error" else GapCause.CAMERA_OFFLINE

    def _storage_cause(self, camera_id: int) -> GapCause:
        failure = self._storage_failures.get(camera_id)
        return GapCause.DISK_FULL if failure is not None and failure.disk_full else GapCause.STORAGE_ERROR

    def _segment_by_path(self, camera_id: int, path: Path) -> int | None:
        found = self._db.read(lambda s: idx.segments(s, self.recordings.root, camera_ids=[camera_id]))
        return next((seg.id for seg in found if seg.path == path), None)

    def _open_gap(self, run: _CameraRun, start: datetime, cause: GapCause) -> None:
        gap = self._db.write(lambda s: idx.insert_gap(s, run.camera.id, start, cause))
        run.gap_id = gap.id
        log.warning("camera %s: recording gap from %s (%s)", run.camera.id, start.isoformat(), cause.value)

    def _close_gap(self, run: _CameraRun, end: datetime) -> None:
        gap_id = run.gap_id
        run.gap_id = None
        if gap_id is not None:
            self._db.write(lambda s: idx.close_gap(s, gap_id, end))

    # ---- disk guard ----------------------------------------------------------------------------------

    def _guard_storage(self) -> None:
        """Retention first; if the disk is still short of its reserve, raise the disk-full alarm (and stop
        writing); clear it when space is back. A vanished folder raises the storage alarm."""
        root: Path = self.recordings.root
        now = self._clock()
        if not root.is_dir():
            self._raise("storage", f"the recordings folder {root} is unavailable", now)
            return
        try:
            report = self.recordings.apply_retention()
        except StorageError as err:
            self._raise("storage", str(err), now)
            return
        with self._lock:
            if "storage" in self._alarms and not self._storage_failures:
                self._alarms.pop("storage")
        limits = self.recordings.limits
        if report.still_short_bytes > 0:
            short = _size(report.still_short_bytes)
            self._raise("disk full", f"the recordings disk is full: {short} short of the free-space reserve", now)
        elif report.free_bytes >= max(limits.free_reserve_bytes, RESUME_FREE_BYTES):
            with self._lock:
                alarm = self._alarms.pop("disk full", None)
                failures = [c for c, f in self._storage_failures.items() if f.disk_full]
                for cid in failures:
                    self._storage_failures.pop(cid)
            if alarm is not None:
                log.warning("recording alarm cleared: disk space is back (%d MB free)", report.free_bytes // 1024**2)

    def _raise(self, kind: str, message: str, now: datetime) -> None:
        with self._lock:
            if kind in self._alarms:
                return
            self._alarms[kind] = Alarm(kind, message, now)
        log.error("recording alarm: %s", message)
