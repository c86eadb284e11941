"""Conversions between numpy images (OpenCV layout) and QImage.

QImage construction is thread-safe, so workers can prepare display images off the GUI thread.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from mnist_desktop.pipeline import to_uint8  # the pipeline's own scaling to 8 bits


def array_to_qimage(image: np.ndarray) -> QImage:
    """A QImage owning a copy of ``image`` (grey, BGR or BGRA; any dtype)."""
    array = to_uint8(np.asarray(image))
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim == 3 and array.shape[2] == 2:  # grey + alpha: drop the alpha for display
        array = array[:, :, 0]
    if array.ndim == 2:
        fmt, channels = QImage.Format.Format_Grayscale8, 1
    elif array.ndim == 3 and array.shape[2] == 3:
        fmt, channels = QImage.Format.Format_BGR888, 3
    elif array.ndim == 3 and array.shape[2] == 4:
        fmt, channels = QImage.Format.Format_ARGB32, 4  # BGRA bytes on little-endian machines
    else:
        raise ValueError(f"cannot display an array of shape {array.shape}")
    array = np.ascontiguousarray(array)
    h, w = array.shape[:2]
    view = QImage(array.data, w, h, w * channels, fmt)
    return view.copy()  # own the pixels: the numpy buffer may go away


def qimage_to_array(image: QImage) -> np.ndarray:
    """A numpy copy of ``image``: grey (H, W) for grey images, else BGRA (H, W, 4) uint8."""
    if image.isNull():
        raise ValueError("the image is empty")
    grey = image.isGrayscale() and not image.hasAlphaChannel()
    fmt = QImage.Format.Format_Grayscale8 if grey else QImage.Format.Format_ARGB32
    converted = image.convertToFormat(fmt)
    h, w, stride = converted.height(), converted.width(), converted.bytesPerLine()
    buffer = np.frombuffer(converted.constBits(), np.uint8, count=stride * h).reshape(h, stride)
    channels = 1 if grey else 4
    pixels = buffer[:, : w * channels].reshape(h, w, channels) if channels > 1 else buffer[:, :w]
    return np.array(pixels, copy=True)


def fit_for_display(image: np.ndarray, max_side: int = 2400) -> np.ndarray:
    """``image`` shrunk (area-averaged) so its longer side is at most ``max_side``."""
    h, w = image.shape[:2]
    scale = max_side / max(h, w)
    if scale >= 1.0:
        return image
    import cv2

    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return cv2.resize(to_uint8(np.asarray(image)), size, interpolation=cv2.INTER_AREA)
