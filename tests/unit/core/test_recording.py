"""Recording rules as pure logic: schedules (with daylight saving), modes, retention order, protection, forecast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.recording import (
    RecordingPolicy,
    RecordMode,
    RetentionLimits,
    SegmentInfo,
    SegmentState,
    WeeklySchedule,
    days_that_fit,
    plan_retention,
)

T0 = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a Monday
MB = 1024**2


def seg(n: int, camera: int = 1, *, hours: float = 0.0, size: int = 100 * MB, protected: bool = False) -> SegmentInfo:
    start = T0 + timedelta(hours=hours)
    return SegmentInfo(
        id=n,
        camera_id=camera,
        path=Path(f"/r/{camera}/{n}.mp4"),
        start=start,
        end=start + timedelta(minutes=5),
        bytes=size,
        protected=protected,
    )


def test_schedule_days_and_hours() -> None:
    s = WeeklySchedule.parse("mon-fri 08:00-18:00; sat 10:00-12:00")
    assert s.active(datetime(2026, 11, 2, 8, 0, tzinfo=UTC))  # Monday 08:00
    assert not s.active(datetime(2026, 11, 2, 18, 0, tzinfo=UTC))  # the end is exclusive
    assert not s.active(datetime(2026, 11, 1, 9, 0, tzinfo=UTC))  # Sunday
    assert s.active(datetime(2026, 11, 7, 11, 0, tzinfo=UTC))  # Saturday
    assert str(s) == "mon,tue,wed,thu,fri 08:00-18:00; sat 10:00-12:00"


def test_overnight_and_whole_day_ranges() -> None:
    night = WeeklySchedule.parse("fri 22:00-06:00")
    assert night.active(datetime(2026, 11, 6, 23, 0, tzinfo=UTC))  # Friday night
    assert night.active(datetime(2026, 11, 7, 5, 59, tzinfo=UTC))  # Saturday early morning
    assert not night.active(datetime(2026, 11, 7, 6, 0, tzinfo=UTC))
    assert not night.active(datetime(2026, 11, 6, 5, 0, tzinfo=UTC))  # Friday early morning belongs to Thursday
    allday = WeeklySchedule.parse("sat,sun 00:00-24:00")
    assert allday.active(datetime(2026, 11, 8, 23, 59, tzinfo=UTC))
    assert not allday.active(datetime(2026, 11, 9, 0, 0, tzinfo=UTC))


def test_schedule_follows_local_time_across_daylight_saving() -> None:
    s = WeeklySchedule.parse("sun 08:00-09:00", zone="Europe/Madrid")
    # 25 October 2026: Madrid leaves summer time at 03:00 local; 08:00 local is 07:00 UTC that day.
    assert s.active(datetime(2026, 10, 25, 7, 30, tzinfo=UTC))
    assert not s.active(datetime(2026, 10, 25, 6, 30, tzinfo=UTC))
    # A week earlier (summer time) 08:00 local was 06:00 UTC.
    assert s.active(datetime(2026, 10, 18, 6, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mon 8:00-9:00", "bad schedule range"),
        ("mun 08:00-09:00", "bad day"),
        ("mon 25:00-26:00", "bad time"),
        ("everyday", "bad schedule range"),
    ],
)
def test_bad_schedules_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WeeklySchedule.parse(text)
    with pytest.raises(ValidationError, match="unknown time zone"):
        WeeklySchedule.parse("mon 08:00-09:00", zone="Mars/Olympus")


def test_modes_decide_when_to_record() -> None:
    now = T0 + timedelta(hours=9)
    soon = now + timedelta(seconds=5)
    assert RecordingPolicy(RecordMode.CONTINUOUS).wants_recording(now, manual_until=None, event_until=None)
    assert not RecordingPolicy(RecordMode.OFF).wants_recording(now, manual_until=None, event_until=None)
    assert RecordingPolicy(RecordMode.OFF).wants_recording(now, manual_until=soon, event_until=None)
    events = RecordingPolicy(RecordMode.EVENTS)
    assert events.wants_recording(now, manual_until=None, event_until=soon)
    assert not events.wants_recording(soon, manual_until=None, event_until=soon)
    office = RecordingPolicy(RecordMode.SCHEDULE, schedule=WeeklySchedule.parse("mon 08:00-10:00"))
    assert office.wants_recording(now, manual_until=None, event_until=None)
    assert not office.wants_recording(now + timedelta(hours=2), manual_until=None, event_until=None)


def test_retention_by_age_never_takes_protected_or_open_segments() -> None:
    old = seg(1, hours=0)
    locked = seg(2, hours=1, protected=True)
    recent = seg(3, hours=24 * 9)
    open_seg = SegmentInfo(4, 1, Path("/r/1/4.mp4"), T0, None, 5 * MB, state=SegmentState.OPEN)
    plan = plan_retention(
        [recent, locked, old, open_seg],
        {1: RecordingPolicy(max_age_days=7)},
        RetentionLimits(free_reserve_bytes=0),
        now=T0 + timedelta(days=10),
        free_bytes=10**12,
    )
    assert [s.id for s in plan.delete] == [1]
    assert "older than 7 days" in plan.reasons[1]
    assert plan.still_short_bytes == 0


def test_quota_and_free_space_delete_oldest_first_across_cameras() -> None:
    segments = [seg(1, 1, hours=0), seg(2, 2, hours=1), seg(3, 1, hours=2, protected=True), seg(4, 2, hours=3)]
    plan = plan_retention(
        segments, {}, RetentionLimits(quota_bytes=250 * MB, free_reserve_bytes=0), now=T0, free_bytes=10**12
    )
    assert [s.id for s in plan.delete] == [1, 2]  # 400 MB stored, 250 allowed; the locked one stays
    plan = plan_retention(segments, {}, RetentionLimits(free_reserve_bytes=150 * MB), now=T0, free_bytes=0)
    assert [s.id for s in plan.delete] == [1, 2]
    assert plan.reasons[1] == "disk free-space reserve"


def test_camera_size_limit_and_the_short_case() -> None:
    segments = [seg(1, hours=0), seg(2, hours=1), seg(3, hours=2)]
    plan = plan_retention(
        segments,
        {1: RecordingPolicy(max_bytes=150 * MB)},
        RetentionLimits(free_reserve_bytes=0),
        now=T0,
        free_bytes=10**12,
    )
    assert [s.id for s in plan.delete] == [1, 2]
    everything_locked = [seg(1, protected=True), seg(2, hours=1, protected=True)]
    plan = plan_retention(everything_locked, {}, RetentionLimits(free_reserve_bytes=500 * MB), now=T0, free_bytes=0)
    assert plan.delete == ()
    assert plan.still_short_bytes == 500 * MB  # the disk-full alarm case


def test_days_that_fit_uses_the_recent_write_rate() -> None:
    # 12 segments of 100 MB over the last hour: 1.2 GB/h, 28.8 GB/day.
    now = T0 + timedelta(hours=1)
    segments = [
        SegmentInfo(n, 1, Path(f"/r/{n}"), T0 + timedelta(minutes=5 * n), T0 + timedelta(minutes=5 * (n + 1)), 100 * MB)
        for n in range(12)
    ]
    days = days_that_fit(segments, capacity_bytes=int(28.8 * 1000 * MB), now=now)
    assert days is not None and days == pytest.approx(1.0, rel=0.01)
    assert days_that_fit([], capacity_bytes=10, now=now) is None
