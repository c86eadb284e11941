"""The Webcam tab: recognise digits live from a camera, a video file or a network stream.

Capture and recognition run in a :class:`~mnist_desktop.gui.camera_worker.CameraWorker`
(see its docstring for the thread design); this widget only shows what the worker emits.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.camera_source import SourceInfo, describe, parse_source
from mnist_desktop.gui.camera_worker import (
    DEFAULT_ROI,
    CameraFrame,
    CameraWorker,
    CaptureStopped,
    FrameResult,
    Roi,
    clamp_roi,
    roi_pixels,
)
from mnist_desktop.gui.settings import app_settings
from mnist_desktop.gui.source_picker import SourcePicker
from mnist_desktop.gui.webcam_preview import WebcamPreview

log = logging.getLogger(__name__)

STOP_WAIT_S = 3.0
PANEL_INTERVAL_S = 0.1
IDLE_TEXT = ("Pick a camera, or type a video file or a stream URL (a phone \"IP camera\" app), "
             "then press Start.\n\nHold a handwritten digit inside the guide box.")
ERROR_STYLE = "color: #c62828; font-weight: bold;"
_STUCK: list[CameraWorker] = []


class WebcamTab(QWidget):
    """Live recognition from a camera, video file or stream, with a movable guide box."""

    resultReady = Signal(object)  # Recognition | NumberReading | None (smoothed)
    statusMessage = Signal(str)
    sendToImage = Signal(object, str)  # BGR image, name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recognizer: Any = None
        self._worker: CameraWorker | None = None
        self._info: SourceInfo | None = None
        self._frame: CameraFrame | None = None
        self._result: FrameResult | None = None
        self._frozen = False
        self._panel_label, self._panel_at = "", 0.0
        self._panel_sent: FrameResult | None = None
        self._build()
        self._restore()
        self._update_controls()

    # -- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        self.source_picker = SourcePicker()
        self.source_picker.activated.connect(self.start)
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Start or stop the camera (F5)")
        self.start_button.clicked.connect(self._toggle_running)
        source_row = QHBoxLayout()
        source_row.addWidget(QLabel("Source:"))
        source_row.addWidget(self.source_picker, 1)
        source_row.addWidget(self.start_button)

        self.preview = WebcamPreview()
        self.preview.set_placeholder(IDLE_TEXT)
        self.preview.roiChanged.connect(self._roi_changed)

        self.message_label = QLabel()
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.number_box = QCheckBox("&Number")
        self.number_box.setToolTip("Read every digit in the guide box as one number, "
                                   "instead of a single digit")
        self.number_box.toggled.connect(self._number_toggled)
        self.freeze_button = QPushButton("Freeze")
        self.freeze_button.setCheckable(True)
        self.freeze_button.setToolTip("Hold the current frame (Space); move the guide box "
                                      "on it to recognise another part")
        self.freeze_button.toggled.connect(self.set_frozen)
        self.snapshot_button = QPushButton("Snapshot…")
        self.snapshot_button.setToolTip("Save the current frame as a PNG image (Ctrl+Shift+S)")
        self.snapshot_button.clicked.connect(lambda: self.save_snapshot())
        self.send_button = QPushButton("Send to Image tab")
        self.send_button.setToolTip("Open what is inside the guide box in the Image tab, with "
                                    "every pipeline step (Ctrl+Shift+I)")
        self.send_button.clicked.connect(lambda: self.send_to_image())
        self.info_label = QLabel()
        self.info_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.info_label.setToolTip("Frames per second delivered by the source, and how many "
                                   "of them are recognised per second")
        action_row = QHBoxLayout()
        for widget in (self.number_box, self.freeze_button, self.snapshot_button,
                       self.send_button):
            action_row.addWidget(widget)
        action_row.addStretch(1)
        message_row = QHBoxLayout()
        message_row.addWidget(self.message_label, 1)
        message_row.addWidget(self.info_label)

        layout = QVBoxLayout(self)
        layout.addLayout(source_row)
        layout.addWidget(self.preview, 1)
        layout.addLayout(message_row)
        layout.addLayout(action_row)

        for keys, slot in (("Space", self.freeze_button.toggle), ("F5", self._toggle_running),
                           ("Ctrl+Shift+S", lambda: self.save_snapshot()),
                           ("Ctrl+Shift+I", self.send_to_image)):
            QShortcut(QKeySequence(keys), self, slot)

    def _restore(self) -> None:
        settings = app_settings()
        roi = settings.value("webcam/roi", None)
        try:
            self.preview.set_roi(tuple(float(v) for v in roi) if roi else DEFAULT_ROI)
        except (TypeError, ValueError):
            self.preview.set_roi(DEFAULT_ROI)
        self.number_box.setChecked(bool(settings.value("webcam/number_mode", False, type=bool)))

    # -- public API -------------------------------------------------------------------------------
    def set_recognizer(self, recognizer: Any) -> None:
        """Use ``recognizer`` from now on (None while the model loads or when it failed)."""
        self._recognizer = recognizer
        if self._worker is not None:
            self._worker.set_recognizer(recognizer)
        self._update_info()

    def set_source(self, text: str) -> None:
        self.source_picker.set_text(text)

    def source_text(self) -> str:
        return self.source_picker.text()

    def set_roi(self, roi: Roi) -> None:
        """Place the guide box: (x, y, width, height) as fractions of the frame."""
        self.preview.set_roi(roi)
        self._roi_changed(self.preview.roi())

    def roi(self) -> Roi:
        return self.preview.roi()

    def set_number_mode(self, on: bool) -> None:
        self.number_box.setChecked(on)

    def is_running(self) -> bool:
        return self._worker is not None

    def is_frozen(self) -> bool:
        return self._frozen

    def last_result(self) -> FrameResult | None:
        return self._result

    def message(self) -> str:
        return self.message_label.text()

    def start(self) -> None:
        """Open the chosen source and start recognising (does nothing while running)."""
        if self._worker is not None:
            return
        _STUCK[:] = [w for w in _STUCK if w.is_alive()]
        text = self.source_text()
        try:
            source = parse_source(text)
        except ValueError as error:
            self._show_message(str(error), error=True)
            return
        self.source_picker.remember(text)
        self.set_frozen(False)
        self._frame = self._result = self._info = None
        self.preview.set_frame(None)
        self.preview.set_result(None)
        self.preview.set_placeholder(f"Opening {describe(source)}…")
        self.resultReady.emit(None)
        worker = CameraWorker(source, recognizer=self._recognizer, roi=self.preview.roi(),
                              mode="number" if self.number_box.isChecked() else "digit")
        worker.opened.connect(self._on_opened)
        worker.frameReady.connect(self._on_frame)
        worker.resultReady.connect(self._on_result)
        worker.numberModeUnavailable.connect(self._on_number_unavailable)
        worker.notice.connect(self._on_notice)
        worker.stopped.connect(self._on_stopped)
        self._worker = worker
        self._show_message(f"Opening {describe(source)}…")
        worker.start()
        self._update_controls()

    def stop(self) -> None:
        """Stop capturing; the last frame stays on screen."""
        if self._worker is None:
            return
        self._end_run(self._worker)
        self._show_message("Stopped.")

    def shutdown(self) -> None:
        """Stop the capture threads (request, then wait) and save the tab's settings."""
        if self._worker is not None:
            self._end_run(self._worker)
        settings = app_settings()
        settings.setValue("webcam/roi", list(self.preview.roi()))
        settings.setValue("webcam/number_mode", self.number_box.isChecked())

    def set_frozen(self, frozen: bool) -> None:
        """Hold the preview on the current frame (and pause a video file) or let it run."""
        frozen = bool(frozen) and self._frame is not None and self._worker is not None
        self._frozen = frozen
        with QSignalBlocker(self.freeze_button):
            self.freeze_button.setChecked(frozen)
        self.freeze_button.setText("Resume" if frozen else "Freeze")
        if self._worker is not None:
            self._worker.set_paused(frozen)
        self.preview.set_fps_text("frozen" if frozen else self._fps_text())
        self._update_info()

    def _fps_text(self) -> str:
        if self._worker is None or self._frame is None or not self._frame.fps:
            return ""
        return f"{self._frame.fps:.0f} fps"

    def save_snapshot(self, path: str | None = None) -> str | None:
        """Save the current frame as PNG (asks where when ``path`` is None); returns the path."""
        if self._frame is None:
            self._show_message("No frame to save yet: press Start first.", error=True)
            return None
        image = self._frame.image
        if not path:
            settings = app_settings()
            folder = str(settings.value("webcam/snapshot_dir", str(Path.home())))
            name = time.strftime("webcam-%Y%m%d-%H%M%S.png")
            path, _ = QFileDialog.getSaveFileName(self, "Save frame", str(Path(folder) / name),
                                                  "PNG image (*.png)")
            if not path:
                return None
            settings.setValue("webcam/snapshot_dir", str(Path(path).parent))
        if not path.lower().endswith(".png"):
            path += ".png"
        ok, data = cv2.imencode(".png", image)
        try:
            if not ok:
                raise OSError("PNG encoding failed")
            data.tofile(path)
        except OSError as error:
            self._show_message(f"Could not save {path}: {error}", error=True)
            return None
        self._show_message(f"Saved the frame to {path}")
        return path

    def send_to_image(self) -> None:
        """Emit ``sendToImage`` with what is inside the guide box of the current frame."""
        if self._frame is None:
            self._show_message("No frame yet: press Start first.", error=True)
            return
        image = self._frame.image
        x, y, w, h = roi_pixels(self.preview.roi(), image.shape[1], image.shape[0])
        crop = np.array(image[y : y + h, x : x + w], copy=True)
        self.sendToImage.emit(crop, f"webcam frame {self._frame.index + 1} (guide box)")

    # -- worker signals ---------------------------------------------------------------------------
    def _is_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @Slot(object)
    def _on_opened(self, info: SourceInfo) -> None:
        if not self._is_current():
            return
        self._info = info
        self._show_message(f"Showing {info.name}.")

    @Slot(object)
    def _on_frame(self, frame: CameraFrame) -> None:
        worker = self.sender()
        if isinstance(worker, CameraWorker):
            worker.frame_shown()
        if not self._is_current() or self._frozen:
            return
        self._frame = frame
        self.preview.set_frame(frame.image)
        self.preview.set_fps_text(self._fps_text())
        if frame.index % 10 == 0:
            self._update_info()
        if frame.index == 0:
            self._update_controls()

    @Slot(object)
    def _on_result(self, result: FrameResult) -> None:
        if not self._is_current() or (self._frozen and not result.still):
            return
        self._result = result
        self.preview.set_result(result)
        now = time.monotonic()
        if (result.label != self._panel_label or result.still
                or now - self._panel_at >= PANEL_INTERVAL_S):
            self._send_to_panel(result, now)

    def _send_to_panel(self, result: FrameResult, now: float) -> None:
        """The result panel gets the smoothed answer at most ~10 times a second."""
        self._panel_label, self._panel_at, self._panel_sent = result.label, now, result
        self.resultReady.emit(result.smoothed)

    @Slot(str)
    def _on_number_unavailable(self, message: str) -> None:
        if not self._is_current():
            return
        with QSignalBlocker(self.number_box):
            self.number_box.setChecked(False)
        self._show_message(message, error=True)

    @Slot(str)
    def _on_notice(self, message: str) -> None:
        if self._is_current():
            self._show_message(message, error=True)

    @Slot(object)
    def _on_stopped(self, stopped: CaptureStopped) -> None:
        if not self._is_current():
            return
        self._end_run(self._worker)
        if self._frame is None:
            self.preview.set_placeholder(f"{stopped.message}\n\n{IDLE_TEXT}")
        self._show_message(stopped.message, error=stopped.reason == "error")

    # -- internals -----------------------------------------------------------------------------
    def _end_run(self, worker: CameraWorker) -> None:
        worker.request_stop()
        if not worker.wait(STOP_WAIT_S):
            log.warning("the capture thread of %s is still busy; leaving it to finish",
                        worker.source)
            _STUCK.append(worker)  # released in the GUI thread once its thread has ended
        if self._worker is worker:
            self._worker = None
            if self._result is not None and self._panel_sent is not self._result:
                self._send_to_panel(self._result, time.monotonic())
        self.set_frozen(False)
        if self._frame is None:
            self.preview.set_placeholder(IDLE_TEXT)
        self._update_controls()

    def _toggle_running(self) -> None:
        if self._worker is None:
            self.start()
        else:
            self.stop()

    def _roi_changed(self, roi: Roi) -> None:
        roi = clamp_roi(roi)
        if self._worker is not None:
            self._worker.set_roi(roi)
            if self._frozen and self._frame is not None:
                self._worker.submit_still(self._frame)

    def _number_toggled(self, on: bool) -> None:
        if self._worker is not None:
            self._worker.set_mode("number" if on else "digit")
            if self._frozen and self._frame is not None:
                self._worker.submit_still(self._frame)
        app_settings().setValue("webcam/number_mode", on)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet(ERROR_STYLE if error else "")
        self.message_label.setText(text)
        self.statusMessage.emit(text)

    def _update_controls(self) -> None:
        running = self._worker is not None
        has_frame = self._frame is not None
        self.start_button.setText("Stop" if running else "Start")
        self.source_picker.setEnabled(not running)
        self.freeze_button.setEnabled(running and has_frame)
        self.snapshot_button.setEnabled(has_frame)
        self.send_button.setEnabled(has_frame)

    def _update_info(self) -> None:
        parts = []
        if self._info is not None and self._worker is not None:
            parts.append(f"{self._info.name} · {self._info.width}×{self._info.height}")
            if self._frame is not None and self._frame.fps:
                parts.append(f"{self._frame.fps:.0f} fps")
            if self._result is not None and self._result.rate and not self._frozen:
                parts.append(f"recognising {self._result.rate:.0f}/s")
        if self._recognizer is None:
            parts.append("waiting for the model…")
        elif self._frozen:
            parts.append("frozen")
        self.info_label.setText(" · ".join(parts))

