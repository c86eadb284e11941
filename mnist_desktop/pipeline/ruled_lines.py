"""Ruled lines, grid lines and straight paper edges: found and removed from an ink mask.

A stroke that crosses or lies on a line is thicker than the line there, so it stays.
"""

from __future__ import annotations

import cv2
import numpy as np

from mnist_desktop.pipeline.components import components


def _line_pixels(mask: np.ndarray, horizontal: bool) -> np.ndarray:
    """Pixels of thin straight lines spanning half the picture (ruled paper, grids, margins).

    Lines are found on a quarter-size copy (long thin runs), then only the thin part of
    the ink inside them is taken: where a stroke crosses or lies on a line, the ink is
    thicker than the line and stays, so digits are neither cut nor thinned.
    """
    m = mask if horizontal else mask.T
    h, w = m.shape
    factor = 4
    small = cv2.resize(m, (max(1, w // factor), max(1, h // factor)), interpolation=cv2.INTER_AREA)
    small = (small > 40).astype(np.uint8)
    length = max(8, small.shape[1] // 4)
    runs = cv2.morphologyEx(small, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    count, labels, stats = components(runs)
    thickest = max(2, round(0.02 * small.shape[0]))
    keep = np.zeros(count, dtype=np.uint8)
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        if bw < 0.5 * small.shape[1]:
            continue
        columns = np.count_nonzero(labels[y : y + bh, x : x + bw] == i, axis=0)
        if np.median(columns[columns > 0]) <= thickest:  # a digit lying on a line stays a line
            keep[i] = 255
    region = keep[labels]
    if not region.any():
        return np.zeros_like(mask)
    region = cv2.resize(region, (w, h), interpolation=cv2.INTER_NEAREST)
    region = cv2.dilate(region, np.ones((factor + 1, 1), np.uint8))
    line_width = max(3, round(0.015 * h))
    thick = cv2.morphologyEx(m, cv2.MORPH_OPEN, np.ones((line_width + 1, 1), np.uint8))
    lines = region & m & ~thick
    return lines if horizontal else lines.T


def has_long_components(stats: np.ndarray, shape: tuple[int, int]) -> bool:
    """Whether any component spans half the picture (only then can it hold a ruled line)."""
    h, w = shape
    spans = stats[1:, cv2.CC_STAT_WIDTH] >= 0.5 * w
    spans |= stats[1:, cv2.CC_STAT_HEIGHT] >= 0.5 * h
    return bool((spans & (stats[1:, cv2.CC_STAT_AREA] > 0)).any())


def remove_lines(mask: np.ndarray) -> np.ndarray:
    """Drop ruled lines, grid lines and straight paper edges, keeping strokes that cross them."""
    lines = _line_pixels(mask, horizontal=True) | _line_pixels(mask, horizontal=False)
    return mask & ~lines if lines.any() else mask


def without_lines(
    mask: np.ndarray, labels: np.ndarray, stats: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove ruled lines first, so a digit touching one is not thrown out with it."""
    if not has_long_components(stats, mask.shape):
        return mask, labels, stats
    mask = remove_lines(mask)
    _, labels, stats = components(mask)
    return mask, labels, stats
