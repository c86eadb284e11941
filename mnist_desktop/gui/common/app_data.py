"""The app-data folder (samples, personal models, the log) and the log file.

``$MNIST_DESKTOP_DATA_DIR`` overrides the folder (tests, portable installs); otherwise it is
Qt's ``AppDataLocation`` (``~/.local/share/mnist-desktop/MNIST Desktop`` on Linux).

:func:`setup_logging` is called once when the app starts: every ``logging`` record of level
INFO and above (the core modules use ``logging.getLogger(__name__)``) goes to a rotating
``mnist-desktop.log`` in that folder, so a bug that a broad ``except`` turns into a message
for the user keeps its traceback somewhere.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

DATA_DIR_ENV = "MNIST_DESKTOP_DATA_DIR"
LOG_NAME = "mnist-desktop.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 3

_log = logging.getLogger(__name__)


def data_folder() -> Path:
    """Where the user's samples, personal model and log live (``$MNIST_DESKTOP_DATA_DIR``,
    else ``QStandardPaths.AppDataLocation``)."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location or os.path.expanduser("~/.mnist-desktop"))


def log_path() -> Path:
    return data_folder() / LOG_NAME


def setup_logging(path: Path | None = None) -> Path | None:
    """Send log records to a rotating file (idempotent); returns its path, or None when the
    folder cannot be written (then nothing is logged to a file, and the app still runs)."""
    path = path or log_path()
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "mnist_desktop_log", None) == str(path):
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.mnist_desktop_log = str(path)  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    _log.info("mnist-desktop started; log at %s", path)
    return path
