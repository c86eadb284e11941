"""The GUI's one way to run work off the GUI thread (in the style of superqt's
``thread_worker``), and the newest-wins mailbox that live work feeds on.

A :class:`Worker` runs one function on a Python thread and reports through signals that
reach the GUI thread as queued calls: ``started()``, ``yielded(object)`` for each value a
generator function yields (rows of a batch, results of a stream), ``progress(object)`` for
what the function passes to :meth:`Worker.report`, ``returned(object)`` with its return
value, ``errored(str)`` with a user-readable reason, then ``finished()`` exactly once.
The function gets a :class:`threading.Event` that ``request_stop()`` sets; ``wait()``
joins. Nothing here ever terminates a thread, and a worker never touches a
widget: it only emits.

Python threads rather than QThread: a camera open or read can block inside OpenCV for
seconds; a daemon thread still stuck when the window closes can neither hang the exit nor
trigger "QThread: Destroyed while thread is still running". The model loader, recognition,
the batch run, both camera threads and teaching are all Workers.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")
_log = logging.getLogger(__name__)


def describe_error(error: BaseException) -> str:
    """An exception's text, or its type's name when it has none."""
    return str(error).strip() or type(error).__name__


class Mailbox(Generic[T]):
    """A one-item mailbox: :meth:`put` replaces what is waiting (newest wins), :meth:`take`
    blocks until there is something or the box is closed."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: T | None = None
        self._closed = False

    def put(self, item: T) -> bool:
        """Store ``item``; True when it replaced one nobody took (a dropped item)."""
        with self._cond:
            dropped = self._item is not None
            self._item = item
            self._cond.notify()
            return dropped

    def take(self, timeout: float | None = None) -> T | None:
        """The newest item, waiting for one; None once closed (or after ``timeout``)."""
        with self._cond:
            self._cond.wait_for(lambda: self._item is not None or self._closed, timeout)
            if self._closed:
                return None
            item, self._item = self._item, None
            return item

    def clear(self) -> None:
        """Drop what is waiting."""
        with self._cond:
            self._item = None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class Worker(QObject):
    """Runs ``job(stop_event)`` once on its own thread; see the module's docstring.

    ``on_stop`` is called by ``request_stop`` (from the GUI thread) to wake a job that
    waits on something else than the event (a batch run's ``cancel``, a mailbox's
    ``close``).
    """

    started = Signal()
    yielded = Signal(object)
    progress = Signal(object)
    returned = Signal(object)
    errored = Signal(str)
    finished = Signal()

    def __init__(self, job: Callable[[threading.Event], Any], *, name: str,
                 on_stop: Callable[[], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._job = job
        self._on_stop = on_stop
        self.stop_event = threading.Event()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        """Ask the job to finish; returns at once."""
        self.stop_event.set()
        if self._on_stop is not None:
            self._on_stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the job to end; True when it has (never started counts as ended)."""
        if self._thread.ident is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def is_running(self) -> bool:
        return self._thread.is_alive()

    def report(self, value: object) -> None:
        """Called by the job (on its thread): emit ``progress(value)``."""
        self._emit(self.progress, value)

    @property
    def stopping(self) -> bool:
        return self.stop_event.is_set()

    def _emit(self, signal: Any, *args: Any) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the QObject is gone (the application is shutting down)
            self.stop_event.set()

    def _main(self) -> None:
        self._emit(self.started)
        try:
            result = self._job(self.stop_event)
            if inspect.isgenerator(result):
                result = self._drain(result)
            if not self.stop_event.is_set() or result is not None:
                self._emit(self.returned, result)
        except Exception as error:  # noqa: BLE001 - reported, never a crash
            _log.error("worker %r failed", self._thread.name, exc_info=error)
            self._emit(self.errored, describe_error(error))
        finally:
            self._emit(self.finished)

    def _drain(self, generator: Any) -> Any:
        """Emit each value the generator yields; its return value (None if stopped)."""
        while True:
            try:
                value = next(generator)
            except StopIteration as done:
                return done.value
            self._emit(self.yielded, value)
            if self.stop_event.is_set():
                generator.close()
                return None
