"""Edge devices: pairing (a token shown once, kept in the OS keyring), listing with health, revoking, the token lookup
the embedded listener uses to check each request's signature, and the heartbeats it records (edge/protocol.py holds
the wire rules).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from edge.protocol import DEVICE_ID_PATTERN, Heartbeat, decode_pairing_token, new_pairing_token
from nvr_desktop.core.errors import ConflictError, NotFoundError, ValidationError
from nvr_desktop.core.models import EdgeDevice, Principal
from nvr_desktop.core.roles import Permission
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.security.vault import CredentialVault
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import CameraRow, EdgeDeviceRow, utcnow

log = logging.getLogger("services.edge")
MAX_NAME = 128
#: How long a device's standing (paired, not revoked) is trusted before the database is asked again. A revocation
#: made in this process takes effect at once; one made by another process (the CLI beside a running app) within this
#: time. The token itself is read from the keyring once per device: a device id is never paired twice.
TOKEN_CACHE_S = 2.0
#: The heartbeat interval assumed for a device that has not sent one yet (the agent's default).
DEFAULT_HEARTBEAT_INTERVAL_S = 30.0
#: A device is online while it was heard from within this many heartbeat intervals.
ONLINE_INTERVALS = 3


@dataclass(frozen=True)
class EdgeSummary:
    """The paired devices in figures."""

    paired: int
    online: int
    queued: int  # detections waiting in the agents' spools, as their last heartbeats said
    dropped: int  # detections the agents' full spools dropped


def _online(row: EdgeDeviceRow, now: datetime) -> bool:
    if row.revoked_at is not None or row.last_seen_at is None:
        return False
    interval = row.heartbeat_interval_s or DEFAULT_HEARTBEAT_INTERVAL_S
    return now - row.last_seen_at <= timedelta(seconds=ONLINE_INTERVALS * interval)


def _device(row: EdgeDeviceRow, now: datetime | None = None) -> EdgeDevice:
    return EdgeDevice(
        id=row.id,
        device_id=row.device_id,
        name=row.name,
        camera_id=row.camera_id,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_seen_at=row.last_seen_at,
        clock_skew_s=row.clock_skew_s,
        last_heartbeat_at=row.last_heartbeat_at,
        heartbeat_interval_s=row.heartbeat_interval_s,
        agent_version=row.agent_version,
        uptime_s=row.uptime_s,
        queue_length=row.queue_length,
        dropped=row.dropped_count,
        refused=row.refused_count,
        detections=row.detections_count,
        temperature_c=row.temperature_c,
        online=_online(row, now or utcnow()),
    )


class EdgeService:
    """Pairs and revokes edge agents; admin only, every change audited."""

    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        access: AccessControl,
        vault: CredentialVault,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._clock = clock
        self._audit = audit
        self._access = access
        self._vault = vault
        # The listener looks a token up on every request; a keyring read (a file parse, or a D-Bus round trip) and
        # a query per request capped how many snapshots it accepted. device id -> (token or None, when checked);
        # and the secrets read from the keyring, by device id.
        self._tokens: dict[str, tuple[bytes | None, float]] = {}
        self._secrets: dict[str, bytes] = {}
        self._tokens_lock = threading.Lock()

    def _forget_token(self, device_id: str) -> None:
        with self._tokens_lock:
            self._tokens.pop(device_id, None)
            self._secrets.pop(device_id, None)

    def add(
        self, actor: Principal, device_id: str, *, name: str | None = None, camera_id: int | None = None
    ) -> tuple[EdgeDevice, str]:
        """Pair a device: returns it and its pairing token, which is shown this once and never again."""
        fresh = self._access.require(actor, Permission.MANAGE_EDGE, action="edge.add")
        if not DEVICE_ID_PATTERN.fullmatch(device_id):
            raise ValidationError(
                "a device id is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        label = (name or device_id).strip()
        if not label or len(label) > MAX_NAME or any(ord(c) < 32 for c in label):
            raise ValidationError(f"the device name must be 1 to {MAX_NAME} printable characters")
        self._vault.require_available()
        token = new_pairing_token()

        def create(session: Session) -> EdgeDevice:
            if session.scalars(select(EdgeDeviceRow).where(EdgeDeviceRow.device_id == device_id)).first():
                raise ConflictError(f"an edge device '{device_id}' is already paired (revoked ones keep their id)")
            if camera_id is not None and session.get(CameraRow, camera_id) is None:
                raise NotFoundError(f"no camera with id {camera_id}")
            row = EdgeDeviceRow(device_id=device_id, name=label, camera_id=camera_id, created_at=utcnow())
            session.add(row)
            session.flush()
            # Inside the transaction: a keyring that refuses the token rolls the device back.
            self._vault.store_edge_token(device_id, token)
            return _device(row)

        device = self._db.write(create)
        self._forget_token(device_id)  # it may have knocked before it was paired
        detail = f"name={label}" + (f" camera={camera_id}" if camera_id is not None else "")
        self._audit.record(fresh.name, "edge.add", f"edge:{device_id}", detail=detail)
        return device, token

    def list(self, actor: Principal) -> list[EdgeDevice]:
        """Every paired device, revoked ones included, with its last heartbeat and whether it is online now."""
        self._access.require(actor, Permission.MANAGE_EDGE, action="edge.list")
        now = self._clock()
        return self._db.read(
            lambda s: [_device(r, now) for r in s.scalars(select(EdgeDeviceRow).order_by(EdgeDeviceRow.device_id))]
        )

    def summary(self) -> EdgeSummary:
        """Counts over the paired (not revoked) devices, for the overview and monitoring: no device details."""
        now = self._clock()
        rows = self._db.read(
            lambda s: [
                _device(r, now) for r in s.scalars(select(EdgeDeviceRow).where(EdgeDeviceRow.revoked_at.is_(None)))
            ]
        )
        return EdgeSummary(
            paired=len(rows),
            online=sum(d.online for d in rows),
            queued=sum(d.queue_length or 0 for d in rows),
            dropped=sum(d.dropped or 0 for d in rows),
        )

    def record_heartbeat(self, heartbeat: Heartbeat, received_at: datetime, skew_s: float) -> None:
        """Keep a verified heartbeat's figures on its device row (the listener calls this after the signature holds)."""
        self._db.write(
            lambda s: s.execute(
                update(EdgeDeviceRow)
                .where(EdgeDeviceRow.device_id == heartbeat.device_id, EdgeDeviceRow.revoked_at.is_(None))
                .values(
                    last_seen_at=received_at,
                    clock_skew_s=skew_s,
                    last_heartbeat_at=received_at,
                    heartbeat_interval_s=heartbeat.interval_s,
                    agent_version=heartbeat.agent_version,
                    uptime_s=heartbeat.uptime_s,
                    queue_length=heartbeat.queue_length,
                    dropped_count=heartbeat.dropped,
                    refused_count=heartbeat.refused,
                    detections_count=heartbeat.detections,
                    temperature_c=heartbeat.temperature_c,
                )
            )
        )
        if heartbeat.dropped or heartbeat.refused:
            log.info(
                "edge device %s reports %d detections dropped (spool full) and %d refused",
                heartbeat.device_id,
                heartbeat.dropped,
                heartbeat.refused,
            )

    def revoke(self, actor: Principal, device_id: str) -> EdgeDevice:
        """Revoke a device: its token is deleted, so its requests fail from now on."""
        fresh = self._access.require(actor, Permission.MANAGE_EDGE, action="edge.revoke")

        def revoke(session: Session) -> EdgeDevice:
            row = session.scalars(select(EdgeDeviceRow).where(EdgeDeviceRow.device_id == device_id)).first()
            if row is None:
                raise NotFoundError(f"no edge device '{device_id}'")
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            return _device(row)

        device = self._db.write(revoke)
        self._vault.delete_edge_token(device_id)
        self._forget_token(device_id)
        self._audit.record(fresh.name, "edge.revoke", f"edge:{device_id}")
        return device

    def any_active(self) -> bool:
        """True when some device is paired and not revoked (the listener is needed)."""
        return bool(
            self._db.read(
                lambda s: s.scalars(select(EdgeDeviceRow.id).where(EdgeDeviceRow.revoked_at.is_(None))).first()
            )
        )

    def lookup_token(self, device_id: str) -> bytes | None:
        """The raw pairing secret of an active device, for signature checks (None: unknown or revoked)."""
        now = time.monotonic()
        with self._tokens_lock:
            cached = self._tokens.get(device_id)
        if cached is not None and now - cached[1] < TOKEN_CACHE_S:
            return cached[0]
        token = self._read_token(device_id)
        with self._tokens_lock:
            if len(self._tokens) > 4096:  # unknown device ids are cached too: keep a flood of them bounded
                self._tokens.clear()
            self._tokens[device_id] = (token, now)
            if token is None:
                self._secrets.pop(device_id, None)
        return token

    def _read_token(self, device_id: str) -> bytes | None:
        active = self._db.read(
            lambda s: s.scalars(
                select(EdgeDeviceRow.id).where(EdgeDeviceRow.device_id == device_id, EdgeDeviceRow.revoked_at.is_(None))
            ).first()
        )
        if active is None:
            return None
        with self._tokens_lock:
            secret = self._secrets.get(device_id)
        if secret is not None:
            return secret
        token = self._vault.load_edge_token(device_id)
        if token is None:
            log.error("edge device %s has no pairing token in the keyring; pair it again", device_id)
            return None
        secret = decode_pairing_token(token)
        with self._tokens_lock:
            self._secrets[device_id] = secret
        return secret
