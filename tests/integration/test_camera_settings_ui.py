"""Editing a camera in the window (real services, the test keyring, a real RTSP camera, real widgets offscreen):
every field reaches the database, the password only the keyring, the connection test shows the real picture, a bad
polygon is refused with its reason, and a viewer cannot edit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.core.models import RecordMode
from nvr_desktop.core.roles import Role
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.application import apply_theme, create_application
from nvr_desktop.ui.dialogs.camera_settings import CameraSettingsDialog
from nvr_desktop.ui.i18n import install_translators, remove_translators
from nvr_desktop.ui.main_window import MainWindow
from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER

SHOTS = Path("/tmp/camera_settings_shots")


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    application = create_application()
    apply_theme(application)
    translators = install_translators(application, "en")
    yield application
    remove_translators(application, translators)
    application.setStyleSheet("")


def shot(dialog: CameraSettingsDialog, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / name))


def test_every_field_is_stored_and_the_test_shows_the_real_picture(
    qtbot: QtBot, app: QApplication, services: Any, admin: Any, rtsp_server_auth: RtspTestServer
) -> None:
    camera = services.cameras.add(admin, CameraSpec(name="Gate", main_url=rtsp_server_auth.url(1)))
    dialog = CameraSettingsDialog(services, admin, camera)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.user_edit.setText(RTSP_USER)
    dialog.password_edit.setText(RTSP_PASSWORD)
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=30_000)
    assert dialog.probe_label.text().startswith("H264 640x360"), dialog.probe_label.text()
    pixmap = dialog.thumbnail.pixmap()
    assert isinstance(pixmap, QPixmap) and not pixmap.isNull(), "the camera's picture"
    shot(dialog, "connection.png")

    dialog.name_edit.setText("Front gate")
    dialog.sub_edit.setText(rtsp_server_auth.url(2))
    dialog.mode_combo.setCurrentIndex(dialog.mode_combo.findData(RecordMode.CONTINUOUS))
    dialog.days_spin.setValue(14)
    dialog.tabs.setCurrentIndex(1)
    shot(dialog, "recording.png")
    dialog.motion_check.setChecked(True)
    dialog.sensitivity_slider.setValue(8)
    dialog.zones_edit.setPlainText("0,0.5 1,0.5 1,1 0,1\n")
    dialog.masks_edit.setPlainText("0.8,0 1,0 1,0.2")
    dialog.tabs.setCurrentIndex(2)
    shot(dialog, "motion.png")
    assert dialog.save() and dialog.saved is not None

    stored = services.cameras.get(admin, camera.id)
    assert (stored.name, stored.sub_url, stored.record_mode, stored.retention_days) == (
        "Front gate",
        rtsp_server_auth.url(2),
        RecordMode.CONTINUOUS,
        14,
    )
    assert stored.username == RTSP_USER and stored.has_password
    assert services.vault.load(camera.id) == RTSP_PASSWORD
    assert stored.motion.enabled and stored.motion.sensitivity == 8
    assert stored.motion.zones == (((0.0, 0.5), (1.0, 0.5), (1.0, 1.0), (0.0, 1.0)),)
    assert len(stored.motion.masks) == 1
    assert RTSP_PASSWORD not in repr(stored.to_public_dict())
    audit = [(e.action, e.target) for e in services.audit.entries()]
    assert ("camera.update", f"camera:{camera.id}") in audit

    # Opened again: the password is never shown, and the stored one tests the camera.
    again = CameraSettingsDialog(services, admin, stored)
    qtbot.addWidget(again)
    assert again.password_edit.text() == "" and "unchanged" in again.password_edit.placeholderText()
    again.test_connection()
    qtbot.waitUntil(lambda: again.test_button.isEnabled(), timeout=30_000)
    assert again.probe_label.text().startswith("H264"), again.probe_label.text()
    again.reject()  # closing stops its test thread

    # The keyring lost the password (a database restored on another machine): the test says so, it never dials.
    services.vault.delete(camera.id)
    lost = CameraSettingsDialog(services, admin, stored)
    qtbot.addWidget(lost)
    lost.test_connection()
    qtbot.waitUntil(lambda: lost.test_button.isEnabled(), timeout=30_000)
    assert "password is not in this machine's keyring" in lost.probe_label.text(), lost.probe_label.text()
    lost.reject()


def test_a_bad_zone_is_refused_and_nothing_changes(qtbot: QtBot, app: QApplication, services: Any, admin: Any) -> None:
    camera = services.cameras.add(admin, CameraSpec(name="Yard", main_url="rtsp://127.0.0.1:8554/yard"))
    dialog = CameraSettingsDialog(services, admin, camera)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Back yard")
    dialog.zones_edit.setPlainText("0,0 1,0 nonsense")
    assert not dialog.save()
    assert "nonsense" in dialog.error_label.text()
    assert services.cameras.get(admin, camera.id).name == "Yard"


def test_a_viewer_cannot_edit_cameras(
    qtbot: QtBot, app: QApplication, services: Any, admin: Any, make_live: Any
) -> None:
    camera = services.cameras.add(admin, CameraSpec(name="Yard", main_url="rtsp://127.0.0.1:8554/yard"))
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {camera.id})
    viewer = services.auth.login("vic", "viewer-pass-1")
    window = MainWindow(services, viewer, make_live)
    qtbot.addWidget(window)
    assert not window.action_camera_settings.isEnabled()
    dialog = CameraSettingsDialog(services, viewer, camera)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Mine now")
    assert not dialog.save() and "not allowed" in dialog.error_label.text()
    assert services.cameras.get(admin, camera.id).name == "Yard"
    window.close()
