"""Small widget factories shared by the tabs, so that building a row of controls stays short."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget


def push_button(text: str, tip: str, slot: Callable[..., Any] | None = None,
                parent: QWidget | None = None) -> QPushButton:
    """A button with a tooltip (none when ``tip`` is empty) whose ``clicked`` calls ``slot``
    (connect it later when ``slot`` is None)."""
    button = QPushButton(text, parent)
    if tip:
        button.setToolTip(tip)
    if slot is not None:
        button.clicked.connect(slot)
    return button


def hbox(*items: QWidget | tuple[QWidget, int] | None) -> QHBoxLayout:
    """A row of widgets: ``(widget, stretch)`` gives a stretch factor, ``None`` adds a stretch."""
    row = QHBoxLayout()
    for item in items:
        if item is None:
            row.addStretch(1)
        elif isinstance(item, tuple):
            row.addWidget(*item)
        else:
            row.addWidget(item)
    return row
