"""Queries and row conversions. Functions take a Session and return domain records, never ORM rows."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.models import AuditEntry, Camera, RecordMode, User
from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.core.roles import Role
from nvr_desktop.storage.schema import AuditRow, CameraPermissionRow, CameraRow, MetaRow, UserRow, utcnow

# ---- meta -------------------------------------------------------------------------------------------


def install_id(session: Session) -> str:
    """This installation's random id, created on first use (keys the keyring entries)."""
    row = session.get(MetaRow, "install_id")
    if row is None:
        row = MetaRow(key="install_id", value=uuid.uuid4().hex)
        session.add(row)
        session.flush()
    return row.value


# ---- users ------------------------------------------------------------------------------------------


def _grants(session: Session, user_id: int) -> frozenset[int]:
    ids = session.scalars(select(CameraPermissionRow.camera_id).where(CameraPermissionRow.user_id == user_id))
    return frozenset(ids)


def user_from_row(session: Session, row: UserRow) -> User:
    """Convert a users row (with its camera grants) to the domain record."""
    return User(
        id=row.id,
        name=row.name,
        role=Role(row.role),
        created_at=row.created_at,
        failed_logins=row.failed_logins,
        locked_until=row.locked_until,
        camera_ids=_grants(session, row.id),
    )


def user_row_by_name(session: Session, name: str) -> UserRow | None:
    """The users row with this name (case-insensitive), if any."""
    return session.scalars(select(UserRow).where(func.lower(UserRow.name) == name.lower())).first()


def count_users(session: Session, role: Role | None = None) -> int:
    """How many users exist (of one role, when given)."""
    query = select(func.count()).select_from(UserRow)
    if role is not None:
        query = query.where(UserRow.role == role.value)
    return int(session.scalar(query) or 0)


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return [user_from_row(session, r) for r in session.scalars(select(UserRow).order_by(UserRow.name))]


def insert_user(session: Session, name: str, password_hash: str, role: Role) -> User:
    """Add a user row and return it."""
    row = UserRow(name=name, password_hash=password_hash, role=role.value, created_at=utcnow(), failed_logins=0)
    session.add(row)
    session.flush()
    return user_from_row(session, row)


def set_grants(session: Session, user_id: int, camera_ids: set[int], *, add: bool) -> None:
    """Grant (add=True) or revoke the given cameras for a user."""
    current = _grants(session, user_id)
    if add:
        for cid in sorted(camera_ids - current):
            session.add(CameraPermissionRow(user_id=user_id, camera_id=cid))
    else:
        session.execute(
            delete(CameraPermissionRow).where(
                CameraPermissionRow.user_id == user_id, CameraPermissionRow.camera_id.in_(camera_ids)
            )
        )
    session.flush()


# ---- cameras ----------------------------------------------------------------------------------------


def _motion(row: CameraRow) -> MotionSettings:
    try:
        return MotionSettings.from_json(row.motion)
    except ValidationError as err:  # one bad column must not hide the camera: motion stays off until fixed
        logging.getLogger("storage").error("camera %s: motion settings ignored: %s", row.id, err)
        return MotionSettings()


def camera_from_row(row: CameraRow) -> Camera:
    """Convert a cameras row to the domain record."""
    return Camera(
        id=row.id,
        name=row.name,
        main_url=row.main_url,
        sub_url=row.sub_url,
        username=row.username,
        has_password=row.has_password,
        brand=row.brand,
        channel=row.channel,
        enabled=row.enabled,
        record_mode=RecordMode(row.record_mode),
        record_schedule=row.record_schedule,
        segment_seconds=row.segment_seconds,
        retention_days=row.retention_days,
        retention_gb=row.retention_gb,
        transport=row.transport,
        onvif_xaddr=row.onvif_xaddr,
        onvif_profile=row.onvif_profile,
        motion=_motion(row),
    )


def list_cameras(session: Session, only_ids: frozenset[int] | None = None) -> list[Camera]:
    """Cameras by id; only those in only_ids when given."""
    query = select(CameraRow).order_by(CameraRow.id)
    if only_ids is not None:
        query = query.where(CameraRow.id.in_(only_ids))
    return [camera_from_row(r) for r in session.scalars(query)]


def camera_row_by_name(session: Session, name: str) -> CameraRow | None:
    """The cameras row with this name (case-insensitive), if any."""
    return session.scalars(select(CameraRow).where(func.lower(CameraRow.name) == name.lower())).first()


def existing_camera_ids(session: Session, ids: set[int]) -> set[int]:
    """The subset of ids that name existing cameras."""
    return set(session.scalars(select(CameraRow.id).where(CameraRow.id.in_(ids))))


# ---- audit ------------------------------------------------------------------------------------------


def insert_audit(
    session: Session, at: datetime, actor: str, action: str, target: str, success: bool, detail: str
) -> None:
    """Append one audit entry."""
    session.add(AuditRow(at=at, actor=actor, action=action, target=target, success=success, detail=detail))


def list_audit(session: Session, limit: int = 200, action: str | None = None) -> list[AuditEntry]:
    """Newest audit entries first."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if action:
        query = query.where(AuditRow.action == action)
    return [
        AuditEntry(
            id=r.id,
            at=r.at,
            actor=r.actor,
            action=r.action,
            target=r.target,
            success=r.success,
            detail=r.detail,
        )
        for r in session.scalars(query)
    ]
