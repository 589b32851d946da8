"""Frames from the video source (cv2.VideoCapture): a camera index, a file (optionally looped) or an RTSP/HTTP URL.

A camera or URL that fails is reopened with exponential backoff (1 s doubling to ``reconnect_max_s``); a file ends,
or starts again when looped. Files are paced at their own frame rate so the agent sees them as a camera would.
Only frames due for analysis (``motion.fps``) are handed on; the others are grabbed and not decoded.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import cv2
import numpy as np
from numpy.typing import NDArray

from edge.config import SourceConfig

log = logging.getLogger("edge.capture")
_OPTIONS_VARIABLE = "OPENCV_FFMPEG_CAPTURE_OPTIONS"  # OpenCV reads FFmpeg's open options from it at each open
RTSP_OPTIONS = "rtsp_transport;tcp|protocol_whitelist;rtsp,rtsps,rtp,udp,tcp,tls,http,https,crypto"
_options_lock = threading.Lock()


class SourceError(Exception):
    """The source can never give frames (a file that does not open); the agent stops."""


@contextlib.contextmanager
def _ffmpeg_options(value: str | None) -> Iterator[None]:
    """FFmpeg's open options for one VideoCapture open, set only for its duration (the variable is process-wide)."""
    with _options_lock:
        previous = os.environ.pop(_OPTIONS_VARIABLE, None)
        if value is not None:
            os.environ[_OPTIONS_VARIABLE] = value
        try:
            yield
        finally:
            os.environ.pop(_OPTIONS_VARIABLE, None)
            if previous is not None:
                os.environ[_OPTIONS_VARIABLE] = previous


@dataclass(frozen=True)
class CapturedFrame:
    """One frame due for analysis, with the wall-clock time it was read."""

    image: NDArray[np.uint8]
    captured_at: datetime
    index: int  # frames read from the source since the agent started


class FrameSource:
    """Yields frames at the analysis rate until the stop event is set (or a file that does not loop ends); a file
    that does not open raises SourceError, a camera or URL that does not open is retried."""

    def __init__(self, source: SourceConfig, analysis_fps: float) -> None:
        self._source = source
        self._interval_s = 1.0 / analysis_fps
        self.reconnects = 0
        self.loops = 0  # times a looped file started again
        self.frames_read = 0

    def _open(self) -> cv2.VideoCapture:
        source = self._source
        timeouts = [
            cv2.CAP_PROP_OPEN_TIMEOUT_MSEC,
            int(source.open_timeout_s * 1000),
            cv2.CAP_PROP_READ_TIMEOUT_MSEC,
            int(source.read_timeout_s * 1000),
        ]
        if source.camera is not None:
            return cv2.VideoCapture(source.camera, cv2.CAP_ANY)
        if source.file is not None:
            with _ffmpeg_options(None):
                return cv2.VideoCapture(str(source.file), cv2.CAP_FFMPEG, timeouts)
        # RTSP over TCP (no UDP loss) and only network protocols: the URL reaches FFmpeg.
        with _ffmpeg_options(RTSP_OPTIONS):
            return cv2.VideoCapture(source.url or "", cv2.CAP_FFMPEG, timeouts)

    def frames(self, stop: threading.Event) -> Iterator[CapturedFrame]:
        """Frames due for analysis, reconnecting or looping as configured."""
        source = self._source
        delay = 1.0
        opened_before = False
        while not stop.is_set():
            capture = self._open()
            try:
                if not capture.isOpened():
                    if source.file is not None:
                        raise SourceError(f"cannot open {source.describe()} as a video")
                    log.warning("cannot open %s; retrying in %.0f s", source.describe(), delay)
                else:
                    # A looping file is reopened at every end: say it once.
                    log.log(logging.DEBUG if opened_before else logging.INFO, "reading %s", source.describe())
                    opened_before = True
                    got_any = False
                    for frame in self._read(capture, stop):
                        got_any = True
                        delay = 1.0
                        yield frame
                    if stop.is_set():
                        return
                    if source.file is not None:
                        if not source.loop or not got_any:
                            log.info("end of %s", source.describe())
                            return
                        self.loops += 1
                        continue  # loop: open the file again at once
                    log.warning("%s stopped sending; reconnecting in %.0f s", source.describe(), delay)
            finally:
                capture.release()
            self.reconnects += 1
            stop.wait(delay)
            delay = min(source.reconnect_max_s, delay * 2)

    def _read(self, capture: cv2.VideoCapture, stop: threading.Event) -> Iterator[CapturedFrame]:
        pace = self._source.file is not None and self._source.pace
        fps = capture.get(cv2.CAP_PROP_FPS) if pace else 0.0
        frame_s = 1.0 / fps if fps and 0 < fps < 1000 else 0.0
        started = time.monotonic()
        read_here = 0
        next_due = time.monotonic()
        while not stop.is_set():
            if frame_s:
                wait = started + read_here * frame_s - time.monotonic()
                if wait > 0:
                    stop.wait(wait)
            if not capture.grab():
                return
            read_here += 1
            self.frames_read += 1
            now = time.monotonic()
            if now < next_due:
                continue  # not due for analysis: grabbed, never decoded
            ok, image = capture.retrieve()
            if not ok or image is None:
                return
            next_due = max(next_due + self._interval_s, now)
            yield CapturedFrame(np.asarray(image, dtype=np.uint8), datetime.now(UTC), self.frames_read)
