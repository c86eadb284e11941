"""Run recognition jobs off the GUI thread; the newest request wins.

A tab hands ``RecognitionWorker.submit`` a function; a
:class:`~mnist_desktop.gui.common.worker.Worker` runs it and the result comes back through
``resultReady`` on the GUI thread. A request submitted while another waits replaces it in
the :class:`~mnist_desktop.gui.common.worker.Mailbox`, and results of requests that were
overtaken are dropped, so a fast stream of requests (a stroke being drawn, a user opening
photo after photo) never builds up a queue.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Signal

from mnist_desktop.gui.common.worker import Mailbox, Worker, describe_error

Job = Callable[[], Any]
_log = logging.getLogger(__name__)


class RecognitionWorker(QObject):
    """One background worker running the newest submitted job.

    Signals (always delivered on the GUI thread, only for the newest request):
    ``resultReady(object)`` with the job's return value, ``failed(str)`` with the error text,
    ``busyChanged(bool)``.
    """

    resultReady = Signal(object)
    failed = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._mailbox: Mailbox[tuple[int, Job]] = Mailbox()
        self.worker = Worker(self._serve, name="recognition", on_stop=self._mailbox.close,
                             parent=self)
        self.worker.yielded.connect(self._deliver)
        self._latest = 0
        self._busy = False
        self._closed = False

    @property
    def busy(self) -> bool:
        """True from a submit until the newest request's answer is delivered."""
        return self._busy

    def submit(self, job: Job) -> int:
        """Run ``job()`` in the background, replacing any job still waiting; returns its id."""
        if self._closed:
            return self._latest
        self._latest += 1
        self._mailbox.put((self._latest, job))
        if not self.worker.is_running() and not self.worker.stopping:
            self.worker.start()
        self._set_busy(True)
        return self._latest

    def cancel(self) -> None:
        """Forget waiting and running requests: their answers will be dropped."""
        self._latest += 1
        self._mailbox.clear()
        self._set_busy(False)

    def shutdown(self) -> None:
        """Stop the worker and wait for a running job to end (never terminates it)."""
        self._closed = True
        self.worker.request_stop()
        self.worker.wait()
        self._set_busy(False)

    def _serve(self, stop: threading.Event) -> Iterator[tuple[int, Any, str]]:
        """Worker side: take the newest job, run it, yield (request, result, error)."""
        while not stop.is_set():
            item = self._mailbox.take()
            if item is None:
                return
            request, job = item
            try:
                answer: tuple[int, Any, str] = (request, job(), "")
            except Exception as exc:  # noqa: BLE001 - a failing job must not end the worker
                _log.error("recognition failed", exc_info=exc)
                answer = (request, None, describe_error(exc))
            yield answer

    def _deliver(self, answer: tuple[int, Any, str]) -> None:
        request, result, error = answer
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
