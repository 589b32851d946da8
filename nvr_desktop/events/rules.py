"""Alert rules as pure logic: "N detections within M minutes on one device (or camera)" raises one alert, whose
severity comes from the burst's highest detection score; the rule then stays quiet for that device (or camera)
for its quiet period, so a burst of fifty detections is one alert, not fifty.

Nothing here touches the database or the clock: `RuleEngine.evaluate` gets each new event and returns the firings.
Windows run on the detections' capture times, so a spool of old detections replayed by an agent is judged by when
things happened, not by when they arrived.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from nvr_desktop.core.config import AlertRuleConfig
from nvr_desktop.core.models import Severity

#: A burst never keeps more detections than this per rule and key (a rule of count > this is refused by config).
MAX_KEPT = 1000


@dataclass(frozen=True)
class Rule:
    """One alert rule (see AlertRuleConfig for the meaning of each field)."""

    name: str
    per: Literal["device", "camera"] = "device"
    device_id: str | None = None
    camera_id: int | None = None
    count: int = 3
    within: timedelta = timedelta(minutes=2)
    quiet: timedelta = timedelta(minutes=2)
    warning_score: float = 0.6
    critical_score: float = 0.85
    record: bool = True

    @classmethod
    def from_config(cls, cfg: AlertRuleConfig) -> Rule:
        """The rule a config section describes (quiet defaults to the window)."""
        within = timedelta(minutes=cfg.within_minutes)
        return cls(
            name=cfg.name,
            per=cfg.per,
            device_id=cfg.device_id or None,
            camera_id=cfg.camera_id,
            count=cfg.count,
            within=within,
            quiet=within if cfg.quiet_minutes is None else timedelta(minutes=cfg.quiet_minutes),
            warning_score=cfg.warning_score,
            critical_score=cfg.critical_score,
            record=cfg.record,
        )

    def severity(self, score: float) -> Severity:
        """The severity of a detection score under this rule's thresholds."""
        if score >= self.critical_score:
            return Severity.CRITICAL
        if score >= self.warning_score:
            return Severity.WARNING
        return Severity.INFO

    def matches(self, hit: Hit) -> bool:
        """True when the event is one this rule watches."""
        if self.device_id is not None and hit.device_id != self.device_id:
            return False
        if self.camera_id is not None and hit.camera_id != self.camera_id:
            return False
        return not (self.per == "camera" and hit.camera_id is None)

    def key(self, hit: Hit) -> str:
        """What the rule counts per: the device, or the camera."""
        return f"camera:{hit.camera_id}" if self.per == "camera" else f"device:{hit.device_id}"


@dataclass(frozen=True)
class Hit:
    """What a rule needs to know of a new event."""

    event_id: int
    device_id: str
    camera_id: int | None
    captured_at: datetime
    score: float


@dataclass(frozen=True)
class Firing:
    """A rule that fired: the burst that made it fire and the severity."""

    rule: Rule
    severity: Severity
    hits: tuple[Hit, ...]

    @property
    def device_id(self) -> str | None:
        """The device, when every detection of the burst came from one."""
        devices = {h.device_id for h in self.hits}
        return devices.pop() if len(devices) == 1 else None

    @property
    def camera_id(self) -> int | None:
        """The camera, when every detection of the burst belongs to one."""
        cameras = {h.camera_id for h in self.hits}
        return cameras.pop() if len(cameras) == 1 else None


@dataclass
class _Window:
    hits: deque[Hit]
    quiet_until: datetime | None = None


class RuleEngine:
    """Counts detections per rule and key and says when a rule fires; thread-safe, memory bounded by MAX_KEPT."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self._windows: dict[tuple[str, str], _Window] = {}
        self._lock = threading.Lock()

    def evaluate(self, hit: Hit) -> list[Firing]:
        """Count a new event; return the rules that fire because of it (each at most once per quiet period)."""
        fired: list[Firing] = []
        with self._lock:
            for rule in self.rules:
                if rule.matches(hit):
                    firing = self._count(rule, hit)
                    if firing is not None:
                        fired.append(firing)
        return fired

    def _count(self, rule: Rule, hit: Hit) -> Firing | None:
        window = self._windows.setdefault((rule.name, rule.key(hit)), _Window(deque(maxlen=MAX_KEPT)))
        window.hits.append(hit)
        newest = max(h.captured_at for h in window.hits)
        # Keep the burst inside the window that ends at the newest detection (arrival order may differ).
        recent = [h for h in window.hits if h.captured_at > newest - rule.within]
        window.hits = deque(sorted(recent, key=lambda h: (h.captured_at, h.event_id)), maxlen=MAX_KEPT)
        if window.quiet_until is not None and hit.captured_at < window.quiet_until:
            return None
        if len(window.hits) < rule.count:
            return None
        burst = tuple(window.hits)
        window.hits.clear()
        window.quiet_until = newest + rule.quiet
        return Firing(rule, rule.severity(max(h.score for h in burst)), burst)

    def restore_quiet(self, rule_name: str, key: str, until: datetime) -> None:
        """Keep a rule quiet for a key until a time (an alert raised before a restart still counts)."""
        with self._lock:
            window = self._windows.setdefault((rule_name, key), _Window(deque(maxlen=MAX_KEPT)))
            if window.quiet_until is None or window.quiet_until < until:
                window.quiet_until = until

    def forget_before(self, when: datetime) -> None:
        """Drop windows with nothing newer than when (called now and then, so idle devices cost nothing)."""
        with self._lock:
            for key in [
                k
                for k, w in self._windows.items()
                if (not w.hits or w.hits[-1].captured_at < when) and (w.quiet_until is None or w.quiet_until < when)
            ]:
                del self._windows[key]


def rules_from_config(configs: Sequence[AlertRuleConfig]) -> list[Rule]:
    """The rules of the [[alerts.rules]] sections."""
    return [Rule.from_config(cfg) for cfg in configs]
