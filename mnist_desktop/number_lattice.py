"""Candidate digits of one line of a number, as a lattice for the reader to choose a path in.

A line's groups (see :mod:`mnist_desktop.segmentation`) are cut into *pieces*: a wide group
at its cut paths, any other group whole. Nodes sit between pieces; a *candidate* spans
consecutive pieces: a group whole, several groups merged (a digit broken in two side by
side, the far bar of a 5), or parts of groups between cuts (touching digits). Every
candidate gets its model input from the single-digit normalisation (``normalize_digit``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import cv2
import numpy as np

from mnist_desktop.ink import InkMap
from mnist_desktop.normalize import normalize_digit, stroke_width
from mnist_desktop.pipeline import preprocess_ink
from mnist_desktop.results import PipelineStep, Preprocessed
from mnist_desktop.segmentation import (
    MIN_DIGIT_HEIGHT,
    Group,
    Line,
    between,
    cut_paths,
    is_wide,
    max_cuts,
    union_box,
)

MAX_SPAN = 3
"""A candidate digit is made of at most this many pieces (groups or parts between cuts)."""
MERGE_GAP = 0.12
"""Separate groups may form one digit only when this close (x line height, or 2 strokes)."""
SATELLITE_GAP = 0.3
"""... or, for a small piece (the bar of a 5), this close."""
TALL = 0.6
"""Two groups both this tall (x line height) are rather two digits than pieces of one."""
MAX_WIDTH = 1.7
"""Candidates wider than this (x line height) are not considered (except whole groups)..."""
MIN_PART_HEIGHT = 0.5
SHARED_STROKE = 0.5
"""Parts between cuts reach this far (x stroke width) past them: a shared stroke is in both."""
"""... nor ones lower than this (x line height): slivers a cut chipped off."""

Whole = tuple[Preprocessed, np.ndarray] | None
"""A group's model input and adjusted crop (None for a satellite or an empty group)."""


@dataclass(frozen=True)
class Candidate:
    """A candidate digit made of pieces ``src``..``dst`` - 1 of one line."""

    src: int
    dst: int
    pre: Preprocessed
    width: int
    height: int
    kind: str  # "group" (whole), "merge" (whole groups), "part" (cut somewhere), "skip" (junk)
    joins: tuple[int, int, int]  # group boundaries inside: all, between tall ones, to a piece
    touches_border: bool = False
    crop: np.ndarray | None = None  # the normalised crop, shown as a step if this digit wins
    groups: tuple[int, int] = (0, 0)  # first and last group it takes ink from
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # analysis pixels: where ``mask`` lies
    mask: np.ndarray | None = None  # its ink (0/255) on that box

    def with_steps(self) -> Preprocessed:
        """The model input with the "crop" and "28x28" steps, for display."""
        if self.crop is None or self.pre.model_input is None:
            return self.pre
        steps = (PipelineStep("crop", _display(self.crop)),
                 PipelineStep("28x28", _display(self.pre.model_input)))
        return dataclasses.replace(self.pre, steps=steps)


@dataclass(frozen=True)
class Lattice:
    """The candidate digits of one line and, per node, the strokes its cut crosses."""

    candidates: tuple[Candidate, ...]
    crossings: tuple[float | None, ...]  # None at group boundaries (no cut there)
    line: Line

    @property
    def last(self) -> int:
        return len(self.crossings) - 1


@dataclass(frozen=True)
class _Piece:
    """Part of a group between two cut paths: its ink (on the group's canvas) and height."""

    group: int
    mask: np.ndarray
    height: int
    satellite: bool


def _display(image: np.ndarray) -> np.ndarray:
    out = image if image.dtype == np.uint8 else np.clip(image * 255.0 + 0.5, 0, 255).astype(
        np.uint8)
    out = np.array(out, copy=True)
    out.setflags(write=False)
    return out


def _touches(ink: InkMap, box: tuple[int, int, int, int]) -> bool:
    x, y, w, h = box
    return x <= 0 or y <= 0 or x + w >= ink.shape[1] or y + h >= ink.shape[0]


def _close(a: Group, b: Group, line: Line, pen: float) -> bool:
    gap = b.box[0] - (a.box[0] + a.box[2])
    near = SATELLITE_GAP if a.satellite or b.satellite else MERGE_GAP
    return gap <= max(near * line.height, 2.0 * pen)


def pen_width(ink: InkMap, lines: list[Line]) -> float:
    """Typical stroke width of the writing (analysis pixels)."""
    widths = [stroke_width(ink.component_mask(list(group.labels), group.box))
              for line in lines for group in line.groups[:4]]
    return float(np.median(widths)) if widths else 1.0


def whole_groups(ink: InkMap, line: Line) -> list[Whole]:
    """Each group's model input, made exactly as for a single digit (``preprocess_ink``)."""
    out: list[Whole] = []
    for group in line.groups:
        if group.satellite:
            out.append(None)
            continue
        pre, crop = preprocess_ink(ink, list(group.labels))
        out.append((pre, crop) if pre.model_input is not None and crop is not None else None)
    return out


def _span_mask(masks: list[np.ndarray], groups: tuple[Group, ...], pieces: list[_Piece],
               span: range) -> tuple[np.ndarray, tuple[int, int]]:
    """The ink of consecutive pieces on one canvas, and the canvas origin (analysis pixels)."""
    chosen = [pieces[i] for i in span]
    members = list(range(chosen[0].group, chosen[-1].group + 1))
    box = groups[members[0]].box
    for k in members[1:]:
        box = union_box(box, groups[k].box)
    canvas = np.zeros((box[3], box[2]), np.uint8)
    for k in members:
        mine = [p for p in chosen if p.group == k]
        if len(mine) == sum(1 for p in pieces if p.group == k):
            part = masks[k]  # the whole group, small pieces included
        else:
            part = mine[0].mask
            for piece in mine[1:]:
                part = np.maximum(part, piece.mask)
        gx, gy, gw, gh = groups[k].box
        region = canvas[gy - box[1]: gy - box[1] + gh, gx - box[0]: gx - box[0] + gw]
        np.maximum(region, part, out=region)
    return canvas, (box[0], box[1])


def _normalised(ink: InkMap, canvas: np.ndarray, origin: tuple[int, int], line: Line
                ) -> tuple[Preprocessed, np.ndarray, int, int] | None:
    """Normalise one candidate's ink (the single-digit path) unless it cannot be a digit.

    Returns the model input, the adjusted crop, and the ink's width and height."""
    x, y, w, h = cv2.boundingRect(canvas)
    if w == 0 or w > MAX_WIDTH * line.height or h < MIN_PART_HEIGHT * line.height:
        return None
    normalized = normalize_digit(canvas[y: y + h, x: x + w])
    if normalized is None:
        return None
    crop, field = normalized
    field = field.astype(np.float32)
    field.setflags(write=False)
    box = ink.to_input_box((origin[0] + x, origin[1] + y, w, h))
    return Preprocessed(field, box), crop, w, h


def _pieces(ink: InkMap, line: Line, masks: list[np.ndarray], settled: frozenset[int]
            ) -> tuple[list[_Piece], list[float | None]]:
    """Each wide, unsettled group cut at its cut paths; strokes crossed at every node."""
    pieces: list[_Piece] = []
    crossings: list[float | None] = [None]
    for k, group in enumerate(line.groups):
        paths = []
        if not group.satellite and k not in settled and is_wide(group, line.height):
            starts = []
            for label in group.labels:
                lx, lw = int(ink.stats[label][0]), int(ink.stats[label][2])
                starts += [lx - group.box[0], lx - group.box[0] + lw]
            paths = cut_paths(masks[k], line.height, tuple(starts), max_cuts(group, line.height))
        if not paths:
            pieces.append(_Piece(k, masks[k], group.box[3], group.satellite))
            crossings.append(None)
            continue
        cuts: list[np.ndarray | None] = [None, *(c.path for c in paths), None]
        reach = round(SHARED_STROKE * stroke_width(masks[k]))
        for i in range(len(cuts) - 1):
            part = between(masks[k], cuts[i], cuts[i + 1], reach=reach)
            pieces.append(_Piece(k, part, cv2.boundingRect(part)[3], group.satellite))
        crossings += [c.strokes for c in paths] + [None]
    return pieces, crossings


def _joins(span: list[_Piece], line: Line) -> tuple[int, int, int]:
    """Group boundaries inside a span: (between digits, between two tall ones, to a piece)."""
    tallest: dict[int, int] = {}
    satellite: dict[int, bool] = {}
    for piece in span:
        tallest[piece.group] = max(tallest.get(piece.group, 0), piece.height)
        satellite[piece.group] = piece.satellite
    order = sorted(tallest)
    plain = tall = pieces = 0
    small = MIN_DIGIT_HEIGHT * line.height
    for a, b in zip(order, order[1:], strict=False):
        if satellite[a] or satellite[b] or min(tallest[a], tallest[b]) < small:
            pieces += 1
        else:
            plain += 1
            tall += min(tallest[a], tallest[b]) >= TALL * line.height
    return plain, tall, pieces


def build_lattice(ink: InkMap, line: Line, pen: float, wholes: list[Whole],
                  settled: frozenset[int] = frozenset()) -> Lattice:
    """All candidate digits of one line: each group whole, and runs of up to ``MAX_SPAN``
    consecutive pieces that involve at least one group not ``settled`` (read with no doubt)."""
    groups = line.groups
    masks = [ink.component_mask(list(g.labels), g.box) for g in groups]
    pieces, crossings = _pieces(ink, line, masks, settled)
    starts = [i for i, piece in enumerate(pieces)
              if i == 0 or piece.group != pieces[i - 1].group] + [len(pieces)]
    found = []
    for k, group in enumerate(groups):  # every group whole, however many cuts it has
        whole = wholes[k]
        if group.satellite or whole is None:
            skip = Preprocessed(None, ink.to_input_box(group.box))
            found.append(Candidate(starts[k], starts[k + 1], skip, group.box[2], group.box[3],
                                   "skip", (0, 0, 0), groups=(k, k), box=group.box))
            continue
        found.append(Candidate(starts[k], starts[k + 1], whole[0], group.box[2], group.box[3],
                               "group", (0, 0, 0), _touches(ink, group.box), whole[1], (k, k),
                               group.box, masks[k]))
    for i in range(len(pieces)):
        for j in range(i + 1, min(len(pieces), i + MAX_SPAN) + 1):
            span = pieces[i:j]
            if any(b.group != a.group and not _close(groups[a.group], groups[b.group], line, pen)
                   for a, b in zip(span, span[1:], strict=False)):
                break
            whole_span = i in starts and j in starts
            if ((whole_span and span[0].group == span[-1].group)
                    or all(p.satellite for p in span)
                    or all(p.group in settled for p in span)):
                continue
            canvas, origin = _span_mask(masks, groups, pieces, range(i, j))
            made = _normalised(ink, canvas, origin, line)
            if made is None:
                continue
            pre, crop, w, h = made
            box = (origin[0], origin[1], canvas.shape[1], canvas.shape[0])
            found.append(Candidate(i, j, pre, w, h, "merge" if whole_span else "part",
                                   _joins(span, line), _touches(ink, box), crop,
                                   (span[0].group, span[-1].group), box, canvas))
    return Lattice(tuple(found), tuple(crossings), line)
