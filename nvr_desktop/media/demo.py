"""Built-in demo cameras: short H.264 clips made with PyAV on first use, played in a loop at real time."""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from nvr_desktop.media.source import SourceSpec

log = logging.getLogger("media.demo")
DEMO_NAMES = (
    "Lobby",
    "Parking",
    "Loading dock",
    "Corridor",
    "Entrance",
    "Warehouse",
    "Back door",
    "Reception",
    "Garden",
)
#: Demo cameras get ids far from real ones so the two never mix.
DEMO_ID_BASE = 1_000_000
_VERSION = 1
WIDTH, HEIGHT, FPS, SECONDS, GOP = 640, 360, 25, 8, 50


@dataclass(frozen=True)
class DemoCamera:
    """A demo camera: id, label and the clip it plays."""

    id: int
    name: str
    clip: Path

    @property
    def spec(self) -> SourceSpec:
        """How the stream engine opens it: a local file paced at real time, looping."""
        return SourceSpec(str(self.clip), realtime=True)


def _background(index: int) -> npt.NDArray[np.uint8]:
    """A tinted gradient 'room' with a darker floor, different for each demo camera."""
    hue = np.array([(index * 67) % 255, (index * 131 + 80) % 255, (index * 199 + 160) % 255], dtype=np.float32)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    shade = (0.35 + 0.4 * ys / HEIGHT + 0.1 * np.sin(xs / 40.0))[..., None]
    image = (shade * (0.5 * hue + 60)).clip(0, 255)
    image[HEIGHT * 2 // 3 :, :, :] *= 0.7
    return np.ascontiguousarray(image.astype(np.uint8))


def _scene(background: npt.NDArray[np.uint8], index: int, frame_no: int) -> npt.NDArray[np.uint8]:
    """One RGB picture: the room, a moving 'person' and a sweeping 'clock' bar."""
    image = background.copy()
    t = frame_no / FPS
    px = int((WIDTH - 60) * (0.5 + 0.45 * np.sin(t * (0.6 + 0.1 * index))))
    py = HEIGHT * 2 // 3 - 110 + int(6 * np.sin(t * 6))
    image[py : py + 110, px : px + 40] = (230, 220, 200)
    image[py - 30 : py, px + 8 : px + 32] = (240, 200, 170)
    bar = int(WIDTH * (frame_no % (FPS * SECONDS)) / (FPS * SECONDS))
    image[HEIGHT - 6 :, :bar] = (255, 80, 60)
    return image


def _encode(path: Path, index: int) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with av.open(str(tmp), mode="w", format="mp4") as out:
            stream = out.add_stream("libx264", rate=FPS)
            stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            stream.time_base = Fraction(1, FPS)
            stream.codec_context.gop_size = GOP
            stream.codec_context.options = {"preset": "ultrafast", "tune": "zerolatency", "bf": "0"}
            background = _background(index)
            for n in range(FPS * SECONDS):
                frame = av.VideoFrame.from_ndarray(_scene(background, index, n), format="rgb24")
                frame.pts = n
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def demo_name(index: int) -> str:
    """The label of demo camera number index (0-based)."""
    return f"DEMO {DEMO_NAMES[index % len(DEMO_NAMES)]}"


def demo_camera(cache_dir: Path, index: int) -> DemoCamera:
    """Demo camera number index (0-based), generating its clip under cache_dir if missing (about 0.5 s)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    clip = cache_dir / f"demo{index + 1}-v{_VERSION}.mp4"
    if not clip.exists():
        log.info("generating demo clip %s", clip.name)
        _encode(clip, index)
    return DemoCamera(DEMO_ID_BASE + index + 1, demo_name(index), clip)
