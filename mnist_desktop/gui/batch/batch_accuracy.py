"""The Batch tab's accuracy line, shown when the folder read is labelled.

A folder of sub-folders ``0``…``9`` (or one holding ``labels.csv``) is scored as its rows
arrive (``evaluation.Scorer``, the same counting as ``mnist-desktop evaluate``);
*Confusion matrix…* shows the 10x10 table, rows = true digit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.batch import EvalReport, Scorer, format_report
from mnist_desktop.io import LabelledSetError, is_labelled_folder, read_labelled


class ConfusionDialog(QDialog):
    """The confusion matrix of a report: counts, right answers in green, mix-ups in red."""

    def __init__(self, report: EvalReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Confusion matrix")
        self.table = QTableWidget(10, 10, self)
        self.table.setHorizontalHeaderLabels([f"read {d}" for d in range(10)])
        self.table.setVerticalHeaderLabels([f"true {d}" for d in range(10)])
        worst = max([1] + [report.confusion[t][p] for t in range(10) for p in range(10)
                           if t != p])
        for t in range(10):
            for p in range(10):
                count = report.confusion[t][p]
                item = QTableWidgetItem(str(count) if count else "")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if t == p:
                    item.setBackground(QBrush(QColor("#c8e6c9")))
                elif count:
                    strength = 60 + int(150 * count / worst)
                    item.setBackground(QBrush(QColor(255, 255 - strength, 255 - strength)))
                self.table.setItem(t, p, item)
        self.table.resizeColumnsToContents()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        text = QLabel(format_report(report).split("\n")[0], self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.rejected.connect(self.reject)  # Close, Esc
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.table)
        layout.addWidget(self.buttons)
        self.resize(720, 460)


class BatchAccuracy(QWidget):
    """Hidden unless the run is over one labelled folder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scorer: Scorer | None = None
        self.label = QLabel(self)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.matrix_button = QPushButton("Confusion matrix…", self)
        self.matrix_button.setToolTip("Which digits were read as which (rows: the true digit)")
        self.matrix_button.clicked.connect(self.show_matrix)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.matrix_button)
        self.hide()

    def start(self, paths: list[str], multi: bool) -> None:
        self.scorer = None
        if len(paths) == 1 and not multi and is_labelled_folder(paths[0]):
            try:
                found = read_labelled(paths[0])
            except LabelledSetError:
                found = None
            if found is not None:
                self.scorer = Scorer({i.path: i.label for i in found.items})
        self.setVisible(self.scorer is not None)
        self._update()

    def add(self, chunk: tuple) -> None:
        if self.scorer is not None:
            self.scorer.add_items(chunk)
            self._update()

    def report(self) -> EvalReport | None:
        return None if self.scorer is None else self.scorer.report()

    def _update(self) -> None:
        report = self.report()
        if report is None:
            return
        if not report.count:
            self.label.setText("Labelled folder: accuracy appears as the pictures are read "
                               "(tick Include sub-folders for digit folders)")
            self.matrix_button.setEnabled(False)
            return
        text = (f"Labelled folder: <b>accuracy {report.accuracy:.2%}</b> "
                f"({report.correct:,} of {report.count:,} right)")
        worst = report.worst_confusions(2)
        if worst:
            text += " · most often " + ", ".join(f"{t} read as {p} ({c}×)" for t, p, c in worst)
        self.label.setText(text)
        self.matrix_button.setEnabled(True)

    def show_matrix(self) -> ConfusionDialog | None:
        report = self.report()
        if report is None:
            return None
        dialog = ConfusionDialog(report, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog
