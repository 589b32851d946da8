"""The real agent (`python -m edge`) against the real listener on 127.0.0.1, on a generated H.264 clip that loops.

Motion becomes events with snapshots, live in the event panel with their thumbnails; a 30 s outage of the desktop
fills the agent's spool, and once a new listener is up on the same port every detection arrives exactly once, in
sequence order. Heartbeats make the device online. The zeroconf test finds the desktop through its advertisement on
loopback.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from edge.spool import Spool
from nvr_desktop.events.store import EventStore
from nvr_desktop.net.advertiser import Advertiser
from nvr_desktop.net.listener import EdgeListener
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.storage.schema import EventRow
from nvr_desktop.ui.events.panel import EventPanel
from tests.support.clips import make_motion_clip

ROOT = Path(__file__).resolve().parents[2]
DEVICE = "pi-door-1"
OUTAGE_S = 30
SPOOLED = re.compile(r"detection (\d+) ([0-9a-f]{32}):")


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


# The agent's interpreter: this one, or another with the agent's pins installed (NVR_EDGE_PYTHON), e.g. the Python
# 3.13 of Raspberry Pi OS Trixie, to check the agent there against this desktop.
AGENT_PYTHON = os.environ.get("NVR_EDGE_PYTHON") or sys.executable


class AgentProcess:
    """`python -m edge --config FILE` as a subprocess, its log in a file."""

    def __init__(self, config: Path, log: Path) -> None:
        self.log = log
        self._stderr = log.open("w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [AGENT_PYTHON, "-m", "edge", "--config", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
            cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self, timeout: float = 30, signum: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signum)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(10)
            self._stderr.close()


def write_config(folder: Path, token: str, desktop: str, clip: Path, extra_desktop: str = "") -> Path:
    (folder / "token").write_text(token + "\n", encoding="utf-8")
    config = folder / "agent.toml"
    config.write_text(
        f"""version = 1
device_id = "{DEVICE}"
token_file = "token"
heartbeat_interval_s = 2
[desktop]
url = "{desktop}"
connect_timeout_s = 1
read_timeout_s = 5
retry_max_s = 1
{extra_desktop}
[source]
file = "{clip}"
loop = true
[motion]
history = 50
warmup_frames = 5
fps = 5
width = 320
min_area = 150
[throttle]
max_snapshots_per_burst = 2
min_interval_s = 0.4
cooldown_s = 1
[spool]
folder = "spool"
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def paired(services: Any, admin: Any, tmp_path: Path) -> Iterator[tuple[Any, Any, str, Path]]:
    camera = services.cameras.add(admin, CameraSpec(name="Door", main_url="rtsp://127.0.0.1/a"))
    _, token = services.edge.add(admin, DEVICE, camera_id=camera.id)
    clip = make_motion_clip(tmp_path / "motion.mp4")
    yield services, admin, token, clip


def listener_on(services: Any, port: int = 0) -> EdgeListener:
    listener = EdgeListener(
        EventStore(services.db, services.paths.snapshots, on_new=services.alerting.on_event),  # as app.py wires it
        services.edge.lookup_token,
        port=port,
        on_heartbeat=services.edge.record_heartbeat,
    )
    listener.start()
    return listener


def stored(services: Any) -> list[tuple[int, str]]:
    """(sequence, detection id) of every event, in the order the desktop stored them."""
    return services.db.read(
        lambda s: [(r.sequence, r.detection_id) for r in s.scalars(select(EventRow).order_by(EventRow.id))]
    )


def spooled_files(folder: Path) -> int:
    return len(list(folder.glob("*.item"))) if folder.is_dir() else 0


def test_detections_survive_an_outage_and_arrive_once_in_order(
    paired: tuple[Any, Any, str, Path], tmp_path: Path
) -> None:
    services, admin, token, clip = paired
    listener = listener_on(services)
    port = listener.port
    agent = AgentProcess(write_config(tmp_path, token, f"http://127.0.0.1:{port}", clip), tmp_path / "agent.log")
    try:
        # Motion in the clip becomes events with their snapshots.
        wait_for(lambda: len(stored(services)) >= 3, 40, "the first events")
        events = services.events.list(admin, device_id=DEVICE)
        store = EventStore(services.db, services.paths.snapshots)
        assert events and all((store.root / event.snapshot).read_bytes()[:3] == b"\xff\xd8\xff" for event in events)
        assert all(event.camera_id is not None and event.boxes for event in events)
        # Heartbeats: the device is online with its queue length.
        device = wait_for(
            lambda: next((d for d in services.edge.list(admin) if d.last_heartbeat_at is not None), None),
            20,
            "a heartbeat",
        )
        assert device.online and device.queue_length is not None and device.heartbeat_interval_s == 2
        assert device.agent_version and device.detections is not None and device.detections >= 1

        # The desktop goes away for 30 s; the agent keeps detecting into its spool.
        listener.stop()
        before_outage = len(stored(services))
        time.sleep(OUTAGE_S)
        queued = spooled_files(tmp_path / "spool")
        assert queued >= 5, f"the spool grew during the outage ({queued} items)"
        assert len(stored(services)) == before_outage

        # A new listener on the same port: the backlog drains, oldest first.
        listener = listener_on(services, port)
        wait_for(lambda: spooled_files(tmp_path / "spool") == 0, 60, "the spool to drain")
        assert len(stored(services)) >= before_outage + queued
    finally:
        code = agent.stop()
        listener.stop()
    log = agent.text()
    assert code == 0, log[-2000:]
    assert token not in log
    # Exactly once and in order: the spool's numbering, the agent's log and the desktop's rows agree.
    made = [(int(seq), did) for seq, did in SPOOLED.findall(log)]
    with Spool(tmp_path / "spool", 1 << 30, 100_000) as spool:
        last = spool.next_sequence - 1
        assert len(spool) == 0 and spool.dropped == 0 and spool.quarantined == 0
    rows = stored(services)
    assert [sequence for sequence, _ in rows] == list(range(1, last + 1)), "no gap, no duplicate, in order"
    assert rows == made, "each detection the agent made is the one the desktop stored"
    assert len({detection_id for _, detection_id in rows}) == len(rows)


def test_the_agent_finds_the_desktop_through_zeroconf(paired: tuple[Any, Any, str, Path], tmp_path: Path) -> None:
    services, admin, token, clip = paired
    listener = listener_on(services)
    advertiser = Advertiser(listener.port, tls=False, host="127.0.0.1")
    advertiser.start()
    config = write_config(tmp_path, token, "zeroconf", clip, 'zeroconf_interfaces = ["127.0.0.1"]')
    agent = AgentProcess(config, tmp_path / "agent.log")
    try:
        assert advertiser.wait(15)
        wait_for(lambda: stored(services), 40, "an event delivered through the discovered address")
        wait_for(lambda: services.edge.list(admin)[0].online, 20, "a heartbeat")
    finally:
        code = agent.stop(signum=signal.SIGINT)  # Ctrl+C stops it as cleanly as SIGTERM
        advertiser.close()
        listener.stop()
    assert code == 0, agent.text()[-2000:]
    assert "signal 2: stopping" in agent.text()
    assert f"found the desktop through zeroconf: http://127.0.0.1:{listener.port}" in agent.text()


def test_a_rejected_token_stops_the_agent_with_exit_3_keeping_its_queue(
    paired: tuple[Any, Any, str, Path], tmp_path: Path
) -> None:
    services, admin, token, clip = paired
    listener = listener_on(services)
    services.edge.revoke(admin, DEVICE)
    agent = AgentProcess(write_config(tmp_path, token, f"http://127.0.0.1:{listener.port}", clip), tmp_path / "a.log")
    try:
        code = agent.proc.wait(40)
    finally:
        agent.stop()
        listener.stop()
    assert code == 3
    assert "TOKEN REJECTED" in agent.text() and token not in agent.text()
    assert not stored(services)


def test_motion_from_the_agent_shows_in_the_event_panel_with_thumbnails(
    qtbot: QtBot, qapp: QApplication, paired: tuple[Any, Any, str, Path], tmp_path: Path
) -> None:
    services, admin, token, clip = paired
    panel = EventPanel(services, admin)
    qtbot.addWidget(panel)
    panel.tabs.setCurrentWidget(panel.events_view)
    listener = listener_on(services)
    agent = AgentProcess(
        write_config(tmp_path, token, f"http://127.0.0.1:{listener.port}", clip), tmp_path / "agent.log"
    )
    try:
        qtbot.waitUntil(lambda: panel.event_model.rowCount() >= 3, timeout=40_000)  # live, without a reload
    finally:
        agent.stop()
        listener.stop()
    shown = panel.event_model.events
    assert {e.device_id for e in shown} == {DEVICE} and all(e.camera_id is not None for e in shown)
    assert {e.id for e in shown} <= {e.id for e in services.events.list(admin)}
    for row in range(panel.event_model.rowCount()):
        thumbnail = panel.event_model.index(row, 0).data(Qt.ItemDataRole.DecorationRole)
        assert isinstance(thumbnail, QPixmap) and not thumbnail.isNull(), "the agent's snapshot decodes"
    panel.release()
