"""The self-test's UI check: one wall tile rendered offscreen from a given picture, through the real VideoWall."""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QColor, QImage

from nvr_desktop.media.frames import FrameStore, RgbImage
from nvr_desktop.media.state import DisplayWish, StreamState, StreamStats
from nvr_desktop.ui.application import create_application, load_style_sheet
from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera
from nvr_desktop.ui.widgets import app_icon

CAMERA_ID = 1


class _StillCamera:
    """A stream control for one camera that is always live (the wall asks it for figures)."""

    def set_display(self, camera_id: int, wish: DisplayWish) -> None:
        """Nothing to drive: the picture is already in the frame store."""

    def stats(self, camera_id: int) -> StreamStats:
        """Live, with the picture's codec."""
        return StreamStats(state=StreamState.LIVE, codec="h264")


def render_tile(picture: RgbImage, size: tuple[int, int] = (400, 260), timeout_s: float = 5.0) -> QImage:
    """Show picture on a one-tile wall, wait until the wall painted it, and return the wall's pixels."""
    app = create_application()
    app.setStyleSheet(load_style_sheet())
    if app_icon().pixmap(32, 32).isNull():  # an SVG: needs Qt's svg image plugin in the bundle
        raise RuntimeError("the application icon cannot be drawn")
    frames = FrameStore()
    frames.put(CAMERA_ID, picture)
    wall = VideoWall(frames, _StillCamera())
    try:
        wall.set_cameras([WallCamera(CAMERA_ID, "self-test")])
        wall.set_layout(1)
        wall.on_state(CAMERA_ID, _StillCamera().stats(CAMERA_ID))
        wall.resize(*size)
        wall.show()
        deadline = time.monotonic() + timeout_s
        while not wall.pictures_shown[CAMERA_ID]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the wall did not take the picture within {timeout_s:.0f} s")
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)
        app.processEvents()
        return wall.grab().toImage()
    finally:
        wall.release()
        wall.hide()
        wall.deleteLater()
        app.processEvents()


def tile_shows(image: QImage, bgr: tuple[int, int, int], tolerance: int = 16) -> bool:
    """True when the middle of the rendered wall has the picture's colour."""
    colour = QColor(image.pixel(image.width() // 2, image.height() // 2))
    blue, green, red = bgr
    return max(abs(colour.blue() - blue), abs(colour.green() - green), abs(colour.red() - red)) <= tolerance
