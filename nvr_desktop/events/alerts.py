"""Alerts: what the rules raise, stored, listed per camera rights, acknowledged and resolved (audited); and
`Alerting`, the step after a new event is stored: rules, the alert row, event recording, notifications.

`Alerting.on_event` runs on the listener's worker thread for every new event. It is cheap (the rules are counters
under a lock, one insert through the single DB writer) and never raises into the listener: a failing step is
logged and the delivery still succeeds.
"""

from __future__ import annotations

import builtins
import json
import logging
import queue
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nvr_desktop.core.models import Alert, AlertState, Event, Principal, Severity
from nvr_desktop.core.roles import Permission
from nvr_desktop.events.rules import Firing, Hit, RuleEngine
from nvr_desktop.events.service import MAX_LIST, clean_note
from nvr_desktop.events.workflow import filtered, move_forward
from nvr_desktop.security.access import AccessControl
from nvr_desktop.security.audit import AuditLog
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import AlertRow, utcnow

log = logging.getLogger("events.alerts")

#: Called with a new alert (on the listener's thread: a UI must hand it to its own thread).
AlertListener = Callable[[Alert], None]
#: Called with a new event (same thread rules).
EventListener = Callable[[Event], None]
#: Starts event recording on a camera (RecordingControl.trigger).
RecordTrigger = Callable[[int, datetime], None]


def alert_from_row(row: AlertRow) -> Alert:
    """Convert an alerts row to the domain record."""
    return Alert(
        id=row.id,
        rule=row.rule,
        device_id=row.device_id,
        camera_id=row.camera_id,
        severity=Severity(row.severity),
        event_ids=tuple(int(i) for i in json.loads(row.event_ids)),
        first_at=row.first_at,
        last_at=row.last_at,
        created_at=row.created_at,
        state=AlertState(row.state),
        acked_by=row.acked_by,
        acked_at=row.acked_at,
        ack_note=row.ack_note,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
        resolve_note=row.resolve_note,
    )


class AlertService:
    """Stores fired rules as alerts; lists them and moves them through acknowledge and resolve."""

    def __init__(self, db: Database, audit: AuditLog, access: AccessControl) -> None:
        self._db = db
        self._audit = audit
        self._access = access

    def store(self, firing: Firing, now: datetime) -> Alert:
        """Write the alert a rule raised (no rights: the system raises it)."""

        def insert(session: Session) -> Alert:
            row = AlertRow(
                rule=firing.rule.name,
                device_id=firing.device_id,
                camera_id=firing.camera_id,
                severity=firing.severity.value,
                event_ids=json.dumps([h.event_id for h in firing.hits]),
                first_at=firing.hits[0].captured_at,
                last_at=firing.hits[-1].captured_at,
                created_at=now,
                state=AlertState.PENDING.value,
            )
            session.add(row)
            session.flush()
            return alert_from_row(row)

        return self._db.write(insert)

    def recent(self, since: datetime) -> builtins.list[Alert]:
        """Alerts raised since a time, oldest first (no rights: for the rules at start-up)."""
        query = select(AlertRow).where(AlertRow.created_at >= since).order_by(AlertRow.created_at, AlertRow.id)
        return self._db.read(lambda s: [alert_from_row(r) for r in s.scalars(query)])

    def list(
        self,
        actor: Principal,
        *,
        state: AlertState | None = None,
        camera_id: int | None = None,
        device_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
    ) -> list[Alert]:
        """Newest first, only alerts of cameras the actor may see (alerts without a camera: administrators)."""
        fresh = self._access.require(actor, Permission.LIVE_VIEW, action="alerts.list")
        visible = self._access.visible_camera_ids(fresh)
        query = select(AlertRow).order_by(AlertRow.created_at.desc(), AlertRow.id.desc())
        query = filtered(
            query,
            AlertRow,
            AlertRow.created_at,
            visible=visible,
            state=state.value if state is not None else None,
            camera_id=camera_id,
            device_id=device_id,
            since=since,
            until=until,
            limit=max(1, min(limit, MAX_LIST)),
        )
        return self._db.read(lambda s: [alert_from_row(r) for r in s.scalars(query)])

    def acknowledge(self, actor: Principal, alert_id: int, note: str | None = None) -> Alert:
        """Mark a pending alert as seen by the actor."""
        return self._move(actor, alert_id, AlertState.ACKNOWLEDGED, clean_note(note))

    def resolve(self, actor: Principal, alert_id: int, note: str | None = None) -> Alert:
        """Close an alert (pending or acknowledged) with what was done about it."""
        return self._move(actor, alert_id, AlertState.RESOLVED, clean_note(note))

    def _move(self, actor: Principal, alert_id: int, target: AlertState, note: str) -> Alert:
        return move_forward(
            self._db,
            self._access,
            self._audit,
            actor,
            kind="alert",
            row_type=AlertRow,
            item_id=alert_id,
            acknowledge=target is AlertState.ACKNOWLEDGED,
            note=note,
            opened=AlertState.PENDING.value,
            convert=alert_from_row,
        )


class Alerting:
    """New event → rules → alert row → event recording on its camera → listeners (notifications, the UI)."""

    def __init__(
        self,
        alerts: AlertService,
        engine: RuleEngine,
        *,
        enabled: bool = True,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.alerts = alerts
        self.engine = engine
        self.enabled = enabled
        self._clock = clock
        self._lock = threading.Lock()
        self._recorder: RecordTrigger | None = None
        self._alert_listeners: list[AlertListener] = []
        self._event_listeners: list[EventListener] = []
        self._last_prune = clock()
        # submit(): events wait here for the alerting thread, so that the request that stored an event does not
        # also wait for the rules, the alert's row and the listeners (a burst on fifty devices at once raised fifty
        # alerts inside fifty requests).
        self._queue: queue.SimpleQueue[Event | None] = queue.SimpleQueue()
        self._idle = threading.Condition()
        self._pending = 0
        self._thread: threading.Thread | None = None

    def restore(self) -> int:
        """Carry the quiet periods of alerts raised before a restart over, so a burst that spans the restart is not
        alerted twice; returns how many were restored."""
        rules = {rule.name: rule for rule in self.engine.rules}
        if not rules:
            return 0
        longest = max(rule.quiet for rule in rules.values())
        since = self._clock() - longest - timedelta(minutes=1)
        restored = 0
        for alert in self.alerts.recent(since):
            rule = rules.get(alert.rule)
            if rule is None:
                continue
            if rule.per == "camera" and alert.camera_id is not None:
                key = f"camera:{alert.camera_id}"
            elif rule.per == "device" and alert.device_id is not None:
                key = f"device:{alert.device_id}"
            else:
                continue
            self.engine.restore_quiet(rule.name, key, alert.last_at + rule.quiet)
            restored += 1
        return restored

    def attach_recorder(self, trigger: RecordTrigger | None) -> None:
        """Event recording of the running app (None: the runtime stopped)."""
        with self._lock:
            self._recorder = trigger

    def add_alert_listener(self, listener: AlertListener) -> None:
        """Call listener with every new alert."""
        with self._lock:
            self._alert_listeners.append(listener)

    def remove_alert_listener(self, listener: AlertListener) -> None:
        """Stop calling listener."""
        with self._lock:
            if listener in self._alert_listeners:
                self._alert_listeners.remove(listener)

    def add_event_listener(self, listener: EventListener) -> None:
        """Call listener with every new event."""
        with self._lock:
            self._event_listeners.append(listener)

    def remove_event_listener(self, listener: EventListener) -> None:
        """Stop calling listener."""
        with self._lock:
            if listener in self._event_listeners:
                self._event_listeners.remove(listener)

    def submit(self, event: Event) -> None:
        """Hand a newly stored event to the alerting thread, which calls on_event with events in the order given."""
        with self._idle:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="alerting", daemon=True)
                self._thread.start()
            self._pending += 1
        self._queue.put(event)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted event has been handled; False if that took longer than timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Handle what was submitted, then end the alerting thread (a later submit starts a new one)."""
        with self._idle:
            thread, self._thread = self._thread, None
        if thread is None:
            return
        self._queue.put(None)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the alerting thread did not finish in %.0f s", timeout)

    def _work(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            try:
                self.on_event(event)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def on_event(self, event: Event) -> list[Alert]:
        """Handle a newly stored event; returns the alerts it raised. Never raises."""
        with self._lock:
            recorder = self._recorder
            event_listeners = list(self._event_listeners)
            alert_listeners = list(self._alert_listeners)
        for on_event in event_listeners:
            self._call(on_event, event)
        if not self.enabled:
            return []
        now = self._clock()
        hit = Hit(event.id, event.device_id, event.camera_id, event.captured_at, event.score)
        try:
            firings = self.engine.evaluate(hit)
            if now - self._last_prune > timedelta(hours=1):
                self._last_prune = now
                self.engine.forget_before(now - timedelta(days=1))
        except Exception:
            log.exception("alert rules failed on event %d", event.id)
            return []
        if (
            recorder is not None
            and event.camera_id is not None
            and any(rule.record and rule.matches(hit) for rule in self.engine.rules)
        ):
            # From the first detection a recording rule watches, not from the alert: the pre-roll then covers
            # what led up to it, and every further detection extends the post-roll.
            self._call_trigger(recorder, event.camera_id, event.received_at)
        raised: list[Alert] = []
        for firing in firings:
            try:
                alert = self.alerts.store(firing, now)
            except Exception:
                log.exception("cannot store the alert of rule %r", firing.rule.name)
                continue
            log.warning(
                "alert %d (%s): rule %r on %s, %d detections",
                alert.id,
                alert.severity.value,
                alert.rule,
                f"camera {alert.camera_id}" if alert.camera_id is not None else f"device {alert.device_id}",
                len(alert.event_ids),
            )
            raised.append(alert)
            for on_alert in alert_listeners:
                self._call(on_alert, alert)
        return raised

    @staticmethod
    def _call_trigger(trigger: RecordTrigger, camera_id: int, at: datetime) -> None:
        try:
            trigger(camera_id, at)
        except Exception:
            log.exception("cannot start event recording on camera %d", camera_id)

    @staticmethod
    def _call(listener: Callable[[Any], None], item: object) -> None:
        try:
            listener(item)
        except Exception:
            log.exception("an alert listener failed")
