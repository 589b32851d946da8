"""Edge devices for administrators: the paired agents with their health, pairing a new one (its token shown once),
and revoking one. Every change goes through EdgeService (admin only, audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import EdgeDevice, Principal
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from nvr_desktop.app import Services


class PairDialog(QDialog):
    """Pair a device: its id, a name, the camera it watches; then its token, shown this once."""

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self.device: EdgeDevice | None = None
        self.setObjectName("pairDialog")
        self.setWindowTitle(self.tr("Pair an edge device"))
        self.id_edit = QLineEdit(self)
        self.id_edit.setObjectName("pairDeviceId")
        self.id_edit.setPlaceholderText(self.tr("for example pi-front-door"))
        self.id_edit.setMaxLength(64)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("pairName")
        self.name_edit.setPlaceholderText(self.tr("optional, shown in lists"))
        self.camera_combo = QComboBox(self)
        self.camera_combo.setObjectName("pairCamera")
        self.camera_combo.addItem(self.tr("No camera"), None)
        for camera in services.cameras.list(principal):
            self.camera_combo.addItem(camera.name, camera.id)
        self.token_edit = QLineEdit(self)
        self.token_edit.setObjectName("pairToken")
        self.token_edit.setReadOnly(True)
        self.token_edit.hide()
        self.token_note = QLabel(self)
        self.token_note.setObjectName("pairTokenNote")
        self.token_note.setWordWrap(True)
        self.token_note.hide()
        self.copy_button = QPushButton(self.tr("&Copy token"), self)
        self.copy_button.setObjectName("pairCopy")
        self.copy_button.clicked.connect(self.copy_token)
        self.copy_button.hide()
        self.error_label = ErrorLabel(self)
        form = QFormLayout()
        form.addRow(self.tr("Device id:"), self.id_edit)
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow(self.tr("Camera:"), self.camera_combo)
        token_row = QHBoxLayout()
        token_row.addWidget(self.token_edit, 1)
        token_row.addWidget(self.copy_button)
        self.buttons = QDialogButtonBox(self)
        self.pair_button = self.buttons.addButton(self.tr("&Pair"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.pair_button.setObjectName("pairButton")
        self.pair_button.clicked.connect(self.pair)
        self.close_button = self.buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.token_note)
        layout.addLayout(token_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(560, 0)

    def pair(self) -> None:
        """Pair the device and show its token (or say why not)."""
        try:
            device, token = self._services.edge.add(
                self._principal,
                self.id_edit.text().strip(),
                name=self.name_edit.text().strip() or None,
                camera_id=self.camera_combo.currentData(),
            )
        except NvrError as err:
            self.error_label.show_message(error_text(err, self._services.secrets))
            return
        self.device = device
        self.error_label.clear_message()
        for widget in (self.id_edit, self.name_edit, self.camera_combo):
            widget.setEnabled(False)
        self.pair_button.hide()
        self.token_note.setText(
            self.tr(
                "Put this token in the agent's token file now. It is shown only this once: "
                "the desktop keeps it in the system keyring and never displays it again."
            )
        )
        self.token_note.show()
        self.token_edit.setText(token)
        self.token_edit.show()
        self.copy_button.show()
        self.close_button.setText(self.tr("Done"))

    def copy_token(self) -> None:
        """Put the token on the clipboard."""
        QGuiApplication.clipboard().setText(self.token_edit.text())

    def done(self, result: int) -> None:
        """Forget the token when the dialog closes."""
        self.token_edit.clear()
        super().done(result)


class EdgeDevicesDialog(QDialog):
    """The paired devices and their health; pair and revoke."""

    paired = Signal(object)  # EdgeDevice: a device was paired (the window starts the listener if needed)

    COLUMNS = ("device", "name", "camera", "status", "last_seen", "queue", "dropped", "temperature", "version")

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self.devices: list[EdgeDevice] = []
        self.setObjectName("edgeDevicesDialog")
        self.setWindowTitle(self.tr("Edge devices"))
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("edgeTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Device"),
                self.tr("Name"),
                self.tr("Camera"),
                self.tr("Status"),
                self.tr("Last seen"),
                self.tr("Queue"),
                self.tr("Dropped"),
                self.tr("Temperature"),
                self.tr("Version"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.error_label = ErrorLabel(self)
        self.pair_button = QPushButton(self.tr("&Pair a device…"), self)
        self.pair_button.setObjectName("edgePair")
        self.pair_button.clicked.connect(self.open_pairing)
        self.revoke_button = QPushButton(self.tr("&Revoke"), self)
        self.revoke_button.setObjectName("edgeRevoke")
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.refresh_button = QPushButton(self.tr("Re&fresh"), self)
        self.refresh_button.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(self)
        for button in (self.pair_button, self.revoke_button, self.refresh_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.table)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(900, 380)
        self.refresh()

    def refresh(self) -> None:
        """Reload the devices (admins only; anyone else sees the refusal)."""
        try:
            self.devices = self._services.edge.list(self._principal)
            names = {c.id: c.name for c in self._services.cameras.list(self._principal)}
        except NvrError as err:
            self.devices = []
            self.table.setRowCount(0)
            self.error_label.show_message(error_text(err, self._services.secrets))
            self._update_buttons()
            return
        self.error_label.clear_message()
        self.table.setRowCount(len(self.devices))
        for row, device in enumerate(self.devices):
            if device.revoked_at is not None:
                status = self.tr("Revoked")
            elif device.online:
                status = self.tr("Online")
            elif device.last_seen_at is None:
                status = self.tr("Never seen")
            else:
                status = self.tr("Offline")
            seen = device.last_seen_at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if device.last_seen_at else "–"
            cells = (
                device.device_id,
                device.name,
                names.get(device.camera_id, "–") if device.camera_id is not None else "–",
                status,
                seen,
                str(device.queue_length) if device.queue_length is not None else "–",
                str(device.dropped) if device.dropped is not None else "–",
                f"{device.temperature_c:.1f} °C" if device.temperature_c is not None else "–",
                device.agent_version or "–",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, device.device_id)
                self.table.setItem(row, column, item)
        self._update_buttons()

    def selected(self) -> EdgeDevice | None:
        """The device of the selected row."""
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self.devices[rows.pop()] if len(rows) == 1 else None

    def _update_buttons(self) -> None:
        device = self.selected()
        self.revoke_button.setEnabled(device is not None and device.revoked_at is None)

    def open_pairing(self) -> PairDialog:
        """Open the pairing dialog; the list refreshes when it closes."""
        dialog = PairDialog(self._services, self._principal, self)
        dialog.finished.connect(lambda _result=0: self._paired(dialog))
        dialog.open()
        return dialog

    def _paired(self, dialog: PairDialog) -> None:
        self.refresh()
        if dialog.device is not None:
            self.paired.emit(dialog.device)

    def revoke_selected(self, *, confirm: bool = True) -> bool:
        """Revoke the selected device after asking; True when it was revoked."""
        device = self.selected()
        if device is None:
            return False
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("Revoke device"),
                self.tr("Revoke %1? Its requests are refused from now on; pairing it again needs a new id.").replace(
                    "%1", device.device_id
                ),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        try:
            self._services.edge.revoke(self._principal, device.device_id)
        except NvrError as err:
            self.error_label.show_message(error_text(err, self._services.secrets))
            return False
        self.refresh()
        return True
