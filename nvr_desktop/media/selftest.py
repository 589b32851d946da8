"""The self-test's media check: encode a generated picture with PyAV in memory, demux and decode it back."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av
import numpy as np

from nvr_desktop.media.frames import RgbImage
from nvr_desktop.media.scaler import DirectScaler

#: The generated picture's colour (B, G, R): distinct channels, so a swapped channel order shows.
TEST_BGR = (40, 120, 200)
#: H.264 loses a little on a flat colour; more than this means the picture is wrong, not just compressed.
TOLERANCE = 12


@dataclass(frozen=True)
class DecodedFrame:
    """The picture that came back, and what it went through."""

    codec: str
    image: RgbImage  # (height, width, 4) bgra, the layout the wall paints
    direct: bool  # scaled into place by libswscale, as the wall's workers do (else PyAV's reformat)


def generated_picture(width: int, height: int) -> RgbImage:
    """A flat bgra picture in TEST_BGR."""
    picture = np.empty((height, width, 4), dtype=np.uint8)
    picture[:, :, :3] = TEST_BGR
    picture[:, :, 3] = 255
    return picture


def encode_decode(width: int = 320, height: int = 180, frames: int = 3) -> DecodedFrame:
    """Encode a few generated frames into an in-memory MP4 and decode the last one back to bgra."""
    buffer = io.BytesIO()
    source = av.VideoFrame.from_ndarray(generated_picture(width, height), format="bgra")
    with av.open(buffer, mode="w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        for index in range(frames):
            frame = source.reformat(format="yuv420p")
            frame.pts = index
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    buffer.seek(0)
    last = None
    with av.open(buffer, mode="r", format="mp4", timeout=10.0) as container:
        video = container.streams.video[0]
        codec = video.codec_context.name
        for frame in container.decode(video):
            last = frame
    if last is None:
        raise RuntimeError("the encoded video decoded to no picture")
    # The wall's path: libswscale writes the picture straight into memory the app owns.
    decoded: RgbImage = np.zeros((height, width, 4), np.uint8)
    direct = DirectScaler().scale(last, width, height, decoded.ctypes.data, width * 4)
    if not direct:
        decoded = np.asarray(last.to_ndarray(format="bgra"), dtype=np.uint8)
    if decoded.shape != (height, width, 4):
        raise RuntimeError(f"decoded picture is {decoded.shape[1]}x{decoded.shape[0]}, expected {width}x{height}")
    centre = decoded[height // 2, width // 2, :3].astype(int)
    if np.abs(centre - np.array(TEST_BGR)).max() > TOLERANCE:
        raise RuntimeError(f"decoded colour {tuple(centre)} differs from the encoded {TEST_BGR}")
    return DecodedFrame(codec, np.ascontiguousarray(decoded), direct)
