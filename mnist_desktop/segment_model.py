"""The segment model: is this candidate one whole digit, and which? Qt-free, Keras lazily.

The digit model (``resources/model.keras``) reads a 28x28 input and nothing else, so half a
4 looks like a confident 1 and two touching digits like a confident 8. The segment model
also sees the candidate's surroundings and shape against its line
(:mod:`mnist_desktop.segment_features`) and answers 11 classes: the ten digits and
``NOT_A_DIGIT`` (part of a digit, several digits, a speck). ``train.py --task segments``
trains it on the reader's own candidates on synthetic sheets of MNIST training digits.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from mnist_desktop.model_file import ModelError, read_metadata
from mnist_desktop.pipeline import PIPELINE_MODULES
from mnist_desktop.resources_path import resources_dir
from mnist_desktop.segment_features import CONTEXT, SCALARS

SEGMENT_MODEL_FILENAME = "segments.keras"
NOT_A_DIGIT = 10
SEGMENT_MODULES = (*PIPELINE_MODULES, "segmentation", "number_ink", "number_lattice",
                   "segment_features")
"""The modules whose code decides what the segment model sees."""


def bundled_segment_model_path() -> Path:
    return resources_dir() / SEGMENT_MODEL_FILENAME


def code_fingerprint(modules: tuple[str, ...] = SEGMENT_MODULES) -> str:
    """A hash of the code of ``mnist_desktop`` modules, docstrings and layout left out.

    The same hash as ``pipeline.pipeline_fingerprint`` but for any modules. That one keeps its
    own copy for now: changing pipeline.py's code would invalidate the shipped digit model;
    it should call this function when the pipeline next changes (and the model is retrained).
    """
    import ast
    import hashlib
    import importlib

    digest = hashlib.sha256()
    for name in modules:
        module = importlib.import_module(f"mnist_desktop.{name}")
        with open(str(module.__file__), encoding="utf-8") as source:
            tree = ast.parse(source.read())
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list):
                body[:] = [s for s in body if not (
                    isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                    and isinstance(s.value.value, str))]
        digest.update(ast.dump(tree, include_attributes=False).encode())
    return digest.hexdigest()[:16]


def build_segment_model() -> Any:
    """Three inputs (28x28 digit, 32x32x2 context, scalars), 11 softmax outputs (~0.2 M
    parameters): a small CNN per image, a dense layer for the numbers, a dense head."""
    import keras
    from keras import layers

    def conv(x: Any, filters: int) -> Any:
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization(momentum=0.9)(x)
        return layers.ReLU()(x)

    digit = keras.Input((28, 28, 1), name="digit")
    context = keras.Input((CONTEXT, CONTEXT, 2), name="context")
    numbers = keras.Input((SCALARS,), name="scalars")
    a = layers.MaxPooling2D()(conv(digit, 32))
    a = layers.MaxPooling2D()(conv(a, 64))
    a = layers.GlobalAveragePooling2D()(conv(a, 96))
    b = layers.MaxPooling2D()(conv(context, 16))
    b = layers.MaxPooling2D()(conv(b, 32))
    b = layers.MaxPooling2D()(conv(b, 64))
    b = layers.Flatten()(b)
    c = layers.Dense(32, activation="relu")(numbers)
    x = layers.Concatenate()([a, b, c])
    x = layers.Dropout(0.3)(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(NOT_A_DIGIT + 1)(x)
    outputs = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
    return keras.Model([digit, context, numbers], outputs, name="segments")


class SegmentJudge:
    """Runs the segment model: ``judge(inputs, context, scalars)`` -> (N, 11) probabilities."""

    def __init__(self, model: Any, metadata: dict[str, Any] | None = None) -> None:
        import tensorflow as tf

        self.model = model
        self.metadata = metadata or {}
        self._lock = threading.Lock()
        signature = [tf.TensorSpec((None, 28, 28), tf.float32),
                     tf.TensorSpec((None, CONTEXT, CONTEXT, 2), tf.float32),
                     tf.TensorSpec((None, SCALARS), tf.float32)]

        @tf.function(input_signature=signature, reduce_retracing=True)
        def run(inputs: Any, context: Any, numbers: Any) -> Any:
            x = tf.reshape(inputs, (-1, 28, 28, 1))
            return tf.cast(model([x, context, numbers], training=False), tf.float32)

        self._run = run
        self.judge(np.zeros((1, 28, 28), np.float32),
                   np.zeros((1, CONTEXT, CONTEXT, 2), np.float32),
                   np.zeros((1, SCALARS), np.float32))  # trace once, up front

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> SegmentJudge:
        """Load the bundled segment model (or a file); raises ``ModelError``."""
        model_path = Path(path) if path is not None else bundled_segment_model_path()
        if not model_path.is_file():
            raise ModelError(f"segment model not found: {model_path}")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras

        try:
            model = keras.models.load_model(model_path, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many types for bad files
            raise ModelError(f"{model_path}: could not load the segment model "
                             f"({str(error).strip()[:300] or type(error).__name__})") from None
        return cls(model, read_metadata(model_path))

    def judge(self, inputs: np.ndarray, context: np.ndarray, numbers: np.ndarray) -> np.ndarray:
        if len(inputs) == 0:
            return np.zeros((0, NOT_A_DIGIT + 1), np.float32)
        with self._lock:
            out = self._run(np.asarray(inputs, np.float32).reshape(-1, 28, 28),
                            np.asarray(context, np.float32), np.asarray(numbers, np.float32))
        return out.numpy().astype(np.float32, copy=False)
