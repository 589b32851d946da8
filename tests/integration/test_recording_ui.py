"""The main window over the running app: recording dots on the tiles, manual recording, the storage alarm.

Real RTSP cameras, the real stream processes and recording runtime, the real window offscreen.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from nvr_desktop.app import Services, build_live_view, build_services, start_runtime
from nvr_desktop.core.models import Principal, RecordMode
from nvr_desktop.core.recording import RetentionLimits
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.main_window import MainWindow
from tests.support.cameras import RtspTestServer


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
