"""The stream engine spread over a few child processes, so 128 camera threads never compete with the GUI's GIL.

Each child runs a StreamSupervisor for its share of the cameras (camera id modulo the process count) and writes
pictures into shared-memory slots the parent owns (shared_frames.py). Commands go down a pipe per child; state
changes, recorder events and periodic figures come back on one queue, read by a parent thread that calls the
listeners. Recording attaches to the packets inside the child that owns the camera (one connection per camera).
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import math
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.media.motion_tap import MotionEvent, MotionListener
from nvr_desktop.media.recorder import RecorderEvent, RecorderListener
from nvr_desktop.media.shared_frames import SharedFrameStore, SlotWriter
from nvr_desktop.media.state import DisplayWish, StreamState, StreamStats
from nvr_desktop.media.supervisor import CameraStreams, RecordOrder, StreamSupervisor
from nvr_desktop.media.worker import StateListener

log = logging.getLogger("media.procpool")
STATS_INTERVAL_S = 0.5
LIVENESS_INTERVAL_S = 0.5
#: Cameras whose every frame one stream process decodes beside its recordings (server-side motion, without a wall).
DECODING_PER_PROCESS = 32
#: How far below normal priority the stream processes run while a wall is on screen, so the GUI thread gets a core
#: when it wakes instead of queueing behind decoder threads. 128 tiles on 2 cores, worst paint: 72 ms at normal
#: priority, 35 ms at +5; worst tick handler 52 against 26 ms (one run each, tools in the session note). Without a
#: wall (the headless service) they keep normal priority: recording then competes with nothing of ours.
DISPLAY_NICENESS = 5


def stream_processes(*, display: bool, decoding: int = 0, cores: int | None = None) -> int:
    """How many stream processes to start.

    With a wall to feed: one per core, up to 4; the decoding and scaling for up to 128 tiles then spreads over every
    core (on 2 cores, one process showed a 128-tile wall at 13 fps per tile, two at up to 23). Without one (the
    headless service): one process, plus one per DECODING_PER_PROCESS cameras decoded for motion. Recording only
    demuxes and writes, holding the GIL briefly per packet, and a second process only added context switches: 128
    cameras recorded for 0.261 and 0.261 cores in one process against 0.293 and 0.270 in two (alternating runs).
    """
    limit = max(1, min(4, cores or os.cpu_count() or 1))
    if display:
        return limit
    return max(1, min(limit, math.ceil(decoding / DECODING_PER_PROCESS)))


@dataclass(frozen=True)
class _Command:
    verb: str  # add, remove, display, record, motion, stop
    camera_id: int = 0
    payload: Any = None


def lower_priority(niceness: int) -> None:
    """Run this process below normal priority (niceness added on POSIX; below-normal class on Windows)."""
    if niceness <= 0:
        return
    try:
        if sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), 0x00004000)  # BELOW_NORMAL_PRIORITY_CLASS
        else:
            os.nice(niceness)
    except OSError as err:
        log.warning("could not lower the stream process's priority: %s", err)


def _child_main(
    index: int, commands: Connection, events: Any, budget_cores: float, log_level: int, niceness: int = 0
) -> None:
    """Entry point of a stream process."""
    # Ctrl+C in a terminal reaches the whole process group: the parent stops its children itself, in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    lower_priority(niceness)
    # Log records travel to the parent, whose handlers (file, redaction) write them.
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(events)]
    root.setLevel(log_level)
    writer = SlotWriter()
    supervisor = StreamSupervisor(
        writer,
        on_state=lambda cid, st: events.put(("state", cid, st)),
        budget_cores=budget_cores,
        on_record=lambda event: events.put(("rec", event)),
        on_motion=lambda event: events.put(("motion", event)),
    )
    parent = os.getppid()
    next_stats = time.monotonic() + STATS_INTERVAL_S
    try:
        while True:
            if commands.poll(0.1):
                try:
                    cmd: _Command = commands.recv()
                except EOFError:
                    break
                if cmd.verb == "stop":
                    break
                if cmd.verb == "add":
                    supervisor.add_camera(cmd.camera_id, cmd.payload)
                elif cmd.verb == "remove":
                    supervisor.remove_camera(cmd.camera_id)
                    writer.drop(cmd.camera_id)
                elif cmd.verb == "record":
                    supervisor.set_recording(cmd.camera_id, cmd.payload)
                elif cmd.verb == "motion":
                    supervisor.set_motion(cmd.camera_id, cmd.payload)
                elif cmd.verb == "display":
                    wish, slot = cmd.payload
                    if slot is not None:
                        writer.attach(cmd.camera_id, slot)
                    supervisor.set_display(cmd.camera_id, wish)
            if os.getppid() != parent:
                break  # the GUI process died: do not linger
            if time.monotonic() >= next_stats:
                next_stats += STATS_INTERVAL_S
                events.put(("stats", index, {cid: supervisor.stats(cid) for cid in supervisor.camera_ids()}))
    finally:
        supervisor.close()
        writer.close()


class ProcessStreamEngine:
    """Same interface as StreamSupervisor for the wall and the live view, with the work in child processes."""

    def __init__(
        self,
        *,
        processes: int | None = None,
        on_state: StateListener | None = None,
        budget_cores: float | None = None,
        niceness: int = 0,
    ) -> None:
        """niceness: how far below normal priority the stream processes run (DISPLAY_NICENESS under a wall)."""
        count = processes or max(1, min(4, os.cpu_count() or 1))
        self.niceness = niceness
        self.frames = SharedFrameStore()
        self._state_listeners: list[StateListener] = [on_state] if on_state is not None else []
        self._record_listeners: list[RecorderListener] = []
        self._motion_listeners: list[MotionListener] = []
        self._orders: dict[int, RecordOrder] = {}
        self._motions: dict[int, MotionSettings] = {}
        self._users: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        self._stats: dict[int, StreamStats] = {}
        # What each camera was told, replayed into a stream process that had to be restarted.
        self._streams: dict[int, CameraStreams] = {}
        self._wishes: dict[int, DisplayWish] = {}
        self._closed = False
        self.restarts = 0
        self._ctx = mp.get_context("spawn")  # never fork a process that runs Qt
        self._events: Any = self._ctx.Queue()
        self._per_process = (budget_cores if budget_cores is not None else 0.75 * (os.cpu_count() or 2)) / count
        self._pipes: list[Connection] = []
        self._children: list[Any] = []
        for index in range(count):
            pipe, child = self._spawn(index)
            self._pipes.append(pipe)
            self._children.append(child)
        self._reader = threading.Thread(target=self._read_events, name="stream-events", daemon=True)
        self._reader.start()

    def _spawn(self, index: int) -> tuple[Connection, Any]:
        parent_end, child_end = self._ctx.Pipe()
        child = self._ctx.Process(
            target=_child_main,
            args=(
                index,
                child_end,
                self._events,
                self._per_process,
                logging.getLogger().getEffectiveLevel(),
                self.niceness,
            ),
            name=f"nvr-streams-{index}",
            daemon=True,
        )
        child.start()
        child_end.close()
        return parent_end, child

    def _revive(self) -> None:
        """Restart any stream process that died (a crash in a decoder, an out-of-memory kill) and replay its cameras."""
        for index, child in enumerate(self._children):
            if child.is_alive():
                continue
            with self._lock:
                if self._closed:
                    return
                log.error("stream process %s ended (exit code %s); restarting it", child.name, child.exitcode)
                with contextlib.suppress(OSError):
                    self._pipes[index].close()
                self._pipes[index], self._children[index] = self._spawn(index)
                self.restarts += 1
                mine = [cid for cid in self._streams if cid % len(self._children) == index]
                replay = [
                    (cid, self._streams[cid], self._wishes.get(cid), self._orders.get(cid), self._motions.get(cid))
                    for cid in mine
                ]
            for cid, streams, wish, order, motion in replay:
                self._notify_state(cid, StreamStats(state=StreamState.RECONNECTING, message="stream process restarted"))
                self._send(cid, _Command("add", cid, streams))
                if wish is not None:
                    self._send(cid, _Command("display", cid, (wish, self.frames.slot_name(cid))))
                if order is not None:
                    self._send(cid, _Command("record", cid, order))
                if motion is not None:
                    self._send(cid, _Command("motion", cid, motion))

    def add_state_listener(self, listener: StateListener) -> None:
        """Also call listener(camera_id, stats) on every state change (on the event-reader thread)."""
        with self._lock:
            self._state_listeners = [*self._state_listeners, listener]

    def remove_state_listener(self, listener: StateListener) -> None:
        """Stop calling listener."""
        with self._lock:
            self._state_listeners = [x for x in self._state_listeners if x is not listener]

    def add_record_listener(self, listener: RecorderListener) -> None:
        """Call listener(event) for every recorder event of every camera (on the event-reader thread)."""
        with self._lock:
            self._record_listeners = [*self._record_listeners, listener]

    def add_motion_listener(self, listener: MotionListener) -> None:
        """Call listener(event) for every server-side motion detection (on the event-reader thread)."""
        with self._lock:
            self._motion_listeners = [*self._motion_listeners, listener]

    def set_motion(self, camera_id: int, settings: MotionSettings | None) -> None:
        """Detect motion on a camera in the process that owns it (None or disabled settings: off)."""
        with self._lock:
            if settings is None or not settings.enabled:
                self._motions.pop(camera_id, None)
            else:
                self._motions[camera_id] = settings
        self._send(camera_id, _Command("motion", camera_id, settings))

    def _notify_state(self, camera_id: int, stats: StreamStats) -> None:
        for listener in self._state_listeners:
            try:
                listener(camera_id, stats)
            except Exception:
                log.exception("state listener failed")

    def set_recording(self, camera_id: int, order: RecordOrder | None) -> None:
        """Record a camera as ordered, in the process that owns it (None: no recorder)."""
        with self._lock:
            if order is None:
                self._orders.pop(camera_id, None)
            else:
                self._orders[camera_id] = order
        self._send(camera_id, _Command("record", camera_id, order))

    def process_ids(self) -> tuple[int, ...]:
        """Process ids of the stream processes (for figures and diagnostics)."""
        return tuple(child.pid for child in self._children if child.pid is not None)

    def _send(self, camera_id: int, command: _Command) -> None:
        pipe = self._pipes[camera_id % len(self._pipes)]
        with self._lock:
            if not self._closed:
                with contextlib.suppress(OSError):  # a dead process: _revive() replays the camera
                    pipe.send(command)

    def add_camera(self, camera_id: int, streams: CameraStreams, *, user: str = "live") -> None:
        """Connect a camera in the process that owns it; user names who needs it (live view, recording)."""
        with self._lock:
            self._users.setdefault(camera_id, set()).add(user)
            same = self._streams.get(camera_id) == streams
            self._streams[camera_id] = streams
        if not same:
            self._send(camera_id, _Command("add", camera_id, streams))

    def remove_camera(self, camera_id: int, *, user: str | None = None) -> None:
        """Let go of a camera; it disconnects (and its slot is freed) when no user needs it any more."""
        with self._lock:
            users = self._users.get(camera_id, set())
            if user is not None:
                users.discard(user)
                if users:
                    return
            self._users.pop(camera_id, None)
            self._streams.pop(camera_id, None)
            self._wishes.pop(camera_id, None)
            self._stats.pop(camera_id, None)
            self._orders.pop(camera_id, None)
            self._motions.pop(camera_id, None)
        self._send(camera_id, _Command("remove", camera_id))
        self.frames.drop(camera_id)

    def camera_ids(self) -> list[int]:
        """Cameras under supervision."""
        with self._lock:
            return sorted(self._streams)

    def set_display(self, camera_id: int, wish: DisplayWish) -> None:
        """How a camera is shown; grows its picture slot first when the tile got bigger."""
        slot = self.frames.ensure_slot(camera_id, wish.box) if wish.visible else None
        with self._lock:
            self._wishes[camera_id] = wish
        self._send(camera_id, _Command("display", camera_id, (wish, slot)))

    def stats(self, camera_id: int) -> StreamStats:
        """The last figures the owning process reported (stopped: nobody asked for this camera)."""
        with self._lock:
            waiting = StreamState.CONNECTING if camera_id in self._streams else StreamState.STOPPED
            return self._stats.get(camera_id, StreamStats(state=waiting))

    def _read_events(self) -> None:
        next_check = time.monotonic() + LIVENESS_INTERVAL_S
        while True:
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + LIVENESS_INTERVAL_S
                self._revive()
            try:
                event = self._events.get(timeout=LIVENESS_INTERVAL_S)
            except (queue.Empty, OSError, ValueError):  # nothing yet, or the queue closed under us
                if self._closed:
                    return
                continue
            if event is None:
                return
            if isinstance(event, logging.LogRecord):
                logging.getLogger(event.name).handle(event)
                continue
            kind = event[0]
            if kind == "state":
                _, camera_id, stats = event
                with self._lock:
                    self._stats[camera_id] = stats
                self._notify_state(camera_id, stats)
            elif kind == "rec":
                record_event: RecorderEvent = event[1]
                for listener in self._record_listeners:
                    try:
                        listener(record_event)
                    except Exception:
                        log.exception("recorder listener failed")
            elif kind == "motion":
                motion_event: MotionEvent = event[1]
                for motion_listener in self._motion_listeners:
                    try:
                        motion_listener(motion_event)
                    except Exception:
                        log.exception("motion listener failed")
            elif kind == "stats":
                with self._lock:
                    for camera_id, stats in event[2].items():
                        if camera_id in self._streams:
                            self._stats[camera_id] = stats

    def close(self, timeout: float = 15.0) -> None:
        """Stop the children (bounded), the event reader, and free every slot."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        for pipe in self._pipes:
            with contextlib.suppress(OSError):
                pipe.send(_Command("stop"))
        deadline = time.monotonic() + timeout
        for child in self._children:
            child.join(max(0.1, deadline - time.monotonic()))
            if child.is_alive():
                log.warning("stream process %s did not stop in time; killing it", child.name)
                child.kill()
                child.join(2)
        self._events.put(None)
        self._reader.join(5)
        self._events.close()
        self._events.join_thread()
        for pipe in self._pipes:
            pipe.close()
        self.frames.close()
