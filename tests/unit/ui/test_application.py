"""Starting the GUI: application names, theme, and the first run → login → main window flow."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from nvr_desktop.core.models import Principal
from nvr_desktop.ui import application
from nvr_desktop.ui.application import (
    authenticate,
    build_main_window,
    create_application,
    first_run_dialog_if_needed,
    freeze_startup_heap,
    load_style_sheet,
    run_gui,
)
from nvr_desktop.ui.dialogs.first_run import FirstRunDialog
from nvr_desktop.ui.dialogs.login import LoginDialog
from nvr_desktop.ui.main_window import MainWindow

W = TypeVar("W", bound=QWidget)


def when_shown(kind: type[W], act: Callable[[W], None], timeout: float = 10.0) -> None:
    """Once a visible top-level widget of this kind appears (inside a modal exec), act on it.

    Past the timeout every dialog is rejected, so a test fails instead of hanging in exec().
    """
    deadline = time.monotonic() + timeout

    def poll() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, kind) and widget.isVisible():
                act(widget)
                return
        if time.monotonic() > deadline:
            for widget in QApplication.topLevelWidgets():
                if isinstance(widget, QDialog) and widget.isVisible():
                    widget.reject()
            return
        QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)


def test_application_is_named(app: QApplication) -> None:
    assert create_application() is app
    assert app.applicationName() == "NVR Desktop"
    assert app.organizationName() == "NVR Desktop"
    assert app.palette().color(QPalette.ColorRole.Window).name() == "#14171c"
    assert "#wallArea" in app.styleSheet()


def test_style_sheet_is_dark_and_tolerates_a_missing_file(tmp_path: Any) -> None:
    sheet = load_style_sheet()
    assert "QLabel#errorLabel" in sheet and "#ff6b6b" in sheet
    assert load_style_sheet(tmp_path) == ""


def test_first_run_dialog_only_without_accounts(qtbot: QtBot, app: QApplication, services: Any) -> None:
    dialog = first_run_dialog_if_needed(services)
    assert isinstance(dialog, FirstRunDialog)
    qtbot.addWidget(dialog)
    services.users.create_first_admin("boss", "correct-horse", actor="test")
    assert first_run_dialog_if_needed(services) is None


def test_first_run_then_login(qtbot: QtBot, app: QApplication, services: Any) -> None:
    def create(dialog: FirstRunDialog) -> None:
        dialog.name_edit.setText("chief")
        dialog.password_edit.setText("long-enough-1")
        dialog.repeat_edit.setText("long-enough-1")
        dialog.create_button.click()

    seen: list[str] = []

    def log_in(dialog: LoginDialog) -> None:
        seen.append(dialog.name_edit.text())
        dialog.password_edit.setText("long-enough-1")
        dialog.login_button.click()

    when_shown(FirstRunDialog, create)
    when_shown(LoginDialog, log_in)
    principal = authenticate(services)
    assert principal is not None and principal.name == "chief"
    assert seen == ["chief"]  # the login dialog comes pre-filled with the new admin's name


def test_quitting_the_first_run_dialog_stops(qtbot: QtBot, app: QApplication, services: Any) -> None:
    when_shown(FirstRunDialog, lambda d: d.quit_button.click())
    assert authenticate(services) is None
    assert not services.users.has_users()


def test_run_gui_returns_0_when_the_user_quits_at_login(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    when_shown(LoginDialog, lambda d: d.quit_button.click())
    assert run_gui(services, argparse.Namespace(demo=False, basedir=None), make_live) == 0


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_run_gui_closes_on_ctrl_c_and_sigterm(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, signum: int, make_live: Any
) -> None:
    before = signal.getsignal(signum)
    when_shown(LoginDialog, lambda _d: os.kill(os.getpid(), signum))
    assert run_gui(services, argparse.Namespace(demo=False, basedir=None), make_live) == 128 + signum
    assert signal.getsignal(signum) is before


def test_run_gui_opens_the_main_window_until_it_closes(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, monkeypatch: pytest.MonkeyPatch, make_live: Any
) -> None:
    windows: list[MainWindow] = []
    original = application.build_main_window

    def keep(services: Any, principal: Principal, make_live: Any, *, demo: bool = False) -> MainWindow:
        window = original(services, principal, make_live, demo=demo)
        windows.append(window)
        return window

    monkeypatch.setattr(application, "build_main_window", keep)

    def log_in(dialog: LoginDialog) -> None:
        dialog.name_edit.setText("boss")
        dialog.password_edit.setText("correct-horse")
        dialog.login_button.click()

    frozen: list[int] = []

    def quit_from(window: MainWindow) -> None:
        frozen.append(gc.get_freeze_count())
        window.action_quit.trigger()

    when_shown(LoginDialog, log_in)
    when_shown(MainWindow, quit_from)
    safety = QTimer()
    safety.setSingleShot(True)
    safety.timeout.connect(app.quit)
    safety.start(15_000)
    try:
        assert run_gui(services, argparse.Namespace(demo=True, basedir=None), make_live) == 0
    finally:
        safety.stop()
        gc.unfreeze()
    assert len(windows) == 1
    assert windows[0].principal.name == "boss"
    assert not windows[0].isVisible()
    assert frozen and frozen[0] > 0, "what start-up built is frozen once the window is up"


def test_freezing_the_startup_heap_collects_garbage_first() -> None:
    class Node:
        other: Any = None

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: only the collector frees it
    gone = weakref.ref(a)
    del a, b
    try:
        freeze_startup_heap()
        assert gone() is None, "garbage of start-up is freed, not frozen for good"
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_build_main_window_is_not_shown(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    window = build_main_window(services, admin, make_live)
    qtbot.addWidget(window)
    assert not window.isVisible()
    assert window.size().width() == 1280 and window.size().height() == 800
