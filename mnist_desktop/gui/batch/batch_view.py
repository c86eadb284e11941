"""Widgets and texts of the Batch tab: the results table, the empty-tab hint, the progress line."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QSize, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QWidget

from mnist_desktop.batch import BatchProgress, format_duration
from mnist_desktop.gui.batch.batch_model import CONFIDENCE, FILE, MESSAGE, PREDICTION, STATUS, THUMB

THUMBNAIL_SIZE = 32
HINT = ("Choose a folder, or drop a folder or some images here.\n"
        "Every image is read; sort by any column, filter the rows that need a look, "
        "double-click a row to open it in the Image tab, and export the table as CSV or JSON.")
COLUMN_WIDTHS = ((THUMB, THUMBNAIL_SIZE + 12), (FILE, 220), (PREDICTION, 90),
                 (CONFIDENCE, 90), (STATUS, 80), (MESSAGE, 200))


def progress_line(progress: BatchProgress) -> str:
    """``1,234 / 5,000 · 812 files/s · about 0:05 left`` (or the summary when finished)."""
    if progress.finished:
        return progress.summary()
    done = f"{progress.done:,} / {progress.total:,}" if progress.total else f"{progress.done:,}"
    line = f"{done} files · {progress.rate:,.0f} files/s"
    if progress.eta is not None and progress.done:
        line += f" · about {format_duration(progress.eta)} left"
    return line


def make_hint(parent: QWidget) -> QLabel:
    """The centred explanation shown instead of the table while there are no rows."""
    hint = QLabel(HINT, parent)
    hint.setWordWrap(True)
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    hint.setStyleSheet("color: palette(mid); padding: 24px;")
    return hint


def make_table_view(parent: QWidget, model: QAbstractItemModel) -> QTableView:
    """A read-only, sortable, single-row-selection table with thumbnail-high rows, in run order."""
    view = QTableView(parent)
    view.setModel(model)
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
    view.horizontalHeader().setStretchLastSection(True)
    for column, width in COLUMN_WIDTHS:
        view.setColumnWidth(column, width)
    return view
