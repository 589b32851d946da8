"""The playback timeline: one row per camera with its footage, gaps and events, a local-time ruler and a cursor.

Painting is split in two: everything that changes only with the view, the data or the selection is drawn once into
a cached pixmap; a paint of a moving cursor is one blit of that pixmap plus a line and a label.
"""

from __future__ import annotations

import bisect
import collections
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, tzinfo

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QPointF, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QPolygon,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from nvr_desktop.core.recording import Gap, GapCause
from nvr_desktop.ui.playback.clock import (
    STEPS,
    Clock,
    clock_text,
    date_text,
    duration_text,
    from_posix,
    offset_s,
    ticks,
    to_local,
    utc_now,
)
from nvr_desktop.ui.playback.jobs import Background
from nvr_desktop.ui.playback.ports import CameraTrack, Picture, TimelineData

MIN_SPAN_S = 60.0
MAX_SPAN_S = 7 * 86400.0
DEFAULT_SPAN_S = 3600.0
RULER_H = 30
ROW_MIN_H = 16
ROW_MAX_H = 30
RIGHT_PAD = 12
LABEL_MIN_W = 96
LABEL_MAX_W = 180
ZOOM_STEP = 0.8  # span factor per wheel notch
DRAG_MIN_PX = 4  # a shift+drag narrower than this is a click
HOVER_DELAY_MS = 250
THUMB_BOX = QSize(224, 126)
THUMB_CACHE = 96
GAP_MIN_PX = 3
EVENT_HIT_PX = 4

_BG = QColor("#0f1216")
_RULER_BG = QColor("#101317")
_ROW_BG = (QColor("#13171c"), QColor("#101418"))
_ROW_LINE = QColor("#1c2128")
_NAME = QColor("#d6dbe1")
_MUTED = QColor("#8b949e")
_TICK_MAJOR = QColor("#3a424d")
_TICK_MINOR = QColor("#262c34")
_DAY_LINE = QColor("#4b5563")
_RECORDED = QColor("#2ea043")
_RECORDED_EDGE = QColor("#56d364")
_GAP_FILL = QColor("#3d1518")
_GAP_HATCH = QColor("#f85149")
_EVENT = QColor("#e3b341")
_PROTECTED = QColor("#8957e5")
_PROTECTED_EDGE = QColor("#d2a8ff")
_LOCK = QColor("#f5efff")
LOCK_MIN_PX = 16  # a protected stretch at least this wide shows a padlock
_SELECTION = QColor(47, 129, 247, 56)
_SELECTION_EDGE = QColor("#58a6ff")
_CURSOR = QColor("#f0f6fc")
_CURSOR_TEXT = QColor("#0b0e13")
_HOVER = QColor(230, 237, 243, 90)

#: Returns a small BGRA picture of a camera at a time (runs on a worker thread, never touches Qt).
ThumbnailSource = Callable[[int, datetime], Picture | None]


def gap_cause_label(cause: GapCause) -> str:
    """Why footage is missing, in the interface language."""
    labels = {
        GapCause.CAMERA_OFFLINE: QCoreApplication.translate("Timeline", "camera offline"),
        GapCause.DISK_FULL: QCoreApplication.translate("Timeline", "disk full"),
        GapCause.STORAGE_ERROR: QCoreApplication.translate("Timeline", "storage unavailable"),
        GapCause.STOPPED_BY_USER: QCoreApplication.translate("Timeline", "recording stopped by a user"),
        GapCause.APP_NOT_RUNNING: QCoreApplication.translate("Timeline", "NVR Desktop was not running"),
    }
    return labels.get(cause, str(cause))


def picture_to_qimage(picture: Picture) -> QImage:
    """A QImage that owns a copy of a BGRA picture (safe after the array is gone)."""
    height, width = picture.shape[:2]
    return QImage(picture.data, width, height, picture.strides[0], QImage.Format.Format_RGB32).copy()


def merged_ranges(track: CameraTrack, slack_s: float = 1.0, *, protected: bool = False) -> list[tuple[float, float]]:
    """A track's recorded (or only its protected) ranges in POSIX seconds, sorted, with ranges that touch (files of
    one recording) merged."""
    merged: list[list[float]] = []
    ranges = track.protected if protected else track.ranges
    for start, end in sorted((s.timestamp(), e.timestamp()) for s, e in ranges):
        if merged and start <= merged[-1][1] + slack_s:
            merged[-1][1] = max(merged[-1][1], end)
        elif end > start:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


class _Track:
    """A camera's data in POSIX seconds, sorted, with neighbouring ranges merged (what painting and hits need)."""

    __slots__ = ("events", "gaps", "protected", "range_ends", "range_starts")

    def __init__(self, data: TimelineData, camera_id: int, now: float) -> None:
        track = data.track(camera_id)
        merged = merged_ranges(track)
        self.range_starts = [r[0] for r in merged]
        self.range_ends = [r[1] for r in merged]
        self.gaps = sorted(
            ((g.start.timestamp(), g.end.timestamp() if g.end is not None else now, g) for g in track.gaps),
            key=lambda item: item[0],
        )
        self.events = sorted((when.timestamp(), label) for when, label in track.events)
        self.protected = merged_ranges(track, protected=True)

    def recorded(self, t: float) -> bool:
        i = bisect.bisect_right(self.range_starts, t) - 1
        return i >= 0 and t < self.range_ends[i]

    def protected_at(self, t: float) -> tuple[float, float] | None:
        for start, end in self.protected:
            if start <= t < end:
                return start, end
        return None

    def gap_at(self, t: float, slack: float = 0.0) -> Gap | None:
        for start, end, gap in self.gaps:
            if start - slack <= t < end + slack:
                return gap
        return None


class _ThumbnailPopup(QWidget):
    """A small frameless window above the timeline with a picture and its time."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.ToolTip | Qt.WindowType.FramelessWindowHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setObjectName("playbackThumbnail")
        self._image = QImage()
        self._caption = ""
        self._font = QFont(parent.font())
        self._font.setPixelSize(12)
        self._caption_h = QFontMetrics(self._font).height() + 8

    def show_picture(self, image: QImage, caption: str, anchor: QPoint) -> None:
        """Show image with a caption, centred above the global point anchor."""
        size = image.size().scaled(THUMB_BOX, Qt.AspectRatioMode.KeepAspectRatio)
        self._image = image.scaled(size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        self._caption = caption
        width = max(size.width(), QFontMetrics(self._font).horizontalAdvance(caption) + 12) + 8
        height = size.height() + self._caption_h + 8
        self.resize(width, height)
        x = anchor.x() - width // 2
        y = anchor.y() - height - 8
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is not None:
            x = max(screen.left(), min(screen.right() - width, x))
            y = max(screen.top(), y)
        self.move(x, y)
        self.show()
        self.update()

    @property
    def caption(self) -> str:
        """The text under the picture."""
        return self._caption

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#1f242b"))
        painter.setPen(QColor("#3a424d"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if not self._image.isNull():
            painter.drawImage(QPoint((self.width() - self._image.width()) // 2, 4), self._image)
        painter.setFont(self._font)
        painter.setPen(_NAME)
        caption = QRect(4, self.height() - self._caption_h - 2, self.width() - 8, self._caption_h)
        painter.drawText(caption, Qt.AlignmentFlag.AlignCenter, self._caption)
        painter.end()


class TimelineWidget(QWidget):
    """Rows of recorded ranges, gaps and events per camera under a local-time ruler, with a time cursor."""

    scrubbed = Signal(object)  # datetime, while the cursor is dragged
    cursorChosen = Signal(object)  # datetime, when the mouse is released
    rangeSelected = Signal(object, object)  # start, end (shift+drag)
    selectionCleared = Signal()
    viewChanged = Signal(object, object)  # start, end of the visible span

    def __init__(self, parent: QWidget | None = None, *, zone: tzinfo | None = None, now: Clock = utc_now) -> None:
        super().__init__(parent)
        self.setObjectName("playbackTimeline")
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(RULER_H + 2 * ROW_MIN_H + 8)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._zone = zone
        self._now = now
        current = now().timestamp()
        self._span = DEFAULT_SPAN_S
        self._start = current - self._span * 0.9
        self._rows: list[tuple[int, str]] = []
        self._data: TimelineData | None = None
        self._tracks: dict[int, _Track] = {}
        self._version = 0  # grows when rows or data change (part of the cached picture's key)
        self._cursor: float | None = None
        self._selection: tuple[float, float] | None = None
        self._drag: str | None = None  # "scrub", "select" or "pan"
        self._anchor = 0.0
        self._pan_from: tuple[float, float] | None = None
        self._hover_x: int | None = None
        self._hover: tuple[int, float] | None = None  # camera id, time under the mouse with footage
        self._label_w = LABEL_MIN_W
        self._font = QFont(self.font())
        self._font.setPixelSize(12)
        self._small = QFont(self.font())
        self._small.setPixelSize(11)
        self._bold = QFont(self._small)
        self._bold.setBold(True)
        self._gap_brush = QBrush(_GAP_HATCH, Qt.BrushStyle.BDiagPattern)
        self._static = QPixmap()
        self._static_key: tuple[object, ...] = ()
        self._ruler: tuple[tuple[object, ...], list[tuple[int, str, bool]], list[int], list[int]] = ((), [], [], [])
        self._thumb_source: ThumbnailSource | None = None
        self._thumbs: collections.OrderedDict[tuple[int, int], QImage | None] = collections.OrderedDict()
        self._thumb_jobs = Background("playback-thumbnails", self, latest_only=True)
        self._popup: _ThumbnailPopup | None = None
        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_DELAY_MS)
        self._hover_timer.timeout.connect(self._request_thumbnail)

    # ---- content -----------------------------------------------------------------------------------------

    def set_cameras(self, cameras: Sequence[tuple[int, str]]) -> None:
        """The rows, top to bottom: (camera id, name)."""
        self._rows = list(cameras)
        metrics = QFontMetrics(self._font)
        widest = max((metrics.horizontalAdvance(name) for _cid, name in self._rows), default=0)
        self._label_w = max(LABEL_MIN_W, min(LABEL_MAX_W, widest + 24))
        self._rebuild_tracks()

    @property
    def cameras(self) -> list[tuple[int, str]]:
        """The rows: (camera id, name)."""
        return list(self._rows)

    def set_data(self, data: TimelineData | None) -> None:
        """Footage, gaps and events to draw."""
        self._data = data
        self._rebuild_tracks()

    @property
    def data(self) -> TimelineData | None:
        """The data drawn."""
        return self._data

    def _rebuild_tracks(self) -> None:
        now = self._now().timestamp()
        data = self._data
        self._tracks = {cid: _Track(data, cid, now) for cid, _name in self._rows} if data is not None else {}
        self._version += 1
        self._thumbs.clear()
        self.update()

    def recorded_at(self, camera_id: int, when: datetime) -> bool:
        """True when the data has footage of the camera at when."""
        track = self._tracks.get(camera_id)
        return track is not None and track.recorded(when.timestamp())

    def protected_at(self, camera_id: int, when: datetime) -> tuple[datetime, datetime] | None:
        """The protected stretch of the camera's footage at when, if there is one."""
        track = self._tracks.get(camera_id)
        found = track.protected_at(when.timestamp()) if track is not None else None
        return (from_posix(found[0]), from_posix(found[1])) if found is not None else None

    def gap_at(self, camera_id: int, when: datetime) -> Gap | None:
        """The gap of the camera at when, if the data has one."""
        track = self._tracks.get(camera_id)
        return track.gap_at(when.timestamp()) if track is not None else None

    # ---- view ------------------------------------------------------------------------------------------------

    @property
    def view_start(self) -> datetime:
        """Left edge of the visible span."""
        return from_posix(self._start)

    @property
    def view_end(self) -> datetime:
        """Right edge of the visible span."""
        return from_posix(self._start + self._span)

    @property
    def view_span(self) -> timedelta:
        """Length of the visible span (1 minute to 7 days)."""
        return timedelta(seconds=self._span)

    def set_view(self, start: datetime, span: timedelta) -> None:
        """Show span (clamped to 1 minute .. 7 days) from start."""
        self._set_view(start.timestamp(), span.total_seconds())

    def show_around(self, when: datetime, span: timedelta | None = None, at: float = 0.5) -> None:
        """Show a span with when at a fraction of the width (0 = left edge)."""
        length = min(MAX_SPAN_S, max(MIN_SPAN_S, span.total_seconds() if span is not None else self._span))
        self._set_view(when.timestamp() - length * at, length)

    def zoom_by(self, factor: float, anchor_x: float | None = None) -> None:
        """Multiply the span by factor (< 1 zooms in), keeping the time under anchor_x in place."""
        track = self._track_rect()
        x = track.center().x() if anchor_x is None else anchor_x
        anchor = self._time_at(x)
        span = min(MAX_SPAN_S, max(MIN_SPAN_S, self._span * factor))
        share = (x - track.left()) / max(1, track.width())
        self._set_view(anchor - share * span, span)

    def pan_by(self, seconds: float) -> None:
        """Move the visible span later (positive) or earlier."""
        self._set_view(self._start + seconds, self._span)

    def _set_view(self, start: float, span: float) -> None:
        span = min(MAX_SPAN_S, max(MIN_SPAN_S, span))
        if (start, span) == (self._start, self._span):
            return
        self._start, self._span = start, span
        self._hide_thumbnail()
        self.update()
        self.viewChanged.emit(self.view_start, self.view_end)

    # ---- cursor and selection -------------------------------------------------------------------------------

    @property
    def cursor_time(self) -> datetime | None:
        """Where the time cursor is."""
        return from_posix(self._cursor) if self._cursor is not None else None

    def set_cursor(self, when: datetime | None) -> None:
        """Move the time cursor (ignored while the user drags it)."""
        if self._drag == "scrub":
            return
        value = when.timestamp() if when is not None else None
        if value != self._cursor:
            before = self._cursor
            self._cursor = value
            self._update_cursor(before)
            self._update_cursor(value)

    @property
    def scrubbing(self) -> bool:
        """True while the user drags the cursor."""
        return self._drag == "scrub"

    @property
    def selection(self) -> tuple[datetime, datetime] | None:
        """The range chosen with shift+drag, if any."""
        if self._selection is None:
            return None
        return from_posix(self._selection[0]), from_posix(self._selection[1])

    def set_selection(self, start: datetime, end: datetime) -> None:
        """Highlight [start, end) as the export range."""
        a, b = sorted((start.timestamp(), end.timestamp()))
        self._selection = (a, b)
        self.update()
        self.rangeSelected.emit(from_posix(a), from_posix(b))

    def clear_selection(self) -> None:
        """Remove the highlighted range."""
        if self._selection is not None:
            self._selection = None
            self.update()
            self.selectionCleared.emit()

    # ---- geometry ----------------------------------------------------------------------------------------------

    def _track_rect(self) -> QRect:
        """Where the rows' time axis lies (right of the names, below the ruler)."""
        return QRect(self._label_w, RULER_H, max(1, self.width() - self._label_w - RIGHT_PAD), self._rows_h())

    def preferred_height(self) -> int:
        """Height that shows every row at full size."""
        return RULER_H + max(1, len(self._rows)) * ROW_MAX_H + 8

    def _row_h(self) -> int:
        if not self._rows:
            return ROW_MAX_H
        return max(ROW_MIN_H, min(ROW_MAX_H, (self.height() - RULER_H - 4) // len(self._rows)))

    def _rows_h(self) -> int:
        return max(1, self.height() - RULER_H)

    def _row_rect(self, index: int) -> QRect:
        h = self._row_h()
        return QRect(0, RULER_H + index * h, self.width(), h)

    def x_for_time(self, when: datetime) -> float:
        """Widget x of a time (may lie outside the widget)."""
        return self._x_for(when.timestamp())

    def time_at(self, x: float) -> datetime:
        """The time at a widget x (clamped to the visible span)."""
        return from_posix(self._time_at(x))

    def _x_for(self, t: float) -> float:
        track = self._track_rect()
        return track.left() + (t - self._start) / self._span * track.width()

    def _time_at(self, x: float) -> float:
        track = self._track_rect()
        share = min(1.0, max(0.0, (x - track.left()) / max(1, track.width())))
        return self._start + share * self._span

    def row_at(self, y: float) -> int | None:
        """The camera id of the row at a widget y."""
        if y < RULER_H:
            return None
        index = int((y - RULER_H) // self._row_h())
        return self._rows[index][0] if 0 <= index < len(self._rows) else None

    # ---- ruler ------------------------------------------------------------------------------------------------

    def _step(self, width: int) -> tuple[int, int]:
        metrics = QFontMetrics(self._small)
        clock_w = metrics.horizontalAdvance("00:00 CEST") + 18
        seconds_w = metrics.horizontalAdvance("00:00:00") + 18
        day_w = metrics.horizontalAdvance("Wed 30 Sep") + 18
        for major, minor in STEPS:
            needed = seconds_w if major < 60 else day_w if major >= 86400 else clock_w
            if major / self._span * width >= needed:
                return major, minor
        return STEPS[-1]

    def _ruler_ticks(self) -> tuple[list[tuple[int, str, bool]], list[int], list[int]]:
        """(x, label, is a date) of major ticks, x of minor ticks, x of local midnights; cached per view."""
        track = self._track_rect()
        key = (self._start, self._span, track.left(), track.width(), self._zone)
        if self._ruler[0] == key:
            return self._ruler[1], self._ruler[2], self._ruler[3]
        major, minor = self._step(track.width())
        end = self._start + self._span
        majors = ticks(self._start, end, major, self._zone)
        # Name the zone around a clock change only where single hours show (a 12-hour tick needs no CEST).
        several_offsets = major <= 3600 and len({offset_s(t, self._zone) for t in (self._start, end, *majors)}) > 1
        labels: list[tuple[int, str, bool]] = []
        previous_offset: int | None = None
        for index, t in enumerate(majors):
            local = to_local(t, self._zone)
            midnight = (local.hour, local.minute, local.second) == (0, 0, 0)
            if major >= 86400 or (midnight and major >= 60):
                text, is_date = date_text(t, self._zone), True
            else:
                text, is_date = clock_text(t, self._zone, seconds=major < 60), False
            offset = offset_s(t, self._zone)
            if several_offsets and previous_offset is not None and offset != previous_offset:
                # Clocks changed between these two ticks: name the zone on both so the repeated or skipped
                # hour reads correctly (02:00 CEST, 02:00 CET).
                before_x, before_text, before_date = labels[index - 1]
                before_zone = to_local(majors[index - 1], self._zone).tzname() or ""
                if not before_date and not before_text.endswith(before_zone):
                    labels[index - 1] = (before_x, f"{before_text} {before_zone}", before_date)
                if not is_date:
                    text = f"{text} {local.tzname() or ''}".rstrip()
            previous_offset = offset
            labels.append((round(self._x_for(t)), text, is_date))
        major_set = set(majors)
        minors = [round(self._x_for(t)) for t in ticks(self._start, end, minor, self._zone) if t not in major_set]
        midnights = [round(self._x_for(t)) for t in ticks(self._start, end, 86400, self._zone)]
        self._ruler = (key, labels, minors, midnights)
        return labels, minors, midnights

    def ruler_labels(self) -> list[tuple[int, str]]:
        """The major tick labels shown on the ruler: (x, text), left to right."""
        return [(x, text) for x, text, _is_date in self._ruler_ticks()[0]]

    # ---- painting -----------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.drawPixmap(event.rect(), self._static_picture(), self._pixmap_rect(event.rect()))
        if self._hover_x is not None and self._drag is None:
            painter.setPen(_HOVER)
            painter.drawLine(self._hover_x, RULER_H, self._hover_x, self.height())
        self._paint_cursor(painter)
        painter.end()

    def _pixmap_rect(self, rect: QRect) -> QRect:
        ratio = self._static.devicePixelRatio()
        return QRect(
            round(rect.x() * ratio), round(rect.y() * ratio), round(rect.width() * ratio), round(rect.height() * ratio)
        )

    def _static_picture(self) -> QPixmap:
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio, self._start, self._span, self._version, self._selection)
        if key != self._static_key or self._static.isNull():
            size = QSize(max(1, round(self.width() * ratio)), max(1, round(self.height() * ratio)))
            if self._static.size() != size:
                self._static = QPixmap(size)
            self._static.setDevicePixelRatio(ratio)
            self._static.fill(_BG)
            painter = QPainter(self._static)
            self._paint_ruler(painter)
            self._paint_rows(painter)
            self._paint_selection(painter)
            painter.end()
            self._static_key = key
        return self._static

    def _paint_ruler(self, painter: QPainter) -> None:
        track = self._track_rect()
        painter.fillRect(QRect(0, 0, self.width(), RULER_H), _RULER_BG)
        painter.setPen(_TICK_MINOR)
        painter.drawLine(0, RULER_H - 1, self.width(), RULER_H - 1)
        labels, minors, midnights = self._ruler_ticks()
        painter.setFont(self._bold)
        painter.setPen(_NAME)
        corner = QRect(8, 0, self._label_w - 12, RULER_H)
        painter.drawText(
            corner,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            painter.fontMetrics().elidedText(
                date_text(self._start, self._zone), Qt.TextElideMode.ElideRight, corner.width()
            ),
        )
        painter.setClipRect(QRect(track.left(), 0, track.width() + RIGHT_PAD, self.height()))
        painter.setPen(_TICK_MINOR)
        for x in minors:
            painter.drawLine(x, RULER_H - 5, x, RULER_H - 1)
        for x in midnights:
            painter.setPen(QPen(_DAY_LINE, 1))
            painter.drawLine(x, RULER_H - 12, x, self.height())
        metrics_bold = QFontMetrics(self._bold)
        metrics = QFontMetrics(self._small)
        right_edge = track.right() + RIGHT_PAD
        for x, text, is_date in labels:
            painter.setPen(_TICK_MAJOR)
            painter.drawLine(x, RULER_H - 9, x, RULER_H - 1)
            width = (metrics_bold if is_date else metrics).horizontalAdvance(text)
            left = x - width // 2
            if left < track.left() or left + width > right_edge:
                continue  # a label cut by the edge reads wrong; the corner shows the date
            painter.setFont(self._bold if is_date else self._small)
            painter.setPen(_NAME if is_date else _MUTED)
            painter.drawText(QRect(left, 3, width, RULER_H - 12), Qt.AlignmentFlag.AlignCenter, text)
        painter.setClipping(False)

    def _paint_rows(self, painter: QPainter) -> None:
        track = self._track_rect()
        if not self._rows:
            painter.setPen(_MUTED)
            painter.setFont(self._font)
            painter.drawText(
                QRect(0, RULER_H, self.width(), self.height() - RULER_H),
                Qt.AlignmentFlag.AlignCenter,
                self.tr("Tick cameras to see their recordings"),
            )
            return
        painter.setFont(self._font)
        metrics = painter.fontMetrics()
        left, right = self._start, self._start + self._span
        for index, (camera_id, name) in enumerate(self._rows):
            row = self._row_rect(index)
            if row.top() >= self.height():
                break
            painter.fillRect(row, _ROW_BG[index % 2])
            painter.setPen(_ROW_LINE)
            painter.drawLine(0, row.bottom(), self.width(), row.bottom())
            painter.drawLine(self._label_w - 1, row.top(), self._label_w - 1, row.bottom())
            painter.setPen(_NAME)
            name_rect = QRect(8, row.top(), self._label_w - 16, row.height())
            painter.drawText(
                name_rect,
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                metrics.elidedText(name, Qt.TextElideMode.ElideRight, name_rect.width()),
            )
            margin = max(2, row.height() // 6)
            bar_top, bar_h = row.top() + margin, max(3, row.height() - 2 * margin - 1)
            track_data = self._tracks.get(camera_id)
            if track_data is None:
                continue
            painter.save()
            painter.setClipRect(QRect(track.left(), row.top(), track.width(), row.height()))
            first = max(0, bisect.bisect_right(track_data.range_starts, left) - 1)
            last_x = -1
            for i in range(first, len(track_data.range_starts)):
                start, end = track_data.range_starts[i], track_data.range_ends[i]
                if start >= right:
                    break
                if end <= left:
                    continue
                x0 = max(track.left(), int(self._x_for(start)))
                x1 = min(track.right() + 1, max(x0 + 1, round(self._x_for(end))))
                if x1 <= last_x:
                    continue  # under one pixel: already covered at this zoom
                x0 = max(x0, last_x)
                painter.fillRect(QRect(x0, bar_top, x1 - x0, bar_h), _RECORDED)
                painter.fillRect(QRect(x0, bar_top, x1 - x0, 1), _RECORDED_EDGE)
                last_x = x1
            for start, end in track_data.protected:
                if start >= right or end <= left:
                    continue
                x0 = max(track.left(), int(self._x_for(start)))
                x1 = min(track.right() + 1, max(x0 + 2, round(self._x_for(end))))
                painter.fillRect(QRect(x0, bar_top, x1 - x0, bar_h), _PROTECTED)
                painter.fillRect(QRect(x0, bar_top, x1 - x0, 2), _PROTECTED_EDGE)
                if x1 - x0 >= LOCK_MIN_PX and bar_h >= 9:
                    self._paint_lock(painter, x0 + 4, bar_top + bar_h // 2 + 1, bar_h)
            for start, end, _gap in track_data.gaps:
                if start >= right or end <= left:
                    continue
                x0 = int(self._x_for(max(start, left)))
                x1 = max(x0 + GAP_MIN_PX, round(self._x_for(min(end, right))))
                box = QRect(x0, bar_top, x1 - x0, bar_h)
                painter.fillRect(box, _GAP_FILL)
                painter.fillRect(box, self._gap_brush)
                painter.fillRect(QRect(x0, bar_top, x1 - x0, 1), _GAP_HATCH)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_EVENT)
            first_event = bisect.bisect_left(track_data.events, (left, ""))
            for t, _label in track_data.events[first_event:]:
                if t > right:
                    break
                x = round(self._x_for(t))
                painter.fillRect(QRect(x, bar_top, 2, bar_h), _EVENT)
                painter.drawPolygon(
                    QPolygon([QPoint(x - 4, row.top()), QPoint(x + 5, row.top()), QPoint(x + 1, bar_top + 3)])
                )
            painter.restore()

    @staticmethod
    def _paint_lock(painter: QPainter, left: int, middle: int, bar_h: int) -> None:
        """A small padlock (a body and its shackle) with its left edge at left, centred on middle."""
        size = max(7, min(12, bar_h - 4))
        body_h = max(4, size * 5 // 9)
        body = QRect(left, middle + size // 2 - body_h, size, body_h)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(body, _LOCK)
        pen = QPen(_LOCK, max(1.5, size / 7))
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        shackle_w = size * 3 // 5
        shackle = QRect(left + (size - shackle_w) // 2, middle - size // 2, shackle_w, (size - body_h) * 2)
        painter.drawArc(shackle, 0, 180 * 16)
        painter.drawLine(shackle.left(), shackle.center().y(), shackle.left(), body.top())
        painter.drawLine(shackle.right() + 1, shackle.center().y(), shackle.right() + 1, body.top())
        painter.restore()

    def _paint_selection(self, painter: QPainter) -> None:
        if self._selection is None:
            return
        track = self._track_rect()
        x0 = max(track.left(), round(self._x_for(self._selection[0])))
        x1 = min(track.right(), round(self._x_for(self._selection[1])))
        if x1 < x0:
            return
        area = QRect(x0, RULER_H - 8, max(1, x1 - x0), self.height() - RULER_H + 8)
        painter.fillRect(area, _SELECTION)
        painter.setPen(_SELECTION_EDGE)
        painter.drawLine(x0, area.top(), x0, area.bottom())
        painter.drawLine(x1, area.top(), x1, area.bottom())
        text = duration_text(self._selection[1] - self._selection[0])
        painter.setFont(self._small)
        width = painter.fontMetrics().horizontalAdvance(text) + 8
        if width < x1 - x0:
            box = QRect((x0 + x1 - width) // 2, RULER_H - 8, width, 8 + ROW_MIN_H // 2)
            painter.fillRect(box, QColor("#1f6feb"))
            painter.setPen(QColor("#ffffff"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _cursor_x(self, value: float | None) -> int | None:
        if value is None:
            return None
        x = round(self._x_for(value))
        track = self._track_rect()
        return x if track.left() <= x <= track.right() + 1 else None

    def _cursor_label_rect(self, x: int) -> QRect:
        width = QFontMetrics(self._bold).horizontalAdvance("00:00:00") + 12
        left = max(self._label_w, min(self.width() - width, x - width // 2))
        return QRect(left, 2, width, RULER_H - 10)

    def _paint_cursor(self, painter: QPainter) -> None:
        x = self._cursor_x(self._cursor)
        if x is None or self._cursor is None:
            return
        painter.setPen(QPen(_CURSOR, 2))
        painter.drawLine(x, RULER_H - 8, x, self.height())
        label = self._cursor_label_rect(x)
        painter.fillRect(label, _CURSOR)
        painter.setPen(_CURSOR_TEXT)
        painter.setFont(self._bold)
        painter.drawText(label, Qt.AlignmentFlag.AlignCenter, clock_text(self._cursor, self._zone))

    def _update_cursor(self, value: float | None) -> None:
        x = self._cursor_x(value)
        if x is not None:
            self.update(QRect(x - 2, RULER_H - 9, 5, self.height()))
            self.update(self._cursor_label_rect(x))

    # ---- mouse ---------------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        button = event.button()
        self._hide_thumbnail()
        if button in (Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton):
            self._drag = "pan"
            self._pan_from = (pos.x(), self._start)
        elif button == Qt.MouseButton.LeftButton and pos.x() >= self._label_w:
            t = self._time_at(pos.x())
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self._drag = "select"
                self._anchor = t
                self._selection = None
                self.update()
            else:
                self._drag = "scrub"
                self._scrub_to(t)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag == "scrub":
            self._scrub_to(self._time_at(pos.x()))
        elif self._drag == "select":
            a, b = sorted((self._anchor, self._time_at(pos.x())))
            self._selection = (a, b)
            self.update()
        elif self._drag == "pan" and self._pan_from is not None:
            x0, start0 = self._pan_from
            track = self._track_rect()
            self._set_view(start0 - (pos.x() - x0) / max(1, track.width()) * self._span, self._span)
        else:
            self._hover_move(pos)
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag == "scrub" and self._cursor is not None:
            self.cursorChosen.emit(from_posix(self._cursor))
        elif drag == "select":
            selection = self._selection
            wide = selection is not None and (self._x_for(selection[1]) - self._x_for(selection[0])) >= DRAG_MIN_PX
            if selection is not None and wide:
                self.rangeSelected.emit(from_posix(selection[0]), from_posix(selection[1]))
            else:
                self._selection = None
                self.update()
                self.selectionCleared.emit()
        self._pan_from = None
        super().mouseReleaseEvent(event)

    def _scrub_to(self, t: float) -> None:
        before = self._cursor
        self._cursor = t
        self._update_cursor(before)
        self._update_cursor(t)
        self.scrubbed.emit(from_posix(t))

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta()
        if delta.y():
            self.zoom_by(ZOOM_STEP ** (delta.y() / 120), event.position().x())
        elif delta.x():
            self.pan_by(-delta.x() / 120 * self._span * 0.1)
        event.accept()

    def leaveEvent(self, event: QEvent) -> None:
        self._hover_x = None
        self._hide_thumbnail()
        self.update()
        super().leaveEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._hide_thumbnail()
        super().resizeEvent(event)

    # ---- tooltips ------------------------------------------------------------------------------------------------

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def tooltip_at(self, pos: QPoint | QPointF) -> str:
        """What the tooltip says at a widget point: a gap and its cause, an event, or a cut-off camera name."""
        point = QPointF(pos)
        camera_id = self.row_at(point.y())
        if camera_id is None:
            return ""
        if point.x() < self._label_w:
            return next((name for cid, name in self._rows if cid == camera_id), "")
        track = self._tracks.get(camera_id)
        if track is None:
            return ""
        t = self._time_at(point.x())
        slack = EVENT_HIT_PX / max(1, self._track_rect().width()) * self._span
        for when, label in track.events:
            if abs(when - t) <= slack:
                return self.tr("%1 — %2").replace("%1", clock_text(when, self._zone)).replace("%2", label)
        gap = track.gap_at(t, slack=GAP_MIN_PX / max(1, self._track_rect().width()) * self._span)
        if gap is not None:
            return self.gap_text(gap)
        locked = track.protected_at(t)
        if locked is not None:
            return self.protected_text(*locked)
        return ""

    def protected_text(self, start: float, end: float) -> str:
        """The tooltip of protected footage: that retention keeps it, and which stretch."""
        head = self.tr("Protected: retention never deletes this footage")
        span = (
            self.tr("%1 to %2 (%3)")
            .replace("%1", f"{date_text(start, self._zone)} {clock_text(start, self._zone)}")
            .replace("%2", clock_text(end, self._zone))
            .replace("%3", duration_text(end - start))
        )
        return head + "\n" + span

    def gap_text(self, gap: Gap) -> str:
        """The tooltip of a gap: its cause and when it was."""
        head = self.tr("No recording: %1").replace("%1", gap_cause_label(gap.cause))
        start = f"{date_text(gap.start, self._zone)} {clock_text(gap.start, self._zone)}"
        if gap.end is None:
            return head + "\n" + self.tr("since %1").replace("%1", start)
        span = (
            self.tr("%1 to %2 (%3)")
            .replace("%1", start)
            .replace("%2", clock_text(gap.end, self._zone))
            .replace("%3", duration_text((gap.end - gap.start).total_seconds()))
        )
        return head + "\n" + span

    # ---- hover thumbnails -----------------------------------------------------------------------------------------

    def set_thumbnail_source(self, source: ThumbnailSource | None) -> None:
        """Where hover previews come from (called on a worker thread); None turns previews off."""
        self._thumb_source = source
        self._thumbs.clear()
        if source is None:
            self._hide_thumbnail()

    @property
    def thumbnail_popup(self) -> _ThumbnailPopup | None:
        """The preview window, once one was shown."""
        return self._popup

    def hover_at(self, pos: QPoint | QPointF) -> None:
        """Act as if the mouse rested at pos (what mouse tracking calls)."""
        self._hover_move(QPointF(pos))

    def _hover_move(self, pos: QPointF) -> None:
        track = self._track_rect()
        x = round(pos.x())
        inside = track.left() <= x <= track.right()
        previous = self._hover_x
        self._hover_x = x if inside and pos.y() >= RULER_H else None
        for old in (previous, self._hover_x):
            if old is not None:
                self.update(QRect(old - 1, RULER_H, 3, self.height()))
        camera_id = self.row_at(pos.y()) if self._hover_x is not None else None
        t = self._time_at(pos.x())
        data = self._tracks.get(camera_id) if camera_id is not None else None
        if camera_id is None or data is None or not data.recorded(t) or self._thumb_source is None:
            self._hover = None
            self._hide_thumbnail()
            return
        self._hover = (camera_id, t)
        self._hover_timer.start()

    def _thumb_key(self, camera_id: int, t: float) -> tuple[int, int]:
        grain = max(1.0, self._span / max(1, self._track_rect().width()) * 4)  # one picture per 4 pixels
        return camera_id, int(t // grain * grain)

    def _request_thumbnail(self) -> None:
        source = self._thumb_source
        if self._hover is None or source is None:
            return
        camera_id, t = self._hover
        key = self._thumb_key(camera_id, t)
        if key in self._thumbs:
            self._show_thumbnail(key, self._thumbs[key])
            return
        when = from_posix(key[1])
        self._thumb_jobs.submit(
            lambda: source(camera_id, when),
            lambda picture: self._thumbnail_ready(key, picture),
            lambda _err: self._thumbnail_ready(key, None),
        )

    def _thumbnail_ready(self, key: tuple[int, int], picture: Picture | None) -> None:
        image = picture_to_qimage(picture) if picture is not None and picture.size else None
        self._thumbs[key] = image
        while len(self._thumbs) > THUMB_CACHE:
            self._thumbs.popitem(last=False)
        if self._hover is not None and self._thumb_key(*self._hover) == key:
            self._show_thumbnail(key, image)

    def _show_thumbnail(self, key: tuple[int, int], image: QImage | None) -> None:
        if image is None or self._hover is None:
            self._hide_thumbnail()
            return
        if self._popup is None:
            self._popup = _ThumbnailPopup(self)
        camera_id = key[0]
        name = next((n for cid, n in self._rows if cid == camera_id), str(camera_id))
        caption = f"{name} · {clock_text(self._hover[1], self._zone)}"
        row_index = next((i for i, (cid, _n) in enumerate(self._rows) if cid == camera_id), 0)
        x = round(self._x_for(self._hover[1]))
        anchor = self.mapToGlobal(QPoint(x, min(self._row_rect(row_index).top(), RULER_H)))
        self._popup.show_picture(image, caption, anchor)

    def _hide_thumbnail(self) -> None:
        self._hover_timer.stop()
        if self._popup is not None and self._popup.isVisible():
            self._popup.hide()

    def release(self) -> None:
        """Stop the preview thread and timers (before the window goes away)."""
        self._hide_thumbnail()
        self._thumb_jobs.stop()
