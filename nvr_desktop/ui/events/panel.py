"""The event panel: alerts and events with snapshot thumbnails, filters, live updates, acknowledge and resolve.

New events and alerts arrive on the edge listener's thread; the panel's listeners only append to a deque (no Qt
call there) and a timer on the GUI thread drains it, reloads the tables and emits alertRaised for each new alert.
"""

from __future__ import annotations

import collections
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSystemTrayIcon,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Alert, AlertState, Event, EventState, Principal, Severity
from nvr_desktop.core.roles import Permission, sees_all_cameras
from nvr_desktop.ui.events.models import (
    ROW_ID_ROLE,
    AlertTableModel,
    EventTableModel,
    HighlightDelegate,
    ThumbnailCache,
    severity_label,
)
from nvr_desktop.ui.events.summary import SummaryView
from nvr_desktop.ui.labels import error_text

if TYPE_CHECKING:
    from nvr_desktop.app import Services

POLL_MS = 500
FIT_ROWS = 50  # rows measured when the columns fit their contents
MAX_ROWS = 500
RANGES = (None, timedelta(hours=1), timedelta(hours=24), timedelta(days=7))


def local_time(when: datetime) -> str:
    """A UTC time in this machine's zone, as the tables show it."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


class AlertBanner(QFrame):
    """A non-modal strip shown in the window when no system tray can take the notification."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("alertBanner")
        self.setStyleSheet(
            "QFrame#alertBanner { background: #b3261e; } QFrame#alertBanner QLabel { color: white; "
            "font-weight: bold; } QFrame#alertBanner QToolButton { color: white; border: none; }"
        )
        self.label = QLabel(self)
        self.label.setObjectName("alertBannerText")
        self.label.setWordWrap(True)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 6, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self.hide()

    def show_text(self, text: str) -> None:
        """Show (or replace) the banner's message."""
        self.label.setText(text)
        self.show()


class AlertNotifier(QObject):
    """Shows an alert as a system tray message when a tray is there, else in the window's banner."""

    def __init__(self, banner: AlertBanner, tray: QSystemTrayIcon | None = None) -> None:
        super().__init__(banner)
        self.banner = banner
        self.tray = tray
        self.shown: list[str] = []

    def notify(self, alert: Alert, camera: str) -> None:
        """Tell the operator about an alert (GUI thread only)."""
        title = self.tr("Alert: %1").replace("%1", severity_label(alert.severity))
        text = (
            self.tr("%1 on %2: %n detection(s)", "", len(alert.event_ids))
            .replace("%1", alert.rule)
            .replace("%2", camera)
        )
        self.shown.append(f"{title} — {text}")
        if self.tray is not None and self.tray.isVisible() and QSystemTrayIcon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if alert.severity is Severity.CRITICAL
                else QSystemTrayIcon.MessageIcon.Warning
            )
            self.tray.showMessage(title, text, icon, 10_000)
        else:
            self.banner.show_text(f"{title} — {text}")


class EventPanel(QWidget):
    """Alerts and events of the cameras this user may see; acknowledge and resolve them with a note."""

    alertRaised = Signal(object, str)  # Alert, camera name (emitted on the GUI thread by the poll timer)

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventPanel")
        self._services = services
        self.principal = principal
        self._incoming: collections.deque[Event | Alert] = collections.deque()
        self._camera_names: dict[int, str] = {}
        self._devices: set[str] = set()
        self.thumbnails = ThumbnailCache(services.paths.snapshots / "events")
        self.event_model = EventTableModel(self.thumbnails, self.camera_name, local_time, self)
        self.alert_model = AlertTableModel(self.camera_name, local_time, self)
        self._build()
        services.alerting.add_event_listener(self._incoming.append)
        services.alerting.add_alert_listener(self._incoming.append)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        self.load_cameras()
        self.reload()

    # ---- construction ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.camera_combo = QComboBox(self)
        self.camera_combo.setObjectName("eventCameraFilter")
        self.device_combo = QComboBox(self)
        self.device_combo.setObjectName("eventDeviceFilter")
        self.device_combo.addItem(self.tr("All devices"), None)
        self.range_combo = QComboBox(self)
        self.range_combo.setObjectName("eventRangeFilter")
        for label, span in zip(
            (self.tr("Any time"), self.tr("Last hour"), self.tr("Last 24 hours"), self.tr("Last 7 days")),
            RANGES,
            strict=True,
        ):
            self.range_combo.addItem(label, span)
        self.range_combo.setCurrentIndex(2)
        self.state_combo = QComboBox(self)
        self.state_combo.setObjectName("eventStateFilter")
        self.state_combo.addItem(self.tr("Any state"), None)
        self.state_combo.addItem(self.tr("Open"), "open")
        self.state_combo.addItem(self.tr("Acknowledged"), "acknowledged")
        self.state_combo.addItem(self.tr("Resolved"), "resolved")
        for combo in (self.camera_combo, self.device_combo, self.range_combo, self.state_combo):
            combo.currentIndexChanged.connect(self.reload)
        filters = QHBoxLayout()
        filters.setSpacing(6)
        for combo in (self.camera_combo, self.device_combo, self.range_combo, self.state_combo):
            filters.addWidget(combo)
        filters.addStretch(1)

        self.alerts_view = self._table(self.alert_model, "alertTable")
        self.events_view = self._table(self.event_model, "eventTable")
        self.events_view.verticalHeader().setDefaultSectionSize(self.thumbnails.size.height() + 8)
        self.events_view.setIconSize(self.thumbnails.size)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("eventTabs")
        self.tabs.addTab(self.alerts_view, self.tr("Alerts"))
        self.tabs.addTab(self.events_view, self.tr("Events"))
        self.summary = SummaryView(self._services, self.principal, self)
        self.tabs.addTab(self.summary, self.tr("Summary"))
        self.tabs.currentChanged.connect(self._summary_shown)
        self.tabs.currentChanged.connect(self._update_buttons)
        # Room for at least two event rows with their thumbnails under the header.
        self.tabs.setMinimumHeight(2 * (self.thumbnails.size.height() + 8) + 70)

        self.note_edit = QLineEdit(self)
        self.note_edit.setObjectName("eventNote")
        self.note_edit.setPlaceholderText(self.tr("Note (what you saw or did)"))
        self.note_edit.setMaxLength(2000)
        self.ack_button = QPushButton(self.tr("&Acknowledge"), self)
        self.ack_button.setObjectName("eventAck")
        self.ack_button.clicked.connect(self.acknowledge_selected)
        self.resolve_button = QPushButton(self.tr("Re&solve"), self)
        self.resolve_button.setObjectName("eventResolve")
        self.resolve_button.clicked.connect(self.resolve_selected)
        actions = QHBoxLayout()
        actions.addWidget(self.note_edit, 1)
        actions.addWidget(self.ack_button)
        actions.addWidget(self.resolve_button)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("eventStatus")
        self.status_label.setWordWrap(True)
        self.status_label.hide()  # shown with a message only, so an empty line takes no room

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addLayout(filters)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(actions)
        layout.addWidget(self.status_label)
        self._update_buttons()

    def _summary_shown(self) -> None:
        on_summary = self.tabs.currentWidget() is self.summary
        # The filters and the acknowledge row belong to the tables; the summary has its own period.
        for widget in (
            self.camera_combo,
            self.device_combo,
            self.range_combo,
            self.state_combo,
            self.note_edit,
            self.ack_button,
            self.resolve_button,
        ):
            widget.setVisible(not on_summary)
        if on_summary:
            self.summary.refresh()

    def _say(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))

    def _table(self, model: EventTableModel | AlertTableModel, name: str) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.setItemDelegate(HighlightDelegate(view))
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(False)
        view.verticalHeader().hide()
        header = view.horizontalHeader()
        # Columns fit their contents when the rows are read (reload), not on every live row: ResizeToContents
        # measured all 500 rows (each row's thumbnail included) on each insert, stalling the GUI thread for
        # hundreds of milliseconds under a flood of detections.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setResizeContentsPrecision(FIT_ROWS)
        header.setStretchLastSection(True)
        view.selectionModel().selectionChanged.connect(self._update_buttons)
        return view

    # ---- data --------------------------------------------------------------------------------------

    def camera_name(self, camera_id: int | None) -> str:
        """The camera's name ("—" for a device linked to no camera)."""
        if camera_id is None:
            return "—"
        return self._camera_names.get(camera_id, self.tr("Camera %1").replace("%1", str(camera_id)))

    def load_cameras(self) -> None:
        """Fill the camera filter with the cameras this user may see."""
        try:
            cameras = self._services.cameras.list(self.principal)
        except NvrError as err:
            cameras = []
            self._say(error_text(err, self._services.secrets))
        self._camera_names = {c.id: c.name for c in cameras}
        current = self.camera_combo.currentData()
        self.camera_combo.blockSignals(True)
        self.camera_combo.clear()
        self.camera_combo.addItem(self.tr("All cameras"), None)
        for camera in cameras:
            self.camera_combo.addItem(camera.name, camera.id)
        found = self.camera_combo.findData(current)
        self.camera_combo.setCurrentIndex(max(0, found))
        self.camera_combo.blockSignals(False)

    def reload(self) -> None:
        """Read the events and alerts that match the filters (keeps the selection where it can)."""
        camera_id = self.camera_combo.currentData()
        device_id = self.device_combo.currentData()
        span = self.range_combo.currentData()
        since = datetime.now(UTC) - span if span is not None else None
        state = self.state_combo.currentData()
        event_state = {"open": EventState.NEW, "acknowledged": EventState.ACKNOWLEDGED}
        event_state["resolved"] = EventState.RESOLVED
        alert_state = {"open": AlertState.PENDING, "acknowledged": AlertState.ACKNOWLEDGED}
        alert_state["resolved"] = AlertState.RESOLVED
        try:
            events = self._services.events.list(
                self.principal,
                state=event_state.get(state) if state else None,
                camera_id=camera_id,
                device_id=device_id,
                since=since,
                limit=MAX_ROWS,
            )
            alerts = self._services.alerts.list(
                self.principal,
                state=alert_state.get(state) if state else None,
                camera_id=camera_id,
                device_id=device_id,
                since=since,
                limit=MAX_ROWS,
            )
            pending = self._services.alerts.list(self.principal, state=AlertState.PENDING, limit=MAX_ROWS)
        except NvrError as err:
            self._say(error_text(err, self._services.secrets))
            return
        alerted: dict[int, Severity] = {}
        for alert in sorted(pending, key=lambda a: list(Severity).index(a.severity)):
            for event_id in alert.event_ids:
                alerted[event_id] = alert.severity  # the most severe pending alert wins
        selected = {view: self._selected_id(view) for view in (self.events_view, self.alerts_view)}
        self.event_model.set_events(events, alerted)
        self.alert_model.set_alerts(alerts)
        for view in (self.events_view, self.alerts_view):
            view.resizeColumnsToContents()
        for view, row_id in selected.items():
            if row_id is not None:
                self.select_row(view, row_id)
        self._add_devices({e.device_id for e in events} | {a.device_id for a in alerts if a.device_id})
        self._update_buttons()

    def _add_devices(self, devices: set[str]) -> None:
        new = sorted(devices - self._devices)
        if not new:
            return
        self._devices |= set(new)
        current = self.device_combo.currentData()
        self.device_combo.blockSignals(True)
        while self.device_combo.count() > 1:
            self.device_combo.removeItem(1)
        for device in sorted(self._devices):
            self.device_combo.addItem(device, device)
        self.device_combo.setCurrentIndex(max(0, self.device_combo.findData(current)))
        self.device_combo.blockSignals(False)

    def poll(self) -> int:
        """Drain what arrived from the listener thread and announce each new alert; returns how many.

        New events and alerts are put on top of their tables as they are, and a new alert colours its events'
        rows: nothing is read back from the database here, so a flood of detections (and the burst of alerts it
        raises at once on every device) never stalls the GUI thread behind a re-read of 500 rows.
        """
        count = 0
        alerts: list[Alert] = []
        events: list[Event] = []
        while self._incoming:
            item = self._incoming.popleft()
            count += 1
            if isinstance(item, Alert):
                alerts.append(item)
            else:
                events.append(item)
        if events:
            shown = [e for e in reversed(events) if self._matches(e)]  # newest first, like the table
            self.event_model.prepend(shown[:MAX_ROWS], MAX_ROWS)
            self._add_devices({e.device_id for e in events})
        if alerts:
            visible = [a for a in alerts if self._may_see(a.camera_id)]
            for alert in visible:
                self.event_model.mark_alerted(alert.event_ids, alert.severity)
            shown_alerts = [a for a in reversed(visible) if self._alert_matches(a)]
            self.alert_model.prepend(shown_alerts[:MAX_ROWS], MAX_ROWS)
            self._add_devices({a.device_id for a in visible if a.device_id})
            self._update_buttons()
        for alert in alerts:
            if self._may_see(alert.camera_id):
                self.alertRaised.emit(alert, self.camera_name(alert.camera_id) if alert.camera_id else alert.device_id)
        return count

    def _may_see(self, camera_id: int | None) -> bool:
        """This user's right to an event or alert of that camera (of no camera: administrators only)."""
        if camera_id is None:
            return sees_all_cameras(self.principal.role)
        return self.principal.can_on_camera(Permission.LIVE_VIEW, camera_id)

    def _filters_admit(self, camera_id: int | None, device_id: str | None, when: datetime) -> bool:
        """Whether something new (open, pending) passes the camera, device, time and state filters."""
        if self.state_combo.currentData() not in (None, "open"):
            return False  # what just arrived is open
        wanted_camera = self.camera_combo.currentData()
        wanted_device = self.device_combo.currentData()
        span = self.range_combo.currentData()
        if wanted_camera is not None and camera_id != wanted_camera:
            return False
        if wanted_device is not None and device_id != wanted_device:
            return False
        return span is None or when >= datetime.now(UTC) - span

    def _matches(self, event: Event) -> bool:
        """Whether a new event belongs in the table under the current filters and this user's rights."""
        return self._filters_admit(event.camera_id, event.device_id, event.captured_at) and self._may_see(
            event.camera_id
        )

    def _alert_matches(self, alert: Alert) -> bool:
        """Whether a new alert belongs in its table (the rights were checked by the caller)."""
        return self._filters_admit(alert.camera_id, alert.device_id, alert.created_at)

    def release(self) -> None:
        """Stop listening and polling (the window closes)."""
        self._timer.stop()
        self._services.alerting.remove_event_listener(self._incoming.append)
        self._services.alerting.remove_alert_listener(self._incoming.append)

    # ---- selection and actions -----------------------------------------------------------------------

    @staticmethod
    def _selected_id(view: QTableView) -> int | None:
        rows = view.selectionModel().selectedRows()
        return int(rows[0].data(ROW_ID_ROLE)) if rows else None

    def select_row(self, view: QTableView, row_id: int) -> bool:
        """Select the row with this event or alert id; False when it is not shown."""
        model = view.model()
        for row in range(model.rowCount()):
            index = model.index(row, 0)
            if index.data(ROW_ID_ROLE) == row_id:
                view.selectionModel().select(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
                )
                view.scrollTo(index)
                return True
        return False

    def _current(self) -> Event | Alert | None:
        view = self.tabs.currentWidget()
        if not isinstance(view, QTableView):
            return None
        rows = view.selectionModel().selectedRows()
        if not rows:
            return None
        index: QModelIndex = rows[0]
        if view is self.events_view:
            return self.event_model.events[index.row()]
        return self.alert_model.alerts[index.row()]

    def _may_handle(self, item: Event | Alert) -> bool:
        if item.camera_id is None:
            return sees_all_cameras(self.principal.role)
        return self.principal.can_on_camera(Permission.ACK_EVENTS, item.camera_id)

    def _update_buttons(self) -> None:
        item = self._current()
        allowed = item is not None and self._may_handle(item)
        opened = item is not None and item.state.value in ("new", "pending")
        self.ack_button.setEnabled(allowed and opened)
        self.resolve_button.setEnabled(allowed and item is not None and item.state.value != "resolved")
        if item is not None and not self._may_handle(item):
            tip = self.tr("You may not acknowledge events of this camera")
        else:
            tip = ""
        self.ack_button.setToolTip(tip)
        self.resolve_button.setToolTip(tip)

    def acknowledge_selected(self) -> None:
        """Acknowledge the selected alert or event with the note."""
        self._handle(resolve=False)

    def resolve_selected(self) -> None:
        """Resolve the selected alert or event with the note."""
        self._handle(resolve=True)

    def _handle(self, *, resolve: bool) -> None:
        item = self._current()
        if item is None:
            return
        note = self.note_edit.text()
        try:
            if isinstance(item, Alert):
                alerts = self._services.alerts
                (alerts.resolve if resolve else alerts.acknowledge)(self.principal, item.id, note)
                done = self.tr("Alert %1 resolved.") if resolve else self.tr("Alert %1 acknowledged.")
            else:
                events = self._services.events
                (events.resolve if resolve else events.acknowledge)(self.principal, item.id, note)
                done = self.tr("Event %1 resolved.") if resolve else self.tr("Event %1 acknowledged.")
        except NvrError as err:
            self._say(error_text(err, self._services.secrets))
            return
        self.note_edit.clear()
        self._say(done.replace("%1", str(item.id)))
        self.reload()
