"""What a drop or a paste holds: local files and folders, or image data."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QMimeData, QUrl

from mnist_desktop.gui.common.qt_image import qimage_to_array


def local_paths(mime: QMimeData) -> list[str]:
    """The local files and folders among the URLs (remote URLs are ignored)."""
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]


def pasted_paths(mime: QMimeData) -> list[str]:
    """:func:`local_paths`, else an existing path (or ``file:`` URL) on the text's first line."""
    paths = local_paths(mime)
    if not paths and mime.hasText():
        text = mime.text().strip().splitlines()[0] if mime.text().strip() else ""
        candidate = QUrl(text).toLocalFile() if text.startswith("file:") else text
        paths = [candidate] if candidate and os.path.exists(candidate) else []
    return paths


def mime_image(mime: QMimeData) -> np.ndarray | None:
    """The image data (as a numpy array, like OpenCV gives), or None when there is none."""
    if not mime.hasImage():
        return None
    image = mime.imageData()
    if image is None or image.isNull():
        return None
    return qimage_to_array(image)
