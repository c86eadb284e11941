"""The segmentation path of the number reader: where a line's ink falls apart into pieces
the size of a digit, each piece is one digit for the digit model. Pure, Qt-free, no model.

``pieces(ink, column_scale)`` cuts a line's ink (made as the line model's input is, paper
removed, at twice its height so that each piece's 28x28 is sharp) into pieces: components,
stacked ones joined (the loose bar of a 5, a broken stroke).
Small pieces (dots, commas, dashes, underlines) are no digit on their own.

``plan(pieces, height, emissions)`` decides, piece by piece, who reads what:

- a piece in which the line model put two or more symbols, wide enough to hold two, is
  touching writing: the line model's symbols there stand (``Unit.emissions``);
- any other piece is one digit (or one mark) read from its own ink (``Unit.pieces``);
  two neighbouring narrow pieces may be one broken digit: a small dynamic programme
  chooses, from both models' scores (``choose``), between one digit and two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from mnist_desktop.reading.line_model import DOWNSAMPLE, Emission

MIN_AREA = 0.002
"""Components smaller than this share of the line's rows squared are specks."""
STACKED = 0.5
"""Components sharing this much of the narrower one's width are one piece."""
SMALL_HEIGHT = 0.4
SMALL_WIDTH = 0.6
FLAT = 0.3
"""A piece lower than ``SMALL_HEIGHT`` x the writing's height and narrower than
``SMALL_WIDTH`` of it (a dot, a comma), or lower than ``FLAT`` (a dash), is no digit."""
RULE_HEIGHT = 1.4
RULE_WIDTH = 0.35
SIDE_HEIGHT = 1.2
TALL = 2.2
"""A piece ``RULE_HEIGHT`` x the writing's height and at most ``RULE_WIDTH`` of it wide,
``SIDE_HEIGHT`` tall at the picture's side, or ``TALL`` anywhere is a rule or a border."""
ALONE_MIN = 0.7
ALONE_MARKS = False
"""A symbol of the line model on no piece of writing (on a speck, print, a smudge, or far
from any ink) stays only when it is a digit (a mark only with ``ALONE_MARKS``) of at least
``ALONE_MIN`` probability."""
TOUCHING_WIDTH = 0.0
"""A piece at least this wide (x height) with two or more symbols in it is touching writing."""
MERGE_WIDTH = 1.3
MERGE_GAP = 0.3
"""Two pieces may be one broken digit when together no wider than ``MERGE_WIDTH`` x the
height and no further apart than ``MERGE_GAP`` x the height."""
TWO_TALL = 0.8
"""Two pieces side by side both at least this tall (x the writing's height) are two digits
(a "11" the line model read as one), never one broken digit."""
COUNT_PENALTY = 2.0
"""Log-score cost per symbol of difference between a unit and the line model's count there."""


@dataclass(frozen=True)
class Piece:
    """Ink standing apart on a line: its box and ink in the ink map's (analysis) pixels,
    and the line-input columns ``[lo, hi)`` it spans (where the line model's symbols are)."""

    box: tuple[int, int, int, int]
    mask: np.ndarray = field(repr=False)
    """The piece's ink (uint8 0/255), cut to ``box``."""
    lo: float
    hi: float
    small: bool = False


def _union(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[0] + b[2] for b in boxes)
    y1 = max(b[1] + b[3] for b in boxes)
    return x0, y0, x1 - x0, y1 - y0


def pieces(ink: np.ndarray, column_scale: float) -> tuple[list[Piece], float]:
    """The pieces of a line's ink (bool), left to right, and the height of its writing
    (median height of the tall pieces; 0 when there is none). ``column_scale``: line-input
    columns per pixel of ``ink``."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), 8)
    min_area = max(3, int(MIN_AREA * ink.shape[0] ** 2))
    comps = sorted((i for i in range(1, count) if stats[i, cv2.CC_STAT_AREA] >= min_area),
                   key=lambda i: int(stats[i, 0]))
    groups: list[list[int]] = []
    for i in comps:
        x, y, w, h = (int(v) for v in stats[i, :4])
        for group in groups:
            gx0, gy0, gw, gh = _union([tuple(int(v) for v in stats[j, :4]) for j in group])
            overlap = min(gx0 + gw, x + w) - max(gx0, x)
            rows = min(gy0 + gh, y + h) - max(gy0, y)
            # one above the other (a loose bar, a broken stroke), or a small piece under a
            # big one; two tall pieces side by side that lean into each other stay apart
            stacked = rows < 0.5 * min(h, gh) or min(h, gh) < 0.5 * max(h, gh)
            if overlap >= STACKED * min(w, gw) and stacked:
                group.append(i)
                break
        else:
            groups.append([i])
    boxes = [_union([tuple(int(v) for v in stats[j, :4]) for j in g]) for g in groups]
    if not boxes:
        return [], 0.0
    heights = np.array([b[3] for b in boxes], float)
    height = float(np.median(heights[heights >= 0.5 * heights.max()]))
    centres = [b[0] + b[2] / 2 for b in boxes]
    out = []
    for group, box in sorted(zip(groups, boxes, strict=True), key=lambda gb: gb[1][0]):
        x, y, w, h = box
        mask = np.isin(labels[y: y + h, x: x + w], group).astype(np.uint8) * 255
        small = (h < SMALL_HEIGHT * height and w < SMALL_WIDTH * height) or h < FLAT * height
        # a printed box, an underline or a rule reaching over other pieces is no writing;
        # nor is a rule or a scanner's border: thin and taller than the writing, or taller
        # than the writing at the picture's side
        over = sum(x < c < x + w for c in centres) - 1
        at_side = x <= 1 or x + w >= ink.shape[1] - 1
        rule = ((h >= RULE_HEIGHT * height and w <= RULE_WIDTH * height)
                or (at_side and h >= SIDE_HEIGHT * height) or h >= TALL * height)
        out.append(Piece(box, mask, x * column_scale, (x + w) * column_scale,
                         small or over >= 2 or rule))
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
    return Piece(box, mask, min(p.lo for p in parts), max(p.hi for p in parts))


def inside(emissions: list[Emission], lo: float, hi: float) -> list[Emission]:
    """The line model's symbols whose peak lies in columns ``[lo, hi)``."""
    return [e for e in emissions if lo <= e.centre < hi]


def evidence(probs: np.ndarray, lo: float, hi: float, classes: int = 11,
             normalise: bool = True) -> np.ndarray:
    """The line model's opinion of columns ``[lo, hi)``: per class (digits and the mark),
    its highest probability at a step there, normalised to sum 1 (flat when no step)."""
    first = int(lo // DOWNSAMPLE)
    last = max(first + 1, int(np.ceil(hi / DOWNSAMPLE)))
    window = probs[first: min(last, len(probs)), :classes]
    if len(window) == 0:
        return np.full(classes, 1.0 / classes)
    top = window.max(axis=0).astype(np.float64) + 1e-6
    return top / top.sum() if normalise else top


@dataclass(frozen=True)
class Unit:
    """What one stretch of a line is read as: one symbol from the ink of ``parts`` (with
    the line model's symbols that fell on them, ``emissions``), or, with no ``parts``, the
    line model's ``emissions`` as they are (touching writing, or symbols on no piece)."""

    parts: tuple[Piece, ...] = ()
    emissions: tuple[Emission, ...] = ()


def assign(line_pieces: list[Piece], emissions: list[Emission], height_columns: float
           ) -> tuple[list[list[Emission]], list[Emission]]:
    """Each of the line model's symbols goes to the nearest piece (its peak need not lie on
    the ink); those nearest to a piece that is no writing (a dot, a rule, print) are
    dropped, and those further than half a digit from any piece stay on their own only
    when they are a sure digit. Returns the symbols per writing piece (in the order of
    the pieces that are not ``small``) and those on their own."""
    big = [k for k, p in enumerate(line_pieces) if not p.small]
    on: dict[int, list[Emission]] = {k: [] for k in big}
    alone: list[Emission] = []
    for e in emissions:
        distances = [max(p.lo - e.centre, e.centre - p.hi, 0.0)
                     + 1e-3 * abs(e.centre - (p.lo + p.hi) / 2) for p in line_pieces]
        k = int(np.argmin(distances)) if distances else -1
        if k < 0 or distances[k] > 0.5 * height_columns or k not in on:
            if float(e.probabilities[e.label]) >= ALONE_MIN and (e.label < 10 or ALONE_MARKS):
                alone.append(e)
        else:
            on[k].append(e)
    lists = [on[k] for k in big]
    for k in range(len(lists)):  # a piece left bare while a neighbour got two: one is its own
        for j in (k - 1, k + 1):
            if not lists[k] and 0 <= j < len(lists) and len(lists[j]) >= 2:
                piece = line_pieces[big[k]]
                mid = (piece.lo + piece.hi) / 2
                nearest = min(lists[j], key=lambda e: abs(e.centre - mid))
                lists[j].remove(nearest)
                lists[k].append(nearest)
    return lists, alone


def plan(line_pieces: list[Piece], height: float, emissions: list[Emission],
         column_scale: float) -> list[list[Unit]]:
    """The candidate units of a line in reading order, for ``choose``: each entry lists
    the alternatives ``[single]`` or ``[single, merged-with-next]``. A piece on which the
    line model put two or more symbols is touching writing: its symbols stand."""
    big = [p for p in line_pieces if not p.small]
    on, alone = assign(line_pieces, emissions, height * column_scale)
    entries: list[tuple[float, list[Unit]]] = [
        (e.centre, [Unit(emissions=(e,))]) for e in alone]
    for k, piece in enumerate(big):
        if len(on[k]) >= 2 and piece.box[2] >= TOUCHING_WIDTH * height:
            entries.append((piece.lo, [Unit(emissions=tuple(on[k]))]))
            continue
        options = [Unit(parts=(piece,), emissions=tuple(on[k]))]
        if k + 1 < len(big) and len(on[k + 1]) <= 1:
            after = big[k + 1]
            both = _union([piece.box, after.box])
            gap = after.box[0] - (piece.box[0] + piece.box[2])
            tall = min(piece.box[3], after.box[3]) >= TWO_TALL * height
            if (both[2] <= MERGE_WIDTH * height and gap <= MERGE_GAP * height
                    and not (tall and gap > 0)):
                options.append(Unit(parts=(piece, after), emissions=(*on[k], *on[k + 1])))
        entries.append((piece.lo, options))
    entries.sort(key=lambda entry: entry[0])
    return [options for _, options in entries]


def _span(options: list[list[Unit]], i: int, unit: Unit) -> int:
    """How many entries ``unit`` covers (a merged unit takes its neighbour's entry too)."""
    if len(unit.parts) < 2:
        return 1
    nxt = options[i + 1] if i + 1 < len(options) else []
    return 2 if nxt and nxt[0].parts and nxt[0].parts[0] is unit.parts[1] else 0


def choose(options: list[list[Unit]], score: dict[int, float]) -> list[Unit]:
    """The best sequence of units: every entry read once, a merged option taking the next
    entry's place. ``score[id(unit)]`` is each unit's log-score (both models)."""
    n = len(options)
    best = [0.0] * (n + 1)
    pick: list[Unit | None] = [None] * (n + 1)
    for i in range(n - 1, -1, -1):
        best[i], pick[i] = -np.inf, None
        for unit in options[i]:
            step = _span(options, i, unit)
            if step == 0 or i + step > n:
                continue
            total = score.get(id(unit), 0.0) + best[i + step]
            if total > best[i]:
                best[i], pick[i] = total, unit
    out, i = [], 0
    while i < n:
        unit = pick[i]
        assert unit is not None
        out.append(unit)
        i += _span(options, i, unit)
    return out


def count_cost(unit: Unit) -> float:
    """How far the line model's count of symbols on the unit's ink is from one."""
    return COUNT_PENALTY * abs(len(unit.emissions) - 1)


NESTED = 0.8
"""A symbol of one line whose box lies this much inside a larger symbol of another line is
part of that symbol (the broken-off end of a 9's stem found as a second line), not a digit
of its own."""


def without_nested(per_line: list[list[Any]]) -> list[list[Any]]:
    """Each line's results (anything with a ``box``) without those that lie inside a larger
    one of another line."""
    def inside(small: tuple[int, int, int, int] | None,
               big: tuple[int, int, int, int] | None) -> bool:
        if small is None or big is None or small[2] * small[3] >= big[2] * big[3]:
            return False
        w = min(small[0] + small[2], big[0] + big[2]) - max(small[0], big[0])
        h = min(small[1] + small[3], big[1] + big[3]) - max(small[1], big[1])
        return max(0, w) * max(0, h) >= NESTED * small[2] * small[3]

    return [[r for r in results
             if not any(inside(r.box, other.box) for j, line in enumerate(per_line) if j != i
                        for other in line)]
            for i, results in enumerate(per_line)]
