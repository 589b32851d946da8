"""The main window over the running app: recording dots on the tiles, manual recording (until stopped or for a
while), the storage alarm.

Real RTSP cameras, the real stream processes and recording runtime, the real window offscreen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.app import Services, build_live_view, build_services, start_runtime
from nvr_desktop.core.models import Principal, RecordMode
from nvr_desktop.core.recording import RetentionLimits, SegmentInfo
from nvr_desktop.media.state import StreamState
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.application import apply_theme
from nvr_desktop.ui.i18n import install_translators, remove_translators
from nvr_desktop.ui.main_window import MainWindow
from nvr_desktop.ui.playback.clock import clock_text
from tests.support.cameras import RtspTestServer

SHOTS = Path("/tmp/recording_shots")


@pytest.fixture
def running(basedir: Path) -> Iterator[tuple[Services, Principal]]:
    (basedir / "config.toml").write_text(
        "version = 1\n[security]\nbcrypt_rounds = 4\n[recording]\nfree_reserve_mb = 0.0\nguard_interval_s = 0.5\n"
    )
    services = build_services(basedir)
    services.users.create_first_admin("boss", "correct-horse", actor="test")
    admin = services.auth.login("boss", "correct-horse")
    yield services, admin
    services.close()


def test_tiles_show_who_records_and_manual_recording_and_alarm(
    qtbot: QtBot, running: tuple[Services, Principal], rtsp_server: RtspTestServer, tmp_path: Path
) -> None:
    services, admin = running
    always = services.cameras.add(
        admin, CameraSpec(name="Gate", main_url=rtsp_server.url(1), record_mode=RecordMode.CONTINUOUS)
    )
    manual = services.cameras.add(admin, CameraSpec(name="Hall", main_url=rtsp_server.url(2)))
    start_runtime(services)
    window = MainWindow(services, admin, lambda on_state: build_live_view(services, on_state))
    qtbot.addWidget(window)
    window.show()
    wall = window.wall
    qtbot.waitUntil(lambda: always.id in wall._recording, timeout=30_000)
    assert manual.id not in wall._recording
    assert window.storage_label.isVisible() and "GB free" in window.storage_label.text()

    wall.select(manual.id)
    window.toggle_manual_recording()
    qtbot.waitUntil(lambda: manual.id in wall._recording, timeout=30_000)
    assert window.action_record.text().replace("&", "") == "Stop recording"
    entries = services.audit.entries(action="recording.start")
    assert entries and entries[0].actor == "boss" and entries[0].target == f"camera:{manual.id}"
    window.toggle_manual_recording()
    qtbot.waitUntil(lambda: manual.id not in wall._recording, timeout=15_000)

    # A free-space reserve bigger than the disk: nothing retention may delete helps, so the alarm shows.
    services.recordings.limits = RetentionLimits(free_reserve_bytes=services.recordings.free_bytes() * 4)
    qtbot.waitUntil(lambda: window.alarm_label.isVisible(), timeout=15_000)
    assert "full" in window.alarm_label.text()
    qtbot.waitUntil(lambda: always.id not in wall._recording, timeout=15_000)
    window.grab().save(str(tmp_path / "alarm.png"), "PNG")
    services.recordings.limits = RetentionLimits(free_reserve_bytes=0)
    qtbot.waitUntil(lambda: not window.alarm_label.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: always.id in wall._recording, timeout=30_000)
    window.close()


@pytest.fixture
def themed(qapp: QApplication) -> Iterator[QApplication]:
    """The application themed and with the English plural forms, as run_gui sets it up (for the screenshots)."""
    apply_theme(qapp)
    translators = install_translators(qapp, "en")
    yield qapp
    remove_translators(qapp, translators)
    qapp.setStyleSheet("")


def test_record_for_a_few_seconds_ends_by_itself_and_stop_ends_one_early(
    qtbot: QtBot, themed: QApplication, running: tuple[Services, Principal], rtsp_server: RtspTestServer
) -> None:
    services, admin = running
    hall = services.cameras.add(admin, CameraSpec(name="Hall", main_url=rtsp_server.url(2)))
    runtime = start_runtime(services)
    control = runtime.recording
    window = MainWindow(services, admin, lambda on_state: build_live_view(services, on_state))
    qtbot.addWidget(window)
    window.show()
    wall = window.wall
    assert window.record_for_menu.isEnabled()
    offered = [(a.data(), a.text()) for a in window.record_for_menu.actions() if a.data() is not None]
    assert offered == [(1, "1 minute"), (5, "5 minutes"), (15, "15 minutes"), (30, "30 minutes"), (60, "60 minutes")]
    qtbot.waitUntil(lambda: wall.state(hall.id).state is StreamState.LIVE, timeout=30_000)

    wall.select(hall.id)
    started = datetime.now(UTC)
    assert window.record_for(8)
    until = control.manual_recordings()[hall.id]
    assert until is not None and 7 <= (until - started).total_seconds() <= 9
    assert "Stop recording" in window.statusBar().currentMessage()
    assert window.action_record.text().replace("&", "") == "Stop recording"
    assert window.manual_label.isVisible() and window.manual_label.text().startswith("● Recording Hall until ")
    qtbot.waitUntil(lambda: hall.id in wall._recording, timeout=15_000)
    assert wall.recording_note(hall.id) == "until " + clock_text(until)
    status = window.camera_model.status_of(hall.id)
    assert status is not None and not status.icon().isNull()
    assert status.toolTip().startswith("Manual recording until " + clock_text(until))
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert window.grab().save(str(SHOTS / "record_for_window.png"), "PNG")
    window.cameras_menu.popup(window.mapToGlobal(window.rect().topLeft()))
    window.record_for_menu.popup(window.mapToGlobal(window.rect().center()))
    qtbot.waitUntil(window.record_for_menu.isVisible)
    assert window.cameras_menu.grab().save(str(SHOTS / "record_for_cameras_menu.png"), "PNG")
    assert window.record_for_menu.grab().save(str(SHOTS / "record_for_menu.png"), "PNG")
    window.record_for_menu.hide()
    window.cameras_menu.hide()
    start = services.audit.entries(action="recording.start")[0]
    assert start.actor == "boss" and start.target == f"camera:{hall.id}" and until.isoformat() in start.detail

    # Nobody stops it: the service ends it when the time is up, and the recorder closes its file.
    qtbot.waitUntil(lambda: hall.id not in control.manual_recordings(), timeout=15_000)
    qtbot.waitUntil(lambda: hall.id not in wall._recording, timeout=15_000)
    assert datetime.now(UTC) >= until
    assert wall.recording_note(hall.id) == "" and not window.manual_label.isVisible()
    assert status.icon().isNull() and "Manual recording" not in status.toolTip()
    assert window.action_record.text().replace("&", "") == "Start recording"
    assert not services.audit.entries(action="recording.stop")

    def closed() -> list[SegmentInfo]:
        found = services.recordings.list_segments(admin, [hall.id])
        return found if found and all(seg.end is not None for seg in found) else []

    qtbot.waitUntil(lambda: bool(closed()), timeout=15_000)
    segments = closed()
    recorded = sum(seg.duration_s for seg in segments)
    assert 1.0 <= recorded <= 9.0, segments
    assert segments[-1].end is not None and segments[-1].end <= until + timedelta(seconds=2.5)

    # Any number of minutes through Other duration…; then an hour's recording (it replaces the end), stopped early
    # with the same Stop recording action (Ctrl+R).
    dialog = window.ask_record_duration()
    assert dialog.isVisible() and dialog.intValue() == 10
    dialog.setIntValue(2)
    assert dialog.grab().save(str(SHOTS / "record_for_other.png"), "PNG")
    dialog.accept()
    other = control.manual_recordings()[hall.id]
    assert other is not None and 110 <= (other - datetime.now(UTC)).total_seconds() <= 120
    window.record_for_actions[60].trigger()
    long_until = control.manual_recordings()[hall.id]
    assert long_until is not None and long_until - datetime.now(UTC) > timedelta(minutes=59)
    qtbot.waitUntil(lambda: hall.id in wall._recording, timeout=15_000)
    window.action_record.trigger()
    assert hall.id not in control.manual_recordings()
    qtbot.waitUntil(lambda: hall.id not in wall._recording, timeout=15_000)
    stop = services.audit.entries(action="recording.stop")
    assert stop and stop[0].actor == "boss" and stop[0].target == f"camera:{hall.id}"
    window.close()
