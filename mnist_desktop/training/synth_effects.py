"""Paper, light and camera effects that turn an ink-coverage map into a phone photo.

Used by :mod:`mnist_desktop.training.synth`; everything is driven by the caller's
``np.random.Generator``,
so a seed gives the same photo every time. Noise comes from fixed tiles cropped at random offsets,
which keeps one photo at a few milliseconds.
"""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np

Box = tuple[int, int, int, int]

LEVELS = {"easy": 0.35, "mixed": 1.0, "hard": 1.6}
_TILE = 1024
# Colours are BGR.
_PAPERS = ((246, 246, 243), (212, 233, 244), (204, 204, 199), (140, 230, 250), (246, 229, 206))
_PAPER_P = (0.45, 0.2, 0.12, 0.1, 0.13)
_INKS = ((30, 28, 32), (150, 62, 28), (72, 72, 76), (104, 104, 110), (48, 42, 185))
_INK_P = (0.4, 0.3, 0.1, 0.12, 0.08)
_PENCIL = 3
_BOARDS = ((52, 68, 46), (38, 38, 40), (70, 58, 46))
_TABLES = ((28, 32, 38), (40, 62, 92), (70, 70, 72), (20, 20, 20))


def level(difficulty: str) -> float:
    """Strength multiplier of a difficulty name ("easy", "mixed" or "hard")."""
    if difficulty not in LEVELS:
        raise ValueError(f"difficulty must be one of {sorted(LEVELS)}, not {difficulty!r}")
    return LEVELS[difficulty]


@cache
def _tile(kind: str) -> np.ndarray:
    """A fixed noise tile with unit standard deviation (read-only).

    "fibre" is paper-like texture; "grain" mixes it with white sensor noise.
    """
    gen = np.random.default_rng(12)
    raw = gen.standard_normal((_TILE, _TILE), dtype=np.float32)
    tile = cv2.GaussianBlur(raw, (0, 0), 0.9) + 0.5 * cv2.GaussianBlur(raw, (0, 0), 3.0)
    if kind == "grain":
        tile = tile / tile.std() * 0.6 + gen.standard_normal((_TILE, _TILE), dtype=np.float32)
    tile = (tile - tile.mean()) / tile.std()
    tile.setflags(write=False)
    return tile


def noise(kind: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A random ``h x w`` crop of a noise tile (a read-only view when it fits)."""
    tile = _tile(kind)
    if h > _TILE or w > _TILE:
        tile = np.tile(tile, (-(-h // _TILE), -(-w // _TILE)))
    y = int(rng.integers(0, tile.shape[0] - h + 1))
    x = int(rng.integers(0, tile.shape[1] - w + 1))
    return tile[y : y + h, x : x + w]


def _jitter(colour: tuple[int, ...], amount: float, rng: np.random.Generator) -> np.ndarray:
    return np.clip(np.array(colour, np.float32) + rng.uniform(-amount, amount, 3), 0, 255)


def _shade(h: int, w: int, rng: np.random.Generator, k: float, easy: bool) -> np.ndarray:
    """Illumination map: exposure, linear gradient, radial fall-off and a soft shadow."""
    sh, sw = 24, max(4, round(24 * w / h))
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    yy, xx = yy / (sh - 1), xx / (sw - 1)
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5) + 0.5
    dark = rng.uniform(0, min(0.55, 0.35 * k)) * ramp
    cy, cx = rng.uniform(0.2, 0.8, 2)
    dark += rng.uniform(0, 0.3 * k) * ((yy - cy) ** 2 + (xx - cx) ** 2)
    if not easy and rng.random() < 0.3 * k:
        mask = np.zeros((sh, sw), np.float32)
        pts = rng.uniform(-0.3, 1.3, (4, 2)) * (sw, sh)
        pts[:2] = rng.uniform(-0.5, 1.5, (2, 2)) * (sw, sh)
        cv2.fillConvexPoly(mask, cv2.convexHull(pts.astype(np.int32)), 1.0)
        mask = cv2.GaussianBlur(mask, (0, 0), rng.uniform(0.8, 3.0))
        dark += mask * rng.uniform(0.15, min(0.5, 0.35 * k))
    blotch = cv2.GaussianBlur(rng.standard_normal((sh, sw), dtype=np.float32), (0, 0), 1.2)
    dark += rng.uniform(0.0, 0.05 * k) * blotch
    small = rng.uniform(0.8, 1.0) * (1.0 - np.clip(dark, -0.05, 0.6))
    return cv2.resize(small.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)


def _segment(img: np.ndarray, warp: np.ndarray, a: tuple[float, float], b: tuple[float, float],
             thick: int) -> None:
    """Draw the page-coordinate segment a-b, as seen through ``warp``, into ``img`` (255)."""
    ends = cv2.perspectiveTransform(np.array([[a, b]], np.float32), warp)[0] * 16
    p, q = np.round(ends).astype(np.int64).tolist()
    cv2.line(img, p, q, 255, thick, cv2.LINE_AA, 4)


def _ruling(h: int, w: int, rng: np.random.Generator, spacing: float, baseline: float,
            warp: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Maps (uint8) of ruled lines or a grid, and of a red margin line or None."""
    lines = np.zeros((h, w), np.uint8)
    thick = 1 if rng.random() < 0.75 else 2
    step = spacing if rng.random() < 0.7 else spacing / rng.choice([2, 3])
    y = baseline % step
    while y < h:
        _segment(lines, warp, (0, y), (w, y), thick)
        y += step
    if step < spacing:
        x = rng.uniform(0, step)
        while x < w:
            _segment(lines, warp, (x, 0), (x, h), thick)
            x += step
    margin = None
    if rng.random() < 0.2:
        margin = np.zeros((h, w), np.uint8)
        x = rng.uniform(0.04, 0.2) * w
        _segment(margin, warp, (x, 0), (x, h), thick)
    return lines, margin


def _specks(cover: np.ndarray, rng: np.random.Generator, k: float) -> None:
    """Dust and dots of ink, drawn into the coverage map in place."""
    h, w = cover.shape
    for _ in range(int(rng.integers(1, 2 + 10 * k))):
        centre = (int(rng.integers(0, w * 4)), int(rng.integers(0, h * 4)))
        radius = int(rng.integers(1, 7))
        cv2.circle(cover, centre, radius, float(rng.uniform(0.2, 0.7)), -1, cv2.LINE_AA, 2)


def _blur(maps: list[np.ndarray], rng: np.random.Generator, k: float,
          easy: bool) -> list[np.ndarray]:
    """The same focus or motion blur applied to every map."""
    if not easy and rng.random() < 0.15 * k:
        size = int(rng.integers(3, 4 + 5 * k)) | 1
        kernel = np.zeros((size, size), np.float32)
        angle = rng.uniform(0, np.pi)
        c, d = size // 2, (size - 1) / 2
        end = (round((c + d * np.cos(angle)) * 16), round((c + d * np.sin(angle)) * 16))
        start = (round((c - d * np.cos(angle)) * 16), round((c - d * np.sin(angle)) * 16))
        cv2.line(kernel, start, end, 1.0, 1, cv2.LINE_AA, 4)
        return [cv2.filter2D(m, -1, kernel / kernel.sum()) for m in maps]
    sigma = rng.uniform(0.0, 0.35 if easy else 1.1 * k)
    return [cv2.GaussianBlur(m, (0, 0), sigma) for m in maps] if sigma > 0.3 else maps


def page_warp(h: int, w: int, rng: np.random.Generator, difficulty: str,
              margin: float) -> tuple[np.ndarray, bool]:
    """Homography from page to photo, and whether it shrinks the page (showing the table).

    A page that is not shrunk is stretched outwards by less than ``margin`` pixels per corner, so
    ink that keeps ``margin`` pixels from the edges stays inside the photo.
    """
    k, easy = level(difficulty), difficulty == "easy"
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    outward = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float32)
    shrink = not easy and rng.random() < 0.12 * k
    if shrink:
        move = -rng.uniform(0.02, 0.05 + 0.06 * k, (4, 2)) * min(h, w)
    else:
        limit = min(0.015 if easy else 0.04 * k, 0.6 * margin / min(h, w))
        move = rng.uniform(0, limit, (4, 2)) * min(h, w)
    return cv2.getPerspectiveTransform(src, src + outward * move.astype(np.float32)), shrink


def transform_box(hull: np.ndarray, warp: np.ndarray, h: int, w: int) -> Box:
    """Bounding box (x, y, w, h), clipped to the photo, of page points ``hull`` after ``warp``."""
    pts = cv2.perspectiveTransform(hull.reshape(-1, 1, 2).astype(np.float32), warp).reshape(-1, 2)
    x0, y0 = np.maximum(np.floor(pts.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(pts.max(axis=0)).astype(int), (w, h))
    return int(x0), int(y0), int(max(x1 - x0, 1)), int(max(y1 - y0, 1))


def photograph(alpha: np.ndarray, rng: np.random.Generator, *, difficulty: str = "mixed",
               ruled: bool | None = None, spacing: float = 40.0, baseline: float = 0.0,
               warp: np.ndarray | None = None, shrink: bool = False) -> np.ndarray:
    """Photograph ink coverage ``alpha`` (H x W float32 in [0, 1], already in photo coordinates).

    ``spacing`` and ``baseline`` place ruled lines on the page; ``warp`` (page to photo, see
    :func:`page_warp`) bends them and, when ``shrink``, frames the page with a table top.
    """
    k = level(difficulty)
    easy = difficulty == "easy"
    h, w = alpha.shape
    warp = np.eye(3) if warp is None else warp
    gains = 1.0 + rng.uniform(-0.06, 0.06, 3).astype(np.float32) * k
    strength = rng.uniform(0.82, 1.0)
    grain = 0.0
    if not easy and rng.random() < 0.03 * k:  # chalk on a board, or white on black
        paper = _jitter(_BOARDS[rng.integers(len(_BOARDS))], 8, rng) * gains
        ink = _jitter((228, 232, 232), 12, rng) * gains
        strength *= rng.uniform(0.6, 0.9)
        grain = 0.3
    else:
        paper = _jitter(_PAPERS[rng.choice(len(_PAPERS), p=_PAPER_P)], 7, rng) * gains
        choice = rng.choice(len(_INKS), p=_INK_P)
        ink = _jitter(_INKS[choice], 14, rng) * gains
        if choice == _PENCIL:
            strength *= rng.uniform(0.55, 0.85)
            grain = 0.12
    cover = alpha
    if grain:
        cover = alpha * np.clip(1.0 + grain * noise("fibre", h, w, rng), 0.0, 1.2)
    if not easy and rng.random() < 0.4 * k:
        cover = cover.copy() if cover is alpha else cover
        _specks(cover, rng, k)
    maps, colours = [cover], [paper + (ink - paper) * strength]
    if ruled or (ruled is None and not easy and rng.random() < 0.35):
        tone = rng.uniform(0.2, 0.6) / 255
        lines, margin = _ruling(h, w, rng, spacing, baseline, warp)
        blue = np.array((235, 190, 150) if rng.random() < 0.7 else (150, 150, 150), np.float32)
        maps.append(lines.astype(np.float32))
        colours.append(paper + (blue * gains - paper) * tone)
        if margin is not None:
            maps.append(margin.astype(np.float32))
            colours.append(paper + (np.array((90, 90, 230), np.float32) * gains - paper) * tone)
    if shrink:
        page = np.full((h, w), 255, np.uint8)
        quad = cv2.perspectiveTransform(np.array([[[0, 0], [w, 0], [w, h], [0, h]]], np.float32),
                                        warp)[0]
        cv2.fillConvexPoly(page, np.round(quad * 16).astype(np.int32), 0, cv2.LINE_AA, 4)
        maps.append(page.astype(np.float32))
        table = _jitter(_TABLES[rng.integers(len(_TABLES))], 10, rng)
        colours.append(paper + (table - paper) / 255)
    maps = _blur(maps, rng, k, easy)
    shade = _shade(h, w, rng, k, easy)
    shade = cv2.scaleAdd(noise("grain", h, w, rng), rng.uniform(0.004, 0.008 + 0.014 * k), shade)
    lit = [cv2.multiply(m, shade) for m in maps]
    channels = []
    for c in range(3):  # paper * shade + sum of (colour - paper) * map * shade
        last = len(lit) == 1
        value = cv2.addWeighted(shade, float(paper[c]), lit[0], float(colours[0][c] - paper[c]),
                                0.0, dtype=cv2.CV_8U if last else cv2.CV_32F)
        for i in range(1, len(lit)):
            value = cv2.scaleAdd(lit[i], float(colours[i][c] - paper[c]), value)
        channels.append(value if last else cv2.convertScaleAbs(value))
    out = cv2.merge(channels)
    low, high = (70, 96) if easy else ((35, 96) if k <= 1 else (35, 76))
    quality = int(rng.integers(low, high))
    if rng.random() < 0.1:  # saved losslessly (a screenshot, a scanner's PNG)
        return out
    ok, jpg = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(jpg, cv2.IMREAD_COLOR) if ok else out
