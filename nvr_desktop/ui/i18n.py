"""Locating the resources folder and installing the translators for the configured language."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

log = logging.getLogger("ui.i18n")

#: Languages the app ships translations for (the config schema allows the same set).
LANGUAGES = ("en", "es")
TRANSLATION_PREFIX = "nvr_desktop_"


def resources_dir() -> Path:
    """The resources/ folder: at the repository root, or under sys._MEIPASS in a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def translation_file(language: str, resources: Path | None = None) -> Path:
    """The compiled translation (.qm) of the app for a language."""
    return (resources or resources_dir()) / "translations" / f"{TRANSLATION_PREFIX}{language}.qm"


def install_translators(app: QCoreApplication, language: str, resources: Path | None = None) -> list[QTranslator]:
    """Load and install the app's and Qt's own translations for language; return them for later removal.

    A missing Qt translation is normal (PySide6 wheels may lack some); a missing app translation is logged,
    and the interface stays in English rather than failing to start.
    """
    if language not in LANGUAGES:
        log.warning("no translation for language %r; using English", language)
        language = "en"
    installed: list[QTranslator] = []
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(app)
    if language != "en" and qt_translator.load(QLocale(language), "qtbase", "_", qt_folder):
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    app_translator = QTranslator(app)
    path = translation_file(language, resources)
    if app_translator.load(str(path)):
        app.installTranslator(app_translator)
        installed.append(app_translator)
    else:
        log.warning("cannot load the translation file %s; the interface stays in English", path)
    return installed


def remove_translators(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Uninstall translators installed by install_translators."""
    for translator in translators:
        app.removeTranslator(translator)
        translator.deleteLater()
