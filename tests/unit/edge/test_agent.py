"""The agent's heartbeat against the real listener, and the temperature it reports."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from edge.agent import Agent, read_temperature
from edge.config import parse_config
from edge.protocol import Detection, new_pairing_token
from nvr_desktop.events.store import EventStore
from nvr_desktop.net.listener import EdgeListener
from tests.support.clips import make_motion_clip
from tests.unit.edge.test_protocol import _jpeg


def test_the_temperature_comes_from_the_thermal_zone(tmp_path: Path) -> None:
    zone = tmp_path / "temp"
    zone.write_text("48312\n", encoding="ascii")
    assert read_temperature(zone) == 48.312
    zone.write_text("hot\n", encoding="ascii")
    assert read_temperature(zone) is None
    assert read_temperature(tmp_path / "missing") is None
    zone.write_text("999999\n", encoding="ascii")
    assert read_temperature(zone) is None, "an absurd reading is not reported"


def test_a_heartbeat_reports_the_queue_and_a_revoked_token_is_noticed(
    services: Any, admin: Any, tmp_path: Path
) -> None:
    _, token = services.edge.add(admin, "pi-door-1")
    listener = EdgeListener(
        EventStore(services.db, services.paths.snapshots),
        services.edge.lookup_token,
        port=0,
        on_heartbeat=services.edge.record_heartbeat,
    )
    listener.start()
    clip = make_motion_clip(tmp_path / "clip.mp4", seconds=1)
    doc = {
        "version": 1,
        "device_id": "pi-door-1",
        "token": token,
        "heartbeat_interval_s": 7,
        "desktop": {"url": f"http://127.0.0.1:{listener.port}"},
        "source": {"file": str(clip)},
        "spool": {"folder": "spool"},
    }
    agent = Agent(parse_config(doc, tmp_path))
    try:
        for _ in range(2):
            agent.spool.put(Detection.create("pi-door-1", datetime.now(UTC), 0.5, ((0, 0, 4, 4),), (64, 48)), _jpeg())
        beat = agent.heartbeat()
        assert beat.queue_length == 2 and beat.interval_s == 7 and beat.detections == 0 and beat.uptime_s >= 0
        assert agent.send_heartbeat() == 200 and agent.heartbeats_sent == 1
        (device,) = services.edge.list(admin)
        assert device.online and device.queue_length == 2 and device.heartbeat_interval_s == 7
        services.edge.revoke(admin, "pi-door-1")
        assert agent.send_heartbeat() == 401
        assert agent.delivery.token_rejected.is_set()
    finally:
        agent.close()
        listener.stop()
    assert agent.wait() == 3, "a rejected token ends the agent with exit code 3"


def test_a_video_file_that_does_not_open_ends_the_agent_with_exit_1(tmp_path: Path) -> None:
    (tmp_path / "broken.mp4").write_bytes(b"not a video" * 50)
    (tmp_path / "agent.toml").write_text(
        f'version = 1\ndevice_id = "pi-1"\ntoken = "{new_pairing_token()}"\n[desktop]\nurl = "http://127.0.0.1:9"\n'
        '[source]\nfile = "broken.mp4"\n[spool]\nfolder = "spool"\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "edge", "--config", str(tmp_path / "agent.toml")],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert done.returncode == 1, done.stderr
    assert "cannot open file" in done.stderr and "Traceback" not in done.stderr
