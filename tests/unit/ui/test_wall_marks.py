"""The wall's marks over a picture, on real widgets offscreen: the zoom factor of the full-size view sits left of
the recording dot, never on top of it. Frames come from the in-process frame store the stream workers fill."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.state import DisplayWish, StreamState, StreamStats
from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera


class Engine:
    """The two calls the wall makes on the stream engine (the thing under test is the painting)."""

    def set_display(self, camera_id: int, wish: DisplayWish) -> None:
        pass

    def stats(self, camera_id: int) -> StreamStats:
        return StreamStats(state=StreamState.LIVE)


def wall_of(qtbot: QtBot, *names: str) -> tuple[VideoWall, FrameStore]:
    """An 800x500 wall of the named cameras over an in-process frame store."""
    frames = FrameStore()
    wall = VideoWall(frames, Engine())
    qtbot.addWidget(wall)
    wall.resize(800, 500)
    wall.set_cameras([WallCamera(i, name) for i, name in enumerate(names, start=1)])
    return wall, frames


def test_the_zoom_factor_sits_left_of_the_recording_dot(qtbot: QtBot, app: QApplication) -> None:
    wall, frames = wall_of(qtbot, "Gate")
    wall.show()
    picture = np.zeros((360, 640, 4), np.uint8)
    picture[..., 1] = 120  # plain green: text and dot stand out
    frames.put(1, picture)
    wall.set_recording(1, True)
    wall.show_solo(1)
    wall.set_zoom(1.6)
    qtbot.waitUntil(lambda: wall.snapshot_image(1) is not None, timeout=5000)
    image = wall.grab().toImage()
    red = [
        (x, y)
        for y in range(0, 40)
        for x in range(image.width() - 30, image.width())
        if QColor(image.pixel(x, y)).red() > 200 and QColor(image.pixel(x, y)).green() < 120
    ]
    assert red, "the recording dot is drawn"
    dot_left = min(x for x, _ in red)
    light = [
        x
        for y in range(0, 40)
        for x in range(image.width() - 120, image.width())
        if min(QColor(image.pixel(x, y)).getRgb()[:3]) > 170
    ]
    assert light, "the zoom factor is drawn"
    assert max(light) < dot_left, "the zoom factor ends before the dot begins"


def test_a_timed_recording_shows_until_when_beside_the_dot(qtbot: QtBot, app: QApplication) -> None:
    wall, frames = wall_of(qtbot, "Gate", "Hall")
    wall.show()
    picture = np.zeros((360, 640, 4), np.uint8)
    picture[..., 1] = 120
    frames.put(1, picture)
    frames.put(2, picture)
    wall.set_recording(1, True, "until 14:35:20")
    wall.set_recording(2, True)
    qtbot.waitUntil(lambda: wall.snapshot_image(1) is not None and wall.snapshot_image(2) is not None, timeout=5000)
    assert wall.recording_note(1) == "until 14:35:20" and wall.recording_note(2) == ""
    image = wall.grab().toImage()
    tile_right = image.width() // 2  # two tiles side by side: Gate on the left

    def note_pixels(right: int) -> list[int]:
        # The note's pink text on its dark box, left of the dot.
        return [
            x
            for y in range(0, 40)
            for x in range(right - 200, right - 24)
            if QColor(image.pixel(x, y)).red() > 200 and 120 < QColor(image.pixel(x, y)).green() < 220
        ]

    assert note_pixels(tile_right), "the note is drawn left of the recording dot"
    assert not note_pixels(image.width()), "a recording without an end shows only the dot"
    wall.set_recording(1, False, "until 14:35:20")
    assert wall.recording_note(1) == ""


def test_a_new_picture_repaints_only_the_picture_and_its_marks(qtbot: QtBot, app: QApplication) -> None:
    # What the window shows is the backing store: the wall's paints land there, and a new picture of the same size
    # repaints only the picture's own rectangle (the bars beside it and the label bar stay as painted).
    wall, frames = wall_of(qtbot, "Gate")
    wall.set_recording(1, True)
    wall.on_state(1, StreamStats(state=StreamState.LIVE))
    wall.show()
    green = np.zeros((216, 384, 4), np.uint8)  # 1:1 in a 400x226 video area, with thin bars around it
    green[..., 1] = 160
    frames.put(1, green)
    qtbot.waitUntil(lambda: wall.pictures_shown[1] == 1, timeout=5000)
    qtbot.wait(100)
    store = wall.backingStore().paintDevice()
    assert isinstance(store, QImage)
    video = wall.tile_rect(0).adjusted(0, 0, 0, -24)
    side = QPoint(video.left() + 3, video.center().y())  # in the bar left of the picture
    middle = QPoint(video.left() + 60, video.top() + 60)  # clear of the state text and the dot
    assert QColor(store.pixel(middle)).green() == 160
    marker = QColor(255, 0, 255)
    painter = QPainter(store)
    painter.fillRect(QRect(side.x() - 2, side.y() - 2, 5, 5), marker)
    painter.end()

    blue = np.zeros((216, 384, 4), np.uint8)
    blue[..., 0] = 200
    paints = wall.paints
    frames.put(1, blue)
    qtbot.waitUntil(lambda: wall.pictures_shown[1] == 2 and wall.paints > paints, timeout=5000)
    qtbot.wait(100)
    store = wall.backingStore().paintDevice()
    assert isinstance(store, QImage)
    assert QColor(store.pixel(middle)).getRgb()[:3] == (0, 0, 200), "the new picture is shown"
    assert QColor(store.pixel(side)) == marker, "the bar beside the picture was not painted again"
    dot = [
        (x, y)
        for y in range(video.top(), video.top() + 40)
        for x in range(video.right() - 40, video.right())
        if QColor(store.pixel(x, y)).red() > 200 and QColor(store.pixel(x, y)).green() < 120
    ]
    assert dot, "the recording dot is drawn again over the new picture"
