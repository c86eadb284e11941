"""The Webcam tab's live view: the frame, a movable guide box and the answer drawn on top."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTransform,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_desktop.gui.common.overlay import OverlayBox, boxes_for, paint_boxes
from mnist_desktop.gui.common.text import percent
from mnist_desktop.gui.webcam.camera_worker import DEFAULT_ROI, FrameResult, Roi, clamp_roi

GRIP = 10.0
"""How close (in screen pixels) to an edge or corner a press grabs it for resizing."""
STEADY = QColor(60, 200, 90)
UNSTEADY = QColor(240, 170, 40)
NOTHING = QColor(200, 200, 200)


def to_qimage(image: np.ndarray) -> QImage:
    """A QImage sharing ``image``'s memory (BGR, BGRA or grey uint8); keep the array alive."""
    image = np.ascontiguousarray(image)
    height, width = image.shape[:2]
    if image.ndim == 2:
        fmt = QImage.Format.Format_Grayscale8
    elif image.shape[2] == 4:
        fmt = QImage.Format.Format_ARGB32
    else:
        fmt = QImage.Format.Format_BGR888
    return QImage(image.data, width, height, image.strides[0], fmt)


class WebcamPreview(QWidget):
    """Shows frames fitted to the widget; the user drags the guide box to move or resize it.

    Drag inside the box to move it, drag an edge or corner to resize it, drag outside it to
    draw a new one; double-click resets it.
    """

    roiChanged = Signal(object)  # Roi, while the user drags

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("The guide box: only what is inside it is recognised.\n"
                        "Drag inside to move it, drag an edge or corner to resize it, drag "
                        "outside it to draw a new one, double-click to reset it.")
        self._array: np.ndarray | None = None
        self._qimage: QImage | None = None
        self._roi: Roi = DEFAULT_ROI
        self._result: FrameResult | None = None
        self._fps_text = ""
        self._placeholder = ""
        self._drag: tuple[str, QPointF, Roi] | None = None

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    # -- content -------------------------------------------------------------------------
    def set_frame(self, image: np.ndarray | None) -> None:
        self._array = image
        self._qimage = None if image is None else to_qimage(image)
        self.update()

    def frame(self) -> np.ndarray | None:
        return self._array

    def set_result(self, result: FrameResult | None) -> None:
        self._result = result
        self.update()

    def set_fps_text(self, text: str) -> None:
        self._fps_text = text
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.update()

    def roi(self) -> Roi:
        return self._roi

    def set_roi(self, roi: Roi) -> None:
        self._roi = clamp_roi(roi)
        self.update()

    # -- geometry --------------------------------------------------------------------------
    def image_rect(self) -> QRectF:
        """Where the frame is drawn: fitted inside the widget, centred, aspect kept."""
        if self._qimage is None:
            return QRectF(self.rect())
        iw, ih = self._qimage.width(), self._qimage.height()
        scale = min(self.width() / iw, self.height() / ih)
        w, h = iw * scale, ih * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def _roi_rect(self) -> QRectF:
        r = self.image_rect()
        x, y, w, h = self._roi
        return QRectF(r.x() + x * r.width(), r.y() + y * r.height(), w * r.width(),
                      h * r.height())

    # -- mouse -------------------------------------------------------------------------------
    def _hit(self, pos: QPointF) -> str:
        """'move', 'new' or the edges grabbed: a combination of l, r, t, b."""
        box = self._roi_rect()
        grab = ""
        near_y = box.top() - GRIP <= pos.y() <= box.bottom() + GRIP
        near_x = box.left() - GRIP <= pos.x() <= box.right() + GRIP
        if near_y and abs(pos.x() - box.left()) <= GRIP:
            grab += "l"
        elif near_y and abs(pos.x() - box.right()) <= GRIP:
            grab += "r"
        if near_x and abs(pos.y() - box.top()) <= GRIP:
            grab += "t"
        elif near_x and abs(pos.y() - box.bottom()) <= GRIP:
            grab += "b"
        if grab:
            return grab
        return "move" if box.contains(pos) else "new"

    def _cursor_for(self, hit: str) -> Qt.CursorShape:
        if hit == "move":
            return Qt.CursorShape.SizeAllCursor
        if hit == "new":
            return Qt.CursorShape.CrossCursor
        if hit in ("lt", "rb"):
            return Qt.CursorShape.SizeFDiagCursor
        if hit in ("rt", "lb"):
            return Qt.CursorShape.SizeBDiagCursor
        return Qt.CursorShape.SizeHorCursor if hit in "lr" else Qt.CursorShape.SizeVerCursor

    def _normalized(self, pos: QPointF) -> tuple[float, float]:
        r = self.image_rect()
        return ((pos.x() - r.x()) / max(r.width(), 1.0), (pos.y() - r.y()) / max(r.height(), 1.0))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._qimage is None:
            return super().mousePressEvent(event)
        pos = event.position()
        hit = self._hit(pos)
        if hit == "new":
            x, y = self._normalized(pos)
            self._roi = clamp_roi((x, y, 0.0, 0.0))
            hit = "rb"
        self._drag = (hit, pos, self._roi)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._drag is None:
            if self._qimage is not None:
                self.setCursor(self._cursor_for(self._hit(pos)))
            return
        hit, start, (x, y, w, h) = self._drag
        r = self.image_rect()
        dx = (pos.x() - start.x()) / max(r.width(), 1.0)
        dy = (pos.y() - start.y()) / max(r.height(), 1.0)
        if hit == "move":
            self._roi = clamp_roi((x + dx, y + dy, w, h))
        else:
            left, top, right, bottom = x, y, x + w, y + h
            if "l" in hit:
                left = min(max(left + dx, 0.0), right - 0.05)
            if "r" in hit:
                right = max(min(right + dx, 1.0), left + 0.05)
            if "t" in hit:
                top = min(max(top + dy, 0.0), bottom - 0.05)
            if "b" in hit:
                bottom = max(min(bottom + dy, 1.0), top + 0.05)
            self._roi = clamp_roi((left, top, right - left, bottom - top))
        self.roiChanged.emit(self._roi)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag = None
            self.roiChanged.emit(self._roi)
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self._roi = DEFAULT_ROI
        self.roiChanged.emit(self._roi)
        self.update()

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.fillRect(self.rect(), QColor(32, 32, 36))
        if self._qimage is None:
            painter.setPen(QColor(210, 210, 210))
            painter.drawText(self.rect().adjusted(20, 20, -20, -20),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self._placeholder)
            return
        image_rect = self.image_rect()
        painter.drawImage(image_rect, self._qimage)
        box = self._roi_rect()
        outside = QPainterPath()
        outside.addRect(image_rect)
        inside = QPainterPath()
        inside.addRect(box)
        painter.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 110))
        self._paint_result(painter, box)
        painter.setPen(QPen(QColor(255, 255, 255), 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)
        painter.setBrush(QColor(255, 255, 255))
        painter.setPen(Qt.PenStyle.NoPen)
        for corner in (box.topLeft(), box.topRight(), box.bottomLeft(), box.bottomRight()):
            painter.drawRect(QRectF(corner.x() - 4, corner.y() - 4, 8, 8))
        if self._fps_text:
            self._badge(painter, QPointF(image_rect.x() + 8, image_rect.bottom() - 8),
                        self._fps_text, QColor(255, 255, 255), 10, above=True)

    def _paint_result(self, painter: QPainter, roi: QRectF) -> None:
        result = self._result
        if result is None:
            return
        colour = STEADY if result.steady else UNSTEADY
        rx, ry = result.roi[:2]
        shown = result.smoothed
        r = self.image_rect()
        scale = r.width() / self._qimage.width() if self._qimage is not None else 1.0
        frame_to_widget = QTransform(scale, 0, 0, scale, r.x() + rx * scale, r.y() + ry * scale)
        boxes = boxes_for(shown)
        if not shown.is_number:  # the digit's answer is the big badge above the guide box
            boxes = [OverlayBox(box.box, "", box.status) for box in boxes]
        paint_boxes(painter, boxes, frame_to_widget, colour=colour)
        if not result.label.strip("-"):
            text, colour = "no digit in the box", NOTHING
        else:
            text = result.label.replace("\n", " ")
        if not shown.is_number and shown.found:
            text += f"  {percent(shown.confidence)}"
        self._badge(painter, QPointF(roi.x(), roi.y() - 2), text, colour, 22, above=True)

    def _badge(self, painter: QPainter, at: QPointF, text: str, colour: QColor, points: int,
               above: bool = False) -> None:
        """``text`` on a dark rounded label with its top-left at ``at`` (bottom-left if above)."""
        font = QFont(self.font())
        font.setPointSize(points)
        font.setBold(True)
        painter.setFont(font)
        metrics = painter.fontMetrics()
        rect = QRectF(metrics.boundingRect(text)).adjusted(-6, -3, 6, 3)
        rect.moveTopLeft(at if not above else QPointF(at.x(), at.y() - rect.height()))
        if rect.top() < 0:
            rect.moveTop(at.y() + 4)
        rect.moveLeft(min(max(rect.left(), 0.0), max(self.width() - rect.width(), 0.0)))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(rect, 5, 5)
        painter.setPen(colour)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
