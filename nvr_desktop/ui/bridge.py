"""The one bridge from engine threads to the GUI thread for stream state changes.

Engine threads never touch Qt: PySide6 (6.8 and later, PYSIDE-3124) corrupts reference counts when a signal is
emitted from a Python thread that Qt does not own. relay() only appends to a lock-free deque; a GUI-thread timer
drains it and emits stateChanged there, so every connected slot runs on the GUI thread.
"""

from __future__ import annotations

import collections

from PySide6.QtCore import QObject, QTimer, Signal

from nvr_desktop.media.state import StreamStats

DRAIN_MS = 30


class StreamBridge(QObject):
    """relay() from any thread; stateChanged(camera id, StreamStats) arrives on the GUI thread."""

    stateChanged = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pending: collections.deque[tuple[int, StreamStats]] = collections.deque()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.drain)
        self._timer.start(DRAIN_MS)

    def relay(self, camera_id: int, stats: StreamStats) -> None:
        """Queue a state change (thread-safe, never blocks, never calls Qt)."""
        self._pending.append((camera_id, stats))

    def drain(self) -> int:
        """Emit every queued change in order on this (the GUI) thread; returns how many."""
        count = 0
        while self._pending:
            camera_id, stats = self._pending.popleft()
            self.stateChanged.emit(camera_id, stats)
            count += 1
        return count

    def stop(self) -> None:
        """Stop draining (before the engine shuts down)."""
        self._timer.stop()
