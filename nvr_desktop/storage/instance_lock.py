"""The data folder's instance lock: who may have the database open while a restore replaces it.

The app had no way to tell that another process uses its data folder (SQLite's own locks are held only during a
transaction, so an idle app holds none). `<data folder>/nvr.lock` carries an OS advisory lock instead: every run of
the program (the GUI, the headless service, each CLI command) holds it shared for as long as it runs, and a
restore takes it exclusively, so a restore is refused while anything else runs, and anything started during a
restore is refused until it ends. The OS drops the lock when its process dies, so a crash leaves no stale lock.

On Windows there are no shared flock locks; there the lock is not taken, and Windows itself refuses to rename a
database file another process has open, which the restore reports as "in use".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import TracebackType

from nvr_desktop.core.errors import ConflictError


class InstanceLock:
    """An advisory lock on one file: shared for users of the database, exclusive for a restore."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        """True while this object holds the lock."""
        return self._fd is not None

    def _take(self, *, exclusive: bool) -> bool:
        if self._fd is not None:
            raise RuntimeError("the instance lock is already held")
        if sys.platform == "win32":
            return True
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def acquire_shared(self) -> None:
        """Hold the lock as a user of the database; ConflictError while a restore runs."""
        if not self._take(exclusive=False):
            raise ConflictError(
                f"a database restore is running on {self.path.parent}: start again when it has finished"
            )

    def acquire_exclusive(self) -> None:
        """Hold the lock alone (a restore); ConflictError while the app, the service or a command uses the folder."""
        if not self._take(exclusive=True):
            raise ConflictError(
                f"the database in {self.path.parent} is in use: stop NVR Desktop (the app and the headless "
                "service, e.g. `systemctl stop nvr-desktop-headless`) and any other command on it, then restore"
            )

    def release(self) -> None:
        """Let go of the lock (no error when not held)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.release()
