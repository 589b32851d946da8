"""Edge devices in the window (real services, real SQLite, the test keyring, real widgets offscreen): pairing shows
the token once and keeps it only in the keyring, the list shows health from heartbeats, revoking stops the device,
and a viewer is refused; a first pairing starts the listener of the running app without a restart."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from edge.protocol import Heartbeat, decode_pairing_token
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.ui.dialogs.edge_devices import EdgeDevicesDialog, PairDialog
from tests.unit.ui.test_main_window import open_window

SHOTS = Path("/tmp/edge_shots")


def column(dialog: EdgeDevicesDialog, name: str) -> list[str]:
    col = dialog.COLUMNS.index(name)
    return [dialog.table.item(r, col).text() for r in range(dialog.table.rowCount())]


def test_pairing_shows_the_token_once_and_revoking_stops_the_device(
    qtbot: QtBot, english: QApplication, services: Any, admin: Principal, cameras: list[Camera]
) -> None:
    dialog = EdgeDevicesDialog(services, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.table.rowCount() == 0 and not dialog.revoke_button.isEnabled()
    paired: list[Any] = []
    dialog.paired.connect(paired.append)
    pairing = dialog.open_pairing()
    qtbot.keyClicks(pairing.id_edit, "pi front door")  # a space is not allowed in an id
    pairing.camera_combo.setCurrentIndex(pairing.camera_combo.findData(cameras[0].id))
    pairing.pair()
    assert pairing.device is None and "device id" in pairing.error_label.text()
    pairing.id_edit.setText("pi-front-door")
    pairing.pair()
    assert pairing.device is not None and pairing.token_edit.isVisible()
    token = pairing.token_edit.text()
    assert services.vault.load_edge_token("pi-front-door") == token
    assert decode_pairing_token(token)
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert pairing.grab().save(str(SHOTS / "pair_dialog.png"))
    pairing.copy_token()
    assert QApplication.clipboard().text() == token
    pairing.accept()
    assert pairing.token_edit.text() == "", "the token is forgotten when the dialog closes"
    assert [d.device_id for d in paired] == ["pi-front-door"]

    services.edge.record_heartbeat(
        Heartbeat("pi-front-door", "0.1.0", 3600.0, 30.0, 4, 1, 0, 17, 51.5), datetime.now(UTC), 0.2
    )
    dialog.refresh()
    assert column(dialog, "device") == ["pi-front-door"]
    assert column(dialog, "camera") == [cameras[0].name]
    assert column(dialog, "status") == ["Online"]
    assert column(dialog, "queue") == ["4"] and column(dialog, "temperature") == ["51.5 °C"]
    dialog.resize(900, 300)
    assert dialog.grab().save(str(SHOTS / "edge_devices.png"))

    dialog.table.selectRow(0)
    assert dialog.revoke_button.isEnabled()
    assert dialog.revoke_selected(confirm=False)
    assert column(dialog, "status") == ["Revoked"] and not dialog.revoke_button.isEnabled()
    assert services.vault.load_edge_token("pi-front-door") is None
    assert services.edge.lookup_token("pi-front-door") is None
    actions = [e.action for e in services.audit.entries()]
    assert "edge.add" in actions and "edge.revoke" in actions


def test_a_viewer_cannot_pair(qtbot: QtBot, english: QApplication, services: Any, viewer: Principal) -> None:
    dialog = EdgeDevicesDialog(services, viewer)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 0 and "not allowed to manage edge devices" in dialog.error_label.text()
    pairing = PairDialog(services, viewer)
    qtbot.addWidget(pairing)
    pairing.id_edit.setText("pi-sneaky")
    pairing.pair()
    assert pairing.device is None and services.vault.load_edge_token("pi-sneaky") is None


def test_the_first_pairing_starts_the_listener_without_a_restart(
    qtbot: QtBot, english: QApplication, services: Any, admin: Principal, make_live: Any
) -> None:
    from nvr_desktop.app import start_runtime

    runtime = start_runtime(services)
    assert runtime.listener is None, "no device paired: nothing listens"
    window = open_window(qtbot, services, admin, make_live)
    assert window.action_edge.isEnabled()
    dialog = window.show_edge_devices()
    pairing = dialog.open_pairing()
    pairing.id_edit.setText("pi-hall")
    pairing.pair()
    pairing.accept()
    deadline = time.monotonic() + 10
    while runtime.listener is None:
        assert time.monotonic() < deadline, "the listener did not start after the first pairing"
        qtbot.wait(50)
    assert runtime.listener.port > 0
