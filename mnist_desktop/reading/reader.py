"""What the GUI, the batch engine and the CLI need of a digit reader (``Recognizer`` is
the one the app ships; tests may hand in their own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from mnist_desktop.reading.model_file import ModelInfo
from mnist_desktop.results import NumberReading, Preprocessed, Reading, ReadMode, Recognition


@runtime_checkable
class Reader(Protocol):
    """Reads digits and numbers from pictures; safe to call from a worker thread."""

    info: ModelInfo
    min_confidence: float

    def recognize(self, image: np.ndarray) -> Recognition:
        """The single digit in ``image``."""
        ...

    def recognize_preprocessed(self, items: Sequence[Preprocessed]) -> list[Recognition]:
        """Answers for pictures already through the pipeline, in one model call."""
        ...

    def read(self, image: np.ndarray) -> NumberReading:
        """Every digit in ``image`` and the number they make."""
        ...

    def read_as(self, image: np.ndarray, mode: ReadMode) -> Reading:
        """``image`` read the way ``mode`` says (the one reading policy of the app)."""
        ...
