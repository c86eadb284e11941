"""The line model's input contract: a grey picture of one line of writing -> 32 x W floats.

Used by the number reader at run time and by ``train.py --task lines`` on every synthetic
line, so the model is trained on exactly what the reader gives it.

grey (uint8) -> polarity (ink is the minority: its tail of grey levels is the longer one)
-> ink made bright -> paper removed (a grey opening wider than any stroke: lighting,
cheque paper and faint security patterns drop to near zero) -> scaled so that strong ink
is 1 -> resized to ``LINE_HEIGHT`` rows keeping the aspect ratio.

Pure: never changes its input.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

LINE_HEIGHT = 32
"""Rows of the line model's input; the width follows the picture's aspect ratio."""
WIDTH_STEP = 8
"""Inputs are padded on the right to a multiple of this (the model halves the width twice)."""
MIN_WIDTH = 16
MAX_WIDTH = 1024
"""A longer line is squeezed to this width (about 40 digits)."""


@dataclass(frozen=True)
class LineInput:
    """One line ready for the line model, and how its columns map back to the picture."""

    image: np.ndarray
    """(LINE_HEIGHT, width) float32 in [0, 1], ink bright, read-only."""
    scale_x: float
    """Input columns per picture column."""
    scale_y: float
    dark_ink: bool

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


ANALYSIS_ROWS = 8 * LINE_HEIGHT
"""A line taller than this (a line of a large photo) is shrunk to this many rows before its
paper is removed: the input keeps 32 rows, and finding the paper at full size cost ~80 ms a
line of a 3 MP photo. Training lines (digits 12–60 px) and the input probes are smaller,
so what the line model was trained on is unchanged."""


def ink_is_dark(grey: np.ndarray) -> bool:
    """True when the ink is darker than the paper: the dark tail reaches further from the
    median (the paper) than the bright one."""
    low, mid, high = np.percentile(grey, (1.0, 50.0, 99.0))
    return bool(mid - low >= high - mid)


def ink_strength(grey: np.ndarray, dark: bool) -> np.ndarray:
    """How far each pixel stands out from the paper around it (float32, not yet scaled)."""
    ink = (255.0 - grey.astype(np.float32)) if dark else grey.astype(np.float32)
    side = max(7, (min(grey.shape) // 3) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    paper = cv2.morphologyEx(ink, cv2.MORPH_OPEN, kernel)
    paper = cv2.blur(paper, (side, side))
    return np.maximum(ink - paper, 0.0)


def line_input(grey: np.ndarray, dark: bool | None = None) -> LineInput:
    """The line model's input for a uint8 grey picture of one line of writing."""
    grey = np.asarray(grey)
    if grey.ndim != 2 or grey.dtype != np.uint8:
        raise ValueError("line_input takes a 2-D uint8 grey image")
    h, w = grey.shape
    if dark is None:
        dark = ink_is_dark(grey)
    if h > ANALYSIS_ROWS:  # a line of a large photo: the paper is found as well 8x smaller
        small = (max(1, round(w * ANALYSIS_ROWS / h)), ANALYSIS_ROWS)
        grey = cv2.resize(grey, small, interpolation=cv2.INTER_AREA)
    strength = ink_strength(grey, dark)
    top = float(np.percentile(strength, 99.5))
    top = max(top, 0.5 * float(strength.max(initial=0.0)), 24.0)
    scaled = np.clip(strength / top, 0.0, 1.0)
    width = int(np.clip(round(w * LINE_HEIGHT / max(1, h)), MIN_WIDTH, MAX_WIDTH))
    shrink = width < w or h > LINE_HEIGHT
    resized = cv2.resize(scaled, (width, LINE_HEIGHT),
                         interpolation=cv2.INTER_AREA if shrink else cv2.INTER_LINEAR)
    out = np.clip(resized, 0.0, 1.0).astype(np.float32)
    out.setflags(write=False)
    return LineInput(out, width / max(1, w), LINE_HEIGHT / max(1, h), bool(dark))


def padded_width(width: int) -> int:
    """The width a line of ``width`` columns is padded to."""
    return max(MIN_WIDTH, -(-width // WIDTH_STEP) * WIDTH_STEP)


def stack_lines(images: list[np.ndarray], width: int | None = None) -> np.ndarray:
    """Pad line inputs with zeros (no ink) on the right to one width: (N, 32, W) float32."""
    target = width or padded_width(max((im.shape[1] for im in images), default=MIN_WIDTH))
    out = np.zeros((len(images), LINE_HEIGHT, target), np.float32)
    for i, im in enumerate(images):
        out[i, :, : min(target, im.shape[1])] = im[:, :target]
    return out
