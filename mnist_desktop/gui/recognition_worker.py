"""Run recognition jobs off the GUI thread; the newest request wins.

A tab hands ``RecognitionWorker.submit`` a function; the worker thread runs it and the result
comes back through ``resultReady`` on the GUI thread. A request submitted while another waits
replaces it, and results of requests that were overtaken are dropped, so a fast stream of
requests (a stroke being drawn, a user opening photo after photo) never builds up a queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

if TYPE_CHECKING:
    import numpy as np

    from mnist_desktop.recognizer import Recognizer
    from mnist_desktop.results import NumberReading, Recognition


def recognize_auto(recognizer: Recognizer, image: np.ndarray) -> Recognition | NumberReading:
    """The number when ``image`` holds several digits, otherwise the single digit's result
    (one pass: the core decides)."""
    return recognizer.read_auto(image)


class _Thread(QThread):
    done = Signal(int, object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.condition = threading.Condition()
        self.pending: tuple[int, Callable[[], Any]] | None = None
        self.stopping = False

    def run(self) -> None:
        while True:
            with self.condition:
                while self.pending is None and not self.stopping:
                    self.condition.wait()
                if self.stopping:
                    return
                request, job = self.pending  # type: ignore[misc]
                self.pending = None
            try:
                result, error = job(), ""
            except Exception as exc:  # a job failing must not kill the thread
                result, error = None, str(exc) or type(exc).__name__
            self.done.emit(request, result, error)


class RecognitionWorker(QObject):
    """One background thread running the newest submitted job.

    Signals (always delivered on the GUI thread, only for the newest request):
    ``resultReady(object)`` with the job's return value, ``failed(str)`` with the error text,
    ``busyChanged(bool)``.
    """

    resultReady = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = _Thread(self)
        self._thread.done.connect(self._deliver)
        self._latest = 0
        self._busy = False
        self._closed = False

    @property
    def busy(self) -> bool:
        """True from a submit until the newest request's answer is delivered."""
        return self._busy

    def submit(self, job: Callable[[], Any]) -> int:
        """Run ``job()`` in the background, replacing any job still waiting; returns its id."""
        if self._closed:
            return self._latest
        self._latest += 1
        with self._thread.condition:
            self._thread.pending = (self._latest, job)
            self._thread.condition.notify()
        if not self._thread.isRunning():
            self._thread.start()
        self._set_busy(True)
        return self._latest

    def cancel(self) -> None:
        """Forget waiting and running requests: their answers will be dropped."""
        self._latest += 1
        with self._thread.condition:
            self._thread.pending = None
        self._set_busy(False)

    def shutdown(self) -> None:
        """Stop the thread and wait for a running job to end (never terminates it)."""
        self._closed = True
        with self._thread.condition:
            self._thread.stopping = True
            self._thread.pending = None
            self._thread.condition.notify()
        self._thread.wait()
        self._set_busy(False)

    @Slot(int, object, str)
    def _deliver(self, request: int, result: object, error: str) -> None:
        if request != self._latest or self._closed:
            return
        self._set_busy(False)
        if error:
            self.failed.emit(error)
        else:
            self.resultReady.emit(result)

    def _set_busy(self, busy: bool) -> None:
        if busy != self._busy:
            self._busy = busy
            self.busyChanged.emit(busy)
