"""Live view: connects the cameras a user may see (or the demo cameras) to the stream engine."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from nvr_desktop.core.models import Principal
from nvr_desktop.media.demo import DEMO_ID_BASE, DEMO_NAMES, demo_camera, demo_name
from nvr_desktop.media.procpool import ProcessStreamEngine
from nvr_desktop.media.state import DisplayWish
from nvr_desktop.media.supervisor import CameraStreams
from nvr_desktop.media.worker import StateListener
from nvr_desktop.services.cameras import CameraService
from nvr_desktop.services.recording_control import camera_streams

log = logging.getLogger("services.live")


@dataclass(frozen=True)
class LiveCamera:
    """A camera on the wall."""

    id: int
    name: str
    demo: bool = False


class LiveView:
    """Starts one supervised connection per visible camera; the wall then says which to decode."""

    def __init__(
        self,
        cameras: CameraService,
        supervisor: ProcessStreamEngine,
        demo_dir: Path,
        *,
        owns_engine: bool = True,
        on_state: StateListener | None = None,
    ) -> None:
        self._cameras = cameras
        self.supervisor = supervisor
        self._demo_dir = demo_dir
        self._owns_engine = owns_engine
        self._on_state = on_state
        self._connected: set[int] = set()
        self._stop = threading.Event()
        self._demo_thread: threading.Thread | None = None
        self._demo_threads: list[threading.Thread] = []  # every generation started, joined on close
        self._demo_stop = threading.Event()
        self._demo_lock = threading.Lock()  # a demo camera is connected, or demo generation stopped, never both
        if on_state is not None and not owns_engine:
            supervisor.add_state_listener(on_state)

    def connect(self, principal: Principal, *, demo: bool = False, limit: int | None = None) -> list[LiveCamera]:
        """Connect the principal's enabled cameras; demo cameras when asked or when none is configured at all.

        Called again after cameras change (added, edited, removed, disabled), it reconciles: unchanged cameras keep
        their connection, new ones connect, and those no longer wanted (the demo cameras once a real one exists)
        are let go.
        """
        if demo or not self._cameras.any_configured():
            live = self.connect_demo()
            self._let_go(self._connected - {c.id for c in live})
            return live
        self._stop_demo()
        live = []
        for camera in self._cameras.list(principal)[:limit]:
            if not camera.enabled:
                continue
            self.supervisor.add_camera(camera.id, camera_streams(self._cameras, principal, camera))
            self._connected.add(camera.id)
            live.append(LiveCamera(camera.id, camera.name))
        self._let_go(self._connected - {c.id for c in live})
        log.info("connected %d cameras for %s", len(live), principal.name)
        return live

    def connect_demo(self, count: int = len(DEMO_NAMES)) -> list[LiveCamera]:
        """The built-in demo cameras (generated clips, no network); clips are made in the background."""
        live = [LiveCamera(DEMO_ID_BASE + i + 1, demo_name(i), demo=True) for i in range(count)]
        if self._demo_thread is None:
            self._demo_stop = threading.Event()
            self._demo_thread = threading.Thread(
                target=self._start_demo, args=(count, self._demo_stop), name="demo-clips"
            )
            self._demo_threads.append(self._demo_thread)
            self._demo_thread.start()
        return live

    def _start_demo(self, count: int, stop: threading.Event) -> None:
        # Each clip takes about half a second to encode the first time; connect each as soon as it exists.
        for index in range(count):
            if self._stop.is_set() or stop.is_set():
                return
            demo = demo_camera(self._demo_dir, index)
            with self._demo_lock:
                if self._stop.is_set() or stop.is_set():
                    return
                self.supervisor.add_camera(demo.id, CameraStreams(main=demo.spec))
                self._connected.add(demo.id)

    def _stop_demo(self) -> None:
        """End demo-clip generation (a real camera exists now); the demo cameras are let go by the caller."""
        if self._demo_thread is None:
            return
        with self._demo_lock:
            self._demo_stop.set()
        self._demo_thread = None

    def _let_go(self, camera_ids: set[int]) -> None:
        for camera_id in sorted(camera_ids):
            self.supervisor.set_display(camera_id, DisplayWish())
            self.supervisor.remove_camera(camera_id, user="live")
            self._connected.discard(camera_id)

    def close(self, timeout: float = 15.0) -> None:
        """Stop demo-clip generation and let go of the streams (recording keeps the ones it needs)."""
        self._stop.set()
        for thread in self._demo_threads:
            thread.join(timeout)
        if self._owns_engine:
            self.supervisor.close(timeout)
            return
        if self._on_state is not None:
            self.supervisor.remove_state_listener(self._on_state)
        for camera_id in sorted(self._connected):
            self.supervisor.set_display(camera_id, DisplayWish())  # nobody watches it any more
            self.supervisor.remove_camera(camera_id, user="live")
        self._connected.clear()
