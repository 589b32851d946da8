"""The agent's capture against a real RTSP camera (GStreamer on 127.0.0.1): frames flow, and when the camera goes
away and comes back on the same port the capture reconnects by itself."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from edge.capture import FrameSource
from edge.config import SourceConfig
from tests.support.fixtures import RtspServerFactory


def test_capture_reads_rtsp_and_reconnects_after_the_camera_returns(
    h264_clip_360p: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    server = rtsp_server_factory(h264_clip_360p, 1)
    config = SourceConfig(url=server.url(1), open_timeout_s=5, read_timeout_s=3, reconnect_max_s=2)
    source = FrameSource(config, analysis_fps=5)
    stop = threading.Event()
    shapes: list[tuple[int, ...]] = []
    reconnected = threading.Event()

    def read() -> None:
        for frame in source.frames(stop):
            shapes.append(frame.image.shape)
            if source.reconnects:
                reconnected.set()

    thread = threading.Thread(target=read, name="test-capture")
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while len(shapes) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(shapes) >= 5 and shapes[0] == (360, 640, 3)
        server.restart()  # the camera goes away and comes back on the same port
        assert reconnected.wait(30), "frames again after a reconnect"
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive()
    assert source.reconnects >= 1
