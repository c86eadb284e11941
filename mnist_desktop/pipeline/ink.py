"""Find the ink in a grey image: scale, polarity, lighting, threshold, lines, specks.

This is the first half of the pipeline, shared by single-digit recognition and by the
reading of whole numbers. Everything works at an *analysis* resolution (big photos are
shrunk, tiny images enlarged) and reports the scale so boxes map back to the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from mnist_desktop.pipeline.components import components, lookup, speck_area, touches_edge
from mnist_desktop.pipeline.paper import (
    MIN_CONTRAST,
    flat_contrast,
    ink_contrast,
    ink_is_dark,
    paper_by_frame,
)
from mnist_desktop.pipeline.ruled_lines import without_lines
from mnist_desktop.results import scale_box

__all__ = ["ANALYSIS_MAX_SIDE", "MIN_CONTRAST", "ROUTES", "InkMap", "Route", "analysis_image",
           "find_ink"]

ANALYSIS_MAX_SIDE = 320
"""Longest side of the analysis image for single digits (the number reader may ask more)."""
SMALL_IMAGE_SIDE = 160
"""Images smaller than this are enlarged first so the threshold gives smooth outlines."""
WEAK_CONTRAST = 0.1
"""Floor for the weak (hysteresis) threshold that keeps faint parts of a stroke."""


Route = Literal["crop", "clean", "flat", "photo"]
"""How the ink of a picture was found, decided once per picture:

- ``crop``: a clean picture (paper of one level, clear ink) whose ink reaches its edges,
  a digit set's or a form field's crop: all of its ink is the digit (``clean.clean_ink``);
- ``clean``: a clean picture with margins, a scan or a drawing: Otsu and components
  (``clean.clean_ink``);
- ``flat``: a clean picture the fast path declined (ruled lines to remove, ink at the
  frame of a big picture): its even frame gives one paper level (``paper.flat_contrast``);
- ``photo``: everything else: ink against its local paper, so shadows and lighting
  gradients drop out (``paper.ink_contrast``).
"""
ROUTES: tuple[Route, ...] = ("crop", "clean", "flat", "photo")


@dataclass(frozen=True)
class InkMap:
    """The ink of one image at analysis resolution.

    ``scale`` is analysis pixels per input pixel. ``labels``/``stats`` are the connected
    components of ``mask`` after specks and lines were removed; ``candidates`` lists the
    component labels that may be (part of) a digit, largest first. ``route``: how the ink
    was found (``Route``).
    """

    grey: np.ndarray
    contrast: np.ndarray
    mask: np.ndarray
    labels: np.ndarray
    stats: np.ndarray
    candidates: tuple[int, ...]
    scale: float
    dark_ink: bool
    message: str = ""
    route: Route = "photo"

    @property
    def shape(self) -> tuple[int, int]:
        return self.mask.shape[0], self.mask.shape[1]

    def component_mask(
        self, labels: tuple[int, ...] | list[int], box: tuple[int, int, int, int] | None = None
    ) -> np.ndarray:
        """A uint8 0/255 mask holding only the given components (cut to ``box`` if given)."""
        keep = np.zeros(int(self.stats.shape[0]), dtype=np.uint8)
        keep[list(labels)] = 255
        if box is None:
            return keep[self.labels]
        x, y, w, h = box
        return keep[self.labels[y : y + h, x : x + w]]

    def to_input_box(self, box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        """Map an analysis-resolution box (x, y, w, h) back to input pixels."""
        return scale_box(box, self.scale)


def analysis_image(grey: np.ndarray, max_side: int = ANALYSIS_MAX_SIDE,
                   min_side: int = SMALL_IMAGE_SIDE) -> tuple[np.ndarray, float]:
    """Resize to the analysis resolution; area-averaging also denoises big photos.

    Pictures smaller than ``min_side`` are enlarged smoothly by a whole factor (at most 8).
    """
    h, w = grey.shape
    longest = max(h, w)
    if longest > max_side:
        scale = max_side / longest
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), scale
    if longest < min_side:
        factor = min(8, int(np.ceil(min_side / longest)))
        size = (w * factor, h * factor)
        return cv2.resize(grey, size, interpolation=cv2.INTER_CUBIC), float(factor)
    return grey, 1.0


def hysteresis_threshold(
    contrast: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Otsu on the lighting-free contrast, with a weak threshold for faint stroke parts.

    Weak pixels are kept only where their component holds strong ones, so a faint pencil
    line stays in one piece while paper texture and JPEG noise stay out. Returns the mask
    (0/255) and its components' labels and stats (dropped components get area 0).
    """
    c8 = cv2.convertScaleAbs(contrast, alpha=255.0)
    otsu, _ = cv2.threshold(c8, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    high = max(otsu, MIN_CONTRAST * 255.0)
    low = max(0.55 * high, WEAK_CONTRAST * 255.0)
    weak = cv2.compare(c8, low, cv2.CMP_GE)
    count, labels, stats = components(weak)
    keep = np.zeros(count, dtype=np.uint8)
    keep[labels[c8 >= high]] = 255
    keep[0] = 0
    stats[keep == 0, cv2.CC_STAT_AREA] = 0
    return lookup(keep, labels), labels, stats


def _is_junk(stat: np.ndarray, shape: tuple[int, int]) -> bool:
    """A desk edge, a table border or the outline of a sheet: no part of a digit.

    A big thin loop inside the picture (a sheet's outline) is junk only when it hugs the
    frame; a big thin 0 written across the page is not.
    """
    h, w = shape
    x, y, bw, bh, area = (int(v) for v in stat)
    margin = 0.03 * max(h, w)
    touches = touches_edge(stat, shape)
    frame_long = bw >= 0.8 * w or bh >= 0.8 * h
    hugs_frame = x <= margin and y <= margin and x + bw >= w - margin and y + bh >= h - margin
    outline = bw >= 0.6 * w and bh >= 0.6 * h and area < 0.1 * bw * bh
    return (touches and frame_long) or (outline and (touches or hugs_frame))


def _frame_junk(stats: np.ndarray, shape: tuple[int, int]) -> list[int]:
    return [i for i in range(1, stats.shape[0])
            if stats[i, cv2.CC_STAT_AREA] > 0 and _is_junk(stats[i], shape)]


def _candidates(stats: np.ndarray, shape: tuple[int, int]) -> tuple[int, ...]:
    """Components that may be ink of a digit: no specks, no frame-long border pieces."""
    h, w = shape
    if stats.shape[0] <= 1 or not stats[1:, cv2.CC_STAT_AREA].any():
        return ()
    areas = stats[1:, cv2.CC_STAT_AREA]
    largest = int(areas.max())
    min_area = speck_area(largest, shape)
    keep: list[int] = []
    junk: list[int] = []
    for label in range(1, stats.shape[0]):
        if stats[label, cv2.CC_STAT_AREA] < min_area:
            continue
        (junk if _is_junk(stats[label], shape) else keep).append(label)
    if not keep:
        keep = junk
    return tuple(sorted(keep, key=lambda i: -int(stats[i, cv2.CC_STAT_AREA])))


def find_ink(image_grey: np.ndarray, max_side: int = ANALYSIS_MAX_SIDE, *,
             dark: bool | None = None, drop_frame_junk: bool = True,
             shrunk: tuple[np.ndarray, float] | None = None) -> InkMap:
    """Run the ink-finding half of the pipeline on a uint8 grey image.

    ``dark`` forces the polarity (None: decide it); ``drop_frame_junk=False`` keeps ink
    that reaches the frame (the number reader's second look at a page). ``shrunk``: the
    picture already brought to the analysis resolution, and its scale.
    """
    grey, scale = shrunk or analysis_image(image_grey, max_side)
    framed = paper_by_frame(grey) if dark is None else None
    route: Route = "photo"
    if framed is not None and framed[2]:  # a clean scan or drawing: one paper level
        dark, route = framed[0], "flat"
        contrast = flat_contrast(grey, dark, framed[1])
    else:
        if dark is None:
            dark = framed[0] if framed is not None else ink_is_dark(grey, frame_checked=True)
        contrast = ink_contrast(grey, dark)
    empty = np.zeros(grey.shape, dtype=np.uint8)
    no_stats = np.zeros((1, 5), dtype=np.int32)
    if float(contrast.max(initial=0.0)) < MIN_CONTRAST:
        return InkMap(grey, contrast, empty, empty.astype(np.int32), no_stats, (), scale, dark,
                      "no ink: nothing stands out from the paper", route)
    mask, labels, stats = without_lines(*hysteresis_threshold(contrast))
    junk = _frame_junk(stats, mask.shape) if drop_frame_junk else []
    if junk:  # a desk or sheet edge took the threshold: decide it again without them
        covered = cv2.dilate(np.isin(labels, junk).astype(np.uint8), np.ones((5, 5), np.uint8))
        again = without_lines(*hysteresis_threshold(np.where(covered > 0, 0.0, contrast)))
        if _candidates(again[2], mask.shape):
            mask, labels, stats = again
    candidates = _candidates(stats, mask.shape)
    ink_share = float(np.count_nonzero(mask)) / mask.size
    message = ""
    if not candidates:
        message = "no ink: only specks or lines were found"
    elif ink_share > 0.6:
        candidates, message = (), "no digit: the whole picture looks like ink"
    return InkMap(grey, contrast, mask, labels, stats, candidates, scale, dark, message, route)
