"""Opening things in the main window: files, folders, drops anywhere on it and pastes.

A folder goes to the Batch tab, an image file or image data to the Image tab. ``OpensFiles``
is mixed into ``MainWindow`` (before ``QMainWindow``, so its drag and drop handlers are
the window's); it needs the window's ``tabs``, ``image_tab``, ``batch_tab`` and status bar.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent, QGuiApplication

from mnist_desktop.gui.batch.batch_dialogs import choose_batch_folder
from mnist_desktop.gui.common.drops import mime_image, pasted_paths
from mnist_desktop.gui.common.settings import app_settings, read_bool

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar, QTabWidget

    from mnist_desktop.gui.batch.batch_tab import BatchTab
    from mnist_desktop.gui.image.image_tab import ImageTab


class OpensFiles:
    """The window's ways of opening files, folders, drops and pastes."""

    tabs: QTabWidget
    image_tab: ImageTab
    batch_tab: BatchTab

    if TYPE_CHECKING:
        def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name

    def open_path(self, path: str) -> None:
        """A folder in the Batch tab, anything else in the Image tab (the command line)."""
        if os.path.isdir(path):
            self.open_folder(path)
        else:
            self.open_image(path)

    def open_image(self, path: str) -> None:
        self.tabs.setCurrentWidget(self.image_tab)
        self.image_tab.open_path(path)

    def _open_array_in_image_tab(self, image: Any, name: str) -> None:
        self.tabs.setCurrentWidget(self.image_tab)
        self.image_tab.open_array(image, name)

    def open_image_dialog(self) -> None:
        self.tabs.setCurrentWidget(self.image_tab)
        self.image_tab.open_dialog()

    def open_folder(self, path: str) -> None:
        self.tabs.setCurrentWidget(self.batch_tab)
        recursive = read_bool(app_settings(), "batch/recursive", True)
        self.batch_tab.start_folder(path, recursive)

    def open_folder_dialog(self) -> None:
        path = choose_batch_folder(self, "Open folder")
        if path:
            self.open_folder(path)

    def open_mime(self, mime: QMimeData) -> bool:
        """Open what was dropped or pasted: a folder, an image file or image data."""
        paths = pasted_paths(mime)
        if paths:
            if os.path.isdir(paths[0]):
                self.open_folder(paths[0])
            else:
                self.open_image(paths[0])
                if len(paths) > 1:
                    self.statusBar().showMessage(f"Opened the first of {len(paths)} files – "
                                                 "use File → Open folder… to read many", 8000)
            return True
        image = mime_image(mime)
        if image is not None:
            self._open_array_in_image_tab(image, "pasted image")
            return True
        return False

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not self.open_mime(mime):
            self.statusBar().showMessage("The clipboard holds no image or image file", 6000)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasImage():
            event.acceptProposedAction()
            self.image_tab.view.set_drag_active(True)
            self.statusBar().showMessage("Drop to open: a folder goes to Batch, an image to "
                                         "Image", 4000)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.image_tab.view.set_drag_active(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.image_tab.view.set_drag_active(False)
        if self.open_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            self.statusBar().showMessage("Nothing that can be opened was dropped", 6000)
