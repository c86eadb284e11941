"""Realistic "photos of handwritten digits" made from MNIST digits.

An MNIST digit is thinned to its skeleton, traced into smooth pen paths and re-drawn with a pen of
any width (:mod:`mnist_desktop.training.synth_strokes`); the ink is then photographed on paper
(:mod:`mnist_desktop.training.synth_effects`). Used for training augmentation, a held-out
realistic test
set and multi-digit sheets. Every function is deterministic given its ``np.random.Generator`` and
never changes its inputs.
"""

from __future__ import annotations

import cv2
import numpy as np

from mnist_desktop.training.synth_effects import Box, level, page_warp, photograph, transform_box
from mnist_desktop.training.synth_strokes import digit_paths, draw, fit, smooth_upscale
from mnist_desktop.training.synth_strokes import pen_width as _pen


def redraw_as_strokes(digit: np.ndarray, height_px: int, rng: np.random.Generator,
                      pen_width: float | None = None) -> np.ndarray:
    """Re-draw an MNIST digit (28x28 uint8, white on black) as pen strokes about ``height_px`` tall.

    Returns float32 ink coverage in [0, 1]. The pen is ``pen_width`` pixels wide, or random from a
    thin ballpoint to a marker; stroke width wobbles a little along the way.
    """
    pen = float(pen_width) if pen_width is not None else _pen(height_px, rng)
    paths = digit_paths(digit, rng)
    if paths is None:
        return smooth_upscale(digit, height_px)
    return draw(fit(paths, height_px, pen), pen, rng)[0]


def _stroke_digit(digit: np.ndarray, rng: np.random.Generator, height: float, pen: float,
                  angle: float, shear: float, width: float) -> np.ndarray:
    """A rotated, sheared stroke drawing of ``digit`` that fits ``height`` x ``width``."""
    paths = digit_paths(digit, rng)
    if paths is None:
        return smooth_upscale(digit, max(1, round(height)))[:, : max(1, round(width))]
    return draw(fit(paths, height, pen, angle, shear, width), pen, rng)[0]


def _paste(alpha: np.ndarray, cover: np.ndarray, x: int, y: int) -> Box:
    """Add ``cover`` into ``alpha`` at (x, y) (clipped); returns the box of its ink there."""
    h, w = alpha.shape
    top, left = max(y, 0), max(x, 0)
    part = cover[top - y : h - y, left - x : w - x]
    region = alpha[top : top + part.shape[0], left : left + part.shape[1]]
    np.maximum(region, part, out=region)
    rows = np.nonzero(part.max(axis=1, initial=0) > 0.25)[0]
    cols = np.nonzero(part.max(axis=0, initial=0) > 0.25)[0]
    if len(rows) == 0:
        return left, top, 1, 1
    return (left + int(cols[0]), top + int(rows[0]), int(cols[-1] - cols[0] + 1),
            int(rows[-1] - rows[0] + 1))


def _ink_hull(cover: np.ndarray, offset: tuple[int, int]) -> np.ndarray:
    """Corner points (x, y) of the ink's outline, in page coordinates."""
    contours, _ = cv2.findContours((cover > 0.25).astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return np.array([[0, 0], [1, 1]], np.float32) + offset
    pts = np.concatenate(contours).reshape(-1, 2)
    corners = np.concatenate([pts, pts + (1, 0), pts + (0, 1), pts + (1, 1)])
    return corners.astype(np.float32) + offset


def render_photo(digit: np.ndarray, rng: np.random.Generator, *,
                 size: tuple[int, int] | None = None,
                 difficulty: str = "mixed") -> tuple[np.ndarray, Box]:
    """A phone photo (BGR uint8) of ``digit`` handwritten on paper, and the ink's box (x, y, w, h).

    ``size`` is (height, width), random 120..640 when None. ``difficulty`` ("easy", "mixed",
    "hard") scales paper texture, lighting, shadows, blur, noise, warp and JPEG loss.
    """
    k = level(difficulty)
    if size is None:
        tall = int(rng.integers(120, 641))
        size = (tall, int(np.clip(tall * rng.uniform(0.75, 1.34), 120, 640)))
    h, w = size
    margin = max(3.0, 0.06 * min(h, w))
    height = min(rng.uniform(0.15, 0.7) * h, h - 2 * margin - 2)
    pen = _pen(height, rng)
    turn = 6.0 if difficulty == "easy" else 15.0
    angle, shear = rng.uniform(-turn, turn), rng.uniform(-0.2, 0.2) * min(k, 1.0)
    paths = digit_paths(digit, rng)
    warp, shrink = page_warp(h, w, rng, difficulty, margin)
    if paths is None:  # nothing to trace: a smooth upscale, pasted flat
        cover = smooth_upscale(digit, max(1, round(height)))[:, : int(w - 2 * margin)]
        extent = np.array(cover.shape[::-1], np.float32)
    else:
        paths = fit(paths, height, pen, angle, shear, w - 2 * margin - 2)
        extent = np.concatenate(paths).max(axis=0) + pen
    x, y = margin + rng.uniform(0, 1, 2) * np.maximum(np.array((w, h)) - 2 * margin - extent, 0)
    if paths is None:
        cx, cy = round(x), round(y)
    else:
        moved = [cv2.perspectiveTransform((p + (x + pen / 2, y + pen / 2))[None], warp)[0]
                 for p in paths]
        cover, (cx, cy) = draw(moved, pen, rng)
    alpha = np.zeros((h, w), np.float32)
    box = _paste(alpha, cover, cx, cy)
    image = photograph(alpha, rng, difficulty=difficulty, spacing=height * rng.uniform(0.8, 1.4),
                       baseline=y + height, warp=warp, shrink=shrink)
    return image, box


def _break(cover: np.ndarray, rng: np.random.Generator, pen: float) -> np.ndarray:
    """Cut a gap into a stroke and/or detach the top of the digit by a few pixels."""
    out = cover.copy()
    mode = int(rng.integers(3))
    if mode != 1:
        ys, xs = np.nonzero(out > 0.8)
        if len(ys):
            i = int(rng.integers(len(ys)))
            radius = round(rng.uniform(0.7, 1.1) * pen + 1)
            cv2.circle(out, (int(xs[i]), int(ys[i])), radius, 0.0, -1, cv2.LINE_AA)
    if mode != 0:
        rows = np.nonzero(out.max(axis=1) > 0.25)[0]
        if len(rows) > 4:
            cut = int(rows[0] + rng.uniform(0.15, 0.3) * (rows[-1] - rows[0]))
            shift = int(rng.integers(2, max(3, round(0.1 * len(rows))) + 1))
            moved = np.zeros((out.shape[0] + shift, out.shape[1]), np.float32)
            moved[:cut] = out[:cut]
            moved[cut + shift :] = out[cut:]
            out = moved
    return out


def _ink_rows(cover: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``cover``: first and last inked column (-1 and -1 where the row is empty)."""
    has = cover > 0.3
    any_ = has.any(axis=1)
    left = np.where(any_, np.argmax(has, axis=1), -1)
    right = np.where(any_, cover.shape[1] - 1 - np.argmax(has[:, ::-1], axis=1), -1)
    return left, right


def _next_x(prev: tuple[np.ndarray, int, int], cover: np.ndarray, y: int, gap: float,
            overlap: float) -> int:
    """Left edge for ``cover`` at row ``y`` so its ink comes ``gap`` pixels after ``prev``'s.

    The gap is measured row by row (so a 7 may tuck over a 1), but the two ink boxes may overlap
    by at most ``overlap`` times the narrower ink width.
    """
    pcover, px, py = prev
    _, right = _ink_rows(pcover)
    left, _ = _ink_rows(cover)
    top, bottom = max(py, y), min(py + len(right), y + len(left))
    rows = np.arange(top, bottom)
    both = (right[rows - py] >= 0) & (left[rows - y] >= 0) if len(rows) else rows > 0
    ink_left = int(left[left >= 0].min(initial=0))
    ink_right = int(right.max())
    width = min(ink_right - int(right[right >= 0].min(initial=0)),
                int(_ink_rows(cover)[1].max()) - ink_left) + 1
    boxed = px + ink_right + 1 - ink_left - overlap * width
    if both.any():
        best = int((right[rows[both] - py] - left[rows[both] - y]).max()) + px + 1 + gap
    else:
        best = boxed + gap
    return int(round(max(best, boxed)))


def compose_sheet(digits: list[np.ndarray], rng: np.random.Generator, *,
                  lines: list[int] | None = None, touching: bool = False, broken: bool = False,
                  ruled: bool | None = None, difficulty: str = "mixed",
                  digit_height: float | None = None, masks: list[np.ndarray] | None = None
                  ) -> tuple[np.ndarray, list[Box]]:
    """A photo of ``digits`` written as a number (or as lines of numbers) on paper.

    ``lines`` gives how many digits go on each line, top to bottom (default: all on one). Returns
    the BGR image and one (x, y, w, h) box per digit in reading order. ``touching`` makes some
    neighbours' strokes touch, ``broken`` cuts a gap into one digit or detaches its top,
    ``ruled`` forces ruled paper on or off, ``digit_height`` fixes the base size in pixels.
    A ``masks`` list receives each digit's ink (bool, the photo's size), in reading order.
    """
    counts = list(lines) if lines is not None else [len(digits)]
    if not digits or sum(counts) != len(digits) or min(counts) < 1:
        raise ValueError("lines must be positive counts adding up to len(digits)")
    calm = 0.4 if difficulty == "easy" else 1.0
    level(difficulty)
    base = float(digit_height) if digit_height else rng.uniform(28, 90)
    pen = _pen(base, rng)
    line_gap = base * rng.uniform(1.5, 2.1)
    broken_at = int(rng.integers(len(digits))) if broken else -1
    placed: list[tuple[np.ndarray, int, int]] = []
    for row, count in enumerate(counts):
        slant = rng.uniform(-5, 5) * calm
        touch = rng.random(count) < 0.5
        if touching and count > 1 and not touch[1:].any():
            touch[int(rng.integers(1, count))] = True
        x = rng.uniform(0, 0.6) * base
        for j in range(count):
            index = len(placed)
            height = base * rng.uniform(0.75, 1.25)
            cover = _stroke_digit(digits[index], rng, height, pen,
                                  slant + rng.uniform(-4, 4) * calm,
                                  rng.uniform(-0.15, 0.15) * calm, 3 * height)
            if index == broken_at:
                cover = _break(cover, rng, pen)
            gap = -rng.uniform(0.2, 0.6) * pen - 1 if touching and touch[j] else (
                rng.uniform(0.03, 0.6) * base)
            guess = x if j == 0 else placed[-1][1] + placed[-1][0].shape[1] + gap
            rows = np.nonzero(cover.max(axis=1) > 0.25)[0]
            bottom = row * line_gap + np.tan(np.deg2rad(slant)) * guess
            y = int(round(bottom + rng.uniform(-0.06, 0.06) * base - rows[-1]))
            x = int(round(x)) if j == 0 else _next_x(
                placed[-1], cover, y, gap, 0.5 if touching and touch[j] else 0.2)
            placed.append((cover, x, y))
    x0 = min(p[1] for p in placed)
    y0 = min(p[2] for p in placed)
    ink_w = max(p[1] + p[0].shape[1] for p in placed) - x0
    ink_h = max(p[2] + p[0].shape[0] for p in placed) - y0
    left, right = (rng.uniform(0.05, 0.3, 2) * ink_w + 0.3 * base).astype(int)
    top, below = (rng.uniform(0.3, 1.2, 2) * base).astype(int)
    alpha = np.zeros((ink_h + top + below, ink_w + left + right), np.float32)
    hulls = []
    for cover, x, y in placed:
        px, py = x - x0 + left, y - y0 + top
        region = alpha[py : py + cover.shape[0], px : px + cover.shape[1]]
        np.maximum(region, cover, out=region)
        hulls.append(_ink_hull(cover, (px, py)))
    spacing = line_gap if len(counts) > 1 else base * rng.uniform(1.2, 1.6)
    warp, shrink = page_warp(*alpha.shape, rng, difficulty, float(min(left, right, top, below)))
    alpha = cv2.warpPerspective(alpha, warp, alpha.shape[::-1], flags=cv2.INTER_LINEAR)
    boxes = [transform_box(hull, warp, *alpha.shape) for hull in hulls]
    if masks is not None:
        for cover, x, y in placed:
            one = np.zeros_like(alpha)
            px, py = x - x0 + left, y - y0 + top
            one[py: py + cover.shape[0], px: px + cover.shape[1]] = cover
            masks.append(cv2.warpPerspective(one, warp, alpha.shape[::-1],
                                             flags=cv2.INTER_LINEAR) > 0.3)
    image = photograph(alpha, rng, difficulty=difficulty, ruled=ruled, spacing=spacing,
                       baseline=top - y0 + rng.uniform(0.0, 0.1) * base, warp=warp, shrink=shrink)
    return image, boxes


def render_digit_on_canvas(digit: np.ndarray, rng: np.random.Generator,
                           canvas_size: tuple[int, int] = (280, 280)) -> np.ndarray:
    """The digit as a user would draw it in the app: black strokes on white (uint8 grey, h x w)."""
    h, w = canvas_size
    height = rng.uniform(0.45, 0.8) * h
    cover = _stroke_digit(digit, rng, height, rng.uniform(0.05, 0.09) * h, rng.uniform(-8, 8),
                          rng.uniform(-0.1, 0.1), 0.9 * w)[:h, :w]
    ch, cw = cover.shape
    y = int(np.clip((h - ch) / 2 + rng.uniform(-0.1, 0.1) * h, 0, h - ch))
    x = int(np.clip((w - cw) / 2 + rng.uniform(-0.1, 0.1) * w, 0, w - cw))
    canvas = np.full((h, w), 255, np.uint8)
    canvas[y : y + ch, x : x + cw] = np.round(255 * (1 - cover)).astype(np.uint8)
    return canvas


def tight_crop(digit: np.ndarray, side: int, *, stretch: bool) -> np.ndarray:
    """A digit as digit data sets crop it: cut to its ink (pixels above 30 on black) and
    resized to ``side`` x ``side``, stretched to fill the square or with its aspect ratio
    kept (centred, the short side padded). Input untouched."""
    ys, xs = np.nonzero(np.asarray(digit) > 30)
    if not len(ys):
        return np.zeros((side, side), np.uint8)
    ink = digit[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    if stretch:
        return cv2.resize(ink, (side, side), interpolation=cv2.INTER_AREA)
    h, w = ink.shape
    scale = side / max(h, w)
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    out = np.zeros((side, side), np.uint8)
    oy, ox = (side - size[1]) // 2, (side - size[0]) // 2
    out[oy : oy + size[1], ox : ox + size[0]] = cv2.resize(ink, size, interpolation=cv2.INTER_AREA)
    return out
