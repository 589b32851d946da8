"""Stream-copy recording from a real RTSP camera: segments cut on key frames that decode end to end."""

from __future__ import annotations

import time
from pathlib import Path

import av

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.recorder import SegmentRecorder
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DecodeMode, StreamState
from nvr_desktop.media.worker import StreamWorker
from tests.support.cameras import RtspTestServer
from tests.support.clips import playable_frames


def decode_all(path: Path) -> tuple[int, float, bool]:
    """Frames decoded, seconds covered, and whether the first frame is a key frame."""
    frames = 0
    first_key = False
    last = 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frames == 0:
                first_key = bool(frame.key_frame)
            frames += 1
            last = float(frame.time or 0.0)
    return frames, last, first_key


def test_recording_makes_decodable_key_frame_aligned_segments(rtsp_server: RtspTestServer, tmp_path: Path) -> None:
    (tmp_path / "recordings").mkdir()  # the storage folder must exist: a vanished one is an alarm, not re-created
    recorder = SegmentRecorder(1, tmp_path / "recordings", segment_s=2.0)
    worker = StreamWorker(1, SourceSpec(rtsp_server.url(1)), FrameStore())
    worker.add_packet_sink(recorder)
    worker.set_display(DecodeMode.OFF)  # recording needs no decoding at all
    worker.start()
    try:
        deadline = time.monotonic() + 15
        while worker.stats.state is not StreamState.LIVE:
            assert time.monotonic() < deadline, "camera never went live"
            time.sleep(0.1)
        time.sleep(8)
    finally:
        worker.stop()
        recorder.close()
    assert worker.decoded_frames == 0, "stream copy: nothing was decoded to record"
    segments = recorder.segments
    assert len(segments) >= 3
    total_frames = 0
    for n, segment in enumerate(segments):
        assert segment.path.is_relative_to(tmp_path / "recordings" / "1")
        assert segment.path.parent.name == segment.start.strftime("%Y-%m-%d")
        frames, seconds, first_key = decode_all(segment.path)
        assert first_key, f"{segment.path.name} does not start on a key frame"
        assert frames == segment.packets, f"{segment.path.name}: {frames} frames of {segment.packets} packets"
        if n < len(segments) - 1:  # the last one was cut short by stopping
            assert seconds >= 1.8, "a 2 s GOP clip gives segments of at least one GOP"
        total_frames += frames
    # About 8 s at 25 fps, less what came before the first key frame (at most one 2 s GOP).
    assert total_frames >= 25 * 5, total_frames


def test_a_segment_cut_by_a_kill_still_plays_up_to_the_cut(rtsp_server: RtspTestServer, tmp_path: Path) -> None:
    recorder = SegmentRecorder(1, tmp_path, segment_s=600.0)
    worker = StreamWorker(1, SourceSpec(rtsp_server.url(1)), FrameStore())
    worker.add_packet_sink(recorder)
    worker.start()
    try:
        time.sleep(8)
    finally:
        worker.stop()
    # No close(): the file is left as a killed process would leave it (no final fragment index).
    path = recorder._path
    assert path is not None and path.stat().st_size > 0
    frames = len(playable_frames(path))
    assert frames >= 25 * 3, f"only {frames} frames survived the cut"
    recorder.close()


CHILD = """
import sys, time
from pathlib import Path
from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.recorder import SegmentRecorder
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.worker import StreamWorker
recorder = SegmentRecorder(1, Path(sys.argv[2]), segment_s=600.0)
worker = StreamWorker(1, SourceSpec(sys.argv[1]), FrameStore())
worker.add_packet_sink(recorder)
worker.start()
while recorder._path is None:
    time.sleep(0.05)
print("RECORDING", flush=True)
time.sleep(3600)
"""


def test_kill_9_mid_segment_loses_at_most_one_gop(rtsp_server: RtspTestServer, tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, rtsp_server.url(1), str(tmp_path)], cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "RECORDING"
        started = time.monotonic()
        time.sleep(7)
        recorded_s = time.monotonic() - started
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    files = list(tmp_path.rglob("*.mp4"))
    assert len(files) == 1
    frames = len(playable_frames(files[0]))
    # Lost at most the open GOP (2 s) plus a second of slack for the child's start-up.
    assert frames >= 25 * (recorded_s - 2 - 1), f"{frames} frames survived {recorded_s:.1f} s of recording"
