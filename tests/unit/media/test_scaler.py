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


def assert_same_picture(out: np.ndarray, reference: np.ndarray, *, two_step: bool) -> None:
    """One step is PyAV's own conversion, to rounding; two steps (smaller pictures) stay within 3 levels."""
    difference = np.abs(out.astype(int) - reference.astype(int))
    assert difference.max() <= (3 if two_step else 1), "the same picture as PyAV's reformat"
    assert difference.mean() <= 1.0
    assert (out[..., 3] == 255).all()


@pytest.mark.parametrize(
    ("size", "two_step"),
    [((272, 156), True), ((96, 54), True), ((640, 360), False), ((960, 540), False), ((272, 157), False)],
)
def test_direct_scaling_matches_pyav_reformat(h264_clip_360p: Path, size: tuple[int, int], two_step: bool) -> None:
    # Smaller pictures of an even height take two steps (cheaper); the same size, larger or an odd height, one.
    width, height = size
    scaler = DirectScaler()
    for frame in decoded(h264_clip_360p, 12):
        out = np.full((height, width, 4), 7, np.uint8)
        assert scaler.scale(frame, width, height, out.ctypes.data, width * 4)
        assert scaler.two_step is two_step
        assert_same_picture(out, pyav_bgra(frame, width, height), two_step=two_step)


def coloured(kind: str) -> av.VideoFrame:
    """A 640x360 yuv420p picture made to break chroma handling: sharp colour edges in every direction."""
    rng = np.random.default_rng(7)
    if kind == "blocks":
        rgb = rng.integers(0, 256, (45, 80, 3), dtype=np.uint8).repeat(8, 0).repeat(8, 1)
    elif kind == "stripes":
        palette = np.array([(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 0, 0)], np.uint8)
        rgb = np.ascontiguousarray(np.broadcast_to(palette[(np.arange(360) // 5) % 5][:, None], (360, 640, 3)))
    else:
        rgb = rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")


@pytest.mark.parametrize("kind", ["blocks", "stripes", "noise"])
@pytest.mark.parametrize("size", [(272, 156), (160, 90)])
def test_two_steps_keep_every_colour_row(kind: str, size: tuple[int, int]) -> None:
    # A yuv420p picture in between would halve the colour rows: 8-pixel colour blocks came out up to 129 levels off.
    width, height = size
    frame = coloured(kind)
    scaler = DirectScaler()
    out = np.zeros((height, width, 4), np.uint8)
    assert scaler.scale(frame, width, height, out.ctypes.data, width * 4)
    assert scaler.two_step
    assert_same_picture(out, pyav_bgra(frame, width, height), two_step=True)


def test_a_scaler_follows_its_camera_between_one_and_two_steps(h264_clip_360p: Path) -> None:
    # The tile grows past the picture (full screen) and shrinks back: each size gets its own plan, rightly drawn.
    (frame,) = decoded(h264_clip_360p, 1)
    scaler = DirectScaler()
    for width, height, two_step in [(272, 156, True), (960, 540, False), (192, 108, True), (640, 360, False)]:
        out = np.zeros((height, width, 4), np.uint8)
        assert scaler.scale(frame, width, height, out.ctypes.data, width * 4)
        assert scaler.two_step is two_step
        assert_same_picture(out, pyav_bgra(frame, width, height), two_step=two_step)
    scaler.close()
    assert not scaler.two_step


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
    scaler = DirectScaler()
    assert scaler.scale(frame, 160, 120, out.ctypes.data, 160 * 4)
    assert_same_picture(out, pyav_bgra(frame, 160, 120), two_step=scaler.two_step)
    assert out[60, 0, :3].max() <= 6 and out[60, -1, :3].min() >= 249


def test_rows_wider_than_the_picture_are_respected(h264_clip_360p: Path) -> None:
    (frame,) = decoded(h264_clip_360p, 1)
    out = np.zeros((90, 200, 4), np.uint8)  # a stride of 200 pixels for a 160-pixel picture
    scaler = DirectScaler()
    assert scaler.scale(frame, 160, 90, out.ctypes.data, 200 * 4)
    assert (out[:, 160:] == 0).all(), "nothing written past each row's picture"
    assert_same_picture(out[:, :160], pyav_bgra(frame, 160, 90), two_step=scaler.two_step)


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
