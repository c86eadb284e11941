"""The one result panel beside the tabs: what was read, how sure, and why.

``show_result`` takes a Recognition (one digit), a NumberReading (several digits: the number
big, one chip per digit; clicking a chip shows that digit's details) or None (nothing yet).
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from mnist_desktop.gui.common.overlay import OK_COLOUR, SELECTED_COLOUR, UNSURE_COLOUR
from mnist_desktop.gui.common.text import percent, plural
from mnist_desktop.gui.result.result_widgets import PixelView, ProbabilityBars, StepStrip
from mnist_desktop.results import EVEN_SCORES, NumberReading, Reading, Recognition

PANEL_WIDTH = 336
_NEUTRAL = "#7a7a86"
_CHIPS_PER_ROW = 8


def _section(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text.upper(), parent)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 0.85)
    font.setBold(True)
    font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 108)
    label.setFont(font)
    label.setStyleSheet(f"color: {_NEUTRAL}; margin-top: 6px;")
    return label


CORRECTED = "Corrected by you"
"""The start of the message of a digit the user corrected (see ``corrected``)."""


def corrected(result: Recognition, digit: int) -> Recognition:
    """``result`` as the user says it is: ``digit``, sure, the model's own answer kept in the
    message (its probabilities stay the model's)."""
    said = result.label if result.found else "nothing"
    return dataclasses.replace(result, digit=digit, confidence=1.0, status="ok",
                               message=f"{CORRECTED} (the model read {said})", is_digit=True)


def lines_of(reading: NumberReading) -> list[list[int]]:
    """The digits' indices line by line (one line when the reading has no line breaks)."""
    lines = [list(line) for line in reading.lines if line]
    return lines or [list(range(len(reading.digits)))]


def describe(result: Recognition) -> tuple[str, str, str]:
    """Big text, one-line verdict and its colour for one digit's result."""
    if result.status == "ok" and result.message.startswith(CORRECTED):
        return str(result.digit), result.message, OK_COLOUR.name()
    if not result.is_digit:  # a letter, a sign or a scribble among the digits of a number
        return "?", f"Not a digit ({result.confidence:.0%} sure)", UNSURE_COLOUR.name()
    if result.status == "no_digit" or result.digit is None:
        return "–", "No digit found", _NEUTRAL
    if result.status == "unsure" and result.confidence < EVEN_SCORES:
        return ("?", f"Doesn't look like a digit (most like {result.digit}, "
                f"{percent(result.confidence)})", UNSURE_COLOUR.name())
    if result.status == "unsure":
        return ("?", f"Not sure – looks most like {result.digit} ({percent(result.confidence)})",
                UNSURE_COLOUR.name())
    return str(result.digit), f"{percent(result.confidence)} sure", OK_COLOUR.name()


class ResultPanel(QFrame):
    """Shows the current tab's latest result. Signal ``digitSelected(int)``: a chip was clicked."""

    digitSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: Reading | None = None
        self._idle_text = "Draw a digit or open an image"
        self._selected = -1
        self.setObjectName("ResultPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setMinimumWidth(PANEL_WIDTH)
        self.setMaximumWidth(PANEL_WIDTH + 80)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self._build()
        self.show_result(None)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(4)
        header = QHBoxLayout()
        text_column = QVBoxLayout()
        self.big = QLabel(self)
        self.big.setAccessibleName("Recognised digit")
        self.big.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.big.setMinimumHeight(96)
        self.big.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.verdict = QLabel(self)
        self.verdict.setWordWrap(True)
        self.verdict.setAccessibleName("Confidence")
        text_column.addWidget(self.big)
        text_column.addWidget(self.verdict)
        text_column.addStretch(1)
        header.addLayout(text_column, 1)
        input_column = QVBoxLayout()
        self.pixels = PixelView(self)
        input_column.addWidget(self.pixels, 0, Qt.AlignmentFlag.AlignRight)
        caption = QLabel("what the model saw", self)
        caption.setStyleSheet(f"color: {_NEUTRAL};")
        caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        input_column.addWidget(caption)
        header.addLayout(input_column)
        layout.addLayout(header)

        self.chips_title = _section("Digits – click one for details", self)
        layout.addWidget(self.chips_title)
        self.chips_box = QWidget(self)
        self.chips_layout = QGridLayout(self.chips_box)
        self.chips_layout.setContentsMargins(0, 0, 0, 0)
        self.chips_layout.setSpacing(4)
        self.chips_layout.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self._chips: list[QToolButton] = []
        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        self.chip_group.idClicked.connect(self._chip_clicked)
        layout.addWidget(self.chips_box)
        self.detail = QLabel(self)
        self.detail.setStyleSheet("font-weight: 600;")
        self.detail.setWordWrap(True)  # a long verdict wraps instead of running off the panel
        layout.addWidget(self.detail)

        layout.addWidget(_section("Probabilities", self))
        self.bars = ProbabilityBars(self)
        layout.addWidget(self.bars)
        layout.addWidget(_section("How the picture was prepared", self))
        self.steps = StepStrip(self)
        layout.addWidget(self.steps)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color: {_NEUTRAL};")
        layout.addWidget(self.message)
        layout.addStretch(1)

    # --- public API ---------------------------------------------------------------------------
    @property
    def result(self) -> Recognition | NumberReading | None:
        return self._result

    @property
    def selected_digit(self) -> int:
        """Index of the digit whose details are shown (-1 when not showing a number)."""
        return self._selected

    def set_idle_text(self, text: str) -> None:
        """What the panel says when there is no result (e.g. per tab, or while loading)."""
        self._idle_text = text
        if self._result is None:
            self.show_result(None)

    def show_result(self, result: Reading | None) -> None:
        """Show any tab's answer: the one place the GUI tells a number from a digit."""
        self._result = result
        self._selected = -1
        self._clear_chips()
        match result:
            case NumberReading(digits=digits) if digits:
                self._show_number(result)
            case Recognition():
                self._show_single(result)
            case _:
                self._show_idle()

    def select_digit(self, index: int) -> None:
        """Show the details of digit ``index`` of the current number."""
        if self._result is None or not self._result.is_number:
            return
        if not 0 <= index < len(self._result.digits):
            return
        self._selected = index
        button = self.chip_group.button(index)
        if button is not None:
            button.setChecked(True)
        digit = self._result.digits[index]
        big, verdict, _ = describe(digit)
        self.detail.setText(f"Digit {index + 1} of {len(self._result.digits)}: {big} – {verdict}")
        self._show_details(digit)

    # --- states ---------------------------------------------------------------------------
    def _set_big(self, text: str, colour: str, max_point: float = 60.0) -> None:
        font = QFont(self.font())
        font.setBold(True)
        size = max_point
        available = max(80, self.width() - self.pixels.width() - 40)
        lines = text.split("\n")
        # the lines fit beside the 28x28 view, above the verdict: the panel does not grow
        high = max(self.big.minimumHeight(), self.pixels.height() - 30)
        size = max_point
        while size > 10:
            font.setPointSizeF(size)
            metrics = QFontMetrics(font)
            if (max(metrics.horizontalAdvance(line) for line in lines) <= available
                    and metrics.lineSpacing() * len(lines) <= high):
                break
            size -= 2
        self.big.setFont(font)
        self.big.setText(text)
        self.big.setStyleSheet(f"color: {colour};")

    def _show_idle(self) -> None:
        self._set_big("–", _NEUTRAL)
        self.verdict.setText(self._idle_text)
        self.verdict.setStyleSheet(f"color: {_NEUTRAL};")
        self.chips_title.hide()
        self.chips_box.hide()
        self.detail.hide()
        self._show_details(None)
        self.message.setText("")

    def _show_single(self, result: Recognition) -> None:
        big, verdict, colour = describe(result)
        self._set_big(big, colour)
        self.verdict.setText(verdict)
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.chips_title.hide()
        self.chips_box.hide()
        self.detail.hide()
        self._show_details(result)

    def _show_number(self, reading: NumberReading) -> None:
        lines = lines_of(reading)
        text = "\n".join("".join(reading.digits[i].label if reading.digits[i].status == "ok"
                                  else "?" for i in line) for line in lines)
        unsure = sum(d.status != "ok" for d in reading.digits)
        colour = UNSURE_COLOUR.name() if unsure else OK_COLOUR.name()
        self._set_big(text, colour)
        count = plural(len(reading.digits), "digit")
        if len(lines) > 1:
            count += f" on {len(lines)} lines"
        if unsure:
            verdict = f"{count} – not sure about {unsure} (shown as ?)"
        elif any(d.message.startswith(CORRECTED) for d in reading.digits):
            verdict = f"{count} – corrected by you"
        else:
            verdict = f"{count} – {percent(reading.confidence)} sure"
        self.verdict.setText(verdict)
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: 600;")
        grid_row = 0  # one row of chips per line of writing (a long line wraps)
        self._compact_chips = len(lines) > 1  # several rows: smaller chips, room for the bars
        for line in lines:
            for column, index in enumerate(line):
                self._add_chip(index, reading.digits[index], grid_row + column // _CHIPS_PER_ROW,
                               column % _CHIPS_PER_ROW)
            grid_row += -(-len(line) // _CHIPS_PER_ROW)
        self.chips_title.show()
        self.chips_box.show()
        self.detail.show()
        first_unsure = next((i for i, d in enumerate(reading.digits) if d.status != "ok"), 0)
        self.select_digit(first_unsure)

    def _show_details(self, result: Recognition | None) -> None:
        if result is None:
            self.pixels.set_image(None)
            self.bars.set_probabilities(None)
            self.steps.set_steps(())
            return
        self.pixels.set_image(result.model_input)
        self.bars.set_probabilities(result.probabilities if result.found else None,
                                    result.status)
        self.steps.set_steps(result.steps)
        self.message.setText(result.message if result.status != "ok" else "")

    # --- chips ------------------------------------------------------------------------------
    def _add_chip(self, index: int, digit: Recognition, row: int, column: int) -> None:
        """Show digit ``index`` as a chip at (row, column); chips are reused from number to
        number, never destroyed and re-made (a live tab shows several results a second)."""
        if index < len(self._chips):
            chip = self._chips[index]
            self.chips_layout.removeWidget(chip)
        else:
            chip = QToolButton(self.chips_box)
            chip.setCheckable(True)
            chip.setAutoRaise(False)
            self._chips.append(chip)
            self.chip_group.addButton(chip, index)
        self.chips_layout.addWidget(chip, row, column)
        chip.setText(digit.label)
        compact = getattr(self, "_compact_chips", False)
        chip.setMinimumSize(*((28, 22) if compact else (34, 30)))
        colour = UNSURE_COLOUR.name() if digit.status != "ok" else OK_COLOUR.name()
        chip.setStyleSheet(
            f"QToolButton {{ font-weight: 700; font-size: {11 if compact else 14}pt;"
            f" color: {colour};"
            f" border: 1px solid {colour}; border-radius: 5px; padding: 1px 6px; }}"
            f"QToolButton:checked {{ background: {SELECTED_COLOUR.name()}; color: white;"
            f" border-color: {SELECTED_COLOUR.name()}; }}")
        chip.setToolTip(f"Digit {index + 1}: {describe(digit)[1]}")
        chip.show()

    def _clear_chips(self) -> None:
        self.chip_group.setExclusive(False)  # an exclusive group keeps one chip checked
        for chip in self._chips:
            chip.setChecked(False)
            chip.hide()
        self.chip_group.setExclusive(True)

    def _chip_clicked(self, index: int) -> None:
        self.select_digit(index)
        self.digitSelected.emit(index)
