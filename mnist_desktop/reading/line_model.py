"""The line model at run time: load it, call it, decode its CTC output with the alignment.

The model (``resources/lines.keras``, trained by ``train.py --task lines``) reads one line
of writing, prepared by :func:`mnist_desktop.pipeline.line_input.line_input`, and gives per step of
4 input columns the scores of the ten digits, ``MARK`` (a letter, sign or scribble) and the
CTC blank. Like the digit model it is called through one compiled ``tf.function``, never
``model.predict``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.pipeline.line_input import LINE_HEIGHT, stack_lines
from mnist_desktop.reading.model_file import ModelError, io_shapes, load_checked_model
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
    """The line model, compiled for direct calls: ``LineModel.load().probabilities(lines)``."""

    def __init__(self, model: Any, path: Path | None = None) -> None:
        import tensorflow as tf

        self.model = model
        self.path = path

        @tf.function(input_signature=[tf.TensorSpec((None, LINE_HEIGHT, None), tf.float32)],
                     reduce_retracing=True)
        def run(batch: Any) -> Any:
            return tf.nn.softmax(tf.cast(model(batch[..., None], training=False), tf.float32))

        self._run = run
        self.probabilities([np.zeros((LINE_HEIGHT, 64), np.float32)])  # trace once, up front

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> LineModel:
        """The bundled line model or a file; raises ``ModelError``."""
        model_path = Path(path) if path is not None else bundled_line_model_path()
        model = load_checked_model(model_path, _check_shapes)
        return cls(model, model_path)

    def probabilities(self, lines: list[np.ndarray]) -> np.ndarray:
        """(N, steps, CLASSES) probabilities for line inputs (each 32 x width)."""
        if not lines:
            return np.zeros((0, 0, CLASSES), np.float32)
        return np.asarray(self._run(stack_lines(lines)))


def _check_shapes(model: Any, path: Path) -> None:
    in_shape, out_shape = io_shapes(model, path)
    if in_shape[1:2] != (LINE_HEIGHT,) or out_shape[-1:] != (CLASSES,) or len(out_shape) != 3:
        raise ModelError(f"{path}: not a line model (takes {in_shape[1:]}, gives "
                         f"{out_shape[1:]}; a line model takes 32-row lines and gives "
                         f"{CLASSES} scores per step)")
