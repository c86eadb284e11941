"""The rows of a batch run (frozen; they cross threads and processes) and how an answer
becomes one. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mnist_desktop.batch.progress import RowStatus
from mnist_desktop.results import Box, NumberReading, Recognition, scale_box


@dataclass(frozen=True)
class DigitBox:
    """One digit of a number read in ``multi`` mode; ``box`` is in the file's pixels."""

    box: Box | None
    digit: int | None
    confidence: float
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {"box": list(self.box) if self.box else None, "digit": self.digit,
                "confidence": round(self.confidence, 4), "status": self.status}


@dataclass(frozen=True)
class BatchItem:
    """One row of the result: what was read from one file (or why nothing could be)."""

    index: int
    path: str
    prediction: str
    confidence: float | None
    status: RowStatus
    message: str = ""
    digits: tuple[DigitBox, ...] | None = None
    thumbnail: np.ndarray | None = field(default=None, compare=False, repr=False)


def error_item(index: int, path: str, message: str) -> BatchItem:
    return BatchItem(index, path, "", None, "error", message)


def item_from_recognition(index: int, path: str, rec: Recognition,
                          thumbnail: np.ndarray | None = None) -> BatchItem:
    """The row for a single-digit answer."""
    if rec.status == "no_digit" or rec.digit is None:
        return BatchItem(index, path, "", None, "no_digit", rec.message or "no digit found",
                         thumbnail=thumbnail)
    return BatchItem(index, path, str(rec.digit), float(rec.confidence), rec.status,
                     rec.message if rec.status != "ok" else "", thumbnail=thumbnail)


def scaled_box(box: Box | None, scale: float) -> Box | None:
    """A box found on a file loaded reduced (``scale``), in the file's own pixels."""
    return None if box is None else scale_box(box, scale)


def item_from_reading(index: int, path: str, reading: NumberReading, scale: float = 1.0,
                      thumbnail: np.ndarray | None = None) -> BatchItem:
    """The row for a number read in ``multi`` mode (lines separated by a space)."""
    digits = tuple(DigitBox(scaled_box(d.box, scale), d.digit, float(d.confidence), d.status)
                   for d in reading.digits)
    if reading.status == "no_digit":
        return BatchItem(index, path, "", None, "no_digit", "no digits found", digits, thumbnail)
    text = reading.text.replace("\n", " ")
    message = reading.message if reading.status != "ok" else ""
    return BatchItem(index, path, text, float(reading.confidence), reading.status, message,
                     digits, thumbnail)
