"""The acknowledge/resolve workflow events and alerts share: forward only, per-camera rights, audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from nvr_desktop.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from nvr_desktop.core.models import Principal
from nvr_desktop.core.roles import Permission, sees_all_cameras
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import utcnow

T = TypeVar("T")
ACKNOWLEDGED, RESOLVED = "acknowledged", "resolved"


def move_forward(
    db: Database,
    access: AccessControl,
    audit: AuditLog,
    actor: Principal,
    *,
    kind: str,
    row_type: Any,
    item_id: int,
    acknowledge: bool,
    note: str,
    opened: str,
    convert: Callable[[Any], T],
) -> T:
    """Acknowledge (from opened) or resolve (from opened or acknowledged) one row of row_type; kind names it in
    messages and the audit ("event", "alert"). Items of no camera are for roles that see every camera."""
    action = f"{kind}.ack" if acknowledge else f"{kind}.resolve"
    row = db.read(lambda s: s.get(row_type, item_id))
    if row is None:
        raise NotFoundError(f"no {kind} with id {item_id}")
    if row.camera_id is None:
        fresh = access.current(actor)
        if not sees_all_cameras(fresh.role):
            audit.record(fresh.name, action, f"{kind}:{item_id}", success=False, detail="not allowed")
            raise PermissionDeniedError(f"only administrators handle {kind}s without a camera")
    else:
        fresh = access.require(actor, Permission.ACK_EVENTS, camera_id=row.camera_id, action=action)
    allowed = {opened} if acknowledge else {opened, ACKNOWLEDGED}

    def move(session: Session) -> T:
        current = session.get(row_type, item_id)
        if current is None:
            raise NotFoundError(f"no {kind} with id {item_id}")
        if current.state not in allowed:
            raise ConflictError(f"{kind} {item_id} is already {current.state}")
        now = utcnow()
        if acknowledge:
            current.state = ACKNOWLEDGED
            current.acked_by, current.acked_at, current.ack_note = fresh.name, now, note
        else:
            current.state = RESOLVED
            current.resolved_by, current.resolved_at, current.resolve_note = fresh.name, now, note
        session.flush()
        return convert(current)

    result = db.write(move)
    audit.record(fresh.name, action, f"{kind}:{item_id}", detail=f"note={note}" if note else "")
    return result


def filtered(
    query: Select[Any],
    row_type: Any,
    when: Any,
    *,
    visible: frozenset[int] | None,
    state: str | None,
    camera_id: int | None,
    device_id: str | None,
    since: Any,
    until: Any,
    limit: int,
) -> Select[Any]:
    """The list query of events or alerts narrowed to the cameras visible (None: all, device-only rows too), a
    state, a camera, a device, and [since, until) on the time column when."""
    if visible is not None:
        query = query.where(row_type.camera_id.in_(visible))
    if state is not None:
        query = query.where(row_type.state == state)
    if camera_id is not None:
        query = query.where(row_type.camera_id == camera_id)
    if device_id is not None:
        query = query.where(row_type.device_id == device_id)
    if since is not None:
        query = query.where(when >= since)
    if until is not None:
        query = query.where(when < until)
    return query.limit(limit)
