"""ORM tables. Alembic migrations under migrations/ must produce exactly this schema (a test checks)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC in SQLite and hands back timezone-aware UTC datetimes."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class MetaRow(Base):
    """Key/value facts about this installation (its id, for the keyring's service name)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class UserRow(Base):
    """A user account."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cameras: Mapped[list[CameraPermissionRow]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )


class CameraRow(Base):
    """A camera. URLs are stored without credentials; the password lives in the OS keyring."""

    __tablename__ = "cameras"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    main_url: Mapped[str] = mapped_column(String(2048))
    sub_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    username: Mapped[str | None] = mapped_column(String(128), nullable=True)
    has_password: Mapped[bool] = mapped_column(Boolean, default=False)
    brand: Mapped[str] = mapped_column(String(32), default="generic")
    channel: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    record_mode: Mapped[str] = mapped_column(String(16), default="off")
    record_schedule: Mapped[str] = mapped_column(Text, default="", server_default="")
    segment_seconds: Mapped[int] = mapped_column(Integer, default=300)
    retention_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    retention_gb: Mapped[float | None] = mapped_column(Float, nullable=True)
    transport: Mapped[str] = mapped_column(String(8), default="tcp", server_default="tcp")
    onvif_xaddr: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    onvif_profile: Mapped[str | None] = mapped_column(String(64), nullable=True)
    motion: Mapped[str] = mapped_column(Text, default="", server_default="")  # MotionSettings JSON; empty: off
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    grants: Mapped[list[CameraPermissionRow]] = relationship(
        back_populates="camera", cascade="all, delete-orphan", passive_deletes=True
    )


class CameraPermissionRow(Base):
    """A camera granted to a (non-admin) user."""

    __tablename__ = "camera_permissions"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    camera_id: Mapped[int] = mapped_column(ForeignKey("cameras.id", ondelete="CASCADE"), primary_key=True)
    user: Mapped[UserRow] = relationship(back_populates="cameras")
    camera: Mapped[CameraRow] = relationship(back_populates="grants")


class AuditRow(Base):
    """One security-relevant action: who, what, on what, when, and whether it succeeded."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(256), default="")
    success: Mapped[bool] = mapped_column(Boolean, default=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class ViewRow(Base):
    """A saved wall layout of one user: tile count and the camera order."""

    __tablename__ = "views"
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_views_user_name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    name: Mapped[str] = mapped_column(String(64))
    layout: Mapped[int] = mapped_column(Integer)
    camera_ids: Mapped[str] = mapped_column(Text)  # JSON array of camera ids in tile order (null = empty tile)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SegmentRow(Base):
    """One recording file. path is relative to the recordings folder; camera_id outlives a removed camera."""

    __tablename__ = "segments"
    __table_args__ = (Index("ix_segments_camera_start", "camera_id", "start"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(Integer)
    path: Mapped[str] = mapped_column(String(1024), unique=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    codec: Mapped[str] = mapped_column(String(32), default="")
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), index=True)
    protected: Mapped[bool] = mapped_column(Boolean, default=False)


class GapRow(Base):
    """A time range a camera should have recorded but did not, and why."""

    __tablename__ = "recording_gaps"
    __table_args__ = (Index("ix_recording_gaps_camera_start", "camera_id", "start"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    camera_id: Mapped[int] = mapped_column(Integer)
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    cause: Mapped[str] = mapped_column(String(32))


class EdgeDeviceRow(Base):
    """A paired edge agent. Its pairing token lives in the OS keyring, never here."""

    __tablename__ = "edge_devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    camera_id: Mapped[int | None] = mapped_column(ForeignKey("cameras.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    clock_skew_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    # The last heartbeat's figures (migration 0008).
    last_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_interval_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    agent_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    uptime_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    queue_length: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    dropped_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    refused_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    detections_count: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    temperature_c: Mapped[float | None] = mapped_column(Float, nullable=True)


class EventRow(Base):
    """A detection an edge agent (or the desktop's own motion detection) reported, with its snapshot."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_device_sequence", "device_id", "sequence"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    detection_id: Mapped[str] = mapped_column(String(32), unique=True)  # the agent's id: deliveries are idempotent
    device_id: Mapped[str] = mapped_column(String(64))
    camera_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sequence: Mapped[int] = mapped_column(BigInteger)
    captured_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[float] = mapped_column(Float)
    boxes: Mapped[str] = mapped_column(Text)  # JSON [[x, y, w, h], ...]
    labels: Mapped[str] = mapped_column(Text)  # JSON ["person", ...]
    snapshot: Mapped[str] = mapped_column(String(256))  # relative to the snapshots folder
    state: Mapped[str] = mapped_column(String(16), default="new")
    acked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ack_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolve_note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AlertRow(Base):
    """An alert rule that fired: the burst of events that raised it and its workflow state."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    device_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    camera_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    severity: Mapped[str] = mapped_column(String(16))
    event_ids: Mapped[str] = mapped_column(Text)  # JSON [event id, ...], oldest first
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    acked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ack_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolve_note: Mapped[str | None] = mapped_column(Text, nullable=True)
