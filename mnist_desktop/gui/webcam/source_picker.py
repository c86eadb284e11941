"""The Webcam tab's source picker: cameras found on this machine, recent files and URLs, and
free text, remembered in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QSizePolicy, QToolButton, QWidget

from mnist_desktop.gui.common.settings import app_settings, read_list
from mnist_desktop.io import VIDEO_EXTENSIONS, available_cameras, parse_source

RECENT_SOURCES = 6
EXAMPLE_URL = "http://192.168.1.20:8080/video"


class SourcePicker(QWidget):
    """An editable list of sources plus a "Video file…" button; Enter emits ``activated``."""

    activated = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.setMinimumContentsLength(16)
        self.combo.lineEdit().setPlaceholderText("Camera number, video file or stream URL")
        self.combo.lineEdit().returnPressed.connect(self.activated)
        self.browse_button = QToolButton(text="Video file…")
        self.browse_button.setToolTip("Play a video file instead of a camera")
        self.browse_button.clicked.connect(self.browse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo, 1)
        layout.addWidget(self.browse_button)
        self._fill()

    def _fill(self) -> None:
        settings = app_settings()
        for index, name in available_cameras():
            self.combo.addItem(f"Camera {index} — {name}" if name else f"Camera {index}")
        found = "No camera found. " if self.combo.count() == 0 else "A camera, or "
        self.combo.setToolTip(f"{found}type a video file or the URL of a stream, e.g. a phone "
                              f"\"IP camera\" app: {EXAMPLE_URL}")
        for text in read_list(settings, "webcam/recent_sources"):
            if self.combo.findText(text) < 0:
                self.combo.addItem(text)
        last = str(settings.value("webcam/source", "") or "")
        if last:
            self.combo.setEditText(last)

    def text(self) -> str:
        return self.combo.currentText().strip()

    def set_text(self, text: str) -> None:
        self.combo.setEditText(str(text))

    def remember(self, text: str) -> None:
        """Make ``text`` the remembered source; files and URLs also go into the recent list."""
        settings = app_settings()
        settings.setValue("webcam/source", text)
        if isinstance(parse_source(text), int):
            return
        recent = [text] + [t for t in read_list(settings, "webcam/recent_sources")
                           if t != text]
        settings.setValue("webcam/recent_sources", recent[:RECENT_SOURCES])
        if self.combo.findText(text) < 0:
            self.combo.addItem(text)
        self.combo.setEditText(text)

    def forget(self, text: str) -> None:
        """Take a source that could not be opened out of the recent list."""
        settings = app_settings()
        recent = read_list(settings, "webcam/recent_sources")
        if text in recent:
            settings.setValue("webcam/recent_sources", [t for t in recent if t != text])
        if str(settings.value("webcam/source", "") or "") == text:
            settings.setValue("webcam/source", "")
        index = self.combo.findText(text)
        if index >= 0 and not isinstance(parse_source(text), int):
            self.combo.removeItem(index)
        self.combo.setEditText(text)  # still there to be fixed and tried again

    def browse(self) -> None:
        settings = app_settings()
        folder = str(settings.value("webcam/video_dir", str(Path.home())))
        patterns = " ".join(f"*{ext}" for ext in VIDEO_EXTENSIONS)
        path, _ = QFileDialog.getOpenFileName(self, "Play a video file", folder,
                                              f"Videos ({patterns});;All files (*)")
        if path:
            settings.setValue("webcam/video_dir", str(Path(path).parent))
            self.set_text(path)

