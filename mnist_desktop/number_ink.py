"""Ink finding for whole numbers: the pipeline's ``find_ink`` plus a second opinion.

A page of writing is wider and busier than a single digit, so two cheap second looks are
taken with the pipeline's own steps: with the other polarity when a lighting-free check
(the picture divided by its blur) disagrees with ``find_ink``'s, and keeping ink that
reaches the frame when digits ran into a sheet edge or shadow and were dropped with it.
The reader keeps whichever map reads better; when nothing disagrees the result is exactly
``find_ink``'s.
"""

from __future__ import annotations

import cv2
import numpy as np

from mnist_desktop.ink import MIN_CONTRAST, InkMap, analysis_image, find_ink
from mnist_desktop.segmentation import MIN_DIGIT_HEIGHT, typical_height

NUMBER_SIDE = 512
"""Longest side of the analysis image for numbers: digits of a photo of a number, a form or
a meter are seldom smaller than 1/20 of it, so they are still 25+ pixels tall here."""
NUMBER_MAX_SIDE = 1024
"""When the digits come out smaller than ``MIN_DIGIT_PIXELS``, the ink is found again at
this size (small writing on a big photo)."""
MIN_DIGIT_PIXELS = 28
POLARITY_SIDE = 128
"""Polarity is judged on a copy this small."""


def ink_is_dark_flat(grey: np.ndarray) -> bool:
    """Polarity judged on the picture divided by its blurred self (lighting removed).

    On evenly lit paper the writing is the tail of the brightness ratios: far below 1 for
    dark ink, far above for chalk; a shadow hardly changes the ratios, only their spread.
    """
    small, _ = analysis_image(grey, POLARITY_SIDE)
    values = small.astype(np.float32) + 1.0
    light = cv2.GaussianBlur(values, (0, 0), max(small.shape) / 12.0)
    ratio = values / light
    low, median, high = np.percentile(ratio[::2, ::2], (0.5, 50.0, 99.5))
    return bool((high - median) <= (median - low))


def _find_ink_with(grey: np.ndarray, max_side: int, dark: bool) -> InkMap:
    """``find_ink`` with the polarity given, keeping ink that reaches the frame."""
    return find_ink(grey, max_side, dark=dark, drop_frame_junk=False)


def number_ink_maps(grey: np.ndarray) -> list[InkMap]:
    """The ink of a picture of a number (uint8 grey) at the number analysis size.

    Usually one map, exactly ``find_ink``'s. When the lighting-free polarity check disagrees
    with the pipeline's, a second map with the other polarity follows; the reader keeps the
    one that reads better.
    """
    side = NUMBER_SIDE
    found = find_ink(grey, side)
    if (found.candidates and max(grey.shape) > side
            and typical_height(found) < MIN_DIGIT_PIXELS):
        side = NUMBER_MAX_SIDE
        found = find_ink(grey, side)
    if not found.candidates and float(found.contrast.max(initial=0.0)) >= MIN_CONTRAST:
        # Ruled lines running through the digits reach the picture's edges, so find_ink took
        # digits and lines together for a desk or sheet edge; remove the lines first instead.
        return [found, _find_ink_with(grey, side, found.dark_ink)]
    if ink_is_dark_flat(found.grey) != found.dark_ink:
        return [found, _find_ink_with(grey, side, not found.dark_ink)]
    if _lost_digit(found):
        return [found, _find_ink_with(grey, side, found.dark_ink)]
    return [found]


def _lost_digit(ink: InkMap) -> bool:
    """Whether clear ink the size of a digit was left out of the map.

    ``find_ink`` drops anything connected to the picture's frame (a desk or sheet edge); a
    digit written across a ruled line or on the edge of a shadow goes with it.
    """
    if not ink.candidates:
        return False
    size = (max(1, ink.shape[1] // 2), max(1, ink.shape[0] // 2))  # plenty to see a digit
    contrast = cv2.resize(ink.contrast, size, interpolation=cv2.INTER_AREA)
    mask = cv2.resize(ink.mask, size, interpolation=cv2.INTER_AREA)
    strong = contrast[mask > 127]
    level = 0.7 * float(np.median(strong)) if strong.size else 1.0
    lost = cv2.compare(contrast, level, cv2.CMP_GE) & cv2.compare(mask, 0, cv2.CMP_EQ)
    count, _, stats, _ = cv2.connectedComponentsWithStats(lost, connectivity=8)
    height = typical_height(ink) / 2
    return any(MIN_DIGIT_HEIGHT * height <= h <= 2.5 * height and area >= 0.05 * height * height
               and w < 0.5 * size[0] for _, _, w, h, area in stats[1:count])
