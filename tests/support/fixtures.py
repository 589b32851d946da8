"""Pytest plugin (-p tests.support.fixtures): cached H.264 clips and real RTSP test cameras.

The RTSP fixtures never skip: without GStreamer's RTSP server they fail and say to run `make test`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from tests.support.cameras import RtspTestServer, gst_problem
from tests.support.clips import cached_clip

RTSP_USER = "admin"
RTSP_PASSWORD = "s3cret-canary"


class RtspServerFactory(Protocol):
    """The rtsp_server_factory fixture: start a server, stopped after the test."""

    def __call__(
        self,
        clip: Path | str,
        paths: int = 1,
        *,
        port: int | None = None,
        user: str | None = None,
        password: str | None = None,
        loop: bool = True,
    ) -> RtspTestServer:
        """Start RtspTestServer(clip, paths, ...) and return it running."""


def require_gst() -> None:
    """Fail the calling test (never skip) when the GStreamer RTSP server cannot run here."""
    problem = gst_problem()
    if problem is not None:
        pytest.fail(
            "GStreamer's RTSP server is not usable here: "
            f"{problem}\nRun `make test`: it installs the Debian packages (installer/system-deps.sh test: "
            "python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base/-good/-bad).",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def h264_clip_360p() -> Path:
    """640x360 H.264 MP4, 25 fps, GOP 50, 120 s (cached across runs)."""
    return cached_clip(640, 360, 25, 120, 50)


@pytest.fixture(scope="session")
def h264_clip_1080p() -> Path:
    """1920x1080 H.264 MP4, 25 fps, GOP 50, 30 s (cached across runs)."""
    return cached_clip(1920, 1080, 25, 30, 50)


@pytest.fixture
def rtsp_server_factory() -> Iterator[RtspServerFactory]:
    """Start RtspTestServer(clip, paths, ...) instances; all are stopped after the test."""
    require_gst()
    servers: list[RtspTestServer] = []

    def start(
        clip: Path | str,
        paths: int = 1,
        *,
        port: int | None = None,
        user: str | None = None,
        password: str | None = None,
        loop: bool = True,
    ) -> RtspTestServer:
        server = RtspTestServer(clip, paths, port=port, user=user, password=password, loop=loop)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def rtsp_server(h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory) -> RtspTestServer:
    """A running server with /cam1../cam4 on the 360p clip (looping), no credentials."""
    return rtsp_server_factory(h264_clip_360p, 4)


@pytest.fixture
def rtsp_server_auth(h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory) -> RtspTestServer:
    """Like rtsp_server but behind basic auth: user RTSP_USER, password RTSP_PASSWORD (401 otherwise)."""
    return rtsp_server_factory(h264_clip_360p, 4, user=RTSP_USER, password=RTSP_PASSWORD)
