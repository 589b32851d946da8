"""Screenshots of the GUI shell, rendered offscreen, for reviewing the look.

QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.unit.ui.screens [FOLDER]   (default /tmp/screens)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget

from nvr_desktop.app import Services, build_live_view, build_services
from nvr_desktop.core.models import Principal
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.application import apply_theme, create_application
from nvr_desktop.ui.dialogs.first_run import FirstRunDialog
from nvr_desktop.ui.dialogs.login import LoginDialog
from nvr_desktop.ui.i18n import install_translators, remove_translators
from nvr_desktop.ui.main_window import MainWindow

SCREEN_SIZE = (1280, 800)
CAMERAS = (
    ("Front door", True),
    ("Parking lot", True),
    ("Warehouse dock", False),
)


def _save(widget: QWidget, path: Path) -> Path:
    widget.show()
    QApplication.processEvents()
    if not widget.grab().save(str(path)):
        raise OSError(f"cannot write {path}")
    return path


def populate(services: Services) -> Principal:
    """The admin 'boss' and three cameras (the last one disabled); returns the admin's principal."""
    services.users.create_first_admin("boss", "correct-horse", actor="screens")
    boss = services.auth.login("boss", "correct-horse")
    for index, (name, enabled) in enumerate(CAMERAS, start=1):
        services.cameras.add(
            boss, CameraSpec(name=name, main_url=f"rtsp://192.0.2.{index}:554/stream1", enabled=enabled)
        )
    return boss


def _main_window(services: Services, boss: Principal, path: Path) -> Path:
    window = MainWindow(services, boss, lambda on_state: build_live_view(services, on_state))
    window.resize(*SCREEN_SIZE)
    window.camera_tree.setCurrentIndex(window.camera_proxy.index(0, 0, window.camera_proxy.index(0, 0)))
    try:
        return _save(window, path)
    finally:
        window.close()
        window.deleteLater()


def save_screens(folder: Path, basedir: Path) -> list[Path]:
    """Render every screen into folder, using a fresh data folder at basedir; return the files written."""
    app = create_application()
    apply_theme(app)
    folder.mkdir(parents=True, exist_ok=True)
    basedir.mkdir(parents=True, exist_ok=True)
    (basedir / "config.toml").write_text("version = 1\n[security]\nbcrypt_rounds = 4\n", encoding="utf-8")
    services = build_services(basedir)
    written: list[Path] = []
    translators = install_translators(app, "en")
    try:
        first_run = FirstRunDialog(services)
        first_run.password_edit.setText("secret")
        first_run.repeat_edit.setText("secret")
        written.append(_save(first_run, folder / "first_run.png"))
        first_run.submit()
        written.append(_save(first_run, folder / "first_run_error.png"))
        first_run.close()

        boss = populate(services)
        login = LoginDialog(services, "boss")
        written.append(_save(login, folder / "login.png"))
        login.password_edit.setText("wrong-password")
        login.submit()
        written.append(_save(login, folder / "login_error.png"))
        login.close()

        written.append(_main_window(services, boss, folder / "main_window.png"))
        remove_translators(app, translators)
        translators = install_translators(app, "es")
        written.append(_main_window(services, boss, folder / "main_window_es.png"))
        login_es = LoginDialog(services, "boss")
        written.append(_save(login_es, folder / "login_es.png"))
        login_es.close()
        remove_translators(app, translators)
        translators = install_translators(app, "en")
        menu_window = MainWindow(services, boss, lambda on_state: build_live_view(services, on_state))
        menu_window.resize(*SCREEN_SIZE)
        menu_window.show()
        view_menu = menu_window.view_menu
        view_menu.popup(menu_window.mapToGlobal(QPoint(60, 30)))
        written.append(_save(view_menu, folder / "menu_view.png"))
        view_menu.close()
        menu_window.close()
    finally:
        remove_translators(app, translators)
        services.close()
    return written


def main(argv: list[str]) -> int:
    """Write the screenshots to argv[0] (default /tmp/screens)."""
    folder = Path(argv[0]) if argv else Path("/tmp/screens")
    with tempfile.TemporaryDirectory(prefix="nvr-screens-") as tmp:
        for path in save_screens(folder, Path(tmp) / "data"):
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
