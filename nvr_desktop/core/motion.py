"""Server-side motion detection settings of one camera: validated, and stored as JSON in the cameras table.

Zones and masks are polygons in normalised coordinates (0..1 of the frame's width and height), so they stay right
whatever the sub-stream's resolution. With zones, only motion inside them counts; motion inside a mask never does.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from typing import Any

from nvr_desktop.core.errors import ValidationError

Point = tuple[float, float]
Polygon = tuple[Point, ...]

MIN_SENSITIVITY = 1
MAX_SENSITIVITY = 10
MAX_POLYGONS = 16
MAX_POINTS = 64
_FIELDS = frozenset(
    {"enabled", "sensitivity", "min_area", "zones", "masks", "warmup_frames", "fps", "cooldown_s", "burst"}
)


@dataclass(frozen=True)
class MotionSettings:
    """How a camera's own stream is searched for motion when it has no edge agent (off by default)."""

    enabled: bool = False
    sensitivity: int = 5  # 1 (only large, strong changes) .. 10 (small, faint changes)
    min_area: float = 0.005  # the changed fraction of the zones' area that makes an event
    zones: tuple[Polygon, ...] = ()  # empty: the whole frame
    masks: tuple[Polygon, ...] = ()
    warmup_frames: int = 10  # analysed frames that only build the background after a (re)start
    fps: float = 5.0  # analysed frames per second
    cooldown_s: float = 10.0  # quiet time after a burst before the next event
    burst: int = 1  # events (snapshots) per burst before the cooldown starts

    def __post_init__(self) -> None:
        if not isinstance(self.enabled, bool):
            raise ValidationError("motion enabled must be true or false")
        if not isinstance(self.sensitivity, int) or isinstance(self.sensitivity, bool):
            raise ValidationError("motion sensitivity must be a whole number")
        if not MIN_SENSITIVITY <= self.sensitivity <= MAX_SENSITIVITY:
            raise ValidationError(f"motion sensitivity must be between {MIN_SENSITIVITY} and {MAX_SENSITIVITY}")
        if not _number(self.min_area) or not 0.0 < self.min_area <= 1.0:
            raise ValidationError("motion min_area must be a fraction of the frame above 0 and at most 1")
        if not isinstance(self.warmup_frames, int) or not 0 <= self.warmup_frames <= 1000:
            raise ValidationError("motion warmup_frames must be between 0 and 1000")
        if not _number(self.fps) or not 0.2 <= self.fps <= 30.0:
            raise ValidationError("motion fps must be between 0.2 and 30")
        if not _number(self.cooldown_s) or not 0.0 <= self.cooldown_s <= 3600.0:
            raise ValidationError("motion cooldown_s must be between 0 and 3600 seconds")
        if not isinstance(self.burst, int) or isinstance(self.burst, bool) or not 1 <= self.burst <= 100:
            raise ValidationError("motion burst must be between 1 and 100 snapshots")
        object.__setattr__(self, "zones", _polygons(self.zones, "zones"))
        object.__setattr__(self, "masks", _polygons(self.masks, "masks"))

    def to_json(self) -> str:
        """The settings as a compact JSON object (the cameras.motion column)."""
        return json.dumps(
            {
                "enabled": self.enabled,
                "sensitivity": self.sensitivity,
                "min_area": self.min_area,
                "zones": [[list(p) for p in poly] for poly in self.zones],
                "masks": [[list(p) for p in poly] for poly in self.masks],
                "warmup_frames": self.warmup_frames,
                "fps": self.fps,
                "cooldown_s": self.cooldown_s,
                "burst": self.burst,
            },
            separators=(",", ":"),
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str | None) -> MotionSettings:
        """Settings from the column; empty or missing means the defaults (off)."""
        if not text:
            return cls()
        try:
            doc = json.loads(text)
        except ValueError as err:
            raise ValidationError(f"motion settings are not JSON: {err}") from None
        if not isinstance(doc, dict):
            raise ValidationError("motion settings must be a JSON object")
        unknown = set(doc) - _FIELDS
        if unknown:
            raise ValidationError(f"unknown motion settings: {', '.join(sorted(unknown))}")
        return replace(cls(), **doc)

    def changed(self, **changes: Any) -> MotionSettings:
        """A copy with some fields changed (validated)."""
        return replace(self, **changes)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _polygons(value: object, name: str) -> tuple[Polygon, ...]:
    if not isinstance(value, list | tuple):
        raise ValidationError(f"motion {name} must be a list of polygons")
    if len(value) > MAX_POLYGONS:
        raise ValidationError(f"motion {name}: at most {MAX_POLYGONS} polygons")
    polygons: list[Polygon] = []
    for index, poly in enumerate(value):
        if not isinstance(poly, list | tuple) or not 3 <= len(poly) <= MAX_POINTS:
            raise ValidationError(f"motion {name} polygon {index + 1} needs 3 to {MAX_POINTS} points")
        points: list[Point] = []
        for point in poly:
            if not isinstance(point, list | tuple) or len(point) != 2 or not all(_number(c) for c in point):
                raise ValidationError(f"motion {name} polygon {index + 1}: each point is two numbers x,y")
            x, y = float(point[0]), float(point[1])
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise ValidationError(f"motion {name} polygon {index + 1}: coordinates are fractions from 0 to 1")
            points.append((x, y))
        polygons.append(tuple(points))
    return tuple(polygons)


def parse_polygon(text: str) -> Polygon:
    """A polygon typed as "x1,y1 x2,y2 x3,y3 ..." (fractions of the frame), e.g. on the command line."""
    points: list[list[float]] = []
    for pair in text.split():
        parts = pair.split(",")
        if len(parts) != 2:
            raise ValidationError(f"motion zone point {pair!r} is not x,y")
        try:
            points.append([float(parts[0]), float(parts[1])])
        except ValueError:
            raise ValidationError(f"motion zone point {pair!r} is not two numbers") from None
    return _polygons([points], "zones")[0]
