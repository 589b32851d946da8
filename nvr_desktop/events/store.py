"""Stores detections as events: the snapshot under the snapshots folder with a name made here, the row in SQLite,
idempotent by the agent's detection id (a retried delivery is acknowledged, never stored twice)."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from edge.protocol import Detection
from nvr_desktop.core.models import Event
from nvr_desktop.events.service import event_from_row
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import EdgeDeviceRow, EventRow

log = logging.getLogger("events.store")


@dataclass(frozen=True)
class StoredEvent:
    """The outcome of one delivery."""

    event_id: int
    created: bool  # False: the detection was already stored (a retry)
    snapshot: Path


class EventStore:
    """Writes detections and their snapshots; safe to call from any thread (writes go through the DB writer)."""

    def __init__(self, db: Database, snapshots: Path, on_new: Callable[[Event], object] | None = None) -> None:
        self._db = db
        self.root = snapshots / "events"
        self._on_new = on_new  # Alerting.on_event: rules, alerts, event recording (never raises)

    def record(
        self,
        detection: Detection,
        jpeg: bytes,
        received_at: datetime,
        skew_s: float,
        *,
        camera_id: int | None = None,
    ) -> StoredEvent:
        """Store a verified detection (its JPEG already checked), or recognise a repeat of one already stored.

        camera_id links the event to a camera when no paired edge device does (the desktop's own motion detection).
        """
        existing = self._db.read(
            lambda s: s.scalars(select(EventRow).where(EventRow.detection_id == detection.detection_id)).first()
        )
        if existing is not None:
            self._seen(detection.device_id, received_at, skew_s)
            return StoredEvent(existing.id, False, self.root / existing.snapshot)
        # detection_id is 32 hex digits (checked by the protocol): the name is ours, never the sender's.
        relative = Path(detection.captured_at.strftime("%Y-%m-%d")) / f"{detection.detection_id}.jpg"
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".part")
        with temp.open("wb") as fh:
            fh.write(jpeg)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)

        def insert(session: Session) -> Event:
            device = session.scalars(
                select(EdgeDeviceRow).where(EdgeDeviceRow.device_id == detection.device_id)
            ).first()
            row = EventRow(
                detection_id=detection.detection_id,
                device_id=detection.device_id,
                camera_id=device.camera_id if device is not None else camera_id,
                sequence=detection.sequence,
                captured_at=detection.captured_at,
                received_at=received_at,
                score=detection.score,
                boxes=json.dumps([list(b) for b in detection.boxes]),
                labels=json.dumps(list(detection.labels)),
                snapshot=relative.as_posix(),
                state="new",
            )
            session.add(row)
            session.flush()
            if device is not None:  # one transaction for the event and the device's last contact
                device.last_seen_at = received_at
                device.clock_skew_s = skew_s
            return event_from_row(row)

        try:
            event = self._db.write(insert)
        except IntegrityError:  # the same detection arrived twice at once: the other delivery stored it
            found = self._db.read(
                lambda s: s.scalars(select(EventRow.id).where(EventRow.detection_id == detection.detection_id)).one()
            )
            return StoredEvent(found, False, path)
        log.info("event %d from %s (sequence %d)", event.id, detection.device_id, detection.sequence)
        if self._on_new is not None:
            self._on_new(event)
        return StoredEvent(event.id, True, path)

    def _seen(self, device_id: str, when: datetime, skew_s: float) -> None:
        self._db.write(
            lambda s: s.execute(
                update(EdgeDeviceRow)
                .where(EdgeDeviceRow.device_id == device_id)
                .values(last_seen_at=when, clock_skew_s=skew_s)
            )
        )

    def count(self) -> int:
        """How many events are stored."""
        return int(self._db.read(lambda s: s.scalar(select(func.count()).select_from(EventRow))) or 0)
