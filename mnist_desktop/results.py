"""Frozen result types that cross module and thread boundaries.

They are plain dataclasses holding numpy arrays marked read-only, so a worker thread can
hand them to the GUI without either side being able to change what the other sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, Union

import numpy as np

Box = tuple[int, int, int, int]
"""``(x, y, width, height)`` in the pixel coordinates of the image given to the pipeline."""

Status = Literal["ok", "unsure", "no_digit"]
ReadMode = Literal["auto", "digit", "number"]
"""How to read a picture: ``digit`` (one digit), ``number`` (every digit, the number they
make) or ``auto`` (one pass that gives a digit's answer for one digit, a number for more)."""

from mnist_desktop.defaults import DEFAULT_MIN_CONFIDENCE as DEFAULT_MIN_CONFIDENCE  # noqa: E402


def frozen_array(array: np.ndarray | None) -> np.ndarray | None:
    """Return a read-only copy of ``array`` (``None`` stays ``None``)."""
    if array is None:
        return None
    out = np.array(array, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class PipelineStep:
    """One named intermediate image of the pipeline, ready for display (uint8, grey)."""

    name: str
    image: np.ndarray


@dataclass(frozen=True)
class Preprocessed:
    """What the pipeline made of one image.

    ``model_input`` is the 28x28 float32 image in [0, 1] (white ink on black, MNIST style)
    or ``None`` when no digit was found; ``message`` then says why.
    """

    model_input: np.ndarray | None
    box: Box | None
    steps: tuple[PipelineStep, ...] = ()
    message: str = ""

    @property
    def found(self) -> bool:
        return self.model_input is not None

    def step(self, name: str) -> np.ndarray:
        """The intermediate image called ``name`` (KeyError if the pipeline did not reach it)."""
        for step in self.steps:
            if step.name == name:
                return step.image
        raise KeyError(name)


@dataclass(frozen=True)
class Recognition:
    """The answer for one image (or one digit of a number)."""

    digit: int | None
    confidence: float
    probabilities: np.ndarray
    model_input: np.ndarray | None
    box: Box | None
    steps: tuple[PipelineStep, ...] = ()
    status: Status = "ok"
    message: str = ""

    @property
    def unsure(self) -> bool:
        return self.status == "unsure"

    @property
    def found(self) -> bool:
        return self.status != "no_digit"

    is_number: ClassVar[bool] = False

    @property
    def label(self) -> str:
        """Short text for the user: the digit, ``?`` when unsure, ``-`` when nothing was found."""
        if self.digit is None:
            return "-"
        return f"{self.digit}?" if self.unsure else str(self.digit)

    @property
    def answer(self) -> str:
        """What was read, as shown to the user (the same for a digit and a number)."""
        return self.label

    @property
    def digits(self) -> tuple[Recognition, ...]:
        """The digits read: this one (a ``NumberReading`` has several)."""
        return (self,)


@dataclass(frozen=True)
class NumberReading:
    """All digits found in one image and the number they make, in reading order."""

    digits: tuple[Recognition, ...]
    lines: tuple[tuple[int, ...], ...] = field(default=())
    """Indices into ``digits``, one tuple per line of text, top to bottom."""

    is_number: ClassVar[bool] = True

    @property
    def found(self) -> bool:
        return bool(self.digits)

    @property
    def answer(self) -> str:
        """What was read, as shown to the user: the number's text."""
        return self.text

    @property
    def text(self) -> str:
        """The number as read: lines joined by a newline, ``?`` for an unsure digit."""
        return "\n".join(
            "".join(str(self.digits[i].digit) if self.digits[i].status == "ok"
                    else "?" for i in line)
            for line in self.lines
        )

    @property
    def confidence(self) -> float:
        """The probability that every digit is right (product of the digits' confidences)."""
        if not self.digits:
            return 0.0
        return float(np.prod([d.confidence for d in self.digits]))

    @property
    def status(self) -> Status:
        if not self.digits:
            return "no_digit"
        return "ok" if all(d.status == "ok" for d in self.digits) else "unsure"


Reading = Union[Recognition, NumberReading]  # noqa: UP007 - a runtime alias for 3.10
"""The one result of reading a picture: a digit's ``Recognition`` or a ``NumberReading``.
Both have ``digits``, ``answer``, ``confidence``, ``status``, ``found`` and ``is_number``."""
