"""Motion detection on frames (OpenCV MOG2 background subtraction) and the snapshot throttle; pure, no I/O.

Per analysed frame: scale down to the analysis width, grey, blur, MOG2 foreground mask (shadows, value 127, fall
under the threshold), threshold by sensitivity, keep only zones minus masks, dilate, external contours, drop blobs
under the minimum area. Boxes come back in camera-frame pixels; the score is the moving share of the watched area.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from edge.config import MotionConfig, Polygon, ThrottleConfig
from edge.protocol import MAX_BOXES, Box

Frame = NDArray[np.uint8]


@dataclass(frozen=True)
class Motion:
    """What moved in one frame: boxes in camera-frame pixels (largest first) and a score in [0, 1]."""

    boxes: tuple[Box, ...]
    score: float
    frame_size: tuple[int, int]  # width, height of the camera frame


class MotionDetector:
    """Feeds frames of one fixed size to a MOG2 model; ``detect`` returns Motion or None (nothing, or warming up)."""

    def __init__(self, settings: MotionConfig, frame_size: tuple[int, int]) -> None:
        width, height = frame_size
        if width < 1 or height < 1:
            raise ValueError(f"bad frame size {frame_size}")
        self._settings = settings
        self.frame_size = (width, height)
        self._scale = min(1.0, settings.width / width) if settings.width else 1.0
        self._size = (max(1, round(width * self._scale)), max(1, round(height * self._scale)))
        self._subtractor = cv2.createBackgroundSubtractorMOG2(
            history=settings.history, varThreshold=settings.var_threshold, detectShadows=True
        )
        self._watched = self._watch_mask()
        self._watched_pixels = max(1, int(np.count_nonzero(self._watched)))
        # MOG2 marks foreground 255 and shadows 127; the blurred mask's edges fade, so the cut sets how faint counts.
        self._cut = min(254.0, max(128.0, 255.0 * (1.0 - settings.sensitivity / 2)))
        self._min_area = settings.min_area * self._scale * self._scale
        self._kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
        self.frames = 0

    def _scaled(self, polygon: Polygon) -> NDArray[np.int32]:
        return np.array([[round(x * self._scale), round(y * self._scale)] for x, y in polygon], dtype=np.int32)

    def _watch_mask(self) -> Frame:
        width, height = self._size
        if self._settings.zones:
            watched = np.zeros((height, width), dtype=np.uint8)
            cv2.fillPoly(watched, [self._scaled(zone) for zone in self._settings.zones], 255)
        else:
            watched = np.full((height, width), 255, dtype=np.uint8)
        if self._settings.masks:
            cv2.fillPoly(watched, [self._scaled(mask) for mask in self._settings.masks], 0)
        return watched

    def detect(self, frame: Frame) -> Motion | None:
        """Learn from ``frame`` (BGR or grey, the size given at construction) and say what moved in it."""
        height, width = frame.shape[:2]
        if (width, height) != self.frame_size:
            raise ValueError(f"frame of {width}x{height}, expected {self.frame_size[0]}x{self.frame_size[1]}")
        small = frame if self._scale == 1.0 else cv2.resize(frame, self._size, interpolation=cv2.INTER_AREA)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        grey = cv2.GaussianBlur(grey, (5, 5), 0)
        foreground = self._subtractor.apply(grey)
        self.frames += 1
        if self.frames <= self._settings.warmup_frames:
            return None
        _, moving = cv2.threshold(foreground, self._cut, 255, cv2.THRESH_BINARY)
        moving = cv2.bitwise_and(moving, self._watched)
        # Dilation only groups nearby pixels into one blob; boxes and areas come from the undilated pixels.
        grouped = cv2.dilate(moving, self._kernel, iterations=2)
        contours, _ = cv2.findContours(grouped, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        blobs: list[tuple[int, tuple[int, int, int, int]]] = []
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            inside = moving[y : y + h, x : x + w]
            area = int(np.count_nonzero(inside))
            if area < self._min_area:
                continue
            rows, cols = np.nonzero(inside)
            top, left = int(rows.min()), int(cols.min())
            blobs.append((area, (x + left, y + top, int(cols.max()) - left + 1, int(rows.max()) - top + 1)))
        if not blobs:
            return None
        blobs.sort(key=lambda blob: blob[0], reverse=True)
        boxes = tuple(self._to_frame(rect) for _, rect in blobs[:MAX_BOXES])
        score = min(1.0, float(np.count_nonzero(moving)) / self._watched_pixels)
        return Motion(boxes=boxes, score=round(score, 4), frame_size=self.frame_size)

    def _to_frame(self, rect: tuple[int, int, int, int]) -> Box:
        x, y, w, h = rect
        width, height = self.frame_size
        left = min(width - 1, int(x / self._scale))
        top = min(height - 1, int(y / self._scale))
        right = min(width, max(left + 1, round((x + w) / self._scale)))
        bottom = min(height, max(top + 1, round((y + h) / self._scale)))
        return (left, top, right - left, bottom - top)


class Throttle:
    """Allows at most N snapshots per burst of motion, ``min_interval_s`` apart, then none for ``cooldown_s``.

    A burst ends after its N-th snapshot (the cooldown follows) or after ``cooldown_s`` without a snapshot.
    """

    def __init__(self, settings: ThrottleConfig) -> None:
        self._settings = settings
        self._count = 0
        self._last: float | None = None
        self._quiet_until = float("-inf")
        self.suppressed = 0

    def allow(self, now: float) -> bool:
        """Called for each frame with motion (``now`` in monotonic seconds): True when it may become a snapshot."""
        settings = self._settings
        if now < self._quiet_until:
            self.suppressed += 1
            return False
        if self._last is not None and now - self._last >= settings.cooldown_s:
            self._count = 0  # a quiet spell: a new burst
        if self._last is not None and self._count and now - self._last < settings.min_interval_s:
            self.suppressed += 1
            return False
        self._count += 1
        self._last = now
        if self._count >= settings.max_snapshots_per_burst:
            self._count = 0
            self._quiet_until = now + settings.cooldown_s
        return True
