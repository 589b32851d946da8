"""Stream states and live statistics, shared by the engine and (through the bridge) the UI."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

Profile = Literal["main", "sub"]
#: Tiles at or above this priority (full screen, selected) are never degraded by the load governor.
PROTECTED_PRIORITY = 1000


class StreamState(enum.StrEnum):
    """What a camera connection is doing now."""

    STOPPED = "stopped"
    CONNECTING = "connecting"
    LIVE = "live"
    RECONNECTING = "reconnecting"
    OFFLINE = "offline"
    UNAUTHORIZED = "unauthorized"
    LOGIN_MISSING = "login_missing"  # the camera's password is not in this machine's keyring: not dialled
    UNSUPPORTED = "unsupported"
    ERROR = "error"


class DecodeMode(enum.StrEnum):
    """How much of the video a worker decodes for display."""

    OFF = "off"  # demux only (nobody sees the tile)
    KEYFRAMES = "keyframes"  # only I-frames (governor's degraded mode)
    FULL = "full"  # every frame


@dataclass(frozen=True)
class StreamStats:
    """Live figures of one camera connection."""

    state: StreamState = StreamState.STOPPED
    message: str = ""
    codec: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0  # frames decoded for display per second
    input_fps: float = 0.0  # video packets received per second
    nominal_fps: float = 0.0  # the frame rate the camera declares
    bitrate_kbps: float = 0.0
    dropped_frames: int = 0
    reconnects: int = 0
    decode_mode: DecodeMode = DecodeMode.OFF


@dataclass(frozen=True)
class DisplayWish:
    """What the wall wants from a camera: decode or not, at what size, which profile, how important."""

    visible: bool = False
    box: tuple[int, int] = (320, 180)
    profile: Profile = "sub"
    priority: int = 0
