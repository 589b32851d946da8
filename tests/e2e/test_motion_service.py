"""The headless service runs server-side motion: a camera added with --motion on produces events (with their
snapshots) that the CLI lists like an agent's, with no edge device paired."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.support.clips import cached_clip
from tests.support.fixtures import RtspServerFactory

from .conftest import Run, headless_service, stop_headless

pytestmark = pytest.mark.e2e


def test_the_headless_service_stores_motion_events(
    nvr: Run, basedir: Path, app_env: dict[str, str], rtsp_server_factory: RtspServerFactory
) -> None:
    server = rtsp_server_factory(cached_clip(640, 360, 25, 30, 25, motion=True), 1)
    done = nvr("users", "add", "admin", "--role", "admin", "--password-stdin", stdin="admin-pass-1\n")
    assert done.returncode == 0, done.stderr
    done = nvr("cameras", "add", "--name", "Door", "--url", server.url(1), "--motion", "on")
    assert done.returncode == 0, done.stderr
    with headless_service(basedir, app_env) as proc:
        deadline = time.monotonic() + 30
        events: list[dict[str, object]] = []
        while not events:
            assert time.monotonic() < deadline, "no motion event within 30 s"
            time.sleep(1)
            listed = nvr("events", "list", "--json")
            assert listed.returncode == 0, listed.stderr
            events = json.loads(listed.stdout)
        event = events[0]
        assert event["camera_id"] == 1 and event["device_id"] == "nvr-motion-cam1" and event["labels"] == ["motion"]
        snapshot = basedir / "snapshots" / "events" / str(event["snapshot"])
        assert snapshot.read_bytes()[:2] == b"\xff\xd8"
        stop_headless(proc)
