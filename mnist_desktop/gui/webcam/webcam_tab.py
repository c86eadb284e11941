"""The Webcam tab: recognise digits live from a camera, a video file or a network stream.

Capture and recognition run in a :class:`~mnist_desktop.gui.webcam.camera_worker.CameraWorker`
(see its docstring for the thread design); this widget only shows what the worker emits.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QWidget

from mnist_desktop.gui.common.settings import app_settings, write_bool
from mnist_desktop.gui.webcam.camera_worker import (
    CameraFrame,
    CameraWorker,
    CaptureStopped,
    FrameResult,
    Roi,
    clamp_roi,
)
from mnist_desktop.gui.webcam.webcam_capture import (
    crop_guide_box,
    png_path,
    release_stopped_workers,
    remember_snapshot_dir,
    stop_worker,
    suggested_snapshot_path,
    write_png,
)
from mnist_desktop.gui.webcam.webcam_controls import (
    ERROR_STYLE,
    IDLE_TEXT,
    build_controls,
    fps_text,
    info_text,
    restore_settings,
    save_settings,
)
from mnist_desktop.io import SourceInfo, describe, parse_source

if TYPE_CHECKING:
    import numpy as np

    from mnist_desktop.reading import Reader

PANEL_INTERVAL_S = 0.1


class WebcamTab(QWidget):
    """Live recognition from a camera, video file or stream, with a movable guide box."""

    resultReady = Signal(object)  # Recognition | NumberReading | None (smoothed)
    statusMessage = Signal(str)
    sendToImage = Signal(object, str)  # BGR image, name

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recognizer: Reader | None = None
        self._worker: CameraWorker | None = None
        self._info: SourceInfo | None = None
        self._frame: CameraFrame | None = None
        self._result: FrameResult | None = None
        self._frozen = False
        self._panel_label, self._panel_at = "", 0.0
        self._panel_sent: FrameResult | None = None
        self._source_text = ""
        self._build()
        self._update_controls()

    # -- building -----------------------------------------------------------------------------
    def _build(self) -> None:
        controls = build_controls()
        self.source_picker, self.start_button = controls.source_picker, controls.start_button
        self.preview, self.number_box = controls.preview, controls.number_box
        self.message_label, self.info_label = controls.message_label, controls.info_label
        self.freeze_button, self.snapshot_button = controls.freeze_button, controls.snapshot_button
        self.send_button = controls.send_button
        controls.lay_out(self)
        self.source_picker.activated.connect(self.start)
        self.start_button.clicked.connect(self._toggle_running)
        self.preview.roiChanged.connect(self._roi_changed)
        self.number_box.toggled.connect(self._number_toggled)
        self.freeze_button.toggled.connect(self.set_frozen)
        self.snapshot_button.clicked.connect(lambda: self.save_snapshot())
        self.send_button.clicked.connect(lambda: self.send_to_image())
        for keys, slot in (("Space", self.freeze_button.toggle), ("F5", self._toggle_running),
                           ("Ctrl+Shift+S", lambda: self.save_snapshot()),
                           ("Ctrl+Shift+I", self.send_to_image)):
            QShortcut(QKeySequence(keys), self, slot)
        restore_settings(self.preview, self.number_box)

    # -- public API -------------------------------------------------------------------------------
    def set_recognizer(self, recognizer: Reader | None) -> None:
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
        release_stopped_workers()
        text = self.source_text()
        try:
            source = parse_source(text)
        except ValueError as error:
            self._show_message(str(error), error=True)
            return
        self._source_text = text  # remembered once it opens
        self.set_frozen(False)
        self._frame = self._result = self._info = None
        self._panel_sent = None
        self.preview.set_frame(None)
        self.preview.set_result(None)
        self.preview.set_placeholder(f"Opening {describe(source)}…")
        self.resultReady.emit(None)
        worker = CameraWorker(source, recognizer=self._recognizer, roi=self.preview.roi(),
                              mode="number" if self.number_box.isChecked() else "digit")
        worker.opened.connect(self._on_opened)
        worker.frameReady.connect(self._on_frame)
        worker.resultReady.connect(self._on_result)
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
        save_settings(self.preview, self.number_box)

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
        return "" if self._worker is None else fps_text(self._frame)

    def save_snapshot(self, path: str | None = None) -> str | None:
        """Save the current frame as PNG (asks where when ``path`` is None); returns the path."""
        if self._frame is None:
            self._show_message("No frame to save yet: press Start first.", error=True)
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Save frame", suggested_snapshot_path(),
                                                  "PNG image (*.png)")
            if not path:
                return None
            remember_snapshot_dir(path)
        path = png_path(path)
        try:
            write_png(self._frame.image, path)
        except OSError as error:
            self._show_message(f"Could not save {path}: {error}", error=True)
            return None
        self._show_message(f"Saved the frame to {path}")
        return path

    def send_to_image(self) -> None:
        """Emit ``sendToImage`` with what is inside the guide box of the current frame."""
        crop = self.guide_box_picture()
        if crop is None:
            self._show_message("No frame yet: press Start first.", error=True)
            return
        self.sendToImage.emit(crop, f"webcam frame {self._frame.index + 1} (guide box)")

    def guide_box_picture(self) -> np.ndarray | None:
        """What is inside the guide box of the frame on screen, or None."""
        return None if self._frame is None else crop_guide_box(self._frame.image,
                                                               self.preview.roi())

    def correction_picture(self) -> np.ndarray | None:
        """The picture the answer in the result panel was read from: the guide box of the
        frame that was read (live, the newest frame may already show something else)."""
        sent = self._panel_sent
        if sent is not None and sent.picture is not None:
            return sent.picture
        return self.guide_box_picture()

    def highlight_digit(self, index: int) -> None:
        """The preview draws every digit's box; nothing to single out."""

    # -- worker signals ---------------------------------------------------------------------------
    def _is_current(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @Slot(object)
    def _on_opened(self, info: SourceInfo) -> None:
        if not self._is_current():
            return
        self._info = info
        self.source_picker.remember(self._source_text)
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
    def _on_notice(self, message: str) -> None:
        if self._is_current():
            self._show_message(message, error=True)

    @Slot(object)
    def _on_stopped(self, stopped: CaptureStopped) -> None:
        if not self._is_current():
            return
        opened = self._info is not None
        self._end_run(self._worker)
        if stopped.reason == "error" and not opened:
            self.source_picker.forget(self._source_text)
        self._show_message(stopped.message, error=stopped.reason == "error")

    # -- internals -----------------------------------------------------------------------------
    def _end_run(self, worker: CameraWorker) -> None:
        stop_worker(worker)
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
        write_bool(app_settings(), "webcam/number_mode", on)

    def _show_message(self, text: str, error: bool = False) -> None:
        """The line under the preview; news also goes to the status bar, a problem is said
        once, in red, in the tab (not on the preview, and not again in the status bar)."""
        self.message_label.setStyleSheet(ERROR_STYLE if error else "")
        self.message_label.setText(text)
        self.statusMessage.emit("" if error else text)

    def _update_controls(self) -> None:
        running = self._worker is not None
        has_frame = self._frame is not None
        self.start_button.setText("Stop" if running else "Start")
        self.source_picker.setEnabled(not running)
        self.freeze_button.setEnabled(running and has_frame)
        self.snapshot_button.setEnabled(has_frame)
        self.send_button.setEnabled(has_frame)

    def _update_info(self) -> None:
        info = self._info if self._worker is not None else None
        self.info_label.setText(info_text(info, self._frame, self._result, frozen=self._frozen,
                                          has_model=self._recognizer is not None))

