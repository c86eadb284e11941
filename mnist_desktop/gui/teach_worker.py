"""Teach on a worker thread: ``teach.teach`` off the GUI thread, with progress and Cancel.

The worker never touches a widget: it emits frozen dataclasses (``TeachProgress``,
``TeachResult``) and strings. ``cancel()`` only sets a flag that the fine-tuning loop reads
every step; the thread then ends by itself (``finished``), nobody sleeps or terminates.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from mnist_desktop.teach import TeachOptions


class _TeachThread(QThread):
    progress = Signal(object)  # TeachProgress
    succeeded = Signal(object)  # TeachResult
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, samples_dir: Path, output: Path, base_model: str | None,
                 options: TeachOptions, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.samples_dir, self.output = samples_dir, output
        self.base_model, self.options = base_model, options
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            from mnist_desktop.labelled import LabelledSetError, read_labelled
            from mnist_desktop.teach import TeachError, teach
            from mnist_desktop.training.finetune import FinetuneCancelled

            labelled = read_labelled(self.samples_dir)
            result = teach(labelled, self.output, base_model=self.base_model,
                           options=self.options, progress=self.progress.emit,
                           should_stop=self.stop.is_set)
        except FinetuneCancelled:
            self.cancelled.emit()
        except (TeachError, LabelledSetError) as error:
            self.failed.emit(str(error))
        except Exception as error:  # noqa: BLE001 - TensorFlow's own errors, memory...
            self.failed.emit(f"teaching failed: {type(error).__name__}: {error}")
        else:
            self.succeeded.emit(result)


class TeachWorker(QObject):
    """Runs one teach at a time. Signals: ``progress(TeachProgress)``,
    ``finished(TeachResult)``, ``failed(str)``, ``cancelled()``, then ``ended()``;
    ``running`` says if busy."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    ended = Signal()  # the thread is gone: a new teach may start

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: _TeachThread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self, samples_dir: Path, output: Path, base_model: str | None = None,
              options: TeachOptions | None = None) -> bool:
        """Start teaching (False when a teach is already running)."""
        if self._thread is not None:
            return False
        thread = _TeachThread(samples_dir, output, base_model, options or TeachOptions(), self)
        thread.progress.connect(self.progress)
        thread.succeeded.connect(self.finished)
        thread.failed.connect(self.failed)
        thread.cancelled.connect(self.cancelled)
        thread.finished.connect(self._ended)
        self._thread = thread
        thread.start()
        return True

    def cancel(self) -> None:
        """Ask the running teach to stop after the current step (returns at once)."""
        if self._thread is not None:
            self._thread.stop.set()

    def shutdown(self) -> None:
        """Stop and wait for the thread (the window is closing)."""
        if self._thread is not None:
            self._thread.stop.set()
            self._thread.wait()

    @Slot()
    def _ended(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.deleteLater()
        self.ended.emit()
