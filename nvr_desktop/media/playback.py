"""Playback of recorded segments: a reader per camera that finds, decodes and steps frames on the wall clock, and an
engine that plays up to 16 cameras on one time cursor on its own thread (the GUI only paints from its frame store).

A frame's wall-clock time is its segment's recorded start plus its time in the file (the recorder rebases every
file to start at zero). Files cut by a crash end in a torn fragment; everything before it plays.
"""

from __future__ import annotations

import bisect
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import av
import av.error
import numpy as np
import numpy.typing as npt
from av.video.reformatter import Interpolation, VideoReformatter

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.recording import PLAYBACK_SPEEDS, SegmentInfo, SegmentState
from nvr_desktop.media.frames import PIXEL_FORMAT, FrameStore
from nvr_desktop.media.worker import fit_size

log = logging.getLogger("media.playback")
OPEN_TIMEOUT_S = 10.0
#: The decode budget below is planned for a 4 x 4 grid.
MAX_CAMERAS = 16
SPEEDS = PLAYBACK_SPEEDS
#: Above this speed only key frames are decoded: 16 cameras at 16x would need 6400 decoded frames a second.
KEYFRAMES_ABOVE = 2.0
#: A camera whose next picture is this far behind the cursor (decoding cannot keep up) jumps to the cursor
#: instead of decoding every late frame: synchronized pictures matter more than smooth ones.
CATCH_UP = timedelta(seconds=1)
#: How long close() waits for the playback thread.
JOIN_S = 10.0
_USABLE = (SegmentState.CLOSED, SegmentState.REPAIRED, SegmentState.OPEN)
_TICK_S = 0.01  # while playing: 100 cursor updates a second, finer than any frame interval
_IDLE_S = 1.0  # while paused every control call wakes the thread, so it need not poll
_EPSILON = timedelta(microseconds=1)


@dataclass(frozen=True)
class PlaybackFrame:
    """One decoded picture of a camera at its recording time (aware UTC), scaled into the playback box."""

    camera_id: int
    time: datetime
    image: npt.NDArray[np.uint8]


class _Decoded(NamedTuple):
    """A decoded, not yet scaled picture: scaling only the pictures shown keeps seeks and catch-ups cheap."""

    time: datetime
    frame: Any
    segment: int  # index of the segment it came from


class PlaybackReader:
    """Reads one camera's footage across its segments: seek, step forward and back, thumbnails.

    At most one file is open at a time. Not thread-safe: one thread (the engine's) uses a reader.
    """

    def __init__(self, camera_id: int, segments: Sequence[SegmentInfo], box: tuple[int, int] = (640, 360)) -> None:
        self.camera_id = camera_id
        self.log = logging.getLogger(f"media.playback.cam{camera_id}")
        self.segments = self._playable(segments)
        self._starts = [s.start for s in self.segments]
        self.box = box
        self._broken: set[int] = set()  # segments that would not open or decode: played as gaps, not retried
        self._index = -1  # the segment whose file is open (or was last)
        self._container: Any = None
        self._stream: Any = None
        self._frames: Iterator[_Decoded] | None = None
        self._ahead: _Decoded | None = None  # decoded while looking ahead, not shown yet
        self._resume = False  # the file was closed under the current frame: reopen there before stepping on
        self._current_index = -1
        self._keyframes_only = False
        self._reformatter = VideoReformatter()
        self.current: PlaybackFrame | None = None

    def _playable(self, segments: Sequence[SegmentInfo]) -> list[SegmentInfo]:
        kept = []
        for seg in sorted(segments, key=lambda s: (s.start, s.id)):
            if seg.state not in _USABLE:
                continue  # the index already knows the file is missing or damaged
            if not seg.path.is_file():
                self.log.warning("skipping %s: the file is missing", seg.path)
                continue
            kept.append(seg)
        return kept

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
        """Index of the segment recorded at when (None in a gap or in a file that cannot be played)."""
        index = bisect.bisect_right(self._starts, when) - 1
        if index < 0 or index in self._broken:
            return None
        end = self.segments[index].end
        return index if end is None or when < end else None

    def covers(self, when: datetime) -> bool:
        """True when some playable segment was recording at when."""
        return self.segment_at(when) is not None

    def has_footage_after(self, when: datetime) -> bool:
        """True when a segment starts after when."""
        return bool(self._starts) and self._starts[-1] > when

    def seek(self, when: datetime) -> PlaybackFrame | None:
        """The last frame at or before when (the first frame if when precedes it in its segment); None in a gap."""
        index = self.segment_at(when)
        self._resume = False
        self.current = None
        best = None if index is None else self._locate(index, when)
        if best is None:
            if index is not None and index not in self._broken and self.segments[index].state is not SegmentState.OPEN:
                # An open segment may just not hold a complete fragment yet; any other file is played as a gap.
                self.log.warning("skipping %s: no picture decodes", self.segments[index].path)
                self._broken.add(index)
            # In a gap: next_frame goes on with the first segment after when.
            self._close_file()
            self._ahead = None
            self._index = bisect.bisect_right(self._starts, when) - 1
            return None
        return self._make_current(best)

    def next_frame(self) -> PlaybackFrame | None:
        """The frame after the current one, into the next segment when this one ends; None at the end."""
        decoded = self._next_decoded()
        return None if decoded is None else self._make_current(decoded)

    def advance_to(self, when: datetime) -> PlaybackFrame | None:
        """Step forward over every frame up to when and return the last one (None when none was that early)."""
        latest: _Decoded | None = None
        while (upcoming := self.peek_time()) is not None and upcoming <= when:
            latest, self._ahead = self._ahead, None
        return None if latest is None else self._make_current(latest)

    def peek_time(self) -> datetime | None:
        """When the next frame was recorded (decodes it and keeps it for next_frame)."""
        if self._ahead is None:
            self._ahead = self._next_decoded()
        return None if self._ahead is None else self._ahead.time

    def previous_frame(self) -> PlaybackFrame | None:
        """The frame before the current one (across a segment or a gap backwards); None at the very start."""
        if self.current is None:
            return None
        before = self.last_before(self.current.time)
        return None if before is None else self.seek(before)

    def first_after(self, when: datetime) -> datetime | None:
        """The time of the first frame recorded after when, in this or a later segment (moves the reader there)."""
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
        """The time of the last frame recorded before when, in this or an earlier segment (moves the reader there)."""
        target = when - _EPSILON
        if self.covers(target):
            frame = self.seek(target)
            if frame is not None and frame.time <= target:
                return frame.time
        for seg in reversed(self.segments):
            if seg.end is not None and seg.start <= target:
                frame = self.seek(min(seg.end - _EPSILON, target))
                if frame is not None and frame.time <= target:
                    return frame.time
        return None

    def thumbnail(self, when: datetime, box: tuple[int, int] | None = None) -> PlaybackFrame | None:
        """The key frame at or before when, decoded alone (fast: for scrubbing previews)."""
        index = self.segment_at(when)
        if index is None:
            return None
        self.close()  # one open file per reader; stepping on afterwards reopens at the current frame
        seg = self.segments[index]
        try:
            container = av.open(str(seg.path), timeout=OPEN_TIMEOUT_S)
        except (OSError, av.error.FFmpegError) as err:
            self.log.warning("no thumbnail from %s: %s", seg.path, err)
            return None
        try:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            stream.codec_context.thread_count = 1
            stream.codec_context.skip_frame = "NONKEY"
            offset = max(0.0, (when - seg.start).total_seconds())
            with contextlib.suppress(av.error.FFmpegError):
                container.seek(int(offset / float(stream.time_base or 1)), stream=stream, backward=True)
            with contextlib.suppress(av.error.FFmpegError):
                for frame in container.decode(stream):
                    return self._picture(seg.start + timedelta(seconds=float(frame.time or 0.0)), frame, box)
            return None
        finally:
            container.close()

    def close(self) -> None:
        """Release the open file (the reader stays usable: stepping on reopens it at the current frame)."""
        self._close_file()
        self._ahead = None
        self._resume = self.current is not None

    # ---- internals ------------------------------------------------------------------------------------

    def _make_current(self, decoded: _Decoded) -> PlaybackFrame:
        self.current = self._picture(decoded.time, decoded.frame, None)
        self._current_index = decoded.segment
        return self.current

    def _close_file(self) -> None:
        self._frames = None
        container, self._container, self._stream = self._container, None, None
        if container is not None:
            with contextlib.suppress(Exception):
                container.close()

    def _open(self, index: int) -> bool:
        """Make segment index the open file (False when it cannot be played)."""
        if index == self._index and self._container is not None:
            return True
        self._close_file()
        if index in self._broken or not 0 <= index < len(self.segments):
            return False
        seg = self.segments[index]
        try:
            container = av.open(str(seg.path), timeout=OPEN_TIMEOUT_S)
        except (OSError, av.error.FFmpegError) as err:
            self.log.warning("skipping %s: %s", seg.path, err)
            self._broken.add(index)
            return False
        if not container.streams.video:
            container.close()
            self.log.warning("skipping %s: it holds no video", seg.path)
            self._broken.add(index)
            return False
        self._container, self._index = container, index
        self._stream = container.streams.video[0]
        self._stream.codec_context.thread_count = 1  # 16 readers share the machine; threads per file only contend
        if self._keyframes_only:
            self._stream.codec_context.skip_frame = "NONKEY"
        return True

    def _locate(self, index: int, when: datetime) -> _Decoded | None:
        """Decode segment index from the key frame before when; the last frame at or before when (or its first)."""
        self._ahead = None
        if not self._open(index):
            return None
        seg = self.segments[index]
        offset = max(0.0, (when - seg.start).total_seconds())
        with contextlib.suppress(av.error.FFmpegError):
            self._container.seek(int(offset / float(self._stream.time_base)), stream=self._stream, backward=True)
        self._stream.codec_context.flush_buffers()
        self._frames = self._decode()
        best: _Decoded | None = None
        for decoded in self._frames:
            if decoded.time > when and best is not None:
                self._ahead = decoded
                break
            best = decoded
            if decoded.time > when:
                break  # the first frame of the segment comes a little after its start
        return best

    def _next_decoded(self) -> _Decoded | None:
        if self._ahead is not None:
            decoded, self._ahead = self._ahead, None
            return decoded
        if self._resume:
            self._resume = False
            if self.current is not None:
                self._locate(self._current_index, self.current.time)  # finds the current frame again
                if self._ahead is not None:
                    decoded, self._ahead = self._ahead, None
                    return decoded
        while True:
            if self._frames is None:
                index = self._index + 1
                while index < len(self.segments) and not self._open(index):
                    index += 1
                if index >= len(self.segments):
                    return None
                self._frames = self._decode()
            fresh = next(self._frames, None)
            if fresh is not None:
                return fresh
            self._frames = None  # this segment is done: on to the next one

    def _decode(self) -> Iterator[_Decoded]:
        index, container, stream = self._index, self._container, self._stream
        start = self.segments[index].start
        try:
            for frame in container.decode(stream):
                yield _Decoded(start + timedelta(seconds=float(frame.time or 0.0)), frame, index)
        except av.error.FFmpegError:
            return  # the torn end of a crash-cut file: everything before it played

    def _picture(self, when: datetime, frame: Any, box: tuple[int, int] | None) -> PlaybackFrame:
        width, height = fit_size(frame.width, frame.height, *(box or self.box))
        scaled = self._reformatter.reformat(
            frame, width=width, height=height, format=PIXEL_FORMAT, interpolation=Interpolation.BILINEAR
        )
        image: npt.NDArray[np.uint8] = np.ascontiguousarray(scaled.to_ndarray(), dtype=np.uint8)
        return PlaybackFrame(self.camera_id, when, image)


class PlaybackEngine:
    """Synchronized playback of up to 16 cameras on one time cursor, decoded on the "playback" thread.

    Control calls come from any thread and only record what is wanted; the thread does the decoding and publishes
    into frames. Nothing calls back into the UI: it polls position and frames.
    """

    def __init__(
        self,
        segments_by_camera: Mapping[int, Sequence[SegmentInfo]],
        *,
        box: tuple[int, int] = (640, 360),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if len(segments_by_camera) > MAX_CAMERAS:
            raise ValidationError(f"play back at most {MAX_CAMERAS} cameras at once")
        self.frames = FrameStore()
        self._readers = {cid: PlaybackReader(cid, segs, box) for cid, segs in segments_by_camera.items()}
        self._clock = clock
        self._lock = threading.Lock()
        starts = [r.segments[0].start for r in self._readers.values() if r.segments]
        self._position = min(starts) if starts else datetime.now(UTC)
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
        """Stop the cursor; the pictures at the cursor are shown (fast play showed key frames only)."""
        with self._lock:
            if self._playing:
                self._position = self._cursor_locked()
                self._playing = False
                self._seek_to = self._position
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

    def step(self, n: int, /) -> None:
        """Pause, then move the cursor n frame times on: +1 to the next frame of any camera, -1 to the previous."""
        self.pause()
        if n:
            with self._lock:
                self._step_by += n
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
        """Stop the thread (bounded wait) and close the files."""
        self._stop.set()
        self._wake.set()
        if self._thread is not threading.current_thread():
            self._thread.join(JOIN_S)
        if self._thread.is_alive():
            # Closing files under a decoder still running would crash it; the daemon thread ends with the process.
            log.warning("the playback thread did not stop within %g s", JOIN_S)
            return
        for reader in self._readers.values():
            reader.close()

    # ---- the playback thread --------------------------------------------------------------------------

    def _cursor_locked(self) -> datetime:
        if self._playing:
            return self._anchor[1] + timedelta(seconds=(self._clock() - self._anchor[0]) * self._speed)
        return self._position

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()  # before the work: a request made during it wakes the next wait at once
            try:
                self._tick()
            except Exception:  # a broken file must not end playback of the others
                log.exception("playback step failed")
            self._wake.wait(_TICK_S if self._playing else _IDLE_S)

    def _tick(self) -> None:
        # Requests are read here and marked done only once their pictures are out (wait_idle relies on that);
        # one that changes meanwhile stays pending for the next tick.
        with self._lock:
            seek_to, step, box = self._seek_to, self._step_by, self._box
            playing, speed = self._playing, self._speed
            cursor = self._cursor_locked()
        for reader in self._readers.values():
            reader.set_keyframes_only(playing and speed > KEYFRAMES_ABOVE)
        if box is not None:
            for reader in self._readers.values():
                reader.set_box(box)
        target = seek_to or (cursor if box is not None else None)
        if target is not None:
            for cid, reader in self._readers.items():
                self._show(cid, reader.seek(target), target)
        if step:
            self._step(step)
        with self._lock:
            if self._seek_to == seek_to:
                self._seek_to = None
            if self._box == box:
                self._box = None
            self._step_by -= step
        if playing and not step:
            self._advance(cursor)

    def _advance(self, cursor: datetime) -> None:
        ended = True
        for cid, reader in self._readers.items():
            if self._stop.is_set():
                return
            if not reader.covers(cursor):
                if reader.current is not None:
                    self._show(cid, None, cursor)  # a gap: the tile says "no recording" rather than freezing
                if reader.has_footage_after(cursor):
                    ended = False  # the cursor reaches this camera's next segment later
                reader.current = None  # from the next segment on, start with a seek
                continue
            ended = False
            if reader.current is None:
                self._show(cid, reader.seek(cursor), cursor)
                continue
            upcoming = reader.peek_time()
            if upcoming is not None and upcoming < cursor - CATCH_UP:
                self._show(cid, reader.seek(cursor), cursor)
                continue
            latest = reader.advance_to(cursor)
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
        target: datetime | None = cursor
        for _ in range(abs(step)):
            if step > 0:
                later = [t for r in readers if (t := r.first_after(cursor)) is not None]
                target = min(later) if later else None
            else:
                earlier = [t for r in readers if (t := r.last_before(cursor)) is not None]
                target = max(earlier) if earlier else None
            if target is None:
                break
            cursor = target
        with self._lock:
            self._position = cursor
            self._anchor = (self._clock(), cursor)
        for cid, reader in self._readers.items():
            self._show(cid, reader.seek(cursor), cursor)

    def _show(self, camera_id: int, frame: PlaybackFrame | None, cursor: datetime) -> None:
        if frame is None or frame.time > cursor + timedelta(seconds=1):
            with self._lock:
                self._shown.pop(camera_id, None)
            self.frames.drop(camera_id)
            return
        with self._lock:
            self._shown[camera_id] = frame
        self.frames.put(camera_id, frame.image, frame.time.timestamp())
