"""The Batch tab: read every image of a folder into a sortable, filterable, exportable table.

The work is done by the same engine as ``mnist-desktop classify`` (``batch.BatchRun``) on a
worker thread; rows arrive a chunk at a time, the progress bar shows rate and ETA, Cancel
keeps the rows done so far, and Export writes with the command line's writer.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.batch import (
    BatchItem,
    BatchOptions,
    BatchProgress,
    BatchRun,
    load_for_batch,
    write_items,
)
from mnist_desktop.gui.batch.batch_accuracy import BatchAccuracy
from mnist_desktop.gui.batch.batch_dialogs import choose_batch_folder, export_with_dialog
from mnist_desktop.gui.batch.batch_model import FILTERS, BatchFilterProxy, BatchTableModel
from mnist_desktop.gui.batch.batch_view import (
    THUMBNAIL_SIZE,
    make_hint,
    make_table_view,
    progress_line,
)
from mnist_desktop.gui.common.drops import local_paths
from mnist_desktop.gui.common.recognition_worker import RecognitionWorker
from mnist_desktop.gui.common.settings import app_settings, read_bool, write_bool
from mnist_desktop.gui.common.widgets import hbox, push_button
from mnist_desktop.gui.common.worker import Worker
from mnist_desktop.io import ImageLoadError

if TYPE_CHECKING:
    import numpy as np

    from mnist_desktop.reading import Reader
    from mnist_desktop.results import Reading


def _preview(recognizer: Reader, path: str, multi: bool) -> Reading:
    """Worker side: the full result for one row, for the result panel (loaded as the batch
    engine loads it, so the panel agrees with the row)."""
    image, _ = load_for_batch(path, True)  # the size the batch reads any picture at
    return recognizer.read_as(image, "number" if multi else "auto")


class BatchTab(QWidget):
    """Signals: ``resultReady``, ``statusMessage``, ``openImageRequested(str)`` and
    ``runFinished(object)`` (the final BatchProgress, also after Cancel)."""

    resultReady = Signal(object)
    statusMessage = Signal(str)
    openImageRequested = Signal(str)
    runFinished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recognizer: Reader | None = None
        self._worker: Worker | None = None
        self._run: BatchRun | None = None
        self._pending: tuple[list[str], bool] | None = None
        self._paths: list[str] = []
        self._recursive = False
        self._multi_run = False
        self.last_progress: BatchProgress | None = None
        self.model = BatchTableModel(self)
        self.proxy = BatchFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.preview = RecognitionWorker(self)
        self.preview.resultReady.connect(self.resultReady)
        self.preview.failed.connect(self.statusMessage)
        self.timer = QTimer(self)
        self.timer.setInterval(200)
        self.timer.timeout.connect(self._show_progress)
        self._build()
        self.setAcceptDrops(True)
        self._update_controls()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        settings = app_settings()
        self.choose_button = push_button("Choose folder…", "", self.choose_folder, self)
        self.folder_label = QLabel("No folder chosen", self)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recursive_box = QCheckBox("Include sub-folders", self)
        self.recursive_box.setChecked(read_bool(settings, "batch/recursive", True))
        self.multi_box = QCheckBox("Read whole numbers", self)
        self.multi_box.setToolTip("Read every digit of each image as a number, not one digit")
        self.multi_box.setChecked(read_bool(settings, "batch/multi", False))
        self.rerun_button = push_button(
            "Run again", "Read the same files again (after changing the options)", self.rerun, self)
        self.cancel_button = push_button(
            "Cancel", "Stop; the rows done so far are kept", self.cancel, self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(False)
        self.progress_label = QLabel("", self)
        self.filter_box = QComboBox(self)
        self.filter_box.addItems(list(FILTERS))
        self.filter_box.currentTextChanged.connect(self._filter_changed)
        self.count_label = QLabel("", self)
        self.export_button = push_button(
            "Export…", "Save the rows shown as CSV, JSON or JSON Lines", self.export_dialog, self)
        self.hint = make_hint(self)
        self.view = make_table_view(self, self.proxy)
        self.view.doubleClicked.connect(self._open_row)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        layout = QVBoxLayout(self)
        layout.addLayout(hbox(self.choose_button, self.folder_label, None, self.recursive_box,
                              self.multi_box, self.rerun_button, self.cancel_button))
        layout.addLayout(hbox((self.progress_bar, 1), (self.progress_label, 1)))
        layout.addLayout(hbox(QLabel("Show:", self), self.filter_box, (self.count_label, 1),
                              self.export_button))
        self.accuracy = BatchAccuracy(self)
        layout.addWidget(self.accuracy)
        layout.addWidget(self.hint, 1)  # the room below the controls, not gaps between them
        layout.addWidget(self.view, 1)

    # --- tab contract ---------------------------------------------------------------------
    def set_recognizer(self, recognizer: Reader | None) -> None:
        self._recognizer = recognizer
        if recognizer is not None and self._pending is not None and self._worker is None:
            self._start_pending()
        self._update_controls()

    def shutdown(self) -> None:
        """Stop the run (rows kept) and wait for the worker threads to end."""
        self._pending = None
        self.timer.stop()
        self.preview.shutdown()
        if self._worker is not None:
            self._worker.request_stop()
            self._worker.wait()

    def start_folder(self, path: str, recursive: bool) -> None:
        """Read every image in ``path`` (and its sub-folders when ``recursive``)."""
        self.recursive_box.setChecked(recursive)
        self.start_paths([path], recursive)

    def start_paths(self, paths: list[str], recursive: bool | None = None) -> None:
        """Read these files and folders; a run in progress is stopped first."""
        if recursive is None:
            recursive = self.recursive_box.isChecked()
        self._pending = ([os.fspath(p) for p in paths], recursive)
        if self._worker is not None:
            self._worker.request_stop()
            self.progress_label.setText("Stopping the current run…")
        elif self._recognizer is None:
            self._show_paths(self._pending[0])
            self.progress_label.setText("Waiting for the model to load…")
        else:
            self._start_pending()

    # --- state ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None

    @property
    def rows(self) -> list[BatchItem]:
        """Every row of the last run, in the run's order."""
        return list(self.model.items)

    def read_folder(self) -> str | None:
        """The folder the rows come from (a file's folder when files were read)."""
        if not self._paths:
            return None
        first = self._paths[0]
        return first if os.path.isdir(first) else os.path.dirname(os.path.abspath(first))

    def visible_rows(self) -> list[BatchItem]:
        """The rows the filter shows, in the run's order."""
        statuses = self.proxy.statuses
        return [i for i in self.model.items if statuses is None or i.status in statuses]

    def set_filter(self, name: str) -> None:
        """Choose one of ``batch_model.FILTERS`` by name."""
        self.filter_box.setCurrentText(name)

    # --- running ----------------------------------------------------------------------------
    def choose_folder(self) -> None:
        path = choose_batch_folder(self, "Read every image in a folder")
        if path:
            self.start_folder(path, self.recursive_box.isChecked())

    def rerun(self) -> None:
        if self._paths:
            self.start_paths(self._paths, self.recursive_box.isChecked())

    def cancel(self) -> None:
        """Stop the run; the rows done so far stay in the table."""
        if self._worker is not None:
            self._pending = None
            self._worker.request_stop()
            self.progress_label.setText("Cancelling…")

    def _start_pending(self) -> None:
        assert self._pending is not None and self._recognizer is not None
        paths, recursive = self._pending
        self._pending = None
        self._paths, self._recursive = paths, recursive
        self._multi_run = self.multi_box.isChecked()
        settings = app_settings()
        write_bool(settings, "batch/recursive", recursive)
        write_bool(settings, "batch/multi", self._multi_run)
        self._show_paths(paths)
        self.model.clear()
        self.accuracy.start(paths, self._multi_run)
        self.resultReady.emit(None)
        options = BatchOptions(recursive=recursive, multi=self._multi_run, chunk_size=128,
                               chunk_seconds=0.25, thumbnail_size=THUMBNAIL_SIZE)
        run = BatchRun(self._recognizer, paths, options)
        worker = Worker(lambda _stop: run.chunks(), name="batch", on_stop=run.cancel,
                        parent=self)
        worker.yielded.connect(self._add_rows)
        worker.errored.connect(self._run_failed)
        worker.finished.connect(self._run_finished)
        self._worker, self._run = worker, run
        self.last_progress = None
        self.progress_bar.setRange(0, 0)
        self.progress_label.setText("Listing files…")
        self.statusMessage.emit(f"Reading {self.folder_label.text()}…")
        worker.start()
        self.timer.start()
        self._update_controls()

    def _show_paths(self, paths: list[str]) -> None:
        name = paths[0] if len(paths) == 1 else f"{len(paths)} files and folders"
        self.folder_label.setText(name)
        self.folder_label.setToolTip("\n".join(paths[:20]))

    def _add_rows(self, chunk: tuple[BatchItem, ...]) -> None:
        self.model.append(chunk)
        self.accuracy.add(chunk)
        self._update_count()

    def _show_progress(self) -> None:
        if self._run is None:
            return
        progress = self._run.progress()
        if progress.total:
            self.progress_bar.setRange(0, progress.total)
            self.progress_bar.setValue(min(progress.done, progress.total))
        self.progress_label.setText(progress_line(progress))

    def _run_failed(self, error: str) -> None:
        QMessageBox.warning(self, "Batch stopped", f"The batch run stopped: {error}")

    def _run_finished(self) -> None:
        worker, run = self._worker, self._run
        self._worker = self._run = None
        self.timer.stop()
        if worker is not None and run is not None:
            worker.wait()
            progress = run.progress()
            self.last_progress = progress
            self.progress_bar.setRange(0, max(1, progress.total or progress.done))
            self.progress_bar.setValue(progress.done)
            self.progress_label.setText(progress.summary())
            self.statusMessage.emit(progress.summary())
            worker.deleteLater()
            self.runFinished.emit(progress)
        if self._pending is not None and self._recognizer is not None:
            self._start_pending()
        self._update_controls()

    def _update_controls(self) -> None:
        running = self._worker is not None
        self.cancel_button.setEnabled(running)
        self.rerun_button.setEnabled(bool(self._paths) and not running
                                     and self._recognizer is not None)
        self.export_button.setEnabled(bool(self.model.items) and not running)
        empty = not self.model.items and not running
        # no lone empty bar before the first run (or while waiting for the model)
        self.progress_bar.setVisible(running or self.last_progress is not None)
        self.hint.setVisible(empty)
        self.view.setVisible(not empty)
        self._update_count()

    def _update_count(self) -> None:
        total = len(self.model.items)
        shown = self.proxy.rowCount()
        self.count_label.setText(f"{shown:,} rows" if shown == total
                                 else f"{shown:,} of {total:,} rows")
        if total and self.hint.isVisible():
            self.hint.hide()
            self.view.show()

    def _filter_changed(self, name: str) -> None:
        self.proxy.set_statuses(FILTERS.get(name))
        self._update_count()

    # --- rows -------------------------------------------------------------------------------
    def _item_at(self, index: QModelIndex) -> BatchItem | None:
        if not index.isValid():
            return None
        return self.model.items[self.proxy.mapToSource(index).row()]

    def _open_row(self, index: QModelIndex) -> None:
        item = self._item_at(index)
        if item is None:
            return
        if os.path.isfile(item.path):
            self.openImageRequested.emit(item.path)
        else:
            self.statusMessage.emit(f"{item.path}: {item.message or 'not a file'}")

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        item = self._item_at(indexes[0]) if indexes else None
        if item is None:
            return
        if item.message:
            self.statusMessage.emit(f"{os.path.basename(item.path)}: {item.message}")
        recognizer = self._recognizer
        if item.status == "error" or recognizer is None:
            self.resultReady.emit(None)
            return
        multi, path = self._multi_run, item.path
        self.preview.submit(lambda: _preview(recognizer, path, multi))

    def highlight_digit(self, index: int) -> None:
        """The table shows no boxes; nothing to single out."""

    def correction_picture(self) -> np.ndarray | None:
        """The selected row's picture, loaded as the panel's result was (None: no row)."""
        item = self._item_at(self.view.currentIndex())
        if item is None or item.status == "error":
            return None
        try:
            return load_for_batch(item.path, self._multi_run)[0]
        except ImageLoadError:
            return None

    # --- export -----------------------------------------------------------------------------
    def export_to(self, path: str, fmt: str | None = None) -> int:
        """Write the rows the filter shows (run order) with the command line's writer."""
        return write_items(path, self.visible_rows(), fmt, multi=self._multi_run)  # type: ignore[arg-type]

    def export_dialog(self) -> None:
        """Ask where to save the rows shown, write them and say so in the status bar."""
        message = export_with_dialog(self, len(self.visible_rows()), self.export_to,
                                     self.read_folder())
        if message:
            self.statusMessage.emit(message)

    # --- drag and drop ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if local_paths(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = local_paths(event.mimeData())
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and os.path.isdir(paths[0]):
            self.start_folder(paths[0], self.recursive_box.isChecked())
        else:
            self.start_paths(paths)
