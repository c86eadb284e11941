"""The Webcam tab's widgets and texts: source row, preview, message row and action row."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QVBoxLayout, QWidget

from mnist_desktop.gui.common.settings import app_settings, read_bool, write_bool
from mnist_desktop.gui.common.widgets import hbox, push_button
from mnist_desktop.gui.webcam.camera_worker import DEFAULT_ROI, CameraFrame, FrameResult
from mnist_desktop.gui.webcam.source_picker import SourcePicker
from mnist_desktop.gui.webcam.webcam_preview import WebcamPreview
from mnist_desktop.io import SourceInfo

IDLE_TEXT = ("Pick a camera, or type a video file or a stream URL (a phone \"IP camera\" app), "
             "then press Start.\n\nHold a handwritten digit inside the guide box.")
ERROR_STYLE = "color: #c62828; font-weight: bold;"


@dataclass(frozen=True)
class WebcamControls:
    """The tab's widgets, built but not connected: the tab wires them to its own slots."""

    source_picker: SourcePicker
    start_button: QPushButton
    preview: WebcamPreview
    message_label: QLabel
    info_label: QLabel
    number_box: QCheckBox
    freeze_button: QPushButton
    snapshot_button: QPushButton
    send_button: QPushButton

    def lay_out(self, parent: QWidget) -> None:
        """Source row, preview, message row and action row, top to bottom, on ``parent``."""
        layout = QVBoxLayout(parent)
        layout.addLayout(hbox(QLabel("Source:"), (self.source_picker, 1), self.start_button))
        layout.addWidget(self.preview, 1)
        layout.addLayout(hbox((self.message_label, 1), (self.info_label, 1)))
        layout.addLayout(hbox(self.number_box, self.freeze_button, self.snapshot_button,
                              self.send_button, None))


def build_controls() -> WebcamControls:
    """Every widget of the Webcam tab with its texts and tooltips, the preview idle."""
    preview = WebcamPreview()
    preview.set_placeholder(IDLE_TEXT)
    message_label = QLabel()
    message_label.setWordWrap(True)
    message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    info_label = QLabel()
    info_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    info_label.setWordWrap(True)  # a narrow window wraps the line instead of cutting it
    info_label.setToolTip("Frames per second delivered by the source, and how many "
                          "of them are recognised per second")
    number_box = QCheckBox("&Number")
    number_box.setToolTip("Read every digit in the guide box as one number, "
                          "instead of a single digit")
    freeze_button = push_button("Freeze", "Hold the current frame (Space); move the guide box "
                                      "on it to recognise another part")
    freeze_button.setCheckable(True)
    return WebcamControls(
        source_picker=SourcePicker(),
        start_button=push_button("Start", "Start or stop the camera (F5)"),
        preview=preview,
        message_label=message_label,
        info_label=info_label,
        number_box=number_box,
        freeze_button=freeze_button,
        snapshot_button=push_button("Snapshot…",
                                "Save the current frame as a PNG image (Ctrl+Shift+S)"),
        send_button=push_button("Send to Image tab", "Open what is inside the guide box in the "
                            "Image tab, with every pipeline step (Ctrl+Shift+I)"),
    )


def fps_text(frame: CameraFrame | None) -> str:
    """``"25 fps"``, or "" before the source reports a rate."""
    return f"{frame.fps:.0f} fps" if frame is not None and frame.fps else ""


def info_text(info: SourceInfo | None, frame: CameraFrame | None, result: FrameResult | None,
              *, frozen: bool, has_model: bool) -> str:
    """The line right of the message: source, size, rates and whether it waits or is frozen
    (``info`` is None while nothing runs)."""
    parts = []
    if info is not None:
        parts.append(f"{info.name} · {info.width}×{info.height}")
        if fps_text(frame):
            parts.append(fps_text(frame))
        if result is not None and result.rate and not frozen:
            parts.append(f"recognising {result.rate:.0f}/s")
    if not has_model:
        parts.append("waiting for the model…")
    elif frozen:
        parts.append("frozen")
    return " · ".join(parts)


def restore_settings(preview: WebcamPreview, number_box: QCheckBox) -> None:
    """Put back the guide box and the number mode saved by :func:`save_settings`."""
    settings = app_settings()
    roi = settings.value("webcam/roi", None)
    try:
        preview.set_roi(tuple(float(v) for v in roi) if roi else DEFAULT_ROI)
    except (TypeError, ValueError):
        preview.set_roi(DEFAULT_ROI)
    number_box.setChecked(read_bool(settings, "webcam/number_mode", False))


def save_settings(preview: WebcamPreview, number_box: QCheckBox) -> None:
    """Remember the guide box and the number mode for the next start."""
    settings = app_settings()
    settings.setValue("webcam/roi", list(preview.roi()))
    write_bool(settings, "webcam/number_mode", number_box.isChecked())
