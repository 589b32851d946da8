"""Events as operators work with them: listing what they may see, acknowledging and resolving with a note.

Acknowledging and resolving are per camera (the ACK_EVENTS permission on the event's camera; events of a device
linked to no camera are an administrator's), move forward only (new -> acknowledged -> resolved), and are audited.
"""

from __future__ import annotations

import builtins
import json
from datetime import datetime

from sqlalchemy import func, select

from nvr_desktop.core.errors import ValidationError
from nvr_desktop.core.models import Event, EventState, Principal
from nvr_desktop.core.roles import Permission
from nvr_desktop.events.workflow import filtered, move_forward
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import EventRow

MAX_NOTE = 2000
MAX_LIST = 10_000


def event_from_row(row: EventRow) -> Event:
    """Convert an events row to the domain record."""
    boxes = tuple(tuple(int(v) for v in box) for box in json.loads(row.boxes))
    return Event(
        id=row.id,
        detection_id=row.detection_id,
        device_id=row.device_id,
        camera_id=row.camera_id,
        sequence=row.sequence,
        captured_at=row.captured_at,
        received_at=row.received_at,
        score=row.score,
        boxes=boxes,  # type: ignore[arg-type]
        labels=tuple(json.loads(row.labels)),
        snapshot=row.snapshot,
        state=EventState(row.state),
        acked_by=row.acked_by,
        acked_at=row.acked_at,
        ack_note=row.ack_note,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        resolve_note=row.resolve_note,
    )


def clean_note(text: str | None) -> str:
    """A note stripped and checked: at most MAX_NOTE characters, no control characters but newline and tab."""
    clean = (text or "").strip()
    if len(clean) > MAX_NOTE:
        raise ValidationError(f"the note is longer than {MAX_NOTE} characters")
    if any(ord(c) < 32 and c not in "\n\t" for c in clean):
        raise ValidationError("the note contains control characters")
    return clean


class EventService:
    """Lists events and moves them through acknowledge and resolve."""

    def __init__(self, db: Database, audit: AuditLog, access: AccessControl) -> None:
        self._db = db
        self._audit = audit
        self._access = access

    def list(
        self,
        actor: Principal,
        *,
        state: EventState | None = None,
        camera_id: int | None = None,
        device_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
    ) -> list[Event]:
        """Newest first, only events of cameras the actor may see (device-only events: administrators)."""
        fresh = self._access.require(actor, Permission.LIVE_VIEW, action="events.list")
        visible = self._access.visible_camera_ids(fresh)
        query = select(EventRow).order_by(EventRow.captured_at.desc(), EventRow.id.desc())
        query = filtered(
            query,
            EventRow,
            EventRow.captured_at,
            visible=visible,
            state=state.value if state is not None else None,
            camera_id=camera_id,
            device_id=device_id,
            since=since,
            until=until,
            limit=max(1, min(limit, MAX_LIST)),
        )
        return self._db.read(lambda s: [event_from_row(r) for r in s.scalars(query)])

    def count(self, actor: Principal, *, since: datetime | None = None) -> int:
        """How many events of the cameras the actor may see (device-only events: administrators) since a time."""
        fresh = self._access.require(actor, Permission.LIVE_VIEW, action="events.count")
        visible = self._access.visible_camera_ids(fresh)
        query = select(func.count()).select_from(EventRow)
        if visible is not None:
            query = query.where(EventRow.camera_id.in_(visible))
        if since is not None:
            query = query.where(EventRow.captured_at >= since)
        return int(self._db.read(lambda s: s.scalar(query)) or 0)

    def timeline_marks(
        self, actor: Principal, camera_id: int, start: datetime, end: datetime
    ) -> builtins.list[tuple[datetime, str]]:
        """The camera's events over [start, end) as playback timeline marks: (capture time, labels or device)."""
        found = self.list(actor, camera_id=camera_id, since=start, until=end, limit=MAX_LIST)
        return [(e.captured_at, ", ".join(e.labels) or e.device_id) for e in reversed(found)]

    def acknowledge(self, actor: Principal, event_id: int, note: str | None = None) -> Event:
        """Mark a new event as seen by the actor."""
        return self._move(actor, event_id, EventState.ACKNOWLEDGED, clean_note(note))

    def resolve(self, actor: Principal, event_id: int, note: str | None = None) -> Event:
        """Close an event (new or acknowledged) with what was done about it."""
        return self._move(actor, event_id, EventState.RESOLVED, clean_note(note))

    def _move(self, actor: Principal, event_id: int, target: EventState, note: str) -> Event:
        return move_forward(
            self._db,
            self._access,
            self._audit,
            actor,
            kind="event",
            row_type=EventRow,
            item_id=event_id,
            acknowledge=target is EventState.ACKNOWLEDGED,
            note=note,
            opened=EventState.NEW.value,
            convert=event_from_row,
        )
