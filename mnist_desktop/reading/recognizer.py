"""The inference API: images in, frozen ``Recognition`` results out. Qt-free.

The digit model runs on LiteRT (its TFLite twin, ``lite_model``): a batch of N digits is one
interpreter run, no TensorFlow or Keras is imported. A model file without a fresh twin is
called through a compiled Keras ``tf.function`` instead (``keras_models``), never
``model.predict``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from mnist_desktop.pipeline.digit_input import preprocess
from mnist_desktop.reading.model_file import ModelError, ModelInfo, load_digit_model
from mnist_desktop.results import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_MIN_NUMBER_CONFIDENCE,
    EVEN_SCORES,
    SEVERAL_DIGITS,
    SPREAD,
    NumberReading,
    Preprocessed,
    Reading,
    ReadMode,
    Recognition,
    frozen_array,
    judge,
)

__all__ = ["ModelError", "ModelInfo", "Recognizer"]

logger = logging.getLogger(__name__)

_NO_PROBABILITIES = frozen_array(np.zeros(10, np.float32))


def _digit_model(model: Any) -> Any:
    """A callable digit model: one already (it has an ``engine``), or a Keras model wrapped
    in its compiled call."""
    if hasattr(model, "engine") and callable(model):
        return model
    from mnist_desktop.reading.keras_models import KerasDigitModel

    return KerasDigitModel(model)


class Recognizer:
    """Recognises digits with a trained model: ``Recognizer.load().recognize(image)``."""

    def __init__(self, model: Any, info: ModelInfo, *,
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> None:
        """``model``: a loaded digit model (``model_file.load_digit_model``) or a Keras
        model (called through a compiled ``tf.function``)."""
        self.model = _digit_model(model)
        self.info = info
        self.min_confidence = float(min_confidence)
        self.min_number_confidence = DEFAULT_MIN_NUMBER_CONFIDENCE
        """A number read is ok only at or above this calibrated confidence."""
        self._lock = threading.Lock()
        self._lines: Any = None
        self._lines_tried = False
        self._lines_error: str | None = None

    @property
    def uses_lite(self) -> bool:
        """Whether the digit model runs on LiteRT (its TFLite twin), without TensorFlow."""
        return getattr(self.model, "engine", None) == "LiteRT"

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, *,
             min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Recognizer:
        """Load the bundled model (no ``path``) or a model file; raises ``ModelError``."""
        model, info = load_digit_model(path)
        return cls(model, info, min_confidence=min_confidence)

    def probabilities(self, inputs: np.ndarray) -> np.ndarray:
        """Class probabilities (N, 10) for model inputs (N, 28, 28) float32 in [0, 1]."""
        batch = np.asarray(inputs, dtype=np.float32).reshape(-1, 28, 28)
        if len(batch) == 0:
            return np.zeros((0, 10), np.float32)
        return np.asarray(self.model(batch), np.float32)

    def result(self, pre: Preprocessed, probabilities: np.ndarray | None) -> Recognition:
        """Combine the pipeline's output and the model's probabilities into a Recognition."""
        if pre.model_input is None or probabilities is None:
            return Recognition(None, 0.0, _NO_PROBABILITIES, None, pre.box, pre.steps,
                               "no_digit", pre.message or "no digit found")
        probs = frozen_array(np.asarray(probabilities, np.float32))
        digit = int(np.argmax(probs))
        confidence = float(probs[digit])
        status, message = judge(confidence, self.min_confidence)
        if confidence < EVEN_SCORES:
            message = f"{message} – {SPREAD}"
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
        whole numbers, loaded on first use; None when it is missing or broken (then
        ``line_model_error`` says why, and numbers are read digit by digit)."""
        with self._lock:
            if not self._lines_tried:
                from mnist_desktop.reading.line_model import LineModel

                self._lines_tried = True
                try:
                    self._lines = LineModel.load()
                except ModelError as error:
                    logger.warning("the line model could not be loaded", exc_info=True)
                    self._lines, self._lines_error = None, str(error)
            return self._lines

    @property
    def line_model_error(self) -> str | None:
        """Why the bundled line model could not be loaded (None: loaded, or not tried)."""
        with self._lock:
            return self._lines_error

    def use_line_model(self, model: Any) -> None:
        """Read numbers with this line model (None: none, single digits only) instead of
        the bundled one."""
        with self._lock:
            self._lines, self._lines_tried, self._lines_error = model, True, None

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
