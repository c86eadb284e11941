"""The fast path for clean pictures: scans, drawings, crops on even paper.

A picture is clean when its pixels are nearly all either paper (one level, give or take
noise) or clear ink, with few in between beyond the anti-aliased rims of strokes: no
shadows, no lighting gradient, no desk. For those a few OpenCV calls do what the photo
path's lighting-free contrast and hysteresis do: Otsu, components, the digit's pieces.

A clean picture whose ink reaches its edges is a *crop* (a form field, a digit data set,
a scanner export): nothing is penalised or dropped for touching the frame, and all of
its ink is the digit. The test is cheap (one histogram) so every picture can ask it;
pictures that fail it go through the photo path unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mnist_desktop.pipeline.components import components, speck_area, touches_edge
from mnist_desktop.pipeline.ink import InkMap, analysis_image

PAPER_SPREAD = 24
"""Paper pixels lie within this many grey levels of the paper's level."""
MIN_INK_STEP = 64
"""Clear ink is at least this far from the paper level (and the Otsu split)."""
MIN_PAPER_SHARE = 0.5
"""At least this share of the picture is paper."""
MIN_CLEAR_SHARE = 0.6
"""Of the pixels that are not paper, at least this share is clear ink (the rest are stroke
rims); shadows, gradients and desks add many pixels in between."""
SMALL_SIDE = 64
"""Pictures no bigger than this are crops from digit sets and forms, never photos; their
rims are a large share of them (a digit stretched into 16x16), so they are let through
with ``SMALL_SHARES`` (paper, clear ink) instead. Only they are read as crops (ink at the
frame); in a bigger picture that may be a shadow, so it takes the photo path."""
SMALL_SHARES = (0.3, 0.4)
MIN_WORK_SIDE = 64
"""Smaller pictures are enlarged (smoothly) to at least this before thresholding."""
LINE_THIN = 0.08
"""A component spanning nine tenths of one side and thinner than this share of the other
is a ruled line or a sheet edge: such pictures go the photo path, which removes lines."""


@dataclass(frozen=True)
class CleanPicture:
    """What the cheap test found: which side is ink, the paper level and the Otsu split."""

    dark_ink: bool
    paper: int
    threshold: int


def _ring(grey: np.ndarray) -> np.ndarray:
    return np.concatenate([grey[0], grey[-1], grey[1:-1, 0], grey[1:-1, -1]])


def clean_picture(grey: np.ndarray) -> CleanPicture | None:
    """The cheap test: None unless ``grey`` (uint8) is paper of one level plus clear ink."""
    if min(grey.shape) < 4:
        return None
    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    total = float(hist.sum())
    split, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    t = int(split)
    below, above = float(hist[: t + 1].sum()), float(hist[t + 1 :].sum())
    small = max(grey.shape) <= SMALL_SIDE
    dark_ink = below < above  # paper is the majority ...
    ring = _ring(grey)
    ring_bright = float(np.count_nonzero(ring > t)) / ring.size
    if small and (ring_bright > 0.5) != dark_ink and abs(ring_bright - 0.5) > 0.1:
        # ... unless the frame of a small crop says otherwise: a thick digit stretched over
        # it can cover most of it, but its ink gathers inside, its paper along the frame.
        dark_ink = ring_bright > 0.5
    side = hist[t + 1 :] if dark_ink else hist[: t + 1]
    paper = int(np.argmax(side)) + (t + 1 if dark_ink else 0)
    ink_side = hist[: t + 1] if dark_ink else hist[t + 1 :]
    if not ink_side.any():
        return None
    ink = int(np.argmax(ink_side)) + (0 if dark_ink else t + 1)
    if abs(paper - ink) < MIN_INK_STEP:
        return None
    # Otsu may split right at the paper's edge when nothing lies between paper and ink
    # (binary scans): keep the split at least half a clear step away from the paper.
    gap = max(abs(t - paper), MIN_INK_STEP // 2)
    t = paper - gap if dark_ink else paper + gap
    lo, hi = max(0, paper - PAPER_SPREAD), min(256, paper + PAPER_SPREAD + 1)
    near = float(hist[lo:hi].sum())
    clear = float(hist[: max(0, paper - MIN_INK_STEP) + 1].sum() if dark_ink
                  else hist[min(255, paper + MIN_INK_STEP) :].sum())
    paper_share, clear_share = SMALL_SHARES if small else (MIN_PAPER_SHARE, MIN_CLEAR_SHARE)
    if near < paper_share * total or clear < clear_share * max(1.0, total - near):
        return None
    if np.count_nonzero(np.abs(ring.astype(np.int16) - paper) <= PAPER_SPREAD) < 0.5 * ring.size:
        return None  # the frame is mostly not paper: a desk, a dark border
    return CleanPicture(dark_ink, paper, t)


def _is_frame_line(stat: np.ndarray, shape: tuple[int, int]) -> bool:
    h, w = shape
    _, _, bw, bh, _ = (int(v) for v in stat)
    return (bw >= 0.9 * w and bh <= LINE_THIN * h) or (bh >= 0.9 * h and bw <= LINE_THIN * w)


def clean_ink(image_grey: np.ndarray, shrunk: tuple[np.ndarray, float] | None = None
              ) -> InkMap | None:
    """The ink of a clean picture (None: not clean, or lines to remove: use the photo path).

    The test runs on the picture itself when it is small, else on the shrunk copy
    (``shrunk``: that copy and its scale when the caller has made it already).
    """
    grey, scale = shrunk or analysis_image(image_grey, min_side=MIN_WORK_SIDE)
    picture = clean_picture(grey if scale < 1.0 else image_grey)
    if picture is None:
        return None
    ink_bright = grey if not picture.dark_ink else cv2.bitwise_not(grey)
    paper = picture.paper if not picture.dark_ink else 255 - picture.paper
    mask = cv2.compare(grey, picture.threshold, cv2.CMP_LE if picture.dark_ink else cv2.CMP_GT)
    count, labels, stats = components(mask)
    if count <= 1:
        return None
    areas = stats[1:, cv2.CC_STAT_AREA]
    min_area = speck_area(float(areas.max()), mask.shape)
    keep = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= min_area]
    if not keep:
        return None  # only specks: the photo path says so
    lines = [i for i in keep if _is_frame_line(stats[i], mask.shape)]
    if lines and len(lines) < len(keep):
        return None  # ruled lines or a sheet edge beside the writing
    small = max(image_grey.shape) <= SMALL_SIDE
    at_frame = any(touches_edge(stats[i], mask.shape) for i in keep)
    if at_frame and not small:
        return None  # in a big picture, ink at the frame may be a shadow: the photo path
    stats[[i for i in range(1, count) if i not in keep], cv2.CC_STAT_AREA] = 0
    contrast = cv2.convertScaleAbs(ink_bright, alpha=1.0, beta=-float(paper))
    contrast = contrast.astype(np.float32) / max(1.0, 255.0 - paper)
    candidates = tuple(sorted(keep, key=lambda i: -int(stats[i, cv2.CC_STAT_AREA])))
    return InkMap(grey, contrast, mask, labels, stats, candidates, scale, picture.dark_ink,
                  route="crop" if at_frame else "clean")
