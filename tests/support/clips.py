"""H.264 MP4 test clips generated in code with PyAV (libx264 from the av wheel), cached under a temp folder.

Every frame carries its index as a row of 16x16 black/white blocks in the top-left corner (bit 0 first),
which `read_counter` reads back from a decoded luma plane, so tests can tell which frames arrived and whether
a looped clip wrapped. The rest of the picture is a scrolling diagonal gradient and a bouncing box.
"""

from __future__ import annotations

import os
import uuid
import zlib
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
import numpy as np
from numpy.typing import NDArray

COUNTER_BITS = 16
COUNTER_BLOCK = 16
_GENERATOR_VERSION = 2  # bump when the picture or the encoder settings change: old cache entries are ignored


def cache_dir() -> Path:
    """The clip cache folder: $NVR_TEST_CACHE or /tmp/nvr-test-cache (created if missing)."""
    folder = Path(os.environ.get("NVR_TEST_CACHE") or "/tmp/nvr-test-cache")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _luma_frame(base: NDArray[np.uint16], index: int, width: int, height: int) -> NDArray[np.uint8]:
    luma = ((base + 3 * index) & 0xFF).astype(np.uint8)
    box = max(16, height // 6)
    span_x, span_y = max(1, width - box), max(1, height - box)
    bx = (7 * index) % (2 * span_x)
    by = (5 * index) % (2 * span_y)
    x0 = bx if bx < span_x else 2 * span_x - bx
    y0 = by if by < span_y else 2 * span_y - by
    luma[y0 : y0 + box, x0 : x0 + box] = 235 - (index % 64)
    for bit in range(COUNTER_BITS):
        x = bit * COUNTER_BLOCK
        if x + COUNTER_BLOCK > width:
            break
        luma[:COUNTER_BLOCK, x : x + COUNTER_BLOCK] = 235 if (index >> bit) & 1 else 16
    return luma


def read_counter(luma: NDArray[Any]) -> int:
    """Read the frame index make_clip drew, from an 8-bit luma plane (frame.to_ndarray(format="gray"))."""
    value = 0
    half = COUNTER_BLOCK // 2
    for bit in range(COUNTER_BITS):
        x = bit * COUNTER_BLOCK
        if x + COUNTER_BLOCK > luma.shape[1]:
            break
        centre = luma[half - 4 : half + 4, x + half - 4 : x + half + 4]
        if float(centre.mean()) > 125.0:
            value |= 1 << bit
    return value


def make_clip(
    path: Path | str,
    width: int = 640,
    height: int = 360,
    fps: int = 25,
    seconds: float = 60,
    gop: int = 50,
    label: str = "",
) -> Path:
    """Encode a moving H.264 MP4 (yuv420p, baseline, no B-frames, IDR every `gop` frames) at path."""
    if width % 2 or height % 2:
        raise ValueError(f"yuv420p needs even dimensions, got {width}x{height}")
    ys, xs = np.mgrid[0:height, 0:width]
    base = (xs + ys).astype(np.uint16)
    return _encode(Path(path), width, height, fps, seconds, gop, label, lambda i: _luma_frame(base, i, width, height))


def _encode(
    path: Path,
    width: int,
    height: int,
    fps: int,
    seconds: float,
    gop: int,
    label: str,
    luma_of: Callable[[int], NDArray[np.uint8]],
) -> Path:
    frames = max(1, round(seconds * fps))
    hue = zlib.crc32(label.encode("utf-8"))
    chroma_u = np.full((height // 2, width // 2), 64 + hue % 128, dtype=np.uint8)
    chroma_v = np.full((height // 2, width // 2), 64 + (hue >> 8) % 128, dtype=np.uint8)
    time_base = Fraction(1, fps)
    with av.open(str(path), mode="w", format="mp4") as container:
        if label:
            container.metadata["title"] = label
        stream = container.add_stream(
            "libx264",
            rate=fps,
            options={
                "preset": "ultrafast",
                "profile": "baseline",
                "x264-params": f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes=0:sliced-threads=0",
            },
        )
        stream.width = width
        stream.height = height
        stream.pix_fmt = "yuv420p"
        stream.time_base = time_base
        stream.codec_context.gop_size = gop
        stream.codec_context.max_b_frames = 0
        # One slice per frame, like cameras: PyAV's default slice threading makes x264 cut frames into
        # slices, and h264parse config-interval=-1 then splits IDR frames by putting SPS/PPS between them.
        stream.codec_context.thread_type = "FRAME"
        planes = np.empty((height * 3 // 2, width), dtype=np.uint8)
        quarter = (height // 2) * (width // 2)
        for index in range(frames):
            planes[:height] = luma_of(index)
            chroma = planes[height:].reshape(-1)
            chroma[:quarter] = chroma_u.reshape(-1)
            chroma[quarter:] = chroma_v.reshape(-1)
            frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
            frame.pts = index
            frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def make_sweep_clip(
    path: Path | str, width: int = 640, height: int = 360, fps: int = 25, seconds: float = 30, gop: int = 25
) -> Path:
    """A still, textured scene where one bright square (a sixth of the height) sweeps back and forth across the
    right half only (x from 55% to 95% of the width, y from 35% to 65%): what server-side motion must find."""
    if width % 2 or height % 2:
        raise ValueError(f"yuv420p needs even dimensions, got {width}x{height}")
    ys, xs = np.mgrid[0:height, 0:width]
    scene = (40 + ((xs // 32 + ys // 32) % 2) * 30).astype(np.uint8)  # a still checkerboard: texture, no motion
    side = max(16, height // 6)
    left, right = int(width * 0.55), int(width * 0.95) - side
    top = int(height * 0.5) - side // 2
    period = 2 * fps  # one sweep a second each way

    def luma(index: int) -> NDArray[np.uint8]:
        phase = index % period
        travel = phase if phase < fps else period - phase
        x0 = left + (right - left) * travel // fps
        frame = scene.copy()
        frame[top : top + side, x0 : x0 + side] = 235
        return frame

    return _encode(Path(path), width, height, fps, seconds, gop, "motion", luma)


def cached_clip(width: int, height: int, fps: int, seconds: float, gop: int, *, motion: bool = False) -> Path:
    """Return a cached make_clip() (or make_sweep_clip()) file for these settings, generated once (atomic rename:
    parallel-safe)."""
    kind = "motion" if motion else "clip"
    name = f"{kind}-v{_GENERATOR_VERSION}-{width}x{height}-{fps}fps-{seconds:g}s-gop{gop}.mp4"
    final = cache_dir() / name
    if final.exists() and final.stat().st_size > 0:
        return final
    partial = final.with_name(f".{final.stem}.{os.getpid()}.{uuid.uuid4().hex}.partial.mp4")
    try:
        if motion:
            make_sweep_clip(partial, width, height, fps, seconds, gop)
        else:
            make_clip(partial, width, height, fps, seconds, gop, label=name)
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def clip_packets(path: Path) -> Iterator[tuple[Any, Any, float]]:
    """The video packets of a clip in order, with their stream and time in seconds (to feed a recorder)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            yield packet, stream, float(packet.pts * (stream.time_base or 0))


def playable_frames(path: Path) -> list[float]:
    """The times of the video frames that decode. A fragmented MP4 cut by a kill or a full disk ends in a torn
    fragment: FFmpeg then raises InvalidDataError, and everything before it counts."""
    times: list[float] = []
    with av.open(str(path)) as container:
        try:
            for frame in container.decode(video=0):
                times.append(float(frame.time or 0.0))
        except av.error.InvalidDataError:
            pass
    return times


def make_motion_clip(path: Path | str, width: int = 320, height: int = 240, fps: int = 10, seconds: float = 6) -> Path:
    """Encode an H.264 MP4 of a bright square bouncing across a dark, still background (a motion source)."""
    path = Path(path)
    frames = max(1, round(seconds * fps))
    side = max(8, height // 5)
    span = width - side
    time_base = Fraction(1, fps)
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps, options={"preset": "ultrafast", "tune": "zerolatency"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = time_base
        for index in range(frames):
            image = np.full((height, width, 3), 24, dtype=np.uint8)
            step = (index * 12) % (2 * span)
            x = step if step < span else 2 * span - step
            y = (height - side) // 2
            image[y : y + side, x : x + side] = 235
            frame = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p")
            frame.pts = index
            frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path
