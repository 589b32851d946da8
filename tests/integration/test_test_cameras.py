"""The test cameras themselves: real RTSP (gst-rtsp-server) read by PyAV, auth, stop, restart, loop."""

from __future__ import annotations

import time
from pathlib import Path

import av
import av.error
import pytest

from tests.support.cameras import RtspTestServer
from tests.support.clips import cached_clip, read_counter
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER, RtspServerFactory

OPTIONS = {"rtsp_transport": "tcp"}
TIMEOUT = (5, 5)


def read_frames(url: str, count: int) -> list[tuple[int, int, int]]:
    """Decode up to `count` frames from url: (width, height, frame counter) each."""
    frames: list[tuple[int, int, int]] = []
    with av.open(url, options=OPTIONS, timeout=TIMEOUT) as container:
        for frame in container.decode(video=0):
            frames.append((frame.width, frame.height, read_counter(frame.to_ndarray(format="gray"))))
            if len(frames) >= count:
                break
    return frames


def assert_consecutive(frames: list[tuple[int, int, int]], modulo: int | None = None) -> None:
    counters = [counter for _, _, counter in frames]
    expected = [counters[0] + i for i in range(len(counters))]
    if modulo is not None:
        expected = [value % modulo for value in expected]
    assert counters == expected, f"frames lost or repeated: {counters}"


def test_clip_is_h264_baseline_with_fixed_gop(h264_clip_360p: Path) -> None:
    with av.open(str(h264_clip_360p)) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.width, stream.height) == ("h264", 640, 360)
        assert stream.codec_context.profile == "Constrained Baseline"
        assert stream.average_rate == 25
        keyframes = [i for i, packet in enumerate(container.demux(stream)) if packet.is_keyframe]
    assert keyframes[:4] == [0, 50, 100, 150]
    assert len(keyframes) == 60  # 120 s at 25 fps, GOP 50
    assert cached_clip(640, 360, 25, 120, 50) == h264_clip_360p


def test_serves_decodable_360p_frames(rtsp_server: RtspTestServer) -> None:
    frames = read_frames(rtsp_server.url(1), 50)
    assert len(frames) == 50
    assert {(w, h) for w, h, _ in frames} == {(640, 360)}
    assert_consecutive(frames)
    assert read_frames(rtsp_server.url(4), 1)[0][:2] == (640, 360)


def test_auth_server_answers_401_without_the_right_credentials(rtsp_server_auth: RtspTestServer) -> None:
    with pytest.raises(av.error.HTTPUnauthorizedError):
        av.open(rtsp_server_auth.url(1), options=OPTIONS, timeout=TIMEOUT)
    with pytest.raises(av.error.HTTPUnauthorizedError):
        av.open(rtsp_server_auth.url(1, user=RTSP_USER, password="wrong"), options=OPTIONS, timeout=TIMEOUT)
    url = rtsp_server_auth.url(2, user=RTSP_USER, password=RTSP_PASSWORD)
    assert url == rtsp_server_auth.auth_url(2)
    frames = read_frames(url, 25)
    assert len(frames) == 25
    assert frames[0][:2] == (640, 360)


def test_stopped_server_ends_the_stream_and_refuses_new_opens(rtsp_server: RtspTestServer) -> None:
    with av.open(rtsp_server.url(1), options=OPTIONS, timeout=TIMEOUT) as container:
        frames = container.decode(video=0)
        next(frames)
        rtsp_server.stop()
        assert (rtsp_server.running, rtsp_server.returncode) == (False, 0)  # SIGTERM: clean exit
        started = time.monotonic()
        with pytest.raises((StopIteration, av.error.FFmpegError, OSError)):
            for _ in range(1000):
                next(frames)
        assert time.monotonic() - started < 8
    with pytest.raises(ConnectionRefusedError):
        av.open(rtsp_server.url(1), options=OPTIONS, timeout=TIMEOUT)


def test_restart_serves_again_on_the_same_port(rtsp_server: RtspTestServer) -> None:
    port = rtsp_server.port
    first = rtsp_server.pid
    rtsp_server.restart()
    assert rtsp_server.running
    assert (rtsp_server.port, rtsp_server.url(3)) == (port, f"rtsp://127.0.0.1:{port}/cam3")
    assert rtsp_server.pid != first
    frames = read_frames(rtsp_server.url(3), 10)
    assert [(w, h) for w, h, _ in frames] == [(640, 360)] * 10


def test_1080p_clip(h264_clip_1080p: Path, rtsp_server_factory: RtspServerFactory) -> None:
    server = rtsp_server_factory(h264_clip_1080p, 1)
    frames = read_frames(server.url(1), 30)
    assert len(frames) == 30
    assert {(w, h) for w, h, _ in frames} == {(1920, 1080)}
    assert_consecutive(frames)


def test_loop_replays_the_clip_seamlessly_and_without_loop_the_stream_ends(
    rtsp_server_factory: RtspServerFactory,
) -> None:
    short = cached_clip(640, 360, 25, 2, 50)  # 50 frames
    looping = rtsp_server_factory(short, 1)
    frames = read_frames(looping.url(1), 80)
    assert len(frames) == 80
    assert_consecutive(frames, modulo=50)  # 0..49, 0..29: seamless, no frame lost at the seam
    once = rtsp_server_factory(short, 1, loop=False)
    frames = read_frames(once.url(1), 1000)
    assert [counter for _, _, counter in frames] == list(range(50))
