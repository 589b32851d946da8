"""The add-camera wizard against real peers on 127.0.0.1: the GStreamer RTSP server, nmap, and the ONVIF device
simulator (tests/support/onvif_sim.py: a simulator because no ONVIF camera can run here; real SOAP and WS-Discovery).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.ui.application import apply_theme, create_application
from nvr_desktop.ui.dialogs.add_camera import AddCameraDialog
from nvr_desktop.ui.i18n import install_translators, remove_translators
from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER, RtspServerFactory
from tests.support.onvif_sim import OnvifSimulator, SimProfile

SHOTS = Path(os.environ.get("NVR_TEST_SHOTS", "/tmp/onboard_shots"))


@pytest.fixture
def sim(rtsp_server_auth: RtspTestServer) -> Iterator[OnvifSimulator]:
    profiles = [
        SimProfile("prof_main", "MainStream", 640, 360, 25, rtsp_server_auth.url(1)),
        SimProfile("prof_sub", "SubStream", 320, 180, 10, rtsp_server_auth.url(2)),
    ]
    with OnvifSimulator(profiles, username=RTSP_USER, password=RTSP_PASSWORD, name="Gate PTZ") as device:
        yield device


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The application themed and translated as run_gui does it (the screenshots show the real look)."""
    application = create_application()
    apply_theme(application)
    translators = install_translators(application, "en")  # the English plural forms
    yield application
    remove_translators(application, translators)
    application.setStyleSheet("")


@pytest.fixture
def wizard(qtbot: QtBot, app: QApplication, services: Any, admin: Any) -> Iterator[AddCameraDialog]:
    dialog = AddCameraDialog(services, admin)
    qtbot.addWidget(dialog)
    dialog.resize(900, 600)
    dialog.show()
    yield dialog
    dialog.close()


def idle(qtbot: QtBot, dialog: AddCameraDialog, timeout_s: float = 30) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=int(timeout_s * 1000))


def shot(dialog: AddCameraDialog, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / f"{name}.png"))


def test_onvif_discovery_profiles_and_add(
    qtbot: QtBot, wizard: AddCameraDialog, sim: OnvifSimulator, services: Any, admin: Any
) -> None:
    wizard.discovery_target = ("127.0.0.1", sim.discovery_port)
    wizard.discovery_timeout_s = 0.5
    wizard.user_edit.setText(RTSP_USER)
    wizard.password_edit.setText(RTSP_PASSWORD)
    wizard.tabs.setCurrentIndex(wizard.ONVIF)
    wizard.discover_button.click()
    idle(qtbot, wizard)
    assert wizard.xaddr_edit.text() == sim.xaddr
    wizard.profiles_button.click()
    idle(qtbot, wizard)
    assert wizard.error_label.isHidden(), wizard.error_label.text()
    assert wizard.device_label.text() == "SimVision SV-PTZ-2, firmware 1.0.7"
    table = wizard.profiles_table
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert [r[:5] for r in rows] == [
        ["MainStream", "H264", "640x360", "25", "yes"],
        ["SubStream", "H264", "320x180", "10", "yes"],
    ]
    shot(wizard, "wizard_onvif_profiles")
    assert wizard.add_button.isEnabled()
    wizard.add_button.click()
    idle(qtbot, wizard)
    assert wizard.status_label.text() == "1 camera added", wizard.error_label.text()
    (camera,) = wizard.added
    assert camera.main_url.endswith("/cam1") and camera.sub_url is not None and camera.sub_url.endswith("/cam2")
    assert services.vault.load(camera.id) == RTSP_PASSWORD


def test_scan_of_loopback_merges_nmap_and_onvif(
    qtbot: QtBot, wizard: AddCameraDialog, sim: OnvifSimulator, rtsp_server_auth: RtspTestServer
) -> None:
    wizard.discovery_target = ("127.0.0.1", sim.discovery_port)
    wizard.discovery_timeout_s = 0.5
    wizard.tabs.setCurrentIndex(wizard.SCAN)
    wizard.range_edit.setText("127.0.0.1")
    assert not wizard.scan_button.isEnabled(), "nothing is scanned before the user confirms"
    assert wizard.confirm_check.text() == "I may scan 127.0.0.1/32: 1 address"
    wizard.extra_ports_edit.setText(f"{rtsp_server_auth.port}, {sim.port}")
    wizard.confirm_check.setChecked(True)
    wizard.scan_button.click()
    idle(qtbot, wizard, 60)
    assert wizard.error_label.isHidden(), wizard.error_label.text()
    table = wizard.scan_table
    assert table.rowCount() == 1
    assert table.item(0, 0).text() == "127.0.0.1"
    assert {int(p) for p in table.item(0, 1).text().split(", ")} >= {rtsp_server_auth.port, sim.port}
    assert (table.item(0, 2).text(), table.item(0, 3).text()) == ("yes", "Gate PTZ")
    assert wizard.status_label.text() == "1 device found"
    assert not wizard.add_button.isEnabled(), "a scan result is taken to another page before it is added"
    table.selectRow(0)
    shot(wizard, "wizard_scan_results")
    wizard.use_button.click()
    assert wizard.tabs.currentIndex() == wizard.ONVIF and wizard.xaddr_edit.text() == sim.xaddr
    wizard.range_edit.setText("10.0.0.0/8")
    assert not wizard.scan_button.isEnabled() and "at most 1024" in wizard.error_label.text()


def test_test_connection_shows_the_stream_and_a_thumbnail(
    qtbot: QtBot, wizard: AddCameraDialog, rtsp_server_auth: RtspTestServer
) -> None:
    wizard.url_edit.setText(rtsp_server_auth.url(1))
    wizard.user_edit.setText(RTSP_USER)
    wizard.password_edit.setText("wrong-password")
    wizard.test_button.click()
    idle(qtbot, wizard)
    assert wizard.probe_label.text() == "Failed: the camera refused the user name or password"
    wizard.password_edit.setText(RTSP_PASSWORD)
    wizard.name_edit.setText("Gate")
    wizard.test_button.click()
    idle(qtbot, wizard)
    assert wizard.probe_label.text() == "H264 640x360, 25 fps, no audio"
    pixmap = wizard.thumbnail.pixmap()
    assert not pixmap.isNull() and pixmap.width() == 320
    image = pixmap.toImage()
    assert len({image.pixel(x, y) for x in range(0, 320, 23) for y in range(0, 180, 17)}) > 10
    shot(wizard, "wizard_test_connection")
    assert RTSP_PASSWORD not in wizard.probe_label.text() + wizard.status_label.text()


def test_dvr_page_adds_16_probed_channels_with_progress(
    qtbot: QtBot,
    wizard: AddCameraDialog,
    h264_clip_360p: Path,
    rtsp_server_factory: RtspServerFactory,
    services: Any,
    admin: Any,
) -> None:
    dvr = rtsp_server_factory(h264_clip_360p, 16)
    wizard.tabs.setCurrentIndex(wizard.DVR)
    wizard.brand_combo.setCurrentIndex(wizard.brand_combo.findData("hikvision"))
    wizard.host_edit.setText("127.0.0.1")
    wizard.port_spin.setValue(dvr.port)
    wizard.channels_spin.setValue(16)
    wizard.path_edit.setText("/cam{channel}")
    wizard.prefix_edit.setText("Depot")
    wizard.add_button.click()
    assert wizard.cancel_button.isEnabled() and wizard.progress_bar.maximum() == 16
    idle(qtbot, wizard, 60)
    assert wizard.status_label.text() == "16 cameras added", wizard.error_label.text()
    assert wizard.progress_bar.value() == 16 and not wizard.cancel_button.isEnabled()
    assert [(c.name, c.channel, c.brand) for c in services.cameras.list(admin)] == [
        (f"Depot ch{n}", n, "hikvision") for n in range(1, 17)
    ]
    shot(wizard, "wizard_dvr_added")
    # Again, cancelled at once: the probes already running finish, nothing else starts.
    wizard.prefix_edit.setText("Again")
    wizard.add_button.click()
    wizard.cancel_button.click()
    idle(qtbot, wizard, 60)
    assert wizard.status_label.text().endswith("(cancelled)")
    assert len(services.cameras.list(admin)) <= 16 + 4
