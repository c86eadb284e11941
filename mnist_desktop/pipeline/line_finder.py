"""Find the lines of writing in a picture, for the line model. Qt-free, pure.

The pipeline's own ink finder (:func:`mnist_desktop.pipeline.ink.find_ink`, at a size fit for a
page) gives the ink's pieces; pieces the height of writing are grouped into lines by their
vertical overlap, and small ones (dots, commas, the bar of a 5) join the line they sit in.
A small picture shaped like a line with one line of writing in it (a cheque amount, a form
field, a register cell) goes to the line model whole, as it is. Each line is handed on as a
box in the picture's pixels with a margin around its ink, as the line model was trained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_desktop.pipeline.ink import find_ink
from mnist_desktop.pipeline.line_input import ink_is_dark, ink_strength

Box = tuple[int, int, int, int]

LINE_PICTURE_HEIGHT = 160
"""A picture no taller than this, at least as wide as tall and with one line of writing,
is read whole."""
PAGE_SIDE = 512
"""Longest side of the analysis image when looking for lines."""
NUMBER_MAX_SIDE = 2 * PAGE_SIDE
"""The largest analysis size used; batch loading may shrink pictures to about this."""
SMALL_WRITING = 14
"""When the writing is smaller than this many analysis pixels, look again at twice the size."""
MARGIN_Y = 0.3
MARGIN_X = 0.5
"""Margins around a line's ink, in line heights."""


@dataclass(frozen=True)
class FoundLine:
    """A line of writing: its box in the picture and the ink's polarity (None: not known)."""

    box: Box
    dark_ink: bool | None


def is_line_picture(shape: tuple[int, int]) -> bool:
    h, w = shape
    return h <= LINE_PICTURE_HEIGHT and w >= h


def _pieces(grey: np.ndarray, side: int) -> tuple[list[Box], float, bool]:
    ink = find_ink(grey, side)
    if not ink.candidates:
        ink = find_ink(grey, side, drop_frame_junk=False)
    boxes = [tuple(int(v) for v in ink.stats[i][:4]) for i in ink.candidates]
    return boxes, ink.scale, ink.dark_ink  # type: ignore[return-value]


def _group(boxes: list[Box]) -> list[list[Box]]:
    """Boxes the height of writing, grouped into lines; small pieces join their line."""
    if not boxes:
        return []
    heights = np.array([b[3] for b in boxes], float)
    tall = float(np.percentile(heights, 75))
    big = [b for b in boxes if b[3] >= 0.45 * tall]
    small = [b for b in boxes if b[3] < 0.45 * tall]
    lines: list[list[Box]] = []
    for box in sorted(big, key=lambda b: b[1] + b[3] / 2):
        for line in lines:
            top = min(b[1] for b in line)
            bottom = max(b[1] + b[3] for b in line)
            overlap = min(bottom, box[1] + box[3]) - max(top, box[1])
            if overlap >= 0.5 * min(box[3], bottom - top):
                line.append(box)
                break
        else:
            lines.append([box])
    for box in small:
        cy = box[1] + box[3] / 2
        for line in lines:
            top = min(b[1] for b in line)
            bottom = max(b[1] + b[3] for b in line)
            height = bottom - top
            left = min(b[0] for b in line) - height
            right = max(b[0] + b[2] for b in line) + height
            if top - 0.2 * height <= cy <= bottom + 0.3 * height and left <= box[0] <= right:
                line.append(box)
                break
    return sorted(lines, key=lambda line: min(b[1] for b in line))


def _line_box(line: list[Box], scale: float, shape: tuple[int, int]) -> Box:
    x0 = min(b[0] for b in line) / scale
    y0 = min(b[1] for b in line) / scale
    x1 = max(b[0] + b[2] for b in line) / scale
    y1 = max(b[1] + b[3] for b in line) / scale
    height = y1 - y0
    h, w = shape
    left = int(max(0, np.floor(x0 - MARGIN_X * height)))
    top = int(max(0, np.floor(y0 - MARGIN_Y * height)))
    right = int(min(w, np.ceil(x1 + MARGIN_X * height)))
    bottom = int(min(h, np.ceil(y1 + MARGIN_Y * height)))
    return left, top, max(1, right - left), max(1, bottom - top)


def _bands(grey: np.ndarray) -> list[Box]:
    """Bands of writing one above the other, split by rows without ink, as boxes around
    their ink; a printed rule or a faint security pattern is no band of its own."""
    strength = ink_strength(grey, ink_is_dark(grey))
    level = 0.5 * max(float(np.percentile(strength, 99.5)), 24.0)
    ink = strength >= level
    rows = np.count_nonzero(ink, axis=1).astype(float)
    busy = rows > 0.08 * float(np.percentile(rows, 95))
    spans, start = [], None
    for y, on in enumerate([*busy, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            spans.append((start, y))
            start = None
    if not spans:
        return []
    total = rows.sum()
    tallest = max(end - begin for begin, end in spans)
    out = []
    for begin, end in spans:
        if end - begin >= 0.4 * tallest and rows[begin:end].sum() >= 0.15 * total:
            cols = np.nonzero(ink[begin:end].any(axis=0))[0]
            out.append((int(cols[0]), begin, int(cols[-1] - cols[0] + 1), end - begin))
    return out


def _with_margin(box: Box, shape: tuple[int, int]) -> Box:
    x, y, w, h = box
    left = int(max(0, x - MARGIN_X * h))
    top = int(max(0, y - MARGIN_Y * h))
    right = int(min(shape[1], x + w + MARGIN_X * h))
    bottom = int(min(shape[0], y + h + MARGIN_Y * h))
    return left, top, max(1, right - left), max(1, bottom - top)


def find_lines(grey: np.ndarray) -> list[FoundLine]:
    """The lines of writing in a uint8 grey picture, top to bottom."""
    if is_line_picture(grey.shape):
        bands = _bands(grey)
        if len(bands) <= 1:
            box = _with_margin(bands[0], grey.shape) if bands else (0, 0, *grey.shape[::-1])
            return [FoundLine(box, None)]
    boxes, scale, dark = _pieces(grey, PAGE_SIDE)
    if (boxes and max(grey.shape) > PAGE_SIDE
            and float(np.median([b[3] for b in boxes])) < SMALL_WRITING):
        boxes, scale, dark = _pieces(grey, NUMBER_MAX_SIDE)
    return [FoundLine(_line_box(line, scale, grey.shape), dark) for line in _group(boxes)]
