"""Load the Recognizer (TensorFlow + the model file) off the GUI thread.

Importing TensorFlow and tracing the model take seconds; the window is already on screen
and usable meanwhile. A newer load request supersedes older ones: only its answer counts.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, Signal, Slot


class _LoadThread(QThread):
    done = Signal(int, object, str, float)  # generation, recognizer or None, error, seconds

    def __init__(self, generation: int, path: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.generation = generation
        self.path = path

    def run(self) -> None:
        start = time.perf_counter()
        try:
            from mnist_desktop.model_file import ModelError
            from mnist_desktop.recognizer import Recognizer
        except Exception as exc:  # TensorFlow missing or broken install
            self.done.emit(self.generation, None, f"could not start the recognizer: {exc}", 0.0)
            return
        try:
            recognizer = Recognizer.load(self.path)
        except ModelError as exc:
            self.done.emit(self.generation, None, str(exc), time.perf_counter() - start)
        except Exception as exc:  # anything else Keras/TensorFlow may throw
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.done.emit(self.generation, None, f"could not load the model: {reason}",
                           time.perf_counter() - start)
        else:
            self.done.emit(self.generation, recognizer, "", time.perf_counter() - start)
            _ = recognizer.line_model  # the number reader's model, loaded while nobody waits


class ModelLoader(QObject):
    """Loads models in background threads.

    Signals: ``loading(str)`` (the path, "" for the bundled model), ``loaded(object, float)``
    (the Recognizer and the seconds it took), ``failed(str)`` (what is wrong, user-readable).
    """

    loading = Signal(str)
    loaded = Signal(object, float)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._threads: list[_LoadThread] = []

    @property
    def busy(self) -> bool:
        return any(thread.isRunning() for thread in self._threads)

    def load(self, path: str | None = None) -> None:
        """Start loading ``path`` (the bundled model when None)."""
        self._generation += 1
        thread = _LoadThread(self._generation, path, self)
        thread.done.connect(self._finish)
        thread.finished.connect(lambda t=thread: self._forget(t))
        self._threads.append(thread)
        self.loading.emit(path or "")
        thread.start()

    def shutdown(self) -> None:
        """Wait for loads in progress (a model load cannot be interrupted safely)."""
        self._generation += 1  # their answers no longer matter
        for thread in list(self._threads):
            thread.wait()
        self._threads.clear()

    @Slot(int, object, str, float)
    def _finish(self, generation: int, recognizer: object, error: str, seconds: float) -> None:
        if generation != self._generation:
            return
        if recognizer is None:
            self.failed.emit(error)
        else:
            self.loaded.emit(recognizer, seconds)

    def _forget(self, thread: _LoadThread) -> None:
        if thread in self._threads and not thread.isRunning():
            self._threads.remove(thread)
            thread.deleteLater()
