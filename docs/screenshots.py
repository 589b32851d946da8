"""Screenshots for docs/USER_GUIDE.md: the real widgets, rendered offscreen over real video, in a throwaway data folder.

    make screenshots                                   # all of them into docs/images/ (about a minute and a half)
    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots.py [--out FOLDER] [--only NAME ...] [--list]

The cameras are real RTSP streams: the built-in demo clips (nvr_desktop/media/demo.py) served on 127.0.0.1 by the
test camera server (tests/support/cameras.py: GStreamer under Debian's python3, installed by
`installer/system-deps.sh test`). The app runs as it does for a user: `start_runtime` records, the wall shows the
cameras, server-side motion and a real edge agent (`python -m edge`, reading a demo clip) make events and alerts,
and the playback window plays what was recorded a moment earlier. Camera passwords and pairing tokens go to a file
keyring in the throwaway folder. A docs tool, not a test: it fails loudly when a picture would be wrong (a tile still
connecting, an empty list), so a broken picture never reaches the guide.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUT = ROOT / "docs" / "images"
WINDOW = (1280, 800)
MAX_WIDTH = 1280  # wider pictures are scaled down
MAX_BYTES = 300_000
KEYRING = "keyrings.alt.file.PlaintextKeyring"
ADMIN, ADMIN_PASSWORD = "admin", "admin-pass-1"
#: The wall's cameras: (name, demo clip index, record mode). Two cameras share each demo clip.
CAMERAS = (
    ("Lobby", 0, "continuous"),
    ("Parking north", 1, "continuous"),
    ("Loading dock", 2, "events"),
    ("Corridor 1", 3, "continuous"),
    ("Entrance", 4, "continuous"),
    ("Warehouse A", 5, "continuous"),
    ("Back door", 6, "continuous"),
    ("Reception", 7, "continuous"),
    ("Lobby stairs", 0, "continuous"),
    ("Parking south", 1, "continuous"),
    ("Dock gate", 2, "continuous"),
    ("Corridor 2", 3, "schedule"),
    ("Side entrance", 4, "continuous"),
    ("Warehouse B", 5, "continuous"),
    ("Yard", 6, "continuous"),
    ("Office", 7, "off"),
)
MOTION_CAMERA = "Loading dock"
EDGE_CAMERA = "Entrance"
EDGE_DEVICE = "pi-entrance"
ONVIF_CAMERA = "Gate PTZ"
ONVIF_USER, ONVIF_PASSWORD = "onvif", "onvif-pass-1"


def pump(seconds: float) -> None:
    """Run the Qt event loop for a while (timers repaint the wall, queued results arrive)."""
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while True:
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.01)


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Pump events until condition() holds; fail naming what did not happen."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"screenshots: timed out after {timeout_s:g} s waiting for {what}")
        pump(0.1)


class Studio:
    """The throwaway site the pictures are taken of: data folder, services, cameras, agent, the main window."""

    def __init__(self, out: Path, work: Path, stack: ExitStack) -> None:
        from nvr_desktop.ui.application import create_application, prepare_application

        self.out = out
        self.work = work
        self.stack = stack
        self.written: list[Path] = []
        self.app = create_application()
        self.translators = prepare_application(self.app, "en")
        self.basedir = work / "nvr"
        self.basedir.mkdir()
        self.port = _free_port()
        (self.basedir / "config.toml").write_text(
            "version = 1\n[security]\nbcrypt_rounds = 4\n"
            f'[edge]\nhost = "127.0.0.1"\nport = {self.port}\nadvertise = false\n',
            encoding="utf-8",
        )
        from nvr_desktop.app import build_services

        self.services = build_services(self.basedir)
        stack.callback(self.services.close)
        self.services.users.create_first_admin(ADMIN, ADMIN_PASSWORD, actor="screenshots")
        self.admin = self.services.auth.login(ADMIN, ADMIN_PASSWORD)
        self.camera_ids: dict[str, int] = {}
        self.servers: dict[int, Any] = {}
        self._window: Any = None
        self._onvif: Any = None

    # ---- pictures --------------------------------------------------------------------------------------------

    def save(self, name: str, picture: Any) -> Path:
        """Save a widget's grab (or a QImage/QPixmap) as docs/images/NAME.png, scaled down when too wide."""
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage
        from PySide6.QtWidgets import QWidget

        if isinstance(picture, QWidget):
            picture.show()
            pump(0.2)
            picture = picture.grab()
        image = picture if isinstance(picture, QImage) else picture.toImage()
        image = image.convertToFormat(QImage.Format.Format_RGB32)
        if image.width() > MAX_WIDTH:
            image = image.scaledToWidth(MAX_WIDTH, Qt.TransformationMode.SmoothTransformation)
        path = self.out / f"{name}.png"
        width = image.width()
        while True:
            # PySide6 6.11 stubs say bytes, the binding takes only str; quality 0 is PNG's strongest compression.
            if not image.save(str(path), "PNG", 0):  # type: ignore[call-overload]
                raise OSError(f"cannot write {path}")
            if path.stat().st_size <= MAX_BYTES or width < 800:
                break
            width = width * 7 // 8  # video-heavy pictures: smaller until the file fits
            image = image.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
        self.written.append(path)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  {path.stat().st_size // 1024} KB")
        return path

    def over(self, base: Any, top: Any) -> Any:
        """A window's picture with a dialog's drawn over its middle (a grab shows one top-level window only)."""
        from PySide6.QtGui import QPainter

        painter = QPainter(base)
        painter.drawImage((base.width() - top.width()) // 2, (base.height() - top.height()) // 3, top)
        painter.end()
        return base

    # ---- the site ----------------------------------------------------------------------------------------------

    def add_cameras(self) -> None:
        """The RTSP test servers (one per demo clip, two paths each) and the cameras on them."""
        from nvr_desktop.core.models import RecordMode
        from nvr_desktop.core.motion import MotionSettings
        from nvr_desktop.media.demo import demo_camera
        from nvr_desktop.services.cameras import CameraSpec
        from tests.support.cameras import RtspTestServer

        clips = sorted({clip for _, clip, _ in CAMERAS})
        servers = self.servers
        for index in clips:
            clip = camera_clip(demo_camera(self.work / "demo", index).clip, self.work / f"camera{index}.mp4")
            server = RtspTestServer(clip, 3, loop=True)  # the third path feeds the ONVIF camera
            self.stack.callback(server.close)
            servers[index] = server.start()
        used: dict[int, int] = {}
        for name, index, mode in CAMERAS:
            used[index] = used.get(index, 0) + 1
            spec = CameraSpec(
                name=name,
                main_url=servers[index].url(used[index]),
                record_mode=RecordMode(mode),
                segment_seconds=10,
                retention_days=30,
                record_schedule="mon-fri 08:00-18:00" if mode == "schedule" else None,
                motion=MotionSettings(enabled=True, sensitivity=6, cooldown_s=2.0) if name == MOTION_CAMERA else None,
            )
            self.camera_ids[name] = self.services.cameras.add(self.admin, spec).id
        clip_of = {name: clip for name, clip, _ in CAMERAS}
        self.edge_clip = self.work / f"camera{clip_of[EDGE_CAMERA]}.mp4"

    def start_agent(self) -> None:
        """Pair the edge device and run the real agent (`python -m edge`) on a demo clip."""
        from tests.integration.test_edge_agent import AgentProcess

        _, token = self.services.edge.add(
            self.admin, EDGE_DEVICE, name="Entrance Pi", camera_id=self.camera_ids[EDGE_CAMERA]
        )
        folder = self.work / "agent"
        folder.mkdir()
        (folder / "token").write_text(token + "\n", encoding="utf-8")
        config = folder / "agent.toml"
        config.write_text(
            f'version = 1\ndevice_id = "{EDGE_DEVICE}"\ntoken_file = "token"\nheartbeat_interval_s = 2\n'
            f'[desktop]\nurl = "http://127.0.0.1:{self.port}"\nretry_max_s = 1\n'
            f'[source]\nfile = "{self.edge_clip}"\nloop = true\n'
            "[motion]\nwarmup_frames = 10\nwidth = 320\nmin_area = 150\n"
            "[throttle]\nmax_snapshots_per_burst = 2\nmin_interval_s = 1\ncooldown_s = 3\n"
            '[spool]\nfolder = "spool"\n',
            encoding="utf-8",
        )
        agent = AgentProcess(config, folder / "agent.log")
        self.stack.callback(agent.stop)

    def window(self) -> Any:
        """The main window (built once, with the running app's services), its 16 cameras live."""
        if self._window is None:
            from nvr_desktop.app import start_runtime

            self.add_cameras()
            self.start_agent()
            start_runtime(self.services)
            self._window = self.main_window()
            self.stack.callback(self._window.close)
        return self._window

    def main_window(self) -> Any:
        """A new main window for the admin (it takes its texts from the translators installed now)."""
        from nvr_desktop.app import build_live_view
        from nvr_desktop.ui.main_window import MainWindow

        services = self.services
        window = MainWindow(services, self.admin, lambda on_state: build_live_view(services, on_state))
        window.resize(*WINDOW)
        window.set_layout(16)
        window.show()
        self.wait_live(window)
        return window

    def wait_live(self, window: Any, camera_ids: list[int] | None = None, timeout_s: float = 40) -> None:
        """Wait until the cameras' tiles (default: every visible tile) show live pictures."""
        from nvr_desktop.media.state import StreamState

        wall = window.wall
        camera_ids = camera_ids if camera_ids is not None else [c for c in wall.visible_cameras() if c is not None]

        def live() -> bool:
            return all(
                wall.state(c).state is StreamState.LIVE and wall.state(c).fps > 0 and wall.snapshot_image(c) is not None
                for c in camera_ids
            )

        wait_until(live, timeout_s, "every camera's tile to show live video")
        window.poll_recording()
        pump(0.5)

    def onvif(self) -> Any:
        """An ONVIF PTZ camera (tests/support/onvif_sim.py: real SOAP and WS-Discovery on 127.0.0.1) whose profiles
        point at the RTSP test server."""
        if self._onvif is None:
            from tests.support.onvif_sim import OnvifSimulator, SimProfile

            self.window()
            server = self.servers[5]
            profiles = [
                SimProfile("main", "MainStream", 640, 360, 25, server.url(3)),
                SimProfile("sub", "SubStream", 640, 360, 25, server.url(3)),
            ]
            sim = OnvifSimulator(profiles, username=ONVIF_USER, password=ONVIF_PASSWORD, name=ONVIF_CAMERA)
            self._onvif = sim.start()
            self.stack.callback(sim.close)
        return self._onvif

    def hide_docks(self, window: Any, hidden: bool) -> None:
        """Hide (or show again) the bottom docks and the alert banner, for a bigger wall."""
        for dock in (window.event_dock, window.overview_dock):
            dock.setVisible(not hidden)
        if hidden:
            window.alert_banner.hide()
        window.event_dock.raise_()
        pump(0.5)

    def close(self) -> None:
        """Put the English translators away."""
        from nvr_desktop.ui.i18n import remove_translators

        remove_translators(self.app, self.translators)


def camera_clip(demo: Path, target: Path) -> Path:
    """The demo clip re-encoded as cameras (and tests/support/clips.py) send H.264: one slice per frame, no
    B-frames, a key frame every 2 s (the demo clips' sliced frames reach the wall garbled through the test server's
    h264parse, which puts parameter sets between the slices of a key frame)."""
    import av

    with av.open(str(demo)) as source, av.open(str(target), mode="w", format="mp4") as out:
        video = source.streams.video[0]
        stream = out.add_stream(
            "libx264",
            rate=25,
            options={"preset": "ultrafast", "profile": "baseline", "x264-params": "keyint=50:scenecut=0:bframes=0"},
        )
        stream.width, stream.height, stream.pix_fmt = video.width, video.height, "yuv420p"
        stream.codec_context.thread_type = "FRAME"  # slice threads would cut each frame into slices
        for index, frame in enumerate(source.decode(video)):
            frame.pts, frame.time_base = index, Fraction(1, 25)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return target


def _free_port() -> int:
    from tests.support.cameras import free_port

    return free_port()


# ---- the shots, in the order they are taken (later ones find more recorded video, events and heartbeats) --------


def shot_first_run(studio: Studio) -> None:
    """The first-run dialog that creates the administrator."""
    from nvr_desktop.ui.dialogs.first_run import FirstRunDialog

    folder = studio.work / "fresh"
    folder.mkdir()
    (folder / "config.toml").write_text("version = 1\n", encoding="utf-8")
    from nvr_desktop.app import build_services

    services = build_services(folder)
    try:
        dialog = FirstRunDialog(services)
        dialog.name_edit.setText("admin")
        studio.save("first-run", dialog)
        dialog.close()
    finally:
        services.close()


def shot_login(studio: Studio) -> None:
    """The login dialog."""
    from nvr_desktop.ui.dialogs.login import LoginDialog

    dialog = LoginDialog(studio.services, ADMIN)
    studio.save("login", dialog)
    dialog.close()


def shot_settings(studio: Studio) -> None:
    """Tools > Settings: the interface language."""
    from nvr_desktop.ui.dialogs.settings import SettingsDialog

    dialog = SettingsDialog(studio.services, studio.admin)
    dialog.language_combo.setCurrentIndex(dialog.language_combo.findData("es"))
    studio.save("settings-language", dialog)
    dialog.close()


def shot_wall_16(studio: Studio) -> None:
    """The main window: camera tree, the 16-tile wall (every tile live), events dock, status bar."""
    window = studio.window()
    studio.hide_docks(window, True)
    window.wall.select(studio.camera_ids["Entrance"])
    studio.wait_live(window)
    studio.save("main-window-16", window)


def shot_layout_menu(studio: Studio) -> None:
    """View > Layout."""
    from PySide6.QtCore import QPoint

    window = studio.window()
    menu = window.layout_menu
    menu.popup(window.mapToGlobal(QPoint(120, 40)))
    studio.save("menu-layout", menu)
    menu.close()


def shot_wall_4(studio: Studio) -> None:
    """The 4-tile layout, the camera tree filtered."""
    window = studio.window()
    window.set_layout(4)
    pump(2.0)
    studio.wait_live(window)
    studio.save("wall-4", window)


def shot_solo_zoom(studio: Studio) -> None:
    """One camera alone on its main stream, digitally zoomed 2x."""
    from PySide6.QtCore import QPointF

    window = studio.window()
    camera = studio.camera_ids["Parking north"]
    window.wall.show_solo(camera)
    pump(2.0)
    studio.wait_live(window, [camera])
    window.wall.set_zoom(1.6, QPointF(0.5, 0.5))
    pump(0.5)
    studio.save("camera-zoom", window.wall)
    window.wall.show_solo(None)
    window.set_layout(16)
    studio.hide_docks(window, False)


def shot_add_camera(studio: Studio) -> None:
    """Cameras > Add camera: the Stream URL page after Test connection, and the DVR / NVR page."""

    window = studio.window()
    url = studio.services.cameras.get(studio.admin, studio.camera_ids["Warehouse A"]).main_url
    dialog = window.show_add_camera()
    dialog.resize(900, 540)
    dialog.name_edit.setText("Warehouse C")
    dialog.url_edit.setText(url)
    dialog.test_connection()
    wait_until(lambda: not dialog.busy, 30, "the connection test")
    if not dialog.error_label.isHidden():
        raise RuntimeError(f"the connection test failed: {dialog.error_label.text()}")
    studio.save("add-camera-url", dialog)
    dialog.tabs.setCurrentIndex(dialog.DVR)
    dialog.brand_combo.setCurrentIndex(max(0, dialog.brand_combo.findText("Hikvision")))
    dialog.host_edit.setText("192.168.1.64")
    dialog.channels_spin.setValue(8)
    dialog.prefix_edit.setText("Depot")
    studio.save("add-camera-dvr", dialog)
    sim = studio.onvif()
    dialog.tabs.setCurrentIndex(dialog.SCAN)
    dialog.discovery_target = ("127.0.0.1", sim.discovery_port)
    dialog.discovery_timeout_s = 0.5
    dialog.range_edit.setText("127.0.0.1")
    ports = sorted({server.port for server in studio.servers.values()})[:3]
    dialog.extra_ports_edit.setText(", ".join(str(p) for p in ports))
    dialog.confirm_check.setChecked(True)
    dialog.scan()
    wait_until(lambda: not dialog.busy, 60, "the network scan")
    if dialog.scan_table.rowCount() == 0:
        raise RuntimeError(f"the scan found nothing: {dialog.error_label.text()}")
    dialog.scan_table.selectRow(0)
    studio.save("add-camera-scan", dialog)
    dialog.tabs.setCurrentIndex(dialog.ONVIF)
    dialog.user_edit.setText(ONVIF_USER)
    dialog.password_edit.setText(ONVIF_PASSWORD)
    dialog.discover()
    wait_until(lambda: not dialog.busy, 30, "ONVIF discovery")
    dialog.load_profiles()
    wait_until(lambda: not dialog.busy, 30, "the ONVIF profiles")
    if dialog.profiles_table.rowCount() == 0:
        raise RuntimeError(f"no ONVIF profiles: {dialog.error_label.text()}")
    studio.save("add-camera-onvif", dialog)
    dialog.add()
    wait_until(lambda: not dialog.busy, 60, "adding the ONVIF camera")
    if not dialog.added:
        raise RuntimeError(f"the ONVIF camera was not added: {dialog.error_label.text()}")
    studio.camera_ids[ONVIF_CAMERA] = dialog.added[0].id
    dialog.close()  # the camera tree reloads
    pump(0.5)
    window.connect_streams()  # the wall takes new cameras at the next start or camera settings save: now


def shot_ptz(studio: Studio) -> None:
    """The ONVIF camera alone on the wall with the PTZ pad (operators and administrators)."""
    if ONVIF_CAMERA not in studio.camera_ids:
        shot_add_camera(studio)
    window = studio.window()
    camera = studio.camera_ids[ONVIF_CAMERA]
    studio.hide_docks(window, True)
    window.wall.show_solo(camera)
    panel = window.ptz_panel
    wait_until(lambda: panel.preset_combo.count() > 0, 20, "the PTZ presets")
    studio.wait_live(window, [camera])
    studio.save("ptz", window.wall)
    window.wall.show_solo(None)
    studio.hide_docks(window, False)


def shot_camera_settings(studio: Studio) -> None:
    """Cameras > Camera settings: connection (tested, with its picture), recording and motion."""

    window = studio.window()
    camera = studio.services.cameras.get(studio.admin, studio.camera_ids[MOTION_CAMERA])
    dialog = window.show_camera_settings(camera.id)
    if dialog is None:
        raise RuntimeError("the camera settings did not open")
    dialog.test_connection()
    wait_until(lambda: dialog.test_button.isEnabled(), 30, "the camera settings' connection test")
    studio.save("camera-settings-connection", dialog)
    dialog.tabs.setCurrentIndex(1)
    studio.save("camera-settings-recording", dialog)
    dialog.zones_edit.setPlainText("0,0.4 1,0.4 1,1 0,1")
    dialog.tabs.setCurrentIndex(2)
    studio.save("camera-settings-motion", dialog)
    dialog.reject()


def camera_outage(studio: Studio) -> None:
    """Stop the two parking cameras' server for a few seconds: the playback timeline then shows a real gap."""
    server = studio.servers[1]
    server.stop()
    pump(4.0)
    server.start()


def shot_users(studio: Studio) -> None:
    """Tools > Users with an operator and a viewer granted some cameras."""
    from nvr_desktop.core.roles import Role
    from nvr_desktop.ui.dialogs.users import UsersDialog

    window = studio.window()
    camera_outage(studio)
    users, ids = studio.services.users, studio.camera_ids
    users.add(studio.admin, "olivia", Role.OPERATOR, "operator-pass-1")
    users.grant(studio.admin, "olivia", {ids["Lobby"], ids["Entrance"], ids["Loading dock"], ids["Reception"]})
    users.add(studio.admin, "victor", Role.VIEWER, "viewer-pass-1")
    users.grant(studio.admin, "victor", {ids["Parking north"], ids["Parking south"]})
    dialog = UsersDialog(studio.services, studio.admin, window)
    studio.save("users", dialog)
    dialog.close()


def shot_edge_devices(studio: Studio) -> None:
    """Tools > Edge devices: the agent online from its heartbeats; the pairing dialog with its one-time token."""
    from nvr_desktop.ui.dialogs.edge_devices import EdgeDevicesDialog

    window = studio.window()
    dialog = EdgeDevicesDialog(studio.services, studio.admin, window)
    dialog.resize(1000, 320)

    def online() -> bool:
        dialog.refresh()
        return any(d.online and d.agent_version for d in studio.services.edge.list(studio.admin))

    wait_until(online, 40, "the edge agent's heartbeats")
    pairing = dialog.open_pairing()
    pairing.id_edit.setText("pi-back-door")
    pairing.name_edit.setText("Back door Pi")
    pairing.camera_combo.setCurrentIndex(pairing.camera_combo.findData(studio.camera_ids["Back door"]))
    pairing.pair()
    studio.save("edge-pair", pairing)
    pairing.accept()
    dialog.refresh()
    studio.save("edge-devices", dialog)
    dialog.close()


def shot_events(studio: Studio) -> None:
    """The events dock: alerts from the rules, events with snapshots from the agent and server-side motion."""
    window = studio.window()
    panel = window.event_panel
    services = studio.services

    def enough() -> bool:
        devices = {e.device_id for e in services.events.list(studio.admin, limit=200)}
        return len(devices) >= 2 and bool(services.alerts.list(studio.admin, limit=5))

    wait_until(enough, 60, "events from the agent and server-side motion, and an alert")
    studio.wait_live(window)  # the parking cameras are back after their outage
    window.event_dock.show()
    window.event_dock.raise_()
    panel.tabs.setCurrentIndex(1)
    window.camera_dock.hide()  # View > Camera tree: more room for the events
    pump(1.0)
    studio.save("main-window-events", window)
    window.camera_dock.show()
    window.event_dock.setFloating(True)
    window.event_dock.resize(1200, 460)
    panel.tabs.setCurrentIndex(0)
    pump(0.5)
    studio.save("event-panel-alerts", window.event_dock)
    panel.tabs.setCurrentIndex(1)
    panel.events_view.selectRow(0)
    pump(0.5)
    studio.save("event-panel-events", window.event_dock)
    panel.tabs.setCurrentIndex(2)
    pump(1.0)
    studio.save("event-panel-summary", window.event_dock)
    panel.tabs.setCurrentIndex(0)
    window.event_dock.setFloating(False)


def shot_overview(studio: Studio) -> None:
    """View > Overview: cameras, recording health, detections, alerts, edge devices, disk and days that fit."""
    window = studio.window()
    window.overview_dock.show()
    window.overview_dock.setFloating(True)
    window.overview_dock.resize(1200, 480)
    window.overview_dock.raise_()
    panel = window.overview_panel
    wait_until(lambda: panel.table.rowCount() >= len(studio.camera_ids), 20, "the overview's camera lines")
    # The footage figure and the days that fit are worked out at most once a minute: wait for a fresh one.
    wait_until(lambda: ": 0 B." not in panel.status_label.text(), 60, "the overview's storage figures")
    pump(1.0)
    studio.save("overview", window.overview_dock)
    window.overview_dock.setFloating(False)
    window.event_dock.raise_()


def shot_playback(studio: Studio) -> None:
    """Tools > Playback and export: four cameras in sync on the recorded timeline, a range chosen; the export."""
    from PySide6.QtWidgets import QApplication

    window = studio.window()
    ids = [studio.camera_ids[n] for n in ("Loading dock", "Entrance", "Lobby", "Parking north")]
    playback = window.show_playback()
    if playback is None:
        raise RuntimeError("the playback window did not open")
    playback.resize(*WINDOW)
    playback.set_selected_cameras(ids)
    now = datetime.now(UTC)
    recorded = studio.services.recordings.list_segments(studio.admin, ids)
    first = min(s.start for s in recorded)
    playback.timeline.set_view(first - timedelta(seconds=20), now - first + timedelta(seconds=40))
    playback.refresh_timeline(force=True)
    playback.seek(first + (now - first) / 2)
    wait_until(lambda: all(playback.grid.has_picture(c) for c in ids), 30, "the playback pictures")
    playback.set_speed(2.0)
    playback.play()
    pump(2.0)
    start = first + (now - first) / 4
    end = first + (now - first) * 3 / 4
    playback.timeline.set_selection(start, end)  # as a shift+drag does
    pump(0.5)
    studio.save("playback", playback)
    playback.toggle_play()
    folder = studio.work / "export"
    folder.mkdir()
    if not playback.export(start, end, folder):
        raise RuntimeError("the export did not start")
    dialog = playback.export_dialog
    base = playback.grab().toImage()
    progress = dialog.grab().toImage()
    while playback.export_dialog is dialog and dialog.value() < 250:  # the latest picture with some progress
        QApplication.processEvents()
        if playback.export_dialog is dialog and dialog.value() > 0:
            progress = dialog.grab().toImage()
        time.sleep(0.005)
    studio.save("playback-export", studio.over(base, progress))
    wait_until(lambda: not playback.exporting, 60, "the export to finish")
    if not list(folder.glob("*.mp4")):
        raise RuntimeError("the export wrote no file")
    playback.close()


def shot_spanish(studio: Studio) -> None:
    """The main window in Spanish (a new window takes its texts from the translators installed when built)."""
    from nvr_desktop.ui.i18n import install_translators, remove_translators

    studio.window().hide()
    remove_translators(studio.app, studio.translators)
    studio.translators = install_translators(studio.app, "es")
    window = studio.main_window()
    try:
        pump(1.0)
        studio.save("main-window-es", window)
    finally:
        window.close()
        remove_translators(studio.app, studio.translators)
        studio.translators = install_translators(studio.app, "en")


@dataclass(frozen=True)
class Shot:
    """One step: a name for --only, what it shows."""

    name: str
    take: Callable[[Studio], None]


SHOTS = (
    Shot("first-run", shot_first_run),
    Shot("login", shot_login),
    Shot("settings", shot_settings),
    Shot("wall", shot_wall_16),
    Shot("layout-menu", shot_layout_menu),
    Shot("wall-4", shot_wall_4),
    Shot("zoom", shot_solo_zoom),
    Shot("add-camera", shot_add_camera),
    Shot("ptz", shot_ptz),
    Shot("camera-settings", shot_camera_settings),
    Shot("users", shot_users),
    Shot("edge", shot_edge_devices),
    Shot("events", shot_events),
    Shot("playback", shot_playback),
    Shot("overview", shot_overview),
    Shot("spanish", shot_spanish),
)


@contextmanager
def throwaway_keyring(work: Path) -> Iterator[None]:
    """Camera passwords and pairing tokens go to a file keyring under the throwaway folder, never the user's."""
    saved = {k: os.environ.get(k) for k in ("PYTHON_KEYRING_BACKEND", "XDG_DATA_HOME")}
    os.environ["PYTHON_KEYRING_BACKEND"] = KEYRING
    os.environ["XDG_DATA_HOME"] = str(work / "xdg-data")
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots (all, or those named with --only) into --out; print each file and the time taken."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNGs (default {OUT.relative_to(ROOT)})")
    parser.add_argument("--only", action="append", choices=[s.name for s in SHOTS], metavar="NAME")
    parser.add_argument("--list", action="store_true", help="list the shot names and exit")
    args = parser.parse_args(argv)
    if args.list:
        for shot in SHOTS:
            print(f"{shot.name:16} {(shot.take.__doc__ or '').strip()}")
        return 0
    started = time.monotonic()
    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="nvr-guide-shots-") as tmp,
        throwaway_keyring(Path(tmp)),
        ExitStack() as stack,
    ):
        studio = Studio(args.out.absolute(), Path(tmp), stack)
        stack.callback(studio.close)
        for shot in SHOTS:
            if not args.only or shot.name in args.only:
                shot.take(studio)
        count = len(studio.written)
    print(f"{count} screenshot(s) in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
