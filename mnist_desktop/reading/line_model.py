"""The line model at run time: load it, call it, decode its CTC output with the alignment.

The model (``resources/lines.keras``, trained by ``train.py --task lines``) reads one line
of writing, prepared by :func:`mnist_desktop.pipeline.line_input.line_input`, and gives per step of
4 input columns the scores of the ten digits, ``MARK`` (a letter, sign or scribble) and the
CTC blank. Like the digit model it runs on LiteRT, from its TFLite twin (``lines.tflite``,
see ``lite_model``), without TensorFlow; a file without a fresh twin is called through a
compiled Keras ``tf.function`` (``keras_models``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.pipeline.line_input import LINE_HEIGHT, stack_lines
from mnist_desktop.reading.lite_model import LiteLineModel, load_lite
from mnist_desktop.reading.model_file import (
    ModelError,
    check_model_file,
    io_shapes,
    load_checked_model,
)
from mnist_desktop.reading.resources import resources_dir

CLASSES = 12
MARK = 10
BLANK = 11
DOWNSAMPLE = 4
"""Input columns per output step."""
LINE_MODEL_FILENAME = "lines.keras"


def bundled_line_model_path() -> Path:
    return resources_dir() / LINE_MODEL_FILENAME


@dataclass(frozen=True)
class Emission:
    """One symbol the CTC decoding emitted: its class, the steps it spans and its scores."""

    label: int
    first: int
    last: int
    peak: int
    probabilities: np.ndarray
    """Softmax over all classes at the peak step."""

    @property
    def centre(self) -> float:
        """Centre in input columns."""
        return (self.peak + 0.5) * DOWNSAMPLE


def softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def greedy_decode(probs: np.ndarray, steps: int | None = None) -> list[Emission]:
    """Best path decoding of one line's (steps, CLASSES) probabilities: the most likely
    class per step, repeats merged, blanks dropped; each symbol keeps its span and peak."""
    probs = probs[: steps or len(probs)]
    best = probs.argmax(axis=1)
    out: list[Emission] = []
    t = 0
    while t < len(best):
        label = int(best[t])
        end = t
        while end + 1 < len(best) and best[end + 1] == label:
            end += 1
        if label != BLANK:
            peak = t + int(np.argmax(probs[t: end + 1, label]))
            out.append(Emission(label, t, end, peak, probs[peak].copy()))
        t = end + 1
    return out


def decode_text(probs: np.ndarray, steps: int | None = None) -> str:
    """The digits read (a ``MARK`` as ``?``)."""
    return "".join("?" if e.label == MARK else str(e.label)
                   for e in greedy_decode(probs, steps))


class LineModel:
    """The line model, ready for direct calls: ``LineModel.load().probabilities(lines)``."""

    def __init__(self, model: Any, path: Path | None = None) -> None:
        """``model``: logits (N, W / 4, CLASSES) for lines stacked (N, 32, W) (a
        ``LiteLineModel`` or ``KerasLineModel``), or a Keras line model."""
        if not (hasattr(model, "engine") and callable(model)):
            from mnist_desktop.reading.keras_models import KerasLineModel

            model = KerasLineModel(model)
        self.model = model
        self.path = path

    @property
    def engine(self) -> str:
        return str(self.model.engine)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> LineModel:
        """The bundled line model or a file: its fresh TFLite twin in LiteRT, else the
        ``.keras`` file through Keras; raises ``ModelError``."""
        model_path = Path(path) if path is not None else bundled_line_model_path()
        check_model_file(model_path)
        lite = load_lite(model_path)
        if lite is not None:
            check_line_shapes(lite.input_signature, lite.output_signature, model_path)
            return cls(LiteLineModel(lite), model_path)
        return cls(load_checked_model(model_path, _check_shapes), model_path)

    def probabilities(self, lines: list[np.ndarray]) -> np.ndarray:
        """(N, steps, CLASSES) probabilities for line inputs (each 32 x width), padded
        together to one width as ``stack_lines`` pads them."""
        if not lines:
            return np.zeros((0, 0, CLASSES), np.float32)
        return softmax(np.asarray(self.model(stack_lines(lines)), np.float32))


def check_line_shapes(in_shape: tuple, out_shape: tuple, path: Path) -> None:
    """``ModelError`` unless the shapes (batch first, -1 or None where free) are a line
    model's."""
    in_shape = tuple(None if v == -1 else v for v in in_shape)
    out_shape = tuple(None if v == -1 else v for v in out_shape)
    if in_shape[1:2] != (LINE_HEIGHT,) or out_shape[-1:] != (CLASSES,) or len(out_shape) != 3:
        raise ModelError(f"{path}: not a line model (takes {in_shape[1:]}, gives "
                         f"{out_shape[1:]}; a line model takes 32-row lines and gives "
                         f"{CLASSES} scores per step)")


def _check_shapes(model: Any, path: Path) -> None:
    check_line_shapes(*io_shapes(model, path), path)
