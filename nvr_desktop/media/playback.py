"""Playback of recorded segments: a reader per camera that finds, decodes and steps frames on the wall clock, and an
engine that plays up to 16 cameras on one time cursor on its own thread (the GUI only paints from its frame store).

A frame's wall-clock time is its segment's recorded start plus its time in the file (the recorder rebases every
file to start at zero). Files cut by a crash end in a torn fragment; everything before it plays.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.video.reformatter import Interpolation, VideoReformatter

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.recording import SegmentInfo, SegmentState
from nvr_desktop.media.frames import PIXEL_FORMAT, FrameStore
from nvr_desktop.media.worker import fit_size

log = logging.getLogger("media.playback")
OPEN_TIMEOUT_S = 10.0
SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
#: Above this speed only key frames are decoded: 16 cameras at 16x would need 6400 decoded frames a second.
KEYFRAMES_ABOVE = 2.0
_USABLE = (SegmentState.CLOSED, SegmentState.REPAIRED, SegmentState.OPEN)
_TICK_S = 0.01
_EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True)
class PlaybackFrame:
    """One decoded picture of a camera at its recording time (aware UTC), scaled into the playback box."""

    camera_id: int
    time: datetime
    image: npt.NDArray[np.uint8]


class PlaybackReader:
    """Reads one camera's footage across its segments: seek, step forward and back, thumbnails."""

    def __init__(self, camera_id: int, segments: Sequence[SegmentInfo], box: tuple[int, int] = (640, 360)) -> None:
        self.camera_id = camera_id
        self.segments = sorted(
            (s for s in segments if s.state in _USABLE and s.path.exists()), key=lambda s: (s.start, s.id)
        )
        self.box = box
        self._index = -1
        self._container: Any = None
        self._stream: Any = None
        self._frames: Iterator[Any] | None = None
        self._keyframes_only = False
        self._reformatter = VideoReformatter()
        self._ahead: PlaybackFrame | None = None
        self.current: PlaybackFrame | None = None

    # ---- public ---------------------------------------------------------------------------------------

    def set_box(self, box: tuple[int, int]) -> None:
        """Scale later frames into box."""
        self.box = box

    def set_keyframes_only(self, on: bool) -> None:
        """Decode only key frames (fast playback)."""
        if on != self._keyframes_only:
            self._keyframes_only = on
            if self._stream is not None:
                self._stream.codec_context.skip_frame = "NONKEY" if on else "DEFAULT"

    def segment_at(self, when: datetime) -> int | None:
        """Index of the segment recorded at when (None in a gap)."""
        for i, seg in enumerate(self.segments):
            end = seg.end if seg.end is not None else datetime.max.replace(tzinfo=seg.start.tzinfo)
            if seg.start <= when < end:
                return i
        return None

    def covers(self, when: datetime) -> bool:
        """True when some segment was recording at when."""
        return self.segment_at(when) is not None

    def seek(self, when: datetime) -> PlaybackFrame | None:
        """The last frame at or before when (the first frame if when precedes it in its segment); None in a gap."""
        index = self.segment_at(when)
        self._ahead = None
        self.current = None
        if index is None or not self._open(index):
            return None
        seg = self.segments[index]
        offset = max(0.0, (when - seg.start).total_seconds())
        with contextlib.suppress(av.error.FFmpegError):
            self._container.seek(int(offset / float(self._stream.time_base)), stream=self._stream, backward=True)
        self._stream.codec_context.flush_buffers()
        self._frames = self._decode()
        best: PlaybackFrame | None = None
        for frame in self._frames:
            if frame.time > when and best is not None:
                self._ahead = frame
                break
            best = frame
            if frame.time > when:
                break  # the first frame of the segment comes a little after its start
        self.current = best
        return best

    def next_frame(self) -> PlaybackFrame | None:
        """The frame after the current one, into the next segment when this one ends; None at the end."""
        if self._ahead is not None:
            self.current, self._ahead = self._ahead, None
            return self.current
        while True:
            if self._frames is None:
                if not self._open(self._index + 1 if self._index >= 0 else 0):
                    return None
                self._frames = self._decode()
            frame: PlaybackFrame | None = next(self._frames, None)
            if frame is not None:
                self.current = frame
                return frame
            self._frames = None
            if self._index + 1 >= len(self.segments):
                return None

    def peek_time(self) -> datetime | None:
        """When the next frame was recorded (decodes it, keeps it for next_frame)."""
        if self._ahead is None:
            current = self.current
            self._ahead = self.next_frame()
            self.current = current
        return None if self._ahead is None else self._ahead.time

    def previous_frame(self) -> PlaybackFrame | None:
        """The frame before the current one (across a segment or a gap backwards); None at the very start."""
        if self.current is None:
            return None
        before = self.last_before(self.current.time)
        return None if before is None else self.seek(before)

    def first_after(self, when: datetime) -> datetime | None:
        """The time of the first frame recorded after when (in this or a later segment)."""
        if self.covers(when):
            frame = self.seek(when)
            if frame is not None and frame.time > when:
                return frame.time
            upcoming = self.peek_time()
            if upcoming is not None:
                return upcoming
        for seg in self.segments:
            if seg.start > when:
                frame = self.seek(seg.start)
                if frame is not None and frame.time > when:
                    return frame.time
        return None

    def last_before(self, when: datetime) -> datetime | None:
        """The time of the last frame recorded before when (in this or an earlier segment)."""
        target = when - _EPSILON
        if self.covers(target):
            frame = self.seek(target)
            if frame is not None and frame.time <= target:
                return frame.time
        for seg in reversed(self.segments):
            if seg.end is not None and seg.start <= target:
                probe = min(seg.end - _EPSILON, target)
                frame = self.seek(probe)
                if frame is not None and frame.time <= target:
                    return frame.time
        return None

    def thumbnail(self, when: datetime, box: tuple[int, int] | None = None) -> PlaybackFrame | None:
        """The key frame at or before when, decoded alone (fast: for scrubbing previews)."""
        index = self.segment_at(when)
        if index is None:
            return None
        seg = self.segments[index]
        try:
            container = av.open(str(seg.path), timeout=OPEN_TIMEOUT_S)
        except (OSError, av.error.FFmpegError):
            return None
        try:
            stream = container.streams.video[0]
            stream.codec_context.thread_count = 1
            offset = max(0.0, (when - seg.start).total_seconds())
            with contextlib.suppress(av.error.FFmpegError):
                container.seek(int(offset / float(stream.time_base or 1)), stream=stream, backward=True)
            with contextlib.suppress(av.error.FFmpegError):
                for frame in container.decode(stream):
                    return self._picture(seg, frame, box or self.box)
            return None
        finally:
            container.close()

    def close(self) -> None:
        """Release the open file."""
        self._frames = None
        if self._container is not None:
            with contextlib.suppress(Exception):
                self._container.close()
            self._container = None

    # ---- internals ------------------------------------------------------------------------------------

    def _open(self, index: int) -> bool:
        while 0 <= index < len(self.segments):
            if index == self._index and self._container is not None:
                return True
            self.close()
            seg = self.segments[index]
            self._index = index
            try:
                self._container = av.open(str(seg.path), timeout=OPEN_TIMEOUT_S)
                self._stream = self._container.streams.video[0]
                self._stream.codec_context.thread_count = 1
                if self._keyframes_only:
                    self._stream.codec_context.skip_frame = "NONKEY"
                return True
            except (OSError, av.error.FFmpegError, IndexError) as err:
                log.warning("camera %s: cannot play %s: %s", self.camera_id, seg.path, err)
                self.close()
                index += 1
        return False

    def _decode(self) -> Iterator[PlaybackFrame]:
        seg = self.segments[self._index]
        try:
            for frame in self._container.decode(self._stream):
                yield self._picture(seg, frame, self.box)
        except av.error.FFmpegError:
            return  # the torn end of a crash-cut file

    def _picture(self, seg: SegmentInfo, frame: Any, box: tuple[int, int]) -> PlaybackFrame:
        width, height = fit_size(frame.width, frame.height, *box)
        scaled = self._reformatter.reformat(
            frame, width=width, height=height, format=PIXEL_FORMAT, interpolation=Interpolation.BILINEAR
        )
        image: npt.NDArray[np.uint8] = np.ascontiguousarray(scaled.to_ndarray(), dtype=np.uint8)
        return PlaybackFrame(self.camera_id, seg.start + timedelta(seconds=float(frame.time or 0.0)), image)


class PlaybackEngine:
    """Synchronized playback of up to 16 cameras on one time cursor, decoded on the "playback" thread."""

    def __init__(
        self,
        segments_by_camera: Mapping[int, Sequence[SegmentInfo]],
        *,
        box: tuple[int, int] = (640, 360),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.frames = FrameStore()
        self._readers = {cid: PlaybackReader(cid, segs, box) for cid, segs in segments_by_camera.items()}
        self._clock = clock
        self._lock = threading.Lock()
        starts = [r.segments[0].start for r in self._readers.values() if r.segments]
        self._position = min(starts) if starts else datetime.now().astimezone()
        self._anchor = (self._clock(), self._position)
        self._playing = False
        self._speed = 1.0
        self._seek_to: datetime | None = self._position
        self._step_by = 0
        self._box: tuple[int, int] | None = None
        self._shown: dict[int, PlaybackFrame] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="playback", daemon=True)
        self._thread.start()

    # ---- control (any thread) -------------------------------------------------------------------------

    @property
    def position(self) -> datetime:
        """The time cursor (aware UTC)."""
        with self._lock:
            return self._cursor_locked()

    @property
    def playing(self) -> bool:
        """True while the cursor advances."""
        return self._playing

    @property
    def speed(self) -> float:
        """Playback rate (1 = real time)."""
        return self._speed

    def play(self) -> None:
        """Advance the cursor from where it is."""
        with self._lock:
            if not self._playing:
                self._anchor = (self._clock(), self._position)
                self._playing = True
        self._wake.set()

    def pause(self) -> None:
        """Stop the cursor."""
        with self._lock:
            if self._playing:
                self._position = self._cursor_locked()
                self._playing = False
        self._wake.set()

    def set_speed(self, speed: float, /) -> None:
        """One of 1/8, 1/4, 1/2, 1, 2, 4, 8, 16."""
        if speed not in SPEEDS:
            raise ValidationError(f"playback speed must be one of {', '.join(f'{s:g}' for s in SPEEDS)}")
        with self._lock:
            self._position = self._cursor_locked()
            self._anchor = (self._clock(), self._position)
            self._speed = speed
        self._wake.set()

    def seek(self, when: datetime, /) -> None:
        """Move every camera to when (works while paused: the pictures there are shown)."""
        with self._lock:
            self._position = when
            self._anchor = (self._clock(), when)
            self._seek_to = when
        self._wake.set()

    def step(self, direction: int, /) -> None:
        """Pause, then move to the next (+1) or previous (-1) frame time of any camera."""
        self.pause()
        with self._lock:
            self._step_by += 1 if direction > 0 else -1
        self._wake.set()

    def snapshot(self, camera_id: int, /) -> PlaybackFrame | None:
        """The picture shown now for a camera."""
        with self._lock:
            return self._shown.get(camera_id)

    def set_box(self, box: tuple[int, int], /) -> None:
        """Scale pictures into box from now on (the current ones are decoded again)."""
        with self._lock:
            self._box = box
        self._wake.set()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until pending seeks and steps are done (tests, snapshots)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._seek_to is None and self._step_by == 0 and self._box is None:
                    return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        """Stop the thread (bounded) and close the files."""
        self._stop.set()
        self._wake.set()
        self._thread.join(10)
        for reader in self._readers.values():
            reader.close()

    # ---- the playback thread --------------------------------------------------------------------------

    def _cursor_locked(self) -> datetime:
        if self._playing:
            return self._anchor[1] + timedelta(seconds=(self._clock() - self._anchor[0]) * self._speed)
        return self._position

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:  # a broken file must not end playback of the others
                log.exception("playback step failed")
            self._wake.wait(_TICK_S)
            self._wake.clear()

    def _tick(self) -> None:
        with self._lock:
            seek_to, self._seek_to = self._seek_to, None
            step, self._step_by = self._step_by, 0
            box, self._box = self._box, None
            playing, speed = self._playing, self._speed
            cursor = self._cursor_locked()
        for reader in self._readers.values():
            reader.set_keyframes_only(playing and speed > KEYFRAMES_ABOVE)
        if box is not None:
            for reader in self._readers.values():
                reader.set_box(box)
            seek_to = seek_to or cursor
        if seek_to is not None:
            for cid, reader in self._readers.items():
                self._show(cid, reader.seek(seek_to), seek_to)
        if step:
            self._step(step)
            return
        if playing:
            self._advance(cursor)

    def _advance(self, cursor: datetime) -> None:
        ended = True
        for cid, reader in self._readers.items():
            if not reader.covers(cursor):
                if reader.current is not None and reader.segment_at(cursor) is None:
                    self._show(cid, None, cursor)
                if any(seg.start > cursor for seg in reader.segments):
                    ended = False  # the cursor reaches this camera's next segment later
                reader.current = None  # from the next segment on, start with a seek
                continue
            ended = False
            if reader.current is None:
                self._show(cid, reader.seek(cursor), cursor)
                continue
            latest = None
            while True:
                upcoming = reader.peek_time()
                if upcoming is None or upcoming > cursor:
                    break
                latest = reader.next_frame()
                if self._stop.is_set():
                    return
            if latest is not None:
                self._show(cid, latest, cursor)
        if ended:
            with self._lock:
                self._position = cursor
                self._playing = False

    def _step(self, step: int) -> None:
        with self._lock:
            cursor = self._position
        readers = self._readers.values()
        if step > 0:
            times = [t for r in readers if (t := r.first_after(cursor)) is not None]
            target = min(times) if times else None
        else:
            times = [t for r in readers if (t := r.last_before(cursor)) is not None]
            target = max(times) if times else None
        if target is None:
            return
        with self._lock:
            self._position = target
            self._anchor = (self._clock(), target)
        for cid, reader in self._readers.items():
            self._show(cid, reader.seek(target), target)

    def _show(self, camera_id: int, frame: PlaybackFrame | None, cursor: datetime) -> None:
        if frame is None or frame.time > cursor + timedelta(seconds=1):
            with self._lock:
                self._shown.pop(camera_id, None)
            self.frames.drop(camera_id)
            return
        with self._lock:
            self._shown[camera_id] = frame
        self.frames.put(camera_id, frame.image, frame.time.timestamp())
