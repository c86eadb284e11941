"""What the segment model sees of one candidate digit of a number. No model, no Qt.

A candidate (:class:`~mnist_desktop.number_lattice.Candidate`: a group, groups merged, or a
part of a group between cut paths) is shown to the segment model three ways:

- its 28x28 model input, made by the single-digit normalisation (the one input contract);
- its *context*: a square window around it, twice the line height or more, with the
  candidate's own ink in one channel and all ink of the picture in the other, so the model
  sees whether a neighbour goes on where the candidate stops (half of a digit) or whether
  the candidate holds more than one digit;
- a few numbers: its size and position against the line, how it was made, the strokes its
  cuts cross.

From these the segment model says which digit it is, or that it is not one whole digit.
"""

from __future__ import annotations

import cv2
import numpy as np

from mnist_desktop.ink import InkMap
from mnist_desktop.number_lattice import Candidate, Lattice
from mnist_desktop.segmentation import Line

CONTEXT = 32
"""Side of the context window, in pixels."""
CONTEXT_SPAN = 2.0
"""The window is this many times the larger of the line height and the candidate's size."""
SCALARS = 15
KINDS = ("group", "merge", "part")


def line_band(line: Line) -> tuple[float, float]:
    """Median top and bottom of the line's digits (analysis pixels)."""
    groups = [g for g in line.groups if not g.satellite] or list(line.groups)
    return (float(np.median([g.box[1] for g in groups])),
            float(np.median([g.box[1] + g.box[3] for g in groups])))


def _ink_box(candidate: Candidate) -> tuple[int, int, int, int]:
    """The candidate's ink box (analysis pixels)."""
    if candidate.mask is None:
        return candidate.box
    x, y, w, h = cv2.boundingRect(candidate.mask)
    return candidate.box[0] + x, candidate.box[1] + y, max(1, w), max(1, h)


def _window(plane: np.ndarray, x0: int, y0: int, side: int) -> np.ndarray:
    """``plane[y0:y0+side, x0:x0+side]``, zero where the window leaves the plane."""
    out = np.zeros((side, side), plane.dtype)
    h, w = plane.shape
    sx0, sy0 = max(0, x0), max(0, y0)
    sx1, sy1 = min(w, x0 + side), min(h, y0 + side)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - y0: sy1 - y0, sx0 - x0: sx1 - x0] = plane[sy0:sy1, sx0:sx1]
    return out


def context_window(ink: InkMap, line: Line, candidate: Candidate) -> np.ndarray:
    """(CONTEXT, CONTEXT, 2) float32 in [0, 1]: the candidate's ink, all the ink around it."""
    x, y, w, h = _ink_box(candidate)
    side = max(4, int(round(CONTEXT_SPAN * max(line.height, w, h))))
    x0 = int(round(x + w / 2 - side / 2))
    y0 = int(round(y + h / 2 - side / 2))
    own = np.zeros((side, side), np.uint8)
    if candidate.mask is not None:  # the candidate's ink, placed in the window
        own = _window(candidate.mask, x0 - candidate.box[0], y0 - candidate.box[1], side)
    every = np.where(_window(ink.labels, x0, y0, side) > 0, 255, 0).astype(np.uint8)
    small = cv2.resize(np.stack([own, every], axis=-1), (CONTEXT, CONTEXT),
                       interpolation=cv2.INTER_AREA)
    return small.astype(np.float32) / 255.0


def scalars(lattice: Lattice, candidate: Candidate) -> np.ndarray:
    """(SCALARS,) float32: size and place against the line, make-up, cut strokes."""
    line = lattice.line
    height = max(1.0, line.height)
    top, bottom = line_band(line)
    x, y, w, h = _ink_box(candidate)
    left = lattice.crossings[candidate.src]
    right = lattice.crossings[candidate.dst]
    kind = [float(candidate.kind == k) for k in KINDS]
    plain, tall, pieces = candidate.joins
    values = [w / height, h / height, (y - top) / height, (y + h - bottom) / height, *kind,
              plain, tall, pieces, left or 0.0, right or 0.0, float(left is not None),
              float(right is not None), float(candidate.touches_border)]
    return np.asarray(values, np.float32)


def features(ink: InkMap, lattice: Lattice, candidates: list[Candidate]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Model inputs (N, 28, 28), context windows (N, 32, 32, 2) and scalars (N, SCALARS)."""
    inputs = np.stack([c.pre.model_input for c in candidates]).astype(np.float32)
    context = np.stack([context_window(ink, lattice.line, c) for c in candidates])
    numbers = np.stack([scalars(lattice, c) for c in candidates])
    return inputs, context, numbers
