"""Recording as pure logic: modes, weekly schedules, indexed segments and gaps, retention and the disk forecast.

Nothing here touches a file or a clock of its own: callers pass the time and the figures, so every rule is tested
with plain values (the Frigate way: retention is a function, not a side effect).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.models import RecordMode

__all__ = [
    "PLAYBACK_SPEEDS",
    "CameraTrack",
    "Gap",
    "GapCause",
    "RecordMode",
    "RecordingPolicy",
    "RetentionLimits",
    "RetentionPlan",
    "SegmentInfo",
    "SegmentState",
    "TimeRange",
    "TimelineData",
    "TimelineEvent",
    "WeeklySchedule",
    "days_that_fit",
    "plan_retention",
]


class SegmentState(enum.StrEnum):
    """Lifecycle of an indexed recording file."""

    OPEN = "open"  # being written (or left open by a crash until start-up repair)
    CLOSED = "closed"  # finished normally
    REPAIRED = "repaired"  # left open by a crash, closed at start-up from what the file holds
    MISSING = "missing"  # the index knows it, the disk does not any more
    DAMAGED = "damaged"  # on disk but not decodable


class GapCause(enum.StrEnum):
    """Why no footage exists for a time range although the camera was meant to record."""

    CAMERA_OFFLINE = "camera offline"
    DISK_FULL = "disk full"
    STORAGE_ERROR = "storage unavailable"
    STOPPED_BY_USER = "stopped by user"
    APP_NOT_RUNNING = "app not running"


@dataclass(frozen=True)
class SegmentInfo:
    """An indexed recording file. Times are aware UTC; end is None while the segment is open."""

    id: int
    camera_id: int
    path: Path
    start: datetime
    end: datetime | None
    bytes: int = 0
    codec: str = ""
    width: int = 0
    height: int = 0
    state: SegmentState = SegmentState.CLOSED
    protected: bool = False

    @property
    def duration_s(self) -> float:
        """Seconds of footage (0 while open)."""
        return 0.0 if self.end is None else max(0.0, (self.end - self.start).total_seconds())

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when some of this segment lies inside [start, end)."""
        return self.end is not None and self.start < end and self.end > start


@dataclass(frozen=True)
class Gap:
    """A time range without footage and its cause; end is None while the gap lasts."""

    camera_id: int
    start: datetime
    end: datetime | None
    cause: GapCause
    id: int = 0


#: Playback rates offered and accepted (1 = real time).
PLAYBACK_SPEEDS = (0.125, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
#: A recorded time range [start, end), aware UTC.
TimeRange = tuple[datetime, datetime]
#: Something that happened at a time (a detection, an alarm) and its short label.
TimelineEvent = tuple[datetime, str]


@dataclass(frozen=True)
class CameraTrack:
    """One camera's row of the timeline: what is recorded, the gaps and why, events, and the protected footage
    (recording files retention never deletes)."""

    camera_id: int
    ranges: Sequence[TimeRange] = ()
    gaps: Sequence[Gap] = ()
    events: Sequence[TimelineEvent] = ()
    protected: Sequence[TimeRange] = ()


@dataclass(frozen=True)
class ProtectionChange:
    """What protecting (or unprotecting) a time range did. Protection is per recording file, so files holds every
    file with footage in the range, whole (first start to last end may reach past the range); changed counts the
    files whose protection changed (the others already were as asked)."""

    files: tuple[TimeRange, ...] = ()
    changed: int = 0


@dataclass(frozen=True)
class TimelineData:
    """Footage of several cameras over [start, end): recorded ranges sorted by start, gaps and events."""

    start: datetime
    end: datetime
    tracks: dict[int, CameraTrack] = field(default_factory=dict)

    def track(self, camera_id: int) -> CameraTrack:
        """The camera's track (empty when the camera has nothing in the range)."""
        return self.tracks.get(camera_id) or CameraTrack(camera_id)

    def covers(self, when: datetime) -> bool:
        """True when when lies inside the range this data describes."""
        return self.start <= when < self.end


# ---- weekly schedule ---------------------------------------------------------------------------------

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_SET = r"[a-z]{3}(?:-[a-z]{3})?(?:,[a-z]{3}(?:-[a-z]{3})?)*"
_RANGE = re.compile(rf"^(?P<days>{_DAY_SET})\s+(?P<from>\d{{2}}:\d{{2}})-(?P<to>\d{{2}}:\d{{2}})$")


@dataclass(frozen=True)
class ScheduleRange:
    """Record on these weekdays (0 = Monday) from start to end local time; end before start runs past midnight."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True)
class WeeklySchedule:
    """A weekly recording schedule in the site's local time zone (daylight saving handled by zoneinfo)."""

    ranges: tuple[ScheduleRange, ...] = ()
    zone: str = "UTC"

    @classmethod
    def parse(cls, text: str, zone: str = "UTC") -> WeeklySchedule:
        """Parse 'mon-fri 08:00-18:00; sat,sun 00:00-24:00' (ranges separated by ';')."""
        try:
            ZoneInfo(zone)
        except (KeyError, ValueError) as err:
            raise ValidationError(f"unknown time zone '{zone}'") from err
        ranges = []
        for part in (p.strip().lower() for p in text.split(";")):
            if not part:
                continue
            match = _RANGE.match(part)
            if match is None:
                raise ValidationError(f"bad schedule range '{part}': expected e.g. 'mon-fri 08:00-18:00'")
            days: set[int] = set()
            for item in match["days"].split(","):
                first, _, last = item.partition("-")
                if first not in _DAYS or (last and last not in _DAYS):
                    raise ValidationError(f"bad day in '{part}': use {', '.join(_DAYS)}")
                a, b = _DAYS.index(first), _DAYS.index(last or first)
                days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
            ranges.append(ScheduleRange(frozenset(days), _clock(match["from"], part), _clock(match["to"], part)))
        return cls(tuple(ranges), zone)

    def active(self, when: datetime) -> bool:
        """True when the schedule records at the aware instant when."""
        local = when.astimezone(ZoneInfo(self.zone))
        now, today = local.time().replace(tzinfo=None), local.weekday()
        for r in self.ranges:
            if r.start < r.end or r.end == time(0):
                end_ok = r.end == time(0) or now < r.end  # 24:00 is stored as 00:00 = end of day
                if today in r.days and r.start <= now and end_ok:
                    return True
            else:  # overnight: from start today to end tomorrow
                if today in r.days and now >= r.start:
                    return True
                if (today - 1) % 7 in r.days and now < r.end:
                    return True
        return False

    def __str__(self) -> str:
        parts = []
        for r in self.ranges:
            days = ",".join(_DAYS[d] for d in sorted(r.days))
            end = "24:00" if r.end == time(0) else r.end.strftime("%H:%M")
            parts.append(f"{days} {r.start.strftime('%H:%M')}-{end}")
        return "; ".join(parts)


def _clock(text: str, part: str) -> time:
    hours, minutes = int(text[:2]), int(text[3:])
    if hours == 24 and minutes == 0:
        return time(0)
    if hours > 23 or minutes > 59:
        raise ValidationError(f"bad time '{text}' in '{part}'")
    return time(hours, minutes)


# ---- recording policy and retention ------------------------------------------------------------------


@dataclass(frozen=True)
class RecordingPolicy:
    """What a camera records and how long its footage is kept."""

    mode: RecordMode = RecordMode.OFF
    segment_s: int = 300
    schedule: WeeklySchedule = field(default_factory=WeeklySchedule)
    pre_roll_s: float = 5.0
    post_roll_s: float = 10.0
    max_age_days: float | None = None
    max_bytes: int | None = None

    def wants_recording(self, now: datetime, *, manual_until: datetime | None, event_until: datetime | None) -> bool:
        """True when the camera should be writing footage at now."""
        if manual_until is not None and now < manual_until:
            return True
        if self.mode is RecordMode.CONTINUOUS:
            return True
        if self.mode is RecordMode.SCHEDULE:
            return self.schedule.active(now)
        if self.mode is RecordMode.EVENTS:
            return event_until is not None and now < event_until
        return False


@dataclass(frozen=True)
class RetentionLimits:
    """Global limits: a quota over all recordings, and disk space to leave free."""

    quota_bytes: int | None = None
    free_reserve_bytes: int = 2 * 1024**3


@dataclass(frozen=True)
class RetentionPlan:
    """What retention decided: segments to delete, and whether space is still short after deleting them."""

    delete: tuple[SegmentInfo, ...]
    reasons: dict[int, str]
    still_short_bytes: int = 0


def plan_retention(
    segments: Iterable[SegmentInfo],
    policies: dict[int, RecordingPolicy],
    limits: RetentionLimits,
    *,
    now: datetime,
    free_bytes: int,
) -> RetentionPlan:
    """Choose the segments to delete: over a camera's age or size, then oldest first for the quota and free space.

    Open and protected segments are never chosen. still_short_bytes > 0 means that deleting everything allowed
    does not bring the disk back over its reserve (or under the quota): the disk-full alarm case.
    """
    everything = list(segments)
    candidates = sorted(
        (s for s in everything if s.state is not SegmentState.OPEN and s.state is not SegmentState.MISSING),
        key=lambda s: (s.start, s.id),
    )
    chosen: dict[int, SegmentInfo] = {}
    reasons: dict[int, str] = {}

    def take(seg: SegmentInfo, reason: str) -> None:
        if seg.protected or seg.id in chosen:
            return
        chosen[seg.id] = seg
        reasons[seg.id] = reason

    by_camera: dict[int, list[SegmentInfo]] = {}
    for seg in candidates:
        by_camera.setdefault(seg.camera_id, []).append(seg)
    for camera_id, own in by_camera.items():
        policy = policies.get(camera_id, RecordingPolicy())
        if policy.max_age_days is not None:
            limit = now - timedelta(days=policy.max_age_days)
            for seg in own:
                if seg.end is not None and seg.end < limit:
                    take(seg, f"older than {policy.max_age_days:g} days")
        if policy.max_bytes is not None:
            kept = sum(s.bytes for s in own if s.id not in chosen)
            for seg in own:
                if kept <= policy.max_bytes:
                    break
                if seg.id not in chosen and not seg.protected:
                    take(seg, "camera over its size limit")
                    kept -= seg.bytes
    # Open segments take space too, though they cannot be deleted.
    total = sum(s.bytes for s in candidates) + sum(s.bytes for s in everything if s.state is SegmentState.OPEN)
    freed = sum(s.bytes for s in chosen.values())
    over_quota = 0 if limits.quota_bytes is None else total - freed - limits.quota_bytes
    short_space = limits.free_reserve_bytes - (free_bytes + freed)
    need = max(over_quota, short_space, 0)
    for seg in candidates:
        if need <= 0:
            break
        if seg.id in chosen or seg.protected:
            continue
        take(seg, "global quota" if over_quota > 0 else "disk free-space reserve")
        need -= seg.bytes
        over_quota -= seg.bytes
    ordered = tuple(sorted(chosen.values(), key=lambda s: (s.start, s.id)))
    return RetentionPlan(ordered, reasons, max(need, 0))


def days_that_fit(
    segments: Sequence[SegmentInfo], *, capacity_bytes: int, now: datetime, window: timedelta = timedelta(days=1)
) -> float | None:
    """Days of footage the storage holds at the recent write rate (None when nothing was written lately)."""
    since = now - window
    recent = [s for s in segments if s.end is not None and s.end > since]
    if not recent:
        return None
    first = max(since, min(s.start for s in recent))
    span_s = (now - first).total_seconds()
    written = sum(s.bytes for s in recent)
    if span_s <= 0 or written <= 0:
        return None
    per_day = written / span_s * 86400
    return capacity_bytes / per_day
