"""Zeroconf on loopback only: the desktop's advertisement is found by the agent's browse, failures stay harmless, and
a spoofed advertisement never receives a snapshot."""

from __future__ import annotations

import http.server
import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from edge.agent import Agent
from edge.config import parse_config
from edge.delivery import Endpoint, Outcome
from edge.discovery import DiscoveryError, browse
from edge.protocol import HEARTBEAT_PATH, Detection, new_pairing_token
from nvr_desktop.net.advertiser import Advertiser
from tests.support.clips import make_motion_clip

LOOPBACK = ("127.0.0.1",)


def test_the_agent_finds_the_advertised_listener() -> None:
    advertiser = Advertiser(48765, tls=False, host="127.0.0.1")
    advertiser.start()
    try:
        assert advertiser.wait(15), "registered on 127.0.0.1"
        assert browse(10, LOOPBACK) == Endpoint("127.0.0.1", 48765, False)
        assert browse(10, LOOPBACK, require_tls=True).tls, "a CA in the agent's config means TLS whatever TXT says"
    finally:
        advertiser.close()


def test_a_tls_listener_is_advertised_as_such() -> None:
    advertiser = Advertiser(48766, tls=True, host="127.0.0.1")
    advertiser.start()
    try:
        assert advertiser.wait(15)
        assert browse(10, LOOPBACK) == Endpoint("127.0.0.1", 48766, True)
    finally:
        advertiser.close()


def test_nobody_advertising_is_a_clear_error_in_time() -> None:
    started = time.monotonic()
    with pytest.raises(DiscoveryError, match="no NVR Desktop answered"):
        browse(1.0, LOOPBACK)
    assert time.monotonic() - started < 5


def test_a_failure_to_advertise_is_a_warning_not_a_crash(caplog: pytest.LogCaptureFixture) -> None:
    advertiser = Advertiser(48767, tls=False, host="192.0.2.1")  # TEST-NET-1: not an address of this machine
    with caplog.at_level(logging.WARNING, logger="net.advertiser"):
        advertiser.start()
        assert not advertiser.wait(15)
        advertiser.close()
    assert any("cannot advertise" in record.getMessage() for record in caplog.records)
    advertiser.close()  # twice is fine


class _Impostor(http.server.BaseHTTPRequestHandler):
    """A fake desktop: answers 200 to everything, without the paired desktop's signature, and notes the paths."""

    paths: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.paths.append(self.path)
        body = b'{"server_time": 0, "skew_s": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def test_a_spoofed_advertisement_gets_no_snapshot(tmp_path: Path) -> None:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Impostor)
    thread = threading.Thread(target=server.serve_forever, name="test-impostor", daemon=True)
    thread.start()
    advertiser = Advertiser(server.server_address[1], tls=False, host="127.0.0.1")
    advertiser.start()
    doc = {
        "version": 1,
        "device_id": "pi-door-1",
        "token": new_pairing_token(),
        "desktop": {"url": "zeroconf", "zeroconf_interfaces": ["127.0.0.1"], "zeroconf_timeout_s": 10},
        "source": {"file": str(make_motion_clip(tmp_path / "clip.mp4", seconds=1))},
        "spool": {"folder": "spool"},
    }
    agent = Agent(parse_config(doc, tmp_path))
    try:
        assert advertiser.wait(15)
        agent.spool.put(Detection.create("pi-door-1", datetime.now(UTC), 0.5, ((0, 0, 4, 4),), (64, 48)), b"\xff\xd8")
        with pytest.raises(DiscoveryError, match="did not prove it is the paired desktop"):
            agent.locator()
        assert agent.delivery.attempt().outcome is Outcome.RETRY
        assert len(agent.spool) == 1
        assert _Impostor.paths and set(_Impostor.paths) == {HEARTBEAT_PATH}, "only heartbeats, never a detection"
    finally:
        agent.close()
        advertiser.close()
        server.shutdown()
        server.server_close()
        thread.join(5)
