"""The login dialog: user name and password, with the lockout told in plain words."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from nvr_desktop.core.errors import AccountLockedError, AuthenticationError, NvrError
from nvr_desktop.core.models import Principal
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.widgets import DialogHeader, ErrorLabel, dialog_buttons, stack_dialog

if TYPE_CHECKING:
    from nvr_desktop.app import Services


class LoginDialog(QDialog):
    """Asks for a user name and password; accepted once services.auth.login succeeds."""

    def __init__(self, services: Services, user_name: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.principal: Principal | None = None
        self.setObjectName("loginDialog")
        self.setWindowTitle(self.tr("Log in to NVR Desktop"))
        self.setModal(True)

        header = DialogHeader("NVR Desktop", self.tr("Network video recorder"), self)
        self.name_edit = QLineEdit(user_name, self)
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setMaxLength(64)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("User name:"), self.name_edit)
        form.addRow(self.tr("Password:"), self.password_edit)

        self.error_label = ErrorLabel(self)
        buttons, self.login_button, self.quit_button = dialog_buttons(self, self.tr("Log in"), self.tr("Quit"))
        self.login_button.clicked.connect(self.submit)
        stack_dialog(self, header, form, self.error_label, buttons)
        self.setMinimumWidth(420)
        (self.password_edit if user_name else self.name_edit).setFocus()

    def submit(self) -> None:
        """Try the credentials; on success keep the principal and close, otherwise say why and stay open."""
        name = self.name_edit.text().strip()
        password = self.password_edit.text()
        if not name:
            self.error_label.show_message(self.tr("Enter your user name."))
            self.name_edit.setFocus()
            return
        if not password:
            self.error_label.show_message(self.tr("Enter your password."))
            self.password_edit.setFocus()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            principal = self._services.auth.login(name, password)
        except AccountLockedError as err:
            minutes = max(1, math.ceil(err.seconds_left / 60))
            self._refuse(self.tr("Too many failed logins: the account is locked for %n more minute(s).", "", minutes))
            return
        except AuthenticationError:
            self._refuse(self.tr("Wrong user name or password."))
            return
        except NvrError as err:
            self._refuse(error_text(err, self._services.secrets))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.error_label.clear_message()
        self.principal = principal
        self.accept()

    def _refuse(self, message: str) -> None:
        self.error_label.show_message(message)
        self.password_edit.clear()
        self.password_edit.setFocus()
