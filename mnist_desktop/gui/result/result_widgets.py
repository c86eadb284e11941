"""The pieces of the result panel: probability bars, the 28x28 pixel view, the steps strip."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QSizePolicy, QVBoxLayout, QWidget

from mnist_desktop.gui.common.overlay import OK_COLOUR, UNSURE_COLOUR
from mnist_desktop.gui.common.qt_image import array_to_qimage
from mnist_desktop.gui.common.text import percent
from mnist_desktop.results import PipelineStep

STEP_TITLES = {"grey": "Grey", "contrast": "Contrast", "threshold": "Ink",
               "crop": "Digit", "28x28": "28x28"}
STEP_HELP = {
    "grey": "The picture in grey levels",
    "contrast": "Lighting evened out so ink stands out from the paper",
    "threshold": "What counts as ink (white) and paper (black)",
    "crop": "The digit cut out, strokes brought to MNIST thickness",
    "28x28": "Scaled to 20x20 and centred in 28x28, as in MNIST",
}


class ProbabilityBars(QWidget):
    """Ten horizontal bars, one per digit, the most likely one highlighted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._probs: np.ndarray | None = None
        self._status = "ok"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("How likely the model thinks each digit is")

    def set_probabilities(self, probs: np.ndarray | None, status: str = "ok") -> None:
        self._probs = None if probs is None else np.asarray(probs, np.float32)
        self._status = status
        self.setAccessibleDescription(self.describe())
        self.update()

    def describe(self) -> str:
        if self._probs is None or not self._probs.any():
            return "no probabilities"
        return ", ".join(f"{d}: {percent(p)}" for d, p in enumerate(self._probs))

    def _row(self) -> int:
        return max(21, QFontMetrics(self.font()).height() + 7)

    def sizeHint(self) -> QSize:
        return QSize(260, 10 * self._row())

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 10 * self._row())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.updateGeometry()  # rows follow the font: ask the layout for the new height
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        row = max(8, min(self._row(), self.height() // 10))  # all ten bars, always
        metrics = QFontMetrics(self.font())
        label_w = metrics.horizontalAdvance("8") + 8
        value_w = metrics.horizontalAdvance("100.0 %") + 6
        bar_w = max(10, self.width() - label_w - value_w)
        top = int(np.argmax(self._probs)) if self._probs is not None and self._probs.any() else -1
        text = self.palette().windowText().color()
        track = QColor(text)
        track.setAlpha(28)
        for digit in range(10):
            y = digit * row
            p = float(self._probs[digit]) if self._probs is not None else 0.0
            painter.setPen(text)
            painter.drawText(QRectF(0, y, label_w - 4, row), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, str(digit))
            bar = QRectF(label_w, y + 3, bar_w, row - 6)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(track)
            painter.drawRoundedRect(bar, 3, 3)
            if bar_w * p >= 1.0:
                colour = (UNSURE_COLOUR if self._status == "unsure" else OK_COLOUR)
                if digit != top:
                    colour = QColor(colour)
                    colour.setAlpha(110)
                painter.setBrush(colour)
                painter.drawRoundedRect(QRectF(bar.x(), bar.y(), max(3.0, bar_w * p),
                                               bar.height()), 3, 3)
            painter.setPen(text if digit == top else QColor(text.red(), text.green(),
                                                             text.blue(), 150))
            value = percent(p) if self._probs is not None else ""
            painter.drawText(QRectF(label_w + bar_w, y, value_w, row),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, value)
        painter.end()


class PixelView(QWidget):
    """A small grey image enlarged with sharp, visible pixels and a faint grid."""

    def __init__(self, parent: QWidget | None = None, side: int = 148) -> None:
        super().__init__(parent)
        self._image = None
        self._side = side
        self.setFixedSize(side, side)
        self.setToolTip("The 28x28 image the model actually saw (white ink on black, "
                        "like MNIST)")

    def set_image(self, image: np.ndarray | None) -> None:
        self._image = None if image is None else array_to_qimage(image)
        self.update()

    def has_image(self) -> bool:
        return self._image is not None

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(24, 24, 28))
        if self._image is None:
            painter.setPen(QColor(140, 140, 150))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no input")
            painter.end()
            return
        w, h = self._image.width(), self._image.height()
        cell = min(self.width() / w, self.height() / h)
        target = QRectF((self.width() - cell * w) / 2, (self.height() - cell * h) / 2,
                        cell * w, cell * h)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, self._image)
        if cell >= 3:
            painter.setPen(QPen(QColor(90, 90, 110, 90), 0))
            for i in range(1, w):
                x = target.x() + i * cell
                painter.drawLine(round(x), round(target.top()), round(x), round(target.bottom()))
            for j in range(1, h):
                y = target.y() + j * cell
                painter.drawLine(round(target.left()), round(y), round(target.right()), round(y))
        painter.end()


class StepThumb(QWidget):
    """One pipeline step: a fitted thumbnail with its name below; click to enlarge."""

    clicked = Signal()

    def __init__(self, step: PipelineStep, parent: QWidget | None = None, side: int = 56) -> None:
        super().__init__(parent)
        self._side = side
        self.setFixedSize(side + 4, side + QFontMetrics(self.font()).height() + 6)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.set_step(step)

    def set_step(self, step: PipelineStep) -> None:
        """Show another step (the strip reuses its thumbnails from result to result)."""
        self.step = step
        self._image = array_to_qimage(step.image)
        h, w = step.image.shape[:2]
        self.setToolTip(f"<b>{STEP_TITLES.get(step.name, step.name)}</b> ({w}x{h})<br>"
                        f"{STEP_HELP.get(step.name, '')}<br><i>Click to enlarge</i>")
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        box = QRectF(2, 2, self._side, self._side)
        painter.fillRect(box, QColor(24, 24, 28))
        w, h = self._image.width(), self._image.height()
        scale = min(box.width() / w, box.height() / h)
        target = QRectF(box.x() + (box.width() - w * scale) / 2,
                        box.y() + (box.height() - h * scale) / 2, w * scale, h * scale)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, scale < 1)
        painter.drawImage(target, self._image)
        painter.setPen(self.palette().windowText().color())
        painter.drawText(QRectF(0, box.bottom() + 2, self.width(), self.height() - box.bottom()),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                         STEP_TITLES.get(self.step.name, self.step.name))
        painter.end()


class StepStrip(QWidget):
    """The pipeline's named steps side by side (grey -> ink -> digit -> 28x28)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._thumbs: list[StepThumb] = []
        self._pool: list[StepThumb] = []
        self._empty = QLabel("No steps to show", self)
        self._empty.setEnabled(False)
        self.setMinimumHeight(56 + QFontMetrics(self.font()).height() + 6)

    def set_steps(self, steps: Sequence[PipelineStep]) -> None:
        """Show these steps; thumbnails are reused, never destroyed and re-made per result
        (a live Draw or Webcam tab shows several results a second for hours)."""
        for thumb, step in zip(self._pool, steps, strict=False):
            thumb.set_step(step)
        for step in steps[len(self._pool):]:
            thumb = StepThumb(step, self)
            thumb.clicked.connect(lambda t=thumb: self._enlarge(t.step))
            self._pool.append(thumb)
        self._thumbs = self._pool[:len(steps)]
        for i, thumb in enumerate(self._pool):
            thumb.setVisible(i < len(steps))
        self._empty.setVisible(not self._thumbs)
        self._arrange()

    def names(self) -> list[str]:
        return [thumb.step.name for thumb in self._thumbs]

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        self._arrange()
        super().resizeEvent(event)

    def _arrange(self) -> None:
        if not self._thumbs:
            return
        width = self._thumbs[0].width()
        spaces = max(1, len(self._thumbs) - 1)
        gap = max(0, min(8, (self.width() - len(self._thumbs) * width) // spaces))
        for i, thumb in enumerate(self._thumbs):
            thumb.move(i * (width + gap), 0)

    def _enlarge(self, step: PipelineStep) -> None:
        dialog = QDialog(self.window())
        dialog.setWindowTitle(f"Step: {STEP_TITLES.get(step.name, step.name)}")
        label = QLabel(dialog)
        image = array_to_qimage(step.image)
        h, w = step.image.shape[:2]
        factor = max(1, min(16, 420 // max(h, w)))
        mode = (Qt.TransformationMode.FastTransformation if factor > 1
                else Qt.TransformationMode.SmoothTransformation)
        pixmap = QPixmap.fromImage(image).scaled(min(900, w * factor), min(700, h * factor),
                                                 Qt.AspectRatioMode.KeepAspectRatio, mode)
        label.setPixmap(pixmap)
        layout = QVBoxLayout(dialog)
        layout.addWidget(label)
        layout.addWidget(QLabel(STEP_HELP.get(step.name, ""), dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.show()
