"""The Draw tab: write digits with mouse, pen or finger and watch them being read live."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.gui.common.overlay import boxes_for
from mnist_desktop.gui.common.recognition_worker import RecognitionWorker
from mnist_desktop.gui.common.settings import app_settings
from mnist_desktop.gui.draw.canvas import DEFAULT_BRUSH, MAX_BRUSH, MIN_BRUSH, DrawingCanvas
from mnist_desktop.results import Reading

if TYPE_CHECKING:
    import numpy as np

    from mnist_desktop.reading import Reader

LIVE_INTERVAL_MS = 150
"""While a stroke is being drawn, the drawing is read at most this often."""


def _action(parent: QWidget, text: str, tip: str, keys: list[QKeySequence]) -> QAction:
    action = QAction(text, parent)
    action.setShortcuts(keys)
    shortcut = " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)
    action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
    action.setStatusTip(tip)
    return action


class DrawTab(QWidget):
    """Canvas + pen width + undo/redo/clear/save; results go out through ``resultReady``."""

    resultReady = Signal(object)
    statusMessage = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recognizer: Reader | None = None
        self._current = True
        self._last_result: Reading | None = None
        self.canvas = DrawingCanvas(self)
        self.worker = RecognitionWorker(self)
        self.worker.resultReady.connect(self._on_result)
        self.worker.failed.connect(lambda error: self.statusMessage.emit(
            f"Could not read the drawing: {error}"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LIVE_INTERVAL_MS)
        self._timer.timeout.connect(self.recognize_now)
        self._make_actions()
        self._build()
        self.canvas.changed.connect(self._on_changed)
        self.canvas.strokeFinished.connect(self.recognize_now)
        self.canvas.historyChanged.connect(self._update_actions)
        width = app_settings().value("draw/brush_width", DEFAULT_BRUSH)
        try:
            self.set_brush_width(float(width))
        except (TypeError, ValueError):
            self.set_brush_width(DEFAULT_BRUSH)
        self._update_actions()

    def _make_actions(self) -> None:
        self.undo_action = _action(self, "&Undo stroke", "Undo the last stroke",
                                   [QKeySequence("Ctrl+Z")])
        self.redo_action = _action(self, "&Redo stroke", "Redo the stroke you undid",
                                   [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.clear_action = _action(self, "&Clear drawing", "Erase the whole drawing",
                                    [QKeySequence(Qt.Key.Key_Delete),
                                     QKeySequence(Qt.Key.Key_Escape)])
        self.save_action = _action(self, "&Save drawing…", "Save the drawing as a PNG image",
                                   [QKeySequence("Ctrl+S")])
        self.undo_action.triggered.connect(self.canvas.undo)
        self.redo_action.triggered.connect(self.canvas.redo)
        self.clear_action.triggered.connect(self.canvas.clear)
        self.save_action.triggered.connect(self.save_dialog)

    def _build(self) -> None:
        bar = QHBoxLayout()
        pen_label = QLabel("Pen width", self)
        self.brush_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.brush_slider.setRange(int(MIN_BRUSH), int(MAX_BRUSH))
        self.brush_slider.setMinimumWidth(70)  # shrinks before anything overlaps
        self.brush_slider.setMaximumWidth(150)
        self.brush_slider.setToolTip("How thick the pen draws (does not change drawn strokes)")
        self.brush_slider.valueChanged.connect(lambda v: self.set_brush_width(float(v)))
        pen_label.setBuddy(self.brush_slider)
        self.brush_value = QLabel(self)
        self.brush_value.setFixedWidth(self.brush_value.fontMetrics().horizontalAdvance("888") + 6)
        bar.addWidget(pen_label)
        bar.addWidget(self.brush_slider)
        bar.addWidget(self.brush_value)
        bar.addSpacing(12)
        for action in (self.undo_action, self.redo_action, self.clear_action, self.save_action):
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setText(action.text().replace("&", "").replace(" stroke", "")
                           .replace(" drawing", ""))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addSpacing(4)  # the canvas right under its toolbar, the room left below
        layout.addWidget(self.canvas)
        hint = QLabel("Write a digit – or several side by side to read a whole number. "
                      "The answer updates as you draw.", self)
        hint.setWordWrap(True)
        hint.setEnabled(False)
        hint.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(hint)
        layout.addStretch(1)

    # --- tab contract -------------------------------------------------------------------------
    def set_recognizer(self, recognizer: Reader | None) -> None:
        self._recognizer = recognizer
        self.recognize_now()

    def shutdown(self) -> None:
        self._timer.stop()
        self.worker.shutdown()

    def set_current(self, current: bool) -> None:
        """Whether the tab is shown: its shortcuts work only then."""
        self._current = current
        self._update_actions()

    # --- drawing ------------------------------------------------------------------------------
    def set_brush_width(self, width: float) -> None:
        self.canvas.set_brush_width(width)
        value = round(self.canvas.brush_width)
        if self.brush_slider.value() != value:
            self.brush_slider.setValue(value)
        self.brush_value.setText(str(value))
        app_settings().setValue("draw/brush_width", self.canvas.brush_width)

    def save_png(self, path: str) -> bool:
        """Write the drawing (twice the sheet size, white paper) to ``path``; True on success."""
        ok = self.canvas.to_qimage(scale=2.0).save(path, "PNG")
        self.statusMessage.emit(f"Saved the drawing to {path}" if ok
                                else f"Could not save the drawing to {path}")
        return ok

    def save_dialog(self) -> None:
        settings = app_settings()
        pictures = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.PicturesLocation)
        folder = str(settings.value("draw/save_dir", pictures or os.path.expanduser("~")))
        path, _ = QFileDialog.getSaveFileName(self, "Save drawing",
                                              os.path.join(folder, "drawing.png"),
                                              "PNG image (*.png)")
        if not path:
            return
        if not path.lower().endswith(".png"):
            path += ".png"
        if self.save_png(path):
            settings.setValue("draw/save_dir", os.path.dirname(path))

    def correction_picture(self) -> np.ndarray | None:
        """The drawing as the model reads it (None: the canvas is empty)."""
        return None if self.canvas.is_empty() else self.canvas.to_array()

    def highlight_digit(self, index: int) -> None:
        """Outline digit ``index`` of the number read from the drawing."""
        if self._last_result is not None and self._last_result.is_number:
            self.canvas.set_overlay(boxes_for(self._last_result), index)

    # --- recognition -----------------------------------------------------------------------
    def _on_changed(self) -> None:
        self._update_actions()
        if self.canvas.is_empty():
            self._timer.stop()
            self.worker.cancel()
            self._last_result = None
            self.resultReady.emit(None)
        elif not self._timer.isActive():
            self._timer.start()

    def recognize_now(self) -> None:
        """Read the drawing now (in the background)."""
        self._timer.stop()
        if self.canvas.is_empty():
            return
        if self._recognizer is None:
            self.statusMessage.emit("The model is still loading – the drawing will be read "
                                    "as soon as it is ready")
            return
        image = self.canvas.to_array()
        recognizer = self._recognizer
        self.worker.submit(lambda: recognizer.read_as(image, "auto"))

    def _on_result(self, result: Reading) -> None:
        if self.canvas.is_empty():
            return
        self._last_result = result
        drawing = self.canvas.drawing
        if result.is_number and not drawing:
            self.canvas.set_overlay(boxes_for(result))
        self.resultReady.emit(result)

    def _update_actions(self) -> None:
        empty = self.canvas.is_empty()
        self.undo_action.setEnabled(self._current and self.canvas.can_undo())
        self.redo_action.setEnabled(self._current and self.canvas.can_redo())
        self.clear_action.setEnabled(self._current and not empty)
        self.save_action.setEnabled(self._current and not empty)
