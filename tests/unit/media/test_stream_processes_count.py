"""How many stream processes the engine starts: every core (up to 4) for a wall, one for recording alone, more only
for cameras decoded for motion."""

from __future__ import annotations

import pytest

from nvr_desktop.media.procpool import DECODING_PER_PROCESS, stream_processes


@pytest.mark.parametrize(("cores", "expected"), [(1, 1), (2, 2), (4, 4), (16, 4)])
def test_a_wall_gets_a_process_per_core_up_to_four(cores: int, expected: int) -> None:
    assert stream_processes(display=True, cores=cores) == expected
    assert stream_processes(display=True, decoding=500, cores=cores) == expected


@pytest.mark.parametrize(
    ("decoding", "cores", "expected"),
    [
        (0, 2, 1),
        (0, 16, 1),
        (DECODING_PER_PROCESS, 8, 1),
        (DECODING_PER_PROCESS + 1, 8, 2),
        (3 * DECODING_PER_PROCESS, 8, 3),
        (10 * DECODING_PER_PROCESS, 8, 4),
        (10 * DECODING_PER_PROCESS, 2, 2),
    ],
)
def test_without_a_wall_one_process_records_and_motion_adds_more(decoding: int, cores: int, expected: int) -> None:
    assert stream_processes(display=False, decoding=decoding, cores=cores) == expected
