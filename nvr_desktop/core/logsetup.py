"""Logging to rotating files under the data folder; every line passes the secret redactor."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from nvr_desktop.core.urls import SecretRegistry, redact_text

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Formats a record (traceback included), then masks URL passwords and known secrets."""

    def __init__(self, secrets: SecretRegistry) -> None:
        super().__init__(FORMAT)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record), self._secrets)


def configure_logging(
    log_dir: Path,
    secrets: SecretRegistry,
    *,
    level: str = "INFO",
    max_bytes: int = 5_000_000,
    backups: int = 5,
    console: bool = False,
) -> logging.Handler:
    """Send every logger to log_dir/nvr.log (rotating); returns the file handler so callers can remove it."""
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_dir / "nvr.log", maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter(secrets))
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(handler)
    if console:
        stream = logging.StreamHandler()
        stream.setFormatter(RedactingFormatter(secrets))
        stream.setLevel(logging.WARNING)
        root.addHandler(stream)
    return handler
