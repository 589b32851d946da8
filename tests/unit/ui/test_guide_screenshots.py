"""docs/screenshots.py (the user guide's pictures, `make screenshots`) still runs: one shot that needs no camera."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[3]


def test_the_guide_screenshot_script_takes_one_shot(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "screenshots.py"), "--out", str(tmp_path), "--only", "settings"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["settings-language.png"]
    image = QImage(str(tmp_path / "settings-language.png"))
    assert not image.isNull() and image.width() > 200
    assert "1 screenshot(s)" in done.stdout
