"""The *My handwriting* tab: your samples, Teach, and your personal model.

Samples come from corrections ("Wrong? It's a …") or an imported folder; they are shown
as thumbnails per digit and can be deleted. *Teach* fine-tunes the shipped model on them
on a worker thread (progress bar, Cancel), then shows the accuracy before and after on the
samples it held back and on MNIST test digits. *Use my model* / *Back to the shipped model*
switch the window's model (remembered, so the personal model is loaded at start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.gui.common.text import plural
from mnist_desktop.gui.common.widgets import hbox, push_button
from mnist_desktop.gui.handwriting.teach_worker import TeachWorker
from mnist_desktop.io import LabelledSetError, SampleError, SampleStore
from mnist_desktop.reading import TeachOptions, TeachProgress, TeachResult, bundled_model_path

if TYPE_CHECKING:
    from mnist_desktop.reading import Reader

THUMB = 48
MAX_SHOWN = 3000
ALL_DIGITS = "All digits"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def result_text(result: TeachResult) -> str:
    """The figures a user sees after teaching (rich text)."""
    held = result.held_back
    lines = [f"Taught on {result.trained_on} samples in {result.seconds:.0f} s."]
    if held.count:
        lines.append(f"On {held.count} samples it held back: <b>{_pct(held.before)}</b> before, "
                     f"<b>{_pct(held.after)}</b> after.")
    elif result.options.holdout > 0:
        lines.append("Too few samples to hold any back (3 of a digit are needed): "
                     "no before/after figure.")
    if not held.count and result.samples_before is not None:
        lines.append(f"Before teaching, the model read <b>{_pct(result.samples_before)}</b> "
                     "of your samples; it has learnt all of them.")
    if result.mnist.count:
        lines.append(f"On {result.mnist.count} MNIST test digits (other people's writing): "
                     f"{_pct(result.mnist.before)} before, {_pct(result.mnist.after)} after.")
    if result.problems:
        lines.append(f"{len(result.problems)} sample(s) could not be used (see the tooltip).")
    return "<br>".join(lines)


class HandwritingTab(QWidget):
    """Signals ``useModelRequested(str)`` (a model path), ``shippedModelRequested()``,
    ``statusMessage(str)``, ``resultReady(object)`` (always None: the tab contract) and
    ``teachFinished(object)`` (the TeachResult, for tests and the status bar)."""

    useModelRequested = Signal(str)
    shippedModelRequested = Signal()
    statusMessage = Signal(str)
    resultReady = Signal(object)
    teachFinished = Signal(object)

    def __init__(self, store: SampleStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.options = TeachOptions()
        self.worker = TeachWorker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.worker.cancelled.connect(self._on_cancelled)
        self.worker.ended.connect(self._update_controls)
        self.last_result: TeachResult | None = None
        self._model_in_use: Path | None = None
        self._build()
        self.refresh()

    # --- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.digit_box = QComboBox(self)
        self.digit_box.addItems([ALL_DIGITS] + [str(d) for d in range(10)])
        self.digit_box.currentTextChanged.connect(lambda _t: self.refresh())
        self.import_button = push_button("Import folder…", "Copy a folder of sub-folders 0-9 "
                                         "(or a CSV path,label) in as samples",
                                         self.import_dialog, self)
        self.open_button = push_button("Show files", "Open the samples folder",
                                       self.open_folder, self)
        self.delete_button = push_button("Delete selected", "Delete the selected samples "
                                         "(Delete key)", self.delete_selected, self)
        self.list = QListWidget(self)
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMB, THUMB))
        self.list.setGridSize(QSize(THUMB + 16, THUMB + 22))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.itemSelectionChanged.connect(self._update_controls)
        self.list.setAccessibleName("Your samples")
        self.notice = QLabel(self)
        self.notice.setWordWrap(True)

        teach_box = QGroupBox("Teach it your handwriting", self)
        self.teach_button = push_button("Teach", "Fine-tune the shipped model on your "
                                        "samples (about a minute)", self.teach, self)
        self.cancel_button = push_button("Cancel", "Stop teaching; nothing is saved",
                                         self.cancel, self)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.stage = QLabel("", self)
        self.figures = QLabel(self)
        self.figures.setWordWrap(True)
        self.use_button = push_button("Use my model", "Read with your personal model "
                                      "(also at the next start)", self.use_personal, self)
        self.shipped_button = push_button("Back to the shipped model", "Read with the model "
                                          "shipped with the app", self.shippedModelRequested.emit,
                                          self)
        box = QVBoxLayout(teach_box)
        box.addLayout(hbox(self.teach_button, self.cancel_button, (self.progress, 1),
                           (self.stage, 1)))
        box.addWidget(self.figures)
        box.addLayout(hbox(self.use_button, self.shipped_button, None))

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(hbox(QLabel("Show:", self), self.digit_box, None, self.import_button,
                              self.open_button, self.delete_button))
        layout.addWidget(self.list, 1)
        layout.addWidget(self.notice)
        layout.addWidget(teach_box)

    # --- tab contract ---------------------------------------------------------------------
    def set_recognizer(self, recognizer: Reader | None) -> None:
        """Nothing to recognise here; the buttons follow the model in use (*Use my model*
        only when it is not already in use, *Back to the shipped model* likewise)."""
        path = getattr(getattr(recognizer, "info", None), "path", None)
        self._model_in_use = Path(path).resolve() if path else None
        self._update_controls()

    def shutdown(self) -> None:
        self.worker.shutdown()

    def correction_picture(self) -> None:
        """This tab shows no result to correct."""
        return None

    def highlight_digit(self, index: int) -> None:
        """No result here."""

    # --- samples ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the samples folder."""
        samples = self.store.samples()
        counts = [len(samples[d]) for d in range(10)]
        per_digit = " · ".join(f"{d}: {n}" for d, n in enumerate(counts))
        self.summary.setText(
            f"<b>{plural(sum(counts), 'sample')}</b> ({per_digit}) in {self.store.samples_dir}. "
            "Add some with <i>Wrong? It's a …</i> under any result (or keys 0-9).")
        chosen = self.digit_box.currentText()
        digits = range(10) if chosen == ALL_DIGITS else [int(chosen)]
        self.list.clear()
        shown = 0
        for digit in digits:
            for path in samples[digit]:
                if shown >= MAX_SHOWN:
                    break
                pixmap = QPixmap(str(path))
                if not pixmap.isNull():
                    pixmap = pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation)
                item = QListWidgetItem(QIcon(pixmap), str(digit))
                item.setToolTip(str(path))
                item.setData(Qt.ItemDataRole.UserRole, str(path))
                self.list.addItem(item)
                shown += 1
        self._update_controls()

    def delete_selected(self) -> int:
        """Delete the selected samples once the user says yes; returns how many."""
        paths = [item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]
        if not paths:
            return 0
        answer = QMessageBox.question(
            self, "Delete samples",
            f"Delete {plural(len(paths), 'sample')} from your handwriting? The files are "
            "removed from the samples folder; this cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return 0
        for path in paths:
            try:
                self.store.remove(path)
            except SampleError as error:
                self.statusMessage.emit(str(error))
        self.statusMessage.emit(f"Deleted {plural(len(paths), 'sample')}")
        self.refresh()
        return len(paths)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001 - QKeyEvent
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.list.hasFocus():
            self.delete_selected()
            return
        super().keyPressEvent(event)

    def import_folder(self, folder: str) -> None:
        """Copy a labelled folder in; what could not be used is listed under the samples."""
        try:
            result = self.store.import_folder(folder)
        except (LabelledSetError, SampleError, OSError) as error:
            self.notice.setText(f"<b>Nothing imported:</b> {error}")
            return
        text = f"Imported {plural(result.added, 'sample')} from {folder}"
        if result.problems:
            text += f"; {len(result.problems)} could not be used: " + "; ".join(
                result.problems[:5]) + (" …" if len(result.problems) > 5 else "")
        self.notice.setText(text)
        self.notice.setToolTip("\n".join(result.problems[:50]))
        self.statusMessage.emit(text.split(";")[0])
        self.refresh()

    def import_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import samples: a folder of "
                                                  "sub-folders 0-9")
        if folder:
            self.import_folder(folder)

    def open_folder(self) -> None:
        self.store.samples_dir.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.store.samples_dir)))

    # --- teaching ---------------------------------------------------------------------------
    def teach(self) -> None:
        if sum(self.store.counts()) == 0:
            self.figures.setText("No samples yet: correct a few results first, or import "
                                 "a folder.")
            return
        if self.worker.start(self.store.samples_dir, self.store.model_path, None, self.options):
            self.progress.setRange(0, 0)
            self.stage.setText("starting…")
            self.figures.setText("")
            self._update_controls()

    def cancel(self) -> None:
        self.worker.cancel()
        self.stage.setText("stopping…")
        self.cancel_button.setEnabled(False)

    def use_personal(self) -> None:
        if self.store.model_path.is_file():
            self.useModelRequested.emit(str(self.store.model_path))

    def _on_progress(self, progress: TeachProgress) -> None:
        if progress.total > 1:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            self.stage.setText(f"{progress.stage}: step {progress.done} of {progress.total}")
        else:
            self.progress.setRange(0, 0)
            self.stage.setText(f"{progress.stage}…")

    def _on_finished(self, result: TeachResult) -> None:
        self.last_result = result
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.stage.setText("done – your model is saved")
        self.figures.setText(result_text(result))
        self.figures.setToolTip("\n".join(result.problems[:30]))
        self._update_controls()
        self.statusMessage.emit("Your personal model is ready: press Use my model to read "
                                "with it")
        self.teachFinished.emit(result)

    def _on_failed(self, error: str) -> None:
        self._stopped("failed")
        self.figures.setText(f"<b>Teaching failed:</b> {error}")

    def _on_cancelled(self) -> None:
        self._stopped("cancelled – nothing was saved")

    def _stopped(self, text: str) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.stage.setText(text)
        self._update_controls()

    def _update_controls(self) -> None:
        running = self.worker.running
        self.teach_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.progress.setVisible(running or bool(self.stage.text()))  # no empty bar at first
        self.import_button.setEnabled(not running)
        self.delete_button.setEnabled(not running and bool(self.list.selectedItems()))
        personal = Path(self.store.model_path)
        in_use = self._model_in_use
        self.use_button.setEnabled(not running and personal.is_file()
                                   and in_use != personal.resolve())
        self.shipped_button.setEnabled(not running and in_use is not None
                                       and in_use != bundled_model_path().resolve())
