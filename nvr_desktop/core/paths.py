"""The data folder's layout: everything the app writes lives under one base directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

from nvr_desktop import APP_ID


def default_basedir() -> Path:
    """The platform's per-user data folder for the app."""
    return Path(platformdirs.user_data_dir(APP_ID, appauthor=False))


@dataclass(frozen=True)
class Paths:
    """Where each kind of state lives under the base directory."""

    base: Path

    @property
    def database(self) -> Path:
        """The SQLite file."""
        return self.base / "nvr.sqlite3"

    @property
    def instance_lock(self) -> Path:
        """The lock file every running program holds shared and a restore exclusively."""
        return self.base / "nvr.lock"

    @property
    def config(self) -> Path:
        """The TOML configuration file."""
        return self.base / "config.toml"

    @property
    def secrets(self) -> Path:
        """The encrypted camera passwords of the file secret store (`[security] secret_store = "file"`)."""
        return self.base / "secrets.bin"

    @property
    def secrets_lock(self) -> Path:
        """The lock file writers of secrets.bin hold while they read, change and replace it."""
        return self.base / "secrets.lock"

    @property
    def logs(self) -> Path:
        """Folder of rotating log files."""
        return self.base / "logs"

    @property
    def recordings(self) -> Path:
        """Default folder for recorded segments."""
        return self.base / "recordings"

    @property
    def snapshots(self) -> Path:
        """Folder of snapshots (events, manual)."""
        return self.base / "snapshots"

    @property
    def cache(self) -> Path:
        """Regenerable files (demo clips, thumbnails)."""
        return self.base / "cache"

    def ensure(self) -> None:
        """Create the folders the app writes to."""
        for folder in (self.base, self.logs, self.recordings, self.snapshots):
            folder.mkdir(parents=True, exist_ok=True)
