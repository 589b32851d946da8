"""Motion detection on synthetic frames (real OpenCV MOG2) and the snapshot throttle."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from edge.config import MotionConfig, ThrottleConfig
from edge.motion import MotionDetector, Throttle

SIZE = (640, 480)
SQUARE = 60


def _background(rng: np.random.Generator) -> NDArray[np.uint8]:
    frame = np.full((SIZE[1], SIZE[0], 3), 40, dtype=np.uint8)
    frame += rng.integers(0, 4, frame.shape, dtype=np.uint8)  # sensor noise must not count as motion
    return frame


def _with_square(rng: np.random.Generator, x: int, y: int) -> NDArray[np.uint8]:
    frame = _background(rng)
    frame[y : y + SQUARE, x : x + SQUARE] = 230
    return frame


def _warmed(settings: MotionConfig, rng: np.random.Generator) -> MotionDetector:
    detector = MotionDetector(settings, SIZE)
    for _ in range(settings.warmup_frames):
        assert detector.detect(_background(rng)) is None
    return detector


SETTINGS = MotionConfig(warmup_frames=15, width=320, min_area=400)


def test_a_moving_square_is_found_with_its_box() -> None:
    rng = np.random.default_rng(1)
    detector = _warmed(SETTINGS, rng)
    for step in range(5):
        x, y = 100 + 40 * step, 120 + 10 * step
        found = detector.detect(_with_square(rng, x, y))
        assert found is not None, step
        assert found.frame_size == SIZE
        (box,) = found.boxes
        # The blur widens edges by a few pixels at most; the box must sit on the square.
        assert box[0] == pytest.approx(x, abs=8) and box[1] == pytest.approx(y, abs=8)
        assert box[2] == pytest.approx(SQUARE, abs=12) and box[3] == pytest.approx(SQUARE, abs=12)
        assert 0.005 < found.score < 0.05


def test_two_squares_give_two_boxes_largest_first() -> None:
    rng = np.random.default_rng(2)
    detector = _warmed(SETTINGS, rng)
    frame = _with_square(rng, 50, 50)
    frame[300:400, 400:520] = 230
    found = detector.detect(frame)
    assert found is not None and len(found.boxes) == 2
    assert found.boxes[0][0] == pytest.approx(400, abs=8) and found.boxes[1][0] == pytest.approx(50, abs=8)


def test_still_frames_after_warm_up_give_nothing() -> None:
    rng = np.random.default_rng(3)
    detector = _warmed(SETTINGS, rng)
    assert all(detector.detect(_background(rng)) is None for _ in range(30))


def test_warm_up_frames_never_report_even_with_motion() -> None:
    rng = np.random.default_rng(4)
    detector = MotionDetector(MotionConfig(warmup_frames=10, width=320), SIZE)
    assert all(detector.detect(_with_square(rng, 10 * n, 10 * n)) is None for n in range(10))


def test_a_blob_under_the_minimum_area_is_ignored() -> None:
    rng = np.random.default_rng(5)
    detector = _warmed(MotionConfig(warmup_frames=15, width=320, min_area=SQUARE * SQUARE * 2), rng)
    assert detector.detect(_with_square(rng, 200, 200)) is None


def test_a_mask_hides_motion_and_a_zone_limits_it() -> None:
    rng = np.random.default_rng(6)
    mask = ((80, 80), (300, 80), (300, 300), (80, 300))
    masked = _warmed(MotionConfig(warmup_frames=15, width=320, masks=(mask,)), rng)
    assert masked.detect(_with_square(rng, 150, 150)) is None, "inside the mask"
    found = masked.detect(_with_square(rng, 450, 300))
    assert found is not None and found.boxes[0][0] == pytest.approx(450, abs=8), "outside the mask"
    zone = ((400, 0), (640, 0), (640, 480), (400, 480))
    zoned = _warmed(MotionConfig(warmup_frames=15, width=320, zones=(zone,)), rng)
    assert zoned.detect(_with_square(rng, 100, 100)) is None, "outside every zone"
    assert zoned.detect(_with_square(rng, 500, 100)) is not None, "inside the zone"


def test_full_size_analysis_and_grey_frames_work_too() -> None:
    rng = np.random.default_rng(7)
    detector = MotionDetector(MotionConfig(warmup_frames=5, width=0), SIZE)
    for _ in range(5):
        detector.detect(_background(rng)[:, :, 0].copy())
    found = detector.detect(_with_square(rng, 300, 200)[:, :, 0].copy())
    assert found is not None and found.boxes[0][:2] == pytest.approx((300, 200), abs=4)
    with pytest.raises(ValueError, match="expected 640x480"):
        detector.detect(np.zeros((10, 10), dtype=np.uint8))


def test_the_throttle_limits_a_burst_then_cools_down() -> None:
    throttle = Throttle(ThrottleConfig(max_snapshots_per_burst=3, min_interval_s=0.5, cooldown_s=10))
    # Motion in every frame at 5 fps for 9 s: 3 snapshots at least 0.5 s apart, then nothing until the cooldown ends.
    allowed = [round(t / 5, 1) for t in range(45) if throttle.allow(t / 5)]
    assert allowed == [0.0, 0.6, 1.2]
    assert throttle.suppressed == 42
    assert throttle.allow(11.2) and throttle.allow(11.7), "a new burst after the cooldown"


def test_a_quiet_spell_starts_a_new_burst() -> None:
    throttle = Throttle(ThrottleConfig(max_snapshots_per_burst=2, min_interval_s=0, cooldown_s=5))
    assert throttle.allow(0.0)
    assert throttle.allow(6.0) and throttle.allow(6.1), "the first burst ended with the quiet spell"
    assert not throttle.allow(6.2)
