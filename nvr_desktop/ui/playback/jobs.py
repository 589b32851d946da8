"""Blocking work (thumbnails, exports) on a named Python thread, with results handed back on the GUI thread.

The thread never touches a Qt object: PySide6 corrupts reference counts when a Python thread emits a signal
(PYSIDE-3124). It appends results to a deque; a GUI-thread timer drains it, as ui/bridge.py does for stream states.
"""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("ui.playback")
T = TypeVar("T")
DRAIN_MS = 30
JOIN_TIMEOUT_S = 5.0


@dataclass
class _Job:
    work: Callable[[], Any]
    done: Callable[[Any], None]
    failed: Callable[[Exception], None] | None


class Background(QObject):
    """One named worker thread running jobs in order; done/failed callbacks run on the GUI thread."""

    def __init__(self, name: str, parent: QObject | None = None, *, latest_only: bool = False) -> None:
        super().__init__(parent)
        self.name = name
        self._latest_only = latest_only
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._jobs: collections.deque[_Job] = collections.deque()
        self._results: collections.deque[tuple[Callable[[Any], None] | None, Any]] = collections.deque()
        self._thread: threading.Thread | None = None
        self._in_flight = 0  # submitted, not yet handed back (GUI thread only)
        self._timer = QTimer(self)
        self._timer.setInterval(DRAIN_MS)
        self._timer.timeout.connect(self.drain)

    def submit(
        self, work: Callable[[], T], done: Callable[[T], None], failed: Callable[[Exception], None] | None = None
    ) -> None:
        """Run work on the thread; done(result) or failed(error) follow on the GUI thread."""
        with self._lock:
            if self._latest_only:
                self._in_flight -= len(self._jobs)
                self._jobs.clear()
            self._jobs.append(_Job(work, done, failed))
            self._wake.set()
        self._in_flight += 1
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, args=(self._stop,), name=self.name, daemon=True)
            self._thread.start()
        if not self._timer.isActive():
            self._timer.start()

    @property
    def busy(self) -> bool:
        """True while a job waits, runs, or has a result not yet handed back."""
        return self._in_flight > 0

    def drain(self) -> int:
        """Hand finished results to their callbacks on this (the GUI) thread; returns how many."""
        count = 0
        while self._results:
            callback, value = self._results.popleft()
            self._in_flight -= 1
            count += 1
            if callback is not None:
                callback(value)
            else:
                log.warning("%s: %s", self.name, value)
        if self._in_flight <= 0:
            self._in_flight = 0
            self._timer.stop()
        return count

    def stop(self, timeout: float = JOIN_TIMEOUT_S) -> None:
        """Drop waiting jobs, let the running one finish (bounded wait) and end the thread; submit starts anew."""
        self._timer.stop()
        with self._lock:
            self._stop.set()
            self._jobs.clear()
            self._wake.set()
            # A thread that outlives the wait keeps its own (set) event and ends after its job.
            self._stop = threading.Event()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("background thread %s did not stop within %.0f s", self.name, timeout)
        self._results.clear()
        self._in_flight = 0

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            with self._lock:
                job = self._jobs.popleft() if self._jobs else None
                if job is None:
                    self._wake.clear()
            if job is None:
                self._wake.wait()
                continue
            if stop.is_set():
                return
            try:
                result = job.work()
            except Exception as err:  # noqa: BLE001 - any failure goes back to the GUI thread, which reports it
                outcome: tuple[Callable[[Any], None] | None, Any] = (job.failed, err)
            else:
                outcome = (job.done, result)
            if not stop.is_set():  # after stop() nobody waits for it
                self._results.append(outcome)
