"""Onboarding against a real RTSP server (GStreamer on 127.0.0.1): probe, DVR expansion, bulk add, cancel, CLI."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from nvr_desktop.cli import main
from nvr_desktop.core.errors import PermissionDeniedError
from nvr_desktop.core.roles import Role
from nvr_desktop.core.templates import custom_template
from nvr_desktop.media.probe import probe_stream
from nvr_desktop.media.state import StreamState
from nvr_desktop.services.onboarding import BulkProgress, Candidate, dvr_candidates
from tests.support.cameras import RtspTestServer, free_port
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER, RtspServerFactory


def test_probe_reports_codec_resolution_rate_and_a_thumbnail(rtsp_server: RtspTestServer) -> None:
    result = probe_stream(rtsp_server.url(1), thumbnail=True, timeout_s=10)
    assert result.ok, result.message
    assert (result.codec, result.width, result.height, result.fps, result.audio_codec) == ("h264", 640, 360, 25, "")
    assert result.thumbnail is not None
    thumb = result.thumbnail
    assert (thumb.width, thumb.height, len(thumb.rgb)) == (320, 180, 320 * 180 * 3)
    assert len(set(thumb.rgb[:3000])) > 10  # a real picture, not a flat colour
    assert result.summary() == "h264 640x360 25 fps, no audio"


def test_probe_failures_become_states_with_clear_messages(rtsp_server_auth: RtspTestServer) -> None:
    unauthorized = probe_stream(rtsp_server_auth.url(1, user=RTSP_USER, password="wrong-pass"), timeout_s=5)
    assert unauthorized.state is StreamState.UNAUTHORIZED
    assert "user name or password" in unauthorized.message
    missing = probe_stream(rtsp_server_auth.auth_url(1).replace("/cam1", "/nothing"), timeout_s=5)
    assert missing.state is StreamState.ERROR and "404" in missing.message
    refused = probe_stream(f"rtsp://127.0.0.1:{free_port()}/cam1", timeout_s=5)
    assert refused.state is StreamState.RECONNECTING and "refused" in refused.message
    assert not probe_stream("/etc/passwd").ok


def test_a_16_channel_dvr_becomes_16_probed_cameras(
    services: Any, admin: Any, h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    dvr = rtsp_server_factory(h264_clip_360p, 17, user=RTSP_USER, password=RTSP_PASSWORD)
    template = custom_template("/cam{channel}")  # the test server's paths stand for the DVR's channels
    candidates = dvr_candidates(
        template, "127.0.0.1", port=dvr.port, channels=16, name_prefix="DVR", username=RTSP_USER, password=RTSP_PASSWORD
    )
    # An extra candidate with a wrong password is reported, not saved.
    candidates.append(Candidate("Bad", dvr.url(17), username=RTSP_USER, password="nope-nope"))
    steps: list[BulkProgress] = []
    result = services.onboarding.add_many(admin, candidates, progress=steps.append)
    assert not result.cancelled
    assert [c.name for c in result.added] == [f"DVR ch{n}" for n in range(1, 17)]
    assert [c.channel for c in result.added] == list(range(1, 17))
    assert all(o.probe is not None and o.probe.ok and o.probe.width == 640 for o in result.outcomes[:16])
    (bad,) = result.failed
    assert bad.candidate.name == "Bad" and "user name or password" in bad.error
    assert [s.done for s in steps] == list(range(1, 18)) and steps[-1].total == 17
    cams = services.cameras.list(admin)
    assert cams[15].main_url == f"rtsp://127.0.0.1:{dvr.port}/cam16" and cams[15].has_password
    assert services.cameras.stream_url(admin, cams[0].id) == dvr.auth_url(1)
    rows = sqlite3.connect(services.paths.database).execute("SELECT * FROM cameras").fetchall()
    assert RTSP_PASSWORD not in repr(rows)
    assert RTSP_PASSWORD not in repr(result)
    audit = services.audit.entries(action="camera.add_many")
    assert audit and "added=16 failed=1" in audit[0].detail


def test_cancel_stops_a_bulk_add(services: Any, admin: Any, rtsp_server: RtspTestServer) -> None:
    cancel = threading.Event()
    candidates = [Candidate(f"Cam {n}", rtsp_server.url(1 + n % 4)) for n in range(12)]
    started = time.monotonic()
    result = services.onboarding.add_many(
        admin, candidates, progress=lambda step: cancel.set(), cancel=cancel, workers=2
    )
    assert result.cancelled
    assert 1 <= len(result.outcomes) <= 3  # the probes already running finish; no new one starts
    assert len(services.cameras.list(admin)) == len(result.added)
    assert time.monotonic() - started < 15


def test_only_camera_managers_may_probe_or_add(services: Any, admin: Any) -> None:
    services.users.add(admin, "olga", Role.OPERATOR, "operator-pass")
    olga = services.auth.login("olga", "operator-pass")
    with pytest.raises(PermissionDeniedError):
        services.onboarding.probe(olga, "rtsp://127.0.0.1:9/x")
    with pytest.raises(PermissionDeniedError):
        services.onboarding.add_many(olga, [Candidate("X", "rtsp://127.0.0.1:9/x")])


def test_cli_probe_and_add_dvr(basedir: Path, rtsp_server: RtspTestServer) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = main(["--basedir", str(basedir), "cameras", "probe", rtsp_server.url(2), "--json"], stdout=out, stderr=err)
    assert status == 0, err.getvalue()
    assert json.loads(out.getvalue())["state"] == "live"
    out = io.StringIO()
    argv = ["--basedir", str(basedir), "cameras", "add-dvr", "--brand", "hikvision", "--host", "127.0.0.1"]
    argv += ["--port", str(rtsp_server.port), "--channels", "4", "--path", "/cam{channel}", "--name-prefix", "NVR"]
    status = main(argv, stdout=out, stderr=err)
    assert status == 0, err.getvalue() + out.getvalue()
    assert "4 of 4 camera(s) added" in out.getvalue()
    listed = io.StringIO()
    main(["--basedir", str(basedir), "cameras", "list", "--json"], stdout=listed, stderr=err)
    cams = json.loads(listed.getvalue())
    assert [(c["name"], c["brand"], c["channel"]) for c in cams] == [
        (f"NVR ch{n}", "hikvision", n) for n in range(1, 5)
    ]
    out = io.StringIO()
    status = main(["--basedir", str(basedir), "cameras", "probe", rtsp_server.url(1) + "x"], stdout=out, stderr=err)
    assert status == 10 and "404" in out.getvalue()
