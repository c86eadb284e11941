"""Read whole numbers: every digit of a photo, frame or drawing, in reading order. Qt-free.

``read_number(recognizer, image)`` (also ``Recognizer.read``):

1. ink: the pipeline's own :func:`~mnist_desktop.ink.find_ink` at a number-sized analysis
   resolution (:mod:`mnist_desktop.number_ink`, with a shadow-proof polarity check);
2. segmentation (:mod:`mnist_desktop.segmentation`): pieces grouped into digits, junk dropped,
   groups clustered into lines, cut paths through wide groups (maybe touching digits);
3. every group is normalised exactly like a single digit and judged in one batch by two
   models: the digit model (its 28x28 input only) and the segment model
   (:mod:`mnist_desktop.segment_model`: the same input, the ink around it and its size
   against the line; it also says "not one whole digit"). Their opinions on the digit are
   multiplied (:mod:`mnist_desktop.number_judge`). Groups read with no doubt (confident,
   one whole digit, full height, as wide as that digit usually is) are *settled*;
4. around the others a lattice of candidates (:mod:`mnist_desktop.number_lattice`):
   neighbouring groups merged, segments between cut paths; one more batched call per model;
5. the best path through each line wins: log-confidences and the log-probability of being
   one whole digit, minus simple priors (how wide each digit usually is, pieces are smaller
   than digits, a cut should cross few strokes). A split is kept only when every part is
   confident and it beats the whole.

Without the segment model (a missing file) the digit model reads alone, as before it existed.
A picture with one digit gives exactly the answer of ``Recognizer.recognize``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from mnist_desktop.grey import NotAnImageError, to_grey
from mnist_desktop.ink import InkMap
from mnist_desktop.number_ink import NUMBER_MAX_SIDE, number_ink_maps
from mnist_desktop.number_judge import judge_candidates
from mnist_desktop.number_lattice import (
    TALL,
    Candidate,
    Lattice,
    build_lattice,
    pen_width,
    whole_groups,
)
from mnist_desktop.pipeline import MIN_INPUT_SIDE, preprocess
from mnist_desktop.results import NumberReading, Recognition
from mnist_desktop.segmentation import Group, Line, find_lines

__all__ = ["NUMBER_MAX_SIDE", "DEFAULT_SCORING", "Scoring", "analyse", "read_number"]

SETTLED_CONFIDENCE = 0.9
"""A group read at least this confidently (and shaped like that digit) needs no alternatives."""
SETTLED_WHOLE = 0.8
"""... and the segment model is at least this sure it is one whole digit ..."""
SETTLED_SHAPE = 1.5
"""... shaped like it: its log aspect within this many standard deviations of the digit's."""
JUNK_LINE = 0.8
"""A line of nothing but unsure marks, smaller than this (x the tallest line), is dropped:
specks, a smudge or a doodle beside the number."""
ASPECT_MEAN = (-0.137, -1.104, -0.117, -0.302, -0.411, -0.089, -0.466, -0.408, -0.388, -0.569)
ASPECT_SPREAD = (0.231, 0.536, 0.307, 0.238, 0.276, 0.324, 0.263, 0.261, 0.262, 0.246)
"""Per digit 0-9: mean and standard deviation of log(width / max(height, line height)).

Measured on 1500 synthetic sheets of MNIST *training* digits (``compose_sheet``): a 0, 2 or
5 is about as wide as tall, a 1 a third of that. Two touching digits read as one are far
wider than that digit ever is, which is what lets the reader prefer to split them.
"""


@dataclass(frozen=True)
class Scoring:
    """How readings of a line are compared: log-confidences minus these costs."""

    digit: float = 0.05
    """Per digit read: among equally good readings prefer fewer digits."""
    merge: float = 0.5
    """Per boundary between separate groups read as one digit."""
    merge_tall: float = 1.0
    """Extra, when both groups are as tall as a digit (not pieces of one)."""
    merge_piece: float = 0.1
    """Per small piece (a satellite: too small to be a digit) joined to a digit."""
    skip: float = 0.05
    """For leaving a small piece out (a dash, a speck)."""
    cut: float = 0.2
    """Per stroke a cut path crosses (two touching digits share about one)."""
    cut_base: float = 0.0
    """Per cut made inside a group."""
    shape: float = 0.4
    """Times half the squared z-score (beyond ``shape_free``) of the digit's log aspect."""
    shape_free: float = 0.5
    small_from: float = 0.6
    small: float = 5.0
    """Per unit of height / line height below ``small_from``: a piece of a digit."""
    part_confidence: float = 0.5
    """Parts of a split and merged pieces must be at least this confident."""
    unsure_aspect: float = 2.4
    """A group this much wider than tall that was not split is reported as unsure."""
    whole: float = 1.0
    """Times the log-probability (segment model) that a candidate is one whole digit."""
    unsure_whole: float = 0.1
    """A group chosen whole but less likely than this to be one whole digit is reported
    unsure (a letter, a scribble, a digit and a half). Parts and merged groups are not: the
    cut or join that made them is seldom clean, and the model knows it."""


DEFAULT_SCORING = Scoring()


def _aspect_z(width: float, height: float, line: Line, digit: int) -> float:
    aspect = width / max(1.0, height, line.height)
    return (math.log(max(aspect, 1e-3)) - ASPECT_MEAN[digit]) / ASPECT_SPREAD[digit]


def candidate_score(candidate: Candidate, probs: np.ndarray, line: Line,
                    scoring: Scoring = DEFAULT_SCORING, whole: float = 1.0) -> float:
    """Log-confidence of a candidate digit (and of its being one whole digit) minus what its
    shape and make-up cost."""
    digit = int(np.argmax(probs))
    z = _aspect_z(candidate.width, candidate.height, line, digit)
    small = candidate.height / max(1.0, line.height)
    plain, tall, pieces = candidate.joins
    return (math.log(max(float(probs[digit]), 1e-9)) + scoring.whole * math.log(max(whole, 1e-6))
            - scoring.digit - scoring.merge * plain
            - scoring.merge_tall * tall - scoring.merge_piece * pieces
            - scoring.shape * 0.5 * max(0.0, abs(z) - scoring.shape_free) ** 2
            - scoring.small * max(0.0, scoring.small_from - small))


def best_path(lattice: Lattice, probs: dict[int, np.ndarray], whole: dict[int, float],
              scoring: Scoring = DEFAULT_SCORING) -> list[Candidate]:
    """The best chain of candidate digits through a line (dynamic programming over nodes).

    ``probs`` maps ``id(candidate)`` to its class probabilities, ``whole`` to how likely it
    is one whole digit."""
    best: dict[int, tuple[float, list[Candidate]]] = {0: (0.0, [])}
    outgoing: dict[int, list[Candidate]] = {}
    for candidate in lattice.candidates:
        outgoing.setdefault(candidate.src, []).append(candidate)
    for node in range(lattice.last):
        if node not in best:
            continue
        score, chain = best[node]
        for candidate in outgoing.get(node, []):
            if candidate.kind == "skip":
                value, path = score - scoring.skip, chain
            else:
                p = probs[id(candidate)]
                if candidate.kind != "group" and float(p.max()) < scoring.part_confidence:
                    continue
                value = score + candidate_score(candidate, p, lattice.line, scoring,
                                                whole[id(candidate)])
                crossed = lattice.crossings[candidate.dst]
                if crossed is not None:
                    value -= scoring.cut_base + scoring.cut * crossed
                path = [*chain, candidate]
            if candidate.dst not in best or value > best[candidate.dst][0]:
                best[candidate.dst] = (value, path)
    return best.get(lattice.last, (0.0, []))[1]


def settled(line: Line, wholes: list, probs: list[np.ndarray | None],
            whole: list[float]) -> frozenset[int]:
    """Groups read with no doubt: confident, one whole digit, full height, not wide, shaped
    like that digit."""
    out = set()
    for k, (group, p) in enumerate(zip(line.groups, probs, strict=True)):
        if p is None or wholes[k] is None or group.satellite:
            continue
        digit = int(np.argmax(p))
        if (float(p[digit]) >= SETTLED_CONFIDENCE and whole[k] >= SETTLED_WHOLE
                and group.box[3] >= TALL * line.height
                and abs(_aspect_z(group.box[2], group.box[3], line, digit)) <= SETTLED_SHAPE):
            out.add(k)
    return frozenset(out)


def analyse(image: np.ndarray) -> list[tuple[InkMap, list[Line]]]:
    """The ink and the lines of digit candidates of ``image``: one way to see it, or two when
    its polarity (dark or light ink) is in doubt. Empty for something that is no image."""
    try:
        grey = to_grey(image)
    except NotAnImageError:
        return []
    if min(grey.shape) < MIN_INPUT_SIDE:
        return []
    return [(ink, find_lines(ink)) for ink in number_ink_maps(grey)]


def read_lattices(recognizer, ink: InkMap, lines: list[Line]
                  ) -> tuple[list[Lattice], dict[int, np.ndarray], dict[int, float]]:
    """Every line's lattice, the probabilities of its candidates and how likely each is one
    whole digit (two batched calls per model)."""
    pen = pen_width(ink, lines)
    wholes = [whole_groups(ink, line) for line in lines]
    first = [build_lattice(ink, line, pen, w, frozenset(range(len(line.groups))))
             for line, w in zip(lines, wholes, strict=True)]
    probs: dict[int, np.ndarray] = {}
    whole: dict[int, float] = {}
    judge_candidates(recognizer, ink, first, probs, whole)
    found = []
    for lattice, line, made in zip(first, lines, wholes, strict=True):
        by_group: list[np.ndarray | None] = [None] * len(line.groups)
        whole_group = [0.0] * len(line.groups)
        for c in lattice.candidates:
            if c.kind == "group":
                by_group[c.groups[0]] = probs[id(c)]
                whole_group[c.groups[0]] = whole[id(c)]
        sure = settled(line, made, by_group, whole_group)
        if len(sure) == len(line.groups) - sum(g.satellite for g in line.groups):
            found.append(lattice)
            continue
        full = build_lattice(ink, line, pen, made, sure)
        for c in full.candidates:  # the groups whole are the same inputs: reuse their answers
            if c.kind == "group":
                probs[id(c)] = by_group[c.groups[0]]  # type: ignore[assignment]
                whole[id(c)] = whole_group[c.groups[0]]
        found.append(full)
    judge_candidates(recognizer, ink, found, probs, whole)
    return found, probs, whole


def _quality(reading: NumberReading) -> float:
    """How convincing a reading is: confident digits count for, unsure ones against it."""
    return sum(d.confidence if d.status == "ok" else -1.0 for d in reading.digits)


def read_number(recognizer, image: np.ndarray, scoring: Scoring = DEFAULT_SCORING
                ) -> NumberReading:
    """Read every digit in ``image`` and the number they make; never raises on odd input."""
    readings = [_read(recognizer, image, ink, lines, scoring) for ink, lines in analyse(image)]
    if not readings:
        return NumberReading((), ())
    return max(readings, key=_quality)


def _read(recognizer, image: np.ndarray, ink: InkMap, lines: list[Line], scoring: Scoring
          ) -> NumberReading:
    if not lines:
        return NumberReading((), ())
    found, probs, whole = read_lattices(recognizer, ink, lines)
    chosen = [best_path(lattice, probs, whole, scoring) for lattice in found]
    if len(lines) == 1 and len(lines[0].groups) == 1 and [c.kind for c in chosen[0]] == ["group"]:
        single = _single_digit(recognizer, image, ink, lines[0].groups[0])
        if single is not None:
            return NumberReading((single,), ((0,),))
    per_line = [[r for c in path if (r := _recognition(recognizer, c, probs[id(c)], line,
                                                        scoring, whole[id(c)])) is not None]
                for path, line in zip(chosen, lines, strict=True)]
    tallest = max(line.height for line in lines)
    digits: list[Recognition] = []
    line_indices: list[tuple[int, ...]] = []
    for line, results in zip(lines, per_line, strict=True):
        junk = all(r.status != "ok" for r in results) and line.height < JUNK_LINE * tallest
        if results and not junk:
            line_indices.append(tuple(range(len(digits), len(digits) + len(results))))
            digits.extend(results)
    return NumberReading(tuple(digits), tuple(line_indices))


def _single_digit(recognizer, image: np.ndarray, ink: InkMap, group: Group) -> Recognition | None:
    """The single-digit pipeline's answer when it looks at the same digit, else None."""
    pre = preprocess(image)
    if pre.box is None or _iou(pre.box, ink.to_input_box(group.box)) < 0.5:
        return None
    return recognizer.recognize_preprocessed([pre])[0]


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ox = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    oy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ox * oy
    return inter / max(1, a[2] * a[3] + b[2] * b[3] - inter)


def _junk(candidate: Candidate, line: Line) -> bool:
    """A blob at the picture's edge not sized like a digit of its line: a shadow, the paper's
    edge or the table; dropped when the model is unsure of it too."""
    h, w = candidate.height, candidate.width
    return candidate.touches_border and not (
        0.6 * line.height <= h <= 1.4 * line.height and w <= 1.4 * line.height)


def _recognition(recognizer, candidate: Candidate, probs: np.ndarray, line: Line,
                 scoring: Scoring, whole: float = 1.0) -> Recognition | None:
    """The result for one chosen candidate; None for junk (an unsure blob at the border)."""
    result = recognizer.result(candidate.with_steps(), probs)
    if result.status == "ok" and candidate.kind == "group" and whole < scoring.unsure_whole:
        result = dataclasses.replace(result, status="unsure", message=(
            f"not digit-like: {1 - whole:.0%} sure this is not one whole digit"))
    if result.status != "ok" and _junk(candidate, line):
        return None
    if result.status == "ok" and candidate.width > scoring.unsure_aspect * candidate.height:
        return dataclasses.replace(result, status="unsure",
                                   message="not digit-like: too wide for one digit")
    return result
