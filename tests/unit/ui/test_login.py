"""The login dialog: success, wrong passwords, lockout."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from nvr_desktop.core.roles import Role
from nvr_desktop.ui.dialogs.login import LoginDialog


def open_dialog(qtbot: QtBot, services: Any, user_name: str = "") -> LoginDialog:
    dialog = LoginDialog(services, user_name)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def attempt(qtbot: QtBot, dialog: LoginDialog, name: str, password: str) -> None:
    dialog.name_edit.setText(name)
    dialog.password_edit.setText(password)
    qtbot.mouseClick(dialog.login_button, Qt.MouseButton.LeftButton)


def test_success_sets_the_principal_and_closes(qtbot: QtBot, app: QApplication, services: Any, admin: Any) -> None:
    dialog = open_dialog(qtbot, services)
    attempt(qtbot, dialog, "boss", "correct-horse")
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.principal is not None
    assert dialog.principal.name == "boss"
    assert dialog.principal.role is Role.ADMIN
    assert not dialog.isVisible()


def test_enter_in_the_password_field_submits(qtbot: QtBot, app: QApplication, services: Any, admin: Any) -> None:
    dialog = open_dialog(qtbot, services, "boss")
    dialog.password_edit.setText("correct-horse")
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.principal is not None


def test_the_password_is_not_echoed(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.windowTitle() == "Log in to NVR Desktop"
    assert dialog.login_button.text() == "Log in"


def test_prefilled_name_puts_the_focus_on_the_password(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services, "boss")
    assert dialog.name_edit.text() == "boss"
    assert dialog.focusWidget() is dialog.password_edit


def test_wrong_password_shows_the_error_and_stays_open(
    qtbot: QtBot, app: QApplication, services: Any, admin: Any
) -> None:
    dialog = open_dialog(qtbot, services)
    attempt(qtbot, dialog, "boss", "not-the-password")
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.principal is None
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == "Wrong user name or password."
    assert dialog.password_edit.text() == ""
    attempt(qtbot, dialog, "nobody", "whatever-it-is")
    assert dialog.error_label.text() == "Wrong user name or password."
    attempt(qtbot, dialog, "boss", "correct-horse")
    assert dialog.principal is not None


def test_five_wrong_passwords_lock_the_account(qtbot: QtBot, app: QApplication, services: Any, admin: Any) -> None:
    dialog = open_dialog(qtbot, services)
    for _ in range(4):
        attempt(qtbot, dialog, "boss", "not-the-password")
        assert dialog.error_label.text() == "Wrong user name or password."
    attempt(qtbot, dialog, "boss", "not-the-password")
    locked = dialog.error_label.text()
    assert dialog.error_label.isVisible()
    assert "locked" in locked
    assert "5 more minute" in locked
    # Locked means locked: even the right password is refused with the same explanation.
    attempt(qtbot, dialog, "boss", "correct-horse")
    assert "locked" in dialog.error_label.text()
    assert dialog.principal is None
    assert dialog.isVisible()


def test_empty_fields_are_refused_without_counting_a_failed_login(
    qtbot: QtBot, app: QApplication, services: Any, admin: Any
) -> None:
    dialog = open_dialog(qtbot, services)
    attempt(qtbot, dialog, "", "")
    assert dialog.error_label.text() == "Enter your user name."
    for _ in range(6):
        attempt(qtbot, dialog, "boss", "")
    assert dialog.error_label.text() == "Enter your password."
    attempt(qtbot, dialog, "boss", "correct-horse")
    assert dialog.principal is not None


def test_quit_rejects(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.principal is None
