"""What the UI needs from the live-view service, as protocols (the UI never imports the engine itself)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from nvr_desktop.core.models import Principal
from nvr_desktop.media.frames import FrameSource
from nvr_desktop.media.state import DisplayWish, StreamStats


class LiveCameraInfo(Protocol):
    """A camera the live view connected."""

    @property
    def id(self) -> int:
        """Camera id."""

    @property
    def name(self) -> str:
        """Display name."""

    @property
    def demo(self) -> bool:
        """True for a built-in demo camera."""


class EngineControl(Protocol):
    """The stream supervisor as the wall sees it."""

    @property
    def frames(self) -> FrameSource:
        """Latest-frame store."""

    def set_display(self, camera_id: int, wish: DisplayWish) -> None:
        """Say how a camera is shown."""

    def stats(self, camera_id: int) -> StreamStats:
        """Live figures of a camera."""


class LivePort(Protocol):
    """The live-view service."""

    @property
    def supervisor(self) -> EngineControl:
        """The stream engine."""

    def connect(
        self, principal: Principal, *, demo: bool = False, limit: int | None = None
    ) -> Sequence[LiveCameraInfo]:
        """Connect the cameras the principal may see (demo cameras when none is configured)."""

    def close(self, timeout: float = ...) -> None:
        """Stop every stream."""


#: Builds the live view with a state listener (the window's bridge); the composition root supplies it.
LiveFactory = Callable[[Callable[[int, StreamStats], None]], LivePort]
