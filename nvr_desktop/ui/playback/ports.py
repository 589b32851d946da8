"""What the playback UI needs from the recordings service and the playback engine, as protocols.

The UI never imports the engine (media/playback.py) or the exporter: the composition root hands it an object that
satisfies RecordingsPort. Every time here is an aware datetime in UTC; the UI shows local time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from nvr_desktop.core.recording import CameraTrack, ProtectionChange, TimelineData, TimelineEvent, TimeRange
from nvr_desktop.media.frames import FrameSource

#: A BGRA picture, shape (height, width, 4), C-contiguous: the layout of media.frames.
Picture = npt.NDArray[np.uint8]

__all__ = [
    "MAX_PLAYBACK_CAMERAS",
    "CameraTrack",
    "ExportedFile",
    "Picture",
    "PlaybackCamera",
    "PlaybackControl",
    "PlaybackPicture",
    "ProtectionChange",
    "RecordingsPort",
    "TimeRange",
    "TimelineData",
    "TimelineEvent",
]

#: The most cameras that play back together (a 4 x 4 grid).
MAX_PLAYBACK_CAMERAS = 16


class PlaybackCamera(Protocol):
    """A camera whose recordings the user may play back."""

    @property
    def id(self) -> int:
        """Camera id."""

    @property
    def name(self) -> str:
        """Display name."""


class PlaybackPicture(Protocol):
    """One decoded picture of a camera at a recording time (the engine's PlaybackFrame)."""

    @property
    def camera_id(self) -> int:
        """Camera id."""

    @property
    def time(self) -> datetime:
        """When the picture was recorded (aware UTC)."""

    @property
    def image(self) -> Picture:
        """BGRA pixels."""


class ExportedFile(Protocol):
    """One file an export wrote (the exporter's ExportResult)."""

    @property
    def camera_id(self) -> int:
        """Camera id."""

    @property
    def path(self) -> Path:
        """The MP4 written."""

    @property
    def end(self) -> datetime:
        """The wall-clock time of its last picture (aware UTC)."""

    @property
    def cut_short(self) -> str:
        """Why it ends before the range does ("" when it holds all the footage of the range)."""


class PlaybackControl(Protocol):
    """Synchronized playback of up to 16 cameras on one time cursor (the engine as the UI sees it).

    frames holds, per camera, the picture at the cursor; a camera with no footage at the cursor has no frame
    (the engine drops its slot). Frame.pts_seconds is the picture's recording time as POSIX seconds.
    """

    @property
    def frames(self) -> FrameSource:
        """Latest-picture store the grid paints from."""

    @property
    def position(self) -> datetime:
        """The time cursor (aware UTC)."""

    @property
    def playing(self) -> bool:
        """True while the cursor advances."""

    @property
    def speed(self) -> float:
        """Playback rate, 1/8 to 16 (1 is real time)."""

    def play(self) -> None:
        """Start advancing the cursor."""

    def pause(self) -> None:
        """Stop the cursor where it is."""

    def set_speed(self, speed: float, /) -> None:
        """Change the playback rate (1/8 to 16)."""

    def seek(self, when: datetime, /) -> None:
        """Move the cursor to a time; the pictures there follow."""

    def step(self, direction: int, /) -> None:
        """Move one frame forward (+1) or back (-1), paused."""

    def snapshot(self, camera_id: int, /) -> PlaybackPicture | None:
        """The picture of a camera at the cursor as shown (scaled into the playback box), or None when it has none."""

    def set_box(self, box: tuple[int, int], /) -> None:
        """Largest picture size (device pixels) the tiles show, so the engine scales once."""

    def close(self) -> None:
        """Stop decoding and release the files (bounded wait)."""


class RecordingsPort(Protocol):
    """The recordings service as the playback window sees it (permission checks and audit happen behind it)."""

    def cameras(self) -> Sequence[PlaybackCamera]:
        """Cameras the logged-in user may play back."""

    def timeline(self, camera_ids: Sequence[int], start: datetime, end: datetime, /) -> TimelineData:
        """Recorded ranges, gaps and events of the cameras over [start, end)."""

    def open_playback(self, camera_ids: Sequence[int], box: tuple[int, int], /) -> PlaybackControl:
        """Start a paused playback of the cameras (at most 16) with pictures scaled into box."""

    def thumbnail(self, camera_id: int, when: datetime, box: tuple[int, int], /) -> Picture | None:
        """A small BGRA picture of a camera near a time, None without footage (blocking: call it off the GUI thread)."""

    def export(
        self,
        camera_ids: Sequence[int],
        start: datetime,
        end: datetime,
        dest_dir: Path,
        progress: Callable[[float], None],
        cancel: threading.Event,
        /,
    ) -> Sequence[ExportedFile]:
        """Write one MP4 per camera of [start, end) into dest_dir (blocking; progress 0..1 from the worker thread).

        Raises NvrError subclasses with messages fit for users; when cancel is set it stops early and raises.
        """

    def protect(
        self, camera_ids: Sequence[int], start: datetime, end: datetime, protected: bool, /
    ) -> ProtectionChange:
        """Protect (or unprotect) the recording files of the cameras with footage in [start, end), whole files; an
        empty range means the files at start. Raises NvrError (e.g. no export permission); audited behind it."""
