"""The Image tab: open, drop or paste a picture; every digit found is boxed and read.

Decoding, shrinking for display and recognition all run in a background thread, so a
12-megapixel phone photo never freezes the window. A file that cannot be read leaves the
previous picture in place and says which file failed and why.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QStandardPaths, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.gui.common.overlay import boxes_for
from mnist_desktop.gui.common.qt_image import array_to_qimage, fit_for_display
from mnist_desktop.gui.common.recognition_worker import RecognitionWorker
from mnist_desktop.gui.common.settings import add_recent_file, app_settings
from mnist_desktop.gui.common.text import percent
from mnist_desktop.gui.image.image_view import ImageView
from mnist_desktop.results import NumberReading, Reading, Recognition

if TYPE_CHECKING:
    from mnist_desktop.reading import Reader

DISPLAY_MAX_SIDE = 2400


@dataclass(frozen=True)
class LoadedImage:
    """A picture ready to show: the array recognised, its display copy and the result."""

    name: str
    path: str | None
    image: np.ndarray
    display: QImage
    result: Recognition | NumberReading | None


def image_file_filter() -> str:
    """File-dialog filter listing every extension this OpenCV build decodes."""
    from mnist_desktop.io import image_extensions

    patterns = " ".join(f"*{ext}" for ext in sorted(image_extensions()))
    return f"Images ({patterns});;All files (*)"


def _prepare(name: str, path: str | None, image: np.ndarray | None,
             recognizer: Reader | None) -> LoadedImage:
    """Worker side: load (when ``image`` is None), make the display copy, recognise."""
    if image is None:
        from mnist_desktop.io import load_image

        image = load_image(path)  # raises ImageLoadError with the reason
    image = np.array(image, copy=True)
    image.setflags(write=False)
    display = array_to_qimage(fit_for_display(image, DISPLAY_MAX_SIDE))
    result = recognizer.read_as(image, "auto") if recognizer is not None else None
    return LoadedImage(name, path, image, display, result)


class ImageTab(QWidget):
    """Signals: ``resultReady``, ``statusMessage``, ``digitClicked(int)`` (a box was clicked),
    ``recentFilesChanged(list)`` (after a file opened)."""

    resultReady = Signal(object)
    statusMessage = Signal(str)
    digitClicked = Signal(int)
    recentFilesChanged = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recognizer: Reader | None = None
        self._loaded: LoadedImage | None = None
        self._pending_name = ""
        self.worker = RecognitionWorker(self)
        self.worker.resultReady.connect(self._on_loaded)
        self.worker.failed.connect(self._on_failed)
        self._build()

    def _build(self) -> None:
        bar = QHBoxLayout()
        self.open_button = QPushButton("Open…", self)
        self.open_button.setToolTip("Open an image file (Ctrl+O)")
        self.open_button.clicked.connect(self.open_dialog)
        self.info = QLabel("No image", self)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.open_button)
        bar.addSpacing(8)
        bar.addWidget(self.info, 1)
        self.error_banner = QFrame(self)
        self.error_banner.setObjectName("errorBanner")
        self.error_banner.setStyleSheet(
            "#errorBanner { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 6px; }"
            "#errorBanner QLabel { color: #8a1c14; }")
        banner = QHBoxLayout(self.error_banner)
        banner.setContentsMargins(10, 6, 6, 6)
        self.error_label = QLabel(self.error_banner)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self.error_banner)
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss this message")
        close.clicked.connect(self.error_banner.hide)
        banner.addWidget(self.error_label, 1)
        banner.addWidget(close)
        self.error_banner.hide()
        self.view = ImageView(self)
        self.view.boxClicked.connect(self.digitClicked)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error_banner)
        layout.addWidget(self.view, 1)

    # --- tab contract -------------------------------------------------------------------------
    def set_recognizer(self, recognizer: Reader | None) -> None:
        self._recognizer = recognizer
        if recognizer is not None and self._loaded is not None:
            loaded = self._loaded
            self.view.set_busy("Reading the digits…")
            self.worker.submit(lambda: dataclasses.replace(
                loaded, result=recognizer.read_as(loaded.image, "auto")))

    def shutdown(self) -> None:
        self.worker.shutdown()

    # --- opening --------------------------------------------------------------------------
    @property
    def loaded(self) -> LoadedImage | None:
        """The picture on show (None before the first one opened)."""
        return self._loaded

    @property
    def error_text(self) -> str:
        """The message of the last failure still shown ("" when none)."""
        return self.error_label.text() if not self.error_banner.isHidden() else ""

    def open_path(self, path: str) -> None:
        """Open an image file in the background (newest request wins)."""
        name = os.path.basename(path) or path
        recognizer = self._recognizer
        self._start(name, lambda: _prepare(name, path, None, recognizer))

    def open_array(self, image: np.ndarray, name: str) -> None:
        """Show and read an image already in memory (a pasted image, a webcam snapshot)."""
        frozen = np.array(image, copy=True)
        recognizer = self._recognizer
        self._start(name, lambda: _prepare(name, None, frozen, recognizer))

    def open_dialog(self) -> None:
        settings = app_settings()
        pictures = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        folder = str(settings.value("image/last_dir", pictures or os.path.expanduser("~")))
        path, _ = QFileDialog.getOpenFileName(self, "Open image", folder, image_file_filter())
        if path:
            settings.setValue("image/last_dir", os.path.dirname(path))
            self.open_path(path)

    def correction_picture(self) -> np.ndarray | None:
        """The picture on show, as read (None before the first one opened)."""
        return self._loaded.image if self._loaded is not None else None

    def highlight_digit(self, index: int) -> None:
        """Emphasise digit ``index``'s box (chosen in the result panel)."""
        if self._loaded is not None:
            self.view.set_boxes(boxes_for(self._loaded.result), index)

    def _start(self, name: str, job) -> None:  # noqa: ANN001
        self._pending_name = name
        self.view.set_busy(f"Opening {name}…")
        self.statusMessage.emit(f"Opening {name}…")
        self.worker.submit(job)

    # --- results --------------------------------------------------------------------------
    def _on_loaded(self, loaded: LoadedImage) -> None:
        first_show = self._loaded is None or self._loaded.image is not loaded.image
        self._loaded = loaded
        self.view.set_busy("")
        self.error_banner.hide()
        h, w = loaded.image.shape[:2]
        self.info.setText(f"<b>{loaded.name}</b> – {w} x {h} pixels")
        self.info.setToolTip(loaded.path or loaded.name)
        if first_show:
            self.view.set_image(loaded.display, (w, h))
        self.view.set_boxes(boxes_for(loaded.result))
        if loaded.path and first_show:
            self.recentFilesChanged.emit(add_recent_file(loaded.path))
        if loaded.result is None:
            self.statusMessage.emit(f"Opened {loaded.name} – the model is still loading")
        else:
            self.statusMessage.emit(f"Read {loaded.name}: {self._summary(loaded.result)}")
        self.resultReady.emit(loaded.result)

    def _on_failed(self, error: str) -> None:
        self.view.set_busy("")
        message = f"Could not open “{self._pending_name}”: {error}"
        if self._loaded is not None:
            message += f". Still showing {self._loaded.name}."
        self.error_label.setText(message)
        self.error_banner.show()
        self.statusMessage.emit(message)

    @staticmethod
    def _summary(result: Reading) -> str:
        if result.is_number:
            lines = [line for line in result.text.split("\n") if line]
            if len(lines) > 1:
                return f"{len(lines)} lines of digits: {' / '.join(lines)}"
            return f"the number {result.text}"
        if result.status == "no_digit":
            return "no digit found"
        if result.status == "unsure":
            return f"not sure (maybe {result.digit})"
        return f"{result.digit} ({percent(result.confidence)} sure)"
