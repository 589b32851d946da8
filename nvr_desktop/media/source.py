"""How a camera URL is opened with PyAV: options, protocol whitelist, timeouts, error classification."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import av
import av.error

from nvr_desktop.core.urls import redact_url
from nvr_desktop.media.state import StreamState

OPEN_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 10.0
# Only the protocols each kind of source needs: a stream URL never reaches file:, concat:, subfile:...
_WHITELISTS = {
    "rtsp": "rtsp,rtp,srtp,udp,tcp",
    "rtsps": "rtsp,rtsps,rtp,srtp,udp,tcp,tls",
    "http": "http,tcp",
    "https": "https,http,tcp,tls",
    "file": "file",
}


@dataclass(frozen=True)
class SourceSpec:
    """Everything a worker needs to open one stream."""

    url: str  # may carry credentials: never log it unredacted
    transport: str = "tcp"  # RTSP transport: tcp or udp
    realtime: bool = False  # pace a local file at its frame rate and loop it (demo cameras)
    open_timeout_s: float = OPEN_TIMEOUT_S
    read_timeout_s: float = READ_TIMEOUT_S
    # The camera needs a password this machine's keyring lacks: the worker reports LOGIN_MISSING and never dials
    # (a login without it would only be refused, and refusals can lock the camera's account).
    login_missing: bool = False

    @property
    def scheme(self) -> str:
        """The URL scheme, 'file' for a local path."""
        scheme = urlsplit(self.url).scheme.lower()
        return scheme if scheme in _WHITELISTS else "file"

    @property
    def redacted(self) -> str:
        """The URL fit for logs and the UI."""
        return redact_url(self.url) if self.scheme != "file" else Path(self.url).name


def open_options(spec: SourceSpec) -> dict[str, str]:
    """FFmpeg options for av.open: protocol whitelist, transport and socket timeouts."""
    micros = str(int(spec.read_timeout_s * 1_000_000))
    options = {"protocol_whitelist": _WHITELISTS[spec.scheme]}
    if spec.scheme in ("rtsp", "rtsps"):
        options.update({"rtsp_transport": spec.transport, "timeout": micros, "allowed_media_types": "video+audio"})
    elif spec.scheme in ("http", "https"):
        options.update({"rw_timeout": micros, "reconnect": "0"})
    return options


def open_container(spec: SourceSpec) -> Any:
    """Open the source with explicit open and read timeouts.

    PyAV's own timeout guards the whole opening (connect and the RTSP or HTTP handshake). Reads are guarded by
    FFmpeg's socket timeout option (open_options), not by PyAV's read timeout: that one takes the GIL on every
    interrupt check FFmpeg makes, several per network packet, and with a hundred cameras in one process those GIL
    hand-offs cost more CPU than the recording itself. A local file needs no read timeout.
    """
    target = spec.url if spec.scheme != "file" else str(Path(spec.url.removeprefix("file://")))
    started = time.monotonic()
    try:
        return av.open(target, mode="r", options=open_options(spec), timeout=(spec.open_timeout_s, None))
    except av.error.FFmpegError as err:
        if spec.scheme != "file" and time.monotonic() - started >= spec.open_timeout_s:
            # Cut off by the open timeout: FFmpeg reports the interrupted handshake as invalid data, which would
            # tell the operator the URL is wrong when the camera is merely silent.
            raise TimeoutError(f"no answer within {spec.open_timeout_s:g} s") from err
        raise


def classify_error(err: BaseException) -> tuple[StreamState, str]:
    """Map an exception from opening or reading to a state and a message fit for the operator."""
    if isinstance(err, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        return StreamState.UNAUTHORIZED, "the camera refused the user name or password"
    if isinstance(err, av.error.DecoderNotFoundError):
        return StreamState.UNSUPPORTED, "no decoder for this camera's video codec"
    if isinstance(err, av.error.HTTPNotFoundError):
        return StreamState.ERROR, "the stream path does not exist on the camera (404)"
    if isinstance(err, av.error.InvalidDataError):
        return StreamState.ERROR, "the URL does not serve a video stream this app can read"
    if isinstance(err, av.error.ConnectionRefusedError | ConnectionRefusedError):
        return StreamState.RECONNECTING, "connection refused"
    if isinstance(err, av.error.ExitError | av.error.TimeoutError | TimeoutError):
        return StreamState.RECONNECTING, "the camera did not answer in time"
    if isinstance(err, av.error.EOFError | EOFError):
        return StreamState.RECONNECTING, "the stream ended"
    if isinstance(err, av.error.FileNotFoundError | FileNotFoundError):
        return StreamState.ERROR, "the file does not exist"
    if isinstance(err, av.error.FFmpegError):
        return StreamState.RECONNECTING, f"stream error: {err.strerror or type(err).__name__}"
    if isinstance(err, OSError):
        return StreamState.RECONNECTING, f"network error: {err.strerror or type(err).__name__}"
    return StreamState.ERROR, f"unexpected error: {type(err).__name__}"
