"""Owns every stream worker: starts and stops them, routes display wishes, and governs decode load."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.media.frames import FrameSink
from nvr_desktop.media.motion_tap import MotionEvent, MotionListener, MotionTap
from nvr_desktop.media.recorder import RecorderListener, RecordingGate, SegmentRecorder
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import (
    PROTECTED_PRIORITY,
    DecodeMode,
    DisplayWish,
    Profile,
    StreamState,
    StreamStats,
)
from nvr_desktop.media.worker import DEFAULT_BACKOFF, Backoff, StateListener, StreamWorker

log = logging.getLogger("media.supervisor")


@dataclass(frozen=True)
class CameraStreams:
    """The sources of one camera: main stream, optional sub-stream for tiles."""

    main: SourceSpec
    sub: SourceSpec | None = None


@dataclass(frozen=True)
class RecordOrder:
    """How a camera records now: where, in segments of what length, and whether writing (armed) or only pre-rolling."""

    root: Path
    segment_s: float = 300.0
    armed: bool = True
    pre_roll_s: float = 0.0


class LoadGovernor:
    """Moves the least important tiles to keyframe-only decode over the CPU budget, and back under it."""

    def __init__(
        self,
        budget_cores: float,
        *,
        low_water: float = 0.6,
        hold_s: float = 3.0,
        cpu_clock: Callable[[], float] = time.process_time,
        wall_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.budget_cores = budget_cores
        self.low_water = low_water
        self.hold_s = hold_s
        self._cpu_clock = cpu_clock
        self._wall_clock = wall_clock
        self._last = (wall_clock(), cpu_clock())
        self._last_change = -math.inf
        self.cores = 0.0

    def measure(self) -> float:
        """CPU cores the process used since the last call."""
        wall, cpu = self._wall_clock(), self._cpu_clock()
        dw = wall - self._last[0]
        if dw > 0:
            self.cores = (cpu - self._last[1]) / dw
        self._last = (wall, cpu)
        return self.cores

    def decide(self, cores: float, tiles: list[tuple[int, int, DecodeMode]]) -> dict[int, DecodeMode]:
        """Given (camera id, priority, mode) of decoding tiles, return the mode changes to make."""
        now = self._wall_clock()
        full = sorted((p, cid) for cid, p, m in tiles if m is DecodeMode.FULL and p < PROTECTED_PRIORITY)
        degraded = sorted(((p, cid) for cid, p, m in tiles if m is DecodeMode.KEYFRAMES), reverse=True)
        if cores > self.budget_cores and full:
            count = max(1, math.ceil(len(full) * 0.25))
            self._last_change = now
            return {cid: DecodeMode.KEYFRAMES for _, cid in full[:count]}
        if degraded and cores < self.budget_cores * self.low_water and now - self._last_change >= self.hold_s:
            n_full = max(1, len(tiles) - len(degraded))
            per_tile = cores / n_full
            room = self.budget_cores * 0.85 - cores
            count = max(1, min(len(degraded), int(room / per_tile) if per_tile > 0 else len(degraded)))
            self._last_change = now
            return {cid: DecodeMode.FULL for _, cid in degraded[:count]}
        return {}


class StreamSupervisor:
    """One display worker per camera (sub-stream when it has one), plus a main-stream worker on demand."""

    def __init__(
        self,
        frames: FrameSink,
        *,
        on_state: StateListener | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
        budget_cores: float | None = None,
        governor_interval_s: float = 1.0,
        on_record: RecorderListener | None = None,
        on_motion: MotionListener | None = None,
    ) -> None:
        self.frames = frames
        self._on_state = on_state
        self._on_record = on_record
        self._on_motion = on_motion
        self._taps: dict[int, MotionTap] = {}
        self._orders: dict[int, RecordOrder] = {}
        self._gates: dict[int, RecordingGate] = {}
        self._backoff = backoff
        self._lock = threading.RLock()
        self._cameras: dict[int, CameraStreams] = {}
        self._workers: dict[tuple[int, Profile], StreamWorker] = {}
        # Workers told to stop under the lock, joined after it is released (_reap): a stopping worker reports
        # its last state through a relay that takes the lock, so joining it under the lock waited for the join
        # timeout, 10 s of a frozen stream process per removed camera.
        self._retired: list[StreamWorker] = []
        self._wishes: dict[int, DisplayWish] = {}
        self._governed: dict[int, DecodeMode] = {}  # governor's override per camera
        cores = budget_cores if budget_cores is not None else 0.75 * (os.cpu_count() or 2)
        self.governor = LoadGovernor(cores)
        self._interval = governor_interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._govern, name="media-governor", daemon=True)
        self._thread.start()

    # ---- cameras ----------------------------------------------------------------------------------

    def add_camera(self, camera_id: int, streams: CameraStreams) -> None:
        """Connect a camera (demux only until a tile shows it); replaces an older definition."""
        with self._lock:
            if self._cameras.get(camera_id) == streams:
                return
            self._stop_workers(camera_id)
            self._cameras[camera_id] = streams
            self._sync(camera_id)
        self._reap()

    def remove_camera(self, camera_id: int) -> None:
        """Disconnect a camera and forget its frame (its recording ends)."""
        with self._lock:
            self._cameras.pop(camera_id, None)
            self._wishes.pop(camera_id, None)
            self._governed.pop(camera_id, None)
            self._stop_workers(camera_id)
            self._orders.pop(camera_id, None)
            self._taps.pop(camera_id, None)
            gate = self._gates.pop(camera_id, None)
        self._reap()  # the old connection has ended before its recording is closed
        if gate is not None:
            gate.close()
        self.frames.drop(camera_id)

    def set_recording(self, camera_id: int, order: RecordOrder | None) -> None:
        """Record the camera's main stream as ordered (None: no recorder at all, not even a pre-roll)."""
        old_gate: RecordingGate | None = None
        with self._lock:
            previous = self._orders.get(camera_id)
            if order == previous:
                return
            gate = self._gates.get(camera_id)
            if order is None or (
                gate is not None
                and previous is not None
                and (previous.root, previous.segment_s) != (order.root, order.segment_s)
            ):
                old_gate = self._gates.pop(camera_id, None)
                if old_gate is not None:
                    self._detach(camera_id, old_gate)
                gate = None
            if order is None:
                self._orders.pop(camera_id, None)
            else:
                self._orders[camera_id] = order
                if gate is None:
                    recorder = SegmentRecorder(
                        camera_id, order.root, segment_s=order.segment_s, on_event=self._on_record
                    )
                    gate = RecordingGate(recorder, pre_roll_s=order.pre_roll_s, armed=order.armed)
                    self._gates[camera_id] = gate
                    self._attach(camera_id, gate)
                else:
                    gate.set_armed(order.armed, order.pre_roll_s)
            self._sync(camera_id)
        self._reap()
        if old_gate is not None:
            old_gate.close()

    def set_motion(self, camera_id: int, settings: MotionSettings | None) -> None:
        """Detect motion on the camera's sub-stream (main without one) with these settings (None or disabled: off).

        Like recording, this keeps that stream connected and decoding with no tile showing it.
        """
        with self._lock:
            tap = self._taps.get(camera_id)
            if settings is None or not settings.enabled:
                if tap is None:
                    return
                self._taps.pop(camera_id)
            else:
                if tap is not None and tap.settings == settings:
                    return
                self._taps[camera_id] = MotionTap(camera_id, settings, self._motion_event)
            self._sync(camera_id)
        self._reap()

    def _motion_event(self, event: MotionEvent) -> None:
        if self._on_motion is not None:
            try:
                self._on_motion(event)
            except Exception:
                log.exception("motion listener failed")

    def _motion_profile(self, camera_id: int) -> Profile:
        return "sub" if self._cameras[camera_id].sub is not None else "main"

    def _attach(self, camera_id: int, gate: RecordingGate) -> None:
        worker = self._workers.get((camera_id, "main"))
        if worker is not None:
            worker.add_packet_sink(gate, gate.end_of_stream)

    def _detach(self, camera_id: int, gate: RecordingGate) -> None:
        worker = self._workers.get((camera_id, "main"))
        if worker is not None:
            worker.remove_packet_sink(gate, gate.end_of_stream)

    def camera_ids(self) -> list[int]:
        """Cameras under supervision."""
        with self._lock:
            return sorted(self._cameras)

    def set_display(self, camera_id: int, wish: DisplayWish) -> None:
        """Tell the supervisor how a camera is shown now (hidden tiles decode nothing)."""
        with self._lock:
            if self._wishes.get(camera_id) == wish:
                return
            old = self._wishes.get(camera_id)
            self._wishes[camera_id] = wish
            if old is None or old.visible != wish.visible or old.profile != wish.profile:
                self._governed.pop(camera_id, None)
            self._sync(camera_id)
        self._reap()

    def worker(self, camera_id: int, profile: Profile | None = None) -> StreamWorker | None:
        """The worker now serving the camera's display (or the given profile)."""
        with self._lock:
            if profile is not None:
                return self._workers.get((camera_id, profile))
            return self._workers.get((camera_id, self._display_profile(camera_id)))

    def stats(self, camera_id: int) -> StreamStats:
        """Live figures of the camera's display stream."""
        w = self.worker(camera_id)
        return w.stats if w is not None else StreamStats(state=StreamState.STOPPED)

    def all_workers(self) -> list[StreamWorker]:
        """Every running worker."""
        with self._lock:
            return list(self._workers.values())

    # ---- internals (lock held) --------------------------------------------------------------------

    def _display_profile(self, camera_id: int) -> Profile:
        streams = self._cameras.get(camera_id)
        wish = self._wishes.get(camera_id, DisplayWish())
        if streams is None or streams.sub is None:
            return "main"
        return wish.profile

    def _spec(self, camera_id: int, profile: Profile) -> SourceSpec:
        streams = self._cameras[camera_id]
        return streams.sub if profile == "sub" and streams.sub is not None else streams.main

    def _sync(self, camera_id: int) -> None:
        if camera_id not in self._cameras:
            return
        wish = self._wishes.get(camera_id, DisplayWish())
        shown = self._display_profile(camera_id)
        tile_profile: Profile = "sub" if self._cameras[camera_id].sub is not None else "main"
        wanted = {tile_profile, shown}
        if camera_id in self._orders:
            wanted.add("main")  # recording always takes the main stream
        tap = self._taps.get(camera_id)
        motion_profile = self._motion_profile(camera_id)
        if tap is not None:
            wanted.add(motion_profile)
        profiles: tuple[Profile, Profile] = ("main", "sub")
        for profile in profiles:
            key = (camera_id, profile)
            if profile in wanted and key not in self._workers:
                me: list[StreamWorker] = []
                worker = StreamWorker(
                    camera_id,
                    self._spec(camera_id, profile),
                    self.frames,
                    on_state=self._state_from(profile, me),
                    backoff=self._backoff,
                    name=f"stream-cam{camera_id}-{profile}",
                )
                me.append(worker)
                self._workers[key] = worker
                worker.set_display(DecodeMode.OFF)
                gate = self._gates.get(camera_id)
                if profile == "main" and gate is not None:
                    worker.add_packet_sink(gate, gate.end_of_stream)
                worker.start()
            elif profile not in wanted and key in self._workers:
                self._retire(self._workers.pop(key))
        for (cid, profile), worker in self._workers.items():
            if cid != camera_id:
                continue
            wanted_tap = tap if profile == motion_profile else None
            if worker.motion is not wanted_tap:
                worker.set_motion(wanted_tap)
            if profile == shown and wish.visible:
                worker.set_display(self._governed.get(camera_id, DecodeMode.FULL), wish.box)
            else:
                worker.set_display(DecodeMode.OFF)

    def _state_from(self, profile: Profile, me: list[StreamWorker]) -> StateListener:
        """Relay a worker's states while it serves the shown profile. A retired worker that another one has
        replaced (the camera re-added or edited) stays silent: its late "stopped" would otherwise overwrite the new
        worker's "live". Delivered under the lock so that the listener sees the reports in the order they were
        judged current (listeners only queue the report, they never call back into the supervisor)."""

        def relay(camera_id: int, stats: StreamStats) -> None:
            with self._lock:
                current = self._workers.get((camera_id, profile))
                if current is not None and current is not me[0]:
                    return
                if profile == self._display_profile(camera_id) and self._on_state is not None:
                    self._on_state(camera_id, stats)

        return relay

    def _stop_workers(self, camera_id: int) -> None:
        for key in [k for k in self._workers if k[0] == camera_id]:
            self._retire(self._workers.pop(key))

    def _retire(self, worker: StreamWorker) -> None:
        """Tell a worker to stop without waiting (lock held); its packets stop reaching the recorder at once."""
        gate = self._gates.get(worker.camera_id)
        if gate is not None:
            worker.remove_packet_sink(gate, gate.end_of_stream)
        worker.request_stop()
        self._retired.append(worker)

    def _reap(self) -> None:
        """Wait for the retired workers to end, with the lock released (bounded by each worker's join timeout)."""
        with self._lock:
            retired, self._retired = self._retired, []
        for worker in retired:
            if not worker.stop():
                log.warning("camera %s: a stream worker did not stop in time", worker.camera_id)

    # ---- governor ---------------------------------------------------------------------------------

    def _govern(self) -> None:
        self.governor.measure()
        while not self._stop.wait(self._interval):
            cores = self.governor.measure()
            with self._lock:
                tiles = []
                for cid, wish in self._wishes.items():
                    worker = self._workers.get((cid, self._display_profile(cid)))
                    if wish.visible and worker is not None and worker.stats.state is StreamState.LIVE:
                        tiles.append((cid, wish.priority, worker.mode))
                changes = self.governor.decide(cores, tiles)
                for cid, mode in changes.items():
                    if mode is DecodeMode.FULL:
                        self._governed.pop(cid, None)
                    else:
                        self._governed[cid] = mode
                    self._sync(cid)
            self._reap()
            if changes:
                log.info("governor at %.2f cores: %s", cores, {c: m.value for c, m in changes.items()})

    def close(self, timeout: float = 15.0) -> None:
        """Stop every worker and the governor; bounded wait."""
        self._stop.set()
        self._thread.join(timeout)
        with self._lock:
            workers = list(self._workers.values()) + self._retired
            self._retired = []
            self._workers.clear()
            self._cameras.clear()
            self._wishes.clear()
            gates = list(self._gates.values())
            self._gates.clear()
            self._orders.clear()
            self._taps.clear()
        for worker in workers:
            worker.request_stop()  # ask all first, then wait: stopping 128 streams takes one timeout, not 128
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.stop(max(0.1, deadline - time.monotonic()))
        for gate in gates:  # a worker that did not stop in time must not keep a segment open
            gate.close()
