"""Playback over real recorded segments: a generated clip (every frame carries its index) is fed, packet by packet,
to the real SegmentRecorder with a controlled clock, giving segments with known wall-clock starts and a 20 s gap;
the real reader and engine then have to land on exactly the right frames.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.recording import SegmentInfo
from nvr_desktop.media.playback import PlaybackEngine, PlaybackReader
from nvr_desktop.media.recorder import SegmentRecorder
from tests.support.clips import cached_clip, clip_packets, read_counter

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FPS = 25
GAP_S = 20.0


def counter(image: Any) -> int:
    """The frame index drawn into a BGRA picture (full size)."""
    b, g, r = (image[:, :, i].astype(np.float32) for i in range(3))
    return read_counter((0.114 * b + 0.587 * g + 0.299 * r).astype(np.uint8))


def at(frame_index: int, gap: bool = False) -> datetime:
    """Wall time of a clip frame (frames from 6 s on were recorded after the 20 s gap)."""
    return T0 + timedelta(seconds=frame_index / FPS + (GAP_S if gap else 0.0))


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[SegmentInfo]:
    """Segments [0, 4) [4, 6) s, a 20 s gap, then [26, 30) [30, 32) s of a 12 s clip with 2 s GOPs."""
    clip = cached_clip(640, 360, FPS, 12, 2 * FPS)
    root = tmp_path_factory.mktemp("rec")
    now = [T0]
    first = SegmentRecorder(7, root, segment_s=4.0, clock=lambda: now[0])
    second = SegmentRecorder(7, root, segment_s=4.0, clock=lambda: now[0])
    for packet, stream, t in clip_packets(clip):
        after_gap = t >= 6.0
        if after_gap and first._out is not None:
            now[0] = T0 + timedelta(seconds=6.0)  # the camera went away here
            first.close()
        now[0] = T0 + timedelta(seconds=t + (GAP_S if after_gap else 0.0))
        (second if after_gap else first)(packet, stream)
    now[0] = T0 + timedelta(seconds=12 + GAP_S)
    second.close()
    segments = [
        SegmentInfo(n + 1, 7, s.path, s.start, s.end, s.bytes, "h264", 640, 360)
        for n, s in enumerate(first.segments + second.segments)
    ]
    assert [round((s.start - T0).total_seconds()) for s in segments] == [0, 4, 26, 30]
    return segments


@pytest.fixture
def reader(recorded: list[SegmentInfo]) -> Iterator[PlaybackReader]:
    r = PlaybackReader(7, recorded, (640, 360))
    yield r
    r.close()


def wait(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll until check() is true (the engine's thread works on its own)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def shows(engine: PlaybackEngine, camera_id: int, index: int) -> Callable[[], bool]:
    """A check: the engine shows clip frame index for the camera."""
    return lambda: (f := engine.snapshot(camera_id)) is not None and counter(f.image) == index


# ---- reader -----------------------------------------------------------------------------------------------


def test_seek_and_step_land_on_exact_frames(reader: PlaybackReader) -> None:
    frame = reader.seek(at(125) + timedelta(milliseconds=10))
    assert frame is not None and counter(frame.image) == 125 and frame.time == at(125)
    assert frame.image.shape == (360, 640, 4) and frame.image.flags.c_contiguous
    nxt = reader.next_frame()
    assert nxt is not None and counter(nxt.image) == 126
    back = reader.previous_frame()
    assert back is not None and counter(back.image) == 125


def test_stepping_crosses_segment_joins_and_the_gap(reader: PlaybackReader) -> None:
    frame = reader.seek(at(99))
    assert frame is not None and counter(frame.image) == 99
    frame = reader.next_frame()
    assert frame is not None and counter(frame.image) == 100, "the next segment's first frame follows"
    frame = reader.previous_frame()
    assert frame is not None and counter(frame.image) == 99
    frame = reader.seek(at(149))  # the last frame before the gap
    frame = reader.next_frame()
    assert frame is not None and counter(frame.image) == 150 and frame.time == at(150, gap=True)
    frame = reader.previous_frame()
    assert frame is not None and counter(frame.image) == 149, "stepping back jumps the gap"
    reader.seek(at(299, gap=True))
    assert reader.next_frame() is None, "the end of the footage"


def test_a_gap_has_no_picture_and_thumbnails_use_key_frames(reader: PlaybackReader) -> None:
    assert reader.seek(at(150)) is None  # 6 s after T0: the gap began
    frame = reader.next_frame()
    assert frame is not None and counter(frame.image) == 150, "stepping on from a gap reaches the next footage"
    assert reader.seek(T0 - timedelta(seconds=1)) is None, "before the first segment"
    assert not reader.covers(at(200))
    thumb = reader.thumbnail(at(137), (320, 180))
    assert thumb is not None and thumb.image.shape == (180, 320, 4)
    assert thumb.time == at(100), "a thumbnail decodes only the key frame before"
    assert reader.thumbnail(at(160)) is None


def test_stepping_on_after_close_or_a_thumbnail_continues_from_the_current_frame(reader: PlaybackReader) -> None:
    frame = reader.seek(at(10))
    assert frame is not None and counter(frame.image) == 10
    reader.close()
    got = [reader.next_frame(), reader.next_frame()]
    assert [counter(f.image) for f in got if f is not None] == [11, 12]
    assert reader.thumbnail(at(60)) is not None
    frame = reader.next_frame()
    assert frame is not None and counter(frame.image) == 13


def test_missing_and_undecodable_files_are_skipped_with_a_log_line(
    recorded: list[SegmentInfo], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    copy = tmp_path / "copy.mp4"
    shutil.copy(recorded[3].path, copy)
    segments = [
        replace(recorded[0], path=tmp_path / "gone.mp4"),
        replace(recorded[1], path=garbage),
        recorded[2],
        replace(recorded[3], path=copy),
    ]
    with caplog.at_level(logging.WARNING, logger="media.playback"):
        reader = PlaybackReader(7, segments)
        try:
            assert reader.seek(at(10)) is None, "a missing file plays as a gap"
            assert reader.seek(at(110)) is None, "so does one that does not decode"
            frame = reader.seek(at(249, gap=True))
            assert frame is not None and counter(frame.image) == 249
            frame = reader.next_frame()
            assert frame is not None and counter(frame.image) == 250, "on into the next good file"
        finally:
            reader.close()
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "gone.mp4" in logged and "garbage.mp4" in logged


# ---- engine -----------------------------------------------------------------------------------------------


def test_engine_seeks_steps_plays_and_shows_nothing_in_a_gap(recorded: list[SegmentInfo]) -> None:
    clock = [1000.0]
    engine = PlaybackEngine({7: recorded}, box=(640, 360), clock=lambda: clock[0])
    try:
        assert engine.position == T0 and not engine.playing
        engine.seek(at(50))
        assert engine.wait_idle()
        shown = engine.frames.get(7)
        assert shown is not None and counter(shown.image) == 50 and shown.pts_seconds == at(50).timestamp()
        engine.step(+1)
        assert engine.wait_idle()
        assert shows(engine, 7, 51)() and engine.position == at(51)
        engine.step(-1)
        assert engine.wait_idle()
        assert shows(engine, 7, 50)()
        with pytest.raises(ValidationError):
            engine.set_speed(3.0)
        engine.set_speed(2.0)
        engine.play()
        clock[0] += 1.0  # 2 s of footage at 2x
        wait(shows(engine, 7, 100))
        assert engine.position == at(100)
        clock[0] += 2.0  # now at 8 s: inside the gap
        wait(lambda: engine.frames.get(7) is None and engine.snapshot(7) is None)
        clock[0] += 10.0  # 28 s: recording again (frame 200 of the clip)
        wait(shows(engine, 7, 200))
        clock[0] += 100.0
        wait(lambda: not engine.playing)  # past the end of all footage: paused there
    finally:
        engine.close()
    assert not any(t.name == "playback" for t in threading.enumerate())


def test_engine_cursor_runs_at_speed_and_decodes_only_key_frames_above_2x(recorded: list[SegmentInfo]) -> None:
    clock = [50.0]
    engine = PlaybackEngine({7: recorded}, clock=lambda: clock[0])
    try:
        engine.seek(T0)
        assert engine.wait_idle()
        engine.play()
        clock[0] += 1.0
        assert engine.position == T0 + timedelta(seconds=1)
        wait(shows(engine, 7, 25))  # 1x decodes every frame
        engine.set_speed(4.0)
        assert engine.speed == 4.0 and engine.playing
        # Key frames come every 2 s (50 frames): at 4x the picture is the key frame before the cursor.
        for clock_s, cursor_s, key in ((0.375, 2.5, 50), (0.5, 4.5, 100), (5.625, 27.0, 150)):
            clock[0] += clock_s
            assert engine.position == T0 + timedelta(seconds=cursor_s), "4x: four seconds of footage a second"
            wait(shows(engine, 7, key))
        engine.pause()
        assert engine.wait_idle() and not engine.playing
        assert shows(engine, 7, 175)(), "paused, the exact picture at the cursor"
        assert engine.position == at(175, gap=True)
    finally:
        engine.close()


def test_engine_steps_over_the_frame_times_of_all_cameras(recorded: list[SegmentInfo]) -> None:
    # Camera 8 plays the same files recorded 20 ms later: its frames fall between camera 7's.
    later = [replace(s, camera_id=8, start=s.start + timedelta(milliseconds=20)) for s in recorded]
    engine = PlaybackEngine({7: recorded, 8: later}, clock=lambda: 0.0)
    try:
        engine.seek(at(50))
        assert engine.wait_idle()
        assert shows(engine, 7, 50)() and shows(engine, 8, 49)()
        engine.step(+1)
        assert engine.wait_idle()
        assert engine.position == at(50) + timedelta(milliseconds=20)
        assert shows(engine, 7, 50)() and shows(engine, 8, 50)()
        engine.step(+3)
        assert engine.wait_idle()
        assert engine.position == at(52) and shows(engine, 7, 52)() and shows(engine, 8, 51)()
        engine.step(-1)
        assert engine.wait_idle()
        assert engine.position == at(51) + timedelta(milliseconds=20)
        engine.set_box((320, 180))
        assert engine.wait_idle()
        snap = engine.snapshot(7)
        assert snap is not None and snap.image.shape == (180, 320, 4) and snap.time == at(51)
    finally:
        engine.close()


def test_engine_without_footage_shows_nothing_and_stops() -> None:
    with pytest.raises(ValidationError):
        PlaybackEngine({cid: [] for cid in range(17)})
    engine = PlaybackEngine({3: [], 4: []})
    try:
        assert engine.position.utcoffset() == timedelta(0)
        engine.play()
        wait(lambda: not engine.playing)
        assert engine.snapshot(3) is None and engine.frames.get(4) is None
    finally:
        engine.close()
        engine.close()  # twice is harmless
    assert not any(t.name == "playback" for t in threading.enumerate())
