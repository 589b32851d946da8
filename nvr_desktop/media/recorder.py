"""Stream-copy recording into crash-safe segments: fragmented MP4, one fragment per key frame, cut on key frames.

A SegmentRecorder is a packet sink of a stream worker (the camera's one connection): it never decodes or
re-encodes. Files are laid out as <root>/<camera>/<YYYY-MM-DD>/<UTC start>.mp4; a name is never reused, so a
restart never truncates earlier footage. Timestamps are rewritten to start at zero in each segment and to never
go backwards (cameras send duplicated, backwards and jumping timestamps).
"""

from __future__ import annotations

import collections
import contextlib
import errno
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import av.error

log = logging.getLogger("media.recorder")
#: Fragmented MP4: playable up to the last complete fragment after a kill or a power cut.
#: flush_packets hands each finished fragment to the OS at once, so a killed process loses at most the open GOP.
MP4_OPTIONS = {"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"}
#: A gap larger than this between packets starts a new segment instead of stretching the file.
MAX_JUMP_S = 10.0
#: After a write error (disk full, folder gone) wait this long before trying a new segment.
RETRY_S = 5.0


@dataclass(frozen=True)
class RecorderEvent:
    """What a recorder tells the index (it crosses a process boundary, so it is plain data).

    kind: "opened" (a segment file was created), "closed" (finished; reason says why: "rotate", "camera offline",
    "stopped", "timestamp jump", "error") or "failed" (writing is impossible for now; disk_full says why).
    """

    kind: str
    camera_id: int
    at: datetime
    path: Path | None = None
    start: datetime | None = None
    reason: str = ""
    bytes: int = 0
    packets: int = 0
    codec: str = ""
    width: int = 0
    height: int = 0
    disk_full: bool = False


RecorderListener = Callable[[RecorderEvent], None]


@dataclass(frozen=True)
class Segment:
    """A finished (or crash-cut) recording file."""

    camera_id: int
    path: Path
    start: datetime
    end: datetime
    packets: int
    bytes: int

    @property
    def duration_s(self) -> float:
        """Wall-clock length."""
        return (self.end - self.start).total_seconds()


class SegmentRecorder:
    """Writes a camera's video packets into segments of about segment_s seconds, each starting on a key frame."""

    def __init__(
        self,
        camera_id: int,
        root: Path,
        *,
        segment_s: float = 300.0,
        on_segment: Callable[[Segment], None] | None = None,
        on_event: RecorderListener | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.camera_id = camera_id
        self.root = root
        self.segment_s = segment_s
        self._on_segment = on_segment
        self._on_event = on_event
        self._clock = clock
        self._backdate_s = 0.0
        self._retry_at = 0.0
        self.failed: str | None = None  # the last write error, until a segment opens again
        self._lock = threading.Lock()
        self._out: Any = None
        self._out_stream: Any = None
        self._path: Path | None = None
        self._start: datetime | None = None
        self._first_dts: int | None = None
        self._last_dts: int | None = None
        self._packets = 0
        self._template: Any = None
        self._audio_template: Any = None  # the camera's audio track, learnt from its packets
        self._out_audio: Any = None
        self._first_s: float | None = None  # the segment's first video time, seconds: audio is placed against it
        self._last_audio: int | None = None
        self._tick_of: tuple[Any, float] = (None, 0.0)  # (stream, its time base in seconds), cached
        self.segments: list[Segment] = []

    # ---- packet sink (worker thread) ------------------------------------------------------------------

    def __call__(self, packet: Any, stream: Any) -> None:
        """Take one demuxed packet (stream copy)."""
        if packet.dts is None and packet.pts is None:
            return
        if stream.type == "audio":
            self._audio(packet, stream)
            return
        with self._lock:
            # Seconds per tick as a float: Fraction arithmetic on every packet of 128 cameras costs real CPU.
            time_base = self._seconds_per_tick(stream)
            if self._out is not None and packet.is_keyframe:
                if stream is not self._template:
                    self._close_segment("camera offline")
                elif self._jumped(packet, time_base):
                    self._close_segment("timestamp jump")
                else:
                    elapsed = (packet.dts - self._first_dts) * time_base if self._first_dts is not None else 0.0
                    if elapsed >= self.segment_s:
                        self._close_segment("rotate")
            if self._out is None:
                if not packet.is_keyframe or time.monotonic() < self._retry_at:
                    return  # a segment starts on a key frame, or it would not decode
                if not self._open_segment(stream):
                    return
            try:
                self._write(packet, time_base)
            except (OSError, av.error.FFmpegError) as err:
                self._fail(err)

    def _audio(self, packet: Any, stream: Any) -> None:
        """Audio rides along in the open segment, on the video's clock; before the first key frame it is dropped."""
        with self._lock:
            self._audio_template = stream
            out_audio, first_s = self._out_audio, self._first_s
            if self._out is None or out_audio is None or first_s is None or stream.time_base is None:
                return
            ts = packet.pts if packet.pts is not None else packet.dts
            tick = self._seconds_per_tick(stream)
            rel = round((ts * tick - first_s) / tick)
            if rel < 0:
                return  # sound from before the segment's first picture
            if self._last_audio is not None and rel <= self._last_audio:
                rel = self._last_audio + 1
            self._last_audio = rel
            packet.dts = packet.pts = rel
            packet.stream = out_audio
            try:
                self._out.mux(packet)
            except (OSError, av.error.FFmpegError) as err:
                self._fail(err)

    def _seconds_per_tick(self, stream: Any) -> float:
        if stream is not self._tick_of[0]:
            self._tick_of = (stream, float(stream.time_base or 0))
        return self._tick_of[1]

    def _jumped(self, packet: Any, time_base: float) -> bool:
        """True when the packet's time is more than MAX_JUMP_S away from the last one written."""
        if self._first_dts is None or self._last_dts is None:
            return False
        dts = packet.dts if packet.dts is not None else packet.pts
        return bool(abs((dts - self._first_dts - self._last_dts) * time_base) > MAX_JUMP_S)

    def backdate(self, seconds: float) -> None:
        """The next segment starts seconds in the past (its first packets come from the pre-roll buffer)."""
        with self._lock:
            self._backdate_s = max(0.0, seconds)

    def end_of_stream(self, reason: str) -> None:
        """The camera connection ended: finish the segment now rather than when the camera comes back."""
        with self._lock:
            self._close_segment(reason)
            self._audio_template = None  # the next connection brings its own track

    def _open_segment(self, stream: Any) -> bool:
        start = self._clock() - timedelta(seconds=self._backdate_s)
        self._backdate_s = 0.0
        if not self.root.is_dir():
            # A vanished storage folder (an unplugged disk) is an alarm, not a folder to re-create on the system disk.
            self._fail(FileNotFoundError(errno.ENOENT, f"the recordings folder {self.root} is gone"))
            return False
        folder = self.root / str(self.camera_id) / start.strftime("%Y-%m-%d")
        stem = start.strftime("%Y%m%dT%H%M%S_%fZ")
        path = folder / f"{stem}.mp4"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            n = 1
            while path.exists():  # never reuse a name: a restart must not truncate footage
                path = folder / f"{stem}-{n}.mp4"
                n += 1
            self._out = av.open(str(path), mode="w", format="mp4", options=MP4_OPTIONS)
            self._out_stream = self._out.add_stream_from_template(stream)
            self._out_audio = None
            if self._audio_template is not None:
                self._out_audio = self._out.add_stream_from_template(self._audio_template)
        except (OSError, av.error.FFmpegError) as err:
            self._out = None
            with contextlib.suppress(OSError):
                if path.exists() and path.stat().st_size == 0:
                    path.unlink()
            self._fail(err)
            return False
        self._template = stream
        self._path, self._start = path, start
        self._first_dts = self._last_dts = None
        self._first_s = None
        self._last_audio = None
        self._packets = 0
        self.failed = None
        ctx = stream.codec_context
        self._emit(
            RecorderEvent(
                "opened",
                self.camera_id,
                start,
                path=path,
                start=start,
                codec=ctx.name if ctx is not None else "",
                width=ctx.width if ctx is not None else 0,
                height=ctx.height if ctx is not None else 0,
            )
        )
        return True

    def _fail(self, err: BaseException) -> None:
        """Writing failed: keep what the file holds, report it, and try again a little later."""
        number = getattr(err, "errno", None)
        disk_full = number in (errno.ENOSPC, errno.EDQUOT)
        message = "the disk is full" if disk_full else f"cannot write recordings: {getattr(err, 'strerror', '') or err}"
        if self.failed is None:
            log.error("camera %s: %s", self.camera_id, message)
        self.failed = message
        self._retry_at = time.monotonic() + RETRY_S
        # The failure first, so whoever indexes the closed segment knows why it ended.
        self._emit(RecorderEvent("failed", self.camera_id, self._clock(), reason=message, disk_full=disk_full))
        self._close_segment("error")

    def _emit(self, event: RecorderEvent) -> None:
        if self._on_event is not None:
            try:
                self._on_event(event)
            except Exception:
                log.exception("recorder listener failed")

    def _write(self, packet: Any, time_base: float) -> None:
        dts = packet.dts if packet.dts is not None else packet.pts
        pts = packet.pts if packet.pts is not None else dts
        if self._first_dts is None:
            self._first_dts = dts
            self._first_s = dts * time_base
        rel_dts = dts - self._first_dts
        rel_pts = pts - self._first_dts
        if self._last_dts is not None:
            if abs((rel_dts - self._last_dts) * time_base) > MAX_JUMP_S:
                # The camera's clock jumped (either way): close this file and start again at the next key frame.
                self._close_segment("timestamp jump")
                return
            if rel_dts <= self._last_dts:  # duplicated or backwards: keep the order, nudge forward
                shift = self._last_dts + 1 - rel_dts
                rel_dts += shift
                rel_pts += shift
        rel_pts = max(rel_pts, rel_dts)
        self._last_dts = rel_dts
        packet.dts, packet.pts = rel_dts, rel_pts
        packet.stream = self._out_stream
        self._out.mux(packet)
        self._packets += 1

    def _close_segment(self, reason: str = "stopped") -> None:
        out, path, start = self._out, self._path, self._start
        self._out = None
        self._out_audio = None
        if out is None or path is None or start is None:
            return
        try:
            out.close()
        except (OSError, av.error.FFmpegError):
            log.warning("camera %s: closing %s failed; its complete fragments remain", self.camera_id, path.name)
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        end = self._clock()
        segment = Segment(self.camera_id, path, start, end, self._packets, size)
        self.segments.append(segment)
        if self._on_segment is not None:
            self._on_segment(segment)
        self._emit(
            RecorderEvent(
                "closed", self.camera_id, end, path=path, start=start, reason=reason, bytes=size, packets=self._packets
            )
        )

    def close(self, reason: str = "stopped") -> None:
        """Finish the open segment."""
        with self._lock:
            self._close_segment(reason)


def _video_key(packet: Any, stream: Any) -> bool:
    """A video key frame (audio packets are all flagged key: they cannot start a segment)."""
    return bool(packet.is_keyframe) and stream.type == "video"


class RecordingGate:
    """A camera's packet sink in front of its recorder: passes packets while armed, keeps a pre-roll otherwise.

    Disarmed, it holds the last pre_roll_s seconds of packets, always starting on a key frame; arming flushes them
    into the recorder first, so an event recording begins before the event (and never waits for the next key frame).
    Arming and disarming may come from any thread; the recorder is only ever fed on the worker thread.
    """

    def __init__(self, recorder: SegmentRecorder, *, pre_roll_s: float = 0.0, armed: bool = False) -> None:
        self.recorder = recorder
        self._lock = threading.Lock()
        self._armed = armed
        self._was_armed = armed
        self.pre_roll_s = pre_roll_s
        self._buffer: collections.deque[tuple[float, Any, Any]] = collections.deque()

    def set_armed(self, armed: bool, pre_roll_s: float | None = None) -> None:
        """Start or stop writing (takes effect on the next packet)."""
        with self._lock:
            self._armed = armed
            if pre_roll_s is not None:
                self.pre_roll_s = pre_roll_s

    def __call__(self, packet: Any, stream: Any) -> None:
        """Route one packet: to the recorder, or into the pre-roll buffer."""
        if self._armed and self._was_armed:
            # Recording steadily (the common case, every packet of every camera): no lock, no clock. A racing
            # set_armed(False) is seen on the next packet, one packet later than under the lock.
            self.recorder(packet, stream)
            return
        now = time.monotonic()
        with self._lock:
            armed, was = self._armed, self._was_armed
            self._was_armed = armed
            backlog: list[tuple[float, Any, Any]] = []
            if armed and not was:
                backlog = list(self._buffer)
                self._buffer.clear()
            elif not armed:
                self._keep(now, packet, stream)
        if not armed:
            if was:
                self.recorder.close("stopped")
            return
        if backlog:
            self.recorder.backdate(now - backlog[0][0])
            for _, old, old_stream in backlog:
                if old_stream.container is stream.container:  # an earlier connection's packets cannot join
                    self.recorder(old, old_stream)
        self.recorder(packet, stream)

    def _keep(self, now: float, packet: Any, stream: Any) -> None:
        buffer = self._buffer
        if not buffer and not _video_key(packet, stream):
            return
        buffer.append((now, packet, stream))
        # Drop whole GOPs from the front while the next key frame is already old enough to start the pre-roll.
        limit = now - self.pre_roll_s
        while len(buffer) > 1:
            next_key = next((i for i in range(1, len(buffer)) if _video_key(buffer[i][1], buffer[i][2])), None)
            if next_key is None or buffer[next_key][0] > limit:
                break
            for _ in range(next_key):
                buffer.popleft()

    def end_of_stream(self, reason: str) -> None:
        """The connection ended: close the segment and forget the buffer (its packets cannot be continued)."""
        with self._lock:
            self._buffer.clear()
        self.recorder.end_of_stream(reason)

    def close(self) -> None:
        """Finish the open segment."""
        with self._lock:
            self._buffer.clear()
        self.recorder.close("stopped")


@dataclass(frozen=True)
class RecordingFacts:
    """What a recording file holds, read back from disk."""

    duration_s: float
    packets: int
    codec: str
    width: int
    height: int
    bytes: int


def probe_recording(path: Path, timeout_s: float = 10.0) -> RecordingFacts | None:
    """Read a segment's duration and format by demuxing it (no decoding); None when nothing in it is usable.

    A file cut by a crash ends in a partial fragment: everything before it counts.
    """
    try:
        size = path.stat().st_size
        container = av.open(str(path), timeout=timeout_s)
    except (OSError, av.error.FFmpegError):
        return None
    try:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        time_base = stream.time_base or 0
        packets = 0
        first: float | None = None
        last = 0.0
        pictures = 0
        try:
            for packet in container.demux(stream):
                if packet.size == 0 or packet.pts is None:
                    continue
                if pictures == 0 and packets < 8:  # the first key frame must really decode, not just demux
                    with contextlib.suppress(av.error.FFmpegError):
                        pictures += len(stream.codec_context.decode(packet))
                t = float(packet.pts * time_base)
                first = t if first is None else min(first, t)
                last = max(last, t)
                packets += 1
        except av.error.FFmpegError:
            pass  # the torn last fragment
        if packets == 0 or pictures == 0:
            return None
        rate = stream.average_rate or stream.guessed_rate
        frame_s = 1.0 / float(rate) if rate else 0.0
        ctx = stream.codec_context
        return RecordingFacts(
            duration_s=max(0.0, last - (first or 0.0) + frame_s),
            packets=packets,
            codec=ctx.name if ctx is not None else "",
            width=ctx.width if ctx is not None else 0,
            height=ctx.height if ctx is not None else 0,
            bytes=size,
        )
    finally:
        container.close()
