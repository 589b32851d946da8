"""The real wall widget fed by real RTSP cameras (GStreamer on 127.0.0.1) through the real stream engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import av
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DecodeMode, StreamState
from nvr_desktop.media.supervisor import CameraStreams, StreamSupervisor
from nvr_desktop.ui.bridge import StreamBridge
from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera
from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER, RtspServerFactory

Wall = tuple[VideoWall, StreamSupervisor, StreamBridge]


@pytest.fixture
def wall(qtbot: QtBot, tmp_path: Path) -> Iterator[Wall]:
    bridge = StreamBridge()
    supervisor = StreamSupervisor(FrameStore(), on_state=bridge.relay, budget_cores=8.0)
    widget = VideoWall(supervisor.frames, supervisor, snapshot_dir=tmp_path / "snapshots")
    bridge.stateChanged.connect(widget.on_state)
    qtbot.addWidget(widget)
    widget.resize(960, 540)
    yield widget, supervisor, bridge
    widget.release()
    bridge.stop()
    supervisor.close()


def add(supervisor: StreamSupervisor, widget: VideoWall, urls: list[str]) -> None:
    for n, url in enumerate(urls, start=1):
        supervisor.add_camera(n, CameraStreams(main=SourceSpec(url, open_timeout_s=5, read_timeout_s=5)))
    widget.set_cameras([WallCamera(n, f"Cam {n}") for n in range(1, len(urls) + 1)])


def wait(qtbot: QtBot, check: Callable[[], bool], timeout_s: float, what: str) -> None:
    try:
        qtbot.waitUntil(check, timeout=int(timeout_s * 1000))
    except AssertionError:
        raise AssertionError(f"timed out waiting for {what}") from None


def test_a_tile_goes_live_and_paints_video(qtbot: QtBot, wall: Wall, rtsp_server: RtspTestServer) -> None:
    widget, supervisor, _ = wall
    add(supervisor, widget, [rtsp_server.url(1)])
    widget.set_layout(4)
    widget.show()
    wait(qtbot, lambda: widget.state(1).state is StreamState.LIVE, 15, "live state")
    wait(qtbot, lambda: widget.snapshot_image(1) is not None, 10, "a picture")
    painted = widget.paints
    qtbot.wait(500)
    assert widget.paints > painted, "the wall keeps repainting as frames arrive"
    image = widget.grab().toImage()
    rect = widget.tile_rect(0)
    colours = {
        image.pixel(rect.left() + x, rect.top() + y)
        for x in range(10, rect.width() - 10, 37)
        for y in range(10, rect.height() - 40, 29)
    }
    assert len(colours) > 10, "the tile shows a picture, not a flat background"
    assert widget.tile_camera(1) is None


def test_a_tile_copies_the_workers_picture_one_to_one(qtbot: QtBot, wall: Wall, rtsp_server: RtspTestServer) -> None:
    """The worker scales the picture for its tile (width rounded down to 16 pixels); the wall copies it 1:1,
    centred between two thin bars, rather than stretching it by a few pixels with a scaling blit every frame."""
    widget, supervisor, _ = wall
    add(supervisor, widget, [rtsp_server.url(1)])
    widget.resize(1920, 1080)
    widget.set_layout(36)
    widget.show()
    wait(qtbot, lambda: widget.snapshot_image(1) is not None, 15, "a picture")
    qtbot.wait(300)
    grabbed = widget.grab().toImage()
    picture = widget.snapshot_image(1)  # the picture that grab painted (no event ran in between)
    assert picture is not None
    tile = widget.tile_rect(0)
    assert picture.width() < tile.width() and picture.width() % 16 == 0, "the fitted width is rounded down"
    background = QColor("#151a21").rgb()
    middle = tile.top() + picture.height() // 2
    row = [grabbed.pixel(x, middle) for x in range(tile.left(), tile.right() + 1)]
    left = next(i for i, colour in enumerate(row) if colour != background)
    right = len(row) - next(i for i, colour in enumerate(reversed(row)) if colour != background)
    assert right - left == picture.width(), "the picture keeps its width: bars beside it, not a stretch"
    assert abs(left - (tile.width() - right)) <= 1, "centred"
    column_x = tile.left() + left + picture.width() // 2
    top = next(y for y in range(tile.top(), tile.bottom()) if grabbed.pixel(column_x, y) != background)
    mismatched = sum(
        grabbed.pixel(tile.left() + left + x, top + y) | 0xFF000000 != picture.pixel(x, y) | 0xFF000000
        for x in range(0, picture.width(), 7)
        for y in range(0, picture.height(), 5)
    )
    assert mismatched == 0, "the picture is copied 1:1"


def test_only_tiles_on_screen_decode(qtbot: QtBot, wall: Wall, rtsp_server: RtspTestServer) -> None:
    widget, supervisor, _ = wall
    add(supervisor, widget, [rtsp_server.url(n) for n in range(1, 5)])
    widget.set_layout(1)
    widget.show()
    wait(qtbot, lambda: all(supervisor.stats(n).state is StreamState.LIVE for n in range(1, 5)), 20, "all live")
    workers = {n: supervisor.worker(n) for n in range(1, 5)}
    qtbot.wait(2500)
    assert workers[1] is not None and workers[1].decoded_frames > 20
    assert all(
        w is not None and w.decoded_frames == 0 and w.mode is DecodeMode.OFF for n, w in workers.items() if n != 1
    ), "cameras on other pages must not decode"
    widget.next_page()
    assert widget.page == 1 and widget.visible_cameras() == [2]
    wait(qtbot, lambda: workers[2] is not None and workers[2].decoded_frames > 0, 6, "page 2 decodes")
    assert workers[1] is not None and workers[1].mode is DecodeMode.OFF
    # A hidden window decodes nothing at all.
    widget.hide()
    qtbot.wait(300)
    settled = {n: w.decoded_frames for n, w in workers.items() if w is not None}
    qtbot.wait(1500)
    assert {n: w.decoded_frames for n, w in workers.items() if w is not None} == settled


def test_double_click_shows_one_camera_large_and_escape_returns(
    qtbot: QtBot, wall: Wall, h264_clip_360p: Path, h264_clip_1080p: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    widget, supervisor, _ = wall
    main = rtsp_server_factory(h264_clip_1080p, 1)
    sub = rtsp_server_factory(h264_clip_360p, 1)
    supervisor.add_camera(1, CameraStreams(main=SourceSpec(main.url(1)), sub=SourceSpec(sub.url(1))))
    widget.set_cameras([WallCamera(1, "Gate")])
    widget.set_layout(4)
    widget.show()
    wait(qtbot, lambda: widget.snapshot_image(1) is not None, 15, "sub-stream picture")
    image = widget.snapshot_image(1)
    assert image is not None and image.height() <= 360
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=widget.tile_rect(0).center())
    assert widget.solo == 1
    wait(qtbot, lambda: (img := widget.snapshot_image(1)) is not None and img.height() > 360, 15, "main stream")
    # Two wheel notches zoom in by 1.25 each; the zoom stays within 1x..8x.
    centre = QPointF(widget.rect().center())
    for _ in range(2):
        notch = QWheelEvent(
            centre,
            centre,
            QPoint(),
            QPoint(0, 120),
            Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(widget, notch)
    assert widget.zoom == pytest.approx(1.5625)
    widget.set_zoom(100)
    assert widget.zoom == 8.0
    qtbot.keyClick(widget, Qt.Key.Key_Escape)
    assert widget.solo is None and widget.zoom == 1.0
    wait(qtbot, lambda: supervisor.worker(1, "main") is None, 10, "main stream closed after leaving")


def test_snapshot_is_a_real_jpeg(qtbot: QtBot, wall: Wall, rtsp_server: RtspTestServer, tmp_path: Path) -> None:
    widget, supervisor, _ = wall
    add(supervisor, widget, [rtsp_server.url(1)])
    widget.show()
    wait(qtbot, lambda: widget.snapshot_image(1) is not None, 15, "a picture")
    path = widget.save_snapshot(1)
    assert path is not None and path.parent == tmp_path / "snapshots" and path.suffix == ".jpg"
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
    assert frame.width > 100 and frame.height > 50


def test_unauthorized_and_offline_tiles_say_so(qtbot: QtBot, wall: Wall, rtsp_server_auth: RtspTestServer) -> None:
    widget, supervisor, _ = wall
    add(supervisor, widget, [rtsp_server_auth.url(1, user=RTSP_USER, password="bad"), "rtsp://127.0.0.1:9/none"])
    widget.show()
    wait(qtbot, lambda: widget.state(1).state is StreamState.UNAUTHORIZED, 15, "unauthorized")
    wait(qtbot, lambda: widget.state(2).state in (StreamState.RECONNECTING, StreamState.OFFLINE), 15, "offline")
    assert RTSP_PASSWORD not in widget.state(1).message
    assert widget._state_text(widget.state(1)) == "Wrong camera user name or password"


def test_governor_degrades_unselected_tiles_first(
    qtbot: QtBot, h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    server = rtsp_server_factory(h264_clip_360p, 4)
    bridge = StreamBridge()
    supervisor = StreamSupervisor(FrameStore(), on_state=bridge.relay, budget_cores=0.01, governor_interval_s=0.5)
    widget = VideoWall(supervisor.frames, supervisor)
    qtbot.addWidget(widget)
    try:
        bridge.stateChanged.connect(widget.on_state)
        add(supervisor, widget, [server.url(n) for n in range(1, 5)])
        widget.resize(800, 450)
        widget.set_layout(4)
        widget.show()
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.tile_rect(2).center())
        assert widget.selected == 3
        wait(qtbot, lambda: all(supervisor.stats(n).state is StreamState.LIVE for n in range(1, 5)), 20, "live")
        modes = {}

        def degraded() -> bool:
            modes.update({n: w.mode for n in range(1, 5) if (w := supervisor.worker(n)) is not None})
            return all(modes.get(n) is DecodeMode.KEYFRAMES for n in (1, 2, 4))

        wait(qtbot, degraded, 15, f"unselected tiles degraded: {modes}")
        assert modes[3] is DecodeMode.FULL, "the selected tile keeps full decode"
        # Keyframe-only tiles still refresh (once per GOP).
        seen = supervisor.frames.get(1)
        wait(qtbot, lambda: (f := supervisor.frames.get(1)) is not None and f is not seen, 5, "a key frame")
        # Freeing the budget brings them back.
        supervisor.governor.budget_cores = 50.0
        wait(qtbot, lambda: all(supervisor.worker(n).mode is DecodeMode.FULL for n in range(1, 5)), 20, "recovered")  # type: ignore[union-attr]
    finally:
        widget.release()
        bridge.stop()
        supervisor.close()


def test_points_map_to_tiles(qtbot: QtBot, wall: Wall) -> None:
    widget = wall[0]
    widget.set_cameras([WallCamera(n, f"Cam {n}") for n in range(1, 20)])
    widget.set_layout(16)
    widget.show()
    assert widget.pages == 2
    assert widget.visible_cameras() == list(range(1, 17))
    widget.place_camera(19, 0)
    assert widget.tile_camera(0) == 19
    widget.set_layout(128)
    assert widget.pages == 1 and len(widget.visible_cameras()) == 19
    QApplication.processEvents()
    assert widget._tile_index_at(QPoint(1, 1)) == 0
