"""The load governor's decisions, the reconnect backoff and tile scaling (pure logic)."""

from __future__ import annotations

import random

from nvr_desktop.media.state import PROTECTED_PRIORITY, DecodeMode
from nvr_desktop.media.supervisor import LoadGovernor
from nvr_desktop.media.worker import Backoff, fit_size

FULL, KEY = DecodeMode.FULL, DecodeMode.KEYFRAMES


class Clock:
    """A hand-moved clock."""

    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_over_budget_degrades_the_least_important_quarter() -> None:
    gov = LoadGovernor(1.5, wall_clock=Clock())
    tiles = [(cid, cid, FULL) for cid in range(1, 9)]  # priority == id
    assert gov.decide(1.9, tiles) == {1: KEY, 2: KEY}


def test_protected_tiles_are_never_degraded() -> None:
    gov = LoadGovernor(1.0, wall_clock=Clock())
    tiles = [(1, PROTECTED_PRIORITY, FULL), (2, PROTECTED_PRIORITY + 5, FULL)]
    assert gov.decide(5.0, tiles) == {}
    assert gov.decide(5.0, [*tiles, (3, 0, FULL)]) == {3: KEY}


def test_recovers_the_most_important_tiles_first_after_a_hold() -> None:
    clock = Clock()
    gov = LoadGovernor(1.5, wall_clock=clock, hold_s=3.0)
    tiles = [(1, 10, FULL), (2, 5, FULL), (3, 1, FULL), (4, 0, FULL)]
    assert gov.decide(2.0, tiles) == {4: KEY}
    tiles = [(1, 10, FULL), (2, 5, KEY), (3, 1, KEY), (4, 0, KEY)]
    clock.t += 1.0
    assert gov.decide(0.3, tiles) == {}, "promoted before the hold time"
    clock.t += 3.0
    changes = gov.decide(0.3, tiles)
    assert changes and next(iter(changes)) == 2
    assert set(changes.values()) == {FULL}


def test_inside_the_band_nothing_changes() -> None:
    gov = LoadGovernor(1.5, wall_clock=Clock())
    assert gov.decide(1.2, [(1, 0, FULL), (2, 0, KEY)]) == {}


def test_measure_reports_cores_used() -> None:
    wall, cpu = Clock(), Clock()
    gov = LoadGovernor(1.0, wall_clock=wall, cpu_clock=cpu)
    wall.t += 2.0
    cpu.t += 3.0
    assert gov.measure() == 1.5


def test_backoff_doubles_to_thirty_seconds_with_jitter() -> None:
    backoff = Backoff()
    rng = random.Random(1)
    delays = [backoff.delay(n, rng) for n in range(1, 9)]
    for n, d in enumerate(delays, start=1):
        base = min(30.0, 2.0 ** (n - 1))
        assert base * 0.8 <= d <= base * 1.2
    assert Backoff(jitter=0).delay(20) == 30.0


def test_fit_size_keeps_aspect_and_never_upscales() -> None:
    assert fit_size(1920, 1080, 320, 320) == (320, 180)
    assert fit_size(640, 360, 4000, 4000) == (640, 360)
    assert fit_size(640, 480, 300, 100) == (128, 100)
    w, h = fit_size(1921, 1081, 1921, 1081)
    assert w % 16 == 0 and h % 2 == 0 and w <= 1921
