"""Frames from real video files through cv2.VideoCapture: paced like a camera, gated to the analysis rate, looped."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from edge.capture import RTSP_OPTIONS, FrameSource, SourceError
from edge.config import SourceConfig
from tests.support.clips import make_motion_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """320x240, 10 fps, 3 s: 30 frames."""
    return make_motion_clip(tmp_path_factory.mktemp("capture") / "clip.mp4", fps=10, seconds=3)


def test_a_file_is_paced_at_its_rate_and_analysed_at_the_configured_one(clip: Path) -> None:
    source = FrameSource(SourceConfig(file=clip), analysis_fps=5)
    started = time.monotonic()
    frames = list(source.frames(threading.Event()))
    took = time.monotonic() - started
    assert 2.5 <= took < 8, "30 frames at 10 fps take about 3 s"
    assert source.frames_read == 30
    assert 13 <= len(frames) <= 17, "every second frame is analysed at 5 of 10 fps"
    assert all(frame.image.shape == (240, 320, 3) for frame in frames)
    assert [frame.index for frame in frames] == sorted(frame.index for frame in frames)


def test_an_unpaced_file_is_read_at_once(clip: Path) -> None:
    source = FrameSource(SourceConfig(file=clip, pace=False), analysis_fps=1000)
    started = time.monotonic()
    frames = list(source.frames(threading.Event()))
    assert time.monotonic() - started < 2.5 and source.frames_read == 30 and len(frames) >= 1


def test_a_looped_file_starts_again_until_stopped(clip: Path) -> None:
    source = FrameSource(SourceConfig(file=clip, loop=True, pace=False), analysis_fps=1000)
    stop = threading.Event()
    seen = 0
    for _ in source.frames(stop):
        if source.frames_read >= 75:  # two and a half clips
            stop.set()
        seen += 1
    assert source.frames_read >= 75 and source.loops >= 2 and source.reconnects == 0 and seen >= 1


def test_a_broken_file_is_an_error_not_an_endless_retry(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a video at all" * 100)
    with pytest.raises(SourceError, match="cannot open file"):
        list(FrameSource(SourceConfig(file=broken, loop=True), analysis_fps=5).frames(threading.Event()))


def test_rtsp_options_never_leak_into_a_file_open(clip: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The variable is process-wide: a whitelist without "file" left behind would make every file unreadable.
    monkeypatch.setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", RTSP_OPTIONS)
    source = FrameSource(SourceConfig(file=clip, pace=False), analysis_fps=1000)
    assert list(source.frames(threading.Event()))
    assert os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] == RTSP_OPTIONS, "restored after the open"


def test_stopping_ends_a_paced_read_promptly(clip: Path) -> None:
    source = FrameSource(SourceConfig(file=clip, loop=True), analysis_fps=5)
    stop = threading.Event()
    started = time.monotonic()
    for _ in source.frames(stop):
        stop.set()
    assert time.monotonic() - started < 2
