"""Composition root: the only place that builds the services and wires them together."""

from __future__ import annotations

import getpass
import logging
import ssl
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from keyring.backend import KeyringBackend

from nvr_desktop import __version__
from nvr_desktop.core.config import AppConfig, load_config
from nvr_desktop.core.logsetup import configure_logging
from nvr_desktop.core.models import Alert, Principal
from nvr_desktop.core.paths import Paths
from nvr_desktop.core.recording import RetentionLimits
from nvr_desktop.core.urls import SecretRegistry
from nvr_desktop.events.alerts import Alerting, AlertListener, AlertService
from nvr_desktop.events.notify import WebhookSender, alert_message
from nvr_desktop.events.reports import ReportScheduler, ReportService
from nvr_desktop.events.rules import RuleEngine, rules_from_config
from nvr_desktop.events.service import EventService
from nvr_desktop.events.store import EventStore
from nvr_desktop.media.procpool import DISPLAY_NICENESS, ProcessStreamEngine, stream_processes
from nvr_desktop.media.state import StreamStats
from nvr_desktop.media.worker import StateListener
from nvr_desktop.net.advertiser import Advertiser
from nvr_desktop.net.listener import EdgeListener
from nvr_desktop.security.access import AccessControl, owner_principal
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.security.auth import AuthService
from nvr_desktop.security.passwords import PasswordHasher
from nvr_desktop.security.service_keyring import EncryptedFileKeyring, SecretFileError
from nvr_desktop.security.users import UserService
from nvr_desktop.security.vault import CredentialVault
from nvr_desktop.services.backup import BackupService
from nvr_desktop.services.cameras import CameraService
from nvr_desktop.services.edge import EdgeService
from nvr_desktop.services.live import LiveView
from nvr_desktop.services.motion_control import MotionControl
from nvr_desktop.services.onboarding import OnboardingService
from nvr_desktop.services.overview import OverviewService
from nvr_desktop.services.ptz import PtzService
from nvr_desktop.services.recording_control import RecordingControl, RecordingHealth
from nvr_desktop.services.recordings import RecordingService
from nvr_desktop.services.settings import SettingsService
from nvr_desktop.services.views import ViewService
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database

if TYPE_CHECKING:
    from nvr_desktop.services.playback import PlaybackService

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
    onboarding: OnboardingService
    ptz: PtzService
    views: ViewService
    recordings: RecordingService
    edge: EdgeService
    events: EventService
    alerts: AlertService
    alerting: Alerting
    reports: ReportService
    runtime: Runtime | None = None
    _log_handler: logging.Handler | None = field(default=None, repr=False)
    _overview: OverviewService | None = field(default=None, repr=False)

    @property
    def settings(self) -> SettingsService:
        """Settings administrators change from the window (config.toml, audited)."""
        return SettingsService(self.paths, self.access, self.audit)

    @property
    def backup(self) -> BackupService:
        """Backup and restore of the database (administrators, audited)."""
        return BackupService(self.paths, self.db, self.audit, self.access)

    @property
    def overview(self) -> OverviewService:
        """The system at a glance (the overview panel, /api/v1/stats), over the runtime when one runs."""
        if self._overview is None:
            self._overview = OverviewService(
                self.db, self.access, self.recordings, self.events, self.alerts, self.edge, lambda: self.runtime
            )
        return self._overview

    def playback_port(self, principal: Principal) -> PlaybackService:
        """Playback and export of recordings for one user (the playback window's port)."""
        from nvr_desktop.services.playback import PlaybackService

        return PlaybackService(
            self.recordings, self.access, self.audit, principal, event_marks=self.events.timeline_marks
        )

    def ensure_listener(self) -> EdgeListener | None:
        """Start the edge listener in the running app if a device was paired since (see ensure_listener)."""
        return ensure_listener(self)

    def close(self) -> None:
        """Stop every service and release files."""
        if self.runtime is not None:
            self.runtime.close()
            self.runtime = None
        self.alerting.close()
        self.ptz.close()
        self.db.close()
        if self._log_handler is not None:
            logging.getLogger().removeHandler(self._log_handler)
            self._log_handler.close()
            self._log_handler = None


@dataclass
class Runtime:
    """What runs while the app is up (GUI or headless): the stream engine, the recording that drives it, and the
    listener edge agents push to (when a device is paired)."""

    engine: ProcessStreamEngine
    recording: RecordingControl
    listener: EdgeListener | None = None
    alerting: Alerting | None = None
    webhook: WebhookSender | None = None
    reports: ReportScheduler | None = None
    motion: MotionControl | None = None
    _webhook_listener: AlertListener | None = field(default=None, repr=False)
    advertiser: Advertiser | None = None
    listener_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def camera_stats(self, camera_id: int) -> StreamStats | None:
        """The camera's connection figures, as the stream engine last reported them."""
        return self.engine.stats(camera_id)

    def recording_health(self) -> dict[int, RecordingHealth]:
        """Each recording camera's health."""
        return self.recording.recording_health()

    def alarms(self) -> list[str]:
        """The storage alarms, as messages."""
        return [alarm.message for alarm in self.recording.alarms()]

    def close(self) -> None:
        """Stop the listener (and its zeroconf advertisement) and recording decisions, then the streams (recorders
        finish their files), then index the last recorder events."""
        with self.listener_lock:
            if self.advertiser is not None:
                self.advertiser.close()
            if self.listener is not None:
                self.listener.stop()
        if self.alerting is not None:
            self.alerting.flush()  # what the listener stored still raises its alerts and event recordings
            self.alerting.attach_recorder(None)
            if self._webhook_listener is not None:
                self.alerting.remove_alert_listener(self._webhook_listener)
        if self.webhook is not None:
            self.webhook.stop()
        if self.reports is not None:
            self.reports.stop()
        if self.motion is not None:
            self.motion.close()
        self.recording.close()
        self.engine.close()
        self.recording.drain()


def start_listener(services: Services) -> EdgeListener | None:
    """The edge listener on the configured address, when enabled and some device is paired (None otherwise)."""
    cfg = services.config.edge
    if not cfg.enabled or not services.edge.any_active():
        return None
    context = None
    if cfg.tls_cert and cfg.tls_key:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cfg.tls_cert, cfg.tls_key)
    listener = EdgeListener(
        EventStore(services.db, services.paths.snapshots, on_new=services.alerting.submit),
        services.edge.lookup_token,
        host=cfg.host,
        port=cfg.port,
        ssl_context=context,
        on_heartbeat=services.edge.record_heartbeat,
        stats=lambda: services.overview.snapshot(owner_principal("edge-stats")).to_dict(),
        stats_devices=frozenset(cfg.stats_devices),
    )
    try:
        listener.start()
    except OSError as err:
        log.error("the edge listener cannot use %s:%d: %s", cfg.host, cfg.port, err.strerror or err)
        return None
    return listener


def start_webhook(services: Services) -> tuple[WebhookSender, AlertListener] | None:
    """The alert webhook sender, started and listening for alerts (None when no webhook is configured)."""
    cfg = services.config.alerts
    if not cfg.webhook_url:
        return None
    sender = WebhookSender(cfg.webhook_url, timeout_s=cfg.webhook_timeout_s, retries=cfg.webhook_retries)

    def send(alert: Alert) -> None:
        names = {c.id: c.name for c in services.db.read(repo.list_cameras)}
        sender.submit(alert_message(alert, names))

    sender.start()
    services.alerting.add_alert_listener(send)
    return sender, send


def start_advertiser(services: Services, listener: EdgeListener | None) -> Advertiser | None:
    """Announce a running listener on zeroconf when configured (registration runs in the background)."""
    cfg = services.config.edge
    if listener is None or not cfg.advertise:
        return None
    advertiser = Advertiser(listener.port, tls=bool(cfg.tls_cert and cfg.tls_key), host=cfg.host)
    advertiser.start()
    return advertiser


def ensure_listener(services: Services) -> EdgeListener | None:
    """Start the listener (and its advertisement) in the running app once a first device is paired, so pairing
    needs no restart; the GUI calls it after pairing and both the GUI and the headless service every few seconds
    (pairing may come from the CLI). Returns the running listener, if any."""
    runtime = services.runtime
    if runtime is None:
        return None
    with runtime.listener_lock:
        if runtime.listener is None:
            runtime.listener = start_listener(services)
            if runtime.listener is not None:
                log.info("the first edge device is paired: the listener started")
                runtime.advertiser = start_advertiser(services, runtime.listener)
        return runtime.listener


def start_runtime(services: Services, *, display: bool = True) -> Runtime:
    """Start the stream engine and recording (once); the GUI and the headless service (display=False) both call this.

    Without a display the engine starts fewer stream processes (see stream_processes), at normal priority; under a
    wall they run DISPLAY_NICENESS below it, so the GUI thread wins a core when it wakes.
    """
    if services.runtime is not None:
        return services.runtime
    motion_cameras = services.db.read(lambda s: sum(1 for c in repo.list_cameras(s) if c.motion.enabled))
    engine = ProcessStreamEngine(
        processes=stream_processes(display=display, decoding=motion_cameras),
        niceness=DISPLAY_NICENESS if display else 0,
    )
    cfg = services.config.recording
    control = RecordingControl(
        services.db,
        services.audit,
        services.access,
        services.cameras,
        services.recordings,
        engine,
        owner_principal(getpass.getuser()),
        pre_roll_s=cfg.pre_roll_s,
        post_roll_s=cfg.post_roll_s,
        guard_interval_s=cfg.guard_interval_s,
    )
    try:
        control.start()
    except Exception:
        engine.close()
        raise
    services.alerting.attach_recorder(control.trigger)
    motion = MotionControl(
        services.db,
        services.cameras,
        engine,
        EventStore(services.db, services.paths.snapshots, on_new=services.alerting.submit),
        owner_principal(getpass.getuser()),
    )
    motion.start()
    webhook = start_webhook(services)
    reports = ReportScheduler(
        services.reports,
        owner_principal(getpass.getuser()),
        services.paths.base / "reports",
        period=timedelta(minutes=services.config.alerts.report_minutes),
    )
    reports.start()
    listener = start_listener(services)
    services.runtime = Runtime(
        engine,
        control,
        listener,
        services.alerting,
        webhook[0] if webhook else None,
        reports,
        motion,
        webhook[1] if webhook else None,
        advertiser=start_advertiser(services, listener),
    )
    return services.runtime


def build_live_view(
    services: Services, on_state: StateListener | None = None, *, demo_dir: Path | None = None
) -> LiveView:
    """The live-view service over the running engine, or over an engine of its own (screenshot mode)."""
    demo = demo_dir or services.paths.cache / "demo"
    if services.runtime is not None:
        return LiveView(services.cameras, services.runtime.engine, demo, owns_engine=False, on_state=on_state)
    return LiveView(services.cameras, ProcessStreamEngine(on_state=on_state, niceness=DISPLAY_NICENESS), demo)


def recordings_root(paths: Paths, config: AppConfig) -> Path:
    """Where recordings go: the configured storage folder, or recordings/ in the data folder."""
    configured = config.storage.recordings_dir.strip()
    return Path(configured).expanduser() if configured else paths.recordings


def build_vault(
    service: str, paths: Paths, config: AppConfig, secrets: SecretRegistry, keyring_backend: KeyringBackend | None
) -> CredentialVault:
    """The credential vault over the backend the caller passed (tests, self-test), the encrypted file store when
    the configuration chose it (`[security] secret_store = "file"`), or the OS keyring."""
    if keyring_backend is not None or config.security.secret_store == "keyring":  # noqa: S105 - a store name
        return CredentialVault(service, secrets, keyring_backend)
    store = EncryptedFileKeyring(paths.secrets, Path(config.security.secret_key_file), paths.secrets_lock)
    try:
        count = store.check()
    except SecretFileError as err:  # recording of cameras without a password still works
        log.error("camera passwords cannot be stored or read: %s", err)
    else:
        log.info("camera passwords: %s (%d stored)", store.describe(), count)
    return CredentialVault(service, secrets, store, file_store_configured=True)


def build_services(
    basedir: Path, *, keyring_backend: KeyringBackend | None = None, log_to_console: bool = False
) -> Services:
    """Open (creating if needed) the data folder at basedir and build every service over it."""
    paths = Paths(basedir)
    paths.ensure()
    config = load_config(paths.config)
    secrets = SecretRegistry()
    # A webhook URL's path is its secret (Discord: /api/webhooks/<id>/<token>): mask it and its last part anywhere.
    secrets.add(config.alerts.webhook_url)
    secrets.add(urlsplit(config.alerts.webhook_url).path.rstrip("/").rsplit("/", 1)[-1] or None)
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
    vault = build_vault(f"nvr-desktop/{install_id}", paths, config, secrets, keyring_backend)
    cameras = CameraService(db, audit, access, vault, secrets)
    views = ViewService(db, access)
    root = recordings_root(paths, config)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        log.error("cannot create the recordings folder %s: %s", root, err.strerror or err)
    limits = RetentionLimits(
        quota_bytes=int(config.recording.quota_gb * 1024**3) if config.recording.quota_gb else None,
        free_reserve_bytes=int(config.recording.free_reserve_mb * 1024**2),
    )
    recordings = RecordingService(db, audit, access, root, limits)
    alerts = AlertService(db, audit, access)
    alerting = Alerting(alerts, RuleEngine(rules_from_config(config.alerts.rules)), enabled=config.alerts.enabled)
    try:
        alerting.restore()
    except Exception:  # alerts still work; a burst spanning the restart may alert twice
        log.exception("cannot restore the alert rules' quiet periods")
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
        onboarding=OnboardingService(cameras, access, audit, secrets),
        ptz=PtzService(cameras, access, audit, vault, secrets),
        views=views,
        recordings=recordings,
        edge=EdgeService(db, audit, access, vault),
        events=EventService(db, audit, access),
        alerts=alerts,
        reports=ReportService(db, access),
        alerting=alerting,
        _log_handler=handler,
    )
