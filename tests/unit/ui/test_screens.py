"""The screenshot script keeps working (its pictures are for people; here only their existence and size)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.unit.ui.screens import SCREEN_SIZE, save_screens


def test_screens_are_written(app: QApplication, tmp_path: Path) -> None:
    written = save_screens(tmp_path / "screens", tmp_path / "data")
    names = {p.name for p in written}
    assert {"login.png", "first_run.png", "main_window.png", "main_window_es.png"} <= names
    for path in written:
        assert not QImage(str(path)).isNull(), path
    main = QImage(str(tmp_path / "screens" / "main_window.png"))
    ratio = main.devicePixelRatio()
    assert (round(main.width() / ratio), round(main.height() / ratio)) == SCREEN_SIZE
    assert not [w for w in QApplication.topLevelWidgets() if w.isVisible()]
