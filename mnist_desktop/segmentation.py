"""Split the ink of a picture into digit candidates and lines of text. No model, no Qt.

Works on an :class:`~mnist_desktop.ink.InkMap` (analysis resolution). Pieces of one digit
(the detached bar of a 5, a 4 in two strokes, a broken pencil line) are grouped; specks,
dashes, lines and shadows are dropped relative to the typical digit height; groups are
clustered into lines by vertical overlap (so slanted lines and mixed sizes still work).
Wide groups get candidate *cut paths*: top-to-bottom paths crossing as little ink as
possible, between which :mod:`mnist_desktop.numbers` lets the model choose.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mnist_desktop.ink import InkMap
from mnist_desktop.normalize import stroke_width

Box = tuple[int, int, int, int]

MAJOR_HEIGHT = 0.45
"""A component at least this tall (x typical digit height) may be a digit on its own."""
STACK_GAP = 0.35
"""Pieces one above the other join when the vertical gap is below this (x digit height)."""
NEAR_GAP = 0.15
"""A small piece joins a digit whose box is this close (x digit height)..."""
NEAR_STROKES = 2.5
"""...or this many stroke widths close (a gap cut into a thick marker line)."""
MAX_GROUP_HEIGHT = 1.5
"""Joined pieces never grow taller than this (x digit height): lines stay apart."""
MIN_DIGIT_HEIGHT = 0.4
"""Groups shorter than this (x the line's median height) are satellites: pieces or junk."""
MIN_SATELLITE = 0.1
"""Satellites smaller than this (x the line's median height, both sides) are dropped."""
MAX_DIGIT_HEIGHT = 2.2
"""Groups taller than this (x the line's median height) are shadows or edges, not digits."""
SAME_LINE_OVERLAP = 0.45
"""Two groups are on one line when they share this much of the smaller one's height."""
WIDE = 0.8
"""Groups wider than this (x their line's height) may be several touching digits (a 1 is thin)."""
CUT_BAND = 0.22
"""A cut path may wander this far (x line height) left or right of where it starts, one
column per row at most."""
CUT_ROWS = 48
"""Cut paths are searched on a copy of the group this many rows tall."""
MAX_CUTS = 3
"""At least this many cut paths per group may be kept (the cheapest, ``CUT_APART`` apart)..."""
CUTS_PER_HEIGHT = 2.0
"""... and up to this many per line height of the group's width."""
CUT_APART = 0.12
"""Kept cut paths run at least this far apart on average (x line height)."""
CUT_STEP = 0.12
"""Cut paths are also tried from every this much (x line height) across the group."""
MIN_CUT_SHARE = 0.06
"""Each side of a cut path keeps at least this share of the group's ink."""


@dataclass(frozen=True)
class Group:
    """One digit candidate: component labels of the ink map and their box (analysis pixels).

    A *satellite* is too small to be a digit: a piece that may belong to a neighbour (the
    far-flung bar of a 5) or junk (a dash, a speck); it is never read on its own.
    """

    labels: tuple[int, ...]
    box: Box
    satellite: bool = False


@dataclass(frozen=True)
class Cut:
    """A top-to-bottom cut through a group: column per row (ink left of it stays left), the
    ink it crosses (pixels) and the strokes it crosses (separate runs of ink along it)."""

    path: np.ndarray
    ink: float
    strokes: float


@dataclass(frozen=True)
class Line:
    """Groups on one line of text, left to right, and the line's median digit height."""

    groups: tuple[Group, ...]
    height: float


def union_box(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return x0, y0, x1 - x0, y1 - y0


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length shared by the ranges [a0, a1) and [b0, b1) (negative: the gap between them)."""
    return min(a1, b1) - max(a0, b0)


def _relation(a: Box, b: Box) -> tuple[float, float, float, float]:
    """(x overlap / smaller width, y overlap / smaller height, x gap, y gap) of two boxes."""
    ox = _overlap(a[0], a[0] + a[2], b[0], b[0] + b[2])
    oy = _overlap(a[1], a[1] + a[3], b[1], b[1] + b[3])
    return (max(0.0, ox) / max(1, min(a[2], b[2])), max(0.0, oy) / max(1, min(a[3], b[3])),
            max(0.0, -ox), max(0.0, -oy))


def typical_height(ink: InkMap) -> float:
    """Median height of the substantial components: the scale every rule is relative to."""
    stats = ink.stats[list(ink.candidates)]
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    heights = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    big = area >= 0.08 * area.max()
    first = float(np.median(heights[big]))
    # Second pass: ignore what is clearly a piece (a bar, a dot) at that scale.
    tall = big & (heights >= 0.5 * first)
    return float(np.median(heights[tall])) if tall.any() else first


def _pen_width(ink: InkMap, labels: list[int]) -> float:
    """Stroke width (analysis pixels) of the largest few components."""
    widths = []
    for label in labels[:3]:
        x, y, w, h = (int(v) for v in ink.stats[label][:4])
        widths.append(stroke_width(ink.component_mask([label], (x, y, w, h))))
    return float(np.median(widths)) if widths else 1.0


def _joins_stacked(a: Box, b: Box, height: float) -> bool:
    """Pieces one above the other (a broken 1, a detached bar) within a digit's height."""
    ox, oy, _, gy = _relation(a, b)
    return (ox >= 0.5 and oy <= 0.25 and gy <= STACK_GAP * height
            and union_box(a, b)[3] <= MAX_GROUP_HEIGHT * height)


def _joins_inside(a: Box, b: Box, height: float) -> bool:
    """One tall piece mostly inside the other's columns (a 4 in two strokes)."""
    ox, oy, _, _ = _relation(a, b)
    return ox >= 0.7 and oy >= 0.5 and union_box(a, b)[2] <= 1.1 * height


def _attach_score(piece: Box, box: Box, height: float, pen: float) -> float | None:
    """How well a small piece fits a digit's box (lower is better); None: it does not."""
    ox, _, gx, gy = _relation(piece, box)
    merged = union_box(piece, box)
    if merged[3] > MAX_GROUP_HEIGHT * height or merged[2] > 1.3 * height:
        return None
    near = max(NEAR_GAP * height, NEAR_STROKES * pen)
    if ox >= 0.3 and gy <= STACK_GAP * height:
        return gy - ox
    if gx <= near and gy <= near:
        return gx + gy
    return None


def group_components(ink: InkMap, height: float) -> list[Group]:
    """Join the pieces of each digit; pieces that fit no digit form groups of their own."""
    labels = list(ink.candidates)
    boxes = {lab: tuple(int(v) for v in ink.stats[lab][:4]) for lab in labels}
    major = [lab for lab in labels if boxes[lab][3] >= MAJOR_HEIGHT * height]
    minor = [lab for lab in labels if boxes[lab][3] < MAJOR_HEIGHT * height]
    parent = {lab: lab for lab in major}

    def root(lab: int) -> int:
        while parent[lab] != lab:
            lab = parent[lab]
        return lab

    for i, a in enumerate(major):
        for b in major[i + 1:]:
            ba, bb = boxes[a], boxes[b]
            if _joins_stacked(ba, bb, height) or _joins_inside(ba, bb, height):
                parent[root(b)] = root(a)
    members: dict[int, list[int]] = {}
    for lab in major:
        members.setdefault(root(lab), []).append(lab)
    groups = [[list(m), _box_of(boxes, m)] for m in members.values()]
    pen = _pen_width(ink, labels)
    loose: list[list] = []
    for lab in minor:  # largest first: attach each piece to the digit it fits best
        best, best_score = None, None
        for group in groups + loose:
            score = _attach_score(boxes[lab], group[1], height, pen)
            if score is not None and (best_score is None or score < best_score):
                best, best_score = group, score
        if best is None:
            loose.append([[lab], boxes[lab]])
        else:
            best[0].append(lab)
            best[1] = union_box(best[1], boxes[lab])
    return [Group(tuple(m), tuple(b)) for m, b in groups + loose]  # type: ignore[arg-type]


def _box_of(boxes: dict[int, tuple[int, ...]], labels: list[int]) -> Box:
    box = boxes[labels[0]]
    for lab in labels[1:]:
        box = union_box(box, boxes[lab])  # type: ignore[arg-type]
    return box  # type: ignore[return-value]


def cluster_lines(groups: list[Group]) -> list[list[Group]]:
    """Groups sharing enough height are on one line (chained, so slant is fine); top first."""
    n = len(groups)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if _relation(groups[i].box, groups[j].box)[1] >= SAME_LINE_OVERLAP:
                parent[root(j)] = root(i)
    lines: dict[int, list[Group]] = {}
    for i in range(n):
        lines.setdefault(root(i), []).append(groups[i])
    ordered = [sorted(line, key=lambda g: g.box[0] + g.box[2] / 2) for line in lines.values()]
    return sorted(ordered, key=lambda line: float(np.median([g.box[1] + g.box[3] / 2
                                                             for g in line])))


def _digit_like(group: Group, line_height: float, shape: tuple[int, int]) -> bool:
    x, y, w, h = group.box
    if h < MIN_DIGIT_HEIGHT * line_height or h > MAX_DIGIT_HEIGHT * line_height:
        return False
    touches = x <= 0 or y <= 0 or x + w >= shape[1] or y + h >= shape[0]
    return not (touches and (h > 1.6 * line_height or w > 3 * line_height))


def _line_of(satellite: Group, lines: list[list[Group]]) -> int | None:
    """The line a satellite sits in: the one sharing most of its height (None: none)."""
    best, best_share = None, 0.5
    for k, line in enumerate(lines):
        top = min(g.box[1] for g in line)
        bottom = max(g.box[1] + g.box[3] for g in line)
        y, h = satellite.box[1], satellite.box[3]
        share = (min(bottom, y + h) - max(top, y)) / max(1, h)
        if share > best_share:
            best, best_share = k, share
    return best


def find_lines(ink: InkMap) -> list[Line]:
    """The digit candidates of ``ink`` in reading order: lines top to bottom, left to right."""
    if not ink.candidates:
        return []
    height = typical_height(ink)
    groups = group_components(ink, height)
    digits = [g for g in groups if g.box[3] >= MIN_DIGIT_HEIGHT * height]
    small = [g for g in groups if g.box[3] < MIN_DIGIT_HEIGHT * height
             and max(g.box[2], g.box[3]) >= MIN_SATELLITE * height]
    lines: list[list[Group]] = []
    heights: list[float] = []
    for line in cluster_lines(digits):
        tall = [g.box[3] for g in line if g.box[3] >= 0.6 * height]
        line_height = float(np.median(tall if tall else [g.box[3] for g in line]))
        kept = []
        for g in line:
            if _digit_like(g, line_height, ink.shape):
                kept.append(g)
            elif g.box[3] < MIN_DIGIT_HEIGHT * line_height:
                small.append(g)
        if kept:
            lines.append(kept)
            heights.append(line_height)
    for g in small:
        k = _line_of(g, lines)
        if k is not None and max(g.box[2], g.box[3]) >= MIN_SATELLITE * heights[k]:
            lines[k].append(Group(g.labels, g.box, satellite=True))
    return [Line(tuple(sorted(line, key=lambda g: g.box[0] + g.box[2] / 2)), h)
            for line, h in zip(lines, heights, strict=True)]


def is_wide(group: Group, line_height: float) -> bool:
    """Whether a group may hold several touching digits and deserves cut paths."""
    return group.box[2] >= WIDE * line_height


def max_cuts(group: Group, line_height: float) -> int:
    """How many cut paths a wide group may get: more for a wider group."""
    return max(MAX_CUTS, int(np.ceil(CUTS_PER_HEIGHT * group.box[2] / max(1.0, line_height))))


def cut_paths(mask: np.ndarray, line_height: float, extra_starts: tuple[int, ...] = (),
              max_cuts: int = MAX_CUTS) -> list[Cut]:
    """Top-to-bottom paths crossing little ink, left to right.

    Paths start at minima of the column ink profile, at ``extra_starts`` columns and every
    ``CUT_STEP`` of the line height (the gap between two overlapping digits is seldom a
    minimum), and may drift ``CUT_BAND`` of the line height sideways, so they follow a
    slanted gap between two digits. A path never runs along the group's edge: both sides keep
    at least ``MIN_CUT_SHARE`` of the ink.
    """
    h, w = mask.shape
    f = min(1.0, CUT_ROWS / h)
    sw, sh = max(1, round(w * f)), max(1, round(h * f))
    small = cv2.resize(mask, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    margin = 0.12 * line_height * f
    lo, hi = int(np.ceil(margin)), int(np.floor(sw - 1 - margin))
    if hi < lo:
        return []
    profile = small.sum(axis=0)
    smooth = np.convolve(profile, np.ones(3, np.float32) / 3, mode="same")
    starts = [c for c in range(max(1, lo), min(sw - 1, hi + 1))
              if smooth[c] <= smooth[c - 1] and smooth[c] <= smooth[c + 1]]
    starts += [round(c * f) for c in extra_starts if lo <= c * f <= hi]
    starts += list(range(lo, hi + 1, max(1, round(CUT_STEP * line_height * f))))
    starts = sorted(set(starts))
    band = max(1, round(CUT_BAND * line_height * f))
    cols = np.clip(np.array(starts)[:, None] + np.arange(-band, band + 1)[None, :], lo, hi)
    paths, total = _cheapest_paths(small[:, cols], cols)
    cumulative = np.concatenate([np.zeros((sh, 1), np.float32), np.cumsum(small, axis=1)], 1)
    rows_small = np.arange(sh)[:, None]
    left = cumulative[rows_small, paths].sum(axis=0)
    ink = float(cumulative[:, -1].sum())
    on_path = small[rows_small, paths] > 0.4
    strokes = (on_path[0].astype(int) + (on_path[1:] & ~on_path[:-1]).sum(axis=0))
    rows = np.minimum((np.arange(h) * f).astype(int), sh - 1)
    full = np.clip(np.round((paths[rows] + 0.5) / f).astype(np.int64), 0, w)
    found = [Cut(full[:, k], float(total[k]) / f, float(strokes[k]))
             for k in range(len(starts))
             if MIN_CUT_SHARE * ink <= left[k] <= (1 - MIN_CUT_SHARE) * ink]
    return _distinct(found, CUT_APART * line_height, max_cuts)


def _cheapest_paths(cost: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per start (``cost``: rows x starts x band), the cheapest top-to-bottom path moving at
    most one column per row: its column per row and its total cost."""
    sh = cost.shape[0]
    step = np.float32(0.15)
    acc = cost[0].copy()
    moves = np.zeros((sh, *acc.shape), np.int8)
    far = np.float32(1e9)
    from_left = np.full_like(acc, far)
    from_right = np.full_like(acc, far)
    for r in range(1, sh):  # each row: stay in the column or come from a neighbouring one
        from_left[:, 1:] = acc[:, :-1]
        from_right[:, :-1] = acc[:, 1:]
        side = np.minimum(from_left, from_right) + step
        moves[r] = np.where(side < acc, np.where(from_left <= from_right, -1, 1), 0)
        acc = np.minimum(acc, side) + cost[r]
    k_all = np.arange(cost.shape[1])
    j = acc.argmin(axis=1)
    total = acc[k_all, j]
    paths = np.empty((sh, cost.shape[1]), np.int64)
    for r in range(sh - 1, -1, -1):
        paths[r] = cols[k_all, j]
        j = j + moves[r, k_all, j]
    return paths, total


def _distinct(cuts: list[Cut], apart: float, max_cuts: int) -> list[Cut]:
    """Cheapest first, drop paths running next to a kept one; return them left to right."""
    kept: list[Cut] = []
    for cut in sorted(cuts, key=lambda c: c.ink):
        if all(np.abs(cut.path - other.path).mean() > apart for other in kept):
            kept.append(cut)
        if len(kept) == max_cuts:
            break
    return sorted(kept, key=lambda c: float(c.path.mean()))


def between(mask: np.ndarray, left: np.ndarray | None, right: np.ndarray | None,
            drop_fragments: bool = True, reach: int = 0) -> np.ndarray:
    """The ink of ``mask`` between two cut paths (None: the mask's edge), and ``reach``
    pixels beyond them: a stroke two digits share (a cut runs along it) goes to both.

    With ``drop_fragments``, slivers a cut chipped off a neighbour (pieces under 6 % of the
    largest) are dropped.
    """
    h, w = mask.shape
    cols = np.arange(w)[None, :]
    keep = np.ones((h, w), bool)
    if left is not None:
        keep &= cols >= left[:, None] - reach
    if right is not None:
        keep &= cols < right[:, None] + reach
    part = np.where(keep, mask, 0).astype(np.uint8)
    if not drop_fragments:
        return part
    count, labels, stats, _ = cv2.connectedComponentsWithStats(part, connectivity=8)
    if count <= 2:
        return part
    areas = stats[1:, cv2.CC_STAT_AREA]
    small = np.concatenate([[True], areas < 0.06 * areas.max()])
    part[small[labels]] = 0
    return part
