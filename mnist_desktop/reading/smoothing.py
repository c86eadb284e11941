"""Temporal smoothing of per-frame results, so a live answer does not flicker. Qt-free.

A camera sees the same sheet in many frames, and single frames are noisy (motion blur, a
finger over a stroke). Both smoothers keep the last ``window`` results and call an answer
*steady* only when at least ``agree`` of them say the same thing; ``agree`` must be more
than half of ``window``, so two answers can never both be steady and the display cannot
alternate between them frame by frame.

- :class:`DigitSmoother` averages the probability vectors of the frames that found a digit,
  and answers the digit with the highest mean probability; it is ``ok`` when that digit won
  ``agree`` frames outright, ``unsure`` while the votes are split, ``no_digit`` when most
  frames found nothing.
- :class:`NumberSmoother` votes on the whole text of a :class:`NumberReading`.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from mnist_desktop.results import NumberReading, Reading, Recognition, frozen_array

DEFAULT_WINDOW = 7
DEFAULT_AGREE = 4

T = TypeVar("T", Recognition, NumberReading)


@dataclass(frozen=True)
class Smoothed(Generic[T]):
    """The steady answer after the latest frame.

    ``result`` is what to show (a Recognition with averaged probabilities, or the latest
    NumberReading that agrees with the steady text); ``label`` is its short text; ``votes``
    how many of the last ``frames`` results agreed with it; ``steady`` whether that is at
    least ``agree``.
    """

    result: T
    label: str
    votes: int
    frames: int
    steady: bool


def _check(window: int, agree: int) -> None:
    if window < 1 or not window // 2 < agree <= window:
        raise ValueError(f"need window >= 1 and window/2 < agree <= window, got {window}, {agree}")


class _Recent(Generic[T]):
    """The last ``window`` results, and how many must agree for an answer to be steady."""

    def __init__(self, window: int = DEFAULT_WINDOW, agree: int = DEFAULT_AGREE) -> None:
        _check(window, agree)
        self.window = window
        self.agree = agree
        self._recent: deque[T] = deque(maxlen=window)

    def reset(self) -> None:
        """Forget every frame (the scene, the mode or the model changed)."""
        self._recent.clear()


class DigitSmoother(_Recent[Recognition]):
    """Smooths single-digit Recognitions over the last ``window`` frames."""

    def update(self, recognition: Recognition) -> Smoothed[Recognition]:
        """Add the newest frame's result and return the steady answer."""
        self._recent.append(recognition)
        recent = list(self._recent)
        found = [r for r in recent if r.found]
        if len(found) * 2 <= len(recent):
            votes = len(recent) - len(found)
            latest = next(r for r in reversed(recent) if not r.found)
            return Smoothed(latest, latest.label, votes, len(recent), votes >= self.agree)
        mean = np.mean([r.probabilities for r in found], axis=0).astype(np.float32)
        digit = int(np.argmax(mean))
        votes = sum(1 for r in recent if r.status == "ok" and r.digit == digit)
        steady = votes >= self.agree
        base = next((r for r in reversed(found) if r.digit == digit), found[-1])
        if steady:
            status, message = "ok", ""
        else:
            status = "unsure"
            message = f"not steady yet: {votes} of the last {len(recent)} frames say {digit}"
        result = dataclasses.replace(base, digit=digit, confidence=float(mean[digit]),
                                     probabilities=frozen_array(mean), status=status,
                                     message=message)
        return Smoothed(result, result.label, votes, len(recent), steady)


class NumberSmoother(_Recent[NumberReading]):
    """Smooths NumberReadings: the text must be the same in ``agree`` of ``window`` frames."""

    def update(self, reading: NumberReading) -> Smoothed[NumberReading]:
        """Add the newest frame's reading and return the steady one.

        While no text has ``agree`` votes the latest reading is returned, not steady.
        """
        self._recent.append(reading)
        texts = [r.text for r in self._recent]
        best = max(set(texts), key=lambda t: (texts.count(t), t == reading.text))
        votes = texts.count(best)
        if votes >= self.agree:
            chosen = next(r for r in reversed(self._recent) if r.text == best)
            return Smoothed(chosen, best, votes, len(texts), True)
        return Smoothed(reading, reading.text, texts.count(reading.text), len(texts), False)


class ReadingSmoother:
    """Smooths whatever the frames give: digits with a :class:`DigitSmoother`, numbers
    with a :class:`NumberSmoother` (each keeps its own frames)."""

    def __init__(self, window: int = DEFAULT_WINDOW, agree: int = DEFAULT_AGREE) -> None:
        self.digits = DigitSmoother(window, agree)
        self.numbers = NumberSmoother(window, agree)

    def reset(self) -> None:
        self.digits.reset()
        self.numbers.reset()

    def update(self, result: Reading) -> Smoothed[Any]:
        if isinstance(result, NumberReading):
            return self.numbers.update(result)
        return self.digits.update(result)
