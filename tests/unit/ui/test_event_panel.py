"""The event panel over real parts: detections through the real listener (real snapshot files), the real SQLite
file, real Qt widgets: thumbnails, filters, live updates from the listener thread, acknowledge and resolve by
rights, the alert banner; screenshots under /tmp/event_shots."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFont, QImage, QLinearGradient, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from edge.protocol import Detection, decode_pairing_token, sign_request
from nvr_desktop.core.models import AlertState, EventState, Principal
from nvr_desktop.core.roles import Role
from nvr_desktop.events.store import EventStore
from nvr_desktop.net.listener import DETECTIONS_PATH, EdgeListener, ListenerLimits
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.events.models import ROW_ID_ROLE, EventTableModel
from nvr_desktop.ui.events.panel import POLL_MS, AlertBanner, AlertNotifier, EventPanel
from nvr_desktop.ui.i18n import install_translators, remove_translators
from tests.integration.test_edge_listener import multipart, post

SHOTS = Path("/tmp/event_shots")


def snapshot_jpeg(text: str, hue: int) -> bytes:
    """A 640x360 JPEG that looks like a scene: a gradient, a 'person' box and a caption."""
    image = QImage(640, 360, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    gradient = QLinearGradient(0, 0, 640, 360)
    gradient.setColorAt(0, QColor.fromHsv(hue, 120, 200))
    gradient.setColorAt(1, QColor.fromHsv((hue + 60) % 360, 160, 80))
    painter.fillRect(image.rect(), gradient)
    painter.setPen(QColor(255, 230, 0))
    painter.drawRect(QRect(250, 90, 120, 230))
    painter.setPen(QColor(255, 255, 255))
    font = QFont()
    font.setPixelSize(48)
    painter.setFont(font)
    painter.drawText(QPoint(24, 64), text)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert image.save(buffer, "JPG", 85)
    return bytes(data.data())


class Site:
    """Gate and Yard cameras with a paired device each, and the listener wired as the app wires it."""

    def __init__(self, services: Any, admin: Principal) -> None:
        self.services = services
        self.admin = admin
        self.gate = services.cameras.add(admin, CameraSpec(name="Front gate", main_url="rtsp://127.0.0.1/a")).id
        self.yard = services.cameras.add(admin, CameraSpec(name="Back yard", main_url="rtsp://127.0.0.1/b")).id
        self.tokens = {
            device: decode_pairing_token(services.edge.add(admin, device, camera_id=camera)[1])
            for device, camera in (("pi-gate", self.gate), ("pi-yard", self.yard))
        }
        self.sequence = 0
        store = EventStore(services.db, services.paths.snapshots, on_new=services.alerting.on_event)
        self.server = EdgeListener(store, services.edge.lookup_token, port=0, limits=ListenerLimits(burst=100))
        self.server.start()

    def push(self, device: str, score: float, text: str, hue: int) -> int:
        self.sequence += 1
        found = Detection.create(device, datetime.now(UTC), score, ((250, 90, 120, 230),), (640, 360), ("person",))
        found = Detection(**{**found.__dict__, "sequence": self.sequence})
        body = multipart(found.to_json(), snapshot_jpeg(text, hue))
        headers = sign_request(self.tokens[device], device, "POST", DETECTIONS_PATH, body, time.time())
        status, reply = post(self.server, body, headers)
        assert status == 201, reply
        return int(reply["event_id"])


@pytest.fixture
def site(services: Any, admin: Principal) -> Iterator[Site]:
    built = Site(services, admin)
    for n, score in enumerate((0.55, 0.9, 0.7)):
        built.push("pi-gate", score, f"Gate #{n + 1}", 20 + n * 15)
    built.push("pi-yard", 0.4, "Yard #1", 200)
    yield built
    built.server.stop()


def open_panel(qtbot: QtBot, services: Any, principal: Principal) -> EventPanel:
    panel = EventPanel(services, principal)
    qtbot.addWidget(panel)
    panel.resize(1100, 420)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def shot(widget: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    assert widget.grab().save(str(path))
    return path


def column(model: Any, name: str) -> list[str]:
    col = model.COLUMNS.index(name)
    return [model.index(r, col).data() for r in range(model.rowCount())]


def test_events_show_with_thumbnails_and_filters_work(qtbot: QtBot, english: QApplication, site: Site) -> None:
    panel = open_panel(qtbot, site.services, site.admin)
    assert panel.event_model.rowCount() == 4 and panel.alert_model.rowCount() == 1
    assert column(panel.event_model, "camera") == ["Back yard", "Front gate", "Front gate", "Front gate"]
    for row in range(4):
        pixmap = panel.event_model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
        assert not pixmap.isNull() and (pixmap.width(), pixmap.height()) == (96, 54)
    assert column(panel.alert_model, "severity") == ["Critical"]
    assert column(panel.alert_model, "detections") == ["3"]
    assert column(panel.alert_model, "state") == ["Pending"]
    gate_rows = [r for r in range(4) if panel.event_model.events[r].camera_id == site.gate]
    assert all(panel.event_model.index(r, 1).data(Qt.ItemDataRole.BackgroundRole) is not None for r in gate_rows)

    panel.camera_combo.setCurrentIndex(panel.camera_combo.findData(site.yard))
    assert column(panel.event_model, "device") == ["pi-yard"] and panel.alert_model.rowCount() == 0
    panel.camera_combo.setCurrentIndex(0)
    panel.device_combo.setCurrentIndex(panel.device_combo.findData("pi-gate"))
    assert column(panel.event_model, "device") == ["pi-gate"] * 3
    panel.device_combo.setCurrentIndex(0)
    panel.range_combo.setCurrentIndex(1)  # the last hour: everything is newer
    assert panel.event_model.rowCount() == 4
    site.services.events.resolve(site.admin, panel.event_model.events[0].id, "checked")
    panel.state_combo.setCurrentIndex(panel.state_combo.findData("resolved"))
    assert column(panel.event_model, "state") == ["Resolved (boss)"] and panel.alert_model.rowCount() == 0
    panel.state_combo.setCurrentIndex(panel.state_combo.findData("open"))
    assert panel.event_model.rowCount() == 3 and panel.alert_model.rowCount() == 1
    panel.state_combo.setCurrentIndex(0)
    panel.tabs.setCurrentWidget(panel.events_view)
    shot(panel, "event_panel_events_en.png")
    view = panel.events_view
    image = view.viewport().grab().toImage()
    x = view.columnViewportPosition(EventTableModel.COLUMNS.index("score")) + 2

    def colour(row: int) -> QColor:
        return image.pixelColor(x, view.rowViewportPosition(row) + 4)

    yard_row = next(r for r in range(4) if panel.event_model.events[r].camera_id == site.yard)
    gate_row = next(r for r in range(4) if panel.event_model.events[r].camera_id == site.gate)
    assert colour(gate_row).red() > colour(gate_row).blue() + 20, "a pending critical alert's events are tinted red"
    assert abs(colour(yard_row).red() - colour(yard_row).blue()) < 20, "other rows keep the table's background"
    panel.release()


def test_new_events_and_alerts_appear_live(qtbot: QtBot, english: QApplication, site: Site) -> None:
    panel = open_panel(qtbot, site.services, site.admin)
    banner = AlertBanner()
    qtbot.addWidget(banner)
    notifier = AlertNotifier(banner)
    panel.alertRaised.connect(notifier.notify)
    resets: list[str] = []
    panel.event_model.modelReset.connect(lambda: resets.append("events"))
    panel.alert_model.modelReset.connect(lambda: resets.append("alerts"))
    with qtbot.waitSignal(panel.alertRaised, timeout=5000):
        for n in range(3):  # from this thread through HTTP: stored on the listener's thread
            site.push("pi-yard", 0.65, f"Yard #{n + 2}", 220 + n * 20)
    qtbot.waitUntil(lambda: panel.event_model.rowCount() == 7, timeout=5000)
    assert panel.alert_model.rowCount() == 2
    assert column(panel.alert_model, "camera")[0] == "Back yard"
    assert banner.isVisibleTo(banner.parentWidget() or banner) or not banner.isHidden()
    assert notifier.shown == ["Alert: Warning — burst on Back yard: 3 detections"]
    # The alert went on top and coloured its detections without a re-read of either table (a burst of alerts on
    # fifty devices at once stalled the GUI thread for 200 ms that way) ...
    assert resets == []
    new_alert = panel.alert_model.alerts[0]
    tinted = {
        e.id
        for r, e in enumerate(panel.event_model.events)
        if panel.event_model.index(r, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    }
    assert set(new_alert.event_ids) <= tinted
    live = ([a.id for a in panel.alert_model.alerts], [e.id for e in panel.event_model.events], tinted)
    # ... and the rows are those a full read of the database shows.
    panel.reload()
    tinted = {
        e.id
        for r, e in enumerate(panel.event_model.events)
        if panel.event_model.index(r, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    }
    assert live == ([a.id for a in panel.alert_model.alerts], [e.id for e in panel.event_model.events], tinted)
    panel.release()
    banner.close()


def test_new_events_go_on_top_without_a_reload_and_keep_to_the_filters(
    qtbot: QtBot, english: QApplication, site: Site
) -> None:
    panel = open_panel(qtbot, site.services, site.admin)
    panel.camera_combo.setCurrentIndex(panel.camera_combo.findData(site.gate))
    assert column(panel.event_model, "camera") == ["Front gate"] * 3
    resets: list[int] = []
    panel.event_model.modelReset.connect(lambda: resets.append(1))
    gate_event = site.push("pi-gate", 0.3, "Gate #4", 40)  # the gate's alert is already raised: no new alert
    site.push("pi-yard", 0.3, "Yard #2", 230)  # filtered out: another camera
    qtbot.waitUntil(lambda: panel.event_model.rowCount() == 4, timeout=5000)
    qtbot.wait(2 * POLL_MS)  # the yard event has been polled too
    assert panel.event_model.rowCount() == 4 and panel.event_model.events[0].id == gate_event
    assert resets == [], "new events alone must not re-read the table"
    # Under no filter the same rows come back from the database: the live rows were the right ones.
    panel.camera_combo.setCurrentIndex(0)
    assert [e.id for e in panel.event_model.events][:2] == sorted(
        (e.id for e in site.services.events.list(site.admin, limit=2)), reverse=True
    )
    panel.release()


def test_acknowledge_and_resolve_through_the_panel(qtbot: QtBot, english: QApplication, site: Site) -> None:
    services = site.services
    panel = open_panel(qtbot, services, site.admin)
    (alert,) = services.alerts.list(site.admin)
    panel.tabs.setCurrentWidget(panel.alerts_view)
    assert not panel.ack_button.isEnabled(), "nothing selected"
    assert panel.select_row(panel.alerts_view, alert.id)
    assert panel.ack_button.isEnabled() and panel.resolve_button.isEnabled()
    qtbot.keyClicks(panel.note_edit, "guard sent to the gate")
    qtbot.mouseClick(panel.ack_button, Qt.MouseButton.LeftButton)
    (acked,) = services.alerts.list(site.admin)
    assert (acked.state, acked.acked_by, acked.ack_note) == (AlertState.ACKNOWLEDGED, "boss", "guard sent to the gate")
    assert panel.status_label.text() == f"Alert {alert.id} acknowledged."
    assert column(panel.alert_model, "state") == ["Acknowledged (boss)"]
    assert column(panel.alert_model, "note") == ["guard sent to the gate"]
    assert not panel.ack_button.isEnabled() and panel.resolve_button.isEnabled()
    assert panel.alert_model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None, "no longer highlighted"
    panel.tabs.setCurrentWidget(panel.events_view)
    yard_event = next(e for e in panel.event_model.events if e.camera_id == site.yard)
    assert panel.select_row(panel.events_view, yard_event.id)
    qtbot.mouseClick(panel.resolve_button, Qt.MouseButton.LeftButton)
    assert services.events.list(site.admin, camera_id=site.yard)[0].state is EventState.RESOLVED
    audit = [(e.actor, e.action, e.target) for e in services.audit.entries()]
    assert ("boss", "alert.ack", f"alert:{alert.id}") in audit
    assert ("boss", "event.resolve", f"event:{yard_event.id}") in audit
    panel.tabs.setCurrentWidget(panel.alerts_view)
    panel.alerts_view.clearSelection()
    shot(panel, "event_panel_alert_acknowledged_en.png")
    panel.release()


def test_rights_decide_what_shows_and_what_may_be_handled(qtbot: QtBot, english: QApplication, site: Site) -> None:
    services, admin = site.services, site.admin
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass-1")
    services.users.grant(admin, "olga", {site.yard})
    olga = services.auth.login("olga", "operator-pass-1")
    panel = open_panel(qtbot, services, olga)
    assert column(panel.event_model, "camera") == ["Back yard"] and panel.alert_model.rowCount() == 0
    assert [panel.camera_combo.itemText(i) for i in range(panel.camera_combo.count())] == ["All cameras", "Back yard"]
    panel.tabs.setCurrentWidget(panel.events_view)
    panel.select_row(panel.events_view, panel.event_model.index(0, 0).data(ROW_ID_ROLE))
    assert panel.ack_button.isEnabled()
    # What arrives live keeps to the same rights: the yard's new alert and events, nothing of the gate.
    site.push("pi-gate", 0.8, "Gate #5", 50)
    with qtbot.waitSignal(panel.alertRaised, timeout=5000):
        for n in range(3):
            site.push("pi-yard", 0.65, f"Yard #{n + 2}", 220 + n * 20)
    qtbot.waitUntil(lambda: panel.event_model.rowCount() == 4, timeout=5000)
    qtbot.wait(2 * POLL_MS)
    assert column(panel.event_model, "camera") == ["Back yard"] * 4
    assert column(panel.alert_model, "camera") == ["Back yard"]
    panel.release()
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-12")
    services.users.grant(admin, "vic", {site.gate, site.yard})
    vic = services.auth.login("vic", "viewer-pass-12")
    panel = open_panel(qtbot, services, vic)
    panel.tabs.setCurrentWidget(panel.alerts_view)
    panel.select_row(panel.alerts_view, panel.alert_model.index(0, 0).data(ROW_ID_ROLE))
    assert not panel.ack_button.isEnabled() and not panel.resolve_button.isEnabled()
    assert "may not" in panel.ack_button.toolTip()
    panel.release()


def test_the_panel_in_spanish(qtbot: QtBot, app: QApplication, site: Site) -> None:
    translators = install_translators(app, "es")
    try:
        panel = open_panel(qtbot, site.services, site.admin)
        assert panel.tabs.tabText(0) == "Alertas" and panel.ack_button.text() == "&Reconocer"
        assert column(panel.alert_model, "severity") == ["Crítica"]
        panel.tabs.setCurrentWidget(panel.events_view)
        shot(panel, "event_panel_events_es.png")
        panel.release()
    finally:
        remove_translators(app, translators)


def test_the_main_window_docks_the_panel_and_shows_alerts_in_its_banner(
    qtbot: QtBot, english: QApplication, site: Site, make_live: Any
) -> None:
    from nvr_desktop.ui.main_window import MainWindow

    window = MainWindow(site.services, site.admin, make_live)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.event_dock.isVisible() and window.event_panel.event_model.rowCount() == 4
    assert [a.text() for a in window.view_menu.actions()][-2:] == ["&Events and alerts", "&Overview"]
    assert window.tray is None, "the offscreen platform has no system tray"
    assert window.alert_banner.isHidden()
    for n in range(3):
        site.push("pi-yard", 0.95, f"Yard #{n + 2}", 240 + n * 20)
    qtbot.waitUntil(lambda: not window.alert_banner.isHidden(), timeout=5000)
    assert window.alert_banner.label.text() == "Alert: Critical — burst on Back yard: 3 detections"
    shot(window, "main_window_alert_banner_en.png")
    qtbot.mouseClick(window.alert_banner.close_button, Qt.MouseButton.LeftButton)
    assert window.alert_banner.isHidden()
    window.close()


def test_the_summary_tab_counts_the_period_and_exports_csv_and_json(
    qtbot: QtBot, english: QApplication, site: Site, tmp_path: Path
) -> None:
    panel = open_panel(qtbot, site.services, site.admin)
    panel.tabs.setCurrentWidget(panel.summary)  # building the report when the tab is shown
    summary = panel.summary
    assert summary.report is not None
    rows = {
        (summary.table.item(r, 0).text(), summary.table.item(r, 1).text()): summary.table.item(r, 2).text()
        for r in range(summary.table.rowCount())
    }
    assert rows[("All", "—")] == "4"
    assert rows[("Camera", "Front gate")] == "3" and rows[("Camera", "Back yard")] == "1"
    assert rows[("Device", "pi-gate")] == "3"
    assert not panel.ack_button.isEnabled(), "nothing to acknowledge on the summary"
    csv_text = summary.export(tmp_path / "summary.csv", "csv").read_text(encoding="utf-8")
    assert csv_text.splitlines()[0].startswith("scope,key,name,detections,alerts")
    doc = json.loads(summary.export(tmp_path / "summary.json", "json").read_text(encoding="utf-8"))
    assert doc["total"]["detections"] == 4 and doc["total"]["alerts"] == 1
    panel.resize(1100, 420)
    shot(panel, "event_panel_summary_en.png")
    summary.period_combo.setCurrentIndex(0)  # the last 15 minutes still hold them all
    assert summary.report is not None and summary.report.total.detections == 4
    panel.release()
