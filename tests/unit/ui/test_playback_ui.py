"""The playback UI: the timeline with plain data, and the window over a small in-test RecordingsPort.

FakePort serves synthetic numpy frames through a real FrameStore and records what the window asks of it. The real
PlaybackEngine (media/playback.py) and exporter are covered by their own integration tests; an end-to-end test over
the real recordings service belongs with the wiring in app.py. Times are UTC in the data and Europe/Madrid on
screen, around the night clocks go back (2026-10-25, 03:00 CEST -> 02:00 CET at 01:00 UTC).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PySide6.QtCore import QDate, QLocale, QPoint, QPointF, Qt, QTime
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.recording import Gap, GapCause, ProtectionChange
from nvr_desktop.media.frames import FrameStore
from nvr_desktop.ui.i18n import install_translators, remove_translators
from nvr_desktop.ui.playback.clock import day_span, duration_text
from nvr_desktop.ui.playback.grid import layout_for
from nvr_desktop.ui.playback.ports import CameraTrack, Picture, TimelineData, TimeRange
from nvr_desktop.ui.playback.timeline import MAX_SPAN_S, MIN_SPAN_S, TimelineWidget
from nvr_desktop.ui.playback.window import SPEEDS, PlaybackWindow

MADRID = ZoneInfo("Europe/Madrid")
T0 = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)  # 00:00 CEST, Sunday 25 October
NOW = datetime(2026, 10, 25, 1, 40, tzinfo=UTC)  # 02:40 CET, after the change
SHOTS = Path("/tmp/playback_shots")
FRAME_STEP = timedelta(milliseconds=40)


def at(hours: float) -> datetime:
    """T0 plus some hours."""
    return T0 + timedelta(hours=hours)


def segments(start: datetime, end: datetime, minutes: int = 5) -> list[TimeRange]:
    """Back-to-back recording files covering [start, end)."""
    out = []
    cursor = start
    while cursor < end:
        nxt = min(end, cursor + timedelta(minutes=minutes))
        out.append((cursor, nxt))
        cursor = nxt
    return out


def synthetic_frame(camera_id: int, when: datetime, width: int = 320, height: int = 180) -> Picture:
    """A BGRA test picture: a sky and ground in the camera's colour and a bar that moves with time."""
    image = np.zeros((height, width, 4), np.uint8)
    image[..., 3] = 255
    hue = (camera_id * 67) % 255
    rows = np.linspace(40, 200, height, dtype=np.uint8)[:, None]
    image[: height * 2 // 3, :, 0] = rows[: height * 2 // 3]
    image[: height * 2 // 3, :, 1] = hue // 2
    image[: height * 2 // 3, :, 2] = 40
    image[height * 2 // 3 :, :, 0] = 30
    image[height * 2 // 3 :, :, 1] = 90 + hue // 4
    image[height * 2 // 3 :, :, 2] = 60
    x = int(when.timestamp() * 20) % width
    image[height // 3 : height // 3 + 20, max(0, x - 12) : x + 12, :3] = (40, 200, 240)
    return image


@dataclass(frozen=True)
class FakeCamera:
    """A camera as the port lists it."""

    id: int
    name: str


@dataclass(frozen=True)
class FakePicture:
    """The engine's PlaybackFrame."""

    camera_id: int
    time: datetime
    image: Picture


class FakeControl:
    """Stands in for PlaybackEngine: records calls; a frame for each camera with footage at the cursor, else none."""

    def __init__(self, port: FakePort, camera_ids: Sequence[int], box: tuple[int, int]) -> None:
        self.port = port
        self.camera_ids = list(camera_ids)
        self.box = box
        self.frames = FrameStore()
        self.calls: list[tuple[object, ...]] = []
        self.position = T0
        self.playing = False
        self.speed = 1.0
        self.closed = False

    def play(self) -> None:
        self.calls.append(("play",))
        self.playing = True

    def pause(self) -> None:
        self.calls.append(("pause",))
        self.playing = False

    def set_speed(self, speed: float) -> None:
        self.calls.append(("speed", speed))
        self.speed = speed

    def seek(self, when: datetime) -> None:
        self.calls.append(("seek", when))
        self.position = when
        self.render()

    def step(self, direction: int) -> None:
        self.calls.append(("step", direction))
        self.playing = False
        self.position += FRAME_STEP * direction
        self.render()

    def snapshot(self, camera_id: int) -> FakePicture | None:
        if not self.port.recorded(camera_id, self.position):
            return None
        return FakePicture(camera_id, self.position, synthetic_frame(camera_id, self.position, 640, 360))

    def set_box(self, box: tuple[int, int]) -> None:
        self.box = box

    def close(self) -> None:
        self.calls.append(("close",))
        self.closed = True

    def render(self) -> None:
        for cid in self.camera_ids:
            if self.port.recorded(cid, self.position):
                self.frames.put(cid, synthetic_frame(cid, self.position), self.position.timestamp())
            else:
                self.frames.drop(cid)


@dataclass(frozen=True)
class FakeExport:
    """One exported file as the service reports it (media.export.ExportResult)."""

    camera_id: int
    path: Path
    end: datetime
    cut_short: str = ""


@dataclass
class FakePort:
    """A RecordingsPort over in-memory ranges, gaps and events."""

    cams: list[FakeCamera]
    ranges: dict[int, list[TimeRange]] = field(default_factory=dict)
    gaps: dict[int, list[Gap]] = field(default_factory=dict)
    events: dict[int, list[tuple[datetime, str]]] = field(default_factory=dict)
    controls: list[FakeControl] = field(default_factory=list)
    thumbnail_threads: list[str] = field(default_factory=list)
    timeline_calls: list[tuple[tuple[int, ...], datetime, datetime]] = field(default_factory=list)
    export_mode: str = "ok"  # "ok", "wait" (until cancelled), "error" or "short" (camera 2 ends early)
    export_calls: list[tuple[list[int], datetime, datetime, Path]] = field(default_factory=list)
    export_started: threading.Event = field(default_factory=threading.Event)
    protected: dict[int, list[TimeRange]] = field(default_factory=dict)
    protect_calls: list[tuple[list[int], datetime, datetime, bool]] = field(default_factory=list)
    protect_error: Exception | None = None

    def cameras(self) -> list[FakeCamera]:
        return list(self.cams)

    def recorded(self, camera_id: int, when: datetime) -> bool:
        return any(a <= when < b for a, b in self.ranges.get(camera_id, []))

    def timeline(self, camera_ids: Sequence[int], start: datetime, end: datetime) -> TimelineData:
        self.timeline_calls.append((tuple(camera_ids), start, end))
        tracks = {
            cid: CameraTrack(
                cid,
                [(a, b) for a, b in self.ranges.get(cid, []) if a < end and b > start],
                [g for g in self.gaps.get(cid, []) if g.start < end and (g.end is None or g.end > start)],
                [(t, label) for t, label in self.events.get(cid, []) if start <= t < end],
                [(a, b) for a, b in self.protected.get(cid, []) if a < end and b > start],
            )
            for cid in camera_ids
        }
        return TimelineData(start, end, tracks)

    def open_playback(self, camera_ids: Sequence[int], box: tuple[int, int]) -> FakeControl:
        control = FakeControl(self, camera_ids, box)
        self.controls.append(control)
        return control

    def thumbnail(self, camera_id: int, when: datetime, box: tuple[int, int]) -> Picture | None:
        self.thumbnail_threads.append(threading.current_thread().name)
        return synthetic_frame(camera_id, when, 160, 90)

    def export(
        self,
        camera_ids: Sequence[int],
        start: datetime,
        end: datetime,
        dest_dir: Path,
        progress: Callable[[float], None],
        cancel: threading.Event,
    ) -> list[FakeExport]:
        assert threading.current_thread() is not threading.main_thread()
        self.export_calls.append((list(camera_ids), start, end, dest_dir))
        self.export_started.set()
        if self.export_mode == "error":
            raise ValidationError("export at most one day at a time")
        progress(0.25)
        if self.export_mode == "wait":
            if not cancel.wait(10):
                raise AssertionError("the window never cancelled the export")
            raise RuntimeError("export cancelled")  # the real service raises media.export.ExportCancelled
        written = []
        for cid in camera_ids:
            path = dest_dir / f"camera{cid}.mp4"
            path.write_bytes(b"mp4")
            short = self.export_mode == "short" and cid == 2
            written.append(
                FakeExport(cid, path, start + (end - start) / 2 if short else end, "the camera's video changed" * short)
            )
        progress(1.0)
        return written

    def protect(self, camera_ids: Sequence[int], start: datetime, end: datetime, protected: bool) -> ProtectionChange:
        """Protection per 5-minute file, as the service does it: every file with footage in [start, end], whole."""
        self.protect_calls.append((list(camera_ids), start, end, protected))
        if self.protect_error is not None:
            raise self.protect_error
        files: list[TimeRange] = []
        changed = 0
        for cid in camera_ids:
            for a, b in self.ranges.get(cid, []):
                if a < max(end, start + timedelta(milliseconds=1)) and b > start:
                    files.append((a, b))
                    locked = self.protected.setdefault(cid, [])
                    if protected and (a, b) not in locked:
                        locked.append((a, b))
                        changed += 1
                    elif not protected and (a, b) in locked:
                        locked.remove((a, b))
                        changed += 1
        return ProtectionChange(tuple(files), changed)

    @property
    def control(self) -> FakeControl:
        return self.controls[-1]


def two_camera_port() -> FakePort:
    """Front door: footage with a 15-minute camera-offline gap; Parking lot: a disk-full gap; events."""
    front = [*segments(at(0), at(1.1)), *segments(at(1.35), at(3.6))]
    parking = [*segments(at(0), at(1.6)), *segments(at(2.05), at(3.6))]
    return FakePort(
        [FakeCamera(1, "Front door"), FakeCamera(2, "Parking lot")],
        ranges={1: front, 2: parking},
        gaps={
            1: [Gap(1, at(1.1), at(1.35), GapCause.CAMERA_OFFLINE)],
            2: [Gap(2, at(1.6), at(2.05), GapCause.DISK_FULL)],
        },
        events={1: [(at(0.8), "Person"), (at(2.4), "Car")], 2: [(at(2.9), "Motion")]},
    )


@pytest.fixture(autouse=True)
def _english_dates() -> Iterator[None]:
    """Day names in English whatever the machine's locale (the labels come from QLocale)."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


@pytest.fixture
def english(app: QApplication) -> Iterator[QApplication]:
    """The English plural forms ("4 recording files"), as run_gui installs them."""
    translators = install_translators(app, "en")
    yield app
    remove_translators(app, translators)


@pytest.fixture
def timeline(qtbot: QtBot, app: QApplication) -> Iterator[TimelineWidget]:
    """A timeline 1000 x 200 in Madrid time with two cameras and their data, view 23:30 UTC + 2 h."""
    widget = TimelineWidget(zone=MADRID, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.resize(1000, 200)
    port = two_camera_port()
    widget.set_cameras([(1, "Front door"), (2, "Parking lot")])
    widget.set_data(port.timeline([1, 2], at(-1), at(5)))
    widget.set_view(at(0), timedelta(hours=2))
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.release()


def make_window(qtbot: QtBot, port: FakePort, tmp_path: Path, **kwargs: Any) -> PlaybackWindow:
    window = PlaybackWindow(port, now=lambda: NOW, zone=MADRID, snapshot_dir=tmp_path / "snaps", **kwargs)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    return window


# ---- timeline -------------------------------------------------------------------------------------------


def test_time_and_x_map_both_ways(timeline: TimelineWidget) -> None:
    left = timeline.x_for_time(at(0))
    right = timeline.x_for_time(at(2))
    middle = timeline.x_for_time(at(1))
    assert left < middle < right
    assert middle == pytest.approx((left + right) / 2)
    assert abs((timeline.time_at(middle) - at(1)).total_seconds()) < 1
    assert timeline.time_at(-50) == at(0)  # clamped to the visible span
    assert timeline.time_at(5000) == at(2)
    assert timeline.row_at(5) is None  # the ruler
    assert timeline.row_at(40) == 1
    assert timeline.row_at(70) == 2


def wheel(widget: TimelineWidget, x: float, notches: int) -> None:
    pos = QPointF(x, 60)
    event = QWheelEvent(
        pos,
        widget.mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_wheel_zooms_around_the_mouse_within_bounds(timeline: TimelineWidget) -> None:
    x = timeline.x_for_time(at(0.5))
    wheel(timeline, x, 2)
    assert timeline.view_span < timedelta(hours=2)
    assert abs((timeline.time_at(x) - at(0.5)).total_seconds()) < 2  # the time under the mouse stays put
    for _ in range(40):
        wheel(timeline, x, 3)
    assert timeline.view_span.total_seconds() == MIN_SPAN_S
    for _ in range(60):
        wheel(timeline, x, -3)
    assert timeline.view_span.total_seconds() == MAX_SPAN_S


def test_dragging_scrubs_and_release_chooses(qtbot: QtBot, timeline: TimelineWidget) -> None:
    scrubbed: list[datetime] = []
    chosen: list[datetime] = []
    timeline.scrubbed.connect(scrubbed.append)
    timeline.cursorChosen.connect(chosen.append)
    y = 45
    start = QPoint(round(timeline.x_for_time(at(0.5))), y)
    end = QPoint(round(timeline.x_for_time(at(1.0))), y)
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, pos=start)
    assert timeline.scrubbing
    timeline.set_cursor(at(1.9))  # the engine's position is ignored while the user drags
    qtbot.mouseMove(timeline, QPoint(start.x() + 40, y))
    qtbot.mouseMove(timeline, end)
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, pos=end)
    assert not timeline.scrubbing
    assert len(scrubbed) >= 2
    assert abs((scrubbed[0] - at(0.5)).total_seconds()) < 15
    assert len(chosen) == 1 and abs((chosen[0] - at(1.0)).total_seconds()) < 15
    assert timeline.cursor_time == chosen[0]


def test_shift_drag_selects_an_export_range(qtbot: QtBot, timeline: TimelineWidget) -> None:
    ranges: list[tuple[datetime, datetime]] = []
    timeline.rangeSelected.connect(lambda a, b: ranges.append((a, b)))
    a = QPoint(round(timeline.x_for_time(at(1.5))), 45)
    b = QPoint(round(timeline.x_for_time(at(0.5))), 45)
    shift = Qt.KeyboardModifier.ShiftModifier
    qtbot.mousePress(timeline, Qt.MouseButton.LeftButton, shift, a)
    qtbot.mouseMove(timeline, b)
    qtbot.mouseRelease(timeline, Qt.MouseButton.LeftButton, shift, b)
    assert len(ranges) == 1
    start, end = ranges[0]
    assert start < end  # dragged right to left, still ordered
    assert abs((start - at(0.5)).total_seconds()) < 15 and abs((end - at(1.5)).total_seconds()) < 15
    assert timeline.selection == ranges[0]
    timeline.grab()  # the highlighted range paints
    cleared: list[bool] = []
    timeline.selectionCleared.connect(lambda: cleared.append(True))
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, shift, a)  # a shift-click without a drag clears it
    assert timeline.selection is None and cleared


def test_gap_tooltip_names_its_cause(timeline: TimelineWidget) -> None:
    inside = QPointF(timeline.x_for_time(at(1.2)), 40)
    text = timeline.tooltip_at(inside)
    assert text.startswith("No recording: camera offline")
    assert text.endswith("Sun 25 Oct 01:06:00 to 01:21:00 (15 min)")  # local (CEST) times of 23:06..23:21 UTC
    disk = timeline.tooltip_at(QPointF(timeline.x_for_time(at(1.8)), 70))
    assert disk.startswith("No recording: disk full")
    assert timeline.tooltip_at(QPointF(timeline.x_for_time(at(0.3)), 40)) == ""  # footage, no gap
    event = timeline.tooltip_at(QPointF(timeline.x_for_time(at(0.8)), 40))
    assert event == "00:48:00 — Person"
    assert timeline.gap_at(1, at(1.2)) is not None and timeline.recorded_at(1, at(0.3))


def test_an_ongoing_gap_reads_since_when(timeline: TimelineWidget) -> None:
    data = TimelineData(
        at(0), at(5), {1: CameraTrack(1, [(at(0), at(1.5))], [Gap(1, at(1.5), None, GapCause.DISK_FULL)])}
    )
    timeline.set_data(data)
    text = timeline.tooltip_at(QPointF(timeline.x_for_time(at(1.9)), 40))
    assert text == "No recording: disk full\nsince Sun 25 Oct 01:30:00"
    assert timeline.gap_at(1, at(1.99)) is not None  # open until now (NOW is later than the view)


def test_ruler_labels_show_local_time_across_the_end_of_summer_time(timeline: TimelineWidget) -> None:
    # 23:30 UTC .. 02:30 UTC: local 01:30 CEST .. 03:30 CET, with 02:00-03:00 lived twice.
    timeline.set_view(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), timedelta(hours=3))
    labels = [text for _x, text in timeline.ruler_labels()]
    assert labels == ["01:30", "02:00", "02:30 CEST", "02:00 CET", "02:30", "03:00", "03:30"]
    xs = [x for x, _text in timeline.ruler_labels()]
    assert xs == sorted(xs)
    # The axis is real time: the repeated hour takes its full width, so no footage hides behind another.
    one_hour = timeline.x_for_time(datetime(2026, 10, 25, 1, tzinfo=UTC)) - timeline.x_for_time(
        datetime(2026, 10, 25, 0, tzinfo=UTC)
    )
    assert one_hour == pytest.approx(timeline.x_for_time(at(4)) - timeline.x_for_time(at(3)))
    start, end = day_span(QDate(2026, 10, 25), MADRID)
    assert end - start == timedelta(hours=25)


def test_ruler_labels_around_the_start_of_summer_time(timeline: TimelineWidget) -> None:
    # 2026-03-29: 02:00 CET becomes 03:00 CEST at 01:00 UTC; the skipped hour has no tick.
    timeline.set_view(datetime(2026, 3, 28, 23, 0, tzinfo=UTC), timedelta(hours=4))
    labels = [text for _x, text in timeline.ruler_labels()]
    assert labels == ["Sun 29 Mar", "00:30", "01:00", "01:30 CET", "03:00 CEST", "03:30", "04:00", "04:30", "05:00"]
    start, end = day_span(QDate(2026, 3, 29), MADRID)
    assert end - start == timedelta(hours=23)


def test_ruler_follows_the_system_zone_by_default(
    qtbot: QtBot, app: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Europe/Madrid")
    time.tzset()
    try:
        widget = TimelineWidget(now=lambda: NOW)
        qtbot.addWidget(widget)
        widget.resize(1000, 120)
        widget.set_view(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), timedelta(hours=3))
        labels = [text for _x, text in widget.ruler_labels()]
        assert any(text.endswith("CEST") for text in labels) and any(text.endswith("CET") for text in labels)
        widget.release()
    finally:
        monkeypatch.undo()
        time.tzset()


def test_midnight_ticks_show_the_date(timeline: TimelineWidget) -> None:
    timeline.set_view(datetime(2026, 10, 23, 12, tzinfo=UTC), timedelta(days=3))
    labels = [text for _x, text in timeline.ruler_labels()]
    assert labels == ["Sat 24 Oct", "12:00", "Sun 25 Oct", "12:00", "Mon 26 Oct", "12:00"]


def test_hover_preview_is_fetched_off_the_gui_thread(qtbot: QtBot, timeline: TimelineWidget) -> None:
    port = two_camera_port()
    timeline.set_thumbnail_source(lambda cid, when: port.thumbnail(cid, when, (160, 90)))
    timeline.hover_at(QPointF(timeline.x_for_time(at(0.5)), 40))
    qtbot.waitUntil(lambda: timeline.thumbnail_popup is not None and timeline.thumbnail_popup.isVisible())
    assert port.thumbnail_threads == ["playback-thumbnails"]
    popup = timeline.thumbnail_popup
    assert popup is not None and popup.caption.startswith("Front door · 00:30")
    timeline.hover_at(QPointF(timeline.x_for_time(at(1.2)), 40))  # over a gap: no footage, no preview
    assert not popup.isVisible()


def test_layout_follows_the_number_of_cameras() -> None:
    assert [layout_for(n) for n in (0, 1, 2, 4, 5, 9, 10, 16)] == [1, 1, 4, 4, 9, 9, 16, 16]
    assert duration_text(45) == "45 s" and duration_text(3 * 3600 + 1200) == "3 h 20 min"


# ---- window ---------------------------------------------------------------------------------------------


def test_window_opens_playback_of_the_first_camera(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path)
    assert window.selected_cameras() == [1]
    assert port.control.camera_ids == [1]
    assert window.camera_list.count() == 2
    assert window.selection_label.text() == "1 of 16 cameras selected"
    assert window.set_camera_checked(2, True)
    qtbot.waitUntil(lambda: window.selected_cameras() == [1, 2])
    assert port.controls[0].closed and port.control.camera_ids == [1, 2]
    assert ("seek", window.position) in port.control.calls
    assert window.grid.layout_tiles == 4
    assert window.timeline.cameras == [(1, "Front door"), (2, "Parking lot")]


def test_transport_buttons_and_keys_reach_the_engine(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1, 2])
    control = port.control
    control.calls.clear()
    qtbot.mouseClick(window.play_button, Qt.MouseButton.LeftButton)
    assert control.calls[-1] == ("play",) and window.playing
    qtbot.mouseClick(window.play_button, Qt.MouseButton.LeftButton)
    assert control.calls[-1] == ("pause",) and not window.playing
    window.speed_combo.setCurrentIndex(SPEEDS.index(4.0))
    assert control.calls[-1] == ("speed", 4.0)
    qtbot.mouseClick(window.step_forward_button, Qt.MouseButton.LeftButton)
    assert control.calls[-1] == ("step", 1)
    qtbot.mouseClick(window.step_back_button, Qt.MouseButton.LeftButton)
    assert control.calls[-1] == ("step", -1)

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.grid.setFocus()
    control.calls.clear()
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    qtbot.keyClick(window.grid, Qt.Key.Key_Plus)
    qtbot.keyClick(window.grid, Qt.Key.Key_Minus)
    qtbot.keyClick(window.grid, Qt.Key.Key_Minus)
    qtbot.keyClick(window.grid, Qt.Key.Key_Right)  # stepping pauses first
    qtbot.keyClick(window.grid, Qt.Key.Key_Left)
    assert control.calls == [
        ("play",),
        ("speed", 8.0),
        ("speed", 4.0),
        ("speed", 2.0),
        ("pause",),
        ("step", 1),
        ("step", -1),
    ]
    assert window.speed_combo.currentText() == "2×"
    for _ in range(6):
        window.slower()
    assert window.speed == 0.125 and window.speed_combo.currentText() == "1/8×"


def test_cursor_follows_the_engine_and_scrubbing_seeks(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1])
    window.timeline.set_view(at(0), timedelta(hours=2))
    port.control.position = at(0.75)  # the engine moved on by itself
    qtbot.waitUntil(lambda: window.timeline.cursor_time == at(0.75))
    assert window.position == at(0.75)
    assert window.time_label.text().endswith("00:45:00 CEST")
    port.control.calls.clear()
    window.timeline.scrubbed.emit(at(0.5))
    window.timeline.scrubbed.emit(at(0.6))
    qtbot.waitUntil(lambda: ("seek", at(0.6)) in port.control.calls)
    assert ("seek", at(0.5)) not in port.control.calls  # scrubbing seeks are coalesced


def test_tiles_say_no_recording_in_a_gap(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1, 2])
    window.seek(at(1.2))  # Front door offline, Parking lot recording
    qtbot.waitUntil(lambda: window.grid.has_picture(2))
    assert window.grid.status(1) == "No recording\ncamera offline"
    assert window.grid.status(2) == ""
    window.seek(at(1.8))  # now the other way round
    qtbot.waitUntil(lambda: window.grid.has_picture(1) and not window.grid.has_picture(2))
    assert window.grid.status(1) == ""
    assert window.grid.status(2) == "No recording\ndisk full"
    window.seek(at(-3))  # long before any data: nothing recorded at all
    qtbot.waitUntil(lambda: not window.grid.has_picture(1))
    assert window.grid.status(1).startswith("No recording")


def test_more_than_16_cameras_are_refused(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = FakePort([FakeCamera(i, f"Camera {i}") for i in range(1, 21)])
    window = make_window(qtbot, port, tmp_path, cameras=list(range(1, 17)))
    assert len(window.selected_cameras()) == 16 and window.grid.layout_tiles == 16
    assert not window.set_camera_checked(17, True)
    assert window.limit_label.isVisible()
    assert "At most 16 cameras" in window.limit_label.text()
    assert not window.set_selected_cameras(list(range(1, 18)))
    assert len(window.selected_cameras()) == 16
    assert len(port.control.camera_ids) == 16
    window.set_camera_checked(3, False)
    qtbot.waitUntil(lambda: len(window.selected_cameras()) == 15)
    assert not window.limit_label.isVisible()
    assert window.set_camera_checked(17, True)
    qtbot.waitUntil(lambda: window.selected_cameras()[-1] == 17)


def test_resizing_tells_the_engine_and_reopening_resumes(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1, 2])
    first = port.control
    qtbot.waitUntil(lambda: first.box == window.grid.video_box())  # opened before the layout had its size
    window.resize(900, 700)
    qtbot.waitUntil(lambda: first.box == window.grid.video_box())
    window.play()
    window.close()
    assert first.closed and not window.playing
    window.show()  # the main window may keep the instance and show it again
    qtbot.waitExposed(window)
    assert len(port.controls) == 2 and port.control.camera_ids == [1, 2] and not port.control.closed
    port.control.position = at(0.3)
    qtbot.waitUntil(lambda: window.position == at(0.3))


def test_snapshot_saves_a_jpeg_of_the_selected_tile(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1, 2])
    window.seek(at(0.5))
    window.grid.select(2)
    path = window.save_snapshot()
    assert path is not None and path.parent == tmp_path / "snaps"
    assert path.name == "Parking_lot_20261024T223000_000000Z.jpg"
    image = QImage(str(path))
    assert not image.isNull() and (image.width(), image.height()) == (640, 360)
    again = window.save_snapshot()
    assert again is not None and again != path and again.exists()
    window.seek(at(1.2))  # Front door has no footage here
    assert window.save_snapshot(1) is None
    assert "No picture" in window.status_label.text()


def test_export_shows_progress_and_cancel_stops_it(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    port.export_mode = "wait"
    asked: list[str] = []

    def choose(_parent: object, title: str) -> Path:
        asked.append(title)
        return tmp_path

    window = make_window(qtbot, port, tmp_path, cameras=[1, 2], choose_folder=choose)
    window.timeline.set_selection(at(0.5), at(0.75))
    assert window.export()
    assert asked == ["Export to folder"]
    assert window.exporting and not window.export_button.isEnabled()
    assert port.export_started.wait(5)
    dialog = window.export_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.value() == 250)
    assert port.export_calls == [([1, 2], at(0.5), at(0.75), tmp_path)]
    cancel = dialog.findChild(QPushButton)
    assert cancel is not None
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.exporting)
    assert window.status_label.text() == "Export cancelled"
    assert window.message_box is None and window.export_dialog is None


def test_export_writes_files_of_the_visible_span(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[2], choose_folder=lambda _p, _t: tmp_path)
    window.timeline.set_view(at(0), timedelta(hours=1))
    with qtbot.waitSignal(window.exported, timeout=5000) as done:
        assert window.export()
    assert done.args == [[tmp_path / "camera2.mp4"]]
    assert port.export_calls[0][1:3] == (at(0), at(1))
    assert window.status_label.text().startswith("Exported 1 file")  # the plural comes from the English .qm


def test_export_error_is_shown_to_the_user(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    port.export_mode = "error"
    window = make_window(qtbot, port, tmp_path, choose_folder=lambda _p, _t: tmp_path)
    assert window.export()
    qtbot.waitUntil(lambda: window.message_box is not None)
    box = window.message_box
    assert box is not None and box.text() == "Export at most one day at a time."
    assert box.isVisible() and not window.exporting
    box.close()
    cancelled = PlaybackWindow(port, now=lambda: NOW, zone=MADRID, choose_folder=lambda _p, _t: None)
    qtbot.addWidget(cancelled)
    assert not cancelled.export()  # the folder question was cancelled


def test_export_that_ends_early_says_so(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    port.export_mode = "short"
    window = make_window(qtbot, port, tmp_path, cameras=[1, 2], choose_folder=lambda _p, _t: tmp_path)
    window.timeline.set_selection(at(2.0), at(3.0))
    with qtbot.waitSignal(window.exported, timeout=5000) as done:
        assert window.export()
    assert done.args == [[tmp_path / "camera1.mp4", tmp_path / "camera2.mp4"]]
    note = "Parking lot ends early, at Sun 25 Oct 2026 02:30:00 CEST: the camera's video changed."
    assert window.export_notes == [note]
    assert window.status_label.text().startswith("Exported 2 file") and window.status_label.text().endswith(note)
    box = window.message_box
    assert box is not None and box.objectName() == "playbackMessage" and box.isVisible()
    assert box.windowTitle() == "Export finished early" and note in box.text()
    box.close()
    port.export_mode = "ok"
    with qtbot.waitSignal(window.exported, timeout=5000):
        assert window.export()
    assert window.export_notes == [] and "ends early" not in window.status_label.text()


def test_protect_the_chosen_range_and_remove_it_after_asking(
    qtbot: QtBot, english: QApplication, tmp_path: Path
) -> None:
    port = two_camera_port()
    answers: list[bool] = []
    questions: list[tuple[str, str]] = []

    def confirm(title: str, question: str) -> bool:
        questions.append((title, question))
        return answers.pop(0)

    window = make_window(qtbot, port, tmp_path, cameras=[1, 2], confirm=confirm)
    window.timeline.set_view(at(0), timedelta(hours=3))
    window.timeline.set_selection(at(0.5) + timedelta(minutes=1), at(0.5) + timedelta(minutes=7))
    assert window.protect_button.isEnabled() and window.protect_button.menu() is window.protect_menu
    window.action_protect.trigger()
    picked = (at(0.5) + timedelta(minutes=1), at(0.5) + timedelta(minutes=7))
    assert port.protect_calls == [([1, 2], *picked, True)]
    # Whole files: 00:30-00:35 and 00:35-00:40 of both cameras.
    files = segments(at(0.5), at(0.5) + timedelta(minutes=10))
    assert port.protected == {1: files, 2: files}
    assert window.status_label.text() == "Protected 4 recording files from 00:30:00 to 00:40:00."
    timeline = window.timeline
    inside = at(0.5) + timedelta(minutes=9)
    assert timeline.protected_at(1, inside) == (at(0.5), at(0.5) + timedelta(minutes=10))
    assert timeline.protected_at(1, at(0.5) + timedelta(minutes=11)) is None
    tip = timeline.tooltip_at(QPointF(timeline.x_for_time(inside), 45))
    assert tip == "Protected: retention never deletes this footage\nSun 25 Oct 00:30:00 to 00:40:00 (10 min)"
    window.protect()
    assert window.status_label.text().startswith("Already protected: 4 recording files")

    answers.append(False)
    assert window.unprotect() is None  # the user said no
    assert len(port.protect_calls) == 2 and port.protected[1]
    title, question = questions[-1]
    assert title == "Remove protection"
    assert question.startswith("Remove the protection of the recordings of 2 cameras from 00:31:00 to 00:37:00?")
    answers.append(True)
    change = window.unprotect()
    assert change is not None and change.changed == 4
    assert port.protected == {1: [], 2: []}
    assert timeline.protected_at(1, inside) is None
    assert window.status_label.text().startswith("Removed the protection of 4 recording files")


def test_protect_without_a_range_takes_the_files_at_the_cursor(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1, 2])
    window.seek(at(1.2))  # Front door is in its gap here, Parking lot records
    change = window.protect()
    assert change is not None and change.changed == 1
    assert port.protect_calls == [([1, 2], at(1.2), at(1.2), True)]
    assert port.protected == {2: [(at(1.2) - timedelta(minutes=2), at(1.2) + timedelta(minutes=3))]}
    window.seek(at(1.2) + timedelta(minutes=3))  # the boundary between two files: the one that starts there
    window.protect()
    assert port.protected[2][-1] == (at(1.2) + timedelta(minutes=3), at(1.2) + timedelta(minutes=8))
    window.seek(at(3.8))
    window.protect()
    assert window.status_label.text() == "No recordings there"


def test_a_refused_protection_is_shown(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    from nvr_desktop.core.errors import PermissionDeniedError

    port = two_camera_port()
    port.protect_error = PermissionDeniedError("you may not export recordings of camera 1")
    errors: list[tuple[str, str]] = []
    window = make_window(qtbot, port, tmp_path, show_error=lambda title, text: errors.append((title, text)))
    assert window.protect() is None
    assert errors == [("Protect recordings", "You may not export recordings of camera 1.")]


def test_jumps_to_the_previous_and_next_recording(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1])
    window.timeline.set_view(at(0), timedelta(hours=2))
    window.refresh_timeline()
    window.seek(at(1.2))  # in the gap
    assert window.jump_next()
    assert window.position == at(1.35)
    assert window.jump_previous()  # to the start of the earlier recording (segments merge into one)
    assert window.position == at(0)
    assert not window.jump_previous()
    assert window.status_label.text() == "No earlier recording"
    window.seek(at(3.0))
    assert not window.jump_next()


def test_day_picker_shows_the_whole_local_day(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1])
    window.day_edit.setDate(QDate(2026, 10, 24))  # a day without footage: its start
    assert window.timeline.view_start == datetime(2026, 10, 23, 22, tzinfo=UTC)
    assert window.timeline.view_span == timedelta(hours=24)
    assert window.position == window.timeline.view_start
    window.day_edit.setDate(QDate(2026, 10, 25))  # the night clocks go back: 25 hours
    assert window.timeline.view_start == datetime(2026, 10, 24, 22, tzinfo=UTC)
    assert window.timeline.view_span == timedelta(hours=25)
    assert window.position == at(0)  # the day's first footage
    window.go_to_time(QDate(2026, 10, 25), QTime(2, 30))  # lived twice that night: the first (CEST) one
    assert window.position == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert window.timeline.view_start <= window.position < window.timeline.view_end
    window.go_to_now()
    assert window.position == NOW - timedelta(seconds=30)
    assert window.timeline.view_start <= NOW <= window.timeline.view_end


def test_screenshots_of_two_cameras_and_a_gap(qtbot: QtBot, app: QApplication, tmp_path: Path) -> None:
    """Pictures for people to look at (/tmp/playback_shots); the test checks only that they are written."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = two_camera_port()
    window = make_window(qtbot, port, tmp_path, cameras=[1, 2])
    window.timeline.set_view(datetime(2026, 10, 24, 22, 30, tzinfo=UTC), timedelta(hours=3, minutes=30))
    window.refresh_timeline()
    window.seek(at(1.2))
    window.timeline.set_selection(at(2.2), at(2.6))
    qtbot.waitUntil(lambda: window.grid.has_picture(2))
    qtbot.wait(100)
    written = []
    for name, widget in (("window", window), ("timeline", window.timeline)):
        path = SHOTS / f"playback_{name}.png"
        assert widget.grab().save(str(path), "PNG")
        written.append(path)
    window.timeline.hover_at(QPointF(window.timeline.x_for_time(at(0.5)), 45))
    qtbot.waitUntil(lambda: window.timeline.thumbnail_popup is not None and window.timeline.thumbnail_popup.isVisible())
    popup = window.timeline.thumbnail_popup
    assert popup is not None
    path = SHOTS / "playback_thumbnail.png"
    assert popup.grab().save(str(path), "PNG")
    written.append(path)
    window.timeline.hover_at(QPointF(0, 0))
    window.timeline.set_selection(at(2.25), at(2.5))
    assert window.protect() is not None
    window.timeline.set_selection(at(0.3), at(0.42))
    window.protect()
    window.seek(at(2.3))
    qtbot.wait(100)
    for name, widget in (("protected", window), ("protected_timeline", window.timeline)):
        path = SHOTS / f"playback_{name}.png"
        assert widget.grab().save(str(path), "PNG")
        written.append(path)
    window.protect_menu.popup(window.protect_button.mapToGlobal(window.protect_button.rect().bottomLeft()))
    qtbot.waitUntil(window.protect_menu.isVisible)
    path = SHOTS / "playback_protect_menu.png"
    assert window.protect_menu.grab().save(str(path), "PNG")
    written.append(path)
    window.protect_menu.hide()
    window.close()

    many = FakePort([FakeCamera(i, f"Camera {i} — {'warehouse aisle' if i % 3 else 'gate'}") for i in range(1, 17)])
    for i in range(1, 17):
        many.ranges[i] = [*segments(at(0), at(0.2 * (i % 5) + 0.5)), *segments(at(0.3 * (i % 4) + 1.2), at(3.6))]
        many.gaps[i] = [Gap(i, at(0.2 * (i % 5) + 0.5), at(0.3 * (i % 4) + 1.2), list(GapCause)[i % len(GapCause)])]
    big = make_window(qtbot, many, tmp_path, cameras=list(range(1, 17)))
    big.timeline.set_view(at(0), timedelta(hours=3))
    big.refresh_timeline()
    big.seek(at(1.0))
    qtbot.waitUntil(lambda: big.grid.has_picture(4))
    path = SHOTS / "playback_16_cameras.png"
    assert big.grab().save(str(path), "PNG")
    written.append(path)
    for path in written:
        assert not QImage(str(path)).isNull()
