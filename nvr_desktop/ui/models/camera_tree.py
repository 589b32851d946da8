"""The camera tree beside the wall: groups of cameras, each draggable onto a wall tile."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QCoreApplication, QMimeData, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel

from nvr_desktop.core.models import Camera
from nvr_desktop.media.state import StreamState, StreamStats

#: The drag payload: ASCII camera ids separated by commas ("3" or "3,7").
CAMERA_MIME_TYPE = "application/x-nvr-camera-id"
#: Item data roles of the tree's items.
CAMERA_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CAMERA_ENABLED_ROLE = Qt.ItemDataRole.UserRole + 2
IS_GROUP_ROLE = Qt.ItemDataRole.UserRole + 3

_DISABLED_COLOR = QColor("#7d8590")
_ENABLED_COLOR = QColor("#3fb950")
_WARN_COLOR = QColor("#d29922")
_ERROR_COLOR = QColor("#f85149")


def encode_camera_ids(camera_ids: Iterable[int]) -> QMimeData:
    """Mime data carrying camera ids."""
    payload = ",".join(str(int(i)) for i in camera_ids)
    mime = QMimeData()
    mime.setData(CAMERA_MIME_TYPE, payload.encode("ascii"))
    return mime


def decode_camera_ids(mime: QMimeData) -> list[int]:
    """The camera ids of a drag, in order, without duplicates; [] for anything else."""
    if not mime.hasFormat(CAMERA_MIME_TYPE):
        return []
    raw = bytes(mime.data(CAMERA_MIME_TYPE).data()).decode("ascii", errors="replace")
    ids: list[int] = []
    for part in raw.split(","):
        text = part.strip()
        if text.isdigit() and int(text) > 0 and int(text) not in ids:
            ids.append(int(text))
    return ids


def _recording_icon() -> QIcon:
    """A red dot, the mark of a camera that records (as on its wall tile)."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(_ERROR_COLOR)
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


def _state_label(state: StreamState) -> tuple[str, QColor]:
    labels = {
        StreamState.LIVE: (QCoreApplication.translate("CameraTreeModel", "Live"), _ENABLED_COLOR),
        StreamState.CONNECTING: (QCoreApplication.translate("CameraTreeModel", "Connecting"), _WARN_COLOR),
        StreamState.RECONNECTING: (QCoreApplication.translate("CameraTreeModel", "Reconnecting"), _WARN_COLOR),
        StreamState.OFFLINE: (QCoreApplication.translate("CameraTreeModel", "Offline"), _DISABLED_COLOR),
        StreamState.UNAUTHORIZED: (QCoreApplication.translate("CameraTreeModel", "Unauthorized"), _ERROR_COLOR),
        StreamState.LOGIN_MISSING: (QCoreApplication.translate("CameraTreeModel", "Login missing"), _ERROR_COLOR),
        StreamState.UNSUPPORTED: (QCoreApplication.translate("CameraTreeModel", "Unsupported"), _ERROR_COLOR),
        StreamState.ERROR: (QCoreApplication.translate("CameraTreeModel", "Error"), _ERROR_COLOR),
        StreamState.STOPPED: (QCoreApplication.translate("CameraTreeModel", "Stopped"), _DISABLED_COLOR),
    }
    return labels[state]


class CameraTreeModel(QStandardItemModel):
    """Two columns (camera, status); top-level rows are groups, their children cameras."""

    NAME_COLUMN, STATUS_COLUMN = 0, 1

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels([self.tr("Camera"), self.tr("Status")])
        self._cameras: dict[int, Camera] = {}
        self._states: dict[int, StreamStats] = {}  # the last state of each camera, kept across reloads
        self._recording: dict[int, str] = {}  # camera id -> the recording's tooltip
        self._recording_icon: QIcon | None = None

    def set_cameras(self, cameras: Sequence[Camera]) -> None:
        """Replace the tree's content with these cameras (one group, 'All cameras', for now)."""
        self.removeRows(0, self.rowCount())
        self._cameras = {c.id: c for c in cameras}
        group = self._group_row(self.tr("All cameras"), len(cameras))
        for camera in cameras:
            group[0].appendRow(self._camera_row(camera))
        self.appendRow(group)
        for camera in cameras:
            stats = self._states.get(camera.id)
            if stats is not None and camera.enabled:
                self.set_stream_state(camera.id, stats)
            elif camera.id in self._recording:
                self._show_recording(camera.id)

    def forget_state(self, camera_id: int) -> None:
        """Drop what is known of a camera's connection (it was disconnected)."""
        self._states.pop(camera_id, None)

    def set_stream_state(self, camera_id: int, stats: StreamStats) -> None:
        """Show a camera's connection state in its status column."""
        self._states[camera_id] = stats
        label, color = _state_label(stats.state)
        for status in self._status_items(camera_id):
            status.setText(label)
            status.setForeground(QBrush(color))
            status.setToolTip(stats.message)
        self._show_recording(camera_id)

    def set_recording(self, camera_id: int, on: bool, tip: str = "") -> None:
        """Mark a camera that records with a red dot before its state, and say how in the tooltip (the column stays
        narrow, so the names keep their room)."""
        wanted = tip if on else None
        if self._recording.get(camera_id) == wanted:
            return
        if wanted is None:
            self._recording.pop(camera_id, None)
        else:
            self._recording[camera_id] = wanted
        stats = self._states.get(camera_id)
        if stats is not None:
            self.set_stream_state(camera_id, stats)
        else:
            camera = self._cameras.get(camera_id)
            for status in self._status_items(camera_id):
                enabled = camera is None or camera.enabled
                status.setText(self.tr("Enabled") if enabled else self.tr("Disabled"))
                status.setToolTip(self._drag_tip(camera_id))
            self._show_recording(camera_id)

    def status_of(self, camera_id: int) -> QStandardItem | None:
        """The status column's item of a camera (its text, tooltip and recording dot)."""
        items = self._status_items(camera_id)
        return items[0] if items else None

    def _show_recording(self, camera_id: int) -> None:
        recording = self._recording.get(camera_id)
        if recording is not None and self._recording_icon is None:
            self._recording_icon = _recording_icon()
        for status in self._status_items(camera_id):
            if recording is None:
                status.setIcon(QIcon())
                continue
            if self._recording_icon is not None:
                status.setIcon(self._recording_icon)
            status.setToolTip("\n".join(t for t in (recording, status.toolTip()) if t))

    def _status_items(self, camera_id: int) -> list[QStandardItem]:
        found = []
        for group_row in range(self.rowCount()):
            group = self.item(group_row, self.NAME_COLUMN)
            for row in range(group.rowCount()):
                if group.child(row, self.NAME_COLUMN).data(CAMERA_ID_ROLE) == camera_id:
                    found.append(group.child(row, self.STATUS_COLUMN))
        return found

    def camera(self, camera_id: int) -> Camera | None:
        """The camera with this id, when it is in the tree."""
        return self._cameras.get(camera_id)

    def camera_ids(self) -> list[int]:
        """Ids of every camera in the tree, in tree order (a camera in several groups counts once)."""
        ids: list[int] = []
        for group_row in range(self.rowCount()):
            group = self.item(group_row, self.NAME_COLUMN)
            for row in range(group.rowCount()):
                camera_id = group.child(row, self.NAME_COLUMN).data(CAMERA_ID_ROLE)
                if isinstance(camera_id, int) and camera_id not in ids:
                    ids.append(camera_id)
        return ids

    def _group_row(self, title: str, count: int) -> list[QStandardItem]:
        name = QStandardItem(title)
        font = QFont(name.font())
        font.setBold(True)
        name.setFont(font)
        count_item = QStandardItem(str(count))
        count_item.setForeground(QBrush(_DISABLED_COLOR))
        for item in (name, count_item):
            item.setData(True, IS_GROUP_ROLE)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return [name, count_item]

    def _camera_row(self, camera: Camera) -> list[QStandardItem]:
        name = QStandardItem(camera.name)
        status = QStandardItem(self.tr("Enabled") if camera.enabled else self.tr("Disabled"))
        status.setForeground(QBrush(_ENABLED_COLOR if camera.enabled else _DISABLED_COLOR))
        if not camera.enabled:
            name.setForeground(QBrush(_DISABLED_COLOR))
            font = QFont(name.font())
            font.setItalic(True)
            name.setFont(font)
        tip = self._drag_tip(camera.id)
        for item in (name, status):
            item.setData(camera.id, CAMERA_ID_ROLE)
            item.setData(camera.enabled, CAMERA_ENABLED_ROLE)
            item.setData(False, IS_GROUP_ROLE)
            item.setToolTip(tip)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
        return [name, status]

    def _drag_tip(self, camera_id: int) -> str:
        return self.tr("Camera %1 — drag it onto a wall tile").replace("%1", str(camera_id))

    # ---- drag support ------------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        """The one format the tree drags: camera ids."""
        return [CAMERA_MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The ids of the dragged cameras (groups carry none)."""
        ids: list[int] = []
        for index in indexes:
            camera_id = index.data(CAMERA_ID_ROLE)
            if isinstance(camera_id, int) and camera_id not in ids:
                ids.append(camera_id)
        return encode_camera_ids(ids)

    def supportedDragActions(self) -> Qt.DropAction:
        """Dragging a camera copies it onto the wall; it stays in the tree."""
        return Qt.DropAction.CopyAction
