"""Range export over real recorded segments: a generated clip (every frame carries its index) is fed to the real
SegmentRecorder with a controlled clock, giving three back-to-back segments, a 20 s gap and one more segment; the
exported MP4 is then decoded end to end to see exactly which frames it holds and when.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from nvr_desktop.core.errors import ConflictError, NotFoundError, ValidationError
from nvr_desktop.core.recording import SegmentInfo
from nvr_desktop.media.export import ExportCancelled, ExportResult, export_range
from nvr_desktop.media.recorder import SegmentRecorder
from tests.support.clips import cached_clip, clip_packets, read_counter

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FPS = 25
GAP_S = 20.0
GAP_AT_S = 10.0


def at(frame_index: int) -> datetime:
    """Wall time of a clip frame (frames from 10 s on were recorded after the 20 s gap)."""
    seconds = frame_index / FPS
    return T0 + timedelta(seconds=seconds + (GAP_S if seconds >= GAP_AT_S else 0.0))


def record(packets: Any, root: Path) -> list[SegmentInfo]:
    """Feed (packet, stream, seconds) to recorders of 4 s segments, with the camera away for GAP_S at GAP_AT_S."""
    now = [T0]
    first = SegmentRecorder(7, root, segment_s=4.0, clock=lambda: now[0])
    second = SegmentRecorder(7, root, segment_s=4.0, clock=lambda: now[0])
    last = 0.0
    for packet, stream, t in packets:
        after_gap = t >= GAP_AT_S
        if after_gap and first._out is not None:
            now[0] = T0 + timedelta(seconds=GAP_AT_S)  # the camera went away here
            first.close()
        now[0] = T0 + timedelta(seconds=t + (GAP_S if after_gap else 0.0))
        (second if after_gap else first)(packet, stream)
        last = max(last, t)
    for recorder in (first, second):
        now[0] = T0 + timedelta(seconds=last + 0.04 + (GAP_S if recorder is second else 0.0))
        recorder.close()
    return [
        SegmentInfo(n + 1, 7, s.path, s.start, s.end, s.bytes, "h264", 640, 360)
        for n, s in enumerate(first.segments + second.segments)
    ]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> list[SegmentInfo]:
    """Segments [0, 4) [4, 8) [8, 10) s, a 20 s gap, then [30, 32) s of a 12 s clip with 2 s GOPs."""
    clip = cached_clip(640, 360, FPS, 12, 2 * FPS)
    segments = record(clip_packets(clip), tmp_path_factory.mktemp("rec"))
    assert [round((s.start - T0).total_seconds()) for s in segments] == [0, 4, 8, 30]
    return segments


def counter(frame: Any) -> int:
    """The frame index drawn into a decoded picture."""
    return read_counter(frame.to_ndarray(format="gray"))


def decode(path: Path) -> tuple[list[int], list[float]]:
    """Frame indexes and presentation times (seconds) of an exported file, in decoding order."""
    indexes, times = [], []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            indexes.append(counter(frame))
            times.append(float(frame.time or 0.0))
    return indexes, times


def test_export_across_segment_joins_holds_every_frame_in_order(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    seen: list[float] = []
    dest = tmp_path / "clip.mp4"
    result = export_range(7, recorded, at(60), at(190), dest, progress=seen.append)
    assert result == ExportResult(7, dest, at(50), at(189), 140, dest.stat().st_size)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"], "the temporary file was renamed"
    indexes, times = decode(dest)
    assert indexes == list(range(50, 190)), "from the key frame before the start, across two joins"
    assert all(b > a for a, b in itertools.pairwise(times)), "strictly increasing times"
    assert times[0] == 0.0 and times[-1] == pytest.approx(139 / FPS, abs=0.002)
    assert seen == sorted(seen) and seen[0] >= 0.0 and seen[-1] == 1.0
    data = dest.read_bytes()
    assert b"moof" not in data, "a plain MP4, not fragmented"
    assert data.index(b"moov") < data.index(b"mdat"), "+faststart: the index comes first"


def test_export_from_a_key_frame_starts_exactly_there(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    result = export_range(7, recorded, at(100), at(110), tmp_path / "key.mp4")
    assert decode(result.path)[0] == list(range(100, 110))
    assert (result.start, result.end, result.packets) == (at(100), at(109), 10)


def test_export_between_two_pictures_holds_the_picture_shown(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    start = at(130) + timedelta(milliseconds=10)
    result = export_range(7, recorded, start, start + timedelta(milliseconds=10), tmp_path / "tiny.mp4")
    assert decode(result.path)[0] == list(range(100, 131)), "the GOP up to the picture on screen at the start"


def test_export_over_the_gap_keeps_clock_time(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    result = export_range(7, recorded, at(225), at(275), tmp_path / "gap.mp4")
    indexes, times = decode(result.path)
    assert indexes == list(range(200, 275))
    before, after = times[49], times[50]  # frames 249 and 250: the gap lies between them
    assert after - before == pytest.approx(GAP_S + 1 / FPS, abs=0.002)


def test_export_from_inside_the_gap_starts_with_the_next_segment(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    result = export_range(7, recorded, T0 + timedelta(seconds=15), at(270), tmp_path / "after.mp4")
    assert result.start == at(250) and decode(result.path)[0] == list(range(250, 270))


def test_export_skips_missing_and_damaged_files(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    segments = [recorded[0], replace(recorded[1], path=garbage), replace(recorded[2], path=tmp_path / "gone.mp4")]
    result = export_range(7, [*segments, recorded[3]], at(60), at(260), tmp_path / "holes.mp4")
    indexes, times = decode(result.path)
    assert indexes == [*range(50, 100), *range(250, 260)]
    assert times[50] - times[49] == pytest.approx(6.0 + GAP_S + 1 / FPS, abs=0.002), "what is missing is a gap"


def test_export_refuses_empty_ranges_existing_files_and_reversed_times(
    recorded: list[SegmentInfo], tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match="no recording"):
        export_range(7, recorded, T0 + timedelta(seconds=12), T0 + timedelta(seconds=28), tmp_path / "none.mp4")
    with pytest.raises(NotFoundError):
        export_range(8, recorded, at(0), at(50), tmp_path / "other.mp4")  # another camera's footage does not count
    existing = tmp_path / "taken.mp4"
    existing.write_bytes(b"keep me")
    with pytest.raises(ConflictError):
        export_range(7, recorded, at(0), at(50), existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(ValidationError):
        export_range(7, recorded, at(50), at(0), tmp_path / "backwards.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.mp4"]


def test_cancelling_removes_the_partial_file(recorded: list[SegmentInfo], tmp_path: Path) -> None:
    cancel = threading.Event()
    seen: list[float] = []

    def progress(fraction: float) -> None:
        seen.append(fraction)
        if fraction > 0.3:
            cancel.set()  # half way through, as a user pressing Cancel

    with pytest.raises(ExportCancelled):
        export_range(7, recorded, at(0), at(250), tmp_path / "cancelled.mp4", progress=progress, cancel=cancel)
    assert seen and seen[-1] < 1.0
    assert list(tmp_path.iterdir()) == [], "nothing partial is left behind"


# ---- sound ------------------------------------------------------------------------------------------------


def make_av_clip(path: Path, seconds: int = 12) -> None:
    """A 320x180 H.264 clip (GOP 2 s, frame index in the picture) with a 440 Hz AAC tone."""
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=FPS, options={"g": str(2 * FPS), "bf": "0", "preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        audio = out.add_stream("aac", rate=16000, layout="mono")
        for n in range(FPS * seconds):
            luma = np.full((180, 320), 16, np.uint8)
            for bit in range(16):
                luma[:16, bit * 16 : bit * 16 + 16] = 235 if (n >> bit) & 1 else 16
            frame = av.VideoFrame.from_ndarray(luma, format="gray")
            frame.pts, frame.time_base = n, Fraction(1, FPS)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        for t in range(0, 16000 * seconds, 1024):
            tone = np.sin(2 * np.pi * 440 * (np.arange(1024) + t) / 16000).astype(np.float32)
            sound = av.AudioFrame.from_ndarray(tone[None, :], format="fltp", layout="mono")
            sound.sample_rate, sound.pts, sound.time_base = 16000, t, Fraction(1, 16000)
            out.mux(audio.encode(sound))
        out.mux(audio.encode(None))


def av_packets(path: Path) -> Iterator[tuple[Any, Any, float]]:
    """The clip's packets in file order with their stream and time. Before the first packet and again at the gap,
    a spare sound packet comes first, as cameras send sound before the first key frame of a connection: the
    recorder drops it but learns that the camera has sound."""
    with av.open(str(path)) as spare, av.open(str(path)) as container:
        spare_audio = spare.streams.audio[0]
        spares = (p for p in spare.demux(spare_audio) if p.size)
        yield next(spares), spare_audio, 0.0
        taught_after_gap = False
        for packet in container.demux():
            if not packet.size or packet.pts is None:
                continue
            t = float(packet.pts * packet.stream.time_base)
            if t >= GAP_AT_S and not taught_after_gap:
                taught_after_gap = True
                yield next(spares), spare_audio, t
            yield packet, packet.stream, t


def test_export_carries_the_sound_along(tmp_path: Path) -> None:
    make_av_clip(tmp_path / "source.mp4")
    (tmp_path / "rec").mkdir()
    segments = record(av_packets(tmp_path / "source.mp4"), tmp_path / "rec")
    with av.open(str(segments[0].path)) as container:
        assert container.streams.audio, "the recording holds sound"
    result = export_range(7, segments, at(60), at(260), tmp_path / "sound.mp4")
    with av.open(str(result.path)) as container:
        sound = container.streams.audio[0]
        assert sound.codec_context.name == "aac"
        times = [float(p.pts * sound.time_base) for p in container.demux(sound) if p.size]
    assert all(b > a for a, b in itertools.pairwise(times))
    assert 0.0 <= times[0] < 0.2, "the sound starts with the first picture"
    span = (result.end - result.start).total_seconds()
    assert span - 0.2 < times[-1] < span + 0.2, "and lasts as long, the gap included"
    with av.open(str(result.path)) as container:
        assert sum(f.samples for f in container.decode(audio=0)) > 16000 * 7, "seven seconds of it decode"
    indexes, _ = decode(result.path)
    assert indexes == list(range(50, 260))


def test_a_camera_reconfigured_mid_range_ends_the_clip_and_says_so(tmp_path: Path) -> None:
    """An MP4 track holds one video format: the export stops at the change and reports why."""
    segments: list[SegmentInfo] = []
    for n, (width, height) in enumerate(((320, 180), (640, 360))):
        start = T0 + timedelta(seconds=4 * n)
        now = [start]
        recorder = SegmentRecorder(9, tmp_path / "rec", segment_s=600, clock=lambda now=now: now[0])
        (tmp_path / "rec").mkdir(exist_ok=True)
        for packet, stream, t in clip_packets(cached_clip(width, height, FPS, 12, 50)):
            if t >= 4.0:
                break
            now[0] = start + timedelta(seconds=t)
            recorder(packet, stream)
        now[0] = start + timedelta(seconds=4)
        recorder.close()
        seg = recorder.segments[0]
        segments.append(SegmentInfo(n + 1, 9, seg.path, seg.start, seg.end, seg.bytes))
    result = export_range(9, segments, T0, T0 + timedelta(seconds=8), tmp_path / "out.mp4")
    assert "video changed" in result.cut_short
    assert result.end < T0 + timedelta(seconds=4)
    with av.open(str(result.path)) as container:
        assert (container.streams.video[0].width, sum(1 for _ in container.decode(video=0))) == (320, 100)
