"""Connected components of an ink mask: labels and per-component stats, quickly.

``cv2.connectedComponentsWithStats`` updates its statistics at every pixel it visits,
paper included: on a 320x240 analysis image that pass costs five times the labelling
itself, while the ink of a camera frame or a photo usually sits in a small part of it.
So OpenCV labels only the box round the ink (its corner on even coordinates, the 2x2
blocks OpenCV's labelling scans stay where they were) and the rest is paper. The result
is the arrays OpenCV gives for the whole picture (tested against it), without the
centroids nobody here reads.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["components", "lookup", "speck_area", "touches_edge"]

SPECK_SHARE = 2e-5
"""Pieces smaller than this share of the picture are specks (and never under 4 pixels)..."""
SPECK_OF_LARGEST = 0.02
"""...or smaller than this share of the largest piece."""
WHOLE_SHARE = 0.6
"""When the ink's box covers more than this share of the picture, label it all at once..."""
WHOLE_PIXELS = 40_000
"""...and pictures smaller than this (crops, drawings: the box would not pay)."""


def components(mask: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """``(count, labels, stats)`` of ``mask``'s 8-connected components (label 0: the rest),
    as ``cv2.connectedComponentsWithStats(mask, connectivity=8)`` gives them."""
    h, w = mask.shape
    if h * w < WHOLE_PIXELS:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        return count, labels, stats
    x, y, bw, bh = cv2.boundingRect(mask)
    x0, y0 = x - x % 2, y - y % 2
    x1, y1 = min(w, x + bw + (x + bw) % 2), min(h, y + bh + (y + bh) % 2)
    if bw == 0 or (x1 - x0) * (y1 - y0) > WHOLE_SHARE * h * w:
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        return count, labels, stats
    count, part, stats, _ = cv2.connectedComponentsWithStats(
        np.ascontiguousarray(mask[y0:y1, x0:x1]), connectivity=8)
    labels = np.zeros((h, w), np.int32)
    labels[y0:y1, x0:x1] = part
    stats[1:, cv2.CC_STAT_LEFT] += x0
    stats[1:, cv2.CC_STAT_TOP] += y0
    stats[0] = _background(stats[0], (x0, y0, x1, y1), (h, w))
    return count, labels, stats


def _background(inside: np.ndarray, box: tuple[int, int, int, int],
                shape: tuple[int, int]) -> np.ndarray:
    """Label 0's row for the whole picture: the paper inside the box (``inside``, in box
    coordinates) and all of the picture outside it."""
    x0, y0, x1, y1 = box
    h, w = shape
    # The paper outside the box: strips above, below, left and right of it.
    strips = [(0, 0, w, y0), (0, y1, w, h), (0, y0, x0, y1), (x1, y0, w, y1)]
    if inside[cv2.CC_STAT_AREA] > 0:
        left, top = int(inside[0]) + x0, int(inside[1]) + y0
        strips.append((left, top, left + int(inside[2]), top + int(inside[3])))
    strips = [s for s in strips if s[2] > s[0] and s[3] > s[1]]
    area = int(inside[cv2.CC_STAT_AREA]) + h * w - (x1 - x0) * (y1 - y0)
    left, top = min(s[0] for s in strips), min(s[1] for s in strips)
    right, bottom = max(s[2] for s in strips), max(s[3] for s in strips)
    return np.array([left, top, right - left, bottom - top, area], np.int32)


def lookup(table: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``table[labels]`` for a uint8 ``table`` (one entry per label): OpenCV's table
    lookup when there are at most 256 labels, numpy's indexing otherwise."""
    if len(table) > 256:
        return table[labels]
    full = np.zeros(256, np.uint8)
    full[: len(table)] = table
    return cv2.LUT(labels.astype(np.uint8), full)


def speck_area(largest: float, shape: tuple[int, int]) -> float:
    """Pieces of ink with fewer pixels than this are specks, not writing."""
    return max(4.0, SPECK_SHARE * shape[0] * shape[1], SPECK_OF_LARGEST * float(largest))


def touches_edge(stat: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether a component (its stats row) reaches the picture's edge."""
    h, w = shape
    x, y, bw, bh = (int(v) for v in stat[:4])
    return x <= 0 or y <= 0 or x + bw >= w or y + bh >= h
