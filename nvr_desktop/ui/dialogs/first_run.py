"""First start: create the administrator account before anyone can log in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from nvr_desktop.core.errors import NvrError, ValidationError
from nvr_desktop.core.models import User
from nvr_desktop.security.passwords import MIN_PASSWORD_CHARS, check_password_policy
from nvr_desktop.security.users import check_user_name
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.widgets import DialogHeader, ErrorLabel, dialog_buttons, stack_dialog

if TYPE_CHECKING:
    from nvr_desktop.app import Services

FIRST_RUN_ACTOR = "gui:first-run"


class FirstRunDialog(QDialog):
    """Asks for the administrator's name and password (twice) and creates the account."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.user: User | None = None
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(self.tr("Create the administrator account"))
        self.setModal(True)

        header = DialogHeader(
            self.tr("Welcome to NVR Desktop"),
            self.tr("No account exists yet. Create the administrator account: it can add cameras and users."),
            self,
        )
        self.name_edit = QLineEdit("admin", self)
        self.name_edit.setObjectName("nameEdit")
        self.name_edit.setMaxLength(64)
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("passwordEdit")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat_edit = QLineEdit(self)
        self.repeat_edit.setObjectName("repeatEdit")
        self.repeat_edit.setEchoMode(QLineEdit.EchoMode.Password)
        hint = QLabel(self.tr("At least %n characters.", "", MIN_PASSWORD_CHARS), self)
        hint.setObjectName("hintLabel")

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(10)
        form.addRow(self.tr("User name:"), self.name_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        form.addRow(self.tr("Repeat password:"), self.repeat_edit)
        form.addRow("", hint)

        self.error_label = ErrorLabel(self)
        buttons, self.create_button, self.quit_button = dialog_buttons(self, self.tr("Create account"), self.tr("Quit"))
        self.create_button.clicked.connect(self.submit)
        stack_dialog(self, header, form, self.error_label, buttons)
        self.setMinimumWidth(480)
        self.password_edit.setFocus()

    def problem(self) -> str | None:
        """What is wrong with the form, in the interface language, or None when it can be submitted."""
        name = self.name_edit.text().strip()
        password = self.password_edit.text()
        if not name:
            return self.tr("Enter a user name.")
        try:
            check_user_name(name)
        except ValidationError:
            return self.tr(
                "The user name may have up to 64 letters, digits, '.', '_', '@' or '-', "
                "and must start with a letter or a digit."
            )
        if not password:
            return self.tr("Enter a password.")
        if password != self.repeat_edit.text():
            return self.tr("The passwords do not match.")
        try:
            check_password_policy(password)
        except ValidationError as err:
            if len(password) < MIN_PASSWORD_CHARS:
                return self.tr("The password must have at least %n characters.", "", MIN_PASSWORD_CHARS)
            return error_text(err)
        return None

    def submit(self) -> None:
        """Validate the form and create the administrator; errors stay in the dialog."""
        message = self.problem()
        if message is not None:
            self.error_label.show_message(message)
            return
        self.error_label.clear_message()
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.user = self._services.users.create_first_admin(
                self.name_edit.text().strip(), self.password_edit.text(), actor=FIRST_RUN_ACTOR
            )
        except NvrError as err:
            self.error_label.show_message(error_text(err, self._services.secrets))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.accept()
