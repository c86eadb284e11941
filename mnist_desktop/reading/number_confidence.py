"""How likely a whole number is right, from what both models said about it. Pure, Qt-free.

The number reader (``line_reader.py``) hands over its ``Evidence``: each digit's confidence
(both models mixed), how sure the digit model and the line model are of that digit each on
its own, whether the CTC path alone reads the same text as the reconciled reading, and how
many pieces of writing-sized ink were left unread. ``number_confidence`` turns that into
the chance that the whole number is right with a logistic model fitted on synthetic sheets
and lines (tuning seeds only; ``benchmarks/number_confidence.py --fit``), checked on the
real cheque amounts of ``car-a-dev`` (never fitted on). See the README's *Accuracy*.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FLOOR = 1e-4


@dataclass(frozen=True)
class Evidence:
    """What the number reader knows about one reading (digits in reading order; marks that
    are no digit count in ``confidences`` only)."""

    confidences: tuple[float, ...]
    digit_model: tuple[float, ...]
    """The digit model's probability of each digit read, on that digit's own ink."""
    line_model: tuple[float, ...]
    """The line model's probability of each digit read (0 where it put no symbol)."""
    agree: bool
    """Whether the CTC path alone reads the same text."""
    dropped: int
    """Pieces as tall as the writing that were read as nothing."""
    differ: int = 0
    """Digits of which the digit model, on their own ink, prefers another digit."""


def features(evidence: Evidence) -> np.ndarray:
    """The numbers the calibration weighs (log-probabilities, so products become sums)."""
    def logs(values: tuple[float, ...]) -> np.ndarray:
        return np.log(np.clip(np.asarray(values, np.float64), FLOOR, 1.0))

    conf, digit, line = (logs(evidence.confidences), logs(evidence.digit_model),
                         logs(evidence.line_model))
    return np.array([
        conf.sum(), conf.min(initial=0.0), digit.sum(), digit.min(initial=0.0),
        line.sum(), line.min(initial=0.0), float(evidence.agree), float(evidence.dropped),
        float(len(evidence.confidences)), float(evidence.differ)])


WEIGHTS = np.array([1.8816, 4.2217, 0.0184, 0.1160, -0.0825, -0.0795, 2.1799, -0.5488, 0.0521,
                    -0.1429])
BIAS = -0.2002
"""The fitted logistic model (``benchmarks/number_confidence.py --fit`` prints them)."""


def number_confidence(evidence: Evidence) -> float:
    """The chance that every digit of the reading is right (0 with no digit)."""
    if not evidence.confidences:
        return 0.0
    z = float(features(evidence) @ WEIGHTS + BIAS)
    return float(1.0 / (1.0 + np.exp(-z)))
