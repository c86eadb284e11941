"""The segmentation path of the number reader: where a line's ink falls apart into pieces
the size of a digit, each piece is one digit for the digit model. Pure, Qt-free, no model.

``pieces(ink)`` cuts a line's ink (the line model's 32-row input, thresholded) into pieces:
connected components, stacked ones joined (the loose bar of a 5, a broken stroke). Small
pieces (dots, commas, dashes, underlines) are no digit on their own.

``plan(pieces, height, emissions)`` decides, piece by piece, who reads what:

- a piece in which the line model put two or more symbols, wide enough to hold two, is
  touching writing: the line model's symbols there stand (``Unit.emissions``);
- any other piece is one digit (or one mark) read from its own ink (``Unit.pieces``);
  two neighbouring narrow pieces may be one broken digit: a small dynamic programme
  chooses, from both models' scores (``choose``), between one digit and two.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from mnist_desktop.reading.line_model import DOWNSAMPLE, Emission

MIN_AREA = 3
"""Components smaller than this many input pixels are specks."""
STACKED = 0.5
"""Components sharing this much of the narrower one's width are one piece."""
SMALL_HEIGHT = 0.5
SMALL_WIDTH = 0.6
FLAT = 0.3
"""A piece lower than ``SMALL_HEIGHT`` x the writing's height and narrower than
``SMALL_WIDTH`` of it (a dot, a comma), or lower than ``FLAT`` (a dash), is no digit."""
TOUCHING_WIDTH = 0.6
"""A piece at least this wide (x height) with two or more symbols in it is touching writing."""
MERGE_WIDTH = 1.3
MERGE_GAP = 0.3
"""Two pieces may be one broken digit when together no wider than ``MERGE_WIDTH`` x the
height and no further apart than ``MERGE_GAP`` x the height."""
COUNT_PENALTY = 2.0
"""Log-score cost per symbol of difference between a unit and the line model's count there."""


@dataclass(frozen=True)
class Piece:
    """Ink standing apart on a line: columns ``[lo, hi)`` and its box (line-input pixels)."""

    box: tuple[int, int, int, int]
    mask: np.ndarray = field(repr=False)
    """The piece's ink (uint8 0/255), cut to ``box``."""
    small: bool = False

    @property
    def lo(self) -> int:
        return self.box[0]

    @property
    def hi(self) -> int:
        return self.box[0] + self.box[2]


def _union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def pieces(ink: np.ndarray) -> tuple[list[Piece], float]:
    """The pieces of a line's ink (bool, rows x columns), left to right, and the height of
    its writing (median height of the tall pieces; 0 when there is none)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), 8)
    comps = [i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= MIN_AREA]
    comps.sort(key=lambda i: int(stats[i, 0]))
    groups: list[list[int]] = []
    for i in comps:
        x, w = int(stats[i, 0]), int(stats[i, 2])
        for group in groups:
            gx0 = min(int(stats[j, 0]) for j in group)
            gx1 = max(int(stats[j, 0] + stats[j, 2]) for j in group)
            overlap = min(gx1, x + w) - max(gx0, x)
            if overlap >= STACKED * min(w, gx1 - gx0):
                group.append(i)
                break
        else:
            groups.append([i])
    boxes = [_union([tuple(int(v) for v in stats[j, :4]) for j in g]) for g in groups]
    if not boxes:
        return [], 0.0
    heights = np.array([b[3] for b in boxes], float)
    height = float(np.median(heights[heights >= 0.5 * heights.max()]))
    out = []
    for group, box in sorted(zip(groups, boxes, strict=True), key=lambda gb: gb[1][0]):
        x, y, w, h = box
        mask = np.isin(labels[y: y + h, x: x + w], group).astype(np.uint8) * 255
        small = (h < SMALL_HEIGHT * height and w < SMALL_WIDTH * height) or h < FLAT * height
        out.append(Piece(box, mask, small))
    return out, height


def merged(parts: tuple[Piece, ...]) -> Piece:
    """Several pieces as one (a broken digit)."""
    if len(parts) == 1:
        return parts[0]
    box = _union([p.box for p in parts])
    mask = np.zeros((box[3], box[2]), np.uint8)
    for p in parts:
        x, y = p.box[0] - box[0], p.box[1] - box[1]
        region = mask[y: y + p.box[3], x: x + p.box[2]]
        np.maximum(region, p.mask, out=region)
    return Piece(box, mask)


def inside(emissions: list[Emission], lo: int, hi: int) -> list[Emission]:
    """The line model's symbols whose peak lies in columns ``[lo, hi)``."""
    return [e for e in emissions if lo <= e.centre < hi]


def evidence(probs: np.ndarray, lo: int, hi: int, classes: int = 11) -> np.ndarray:
    """The line model's opinion of columns ``[lo, hi)``: per class (digits and the mark),
    its highest probability at a step there, normalised to sum 1 (flat when no step)."""
    first, last = lo // DOWNSAMPLE, max(lo // DOWNSAMPLE + 1, -(-hi // DOWNSAMPLE))
    window = probs[first: min(last, len(probs)), :classes]
    if len(window) == 0:
        return np.full(classes, 1.0 / classes)
    top = window.max(axis=0).astype(np.float64) + 1e-6
    return top / top.sum()


@dataclass(frozen=True)
class Unit:
    """What one stretch of a line is read as: one digit from ``pieces``' ink, or the line
    model's ``emissions`` (touching writing)."""

    parts: tuple[Piece, ...] = ()
    emissions: tuple[Emission, ...] = ()


def plan(line_pieces: list[Piece], height: float,
         emissions: list[Emission]) -> list[list[Unit]]:
    """Per run of pieces between forced units: the candidate units, for ``choose``.

    Returns the units in reading order as a list of *options*: each entry is a list of
    alternatives ``[single]`` or ``[single, merged-with-next]`` (see ``choose``)."""
    big = [p for p in line_pieces if not p.small]
    out: list[list[Unit]] = []
    for k, piece in enumerate(big):
        symbols = inside(emissions, piece.lo, piece.hi)
        if len(symbols) >= 2 and piece.box[2] >= TOUCHING_WIDTH * height:
            out.append([Unit(emissions=tuple(symbols))])
            continue
        options = [Unit(parts=(piece,))]
        after = big[k + 1] if k + 1 < len(big) else None
        if after is not None and not (len(inside(emissions, after.lo, after.hi)) >= 2
                                      and after.box[2] >= TOUCHING_WIDTH * height):
            both = _union([piece.box, after.box])
            if both[2] <= MERGE_WIDTH * height and after.lo - piece.hi <= MERGE_GAP * height:
                options.append(Unit(parts=(piece, after)))
        out.append(options)
    return out


def choose(options: list[list[Unit]], score: dict[int, float]) -> list[Unit]:
    """The best sequence of units: every big piece read once, a merged option taking the
    next entry's place. ``score[id(unit)]`` is each unit's log-score (both models)."""
    n = len(options)
    best = [0.0] * (n + 1)
    pick: list[Unit | None] = [None] * (n + 1)
    for i in range(n - 1, -1, -1):
        best[i], pick[i] = -np.inf, None
        for unit in options[i]:
            step = 2 if len(unit.parts) == 2 else 1
            if i + step > n:
                continue
            total = score.get(id(unit), 0.0) + best[i + step]
            if total > best[i]:
                best[i], pick[i] = total, unit
    out, i = [], 0
    while i < n:
        unit = pick[i]
        assert unit is not None
        out.append(unit)
        i += 2 if len(unit.parts) == 2 else 1
    return out


def count_cost(unit: Unit, emissions: list[Emission]) -> float:
    """How far the line model's count of symbols over the unit's ink is from one."""
    lo = min(p.lo for p in unit.parts)
    hi = max(p.hi for p in unit.parts)
    return COUNT_PENALTY * abs(len(inside(emissions, lo, hi)) - 1)
