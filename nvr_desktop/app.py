"""Composition root: the only place that builds the services and wires them together."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from keyring.backend import KeyringBackend

from nvr_desktop import __version__
from nvr_desktop.core.config import AppConfig, load_config
from nvr_desktop.core.logsetup import configure_logging
from nvr_desktop.core.paths import Paths
from nvr_desktop.core.urls import SecretRegistry
from nvr_desktop.media.procpool import ProcessStreamEngine
from nvr_desktop.media.worker import StateListener
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.security.auth import AuthService
from nvr_desktop.security.passwords import PasswordHasher
from nvr_desktop.security.users import UserService
from nvr_desktop.security.vault import CredentialVault
from nvr_desktop.services.cameras import CameraService
from nvr_desktop.services.live import LiveView
from nvr_desktop.services.views import ViewService
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database

log = logging.getLogger("app")


@dataclass
class Services:
    """Everything the UI, the CLI and the headless service use, built once."""

    paths: Paths
    config: AppConfig
    secrets: SecretRegistry
    db: Database
    audit: AuditLog
    access: AccessControl
    hasher: PasswordHasher
    auth: AuthService
    users: UserService
    vault: CredentialVault
    cameras: CameraService
    views: ViewService
    _log_handler: logging.Handler | None = field(default=None, repr=False)

    def close(self) -> None:
        """Stop every service and release files."""
        self.db.close()
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None


def build_live_view(
    services: Services, on_state: StateListener | None = None, *, demo_dir: Path | None = None
) -> LiveView:
    """The stream engine and the live-view service over it (GUI, screenshot mode; later the recorder)."""
    supervisor = ProcessStreamEngine(on_state=on_state)
    return LiveView(services.cameras, supervisor, demo_dir or services.paths.cache / "demo")


def build_services(
    basedir: Path, *, keyring_backend: KeyringBackend | None = None, log_to_console: bool = False
) -> Services:
    """Open (creating if needed) the data folder at basedir and build every service over it."""
    paths = Paths(basedir)
    paths.ensure()
    config = load_config(paths.config)
    secrets = SecretRegistry()
    handler = configure_logging(
        paths.logs,
        secrets,
        level=config.logging.level,
        max_bytes=config.logging.max_bytes,
        backups=config.logging.backups,
        console=log_to_console,
    )
    log.info("NVR Desktop %s starting on %s", __version__, paths.base)
    db = Database(paths.database)
    try:
        db.migrate()
        install_id = db.write(repo.install_id)
    except Exception:
        db.close()
        logging.getLogger().removeHandler(handler)
        handler.close()
        raise
    audit = AuditLog(db)
    access = AccessControl(db, audit)
    hasher = PasswordHasher(config.security.bcrypt_rounds)
    auth = AuthService(
        db,
        audit,
        hasher,
        max_attempts=config.security.lockout_attempts,
        lockout=timedelta(minutes=config.security.lockout_minutes),
    )
    users = UserService(db, audit, access, hasher)
    vault = CredentialVault(f"nvr-desktop/{install_id}", secrets, keyring_backend)
    cameras = CameraService(db, audit, access, vault, secrets)
    views = ViewService(db, access)
    return Services(
        paths=paths,
        config=config,
        secrets=secrets,
        db=db,
        audit=audit,
        access=access,
        hasher=hasher,
        auth=auth,
        users=users,
        vault=vault,
        cameras=cameras,
        views=views,
        _log_handler=handler,
    )
