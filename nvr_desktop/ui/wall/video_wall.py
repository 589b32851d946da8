"""The live video wall: one widget paints every tile on a timer from the latest-frame store."""

from __future__ import annotations

import collections
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QHideEvent,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QRegion,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from nvr_desktop.core.grid import LAYOUTS, Rect, page_count, tile_rects
from nvr_desktop.media.frames import Frame, FrameSource, RgbImage
from nvr_desktop.media.state import PROTECTED_PRIORITY, DisplayWish, StreamState, StreamStats
from nvr_desktop.ui.models.camera_tree import decode_camera_ids

MAX_ZOOM = 8.0
STATS_SLICES = 8
STATS_SLICE_MS = 125
BAR_FPS_MIN_WIDTH = 160  # narrower label bars show only the name
_BG = QColor("#0b0e13")
_TILE_BG = QColor("#151a21")
NEAR_FIT_PX = 16  # a picture this close to its tile's fitted size is drawn 1:1 (the worker rounds widths to 16)
_EMPTY_FG = QColor("#4b5563")
_BAR_BG = QColor("#0d1117")
_BAR_SELECTED = QColor("#1f3a66")
_TEXT = QColor("#e6edf3")
_STATE_COLORS = {
    StreamState.LIVE: QColor("#3fb950"),
    StreamState.CONNECTING: QColor("#d29922"),
    StreamState.RECONNECTING: QColor("#d29922"),
    StreamState.OFFLINE: QColor("#8b949e"),
    StreamState.UNAUTHORIZED: QColor("#f85149"),
    StreamState.LOGIN_MISSING: QColor("#f85149"),
    StreamState.UNSUPPORTED: QColor("#f85149"),
    StreamState.ERROR: QColor("#f85149"),
    StreamState.STOPPED: QColor("#8b949e"),
}


class PtzKeys(Protocol):
    """The PTZ panel as the wall's keyboard sees it."""

    @property
    def active(self) -> bool:
        """True while it drives the full-size camera."""

    def handle_key(self, key: int, pressed: bool) -> bool:
        """Act on a PTZ key press or release; True when the key was one."""


PTZ_KEYS = frozenset(
    k.value
    for k in (
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Plus,
        Qt.Key.Key_Equal,
        Qt.Key.Key_Minus,
    )
)


def _bars_beside(rect: QRect, inner: QRect) -> list[QRect]:
    """The parts of rect that inner (inside it) leaves uncovered: up to four strips."""
    inner = inner.intersected(rect)
    if inner.isEmpty():
        return [rect]
    bars = []
    if inner.top() > rect.top():
        bars.append(QRect(rect.left(), rect.top(), rect.width(), inner.top() - rect.top()))
    if inner.bottom() < rect.bottom():
        bars.append(QRect(rect.left(), inner.bottom() + 1, rect.width(), rect.bottom() - inner.bottom()))
    if inner.left() > rect.left():
        bars.append(QRect(rect.left(), inner.top(), inner.left() - rect.left(), inner.height()))
    if inner.right() < rect.right():
        bars.append(QRect(inner.right() + 1, inner.top(), rect.right() - inner.right(), inner.height()))
    return bars


class StreamControl(Protocol):
    """What the wall needs from the stream engine (the supervisor)."""

    def set_display(self, camera_id: int, wish: DisplayWish) -> None:
        """Say how a camera is shown."""

    def stats(self, camera_id: int) -> StreamStats:
        """Live figures of a camera."""


@dataclass(frozen=True)
class WallCamera:
    """A camera the wall can show."""

    id: int
    name: str
    demo: bool = False


@dataclass
class _Picture:
    pixels: RgbImage  # a frame's image
    image: QImage  # wraps the pixels' memory: keep them referenced
    width: int  # the image's, kept here: asking the QImage costs a call into Qt per picture
    height: int


#: Pictures kept per camera for reuse: a shared-memory slot hands out the same few buffers again and again.
_PICTURES_KEPT = 4


_NOT_REPORTED = StreamStats(state=StreamState.CONNECTING)
#: Entries kept in the per-layout caches of picture areas before they start over (resizing makes new ones).
_AREA_CACHE_LIMIT = 4096


class VideoWall(QWidget):
    """Tiles in a grid with pages; double-click for one camera full size on its main stream."""

    tileSelected = Signal(int)
    soloChanged = Signal(object)  # camera id or None
    pageChanged = Signal(int, int)  # page, pages
    layoutChanged = Signal(int)

    def __init__(
        self,
        frames: FrameSource,
        control: StreamControl,
        parent: QWidget | None = None,
        *,
        refresh_ms: int = 40,
        snapshot_dir: Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("videoWall")
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._frames = frames
        self._control = control
        self.snapshot_dir = snapshot_dir
        self._cameras: dict[int, WallCamera] = {}
        self._slots: list[int | None] = []
        self._tiles = 4
        self._page = 0
        self._solo: int | None = None
        self._selected: int | None = None
        self._states: dict[int, StreamStats] = {}
        self._recording: set[int] = set()
        self._recording_notes: dict[int, str] = {}  # beside the recording dot: "until 14:35:20"
        self._pictures: dict[int, _Picture] = {}
        # Per camera, the pictures made for the arrays its frames came in, by id(array), where the frame store hands
        # out the same array when a buffer comes round again (the shared-memory slots): the same QImage serves.
        self._made: dict[int, dict[int, _Picture]] = {}
        self._reuse = frames.reuses_arrays
        self._overlays: dict[int, tuple[tuple[object, ...], QImage]] = {}
        self._bars: dict[int, tuple[tuple[object, ...], QImage]] = {}
        self._rect_cache: tuple[tuple[object, ...], list[tuple[QRect, QRect, QRect]]] = ((), [])
        self._placement: dict[tuple[int, ...], tuple[QPoint, list[QRect]]] = {}
        self._areas: dict[tuple[object, ...], tuple[QRect, QPoint]] = {}  # per layout, tile and picture size
        # What the next paint may do quickly: (the region the tick asked for, (camera, tile, picture area, corner)).
        self._fast: tuple[QRegion, list[tuple[int, int, QRect, QPoint]]] | None = None
        self._seen: dict[int, int] = {}
        self._sent: dict[int, DisplayWish] = {}
        self._zoom = 1.0
        self._zoom_center = QPointF(0.5, 0.5)
        self._pan_from: QPoint | None = None
        self._drop_tile: int | None = None
        self._shown = False
        #: PTZ controls (ui/wall/ptz_panel.py) that take the arrow and +/- keys in full-size view, when any.
        self.ptz: PtzKeys | None = None
        # Timing figures for the benchmark: intervals between refresh ticks and paint durations (ms).
        self.tick_intervals: collections.deque[float] = collections.deque(maxlen=10_000)
        self.paint_ms: collections.deque[float] = collections.deque(maxlen=10_000)
        self.paints = 0
        self.pictures_shown: collections.Counter[int] = collections.Counter()  # new pictures per camera
        self._last_tick = 0.0
        self._refresh = QTimer(self)
        self._refresh.setTimerType(Qt.TimerType.PreciseTimer)
        self._refresh.timeout.connect(self._on_tick)
        self._refresh.start(refresh_ms)
        self._stats_timer = QTimer(self)
        self._stats_timer.timeout.connect(self._refresh_stats)
        self._stats_timer.start(STATS_SLICE_MS)
        self._stats_turn = 0
        self._cycle = QTimer(self)
        self._cycle.timeout.connect(self.next_page)

    # ---- content ------------------------------------------------------------------------------------

    def set_cameras(self, cameras: list[WallCamera]) -> None:
        """The cameras on the wall, in tile order; keeps a user's tile arrangement for cameras still present."""
        new = {c.id: c for c in cameras}
        kept = [cid if cid in new else None for cid in self._slots]
        for camera in cameras:
            if camera.id not in kept:
                try:
                    kept[kept.index(None)] = camera.id
                except ValueError:
                    kept.append(camera.id)
        while kept and kept[-1] is None:
            kept.pop()
        self._cameras = new
        self._slots = kept
        for cid in list(self._pictures):
            if cid not in new:
                self._drop_pictures(cid)
                self._seen.pop(cid, None)
        if self._solo is not None and self._solo not in new:
            self._solo = None
        self._page = min(self._page, self.pages - 1)
        self._changed()

    def cameras(self) -> list[WallCamera]:
        """Cameras on the wall."""
        return list(self._cameras.values())

    def set_slots(self, slots: list[int | None]) -> None:
        """Arrange cameras by tile position (a saved view); unknown ids become empty tiles."""
        self._slots = [cid if cid in self._cameras else None for cid in slots]
        rest = [cid for cid in self._cameras if cid not in self._slots]
        self._slots.extend(rest)
        self._changed()

    def slots(self) -> list[int | None]:
        """Camera id per tile position across all pages."""
        return list(self._slots)

    @property
    def layout_tiles(self) -> int:
        """Tiles per page."""
        return self._tiles

    def set_layout(self, tiles: int) -> None:
        """Switch to a layout of 1, 4, 9, 16, 25, 36, 64 or 128 tiles."""
        if tiles not in LAYOUTS:
            raise ValueError(f"unknown layout {tiles}")
        first = self._page * self._tiles
        self._tiles = tiles
        self._page = min(first // tiles, self.pages - 1)
        self._solo = None
        self._changed()
        self.layoutChanged.emit(tiles)

    @property
    def page(self) -> int:
        """The page shown (0-based)."""
        return self._page

    @property
    def pages(self) -> int:
        """How many pages the cameras fill."""
        return page_count(len(self._slots), self._tiles)

    def set_page(self, page: int) -> None:
        """Show a page (wraps around)."""
        self._page = page % self.pages
        self._changed()
        self.pageChanged.emit(self._page, self.pages)

    def next_page(self) -> None:
        """Show the next page."""
        self.set_page(self._page + 1)

    def previous_page(self) -> None:
        """Show the previous page."""
        self.set_page(self._page - 1)

    def set_auto_cycle(self, seconds: float | None) -> None:
        """Advance pages every few seconds (None stops)."""
        if seconds:
            self._cycle.start(int(seconds * 1000))
        else:
            self._cycle.stop()

    @property
    def auto_cycling(self) -> bool:
        """True while pages advance by themselves."""
        return self._cycle.isActive()

    def visible_cameras(self) -> list[int]:
        """Cameras whose tiles are on screen now."""
        if not self._shown:
            return []
        if self._solo is not None:
            return [self._solo]
        return [cid for cid in self._page_slots() if cid is not None]

    def _page_slots(self) -> list[int | None]:
        start = self._page * self._tiles
        page = self._slots[start : start + self._tiles]
        return page + [None] * (self._tiles - len(page))

    def tile_camera(self, index: int) -> int | None:
        """The camera in a tile of the current page."""
        if self._solo is not None:
            return self._solo if index == 0 else None
        slots = self._page_slots()
        return slots[index] if 0 <= index < len(slots) else None

    # ---- solo (full size) and selection --------------------------------------------------------------

    @property
    def solo(self) -> int | None:
        """The camera shown alone on its main stream, if any."""
        return self._solo

    def show_solo(self, camera_id: int | None) -> None:
        """Show one camera alone at full size (main stream), or None to go back to the grid."""
        if camera_id is not None and camera_id not in self._cameras:
            return
        self._solo = camera_id
        self._zoom = 1.0
        self._zoom_center = QPointF(0.5, 0.5)
        self._changed()
        self.soloChanged.emit(camera_id)

    def select(self, camera_id: int | None) -> None:
        """Mark a tile as selected (it is never degraded by the load governor)."""
        self._selected = camera_id
        self._changed()
        if camera_id is not None:
            self.tileSelected.emit(camera_id)

    @property
    def selected(self) -> int | None:
        """The selected camera."""
        return self._selected

    @property
    def zoom(self) -> float:
        """Digital zoom factor in solo view."""
        return self._zoom

    def set_zoom(self, factor: float, center: QPointF | None = None) -> None:
        """Digital zoom (1 to 8) around a point given in picture fractions."""
        self._zoom = max(1.0, min(MAX_ZOOM, factor))
        if center is not None:
            self._zoom_center = center
        self._clamp_center()
        self.update()

    # ---- state from the engine -----------------------------------------------------------------------

    def on_state(self, camera_id: int, stats: StreamStats) -> None:
        """Slot for StreamBridge.stateChanged."""
        self._states[camera_id] = stats
        if stats.state is StreamState.STOPPED:
            self._drop_pictures(camera_id)
        self._update_camera(camera_id)

    def state(self, camera_id: int) -> StreamStats:
        """The last state reported for a camera."""
        return self._states.get(camera_id, _NOT_REPORTED)

    def set_recording(self, camera_id: int, on: bool, note: str = "") -> None:
        """Show or hide the recording dot of a camera, with a short note beside it (when a manual recording ends)."""
        note = note if on else ""
        if (camera_id in self._recording) == on and self._recording_notes.get(camera_id, "") == note:
            return
        (self._recording.add if on else self._recording.discard)(camera_id)
        if note:
            self._recording_notes[camera_id] = note
        else:
            self._recording_notes.pop(camera_id, None)
        self._update_camera(camera_id)

    def recording_note(self, camera_id: int) -> str:
        """The note beside a camera's recording dot ("" when none)."""
        return self._recording_notes.get(camera_id, "")

    # ---- snapshots -----------------------------------------------------------------------------------

    def snapshot_image(self, camera_id: int) -> QImage | None:
        """A copy of the picture shown for a camera."""
        picture = self._pictures.get(camera_id)
        return picture.image.copy() if picture is not None else None

    def save_snapshot(self, camera_id: int, folder: Path | None = None) -> Path | None:
        """Save the camera's current picture as a JPEG under folder (default: the snapshot folder)."""
        image = self.snapshot_image(camera_id)
        target = folder or self.snapshot_dir
        if image is None or target is None:
            return None
        target.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S_%fZ")
        path = target / f"camera{camera_id}_{stamp}.jpg"
        # PySide6 6.11 stubs say bytes, the binding takes only str.
        saved = image.save(str(path), "JPG", 92)  # type: ignore[call-overload]
        return path if saved else None

    # ---- geometry and display wishes ------------------------------------------------------------------

    def tile_rect(self, index: int) -> QRect:
        """Widget rectangle of a tile of the current view."""
        rects = self._qrects()
        return QRect(rects[index]) if 0 <= index < len(rects) else QRect()

    def _rects(self) -> list[Rect]:
        tiles = 1 if self._solo is not None else self._tiles
        return tile_rects(tiles, max(1, self.width()), max(1, self.height()), gap=0 if tiles == 1 else 2)

    def _tile_index_at(self, pos: QPoint | QPointF) -> int | None:
        point = QPointF(pos).toPoint()
        for index, tile in enumerate(self._qrects()):
            if tile.contains(point):
                return index
        return None

    def _changed(self) -> None:
        self._push_display()
        self.update()

    def _push_display(self) -> None:
        ratio = self.devicePixelRatioF()
        visible = self.visible_cameras()
        videos = [video for _tile, video, _bar in self._layout_rects()]
        positions = self._positions()
        wishes: dict[int, DisplayWish] = {}
        for order, cid in enumerate(visible):
            if self._solo is not None:
                wish = DisplayWish(True, self._box(videos[0], ratio, zoomable=True), "main", PROTECTED_PRIORITY + 1)
            else:
                priority = PROTECTED_PRIORITY if cid == self._selected else len(visible) - order
                wish = DisplayWish(True, self._box(videos[positions[cid]], ratio), "sub", priority)
            wishes[cid] = wish
        for cid in self._cameras:
            wish = wishes.get(cid, DisplayWish(visible=False))
            if self._sent.get(cid) != wish:
                self._sent[cid] = wish
                self._control.set_display(cid, wish)

    @staticmethod
    def _box(rect: QRect, ratio: float, zoomable: bool = False) -> tuple[int, int]:
        scale = ratio * (2.0 if zoomable else 1.0)  # solo view keeps detail for the digital zoom
        return max(16, int(rect.width() * scale)), max(16, int(rect.height() * scale))

    # ---- refresh --------------------------------------------------------------------------------------

    def _on_tick(self) -> None:
        now = time.perf_counter()
        if self._last_tick:
            self.tick_intervals.append((now - self._last_tick) * 1000)
        self._last_tick = now
        visible = self.visible_cameras()
        if not visible:
            return
        changed = self._frames.changed_since({cid: self._seen.get(cid, -1) for cid in visible})
        if not changed:
            return
        if self._solo is not None:
            self._take_pictures(changed)
            self.update(self._layout_rects()[0][1])
            return
        rects = self._layout_rects()
        positions = self._positions()
        before = self._take_pictures(changed)
        region = QRegion()
        fast: list[tuple[int, int, QRect, QPoint]] = []
        for cid, (width, height) in before.items():
            index = positions[cid]
            picture = self._pictures[cid]
            found = None
            if (picture.width, picture.height) == (width, height):
                found = self._picture_area(index, rects[index][1], width, height)
            if found is not None:
                # Same size as the picture it replaces: only the picture changed, not the bars beside it nor
                # the label bar.
                area, corner = found
                fast.append((cid, index, area, corner))
                region += area
            else:
                fast = []
                region = QRegion()
                for other in before:
                    region += rects[positions[other]][1]
                break
        self._fast = (region, fast) if fast else None
        self.update(region)

    def _picture_area(self, index: int, video: QRect, width: int, height: int) -> tuple[QRect, QPoint] | None:
        """Where a tile's picture of this size is drawn 1:1 (None until a full paint has planned it)."""
        key = (self._rect_cache[0], index, width, height)
        found = self._areas.get(key)
        if found is None:
            plan = self._placement.get((video.x(), video.y(), video.width(), video.height(), width, height))
            if plan is None:
                return None
            if len(self._areas) >= _AREA_CACHE_LIMIT:
                self._areas.clear()
            found = self._areas[key] = (QRect(plan[0], QSize(width, height)), plan[0])
        return found

    def _take_pictures(self, changed: dict[int, Frame]) -> dict[int, tuple[int, int]]:
        """Keep the new pictures; returns each camera's previous picture size ((0, 0) for none)."""
        before = {}
        for cid, frame in changed.items():
            self._seen[cid] = frame.seq
            self.pictures_shown[cid] += 1
            old = self._pictures.get(cid)
            before[cid] = (old.width, old.height) if old is not None else (0, 0)
            pixels = frame.image
            made = self._made.get(cid) if self._reuse else None
            picture = made.get(id(pixels)) if made is not None else None
            if picture is None or picture.pixels is not pixels:
                height, width = pixels.shape[:2]
                qimage = QImage(pixels.data, width, height, pixels.strides[0], QImage.Format.Format_RGB32)
                picture = _Picture(pixels, qimage, width, height)
                if self._reuse:
                    if made is None:
                        made = self._made[cid] = {}
                    elif len(made) >= _PICTURES_KEPT:
                        del made[next(iter(made))]  # the oldest: of a slot given up since
                    made[id(pixels)] = picture
            self._pictures[cid] = picture
        return before

    def _drop_pictures(self, camera_id: int) -> None:
        """Let go of a camera's pictures (and so of the memory they point into)."""
        self._pictures.pop(camera_id, None)
        self._made.pop(camera_id, None)

    def _positions(self) -> dict[int, int]:
        """Tile index of each camera on the current page."""
        return {cid: i for i, cid in enumerate(self._page_slots()) if cid is not None}

    def _camera_rect(self, camera_id: int) -> QRect:
        if self._solo is not None:
            return self.rect() if camera_id == self._solo else QRect()
        index = self._positions().get(camera_id)
        return self.tile_rect(index) if index is not None else QRect()

    def _update_camera(self, camera_id: int) -> None:
        rect = self._camera_rect(camera_id)
        if not rect.isEmpty():
            self.update(rect)

    def _refresh_stats(self) -> None:
        # Each visible tile's figures are refreshed once a second, an eighth of them every 125 ms, so the label
        # bars that change are redrawn a few at a time instead of all in one paint (a stall with 128 tiles).
        visible = self.visible_cameras()
        if not visible:
            return
        turn = self._stats_turn
        self._stats_turn = (turn + 1) % STATS_SLICES
        rects = self._layout_rects()
        positions = self._positions()
        for cid in visible[turn::STATS_SLICES]:
            stats = self._control.stats(cid)
            if stats.state is StreamState.STOPPED:
                continue
            before = self._states.get(cid)
            self._states[cid] = stats
            if before is None or self._bar_key_part(before) != self._bar_key_part(stats):
                index = 0 if self._solo is not None else positions.get(cid)
                if index is not None:
                    self.update(rects[index][2])

    def _bar_key_part(self, stats: StreamStats) -> tuple[object, ...]:
        """What of the stats the label bar shows (fps only where the bar is wide enough to show it)."""
        return (stats.state, round(stats.fps) if self._bar_shows_fps() else None, stats.decode_mode)

    def _bar_shows_fps(self) -> bool:
        rects = self._layout_rects()
        return bool(rects) and rects[0][2].width() >= BAR_FPS_MIN_WIDTH

    # ---- painting ---------------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        started = time.perf_counter()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._solo is not None)
        clip = event.region()
        fast, self._fast = self._fast, None
        if fast is not None and clip == fast[0]:
            # Only new pictures of the same size as before (the usual 25 times a second): copy them and their
            # marks, nothing else in the tiles changed.
            rects = self._layout_rects()
            for cid, index, area, corner in fast[1]:
                picture = self._pictures.get(cid)
                if picture is None:
                    continue
                painter.setClipRect(area)
                painter.drawImage(corner, picture.image)
                video = rects[index][1]
                marks = self._marks(cid, video, index, self.state(cid), has_picture=True)
                if marks is not None:
                    painter.drawImage(video.topLeft(), marks)
            painter.end()
            self.paints += 1
            self.paint_ms.append((time.perf_counter() - started) * 1000)
            return
        covered = QRegion()
        slots = [self._solo] if self._solo is not None else self._page_slots()
        for index, (rect, video, bar) in enumerate(self._layout_rects()):
            if clip.intersects(rect):
                self._paint_tile(painter, clip, rect, video, bar, slots[index] if index < len(slots) else None, index)
                covered += rect
        gaps = clip.subtracted(covered)
        if not gaps.isEmpty():
            painter.setClipRegion(gaps)
            painter.fillRect(gaps.boundingRect(), _BG)
        painter.end()
        self.paints += 1
        self.paint_ms.append((time.perf_counter() - started) * 1000)

    def _layout_rects(self) -> list[tuple[QRect, QRect, QRect]]:
        """(tile, video area, label bar) per tile; the bar is an opaque strip under the video."""
        key = (self._solo is not None, self._tiles, self.width(), self.height())
        if self._rect_cache[0] != key:
            rects = []
            for r in self._rects():
                tile = QRect(r.x, r.y, r.width, r.height)
                bar_h = self._bar_height(tile)
                video = QRect(r.x, r.y, r.width, max(1, r.height - bar_h))
                bar = QRect(r.x, r.y + video.height(), r.width, r.height - video.height())
                rects.append((tile, video, bar))
            self._rect_cache = (key, rects)
        return self._rect_cache[1]

    def _qrects(self) -> list[QRect]:
        return [tile for tile, _video, _bar in self._layout_rects()]

    def _paint_tile(
        self, painter: QPainter, clip: QRegion, rect: QRect, video: QRect, bar: QRect, camera_id: int | None, index: int
    ) -> None:
        # A new frame repaints only the video area: one plain copy of a picture the worker already scaled, plus
        # marks (badges, state text) only where there are any. The label bar is a cached image redrawn when its
        # text changes. Few Qt calls matter: each can wait for the GIL behind the stream threads.
        # A clip of one rectangle: the update region of many tiles as the clip would send every copy below down
        # Qt's span-by-span path, about six times slower than the plain row copy a rectangle allows.
        painter.setClipRect(rect)
        if camera_id is None:
            painter.fillRect(rect, _TILE_BG)
            self._paint_empty(painter, rect, index)
            return
        stats = self.state(camera_id)
        picture = self._pictures.get(camera_id)
        if clip.intersects(video):
            if picture is None:
                painter.fillRect(video, _TILE_BG)
            else:
                self._paint_picture(painter, video, picture.image)
            marks = self._marks(camera_id, video, index, stats, has_picture=picture is not None)
            if marks is not None:
                painter.drawImage(video.topLeft(), marks)
        if clip.intersects(bar):
            painter.drawImage(bar.topLeft(), self._bar(camera_id, bar, stats))

    def _bar(self, camera_id: int, bar: QRect, stats: StreamStats) -> QImage:
        camera = self._cameras.get(camera_id)
        key = (
            bar.width(),
            bar.height(),
            camera.name if camera else "",
            *self._bar_key_part(stats),
            camera_id == self._selected,
        )
        cached = self._bars.get(camera_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        image = QImage(bar.width(), bar.height(), QImage.Format.Format_RGB32)
        image.fill(_BAR_SELECTED if camera_id == self._selected else _BAR_BG)
        painter = QPainter(image)
        self._paint_bar(painter, QRect(0, 0, bar.width(), bar.height()), camera_id, stats)
        painter.end()
        self._bars[camera_id] = (key, image)
        return image

    def _marks(
        self, camera_id: int, video: QRect, index: int, stats: StreamStats, *, has_picture: bool
    ) -> QImage | None:
        camera = self._cameras.get(camera_id)
        zoomed = self._solo is not None and self._zoom > 1.0
        status = not has_picture or stats.state is not StreamState.LIVE
        demo = camera is not None and camera.demo
        recording = camera_id in self._recording
        selected = camera_id == self._selected and self._solo is None
        dropping = index == self._drop_tile
        if not (status or demo or recording or selected or dropping or zoomed):
            return None
        key = (
            video.width(),
            video.height(),
            stats.state,
            stats.message,
            has_picture,
            demo,
            recording,
            self._recording_notes.get(camera_id, ""),
            selected,
            dropping,
            round(self._zoom, 2) if zoomed else 1.0,
        )
        cached = self._overlays.get(camera_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        image = QImage(video.width(), video.height(), QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self._paint_marks(
            painter,
            QRect(0, 0, video.width(), video.height()),
            camera_id,
            stats,
            has_picture=has_picture,
            selected=selected,
            dropping=dropping,
        )
        painter.end()
        self._overlays[camera_id] = (key, image)
        return image

    @staticmethod
    def _bar_height(rect: QRect) -> int:
        return max(12, min(24, int(rect.height() * 0.12)))

    def _paint_empty(self, painter: QPainter, rect: QRect, index: int) -> None:
        if index == self._drop_tile:
            painter.fillRect(rect, QColor(47, 129, 247, 60))
        if rect.width() < 90:
            return
        painter.setPen(_EMPTY_FG)
        painter.setFont(self._font(rect, 0.09))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.tr("Drag a camera here"))

    def _paint_picture(self, painter: QPainter, rect: QRect, image: QImage) -> None:
        """Draw the picture fitted into rect, filling any bars beside it."""
        zoomed = self._solo is not None and self._zoom > 1.0
        key = (rect.x(), rect.y(), rect.width(), rect.height(), image.width(), image.height())
        if not zoomed and (plan := self._placement.get(key)) is not None:
            # The usual case, planned once per tile and picture size: a plain copy and the bars beside it.
            corner, bars = plan
            for bar in bars:
                painter.fillRect(bar, _TILE_BG)
            painter.drawImage(corner, image)
            return
        src = QRectF(0, 0, image.width(), image.height())
        if zoomed:
            w, h = src.width() / self._zoom, src.height() / self._zoom
            cx, cy = self._zoom_center.x() * src.width(), self._zoom_center.y() * src.height()
            src = QRectF(cx - w / 2, cy - h / 2, w, h)
        size = QSize(int(src.width()), int(src.height())).scaled(rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
        short_w, short_h = size.width() - image.width(), size.height() - image.height()
        if not zoomed and 0 <= short_w <= NEAR_FIT_PX and 0 <= short_h <= NEAR_FIT_PX:
            # The worker scaled the picture for this tile (its width rounded down to whole 64-byte rows): drawn
            # 1:1, centred, instead of stretched by a few pixels, which cost a scaling blit per frame.
            size = image.size()
        target = QRect(QPoint(0, 0), size)
        target.moveCenter(rect.center())
        bars = _bars_beside(rect, target)
        for bar in bars:
            painter.fillRect(bar, _TILE_BG)
        if not zoomed and src.size() == QSizeF(target.size()):
            if len(self._placement) >= _AREA_CACHE_LIMIT:
                self._placement.clear()
            self._placement[key] = (target.topLeft(), bars)
            painter.drawImage(target.topLeft(), image)  # already scaled by the worker: a plain copy
        else:
            painter.drawImage(QRectF(target), image, src)

    def _font(self, rect: QRect, share: float, minimum: int = 7, maximum: int = 15) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(int(max(minimum, min(maximum, rect.height() * share))))
        return font

    def _state_text(self, stats: StreamStats) -> str:
        state = stats.state
        if state is StreamState.CONNECTING:
            return self.tr("Connecting…")
        if state is StreamState.RECONNECTING:
            return self.tr("Reconnecting…")
        if state is StreamState.OFFLINE:
            return self.tr("Offline")
        if state is StreamState.UNAUTHORIZED:
            return self.tr("Wrong camera user name or password")
        if state is StreamState.LOGIN_MISSING:
            return self.tr("Camera login missing: enter its password in Camera settings")
        if state is StreamState.UNSUPPORTED:
            return self.tr("Unsupported video codec")
        if state is StreamState.ERROR:
            return self.tr("Error")
        if state is StreamState.STOPPED:
            return self.tr("Stopped")
        return self.tr("Live")

    def _paint_bar(self, painter: QPainter, bar: QRect, camera_id: int, stats: StreamStats) -> None:
        camera = self._cameras.get(camera_id)
        name = camera.name if camera else str(camera_id)
        color = _STATE_COLORS.get(stats.state, _TEXT)
        painter.setFont(self._font(bar, 0.62, minimum=7, maximum=13))
        dot = max(5, bar.height() // 3)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawEllipse(bar.left() + 5, bar.center().y() - dot // 2, dot, dot)
        text_rect = bar.adjusted(dot + 9, 0, -4, 0)
        painter.setPen(_TEXT)
        right = ""
        if bar.width() >= BAR_FPS_MIN_WIDTH and stats.state is StreamState.LIVE:
            right = self.tr("%1 fps").replace("%1", f"{stats.fps:.0f}")
            if stats.decode_mode.value == "keyframes":
                right = self.tr("key frames") + " · " + right
        if right:
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, right)
            text_rect.setRight(text_rect.right() - painter.fontMetrics().horizontalAdvance(right) - 8)
        elided = painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideRight, max(0, text_rect.width()))
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)

    def _paint_marks(
        self,
        painter: QPainter,
        rect: QRect,
        camera_id: int,
        stats: StreamStats,
        *,
        has_picture: bool,
        selected: bool,
        dropping: bool,
    ) -> None:
        camera = self._cameras.get(camera_id)
        small = rect.width() < 160
        if not has_picture or stats.state is not StreamState.LIVE:
            if has_picture:
                painter.fillRect(rect, QColor(0, 0, 0, 140))  # dim the frozen last picture
            painter.setPen(_STATE_COLORS.get(stats.state, _TEXT))
            painter.setFont(self._font(rect, 0.09, maximum=22))
            text = self._state_text(stats)
            if stats.state in (StreamState.ERROR, StreamState.OFFLINE, StreamState.RECONNECTING) and not small:
                detail = stats.message.split(";")[0]
                text = f"{text}\n{detail}" if detail else text
            painter.drawText(rect.adjusted(6, 6, -6, -6), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        if camera is not None and camera.demo and not small:
            badge = self.tr("DEMO")
            painter.setFont(self._font(rect, 0.07, maximum=12))
            w = painter.fontMetrics().horizontalAdvance(badge) + 10
            h = painter.fontMetrics().height() + 4
            box = QRect(rect.left() + 6, rect.top() + 6, w, h)
            painter.fillRect(box, QColor(210, 153, 34, 220))
            painter.setPen(QColor("#0b0e13"))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, badge)
        right_margin = 8
        if camera_id in self._recording:
            radius = max(4, min(8, rect.height() // 25))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#f85149"))
            painter.drawEllipse(QPoint(rect.right() - radius - 6, rect.top() + radius + 6), radius, radius)
            right_margin = 2 * radius + 12  # the zoom factor goes left of the recording dot
            note = self._recording_notes.get(camera_id, "")
            if note and not small:
                painter.setFont(self._font(rect, 0.045, minimum=10, maximum=13))
                metrics = painter.fontMetrics()
                w, h = metrics.horizontalAdvance(note) + 10, metrics.height() + 2
                box = QRect(rect.right() - right_margin - w + 4, rect.top() + radius + 6 - h // 2, w, h)
                painter.fillRect(box, QColor(11, 14, 19, 170))
                painter.setPen(QColor("#ffb3ad"))
                painter.drawText(box, Qt.AlignmentFlag.AlignCenter, note)
                right_margin += w + 2
        if self._solo is not None and self._zoom > 1.0:
            painter.setPen(_TEXT)
            painter.setFont(self._font(rect, 0.03, maximum=14))
            painter.drawText(
                rect.adjusted(8, 8, -right_margin, -8),
                Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignRight,
                f"{self._zoom:.1f}×",
            )
        if selected:
            painter.setPen(QColor("#2f81f7"))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if dropping:
            painter.fillRect(rect, QColor(47, 129, 247, 60))

    # ---- input ------------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self._tile_index_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton:
            if index is not None and (cid := self.tile_camera(index)) is not None:
                self.select(cid)
            if self._solo is not None and self._zoom > 1.0:
                self._pan_from = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and self._solo is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            scale = self._zoom * max(1, self.width())
            self._zoom_center -= QPointF(delta.x() / scale, delta.y() * self.width() / max(1, self.height()) / scale)
            self._clamp_center()
            self.update()
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._pan_from = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._solo is not None:
            self.show_solo(None)
            return
        index = self._tile_index_at(event.position())
        if index is not None and (cid := self.tile_camera(index)) is not None:
            self.show_solo(cid)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if self._solo is None:
            super().wheelEvent(event)
            return
        steps = event.angleDelta().y() / 120
        factor = self._zoom * (1.25**steps)
        pos = event.position()
        rect = self.rect()
        # Zoom toward the cursor: move the centre part of the way to the point under it.
        fx = self._zoom_center.x() + (pos.x() / max(1, rect.width()) - 0.5) / self._zoom
        fy = self._zoom_center.y() + (pos.y() / max(1, rect.height()) - 0.5) / self._zoom
        self.set_zoom(factor, QPointF(fx, fy) if steps > 0 else None)
        event.accept()

    def _clamp_center(self) -> None:
        half = 0.5 / self._zoom
        self._zoom_center = QPointF(
            min(1 - half, max(half, self._zoom_center.x())), min(1 - half, max(half, self._zoom_center.y()))
        )

    def _ptz_key(self, event: QKeyEvent, pressed: bool) -> bool:
        if self._solo is None or self.ptz is None:
            return False
        if event.isAutoRepeat():  # a held key: the camera keeps moving until the release
            return event.key() in PTZ_KEYS and self.ptz.active
        return self.ptz.handle_key(event.key(), pressed)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if self._ptz_key(event, False):
            event.accept()
            return
        super().keyReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._ptz_key(event, True):
            event.accept()
            return
        key = event.key()
        if key == Qt.Key.Key_Escape and self._solo is not None:
            self.show_solo(None)
        elif key == Qt.Key.Key_PageDown:
            self.next_page()
        elif key == Qt.Key.Key_PageUp:
            self.previous_page()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._selected is not None and self._solo is None:
            self.show_solo(self._selected)
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        index = self._tile_index_at(event.pos())
        cid = self.tile_camera(index) if index is not None else None
        if cid is None:
            return
        menu = QMenu(self)
        if self._solo is None:
            menu.addAction(self.tr("Full screen"), lambda: self.show_solo(cid))
        else:
            menu.addAction(self.tr("Back to the wall"), lambda: self.show_solo(None))
        snap = menu.addAction(self.tr("Save snapshot"), lambda: self.save_snapshot(cid))
        snap.setEnabled(cid in self._pictures and self.snapshot_dir is not None)
        if self._solo is None:
            menu.addAction(self.tr("Clear tile"), lambda: self._clear_slot(cid))
        menu.exec(event.globalPos())

    def _clear_slot(self, camera_id: int) -> None:
        self._slots = [None if c == camera_id else c for c in self._slots]
        self._changed()

    def place_camera(self, camera_id: int, tile_index: int) -> None:
        """Put a camera in a tile of the current page (swapping with where it was)."""
        if camera_id not in self._cameras or self._solo is not None:
            return
        target = self._page * self._tiles + tile_index
        while len(self._slots) <= target:
            self._slots.append(None)
        if camera_id in self._slots:
            source = self._slots.index(camera_id)
            self._slots[source], self._slots[target] = self._slots[target], camera_id
        else:
            self._slots[target] = camera_id
        self._changed()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if decode_camera_ids(event.mimeData()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        index = self._tile_index_at(event.position())
        if index != self._drop_tile:
            self._drop_tile = index
            self.update()
        if index is not None and decode_camera_ids(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: object) -> None:
        self._drop_tile = None
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        index = self._tile_index_at(event.position())
        self._drop_tile = None
        ids = decode_camera_ids(event.mimeData())
        if index is None or not ids:
            event.ignore()
            self.update()
            return
        for offset, cid in enumerate(ids):
            if index + offset < self._tiles:
                self.place_camera(cid, index + offset)
        event.acceptProposedAction()

    # ---- visibility ---------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self._shown = True
        self._push_display()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self._shown = False
        self._push_display()
        super().hideEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._push_display()
        super().resizeEvent(event)

    def release(self) -> None:
        """Stop timers and tell the engine nothing is shown any more."""
        self._refresh.stop()
        self._stats_timer.stop()
        self._cycle.stop()
        self._shown = False
        self._push_display()
