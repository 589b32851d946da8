"""PTZ from the wall's full-size view: the panel and the keyboard drive tests/support/onvif_sim.py (a simulator:
no ONVIF camera can run here; real SOAP on 127.0.0.1) while the tile shows the real RTSP test stream."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from nvr_desktop.core.roles import Role
from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import StreamState
from nvr_desktop.media.supervisor import CameraStreams, StreamSupervisor
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.application import apply_theme, create_application
from nvr_desktop.ui.bridge import StreamBridge
from nvr_desktop.ui.wall.ptz_panel import PtzPanel
from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera
from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER
from tests.support.onvif_sim import OnvifSimulator, SimProfile

SHOTS = Path(os.environ.get("NVR_TEST_SHOTS", "/tmp/onboard_shots"))


@pytest.fixture
def sim(rtsp_server_auth: RtspTestServer) -> Iterator[OnvifSimulator]:
    profiles = [SimProfile("prof_main", "MainStream", 640, 360, 25, rtsp_server_auth.url(1))]
    with OnvifSimulator(profiles, username=RTSP_USER, password=RTSP_PASSWORD) as device:
        yield device


@pytest.fixture
def camera(services: Any, admin: Any, sim: OnvifSimulator, rtsp_server_auth: RtspTestServer) -> Any:
    spec = CameraSpec(
        name="Gate PTZ",
        main_url=rtsp_server_auth.url(1),
        username=RTSP_USER,
        password=RTSP_PASSWORD,
        brand="onvif",
        onvif_xaddr=sim.xaddr,
        onvif_profile="prof_main",
    )
    return services.cameras.add(admin, spec)


@pytest.fixture
def wall(
    qtbot: QtBot, qapp: QApplication, services: Any, admin: Any, camera: Any, tmp_path: Path
) -> Iterator[VideoWall]:
    application = create_application()
    apply_theme(application)
    bridge = StreamBridge()
    supervisor = StreamSupervisor(FrameStore(), on_state=bridge.relay, budget_cores=8.0)
    widget = VideoWall(supervisor.frames, supervisor, snapshot_dir=tmp_path)
    bridge.stateChanged.connect(widget.on_state)
    qtbot.addWidget(widget)
    url = services.cameras.stream_url(admin, camera.id)
    supervisor.add_camera(camera.id, CameraStreams(main=SourceSpec(url, open_timeout_s=5, read_timeout_s=5)))
    widget.set_cameras([WallCamera(camera.id, camera.name)])
    widget.resize(960, 540)
    widget.set_layout(1)
    widget.show()
    yield widget
    if widget.ptz is not None:
        widget.ptz.release()  # type: ignore[attr-defined]
    widget.release()
    bridge.stop()
    supervisor.close()
    application.setStyleSheet("")


def attach(wall: VideoWall, services: Any, principal: Any) -> PtzPanel:
    panel = PtzPanel(services.ptz, principal, wall, services.secrets)
    wall.ptz = panel
    wall.soloChanged.connect(panel.set_camera)
    return panel


def calls(sim: OnvifSimulator) -> list[tuple[str, dict[str, Any]]]:
    return [(c.operation, c.values) for c in sim.ptz_calls]


def test_full_screen_ptz_by_keyboard_and_buttons(
    qtbot: QtBot, wall: VideoWall, services: Any, admin: Any, camera: Any, sim: OnvifSimulator
) -> None:
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass")
    services.users.grant(admin, "olga", {camera.id})
    panel = attach(wall, services, services.auth.login("olga", "operator-pass"))
    wall.show_solo(camera.id)
    assert panel.isVisible() and panel.active
    qtbot.waitUntil(lambda: panel.preset_combo.count() == 2, timeout=5000)
    qtbot.waitUntil(lambda: wall.state(camera.id).state is StreamState.LIVE, timeout=15000)
    qtbot.waitUntil(lambda: wall.snapshot_image(camera.id) is not None, timeout=10000)
    wall.setFocus()
    qtbot.keyPress(wall, Qt.Key.Key_Left)
    qtbot.keyPress(wall, Qt.Key.Key_Left, Qt.KeyboardModifier.NoModifier)  # not an auto-repeat: a second move
    qtbot.keyRelease(wall, Qt.Key.Key_Left)
    qtbot.keyClick(wall, Qt.Key.Key_Plus)
    qtbot.mousePress(panel.buttons["up"], Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(panel.buttons["up"], Qt.MouseButton.LeftButton)
    panel.preset_combo.setCurrentIndex(1)
    qtbot.mouseClick(panel.goto_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(sim.ptz_calls) >= 8 and not panel.jobs.busy, timeout=10000)
    assert calls(sim) == [
        ("ContinuousMove", {"pan": -0.5, "tilt": 0.0, "zoom": 0.0}),
        ("ContinuousMove", {"pan": -0.5, "tilt": 0.0, "zoom": 0.0}),
        ("Stop", {}),
        ("ContinuousMove", {"pan": 0.0, "tilt": 0.0, "zoom": 0.5}),
        ("Stop", {}),
        ("ContinuousMove", {"pan": 0.0, "tilt": 0.5, "zoom": 0.0}),
        ("Stop", {}),
        ("GotoPreset", {"preset": "2"}),
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert wall.grab().save(str(SHOTS / "ptz_fullscreen.png"))
    wall.show_solo(None)
    assert not panel.isVisible()
    qtbot.keyClick(wall, Qt.Key.Key_Left)
    qtbot.wait(200)
    assert not panel.jobs.busy and len(sim.ptz_calls) == 8, "in the grid the arrow keys do not move the camera"


def test_a_viewer_gets_no_ptz_controls_and_keys_do_nothing(
    qtbot: QtBot, wall: VideoWall, services: Any, admin: Any, camera: Any, sim: OnvifSimulator
) -> None:
    services.users.add(admin, "vic", Role.VIEWER, "viewer-pass-1")
    services.users.grant(admin, "vic", {camera.id})
    panel = attach(wall, services, services.auth.login("vic", "viewer-pass-1"))
    wall.show_solo(camera.id)
    assert not panel.isVisible() and not panel.active
    qtbot.keyClick(wall, Qt.Key.Key_Left)
    panel.start_move(0.5, 0, 0)
    assert not panel.jobs.busy and sim.ptz_calls == []
