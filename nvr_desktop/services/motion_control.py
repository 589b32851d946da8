"""Runs server-side motion detection: tells the stream engine which cameras to watch (and how), and stores what
it detects as events, exactly like an edge agent's: same EventRow, snapshot file, alert rules, event recording.

One named thread ("motion-control") re-reads the cameras (at start, every reload_s, and on reload()) and writes
the detections the engine's event-reader thread queued, so a slow disk never holds up the stream events.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from edge.protocol import DEVICE_ID_PATTERN, Detection, new_detection_id
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.events.store import EventStore
from nvr_desktop.media.motion_tap import MotionEvent, MotionListener
from nvr_desktop.media.supervisor import CameraStreams
from nvr_desktop.services.cameras import CameraService
from nvr_desktop.services.recording_control import camera_streams
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import utcnow

log = logging.getLogger("services.motion")
USER = "motion"  # the engine user name of motion connections
#: The labels of a server-side motion event (agents send none or their own).
LABELS = ("motion",)


def motion_device_id(camera_id: int) -> str:
    """The device id events of the desktop's own motion detection carry: names the server and the camera."""
    device_id = f"nvr-motion-cam{camera_id}"
    assert DEVICE_ID_PATTERN.fullmatch(device_id)
    return device_id


class MotionEngine(Protocol):
    """What motion detection needs from the stream engine."""

    def add_camera(self, camera_id: int, streams: CameraStreams, *, user: str = ...) -> None:
        """Connect a camera."""

    def remove_camera(self, camera_id: int, *, user: str | None = ...) -> None:
        """Let go of a camera."""

    def set_motion(self, camera_id: int, settings: MotionSettings | None) -> None:
        """Detect motion on a camera (None: stop)."""

    def add_motion_listener(self, listener: MotionListener) -> None:
        """Receive motion detections."""


class MotionControl:
    """Keeps the engine's motion detection in step with the cameras' settings and stores the detections."""

    def __init__(
        self,
        db: Database,
        cameras: CameraService,
        engine: MotionEngine,
        store: EventStore,
        owner: Principal,
        *,
        reload_s: float = 15.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._cameras = cameras
        self._engine = engine
        self._store = store
        self._owner = owner
        self._reload_s = reload_s
        self._clock = clock
        self._detections: queue.Queue[MotionEvent] = queue.Queue(maxsize=1000)
        self._watching: dict[int, tuple[CameraStreams, MotionSettings]] = {}
        self._sequence = 0
        self._reload = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.stored = 0  # events written, for figures and tests

    def start(self) -> None:
        """Start watching the cameras with motion on (first load on the control thread)."""
        self._engine.add_motion_listener(self._queue)
        self._reload.set()
        self._thread = threading.Thread(target=self._run, name="motion-control", daemon=True)
        self._thread.start()

    def reload(self) -> None:
        """Camera settings changed: re-read them now."""
        self._reload.set()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the control thread after storing what is queued (the engine closes after this)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._store_queued()

    def watching(self) -> set[int]:
        """Cameras with motion detection running."""
        return set(self._watching)

    # ---- engine side (event-reader thread) ---------------------------------------------------------------

    def _queue(self, event: MotionEvent) -> None:
        try:
            self._detections.put_nowait(event)
        except queue.Full:  # the disk is stuck: drop rather than grow without bound
            log.warning("camera %s: motion event dropped, %d waiting", event.camera_id, self._detections.qsize())

    # ---- control thread ----------------------------------------------------------------------------------

    def _run(self) -> None:
        next_load = 0.0
        while not self._stop.is_set():
            try:
                if self._reload.is_set() or time.monotonic() >= next_load:
                    self._reload.clear()
                    next_load = time.monotonic() + self._reload_s
                    self._load()
                try:
                    event = self._detections.get(timeout=0.2)
                except queue.Empty:
                    continue
                self._store_one(event)
                self._store_queued()
            except Exception:  # the loop must survive anything; the next turn tries again
                log.exception("motion control step failed")
                self._stop.wait(1.0)

    def _load(self) -> None:
        cameras = {c.id: c for c in self._db.read(repo.list_cameras) if c.enabled and c.motion.enabled}
        for cid in [c for c in self._watching if c not in cameras]:
            self._watching.pop(cid)
            self._engine.set_motion(cid, None)
            self._engine.remove_camera(cid, user=USER)
            log.info("camera %s: motion detection off", cid)
        for cid, camera in sorted(cameras.items()):
            wanted = (self._streams(camera), camera.motion)
            if self._watching.get(cid) == wanted:
                continue
            self._engine.add_camera(cid, wanted[0], user=USER)
            self._engine.set_motion(cid, camera.motion)
            self._watching[cid] = wanted
            log.info("camera %s: motion detection on (sensitivity %d)", cid, camera.motion.sensitivity)

    def _streams(self, camera: Camera) -> CameraStreams:
        return camera_streams(self._cameras, self._owner, camera)

    def _store_queued(self) -> None:
        while True:
            try:
                event = self._detections.get_nowait()
            except queue.Empty:
                return
            self._store_one(event)

    def _store_one(self, event: MotionEvent) -> None:
        # A sequence that only grows (milliseconds, bumped on ties), like an agent's spool numbering.
        self._sequence = max(self._sequence + 1, int(event.captured_at * 1000))
        detection = Detection(
            new_detection_id(),
            motion_device_id(event.camera_id),
            self._sequence,
            datetime.fromtimestamp(event.captured_at, UTC),
            event.score,
            event.boxes[:64],
            event.frame_size,
            LABELS,
        )
        self._store.record(detection, event.jpeg, self._clock(), 0.0, camera_id=event.camera_id)
        self.stored += 1
