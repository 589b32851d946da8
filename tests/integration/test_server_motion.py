"""Server-side motion detection in the stream engine: a real RTSP camera whose picture has a moving square."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.motion_tap import MotionEvent
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DisplayWish, StreamState
from nvr_desktop.media.supervisor import CameraStreams, StreamSupervisor
from tests.support.clips import cached_clip
from tests.support.fixtures import RtspServerFactory


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


@pytest.fixture(scope="session")
def motion_clip() -> Path:
    """640x360 H.264, 25 fps, 30 s: a still checkerboard with a bright square sweeping across the right half."""
    return cached_clip(640, 360, 25, 30, 25, motion=True)


def test_the_supervisor_decodes_a_hidden_camera_only_while_motion_is_on(
    motion_clip: Path, rtsp_server_factory: RtspServerFactory
) -> None:
    server = rtsp_server_factory(motion_clip, 1)
    found: list[MotionEvent] = []
    supervisor = StreamSupervisor(FrameStore(), on_motion=found.append)
    try:
        supervisor.add_camera(1, CameraStreams(main=SourceSpec(server.url(1))))
        supervisor.set_display(1, DisplayWish(visible=False))
        worker = supervisor.worker(1)
        assert worker is not None
        wait_until(lambda: worker.stats.state is StreamState.LIVE, 10, "live")
        time.sleep(1.0)
        assert worker.decoded_frames == 0, "no motion, hidden: the decoder stays idle"
        supervisor.set_motion(1, MotionSettings(enabled=True, cooldown_s=0.5))
        tap = worker.motion
        assert tap is not None
        wait_until(lambda: len(found) >= 2, 10, "motion events")
        start_frames, start_analysed, started = worker.decoded_frames, tap.analysed, time.monotonic()
        time.sleep(2.0)
        elapsed = time.monotonic() - started
        decoded, analysed = worker.decoded_frames - start_frames, tap.analysed - start_analysed
        assert decoded / elapsed > 20, "every frame decoded (25 fps)"
        assert 3.5 < analysed / elapsed < 6.5, "analysed at the settings' 5 fps"
        assert worker.stats.fps == 0, "nothing drawn for the hidden tile"
        event = found[0]
        assert event.camera_id == 1 and event.frame_size == (640, 360) and event.jpeg[:2] == b"\xff\xd8"
        supervisor.set_motion(1, None)
        assert worker.motion is None
        time.sleep(0.5)
        settled = worker.decoded_frames
        time.sleep(1.0)
        assert worker.decoded_frames == settled, "motion off, hidden: idle again"
    finally:
        supervisor.close()
