"""The headless service starts the edge listener once a device is paired (from the CLI, while it runs), advertises
it on zeroconf, and a signed detection pushed to it over TCP becomes an event (the real entry point as a subprocess)."""

from __future__ import annotations

import http.client
import json
import signal
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from edge.delivery import Endpoint
from edge.discovery import browse
from edge.protocol import HEARTBEAT_PATH, Detection, Heartbeat, decode_pairing_token, sign_request
from tests.integration.test_edge_agent import AgentProcess, write_config
from tests.support.cameras import free_port
from tests.support.clips import make_motion_clip
from tests.unit.edge.test_protocol import _jpeg

from .conftest import Run, headless_service, start_headless, stop_headless

pytestmark = pytest.mark.e2e


def test_headless_service_accepts_signed_detections(nvr: Run, basedir: Path, app_env: dict[str, str]) -> None:
    port = free_port()
    (basedir / "config.toml").write_text(
        f'version = 1\n[security]\nbcrypt_rounds = 4\n[edge]\nhost = "127.0.0.1"\nport = {port}\n'
    )
    with headless_service(basedir, app_env) as proc:
        # Nothing is paired: nothing listens. Pairing from the CLI while the service runs starts the listener
        # without a restart (the service checks every 5 s).
        time.sleep(3)
        with pytest.raises(OSError):
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/api/v1/health")
        paired = nvr("edge", "add", "pi-door-1", "--json")
        assert paired.returncode == 0, paired.stderr
        token = decode_pairing_token(json.loads(paired.stdout)["pairing_token"])
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/api/v1/health")
                assert conn.getresponse().status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "the listener never answered"
                time.sleep(0.3)
        found = Detection.create("pi-door-1", datetime.now(UTC), 0.9, ((1, 2, 3, 4),), (320, 240))
        found = Detection(**{**found.__dict__, "sequence": 1})
        boundary = "b0undary"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="detection"\r\n\r\n'.encode()
            + found.to_json()
            + f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="snapshot"\r\n'.encode()
            + b"Content-Type: image/jpeg\r\n\r\n"
            + _jpeg()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = sign_request(token, "pi-door-1", "POST", "/api/v1/detections", body, time.time())
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/api/v1/detections", body=body, headers=headers)
        assert conn.getresponse().status == 201
        beat = Heartbeat("pi-door-1", "0.1.0", 5.0, 10.0, 4, 1, 0, 12, 47.5)
        headers = sign_request(token, "pi-door-1", "POST", HEARTBEAT_PATH, beat.to_json(), time.time())
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request(
            "POST", HEARTBEAT_PATH, body=beat.to_json(), headers={**headers, "Content-Type": "application/json"}
        )
        assert conn.getresponse().status == 200
        (listed,) = json.loads(nvr("edge", "list", "--json").stdout)
        assert listed["online"] is True and listed["queue_length"] == 4 and listed["temperature_c"] == 47.5
        assert "True" in nvr("edge", "list").stdout, "the table shows the device online"
        # The service announces its listener on zeroconf (bound to its own address: loopback here).
        assert browse(15, ("127.0.0.1",)) == Endpoint("127.0.0.1", port, False)
        stop_headless(proc)
    rows = sqlite3.connect(basedir / "nvr.sqlite3").execute("SELECT detection_id, device_id FROM events").fetchall()
    assert rows == [(found.detection_id, "pi-door-1")]


def test_the_real_agent_finds_the_headless_service_and_its_events_arrive(
    nvr: Run, basedir: Path, app_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    (basedir / "config.toml").write_text(
        f'version = 1\n[security]\nbcrypt_rounds = 4\n[edge]\nhost = "127.0.0.1"\nport = {port}\n'
    )
    paired = nvr("edge", "add", "pi-door-1", "--json")
    assert paired.returncode == 0, paired.stderr
    token = json.loads(paired.stdout)["pairing_token"]
    config = write_config(tmp_path, token, "zeroconf", make_motion_clip(tmp_path / "clip.mp4"))
    config.write_text(config.read_text().replace("[source]", 'zeroconf_interfaces = ["127.0.0.1"]\n[source]'))
    service = start_headless(basedir, app_env)
    agent = AgentProcess(config, tmp_path / "agent.log")
    database = basedir / "nvr.sqlite3"
    try:
        deadline = time.monotonic() + 60
        while len(sqlite3.connect(database).execute("SELECT id FROM events").fetchall()) < 2:
            assert time.monotonic() < deadline, agent.text()[-2000:]
            time.sleep(0.5)
        listed = json.loads(nvr("edge", "list", "--json").stdout)
        assert listed[0]["online"] is True and listed[0]["agent_version"]
    finally:
        agent_code = agent.stop()
        service.send_signal(signal.SIGTERM)
        try:
            service.communicate(timeout=30)
        finally:
            if service.poll() is None:
                service.kill()
                service.wait()
    assert agent_code == 0, agent.text()[-2000:]
    assert service.returncode == 0
    assert "found the desktop through zeroconf" in agent.text() and token not in agent.text()
