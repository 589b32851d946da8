"""The overview panel: the system at a glance (cameras online and offline, recording health per camera, detections
in the last hour, pending alerts, edge devices online, disk use and days that fit, storage alarms).

The figures come from OverviewService, worked out on a short-lived "overview-refresh" thread every few seconds
(the database and the disk are never read on the GUI thread); a GUI timer picks the result up.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError

if TYPE_CHECKING:
    from nvr_desktop.services.overview import Overview

REFRESH_MS = 5000
POLL_MS = 250
HEALTH_COLOURS = {
    "recording": QColor(46, 160, 67),
    "waiting": QColor(219, 154, 4),
    "failing": QColor(218, 54, 51),
}
STATE_COLOURS = {
    "live": QColor(46, 160, 67),
    "reconnecting": QColor(219, 154, 4),
    "offline": QColor(218, 54, 51),
    "unauthorized": QColor(218, 54, 51),
    "login_missing": QColor(218, 54, 51),
    "unsupported": QColor(218, 54, 51),
    "error": QColor(218, 54, 51),
}


def _size(value: int | None) -> str:
    if value is None:
        return "?"
    units = ("B", "KB", "MB", "GB", "TB")
    size, unit = float(value), 0
    while size >= 1024 and unit < len(units) - 1:
        size, unit = size / 1024, unit + 1
    return f"{size:.1f} {units[unit]}" if unit else f"{value} B"


def state_label(state: str) -> str:
    """A connection state as users read it."""
    labels = {
        "live": QCoreApplication.translate("Overview", "Live"),
        "connecting": QCoreApplication.translate("Overview", "Connecting"),
        "reconnecting": QCoreApplication.translate("Overview", "Reconnecting"),
        "offline": QCoreApplication.translate("Overview", "Offline"),
        "unauthorized": QCoreApplication.translate("Overview", "Wrong password"),
        "login_missing": QCoreApplication.translate("Overview", "Login missing"),
        "unsupported": QCoreApplication.translate("Overview", "Unsupported codec"),
        "error": QCoreApplication.translate("Overview", "Error"),
        "stopped": QCoreApplication.translate("Overview", "Not connected"),
    }
    return labels.get(state, QCoreApplication.translate("Overview", "Unknown"))


def health_label(health: str) -> str:
    """A recording health as users read it."""
    labels = {
        "recording": QCoreApplication.translate("Overview", "Recording"),
        "waiting": QCoreApplication.translate("Overview", "Waiting for the camera"),
        "failing": QCoreApplication.translate("Overview", "Cannot write"),
        "standby": QCoreApplication.translate("Overview", "Standing by"),
    }
    return labels.get(health, QCoreApplication.translate("Overview", "Off"))


class Card(QFrame):
    """A big figure with a caption under it."""

    def __init__(self, name: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("–", self)
        self.value.setObjectName(f"{name}Value")
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption, self)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        column = QVBoxLayout(self)
        column.setContentsMargins(8, 6, 8, 6)
        column.addWidget(self.value)
        column.addWidget(self.caption)

    def show_value(self, text: str, colour: QColor | None = None) -> None:
        """Show a figure, coloured when it needs attention."""
        self.value.setText(text)
        self.value.setStyleSheet(f"color: {colour.name()};" if colour is not None else "")


class OverviewPanel(QWidget):
    """Cards with the main figures, the storage alarms, and a line per camera."""

    def __init__(self, snapshot: Callable[[], Overview], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("overviewPanel")
        self._snapshot = snapshot
        self._results: collections.deque[Overview | str] = collections.deque(maxlen=1)
        self._worker: threading.Thread | None = None
        self.shown: Overview | None = None
        cards = (
            ("cardOnline", self.tr("cameras online")),
            ("cardOffline", self.tr("cameras offline")),
            ("cardRecording", self.tr("recording")),
            ("cardProblems", self.tr("recording problems")),
            ("cardDetections", self.tr("detections in the last hour")),
            ("cardAlerts", self.tr("pending alerts")),
            ("cardEdge", self.tr("edge devices online")),
            ("cardDisk", self.tr("free on the recordings disk")),
        )
        grid = QGridLayout()
        grid.setSpacing(6)
        self.cards: dict[str, Card] = {}
        for n, (name, caption) in enumerate(cards):
            card = Card(name, caption, self)
            self.cards[name] = card
            grid.addWidget(card, n // 4, n % 4)
        self.alarm_label = QLabel(self)
        self.alarm_label.setObjectName("overviewAlarms")
        self.alarm_label.setWordWrap(True)
        self.alarm_label.setStyleSheet("QLabel#overviewAlarms { color: white; background: #b3261e; padding: 4px; }")
        self.alarm_label.hide()
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("overviewCameras")
        self.table.setHorizontalHeaderLabels([self.tr("Camera"), self.tr("Connection"), self.tr("Recording")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("overviewStatus")
        column = QVBoxLayout(self)
        column.addLayout(grid)
        column.addWidget(self.alarm_label)
        column.addWidget(self.table, 1)
        column.addWidget(self.status_label)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self.poll)
        self._refresh_timer.start()
        self._poll_timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Work the figures out again on a worker thread (unless the last round is still at it)."""
        if self._worker is not None and self._worker.is_alive():
            return
        self._worker = threading.Thread(target=self._work, name="overview-refresh", daemon=True)
        self._worker.start()

    def _work(self) -> None:
        try:
            self._results.append(self._snapshot())
        except NvrError as err:
            self._results.append(str(err))

    def poll(self) -> bool:
        """Show a result the worker left; True when there was one."""
        if not self._results:
            return False
        result = self._results.popleft()
        if isinstance(result, str):
            self.status_label.setText(result)
            return True
        self.show_overview(result)
        return True

    def show_overview(self, view: Overview) -> None:
        """Fill the cards, the alarms and the camera lines."""
        self.shown = view
        red, amber = QColor(218, 54, 51), QColor(219, 154, 4)
        total = len(view.cameras)
        self.cards["cardOnline"].show_value(f"{view.cameras_online} / {total}")
        self.cards["cardOffline"].show_value(str(view.cameras_offline), red if view.cameras_offline else None)
        self.cards["cardRecording"].show_value(str(view.recording))
        self.cards["cardProblems"].show_value(str(view.recording_problems), amber if view.recording_problems else None)
        self.cards["cardDetections"].show_value(str(view.detections_last_hour))
        self.cards["cardAlerts"].show_value(str(view.pending_alerts), red if view.pending_alerts else None)
        edge = f"{view.edge_online} / {view.edge_paired}"
        self.cards["cardEdge"].show_value(edge, amber if view.edge_online < view.edge_paired else None)
        disk = _size(view.disk_free_bytes)
        if view.days_fit is not None:
            days = f"{view.days_fit:.0f}" if view.days_fit >= 1 else f"{view.days_fit:.1f}"
            disk += " · " + self.tr("%1 days fit").replace("%1", days)
        self.cards["cardDisk"].show_value(disk)
        if view.alarms:
            self.alarm_label.setText("\n".join(view.alarms))
            self.alarm_label.show()
        else:
            self.alarm_label.hide()
        self.table.setRowCount(total)
        for row, line in enumerate(view.cameras):
            state = QTableWidgetItem(state_label(line.state))
            if line.state in STATE_COLOURS:
                state.setForeground(QBrush(STATE_COLOURS[line.state]))
            health = QTableWidgetItem(health_label(line.recording))
            if line.recording in HEALTH_COLOURS:
                health.setForeground(QBrush(HEALTH_COLOURS[line.recording]))
            self.table.setItem(row, 0, QTableWidgetItem(line.name))
            self.table.setItem(row, 1, state)
            self.table.setItem(row, 2, health)
        queued = (
            self.tr("%1 detections wait in the edge devices' queues.").replace("%1", str(view.edge_queued))
            if view.edge_queued
            else ""
        )
        used = self.tr("Footage in finished segments: %1.").replace("%1", _size(view.recordings_bytes))
        self.status_label.setText(" ".join(t for t in (used, queued) if t))

    def release(self) -> None:
        """Stop refreshing (the window closes); a refresh under way ends by itself."""
        self._refresh_timer.stop()
        self._poll_timer.stop()
        if self._worker is not None:
            self._worker.join(5)
