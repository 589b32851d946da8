"""Settings from the window (real services, real config.toml, real widgets offscreen): an administrator switches the
interface to Spanish, the file says so and the change is audited; the next start comes up in Spanish; a viewer is
refused and changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.core.config import load_config
from nvr_desktop.core.models import Principal
from nvr_desktop.ui.dialogs.settings import SettingsDialog
from nvr_desktop.ui.i18n import install_translators, remove_translators
from nvr_desktop.ui.main_window import MainWindow

SHOTS = Path("/tmp/settings_shots")


def test_an_administrator_switches_the_language_for_the_next_start(
    qtbot: QtBot, app: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    dialog = SettingsDialog(services, admin)
    qtbot.addWidget(dialog)
    assert dialog.language_combo.currentData() == "en"
    assert [dialog.language_combo.itemText(i) for i in range(dialog.language_combo.count())] == ["English", "Español"]
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("es"))
    assert dialog.save() and dialog.saved
    assert load_config(services.paths.config).ui.language == "es"
    assert ("boss", "settings.language") in [(e.actor, e.action) for e in services.audit.entries()]

    # The next start reads the file and installs the Spanish translation before it builds the window.
    translators = install_translators(app, load_config(services.paths.config).ui.language)
    try:
        window = MainWindow(services, admin, make_live)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        menus = [action.text() for action in window.menuBar().actions()]
        assert menus[:2] == ["&Archivo", "&Ver"], menus
        assert window.action_settings.text() == "&Configuración…"
        SHOTS.mkdir(parents=True, exist_ok=True)
        assert window.grab().save(str(SHOTS / "main_window_es.png"))
        window.close()
    finally:
        remove_translators(app, translators)


def test_a_viewer_cannot_change_settings(
    qtbot: QtBot, app: QApplication, services: Any, viewer: Principal, make_live: Any
) -> None:
    dialog = SettingsDialog(services, viewer)
    qtbot.addWidget(dialog)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("es"))
    assert not dialog.save()
    assert "not allowed" in dialog.error_label.text()
    assert load_config(services.paths.config).ui.language == "en"
    window = MainWindow(services, viewer, make_live)
    qtbot.addWidget(window)
    assert not window.action_settings.isEnabled()
    window.close()
