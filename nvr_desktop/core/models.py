"""Domain records passed between layers: plain frozen dataclasses, no ORM objects leak out of storage."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import datetime

from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.core.roles import Permission, Role, role_allows, sees_all_cameras


class RecordMode(enum.StrEnum):
    """How a camera records."""

    OFF = "off"
    CONTINUOUS = "continuous"
    SCHEDULE = "schedule"
    EVENTS = "events"


@dataclass(frozen=True)
class User:
    """A person who can log in."""

    id: int
    name: str
    role: Role
    created_at: datetime
    failed_logins: int = 0
    locked_until: datetime | None = None
    camera_ids: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Principal:
    """Who is acting: a logged-in user, or the owner of the data folder acting through the CLI."""

    name: str
    role: Role
    user_id: int | None = None
    camera_ids: frozenset[int] = field(default_factory=frozenset)

    def can(self, permission: Permission) -> bool:
        """True when the role carries the permission at all."""
        return role_allows(self.role, permission)

    def can_on_camera(self, permission: Permission, camera_id: int) -> bool:
        """True when the permission holds for this camera (admins: every camera)."""
        if not self.can(permission):
            return False
        return sees_all_cameras(self.role) or camera_id in self.camera_ids


@dataclass(frozen=True)
class Camera:
    """A configured camera; URLs never carry credentials, the password lives in the keyring."""

    id: int
    name: str
    main_url: str
    sub_url: str | None = None
    username: str | None = None
    has_password: bool = False
    brand: str = "generic"
    channel: int | None = None
    enabled: bool = True
    record_mode: RecordMode = RecordMode.OFF
    record_schedule: str = ""  # weekly ranges, e.g. "mon-fri 08:00-18:00", for RecordMode.SCHEDULE
    segment_seconds: int = 300
    retention_days: int | None = None
    retention_gb: float | None = None
    transport: str = "tcp"  # RTSP transport: tcp (default, firewall-friendly) or udp
    onvif_xaddr: str | None = None  # the ONVIF device service (PTZ goes there), without credentials
    onvif_profile: str | None = None  # the ONVIF media profile token of the main stream
    motion: MotionSettings = field(default_factory=MotionSettings)  # server-side motion detection (off by default)

    @property
    def ptz_capable(self) -> bool:
        """True for an ONVIF camera (PTZ commands go to its device; a fixed camera refuses them)."""
        return bool(self.onvif_xaddr and self.onvif_profile)

    def to_public_dict(self) -> dict[str, object]:
        """A JSON-safe view with no secret in it (for the CLI and API)."""
        return {
            "id": self.id,
            "name": self.name,
            "main_url": self.main_url,
            "sub_url": self.sub_url,
            "username": self.username,
            "has_password": self.has_password,
            "brand": self.brand,
            "channel": self.channel,
            "enabled": self.enabled,
            "record_mode": self.record_mode.value,
            "record_schedule": self.record_schedule,
            "segment_seconds": self.segment_seconds,
            "retention_days": self.retention_days,
            "retention_gb": self.retention_gb,
            "transport": self.transport,
            "onvif_xaddr": self.onvif_xaddr,
            "onvif_profile": self.onvif_profile,
            "motion": json.loads(self.motion.to_json()),
        }


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    success: bool
    detail: str = ""


@dataclass(frozen=True)
class EdgeDevice:
    """A paired edge agent (its pairing token is in the keyring, never in this record)."""

    id: int
    device_id: str
    name: str
    camera_id: int | None
    created_at: datetime
    revoked_at: datetime | None = None
    last_seen_at: datetime | None = None
    clock_skew_s: float | None = None
    last_heartbeat_at: datetime | None = None
    heartbeat_interval_s: float | None = None
    agent_version: str | None = None
    uptime_s: float | None = None
    queue_length: int | None = None
    dropped: int | None = None
    refused: int | None = None
    detections: int | None = None
    temperature_c: float | None = None
    online: bool = False  # seen within three heartbeat intervals (worked out when listed)

    @property
    def active(self) -> bool:
        """True until revoked."""
        return self.revoked_at is None

    def to_public_dict(self) -> dict[str, object]:
        """A JSON-safe view (no secret in it)."""
        return {
            "id": self.id,
            "device_id": self.device_id,
            "name": self.name,
            "camera_id": self.camera_id,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "last_seen_at": self.last_seen_at.isoformat() if self.last_seen_at else None,
            "clock_skew_s": self.clock_skew_s,
            "online": self.online,
            "last_heartbeat_at": self.last_heartbeat_at.isoformat() if self.last_heartbeat_at else None,
            "heartbeat_interval_s": self.heartbeat_interval_s,
            "agent_version": self.agent_version,
            "uptime_s": self.uptime_s,
            "queue_length": self.queue_length,
            "dropped": self.dropped,
            "refused": self.refused,
            "detections": self.detections,
            "temperature_c": self.temperature_c,
        }


class EventState(enum.StrEnum):
    """Where an event stands in the operators' workflow."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class Event:
    """A detection (from an edge agent or the desktop) with its snapshot and its workflow state."""

    id: int
    detection_id: str
    device_id: str
    camera_id: int | None
    sequence: int
    captured_at: datetime
    received_at: datetime
    score: float
    boxes: tuple[tuple[int, int, int, int], ...]
    labels: tuple[str, ...]
    snapshot: str  # relative to the snapshots folder
    state: EventState = EventState.NEW
    acked_by: str | None = None
    acked_at: datetime | None = None
    ack_note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolve_note: str | None = None

    def to_public_dict(self) -> dict[str, object]:
        """A JSON-safe view."""
        return {
            "id": self.id,
            "detection_id": self.detection_id,
            "device_id": self.device_id,
            "camera_id": self.camera_id,
            "sequence": self.sequence,
            "captured_at": self.captured_at.isoformat(),
            "score": self.score,
            "labels": list(self.labels),
            "snapshot": self.snapshot,
            "state": self.state.value,
            "acked_by": self.acked_by,
            "ack_note": self.ack_note,
            "resolved_by": self.resolved_by,
            "resolve_note": self.resolve_note,
        }


class AlertState(enum.StrEnum):
    """Where an alert stands: raised, seen by an operator, closed."""

    PENDING = "pending"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Severity(enum.StrEnum):
    """How urgent an alert is, from the detection scores that raised it."""

    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Alert:
    """An alert rule fired on a burst of detections of one device or camera."""

    id: int
    rule: str
    device_id: str | None
    camera_id: int | None
    severity: Severity
    event_ids: tuple[int, ...]
    first_at: datetime  # the burst's first and last detection (capture times)
    last_at: datetime
    created_at: datetime
    state: AlertState = AlertState.PENDING
    acked_by: str | None = None
    acked_at: datetime | None = None
    ack_note: str | None = None
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    resolve_note: str | None = None

    def to_public_dict(self) -> dict[str, object]:
        """A JSON-safe view."""
        return {
            "id": self.id,
            "rule": self.rule,
            "device_id": self.device_id,
            "camera_id": self.camera_id,
            "severity": self.severity.value,
            "event_ids": list(self.event_ids),
            "first_at": self.first_at.isoformat(),
            "last_at": self.last_at.isoformat(),
            "created_at": self.created_at.isoformat(),
            "state": self.state.value,
            "acked_by": self.acked_by,
            "ack_note": self.ack_note,
            "resolved_by": self.resolved_by,
            "resolve_note": self.resolve_note,
        }
