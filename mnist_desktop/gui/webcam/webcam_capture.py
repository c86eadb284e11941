"""Capture-thread and frame helpers of the Webcam tab: stopping a worker without hanging the
GUI, saving a frame as PNG and cutting out the guide box."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import cv2
import numpy as np

from mnist_desktop.gui.common.settings import app_settings
from mnist_desktop.gui.webcam.camera_worker import CameraWorker, Roi, roi_pixels

log = logging.getLogger("mnist_desktop.gui.webcam.webcam_tab")

STOP_WAIT_S = 3.0
_STUCK: list[CameraWorker] = []


def stop_worker(worker: CameraWorker) -> None:
    """Ask ``worker`` to stop and wait up to STOP_WAIT_S; a thread still busy then (a stuck
    camera driver) is kept referenced here until it ends, never terminated."""
    worker.request_stop()
    if not worker.wait(STOP_WAIT_S):
        log.warning("the capture thread of %s is still busy; leaving it to finish",
                    worker.source)
        _STUCK.append(worker)  # released in the GUI thread once its thread has ended


def release_stopped_workers() -> None:
    """Drop the references to stuck workers whose threads have ended since."""
    _STUCK[:] = [w for w in _STUCK if w.is_alive()]


def suggested_snapshot_path() -> str:
    """A timestamped PNG name in the folder of the last snapshot (the home folder at first)."""
    folder = str(app_settings().value("webcam/snapshot_dir", str(Path.home())))
    return str(Path(folder) / time.strftime("webcam-%Y%m%d-%H%M%S.png"))


def remember_snapshot_dir(path: str) -> None:
    """The next snapshot dialog starts in the folder of ``path``."""
    app_settings().setValue("webcam/snapshot_dir", str(Path(path).parent))


def png_path(path: str) -> str:
    """``path`` with a ``.png`` suffix added when it has none."""
    return path if path.lower().endswith(".png") else path + ".png"


def write_png(image: np.ndarray, path: str) -> None:
    """Save ``image`` (as OpenCV gives it) as PNG; raises OSError when that fails."""
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise OSError("PNG encoding failed")
    data.tofile(path)


def crop_guide_box(image: np.ndarray, roi: Roi) -> np.ndarray:
    """A copy of the part of ``image`` inside the guide box ``roi`` (fractions of the frame)."""
    x, y, w, h = roi_pixels(roi, image.shape[1], image.shape[0])
    return np.array(image[y : y + h, x : x + w], copy=True)
