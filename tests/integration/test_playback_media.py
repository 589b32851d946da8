"""Playback and export over real recorded segments: a generated clip (every frame carries its index) is fed, packet
by packet, to the real SegmentRecorder with a controlled clock, giving segments with known wall-clock starts and a
20 s gap; the real reader, engine and exporter then have to land on exactly the right frames.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from nvr_desktop.core.errors import ConflictError, NotFoundError, ValidationError
from nvr_desktop.core.recording import SegmentInfo
from nvr_desktop.media.export import ExportCancelled, export_range
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


def test_seek_and_step_land_on_exact_frames(reader: PlaybackReader) -> None:
    frame = reader.seek(at(125) + timedelta(milliseconds=10))
    assert frame is not None and counter(frame.image) == 125 and frame.time == at(125)
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


def test_a_gap_has_no_picture_and_thumbnails_use_key_frames(reader: PlaybackReader) -> None:
    assert reader.seek(at(150)) is None  # 6 s after T0: the gap began
    assert not reader.covers(at(200))
    thumb = reader.thumbnail(at(137), (320, 180))
    assert thumb is not None and thumb.image.shape == (180, 320, 4)
    assert thumb.time == at(100), "a thumbnail decodes only the key frame before"


def wait(check: Any, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_engine_seeks_steps_plays_and_shows_nothing_in_a_gap(recorded: list[SegmentInfo]) -> None:
    clock = [1000.0]
    engine = PlaybackEngine({7: recorded}, box=(640, 360), clock=lambda: clock[0])
    try:
        engine.seek(at(50))
        assert engine.wait_idle()
        shown = engine.frames.get(7)
        assert shown is not None and counter(shown.image) == 50 and shown.pts_seconds == at(50).timestamp()
        engine.step(+1)
        assert engine.wait_idle()
        wait(lambda: (f := engine.snapshot(7)) is not None and counter(f.image) == 51)
        assert engine.position == at(51)
        engine.step(-1)
        assert engine.wait_idle()
        wait(lambda: (f := engine.snapshot(7)) is not None and counter(f.image) == 50)
        with pytest.raises(ValidationError):
            engine.set_speed(3.0)
        engine.set_speed(2.0)
        engine.play()
        clock[0] += 1.0  # 2 s of footage at 2x
        wait(lambda: (f := engine.snapshot(7)) is not None and counter(f.image) == 100)
        assert engine.position == at(100)
        clock[0] += 2.0  # now at 8 s: inside the gap
        wait(lambda: engine.frames.get(7) is None)
        clock[0] += 10.0  # 28 s: recording again (frame 200 of the clip)
        wait(lambda: (f := engine.snapshot(7)) is not None and counter(f.image) == 200)
        clock[0] += 100.0
        wait(lambda: not engine.playing)
    finally:
        engine.close()
    assert not any(t.name == "playback" for t in threading.enumerate())


def test_export_across_segments_plays_through_with_monotonic_time(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    seen: list[float] = []
    dest = tmp_path / "clip.mp4"
    result = export_range(7, recorded, at(60), at(140), dest, progress=seen.append)
    assert result.path == dest and dest.exists() and not list(tmp_path.glob(".*part"))
    assert result.start == at(50), "starts on the key frame at or before the range"
    indexes, stamps = [], []
    with av.open(str(dest)) as container:
        for frame in container.decode(video=0):
            indexes.append(counter(frame.to_ndarray(format="bgra")))
            stamps.append(frame.time)
    assert indexes == list(range(50, 140)), "every frame, in order, across the segment join"
    assert stamps == sorted(stamps)
    assert seen[-1] == 1.0


def test_export_over_the_gap_keeps_clock_time(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    dest = tmp_path / "gap.mp4"
    export_range(7, recorded, at(125), at(175, gap=True), dest)
    with av.open(str(dest)) as container:
        frames = [(counter(f.to_ndarray(format="bgra")), float(f.time or 0)) for f in container.decode(video=0)]
    assert [i for i, _ in frames] == list(range(100, 175))
    before, after = frames[49], frames[50]  # frames 149 and 150: the gap lies between them
    assert after[1] - before[1] == pytest.approx(GAP_S + 1 / FPS, abs=0.01)


def test_export_refuses_clearly_and_cancels_cleanly(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no recording"):
        export_range(7, recorded, at(175), at(200), tmp_path / "none.mp4")  # entirely inside the gap
    existing = tmp_path / "taken.mp4"
    existing.write_bytes(b"keep me")
    with pytest.raises(ConflictError):
        export_range(7, recorded, at(0), at(50), existing)
    assert existing.read_bytes() == b"keep me"
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportCancelled):
        export_range(7, recorded, at(0), at(100), tmp_path / "cancelled.mp4", cancel=cancel)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.mp4"], "nothing partial is left behind"
