"""Latest-frame-wins store: stream workers overwrite one slot per camera; the wall reads what changed (the newest,
or the one picture it would otherwise skip: show_next)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

#: Shape (height, width, 4), C-contiguous, bytes B, G, R, 255 per pixel: the layout of Qt's Format_RGB32 on
#: little-endian machines, so the wall draws it with a plain copy (no per-pixel conversion).
PIXEL_FORMAT = "bgra"
RgbImage = npt.NDArray[np.uint8]


@dataclass(frozen=True)
class Frame:
    """One displayable picture: RGB pixels, a sequence number that grows per camera, the stream time."""

    image: RgbImage
    seq: int
    pts_seconds: float


class Target(NamedTuple):
    """Where a picture being made is written: BGRA rows of stride bytes from address (begin/commit of a sink).

    A named tuple: one is made per picture, and a frozen dataclass costs twice as much to build."""

    address: int
    stride: int
    width: int
    height: int
    token: Any  # the sink's own bookkeeping


def show_next(last_seen: int, newest: int, step: int) -> bool:
    """Whether a reader that last showed last_seen gets the picture before newest rather than newest: exactly one
    picture was published in between (sequence numbers grow by step per picture).

    Newest wins otherwise. Camera frames and the wall's refresh run on two clocks: when a frame lands on a
    refresh, jitter puts two frames in one refresh and none in the next, and one of them was never shown. Taking
    the older of the two lets the next refresh show the other; a reader further behind gets the newest, so the
    wall never lags more than one picture."""
    return last_seen >= 0 and newest - last_seen == 2 * step


class FrameSink(Protocol):
    """Where a stream worker publishes pictures (the in-process store, or a shared-memory slot writer).

    A picture is either written in place (begin, write at the target's address, commit; or abort) or handed over
    finished (put).
    """

    def begin(self, camera_id: int, width: int, height: int) -> Target | None:
        """Where to write the camera's next picture; None when it would not be shown (no slot, or too small)."""

    def pixels(self, target: Target) -> RgbImage:
        """The target as an array."""

    def commit(self, target: Target, pts_seconds: float = 0.0) -> int:
        """Publish the picture written at target."""

    def abort(self, target: Target) -> None:
        """Give up a begun picture."""

    def put(self, camera_id: int, image: RgbImage, pts_seconds: float = 0.0) -> int:
        """Publish a camera's newest picture."""

    def drop(self, camera_id: int) -> None:
        """Forget a camera."""


class FrameSource(Protocol):
    """Where the wall reads pictures from."""

    #: Whether a picture buffer that comes round again is handed out as the same array (shared-memory slots), so
    #: the wall may keep what it made for that array; False where every picture is a new array.
    reuses_arrays: bool

    def changed_since(self, seen: dict[int, int]) -> dict[int, Frame]:
        """Pictures newer than the sequence numbers given."""

    def get(self, camera_id: int) -> Frame | None:
        """A camera's newest picture."""


class FrameStore:
    """One slot per camera holding its newest frame (and the one before, for show_next); safe from any thread."""

    reuses_arrays = False  # every picture is a new array

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[int, Frame] = {}
        self._previous: dict[int, Frame] = {}
        self._seq: dict[int, int] = {}

    def begin(self, camera_id: int, width: int, height: int) -> Target | None:
        """A new picture's memory (pictures are never reused here: the wall may still show the last one)."""
        image = np.empty((height, width, 4), np.uint8)
        return Target(image.ctypes.data, width * 4, width, height, (camera_id, image))

    def pixels(self, target: Target) -> RgbImage:
        """The target as an array."""
        image: RgbImage = target.token[1]
        return image

    def commit(self, target: Target, pts_seconds: float = 0.0) -> int:
        """Publish the picture written at target."""
        camera_id, image = target.token
        return self.put(camera_id, image, pts_seconds)

    def abort(self, target: Target) -> None:
        """Nothing to undo: the memory is simply dropped."""

    def put(self, camera_id: int, image: RgbImage, pts_seconds: float = 0.0) -> int:
        """Replace the camera's frame; returns its sequence number."""
        with self._lock:
            seq = self._seq.get(camera_id, 0) + 1
            self._seq[camera_id] = seq
            before = self._slots.get(camera_id)
            if before is not None:
                self._previous[camera_id] = before
            self._slots[camera_id] = Frame(image, seq, pts_seconds)
            return seq

    def get(self, camera_id: int) -> Frame | None:
        """The newest frame of a camera, if any."""
        with self._lock:
            return self._slots.get(camera_id)

    def changed_since(self, seen: dict[int, int]) -> dict[int, Frame]:
        """For the cameras in seen (camera id -> last sequence painted), the frames that are newer: the newest, or
        the one before it when only that one would otherwise be skipped (show_next)."""
        slots, previous = self._slots, self._previous
        out = {}
        with self._lock:
            for cid, last in seen.items():
                frame = slots.get(cid)
                if frame is None or frame.seq == last:
                    continue
                if show_next(last, frame.seq, 1) and (older := previous.get(cid)) is not None:
                    frame = older
                out[cid] = frame
        return out

    def drop(self, camera_id: int) -> None:
        """Forget a camera's frame (its tile went away or the camera was removed)."""
        with self._lock:
            self._slots.pop(camera_id, None)
            self._previous.pop(camera_id, None)
