"""Probe a candidate stream before it is saved: codec, resolution, frame rate, audio, and a small thumbnail.

Bounded in time: the open has its timeout (`open_container`), reads are bounded by FFmpeg's socket timeout, and the
whole probe by a deadline checked between packets. The container is always closed.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import av
import av.error
import numpy as np
from av.video.reformatter import VideoReformatter

from nvr_desktop.core.urls import redact_url
from nvr_desktop.media.source import SourceSpec, classify_error, open_container
from nvr_desktop.media.state import StreamState

log = logging.getLogger("media.probe")
PROBE_TIMEOUT_S = 8.0
MAX_PACKETS = 600
THUMB_WIDTH = 320


@dataclass(frozen=True)
class Thumbnail:
    """An RGB picture (rows of width*3 bytes), small enough for a dialog."""

    width: int
    height: int
    rgb: bytes


@dataclass(frozen=True)
class ProbeResult:
    """What a stream turned out to be, or why it could not be read (state and a message fit for the operator)."""

    state: StreamState
    message: str = ""
    codec: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    audio_codec: str = ""
    thumbnail: Thumbnail | None = None

    @property
    def ok(self) -> bool:
        """True when the stream served decodable video."""
        return self.state is StreamState.LIVE

    def summary(self) -> str:
        """One line for a table or the CLI: 'h264 640x360 25 fps, audio aac' or the error."""
        if not self.ok:
            return f"{self.state.value}: {self.message}"
        audio = f", audio {self.audio_codec}" if self.audio_codec else ", no audio"
        return f"{self.codec} {self.width}x{self.height} {self.fps:g} fps{audio}"


def probe_stream(
    url: str, *, transport: str = "tcp", timeout_s: float = PROBE_TIMEOUT_S, thumbnail: bool = False
) -> ProbeResult:
    """Open url (may carry credentials), decode the first picture and report what the stream is; never raises."""
    spec = SourceSpec(url=url, transport=transport, open_timeout_s=timeout_s, read_timeout_s=timeout_s)
    if spec.scheme == "file":
        return ProbeResult(StreamState.ERROR, "only network stream URLs can be probed")
    deadline = time.monotonic() + timeout_s
    try:
        container = open_container(spec)
    except Exception as err:  # noqa: BLE001 - every failure becomes a state the operator can read
        state, message = classify_error(err)
        log.info("probe of %s failed: %s", redact_url(url), message)
        return ProbeResult(state, message)
    try:
        return _inspect(container, deadline, thumbnail)
    except Exception as err:  # noqa: BLE001
        state, message = classify_error(err)
        log.info("probe of %s failed while reading: %s", redact_url(url), message)
        return ProbeResult(state, message)
    finally:
        container.close()


def _inspect(container: av.container.InputContainer, deadline: float, want_thumbnail: bool) -> ProbeResult:
    if not container.streams.video:
        return ProbeResult(StreamState.ERROR, "the URL serves no video stream")
    video = container.streams.video[0]
    audio = container.streams.audio[0] if container.streams.audio else None
    codec = video.codec_context.name
    rate = video.average_rate or video.guessed_rate or video.base_rate
    fps = round(float(rate), 2) if rate else 0.0
    for packets, packet in enumerate(container.demux(video)):
        if time.monotonic() > deadline or packets > MAX_PACKETS:
            return ProbeResult(StreamState.RECONNECTING, "no picture could be decoded in time", codec=codec)
        if packet.dts is None and packet.size == 0:
            continue
        for frame in packet.decode():
            thumb = _thumbnail(frame) if want_thumbnail else None
            return ProbeResult(
                StreamState.LIVE,
                codec=codec,
                width=frame.width,
                height=frame.height,
                fps=fps,
                audio_codec=audio.codec_context.name if audio is not None else "",
                thumbnail=thumb,
            )
    return ProbeResult(StreamState.ERROR, "the stream ended before a picture", codec=codec)


def _thumbnail(frame: av.VideoFrame) -> Thumbnail:
    width = min(THUMB_WIDTH, frame.width) // 2 * 2
    height = max(2, round(frame.height * width / max(1, frame.width)) // 2 * 2)
    small = VideoReformatter().reformat(frame, width=width, height=height, format="rgb24")
    pixels = np.ascontiguousarray(small.to_ndarray())
    return Thumbnail(width, height, pixels.tobytes())
