"""The inference API: images in, frozen ``Recognition`` results out. Qt-free.

Inference never goes through ``model.predict`` (tens of milliseconds of set-up per call):
the model is wrapped once in a compiled ``tf.function`` with a fixed input signature, and
a few digits at a time go through the TFLite twin shipped beside the model
(``lite_model``: about 0.3 ms a digit instead of about 1 ms) when it is there and fresh.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from mnist_desktop.pipeline.digit_input import preprocess
from mnist_desktop.reading.lite_model import load_lite
from mnist_desktop.reading.model_file import ModelError, ModelInfo, load_keras_model
from mnist_desktop.results import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_NUMBER_CONFIDENCE,
    SEVERAL_DIGITS,
    NumberReading,
    Preprocessed,
    Reading,
    ReadMode,
    Recognition,
    frozen_array,
    judge,
)

__all__ = ["ModelError", "ModelInfo", "Recognizer"]

BATCH = 256
LITE_MAX = 8
"""Up to this many digits go through the TFLite interpreter one by one; more, one batch."""
_NO_PROBABILITIES = frozen_array(np.zeros(10, np.float32))


def _compile(model: Any) -> Any:
    """A graph function calling the model directly (about a millisecond per call on CPU)."""
    import tensorflow as tf

    rank = len(model.input_shape)
    shape = tuple(model.input_shape[1:])

    signature = [tf.TensorSpec((None, 28, 28), tf.float32)]

    @tf.function(input_signature=signature, reduce_retracing=True)
    def run(batch: Any) -> Any:
        x = tf.reshape(batch, (-1, *shape)) if rank != 3 or shape != (28, 28) else batch
        return tf.cast(model(x, training=False), tf.float32)

    return run


class Recognizer:
    """Recognises digits with a trained model: ``Recognizer.load().recognize(image)``."""

    def __init__(self, model: Any, info: ModelInfo, *,
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> None:
        self.model = model
        self.info = info
        self.min_confidence = float(min_confidence)
        self.min_number_confidence = DEFAULT_MIN_NUMBER_CONFIDENCE
        """A number read is ok only at or above this calibrated confidence."""
        self._run = _compile(model)
        self._lite = load_lite(info.path)
        self._lock = threading.Lock()
        self._lines: Any = None
        self._lines_tried = False
        self._run(np.zeros((1, 28, 28), np.float32))  # trace once, up front

    @property
    def uses_lite(self) -> bool:
        """Whether single digits go through the TFLite interpreter."""
        return self._lite is not None

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *,
             min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Recognizer:
        """Load the bundled model (no ``path``) or a model file; raises ``ModelError``."""
        model, info = load_keras_model(path)
        return cls(model, info, min_confidence=min_confidence)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 10) for model inputs (N, 28, 28) float32 in [0, 1]."""
        batch = np.asarray(inputs, dtype=np.float32).reshape(-1, 28, 28)
        if len(batch) == 0:
            return np.zeros((0, 10), np.float32)
        if self._lite is not None and len(batch) <= LITE_MAX:
            return self._lite(batch)
        parts = [self._run(batch[i : i + BATCH]).numpy() for i in range(0, len(batch), BATCH)]
        return np.concatenate(parts).astype(np.float32, copy=False)

    def result(self, pre: Preprocessed, probabilities: np.ndarray | None) -> Recognition:
        """Combine the pipeline's output and the model's probabilities into a Recognition."""
        if pre.model_input is None or probabilities is None:
            return Recognition(None, 0.0, _NO_PROBABILITIES, None, pre.box, pre.steps,
                               "no_digit", pre.message or "no digit found")
        probs = frozen_array(np.asarray(probabilities, np.float32))
        digit = int(np.argmax(probs))
        confidence = float(probs[digit])
        status, message = judge(confidence, self.min_confidence)
        if pre.others:  # a number: one of its digits is no answer
            status, message = "unsure", SEVERAL_DIGITS
        return Recognition(digit, confidence, probs, pre.model_input, pre.box, pre.steps,
                           status, message)

    def recognize_preprocessed(self, items: Sequence[Preprocessed]) -> list[Recognition]:
        """Classify already preprocessed images in one batch."""
        found = [i for i, pre in enumerate(items) if pre.model_input is not None]
        probs = self.probabilities(np.stack([items[i].model_input for i in found])) if found else []
        by_index = dict(zip(found, probs, strict=True))
        return [self.result(pre, by_index.get(i)) for i, pre in enumerate(items)]

    def recognize(self, image: np.ndarray) -> Recognition:
        """Recognise the single digit in ``image`` (any size, grey/BGR/BGRA, any dtype)."""
        return self.recognize_preprocessed([preprocess(image)])[0]

    def recognize_many(self, images: Iterable[np.ndarray]) -> list[Recognition]:
        """Recognise many images; the model runs in batches."""
        return self.recognize_preprocessed([preprocess(image) for image in images])

    @property
    def line_model(self) -> Any:
        """The bundled line model (:mod:`mnist_desktop.reading.line_model`) that reads
        whole numbers, loaded on first use; None when it is missing or broken (``read``
        then gives the single-digit answer)."""
        with self._lock:
            if not self._lines_tried:
                from mnist_desktop.reading.line_model import LineModel

                self._lines_tried = True
                try:
                    self._lines = LineModel.load()
                except ModelError:
                    self._lines = None
            return self._lines

    def use_line_model(self, model: Any) -> None:
        """Read numbers with this line model (None: none, single digits only) instead of
        the bundled one."""
        with self._lock:
            self._lines, self._lines_tried = model, True

    def read(self, image: np.ndarray) -> NumberReading:
        """Read every digit in ``image`` and the number they make (see ``line_reader.py``);
        a picture of one digit gets the answer of ``recognize``."""
        from mnist_desktop.reading.line_reader import read_number

        return read_number(self, image)

    def read_auto(self, image: np.ndarray) -> Recognition | NumberReading:
        """One pass that decides digit or number: the ``Recognition`` of a picture holding
        one digit (or none), the ``NumberReading`` of one holding several."""
        from mnist_desktop.reading.line_reader import read_auto

        return read_auto(self, image)

    def read_as(self, image: np.ndarray, mode: ReadMode) -> Reading:
        """``image`` read the way ``mode`` says: ``digit`` (``recognize``), ``number``
        (``read``) or ``auto`` (``read_auto``). Every tab, the batch and the CLI read
        through here."""
        if mode == "digit":
            return self.recognize(image)
        if mode == "number":
            return self.read(image)
        if mode == "auto":
            return self.read_auto(image)
        raise ValueError(f"unknown read mode {mode!r}: use auto, digit or number")
