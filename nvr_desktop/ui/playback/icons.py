"""Transport icons drawn in code: light glyphs that read on the dark theme at any scale (no image files)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap, QPolygonF

_SIZE = 64
_ON = QColor("#e6edf3")
_OFF = QColor("#5c636c")


def _triangle(painter: QPainter, left: float, right: float, *, pointing_right: bool) -> None:
    top, bottom, middle = 14.0, 50.0, 32.0
    if pointing_right:
        points = [QPointF(left, top), QPointF(right, middle), QPointF(left, bottom)]
    else:
        points = [QPointF(right, top), QPointF(left, middle), QPointF(right, bottom)]
    painter.drawPolygon(QPolygonF(points))


def _bar(painter: QPainter, left: float, width: float = 6.0) -> None:
    painter.drawRect(QRectF(left, 14.0, width, 36.0))


def _draw(kind: str, painter: QPainter) -> None:
    if kind == "play":
        _triangle(painter, 18, 50, pointing_right=True)
    elif kind == "pause":
        _bar(painter, 18, 10)
        _bar(painter, 36, 10)
    elif kind == "step-back":
        _bar(painter, 14)
        _triangle(painter, 24, 50, pointing_right=False)
    elif kind == "step-forward":
        _triangle(painter, 14, 40, pointing_right=True)
        _bar(painter, 44)
    elif kind == "previous":
        _bar(painter, 8)
        _triangle(painter, 14, 36, pointing_right=False)
        _triangle(painter, 34, 56, pointing_right=False)
    elif kind == "next":
        _triangle(painter, 8, 30, pointing_right=True)
        _triangle(painter, 28, 50, pointing_right=True)
        _bar(painter, 50)
    elif kind == "snapshot":
        painter.drawRoundedRect(QRectF(8, 20, 48, 32), 5, 5)
        painter.drawRect(QRectF(22, 13, 20, 8))
        painter.setBrush(QColor("#0b0e13"))
        painter.drawEllipse(QPointF(32, 36), 10, 10)
    elif kind == "export":
        painter.drawPolygon(QPolygonF([QPointF(32, 8), QPointF(48, 26), QPointF(16, 26)]))
        painter.drawRect(QRectF(27, 24, 10, 16))
        painter.drawRect(QRectF(10, 46, 44, 7))
    elif kind == "lock":
        painter.drawRoundedRect(QRectF(12, 28, 40, 28), 4, 4)
        painter.setPen(QPen(painter.brush().color(), 6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawArc(QRectF(20, 8, 24, 36), 0, 180 * 16)
        painter.drawLine(QPointF(20, 26), QPointF(20, 30))
        painter.drawLine(QPointF(44, 26), QPointF(44, 30))


def media_icon(kind: str) -> QIcon:
    """An icon: play, pause, step-back, step-forward, previous, next, snapshot, export or lock."""
    icon = QIcon()
    for color, mode in ((_ON, QIcon.Mode.Normal), (_OFF, QIcon.Mode.Disabled)):
        pixmap = QPixmap(_SIZE, _SIZE)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        _draw(kind, painter)
        painter.end()
        icon.addPixmap(pixmap, mode)
    return icon
