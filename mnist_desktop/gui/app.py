"""Start the desktop app: window first, model in the background.

Nothing heavy (TensorFlow, the recognizer) is imported before the window is on screen; the
model loads in a worker thread and the status bar goes from "Loading…" to "Ready".

``--quit-when-ready`` (or ``MNIST_DESKTOP_QUIT_WHEN_READY=1``) quits once the model is loaded
or has failed, printing ``window-shown <epoch seconds>`` and ``model-ready <epoch> <summary>``
(or ``model-failed <epoch> <reason>``) to stdout: start-up tests and benchmarks use it.
Exit code 0 when the model is ready, 3 when it failed.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from mnist_desktop.gui.common.settings import APPLICATION, ORGANIZATION

QUIT_ENV = "MNIST_DESKTOP_QUIT_WHEN_READY"
EXIT_MODEL_FAILED = 3


@dataclass(frozen=True)
class WindowOptions:
    """What the command line asks of the window (parsed by ``mnist_desktop.cli``)."""

    model: str | None = None
    """A .keras model file to use instead of the bundled one."""
    quit_when_ready: bool = False
    """Quit as soon as the model is loaded (start-up tests, benchmarks)."""
    open_path: str | None = None
    """An image to show in the Image tab, or a folder to read in the Batch tab."""


def _report(line: str) -> None:
    print(line, flush=True)


class _FirstPaint(QObject):
    """Calls ``callback`` once, when a widget of ``window`` first paints (it is on screen)."""

    def __init__(self, window: QWidget, callback) -> None:  # noqa: ANN001
        super().__init__()
        self._window = window
        self._callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (self._callback is not None and event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget) and watched.window() is self._window):
            callback, self._callback = self._callback, None
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(0, callback)
        return False


def _application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    if existing is not None:
        return existing  # type: ignore[return-value]
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QApplication.setOrganizationName(ORGANIZATION)
    QApplication.setApplicationName(APPLICATION)
    QApplication.setApplicationDisplayName(APPLICATION)
    QApplication.setDesktopFileName("mnist-desktop")
    return QApplication([sys.argv[0] if sys.argv else "mnist-desktop", *argv])


def run_app(options: WindowOptions, qt_argv: Sequence[str] = ()) -> int:
    """Open the main window and run the event loop; returns the exit code. ``qt_argv``
    are the command-line options left for Qt."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    quit_when_ready = options.quit_when_ready or os.environ.get(QUIT_ENV, "") not in ("", "0")
    owns_process = QApplication.instance() is None  # not inside a test's QApplication
    app = _application(qt_argv)
    from mnist_desktop.gui.common.app_data import setup_logging
    from mnist_desktop.gui.common.icons import app_icon
    from mnist_desktop.gui.main_window import MainWindow

    setup_logging()
    app.setWindowIcon(app_icon())
    window = MainWindow(model_path=options.model)
    window.exit_process_on_close = owns_process
    if options.open_path:
        window.open_path(options.open_path)
    exit_code = {"value": 0}

    def shown() -> None:
        if quit_when_ready:
            _report(f"window-shown {time.time():.6f}")
        window.start()

    def ready(recognizer) -> None:  # noqa: ANN001
        if quit_when_ready:
            _report(f"model-ready {time.time():.6f} {recognizer.info.summary}")
            _report(f"closing {time.time():.6f}")
            window.close()

    def failed(error: str) -> None:
        if quit_when_ready:
            _report(f"model-failed {time.time():.6f} {error}")
            exit_code["value"] = EXIT_MODEL_FAILED
            window.close()

    window.modelReady.connect(ready)
    window.modelFailed.connect(failed)
    first_paint = _FirstPaint(window, shown)
    app.installEventFilter(first_paint)
    window.show()
    code = app.exec()
    window.shutdown()
    code = exit_code["value"] or code
    if owns_process:
        _end_process(code)
    return code


def _end_process(code: int) -> None:
    """End now: the window is closed, its threads stopped and the settings written. Python's
    own teardown (TensorFlow's and Keras's modules, ~2 s) would only delay Quit."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

