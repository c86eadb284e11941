"""The Batch tab's table: a model of BatchItem rows, a sort/filter proxy and the worker thread.

Rows arrive in chunks and are appended with one insert per chunk, so 10,000+ rows stay
fast; thumbnails are made by the batch engine on its pool and turned into QImages lazily,
only for the rows that are painted.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QImage

from mnist_desktop.batch import BatchItem
from mnist_desktop.gui.common.qt_image import array_to_qimage
from mnist_desktop.gui.common.text import percent

COLUMNS = ("", "File", "Prediction", "Confidence", "Status", "Message")
THUMB, FILE, PREDICTION, CONFIDENCE, STATUS, MESSAGE = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ITEM_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_TEXT = {"ok": "ok", "unsure": "unsure", "no_digit": "no digit", "error": "error"}
STATUS_COLOURS = {"unsure": "#fff4d6", "no_digit": "#eef1f5", "error": "#fdecea"}
FILTERS: dict[str, frozenset[str] | None] = {
    "All rows": None,
    "Needs a look (unsure, no digit, error)": frozenset({"unsure", "no_digit", "error"}),
    "Unsure": frozenset({"unsure"}),
    "No digit": frozenset({"no_digit"}),
    "Errors": frozenset({"error"}),
}
_Index = QModelIndex | QPersistentModelIndex


class BatchTableModel(QAbstractTableModel):
    """The rows of a run, in the order the engine produced them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: list[BatchItem] = []
        self._thumbs: dict[int, QImage] = {}
        self._brushes = {k: QBrush(QColor(v)) for k, v in STATUS_COLOURS.items()}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.items[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(item, column)
        if role == SORT_ROLE:
            return self._sort_key(item, column)
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DecorationRole and column == THUMB:
            return self._thumbnail(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.path if column in (THUMB, FILE) else item.message or None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brushes.get(item.status)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (PREDICTION, CONFIDENCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(item: BatchItem, column: int) -> str | None:
        if column == FILE:
            return os.path.basename(item.path.rstrip("/\\")) or item.path
        if column == PREDICTION:
            return item.prediction
        if column == CONFIDENCE:
            return "" if item.confidence is None else percent(item.confidence)
        if column == STATUS:
            return STATUS_TEXT[item.status]
        if column == MESSAGE:
            return item.message
        return None

    @staticmethod
    def _sort_key(item: BatchItem, column: int) -> Any:
        if column == FILE:
            return os.path.basename(item.path).lower()
        if column == PREDICTION:
            return item.prediction
        if column == CONFIDENCE:
            return -1.0 if item.confidence is None else item.confidence
        if column == STATUS:
            return ("ok", "unsure", "no_digit", "error").index(item.status)
        if column == MESSAGE:
            return item.message
        return item.index

    def _thumbnail(self, row: int) -> QImage | None:
        image = self._thumbs.get(row)
        if image is None:
            thumb = self.items[row].thumbnail
            if thumb is None:
                return None
            image = self._thumbs[row] = array_to_qimage(thumb)
        return image

    def append(self, items: tuple[BatchItem, ...] | list[BatchItem]) -> None:
        """Add a chunk of rows with a single insert."""
        if not items:
            return
        first = len(self.items)
        self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
        self.items.extend(items)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.items = []
        self._thumbs = {}
        self.endResetModel()


class BatchFilterProxy(QSortFilterProxyModel):
    """Sorts by each column's natural key and shows only the chosen statuses."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._statuses: frozenset[str] | None = None
        self.setSortRole(SORT_ROLE)

    @property
    def statuses(self) -> frozenset[str] | None:
        return self._statuses

    def set_statuses(self, statuses: frozenset[str] | None) -> None:
        """Show only rows with these statuses (None: every row)."""
        self.beginFilterChange()
        self._statuses = statuses
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if self._statuses is None:
            return True
        model = self.sourceModel()
        return model.items[source_row].status in self._statuses  # type: ignore[attr-defined]

    def lessThan(self, left: _Index, right: _Index) -> bool:
        items = self.sourceModel().items  # type: ignore[attr-defined]
        column = left.column()
        a = BatchTableModel._sort_key(items[left.row()], column)
        b = BatchTableModel._sort_key(items[right.row()], column)
        if a == b:  # ties keep the run's order
            return left.row() < right.row()
        return a < b
