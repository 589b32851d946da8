"""Local time for the playback UI: data is in UTC, people read their wall clock, daylight saving included.

The timeline's axis is linear in real (UTC) time, so the repeated hour when clocks go back takes its full width and
no footage hides behind another; only the labels are local. Ticks fall on local wall-clock boundaries.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from PySide6.QtCore import QCoreApplication, QDate, QLocale

#: Returns the current time, aware UTC (injectable for tests).
Clock = Callable[[], datetime]

#: (major step, minor step) in seconds, from the finest; the ruler takes the first whose labels do not collide.
STEPS: tuple[tuple[int, int], ...] = (
    (5, 1),
    (10, 2),
    (15, 5),
    (30, 5),
    (60, 10),
    (120, 30),
    (300, 60),
    (600, 120),
    (900, 300),
    (1800, 300),
    (3600, 600),
    (7200, 1800),
    (10800, 3600),
    (21600, 3600),
    (43200, 10800),
    (86400, 21600),
)
_SAMPLE_S = 3 * 3600  # offsets are sampled this often across a view to find daylight-saving changes


def utc_now() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def to_local(when: datetime | float, zone: tzinfo | None = None) -> datetime:
    """An aware UTC time (or POSIX seconds) in the given zone, or in the system's zone when zone is None."""
    moment = datetime.fromtimestamp(when, UTC) if isinstance(when, int | float) else when.astimezone(UTC)
    # astimezone() without a zone asks the C library, so TZ (and its daylight-saving rules) is honoured.
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def offset_s(when: float, zone: tzinfo | None) -> int:
    """The zone's offset from UTC at a POSIX time, in seconds."""
    offset = to_local(when, zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def local_midnight(day: QDate, zone: tzinfo | None = None) -> datetime:
    """The aware UTC instant at which a local calendar day starts."""
    for hour in range(0, 24):  # a zone may skip midnight itself (some change clocks at 00:00)
        naive = datetime(day.year(), day.month(), day.day(), hour)
        if zone is not None:
            local = naive.replace(tzinfo=zone)
            if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive:
                return local.astimezone(UTC)
        else:
            utc = naive.astimezone(UTC)  # naive means system local time here
            if utc.astimezone().replace(tzinfo=None) == naive:
                return utc
    return datetime(day.year(), day.month(), day.day(), tzinfo=UTC)


def local_day(when: datetime, zone: tzinfo | None = None) -> QDate:
    """The local calendar day an instant falls on."""
    local = to_local(when, zone)
    return QDate(local.year, local.month, local.day)


def day_span(day: QDate, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """[start, end) of a local calendar day in UTC (23 or 25 hours on daylight-saving days)."""
    return local_midnight(day, zone), local_midnight(day.addDays(1), zone)


def clock_text(when: datetime | float, zone: tzinfo | None = None, *, seconds: bool = True) -> str:
    """Local wall-clock time, 24-hour: 14:05 or 14:05:09."""
    local = to_local(when, zone)
    return f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"


def date_text(when: datetime | float, zone: tzinfo | None = None, *, year: bool = False) -> str:
    """The local date in the interface language: 'Sun 25 Oct' (with the year when asked)."""
    local = to_local(when, zone)
    return QLocale().toString(QDate(local.year, local.month, local.day), "ddd d MMM yyyy" if year else "ddd d MMM")


def moment_text(when: datetime, zone: tzinfo | None = None) -> str:
    """Date, time and zone abbreviation, unambiguous across a daylight-saving change."""
    local = to_local(when, zone)
    return f"{date_text(when, zone, year=True)} {local:%H:%M:%S} {local.tzname() or ''}".rstrip()


def duration_text(seconds: float) -> str:
    """A short duration in the interface language: 45 s, 12 min, 3 h 20 min, 2 d 4 h."""
    total = round(seconds)
    if total < 60:
        return QCoreApplication.translate("PlaybackClock", "%1 s").replace("%1", str(total))
    minutes = total // 60
    if minutes < 60:
        return QCoreApplication.translate("PlaybackClock", "%1 min").replace("%1", str(minutes))
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if not minutes:
            return QCoreApplication.translate("PlaybackClock", "%1 h").replace("%1", str(hours))
        text = QCoreApplication.translate("PlaybackClock", "%1 h %2 min")
        return text.replace("%1", str(hours)).replace("%2", str(minutes))
    days, hours = divmod(hours, 24)
    if not hours:
        return QCoreApplication.translate("PlaybackClock", "%1 d").replace("%1", str(days))
    return QCoreApplication.translate("PlaybackClock", "%1 d %2 h").replace("%1", str(days)).replace("%2", str(hours))


def ticks(start: float, end: float, step: int, zone: tzinfo | None = None) -> list[float]:
    """POSIX times in [start, end] at which local wall-clock time is a whole multiple of step seconds.

    Candidates are built for each offset the zone has inside the range and kept only where that offset holds,
    so a tick exists for both 02:00s of the night clocks go back, and none for the 02:00 that is skipped.
    """
    samples = [start, end, *range(int(start) - int(start) % _SAMPLE_S + _SAMPLE_S, int(end), _SAMPLE_S)]
    offsets = {offset_s(t, zone) for t in samples}
    found: set[float] = set()
    for offset in offsets:
        first = ((int(start) + offset) // step) * step - offset
        t = first
        while t <= end:
            if t >= start and offset_s(t, zone) == offset:
                found.add(float(t))
            t += step
    return sorted(found)


def posix(when: datetime) -> float:
    """POSIX seconds of an aware datetime."""
    return when.timestamp()


def from_posix(seconds: float) -> datetime:
    """An aware UTC datetime from POSIX seconds."""
    return datetime.fromtimestamp(seconds, UTC)


def clamp(when: datetime, low: datetime, high: datetime) -> datetime:
    """when limited to [low, high]."""
    return max(low, min(high, when))


ONE_MINUTE = timedelta(minutes=1)
SEVEN_DAYS = timedelta(days=7)
