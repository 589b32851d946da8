"""Server-side motion on a stream worker's decoded frames: a few frames a second go small and grey to the
MotionDetector; a detection comes back as one JPEG snapshot of the same frame and a small MotionEvent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np
from av.video.reformatter import Interpolation, VideoReformatter

from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.media.motion import Box, MotionDetector

ANALYSIS_WIDTH = 160
SNAPSHOT_WIDTH = 640
#: MJPEG quantiser scale (2 best .. 31 worst): about 40 KB for a 640x360 picture.
SNAPSHOT_QSCALE = 5


@dataclass(frozen=True)
class MotionEvent:
    """A detection as it leaves a stream process: small enough for the event queue (the JPEG is ~40 KB)."""

    camera_id: int
    captured_at: float  # unix seconds (wall clock) when the frame was analysed
    score: float
    boxes: tuple[Box, ...]
    frame_size: tuple[int, int]  # the source frame's (width, height), the boxes' pixels
    jpeg: bytes


MotionListener = Callable[[MotionEvent], None]


def _even(value: float) -> int:
    return max(2, int(value) & ~1)


def encode_jpeg(frame: Any, width: int = SNAPSHOT_WIDTH) -> bytes:
    """One decoded frame as a JPEG at most width pixels wide (aspect kept), with FFmpeg's MJPEG encoder."""
    out_w = _even(min(width, frame.width))
    out_h = _even(frame.height * out_w / frame.width)
    picture = frame.reformat(width=out_w, height=out_h, format="yuvj420p", interpolation=Interpolation.BILINEAR)
    picture.pts = None
    ctx = av.CodecContext.create("mjpeg", "w")
    ctx.width, ctx.height, ctx.pix_fmt = out_w, out_h, "yuvj420p"
    ctx.time_base = Fraction(1, 25)
    ctx.qmin = ctx.qmax = SNAPSHOT_QSCALE
    packets = [*ctx.encode(picture), *ctx.encode(None)]
    return b"".join(bytes(p) for p in packets)


class MotionTap:
    """Analyses a camera's frames at the settings' rate and emits a MotionEvent for each detection."""

    def __init__(
        self,
        camera_id: int,
        settings: MotionSettings,
        emit: MotionListener,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.camera_id = camera_id
        self.settings = settings
        self._emit = emit
        self._clock = clock
        self._wall_clock = wall_clock
        self._detector = MotionDetector(settings)
        self._period = 1.0 / settings.fps
        self._next = 0.0
        self._reformatter = VideoReformatter()
        self.analysed = 0  # frames fed to the detector, for tests and figures
        self.log = logging.getLogger(f"media.motion.cam{camera_id}")

    def restart(self) -> None:
        """A new connection: build the background again before reporting motion."""
        self._detector.reset()

    def feed(self, frame: Any) -> None:
        """Look at one decoded frame (on the worker thread); most are skipped to keep the analysis rate."""
        now = self._clock()
        if now < self._next:
            return
        self._next = max(self._next + self._period, now)
        try:
            height = _even(frame.height * ANALYSIS_WIDTH / frame.width) if frame.width else 2
            small = self._reformatter.reformat(
                frame, width=ANALYSIS_WIDTH, height=height, format="gray", interpolation=Interpolation.AREA, threads=1
            )
            self.analysed += 1
            gray = np.asarray(small.to_ndarray(), dtype=np.uint8)
            hit = self._detector.process(gray, (frame.width, frame.height), now)
            if hit is None:
                return
            jpeg = encode_jpeg(frame)
            event = MotionEvent(self.camera_id, self._wall_clock(), hit.score, hit.boxes, hit.frame_size, jpeg)
        except Exception:  # a bad frame must not stop the stream
            self.log.exception("motion analysis failed")
            return
        self.log.info("motion score %.3f, %d box(es)", hit.score, len(hit.boxes))
        self._emit(event)
