"""Paper and ink polarity, and how much darker than its local paper each pixel is.

The lighting-free half of finding ink: which of dark or light is the ink, and the paper's
brightness around every pixel, so shadows and gradients do not turn into ink.
"""

from __future__ import annotations

import cv2
import numpy as np

MIN_CONTRAST = 0.16
"""Ink must be at least this much darker than its local paper (fraction of paper level)."""
BACKGROUND_DIVISOR = 4
"""The wide paper-estimating closing is a quarter of the picture: wider than any stroke."""
NARROW_DIVISOR = 12
"""The narrow closing (1/12 of the picture) is wider than pen strokes but not shadows."""
EVEN_FRAME_SPREAD = 12
"""A frame whose brightness varies less than this (5th to 95th percentile) is bare paper."""
CLEAN_STRONG_SHARE = 0.65
"""An image is clean when this share of its non-paper pixels is clear ink (the rest are
anti-aliased stroke edges); shadows and gradients add many faint pixels."""
POLARITY_SIDE = 128
"""Polarity is judged on a copy this small."""


def _percentiles(grey: np.ndarray, fractions: tuple[float, ...]) -> list[float]:
    """Fast percentiles of a uint8 image from its histogram."""
    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    cumulative = np.cumsum(hist) / max(1.0, float(hist.sum()))
    return [float(np.searchsorted(cumulative, f)) for f in fractions]


def paper_by_frame(grey: np.ndarray) -> tuple[bool, float, bool] | None:
    """Polarity of a clean image (a scan, a drawing, MNIST itself): an even frame is paper.

    Returns ``(dark_ink, paper_level, clean)``, or None when the frame is not even (a desk,
    a shadow or writing reaches it). ``clean``: inside, nearly every pixel is either paper
    or clear ink (no shadows, no lighting gradient), so the paper level is one number.
    """
    if min(grey.shape) < 8:
        return None
    ring = np.concatenate([grey[:2].ravel(), grey[-2:].ravel(), grey[:, :2].ravel(),
                           grey[:, -2:].ravel()])
    low, paper, high = np.percentile(ring, (5.0, 50.0, 95.0))
    if high - low > EVEN_FRAME_SPREAD:
        return None
    darker = int(np.count_nonzero(grey < paper - 48))
    lighter = int(np.count_nonzero(grey > paper + 48))
    if darker == lighter or darker + lighter > 0.4 * grey.size:  # a desk round a sheet
        return None
    off = cv2.absdiff(grey, np.full_like(grey, int(paper))) > high - low + 8
    clean = darker + lighter >= CLEAN_STRONG_SHARE * max(1, int(np.count_nonzero(off)))
    return darker > lighter, float(paper), clean


def flat_contrast(grey: np.ndarray, dark_ink: bool, paper: float) -> np.ndarray:
    """Ink contrast against one paper level (clean images: scans, drawings, MNIST)."""
    g = grey if dark_ink else cv2.bitwise_not(grey)
    level = paper if dark_ink else 255.0 - paper
    smooth = cv2.GaussianBlur(g, (0, 0), 0.8).astype(np.float32)
    return np.clip((level - smooth) / max(level, 64.0), 0.0, 1.0)


def ink_is_dark(grey: np.ndarray, *, frame_checked: bool = False) -> bool:
    """Polarity: an even frame is paper; otherwise ink is the minority against local paper.

    Each pixel is compared with a wide blur of its surroundings, so a shadow or a lighting
    gradient cannot pass for paper of the other colour. Ink is a few pixels far from their
    surroundings on one side; paper is many pixels close to it on the other. Dark ink gives
    a long dark tail, light ink (chalk, white on black, MNIST itself) a long bright one.
    ``frame_checked``: the caller found the frame uneven already (``paper_by_frame`` gave
    None), so it is not looked at again.
    """
    framed = None if frame_checked else paper_by_frame(grey)
    if framed is not None:
        return framed[0]
    h, w = grey.shape
    shrink = min(1.0, POLARITY_SIDE / max(h, w))
    size = (max(1, round(w * shrink)), max(1, round(h * shrink)))
    small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    coarse = (max(1, size[0] // 24), max(1, size[1] // 24))  # a cheap wide blur
    local = cv2.resize(cv2.resize(small, coarse, interpolation=cv2.INTER_AREA), size,
                       interpolation=cv2.INTER_LINEAR)
    residual = small - local
    noise = 1.4826 * float(np.median(np.abs(residual))) + 1.0
    tail = 4.0 * noise
    darker = float(np.maximum(-residual - tail, 0.0).sum())
    lighter = float(np.maximum(residual - tail, 0.0).sum())
    if darker + lighter < 1.0:  # nothing stands out: fall back to the majority
        lo, med, hi = _percentiles(grey, (0.01, 0.5, 0.99))
        return (hi - med) <= (med - lo)
    return darker >= lighter


def paper_levels(grey: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Local paper brightness (dark ink assumed) at two scales, by morphological closings.

    A closing removes dark strokes narrower than its kernel but keeps the sharp edge of a
    shadow or of the paper, so neither turns into ink. The wide closing (a quarter of the
    picture) sees even marker strokes as ink; the narrow one (1/12) treats soft shadows and
    blotches wider than a pen stroke as paper. Both run on a half-size copy. Returns
    ``(narrow, wide, narrow kernel size in analysis pixels)``.
    """
    h, w = grey.shape
    small = cv2.resize(grey, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)
    levels = []
    for divisor in (NARROW_DIVISOR, BACKGROUND_DIVISOR):
        k = max(3, (min(small.shape) // divisor) | 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (k, k))
        closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel, borderType=cv2.BORDER_REPLICATE)
        levels.append(cv2.resize(closed, (w, h), interpolation=cv2.INTER_LINEAR))
    return levels[0], levels[1], 2 * max(3, (min(small.shape) // NARROW_DIVISOR) | 1)


def _relative_darkness(smooth: np.ndarray, paper: np.ndarray) -> np.ndarray:
    paper = cv2.max(paper, smooth)
    darker = cv2.subtract(paper, smooth).astype(np.float32)
    return cv2.divide(darker, cv2.max(paper, 64).astype(np.float32))


def _stroke_width(mask: np.ndarray) -> float:
    """Typical stroke width of a mask: twice its area over its boundary length."""
    area = cv2.countNonZero(mask)
    if area < 20:
        return 0.0
    boundary = area - cv2.countNonZero(cv2.erode(mask, np.ones((3, 3), np.uint8)))
    return 2.0 * area / max(1, boundary)


def ink_contrast(grey: np.ndarray, dark_ink: bool) -> np.ndarray:
    """How much darker than its local paper each pixel is, in [0, 1] (1 = black on white).

    Decides between paper estimates by the stroke width of the clearest ink: thin pen
    strokes are measured against a closing a few strokes wide (soft shadows and blotches
    drop out), thick marker strokes against the wide one.
    """
    g = grey if dark_ink else cv2.bitwise_not(grey)
    smooth = cv2.GaussianBlur(g, (0, 0), 0.8)
    narrow, wide, kernel = paper_levels(smooth)
    contrast = _relative_darkness(smooth, narrow)
    broad = _relative_darkness(smooth, wide)
    (top,) = _percentiles(cv2.convertScaleAbs(contrast[::2, ::2], alpha=255.0), (0.997,))
    clearest = max(MIN_CONTRAST, 0.5 * top / 255.0)
    strong = cv2.compare(contrast, clearest, cv2.CMP_GE)
    width = _stroke_width(strong)
    # Marker strokes wider than the narrow closing leave only their rims in ``contrast``:
    # far more of the picture is ink against the wide paper estimate.
    rims_only = cv2.countNonZero(cv2.compare(broad, clearest, cv2.CMP_GE)) > 3 * max(
        1, cv2.countNonZero(strong))
    if width == 0.0 or width > kernel / 4.0 or rims_only:
        return broad
    fine = max(5, int(round(4.0 * width)) | 1)
    if fine < kernel:
        element = cv2.getStructuringElement(cv2.MORPH_RECT, (fine, fine))
        paper = cv2.morphologyEx(smooth, cv2.MORPH_CLOSE, element, borderType=cv2.BORDER_REPLICATE)
        return _relative_darkness(smooth, paper)
    return contrast
