"""Motion detection on small grayscale frames, numpy only: running-average background, thresholded difference,
zones and masks, boxes from a coarse grid of changed cells, and the warm-up, cooldown and burst throttles."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nvr_desktop.core.motion import MotionSettings, Polygon

Box = tuple[int, int, int, int]  # x, y, width, height in source-frame pixels
#: Grid cell side in analysis pixels: changed pixels are grouped per cell, touching cells make one box.
CELL = 8
#: A cell counts as changed when this fraction of its pixels changed (ignores lone noisy pixels).
CELL_FILL = 0.1
#: Background learning rate for still pixels, and for pixels that changed (a parked car fades in slowly).
LEARN_STILL = 0.1
LEARN_MOVING = 0.02
#: Snapshots of one burst are at least this far apart.
BURST_SPACING_S = 1.0


def threshold_for(sensitivity: int) -> float:
    """The grey-level difference (0-255) a pixel must change by to count: 55 at sensitivity 1, 10 at 10."""
    return 60.0 - 5.0 * sensitivity


def polygon_mask(polygon: Polygon, width: int, height: int) -> NDArray[np.bool_]:
    """Pixels whose centres lie inside a polygon given in 0..1 coordinates (even-odd rule), as a bool array."""
    xs = (np.arange(width, dtype=np.float64) + 0.5) / width
    ys = (np.arange(height, dtype=np.float64) + 0.5) / height
    px = xs[np.newaxis, :]
    py = ys[:, np.newaxis]
    inside = np.zeros((height, width), dtype=np.bool_)
    count = len(polygon)
    for i in range(count):
        x1, y1 = polygon[i]
        x2, y2 = polygon[(i + 1) % count]
        if y1 == y2:
            continue  # a horizontal edge never crosses a horizontal ray
        crosses = (y1 > py) != (y2 > py)
        x_cross = x1 + (py - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (px < x_cross)
    return inside


def active_area(settings: MotionSettings, width: int, height: int) -> NDArray[np.bool_]:
    """Where motion counts: inside any zone (everywhere without zones) and outside every mask."""
    if settings.zones:
        area = np.zeros((height, width), dtype=np.bool_)
        for zone in settings.zones:
            area |= polygon_mask(zone, width, height)
    else:
        area = np.ones((height, width), dtype=np.bool_)
    for mask in settings.masks:
        area &= ~polygon_mask(mask, width, height)
    return area


@dataclass(frozen=True)
class MotionHit:
    """Motion worth an event: how much changed (fraction of the watched area) and where, in source pixels."""

    score: float
    boxes: tuple[Box, ...]
    frame_size: tuple[int, int]


def _blur(image: NDArray[np.float32]) -> NDArray[np.float32]:
    """A 3x3 box blur (edges repeated): camera noise is per pixel, motion is not."""
    padded = np.pad(image, 1, mode="edge")
    out = np.zeros_like(image)
    h, w = image.shape
    for dy in range(3):
        for dx in range(3):
            out += padded[dy : dy + h, dx : dx + w]
    return out / 9.0


def changed_boxes(changed: NDArray[np.bool_], max_boxes: int = 16) -> list[tuple[int, int, int, int]]:
    """Group changed pixels into boxes (x, y, w, h in the same pixels): cells of CELL px, touching cells joined."""
    h, w = changed.shape
    rows, cols = -(-h // CELL), -(-w // CELL)
    padded = np.zeros((rows * CELL, cols * CELL), dtype=np.float32)
    padded[:h, :w] = changed
    fill = padded.reshape(rows, CELL, cols, CELL).mean(axis=(1, 3))
    cells = fill >= CELL_FILL
    labels = np.zeros((rows, cols), dtype=np.int32)
    boxes: list[tuple[int, int, int, int]] = []
    current = 0
    for r0, c0 in zip(*np.nonzero(cells), strict=True):
        if labels[r0, c0]:
            continue
        current += 1
        labels[r0, c0] = current
        stack = [(int(r0), int(c0))]
        top, left, bottom, right = int(r0), int(c0), int(r0), int(c0)
        while stack:
            r, c = stack.pop()
            top, left, bottom, right = min(top, r), min(left, c), max(bottom, r), max(right, c)
            for nr in (r - 1, r, r + 1):
                for nc in (c - 1, c, c + 1):
                    if 0 <= nr < rows and 0 <= nc < cols and cells[nr, nc] and not labels[nr, nc]:
                        labels[nr, nc] = current
                        stack.append((nr, nc))
        # Tight bounds of the changed pixels inside the component's cells.
        y0, y1 = top * CELL, min(h, (bottom + 1) * CELL)
        x0, x1 = left * CELL, min(w, (right + 1) * CELL)
        region = changed[y0:y1, x0:x1]
        ys = np.nonzero(region.any(axis=1))[0]
        xs = np.nonzero(region.any(axis=0))[0]
        if len(ys) and len(xs):
            boxes.append((x0 + int(xs[0]), y0 + int(ys[0]), int(xs[-1] - xs[0]) + 1, int(ys[-1] - ys[0]) + 1))
    boxes.sort(key=lambda b: b[2] * b[3], reverse=True)
    return boxes[:max_boxes]


class MotionDetector:
    """Feed it small grayscale frames in order; it answers a MotionHit when an event is due, else None."""

    def __init__(self, settings: MotionSettings) -> None:
        self.settings = settings
        self._background: NDArray[np.float32] | None = None
        self._warmup: list[NDArray[np.float32]] = []
        self._area: NDArray[np.bool_] | None = None
        self._area_pixels = 0
        self._seen = 0
        self._quiet_until = -np.inf
        self._burst_count = 0
        self._last_event = -np.inf

    def reset(self) -> None:
        """Forget the background (a new connection, a new size): the next frames warm up again."""
        self._background = None
        self._warmup = []
        self._seen = 0

    def process(self, gray: NDArray[np.uint8], source_size: tuple[int, int], now: float) -> MotionHit | None:
        """Analyse one frame taken at now (monotonic seconds); source_size is the full frame's (width, height)."""
        image = _blur(gray.astype(np.float32))
        h, w = image.shape
        if self._background is None or self._background.shape != image.shape:
            self._background = image
            self._warmup = [image]
            self._area = active_area(self.settings, w, h)
            self._area_pixels = int(self._area.sum())
            self._seen = 1
            return None
        background = self._background
        changed = np.abs(image - background) > threshold_for(self.settings.sensitivity)
        self._seen += 1
        if self._seen <= self.settings.warmup_frames:
            # Warming up: the background is the per-pixel median of these frames, so something that moves
            # through the picture meanwhile leaves no ghost behind.
            self._warmup.append(image)
            if self._seen == self.settings.warmup_frames:
                self._background = np.median(np.stack(self._warmup), axis=0).astype(np.float32)
                self._warmup = []
            return None
        rate = np.where(changed, LEARN_MOVING, LEARN_STILL).astype(np.float32)
        background += rate * (image - background)
        if self._area is None or self._area_pixels == 0:
            return None
        changed &= self._area
        score = float(changed.sum()) / self._area_pixels
        moving = score >= self.settings.min_area
        if not moving:
            if self._burst_count:  # the motion ended inside a burst: the cooldown runs from its last event
                self._quiet_until = self._last_event + self.settings.cooldown_s
                self._burst_count = 0
            return None
        if now < self._quiet_until or now - self._last_event < BURST_SPACING_S:
            return None
        boxes = changed_boxes(changed)
        if not boxes:
            return None
        src_w, src_h = source_size
        sx, sy = src_w / w, src_h / h
        scaled: list[Box] = []
        for x, y, bw, bh in boxes:
            x0, y0 = min(src_w - 1, int(x * sx)), min(src_h - 1, int(y * sy))
            x1, y1 = min(src_w, max(x0 + 1, round((x + bw) * sx))), min(src_h, max(y0 + 1, round((y + bh) * sy)))
            scaled.append((x0, y0, x1 - x0, y1 - y0))
        self._last_event = now
        self._burst_count += 1
        if self._burst_count >= self.settings.burst:
            self._quiet_until = now + self.settings.cooldown_s
            self._burst_count = 0
        return MotionHit(min(1.0, score), tuple(scaled), (src_w, src_h))
