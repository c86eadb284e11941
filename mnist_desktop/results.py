"""Frozen result types that cross module and thread boundaries.

They are plain dataclasses holding numpy arrays marked read-only, so a worker thread can
hand them to the GUI without either side being able to change what the other sees.
"""

from __future__ import annotations

import math
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

DEFAULT_MIN_NUMBER_CONFIDENCE = 0.85
"""Below this number-level confidence (the calibrated chance that *every* digit of a number
is right; see ``reading/number_confidence.py`` and the README's *Accuracy*) a number is
*unsure* even when each of its digits passed ``DEFAULT_MIN_CONFIDENCE``."""
NOT_A_DIGIT = "not a digit"
EVEN_SCORES = 0.3
"""A top score below this means the digit model sees no digit: it was trained to spread its
scores evenly over the ten digits on letters, signs and scribbles (2 in 1,000 real ARDIS
digits score this low)."""
SPREAD = "the scores are spread over all ten digits: this does not look like a digit"
SEVERAL_DIGITS = "several digits: use --multi"


def scale_box(box: Box, scale: float) -> Box:
    """A box measured on a picture resized by ``scale`` (its pixels per original pixel),
    in the original's pixels: the smallest whole-pixel box that covers it. The one box
    scaling of the app (the pipeline's analysis size, the number reader's lines, a big
    file loaded reduced)."""
    if scale == 1.0:
        return box
    x, y, w, h = box
    x0, y0 = math.floor(x / scale), math.floor(y / scale)
    x1, y1 = math.ceil((x + w) / scale), math.ceil((y + h) / scale)
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def percent_floor(value: float) -> str:
    """``value`` as a percentage rounded *down* to what is shown: 0.6996 is "69.9%", never
    "70%" (a confidence must never print as the threshold it missed); whole percentages
    print without decimals."""
    tenths = int(np.floor(round(float(value) * 1000.0, 6)))
    return f"{tenths // 10}%" if tenths % 10 == 0 else f"{tenths / 10:.1f}%"


def judge(confidence: float, threshold: float, what: str = "") -> tuple[Status, str]:
    """The one unsure rule (digits and whole numbers): ``ok`` at or above ``threshold``,
    else ``unsure`` with a message that never prints "70% is below 70%"."""
    if confidence >= threshold:
        return "ok", ""
    subject = f"{what} " if what else ""
    return "unsure", (f"not sure{' of the ' + subject.strip() if subject else ''}: "
                      f"{percent_floor(confidence)} is below {percent_floor(threshold)}")


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
    others: int = 0
    """Digit-like pieces of ink beside the digit picked: the picture holds a number, and
    one digit of it is no answer (the recogniser marks it unsure)."""

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
    is_digit: bool = True
    """False for a symbol that is no digit (a letter, a sign, a scribble found among the
    digits of a number): ``digit`` is then None, ``status`` "unsure", ``confidence`` the
    chance that it is no digit, and ``probabilities`` the digit scores it was given."""

    @property
    def unsure(self) -> bool:
        return self.status == "unsure"

    @property
    def found(self) -> bool:
        return self.status != "no_digit"

    is_number: ClassVar[bool] = False

    @property
    def label(self) -> str:
        """Short text for the user: the digit, ``?`` when unsure or not a digit, ``-`` when
        nothing was found."""
        if not self.is_digit:
            return "?"
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
    number_confidence: float | None = None
    """The calibrated chance that the whole number is right (None: the product of the
    digits' confidences stands for it)."""
    min_number_confidence: float = 0.0
    """Below ``number_confidence`` this the number is unsure, whatever its digits say."""

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
        """The chance that every digit is right: ``number_confidence`` when the reader
        calibrated one, else the product of the digits' confidences."""
        if not self.digits:
            return 0.0
        if self.number_confidence is not None:
            return float(self.number_confidence)
        return float(np.prod([d.confidence for d in self.digits]))

    @property
    def status(self) -> Status:
        """``ok`` only when every digit is ok *and* the whole number is likely right."""
        if not self.digits:
            return "no_digit"
        if any(d.status != "ok" for d in self.digits):
            return "unsure"
        return judge(self.confidence, self.min_number_confidence)[0]

    @property
    def message(self) -> str:
        """Why the number is not ok ("" when it is)."""
        if not self.digits:
            return "no digits found"
        marks = sum(not d.is_digit for d in self.digits)
        unsure = sum(d.status != "ok" and d.is_digit for d in self.digits)
        parts = []
        if marks:
            parts.append(f"{marks} {NOT_A_DIGIT}" if marks == 1 else f"{marks} are no digits")
        if unsure:
            parts.append(f"not sure about {unsure} of {len(self.digits)} digits")
        if parts:
            return "; ".join(parts) + " (shown as ?)"
        return judge(self.confidence, self.min_number_confidence, "number")[1]


Reading = Union[Recognition, NumberReading]  # noqa: UP007 - a runtime alias for 3.10
"""The one result of reading a picture: a digit's ``Recognition`` or a ``NumberReading``.
Both have ``digits``, ``answer``, ``confidence``, ``status``, ``found`` and ``is_number``."""
