"""The Batch tab: read every image of a folder into a sortable, filterable, exportable table.

The work is done by the same engine as ``mnist-desktop classify`` (``batch.BatchRun``) on a
worker thread; rows arrive a chunk at a time, the progress bar shows rate and ETA, Cancel
keeps the rows done so far, and Export writes with the command line's writer.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.batch import BatchItem, BatchOptions, BatchProgress, BatchRun, load_for_batch
from mnist_desktop.batch_output import OutputError, write_items
from mnist_desktop.gui.batch_model import (
    CONFIDENCE,
    FILE,
    FILTERS,
    MESSAGE,
    PREDICTION,
    STATUS,
    THUMB,
    BatchFilterProxy,
    BatchTableModel,
    BatchWorker,
)
from mnist_desktop.gui.recognition_worker import RecognitionWorker
from mnist_desktop.gui.settings import app_settings
from mnist_desktop.progress_bar import format_duration

if TYPE_CHECKING:
    from mnist_desktop.recognizer import Recognizer

THUMBNAIL_SIZE = 32
EXPORT_FILTERS = {"CSV (*.csv)": ".csv", "JSON (*.json)": ".json", "JSON Lines (*.jsonl)": ".jsonl"}
HINT = ("Choose a folder, or drop a folder or some images here.\n"
        "Every image is read; sort by any column, filter the rows that need a look, "
        "double-click a row to open it in the Image tab, and export the table as CSV or JSON.")


def progress_line(progress: BatchProgress) -> str:
    """``1,234 / 5,000 · 812 files/s · about 0:05 left`` (or the summary when finished)."""
    if progress.finished:
        return progress.summary()
    done = f"{progress.done:,} / {progress.total:,}" if progress.total else f"{progress.done:,}"
    line = f"{done} files · {progress.rate:,.0f} files/s"
    if progress.eta is not None and progress.done:
        line += f" · about {format_duration(progress.eta)} left"
    return line


def _preview(recognizer: Recognizer, path: str, multi: bool) -> Any:
    """Worker side: the full result for one row, for the result panel (loaded as the batch
    engine loads it, so the panel agrees with the row)."""
    image, _ = load_for_batch(path, multi)
    return recognizer.read(image) if multi else recognizer.recognize(image)


class BatchTab(QWidget):
    """Signals: ``resultReady``, ``statusMessage``, ``openImageRequested(str)`` and
    ``runFinished(object)`` (the final BatchProgress, also after Cancel)."""

    resultReady = Signal(object)
    statusMessage = Signal(str)
    openImageRequested = Signal(str)
    runFinished = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recognizer: Recognizer | None = None
        self._worker: BatchWorker | None = None
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
        self.choose_button = QPushButton("Choose folder…", self)
        self.choose_button.clicked.connect(self.choose_folder)
        self.folder_label = QLabel("No folder chosen", self)
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.recursive_box = QCheckBox("Include sub-folders", self)
        self.recursive_box.setChecked(settings.value("batch/recursive", "true") == "true")
        self.multi_box = QCheckBox("Read whole numbers", self)
        self.multi_box.setToolTip("Read every digit of each image as a number, not one digit")
        self.multi_box.setChecked(settings.value("batch/multi", "false") == "true")
        self.rerun_button = QPushButton("Run again", self)
        self.rerun_button.setToolTip("Read the same files again (after changing the options)")
        self.rerun_button.clicked.connect(self.rerun)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop; the rows done so far are kept")
        self.cancel_button.clicked.connect(self.cancel)
        top = QHBoxLayout()
        for widget in (self.choose_button, self.folder_label):
            top.addWidget(widget)
        top.addStretch(1)
        for widget in (self.recursive_box, self.multi_box, self.rerun_button, self.cancel_button):
            top.addWidget(widget)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setTextVisible(False)
        self.progress_label = QLabel("", self)
        progress = QHBoxLayout()
        progress.addWidget(self.progress_bar, 1)
        progress.addWidget(self.progress_label, 1)
        self.filter_box = QComboBox(self)
        self.filter_box.addItems(list(FILTERS))
        self.filter_box.currentTextChanged.connect(self._filter_changed)
        self.count_label = QLabel("", self)
        self.export_button = QPushButton("Export…", self)
        self.export_button.setToolTip("Save the rows shown as CSV, JSON or JSON Lines")
        self.export_button.clicked.connect(self.export_dialog)
        tools = QHBoxLayout()
        tools.addWidget(QLabel("Show:", self))
        tools.addWidget(self.filter_box)
        tools.addWidget(self.count_label, 1)
        tools.addWidget(self.export_button)
        self.hint = QLabel(HINT, self)
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setStyleSheet("color: palette(mid); padding: 24px;")
        self.view = self._make_view()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(progress)
        layout.addLayout(tools)
        layout.addWidget(self.hint)
        layout.addWidget(self.view, 1)

    def _make_view(self) -> QTableView:
        view = QTableView(self)
        view.setModel(self.proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(THUMB, Qt.SortOrder.AscendingOrder)  # the run's order
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        view.setWordWrap(False)
        view.verticalHeader().hide()
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(THUMBNAIL_SIZE + 6)
        header = view.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in ((THUMB, THUMBNAIL_SIZE + 12), (FILE, 220), (PREDICTION, 90),
                              (CONFIDENCE, 90), (STATUS, 80), (MESSAGE, 200)):
            view.setColumnWidth(column, width)
        view.doubleClicked.connect(self._open_row)
        view.selectionModel().selectionChanged.connect(self._selection_changed)
        return view

    # --- tab contract ---------------------------------------------------------------------
    def set_recognizer(self, recognizer: Recognizer | None) -> None:
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
            self._worker.stop()
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
            self._worker.stop()
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

    def visible_rows(self) -> list[BatchItem]:
        """The rows the filter shows, in the run's order."""
        statuses = self.proxy.statuses
        return [i for i in self.model.items if statuses is None or i.status in statuses]

    def set_filter(self, name: str) -> None:
        """Choose one of ``batch_model.FILTERS`` by name."""
        self.filter_box.setCurrentText(name)

    # --- running ----------------------------------------------------------------------------
    def choose_folder(self) -> None:
        settings = app_settings()
        start = str(settings.value("batch/last_dir", os.path.expanduser("~")))
        path = QFileDialog.getExistingDirectory(self, "Read every image in a folder", start)
        if path:
            settings.setValue("batch/last_dir", path)
            self.start_folder(path, self.recursive_box.isChecked())

    def rerun(self) -> None:
        if self._paths:
            self.start_paths(self._paths, self.recursive_box.isChecked())

    def cancel(self) -> None:
        """Stop the run; the rows done so far stay in the table."""
        if self._worker is not None:
            self._pending = None
            self._worker.stop()
            self.progress_label.setText("Cancelling…")

    def _start_pending(self) -> None:
        assert self._pending is not None and self._recognizer is not None
        paths, recursive = self._pending
        self._pending = None
        self._paths, self._recursive = paths, recursive
        self._multi_run = self.multi_box.isChecked()
        settings = app_settings()
        settings.setValue("batch/recursive", "true" if recursive else "false")
        settings.setValue("batch/multi", "true" if self._multi_run else "false")
        self._show_paths(paths)
        self.model.clear()
        self.resultReady.emit(None)
        options = BatchOptions(recursive=recursive, multi=self._multi_run, chunk_size=128,
                               chunk_seconds=0.25, thumbnail_size=THUMBNAIL_SIZE)
        worker = BatchWorker(BatchRun(self._recognizer, paths, options), self)
        worker.rowsReady.connect(self._add_rows)
        worker.failed.connect(self._run_failed)
        worker.finished.connect(self._run_finished)
        self._worker = worker
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
        self._update_count()

    def _show_progress(self) -> None:
        if self._worker is None:
            return
        progress = self._worker.batch.progress()
        if progress.total:
            self.progress_bar.setRange(0, progress.total)
            self.progress_bar.setValue(min(progress.done, progress.total))
        self.progress_label.setText(progress_line(progress))

    def _run_failed(self, error: str) -> None:
        QMessageBox.warning(self, "Batch stopped", f"The batch run stopped: {error}")

    def _run_finished(self) -> None:
        worker = self._worker
        self._worker = None
        self.timer.stop()
        if worker is not None:
            progress = worker.batch.progress()
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

    # --- export -----------------------------------------------------------------------------
    def export_to(self, path: str, fmt: str | None = None) -> int:
        """Write the rows the filter shows (run order) with the command line's writer."""
        return write_items(path, self.visible_rows(), fmt, multi=self._multi_run)  # type: ignore[arg-type]

    def export_dialog(self) -> None:
        rows = len(self.visible_rows())
        settings = app_settings()
        start = str(settings.value("batch/export_dir", os.path.expanduser("~")))
        suggested = os.path.join(start, "digits.csv")
        path, chosen = QFileDialog.getSaveFileName(
            self, f"Export {rows:,} rows", suggested, ";;".join(EXPORT_FILTERS))
        if not path:
            return
        if not os.path.splitext(path)[1]:
            path += EXPORT_FILTERS.get(chosen, ".csv")
        try:
            written = self.export_to(path)
        except (OutputError, OSError) as error:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}: {error}")
            return
        settings.setValue("batch/export_dir", os.path.dirname(path))
        self.statusMessage.emit(f"Exported {written:,} rows to {path}")

    # --- drag and drop ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if not paths:
            return
        event.acceptProposedAction()
        if len(paths) == 1 and os.path.isdir(paths[0]):
            self.start_folder(paths[0], self.recursive_box.isChecked())
        else:
            self.start_paths(paths)
