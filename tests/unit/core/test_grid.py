"""Wall layout maths."""

from __future__ import annotations

import pytest

from nvr_desktop.core.grid import LAYOUTS, page_count, page_slice, tile_at, tile_rects


@pytest.mark.parametrize("tiles", list(LAYOUTS))
def test_tiles_cover_the_area_without_overlap(tiles: int) -> None:
    rects = tile_rects(tiles, 1600, 900)
    assert len(rects) == tiles
    for i, a in enumerate(rects):
        assert a.width > 0 and a.height > 0
        assert a.x + a.width <= 1600 and a.y + a.height <= 900
        for b in rects[i + 1 :]:
            assert a.x + a.width <= b.x or b.x + b.width <= a.x or a.y + a.height <= b.y or b.y + b.height <= a.y
    cols, rows = LAYOUTS[tiles]
    assert cols * rows == tiles


def test_128_tiles_are_16_by_8() -> None:
    rects = tile_rects(128, 1920, 1080, gap=0)
    assert rects[15].x + rects[15].width == 1920 and rects[16].y == rects[0].height
    assert rects[-1].y + rects[-1].height == 1080


def test_pages_and_slices() -> None:
    assert page_count(0, 16) == 1
    assert page_count(40, 16) == 3
    assert list(page_slice(2, 16, 40)) == list(range(32, 40))
    assert list(page_slice(3, 16, 40)) == list(range(16)), "page numbers wrap"


def test_tile_at_maps_points_to_tiles() -> None:
    assert tile_at(4, 200, 100, 10, 10) == 0
    assert tile_at(4, 200, 100, 150, 80) == 3
    assert tile_at(4, 200, 100, 100, 50) is None  # the gap between tiles
    with pytest.raises(ValueError, match="unknown layout 5"):
        tile_rects(5, 10, 10)
