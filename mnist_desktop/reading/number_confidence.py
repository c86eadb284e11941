"""How likely a whole number is right: its digits' confidences and the agreement of the
number reader's two paths, calibrated on synthetic sheets (tuning seeds; see the README's
*Accuracy* and ``benchmarks/number_confidence.py``). Pure, Qt-free."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

DISAGREE = 0.25
"""Factor on the confidence when the CTC path alone would read another text."""


def number_confidence(confidences: Sequence[float], agree: bool) -> float:
    """The chance that every digit is right: the product of the digits' confidences, cut
    to a quarter when the line model alone and the segmenting reading disagree."""
    if not confidences:
        return 0.0
    product = float(np.prod(np.asarray(confidences, np.float64)))
    return product if agree else DISAGREE * product
