"""Built-in demo cameras: real H.264 clips generated on first use, distinct per camera, cached."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from nvr_desktop.media.demo import DEMO_ID_BASE, FPS, SECONDS, demo_camera, demo_name


def test_demo_clips_are_real_video_and_differ(demo_dir: Path) -> None:
    first, second = demo_camera(demo_dir, 0), demo_camera(demo_dir, 1)
    assert (first.id, first.name) == (DEMO_ID_BASE + 1, demo_name(0)) and first.name.startswith("DEMO ")
    assert first.spec.realtime and first.spec.scheme == "file"
    pictures = []
    for camera in (first, second):
        with av.open(str(camera.clip)) as container:
            stream = container.streams.video[0]
            assert stream.codec_context.name == "h264"
            frames = list(container.decode(stream))
        assert len(frames) == FPS * SECONDS
        pictures.append(frames[0].to_ndarray(format="rgb24").astype(int))
    assert np.abs(pictures[0] - pictures[1]).mean() > 10, "each demo camera has its own look"
    stamp = first.clip.stat().st_mtime_ns
    assert demo_camera(demo_dir, 0).clip.stat().st_mtime_ns == stamp, "a clip is made once, then reused"
