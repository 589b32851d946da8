"""A read-only list of user accounts (name, role, cameras) for administrators."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Principal, User
from nvr_desktop.core.roles import sees_all_cameras
from nvr_desktop.ui.labels import error_text, role_label
from nvr_desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from nvr_desktop.app import Services


class UsersDialog(QDialog):
    """Shows every account; editing users comes later, the CLI does it today."""

    NAME, ROLE, CAMERAS = range(3)

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self.setObjectName("usersDialog")
        self.setWindowTitle(self.tr("Users"))
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"), self.tr("Cameras")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.NAME, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.ROLE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.CAMERAS, QHeaderView.ResizeMode.Stretch)
        self.error_label = ErrorLabel(self)
        buttons = QDialogButtonBox(self)
        close = QPushButton(self.tr("Close"), self)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.table)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(560, 360)
        self.refresh()

    def refresh(self) -> None:
        """Reload the users from the service (admins only; anyone else sees the refusal)."""
        try:
            users = self._services.users.list(self._principal)
            names = {c.id: c.name for c in self._services.cameras.list(self._principal)}
        except NvrError as err:
            self.table.setRowCount(0)
            self.error_label.show_message(error_text(err, self._services.secrets))
            return
        self.error_label.clear_message()
        self.table.setRowCount(len(users))
        for row, user in enumerate(users):
            cells = (user.name, role_label(user.role), self._cameras_text(user, names))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.table.setItem(row, column, item)

    def _cameras_text(self, user: User, names: dict[int, str]) -> str:
        if sees_all_cameras(user.role):
            return self.tr("All cameras")
        if not user.camera_ids:
            return self.tr("None")
        return ", ".join(names.get(i, f"#{i}") for i in sorted(user.camera_ids))
