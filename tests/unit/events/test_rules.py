"""Alert rules as pure logic: once per quiet period, severity from the burst's best score, keys, filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nvr_desktop.core.config import AlertRuleConfig
from nvr_desktop.core.models import Severity
from nvr_desktop.events.rules import Hit, Rule, RuleEngine

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def hits(
    device: str,
    start: datetime,
    n: int,
    *,
    every_s: float = 5,
    score: float = 0.5,
    first_id: int = 1,
    camera: int | None = 1,
) -> list[Hit]:
    return [Hit(first_id + i, device, camera, start + timedelta(seconds=i * every_s), score) for i in range(n)]


def test_a_burst_fires_once_and_a_later_burst_fires_again() -> None:
    engine = RuleEngine([Rule("burst", count=3, within=timedelta(minutes=2))])
    fired = [f for h in hits("pi-1", T0, 20) for f in engine.evaluate(h)]  # 20 detections in 95 s
    assert len(fired) == 1
    assert [h.event_id for h in fired[0].hits] == [1, 2, 3]
    assert fired[0].device_id == "pi-1" and fired[0].camera_id == 1
    later = hits("pi-1", T0 + timedelta(minutes=10), 3, first_id=100)
    again = [f for h in later for f in engine.evaluate(h)]
    assert len(again) == 1 and [h.event_id for h in again[0].hits] == [100, 101, 102]


def test_detections_spread_wider_than_the_window_do_not_fire() -> None:
    engine = RuleEngine([Rule("burst", count=3, within=timedelta(minutes=2))])
    assert not [f for h in hits("pi-1", T0, 10, every_s=70) for f in engine.evaluate(h)]


def test_each_device_has_its_own_window() -> None:
    engine = RuleEngine([Rule("burst", count=2, within=timedelta(minutes=1))])
    mixed = [Hit(1, "a", None, T0, 0.5), Hit(2, "b", None, T0, 0.5), Hit(3, "a", None, T0, 0.5)]
    fired = [f for h in mixed for f in engine.evaluate(h)]
    assert [(f.device_id, [h.event_id for h in f.hits]) for f in fired] == [("a", [1, 3])]


def test_a_camera_rule_counts_every_device_of_the_camera_and_ignores_unlinked_devices() -> None:
    engine = RuleEngine([Rule("cam", per="camera", count=2, within=timedelta(minutes=1))])
    assert engine.evaluate(Hit(1, "a", None, T0, 0.5)) == []
    assert engine.evaluate(Hit(2, "a", 7, T0, 0.5)) == []
    (fired,) = engine.evaluate(Hit(3, "b", 7, T0, 0.5))
    assert fired.camera_id == 7 and fired.device_id is None


def test_filters_on_device_and_camera() -> None:
    engine = RuleEngine([Rule("door", device_id="pi-door", count=1), Rule("yard", camera_id=2, count=1)])
    assert [f.rule.name for f in engine.evaluate(Hit(1, "pi-door", 1, T0, 0.5))] == ["door"]
    assert [f.rule.name for f in engine.evaluate(Hit(2, "pi-x", 2, T0, 0.5))] == ["yard"]
    assert engine.evaluate(Hit(3, "pi-x", 3, T0, 0.5)) == []


@pytest.mark.parametrize(
    ("scores", "severity"),
    [((0.3, 0.4, 0.5), Severity.INFO), ((0.3, 0.7, 0.5), Severity.WARNING), ((0.9, 0.2, 0.2), Severity.CRITICAL)],
)
def test_severity_is_the_best_score_of_the_burst(scores: tuple[float, ...], severity: Severity) -> None:
    engine = RuleEngine([Rule("burst", count=3, warning_score=0.6, critical_score=0.85)])
    burst = [Hit(i, "pi", 1, T0 + timedelta(seconds=i), s) for i, s in enumerate(scores)]
    fired = [f for h in burst for f in engine.evaluate(h)]
    assert [f.severity for f in fired] == [severity]


def test_late_arrivals_count_by_capture_time() -> None:
    engine = RuleEngine([Rule("burst", count=3, within=timedelta(minutes=1))])
    assert engine.evaluate(Hit(1, "pi", 1, T0 + timedelta(seconds=50), 0.5)) == []
    assert engine.evaluate(Hit(2, "pi", 1, T0 - timedelta(minutes=5), 0.5)) == []  # a replayed old detection
    assert engine.evaluate(Hit(3, "pi", 1, T0 + timedelta(seconds=10), 0.5)) == []
    (fired,) = engine.evaluate(Hit(4, "pi", 1, T0 + timedelta(seconds=30), 0.5))
    assert [h.event_id for h in fired.hits] == [3, 4, 1]  # oldest first, the replayed one left out


def test_rule_from_config_defaults_quiet_to_the_window() -> None:
    rule = Rule.from_config(AlertRuleConfig(name="r", within_minutes=4, device_id=""))
    assert rule.quiet == rule.within == timedelta(minutes=4) and rule.device_id is None
    assert Rule.from_config(AlertRuleConfig(name="r", quiet_minutes=0)).quiet == timedelta(0)


def test_forget_before_drops_idle_windows() -> None:
    engine = RuleEngine([Rule("burst", count=5)])
    for h in hits("pi", T0, 2):
        engine.evaluate(h)
    engine.forget_before(T0 + timedelta(hours=1))
    assert engine.evaluate(Hit(9, "pi", 1, T0 + timedelta(seconds=20), 0.5)) == []  # the first two are gone
