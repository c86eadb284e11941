"""Read whole numbers with the line model: every digit of a photo, scan or drawing. Qt-free.

``read_number(recognizer, image)`` (also ``Recognizer.read``):

1. the lines of writing (:mod:`mnist_desktop.pipeline.line_finder`): a small picture shaped like a
   line is one line; elsewhere the ink's pieces are grouped into lines;
2. each line through :func:`~mnist_desktop.pipeline.line_input.line_input` and the line model, all
   lines of a picture in one call; no segmentation: the model reads the whole line;
3. best-path CTC decoding; each digit's box comes from its place in the alignment (the
   columns between its neighbours' peaks) and the ink under it; its confidence is the
   model's probability at its peak;
4. a digit read below the recogniser's ``min_confidence`` is ``?`` and unsure; a letter, sign
   or scribble (the model's ``MARK``) is ``?`` and unsure, never a digit;
5. a picture in which it finds one digit (or none) gets the single-digit answer of
   ``Recognizer.recognize`` (the digit model is the stronger reader of one digit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mnist_desktop.pipeline.digit_input import MIN_INPUT_SIDE, preprocess
from mnist_desktop.pipeline.grey import NotAnImageError, to_grey
from mnist_desktop.pipeline.line_finder import FoundLine, find_lines
from mnist_desktop.pipeline.line_input import LINE_HEIGHT, LineInput, line_input
from mnist_desktop.pipeline.normalize import normalize_digit
from mnist_desktop.reading.line_model import DOWNSAMPLE, MARK, Emission, greedy_decode
from mnist_desktop.results import (
    Box,
    NumberReading,
    PipelineStep,
    Recognition,
    frozen_array,
)

INK_LEVEL = 0.35
"""Line-input values at or above this are ink (for boxes and the digits' 28x28 views)."""
HALF_DIGIT = 0.6 * LINE_HEIGHT
"""Columns either side of a lone peak that may belong to its digit."""
NOT_A_DIGIT = "not a digit"
DIGIT_WEIGHT = 0.3
"""Weight of the digit model's opinion of each digit's ink (geometric mean with the line
model's; 0: the line model alone)."""


@dataclass(frozen=True)
class _Line:
    found: FoundLine
    input: LineInput


def _prepare(grey: np.ndarray) -> list[_Line]:
    out = []
    for found in find_lines(grey):
        x, y, w, h = found.box
        crop = grey[y: y + h, x: x + w]
        if min(crop.shape) >= MIN_INPUT_SIDE:
            out.append(_Line(found, line_input(crop, found.dark_ink)))
    return out


def _spans(emissions: list[Emission], width: int) -> list[tuple[int, int]]:
    """Input columns that may hold each emitted symbol: up to halfway to its neighbours."""
    centres = [e.centre for e in emissions]
    spans = []
    for k, c in enumerate(centres):
        lo = (centres[k - 1] + c) / 2 if k else c - HALF_DIGIT
        hi = (centres[k + 1] + c) / 2 if k + 1 < len(centres) else c + HALF_DIGIT
        spans.append((int(max(0, np.floor(lo))), int(min(width, np.ceil(hi)))))
    return spans


def _ink_box(ink: np.ndarray, lo: int, hi: int) -> tuple[int, int, int, int]:
    """(x, y, w, h) in input columns/rows of the ink between columns lo and hi."""
    part = ink[:, lo:hi]
    rows = np.nonzero(part.any(axis=1))[0]
    cols = np.nonzero(part.any(axis=0))[0]
    if len(rows) == 0:
        return lo, 0, max(1, hi - lo), LINE_HEIGHT
    return lo + int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


def _to_picture(box: tuple[int, int, int, int], line: _Line) -> Box:
    x, y, w, h = box
    lx, ly = line.found.box[:2]
    sx, sy = line.input.scale_x, line.input.scale_y
    x0, y0 = lx + int(np.floor(x / sx)), ly + int(np.floor(y / sy))
    x1, y1 = lx + int(np.ceil((x + w) / sx)), ly + int(np.ceil((y + h) / sy))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


@dataclass(frozen=True)
class _Symbol:
    """One symbol the line model read, before the digit model's second opinion."""

    emission: Emission
    model_input: np.ndarray | None
    box: Box
    steps: tuple[PipelineStep, ...]


def _symbols(line: _Line, probs: np.ndarray) -> list[_Symbol]:
    steps = max(1, -(-line.input.width // DOWNSAMPLE))
    emissions = greedy_decode(probs, steps)
    ink = line.input.image >= INK_LEVEL
    view = PipelineStep("line", np.clip(line.input.image * 255 + 0.5, 0, 255).astype(np.uint8))
    out = []
    for emission, (lo, hi) in zip(emissions, _spans(emissions, line.input.width), strict=True):
        x, y, w, h = box = _ink_box(ink, lo, hi)
        normalized = normalize_digit((ink[y: y + h, x: x + w] * 255).astype(np.uint8))
        model_input = frozen_array(normalized[1].astype(np.float32)) if normalized else None
        shown = (view,) if model_input is None else (view, PipelineStep(
            "28x28", np.clip(model_input * 255 + 0.5, 0, 255).astype(np.uint8)))
        out.append(_Symbol(emission, model_input, _to_picture(box, line), shown))
    return out


def _recognition(recognizer, symbol: _Symbol, second: np.ndarray | None) -> Recognition:
    """The symbol's result: the line model's digit scores, times the digit model's opinion
    of the same ink (``second``, a geometric mean), when it has one."""
    emission = symbol.emission
    line = emission.probabilities[:10].astype(np.float64)
    line /= max(float(line.sum()), 1e-9)
    if second is not None and DIGIT_WEIGHT > 0:
        mixed = (line ** (1 - DIGIT_WEIGHT)) * (np.asarray(second, np.float64) ** DIGIT_WEIGHT)
        line = mixed / max(float(mixed.sum()), 1e-12)
    probs = frozen_array(line.astype(np.float32))
    digit = int(np.argmax(probs))
    if emission.label == MARK:
        return Recognition(digit, float(emission.probabilities[MARK]), probs,
                           symbol.model_input, symbol.box, symbol.steps, "unsure",
                           f"{NOT_A_DIGIT}: this looks like a letter, a sign or a scribble")
    own = float(emission.probabilities[emission.label])
    confidence = own if second is None or DIGIT_WEIGHT == 0 else float(probs[digit])
    if confidence < recognizer.min_confidence:
        return Recognition(digit, confidence, probs, symbol.model_input, symbol.box,
                           symbol.steps, "unsure", f"not sure: {confidence:.0%} is below "
                           f"{recognizer.min_confidence:.0%}")
    return Recognition(digit, confidence, probs, symbol.model_input, symbol.box, symbol.steps)


def _read_lines(recognizer, lines: list[_Line], probs: np.ndarray) -> list[list[Recognition]]:
    """Every line's results; the digit model judges all the digits' ink in one call."""
    symbols = [_symbols(line, p) for line, p in zip(lines, probs, strict=True)]
    judged = [s for line in symbols for s in line
              if s.model_input is not None and s.emission.label != MARK]
    second: dict[int, np.ndarray] = {}
    if judged and DIGIT_WEIGHT > 0:
        scores = recognizer.probabilities(np.stack([s.model_input for s in judged]))
        second = {id(s): p for s, p in zip(judged, scores, strict=True)}
    return [[_recognition(recognizer, s, second.get(id(s))) for s in line] for line in symbols]


def read_auto(recognizer, image: np.ndarray) -> Recognition | NumberReading:
    """One pass over ``image``: the digit's ``Recognition`` when it holds one digit or none
    (with every pipeline step, as ``recognize`` gives it), else the ``NumberReading``."""
    try:
        grey = to_grey(image)
    except NotAnImageError:
        return recognizer.recognize(image)
    model = recognizer.line_model
    if model is None or min(grey.shape) < MIN_INPUT_SIDE:
        return recognizer.recognize(image)  # no line model: single digits only
    lines = _prepare(grey)
    probs = model.probabilities([line.input.image for line in lines])
    per_line = _read_lines(recognizer, lines, probs)
    found = [r for results in per_line for r in results]
    if len(found) <= 1 and not (found and found[0].message.startswith(NOT_A_DIGIT)):
        # one digit (or none): the single-digit pipeline and the digit model read it better
        pre = preprocess(image)
        if not found or pre.found:
            return recognizer.recognize_preprocessed([pre])[0]
    digits: list[Recognition] = []
    indices: list[tuple[int, ...]] = []
    for results in per_line:
        if results:
            indices.append(tuple(range(len(digits), len(digits) + len(results))))
            digits.extend(results)
    return NumberReading(tuple(digits), tuple(indices))


def read_number(recognizer, image: np.ndarray) -> NumberReading:
    """Read every digit in ``image`` and the number they make; never raises on odd input."""
    result = read_auto(recognizer, image)
    if isinstance(result, NumberReading):
        return result
    return NumberReading((result,), ((0,),)) if result.found else NumberReading((), ())
