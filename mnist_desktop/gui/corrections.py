"""Corrections: "Wrong? It's a …" under every result, keys 0-9, and Undo.

A correction saves the picture the current result was read from (cut around the digit,
for a number the selected digit) as a sample of the digit the user says it is, in
``<AppDataLocation>/samples/<digit>/`` (``samples.SampleStore``). A number's digits are
corrected one by one: after each correction the next digit is selected.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QTabWidget, QToolButton, QWidget

from mnist_desktop.gui.result.result_panel import ResultPanel, corrected
from mnist_desktop.gui.tab import Tab
from mnist_desktop.io import SampleError, SampleStore, crop_for_sample
from mnist_desktop.results import Reading, Recognition


class CorrectionHost(Protocol):
    """What corrections need of the main window: its result panel, tabs and status bar."""

    panel: ResultPanel
    tabs: QTabWidget

    def statusBar(self) -> QStatusBar: ...  # noqa: N802 - Qt's name

    def show_corrected(self, result: Reading) -> None:
        """Show ``result`` (the current tab's answer with a digit corrected) in its place."""

class CorrectionBar(QWidget):
    """``Wrong? It's a [0]…[9]  [Undo]``. Signals ``corrected(int)`` and ``undoRequested()``."""

    corrected = Signal(int)
    undoRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 2)
        layout.setSpacing(1)
        self.label = QLabel("Wrong? It's a", self)
        self.label.setMinimumWidth(self.label.sizeHint().width())  # never cut short
        layout.addWidget(self.label)
        layout.addSpacing(3)
        self.buttons: list[QToolButton] = []
        for digit in range(10):
            button = QToolButton(self)
            button.setText(str(digit))
            button.setAccessibleName(f"It's a {digit}")
            button.setToolTip(f"Save this picture as a sample of {digit} (key {digit})")
            button.setFixedWidth(max(20, button.fontMetrics().horizontalAdvance("0") + 10))
            button.clicked.connect(lambda _=False, d=digit: self.corrected.emit(d))
            layout.addWidget(button)
            self.buttons.append(button)
        layout.addSpacing(6)
        self.undo_button = QToolButton(self)
        self.undo_button.setText("Undo")
        self.undo_button.setToolTip("Delete the sample saved by the last correction")
        self.undo_button.clicked.connect(self.undoRequested)
        self.undo_button.setEnabled(False)
        layout.addWidget(self.undo_button)
        layout.addStretch(1)

    def set_correctable(self, on: bool) -> None:
        self.label.setEnabled(on)
        for button in self.buttons:
            button.setEnabled(on)


def _target(result: Reading | None, selected: int) -> tuple[Recognition | None, int]:
    """The digit a correction is about: the result, or the selected digit of a number."""
    if result is None:
        return None, -1
    if not result.is_number:
        return (result.digits[0] if result.found else None), -1
    if 0 <= selected < len(result.digits):
        digit = result.digits[selected]
        return (digit if digit.found else None), selected
    return None, -1


def _with_correction(result: Reading | None, index: int, digit: int) -> Reading | None:
    """``result`` with the digit the correction is about (``index`` of a number, or the one
    digit) shown as ``digit``."""
    if result is None:
        return None
    if not result.is_number:
        return corrected(result, digit)  # type: ignore[arg-type]
    if not 0 <= index < len(result.digits):
        return None
    digits = list(result.digits)
    digits[index] = corrected(digits[index], digit)
    return dataclasses.replace(result, digits=tuple(digits))


class Corrections(QObject):
    """Wires the bar, the keys and the sample store to the window.

    Signal ``samplesChanged()``: a sample was saved or removed."""

    samplesChanged = Signal()

    def __init__(self, window: CorrectionHost, store: SampleStore) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self.window, self.store = window, store
        self.undo_stack: list[tuple[Path, Reading | None, Reading | None]] = []
        """(sample saved, the answer before the correction, the corrected answer)."""
        self.bar = CorrectionBar(window.panel)
        panel_layout = window.panel.layout()
        panel_layout.insertWidget(panel_layout.indexOf(window.panel.detail) + 1, self.bar)
        self.bar.corrected.connect(self.correct)
        self.bar.undoRequested.connect(self.undo)
        self.shortcuts = []
        for digit in range(10):
            shortcut = QShortcut(QKeySequence(str(digit)), window)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda d=digit: self.correct(d))
            self.shortcuts.append(shortcut)
        self.refresh()

    def refresh(self) -> None:
        """Enable the bar when the panel shows a digit that can be corrected."""
        target, _ = _target(self.window.panel.result, self.window.panel.selected_digit)
        self.bar.set_correctable(target is not None)
        self.bar.undo_button.setEnabled(bool(self.undo_stack))

    def _picture(self) -> np.ndarray | None:
        """The picture the current tab's result was read from (None: not known)."""
        tab = self.window.tabs.currentWidget()
        return tab.correction_picture() if isinstance(tab, Tab) else None

    def correct(self, digit: int) -> Path | None:
        """Save the current digit's picture as a sample of ``digit``; returns its path."""
        panel = self.window.panel
        target, index = _target(panel.result, panel.selected_digit)
        if target is None:
            self.window.statusBar().showMessage("Nothing to correct: no digit is shown", 5000)
            return None
        picture = self._picture()
        if picture is not None:
            picture = crop_for_sample(picture, target.box)
        elif target.model_input is not None:  # what the model saw, white on black
            picture = np.clip(target.model_input * 255.0 + 0.5, 0, 255).astype(np.uint8)
        source = self.window.tabs.tabText(self.window.tabs.currentIndex())
        try:
            path = self.store.add(picture, digit, source)  # type: ignore[arg-type]
        except SampleError as error:
            self.window.statusBar().showMessage(f"Not saved: {error}", 10000)
            return None
        result = panel.result
        fixed = _with_correction(result, index, digit)
        self.undo_stack.append((path, result, fixed))
        read = target.label if target.found else "nothing"
        if index >= 0 and result is not None:
            which = f"digit {index + 1} of {len(result.digits)} (read as {read})"
        else:
            which = f"this picture (read as {read})"
        counts = self.store.counts()
        self.window.statusBar().showMessage(
            f"Saved {which} as a sample of {digit} ({counts[digit]} of {digit}, "
            f"{sum(counts)} in all) – Undo in the result panel", 8000)
        if fixed is not None:
            self.window.show_corrected(fixed)
        if index >= 0 and fixed is not None:
            following = index + 1 if index + 1 < len(fixed.digits) else index
            panel.select_digit(following)  # the next digit of the number
            panel.digitSelected.emit(following)
        self.refresh()
        self.samplesChanged.emit()
        return path

    def undo(self) -> None:
        """Delete the sample saved by the last correction."""
        if not self.undo_stack:
            return
        path, before, fixed = self.undo_stack.pop()
        if fixed is not None and self.window.panel.result is fixed:
            self.window.show_corrected(before)  # type: ignore[arg-type]
        try:
            self.store.remove(path)
        except SampleError as error:
            self.window.statusBar().showMessage(str(error), 8000)
        else:
            self.window.statusBar().showMessage(f"Removed the sample {path.name}", 6000)
        self.refresh()
        self.samplesChanged.emit()

    def current_target(self) -> Recognition | None:
        return _target(self.window.panel.result, self.window.panel.selected_digit)[0]
