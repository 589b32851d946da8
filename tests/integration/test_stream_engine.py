"""The stream engine against a real RTSP server (GStreamer, 127.0.0.1): live, reconnect, auth, errors, decode."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path

import pytest

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DecodeMode, DisplayWish, StreamState, StreamStats
from nvr_desktop.media.supervisor import CameraStreams, StreamSupervisor
from tests.support.cameras import RtspTestServer
from tests.support.fixtures import RTSP_PASSWORD, RTSP_USER, RtspServerFactory
from tests.support.proxy import FreezableProxy


class States:
    """Collects state changes from worker threads and waits for one."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.seen: list[tuple[int, StreamStats]] = []

    def __call__(self, camera_id: int, stats: StreamStats) -> None:
        with self.cond:
            self.seen.append((camera_id, stats))
            self.cond.notify_all()

    def wait_for(self, camera_id: int, state: StreamState, timeout: float, after: int = 0) -> StreamStats:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for cid, stats in self.seen[after:]:
                    if cid == camera_id and stats.state is state:
                        return stats
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [(c, s.state.value, s.message) for c, s in self.seen]
                    raise AssertionError(f"camera {camera_id} never reached {state.value}; saw {got}")
                self.cond.wait(left)


@pytest.fixture
def engine() -> Iterator[tuple[StreamSupervisor, States]]:
    states = States()
    supervisor = StreamSupervisor(FrameStore(), on_state=states, budget_cores=8.0)
    yield supervisor, states
    supervisor.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def rtsp(url: str) -> CameraStreams:
    return CameraStreams(main=SourceSpec(url, open_timeout_s=5, read_timeout_s=5))


def test_a_visible_tile_goes_live_and_gets_scaled_frames(
    engine: tuple[StreamSupervisor, States], rtsp_server: RtspTestServer
) -> None:
    supervisor, states = engine
    supervisor.add_camera(1, rtsp(rtsp_server.url(1)))
    supervisor.set_display(1, DisplayWish(visible=True, box=(320, 240)))
    live = states.wait_for(1, StreamState.LIVE, 15)
    assert (live.codec, live.width, live.height) == ("h264", 640, 360)
    wait_until(lambda: supervisor.frames.get(1) is not None, 10, "a frame")
    frame = supervisor.frames.get(1)
    assert frame is not None and frame.image.shape == (180, 320, 4)
    time.sleep(2.5)
    stats = supervisor.stats(1)
    assert stats.fps > 15 and stats.input_fps > 15 and stats.bitrate_kbps > 10
    assert stats.decode_mode is DecodeMode.FULL


def test_server_death_shows_reconnecting_and_restart_goes_live_within_10_s(
    engine: tuple[StreamSupervisor, States], rtsp_server: RtspTestServer
) -> None:
    supervisor, states = engine
    supervisor.add_camera(1, rtsp(rtsp_server.url(1)))
    supervisor.set_display(1, DisplayWish(visible=True))
    states.wait_for(1, StreamState.LIVE, 15)
    mark = len(states.seen)
    rtsp_server.stop()
    states.wait_for(1, StreamState.RECONNECTING, 15, after=mark)
    time.sleep(3)
    mark = len(states.seen)
    rtsp_server.start()
    started = time.monotonic()
    states.wait_for(1, StreamState.LIVE, 10, after=mark)
    assert time.monotonic() - started < 10
    assert supervisor.stats(1).reconnects >= 1


def test_wrong_or_missing_credentials_show_unauthorized(
    engine: tuple[StreamSupervisor, States], rtsp_server_auth: RtspTestServer
) -> None:
    supervisor, states = engine
    supervisor.add_camera(1, rtsp(rtsp_server_auth.url(1, user=RTSP_USER, password="wrong-guess")))
    supervisor.add_camera(2, rtsp(rtsp_server_auth.url(2)))
    supervisor.add_camera(3, rtsp(rtsp_server_auth.url(3, user=RTSP_USER, password=RTSP_PASSWORD)))
    for cid in (1, 2, 3):
        supervisor.set_display(cid, DisplayWish(visible=True))
    for cid in (1, 2):
        stats = states.wait_for(cid, StreamState.UNAUTHORIZED, 15)
        assert "user name or password" in stats.message
        assert RTSP_PASSWORD not in stats.message and "wrong-guess" not in stats.message
    states.wait_for(3, StreamState.LIVE, 15)


def test_a_camera_that_goes_silent_or_never_answers_is_caught_by_its_timeouts(
    engine: tuple[StreamSupervisor, States], rtsp_server: RtspTestServer
) -> None:
    """Reads are guarded by FFmpeg's socket timeout (no GIL per check) and the opening by the open timeout."""
    supervisor, states = engine
    with FreezableProxy(("127.0.0.1", rtsp_server.port)) as proxy:
        url = f"rtsp://127.0.0.1:{proxy.port}/cam1"
        supervisor.add_camera(1, CameraStreams(main=SourceSpec(url, open_timeout_s=5, read_timeout_s=2)))
        states.wait_for(1, StreamState.LIVE, 15)
        mark = len(states.seen)
        proxy.freeze()  # the connection stays open, the camera says nothing more
        frozen = time.monotonic()
        stats = states.wait_for(1, StreamState.RECONNECTING, 10, after=mark)
        assert time.monotonic() - frozen < 2 + 4, "the read timeout (2 s) did not end the silent connection"
        assert "did not answer in time" in stats.message
        mark = len(states.seen)
        proxy.thaw()
        states.wait_for(1, StreamState.LIVE, 15, after=mark)
        supervisor.remove_camera(1)

    # A camera that accepts the connection and never answers the RTSP handshake: the open timeout ends it, even
    # though the read timeout is far longer.
    with socket.create_server(("127.0.0.1", 0)) as mute:
        url = f"rtsp://127.0.0.1:{mute.getsockname()[1]}/cam1"
        supervisor.add_camera(2, CameraStreams(main=SourceSpec(url, open_timeout_s=2, read_timeout_s=60)))
        started = time.monotonic()
        stats = states.wait_for(2, StreamState.RECONNECTING, 10)
        assert time.monotonic() - started < 2 + 4
        assert "did not answer in time" in stats.message
        supervisor.remove_camera(2)


def test_removing_a_live_camera_does_not_freeze_the_supervisor(
    engine: tuple[StreamSupervisor, States], rtsp_server: RtspTestServer
) -> None:
    """A stopping worker reports its last state through the supervisor's lock: joining it under that lock froze
    every command (and the whole stream process) for the join timeout."""
    supervisor, states = engine
    for cid in (1, 2):
        supervisor.add_camera(cid, rtsp(rtsp_server.url(cid)))
        supervisor.set_display(cid, DisplayWish(visible=True))
    for cid in (1, 2):
        states.wait_for(cid, StreamState.LIVE, 15)
    started = time.monotonic()
    supervisor.remove_camera(1)
    assert time.monotonic() - started < 2, "removing a camera waited for its worker under the lock"
    assert supervisor.worker(1) is None
    states.wait_for(1, StreamState.STOPPED, 5)
    mark = len(states.seen)
    started = time.monotonic()
    supervisor.add_camera(1, rtsp(rtsp_server.url(3)))  # and replacing one is as quick
    supervisor.add_camera(1, rtsp(rtsp_server.url(1)))
    assert time.monotonic() - started < 2
    states.wait_for(1, StreamState.LIVE, 15, after=mark)
    assert supervisor.stats(2).state is StreamState.LIVE
    # The replaced worker stopped, but the camera did not: its late report must not be the camera's last word.
    later = [stats.state for cid, stats in states.seen[mark:] if cid == 1]
    assert StreamState.STOPPED not in later, later
    assert later[-1] is StreamState.LIVE


class _HtmlHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>Not a camera</body></html>" * 50
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


def test_a_url_that_is_not_video_shows_a_clear_error(engine: tuple[StreamSupervisor, States], tmp_path: Path) -> None:
    supervisor, states = engine
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    thread = threading.Thread(target=server.serve_forever, name="html-server")
    thread.start()
    try:
        supervisor.add_camera(1, rtsp(f"http://127.0.0.1:{server.server_address[1]}/index.html"))
        supervisor.set_display(1, DisplayWish(visible=True))
        stats = states.wait_for(1, StreamState.ERROR, 15)
        assert "does not serve a video stream" in stats.message
        (tmp_path / "audio.txt").write_text("hello")
        supervisor.add_camera(2, CameraStreams(main=SourceSpec(str(tmp_path / "audio.txt"))))
        supervisor.set_display(2, DisplayWish(visible=True))
        assert "video" in states.wait_for(2, StreamState.ERROR, 15).message
    finally:
        supervisor.remove_camera(1)
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_hidden_tiles_decode_nothing(engine: tuple[StreamSupervisor, States], rtsp_server: RtspTestServer) -> None:
    supervisor, states = engine
    supervisor.add_camera(1, rtsp(rtsp_server.url(1)))
    supervisor.add_camera(2, rtsp(rtsp_server.url(2)))
    supervisor.set_display(1, DisplayWish(visible=False))
    supervisor.set_display(2, DisplayWish(visible=True))
    states.wait_for(1, StreamState.LIVE, 15)
    states.wait_for(2, StreamState.LIVE, 15)
    hidden, shown = supervisor.worker(1), supervisor.worker(2)
    assert hidden is not None and shown is not None
    before_hidden, before_shown = hidden.decoded_frames, shown.decoded_frames
    time.sleep(3)
    assert hidden.stats.input_fps > 15, "the hidden camera still receives packets (for recording)"
    assert hidden.decoded_frames == before_hidden == 0, "the decoder of a hidden tile must stay idle"
    assert hidden.mode is DecodeMode.OFF
    assert supervisor.frames.get(1) is None
    assert shown.decoded_frames - before_shown > 40
    # Showing it starts decoding at the next keyframe; hiding it again stops decoding.
    supervisor.set_display(1, DisplayWish(visible=True))
    wait_until(lambda: hidden.decoded_frames > 0, 6, "decode after showing the tile")
    supervisor.set_display(1, DisplayWish(visible=False))
    time.sleep(0.3)
    settled = hidden.decoded_frames
    time.sleep(2)
    assert hidden.decoded_frames == settled


def test_sub_stream_for_tiles_main_stream_for_full_screen(
    engine: tuple[StreamSupervisor, States],
    h264_clip_360p: Path,
    h264_clip_1080p: Path,
    rtsp_server_factory: RtspServerFactory,
) -> None:
    supervisor, states = engine
    main = rtsp_server_factory(h264_clip_1080p, 1)
    sub = rtsp_server_factory(h264_clip_360p, 1)
    supervisor.add_camera(1, CameraStreams(main=SourceSpec(main.url(1)), sub=SourceSpec(sub.url(1))))
    supervisor.set_display(1, DisplayWish(visible=True, box=(1920, 1080)))
    assert states.wait_for(1, StreamState.LIVE, 15).height == 360
    assert supervisor.worker(1, "main") is None, "no main-stream connection while only a tile shows it"
    supervisor.set_display(1, DisplayWish(visible=True, box=(1920, 1080), profile="main", priority=2000))
    wait_until(
        lambda: (f := supervisor.frames.get(1)) is not None and f.image.shape[0] == 1080,
        15,
        "a full-resolution frame from the main stream",
    )
    sub_worker = supervisor.worker(1, "sub")
    assert sub_worker is not None and sub_worker.mode is DecodeMode.OFF
    supervisor.set_display(1, DisplayWish(visible=True, box=(1920, 1080), profile="sub"))
    wait_until(lambda: supervisor.worker(1, "main") is None, 10, "the main stream to close")
    wait_until(
        lambda: (f := supervisor.frames.get(1)) is not None and f.image.shape[0] == 360,
        10,
        "sub-stream frames again",
    )


def test_rtsp_over_udp_goes_live(engine: tuple[StreamSupervisor, States], rtsp_server: RtspTestServer) -> None:
    supervisor, states = engine
    supervisor.add_camera(1, CameraStreams(main=SourceSpec(rtsp_server.url(1), transport="udp")))
    supervisor.set_display(1, DisplayWish(visible=True))
    states.wait_for(1, StreamState.LIVE, 15)
    wait_until(lambda: supervisor.frames.get(1) is not None, 10, "a frame over UDP")


class _MjpegHandler(http.server.BaseHTTPRequestHandler):
    """A real multipart MJPEG camera endpoint (the format cheap IP cameras serve at /video.mjpg)."""

    jpegs: list[bytes] = []

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        try:
            for n in range(250):
                jpeg = self.jpegs[n % len(self.jpegs)]
                self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n")
                self.wfile.write(f"Content-Length: {len(jpeg)}\r\n\r\n".encode())
                self.wfile.write(jpeg + b"\r\n")
                time.sleep(0.04)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *_args: object) -> None:
        pass


def _jpegs(count: int) -> list[bytes]:
    import av
    import numpy as np

    codec = av.CodecContext.create("mjpeg", "w")
    codec.width, codec.height, codec.pix_fmt = 320, 240, "yuvj420p"
    codec.time_base = Fraction(1, 25)
    out = []
    for n in range(count):
        image = np.full((240, 320, 3), (n * 20) % 255, np.uint8)
        image[:, (n * 10) % 320 :] = 200
        frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuvj420p")
        frame.pts = n
        out.extend(bytes(p) for p in codec.encode(frame))
    return out


def test_http_mjpeg_camera_goes_live(engine: tuple[StreamSupervisor, States]) -> None:
    supervisor, states = engine
    _MjpegHandler.jpegs = _jpegs(10)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _MjpegHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="mjpeg-server")
    thread.start()
    try:
        supervisor.add_camera(
            1, CameraStreams(main=SourceSpec(f"http://127.0.0.1:{server.server_address[1]}/video.mjpg"))
        )
        supervisor.set_display(1, DisplayWish(visible=True, box=(320, 240)))
        live = states.wait_for(1, StreamState.LIVE, 15)
        assert (live.codec, live.width, live.height) == ("mjpeg", 320, 240)
        wait_until(lambda: (f := supervisor.frames.get(1)) is not None and f.seq > 10, 10, "MJPEG frames")
    finally:
        supervisor.remove_camera(1)
        server.shutdown()
        server.server_close()
        thread.join(5)
