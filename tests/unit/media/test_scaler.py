"""Direct scaling into the wall's memory: real frames decoded by PyAV, scaled by the libswscale PyAV loaded, compared
with PyAV's own reformat; and the worker's fall-back when direct scaling says no."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from av.video.reformatter import Interpolation, VideoReformatter

from nvr_desktop.media.frames import FrameStore
from nvr_desktop.media.scaler import DirectScaler, library
from nvr_desktop.media.source import SourceSpec
from nvr_desktop.media.state import DecodeMode
from nvr_desktop.media.worker import StreamWorker


def decoded(path: Path, count: int) -> list[av.VideoFrame]:
    frames: list[av.VideoFrame] = []
    with av.open(path) as container:
        for frame in container.decode(video=0):
            frames.append(frame)
            if len(frames) == count:
                break
    return frames


def pyav_bgra(frame: av.VideoFrame, width: int, height: int) -> np.ndarray:
    out = VideoReformatter().reformat(
        frame, width=width, height=height, format="bgra", interpolation=Interpolation.BILINEAR, threads=1
    )
    return np.asarray(out.to_ndarray())


def test_the_library_pyav_loaded_is_found() -> None:
    # In this environment (PyAV's wheel) and in the packaged app the fast path must be on, not silently off.
    lib = library()
    assert lib is not None
    assert DirectScaler().available
    assert lib.pixel_format("yuv420p") >= 0 and lib.pixel_format("bgra") >= 0
    # A GPU surface's planes are not pixels in memory: never handed to sws_scale.
    assert lib.pixel_format("vaapi") == -1 and lib.pixel_format("cuda") == -1
    assert lib.pixel_format("no-such-format") == -1


@pytest.mark.parametrize("size", [(272, 156), (640, 360), (96, 54)])
def test_direct_scaling_matches_pyav_reformat(h264_clip_360p: Path, size: tuple[int, int]) -> None:
    width, height = size
    scaler = DirectScaler()
    for frame in decoded(h264_clip_360p, 12):
        out = np.full((height, width, 4), 7, np.uint8)
        assert scaler.scale(frame, width, height, out.ctypes.data, width * 4)
        difference = np.abs(out.astype(int) - pyav_bgra(frame, width, height).astype(int))
        assert difference.max() <= 1, "the same picture as PyAV's reformat, to rounding"
        assert (out[..., 3] == 255).all()


def test_full_range_jpeg_pictures_keep_their_range() -> None:
    # An MJPEG camera's pictures are full-range "yuvj": a white-to-black ramp must come out white to black.
    ramp = np.tile(np.linspace(0, 255, 320, dtype=np.uint8), (240, 1))
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height, encoder.pix_fmt = 320, 240, "yuvj420p"  # type: ignore[attr-defined]
    encoder.time_base = Fraction(1, 25)
    picture = av.VideoFrame.from_ndarray(np.dstack([ramp] * 3), format="rgb24").reformat(format="yuvj420p")
    (packet,) = encoder.encode(picture)  # type: ignore[attr-defined]
    (frame,) = av.CodecContext.create("mjpeg", "r").decode(packet)  # type: ignore[attr-defined]
    assert frame.format.name.startswith("yuvj")
    out = np.zeros((120, 160, 4), np.uint8)
    assert DirectScaler().scale(frame, 160, 120, out.ctypes.data, 160 * 4)
    assert np.abs(out.astype(int) - pyav_bgra(frame, 160, 120).astype(int)).max() <= 1
    assert out[60, 0, :3].max() <= 6 and out[60, -1, :3].min() >= 249


def test_rows_wider_than_the_picture_are_respected(h264_clip_360p: Path) -> None:
    (frame,) = decoded(h264_clip_360p, 1)
    out = np.zeros((90, 200, 4), np.uint8)  # a stride of 200 pixels for a 160-pixel picture
    assert DirectScaler().scale(frame, 160, 90, out.ctypes.data, 200 * 4)
    assert (out[:, 160:] == 0).all(), "nothing written past each row's picture"
    assert np.abs(out[:, :160].astype(int) - pyav_bgra(frame, 160, 90).astype(int)).max() <= 1


def test_the_worker_falls_back_to_reformat_and_a_copy(h264_clip_360p: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Where libswscale cannot be called directly (another platform's wheel), pictures still reach the wall.
    calls: list[int] = []

    def refuse(self: DirectScaler, frame: av.VideoFrame, width: int, height: int, address: int, stride: int) -> bool:
        calls.append(width)
        return False

    monkeypatch.setattr(DirectScaler, "scale", refuse)
    store = FrameStore()
    worker = StreamWorker(1, SourceSpec(str(h264_clip_360p)), store)
    worker.set_display(DecodeMode.FULL, (320, 180))
    worker.start()
    try:
        deadline = 200
        while (store.get(1) is None or store.get(1).seq < 5) and deadline:  # type: ignore[union-attr]
            worker._stop.wait(0.05)
            deadline -= 1
    finally:
        worker.stop()
    frame = store.get(1)
    assert frame is not None and frame.seq >= 5 and calls
    assert frame.image.shape == (180, 320, 4)
    assert frame.image[..., :3].std() > 5, "a real picture, not an empty buffer"
