"""Cameras send duplicated, backwards and jumping timestamps; the recorder must never write them as-is.

Real packets of a generated H.264 clip are fed to the real SegmentRecorder with their timestamps damaged the way
cheap cameras damage them; the files must decode with strictly increasing timestamps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av

from nvr_desktop.media.recorder import RecorderEvent, SegmentRecorder
from tests.support.clips import cached_clip

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def feed(recorder: SegmentRecorder, damage: Any) -> None:
    clip = cached_clip(320, 180, 25, 8, 50)
    with av.open(str(clip)) as container:
        stream = container.streams.video[0]
        for n, packet in enumerate(container.demux(stream)):
            if packet.size == 0 or packet.dts is None:
                continue
            damage(n, packet, stream)
            recorder(packet, stream)
    recorder.close()


def timestamps(path: Path) -> tuple[list[int], int]:
    with av.open(str(path)) as container:
        dts = [p.dts for p in container.demux(video=0) if p.size and p.dts is not None]
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    return dts, frames


def test_duplicate_and_backwards_timestamps_are_nudged_forward(tmp_path: Path) -> None:
    recorder = SegmentRecorder(1, tmp_path, segment_s=600)

    def damage(n: int, packet: Any, stream: Any) -> None:
        step = int(1 / (25 * stream.time_base))
        if n % 10 == 3:  # a repeated timestamp
            packet.dts -= step
            packet.pts -= step
        if n % 17 == 5:  # a step backwards
            packet.dts -= 3 * step
            packet.pts -= 3 * step

    feed(recorder, damage)
    (segment,) = recorder.segments
    dts, frames = timestamps(segment.path)
    assert dts == sorted(dts) and len(set(dts)) == len(dts), "strictly increasing in the file"
    assert frames == segment.packets == 200


def test_a_timestamp_jump_starts_a_new_segment_instead_of_a_huge_file(tmp_path: Path) -> None:
    events: list[RecorderEvent] = []
    now = [T0]
    recorder = SegmentRecorder(1, tmp_path, segment_s=600, on_event=events.append, clock=lambda: now[0])

    def damage(n: int, packet: Any, stream: Any) -> None:
        now[0] = T0 + timedelta(seconds=n / 25)
        if n >= 100:  # the camera's clock jumps an hour ahead at 4 s
            jump = int(3600 / stream.time_base)
            packet.dts += jump
            packet.pts += jump

    feed(recorder, damage)
    assert [e.reason for e in events if e.kind == "closed"] == ["timestamp jump", "stopped"]
    first, second = recorder.segments
    for seg in (first, second):
        dts, frames = timestamps(seg.path)
        assert dts[0] == 0 and dts == sorted(dts), "each file starts at zero"
        assert frames == seg.packets
    assert first.packets == 100
    assert second.packets >= 50, "the second file starts at the next key frame after the jump"
    assert (second.start - T0).total_seconds() < 6.5, "the wall clock, not the camera's, dates the files"


def test_a_clock_reset_backwards_also_starts_a_new_segment(tmp_path: Path) -> None:
    events: list[RecorderEvent] = []
    recorder = SegmentRecorder(1, tmp_path, segment_s=600, on_event=events.append)

    def damage(n: int, packet: Any, stream: Any) -> None:
        if n >= 75:  # mid-GOP, the camera restarts its clock near zero
            back = int(100 / stream.time_base)
            packet.dts -= back
            packet.pts -= back

    feed(recorder, damage)
    assert next(e.reason for e in events if e.kind == "closed") == "timestamp jump"
    for seg in recorder.segments:
        dts, frames = timestamps(seg.path)
        assert dts == sorted(dts) and frames == seg.packets
    assert recorder.segments[0].packets == 75
