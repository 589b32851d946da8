"""File > Back up database… (real services, a real SQLite file, real widgets offscreen): an administrator saves a
backup off the GUI thread, an existing file is kept unless replaced, and a viewer gets neither the action nor a
backup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.storage.backup import inspect_backup
from nvr_desktop.ui.dialogs.backup import BackupDialog
from nvr_desktop.ui.main_window import MainWindow

SHOTS = Path("/tmp/backup_shots")


def test_an_administrator_backs_up_the_database_from_the_window(
    qtbot: QtBot,
    app: QApplication,
    services: Any,
    admin: Principal,
    cameras: list[Camera],
    make_live: Any,
    tmp_path: Path,
) -> None:
    window = MainWindow(services, admin, make_live)
    qtbot.addWidget(window)
    assert window.action_backup.isEnabled()
    assert window.file_menu.actions()[0] is window.action_backup
    dialog = window.show_backup()
    qtbot.waitExposed(dialog)
    target = tmp_path / "from-window.sqlite3"
    dialog.path_edit.setText(str(target))
    assert dialog.start()
    assert dialog.result_label.text() == "Backing up…" and not dialog.backup_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=15_000)
    assert dialog.backup_button.isEnabled()
    text = dialog.result_label.text()
    assert str(target) in text and "Cameras: 2, users: 1" in text
    assert "Camera passwords and edge pairing tokens are not in it" in dialog.note.text()
    assert inspect_backup(target).counts["cameras"] == 2
    assert ("boss", "backup.create") in [(e.actor, e.action) for e in services.audit.entries()]
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / "backup_done.png"))

    # The same name again: kept, with the reason, unless "Replace" is ticked.
    before = target.read_bytes()
    assert dialog.start()
    qtbot.waitUntil(lambda: not dialog.busy and not dialog._results and dialog.error_label.isVisible(), timeout=15_000)
    assert "exists already" in dialog.error_label.text() and "Replace the file" in dialog.error_label.text()
    assert target.read_bytes() == before
    assert dialog.grab().save(str(SHOTS / "backup_exists.png"))
    dialog.replace_box.setChecked(True)
    dialog.saved = None
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.saved is not None, timeout=15_000)
    assert not dialog.error_label.isVisible()
    window.close()


def test_a_viewer_cannot_back_up(
    qtbot: QtBot, app: QApplication, services: Any, viewer: Principal, make_live: Any, tmp_path: Path
) -> None:
    window = MainWindow(services, viewer, make_live)
    qtbot.addWidget(window)
    assert not window.action_backup.isEnabled()
    assert "Only administrators" in window.action_backup.statusTip()
    window.close()
    dialog = BackupDialog(services, viewer)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.path_edit.setText(str(tmp_path / "b.sqlite3"))
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.error_label.isVisible(), timeout=15_000)
    assert "not allowed" in dialog.error_label.text()
    assert not (tmp_path / "b.sqlite3").exists()
