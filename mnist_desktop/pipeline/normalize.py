"""Turn the ink mask of one digit into the 28x28 model input, the way MNIST was made.

MNIST: binary NIST digits fitted, keeping their aspect ratio, into a 20x20 box with
anti-aliasing, then placed in a 28x28 field so that the centre of mass is at the centre.
We add one step MNIST did not need: strokes are brought to MNIST's width, so a ballpoint
line in a 12-megapixel photo looks like a stroke of a scanned form.
"""

from __future__ import annotations

import cv2
import numpy as np

SIDE = 28
BOX = 20
CENTRE = 14.0
"""MNIST's mean centre of mass is at pixel index (14.0, 14.0) (measured on the training set)."""
STROKE_RANGE = (2.3, 3.5)
"""Stroke widths (in 28x28 pixels) seen in the middle of MNIST; outside it we adjust."""
STROKE_TARGET = (2.7, 3.2)
"""Width a too-thin stroke is thickened to, and a too-thick one thinned to."""
MIN_WORK_SIDE = 64


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary uint8 mask in its own pixels (4 x mean distance to the
    edge)."""
    if not cv2.countNonZero(mask):
        return 0.0
    padded = cv2.copyMakeBorder(mask, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    distance = cv2.distanceTransform(padded, cv2.DIST_L2, 3)
    return 4.0 * float(distance[padded > 0].mean())


def _crop(mask: np.ndarray) -> np.ndarray:
    """``mask`` (uint8, some ink) cut to its ink's bounding box."""
    x, y, w, h = cv2.boundingRect(mask)
    return mask[y : y + h, x : x + w]


def _enlarge(mask: np.ndarray) -> np.ndarray:
    """Small masks are enlarged (smoothly) so stroke adjustment has pixels to work with."""
    longest = max(mask.shape)
    if longest >= MIN_WORK_SIDE:
        return mask
    factor = int(np.ceil(MIN_WORK_SIDE / longest))
    big = cv2.resize(mask, (mask.shape[1] * factor, mask.shape[0] * factor),
                     interpolation=cv2.INTER_LINEAR)
    return np.where(big >= 128, 255, 0).astype(np.uint8)


def _disk(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def normalize_stroke(mask: np.ndarray) -> np.ndarray:
    """Thicken or thin the strokes so that, fitted into 20x20, they are as wide as MNIST's."""
    longest = max(mask.shape)
    width = stroke_width(mask)
    out_width = width * BOX / longest
    low, high = STROKE_RANGE
    if out_width < low:
        target = STROKE_TARGET[0]
        # Growing by r on each side also grows the box: solve (w + 2r) * 20 / (L + 2r) = target.
        radius = (target * longest / BOX - width) / (2.0 * (1.0 - target / BOX))
        r = int(round(radius))
        if r >= 1:
            padded = cv2.copyMakeBorder(mask, r, r, r, r, cv2.BORDER_CONSTANT, value=0)
            return _crop(cv2.dilate(padded, _disk(r)))
    elif out_width > high:
        target = STROKE_TARGET[1]
        r = int(round((width - target * longest / BOX) / 2.0))
        if r >= 1:
            thinned = cv2.erode(mask, _disk(r))
            kept = np.count_nonzero(thinned) / max(1, np.count_nonzero(mask))
            if kept >= 0.35 and not _splits(mask, thinned):
                return _crop(thinned)
    return mask


def _splits(mask: np.ndarray, thinned: np.ndarray) -> bool:
    """Whether thinning broke the strokes into more pieces than ``mask`` had (one piece
    left, the usual case, never counts as broken: ``mask`` has at least one)."""
    after = cv2.connectedComponents(thinned, connectivity=8)[0]
    return after > 2 and after > cv2.connectedComponents(mask, connectivity=8)[0]


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    """(row, column) centre of mass in pixel indices; the centre when the image is empty."""
    total = float(image.sum())
    if total <= 0:
        return (image.shape[0] - 1) / 2.0, (image.shape[1] - 1) / 2.0
    rows = np.arange(image.shape[0], dtype=np.float64)
    cols = np.arange(image.shape[1], dtype=np.float64)
    return (float(image.sum(axis=1) @ rows) / total, float(image.sum(axis=0) @ cols) / total)


def fit_and_centre(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit the cropped mask into 20x20 (aspect kept, anti-aliased) and centre its mass in 28x28.

    Returns ``(box20, field28)``: the fitted digit and the model input, float32 in [0, 1].
    """
    h, w = mask.shape
    scale = BOX / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    fitted = cv2.resize(mask.astype(np.float32) / 255.0, size, interpolation=cv2.INTER_AREA)
    box20 = np.zeros((BOX, BOX), np.float32)
    oy, ox = (BOX - size[1]) // 2, (BOX - size[0]) // 2
    box20[oy : oy + size[1], ox : ox + size[0]] = fitted
    cy, cx = centre_of_mass(fitted)
    shift = np.float32([[1, 0, CENTRE - cx], [0, 1, CENTRE - cy]])
    field = cv2.warpAffine(fitted, shift, (SIDE, SIDE), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return box20, np.clip(field, 0.0, 1.0)


def normalize_digit(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The per-digit half of the pipeline: ink mask (0/255) of ONE digit -> model input.

    Returns ``(adjusted_crop, model_input)``: the cropped mask after stroke adjustment (for
    display) and the 28x28 float32 input; ``None`` when the mask holds no ink.
    """
    binary = np.where(np.asarray(mask) > 0, 255, 0).astype(np.uint8)
    if not binary.any():
        return None
    crop = normalize_stroke(_enlarge(_crop(binary)))
    _, field = fit_and_centre(crop)
    return crop, field
