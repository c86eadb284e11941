"""Teach on a :class:`~mnist_desktop.gui.common.worker.Worker`: ``training.teach`` off the GUI
thread, with progress and Cancel.

The worker never touches a widget: it emits frozen dataclasses (``TeachProgress``,
``TeachResult``) and strings. ``cancel()`` only sets the stop event that the fine-tuning
loop reads between steps; ``shutdown()`` sets it and waits. The training code is imported
on the worker, when a teach starts: the window itself never loads it.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from mnist_desktop.gui.common.worker import Worker
from mnist_desktop.reading import TeachOptions, TeachResult

CANCELLED = "cancelled"


def _teach(samples_dir: Path, output: Path, base_model: str | None, options: TeachOptions,
           worker: Worker, stop: threading.Event) -> TeachResult | str:
    """Worker side: teach, or ``CANCELLED``; errors are raised with the user's message."""
    from mnist_desktop.io import LabelledSetError, read_labelled
    from mnist_desktop.reading import TeachError
    from mnist_desktop.training.finetune import FinetuneCancelled
    from mnist_desktop.training.teach import teach

    try:
        labelled = read_labelled(samples_dir)
        return teach(labelled, output, base_model=base_model, options=options,
                     progress=worker.report, should_stop=stop.is_set)
    except FinetuneCancelled:
        return CANCELLED
    except (TeachError, LabelledSetError):
        raise
    except Exception as error:  # TensorFlow's own errors, memory...
        raise RuntimeError(f"teaching failed: {type(error).__name__}: {error}") from error


class TeachWorker(QObject):
    """Runs one teach at a time. Signals: ``progress(TeachProgress)``,
    ``finished(TeachResult)``, ``failed(str)``, ``cancelled()``, then ``ended()``;
    ``running`` says if busy."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()  # the worker is gone: a new teach may start

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: Worker | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_running()

    def start(self, samples_dir: Path, output: Path, base_model: str | None = None,
              options: TeachOptions | None = None) -> bool:
        """Start teaching (False when a teach is already running)."""
        if self._worker is not None:
            return False
        chosen = options or TeachOptions()
        worker = Worker(lambda stop: _teach(samples_dir, output, base_model, chosen, worker,
                                            stop), name="teach", parent=self)
        worker.progress.connect(self.progress)
        worker.returned.connect(self._returned)
        worker.errored.connect(self.failed)
        worker.finished.connect(self._ended)
        self._worker = worker
        worker.start()
        return True

    def cancel(self) -> None:
        """Ask the running teach to stop after the current step (returns at once)."""
        if self._worker is not None:
            self._worker.request_stop()

    def shutdown(self) -> None:
        """Stop and wait for the worker (the window is closing)."""
        if self._worker is not None:
            self._worker.request_stop()
            self._worker.wait()

    def _returned(self, result: object) -> None:
        if result == CANCELLED:
            self.cancelled.emit()
        else:
            self.finished.emit(result)

    def _ended(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.wait()
            worker.deleteLater()
        self.ended.emit()
