"""Shows an image fitted to the widget with a labelled box around every digit found."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QTransform
from PySide6.QtWidgets import QSizePolicy, QWidget

from mnist_desktop.gui.common.overlay import OverlayBox, box_at, paint_boxes

PLACEHOLDER = ("Drop an image here, paste one with Ctrl+V,\n"
               "or click Open… to choose a file")


class ImageView(QWidget):
    """Image + boxes. Signal ``boxClicked(int)``: the user clicked digit box ``index``."""

    boxClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._source_size = (1, 1)
        self._boxes: list[OverlayBox] = []
        self._selected = -1
        self._busy = ""
        self._drag = False
        self.setMinimumSize(320, 220)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setAccessibleName("Image with the digits found")

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    def set_image(self, image: QImage | None, source_size: tuple[int, int] | None = None) -> None:
        """Show ``image``; boxes are given in ``source_size`` (w, h) pixels (default: image's)."""
        self._image = image
        if image is not None:
            self._source_size = source_size or (image.width(), image.height())
        self._boxes, self._selected = [], -1
        self.update()

    def set_boxes(self, boxes: Sequence[OverlayBox], selected: int = -1) -> None:
        self._boxes = list(boxes)
        self._selected = selected
        self.setToolTip("Click a box to see that digit's details" if len(self._boxes) > 1 else "")
        self.update()

    @property
    def boxes(self) -> list[OverlayBox]:
        return list(self._boxes)

    def set_busy(self, text: str) -> None:
        """A short note over the image while work runs ("" hides it)."""
        self._busy = text
        self.update()

    def set_drag_active(self, active: bool) -> None:
        self._drag = active
        self.update()

    def image_rect(self) -> QRectF:
        """Where the image is drawn (fitted, centred, never enlarged beyond 4x)."""
        if self._image is None:
            return QRectF()
        margin = 8.0
        w, h = self._image.width(), self._image.height()
        scale = min((self.width() - 2 * margin) / w, (self.height() - 2 * margin) / h, 4.0)
        scale = max(scale, 1e-3)
        return QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2,
                      w * scale, h * scale)

    def source_transform(self) -> QTransform:
        """Maps source-image pixels (where boxes live) to widget coordinates."""
        rect = self.image_rect()
        sx = rect.width() / max(1, self._source_size[0])
        sy = rect.height() / max(1, self._source_size[1])
        return QTransform(sx, 0, 0, sy, rect.x(), rect.y())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._boxes:
            index = box_at(self._boxes, self.source_transform(), event.position())
            if index >= 0:
                self._selected = index
                self.update()
                self.boxClicked.emit(index)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = box_at(self._boxes, self.source_transform(), event.position()) >= 0
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.fillRect(self.rect(), self.palette().window().color().darker(112))
        if self._image is None:
            self._paint_placeholder(painter)
        else:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(self.image_rect(), self._image)
            paint_boxes(painter, self._boxes, self.source_transform(), self._selected)
        if self._drag:
            painter.setPen(QPen(QColor(30, 136, 229), 3))
            painter.setBrush(QColor(30, 136, 229, 30))
            painter.drawRoundedRect(QRectF(self.rect()).adjusted(2, 2, -2, -2), 8, 8)
        if self._busy:
            self._paint_busy(painter)
        painter.end()

    def _paint_placeholder(self, painter: QPainter) -> None:
        text = self.palette().windowText().color()
        text.setAlpha(130)
        pen = QPen(text, 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(16, 16, -16, -16), 12, 12)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, PLACEHOLDER)

    def _paint_busy(self, painter: QPainter) -> None:
        metrics = painter.fontMetrics()
        w = metrics.horizontalAdvance(self._busy) + 32
        h = metrics.height() + 16
        pill = QRectF((self.width() - w) / 2, 14, w, h)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(20, 20, 28, 200))
        painter.drawRoundedRect(pill, h / 2, h / 2)
        painter.setPen(QColor("white"))
        painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, self._busy)
