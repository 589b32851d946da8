"""Table models of the event panel: events (with snapshot thumbnails) and alerts (pending ones highlighted)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImageReader, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from nvr_desktop.core.models import Alert, AlertState, Event, EventState, Severity

ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
THUMB_SIZE = QSize(96, 54)
SEVERITY_COLOURS = {
    Severity.INFO: QColor(52, 152, 219, 70),
    Severity.WARNING: QColor(241, 196, 15, 90),
    Severity.CRITICAL: QColor(231, 76, 60, 110),
}

_Index = QModelIndex | QPersistentModelIndex


def event_state_label(state: EventState) -> str:
    """An event state as shown to users."""
    if state is EventState.NEW:
        return QCoreApplication.translate("EventLabels", "New")
    if state is EventState.ACKNOWLEDGED:
        return QCoreApplication.translate("EventLabels", "Acknowledged")
    return QCoreApplication.translate("EventLabels", "Resolved")


def alert_state_label(state: AlertState) -> str:
    """An alert state as shown to users."""
    if state is AlertState.PENDING:
        return QCoreApplication.translate("EventLabels", "Pending")
    if state is AlertState.ACKNOWLEDGED:
        return QCoreApplication.translate("EventLabels", "Acknowledged")
    return QCoreApplication.translate("EventLabels", "Resolved")


def severity_label(severity: Severity) -> str:
    """A severity as shown to users."""
    if severity is Severity.CRITICAL:
        return QCoreApplication.translate("EventLabels", "Critical")
    if severity is Severity.WARNING:
        return QCoreApplication.translate("EventLabels", "Warning")
    return QCoreApplication.translate("EventLabels", "Info")


class HighlightDelegate(QStyledItemDelegate):
    """Paints the model's BackgroundRole under the item: the theme styles ::item, and a style sheet that does
    ignores the model's background colours."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        brush = index.data(Qt.ItemDataRole.BackgroundRole)
        if isinstance(brush, QBrush) and not option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, brush)
        super().paint(painter, option, index)


class ThumbnailCache:
    """Snapshot thumbnails decoded at thumbnail size (JPEG decodes scaled, so a 1080p snapshot costs little) and
    kept for the most recent `capacity` files."""

    def __init__(self, root: Path, capacity: int = 512, size: QSize = THUMB_SIZE) -> None:
        self.root = root
        self.size = size
        self._capacity = capacity
        self._cache: OrderedDict[str, QPixmap] = OrderedDict()

    def get(self, relative: str) -> QPixmap:
        """The thumbnail of a snapshot (relative to the event snapshots folder); an empty pixmap if unreadable."""
        found = self._cache.get(relative)
        if found is not None:
            self._cache.move_to_end(relative)
            return found
        reader = QImageReader(str(self.root / relative))
        reader.setAutoTransform(True)
        original = reader.size()
        if original.isValid():
            reader.setScaledSize(original.scaled(self.size, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        pixmap = QPixmap.fromImage(image) if not image.isNull() else QPixmap()
        self._cache[relative] = pixmap
        if len(self._cache) > self._capacity:
            self._cache.popitem(last=False)
        return pixmap


def _prepend_rows(model: QAbstractTableModel, rows: list[Any], new: Sequence[Any], limit: int) -> None:
    """Insert new rows (newest first) on top of a table model's row list, keeping at most limit rows."""
    if not new:
        return
    model.beginInsertRows(QModelIndex(), 0, len(new) - 1)
    rows[0:0] = list(new)
    model.endInsertRows()
    if len(rows) > limit:
        model.beginRemoveRows(QModelIndex(), limit, len(rows) - 1)
        del rows[limit:]
        model.endRemoveRows()


class EventTableModel(QAbstractTableModel):
    """Events, newest first: thumbnail, time, camera, device, score, labels, state."""

    COLUMNS = ("snapshot", "time", "camera", "device", "score", "labels", "state", "note")

    def __init__(
        self,
        thumbnails: ThumbnailCache,
        camera_name: Callable[[int | None], str],
        time_text: Callable[[Any], str],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._thumbnails = thumbnails
        self._camera_name = camera_name
        self._time_text = time_text
        self.events: list[Event] = []
        self.alerted: dict[int, Severity] = {}  # event id → severity of a pending alert it belongs to

    def set_events(self, events: Sequence[Event], alerted: dict[int, Severity]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self.events = list(events)
        self.alerted = dict(alerted)
        self.endResetModel()

    def prepend(self, events: Sequence[Event], limit: int) -> None:
        """Put new events (newest first) on top, keeping at most limit rows; the selection stays on its row."""
        _prepend_rows(self, self.events, events, limit)

    def mark_alerted(self, event_ids: Sequence[int], severity: Severity) -> None:
        """Colour the rows of a new pending alert's events (the most severe pending alert wins)."""
        order = list(Severity)
        changed = False
        for event_id in event_ids:
            known = self.alerted.get(event_id)
            if known is None or order.index(severity) > order.index(known):
                self.alerted[event_id] = severity
                changed = True
        if changed and self.events:
            wanted = set(event_ids)
            rows = [row for row, event in enumerate(self.events) if event.id in wanted]
            if rows:
                last = len(self.COLUMNS) - 1
                self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's name and default)
        return 0 if parent.isValid() else len(self.events)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Snapshot"),
            self.tr("Time"),
            self.tr("Camera"),
            self.tr("Device"),
            self.tr("Score"),
            self.tr("Labels"),
            self.tr("State"),
            self.tr("Note"),
        )
        return titles[section]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        event = self.events[index.row()]
        column = self.COLUMNS[index.column()]
        if role == ROW_ID_ROLE:
            return event.id
        if role == Qt.ItemDataRole.DecorationRole and column == "snapshot":
            return self._thumbnails.get(event.snapshot)
        if role == Qt.ItemDataRole.SizeHintRole and column == "snapshot":
            return QSize(self._thumbnails.size.width() + 8, self._thumbnails.size.height() + 6)
        if role == Qt.ItemDataRole.BackgroundRole and event.id in self.alerted:
            return QBrush(SEVERITY_COLOURS[self.alerted[event.id]])
        if role == Qt.ItemDataRole.FontRole and event.state is EventState.NEW:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == "state":
            notes = [n for n in (event.ack_note, event.resolve_note) if n]
            return "\n".join(notes) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == "time":
            return self._time_text(event.captured_at)
        if column == "camera":
            return self._camera_name(event.camera_id)
        if column == "device":
            return event.device_id
        if column == "score":
            return f"{event.score:.2f}"
        if column == "labels":
            return ", ".join(event.labels)
        if column == "state":
            who = event.resolved_by if event.state is EventState.RESOLVED else event.acked_by
            return event_state_label(event.state) + (f" ({who})" if who else "")
        if column == "note":
            return (event.resolve_note or event.ack_note or "").replace("\n", " ")
        return None


class AlertTableModel(QAbstractTableModel):
    """Alerts, newest first: time, severity, rule, camera, device, detections, state; pending rows coloured."""

    COLUMNS = ("time", "severity", "rule", "camera", "device", "detections", "state", "note")

    def __init__(
        self, camera_name: Callable[[int | None], str], time_text: Callable[[Any], str], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._camera_name = camera_name
        self._time_text = time_text
        self.alerts: list[Alert] = []

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self.alerts = list(alerts)
        self.endResetModel()

    def prepend(self, alerts: Sequence[Alert], limit: int) -> None:
        """Put new alerts (newest first) on top, keeping at most limit rows."""
        _prepend_rows(self, self.alerts, alerts, limit)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.alerts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is not Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = (
            self.tr("Time"),
            self.tr("Severity"),
            self.tr("Rule"),
            self.tr("Camera"),
            self.tr("Device"),
            self.tr("Detections"),
            self.tr("State"),
            self.tr("Note"),
        )
        return titles[section]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        alert = self.alerts[index.row()]
        column = self.COLUMNS[index.column()]
        if role == ROW_ID_ROLE:
            return alert.id
        if role == Qt.ItemDataRole.BackgroundRole and alert.state is AlertState.PENDING:
            return QBrush(SEVERITY_COLOURS[alert.severity])
        if role == Qt.ItemDataRole.FontRole and alert.state is AlertState.PENDING:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column == "state":
            notes = [n for n in (alert.ack_note, alert.resolve_note) if n]
            return "\n".join(notes) or None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == "time":
            return self._time_text(alert.created_at)
        if column == "severity":
            return severity_label(alert.severity)
        if column == "rule":
            return alert.rule
        if column == "camera":
            return self._camera_name(alert.camera_id)
        if column == "device":
            return alert.device_id or ""
        if column == "detections":
            return str(len(alert.event_ids))
        if column == "state":
            who = alert.resolved_by if alert.state is AlertState.RESOLVED else alert.acked_by
            return alert_state_label(alert.state) + (f" ({who})" if who else "")
        if column == "note":
            return (alert.resolve_note or alert.ack_note or "").replace("\n", " ")
        return None
