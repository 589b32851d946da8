"""Translations: the resources folder, the translators, and .ts/.qm files kept complete and in sync."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.app import build_services
from nvr_desktop.core.models import Principal
from nvr_desktop.ui.dialogs.login import LoginDialog
from nvr_desktop.ui.i18n import install_translators, remove_translators, resources_dir, translation_file
from nvr_desktop.ui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[3]
TRANSLATIONS = ROOT / "resources" / "translations"
BIN = Path(sys.executable).parent
PLACEHOLDER = re.compile(r"%(?:n|\d)")


def messages(ts: Path) -> dict[tuple[str, str], ET.Element]:
    """{(context, source): <message>} of a .ts file."""
    found = {}
    # Our own files from the repository, not untrusted input.
    for context in ET.parse(ts).getroot().iter("context"):  # noqa: S314
        name = context.findtext("name", "")
        for message in context.iter("message"):
            found[(name, message.findtext("source", ""))] = message
    return found


@pytest.fixture
def spanish_services(basedir: Path) -> Iterator[Any]:
    """Services whose config.toml asks for Spanish."""
    config = basedir / "config.toml"
    config.write_text(config.read_text(encoding="utf-8") + '[ui]\nlanguage = "es"\n', encoding="utf-8")
    built = build_services(basedir)
    yield built
    built.close()


@pytest.fixture
def in_spanish(app: QApplication, spanish_services: Any) -> Iterator[Any]:
    """The translators for the configured language (Spanish) installed, as run_gui does."""
    assert spanish_services.config.ui.language == "es"
    translators = install_translators(app, spanish_services.config.ui.language)
    yield spanish_services
    remove_translators(app, translators)


def test_resources_folder_is_the_repository_one() -> None:
    assert resources_dir() == ROOT / "resources"
    assert translation_file("es") == TRANSLATIONS / "nvr_desktop_es.qm"
    assert (resources_dir() / "styles" / "dark.qss").is_file()
    assert (resources_dir() / "icons" / "nvr-desktop.svg").is_file()


def test_resources_folder_in_a_pyinstaller_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


def test_spanish_config_translates_the_login_dialog(qtbot: QtBot, in_spanish: Any) -> None:
    dialog = LoginDialog(in_spanish)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Iniciar sesión en NVR Desktop"
    assert dialog.login_button.text() == "Iniciar sesión"
    assert dialog.quit_button.text() == "Salir"
    in_spanish.users.create_first_admin("boss", "correct-horse", actor="test")
    dialog.name_edit.setText("boss")
    dialog.password_edit.setText("not-the-password")
    dialog.submit()
    assert dialog.error_label.text() == "Nombre de usuario o contraseña incorrectos."


def test_spanish_main_window(qtbot: QtBot, in_spanish: Any, demo_dir: Path) -> None:
    in_spanish.users.create_first_admin("jefa", "correct-horse", actor="test")
    principal: Principal = in_spanish.auth.login("jefa", "correct-horse")
    from nvr_desktop.app import build_live_view

    window = MainWindow(in_spanish, principal, lambda cb: build_live_view(in_spanish, cb, demo_dir=demo_dir))
    qtbot.addWidget(window)
    window.show()
    assert window.windowTitle() == "NVR Desktop — jefa (administrador)"
    assert [a.text() for a in window.menuBar().actions()] == [
        "&Archivo",
        "&Ver",
        "&Cámaras",
        "&Herramientas",
        "Ay&uda",
    ]
    assert window.camera_count_label.text() == "0 cámaras"
    assert window.layout_actions[1].text() == "1 recuadro"
    assert window.page_label.text() == "Página 1 de 3"


def test_english_plurals(english: QApplication) -> None:
    def cameras(n: int) -> str:
        return QCoreApplication.translate("MainWindow", "%n camera(s)", None, n)

    assert (cameras(1), cameras(2), cameras(0)) == ("1 camera", "2 cameras", "0 cameras")


def test_unknown_language_falls_back_to_english(app: QApplication) -> None:
    translators = install_translators(app, "fr")
    try:
        assert QCoreApplication.translate("LoginDialog", "Log in") == "Log in"
        assert QCoreApplication.translate("MainWindow", "%n tile(s)", None, 2) == "2 tiles"
    finally:
        remove_translators(app, translators)


def test_spanish_translation_is_complete_and_keeps_placeholders() -> None:
    found = messages(TRANSLATIONS / "nvr_desktop_es.ts")
    assert len(found) > 50
    for (context, source), message in found.items():
        translation = message.find("translation")
        assert translation is not None
        assert translation.get("type") is None, f"unfinished or obsolete: {context}: {source!r}"
        forms = [f.text or "" for f in translation.iter("numerusform")] or [translation.text or ""]
        for form in forms:
            assert form.strip(), f"empty translation: {context}: {source!r}"
            assert sorted(PLACEHOLDER.findall(form)) == sorted(PLACEHOLDER.findall(source)), (context, source)
        if source.count("&") == 1:
            assert all(f.count("&") == 1 for f in forms), f"accelerator lost: {context}: {source!r}"


def test_english_file_holds_every_plural() -> None:
    found = messages(TRANSLATIONS / "nvr_desktop_en.ts")
    assert found, "no plural forms in the English file"
    for (context, source), message in found.items():
        assert message.get("numerus") == "yes"
        forms = [f.text or "" for f in message.iter("numerusform")]
        assert len(forms) == 2 and all(forms), f"{context}: {source!r}"
        assert "(s)" not in "".join(forms)


@pytest.mark.skipif(not (BIN / "pyside6-lupdate").exists(), reason="pyside6-lupdate is not installed")
def test_translation_files_list_every_string_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    command = [
        str(BIN / "pyside6-lupdate"),
        "-silent",
        "-extensions",
        "py",
        "-locations",
        "none",
        str(ROOT / "nvr_desktop" / "ui"),
        "-source-language",
        "en",
        "-target-language",
        "es",
        "-ts",
        str(fresh),
    ]
    subprocess.run(
        command,
        check=True,
        timeout=120,
    )
    in_code = set(messages(fresh))
    in_file = set(messages(TRANSLATIONS / "nvr_desktop_es.ts"))
    assert in_code - in_file == set(), "run the commands in resources/translations/README.md"
    assert in_file - in_code == set(), "strings no longer in the code: run lupdate with -no-obsolete"


@pytest.mark.skipif(not (BIN / "pyside6-lrelease").exists(), reason="pyside6-lrelease is not installed")
@pytest.mark.parametrize("language", ["en", "es"])
def test_compiled_files_match_the_sources(tmp_path: Path, language: str) -> None:
    source = tmp_path / f"nvr_desktop_{language}.ts"
    shutil.copy(TRANSLATIONS / source.name, source)
    subprocess.run([str(BIN / "pyside6-lrelease"), "-silent", str(source)], check=True, timeout=120)
    assert source.with_suffix(".qm").read_bytes() == (TRANSLATIONS / source.with_suffix(".qm").name).read_bytes()
