"""The motion detector on synthetic frames: boxes, warm-up, noise, zones, masks and the burst throttle."""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray

from nvr_desktop.core.motion import MotionSettings
from nvr_desktop.media.motion import MotionDetector, MotionHit, polygon_mask

W, H = 160, 90
SOURCE = (640, 360)  # boxes come back in these pixels: 4x the analysis frame


def still(level: int = 60) -> NDArray[np.uint8]:
    frame = np.full((H, W), level, dtype=np.uint8)
    frame[60:80, 10:40] = 120  # some still structure
    return frame


def with_square(x: int, y: int, side: int = 16) -> NDArray[np.uint8]:
    frame = still()
    frame[y : y + side, x : x + side] = 230
    return frame


def run(
    detector: MotionDetector, frames: list[NDArray[np.uint8]], start: float = 0.0, step: float = 0.2
) -> list[MotionHit | None]:
    return [detector.process(f, SOURCE, start + i * step) for i, f in enumerate(frames)]


def test_a_moving_square_is_found_with_its_box_in_source_pixels() -> None:
    detector = MotionDetector(MotionSettings(enabled=True, warmup_frames=5))
    assert run(detector, [still()] * 6) == [None] * 6
    hit = detector.process(with_square(100, 20), SOURCE, 2.0)
    assert hit is not None and hit.frame_size == SOURCE
    x, y, w, h = hit.boxes[0]
    # The square is 16x16 at (100, 20) in analysis pixels: (400, 80) 64x64 in the source, give or take the blur.
    assert abs(x - 400) <= 8 and abs(y - 80) <= 8 and abs(w - 64) <= 16 and abs(h - 64) <= 16
    assert 0.01 < hit.score < 0.05  # 256 of 14,400 pixels, widened a little by the blur


def test_still_frames_give_nothing_after_the_warm_up() -> None:
    detector = MotionDetector(MotionSettings(enabled=True, warmup_frames=3))
    assert all(hit is None for hit in run(detector, [still()] * 50))


def test_the_warm_up_hides_motion_while_the_background_forms() -> None:
    detector = MotionDetector(MotionSettings(enabled=True, warmup_frames=10))
    frames = [still()] + [with_square(10 + 5 * i, 20) for i in range(8)]
    assert all(hit is None for hit in run(detector, frames))


def test_noise_below_the_sensitivity_gives_nothing_but_a_sensitive_detector_sees_faint_motion() -> None:
    rng = np.random.default_rng(7)
    noisy = [np.clip(still().astype(int) + rng.normal(0, 6, (H, W)), 0, 255).astype(np.uint8) for _ in range(60)]
    detector = MotionDetector(MotionSettings(enabled=True, sensitivity=5, warmup_frames=3))
    assert all(hit is None for hit in run(detector, noisy))
    faint = still()
    faint[20:40, 100:130] += 25  # a change of 25 grey levels: below sensitivity 5 (35), above 9 (15)
    dull = MotionDetector(MotionSettings(enabled=True, sensitivity=5, warmup_frames=3))
    keen = MotionDetector(MotionSettings(enabled=True, sensitivity=9, warmup_frames=3))
    assert run(dull, [still()] * 5 + [faint])[-1] is None
    assert run(keen, [still()] * 5 + [faint])[-1] is not None


def test_a_mask_hides_motion() -> None:
    mask = ((0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0))  # the right half
    detector = MotionDetector(MotionSettings(enabled=True, warmup_frames=2, masks=(mask,)))
    assert all(hit is None for hit in run(detector, [still()] * 3 + [with_square(100 + 4 * i, 30) for i in range(10)]))
    hit = MotionDetector(MotionSettings(enabled=True, warmup_frames=2, masks=(mask,))).process
    frames = [still()] * 3 + [with_square(20, 10)]
    assert [hit(f, SOURCE, i) for i, f in enumerate(frames)][-1] is not None, "the left half still counts"


def test_motion_outside_the_zones_is_ignored_and_inside_counts() -> None:
    zone = ((0.0, 0.0), (0.4, 0.0), (0.4, 1.0), (0.0, 1.0))  # the left 40%
    outside = MotionDetector(MotionSettings(enabled=True, warmup_frames=2, zones=(zone,)))
    assert all(hit is None for hit in run(outside, [still()] * 3 + [with_square(110, 30 + i) for i in range(10)]))
    inside = MotionDetector(MotionSettings(enabled=True, warmup_frames=2, zones=(zone,)))
    hit = run(inside, [still()] * 3 + [with_square(20, 10)])[-1]
    assert hit is not None
    # The score is the changed fraction of the zone (64 px wide), not of the whole frame.
    assert hit.score > 256 / (64 * H)


def test_the_cooldown_and_burst_limit_a_burst_of_motion() -> None:
    frames = [still()] * 3 + [with_square(5 + 3 * i, 20) for i in range(40)]  # 8 s of motion at 5 fps
    single = MotionDetector(MotionSettings(enabled=True, warmup_frames=2, cooldown_s=5.0, burst=1))
    times = [i * 0.2 for i, hit in enumerate(run(single, frames)) if hit is not None]
    assert len(times) == 2 and times[1] - times[0] >= 5.0
    triple = MotionDetector(MotionSettings(enabled=True, warmup_frames=2, cooldown_s=60.0, burst=3))
    times = [i * 0.2 for i, hit in enumerate(run(triple, frames)) if hit is not None]
    assert len(times) == 3 and all(b - a >= 1.0 for a, b in itertools.pairwise(times))


def test_polygon_masks_follow_the_even_odd_rule() -> None:
    triangle = polygon_mask(((0.0, 0.0), (1.0, 0.0), (0.0, 1.0)), 10, 10)
    assert triangle[0, 0] and not triangle[9, 9] and 45 <= triangle.sum() <= 55  # centres on the edge may go either way


def test_something_moving_during_the_warm_up_leaves_no_ghost() -> None:
    detector = MotionDetector(MotionSettings(enabled=True, warmup_frames=10))
    frames = [with_square(10 + 12 * i, 20) for i in range(10)] + [still()] * 10
    assert all(hit is None for hit in run(detector, frames))
