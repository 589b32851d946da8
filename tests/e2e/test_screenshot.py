"""The support screenshot mode through the real entry point: real cameras in, a PNG of the wall out."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.cameras import RtspTestServer

from .conftest import Run

pytestmark = pytest.mark.e2e


def test_screenshot_of_the_first_n_cameras(nvr: Run, rtsp_server: RtspTestServer, tmp_path: Path) -> None:
    for n in range(1, 5):
        done = nvr("cameras", "add", "--name", f"Cam {n}", "--url", rtsp_server.url(n))
        assert done.returncode == 0, done.stderr
    target = tmp_path / "wall.png"
    done = nvr("--layout", "4", "--screenshot", str(target), "--after", "6", "--size", "800x450", timeout=90)
    assert done.returncode == 0, done.stderr
    image = QImage(str(target))
    assert (image.width(), image.height()) == (800, 450)
    # Each quarter shows video: many distinct colours, not the empty-tile background.
    for qx, qy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        colours = {image.pixel(qx * 400 + x, qy * 225 + y) for x in range(20, 380, 23) for y in range(20, 180, 17)}
        assert len(colours) > 10, f"tile {qx},{qy} has no picture"


def test_screenshot_without_cameras_shows_the_demo_wall(nvr: Run, tmp_path: Path) -> None:
    target = tmp_path / "demo.png"
    done = nvr("--layout", "9", "--screenshot", str(target), "--after", "4", "--size", "640x360", timeout=90)
    assert done.returncode == 0, done.stderr
    assert QImage(str(target)).width() == 640


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--layout", "5", "--screenshot", "x.png"), "choose one of 1, 4, 9, 16, 25, 36, 64, 128"),
        (("--layout", "4", "--screenshot", "x.png", "--after", "-1"), "between 0 and 600"),
        (("--layout", "4", "--screenshot", "x.png", "--size", "big"), "not a size like 1600x900"),
        (("--layout", "4", "--screenshot", "/nonexistent-dir/x.png"), "does not exist"),
        (("--layout", "4", "--screenshot", "wall.jpg"), "must end in .png"),
    ],
)
def test_bad_screenshot_arguments(nvr: Run, args: tuple[str, ...], message: str) -> None:
    done = nvr(*args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
