"""Camera configuration: add, list, show, update, remove; credentials go to the keyring, never the DB."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from nvr_desktop.core.errors import ConflictError, NotFoundError, SecretStoreError, ValidationError
from nvr_desktop.core.models import Camera, Principal, RecordMode
from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.core.recording import WeeklySchedule
from nvr_desktop.core.roles import Permission
from nvr_desktop.core.urls import SecretRegistry, parse_stream_url, with_credentials
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.security.vault import CredentialVault
from nvr_desktop.storage import repositories as repo
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import CameraRow, utcnow

log = logging.getLogger("services.cameras")
BRANDS = ("generic", "hikvision", "dahua", "xmeye", "uniview", "axis", "reolink", "onvif", "demo")
MAX_NAME = 128
TRANSPORTS = ("tcp", "udp")


@dataclass(frozen=True)
class CameraSpec:
    """What a user typed to add or change a camera (None: leave as is when updating)."""

    name: str | None = None
    main_url: str | None = None
    sub_url: str | None = None
    username: str | None = None
    password: str | None = None
    brand: str | None = None
    channel: int | None = None
    enabled: bool | None = None
    record_mode: RecordMode | None = None
    record_schedule: str | None = None
    segment_seconds: int | None = None
    retention_days: int | None = None
    retention_gb: float | None = None
    transport: str | None = None
    onvif_xaddr: str | None = None
    onvif_profile: str | None = None
    motion: MotionSettings | None = None  # the whole set (validated on construction); None: unchanged
    clear_sub_url: bool = False
    clear_password: bool = False


@dataclass(frozen=True)
class StreamLogin:
    """A stream URL with credentials, and whether its password is missing from the keyring."""

    url: str  # may carry credentials: never log it unredacted
    login_missing: bool


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean:
        raise ValidationError("the camera name is empty")
    if len(clean) > MAX_NAME:
        raise ValidationError(f"the camera name is longer than {MAX_NAME} characters")
    if any(ord(c) < 32 for c in clean):
        raise ValidationError("the camera name contains control characters")
    return clean


def _check_numbers(spec: CameraSpec) -> None:
    if spec.brand is not None and spec.brand not in BRANDS:
        raise ValidationError(f"unknown brand {spec.brand!r}: choose one of {', '.join(BRANDS)}")
    if spec.channel is not None and not 1 <= spec.channel <= 256:
        raise ValidationError("the channel must be between 1 and 256")
    if spec.segment_seconds is not None and not 10 <= spec.segment_seconds <= 3600:
        raise ValidationError("the segment length must be between 10 and 3600 seconds")
    if spec.retention_days is not None and not 1 <= spec.retention_days <= 3650:
        raise ValidationError("the retention must be between 1 and 3650 days")
    if spec.transport is not None and spec.transport not in TRANSPORTS:
        raise ValidationError(f"unknown RTSP transport {spec.transport!r}: choose tcp or udp")
    if spec.retention_gb is not None and not 0 < spec.retention_gb <= 1_000_000:
        raise ValidationError("the size limit must be a positive number of GB")
    if spec.onvif_xaddr is not None:
        parts = urlsplit(spec.onvif_xaddr)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
            raise ValidationError("the ONVIF address must be http(s)://host[:port]/path without credentials")
    if spec.onvif_profile is not None and not 0 < len(spec.onvif_profile) <= 64:
        raise ValidationError("the ONVIF profile token must be 1 to 64 characters")
    if spec.record_schedule:
        WeeklySchedule.parse(spec.record_schedule)  # a clear error now rather than a camera that never records


def _check_schedule(row: CameraRow) -> None:
    if row.record_mode == RecordMode.SCHEDULE.value and not (row.record_schedule or "").strip():
        raise ValidationError("recording by schedule needs a schedule, e.g. --schedule 'mon-fri 08:00-18:00'")


class CameraService:
    """Camera CRUD behind permission checks; passwords in the vault; every change audited."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        access: AccessControl,
        vault: CredentialVault,
        secrets: SecretRegistry,
    ) -> None:
        self._db = db
        self._audit = audit
        self._access = access
        self._vault = vault
        self._secrets = secrets

    # ---- reading ----------------------------------------------------------------------------------

    def list(self, actor: Principal) -> list[Camera]:
        """Cameras the actor may see."""
        self._access.require(actor, Permission.LIVE_VIEW, action="camera.list")
        visible = self._access.visible_camera_ids(actor)
        return self._db.read(lambda s: repo.list_cameras(s, visible))

    def any_configured(self) -> bool:
        """True once any camera exists (the wall shows demo cameras before that)."""
        return bool(self._db.read(lambda s: s.query(CameraRow.id).limit(1).first()))

    def get(self, actor: Principal, camera_id: int) -> Camera:
        """One camera the actor may see."""
        self._access.require(actor, Permission.LIVE_VIEW, camera_id=camera_id, action="camera.open")
        return self._db.read(lambda s: repo.camera_from_row(self._row(s, camera_id)))

    def stream_url(self, actor: Principal, camera_id: int, which: Literal["main", "sub"] = "main") -> str:
        """The URL with credentials for the media layer (the sub-stream falls back to the main one)."""
        camera = self.get(actor, camera_id)
        url = camera.sub_url if which == "sub" and camera.sub_url else camera.main_url
        password = self._vault.load(camera_id) if camera.has_password else None
        return with_credentials(url, camera.username, password)

    def stream_login(self, actor: Principal, camera_id: int, which: Literal["main", "sub"] = "main") -> StreamLogin:
        """stream_url, and whether the camera has a password this machine's keyring lacks (a database restored on
        another machine, a keyring wiped or locked): the engine then shows "login missing" instead of dialling."""
        camera = self.get(actor, camera_id)
        url = camera.sub_url if which == "sub" and camera.sub_url else camera.main_url
        password = None
        if camera.has_password:
            try:
                password = self._vault.load(camera_id)
            except SecretStoreError as err:
                log.warning("camera %d: %s", camera_id, err)
            if password is None:
                log.warning("camera %d: its password is not in this machine's keyring", camera_id)
        return StreamLogin(with_credentials(url, camera.username, password), camera.has_password and password is None)

    @staticmethod
    def _row(session: Session, camera_id: int) -> CameraRow:
        row = session.get(CameraRow, camera_id)
        if row is None:
            raise NotFoundError(f"no camera with id {camera_id}")
        return row

    # ---- changing ---------------------------------------------------------------------------------

    def add(self, actor: Principal, spec: CameraSpec) -> Camera:
        """Create a camera from a spec; credentials inside the URL move to username + keyring."""
        fresh = self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.add")
        if spec.name is None or spec.main_url is None:
            raise ValidationError("a camera needs a name and a stream URL")
        name = _check_name(spec.name)
        _check_numbers(spec)
        main = parse_stream_url(spec.main_url)
        sub = parse_stream_url(spec.sub_url) if spec.sub_url else None
        self._secrets.add(main.password)
        username = spec.username or main.username or (sub.username if sub else None)
        password = spec.password if spec.password is not None else (main.password or (sub.password if sub else None))
        self._secrets.add(password)
        if password:
            self._vault.require_available()

        def create(session: Session) -> Camera:
            if repo.camera_row_by_name(session, name) is not None:
                raise ConflictError(f"a camera named '{name}' already exists")
            now = utcnow()
            row = CameraRow(
                name=name,
                main_url=main.url,
                sub_url=sub.url if sub else None,
                username=username,
                has_password=bool(password),
                brand=spec.brand or "generic",
                channel=spec.channel,
                enabled=True if spec.enabled is None else spec.enabled,
                record_mode=(spec.record_mode or RecordMode.OFF).value,
                record_schedule=spec.record_schedule or "",
                segment_seconds=spec.segment_seconds or 300,
                retention_days=spec.retention_days,
                retention_gb=spec.retention_gb,
                transport=spec.transport or "tcp",
                onvif_xaddr=spec.onvif_xaddr,
                onvif_profile=spec.onvif_profile,
                motion=spec.motion.to_json() if spec.motion is not None else "",
                created_at=now,
                updated_at=now,
            )
            _check_schedule(row)
            session.add(row)
            session.flush()
            if password:
                # Inside the transaction: a keyring failure rolls the camera back.
                self._vault.store(row.id, password)
            return repo.camera_from_row(row)

        camera = self._db.write(create)
        self._audit.record(fresh.name, "camera.add", f"camera:{camera.id}", detail=f"name={camera.name}")
        return camera

    def update(self, actor: Principal, camera_id: int, spec: CameraSpec) -> Camera:
        """Change the fields the spec sets."""
        fresh = self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.update")
        name = _check_name(spec.name) if spec.name is not None else None
        _check_numbers(spec)
        main = parse_stream_url(spec.main_url) if spec.main_url is not None else None
        sub = parse_stream_url(spec.sub_url) if spec.sub_url else None
        password = spec.password if spec.password is not None else (main.password if main else None)
        self._secrets.add(password)
        if password:
            self._vault.require_available()

        def change(session: Session) -> Camera:
            row = self._row(session, camera_id)
            if name is not None and name.lower() != row.name.lower():
                if repo.camera_row_by_name(session, name) is not None:
                    raise ConflictError(f"a camera named '{name}' already exists")
                row.name = name
            elif name is not None:
                row.name = name
            if main is not None:
                row.main_url = main.url
                if main.username:
                    row.username = main.username
            if sub is not None:
                row.sub_url = sub.url
            elif spec.clear_sub_url:
                row.sub_url = None
            if spec.username is not None:
                row.username = spec.username or None
            for field in (
                "brand",
                "channel",
                "enabled",
                "segment_seconds",
                "retention_days",
                "retention_gb",
                "transport",
                "record_schedule",
                "onvif_xaddr",
                "onvif_profile",
            ):
                value = getattr(spec, field)
                if value is not None:
                    setattr(row, field, value)
            if spec.record_mode is not None:
                row.record_mode = spec.record_mode.value
            if spec.motion is not None:
                row.motion = spec.motion.to_json()
            _check_schedule(row)
            row.updated_at = utcnow()
            if password:
                self._vault.store(row.id, password)
                row.has_password = True
            elif spec.clear_password:
                self._vault.delete(row.id)
                row.has_password = False
            session.flush()
            return repo.camera_from_row(row)

        camera = self._db.write(change)
        changed = sorted(k for k, v in vars(spec).items() if v not in (None, False) and k != "password")
        if password:
            changed.append("password")
        self._audit.record(fresh.name, "camera.update", f"camera:{camera_id}", detail="changed=" + ",".join(changed))
        return camera

    def remove(self, actor: Principal, camera_id: int) -> None:
        """Delete a camera and its stored password."""
        fresh = self._access.require(actor, Permission.MANAGE_CAMERAS, action="camera.remove")

        def delete(session: Session) -> str:
            row = self._row(session, camera_id)
            name = row.name
            session.delete(row)
            return name

        name = self._db.write(delete)
        self._vault.delete(camera_id)
        self._audit.record(fresh.name, "camera.remove", f"camera:{camera_id}", detail=f"name={name}")
