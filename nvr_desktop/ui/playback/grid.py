"""The playback video grid: 1, 4, 9 or 16 tiles painted from the engine's latest-picture store on a timer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QPaintEvent, QRegion, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from nvr_desktop.core.grid import tile_rects
from nvr_desktop.media.frames import Frame, FrameSource
from nvr_desktop.ui.playback.clock import clock_text, from_posix

BAR_H = 22
POSIX_2001 = 1e9  # pts below this are stream-relative, not recording times
_BG = QColor("#0b0e13")
_TILE_BG = QColor("#151a21")
_BAR_BG = QColor("#0d1117")
_BAR_SELECTED = QColor("#1f3a66")
_TEXT = QColor("#e6edf3")
_MUTED = QColor("#8b949e")
_STATUS = QColor("#c9d1d9")
_SELECTED_EDGE = QColor("#2f81f7")


def layout_for(count: int) -> int:
    """Tiles of the smallest grid (1, 4, 9 or 16) that holds count cameras."""
    for tiles in (1, 4, 9, 16):
        if count <= tiles:
            return tiles
    return 16


@dataclass
class _Picture:
    frame: Frame
    image: QImage  # wraps frame.image's memory: keep the frame referenced


class PlaybackGrid(QWidget):
    """Tiles of the cameras played back: the picture at the cursor letterboxed, name and time under it."""

    tileClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None, *, zone: tzinfo | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playbackGrid")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 180)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._zone = zone
        self._cameras: list[tuple[int, str]] = []
        self._frames: FrameSource | None = None
        self._pictures: dict[int, _Picture] = {}
        self._seen: dict[int, int] = {}
        self._status: dict[int, str] = {}
        self._time: datetime | None = None
        self._time_text = ""
        self._selected: int | None = None
        self._bars: dict[int, tuple[tuple[object, ...], QImage]] = {}
        self._rects: tuple[tuple[object, ...], list[tuple[QRect, QRect, QRect]]] = ((), [])
        self._font = QFont(self.font())
        self._font.setPixelSize(12)
        self.pictures_shown = 0

    # ---- content -------------------------------------------------------------------------------------------

    def set_cameras(self, cameras: Sequence[tuple[int, str]]) -> None:
        """The cameras shown, in tile order (at most 16)."""
        self._cameras = list(cameras)[:16]
        ids = {cid for cid, _name in self._cameras}
        for store in (self._pictures, self._seen, self._status, self._bars):
            for cid in [c for c in store if c not in ids]:
                store.pop(cid)
        if self._selected not in ids:
            self._selected = self._cameras[0][0] if self._cameras else None
        self.update()

    @property
    def cameras(self) -> list[tuple[int, str]]:
        """(camera id, name) per tile."""
        return list(self._cameras)

    @property
    def layout_tiles(self) -> int:
        """Tiles in the grid: 1, 4, 9 or 16 by the number of cameras."""
        return layout_for(len(self._cameras))

    def set_source(self, frames: FrameSource | None) -> None:
        """Where pictures come from (a new playback); forgets the pictures shown."""
        self._frames = frames
        self._pictures.clear()
        self._seen.clear()
        self.update()

    def select(self, camera_id: int | None) -> None:
        """Mark a tile as the selected one (snapshots are taken of it)."""
        if camera_id != self._selected:
            self._selected = camera_id
            self.update()

    @property
    def selected(self) -> int | None:
        """The selected camera."""
        return self._selected

    def name_of(self, camera_id: int) -> str:
        """A camera's name."""
        return next((name for cid, name in self._cameras if cid == camera_id), str(camera_id))

    def picture(self, camera_id: int) -> QImage | None:
        """A copy of the picture a tile shows."""
        picture = self._pictures.get(camera_id)
        return picture.image.copy() if picture is not None else None

    def has_picture(self, camera_id: int) -> bool:
        """True when the engine has delivered a picture of the camera."""
        return camera_id in self._pictures

    def status(self, camera_id: int) -> str:
        """The text over a tile instead of its picture ('' when the picture shows)."""
        return self._status.get(camera_id, "")

    def set_status(self, camera_id: int, text: str) -> None:
        """Show text over a tile instead of its picture ('' shows the picture)."""
        if self._status.get(camera_id, "") != text:
            if text:
                self._status[camera_id] = text
            else:
                self._status.pop(camera_id, None)
            self._update_video(camera_id)

    def set_time(self, when: datetime | None) -> None:
        """The playback time written in the tiles' bars."""
        self._time = when
        text = clock_text(when, self._zone) if when is not None else ""
        if text != self._time_text:
            self._time_text = text
            for index, _camera in enumerate(self._cameras):
                self.update(self._layout()[index][2])

    def poll(self) -> int:
        """Take the pictures that changed since the last poll and repaint only their tiles; returns how many."""
        if self._frames is None or not self._cameras:
            return 0
        changed = self._frames.changed_since({cid: self._seen.get(cid, -1) for cid, _name in self._cameras})
        region = QRegion()
        rects = self._layout()
        positions = {cid: i for i, (cid, _name) in enumerate(self._cameras)}
        for cid, frame in changed.items():
            self._seen[cid] = frame.seq
            image = frame.image
            height, width = image.shape[:2]
            self._pictures[cid] = _Picture(frame, QImage(image.data, width, height, image.strides[0], _RGB32))
            region += rects[positions[cid]][1]
            if frame.pts_seconds > POSIX_2001:
                region += rects[positions[cid]][2]
        # A camera whose slot the engine dropped has no footage at the cursor any more.
        for cid, _name in self._cameras:
            if cid in self._pictures and cid not in changed and self._frames.get(cid) is None:
                self._pictures.pop(cid)
                self._seen.pop(cid, None)
                region += rects[positions[cid]][0]
        if not region.isEmpty():
            self.update(region)
        self.pictures_shown += len(changed)
        return len(changed)

    # ---- geometry ------------------------------------------------------------------------------------------

    def _layout(self) -> list[tuple[QRect, QRect, QRect]]:
        """(tile, video area, bar) per tile."""
        tiles = self.layout_tiles
        key = (tiles, self.width(), self.height())
        if self._rects[0] != key:
            rects = []
            for r in tile_rects(tiles, max(1, self.width()), max(1, self.height()), gap=0 if tiles == 1 else 4):
                tile = QRect(r.x, r.y, r.width, r.height)
                bar_h = min(BAR_H, max(1, r.height // 4))
                video = QRect(r.x, r.y, r.width, max(1, r.height - bar_h))
                bar = QRect(r.x, r.y + video.height(), r.width, r.height - video.height())
                rects.append((tile, video, bar))
            self._rects = (key, rects)
        return self._rects[1]

    def tile_rect(self, index: int) -> QRect:
        """Widget rectangle of a tile."""
        rects = self._layout()
        return QRect(rects[index][0]) if 0 <= index < len(rects) else QRect()

    def video_box(self) -> tuple[int, int]:
        """Device-pixel size of a tile's picture area (what the engine should scale to)."""
        video = self._layout()[0][1]
        ratio = self.devicePixelRatioF()
        return max(16, int(video.width() * ratio)), max(16, int(video.height() * ratio))

    def camera_at(self, pos: QPoint) -> int | None:
        """The camera of the tile under a point."""
        for index, (tile, _video, _bar) in enumerate(self._layout()):
            if tile.contains(pos) and index < len(self._cameras):
                return self._cameras[index][0]
        return None

    def _update_video(self, camera_id: int) -> None:
        for index, (cid, _name) in enumerate(self._cameras):
            if cid == camera_id:
                self.update(self._layout()[index][0])

    # ---- painting ------------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        clip = event.region()
        painter.fillRect(event.rect(), _BG)
        for index, (tile, video, bar) in enumerate(self._layout()):
            if not clip.intersects(tile):
                continue
            if index >= len(self._cameras):
                painter.fillRect(tile, _TILE_BG)
                continue
            camera_id, name = self._cameras[index]
            self._paint_video(painter, video, camera_id)
            painter.drawImage(bar.topLeft(), self._bar(camera_id, name, bar))
            if camera_id == self._selected and len(self._cameras) > 1:
                painter.setPen(_SELECTED_EDGE)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(tile.adjusted(0, 0, -1, -1))
        painter.end()

    def _paint_video(self, painter: QPainter, video: QRect, camera_id: int) -> None:
        status = self._status.get(camera_id, "")
        picture = self._pictures.get(camera_id)
        if status or picture is None:
            painter.fillRect(video, _TILE_BG)
            painter.setPen(_STATUS)
            font = QFont(self._font)
            font.setPixelSize(max(11, min(20, video.height() // 12)))
            painter.setFont(font)
            painter.drawText(
                video.adjusted(8, 8, -8, -8),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                status or self.tr("No recording"),
            )
            return
        image = picture.image
        size = QSize(image.width(), image.height()).scaled(video.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRect(QPoint(0, 0), size)
        target.moveCenter(video.center())
        if target.width() < video.width() - 1 or target.height() < video.height() - 1:
            painter.fillRect(video, _TILE_BG)
        if target.size() == image.size():
            painter.drawImage(target.topLeft(), image)  # scaled by the engine already: a plain copy
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, image)

    def _bar_time(self, camera_id: int) -> str:
        picture = self._pictures.get(camera_id)
        if picture is not None and picture.frame.pts_seconds > POSIX_2001 and not self._status.get(camera_id):
            return clock_text(from_posix(picture.frame.pts_seconds), self._zone)
        return self._time_text

    def _bar(self, camera_id: int, name: str, bar: QRect) -> QImage:
        time_text = self._bar_time(camera_id)
        selected = camera_id == self._selected and len(self._cameras) > 1
        key = (bar.width(), bar.height(), name, time_text, selected)
        cached = self._bars.get(camera_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        image = QImage(max(1, bar.width()), max(1, bar.height()), QImage.Format.Format_RGB32)
        image.fill(_BAR_SELECTED if selected else _BAR_BG)
        painter = QPainter(image)
        painter.setFont(self._font)
        metrics = painter.fontMetrics()
        area = QRect(8, 0, bar.width() - 16, bar.height())
        if time_text:
            painter.setPen(_MUTED)
            painter.drawText(area, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, time_text)
            area.setRight(area.right() - metrics.horizontalAdvance(time_text) - 10)
        painter.setPen(_TEXT)
        elided = metrics.elidedText(name, Qt.TextElideMode.ElideRight, max(0, area.width()))
        painter.drawText(area, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        painter.end()
        self._bars[camera_id] = (key, image)
        return image

    # ---- input -----------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        camera_id = self.camera_at(event.position().toPoint())
        if camera_id is not None and event.button() == Qt.MouseButton.LeftButton:
            self.select(camera_id)
            self.tileClicked.emit(camera_id)
        super().mousePressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._bars.clear()
        super().resizeEvent(event)


_RGB32 = QImage.Format.Format_RGB32
