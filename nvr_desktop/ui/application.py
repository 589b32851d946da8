"""Starting the GUI: the QApplication, theme and translators, first run, login, then the main window.

Each step is its own function so tests can build any piece without entering the event loop.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer, QTranslator
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from nvr_desktop import APP_NAME, __version__
from nvr_desktop.core.models import Principal
from nvr_desktop.ui.bridge import StreamBridge
from nvr_desktop.ui.dialogs.first_run import FirstRunDialog
from nvr_desktop.ui.dialogs.login import LoginDialog
from nvr_desktop.ui.i18n import install_translators, remove_translators, resources_dir
from nvr_desktop.ui.main_window import MainWindow
from nvr_desktop.ui.wall.ports import LiveFactory
from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera
from nvr_desktop.ui.widgets import app_icon

if TYPE_CHECKING:
    from nvr_desktop.app import Services

log = logging.getLogger("ui")
STYLE_SHEET = Path("styles") / "dark.qss"


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The process's QApplication (created when none exists yet), named for settings and the desktop."""
    existing = QApplication.instance()
    if existing is None:
        # Qt hands every image blit over 16k pixels to a GUI thread pool and waits for it: for a wall of small
        # tiles, on cores the stream processes already keep busy, the hand-offs cost more than the blits
        # (bench/wall.py). Qt's own switch turns the pool off; blits then run on the GUI thread.
        os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
        # argparse has read the command line already; Qt gets only the program name.
        app = QApplication(list(argv) if argv is not None else sys.argv[:1])
    elif isinstance(existing, QApplication):
        app = existing
    else:
        raise RuntimeError("a non-widget Qt application already exists in this process")
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def freeze_startup_heap() -> None:
    """Keep what start-up built (modules, classes, the main window) out of the cyclic collector's full passes.

    A full (generation 2) collection walks every tracked object with the GIL held. With 128 tiles running, one held
    the GUI thread for 39-41 ms; after a freeze, 18-20 ms (two runs each). Garbage present now is collected first.
    Objects frozen here are still freed by reference counting when they go; only a cycle among them would stay.
    """
    gc.collect()
    gc.freeze()


def load_style_sheet(resources: Path | None = None) -> str:
    """The dark style sheet's text ('' when the file is missing, so the app still starts)."""
    path = (resources or resources_dir()) / STYLE_SHEET
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        log.warning("cannot read the style sheet %s: %s", path, err)
        return ""


def dark_palette() -> QPalette:
    """The palette under the style sheet: covers what the sheet does not (message boxes, menus' edges)."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#14171c",
        QPalette.ColorRole.WindowText: "#d6dbe1",
        QPalette.ColorRole.Base: "#0f1216",
        QPalette.ColorRole.AlternateBase: "#171b21",
        QPalette.ColorRole.ToolTipBase: "#1f242b",
        QPalette.ColorRole.ToolTipText: "#d6dbe1",
        QPalette.ColorRole.PlaceholderText: "#6e7681",
        QPalette.ColorRole.Text: "#d6dbe1",
        QPalette.ColorRole.Button: "#222831",
        QPalette.ColorRole.ButtonText: "#d6dbe1",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#1f6feb",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#58a6ff",
        QPalette.ColorRole.Mid: "#2b313a",
        QPalette.ColorRole.Dark: "#0b0d10",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#5c636c"))
    return palette


def apply_theme(app: QApplication, resources: Path | None = None) -> None:
    """Fusion style, the dark palette, the dark style sheet and the window icon."""
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    app.setStyleSheet(load_style_sheet(resources))
    app.setWindowIcon(app_icon())


def prepare_application(app: QApplication, language: str) -> list[QTranslator]:
    """Theme plus translators for the configured language; returns the translators installed."""
    apply_theme(app)
    return install_translators(app, language)


def _run_dialog(dialog: QDialog) -> bool:
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted
    finally:
        dialog.deleteLater()


def first_run_dialog_if_needed(services: Services, parent: QWidget | None = None) -> FirstRunDialog | None:
    """The first-run dialog when no account exists yet, otherwise None."""
    return None if services.users.has_users() else FirstRunDialog(services, parent)


def authenticate(services: Services, parent: QWidget | None = None) -> Principal | None:
    """Create the first admin when needed, then log in; None when the user quits."""
    user_name = ""
    first_run = first_run_dialog_if_needed(services, parent)
    if first_run is not None:
        if not _run_dialog(first_run) or first_run.user is None:
            return None
        user_name = first_run.user.name
    login = LoginDialog(services, user_name, parent)
    principal = login.principal if _run_dialog(login) else None
    return principal


def build_main_window(
    services: Services, principal: Principal, make_live: LiveFactory, *, demo: bool = False
) -> MainWindow:
    """The main window for a logged-in user (not shown yet), its wall connected to the live view."""
    return MainWindow(services, principal, make_live, demo=demo)


class _Interrupt:
    """Set when SIGINT or SIGTERM asked the GUI to close."""

    def __init__(self) -> None:
        self.signal: int | None = None


@contextmanager
def _close_on_signals(app: QApplication) -> Iterator[_Interrupt]:
    """Ctrl+C or SIGTERM closes every window (so dialogs' own event loops end too) and quits."""
    interrupt = _Interrupt()

    def on_signal(signum: int, _frame: object) -> None:
        interrupt.signal = signum
        app.closeAllWindows()
        app.quit()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    # Python runs signal handlers only between bytecodes; a timer lets it in while Qt's loop runs.
    timer = QTimer()
    timer.timeout.connect(lambda: None)
    timer.start(250)
    try:
        yield interrupt
    finally:
        timer.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_gui(services: Services, args: argparse.Namespace, make_live: LiveFactory) -> int:
    """Open the GUI: first run and login, then the main window; returns the exit status."""
    app = create_application()
    translators = prepare_application(app, services.config.ui.language)
    try:
        with _close_on_signals(app) as interrupt:
            principal = authenticate(services)
            if principal is not None and interrupt.signal is None:
                window = build_main_window(services, principal, make_live, demo=bool(getattr(args, "demo", False)))
                window.show()
                freeze_startup_heap()
                status = app.exec()
                window.deleteLater()
            else:
                status = 0
        return 128 + interrupt.signal if interrupt.signal is not None else status
    finally:
        remove_translators(app, translators)


def render_wall_screenshot(
    make_live: LiveFactory,
    principal: Principal,
    target: Path,
    *,
    tiles: int,
    after_s: float,
    size: tuple[int, int],
    demo: bool,
    snapshot_dir: Path,
    language: str,
) -> bool:
    """Show the wall of the first `tiles` cameras offscreen for after_s seconds, then save it as a PNG."""
    app = create_application()
    translators = prepare_application(app, language)
    bridge = StreamBridge()
    live = make_live(bridge.relay)
    try:
        cameras = live.connect(principal, demo=demo, limit=tiles)
        wall = VideoWall(live.supervisor.frames, live.supervisor, snapshot_dir=snapshot_dir)
        bridge.stateChanged.connect(wall.on_state)
        wall.set_cameras([WallCamera(c.id, c.name, c.demo) for c in cameras][:tiles])
        wall.set_layout(tiles)
        wall.resize(*size)
        wall.show()
        deadline = time.monotonic() + after_s
        while time.monotonic() < deadline:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            time.sleep(0.01)
        bridge.drain()
        app.processEvents()
        saved = wall.grab().save(str(target), "PNG")
        wall.release()
        wall.deleteLater()
        return bool(saved)
    finally:
        bridge.stop()
        live.close()
        remove_translators(app, translators)
