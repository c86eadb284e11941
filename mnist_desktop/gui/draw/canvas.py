"""The drawing canvas: smooth strokes from mouse, pen or touch, with undo/redo.

The drawing lives in *document* coordinates: a sheet of ``SHEET_WIDTH`` x ``SHEET_HEIGHT``
pixels (2.5:1, room for several digits), shown scaled to fit the widget. ``add_stroke`` is the
one way strokes enter the drawing (mouse, tablet, touch and tests all use it), and
``to_array`` renders the sheet at exactly that size, so result boxes are in sheet pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_desktop.gui.common.overlay import OverlayBox, paint_boxes
from mnist_desktop.gui.common.qt_image import qimage_to_array

SHEET_WIDTH = 700
SHEET_HEIGHT = 280
DEFAULT_BRUSH = 22.0
MIN_BRUSH, MAX_BRUSH = 6.0, 60.0
_MIN_STEP = 0.6  # sheet pixels between recorded points
INK = QColor(20, 20, 24)
PAPER = QColor(255, 255, 255)


@dataclass(frozen=True)
class Stroke:
    """One pen-down..pen-up line: points in sheet pixels and the pen width."""

    points: tuple[tuple[float, float], ...]
    width: float


def stroke_path(points: Sequence[tuple[float, float]]) -> QPainterPath:
    """A smooth path through ``points`` (quadratic curves between midpoints)."""
    path = QPainterPath(QPointF(*points[0]))
    if len(points) < 3:
        for x, y in points[1:]:
            path.lineTo(x, y)
        return path
    for (x0, y0), (x1, y1) in zip(points[1:-1], points[2:], strict=True):
        path.quadTo(x0, y0, (x0 + x1) / 2, (y0 + y1) / 2)
    path.lineTo(*points[-1])
    return path


def paint_strokes(painter: QPainter, strokes: Sequence[Stroke], colour: QColor = INK) -> None:
    """Paint strokes with round caps and joins (the painter's transform maps sheet pixels)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for stroke in strokes:
        pen = QPen(colour, stroke.width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                   Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if len(stroke.points) == 1:
            painter.drawPoint(QPointF(*stroke.points[0]))
        else:
            painter.drawPath(stroke_path(stroke.points))


class DrawingCanvas(QWidget):
    """A sheet to write digits on. Signals: ``changed`` (every change, also mid-stroke),
    ``strokeFinished``, ``historyChanged`` (undo/redo availability)."""

    changed = Signal()
    strokeFinished = Signal()
    historyChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: tuple[Stroke, ...] = ()
        self._undo: list[tuple[Stroke, ...]] = []
        self._redo: list[tuple[Stroke, ...]] = []
        self._current: list[tuple[float, float]] | None = None
        self._brush = DEFAULT_BRUSH
        self._hover: QPointF | None = None
        self._overlay: list[OverlayBox] = []
        self._selected = -1
        self.placeholder = "Write one digit or a whole number here"
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setMinimumSize(300, 120)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Drawing canvas")

    # --- the drawing -------------------------------------------------------------------------
    @property
    def strokes(self) -> tuple[Stroke, ...]:
        return self._strokes

    @property
    def drawing(self) -> bool:
        """True while a stroke is being drawn (pen down)."""
        return self._current is not None

    def is_empty(self) -> bool:
        return not self._strokes and not self._current

    @property
    def brush_width(self) -> float:
        return self._brush

    def set_brush_width(self, width: float) -> None:
        self._brush = float(min(MAX_BRUSH, max(MIN_BRUSH, width)))
        self.update()

    def add_stroke(self, points: Sequence[tuple[float, float]], width: float | None = None) -> None:
        """Add a finished stroke (points in sheet pixels; ``width`` defaults to the brush)."""
        clean = tuple((float(x), float(y)) for x, y in points)
        if not clean:
            return
        stroke = Stroke(clean, float(width) if width is not None else self._brush)
        self._commit((*self._strokes, stroke))
        self.strokeFinished.emit()

    def clear(self) -> None:
        """Remove every stroke (undoable)."""
        self._current = None
        if self._strokes:
            self._commit(())

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> None:
        if self._undo:
            self._redo.append(self._strokes)
            self._set(self._undo.pop())

    def redo(self) -> None:
        if self._redo:
            self._undo.append(self._strokes)
            self._set(self._redo.pop())

    def _commit(self, strokes: tuple[Stroke, ...]) -> None:
        self._undo.append(self._strokes)
        self._redo.clear()
        self._set(strokes)

    def _set(self, strokes: tuple[Stroke, ...]) -> None:
        self._strokes = strokes
        self._overlay = []
        self.update()
        self.changed.emit()
        self.historyChanged.emit()

    # --- rendering for recognition and saving ---------------------------------------------
    def to_qimage(self, scale: float = 1.0) -> QImage:
        """The sheet as a grey image (dark ink on white), ``scale`` times the sheet size."""
        image = QImage(round(SHEET_WIDTH * scale), round(SHEET_HEIGHT * scale),
                       QImage.Format.Format_Grayscale8)
        image.fill(PAPER)
        painter = QPainter(image)
        painter.scale(scale, scale)
        paint_strokes(painter, self._all_strokes())
        painter.end()
        return image

    def to_array(self) -> np.ndarray:
        """The sheet as a uint8 grey array (SHEET_HEIGHT, SHEET_WIDTH), live stroke included."""
        return qimage_to_array(self.to_qimage())

    def set_overlay(self, boxes: Sequence[OverlayBox], selected: int = -1) -> None:
        """Outline found digits (boxes in sheet pixels); cleared by the next change."""
        self._overlay = list(boxes)
        self._selected = selected
        self.update()

    def _all_strokes(self) -> tuple[Stroke, ...]:
        if self._current:
            return (*self._strokes, Stroke(tuple(self._current), self._brush))
        return self._strokes

    # --- geometry ---------------------------------------------------------------------------
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return round((width - 12) * SHEET_HEIGHT / SHEET_WIDTH) + 12

    def sizeHint(self) -> QSize:
        return QSize(SHEET_WIDTH + 12, SHEET_HEIGHT + 12)

    def sheet_rect(self) -> QRectF:
        """Where the sheet is drawn in the widget (fitted, keeping its 2.5:1 shape)."""
        margin = 6.0
        w, h = self.width() - 2 * margin, self.height() - 2 * margin
        scale = max(1e-3, min(w / SHEET_WIDTH, h / SHEET_HEIGHT))
        sw, sh = SHEET_WIDTH * scale, SHEET_HEIGHT * scale
        return QRectF((self.width() - sw) / 2, (self.height() - sh) / 2, sw, sh)

    def _transform(self) -> QTransform:
        rect = self.sheet_rect()
        scale = rect.width() / SHEET_WIDTH
        return QTransform(scale, 0, 0, scale, rect.x(), rect.y())

    def _to_sheet(self, pos: QPointF) -> tuple[float, float]:
        rect = self.sheet_rect()
        scale = rect.width() / SHEET_WIDTH
        x = (pos.x() - rect.x()) / scale
        y = (pos.y() - rect.y()) / scale
        return (min(max(x, 0.0), SHEET_WIDTH), min(max(y, 0.0), SHEET_HEIGHT))

    # --- input: mouse, tablet and touch all end in _begin/_extend/_end ----------------------
    def _begin(self, pos: QPointF) -> None:
        self._current = [self._to_sheet(pos)]
        self._overlay = []
        self.update()
        self.changed.emit()

    def _extend(self, pos: QPointF) -> None:
        if self._current is None:
            return
        x, y = self._to_sheet(pos)
        lx, ly = self._current[-1]
        if abs(x - lx) + abs(y - ly) < _MIN_STEP:
            return
        self._current.append((x, y))
        self.update()
        self.changed.emit()

    def _end(self) -> None:
        if self._current is None:
            return
        points, self._current = self._current, None
        self.add_stroke(points)

    def _cancel(self) -> None:
        if self._current is not None:
            self._current = None
            self.update()
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._begin(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._hover = event.position()
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._extend(event.position())
        else:
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._extend(event.position())
            self._end()

    def leaveEvent(self, event: QEvent) -> None:
        self._hover = None
        self.update()
        super().leaveEvent(event)

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove:
            self._hover = event.position()
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease:
            self._end()
        event.accept()

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd):
            points = event.points()  # type: ignore[attr-defined]
            if points:
                pos = self.mapFromGlobal(points[0].globalPosition())
                if kind == QEvent.Type.TouchBegin:
                    self._begin(pos)
                elif kind == QEvent.Type.TouchUpdate:
                    self._extend(pos)
                else:
                    self._extend(pos)
                    self._end()
            event.accept()
            return True
        if kind == QEvent.Type.TouchCancel:
            self._cancel()
            event.accept()
            return True
        return super().event(event)

    # --- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        rect = self.sheet_rect()
        painter.fillRect(self.rect(), self.palette().window())
        painter.setPen(QPen(QColor(0, 0, 0, 40), 1))
        painter.setBrush(PAPER)
        painter.drawRoundedRect(rect.adjusted(-0.5, -0.5, 0.5, 0.5), 4, 4)
        if self.is_empty():
            painter.setPen(QColor(150, 150, 160))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.placeholder)
        painter.save()
        painter.setClipRect(rect)
        painter.setTransform(self._transform(), True)
        paint_strokes(painter, self._all_strokes())
        painter.restore()
        scale = rect.width() / SHEET_WIDTH
        paint_boxes(painter, self._overlay, self._transform(), self._selected)
        if self._hover is not None and self._current is None and rect.contains(self._hover):
            painter.setPen(QPen(QColor(0, 120, 215, 160), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            radius = self._brush * scale / 2
            painter.drawEllipse(self._hover, radius, radius)
        painter.end()
