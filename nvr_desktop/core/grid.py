"""Wall layout maths: tile counts, grid shapes, pages and tile rectangles (no Qt)."""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Tile counts the wall offers, and their (columns, rows).
LAYOUTS: dict[int, tuple[int, int]] = {
    1: (1, 1),
    4: (2, 2),
    9: (3, 3),
    16: (4, 4),
    25: (5, 5),
    36: (6, 6),
    64: (8, 8),
    128: (16, 8),
}


@dataclass(frozen=True)
class Rect:
    """An integer rectangle in widget pixels."""

    x: int
    y: int
    width: int
    height: int

    def contains(self, px: float, py: float) -> bool:
        """True when the point lies inside."""
        return self.x <= px < self.x + self.width and self.y <= py < self.y + self.height


def check_layout(tiles: int) -> int:
    """Return tiles when it is an offered layout, else raise ValueError listing them."""
    if tiles not in LAYOUTS:
        raise ValueError(f"unknown layout {tiles}: choose one of {', '.join(map(str, LAYOUTS))}")
    return tiles


def page_count(cameras: int, tiles: int) -> int:
    """Pages needed to show every camera (at least one)."""
    return max(1, math.ceil(cameras / check_layout(tiles)))


def page_slice(page: int, tiles: int, cameras: int) -> range:
    """Indexes (into the camera order) shown on a page; the page number wraps."""
    pages = page_count(cameras, tiles)
    start = (page % pages) * tiles
    return range(start, min(start + tiles, cameras))


def tile_rects(tiles: int, width: int, height: int, gap: int = 2) -> list[Rect]:
    """Rectangles of each tile, row by row, filling width x height with gap pixels between tiles."""
    cols, rows = LAYOUTS[check_layout(tiles)]
    rects = []
    for index in range(tiles):
        r, c = divmod(index, cols)
        x0 = c * width // cols
        x1 = (c + 1) * width // cols
        y0 = r * height // rows
        y1 = (r + 1) * height // rows
        rects.append(Rect(x0 + gap // 2, y0 + gap // 2, max(1, x1 - x0 - gap), max(1, y1 - y0 - gap)))
    return rects


def tile_at(tiles: int, width: int, height: int, px: float, py: float) -> int | None:
    """The tile index under a point, or None (on a gap or outside)."""
    for index, rect in enumerate(tile_rects(tiles, width, height)):
        if rect.contains(px, py):
            return index
    return None
