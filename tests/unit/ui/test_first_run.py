"""The first-run dialog creates the administrator and explains every refusal inline."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from nvr_desktop.ui.dialogs.first_run import FirstRunDialog


def open_dialog(qtbot: QtBot, services: Any) -> FirstRunDialog:
    dialog = FirstRunDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def fill(dialog: FirstRunDialog, name: str, password: str, repeat: str) -> None:
    dialog.name_edit.setText(name)
    dialog.password_edit.setText(password)
    dialog.repeat_edit.setText(repeat)


def test_creates_the_admin_who_can_then_log_in(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    fill(dialog, "chief", "long-enough-1", "long-enough-1")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert dialog.user is not None and dialog.user.name == "chief"
    assert services.users.has_users()
    assert services.auth.login("chief", "long-enough-1").role.value == "admin"
    entries = services.audit.entries(limit=10)
    assert any(e.action == "user.create_first_admin" and e.actor == "gui:first-run" for e in entries)


def test_passwords_are_hidden(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.repeat_edit.echoMode() == QLineEdit.EchoMode.Password


def test_mismatched_passwords_are_refused_with_a_visible_message(
    qtbot: QtBot, app: QApplication, services: Any
) -> None:
    dialog = open_dialog(qtbot, services)
    fill(dialog, "chief", "long-enough-1", "long-enough-2")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "do not match" in dialog.error_label.text()
    assert not services.users.has_users()


def test_short_password_is_refused_with_a_visible_message(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    fill(dialog, "chief", "short", "short")
    qtbot.keyClick(dialog.repeat_edit, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert dialog.error_label.isVisible()
    assert "at least 8 characters" in dialog.error_label.text()
    assert not services.users.has_users()


def test_a_valid_retry_after_an_error_hides_the_message(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    fill(dialog, "chief", "short", "short")
    dialog.submit()
    assert dialog.error_label.isVisible()
    fill(dialog, "chief", "long-enough-1", "long-enough-1")
    dialog.submit()
    assert not dialog.error_label.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_invalid_and_empty_user_names_are_refused(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    fill(dialog, "   ", "long-enough-1", "long-enough-1")
    dialog.submit()
    assert dialog.error_label.text() == "Enter a user name."
    fill(dialog, "bad name!", "long-enough-1", "long-enough-1")
    dialog.submit()
    assert "must start with a letter or a digit" in dialog.error_label.text()
    assert not services.users.has_users()


def test_policy_errors_beyond_length_come_from_the_service(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    too_long = "x" * 73
    fill(dialog, "chief", too_long, too_long)
    dialog.submit()
    assert "72 bytes" in dialog.error_label.text()
    assert dialog.error_label.text()[0].isupper()


def test_service_refusal_is_shown_not_raised(qtbot: QtBot, app: QApplication, services: Any, admin: Any) -> None:
    dialog = open_dialog(qtbot, services)  # an account exists already: the service refuses
    fill(dialog, "second", "long-enough-1", "long-enough-1")
    dialog.submit()
    assert dialog.isVisible()
    assert "already exists" in dialog.error_label.text()
    assert dialog.user is None


def test_quit_rejects(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = open_dialog(qtbot, services)
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert not services.users.has_users()
