"""Read whole numbers: every digit of a photo, scan or drawing. Qt-free.

``read_number(recognizer, image)`` (also ``Recognizer.read``):

1. the lines of writing (:mod:`mnist_desktop.pipeline.line_finder`): a small picture shaped like a
   line is one line; elsewhere the ink's pieces are grouped into lines;
2. each line through :func:`~mnist_desktop.pipeline.line_input.line_input` and the line model, all
   lines of a picture in one call; best-path CTC decoding gives the **CTC path**: the line
   model's symbols; where they stand (touching writing), each with the ink under its
   stretch of the alignment, rescored by the digit model (a geometric mean);
3. the **segmentation path** (:mod:`mnist_desktop.reading.segments`): where the line's ink
   falls apart into digit-sized pieces each piece is one digit, read by the digit model and
   rescored by the line model's opinion of the same columns; pieces in which the line
   model put two or more symbols (touching writing) keep the line model's symbols there;
4. the two paths' texts are compared: the number's confidence
   (:mod:`mnist_desktop.reading.number_confidence`) is calibrated from its digits'
   confidences and whether the two paths agree;
5. a digit below the recogniser's ``min_confidence`` is ``?`` and unsure; a letter, sign or
   scribble is a ``Recognition`` with ``is_digit=False`` (``?``), never a digit;
6. a picture in which it finds one digit (or none) gets the single-digit answer of
   ``Recognizer.recognize`` (the digit model is the stronger reader of one digit), and a
   small crop holding one digit never reaches the line model.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mnist_desktop.pipeline.digit_input import MIN_INPUT_SIDE, lone_digit, preprocess
from mnist_desktop.pipeline.grey import NotAnImageError, to_grey
from mnist_desktop.pipeline.line_finder import FoundLine, find_lines
from mnist_desktop.pipeline.line_input import LINE_HEIGHT, LineInput, ink_strength, line_input
from mnist_desktop.pipeline.normalize import normalize_digit
from mnist_desktop.reading import segments
from mnist_desktop.reading.line_model import DOWNSAMPLE, MARK, Emission, greedy_decode
from mnist_desktop.reading.number_confidence import Evidence, number_confidence
from mnist_desktop.results import (
    DEFAULT_MIN_NUMBER_CONFIDENCE,
    EVEN_SCORES,
    NOT_A_DIGIT,
    Box,
    NumberReading,
    PipelineStep,
    Recognition,
    frozen_array,
    judge,
    scale_box,
)

INK_LEVEL = 0.35
"""Line-input values at or above this are ink (for boxes and the digits' 28x28 views)."""
HALF_DIGIT = 0.6 * LINE_HEIGHT
"""Columns either side of a lone peak that may belong to its digit."""
DIGIT_WEIGHT = 0.3
"""CTC path: weight of the digit model's opinion of each symbol's ink (geometric mean with
the line model's)."""
PIECE_WEIGHT = 0.3
"""Segmentation path: weight of the digit model's opinion of a piece standing apart
(geometric mean with the line model's opinion of its columns)."""
LOST_WEIGHT = 0.7
"""Weight of the digit model where the line model put no symbol or several on one piece."""
LOST_MIN_CONFIDENCE = 0.9
LOST_MIN_HEIGHT = 0.6
LOST_MIN_LINE = 0.1
"""A piece on which the line model put nothing is a digit only when the digit model gives
it at least this confidence and it is at least this tall (x the writing's height); else
it is ink that is no symbol (a mark the line model read past, a stray stroke)."""
NO_DIGIT_MAX = EVEN_SCORES
MARK_DOUBT = 0.2
"""A piece standing apart is a mark when the digit model's scores on it stay below
``NO_DIGIT_MAX`` everywhere (it sees no digit) and the line model gives the mark at least
``MARK_DOUBT`` there. A geometric mean with the line model's scores would let the digit
model's even scores pass unnoticed; but a digit in a cluttered cell can score as evenly
(its piece holds a rule too), so the line model's doubt must agree."""
MARK_TEXT = f"{NOT_A_DIGIT}: this looks like a letter, a sign or a scribble"


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
    """One symbol to be judged: its 28x28 input, box and display steps."""

    model_input: np.ndarray | None
    box: Box
    steps: tuple[PipelineStep, ...]


def _symbol(mask: np.ndarray, box: tuple[int, int, int, int], line: _Line,
            view: PipelineStep) -> _Symbol:
    normalized = normalize_digit(mask)
    model_input = frozen_array(normalized[1].astype(np.float32)) if normalized else None
    shown = (view,) if model_input is None else (view, PipelineStep(
        "28x28", np.clip(model_input * 255 + 0.5, 0, 255).astype(np.uint8)))
    return _Symbol(model_input, _to_picture(box, line), shown)


@dataclass
class _Work:
    """One line on its way through both paths."""

    line: _Line
    probs: np.ndarray
    emissions: list[Emission]
    symbols: dict[int, _Symbol]
    """The CTC path's symbols where they stand (by ``id`` of their emission)."""
    options: list[list[segments.Unit]]
    pieces: dict[int, _Symbol]
    height: float


PIECE_ROWS = 2 * LINE_HEIGHT
"""The segmentation path looks at each line this many rows tall (the line model's input
made twice as tall: the same paper removal, sharper pieces for the digit model)."""


@dataclass(frozen=True)
class _LineInk:
    mask: np.ndarray
    scale: float
    """Mask pixels per picture pixel."""


def _line_ink(grey: np.ndarray, line: _Line) -> _LineInk:
    """The line's ink as the line model's input is made (paper removed, strong ink 1), at
    ``PIECE_ROWS`` rows, thresholded."""
    x, y, w, h = line.found.box
    crop = grey[y: y + h, x: x + w]
    scale = PIECE_ROWS / max(1, h)
    size = (max(1, round(w * scale)), PIECE_ROWS)
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if scale < 1
                       else cv2.INTER_LINEAR)
    strength = ink_strength(small, line.input.dark_ink)
    top = max(float(np.percentile(strength, 99.5)), 0.5 * float(strength.max(initial=0.0)),
              24.0)
    return _LineInk(strength >= INK_LEVEL * top, scale)


def _piece_symbol(piece: segments.Piece, ink: _LineInk, line: _Line, view: PipelineStep
                  ) -> _Symbol:
    normalized = normalize_digit(piece.mask)
    model_input = frozen_array(normalized[1].astype(np.float32)) if normalized else None
    shown = (view,) if model_input is None else (view, PipelineStep(
        "28x28", np.clip(model_input * 255 + 0.5, 0, 255).astype(np.uint8)))
    lx, ly = line.found.box[:2]
    x0, y0, w, h = scale_box(piece.box, ink.scale)
    return _Symbol(model_input, (lx + x0, ly + y0, w, h), shown)


def _work(grey: np.ndarray, line: _Line, probs: np.ndarray) -> _Work:
    steps = max(1, -(-line.input.width // DOWNSAMPLE))
    probs = probs[:steps]
    emissions = greedy_decode(probs, steps)
    view = PipelineStep("line", np.clip(line.input.image * 255 + 0.5, 0, 255).astype(np.uint8))
    big_ink = _line_ink(grey, line)
    found, height = segments.pieces(big_ink.mask, line.input.scale_x / big_ink.scale)
    options = segments.plan(found, height, emissions, line.input.scale_x / big_ink.scale)
    # the CTC path's own ink (the columns of its alignment) is needed only where its
    # symbols stand: touching writing, symbols on no piece
    loose = {id(e) for alternatives in options for unit in alternatives if not unit.parts
             for e in unit.emissions}
    ink = line.input.image >= INK_LEVEL
    symbols = {}
    for e, (lo, hi) in zip(emissions, _spans(emissions, line.input.width), strict=True):
        if id(e) in loose:
            x, y, w, h = box = _ink_box(ink, lo, hi)
            symbols[id(e)] = _symbol((ink[y: y + h, x: x + w] * 255).astype(np.uint8), box,
                                     line, view)
    pieces = {}
    for alternatives in options:
        for unit in alternatives:
            if unit.parts:
                pieces[id(unit)] = _piece_symbol(segments.merged(unit.parts), big_ink, line,
                                                 view)
    return _Work(line, probs, emissions, symbols, options, pieces, height)


def _mixed(line_scores: np.ndarray, digit_scores: np.ndarray | None, weight: float
           ) -> np.ndarray:
    line = np.asarray(line_scores[:10], np.float64)
    line = line / max(float(line.sum()), 1e-9)
    if digit_scores is None or weight <= 0:
        return line
    mixed = (line ** (1 - weight)) * (np.asarray(digit_scores, np.float64) ** weight)
    return mixed / max(float(mixed.sum()), 1e-12)


def _result(recognizer, probs: np.ndarray, confidence: float, symbol: _Symbol
            ) -> Recognition:
    frozen = frozen_array(probs.astype(np.float32))
    status, message = judge(confidence, recognizer.min_confidence)
    return Recognition(int(np.argmax(probs)), confidence, frozen, symbol.model_input,
                       symbol.box, symbol.steps, status, message)


def _mark(probs: np.ndarray, confidence: float, symbol: _Symbol) -> Recognition:
    return Recognition(None, confidence, frozen_array(probs.astype(np.float32)),
                       symbol.model_input, symbol.box, symbol.steps, "unsure", MARK_TEXT,
                       is_digit=False)


def _ctc_result(recognizer, emission: Emission, symbol: _Symbol,
                second: np.ndarray | None) -> Recognition:
    """A symbol of the CTC path: the line model's digit scores times the digit model's
    opinion of the same ink (``second``) when it has one; a mark is no digit."""
    probs = _mixed(emission.probabilities, second, DIGIT_WEIGHT)
    if emission.label == MARK:
        return _mark(probs, float(emission.probabilities[MARK]), symbol)
    confidence = (float(emission.probabilities[emission.label]) if second is None
                  else float(probs.max()))
    return _result(recognizer, probs, confidence, symbol)


def _piece_result(recognizer, work: _Work, unit: segments.Unit, second: np.ndarray | None
                  ) -> tuple[Recognition | None, float]:
    """A unit of the segmentation path and its log-score (None: ink that is no symbol).

    Where the line model put one symbol on the piece, that symbol's scores times the digit
    model's opinion of the piece's own ink; where it put none (a digit it dropped, or a
    mark it read past), a digit only when the digit model is sure of it and it is as tall
    as the writing; where it put a mark and no digit, or where the digit model sees no
    digit in the piece and the line model doubts its own (``NO_DIGIT_MAX``), a mark."""
    symbol = work.pieces[id(unit)]
    lo = min(p.lo for p in unit.parts)
    hi = max(p.hi for p in unit.parts)
    there = list(unit.emissions)
    cost = segments.count_cost(unit)
    if there and all(e.label == MARK for e in there):
        confidence = max(float(e.probabilities[MARK]) for e in there)
        return _mark(_mixed(there[0].probabilities, second, PIECE_WEIGHT), confidence,
                     symbol), float(np.log(confidence)) - cost
    seen = segments.evidence(work.probs, lo, hi)
    if (there and second is not None and float(np.max(second)) < NO_DIGIT_MAX
            and float(seen[MARK]) >= MARK_DOUBT):
        confidence = 1.0 - float(np.max(second))
        return (_mark(_mixed(seen, second, PIECE_WEIGHT), confidence, symbol),
                float(np.log(confidence)) - cost)
    if len(there) == 1:
        probs = _mixed(there[0].probabilities, second, PIECE_WEIGHT)
    else:
        probs = _mixed(seen, second, LOST_WEIGHT)
    if not there:
        box = segments.merged(unit.parts).box
        raw = segments.evidence(work.probs, lo, hi, normalise=False)
        if (second is None or float(np.max(second)) < LOST_MIN_CONFIDENCE
                or box[3] < LOST_MIN_HEIGHT * work.height
                or float(raw[:10].max()) < LOST_MIN_LINE):
            return None, 0.0
    confidence = float(probs.max())
    return _result(recognizer, probs, confidence, symbol), float(np.log(confidence)) - cost


def _read_lines(recognizer, works: list[_Work]) -> tuple[list[list[Recognition]], Evidence]:
    """Every line's results (the segmentation path, the CTC path where writing touches)
    and the evidence for the number's confidence: how sure each model is of each digit on
    its own, whether the CTC path alone reads the same text, ink left unread."""
    wanted = [s.model_input for w in works for s in (*w.symbols.values(), *w.pieces.values())
              if s.model_input is not None]
    scores = iter(recognizer.probabilities(np.stack(wanted)) if wanted else [])
    seconds: dict[int, np.ndarray] = {
        id(s): next(scores) for w in works for s in (*w.symbols.values(), *w.pieces.values())
        if s.model_input is not None}
    out, agree, dropped, differ = [], True, 0, 0
    digit_model: list[float] = []
    line_model: list[float] = []
    for work in works:
        ctc = {key: _ctc_result(recognizer, e, work.symbols[key],
                                seconds.get(id(work.symbols[key])))
               for e in work.emissions if (key := id(e)) in work.symbols}
        second_of = {key: seconds.get(id(s)) for key, s in work.symbols.items()}
        judged: dict[int, Recognition | None] = {}
        score: dict[int, float] = {}
        for alternatives in work.options:
            for unit in alternatives:
                if unit.parts:
                    second = seconds.get(id(work.pieces[id(unit)]))
                    judged[id(unit)], score[id(unit)] = _piece_result(
                        recognizer, work, unit, second)
        results: list[Recognition] = []
        for unit in segments.choose(work.options, score):
            if not unit.parts:
                for e in unit.emissions:
                    results.append(ctc[id(e)])
                    second = second_of[id(e)]
                    if e.label != MARK:
                        digit_model.append(float(second[e.label]) if second is not None
                                           else 0.0)
                        differ += second is not None and int(np.argmax(second)) != e.label
                        line_model.append(float(e.probabilities[e.label]))
                continue
            found = judged[id(unit)]
            if found is None:
                dropped += segments.merged(unit.parts).box[3] >= LOST_MIN_HEIGHT * work.height
                continue
            results.append(found)
            if found.is_digit and found.digit is not None:
                second = seconds.get(id(work.pieces[id(unit)]))
                digit_model.append(float(second[found.digit]) if second is not None else 0.0)
                differ += second is not None and int(np.argmax(second)) != found.digit
                line_model.append(max((float(e.probabilities[found.digit])
                                       for e in unit.emissions), default=0.0))
        out.append(results)
        agree = agree and [r.digit for r in results] == [
            e.label if e.label != MARK else None for e in work.emissions]
    confidences = tuple(r.confidence for line in out for r in line)
    return out, Evidence(confidences, tuple(digit_model), tuple(line_model), agree, dropped,
                         differ)


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
    lone = lone_digit(image)
    if lone is not None:  # a small crop of one digit: no line to read
        return recognizer.recognize_preprocessed([lone])[0]
    lines = _prepare(grey)
    probs = model.probabilities([line.input.image for line in lines])
    works = [_work(grey, line, p) for line, p in zip(lines, probs, strict=True)]
    per_line, evidence = _read_lines(recognizer, works)
    per_line = segments.without_nested(per_line)
    found = [r for results in per_line for r in results]
    if len(found) <= 1 and not (found and not found[0].is_digit):
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
    threshold = getattr(recognizer, "min_number_confidence", DEFAULT_MIN_NUMBER_CONFIDENCE)
    return NumberReading(tuple(digits), tuple(indices),
                         number_confidence(evidence),
                         threshold)


def read_number(recognizer, image: np.ndarray) -> NumberReading:
    """Read every digit in ``image`` and the number they make; never raises on odd input."""
    result = read_auto(recognizer, image)
    if isinstance(result, NumberReading):
        return result
    return NumberReading((result,), ((0,),)) if result.found else NumberReading((), ())
