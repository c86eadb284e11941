"""Boxes with labels drawn over an image or the canvas for each digit found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QTransform

from mnist_desktop.results import Box, Reading, Recognition

OK_COLOUR = QColor(30, 136, 229)
UNSURE_COLOUR = QColor(230, 135, 0)
SELECTED_COLOUR = QColor(216, 27, 96)


@dataclass(frozen=True)
class OverlayBox:
    """One digit's box (x, y, w, h in image pixels), its label and status."""

    box: Box
    label: str
    status: str = "ok"


def digits_of(result: Reading | None) -> list[Recognition]:
    """The recognitions shown for ``result``: a number's digits, or the single digit."""
    return [] if result is None else list(result.digits)


def boxes_for(result: Reading | None) -> list[OverlayBox]:
    """Boxes for every found digit of a Recognition or NumberReading (none for None)."""
    return [OverlayBox(d.box, d.label, d.status) for d in digits_of(result)
            if d.box is not None and d.status != "no_digit"]


def colour_for(status: str) -> QColor:
    return UNSURE_COLOUR if status == "unsure" else OK_COLOUR


def paint_boxes(painter: QPainter, boxes: Sequence[OverlayBox], transform: QTransform,
                selected: int = -1, colour: QColor | None = None) -> None:
    """Draw ``boxes`` mapped by ``transform`` (image -> widget), labels in screen pixels;
    ``colour`` overrides the colour by status (the webcam's steady/unsteady), an empty label
    draws no tag."""
    if not boxes:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    font = QFont(painter.font())
    font.setBold(True)
    font.setPointSizeF(max(8.0, font.pointSizeF()))
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    for index, item in enumerate(boxes):
        x, y, w, h = item.box
        rect = transform.mapRect(QRectF(x, y, w, h)).adjusted(-3, -3, 3, 3)
        shade = (SELECTED_COLOUR if index == selected
                 else colour or colour_for(item.status))
        painter.setPen(QPen(shade, 3 if index == selected else 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 3, 3)
        if not item.label:
            continue
        text_w = metrics.horizontalAdvance(item.label) + 10
        text_h = metrics.height() + 2
        top = rect.top() - text_h if rect.top() - text_h >= 0 else rect.bottom()
        tag = QRectF(rect.left() - 1, top, max(text_w, 18.0), text_h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(shade)
        painter.drawRoundedRect(tag, 3, 3)
        painter.setPen(QColor("white"))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, item.label)
    painter.restore()


def box_at(boxes: Sequence[OverlayBox], transform: QTransform, pos: QPointF) -> int:
    """Index of the smallest box under ``pos`` (widget coordinates), or -1."""
    hits = []
    for index, item in enumerate(boxes):
        x, y, w, h = item.box
        rect = transform.mapRect(QRectF(x, y, w, h)).adjusted(-4, -4, 4, 4)
        if rect.contains(pos):
            hits.append((rect.width() * rect.height(), index))
    return min(hits)[1] if hits else -1
