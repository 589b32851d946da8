"""Audio rides along by stream copy when MP4 can carry it (AAC), and is left out (video still recorded) when it
cannot (G.711 A-law would need re-encoding). Sources are real files made with PyAV's encoders, read by the real
worker like a camera stream (the test RTSP server here has no audio elements installed).
"""

from __future__ import annotations

import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.recorder import SegmentRecorder
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.worker import StreamWorker

SECONDS = 6


def make_av_clip(path: Path, container_format: str, audio_codec: str, rate: int) -> None:
    """SECONDS of 320x180 H.264 (GOP 2 s) with a 440 Hz tone in audio_codec."""
    with av.open(str(path), "w", format=container_format) as out:
        video = out.add_stream("libx264", rate=25, options={"g": "50", "bf": "0"})
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        audio = out.add_stream(audio_codec, rate=rate, layout="mono")
        for n in range(25 * SECONDS):
            frame = av.VideoFrame.from_ndarray(np.full((180, 320, 3), n % 255, np.uint8), format="rgb24")
            frame.pts = n
            frame.time_base = Fraction(1, 25)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        samples_per_frame = 1024
        t = 0
        fmt = "fltp" if audio_codec == "aac" else "s16"
        while t < rate * SECONDS:
            tone = np.sin(2 * np.pi * 440 * (np.arange(samples_per_frame) + t) / rate).astype(np.float32)
            data = tone[None, :] if fmt == "fltp" else (tone * 20000).astype(np.int16)[None, :]
            frame = av.AudioFrame.from_ndarray(data, format=fmt, layout="mono")
            frame.sample_rate = rate
            frame.pts = t
            frame.time_base = Fraction(1, rate)
            out.mux(audio.encode(frame))
            t += samples_per_frame
        out.mux(audio.encode(None))


def record_file(source: Path, root: Path) -> Path:
    root.mkdir()
    recorder = SegmentRecorder(1, root, segment_s=600)
    worker = StreamWorker(1, SourceSpec(str(source)), FrameStore())
    worker.add_packet_sink(recorder, recorder.end_of_stream)
    worker.start()
    try:
        deadline = time.monotonic() + 20
        while not recorder.segments:
            assert time.monotonic() < deadline, "the file was never recorded"
            time.sleep(0.05)
    finally:
        worker.stop()
        recorder.close()
    return recorder.segments[0].path


def test_aac_audio_is_recorded_in_sync_by_stream_copy(tmp_path: Path) -> None:
    source = tmp_path / "cam.mp4"
    make_av_clip(source, "mp4", "aac", 16000)
    path = record_file(source, tmp_path / "rec")
    with av.open(str(path)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
        assert container.streams.audio[0].codec_context.name == "aac"
        video_end = audio_end = 0.0
        audio_frames = 0
        for frame in container.decode(video=0, audio=0):
            end = float(frame.time or 0.0)
            if isinstance(frame, av.AudioFrame):
                audio_frames += 1
                audio_end = max(audio_end, end + frame.samples / frame.sample_rate)
            else:
                video_end = max(video_end, end + 0.04)
    assert audio_frames >= 16000 * (SECONDS - 0.5) / 1024
    assert abs(audio_end - video_end) < 0.3, f"audio ends at {audio_end:.2f} s, video at {video_end:.2f} s"


def test_audio_mp4_cannot_carry_is_left_out_and_video_still_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "cam.mov"
    make_av_clip(source, "mov", "pcm_alaw", 8000)
    with caplog.at_level("INFO"):
        path = record_file(source, tmp_path / "rec")
    with av.open(str(path)) as container:
        assert [s.type for s in container.streams] == ["video"]
        assert sum(1 for _ in container.decode(video=0)) == 25 * SECONDS
    assert any("pcm_alaw cannot be stored in MP4" in r.getMessage() for r in caplog.records)
