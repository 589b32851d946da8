"""How a stream probe's result is shown in the dialogs that test a camera: a line of facts and a thumbnail."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel


def show_probe(result: Any, facts: QLabel, picture: QLabel, size: tuple[int, int]) -> None:
    """Put a ProbeResult's codec, size, rate and audio (or its failure) in facts, its thumbnail in picture."""
    if result.ok:
        facts.setText(
            QCoreApplication.translate("ProbeView", "%1 %2x%3, %4 fps, %5")
            .replace("%1", result.codec.upper())
            .replace("%2", str(result.width))
            .replace("%3", str(result.height))
            .replace("%4", f"{result.fps:g}")
            .replace("%5", result.audio_codec or QCoreApplication.translate("ProbeView", "no audio"))
        )
    else:
        facts.setText(QCoreApplication.translate("ProbeView", "Failed: %1").replace("%1", result.message))
    thumb = result.thumbnail
    if thumb is None:
        picture.setPixmap(QPixmap())
        picture.setText(QCoreApplication.translate("ProbeView", "No picture"))
        return
    image = QImage(thumb.rgb, thumb.width, thumb.height, thumb.width * 3, QImage.Format.Format_RGB888).copy()
    picture.setPixmap(
        QPixmap.fromImage(image).scaled(
            *size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    )
