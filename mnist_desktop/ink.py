"""Find the ink in a grey image: scale, polarity, lighting, threshold, lines, specks.

This is the first half of the pipeline, shared by single-digit recognition and by the
reading of whole numbers. Everything works at an *analysis* resolution (big photos are
shrunk, tiny images enlarged) and reports the scale so boxes map back to the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

ANALYSIS_MAX_SIDE = 320
"""Longest side of the analysis image for single digits (the number reader may ask more)."""
SMALL_IMAGE_SIDE = 160
"""Images smaller than this are enlarged first so the threshold gives smooth outlines."""
MIN_CONTRAST = 0.16
"""Ink must be at least this much darker than its local paper (fraction of paper level)."""
WEAK_CONTRAST = 0.1
"""Floor for the weak (hysteresis) threshold that keeps faint parts of a stroke."""
BACKGROUND_DIVISOR = 4
"""The wide paper-estimating closing is a quarter of the picture: wider than any stroke."""
EVEN_FRAME_SPREAD = 12
"""A frame whose brightness varies less than this (5th to 95th percentile) is bare paper."""
CLEAN_STRONG_SHARE = 0.65
"""An image is clean when this share of its non-paper pixels is clear ink (the rest are
anti-aliased stroke edges); shadows and gradients add many faint pixels."""
POLARITY_SIDE = 128
"""Polarity is judged on a copy this small."""
NARROW_DIVISOR = 12
"""The narrow closing (1/12 of the picture) is wider than pen strokes but not shadows."""


@dataclass(frozen=True)
class InkMap:
    """The ink of one image at analysis resolution.

    ``scale`` is analysis pixels per input pixel. ``labels``/``stats`` are the connected
    components of ``mask`` after specks and lines were removed; ``candidates`` lists the
    component labels that may be (part of) a digit, largest first.
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
        x, y, w, h = box
        s = self.scale
        x0, y0 = int(np.floor(x / s)), int(np.floor(y / s))
        x1, y1 = int(np.ceil((x + w) / s)), int(np.ceil((y + h) / s))
        return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def analysis_image(grey: np.ndarray, max_side: int = ANALYSIS_MAX_SIDE) -> tuple[np.ndarray, float]:
    """Resize to the analysis resolution; area-averaging also denoises big photos."""
    h, w = grey.shape
    longest = max(h, w)
    if longest > max_side:
        scale = max_side / longest
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), scale
    if longest < SMALL_IMAGE_SIDE:
        factor = min(8, int(np.ceil(SMALL_IMAGE_SIDE / longest)))
        size = (w * factor, h * factor)
        return cv2.resize(grey, size, interpolation=cv2.INTER_CUBIC), float(factor)
    return grey, 1.0


def _percentiles(grey: np.ndarray, fractions: tuple[float, ...]) -> list[float]:
    """Fast percentiles of a uint8 image from its histogram."""
    hist = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel()
    cumulative = np.cumsum(hist) / max(1.0, float(hist.sum()))
    return [float(np.searchsorted(cumulative, f)) for f in fractions]


def _paper_by_frame(grey: np.ndarray) -> tuple[bool, float, bool] | None:
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


def ink_is_dark(grey: np.ndarray) -> bool:
    """Polarity: an even frame is paper; otherwise ink is the minority against local paper.

    Each pixel is compared with a wide blur of its surroundings, so a shadow or a lighting
    gradient cannot pass for paper of the other colour. Ink is a few pixels far from their
    surroundings on one side; paper is many pixels close to it on the other. Dark ink gives
    a long dark tail, light ink (chalk, white on black, MNIST itself) a long bright one.
    """
    framed = _paper_by_frame(grey)
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
    count, labels, stats, _ = cv2.connectedComponentsWithStats(weak, connectivity=8)
    keep = np.zeros(count, dtype=np.uint8)
    keep[labels[c8 >= high]] = 255
    keep[0] = 0
    stats[keep == 0, cv2.CC_STAT_AREA] = 0
    return keep[labels], labels, stats


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
    count, labels, stats, _ = cv2.connectedComponentsWithStats(runs, connectivity=8)
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


def _without_lines(
    mask: np.ndarray, labels: np.ndarray, stats: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove ruled lines first, so a digit touching one is not thrown out with it."""
    if not has_long_components(stats, mask.shape):
        return mask, labels, stats
    mask = remove_lines(mask)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    return mask, labels, stats


def _is_junk(stat: np.ndarray, shape: tuple[int, int]) -> bool:
    """A desk edge, a table border or the outline of a sheet: no part of a digit.

    A big thin loop inside the picture (a sheet's outline) is junk only when it hugs the
    frame; a big thin 0 written across the page is not.
    """
    h, w = shape
    x, y, bw, bh, area = (int(v) for v in stat)
    margin = 0.03 * max(h, w)
    touches = x == 0 or y == 0 or x + bw >= w or y + bh >= h
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
    min_area = max(4.0, 2e-5 * h * w, 0.02 * largest)
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
             dark: bool | None = None, drop_frame_junk: bool = True) -> InkMap:
    """Run the ink-finding half of the pipeline on a uint8 grey image.

    ``dark`` forces the polarity (None: decide it); ``drop_frame_junk=False`` keeps ink
    that reaches the frame (the number reader's second look at a page).
    """
    grey, scale = analysis_image(image_grey, max_side)
    framed = _paper_by_frame(grey) if dark is None else None
    if framed is not None and framed[2]:  # a clean scan or drawing: one paper level
        dark = framed[0]
        contrast = flat_contrast(grey, dark, framed[1])
    else:
        if dark is None:
            dark = framed[0] if framed is not None else ink_is_dark(grey)
        contrast = ink_contrast(grey, dark)
    empty = np.zeros(grey.shape, dtype=np.uint8)
    no_stats = np.zeros((1, 5), dtype=np.int32)
    if float(contrast.max(initial=0.0)) < MIN_CONTRAST:
        return InkMap(grey, contrast, empty, empty.astype(np.int32), no_stats, (), scale, dark,
                      "no ink: nothing stands out from the paper")
    mask, labels, stats = _without_lines(*hysteresis_threshold(contrast))
    junk = _frame_junk(stats, mask.shape) if drop_frame_junk else []
    if junk:  # a desk or sheet edge took the threshold: decide it again without them
        covered = cv2.dilate(np.isin(labels, junk).astype(np.uint8), np.ones((5, 5), np.uint8))
        again = _without_lines(*hysteresis_threshold(np.where(covered > 0, 0.0, contrast)))
        if _candidates(again[2], mask.shape):
            mask, labels, stats = again
    candidates = _candidates(stats, mask.shape)
    ink_share = float(np.count_nonzero(mask)) / mask.size
    message = ""
    if not candidates:
        message = "no ink: only specks or lines were found"
    elif ink_share > 0.6:
        candidates, message = (), "no digit: the whole picture looks like ink"
    return InkMap(grey, contrast, mask, labels, stats, candidates, scale, dark, message)
