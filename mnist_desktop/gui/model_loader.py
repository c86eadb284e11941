"""Load the Recognizer (the digit model and the line model) off the GUI thread.

The shipped models run on LiteRT (no TensorFlow): both load in a fraction of a second, and
the window is on screen and usable meanwhile. A model file without a TFLite twin is read
with Keras, which imports TensorFlow (seconds). A newer load request supersedes older
ones: only its answer counts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal

from mnist_desktop.gui.common.worker import Worker


class LoadFailed(Exception):
    """Why a model could not be loaded, in words for the user."""


def _load(path: str | None, _stop: threading.Event) -> Iterator[tuple[Any, float]]:
    """Worker side: yields (recognizer, seconds) once the digit model and the number
    reader's line model are both loaded."""
    start = time.perf_counter()
    try:
        from mnist_desktop.reading import ModelError, Recognizer
    except Exception as exc:  # TensorFlow missing or broken install
        raise LoadFailed(f"could not start the recognizer: {exc}") from exc
    try:
        recognizer = Recognizer.load(path)
    except ModelError as exc:
        raise LoadFailed(str(exc)) from exc
    except Exception as exc:  # anything else Keras/TensorFlow may throw
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LoadFailed(f"could not load the model: {reason}") from exc
    _ = recognizer.line_model  # ready means ready to read numbers too
    yield recognizer, time.perf_counter() - start


class ModelLoader(QObject):
    """Loads models on workers.

    Signals: ``loading(str)`` (the path, "" for the bundled model), ``loaded(object, float)``
    (the Recognizer and the seconds it took), ``failed(str)`` (what is wrong, user-readable).
    """

    loading = Signal(str)
    loaded = Signal(object, float)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._workers: list[Worker] = []

    @property
    def busy(self) -> bool:
        return any(worker.is_running() for worker in self._workers)

    def load(self, path: str | None = None) -> None:
        """Start loading ``path`` (the bundled model when None)."""
        self._generation += 1
        generation = self._generation
        worker = Worker(lambda stop: _load(path, stop), name="model-load", parent=self)
        worker.yielded.connect(lambda answer, g=generation: self._finish(g, *answer))
        worker.errored.connect(lambda error, g=generation: self._fail(g, error))
        worker.finished.connect(lambda w=worker: self._forget(w))
        self._workers.append(worker)
        self.loading.emit(path or "")
        worker.start()

    def shutdown(self, timeout: float | None = None) -> None:
        """Wait for loads in progress (a model load cannot be interrupted safely); with a
        ``timeout``, at most that long in all: the app is about to end the process, and the
        loader's daemon thread ends with it."""
        self._generation += 1  # their answers no longer matter
        deadline = None if timeout is None else time.monotonic() + timeout
        for worker in list(self._workers):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            worker.wait(left)
        self._workers = [worker for worker in self._workers if worker.is_running()]

    def _finish(self, generation: int, recognizer: object, seconds: float) -> None:
        if generation == self._generation:
            self.loaded.emit(recognizer, seconds)

    def _fail(self, generation: int, error: str) -> None:
        if generation == self._generation:
            self.failed.emit(error)

    def _forget(self, worker: Worker) -> None:
        if worker in self._workers:
            worker.wait()
            self._workers.remove(worker)
            worker.deleteLater()
